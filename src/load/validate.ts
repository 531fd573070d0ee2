/** Turns zod issues into Manifold problems: `file:line: Kind ns/name: field.path: what is wrong`. */
import type { z } from 'zod';
import type { Problem, ProblemObject } from '../errors/index.ts';
import type { SourceDocument } from './documents.ts';

/** `spec.placement.clusterNames[0]` from a zod path. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** The object named in messages, read leniently from a document that may be invalid. */
export function objectOf(value: unknown): ProblemObject | undefined {
  if (!isRecord(value)) return undefined;
  const kind = typeof value.kind === 'string' ? value.kind : undefined;
  const meta = isRecord(value.metadata) ? value.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : undefined;
  if (kind === undefined || name === undefined) return undefined;
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
  return { kind, name, namespace };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const seg of path) {
    if (Array.isArray(node) && typeof seg === 'number') node = node[seg];
    else if (isRecord(node)) node = node[seg as string];
    else return undefined;
  }
  return node;
}

function describeReceived(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value} ${JSON.stringify(value)}`;
}

function issueMessage(issue: z.core.$ZodIssue, received: unknown): string {
  switch (issue.code) {
    case 'invalid_value':
      return `expected ${issue.values.map((v) => String(v)).join('|')}, got ${describeReceived(received)}`;
    case 'invalid_type':
      return received === undefined ? 'required field is missing' : `expected ${issue.expected}, got ${describeReceived(received)}`;
    case 'unrecognized_keys':
      return `unknown field ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_union':
      return `invalid value ${describeReceived(received)}`;
    default:
      return issue.message;
  }
}

/** One problem per zod issue, each pointing at the line of the offending field. */
export function zodProblems(doc: SourceDocument, error: z.ZodError, code = 'SCHEMA_INVALID'): Problem[] {
  const object = objectOf(doc.value);
  return error.issues.map((issue) => {
    let path = issue.path as PropertyKey[];
    // For unknown keys, point at the key itself.
    if (issue.code === 'unrecognized_keys' && issue.keys.length === 1) path = [...path, issue.keys[0] as string];
    const received = valueAt(doc.value, issue.path as PropertyKey[]);
    return {
      code,
      severity: 'error' as const,
      file: doc.file,
      line: doc.lineOf(path),
      object,
      field: formatFieldPath(path),
      message: issueMessage(issue, received),
    };
  });
}
