/**
 * YAML/JSON documents with source positions. Uses the `yaml` package because
 * it keeps the position of every node, so an error can name the line of the
 * exact field; js-yaml (used for output) exposes no per-node positions.
 */
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
