/**
 * The KubeFed v2 dialect (reference §2): every `Federated<Kind>` wraps its
 * own template; placement from `spec.placement` (∩ the FederatedNamespace for
 * namespaced kinds), per-cluster JSON-patch overrides in lenient mode,
 * ReplicaSchedulingPreferences for FederatedDeployments and
 * FederatedReplicaSets, and the member object built as KubeFed builds it.
 */
import { overlayKubeFedCluster } from './live.ts';
import { InputError } from '../../errors/index.ts';
import { MASK } from '../../errors/redact.ts';
import type { Parsed } from '../../load/repository.ts';
import { kindKey } from '../../load/repository.ts';
import { byteOrder } from '../../load/source.ts';
import { formatFieldPath } from '../../load/validate.ts';
import { apiVersionProblem, dnsLabelProblem, objectNameProblem } from '../../model/names.ts';
import { removedApi } from '../../model/apis.ts';
import { isSecretType, resourceKey, type Cluster, type JsonObject, type ResourceId, type Template } from '../../model/types.ts';
import { PatchError } from '../../render/jsonpatch.ts';
import type { Dialect, DialectContext, ExplainSection, Placement, PolicyRef } from '../../render/types.ts';
import { memberBase, withManagedLabel, MANAGED_LABEL } from './member.ts';
import { applyClusterOverrides, getOverrides, updateOverridesMap, type ClusterOverride, type OverridesMap } from './overrides.ts';
import { computeNamespacedPlacement, computePlacement, type PlacementResult } from './placement.ts';
import { scheduleReplicas } from './rsp.ts';
import {
  CORE_API,
  SCHEDULING_API,
  TYPES_API,
  type FederatedResource,
  type FederatedTypeConfig,
  type KubeFedConfig,
  type Placement as PlacementSpec,
  type ReplicaSchedulingPreference,
} from './schema.ts';
import { TargetTypes, type TargetType } from './targets.ts';
import { namespaceOrDefault } from '../../model/scope.ts';

export { kubefedGroups, kubefedKinds } from './kinds.ts';

/** The namespace a default KubeFed installation runs in (charts/kubefed). */
const DEFAULT_KUBEFED_NAMESPACE = 'kube-federation-system';
/** Kinds an RSP may target (replicascheduler.go Reconcile). */
const RSP_TARGET_KINDS = new Set(['FederatedDeployment', 'FederatedReplicaSet']);

type Federated = Parsed<FederatedResource>;

interface ControlPlane {
  limitedScope: boolean;
  schedulerPreferences: boolean;
  kubefedNamespace: string;
}

/** Everything the dialect needs about one federated object. */
interface Resolved {
  parsed: Federated;
  kind: string;
  name: string;
  namespace: string;
  target: TargetType;
  ref: PolicyRef;
  label: string;
  overrides: OverridesMap;
}

export const kubefedDialect: Dialect = {
  name: 'kubefed',
  place(ctx: DialectContext): Placement[] {
    const { repo } = ctx;
    const federated: Federated[] = [];
    for (const [key, list] of repo.objects) if (key.startsWith(`${TYPES_API} `)) federated.push(...(list as Federated[]));
    const rsps = (repo.objects.get(kindKey(SCHEDULING_API, 'ReplicaSchedulingPreference')) ?? []) as Parsed<ReplicaSchedulingPreference>[];
    if (federated.length === 0 && rsps.length === 0) return [];
    const clusters = repo.clusters.filter((c) => c.declaredBy === 'KubeFedCluster');
    if (clusters.length === 0 && federated.length > 0) {
      const first = federated[0] as Federated;
      ctx.warn({
        code: 'NO_KUBEFED_CLUSTERS',
        file: first.source.file,
        line: first.source.line,
        message: 'the inventory has no KubeFedCluster: KubeFed objects are placed nowhere',
      });
    }
    const plane = controlPlane((repo.objects.get(kindKey(CORE_API, 'KubeFedConfig')) ?? []) as Parsed<KubeFedConfig>[]);
    const targets = new TargetTypes((repo.objects.get(kindKey(CORE_API, 'FederatedTypeConfig')) ?? []) as Parsed<FederatedTypeConfig>[], repo.templates);
    const resolved = federated.flatMap((p) => resolve(p, targets, ctx) ?? []);
    const fedNamespaces = federatedNamespaces(resolved, ctx);
    const rspByTarget = bindRsps(rsps, resolved, plane, ctx);
    warnUnknownOverrideClusters(resolved, clusters, ctx);
    const placements: Placement[] = [];
    for (const r of resolved) {
      if (r.kind === 'FederatedNamespace') {
        if (fedNamespaces.get(r.namespace) !== r || isKubeFedSystemNamespace(r.name, plane)) continue;
        placements.push(toPlacement(r, place(r, undefined, clusters, plane, ctx), ctx));
        continue;
      }
      const namespacePlacement = r.target.scope === 'Namespaced' ? namespacePlacementOf(r, fedNamespaces) : undefined;
      const rsp = rspByTarget.get(r);
      const scheduling = rsp ? applyRsp(r, rsp, namespacePlacement, clusters, plane, ctx) : undefined;
      const scheduled = scheduling?.scheduled;
      const effective = scheduled?.resolved ?? r;
      const placed = place(effective, namespacePlacement, clusters, plane, ctx, scheduled?.placement);
      if (rsp && scheduled && namespacePlacement !== 'missing') warnExcludedReplicas(r, rsp, scheduled.replicas, placed, ctx);
      placements.push(toPlacement(effective, placed, ctx, scheduling?.explain));
    }
    return placements;
  },

  /**
   * Member objects come from Federated<Kind> objects, not from templates
   * (only CRD templates matter, and those count as global): a template edit
   * moves nothing here. Placing is not narrowed to `ctx.only`, so warnings
   * about Federated objects come out as in a full render.
   */
  cover(_repo, changed) {
    return new Set(changed);
  },

  overlayLive: overlayKubeFedCluster,
};

function controlPlane(configs: readonly Parsed<KubeFedConfig>[]): ControlPlane {
  const config = configs[0]?.value;
  const gate = config?.spec.featureGates?.find((g) => g.name === 'SchedulerPreferences');
  return {
    limitedScope: config?.spec.scope === 'Namespaced',
    schedulerPreferences: gate?.configuration !== 'Disabled',
    kubefedNamespace: config?.metadata.namespace ?? DEFAULT_KUBEFED_NAMESPACE,
  };
}

/** accessor.go isSystemNamespace: these Namespaces are never propagated. */
function isKubeFedSystemNamespace(name: string, plane: ControlPlane): boolean {
  return name === 'kube-system' || name === 'kube-public' || name === 'default' || name === plane.kubefedNamespace;
}

function describe(kind: string, namespace: string, name: string): string {
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** Names, target type, namespace and overrides of one federated object; undefined (with an error or warning) when it cannot be placed. */
function resolve(parsed: Federated, targets: TargetTypes, ctx: DialectContext): Resolved | undefined {
  const { metadata, spec, kind } = parsed.value;
  const name = metadata.name;
  const object = { kind, namespace: metadata.namespace, name };
  const fail = (code: string, field: (string | number)[], message: string, warning = false): undefined => {
    const problem = { code, file: parsed.source.file, line: parsed.lineOf(field), object, field: formatFieldPath(field), message };
    if (warning) ctx.warn(problem);
    else ctx.error(problem);
    return undefined;
  };
  const nameProblem = objectNameProblem(name);
  if (nameProblem) return fail('NAME_INVALID', ['metadata', 'name'], nameProblem);
  const template = spec.template ?? undefined;
  // The member object's group becomes a folder name: what the API server would serve, as load/repository.ts checks for templates.
  const versionProblem = typeof template?.apiVersion === 'string' ? apiVersionProblem(template.apiVersion) : undefined;
  if (versionProblem) return fail('SCHEMA_INVALID', ['spec', 'template', 'apiVersion'], versionProblem);
  const target = targets.resolve(kind, template?.apiVersion, metadata.namespace);
  if (target === undefined && targets.configured) {
    return fail(
      'TYPE_NOT_FEDERATED',
      ['kind'],
      `no FederatedTypeConfig of the source federates ${kind}: KubeFed runs no sync controller for it and propagates nothing. Add its FederatedTypeConfig (kubefedctl enable ${kind.replace(/^Federated/, '')})`,
      true,
    );
  }
  if (target === undefined) {
    return fail(
      'UNKNOWN_FEDERATED_TYPE',
      ['kind'],
      `no FederatedTypeConfig has federatedType.kind ${kind} and ${kind.replace(/^Federated/, '') || kind} is not a standard kind: add the FederatedTypeConfig (kubefedctl enable) or set spec.template.apiVersion`,
    );
  }
  if (target.disabled) return fail('PROPAGATION_DISABLED', ['kind'], `not propagated: ${target.origin} has propagation: Disabled`, true);
  let namespace = '';
  if (kind === 'FederatedNamespace' || target.scope === 'Namespaced') {
    namespace = namespaceOrDefault(metadata.namespace);
    const nsProblem = dnsLabelProblem(namespace);
    if (nsProblem) return fail('NAME_INVALID', ['metadata', 'namespace'], nsProblem);
  } else if (metadata.namespace !== undefined && metadata.namespace !== '') {
    fail('NAMESPACE_IGNORED', ['metadata', 'namespace'], `${target.kind} is cluster-scoped; the namespace is ignored`, true);
  }
  const { overrides, problems } = getOverrides(spec.overrides);
  for (const p of problems) fail('OVERRIDE_INVALID', p.field, `${p.message}; KubeFed propagates this object nowhere until it is fixed`);
  if (problems.length > 0) return undefined;
  return {
    parsed,
    kind,
    name,
    namespace,
    target,
    ref: { kind, namespace: namespace || undefined, name, source: parsed.source },
    label: describe(kind, namespace, name),
    overrides,
  };
}

/** Valid FederatedNamespaces by namespace: the name must equal the containing namespace (accessor.go, event InvalidName). */
function federatedNamespaces(resolved: readonly Resolved[], ctx: DialectContext): Map<string, Resolved> {
  const out = new Map<string, Resolved>();
  for (const r of resolved) {
    if (r.kind !== 'FederatedNamespace') continue;
    if (r.name !== r.namespace) {
      ctx.warn({
        code: 'FEDERATED_NAMESPACE_INVALID_NAME',
        file: r.parsed.source.file,
        line: r.parsed.lineOf(['metadata', 'name']),
        object: r.ref,
        field: 'metadata.name',
        message: `ignored: a FederatedNamespace must be named like the namespace it is in (${r.namespace}), as KubeFed requires (event InvalidName)`,
      });
      continue;
    }
    out.set(r.namespace, r);
  }
  return out;
}

function namespacePlacementOf(r: Resolved, fedNamespaces: ReadonlyMap<string, Resolved>): PlacementSpec | null | 'missing' {
  const ns = fedNamespaces.get(r.namespace);
  return ns === undefined ? 'missing' : (ns.parsed.value.spec.placement ?? null);
}

/** RSP → its target (same namespace/name, kind = targetKind); unusable RSPs are warnings, as KubeFed only logs them. */
function bindRsps(
  rsps: readonly Parsed<ReplicaSchedulingPreference>[],
  resolved: readonly Resolved[],
  plane: ControlPlane,
  ctx: DialectContext,
): Map<Resolved, Parsed<ReplicaSchedulingPreference>> {
  const out = new Map<Resolved, Parsed<ReplicaSchedulingPreference>>();
  for (const rsp of rsps) {
    const { metadata, spec } = rsp.value;
    const namespace = namespaceOrDefault(metadata.namespace);
    const warn = (code: string, message: string, field = 'spec.targetKind') =>
      ctx.warn({ code, file: rsp.source.file, line: rsp.lineOf(field.split('.')), object: { kind: 'ReplicaSchedulingPreference', namespace, name: metadata.name }, field, message });
    if (!RSP_TARGET_KINDS.has(spec.targetKind)) {
      warn('RSP_IGNORED', `targetKind ${spec.targetKind} is neither FederatedDeployment nor FederatedReplicaSet: KubeFed ignores this RSP`);
      continue;
    }
    if (!plane.schedulerPreferences) {
      warn('RSP_IGNORED', 'the SchedulerPreferences feature gate is disabled in the KubeFedConfig: KubeFed ignores RSPs');
      continue;
    }
    const target = resolved.find((r) => r.kind === spec.targetKind && r.namespace === namespace && r.name === metadata.name);
    if (target === undefined) {
      warn('RSP_TARGET_MISSING', `no ${spec.targetKind} ${namespace}/${metadata.name}: this RSP schedules nothing`);
      continue;
    }
    out.set(target, rsp);
  }
  return out;
}

interface Scheduled {
  /** The target with the RSP's /spec/replicas overrides. */
  resolved: Resolved;
  /** The target's placement with clusters rewritten to the schedule. */
  placement: PlacementSpec;
  replicas: Map<string, number>;
}

/** Runs the RSP and rewrites the target's placement.clusters and /spec/replicas overrides (plugin.go Reconcile). */
function applyRsp(
  r: Resolved,
  rsp: Parsed<ReplicaSchedulingPreference>,
  namespacePlacement: PlacementSpec | null | 'missing' | undefined,
  clusters: readonly Cluster[],
  plane: ControlPlane,
  ctx: DialectContext,
): { scheduled?: Scheduled | undefined; explain: ExplainSection } {
  const rspLabel = describe('ReplicaSchedulingPreference', r.namespace, r.name);
  const memberKey = resourceKey(memberId(r));
  const current: Record<string, number> = {};
  for (const [cluster, perTemplate] of ctx.previous?.replicas ?? []) {
    const n = perTemplate.get(memberKey);
    if (n !== undefined) current[cluster] = n;
  }
  const result = scheduleReplicas({
    spec: rsp.value.spec,
    key: `${r.namespace}/${r.name}`,
    clusters,
    placement: r.parsed.value.spec.placement,
    namespacePlacement,
    limitedScope: plane.limitedScope,
    current,
  });
  const title = `Replica scheduling: ${rspLabel} (${rsp.source.file}:${rsp.source.line})`;
  if (result.replicas === undefined) {
    return { explain: { title, lines: [...result.explain, `no-op: ${result.noop ?? ''}; the placement and overrides of ${r.label} apply unchanged`] } };
  }
  if (result.unplaced > 0) {
    ctx.warn({
      code: 'RSP_REPLICAS_UNPLACED',
      file: rsp.source.file,
      line: rsp.lineOf(['spec', 'totalReplicas']),
      object: { kind: 'ReplicaSchedulingPreference', namespace: r.namespace, name: r.name },
      field: 'spec.totalReplicas',
      message: `${result.unplaced} of ${rsp.value.spec.totalReplicas} replicas fit in no cluster (every cluster that could take more is at maxReplicas or has weight 0); KubeFed drops them silently`,
    });
  }
  const placement: PlacementSpec = {
    clusters: [...result.replicas.keys()].map((name) => ({ name })),
    clusterSelector: r.parsed.value.spec.placement?.clusterSelector,
  };
  const overrides = updateOverridesMap(r.overrides, result.replicas, rspLabel);
  return { scheduled: { resolved: { ...r, overrides }, placement, replicas: result.replicas }, explain: { title, lines: result.explain } };
}

/** The clusters a federated object lands in, with the reasons for explain. */
function place(
  r: Resolved,
  namespacePlacement: PlacementSpec | null | 'missing' | undefined,
  clusters: readonly Cluster[],
  plane: ControlPlane,
  ctx: DialectContext,
  override?: PlacementSpec,
): PlacementResult & { namespaceClusters?: string[] | undefined } {
  const own = override ?? r.parsed.value.spec.placement;
  const result =
    namespacePlacement === undefined ? computePlacement(own, clusters) : computeNamespacedPlacement(own, namespacePlacement, clusters, plane.limitedScope);
  if (namespacePlacement === 'missing' && !plane.limitedScope) {
    ctx.warn({
      code: 'NAMESPACE_NOT_FEDERATED',
      file: r.parsed.source.file,
      line: r.parsed.source.line,
      object: r.ref,
      message: `namespace ${r.namespace} has no FederatedNamespace: KubeFed places ${r.label} in no cluster (reason NamespaceNotFederated); add a FederatedNamespace named ${r.namespace} in namespace ${r.namespace}`,
    });
  }
  if (override !== undefined) {
    result.rule = `spec.placement.clusters rewritten by the ReplicaSchedulingPreference to its ${override.clusters?.length ?? 0} scheduled cluster(s)`;
  } else {
    for (const name of result.unknown) {
      const index = (own?.clusters ?? []).findIndex((c) => c.name === name);
      ctx.warn({
        code: 'UNKNOWN_CLUSTER',
        file: r.parsed.source.file,
        line: r.parsed.lineOf(['spec', 'placement', 'clusters', index]),
        object: r.ref,
        field: `spec.placement.clusters[${index}]`,
        message: `names cluster "${name}", which is not a KubeFedCluster in the inventory (KubeFed ignores it)`,
      });
    }
  }
  return result;
}

function warnExcludedReplicas(
  r: Resolved,
  rsp: Parsed<ReplicaSchedulingPreference>,
  replicas: ReadonlyMap<string, number>,
  placed: PlacementResult,
  ctx: DialectContext,
): void {
  const kept = new Set(placed.clusters);
  const lost = [...replicas].filter(([c, n]) => n > 0 && !kept.has(c));
  if (lost.length === 0) return;
  ctx.warn({
    code: 'RSP_REPLICAS_EXCLUDED',
    file: rsp.source.file,
    line: rsp.source.line,
    object: { kind: 'ReplicaSchedulingPreference', namespace: r.namespace, name: r.name },
    message: `${lost.map(([c, n]) => `${n} replica(s) planned for ${c}`).join(', ')} never run: the FederatedNamespace ${r.namespace} does not place there (set intersectWithClusterSelector: true to plan only where the object can go)`,
  });
}

function warnUnknownOverrideClusters(resolved: readonly Resolved[], clusters: readonly Cluster[], ctx: DialectContext): void {
  const known = new Set(clusters.map((c) => c.name));
  for (const r of resolved) {
    (r.parsed.value.spec.overrides ?? []).forEach((item, i) => {
      const name = item.clusterName ?? '';
      if (known.has(name)) return;
      ctx.warn({
        code: 'UNKNOWN_CLUSTER',
        file: r.parsed.source.file,
        line: r.parsed.lineOf(['spec', 'overrides', i, 'clusterName']),
        object: r.ref,
        field: `spec.overrides[${i}].clusterName`,
        message: `overrides cluster "${name}", which is not a KubeFedCluster in the inventory`,
      });
    });
  }
}

/**
 * The member object's apiVersion must match its body, and current clusters
 * must serve it: a removed API version is a warning naming the replacement;
 * an Ingress body of the other API version (serviceName/servicePort versus
 * service.name/port) is an error, because no API server accepts it.
 */
function checkServedApi(r: Resolved, id: ResourceId, object: JsonObject, ctx: DialectContext): void {
  const where = { file: r.parsed.source.file, object: r.ref };
  const templateVersion = typeof r.parsed.value.spec.template?.apiVersion === 'string';
  const versionField = templateVersion ? ['spec', 'template', 'apiVersion'] : ['kind'];
  const removed = removedApi(id.apiVersion, id.kind);
  if (removed !== undefined) {
    ctx.warn({
      ...where,
      code: 'API_VERSION_REMOVED',
      line: r.parsed.lineOf(versionField),
      field: formatFieldPath(versionField),
      message: `the member object is ${id.apiVersion} ${id.kind} (${r.target.origin}), which Kubernetes ${removed.removedIn} and later no longer serve: use ${removed.replacement} (set spec.template.apiVersion and the body of that version, or a FederatedTypeConfig with targetType ${removed.replacement})`,
    });
  }
  if (id.kind !== 'Ingress') return;
  const mismatch = ingressBodyMismatch(id.apiVersion, object);
  if (mismatch === undefined) return;
  const field = ['spec', 'template', ...mismatch.path];
  ctx.error({ ...where, code: 'API_VERSION_BODY_MISMATCH', line: r.parsed.lineOf(field), field: formatFieldPath(field), message: mismatch.message });
}

/** The first Ingress backend written for the other API version (networking.k8s.io/v1 moved serviceName/servicePort to service.name/port). */
function ingressBodyMismatch(apiVersion: string, object: JsonObject): { path: (string | number)[]; message: string } | undefined {
  const v1 = apiVersion === 'networking.k8s.io/v1';
  const spec = object.spec as JsonObject | undefined;
  const backends: { path: (string | number)[]; backend: unknown }[] = [];
  const defaultBackend = v1 ? spec?.defaultBackend : spec?.backend;
  if (defaultBackend !== undefined) backends.push({ path: ['spec', v1 ? 'defaultBackend' : 'backend'], backend: defaultBackend });
  const rules = Array.isArray(spec?.rules) ? spec.rules : [];
  rules.forEach((rule, i) => {
    const paths = (rule as { http?: { paths?: unknown } } | null)?.http?.paths;
    if (Array.isArray(paths)) paths.forEach((p, j) => backends.push({ path: ['spec', 'rules', i, 'http', 'paths', j, 'backend'], backend: (p as { backend?: unknown } | null)?.backend }));
  });
  for (const { path, backend } of backends) {
    if (typeof backend !== 'object' || backend === null || Array.isArray(backend)) continue;
    const b = backend as Record<string, unknown>;
    if (v1 && ('serviceName' in b || 'servicePort' in b)) {
      return { path, message: `networking.k8s.io/v1 Ingress has no serviceName/servicePort (that is the extensions/v1beta1 body): write service: {name, port: {number|name}}, or keep apiVersion extensions/v1beta1 for clusters older than 1.22` };
    }
    if (!v1 && 'service' in b) {
      return { path, message: `${apiVersion} Ingress has no backend.service (that is the networking.k8s.io/v1 body): set spec.template.apiVersion: networking.k8s.io/v1` };
    }
  }
  return undefined;
}

function memberId(r: Resolved): ResourceId {
  const template = r.parsed.value.spec.template;
  const apiVersion = template?.apiVersion ? template.apiVersion : r.target.group === '' ? r.target.version : `${r.target.group}/${r.target.version}`;
  return { apiVersion, kind: r.target.kind, namespace: r.target.scope === 'Namespaced' && r.kind !== 'FederatedNamespace' ? r.namespace : '', name: r.name };
}

function toPlacement(r: Resolved, placed: PlacementResult & { namespaceClusters?: string[] | undefined }, ctx: DialectContext, scheduling?: ExplainSection): Placement {
  const id = memberId(r);
  const base = memberBase(r.parsed.value.spec.template, id.name, id.namespace, r.target);
  warnDropped(r, base.droppedAnnotations, base.droppedFinalizers, ctx);
  checkServedApi(r, id, base.object, ctx);
  if (r.parsed.value.spec.retainReplicas === true) {
    ctx.warn({
      code: 'RETAIN_REPLICAS_NOT_REPRODUCED',
      file: r.parsed.source.file,
      line: r.parsed.lineOf(['spec', 'retainReplicas']),
      object: r.ref,
      field: 'spec.retainReplicas',
      message: 'KubeFed keeps the live spec.replicas of existing members; a rendered tree cannot see live objects, so it carries the replicas KubeFed would create them with',
    });
  }
  const template: Template = {
    id,
    key: resourceKey(id),
    object: withManagedLabel(base.object),
    labels: { ...labelsOf(base.object), [MANAGED_LABEL]: 'true' },
    annotations: {},
    source: r.parsed.source,
  };
  const opsFor = (cluster: string): ClusterOverride[] => r.overrides.get(cluster) ?? [];
  const variants = new Map<string, string>();
  return {
    template,
    dialect: 'kubefed',
    policy: r.ref,
    clusters: [...placed.clusters].sort(byteOrder),
    variantOf: (cluster) => {
      let key = variants.get(cluster);
      if (key === undefined) {
        key = JSON.stringify(opsFor(cluster).map((o) => [o.op ?? '', o.path, o.value ?? null]));
        variants.set(cluster, key);
      }
      return key;
    },
    materialize: (cluster) => materialize(r, base.object, opsFor(cluster), cluster),
    overridesFor: (cluster) => [...new Set(opsFor(cluster).map((o) => originLabel(r, o)))],
    explain: [
      {
        title: 'Federated object',
        lines: [
          `${r.label} (${r.parsed.source.file}:${r.parsed.source.line}) → ${id.apiVersion} ${id.kind} (${r.target.origin})`,
          ...(base.droppedAnnotations.length ? [`template annotations dropped: ${base.droppedAnnotations.join(', ')}`] : []),
          ...(base.droppedFinalizers.length ? [`template finalizers dropped: ${base.droppedFinalizers.join(', ')}`] : []),
          `label ${MANAGED_LABEL}: "true" added after the overrides`,
        ],
      },
      placementSection(r, placed),
      ...(scheduling ? [scheduling] : []),
      overridesSection(r, placed.clusters),
    ],
  };
}

function labelsOf(obj: JsonObject): Record<string, string> {
  const meta = obj.metadata as Record<string, unknown> | undefined;
  const labels = meta?.labels;
  return typeof labels === 'object' && labels !== null && !Array.isArray(labels) ? (labels as Record<string, string>) : {};
}

function warnDropped(r: Resolved, annotations: readonly string[], finalizers: readonly string[], ctx: DialectContext): void {
  const drop = (what: 'annotations' | 'finalizers', keys: readonly string[], event: string) => {
    if (keys.length === 0) return;
    ctx.warn({
      code: `TEMPLATE_${what.toUpperCase()}_DROPPED`,
      file: r.parsed.source.file,
      line: r.parsed.lineOf(['spec', 'template', 'metadata', what]),
      object: r.ref,
      field: `spec.template.metadata.${what}`,
      message: `dropped (${keys.join(', ')}): KubeFed never propagates template ${what} (event ${event}); set them with an override instead (op add, path /metadata/${what})`,
    });
  };
  drop('annotations', annotations, 'AnnotationsNotSupported');
  drop('finalizers', finalizers, 'FinalizersNotSupported');
}

function originLabel(r: Resolved, o: ClusterOverride): string {
  if (o.origin.startsWith('spec.')) return `${r.label} ${o.origin.replace(/\.clusterOverrides\[\d+\]$/, '')}`;
  return o.origin.replace(/, replacing the value of .*$/, '');
}

/** Applies one cluster's overrides, then the managed label; a failing override fails the render naming object, cluster and override. */
function materialize(r: Resolved, base: JsonObject, ops: readonly ClusterOverride[], cluster: string): JsonObject {
  let patched: JsonObject;
  try {
    patched = applyClusterOverrides(base, ops);
  } catch (err) {
    if (!(err instanceof PatchError)) throw err;
    const failing = ops[err.opIndex];
    throw overrideFailure(r, cluster, failing, err.message);
  }
  if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
    throw overrideFailure(r, cluster, ops[ops.length - 1], 'the overrides turn the object into something that is not an object');
  }
  return withManagedLabel(patched);
}

function overrideFailure(r: Resolved, cluster: string, failing: ClusterOverride | undefined, reason: string): InputError {
  const origin = failing?.origin ?? 'spec.overrides';
  const fieldPath = origin.startsWith('spec.') ? origin.replace(/ .*$/, '') : 'spec.overrides';
  const segments = fieldPath.split(/\.|\[|\]/).filter((s) => s !== '').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return InputError.single({
    code: 'OVERRIDE_FAILED',
    file: r.parsed.source.file,
    line: r.parsed.lineOf(segments),
    object: r.ref,
    field: fieldPath,
    message: `cannot apply to cluster ${cluster}: ${reason}${origin.startsWith('spec.') ? '' : ` (set by ${origin})`}; KubeFed would mark ${cluster} ApplyOverridesFailed and neither create nor update the ${r.target.kind} there`,
  });
}

function placementSection(r: Resolved, placed: PlacementResult & { namespaceClusters?: string[] | undefined }): ExplainSection {
  const lines = [placed.rule];
  if (placed.namespaceClusters !== undefined) lines.push(`∩ FederatedNamespace ${r.namespace}/${r.namespace}: ${placed.namespaceClusters.join(', ') || 'no clusters'}`);
  lines.push(`clusters: ${placed.clusters.join(', ') || 'none'}`);
  for (const [cluster, why] of [...placed.excluded].sort((a, b) => byteOrder(a[0], b[0]))) lines.push(`left out ${cluster}: ${why}`);
  for (const name of placed.unknown) lines.push(`ignored ${name}: not a KubeFedCluster in the inventory`);
  return { title: 'Placement', lines };
}

function overridesSection(r: Resolved, clusters: readonly string[]): ExplainSection {
  const lines: string[] = [];
  // Every value written into a Secret is secret, whatever its path.
  const show = isSecretType(r.target.group, r.target.kind) ? () => MASK : (v: unknown) => JSON.stringify(v ?? null);
  for (const cluster of clusters) {
    for (const o of r.overrides.get(cluster) ?? []) {
      lines.push(`${cluster}: ${o.op || 'replace'} ${o.path}${o.op === 'remove' ? '' : ` = ${show(o.value)}`} (${o.origin})`);
    }
  }
  return { title: 'Overrides (JSON patch, lenient replace)', lines: lines.length ? lines : ['none'] };
}
