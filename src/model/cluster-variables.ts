/**
 * Per-cluster values in override policies: KubeFleet's override variables,
 * extended to the inventory's provider, region and zones.
 *
 * KubeFleet (kubefleet-dev/kubefleet apis/placement/v1beta1/commons.go
 * OverrideClusterNameVariable, OverrideClusterLabelKeyVariablePrefix;
 * pkg/controllers/workgenerator/override.go applyJSONPatchOverride,
 * replaceClusterLabelKeyVariables) replaces, in a JSON patch value:
 *  - `${MEMBER-CLUSTER-NAME}` by the member cluster's name;
 *  - `${MEMBER-CLUSTER-LABEL-KEY-<key>}` by the value of label <key> (the key
 *    runs to the first `}`, case-sensitive); a missing label or a missing
 *    closing `}` fails the override.
 * Variables are case-sensitive and there is no escape. Manifold follows that
 * and adds `${MEMBER-CLUSTER-PROVIDER}`, `${MEMBER-CLUSTER-REGION}`,
 * `${MEMBER-CLUSTER-ZONE}` (the one zone) and `${MEMBER-CLUSTER-ZONES}`
 * (comma-separated). Where KubeFleet leaves any other `${MEMBER-CLUSTER-…}`
 * text as it is, Manifold refuses it: a misspelt variable must not reach a
 * cluster as literal text. Other `${…}` text (shell, Helm) is left alone.
 *
 * KubeFleet replaces in the raw JSON text of the value; Manifold replaces in
 * each string (keys and values) of the parsed value, which gives the same
 * result except that a value holding a quote cannot break the JSON.
 */
import type { Cluster, JsonValue } from './types.ts';

export const CLUSTER_VARIABLE_PREFIX = '${MEMBER-CLUSTER-';
const LABEL_PREFIX = '${MEMBER-CLUSTER-LABEL-KEY-';

/** A variable that cannot be replaced for this cluster; callers add the policy, rule and cluster. */
export class ClusterVariableError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(message);
    this.name = 'ClusterVariableError';
    this.variable = variable;
  }
}

/** Whether any string (key or value) of `value` mentions a cluster variable. */
export function usesClusterVariables(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(CLUSTER_VARIABLE_PREFIX);
  if (Array.isArray(value)) return value.some(usesClusterVariables);
  if (typeof value === 'object' && value !== null) return Object.entries(value).some(([k, v]) => k.includes(CLUSTER_VARIABLE_PREFIX) || usesClusterVariables(v));
  return false;
}

/** `value` with every cluster variable in its strings replaced. Throws ClusterVariableError. */
export function expandClusterVariables<T>(value: T, cluster: Cluster): T {
  return expandValue(value as JsonValue, cluster) as T;
}

function expandValue(value: JsonValue, cluster: Cluster): JsonValue {
  if (typeof value === 'string') return expandString(value, cluster);
  if (Array.isArray(value)) return value.map((v) => expandValue(v, cluster));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [expandString(k, cluster), expandValue(v, cluster)]));
  }
  return value;
}

/** One string with its variables replaced, left to right (a replaced value is not scanned again). */
export function expandString(text: string, cluster: Cluster): string {
  let out = '';
  let rest = text;
  for (;;) {
    const start = rest.indexOf(CLUSTER_VARIABLE_PREFIX);
    if (start < 0) return out + rest;
    const end = rest.indexOf('}', start);
    if (end < 0) throw new ClusterVariableError(rest.slice(start), `${rest.slice(start)} is missing the closing \`}\``);
    const variable = rest.slice(start, end + 1);
    out += rest.slice(0, start) + variableValue(variable, cluster);
    rest = rest.slice(end + 1);
  }
}

function variableValue(variable: string, cluster: Cluster): string {
  if (variable.startsWith(LABEL_PREFIX)) {
    const key = variable.slice(LABEL_PREFIX.length, -1);
    const value = cluster.labels[key];
    if (value === undefined) throw new ClusterVariableError(variable, `label key ${key} not found on cluster ${cluster.name}`);
    return value;
  }
  const missing = (what: string) => new ClusterVariableError(variable, `cluster ${cluster.name} has no ${what} in the inventory`);
  switch (variable) {
    case '${MEMBER-CLUSTER-NAME}':
      return cluster.name;
    case '${MEMBER-CLUSTER-PROVIDER}':
      if (!cluster.provider) throw missing('provider');
      return cluster.provider;
    case '${MEMBER-CLUSTER-REGION}':
      if (!cluster.region) throw missing('region');
      return cluster.region;
    case '${MEMBER-CLUSTER-ZONE}':
      if (cluster.zones.length === 0) throw missing('zone');
      if (cluster.zones.length > 1) throw new ClusterVariableError(variable, `cluster ${cluster.name} has ${cluster.zones.length} zones (${cluster.zones.join(', ')}); use \${MEMBER-CLUSTER-ZONES}`);
      return cluster.zones[0] as string;
    case '${MEMBER-CLUSTER-ZONES}':
      if (cluster.zones.length === 0) throw missing('zones');
      return cluster.zones.join(',');
    default:
      throw new ClusterVariableError(
        variable,
        `unknown variable ${variable} (known: \${MEMBER-CLUSTER-NAME}, \${MEMBER-CLUSTER-LABEL-KEY-<key>}, \${MEMBER-CLUSTER-PROVIDER}, \${MEMBER-CLUSTER-REGION}, \${MEMBER-CLUSTER-ZONE}, \${MEMBER-CLUSTER-ZONES})`,
      );
  }
}
