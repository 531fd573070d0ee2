/**
 * `manifold status` through its real interface (a child process) against a
 * real git repository: a rendered branch with two commits and a report
 * branch written by the reconciler's own writer (writeReport).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRepository } from '../../src/git/repo.ts';
import { statusFileContent, writeReport } from '../../src/reconcile/report.ts';
import type { ClusterStatus } from '../../src/reconcile/types.ts';
import { cleanupTempDirs, commitAll, gitIn, initRepo, tempDir, writeFiles } from '../git/repos.ts';
import { sampleStatus } from '../report/statuses.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** 2026-03-01T12:00:00Z: the report commit's time, so ages are fixed. */
const REPORT_TIME = Date.UTC(2026, 2, 1, 12, 0, 0) / 1000;

let repo: string;
let oldCommit: string;
let tip: string;

function manifold(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), 'status', ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function statuses(): ClusterStatus[] {
  const finished = (minutesAgo: number) => new Date((REPORT_TIME - minutesAgo * 60) * 1000).toISOString();
  return [
    sampleStatus('eu-1', { renderedCommit: tip, finishedAt: finished(2) }),
    sampleStatus('us-1', { renderedCommit: oldCommit, finishedAt: finished(90) }),
    sampleStatus('eu-2', {
      renderedCommit: tip,
      result: 'Degraded',
      finishedAt: finished(5),
      summary: { objects: 2, applied: 1, unchanged: 1, pruned: 0, failed: 0, drifted: 1, unhealthy: 1 },
      conditions: [{ type: 'Healthy', status: 'False', reason: 'Degraded', message: 'Deployment web/nginx: 1/3 replicas ready' }],
      objects: [
        { apiVersion: 'v1', kind: 'Secret', namespace: 'web', name: 'db', action: 'configured', health: 'Healthy', drift: [{ path: '/data/password', before: '***', after: '***' }] },
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'nginx', action: 'unchanged', health: 'Degraded', message: '1/3 replicas ready' },
      ],
    }),
    sampleStatus('old-dc', { renderedCommit: tip, finishedAt: finished(60 * 30) }),
  ];
}

beforeAll(async () => {
  repo = initRepo({ 'README.md': 'fleet\n' });
  gitIn(repo, ['checkout', '-q', '--orphan', 'manifold/rendered']);
  gitIn(repo, ['rm', '-rqf', '.']);
  writeFiles(repo, { 'eu-1/cm.yaml': 'a: 1\n', 'eu-2/cm.yaml': 'a: 1\n', 'us-1/cm.yaml': 'a: 1\n' });
  oldCommit = commitAll(repo, 'render 1');
  writeFiles(repo, { 'eu-1/cm.yaml': 'a: 2\n', 'eu-2/cm.yaml': 'a: 2\n', 'us-1/cm.yaml': 'a: 2\n' });
  tip = commitAll(repo, 'render 2');
  gitIn(repo, ['checkout', '-q', 'main']);
  const author = { name: 'manifold reconcile', email: 'manifold@noreply.invalid', timestamp: REPORT_TIME, timezoneOffset: 0 };
  await writeReport({ repo: openRepository(repo), author }, statuses());
});
afterAll(cleanupTempDirs);

describe('manifold status', () => {
  it('prints one row per cluster, kubectl-style, and exits 1 when a cluster is not Synced and healthy at the tip', () => {
    const r = manifold(repo);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        'CLUSTER   RESULT         READY       APPLIED        TIP        OBJECTS   UNHEALTHY   DRIFTED   FAILED   AGE',
        `eu-1      Synced         Reachable   ${tip.slice(0, 12)}   at tip     2         0           0         0        2m`,
        `eu-2      Degraded       Reachable   ${tip.slice(0, 12)}   at tip     2         1           1         0        5m`,
        `old-dc    Synced,Stale   Reachable   ${tip.slice(0, 12)}   at tip     2         0           0         0        30h`,
        `us-1      Synced         Reachable   ${oldCommit.slice(0, 12)}   1 behind   2         0           0         0        90m`,
        '',
      ].join('\n'),
    );
  });

  it('with a cluster name: its objects with health and drift (Secret values masked); the exit code covers only it', () => {
    const degraded = manifold(repo, 'eu-2');
    expect(degraded.code).toBe(1);
    expect(degraded.stdout).toContain('Cluster eu-2: Degraded, Reachable (from the reconcile result), applied');
    expect(degraded.stdout).toContain('  Healthy: False Degraded: Deployment web/nginx: 1/3 replicas ready');
    expect(degraded.stdout).toMatch(/Deployment +web +nginx +unchanged +Degraded +0 +1\/3 replicas ready/);
    expect(degraded.stdout).toContain('Drift (live → rendered; Secret values masked):\n  Secret web/db /data/password: "***" → "***"');
    expect(degraded.stdout.split('\n')[1]).toMatch(/^eu-2 +Degraded /);
    expect(degraded.stdout).not.toMatch(/^eu-1 /m);
    expect(manifold(repo, 'eu-1').code).toBe(0);
  });

  it('-o json and -o yaml carry the same view', () => {
    const r = manifold(repo, '-o', 'json', 'eu-2');
    const json = JSON.parse(r.stdout) as { ok: boolean; tip: unknown; counts: unknown; clusters: Array<{ cluster: string; stale: boolean; behind?: number }>; objects: Record<string, unknown[]> };
    expect(json.ok).toBe(false);
    expect(json.tip).toEqual({ commit: tip, from: 'rendered-branch' });
    expect(json.counts).toEqual({ Synced: 3, Degraded: 1, Stale: 1, OK: 1 });
    expect(json.clusters.map((c) => c.cluster)).toEqual(['eu-2']);
    expect(json.objects['eu-2']).toHaveLength(2);
    const all = JSON.parse(manifold(repo, '-o', 'json').stdout) as typeof json;
    expect(all.clusters.find((c) => c.cluster === 'us-1')?.behind).toBe(1);
    const yaml = manifold(repo, '-o', 'yaml');
    expect(yaml.stdout).toContain('ok: false');
    expect(yaml.stdout).toContain('cluster: old-dc');
  });

  it('compares with any revision of the rendered branch (--branch), e.g. an older one or a remote-tracking one', () => {
    const older = manifold(repo, '--branch', 'manifold/rendered~1', '-o', 'json');
    const view = JSON.parse(older.stdout) as { tip: { commit: string }; clusters: Array<{ cluster: string; behind?: number }> };
    expect(view.tip.commit).toBe(oldCommit);
    expect(view.clusters.find((c) => c.cluster === 'us-1')?.behind).toBe(0);
    // No such branch: the newest commit the report attempted stands in, and nobody is stale.
    const none = JSON.parse(manifold(repo, '--branch', 'no-such-branch', '-o', 'json').stdout) as { tip: unknown; counts: Record<string, number> };
    expect(none.tip).toEqual({ commit: tip, from: 'report' });
    expect(none.counts.Stale).toBeUndefined();
  });

  it('under a rollout (issue 15): WAVE and GATE columns from the report\'s rollouts/ state file, and the page shows the waves', async () => {
    const dir = initRepo({ 'a/cm.yaml': 'a: 1\n', 'b/cm.yaml': 'a: 1\n' });
    const head = gitIn(dir, ['rev-parse', 'HEAD']).trim();
    const state = `${JSON.stringify({
      policy: 'web',
      target: head,
      state: 'Progressing',
      reason: 'wave canary healthy for 30 s of 300 s',
      waves: [{ name: 'canary', state: 'Progressing', reason: 'healthy for 30 s of 300 s', clusters: ['a'] }, { name: 'remaining', state: 'Waiting', reason: 'waits for wave canary', clusters: ['b'] }],
      clusters: [{ cluster: 'a', wave: 'canary', allowed: head, reason: 'runs the target' }, { cluster: 'b', wave: 'remaining', gate: 'previous-wave', reason: 'waits for wave canary' }],
    })}\n`;
    await writeReport({ repo: openRepository(dir) }, [sampleStatus('a', { renderedCommit: head }), sampleStatus('b', { renderedCommit: head })], [], new Map([['web.json', state]]));
    const r = manifold(dir, '--branch', 'main');
    expect(r.stdout.split('\n')[0]).toMatch(/^CLUSTER +RESULT +READY +APPLIED +TIP +WAVE +GATE +OBJECTS /);
    expect(r.stdout).toMatch(/^a +Synced +Reachable +\w{12} +at tip +canary +open +2 /m);
    expect(r.stdout).toMatch(/^b +Synced +Reachable +\w{12} +at tip +remaining +previous-wave +2 /m);
    const page = gitIn(dir, ['show', 'manifold/status:index.html']);
    expect(page).toContain('<h2>Rollouts</h2><div class="rollout"><h3>web: Progressing at <code>');
    expect(page).toContain('<li><b>remaining</b> Waiting: waits for wave canary</li>');
    expect(page).toContain('<th>wave</th><th>gate</th>');
  });

  it('exits 0 when every cluster is Synced and healthy at the tip', async () => {
    const dir = initRepo({ 'a/cm.yaml': 'a: 1\n', 'b/cm.yaml': 'a: 1\n' });
    const head = gitIn(dir, ['rev-parse', 'HEAD']).trim();
    await writeReport({ repo: openRepository(dir) }, [sampleStatus('a', { renderedCommit: head }), sampleStatus('b', { renderedCommit: head })]);
    const r = manifold(dir, '--branch', 'main');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('reads a folder with --status (tip: the newest commit it attempted) and counts ages to --now (a folder has no commit time)', () => {
    const dir = tempDir('status-folder');
    mkdirSync(path.join(dir, 'clusters'));
    writeFileSync(path.join(dir, 'clusters', 'a.json'), statusFileContent(sampleStatus('a', { finishedAt: '2026-01-01T00:00:00.000Z' })));
    const r = manifold(dir, '--status', dir, '--now', '2026-01-01T00:03:00Z');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^a +Synced +Reachable +0123456789ab +at tip +2 +0 +0 +0 +3m$/m);
    expect(manifold(dir, '--status', dir).stdout).toMatch(/<unknown>$/m);
  });

  it('bad input exits 2 naming the file and field, with nothing on stdout and no stack trace', () => {
    const dir = tempDir('status-bad');
    mkdirSync(path.join(dir, 'clusters'));
    writeFileSync(path.join(dir, 'clusters', 'a.json'), statusFileContent(sampleStatus('a')).replace('"result": "Synced"', '"result": "Fine"'));
    const bad = manifold(dir, '--status', dir);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^error: clusters\/a\.json:4: result: /m);
    expect(bad.stderr).not.toMatch(/\n\s+at /);

    const missing = manifold(repo, '--status', 'no/such/branch');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('report "no/such/branch" not found');

    const unknown = manifold(repo, 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('the report has no cluster "nope" (it has: eu-1, eu-2, old-dc, us-1)');

    const now = manifold(repo, '--now', 'yesterday');
    expect(now.code).toBe(2);
    expect(now.stderr).toContain('--now: "yesterday" is not a time');
  });
});
