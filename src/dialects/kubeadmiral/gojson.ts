/**
 * The part of Go's encoding/json that the scheduling annotations go through
 * (pkg/controllers/scheduler/schedulingunit.go unmarshals them into typed Go
 * values): object keys match struct fields case-insensitively (a later key
 * wins), unknown keys are ignored, `null` leaves the zero value, and a value
 * of the wrong type is an error that makes the scheduler ignore the whole
 * annotation.
 */

export class GoDecodeError extends Error {}

export type GoObject = Record<string, unknown>;

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new GoDecodeError(`invalid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** A JSON object decoded into a struct, or undefined for `null`. */
export function asStruct(value: unknown, what: string): GoObject | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new GoDecodeError(`${what}: expected an object`);
  return value as GoObject;
}

/** A struct field by its JSON name, matched case-insensitively; the last matching key wins. */
export function field(obj: GoObject | undefined, name: string): unknown {
  if (obj === undefined) return undefined;
  const lower = name.toLowerCase();
  let found: unknown;
  for (const [key, value] of Object.entries(obj)) if (key.toLowerCase() === lower) found = value;
  return found;
}

export function asList(value: unknown, what: string): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new GoDecodeError(`${what}: expected a list`);
  return value;
}

export function asString(value: unknown, what: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') throw new GoDecodeError(`${what}: expected a string`);
  return value;
}

/** An integer field (int32/int64): a JSON number without a fraction; undefined for null or absent. */
export function asInteger(value: unknown, what: string): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new GoDecodeError(`${what}: expected an integer`);
  return value;
}

/** map[string]string; undefined for `null`. */
export function asStringMap(value: unknown, what: string): Record<string, string> | undefined {
  const obj = asStruct(value, what);
  if (obj === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(obj)) out[key] = asString(item, `${what}.${key}`);
  return out;
}

/** strconv.Atoi on a 64-bit platform. */
export function atoi(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  if (value < -(2n ** 63n) || value > 2n ** 63n - 1n) return undefined;
  return Number(value);
}
