// A sharded reconciler on real parts, for test/e2e/shards.e2e.test.ts and
// bench/shard-bench.ts (issue 17):
//   - a fleet of API-server-only clusters sharing one etcd: "hub" (holds the
//     Leases) and member1..N;
//   - a real git smart-HTTP server with one bare repository: the rendered
//     branch (one namespace and K ConfigMaps per member) and the report branch;
//   - reconciler replicas as separate processes (`node src/cli/main.ts
//     reconcile --shard-leases …`), each with its own probe/metrics port and
//     its JSON log kept for checks.
// Nothing here is mocked: the replicas only meet through the hub's Leases and
// the git server.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { startGitHttpServer, type GitHttpServer } from '../git/http-server.ts';
import { type Fleet, freePorts, startFleet } from './fleet.ts';
import { kubeRequest, sleep, waitFor } from './kube.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const LEASE_NAMESPACE = 'manifold-system';
const TOKEN = 'shard-e2e-token-0123456789';
const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

export interface ShardedFleetOptions {
  members: number;
  objectsPerCluster: number;
  leaseDuration: string;
  renewInterval: string;
  interval: string;
  /** More `manifold reconcile` flags for every replica (e.g. --drift-interval). */
  extraArgs?: readonly string[];
  log?: (line: string) => void;
}

export interface LogLine {
  time: string;
  msg: string;
  cluster?: string;
  result?: string;
  durationMs?: number;
  renderedCommit?: string;
  clusters?: string[];
}

export interface Replica {
  identity: string;
  port: number;
  proc: ChildProcess;
  lines: LogLine[];
  exit: Promise<number | null>;
}

export interface LeaseView {
  name: string;
  cluster?: string | undefined;
  holder: string;
  transitions: number;
  renewTime?: string | undefined;
  resourceVersion: string;
}

const git = (dir: string, ...args: string[]): string => execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, encoding: 'utf8' });

export class ShardedFleet {
  readonly replicas = new Map<string, Replica>();
  readonly members: string[];
  readonly fleet: Fleet;
  readonly server: GitHttpServer;
  readonly tmp: string;
  readonly work: string;
  readonly bare: string;
  readonly opts: ShardedFleetOptions;
  private constructor(fleet: Fleet, server: GitHttpServer, tmp: string, work: string, bare: string, opts: ShardedFleetOptions) {
    this.fleet = fleet;
    this.server = server;
    this.tmp = tmp;
    this.work = work;
    this.bare = bare;
    this.opts = opts;
    this.members = fleet.clusters.map((c) => c.name).filter((n) => n !== 'hub');
  }

  static async start(opts: ShardedFleetOptions): Promise<ShardedFleet> {
    const names = ['hub', ...Array.from({ length: opts.members }, (_, i) => `member${i + 1}`)];
    const fleet = await startFleet({ names, controllerManager: false, kwokNodes: 0, log: opts.log });
    const tmp = mkdtempSync(path.join(tmpdir(), 'manifold-shards-'));
    const root = path.join(tmp, 'git');
    mkdirSync(root);
    const bare = path.join(root, 'fleet.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bare], { env: GIT_ENV });
    const server = await startGitHttpServer({ root, token: TOKEN });
    const work = path.join(tmp, 'work');
    mkdirSync(work);
    git(work, 'init', '-q', '-b', 'manifold/rendered');
    git(work, 'remote', 'add', 'origin', bare);
    const hub = fleet.cluster('hub');
    const ns = await kubeRequest(hub, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LEASE_NAMESPACE } });
    if (ns.status !== 201 && ns.status !== 409) throw new Error(`creating namespace ${LEASE_NAMESPACE} in the hub: ${ns.status} ${ns.body}`);
    return new ShardedFleet(fleet, server, tmp, work, bare, opts);
  }

  get remote(): string {
    return `${this.server.url}/fleet.git`;
  }

  /** Commits one folder per member (a namespace and K ConfigMaps whose data says `version`) and pushes it. */
  commitRendered(version: string): string {
    for (const c of this.members) rmSync(path.join(this.work, c), { recursive: true, force: true });
    for (const c of this.members) {
      const dir = path.join(this.work, c);
      mkdirSync(path.join(dir, 'cluster', 'Namespace'), { recursive: true });
      writeFileSync(path.join(dir, 'cluster', 'Namespace', 'shards-e2e.yaml'), dump({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shards-e2e' } }));
      mkdirSync(path.join(dir, 'namespaces', 'shards-e2e', 'ConfigMap'), { recursive: true });
      for (let i = 0; i < this.opts.objectsPerCluster; i++) {
        const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'shards-e2e' }, data: { version, cluster: c } };
        writeFileSync(path.join(dir, 'namespaces', 'shards-e2e', 'ConfigMap', `cm-${i}.yaml`), dump(cm));
      }
    }
    git(this.work, 'add', '-A');
    git(this.work, 'commit', '-q', '--allow-empty', '-m', `rendered ${version}`);
    git(this.work, 'push', '-q', '-f', 'origin', 'manifold/rendered');
    return git(this.work, 'rev-parse', 'HEAD').trim();
  }

  /** Starts one replica as its own process. */
  async startReplica(identity: string, env: Record<string, string> = {}): Promise<Replica> {
    const [port] = (await freePorts(1)) as [number];
    const args = [
      path.join(ROOT, 'src', 'cli', 'main.ts'),
      'reconcile',
      '--remote',
      this.remote,
      '--report',
      '--kubeconfig',
      this.fleet.kubeconfigPath,
      '--shard-leases',
      LEASE_NAMESPACE,
      '--hub-context',
      'hub',
      '--shard-identity',
      identity,
      '--lease-duration',
      this.opts.leaseDuration,
      '--renew-interval',
      this.opts.renewInterval,
      '--interval',
      this.opts.interval,
      '--request-timeout',
      '3s',
      '--listen',
      `127.0.0.1:${port}`,
      ...(this.opts.extraArgs ?? []),
    ];
    const home = path.join(this.tmp, `home-${identity}`);
    mkdirSync(home, { recursive: true });
    const proc = spawn(process.execPath, args, { cwd: home, env: { PATH: process.env.PATH, HOME: home, MANIFOLD_GIT_TOKEN: TOKEN, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const replica: Replica = { identity, port, proc, lines: [], exit: new Promise((resolve) => proc.on('exit', (code) => resolve(code))) };
    let rest = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      const text = rest + chunk.toString('utf8');
      const parts = text.split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        if (line.trim() === '') continue;
        try {
          replica.lines.push(JSON.parse(line) as LogLine);
        } catch {
          // not a log line
        }
      }
    });
    const stderr: string[] = [];
    proc.stderr?.on('data', (c: Buffer) => stderr.push(c.toString('utf8')));
    proc.on('exit', (code) => {
      if (code !== 0 && code !== null) this.opts.log?.(`replica ${identity} exited ${code}: ${stderr.join('').slice(-2000)}`);
    });
    this.replicas.set(identity, replica);
    return replica;
  }

  /** The Leases in the hub's namespace (cluster Leases carry the cluster in an annotation). */
  async leases(): Promise<LeaseView[]> {
    const r = await kubeRequest(this.fleet.cluster('hub'), 'GET', `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases`, undefined, { timeoutMs: 5_000 });
    if (r.status !== 200) throw new Error(`listing Leases: ${r.status}`);
    const items = (JSON.parse(r.body) as { items: { metadata: { name: string; resourceVersion: string; annotations?: Record<string, string> }; spec: { holderIdentity?: string; leaseTransitions?: number; renewTime?: string } }[] }).items;
    return items.map((l) => ({
      name: l.metadata.name,
      cluster: l.metadata.annotations?.['manifold.dev/cluster'],
      holder: l.spec.holderIdentity ?? '',
      transitions: l.spec.leaseTransitions ?? 0,
      renewTime: l.spec.renewTime,
      resourceVersion: l.metadata.resourceVersion,
    }));
  }

  /** cluster → holder, for the members. */
  async holders(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const l of await this.leases()) if (l.cluster !== undefined) out.set(l.cluster, l.holder);
    return out;
  }

  /** Writes a Lease by hand (kubectl edit): holderIdentity set to `holder`. */
  async editLease(cluster: string, holder: string): Promise<void> {
    const hub = this.fleet.cluster('hub');
    const name = `manifold-cluster-${cluster}`;
    const r = await kubeRequest(hub, 'GET', `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases/${name}`);
    const lease = JSON.parse(r.body) as { spec: Record<string, unknown> };
    lease.spec.holderIdentity = holder;
    const w = await kubeRequest(hub, 'PUT', `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases/${name}`, lease);
    if (w.status !== 200) throw new Error(`editing Lease ${name}: ${w.status} ${w.body}`);
  }

  /** What the member holds now: the version of its ConfigMaps (undefined when missing or mixed). */
  async liveVersion(cluster: string): Promise<string | undefined> {
    const r = await kubeRequest(this.fleet.cluster(cluster), 'GET', '/api/v1/namespaces/shards-e2e/configmaps', undefined, { timeoutMs: 5_000 });
    if (r.status !== 200) return undefined;
    const items = (JSON.parse(r.body) as { items: { data?: Record<string, string> }[] }).items;
    const versions = new Set(items.map((i) => i.data?.version));
    return items.length === this.opts.objectsPerCluster && versions.size === 1 ? [...versions][0] : undefined;
  }

  /** The status files on the report branch of the bare repository: cluster → { result, renderedCommit }. */
  report(): Map<string, { result: string; renderedCommit: string }> {
    const out = new Map<string, { result: string; renderedCommit: string }>();
    let files: string;
    try {
      files = execFileSync('git', ['-C', this.bare, 'ls-tree', '--name-only', 'refs/heads/manifold/status', 'clusters/'], { env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return out;
    }
    for (const file of files.split('\n').filter((f) => f.endsWith('.json'))) {
      const s = JSON.parse(execFileSync('git', ['-C', this.bare, 'show', `refs/heads/manifold/status:${file}`], { env: GIT_ENV, encoding: 'utf8' })) as { cluster: string; result: string; renderedCommit: string };
      out.set(s.cluster, { result: s.result, renderedCommit: s.renderedCommit });
    }
    return out;
  }

  /** Waits until every member runs `version` (appliedMs), then until the report says Synced at `commit` for each (reportedMs). */
  async waitConverged(version: string, commit: string, timeoutMs: number): Promise<{ appliedMs: number; reportedMs: number }> {
    const t0 = Date.now();
    await waitFor(
      `every member at ${version}`,
      async () => ((await Promise.all(this.members.map((c) => this.liveVersion(c)))).every((v) => v === version) ? true : undefined),
      timeoutMs,
      250,
    );
    const appliedMs = Date.now() - t0;
    await waitFor(
      `every member reported Synced at ${commit.slice(0, 12)}`,
      async () => {
        const r = this.report();
        return this.members.every((c) => r.get(c)?.renderedCommit === commit && r.get(c)?.result === 'Synced') ? true : undefined;
      },
      timeoutMs,
      250,
    );
    return { appliedMs, reportedMs: Date.now() - t0 };
  }

  /** Scrapes a replica's /metrics (undefined when it does not answer). */
  async metrics(identity: string): Promise<string | undefined> {
    const r = this.replicas.get(identity);
    if (r === undefined) return undefined;
    try {
      const res = await fetch(`http://127.0.0.1:${r.port}/metrics`, { signal: AbortSignal.timeout(3_000) });
      return await res.text();
    } catch {
      return undefined;
    }
  }

  async readyz(identity: string): Promise<number | undefined> {
    const r = this.replicas.get(identity);
    try {
      return (await fetch(`http://127.0.0.1:${r?.port}/readyz`, { signal: AbortSignal.timeout(3_000) })).status;
    } catch {
      return undefined;
    }
  }

  /** Resident memory of a replica process (KiB). */
  rssKiB(identity: string): number {
    const pid = this.replicas.get(identity)?.proc.pid;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    } catch {
      return 0;
    }
  }

  /**
   * Requests the member API servers served so far (apiserver_request_total,
   * summed over every member): all of them, and those on the resources the
   * reconciler touches here (configmaps, namespaces, secrets — the ApplySet
   * parent); the rest is mostly the API server's own traffic (its identity
   * Lease every 10 s, APF configuration, the kubernetes Service).
   */
  async memberRequests(): Promise<{ all: number; reconciler: number }> {
    let all = 0;
    let reconciler = 0;
    for (const c of this.members) {
      const r = await kubeRequest(this.fleet.cluster(c), 'GET', '/metrics', undefined, { timeoutMs: 10_000 });
      for (const line of r.body.split('\n')) {
        if (!line.startsWith('apiserver_request_total{')) continue;
        const n = Number(line.slice(line.lastIndexOf(' ') + 1));
        all += n;
        if (/resource="(configmaps|namespaces|secrets)"/.test(line)) reconciler += n;
      }
    }
    return { all, reconciler };
  }

  /**
   * Every reconcile of every replica, from its log lines (`<cluster>: <result>`
   * lines carry durationMs; the line's time is the end): [start, end] per
   * cluster and replica.
   */
  reconciles(): { replica: string; cluster: string; start: number; end: number }[] {
    const out: { replica: string; cluster: string; start: number; end: number }[] = [];
    for (const r of this.replicas.values()) {
      for (const l of r.lines) {
        if (l.cluster === undefined || l.durationMs === undefined || l.result === undefined) continue;
        const end = Date.parse(l.time);
        out.push({ replica: r.identity, cluster: l.cluster, start: end - l.durationMs, end });
      }
    }
    return out;
  }

  /** Pairs of reconciles of one cluster by two replicas that overlapped in time. */
  overlaps(): string[] {
    const all = this.reconciles().sort((a, b) => a.start - b.start);
    const found: string[] = [];
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        const a = all[i] as (typeof all)[number];
        const b = all[j] as (typeof all)[number];
        if (b.start >= a.end) continue;
        if (a.cluster === b.cluster && a.replica !== b.replica) found.push(`${a.cluster}: ${a.replica} [${new Date(a.start).toISOString()}, ${new Date(a.end).toISOString()}] and ${b.replica} [${new Date(b.start).toISOString()}, ${new Date(b.end).toISOString()}]`);
      }
    }
    return found;
  }

  async stop(): Promise<void> {
    for (const r of this.replicas.values()) if (r.proc.exitCode === null) r.proc.kill('SIGKILL');
    await Promise.all([...this.replicas.values()].map((r) => Promise.race([r.exit, sleep(5_000)])));
    await this.server.close();
    await this.fleet.stop();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
