/** The Karmada dialect: policies accepted verbatim, placements as Karmada makes them. */
import { ManifoldError, type Problem } from '../../errors/index.ts';
import type { Parsed } from '../../load/repository.ts';
import { kindKey } from '../../load/repository.ts';
import { byteOrder } from '../../load/source.ts';
import { connectedTemplates } from '../../render/cover.ts';
import { karmadaDependencies } from '../../render/podrefs.ts';
import type { Dialect, DialectContext, Placement, PolicyRef } from '../../render/types.ts';
import { resourceKey, type Cluster, type JsonObject, type Template } from '../../model/types.ts';
import { splitJobCompletions } from './division.ts';
import { pickPropagationPolicy, targetOf, type PropagationPolicyRef } from './match.ts';
import { applyOverrideRules, matchingOverrideRules, ruleUsesClusterVariables, rulesByCluster, type OverrideRuleRef } from './overrides.ts';
import { replicaField, scheduleTemplate, templateUid } from './schedule.ts';
import { liveDecision, overlayKarmadaCluster, type LiveDecision } from './live.ts';
import { POLICY_API, type OverridePolicy } from './schema.ts';
import { namespaceOrDefault } from '../../model/scope.ts';
import { objectPath } from '../../model/paths.ts';

export { karmadaGroups, karmadaKinds } from './kinds.ts';

/** Kinds Karmada never propagates (pkg/util/apigroup.go NewSkippedResourceConfig). */
function isSkippedResource(t: Template): boolean {
  const { apiVersion, kind } = t.id;
  return (
    (apiVersion === 'v1' && kind === 'Event') ||
    apiVersion.startsWith('events.k8s.io/') ||
    apiVersion.startsWith('coordination.k8s.io/') ||
    t.labels['resourcetemplate.karmada.io/claimed-by'] !== undefined
  );
}

interface PolicyObject {
  kind: string;
  metadata: { name: string; namespace?: string | undefined };
  spec: PropagationPolicyRef['spec'];
}

function refOf(kind: PropagationPolicyRef['kind'], p: Parsed<PolicyObject>): PropagationPolicyRef {
  return { kind, namespace: kind === 'PropagationPolicy' ? namespaceOrDefault(p.value.metadata.namespace) : '', name: p.value.metadata.name, spec: p.value.spec };
}

interface Scheduled {
  template: Template;
  policy?: PolicyRef | undefined;
  targets: Map<string, number | undefined>;
  explain: Placement['explain'];
  propagateDeps: boolean;
  affinityGroup?: string | undefined;
  /** Workloads this dependency follows (propagateDeps). */
  follows?: Set<string> | undefined;
}

export const karmadaDialect: Dialect = {
  name: 'karmada',
  place(ctx: DialectContext): Placement[] {
    const { repo } = ctx;
    const get = <T>(kind: string) => (repo.objects.get(kindKey(POLICY_API, kind)) ?? []) as Parsed<T>[];
    const pps = get<PolicyObject>('PropagationPolicy');
    const cpps = get<PolicyObject>('ClusterPropagationPolicy');
    const ops = get<OverridePolicy>('OverridePolicy');
    const cops = get<OverridePolicy>('ClusterOverridePolicy');
    const karmadaClusters = repo.clusters.filter((c) => c.declaredBy === 'Cluster');
    if (pps.length + cpps.length + karmadaClusters.length === 0) return [];
    warnUnknownClusterNames(ctx, [...pps, ...cpps]);
    warnWorkloadAffinity(ctx, [...pps, ...cpps]);
    warnSuspension(ctx, [...pps, ...cpps]);
    const ppRefs = pps.map((p) => ({ ref: refOf('PropagationPolicy', p), parsed: p }));
    const cppRefs = cpps.map((p) => ({ ref: refOf('ClusterPropagationPolicy', p), parsed: p }));
    const parsedByRef = new Map<PropagationPolicyRef, Parsed<PolicyObject>>([...ppRefs, ...cppRefs].map((x) => [x.ref, x.parsed]));
    const ppIndex = new SelectorIndex(ppRefs.map((x) => x.ref), (ref) => ref.namespace);
    const cppIndex = new SelectorIndex(cppRefs.map((x) => x.ref), () => '');
    const scheduled = new Map<string, Scheduled>();
    for (const template of repo.templates) {
      if (isSkippedResource(template) || (ctx.only !== undefined && !ctx.only.has(template.key))) continue;
      const { apiVersion, kind, namespace, name } = template.id;
      // A PropagationPolicy only sees its own namespace's templates (policyCanSee).
      const pps = namespace === '' ? [] : ppIndex.candidates(namespace, apiVersion, kind, name);
      const choice = pickPropagationPolicy(targetOf(template), pps, cppIndex.candidates('', apiVersion, kind, name));
      if (choice === undefined) {
        const auto = autoPropagatedNamespace(template, repo.clusters);
        if (auto) scheduled.set(template.key, auto);
        continue;
      }
      const parsed = parsedByRef.get(choice.winner) as Parsed<PolicyObject>;
      const policy: PolicyRef = { kind: choice.winner.kind, namespace: choice.winner.namespace || undefined, name: choice.winner.name, source: parsed.source };
      const policyLines = [
        `${choice.winner.kind} ${choice.winner.namespace ? `${choice.winner.namespace}/` : ''}${choice.winner.name} (${parsed.source.file}:${parsed.source.line}) claims it: explicit priority ${choice.explicitPriority}, ${['', 'match-all', 'label', 'name'][choice.implicitPriority]} match`,
        ...choice.losers.map((l) => `lost: ${l.policy.kind} ${l.policy.namespace ? `${l.policy.namespace}/` : ''}${l.policy.name} — ${l.reason}`),
      ];
      try {
        checkDefaultScheduler(choice.winner.spec);
        const previous = previousReplicas(ctx, template);
        const previousGroup = ctx.previous?.affinityGroups?.get(template.key);
        const live = liveDecisionOf(ctx, template, choice.winner.spec, previous);
        const clusters = live === undefined || live.evicted.size === 0 ? repo.clusters : repo.clusters.filter((c) => !live.evicted.has(c.name));
        const result = scheduleTemplate(template, choice.winner.spec, clusters, repo.settings.karmada, previous, previousGroup, live?.targeted);
        scheduled.set(template.key, {
          template,
          policy,
          targets: result.targets,
          explain: [{ title: 'Policy', lines: policyLines }, ...(live?.lines.length ? [{ title: 'Live status', lines: live.lines }] : []), ...result.explain],
          propagateDeps: choice.winner.spec.propagateDeps === true,
          affinityGroup: result.affinityName,
        });
      } catch (err) {
        if (!(err instanceof ManifoldError)) throw err;
        const report = UNSCHEDULABLE_CODES.has(err.code) && ctx.unschedulable ? (p: Omit<Problem, 'severity'>) => ctx.unschedulable?.(template, p) : ctx.error;
        report({
          code: err.code,
          file: parsed.source.file,
          line: parsed.source.line,
          object: { kind: choice.winner.kind, namespace: choice.winner.namespace || undefined, name: choice.winner.name },
          message: `cannot place ${template.id.kind} ${template.id.namespace ? `${template.id.namespace}/` : ''}${template.id.name}: ${err.message}`,
        });
      }
    }
    followDependencies(repo.templates, scheduled);
    const clustersByName = new Map(repo.clusters.map((c) => [c.name, c]));
    const overrides: OverrideContext = { opsByNamespace: groupByNamespace(ops), cops, clustersByName, ruleSets: new Map() };
    return [...scheduled.values()].map((s) => toPlacement(s, overrides, ctx));
  },

  /**
   * A template's placement depends on the policies (global) and, through
   * propagateDeps, on the workloads that reference it: the connected
   * components of the reference graph around the changed templates. Whether
   * a policy has propagateDeps is not consulted, so this may cover more than
   * needed, never less.
   */
  cover(repo, changed) {
    return connectedTemplates(repo.templates, (t) => karmadaDependencies(t.object).map(resourceKey), changed);
  },

  overlayLive: overlayKarmadaCluster,
};

/**
 * Failures that Karmada's scheduler records as the binding's Scheduled=False
 * condition (pkg/scheduler/scheduler.go: FitError, unschedulable replicas,
 * spread constraints that cannot be met) rather than rejecting the policy.
 */
const UNSCHEDULABLE_CODES = new Set(['NO_CLUSTER_FITS', 'NO_CLUSTERS_AVAILABLE', 'UNSCHEDULABLE', 'SPREAD_UNSATISFIABLE', 'SCHEDULER_NOT_DEFAULT']);

/** The scheduler name the CRD defaults spec.schedulerName to (pkg/apis/policy/v1alpha1/propagation_types.go). */
const DEFAULT_SCHEDULER = 'default-scheduler';

/**
 * Karmada's scheduler handles a binding only when its schedulerName is the
 * scheduler's own (pkg/scheduler/scheduler.go: the informer's filter compares
 * it with --scheduler-name, default-scheduler); a binding for another
 * scheduler waits for that one. Its decisions cannot be reproduced, so the
 * workload is unschedulable here, with the way out in the message.
 */
function checkDefaultScheduler(spec: { schedulerName?: string | undefined }): void {
  const name = spec.schedulerName;
  if (name === undefined || name === '' || name === DEFAULT_SCHEDULER) return;
  throw new ManifoldError(
    'SCHEDULER_NOT_DEFAULT',
    `schedulerName ${name}: Karmada's ${DEFAULT_SCHEDULER} leaves this workload to that scheduler, whose decisions a render cannot reproduce; ` +
      `remove spec.schedulerName (or set ${DEFAULT_SCHEDULER}) to have it placed as Karmada's default scheduler would`,
  );
}

/**
 * Policies by what their resource selectors can match, so a template is
 * ranked against the few policies that name its apiVersion and kind (and its
 * name, or no name) instead of every policy: a selector whose apiVersion,
 * kind or set name differs has implicit priority 0 (selectorPriority), so
 * leaving those policies out changes neither the winner nor the losers.
 * Candidates keep the policies' source order.
 */
class SelectorIndex<P extends { spec: { resourceSelectors: readonly { apiVersion: string; kind: string; name?: string | undefined }[] } }> {
  private readonly byKey = new Map<string, { policy: P; order: number }[]>();

  constructor(policies: readonly P[], namespaceOf: (policy: P) => string) {
    policies.forEach((policy, order) => {
      const keys = new Set(policy.spec.resourceSelectors.map((sel) => SelectorIndex.key(namespaceOf(policy), sel.apiVersion, sel.kind, sel.name || '*')));
      for (const key of keys) {
        const list = this.byKey.get(key);
        if (list === undefined) this.byKey.set(key, [{ policy, order }]);
        else list.push({ policy, order });
      }
    });
  }

  private static key(namespace: string, apiVersion: string, kind: string, name: string): string {
    return `${namespace}\0${apiVersion}\0${kind}\0${name}`;
  }

  candidates(namespace: string, apiVersion: string, kind: string, name: string): P[] {
    const named = this.byKey.get(SelectorIndex.key(namespace, apiVersion, kind, name)) ?? [];
    const any = this.byKey.get(SelectorIndex.key(namespace, apiVersion, kind, '*')) ?? [];
    if (named.length === 0 || any.length === 0) return (named.length ? named : any).map((c) => c.policy);
    const merged = [...new Set([...named, ...any])].sort((a, b) => a.order - b.order);
    return [...new Set(merged.map((c) => c.policy))];
  }
}

function groupByNamespace(ops: readonly Parsed<OverridePolicy>[]): Map<string, Parsed<OverridePolicy>[]> {
  const out = new Map<string, Parsed<OverridePolicy>[]>();
  for (const op of ops) {
    const ns = namespaceOrDefault(op.value.metadata.namespace);
    const list = out.get(ns);
    if (list === undefined) out.set(ns, [op]);
    else list.push(op);
  }
  return out;
}

/** The ordered rules some templates share, and per cluster which of them apply. */
interface RuleSet {
  rules: OverrideRuleRef[];
  /** rulesForCluster of `rules`, indexed once for the rule set. */
  forCluster: (cluster: Cluster) => OverrideRuleRef[];
  perCluster: Map<string, { rules: OverrideRuleRef[]; labels: string; labelList: string[] }>;
}

interface OverrideContext {
  /** OverridePolicies by namespace: one only applies to templates of its own namespace (overridePolicyMatches). */
  opsByNamespace: ReadonlyMap<string, readonly Parsed<OverridePolicy>[]>;
  cops: readonly Parsed<OverridePolicy>[];
  clustersByName: ReadonlyMap<string, Cluster>;
  /**
   * Rule sets by their labels. A label names kind, namespace, policy and rule
   * index, so equal label lists are the same rules in the same order: which
   * clusters they apply to is worked out once per rule set and cluster, not
   * once per template and cluster.
   */
  ruleSets: Map<string, RuleSet>;
}

/**
 * With live status: the clusters the previous render placed the template on
 * (where its file was; without the file lists, a workload where it had
 * replicas and anything else every cluster of the previous render) and the
 * taint manager's evictions among them.
 */
function liveDecisionOf(ctx: DialectContext, template: Template, spec: PropagationPolicyRef['spec'], previous: ReadonlyMap<string, number> | undefined): LiveDecision | undefined {
  if (ctx.live === undefined) return undefined;
  const placedOn = placedBefore(ctx, template, previous);
  const keep = ctx.live.keepLastCopy?.has(template.key) ?? false;
  return liveDecision(ctx.repo.clusters, placedOn, spec.placement?.clusterTolerations ?? [], ctx.live.status.now, keep);
}

function placedBefore(ctx: DialectContext, template: Template, previous: ReadonlyMap<string, number> | undefined): Set<string> {
  const files = ctx.previous?.files;
  if (files !== undefined) {
    const file = objectPath(template.id);
    return new Set([...files].filter(([, paths]) => paths.has(file)).map(([cluster]) => cluster));
  }
  return replicaField(template.object) !== undefined ? new Set(previous?.keys() ?? []) : new Set(ctx.previous?.clusters ?? []);
}

function previousReplicas(ctx: DialectContext, template: Template): Map<string, number> | undefined {
  if (ctx.previous === undefined) return undefined;
  const out = new Map<string, number>();
  for (const [cluster, perTemplate] of ctx.previous.replicas) {
    const n = perTemplate.get(template.key);
    if (n !== undefined) out.set(cluster, n);
  }
  return out;
}

/**
 * Karmada's namespace controller sends every namespace without a policy to
 * all clusters, except default, reserved and kube-* namespaces and those
 * labelled namespace.karmada.io/skip-auto-propagation: "true" (§1.10).
 */
function autoPropagatedNamespace(template: Template, clusters: readonly Cluster[]): Scheduled | undefined {
  const { apiVersion, kind, name } = template.id;
  if (apiVersion !== 'v1' || kind !== 'Namespace') return undefined;
  if (name === 'default' || name.startsWith('kube-') || name === 'karmada-system' || name === 'karmada-cluster' || name.startsWith('karmada-es-')) return undefined;
  if (template.labels['namespace.karmada.io/skip-auto-propagation'] === 'true') return undefined;
  return {
    template,
    targets: new Map(clusters.map((c) => [c.name, undefined])),
    explain: [{ title: 'Policy', lines: ['no policy: Karmada propagates every namespace to all clusters (namespace auto-propagation)'] }],
    propagateDeps: false,
  };
}

/**
 * propagateDeps: ConfigMaps, Secrets, ServiceAccounts and PVCs referenced by a
 * workload (and Ingress TLS secrets) follow it to the union of its clusters.
 */
function followDependencies(templates: readonly Template[], scheduled: Map<string, Scheduled>): void {
  const byKey = new Map(templates.map((t) => [t.key, t]));
  for (const parent of [...scheduled.values()]) {
    if (!parent.propagateDeps) continue;
    for (const dep of karmadaDependencies(parent.template.object)) {
      const key = resourceKey(dep);
      const template = byKey.get(key);
      if (template === undefined) continue; // Karmada ignores missing dependencies.
      const existing = scheduled.get(key);
      const note = `follows ${parent.template.id.kind} ${parent.template.id.name} (propagateDeps) to ${[...parent.targets.keys()].join(', ')}`;
      if (existing) {
        for (const c of parent.targets.keys()) if (!existing.targets.has(c)) existing.targets.set(c, undefined);
        existing.explain.push({ title: 'Dependency', lines: [note] });
        (existing.follows ??= new Set()).add(parent.template.key);
        continue;
      }
      scheduled.set(key, {
        template,
        targets: new Map([...parent.targets.keys()].map((c) => [c, undefined])),
        explain: [{ title: 'Dependency', lines: [note] }],
        propagateDeps: false,
        follows: new Set([parent.template.key]),
      });
    }
  }
}

function toPlacement(s: Scheduled, overrides: OverrideContext, ctx: DialectContext): Placement {
  const isNamespace = s.template.id.apiVersion === 'v1' && s.template.id.kind === 'Namespace' && s.policy === undefined;
  const ops = overrides.opsByNamespace.get(s.template.id.namespace) ?? [];
  const matched = matchingOverrideRules(s.template, ops, overrides.cops, isNamespace);
  const signature = matched.map((r) => r.label).join('\n');
  let ruleSet = overrides.ruleSets.get(signature);
  if (ruleSet === undefined) {
    ruleSet = { rules: matched, forCluster: rulesByCluster(matched), perCluster: new Map() };
    overrides.ruleSets.set(signature, ruleSet);
  }
  const { rules, forCluster, perCluster } = ruleSet;
  const applying = (cluster: string): { rules: OverrideRuleRef[]; labels: string; labelList: string[] } => {
    let cached = perCluster.get(cluster);
    if (cached === undefined) {
      const c = overrides.clustersByName.get(cluster);
      const list = c === undefined ? rules.filter((r) => r.rule.targetCluster === undefined) : forCluster(c);
      // A rule with cluster variables gives every cluster its own values, so its own variant.
      const own = variables && list.some(ruleUsesClusterVariables) ? `@${cluster}` : '';
      cached = { rules: list, labels: list.map((r) => r.label).join(',') + own, labelList: list.map((r) => r.label) };
      perCluster.set(cluster, cached);
    }
    return cached;
  };
  const variables = ctx.repo.settings.karmada?.extensions?.clusterVariables === true;
  const rulesFor = (cluster: string): OverrideRuleRef[] => applying(cluster).rules;
  const completions = jobCompletions(s);
  const warned = new Set<string>();
  // The template's replica field, worked out once: interpreting its replica requirements for every cluster cost seconds on a large fleet.
  let field: { value: ReturnType<typeof replicaField> } | undefined;
  const fieldOf = () => (field ??= { value: replicaField(s.template.object) }).value;
  return {
    template: s.template,
    dialect: 'karmada',
    policy: s.policy,
    clusters: [...s.targets.keys()].sort(byteOrder),
    variantOf: (cluster) => `${s.targets.get(cluster) ?? ''}|${completions.get(cluster) ?? ''}|${applying(cluster).labels}`,
    materialize: (cluster) => {
      const revised = reviseReplicas(s.template.object, fieldOf, s.targets.get(cluster), completions.get(cluster));
      const { object, warnings } = applyOverrideRules(revised, rulesFor(cluster), cluster, s.template, ctx.repo.settings.karmada, overrides.clustersByName.get(cluster));
      for (const w of warnings) {
        if (warned.has(w)) continue;
        warned.add(w);
        ctx.warn({ code: 'OVERRIDE_WARNING', file: s.template.source.file, line: s.template.source.line, object: s.template.id, message: w });
      }
      return object;
    },
    // One array per cluster and rule set, not one per call: a fleet renders a variant per cluster and template.
    overridesFor: (cluster) => applying(cluster).labelList,
    affinityGroup: s.affinityGroup,
    follows: s.follows === undefined ? undefined : [...s.follows].sort(byteOrder),
    explain: [
      ...s.explain,
      { title: 'Overrides', lines: rules.length ? rules.map((r) => `${r.label}${r.rule.targetCluster ? ' (cluster-specific)' : ' (every cluster)'}${variables && ruleUsesClusterVariables(r) ? ', values per cluster from cluster variables' : ''}`) : ['none match'] },
    ],
  };
}

/** Job under Divided: completions split by Webster over the per-cluster parallelism. */
function jobCompletions(s: Scheduled): Map<string, number> {
  const spec = s.template.object.spec as Record<string, unknown> | undefined;
  if (s.template.id.kind !== 'Job' || typeof spec?.completions !== 'number') return new Map();
  const perCluster = new Map<string, number>();
  for (const [c, r] of s.targets) if (r !== undefined) perCluster.set(c, r);
  if (perCluster.size === 0) return new Map();
  return splitJobCompletions(spec.completions, perCluster, templateUid(s.template));
}

/** helper.ApplyReplica: writes the cluster's replicas only where the template has the field. */
function reviseReplicas(obj: JsonObject, fieldOf: () => ReturnType<typeof replicaField>, replicas: number | undefined, completions: number | undefined): JsonObject {
  if (replicas === undefined && completions === undefined) return obj;
  const spec = { ...(obj.spec as JsonObject) };
  const field = fieldOf();
  if (replicas !== undefined && field !== undefined && field in spec) spec[field] = replicas;
  if (completions !== undefined && 'completions' in spec) spec.completions = completions;
  return { ...obj, spec };
}

function policyObject(p: Parsed<PolicyObject>) {
  const { namespace, name } = p.value.metadata;
  // A PropagationPolicy without metadata.namespace lives in `default`.
  return p.value.kind === 'PropagationPolicy' ? { kind: p.value.kind, namespace: namespaceOrDefault(namespace), name } : { kind: p.value.kind, name };
}

/**
 * placement.workloadAffinity (v1.17, alpha) is read only by the
 * WorkloadAffinity / WorkloadAntiAffinity filter plugins, which Karmada
 * registers only with the WorkloadAffinity feature gate, off by default
 * (karmada pkg/features/features.go, pkg/scheduler/framework/plugins/registry.go).
 * With the gate on, the result depends on which workload of a group the
 * scheduler meets first (plugins/workloadaffinity: the first one is never
 * blocked), an order a render cannot know. So it is accepted and, like in a
 * default Karmada, not applied, with a warning saying so.
 */
function warnWorkloadAffinity(ctx: DialectContext, policies: readonly Parsed<PolicyObject>[]): void {
  for (const p of policies) {
    const workloadAffinity = p.value.spec.placement?.workloadAffinity;
    if (workloadAffinity === undefined) continue;
    const terms = [
      workloadAffinity.affinity ? `affinity by ${workloadAffinity.affinity.groupByLabelKey}` : undefined,
      workloadAffinity.antiAffinity ? `anti-affinity by ${workloadAffinity.antiAffinity.groupByLabelKey}` : undefined,
    ].filter((t) => t !== undefined);
    ctx.warn({
      code: 'FIELD_NOT_APPLIED',
      file: p.source.file,
      line: p.source.line,
      object: policyObject(p),
      field: 'spec.placement.workloadAffinity',
      message:
        `recognised (Karmada v1.17 alpha${terms.length ? `: ${terms.join(', ')}` : ''}) but not applied: Karmada reads it only with ` +
        'the WorkloadAffinity feature gate, off by default, and then places each workload according to the workloads ' +
        'of its group scheduled before it, an order a render cannot know',
    });
  }
}

/**
 * spec.suspension holds back dispatching: Karmada still schedules the binding
 * but creates the Works of the suspended clusters with suspendDispatching, so
 * those members keep whatever they had (pkg/controllers/binding/common.go,
 * pkg/util/helper/work.go). A rendered tree cannot say "keep what you had":
 * Manifold renders the scheduled state and warns, rather than dropping the
 * objects (which a GitOps sync would prune, the opposite of a suspension).
 */
function warnSuspension(ctx: DialectContext, policies: readonly Parsed<PolicyObject>[]): void {
  for (const p of policies) {
    const suspension = p.value.spec.suspension;
    const clusters = suspension?.dispatchingOnClusters?.clusterNames ?? [];
    if (suspension?.dispatching !== true && clusters.length === 0) continue;
    const which = suspension?.dispatching === true ? 'to every cluster' : `to ${clusters.join(', ')}`;
    ctx.warn({
      code: 'FIELD_NOT_APPLIED',
      file: p.source.file,
      line: p.source.line,
      object: policyObject(p),
      field: suspension?.dispatching === true ? 'spec.suspension.dispatching' : 'spec.suspension.dispatchingOnClusters',
      message:
        `recognised but not applied: Karmada would stop dispatching ${which} and leave what runs there as it is; ` +
        'the rendered tree holds the scheduled state, so hold back the sync (or the commit) instead',
    });
  }
}

/** A policy naming a cluster that is not in the inventory is a warning, not an error. */
function warnUnknownClusterNames(ctx: DialectContext, policies: readonly Parsed<PolicyObject>[]): void {
  const known = new Set(ctx.repo.clusters.map((c) => c.name));
  for (const p of policies) {
    const placement = p.value.spec.placement;
    const terms = placement?.clusterAffinities ?? [];
    const affinities = [placement?.clusterAffinity, ...terms, ...terms.flatMap((t) => t.overflowAffinities ?? [])];
    const names = new Set<string>();
    for (const a of affinities) for (const n of a?.clusterNames ?? []) names.add(n);
    for (const w of placement?.replicaScheduling?.weightPreference?.staticWeightList ?? []) for (const n of w.targetCluster.clusterNames ?? []) names.add(n);
    for (const name of names) {
      if (known.has(name)) continue;
      ctx.warn({
        code: 'UNKNOWN_CLUSTER',
        file: p.source.file,
        line: p.source.line,
        object: policyObject(p),
        message: `names cluster "${name}", which is not in the inventory`,
      });
    }
  }
}
