/**
 * zod schemas for the Karmada objects Manifold accepts verbatim
 * (policy.karmada.io/v1alpha1 and cluster.karmada.io/v1alpha1). Specs are
 * strict: an unknown field is an error, because a typo must never silently
 * change placement. Field names and enums follow
 * pkg/apis/policy/v1alpha1/{propagation,override}_types.go.
 */
import { z } from 'zod';
import {
  LabelSelector,
  ObjectMeta,
  ResourceList,
  StringMap,
  Taint,
  Toleration,
  JsonAny,
  Quantity,
  checkRequirementValues,
  kubeObjectSchema,
} from '../../model/common.ts';
import { validateFailover, validateOverrideRules, validatePlacement, validateSelectorNamespaces, validateSuspension } from './validation.ts';
import { namespaceOrDefault } from '../../model/scope.ts';

export const POLICY_API = 'policy.karmada.io/v1alpha1';

/** A Go *int32 field (priority, decisionConditions.tolerationSeconds, gracePeriodSeconds): the API server's JSON decoding refuses anything outside. */
const Int32 = z.number().int().min(-2147483648).max(2147483647, 'must fit in int32');
export const CLUSTER_API = 'cluster.karmada.io/v1alpha1';

export const ResourceSelector = z.strictObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  namespace: z.string().optional(),
  name: z.string().optional(),
  labelSelector: LabelSelector.optional(),
});
export type ResourceSelector = z.infer<typeof ResourceSelector>;

/**
 * karmada pkg/util/validation ValidatePolicyFieldSelector (key and operator);
 * the values as karmada pkg/util/lifted NodeSelectorRequirementsAsSelector
 * turns them into apimachinery label requirements, which refuse an empty
 * `In` and invalid label values (the cluster would then never match).
 */
export const FieldSelectorRequirement = z
  .strictObject({
    key: z.enum(['provider', 'region', 'zone']),
    operator: z.enum(['In', 'NotIn']),
    values: z.array(z.string()).optional(),
  })
  .superRefine(checkRequirementValues);

const clusterAffinityShape = {
  labelSelector: LabelSelector.optional(),
  fieldSelector: z.strictObject({ matchExpressions: z.array(FieldSelectorRequirement).optional() }).optional(),
  clusterNames: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
};
export const ClusterAffinity = z.strictObject(clusterAffinityShape);
export type ClusterAffinity = z.infer<typeof ClusterAffinity>;

/** propagation_types.go: affinityName has MinLength 1 and MaxLength 32 in the CRD. */
const affinityName = z.string().min(1).max(32);

/** OverflowClusterAffinity (v1.18): a further tier of a clusterAffinities term. */
export const OverflowClusterAffinity = z.strictObject({
  affinityName,
  ...clusterAffinityShape,
});

export const ClusterAffinityTerm = z.strictObject({
  affinityName,
  ...clusterAffinityShape,
  overflowAffinities: z.array(OverflowClusterAffinity).optional(),
});
export type ClusterAffinityTerm = z.infer<typeof ClusterAffinityTerm>;

export const SpreadConstraint = z.strictObject({
  spreadByField: z.enum(['cluster', 'region', 'zone', 'provider']).optional(),
  spreadByLabel: z.string().optional(),
  maxGroups: z.number().int().min(0).optional(),
  minGroups: z.number().int().min(0).optional(),
});
export type SpreadConstraint = z.infer<typeof SpreadConstraint>;

export const StaticClusterWeight = z.strictObject({
  targetCluster: ClusterAffinity,
  weight: z.number().int().min(1, 'must be at least 1'),
});
export type StaticClusterWeight = z.infer<typeof StaticClusterWeight>;

export const ReplicaSchedulingStrategy = z.strictObject({
  replicaSchedulingType: z.enum(['Duplicated', 'Divided']).optional(),
  replicaDivisionPreference: z.enum(['Aggregated', 'Weighted']).optional(),
  weightPreference: z
    .strictObject({
      staticWeightList: z.array(StaticClusterWeight).optional(),
      dynamicWeight: z.enum(['AvailableReplicas']).optional(),
    })
    .optional(),
});
export type ReplicaSchedulingStrategy = z.infer<typeof ReplicaSchedulingStrategy>;

/** WorkloadAffinity (v1.17, alpha): co-locate or separate workloads grouped by a template label. */
export const WorkloadAffinity = z.strictObject({
  affinity: z.strictObject({ groupByLabelKey: z.string() }).optional(),
  antiAffinity: z.strictObject({ groupByLabelKey: z.string() }).optional(),
});
export type WorkloadAffinity = z.infer<typeof WorkloadAffinity>;

export const Placement = z
  .strictObject({
    clusterAffinity: ClusterAffinity.optional(),
    clusterAffinities: z.array(ClusterAffinityTerm).optional(),
    clusterTolerations: z.array(Toleration).optional(),
    spreadConstraints: z.array(SpreadConstraint).optional(),
    replicaScheduling: ReplicaSchedulingStrategy.optional(),
    workloadAffinity: WorkloadAffinity.optional(),
  })
  .superRefine((p, ctx) => {
    if (p.clusterAffinity !== undefined && p.clusterAffinities !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['clusterAffinities'],
        message: 'clusterAffinity and clusterAffinities are mutually exclusive',
      });
    }
  });
export type Placement = z.infer<typeof Placement>;

const StatePreservation = z.strictObject({
  rules: z.array(z.strictObject({ aliasLabelName: z.string(), jsonPath: z.string() })),
});

export const FailoverBehavior = z.strictObject({
  application: z
    .strictObject({
      decisionConditions: z.strictObject({ tolerationSeconds: Int32.optional() }).optional(),
      // Immediately and Graciously are deprecated spellings of Directly and Gracefully, still served by v1alpha1.
      purgeMode: z.enum(['Directly', 'Gracefully', 'Never', 'Immediately', 'Graciously']).optional(),
      gracePeriodSeconds: Int32.optional(),
      statePreservation: StatePreservation.optional(),
    })
    .optional(),
  cluster: z
    .strictObject({
      // ClusterFailoverBehavior: +kubebuilder:validation:Enum=Directly;Gracefully
      purgeMode: z.enum(['Directly', 'Gracefully']).optional(),
      statePreservation: StatePreservation.optional(),
    })
    .optional(),
});

export const PropagationSpec = z
  .strictObject({
    resourceSelectors: z.array(ResourceSelector).min(1, 'must list at least one selector (an empty list is never "everything")'),
    propagateDeps: z.boolean().optional(),
    priority: Int32.optional(),
    preemption: z.enum(['Always', 'Never']).optional(),
    dependentOverrides: z.array(z.string()).optional(),
    placement: Placement.optional(),
    schedulerName: z.string().optional(),
    schedulePriority: z
      .strictObject({
        priorityClassSource: z.enum(['KubePriorityClass', 'PodPriorityClass', 'FederatedPriorityClass']).optional(),
        priorityClassName: z.string(),
      })
      .optional(),
    conflictResolution: z.enum(['Abort', 'Overwrite']).optional(),
    failover: FailoverBehavior.optional(),
    suspension: z
      .strictObject({
        dispatching: z.boolean().optional(),
        dispatchingOnClusters: z.strictObject({ clusterNames: z.array(z.string()).optional() }).optional(),
      })
      .optional(),
    preserveResourcesOnDeletion: z.boolean().optional(),
    activationPreference: z.enum(['', 'Lazy']).optional(),
    association: z.boolean().optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.failover?.application !== undefined && spec.propagateDeps !== true) {
      ctx.addIssue({ code: 'custom', path: ['failover', 'application'], message: 'requires propagateDeps: true' });
    }
    if (spec.preemption === 'Always') {
      spec.resourceSelectors.forEach((s, i) => {
        if (!s.name) {
          ctx.addIssue({
            code: 'custom',
            path: ['resourceSelectors', i, 'name'],
            message: 'preemption: Always requires a name on every selector',
          });
        }
      });
    }
    validateSpreadConstraints(spec.placement?.spreadConstraints ?? [], ctx);
    validatePlacement(spec.placement, ctx);
    validateFailover(spec.failover, ctx);
    validateSuspension(spec.suspension, ctx);
  });
export type PropagationSpec = z.infer<typeof PropagationSpec>;

/** pkg/util/validation ValidateSpreadConstraint. */
function validateSpreadConstraints(constraints: SpreadConstraint[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  let hasField = false;
  let hasCluster = false;
  constraints.forEach((c, i) => {
    const path = ['placement', 'spreadConstraints', i];
    if (c.spreadByField && c.spreadByLabel) {
      ctx.addIssue({ code: 'custom', path, message: 'spreadByField and spreadByLabel are mutually exclusive' });
    }
    if ((c.maxGroups ?? 0) > 0 && (c.maxGroups ?? 0) < (c.minGroups ?? 0)) {
      ctx.addIssue({ code: 'custom', path: [...path, 'maxGroups'], message: 'must be at least minGroups' });
    }
    if (c.spreadByField) {
      hasField = true;
      if (c.spreadByField === 'cluster') hasCluster = true;
      if (seen.has(c.spreadByField)) {
        ctx.addIssue({ code: 'custom', path: [...path, 'spreadByField'], message: `duplicate spreadByField "${c.spreadByField}"` });
      }
      seen.add(c.spreadByField);
    }
  });
  if (hasField && !hasCluster) {
    ctx.addIssue({
      code: 'custom',
      path: ['placement', 'spreadConstraints'],
      message: 'a spreadByField constraint requires a spreadByField: cluster constraint as well',
    });
  }
}

const Operator3 = z.enum(['add', 'remove', 'replace']);

export const PlaintextOverrider = z.strictObject({
  path: z.string(),
  operator: Operator3,
  value: JsonAny.optional(),
});
export const ImageOverrider = z.strictObject({
  // A JSON pointer, empty or starting with '/' (checked in validation.ts like the webhook does).
  predicate: z.strictObject({ path: z.string() }).optional(),
  component: z.enum(['Registry', 'Repository', 'Tag']),
  operator: Operator3,
  value: z.string().optional(),
});
export const CommandArgsOverrider = z.strictObject({
  containerName: z.string().min(1),
  operator: z.enum(['add', 'remove']),
  value: z.array(z.string()).optional(),
});
export const LabelAnnotationOverrider = z.strictObject({
  operator: Operator3,
  value: StringMap.optional(),
});
const FieldPatch = z.strictObject({ subPath: z.string(), operator: Operator3, value: JsonAny.optional() });
export const FieldOverrider = z
  .strictObject({
    fieldPath: z.string(),
    json: z.array(FieldPatch).optional(),
    yaml: z.array(FieldPatch).optional(),
  })
  .superRefine((f, ctx) => {
    if ((f.json === undefined) === (f.yaml === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'exactly one of json or yaml must be set' });
    }
  });

export const Overriders = z.strictObject({
  plaintext: z.array(PlaintextOverrider).optional(),
  imageOverrider: z.array(ImageOverrider).optional(),
  commandOverrider: z.array(CommandArgsOverrider).optional(),
  argsOverrider: z.array(CommandArgsOverrider).optional(),
  labelsOverrider: z.array(LabelAnnotationOverrider).optional(),
  annotationsOverrider: z.array(LabelAnnotationOverrider).optional(),
  fieldOverrider: z.array(FieldOverrider).optional(),
});
export type Overriders = z.infer<typeof Overriders>;
export type PlaintextOverrider = z.infer<typeof PlaintextOverrider>;
export type ImageOverrider = z.infer<typeof ImageOverrider>;
export type CommandArgsOverrider = z.infer<typeof CommandArgsOverrider>;
export type LabelAnnotationOverrider = z.infer<typeof LabelAnnotationOverrider>;
export type FieldOverrider = z.infer<typeof FieldOverrider>;

export const RuleWithCluster = z.strictObject({
  targetCluster: ClusterAffinity.optional(),
  overriders: Overriders,
});
export type RuleWithCluster = z.infer<typeof RuleWithCluster>;

export const OverrideSpec = z
  .strictObject({
    resourceSelectors: z.array(ResourceSelector).optional(),
    overrideRules: z.array(RuleWithCluster).optional(),
    targetCluster: ClusterAffinity.optional(),
    overriders: Overriders.optional(),
  })
  .superRefine((spec, ctx) => {
    // ValidateOverrideSpec: empty overriders (emptyOverrides) may stand beside overrideRules.
    if (spec.overrideRules !== undefined && (spec.targetCluster !== undefined || !emptyOverriders(spec.overriders))) {
      ctx.addIssue({
        code: 'custom',
        path: ['overrideRules'],
        message: 'the deprecated targetCluster/overriders pair may not be combined with overrideRules',
      });
    }
    validateOverrideRules(spec.overrideRules, ctx);
  });

/** validation.go emptyOverrides: it does not look at fieldOverrider. */
function emptyOverriders(o: Overriders | undefined): boolean {
  if (o === undefined) return true;
  const lists = [o.plaintext, o.imageOverrider, o.commandOverrider, o.argsOverrider, o.labelsOverrider, o.annotationsOverrider];
  return lists.every((l) => (l?.length ?? 0) === 0);
}
export type OverrideSpec = z.infer<typeof OverrideSpec>;

function policyObject<K extends string, S extends z.ZodType>(kind: K, spec: S) {
  return kubeObjectSchema(POLICY_API, kind, spec);
}

/**
 * A namespaced policy (a document without a namespace lands in `default`):
 * its selectors may only name its own namespace (validateResourceSelectors).
 */
const selectorsInOwnNamespace = (
  policy: { metadata: { namespace?: string | undefined }; spec: { resourceSelectors?: { namespace?: string | undefined }[] | undefined } },
  ctx: z.RefinementCtx,
) => validateSelectorNamespaces(policy.spec.resourceSelectors, namespaceOrDefault(policy.metadata.namespace), ctx);

export const PropagationPolicy = policyObject('PropagationPolicy', PropagationSpec).superRefine(selectorsInOwnNamespace);
export const ClusterPropagationPolicy = policyObject('ClusterPropagationPolicy', PropagationSpec);
export const OverridePolicy = policyObject('OverridePolicy', OverrideSpec).superRefine(selectorsInOwnNamespace);
export const ClusterOverridePolicy = policyObject('ClusterOverridePolicy', OverrideSpec);
export type PropagationPolicy = z.infer<typeof PropagationPolicy>;
export type OverridePolicy = z.infer<typeof OverridePolicy>;

const ResourceModel = z.strictObject({
  grade: z.number().int(),
  ranges: z.array(
    z.strictObject({
      name: z.string(),
      // resource.Quantity in karmada pkg/apis/cluster/v1alpha1 ResourceModelRange.
      min: Quantity,
      max: Quantity,
    }),
  ),
});

export const Cluster = z.strictObject({
  apiVersion: z.literal(CLUSTER_API),
  kind: z.literal('Cluster'),
  metadata: ObjectMeta,
  spec: z
    .strictObject({
      id: z.string().optional(),
      syncMode: z.enum(['Push', 'Pull']).optional(),
      apiEndpoint: z.string().optional(),
      secretRef: z.strictObject({ namespace: z.string(), name: z.string() }).optional(),
      impersonatorSecretRef: z.strictObject({ namespace: z.string(), name: z.string() }).optional(),
      insecureSkipTLSVerification: z.boolean().optional(),
      proxyURL: z.string().optional(),
      proxyHeader: StringMap.optional(),
      provider: z.string().optional(),
      region: z.string().optional(),
      zone: z.string().optional(),
      zones: z.array(z.string()).optional(),
      taints: z.array(Taint).optional(),
      resourceModels: z.array(ResourceModel).optional(),
    })
    .optional(),
  status: z
    .looseObject({
      resourceSummary: z
        .looseObject({
          allocatable: ResourceList.optional(),
          allocating: ResourceList.optional(),
          allocated: ResourceList.optional(),
        })
        .optional(),
    })
    .optional(),
});
export type KarmadaCluster = z.infer<typeof Cluster>;

/** Every Karmada kind, keyed by `apiVersion kind`, for the classifier and the JSON Schema generator. */
export const karmadaSchemas = {
  [`${CLUSTER_API} Cluster`]: Cluster,
  [`${POLICY_API} PropagationPolicy`]: PropagationPolicy,
  [`${POLICY_API} ClusterPropagationPolicy`]: ClusterPropagationPolicy,
  [`${POLICY_API} OverridePolicy`]: OverridePolicy,
  [`${POLICY_API} ClusterOverridePolicy`]: ClusterOverridePolicy,
} as const;
