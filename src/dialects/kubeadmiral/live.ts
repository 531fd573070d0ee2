/**
 * Live status on a KubeAdmiral FederatedCluster: what its cluster controller
 * writes to FederatedCluster.status (kubeadmiral
 * pkg/controllers/federatedcluster/clusterstatus.go): the Ready condition,
 * resources.allocatable and resources.available (allocatable minus the
 * requests of scheduled and pending pods, as the report's resourceSummary
 * gives them) and apiResourceTypes. The scheduler then filters unready
 * clusters (plugins ClusterReady, kept for clusters already scheduled) and
 * uses live capacity (ClusterResourcesFit, ClusterCapacityWeight).
 */
import { readinessOf, type ObservedCluster } from '../../model/live.ts';
import type { Cluster } from '../../model/types.ts';
import { federatedStatusOf, gvkKey, type FederatedClusterRecord } from './kinds.ts';

export function overlayFederatedCluster(cluster: Cluster, observed: ObservedCluster): { cluster: Cluster; notes: string[] } | undefined {
  if (cluster.declaredBy !== 'FederatedCluster') return undefined;
  const record = cluster as FederatedClusterRecord;
  const readiness = readinessOf(observed);
  const notes: string[] = [];
  const live = observed.live;
  const summary = live?.resourceSummary;
  // federatedStatusOf derives available from a Karmada-shaped summary when there is no FederatedCluster status.
  const { federatedStatus: _inventory, ...plain } = record;
  const resources = summary === undefined ? record.federatedStatus : federatedStatusOf({ ...plain, resourceSummary: summary });
  const apiResources = live?.apiEnablements === undefined ? record.federatedStatus.apiResources : new Set(live.apiEnablements.flatMap((e) => apiTypes(e)));
  if (readiness !== undefined && readiness.status !== 'True') notes.push(`Ready=${readiness.status} (${readiness.reason}) since ${readiness.since}: unready, no new workloads (ClusterReady filter)`);
  if (summary !== undefined) notes.push(`resources from the report (observed ${live?.observedAt})`);
  const federatedStatus = { ...record.federatedStatus, allocatable: resources.allocatable, available: resources.available, apiResources, ready: readiness === undefined ? record.federatedStatus.ready : readiness.status === 'True' };
  const overlaid: FederatedClusterRecord = { ...record, live: readiness, resourceSummary: summary ?? record.resourceSummary, federatedStatus };
  return { cluster: overlaid, notes };
}

/** `group/version/Kind` keys of one apiEnablements entry (groupVersion `v1` is the core group). */
function apiTypes(entry: { groupVersion: string; resources: Array<{ kind: string }> }): string[] {
  const slash = entry.groupVersion.indexOf('/');
  const group = slash < 0 ? '' : entry.groupVersion.slice(0, slash);
  const version = slash < 0 ? entry.groupVersion : entry.groupVersion.slice(slash + 1);
  return entry.resources.map((r) => gvkKey(group, version, r.kind));
}
