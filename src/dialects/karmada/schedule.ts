/**
 * Karmada's scheduler for one template (reference §1.6, §1.7): candidate
 * clusters (tolerations, affinity, ordered fallback affinities), spread
 * constraints, then replica division.
 */
import type { Cluster, JsonObject, Template } from '../../model/types.ts';
import type { KarmadaSettings } from '../../model/settings.ts';
import type { z } from 'zod';
import { assignReplicas, divisionStrategyOf, type DivisionStrategy } from './division.ts';
import { clusterAvailableReplicas } from './estimator.ts';
import { interpretReplicas } from './interpreter.ts';
import { filterClusters, noClusterFitsError, overflowOrderOf, scheduleWithAffinities, termFilterInput, type FilterResult } from './placement.ts';
import { inSchedulerOrder, selectBySpreadConstraints, shouldIgnoreSpreadConstraint } from './spread.ts';
import type { ClusterAffinityTerm, Placement, PropagationSpec } from './schema.ts';

export interface ScheduleResult {
  /** cluster → replicas (undefined: the template's own count, non-workloads and Duplicated). */
  targets: Map<string, number | undefined>;
  strategy: DivisionStrategy;
  explain: { title: string; lines: string[] }[];
  affinityName?: string | undefined;
}

/** Which spec field receives a cluster's replicas (helper.ApplyReplica): Job parallelism, else replicas. */
export function replicaField(obj: JsonObject): 'replicas' | 'parallelism' | undefined {
  if (interpretReplicas(obj) === undefined || obj.kind === 'Pod') return undefined;
  return obj.kind === 'Job' ? 'parallelism' : 'replicas';
}

/** binding_types_helper.go IsWorkload: replicas > 0 or replica requirements. */
function isWorkload(template: Template): boolean {
  const interpreted = interpretReplicas(template.object);
  return interpreted !== undefined && (interpreted.replicas > 0 || interpreted.hasReplicaRequirements);
}

/**
 * Templates in git have no uid, so Karmada's empty-uid tie-break (names
 * ascending) applies, unless the template carries the uid of its live
 * counterpart (metadata.uid or the manifold.dev/uid annotation).
 */
export function templateUid(template: Template): string {
  const uid = (template.object.metadata as Record<string, unknown> | undefined)?.uid;
  return typeof uid === 'string' ? uid : (template.annotations['manifold.dev/uid'] ?? '');
}

interface ScheduleInput {
  template: Template;
  placement: Placement | undefined;
  settings: z.infer<typeof KarmadaSettings> | undefined;
  previous: ReadonlyMap<string, number> | undefined;
  /** The clusterAffinities term being tried, when the placement has clusterAffinities. */
  term?: ClusterAffinityTerm | undefined;
}

type ExplainSection = ScheduleResult['explain'][number];

/**
 * Spread selection and replica division on the clusters that passed the
 * filters. The explanation names every cluster several times (thousands of
 * lines per template in a large fleet) and only `manifold explain` reads it,
 * so its lines are made when first read, by running the same pure
 * computation again with explanations on.
 */
function divideOnCandidates(input: ScheduleInput, filtered: FilterResult): ScheduleResult {
  const result = divide(input, filtered, false);
  let explained: ExplainSection[] | undefined;
  const explain = result.explain.map((section, i) =>
    lazySection(section.title, () => {
      explained ??= divide(input, filtered, true).explain;
      return (explained[i] as ExplainSection).lines;
    }),
  );
  return { ...result, explain };
}

/** A section whose lines are computed on first read, then kept (an ordinary property from then on). */
function lazySection(title: string, lines: () => string[]): ExplainSection {
  const section = { title } as ExplainSection;
  const settle = (value: string[]) => Object.defineProperty(section, 'lines', { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(section, 'lines', {
    enumerable: true,
    configurable: true,
    get: () => {
      const value = lines();
      settle(value);
      return value;
    },
    set: settle,
  });
  return section;
}

/** divideOnCandidates; without `withLines` the sections have their titles but no lines. */
function divide(input: ScheduleInput, filtered: FilterResult, withLines: boolean): ScheduleResult {
  const { placement, template } = input;
  const strategy = divisionStrategyOf(placement?.replicaScheduling);
  // DaemonSets, CronJobs and other kinds are non-workloads to Karmada: replicas 0.
  const interpreted = interpretReplicas(template.object);
  const desired = interpreted?.replicas ?? 0;
  const requests = interpreted?.requests;
  const term = input.term;
  const withCapacity = filtered.candidates.map((cluster) => ({
    cluster,
    availableReplicas: clusterAvailableReplicas(cluster, requests, desired),
    overflowOrder: term === undefined ? 0 : overflowOrderOf(cluster, term),
  }));
  // SelectBestClusters' order reaches AssignReplicas, whose Go sorts are not stable.
  let selected = inSchedulerOrder(withCapacity);
  const spreadLines: string[] = [];
  const constraints = placement?.spreadConstraints ?? [];
  if (constraints.length > 0 && !shouldIgnoreSpreadConstraint(placement?.replicaScheduling)) {
    const spread = selectBySpreadConstraints(withCapacity, constraints, {
      divided: strategy !== 'Duplicated',
      desiredReplicas: desired,
      extensions: input.settings?.extensions,
    });
    const byCluster = new Map(withCapacity.map((c) => [c.cluster, c]));
    selected = spread.selected.map((c) => byCluster.get(c) as (typeof withCapacity)[number]);
    spreadLines.push(...spread.steps);
  } else if (constraints.length > 0) {
    spreadLines.push('spread constraints ignored: static weighting ignores them (Karmada shouldIgnoreSpreadConstraint)');
  }
  const lines = withLines ? clusterLines(filtered, selected) : [];
  const assigned = assignReplicas({
    strategy,
    desired,
    hasReplicaRequirements: interpreted?.hasReplicaRequirements ?? false,
    candidates: selected,
    staticWeightList: placement?.replicaScheduling?.weightPreference?.staticWeightList,
    previous: input.previous,
    uid: templateUid(template),
    // core/common.go enableOverflow: the observed term declares overflowAffinities.
    overflow: term?.overflowAffinities !== undefined,
    explain: withLines,
  });
  const targets = new Map<string, number | undefined>();
  for (const t of assigned.targets) targets.set(t.name, t.replicas);
  const explain = [{ title: 'Clusters', lines }];
  if (spreadLines.length) explain.push({ title: 'Spread constraints', lines: spreadLines });
  explain.push({ title: `Replicas (${strategy}, ${desired} desired)`, lines: assigned.steps });
  return { targets, strategy, explain };
}

/** ✗ per rejected cluster with its reason, ✓ per candidate (and whether spread constraints kept it). */
function clusterLines(filtered: FilterResult, selected: readonly { cluster: Cluster }[]): string[] {
  const selectedNames = new Set(selected.map((s) => s.cluster.name));
  return [
    ...filtered.rejected.map((r) => `✗ ${r.cluster}: ${r.reason}`),
    ...filtered.candidates.map((c) => `✓ ${c.name}${selectedNames.has(c.name) ? '' : ' (not selected by spread constraints)'}`),
  ];
}

/**
 * Schedules one template: one clusterAffinity (or none: every cluster), or
 * the ordered fallback clusterAffinities groups, resuming at the group the
 * previous render used, as Karmada resumes at the observed affinity.
 */
export function scheduleTemplate(
  template: Template,
  spec: PropagationSpec,
  clusters: readonly Cluster[],
  settings: z.infer<typeof KarmadaSettings> | undefined,
  previous: ReadonlyMap<string, number> | undefined,
  previousAffinity?: string,
  targeted?: readonly string[],
): ScheduleResult {
  const placement = spec.placement;
  const input: ScheduleInput = { template, placement, settings, previous };
  const filterInput = { clusterTolerations: placement?.clusterTolerations, spreadConstraints: placement?.spreadConstraints };
  const filterOptions = { spreadByLabel: settings?.extensions?.spreadByLabel, targeted };
  if (placement?.clusterAffinities === undefined) {
    const filtered = filterClusters(clusters, { ...filterInput, clusterAffinity: placement?.clusterAffinity }, filterOptions);
    if (filtered.candidates.length === 0) throw noClusterFitsError(clusters.length, filtered);
    return divideOnCandidates(input, filtered);
  }
  const workload = isWorkload(template);
  const outcome = scheduleWithAffinities(
    clusters,
    { ...filterInput, clusterAffinities: placement.clusterAffinities },
    // Filter again for the rejection reasons `explain` prints; the candidates are the same.
    (_candidates, term) =>
      divideOnCandidates({ ...input, term }, filterClusters(clusters, { ...filterInput, ...termFilterInput(term, workload) }, filterOptions)),
    { ...filterOptions, startAt: previousAffinity, workload },
  );
  const groupLines = [
    ...(previousAffinity !== undefined && previousAffinity === outcome.affinityName && outcome.index > 0
      ? [`resumed at group "${previousAffinity}", the one the previous render used`]
      : []),
    ...outcome.attempts.map((a) => `group "${a.affinityName}" failed: ${a.error.message}`),
    `group "${outcome.affinityName}" scheduled`,
  ];
  return {
    ...outcome.result,
    explain: [{ title: 'Affinity groups', lines: groupLines }, ...outcome.result.explain],
    affinityName: outcome.affinityName,
  };
}
