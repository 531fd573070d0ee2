/**
 * KubeFed placement (reference §2.2), a port of
 * kubernetes-retired/kubefed pkg/controller/util/placement.go:
 *
 * | clusters | clusterSelector      | result                                   |
 * |----------|----------------------|------------------------------------------|
 * | absent   | absent               | no clusters (nil selector = Nothing)     |
 * | absent   | {} / {matchLabels:{}}| all clusters                             |
 * | absent   | non-empty            | clusters whose labels match              |
 * | []       | anything             | no clusters; selector ignored            |
 * | [names]  | anything             | exactly the listed names; selector ignored|
 *
 * `null` counts as absent (Go's json gives a nil slice/pointer). The result
 * is intersected with the registered clusters; unknown names vanish.
 */
import { byteOrder } from '../../load/source.ts';
import { matchLabelSelector } from '../../model/labels.ts';
import type { Cluster } from '../../model/types.ts';
import type { Placement } from './schema.ts';

export interface PlacementResult {
  /** Selected registered clusters, sorted. */
  clusters: string[];
  /** Which rule of the table applied, in words. */
  rule: string;
  /** Registered clusters left out, with why. */
  excluded: Map<string, string>;
  /** Listed names that are not registered clusters (silently dropped upstream). */
  unknown: string[];
}

type PlacementSpec = Placement | null | undefined;

/**
 * selectedClusterNames: the listed names verbatim (registered or not), or the
 * clusters the selector matches. `selectorOnly` (RSP intersectWithClusterSelector)
 * ignores the list and reads only the selector.
 */
export function selectedClusterNames(placement: PlacementSpec, clusters: readonly Pick<Cluster, 'name' | 'labels'>[], selectorOnly = false): Set<string> {
  const names = placement?.clusters;
  if (!selectorOnly && names !== null && names !== undefined) return new Set(names.map((c) => c.name));
  const selector = placement?.clusterSelector;
  // metav1.LabelSelectorAsSelector: nil selects nothing, an empty selector everything.
  if (selector === null || selector === undefined) return new Set();
  return new Set(clusters.filter((c) => matchLabelSelector(c.labels, selector)).map((c) => c.name));
}

/** ComputePlacement: the selection intersected with the registered clusters, with reasons for explain. */
export function computePlacement(placement: PlacementSpec, clusters: readonly Pick<Cluster, 'name' | 'labels'>[], selectorOnly = false): PlacementResult {
  const selected = selectedClusterNames(placement, clusters, selectorOnly);
  const registered = new Set(clusters.map((c) => c.name));
  const names = placement?.clusters;
  const byList = !selectorOnly && names !== null && names !== undefined;
  const excluded = new Map<string, string>();
  for (const c of clusters) {
    if (selected.has(c.name)) continue;
    excluded.set(c.name, byList ? 'not listed in spec.placement.clusters' : placement?.clusterSelector ? 'labels do not match spec.placement.clusterSelector' : 'no clusterSelector');
  }
  return {
    clusters: [...selected].filter((n) => registered.has(n)).sort(byteOrder),
    rule: ruleOf(placement, byList, selectorOnly),
    excluded,
    unknown: [...selected].filter((n) => !registered.has(n)).sort(byteOrder),
  };
}

/**
 * ComputeNamespacedPlacement: a namespaced resource goes where both it and
 * the FederatedNamespace of its namespace go. Without a FederatedNamespace it
 * goes nowhere, unless the control plane is namespace-scoped (limitedScope),
 * where the resource placement is used verbatim.
 */
export function computeNamespacedPlacement(
  resource: PlacementSpec,
  namespace: PlacementSpec | 'missing',
  clusters: readonly Pick<Cluster, 'name' | 'labels'>[],
  limitedScope: boolean,
  selectorOnly = false,
): PlacementResult & { namespaceClusters?: string[] | undefined } {
  const own = computePlacement(resource, clusters, selectorOnly);
  if (namespace === 'missing') {
    if (limitedScope) return own;
    const excluded = new Map(own.excluded);
    for (const c of own.clusters) excluded.set(c, 'the namespace has no FederatedNamespace');
    return { ...own, clusters: [], excluded };
  }
  const ns = computePlacement(namespace, clusters, selectorOnly);
  const nsSet = new Set(ns.clusters);
  const excluded = new Map(own.excluded);
  for (const c of own.clusters) if (!nsSet.has(c)) excluded.set(c, 'not in the placement of the FederatedNamespace');
  return { ...own, clusters: own.clusters.filter((c) => nsSet.has(c)), excluded, namespaceClusters: ns.clusters };
}

function ruleOf(placement: PlacementSpec, byList: boolean, selectorOnly: boolean): string {
  if (byList) {
    const n = placement?.clusters?.length ?? 0;
    return n === 0
      ? 'spec.placement.clusters is empty: no clusters (clusterSelector ignored)'
      : `spec.placement.clusters lists ${n} cluster(s)${placement?.clusterSelector ? '; clusterSelector ignored' : ''}`;
  }
  const selector = placement?.clusterSelector;
  const prefix = selectorOnly ? 'clusterSelector only (intersectWithClusterSelector): ' : '';
  if (selector === null || selector === undefined) {
    return `${prefix}neither spec.placement.clusters nor spec.placement.clusterSelector is set: no clusters`;
  }
  const empty = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  return empty ? `${prefix}spec.placement.clusterSelector is empty: every cluster` : `${prefix}spec.placement.clusterSelector ${describeSelector(selector)}`;
}

function describeSelector(selector: NonNullable<Placement['clusterSelector']>): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) parts.push(`${r.key} ${r.operator}${r.values?.length ? ` (${r.values.join(', ')})` : ''}`);
  return parts.join(', ');
}
