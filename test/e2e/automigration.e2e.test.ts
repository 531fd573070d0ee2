// KubeAdmiral auto-migration on the real fleet (issue 14 item 4: "a
// KubeAdmiral fleet where one cluster has too few nodes → unschedulable
// replicas migrate"). The kwok nodes have known capacities (test/fleet/fleet.ts
// fakeNodeAllocatable: member1 2 × 8 CPUs, member2 2 × 4, member3 2 × 2).
//
// A KubeAdmiral source divides `web` (15 replicas of 1 CPU) evenly over the
// three members, weight 1 each, with autoMigration after 5 s, as upstream's
// e2e test does (test/e2e/automigration/automigration.go). member3 holds 4 of
// its 5 pods; the fifth stays Pending, PodScheduled=False (Unschedulable),
// by the real kube-scheduler. The reconciler loop (`--report --failover`)
// reports it with the time it became unschedulable, and once it has been so
// for 5 s the decision caps member3 at 4 and proposes the fifth replica
// elsewhere, on manifold/failover/member3.
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
const NS = 'automigration-e2e';
const tmp = mkdtempSync(path.join(tmpdir(), 'manifold-automigration-e2e-'));
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
  const cluster = (n: string) =>
    `apiVersion: core.kubeadmiral.io/v1alpha1\nkind: FederatedCluster\nmetadata:\n  name: ${n}\nspec:\n  apiEndpoint: https://${n}.invalid:6443\n  secretRef:\n    name: ${n}\n`;
  writeFileSync(path.join(source, 'clusters.yaml'), names.map(cluster).join('---\n'));
  const placement = names.map((n) => `    - cluster: ${n}\n      preferences: {weight: 1}\n`).join('');
  writeFileSync(
    path.join(source, 'policy.yaml'),
    `apiVersion: core.kubeadmiral.io/v1alpha1\nkind: PropagationPolicy\nmetadata:\n  name: spread\n  namespace: ${NS}\nspec:\n  schedulingMode: Divide\n  placement:\n${placement}  autoMigration:\n    when:\n      podUnschedulableFor: 5s\n`,
  );
  writeFileSync(
    path.join(source, 'app.yaml'),
    [
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n`,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ${NS}\n  labels:\n    kubeadmiral.io/propagation-policy-name: spread\nspec:\n  replicas: 15\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: main\n        image: registry.k8s.io/pause:3.10\n        resources:\n          requests: {cpu: "1", memory: 256Mi}\n`,
    ].join('---\n'),
  );
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

afterAll(() => {
  for (const p of children) if (p.exitCode === null) p.kill('SIGKILL');
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

const replicas = (ref: string, cluster: string): number => Number(/replicas: (\d+)/.exec(tryGit(work, 'show', `${ref}:${cluster}/namespaces/${NS}/Deployment.apps/web.yaml`) ?? '')?.[1] ?? 0);
const webOn = (cluster: string): { unschedulable: number; unschedulableSince?: string[] } | undefined => {
  const text = tryGit(work, 'show', `manifold/status:clusters/${cluster}.json`);
  if (text === undefined) return undefined;
  const s = JSON.parse(text) as { live?: { workloads?: Array<{ kind: string; name: string; unschedulable: number; unschedulableSince?: string[] }> } };
  return s.live?.workloads?.find((w) => w.kind === 'Deployment' && w.name === 'web');
};

describe('KubeAdmiral auto-migration on the real fleet', () => {
  it('member3 lacks room for its 5th pod: reported unschedulable with its time, then proposed on another member after podUnschedulableFor', async () => {
    expect([replicas('manifold/rendered', m1), replicas('manifold/rendered', m2), replicas('manifold/rendered', m3)]).toEqual([5, 5, 5]);
    startLoop();
    const stuck = await waitFor('the unschedulable pod on member3 in the report', () => {
      const web = webOn(m3);
      return web !== undefined && web.unschedulable === 1 ? web : undefined;
    }, 240_000);
    expect(stuck.unschedulableSince).toHaveLength(1);
    const branch = `manifold/failover/${m3}`;
    const commit = await waitFor('the auto-migration proposal', () => tryGit(work, 'rev-parse', '--verify', '-q', `refs/heads/${branch}`), 120_000);
    const message = git(work, 'log', '-1', '--format=%B', commit);
    console.log(message);
    expect(message.split('\n')[0]).toBe(`manifold: auto-migration from ${m3} (1 workload moved)`);
    expect(message).toContain(`${m3}: Deployment ${NS}/web has 1 pod unschedulable for more than 5s (KubeAdmiral autoMigration).`);
    expect(message).toContain(`Manifold-Auto-Migration: ${m3}`);
    const after: [number, number, number] = [replicas(commit, m1), replicas(commit, m2), replicas(commit, m3)];
    expect(after[2]).toBe(4);
    expect(after[0] + after[1]).toBe(11);
    // The proposal is made from the rendered branch and the loop's clock was past the threshold.
    expect(git(work, 'rev-parse', `${commit}^`)).toBe(git(work, 'rev-parse', 'manifold/rendered'));
    expect(Date.parse(git(work, 'log', '-1', '--format=%cI', commit))).toBeGreaterThanOrEqual(Date.parse(stuck.unschedulableSince?.[0] ?? '') + 5000);
  }, 600_000);
});
