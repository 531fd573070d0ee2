import { describe, expect, it } from 'vitest';
import { encodeDelta } from './delta.ts';
import { applyDelta } from './store.ts';

/** A deterministic stream of pseudo-random bytes (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function provenanceLike(lines: number, seed: number): string {
  const next = random(seed);
  return Array.from({ length: lines }, (_, i) => `    { "path": "c${i % 300}/namespaces/ns-${i % 10}/Deployment.apps/app-${i}.yaml", "sha256": "${Math.floor(next() * 1e15).toString(16)}" },\n`).join('');
}

describe('git binary deltas', () => {
  it('rebuild the new version exactly (git store.ts applyDelta reads them) and cost about the change', () => {
    const base = Buffer.from(provenanceLike(20_000, 1));
    const lines = base.toString().split('\n');
    lines[7] = lines[7]?.replace(/"sha256": "[0-9a-f]+"/, '"sha256": "changed"') ?? '';
    lines.splice(12_000, 0, '    { "path": "inserted.yaml", "sha256": "0" },');
    lines.splice(19_000, 3);
    const target = Buffer.from(lines.join('\n'));
    const delta = encodeDelta(base, target);
    expect(applyDelta(base, delta).equals(target)).toBe(true);
    expect(base.length).toBeGreaterThan(1_000_000);
    expect(delta.length).toBeLessThan(600);
  });

  it('rebuilds any edit: empty, shorter than a block, unrelated, copies longer than 64 KiB, bytes of every value', () => {
    const next = random(7);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)));
    const big = bytes(300_000);
    const cases: [Buffer, Buffer][] = [
      [Buffer.alloc(0), Buffer.from('new')],
      [Buffer.from('old'), Buffer.alloc(0)],
      [Buffer.from('short'), Buffer.from('shorter')],
      [bytes(5000), bytes(5000)],
      [big, Buffer.concat([big.subarray(0, 150_000), Buffer.from('x'), big.subarray(150_000)])],
      [big, Buffer.concat([big.subarray(200_000), big.subarray(0, 200_000)])],
    ];
    for (let k = 0; k < 50; k++) {
      const base = bytes(Math.floor(next() * 4000));
      const cut = Math.floor(next() * base.length);
      cases.push([base, Buffer.concat([base.subarray(cut), bytes(Math.floor(next() * 40)), base.subarray(0, cut)])]);
    }
    for (const [base, target] of cases) expect(applyDelta(base, encodeDelta(base, target)).equals(target)).toBe(true);
  });
});
