/**
 * The KubeFed v2 / Federation v1 replica planner (reference §2.7), a faithful
 * port of kubernetes-retired/kubefed pkg/controller/util/planner/planner.go
 * (identical to kubernetes-retired/federation's). It serves
 * ReplicaSchedulingPreference and the Federation v1 `*-preferences`
 * annotations alike.
 *
 * All arithmetic is on integers, as Go's int64: the weighted share is
 * ceil(d × w / Σw), computed with BigInt when d × w leaves the range where
 * doubles are exact.
 */
import { fnv1_32 } from './hash.ts';
import { ceilShare, checkPlannerInput, describeOrder, inOrder, own, type Ranked } from './planner-input.ts';

export interface ClusterPreference {
  /** Replicas the cluster gets before any weighting. Default 0. */
  minReplicas?: number | undefined;
  /** Upper bound; unbounded when absent. */
  maxReplicas?: number | undefined;
  /** Share of what is left after the minimums. Default 0. */
  weight?: number | undefined;
}

export interface PlannerPreferences {
  /** When false (default), clusters keep replicas they already run where the total allows. */
  rebalance?: boolean | undefined;
  /** Per cluster name; `"*"` applies to clusters without an entry of their own. */
  clusters: Record<string, ClusterPreference>;
}

export interface PlanInput {
  total: number;
  /** Candidate clusters, in the controller's order. */
  clusters: string[];
  preferences: PlannerPreferences;
  /** Replicas each cluster runs now (previous render); absent means none known. */
  current?: Record<string, number> | undefined;
  /** Replicas each cluster can hold; absent means unlimited. */
  capacity?: Record<string, number> | undefined;
  /** Hash salt for the tie-break: `"<namespace>/<name>"` in the controllers, `""` in upstream unit tests. */
  key: string;
}

export interface PlanResult {
  /** Replicas per cluster; every candidate appears, clusters without a preference with 0. */
  plan: Record<string, number>;
  /** Replicas that would go to a cluster beyond its capacity. */
  overflow: Record<string, number>;
  /** The arithmetic in words, for `manifold explain`. */
  steps: string[];
}

/**
 * Planner.Plan: minimums in order, then (rebalance false) keep current
 * replicas, then weighted passes rounding each share up, until nothing is left
 * or no cluster takes more. Replicas that fit nowhere are dropped.
 */
export function planReplicas(input: PlanInput): PlanResult {
  checkPlannerInput({ total: input.total, clusters: input.clusters, preferences: input.preferences.clusters, counts: { current: input.current, capacity: input.capacity } });
  const { total, clusters, preferences, key } = input;
  const current = input.current ?? {};
  const capacity = input.capacity ?? {};
  const rebalance = preferences.rebalance === true;
  const capacityOf = (name: string): number | undefined => own(capacity, name);
  const steps: string[] = [];
  const plan = new Map<string, number>(clusters.map((name) => [name, 0]));
  const overflow = new Map<string, number>();

  const ranked: Ranked[] = [];
  const unpreferred: string[] = [];
  for (const name of clusters) {
    const pref = own(preferences.clusters, name) ?? own(preferences.clusters, '*');
    if (pref === undefined) {
      unpreferred.push(name);
      continue;
    }
    ranked.push({
      name,
      hash: fnv1_32(name + key),
      weight: pref.weight ?? 0,
      min: pref.minReplicas ?? 0,
      max: pref.maxReplicas ?? undefined,
    });
  }
  // byWeight: weight descending, then hash ascending. Go's sort.Sort is
  // insertion sort up to 12 elements, i.e. stable; ties need a hash collision.
  ranked.sort((a, b) => b.weight - a.weight || a.hash - b.hash);
  steps.push(describeOrder(ranked, key));
  if (unpreferred.length > 0) steps.push(`0 for clusters with no preference and no "*": ${unpreferred.join(', ')}`);

  let remaining = total;
  // 1. Minimums, in rank order; maxReplicas is not applied here.
  const minimumNotes: string[] = [];
  for (const pref of ranked) {
    let assigned = Math.min(pref.min, remaining);
    const cap = capacityOf(pref.name);
    if (cap !== undefined) assigned = Math.min(assigned, cap);
    remaining -= assigned;
    plan.set(pref.name, assigned);
    if (pref.min > 0) minimumNotes.push(`${pref.name} ${assigned} (min ${pref.min}${cap !== undefined ? `, capacity ${cap}` : ''})`);
  }
  if (minimumNotes.length > 0) steps.push(`minimums: ${minimumNotes.join(', ')}; ${remaining} left`);

  // 2. rebalance false: clusters keep what they run, as far as bounds and the total allow.
  const preallocated = new Map<string, number>();
  if (!rebalance) {
    const notes: string[] = [];
    for (const pref of ranked) {
      const planned = plan.get(pref.name) ?? 0;
      const count = own(current, pref.name);
      if (count === undefined || count <= planned) continue;
      let target = count;
      if (pref.max !== undefined) target = Math.min(pref.max, target);
      const cap = capacityOf(pref.name);
      if (cap !== undefined) target = Math.min(cap, target);
      const extra = Math.max(0, Math.min(target - planned, remaining));
      remaining -= extra;
      preallocated.set(pref.name, extra);
      plan.set(pref.name, planned + extra);
      notes.push(`${pref.name} keeps ${planned + extra} of its current ${count}`);
    }
    if (notes.length > 0) steps.push(`pre-allocation (rebalance: false): ${notes.join(', ')}; ${remaining} left`);
  }

  // 3. Weighted passes over the clusters that are not full yet.
  let active = ranked;
  let modified = true;
  for (let pass = 1; modified && remaining > 0; pass++) {
    modified = false;
    const weightSum = active.reduce((sum, pref) => sum + BigInt(pref.weight), 0n);
    if (weightSum <= 0n) {
      steps.push(`pass ${pass}: the remaining clusters' weights sum to 0`);
      break;
    }
    const toShare = remaining;
    const notes: string[] = [];
    const stillOpen: Ranked[] = [];
    for (const pref of active) {
      const start = plan.get(pref.name) ?? 0;
      let extra = Math.min(ceilShare(toShare, pref.weight, weightSum), remaining);
      const prealloc = preallocated.get(pref.name) ?? 0;
      const usedPrealloc = Math.min(extra, prealloc);
      preallocated.set(pref.name, prealloc - usedPrealloc);
      extra -= usedPrealloc;
      if (usedPrealloc > 0) modified = true;

      let target = start + extra;
      const limits: string[] = [];
      let full = false;
      if (pref.max !== undefined && target > pref.max) {
        target = pref.max;
        full = true;
        limits.push(`max ${pref.max}`);
      }
      const cap = capacityOf(pref.name);
      if (cap !== undefined && target > cap) {
        overflow.set(pref.name, target - cap);
        limits.push(`capacity ${cap}, overflow ${target - cap}`);
        target = cap;
        full = true;
      }
      if (!full) stillOpen.push(pref);
      remaining -= target - start;
      plan.set(pref.name, target);
      if (target > start) modified = true;
      notes.push(describeShare(pref.name, start, target, usedPrealloc, limits, full));
    }
    steps.push(`pass ${pass}: ${toShare} to share, weight sum ${weightSum}: ${notes.join('; ')}; ${remaining} left`);
    active = stillOpen;
  }
  if (remaining > 0) steps.push(`${remaining} replica(s) fit nowhere and are not placed`);

  // 4. rebalance false trims overflow to what could not be placed anywhere.
  if (!rebalance) {
    for (const [name, value] of overflow) {
      const trimmed = Math.min(value, remaining);
      if (trimmed > 0) overflow.set(name, trimmed);
      else overflow.delete(name);
    }
  }
  if (overflow.size > 0) {
    steps.push(`overflow: ${[...overflow].map(([name, value]) => `${name} ${value}`).join(', ')}`);
  }
  return { plan: inOrder(clusters, plan), overflow: inOrder(clusters, overflow), steps };
}

function describeShare(
  name: string,
  start: number,
  target: number,
  usedPrealloc: number,
  limits: readonly string[],
  full: boolean,
): string {
  const parts = [`${name} +${target - start} = ${target}`];
  if (usedPrealloc > 0) parts.push(`${usedPrealloc} already pre-allocated`);
  parts.push(...limits);
  if (full) parts.push('full');
  return parts.length === 1 ? parts[0]! : `${parts[0]!} (${parts.slice(1).join(', ')})`;
}
