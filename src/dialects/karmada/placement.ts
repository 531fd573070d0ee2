/**
 * Karmada cluster selection: which member clusters a placement may use
 * (reference §1.6). Mirrors pkg/util/selector.go ClusterMatches, the scheduler
 * filter plugins (pkg/scheduler/framework/plugins) and the ordered fallback over
 * clusterAffinities (pkg/scheduler/scheduler.go
 * scheduleResourceBindingWithClusterAffinities).
 */
import type { Cluster } from '../../model/types.ts';
import type { LabelSelector, LabelSelectorRequirement } from '../../model/common.ts';
import { matchLabelSelector, matchRequirement } from '../../model/labels.ts';
import type { ClusterAffinity } from './schema.ts';

export interface MatchResult {
  matched: boolean;
  /** Why the cluster did not match, as a sentence fragment for `manifold explain`. */
  reason?: string;
}

type FieldRequirement = NonNullable<NonNullable<ClusterAffinity['fieldSelector']>['matchExpressions']>[number];

/**
 * util.ClusterMatches: exclude, labelSelector, fieldSelector (provider/region
 * as labels, zone against spec.zones), clusterNames, all ANDed.
 */
export function clusterMatchesAffinity(cluster: Cluster, affinity: ClusterAffinity): MatchResult {
  if ((affinity.exclude ?? []).includes(cluster.name)) {
    return { matched: false, reason: 'excluded by name' };
  }
  if (affinity.labelSelector !== undefined && !labelSelectorMatches(cluster.labels, affinity.labelSelector)) {
    return { matched: false, reason: `label selector ${formatLabelSelector(affinity.labelSelector)} does not match` };
  }
  for (const req of affinity.fieldSelector?.matchExpressions ?? []) {
    const failure = fieldRequirementFailure(cluster, req);
    if (failure !== undefined) return { matched: false, reason: failure };
  }
  const names = affinity.clusterNames ?? [];
  if (names.length > 0 && !names.includes(cluster.name)) {
    return { matched: false, reason: `not in clusterNames [${names.join(',')}]` };
  }
  return { matched: true };
}

/**
 * A label selector as Karmada evaluates it. metav1.LabelSelectorAsSelector
 * refuses an empty key, In/NotIn without values and Exists/DoesNotExist with
 * values; the callers (ClusterMatches, ResourceSelectorPriority) then answer
 * "no match".
 */
export function labelSelectorMatches(labels: Record<string, string>, selector: LabelSelector): boolean {
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

/** One fieldSelector expression; `undefined` when it matches. */
function fieldRequirementFailure(cluster: Cluster, req: FieldRequirement): string | undefined {
  const values = req.values ?? [];
  const list = `[${values.join(',')}]`;
  if (req.key === 'zone') {
    // Zones are a list: In needs an overlap, NotIn needs none (selector.go).
    const overlap = cluster.zones.some((z) => values.includes(z));
    if (req.operator === 'In' && !overlap) {
      return cluster.zones.length === 0 ? `has no zones, zone not in ${list}` : `zone not in ${list}`;
    }
    if (req.operator === 'NotIn' && overlap) return `zone in ${list}`;
    return undefined;
  }
  // provider/region go through labels.NewRequirement, which rejects In/NotIn
  // with no values: the selector is invalid and ClusterMatches says no.
  if (values.length === 0) return `fieldSelector ${req.key} ${req.operator} has no values`;
  const fields = clusterFields(cluster);
  if (matchRequirement(fields, { key: req.key, operator: req.operator, values })) return undefined;
  const actual = fields[req.key];
  const has = actual === undefined ? `has no ${req.key}` : `${req.key} ${actual}`;
  return req.operator === 'In' ? `${has}, not in ${list}` : `${has}, which is in ${list}`;
}

/** extractClusterFields: provider and region as a label set, empty values left out. */
function clusterFields(cluster: Cluster): Record<string, string> {
  const fields: Record<string, string> = {};
  if (cluster.provider) fields['provider'] = cluster.provider;
  if (cluster.region) fields['region'] = cluster.region;
  return fields;
}

/** labels.Selector String() style: `env=prod,tier in (a,b),!gpu`. */
export function formatLabelSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const req of selector.matchExpressions ?? []) {
    const values = (req.values ?? []).join(',');
    switch (req.operator) {
      case 'In':
        parts.push(`${req.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${req.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(req.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${req.key}`);
        break;
    }
  }
  return parts.length === 0 ? '{}' : parts.join(',');
}
