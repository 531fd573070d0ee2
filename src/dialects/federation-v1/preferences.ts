/**
 * The Federation v1 replica preferences annotations (reference §3):
 * `federation.kubernetes.io/replica-set-preferences` on ReplicaSets
 * (pkg/federatedtypes/replicaset.go) and
 * `federation.kubernetes.io/deployment-preferences` on Deployments
 * (deployment.go). The value is the JSON of fedapi.ReplicaAllocationPreferences
 * (apis/federation/types.go), a Go type without json tags:
 *
 *   {Rebalance bool; Clusters map[string]{MinReplicas int64; MaxReplicas *int64; Weight int64}}
 *
 * decoded by encoding/json (pkg/federation-controller/util/replicapreferences).
 * A decoding error is only logged upstream: the controller then schedules
 * with `{"*": {Weight: 1}}` (pkg/federatedtypes/scheduling.go GetSchedule).
 */
import type { ClusterPreference, PlannerPreferences } from '../../model/replica-planner.ts';
import { GoDecodeError, decodeInt64, goKindOf, isGoObject, matchField, parseGoJson, type GoJson } from './gojson.ts';

export const REPLICA_SET_PREFERENCES = 'federation.kubernetes.io/replica-set-preferences';
export const DEPLOYMENT_PREFERENCES = 'federation.kubernetes.io/deployment-preferences';

/** What the controller uses when the annotation is missing or does not decode. */
export const DEFAULT_PREFERENCES: PlannerPreferences = { clusters: { '*': { weight: 1 } } };

/**
 * `ok: false` where Go returns an error (the controller falls back to the
 * default); `unsupported` where Go decodes a value Manifold cannot plan with.
 */
export type PreferencesResult = { ok: true; preferences: PlannerPreferences } | { ok: false; error: string; unsupported?: boolean };

const TOP_FIELDS = ['Rebalance', 'Clusters'] as const;
const CLUSTER_FIELDS = ['MinReplicas', 'MaxReplicas', 'Weight'] as const;

/** json.Unmarshal into ReplicaAllocationPreferences; `{ok: false}` where Go returns an error. */
export function parsePreferences(text: string): PreferencesResult {
  let json: GoJson;
  try {
    json = parseGoJson(text);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  try {
    return { ok: true, preferences: decodePreferences(json) };
  } catch (err) {
    if (err instanceof GoDecodeError) return { ok: false, error: err.message };
    if (err instanceof UnsupportedPreference) return { ok: false, error: err.message, unsupported: true };
    throw err;
  }
}

function decodePreferences(json: GoJson): PlannerPreferences {
  const out: PlannerPreferences = { clusters: {} };
  if (json === null) return out; // json.Unmarshal of null leaves the zero value
  if (!isGoObject(json)) throw new GoDecodeError(`cannot unmarshal ${goKindOf(json)} into Go value of type federation.ReplicaAllocationPreferences`);
  for (const [key, value] of Object.entries(json)) {
    const field = matchField(key, TOP_FIELDS);
    if (field === 'Rebalance') {
      if (value === null) continue;
      if (typeof value !== 'boolean') throw new GoDecodeError(`cannot unmarshal ${goKindOf(value)} into Go struct field ReplicaAllocationPreferences.Rebalance of type bool`);
      out.rebalance = value;
    } else if (field === 'Clusters') {
      if (value === null) {
        out.clusters = {};
        continue;
      }
      if (!isGoObject(value)) {
        throw new GoDecodeError(`cannot unmarshal ${goKindOf(value)} into Go struct field ReplicaAllocationPreferences.Clusters of type map[string]federation.ClusterPreferences`);
      }
      for (const [cluster, pref] of Object.entries(value)) out.clusters[cluster] = decodeCluster(pref);
    }
  }
  return out;
}

function decodeCluster(json: GoJson): ClusterPreference {
  const pref: ClusterPreference = {};
  if (json === null) return pref;
  if (!isGoObject(json)) throw new GoDecodeError(`cannot unmarshal ${goKindOf(json)} into Go value of type federation.ClusterPreferences`);
  for (const [key, value] of Object.entries(json)) {
    const field = matchField(key, CLUSTER_FIELDS);
    if (field === undefined) continue;
    if (value === null) {
      if (field === 'MaxReplicas') pref.maxReplicas = undefined;
      continue;
    }
    const n = decodeInt64(value, `ClusterPreferences.${field}`);
    if (n < 0n || n > BigInt(Number.MAX_SAFE_INTEGER)) {
      // Go would run the planner with it; Manifold's planner takes non-negative safe integers only.
      throw new UnsupportedPreference(`ClusterPreferences.${field} = ${n}: Manifold supports 0 to ${Number.MAX_SAFE_INTEGER}`);
    }
    if (field === 'MinReplicas') pref.minReplicas = Number(n);
    else if (field === 'MaxReplicas') pref.maxReplicas = Number(n);
    else pref.weight = Number(n);
  }
  return pref;
}

/** A value Go accepts but Manifold cannot plan with (negative or beyond 2^53). */
export class UnsupportedPreference extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedPreference';
  }
}
