import { describe, expect, it } from 'vitest';
import { sourceCommitFromProvenance } from './source.ts';

describe('sourceCommitFromProvenance', () => {
  it('reads source.commit as render records it, and nothing else', () => {
    const commit = 'ab'.repeat(20);
    expect(sourceCommitFromProvenance(JSON.stringify({ generator: 'manifold 0.1.0', source: { commit, inputs: [] } }))).toBe(commit);
    expect(sourceCommitFromProvenance(JSON.stringify({ source: { inputs: [] } }))).toBeUndefined();
    expect(sourceCommitFromProvenance(JSON.stringify({ source: { commit: 'HEAD' } }))).toBeUndefined();
    expect(sourceCommitFromProvenance('not json')).toBeUndefined();
    expect(sourceCommitFromProvenance(undefined)).toBeUndefined();
  });
});
