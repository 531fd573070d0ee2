/** Which source commit a cluster's commit status goes on (src/app/reconcile.ts sourceCommitLookup). */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, commitAll, initRepo } from '../../test/git/repos.ts';
import { sampleStatus } from '../../test/report/statuses.ts';
import { openRepository } from '../git/repo.ts';
import { sourceCommitLookup } from './reconcile.ts';

afterAll(cleanupTempDirs);

function provenance(source: string): string {
  return `${JSON.stringify({ generator: 'manifold test', source: { commit: source, inputs: [] } })}\n`;
}

describe('sourceCommitLookup', () => {
  it("the tip's provenance for a cluster at the tip; the older rendered commit's own provenance for a cluster a rollout holds back", async () => {
    const dir = initRepo();
    const [oldSource, newSource] = ['1'.repeat(40), '2'.repeat(40)];
    mkdirSync(path.join(dir, '.manifold'));
    writeFileSync(path.join(dir, '.manifold', 'provenance.json'), provenance(oldSource));
    const older = commitAll(dir, 'render 1');
    writeFileSync(path.join(dir, '.manifold', 'provenance.json'), provenance(newSource));
    const tip = commitAll(dir, 'render 2');
    const lookup = sourceCommitLookup(openRepository(dir), undefined);
    const snapshot = { trees: new Map(), renderedCommit: tip, version: tip, provenance: provenance(newSource), commits: new Map([['held', older]]) };
    expect(await lookup(snapshot, sampleStatus('at-tip', { renderedCommit: tip }))).toBe(newSource);
    expect(await lookup(snapshot, sampleStatus('held', { renderedCommit: older }))).toBe(oldSource);
    expect(await lookup(snapshot, sampleStatus('folder', { renderedCommit: 'folder:/x' }))).toBeUndefined();
    expect(await lookup(snapshot, sampleStatus('gone', { renderedCommit: '3'.repeat(40) }))).toBeUndefined();
  });
});
