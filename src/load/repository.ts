/**
 * parse+validate: classifies every document of a source (inventory, dialect
 * policy, settings or resource template), validates it with the dialect's zod
 * schema and collects every problem of the run before failing.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { ProblemSink } from '../errors/index.ts';
import type { Problem } from '../errors/index.ts';
import { apiVersionProblem, dnsLabelProblem, dnsSubdomainProblem, kindProblem, objectNameProblem } from '../model/names.ts';
import { checkPathsUnique } from '../model/paths.ts';
import { DEFAULT_NAMESPACE, scopeOf, type Scope } from '../model/scope.ts';
import { workloadValueProblems } from '../model/workload.ts';
import { ProjectSettings, SETTINGS_API, type ProjectSettingsSpec } from '../model/settings.ts';
import { groupOf, resourceKey, type Cluster, type JsonObject, type SourceRef, type Template } from '../model/types.ts';
import { parseSourceFiles, type SourceDocument } from './documents.ts';
import { SETTINGS_FILE, byteOrder, type SourceFile } from './source.ts';
import { formatFieldPath, isRecord, objectOf, zodProblems } from './validate.ts';

/** A validated dialect object together with where it came from. */
export interface Parsed<T> {
  value: T;
  source: SourceRef;
  /** Line of a field path inside the object, for later errors (e.g. overrides). */
  lineOf(path: readonly PropertyKey[]): number;
}

/** A kind that a dialect accepts verbatim. */
export interface DocumentKind {
  apiVersion: string;
  /** Exact kind, or a test (KubeFed's `Federated<Kind>` family). */
  kind: string | ((kind: string) => boolean);
  /** Name used for the JSON Schema file and messages. */
  title: string;
  schema: z.ZodType;
  /** Inventory kinds turn into clusters. */
  toCluster?: (value: never, source: SourceRef) => Cluster;
  /** false: no JSON Schema file for editors (a kind that exists only to answer with an error). */
  schemaFile?: false | undefined;
  /** Accepted with this warning (a spelling no release had, read as the real one). */
  warning?: string;
}

/** API groups owned by a dialect or by Manifold: a document there is never a plain template. */
export interface DialectRegistry {
  kinds: readonly DocumentKind[];
  reservedGroups: ReadonlySet<string>;
}

export interface Repository {
  settings: ProjectSettingsSpec;
  clusters: Cluster[];
  templates: Template[];
  /** Validated dialect objects keyed by `apiVersion kind`, each list in source order. */
  objects: Map<string, Parsed<unknown>[]>;
  /** Every input file with its SHA-256, for provenance. */
  inputs: { file: string; sha256: string }[];
  /**
   * SHA-256 over the files that hold anything but plain resource templates
   * (policies, inventory, settings, CRDs): when it is unchanged, only
   * templates changed, and an incremental render can re-place just those.
   */
  globals: string;
  warnings: Problem[];
}

export function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion} ${kind}`;
}

/** Reads settings from manifold.yaml text (before listing files: it can exclude some). */
export function parseSettings(file: SourceFile | undefined): ProjectSettingsSpec {
  if (file === undefined) return {};
  const { documents, problems } = parseSourceFiles([file]);
  const sink = new ProblemSink();
  problems.forEach((p) => sink.problems.push(p));
  const doc = documents[0];
  if (doc !== undefined) {
    const result = ProjectSettings.safeParse(doc.value);
    if (!result.success) zodProblems(doc, result.error).forEach((p) => sink.problems.push(p));
    sink.throwIfErrors();
    return result.data?.spec ?? {};
  }
  sink.throwIfErrors();
  return {};
}

export function loadRepository(files: readonly SourceFile[], registry: DialectRegistry): Repository {
  const sink = new ProblemSink();
  const settingsFile = files.find((f) => f.path === SETTINGS_FILE);
  let settings: ProjectSettingsSpec = {};
  try {
    settings = parseSettings(settingsFile);
  } catch (err) {
    if (err instanceof Error && 'problems' in err) sink.problems.push(...(err.problems as Problem[]));
    else throw err;
  }
  const sources = files.filter((f) => f.path !== SETTINGS_FILE);
  const { documents, problems } = parseSourceFiles(sources);
  sink.problems.push(...problems);

  const objects = new Map<string, Parsed<unknown>[]>();
  const seen = new Map<string, Parsed<unknown>>();
  const clusters: Cluster[] = [];
  const templateDocs: SourceDocument[] = [];
  const globalFiles = new Set<string>(settingsFile === undefined ? [] : [SETTINGS_FILE]);
  for (const doc of documents) {
    const before = templateDocs.length;
    classify(doc, registry, sink, { objects, seen }, clusters, templateDocs);
    const isTemplate = templateDocs.length > before;
    // A CRD decides other templates' scope, so it counts as global too.
    if ((!isTemplate && doc.value !== null && doc.value !== undefined) || (isTemplate && isCrd(doc))) globalFiles.add(doc.file);
  }
  const crdScopes = collectCrdScopes(templateDocs);
  const templates = templateDocs.flatMap((doc) => toTemplate(doc, crdScopes, sink) ?? []);
  checkDuplicateTemplates(templates, sink);
  checkPathsUnique(templates, sink);
  checkDuplicateClusters(clusters, sink);
  sink.throwIfErrors();
  warnForeignFederationKinds(templates, crdScopes, registry, sink);
  if (clusters.length === 0 && templates.length > 0) warnNoInventory(templates, registry, sink);
  const inputs = inputsOf(files);
  return {
    settings,
    clusters: clusters.sort((a, b) => byteOrder(a.name, b.name)),
    templates: templates.sort((a, b) => byteOrder(a.key, b.key)),
    objects,
    inputs,
    globals: globalsDigest(inputs, globalFiles),
    warnings: sink.warnings,
  };
}

/** Dialect objects by kind, and the first of each kind, namespace and name (duplicates are found by lookup, not by scanning the kind's list). */
interface DialectObjects {
  objects: Map<string, Parsed<unknown>[]>;
  seen: Map<string, Parsed<unknown>>;
}

function classify(
  doc: SourceDocument,
  registry: DialectRegistry,
  sink: ProblemSink,
  { objects, seen }: DialectObjects,
  clusters: Cluster[],
  templates: SourceDocument[],
): void {
  const value = doc.value;
  // An empty document (a trailing `---`, or one holding only comments) is skipped, as kubectl does.
  if (value === null || value === undefined) return;
  if (!isRecord(value)) {
    sink.error({ code: 'NOT_AN_OBJECT', file: doc.file, line: doc.line, message: 'document is not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)' });
    return;
  }
  const { apiVersion, kind } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
    const field = typeof apiVersion !== 'string' || apiVersion === '' ? 'apiVersion' : 'kind';
    sink.error({ code: 'SCHEMA_INVALID', file: doc.file, line: doc.lineOf([field]), object: objectOf(value), field, message: 'required field is missing' });
    return;
  }
  // Kind and group become folder names of the output, so they must be what the API server would serve.
  for (const [field, problem] of [['apiVersion', apiVersionProblem(apiVersion)], ['kind', kindProblem(kind)]] as const) {
    if (problem === undefined) continue;
    // No object in the message: the kind itself is what is wrong (it may hold control characters).
    sink.error({ code: 'SCHEMA_INVALID', file: doc.file, line: doc.lineOf([field]), field, message: problem });
    return;
  }
  const known = registry.kinds.find((k) => k.apiVersion === apiVersion && (typeof k.kind === 'string' ? k.kind === kind : k.kind(kind)));
  if (known === undefined) {
    if (apiVersion === SETTINGS_API || registry.reservedGroups.has(groupOf(apiVersion))) {
      // A family (KubeFed's Federated<Kind>) that takes this kind is shown with it: the form that would have worked.
      const expected = registry.kinds
        .filter((k) => groupOf(k.apiVersion) === groupOf(apiVersion) && k.schemaFile !== false)
        .map((k) => `${k.apiVersion} ${typeof k.kind === 'string' ? k.kind : k.kind(kind) ? kind : k.title}`);
      sink.error({
        code: 'UNKNOWN_KIND',
        file: doc.file,
        line: doc.lineOf(['kind']),
        object: objectOf(value),
        field: 'kind',
        message: `unknown kind ${apiVersion} ${kind}${expected.length ? ` (expected one of: ${expected.join(', ')})` : ''}`,
      });
      return;
    }
    templates.push(doc);
    return;
  }
  const result = known.schema.safeParse(value);
  if (!result.success) {
    sink.problems.push(...zodProblems(doc, result.error));
    return;
  }
  const source = { file: doc.file, line: doc.line };
  const name = (value.metadata as { name: string }).name;
  if (known.warning !== undefined) sink.warn({ code: 'KIND_MISSPELLED', file: doc.file, line: doc.lineOf(['apiVersion']), object: objectOf(value), field: 'apiVersion', message: known.warning });
  if (known.toCluster) {
    const problem = dnsSubdomainProblem(name);
    if (problem) {
      sink.error({ code: 'NAME_INVALID', file: doc.file, line: doc.lineOf(['metadata', 'name']), object: objectOf(value), field: 'metadata.name', message: problem });
      return;
    }
    clusters.push(known.toCluster(result.data as never, source));
    return;
  }
  const key = kindKey(apiVersion, kind);
  const list = objects.get(key) ?? [];
  const meta = value.metadata as { namespace?: string };
  const identity = (namespace: string | undefined, objectName: string) => `${key}\0${namespace ?? ''}\0${objectName}`;
  const twin = seen.get(identity(meta.namespace, name));
  if (twin) {
    sink.error({
      code: 'DUPLICATE_OBJECT',
      file: doc.file,
      line: doc.line,
      object: objectOf(value),
      message: `defined twice: also in ${twin.source.file}:${twin.source.line}`,
    });
    return;
  }
  const parsed = { value: result.data, source, lineOf: doc.lineOf };
  list.push(parsed);
  // Keyed by the validated metadata, as the list scan this replaces compared it.
  const stored = (result.data as { metadata: { name: string; namespace?: string } }).metadata;
  seen.set(identity(stored.namespace, stored.name), parsed);
  objects.set(key, list);
}

/** Every input file with its SHA-256, as provenance records them. */
export function inputsOf(files: readonly SourceFile[]): { file: string; sha256: string }[] {
  return files.map((f) => ({ file: f.path, sha256: createHash('sha256').update(f.text).digest('hex') }));
}

function isCrd(doc: SourceDocument): boolean {
  return isRecord(doc.value) && doc.value.kind === 'CustomResourceDefinition';
}

/** Digest of the global files' names and contents, in input order. */
export function globalsDigest(inputs: readonly { file: string; sha256: string }[], globalFiles: ReadonlySet<string>): string {
  const hash = createHash('sha256');
  for (const i of inputs) if (globalFiles.has(i.file)) hash.update(`${i.file}\0${i.sha256}\n`);
  return hash.digest('hex');
}

function collectCrdScopes(docs: readonly SourceDocument[]): Map<string, Scope> {
  const scopes = new Map<string, Scope>();
  for (const doc of docs) {
    const v = doc.value as Record<string, unknown>;
    if (v.kind !== 'CustomResourceDefinition' || !isRecord(v.spec)) continue;
    const spec = v.spec;
    const names = isRecord(spec.names) ? spec.names : {};
    if (typeof spec.group === 'string' && typeof names.kind === 'string' && (spec.scope === 'Cluster' || spec.scope === 'Namespaced')) {
      scopes.set(`${spec.group}/${names.kind}`, spec.scope);
    }
  }
  return scopes;
}

function toTemplate(doc: SourceDocument, crdScopes: ReadonlyMap<string, Scope>, sink: ProblemSink): Template | undefined {
  const value = doc.value as JsonObject;
  const object = objectOf(value);
  const at = (field: (string | number)[], message: string, code = 'SCHEMA_INVALID'): undefined => {
    sink.error({ code, file: doc.file, line: doc.lineOf(field), object, field: formatFieldPath(field), message });
    return undefined;
  };
  const metadata = value.metadata;
  if (!isRecord(metadata)) return at(['metadata'], metadata === undefined ? 'required field is missing' : 'expected an object');
  const name = metadata.name;
  if (typeof name !== 'string' || name === '') return at(['metadata', 'name'], 'required field is missing');
  const nameProblem = objectNameProblem(name);
  if (nameProblem) return at(['metadata', 'name'], nameProblem, 'NAME_INVALID');
  for (const field of ['labels', 'annotations'] as const) {
    const map = metadata[field];
    if (map === undefined || map === null) continue;
    if (!isRecord(map)) return at(['metadata', field], 'expected a map of strings');
    for (const [k, v] of Object.entries(map)) {
      if (typeof v !== 'string') return at(['metadata', field, k], `expected string, got ${v === null ? 'null' : typeof v}`);
    }
  }
  const apiVersion = value.apiVersion as string;
  const kind = value.kind as string;
  const group = groupOf(apiVersion);
  const scope = scopeOf(group, kind, crdScopes);
  let namespace = typeof metadata.namespace === 'string' ? metadata.namespace : '';
  if (metadata.namespace !== undefined && typeof metadata.namespace !== 'string') return at(['metadata', 'namespace'], 'expected string');
  if (scope === 'Cluster' && namespace !== '') {
    sink.warn({ code: 'NAMESPACE_IGNORED', file: doc.file, line: doc.lineOf(['metadata', 'namespace']), object, field: 'metadata.namespace', message: `${kind} is cluster-scoped; the namespace is ignored` });
    namespace = '';
  }
  const defaulted = scope === 'Namespaced' && namespace === '';
  if (defaulted) namespace = DEFAULT_NAMESPACE;
  if (namespace !== '') {
    const nsProblem = dnsLabelProblem(namespace);
    if (nsProblem) return at(['metadata', 'namespace'], nsProblem, 'NAME_INVALID');
  }
  if (kind === 'Namespace') {
    const nsProblem = dnsLabelProblem(name);
    if (nsProblem) return at(['metadata', 'name'], nsProblem, 'NAME_INVALID');
  }
  const [valueProblem] = workloadValueProblems(group, kind, value);
  if (valueProblem !== undefined) return at(valueProblem.path, valueProblem.message);
  const id = { apiVersion, kind, namespace, name };
  return {
    id,
    key: resourceKey(id),
    object: defaulted ? inDefaultNamespace(value) : value,
    labels: (metadata.labels ?? {}) as Record<string, string>,
    annotations: (metadata.annotations ?? {}) as Record<string, string>,
    source: { file: doc.file, line: doc.line },
  };
}

/** Kinds and groups of federation and multi-cluster systems: an unknown group with one of them was meant for a dialect (`Cluster` and `Placement` alone are too common to tell). */
const FEDERATION_KIND = /^(Federated\w+|KubeFedCluster|PropagationPolicy|ClusterPropagationPolicy|OverridePolicy|ClusterOverridePolicy|ReplicaSchedulingPreference|FederatedTypeConfig|ResourceBinding|ClusterResourceBinding|Work|AppliedWork|ManifestWork|PlacementDecision|ClusterResourcePlacement)$/;
const FEDERATION_GROUP = /^work$|(^|\.)(federation|karmada|kubefed|kubeadmiral|multicluster|open-cluster-management)(\.|$)/;

const NO_CRDS: ReadonlyMap<string, Scope> = new Map();

/** What the dialects read, `apiVersion Kind` (a family written by its title), for messages. */
function knownKinds(registry: DialectRegistry, only?: (k: DocumentKind) => boolean, kind?: string): string[] {
  const label = (k: DocumentKind) => (typeof k.kind === 'string' ? k.kind : kind !== undefined && k.kind(kind) ? kind : k.title);
  return registry.kinds.filter((k) => k.schemaFile !== false && (only === undefined || only(k))).map((k) => `${k.apiVersion} ${label(k)}`);
}

/**
 * A document of a group no dialect owns is a plain template, and a plain
 * template that nothing claims renders nowhere: when it looks like a policy,
 * an inventory record or a federated object of some system (a typo in the
 * group, a version no release had), say so instead of rendering it silently
 * to no cluster. Groups a CRD of the source declares are the user's own.
 */
function warnForeignFederationKinds(templates: readonly Template[], crdScopes: ReadonlyMap<string, Scope>, registry: DialectRegistry, sink: ProblemSink): void {
  const declared = new Set([...crdScopes.keys()].map((k) => k.slice(0, k.lastIndexOf('/'))));
  for (const t of templates) {
    const group = groupOf(t.id.apiVersion);
    if (!FEDERATION_KIND.test(t.id.kind) && !FEDERATION_GROUP.test(group)) continue;
    // Built-in kinds and the source's own CRDs are what they say they are.
    if (declared.has(group) || scopeOf(group, t.id.kind, NO_CRDS) !== undefined) continue;
    sink.warn({
      code: 'UNKNOWN_FEDERATION_KIND',
      file: t.source.file,
      line: t.source.line,
      object: t.id,
      field: 'apiVersion',
      message: `${t.id.apiVersion} ${t.id.kind} looks like a federation object, but no dialect reads it: it is a plain template that no policy claims (dialect kinds: ${knownKinds(registry, undefined, t.id.kind).join(', ')})`,
    });
  }
}

/** Templates and no cluster: every template renders nowhere. */
function warnNoInventory(templates: readonly Template[], registry: DialectRegistry, sink: ProblemSink): void {
  sink.warn({
    code: 'NO_INVENTORY',
    message: `no cluster inventory found: the ${templates.length} template${templates.length === 1 ? ' renders' : 's render'} to no cluster; declare the member clusters with one of: ${knownKinds(registry, (k) => k.toCluster !== undefined).join(', ')}`,
  });
}

/**
 * The one place where a namespaced template written without
 * metadata.namespace gets `default`, as kubectl and the API server give it
 * (staging/src/k8s.io/cli-runtime/pkg/resource/builder.go DefaultNamespace;
 * Karmada, KubeFed and KubeAdmiral only ever see the stored object, which
 * always carries its namespace). Every consumer (policy matching,
 * dependencies, followers, overrides, namespace propagation, provenance keys,
 * incremental cover) reads the template's id or its object and so sees the
 * same namespace; the rendered object says `namespace: default` too, as the
 * object that upstream creates on a member cluster does. The namespace goes
 * right after the name, where emit would put it, so output bytes do not depend
 * on whether the source wrote it.
 */
function inDefaultNamespace(value: JsonObject): JsonObject {
  const { name = '', namespace: _empty, ...others } = value.metadata as JsonObject;
  return { ...value, metadata: { name, namespace: DEFAULT_NAMESPACE, ...others } };
}

function checkDuplicateTemplates(templates: readonly Template[], sink: ProblemSink): void {
  const seen = new Map<string, Template>();
  for (const t of templates) {
    const first = seen.get(t.key);
    if (first === undefined) {
      seen.set(t.key, t);
      continue;
    }
    sink.error({
      code: 'DUPLICATE_OBJECT',
      file: t.source.file,
      line: t.source.line,
      object: t.id,
      message: `defined twice: also in ${first.source.file}:${first.source.line}`,
    });
  }
}

function checkDuplicateClusters(clusters: readonly Cluster[], sink: ProblemSink): void {
  const seen = new Map<string, Cluster>();
  for (const c of clusters) {
    const first = seen.get(c.name);
    if (first === undefined) {
      seen.set(c.name, c);
      continue;
    }
    sink.error({
      code: 'DUPLICATE_CLUSTER',
      file: c.source.file,
      line: c.source.line,
      object: { kind: c.declaredBy, name: c.name },
      message: `cluster declared twice: also in ${first.source.file}:${first.source.line}`,
    });
  }
}
