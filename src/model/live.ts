/**
 * Live state of the fleet as a render reads it (`--status REF|DIR`): the
 * report the reconciler writes (reconcile/types.ts ClusterStatus, read by
 * load/status.ts), reduced to what placement needs, and the clock that
 * decisions are made against. Plain data and pure functions: "now" is an
 * input (the report commit's time or `--now`), never the machine's clock.
 */
import type { Problem } from '../errors/index.ts';
import type { ClusterReadiness, ResourceSummary } from './types.ts';

/** A status condition as the report stores it. */
export interface ObservedCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message?: string | undefined;
  lastTransitionTime?: string | undefined;
}

/** One workload's replica counts in one cluster. */
export interface ObservedWorkload {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
  desired: number;
  ready: number;
  unschedulable: number;
  pods?: number | undefined;
  unschedulableSince?: string[] | undefined;
}

/**
 * One cluster's status file, structurally a subset of the report's
 * ClusterStatus (reconcile/types.ts), so the reader's result can be passed
 * in as it is without the core importing the reconciler.
 */
export interface ObservedCluster {
  cluster: string;
  result: string;
  startedAt: string;
  conditions: ObservedCondition[];
  live?:
    | {
        observedAt: string;
        conditions: ObservedCondition[];
        resourceSummary?: ResourceSummary | undefined;
        apiEnablements?: Array<{ groupVersion: string; resources: Array<{ name: string; kind: string }> }> | undefined;
        workloads?: ObservedWorkload[] | undefined;
      }
    | undefined;
}

/** Failover decisions (manifold.yaml `failover`; `manifold failover`). */
export interface FailoverClock {
  /** Seconds a cluster stays not Ready (or Ready again) before its workloads move (or come back). */
  gracePeriodSeconds: number;
}

/** What a render with live status is given. */
export interface LiveStatus {
  /** Where the report came from, for provenance: the report commit, or none for a folder. */
  commit?: string | undefined;
  /** ISO 8601 UTC: the decision time (the report commit's committer time, or `--now`). */
  now: string;
  clusters: readonly ObservedCluster[];
  /** Set by `manifold failover`: clusters not Ready for the grace period are evicted (NoExecute). */
  failover?: FailoverClock | undefined;
  /** File of each cluster's status, for messages (`clusters/<name>.json`). */
  fileOf(cluster: string): string;
}

/** Default failover grace period: Karmada's former --failover-eviction-timeout default (5m). */
export const DEFAULT_GRACE_PERIOD_SECONDS = 300;

/** Karmada's Ready reasons (karmada pkg/controllers/status/cluster_status_controller.go). */
export const READY_REASONS = { ready: 'ClusterReady', notReady: 'ClusterNotReady', unreachable: 'ClusterNotReachable' } as const;

/**
 * A cluster's Ready condition: the live block's own, else (a report written
 * before the live block existed) Unknown/ClusterNotReachable for a reconcile
 * that could not reach the cluster, since the report's Ready condition
 * changed, and Ready for any other result. Undefined when nothing says.
 */
export function readinessOf(observed: ObservedCluster): ClusterReadiness | undefined {
  const ready = observed.live?.conditions.find((c) => c.type === 'Ready');
  if (ready !== undefined) return { status: ready.status, reason: ready.reason, since: ready.lastTransitionTime ?? observed.live?.observedAt ?? observed.startedAt };
  const reported = observed.conditions.find((c) => c.type === 'Ready');
  const since = reported?.lastTransitionTime ?? observed.startedAt;
  if (observed.result === 'Unreachable') return { status: 'Unknown', reason: READY_REASONS.unreachable, since };
  if (observed.result === 'Orphaned') return undefined;
  return { status: 'True', reason: READY_REASONS.ready, since };
}

/** Seconds from `since` to `now` (both ISO 8601). */
export function secondsBetween(since: string, now: string): number {
  return (Date.parse(now) - Date.parse(since)) / 1000;
}

/** Adds seconds to an ISO 8601 time. */
export function addSeconds(time: string, seconds: number): string {
  return isoTime(Date.parse(time) + seconds * 1000);
}

/** ISO 8601 UTC, without milliseconds when there are none (as Kubernetes writes times). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * Times in a status file that lie after the decision time: a clock in the
 * future (a skewed reconciler, a hand-edited file) would make "since when"
 * negative and a grace period meaningless, so the render is refused.
 */
export function futureClockProblems(observed: ObservedCluster, now: string, file: string): Problem[] {
  const problems: Problem[] = [];
  const check = (value: string | undefined, field: string): void => {
    if (value === undefined) return;
    const t = Date.parse(value);
    if (Number.isNaN(t)) problems.push({ code: 'STATUS_INVALID', severity: 'error', file, field, message: `"${value}" is not an ISO 8601 time` });
    else if (t > Date.parse(now)) problems.push({ code: 'STATUS_CLOCK', severity: 'error', file, field, message: `${value} is after the decision time ${now} (a clock in the future; pass --now or fix the reconciler's clock)` });
  };
  check(observed.startedAt, 'startedAt');
  observed.conditions.forEach((c, i) => check(c.lastTransitionTime, `conditions[${i}].lastTransitionTime`));
  check(observed.live?.observedAt, 'live.observedAt');
  observed.live?.conditions.forEach((c, i) => check(c.lastTransitionTime, `live.conditions[${i}].lastTransitionTime`));
  return problems;
}
