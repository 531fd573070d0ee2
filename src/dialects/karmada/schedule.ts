/**
 * Karmada's scheduler for one template (reference §1.6, §1.7): candidate
 * clusters (tolerations, affinity, ordered fallback affinities), spread
 * constraints, then replica division.
 */
import { ManifoldError } from '../../errors/index.ts';
import type { Cluster, JsonObject, Template } from '../../model/types.ts';
import type { KarmadaSettings } from '../../model/settings.ts';
import type { z } from 'zod';
import { assignReplicas, estimateAvailableReplicas, podRequestsOf, type DivisionStrategy } from './division.ts';
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

/** The replica count Karmada's default interpreter reads (GetReplicas). */
export function replicasOf(obj: JsonObject): { count: number; field: 'replicas' | 'parallelism' | undefined } {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  switch (obj.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
      return { count: typeof spec.replicas === 'number' ? spec.replicas : 0, field: 'replicas' };
    case 'Job':
      return { count: typeof spec.parallelism === 'number' ? spec.parallelism : 1, field: 'parallelism' };
    case 'Pod':
      return { count: 1, field: undefined };
    default:
      return { count: 0, field: undefined };
  }
}

export function strategyOf(placement: Placement | undefined): DivisionStrategy {
  const rs = placement?.replicaScheduling;
  if (rs === undefined || rs.replicaSchedulingType === 'Duplicated') return 'Duplicated';
  if (rs.replicaDivisionPreference === 'Aggregated') return 'Aggregated';
  if (rs.weightPreference?.dynamicWeight === 'AvailableReplicas') return 'DynamicWeight';
  return 'StaticWeight';
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

export function scheduleTemplate(
  template: Template,
  spec: PropagationSpec,
  clusters: readonly Cluster[],
  settings: z.infer<typeof KarmadaSettings> | undefined,
  previous: ReadonlyMap<string, number> | undefined,
  startAtAffinity?: string,
): ScheduleResult {
  const placement = spec.placement;
  const strategy = strategyOf(placement);
  const { count: desired } = replicasOf(template.object);
  const requests = podRequestsOf(template.object);
  const uid = typeof (template.object.metadata as Record<string, unknown>).uid === 'string'
    ? ((template.object.metadata as Record<string, unknown>).uid as string)
    : (template.annotations['manifold.dev/uid'] ?? '');
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
        availableReplicas: estimateAvailableReplicas(cluster.resourceSummary, requests),
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
        hasReplicaRequirements: desired > 0,
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
