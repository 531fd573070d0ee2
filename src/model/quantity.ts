/**
 * Kubernetes resource quantities (`500m`, `2.5`, `1Gi`, `100M`, `1e3`) as exact
 * integers, following k8s.io/apimachinery/pkg/api/resource/quantity.go:
 * parseQuantityString, ParseQuantity (values are rounded away from zero to
 * nano precision, BinarySI is capped at 2^63-1), Value() and MilliValue()
 * (rounded up, away from zero). Never goes through floating point.
 */
import { ManifoldError } from '../errors/index.ts';

/** How a quantity was written; only BinarySI changes parsing (its cap). */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface ParsedQuantity {
  /** The exact value times 10^9 (k8s keeps nine decimal places). */
  nano: bigint;
  format: QuantityFormat;
}

const NANO_PER_UNIT = 1_000_000_000n;
const NANO_PER_MILLI = 1_000_000n;
/** quantity.go maxAllowed: BinarySI amounts above 2^63-1 are capped. */
const MAX_BINARY_NANO = (2n ** 63n - 1n) * NANO_PER_UNIT;
/** Beyond this a decimal exponent is nonsense for a resource amount; k8s would build a giant number. */
const MAX_EXPONENT = 1000;

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_LETTERS = 'eEinumkKMGTP';

/** Parses a quantity into its exact nano value. Throws ManifoldError `INVALID_QUANTITY`. */
export function parseQuantityExact(input: string | number): ParsedQuantity {
  const text = quantityText(input);
  if (text === '') throw invalid(input, 'must not be empty');
  const scanned = scanQuantity(text, input);
  const suffix = interpretSuffix(scanned.suffix);
  if (suffix === undefined) throw invalid(input, `unknown suffix "${scanned.suffix}"`);
  const digits = BigInt(scanned.num + scanned.denom);
  let nano: bigint;
  if (suffix.base === 2) {
    // num.denom × 2^exponent: exact, since 2^exponent is an integer.
    nano = scaleByPowerOfTen(digits << BigInt(suffix.exponent), 9 - scanned.denom.length);
    if (nano > MAX_BINARY_NANO) nano = MAX_BINARY_NANO;
  } else {
    nano = scaleByPowerOfTen(digits, 9 + suffix.exponent - scanned.denom.length);
  }
  return { nano: scanned.positive ? nano : -nano, format: suffix.format };
}

/** MilliValue(): the quantity in thousandths, rounded up (away from zero). Throws on invalid input. */
export function parseQuantity(input: string | number): bigint {
  return nanoToMilli(parseQuantityExact(input).nano);
}

/** Alias of parseQuantity, named after the unit it returns. */
export const toMilli = parseQuantity;

/** Value(): the quantity in whole units, rounded up (away from zero), e.g. `500m` → 1, `1Gi` → 1073741824. */
export function quantityValue(input: string | number): bigint {
  return nanoToWhole(parseQuantityExact(input).nano);
}

/** Whole units of an exact nano amount, rounded away from zero like Quantity.Value(). */
export function nanoToWhole(nano: bigint): bigint {
  return divideAwayFromZero(nano, NANO_PER_UNIT);
}

/** Thousandths of an exact nano amount, rounded away from zero like Quantity.MilliValue(). */
export function nanoToMilli(nano: bigint): bigint {
  return divideAwayFromZero(nano, NANO_PER_MILLI);
}

/** True when `input` parses as a Kubernetes quantity. */
export function isQuantity(input: string | number): boolean {
  try {
    parseQuantityExact(input);
    return true;
  } catch {
    return false;
  }
}

function quantityText(input: string | number): string {
  if (typeof input === 'string') return input;
  // A JSON number reaches Quantity.UnmarshalJSON as its literal text; JS's
  // shortest round-trip form (`0.1`, `1e+21`) is valid quantity syntax.
  if (!Number.isFinite(input)) throw invalid(input, 'must be a finite number');
  return String(input);
}

interface ScannedQuantity {
  positive: boolean;
  /** Integer digits without leading zeros; "0" when there are none. */
  num: string;
  /** Fraction digits, possibly empty. */
  denom: string;
  suffix: string;
}

/** parseQuantityString, including its leniencies (`.5`, `1.`, a bare `-` meaning 0). */
function scanQuantity(text: string, input: string | number): ScannedQuantity {
  let pos = 0;
  let positive = true;
  if (text[0] === '-' || text[0] === '+') {
    positive = text[0] === '+';
    pos = 1;
  }
  while (pos < text.length && text[pos] === '0') pos++;
  if (pos >= text.length) return { positive, num: '0', denom: '', suffix: '' };
  const numStart = pos;
  while (pos < text.length && isDigit(text[pos])) pos++;
  const num = text.slice(numStart, pos) || '0';
  let denom = '';
  if (text[pos] === '.') {
    const denomStart = ++pos;
    while (pos < text.length && isDigit(text[pos])) pos++;
    denom = text.slice(denomStart, pos);
  }
  const suffixStart = pos;
  while (pos < text.length && SUFFIX_LETTERS.includes(text[pos] as string)) pos++;
  if (text[pos] === '-' || text[pos] === '+') pos++;
  while (pos < text.length && isDigit(text[pos])) pos++;
  if (pos < text.length) throw invalid(input, 'must look like <number><suffix>, e.g. 500m, 2, 1.5Gi, 1e3');
  return { positive, num, denom, suffix: text.slice(suffixStart) };
}

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

/** quantitySuffixer.interpret: decimal SI, binary SI, then `e<int>` / `E<int>`. */
function interpretSuffix(suffix: string): Suffix | undefined {
  const decimal = DECIMAL_SUFFIXES[suffix];
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: 'DecimalSI' };
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined) return { base: 2, exponent: binary, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  return undefined;
}

/** value × 10^power, rounding away from zero when power is negative (inf.RoundUp). */
function scaleByPowerOfTen(value: bigint, power: number): bigint {
  if (power >= 0) return value * 10n ** BigInt(power);
  return divideAwayFromZero(value, 10n ** BigInt(-power));
}

function divideAwayFromZero(value: bigint, divisor: bigint): bigint {
  const quotient = value / divisor;
  if (value % divisor === 0n) return quotient;
  return value < 0n ? quotient - 1n : quotient + 1n;
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function invalid(input: string | number, why: string): ManifoldError {
  return new ManifoldError('INVALID_QUANTITY', `invalid quantity ${JSON.stringify(input)}: ${why}`, { input });
}

const DECIMAL_SUFFIX_BY_EXPONENT: Readonly<Record<number, string>> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIX_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;

/**
 * An exact nano amount written as Kubernetes writes it (Quantity.String(),
 * k8s.io/apimachinery/pkg/api/resource/quantity.go CanonicalizeBytes):
 * BinarySI only for whole amounts of at least 1024 (`1Gi`, `1536Mi`),
 * otherwise decimal with the largest SI suffix whose exponent is a multiple
 * of three that keeps the mantissa whole (`1500m`, `2`, `100M`, `1k`).
 */
export function formatQuantity(nano: bigint, format: QuantityFormat): string {
  if (nano === 0n) return '0';
  let useFormat = format;
  if (format === 'BinarySI' && (absolute(nano) < 1024n * NANO_PER_UNIT || nano % NANO_PER_UNIT !== 0n)) useFormat = 'DecimalSI';
  if (useFormat === 'BinarySI') {
    let amount = nano / NANO_PER_UNIT;
    let power = 0;
    while (power < BINARY_SUFFIX_BY_POWER.length - 1 && amount % 1024n === 0n) {
      amount /= 1024n;
      power++;
    }
    return `${amount}${BINARY_SUFFIX_BY_POWER[power]}`;
  }
  // int64Amount.AsCanonicalBytes: strip factors of ten, then bring the exponent down to a multiple of three.
  let mantissa = nano;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  const over = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(over);
  exponent -= over;
  if (useFormat === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  // Beyond E the suffixer has no letter: stay at E with a larger mantissa, as quantity.go does for DecimalSI.
  while (exponent > 18) {
    mantissa *= 1000n;
    exponent -= 3;
  }
  return `${mantissa}${DECIMAL_SUFFIX_BY_EXPONENT[exponent]}`;
}

function absolute(n: bigint): bigint {
  return n < 0n ? -n : n;
}
