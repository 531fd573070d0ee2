/**
 * The fleet at a glance, as data: one row per cluster of a report (the
 * statuses on the report branch) with what `manifold status` prints and
 * the status page (index.html) draws. Pure: statuses, the rendered tip and
 * the inventory in, a view out; "now" is given (the report commit's time or
 * --now), never read from the clock, so the same report gives the same view.
 *
 * Rollout waves (issue 15: the rollouts/ state files, rollout-view.ts) and
 * failover proposals (issue 14) slot in through the optional `rollout`,
 * `rollouts` and `proposals` inputs: columns and sections that appear only
 * when they are given.
 */
import { appliedInFull, isProblem } from './status-rules.ts';
import type { ClusterResult, ClusterStatus, LiveWorkload } from './types.ts';

/** Whether the cluster answers and is ready: from its live Ready condition when observed, else from the reconcile result. */
export type Readiness = 'Ready' | 'NotReady' | 'Unreachable' | 'Reachable';

/** A cluster's place in a rollout (issue 15): its wave and whether its gate lets the tip through. */
export interface RolloutCell {
  wave: string;
  /** "open", or what holds it back (issue 15's gates: previous-wave, min-healthy, approval, window, paused, halted…). */
  gate: string;
  reason?: string | undefined;
}

/** One rollout policy's state (issue 15's rollouts/<policy>.json on the report branch). */
export interface RolloutSummary {
  policy: string;
  file: string;
  state: string;
  reason: string;
  target?: string | undefined;
  waves: Array<{ name: string; state: string; reason: string }>;
}

/** A failover proposal (issue 14): moving workloads off a cluster that was lost. */
export interface FailoverProposalView {
  cluster: string;
  /** Branch or pull request that carries the proposal. */
  ref?: string | undefined;
  message: string;
}

/** One thing wrong in a cluster, with its message (Secret values are already masked in the status). */
export interface ProblemView {
  /** `Ready`, `Drifted`… for a condition; `Kind namespace/name` for an object. */
  subject: string;
  kind: 'condition' | 'failed' | 'unhealthy' | 'drifted';
  message: string;
  /** JSON pointers of drifted fields. */
  paths?: string[] | undefined;
}

export interface ClusterRow {
  cluster: string;
  result: ClusterResult;
  /** In the report, but the inventory (the rendered tip) no longer has it. */
  stale: boolean;
  readiness: Readiness;
  readinessFrom: 'live' | 'result';
  /** Rendered commit that was last applied in full (absent: never applied). */
  applied?: string | undefined;
  /** Rendered commit the last reconcile attempted. */
  attempted: string;
  /** Commits `applied` is behind the tip (absent: unknown). */
  behind?: number | undefined;
  objects: number;
  unhealthy: number;
  drifted: number;
  failed: number;
  finishedAt: string;
  /** Seconds between finishedAt and now (absent without a now). */
  ageSeconds?: number | undefined;
  rollout?: RolloutCell | undefined;
  /** Synced and healthy at the tip, and still in the inventory. */
  ok: boolean;
  problems: ProblemView[];
  workloads: LiveWorkload[];
}

/** One workload's replicas per cluster: desired from the rendered object, ready from the cluster (live.workloads). */
export interface WorkloadView {
  /** `Kind namespace/name`. */
  id: string;
  desired: number;
  ready: number;
  clusters: Array<{ cluster: string; desired: number; ready: number }>;
}

export interface FleetView {
  /** The report this view shows: its commit (or folder) and the time used as now. */
  report: { commit?: string | undefined; folder?: string | undefined; now?: string | undefined };
  /** The newest rendered commit: from the rendered branch, or (without it) the newest one the report attempted. */
  tip?: { commit: string; from: 'rendered-branch' | 'report' } | undefined;
  /** Clusters per result, plus `Stale` and `OK`. */
  counts: Record<string, number>;
  clusters: ClusterRow[];
  workloads: WorkloadView[];
  rollout: boolean;
  rollouts?: RolloutSummary[] | undefined;
  proposals?: FailoverProposalView[] | undefined;
  /** Problems with the report itself (unreadable status files). */
  notes: string[];
  /** Every cluster ok. */
  ok: boolean;
}

export interface FleetViewInput {
  statuses: readonly ClusterStatus[];
  report?: FleetView['report'] | undefined;
  /** The rendered branch's tip; without it the newest commit the report attempted stands in. */
  renderedTip?: string | undefined;
  /** Rendered commit → commits behind the tip (git/ancestry.ts). */
  behind?: ReadonlyMap<string, number> | undefined;
  /** Clusters of the rendered tip; a report cluster outside it is stale. Absent: nobody is stale. */
  inventory?: ReadonlySet<string> | undefined;
  rollout?: ReadonlyMap<string, RolloutCell> | undefined;
  rollouts?: readonly RolloutSummary[] | undefined;
  proposals?: readonly FailoverProposalView[] | undefined;
  unreadable?: readonly string[] | undefined;
}

const COMMIT_ID = /^[0-9a-f]{40}$/;
/** Problems kept per cluster: a page for 1,000 clusters must stay small; the status file has them all. */
export const PROBLEMS_PER_CLUSTER = 20;

export function fleetView(input: FleetViewInput): FleetView {
  const statuses = [...input.statuses].sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
  const tipCommit = input.renderedTip ?? newestAttempted(statuses);
  const tip = tipCommit === undefined ? undefined : { commit: tipCommit, from: input.renderedTip === undefined ? ('report' as const) : ('rendered-branch' as const) };
  const nowMs = input.report?.now === undefined ? undefined : Date.parse(input.report.now);
  const clusters = statuses.map((s) => clusterRow(s, { tip: tipCommit, nowMs, behind: input.behind, inventory: input.inventory, rollout: input.rollout?.get(s.cluster) }));
  const counts: Record<string, number> = {};
  for (const row of clusters) {
    counts[row.result] = (counts[row.result] ?? 0) + 1;
    if (row.stale) counts.Stale = (counts.Stale ?? 0) + 1;
    if (row.ok) counts.OK = (counts.OK ?? 0) + 1;
  }
  const notes = (input.unreadable ?? []).map((file) => `${file}: not a valid status file; its cluster is left out`);
  return {
    report: input.report ?? {},
    tip,
    counts,
    clusters,
    workloads: workloadViews(statuses),
    rollout: input.rollout !== undefined && input.rollout.size > 0,
    ...(input.rollouts === undefined || input.rollouts.length === 0 ? {} : { rollouts: [...input.rollouts] }),
    ...(input.proposals === undefined || input.proposals.length === 0 ? {} : { proposals: [...input.proposals] }),
    notes,
    ok: notes.length === 0 && clusters.every((c) => c.ok),
  };
}

/**
 * The newest rendered commit a reconcile attempted (by finishedAt): every
 * due cluster attempts the tip the reconciler read, so without the rendered
 * branch this is the best-known tip.
 */
export function newestAttempted(statuses: readonly ClusterStatus[]): string | undefined {
  let best: ClusterStatus | undefined;
  for (const s of statuses) if (COMMIT_ID.test(s.renderedCommit) && (best === undefined || s.finishedAt > best.finishedAt)) best = s;
  return best?.renderedCommit;
}

/** What runs there: the last full apply (this one when it applied in full). */
export function appliedCommit(s: ClusterStatus): string | undefined {
  return s.lastApplied?.renderedCommit ?? (appliedInFull(s) ? s.renderedCommit : undefined);
}

function clusterRow(
  s: ClusterStatus,
  ctx: { tip: string | undefined; nowMs: number | undefined; behind: ReadonlyMap<string, number> | undefined; inventory: ReadonlySet<string> | undefined; rollout: RolloutCell | undefined },
): ClusterRow {
  const applied = appliedCommit(s);
  const stale = ctx.inventory !== undefined && !ctx.inventory.has(s.cluster);
  const behind = applied === undefined ? undefined : applied === ctx.tip ? 0 : ctx.behind?.get(applied);
  const { readiness, from } = readinessOf(s);
  const atTip = ctx.tip === undefined || applied === ctx.tip;
  const uncorrected = s.conditions.some((c) => c.type === 'Drifted' && isProblem(c));
  const finished = Date.parse(s.finishedAt);
  return {
    cluster: s.cluster,
    result: s.result,
    stale,
    readiness,
    readinessFrom: from,
    ...(applied === undefined ? {} : { applied }),
    attempted: s.renderedCommit,
    ...(behind === undefined ? {} : { behind }),
    objects: s.summary.objects,
    unhealthy: s.summary.unhealthy,
    drifted: s.summary.drifted,
    failed: s.summary.failed,
    finishedAt: s.finishedAt,
    ...(ctx.nowMs === undefined || Number.isNaN(ctx.nowMs) || Number.isNaN(finished) ? {} : { ageSeconds: Math.max(0, Math.floor((ctx.nowMs - finished) / 1000)) }),
    ...(ctx.rollout === undefined ? {} : { rollout: ctx.rollout }),
    ok: s.result === 'Synced' && s.summary.unhealthy === 0 && s.summary.failed === 0 && !uncorrected && !stale && atTip,
    problems: problemsOf(s),
    workloads: s.live?.workloads ?? [],
  };
}

/** Karmada's Ready reasons (karmada pkg/controllers/status/cluster_status_controller.go: ClusterReady, ClusterNotReady, ClusterNotReachable). */
function readinessOf(s: ClusterStatus): { readiness: Readiness; from: 'live' | 'result' } {
  const ready = s.live?.conditions.find((c) => c.type === 'Ready');
  if (ready !== undefined) {
    if (ready.status === 'True') return { readiness: 'Ready', from: 'live' };
    return { readiness: ready.reason === 'ClusterNotReachable' || ready.status === 'Unknown' ? 'Unreachable' : 'NotReady', from: 'live' };
  }
  return { readiness: s.result === 'Unreachable' ? 'Unreachable' : 'Reachable', from: 'result' };
}

function objectId(o: { kind: string; namespace?: string | undefined; name: string }): string {
  return `${o.kind} ${o.namespace === undefined ? '' : `${o.namespace}/`}${o.name}`;
}

function problemsOf(s: ClusterStatus): ProblemView[] {
  const out: ProblemView[] = s.conditions.filter(isProblem).map((c) => ({ subject: c.type, kind: 'condition', message: `${c.status} ${c.reason}: ${c.message}` }));
  for (const o of s.objects) {
    const drift = o.drift ?? [];
    if (o.action === 'failed') out.push({ subject: objectId(o), kind: 'failed', message: o.message ?? 'failed' });
    else if (o.health !== 'Healthy' && o.action !== 'pruned') out.push({ subject: objectId(o), kind: 'unhealthy', message: `${o.health}${o.message === undefined ? '' : `: ${o.message}`}` });
    if (drift.length > 0) out.push({ subject: objectId(o), kind: 'drifted', message: `${drift.length === 1 ? '1 field differs' : `${drift.length} fields differ`} from the rendered tree`, paths: drift.map((d) => d.path) });
  }
  return out.length > PROBLEMS_PER_CLUSTER
    ? [...out.slice(0, PROBLEMS_PER_CLUSTER), { subject: `${out.length - PROBLEMS_PER_CLUSTER} more`, kind: 'condition', message: `see clusters/${s.cluster}.json` }]
    : out;
}

function workloadViews(statuses: readonly ClusterStatus[]): WorkloadView[] {
  const byId = new Map<string, WorkloadView>();
  for (const s of statuses) {
    for (const w of s.live?.workloads ?? []) {
      const id = objectId(w);
      const view = byId.get(id) ?? { id, desired: 0, ready: 0, clusters: [] };
      view.desired += w.desired;
      view.ready += w.ready;
      view.clusters.push({ cluster: s.cluster, desired: w.desired, ready: w.ready });
      byId.set(id, view);
    }
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * kubectl's AGE: k8s.io/apimachinery pkg/util/duration/duration.go
 * HumanDuration (2 significant units while they matter, then one).
 */
export function humanDuration(seconds: number): string {
  if (seconds < 0) return '0s';
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(seconds / 3600);
  if (seconds < 120) return `${Math.floor(seconds)}s`;
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${Math.floor(seconds % 60)}s`;
  if (minutes < 180) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (years < 8) return `${years}y${Math.floor(hours / 24) % 365}d`;
  return `${years}y`;
}
