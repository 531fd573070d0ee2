/**
 * The replica planner of the Binpack replicas strategy
 * (pkg/controllers/scheduler/framework/plugins/preferencebinpack/planner.go):
 * after the minimums, clusters are filled in the order the scheduler selected
 * them (priority descending), each taking everything that is left up to its
 * maximum. With avoidDisruption the current distribution is moved towards the
 * desired one by the difference only, like the Spread planner. Auto-migration
 * capacities are not modelled here yet (upstream preference_bin_pack.go passes
 * estimatedCapacity and scheduledReplicas; only the Spread planner takes them).
 */

export interface BinpackPreference {
  minReplicas?: number | undefined;
  maxReplicas?: number | undefined;
}

export interface BinpackInput {
  total: number;
  /** Selected clusters, in scheduler order. */
  clusters: readonly string[];
  preferences: Readonly<Record<string, BinpackPreference>>;
  current: Readonly<Record<string, number>>;
  avoidDisruption: boolean;
}

export interface BinpackResult {
  /** Replicas per cluster, zeros dropped, in cluster order. */
  replicas: Record<string, number>;
  steps: string[];
}

interface Named extends BinpackPreference {
  name: string;
}

/** getDesiredPlan: minimums first, then each cluster in order takes what is left up to its max. */
function desiredPlan(prefs: readonly Named[], total: number): Map<string, number> {
  let remaining = total;
  const plan = new Map<string, number>();
  for (const pref of prefs) {
    const min = Math.min(pref.minReplicas ?? 0, remaining);
    remaining -= min;
    plan.set(pref.name, min);
  }
  for (const pref of prefs) {
    const start = plan.get(pref.name) ?? 0;
    let target = start + remaining;
    if (pref.maxReplicas !== undefined && target > pref.maxReplicas) target = pref.maxReplicas;
    remaining -= target - start;
    plan.set(pref.name, target);
  }
  return plan;
}

export function planBinpack(input: BinpackInput): BinpackResult {
  const { total, clusters, preferences, avoidDisruption } = input;
  const steps: string[] = [];
  const prefs: Named[] = clusters.map((name) => ({ name, ...preferences[name] }));
  const desired = desiredPlan(prefs, total);
  steps.push(`binpack desired plan, filling clusters in order ${clusters.join(', ')}: ${describe(desired)}`);
  if (!avoidDisruption) return finish(clusters, desired, steps);

  const currentPlan = new Map<string, number>(clusters.map((name) => [name, input.current[name] ?? 0]));
  const currentTotal = sum(currentPlan.values());
  const desiredTotal = sum(desired.values());
  steps.push(`avoidDisruption: current ${describe(currentPlan)} (total ${currentTotal}), desired total ${desiredTotal}`);
  if (currentTotal > desiredTotal) {
    // scaleDown prepends each cluster, so the last cluster gives up replicas first.
    const shrinking = clusters
      .filter((name) => (desired.get(name) ?? 0) < (currentPlan.get(name) ?? 0))
      .map((name) => ({ name, maxReplicas: currentPlan.get(name) }))
      .reverse();
    const removed = desiredPlan(shrinking, currentTotal - total);
    for (const [name, count] of removed) currentPlan.set(name, (currentPlan.get(name) ?? 0) - count);
    steps.push(`scale down by ${currentTotal - total}: ${describe(removed)}`);
  } else if (currentTotal < desiredTotal) {
    const growing = clusters
      .filter((name) => (desired.get(name) ?? 0) > (currentPlan.get(name) ?? 0))
      .map((name) => {
        const max = preferences[name]?.maxReplicas;
        return { name, minReplicas: preferences[name]?.minReplicas, maxReplicas: max === undefined ? undefined : max - (currentPlan.get(name) ?? 0) };
      });
    const added = desiredPlan(growing, total - currentTotal);
    for (const [name, count] of added) currentPlan.set(name, (currentPlan.get(name) ?? 0) + count);
    steps.push(`scale up by ${total - currentTotal}: ${describe(added)}`);
  } else {
    steps.push('avoidDisruption: totals match, the current distribution stays');
  }
  return finish(clusters, currentPlan, steps);
}

function finish(clusters: readonly string[], plan: ReadonlyMap<string, number>, steps: string[]): BinpackResult {
  const replicas: Record<string, number> = {};
  for (const name of clusters) {
    const count = plan.get(name) ?? 0;
    if (count !== 0) replicas[name] = count;
  }
  steps.push(`result (clusters with 0 dropped): ${describe(new Map(Object.entries(replicas)))}`);
  return { replicas, steps };
}

function describe(values: ReadonlyMap<string, number>): string {
  return values.size === 0 ? '(none)' : [...values].map(([name, count]) => `${name} ${count}`).join(', ');
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
