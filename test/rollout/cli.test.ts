/**
 * `manifold rollout status | approve | abort` on a real repository: render
 * --commit writes the waves into the rendered branch, the report branch is
 * written by the reconciler's own writer with report commits at chosen
 * times, and the gate answers from those commits alone.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRepository } from '../../src/git/repo.ts';
import { writeReport, type ReportTarget } from '../../src/reconcile/report.ts';
import type { ClusterStatus } from '../../src/reconcile/types.ts';
import { ROOT } from '../golden.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-rollout-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const repo = path.join(work, 'repo');
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 'Ann', GIT_AUTHOR_EMAIL: 'ann@example.com', GIT_COMMITTER_NAME: 'Ann', GIT_COMMITTER_EMAIL: 'ann@example.com' };

function manifold(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: repo, encoding: 'utf8', env: GIT_ENV });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const inventory = ['m1', 'm2', 'm3'].map((n) => `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata: {name: ${n}}\n`).join('---\n');
const app = (version: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: shop}
data: {version: "${version}"}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: app, namespace: shop}
spec:
  resourceSelectors: [{apiVersion: v1, kind: ConfigMap, name: app}]
  placement: {clusterAffinity: {clusterNames: [m1, m2, m3]}}
`;
const policy = `apiVersion: manifold.dev/v1alpha1
kind: RolloutPolicy
metadata: {name: web}
spec:
  maxReportAgeSeconds: 3600
  waves:
  - {name: canary, clusters: [m1], minHealthySeconds: 10}
  - {name: second, clusters: [m2], requireApproval: true}
`;

function render(version: string): string {
  writeFileSync(path.join(repo, 'app.yaml'), app(version));
  execFileSync('git', ['add', '-A'], { cwd: repo, env: GIT_ENV });
  execFileSync('git', ['commit', '-qm', `v${version}`], { cwd: repo, env: GIT_ENV });
  const r = manifold('render', '.', '--commit');
  expect(r.code, r.stderr).toBe(0);
  return execFileSync('git', ['rev-parse', 'manifold/rendered'], { cwd: repo, encoding: 'utf8' }).trim();
}

const T0 = Date.UTC(2026, 11, 6, 12, 0, 0) / 1000;
function status(cluster: string, commit: string, result: ClusterStatus['result'] = 'Synced'): ClusterStatus {
  return {
    cluster,
    renderedCommit: commit,
    result,
    startedAt: '2026-12-06T12:00:00Z',
    finishedAt: '2026-12-06T12:00:01Z',
    durationMs: 1000,
    summary: { objects: 2, applied: 0, unchanged: 2, pruned: 0, failed: 0, drifted: 0, unhealthy: 0 },
    conditions: [],
    objects: [],
  };
}
const target = (at: number): ReportTarget => ({ repo: openRepository(repo), author: { name: 'manifold reconcile', email: 'm@e', timestamp: T0 + at, timezoneOffset: 0 } });
const gate = () => {
  const r = manifold('rollout', 'status', '--status', 'manifold/status', '-o', 'json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { state: string; clusters: { cluster: string; allowed?: string; gate?: string; reason: string; waitSeconds?: number }[] };
};
const allowedOf = (g: ReturnType<typeof gate>, c: string) => g.clusters.find((x) => x.cluster === c);

let c1: string;
let c2: string;
beforeAll(() => {
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(path.join(repo, 'clusters.yaml'), inventory);
  writeFileSync(path.join(repo, 'rollout.yaml'), policy);
  c1 = render('1');
  c2 = render('2');
});

describe('manifold rollout', () => {
  it('status: wave 2 waits minHealthySeconds of report time, then approval; approve is a commit, idempotent; abort sends wave 1 back', async () => {
    await writeReport(target(0), ['m1', 'm2', 'm3'].map((c) => status(c, c1)));
    let g = gate();
    expect(g.state).toBe('Progressing');
    expect(allowedOf(g, 'm1')?.allowed).toBe(c2);
    expect(allowedOf(g, 'm2')).toMatchObject({ allowed: c1, gate: 'previous-wave' });

    await writeReport(target(100), [status('m1', c2)]);
    // A later report commit (a heartbeat), 5 s after m1 was first reported Synced at c2: 5 s to go.
    await writeReport(target(105), [], [], new Map([['web.json', '{"heartbeat": 1}\n']]));
    g = gate();
    expect(allowedOf(g, 'm2')).toMatchObject({ allowed: c1, gate: 'min-healthy', waitSeconds: 5 });

    await writeReport(target(111), [], [], new Map([['web.json', '{"heartbeat": 2}\n']]));
    g = gate();
    expect(allowedOf(g, 'm2')).toMatchObject({ allowed: c1, gate: 'approval' });
    const text = manifold('rollout', 'status', '--status', 'manifold/status');
    expect(text.stdout).toMatch(/m2\s+second\s+\w{12}\s+\w{12}\s+approval: wave "second" waits for approval/);

    const approve = manifold('rollout', 'approve', 'second');
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout).toMatch(/^[0-9a-f]{40}\n$/);
    expect(approve.stderr).toMatch(/rollout web: approve wave "second" of \w{12} \(by Ann <ann@example.com> at .*\), committed/);
    expect(execFileSync('git', ['log', '-1', '--format=%an', 'manifold/status'], { cwd: repo, encoding: 'utf8' }).trim()).toBe('Ann');
    const again = manifold('rollout', 'approve', 'second');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already so, nothing to do');
    expect(again.stdout).toBe('');
    g = gate();
    expect(allowedOf(g, 'm2')?.allowed).toBe(c2);
    expect(allowedOf(g, 'm3')?.allowed).toBe(c1);

    const unknown = manifold('rollout', 'approve', 'third');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/WAVE: RolloutPolicy web has no wave "third" \(waves: canary, second, remaining\)/);

    expect(manifold('rollout', 'abort').code).toBe(0);
    expect(manifold('rollout', 'abort').stderr).toContain('already so');
    g = gate();
    expect(g.state).toBe('Aborted');
    expect(allowedOf(g, 'm1')?.allowed).toBe(c1);
    expect(execFileSync('git', ['show', 'manifold/status:rollouts/web.controls.json'], { cwd: repo, encoding: 'utf8' })).toContain('"aborted"');
  });

  it('a folder report needs --now; a source without a policy says so (exit 2)', () => {
    const dir = path.join(work, 'report');
    execFileSync('git', ['worktree', 'add', '-q', dir, 'manifold/status'], { cwd: repo });
    const noTime = manifold('rollout', 'status', '--status', dir);
    expect(noTime.code).toBe(2);
    expect(noTime.stderr).toContain('give --now');
    const withNow = manifold('rollout', 'status', repo, '--status', dir, '--now', '2026-12-06T12:10:00Z', '-o', 'json');
    expect(withNow.code, withNow.stderr).toBe(0);
    const missing = manifold('rollout', 'status', '--status', 'no-such-branch');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('report "no-such-branch" not found');
  });
});
