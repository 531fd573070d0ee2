/**
 * The Federation v1 cluster selector annotation
 * `federation.alpha.kubernetes.io/cluster-selector`, a port of
 * kubernetes-retired/federation pkg/federation-controller/util/clusterselector:
 * a JSON list of `{key, operator, values}` turned into a labels.Selector
 * (k8s.io/apimachinery labels.NewRequirement). Without the annotation an
 * object goes to every cluster; a requirement that does not parse stops the
 * object from syncing anywhere.
 */
import { GoDecodeError, goKindOf, isGoObject, matchField, parseGoJson, parseInt64, type GoJson } from './gojson.ts';

export const CLUSTER_SELECTOR_ANNOTATION = 'federation.alpha.kubernetes.io/cluster-selector';

type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

/** clusterselector.ConvertOperator: the spellings each operator accepts. */
const OPERATORS: Readonly<Record<string, Operator>> = {
  '!': '!',
  DoesNotExist: '!',
  '=': '=',
  '==': '==',
  in: 'in',
  In: 'in',
  '!=': '!=',
  notin: 'notin',
  NotIn: 'notin',
  exists: 'exists',
  Exists: 'exists',
  gt: 'gt',
  Gt: 'gt',
  '>': 'gt',
  lt: 'lt',
  Lt: 'lt',
  '<': 'lt',
};

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** validation.IsQualifiedName: optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const parts = key.split('/');
  if (parts.length > 2) return `invalid label key "${key}"`;
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  if (prefix !== undefined && (prefix === '' || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return `invalid label key "${key}": bad prefix`;
  if (name === '' || name.length > 63 || !QUALIFIED_NAME.test(name)) return `invalid label key "${key}"`;
  return undefined;
}

function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  return value.length > 63 || !QUALIFIED_NAME.test(value) ? `invalid label value "${value}"` : undefined;
}

/** labels.NewRequirement's checks for one parsed requirement. */
function requirementProblem(key: string, operatorText: string, values: readonly string[]): string | undefined {
  const keyProblem = labelKeyProblem(key);
  if (keyProblem) return keyProblem;
  const op = OPERATORS[operatorText];
  if (op === undefined) return `operator "${operatorText}" is not recognized`;
  if ((op === 'in' || op === 'notin') && values.length === 0) return "for 'in', 'notin' operators, values set can't be empty";
  if ((op === '=' || op === '==' || op === '!=') && values.length !== 1) return 'exact-match compatibility requires one single value';
  if ((op === 'exists' || op === '!') && values.length !== 0) return 'values set must be empty for exists and does not exist';
  if (op === 'gt' || op === 'lt') {
    if (values.length !== 1) return "for 'Gt', 'Lt' operators, exactly one value is required";
    if (parseInt64(values[0] as string) === undefined) return "for 'Gt', 'Lt' operators, the value must be an integer";
  }
  for (const v of values) {
    const problem = labelValueProblem(v);
    if (problem) return problem;
  }
  return undefined;
}

/** Parses the annotation; throws GoDecodeError (bad JSON) or SelectorError (bad requirement). */
export function parseClusterSelector(annotation: string): Requirement[] {
  let json: GoJson;
  try {
    json = parseGoJson(annotation);
  } catch (err) {
    throw new GoDecodeError(err instanceof Error ? err.message : String(err));
  }
  if (json === null) return [];
  if (!Array.isArray(json)) throw new GoDecodeError(`cannot unmarshal ${goKindOf(json)} into Go value of type []v1beta1.ClusterSelectorRequirement`);
  return json.map((item) => {
    const raw = { key: '', operator: '', values: [] as string[] };
    if (item !== null) {
      if (!isGoObject(item)) throw new GoDecodeError(`cannot unmarshal ${goKindOf(item)} into Go value of type v1beta1.ClusterSelectorRequirement`);
      for (const [k, v] of Object.entries(item)) {
        const field = matchField(k, ['key', 'operator', 'values'] as const);
        if (field === undefined || v === null) continue;
        if (field === 'values') {
          if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new GoDecodeError(`cannot unmarshal ${goKindOf(v)} into Go struct field ClusterSelectorRequirement.values of type []string`);
          raw.values = v as string[];
        } else {
          if (typeof v !== 'string') throw new GoDecodeError(`cannot unmarshal ${goKindOf(v)} into Go struct field ClusterSelectorRequirement.${field} of type string`);
          raw[field] = v;
        }
      }
    }
    const problem = requirementProblem(raw.key, raw.operator, raw.values);
    if (problem) throw new SelectorError(problem);
    return { key: raw.key, operator: OPERATORS[raw.operator] as Operator, values: raw.values };
  });
}

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

/** labels.Requirement.Matches. */
export function matchesRequirement(labels: Readonly<Record<string, string>>, r: Requirement): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value as string);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value as string);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has) return false;
      const actual = parseInt64(value as string);
      const bound = parseInt64(r.values[0] as string);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/** SendToCluster: true without the annotation; otherwise every requirement must match. */
export function sendToCluster(clusterLabels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>>): boolean {
  const annotation = annotations[CLUSTER_SELECTOR_ANNOTATION];
  if (annotation === undefined) return true;
  return parseClusterSelector(annotation).every((r) => matchesRequirement(clusterLabels, r));
}
