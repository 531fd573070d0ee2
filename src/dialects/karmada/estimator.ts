/**
 * Karmada's general estimator: how many more replicas a cluster can take,
 * from its Cluster.status.resourceSummary (pkg/estimator/client/general.go),
 * and calAvailableReplicas for one candidate (pkg/scheduler/core/util.go).
 */
import type { ResourceList } from '../../model/common.ts';
import { nanoToMilli, nanoToWhole, parseQuantityExact } from '../../model/quantity.ts';
import type { Cluster, ResourceSummary } from '../../model/types.ts';
import { MAX_INT32 } from './division.ts';

// ---------------------------------------------------------------------------
// Capacity estimate (pkg/estimator/client/general.go)
// ---------------------------------------------------------------------------

/**
 * GeneralEstimator.maxAvailableReplicas from Cluster.status.resourceSummary:
 * min(allocatable − allocated − allocating pods, per requested resource
 * ⌊available / request⌋), CPU compared in millicores, everything else in
 * whole units (Value(), rounded up). No summary, no pods left or a requested
 * resource the cluster does not list → 0. `requests` undefined (no replica
 * requirements) → the pod bound alone. Resource models are not consulted.
 */
export function estimateAvailableReplicas(summary: ResourceSummary | undefined, requests: ResourceList | undefined): number {
  if (summary === undefined) return 0;
  const pods = nanoToWhole(amount(summary.allocatable, 'pods')) - nanoToWhole(amount(summary.allocated, 'pods')) - nanoToWhole(amount(summary.allocating, 'pods'));
  if (pods <= 0n) return 0;
  let maximum = pods;
  for (const [name, quantity] of Object.entries(requests ?? {})) {
    const requestNano = nanoOf(quantity);
    if (nanoToWhole(requestNano) <= 0n) continue;
    const allocatable = summary.allocatable?.[name];
    if (allocatable === undefined) return 0;
    const availableNano = nanoOf(allocatable) - amount(summary.allocated, name) - amount(summary.allocating, name);
    if (nanoToWhole(availableNano) <= 0n) return 0;
    const fits = name === 'cpu' ? nanoToMilli(availableNano) / nanoToMilli(requestNano) : nanoToWhole(availableNano) / nanoToWhole(requestNano);
    if (fits < maximum) maximum = fits;
  }
  return Number(BigInt.asIntN(32, maximum)); // int32(maximumReplicas)
}

/**
 * calAvailableReplicas (karmada pkg/scheduler/core/util.go) for one candidate
 * with only the general estimator: its estimate, where an estimate of
 * MaxInt32 becomes `desired`. With 0 desired replicas (non-workloads, a
 * Deployment scaled to 0) no estimator runs and every cluster keeps the
 * MaxInt32 boundary (karmada#3743), so spreading falls back to name order.
 */
export function clusterAvailableReplicas(cluster: Cluster, requests: ResourceList | undefined, desired: number): number {
  if (desired === 0) return MAX_INT32;
  const estimate = Math.min(MAX_INT32, estimateAvailableReplicas(cluster.resourceSummary, requests));
  return estimate === MAX_INT32 ? desired : estimate;
}

function amount(list: ResourceList | undefined, name: string): bigint {
  const quantity = list?.[name];
  return quantity === undefined ? 0n : nanoOf(quantity);
}

/**
 * Quantities by their text, parsed once: the scheduler estimates every
 * candidate for every template (templates × clusters calls), and a fleet's
 * live resourceSummary lists few distinct quantities.
 */
const parsedQuantities = new Map<string | number, bigint>();
const MAX_PARSED = 100_000;

function nanoOf(quantity: string | number): bigint {
  let nano = parsedQuantities.get(quantity);
  if (nano === undefined) {
    nano = parseQuantityExact(quantity).nano;
    if (parsedQuantities.size >= MAX_PARSED) parsedQuantities.clear();
    parsedQuantities.set(quantity, nano);
  }
  return nano;
}
