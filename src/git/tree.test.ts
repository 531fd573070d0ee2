import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { identicalClusters, type VariantFiles } from './tree.ts';

/** The definition: clusters with the same sequence of variants (and as many files) share the first one's folder. */
function reference(clusters: ReadonlyMap<string, ReadonlyMap<string, string>>, variants: readonly VariantFiles[]): Map<string, string> {
  const sequences = new Map<string, number[]>([...clusters.keys()].map((c) => [c, []]));
  variants.forEach((v, id) => v.clusters.forEach((c) => sequences.get(c)?.push(id)));
  const first = new Map<string, string>();
  const out = new Map<string, string>();
  for (const [c, seq] of sequences) {
    const key = seq.join(',');
    const f = first.get(key);
    if (f !== undefined && clusters.get(f)?.size === clusters.get(c)?.size) out.set(c, f);
    else {
      first.set(key, c);
      out.set(c, c);
    }
  }
  return out;
}

describe('identicalClusters', () => {
  it('groups exactly the clusters that received the same variants in the same order (property)', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    const variant = fc.record({ path: fc.constantFrom('x.yaml', 'y.yaml'), content: fc.constant(''), clusters: fc.array(fc.constantFrom(...names, 'unknown'), { maxLength: 8 }) });
    fc.assert(
      fc.property(fc.array(variant, { maxLength: 12 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: names.length, maxLength: names.length }), (variants, sizes) => {
        const clusters = new Map(names.map((n, i) => [n, new Map(Array.from({ length: sizes[i]! }, (_, k) => [`f${k}`, ''] as const))]));
        expect(identicalClusters(clusters, variants)).toEqual(reference(clusters, variants));
      }),
      { numRuns: 2000 },
    );
  });

  it('tells a cluster listed twice by one variant from one listed once', () => {
    const clusters = new Map([['a', new Map()], ['b', new Map()], ['c', new Map()]]);
    const got = identicalClusters(clusters, [{ path: 'p', content: '', clusters: ['a', 'a', 'b', 'c', 'c'] }]);
    expect([...got]).toEqual([['a', 'a'], ['b', 'b'], ['c', 'a']]);
  });
});
