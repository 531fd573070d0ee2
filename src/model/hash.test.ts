import { describe, expect, it } from 'vitest';
import { fnv1_32, fnv1a32 } from './hash.ts';

describe('fnv1_32 (Go hash/fnv New32)', () => {
  it('hashes the empty string to the offset basis', () => {
    expect(fnv1_32('')).toBe(0x811c9dc5);
  });
  it('matches published FNV-1 vectors', () => {
    expect(fnv1_32('A')).toBe(0x050c5d5e);
    expect(fnv1_32('a')).toBe(0x050c5d7e);
    expect(fnv1_32('foobar')).toBe(0x31f0b262);
  });
  it('returns an unsigned 32-bit integer', () => {
    for (const s of ['', 'x', 'cluster-1', 'ü✓']) {
      const h = fnv1_32(s);
      expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
    }
  });
});

describe('fnv1a32 (Go hash/fnv New32a)', () => {
  it('hashes the empty string to the offset basis', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
  });
  it('matches published FNV-1a vectors', () => {
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });
  it('matches the uid from the placement reference (odd parity)', () => {
    expect(fnv1a32('00000000-0000-0000-0000-000000000002')).toBe(0xbc478bab);
  });
  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    // "é" is 0xC3 0xA9 in UTF-8: two rounds of FNV-1a.
    const expected = Math.imul(Math.imul(0x811c9dc5 ^ 0xc3, 0x01000193) ^ 0xa9, 0x01000193) >>> 0;
    expect(fnv1a32('é')).toBe(expected);
  });
});
