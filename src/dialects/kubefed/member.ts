/**
 * Building the member object from a federated object (reference §2.4), as
 * kubernetes-retired/kubefed pkg/controller/sync/resource.go ObjectForCluster
 * and ApplyOverrides do on creation:
 *
 * 1. start from spec.template (an empty object when absent);
 * 2. drop metadata.annotations and metadata.finalizers (events
 *    AnnotationsNotSupported, FinalizersNotSupported);
 * 3. name from the federated object, namespace too (none for Namespace and
 *    cluster-scoped targets), kind from the target type, apiVersion only if
 *    the template has none;
 * 4. (per cluster) the overrides;
 * 5. label `kubefed.io/managed: "true"`, added after the overrides so that
 *    no override can remove it (pkg/controller/util/managedlabel.go).
 */
import type { JsonObject, JsonValue } from '../../model/types.ts';
import { apiVersionOf, type TargetType } from './targets.ts';

export const MANAGED_LABEL = 'kubefed.io/managed';

export interface MemberBase {
  object: JsonObject;
  /** What the template set that KubeFed drops. */
  droppedAnnotations: string[];
  droppedFinalizers: string[];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** ObjectForCluster without overrides; `namespace` is '' for Namespace and cluster-scoped targets. */
export function memberBase(template: unknown, name: string, namespace: string, target: TargetType): MemberBase {
  const body: JsonObject = isObject(template) ? template : {};
  const { metadata: rawMeta, apiVersion, kind: _kind, ...rest } = body;
  const templateMeta: JsonObject = isObject(rawMeta) ? rawMeta : {};
  const { annotations, finalizers, name: _name, namespace: _namespace, ...keptMeta } = templateMeta;
  const metadata: JsonObject = { name };
  if (namespace !== '') metadata.namespace = namespace;
  Object.assign(metadata, keptMeta);
  const object: JsonObject = {
    apiVersion: typeof apiVersion === 'string' && apiVersion !== '' ? apiVersion : apiVersionOf(target.group, target.version),
    kind: target.kind,
    metadata,
    ...rest,
  };
  return {
    object,
    droppedAnnotations: isObject(annotations) ? Object.keys(annotations) : [],
    droppedFinalizers: Array.isArray(finalizers) ? finalizers.filter((f): f is string => typeof f === 'string') : [],
  };
}

/** AddManagedLabel: sets `kubefed.io/managed: "true"`, keeping every other label. */
export function withManagedLabel(obj: JsonObject): JsonObject {
  const metadata: JsonObject = isObject(obj.metadata) ? { ...obj.metadata } : {};
  const labels: Record<string, JsonValue> = isObject(metadata.labels) ? { ...metadata.labels } : {};
  labels[MANAGED_LABEL] = 'true';
  metadata.labels = labels;
  return { ...obj, metadata };
}
