/**
 * Comparing desired and live objects without asking the API server. Pure.
 *
 * The no-drift path must cost no request per object (a 5,000-object check in
 * ≤ 2 s, performance-anchors.md §8), so the reconciler first decides locally
 * whether an object *looks* in sync (`looksInSync`): every field of the apply
 * body has the same value live (API-server defaults only add fields), and
 * every field `manifold` owns (its Apply entry in managedFields) is still in
 * the body (otherwise server-side apply would remove it). Only objects that
 * look different are dry-run applied, and the dry-run result is compared with
 * the live object as Flux does (`hasDrifted`, fluxcd/pkg ssa/manager_diff.go):
 * labels, annotations and the body without metadata and status. The local
 * check may say "different" when nothing is (quantities such as `0.5` vs
 * `500m`); the dry-run then settles it. It never says "in sync" when an apply
 * would change something a user can see.
 */
import { parseQuantityExact } from '../model/quantity.ts';
import type { JsonObject, JsonValue } from '../model/types.ts';
import type { DriftEntry } from './types.ts';

export const MASK = '***';

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Go's zero values (recursively for structs), which `omitempty` drops when the server serialises an object. */
function isEmptyValue(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.values(v).every(isEmptyValue);
  return false;
}

export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!(k in b) || !deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Maps whose values are resource quantities, and single quantity fields: the server writes them canonically (`0.5` → `500m`). */
const QUANTITY_MAPS = new Set(['requests', 'limits', 'hard', 'capacity', 'allocatable', 'overhead']);
const QUANTITY_FIELDS = new Set(['sizeLimit']);

function sameQuantity(desired: JsonValue | undefined, live: JsonValue | undefined): boolean {
  if (desired === live) return true;
  if ((typeof desired !== 'string' && typeof desired !== 'number') || typeof live !== 'string') return false;
  try {
    return parseQuantityExact(desired).nano === parseQuantityExact(live).nano;
  } catch {
    return false;
  }
}

/** True when every field of `desired` has the same value in `live` (absent ≈ Go zero value). */
export function isSubset(desired: JsonValue | undefined, live: JsonValue | undefined): boolean {
  if (live === undefined || live === null) return isEmptyValue(desired);
  if (desired === undefined || desired === null) return false;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return desired.length === 0 && isEmptyValue(live);
    for (let i = 0; i < desired.length; i++) if (!isSubset(desired[i], live[i])) return false;
    return true;
  }
  if (isObject(desired)) {
    if (!isObject(live)) return false;
    for (const [k, v] of Object.entries(desired)) {
      if (QUANTITY_FIELDS.has(k) ? !sameQuantity(v, live[k]) : QUANTITY_MAPS.has(k) && isObject(v) ? !quantitiesWithin(v, live[k]) : !isSubset(v, live[k])) return false;
    }
    return true;
  }
  return desired === live;
}

function quantitiesWithin(desired: JsonObject, live: JsonValue | undefined): boolean {
  if (!isObject(live)) return Object.keys(desired).length === 0;
  for (const [k, v] of Object.entries(desired)) if (!sameQuantity(v, live[k])) return false;
  return true;
}

function isSecret(obj: JsonObject): boolean {
  return obj.kind === 'Secret' && obj.apiVersion === 'v1';
}

/** Secrets: `stringData` is written into `data` (base64) by the server and never read back. */
function comparable(desired: JsonObject): JsonObject {
  if (!isSecret(desired) || !isObject(desired.stringData)) return desired;
  const { stringData, ...rest } = desired;
  const data: JsonObject = isObject(rest.data) ? { ...rest.data } : {};
  for (const [k, v] of Object.entries(stringData)) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
  return { ...rest, data };
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  apiVersion: string;
  fieldsV1: JsonObject;
}

/** The managedFields entry of `manager` for `operation` (Apply by default). */
export function managedEntry(live: JsonObject, manager: string, operation = 'Apply'): ManagedFieldsEntry | undefined {
  const meta = isObject(live.metadata) ? live.metadata : {};
  const list = Array.isArray(meta.managedFields) ? meta.managedFields : [];
  for (const e of list) {
    if (!isObject(e) || e.manager !== manager || e.operation !== operation || e.subresource) continue;
    return {
      manager,
      operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      fieldsV1: isObject(e.fieldsV1) ? e.fieldsV1 : {},
    };
  }
  return undefined;
}

/** The element of `list` that a fieldsV1 key (`k:{...}`, `v:...`, `i:N`) names, with its index. */
function listElement(list: JsonValue[], key: string): { index: number; value: JsonValue } | undefined {
  if (key.startsWith('i:')) {
    const index = Number(key.slice(2));
    const value = list[index];
    return value === undefined ? undefined : { index, value };
  }
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(key.slice(2)) as JsonValue;
  } catch {
    return undefined;
  }
  if (key.startsWith('v:')) {
    const index = list.findIndex((v) => deepEqual(v, parsed));
    return index < 0 ? undefined : { index, value: list[index] as JsonValue };
  }
  if (key.startsWith('k:') && isObject(parsed)) {
    const fields = Object.entries(parsed);
    // The server builds the key after defaulting (ports: protocol TCP), so a
    // key field the element leaves out is not a mismatch; one it sets must match.
    const index = list.findIndex((v) => isObject(v) && fields.some(([f]) => v[f] !== undefined) && fields.every(([f, want]) => v[f] === undefined || deepEqual(v[f], want)));
    return index < 0 ? undefined : { index, value: list[index] as JsonValue };
  }
  return undefined;
}

/**
 * True when every field in `fields` (a fieldsV1 set) is present in `value`:
 * otherwise applying `value` would remove a field its manager owns.
 */
export function fieldsWithin(fields: JsonObject, value: JsonValue | undefined): boolean {
  for (const [key, child] of Object.entries(fields)) {
    if (key === '.') continue;
    const sub = isObject(child) ? child : {};
    if (key.startsWith('f:')) {
      if (!isObject(value)) return false;
      const v = value[key.slice(2)];
      if (v === undefined || v === null) return false;
      if (!fieldsWithin(sub, v)) return false;
    } else {
      if (!Array.isArray(value)) return false;
      const el = listElement(value, key);
      if (el === undefined || !fieldsWithin(sub, el.value)) return false;
    }
  }
  return true;
}

/**
 * The local check: can the apply of `desired` be skipped? Needs `manager`'s
 * Apply entry (same apiVersion), every desired field equal live, and every
 * owned field still desired.
 */
export function looksInSync(desired: JsonObject, live: JsonObject, manager: string): boolean {
  const entry = managedEntry(live, manager);
  if (entry === undefined || entry.apiVersion !== desired.apiVersion) return false;
  if (!isSubset(comparable(desired), live)) return false;
  return fieldsWithin(entry.fieldsV1, desired);
}

/** What the comparison looks at: labels, annotations and everything but metadata and status. */
function comparedPart(obj: JsonObject): JsonObject {
  const { metadata, status: _status, ...rest } = obj;
  const meta = isObject(metadata) ? metadata : {};
  const out: JsonObject = { ...rest };
  const m: JsonObject = {};
  if (isObject(meta.labels) && Object.keys(meta.labels).length > 0) m.labels = meta.labels;
  if (isObject(meta.annotations) && Object.keys(meta.annotations).length > 0) m.annotations = meta.annotations;
  out.metadata = m;
  return out;
}

/** Flux `hasDrifted`: would applying change labels, annotations or the body? */
export function hasDrifted(live: JsonObject, dryRun: JsonObject): boolean {
  return !deepEqual(comparedPart(live), comparedPart(dryRun));
}

/** RFC 6901 escaping of one segment. */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function splitPointer(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
}

/** Leaf-level differences between two values as JSON pointers (lists of unequal length are one entry). */
export function diffValues(before: JsonValue | undefined, after: JsonValue | undefined, path = '', out: DriftEntry[] = [], limit = 200): DriftEntry[] {
  if (out.length >= limit || deepEqual(before, after)) return out;
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) diffValues(before[k], after[k], `${path}/${escapePointer(k)}`, out, limit);
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    for (let i = 0; i < before.length; i++) diffValues(before[i], after[i], `${path}/${i}`, out, limit);
    return out;
  }
  out.push({ path, before, after });
  return out;
}

/** Paths whose values are never shown: Secret data and the client-side-apply copy of it. */
function isSecretValuePath(path: string): boolean {
  return (
    path === '/data' ||
    path === '/stringData' ||
    path.startsWith('/data/') ||
    path.startsWith('/stringData/') ||
    path === '/metadata/annotations' ||
    path === '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration'
  );
}

function mask(v: unknown): unknown {
  return v === undefined ? undefined : MASK;
}

/**
 * Drift of `live` against what an apply would make of it (the dry-run
 * result), as JSON pointers with before (live) and after (desired) values.
 * Secret values are masked.
 */
export function driftEntries(live: JsonObject, dryRun: JsonObject): DriftEntry[] {
  const entries = diffValues(comparedPart(live), comparedPart(dryRun));
  if (!isSecret(live) && !isSecret(dryRun)) return entries;
  return entries.map((e) => (isSecretValuePath(e.path) ? { path: e.path, before: mask(e.before), after: mask(e.after) } : e));
}

/**
 * Does `manager` own the field at `pointer` in `live`? Walks its fieldsV1
 * alongside the live object; reaching a leaf of fieldsV1 early means an
 * atomic map or list, owned whole.
 */
export function ownsField(live: JsonObject, manager: string, pointer: string): boolean {
  const entry = managedEntry(live, manager);
  return entry !== undefined && fieldSetHas(entry.fieldsV1, live, pointer);
}

/** Does this fieldsV1 set hold the field at `pointer` of `live`? */
function fieldSetHas(fields: JsonObject, live: JsonObject, pointer: string): boolean {
  let node: JsonObject = fields;
  let value: JsonValue | undefined = live;
  for (const seg of splitPointer(pointer)) {
    const children = Object.keys(node).filter((k) => k !== '.');
    if (children.length === 0) return true;
    if (Array.isArray(value)) {
      const index = Number(seg);
      const element: JsonValue | undefined = value[index];
      let found: string | undefined;
      for (const key of children) {
        const el = listElement(value, key);
        if (el !== undefined && el.index === index) {
          found = key;
          break;
        }
      }
      if (found === undefined) return false;
      node = isObject(node[found]) ? (node[found] as JsonObject) : {};
      value = element;
    } else {
      const child = node[`f:${seg}`];
      if (child === undefined) return false;
      node = isObject(child) ? child : {};
      value = isObject(value) ? value[seg] : undefined;
    }
  }
  return true;
}

/** Does any manager other than `manager` own the field (Apply or Update, main resource)? */
function ownedByAnother(live: JsonObject, manager: string, pointer: string): boolean {
  const list = isObject(live.metadata) && Array.isArray(live.metadata.managedFields) ? live.metadata.managedFields : [];
  return list.some((e) => isObject(e) && e.manager !== manager && !e.subresource && isObject(e.fieldsV1) && fieldSetHas(e.fieldsV1, live, pointer));
}

/**
 * Drift another actor caused: fields that hold a value live which `manager`
 * does not own (an Update or a forced Apply by someone else takes ownership
 * of what it changes). Fields missing live and not owned are read as a change
 * of the desired state (a new field in the tree), not as drift.
 */
export function externalDrift(live: JsonObject, entries: readonly DriftEntry[], manager: string): DriftEntry[] {
  return entries.filter((e) => {
    if (e.before === undefined || ownsField(live, manager, e.path)) return false;
    // A Secret written through stringData: Manifold's ownership is recorded on
    // stringData, never on data, so only another owner of the data key means drift.
    if (isSecret(live) && e.path.startsWith('/data/') && ownsField(live, manager, `/stringData/${e.path.slice('/data/'.length)}`)) {
      return ownedByAnother(live, manager, e.path);
    }
    return true;
  });
}

/** The values of a Secret's data (decoded and encoded) and stringData, for redact(). */
export function secretValues(obj: JsonObject): string[] {
  if (!isSecret(obj)) return [];
  const values: string[] = [];
  if (isObject(obj.data)) {
    for (const v of Object.values(obj.data)) {
      if (typeof v !== 'string') continue;
      values.push(v);
      const decoded = Buffer.from(v, 'base64').toString('utf8');
      if (decoded !== '') values.push(decoded);
    }
  }
  if (isObject(obj.stringData)) {
    for (const v of Object.values(obj.stringData)) {
      if (typeof v !== 'string') continue;
      values.push(v, Buffer.from(v, 'utf8').toString('base64'));
    }
  }
  return values.sort((a, b) => b.length - a.length);
}
