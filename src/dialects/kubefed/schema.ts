/**
 * zod schemas for the KubeFed v2 objects Manifold accepts verbatim
 * (kubernetes-retired/kubefed v0.10.0). Specs are strict: an unknown field is
 * an error, because a typo must never silently change placement.
 *
 * - `types.kubefed.io/v1beta1` Federated<Kind>: the CRD schema that
 *   `kubefedctl enable` generates (pkg/kubefedctl/enable/validation.go).
 * - `core.kubefed.io/v1beta1` FederatedTypeConfig, KubeFedCluster and
 *   KubeFedConfig (pkg/apis/core/v1beta1/*_types.go).
 * - `scheduling.kubefed.io/v1alpha1` ReplicaSchedulingPreference
 *   (pkg/apis/scheduling/v1alpha1/replicaschedulingpreference_types.go).
 *
 * `placement.clusters` and `placement.clusterSelector` accept `null`: Go's
 * json turns null into a nil slice/pointer, which is the same as absent, and
 * the placement table (reference §2.2) tells absent, null and empty apart.
 */
import { z } from 'zod';
import { LabelSelector, ObjectMeta, StringMap } from '../../model/common.ts';

export const TYPES_API = 'types.kubefed.io/v1beta1';
export const CORE_API = 'core.kubefed.io/v1beta1';
export const SCHEDULING_API = 'scheduling.kubefed.io/v1alpha1';

/** API groups owned by KubeFed: an unknown kind there is an error, never a template. */
export const kubefedGroups = ['types.kubefed.io', 'core.kubefed.io', 'scheduling.kubefed.io', 'multiclusterdns.kubefed.io'];

const count = z.number().int().min(0, 'must not be negative');

/** A label selector whose requirements are well-formed (metav1.LabelSelectorAsSelector fails otherwise). */
export const ClusterSelector = LabelSelector.superRefine((selector, ctx) => {
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const values = req.values ?? [];
    if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['matchExpressions', i, 'values'], message: `must be non-empty for operator ${req.operator}` });
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['matchExpressions', i, 'values'], message: `must be empty for operator ${req.operator}` });
    }
  });
});

export const Placement = z.strictObject({
  clusters: z.array(z.strictObject({ name: z.string() })).nullable().optional(),
  clusterSelector: ClusterSelector.nullable().optional(),
});
export type Placement = z.infer<typeof Placement>;

/** One JSON-patch operation; an empty or missing `op` means replace (overrides.go ApplyJSONPatch). */
export const ClusterOverride = z.strictObject({
  op: z.enum(['add', 'remove', 'replace', '']).optional(),
  path: z.string(),
  value: z.unknown().optional(),
});
export type ClusterOverride = z.infer<typeof ClusterOverride>;

export const OverrideItem = z.strictObject({
  clusterName: z.string().optional(),
  clusterOverrides: z.array(ClusterOverride).nullable().optional(),
});
export type OverrideItem = z.infer<typeof OverrideItem>;

/** `spec.template`: the target object; only metadata.labels reaches members unchanged. */
const Template = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z
    .looseObject({
      labels: StringMap.nullable().optional(),
      annotations: StringMap.nullable().optional(),
      finalizers: z.array(z.string()).nullable().optional(),
    })
    .nullable()
    .optional(),
});

export const FederatedSpec = z.strictObject({
  template: Template.nullable().optional(),
  placement: Placement.nullable().optional(),
  overrides: z.array(OverrideItem).nullable().optional(),
  retainReplicas: z.boolean().optional(),
});
export type FederatedSpec = z.infer<typeof FederatedSpec>;

function federatedObject<K extends z.ZodType<string>>(kind: K) {
  return z.strictObject({
    apiVersion: z.literal(TYPES_API),
    kind,
    metadata: ObjectMeta,
    spec: FederatedSpec,
    status: z.unknown().optional(),
  });
}

export const FederatedNamespace = federatedObject(z.literal('FederatedNamespace'));
/** Any `Federated<Kind>`; its target type comes from a FederatedTypeConfig or the built-in table. */
export const FederatedResource = federatedObject(z.string());
export type FederatedResource = z.infer<typeof FederatedResource>;

const APIResource = z.strictObject({
  group: z.string().optional(),
  version: z.string().min(1),
  kind: z.string().min(1),
  pluralName: z.string().optional(),
  scope: z.enum(['Namespaced', 'Cluster']),
});
export type APIResource = z.infer<typeof APIResource>;

export const FederatedTypeConfig = z.strictObject({
  apiVersion: z.literal(CORE_API),
  kind: z.literal('FederatedTypeConfig'),
  metadata: ObjectMeta,
  spec: z.strictObject({
    targetType: APIResource,
    propagation: z.enum(['Enabled', 'Disabled']),
    federatedType: APIResource,
    statusType: APIResource.optional(),
    statusCollection: z.enum(['Enabled', 'Disabled']).optional(),
  }),
  status: z.unknown().optional(),
});
export type FederatedTypeConfig = z.infer<typeof FederatedTypeConfig>;

/**
 * Connection details are optional here: Manifold reaches clusters through
 * kubeconfig contexts, and placement reads only labels, region and zones.
 */
export const KubeFedCluster = z.strictObject({
  apiVersion: z.literal(CORE_API),
  kind: z.literal('KubeFedCluster'),
  metadata: ObjectMeta,
  spec: z
    .strictObject({
      apiEndpoint: z.string().optional(),
      caBundle: z.string().optional(),
      secretRef: z.strictObject({ name: z.string() }).optional(),
      disabledTLSValidations: z.array(z.string()).optional(),
      proxyURL: z.string().optional(),
    })
    .optional(),
  status: z
    .looseObject({
      conditions: z.array(z.looseObject({ type: z.string(), status: z.string() })).optional(),
      kubernetesVersion: z.string().optional(),
      region: z.string().optional(),
      zones: z.array(z.string()).optional(),
    })
    .optional(),
});
export type KubeFedCluster = z.infer<typeof KubeFedCluster>;

/** The control-plane configuration; Manifold reads `scope` and the SchedulerPreferences gate. */
export const KubeFedConfig = z.strictObject({
  apiVersion: z.literal(CORE_API),
  kind: z.literal('KubeFedConfig'),
  metadata: ObjectMeta,
  spec: z.looseObject({
    scope: z.enum(['Namespaced', 'Cluster']),
    featureGates: z.array(z.strictObject({ name: z.string(), configuration: z.enum(['Enabled', 'Disabled']) })).optional(),
  }),
  status: z.unknown().optional(),
});
export type KubeFedConfig = z.infer<typeof KubeFedConfig>;

/**
 * `null` bounds are accepted as absent: the API server prunes nulls of
 * non-nullable CRD fields, so the seed article's `weight:` (null) means 0.
 */
export const ClusterPreferences = z.strictObject({
  minReplicas: count.nullable().optional(),
  maxReplicas: count.nullable().optional(),
  weight: count.nullable().optional(),
});
export type ClusterPreferences = z.infer<typeof ClusterPreferences>;

export const ReplicaSchedulingPreference = z.strictObject({
  apiVersion: z.literal(SCHEDULING_API),
  kind: z.literal('ReplicaSchedulingPreference'),
  metadata: ObjectMeta,
  spec: z.strictObject({
    targetKind: z.string().min(1),
    totalReplicas: count.max(2147483647, 'must fit in int32'),
    rebalance: z.boolean().optional(),
    intersectWithClusterSelector: z.boolean().optional(),
    clusters: z.record(z.string(), ClusterPreferences.nullable()).nullable().optional(),
  }),
  status: z.unknown().optional(),
});
export type ReplicaSchedulingPreference = z.infer<typeof ReplicaSchedulingPreference>;
