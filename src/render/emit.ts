/** emit: objects → bytes and paths. Pure. */
import { dump } from 'js-yaml';
import { groupOf, type JsonObject, type ResourceId } from '../model/types.ts';

/** Fields the API server owns; never part of a rendered object (Karmada prune.go does the same). */
const SERVER_METADATA = [
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'generation',
  'managedFields',
  'resourceVersion',
  'selfLink',
  'uid',
  'ownerReferences',
  'finalizers',
] as const;

/**
 * Folder layout inside a cluster directory. Cluster-scoped objects live under
 * `cluster/`, which sorts before `namespaces/`, so `kubectl apply -R` creates
 * Namespaces and CRDs before the objects that need them. Names were validated
 * as path segments at load time, so a path can never leave its folder.
 */
export function objectPath(id: ResourceId): string {
  const group = groupOf(id.apiVersion);
  const kindDir = group === '' ? id.kind : `${id.kind}.${group}`;
  return id.namespace === ''
    ? `cluster/${kindDir}/${id.name}.yaml`
    : `namespaces/${id.namespace}/${kindDir}/${id.name}.yaml`;
}

/** Drops server-owned metadata and status without touching the input. */
export function withoutServerFields(obj: JsonObject): JsonObject {
  const { status: _status, ...rest } = obj;
  const metadata = rest.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return rest;
  const cleaned: JsonObject = { ...metadata };
  for (const key of SERVER_METADATA) delete cleaned[key];
  if (cleaned.annotations && typeof cleaned.annotations === 'object' && !Array.isArray(cleaned.annotations)) {
    const annotations = { ...cleaned.annotations };
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    if (Object.keys(annotations).length === 0) delete cleaned.annotations;
    else cleaned.annotations = annotations;
  }
  return { ...rest, metadata: cleaned };
}

/** apiVersion, kind, metadata first; everything else in source order. */
function canonicalOrder(obj: JsonObject, namespace: string): JsonObject {
  const { apiVersion, kind, ...rest } = obj;
  let metadata = rest.metadata;
  delete rest.metadata;
  // The file sits under namespaces/<ns>/, so the object says so too: kubectl
  // must not fall back to its context's namespace.
  if (namespace !== '' && metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) && metadata.namespace !== namespace) {
    const { name, ...others } = metadata;
    metadata = name === undefined ? { namespace, ...others } : { name, namespace, ...others };
  }
  const out: JsonObject = {};
  if (apiVersion !== undefined) out.apiVersion = apiVersion;
  if (kind !== undefined) out.kind = kind;
  if (metadata !== undefined) out.metadata = metadata;
  return Object.assign(out, rest);
}

/**
 * Serializes one object as YAML. `noRefs` matters twice: variants share
 * sub-objects (copy-on-write patches), and js-yaml's duplicate-reference scan
 * is quadratic without it.
 */
export function toYaml(obj: JsonObject, namespace = ''): string {
  return dump(canonicalOrder(withoutServerFields(obj), namespace), { noRefs: true, lineWidth: -1, sortKeys: false });
}
