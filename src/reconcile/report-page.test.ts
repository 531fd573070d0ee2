import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, commitAll, gitIn, initRepo, writeFiles } from '../../test/git/repos.ts';
import { sampleStatus } from '../../test/report/statuses.ts';
import { openRepository } from '../git/repo.ts';
import { writeReport } from './report.ts';
import { reportPageSource } from './report-page.ts';

afterAll(cleanupTempDirs);

describe('the page on the report branch', () => {
  it('is regenerated with every report commit, knows how far behind the tip each cluster is, and is what / serves', async () => {
    const dir = initRepo({ 'a/cm.yaml': '1\n' });
    const first = gitIn(dir, ['rev-parse', 'HEAD']).trim();
    writeFiles(dir, { 'a/cm.yaml': '2\n' });
    const second = commitAll(dir, 'render 2');
    const repo = openRepository(dir);
    const page = reportPageSource(repo, 'manifold/status');
    expect(await page()).toBeUndefined();

    await writeReport({ repo }, [sampleStatus('a', { renderedCommit: second }), sampleStatus('b', { renderedCommit: first, finishedAt: '2026-01-01T00:00:00.000Z' })]);
    const html = await page();
    expect(html).toBe(gitIn(dir, ['show', 'manifold/status:index.html']));
    const data = JSON.parse(/id="fleet-data">([^]*?)<\/script>/.exec(html ?? '')?.[1] ?? '{}') as { tip: unknown; clusters: Array<{ cluster: string; behind?: number }> };
    expect(data.tip).toEqual({ commit: second, from: 'report' });
    expect(data.clusters.map((c) => [c.cluster, c.behind])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);

    await writeReport({ repo }, [sampleStatus('b', { renderedCommit: second, result: 'Degraded' })]);
    expect(await page()).toContain('<b id="count-Degraded">1</b>');
  });
});

describe('the page with a status file that is not valid', () => {
  it('still shows every other cluster and names the file that was left out', async () => {
    const dir = initRepo({ 'README.md': 'x\n' });
    const repo = openRepository(dir);
    await writeReport({ repo }, [sampleStatus('a')]);
    // Someone hand-edits the branch and breaks b's file.
    const work = initRepo();
    gitIn(work, ['fetch', '-q', dir, 'manifold/status:manifold/status']);
    gitIn(work, ['checkout', '-q', 'manifold/status']);
    writeFiles(work, { 'clusters/b.json': '{"cluster": "b",\n' });
    commitAll(work, 'broken by hand');
    gitIn(dir, ['fetch', '-q', work, '+manifold/status:manifold/status']);
    await writeReport({ repo }, [sampleStatus('c', { result: 'Degraded' })]);
    const html = (await reportPageSource(repo, 'manifold/status')()) ?? '';
    expect(html).toContain('<h2>Problems with the report</h2><ul><li>clusters/b.json: not a valid status file; its cluster is left out</li></ul>');
    const data = JSON.parse(/id="fleet-data">([^]*?)<\/script>/.exec(html)?.[1] ?? '{}') as { clusters: Array<{ cluster: string }>; ok: boolean };
    expect(data.clusters.map((c) => c.cluster)).toEqual(['a', 'c']);
    expect(data.ok).toBe(false);
  });
});

describe('writers with different rendered history', () => {
  it('a writer whose statuses did not change makes no commit, even when its page would differ', async () => {
    const dir = initRepo({ 'a/cm.yaml': '1\n' });
    const first = gitIn(dir, ['rev-parse', 'HEAD']).trim();
    writeFiles(dir, { 'a/cm.yaml': '2\n' });
    const second = commitAll(dir, 'render 2');
    const repo = openRepository(dir);
    const statuses = [sampleStatus('a', { renderedCommit: second }), sampleStatus('b', { renderedCommit: first })];
    const written = await writeReport({ repo }, statuses);
    // Another writer's repository has the report but not the rendered history (a shallow agent): its page would say "unknown".
    const other = initRepo();
    gitIn(other, ['fetch', '-q', dir, 'manifold/status:manifold/status']);
    const again = await writeReport({ repo: openRepository(other) }, statuses.map((s) => ({ ...s, finishedAt: '2030-01-01T00:00:00.000Z' })));
    expect(again).toMatchObject({ created: false, commit: written.commit });
  });
});
