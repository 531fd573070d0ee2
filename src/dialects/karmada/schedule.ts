/**
 * Karmada's scheduler for one template (reference §1.6, §1.7): candidate
 * clusters (tolerations, affinity, ordered fallback affinities), spread
 * constraints, then replica division.
 */
import { ManifoldError } from '../../errors/index.ts';
import type { Cluster, JsonObject, Template } from '../../model/types.ts';
import type { KarmadaSettings } from '../../model/settings.ts';
import type { z } from 'zod';
import { assignReplicas, clusterAvailableReplicas, divisionStrategyOf, interpretReplicas, type DivisionStrategy } from './division.ts';
import { filterClusters } from './placement.ts';
import { selectBySpreadConstraints, shouldIgnoreSpreadConstraint } from './spread.ts';
import type { ClusterAffinity, Placement, PropagationSpec } from './schema.ts';

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

interface AffinityTerm {
  name?: string | undefined;
  affinity: ClusterAffinity | undefined;
}

function affinityTerms(placement: Placement | undefined): AffinityTerm[] {
  if (placement?.clusterAffinities !== undefined && placement.clusterAffinities.length > 0) {
    return placement.clusterAffinities.map(({ affinityName, ...affinity }) => ({ name: affinityName, affinity }));
  }
  return [{ affinity: placement?.clusterAffinity }];
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

export function scheduleTemplate(
  template: Template,
  spec: PropagationSpec,
  clusters: readonly Cluster[],
  settings: z.infer<typeof KarmadaSettings> | undefined,
  previous: ReadonlyMap<string, number> | undefined,
  startAtAffinity?: string,
): ScheduleResult {
  const placement = spec.placement;
  const strategy = divisionStrategyOf(placement?.replicaScheduling);
  // DaemonSets, CronJobs and other kinds are non-workloads to Karmada: replicas 0.
  const interpreted = interpretReplicas(template.object);
  const desired = interpreted?.replicas ?? 0;
  const requests = interpreted?.requests;
  const uid = templateUid(template);
  const terms = affinityTerms(placement);
  let start = 0;
  if (startAtAffinity !== undefined) start = Math.max(0, terms.findIndex((t) => t.name === startAtAffinity));
  const failures: string[] = [];
  for (const term of terms.slice(start)) {
    const lines: string[] = [];
    try {
      const filtered = filterClusters([...clusters], {
        clusterAffinity: term.affinity,
        clusterTolerations: placement?.clusterTolerations,
        spreadConstraints: placement?.spreadConstraints,
      });
      if (term.name !== undefined) lines.push(`affinity group "${term.name}"`);
      for (const r of filtered.rejected) lines.push(`✗ ${r.cluster}: ${r.reason}`);
      if (filtered.candidates.length === 0) throw new ManifoldError('NO_CLUSTER_FITS', 'no cluster fits the placement');
      const withCapacity = filtered.candidates.map((cluster) => ({
        cluster,
        availableReplicas: clusterAvailableReplicas(cluster, requests, desired),
      }));
      let selected = withCapacity;
      const spreadLines: string[] = [];
      const constraints = placement?.spreadConstraints ?? [];
      if (constraints.length > 0 && !shouldIgnoreSpreadConstraint(placement?.replicaScheduling)) {
        const spread = selectBySpreadConstraints(withCapacity, constraints, {
          divided: strategy !== 'Duplicated',
          desiredReplicas: desired,
          extensions: settings?.extensions,
        });
        const chosen = new Set(spread.selected.map((c) => c.name));
        selected = withCapacity.filter((c) => chosen.has(c.cluster.name));
        spreadLines.push(...spread.steps);
      } else if (constraints.length > 0) {
        spreadLines.push('spread constraints ignored: static weighting ignores them (Karmada shouldIgnoreSpreadConstraint)');
      }
      lines.push(...filtered.candidates.map((c) => `✓ ${c.name}${selected.some((s) => s.cluster.name === c.name) ? '' : ' (not selected by spread constraints)'}`));
      const assigned = assignReplicas({
        strategy,
        desired,
        hasReplicaRequirements: interpreted?.hasReplicaRequirements ?? false,
        candidates: selected,
        staticWeightList: placement?.replicaScheduling?.weightPreference?.staticWeightList,
        previous,
        uid,
      });
      const targets = new Map<string, number | undefined>();
      for (const t of assigned.targets) targets.set(t.name, t.replicas);
      const explain = [{ title: 'Clusters', lines }];
      if (spreadLines.length) explain.push({ title: 'Spread constraints', lines: spreadLines });
      explain.push({ title: `Replicas (${strategy}, ${desired} desired)`, lines: assigned.steps });
      return { targets, strategy, explain, affinityName: term.name };
    } catch (err) {
      if (!(err instanceof ManifoldError)) throw err;
      failures.push(`${term.name !== undefined ? `affinity group "${term.name}"` : 'placement'}: ${err.message}`);
    }
  }
  throw new ManifoldError('UNSCHEDULABLE', failures.join('; '), { failures });
}
