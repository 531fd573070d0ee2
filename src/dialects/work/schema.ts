/**
 * zod schemas for the Work API objects Manifold reads: a Work names the
 * manifests one cluster runs, and its namespace names the cluster. Four
 * implementations share the shape `spec.workload.manifests[]`:
 *
 * - Open Cluster Management: work.open-cluster-management.io/v1 ManifestWork,
 *   namespace = the managed cluster (open-cluster-management.io/api work/v1/types.go);
 * - Karmada: work.karmada.io/v1alpha1 Work, namespace `karmada-es-<cluster>`
 *   (karmada pkg/apis/work/v1alpha1/work_types.go, pkg/util/names/names.go ExecutionSpacePrefix);
 * - KubeFleet (go.goms.io/fleet v0.14.0): placement.kubernetes-fleet.io/v1 and v1beta1 Work, namespace
 *   `fleet-member-<cluster>` (kubefleet apis/placement/v1beta1/work_types.go,
 *   pkg/utils/common.go NamespaceNameFormat);
 * - SIG-Multicluster: multicluster.x-k8s.io/v1alpha1 Work (sigs.k8s.io/work-api
 *   pkg/apis/v1alpha1/work_types.go). Its agent watches whatever namespace
 *   `--work-namespace` names, so the namespace is the cluster's name, or
 *   `fleet-member-<cluster>` as KubeFleet (which started from work-api) lays it out.
 *
 * Specs are strict like every other dialect's: the agent options each
 * implementation adds are accepted by name and do not change what is rendered.
 */
import { z } from 'zod';
import { ObjectMeta, StringMap } from '../../model/common.ts';
import { dnsSubdomainProblem } from '../../model/names.ts';
import { FLEET_MEMBER_PREFIX, KARMADA_EXECUTION_SPACE_PREFIX, WORK_APIS, type WorkApi } from '../../model/work-api.ts';

export type WorkFlavor = WorkApi;

export const OCM_API = WORK_APIS.ocm.apiVersion;
export const KARMADA_API = WORK_APIS.karmada.apiVersion;
export const KUBEFLEET_APIS = ['placement.kubernetes-fleet.io/v1', WORK_APIS.kubefleet.apiVersion] as const;
export const SIG_API = WORK_APIS.sig.apiVersion;

export { KARMADA_EXECUTION_SPACE_PREFIX, FLEET_MEMBER_PREFIX };

/**
 * One manifest: any object with apiVersion, kind and a name. OCM's webhook
 * requires the name and refuses generateName (ocm api utils/work/v1/workvalidator/validator.go).
 */
export const Manifest = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({
    name: z.string().min(1, 'must not be empty'),
    namespace: z.string().optional(),
    generateName: z.undefined('generateName is not allowed in a Work manifest: the agent must know the name').optional(),
    labels: StringMap.optional(),
    annotations: StringMap.optional(),
  }),
});
export type Manifest = z.infer<typeof Manifest>;

const Workload = z.strictObject({ manifests: z.array(Manifest).optional() });

/** Agent options per implementation, accepted and not interpreted (they change how, not what, is applied). */
const AGENT_OPTIONS: Record<WorkFlavor, readonly string[]> = {
  ocm: ['deleteOption', 'manifestConfigs', 'executor'],
  karmada: ['suspendDispatching', 'preserveResourcesOnDeletion'],
  kubefleet: ['applyStrategy'],
  sig: [],
};

const WorkMeta = ObjectMeta.extend({
  // The API server's rule for custom resource names.
  name: z
    .string()
    .min(1, 'must not be empty')
    .superRefine((name, ctx) => {
      const problem = dnsSubdomainProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  namespace: z.string({ error: 'required field is missing: a Work is namespaced and its namespace names the cluster' }).min(1, 'must not be empty'),
});

export function workSchema(apiVersion: string, kind: string, flavor: WorkFlavor) {
  const options = Object.fromEntries(AGENT_OPTIONS[flavor].map((k) => [k, z.unknown().optional()]));
  return z.strictObject({
    apiVersion: z.literal(apiVersion),
    kind: z.literal(kind),
    metadata: WorkMeta,
    spec: z.strictObject({ workload: Workload.optional(), ...options }),
    status: z.unknown().optional(),
  });
}

export interface WorkObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: { workload?: { manifests?: Manifest[] | undefined } | undefined; suspendDispatching?: unknown };
}

/** AppliedWork-like objects are status written by agents: read loosely, then skipped. */
export function appliedWorkSchema(apiVersion: string, kind: string) {
  return z.looseObject({ apiVersion: z.literal(apiVersion), kind: z.literal(kind), metadata: ObjectMeta });
}

/** The forms a Work takes in the systems that implement it, for messages. */
export const REAL_WORK_FORMS = [
  `${OCM_API} ManifestWork (namespace: <cluster>)`,
  `${KARMADA_API} Work (namespace: ${KARMADA_EXECUTION_SPACE_PREFIX}<cluster>)`,
  `${KUBEFLEET_APIS[0]} Work (namespace: ${FLEET_MEMBER_PREFIX}<cluster>)`,
  `${SIG_API} Work (namespace: <cluster>)`,
];

/**
 * `work/v1`, as the background article writes it, is no API anybody serves
 * (an API group of a custom resource must contain a dot): answer with the real
 * forms instead of letting the document become a template that nothing claims.
 */
export function fictionalWorkSchema(kind: string) {
  const message =
    kind === 'AppliedWork'
      ? `work/v1 is not a served API; AppliedWork is status written by an agent (e.g. ${SIG_API} AppliedWork, work.open-cluster-management.io/v1 AppliedManifestWork) and has no place in a source`
      : `work/v1 is not a served API; write the Work as one of: ${REAL_WORK_FORMS.join('; ')}`;
  return z.unknown().superRefine((_value, ctx) => {
    ctx.addIssue({ code: 'custom', path: ['apiVersion'], message });
  });
}
