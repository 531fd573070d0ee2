/**
 * Helpers the two replica planners share (KubeFed's planner.go and
 * KubeAdmiral's fork of it): record lookups that ignore inherited keys, a
 * result in cluster order, and the input check. Dialects do not import each
 * other, so they live here.
 */
import { ManifoldError } from '../errors/index.ts';

/** `record[key]` only when the record itself has the key ("constructor" is a valid cluster name). */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The values as a record in the order of `clusters` (the order planner output is printed and compared in). */
export function inOrder(clusters: readonly string[], values: ReadonlyMap<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const name of clusters) {
    const value = values.get(name);
    if (value !== undefined) result[name] = value;
  }
  return result;
}

export interface PlannerInputCheck {
  total: number;
  clusters: readonly string[];
  preferences: Record<string, { minReplicas?: number | undefined; maxReplicas?: number | undefined; weight?: number | undefined }>;
  /** Other per-cluster counts by label (current, capacity, …). */
  counts: Record<string, Record<string, number> | undefined>;
}

/** planner.go: "DOES NOT SUPPORT negative values": integer arithmetic over non-negative counts; anything else is a caller bug. */
export function checkPlannerInput(input: PlannerInputCheck): void {
  const problems: string[] = [];
  const check = (label: string, value: number | undefined): void => {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) problems.push(`${label} = ${value}`);
  };
  check('total', input.total);
  for (const [name, pref] of Object.entries(input.preferences)) {
    check(`${name}.minReplicas`, pref.minReplicas);
    check(`${name}.maxReplicas`, pref.maxReplicas);
    check(`${name}.weight`, pref.weight);
  }
  for (const [label, record] of Object.entries(input.counts)) {
    for (const [name, value] of Object.entries(record ?? {})) check(`${label}.${name}`, value);
  }
  if (new Set(input.clusters).size !== input.clusters.length) problems.push('duplicate cluster names');
  if (problems.length > 0) {
    throw new ManifoldError('PLANNER_INPUT_INVALID', `replica planner needs non-negative integers: ${problems.join(', ')}`, { problems });
  }
}
