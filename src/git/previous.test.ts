import { describe, expect, it } from 'vitest';
import { sameInputs } from './previous.ts';

const inputs = [
  { file: 'apps/web.yaml', sha256: 'a'.repeat(64) },
  { file: 'clusters.yaml', sha256: 'b'.repeat(64) },
];
const provenance = (objects: unknown) => ({ generator: 'manifold 1.0', source: { commit: 'c0ffee', inputs, globals: 'd'.repeat(64) }, clusters: { 'eu-1': { objects: 2 } }, objects });

describe('sameInputs (the no-op check)', () => {
  it('reads generator and inputs of a provenance file as render writes it', () => {
    const text = `${JSON.stringify(provenance([{ key: 'x', variants: [] }]), null, 2)}\n`;
    expect(sameInputs(text, inputs, 'manifold 1.0')).toBe(true);
    expect(sameInputs(text, [inputs[0] as (typeof inputs)[number]], 'manifold 1.0')).toBe(false);
    expect(sameInputs(text, [{ ...(inputs[0] as (typeof inputs)[number]), sha256: 'e'.repeat(64) }, inputs[1] as (typeof inputs)[number]], 'manifold 1.0')).toBe(false);
    expect(sameInputs(text, inputs, 'manifold 2.0')).toBe(false);
  });

  it('does not parse what follows the source: a broken tail after it does not matter, a broken head does', () => {
    const text = `${JSON.stringify(provenance([]), null, 2).replace('"objects": []', '"objects": [')}`;
    expect(sameInputs(text, inputs, 'manifold 1.0')).toBe(true);
    expect(sameInputs('{"generator": "manifold 1.0", "source": ', inputs, 'manifold 1.0')).toBe(false);
  });

  it('still reads a provenance file laid out differently (compact JSON)', () => {
    expect(sameInputs(JSON.stringify(provenance([])), inputs, 'manifold 1.0')).toBe(true);
    expect(sameInputs('not json', inputs, 'manifold 1.0')).toBe(false);
  });
});
