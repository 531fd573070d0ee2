/**
 * The Work API as its implementations spell it: which object holds one
 * cluster's manifests, and which namespace of the hub names the cluster.
 * Shared by the Work dialect (reading Works) and render/works.ts (writing them).
 */

export type WorkApi = 'ocm' | 'karmada' | 'kubefleet' | 'sig';

export interface WorkApiSpec {
  apiVersion: string;
  kind: string;
  /** The hub namespace whose Works the cluster's agent reads. */
  namespaceOf(cluster: string): string;
}

/** Karmada's execution space prefix (karmada pkg/util/names/names.go ExecutionSpacePrefix). */
export const KARMADA_EXECUTION_SPACE_PREFIX = 'karmada-es-';
/** KubeFleet's member namespace prefix (fleet pkg/utils/common.go NamespaceNameFormat `fleet-member-%s`). */
export const FLEET_MEMBER_PREFIX = 'fleet-member-';

export const WORK_APIS: Readonly<Record<WorkApi, WorkApiSpec>> = {
  // open-cluster-management.io/api work/v1/types.go: a ManifestWork lives in the managed cluster's namespace.
  ocm: { apiVersion: 'work.open-cluster-management.io/v1', kind: 'ManifestWork', namespaceOf: (c) => c },
  karmada: { apiVersion: 'work.karmada.io/v1alpha1', kind: 'Work', namespaceOf: (c) => `${KARMADA_EXECUTION_SPACE_PREFIX}${c}` },
  // fleet apis/placement/v1beta1/work_types.go (v1 has the same shape).
  kubefleet: { apiVersion: 'placement.kubernetes-fleet.io/v1beta1', kind: 'Work', namespaceOf: (c) => `${FLEET_MEMBER_PREFIX}${c}` },
  // sigs.k8s.io/work-api pkg/apis/v1alpha1/work_types.go; the agent reads the namespace its
  // --work-namespace flag names: Manifold uses the cluster's name.
  sig: { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'Work', namespaceOf: (c) => c },
};
