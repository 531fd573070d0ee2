/**
 * Just enough of Go's encoding/json decoding to read Federation v1
 * annotations exactly as the controllers did:
 *
 * - object keys match struct fields case-insensitively (Go folds ASCII
 *   letters, and also 'ſ' (U+017F) to 'S' and the Kelvin sign (U+212A) to
 *   'K'); unknown keys are ignored;
 * - `null` leaves a field (or the whole value) at its zero value;
 * - an integer field accepts only an integer literal in range (`1.0` and
 *   `1e2` are type errors), which is why numbers keep their source text.
 *
 * Duplicate keys: the last one wins (JSON.parse collapses them; Go would
 * merge a repeated object into the map it already decoded).
 */

/** A JSON number with its literal text. */
export class GoNumber {
  readonly source: string;
  constructor(source: string) {
    this.source = source;
  }
}

export type GoJson = null | boolean | string | GoNumber | GoJson[] | { [key: string]: GoJson };

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/** JSON.parse keeping every number's literal (V8's JSON.parse source text access). */
export function parseGoJson(text: string): GoJson {
  const reviver: Reviver = (_key, value, context) => (typeof value === 'number' ? new GoNumber(context?.source ?? String(value)) : value);
  return JSON.parse(text, reviver as (this: unknown, key: string, value: unknown) => unknown) as GoJson;
}

export function isGoObject(value: GoJson): value is { [key: string]: GoJson } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof GoNumber);
}

/** The kind of JSON value, as Go names it in UnmarshalTypeError. */
export function goKindOf(value: GoJson): string {
  if (value === null) return 'null';
  if (value instanceof GoNumber) return 'number';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

function foldName(name: string): string {
  let out = '';
  for (const ch of name) {
    if (ch === '\u017f') out += 'S';
    else if (ch === '\u212a') out += 'K';
    else if (ch >= 'a' && ch <= 'z') out += ch.toUpperCase();
    else out += ch;
  }
  return out;
}

/** The struct field a JSON key decodes into, or undefined when Go would ignore the key. */
export function matchField<F extends string>(key: string, fields: readonly F[]): F | undefined {
  const exact = fields.find((f) => f === key);
  if (exact !== undefined) return exact;
  const folded = foldName(key);
  return fields.find((f) => foldName(f) === folded);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(text, 10, 64) as a bigint, or undefined on error. */
export function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/** Decodes an int64 field: a GoNumber whose literal is an integer in range. */
export function decodeInt64(value: GoJson, where: string): bigint {
  if (!(value instanceof GoNumber)) throw new GoDecodeError(`cannot unmarshal ${goKindOf(value)} into Go struct field ${where} of type int64`);
  const parsed = parseInt64(value.source);
  if (parsed === undefined) throw new GoDecodeError(`cannot unmarshal number ${value.source} into Go struct field ${where} of type int64`);
  return parsed;
}

export class GoDecodeError extends Error {
  constructor(message: string) {
    super(`json: ${message}`);
    this.name = 'GoDecodeError';
  }
}
