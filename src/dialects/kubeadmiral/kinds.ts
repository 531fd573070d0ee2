/** The KubeAdmiral document kinds: the FederatedCluster inventory and the four policies. */
import type { DocumentKind } from '../../load/repository.ts';
import type { ResourceList } from '../../model/common.ts';
import { nanoToMilli, nanoToWhole, parseQuantityExact } from '../../model/quantity.ts';
import { contextAnnotation, type Cluster, type SourceRef } from '../../model/types.ts';
import {
  KUBEADMIRAL_API,
  ClusterOverridePolicy,
  FederatedTypeConfig,
  ClusterPropagationPolicy,
  FederatedCluster as FederatedClusterSchema,
  OverridePolicy,
  PropagationPolicy,
  type FederatedCluster,
} from './schema.ts';

/** What the KubeAdmiral scheduler reads from FederatedCluster.status beyond the common Cluster model. */
export interface FederatedClusterStatus {
  /** status.resources.allocatable */
  allocatable: ResourceList;
  /** status.resources.available */
  available: ResourceList;
  /** status.apiResourceTypes as `group/version/Kind`; undefined when the inventory does not list them. */
  apiResources?: ReadonlySet<string> | undefined;
  /** The Ready condition; undefined when the inventory carries no conditions. */
  ready?: boolean | undefined;
}

/** A Cluster declared by a FederatedCluster, carrying the status fields the scheduler needs. */
export interface FederatedClusterRecord extends Cluster {
  federatedStatus: FederatedClusterStatus;
}

export function gvkKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

export function federatedCluster(value: FederatedCluster, source: SourceRef): FederatedClusterRecord {
  const status = value.status;
  const conditions = status?.conditions;
  return {
    name: value.metadata.name,
    declaredBy: 'FederatedCluster',
    labels: value.metadata.labels ?? {},
    zones: [],
    taints: value.spec?.taints ?? [],
    resourceSummary: { allocatable: status?.resources?.allocatable },
    context: contextAnnotation(value.metadata),
    annotations: value.metadata.annotations,
    source,
    federatedStatus: {
      allocatable: status?.resources?.allocatable ?? {},
      available: status?.resources?.available ?? {},
      apiResources: status?.apiResourceTypes
        ? new Set(status.apiResourceTypes.map((r) => gvkKey(r.group ?? '', r.version, r.kind)))
        : undefined,
      // pkg/util/cluster IsClusterReady: a Ready condition with status True.
      ready: conditions === undefined ? undefined : conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    },
  };
}

/**
 * The scheduler's view of any inventory cluster. Clusters declared by another
 * dialect's inventory kind have no `available` list; it is derived from a
 * Karmada resource summary as allocatable − allocated − allocating.
 */
export function federatedStatusOf(cluster: Cluster): FederatedClusterStatus {
  if ('federatedStatus' in cluster) return (cluster as FederatedClusterRecord).federatedStatus;
  const summary = cluster.resourceSummary;
  const allocatable = summary?.allocatable ?? {};
  const available: ResourceList = {};
  for (const [name, quantity] of Object.entries(allocatable)) {
    let nano = parseQuantityExact(quantity).nano;
    for (const used of [summary?.allocated?.[name], summary?.allocating?.[name]]) {
      if (used !== undefined) nano -= parseQuantityExact(used).nano;
    }
    available[name] = name === 'cpu' ? `${nanoToMilli(nano)}m` : String(nanoToWhole(nano));
  }
  return { allocatable, available };
}

export const kubeAdmiralKinds: DocumentKind[] = [
  {
    apiVersion: KUBEADMIRAL_API,
    kind: 'FederatedCluster',
    title: 'kubeadmiral-federatedcluster',
    schema: FederatedClusterSchema,
    toCluster: federatedCluster as DocumentKind['toCluster'],
  },
  { apiVersion: KUBEADMIRAL_API, kind: 'PropagationPolicy', title: 'kubeadmiral-propagationpolicy', schema: PropagationPolicy },
  { apiVersion: KUBEADMIRAL_API, kind: 'ClusterPropagationPolicy', title: 'kubeadmiral-clusterpropagationpolicy', schema: ClusterPropagationPolicy },
  { apiVersion: KUBEADMIRAL_API, kind: 'OverridePolicy', title: 'kubeadmiral-overridepolicy', schema: OverridePolicy },
  { apiVersion: KUBEADMIRAL_API, kind: 'ClusterOverridePolicy', title: 'kubeadmiral-clusteroverridepolicy', schema: ClusterOverridePolicy },
  { apiVersion: KUBEADMIRAL_API, kind: 'FederatedTypeConfig', title: 'kubeadmiral-federatedtypeconfig', schema: FederatedTypeConfig },
];

/** core.kubeadmiral.io holds only control-plane kinds: anything else there is an error, never a template. */
export const kubeAdmiralGroups = ['core.kubeadmiral.io'];
