/**
 * Karmada cluster selection by spread constraints (reference §1.6), after the
 * filters ran. Mirrors pkg/scheduler/core/spreadconstraint: select_clusters.go
 * (dispatch), select_clusters_by_cluster.go, select_clusters_by_region.go and
 * select_groups.go, plus two opt-in Manifold extensions (zone/provider/label
 * spreading, unbounded maxGroups) that upstream never implemented.
 */
import type { Cluster } from '../../model/types.ts';
import { ManifoldError } from '../../errors/index.ts';
import type { ReplicaSchedulingStrategy, SpreadConstraint } from './schema.ts';
import { compareBytes } from './match.ts';

export interface SpreadCandidate {
  cluster: Cluster;
  /** Free capacity in replicas, plus replicas already assigned there (GroupClustersWithScore). */
  availableReplicas: number;
  /** Scheduler score; ClusterLocality gives 100 to already-targeted clusters, else 0. */
  score?: number | undefined;
  /** Overflow tier (group_clusters.go getClusterOverflowOrder); ranks before the score. */
  overflowOrder?: number | undefined;
}

export interface SpreadExtensions {
  /** Group clusters by the value of `spreadByLabel` (Karmada: accepted, never read). */
  spreadByLabel?: boolean | undefined;
  /** Group clusters by zone / provider like the region path (Karmada: presence filter only). */
  zoneProviderSpreading?: boolean | undefined;
  /** `maxGroups` unset means no upper bound (PR karmada#4617) instead of a render error. */
  unboundedMaxGroups?: boolean | undefined;
}

export interface SpreadOptions {
  /** Divided scheduling: the cluster path then checks available replicas (shouldIgnoreAvailableResource). */
  divided: boolean;
  desiredReplicas: number;
  extensions?: SpreadExtensions | undefined;
}

export interface SpreadSelection {
  selected: Cluster[];
  /** What happened, in order, for `manifold explain`; warnings start with "warning:". */
  steps: string[];
}

/** A spread constraint after helper.SetDefaultSpreadConstraints. */
export interface DefaultedSpreadConstraint {
  /** '' when the constraint spreads by label. */
  spreadByField: '' | 'cluster' | 'region' | 'zone' | 'provider';
  spreadByLabel: string;
  minGroups: number;
  /** 0 when unset: Karmada has no default. */
  maxGroups: number;
}

/** helper.SetDefaultSpreadConstraints: no field and no label → cluster; minGroups 0 → 1. */
export function defaultSpreadConstraints(constraints: readonly SpreadConstraint[]): DefaultedSpreadConstraint[] {
  return constraints.map((c) => ({
    spreadByField: c.spreadByField ?? (c.spreadByLabel ? '' : 'cluster'),
    spreadByLabel: c.spreadByLabel ?? '',
    minGroups: c.minGroups || 1,
    maxGroups: c.maxGroups ?? 0,
  }));
}

/**
 * select_clusters.go shouldIgnoreSpreadConstraint, evaluated on the placement
 * as the webhook leaves it (replicaSchedulingType defaults to Divided,
 * Divided defaults to Weighted): static weighting ignores spread constraints.
 */
export function shouldIgnoreSpreadConstraint(replicaScheduling: ReplicaSchedulingStrategy | undefined): boolean {
  if (replicaScheduling === undefined) return false;
  if ((replicaScheduling.replicaSchedulingType ?? 'Divided') !== 'Divided') return false;
  if ((replicaScheduling.replicaDivisionPreference ?? 'Weighted') !== 'Weighted') return false;
  const weights = replicaScheduling.weightPreference;
  if (weights === undefined) return true;
  return (weights.staticWeightList?.length ?? 0) !== 0 && !weights.dynamicWeight;
}

/**
 * select_clusters.go shouldIgnoreAvailableResource, inverted: whether the
 * cluster path must check available replicas (`opts.divided`).
 */
export function spreadChecksAvailableReplicas(replicaScheduling: ReplicaSchedulingStrategy | undefined): boolean {
  return replicaScheduling !== undefined && (replicaScheduling.replicaSchedulingType ?? 'Divided') === 'Divided';
}

interface Ranked {
  cluster: Cluster;
  name: string;
  overflowOrder: number;
  score: number;
  available: number;
}

/** A group of clusters sharing one topology value (GroupInfo plus its clusters). */
interface Group {
  name: string;
  /** The group's score (group_clusters.go calcGroupScore). */
  weight: number;
  /** How many clusters the group holds. */
  value: number;
  clusters: Ranked[];
}

/** How a constraint groups clusters; `undefined` means the cluster has no value. */
interface Grouping {
  constraint: DefaultedSpreadConstraint;
  label: string;
  keyOf: (cluster: Cluster) => string | undefined;
}

export function selectBySpreadConstraints(
  candidates: readonly SpreadCandidate[],
  constraints: readonly SpreadConstraint[],
  opts: SpreadOptions,
): SpreadSelection {
  const ranked = rankCandidates(candidates);
  const steps: string[] = [];
  if (constraints.length === 0) {
    steps.push(`no spread constraints: all ${ranked.length} candidate(s) selected`);
    return { selected: ranked.map((r) => r.cluster), steps };
  }
  const defaulted = defaultSpreadConstraints(constraints);
  const ext = opts.extensions ?? {};
  const grouping = chooseGrouping(defaulted, ext, steps);
  // Upstream keys constraints by field in a map: a later duplicate wins (validation forbids duplicates).
  const clusterConstraint = defaulted.findLast((c) => c.spreadByField === 'cluster');
  steps.push(`candidates in order (score desc, available replicas desc, name): ${ranked.map(describeRanked).join(', ')}`);

  if (grouping !== undefined) {
    return { selected: selectByGroups(ranked, grouping, clusterConstraint, opts, steps), steps };
  }
  if (clusterConstraint !== undefined) {
    const needReplicas = opts.divided ? opts.desiredReplicas : undefined;
    return { selected: selectByCluster(ranked, clusterConstraint, needReplicas, ext, steps), steps };
  }
  throw new ManifoldError(
    'SPREAD_UNSATISFIABLE',
    'Karmada supports only cluster and region spread constraints: add a spreadByField: cluster constraint ' +
      '(spreadByLabel is never read by the Karmada scheduler; Manifold can honour it with the spreadByLabel extension)',
    { constraints: defaulted },
  );
}

/**
 * The candidates in the order the scheduler hands them on when no spread
 * constraint selects among them (group_clusters.go generateClustersInfo
 * sorts GroupClustersInfo.Clusters): replica assignment sorts them again
 * with Go's unstable sort, so this order decides ties.
 */
export function inSchedulerOrder<C extends SpreadCandidate>(candidates: readonly C[]): C[] {
  const order = new Map(rankCandidates(candidates).map((r, i) => [r.cluster, i]));
  return [...candidates].sort((a, b) => (order.get(a.cluster) as number) - (order.get(b.cluster) as number));
}

/** overflow order asc, score desc, AvailableReplicas desc, name asc (spreadconstraint/util.go sortClusters). */
function rankCandidates(candidates: readonly SpreadCandidate[]): Ranked[] {
  return candidates
    .map((c) => ({ cluster: c.cluster, name: c.cluster.name, overflowOrder: c.overflowOrder ?? 0, score: c.score ?? 0, available: c.availableReplicas }))
    .sort(compareRanked);
}

function compareRanked(a: Ranked, b: Ranked): number {
  return a.overflowOrder - b.overflowOrder || b.score - a.score || b.available - a.available || compareBytes(a.name, b.name);
}

function describeRanked(r: Ranked): string {
  return `${r.name} (score ${r.score}, available ${r.available})`;
}

/**
 * Which constraint groups clusters. Upstream: region, if present
 * (selectBestClustersBySpreadConstraints); zone and provider only filter, and
 * nothing reads spreadByLabel. The extensions turn those into groupings too;
 * only one grouping applies, the rest stay presence filters.
 */
function chooseGrouping(
  constraints: DefaultedSpreadConstraint[],
  ext: SpreadExtensions,
  steps: string[],
): Grouping | undefined {
  const available: Grouping[] = [];
  for (const c of constraints) {
    const grouping = groupingFor(c, ext);
    if (grouping !== undefined) {
      available.push(grouping);
    } else if (c.spreadByField === 'zone' || c.spreadByField === 'provider') {
      steps.push(
        `warning: spreadByField: ${c.spreadByField} is inert in Karmada (it only requires clusters to have a ${c.spreadByField}); ` +
          'enable the zoneProviderSpreading extension to spread by it',
      );
    } else if (c.spreadByField === '') {
      steps.push(
        `warning: spreadByLabel: ${c.spreadByLabel} is inert in Karmada (no scheduler code reads it); ` +
          'enable the spreadByLabel extension to spread by it',
      );
    }
  }
  const order = ['region', 'zone', 'provider', ''];
  available.sort((a, b) => order.indexOf(a.constraint.spreadByField) - order.indexOf(b.constraint.spreadByField));
  const [chosen, ...ignored] = available;
  for (const g of ignored) {
    steps.push(`warning: only one grouping constraint is applied (${chosen?.label}); ${g.label} acts as a presence filter only`);
  }
  return chosen;
}

function groupingFor(c: DefaultedSpreadConstraint, ext: SpreadExtensions): Grouping | undefined {
  switch (c.spreadByField) {
    case 'region':
      return { constraint: c, label: 'region', keyOf: (cl) => cl.region || undefined };
    case 'provider':
      return ext.zoneProviderSpreading ? { constraint: c, label: 'provider', keyOf: (cl) => cl.provider || undefined } : undefined;
    case 'zone':
      // A cluster may span several zones: its group is its whole zone set.
      return ext.zoneProviderSpreading
        ? { constraint: c, label: 'zone', keyOf: (cl) => (cl.zones.length ? [...cl.zones].sort(compareBytes).join(',') : undefined) }
        : undefined;
    case '':
      return ext.spreadByLabel
        ? { constraint: c, label: `label ${c.spreadByLabel}`, keyOf: (cl) => cl.labels[c.spreadByLabel] }
        : undefined;
    case 'cluster':
      return undefined;
  }
}

/** maxGroups 0 (unset): Manifold error, or no bound with the extension. */
function effectiveMax(c: DefaultedSpreadConstraint, label: string, ext: SpreadExtensions, steps: string[]): number {
  if (c.maxGroups > 0) return c.maxGroups;
  if (ext.unboundedMaxGroups) {
    steps.push(`${label} constraint has no maxGroups: no upper bound (unboundedMaxGroups extension)`);
    return Number.POSITIVE_INFINITY;
  }
  throw new ManifoldError(
    'SPREAD_UNSATISFIABLE',
    `spread constraint ${label} has no maxGroups: Karmada would select zero ${label === 'cluster' ? 'clusters' : 'groups'} ` +
      'and leave the workload unscheduled; set maxGroups, or enable the unboundedMaxGroups extension',
    { constraint: c, reason: 'maxGroupsUnset' },
  );
}

/** select_clusters_by_cluster.go selectBestClustersByCluster. */
function selectByCluster(
  ranked: Ranked[],
  c: DefaultedSpreadConstraint,
  needReplicas: number | undefined,
  ext: SpreadExtensions,
  steps: string[],
): Cluster[] {
  if (ranked.length < c.minGroups) {
    throw new ManifoldError(
      'SPREAD_UNSATISFIABLE',
      `the number of feasible clusters (${ranked.length}) is less than the cluster spread constraint's minGroups (${c.minGroups})`,
      { constraint: c, feasible: ranked.length },
    );
  }
  const needCnt = Math.min(ranked.length, effectiveMax(c, 'cluster', ext, steps));
  if (needReplicas === undefined) {
    const chosen = ranked.slice(0, needCnt);
    steps.push(`cluster constraint [${c.minGroups}, ${c.maxGroups || '∞'}]: take the first ${needCnt}: ${names(chosen)}`);
    return chosen.map((r) => r.cluster);
  }
  const chosen = selectByAvailableReplicas(ranked, needCnt, needReplicas, steps);
  if (sumAvailable(chosen) < needReplicas) {
    throw new ManifoldError(
      'SPREAD_UNSATISFIABLE',
      `not enough available replicas when selecting ${needCnt} cluster(s): ${names(chosen) || 'none'} ` +
        `offer ${sumAvailable(chosen)} < ${needReplicas} desired`,
      { constraint: c, needClusters: needCnt, desiredReplicas: needReplicas, offered: sumAvailable(chosen) },
    );
  }
  steps.push(`cluster constraint [${c.minGroups}, ${c.maxGroups || '∞'}]: selected ${names(chosen)} (${sumAvailable(chosen)} available ≥ ${needReplicas})`);
  return chosen.map((r) => r.cluster);
}

/**
 * selectClustersByAvailableResource: start with the first `count`; while
 * short, walk back from the last selected and swap in the unselected cluster
 * with the largest AvailableReplicas above the one being replaced.
 */
function selectByAvailableReplicas(ranked: Ranked[], count: number, need: number, steps: string[]): Ranked[] {
  const chosen = ranked.slice(0, count);
  const rest = ranked.slice(count);
  for (let i = chosen.length - 1; i >= 0 && sumAvailable(chosen) < need; i--) {
    const current = chosen[i] as Ranked;
    const swapAt = indexOfLargerAvailable(rest, current.available);
    if (swapAt < 0) continue;
    const incoming = rest[swapAt] as Ranked;
    steps.push(`${names(chosen)} offer ${sumAvailable(chosen)} < ${need} replicas: swap ${current.name} (${current.available}) for ${incoming.name} (${incoming.available})`);
    chosen[i] = incoming;
    rest[swapAt] = current;
  }
  return chosen;
}

/** GetClusterWithMaxAvailableResource: first index with the strictly largest value above `floor`. */
function indexOfLargerAvailable(rest: Ranked[], floor: number): number {
  let best = floor;
  let at = -1;
  rest.forEach((r, i) => {
    if (r.available > best) {
      best = r.available;
      at = i;
    }
  });
  return at;
}

/**
 * select_clusters_by_region.go selectBestClustersByRegion, for any grouping:
 * group the candidates and score each group (group_clusters.go), then choose
 * and fill from the groups.
 */
function selectByGroups(
  ranked: Ranked[],
  grouping: Grouping,
  clusterConstraint: DefaultedSpreadConstraint | undefined,
  opts: SpreadOptions,
  steps: string[],
): Cluster[] {
  const scoring: GroupScoring = {
    duplicated: !opts.divided,
    replicas: opts.desiredReplicas,
    groupMinGroups: grouping.constraint.minGroups,
    clusterMinGroups: clusterConstraint?.minGroups ?? 0,
  };
  const groups = buildGroups(ranked, grouping.keyOf, scoring);
  return chooseFromGroups(groups, grouping, clusterConstraint, opts.extensions ?? {}, steps);
}

/**
 * The rest of selectBestClustersByRegion on scored groups: choose groups with
 * select_groups.go, take each chosen group's best cluster, then fill up to
 * the cluster maxGroups from the rest of the chosen groups. Like upstream,
 * this path never checks available replicas.
 */
function chooseFromGroups(
  groups: Group[],
  grouping: Pick<Grouping, 'constraint' | 'label'>,
  clusterConstraint: DefaultedSpreadConstraint | undefined,
  ext: SpreadExtensions,
  steps: string[],
): Cluster[] {
  const { constraint, label } = grouping;
  steps.push(`${label} groups: ${groups.map((g) => `${g.name} (score ${g.weight}) [${names(g.clusters)}]`).join('; ') || 'none'}`);
  if (groups.length < constraint.minGroups) {
    throw new ManifoldError(
      'SPREAD_UNSATISFIABLE',
      `the number of feasible ${label} groups (${groups.length}) is less than the ${label} spread constraint's minGroups (${constraint.minGroups})`,
      { constraint, feasibleGroups: groups.map((g) => g.name) },
    );
  }
  const groupMax = effectiveMax(constraint, label, ext, steps);
  const clusterMin = clusterConstraint?.minGroups ?? 0;
  const chosen = selectGroups(groups, constraint.minGroups, groupMax, clusterMin);
  if (chosen.length === 0) {
    throw new ManifoldError(
      'SPREAD_UNSATISFIABLE',
      `no set of ${constraint.minGroups}..${Number.isFinite(groupMax) ? groupMax : '∞'} ${label} group(s) holds the ` +
        `cluster spread constraint's minGroups (${clusterMin}) clusters`,
      { constraint, clusterMinGroups: clusterMin, groups: groups.map((g) => ({ name: g.name, clusters: g.value })) },
    );
  }
  steps.push(`chose ${label} group(s) ${chosen.map((g) => g.name).join(', ')} (best score sum holding ≥ ${clusterMin} clusters)`);

  const selected = chosen.map((g) => g.clusters[0] as Ranked);
  const spare = chosen.flatMap((g) => g.clusters.slice(1)).sort(compareRanked);
  const clusterMax = clusterMaxForGroups(clusterConstraint, ext, steps);
  const fill = Math.min(spare.length + selected.length, clusterMax) - selected.length;
  steps.push(`best cluster of each chosen group: ${names(selected)}`);
  if (fill > 0) {
    const extra = spare.slice(0, fill);
    steps.push(`filled up to the cluster maxGroups with ${names(extra)}`);
    selected.push(...extra);
  }
  return selected.map((r) => r.cluster);
}

/** A group given with its score, as upstream's select_clusters_by_region_test.go gives RegionInfo. */
export interface ScoredGroup {
  name: string;
  score: number;
  clusters: readonly SpreadCandidate[];
}

/**
 * selectBestClustersByRegion on groups whose scores are given (the seam
 * upstream's tests use); selectBySpreadConstraints scores groups itself.
 */
export function selectFromScoredGroups(
  groups: readonly ScoredGroup[],
  groupConstraint: SpreadConstraint,
  clusterConstraint: SpreadConstraint | undefined,
  extensions: SpreadExtensions = {},
): SpreadSelection {
  const [constraint, cluster] = defaultSpreadConstraints(clusterConstraint ? [groupConstraint, clusterConstraint] : [groupConstraint]);
  const steps: string[] = [];
  const built: Group[] = groups.map((g) => {
    const clusters = rankCandidates(g.clusters);
    return { name: g.name, weight: g.score, value: clusters.length, clusters };
  });
  const label = constraint?.spreadByField || 'label';
  const selected = chooseFromGroups(built, { constraint: constraint as DefaultedSpreadConstraint, label }, cluster, extensions, steps);
  return { selected, steps };
}

/**
 * In the region path upstream, a cluster constraint without maxGroups (or none
 * at all) keeps only each chosen group's best cluster; it never empties the result.
 */
function clusterMaxForGroups(c: DefaultedSpreadConstraint | undefined, ext: SpreadExtensions, steps: string[]): number {
  if (c === undefined) return 0;
  if (c.maxGroups > 0) return c.maxGroups;
  if (ext.unboundedMaxGroups) {
    steps.push('cluster constraint has no maxGroups: no upper bound (unboundedMaxGroups extension)');
    return Number.POSITIVE_INFINITY;
  }
  steps.push('warning: the cluster constraint has no maxGroups: Karmada keeps only the best cluster of each chosen group');
  return 0;
}

/** group_clusters.go generateRegionInfo: clusters without a value are left out; each group is scored. */
function buildGroups(ranked: Ranked[], keyOf: (cluster: Cluster) => string | undefined, scoring: GroupScoring): Group[] {
  const byKey = new Map<string, Ranked[]>();
  for (const r of ranked) {
    const key = keyOf(r.cluster);
    if (key === undefined || key === '') continue;
    const members = byKey.get(key) ?? [];
    members.push(r);
    byKey.set(key, members);
  }
  return [...byKey.entries()]
    .map(([name, clusters]) => ({ name, clusters, value: clusters.length, weight: groupScore(clusters, scoring) }))
    .sort((a, b) => compareBytes(a.name, b.name));
}

/** What group_clusters.go calcGroupScore reads from the binding and the constraints. */
export interface GroupScoring {
  /** Placement.ReplicaSchedulingType() == Duplicated (also when replicaScheduling is unset). */
  duplicated: boolean;
  /** binding.spec.replicas. */
  replicas: number;
  /** The grouping constraint's minGroups (after defaulting). */
  groupMinGroups: number;
  /** The cluster constraint's minGroups, 0 without one. */
  clusterMinGroups: number;
}

/**
 * weightUnit (group_clusters.go): replicas count in thousands so that the
 * average cluster score (0..100) only breaks ties.
 */
const WEIGHT_UNIT = 1000;

/**
 * karmada pkg/scheduler/core/spreadconstraint/group_clusters.go calcGroupScore.
 * `clusters` are in rank order (score desc, available desc, name).
 * Divided: walk the clusters until max(cluster minGroups, group minGroups)
 * clusters offer ⌈replicas / group minGroups⌉; the score is the replicas
 * reached (capped at that target) × 1000 + the average score of the walked
 * clusters (of all clusters when the target is never reached).
 */
export function groupScore(clusters: readonly { score: number; available: number }[], s: GroupScoring): number {
  if (s.duplicated) return groupScoreForDuplicate(clusters, s.replicas);
  const target = Math.ceil(s.replicas / s.groupMinGroups);
  const needClusters = Math.max(s.clusterMinGroups, s.groupMinGroups);
  let available = 0;
  let scoreSum = 0;
  let walked = 0;
  for (const c of clusters) {
    available += c.available;
    scoreSum += c.score;
    walked++;
    if (walked >= needClusters && available >= target) break;
  }
  if (available < target) return available * WEIGHT_UNIT + Math.trunc(scoreSum / clusters.length);
  return target * WEIGHT_UNIT + Math.trunc(scoreSum / walked);
}

/**
 * group_clusters.go calcGroupScoreForDuplicate: the clusters that can hold
 * every replica count in thousands, plus their average score.
 */
export function groupScoreForDuplicate(clusters: readonly { score: number; available: number }[], replicas: number): number {
  const valid = clusters.filter((c) => c.available >= replicas);
  if (valid.length === 0) return 0;
  return valid.length * WEIGHT_UNIT + Math.trunc(valid.reduce((sum, c) => sum + c.score, 0) / valid.length);
}

/**
 * select_groups.go selectGroups: every group set of size [min, max] reached by
 * a DFS (groups in value asc, weight desc, name order) whose cluster count
 * first reaches `target`; the best has the highest weight sum, then value
 * sum, then the earliest discovery, except that a feasible strict prefix of
 * it is preferred.
 */
export function selectGroups<G extends { name: string; value: number; weight: number }>(
  groups: readonly G[],
  minGroups: number,
  maxGroups: number,
  target: number,
): G[] {
  if (groups.length === 0) return [];
  const paths = findFeasiblePaths(groups, minGroups, maxGroups, target);
  if (paths.length === 0) return [];
  return prioritizePaths(paths).groups;
}

function findFeasiblePaths<G extends { name: string; value: number; weight: number }>(
  input: readonly G[],
  minGroups: number,
  maxGroups: number,
  target: number,
): { id: number; groups: G[]; weight: number; value: number }[] {
  const groups = [...input].sort(
    (a, b) => a.value - b.value || b.weight - a.weight || compareBytes(a.name, b.name),
  );
  const paths: { id: number; groups: G[]; weight: number; value: number }[] = [];
  const current: G[] = [];
  const visit = (sum: number, begin: number): void => {
    if (sum >= target && current.length >= minGroups && current.length <= maxGroups) {
      paths.push(snapshotPath(current, paths.length + 1));
      return;
    }
    if (current.length >= maxGroups) return;
    for (let i = begin; i < groups.length; i++) {
      const g = groups[i] as G;
      current.push(g);
      visit(sum + g.value, i + 1);
      current.pop();
    }
  };
  visit(0, 0);
  return paths;
}

/** dfsPath.next: a copy with totals, its groups in weight desc, name asc order. */
function snapshotPath<G extends { name: string; value: number; weight: number }>(groups: G[], id: number) {
  const sorted = [...groups].sort((a, b) => b.weight - a.weight || compareBytes(a.name, b.name));
  return {
    id,
    groups: sorted,
    weight: groups.reduce((s, g) => s + g.weight, 0),
    value: groups.reduce((s, g) => s + g.value, 0),
  };
}

function prioritizePaths<P extends { id: number; groups: { name: string }[]; weight: number; value: number }>(paths: P[]): P {
  const sorted = [...paths].sort((a, b) => b.weight - a.weight || b.value - a.value || a.id - b.id);
  let best = sorted[0] as P;
  for (const candidate of sorted.slice(1)) {
    if (isStrictPrefix(candidate, best)) best = candidate;
  }
  return best;
}

/** dfsPath.matchSubPath: `sub` is shorter and names the same groups first. */
function isStrictPrefix(sub: { groups: { name: string }[] }, path: { groups: { name: string }[] }): boolean {
  if (sub.groups.length >= path.groups.length) return false;
  return sub.groups.every((g, i) => path.groups[i]?.name === g.name);
}

function names(list: readonly Ranked[]): string {
  return list.map((r) => r.name).join(', ');
}

function sumAvailable(list: readonly Ranked[]): number {
  return list.reduce((s, r) => s + r.available, 0);
}
