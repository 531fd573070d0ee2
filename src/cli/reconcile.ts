/**
 * `manifold reconcile`: the flags shared by one-shot runs and the loop, the
 * cluster → context mapping, and the human summary. Every run, `--once` or
 * not, goes through the loop runtime (src/reconcile/loop.ts), so all sources
 * behave and log alike.
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
import { DEFAULT_BRANCH } from '../git/names.ts';
import { InputError } from '../errors/index.ts';
import { redact } from '../errors/redact.ts';
import { DECOMMISSIONED, LEFT_THE_FLEET, OBJECTS_REJECTED } from '../reconcile/cluster.ts';
import type { FleetOptions, FleetTarget } from '../reconcile/fleet.ts';
import type { ClusterCredentials } from '../reconcile/kube.ts';
import { describeObject } from '../reconcile/objects.ts';
import type { ClusterStatus } from '../reconcile/types.ts';

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

/** The branch the reconciler reads: the one `render --commit` writes. */
export const DEFAULT_RENDERED_BRANCH = DEFAULT_BRANCH;

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

/** The fleet-wide settings both the one-shot command and the loop read from the same flags. */
export interface FleetSettings {
  waitTimeoutMs: number;
  clusterTimeoutMs: number;
  requestTimeoutMs: number | undefined;
  concurrency: number;
  contexts: Map<string, string>;
}

export function fleetSettings(opts: ReconcileCommandOptions): FleetSettings {
  const waitTimeoutMs = opts.timeout === undefined ? 300_000 : parseDuration(opts.timeout, '--timeout');
  const clusterTimeoutMs = opts.clusterTimeout === undefined ? Math.max(600_000, waitTimeoutMs + 120_000) : parseDuration(opts.clusterTimeout, '--cluster-timeout');
  const concurrency = opts.concurrency === undefined ? 8 : Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw usage(`--concurrency "${opts.concurrency}" must be a positive integer`);
  const requestTimeoutMs = opts.requestTimeout === undefined ? undefined : parseDuration(opts.requestTimeout, '--request-timeout');
  if (requestTimeoutMs !== undefined && requestTimeoutMs < 100) throw usage('--request-timeout must be at least 100ms');
  return { waitTimeoutMs, clusterTimeoutMs, requestTimeoutMs, concurrency, contexts: contextMap(opts.context) };
}

/**
 * One worker per cluster: in-cluster credentials (pull mode) or a kubeconfig
 * context (push mode): `--context CLUSTER=CONTEXT` first, then the context the
 * inventory names (recorded in the tree's provenance), then the cluster name.
 */
export function fleetTargets(
  opts: ReconcileCommandOptions,
  settings: FleetSettings,
  trees: ReadonlyMap<string, ReadonlyMap<string, string>>,
  clusters: readonly string[],
  treeContexts: ReadonlyMap<string, string> = new Map(),
): FleetTarget[] {
  return clusters.map((cluster) => {
    const credentials: ClusterCredentials = opts.inCluster
      ? { mode: 'in-cluster' }
      : { mode: 'kubeconfig', kubeconfigPath: opts.kubeconfig, context: settings.contexts.get(cluster) ?? treeContexts.get(cluster) ?? cluster };
    return { cluster, tree: trees.get(cluster) ?? new Map(), credentials };
  });
}

/** reconcileFleet options from the flags (the caller adds logging and cancellation). */
export function fleetOptions(opts: ReconcileCommandOptions, settings: FleetSettings, renderedCommit: string): FleetOptions {
  return {
    renderedCommit,
    kubeconfigPath: opts.kubeconfig,
    selfHeal: opts.selfHeal ?? true,
    prune: opts.prune ?? true,
    allowMassPrune: opts.allowMassPrune ?? false,
    wait: opts.wait ?? false,
    waitTimeoutMs: settings.waitTimeoutMs,
    clusterTimeoutMs: settings.clusterTimeoutMs,
    concurrency: settings.concurrency,
    ...(settings.requestTimeoutMs === undefined ? {} : { clientOptions: { requestTimeoutMs: settings.requestTimeoutMs } }),
  };
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
