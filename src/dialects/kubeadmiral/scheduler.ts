/**
 * The KubeAdmiral scheduling pipeline for one scheduling unit
 * (pkg/controllers/scheduler/core/generic_scheduler.go with the default
 * profile): sticky short-cut, filters, scores, selection, replicas.
 *
 * Filters: APIResources, TaintToleration, PlacementFilter, ClusterAffinity,
 * ClusterReady (framework/plugins/*). APIResources and ClusterReady only act
 * when the FederatedCluster carries `status.apiResourceTypes` /
 * `status.conditions`: an inventory written by hand usually has no status,
 * and upstream would then reject every cluster.
 * Scores, summed without weights: TaintToleration (normalised, reversed),
 * ClusterResourcesBalancedAllocation, ClusterResourcesLeastAllocated,
 * ClusterAffinity (normalised).
 * Selection: PrioritySort, then MaxCluster. Manifold decision (reference
 * §4.3): MaxCluster's unstable sort.Slice is replaced by score descending,
 * then cluster name ascending.
 */
import { nanoToMilli, nanoToWhole, parseQuantityExact } from '../../model/quantity.ts';
import type { Cluster, ResourceId } from '../../model/types.ts';
import type { ResourceList } from '../../model/common.ts';
import { gvkKey, federatedStatusOf, type FederatedClusterStatus } from './kinds.ts';
import { kubeAdmiralReplicaScheduling } from './planner.ts';
import { planBinpack } from './binpack.ts';
import { labelRequirementsMatch, matchClusterSelectorTerms, matchesSelectorMap } from './clusterselector.ts';
import type { SchedulingToleration, SchedulingUnit } from './schedulingunit.ts';
import type { ExplainSection } from '../../render/types.ts';

export type FilterName = 'APIResources' | 'TaintToleration' | 'PlacementFilter' | 'ClusterAffinity' | 'ClusterReady';

export interface Rejection {
  plugin: FilterName;
  reason: string;
}

interface TaintLike {
  key: string;
  value?: string | undefined;
  effect: string;
}

/** The scheduler failed the way upstream's framework returns an Error result (not Unschedulable). */
export class SchedulerError extends Error {}

// ---------------------------------------------------------------------------
// Taints and tolerations (k8s.io/api core/v1 Toleration.ToleratesTaint)

export function toleratesTaint(toleration: SchedulingToleration, taint: TaintLike): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** framework.FindMatchingUntoleratedTaint: the first taint passing `include` that no toleration tolerates. */
export function findUntoleratedTaint(
  taints: readonly TaintLike[],
  tolerations: readonly SchedulingToleration[],
  include: (taint: TaintLike) => boolean,
): TaintLike | undefined {
  return taints.find((taint) => include(taint) && !tolerations.some((t) => toleratesTaint(t, taint)));
}

// ---------------------------------------------------------------------------
// Filters

export function taintTolerationFilter(su: SchedulingUnit, cluster: Cluster): string | undefined {
  // An already scheduled cluster only has to tolerate NoExecute taints.
  const scheduled = su.currentClusters.has(cluster.name);
  const taint = findUntoleratedTaint(cluster.taints, su.tolerations, (t) =>
    scheduled ? t.effect === 'NoExecute' : t.effect === 'NoSchedule' || t.effect === 'NoExecute',
  );
  return taint ? `cluster(s) had taint {${taint.key}: ${taint.value ?? ''}}, that the schedulingUnit didn't tolerate` : undefined;
}

export function placementFilter(su: SchedulingUnit, cluster: Cluster): string | undefined {
  if (su.clusterNames === undefined || su.clusterNames.size === 0) return undefined;
  return su.clusterNames.has(cluster.name) ? undefined : 'cluster is not in placement list';
}

const AFFINITY_REASON = "cluster(s) didn't match cluster selector";

/** ClusterAffinity.Filter: the clusterSelector map, then the required terms. */
export function clusterAffinityFilter(su: SchedulingUnit, cluster: Cluster): string | undefined {
  if (su.clusterSelector && Object.keys(su.clusterSelector).length > 0 && !matchesSelectorMap(cluster.labels, su.clusterSelector)) {
    return `${AFFINITY_REASON} (clusterSelector ${JSON.stringify(su.clusterSelector)})`;
  }
  const required = su.affinity?.required;
  if (required === undefined) return undefined;
  const result = matchClusterSelectorTerms(required.terms, cluster);
  if (result.error) return `${AFFINITY_REASON} (invalid term: ${result.error})`;
  return result.matched ? undefined : `${AFFINITY_REASON} (clusterAffinity)`;
}

function apiResourcesFilter(su: SchedulingUnit, status: FederatedClusterStatus): string | undefined {
  if (status.apiResources === undefined) return undefined;
  return status.apiResources.has(gvkKey(su.group, su.version, su.kind)) ? undefined : 'No matched group version kind.';
}

function clusterReadyFilter(su: SchedulingUnit, cluster: Cluster, status: FederatedClusterStatus): string | undefined {
  return status.ready === false && !su.currentClusters.has(cluster.name) ? 'cluster is unready' : undefined;
}

/** RunFilterPlugins: the first plugin that rejects the cluster, or undefined. */
export function filterCluster(su: SchedulingUnit, cluster: Cluster): Rejection | undefined {
  const status = federatedStatusOf(cluster);
  const checks: [FilterName, () => string | undefined][] = [
    ['APIResources', () => apiResourcesFilter(su, status)],
    ['TaintToleration', () => taintTolerationFilter(su, cluster)],
    ['PlacementFilter', () => placementFilter(su, cluster)],
    ['ClusterAffinity', () => clusterAffinityFilter(su, cluster)],
    ['ClusterReady', () => clusterReadyFilter(su, cluster, status)],
  ];
  for (const [plugin, check] of checks) {
    const reason = check();
    if (reason !== undefined) return { plugin, reason };
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Scores

export interface ClusterScore {
  name: string;
  taintToleration: number;
  balancedAllocation: number;
  leastAllocated: number;
  clusterAffinity: number;
  total: number;
}

const MAX_CLUSTER_SCORE = 100;
const GPU = 'nvidia.com/gpu';
/** framework.DefaultRequestedRatioResources. */
const RESOURCE_WEIGHTS: Record<string, number> = { cpu: 1, memory: 1, [GPU]: 4 };

/** TaintToleration.Score: untolerated PreferNoSchedule taints, against tolerations with that or no effect. */
export function taintTolerationScore(su: SchedulingUnit, cluster: Cluster): number {
  const tolerations = su.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  return cluster.taints.filter((taint) => taint.effect === 'PreferNoSchedule' && !tolerations.some((t) => toleratesTaint(t, taint))).length;
}

/** ClusterAffinity.Score: the sum of the weights of matching preferred terms (label expressions only). */
export function clusterAffinityScore(su: SchedulingUnit, cluster: Cluster): number {
  let score = 0;
  for (const term of su.affinity?.preferred ?? []) {
    if (term.weight === 0) continue;
    const result = labelRequirementsMatch(cluster.labels, term.preference.matchExpressions ?? []);
    if (result.error) throw new SchedulerError(`preferred cluster affinity term: ${result.error}`);
    if (result.matched) score += term.weight;
  }
  return score;
}

/** framework.DefaultNormalizeScore: scale to [0, 100] by the maximum; reverse subtracts from 100. */
export function normalizeScores(scores: number[], reverse: boolean): number[] {
  const max = Math.max(0, ...scores);
  if (max === 0) return scores.map((s) => (reverse ? MAX_CLUSTER_SCORE : s));
  return scores.map((s) => {
    const scaled = Math.trunc((MAX_CLUSTER_SCORE * s) / max);
    return reverse ? MAX_CLUSTER_SCORE - scaled : scaled;
  });
}

/** framework.Resource units: cpu in milli-units, everything else in whole units (Value). */
function units(list: ResourceList, name: string): bigint | undefined {
  const quantity = list[name];
  if (quantity === undefined) return undefined;
  const nano = parseQuantityExact(quantity).nano;
  return name === 'cpu' ? nanoToMilli(nano) : nanoToWhole(nano);
}

/**
 * allocatable and requested per relevant resource (clusterresources/fit.go):
 * requested = allocatable − available of the cluster, plus the unit's own
 * request (only its GPU request is known to the scheduler). Resource.Sub stops
 * at the first resource whose available exceeds allocatable, in map order;
 * Manifold leaves just that resource unsubtracted.
 */
function allocatableAndRequested(su: SchedulingUnit, status: FederatedClusterStatus): { name: string; allocatable: bigint; requested: bigint }[] {
  const names = ['cpu', 'memory', ...(su.requestsGpu ? [GPU] : [])];
  return names.map((name) => {
    const allocatable = units(status.allocatable, name) ?? 0n;
    const available = units(status.available, name);
    const used = available === undefined || available > allocatable ? allocatable : allocatable - available;
    return { name, allocatable, requested: used + (name === GPU ? su.gpuRequest : 0n) };
  });
}

export function leastAllocatedScore(su: SchedulingUnit, status: FederatedClusterStatus): number {
  let score = 0n;
  let weightSum = 0n;
  for (const { name, allocatable, requested } of allocatableAndRequested(su, status)) {
    const resourceScore = allocatable === 0n || requested > allocatable ? 0n : ((allocatable - requested) * 100n) / allocatable;
    const weight = BigInt(RESOURCE_WEIGHTS[name] ?? 1);
    score += resourceScore * weight;
    weightSum += weight;
  }
  return weightSum === 0n ? 0 : Number(score / weightSum);
}

export function balancedAllocationScore(su: SchedulingUnit, status: FederatedClusterStatus): number {
  const fractions: number[] = [];
  for (const { allocatable, requested } of allocatableAndRequested(su, status)) {
    const fraction = allocatable === 0n ? 1 : Number(requested) / Number(allocatable);
    if (fraction >= 1) return 0;
    fractions.push(fraction);
  }
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs(((fractions[0] as number) - (fractions[1] as number)) / 2);
  } else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((acc, f) => acc + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_CLUSTER_SCORE);
}

export function scoreClusters(su: SchedulingUnit, clusters: readonly Cluster[]): ClusterScore[] {
  const taint = normalizeScores(clusters.map((c) => taintTolerationScore(su, c)), true);
  const affinity = normalizeScores(clusters.map((c) => clusterAffinityScore(su, c)), false);
  return clusters.map((cluster, i) => {
    const status = federatedStatusOf(cluster);
    const score = {
      name: cluster.name,
      taintToleration: taint[i] as number,
      balancedAllocation: balancedAllocationScore(su, status),
      leastAllocated: leastAllocatedScore(su, status),
      clusterAffinity: affinity[i] as number,
    };
    return { ...score, total: score.taintToleration + score.balancedAllocation + score.leastAllocated + score.clusterAffinity };
  });
}

// ---------------------------------------------------------------------------
// Selection

export interface Selection {
  selected: string[];
  dropped: string[];
  lines: string[];
}

function byScoreThenName(a: { name: string; score: number }, b: { name: string; score: number }): number {
  return b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** PrioritySort then MaxCluster (framework/plugins/prioritysort, maxcluster). */
export function selectClusters(su: SchedulingUnit, scores: readonly ClusterScore[]): Selection {
  const lines: string[] = [];
  const byPriority = Object.keys(su.priorities).length > 0 || (su.mode === 'Divide' && su.replicasStrategy === 'Binpack');
  const ranked = scores.map((s) => ({ name: s.name, score: byPriority ? (su.priorities[s.name] ?? 0) : s.total }));
  ranked.sort(byScoreThenName);
  lines.push(
    `${byPriority ? 'by placement priority' : 'by total score'}, then name: ${ranked.map((r) => `${r.name} (${r.score})`).join(', ') || '(none)'}`,
  );
  const keep = su.maxClusters === undefined ? ranked.length : Math.min(su.maxClusters, ranked.length);
  const selected = ranked.slice(0, keep).map((r) => r.name);
  const dropped = ranked.slice(keep).map((r) => r.name);
  if (su.maxClusters !== undefined) {
    lines.push(`maxClusters ${su.maxClusters}: keeps ${selected.join(', ') || '(none)'}${dropped.length ? `; drops ${dropped.join(', ')}` : ''}`);
  }
  return { selected, dropped, lines };
}

// ---------------------------------------------------------------------------
// The whole pipeline

export interface ScheduleResult {
  /** cluster → replicas (undefined = the template's own count: Duplicate, or sticky without a count). */
  targets: Map<string, number | undefined>;
  explain: ExplainSection[];
}

function resourceValue(list: ResourceList, name: string): number {
  const quantity = list[name];
  return quantity === undefined ? 0 : Number(nanoToWhole(parseQuantityExact(quantity).nano));
}

export function schedule(su: SchedulingUnit, clusters: readonly Cluster[], template: Pick<ResourceId, 'kind' | 'name'>): ScheduleResult {
  const explain: ExplainSection[] = [];
  if (su.sticky && su.currentClusters.size > 0) {
    const targets = new Map<string, number | undefined>();
    // Only a Divide placement carries replica counts; Duplicate members keep the template's own.
    for (const [name, replicas] of su.currentClusters) targets.set(name, su.mode === 'Divide' ? (replicas ?? undefined) : undefined);
    explain.push({ title: 'Scheduling', lines: [`rescheduling disabled (sticky): keeps the current placement ${describeTargets(targets)}`] });
    return { targets, explain };
  }

  const feasible: Cluster[] = [];
  const filterLines: string[] = [];
  for (const cluster of clusters) {
    const rejection = filterCluster(su, cluster);
    if (rejection) filterLines.push(`${cluster.name}: rejected by ${rejection.plugin}: ${rejection.reason}`);
    else {
      feasible.push(cluster);
      filterLines.push(`${cluster.name}: fits`);
    }
  }
  explain.push({ title: 'Filters', lines: filterLines.length ? filterLines : ['no clusters in the inventory'] });
  if (feasible.length === 0) {
    explain.push({ title: 'Selection', lines: [`no cluster fits: ${template.kind} ${template.name} is scheduled to no clusters`] });
    return { targets: new Map(), explain };
  }

  const scores = scoreClusters(su, feasible);
  explain.push({
    title: 'Scores',
    lines: scores.map(
      (s) =>
        `${s.name}: ${s.total} = TaintToleration ${s.taintToleration} + ClusterResourcesBalancedAllocation ${s.balancedAllocation} + ClusterResourcesLeastAllocated ${s.leastAllocated} + ClusterAffinity ${s.clusterAffinity}`,
    ),
  });
  const selection = selectClusters(su, scores);
  explain.push({ title: 'Selection', lines: selection.lines });

  if (su.mode === 'Duplicate') {
    explain.push({ title: 'Replicas', lines: ['Duplicate: every selected cluster gets the template as is'] });
    return { targets: new Map(selection.selected.map((name) => [name, undefined])), explain };
  }
  const { replicas, steps } = divide(su, selection.selected, clusters);
  explain.push({ title: 'Planner', lines: [`Divide ${su.desiredReplicas ?? 0} replicas (${su.replicasStrategy}), key ${JSON.stringify(su.key)}`, ...steps] });
  return { targets: new Map(Object.entries(replicas)), explain };
}

function divide(su: SchedulingUnit, selected: readonly string[], clusters: readonly Cluster[]): { replicas: Record<string, number>; steps: string[] } {
  const byName = new Map(clusters.map((c) => [c.name, c]));
  const total = su.desiredReplicas ?? 0;
  const current: Record<string, number> = {};
  for (const [name, replicas] of su.currentClusters) current[name] = replicas ?? total;
  const untolerated = (name: string): boolean =>
    findUntoleratedTaint(byName.get(name)?.taints ?? [], su.tolerations, (t) => t.effect === 'NoSchedule') !== undefined;

  if (su.replicasStrategy === 'Binpack') {
    const preferences: Record<string, { minReplicas?: number; maxReplicas?: number }> = {};
    for (const name of selected) {
      let max = su.maxReplicas[name];
      if (untolerated(name) && (max === undefined || (current[name] ?? 0) < max)) max = current[name] ?? 0;
      preferences[name] = { minReplicas: su.minReplicas[name] ?? 0, ...(max === undefined ? {} : { maxReplicas: max }) };
    }
    return planBinpack({ total, clusters: selected, preferences, current, avoidDisruption: su.avoidDisruption });
  }

  const resource = su.requestsGpu ? GPU : 'cpu';
  const result = kubeAdmiralReplicaScheduling({
    total,
    clusters: selected.map((name) => {
      const status = federatedStatusOf(byName.get(name) as Cluster);
      return {
        name,
        available: resourceValue(status.available, resource),
        allocatable: resourceValue(status.allocatable, resource),
        untoleratedNoSchedule: untolerated(name),
      };
    }),
    weights: su.weights,
    minReplicas: su.minReplicas,
    maxReplicas: su.maxReplicas,
    current,
    keepUnschedulableReplicas: su.keepUnschedulableReplicas,
    estimatedCapacity: su.estimatedCapacity,
    avoidDisruption: su.avoidDisruption,
    key: su.key,
  });
  const steps = result.dynamic ? [`dynamic weights from available ${resource} (whole units)`, ...result.steps] : result.steps;
  return { replicas: result.replicas, steps };
}

function describeTargets(targets: ReadonlyMap<string, number | undefined>): string {
  return [...targets].map(([name, replicas]) => (replicas === undefined ? name : `${name} ${replicas}`)).join(', ') || '(none)';
}
