/**
 * The Work API dialect: a Work (OCM ManifestWork, Karmada Work, KubeFleet
 * Work, SIG-Multicluster Work) is the outcome of a placement decision already
 * made, so its manifests go into the tree of the cluster its namespace names,
 * as they are: no policy, no replicas, no overrides.
 *
 * - A Work whose namespace names no cluster of the inventory is not an error:
 *   upstream it waits in its namespace until an agent for that cluster reads
 *   it (OCM: the namespace of a ManagedCluster that has not joined; Karmada:
 *   the execution controller returns an error and requeues a Work whose
 *   cluster is not found, karmada pkg/controllers/execution/execution_controller.go
 *   Reconcile). Manifold warns and renders nothing for it.
 * - A Karmada Work with suspendDispatching is not synced (same Reconcile,
 *   util.IsWorkSuspendDispatching): what runs there is whatever an earlier
 *   version applied. Manifold renders its manifests with a warning rather
 *   than an empty tree, which the reconciler would prune.
 * - AppliedWork / AppliedManifestWork report what an agent applied: status,
 *   skipped with a warning.
 * - One object in two Works of one cluster must be the same object, or the
 *   two agents' applies would fight over it: different contents are an error.
 */
import { apiVersionProblem, dnsLabelProblem, kindProblem, objectNameProblem } from '../../model/names.ts';
import { byteOrder } from '../../load/source.ts';
import { formatFieldPath } from '../../load/validate.ts';
import { kindKey, type Parsed, type Repository } from '../../load/repository.ts';
import { DEFAULT_NAMESPACE, scopeOf, type Scope } from '../../model/scope.ts';
import { groupOf, resourceKey, type JsonObject, type JsonValue, type ResourceId, type SourceRef, type Template } from '../../model/types.ts';
import type { Dialect, DialectContext, Placement, PolicyRef } from '../../render/types.ts';
import { APPLIED_WORK_KINDS, WORK_KINDS, type WorkKind } from './kinds.ts';
import { FLEET_MEMBER_PREFIX, KARMADA_EXECUTION_SPACE_PREFIX, type Manifest, type WorkObject } from './schema.ts';

/** One manifest of one Work, bound for one cluster. */
interface Entry {
  cluster: string;
  template: Template;
  /** Canonical JSON of the manifest: equal text, equal object. */
  canonical: string;
  /** The Work that holds it. */
  work: PolicyRef;
}

function describeWork(w: PolicyRef): string {
  return `${w.kind} ${w.namespace}/${w.name} (${w.source.file}:${w.source.line})`;
}

export const workDialect: Dialect = {
  name: 'work',
  place(ctx: DialectContext): Placement[] {
    noteAppliedWorks(ctx);
    const byKey = collectEntries(ctx);
    const placements: Placement[] = [];
    for (const [key, entries] of byKey) {
      if (ctx.only !== undefined && !ctx.only.has(key)) continue;
      const placement = placementOf(entries, ctx);
      if (placement) placements.push(placement);
    }
    return placements;
  },
  /** Works are not templates: a change to one changes the global digest and renders in full. */
  cover(_repo, changed) {
    return new Set(changed);
  },
};

function noteAppliedWorks(ctx: DialectContext): void {
  for (const k of APPLIED_WORK_KINDS) {
    for (const parsed of ctx.repo.objects.get(kindKey(k.apiVersion, k.kind)) ?? []) {
      const meta = (parsed.value as { metadata: { name: string; namespace?: string } }).metadata;
      ctx.warn({
        code: 'WORK_STATUS_SKIPPED',
        file: parsed.source.file,
        line: parsed.source.line,
        object: { kind: k.kind, name: meta.name, namespace: meta.namespace },
        message: `${k.kind} is status an agent writes about what it applied, not something to apply: skipped`,
      });
    }
  }
}

/** Every Work of every kind, in source order (file, then line). */
function worksOf(repo: Repository): { kind: WorkKind; parsed: Parsed<WorkObject> }[] {
  const out = WORK_KINDS.flatMap((kind) => (repo.objects.get(kindKey(kind.apiVersion, kind.kind)) ?? []).map((p) => ({ kind, parsed: p as Parsed<WorkObject> })));
  return out.sort((a, b) => byteOrder(a.parsed.source.file, b.parsed.source.file) || a.parsed.source.line - b.parsed.source.line);
}

/** The cluster a Work's namespace names, per implementation; undefined when it names none. */
export function clusterOfNamespace(kind: WorkKind, namespace: string, inventory: ReadonlySet<string>): string | undefined {
  const strip = (prefix: string) => (namespace.startsWith(prefix) && namespace.length > prefix.length ? namespace.slice(prefix.length) : undefined);
  switch (kind.flavor) {
    case 'ocm':
      return namespace;
    case 'karmada':
      return strip(KARMADA_EXECUTION_SPACE_PREFIX);
    case 'kubefleet':
      return strip(FLEET_MEMBER_PREFIX);
    case 'sig':
      return inventory.has(namespace) ? namespace : (strip(FLEET_MEMBER_PREFIX) ?? namespace);
  }
}

const NAMESPACE_RULE: Record<WorkKind['flavor'], string> = {
  ocm: 'the namespace of an OCM ManifestWork is the managed cluster',
  karmada: `the namespace of a Karmada Work is ${KARMADA_EXECUTION_SPACE_PREFIX}<cluster>`,
  kubefleet: `the namespace of a KubeFleet Work is ${FLEET_MEMBER_PREFIX}<cluster>`,
  sig: `the namespace of a SIG Work is the cluster's name (or ${FLEET_MEMBER_PREFIX}<cluster>)`,
};

/** Template key → the entries of every cluster, each Work's manifests validated. */
function collectEntries(ctx: DialectContext): Map<string, Entry[]> {
  const inventory = new Set(ctx.repo.clusters.map((c) => c.name));
  const crdScopes = crdScopesOf(ctx.repo.templates);
  const byKey = new Map<string, Entry[]>();
  for (const { kind, parsed } of worksOf(ctx.repo)) {
    const cluster = targetCluster(kind, parsed, inventory, ctx);
    if (cluster === undefined) continue;
    noteWorkSpec(kind, parsed, ctx);
    const work = parsed.value;
    const ref: PolicyRef = { kind: work.kind, namespace: work.metadata.namespace, name: work.metadata.name, source: parsed.source };
    (work.spec.workload?.manifests ?? []).forEach((manifest, i) => {
      const template = templateOf(manifest, i, parsed, crdScopes, ctx);
      if (template === undefined) return;
      const entry = { cluster, template, canonical: canonicalJson(manifest as JsonValue), work: ref };
      const list = byKey.get(template.key);
      if (list === undefined) byKey.set(template.key, [entry]);
      else list.push(entry);
    });
  }
  return byKey;
}

function workObjectRef(work: WorkObject) {
  return { kind: work.kind, name: work.metadata.name, namespace: work.metadata.namespace };
}

/** The inventory cluster a Work is for; undefined (with a warning) when its namespace names none. */
function targetCluster(kind: WorkKind, parsed: Parsed<WorkObject>, inventory: ReadonlySet<string>, ctx: DialectContext): string | undefined {
  const namespace = parsed.value.metadata.namespace;
  const cluster = clusterOfNamespace(kind, namespace, inventory);
  if (cluster !== undefined && inventory.has(cluster)) return cluster;
  const why = cluster === undefined ? `${NAMESPACE_RULE[kind.flavor]}, and "${namespace}" is not one` : `no cluster "${cluster}" in the inventory`;
  ctx.warn({
    code: 'WORK_CLUSTER_UNKNOWN',
    file: parsed.source.file,
    line: parsed.lineOf(['metadata', 'namespace']),
    object: workObjectRef(parsed.value),
    field: 'metadata.namespace',
    message: `${why}: the Work waits in its namespace until an agent for that cluster reads it; nothing is rendered from it`,
  });
  return undefined;
}

/** Warnings about a Work that is rendered all the same: empty, or held back by Karmada. */
function noteWorkSpec(kind: WorkKind, parsed: Parsed<WorkObject>, ctx: DialectContext): void {
  const work = parsed.value;
  const where = { file: parsed.source.file, object: workObjectRef(work) };
  if ((work.spec.workload?.manifests ?? []).length === 0) {
    ctx.warn({ ...where, code: 'WORK_EMPTY', line: parsed.source.line, field: 'spec.workload.manifests', message: 'the Work holds no manifests: nothing is rendered from it' });
  }
  if (kind.flavor === 'karmada' && work.spec.suspendDispatching === true) {
    ctx.warn({
      ...where,
      code: 'WORK_SUSPENDED',
      line: parsed.lineOf(['spec', 'suspendDispatching']),
      field: 'spec.suspendDispatching',
      message: 'Karmada holds a suspended Work back from its cluster; Manifold renders its manifests all the same (the tree is what the cluster should run)',
    });
  }
}

/** CRD scopes declared among the templates (load/repository.ts reads them the same way for templates). */
function crdScopesOf(templates: readonly Template[]): Map<string, Scope> {
  const scopes = new Map<string, Scope>();
  for (const t of templates) {
    if (t.id.kind !== 'CustomResourceDefinition') continue;
    const spec = t.object.spec as { group?: unknown; scope?: unknown; names?: { kind?: unknown } } | undefined;
    if (typeof spec?.group === 'string' && typeof spec.names?.kind === 'string' && (spec.scope === 'Cluster' || spec.scope === 'Namespaced')) {
      scopes.set(`${spec.group}/${spec.names.kind}`, spec.scope);
    }
  }
  return scopes;
}

/** A manifest as a template: identity, names checked as for any template, the source line of the manifest. */
function templateOf(manifest: Manifest, index: number, work: Parsed<WorkObject>, crdScopes: ReadonlyMap<string, Scope>, ctx: DialectContext): Template | undefined {
  const path = ['spec', 'workload', 'manifests', index];
  const source: SourceRef = { file: work.source.file, line: work.lineOf(path) };
  const { apiVersion, kind } = manifest;
  const meta = manifest.metadata;
  const object = { apiVersion, kind, name: meta.name, namespace: meta.namespace };
  const problem = (field: (string | number)[], message: string, severity: 'error' | 'warn' = 'error', code = 'NAME_INVALID') => {
    const p = { code, file: work.source.file, line: work.lineOf([...path, ...field]), object, field: formatFieldPath([...path, ...field]), message };
    if (severity === 'error') ctx.error(p);
    else ctx.warn(p);
  };
  // Kind and group become folder names of the output: what the API server would serve, as load/repository.ts checks for templates.
  for (const [field, fieldProblem] of [['apiVersion', apiVersionProblem(apiVersion)], ['kind', kindProblem(kind)]] as const) {
    // No object in the message: the kind itself is what is wrong (it may hold control characters).
    if (fieldProblem !== undefined) return void ctx.error({ code: 'SCHEMA_INVALID', file: work.source.file, line: work.lineOf([...path, field]), field: formatFieldPath([...path, field]), message: fieldProblem });
  }
  const nameProblem = objectNameProblem(meta.name);
  if (nameProblem) return void problem(['metadata', 'name'], nameProblem);
  const scope = scopeOf(groupOf(apiVersion), kind, crdScopes);
  let namespace = meta.namespace ?? '';
  if (scope === 'Cluster' && namespace !== '') {
    problem(['metadata', 'namespace'], `${kind} is cluster-scoped; the namespace is ignored`, 'warn', 'NAMESPACE_IGNORED');
    namespace = '';
  }
  if (scope === 'Namespaced' && namespace === '') {
    problem(['metadata'], `no metadata.namespace: placed in "default", as kubectl would; the Work's agent applies the manifest as written, so write the namespace`, 'warn', 'WORK_MANIFEST_NAMESPACE_MISSING');
    namespace = DEFAULT_NAMESPACE;
  }
  if (namespace !== '') {
    const nsProblem = dnsLabelProblem(namespace);
    if (nsProblem) return void problem(['metadata', 'namespace'], nsProblem);
  }
  // A Namespace's name becomes a folder and a namespace: a DNS-1123 label, as load/repository.ts checks for templates.
  if (kind === 'Namespace') {
    const nsProblem = dnsLabelProblem(meta.name);
    if (nsProblem) return void problem(['metadata', 'name'], nsProblem);
  }
  const id: ResourceId = { apiVersion, kind, namespace, name: meta.name };
  return {
    id,
    key: resourceKey(id),
    object: manifest as JsonObject,
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
    source,
  };
}

/** One placement per object: every cluster whose Works hold it, each with its own manifest. */
function placementOf(entries: readonly Entry[], ctx: DialectContext): Placement | undefined {
  const byCluster = new Map<string, Entry>();
  for (const e of entries) {
    const first = byCluster.get(e.cluster);
    if (first === undefined) byCluster.set(e.cluster, e);
    else if (first.canonical !== e.canonical) {
      ctx.error({
        code: 'WORK_MANIFEST_CONFLICT',
        file: e.template.source.file,
        line: e.template.source.line,
        object: e.template.id,
        message: `cluster ${e.cluster} gets this object from two Works with different contents: ${describeWork(e.work)} and ${describeWork(first.work)}; their agents would overwrite each other`,
      });
      return undefined;
    }
  }
  const first = entries[0] as Entry;
  const contents = [...new Set(entries.map((e) => e.canonical))];
  const clusters = [...byCluster.keys()].sort(byteOrder);
  return {
    template: first.template,
    dialect: 'work',
    policy: first.work,
    clusters,
    // A Namespace of one cluster's Work also serves the clusters whose objects
    // live in it (render's followNamespaces extends this placement to them).
    variantOf: (cluster) => String(contents.indexOf((byCluster.get(cluster) ?? first).canonical)),
    materialize: (cluster) => (byCluster.get(cluster) ?? first).template.object,
    overridesFor: () => [],
    explain: [
      {
        title: 'Work API',
        lines: [
          'the object is a manifest of a Work: it lands as written in the cluster the Work\'s namespace names',
          ...clusters.map((c) => {
            const e = byCluster.get(c) as Entry;
            return `${c}: ${describeWork(e.work)}, manifest at line ${e.template.source.line}`;
          }),
        ],
      },
    ],
  };
}

/** JSON with keys sorted at every level, to compare two manifests by content. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort(byteOrder);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as JsonValue)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
