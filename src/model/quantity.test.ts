import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ManifoldError } from '../errors/index.ts';
import {
  formatQuantity,
  isQuantity,
  nanoToMilli,
  nanoToWhole,
  parseQuantity,
  parseQuantityExact,
  quantityValue,
  toMilli,
} from './quantity.ts';

/** decQuantity(i, exp) from quantity_test.go: i × 10^exp, expressed in nano units. */
function dec(i: bigint, exponent: number): bigint {
  const power = exponent + 9;
  return power >= 0 ? i * 10n ** BigInt(power) : i / 10n ** BigInt(-power);
}

const MAX_ALLOWED_NANO = (2n ** 63n - 1n) * 1_000_000_000n;

// k8s.io/apimachinery/pkg/api/resource/quantity_test.go TestQuantityParse (value and format).
const parseTable: Array<[string, bigint, string]> = [
  ['0', dec(0n, 0), 'DecimalSI'],
  ['0n', dec(0n, 0), 'DecimalSI'],
  ['0u', dec(0n, 0), 'DecimalSI'],
  ['0m', dec(0n, 0), 'DecimalSI'],
  ['0Ki', dec(0n, 0), 'BinarySI'],
  ['0k', dec(0n, 0), 'DecimalSI'],
  ['0Mi', dec(0n, 0), 'BinarySI'],
  ['0M', dec(0n, 0), 'DecimalSI'],
  ['0Gi', dec(0n, 0), 'BinarySI'],
  ['0G', dec(0n, 0), 'DecimalSI'],
  ['0Ti', dec(0n, 0), 'BinarySI'],
  ['0T', dec(0n, 0), 'DecimalSI'],
  ['1', dec(1n, 0), 'DecimalSI'],
  ['1Ki', dec(1024n, 0), 'BinarySI'],
  ['8Ki', dec(8n * 1024n, 0), 'BinarySI'],
  ['7Mi', dec(7n * 1024n ** 2n, 0), 'BinarySI'],
  ['6Gi', dec(6n * 1024n ** 3n, 0), 'BinarySI'],
  ['5Ti', dec(5n * 1024n ** 4n, 0), 'BinarySI'],
  ['4Pi', dec(4n * 1024n ** 5n, 0), 'BinarySI'],
  ['3Ei', dec(3n * 1024n ** 6n, 0), 'BinarySI'],
  ['10Ti', dec(10n * 1024n ** 4n, 0), 'BinarySI'],
  ['100Ti', dec(100n * 1024n ** 4n, 0), 'BinarySI'],
  ['5n', dec(5n, -9), 'DecimalSI'],
  ['4u', dec(4n, -6), 'DecimalSI'],
  ['3m', dec(3n, -3), 'DecimalSI'],
  ['9', dec(9n, 0), 'DecimalSI'],
  ['8k', dec(8n, 3), 'DecimalSI'],
  ['50k', dec(5n, 4), 'DecimalSI'],
  ['7M', dec(7n, 6), 'DecimalSI'],
  ['6G', dec(6n, 9), 'DecimalSI'],
  ['5T', dec(5n, 12), 'DecimalSI'],
  ['40T', dec(4n, 13), 'DecimalSI'],
  ['300T', dec(3n, 14), 'DecimalSI'],
  ['2P', dec(2n, 15), 'DecimalSI'],
  ['1E', dec(1n, 18), 'DecimalSI'],
  ['1E-3', dec(1n, -3), 'DecimalExponent'],
  ['1e3', dec(1n, 3), 'DecimalExponent'],
  ['1E6', dec(1n, 6), 'DecimalExponent'],
  ['1e9', dec(1n, 9), 'DecimalExponent'],
  ['1E12', dec(1n, 12), 'DecimalExponent'],
  ['1e15', dec(1n, 15), 'DecimalExponent'],
  ['1E18', dec(1n, 18), 'DecimalExponent'],
  ['1e14', dec(1n, 14), 'DecimalExponent'],
  ['1e13', dec(1n, 13), 'DecimalExponent'],
  ['100.035k', dec(100035n, 0), 'DecimalSI'],
  ['0.001', dec(1n, -3), 'DecimalSI'],
  ['0.0005k', dec(5n, -1), 'DecimalSI'],
  ['0.005', dec(5n, -3), 'DecimalSI'],
  ['0.05', dec(5n, -2), 'DecimalSI'],
  ['0.5', dec(5n, -1), 'DecimalSI'],
  ['0.00050k', dec(5n, -1), 'DecimalSI'],
  ['0.00500', dec(5n, -3), 'DecimalSI'],
  ['0.05000', dec(5n, -2), 'DecimalSI'],
  ['0.50000', dec(5n, -1), 'DecimalSI'],
  ['0.5e0', dec(5n, -1), 'DecimalExponent'],
  ['0.5e-1', dec(5n, -2), 'DecimalExponent'],
  ['0.5e-2', dec(5n, -3), 'DecimalExponent'],
  ['10.035M', dec(10035n, 3), 'DecimalSI'],
  ['1.2e3', dec(12n, 2), 'DecimalExponent'],
  ['1.3E+6', dec(13n, 5), 'DecimalExponent'],
  ['1.40e9', dec(14n, 8), 'DecimalExponent'],
  ['1.53E12', dec(153n, 10), 'DecimalExponent'],
  ['1.6e15', dec(16n, 14), 'DecimalExponent'],
  ['1.7E18', dec(17n, 17), 'DecimalExponent'],
  ['9.01', dec(901n, -2), 'DecimalSI'],
  ['8.1k', dec(81n, 2), 'DecimalSI'],
  ['7.123456M', dec(7123456n, 0), 'DecimalSI'],
  ['6.987654321G', dec(6987654321n, 0), 'DecimalSI'],
  ['5.444T', dec(5444n, 9), 'DecimalSI'],
  ['40.1T', dec(401n, 11), 'DecimalSI'],
  ['300.2T', dec(3002n, 11), 'DecimalSI'],
  ['2.5P', dec(25n, 14), 'DecimalSI'],
  ['1.01E', dec(101n, 16), 'DecimalSI'],
  // Things that saturate/round
  ['3.001n', dec(4n, -9), 'DecimalSI'],
  ['1.1E-9', dec(2n, -9), 'DecimalExponent'],
  ['0.0000000001', dec(1n, -9), 'DecimalSI'],
  ['0.0000000005', dec(1n, -9), 'DecimalSI'],
  ['0.00000000050', dec(1n, -9), 'DecimalSI'],
  ['0.5e-9', dec(1n, -9), 'DecimalExponent'],
  ['0.9n', dec(1n, -9), 'DecimalSI'],
  ['0.00000012345', dec(124n, -9), 'DecimalSI'],
  ['0.00000012354', dec(124n, -9), 'DecimalSI'],
  ['9Ei', MAX_ALLOWED_NANO, 'BinarySI'],
  ['9223372036854775807Ki', MAX_ALLOWED_NANO, 'BinarySI'],
  ['12E', dec(12n, 18), 'DecimalSI'],
  // Fractional binary
  ['100.035Ki', dec(10243584n, -2), 'BinarySI'],
  ['0.5Mi', dec(524288n, 0), 'BinarySI'],
  ['0.05Gi', dec(536870912n, -1), 'BinarySI'],
  ['0.025Ti', dec(274877906944n, -1), 'BinarySI'],
  // Things written by trolls
  ['.001', dec(1n, -3), 'DecimalSI'],
  ['.0001k', dec(100n, -3), 'DecimalSI'],
  ['1.', dec(1n, 0), 'DecimalSI'],
  ['1.G', dec(1n, 9), 'DecimalSI'],
];

describe('parseQuantityExact (quantity_test.go TestQuantityParse)', () => {
  it.each(parseTable)('%s', (input, nano, format) => {
    const parsed = parseQuantityExact(input);
    expect(parsed.nano).toBe(nano);
    expect(parsed.format).toBe(format);
  });

  it.each(parseTable)('-%s is the negation', (input, nano) => {
    expect(parseQuantityExact(`-${input}`).nano).toBe(-nano);
  });

  it.each(parseTable)('+%s is the same value', (input, nano) => {
    expect(parseQuantityExact(`+${input}`).nano).toBe(nano);
  });

  it('rounds sub-nano fractions of binary amounts up (".000000000001Ki" → 2n)', () => {
    expect(parseQuantityExact('.000000000001Ki').nano).toBe(2n);
    expect(parseQuantityExact('.001Ki').nano).toBe(1_024_000_000n);
  });

  it('accepts the scanner leniencies of parseQuantityString (".", "-.", a bare sign)', () => {
    expect(parseQuantityExact('.').nano).toBe(0n);
    expect(parseQuantityExact('-.').nano).toBe(0n);
    expect(parseQuantityExact('-').nano).toBe(0n);
  });
});

describe('invalid quantities (quantity_test.go invalid list)', () => {
  const invalid = ['', '1.1.M', '1+1.0M', '0.1mi', '0.1am', 'aoeu', '.5i', '1i', '-3.01i', '-3.01e-', '1e4294967297', ' 1', '1 ', '1K', '1e', 'Non-Numeric'];
  it.each(invalid)('%j is rejected with INVALID_QUANTITY', (input) => {
    let caught: unknown;
    try {
      parseQuantityExact(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ManifoldError);
    expect((caught as ManifoldError).code).toBe('INVALID_QUANTITY');
    expect((caught as ManifoldError).message).toContain(JSON.stringify(input));
    expect(isQuantity(input)).toBe(false);
  });

  it('rejects non-finite numbers', () => {
    expect(() => parseQuantity(Number.NaN)).toThrow(ManifoldError);
    expect(() => parseQuantity(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });
});

describe('parseQuantity / toMilli (MilliValue)', () => {
  it.each<[string | number, bigint]>([
    ['500m', 500n],
    ['1', 1000n],
    ['2.5', 2500n],
    ['0.1', 100n],
    ['1Gi', 1_073_741_824_000n],
    ['100M', 100_000_000_000n],
    ['1e3', 1_000_000n],
    ['0.5m', 1n], // rounds up, as MilliValue does
    ['1n', 1n],
    [2, 2000n],
    [2.5, 2500n],
    [0.1, 100n],
    [1e21, 10n ** 24n],
    [-1.5, -1500n],
  ])('%j → %s milli', (input, milli) => {
    expect(parseQuantity(input)).toBe(milli);
    expect(toMilli(input)).toBe(milli);
  });
});

describe('quantityValue (Value, rounded up)', () => {
  it.each<[string | number, bigint]>([
    ['500m', 1n],
    ['1', 1n],
    ['1001m', 2n],
    ['2.5', 3n],
    ['1Gi', 1_073_741_824n],
    ['100M', 100_000_000n],
    ['110', 110n],
    ['1e3', 1000n],
    ['0', 0n],
    ['-1.5', -2n], // away from zero, like int64Amount.AsScaledInt64
  ])('%j → %s', (input, value) => {
    expect(quantityValue(input)).toBe(value);
  });

  it('nanoToWhole and nanoToMilli round away from zero', () => {
    expect(nanoToWhole(1n)).toBe(1n);
    expect(nanoToWhole(-1n)).toBe(-1n);
    expect(nanoToWhole(2_000_000_000n)).toBe(2n);
    expect(nanoToMilli(1_000_001n)).toBe(2n);
    expect(nanoToMilli(1_000_000n)).toBe(1n);
  });
});

describe('properties', () => {
  it('a whole number of millicores written with "m" round-trips exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), (milli) => {
        expect(parseQuantity(`${milli}m`)).toBe(milli);
      }),
    );
  });

  it('Ki/Mi/Gi multiply by powers of 1024', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(['Ki', 10n], ['Mi', 20n], ['Gi', 30n]), (n, [suffix, shift]) => {
        expect(quantityValue(`${n}${suffix}`)).toBe(BigInt(n) << shift);
      }),
    );
  });

  it('a JS number and its string form parse to the same value', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true }), (n) => {
        expect(parseQuantityExact(n).nano).toBe(parseQuantityExact(String(n)).nano);
      }),
    );
  });
});

// k8s.io/apimachinery/pkg/api/resource/quantity_test.go TestQuantityString (the expected String() of each).
const stringTable: Array<[bigint, number, 'DecimalSI' | 'BinarySI' | 'DecimalExponent', string]> = [
  [1024n * 1024n * 1024n, 0, 'BinarySI', '1Gi'],
  [300n * 1024n * 1024n, 0, 'BinarySI', '300Mi'],
  [6n * 1024n, 0, 'BinarySI', '6Ki'],
  [1001n * 1024n * 1024n * 1024n, 0, 'BinarySI', '1001Gi'],
  [1024n * 1024n * 1024n * 1024n, 0, 'BinarySI', '1Ti'],
  [5n, 0, 'BinarySI', '5'],
  [500n, -3, 'BinarySI', '500m'],
  [1n, 9, 'DecimalSI', '1G'],
  [1000n, 6, 'DecimalSI', '1G'],
  [1000000n, 3, 'DecimalSI', '1G'],
  [1000000000n, 0, 'DecimalSI', '1G'],
  [1n, -3, 'DecimalSI', '1m'],
  [80n, -3, 'DecimalSI', '80m'],
  [1080n, -3, 'DecimalSI', '1080m'],
  [108n, -2, 'DecimalSI', '1080m'],
  [10800n, -4, 'DecimalSI', '1080m'],
  [300n, 6, 'DecimalSI', '300M'],
  [1n, 12, 'DecimalSI', '1T'],
  [1234567n, 6, 'DecimalSI', '1234567M'],
  [1234567n, -3, 'BinarySI', '1234567m'],
  [3n, 3, 'DecimalSI', '3k'],
  [1025n, 0, 'BinarySI', '1025'],
  [0n, 0, 'DecimalSI', '0'],
  [0n, 0, 'BinarySI', '0'],
  [1n, 9, 'DecimalExponent', '1e9'],
  [1n, -3, 'DecimalExponent', '1e-3'],
  [1n, -9, 'DecimalExponent', '1e-9'],
  [80n, -3, 'DecimalExponent', '80e-3'],
  [300n, 6, 'DecimalExponent', '300e6'],
  [1n, 12, 'DecimalExponent', '1e12'],
  [1n, 3, 'DecimalExponent', '1e3'],
  [3n, 3, 'DecimalExponent', '3e3'],
  [0n, 0, 'DecimalExponent', '0'],
  [1n, -9, 'DecimalSI', '1n'],
  [80n, -9, 'DecimalSI', '80n'],
  [1080n, -9, 'DecimalSI', '1080n'],
  [108n, -8, 'DecimalSI', '1080n'],
  [10800n, -10, 'DecimalSI', '1080n'],
  [1n, -6, 'DecimalSI', '1u'],
  [80n, -6, 'DecimalSI', '80u'],
];

describe('formatQuantity (Quantity.String)', () => {
  it.each(stringTable)('%s × 10^%s %s → %s', (i, exponent, format, expected) => {
    expect(formatQuantity(dec(i, exponent), format)).toBe(expected);
  });

  it('reads back to the same amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.constantFrom('DecimalSI' as const, 'BinarySI' as const), (nano, format) => {
        expect(parseQuantityExact(formatQuantity(nano, format)).nano).toBe(nano);
      }),
    );
  });
});
