/**
 * Binpack planner, with the vectors of kubewharf/kubeadmiral
 * pkg/controllers/scheduler/framework/plugins/preferencebinpack/planner_test.go
 * that use no auto-migration capacities (Test_getDesiredPlan, TestWithoutExisting,
 * TestWithExisting). Upstream plans keep clusters with 0; the scheduler drops
 * them afterwards, as planBinpack does.
 */
import { describe, expect, it } from 'vitest';
import { planBinpack, type BinpackPreference } from './binpack.ts';

function plan(total: number, clusters: string[], preferences: Record<string, BinpackPreference> = {}, current: Record<string, number> = {}, avoidDisruption = false) {
  return planBinpack({ total, clusters, preferences, current, avoidDisruption }).replicas;
}

describe('getDesiredPlan (Test_getDesiredPlan)', () => {
  it('all pods scheduled to 1 cluster', () => {
    expect(plan(10, ['A', 'B', 'C'])).toEqual({ A: 10 });
  });
  it('1 cluster with maxReplicas', () => {
    expect(plan(10, ['A', 'B', 'C'], { A: { maxReplicas: 5 } })).toEqual({ A: 5, B: 5 });
  });
  it('1 cluster with minReplicas', () => {
    expect(plan(10, ['A', 'B', 'C'], { B: { minReplicas: 5 } })).toEqual({ A: 5, B: 5 });
  });
});

describe('without existing replicas (TestWithoutExisting): same for any avoidDisruption', () => {
  const cases: [string, number, string[], Record<string, BinpackPreference>, Record<string, number>][] = [
    ['all pods scheduled to 1 cluster', 50, ['A', 'B'], {}, { A: 50 }],
    ['1 cluster with minReplicas', 50, ['A', 'B'], { B: { minReplicas: 10 } }, { A: 40, B: 10 }],
    ['2 clusters with maxReplicas', 50, ['A', 'B', 'C'], { A: { maxReplicas: 10 }, B: { maxReplicas: 21 } }, { A: 10, B: 21, C: 19 }],
    ['maxReplicas and minReplicas', 50, ['A', 'B', 'C'], { A: { maxReplicas: 10 }, C: { minReplicas: 10 } }, { A: 10, B: 30, C: 10 }],
  ];
  it.each(cases)('%s', (_name, total, clusters, prefs, expected) => {
    expect(plan(total, clusters, prefs, {}, false)).toEqual(expected);
    expect(plan(total, clusters, prefs, {}, true)).toEqual(expected);
  });
});

describe('with existing replicas (TestWithExisting): avoidDisruption keeps them', () => {
  const cases: [string, number, string[], Record<string, number>, Record<string, number>, Record<string, number>][] = [
    ['C runs 30 of 50', 50, ['A', 'B', 'C'], { C: 30 }, { A: 50 }, { A: 20, C: 30 }],
    ['B runs 8 of 15', 15, ['A', 'B'], { A: 0, B: 8 }, { A: 15 }, { A: 7, B: 8 }],
    ['23 running for 15: the extra 8 leave B', 15, ['A', 'B'], { A: 15, B: 8 }, { A: 15 }, { A: 15 }],
  ];
  it.each(cases)('%s', (_name, total, clusters, current, rebalanced, kept) => {
    expect(plan(total, clusters, {}, current, false)).toEqual(rebalanced);
    expect(plan(total, clusters, {}, current, true)).toEqual(kept);
  });

  it('scale-down removes from the last cluster in order first', () => {
    // desired A 4, B 0, C 0; current A 2, B 3, C 3: scaleDown prepends, so C gives first.
    expect(plan(4, ['A', 'B', 'C'], {}, { A: 2, B: 3, C: 3 }, true)).toEqual({ A: 2, B: 2 });
  });
});
