/**
 * Which kinds are cluster-scoped. Templates carry no discovery data, so built-in
 * kinds come from this table and custom kinds from CustomResourceDefinitions in
 * the repository; an unknown kind without a namespace is treated as cluster-scoped.
 */
const CLUSTER_SCOPED = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'scheduling.k8s.io/PriorityClass',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'certificates.k8s.io/CertificateSigningRequest',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'snapshot.storage.k8s.io/VolumeSnapshotClass',
  'snapshot.storage.k8s.io/VolumeSnapshotContent',
  'resource.k8s.io/DeviceClass',
  'gateway.networking.k8s.io/GatewayClass',
  'extensions/PodSecurityPolicy',
  'policy/PodSecurityPolicy',
  'resource.k8s.io/ResourceSlice',
  'certificates.k8s.io/ClusterTrustBundle',
]);

const NAMESPACED_BUILTIN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'discovery.k8s.io',
  'coordination.k8s.io',
  'storage.k8s.io',
  'events.k8s.io',
  // Retired, but upstream samples still use it (Federation v1, KubeFed's Ingress type config): Deployments, ReplicaSets, DaemonSets, Ingresses, NetworkPolicies.
  'extensions',
  'snapshot.storage.k8s.io',
  'gateway.networking.k8s.io',
  'resource.k8s.io',
]);

export type Scope = 'Cluster' | 'Namespaced';

/** Resolves the scope of group/kind, preferring CRDs declared in the repository. */
export function scopeOf(group: string, kind: string, crdScopes: ReadonlyMap<string, Scope>): Scope | undefined {
  const key = `${group}/${kind}`;
  const fromCrd = crdScopes.get(key);
  if (fromCrd) return fromCrd;
  if (CLUSTER_SCOPED.has(key)) return 'Cluster';
  if (NAMESPACED_BUILTIN_GROUPS.has(group)) return 'Namespaced';
  return undefined;
}

/**
 * The namespace kubectl and the API server give a namespaced object written
 * without metadata.namespace (staging/src/k8s.io/cli-runtime/pkg/resource/builder.go
 * DefaultNamespace). Templates get it once, at load time (load/repository.ts);
 * dialects read their namespaced policies themselves and use this for them.
 */
export const DEFAULT_NAMESPACE = 'default';

/** A namespaced policy's namespace: its metadata.namespace, else `default`. */
export function namespaceOrDefault(namespace: string | undefined): string {
  return namespace ?? DEFAULT_NAMESPACE;
}
