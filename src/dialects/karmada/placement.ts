/**
 * Karmada cluster selection: which member clusters a placement may use
 * (reference §1.6). Mirrors pkg/util/selector.go ClusterMatches, the scheduler
 * filter plugins (pkg/scheduler/framework/plugins) and the ordered fallback over
 * clusterAffinities (pkg/scheduler/scheduler.go
 * scheduleResourceBindingWithClusterAffinities).
 */
import type { Cluster } from '../../model/types.ts';
import type { LabelSelector, Taint, Toleration } from '../../model/common.ts';
import { matchRequirement } from '../../model/labels.ts';
import { ManifoldError } from '../../errors/index.ts';
import type { ClusterAffinity, ClusterAffinityTerm, SpreadConstraint } from './schema.ts';
import { compareBytes, labelSelectorMatches } from './match.ts';

export interface MatchResult {
  matched: boolean;
  /** Why the cluster did not match, as a sentence fragment for `manifold explain`. */
  reason?: string;
}

type FieldRequirement = NonNullable<NonNullable<ClusterAffinity['fieldSelector']>['matchExpressions']>[number];

/**
 * util.ClusterMatches: exclude, labelSelector, fieldSelector (provider/region
 * as labels, zone against spec.zones), clusterNames, all ANDed.
 */
export function clusterMatchesAffinity(cluster: Cluster, affinity: ClusterAffinity): MatchResult {
  if ((affinity.exclude ?? []).includes(cluster.name)) {
    return { matched: false, reason: 'excluded by name' };
  }
  if (affinity.labelSelector !== undefined && !labelSelectorMatches(cluster.labels, affinity.labelSelector)) {
    return { matched: false, reason: labelSelectorMismatch(affinity.labelSelector) };
  }
  for (const req of affinity.fieldSelector?.matchExpressions ?? []) {
    const failure = fieldRequirementFailure(cluster, req);
    if (failure !== undefined) return { matched: false, reason: failure };
  }
  const names = affinity.clusterNames ?? [];
  if (names.length > 0 && !names.includes(cluster.name)) {
    return { matched: false, reason: `not in clusterNames [${names.join(',')}]` };
  }
  return { matched: true };
}

/** One fieldSelector expression; `undefined` when it matches. */
function fieldRequirementFailure(cluster: Cluster, req: FieldRequirement): string | undefined {
  const values = req.values ?? [];
  // Only a failure prints the values (matching runs per cluster, template and override rule).
  const list = () => `[${values.join(',')}]`;
  if (req.key === 'zone') {
    // Zones are a list: In needs an overlap, NotIn needs none (selector.go).
    const overlap = cluster.zones.some((z) => values.includes(z));
    if (req.operator === 'In' && !overlap) {
      return cluster.zones.length === 0 ? `has no zones, zone not in ${list()}` : `zone not in ${list()}`;
    }
    if (req.operator === 'NotIn' && overlap) return `zone in ${list()}`;
    return undefined;
  }
  // provider/region go through labels.NewRequirement, which rejects In/NotIn
  // with no values: the selector is invalid and ClusterMatches says no.
  if (values.length === 0) return `fieldSelector ${req.key} ${req.operator} has no values`;
  const fields = clusterFields(cluster);
  if (matchRequirement(fields, { key: req.key, operator: req.operator, values })) return undefined;
  const actual = fields[req.key];
  const has = actual === undefined ? `has no ${req.key}` : `${req.key} ${actual}`;
  return req.operator === 'In' ? `${has}, not in ${list()}` : `${has}, which is in ${list()}`;
}

/** extractClusterFields: provider and region as a label set, empty values left out. */
function clusterFields(cluster: Cluster): Record<string, string> {
  const fields: Record<string, string> = {};
  if (cluster.provider) fields['provider'] = cluster.provider;
  if (cluster.region) fields['region'] = cluster.region;
  return fields;
}

/** One sentence per selector object: a policy's affinity rejects hundreds of clusters with it, per template. */
const mismatchReasons = new WeakMap<LabelSelector, string>();

function labelSelectorMismatch(selector: LabelSelector): string {
  let reason = mismatchReasons.get(selector);
  if (reason === undefined) {
    reason = `label selector ${formatLabelSelector(selector)} does not match`;
    mismatchReasons.set(selector, reason);
  }
  return reason;
}

/** labels.Selector String() style: `env=prod,tier in (a,b),!gpu`. */
export function formatLabelSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const req of selector.matchExpressions ?? []) {
    const values = (req.values ?? []).join(',');
    switch (req.operator) {
      case 'In':
        parts.push(`${req.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${req.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(req.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${req.key}`);
        break;
    }
  }
  return parts.length === 0 ? '{}' : parts.join(',');
}

/**
 * corev1 Toleration.ToleratesTaint: an empty effect matches every effect, an
 * empty key matches every key, operator defaults to Equal (values compared,
 * empty equals empty), Exists ignores the value.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
  }
}

/**
 * The first NoSchedule/NoExecute taint no toleration tolerates
 * (v1helper.FindMatchingUntoleratedTaint with the TaintToleration plugin's
 * filter; PreferNoSchedule never blocks).
 */
export function untoleratedTaint(taints: readonly Taint[], tolerations: readonly Toleration[]): Taint | undefined {
  return taints.find(
    (taint) =>
      (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') &&
      !tolerations.some((toleration) => toleratesTaint(toleration, taint)),
  );
}

/** Taint.ToString: `key=value:effect`, or `key:effect` without a value. */
export function formatTaint(taint: Taint): string {
  return `${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
}

export interface PlacementFilterInput {
  clusterAffinity?: ClusterAffinity | undefined;
  /**
   * The overflowAffinities of the clusterAffinities term being tried, for a
   * workload only: a cluster matching one of them passes the ClusterAffinity
   * filter too (plugins/clusteraffinity/cluster_affinity.go Filter).
   */
  overflowAffinities?: readonly ClusterAffinity[] | undefined;
  clusterTolerations?: readonly Toleration[] | undefined;
  spreadConstraints?: readonly SpreadConstraint[] | undefined;
}

export interface FilterOptions {
  /**
   * Clusters the binding already targets (sticky mode): TaintToleration does
   * not re-check them, eviction being the taint manager's business.
   */
  targeted?: readonly string[] | undefined;
  /** With the spreadByLabel extension a cluster must carry each spread label. */
  spreadByLabel?: boolean | undefined;
}

export type FilterName = 'TaintToleration' | 'ClusterAffinity' | 'SpreadConstraint';

export interface ClusterRejection {
  cluster: string;
  filter: FilterName;
  reason: string;
}

export interface FilterResult {
  /** Clusters that passed every filter, in name order. */
  candidates: Cluster[];
  /** One entry per failed cluster (its first failing filter), in name order. */
  rejected: ClusterRejection[];
}

/**
 * The scheduler's filter plugins in registry order (plugins/registry.go),
 * stopping at a cluster's first failure. APIEnablement is skipped: Manifold
 * has no live `status.apiEnablements`, so every kind counts as enabled.
 * ClusterEviction and the workload (anti-)affinity plugins need live state
 * or an Alpha gate and are skipped too.
 */
export function filterClusters(
  clusters: readonly Cluster[],
  placement: PlacementFilterInput,
  opts: FilterOptions = {},
): FilterResult {
  const targeted = new Set(opts.targeted ?? []);
  const candidates: Cluster[] = [];
  const rejected: ClusterRejection[] = [];
  for (const cluster of byName(clusters)) {
    const rejection = firstRejection(cluster, placement, targeted.has(cluster.name), opts);
    if (rejection === undefined) candidates.push(cluster);
    else rejected.push(rejection);
  }
  return { candidates, rejected };
}

/** The last cluster list sorted by name, per input array: every template filters the same inventory. */
const sortedInventories = new WeakMap<readonly Cluster[], { snapshot: Cluster[]; sorted: Cluster[] }>();

/** `clusters` in name order (Go byte order), from the cache while the array still holds the same clusters. */
function byName(clusters: readonly Cluster[]): readonly Cluster[] {
  const known = sortedInventories.get(clusters);
  if (known !== undefined && known.snapshot.length === clusters.length && known.snapshot.every((c, i) => c === clusters[i])) return known.sorted;
  const snapshot = [...clusters];
  const sorted = [...clusters].sort((a, b) => compareBytes(a.name, b.name));
  sortedInventories.set(clusters, { snapshot, sorted });
  return sorted;
}

function firstRejection(
  cluster: Cluster,
  placement: PlacementFilterInput,
  targeted: boolean,
  opts: FilterOptions,
): ClusterRejection | undefined {
  const reject = (filter: FilterName, reason: string): ClusterRejection => ({ cluster: cluster.name, filter, reason });
  if (!targeted) {
    const taint = untoleratedTaint(cluster.taints, placement.clusterTolerations ?? []);
    if (taint !== undefined) return reject('TaintToleration', `untolerated taint {${formatTaint(taint)}}`);
  }
  if (placement.clusterAffinity !== undefined) {
    const affinity = clusterMatchesAffinity(cluster, placement.clusterAffinity);
    const overflows = placement.overflowAffinities ?? [];
    if (!affinity.matched && !overflows.some((o) => clusterMatchesAffinity(cluster, o).matched)) {
      const reason = affinity.reason ?? 'cluster affinity does not match';
      return reject('ClusterAffinity', overflows.length > 0 ? `${reason}, and no overflow affinity matches` : reason);
    }
  }
  const missing = missingSpreadProperty(cluster, placement.spreadConstraints ?? [], opts);
  if (missing !== undefined) return reject('SpreadConstraint', missing);
  return undefined;
}

/** plugins/spreadconstraint: the cluster needs a value for each constrained field. */
function missingSpreadProperty(
  cluster: Cluster,
  constraints: readonly SpreadConstraint[],
  opts: FilterOptions,
): string | undefined {
  for (const c of constraints) {
    if (c.spreadByField === 'provider' && !cluster.provider) return 'has no provider (spread by provider)';
    if (c.spreadByField === 'region' && !cluster.region) return 'has no region (spread by region)';
    if (c.spreadByField === 'zone' && cluster.zones.length === 0) return 'has no zones (spread by zone)';
    // Upstream never reads spreadByLabel; the presence check belongs to the extension.
    if (opts.spreadByLabel && c.spreadByLabel && !Object.hasOwn(cluster.labels, c.spreadByLabel)) {
      return `has no label ${c.spreadByLabel} (spread by label)`;
    }
  }
  return undefined;
}

/** Builds the NO_CLUSTER_FITS error Karmada's FitError stands for: "0/N clusters are available". */
export function noClusterFitsError(total: number, result: FilterResult, context = 'placement'): ManifoldError {
  const reasons = result.rejected.map((r) => `${r.cluster}: ${r.reason}`);
  return new ManifoldError(
    'NO_CLUSTER_FITS',
    `0/${total} clusters are available for the ${context}${reasons.length ? `: ${reasons.join('; ')}` : ''}`,
    { total, rejected: result.rejected },
  );
}

export interface AffinityPlacementInput extends Omit<PlacementFilterInput, 'clusterAffinity'> {
  clusterAffinities: readonly ClusterAffinityTerm[];
}

export interface AffinityAttempt {
  affinityName: string;
  /** Why the group failed. */
  error: Error;
}

export interface AffinityScheduleResult<R> {
  affinityName: string;
  /** Index of the winning term in `clusterAffinities`. */
  index: number;
  result: R;
  filtered: FilterResult;
  /** Groups tried before the winner, with their failures. */
  attempts: AffinityAttempt[];
}

/**
 * spreadconstraint/group_clusters.go getClusterOverflowOrder: 0 when the
 * term's own affinity matches, i + 1 for the first overflow affinity i that
 * does, 1000 otherwise (filtered out earlier; sorted last).
 */
export function overflowOrderOf(cluster: Cluster, term: ClusterAffinityTerm): number {
  const { affinityName: _name, overflowAffinities, ...primary } = term;
  if (clusterMatchesAffinity(cluster, primary).matched) return 0;
  const index = (overflowAffinities ?? []).findIndex(({ affinityName: _overflowName, ...o }) => clusterMatchesAffinity(cluster, o).matched);
  return index < 0 ? 1000 : index + 1;
}

/**
 * The filter input for one clusterAffinities term: its own affinity, plus its
 * overflowAffinities for a workload (non-workloads use the primary group only).
 */
export function termFilterInput(term: ClusterAffinityTerm, workload: boolean): Pick<PlacementFilterInput, 'clusterAffinity' | 'overflowAffinities'> {
  const { affinityName: _name, overflowAffinities, ...clusterAffinity } = term;
  const overflow = workload ? (overflowAffinities ?? []).map(({ affinityName: _overflowName, ...o }) => o) : [];
  return { clusterAffinity, overflowAffinities: overflow.length > 0 ? overflow : undefined };
}

export interface AffinityOptions extends FilterOptions {
  /** The template is a workload (IsWorkload: replicas > 0 or replica requirements): overflow affinities apply. */
  workload?: boolean | undefined;
  /**
   * Start at this group (Karmada `status.schedulerObservedAffinityName`,
   * Manifold `sticky`); an unknown name starts at the first group
   * (scheduler.go getAffinityIndex). Earlier groups are never retried.
   */
  startAt?: string | undefined;
}

/**
 * scheduler.go scheduleResourceBindingWithClusterAffinities: try each group in
 * order from `startAt`; a group whose filters leave no cluster, or whose
 * `trySchedule` throws or returns an Error (spread or division failure),
 * falls through to the next. The first success wins and names its group.
 */
export function scheduleWithAffinities<R>(
  clusters: readonly Cluster[],
  placement: AffinityPlacementInput,
  trySchedule: (candidates: Cluster[], term: ClusterAffinityTerm) => R | Error,
  opts: AffinityOptions = {},
): AffinityScheduleResult<Exclude<R, Error>> {
  const terms = placement.clusterAffinities;
  const start = Math.max(0, terms.findIndex((t) => t.affinityName === opts.startAt));
  const attempts: AffinityAttempt[] = [];
  for (let index = start; index < terms.length; index++) {
    const term = terms[index] as ClusterAffinityTerm;
    const affinityName = term.affinityName;
    const filtered = filterClusters(clusters, { ...placement, ...termFilterInput(term, opts.workload ?? false) }, opts);
    const outcome =
      filtered.candidates.length === 0
        ? noClusterFitsError(clusters.length, filtered, `affinity group '${affinityName}'`)
        : attempt(() => trySchedule(filtered.candidates, term));
    if (!(outcome instanceof Error)) {
      return { affinityName, index, result: outcome as Exclude<R, Error>, filtered, attempts };
    }
    attempts.push({ affinityName, error: outcome });
  }
  throw allGroupsFailed(terms, start, attempts);
}

function attempt<R>(fn: () => R | Error): R | Error {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Error) return err;
    throw err;
  }
}

/**
 * Every group failed. Karmada then empties the binding when the first failure
 * was "no cluster fits" (the workload leaves all clusters) and keeps the old
 * result otherwise; a render fails instead, naming each group.
 */
function allGroupsFailed(
  terms: readonly ClusterAffinityTerm[],
  start: number,
  attempts: AffinityAttempt[],
): ManifoldError {
  if (terms.length === 0) {
    return new ManifoldError('NO_CLUSTER_FITS', 'clusterAffinities is empty: no affinity group to schedule with', { groups: [] });
  }
  const skipped = start > 0 ? ` (started at '${terms[start]?.affinityName}', the previously observed group)` : '';
  const detail = attempts.map((a) => `group '${a.affinityName}': ${a.error.message}`).join('; ');
  const first = attempts[0]?.error;
  const firstCode = first instanceof ManifoldError ? first.code : undefined;
  return new ManifoldError('NO_CLUSTER_FITS', `no clusterAffinities group could be scheduled${skipped}: ${detail}`, {
    groups: attempts.map((a) => ({
      affinityName: a.affinityName,
      code: a.error instanceof ManifoldError ? a.error.code : undefined,
      message: a.error.message,
    })),
    // Karmada empties the placement only when the first failure is a FitError.
    karmadaEmptiesPlacement: firstCode === 'NO_CLUSTER_FITS',
  });
}
