/**
 * The reconcile loop (DESIGN.md §4): poll the rendered branch (fetching it
 * from the remote when one is given) or watch a folder, and give each
 * cluster whose tree changed, that did not end Synced, or whose last drift
 * check is older than --drift-interval its own worker; write the report
 * branch from whatever has finished. Clusters that left the fleet (a status
 * on the report branch, no folder in the tree) are reconciled as orphans.
 *
 * One cluster's failure never stops the loop or holds back another cluster,
 * nor does an unreachable remote, expired credentials or a rendered branch
 * that does not exist yet: those are logged with a clear message and retried
 * at the next tick. In `--once` mode the same failures are errors with a
 * non-zero exit.
 *
 * Shutdown (SIGTERM, ecosystem-notes.md §5): readiness fails at once; a
 * worker whose cluster does not answer is cancelled at once, the others get
 * --shutdown-grace and are then cancelled; a cancelled worker reports
 * nothing new, the finished ones are reported, and a report write already
 * under way completes (the branch only ever moves from one whole report to
 * the next).
 */
import { InputError, ManifoldError, type Problem, RuntimeError } from '../errors/index.ts';
import { isDecommissioned, LEFT_THE_FLEET } from './cluster.ts';
import type { Logger } from './logger.ts';
import type { ReconcilerMetrics } from './metrics.ts';
import { parseTree } from './objects.ts';
import type { ReportResult } from './report.ts';
import type { ProbeState } from './server.ts';
import { versionOf, type ClusterTrees, type RenderedSnapshot, type RenderedSource } from './source.ts';
import type { ClusterResult, ClusterStatus } from './types.ts';

/** Every tree must parse before anything is applied anywhere (as `reconcile --once`). */
export function validateTrees(trees: ClusterTrees): void {
  const problems: Problem[] = [];
  for (const [cluster, files] of trees) {
    for (const p of parseTree(files).problems) problems.push({ ...p, file: p.file === undefined ? cluster : `${cluster}/${p.file}` });
  }
  if (problems.length > 0) throw new InputError(problems);
}

// ---------------------------------------------------------------------------
// The loop itself, with everything it talks to injected.

/**
 * What a worker passes along with its clusters: whether they left the fleet
 * (orphans: reconciled with an empty tree behind the mass-prune guard), and a
 * callback for each attempt that ended Unreachable before the next one.
 */
export interface ReconcileHooks {
  orphans?: ReadonlySet<string> | undefined;
  onAttempt?: ((status: ClusterStatus) => void) | undefined;
  /** Sharded: throws when this replica no longer holds the cluster's Lease (called before each write stage). */
  fence?: ((cluster: string) => void) | undefined;
}

/**
 * Sharded loop (leases.ts ShardCoordinator): which clusters this replica may
 * reconcile now. The loop tells it the clusters there are; the coordinator
 * calls loop.release() when clusters stop being this replica's.
 */
export interface ShardGate {
  owns(cluster: string): boolean;
  setClusters(clusters: readonly string[]): void;
}

/** A write stage was reached without the cluster's Lease: another replica may be reconciling it now. */
export class LeaseLostError extends RuntimeError {
  constructor(cluster: string) {
    super('LEASE_LOST', `${cluster}: this replica no longer holds the cluster's Lease; stopped before writing`, { cluster });
    this.name = 'LeaseLostError';
  }
}

/** Reconciles the named clusters of a snapshot; the signal cancels the run. */
export type ReconcileOnce = (snapshot: RenderedSnapshot, clusters: readonly string[], signal: AbortSignal, hooks?: ReconcileHooks) => Promise<ClusterStatus[]>;
/** Writes statuses to the report branch and removes the files of decommissioned clusters. */
export type ReportStatuses = (statuses: readonly ClusterStatus[], removed?: readonly string[]) => Promise<ReportResult>;

export interface LoopConfig {
  source: RenderedSource;
  reconcile: ReconcileOnce;
  report?: ReportStatuses | undefined;
  /** The statuses on the report branch: clusters there without a folder in the tree left the fleet. */
  previousReport?: (() => Promise<ReadonlyMap<string, ClusterStatus>>) | undefined;
  /** Pull mode: this process only ever looks after this cluster. */
  only?: string | undefined;
  /** Sharded push mode: only the clusters whose Lease this replica holds. */
  shard?: ShardGate | undefined;
  logger: Logger;
  metrics?: ReconcilerMetrics | undefined;
  probe?: ProbeState | undefined;
  /** One iteration, then return (errors are thrown). */
  once?: boolean;
  /** Time between ticks (default 60 s). */
  intervalMs?: number;
  /** A Synced cluster is reconciled again (drift check and correction) after this long (default 5 min). */
  driftIntervalMs?: number;
  /** After stop(), how long in-flight reconciles may still run before they are cancelled (default 20 s). */
  shutdownGraceMs?: number;
  /** Statuses finished within this long of each other go into one report commit (default 200 ms). */
  reportDelayMs?: number | undefined;
  now?: () => number;
}

interface ClusterMemory {
  version: string;
  result: ClusterResult;
  /** Reconcile again at the next tick (not Synced, and not an orphan whose prune waits for consent). */
  retry: boolean;
  /** Reconciled as a cluster that left the fleet. */
  orphan: boolean;
  at: number;
}

/** One cluster's reconcile in flight. */
interface Worker {
  controller: AbortController;
  done: Promise<ClusterStatus | undefined>;
  /** The last attempt ended Unreachable and another one follows: what the cluster is meanwhile. */
  provisional?: ClusterStatus | undefined;
}

export interface IterationOutcome {
  snapshot?: RenderedSnapshot | undefined;
  /** Clusters reconciled in this iteration (empty: nothing was due). */
  statuses: ClusterStatus[];
  report?: ReportResult | undefined;
  /** Shutdown cancelled a reconcile: its cluster keeps its previous status (or its Unreachable attempt). */
  cancelled: boolean;
}

/**
 * The loop: a timer reads the rendered trees every interval and starts a
 * worker for each cluster that is due and not already running; each worker
 * records its result as soon as it finishes, and the report is written from
 * whatever has finished (coalesced for reportDelayMs), never gated on the
 * slowest cluster. A frozen member holds only its own worker.
 */
export class ReconcileLoop {
  private readonly config: LoopConfig;
  private readonly memory = new Map<string, ClusterMemory>();
  private readonly workers = new Map<string, Worker>();
  /** Clusters the report branch holds a status for (read once, then kept up to date here). */
  private known: Set<string> | undefined;
  /** Finished statuses not yet on the report branch, and clusters whose status file is to go. */
  private readonly unreported = new Map<string, ClusterStatus>();
  private readonly toRemove = new Set<string>();
  private reportTimer: NodeJS.Timeout | undefined;
  private reportChain: Promise<unknown> = Promise.resolve();
  private lastSnapshot: RenderedSnapshot | undefined;
  private lastVersion: string | undefined;
  private lastSourceError: string | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private pendingTrigger = false;
  /** Clusters whose reconcile shutdown cancelled. */
  private readonly cancelled: string[] = [];
  readonly iterations: IterationOutcome[] = [];

  constructor(config: LoopConfig) {
    this.config = config;
  }

  private now(): number {
    return this.config.now?.() ?? Date.now();
  }

  /** Clusters due in this snapshot: new tree version, not Synced last time, or drift check due. */
  dueClusters(snapshot: RenderedSnapshot): string[] {
    const due: string[] = [];
    for (const cluster of snapshot.trees.keys()) if (this.isDue(cluster, snapshot)) due.push(cluster);
    return due;
  }

  private isDue(cluster: string, snapshot: RenderedSnapshot): boolean {
    const m = this.memory.get(cluster);
    const orphan = !snapshot.trees.has(cluster);
    return m === undefined || m.orphan !== orphan || m.version !== versionOf(snapshot, cluster) || m.retry || this.now() - m.at >= (this.config.driftIntervalMs ?? 300_000);
  }

  /**
   * Clusters that left the fleet: known from the report branch or reconciled
   * by this process, and without a folder in the snapshot (in pull mode only
   * the agent's own cluster can be one).
   */
  orphanedClusters(snapshot: RenderedSnapshot): string[] {
    const candidates = new Set([...(this.known ?? []), ...this.memory.keys()]);
    return [...candidates].filter((c) => !snapshot.trees.has(c) && !snapshot.held?.has(c) && (this.config.only === undefined || c === this.config.only)).sort();
  }

  /** The clusters on the report branch, read once; a failure is retried at the next tick (thrown in once mode). */
  private async loadKnown(): Promise<void> {
    if (this.known !== undefined || this.config.previousReport === undefined) return;
    try {
      this.known = new Set((await this.config.previousReport()).keys());
    } catch (err) {
      if (this.config.once) throw err;
      this.config.logger.warn({ err: { code: errorCode(err), message: errorMessage(err) } }, `cannot read the report branch to find clusters that left the fleet: ${errorMessage(err)}`);
    }
  }

  /**
   * Reads the source and starts a worker for every due cluster that is not
   * running. Returns the started workers without waiting for them.
   */
  private async tick(publish: boolean): Promise<{ snapshot?: RenderedSnapshot; started: Promise<ClusterStatus | undefined>[] }> {
    const { logger, metrics, probe } = this.config;
    let snapshot: RenderedSnapshot;
    let orphans: string[];
    try {
      snapshot = await this.config.source.read();
      validateTrees(snapshot.trees);
      await this.loadKnown();
      orphans = this.orphanedClusters(snapshot);
      if (snapshot.trees.size === 0 && orphans.length === 0 && (snapshot.held?.size ?? 0) === 0) {
        if (this.config.only !== undefined) {
          throw InputError.single({ code: 'CLUSTER_NOT_RENDERED', message: `${this.config.source.description} has no folder for cluster "${this.config.only}" (and the report branch has no status for it)` });
        }
        throw InputError.single({ code: 'RENDERED_EMPTY', message: `${this.config.source.description} has no cluster folders` });
      }
      this.lastSourceError = undefined;
    } catch (err) {
      metrics?.loopErrors.inc({ stage: 'source' });
      probe?.progress();
      if (this.config.once) throw err;
      const message = errorMessage(err);
      // The same problem every minute is one log line, not sixty an hour.
      if (message !== this.lastSourceError) logger.error({ err: { code: errorCode(err), message } }, `cannot read the rendered trees: ${message}`);
      this.lastSourceError = message;
      return { started: [] };
    }
    if (snapshot.version !== this.lastVersion) {
      metrics?.renderedCommitChanges.inc();
      const at = snapshot.version === snapshot.renderedCommit ? shortVersion(snapshot.renderedCommit) : `${snapshot.renderedCommit} (${snapshot.version.slice(0, 19)})`;
      logger.info({ renderedCommit: snapshot.renderedCommit, version: snapshot.version, clusters: snapshot.trees.size }, `rendered trees at ${at}`);
      this.lastVersion = snapshot.version;
    }
    this.lastSnapshot = snapshot;
    const started: Promise<ClusterStatus | undefined>[] = [];
    this.config.shard?.setClusters([...snapshot.trees.keys(), ...orphans]);
    for (const cluster of [...this.dueClusters(snapshot), ...orphans.filter((c) => this.isDue(c, snapshot))]) {
      if (this.workers.has(cluster)) continue; // still busy with an earlier commit: it picks this one up when done
      if (!this.mine(cluster)) continue;
      started.push(this.startWorker(cluster, snapshot, !snapshot.trees.has(cluster), publish));
    }
    // A report that failed earlier is tried again.
    if (publish && (this.unreported.size > 0 || this.toRemove.size > 0)) this.requestReport();
    probe?.progress();
    return { snapshot, started };
  }

  /** Whether this process looks after the cluster now (always, unless sharded). */
  private mine(cluster: string): boolean {
    return this.config.shard?.owns(cluster) ?? true;
  }

  /**
   * The clusters stopped being this replica's (Lease lost or given back):
   * cancel their workers, forget them, and drop statuses not yet reported —
   * the new holder reports them from now on. Resolves when the workers ended.
   */
  async release(clusters: readonly string[]): Promise<void> {
    const ending: Promise<unknown>[] = [];
    for (const cluster of clusters) {
      const worker = this.workers.get(cluster);
      if (worker !== undefined) {
        worker.controller.abort(new LeaseLostError(cluster));
        ending.push(worker.done);
      }
      this.memory.delete(cluster);
      this.unreported.delete(cluster);
      this.toRemove.delete(cluster);
    }
    if (clusters.length > 0) this.config.logger.info({ clusters }, `shards: ${clusters.length} cluster(s) are no longer this replica's: ${clusters.join(', ')}`);
    await Promise.all(ending);
  }

  private startWorker(cluster: string, snapshot: RenderedSnapshot, orphan: boolean, publish: boolean): Promise<ClusterStatus | undefined> {
    const controller = new AbortController();
    const worker: Worker = { controller, done: Promise.resolve(undefined) };
    const onAttempt = (status: ClusterStatus): void => {
      if (!this.mine(status.cluster)) return;
      worker.provisional = status;
      logStatus(this.config.logger, status, this.stopping ? '' : ' (retrying)');
      this.unreported.set(status.cluster, status);
      this.markReady();
      if (publish) this.requestReport();
      // Shutting down: waiting longer will not make it answer.
      if (this.stopping) this.cancel(cluster, worker);
    };
    worker.done = (async () => {
      let status: ClusterStatus | undefined;
      try {
        const fence = this.config.shard === undefined ? undefined : (c: string) => {
          if (!this.mine(c)) throw new LeaseLostError(c);
        };
        [status] = await this.config.reconcile(snapshot, [cluster], controller.signal, { orphans: orphan ? new Set([cluster]) : undefined, onAttempt, fence });
      } catch (err) {
        // A worker never takes the loop down; the cluster is simply tried again at the next tick.
        if (!controller.signal.aborted) this.config.logger.error({ cluster, err: { message: errorMessage(err) } }, `${cluster}: reconcile failed: ${errorMessage(err)}`);
      } finally {
        this.workers.delete(cluster);
      }
      // Cancelled by shutdown: what it got to is unknown, so it says nothing (its Unreachable attempt, if any, stands).
      if (status === undefined || controller.signal.aborted) return undefined;
      // Sharded, and the Lease went meanwhile: the new holder reports this cluster.
      if (!this.mine(cluster)) return undefined;
      this.finish(status, versionOf(snapshot, cluster), publish);
      return status;
    })();
    this.workers.set(cluster, worker);
    return worker.done;
  }

  private finish(status: ClusterStatus, version: string, publish: boolean): void {
    this.config.metrics?.observe([status]);
    logStatus(this.config.logger, status);
    if (isDecommissioned(status)) {
      // Nothing of Manifold's is left there: forget the cluster, and its status file goes.
      this.memory.delete(status.cluster);
      this.known?.delete(status.cluster);
      this.unreported.delete(status.cluster);
      this.toRemove.add(status.cluster);
    } else {
      const waitsForConsent = status.result === 'Orphaned' && status.conditions.some((c) => c.type === 'Ready' && c.reason === LEFT_THE_FLEET);
      this.memory.set(status.cluster, { version, result: status.result, retry: status.result !== 'Synced' && !waitsForConsent, orphan: status.result === 'Orphaned', at: this.now() });
      this.known?.add(status.cluster);
      this.toRemove.delete(status.cluster);
      this.unreported.set(status.cluster, status);
    }
    this.markReady();
    if (publish) this.requestReport();
  }

  /** Ready once every cluster of the current tree has a result (a frozen one: its first Unreachable attempt). */
  private markReady(): void {
    const { probe } = this.config;
    if (probe === undefined || probe.ready || this.lastSnapshot === undefined) return;
    const clusters = [...this.lastSnapshot.trees.keys()].filter((c) => this.mine(c));
    if (clusters.every((c) => this.memory.has(c) || this.workers.get(c)?.provisional !== undefined)) probe.ready = true;
  }

  /** Writes what has finished after reportDelayMs, so clusters finishing together make one commit. */
  private requestReport(): void {
    if (this.config.report === undefined || this.reportTimer !== undefined) return;
    this.reportTimer = setTimeout(() => {
      this.reportTimer = undefined;
      void this.writeReportNow();
    }, this.config.reportDelayMs ?? 200);
  }

  /** One report write at a time, in order; rejects only in once mode. */
  private writeReportNow(): Promise<ReportResult | undefined> {
    const next = this.reportChain.then(() => this.flushReport());
    this.reportChain = next.catch(() => undefined);
    return next;
  }

  private async flushReport(): Promise<ReportResult | undefined> {
    const { report, logger, metrics } = this.config;
    if (report === undefined) {
      this.unreported.clear();
      this.toRemove.clear();
      return undefined;
    }
    if (this.unreported.size === 0 && this.toRemove.size === 0) return undefined;
    // Sharded: each replica writes only the status files of the clusters it holds now.
    const batch = [...this.unreported.values()].filter((s) => this.mine(s.cluster));
    const removed = [...this.toRemove].filter((c) => this.mine(c));
    this.unreported.clear();
    this.toRemove.clear();
    if (batch.length === 0 && removed.length === 0) return undefined;
    try {
      const result = await report(batch, removed);
      if (result.created) metrics?.reportCommits.inc();
      logger.info({ commit: result.commit, created: result.created, changed: result.changed, attempts: result.attempts }, result.created ? `report: committed ${result.changed.length} status file(s)` : 'report: unchanged');
      return result;
    } catch (err) {
      // Put the batch back (a newer status of a cluster wins) for the next try.
      for (const s of batch) if (!this.unreported.has(s.cluster)) this.unreported.set(s.cluster, s);
      for (const c of removed) if (!this.unreported.has(c)) this.toRemove.add(c);
      metrics?.loopErrors.inc({ stage: 'report' });
      if (this.config.once) throw err;
      logger.error({ err: { code: errorCode(err), message: errorMessage(err) } }, `cannot write the report: ${errorMessage(err)}`);
      return undefined;
    }
  }

  /** One tick that waits for its workers and its report (`--once`, tests). Throws only in once mode. */
  async iterate(): Promise<IterationOutcome> {
    const { snapshot, started } = await this.tick(false);
    const statuses = (await Promise.all(started)).filter((s): s is ClusterStatus => s !== undefined);
    const report = started.length > 0 ? await this.writeReportNow() : undefined;
    this.markReady();
    return this.record({ snapshot, statuses, report, cancelled: false });
  }

  private record(outcome: IterationOutcome): IterationOutcome {
    this.iterations.push(outcome);
    if (this.iterations.length > 20) this.iterations.shift();
    return outcome;
  }

  /** Runs until stop(), then drains; in once mode, one iteration. */
  async run(): Promise<IterationOutcome | undefined> {
    if (this.config.once) return this.iterate();
    while (!this.stopping) {
      this.pendingTrigger = false;
      await this.tick(true);
      if (this.stopping) break;
      await this.sleep(this.config.intervalMs ?? 60_000);
    }
    return this.drain();
  }

  /**
   * Shutdown: workers get the grace period, except those whose cluster does
   * not answer (an Unreachable attempt is all they will get to); then the
   * rest are cancelled, and the report of everything finished is written.
   */
  private async drain(): Promise<IterationOutcome> {
    const { logger } = this.config;
    const grace = this.config.shutdownGraceMs ?? 20_000;
    const cancelled = this.cancelled;
    const cancel = (cluster: string, worker: Worker): void => this.cancel(cluster, worker);
    for (const [cluster, worker] of this.workers) if (worker.provisional !== undefined) cancel(cluster, worker);
    const running = [...this.workers.values()].map((w) => w.done);
    if (this.workers.size > 0) {
      logger.info({ graceMs: grace, clusters: [...this.workers.keys()] }, `shutdown: letting ${this.workers.size} in-flight reconcile(s) finish (at most ${Math.round(grace / 1000)} s)`);
      const all = Promise.all(running);
      if (!(await settlesWithin(all, grace))) {
        for (const [cluster, worker] of this.workers) cancel(cluster, worker);
        // Aborted requests end at once; whatever still hangs is not waited for.
        await settlesWithin(all, 5_000);
      }
    }
    if (cancelled.length > 0) {
      logger.warn({ clusters: cancelled }, `shutdown: the in-flight reconcile of ${cancelled.join(', ')} was cancelled; the report branch keeps its previous report for it (or its last Unreachable attempt)`);
    }
    clearTimeout(this.reportTimer);
    this.reportTimer = undefined;
    const report = await this.writeReportNow();
    return this.record({ statuses: [], report, cancelled: cancelled.length > 0 });
  }

  private cancel(cluster: string, worker: Worker): void {
    if (worker.controller.signal.aborted) return;
    this.cancelled.push(cluster);
    worker.controller.abort(new Error('shutdown'));
  }

  /** Starts the next tick now (file watcher). */
  trigger(): void {
    this.pendingTrigger = true;
    this.wake?.();
  }

  /** Ends the loop: readiness fails at once; run() drains the workers and returns. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.config.probe !== undefined) this.config.probe.shuttingDown = true;
    this.wake?.();
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  private sleep(ms: number): Promise<void> {
    if (this.pendingTrigger) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}

/** Whether the promise settles within ms. */
function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    p.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

function shortVersion(v: string): string {
  return /^[0-9a-f]{40}$/.test(v) ? v.slice(0, 12) : v;
}

function errorCode(err: unknown): string | undefined {
  return err instanceof ManifoldError ? err.code : undefined;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One line per cluster; warnings name what is wrong (conditions are already free of Secret values). */
function logStatus(logger: Logger, s: ClusterStatus, suffix = ''): void {
  const fields = { cluster: s.cluster, result: s.result, renderedCommit: s.renderedCommit, durationMs: s.durationMs, ...s.summary };
  if (s.result === 'Synced') {
    logger.info(fields, `${s.cluster}: Synced (${s.summary.objects} objects, ${s.summary.applied} applied, ${s.summary.pruned} pruned)`);
    return;
  }
  const reasons = s.conditions.filter((c) => c.status !== 'True' && c.reason !== 'NoDrift').map((c) => `${c.type} ${c.reason}: ${c.message}`);
  const line = `${s.cluster}: ${s.result}${suffix}${reasons.length > 0 ? ` — ${reasons.slice(0, 3).join('; ')}` : ''}`;
  if (s.result === 'Degraded') logger.warn(fields, line);
  else logger.error(fields, line);
}
