/**
 * Desired objects: one cluster's rendered tree (path → YAML) parsed into
 * apply bodies, with the apply stages and in-stage order of Flux
 * (fluxcd/pkg ssa/manager_apply.go ApplyAllStaged, ssa/utils/is.go,
 * ssa/sort.go). Pure.
 */
import { loadAll } from 'js-yaml';
import type { Problem } from '../errors/index.ts';
import { groupOf, type JsonObject } from '../model/types.ts';

/** Annotations Manifold reads on objects. */
export const PRUNE_ANNOTATION = 'manifold.dev/prune';
export const RECREATE_ANNOTATION = 'manifold.dev/recreate';

export interface DesiredObject {
  /** File of the rendered tree it came from. */
  file: string;
  apiVersion: string;
  kind: string;
  group: string;
  /** As written; the reconciler fills in 'default' for namespaced kinds without one. */
  namespace: string | undefined;
  name: string;
  /** The apply body: server-owned metadata and status removed. */
  body: JsonObject;
}

/** Apply stages: definitions (waited on), class kinds, everything else. */
export type Stage = 'definitions' | 'classes' | 'rest';
export const STAGES: readonly Stage[] = ['definitions', 'classes', 'rest'];

/** Metadata the API server owns: never sent (the server rejects managedFields in an apply body). */
const SERVER_METADATA = ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

export function isCrd(o: { kind: string; group: string }): boolean {
  return o.kind === 'CustomResourceDefinition' && o.group === 'apiextensions.k8s.io';
}

/** Flux `IsClusterDefinition`: CRDs, Namespaces (core v1) and ClusterRoles. */
export function stageOf(o: { kind: string; group: string; apiVersion: string }): Stage {
  if (isCrd(o)) return 'definitions';
  if (o.kind === 'Namespace' && o.apiVersion === 'v1') return 'definitions';
  if (o.kind === 'ClusterRole' && o.group === 'rbac.authorization.k8s.io') return 'definitions';
  if (o.kind.endsWith('Class')) return 'classes';
  return 'rest';
}

// ssa/sort.go: kinds that lead and trail; unknown kinds sit between (index 0).
const ORDER_FIRST = [
  'CustomResourceDefinition',
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Service',
  'LimitRange',
  'PriorityClass',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];
const KIND_INDEX = new Map<string, number>([
  ...ORDER_FIRST.map((k, i): [string, number] => [k, i - ORDER_FIRST.length]),
  ...ORDER_LAST.map((k, i): [string, number] => [k, i + 1]),
]);

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Flux's apply order: kind index, group, kind, namespace, name. Deletes use the reverse. */
export function compareApplyOrder(
  a: { kind: string; group: string; namespace?: string | undefined; name: string },
  b: { kind: string; group: string; namespace?: string | undefined; name: string },
): number {
  const ia = KIND_INDEX.get(a.kind) ?? 0;
  const ib = KIND_INDEX.get(b.kind) ?? 0;
  return ia - ib || cmp(a.group, b.group) || cmp(a.kind, b.kind) || cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.name, b.name);
}

/** Version-independent identity: `group/Kind/namespace/name`. */
export function objectKey(o: { group: string; kind: string; namespace?: string | undefined; name: string }): string {
  return `${o.group}/${o.kind}/${o.namespace ?? ''}/${o.name}`;
}

/** `Kind namespace/name`, for messages. */
export function describeObject(o: { kind: string; namespace?: string | undefined; name: string }): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

function isPlainObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A copy without server-owned metadata, status and the client-side-apply annotation. */
export function applyBody(obj: JsonObject): JsonObject {
  const { status: _status, ...rest } = obj;
  if (!isPlainObject(rest.metadata)) return rest;
  const metadata: JsonObject = { ...rest.metadata };
  for (const key of SERVER_METADATA) delete metadata[key];
  if (isPlainObject(metadata.annotations)) {
    const annotations = { ...metadata.annotations };
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
    else metadata.annotations = annotations;
  }
  return { ...rest, metadata };
}

function isManifestFile(file: string): boolean {
  return /\.(ya?ml|json)$/i.test(file) && !file.split('/').some((seg) => seg.startsWith('.'));
}

export interface ParsedTree {
  objects: DesiredObject[];
  problems: Problem[];
}

/**
 * Parses a cluster's tree. Files in hidden folders (metadata) and files that
 * are not YAML/JSON are skipped; empty documents are ignored. Every problem
 * (unparsable YAML, a document without apiVersion/kind/name, the same object
 * twice) is collected, so all of them can be reported at once.
 */
export function parseTree(files: ReadonlyMap<string, string>): ParsedTree {
  // The loop validates every tree before applying any, then each cluster's
  // worker needs the same parse, and a drift check re-reads an unchanged
  // snapshot: parse each tree (a Map the reader built and nobody changes) once.
  // Callers never modify the result (cluster.ts replaces, never edits, a desired object).
  const known = parsedTrees.get(files);
  if (known !== undefined) return known;
  const parsed = parseTreeUncached(files);
  parsedTrees.set(files, parsed);
  return parsed;
}

const parsedTrees = new WeakMap<ReadonlyMap<string, string>, ParsedTree>();

function parseTreeUncached(files: ReadonlyMap<string, string>): ParsedTree {
  const objects: DesiredObject[] = [];
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  for (const [file, text] of [...files].sort((a, b) => cmp(a[0], b[0]))) {
    if (!isManifestFile(file)) continue;
    let docs: unknown[];
    try {
      // js-yaml 5 loads with the YAML 1.2 core schema: no timestamps turning into Dates.
      docs = loadAll(text, { filename: file });
    } catch (err) {
      problems.push({ code: 'MANIFEST_YAML', severity: 'error', file, message: (err as Error).message.split('\n')[0] ?? 'invalid YAML' });
      continue;
    }
    for (const doc of docs) {
      if (doc === null || doc === undefined) continue;
      const obj = parseDocument(file, doc, problems);
      if (obj === undefined) continue;
      const key = objectKey(obj);
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push({
          code: 'MANIFEST_DUPLICATE',
          severity: 'error',
          file,
          object: { kind: obj.kind, namespace: obj.namespace, name: obj.name },
          message: `the same object is also defined in ${first}`,
        });
        continue;
      }
      seen.set(key, file);
      objects.push(obj);
    }
  }
  return { objects, problems };
}

function parseDocument(file: string, doc: unknown, problems: Problem[]): DesiredObject | undefined {
  const fail = (message: string): undefined => {
    problems.push({ code: 'MANIFEST_INVALID', severity: 'error', file, message });
    return undefined;
  };
  if (!isPlainObject(doc)) return fail('a document is not a mapping');
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== 'string' || apiVersion === '') return fail('a document has no apiVersion');
  if (typeof kind !== 'string' || kind === '') return fail('a document has no kind');
  if (kind.endsWith('List') && Array.isArray(doc.items)) return fail(`${kind}: lists are not supported in a rendered tree (one object per document)`);
  if (!isPlainObject(doc.metadata) || typeof doc.metadata.name !== 'string' || doc.metadata.name === '') {
    return fail(`${kind}: metadata.name is missing (generateName is not supported: the object could never be found again)`);
  }
  const namespace = doc.metadata.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace === '')) return fail(`${kind} ${doc.metadata.name}: metadata.namespace must be a non-empty string`);
  return {
    file,
    apiVersion,
    kind,
    group: groupOf(apiVersion),
    namespace,
    name: doc.metadata.name,
    body: applyBody(doc),
  };
}

/** Annotation value on an object's metadata. */
export function annotation(obj: JsonObject | undefined, key: string): string | undefined {
  const meta = obj?.metadata;
  if (!isPlainObject(meta) || !isPlainObject(meta.annotations)) return undefined;
  const v = meta.annotations[key];
  return typeof v === 'string' ? v : undefined;
}

/** Label value on an object's metadata. */
export function label(obj: JsonObject | undefined, key: string): string | undefined {
  const meta = obj?.metadata;
  if (!isPlainObject(meta) || !isPlainObject(meta.labels)) return undefined;
  const v = meta.labels[key];
  return typeof v === 'string' ? v : undefined;
}

/** A copy of `body` with labels merged into its metadata. */
export function withLabels(body: JsonObject, labels: Record<string, string>): JsonObject {
  const metadata = isPlainObject(body.metadata) ? body.metadata : {};
  const existing = isPlainObject(metadata.labels) ? metadata.labels : {};
  return { ...body, metadata: { ...metadata, labels: { ...existing, ...labels } } };
}

export function metadataOf(obj: JsonObject | undefined): JsonObject {
  return isPlainObject(obj?.metadata) ? obj.metadata : {};
}
