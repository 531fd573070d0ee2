/**
 * KubeAdmiral cluster selector terms (pkg/util/clusterselector/util.go), built
 * on k8s.io/apimachinery labels.NewRequirement and fields.OneTermEqualSelector:
 * terms are ORed, the requirements of a term ANDed, an empty term matches
 * nothing; `matchFields` knows only `metadata.name` with In/NotIn and exactly
 * one value. An invalid requirement (bad key or value, wrong value count, a
 * non-integer for Gt/Lt) makes the whole evaluation fail, as upstream returns
 * the error immediately.
 */

/**
 * A requirement as the scheduler sees it. Wider than the schema type: the
 * `kubeadmiral.io/affinity` annotation is decoded without enum checks, so an
 * unknown operator surfaces here, as an error, like in labels.NewRequirement.
 */
export interface SelectorRequirement {
  key: string;
  operator: string;
  values?: readonly string[] | undefined;
}

export interface SelectorTerm {
  matchExpressions?: readonly SelectorRequirement[] | undefined;
  matchFields?: readonly SelectorRequirement[] | undefined;
}

export interface TermsMatch {
  matched: boolean;
  /** Set when a requirement is invalid; `matched` is then false. */
  error?: string | undefined;
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** validation.IsQualifiedName: `[prefix/]name`, prefix a DNS subdomain, name ≤ 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  let name = key;
  if (parts.length === 2) {
    const [prefix, rest] = parts as [string, string];
    if (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) return `invalid label key prefix "${prefix}"`;
    name = rest;
  } else if (parts.length > 2) {
    return `invalid label key "${key}": at most one "/"`;
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) return `invalid label key "${key}"`;
  return undefined;
}

/** validation.IsValidLabelValue: empty, or ≤ 63 alphanumerics with `-_.` inside. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value)) return `invalid label value "${value}"`;
  return undefined;
}

/** strconv.ParseInt(s, 10, 64). */
export function parseGoInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/** labels.NewRequirement's validation. */
export function requirementProblem(req: SelectorRequirement): string | undefined {
  const keyProblem = labelKeyProblem(req.key);
  if (keyProblem) return keyProblem;
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) return `${req.operator} on "${req.key}" needs at least one value`;
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0) return `${req.operator} on "${req.key}" takes no values`;
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) return `${req.operator} on "${req.key}" needs exactly one value`;
      if (parseGoInt64(values[0] as string) === undefined) return `${req.operator} on "${req.key}": "${values[0]}" is not an integer`;
      break;
    default:
      return `"${req.operator}" is not a valid cluster selector operator`;
  }
  for (const value of values) {
    const problem = labelValueProblem(value);
    if (problem) return problem;
  }
  return undefined;
}

/** Requirement.Matches on a label set (already validated). */
export function requirementMatches(labels: Readonly<Record<string, string>>, req: SelectorRequirement): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key] ?? '';
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(value);
    case 'NotIn':
      return !has || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has) return false;
      const actual = parseGoInt64(value);
      const bound = parseGoInt64(values[0] as string);
      if (actual === undefined || bound === undefined) return false;
      return req.operator === 'Gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

/**
 * ClusterSelectorRequirementsAsSelector + Matches: every requirement must hold;
 * an empty list is labels.Nothing(); an invalid requirement is reported in `error`.
 */
export function labelRequirementsMatch(labels: Readonly<Record<string, string>>, reqs: readonly SelectorRequirement[]): TermsMatch {
  if (reqs.length === 0) return { matched: false };
  for (const req of reqs) {
    const problem = requirementProblem(req);
    if (problem) return { matched: false, error: problem };
  }
  return { matched: reqs.every((req) => requirementMatches(labels, req)) };
}

/** ClusterSelectorRequirementsAsFieldSelector over fields.Set{"metadata.name": name}. */
function fieldRequirementsMatch(clusterName: string, reqs: readonly SelectorRequirement[]): TermsMatch {
  if (reqs.length === 0) return { matched: false };
  const fields: Record<string, string> = { 'metadata.name': clusterName };
  let matched = true;
  for (const req of reqs) {
    if (req.operator !== 'In' && req.operator !== 'NotIn') {
      return { matched: false, error: `"${req.operator}" is not a valid cluster field selector operator` };
    }
    const values = req.values ?? [];
    if (values.length !== 1) {
      return { matched: false, error: `unexpected number of value (${values.length}) for cluster field selector operator "${req.operator}"` };
    }
    const actual = fields[req.key] ?? '';
    if (req.operator === 'In' ? actual !== values[0] : actual === values[0]) matched = false;
  }
  return { matched };
}

/** MatchClusterSelectorTerms: ORed terms; the first invalid term reached aborts with an error. */
export function matchClusterSelectorTerms(
  terms: readonly SelectorTerm[],
  cluster: { name: string; labels: Readonly<Record<string, string>> },
): TermsMatch {
  for (const term of terms) {
    const expressions = term.matchExpressions ?? [];
    const fields = term.matchFields ?? [];
    if (expressions.length === 0 && fields.length === 0) continue;
    if (expressions.length > 0) {
      const result = labelRequirementsMatch(cluster.labels, expressions);
      if (result.error) return result;
      if (!result.matched) continue;
    }
    if (fields.length > 0) {
      const result = fieldRequirementsMatch(cluster.name, fields);
      if (result.error) return result;
      if (!result.matched) continue;
    }
    return { matched: true };
  }
  return { matched: false };
}

/** labels.SelectorFromSet(...).Matches: every key present with the same value. */
export function matchesSelectorMap(labels: Readonly<Record<string, string>>, selector: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([key, value]) => Object.hasOwn(labels, key) && labels[key] === value);
}
