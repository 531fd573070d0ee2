/**
 * KubeAdmiral's replica planner (reference §4.4): the fork of KubeFed's
 * planner in kubewharf/kubeadmiral pkg/controllers/scheduler/planner/planner.go,
 * plus its caller, the ClusterCapacityWeight plugin
 * (pkg/controllers/scheduler/framework/plugins/rsp/rsp.go), which derives
 * dynamic weights from cluster capacity and drops clusters given 0.
 *
 * Differences from KubeFed's planner: no `rebalance`; `avoidDisruption` moves
 * from the current distribution towards the desired one by the difference
 * only; `limitedCapacity` caps without overflow, `estimatedCapacity` caps with
 * overflow (also in the minimum phase); clusters without a preference get no
 * entry at all.
 */
import { ManifoldError } from '../../errors/index.ts';
import { fnv1_32 } from '../../model/hash.ts';
import { ceilShare, checkPlannerInput, describeOrder, inOrder, own, type Ranked } from '../../model/planner-input.ts';

export interface ClusterPreference {
  minReplicas?: number | undefined;
  /** Unbounded when absent. */
  maxReplicas?: number | undefined;
  weight?: number | undefined;
}

export interface KubeAdmiralPlanInput {
  total: number;
  clusters: string[];
  /** Per cluster name; `"*"` applies to clusters without an entry of their own. */
  preferences: Record<string, ClusterPreference>;
  /** Replicas each cluster runs now. */
  current?: Record<string, number> | undefined;
  /** Auto-migration estimate: caps a cluster and records the excess as overflow. */
  estimatedCapacity?: Record<string, number> | undefined;
  /** Custom-migration limit: caps a cluster without overflow. */
  limitedCapacity?: Record<string, number> | undefined;
  /** `"<namespace>/<name>"` in the scheduler, `""` in upstream unit tests. */
  key: string;
  avoidDisruption: boolean;
  /** Forced to true when avoidDisruption is false (upstream: avoids a reschedule loop). */
  keepUnschedulableReplicas?: boolean | undefined;
}

export interface KubeAdmiralPlanResult {
  /** Replicas per cluster that has a preference. */
  plan: Record<string, number>;
  overflow: Record<string, number>;
  /** plan + overflow, clusters with 0 dropped, in input cluster order (what the scheduler places). */
  replicas: Record<string, number>;
  /** The arithmetic in words, for `manifold explain`. */
  steps: string[];
}

/** planner.Plan. */
export function planKubeAdmiral(input: KubeAdmiralPlanInput): KubeAdmiralPlanResult {
  // planner.go: "DOES NOT SUPPORT negative values"; the caller sanitizes.
  checkPlannerInput({ ...input, counts: { current: input.current, estimatedCapacity: input.estimatedCapacity, limitedCapacity: input.limitedCapacity } });
  const { total, clusters, preferences, key, avoidDisruption } = input;
  const current = input.current ?? {};
  const estimated = input.estimatedCapacity ?? {};
  const limited = input.limitedCapacity ?? {};
  const steps: string[] = [];

  const candidates = new Map<string, ClusterPreference>();
  for (const name of clusters) {
    const pref = own(preferences, name) ?? own(preferences, '*');
    if (pref !== undefined) candidates.set(name, pref);
  }
  const ranked = rank(candidates, key);
  const skipped = clusters.filter((name) => !candidates.has(name));
  steps.push(describeOrder(ranked, key));
  if (skipped.length > 0) steps.push(`no preference and no "*", left out: ${skipped.join(', ')}`);

  // Upstream: keeping unschedulable replicas out while also ignoring the
  // current distribution would reschedule forever, so the first implies not the second.
  const keepUnschedulable = !avoidDisruption || input.keepUnschedulableReplicas === true;
  const desired = desiredPlan(ranked, estimated, limited, total, keepUnschedulable, steps, 'desired');
  if (!avoidDisruption) return finish(clusters, desired.plan, desired.overflow, steps);

  // avoidDisruption: start from what runs now, limited by capacity, and move only the difference.
  const currentPlan = new Map<string, number>();
  for (const pref of ranked) {
    let replicas = own(current, pref.name) ?? 0;
    const limit = own(limited, pref.name);
    if (limit !== undefined && limit < replicas) replicas = limit;
    const estimate = own(estimated, pref.name);
    if (estimate !== undefined && estimate < replicas) replicas = estimate;
    currentPlan.set(pref.name, replicas);
  }
  const currentTotal = sum(currentPlan.values());
  const desiredTotal = sum(desired.plan.values());
  steps.push(`avoidDisruption: current ${describeMap(currentPlan)} (total ${currentTotal}), desired total ${desiredTotal}`);
  if (currentTotal > desiredTotal) {
    moveTowards(currentPlan, desired.plan, currentTotal - desiredTotal, 'down', preferences, key, steps);
  } else if (currentTotal < desiredTotal) {
    moveTowards(currentPlan, desired.plan, desiredTotal - currentTotal, 'up', preferences, key, steps);
  } else {
    steps.push('avoidDisruption: totals match, the current distribution stays');
  }
  return finish(clusters, currentPlan, desired.overflow, steps);
}

/**
 * scaleUp / scaleDown: split the difference over the clusters below (above)
 * their desired count, weighted by how far below (above) they are.
 */
function moveTowards(
  plan: Map<string, number>,
  desired: ReadonlyMap<string, number>,
  count: number,
  direction: 'up' | 'down',
  preferences: Record<string, ClusterPreference>,
  key: string,
  steps: string[],
): void {
  const prefs = new Map<string, ClusterPreference>();
  for (const [name, want] of desired) {
    const have = plan.get(name) ?? 0;
    if (direction === 'up' && want > have) {
      // Upstream reads rsp.Clusters[cluster] here, i.e. only an explicit entry's max, never "*".
      const max = own(preferences, name)?.maxReplicas;
      prefs.set(name, { weight: want - have, maxReplicas: max === undefined ? undefined : max - have });
    } else if (direction === 'down' && want < have) {
      prefs.set(name, { weight: have - want, maxReplicas: have });
    }
  }
  const moved = desiredPlan(rank(prefs, key), {}, {}, count, false, steps, direction === 'up' ? 'scale up (replicas added)' : 'scale down (replicas removed)');
  for (const [name, replicas] of moved.plan) {
    plan.set(name, (plan.get(name) ?? 0) + (direction === 'up' ? replicas : -replicas));
  }
}

/** getDesiredPlan: minimums, then weighted passes rounding shares up. */
function desiredPlan(
  ranked: readonly Ranked[],
  estimated: Record<string, number>,
  limited: Record<string, number>,
  total: number,
  keepUnschedulable: boolean,
  steps: string[],
  label: string,
): { plan: Map<string, number>; overflow: Map<string, number> } {
  const plan = new Map<string, number>();
  const overflow = new Map<string, number>();
  let remaining = total;

  const minimumNotes: string[] = [];
  for (const pref of ranked) {
    let assigned = Math.min(pref.min, remaining);
    const limit = own(limited, pref.name);
    if (limit !== undefined && limit < assigned) assigned = limit;
    const estimate = own(estimated, pref.name);
    if (estimate !== undefined && estimate < assigned) {
      // Recorded even in the minimum phase, to keep auto-migration from looping.
      overflow.set(pref.name, assigned - estimate);
      assigned = estimate;
    }
    remaining -= assigned;
    plan.set(pref.name, assigned);
    if (pref.min > 0) minimumNotes.push(`${pref.name} ${assigned} (min ${pref.min})`);
  }
  if (minimumNotes.length > 0) steps.push(`${label} minimums: ${minimumNotes.join(', ')}; ${remaining} left`);

  let active = ranked;
  let modified = true;
  for (let pass = 1; modified && remaining > 0; pass++) {
    modified = false;
    const weightSum = active.reduce((acc, pref) => acc + BigInt(pref.weight), 0n);
    if (weightSum <= 0n) {
      steps.push(`${label} pass ${pass}: the remaining clusters' weights sum to 0`);
      break;
    }
    const toShare = remaining;
    const notes: string[] = [];
    const stillOpen: Ranked[] = [];
    for (const pref of active) {
      const start = plan.get(pref.name) ?? 0;
      const extra = Math.min(ceilShare(toShare, pref.weight, weightSum), remaining);
      let target = start + extra;
      const limits: string[] = [];
      let full = false;
      if (pref.max !== undefined && target > pref.max) {
        target = pref.max;
        full = true;
        limits.push(`max ${pref.max}`);
      }
      const limit = own(limited, pref.name);
      if (limit !== undefined && target > limit) {
        target = limit;
        full = true;
        limits.push(`limited capacity ${limit}`);
      }
      const estimate = own(estimated, pref.name);
      if (estimate !== undefined && target > estimate) {
        overflow.set(pref.name, (overflow.get(pref.name) ?? 0) + target - estimate);
        limits.push(`estimated capacity ${estimate}, overflow +${target - estimate}`);
        target = estimate;
        full = true;
      }
      if (!full) stillOpen.push(pref);
      remaining -= target - start;
      plan.set(pref.name, target);
      if (target > start) modified = true;
      notes.push(describeShare(pref.name, start, target, limits, full));
    }
    steps.push(`${label} pass ${pass}: ${toShare} to share, weight sum ${weightSum}: ${notes.join('; ')}; ${remaining} left`);
    active = stillOpen;
  }
  if (remaining > 0) steps.push(`${label}: ${remaining} replica(s) fit nowhere`);

  if (!keepUnschedulable) {
    // Trim overflow to what the algorithm failed to place anywhere.
    for (const [name, value] of overflow) {
      const trimmed = Math.min(value, remaining);
      if (trimmed > 0) overflow.set(name, trimmed);
      else overflow.delete(name);
    }
  }
  return { plan, overflow };
}

function finish(
  clusters: readonly string[],
  plan: ReadonlyMap<string, number>,
  overflow: ReadonlyMap<string, number>,
  steps: string[],
): KubeAdmiralPlanResult {
  const replicas: Record<string, number> = {};
  for (const name of clusters) {
    const count = (plan.get(name) ?? 0) + (overflow.get(name) ?? 0);
    if (count !== 0) replicas[name] = count;
  }
  if (overflow.size > 0) steps.push(`overflow (kept where it is unschedulable): ${describeMap(overflow)}`);
  steps.push(`result (plan + overflow, clusters with 0 dropped): ${describeMap(new Map(Object.entries(replicas)))}`);
  return { plan: inOrder(clusters, plan), overflow: inOrder(clusters, overflow), replicas, steps };
}

// ---------------------------------------------------------------------------
// Dynamic weights (rsp.go CalcWeightLimit, AvailableToPercentage)

/** One cluster's capacity in whole units of the weighing resource (CPU, or GPU if requested). */
export interface ClusterCapacity {
  name: string;
  /** `status.resources.available`, Quantity.Value() (rounded up); absent counts as 0. */
  available?: number | undefined;
  /** `status.resources.allocatable`, Quantity.Value(); absent counts as 0. */
  allocatable?: number | undefined;
}

const WEIGHT_SUM = 1000;
const SUPPLY_LIMIT_PROPORTION = 1.4;

/**
 * CalcWeightLimit: a cluster's weight may not exceed its share of the total
 * allocatable × 1000 × ratio; with no allocatable anywhere, 1000/n each.
 */
export function calcWeightLimit(clusters: readonly ClusterCapacity[], supplyLimitRatio: number): Record<string, number> {
  const total = clusters.reduce((acc, cluster) => acc + (cluster.allocatable ?? 0), 0);
  const limits: Record<string, number> = {};
  for (const cluster of clusters) {
    limits[cluster.name] =
      total === 0
        ? goRound(WEIGHT_SUM / clusters.length)
        : goRound(((cluster.allocatable ?? 0) / total) * WEIGHT_SUM * supplyLimitRatio);
  }
  return limits;
}

/**
 * AvailableToPercentage: weights proportional to available capacity, capped
 * by the limits, renormalised to 1000 with rounding; the rounding remainder
 * goes to the largest weight. With nothing available anywhere, 1000/n each
 * (not renormalised, so 3 clusters get 333).
 *
 * Upstream picks the largest weight while iterating a Go map, so on a tie any
 * of them may get the remainder; Manifold gives it to the first by name.
 * If every capped weight is 0 upstream divides 0 by 0 and ends up placing
 * nothing by weight; Manifold returns all-zero weights, with the same outcome.
 */
export function availableToPercentage(
  clusters: readonly ClusterCapacity[],
  weightLimit: Record<string, number>,
): Record<string, number> {
  const sumAvailable = clusters.reduce((acc, cluster) => acc + Math.max(cluster.available ?? 0, 0), 0);
  const weights: Record<string, number> = {};
  if (sumAvailable === 0) {
    for (const cluster of clusters) weights[cluster.name] = goRound(WEIGHT_SUM / clusters.length);
    return weights;
  }
  const capped = new Map<string, number>();
  for (const cluster of clusters) {
    const available = Math.max(cluster.available ?? 0, 0);
    const weight = goRound((available / sumAvailable) * WEIGHT_SUM);
    capped.set(cluster.name, Math.min(weight, weightLimit[cluster.name] ?? 0));
  }
  const cappedSum = sum(capped.values());
  if (cappedSum === 0) {
    for (const cluster of clusters) weights[cluster.name] = 0;
    return weights;
  }
  let assigned = 0;
  let largest: string | undefined;
  let largestWeight = 0;
  for (const name of [...capped.keys()].sort()) {
    const weight = goRound(((capped.get(name) ?? 0) / cappedSum) * WEIGHT_SUM);
    if (weight > largestWeight) {
      largest = name;
      largestWeight = weight;
    }
    weights[name] = weight;
    assigned += weight;
  }
  if (largest !== undefined) weights[largest] = (weights[largest] ?? 0) + WEIGHT_SUM - assigned;
  return inOrder(
    clusters.map((cluster) => cluster.name),
    new Map(Object.entries(weights)),
  );
}

/** The weights the scheduler uses when no cluster has a static weight: limits at ratio 1.4. */
export function dynamicWeights(clusters: readonly ClusterCapacity[]): Record<string, number> {
  return availableToPercentage(clusters, calcWeightLimit(clusters, SUPPLY_LIMIT_PROPORTION));
}

// ---------------------------------------------------------------------------
// The ClusterCapacityWeight plugin (rsp.go ReplicaScheduling)

export interface SchedulingCluster extends ClusterCapacity {
  /** The cluster has a NoSchedule taint the workload does not tolerate: it may keep, not grow. */
  untoleratedNoSchedule?: boolean | undefined;
}

export interface ReplicaSchedulingInput {
  total: number;
  /** Clusters that passed filtering and selection, in scheduler order. */
  clusters: SchedulingCluster[];
  /** Static weights from the policy's placement; empty or absent means dynamic weights. */
  weights?: Record<string, number> | undefined;
  minReplicas?: Record<string, number> | undefined;
  maxReplicas?: Record<string, number> | undefined;
  /** Current placement; `null` = placed without a replica count (Duplicate → Divide), counts as `total`. */
  current?: Record<string, number | null> | undefined;
  estimatedCapacity?: Record<string, number> | undefined;
  limitedCapacity?: Record<string, number> | undefined;
  keepUnschedulableReplicas?: boolean | undefined;
  avoidDisruption: boolean;
  key: string;
}

export interface ReplicaSchedulingResult extends KubeAdmiralPlanResult {
  /** The weights used, static or dynamic. */
  weights: Record<string, number>;
  dynamic: boolean;
}

/** ClusterCapacityWeight.ReplicaScheduling: builds the preferences and runs the planner. */
export function kubeAdmiralReplicaScheduling(input: ReplicaSchedulingInput): ReplicaSchedulingResult {
  const names = input.clusters.map((cluster) => cluster.name);
  if (new Set(names).size !== names.length) {
    throw new ManifoldError('PLANNER_INPUT_INVALID', 'replica scheduling needs distinct cluster names', { clusters: names });
  }
  const dynamic = input.weights === undefined || Object.keys(input.weights).length === 0;
  const weights = dynamic ? dynamicWeights(input.clusters) : (input.weights ?? {});

  const current: Record<string, number> = {};
  for (const [name, replicas] of Object.entries(input.current ?? {})) current[name] = replicas ?? input.total;

  const preferences: Record<string, ClusterPreference> = {};
  for (const cluster of input.clusters) {
    let max = own(input.maxReplicas ?? {}, cluster.name);
    if (cluster.untoleratedNoSchedule === true) {
      const have = own(current, cluster.name) ?? 0;
      if (max === undefined || have < max) max = have;
    }
    preferences[cluster.name] = {
      weight: own(weights, cluster.name) ?? 0,
      minReplicas: own(input.minReplicas ?? {}, cluster.name) ?? 0,
      maxReplicas: max,
    };
  }
  // Negative estimates mean "unknown" (rsp.go keeps only ec >= 0).
  const estimatedCapacity = Object.fromEntries(
    Object.entries(input.estimatedCapacity ?? {}).filter(([, capacity]) => capacity >= 0),
  );
  const result = planKubeAdmiral({
    total: input.total,
    clusters: names,
    preferences,
    current,
    estimatedCapacity,
    limitedCapacity: input.limitedCapacity,
    key: input.key,
    avoidDisruption: input.avoidDisruption,
    keepUnschedulableReplicas: input.keepUnschedulableReplicas,
  });
  const weightNote = `${dynamic ? 'dynamic' : 'static'} weights: ${describeMap(new Map(Object.entries(weights)))}`;
  return { ...result, steps: [weightNote, ...result.steps], weights, dynamic };
}

// ---------------------------------------------------------------------------
// Helpers

/** byWeight: weight descending, then FNV-1-32(cluster + key) ascending (stable, as Go's insertion sort for ≤ 12). */
function rank(prefs: ReadonlyMap<string, ClusterPreference>, key: string): Ranked[] {
  const ranked: Ranked[] = [...prefs].map(([name, pref]) => ({
    name,
    hash: fnv1_32(name + key),
    weight: pref.weight ?? 0,
    min: pref.minReplicas ?? 0,
    max: pref.maxReplicas ?? undefined,
  }));
  // Upstream fills this list from a Go map; only a hash collision could expose
  // that order, and then the cluster name decides here.
  return ranked.sort((a, b) => b.weight - a.weight || a.hash - b.hash || (a.name < b.name ? -1 : 1));
}

/** Go's math.Round: half away from zero. */
function goRound(value: number): number {
  const truncated = Math.trunc(value);
  return Math.abs(value - truncated) >= 0.5 ? truncated + Math.sign(value) : truncated;
}

function describeShare(name: string, start: number, target: number, limits: readonly string[], full: boolean): string {
  const sign = target >= start ? '+' : '';
  const parts = [...limits, ...(full ? ['full'] : [])];
  return `${name} ${sign}${target - start} = ${target}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

function describeMap(values: ReadonlyMap<string, number>): string {
  if (values.size === 0) return '(none)';
  return [...values]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

