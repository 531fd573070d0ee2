/** The Karmada document kinds: inventory and policies. */
import type { DocumentKind } from '../../load/repository.ts';
import { contextAnnotation, type Cluster, type SourceRef } from '../../model/types.ts';
import {
  CLUSTER_API,
  POLICY_API,
  Cluster as ClusterSchema,
  ClusterOverridePolicy,
  ClusterPropagationPolicy,
  OverridePolicy,
  PropagationPolicy,
  type KarmadaCluster,
} from './schema.ts';

export function karmadaCluster(value: KarmadaCluster, source: SourceRef): Cluster {
  const spec = value.spec ?? {};
  return {
    name: value.metadata.name,
    declaredBy: 'Cluster',
    labels: value.metadata.labels ?? {},
    provider: spec.provider,
    region: spec.region,
    zones: clusterZones(spec),
    taints: spec.taints ?? [],
    resourceSummary: value.status?.resourceSummary,
    context: contextAnnotation(value.metadata),
    annotations: value.metadata.annotations,
    source,
  };
}

/**
 * The deprecated singular `zone` becomes `zones` when `zones` is empty, as
 * the API server's mutation does on create (karmada
 * pkg/apis/cluster/mutation/mutation.go migrateZoneToZones).
 */
function clusterZones(spec: NonNullable<KarmadaCluster['spec']>): string[] {
  if (spec.zones !== undefined && spec.zones.length > 0) return spec.zones;
  return spec.zone ? [spec.zone] : [];
}

export const karmadaKinds: DocumentKind[] = [
  { apiVersion: CLUSTER_API, kind: 'Cluster', title: 'karmada-cluster', schema: ClusterSchema, toCluster: karmadaCluster as DocumentKind['toCluster'] },
  { apiVersion: POLICY_API, kind: 'PropagationPolicy', title: 'karmada-propagationpolicy', schema: PropagationPolicy },
  { apiVersion: POLICY_API, kind: 'ClusterPropagationPolicy', title: 'karmada-clusterpropagationpolicy', schema: ClusterPropagationPolicy },
  { apiVersion: POLICY_API, kind: 'OverridePolicy', title: 'karmada-overridepolicy', schema: OverridePolicy },
  { apiVersion: POLICY_API, kind: 'ClusterOverridePolicy', title: 'karmada-clusteroverridepolicy', schema: ClusterOverridePolicy },
];

export const karmadaGroups = ['policy.karmada.io', 'cluster.karmada.io', 'work.karmada.io', 'config.karmada.io', 'networking.karmada.io', 'autoscaling.karmada.io', 'apps.karmada.io', 'remedy.karmada.io'];

