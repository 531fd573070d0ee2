// The reconcile loop as a user runs it (`node src/cli/main.ts reconcile`, a
// child process) on the real test fleet, reading the rendered branch from and
// writing the report branch to a local git repository (issue 12):
//   - one member frozen (SIGSTOP: connections accepted, nothing answers): the
//     others still converge on each new commit within a few poll intervals,
//     the report shows them at once and the frozen one as Unreachable with
//     what it last applied; SIGTERM completes well within the grace period
//     and writes the report of the clusters that converged;
//   - a cluster that left the fleet is Orphaned (objects listed, nothing
//     deleted) without --allow-mass-prune, Orphaned with the last known
//     objects when it cannot be reached, and decommissioned (pruned, status
//     file removed) with it;
//   - an object the API server rejects exits 1, not 3.
// Shared fleet: the objects live in namespaces loop-e2e / exit-e2e under the
// default ApplySet parent, so runs that apply pass --allow-mass-prune to take
// over what an earlier e2e file left under it (as report.e2e.test.ts does).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRepository } from '../../src/git/repo.ts';
import type { JsonObject } from '../../src/model/types.ts';
import { DEFAULT_PARENT } from '../../src/reconcile/applyset.ts';
import { type ApiResource, KubeClient } from '../../src/reconcile/kube.ts';
import { readReport } from '../../src/reconcile/report.ts';
import type { ClusterStatus } from '../../src/reconcile/types.ts';
import { useFleet } from '../fleet/e2e.ts';

const fleet = useFleet();
const names = fleet.clusters.map((c) => c.name);
const [m1, m2, m3] = names as [string, string, string];
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NS = 'loop-e2e';
const STATUS_REF = 'refs/heads/manifold/status';
const tmp = mkdtempSync(path.join(tmpdir(), 'manifold-loop-e2e-'));
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const clients = new Map<string, KubeClient>();
const children: ChildProcess[] = [];
let work: string;

const git = (dir: string, ...args: string[]): string => execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, encoding: 'utf8' });

beforeAll(() => {
  work = path.join(tmp, 'work');
  mkdirSync(work);
  git(work, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(work, 'README.md'), 'fleet\n');
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'init');
  git(work, 'checkout', '-q', '-b', 'manifold/rendered');
  for (const c of names) clients.set(c, KubeClient.create(c, { mode: 'kubeconfig', kubeconfigPath: fleet.kubeconfigPath, context: c }));
});

afterAll(async () => {
  for (const p of children) if (p.exitCode === null) p.kill('SIGKILL');
  await Promise.all([...clients.values()].map((c) => c.close()));
  rmSync(tmp, { recursive: true, force: true });
});

// ---- the rendered branch and the report branch ----------------------------------

const namespace = (name = NS): JsonObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const configMap = (name: string, version: string, ns = NS): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { version } });
const base = (version: string): JsonObject[] => [namespace(), configMap('app', version), configMap('settings', version)];

/** Commits one folder per cluster (render layout) to manifold/rendered; a cluster left out has no folder. */
function commitRendered(trees: Record<string, JsonObject[]>, message: string): string {
  for (const c of names) rmSync(path.join(work, c), { recursive: true, force: true });
  for (const [cluster, objects] of Object.entries(trees)) {
    for (const o of objects) {
      const meta = o.metadata as JsonObject;
      const rel = meta.namespace ? `namespaces/${String(meta.namespace)}/${String(o.kind)}/${String(meta.name)}.yaml` : `cluster/${String(o.kind)}/${String(meta.name)}.yaml`;
      const file = path.join(work, cluster, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, dump(o, { noRefs: true }));
    }
  }
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '--allow-empty', '-m', message);
  return git(work, 'rev-parse', 'HEAD').trim();
}

const on = (clusters: readonly string[], objects: () => JsonObject[]): Record<string, JsonObject[]> => Object.fromEntries(clusters.map((c) => [c, objects()]));

function statusTip(): string | undefined {
  const out = git(work, 'for-each-ref', '--format=%(objectname)', STATUS_REF).trim();
  return out === '' ? undefined : out;
}

async function report(): Promise<Map<string, ClusterStatus>> {
  const tip = statusTip();
  return tip === undefined ? new Map() : readReport(openRepository(work), tip);
}

const cm = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, verbs: [] } satisfies ApiResource;
const secrets = { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, verbs: [] } satisfies ApiResource;

async function liveVersion(cluster: string, name = 'app', ns = NS): Promise<string | undefined> {
  const obj = await clients.get(cluster)?.get(cm, ns, name);
  return ((obj?.data ?? {}) as Record<string, string>).version;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// ---- the CLI as a child process --------------------------------------------------

interface Run {
  proc: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

function manifold(args: readonly string[]): Run {
  const proc = spawn(process.execPath, [path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: tmp, env: { PATH: process.env.PATH, HOME: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  const run: Run = { proc, stdout: [], stderr: [], exit: new Promise((resolve) => proc.on('exit', (code) => resolve(code))) };
  proc.stdout?.on('data', (c: Buffer) => run.stdout.push(c.toString('utf8')));
  proc.stderr?.on('data', (c: Buffer) => run.stderr.push(c.toString('utf8')));
  if (process.env.MANIFOLD_E2E_ECHO === '1') proc.stdout?.on('data', (c: Buffer) => process.stderr.write(`[loop] ${c.toString('utf8')}`));
  return run;
}

const common = ['--repo', '', '--report', '--kubeconfig', fleet.kubeconfigPath];
const withRepo = (): string[] => common.map((a, i) => (i === 1 ? work : a));

async function once(extra: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  const run = manifold(['reconcile', '--once', ...withRepo(), ...extra]);
  const code = await run.exit;
  return { code, out: run.stdout.join(''), err: run.stderr.join('') };
}

const ready = (s: ClusterStatus | undefined) => s?.conditions.find((c) => c.type === 'Ready');

// ---- tests -------------------------------------------------------------------------

describe('the reconcile loop with a frozen member', () => {
  it('healthy clusters converge on each new commit within a few intervals; the report does not wait; SIGTERM is quick and writes the converged clusters', async () => {
    const c1 = commitRendered(on(names, () => base('1')), 'rendered 1');
    const loop = manifold(['reconcile', ...withRepo(), '--interval', '1s', '--request-timeout', '2s', '--listen', '127.0.0.1:0', '--allow-mass-prune']);
    await waitFor('every cluster Synced at commit 1', async () => {
      const r = await report();
      return names.every((c) => r.get(c)?.renderedCommit === c1 && r.get(c)?.result === 'Synced') ? true : undefined;
    }, 120_000);

    await fleet.control.freezeApiServer(m3);
    const figures: { commit: string; appliedMs: number; reportedMs: number }[] = [];
    try {
      // Two commits while m3 stays frozen: not a one-off, every round.
      for (const version of ['2', '3']) {
        const commit = commitRendered(on(names, () => base(version)), `rendered ${version}`);
        const t0 = Date.now();
        await Promise.all([m1, m2].map((c) => waitFor(`${c} at ${version}`, async () => ((await liveVersion(c)) === version ? true : undefined), 60_000, 50)));
        const appliedMs = Date.now() - t0;
        await waitFor(`report of ${version} for the healthy clusters`, async () => {
          const r = await report();
          return [m1, m2].every((c) => r.get(c)?.renderedCommit === commit && r.get(c)?.result === 'Synced') ? true : undefined;
        }, 60_000, 50);
        figures.push({ commit: commit.slice(0, 12), appliedMs, reportedMs: Date.now() - t0 });
        // 1 s interval: the next tick plus a reconcile of three objects, never the frozen member's timeouts.
        expect(appliedMs).toBeLessThan(8_000);
        expect(Date.now() - t0).toBeLessThan(10_000);
      }
      process.stderr.write(`loop with ${m3} frozen (--interval 1s, --request-timeout 2s): ${JSON.stringify(figures)}\n`);

      // The frozen member is reported as what it is, keeping what it last applied.
      const frozen = await waitFor(`${m3} reported Unreachable`, async () => {
        const s = (await report()).get(m3);
        return s?.result === 'Unreachable' ? s : undefined;
      }, 30_000);
      expect(frozen.objects).toEqual([]);
      expect(frozen.lastApplied?.renderedCommit).toBe(c1);
      expect(frozen.lastApplied?.objects?.map((o) => o.name).sort()).toEqual(['app', 'loop-e2e', 'settings']);
      expect(ready(frozen)?.message).toMatch(/no answer within 2 s/);
      const readme = git(work, 'show', `${STATUS_REF}:README.md`);
      expect(readme).toContain(`| [${m3}](clusters/${m3}.json) | \`${c1.slice(0, 12)}\` |`);
      expect(readme).not.toContain(`### ${m1}`);

      // SIGTERM while m3 is still frozen: well within the example's terminationGracePeriodSeconds (30 s).
      const c4 = commitRendered(on(names, () => base('4')), 'rendered 4');
      await Promise.all([m1, m2].map((c) => waitFor(`${c} at 4`, async () => ((await liveVersion(c)) === '4' ? true : undefined), 30_000, 50)));
      const t1 = Date.now();
      loop.proc.kill('SIGTERM');
      expect(await loop.exit).toBe(0);
      const shutdownMs = Date.now() - t1;
      process.stderr.write(`SIGTERM with ${m3} frozen: exited after ${shutdownMs} ms\n`);
      expect(shutdownMs).toBeLessThan(15_000);
      const after = await report();
      for (const c of [m1, m2]) expect(after.get(c)).toMatchObject({ renderedCommit: c4, result: 'Synced' });
      expect(after.get(m3)).toMatchObject({ result: 'Unreachable', lastApplied: { renderedCommit: c1 } });
    } finally {
      await fleet.control.thawApiServer(m3);
    }
  });
});

describe('a cluster that leaves the fleet', () => {
  it('is Orphaned with what still runs there (nothing deleted) without --allow-mass-prune, Orphaned with the last known objects when unreachable, and decommissioned with it', async () => {
    commitRendered(on(names, () => base('5')), 'rendered 5');
    const first = await once(['--allow-mass-prune']);
    expect(first.code, first.err).toBe(0);
    expect(await liveVersion(m3)).toBe('5');

    // m3 leaves the inventory: render no longer writes its folder.
    const left = commitRendered(on([m1, m2], () => base('6')), 'rendered 6: m3 left the fleet');
    const guarded = await once([]);
    expect(guarded.code, guarded.out + guarded.err).toBe(1);
    expect(guarded.out).toMatch(new RegExp(`${m3}\\s+Orphaned\\s+cluster "${m3}" left the fleet .* 3 Manifold-managed object\\(s\\) still run there: prune refused`));
    expect(await liveVersion(m3)).toBe('5'); // nothing deleted
    let r = await report();
    expect(r.get(m3)).toMatchObject({ result: 'Orphaned', renderedCommit: left, summary: { objects: 3 } });
    expect(r.get(m3)?.objects.map((o) => `${o.kind}/${o.name}:${o.action}`).sort()).toEqual(['ConfigMap/app:skipped', 'ConfigMap/settings:skipped', 'Namespace/loop-e2e:skipped']);
    expect(git(work, 'show', `${STATUS_REF}:README.md`)).toMatch(new RegExp(`\\| \\[${m3}\\].*👻 Orphaned`));
    for (const c of [m1, m2]) expect(r.get(c)).toMatchObject({ result: 'Synced', renderedCommit: left });

    // Unreachable: still Orphaned, with the objects last known to run there.
    await fleet.control.freezeApiServer(m3);
    try {
      const unreachable = await once(['--request-timeout', '1s', '--cluster-timeout', '20s']);
      expect(unreachable.code, unreachable.out + unreachable.err).toBe(3);
    } finally {
      await fleet.control.thawApiServer(m3);
    }
    r = await report();
    expect(r.get(m3)).toMatchObject({ result: 'Orphaned', objects: [], conditions: [expect.objectContaining({ reason: 'Unreachable' })] });
    expect(r.get(m3)?.lastApplied?.objects?.map((o) => o.name).sort()).toEqual(['app', 'loop-e2e', 'settings']);

    // With consent: pruned, the ApplySet parent deleted, the status file removed.
    const pruned = await once(['--allow-mass-prune']);
    expect(pruned.code, pruned.out + pruned.err).toBe(0);
    expect(pruned.out).toContain(`${m3}`);
    expect(await clients.get(m3)?.get(cm, NS, 'app')).toBeUndefined();
    expect(await clients.get(m3)?.get(secrets, DEFAULT_PARENT.namespace, DEFAULT_PARENT.name)).toBeUndefined();
    r = await report();
    expect(r.has(m3)).toBe(false);
    expect(git(work, 'log', '-1', '--format=%B', STATUS_REF)).toContain(`${m3}: decommissioned`);
    expect(git(work, 'show', `${STATUS_REF}:README.md`)).not.toContain(`[${m3}]`);
    for (const c of [m1, m2]) expect(await liveVersion(c)).toBe('6');

    // Forgotten: the next run does not touch it again.
    const quiet = await once([]);
    expect(quiet.code, quiet.out + quiet.err).toBe(0);
    expect(quiet.out).not.toContain(m3);
  });
});

describe('exit codes against a real API server', () => {
  it('an object the API server rejects (invalid value) is "not converged" (1), the rest of the tree is applied', async () => {
    const dir = path.join(tmp, 'rendered-invalid');
    const objects: JsonObject[] = [
      namespace('exit-e2e'),
      configMap('fine', '1', 'exit-e2e'),
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'negative', namespace: 'exit-e2e' },
        spec: { replicas: -1, selector: { matchLabels: { app: 'n' } }, template: { metadata: { labels: { app: 'n' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } } },
      },
    ];
    for (const o of objects) {
      const meta = o.metadata as JsonObject;
      const file = path.join(dir, m1, meta.namespace ? `namespaces/${String(meta.namespace)}` : 'cluster', `${String(o.kind)}_${String(meta.name)}.yaml`);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, dump(o));
    }
    const run = manifold(['reconcile', '--once', '--dir', dir, '--cluster', m1, '--kubeconfig', fleet.kubeconfigPath, '--no-prune', '-o', 'json']);
    const code = await run.exit;
    const out = JSON.parse(run.stdout.join('')) as { clusters: ClusterStatus[] };
    const status = out.clusters[0];
    expect(code, run.stderr.join('')).toBe(1);
    expect(status).toMatchObject({ cluster: m1, result: 'Failed', summary: { failed: 1 } });
    expect(ready(status)?.reason).toBe('ObjectsRejected');
    const negative = status?.objects.find((o) => o.name === 'negative');
    expect(negative).toMatchObject({ action: 'failed', message: expect.stringMatching(/spec\.replicas: Invalid value: -1/) });
    expect(await liveVersion(m1, 'fine', 'exit-e2e')).toBe('1');
  });
});
