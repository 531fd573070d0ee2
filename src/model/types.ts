/** The internal model every dialect normalizes into. Plain data, no I/O. */
import type { Taint, ResourceList } from './common.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Where a document came from: a file relative to the source root and its first line. */
export interface SourceRef {
  file: string;
  line: number;
}

/** Identity of a Kubernetes object. `namespace` is '' for cluster-scoped objects. */
export interface ResourceId {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The core Secret: its data, and every value an override writes into it, are
 * shown nowhere but in the rendered object itself (explain, diff, messages
 * mask them).
 */
export function isSecretType(group: string, kind: string): boolean {
  return group === '' && kind === 'Secret';
}

/** Version-independent identity key: `group/Kind/namespace/name`. */
export function resourceKey(id: ResourceId): string {
  return `${groupOf(id.apiVersion)}/${id.kind}/${id.namespace}/${id.name}`;
}

/** `Kind namespace/name` or `Kind name`, for messages. */
export function describeId(id: Pick<ResourceId, 'kind' | 'namespace' | 'name'>): string {
  return `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
}

/** A resource template: anything in the source that is not a policy, inventory or settings. */
export interface Template {
  id: ResourceId;
  key: string;
  object: JsonObject;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  source: SourceRef;
}

/** Capacity data a scheduler can read (Karmada `status.resourceSummary`). */
export interface ResourceSummary {
  allocatable?: ResourceList | undefined;
  allocating?: ResourceList | undefined;
  allocated?: ResourceList | undefined;
}

/** One member cluster, whatever dialect's inventory object declared it. */
export interface Cluster {
  name: string;
  /** Which inventory kind declared it. */
  declaredBy: 'Cluster' | 'KubeFedCluster' | 'FederatedCluster' | 'FederationCluster';
  labels: Record<string, string>;
  provider?: string | undefined;
  region?: string | undefined;
  zones: string[];
  taints: Taint[];
  resourceSummary?: ResourceSummary | undefined;
  /** Kubeconfig context used by the reconciler (annotation manifold.dev/context); defaults to the cluster name. */
  context?: string | undefined;
  /** The inventory object's annotations (a TrafficSplit may read its entry points from one). */
  annotations?: Readonly<Record<string, string>> | undefined;
  source: SourceRef;
  /** The cluster's live readiness, when the render reads a report (`--status`; model/live.ts). */
  live?: ClusterReadiness | undefined;
}

/** A cluster's Ready condition as the reconciler observed it (model/live.ts). */
export interface ClusterReadiness {
  status: 'True' | 'False' | 'Unknown';
  /** ClusterReady / ClusterNotReady / ClusterNotReachable. */
  reason: string;
  /** ISO 8601: when `status` last changed. */
  since: string;
}

/**
 * Annotation on an inventory object naming the kubeconfig context the
 * reconciler uses for that cluster (DESIGN.md §4: "context name = cluster
 * name unless the inventory says otherwise"). Render records it in
 * provenance (`clusters.<name>.context`), where the reconciler reads it.
 */
export const CONTEXT_ANNOTATION = 'manifold.dev/context';

/** The context an inventory object names, if any. */
export function contextAnnotation(metadata: { annotations?: Readonly<Record<string, string>> | null | undefined }): string | undefined {
  const value = metadata.annotations?.[CONTEXT_ANNOTATION];
  return value === undefined || value === '' ? undefined : value;
}
