/**
 * Objects a workload refers to and that must travel with it: Karmada's
 * `propagateDeps` dependencies (reference §1.9) and KubeAdmiral's followers
 * (§4.6). Both read the pod spec with the walkers Kubernetes keeps in
 * pkg/api/v1/pod/util.go, lifted by Karmada into pkg/util/lifted/visitpod.go
 * and by KubeAdmiral into pkg/lifted/kubernetes/pkg/api/v1/pod.
 *
 * Upstream converts the unstructured object to typed Go structs first and
 * fails on a field of the wrong type; here such a field is simply skipped,
 * because validation of the template itself happens elsewhere.
 */
import { ManifoldError } from '../errors/index.ts';
import { groupOf, type JsonObject, type JsonValue } from '../model/types.ts';

export type DependencyKind = 'ConfigMap' | 'Secret' | 'ServiceAccount' | 'PersistentVolumeClaim';

export interface DependencyRef {
  apiVersion: string;
  kind: DependencyKind;
  namespace: string;
  name: string;
}

/** KubeAdmiral follower types (pkg/controllers/follower/controller.go supportedFollowerTypes). */
export type FollowerKind = DependencyKind | 'Service' | 'Ingress';

export interface FollowerRef {
  apiVersion: string;
  kind: FollowerKind;
  namespace: string;
  name: string;
}

export const FOLLOWERS_ANNOTATION = 'kubeadmiral.io/followers';

/** Where each workload kind keeps its pod spec, by API group and kind. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  '/Pod': ['spec'],
  'apps/Deployment': ['spec', 'template', 'spec'],
  'apps/ReplicaSet': ['spec', 'template', 'spec'],
  'apps/DaemonSet': ['spec', 'template', 'spec'],
  'apps/StatefulSet': ['spec', 'template', 'spec'],
  'batch/Job': ['spec', 'template', 'spec'],
  'batch/CronJob': ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/**
 * The pod spec of a Pod, Deployment, ReplicaSet, DaemonSet, StatefulSet, Job
 * or CronJob (any version of its API group), or undefined for other kinds or
 * when the object has none.
 */
export function podSpecOf(obj: JsonObject): JsonObject | undefined {
  const path = POD_SPEC_PATHS[groupKindOf(obj)];
  if (path === undefined) return undefined;
  let node: JsonValue | undefined = obj;
  for (const segment of path) node = objectField(node, segment);
  return asObject(node);
}

// ---------------------------------------------------------------------------
// Karmada

/**
 * The kinds with a built-in dependencies interpreter, keyed by exact
 * apiVersion + kind (pkg/resourceinterpreter/default/native/dependencies.go
 * getAllDefaultDependenciesInterpreter). ServiceImport is also built in but
 * yields a Service and an EndpointSlice label selector, outside this shape.
 */
const KARMADA_POD_WORKLOADS = new Set([
  'apps/v1/Deployment',
  'apps/v1/ReplicaSet',
  'apps/v1/DaemonSet',
  'apps/v1/StatefulSet',
  'batch/v1/Job',
  'batch/v1/CronJob',
  'v1/Pod',
]);

/** Order in which GetDependenciesFromPodTemplate groups its result. */
const KIND_RANK: Record<FollowerKind, number> = {
  ConfigMap: 0,
  Secret: 1,
  ServiceAccount: 2,
  PersistentVolumeClaim: 3,
  Service: 4,
  Ingress: 5,
};

/**
 * What Karmada propagates along with `obj` when its policy has
 * `propagateDeps: true`: ConfigMaps, Secrets, the ServiceAccount and PVCs of a
 * workload's pod spec, or the TLS Secrets of an Ingress. All live in the
 * workload's namespace. Sorted by kind (ConfigMap, Secret, ServiceAccount,
 * PersistentVolumeClaim, as upstream groups them) then name; deduplicated.
 */
export function karmadaDependencies(obj: JsonObject): DependencyRef[] {
  const namespace = namespaceOf(obj);
  const gvk = `${stringField(obj, 'apiVersion')}/${stringField(obj, 'kind')}`;
  if (gvk === 'networking.k8s.io/v1/Ingress') return ingressSecrets(obj, namespace);
  if (!KARMADA_POD_WORKLOADS.has(gvk)) return [];
  const spec = podSpecOf(obj);
  if (spec === undefined) return [];

  const names: Record<DependencyKind, Set<string>> = {
    ConfigMap: configMapNames(spec),
    Secret: secretNames(spec),
    ServiceAccount: new Set(),
    PersistentVolumeClaim: claimNames(spec),
  };
  // pkg/util/helper/pod.go getServiceAccountNames: the default account exists everywhere.
  const account = stringField(spec, 'serviceAccountName');
  if (account !== '' && account !== 'default') names.ServiceAccount.add(account);
  // PR karmada#5568: a claim named after a volumeClaimTemplate is created per pod
  // by the StatefulSet controller (`<template>-<pod>`), so it is no dependency.
  if (gvk === 'apps/v1/StatefulSet') {
    for (const template of volumeClaimTemplateNames(obj)) names.PersistentVolumeClaim.delete(template);
  }
  return sortRefs(
    (Object.keys(names) as DependencyKind[]).flatMap((kind) =>
      [...names[kind]].map((name) => ({ apiVersion: 'v1', kind, namespace, name })),
    ),
  );
}

/**
 * getIngressDependencies: one Secret per `spec.tls[]` entry. Upstream also
 * emits an entry with an empty name for a TLS block without `secretName`; no
 * object can have that name, so it is left out here.
 */
function ingressSecrets(obj: JsonObject, namespace: string): DependencyRef[] {
  const refs: DependencyRef[] = [];
  for (const tls of arrayField(objectField(obj, 'spec'), 'tls')) {
    const name = stringField(tls, 'secretName');
    if (name !== '') refs.push({ apiVersion: 'v1', kind: 'Secret', namespace, name });
  }
  return sortRefs(refs);
}

function volumeClaimTemplateNames(statefulSet: JsonObject): string[] {
  return arrayField(objectField(statefulSet, 'spec'), 'volumeClaimTemplates').map((template) =>
    stringField(objectField(template, 'metadata'), 'name'),
  );
}

// ---------------------------------------------------------------------------
// KubeAdmiral

/** Leader kinds (pkg/controllers/follower/controller.go leaderPodSpecPaths); ReplicaSet is not one. */
const KUBEADMIRAL_LEADERS = new Set([
  'apps/Deployment',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'batch/Job',
  'batch/CronJob',
  '/Pod',
]);

/** Follower types and the version Manifold renders them with (the annotation names only the group). */
const FOLLOWER_API_VERSIONS: Record<string, { kind: FollowerKind; apiVersion: string }> = {
  '/ConfigMap': { kind: 'ConfigMap', apiVersion: 'v1' },
  '/Secret': { kind: 'Secret', apiVersion: 'v1' },
  '/PersistentVolumeClaim': { kind: 'PersistentVolumeClaim', apiVersion: 'v1' },
  '/ServiceAccount': { kind: 'ServiceAccount', apiVersion: 'v1' },
  '/Service': { kind: 'Service', apiVersion: 'v1' },
  'networking.k8s.io/Ingress': { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1' },
};

/**
 * The followers KubeAdmiral infers for a leader workload
 * (pkg/controllers/follower/util.go): the Secrets and ConfigMaps its pod spec
 * refers to, its PVC claims, its `serviceAccountName` (including `default`,
 * unlike Karmada), plus the entries of the `kubeadmiral.io/followers`
 * annotation, whose namespace is always the leader's. Services and Ingresses
 * only follow through the annotation. Annotation entries naming a kind that
 * is no follower type are dropped, as upstream never acts on them. Whether
 * inference is enabled at all (`disableFollowerScheduling`,
 * `kubeadmiral.io/no-scheduling`) is the caller's decision.
 *
 * Throws a ManifoldError `FOLLOWERS_ANNOTATION_INVALID` when the annotation is
 * not what Go's encoding/json would accept as `[{group, kind, name}]`.
 */
export function kubeAdmiralFollowers(obj: JsonObject): FollowerRef[] {
  if (!KUBEADMIRAL_LEADERS.has(groupKindOf(obj))) return [];
  const namespace = namespaceOf(obj);
  const refs: FollowerRef[] = followersFromAnnotation(obj, namespace);
  const spec = podSpecOf(obj);
  if (spec !== undefined) {
    const add = (kind: DependencyKind, names: Iterable<string>): void => {
      for (const name of names) refs.push({ apiVersion: 'v1', kind, namespace, name });
    };
    add('Secret', secretNames(spec));
    add('ConfigMap', configMapNames(spec));
    // Upstream inserts even an empty claim name; no object can carry it.
    add('PersistentVolumeClaim', claimNames(spec));
    const account = stringField(spec, 'serviceAccountName');
    if (account !== '') add('ServiceAccount', [account]);
  }
  return sortRefs(refs);
}

function followersFromAnnotation(obj: JsonObject, namespace: string): FollowerRef[] {
  const annotations = asObject(objectField(objectField(obj, 'metadata'), 'annotations'));
  const raw = annotations?.[FOLLOWERS_ANNOTATION];
  if (raw === undefined || raw === null || raw === '') return [];
  const entries = parseFollowersAnnotation(raw, obj);
  const refs: FollowerRef[] = [];
  for (const entry of entries) {
    const type = FOLLOWER_API_VERSIONS[`${entry.group}/${entry.kind}`];
    if (type === undefined || entry.name === '') continue;
    refs.push({ apiVersion: type.apiVersion, kind: type.kind, namespace, name: entry.name });
  }
  return refs;
}

interface AnnotationEntry {
  group: string;
  kind: string;
  name: string;
}

/**
 * json.Unmarshal into []followerAnnotationElement: `null` is an empty list,
 * a `null` element is an all-empty entry, field names match case-insensitively
 * (the last matching key wins), unknown fields are ignored, and a value of the
 * wrong type is an error.
 */
function parseFollowersAnnotation(raw: JsonValue, leader: JsonObject): AnnotationEntry[] {
  const fail = (why: string): never => {
    throw new ManifoldError(
      'FOLLOWERS_ANNOTATION_INVALID',
      `annotation ${FOLLOWERS_ANNOTATION} on ${stringField(leader, 'kind')} ${describeName(leader)}: ${why}`,
      { annotation: FOLLOWERS_ANNOTATION, value: raw },
    );
  };
  if (typeof raw !== 'string') return fail('the value must be a string');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return fail(`invalid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed)) return fail('expected a JSON array of {group, kind, name}');
  return parsed.map((element: unknown, index) => {
    const entry: AnnotationEntry = { group: '', kind: '', name: '' };
    if (element === null) return entry;
    if (typeof element !== 'object' || Array.isArray(element)) return fail(`element ${index} is not an object`);
    for (const [key, value] of Object.entries(element)) {
      const field = key.toLowerCase();
      if (field !== 'group' && field !== 'kind' && field !== 'name') continue;
      if (value === null) continue;
      if (typeof value !== 'string') return fail(`element ${index}: ${key} must be a string`);
      entry[field] = value;
    }
    return entry;
  });
}

// ---------------------------------------------------------------------------
// Pod spec walkers (k8s pkg/api/v1/pod/util.go, release-1.26)

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/**
 * Secret volume sources in the order of upstream's `switch`: a volume source
 * is a one-of, and only the first set member is visited.
 */
const SECRET_VOLUME_SOURCES: readonly { field: string; name: (source: JsonObject) => string }[] = [
  { field: 'azureFile', name: (s) => stringField(s, 'secretName') },
  { field: 'cephfs', name: (s) => refName(s, 'secretRef') },
  { field: 'cinder', name: (s) => refName(s, 'secretRef') },
  { field: 'flexVolume', name: (s) => refName(s, 'secretRef') },
  { field: 'projected', name: () => '' },
  { field: 'rbd', name: (s) => refName(s, 'secretRef') },
  { field: 'secret', name: (s) => stringField(s, 'secretName') },
  { field: 'scaleIO', name: (s) => refName(s, 'secretRef') },
  { field: 'iscsi', name: (s) => refName(s, 'secretRef') },
  { field: 'storageos', name: (s) => refName(s, 'secretRef') },
  { field: 'csi', name: (s) => refName(s, 'nodePublishSecretRef') },
];

/** VisitPodSecretNames: image pull secrets, container env, volumes. Empty names are skipped. */
function secretNames(spec: JsonObject): Set<string> {
  const names = new Set<string>();
  for (const reference of arrayField(spec, 'imagePullSecrets')) names.add(stringField(reference, 'name'));
  for (const container of containersOf(spec)) {
    for (const source of arrayField(container, 'envFrom')) names.add(refName(source, 'secretRef'));
    for (const env of arrayField(container, 'env')) names.add(refName(objectField(env, 'valueFrom'), 'secretKeyRef'));
  }
  for (const volume of arrayField(spec, 'volumes')) {
    const kind = SECRET_VOLUME_SOURCES.find((candidate) => asObject(volume[candidate.field]) !== undefined);
    if (kind === undefined) continue;
    const source = asObject(volume[kind.field]) ?? {};
    if (kind.field === 'projected') {
      for (const projection of arrayField(source, 'sources')) names.add(refName(projection, 'secret'));
    } else {
      names.add(kind.name(source));
    }
  }
  names.delete('');
  return names;
}

/** VisitPodConfigmapNames: container env, then `projected` before `configMap` volumes. */
function configMapNames(spec: JsonObject): Set<string> {
  const names = new Set<string>();
  for (const container of containersOf(spec)) {
    for (const source of arrayField(container, 'envFrom')) names.add(refName(source, 'configMapRef'));
    for (const env of arrayField(container, 'env')) {
      names.add(refName(objectField(env, 'valueFrom'), 'configMapKeyRef'));
    }
  }
  for (const volume of arrayField(spec, 'volumes')) {
    const projected = asObject(volume['projected']);
    if (projected !== undefined) {
      for (const projection of arrayField(projected, 'sources')) names.add(refName(projection, 'configMap'));
    } else {
      names.add(refName(volume, 'configMap'));
    }
  }
  names.delete('');
  return names;
}

/** `volumes[].persistentVolumeClaim.claimName`; ephemeral volume templates are not claims yet. */
function claimNames(spec: JsonObject): Set<string> {
  const names = new Set<string>();
  for (const volume of arrayField(spec, 'volumes')) names.add(stringField(objectField(volume, 'persistentVolumeClaim'), 'claimName'));
  names.delete('');
  return names;
}

function containersOf(spec: JsonObject): JsonObject[] {
  return CONTAINER_LISTS.flatMap((list) => arrayField(spec, list));
}

// ---------------------------------------------------------------------------
// JSON helpers

function asObject(value: JsonValue | undefined): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

function objectField(parent: JsonValue | undefined, field: string): JsonObject | undefined {
  return asObject(asObject(parent)?.[field]);
}

function stringField(parent: JsonValue | undefined, field: string): string {
  const value = asObject(parent)?.[field];
  return typeof value === 'string' ? value : '';
}

/** The objects of a list field; non-object elements are skipped. */
function arrayField(parent: JsonValue | undefined, field: string): JsonObject[] {
  const value = asObject(parent)?.[field];
  if (!Array.isArray(value)) return [];
  return value.flatMap<JsonObject>((element) => asObject(element) ?? []);
}

/** `parent[field].name`, the shape of every LocalObjectReference. */
function refName(parent: JsonValue | undefined, field: string): string {
  return stringField(objectField(parent, field), 'name');
}

function groupKindOf(obj: JsonObject): string {
  return `${groupOf(stringField(obj, 'apiVersion'))}/${stringField(obj, 'kind')}`;
}

function namespaceOf(obj: JsonObject): string {
  return stringField(objectField(obj, 'metadata'), 'namespace');
}

function describeName(obj: JsonObject): string {
  const namespace = namespaceOf(obj);
  const name = stringField(objectField(obj, 'metadata'), 'name');
  return namespace === '' ? name : `${namespace}/${name}`;
}

function sortRefs<T extends { kind: FollowerKind; name: string }>(refs: readonly T[]): T[] {
  const unique = new Map<string, T>();
  for (const ref of refs) unique.set(`${ref.kind}/${ref.name}`, ref);
  return [...unique.values()].sort(
    (a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
