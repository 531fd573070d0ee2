/**
 * The reconcile loop (DESIGN.md §4): poll the rendered branch (fetching it
 * from the remote when one is given) or watch a folder, reconcile the
 * clusters whose tree changed, that did not end Synced, or whose last drift
 * check is older than --drift-interval, then write the report branch.
 *
 * One cluster's failure never stops the loop, nor does an unreachable
 * remote, expired credentials or a rendered branch that does not exist yet:
 * those are logged with a clear message and retried at the next tick. In
 * `--once` mode the same failures are errors with a non-zero exit.
 *
 * Shutdown (SIGTERM, ecosystem-notes.md §5): readiness fails at once, the
 * in-flight reconcile gets --shutdown-grace to finish and is then cancelled;
 * a cancelled run writes no report, and a report write already under way
 * completes (the branch only ever moves from one whole report to the next).
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import git from 'isomorphic-git';
import { InputError, ManifoldError, RuntimeError, type Problem } from '../errors/index.ts';
import { resolveRemote, TOKEN_ENV, type RemoteTarget } from '../git/remote.ts';
import { branchRef, openRepository, readRef, resolveCommit, type GitRepository } from '../git/repo.ts';
import { exitCodeFor, fleetOptions, fleetSettings, fleetTargets, formatSummary, parseDuration, DEFAULT_RENDERED_BRANCH, type ReconcileCommandOptions } from '../cli/reconcile.ts';
import { reconcileFleet } from './fleet.ts';
import { createLogger, type Logger } from './logger.ts';
import { ReconcilerMetrics } from './metrics.ts';
import { parseTree } from './objects.ts';
import { fetchRemoteBranch, remoteBranchTip } from '../git/remote.ts';
import { DEFAULT_REPORT_BRANCH, writeReport, type ReportResult, type ReportTarget } from './report.ts';
import { parseListen, ProbeState, startProbeServer, type ProbeServer } from './server.ts';
import { readRenderedFolder, readTreeAtCommit, type ClusterTrees } from './source.ts';
import type { ClusterResult, ClusterStatus } from './types.ts';

// ---------------------------------------------------------------------------
// Where the rendered trees come from.

export interface RenderedSnapshot {
  trees: ClusterTrees;
  /** Commit of the rendered branch, or 'folder:<path>'. */
  renderedCommit: string;
  /** Changes exactly when the trees may have changed: the commit id, or a content hash for folders. */
  version: string;
}

export interface RenderedSource {
  /** For log lines: where the trees are read from (never with credentials). */
  description: string;
  read(): Promise<RenderedSnapshot>;
}

/** Every tree must parse before anything is applied anywhere (as `reconcile --once`). */
export function validateTrees(trees: ClusterTrees): void {
  const problems: Problem[] = [];
  for (const [cluster, files] of trees) {
    for (const p of parseTree(files).problems) problems.push({ ...p, file: p.file === undefined ? cluster : `${cluster}/${p.file}` });
  }
  if (problems.length > 0) throw new InputError(problems);
}

function contentVersion(trees: ClusterTrees): string {
  const h = createHash('sha256');
  for (const [cluster, files] of [...trees].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    for (const [file, text] of [...files].sort((a, b) => (a[0] < b[0] ? -1 : 1))) h.update(`${cluster}/${file}\0${text}\0`);
  }
  return `sha256:${h.digest('hex')}`;
}

/** A folder in the `manifold render --out` layout, read again at every tick. */
export function folderSource(dir: string, only?: string): RenderedSource {
  const abs = path.resolve(dir);
  return {
    description: `folder ${abs}`,
    async read() {
      const trees = await readRenderedFolder(abs, only);
      return { trees, renderedCommit: `folder:${abs}`, version: contentVersion(trees) };
    },
  };
}

export interface GitSourceOptions {
  repo: GitRepository;
  branch: string;
  prefix?: string | undefined;
  only?: string | undefined;
  /** Fetch the branch from this remote (name or http(s) URL) before each read. */
  remote?: string | undefined;
  token?: string | undefined;
  /** A fixed commit, tag or branch (`--once --ref`) instead of the branch tip; local repository only. */
  ref?: string | undefined;
}

/**
 * The tip of the rendered branch: fetched from the remote when one is given
 * (the remote is the truth), else the local branch. Trees are read from the
 * object database only when the tip moved.
 */
export function gitSource(options: GitSourceOptions): RenderedSource {
  const ref = branchRef(options.branch);
  let target: RemoteTarget | undefined;
  let cached: RenderedSnapshot | undefined;
  const where = () => (target === undefined ? options.repo.workdir ?? options.repo.gitdir : target.url.replace(/(https?:\/\/)[^/@\s]+@/i, '$1***@'));
  return {
    description: options.remote === undefined ? `branch ${ref.slice(11)} of ${options.repo.workdir ?? options.repo.gitdir}` : `branch ${ref.slice(11)} of ${options.remote.replace(/(https?:\/\/)[^/@\s]+@/i, '$1***@')}`,
    async read() {
      let tip: string | undefined;
      if (options.remote !== undefined) {
        target ??= await resolveRemote(options.repo, options.remote);
        tip = await remoteBranchTip(target, ref, options.token);
        if (tip !== undefined && !options.repo.objects.has(tip)) await fetchRemoteBranch(options.repo, target, ref, options.token);
      } else if (options.ref !== undefined) {
        tip = await resolveCommit(options.repo, options.ref);
      } else {
        tip = await readRef(options.repo, ref);
      }
      if (tip === undefined) {
        throw new RuntimeError('RENDERED_BRANCH_MISSING', `the rendered branch ${ref.slice(11)} does not exist in ${where()} (has \`manifold render --commit\`/\`--push\` run?)`);
      }
      if (cached?.version === tip) return cached;
      const commit = await resolveCommit(options.repo, tip);
      const trees = await readTreeAtCommit(options.repo, commit, { prefix: options.prefix, only: options.only });
      cached = { trees, renderedCommit: commit, version: commit };
      return cached;
    },
  };
}

// ---------------------------------------------------------------------------
// The loop itself, with everything it talks to injected.

/** Reconciles the named clusters of a snapshot; the signal cancels the run. */
export type ReconcileOnce = (snapshot: RenderedSnapshot, clusters: readonly string[], signal: AbortSignal) => Promise<ClusterStatus[]>;
export type ReportStatuses = (statuses: readonly ClusterStatus[]) => Promise<ReportResult>;

export interface LoopConfig {
  source: RenderedSource;
  reconcile: ReconcileOnce;
  report?: ReportStatuses | undefined;
  logger: Logger;
  metrics?: ReconcilerMetrics | undefined;
  probe?: ProbeState | undefined;
  /** One iteration, then return (errors are thrown). */
  once?: boolean;
  /** Time between ticks (default 60 s). */
  intervalMs?: number;
  /** A Synced cluster is reconciled again (drift check and correction) after this long (default 5 min). */
  driftIntervalMs?: number;
  /** After stop(), how long the in-flight reconcile may still run before it is cancelled (default 20 s). */
  shutdownGraceMs?: number;
  now?: () => number;
}

interface ClusterMemory {
  version: string;
  result: ClusterResult;
  at: number;
}

export interface IterationOutcome {
  snapshot?: RenderedSnapshot | undefined;
  /** Clusters reconciled in this iteration (empty: nothing was due). */
  statuses: ClusterStatus[];
  report?: ReportResult | undefined;
  /** The run was cancelled by shutdown; no report was written. */
  cancelled: boolean;
}

export class ReconcileLoop {
  private readonly config: LoopConfig;
  private readonly memory = new Map<string, ClusterMemory>();
  private lastVersion: string | undefined;
  private lastSourceError: string | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private pendingTrigger = false;
  private inflight: AbortController | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  readonly iterations: IterationOutcome[] = [];

  constructor(config: LoopConfig) {
    this.config = config;
  }

  private now(): number {
    return this.config.now?.() ?? Date.now();
  }

  /** Clusters due in this snapshot: new tree version, not Synced last time, or drift check due. */
  dueClusters(snapshot: RenderedSnapshot): string[] {
    const driftMs = this.config.driftIntervalMs ?? 300_000;
    const now = this.now();
    const due: string[] = [];
    for (const cluster of snapshot.trees.keys()) {
      const m = this.memory.get(cluster);
      if (m === undefined || m.version !== snapshot.version || m.result !== 'Synced' || now - m.at >= driftMs) due.push(cluster);
    }
    for (const cluster of [...this.memory.keys()]) if (!snapshot.trees.has(cluster)) this.memory.delete(cluster);
    return due;
  }

  /** One tick: read the source, reconcile what is due, report. Throws only in once mode. */
  async iterate(): Promise<IterationOutcome> {
    const { logger, metrics, probe } = this.config;
    let snapshot: RenderedSnapshot;
    try {
      snapshot = await this.config.source.read();
      validateTrees(snapshot.trees);
      if (snapshot.trees.size === 0) throw new RuntimeError('RENDERED_EMPTY', `${this.config.source.description} has no cluster folders`);
      this.lastSourceError = undefined;
    } catch (err) {
      metrics?.loopErrors.inc({ stage: 'source' });
      probe?.progress();
      if (this.config.once) throw err;
      const message = errorMessage(err);
      // The same problem every minute is one log line, not sixty an hour.
      if (message !== this.lastSourceError) logger.error({ err: { code: errorCode(err), message } }, `cannot read the rendered trees: ${message}`);
      this.lastSourceError = message;
      return this.record({ statuses: [], cancelled: false });
    }
    if (snapshot.version !== this.lastVersion) {
      metrics?.renderedCommitChanges.inc();
      const at = snapshot.version === snapshot.renderedCommit ? shortVersion(snapshot.renderedCommit) : `${snapshot.renderedCommit} (${snapshot.version.slice(0, 19)})`;
      logger.info({ renderedCommit: snapshot.renderedCommit, version: snapshot.version, clusters: snapshot.trees.size }, `rendered trees at ${at}`);
      this.lastVersion = snapshot.version;
    }
    const due = this.dueClusters(snapshot);
    if (due.length === 0) {
      probe?.progress();
      return this.record({ snapshot, statuses: [], cancelled: false });
    }
    const controller = new AbortController();
    this.inflight = controller;
    let statuses: ClusterStatus[];
    try {
      statuses = await this.config.reconcile(snapshot, due, controller.signal);
    } finally {
      this.inflight = undefined;
      clearTimeout(this.graceTimer);
    }
    if (controller.signal.aborted) {
      logger.warn({ clusters: due }, 'shutdown: the in-flight reconcile was cancelled; the report branch keeps its previous report');
      return this.record({ snapshot, statuses, cancelled: true });
    }
    metrics?.observe(statuses);
    for (const s of statuses) {
      this.memory.set(s.cluster, { version: snapshot.version, result: s.result, at: this.now() });
      logStatus(logger, s);
    }
    let report: ReportResult | undefined;
    if (this.config.report !== undefined) {
      try {
        report = await this.config.report(statuses);
        if (report.created) metrics?.reportCommits.inc();
        logger.info({ commit: report.commit, created: report.created, changed: report.changed, attempts: report.attempts }, report.created ? `report: committed ${report.changed.length} status file(s)` : 'report: unchanged');
      } catch (err) {
        metrics?.loopErrors.inc({ stage: 'report' });
        if (this.config.once) throw err;
        logger.error({ err: { code: errorCode(err), message: errorMessage(err) } }, `cannot write the report: ${errorMessage(err)}`);
      }
    }
    if (probe !== undefined) probe.ready = true;
    probe?.progress();
    return this.record({ snapshot, statuses, report, cancelled: false });
  }

  private record(outcome: IterationOutcome): IterationOutcome {
    this.iterations.push(outcome);
    if (this.iterations.length > 20) this.iterations.shift();
    return outcome;
  }

  /** Runs until stop(); in once mode, one iteration. */
  async run(): Promise<IterationOutcome | undefined> {
    let last: IterationOutcome | undefined;
    while (!this.stopping) {
      this.pendingTrigger = false;
      last = await this.iterate();
      if (this.config.once || this.stopping) break;
      await this.sleep(this.config.intervalMs ?? 60_000);
    }
    return last;
  }

  /** Starts the next tick now (file watcher). */
  trigger(): void {
    this.pendingTrigger = true;
    this.wake?.();
  }

  /** Ends the loop; an in-flight reconcile gets the grace period, then is cancelled. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.config.probe !== undefined) this.config.probe.shuttingDown = true;
    this.wake?.();
    const inflight = this.inflight;
    if (inflight !== undefined) {
      const grace = this.config.shutdownGraceMs ?? 20_000;
      this.config.logger.info({ graceMs: grace }, `shutdown: letting the in-flight reconcile finish (at most ${Math.round(grace / 1000)} s)`);
      this.graceTimer = setTimeout(() => inflight.abort(new Error('shutdown')), grace);
    }
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
function logStatus(logger: Logger, s: ClusterStatus): void {
  const fields = { cluster: s.cluster, result: s.result, renderedCommit: s.renderedCommit, durationMs: s.durationMs, ...s.summary };
  if (s.result === 'Synced') {
    logger.info(fields, `${s.cluster}: Synced (${s.summary.objects} objects, ${s.summary.applied} applied, ${s.summary.pruned} pruned)`);
    return;
  }
  const reasons = s.conditions.filter((c) => c.status !== 'True').map((c) => `${c.type} ${c.reason}: ${c.message}`);
  const line = `${s.cluster}: ${s.result}${reasons.length > 0 ? ` — ${reasons.slice(0, 3).join('; ')}` : ''}`;
  if (s.result === 'Degraded') logger.warn(fields, line);
  else logger.error(fields, line);
}

// ---------------------------------------------------------------------------
// `manifold reconcile` without --once (or with --report): options → loop.

export interface LoopCommandOptions extends ReconcileCommandOptions {
  /** Poll interval (default 60s). */
  interval?: string | undefined;
  /** Re-check drift of Synced clusters this often (default 5m). */
  driftInterval?: string | undefined;
  /** Watch this rendered folder with chokidar and reconcile on every change (development). */
  watch?: string | undefined;
  /** Fetch the rendered branch from this remote (name or https URL) at every tick. */
  remote?: string | undefined;
  /** Write statuses to this report branch (true: manifold/status). */
  report?: string | boolean | undefined;
  /** Push the report here (default: --remote; without either, the local branch of --repo). */
  reportRemote?: string | undefined;
  /** Probe and metrics address (default :8080 in loop mode, none with --once; "off" disables). */
  listen?: string | undefined;
  shutdownGrace?: string | undefined;
  logLevel?: string | undefined;
}

function usage(message: string): InputError {
  return InputError.single({ code: 'USAGE', message });
}

/** The repository for --repo, or a fresh bare one (the container's emptyDir) when only --remote is given. */
async function gitRepositoryFor(opts: LoopCommandOptions): Promise<GitRepository | undefined> {
  if (opts.repo !== undefined) {
    const dir = path.resolve(opts.repo);
    if (opts.remote !== undefined && (!existsSync(dir) || readdirSync(dir).length === 0)) {
      await git.init({ fs, dir, bare: true, defaultBranch: 'main' });
    }
    return openRepository(dir, 'rendered repository');
  }
  if (opts.remote === undefined) return undefined;
  const dir = await mkdtemp(path.join(tmpdir(), 'manifold-reconcile-'));
  await git.init({ fs, dir, bare: true, defaultBranch: 'main' });
  return openRepository(dir, 'scratch repository');
}

/** Strings no log line may contain: the git token and the credentials the kubeconfig or the pod holds. */
async function knownSecrets(opts: LoopCommandOptions, token: string | undefined): Promise<string[]> {
  const secrets: string[] = [];
  if (token !== undefined) secrets.push(token);
  const saToken = await readFile('/var/run/secrets/kubernetes.io/serviceaccount/token', 'utf8').catch(() => undefined);
  if (saToken !== undefined) secrets.push(saToken.trim());
  const kubeconfig = opts.kubeconfig ?? process.env.KUBECONFIG?.split(path.delimiter)[0];
  if (kubeconfig !== undefined) {
    const text = await readFile(kubeconfig, 'utf8').catch(() => '');
    for (const m of text.matchAll(/^\s*(?:token|password|client-key-data):\s*["']?([^\s"']+)/gm)) if (m[1] !== undefined) secrets.push(m[1]);
  }
  return secrets;
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

/** Builds the loop from CLI options (no signal handlers, so tests can drive it). */
export async function startReconciler(opts: LoopCommandOptions, io: { stdoutLogs?: boolean } = {}): Promise<ReconcilerRuntime> {
  if (opts.inCluster && opts.cluster === undefined) throw usage('--in-cluster needs --cluster NAME (the cluster this agent runs in)');
  if (opts.inCluster && opts.kubeconfig !== undefined) throw usage('--in-cluster and --kubeconfig exclude each other');
  const sources = [opts.dir, opts.repo ?? opts.remote, opts.watch].filter((s) => s !== undefined).length;
  if (sources !== 1) throw usage('give exactly one of --dir RENDERED_DIR, --watch RENDERED_DIR, or --repo DIR / --remote URL');
  if (opts.ref !== undefined && (!opts.once || opts.remote !== undefined)) throw usage('--ref pins one commit of a local repository: use it with --once and --repo, without --remote');
  if (opts.once && opts.watch !== undefined) throw usage('--watch runs until stopped; it does not go with --once');
  const intervalMs = parseDuration(opts.interval ?? '60s', '--interval');
  const driftIntervalMs = parseDuration(opts.driftInterval ?? '5m', '--drift-interval');
  const shutdownGraceMs = parseDuration(opts.shutdownGrace ?? '20s', '--shutdown-grace');
  if (intervalMs < 100) throw usage('--interval must be at least 100ms');
  const settings = fleetSettings(opts);
  const level = (opts.logLevel ?? (opts.verbose ? 'debug' : 'info')) as 'info';
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(level)) throw usage(`--log-level "${opts.logLevel}" is not one of trace, debug, info, warn, error, fatal, silent`);

  const token = process.env[TOKEN_ENV] === '' ? undefined : process.env[TOKEN_ENV];
  const logger = createLogger({ destination: io.stdoutLogs ? 'stdout' : 'stderr', level, secrets: await knownSecrets(opts, token) });
  const repo = await gitRepositoryFor(opts);
  // A stale ref lock taken over is said in the JSON log, not as a bare stderr line.
  const warnInLog = (message: string): void => logger.warn({}, message);
  if (repo !== undefined) repo.warn = warnInLog;
  const source: RenderedSource =
    repo === undefined
      ? folderSource((opts.dir ?? opts.watch) as string, opts.cluster)
      : gitSource({ repo, branch: opts.branch ?? DEFAULT_RENDERED_BRANCH, prefix: opts.prefix, only: opts.cluster, remote: opts.remote, token, ref: opts.ref });

  let report: ReportStatuses | undefined;
  if (opts.report !== undefined && opts.report !== false) {
    const reportRemote = opts.reportRemote ?? opts.remote;
    if (repo === undefined && reportRemote === undefined) throw usage('--report needs a git repository: give --repo DIR or --report-remote URL');
    const reportRepo = repo ?? ((await gitRepositoryFor({ remote: reportRemote })) as GitRepository);
    reportRepo.warn = warnInLog;
    const target: ReportTarget = { repo: reportRepo, branch: typeof opts.report === 'string' ? opts.report : DEFAULT_REPORT_BRANCH, remote: reportRemote, token };
    branchRef(target.branch as string);
    report = (statuses) => writeReport(target, statuses);
  }

  const metrics = new ReconcilerMetrics();
  const reconcile: ReconcileOnce = (snapshot, clusters, signal) => {
    return reconcileFleet(fleetTargets(opts, settings, snapshot.trees, clusters), {
      ...fleetOptions(opts, settings, snapshot.renderedCommit),
      signal,
      log: (e) => {
        const fields = { cluster: e.cluster, object: e.object };
        if (e.level === 'error') logger.error(fields, e.message);
        else if (e.level === 'warn') logger.warn(fields, e.message);
        else logger.debug(fields, e.message);
      },
    });
  };

  // Liveness fails only when the loop is wedged: no finished tick for several intervals plus a whole reconcile.
  const probe = new ProbeState(3 * intervalMs + settings.clusterTimeoutMs + 60_000);
  const loop = new ReconcileLoop({ source, reconcile, report, logger, metrics, probe, once: opts.once ?? false, intervalMs, driftIntervalMs, shutdownGraceMs });

  const listen = opts.listen ?? (opts.once ? 'off' : ':8080');
  let server: ProbeServer | undefined;
  if (listen !== 'off' && listen !== '') {
    let address: { host: string; port: number };
    try {
      address = parseListen(listen);
    } catch (err) {
      throw usage(errorMessage(err));
    }
    server = await startProbeServer(address, probe, metrics);
  }

  let watcher: { close(): Promise<void> } | undefined;
  if (opts.watch !== undefined) {
    const { watch } = await import('chokidar');
    let debounce: NodeJS.Timeout | undefined;
    const w = watch(path.resolve(opts.watch), { ignoreInitial: true });
    w.on('all', () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => loop.trigger(), 300);
    });
    watcher = w;
  }

  logger.info(
    {
      version: (await import('../version.ts')).MANIFOLD_VERSION,
      source: source.description,
      mode: opts.inCluster ? 'pull' : 'push',
      cluster: opts.cluster,
      intervalMs,
      driftIntervalMs,
      report: report === undefined ? undefined : typeof opts.report === 'string' ? opts.report : DEFAULT_REPORT_BRANCH,
      listen: server?.url,
    },
    opts.once ? 'manifold reconcile: one iteration' : 'manifold reconcile: loop started',
  );

  const done = loop.run().finally(async () => {
    await watcher?.close();
    await server?.close();
  });
  return { loop, logger, metrics, probe, server, done };
}

/**
 * The command: the loop until SIGTERM/SIGINT (exit 0 after a clean
 * shutdown; a second signal exits at once), or one iteration with --once
 * (summary on stdout, exit code as `reconcile --once`).
 */
export async function reconcileLoopCommand(opts: LoopCommandOptions): Promise<number> {
  const runtime = await startReconciler(opts, { stdoutLogs: !opts.once });
  if (opts.once) {
    const outcome = await runtime.done;
    const statuses = outcome?.statuses ?? [];
    if (opts.output === 'json') process.stdout.write(`${JSON.stringify({ clusters: statuses }, null, 2)}\n`);
    else process.stdout.write(formatSummary(statuses));
    return exitCodeFor(statuses);
  }
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      runtime.logger.warn({ signal }, 'second signal: exiting now (the report branch is never half-written: its ref moves last)');
      process.exit(130);
    }
    runtime.logger.info({ signal }, 'shutdown requested: readiness now fails');
    runtime.loop.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await runtime.done;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  runtime.logger.info('manifold reconcile: stopped');
  return 0;
}
