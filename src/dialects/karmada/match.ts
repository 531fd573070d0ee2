/**
 * Which Karmada (Cluster)PropagationPolicy claims a resource template
 * (reference §1.3, §1.4). Selector matching follows pkg/util/selector.go
 * ResourceSelectorPriority; precedence follows pkg/detector/policy.go
 * (getHighestPriorityPropagationPolicy and its CPP twin) and the rule that any
 * matching PropagationPolicy beats every ClusterPropagationPolicy.
 */
import type { ResourceSelector, PropagationSpec } from './schema.ts';
import type { Template } from '../../model/types.ts';
import type { LabelSelector, LabelSelectorRequirement } from '../../model/common.ts';
import { matchLabelSelector } from '../../model/labels.ts';

/** 0 = mismatch, 1 = match-all, 2 = label selector, 3 = name (util.ImplicitPriority). */
export type ImplicitPriority = 0 | 1 | 2 | 3;

/** What a resource selector looks at. `namespace` is '' for cluster-scoped objects. */
export interface SelectorTarget {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
}

export function targetOf(template: Pick<Template, 'id' | 'labels'>): SelectorTarget {
  return { ...template.id, labels: template.labels };
}

/**
 * A label selector as Karmada evaluates it. metav1.LabelSelectorAsSelector
 * refuses an empty key, In/NotIn without values and Exists/DoesNotExist with
 * values; the callers (ClusterMatches, ResourceSelectorPriority) then answer
 * "no match".
 */
export function labelSelectorMatches(labels: Readonly<Record<string, string>>, selector: LabelSelector): boolean {
  if (Object.hasOwn(selector.matchLabels ?? {}, '')) return false;
  for (const req of selector.matchExpressions ?? []) {
    if (!requirementIsValid(req)) return false;
  }
  return matchLabelSelector(labels, selector);
}

function requirementIsValid(req: LabelSelectorRequirement): boolean {
  const count = req.values?.length ?? 0;
  if (req.key === '') return false;
  return req.operator === 'In' || req.operator === 'NotIn' ? count > 0 : count === 0;
}

/** util.ResourceSelectorPriority. */
export function selectorPriority(selector: ResourceSelector, t: SelectorTarget): ImplicitPriority {
  // Exact string compare: apps/v1 never matches apps/v1beta1.
  if (selector.apiVersion !== t.apiVersion || selector.kind !== t.kind) return 0;
  if (selector.namespace && selector.namespace !== t.namespace) return 0;
  // A set name decides alone; the label selector is then ignored.
  if (selector.name) return selector.name === t.name ? 3 : 0;
  if (selector.labelSelector === undefined) return 1;
  return labelSelectorMatches(t.labels, selector.labelSelector) ? 2 : 0;
}

/** util.ResourceMatchSelectorsPriority: the best selector wins. */
export function implicitPriority(selectors: readonly ResourceSelector[], t: SelectorTarget): ImplicitPriority {
  let best: ImplicitPriority = 0;
  for (const selector of selectors) {
    const p = selectorPriority(selector, t);
    if (p > best) best = p;
  }
  return best;
}

/**
 * OverridePolicy / ClusterOverridePolicy selectors: nil or empty
 * `resourceSelectors` match every resource (overridemanager
 * getOverridersFromOverridePolicies), ranked as match-all.
 */
export function overrideSelectorPriority(
  selectors: readonly ResourceSelector[] | undefined,
  t: SelectorTarget,
): ImplicitPriority {
  if (selectors === undefined || selectors.length === 0) return 1;
  return implicitPriority(selectors, t);
}

/**
 * Whether an override policy applies to a template: an OverridePolicy only
 * sees templates in its own namespace (the override manager lists OPs by the
 * resource's namespace); a ClusterOverridePolicy sees every template.
 */
export function overridePolicyMatches(
  policy: { kind: 'OverridePolicy' | 'ClusterOverridePolicy'; namespace: string; resourceSelectors?: readonly ResourceSelector[] | undefined },
  t: SelectorTarget,
): boolean {
  if (policy.kind === 'OverridePolicy' && policy.namespace !== t.namespace) return false;
  return overrideSelectorPriority(policy.resourceSelectors, t) > 0;
}

/** A (Cluster)PropagationPolicy as the matcher sees it. `namespace` is '' for a CPP. */
export interface PropagationPolicyRef {
  kind: 'PropagationPolicy' | 'ClusterPropagationPolicy';
  namespace: string;
  name: string;
  spec: PropagationSpec;
}

export interface RankedPolicy {
  policy: PropagationPolicyRef;
  explicitPriority: number;
  implicitPriority: 1 | 2 | 3;
}

export interface PolicyLoser extends RankedPolicy {
  /** Why it lost to the winner, as a sentence for `manifold explain`. */
  reason: string;
}

export interface PolicyChoice extends RankedPolicy {
  winner: PropagationPolicyRef;
  /** Every other matching policy, best first. */
  losers: PolicyLoser[];
}

/**
 * Namespaces a ClusterPropagationPolicy never selects from
 * (names.IsReservedNamespace: karmada-system, karmada-cluster, karmada-es-*).
 */
export function isReservedNamespace(namespace: string): boolean {
  return namespace === 'karmada-system' || namespace === 'karmada-cluster' || namespace.startsWith('karmada-es-');
}

/**
 * The policy that claims `t`, and why every other matching policy lost, or
 * `undefined` when none matches. Claim stickiness (§1.4.1) is the caller's
 * business: this is the fresh evaluation.
 */
export function pickPropagationPolicy(
  t: SelectorTarget,
  pps: readonly PropagationPolicyRef[],
  cpps: readonly PropagationPolicyRef[],
): PolicyChoice | undefined {
  const matching = rankCandidates(t, [...pps, ...cpps]).sort(comparePrecedence);
  const [best, ...rest] = matching;
  if (best === undefined) return undefined;
  return {
    ...best,
    winner: best.policy,
    losers: rest.map((loser) => ({ ...loser, reason: lossReason(loser, best) })),
  };
}

function rankCandidates(t: SelectorTarget, policies: readonly PropagationPolicyRef[]): RankedPolicy[] {
  const ranked: RankedPolicy[] = [];
  for (const policy of policies) {
    if (!policyCanSee(policy, t)) continue;
    const implicit = implicitPriority(policy.spec.resourceSelectors, t);
    if (implicit === 0) continue;
    ranked.push({ policy, explicitPriority: policy.spec.priority ?? 0, implicitPriority: implicit });
  }
  return ranked;
}

/**
 * LookForMatchedPolicy lists PPs in the object's namespace only, so a PP never
 * sees cluster-scoped objects; its selectors' empty namespace means its own
 * (webhook default), which the namespace check already implies.
 */
function policyCanSee(policy: PropagationPolicyRef, t: SelectorTarget): boolean {
  if (policy.kind === 'PropagationPolicy') return t.namespace !== '' && policy.namespace === t.namespace;
  return !isReservedNamespace(t.namespace);
}

/** Negative when `a` takes precedence over `b`. */
function comparePrecedence(a: RankedPolicy, b: RankedPolicy): number {
  return (
    kindRank(a) - kindRank(b) ||
    b.explicitPriority - a.explicitPriority ||
    b.implicitPriority - a.implicitPriority ||
    compareBytes(a.policy.name, b.policy.name)
  );
}

function kindRank(r: RankedPolicy): number {
  return r.policy.kind === 'PropagationPolicy' ? 0 : 1;
}

/**
 * Go string order: UTF-8 bytes, which is code point order ("A" < "B" < "a",
 * "ab" < "abc"). JS `<` compares UTF-16 units and differs above U+FFFF.
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  // Walks code points in place (no arrays: this sorts every cluster list once per template).
  let i = 0;
  while (i < a.length && i < b.length) {
    const x = a.codePointAt(i) as number;
    const d = x - (b.codePointAt(i) as number);
    if (d !== 0) return d;
    i += x > 0xffff ? 2 : 1;
  }
  return codePointCount(a, i) - codePointCount(b, i);
}

/** Code points in `s` from unit `from` on. */
function codePointCount(s: string, from: number): number {
  let n = 0;
  for (let i = from; i < s.length; i += (s.codePointAt(i) as number) > 0xffff ? 2 : 1) n++;
  return n;
}

const IMPLICIT_NAMES: Record<1 | 2 | 3, string> = {
  1: 'match-all selector',
  2: 'label selector match',
  3: 'name match',
};

function lossReason(loser: RankedPolicy, winner: RankedPolicy): string {
  if (kindRank(loser) !== kindRank(winner)) {
    return 'namespaced PropagationPolicy wins over ClusterPropagationPolicy';
  }
  if (loser.explicitPriority !== winner.explicitPriority) {
    return `lower explicit priority ${loser.explicitPriority} < ${winner.explicitPriority}`;
  }
  if (loser.implicitPriority !== winner.implicitPriority) {
    return (
      `same explicit priority ${loser.explicitPriority}, weaker selector: ` +
      `${IMPLICIT_NAMES[loser.implicitPriority]} < ${IMPLICIT_NAMES[winner.implicitPriority]}`
    );
  }
  return `same priority, name '${loser.policy.name}' > '${winner.policy.name}'`;
}
