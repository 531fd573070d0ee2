/**
 * RFC 6902 JSON patch over plain JSON values, reproducing the two flavours of
 * evanphx/json-patch that the dialects depend on (reference §1.8, §2.5):
 *
 * - `strict`  = `github.com/evanphx/json-patch/v5` with default ApplyOptions
 *   (Karmada `pkg/util/overridemanager`): `replace`/`remove` of a missing
 *   member fails, `add` under a missing parent fails, `copy` from a missing
 *   member fails, `add`/`replace` without a value fail (DecodePatch).
 * - `lenient` = the v4 root package (KubeFed `pkg/controller/util/overrides.go`,
 *   KubeAdmiral sync): its `partialDoc.get` never reports a missing key, so
 *   `replace` of a missing object member whose parent exists adds it and
 *   `copy` from a missing member copies `null`; the empty path only works for
 *   `replace` and `test`.
 *
 * Shared by both (patch.go `findObject`, `partialArray`): every intermediate
 * token must name an existing object or array (a `null` member counts as
 * missing); array indices go through Go's strconv.Atoi, so `+1` and `01` are
 * accepted and negative indices count from the end (`add` at `-1` appends);
 * `-` appends for `add` only; `test` treats a missing member like `null`.
 *
 * Manifold decisions: a non-empty pointer that does not start with `/` is
 * rejected (upstream silently drops its first token, so `spec/replicas` would
 * patch `/replicas`). v5's self-reference quirks for empty tokens (an empty
 * intermediate token yields a detached copy of the root, `copy` from `""`
 * copies the document as it was before the patch) are not reproduced: an
 * empty intermediate token is a missing path and `copy` from `""` copies the
 * current document. Numbers compare by value (Go compares their literal text).
 *
 * The input is never mutated. Containers on a patched path are copied once
 * per call and then edited in place (copy-on-write), so patching a large
 * object for many clusters costs the depth of the touched paths, not the size
 * of the document.
 */
import { ManifoldError } from '../errors/index.ts';
import type { JsonObject, JsonValue } from '../model/types.ts';

export type PatchMode = 'strict' | 'lenient';

/** One RFC 6902 operation. `value` may be omitted: see the module comment for what that means per mode. */
export type PatchOp =
  | { op: 'add'; path: string; value?: JsonValue }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value?: JsonValue }
  | { op: 'move'; from: string; path: string }
  | { op: 'copy'; from: string; path: string }
  | { op: 'test'; path: string; value?: JsonValue };

export interface PatchErrorData {
  opIndex: number;
  op: string;
  path: string;
  reason: string;
}

/** A patch operation could not be applied; the whole patch is discarded. */
export class PatchError extends ManifoldError {
  readonly opIndex: number;
  readonly op: string;
  readonly path: string;
  readonly reason: string;
  constructor(data: PatchErrorData) {
    super('PATCH_FAILED', `${data.op} ${data.path === '' ? '""' : data.path}: ${data.reason}`, { ...data });
    this.opIndex = data.opIndex;
    this.op = data.op;
    this.path = data.path;
    this.reason = data.reason;
  }
}

/** Applies `ops` in order and returns the patched document; throws PatchError on the first failing op. */
export function applyPatch(doc: JsonValue, ops: readonly PatchOp[], mode: PatchMode): JsonValue {
  const patcher = new Patcher(mode);
  let current = doc;
  ops.forEach((op, opIndex) => {
    try {
      current = patcher.apply(current, op);
    } catch (err) {
      if (err instanceof OpFailure) {
        const raw = op as { op?: unknown; path?: unknown };
        throw new PatchError({
          opIndex,
          op: typeof raw.op === 'string' ? raw.op : String(raw.op),
          path: typeof raw.path === 'string' ? raw.path : String(raw.path),
          reason: err.message,
        });
      }
      throw err;
    }
  });
  return current;
}

/** Pointers decoded so far: a fleet applies the same few override paths to every cluster's copy. Never changed by callers. */
const decodedPointers = new Map<string, string[]>();
const MAX_DECODED_POINTERS = 10_000;

/** Decodes an RFC 6901 pointer into tokens (read-only); `null` for the whole document. */
function parsePointer(pointer: string): string[] | null {
  if (pointer === '') return null;
  let tokens = decodedPointers.get(pointer);
  if (tokens !== undefined) return tokens;
  if (!pointer.startsWith('/')) throw new OpFailure('a JSON pointer must be empty or start with "/"');
  tokens = pointer.slice(1).split('/').map(unescapeToken);
  if (decodedPointers.size >= MAX_DECODED_POINTERS) decodedPointers.clear();
  decodedPointers.set(pointer, tokens);
  return tokens;
}

/** `~1` → `/`, `~0` → `~`, left to right (Go strings.NewReplacer in patch.go decodePatchKey). */
export function unescapeToken(token: string): string {
  return token.includes('~') ? token.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~')) : token;
}

/** `/` → `~1`, `~` → `~0`. */
export function escapeToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Structural JSON equality (object member order does not matter). */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i] as JsonValue));
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k] as JsonValue, b[k] as JsonValue));
}

/** Internal failure of one op; applyPatch turns it into a PatchError with the op's position. */
class OpFailure extends Error {}

type Container = JsonObject | JsonValue[];

/** Where a token resolved inside its parent container. */
interface Step {
  container: Container;
  /** Object key, or array index after resolving negatives. */
  key: string | number;
}

function isContainer(v: JsonValue | undefined): v is Container {
  return typeof v === 'object' && v !== null;
}

function setMember(obj: JsonObject, key: string, value: JsonValue): void {
  // Plain assignment of `__proto__` would change the prototype instead of adding a member.
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Go strconv.Atoi syntax: optional sign, decimal digits (leading zeros allowed). */
function parseIndex(token: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(token)) return undefined;
  const n = Number(token);
  return Number.isSafeInteger(n) ? n + 0 : undefined; // `+ 0` turns -0 into 0
}

class Patcher {
  private readonly mode: PatchMode;
  /**
   * Containers created by this call: safe to edit in place. A Set, not a
   * WeakSet: it lives for one patch (a WeakSet per patch, a million patches
   * in a large fleet's render, was a visible share of its garbage collection).
   */
  private readonly owned = new Set<object>();

  constructor(mode: PatchMode) {
    this.mode = mode;
  }

  apply(doc: JsonValue, op: PatchOp): JsonValue {
    if (!isContainer(doc)) throw new OpFailure('the document is not an object or array');
    const raw = op as { op?: unknown; path?: unknown; from?: unknown };
    if (typeof raw.path !== 'string') throw new OpFailure('the operation has no path');
    switch (op.op) {
      case 'add':
        return this.add(doc, op.path, this.valueOf(op));
      case 'remove':
        return this.remove(doc, op.path);
      case 'replace':
        return this.replace(doc, op.path, this.valueOf(op));
      case 'move':
        return this.move(doc, fromOf(raw), op.path);
      case 'copy':
        return this.copy(doc, fromOf(raw), op.path);
      case 'test':
        this.test(doc, op.path, op.value ?? null);
        return doc;
      default:
        throw new OpFailure(`unsupported operation ${JSON.stringify(raw.op)}`);
    }
  }

  /** v5 DecodePatch rejects add/replace without a value; v4 stores `null`. */
  private valueOf(op: { value?: JsonValue }): JsonValue {
    if (op.value !== undefined) return op.value;
    if (this.mode === 'strict') throw new OpFailure('the operation has no value');
    return null;
  }

  private add(doc: Container, path: string, value: JsonValue): JsonValue {
    const tokens = parsePointer(path);
    if (tokens === null) {
      // v5 replaces the whole document; v4's findObject has no container for "".
      if (this.mode === 'lenient') throw new OpFailure('parent path does not exist');
      return rootValue(value);
    }
    return this.edit(doc, tokens, (parent, key) => insertInto(parent, key, value));
  }

  private remove(doc: Container, path: string): JsonValue {
    const tokens = parsePointer(path);
    if (tokens === null) {
      // v5 looks up key "" in the root; v4 finds no container.
      if (this.mode === 'lenient') throw new OpFailure('parent path does not exist');
      return this.edit(doc, [''], (parent, key) => removeFrom(parent, key));
    }
    return this.edit(doc, tokens, (parent, key) => removeFrom(parent, key));
  }

  private replace(doc: Container, path: string, value: JsonValue): JsonValue {
    const tokens = parsePointer(path);
    if (tokens === null) return rootValue(value);
    return this.edit(doc, tokens, (parent, key) => {
      if (Array.isArray(parent)) {
        parent[existingIndex(parent, key)] = value;
        return;
      }
      // v4 get() never fails on objects; v5 get("") returns the container itself.
      if (!Object.hasOwn(parent, key) && this.mode === 'strict' && key !== '') {
        throw new OpFailure('path does not exist');
      }
      setMember(parent, key, value);
    });
  }

  private move(doc: Container, from: string, path: string): JsonValue {
    const fromTokens = parsePointer(from);
    if (fromTokens === null) throw new OpFailure('the whole document cannot be moved');
    const value = this.read(doc, fromTokens, `from ${from}`, 'move');
    const removed = this.edit(doc, fromTokens, (parent, key) => removeFrom(parent, key), `from ${from}`);
    return this.add(removed as Container, path, value);
  }

  private copy(doc: Container, from: string, path: string): JsonValue {
    const fromTokens = parsePointer(from);
    let value: JsonValue;
    if (fromTokens === null) {
      if (this.mode === 'lenient') throw new OpFailure(`from "": parent path does not exist`);
      value = doc;
    } else {
      value = this.read(doc, fromTokens, `from ${from}`, 'copy');
    }
    // The value becomes reachable twice (or the root inside itself): from now on nothing
    // created so far may be edited in place.
    this.owned.clear();
    return this.add(doc, path, value);
  }

  private test(doc: Container, path: string, expected: JsonValue): void {
    const tokens = parsePointer(path);
    const actual = tokens === null ? doc : this.read(doc, tokens, '', 'test');
    // patch.go test(): a missing member and null are the same thing.
    const ok = actual === null ? expected === null : expected !== null && jsonEqual(actual, expected);
    if (!ok) throw new OpFailure('test failed: the value differs');
  }

  /** The value at `tokens` for move/copy/test, with each version's missing-member rules. */
  private read(doc: Container, tokens: string[], label: string, purpose: 'move' | 'copy' | 'test'): JsonValue {
    const prefix = label === '' ? '' : `${label}: `;
    const steps = this.walk(doc, tokens.slice(0, -1));
    if (steps === undefined) throw new OpFailure(`${prefix}parent path does not exist`);
    const parent = steps.parent;
    const key = tokens[tokens.length - 1] as string;
    if (Array.isArray(parent)) {
      try {
        return parent[existingIndex(parent, key)] as JsonValue;
      } catch (err) {
        if (err instanceof OpFailure) throw new OpFailure(`${prefix}${err.message}`);
        throw err;
      }
    }
    if (Object.hasOwn(parent, key)) return parent[key] as JsonValue;
    // v4 partialDoc.get returns nil without error: copy copies null, move then fails in remove.
    if (purpose === 'test' || (purpose === 'copy' && this.mode === 'lenient')) return null;
    throw new OpFailure(`${prefix}path does not exist`);
  }

  /**
   * Walks to the parent of the last token, lets `change` edit a writable copy
   * of it, then links the copied containers up to a new root.
   */
  private edit(doc: Container, tokens: string[], change: (parent: Container, key: string) => void, label = ''): JsonValue {
    const prefix = label === '' ? '' : `${label}: `;
    const found = this.walk(doc, tokens.slice(0, -1));
    if (found === undefined) throw new OpFailure(`${prefix}parent path does not exist`);
    const key = tokens[tokens.length - 1] as string;
    let child: Container = this.writable(found.parent);
    try {
      change(child, key);
    } catch (err) {
      if (err instanceof OpFailure && prefix !== '') throw new OpFailure(`${prefix}${err.message}`);
      throw err;
    }
    for (let i = found.steps.length - 1; i >= 0; i--) {
      const step = found.steps[i] as Step;
      const container = this.writable(step.container);
      if (Array.isArray(container)) container[step.key as number] = child;
      else setMember(container, step.key as string, child);
      child = container;
    }
    return child;
  }

  /** Follows intermediate tokens (patch.go findObject). Undefined when any of them is missing. */
  private walk(doc: Container, tokens: string[]): { steps: Step[]; parent: Container } | undefined {
    const steps: Step[] = [];
    let current: Container = doc;
    for (const token of tokens) {
      let key: string | number;
      let next: JsonValue | undefined;
      if (Array.isArray(current)) {
        const index = parseIndex(token);
        if (index === undefined) return undefined;
        const resolved = index < 0 ? index + current.length : index;
        if (resolved < 0 || resolved >= current.length) return undefined;
        key = resolved;
        next = current[resolved];
      } else {
        // v5 resolves an empty intermediate token to a detached copy of the root: treat as missing.
        if (token === '' && this.mode === 'strict') return undefined;
        if (!Object.hasOwn(current, token)) return undefined;
        key = token;
        next = current[token];
      }
      if (!isContainer(next)) return undefined;
      steps.push({ container: current, key });
      current = next;
    }
    return { steps, parent: current };
  }

  /** The container itself if this call created it, otherwise a shallow copy that this call now owns. */
  private writable<T extends Container>(container: T): T {
    if (this.owned.has(container)) return container;
    const copy = (Array.isArray(container) ? container.slice() : { ...container }) as T;
    this.owned.add(copy);
    return copy;
  }
}

function fromOf(op: { from?: unknown }): string {
  if (typeof op.from !== 'string') throw new OpFailure('the operation has no from');
  return op.from;
}

/** The new document for add/replace of "": patch.go accepts only an object or array. */
function rootValue(value: JsonValue): JsonValue {
  if (!isContainer(value)) throw new OpFailure('the document root must be replaced by an object or array');
  return value;
}

/** partialArray.add / partialDoc.add. */
function insertInto(parent: Container, key: string, value: JsonValue): void {
  if (!Array.isArray(parent)) {
    setMember(parent, key, value);
    return;
  }
  if (key === '-') {
    parent.push(value);
    return;
  }
  const index = parseIndex(key);
  if (index === undefined) throw new OpFailure(`invalid array index "${key}"`);
  const size = parent.length + 1;
  if (index >= size || index < -size) throw new OpFailure(`array index ${index} out of range (length ${parent.length})`);
  parent.splice(index < 0 ? index + size : index, 0, value);
}

/** partialArray.remove / partialDoc.remove. */
function removeFrom(parent: Container, key: string): void {
  if (!Array.isArray(parent)) {
    if (!Object.hasOwn(parent, key)) throw new OpFailure('path does not exist');
    delete parent[key];
    return;
  }
  parent.splice(existingIndex(parent, key), 1);
}

/** partialArray.get: an existing element, negative indices from the end. */
function existingIndex(parent: JsonValue[], key: string): number {
  const index = parseIndex(key);
  if (index === undefined) throw new OpFailure(`invalid array index "${key}"`);
  const resolved = index < 0 ? index + parent.length : index;
  if (resolved < 0 || resolved >= parent.length) {
    throw new OpFailure(`path does not exist (array index ${index}, length ${parent.length})`);
  }
  return resolved;
}
