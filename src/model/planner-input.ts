/**
 * Helpers the two replica planners share (KubeFed's planner.go and
 * KubeAdmiral's fork of it): record lookups that ignore inherited keys, a
 * result in cluster order, the input check, the ranked cluster, Go's
 * rounded-up share and the step that explains the order. Dialects do not import each
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

/** A cluster with a preference, as planner.go's byWeight sorts it. */
export interface Ranked {
  name: string;
  /** FNV-1-32 of cluster name + key, the tie-breaker. */
  hash: number;
  weight: number;
  min: number;
  max: number | undefined;
}

/** ceil(amount × weight / weightSum) as Go computes it: (d*w + Σw - 1) / Σw. */
export function ceilShare(amount: number, weight: number, weightSum: bigint): number {
  const product = amount * weight;
  const total = Number(weightSum);
  const numerator = product + total - 1;
  if (Number.isSafeInteger(product) && Number.isSafeInteger(total) && Number.isSafeInteger(numerator)) {
    // `%` is exact on integral doubles, so the division below is exact too.
    return (numerator - (numerator % total)) / total;
  }
  return Number((BigInt(amount) * BigInt(weight) + weightSum - 1n) / weightSum);
}

/** The explanation step that lists clusters in rank order. */
export function describeOrder(ranked: readonly Ranked[], key: string): string {
  if (ranked.length === 0) return 'no cluster has a preference';
  const list = ranked.map((pref) => `${pref.name} (weight ${pref.weight}, 0x${pref.hash.toString(16).padStart(8, '0')})`).join(', ');
  return `order by weight desc, then FNV-1-32(cluster + ${JSON.stringify(key)}) asc: ${list}`;
}
