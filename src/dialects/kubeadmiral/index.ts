/**
 * The KubeAdmiral dialect (reference §4): templates are bound to policies by
 * labels, scheduled by the KubeAdmiral scheduler (filters, scores, selection,
 * the forked replica planner), followed by their followers, overridden by the
 * Override policies their labels name, and turned into member objects the way
 * the sync controller builds them. Namespaces go to every cluster
 * (nsautoprop) once the repository uses this dialect.
 */
import { estimateClusterCapacity, parseGoDuration } from './automigration.ts';
import { overlayFederatedCluster } from './live.ts';
import { InputError, ManifoldError, type Problem } from '../../errors/index.ts';
import type { Parsed, Repository } from '../../load/repository.ts';
import { kindKey } from '../../load/repository.ts';
import { byteOrder } from '../../load/source.ts';
import { describeId, resourceKey, type Cluster, type JsonObject, type Template } from '../../model/types.ts';
import { PatchError } from '../../render/jsonpatch.ts';
import { connectedTemplates } from '../../render/cover.ts';
import { kubeAdmiralFollowers } from '../../render/podrefs.ts';
import type { Dialect, DialectContext, ExplainSection, Placement, PolicyRef } from '../../render/types.ts';
import { applyOverrides, forbiddenPatch, objectForCluster, replicasPatch, templateForSourceObject } from './member.ts';
import {
  lookForMatchedPolicies,
  OverrideBindingError,
  patchesForRules,
  RuleMatchError,
  RulePatchError,
  rulesForCluster,
  type BoundOverridePolicy,
  type MatchedRule,
  type OverridePatch,
} from './overrides.ts';
import { schedule, SchedulerError } from './scheduler.ts';
import { buildSchedulingUnit, hasReplicasSpec, SchedulingUnitError, splitApiVersion } from './schedulingunit.ts';
import { KUBEADMIRAL_API, resolvePropagationSpec, type FederatedTypeConfig, type OverridePolicy, type PropagationPolicy } from './schema.ts';
import { FederatedTypes, GLOBAL_SCHEDULER, NSAUTOPROP_CONTROLLER, OVERRIDE_CONTROLLER } from './types.ts';
import { namespaceOrDefault } from '../../model/scope.ts';
import { ClusterVariableError, expandClusterVariables, usesClusterVariables } from '../../model/cluster-variables.ts';

export { kubeAdmiralGroups, kubeAdmiralKinds } from './kinds.ts';

export const PROPAGATION_POLICY_LABEL = 'kubeadmiral.io/propagation-policy-name';
export const CLUSTER_PROPAGATION_POLICY_LABEL = 'kubeadmiral.io/cluster-propagation-policy-name';
export const NO_SCHEDULING_ANNOTATION = 'kubeadmiral.io/no-scheduling';
export const DISABLE_FOLLOWING_ANNOTATION = 'kubeadmiral.io/disable-following';
export const NO_AUTO_PROPAGATION_ANNOTATION = 'kubeadmiral.io/no-auto-propagation';

type PolicyKind = 'PropagationPolicy' | 'ClusterPropagationPolicy';

interface BoundPolicy {
  kind: PolicyKind;
  parsed: Parsed<PropagationPolicy>;
  ref: PolicyRef;
  /** `PropagationPolicy ns/name` or `ClusterPropagationPolicy name`. */
  label: string;
}

/** One template this dialect places, before overrides. */
interface Scheduled {
  template: Template;
  policy?: BoundPolicy | undefined;
  targets: Map<string, number | undefined>;
  explain: ExplainSection[];
  /** Its policy enables follower scheduling (internal.kubeadmiral.io/enable-follower-scheduling). */
  leads: boolean;
  /** Leaders this follower follows. */
  follows?: Set<string> | undefined;
  /** Dot path the Divide replicas are written to (the type's pathDefinition.replicasSpec). */
  replicasPath?: string | undefined;
  /** False when the type's FederatedTypeConfig runs no overridepolicy-controller. */
  overridden?: boolean | undefined;
  /** Clusters auto-migration capped, with why. */
  migrated?: Array<{ cluster: string; why: string }> | undefined;
}

interface Policies {
  pps: Parsed<PropagationPolicy>[];
  cpps: Parsed<PropagationPolicy>[];
  ops: Parsed<OverridePolicy>[];
  cops: Parsed<OverridePolicy>[];
  types: FederatedTypes;
}

function policiesOf(repo: Repository): Policies {
  const get = <T>(kind: string) => (repo.objects.get(kindKey(KUBEADMIRAL_API, kind)) ?? []) as Parsed<T>[];
  return {
    pps: get<PropagationPolicy>('PropagationPolicy'),
    cpps: get<PropagationPolicy>('ClusterPropagationPolicy'),
    ops: get<OverridePolicy>('OverridePolicy'),
    cops: get<OverridePolicy>('ClusterOverridePolicy'),
    types: new FederatedTypes(get<FederatedTypeConfig>('FederatedTypeConfig')),
  };
}

/** The repository uses KubeAdmiral when it has any of its policies or FederatedClusters. */
function usesKubeAdmiral(repo: Repository, policies: Policies): boolean {
  const count = policies.pps.length + policies.cpps.length + policies.ops.length + policies.cops.length;
  return count > 0 || policies.types.configured || repo.clusters.some((c) => c.declaredBy === 'FederatedCluster');
}

export const kubeAdmiralDialect: Dialect = {
  name: 'kubeadmiral',
  place(ctx: DialectContext): Placement[] {
    const { repo } = ctx;
    const policies = policiesOf(repo);
    if (!usesKubeAdmiral(repo, policies)) return [];
    warnPolicyFields(ctx, [...policies.pps, ...policies.cpps]);
    const scheduled = new Map<string, Scheduled>();
    for (const template of repo.templates) {
      if (ctx.only !== undefined && !ctx.only.has(template.key)) continue;
      const result = scheduleTemplate(ctx, template, policies);
      if (result) scheduled.set(template.key, result);
    }
    followLeaders(ctx, repo.templates, scheduled, policies.types);
    const clustersByName = new Map(repo.clusters.map((c) => [c.name, c]));
    return [...scheduled.values()].flatMap((s) => toPlacement(ctx, s, policies, clustersByName) ?? []);
  },

  /** Followers move with their leaders: the connected groups of leader → follower references. */
  cover(repo, changed) {
    return connectedTemplates(repo.templates, followerKeys, changed);
  },

  overlayLive: overlayFederatedCluster,
};

/** Keys a template names as followers; an invalid followers annotation fails the render elsewhere. */
function followerKeys(template: Template): string[] {
  try {
    return kubeAdmiralFollowers(template.object).map(resourceKey);
  } catch (error) {
    if (error instanceof ManifoldError) return [];
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Binding

/** A policy label that names a policy the repository does not have. */
class BindingError extends Error {
  readonly label: string;
  constructor(label: string, message: string) {
    super(message);
    this.label = label;
  }
}

/**
 * GetMatchedPolicyKey: the namespaced PropagationPolicy label wins over the
 * ClusterPropagationPolicy label; no label, no policy.
 */
function bindPolicy(template: Template, policies: Policies): { policy?: BoundPolicy; lines: string[] } {
  const lines: string[] = [];
  const ppName = template.labels[PROPAGATION_POLICY_LABEL];
  const cppName = template.labels[CLUSTER_PROPAGATION_POLICY_LABEL];
  const namespace = template.id.namespace;
  if (ppName !== undefined && namespace === '') lines.push(`label ${PROPAGATION_POLICY_LABEL} ignored: ${template.id.kind} is cluster-scoped`);
  if (ppName !== undefined && namespace !== '') {
    const parsed = policies.pps.find((p) => p.value.metadata.name === ppName && namespaceOrDefault(p.value.metadata.namespace) === namespace);
    if (parsed === undefined) throw new BindingError(PROPAGATION_POLICY_LABEL, `names PropagationPolicy ${namespace}/${ppName}, which does not exist`);
    if (cppName !== undefined) lines.push(`label ${CLUSTER_PROPAGATION_POLICY_LABEL}=${cppName} ignored: the namespaced policy label wins`);
    return { policy: bound('PropagationPolicy', parsed, namespace), lines };
  }
  if (cppName !== undefined) {
    const parsed = policies.cpps.find((p) => p.value.metadata.name === cppName);
    if (parsed === undefined) throw new BindingError(CLUSTER_PROPAGATION_POLICY_LABEL, `names ClusterPropagationPolicy ${cppName}, which does not exist`);
    return { policy: bound('ClusterPropagationPolicy', parsed, ''), lines };
  }
  return { lines };
}

function bound(kind: PolicyKind, parsed: Parsed<PropagationPolicy>, namespace: string): BoundPolicy {
  const name = parsed.value.metadata.name;
  return {
    kind,
    parsed,
    ref: { kind, namespace: namespace || undefined, name, source: parsed.source },
    label: `${kind} ${namespace ? `${namespace}/` : ''}${name}`,
  };
}

// ---------------------------------------------------------------------------
// Scheduling

function isNamespace(template: Template): boolean {
  return template.id.apiVersion === 'v1' && template.id.kind === 'Namespace';
}

/** nsautoprop: every namespace except kube-* (the KubeAdmiral system namespace among them) and opted-out ones. */
function autoPropagates(template: Template): { yes: boolean; why: string } {
  if (template.id.name.startsWith('kube-')) return { yes: false, why: 'kube-* namespaces are never auto-propagated' };
  if (template.annotations[NO_AUTO_PROPAGATION_ANNOTATION] === 'true') return { yes: false, why: `${NO_AUTO_PROPAGATION_ANNOTATION}: "true"` };
  return { yes: true, why: 'namespace auto-propagation (nsautoprop) sends it to every cluster' };
}

function scheduleTemplate(ctx: DialectContext, template: Template, policies: Policies): Scheduled | undefined {
  let binding: ReturnType<typeof bindPolicy>;
  try {
    binding = bindPolicy(template, policies);
  } catch (error) {
    if (!(error instanceof BindingError)) throw error;
    ctx.error({
      code: 'POLICY_NOT_FOUND',
      file: template.source.file,
      line: template.source.line,
      object: template.id,
      field: `metadata.labels[${error.label}]`,
      message: error.message,
    });
    return undefined;
  }
  const type = federatedType(ctx, template, policies.types, binding.policy !== undefined || isNamespace(template));
  if (type === false) return undefined;
  let namespace = isNamespace(template) ? autoPropagates(template) : undefined;
  if (namespace?.yes && type !== undefined && !type.controllers.has(NSAUTOPROP_CONTROLLER)) {
    namespace = { yes: false, why: `${type.origin} runs no ${NSAUTOPROP_CONTROLLER}: namespaces are not auto-propagated` };
  }
  if (binding.policy === undefined) {
    if (!namespace?.yes) return undefined;
    return {
      template,
      targets: new Map(ctx.repo.clusters.map((c) => [c.name, undefined])),
      explain: [{ title: 'Policy', lines: [...binding.lines, `no policy: ${namespace.why}`] }],
      leads: false,
    };
  }
  const scheduled = scheduleWithPolicy(ctx, template, binding.policy, binding.lines, type);
  if (scheduled && namespace) {
    if (namespace.yes) for (const c of ctx.repo.clusters) if (!scheduled.targets.has(c.name)) scheduled.targets.set(c.name, undefined);
    scheduled.explain.push({ title: 'Namespace', lines: [namespace.yes ? `${namespace.why}, in addition to the policy's placement` : namespace.why] });
  }
  return scheduled;
}

/**
 * Auto-migration for one object (kubeadmiral pkg/controllers/automigration/
 * controller.go estimateCapacity, read back by the scheduler's
 * schedulingunit.go getAutoMigrationInfo): with a policy that enables it and
 * a report, each cluster's estimated capacity from the pods unschedulable
 * past the threshold at the decision time.
 */
function autoMigrationOf(
  ctx: DialectContext,
  template: Template,
  policy: BoundPolicy,
  spec: ReturnType<typeof resolvePropagationSpec>,
): { estimatedCapacity: Record<string, number>; lines: string[]; migrated: Array<{ cluster: string; why: string }> } | undefined {
  const threshold = spec.autoMigration?.when?.podUnschedulableFor;
  if (threshold === undefined || ctx.live === undefined) return undefined;
  const thresholdMs = parseGoDuration(threshold);
  if (thresholdMs === undefined) {
    ctx.error({
      code: 'INVALID_FIELD',
      file: policy.parsed.source.file,
      line: policy.parsed.source.line,
      field: 'spec.autoMigration.when.podUnschedulableFor',
      object: { kind: policy.kind, namespace: policy.ref.namespace, name: policy.ref.name },
      message: `"${threshold}" is not a duration (Go time.ParseDuration: 30s, 1m, 1h30m)`,
    });
    return undefined;
  }
  const { group } = splitApiVersion(template.id.apiVersion);
  const estimatedCapacity: Record<string, number> = {};
  const lines: string[] = [];
  const migrated: Array<{ cluster: string; why: string }> = [];
  for (const observed of [...ctx.live.status.clusters].sort((a, b) => byteOrder(a.cluster, b.cluster))) {
    const workload = observed.live?.workloads?.find(
      (w) => splitApiVersion(w.apiVersion).group === group && w.kind === template.id.kind && (w.namespace ?? '') === (template.id.namespace ?? '') && w.name === template.id.name,
    );
    if (workload === undefined || workload.unschedulable === 0) continue;
    const result = estimateClusterCapacity(workload, ctx.live.status.now, thresholdMs);
    const keep = spec.autoMigration?.keepUnschedulableReplicas === true ? ', kept there (keepUnschedulableReplicas)' : '';
    const why = `${result.unschedulable} pod${result.unschedulable === 1 ? '' : 's'} unschedulable for more than ${threshold}${keep}`;
    if (result.estimatedCapacity === undefined) {
      lines.push(`auto-migration: ${observed.cluster}: ${workload.unschedulable} unschedulable, ${result.unschedulable} past ${threshold}: no estimated capacity`);
      continue;
    }
    estimatedCapacity[observed.cluster] = result.estimatedCapacity;
    lines.push(`auto-migration: ${observed.cluster}: ${why} (of ${workload.desired} desired): estimatedCapacity ${result.estimatedCapacity}`);
    migrated.push({ cluster: observed.cluster, why });
  }
  return { estimatedCapacity, lines, migrated };
}

/** The current placement from the previous render: clusters of the inventory that hold this template. */
function currentPlacement(ctx: DialectContext, template: Template): Map<string, number | null> {
  const current = new Map<string, number | null>();
  if (ctx.previous === undefined) return current;
  for (const cluster of ctx.repo.clusters) {
    const replicas = ctx.previous.replicas.get(cluster.name)?.get(template.key);
    if (replicas !== undefined) current.set(cluster.name, replicas);
  }
  return current;
}

/**
 * The template's FederatedTypeConfig when the source has them (undefined
 * when it has none: built-in behaviour), or false when none federates its
 * kind, which is a warning when a policy or namespace rule would claim it.
 */
function federatedType(ctx: DialectContext, template: Template, types: FederatedTypes, claimed: boolean): ReturnType<FederatedTypes['of']> | false {
  if (!types.configured) return undefined;
  const type = types.of(template);
  if (type !== undefined) return type;
  if (claimed) {
    ctx.warn({
      code: 'TYPE_NOT_FEDERATED',
      file: template.source.file,
      line: template.source.line,
      object: template.id,
      message: `no FederatedTypeConfig of the source has sourceType ${template.id.apiVersion} ${template.id.kind}: KubeAdmiral's federate controller ignores it and nothing propagates`,
    });
  }
  return false;
}

/** Where Divide reads and writes replicas: the FTC's pathDefinition.replicasSpec, or built in spec.replicas of the workload kinds. */
function replicasPathOf(template: Template, type: ReturnType<FederatedTypes['of']>): string | undefined {
  if (type !== undefined) return type.replicasSpec;
  return hasReplicasSpec(splitApiVersion(template.id.apiVersion).group, template.id.kind) ? 'spec.replicas' : undefined;
}

function scheduleWithPolicy(ctx: DialectContext, template: Template, policy: BoundPolicy, bindingLines: string[], type: ReturnType<FederatedTypes['of']>): Scheduled | undefined {
  const replicasPath = replicasPathOf(template, type);
  const overridden = type === undefined || type.controllers.has(OVERRIDE_CONTROLLER);
  const policyLines = [
    `${policy.label} (${policy.parsed.source.file}:${policy.parsed.source.line}) claims it through label ${policy.kind === 'PropagationPolicy' ? PROPAGATION_POLICY_LABEL : CLUSTER_PROPAGATION_POLICY_LABEL}`,
    ...bindingLines,
  ];
  if (type !== undefined) policyLines.push(`type: ${type.origin}, controllers ${[...type.controllers].join(', ') || 'none'}`);
  if (type !== undefined && !type.controllers.has(GLOBAL_SCHEDULER)) {
    return { template, policy, targets: new Map(), explain: [{ title: 'Policy', lines: [...policyLines, `${type.origin} runs no ${GLOBAL_SCHEDULER}: nothing places it, no clusters`] }], leads: false };
  }
  if (template.annotations[NO_SCHEDULING_ANNOTATION] === 'true') {
    return {
      template,
      policy,
      targets: new Map(),
      explain: [{ title: 'Policy', lines: [...policyLines, `${NO_SCHEDULING_ANNOTATION}: "true": the scheduler leaves it alone, no clusters`] }],
      leads: false,
    };
  }
  const spec = resolvePropagationSpec(policy.parsed.value.spec);
  try {
    const { unit, overrides, ignored, notes } = buildSchedulingUnit(template, spec, currentPlacement(ctx, template), replicasPath);
    reportAnnotations(ctx, template, policy, overrides, ignored);
    const migration = unit.mode === 'Divide' ? autoMigrationOf(ctx, template, policy, spec) : undefined;
    if (migration !== undefined && Object.keys(migration.estimatedCapacity).length > 0) unit.estimatedCapacity = migration.estimatedCapacity;
    const result = schedule(unit, ctx.repo.clusters, template.id);
    const unitLines = [
      `mode ${unit.mode}${unit.mode === 'Divide' ? `, ${unit.desiredReplicas} replicas, ${unit.replicasStrategy}` : ''}`,
      `avoidDisruption ${unit.avoidDisruption}, rescheduling ${unit.sticky ? 'disabled (sticky)' : 'enabled'}`,
      `current placement: ${unit.currentClusters.size ? [...unit.currentClusters].map(([c, r]) => `${c} ${r}`).join(', ') : 'none (no previous render)'}`,
      ...notes,
      ...overrides.map((o) => `annotation ${o.annotation}=${o.value} overrides ${o.fields.join(', ')} of ${policy.label}`),
      ...ignored.map((i) => `annotation ignored: ${i}`),
      ...(migration?.lines ?? []),
    ];
    return {
      template,
      policy,
      targets: result.targets,
      explain: [{ title: 'Policy', lines: policyLines }, { title: 'Scheduling unit', lines: unitLines }, ...result.explain],
      leads: !spec.disableFollowerScheduling,
      replicasPath,
      overridden,
      migrated: migration?.migrated,
    };
  } catch (error) {
    if (!(error instanceof SchedulingUnitError || error instanceof SchedulerError || error instanceof ManifoldError)) throw error;
    ctx.error({
      code: 'SCHEDULING_FAILED',
      file: policy.parsed.source.file,
      line: policy.parsed.source.line,
      object: { kind: policy.kind, namespace: policy.ref.namespace, name: policy.ref.name },
      message: `cannot schedule ${describeId(template.id)}: ${error.message}`,
    });
    return undefined;
  }
}

function reportAnnotations(
  ctx: DialectContext,
  template: Template,
  policy: BoundPolicy,
  overrides: ReturnType<typeof buildSchedulingUnit>['overrides'],
  ignored: readonly string[],
): void {
  const at = { file: template.source.file, line: template.source.line, object: template.id };
  for (const o of overrides) {
    ctx.warn({ ...at, code: 'ANNOTATION_OVERRIDES_POLICY', field: `metadata.annotations[${o.annotation}]`, message: `overrides ${o.fields.join(', ')} of ${policy.label}` });
  }
  for (const reason of ignored) ctx.warn({ ...at, code: 'ANNOTATION_IGNORED', message: `annotation ignored, as KubeAdmiral does: ${reason}` });
}

/** Policy fields Manifold reads but cannot act on: say so once per policy. */
function warnPolicyFields(ctx: DialectContext, policies: readonly Parsed<PropagationPolicy>[]): void {
  for (const p of policies) {
    const spec = p.value.spec;
    const object = { kind: p.value.kind, namespace: p.value.metadata.namespace, name: p.value.metadata.name };
    const at = { file: p.source.file, line: p.source.line, object };
    if (spec.schedulingMode !== undefined && spec.schedulingMode !== 'Duplicate' && spec.schedulingMode !== 'Divide') {
      ctx.warn({ ...at, code: 'SCHEDULING_MODE_UNKNOWN', field: 'spec.schedulingMode', message: `"${spec.schedulingMode}" is not Duplicate or Divide; KubeAdmiral schedules it as Duplicate` });
    }
    if (spec.schedulingProfile) {
      ctx.warn({ ...at, code: 'SCHEDULING_PROFILE_IGNORED', field: 'spec.schedulingProfile', message: 'custom scheduling profiles are not modelled; the default profile is used' });
    }
  }
}

// ---------------------------------------------------------------------------
// Followers

/** Follower placement = union of the placements of every leader, unioned with its own (pkg/controllers/follower). */
function followLeaders(ctx: DialectContext, templates: readonly Template[], scheduled: Map<string, Scheduled>, types: FederatedTypes): void {
  const byKey = new Map(templates.map((t) => [t.key, t]));
  for (const leader of [...scheduled.values()]) {
    if (!leader.leads) continue;
    let refs: ReturnType<typeof kubeAdmiralFollowers>;
    try {
      refs = kubeAdmiralFollowers(leader.template.object);
    } catch (error) {
      if (!(error instanceof ManifoldError)) throw error;
      ctx.error({ code: error.code, file: leader.template.source.file, line: leader.template.source.line, object: leader.template.id, message: error.message });
      continue;
    }
    if (refs.length === 0) continue;
    const lines: string[] = [];
    for (const ref of refs) {
      const follower = byKey.get(resourceKey(ref));
      const name = `${ref.kind} ${ref.name}`;
      if (follower === undefined) {
        lines.push(`${name}: not in the repository`);
        continue;
      }
      if (follower.annotations[DISABLE_FOLLOWING_ANNOTATION] === 'true') {
        lines.push(`${name}: opts out (${DISABLE_FOLLOWING_ANNOTATION}: "true")`);
        continue;
      }
      if (types.configured && types.of(follower) === undefined) {
        lines.push(`${name}: no FederatedTypeConfig federates ${follower.id.kind}, so it does not follow`);
        continue;
      }
      addFollower(scheduled, follower, leader);
      lines.push(`${name}: follows to ${[...leader.targets.keys()].sort(byteOrder).join(', ') || '(no clusters)'}`);
    }
    leader.explain.push({ title: 'Followers', lines });
  }
}

function addFollower(scheduled: Map<string, Scheduled>, follower: Template, leader: Scheduled): void {
  const note = `follows ${describeId(leader.template.id)} to ${[...leader.targets.keys()].sort(byteOrder).join(', ') || '(no clusters)'}`;
  const existing = scheduled.get(follower.key);
  if (existing) {
    for (const cluster of leader.targets.keys()) if (!existing.targets.has(cluster)) existing.targets.set(cluster, undefined);
    existing.explain.push({ title: 'Follows', lines: [note] });
    (existing.follows ??= new Set()).add(leader.template.key);
    return;
  }
  scheduled.set(follower.key, {
    template: follower,
    targets: new Map([...leader.targets.keys()].map((c) => [c, undefined])),
    explain: [{ title: 'Follows', lines: [note] }],
    leads: false,
    follows: new Set([leader.template.key]),
  });
}

// ---------------------------------------------------------------------------
// Overrides and member objects

function toPlacement(
  ctx: DialectContext,
  s: Scheduled,
  policies: Policies,
  clustersByName: ReadonlyMap<string, Cluster>,
): Placement | undefined {
  const at = { file: s.template.source.file, line: s.template.source.line, object: s.template.id };
  let boundOverrides: BoundOverridePolicy[];
  try {
    // Without the overridepolicy-controller in its type's controllers, no override policy is applied.
    boundOverrides = s.overridden === false ? [] : lookForMatchedPolicies(s.template, policies.ops, policies.cops);
  } catch (error) {
    if (!(error instanceof OverrideBindingError)) throw error;
    ctx.error({ ...at, code: 'POLICY_NOT_FOUND', field: `metadata.labels[${error.label}]`, message: error.message });
    return undefined;
  }
  const clusters = [...s.targets.keys()].sort(byteOrder);
  const rulesByCluster = new Map<string, MatchedRule[]>();
  for (const name of clusters) {
    try {
      rulesByCluster.set(name, rulesForCluster(boundOverrides, clustersByName.get(name) ?? { name, labels: {} }));
    } catch (error) {
      if (!(error instanceof RuleMatchError)) throw error;
      ctx.error(ruleProblem(error.rule, `spec.overrideRules[${error.rule.ruleIndex}].targetClusters`, `${describeId(s.template.id)}: ${error.message}`));
      return undefined;
    }
  }
  const template = templateForSourceObject(s.template.object);
  const base = objectForCluster(template);
  const patchCache = new Map<string, RulePatchesForCluster>();
  const variables = ctx.repo.settings.kubeadmiral?.extensions?.clusterVariables === true;
  const rulesOf = (cluster: string): MatchedRule[] => rulesByCluster.get(cluster) ?? [];
  // A rule with cluster variables gives every cluster its own values, so its own variant.
  const rulesKey = (cluster: string): string => {
    const rules = rulesOf(cluster);
    return rules.map((r) => r.label).join(',') + (variables && rules.some((r) => usesClusterVariables(r.rule.overriders)) ? `@${cluster}` : '');
  };
  return {
    template: s.template,
    dialect: 'kubeadmiral',
    follows: s.follows === undefined ? undefined : [...s.follows].sort(byteOrder),
    policy: s.policy?.ref,
    clusters,
    variantOf: (cluster) => `${s.targets.get(cluster) ?? ''}|${rulesKey(cluster)}`,
    materialize: (cluster) => {
      const key = rulesKey(cluster);
      let rulePatches = patchCache.get(key);
      if (rulePatches === undefined) {
        const inventory = clustersByName.get(cluster);
        const rules = variables && inventory !== undefined ? expandRuleVariables(rulesOf(cluster), inventory, s.template) : rulesOf(cluster);
        rulePatches = overridePatchesOf(template, rules, s.template, cluster);
        patchCache.set(key, rulePatches);
      }
      return memberObject(base, s, cluster, rulePatches);
    },
    overridesFor: (cluster) => rulesOf(cluster).map((r) => r.label),
    explain: [...s.explain, overridesExplain(boundOverrides, clusters, rulesOf)],
    ...(s.migrated === undefined || s.migrated.length === 0 ? {} : { migrated: s.migrated }),
  };
}

interface RulePatchesForCluster {
  patches: OverridePatch[];
  /** For each patch, the rule that produced it. */
  owners: MatchedRule[];
}

function overrideError(rule: MatchedRule, field: string, message: string): InputError {
  return InputError.single(ruleProblem(rule, field, message));
}

/** The rules with the cluster variables in their overriders replaced (extension `clusterVariables`); an unknown one or a missing label names policy, rule and cluster. */
function expandRuleVariables(rules: readonly MatchedRule[], cluster: Cluster, source: Template): MatchedRule[] {
  return rules.map((r) => {
    try {
      return { ...r, rule: { ...r.rule, overriders: expandClusterVariables(r.rule.overriders, cluster) } };
    } catch (error) {
      if (!(error instanceof ClusterVariableError)) throw error;
      const problem = ruleProblem(r, `spec.overrideRules[${r.ruleIndex}].overriders`, `${error.message} (for ${describeId(source.id)} in cluster ${cluster.name})`);
      throw InputError.single({ ...problem, code: 'CLUSTER_VARIABLE_INVALID' });
    }
  });
}

function ruleProblem(rule: MatchedRule, field: string, message: string): Omit<Problem, 'severity'> {
  const meta = rule.policy.parsed.value.metadata;
  return {
    code: 'OVERRIDE_FAILED',
    file: rule.policy.parsed.source.file,
    line: rule.policy.parsed.lineOf(['spec', 'overrideRules', rule.ruleIndex]),
    object: { kind: rule.policy.kind, namespace: meta.namespace, name: meta.name },
    field,
    message,
  };
}

function overridePatchesOf(template: JsonObject, rules: readonly MatchedRule[], source: Template, cluster: string): RulePatchesForCluster {
  try {
    const perRule = patchesForRules(template, rules);
    return { patches: perRule.flatMap((r) => r.patches), owners: perRule.flatMap((r) => r.patches.map(() => r.rule)) };
  } catch (error) {
    if (!(error instanceof RulePatchError)) throw error;
    throw overrideError(error.rule, `spec.overrideRules[${error.rule.ruleIndex}].${error.where}`, `cannot apply to ${describeId(source.id)} in cluster ${cluster}: ${error.message}`);
  }
}

/** The scheduler's replicas patch, then the override policies' patches, then the managed label. */
function memberObject(base: JsonObject, s: Scheduled, cluster: string, rulePatches: RulePatchesForCluster): JsonObject {
  const replicas = s.targets.get(cluster);
  const scheduler = replicas !== undefined && s.replicasPath !== undefined ? [replicasPatch(replicas, s.replicasPath)] : [];
  const forbidden = forbiddenPatch(rulePatches.patches);
  if (forbidden) {
    const owner = rulePatches.owners[rulePatches.patches.indexOf(forbidden)] as MatchedRule;
    throw overrideError(owner, `spec.overrideRules[${owner.ruleIndex}].overriders.jsonpatch`, `path ${forbidden.path} may not be overridden`);
  }
  try {
    return applyOverrides(base, [...scheduler, ...rulePatches.patches]);
  } catch (error) {
    if (!(error instanceof PatchError)) throw error;
    const owner = rulePatches.owners[error.opIndex - scheduler.length];
    if (owner === undefined) throw error;
    throw overrideError(owner, `spec.overrideRules[${owner.ruleIndex}].overriders`, `cannot apply to ${describeId(s.template.id)} in cluster ${cluster}: ${error.message}`);
  }
}

function overridesExplain(bound: readonly BoundOverridePolicy[], clusters: readonly string[], rulesOf: (c: string) => MatchedRule[]): ExplainSection {
  if (bound.length === 0) return { title: 'Overrides', lines: ['no override policy labels'] };
  const lines = [`bound: ${bound.map((b) => b.label).join(', ')} (cluster policy first)`];
  for (const cluster of clusters) {
    const rules = rulesOf(cluster);
    lines.push(`${cluster}: ${rules.length ? rules.map((r) => r.label).join(', ') : 'no rule matches'}`);
  }
  return { title: 'Overrides', lines };
}
