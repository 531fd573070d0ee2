/** emit: objects → bytes and paths. Pure. */
import { dump } from 'js-yaml';
import type { JsonObject, JsonValue } from '../model/types.ts';

/** Fields the API server owns; never part of a rendered object (Karmada prune.go does the same). */
const SERVER_METADATA = [
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'managedFields',
  'resourceVersion',
  'selfLink',
  'uid',
  'ownerReferences',
  'finalizers',
] as const;

export { objectPath, fitSegment } from '../model/paths.ts';

/** Drops server-owned metadata and status without touching the input. */
export function withoutServerFields(obj: JsonObject): JsonObject {
  const { status: _status, ...rest } = obj;
  const metadata = rest.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return rest;
  const cleaned: JsonObject = { ...metadata };
  for (const key of SERVER_METADATA) delete cleaned[key];
  if (cleaned.annotations && typeof cleaned.annotations === 'object' && !Array.isArray(cleaned.annotations)) {
    const annotations = { ...cleaned.annotations };
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    if (Object.keys(annotations).length === 0) delete cleaned.annotations;
    else cleaned.annotations = annotations;
  }
  return { ...rest, metadata: cleaned };
}

/** apiVersion, kind, metadata first; everything else in source order. */
function canonicalOrder(obj: JsonObject, namespace: string): JsonObject {
  const { apiVersion, kind } = obj;
  let metadata = Object.hasOwn(obj, 'metadata') ? obj.metadata : undefined;
  // The file sits under namespaces/<ns>/, so the object says so too: kubectl
  // must not fall back to its context's namespace.
  if (namespace !== '' && metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) && metadata.namespace !== namespace) {
    const { name, ...others } = metadata;
    metadata = name === undefined ? { namespace, ...others } : { name, namespace, ...others };
  }
  const out: JsonObject = {};
  if (apiVersion !== undefined) out.apiVersion = apiVersion;
  if (kind !== undefined) out.kind = kind;
  if (metadata !== undefined) out.metadata = metadata;
  // As Object.assign would from a copy without those three (a delete there made each copy a slow dictionary object).
  for (const key of Object.keys(obj)) if (key !== 'apiVersion' && key !== 'kind' && key !== 'metadata') out[key] = obj[key] as JsonValue;
  return out;
}

const DUMP_OPTIONS = { noRefs: true, lineWidth: -1, sortKeys: false } as const;

/**
 * Serializes one object as YAML. `noRefs` matters twice: variants share
 * sub-objects (copy-on-write patches), and js-yaml's duplicate-reference scan
 * is quadratic without it.
 */
export function toYaml(obj: JsonObject, namespace = '', shared?: SharedSubtrees): string {
  return dumpYaml(canonicalOrder(withoutServerFields(obj), namespace), shared);
}

/** js-yaml's `dump(doc, { noRefs: true, lineWidth: -1 })`, byte for byte, faster on repeated scalars. */
export function dumpYaml(doc: JsonObject, shared?: SharedSubtrees): string {
  return blockYaml(doc, shared) ?? dump(doc, DUMP_OPTIONS);
}

/**
 * The text of subtrees already written, by object identity, for the
 * variants of one template: they are copies of the template made by
 * copy-on-write (overrides replace only the containers along the paths they
 * edit), so most of a variant is the very same objects as the one before,
 * and written at the same depth. Valid only while those objects are not
 * changed in place, which is why it lives for one template's variants
 * (render.ts) and is never kept across renders. About a seventh of a
 * per-cluster fleet's render time (issue 19).
 */
export type SharedSubtrees = WeakMap<object, { level: number; compact: boolean; text: string; generation: number }>;

// ---------------------------------------------------------------------------
// Block layout without js-yaml's AST, scalars still styled by js-yaml
// ---------------------------------------------------------------------------

/*
 * A fleet render dumps thousands of objects made of the same few scalars
 * (keys, names, images). js-yaml builds an AST and styles every scalar anew
 * per document; here only the block layout is written (js-yaml's presenter
 * rules for block mappings and sequences, indent 2, which is all its output
 * uses for plain objects and arrays) and each distinct scalar is styled once,
 * by js-yaml itself, then remembered. A single-line scalar below the root
 * renders the same at every depth and position (its style rules look at the
 * depth only for block scalars and the document's first line), so one dump
 * per batch of new scalars decides them all. Whatever this does not cover
 * (multi-line strings, long keys, -0, anything but plain objects, arrays,
 * strings, numbers, booleans and null) goes to js-yaml whole.
 */

type Scalar = string | number | boolean | null;

/** Scalar → its text as a mapping value or sequence item; key → its text as a mapping key. */
const valueTexts = new Map<Scalar, string>();
const keyTexts = new Map<string, string>();
/** Distinct scalars remembered before starting over (a long-running process renders many repositories). */
const MAX_REMEMBERED = 200_000;
/** Longest key handled here: even escaped it stays below the 1,024 characters that make js-yaml write `? key`. */
const MAX_KEY = 170;

const NOT_COVERED = Symbol('not covered');

/** Counts the times the styled scalars were forgotten: a subtree written before then may hold scalars no longer known. */
let generation = 0;

/** The scalars and keys a document holds that are not styled yet: reused from document to document (one pair of Sets per document was garbage a million times over). */
const newValues = new Set<Scalar>();
const newKeys = new Set<string>();

/** YAML for a plain object, or undefined when js-yaml must write it. */
function blockYaml(doc: JsonObject, shared: SharedSubtrees | undefined): string | undefined {
  // Forget before collecting: what the document finds known must stay known until it is written.
  if (valueTexts.size > MAX_REMEMBERED || keyTexts.size > MAX_REMEMBERED) {
    valueTexts.clear();
    keyTexts.clear();
    generation++;
  }
  newValues.clear();
  newKeys.clear();
  if (collectScalars(doc, newValues, newKeys, shared) === NOT_COVERED) return undefined;
  learnScalars(newValues, newKeys);
  return `${writeValue(doc, 0, true, shared)}\n`;
}

/** Finds the scalars not styled yet; NOT_COVERED when the document needs js-yaml. */
function collectScalars(node: unknown, values: Set<Scalar>, keys: Set<string>, shared?: SharedSubtrees): typeof NOT_COVERED | undefined {
  // A subtree written since the scalars were last forgotten needs none styled: they are all known.
  if (shared !== undefined && typeof node === 'object' && node !== null && shared.get(node)?.generation === generation) return undefined;
  if (Array.isArray(node)) {
    for (const item of node as unknown[]) if (collectScalars(item === undefined ? null : item, values, keys, shared) === NOT_COVERED) return NOT_COVERED;
    return undefined;
  }
  if (isPlainObject(node)) {
    for (const key of Object.keys(node)) {
      const value = node[key];
      if (value === undefined) continue; // js-yaml skips the pair
      if (key.length > MAX_KEY || key.includes('\n')) return NOT_COVERED;
      if (!keyTexts.has(key)) keys.add(key);
      if (collectScalars(value, values, keys, shared) === NOT_COVERED) return NOT_COVERED;
    }
    return undefined;
  }
  if (!isCoveredScalar(node)) return NOT_COVERED;
  if (!valueTexts.has(node)) values.add(node);
  return undefined;
}

function isCoveredScalar(node: unknown): node is Scalar {
  if (node === null || typeof node === 'boolean') return true;
  if (typeof node === 'string') return !node.includes('\n');
  // -0 and 0 are one Map key but different YAML.
  return typeof node === 'number' && !Object.is(node, -0);
}

function isPlainObject(node: unknown): node is Record<string, unknown> {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return false;
  const prototype = Object.getPrototypeOf(node) as unknown;
  return prototype === null || prototype === Object.prototype;
}

/**
 * Styles new scalars with js-yaml in one dump: values as items of a sequence
 * (`- text`), then keys as one-pair mappings (`- text: 0`). Single-line
 * scalars and short keys give exactly one line each.
 */
function learnScalars(values: Set<Scalar>, keys: Set<string>): void {
  if (values.size + keys.size === 0) return;
  const valueList = [...values];
  const keyList = [...keys];
  const lines = dump([...valueList, ...keyList.map((k) => ({ [k]: 0 }))], DUMP_OPTIONS).split('\n');
  valueList.forEach((v, i) => valueTexts.set(v, itemText(lines[i] as string)));
  keyList.forEach((k, i) => keyTexts.set(k, (lines[valueList.length + i] as string).slice(2, -3)));
}

/** `- text` → text; `-` alone (an empty rendering) → ''. */
function itemText(line: string): string {
  return line.startsWith('- ') ? line.slice(2) : line.slice(1);
}

const NEWLINE_INDENT: string[] = [];

function newlineIndent(level: number): string {
  return (NEWLINE_INDENT[level] ??= `\n${'  '.repeat(level)}`);
}

/** js-yaml writeNode in block context for a covered node at `level`. */
function writeValue(node: unknown, level: number, compact: boolean, shared?: SharedSubtrees): string {
  if (typeof node !== 'object' || node === null) return valueTexts.get(node as Scalar) as string;
  const known = shared?.get(node);
  if (known !== undefined && known.level === level && known.compact === compact) return known.text;
  // Only arrays and plain objects get here (collectScalars sends anything else to js-yaml).
  const text = Array.isArray(node) ? (node.length === 0 ? '[]' : writeSequence(node as unknown[], level, compact, shared)) : writeMapping(node as Record<string, unknown>, level, compact, shared);
  shared?.set(node, { level, compact, text, generation });
  return text;
}

/** writeBlockMapping; an object without (defined) pairs is the flow `{}`. */
function writeMapping(node: Record<string, unknown>, level: number, compact: boolean, shared?: SharedSubtrees): string {
  let out = '';
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (value === undefined) continue;
    if (!compact || out !== '') out += newlineIndent(level);
    const text = writeValue(value, level + 1, false, shared);
    out += keyTexts.get(key) as string;
    out += text === '' || text.charCodeAt(0) === 10 ? ':' : ': ';
    out += text;
  }
  return out === '' ? '{}' : out;
}

/** writeBlockSequence: items one level deeper, a mapping item starting on the dash's line. */
function writeSequence(node: unknown[], level: number, compact: boolean, shared?: SharedSubtrees): string {
  let out = '';
  for (const item of node) {
    const text = writeValue(item === undefined ? null : item, level + 1, true, shared);
    if (!compact || out !== '') out += newlineIndent(level);
    out += text === '' || text.charCodeAt(0) === 10 ? '-' : '- ';
    out += text;
  }
  return out;
}
