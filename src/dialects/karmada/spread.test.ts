import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Cluster } from '../../model/types.ts';
import { ManifoldError } from '../../errors/index.ts';
import type { ReplicaSchedulingStrategy, SpreadConstraint } from './schema.ts';
import {
  defaultSpreadConstraints,
  groupScore,
  groupScoreForDuplicate,
  selectBySpreadConstraints,
  selectFromScoredGroups,
  selectGroups,
  type ScoredGroup,
  shouldIgnoreSpreadConstraint,
  spreadChecksAvailableReplicas,
  type SpreadCandidate,
  type SpreadOptions,
} from './spread.ts';

function cluster(name: string, extra: Partial<Cluster> = {}): Cluster {
  return { name, declaredBy: 'Cluster', labels: {}, zones: [], taints: [], source: { file: 'c.yaml', line: 1 }, ...extra };
}

/** NewClusterWithTopology(name, provider, region, zone) with a score and available replicas. */
function member(name: string, score: number, available: number, provider = 'P1', region = 'R1', zone = 'Z1'): SpreadCandidate {
  return { cluster: cluster(name, { provider, region, zones: [zone] }), score, availableReplicas: available };
}

const duplicated: SpreadOptions = { divided: false, desiredReplicas: 0 };
const selectedNames = (candidates: SpreadCandidate[], constraints: SpreadConstraint[], opts: SpreadOptions) =>
  selectBySpreadConstraints(candidates, constraints, opts).selected.map((c) => c.name);

function errorOf(fn: () => unknown): ManifoldError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ManifoldError) return err;
    throw err;
  }
  throw new Error('expected a ManifoldError');
}

// select_clusters_test.go generateClusterInfo
const topology = [
  member('member4', 60, 50, 'P2', 'R2', 'Z2'),
  member('member2', 40, 60, 'P1', 'R1', 'Z2'),
  member('member3', 30, 80, 'P2', 'R1', 'Z1'),
  member('member1', 20, 40, 'P1', 'R1', 'Z1'),
];
const cluster1to2: SpreadConstraint[] = [{ spreadByField: 'cluster', maxGroups: 2, minGroups: 1 }];

describe('selectBySpreadConstraints (select_clusters_test.go TestSelectBestClusters)', () => {
  it('select clusters by cluster score (no replicaScheduling: available replicas ignored)', () => {
    expect(spreadChecksAvailableReplicas(undefined)).toBe(false);
    expect(selectedNames(topology, cluster1to2, { divided: false, desiredReplicas: 100 })).toEqual(['member4', 'member2']);
  });
  it('ignores available resources when the strategy is Duplicated', () => {
    expect(spreadChecksAvailableReplicas({ replicaSchedulingType: 'Duplicated' })).toBe(false);
    expect(selectedNames(topology, cluster1to2, { divided: false, desiredReplicas: 120 })).toEqual(['member4', 'member2']);
  });
  it('static weighting ignores the spread constraints entirely (every candidate kept)', () => {
    expect(
      shouldIgnoreSpreadConstraint({
        replicaSchedulingType: 'Divided',
        replicaDivisionPreference: 'Weighted',
        weightPreference: { staticWeightList: [{ targetCluster: { clusterNames: ['member1'] }, weight: 2 }] },
      }),
    ).toBe(true);
  });
  it('satisfies available resources by swapping in a larger cluster', () => {
    expect(spreadChecksAvailableReplicas({ replicaSchedulingType: 'Divided' })).toBe(true);
    const got = selectBySpreadConstraints(topology, cluster1to2, { divided: true, desiredReplicas: 120 });
    expect(got.selected.map((c) => c.name)).toEqual(['member4', 'member3']);
    expect(got.steps).toContain('member4, member2 offer 110 < 120 replicas: swap member2 (60) for member3 (80)');
  });
  it('insufficient resources → error', () => {
    const err = errorOf(() => selectBySpreadConstraints(topology, cluster1to2, { divided: true, desiredReplicas: 200 }));
    expect(err.code).toBe('SPREAD_UNSATISFIABLE');
    expect(err.message).toMatch(/^not enough available replicas when selecting 2 cluster\(s\): member2, member3 offer 140 < 200/);
  });
  it('fewer feasible clusters than minGroups → error', () => {
    const err = errorOf(() =>
      selectBySpreadConstraints(topology, [{ spreadByField: 'cluster', maxGroups: 7, minGroups: 7 }], { divided: false, desiredReplicas: 30 }),
    );
    expect(err.message).toBe("the number of feasible clusters (4) is less than the cluster spread constraint's minGroups (7)");
  });
});

// util_test.go Test_sortClusters
describe('candidate order (util_test.go Test_sortClusters)', () => {
  const all: SpreadConstraint[] = [{ spreadByField: 'cluster', maxGroups: 10 }];
  it('different scores: score descending', () => {
    const got = selectedNames([member('a', 1, 0), member('b', 2, 0)], all, duplicated);
    expect(got).toEqual(['b', 'a']);
  });
  it('same score: available replicas descending', () => {
    expect(selectedNames([member('b', 1, 5), member('a', 1, 10)], all, duplicated)).toEqual(['a', 'b']);
    expect(selectedNames([member('a', 1, 5), member('b', 1, 10)], all, duplicated)).toEqual(['b', 'a']);
  });
  it('same score and availability: name ascending in byte order', () => {
    expect(selectedNames([member('b', 0, 1), member('a', 0, 1), member('B', 0, 1)], all, duplicated)).toEqual(['B', 'a', 'b']);
  });
});

// select_clusters_by_region_test.go Test_selectBestClustersByRegion: upstream gives each
// RegionInfo its Score (in every vector, the score of its best cluster), so these
// vectors go through the same seam; group scoring itself is tested below.
describe('region path (select_clusters_by_region_test.go)', () => {
  const regionAndCluster = (rMin: number, rMax: number, cMin: number, cMax: number): SpreadConstraint[] => [
    { spreadByField: 'region', minGroups: rMin, maxGroups: rMax },
    { spreadByField: 'cluster', minGroups: cMin, maxGroups: cMax },
  ];
  /** RegionInfo list with upstream's scores: the region's best cluster score. */
  const regionsOf = (candidates: SpreadCandidate[]): ScoredGroup[] => {
    const byRegion = new Map<string, SpreadCandidate[]>();
    for (const c of candidates) byRegion.set(c.cluster.region ?? '', [...(byRegion.get(c.cluster.region ?? '') ?? []), c]);
    return [...byRegion].map(([name, clusters]) => ({ name, clusters, score: Math.max(...clusters.map((c) => c.score ?? 0)) }));
  };
  const byRegion = (candidates: SpreadCandidate[], constraints: SpreadConstraint[]) =>
    selectFromScoredGroups(regionsOf(candidates), constraints[0] as SpreadConstraint, constraints[1]);
  const regionNames = (candidates: SpreadCandidate[], constraints: SpreadConstraint[]) =>
    byRegion(candidates, constraints).selected.map((c) => c.name);
  const twoRegions = [
    member('member1', 100, 40, 'P1', 'R1'),
    member('member2', 80, 40, 'P1', 'R1'),
    member('member3', 80, 40, 'P1', 'R2'),
    member('member4', 80, 40, 'P1', 'R2'),
    member('member5', 60, 40, 'P1', 'R2'),
  ];
  it('select cluster from the region with the higher score', () => {
    expect(regionNames(twoRegions, regionAndCluster(1, 1, 2, 2))).toEqual(['member1', 'member2']);
  });
  it('select cluster from the region with enough clusters', () => {
    expect(regionNames(twoRegions, regionAndCluster(1, 1, 3, 3))).toEqual(['member3', 'member4', 'member5']);
  });
  it('select cluster from the region with enough clusters and higher score', () => {
    const candidates = [
      member('member1', 90, 40, 'P1', 'R1'),
      member('member2', 70, 40, 'P1', 'R2'),
      member('member3', 60, 40, 'P1', 'R2'),
      member('member4', 30, 40, 'P1', 'R2'),
      member('member5', 80, 40, 'P1', 'R3'),
      member('member6', 50, 60, 'P1', 'R3'),
      member('member7', 50, 50, 'P1', 'R4'),
      member('member8', 40, 50, 'P1', 'R4'),
      member('member9', 10, 50, 'P1', 'R4'),
      member('member10', 0, 50, 'P1', 'R4'),
    ];
    expect(regionNames(candidates, regionAndCluster(2, 2, 4, 5))).toEqual(['member1', 'member2', 'member3', 'member4']);
  });
  it('select cluster from more than minGroups regions with enough clusters and higher score', () => {
    const candidates = [
      member('member1', 70, 40, 'P1', 'R1'),
      member('member2', 40, 40, 'P1', 'R2'),
      member('member3', 40, 40, 'P1', 'R2'),
      member('member4', 40, 40, 'P1', 'R2'),
      member('member5', 60, 40, 'P1', 'R3'),
      member('member6', 50, 60, 'P1', 'R3'),
      member('member7', 70, 100, 'P1', 'R4'),
      member('member8', 50, 50, 'P1', 'R5'),
    ];
    const got = byRegion(candidates, regionAndCluster(1, 3, 6, 8));
    expect(got.selected.map((c) => c.name)).toEqual(['member1', 'member5', 'member2', 'member6', 'member3', 'member4']);
    expect(got.steps).toContain('chose region group(s) R1, R3, R2 (best score sum holding ≥ 6 clusters)');
  });
  it('no enough region → error', () => {
    const err = errorOf(() => byRegion(twoRegions, regionAndCluster(3, 3, 3, 3)));
    expect(err.message).toBe("the number of feasible region groups (2) is less than the region spread constraint's minGroups (3)");
  });
  it('no enough clusters → error', () => {
    const candidates = twoRegions.map((c) => (c.cluster.name === 'member2' ? { ...c, availableReplicas: 60 } : c));
    const err = errorOf(() => byRegion(candidates, regionAndCluster(1, 1, 4, 4)));
    expect(err.code).toBe('SPREAD_UNSATISFIABLE');
    expect(err.message).toMatch(/no set of 1\.\.1 region group\(s\) holds the cluster spread constraint's minGroups \(4\)/);
  });
  it('no more regions to replace → error', () => {
    const candidates = [member('member1', 100, 40, 'P1', 'R1'), member('member2', 80, 20, 'P1', 'R1')];
    expect(() => byRegion(candidates, regionAndCluster(1, 1, 3, 4))).toThrow(ManifoldError);
  });
  it('never checks available replicas, even when Divided', () => {
    // Scored: R1 = 80 available × 1000 + avg(100, 80) = 80090; R2 = 120 × 1000 + avg(80, 80, 60) = 120073.
    const got = selectBySpreadConstraints(twoRegions, regionAndCluster(1, 1, 2, 2), { divided: true, desiredReplicas: 10_000 });
    expect(got.steps).toContain('region groups: R1 (score 80090) [member1, member2]; R2 (score 120073) [member3, member4, member5]');
    expect(got.selected.map((c) => c.name)).toEqual(['member3', 'member4']);
  });
  it('ignores the dispatch map order: region wins over cluster whatever the list order', () => {
    const reversed = [...regionAndCluster(1, 1, 2, 2)].reverse();
    // Duplicated, 0 replicas: R1 = 2 × 1000 + 90, R2 = 3 × 1000 + 73.
    expect(selectedNames(twoRegions, reversed, duplicated)).toEqual(['member3', 'member4']);
    expect(selectedNames(twoRegions, regionAndCluster(1, 1, 2, 2), duplicated)).toEqual(['member3', 'member4']);
  });
});

// group_clusters_test.go generateClusterScores / generateArgs / Test_CalcGroupScore
describe('group scores (group_clusters.go calcGroupScore, group_clusters_test.go)', () => {
  const clusters = (scores: number[], available: number[]) => scores.map((score, i) => ({ score, available: available[i] as number }));
  const scoring = (replicas: number, duplicated: boolean, minGroups: number) => ({
    duplicated,
    replicas,
    groupMinGroups: minGroups,
    // The upstream vectors have no spread constraints on the binding: cluster minGroups 0, raised to the group's.
    clusterMinGroups: 0,
  });
  // [id, clusters1, clusters2, replicas, duplicated, minGroups, group1Wins]
  const vectors: [number, ReturnType<typeof clusters>, ReturnType<typeof clusters>, number, boolean, number, boolean][] = [
    [1, clusters([100, 100, 0, 0, 0], [30, 30, 30, 30, 30]), clusters([100, 100, 100, 100, 100], [30, 30, 30, 10, 10]), 20, true, 0, true],
    [2, clusters([100, 100, 0, 0, 0], [30, 30, 30, 10, 10]), clusters([100, 100, 100, 100, 100], [30, 30, 30, 10, 10]), 20, true, 0, false],
    [3, clusters([100, 100, 0, 0, 0], [30, 30, 30, 10, 10]), clusters([100, 100, 100, 100, 100], [10, 10, 10, 5, 5]), 100, false, 2, true],
    [4, clusters([100, 100, 0, 0, 0], [10, 10, 10, 10, 5]), clusters([100, 100, 100, 100, 100], [10, 10, 10, 5, 5]), 100, false, 2, true],
    [5, clusters([100, 100, 0, 0, 0], [10, 10, 10, 5, 5]), clusters([100, 100, 100, 100, 100], [10, 10, 10, 5, 5]), 100, false, 2, false],
    [6, clusters([0, 0, 0, 0, 0], [100, 100, 100, 100, 100]), clusters([100, 100, 100, 100, 100], [50, 50, 50, 50, 50]), 100, false, 2, false],
  ];
  it.each(vectors)('vector %i', (_id, one, two, replicas, dup, minGroups, group1Wins) => {
    const s = scoring(replicas, dup, minGroups);
    expect(groupScore(one, s) >= groupScore(two, s)).toBe(group1Wins);
  });
  it('the worked examples in the comments of calcGroupScore and calcGroupScoreForDuplicate', () => {
    const divided = { duplicated: false, replicas: 100, groupMinGroups: 2, clusterMinGroups: 1 };
    expect(groupScore(clusters([100, 100, 100, 100, 100], [10, 10, 10, 10, 5]), divided)).toBe(45100);
    expect(groupScore(clusters([0, 0, 0, 0], [40, 30, 10, 10]), divided)).toBe(50000);
    expect(groupScore(clusters([100, 100, 100, 100, 100], [40, 40, 10, 10, 5]), divided)).toBe(50100);
    expect(groupScore(clusters([0, 0, 0, 0], [100, 100, 10, 10]), divided)).toBe(50000);
    expect(groupScoreForDuplicate(clusters([100, 100, 100, 100, 100], [60, 70, 40, 30, 10]), 50)).toBe(2100);
    expect(groupScoreForDuplicate(clusters([0, 0, 0, 0], [60, 60, 60, 60]), 50)).toBe(4000);
    expect(groupScoreForDuplicate(clusters([100, 100, 100, 100, 100], [60, 70, 10, 10, 5]), 50)).toBe(2100);
    expect(groupScoreForDuplicate(clusters([0, 0, 0, 0], [100, 100, 10, 10]), 50)).toBe(2000);
  });
  it('Test_CalcGroupScoreForDuplicate: no clusters, or none holding every replica, score 0', () => {
    expect(groupScoreForDuplicate([], 10)).toBe(0);
    expect(groupScoreForDuplicate(clusters([50, 50], [5, 5]), 10)).toBe(0);
  });

  it('a region with capacity beats one whose first cluster merely sorts first by name (issue 11 item 2)', () => {
    // Equal cluster scores: the old first-cluster score tied, and name order picked region "a".
    const candidates = [member('a-1', 0, 1, 'P', 'a'), member('b-1', 0, 6, 'P', 'b'), member('b-2', 0, 6, 'P', 'b')];
    const constraints: SpreadConstraint[] = [
      { spreadByField: 'region', minGroups: 1, maxGroups: 1 },
      { spreadByField: 'cluster', minGroups: 1, maxGroups: 2 },
    ];
    const got = selectBySpreadConstraints(candidates, constraints, { divided: true, desiredReplicas: 10 });
    // a = 1 × 1000 + 0; b = min(12, 10) × 1000 + 0.
    expect(got.steps).toContain('region groups: a (score 1000) [a-1]; b (score 10000) [b-1, b-2]');
    expect(got.selected.map((c) => c.name)).toEqual(['b-1', 'b-2']);
  });
  it('Duplicated: the region whose clusters can each hold every replica wins', () => {
    const candidates = [member('a-1', 0, 2, 'P', 'a'), member('a-2', 0, 2, 'P', 'a'), member('b-1', 0, 5, 'P', 'b')];
    const constraints: SpreadConstraint[] = [
      { spreadByField: 'region', minGroups: 1, maxGroups: 1 },
      { spreadByField: 'cluster', minGroups: 1, maxGroups: 2 },
    ];
    expect(selectedNames(candidates, constraints, { divided: false, desiredReplicas: 4 })).toEqual(['b-1']);
  });
});

// select_groups_test.go TestSelectGroups
describe('selectGroups (select_groups_test.go)', () => {
  const g = (name: string, value: number, weight: number) => ({ name, value, weight });
  const vectors: [string, ReturnType<typeof g>[], number, number, number, string[]][] = [
    ['empty groups', [], 2, 3, 1, []],
    ['no enough groups', [g('R1', 1, 80)], 2, 3, 1, []],
    ['no enough value', [g('R1', 1, 80), g('R2', 2, 30)], 2, 3, 4, []],
    ['select one group', [g('R1', 1, 80)], 1, 3, 1, ['R1']],
    [
      'prioritize one path',
      [g('R1', 1, 80), g('R3', 1, 80), g('R2', 1, 60), g('R5', 2, 60), g('R4', 5, 50), g('R6', 3, 50)],
      1,
      3,
      10,
      ['R5', 'R4', 'R6'],
    ],
    [
      'select groups with less total number',
      [g('R1', 1, 80), g('R2', 4, 40), g('R3', 1, 30), g('R4', 3, 30), g('R5', 3, 20), g('R6', 5, 10)],
      2,
      6,
      5,
      ['R1', 'R2'],
    ],
    [
      'select groups with the highest score',
      [g('R1', 1, 60), g('R2', 1, 50), g('R3', 1, 40), g('R4', 3, 30), g('R5', 3, 20), g('R6', 3, 10)],
      1,
      3,
      6,
      ['R1', 'R4', 'R5'],
    ],
    ['select groups that are chosen earlier', [g('R1', 1, 60), g('R2', 2, 50), g('R3', 3, 40), g('R4', 4, 30)], 1, 2, 5, ['R1', 'R4']],
    ['select groups with greater value', [g('R4', 1, 60), g('R3', 3, 50), g('R1', 3, 40), g('R2', 4, 30)], 1, 2, 5, ['R3', 'R1']],
  ];
  it.each(vectors)('%s', (_name, groups, min, max, target, expected) => {
    expect(selectGroups(groups, min, max, target).map((x) => x.name)).toEqual(expected);
  });

  it('every chosen set is feasible and within bounds (property)', () => {
    const arbGroups = fc.uniqueArray(
      fc.record({ name: fc.stringMatching(/^R[0-9]{1,2}$/), value: fc.integer({ min: 1, max: 4 }), weight: fc.integer({ min: 0, max: 100 }) }),
      { selector: (x) => x.name, maxLength: 7 },
    );
    fc.assert(
      fc.property(arbGroups, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 10 }), (groups, min, extra, target) => {
        const max = min + extra;
        const chosen = selectGroups(groups, min, max, target);
        if (chosen.length === 0) return;
        expect(chosen.length).toBeGreaterThanOrEqual(min);
        expect(chosen.length).toBeLessThanOrEqual(max);
        expect(chosen.reduce((s, x) => s + x.value, 0)).toBeGreaterThanOrEqual(target);
        expect(new Set(chosen.map((x) => x.name)).size).toBe(chosen.length);
      }),
    );
  });
});

describe('defaults and static weighting', () => {
  it('SetDefaultSpreadConstraints: no field or label → cluster; minGroups 0 → 1; maxGroups stays unset', () => {
    expect(defaultSpreadConstraints([{}, { spreadByField: 'region', minGroups: 0, maxGroups: 2 }, { spreadByLabel: 'tier', minGroups: 3 }])).toEqual([
      { spreadByField: 'cluster', spreadByLabel: '', minGroups: 1, maxGroups: 0 },
      { spreadByField: 'region', spreadByLabel: '', minGroups: 1, maxGroups: 2 },
      { spreadByField: '', spreadByLabel: 'tier', minGroups: 3, maxGroups: 0 },
    ]);
  });
  const cases: [string, ReplicaSchedulingStrategy | undefined, boolean][] = [
    ['no replicaScheduling (Duplicated)', undefined, false],
    ['Duplicated', { replicaSchedulingType: 'Duplicated' }, false],
    ['Divided without preference → Weighted with nil weightPreference (webhook default)', { replicaSchedulingType: 'Divided' }, true],
    ['replicaScheduling {} → Divided → Weighted (CRD and webhook defaults)', {}, true],
    ['Divided Weighted, nil weightPreference', { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted' }, true],
    [
      'Divided Weighted, static list',
      { replicaDivisionPreference: 'Weighted', weightPreference: { staticWeightList: [{ targetCluster: {}, weight: 1 }] } },
      true,
    ],
    ['Divided Weighted, dynamicWeight', { replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } }, false],
    [
      'Divided Weighted, static list and dynamicWeight (dynamic wins)',
      { weightPreference: { dynamicWeight: 'AvailableReplicas', staticWeightList: [{ targetCluster: {}, weight: 1 }] } },
      false,
    ],
    ['Divided Weighted, empty weightPreference {}', { replicaDivisionPreference: 'Weighted', weightPreference: {} }, false],
    ['Divided Aggregated', { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Aggregated' }, false],
  ];
  it.each(cases)('shouldIgnoreSpreadConstraint: %s', (_name, rs, want) => {
    expect(shouldIgnoreSpreadConstraint(rs)).toBe(want);
  });
});

describe('Manifold decisions and extensions', () => {
  const flat = [member('a', 0, 5), member('b', 0, 5), member('c', 0, 5)];

  it('no constraints: every candidate, in rank order', () => {
    expect(selectedNames([member('b', 0, 1), member('a', 0, 9)], [], duplicated)).toEqual(['a', 'b']);
  });

  it('maxGroups unset on the cluster constraint fails the render instead of selecting zero clusters', () => {
    const err = errorOf(() => selectBySpreadConstraints(flat, [{ spreadByField: 'cluster', minGroups: 1 }], duplicated));
    expect(err.code).toBe('SPREAD_UNSATISFIABLE');
    expect(err.message).toMatch(/spread constraint cluster has no maxGroups: Karmada would select zero clusters/);
    expect(err.data['reason']).toBe('maxGroupsUnset');
  });
  it('unboundedMaxGroups treats it as no upper bound', () => {
    const got = selectBySpreadConstraints(flat, [{ spreadByField: 'cluster' }], { ...duplicated, extensions: { unboundedMaxGroups: true } });
    expect(got.selected.map((c) => c.name)).toEqual(['a', 'b', 'c']);
  });
  it('maxGroups unset on the region constraint fails with a clear error', () => {
    const err = errorOf(() =>
      selectBySpreadConstraints(topology, [{ spreadByField: 'region' }, { spreadByField: 'cluster', maxGroups: 4 }], duplicated),
    );
    expect(err.message).toMatch(/spread constraint region has no maxGroups/);
  });
  it('in the region path a cluster constraint without maxGroups keeps the best cluster per region (upstream), with a warning', () => {
    const got = selectBySpreadConstraints(topology, [{ spreadByField: 'region', minGroups: 2, maxGroups: 2 }, { spreadByField: 'cluster' }], duplicated);
    // R1 (3 clusters: 3 × 1000 + 30) ranks before R2 (1 × 1000 + 60).
    expect(got.selected.map((c) => c.name)).toEqual(['member2', 'member4']);
    expect(got.steps.some((s) => s.startsWith('warning: the cluster constraint has no maxGroups'))).toBe(true);
    const unbounded = selectBySpreadConstraints(topology, [{ spreadByField: 'region', minGroups: 2, maxGroups: 2 }, { spreadByField: 'cluster' }], {
      ...duplicated,
      extensions: { unboundedMaxGroups: true },
    });
    expect(unbounded.selected.map((c) => c.name)).toEqual(['member2', 'member4', 'member3', 'member1']);
  });

  it('zone and provider constraints are inert in Karmada mode, with a warning', () => {
    const constraints: SpreadConstraint[] = [
      { spreadByField: 'zone', minGroups: 2, maxGroups: 2 },
      { spreadByField: 'provider', minGroups: 2, maxGroups: 2 },
      { spreadByField: 'cluster', maxGroups: 2 },
    ];
    const got = selectBySpreadConstraints(topology, constraints, duplicated);
    expect(got.selected.map((c) => c.name)).toEqual(['member4', 'member2']);
    expect(got.steps.filter((s) => s.startsWith('warning:'))).toHaveLength(2);
    expect(got.steps[0]).toMatch(/spreadByField: zone is inert in Karmada/);
  });
  it('zoneProviderSpreading groups by zone like the region path', () => {
    const got = selectBySpreadConstraints(
      topology,
      [{ spreadByField: 'zone', minGroups: 2, maxGroups: 2 }, { spreadByField: 'cluster', minGroups: 2, maxGroups: 2 }],
      { ...duplicated, extensions: { zoneProviderSpreading: true } },
    );
    // Z2: member4 (60), member2 (40); Z1: member3 (30), member1 (20) → the best of each zone.
    expect(got.selected.map((c) => c.name)).toEqual(['member4', 'member3']);
  });
  it('zoneProviderSpreading groups by provider', () => {
    const got = selectedNames(
      topology,
      [{ spreadByField: 'provider', minGroups: 2, maxGroups: 2 }, { spreadByField: 'cluster', minGroups: 2, maxGroups: 3 }],
      { ...duplicated, extensions: { zoneProviderSpreading: true } },
    );
    // P2: member4 (60), member3 (30); P1: member2 (40), member1 (20); fill one more by rank.
    expect(got).toEqual(['member4', 'member2', 'member3']);
  });
  it('a multi-zone cluster forms its own group (its whole zone set)', () => {
    const candidates: SpreadCandidate[] = [
      { cluster: cluster('wide', { zones: ['b', 'a'] }), availableReplicas: 0, score: 10 },
      { cluster: cluster('narrow', { zones: ['a'] }), availableReplicas: 0, score: 0 },
    ];
    const got = selectBySpreadConstraints(
      candidates,
      [{ spreadByField: 'zone', minGroups: 2, maxGroups: 2 }, { spreadByField: 'cluster', maxGroups: 2 }],
      { ...duplicated, extensions: { zoneProviderSpreading: true } },
    );
    expect(got.steps).toContain('zone groups: a (score 1000) [narrow]; a,b (score 1010) [wide]');
    expect(got.selected.map((c) => c.name)).toEqual(['wide', 'narrow']);
  });
  it('region keeps precedence over an extension grouping; the other acts as a filter only', () => {
    const got = selectBySpreadConstraints(
      topology,
      [
        { spreadByField: 'zone', minGroups: 1, maxGroups: 2 },
        { spreadByField: 'region', minGroups: 1, maxGroups: 1 },
        { spreadByField: 'cluster', minGroups: 1, maxGroups: 1 },
      ],
      { ...duplicated, extensions: { zoneProviderSpreading: true } },
    );
    // R1 holds three clusters (3 × 1000 + 30) against R2's one (1 × 1000 + 60).
    expect(got.selected.map((c) => c.name)).toEqual(['member2']);
    expect(got.steps).toContain('warning: only one grouping constraint is applied (region); zone acts as a presence filter only');
  });

  const labelled = [
    { cluster: cluster('gold-1', { labels: { tier: 'gold' } }), availableReplicas: 3, score: 0 },
    { cluster: cluster('gold-2', { labels: { tier: 'gold' } }), availableReplicas: 9, score: 0 },
    { cluster: cluster('silver-1', { labels: { tier: 'silver' } }), availableReplicas: 1, score: 0 },
    { cluster: cluster('plain', {}), availableReplicas: 50, score: 0 },
  ];
  it('spreadByLabel alongside a cluster constraint is inert in Karmada mode, with a warning', () => {
    const got = selectBySpreadConstraints(labelled, [{ spreadByLabel: 'tier', minGroups: 2, maxGroups: 2 }, { spreadByField: 'cluster', maxGroups: 2 }], duplicated);
    expect(got.selected.map((c) => c.name)).toEqual(['plain', 'gold-2']);
    expect(got.steps[0]).toMatch(/^warning: spreadByLabel: tier is inert in Karmada/);
  });
  it('spreadByLabel alone fails like Karmada ("just support cluster and region spread constraint")', () => {
    const err = errorOf(() => selectBySpreadConstraints(labelled, [{ spreadByLabel: 'tier', maxGroups: 2 }], duplicated));
    expect(err.message).toMatch(/^Karmada supports only cluster and region spread constraints/);
  });
  it('the spreadByLabel extension groups by label value, leaving unlabelled clusters out', () => {
    const got = selectBySpreadConstraints(
      labelled,
      [{ spreadByLabel: 'tier', minGroups: 2, maxGroups: 2 }, { spreadByField: 'cluster', minGroups: 2, maxGroups: 2 }],
      { ...duplicated, extensions: { spreadByLabel: true } },
    );
    expect(got.steps).toContain('label tier groups: gold (score 2000) [gold-2, gold-1]; silver (score 1000) [silver-1]');
    expect(got.selected.map((c) => c.name)).toEqual(['gold-2', 'silver-1']);
  });
  it('the spreadByLabel extension without a cluster constraint takes the best cluster per group', () => {
    const got = selectedNames(labelled, [{ spreadByLabel: 'tier', minGroups: 1, maxGroups: 5 }], {
      ...duplicated,
      extensions: { spreadByLabel: true },
    });
    expect(got).toEqual(['gold-2']);
  });

  it('Divided: the swap walks back from the last selected cluster', () => {
    const candidates = [member('a', 90, 1), member('b', 80, 2), member('c', 70, 3), member('d', 0, 10), member('e', 0, 4)];
    const got = selectBySpreadConstraints(candidates, [{ spreadByField: 'cluster', maxGroups: 3 }], { divided: true, desiredReplicas: 14 });
    // [a,b,c]=6: swap c→d (10) = 13; swap b→e (4) = 15 ≥ 14.
    expect(got.selected.map((c) => c.name)).toEqual(['a', 'e', 'd']);
  });
  it('Divided: the selection offers the desired replicas whenever it succeeds (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ score: fc.integer({ min: 0, max: 3 }), available: fc.integer({ min: 0, max: 20 }) }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 80 }),
        (specs, maxGroups, desired) => {
          const candidates = specs.map((s, i) => member(`m${i}`, s.score, s.available));
          let selected: Cluster[];
          try {
            selected = selectBySpreadConstraints(candidates, [{ spreadByField: 'cluster', maxGroups }], { divided: true, desiredReplicas: desired }).selected;
          } catch (err) {
            expect(err).toBeInstanceOf(ManifoldError);
            return;
          }
          const byName = new Map(candidates.map((c) => [c.cluster.name, c.availableReplicas]));
          expect(selected.length).toBe(Math.min(maxGroups, candidates.length));
          expect(selected.reduce((s, c) => s + (byName.get(c.name) ?? 0), 0)).toBeGreaterThanOrEqual(desired);
        },
      ),
    );
  });
});

// core/common_test.go TestSelectClusters "select clusters with overflow affinities"
describe('overflow tiers rank before scores (util.go sortClusters)', () => {
  it('the primary group\'s cluster wins a single slot over a higher-scored overflow cluster', () => {
    const candidates: SpreadCandidate[] = [
      { ...member('cluster1', 10, 0), overflowOrder: 0 },
      { ...member('cluster2', 20, 0), overflowOrder: 1 },
    ];
    const got = selectBySpreadConstraints(candidates, [{ spreadByField: 'cluster', minGroups: 1, maxGroups: 1 }], { divided: true, desiredReplicas: 0 });
    expect(got.selected.map((c) => c.name)).toEqual(['cluster1']);
  });
});
