// The live state on the report branch (issue 14 item 1), collected by
// `manifold reconcile --once` (a child process: every run is a restart of the
// reconciler) from the real test fleet, whose kwok nodes have known
// capacities (test/fleet/fleet.ts fakeNodeAllocatable):
//   - Ready ClusterReady, nodeSummary, resourceSummary (allocatable from the
//     nodes, allocated from the scheduled pods, allocating from a pod no node
//     can take), apiEnablements and per-workload desired/ready/unschedulable;
//   - one member's API server stopped: Ready=False ClusterNotReachable with a
//     lastTransitionTime that the next run (a new process) keeps, and the last
//     known capacity kept beside it; started again: Ready with a new time;
//   - one frozen (SIGSTOP): ClusterNotReachable after the request timeout,
//     while the others are observed in the same run.
// Shared fleet: the objects live in namespace live-e2e under the default
// ApplySet parent (hence --allow-mass-prune, as loop.e2e.test.ts does).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRepository } from '../../src/git/repo.ts';
import { parseQuantity } from '../../src/model/quantity.ts';
import type { JsonObject } from '../../src/model/types.ts';
import { type ApiResource, KubeClient } from '../../src/reconcile/kube.ts';
import { readReport } from '../../src/reconcile/report.ts';
import type { ClusterStatus } from '../../src/reconcile/types.ts';
import { useFleet } from '../fleet/e2e.ts';
import { fakeNodeAllocatable } from '../fleet/fleet.ts';

const fleet = useFleet();
const names = fleet.clusters.map((c) => c.name);
const [m1, m2, m3] = names as [string, string, string];
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NS = 'live-e2e';
const STATUS_REF = 'refs/heads/manifold/status';
const tmp = mkdtempSync(path.join(tmpdir(), 'manifold-live-e2e-'));
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

const deployment = (name: string, replicas: number, requests: JsonObject): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: NS },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10', resources: { requests } }] } },
  },
});

/** Every cluster: two pods that fit; m1 also one that no node can take (100 CPUs). */
function objectsFor(cluster: string): JsonObject[] {
  const objects = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, deployment('fits', 2, { cpu: '500m', memory: '1Gi' })];
  if (cluster === m1) objects.push(deployment('too-big', 1, { cpu: '100', memory: '1Gi' }));
  return objects;
}

function commitRendered(message: string): void {
  for (const cluster of names) {
    rmSync(path.join(work, cluster), { recursive: true, force: true });
    for (const o of objectsFor(cluster)) {
      const meta = o.metadata as JsonObject;
      const rel = meta.namespace ? `namespaces/${String(meta.namespace)}/${String(o.kind)}/${String(meta.name)}.yaml` : `cluster/${String(o.kind)}/${String(meta.name)}.yaml`;
      const file = path.join(work, cluster, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, dump(o, { noRefs: true }));
    }
  }
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '--allow-empty', '-m', message);
}

async function report(): Promise<Map<string, ClusterStatus>> {
  const tip = git(work, 'for-each-ref', '--format=%(objectname)', STATUS_REF).trim();
  return tip === '' ? new Map() : readReport(openRepository(work), tip);
}

interface Once {
  code: number | null;
  out: string;
  err: string;
  /** "live state observed: N request(s) in M ms" lines of the debug log, per cluster. */
  costs: Array<{ cluster: string; requests: number; ms: number }>;
}

async function once(extra: readonly string[]): Promise<Once> {
  const args = ['reconcile', '--once', '--repo', work, '--report', '--kubeconfig', fleet.kubeconfigPath, '--log-level', 'debug', ...extra];
  const proc = spawn(process.execPath, [path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: tmp, env: { PATH: process.env.PATH, HOME: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  const out: string[] = [];
  const err: string[] = [];
  proc.stdout?.on('data', (c: Buffer) => out.push(c.toString('utf8')));
  proc.stderr?.on('data', (c: Buffer) => err.push(c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
  const costs: Once['costs'] = [];
  for (const line of err.join('').split('\n')) {
    const m = /"cluster":"([^"]+)".*"msg":"live state observed: (\d+) request\(s\) in (\d+) ms"/.exec(line);
    if (m) costs.push({ cluster: m[1] as string, requests: Number(m[2]), ms: Number(m[3]) });
  }
  return { code, out: out.join(''), err: err.join(''), costs };
}

const pods: ApiResource = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, verbs: [] };

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const podsOf = async (cluster: string, app: string): Promise<JsonObject[]> =>
  (await clients.get(cluster)?.list(pods, { namespace: NS, labelSelector: `app=${app}` })) ?? [];
const isRunning = (p: JsonObject): boolean => (p.status as JsonObject | undefined)?.phase === 'Running';
const isUnschedulable = (p: JsonObject): boolean =>
  ((p.status as JsonObject | undefined)?.conditions as JsonObject[] | undefined)?.some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable') === true;

/** What every scheduled, unfinished pod of the cluster requests, summed here the plain way (millicores, bytes). */
async function expectedAllocated(cluster: string): Promise<{ milliCPU: bigint; bytes: bigint; pods: number }> {
  const all = (await clients.get(cluster)?.list(pods)) ?? [];
  let milliCPU = 0n;
  let bytes = 0n;
  let count = 0;
  for (const p of all) {
    const spec = p.spec as JsonObject;
    const phase = (p.status as JsonObject | undefined)?.phase;
    if (typeof spec.nodeName !== 'string' || phase === 'Succeeded' || phase === 'Failed') continue;
    count++;
    for (const c of spec.containers as JsonObject[]) {
      const requests = ((c.resources as JsonObject | undefined)?.requests ?? {}) as Record<string, string>;
      if (requests.cpu !== undefined) milliCPU += parseQuantity(requests.cpu);
      if (requests.memory !== undefined) bytes += parseQuantity(requests.memory) / 1000n;
    }
  }
  return { milliCPU, bytes, pods: count };
}

const readyOf = (s: ClusterStatus | undefined) => s?.live?.conditions.find((c) => c.type === 'Ready');

describe('live state on the report branch', () => {
  it('capacity, served APIs and workloads as Karmada and KubeAdmiral read them; "unreachable since" survives a restart', async () => {
    commitRendered('live e2e');
    const first = await once(['--allow-mass-prune']);
    expect(first.code, first.out + first.err).toBe(0);
    // The controller manager makes the pods, the scheduler places them (or cannot), kwok runs them.
    for (const c of names) await waitFor(`2 Running pods of fits in ${c}`, async () => ((await podsOf(c, 'fits')).filter(isRunning).length === 2 ? true : undefined));
    await waitFor(`the too-big pod Unschedulable in ${m1}`, async () => ((await podsOf(m1, 'too-big')).some(isUnschedulable) ? true : undefined));
    // Ready replicas reach the Deployment's status a moment after the pods run.
    await new Promise((r) => setTimeout(r, 2_000));

    const observed = await once([]);
    expect(observed.code, observed.out + observed.err).toBe(0);
    let r = await report();
    const s1 = r.get(m1);
    expect(readyOf(s1)).toMatchObject({ status: 'True', reason: 'ClusterReady', lastTransitionTime: expect.any(String) });
    expect(s1?.live?.kubernetesVersion).toMatch(/^v1\.\d+\.\d+/);
    expect(s1?.live?.nodeSummary).toEqual({ totalNum: fleet.kwokNodes, readyNum: fleet.kwokNodes });
    for (const [i, c] of names.entries()) {
      const size = fakeNodeAllocatable(i);
      const n = BigInt(fleet.kwokNodes);
      const allocatable = r.get(c)?.live?.resourceSummary?.allocatable;
      expect(allocatable, c).toEqual({ cpu: String(BigInt(size.cpu) * n), memory: `${BigInt(parseInt(size.memory, 10)) * n}Gi`, pods: String(110n * n) });
    }
    // Allocating: exactly the pod no node can take; allocated: every scheduled pod's requests.
    expect(s1?.live?.resourceSummary?.allocating).toEqual({ cpu: '100', memory: '1Gi', pods: '1' });
    const expected = await expectedAllocated(m1);
    const allocated = s1?.live?.resourceSummary?.allocated ?? {};
    expect(parseQuantity(allocated.cpu ?? '0')).toBe(expected.milliCPU);
    expect(parseQuantity(allocated.memory ?? '0') / 1000n).toBe(expected.bytes);
    expect(allocated.pods).toBe(String(expected.pods));
    // KubeAdmiral's view: the schedulable nodes' allocatable without pods; available after every unfinished pod, the one no node can take included.
    expect(s1?.live?.resources).toMatchObject({ schedulableNodes: fleet.kwokNodes, allocatable: { cpu: String(BigInt(fakeNodeAllocatable(0).cpu) * BigInt(fleet.kwokNodes)), memory: `${BigInt(parseInt(fakeNodeAllocatable(0).memory, 10)) * BigInt(fleet.kwokNodes)}Gi` } });
    expect(parseQuantity(s1?.live?.resources?.available.cpu ?? '0')).toBe(parseQuantity(s1?.live?.resources?.allocatable.cpu ?? '0') - expected.milliCPU - 100_000n);
    expect(s1?.live?.workloads).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'fits', desired: 2, ready: 2, unschedulable: 0 },
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'too-big', desired: 1, ready: 0, unschedulable: 1, pods: 1, unschedulableSince: [expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)] },
    ]);
    const apps = s1?.live?.apiEnablements?.find((e) => e.groupVersion === 'apps/v1');
    expect(apps?.resources).toContainEqual({ name: 'deployments', kind: 'Deployment' });
    expect(s1?.live?.apiEnablements?.map((e) => e.groupVersion)).toEqual([...(s1?.live?.apiEnablements?.map((e) => e.groupVersion) ?? [])].sort());
    const readme = git(work, 'show', `${STATUS_REF}:README.md`);
    expect(readme).toContain(`| ✅ Ready since ${readyOf(s1)?.lastTransitionTime} | cpu ${allocated.cpu} / ${BigInt(fakeNodeAllocatable(0).cpu) * BigInt(fleet.kwokNodes)}, memory ${allocated.memory} /`);
    // MANIFOLD_E2E_REPORT_DIR=DIR keeps this report (docs/reconciler.md shows an excerpt of a real one).
    if (process.env.MANIFOLD_E2E_REPORT_DIR) {
      mkdirSync(process.env.MANIFOLD_E2E_REPORT_DIR, { recursive: true });
      writeFileSync(path.join(process.env.MANIFOLD_E2E_REPORT_DIR, 'README.md'), readme);
      writeFileSync(path.join(process.env.MANIFOLD_E2E_REPORT_DIR, `${m1}.json`), git(work, 'show', `${STATUS_REF}:clusters/${m1}.json`));
    }
    // Cost: one health check, /version, the LISTs of nodes and pods (discovery is the reconcile's).
    expect(observed.costs.length).toBe(names.length);
    for (const cost of observed.costs) expect(cost.requests).toBeLessThanOrEqual(5);
    process.stderr.write(`live observation cost per cluster: ${observed.costs.map((c) => `${c.cluster} ${c.requests} requests ${c.ms} ms`).join('; ')}\n`);

    // m3's API server goes away.
    const lastKnown = r.get(m3)?.live?.resourceSummary?.allocatable;
    await fleet.control.stopApiServer(m3);
    try {
      const down = await once(['--request-timeout', '2s', '--cluster-timeout', '30s']);
      expect(down.code, down.out + down.err).toBe(3);
      r = await report();
      const lost = readyOf(r.get(m3));
      expect(r.get(m3)?.result).toBe('Unreachable');
      expect(lost).toMatchObject({ status: 'False', reason: 'ClusterNotReachable', message: 'cluster is not reachable' });
      const since = lost?.lastTransitionTime as string;
      expect(Date.parse(since)).toBeGreaterThan(Date.parse(readyOf(s1)?.lastTransitionTime as string));
      // The last observed capacity stays, as Karmada keeps Cluster.status.
      expect(r.get(m3)?.live?.resourceSummary?.allocatable).toEqual(lastKnown);
      expect(git(work, 'show', `${STATUS_REF}:README.md`)).toContain(`| 🔌 ClusterNotReachable since ${since} |`);

      // A new reconciler process: still unreachable, still since the same time.
      const again = await once(['--request-timeout', '2s', '--cluster-timeout', '30s']);
      expect(again.code, again.out + again.err).toBe(3);
      r = await report();
      expect(readyOf(r.get(m3))).toMatchObject({ status: 'False', reason: 'ClusterNotReachable', lastTransitionTime: since });
    } finally {
      await fleet.control.startApiServer(m3);
    }

    // Back: Ready again, with a new transition time.
    const back = await once([]);
    expect(back.code, back.out + back.err).toBe(0);
    r = await report();
    const ready = readyOf(r.get(m3));
    expect(ready).toMatchObject({ status: 'True', reason: 'ClusterReady' });
    expect(Date.parse(ready?.lastTransitionTime as string)).toBeGreaterThan(Date.parse(readyOf(s1)?.lastTransitionTime as string));
  });

  it('a frozen API server (connections accepted, nothing answers) is ClusterNotReachable after the request timeout; the others are observed meanwhile', async () => {
    await fleet.control.freezeApiServer(m2);
    let run: Once;
    try {
      run = await once(['--request-timeout', '1s', '--cluster-timeout', '20s']);
    } finally {
      await fleet.control.thawApiServer(m2);
    }
    expect(run.code, run.out + run.err).toBe(3);
    const r = await report();
    expect(readyOf(r.get(m2))).toMatchObject({ status: 'False', reason: 'ClusterNotReachable' });
    expect(r.get(m2)?.live?.nodeSummary).toEqual({ totalNum: fleet.kwokNodes, readyNum: fleet.kwokNodes });
    // The frozen member held only its own worker: the others were observed in this run.
    expect(run.costs.map((c) => c.cluster).sort()).toEqual(names.filter((c) => c !== m2).sort());
  });
});
