/**
 * YAML/JSON documents with source positions.
 *
 * Two parsers, one result. The `yaml` package keeps the position of every
 * node, so an error can name the line of the exact field, but it reads about
 * 6 MB/s; js-yaml's event parser reads about six times faster and gives the
 * offset of each document's root. Every file is first read by js-yaml
 * (fast path); any file the fast path cannot vouch for (a js-yaml error,
 * anchors, aliases, tags, directives, `...` markers, a root that is not a
 * mapping, null keys, numbers that overflow) is read by the `yaml` package
 * exactly as before, so problems and their messages come from one parser
 * only. Field lines (`lineOf`) are looked up by parsing the file with `yaml`
 * when first asked for, which only errors and warnings do.
 *
 * Kubernetes objects are JSON: whatever YAML can say and JSON cannot (tags
 * beyond the JSON ones, keys repeated or made of collections, .nan and .inf,
 * recursive aliases, objects larger than etcd stores) is a problem at its
 * line. Every step is linear in the file's size.
 */
import { CORE_SCHEMA, constructFromEvents, parseEvents, type Event } from 'js-yaml';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Problem } from '../errors/index.ts';
import type { SourceFile } from './source.ts';
import { formatFieldPath } from './validate.ts';

export interface SourceDocument {
  file: string;
  /** 0-based index of the document inside its file. */
  index: number;
  /** 1-based line where the document's content starts. */
  line: number;
  value: unknown;
  /** 1-based line of the node at `path`, or of its nearest existing ancestor. */
  lineOf(path: readonly PropertyKey[]): number;
}

export interface ParsedFiles {
  documents: SourceDocument[];
  problems: Problem[];
}

export function parseSourceFiles(files: readonly SourceFile[]): ParsedFiles {
  const documents: SourceDocument[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const parsed = parseFile(file);
    documents.push(...parsed.documents);
    problems.push(...parsed.problems);
  }
  return { documents, problems };
}

function parseFile(file: SourceFile): ParsedFiles {
  return parseFileFast(file) ?? parseFileWithPositions(file);
}

// js-yaml event types (EVENT_ID) and the plain scalar style.
const DOCUMENT = 1;
const SEQUENCE = 2;
const MAPPING = 3;
const SCALAR = 4;
const ALIAS = 5;
const POP = 6;
const PLAIN = 1;

/** Plain keys the `yaml` package turns into "" and js-yaml into "null". */
const NULL_KEYS = new Set(['~', 'null', 'Null', 'NULL']);

/** YAML 1.2 core schema infinity and not-a-number. */
const NON_FINITE = /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/;

/** A `...` document end marker: the `yaml` package counts a document there even when it is empty, js-yaml does not. */
const DOCUMENT_END = /^\.\.\.(?:[ \t\r\n]|$)/m;

/**
 * The offsets of the documents' root mappings, or undefined when the two
 * parsers might disagree about this file (the `yaml` package then reads it).
 * The cases were found by a differential fuzz of both parsers.
 */
function rootOffsets(text: string, events: readonly Event[]): number[] | undefined {
  const roots: number[] = [];
  // Per open node: its type and how many children it has had (even = next one is a key).
  const types: number[] = [];
  const counts: number[] = [];
  for (const e of events) {
    if (e.type === POP) {
      types.pop();
      counts.pop();
      continue;
    }
    if (e.type === ALIAS) return undefined;
    if (e.type === DOCUMENT) {
      if (e.directives.length > 0) return undefined; // %YAML 1.1 changes the schema
      types.push(DOCUMENT);
      counts.push(0);
      continue;
    }
    if (e.anchorStart !== -1 || e.tagStart !== -1) return undefined;
    const depth = types.length - 1;
    const parent = types[depth];
    const index = counts[depth] ?? 0;
    counts[depth] = index + 1;
    if (parent === DOCUMENT) {
      // Scalar, sequence or empty roots: the `yaml` package reports them.
      if (e.type !== MAPPING) return undefined;
      roots.push(e.start);
    }
    if (e.type === SCALAR && e.style === PLAIN) {
      const isKey = parent === MAPPING && index % 2 === 0;
      if (e.valueStart === -1) {
        if (isKey) return undefined;
        continue;
      }
      const value = text.slice(e.valueStart, e.valueEnd);
      if (isKey && NULL_KEYS.has(value)) return undefined;
      // 1e400 or 400 digits: Infinity for the `yaml` package, a string for js-yaml.
      const c = value.charCodeAt(0);
      const numeric = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
      if (numeric && (value.length >= 300 || value.includes('e') || value.includes('E'))) return undefined;
      // .inf and .nan: not JSON numbers; the `yaml` path reports them with their line.
      if (numeric && NON_FINITE.test(value)) return undefined;
    }
    if (e.type === SEQUENCE || e.type === MAPPING) {
      types.push(e.type);
      counts.push(0);
    }
  }
  return roots;
}

/** The js-yaml reading of a file, or undefined when the `yaml` package must read it. */
export function parseFileFast(file: SourceFile): ParsedFiles | undefined {
  const text = file.text;
  if (DOCUMENT_END.test(text)) return undefined;
  let values: unknown[];
  let roots: number[] | undefined;
  try {
    const events = parseEvents(text, {});
    roots = rootOffsets(text, events);
    if (roots === undefined) return undefined;
    values = constructFromEvents(events, { source: text, schema: CORE_SCHEMA, maxAliases: 0 });
  } catch {
    return undefined;
  }
  if (values.length !== roots.length) return undefined;
  const positions = lazyPositions(text);
  const documents: SourceDocument[] = [];
  const problems: Problem[] = [];
  let line = 1;
  let counted = 0;
  roots.forEach((start, index) => {
    for (let nl = text.indexOf('\n', counted); nl !== -1 && nl < start; nl = text.indexOf('\n', nl + 1)) line++;
    counted = start;
    const docLine = line;
    // Only a file larger than the limit can hold a document larger than it (no aliases on this path).
    if (text.length > MAX_OBJECT_CHARS && JSON.stringify(values[index]).length > MAX_OBJECT_CHARS) {
      problems.push({ code: 'YAML_VALUE', severity: 'error', file: file.path, line: docLine, message: TOO_LARGE });
      return;
    }
    documents.push({
      file: file.path,
      index,
      line: docLine,
      value: values[index],
      lineOf: (path) => {
        const { byStart, docs, lineCounter } = positions();
        const doc = byStart.get(start) ?? docs[index];
        return doc === undefined ? docLine : lineOfPath(doc, path, lineCounter);
      },
    });
  });
  return { documents, problems };
}

interface Positions {
  docs: Document[];
  /** Documents by the offset of their root node, so each lookup is constant time. */
  byStart: Map<number, Document>;
  lineCounter: LineCounter;
}

/** The `yaml` package's view of a file, parsed on first use. */
function lazyPositions(text: string): () => Positions {
  let parsed: Positions | undefined;
  return () => {
    if (parsed === undefined) {
      const lineCounter = new LineCounter();
      const all = parseAllDocuments(text, { lineCounter, ...PARSE_OPTIONS });
      const docs = Array.isArray(all) ? all : [];
      const byStart = new Map<number, Document>();
      for (const doc of docs) {
        const start = doc.contents?.range?.[0];
        if (start !== undefined && !byStart.has(start)) byStart.set(start, doc);
      }
      parsed = { docs, byStart, lineCounter };
    }
    return parsed;
  };
}

/**
 * `uniqueKeys: false`: the `yaml` package checks each key against every
 * earlier key of its mapping (quadratic: 20,000 keys took 37 s); duplicates
 * are found here instead, with one set per mapping (`nodeProblems`).
 */
const PARSE_OPTIONS = { uniqueKeys: false, prettyErrors: false } as const;

/** The `yaml` package, node positions kept for every document. */
export function parseFileWithPositions(file: SourceFile): ParsedFiles {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(file.text, { lineCounter, ...PARSE_OPTIONS });
  const problems: Problem[] = [];
  const documents: SourceDocument[] = [];
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    // An EmptyStream: a file with only comments or nothing at all.
    return { documents, problems };
  }
  list.forEach((doc, index) => {
    // Warnings are errors too: an unknown tag or `%YAML 2.0` means the file is not what Kubernetes reads.
    const errors = [...doc.errors, ...doc.warnings];
    if (errors.length > 0) {
      for (const err of errors) {
        const line = lineCounter.linePos(err.pos[0]).line;
        problems.push({ code: 'YAML_SYNTAX', severity: 'error', file: file.path, line, message: `YAML syntax: ${firstLine(err.message)}` });
      }
      return;
    }
    const shapeProblems = nodeProblems(doc, lineCounter);
    if (shapeProblems.length > 0) {
      for (const p of shapeProblems) problems.push({ code: 'YAML_SYNTAX', severity: 'error', file: file.path, ...p });
      return;
    }
    if (doc.contents === null) return; // an empty document between separators
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      problems.push({
        code: 'YAML_SYNTAX',
        severity: 'error',
        file: file.path,
        line: lineOfNode(doc.contents, lineCounter),
        message: `YAML: ${err instanceof Error ? firstLine(err.message) : String(err)}`,
      });
      return;
    }
    const valueProblem = jsonValueProblem(value);
    if (valueProblem !== undefined) {
      const field = formatFieldPath(valueProblem.path);
      problems.push({ code: 'YAML_VALUE', severity: 'error', file: file.path, line: lineOfPath(doc, valueProblem.path, lineCounter), ...(field === '' ? {} : { field }), message: valueProblem.message });
      return;
    }
    documents.push({
      file: file.path,
      index,
      line: lineOfNode(doc.contents, lineCounter),
      value,
      lineOf: (path) => lineOfPath(doc, path, lineCounter),
    });
  });
  return { documents, problems };
}

/** Tags whose values are JSON values: the ones Kubernetes' YAML-to-JSON conversion keeps as they are. */
const JSON_TAGS = new Set(['tag:yaml.org,2002:str', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:null', 'tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq']);

/**
 * What the YAML of one document says that JSON cannot: a key that repeats
 * in its mapping (also through an alias), a key that is a mapping or list,
 * a tag outside the JSON ones (`!!omap`, `!!set`, `!!binary`, `!!timestamp`).
 * One pass over the nodes, one set of keys per mapping: linear in the file.
 */
function nodeProblems(doc: Document, lineCounter: LineCounter): { line: number; message: string }[] {
  const problems: { line: number; message: string }[] = [];
  const at = (node: Node, message: string): void => {
    problems.push({ line: lineOfNode(node, lineCounter), message });
  };
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0 && problems.length < 20) {
    const node = stack.pop();
    if (!isMap(node) && !isSeq(node) && !isScalar(node)) continue; // aliases are checked where their anchor is
    if (node.tag !== undefined && !JSON_TAGS.has(node.tag)) at(node, `YAML tag ${node.tag.replace('tag:yaml.org,2002:', '!!')} is not supported (Kubernetes objects are JSON)`);
    if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
      continue;
    }
    if (!isMap(node)) continue;
    const keys = new Set<string>();
    for (const pair of node.items) {
      const key = pair.key;
      const target = isAlias(key) ? key.resolve(doc) : key;
      if (!isScalar(target)) {
        at(isAlias(key) || isMap(key) || isSeq(key) ? (key as Node) : node, 'YAML syntax: a mapping key must be a string, number or boolean');
        continue;
      }
      const text = target.value === null || target.value === undefined ? '' : String(target.value);
      if (keys.has(text)) at(key as Node, `YAML syntax: Map keys must be unique (${JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)} repeats)`);
      keys.add(text);
      stack.push(pair.value);
    }
  }
  return problems.sort((a, b) => a.line - b.line);
}

/**
 * The largest object Manifold renders, in characters of text (about its JSON
 * size): etcd's default --max-request-bytes is 1.5 MiB, so the API server
 * cannot store a larger object; beyond about 2 MiB in one string, js-yaml's
 * writer runs out of stack. Aliases count as often as they are used.
 */
export const MAX_OBJECT_CHARS = 1.5 * 1024 * 1024;
const TOO_LARGE = `the object is larger than 1.5 MiB, aliases expanded (etcd's default request limit: the API server could not store it)`;

/**
 * The first thing in a document's value that is not JSON: a number that is
 * not finite (`.nan`, `.inf`, `1e309`), a cycle (a recursive alias), or more
 * text than any object can hold (a scalar alias bomb).
 */
export function jsonValueProblem(value: unknown): { path: (string | number)[]; message: string } | undefined {
  let chars = 0;
  const ancestors = new Set<object>();
  const path: (string | number)[] = [];
  const visit = (node: unknown): string | undefined => {
    if (typeof node === 'number') return Number.isFinite(node) ? undefined : `${String(node)} is not a number Kubernetes accepts (not finite)`;
    if (typeof node === 'string') {
      chars += node.length;
      return chars > MAX_OBJECT_CHARS ? TOO_LARGE : undefined;
    }
    if (node === null || typeof node !== 'object') return undefined;
    if (ancestors.has(node)) return 'an alias refers to the node that contains it (a cycle)';
    ancestors.add(node);
    const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, child] of entries) {
      if (typeof key === 'string') chars += key.length;
      path.push(key);
      const problem = visit(child);
      if (problem !== undefined) return problem;
      path.pop();
    }
    ancestors.delete(node);
    return undefined;
  };
  const message = visit(value);
  if (message === TOO_LARGE) return { path: [], message }; // about the whole document, reported at its start
  return message === undefined ? undefined : { path, message };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function lineOfNode(node: Node | null | undefined, lineCounter: LineCounter): number {
  const offset = node?.range?.[0] ?? 0;
  return lineCounter.linePos(offset).line;
}

const pairIndexes = new WeakMap<YAMLMap, Map<unknown, Pair>>();

/** A mapping's pairs by key (the first of each), built once per mapping: a lookup per error, not a scan. */
function pairsByKey(map: YAMLMap): Map<unknown, Pair> {
  let index = pairIndexes.get(map);
  if (index === undefined) {
    index = new Map();
    for (const p of map.items) {
      const key = isScalar(p.key) ? p.key.value : p.key;
      if (!index.has(key)) index.set(key, p);
    }
    pairIndexes.set(map, index);
  }
  return index;
}

/** Walks the document along `path`; for a missing key returns the line of the deepest node found. */
function lineOfPath(doc: Document, path: readonly PropertyKey[], lineCounter: LineCounter): number {
  let node: unknown = doc.contents;
  let line = lineOfNode(doc.contents, lineCounter);
  for (const key of path) {
    if (isMap(node)) {
      const pair = pairsByKey(node).get(key);
      if (pair === undefined) return line;
      if (isScalar(pair.key) || isMap(pair.key) || isSeq(pair.key)) line = lineOfNode(pair.key, lineCounter);
      node = pair.value;
      // A key whose value is a nested block starts on the key's line; keep that.
      continue;
    }
    if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      if (item === undefined) return line;
      node = item;
      line = lineOfNode(item as Node, lineCounter);
      continue;
    }
    return line;
  }
  return line;
}
