/**
 * The Federation v1 document kinds: its own cluster record, and the answer to
 * `Federated<Kind>` objects in Kubernetes API groups, which no release had.
 *
 * The record is `federation/v1beta1 Cluster`
 * (kubernetes-retired/federation apis/federation/v1beta1/types.go): spec
 * `serverAddressByClientCIDRs` and `secretRef` (how the control plane reached
 * the cluster: nothing placement reads), status `conditions`, `zones` and
 * `region`. Placement reads the labels (cluster-selector annotation).
 */
import { z } from 'zod';
import type { DocumentKind } from '../../load/repository.ts';
import { ObjectMeta } from '../../model/common.ts';
import type { Cluster, SourceRef } from '../../model/types.ts';

export const FEDERATION_CLUSTER_API = 'federation/v1beta1';
/** How some articles write it; no release served this version. */
export const FEDERATION_CLUSTER_API_MISSPELLED = 'federation/v1';

const ClusterSpec = z.looseObject({
  serverAddressByClientCIDRs: z.array(z.looseObject({ clientCIDR: z.string().optional(), serverAddress: z.string().optional() })).optional(),
  secretRef: z.looseObject({ name: z.string().optional() }).nullish(),
});

const ClusterStatus = z.looseObject({
  conditions: z.array(z.unknown()).nullish(),
  zones: z.array(z.string()).nullish(),
  region: z.string().nullish(),
});

function clusterSchema(apiVersion: string) {
  return z.strictObject({
    apiVersion: z.literal(apiVersion),
    kind: z.literal('Cluster'),
    metadata: ObjectMeta,
    // `spec:` holding only a comment is null in YAML: the seed article writes it so.
    spec: ClusterSpec.nullish(),
    status: ClusterStatus.nullish(),
  });
}

export const FederationCluster = clusterSchema(FEDERATION_CLUSTER_API);
export type FederationCluster = z.infer<typeof FederationCluster>;

export function federationCluster(value: FederationCluster, source: SourceRef): Cluster {
  return {
    name: value.metadata.name,
    declaredBy: 'FederationCluster',
    labels: value.metadata.labels ?? {},
    annotations: value.metadata.annotations,
    region: value.status?.region ?? undefined,
    zones: value.status?.zones ?? [],
    taints: [],
    source,
  };
}

/** The kinds Federation v1 federated, by the plain Kubernetes kind; see index.ts FEDERATED_KINDS. */
const FICTIONAL_FEDERATED = /^Federated[A-Z]\w*$/;

/**
 * `Federated<Kind>` in a Kubernetes API group (the seed article writes
 * `extensions/v1beta1 FederatedDeployment`): never served by any release.
 * Rejected with the forms that did exist.
 */
function fictionalFederatedKind(apiVersion: string): DocumentKind {
  return {
    apiVersion,
    kind: (kind) => FICTIONAL_FEDERATED.test(kind),
    title: 'federation-fictional-federated-kind',
    schemaFile: false,
    schema: z.looseObject({ kind: z.string() }).superRefine((value, ctx) => {
      const plain = value.kind.slice('Federated'.length);
      ctx.addIssue({
        code: 'custom',
        path: ['kind'],
        message:
          `${apiVersion} ${value.kind} never existed. Federation v1 federated the plain kind: create the ${plain} itself (e.g. apps/v1 ${plain}) and ` +
          'spread it with the federation.kubernetes.io/deployment-preferences or replica-set-preferences annotation and the ' +
          `federation.alpha.kubernetes.io/cluster-selector annotation; KubeFed v2 writes types.kubefed.io/v1beta1 ${value.kind} with spec.template, spec.placement and spec.overrides`,
      });
    }),
  };
}

export const federationV1Kinds: DocumentKind[] = [
  { apiVersion: FEDERATION_CLUSTER_API, kind: 'Cluster', title: 'federation-v1-cluster', schema: FederationCluster, toCluster: federationCluster as DocumentKind['toCluster'] },
  {
    apiVersion: FEDERATION_CLUSTER_API_MISSPELLED,
    kind: 'Cluster',
    title: 'federation-v1-cluster-misspelled',
    schema: clusterSchema(FEDERATION_CLUSTER_API_MISSPELLED),
    toCluster: federationCluster as DocumentKind['toCluster'],
    warning: `no Federation release served ${FEDERATION_CLUSTER_API_MISSPELLED}; read as ${FEDERATION_CLUSTER_API} Cluster`,
  },
  ...['extensions/v1beta1', 'apps/v1', 'apps/v1beta1', 'apps/v1beta2', 'v1', 'batch/v1', 'networking.k8s.io/v1'].map(fictionalFederatedKind),
];

export const federationV1Groups = ['federation'];
