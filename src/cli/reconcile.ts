/**
 * `manifold reconcile`, the front door of the reconcile use case
 * (src/app/reconcile.ts): flags → typed options (durations, the cluster →
 * context mapping, the source, usage errors), then the loop until a signal,
 * or one iteration with --once → the human summary or JSON → an exit code.
 *
 * Exit codes (docs/reconciler.md "Exit codes"): 0 every cluster synced (or
 * decommissioned); 1 a cluster did not converge (drift not corrected, prune
 * refused, unhealthy after --wait, an object the API server rejected as
 * invalid, a cluster that left the fleet with objects still running);
 * 2 invalid input found before anything was applied; 3 the environment
 * failed (a cluster unreachable, its credentials rejected, a timeout, server
 * errors, missing permissions).
 *
 * Nothing printed here can hold Secret data, tokens or kubeconfig contents:
 * statuses mask Secret values, and client errors never quote credentials.
 */
import { DEFAULT_RENDERED_BRANCH, reconcileOnce, startReconciler, type ReconcileOptions, type ReconcileSource } from '../app/reconcile.ts';
import { InputError } from '../errors/index.ts';
import { redact } from '../errors/redact.ts';
import { TOKEN_ENV } from '../git/remote.ts';
import { branchRef } from '../git/repo.ts';
import { DECOMMISSIONED, LEFT_THE_FLEET, OBJECTS_REJECTED } from '../reconcile/cluster.ts';
import { describeObject } from '../reconcile/objects.ts';
import { DEFAULT_REPORT_BRANCH } from '../reconcile/report.ts';
import { defaultIdentity } from '../reconcile/leases.ts';
import { parseListen } from '../reconcile/server.ts';
import type { ClusterStatus } from '../reconcile/types.ts';
import { printNotice, withProgress, writeStderr } from './output.ts';

export interface ReconcileCommandOptions {
  once?: boolean;
  dir?: string | undefined;
  repo?: string | undefined;
  branch?: string | undefined;
  ref?: string | undefined;
  /** Folder of the rendered branch that holds the cluster folders. */
  prefix?: string | undefined;
  kubeconfig?: string | undefined;
  cluster?: string | undefined;
  inCluster?: boolean;
  /** CLUSTER=CONTEXT overrides of "context name = cluster name". */
  context?: string[] | undefined;
  selfHeal?: boolean;
  prune?: boolean;
  allowMassPrune?: boolean;
  wait?: boolean;
  timeout?: string | undefined;
  clusterTimeout?: string | undefined;
  /** A request without an answer for this long: the cluster is Unreachable (default 30s). */
  requestTimeout?: string | undefined;
  concurrency?: string | undefined;
  output?: 'text' | 'json' | undefined;
  verbose?: boolean;
}

/** The loop's flags (without --once, or with --report). */
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
  /** A change of live allocated/allocating alone is written to the report this long after the stored one (default 30m). */
  liveRefresh?: string | undefined;
  /** Decide failover after each report from the policies of this source folder. */
  failover?: string | undefined;
  failoverUnattended?: boolean | undefined;
  /** Probe and metrics address (default :8080 in loop mode, none with --once; "off" disables). */
  listen?: string | undefined;
  shutdownGrace?: string | undefined;
  logLevel?: string | undefined;
  /** Sharding through Leases in this namespace of the hub. */
  shardLeases?: string | undefined;
  shardIdentity?: string | undefined;
  leaseDuration?: string | undefined;
  renewInterval?: string | undefined;
  shardSlack?: string | undefined;
  hubKubeconfig?: string | undefined;
  hubContext?: string | undefined;
  /** Post a `manifold/<cluster>` commit status on each source commit (token from MANIFOLD_GITHUB_TOKEN or GITHUB_TOKEN). */
  commitStatus?: boolean | undefined;
  /** owner/repo of the source repository on GitHub (default $GITHUB_REPOSITORY). */
  githubRepository?: string | undefined;
  /** REST API root (default $GITHUB_API_URL, else https://api.github.com). */
  githubApiUrl?: string | undefined;
  /** Link on each commit status, e.g. where the status page is served. */
  statusUrl?: string | undefined;
}

/** Where the commit-status token comes from: never a flag (flags show up in `ps` and pod specs). */
export const GITHUB_TOKEN_ENVS = ['MANIFOLD_GITHUB_TOKEN', 'GITHUB_TOKEN'] as const;

function commitStatusFrom(opts: LoopCommandOptions, env: NodeJS.ProcessEnv): ReconcileOptions['commitStatus'] {
  if (opts.commitStatus !== true) {
    if (opts.githubRepository !== undefined || opts.statusUrl !== undefined) throw usage('--github-repository and --status-url go with --commit-status');
    return undefined;
  }
  const token = GITHUB_TOKEN_ENVS.map((name) => env[name]).find((t) => t !== undefined && t !== '');
  if (token === undefined) throw usage(`--commit-status needs a token in ${GITHUB_TOKEN_ENVS.join(' or ')}`);
  const repository = opts.githubRepository ?? (env.GITHUB_REPOSITORY || undefined);
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository ?? '');
  if (m === null) throw usage(`--commit-status needs --github-repository OWNER/REPO (or $GITHUB_REPOSITORY)${repository === undefined ? '' : `, not "${repository}"`}`);
  const apiUrl = opts.githubApiUrl ?? (env.GITHUB_API_URL || undefined) ?? 'https://api.github.com';
  for (const [flag, url] of [['--github-api-url', apiUrl], ['--status-url', opts.statusUrl]] as const) {
    if (url !== undefined && !/^https?:\/\/[^\s]+$/.test(url)) throw usage(`${flag} "${url}" must be an http(s) URL`);
  }
  return { apiUrl, repository: { owner: m[1] as string, repo: m[2] as string }, token, targetUrl: opts.statusUrl };
}

function usage(message: string): InputError {
  return InputError.single({ code: 'USAGE', message });
}

/** `300ms`, `30s`, `5m`, `1h`, `1m30s`, or plain seconds. */
export function parseDuration(text: string, option: string): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(t); m !== null; m = re.exec(t)) {
    const n = Number(m[1]);
    total += n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== t.length) throw usage(`${option} "${text}" is not a duration (e.g. 90s, 5m, 1h30m)`);
  return Math.round(total);
}

export function contextMap(entries: readonly string[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of entries ?? []) {
    const eq = e.indexOf('=');
    if (eq <= 0 || eq === e.length - 1) throw usage(`--context "${e}" must be CLUSTER=CONTEXT`);
    map.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return map;
}

/** --dir, --watch, or --repo/--remote: where the rendered trees come from. */
function sourceFrom(opts: LoopCommandOptions): ReconcileSource {
  if (opts.repo === undefined && opts.remote === undefined) return { kind: 'folder', dir: (opts.dir ?? opts.watch) as string, watch: opts.watch !== undefined };
  return { kind: 'git', repo: opts.repo, remote: opts.remote, branch: opts.branch ?? DEFAULT_RENDERED_BRANCH, prefix: opts.prefix, ref: opts.ref };
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** The flags as typed use-case options; every usage error is raised here, before anything starts. */
export function reconcileOptions(opts: LoopCommandOptions): ReconcileOptions {
  if (opts.inCluster && opts.cluster === undefined) throw usage('--in-cluster needs --cluster NAME (the cluster this agent runs in)');
  if (opts.inCluster && opts.kubeconfig !== undefined) throw usage('--in-cluster and --kubeconfig exclude each other');
  const sources = [opts.dir, opts.repo ?? opts.remote, opts.watch].filter((s) => s !== undefined).length;
  if (sources !== 1) throw usage('give exactly one of --dir RENDERED_DIR, --watch RENDERED_DIR, or --repo DIR / --remote URL');
  if (opts.ref !== undefined && (!opts.once || opts.remote !== undefined)) throw usage('--ref pins one commit of a local repository: use it with --once and --repo, without --remote');
  if (opts.once && opts.watch !== undefined) throw usage('--watch runs until stopped; it does not go with --once');
  if (opts.repo === undefined && opts.remote === undefined && (opts.branch !== undefined || opts.ref !== undefined || opts.prefix !== undefined)) {
    throw usage('--branch, --ref and --prefix go with --repo or --remote, not --dir or --watch');
  }
  const intervalMs = parseDuration(opts.interval ?? '60s', '--interval');
  const driftIntervalMs = parseDuration(opts.driftInterval ?? '5m', '--drift-interval');
  const shutdownGraceMs = parseDuration(opts.shutdownGrace ?? '20s', '--shutdown-grace');
  const liveRefreshMs = opts.liveRefresh === undefined ? undefined : parseDuration(opts.liveRefresh, '--live-refresh');
  if (intervalMs < 100) throw usage('--interval must be at least 100ms');
  const waitTimeoutMs = opts.timeout === undefined ? 300_000 : parseDuration(opts.timeout, '--timeout');
  const clusterTimeoutMs = opts.clusterTimeout === undefined ? Math.max(600_000, waitTimeoutMs + 120_000) : parseDuration(opts.clusterTimeout, '--cluster-timeout');
  const concurrency = opts.concurrency === undefined ? 8 : Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw usage(`--concurrency "${opts.concurrency}" must be a positive integer`);
  const requestTimeoutMs = opts.requestTimeout === undefined ? undefined : parseDuration(opts.requestTimeout, '--request-timeout');
  if (requestTimeoutMs !== undefined && requestTimeoutMs < 100) throw usage('--request-timeout must be at least 100ms');
  const contexts = contextMap(opts.context);
  const logLevel = opts.logLevel ?? (opts.verbose ? 'debug' : 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw usage(`--log-level "${opts.logLevel}" is not one of trace, debug, info, warn, error, fatal, silent`);
  const source = sourceFrom(opts);
  return {
    source,
    cluster: opts.cluster,
    inCluster: opts.inCluster ?? false,
    kubeconfig: opts.kubeconfig,
    contexts,
    gitToken: process.env[TOKEN_ENV] === '' ? undefined : process.env[TOKEN_ENV],
    selfHeal: opts.selfHeal ?? true,
    prune: opts.prune ?? true,
    allowMassPrune: opts.allowMassPrune ?? false,
    wait: opts.wait ?? false,
    waitTimeoutMs,
    clusterTimeoutMs,
    requestTimeoutMs,
    concurrency,
    once: opts.once ?? false,
    intervalMs,
    driftIntervalMs,
    shutdownGraceMs,
    liveRefreshMs,
    report: reportFrom(opts, source),
    commitStatus: commitStatusFrom(opts, process.env),
    failover: failoverFrom(opts, source),
    listen: listenFrom(opts),
    shard: shardFrom(opts),
    logLevel: logLevel as (typeof LOG_LEVELS)[number],
    // The loop's JSON log goes to stdout (the container's log); with --once stdout holds the summary.
    logDestination: opts.once ? 'stderr' : 'stdout',
  };
}

function reportFrom(opts: LoopCommandOptions, source: ReconcileSource): ReconcileOptions['report'] {
  if (opts.report === undefined || opts.report === false) return undefined;
  const remote = opts.reportRemote ?? opts.remote;
  if (source.kind === 'folder' && remote === undefined) throw usage('--report needs a git repository: give --repo DIR or --report-remote URL');
  const branch = typeof opts.report === 'string' ? opts.report : DEFAULT_REPORT_BRANCH;
  branchRef(branch);
  return { branch, remote };
}

const SHARD_FLAGS = ['shardIdentity', 'leaseDuration', 'renewInterval', 'shardSlack', 'hubKubeconfig', 'hubContext'] as const;

/** --shard-leases and its timings; the renew deadline is 2/3 of the lease duration (client-go's 10 s of 15 s). */
function shardFrom(opts: LoopCommandOptions): ReconcileOptions['shard'] {
  if (opts.shardLeases === undefined) {
    const stray = SHARD_FLAGS.find((f) => opts[f] !== undefined);
    if (stray !== undefined) throw usage(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} goes with --shard-leases NAMESPACE`);
    return undefined;
  }
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(opts.shardLeases)) throw usage(`--shard-leases "${opts.shardLeases}" is not a namespace name`);
  if (opts.once) throw usage('--shard-leases shares clusters between running replicas; it does not go with --once');
  if (opts.cluster !== undefined || opts.inCluster) throw usage('--shard-leases is for push mode (one hub, many clusters); a pull-mode agent (--cluster) has one cluster of its own');
  const leaseDurationMs = parseDuration(opts.leaseDuration ?? '40s', '--lease-duration');
  const renewIntervalMs = parseDuration(opts.renewInterval ?? '10s', '--renew-interval');
  const renewDeadlineMs = Math.floor((leaseDurationMs * 2) / 3);
  if (renewIntervalMs < 100) throw usage('--renew-interval must be at least 100ms');
  if (renewIntervalMs * 1.2 >= renewDeadlineMs) {
    throw usage(`--renew-interval (${opts.renewInterval ?? '10s'}) must be well below the lease duration (${opts.leaseDuration ?? '40s'}): at most half of it, e.g. --lease-duration 40s --renew-interval 10s`);
  }
  const slack = opts.shardSlack === undefined ? 1 : Number(opts.shardSlack);
  if (!Number.isInteger(slack) || slack < 0) throw usage(`--shard-slack "${opts.shardSlack}" must be a whole number ≥ 0`);
  const identity = opts.shardIdentity ?? defaultIdentity();
  if (identity === '' || identity.length > 128) throw usage('--shard-identity must be 1 to 128 characters');
  const inPod = process.env.KUBERNETES_SERVICE_HOST !== undefined && opts.hubKubeconfig === undefined && opts.hubContext === undefined;
  const offset = Number(process.env.MANIFOLD_CLOCK_OFFSET_MS ?? 0);
  return {
    namespace: opts.shardLeases,
    identity,
    leaseDurationMs,
    renewIntervalMs,
    renewDeadlineMs,
    slack,
    hub: inPod ? { mode: 'in-cluster' } : { mode: 'kubeconfig', kubeconfigPath: opts.hubKubeconfig ?? opts.kubeconfig, context: opts.hubContext },
    clockOffsetMs: Number.isFinite(offset) ? offset : 0,
  };
}

function failoverFrom(opts: LoopCommandOptions, source: ReconcileSource): ReconcileOptions['failover'] {
  if (opts.failover === undefined) {
    if (opts.failoverUnattended === true) throw usage('--failover-unattended needs --failover SOURCE');
    return undefined;
  }
  if (opts.report === undefined || opts.report === false || source.kind !== 'git' || source.repo === undefined) {
    throw usage('--failover decides from the report on the rendered branch of a local repository: give --repo DIR and --report');
  }
  return { source: opts.failover, unattended: opts.failoverUnattended ?? false };
}

function listenFrom(opts: LoopCommandOptions): ReconcileOptions['listen'] {
  const listen = opts.listen ?? (opts.once ? 'off' : ':8080');
  if (listen === 'off' || listen === '') return undefined;
  try {
    return parseListen(listen);
  } catch (err) {
    throw usage(err instanceof Error ? err.message : String(err));
  }
}

/**
 * The command: the loop until SIGTERM/SIGINT (exit 0 after a clean
 * shutdown; a second signal exits at once), or one iteration with --once
 * (summary on stdout, exit code by exitCodeFor).
 */
export async function reconcileCommand(opts: LoopCommandOptions): Promise<number> {
  const options = reconcileOptions(opts);
  if (options.once) {
    // On a terminal: the progress line (clusters done), the JSON log lines written around it.
    const { statuses } = await withProgress(() => reconcileOnce({ ...options, notify: printNotice, logWrite: writeStderr }));
    process.stdout.write(formatStatuses(statuses, opts.output));
    return exitCodeFor(statuses);
  }
  const runtime = await startReconciler(options);
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
  // The report is written; a socket still connecting to a frozen API server must not keep
  // the process (PID 1 in the container) alive past the grace period.
  setTimeout(() => process.exit(0), 1000).unref();
  return 0;
}

/**
 * What `reconcile --once` prints. Statuses quote API servers and client
 * libraries, so the text goes through the one redaction function.
 */
export function formatStatuses(statuses: readonly ClusterStatus[], output: 'text' | 'json' | undefined): string {
  return redact(output === 'json' ? `${JSON.stringify({ clusters: statuses }, null, 2)}\n` : formatSummary(statuses));
}

/** What one cluster's status means for the exit code: 0 done, 1 not converged, 3 the environment failed. */
function clusterExitCode(s: ClusterStatus): 0 | 1 | 3 {
  const ready = s.conditions.find((c) => c.type === 'Ready')?.reason;
  switch (s.result) {
    case 'Synced':
      return 0;
    case 'Degraded':
      return 1;
    case 'Unreachable':
      return 3;
    case 'Failed':
      // Only objects the API server rejected: the manifests need fixing, the environment is fine.
      return ready === OBJECTS_REJECTED ? 1 : 3;
    case 'Orphaned':
      return ready === DECOMMISSIONED ? 0 : ready === LEFT_THE_FLEET ? 1 : 3;
  }
}

/** 3 if the environment failed anywhere, else 1 if a cluster did not converge, else 0. */
export function exitCodeFor(statuses: readonly ClusterStatus[]): number {
  return Math.max(0, ...statuses.map(clusterExitCode));
}

function short(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The human summary: one line per cluster, then what needs attention. */
export function formatSummary(statuses: readonly ClusterStatus[]): string {
  const width = Math.max(7, ...statuses.map((s) => s.cluster.length));
  const lines: string[] = [];
  for (const s of statuses) {
    const ready = s.conditions.find((c) => c.type === 'Ready');
    const head = `${s.cluster.padEnd(width)}  ${s.result.padEnd(11)}`;
    // A cluster-level failure (unreachable, credentials, configuration) has no object to show: its reason is the line.
    if (s.result === 'Unreachable' || (s.result === 'Failed' && s.objects.length === 0)) {
      lines.push(`${head}  ${ready?.message ?? ''}`);
      continue;
    }
    if (s.result === 'Orphaned') {
      lines.push(`${head}  ${ready?.message ?? ''}`);
      for (const o of s.objects) lines.push(o.action === 'pruned' ? `  - ${describeObject(o)}: pruned` : `  ~ ${describeObject(o)}: still running${o.action === 'failed' ? ` (${o.message ?? 'prune failed'})` : ''}`);
      continue;
    }
    const m = s.summary;
    const parts = [`${m.applied} applied`, `${m.unchanged} unchanged`, `${m.pruned} pruned`];
    if (m.failed) parts.push(`${m.failed} failed`);
    if (m.drifted) parts.push(`${m.drifted} drifted`);
    if (m.unhealthy) parts.push(`${m.unhealthy} not healthy`);
    lines.push(`${head}  ${m.objects} objects: ${parts.join(', ')}  (${(s.durationMs / 1000).toFixed(1)} s)`);
    for (const o of s.objects) {
      const what = describeObject(o);
      if (o.action === 'failed') lines.push(`  x ${what}${o.file === undefined ? '' : ` (${s.cluster}/${o.file})`}: ${o.message ?? 'failed'}`);
      else if (o.drift !== undefined && o.drift.length > 0) {
        const fixed = o.action === 'skipped' ? 'not corrected' : 'corrected';
        for (const d of o.drift.slice(0, 10)) lines.push(`  ! ${what}: drift ${d.path}: ${short(d.before)} -> ${short(d.after)} (${fixed})`);
        if (o.drift.length > 10) lines.push(`  ! ${what}: ${o.drift.length - 10} more drifted field(s)`);
      } else if (o.action === 'pruned') lines.push(`  - ${what}: pruned`);
      else if (o.action === 'skipped' && o.message) lines.push(`  ~ ${what}: ${o.message}`);
      else if (o.action === 'recreated') lines.push(`  * ${what}: re-created (immutable field changed)`);
    }
    for (const c of s.conditions) {
      if (c.type === 'Pruned' && c.status === 'False') lines.push(`  ! ${c.message}`);
      if (c.type === 'Healthy' && c.status !== 'True' && (s.result !== 'Synced' || c.status === 'False')) lines.push(`  ~ not healthy: ${c.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
