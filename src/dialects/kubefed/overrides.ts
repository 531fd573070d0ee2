/**
 * KubeFed overrides (reference §2.5), ports of
 * kubernetes-retired/kubefed pkg/controller/util/overrides.go (GetOverrides,
 * ApplyJSONPatch) and pkg/schedulingtypes/plugin.go (updateOverridesMap).
 *
 * A cluster's overrides form one JSON patch applied with evanphx/json-patch
 * v4 semantics (`lenient`: replace of a missing key whose parent exists adds
 * it). An empty `op` means replace.
 */
import type { JsonObject, JsonValue } from '../../model/types.ts';
import { applyPatch, type PatchOp } from '../../render/jsonpatch.ts';
import type { OverrideItem } from './schema.ts';

/**
 * Paths that may not be overridden: name and namespace associate the
 * federated object with its members, and kind always comes from the
 * FederatedTypeConfig. `/apiVersion` may be overridden.
 */
export const FORBIDDEN_PATHS: ReadonlySet<string> = new Set(['/metadata/namespace', '/metadata/name', '/metadata/generateName', '/kind']);

export const REPLICAS_PATH = '/spec/replicas';

/** One override of one cluster, remembering where it came from. */
export interface ClusterOverride {
  op?: string | undefined;
  path: string;
  value?: JsonValue | undefined;
  /** `spec.overrides[i].clusterOverrides[j]`, or the RSP that set it. */
  origin: string;
}

/** clusterName → its overrides, in order. */
export type OverridesMap = Map<string, ClusterOverride[]>;

export interface OverrideProblem {
  /** Field path inside the federated object. */
  field: (string | number)[];
  message: string;
}

/**
 * GetOverrides: every problem upstream would stop at (a cluster listed twice,
 * a path listed twice for one cluster, a forbidden path), reported together.
 */
export function getOverrides(items: readonly OverrideItem[] | null | undefined): { overrides: OverridesMap; problems: OverrideProblem[] } {
  const overrides: OverridesMap = new Map();
  const problems: OverrideProblem[] = [];
  (items ?? []).forEach((item, i) => {
    const clusterName = item.clusterName ?? '';
    if (overrides.has(clusterName)) {
      problems.push({ field: ['spec', 'overrides', i, 'clusterName'], message: `cluster "${clusterName}" appears more than once` });
      return;
    }
    const paths = new Set<string>();
    const list: ClusterOverride[] = [];
    (item.clusterOverrides ?? []).forEach((o, j) => {
      const field = ['spec', 'overrides', i, 'clusterOverrides', j, 'path'];
      if (FORBIDDEN_PATHS.has(o.path)) {
        problems.push({ field, message: `override[${j}] for cluster "${clusterName}" has an invalid path: ${o.path} (name, namespace, generateName and kind cannot be overridden)` });
        return;
      }
      if (paths.has(o.path)) {
        problems.push({ field, message: `path "${o.path}" appears more than once for cluster "${clusterName}"` });
        return;
      }
      paths.add(o.path);
      list.push({ op: o.op, path: o.path, value: o.value as JsonValue | undefined, origin: `spec.overrides[${i}].clusterOverrides[${j}]` });
    });
    overrides.set(clusterName, list);
  });
  return { overrides, problems };
}

/**
 * updateOverridesMap (plugin.go): clusters outside the schedule lose their
 * first `/spec/replicas` override; scheduled clusters get the scheduled
 * count, in their first `/spec/replicas` override (keeping its op) or in a
 * new one appended with an empty op. Returns a new map; the input is unchanged.
 */
export function updateOverridesMap(overrides: OverridesMap, replicas: ReadonlyMap<string, number>, origin: string): OverridesMap {
  const out: OverridesMap = new Map([...overrides].map(([cluster, list]) => [cluster, [...list]]));
  for (const [cluster, list] of out) {
    if (replicas.has(cluster)) continue;
    const i = list.findIndex((o) => o.path === REPLICAS_PATH);
    if (i >= 0) list.splice(i, 1);
  }
  for (const [cluster, count] of replicas) {
    const list = out.get(cluster) ?? [];
    const i = list.findIndex((o) => o.path === REPLICAS_PATH);
    const existing = list[i];
    if (existing) list[i] = { ...existing, value: count, origin: `${origin}, replacing the value of ${existing.origin}` };
    else list.push({ path: REPLICAS_PATH, value: count, origin });
    out.set(cluster, list);
  }
  return out;
}

/** The overrides as the patch ApplyJSONPatch builds: an empty op defaults to replace. */
export function toPatch(overrides: readonly ClusterOverride[]): PatchOp[] {
  return overrides.map((o) => {
    const op = o.op === undefined || o.op === '' ? 'replace' : o.op;
    if (op === 'remove') return { op, path: o.path };
    if (op !== 'add' && op !== 'replace') throw new Error(`unsupported override op ${op}`);
    return o.value === undefined ? { op, path: o.path } : { op, path: o.path, value: o.value };
  });
}

/** ApplyJSONPatch: one atomic lenient patch; throws PatchError naming the failing operation. */
export function applyClusterOverrides(obj: JsonObject, overrides: readonly ClusterOverride[]): JsonObject {
  if (overrides.length === 0) return obj;
  return applyPatch(obj, toPatch(overrides), 'lenient') as JsonObject;
}
