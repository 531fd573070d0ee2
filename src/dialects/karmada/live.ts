/**
 * Live status on a Karmada Cluster (DESIGN.md §3 "overlay") and the taint
 * manager's eviction decision (reference §1.12).
 *
 * - Cluster.status: resourceSummary from the report replaces the
 *   inventory's, so dynamic weights, Aggregated and spread constraints use
 *   live numbers.
 * - The cluster controller's scheduling taints: Ready=False →
 *   `cluster.karmada.io/not-ready:NoSchedule`, Ready=Unknown →
 *   `cluster.karmada.io/unreachable:NoSchedule`, at once, and removed when
 *   Ready=True (karmada pkg/controllers/cluster/cluster_controller.go
 *   taintClusterByCondition). timeAdded is the Ready condition's
 *   lastTransitionTime, so the same report always gives the same taint.
 * - NoExecute: Karmada (the version the dialect follows, v1.19) adds no
 *   NoExecute taint by itself; a ClusterTaintPolicy does, and the taint
 *   manager only evicts with --enable-no-execute-taint-eviction (default
 *   false; cmd/controller-manager/app/options/cluster_failover.go) and the
 *   Failover gate (default false; pkg/features/features.go).
 *   > Manifold decision: `manifold failover` is that opt-in. It behaves as a
 *   > Karmada with both switched on and a ClusterTaintPolicy that adds the
 *   > same key with effect NoExecute once Ready has not been True for the
 *   > grace period (timeAdded = lastTransitionTime + grace). A plain
 *   > `render --status` adds the NoSchedule taints only, as Karmada does.
 */
import type { Taint, Toleration } from '../../model/common.ts';
import { addSeconds, secondsBetween, type LiveStatus, type ObservedCluster } from '../../model/live.ts';
import { readinessOf } from '../../model/live.ts';
import type { Cluster } from '../../model/types.ts';
import { formatTaint, toleratesTaint } from './placement.ts';

/** karmada pkg/apis/cluster/v1alpha1/well_known_constants.go */
export const TAINT_NOT_READY = 'cluster.karmada.io/not-ready';
export const TAINT_UNREACHABLE = 'cluster.karmada.io/unreachable';
/**
 * > Manifold decision: failback hysteresis. `manifold failover` taints a
 * > cluster that is Ready again, but for less than the grace period, with
 * > this NoSchedule taint: what still runs there stays, nothing comes back.
 */
export const TAINT_RECOVERING = 'manifold.dev/recovering';

/** Cluster.status and the controller's taints from one cluster's status file. */
export function overlayKarmadaCluster(cluster: Cluster, observed: ObservedCluster, status: LiveStatus): { cluster: Cluster; notes: string[] } | undefined {
  if (cluster.declaredBy !== 'Cluster') return undefined;
  const notes: string[] = [];
  const readiness = readinessOf(observed);
  // The controller owns these two keys: what the inventory says about them is replaced.
  const taints = cluster.taints.filter((t) => t.key !== TAINT_NOT_READY && t.key !== TAINT_UNREACHABLE);
  if (readiness !== undefined && readiness.status !== 'True') {
    const key = readiness.status === 'False' ? TAINT_NOT_READY : TAINT_UNREACHABLE;
    const added: Taint[] = [{ key, effect: 'NoSchedule', timeAdded: readiness.since }];
    const grace = status.failover?.gracePeriodSeconds;
    if (grace !== undefined && secondsBetween(readiness.since, status.now) >= grace) {
      added.push({ key, effect: 'NoExecute', timeAdded: addSeconds(readiness.since, grace) });
    }
    taints.push(...added);
    notes.push(`Ready=${readiness.status} (${readiness.reason}) since ${readiness.since}: tainted ${added.map((t) => `${formatTaint(t)} at ${t.timeAdded}`).join(', ')}`);
  }
  const grace = status.failover?.gracePeriodSeconds;
  if (readiness?.status === 'True' && grace !== undefined && secondsBetween(readiness.since, status.now) < grace) {
    // Failback hysteresis: a cluster Ready again takes no new workloads until it has stayed Ready for the grace period.
    taints.push({ key: TAINT_RECOVERING, effect: 'NoSchedule', timeAdded: readiness.since });
    notes.push(`Ready again since ${readiness.since}, less than the grace period (${grace}s): tainted ${TAINT_RECOVERING}:NoSchedule, no workloads come back yet`);
  }
  const summary = observed.live?.resourceSummary;
  if (summary !== undefined) notes.push(`resourceSummary from the report (observed ${observed.live?.observedAt})`);
  return { cluster: { ...cluster, taints, live: readiness, resourceSummary: summary ?? cluster.resourceSummary }, notes };
}

/** The NoExecute taints of a cluster (helper.GetNoExecuteTaints). */
export function noExecuteTaints(taints: readonly Taint[]): Taint[] {
  return taints.filter((t) => t.effect === 'NoExecute');
}

/**
 * helper.GetMatchingTolerations: whether every taint is tolerated, and for
 * each the first toleration that tolerates it.
 */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): { all: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const toleration = tolerations.find((t) => toleratesTaint(t, taint));
    if (toleration === undefined) return { all: false, used: [] };
    used.push(toleration);
  }
  return { all: true, used };
}

/**
 * helper.GetMinTolerationTimeWithCurrentTime: milliseconds until the earliest
 * `timeAdded + tolerationSeconds` among the tolerations used; -1 tolerated
 * forever (no tolerationSeconds), 0 due now (the time is not after now).
 */
export function minTolerationTime(taints: readonly Taint[], used: readonly Toleration[], now: string): number {
  if (taints.length === 0) return -1;
  if (used.length === 0) return 0;
  let earliest: number | undefined;
  for (const toleration of used) {
    if (toleration.tolerationSeconds === undefined) continue;
    for (const taint of taints) {
      if (taint.timeAdded === undefined || !toleratesTaint(toleration, taint)) continue;
      const trigger = Date.parse(taint.timeAdded) + toleration.tolerationSeconds * 1000;
      if (earliest === undefined || trigger < earliest) earliest = trigger;
    }
  }
  if (earliest === undefined) return -1;
  const current = Date.parse(now);
  // `t.Before(currentTime)` → 0, else t.Sub(currentTime): 0 at the very instant too.
  return Math.max(0, earliest - current);
}

export interface EvictionDecision {
  evict: boolean;
  /** Milliseconds until eviction when not yet due; -1 tolerated forever. */
  waitMs: number;
  reason: string;
}

/**
 * NoExecuteTaintManager.needEvictionWithCurrentTime
 * (karmada pkg/controllers/cluster/taint_manager.go): a binding on a cluster
 * with NoExecute taints is evicted at once when a taint is not tolerated,
 * when the earliest tolerationSeconds has run out, and otherwise later (or
 * never without tolerationSeconds).
 */
export function needEviction(cluster: Cluster, tolerations: readonly Toleration[], now: string): EvictionDecision | undefined {
  const taints = noExecuteTaints(cluster.taints);
  if (taints.length === 0) return undefined;
  const names = taints.map(formatTaint).join(', ');
  const { all, used } = matchingTolerations(taints, tolerations);
  if (!all) return { evict: true, waitMs: 0, reason: `${names} not tolerated` };
  const wait = minTolerationTime(taints, used, now);
  if (wait === 0) return { evict: true, waitMs: 0, reason: `${names} tolerated for tolerationSeconds, which have run out` };
  if (wait < 0) return { evict: false, waitMs: -1, reason: `${names} tolerated without tolerationSeconds: kept` };
  return { evict: false, waitMs: wait, reason: `${names} tolerated for another ${Math.ceil(wait / 1000)}s (tolerationSeconds)` };
}

/** What live status changes for one template's placement, with the lines `explain` prints. */
export interface LiveDecision {
  /** Clusters taken out for this template (evicted by the taint manager). */
  evicted: Set<string>;
  /** Clusters it is already on: TaintToleration does not re-check them. */
  targeted: string[];
  lines: string[];
}

/**
 * The taint manager and the scheduler's view of one template with live
 * status: the clusters the previous render placed it on stay targeted (the
 * TaintToleration filter skips them, plugins/tainttoleration), except those
 * a NoExecute taint evicts. With `keep`, nothing is evicted: no other
 * cluster could take the template and the last copy stays where it runs.
 */
export function liveDecision(clusters: readonly Cluster[], placedOn: ReadonlySet<string>, tolerations: readonly Toleration[], now: string, keep: boolean): LiveDecision {
  const decision: LiveDecision = { evicted: new Set(), targeted: [], lines: [] };
  for (const cluster of clusters) {
    if (cluster.live !== undefined && cluster.live.status !== 'True') {
      decision.lines.push(`${cluster.name}: Ready=${cluster.live.status} (${cluster.live.reason}) since ${cluster.live.since}`);
    }
    if (!placedOn.has(cluster.name)) continue;
    const eviction = needEviction(cluster, tolerations, now);
    if (eviction?.evict === true && !keep) {
      decision.evicted.add(cluster.name);
      decision.lines.push(`${cluster.name}: evicted by the taint manager: ${eviction.reason}`);
      continue;
    }
    if (eviction?.evict === true) decision.lines.push(`${cluster.name}: kept although due for eviction (${eviction.reason}): no other cluster can take it, and this is its last copy`);
    else if (eviction !== undefined) decision.lines.push(`${cluster.name}: not evicted: ${eviction.reason}`);
    decision.targeted.push(cluster.name);
  }
  return decision;
}
