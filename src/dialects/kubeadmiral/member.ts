/**
 * The object a member cluster receives.
 *
 * 1. The FederatedObject's template (pkg/controllers/federate/util.go):
 *    scheduling and override-policy labels and KubeAdmiral's control
 *    annotations move to the FederatedObject, everything else stays, template
 *    annotations included; server-owned metadata and status go.
 * 2. ObjectForCluster (pkg/controllers/sync/resource.go): a Job loses the
 *    `controller-uid` label and selector entry unless manualSelector, a Service
 *    loses clusterIP(s) unless it is headless, a Pod loses ephemeralContainers.
 * 3. The overrides, ordered by the FederatedTypeConfig's controllers (the
 *    scheduler's replicas patch before the override controller's patches), as
 *    one lenient JSON patch; `/metadata/namespace`, `/metadata/name`,
 *    `/metadata/generateName` and `/kind` may not be patched.
 * 4. The label `kubeadmiral.io/managed: "true"` (pkg/util/managedlabel).
 */
import type { JsonObject, JsonValue } from '../../model/types.ts';
import { applyPatch } from '../../render/jsonpatch.ts';
import { toPatchOps, type OverridePatch } from './overrides.ts';

export const MANAGED_LABEL = 'kubeadmiral.io/managed';

/** federatedLabelSet: labels that only steer KubeAdmiral and never reach the template. */
const FEDERATED_LABELS = new Set([
  'kubeadmiral.io/propagation-policy-name',
  'kubeadmiral.io/cluster-propagation-policy-name',
  'kubeadmiral.io/override-policy-name',
  'kubeadmiral.io/cluster-override-policy-name',
]);

/** federatedAnnotationSet and ignoredAnnotationSet. */
const NON_TEMPLATE_ANNOTATIONS = new Set([
  'kubeadmiral.io/retain-replicas',
  'kubeadmiral.io/scheduling-mode',
  'kubeadmiral.io/sticky-cluster',
  'kubeadmiral.io/no-auto-propagation',
  'kubeadmiral.io/orphan',
  'kubeadmiral.io/conflict-resolution',
  'kubeadmiral.io/tolerations',
  'kubeadmiral.io/placements',
  'kubeadmiral.io/clusterSelector',
  'kubeadmiral.io/affinity',
  'kubeadmiral.io/maxClusters',
  'kubeadmiral.io/no-scheduling',
  'kubeadmiral.io/follows-object',
  'kubeadmiral.io/followers',
  'kubeadmiral.io/disable-following',
  'internal.kubeadmiral.io/conflict-resolution',
  'internal.kubeadmiral.io/orphan',
  'internal.kubeadmiral.io/enable-follower-scheduling',
]);

/** Paths the sync controller refuses to override. */
export const FORBIDDEN_OVERRIDE_PATHS = new Set(['/metadata/namespace', '/metadata/name', '/metadata/generateName', '/kind']);

function asObject(value: JsonValue | undefined): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

function filtered(map: JsonObject | undefined, drop: ReadonlySet<string>): JsonObject | undefined {
  if (map === undefined) return undefined;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(map)) if (!drop.has(key)) out[key] = value;
  return out;
}

/** templateForSourceObject with the label and annotation classification of newFederatedObjectForSourceObject. */
export function templateForSourceObject(source: JsonObject): JsonObject {
  const { status: _status, ...rest } = source;
  const metadata = { ...(asObject(source.metadata) ?? {}) };
  for (const key of ['selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'ownerReferences', 'finalizers', 'managedFields']) {
    delete metadata[key];
  }
  const labels = filtered(asObject(metadata.labels), FEDERATED_LABELS);
  const annotations = filtered(asObject(metadata.annotations), NON_TEMPLATE_ANNOTATIONS);
  // SetLabels/SetAnnotations with an empty map removes the field.
  if (labels && Object.keys(labels).length > 0) metadata.labels = labels;
  else delete metadata.labels;
  if (annotations && Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...rest, metadata };
}

function withoutPath(obj: JsonObject, path: readonly string[]): JsonObject {
  const [head, ...tail] = path as [string, ...string[]];
  if (!Object.hasOwn(obj, head)) return obj;
  if (tail.length === 0) {
    const { [head]: _removed, ...rest } = obj;
    return rest;
  }
  const child = asObject(obj[head]);
  return child === undefined ? obj : { ...obj, [head]: withoutPath(child, tail) };
}

/** ObjectForCluster: the per-kind field drops of the sync controller. */
export function objectForCluster(template: JsonObject): JsonObject {
  const group = typeof template.apiVersion === 'string' && template.apiVersion.includes('/') ? template.apiVersion.split('/')[0] : '';
  const gk = `${group}/${String(template.kind)}`;
  const spec = asObject(template.spec);
  if (gk === 'batch/Job') {
    if (spec?.manualSelector === true) return template;
    const noLabel = withoutPath(template, ['spec', 'template', 'metadata', 'labels', 'controller-uid']);
    return withoutPath(noLabel, ['spec', 'selector', 'matchLabels', 'controller-uid']);
  }
  if (gk === '/Service') {
    if (typeof spec?.clusterIP !== 'string' || spec.clusterIP === 'None') return template;
    return withoutPath(withoutPath(template, ['spec', 'clusterIP']), ['spec', 'clusterIPs']);
  }
  if (gk === '/Pod') return withoutPath(template, ['spec', 'ephemeralContainers']);
  return template;
}

/** The replicas override the scheduler writes for Divide (an empty op, i.e. replace, on the replicasSpec path, dot-separated). */
export function replicasPatch(replicas: number, replicasSpec = 'spec.replicas'): OverridePatch {
  return { op: 'replace', path: `/${replicasSpec.split('.').join('/')}`, value: replicas };
}

/** A patch on a path the sync controller forbids, if any. */
export function forbiddenPatch(patches: readonly OverridePatch[]): OverridePatch | undefined {
  return patches.find((p) => FORBIDDEN_OVERRIDE_PATHS.has(p.path));
}

/** ApplyOverrides: one lenient JSON patch, then the managed label. Throws PatchError. */
export function applyOverrides(obj: JsonObject, patches: readonly OverridePatch[]): JsonObject {
  const patched = patches.length === 0 ? obj : (applyPatch(obj, toPatchOps(patches), 'lenient') as JsonObject);
  const metadata = asObject(patched.metadata) ?? {};
  const labels = { ...(asObject(metadata.labels) ?? {}), [MANAGED_LABEL]: 'true' };
  return { ...patched, metadata: { ...metadata, labels } };
}
