/**
 * The Federation v1 dialect (reference §3): a ReplicaSet carrying
 * `federation.kubernetes.io/replica-set-preferences`, or a Deployment carrying
 * `federation.kubernetes.io/deployment-preferences`, is spread over the
 * clusters by the KubeFed/Federation v1 planner, as the Federation v1 sync
 * controller does (kubernetes-retired/federation pkg/federatedtypes/scheduling.go,
 * pkg/federation-controller/sync/controller.go):
 *
 * - clusters: every cluster of the inventory, narrowed by the
 *   `federation.alpha.kubernetes.io/cluster-selector` annotation when present;
 * - total: the template's spec.replicas (the API server defaults it to 1);
 * - key `<namespace>/<name>`; the result lands in each cluster's spec.replicas;
 * - every selected cluster receives the object, those planned at 0 too: the
 *   planner returns an entry for every cluster, and each entry marks the
 *   cluster selected (ScheduleObject then creates it with replicas: 0).
 */
import { ManifoldError } from '../../errors/index.ts';
import { byteOrder } from '../../load/source.ts';
import { removedApi } from '../../model/apis.ts';
import { groupOf, type Cluster, type JsonObject, type Template } from '../../model/types.ts';
import type { Dialect, DialectContext, ExplainSection, Placement } from '../../render/types.ts';
import { planReplicas, type PlannerPreferences } from '../../model/replica-planner.ts';
import { CLUSTER_SELECTOR_ANNOTATION, parseClusterSelector, matchesRequirement } from './clusterselector.ts';
import { DEFAULT_PREFERENCES, DEPLOYMENT_PREFERENCES, REPLICA_SET_PREFERENCES, parsePreferences } from './preferences.ts';

/** The annotation each workload kind reads (replicaset.go, deployment.go). */
const ANNOTATION_BY_KIND: Readonly<Record<string, string>> = {
  ReplicaSet: REPLICA_SET_PREFERENCES,
  Deployment: DEPLOYMENT_PREFERENCES,
};


function isWorkloadGroup(apiVersion: string): boolean {
  const group = groupOf(apiVersion);
  return group === 'apps' || group === 'extensions';
}

function describe(t: Template): string {
  return `${t.id.kind} ${t.id.namespace ? `${t.id.namespace}/` : ''}${t.id.name}`;
}

/**
 * What the federation API server served and its controllers synced
 * (kubernetes-retired/federation pkg/federatedtypes: configmap.go,
 * daemonset.go, deployment.go, namespace.go, replicaset.go, secret.go;
 * the service and ingress controllers), by API group and kind.
 */
const FEDERATED_KINDS = new Set(['/ConfigMap', '/Secret', '/Namespace', '/Service', 'apps/DaemonSet', 'extensions/DaemonSet', 'apps/Deployment', 'extensions/Deployment', 'apps/ReplicaSet', 'extensions/ReplicaSet', 'extensions/Ingress', 'networking.k8s.io/Ingress']);

/**
 * Federated too, but divided in ways Manifold does not reproduce: Jobs split
 * parallelism and completions by `federation.kubernetes.io/job-preferences`
 * (job.go), HorizontalPodAutoscalers split min and max replicas (hpa.go).
 */
const UNSUPPORTED_KINDS: Readonly<Record<string, string>> = {
  'batch/Job': 'Federation v1 divides a Job\'s parallelism and completions over the clusters (pkg/federatedtypes/job.go, job-preferences)',
  'autoscaling/HorizontalPodAutoscaler': 'Federation v1 divides an HPA\'s minReplicas and maxReplicas over the clusters (pkg/federatedtypes/hpa.go)',
};

function groupKind(t: Template): string {
  return `${groupOf(t.id.apiVersion)}/${t.id.kind}`;
}

export const federationV1Dialect: Dialect = {
  name: 'federation-v1',
  place(ctx: DialectContext): Placement[] {
    // With its own Cluster records the whole source is a federation: every object created there went to every cluster.
    const federation = ctx.repo.clusters.some((c) => c.declaredBy === 'FederationCluster');
    const placements: Placement[] = [];
    for (const template of ctx.repo.templates) {
      if (ctx.only !== undefined && !ctx.only.has(template.key)) continue;
      const claim = claimOf(template, ctx, federation);
      if (claim === undefined) continue;
      const placement = placeTemplate(template, claim, ctx);
      if (placement) placements.push(placement);
    }
    return placements;
  },
  /** Each template carries its own preferences: nothing else depends on it. */
  cover(_repo, changed) {
    return new Set(changed);
  },
};

/** Why the dialect places a template: a preferences annotation, the cluster-selector annotation, or a Federation v1 inventory. */
interface Claim {
  /** The preferences annotation of a Deployment or ReplicaSet (its replicas are divided), present or not. */
  preferences?: string | undefined;
  reason: string;
}

function claimOf(t: Template, ctx: DialectContext, federation: boolean): Claim | undefined {
  // Namespaces every cluster already has are never Manifold's to create (or, later, prune).
  if (t.id.apiVersion === 'v1' && t.id.kind === 'Namespace' && (t.id.name === 'default' || t.id.name.startsWith('kube-'))) return undefined;
  const annotation = claimedAnnotation(t, ctx);
  const selector = t.annotations[CLUSTER_SELECTOR_ANNOTATION] !== undefined;
  if (!annotation && !selector && !federation) return undefined;
  const reason = annotation
    ? `carries ${annotation}`
    : selector
      ? `carries ${CLUSTER_SELECTOR_ANNOTATION}`
      : 'was created in a federation (the inventory holds federation/v1beta1 Cluster records), which syncs it to every cluster';
  const where = { file: t.source.file, line: t.source.line, object: t.id };
  const unsupported = UNSUPPORTED_KINDS[groupKind(t)];
  if (unsupported !== undefined) {
    ctx.warn({ ...where, code: 'FEDERATION_V1_UNSUPPORTED', message: `${unsupported}; Manifold does not reproduce that, so it is not rendered` });
    return undefined;
  }
  if (!FEDERATED_KINDS.has(groupKind(t))) {
    ctx.warn({
      ...where,
      code: 'FEDERATION_V1_NOT_FEDERATED',
      message: `it ${reason}, but Federation v1 federated only ConfigMaps, Secrets, Namespaces, Services, DaemonSets, Deployments, ReplicaSets and Ingresses (and divided Jobs and HPAs): not rendered`,
    });
    return undefined;
  }
  // A Deployment or ReplicaSet without the annotation is divided too, with the default preferences (scheduling.go GetSchedule).
  return { preferences: isWorkloadGroup(t.id.apiVersion) ? ANNOTATION_BY_KIND[t.id.kind] : undefined, reason };
}

/** The preferences annotation this template carries for its kind; a mismatched one is a warning. */
function claimedAnnotation(t: Template, ctx: DialectContext): string | undefined {
  if (!isWorkloadGroup(t.id.apiVersion)) return undefined;
  const expected = ANNOTATION_BY_KIND[t.id.kind];
  if (expected === undefined) return undefined;
  const other = Object.values(ANNOTATION_BY_KIND).find((a) => a !== expected && t.annotations[a] !== undefined);
  if (other !== undefined && t.annotations[expected] === undefined) {
    ctx.warn({
      code: 'FEDERATION_PREFERENCES_MISPLACED',
      file: t.source.file,
      line: t.source.line,
      object: t.id,
      field: `metadata.annotations.${other}`,
      message: `Federation v1 reads ${expected} on a ${t.id.kind}, not ${other}: the annotation is ignored`,
    });
  }
  return t.annotations[expected] === undefined ? undefined : expected;
}

function placeTemplate(template: Template, claim: Claim, ctx: DialectContext): Placement | undefined {
  const where = { file: template.source.file, line: template.source.line, object: template.id };
  const header: ExplainSection = { title: 'Federation v1', lines: [`${describe(template)} (${template.source.file}:${template.source.line}) ${claim.reason}`] };
  const removed = removedApi(template.id.apiVersion, template.id.kind);
  if (removed !== undefined) {
    const selector = removed.replacement === 'apps/v1' ? ' (which requires spec.selector)' : '';
    ctx.warn({
      ...where,
      code: 'API_VERSION_REMOVED',
      field: 'apiVersion',
      message: `${template.id.apiVersion} ${template.id.kind} is no longer served since Kubernetes ${removed.removedIn}; the rendered object keeps this apiVersion, so use ${removed.replacement}${selector} for current clusters`,
    });
  }
  const annotation = claim.preferences;
  if (annotation === undefined) return placeUnchanged(template, header, ctx);
  const error = (code: string, field: string, message: string): undefined => {
    ctx.error({ ...where, code, field, message });
    return undefined;
  };
  const total = totalReplicas(template);
  if (total === undefined) return error('SCHEMA_INVALID', 'spec.replicas', 'must be a non-negative integer');

  const explain: ExplainSection[] = [];
  let candidates: Cluster[];
  try {
    candidates = selectClusters(template, ctx.repo.clusters, explain);
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    return error('CLUSTER_SELECTOR_INVALID', `metadata.annotations.${CLUSTER_SELECTOR_ANNOTATION}`, `${err.message}; Federation v1 syncs this object to no cluster`);
  }

  const written = template.annotations[annotation];
  const parsed = written === undefined ? ({ ok: true, preferences: DEFAULT_PREFERENCES } as const) : parsePreferences(written);
  let preferences: PlannerPreferences;
  const prefLines: string[] = [];
  if (!parsed.ok && parsed.unsupported) return error('FEDERATION_PREFERENCES_UNSUPPORTED', `metadata.annotations.${annotation}`, parsed.error);
  if (parsed.ok) {
    preferences = parsed.preferences;
    prefLines.push(
      written === undefined
        ? `no ${annotation}: the default {"*": {"weight": 1}} spreads the replicas evenly`
        : `${annotation}: rebalance ${preferences.rebalance === true}, clusters ${JSON.stringify(preferences.clusters)}`,
    );
  } else {
    preferences = DEFAULT_PREFERENCES;
    prefLines.push(`${annotation} does not decode (${parsed.error}): using {"*": {"weight": 1}}, as Federation v1 does`);
    ctx.warn({
      ...where,
      code: 'FEDERATION_PREFERENCES_INVALID',
      field: `metadata.annotations.${annotation}`,
      message: `invalid JSON (${parsed.error}); Federation v1 only logs this and spreads the replicas with equal weights over every cluster ({"*": {"weight": 1}})`,
    });
  }

  const key = `${template.id.namespace}/${template.id.name}`;
  const current = preferences.rebalance === true ? undefined : previousReplicas(ctx, template, candidates);
  let replicas: Map<string, number>;
  try {
    const result = planReplicas({ total, clusters: candidates.map((c) => c.name), preferences, current, key });
    replicas = new Map(candidates.map((c) => [c.name, (result.plan[c.name] ?? 0) + (result.overflow[c.name] ?? 0)]));
    const placed = [...replicas.values()].reduce((a, b) => a + b, 0);
    if (placed < total && candidates.length > 0) {
      ctx.warn({
        ...where,
        code: 'REPLICAS_UNPLACED',
        field: `metadata.annotations.${annotation}`,
        message: `${total - placed} of ${total} replicas fit in no cluster (every cluster that could take more is at maxReplicas or has weight 0, or none has a preference); Federation v1 drops them silently`,
      });
    }
    explain.push({
      title: `Replica scheduling (Federation v1 planner, key "${key}")`,
      lines: [
        `total ${total} from spec.replicas${hasReplicas(template) ? '' : ' (absent: the API server default 1)'}`,
        ...prefLines,
        ...(current && Object.keys(current).length ? [`current replicas (previous render): ${Object.entries(current).map(([c, n]) => `${c} ${n}`).join(', ')}`] : []),
        ...result.steps,
        `result: ${[...replicas].map(([c, n]) => `${c} ${n}`).join(', ') || 'no clusters'} (every selected cluster receives the object, with replicas: 0 where planned 0)`,
      ],
    });
  } catch (err) {
    if (err instanceof ManifoldError) {
      return error('FEDERATION_PREFERENCES_UNSUPPORTED', `metadata.annotations.${annotation}`, err.message);
    }
    throw err;
  }

  const clusters = [...replicas.keys()].sort(byteOrder);
  return {
    template,
    dialect: 'federation-v1',
    policy: { kind: `annotation ${annotation}`, namespace: template.id.namespace || undefined, name: template.id.name, source: template.source },
    clusters,
    variantOf: (cluster) => String(replicas.get(cluster) ?? ''),
    materialize: (cluster) => withReplicas(template.object, replicas.get(cluster) ?? 0),
    overridesFor: () => [],
    explain: [header, ...explain],
  };
}

/** Not a workload: every selected cluster receives the object as written. */
function placeUnchanged(template: Template, header: ExplainSection, ctx: DialectContext): Placement | undefined {
  const explain: ExplainSection[] = [header];
  let clusters: Cluster[];
  try {
    clusters = selectClusters(template, ctx.repo.clusters, explain);
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    ctx.error({
      file: template.source.file,
      line: template.source.line,
      object: template.id,
      code: 'CLUSTER_SELECTOR_INVALID',
      field: `metadata.annotations.${CLUSTER_SELECTOR_ANNOTATION}`,
      message: `${err.message}; Federation v1 syncs this object to no cluster`,
    });
    return undefined;
  }
  return {
    template,
    dialect: 'federation-v1',
    policy: { kind: 'federation', namespace: template.id.namespace || undefined, name: template.id.name, source: template.source },
    clusters: clusters.map((c) => c.name).sort(byteOrder),
    variantOf: () => '',
    materialize: () => template.object,
    overridesFor: () => [],
    explain,
  };
}

function hasReplicas(t: Template): boolean {
  const spec = t.object.spec as JsonObject | undefined;
  return spec !== undefined && spec !== null && spec.replicas !== undefined && spec.replicas !== null;
}

/** spec.replicas, or the API default of 1 when unset; undefined when not a non-negative integer. */
function totalReplicas(t: Template): number | undefined {
  if (!hasReplicas(t)) return 1;
  const n = (t.object.spec as JsonObject).replicas;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Every cluster, or those the cluster-selector annotation matches (clusterselector.SendToCluster). */
function selectClusters(t: Template, clusters: readonly Cluster[], explain: ExplainSection[]): Cluster[] {
  const annotation = t.annotations[CLUSTER_SELECTOR_ANNOTATION];
  if (annotation === undefined) {
    explain.push({ title: 'Clusters', lines: [`every cluster in the inventory: ${clusters.map((c) => c.name).join(', ') || 'none'}`] });
    return [...clusters];
  }
  const requirements = parseClusterSelector(annotation);
  const selected = clusters.filter((c) => requirements.every((r) => matchesRequirement(c.labels, r)));
  const lines = [`${CLUSTER_SELECTOR_ANNOTATION} selects: ${selected.map((c) => c.name).join(', ') || 'no cluster'}`];
  for (const c of clusters) {
    if (selected.includes(c)) continue;
    const failed = requirements.find((r) => !matchesRequirement(c.labels, r));
    if (failed) lines.push(`left out ${c.name}: ${failed.key} ${failed.operator} ${failed.values.join(',')} does not match`);
  }
  explain.push({ title: 'Clusters', lines });
  return selected;
}

function previousReplicas(ctx: DialectContext, t: Template, clusters: readonly Cluster[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of clusters) {
    const n = ctx.previous?.replicas.get(c.name)?.get(t.key);
    if (n !== undefined) out[c.name] = n;
  }
  return out;
}

/** ScheduleObject: the scheduled count in spec.replicas. */
function withReplicas(obj: JsonObject, replicas: number): JsonObject {
  const spec = typeof obj.spec === 'object' && obj.spec !== null && !Array.isArray(obj.spec) ? obj.spec : {};
  return { ...obj, spec: { ...spec, replicas } };
}
