/**
 * Which Karmada override rules apply to a template in a cluster, and applying
 * them (reference §1.8): all matching ClusterOverridePolicies, then
 * OverridePolicies of the template's namespace; each group ordered match-all <
 * label < name, then by name; every rule whose targetCluster matches, in order.
 */
import { InputError } from '../../errors/index.ts';
import type { Parsed } from '../../load/repository.ts';
import type { Cluster, JsonObject, Template } from '../../model/types.ts';
import type { KarmadaSettings } from '../../model/settings.ts';
import type { z } from 'zod';
import { overridePolicyMatches, overrideSelectorPriority, targetOf } from './match.ts';
import { applyOverriders, orderOverridePolicies } from './overriders.ts';
import { clusterMatchesAffinity } from './placement.ts';
import type { OverridePolicy, RuleWithCluster } from './schema.ts';
import { namespaceOrDefault } from '../../model/scope.ts';
import { ClusterVariableError, expandClusterVariables, usesClusterVariables } from '../../model/cluster-variables.ts';

export interface OverrideRuleRef {
  policy: Parsed<OverridePolicy>;
  kind: 'OverridePolicy' | 'ClusterOverridePolicy';
  ruleIndex: number;
  rule: RuleWithCluster;
  /** `ClusterOverridePolicy name rule[0]`, for provenance and errors. */
  label: string;
}

interface MatchingPolicy {
  kind: 'OverridePolicy' | 'ClusterOverridePolicy';
  name: string;
  implicitPriority: 1 | 2 | 3;
  parsed: Parsed<OverridePolicy>;
}

/** The rules (deprecated targetCluster/overriders pair as one rule) of a policy. */
function rulesOf(spec: OverridePolicy['spec']): RuleWithCluster[] {
  if (spec.overrideRules !== undefined) return spec.overrideRules;
  if (spec.overriders !== undefined) return [{ targetCluster: spec.targetCluster, overriders: spec.overriders }];
  return [];
}

/** Ordered rules of every policy matching the template; cluster matching happens per cluster. */
export function matchingOverrideRules(
  template: Template,
  ops: readonly Parsed<OverridePolicy>[],
  cops: readonly Parsed<OverridePolicy>[],
  onlyClusterPolicies: boolean,
): OverrideRuleRef[] {
  const target = targetOf(template);
  const matching: MatchingPolicy[] = [];
  const consider = (kind: MatchingPolicy['kind'], list: readonly Parsed<OverridePolicy>[]) => {
    for (const parsed of list) {
      const meta = parsed.value.metadata;
      const ref = { kind, namespace: namespaceOrDefault(meta.namespace), resourceSelectors: parsed.value.spec.resourceSelectors };
      // OverridePolicies apply to namespaced templates only.
      if (kind === 'OverridePolicy' && template.id.namespace === '') continue;
      if (!overridePolicyMatches(ref, target)) continue;
      const priority = overrideSelectorPriority(parsed.value.spec.resourceSelectors, target);
      matching.push({ kind, name: meta.name, implicitPriority: priority as 1 | 2 | 3, parsed });
    }
  };
  consider('ClusterOverridePolicy', cops);
  if (!onlyClusterPolicies) consider('OverridePolicy', ops);
  return orderOverridePolicies(matching).flatMap((m) =>
    rulesOf(m.parsed.value.spec).map((rule, ruleIndex) => ({
      policy: m.parsed,
      kind: m.kind,
      ruleIndex,
      rule,
      label: `${m.kind} ${m.kind === 'OverridePolicy' ? `${namespaceOrDefault(m.parsed.value.metadata.namespace)}/` : ''}${m.name} rule[${ruleIndex}]`,
    })),
  );
}

/** Rules whose targetCluster (nil or {} = every cluster) matches this cluster. */
export function rulesForCluster(rules: readonly OverrideRuleRef[], cluster: Cluster): OverrideRuleRef[] {
  return rules.filter((r) => r.rule.targetCluster === undefined || clusterMatchesAffinity(cluster, r.rule.targetCluster).matched);
}

/**
 * rulesForCluster for one rule list and many clusters: the same rules in the
 * same order. A rule whose targetCluster only lists clusterNames matches
 * exactly the clusters it names (util.ClusterMatches with nothing else set),
 * so those rules are looked up by name; the others are matched one by one.
 * A policy with one rule per cluster (a label per cluster, issue 19's fleet)
 * is otherwise clusters × rules matches: a million at 1,000 clusters.
 */
export function rulesByCluster(rules: readonly OverrideRuleRef[]): (cluster: Cluster) => OverrideRuleRef[] {
  const byName = new Map<string, number[]>();
  const others: number[] = [];
  rules.forEach((r, i) => {
    const target = r.rule.targetCluster;
    if (target === undefined || !namesOnly(target)) {
      others.push(i);
      return;
    }
    for (const name of new Set(target.clusterNames)) {
      const list = byName.get(name);
      if (list === undefined) byName.set(name, [i]);
      else list.push(i);
    }
  });
  return (cluster) => {
    const matched = others.filter((i) => {
      const target = (rules[i] as OverrideRuleRef).rule.targetCluster;
      return target === undefined || clusterMatchesAffinity(cluster, target).matched;
    });
    const named = byName.get(cluster.name) ?? [];
    const order = named.length === 0 ? matched : [...matched, ...named].sort((a, b) => a - b);
    return order.map((i) => rules[i] as OverrideRuleRef);
  };
}

/** A targetCluster that names clusters and sets nothing else (an empty clusterNames means every cluster). */
function namesOnly(target: NonNullable<OverrideRuleRef['rule']['targetCluster']>): boolean {
  return (
    target.labelSelector === undefined &&
    target.fieldSelector === undefined &&
    (target.exclude ?? []).length === 0 &&
    (target.clusterNames ?? []).length > 0
  );
}

/**
 * Applies the rules in order. Where Karmada would silently skip the cluster's
 * Work because an override fails, Manifold fails the render naming the
 * policy, the rule and the cluster.
 */
export function applyOverrideRules(
  obj: JsonObject,
  rules: readonly OverrideRuleRef[],
  cluster: string,
  template: Template,
  settings: z.infer<typeof KarmadaSettings> | undefined,
  inventory?: Cluster,
): { object: JsonObject; warnings: string[] } {
  let current = obj;
  const warnings: string[] = [];
  for (const r of rules) {
    const overriders = settings?.extensions?.clusterVariables === true && inventory !== undefined ? expandRuleVariables(r, inventory, template) : r.rule.overriders;
    try {
      const result = applyOverriders(current, overriders, {
        extensions: {
          initContainersAndCronJob: settings?.extensions?.initContainersAndCronJob,
          keepDigest: settings?.extensions?.keepImageDigest,
        },
      });
      current = result.object;
      warnings.push(...result.warnings);
    } catch (err) {
      const data = (err as { data?: { overrider?: string; index?: number; path?: string } }).data ?? {};
      const where = data.overrider !== undefined ? `overriders.${data.overrider}[${data.index ?? 0}]` : 'overriders';
      const reason = err instanceof Error ? err.message : String(err);
      throw InputError.single({
        code: 'OVERRIDE_FAILED',
        file: r.policy.source.file,
        line: r.policy.lineOf(['spec', 'overrideRules', r.ruleIndex]),
        object: { kind: r.kind, namespace: r.policy.value.metadata.namespace, name: r.policy.value.metadata.name },
        field: `spec.overrideRules[${r.ruleIndex}].${where}`,
        message: `cannot apply to ${template.id.kind} ${template.id.namespace ? `${template.id.namespace}/` : ''}${template.id.name} in cluster ${cluster}: ${reason}`,
      });
    }
  }
  return { object: current, warnings };
}

/** Whether a rule's overriders mention a cluster variable (then each cluster gets its own object). */
export function ruleUsesClusterVariables(r: OverrideRuleRef): boolean {
  return usesClusterVariables(r.rule.overriders);
}

/** The rule's overriders with the cluster variables replaced (extension `clusterVariables`); an unknown one or a missing label names policy, rule and cluster. */
function expandRuleVariables(r: OverrideRuleRef, cluster: Cluster, template: Template): RuleWithCluster['overriders'] {
  try {
    return expandClusterVariables(r.rule.overriders, cluster);
  } catch (err) {
    if (!(err instanceof ClusterVariableError)) throw err;
    throw InputError.single({
      code: 'CLUSTER_VARIABLE_INVALID',
      file: r.policy.source.file,
      line: r.policy.lineOf(['spec', 'overrideRules', r.ruleIndex]),
      object: { kind: r.kind, namespace: r.policy.value.metadata.namespace, name: r.policy.value.metadata.name },
      field: `spec.overrideRules[${r.ruleIndex}].overriders`,
      message: `${err.message} (for ${template.id.kind} ${template.id.namespace ? `${template.id.namespace}/` : ''}${template.id.name} in cluster ${cluster.name})`,
    });
  }
}
