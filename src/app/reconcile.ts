/**
 * The reconcile use case (DESIGN.md §4, docs/reconciler.md): from typed
 * options, build the loop runtime (src/reconcile/loop.ts) with its rendered
 * source, report branch, logger, probes and metrics, and run it: once
 * (`reconcileOnce`: the cluster statuses) or until stopped
 * (`startReconciler`: a handle whose `loop.stop()` ends it).
 *
 * No argument parsing, printing or process.exit: the front door
 * (src/cli/reconcile.ts) turns flags into these options, and statuses into
 * a summary and an exit code. Every run, once or not, goes through the
 * same loop, so all sources behave and log alike.
 */
import { existsSync, readdirSync } from 'node:fs';
import fs from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import git from 'isomorphic-git';
import PQueue from 'p-queue';
import { DEFAULT_BRANCH } from '../git/names.ts';
import { openRepository, type GitRepository } from '../git/repo.ts';
import { GitHubApi, type RepoRef } from '../github/api.ts';
import { CommitStatusReporter } from '../reconcile/commit-status.ts';
import { reconcileFleet, type FleetOptions, type FleetTarget } from '../reconcile/fleet.ts';
import { ClusterConfigError, kubeconfigSecrets, loadKubeConfig, type ClusterCredentials } from '../reconcile/kube.ts';
import { hubLeaseStore, ShardCoordinator } from '../reconcile/leases.ts';
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger, type Logger, type LoggerOptions } from '../reconcile/logger.ts';
import { ReconcileLoop, type IterationOutcome, type LoopConfig, type ReconcileOnce, type ReportStatuses } from '../reconcile/loop.ts';
import { ReconcilerMetrics } from '../reconcile/metrics.ts';
import { ReadyThresholds } from '../reconcile/live.ts';
import { readReportTip, writeReport, type ReportTarget } from '../reconcile/report.ts';
import { reportPageSource } from '../reconcile/report-page.ts';
import { ProbeState, startProbeServer, type ProbeServer, type StatusPageSource } from '../reconcile/server.ts';
import { gatedSource, ungatedSource } from './rollout.ts';
import { commitOf, folderSource, gitSource, readProvenanceAtCommit, sourceCommitFromProvenance, type ClusterTrees, type RenderedSnapshot, type RenderedSource } from '../reconcile/source.ts';
import type { ClusterStatus } from '../reconcile/types.ts';
import { MANIFOLD_VERSION } from '../version.ts';
import type { Notify } from './notices.ts';

/** The branch the reconciler reads: the one `render --commit` writes. */
export const DEFAULT_RENDERED_BRANCH = DEFAULT_BRANCH;

/** Where the rendered trees come from. */
export type ReconcileSource =
  /** A folder in the `manifold render --out` layout; `watch` reacts to its changes (chokidar). */
  | { kind: 'folder'; dir: string; watch: boolean }
  /**
   * The rendered branch of a local repository (`repo`), fetched from `remote`
   * at every tick when one is given (into a scratch bare repository without `repo`).
   */
  | { kind: 'git'; repo?: string | undefined; remote?: string | undefined; branch: string; prefix?: string | undefined; ref?: string | undefined };

export interface ReconcileOptions {
  source: ReconcileSource;
  /** Pull mode (or one cluster of the fleet): this process only ever looks after this cluster. */
  cluster?: string | undefined;
  /** In-cluster credentials (pull mode) instead of kubeconfig contexts. */
  inCluster: boolean;
  kubeconfig?: string | undefined;
  /** cluster → kubeconfig context, before the context the inventory names and the cluster name. */
  contexts: ReadonlyMap<string, string>;
  /** Token for the git remotes (source and report). */
  gitToken?: string | undefined;
  selfHeal: boolean;
  prune: boolean;
  allowMassPrune: boolean;
  wait: boolean;
  waitTimeoutMs: number;
  clusterTimeoutMs: number;
  /** A request without an answer for this long: the cluster is Unreachable (client default when absent). */
  requestTimeoutMs?: number | undefined;
  /** Clusters reconciled at once. */
  concurrency: number;
  /** One iteration, then stop (errors are thrown). */
  once: boolean;
  intervalMs: number;
  driftIntervalMs: number;
  shutdownGraceMs: number;
  /**
   * Write statuses to this report branch, pushed to `remote` (else the local
   * branch of the source repository; a folder source needs a remote).
   */
  report?: { branch: string; remote?: string | undefined } | undefined;
  /** A change of live allocated/allocating alone is written only this long after the stored observation (default 30 min). */
  liveRefreshMs?: number | undefined;
  /** Post a `manifold/<cluster>` commit status on each cluster's source commit (opt-in; reconcile/commit-status.ts). */
  commitStatus?: { apiUrl: string; repository: RepoRef; token: string; targetUrl?: string | undefined } | undefined;
  /**
   * After each report commit, decide failover from it (app/failover.ts) with
   * the policies of this source folder: a proposal branch beside the
   * rendered branch, or with `unattended` a commit on it. Needs a local
   * rendered branch (--repo) and report.
   */
  failover?: { source: string; unattended: boolean } | undefined;
  /** Serve /healthz, /readyz and /metrics here. */
  listen?: { host: string; port: number } | undefined;
  /** Share the clusters with other replicas through Leases in the hub (docs/reconciler.md "Sharding"). */
  shard?: ShardSettings | undefined;
  logLevel: NonNullable<LoggerOptions['level']>;
  logDestination: 'stdout' | 'stderr';
  /** Receives each JSON log line instead of the destination's file descriptor (the CLI keeps them clear of its progress line). */
  logWrite?: ((line: string) => void) | undefined;
  /** Progress notices (clusters done of all) for a front door that shows them. */
  notify?: Notify | undefined;
}

export interface ShardSettings {
  /** Namespace of the hub that holds the Leases. */
  namespace: string;
  identity: string;
  leaseDurationMs: number;
  renewIntervalMs: number;
  renewDeadlineMs: number;
  slack: number;
  /** The hub: in-cluster credentials, or a kubeconfig (default: --kubeconfig / $KUBECONFIG) and context (default: its current one). */
  hub: { mode: 'in-cluster' } | { mode: 'kubeconfig'; kubeconfigPath?: string | undefined; context?: string | undefined };
  /** Fault injection for tests (MANIFOLD_CLOCK_OFFSET_MS): this replica's wall clock is off by this much. */
  clockOffsetMs?: number | undefined;
}

export interface ReconcilerRuntime {
  loop: ReconcileLoop;
  logger: Logger;
  metrics: ReconcilerMetrics;
  probe: ProbeState;
  server?: ProbeServer | undefined;
  /** Resolves when the loop ended and the server closed. */
  done: Promise<IterationOutcome | undefined>;
}

export interface ReconcileOnceResult {
  /** One status per cluster reconciled in the iteration. */
  statuses: ClusterStatus[];
}

/** One iteration over every due cluster; errors reading the source or the report are thrown. */
export async function reconcileOnce(options: ReconcileOptions): Promise<ReconcileOnceResult> {
  const runtime = await startReconciler({ ...options, once: true });
  const outcome = await runtime.done;
  return { statuses: outcome?.statuses ?? [] };
}

/** Counts clusters started and finished and hands each change to `options.notify` as a progress notice. */
function clusterProgress(options: Pick<ReconcileOptions, 'notify'>): { started(inTree: number, count: number): void; finished(): void } {
  let total = 0;
  let started = 0;
  let done = 0;
  // Orphans (clusters gone from the tree) are started on top of the tree's clusters.
  const tell = () => options.notify?.({ kind: 'progress', step: 'reconcile', clusters: Math.max(total, started), clustersDone: done });
  return {
    started(inTree, count) {
      total = inTree;
      started += count;
      tell();
    },
    finished() {
      done++;
      tell();
    },
  };
}

/**
 * One worker per cluster: in-cluster credentials (pull mode) or a kubeconfig
 * context (push mode): `--context CLUSTER=CONTEXT` first, then the context the
 * inventory names (recorded in the tree's provenance), then the cluster name.
 */
export function fleetTargets(
  options: Pick<ReconcileOptions, 'inCluster' | 'kubeconfig' | 'contexts'>,
  trees: ReadonlyMap<string, ReadonlyMap<string, string>>,
  clusters: readonly string[],
  treeContexts: ReadonlyMap<string, string> = new Map(),
): FleetTarget[] {
  return clusters.map((cluster) => {
    const credentials: ClusterCredentials = options.inCluster
      ? { mode: 'in-cluster' }
      : { mode: 'kubeconfig', kubeconfigPath: options.kubeconfig, context: options.contexts.get(cluster) ?? treeContexts.get(cluster) ?? cluster };
    return { cluster, tree: trees.get(cluster) ?? new Map(), credentials };
  });
}

/** reconcileFleet options (the caller adds logging and cancellation). */
export function fleetOptions(options: ReconcileOptions, renderedCommit: string): FleetOptions {
  return {
    renderedCommit,
    kubeconfigPath: options.kubeconfig,
    selfHeal: options.selfHeal,
    prune: options.prune,
    allowMassPrune: options.allowMassPrune,
    wait: options.wait,
    waitTimeoutMs: options.waitTimeoutMs,
    clusterTimeoutMs: options.clusterTimeoutMs,
    concurrency: options.concurrency,
    ...(options.requestTimeoutMs === undefined ? {} : { clientOptions: { requestTimeoutMs: options.requestTimeoutMs } }),
  };
}

/** The repository for `repo`, or a fresh bare one (the container's emptyDir) when only a remote is given. */
async function gitRepositoryFor(repo: string | undefined, remote: string | undefined): Promise<GitRepository> {
  if (repo !== undefined) {
    const dir = path.resolve(repo);
    if (remote !== undefined && (!existsSync(dir) || readdirSync(dir).length === 0)) {
      await git.init({ fs, dir, bare: true, defaultBranch: 'main' });
    }
    return openRepository(dir, 'rendered repository');
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'manifold-reconcile-'));
  await git.init({ fs, dir, bare: true, defaultBranch: 'main' });
  return openRepository(dir, 'scratch repository');
}

/** Strings no log line may contain: the git token and the credentials the kubeconfig or the pod holds. */
async function knownSecrets(options: ReconcileOptions): Promise<string[]> {
  const secrets: string[] = [];
  if (options.gitToken !== undefined) secrets.push(options.gitToken);
  if (options.commitStatus !== undefined) secrets.push(options.commitStatus.token);
  const saToken = await readFile('/var/run/secrets/kubernetes.io/serviceaccount/token', 'utf8').catch(() => undefined);
  if (saToken !== undefined) secrets.push(saToken.trim());
  const kubeconfig = options.kubeconfig ?? process.env.KUBECONFIG?.split(path.delimiter)[0];
  if (kubeconfig !== undefined) {
    const text = await readFile(kubeconfig, 'utf8').catch(() => '');
    secrets.push(...kubeconfigSecrets(text));
  }
  return secrets;
}

/**
 * A `--context CLUSTER=…` for a cluster the tree does not have is most likely
 * a typo (the real cluster then falls back to its own name): warn, once per
 * distinct set. With --cluster the tree holds one cluster, so mappings for the
 * others are expected and not warned about.
 */
function unknownContextWarning(options: ReconcileOptions, logger: Logger): (trees: ClusterTrees) => void {
  let warned = '';
  return (trees) => {
    if (options.cluster !== undefined || options.inCluster) return;
    const unknown = [...options.contexts.keys()].filter((c) => !trees.has(c)).sort();
    const key = unknown.join(',');
    if (unknown.length === 0 || key === warned) return;
    warned = key;
    logger.warn({ clusters: unknown }, `--context names cluster(s) the rendered tree does not have: ${unknown.join(', ')} (clusters in the tree: ${[...trees.keys()].join(', ')})`);
  };
}

/** The hub's KubeConfig: in-cluster, or a kubeconfig file and context. */
function hubKubeConfig(hub: ShardSettings['hub']): KubeConfig {
  if (hub.mode === 'in-cluster') {
    const kc = new KubeConfig();
    kc.loadFromCluster();
    return kc;
  }
  const kc = loadKubeConfig(hub.kubeconfigPath);
  if (hub.context !== undefined) {
    if (kc.getContextObject(hub.context) === null) throw new ClusterConfigError('HUB_CONTEXT_NOT_FOUND', `--hub-context "${hub.context}" is not a context of the kubeconfig`);
    kc.setCurrentContext(hub.context);
  }
  return kc;
}

/** The Lease coordinator of a sharded replica, wired to the loop (built right after it) and the metrics. */
function shardCoordinator(settings: ShardSettings, metrics: ReconcilerMetrics, logger: Logger, loop: () => ReconcileLoop): ShardCoordinator {
  const store = hubLeaseStore(hubKubeConfig(settings.hub), settings.namespace, settings.renewIntervalMs, (verb) => metrics.shardLeaseRequests.inc({ verb }));
  const offset = settings.clockOffsetMs ?? 0;
  let lastFailure = '';
  return new ShardCoordinator({
    store,
    identity: settings.identity,
    leaseDurationMs: settings.leaseDurationMs,
    renewIntervalMs: settings.renewIntervalMs,
    renewDeadlineMs: settings.renewDeadlineMs,
    slack: settings.slack,
    wallClock: offset === 0 ? undefined : () => new Date(Date.now() + offset),
    metrics: metrics.shardMetrics(),
    onAcquired: (clusters) => {
      logger.info({ clusters }, `shards: acquired the Lease of ${clusters.length} cluster(s): ${clusters.join(', ')}`);
      loop().trigger();
    },
    onLost: (clusters) => loop().release(clusters),
    onRenewFailure: (err) => {
      const message = err instanceof Error ? err.message : String(err);
      // A hub that stays away is one line, not one per round.
      if (message !== lastFailure) logger.warn({ err: { message } }, `shards: cannot renew Leases in the hub: ${message}`);
      lastFailure = message;
    },
  });
}

/** How long a stopping reconciler waits for commit statuses still being posted. */
const COMMIT_STATUS_DRAIN_MS = 15_000;

function commitStatusReporter(options: ReconcileOptions, logger: Logger): CommitStatusReporter | undefined {
  const target = options.commitStatus;
  if (target === undefined) return undefined;
  const api = new GitHubApi({ apiUrl: target.apiUrl, token: target.token, userAgent: `manifold/${MANIFOLD_VERSION}`, timeoutMs: 10_000 });
  return new CommitStatusReporter({
    logger,
    targetUrl: target.targetUrl,
    post: (s) => api.createCommitStatus(target.repository, s.sha, { state: s.state, context: s.context, description: s.description, targetUrl: s.targetUrl }),
  });
}

/**
 * The source commit behind a status: `source.commit` in the provenance of the
 * rendered commit the cluster ran (under a rollout an older one than the
 * tip's), read once per commit.
 */
export function sourceCommitLookup(repo: GitRepository | undefined, prefix: string | undefined): (snapshot: RenderedSnapshot, status: ClusterStatus) => Promise<string | undefined> {
  const known = new Map<string, Promise<string | undefined>>();
  return async (snapshot, status) => {
    if (status.renderedCommit === snapshot.renderedCommit) return sourceCommitFromProvenance(snapshot.provenance);
    if (repo === undefined || !/^[0-9a-f]{40}$/.test(status.renderedCommit)) return undefined;
    let lookup = known.get(status.renderedCommit);
    if (lookup === undefined) {
      if (known.size >= 64) known.clear();
      lookup = readProvenanceAtCommit(repo, status.renderedCommit, prefix).then(sourceCommitFromProvenance, () => undefined);
      known.set(status.renderedCommit, lookup);
    }
    return lookup;
  };
}

/**
 * The report writer followed by a failover decision from the report just
 * written. The decision renders the whole source, so it runs beside the
 * loop, one at a time (a report written meanwhile asks for one more run),
 * and never delays the next report. A failure to decide is logged and never
 * fails the reconcile: the report is already written, and the next one
 * decides again.
 */
function withFailover(
  report: ReportStatuses,
  settings: NonNullable<ReconcileOptions['failover']>,
  reportBranch: string,
  from: Extract<ReconcileSource, { kind: 'git' }>,
  logger: () => Logger,
): ReportStatuses {
  const decide = async (): Promise<void> => {
    try {
      const { failover } = await import('./failover.ts');
      // The loop decides at its own clock: a report is committed only when something changed, so its commit
      // time stops at the Ready flip and a grace period counted from it would never run out.
      const now = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
      const outcome = await failover(
        { source: settings.source, status: reportBranch, now, repoDir: from.repo, branch: from.branch, prefix: from.prefix, unattended: settings.unattended },
        (notice) => (notice.kind === 'line' ? logger().info({}, notice.text) : undefined),
      );
      if (outcome.action !== 'none') logger().info({ failover: outcome.action, branch: outcome.branch, commit: outcome.commit, lost: outcome.lost, closed: outcome.closed }, 'failover decision');
    } catch (err) {
      logger().warn({ err: err instanceof Error ? err.message : String(err) }, 'failover decision failed; the report is written, the next one decides again');
    }
  };
  let running = false;
  let again = false;
  const kick = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await decide();
      } while (again);
    } finally {
      running = false;
    }
  };
  return async (statuses, removed) => {
    const written = await report(statuses, removed);
    void kick();
    return written;
  };
}

/** Builds the loop and starts it (no signal handlers: the front door decides when to stop). */
export async function startReconciler(options: ReconcileOptions): Promise<ReconcilerRuntime> {
  const { source: from, gitToken: token } = options;
  const logger = createLogger({ destination: options.logDestination, level: options.logLevel, secrets: await knownSecrets(options), write: options.logWrite });
  // A stale ref lock taken over is said in the JSON log, not as a bare stderr line.
  const warnInLog = (message: string): void => logger.warn({}, message);
  let repo: GitRepository | undefined;
  let source: RenderedSource;
  if (from.kind === 'folder') {
    source = folderSource(from.dir, options.cluster);
  } else {
    repo = await gitRepositoryFor(from.repo, from.remote);
    repo.warn = warnInLog;
    source = gitSource({ repo, branch: from.branch, prefix: from.prefix, only: options.cluster, remote: from.remote, token, ref: from.ref });
  }

  let report: ReportStatuses | undefined;
  let previousReport: LoopConfig['previousReport'];
  let page: StatusPageSource | undefined;
  if (options.report !== undefined) {
    const reportRepo = repo ?? (await gitRepositoryFor(undefined, options.report.remote));
    reportRepo.warn = warnInLog;
    // Ready flips only once it has lasted Karmada's thresholds; kept for the life of this process, as upstream keeps them.
    const live = { thresholds: new ReadyThresholds(), refreshMs: options.liveRefreshMs };
    const target: ReportTarget = { repo: reportRepo, branch: options.report.branch, remote: options.report.remote, token, live };
    report = (statuses, removed) => writeReport(target, statuses, removed);
    previousReport = () => readReportTip(target);
    page = reportPageSource(reportRepo, options.report.branch);
    if (options.failover !== undefined && from.kind === 'git') report = withFailover(report, options.failover, options.report.branch, from, () => logger);
    // A RolloutPolicy recorded in the rendered tree: each cluster gets the commit its wave may run (docs/rollout.md).
    if (from.kind === 'git' && from.ref === undefined && repo !== undefined) source = gatedSource(source, { repo, prefix: from.prefix, report: target, logger });
  } else if (from.kind === 'git' && from.ref === undefined) {
    source = ungatedSource(source, logger);
  }

  const commitStatuses = commitStatusReporter(options, logger);
  const sourceCommitOf = sourceCommitLookup(repo, from.kind === 'git' ? from.prefix : undefined);
  /** Source-commit lookups not yet handed to the reporter (drained before exit, like the posts). */
  const lookups = new Set<Promise<void>>();
  const metrics = new ReconcilerMetrics();
  // Each cluster is its own worker (ReconcileLoop); this bounds how many run at once.
  const slots = new PQueue({ concurrency: options.concurrency });
  const warnUnknownContexts = unknownContextWarning(options, logger);
  const progress = clusterProgress(options);
  const reconcile: ReconcileOnce = async (snapshot, clusters, signal, hooks = {}) => {
    warnUnknownContexts(snapshot.trees);
    progress.started(options.cluster !== undefined ? 1 : snapshot.trees.size, clusters.length);
    const log: FleetOptions['log'] = (e) => {
      const fields = { cluster: e.cluster, object: e.object };
      if (e.level === 'error') logger.error(fields, e.message);
      else if (e.level === 'warn') logger.warn(fields, e.message);
      else logger.debug(fields, e.message);
    };
    // One cluster per worker: under a rollout each runs the commit its wave may run.
    const fleet = { ...fleetOptions(options, commitOf(snapshot, clusters[0] ?? '')), signal, log, onAttempt: hooks.onAttempt, onResult: progress.finished };
    const members = clusters.filter((c) => !hooks.orphans?.has(c));
    const orphans = clusters.filter((c) => hooks.orphans?.has(c));
    const statuses = await slots.add(
      async () => [
        ...(members.length === 0 ? [] : await reconcileFleet(fleetTargets(options, snapshot.trees, members, snapshot.contexts), fleet)),
        ...(orphans.length === 0 ? [] : await reconcileFleet(fleetTargets(options, snapshot.trees, orphans, snapshot.contexts), { ...fleet, orphaned: true })),
      ],
      { signal },
    );
    // In the background: the git host never holds up a cluster. A cancelled run (shutdown) says nothing about the commit.
    if (commitStatuses !== undefined && !signal.aborted) {
      for (const status of statuses) {
        const posting = sourceCommitOf(snapshot, status).then((sha) => commitStatuses.observe(status, sha));
        lookups.add(posting);
        void posting.finally(() => lookups.delete(posting));
      }
    }
    return statuses;
  };

  const { intervalMs, driftIntervalMs, shutdownGraceMs } = options;
  // Liveness fails only when the loop is wedged: no finished tick for several intervals plus a whole reconcile.
  const probe = new ProbeState(3 * intervalMs + options.clusterTimeoutMs + 60_000);
  const shard = options.shard === undefined ? undefined : shardCoordinator(options.shard, metrics, logger, () => loop);
  // Sharded, several writers race for the report branch: fewer, larger commits lose fewer races.
  const reportDelayMs = shard === undefined ? undefined : 1_000;
  const loop = new ReconcileLoop({ source, reconcile, report, previousReport, only: options.cluster, shard, logger, metrics, probe, once: options.once, intervalMs, driftIntervalMs, shutdownGraceMs, reportDelayMs });
  if (shard !== undefined) {
    probe.shardNotReady = () => shard.notReadyReason();
    shard.start();
  }

  const server = options.listen === undefined ? undefined : await startProbeServer(options.listen, probe, metrics, page);

  let watcher: { close(): Promise<void> } | undefined;
  if (from.kind === 'folder' && from.watch) {
    const { watch } = await import('chokidar');
    let debounce: NodeJS.Timeout | undefined;
    const w = watch(path.resolve(from.dir), { ignoreInitial: true });
    w.on('all', () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => loop.trigger(), 300);
    });
    watcher = w;
  }

  logger.info(
    {
      version: MANIFOLD_VERSION,
      source: source.description,
      mode: options.inCluster ? 'pull' : 'push',
      cluster: options.cluster,
      intervalMs,
      driftIntervalMs,
      report: options.report?.branch,
      listen: server?.url,
      shard: shard === undefined ? undefined : { identity: shard.identity, namespace: options.shard?.namespace, leaseDurationMs: options.shard?.leaseDurationMs, renewIntervalMs: options.shard?.renewIntervalMs },
      commitStatuses: options.commitStatus === undefined ? undefined : `${options.commitStatus.repository.owner}/${options.commitStatus.repository.repo}`,
    },
    options.once ? 'manifold reconcile: one iteration' : 'manifold reconcile: loop started',
  );

  const done = loop.run().finally(async () => {
    // After the last report: give the Leases back so the other replicas take over at once.
    await shard?.stop();
    await watcher?.close();
    await server?.close();
    // Statuses still being posted get a bounded moment (a --once run would otherwise exit before them).
    if (commitStatuses !== undefined) {
      const drained = Promise.all([...lookups]).then(() => commitStatuses.idle());
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, COMMIT_STATUS_DRAIN_MS).unref())]);
    }
  });
  return { loop, logger, metrics, probe, server, done };
}
