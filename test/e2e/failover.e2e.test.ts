// Failover and failback on the real fleet (issue 14 items 3–4): the
// reconciler loop (`manifold reconcile --repo --report --failover SOURCE`,
// a child process) applies a Karmada source rendered to manifold/rendered,
// writes the live state to manifold/status and decides failover after each
// report. The kwok nodes have known capacities (test/fleet/fleet.ts
// fakeNodeAllocatable: member1 2 × 8 CPUs, member2 2 × 4, member3 2 × 2).
//
// Two workloads divided evenly, every pod 1 CPU: `web` (critical, 9
// replicas: 3 per cluster) and `batch` (non-critical, 3: 1 per cluster);
// member3 (4 CPUs) is then full. member1's API server is stopped: once Ready
// has been ClusterNotReachable for the grace period (10 s here, after
// Karmada's 30 s failure threshold), a proposal appears on
// manifold/failover/member1: web 5 + 4 on member2 and member3, batch
// degraded 3 → 2, and the web replica member3 cannot hold reported. Merged,
// member1 restarted: after the success threshold and the grace period, the
// failback proposal puts everything back, nothing degraded.
// The time from the stop to the proposal commit, grace excluded, is printed.
// Relies on the live state the reconciler collects (issue 14 item 1: the
// report's `live` block with Ready and resourceSummary).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearWorkloads, useFleet } from '../fleet/e2e.ts';

const fleet = useFleet();
const names = fleet.clusters.map((c) => c.name);
const [m1, m2, m3] = names as [string, string, string];
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(ROOT, 'src', 'cli', 'main.ts');
const NS = 'failover-e2e';
const GRACE_SECONDS = 10;
const tmp = mkdtempSync(path.join(tmpdir(), 'manifold-failover-e2e-'));
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const children: ChildProcess[] = [];
let work: string;
let source: string;
let loopLog = '';

const git = (dir: string, ...args: string[]): string => execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const tryGit = (dir: string, ...args: string[]): string | undefined => {
  try {
    return git(dir, ...args);
  } catch {
    return undefined;
  }
};

function writeSource(): void {
  source = path.join(tmp, 'source');
  mkdirSync(source);
  const clusters = names.map((n) => `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${n}\nspec:\n  syncMode: Push\n`).join('---\n');
  writeFileSync(path.join(source, 'clusters.yaml'), clusters);
  const deployment = (name: string, criticality: string, replicas: number) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${NS}\n  annotations:\n    manifold.dev/criticality: ${criticality}\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      containers:\n      - name: main\n        image: registry.k8s.io/pause:3.10\n        resources:\n          requests: {cpu: "1", memory: 256Mi}\n`;
  writeFileSync(path.join(source, 'app.yaml'), [`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n`, deployment('web', 'critical', 9), deployment('batch', 'non-critical', 3)].join('---\n'));
  writeFileSync(
    path.join(source, 'policy.yaml'),
    `apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata:\n  name: spread\n  namespace: ${NS}\nspec:\n  resourceSelectors:\n  - {apiVersion: apps/v1, kind: Deployment}\n  placement:\n    replicaScheduling:\n      replicaSchedulingType: Divided\n      replicaDivisionPreference: Weighted\n`,
  );
  writeFileSync(path.join(source, 'manifold.yaml'), `apiVersion: manifold.dev/v1alpha1\nkind: Project\nspec:\n  failover:\n    gracePeriodSeconds: ${GRACE_SECONDS}\n`);
}

beforeAll(async () => {
  // The assertions are capacity arithmetic: workloads earlier e2e files left on the shared fleet would count.
  await clearWorkloads(fleet, names);
  work = path.join(tmp, 'work');
  mkdirSync(work);
  git(work, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(work, 'README.md'), 'fleet\n');
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'init');
  writeSource();
  execFileSync(process.execPath, [CLI, 'render', source, '--commit', '--repo', work], { env: GIT_ENV, encoding: 'utf8' });
}, 240_000);

afterAll(async () => {
  for (const p of children) if (p.exitCode === null) p.kill('SIGKILL');
  await fleet.control.startApiServer(m1).catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
});

function startLoop(): ChildProcess {
  const args = ['reconcile', '--repo', work, '--report', '--failover', source, '--kubeconfig', fleet.kubeconfigPath, '--interval', '2s', '--drift-interval', '3s', '--listen', 'off', '--allow-mass-prune', '--request-timeout', '3s', '--cluster-timeout', '20s'];
  const proc = spawn(process.execPath, [CLI, ...args], { cwd: tmp, env: { PATH: process.env.PATH, HOME: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  proc.stdout?.on('data', (c: Buffer) => (loopLog += c.toString('utf8')));
  proc.stderr?.on('data', (c: Buffer) => (loopLog += c.toString('utf8')));
  return proc;
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${loopLog.split('\n').slice(-30).join('\n')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const proposal = () => tryGit(work, 'rev-parse', '--verify', '-q', `refs/heads/manifold/failover/${m1}`);
const statusOf = (cluster: string): { ready?: string; allocatedCpu?: string } | undefined => {
  const text = tryGit(work, 'show', `manifold/status:clusters/${cluster}.json`);
  if (text === undefined) return undefined;
  const s = JSON.parse(text) as { live?: { conditions: Array<{ type: string; reason: string }>; resourceSummary?: { allocated?: Record<string, string> } } };
  return { ready: s.live?.conditions.find((c) => c.type === 'Ready')?.reason, allocatedCpu: s.live?.resourceSummary?.allocated?.cpu };
};
const replicas = (ref: string, cluster: string, app: string): number =>
  Number(/replicas: (\d+)/.exec(tryGit(work, 'show', `${ref}:${cluster}/namespaces/${NS}/Deployment.apps/${app}.yaml`) ?? '')?.[1] ?? 0);

describe('failover on the real fleet', () => {
  it('member1 lost: a proposal after the grace period, batch degraded, the shortfall on member3 reported; restarted: failback proposed', async () => {
    startLoop();
    // Every member applied, its pods scheduled (member3 full: 4 pods of 1 CPU on 2 × 2 CPUs).
    await waitFor('live capacity of every member with the pods scheduled', () => (names.every((c) => statusOf(c)?.ready === 'ClusterReady' && statusOf(c)?.allocatedCpu === '4') ? true : undefined), 240_000);
    expect(proposal()).toBeUndefined();

    const stoppedAt = Date.now();
    await fleet.control.stopApiServer(m1);
    const commit = await waitFor('the failover proposal', proposal, 240_000);
    const proposedAt = Date.now();
    const detectionSeconds = (proposedAt - stoppedAt) / 1000 - GRACE_SECONDS;
    console.log(`failover e2e: API server stopped → proposal commit in ${((proposedAt - stoppedAt) / 1000).toFixed(1)} s, ${detectionSeconds.toFixed(1)} s without the ${GRACE_SECONDS} s grace period`);

    const message = git(work, 'log', '-1', '--format=%B', commit);
    console.log(message);
    expect(message.split('\n')[0]).toBe(`manifold: failover from ${m1} (2 workloads moved)`);
    expect(message).toMatch(new RegExp(`${m1} has been Ready=(False|Unknown) \\(ClusterNotReachable\\) since`));
    expect(message).toContain(`Degraded (the receivers lack capacity; non-critical workloads keep half):\n  Deployment ${NS}/batch: 3 → 2 replicas`);
    expect(message).toContain(`Does not fit (reported, not dropped: these replicas will stay Pending):\n  Deployment ${NS}/web: 1 replica on ${m3}`);
    expect(message).toContain(`  ${m3}: cpu 0m, `);
    expect([replicas(commit, m1, 'web'), replicas(commit, m2, 'web'), replicas(commit, m3, 'web')]).toEqual([0, 5, 4]);
    expect([replicas(commit, m1, 'batch'), replicas(commit, m2, 'batch'), replicas(commit, m3, 'batch')]).toEqual([0, 1, 1]);
    expect(git(work, 'rev-parse', `${commit}^`)).toBe(git(work, 'rev-parse', 'manifold/rendered'));

    // The reviewer merges; the loop applies it to member2 and member3.
    git(work, 'update-ref', 'refs/heads/manifold/rendered', commit);
    await fleet.control.startApiServer(m1);
    // Meanwhile member2's live capacity (with web's 5 pods) may show room for batch again: that proposal
    // (batch back on member2) is replaced on the same branch by the failback once member1 is back.
    const failback = await waitFor('the failback proposal', () => {
      const tip = proposal();
      return tip !== undefined && git(work, 'log', '-1', '--format=%s', tip).startsWith('manifold: failback') ? tip : undefined;
    }, 240_000);
    const back = git(work, 'log', '-1', '--format=%B', failback);
    console.log(back);
    expect(back.split('\n')[0]).toMatch(new RegExp(`^manifold: failback to ${m1} \\(2 workloads moved\\)`));
    expect([replicas(failback, m1, 'web'), replicas(failback, m2, 'web'), replicas(failback, m3, 'web')]).toEqual([3, 3, 3]);
    // member1 has room: nothing degraded any more, batch back to 3.
    expect(back).not.toContain('Degraded');
    expect([replicas(failback, m1, 'batch'), replicas(failback, m2, 'batch'), replicas(failback, m3, 'batch')]).toEqual([1, 1, 1]);
  }, 900_000);
});
