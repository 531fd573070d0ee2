/**
 * zod schemas for the KubeAdmiral objects Manifold accepts verbatim
 * (core.kubeadmiral.io/v1alpha1). Field names follow kubewharf/kubeadmiral
 * pkg/apis/core/v1alpha1/{types_propagationpolicy,types_overridepolicy,
 * types_federatedcluster}.go and the CRDs generated from them. Specs are
 * strict: an unknown field (for instance the removed `stickyCluster` or the
 * top-level `replicaRescheduling`) is an error, because a typo must never
 * silently change placement. CRD defaults are applied by `resolvePropagationSpec`,
 * not by the schemas, so the generated JSON Schemas keep the fields optional.
 */
import { z } from 'zod';
import { JsonAny, ObjectMeta, ResourceList, StringMap, Taint, Toleration, kubeObjectSchema } from '../../model/common.ts';

export const KUBEADMIRAL_API = 'core.kubeadmiral.io/v1alpha1';

const count = z.number().int().min(0, 'must not be negative');

/** ClusterSelectorRequirement: the operator set of pkg/apis/core/v1alpha1/types_common.go. */
export const ClusterSelectorRequirement = z.strictObject({
  key: z.string(),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']),
  values: z.array(z.string()).optional(),
});
export type ClusterSelectorRequirement = z.infer<typeof ClusterSelectorRequirement>;

/** A term ANDs its requirements; an empty term matches nothing (pkg/util/clusterselector). */
export const ClusterSelectorTerm = z.strictObject({
  matchExpressions: z.array(ClusterSelectorRequirement).optional(),
  matchFields: z.array(ClusterSelectorRequirement).optional(),
});
export type ClusterSelectorTerm = z.infer<typeof ClusterSelectorTerm>;

export const Preferences = z.strictObject({
  minReplicas: count.optional(),
  maxReplicas: count.optional(),
  weight: count.optional(),
  priority: count.optional(),
});
export type Preferences = z.infer<typeof Preferences>;

/** DesiredPlacement; the policy field is the singular JSON key `placement`. */
export const DesiredPlacement = z.strictObject({
  cluster: z.string().min(1, 'must not be empty'),
  preferences: Preferences.optional(),
});
export type DesiredPlacement = z.infer<typeof DesiredPlacement>;

export const PropagationSpec = z.strictObject({
  schedulingProfile: z.string().optional(),
  /** CRD enum Duplicate|Divide; the scheduler reads anything else as Duplicate (schedulingunit.go). */
  schedulingMode: z.string().optional(),
  replicasStrategy: z.enum(['Spread', 'Binpack']).optional(),
  clusterSelector: StringMap.optional(),
  clusterAffinity: z.array(ClusterSelectorTerm).optional(),
  tolerations: z.array(Toleration).optional(),
  maxClusters: count.optional(),
  placement: z.array(DesiredPlacement).optional(),
  disableFollowerScheduling: z.boolean().optional(),
  autoMigration: z
    .strictObject({
      when: z.strictObject({ podUnschedulableFor: z.string().optional() }).optional(),
      keepUnschedulableReplicas: z.boolean().optional(),
    })
    .optional(),
  reschedulePolicy: z
    .strictObject({
      disableRescheduling: z.boolean().optional(),
      rescheduleWhen: z
        .strictObject({
          policyContentChanged: z.boolean().optional(),
          clusterJoined: z.boolean().optional(),
          clusterLabelsChanged: z.boolean().optional(),
          clusterAPIResourcesChanged: z.boolean().optional(),
        })
        .optional(),
      replicaRescheduling: z.strictObject({ avoidDisruption: z.boolean().optional() }).optional(),
    })
    .optional(),
});
export type PropagationSpec = z.infer<typeof PropagationSpec>;

/** TargetClusters: the three criteria are ANDed; empty lists and selectors match any cluster. */
export const TargetClusters = z.strictObject({
  clusters: z.array(z.string()).optional(),
  clusterSelector: StringMap.optional(),
  clusterAffinity: z.array(ClusterSelectorTerm).optional(),
});
export type TargetClusters = z.infer<typeof TargetClusters>;

export const ImageOverrider = z.strictObject({
  containerNames: z.array(z.string()).optional(),
  imagePath: z.string().optional(),
  operations: z.array(
    z.strictObject({
      imageComponent: z.enum(['Registry', 'Repository', 'Tag', 'Digest']),
      operator: z.enum(['addIfAbsent', 'overwrite', 'delete']).optional(),
      value: z.string().optional(),
    }),
  ),
});
export type ImageOverrider = z.infer<typeof ImageOverrider>;

export const EntrypointOverrider = z.strictObject({
  containerName: z.string(),
  operator: z.enum(['append', 'overwrite', 'delete']).optional(),
  value: z.array(z.string()).optional(),
});
export type EntrypointOverrider = z.infer<typeof EntrypointOverrider>;

/** corev1.EnvVar as the env overrider carries it; the value is copied into the container as written. */
export const EnvVar = z.looseObject({ name: z.string() });

export const EnvOverrider = z.strictObject({
  containerName: z.string(),
  operator: z.enum(['addIfAbsent', 'overwrite', 'delete']).optional(),
  value: z.array(EnvVar).optional(),
});
export type EnvOverrider = z.infer<typeof EnvOverrider>;

export const StringMapOverrider = z.strictObject({
  operator: z.enum(['addIfAbsent', 'overwrite', 'delete']).optional(),
  value: StringMap.optional(),
});
export type StringMapOverrider = z.infer<typeof StringMapOverrider>;

export const JsonPatchOverrider = z.strictObject({
  /** Defaults to replace; the CRD has no enum, json-patch rejects unknown operations when applied. */
  operator: z.string().optional(),
  path: z.string(),
  value: JsonAny.optional(),
});
export type JsonPatchOverrider = z.infer<typeof JsonPatchOverrider>;

/** Overriders take effect in this order: image, command, args, envs, annotations, labels, jsonpatch. */
export const Overriders = z.strictObject({
  image: z.array(ImageOverrider).optional(),
  command: z.array(EntrypointOverrider).optional(),
  args: z.array(EntrypointOverrider).optional(),
  envs: z.array(EnvOverrider).optional(),
  annotations: z.array(StringMapOverrider).optional(),
  labels: z.array(StringMapOverrider).optional(),
  jsonpatch: z.array(JsonPatchOverrider).optional(),
});
export type Overriders = z.infer<typeof Overriders>;

export const OverrideRule = z.strictObject({
  targetClusters: TargetClusters.optional(),
  overriders: Overriders.optional(),
});
export type OverrideRule = z.infer<typeof OverrideRule>;

export const OverrideSpec = z.strictObject({
  overrideRules: z.array(OverrideRule).optional(),
});
export type OverrideSpec = z.infer<typeof OverrideSpec>;

function policyObject<K extends string, S extends z.ZodType>(kind: K, spec: S) {
  return kubeObjectSchema(KUBEADMIRAL_API, kind, spec);
}

export const PropagationPolicy = policyObject('PropagationPolicy', PropagationSpec);
export const ClusterPropagationPolicy = policyObject('ClusterPropagationPolicy', PropagationSpec);
export const OverridePolicy = policyObject('OverridePolicy', OverrideSpec);
export const ClusterOverridePolicy = policyObject('ClusterOverridePolicy', OverrideSpec);
export type PropagationPolicy = z.infer<typeof PropagationPolicy>;
export type OverridePolicy = z.infer<typeof OverridePolicy>;

/**
 * FederatedTypeConfig (pkg/apis/core/v1alpha1/types_federatedtypeconfig.go):
 * which source type is federated, by which controllers in which order, and
 * where its replicas are (pathDefinition). Cluster-scoped.
 */
export const FederatedTypeConfigSpec = z.strictObject({
  sourceType: z.strictObject({
    group: z.string().optional(),
    version: z.string().min(1),
    kind: z.string().min(1),
    pluralName: z.string().min(1),
    scope: z.enum(['Namespaced', 'Cluster']),
  }),
  statusAggregation: z.strictObject({ enabled: z.boolean() }).optional(),
  statusCollection: z.strictObject({ enabled: z.boolean(), fields: z.array(z.string()).optional() }).optional(),
  autoMigration: z.strictObject({ enabled: z.boolean() }).optional(),
  controllers: z.array(z.array(z.string())).optional(),
  pathDefinition: z
    .strictObject({
      labelSelector: z.string().optional(),
      replicasSpec: z.string().optional(),
      replicasStatus: z.string().optional(),
      availableReplicasStatus: z.string().optional(),
      readyReplicasStatus: z.string().optional(),
    })
    .optional(),
});
export const FederatedTypeConfig = kubeObjectSchema(KUBEADMIRAL_API, 'FederatedTypeConfig', FederatedTypeConfigSpec);
export type FederatedTypeConfig = z.infer<typeof FederatedTypeConfig>;

/** APIResource in FederatedCluster status: the GVKs the member serves. */
export const APIResource = z.looseObject({
  group: z.string().optional(),
  version: z.string(),
  kind: z.string(),
});

export const ClusterCondition = z.looseObject({
  type: z.string(),
  status: z.string(),
});

export const FederatedCluster = z.strictObject({
  apiVersion: z.literal(KUBEADMIRAL_API),
  kind: z.literal('FederatedCluster'),
  metadata: ObjectMeta,
  spec: z
    .strictObject({
      apiEndpoint: z.string().optional(),
      insecure: z.boolean().optional(),
      useServiceAccount: z.boolean().optional(),
      secretRef: z.strictObject({ name: z.string() }).optional(),
      taints: z.array(Taint).optional(),
    })
    .optional(),
  status: z
    .looseObject({
      conditions: z.array(ClusterCondition).optional(),
      resources: z
        .looseObject({
          schedulableNodes: z.number().int().optional(),
          allocatable: ResourceList.optional(),
          available: ResourceList.optional(),
        })
        .optional(),
      apiResourceTypes: z.array(APIResource).optional(),
    })
    .optional(),
});
export type FederatedCluster = z.infer<typeof FederatedCluster>;

// ---------------------------------------------------------------------------
// CRD defaults

/** A PropagationPolicy spec with the CRD defaults applied. */
export interface ResolvedPropagationSpec extends PropagationSpec {
  replicasStrategy: 'Spread' | 'Binpack';
  disableFollowerScheduling: boolean;
  reschedulePolicy: {
    disableRescheduling: boolean;
    rescheduleWhen: {
      policyContentChanged: boolean;
      clusterJoined: boolean;
      clusterLabelsChanged: boolean;
      clusterAPIResourcesChanged: boolean;
    };
    replicaRescheduling: { avoidDisruption: boolean };
  };
}

/**
 * The CRD defaults (config/crds/core.kubeadmiral.io_propagationpolicies.yaml):
 * replicasStrategy Spread, reschedulePolicy {rescheduleWhen {policyContentChanged:
 * true}}, the other triggers false, autoMigration.when.podUnschedulableFor 1m.
 * Manifold decision (reference §4.2): avoidDisruption is true whenever it is
 * absent, at any level, although Go reads an absent block as false.
 */
export function resolvePropagationSpec(spec: PropagationSpec): ResolvedPropagationSpec {
  const reschedule = spec.reschedulePolicy ?? {};
  const when = reschedule.rescheduleWhen ?? {};
  const resolved: ResolvedPropagationSpec = {
    ...spec,
    replicasStrategy: spec.replicasStrategy ?? 'Spread',
    disableFollowerScheduling: spec.disableFollowerScheduling ?? false,
    reschedulePolicy: {
      disableRescheduling: reschedule.disableRescheduling ?? false,
      rescheduleWhen: {
        policyContentChanged: when.policyContentChanged ?? true,
        clusterJoined: when.clusterJoined ?? false,
        clusterLabelsChanged: when.clusterLabelsChanged ?? false,
        clusterAPIResourcesChanged: when.clusterAPIResourcesChanged ?? false,
      },
      replicaRescheduling: { avoidDisruption: reschedule.replicaRescheduling?.avoidDisruption ?? true },
    },
  };
  if (spec.autoMigration !== undefined) {
    resolved.autoMigration = {
      when: { podUnschedulableFor: spec.autoMigration.when?.podUnschedulableFor ?? '1m' },
      keepUnschedulableReplicas: spec.autoMigration.keepUnschedulableReplicas ?? false,
    };
  }
  return resolved;
}
