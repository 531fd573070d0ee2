// Progressive rollout in waves on the real test fleet (issue 15): a source
// with three Karmada Clusters named after the fleet's members, a Deployment
// propagated to all three and a RolloutPolicy of three waves (one cluster
// each, minHealthySeconds 5, the third wave with requireApproval), rendered
// with `manifold render --commit`, reconciled by `manifold reconcile` loops
// (child processes) that write the report branch of the same repository.
//   - a good change walks the waves in order, each after minHealthySeconds
//     of report time (measured: rendered commit → last wave applied, against
//     the sum of the waits);
//   - approval blocks the third wave until `manifold rollout approve`;
//   - a bad change (an image the fleet's kwok keeps unready: kwok-stages.yaml)
//     halts at wave 1: waves 2–3 keep the old commit and stay healthy, the
//     report branch records the halt (rollouts/web.json, README line);
//   - abort returns wave 1 to the commit before;
//   - one reconciler per cluster (as pull-mode agents run) decide the same
//     allowed commits as each other for the same report commit.
// Shared fleet: objects live in namespace rollout-e2e under the default
// ApplySet parent, so the loops pass --allow-mass-prune to take over what an
// earlier e2e file left there (as loop.e2e.test.ts does).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rolloutStatus } from '../../src/app/rollout.ts';
import { openRepository } from '../../src/git/repo.ts';
import { type ApiResource, KubeClient } from '../../src/reconcile/kube.ts';
import { readReport } from '../../src/reconcile/report.ts';
import type { ClusterStatus } from '../../src/reconcile/types.ts';
import { useFleet } from '../fleet/e2e.ts';

const fleet = useFleet();
const names = fleet.clusters.map((c) => c.name);
const [m1, m2, m3] = names as [string, string, string];
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NS = 'rollout-e2e';
const STATUS = 'manifold/status';
const WAIT_S = 5;
const BAD_IMAGE = 'manifold.test/never-ready:1';
const tmp = mkdtempSync(path.join(tmpdir(), 'manifold-rollout-e2e-'));
const work = path.join(tmp, 'work');
const GIT_ENV = { PATH: process.env.PATH, HOME: tmp, GIT_AUTHOR_NAME: 'Ann', GIT_AUTHOR_EMAIL: 'ann@example.com', GIT_COMMITTER_NAME: 'Ann', GIT_COMMITTER_EMAIL: 'ann@example.com', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const clients = new Map<string, KubeClient>();
const children: ChildProcess[] = [];
const git = (...args: string[]): string => execFileSync('git', ['-C', work, ...args], { env: GIT_ENV, encoding: 'utf8' });

// ---- the source ----------------------------------------------------------------------

const inventory = names.map((n) => `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${n}\nspec:\n  syncMode: Push\n`).join('---\n');
// Karmada's samples/nginx shape; the namespace follows the Deployment.
const app = (version: string, image = 'registry.k8s.io/pause:3.10'): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${NS}
  labels: {app: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, version: "${version}"}
    spec:
      containers:
      - {name: web, image: "${image}"}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: web, namespace: ${NS}}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
  placement: {clusterAffinity: {clusterNames: [${names.join(', ')}]}}
`;
const policy = `apiVersion: manifold.dev/v1alpha1
kind: RolloutPolicy
metadata: {name: web}
spec:
  waves:
  - {name: canary, clusters: [${m1}], minHealthySeconds: ${WAIT_S}}
  - {name: early, clusters: [${m2}], minHealthySeconds: ${WAIT_S}}
  - {name: late, clusters: [${m3}], requireApproval: true}
`;

function manifold(args: readonly string[], label = 'cli'): { proc: ChildProcess; out: string[]; err: string[]; exit: Promise<number | null> } {
  const proc = spawn(process.execPath, [path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: work, env: GIT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  const run = { proc, out: [] as string[], err: [] as string[], exit: new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code))) };
  proc.stdout?.on('data', (c: Buffer) => run.out.push(c.toString('utf8')));
  proc.stderr?.on('data', (c: Buffer) => run.err.push(c.toString('utf8')));
  if (process.env.MANIFOLD_E2E_ECHO === '1') proc.stderr?.on('data', (c: Buffer) => process.stderr.write(`[${label}] ${c.toString('utf8')}`));
  return run;
}

async function cli(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const run = manifold(args);
  const code = await run.exit;
  return { code, out: run.out.join(''), err: run.err.join('') };
}

/** Commits the source and renders it to manifold/rendered; returns the rendered commit. */
async function release(version: string, image?: string): Promise<string> {
  writeFileSync(path.join(work, 'app.yaml'), app(version, image));
  git('add', '-A');
  git('commit', '-qm', `web ${version}`);
  const r = await cli('render', '.', '--commit');
  expect(r.code, r.err).toBe(0);
  return git('rev-parse', 'manifold/rendered').trim();
}

async function report(): Promise<Map<string, ClusterStatus>> {
  const tip = git('for-each-ref', '--format=%(objectname)', `refs/heads/${STATUS}`).trim();
  return tip === '' ? new Map() : readReport(openRepository(work), tip);
}

const deployments = { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, verbs: [] } satisfies ApiResource;
async function liveVersion(cluster: string): Promise<string | undefined> {
  const d = await clients.get(cluster)?.get(deployments, NS, 'web');
  return ((d?.spec as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined)?.template?.metadata?.labels ?? {}).version;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 90_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const syncedAt = async (cluster: string, commit: string): Promise<boolean> => {
  const s = (await report()).get(cluster);
  return s?.renderedCommit === commit && s.result === 'Synced';
};

/** When each cluster first ran version v (polled live state). */
async function appliedTimes(versions: Record<string, string>, timeoutMs: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  await waitFor(
    `versions ${JSON.stringify(versions)}`,
    async () => {
      for (const [c, v] of Object.entries(versions)) if (seen[c] === undefined && (await liveVersion(c)) === v) seen[c] = Date.now();
      return Object.keys(seen).length === Object.keys(versions).length ? true : undefined;
    },
    timeoutMs,
    100,
  );
  return seen;
}

const loopArgs = ['reconcile', '--repo', '.', '--report', '--interval', '1s', '--wait', '--timeout', '8s', '--allow-mass-prune', '--listen', '127.0.0.1:0'];

beforeAll(async () => {
  mkdirSync(work);
  git('init', '-q', '-b', 'main');
  writeFileSync(path.join(work, 'clusters.yaml'), inventory);
  writeFileSync(path.join(work, 'rollout.yaml'), policy);
  for (const c of names) clients.set(c, KubeClient.create(c, { mode: 'kubeconfig', kubeconfigPath: fleet.kubeconfigPath, context: c }));
});

afterAll(async () => {
  for (const p of children) if (p.exitCode === null) p.kill('SIGKILL');
  await Promise.all([...clients.values()].map((c) => c.close()));
  rmSync(tmp, { recursive: true, force: true });
});

describe('a rollout in three waves on the real fleet', () => {
  it('walks a good change wave by wave, waits for approval, halts a bad change at wave 1 and aborts it back', async () => {
    const c1 = await release('1');
    expect((await cli('rollout', 'approve', 'late')).code).toBe(0);
    const loop = manifold([...loopArgs, '--kubeconfig', fleet.kubeconfigPath], 'push');
    try {
      await waitFor('every cluster Synced at the first commit', async () => (await Promise.all(names.map((c) => syncedAt(c, c1)))).every(Boolean), 120_000);

      // A good change, approved at once: the waves go in order, each after minHealthySeconds.
      const c2 = await release('2');
      const t0 = Date.now();
      expect((await cli('rollout', 'approve', 'late')).code).toBe(0);
      const applied = await appliedTimes({ [m1]: '2', [m2]: '2', [m3]: '2' }, 120_000);
      const lastMs = (applied[m3] as number) - t0;
      const waits = 2 * WAIT_S * 1000;
      process.stderr.write(
        `rollout of a good change over 3 waves: m1 after ${(applied[m1] as number) - t0} ms, m2 after ${(applied[m2] as number) - t0} ms, m3 after ${lastMs} ms; configured waits ${waits} ms; overhead ${lastMs - waits} ms\n`,
      );
      expect(applied[m2] as number).toBeGreaterThanOrEqual((applied[m1] as number) + WAIT_S * 1000);
      expect(applied[m3] as number).toBeGreaterThanOrEqual((applied[m2] as number) + WAIT_S * 1000);
      await waitFor('m3 Synced at 2', () => syncedAt(m3, c2));

      // Approval blocks the last wave until given.
      const c3 = await release('3');
      await waitFor('m2 Synced at 3', () => syncedAt(m2, c3), 90_000);
      await new Promise((r) => setTimeout(r, (WAIT_S + 3) * 1000));
      expect(await liveVersion(m3)).toBe('2');
      const held = await rolloutStatus({ repo: work, status: STATUS, renderedBranch: 'manifold/rendered' });
      expect(held.clusters.find((c) => c.cluster === m3)).toMatchObject({ allowed: c2, gate: 'approval' });
      expect((await cli('rollout', 'approve', 'late')).code).toBe(0);
      await waitFor('m3 Synced at 3 after approval', () => syncedAt(m3, c3), 60_000);

      // A bad change halts at wave 1; waves 2-3 stay healthy at the old commit.
      const c4 = await release('4', BAD_IMAGE);
      expect((await cli('rollout', 'approve', 'late')).code).toBe(0);
      await waitFor('m1 Degraded at 4', async () => {
        const s = (await report()).get(m1);
        return s?.renderedCommit === c4 && s.result === 'Degraded';
      }, 90_000);
      await new Promise((r) => setTimeout(r, (WAIT_S + 3) * 1000));
      const after = await report();
      for (const c of [m2, m3]) {
        expect(after.get(c)).toMatchObject({ renderedCommit: c3, result: 'Synced' });
        expect(await liveVersion(c)).toBe('3');
      }
      // Halted is a steady state: the report branch does not grow a commit per tick.
      const count = (): number => Number(git('rev-list', '--count', STATUS).trim());
      const before = count();
      await new Promise((r) => setTimeout(r, 5_000));
      process.stderr.write(`report commits in 5 s while halted: ${count() - before}\n`);
      // (member1's Degraded retries may still change its own status file once; a state-file commit per tick would be five.)
      expect(count() - before).toBeLessThanOrEqual(2);
      const state = JSON.parse(git('show', `${STATUS}:rollouts/web.json`)) as { state: string; reason: string };
      expect(state.state).toBe('Halted');
      expect(state.reason).toContain(`${m1} Degraded`);
      expect(git('show', `${STATUS}:README.md`)).toMatch(/🛑 Rollout \[web\]\(rollouts\/web\.json\): \*\*Halted\*\*/);
      const text = await cli('rollout', 'status', '--status', STATUS);
      process.stderr.write(`manifold rollout status (halted):\n${text.out}\n`);
      if (process.env.MANIFOLD_E2E_ECHO === '1') process.stderr.write(`README.md:\n${git('show', `${STATUS}:README.md`)}\nrollouts/web.json:\n${git('show', `${STATUS}:rollouts/web.json`)}\n${git('log', '--format=%h %an %ad %s', '--date=iso', '-12', STATUS)}\n`);

      // Abort: wave 1 goes back to the commit before the bad one.
      const abort = await cli('rollout', 'abort');
      expect(abort.code, abort.err).toBe(0);
      await waitFor('m1 Synced at 3 again after abort', () => syncedAt(m1, c3), 90_000);
      expect(await liveVersion(m1)).toBe('3');
      expect((JSON.parse(git('show', `${STATUS}:rollouts/web.json`)) as { state: string }).state).toBe('Aborted');

      loop.proc.kill('SIGTERM');
      expect(await loop.exit).toBe(0);
    } finally {
      if (loop.proc.exitCode === null) loop.proc.kill('SIGKILL');
    }
  });

  it('one reconciler per cluster (pull-mode agents) agree on every allowed commit for the same report commit', async () => {
    const agents = names.map((c) => manifold([...loopArgs, '--kubeconfig', fleet.kubeconfigPath, '--cluster', c], `agent-${c}`));
    try {
      const c5 = await release('5');
      expect((await cli('rollout', 'approve', 'late')).code).toBe(0);
      await waitFor('every cluster Synced at 5', async () => (await Promise.all(names.map((c) => syncedAt(c, c5)))).every(Boolean), 150_000);
    } finally {
      for (const a of agents) a.proc.kill('SIGTERM');
      await Promise.all(agents.map((a) => a.exit));
    }
    // Every gate decision each agent logged, by the report commit it was made on.
    const decisions = new Map<string, Map<string, string>>();
    let compared = 0;
    for (const [i, a] of agents.entries()) {
      for (const line of [...a.out, ...a.err].join('').split('\n')) {
        if (!line.includes('"rollout":"web"')) continue;
        const entry = JSON.parse(line) as { reportCommit?: string; target: string; allowed: Record<string, string | null> };
        if (entry.reportCommit === undefined) continue;
        const key = `${entry.target} ${entry.reportCommit}`;
        const seen = decisions.get(key) ?? new Map<string, string>();
        for (const other of seen.values()) {
          expect(JSON.stringify(entry.allowed), `agent ${names[i]} on report ${entry.reportCommit}`).toBe(other);
          compared++;
        }
        seen.set(String(i), JSON.stringify(entry.allowed));
        decisions.set(key, seen);
        // And the same as `rollout status` computes from that report commit.
        const again = await rolloutStatus({ repo: work, status: entry.reportCommit, renderedBranch: 'manifold/rendered', commit: entry.target });
        expect(Object.fromEntries(again.clusters.map((c) => [c.cluster, c.allowed ?? null]))).toEqual(entry.allowed);
      }
    }
    process.stderr.write(`pull-mode agents: ${decisions.size} report commits decided on, ${compared} cross-agent comparisons, all equal\n`);
    expect(decisions.size).toBeGreaterThan(2);
  });
});
