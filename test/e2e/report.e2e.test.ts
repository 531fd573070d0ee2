// The reconciler as a process (the esbuild bundle the image runs), on the
// real test fleet, reading the rendered branch from and writing the report
// branch to a real `git http-backend`:
//   - the container's command line (Dockerfile ENTRYPOINT + the push
//     Deployment's args) runs the loop: a missing rendered branch is logged
//     and retried, each new commit is applied to every cluster and reported,
//     /healthz /readyz /metrics answer; latency from push to applied;
//   - SIGTERM while a reconcile runs: cancelled after the grace period (report
//     unchanged) or finished within it (whole report); the branch is
//     consistent after each;
//   - pull mode: two agents under the example ServiceAccount RBAC, started at
//     the same moment, apply and prune their own cluster and both reports land;
//   - no report, log or commit holds a Secret value or a token.
// Shared fleet: every object lives in namespace rep-e2e; the agents use the
// default ApplySet parent, so the push loop passes --allow-mass-prune to take
// over what an earlier e2e file left under it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInMemory } from '../../scripts/build.ts';
import { openRepository } from '../../src/git/repo.ts';
import type { JsonObject } from '../../src/model/types.ts';
import { type ApiResource, KubeClient } from '../../src/reconcile/kube.ts';
import { fleetReadme, readReport } from '../../src/reconcile/report.ts';
import type { ClusterStatus } from '../../src/reconcile/types.ts';
import { useFleet } from '../fleet/e2e.ts';
import { renderKubeconfig } from '../fleet/fleet.ts';
import { startGitHttpServer, type GitHttpServer } from '../git/http-server.ts';
import { leaks, type Planted } from '../secrets/leaks.ts';

const fleet = useFleet();
const names = fleet.clusters.map((c) => c.name);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NS = 'rep-e2e';
const TOKEN = 'tok-e2e-report-Qw81xZ-4f7d';
const SECRET_VALUE = 'report-e2e-Secret-Value-7Hk2';
const INTRUDER_VALUE = 'intruder-Value-Report-9pL';
const STATUS_REF = 'refs/heads/manifold/status';
const tmp = mkdtempSync(path.join(tmpdir(), 'manifold-report-e2e-'));
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

let server: GitHttpServer;
let bare: string;
let work: string;
let url: string;
let bundle: string;
const clients = new Map<string, KubeClient>();
const agents: Agent[] = [];
const saTokens: string[] = [];
const latencies: { commit: string; appliedMs: number; reportedMs: number; reconcileMs: number; perCluster: Record<string, number> }[] = [];

const git = (dir: string, ...args: string[]): string => execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, encoding: 'utf8' });

beforeAll(async () => {
  const root = path.join(tmp, 'srv');
  mkdirSync(root);
  server = await startGitHttpServer({ root, token: TOKEN });
  bare = path.join(root, 'fleet.git');
  git(root, 'init', '-q', '--bare', '-b', 'main', 'fleet.git');
  url = `${server.url}/fleet.git`;
  work = path.join(tmp, 'work');
  mkdirSync(work);
  git(work, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(work, 'README.md'), 'fleet\n');
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'init');
  git(work, 'push', '-q', bare, 'main');
  git(work, 'checkout', '-q', '-b', 'manifold/rendered');
  const { contents } = await buildInMemory('manifold');
  bundle = path.join(tmp, 'image', 'manifold.js');
  mkdirSync(path.dirname(bundle));
  writeFileSync(bundle, contents);
  for (const c of names) clients.set(c, KubeClient.create(c, { mode: 'kubeconfig', kubeconfigPath: fleet.kubeconfigPath, context: c }));
}, 180_000);

afterAll(async () => {
  for (const a of agents) a.proc.kill('SIGKILL');
  await Promise.all([...clients.values()].map((c) => c.close()));
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

// ---- the rendered branch ----------------------------------------------------

const namespace = (): JsonObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
const configMap = (name: string, version: string): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data: { version } });
const secret = (): JsonObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: NS }, type: 'Opaque', stringData: { password: SECRET_VALUE } });
const stuckDeployment = (): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'stuck', namespace: NS },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'stuck' } },
    template: { metadata: { labels: { app: 'stuck' } }, spec: { nodeSelector: { 'no-such-node': 'true' }, containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10' }] } },
  },
});

/** Commits one tree per cluster (render layout) to manifold/rendered and pushes it to the server's repository. */
function pushRendered(trees: Record<string, JsonObject[]>, message: string): string {
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
  git(work, 'push', '-q', bare, 'manifold/rendered');
  return git(work, 'rev-parse', 'HEAD').trim();
}

const base = (version: string, extra: JsonObject[] = []): JsonObject[] => [namespace(), configMap('app', version), secret(), ...extra];
const everywhere = (objects: () => JsonObject[]): Record<string, JsonObject[]> => Object.fromEntries(names.map((c) => [c, objects()]));

// ---- agents (child processes) ------------------------------------------------

interface Agent {
  proc: ChildProcess;
  logs: Record<string, unknown>[];
  stdout: string[];
  stderr: string[];
  exit: Promise<number | null>;
}

function startAgent(argv: readonly string[], label: string): Agent {
  const [cmd, ...args] = argv as [string, ...string[]];
  const proc = spawn(cmd, args, { cwd: path.dirname(bundle), env: { PATH: process.env.PATH, HOME: tmp, MANIFOLD_GIT_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] });
  const agent: Agent = { proc, logs: [], stdout: [], stderr: [], exit: new Promise((resolve) => proc.on('exit', (code) => resolve(code))) };
  let pending = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    agent.stdout.push(chunk.toString('utf8'));
    pending += chunk.toString('utf8');
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        agent.logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // summary lines in --once mode
      }
      nl = pending.indexOf('\n');
    }
  });
  proc.stderr?.on('data', (chunk: Buffer) => agent.stderr.push(chunk.toString('utf8')));
  if (process.env.MANIFOLD_E2E_ECHO === '1') proc.stdout?.on('data', (c: Buffer) => process.stderr.write(`[${label}] ${c.toString('utf8')}`));
  agents.push(agent);
  return agent;
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

const waitLog = (a: Agent, what: string, pred: (l: Record<string, unknown>) => boolean, timeoutMs = 60_000) =>
  waitFor(what, () => a.logs.find(pred), timeoutMs);

async function http(urlText: string): Promise<{ status: number; body: string }> {
  const res = await fetch(urlText);
  return { status: res.status, body: await res.text() };
}

// ---- reading the report branch -------------------------------------------------

function statusTip(): string | undefined {
  const out = git(bare, 'for-each-ref', '--format=%(objectname)', STATUS_REF).trim();
  return out === '' ? undefined : out;
}

async function report(tip = statusTip()): Promise<Map<string, ClusterStatus>> {
  if (tip === undefined) return new Map();
  return readReport(openRepository(bare), tip);
}

/** Every status file parses with the schema, README.md is exactly the table of those files, git fsck is clean. */
async function expectConsistentReport(): Promise<void> {
  const tip = statusTip();
  expect(tip).toBeDefined();
  const files = git(bare, 'ls-tree', '--name-only', `${tip}:clusters`).trim().split('\n');
  const statuses = await report(tip);
  expect(statuses.size).toBe(files.length);
  expect(git(bare, 'show', `${tip}:README.md`)).toBe(fleetReadme([...statuses.values()]));
  git(bare, 'fsck', '--strict', '--no-dangling');
}

const cm = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, verbs: [] } satisfies ApiResource;
const secrets = { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, verbs: [] } satisfies ApiResource;

async function liveVersion(cluster: string, name = 'app'): Promise<string | undefined> {
  const obj = await clients.get(cluster)?.get(cm, NS, name);
  return ((obj?.data ?? {}) as Record<string, string>).version;
}

// ---- the container's command line --------------------------------------------------

function dockerExec(keyword: 'ENTRYPOINT'): string[] {
  const line = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').split('\n').filter((l) => l.startsWith(`${keyword} `)).at(-1) as string;
  return JSON.parse(line.slice(keyword.length + 1)) as string[];
}

function deploymentArgs(mode: 'push' | 'pull'): string[] {
  const docs = loadAll(readFileSync(path.join(ROOT, 'examples', 'deploy', mode, 'deployment.yaml'), 'utf8')) as { spec: { template: { spec: { containers: { args: string[] }[] } } } }[];
  return docs[0]?.spec.template.spec.containers[0]?.args ?? [];
}

/**
 * ENTRYPOINT + the Deployment's args with this machine's paths: node and the
 * bundle for the image's, the test server for the example URL, a scratch
 * folder for the emptyDir, the fleet kubeconfig for the mounted Secret,
 * loopback port 0 for :8080, and the overrides given.
 */
function containerCommand(mode: 'push' | 'pull', state: string, overrides: Record<string, string>, extra: string[] = []): string[] {
  const args = deploymentArgs(mode).map((a) =>
    a === 'https://github.com/example-org/fleet.git' ? url : a === '/var/lib/manifold/repo' ? path.join(state, 'repo') : a === '/etc/manifold/credentials/kubeconfig' ? fleet.kubeconfigPath : a === ':8080' ? '127.0.0.1:0' : a,
  );
  for (const [flag, value] of Object.entries(overrides)) {
    const i = args.indexOf(flag);
    if (i < 0) args.push(flag, value);
    else args[i + 1] = value;
  }
  const entry = dockerExec('ENTRYPOINT').map((a) => (a === '/nodejs/bin/node' ? process.execPath : a === '/app/dist/manifold.js' ? bundle : a));
  return [...entry, ...args, ...extra];
}

function listenUrl(a: Agent): string | undefined {
  const started = a.logs.find((l) => l.msg === 'manifold reconcile: loop started');
  return typeof started?.listen === 'string' ? started.listen : undefined;
}

// ---- tests -------------------------------------------------------------------------

describe('manifold reconcile loop on the fleet (report branch over HTTP)', () => {
  it('the container command line: waits for the rendered branch, applies each new commit everywhere, reports, serves probes and metrics, stops on SIGTERM', async () => {
    const state = path.join(tmp, 'push-state'); // the emptyDir: does not exist yet
    // 1 s polling instead of the example's 60 s, so the test (and the latency figure) do not wait a minute.
    const agent = startAgent(containerCommand('push', state, { '--interval': '1s' }, ['--allow-mass-prune']), 'push');
    const base_ = await waitFor('the probe server', () => listenUrl(agent), 30_000);
    const missing = await waitLog(agent, 'missing-branch error', (l) => l.level === 'error');
    expect(missing.msg).toMatch(/cannot read the rendered trees: the rendered branch manifold\/rendered does not exist in http:\/\/127\.0\.0\.1:\d+\/fleet\.git/);
    expect(await http(`${base_}/healthz`)).toEqual({ status: 200, body: 'ok\n' });
    expect(await http(`${base_}/readyz`)).toEqual({ status: 503, body: 'first reconcile not finished\n' });

    const first = pushRendered(everywhere(() => base('1')), 'rendered 1');
    await waitFor('readiness after the first reconcile', async () => ((await http(`${base_}/readyz`)).status === 200 ? true : undefined), 120_000);
    for (const c of names) expect(await liveVersion(c)).toBe('1');
    const r1 = await waitFor('report of commit 1', async () => {
      const r = await report();
      return names.every((c) => r.get(c)?.renderedCommit === first) ? r : undefined;
    });
    for (const c of names) expect(r1.get(c)).toMatchObject({ result: 'Synced', summary: { objects: 3 } });
    await expectConsistentReport();

    // New commits: time from the push until every cluster has the new object, and until the report says so.
    // MANIFOLD_LATENCY_SAMPLES=10 for the benchmark figure (bench/RESULTS.md).
    const samples = Math.max(3, Number(process.env.MANIFOLD_LATENCY_SAMPLES ?? 3));
    for (const version of Array.from({ length: samples }, (_, i) => `s${i + 2}`)) {
      const commit = pushRendered(everywhere(() => base(version)), `rendered ${version}`);
      const t0 = Date.now();
      const perCluster: Record<string, number> = {};
      await Promise.all(
        names.map(async (c) => {
          await waitFor(`${c} at version ${version}`, async () => ((await liveVersion(c)) === version ? true : undefined), 120_000, 50);
          perCluster[c] = Date.now() - t0;
        }),
      );
      const appliedMs = Date.now() - t0;
      const reported = await waitFor(`report of ${version}`, async () => {
        const r = await report();
        return names.every((c) => r.get(c)?.renderedCommit === commit) ? r : undefined;
      }, 60_000, 50);
      const reportedMs = Date.now() - t0;
      const reconcileMs = Math.max(...[...reported.values()].map((s) => s.durationMs));
      latencies.push({ commit: commit.slice(0, 12), appliedMs, reportedMs, reconcileMs, perCluster });
    }
    await expectConsistentReport();

    const metrics = await http(`${base_}/metrics`);
    expect(metrics.status).toBe(200);
    for (const c of names) {
      expect(metrics.body).toMatch(new RegExp(`manifold_objects_applied_total\\{cluster="${c}"\\} [1-9]`));
      expect(metrics.body).toContain(`manifold_cluster_result{cluster="${c}",result="Synced"} 1`);
      expect(metrics.body).toMatch(new RegExp(`manifold_reconcile_duration_seconds_count\\{cluster="${c}",result="Synced"\\} [1-9]`));
      expect(metrics.body).toContain(`manifold_drifted_objects{cluster="${c}"} 0`);
    }
    expect(metrics.body).toMatch(/manifold_report_commits_total [1-9]/);
    expect(metrics.body).toContain('manifold_loop_errors_total{stage="source"}');

    agent.proc.kill('SIGTERM');
    expect(await agent.exit).toBe(0);
    expect(agent.logs.at(-1)?.msg).toBe('manifold reconcile: stopped');
    process.stderr.write(`reconcile loop latency (${names.length} clusters, --interval 1s): ${JSON.stringify(latencies)}\n`);
    if (process.env.MANIFOLD_BENCH_OUT) writeFileSync(process.env.MANIFOLD_BENCH_OUT, JSON.stringify({ clusters: names.length, latencies }, null, 2));
  });

  it('SIGTERM during a reconcile: cancelled after the grace period leaves the report as it was; finished within it writes a whole report', async () => {
    const before = statusTip();
    // A Deployment that can never be scheduled keeps `--wait` busy until it is cancelled.
    const stuck = pushRendered(everywhere(() => base('5', [stuckDeployment()])), 'rendered 5 (stuck)');
    const cancelled = startAgent(containerCommand('push', path.join(tmp, 'sigterm-a'), { '--interval': '1s', '--shutdown-grace': '1s' }, ['--wait', '--timeout', '5m']), 'sigterm-a');
    const probes = await waitFor('the probe server', () => listenUrl(cancelled), 30_000);
    await waitLog(cancelled, 'the reconcile to start', (l) => typeof l.msg === 'string' && l.msg.startsWith(`rendered trees at ${stuck.slice(0, 12)}`));
    await waitFor('the new ConfigMap applied (reconcile under way)', async () => ((await liveVersion(names[0] as string)) === '5' ? true : undefined), 60_000);
    const t0 = Date.now();
    cancelled.proc.kill('SIGTERM');
    await waitLog(cancelled, 'the signal to be handled', (l) => l.msg === 'shutdown requested: readiness now fails', 5_000);
    expect(await http(`${probes}/readyz`)).toEqual({ status: 503, body: 'shutting down\n' });
    expect(await cancelled.exit).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(cancelled.logs.some((l) => /^shutdown: the in-flight reconcile of .+ was cancelled; the report branch keeps its previous report/.test(String(l.msg)))).toBe(true);
    expect(statusTip()).toBe(before);
    await expectConsistentReport();

    // Within the grace period: the run finishes (the stuck Deployment is pruned) and its report is complete.
    const next = pushRendered(everywhere(() => base('6')), 'rendered 6');
    const finishing = startAgent(containerCommand('push', path.join(tmp, 'sigterm-b'), { '--interval': '1s' }, ['--allow-mass-prune']), 'sigterm-b');
    await waitLog(finishing, 'the reconcile to start', (l) => typeof l.msg === 'string' && l.msg.startsWith(`rendered trees at ${next.slice(0, 12)}`));
    finishing.proc.kill('SIGTERM');
    expect(await finishing.exit).toBe(0);
    expect(finishing.logs.some((l) => String(l.msg).startsWith('report: '))).toBe(true);
    const r = await report();
    for (const c of names) expect(r.get(c)).toMatchObject({ renderedCommit: next, result: 'Synced' });
    await expectConsistentReport();
  });

  it('pull mode: two agents under the example RBAC start together, each applies and prunes its own cluster, both reports land', async () => {
    const [m1, m2] = names as [string, string];
    const pullDocs = ['namespace.yaml', 'serviceaccount.yaml', 'rbac.yaml'].flatMap(
      (f) => loadAll(readFileSync(path.join(ROOT, 'examples', 'deploy', 'pull', f), 'utf8')) as JsonObject[],
    );
    const resources: Record<string, ApiResource> = {
      Namespace: { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, verbs: [] },
      ServiceAccount: { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, verbs: [] },
      ClusterRole: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, verbs: [] },
      ClusterRoleBinding: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false, verbs: [] },
    };
    const kubeconfigs = new Map<string, string>();
    for (const c of [m1, m2]) {
      const admin = clients.get(c) as KubeClient;
      for (const doc of pullDocs) await admin.apply(resources[String(doc.kind)] as ApiResource, doc, { fieldManager: 'e2e-setup' });
      const res = await admin.request<JsonObject>('POST', '/api/v1/namespaces/manifold-system/serviceaccounts/manifold-agent/token', {
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } }),
        contentType: 'application/json',
      });
      const token = String((res.body.status as JsonObject).token);
      saTokens.push(token);
      const info = fleet.clusters.find((x) => x.name === c);
      if (info === undefined) throw new Error(c);
      const file = path.join(tmp, `sa-${c}.kubeconfig`);
      writeFileSync(file, renderKubeconfig([{ name: c, server: info.server, caPem: info.caPem, token }]));
      kubeconfigs.set(c, file);
    }
    // Someone edits the Secret in m1: the agent reports (masked) and corrects the drift.
    await clients.get(m1)?.request('PATCH', KubeClient.path(secrets, NS, 'creds'), {
      query: { fieldManager: 'intruder' },
      body: JSON.stringify({ stringData: { password: INTRUDER_VALUE } }),
      contentType: 'application/merge-patch+json',
    });
    // Commit 7 adds a ConfigMap, commit 8 drops it: the agents must prune under the example ClusterRole.
    pushRendered(everywhere(() => base('7', [configMap('old', '7')])), 'rendered 7');
    const others = await report();
    const pull = (c: string) =>
      startAgent(
        [
          ...containerCommand('pull', path.join(tmp, `pull-${c}`), { '--cluster': c }, ['--once', '--kubeconfig', kubeconfigs.get(c) as string]).filter((a) => a !== '--in-cluster'),
        ],
        `pull-${c}`,
      );
    const seven = [pull(m1), pull(m2)];
    expect(await Promise.all(seven.map((a) => a.exit)), seven.map((a) => a.stderr.join('')).join('\n')).toEqual([0, 0]);
    for (const c of [m1, m2]) expect(await liveVersion(c, 'old')).toBe('7');
    const afterSeven = await report();
    expect(afterSeven.get(m1)?.objects.find((o) => o.kind === 'Secret')?.drift).toEqual([{ path: '/data/password', before: '***', after: '***' }]);

    const eight = pushRendered(everywhere(() => base('8')), 'rendered 8');
    const agentsNow = [pull(m1), pull(m2)];
    expect(await Promise.all(agentsNow.map((a) => a.exit)), agentsNow.map((a) => a.stderr.join('')).join('\n')).toEqual([0, 0]);
    for (const c of [m1, m2]) {
      expect(await liveVersion(c)).toBe('8');
      expect(await clients.get(c)?.get(cm, NS, 'old')).toBeUndefined();
    }
    const r = await report();
    for (const c of [m1, m2]) expect(r.get(c)).toMatchObject({ renderedCommit: eight, result: 'Synced', summary: { pruned: 1 } });
    // Each agent wrote only its own file: the other clusters' statuses are byte-for-byte what they were.
    for (const c of names.slice(2)) expect(r.get(c)).toEqual(others.get(c));
    // Both agents of each round committed (one of them after a lost race, fetched and re-applied).
    const subjects = git(bare, 'log', '--format=%s', '-4', 'manifold/status').trim().split('\n');
    expect(subjects.filter((s) => s.startsWith(`manifold: status ${m1} `))).toHaveLength(2);
    expect(subjects.filter((s) => s.startsWith(`manifold: status ${m2} `))).toHaveLength(2);
    await expectConsistentReport();
  });

  it('no report, log or commit holds a Secret value, a token or a credential', () => {
    expect(agents.length).toBeGreaterThanOrEqual(7);
    const logs = agents.map((a) => `${a.stdout.join('')}${a.stderr.join('')}`).join('\n');
    const reportHistory = git(bare, 'log', '-p', '--format=%H%n%an <%ae>%n%B', 'manifold/status');
    const refs = git(bare, 'for-each-ref');
    expect(reportHistory).toContain('clusters/');
    // Every encoding of each: raw, percent-encoded, base64 and base64url at any alignment (test/secrets/leaks.ts).
    const planted: Planted = { gitToken: TOKEN, secretValue: SECRET_VALUE, intruderValue: INTRUDER_VALUE };
    saTokens.forEach((t, i) => (planted[`service account token ${i}`] = t));
    for (const c of fleet.clusters) {
      planted[`${c.name} token`] = c.token;
      planted[`${c.name} client key`] = c.clientKeyPem.split('\n')[1] ?? c.clientKeyPem;
    }
    expect(leaks({ logs, 'report branch': reportHistory, refs }, planted)).toEqual({});
  });
});
