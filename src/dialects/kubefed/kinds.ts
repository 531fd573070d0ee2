/** The KubeFed v2 document kinds: inventory, federated objects, type configs and scheduling preferences. */
import type { DocumentKind } from '../../load/repository.ts';
import { contextAnnotation, type Cluster, type SourceRef } from '../../model/types.ts';
import {
  CORE_API,
  FederatedNamespace,
  FederatedResource,
  FederatedTypeConfig,
  KubeFedCluster,
  KubeFedConfig,
  ReplicaSchedulingPreference,
  SCHEDULING_API,
  TYPES_API,
} from './schema.ts';

export { kubefedGroups } from './schema.ts';

/** A KubeFedCluster as a member cluster: selectors match its labels; region and zones come from its status. */
export function kubeFedCluster(value: KubeFedCluster, source: SourceRef): Cluster {
  return {
    name: value.metadata.name,
    declaredBy: 'KubeFedCluster',
    labels: value.metadata.labels ?? {},
    region: value.status?.region,
    zones: value.status?.zones ?? [],
    taints: [],
    context: contextAnnotation(value.metadata),
    annotations: value.metadata.annotations,
    source,
  };
}

export const kubefedKinds: DocumentKind[] = [
  { apiVersion: CORE_API, kind: 'KubeFedCluster', title: 'kubefed-kubefedcluster', schema: KubeFedCluster, toCluster: kubeFedCluster as DocumentKind['toCluster'] },
  { apiVersion: CORE_API, kind: 'FederatedTypeConfig', title: 'kubefed-federatedtypeconfig', schema: FederatedTypeConfig },
  { apiVersion: CORE_API, kind: 'KubeFedConfig', title: 'kubefed-kubefedconfig', schema: KubeFedConfig },
  { apiVersion: TYPES_API, kind: 'FederatedNamespace', title: 'kubefed-federatednamespace', schema: FederatedNamespace },
  // Every other kind of types.kubefed.io/v1beta1 is a federated type: which
  // ones exist is decided by FederatedTypeConfigs, which the classifier cannot see.
  { apiVersion: TYPES_API, kind: (kind) => kind !== 'FederatedNamespace', title: 'kubefed-federated-resource', schema: FederatedResource },
  { apiVersion: SCHEDULING_API, kind: 'ReplicaSchedulingPreference', title: 'kubefed-replicaschedulingpreference', schema: ReplicaSchedulingPreference },
];
