/**
 * Karmada replica division (reference §1.7): the Webster dispenser
 * (pkg/util/helper/webstermethod.go, binding.go), the four assignment
 * strategies (pkg/scheduler/core/assignment.go, division_algorithm.go,
 * common.go AssignReplicas) and the Job completions split of the binding
 * controller (pkg/controllers/binding/common.go). Pure functions. What a
 * cluster can still take is estimator.ts; a workload's replicas and requests
 * are interpreter.ts; the Go sort and string order ties depend on, gosort.ts.
 */
import { ManifoldError } from '../../errors/index.ts';
import { fnv1a32 } from '../../model/hash.ts';
import type { Cluster } from '../../model/types.ts';
import { clusterMatchesAffinity } from './placement.ts';
import { compareNames, goSort } from './gosort.ts';
import type { ReplicaSchedulingStrategy, StaticClusterWeight } from './schema.ts';

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export type DivisionStrategy = 'Duplicated' | 'StaticWeight' | 'DynamicWeight' | 'Aggregated';

export interface CandidateCluster {
  cluster: Cluster;
  /** What the estimators said this cluster can still take (see clusterAvailableReplicas). */
  availableReplicas: number;
  /**
   * Overflow tier from cluster affinity matching: 0 for the primary
   * clusterAffinities term, 1, 2… for its successive overflowAffinities.
   * Read only when AssignInput.overflow is set.
   */
  overflowOrder?: number | undefined;
}

export interface AssignInput {
  strategy: DivisionStrategy;
  /** The template's replicas (binding.spec.replicas). */
  desired: number;
  /**
   * binding.spec.replicaRequirements != nil. With `desired` 0 and no
   * requirements (ConfigMap, Service…) every candidate gets an entry with
   * replicas unset, whatever the strategy.
   */
  hasReplicaRequirements: boolean;
  /** Already filtered and selected clusters, in scheduler order. */
  candidates: readonly CandidateCluster[];
  staticWeightList?: readonly StaticClusterWeight[] | undefined;
  /** The previous assignment (binding.spec.clusters), in its own order; may be empty. */
  previous?: ReadonlyMap<string, number> | undefined;
  /** The resource template's metadata.uid: decides the Webster tie order. */
  uid?: string | undefined;
  /** Karmada Fresh mode (a WorkloadRebalancer set rescheduleTriggeredAt). */
  fresh?: boolean | undefined;
  /**
   * The observed clusterAffinities term has overflowAffinities (common.go
   * enableOverflow): fill the tiers in overflowOrder, each taking at most its
   * available plus already assigned replicas.
   */
  overflow?: boolean | undefined;
  /** false: leave AssignResult.steps empty (a render never prints them; the lines name every cluster). */
  explain?: boolean | undefined;
}

export interface AssignTarget {
  name: string;
  /** undefined on the non-workload path (no replica field to write). */
  replicas: number | undefined;
}

export interface AssignResult {
  /** binding.spec.clusters in Karmada's order. */
  targets: AssignTarget[];
  /** Human explanation of the arithmetic, one line per step, for `manifold explain`. */
  steps: string[];
}

export interface WeightedName {
  name: string;
  weight: number;
}

/** Go's math.MaxInt32: what calAvailableReplicas starts from and a "no limit" estimate. */
export const MAX_INT32 = 2_147_483_647;

// ---------------------------------------------------------------------------
// Strategy
// ---------------------------------------------------------------------------

/**
 * assignment.go newAssignState. replicaScheduling nil → Duplicated;
 * replicaSchedulingType defaults to Divided (CRD) and a Divided preference to
 * Weighted (webhook); a non-empty dynamicWeight makes the static list ignored.
 */
export function divisionStrategyOf(replicaScheduling: ReplicaSchedulingStrategy | undefined): DivisionStrategy {
  if (replicaScheduling === undefined) return 'Duplicated';
  if ((replicaScheduling.replicaSchedulingType ?? 'Divided') === 'Duplicated') return 'Duplicated';
  if (replicaScheduling.replicaDivisionPreference === 'Aggregated') return 'Aggregated';
  return replicaScheduling.weightPreference?.dynamicWeight ? 'DynamicWeight' : 'StaticWeight';
}

// ---------------------------------------------------------------------------
// Webster (Sainte-Laguë) dispenser
// ---------------------------------------------------------------------------

/**
 * Divides `total` seats by Webster's method exactly as Karmada's dispenser:
 * each seat goes to the largest weight/(2·seats+1) (float64 quotient), ties to
 * fewer seats, then to the name that sorts first — ascending when `uid` is
 * empty or FNV-1a-32(uid) is even, descending when it is odd. Returns every
 * name (zero-seat ones too) in byte order of names. A zero weight sum leaves
 * the seats unchanged. `initialSeats` are pre-assigned seats that count in the
 * quotient (AllocateWebsterSeats initialAssignments; no scheduler path uses them).
 */
export function websterDivide(
  total: number,
  weights: ReadonlyArray<WeightedName>,
  uid = '',
  initialSeats?: ReadonlyMap<string, number>,
): Map<string, number> {
  return new Map(websterSeats(total, weights, uid, initialSeats).map((p) => [p.name, p.seats]));
}

/** websterDivide's parties in name order, for callers that want a list rather than a map. */
function websterSeats(total: number, weights: ReadonlyArray<WeightedName>, uid: string, initialSeats?: ReadonlyMap<string, number>): Party[] {
  requireCount(total, 'total');
  // Name order: the result's order and, as ranks, the dispenser's cheap name tie-break.
  const parties = initialSeats === undefined || initialSeats.size === 0 ? sortedParties(weights) : inNameOrder(websterParties(weights, initialSeats));
  parties.forEach((p, i) => (p.rank = i));
  const sum = weights.reduce((acc, w) => acc + w.weight, 0);
  if (sum > 0 && parties.length > 0) allocateSeats(total, parties, namesAscending(uid));
  return parties;
}

/** True when Webster ties between equal-seat clusters go to the name that sorts first. */
export function namesAscending(uid: string | undefined): boolean {
  return !uid || fnv1a32(uid) % 2 === 0;
}

interface Party {
  name: string;
  votes: number;
  seats: number;
  priority: number;
  /** Position in name order (set once the parties are sorted). */
  rank: number;
}

/**
 * The parties of a weight list without initial seats, in name order. Sorting
 * first finds duplicate names as neighbours, without a set of every name;
 * any invalid entry goes through websterParties for its exact error.
 */
function sortedParties(weights: ReadonlyArray<WeightedName>): Party[] {
  const parties = inNameOrder(weights.map(({ name, weight }) => ({ name, votes: weight, seats: 0, priority: weight, rank: 0 })));
  for (let i = 0; i < parties.length; i++) {
    const p = parties[i] as Party;
    const invalid = !Number.isSafeInteger(p.votes) || p.votes < 0 || (i > 0 && (parties[i - 1] as Party).name === p.name);
    if (invalid) websterParties(weights, undefined); // throws what a check in list order finds first
  }
  return parties;
}

function inNameOrder(parties: Party[]): Party[] {
  return parties.sort((a, b) => compareNames(a.name, b.name));
}

function websterParties(weights: ReadonlyArray<WeightedName>, initialSeats: ReadonlyMap<string, number> | undefined): Party[] {
  const byName = new Map<string, Party>();
  for (const [name, seats] of initialSeats ?? []) {
    requireCount(seats, `initial seats of ${name}`);
    byName.set(name, { name, votes: 0, seats, priority: 0, rank: 0 });
  }
  const seen = new Set<string>();
  for (const { name, weight } of weights) {
    requireCount(weight, `weight of ${name}`);
    if (seen.has(name)) throw new ManifoldError('DUPLICATE_CLUSTER', `cluster "${name}" appears twice in one weight list`, { name });
    seen.add(name);
    const party = byName.get(name) ?? { name, votes: 0, seats: 0, priority: 0, rank: 0 };
    party.votes = weight;
    byName.set(name, party);
  }
  for (const party of byName.values()) party.priority = websterPriority(party);
  return [...byName.values()];
}

function websterPriority(party: Party): number {
  // float64(Votes) / float64(2*Seats+1): JS numbers are the same doubles, so ties are bit-identical.
  return party.votes / (2 * party.seats + 1);
}

/**
 * Hands out `total` seats as Karmada's dispenser does, one at a time to the
 * top of WebsterPriorityQueue.Less (parties carry their name rank). Each
 * party's successive quotients only fall, and a tie between them goes to
 * fewer seats, so the dispenser's picks are simply the first `total`
 * (party, seat) pairs of one total order: every pair whose quotient is above
 * a threshold can be given at once, provided there are no more than `total`
 * of them; the heap then dispenses the few seats left.
 */
function allocateSeats(total: number, parties: Party[], ascending: boolean): void {
  const given = seatsAboveThreshold(total, parties);
  if (given < total) dispense(total - given, parties, ascending);
}

/**
 * Gives every party the seats whose quotient is above a threshold where there
 * are at most `total` such seats; returns how many were given, 0 when the
 * shortcut does not apply. The first threshold is safe by construction (the
 * continuous shares sum to at most `total`); it then moves down towards the
 * one that would give all `total`, stepping back halfway when it overshoots.
 */
function seatsAboveThreshold(total: number, parties: Party[]): number {
  let votes = 0;
  let voters = 0;
  for (const p of parties) {
    votes += p.votes;
    if (p.votes > 0) voters++;
  }
  // A party gets at most votes/(2t) + 1/2 seats above t; with this t they sum to at most total.
  if (2 * total <= voters) return 0;
  let threshold = votes / (2 * total - voters);
  let given = seatsAboveAll(parties, threshold);
  if (given > total) return 0; // initial seats or rounding broke the bound: the heap does it all
  // Seats above t grow by about votes/2 per unit of 1/t.
  let next = 1 / (1 / threshold + (2 * (total - given)) / votes);
  for (let attempt = 0; attempt < 4 && given < total; attempt++) {
    const count = seatsAboveAll(parties, next);
    if (count <= total) {
      [threshold, given] = [next, count];
      next = 1 / (1 / threshold + (2 * (total - given)) / votes);
    } else {
      next = (threshold + next) / 2;
    }
  }
  for (const p of parties) {
    p.seats += seatsAbove(p, threshold);
    p.priority = websterPriority(p);
  }
  return given;
}

function seatsAboveAll(parties: readonly Party[], threshold: number): number {
  let n = 0;
  for (const p of parties) n += seatsAbove(p, threshold);
  return n;
}

/** How many next seats of `party` have a quotient above `threshold` (compared as the dispenser computes it). */
function seatsAbove(party: Party, threshold: number): number {
  const { votes, seats } = party;
  if (votes === 0) return 0;
  // votes/(2k+1) > t ⟺ k < (votes/t − 1)/2 in real numbers: estimate, then settle on the float quotients.
  let k = Math.max(seats, Math.ceil((votes / threshold - 1) / 2));
  while (k > seats && !(votes / (2 * (k - 1) + 1) > threshold)) k--;
  while (votes / (2 * k + 1) > threshold) k++;
  return k - seats;
}

/**
 * A max-heap keyed by WebsterPriorityQueue.Less. Names are unique, so Less is
 * a strict total order and the top is the same party a linear scan would pick:
 * O(total · log n) instead of O(total · n). Name ties compare ranks.
 */
function dispense(total: number, parties: Party[], ascending: boolean): void {
  const before = (a: Party, b: Party): boolean => {
    if (a.priority !== b.priority) return a.priority > b.priority;
    if (a.seats !== b.seats) return a.seats < b.seats;
    return ascending ? a.rank < b.rank : a.rank > b.rank;
  };
  const heap = parties.slice();
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i, before);
  for (let seat = 0; seat < total; seat++) {
    const top = heap[0] as Party;
    top.seats++;
    top.priority = websterPriority(top);
    siftDown(heap, 0, before);
  }
}

function siftDown<T>(heap: T[], start: number, before: (a: T, b: T) => boolean): void {
  let root = start;
  for (;;) {
    const left = 2 * root + 1;
    if (left >= heap.length) return;
    const right = left + 1;
    const child = right < heap.length && before(heap[right] as T, heap[left] as T) ? right : left;
    if (!before(heap[child] as T, heap[root] as T)) return;
    [heap[root], heap[child]] = [heap[child] as T, heap[root] as T];
    root = child;
  }
}

// ---------------------------------------------------------------------------
// Assignment (common.go AssignReplicas)
// ---------------------------------------------------------------------------

interface TargetCluster {
  name: string;
  replicas: number;
}

/** Where the explanation goes; undefined skips building the lines (`steps?.push` evaluates nothing). */
type Steps = string[] | undefined;

/**
 * Karmada's AssignReplicas for one binding: the non-workload path, the four
 * strategies, Unschedulable, then removeZeroReplicasCluster. Targets come in
 * Karmada's order (Duplicated: candidate order; divided results: Webster's
 * name order with previous-only clusters after).
 */
export function assignReplicas(input: AssignInput): AssignResult {
  requireCount(input.desired, 'desired replicas');
  if (input.candidates.length === 0) {
    throw new ManifoldError('NO_CLUSTERS_AVAILABLE', 'no clusters available to schedule', { desired: input.desired });
  }
  const steps: Steps = input.explain === false ? undefined : [];
  if (input.desired === 0 && !input.hasReplicaRequirements) {
    steps?.push(`no replicas to divide (0 replicas, no replica requirements): every candidate gets the object: ${names(input.candidates.map((c) => c.cluster))}`);
    return { targets: input.candidates.map((c) => ({ name: c.cluster.name, replicas: undefined })), steps: steps ?? [] };
  }
  const assigned = input.overflow === true ? assignByOverflowTiers(input, steps) : runStrategy(input, steps);
  const kept = assigned.filter((t) => t.replicas > 0);
  const dropped = assigned.filter((t) => t.replicas <= 0);
  if (dropped.length > 0) steps?.push(`dropped zero-replica clusters (no Work): ${dropped.map((t) => t.name).join(', ')}`);
  steps?.push(`result: ${kept.length > 0 ? counts(kept) : '(no cluster)'}`);
  return { targets: kept.map((t) => ({ name: t.name, replicas: t.replicas })), steps: steps ?? [] };
}

/**
 * assignWorkloadReplicas with overflow: tiers in overflowOrder, each given
 * min(remaining, Σ available + assigned) and divided on its own; what is left
 * after the last tier is Unschedulable.
 */
function assignByOverflowTiers(input: AssignInput, steps: Steps): TargetCluster[] {
  const tiers = new Map<number, CandidateCluster[]>();
  for (const candidate of input.candidates) {
    const order = candidate.overflowOrder ?? 0;
    const tier = tiers.get(order);
    if (tier === undefined) tiers.set(order, [candidate]);
    else tier.push(candidate);
  }
  const results: TargetCluster[] = [];
  let remaining = input.desired;
  for (const order of [...tiers.keys()].sort((a, b) => a - b)) {
    const tier = tiers.get(order) as CandidateCluster[];
    const capacity = tier.reduce((acc, c) => acc + c.availableReplicas + (input.previous?.get(c.cluster.name) ?? 0), 0);
    const share = Math.min(remaining, capacity);
    steps?.push(`overflow tier ${order} [${names(tier.map((c) => c.cluster))}]: takes ${share} of ${remaining} (holds ${capacity})`);
    results.push(...runStrategy({ ...input, desired: share, candidates: tier }, steps).filter((t) => t.replicas > 0));
    remaining -= share;
    if (remaining <= 0) break;
  }
  if (remaining > 0) {
    throw new ManifoldError('UNSCHEDULABLE', `Clusters available replicas are not enough to schedule: ${remaining} of ${input.desired} replicas left after the last overflow tier`, {
      desired: input.desired,
      remaining,
      available: Object.fromEntries(input.candidates.map((c) => [c.cluster.name, c.availableReplicas])),
    });
  }
  return results;
}

function runStrategy(input: AssignInput, steps: Steps): TargetCluster[] {
  switch (input.strategy) {
    case 'Duplicated':
      steps?.push(`Duplicated: every candidate gets all ${input.desired} replicas`);
      return input.candidates.map((c) => ({ name: c.cluster.name, replicas: input.desired }));
    case 'StaticWeight':
      return assignByStaticWeight(input, steps);
    case 'DynamicWeight':
    case 'Aggregated':
      return assignByDynamicWeight(input, steps);
  }
}

/** assignByStaticWeightStrategy + getStaticWeightInfoList. */
function assignByStaticWeight(input: AssignInput, steps: Steps): TargetCluster[] {
  const weights = staticWeights(input, steps);
  steps?.push(`StaticWeight: divide ${input.desired} replicas by static weight`);
  return spreadByWeights(input.desired, weights, [], input.uid, steps);
}

function staticWeights(input: AssignInput, steps: Steps): WeightedName[] {
  const clusters = input.candidates.map((c) => c.cluster);
  if (input.staticWeightList === undefined) {
    // getDefaultWeightPreference: one entry per candidate, weight 1.
    steps?.push(`weights: ${clusters.map((c) => `${c.name}=1`).join(' ')} (no weightPreference: weight 1 each)`);
    return clusters.map((c) => ({ name: c.name, weight: 1 }));
  }
  const weightOf = staticWeightsOf(input.staticWeightList);
  const weighted: WeightedName[] = [];
  const unweighted: string[] = [];
  for (const cluster of clusters) {
    const weight = weightOf(cluster);
    if (weight > 0) weighted.push({ name: cluster.name, weight });
    else unweighted.push(cluster.name);
  }
  if (weighted.length === 0) {
    steps?.push(`weights: ${clusters.map((c) => `${c.name}=1`).join(' ')} (no staticWeightList entry matches any candidate: weight 1 each)`);
    return clusters.map((c) => ({ name: c.name, weight: 1 }));
  }
  steps?.push(`weights: ${weighted.map((w) => `${w.name}=${w.weight}`).join(' ')} (static, max over matching entries)`);
  if (unweighted.length > 0) steps?.push(`no staticWeightList entry matches ${unweighted.join(', ')}: weight 0, no replicas`);
  return weighted;
}

/** Distinct staticWeightLists remembered; a long-running process with more starts over. */
const STATIC_WEIGHT_MEMO_LISTS = 256;
const staticWeightMemo = new Map<string, WeakMap<Cluster, number>>();

/**
 * A cluster's static weight: the largest weight among the entries whose
 * targetCluster matches it, 0 when none does. Fleets give many templates the
 * same list (one policy shape, many copies), so results are remembered per
 * list content and cluster object: each pair is matched once per run instead
 * of once per template. Clusters are never modified after loading.
 */
function staticWeightsOf(list: readonly StaticClusterWeight[]): (cluster: Cluster) => number {
  const key = JSON.stringify(list);
  let known = staticWeightMemo.get(key);
  if (known === undefined) {
    if (staticWeightMemo.size >= STATIC_WEIGHT_MEMO_LISTS) staticWeightMemo.clear();
    known = new WeakMap();
    staticWeightMemo.set(key, known);
  }
  const memo = known;
  return (cluster) => {
    let weight = memo.get(cluster);
    if (weight === undefined) {
      weight = 0;
      for (const entry of list) {
        if (clusterMatchesAffinity(cluster, entry.targetCluster).matched) weight = Math.max(weight, entry.weight);
      }
      memo.set(cluster, weight);
    }
    return weight;
  };
}

/** assignByDynamicStrategy: Fresh, scale down, scale up (first schedule included) or unchanged. */
function assignByDynamicWeight(input: AssignInput, steps: Steps): TargetCluster[] {
  const previous = [...(input.previous ?? new Map<string, number>())].map(([name, replicas]) => ({ name, replicas }));
  const candidateNames = new Set(input.candidates.map((c) => c.cluster.name));
  // buildScheduledClusters: replicas on clusters that are no longer candidates count as missing.
  const scheduled = previous.filter((t) => candidateNames.has(t.name));
  const assigned = sum(scheduled);
  const vanished = previous.filter((t) => !candidateNames.has(t.name));
  if (previous.length > 0) {
    steps?.push(
      `previous on current candidates: ${scheduled.length > 0 ? counts(scheduled) : '(none)'} (assigned ${assigned})` +
        (vanished.length > 0 ? `; no longer candidates: ${counts(vanished)}` : ''),
    );
  }
  const label = input.strategy;
  if (input.fresh === true) {
    steps?.push(`${label}, Fresh: redivide all ${input.desired} replicas, weights = available + previously assigned`);
    const before = new Map(scheduled.map((t) => [t.name, t.replicas]));
    const available = input.candidates.map((c) => ({
      name: c.cluster.name,
      replicas: c.availableReplicas + (before.get(c.cluster.name) ?? 0),
    }));
    return dynamicDivide(input, input.desired, sortByReplicasDescending(available), [], steps);
  }
  if (assigned > input.desired) {
    steps?.push(`${label}, scale down ${assigned} → ${input.desired}: weights = previous replicas on current candidates`);
    return dynamicDivide(input, input.desired, sortByReplicasDescending(scheduled), [], steps);
  }
  if (assigned < input.desired) {
    const target = input.desired - assigned;
    steps?.push(
      assigned === 0
        ? `${label}, first schedule: divide ${target} replicas by available replicas`
        : `${label}, scale up ${assigned} → ${input.desired}: divide the ${target} new replicas by available replicas`,
    );
    const available = input.candidates.map((c) => ({ name: c.cluster.name, replicas: c.availableReplicas }));
    return dynamicDivide(input, target, sortByReplicasDescending(available), scheduled, steps);
  }
  steps?.push(`${label}: desired ${input.desired} = assigned ${assigned}, previous result kept`);
  return scheduled;
}

/** dynamicDivideReplicas: Unschedulable check, Aggregated prefix, then Webster onto `scheduled`. */
function dynamicDivide(
  input: AssignInput,
  target: number,
  available: TargetCluster[],
  scheduled: TargetCluster[],
  steps: Steps,
): TargetCluster[] {
  const availableSum = sum(available);
  steps?.push(`available: ${counts(available)} (sum ${availableSum}, sorted by replicas, descending)`);
  if (availableSum < target) throw unschedulable(input, target, availableSum, available);
  let weights = available;
  if (input.strategy === 'Aggregated') weights = aggregatedPrefix(available, scheduled, target, steps);
  return spreadByWeights(
    target,
    weights.map((t) => ({ name: t.name, weight: t.replicas })),
    scheduled,
    input.uid,
    steps,
  );
}

/** resortAvailableClusters (previously used clusters first), then the shortest prefix holding the target. */
function aggregatedPrefix(available: TargetCluster[], scheduled: TargetCluster[], target: number, steps: Steps): TargetCluster[] {
  const prior = new Set(scheduled.filter((t) => t.replicas > 0).map((t) => t.name));
  let ordered = available;
  if (prior.size > 0) {
    ordered = [...available.filter((t) => prior.has(t.name)), ...available.filter((t) => !prior.has(t.name))];
    steps?.push(`Aggregated: previously used clusters first: ${counts(ordered)}`);
  }
  let running = 0;
  for (let i = 0; i < ordered.length; i++) {
    running += (ordered[i] as TargetCluster).replicas;
    if (running >= target) {
      const prefix = ordered.slice(0, i + 1);
      steps?.push(`Aggregated: fewest clusters holding ${target}: [${prefix.map((t) => t.name).join(',')}] (${running})`);
      return prefix;
    }
  }
  return ordered;
}

/**
 * helper.SpreadReplicasByTargetClusters / Dispenser.TakeByWeight: Webster over
 * the weights, then util.MergeTargetClusters onto `init` (new entries in
 * Webster's name order with init added, init-only entries after).
 */
function spreadByWeights(
  total: number,
  weights: WeightedName[],
  init: TargetCluster[],
  uid: string | undefined,
  steps: Steps,
): TargetCluster[] {
  if (weights.reduce((acc, w) => acc + w.weight, 0) === 0) {
    steps?.push(`weights sum to 0: nothing divided`);
    return init;
  }
  const divided = websterSeats(total, weights, uid ?? '').map((p) => ({ name: p.name, replicas: p.seats }));
  const order = namesAscending(uid) ? 'names ascending' : 'names descending (FNV-1a-32 of the uid is odd)';
  steps?.push(`webster ${total} over [${weights.map((w) => w.name).join(',')}] → ${counts(divided)} (ties: fewer replicas, then ${order})`);
  if (init.length === 0) return divided;
  const merged = mergeTargetClusters(init, divided);
  steps?.push(`plus previous: ${counts(merged)}`);
  return merged;
}

/** util.MergeTargetClusters; Go appends old-only entries in map order, Manifold in their previous order. */
function mergeTargetClusters(old: TargetCluster[], fresh: TargetCluster[]): TargetCluster[] {
  if (old.length === 0) return fresh;
  if (fresh.length === 0) return old;
  const oldByName = new Map(old.map((t) => [t.name, t.replicas]));
  const merged = fresh.map((t) => {
    const before = oldByName.get(t.name);
    oldByName.delete(t.name);
    return { name: t.name, replicas: t.replicas + (before ?? 0) };
  });
  for (const [name, replicas] of oldByName) merged.push({ name, replicas });
  return merged;
}

/** sort.Sort(TargetClustersList): replicas descending with Go's unstable pdqsort, so ties land where Go puts them. */
function sortByReplicasDescending(list: TargetCluster[]): TargetCluster[] {
  const copy = list.map((t) => ({ ...t }));
  goSort(copy, (a, b) => a.replicas > b.replicas);
  return copy;
}

function unschedulable(input: AssignInput, target: number, availableSum: number, available: TargetCluster[]): ManifoldError {
  const missing = input.candidates.filter((c) => c.cluster.resourceSummary === undefined).map((c) => c.cluster.name);
  const hint = missing.length > 0 ? `; no capacity data (status.resourceSummary) for ${missing.join(', ')}` : '';
  return new ManifoldError(
    'UNSCHEDULABLE',
    `Clusters available replicas ${availableSum} are not enough to schedule ${target} replicas (${counts(available)})${hint}`,
    {
      desired: input.desired,
      target,
      available: Object.fromEntries(input.candidates.map((c) => [c.cluster.name, c.availableReplicas])),
      missingCapacityData: missing,
    },
  );
}

// ---------------------------------------------------------------------------
// Job completions (pkg/controllers/binding/common.go)
// ---------------------------------------------------------------------------

/**
 * divideReplicasByJobCompletions + buildJobCompletionsMap: Webster-split
 * `spec.completions` weighted by the per-cluster replicas
 * (binding.spec.clusters), keyed by cluster name. Karmada does this only for
 * a Job under Divided with replicas > 0 whose template sets spec.completions.
 */
export function splitJobCompletions(completions: number, perCluster: ReadonlyMap<string, number>, uid = ''): Map<string, number> {
  const weights = [...perCluster].map(([name, weight]) => ({ name, weight }));
  if (weights.reduce((acc, w) => acc + w.weight, 0) === 0) return new Map(); // Dispenser leaves its empty result
  return websterDivide(completions, weights, uid);
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

function requireCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ManifoldError('INVALID_REPLICAS', `${what} must be a non-negative integer, got ${value}`, { value });
  }
}

function sum(list: readonly TargetCluster[]): number {
  return list.reduce((acc, t) => acc + t.replicas, 0);
}

function counts(list: readonly TargetCluster[]): string {
  return list.map((t) => `${t.name}=${t.replicas}`).join(' ');
}

function names(clusters: readonly Cluster[]): string {
  return clusters.map((c) => c.name).join(', ');
}
