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
 */
import { CORE_SCHEMA, constructFromEvents, parseEvents, type Event } from 'js-yaml';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { Problem } from '../errors/index.ts';
import type { SourceFile } from './source.ts';

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
  let line = 1;
  let counted = 0;
  roots.forEach((start, index) => {
    for (let nl = text.indexOf('\n', counted); nl !== -1 && nl < start; nl = text.indexOf('\n', nl + 1)) line++;
    counted = start;
    const docLine = line;
    documents.push({
      file: file.path,
      index,
      line: docLine,
      value: values[index],
      lineOf: (path) => {
        const { docs, lineCounter } = positions();
        const doc = docs.find((d) => d.contents?.range?.[0] === start) ?? docs[index];
        return doc === undefined ? docLine : lineOfPath(doc, path, lineCounter);
      },
    });
  });
  return { documents, problems: [] };
}

/** The `yaml` package's view of a file, parsed on first use. */
function lazyPositions(text: string): () => { docs: Document[]; lineCounter: LineCounter } {
  let parsed: { docs: Document[]; lineCounter: LineCounter } | undefined;
  return () => {
    if (parsed === undefined) {
      const lineCounter = new LineCounter();
      const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
      parsed = { docs: Array.isArray(docs) ? docs : [], lineCounter };
    }
    return parsed;
  };
}

/** The `yaml` package, node positions kept for every document. */
export function parseFileWithPositions(file: SourceFile): ParsedFiles {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(file.text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const problems: Problem[] = [];
  const documents: SourceDocument[] = [];
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    // An EmptyStream: a file with only comments or nothing at all.
    return { documents, problems };
  }
  list.forEach((doc, index) => {
    const errors = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'DUPLICATE_KEY')];
    if (errors.length > 0) {
      for (const err of errors) {
        const line = lineCounter.linePos(err.pos[0]).line;
        problems.push({ code: 'YAML_SYNTAX', severity: 'error', file: file.path, line, message: `YAML syntax: ${firstLine(err.message)}` });
      }
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

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function lineOfNode(node: Node | null | undefined, lineCounter: LineCounter): number {
  const offset = node?.range?.[0] ?? 0;
  return lineCounter.linePos(offset).line;
}

/** Walks the document along `path`; for a missing key returns the line of the deepest node found. */
function lineOfPath(doc: Document, path: readonly PropertyKey[], lineCounter: LineCounter): number {
  let node: unknown = doc.contents;
  let line = lineOfNode(doc.contents, lineCounter);
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
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
