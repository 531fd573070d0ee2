/**
 * ReplicaSchedulingPreference (reference §2.6), as
 * kubernetes-retired/kubefed pkg/schedulingtypes/replicascheduler.go
 * (Reconcile, GetSchedulingResult, schedule) computes it:
 *
 * - candidates are the (ready) member clusters; with
 *   `intersectWithClusterSelector` only those the target's and its
 *   FederatedNamespace's clusterSelector select (the clusters lists are not
 *   read); an empty intersection, or a missing FederatedNamespace, makes the
 *   RSP a no-op;
 * - an empty `clusters` map means `{"*": {weight: 1}}`; `"*"` serves only
 *   clusters without an entry of their own; a missing weight is 0;
 * - the planner runs with key `<namespace>/<name>`; every candidate lands in
 *   the result, those planned at 0 too (plan + overflow);
 * - the result becomes the target's `placement.clusters` and a
 *   `/spec/replicas` override per cluster (plugin.go Reconcile).
 */
import type { Cluster } from '../../model/types.ts';
import { planReplicas, type ClusterPreference } from '../../model/replica-planner.ts';
import { computeNamespacedPlacement, computePlacement } from './placement.ts';
import type { Placement, ReplicaSchedulingPreference } from './schema.ts';

type RspSpec = ReplicaSchedulingPreference['spec'];

export interface RspInput {
  spec: RspSpec;
  /** `<namespace>/<name>`, the planner's hash salt. */
  key: string;
  /** Member clusters, in the controller's order. */
  clusters: readonly Pick<Cluster, 'name' | 'labels'>[];
  /** The target's own placement. */
  placement: Placement | null | undefined;
  /** The FederatedNamespace's placement, 'missing' without one, undefined for cluster-scoped targets. */
  namespacePlacement?: Placement | null | 'missing' | undefined;
  limitedScope?: boolean | undefined;
  /** Replicas per cluster where the object already runs (previous render). */
  current?: Record<string, number> | undefined;
}

export interface RspResult {
  /** cluster → replicas, for every candidate; undefined when the RSP changes nothing. */
  replicas?: Map<string, number> | undefined;
  /** Why the RSP changes nothing, when it does not. */
  noop?: string | undefined;
  candidates: string[];
  /** Replicas the planner could not place anywhere (dropped silently upstream). */
  unplaced: number;
  explain: string[];
}

/** The preferences the planner reads: `null` entries and bounds are absent, an empty map is `{"*": {weight: 1}}`. */
export function plannerPreferences(spec: RspSpec): Record<string, ClusterPreference> {
  const entries = Object.entries(spec.clusters ?? {});
  if (entries.length === 0) return { '*': { weight: 1 } };
  const out: Record<string, ClusterPreference> = {};
  for (const [name, pref] of entries) {
    out[name] = {
      minReplicas: pref?.minReplicas ?? undefined,
      maxReplicas: pref?.maxReplicas ?? undefined,
      weight: pref?.weight ?? undefined,
    };
  }
  return out;
}

export function scheduleReplicas(input: RspInput): RspResult {
  const { spec, key } = input;
  const explain: string[] = [`totalReplicas ${spec.totalReplicas}, rebalance ${spec.rebalance === true}, key "${key}"`];
  let candidates = input.clusters.map((c) => c.name);
  if (candidates.length === 0) return { noop: 'there are no member clusters', candidates, unplaced: 0, explain };

  if (spec.intersectWithClusterSelector === true) {
    if (input.namespacePlacement === 'missing') {
      return { noop: 'intersectWithClusterSelector needs the FederatedNamespace, and there is none', candidates: [], unplaced: 0, explain };
    }
    const selected =
      input.namespacePlacement === undefined
        ? computePlacement(input.placement, input.clusters, true)
        : computeNamespacedPlacement(input.placement, input.namespacePlacement, input.clusters, input.limitedScope === true, true);
    if (selected.clusters.length === 0) {
      return {
        noop: 'intersectWithClusterSelector: the clusterSelectors select no cluster (placement.clusters lists are not read here)',
        candidates: [],
        unplaced: 0,
        explain,
      };
    }
    explain.push(`candidates (intersectWithClusterSelector): ${selected.clusters.join(', ')}`);
    candidates = selected.clusters;
  } else {
    explain.push(`candidates (every member cluster; the target's placement is replaced): ${candidates.join(', ')}`);
  }

  const preferences = plannerPreferences(spec);
  if (Object.keys(spec.clusters ?? {}).length === 0) explain.push('clusters is empty: {"*": {weight: 1}}');
  const current: Record<string, number> = {};
  for (const c of candidates) {
    const n = input.current?.[c];
    if (n !== undefined) current[c] = n;
  }
  if (spec.rebalance !== true && Object.keys(current).length > 0) {
    explain.push(`current replicas (previous render): ${Object.entries(current).map(([c, n]) => `${c} ${n}`).join(', ')}`);
  }
  const { plan, overflow, steps } = planReplicas({ total: spec.totalReplicas, clusters: candidates, preferences: { rebalance: spec.rebalance, clusters: preferences }, current, key });
  explain.push(...steps);
  const replicas = new Map<string, number>();
  let placed = 0;
  for (const c of candidates) {
    const n = (plan[c] ?? 0) + (overflow[c] ?? 0);
    replicas.set(c, n);
    placed += n;
  }
  explain.push(`result: ${[...replicas].map(([c, n]) => `${c} ${n}`).join(', ')} (clusters at 0 still receive the object, with replicas: 0)`);
  return { replicas, candidates, unplaced: Math.max(0, spec.totalReplicas - placed), explain };
}
