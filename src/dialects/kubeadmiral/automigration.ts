/**
 * KubeAdmiral auto-migration (kubeadmiral pkg/controllers/automigration/):
 * for an object whose PropagationPolicy has `autoMigration`, the controller
 * counts, per member cluster, the pods that have stayed unschedulable longer
 * than `autoMigration.when.podUnschedulableFor`, turns that into an
 * estimated capacity (the `kubeadmiral.io/auto-migration-info` annotation,
 * `estimatedCapacity`), and the scheduler's planner caps the cluster there
 * and places the rest elsewhere. Here the pods come from the report's live
 * workload counts (reconcile/live.ts records when each unschedulable pod
 * became so) and "now" is the decision time, so the threshold is applied
 * exactly as upstream applies it, at render time.
 */
import type { ObservedWorkload } from '../../model/live.ts';

/** What the auto-migration controller concludes for one cluster. */
export interface ClusterMigration {
  /** Pods unschedulable for longer than the threshold (countScheduledAndUnschedulablePods). */
  unschedulable: number;
  /** estimatedCapacity, only when below the desired replicas (upstream writes no entry otherwise). */
  estimatedCapacity?: number | undefined;
}

/**
 * kubeadmiral pkg/controllers/automigration/util.go countScheduledAndUnschedulablePods:
 * a pod counts once `lastTransitionTime + threshold <= now`; `nextCrossIn`
 * is how long until the next one crosses (upstream requeues then).
 */
export function countUnschedulablePast(since: readonly string[], now: string, thresholdMs: number): { unschedulable: number; nextCrossInMs?: number | undefined } {
  const nowMs = Date.parse(now);
  let unschedulable = 0;
  let nextCrossInMs: number | undefined;
  for (const time of since) {
    const crossingIn = Date.parse(time) + thresholdMs - nowMs;
    if (crossingIn <= 0) unschedulable++;
    else if (nextCrossInMs === undefined || crossingIn < nextCrossInMs) nextCrossInMs = crossingIn;
  }
  return { unschedulable, nextCrossInMs };
}

/**
 * kubeadmiral pkg/controllers/automigration/controller.go estimateCapacity,
 * for one cluster: capacity = pods − unschedulable when at least the desired
 * pods exist, else desired − unschedulable (uncreated pods count as
 * schedulable so they are not migrated before they exist); no entry when the
 * capacity reaches desired; never below 0.
 */
export function estimateClusterCapacity(workload: ObservedWorkload, now: string, thresholdMs: number): ClusterMigration {
  const since = workload.unschedulableSince ?? [];
  const { unschedulable } = countUnschedulablePast(since, now, thresholdMs);
  const pods = workload.pods ?? workload.desired;
  const capacity = pods >= workload.desired ? pods - unschedulable : workload.desired - unschedulable;
  if (capacity >= workload.desired) return { unschedulable };
  return { unschedulable, estimatedCapacity: Math.max(capacity, 0) };
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration (metav1.Duration's JSON form), in milliseconds; undefined when it does not parse. */
export function parseGoDuration(text: string): number | undefined {
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/u.exec(text);
  if (text === '0') return 0;
  if (match === null) return undefined;
  let total = 0;
  for (const part of text.slice(match[1]?.length ?? 0).matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gu)) {
    total += Number(part[1]) * (DURATION_UNITS_MS[part[2] as string] ?? 0);
  }
  return match[1] === '-' ? -total : total;
}
