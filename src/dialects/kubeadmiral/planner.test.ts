import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fnv1_32 } from '../../model/hash.ts';
import {
  availableToPercentage,
  calcWeightLimit,
  dynamicWeights,
  kubeAdmiralReplicaScheduling,
  planKubeAdmiral,
  type ClusterCapacity,
  type ClusterPreference,
  type KubeAdmiralPlanInput,
} from './planner.ts';

type Counts = Record<string, number>;

interface TestCase {
  rsp: Record<string, ClusterPreference>;
  replicas: number;
  clusters: string[];
  existing?: Counts;
  capacity?: Counts;
  limitedCapacity?: Counts;
}

interface Expected {
  plan: Counts;
  overflow?: Counts;
}

// kubewharf/kubeadmiral pkg/controllers/scheduler/planner/planner_test.go estimateCapacity:
// the harness only knows a cluster's capacity once more replicas than it can hold were placed there.
function estimateCapacity(current: Counts, actual: Counts): Counts {
  const estimated: Counts = {};
  for (const [cluster, capacity] of Object.entries(actual)) {
    if ((current[cluster] ?? 0) > capacity) estimated[cluster] = capacity;
  }
  return estimated;
}

// planner_test.go doCheck: re-feed plan + overflow as the next current state
// until two consecutive results agree, at most three times.
function doCheck(tc: TestCase, avoidDisruption: boolean, keepUnschedulableReplicas: boolean, expected: Expected): void {
  let existing: Counts = tc.existing ?? {};
  let plan: Counts = {};
  let overflow: Counts = {};
  let last: { plan: Counts; overflow: Counts } | undefined;
  let converged = false;
  for (let step = 0; step < 3; step++) {
    const result = planKubeAdmiral({
      total: tc.replicas,
      clusters: tc.clusters,
      preferences: tc.rsp,
      current: existing,
      estimatedCapacity: estimateCapacity(existing, tc.capacity ?? {}),
      limitedCapacity: tc.limitedCapacity ?? {},
      key: '',
      avoidDisruption,
      keepUnschedulableReplicas,
    });
    ({ plan, overflow } = result);
    const same = (a: Counts, b: Counts | undefined): boolean =>
      (Object.keys(a).length === 0 && Object.keys(b ?? {}).length === 0) || JSON.stringify(sorted(a)) === JSON.stringify(sorted(b ?? {}));
    converged = same(plan, last?.plan) && same(overflow, last?.overflow);
    if (converged) break;
    existing = {};
    for (const [cluster, replicas] of Object.entries(plan)) existing[cluster] = (existing[cluster] ?? 0) + replicas;
    for (const [cluster, replicas] of Object.entries(overflow)) existing[cluster] = (existing[cluster] ?? 0) + replicas;
    last = { plan, overflow };
  }
  const context = `avoidDisruption=${avoidDisruption} keepUnschedulableReplicas=${keepUnschedulableReplicas}`;
  expect(converged, `did not converge (${context})`).toBe(true);
  expect(plan, context).toEqual(expected.plan);
  expect(overflow, context).toEqual(expected.overflow ?? {});
}

function sorted(counts: Counts): [string, number][] {
  return Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1));
}

// doCheckWithoutExisting: the same result whatever avoidDisruption and keepUnschedulableReplicas.
function withoutExisting(tc: TestCase, expected: Expected): void {
  doCheck(tc, false, false, expected);
  doCheck(tc, false, true, expected);
  doCheck(tc, true, false, expected);
  doCheck(tc, true, true, expected);
}

// doCheckWithExisting: [avoidDisruption false, avoidDisruption true].
function withExisting(tc: TestCase, expected: [Expected, Expected]): void {
  doCheck(tc, false, false, expected[0]);
  doCheck(tc, false, true, expected[0]);
  doCheck(tc, true, false, expected[1]);
  doCheck(tc, true, true, expected[1]);
}

// doCheckWithExistingAndCapacity: every combination of (avoidDisruption, keepUnschedulableReplicas).
function withExistingAndCapacity(tc: TestCase, expected: [Expected, Expected, Expected, Expected]): void {
  doCheck(tc, false, false, expected[0]);
  doCheck(tc, false, true, expected[1]);
  doCheck(tc, true, false, expected[2]);
  doCheck(tc, true, true, expected[3]);
}

const star = { '*': { weight: 1 } };

describe('planKubeAdmiral: planner_test.go TestWithoutExisting', () => {
  it('equal weights (hash dependent)', () => {
    withoutExisting({ rsp: star, replicas: 50, clusters: ['A', 'B', 'C'] }, { plan: { A: 16, B: 17, C: 17 } });
    withoutExisting({ rsp: star, replicas: 50, clusters: ['A', 'B'] }, { plan: { A: 25, B: 25 } });
    withoutExisting({ rsp: star, replicas: 1, clusters: ['A', 'B'] }, { plan: { A: 0, B: 1 } });
    withoutExisting({ rsp: star, replicas: 1, clusters: ['A', 'B', 'C', 'D'] }, { plan: { A: 0, B: 0, C: 0, D: 1 } });
    withoutExisting({ rsp: star, replicas: 1, clusters: ['A'] }, { plan: { A: 1 } });
    withoutExisting({ rsp: star, replicas: 1, clusters: [] }, { plan: {} });
  });

  it('minimums', () => {
    withoutExisting({ rsp: { '*': { minReplicas: 2, weight: 0 } }, replicas: 50, clusters: ['A', 'B', 'C'] }, { plan: { A: 2, B: 2, C: 2 } });
    withoutExisting({ rsp: { '*': { minReplicas: 20, weight: 0 } }, replicas: 50, clusters: ['A', 'B', 'C'] }, { plan: { A: 10, B: 20, C: 20 } });
    withoutExisting(
      { rsp: { '*': { minReplicas: 20, weight: 0 }, A: { minReplicas: 100, weight: 1 } }, replicas: 50, clusters: ['A', 'B', 'C'] },
      { plan: { A: 50, B: 0, C: 0 } },
    );
    withoutExisting(
      { rsp: { A: { minReplicas: 10, weight: 1 }, B: { weight: 1 } }, replicas: 50, clusters: ['A', 'B'] },
      { plan: { A: 30, B: 20 } },
    );
    withoutExisting(
      {
        rsp: { A: { minReplicas: 3, weight: 2 }, B: { minReplicas: 3, weight: 3 }, C: { minReplicas: 3, weight: 5 } },
        replicas: 10,
        clusters: ['A', 'B', 'C'],
      },
      { plan: { A: 3, B: 3, C: 4 } },
    );
    withoutExisting(
      { rsp: { '*': { minReplicas: 10, weight: 1, maxReplicas: 12 } }, replicas: 50, clusters: ['A', 'B', 'C'] },
      { plan: { A: 12, B: 12, C: 12 } },
    );
  });

  it('maximums', () => {
    withoutExisting({ rsp: { '*': { weight: 1, maxReplicas: 2 } }, replicas: 50, clusters: ['A', 'B', 'C'] }, { plan: { A: 2, B: 2, C: 2 } });
    withoutExisting({ rsp: { '*': { weight: 0, maxReplicas: 2 } }, replicas: 50, clusters: ['A', 'B', 'C'] }, { plan: { A: 0, B: 0, C: 0 } });
  });

  it('weights; clusters without a preference get no entry', () => {
    withoutExisting({ rsp: { A: { weight: 1 }, B: { weight: 2 } }, replicas: 60, clusters: ['A', 'B', 'C'] }, { plan: { A: 20, B: 40 } });
    withoutExisting({ rsp: { A: { weight: 10000 }, B: { weight: 1 } }, replicas: 50, clusters: ['A', 'B', 'C'] }, { plan: { A: 50, B: 0 } });
    withoutExisting({ rsp: { A: { weight: 10000 }, B: { weight: 1 } }, replicas: 50, clusters: ['B', 'C'] }, { plan: { B: 50 } });
    withoutExisting(
      { rsp: { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1 } }, replicas: 50, clusters: ['A', 'B', 'C'] },
      { plan: { A: 10, B: 20, C: 20 } },
    );
    withoutExisting(
      {
        rsp: { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1, maxReplicas: 10 } },
        replicas: 50,
        clusters: ['A', 'B', 'C'],
      },
      { plan: { A: 10, B: 30, C: 10 } },
    );
    withoutExisting(
      {
        rsp: {
          A: { weight: 10000, maxReplicas: 10 },
          B: { weight: 1 },
          C: { weight: 1, maxReplicas: 21 },
          D: { weight: 1, maxReplicas: 10 },
        },
        replicas: 71,
        clusters: ['A', 'B', 'C', 'D'],
      },
      { plan: { A: 10, B: 30, C: 21, D: 10 } },
    );
    withoutExisting(
      {
        rsp: {
          A: { weight: 10000, maxReplicas: 10 },
          B: { weight: 1 },
          C: { weight: 1, maxReplicas: 21 },
          D: { weight: 1, maxReplicas: 10 },
          E: { weight: 1 },
        },
        replicas: 91,
        clusters: ['A', 'B', 'C', 'D', 'E'],
      },
      { plan: { A: 10, B: 25, C: 21, D: 10, E: 25 } },
    );
  });
});

describe('planKubeAdmiral: planner_test.go TestWithExisting', () => {
  it('avoidDisruption keeps what runs and moves only the difference', () => {
    withExisting({ rsp: star, replicas: 50, clusters: ['A', 'B', 'C'], existing: { C: 30 } }, [
      { plan: { A: 16, B: 17, C: 17 } },
      { plan: { A: 9, B: 11, C: 30 } },
    ]);
    withExisting({ rsp: star, replicas: 50, clusters: ['A', 'B'], existing: { A: 30 } }, [{ plan: { A: 25, B: 25 } }, { plan: { A: 30, B: 20 } }]);
  });

  it('limitedCapacity caps without overflow', () => {
    withExisting({ rsp: star, replicas: 50, clusters: ['A', 'B'], existing: { A: 30 }, limitedCapacity: { A: 0 } }, [
      { plan: { A: 0, B: 50 } },
      { plan: { A: 0, B: 50 } },
    ]);
    withExisting({ rsp: star, replicas: 50, clusters: ['A', 'B'], existing: { A: 30 }, limitedCapacity: { A: 10 } }, [
      { plan: { A: 10, B: 40 } },
      { plan: { A: 10, B: 40 } },
    ]);
  });

  it('15 replicas over A and B from various current states', () => {
    const same = (existing: Counts, disrupted: Counts): void =>
      withExisting({ rsp: star, replicas: 15, clusters: ['A', 'B'], existing }, [{ plan: { A: 7, B: 8 } }, { plan: disrupted }]);
    same({ A: 0, B: 8 }, { A: 7, B: 8 });
    same({ A: 1, B: 8 }, { A: 7, B: 8 });
    same({ A: 4, B: 8 }, { A: 7, B: 8 });
    same({ A: 7, B: 8 }, { A: 7, B: 8 });
    same({ A: 15, B: 0 }, { A: 15, B: 0 });
    same({ A: 5, B: 10 }, { A: 5, B: 10 });
  });

  it('scale up and down', () => {
    withExisting({ rsp: star, replicas: 50, clusters: ['A', 'B'], existing: { A: 30 } }, [{ plan: { A: 25, B: 25 } }, { plan: { A: 30, B: 20 } }]);
    withExisting({ rsp: star, replicas: 50, clusters: ['A', 'B'], existing: { A: 10 } }, [{ plan: { A: 25, B: 25 } }, { plan: { A: 25, B: 25 } }]);
    withExisting({ rsp: star, replicas: 50, clusters: ['A', 'B'], existing: { A: 10, B: 20 } }, [
      { plan: { A: 25, B: 25 } },
      { plan: { A: 25, B: 25 } },
    ]);
    withExisting({ rsp: star, replicas: 50, clusters: ['A', 'B'], existing: { A: 10, B: 70 } }, [
      { plan: { A: 25, B: 25 } },
      { plan: { A: 10, B: 40 } },
    ]);
    withExisting({ rsp: star, replicas: 1, clusters: ['A', 'B'], existing: { A: 30 } }, [{ plan: { A: 0, B: 1 } }, { plan: { A: 1, B: 0 } }]);
    withExisting({ rsp: star, replicas: 10, clusters: ['A', 'B'], existing: { A: 50, B: 30 } }, [
      { plan: { A: 5, B: 5 } },
      { plan: { A: 5, B: 5 } },
    ]);
    withExisting(
      { rsp: { A: { weight: 499 }, B: { weight: 499 }, C: { weight: 1 } }, replicas: 15, clusters: ['A', 'B', 'C'], existing: { A: 15, B: 15, C: 0 } },
      [{ plan: { A: 7, B: 8, C: 0 } }, { plan: { A: 7, B: 8, C: 0 } }],
    );
    withExisting({ rsp: star, replicas: 18, clusters: ['A', 'B', 'C'], existing: { A: 10, B: 1, C: 1 } }, [
      { plan: { A: 6, B: 6, C: 6 } },
      { plan: { A: 10, B: 4, C: 4 } },
    ]);
    withExisting(
      { rsp: { A: { weight: 0 }, B: { weight: 1 }, C: { weight: 1 } }, replicas: 18, clusters: ['A', 'B', 'C'], existing: { A: 10, B: 1, C: 7 } },
      [{ plan: { A: 0, B: 9, C: 9 } }, { plan: { A: 10, B: 1, C: 7 } }],
    );
  });
});

describe('planKubeAdmiral: planner_test.go TestWithExistingAndCapacity', () => {
  it('migrates unschedulable replicas out of a full cluster', () => {
    // A:16, B:17, C:17 initially, then migrate 7 in C after unschedulable.
    withExistingAndCapacity({ rsp: star, replicas: 50, clusters: ['A', 'B', 'C'], existing: { A: 30, B: 20 }, capacity: { C: 10 } }, [
      { plan: { A: 20, B: 20, C: 10 }, overflow: { C: 7 } },
      { plan: { A: 20, B: 20, C: 10 }, overflow: { C: 7 } },
      { plan: { A: 30, B: 20, C: 0 } },
      { plan: { A: 30, B: 20, C: 0 } },
    ]);
    withExistingAndCapacity({ rsp: star, replicas: 50, clusters: ['A', 'B', 'C'], existing: { A: 30, C: 20 }, capacity: { C: 10 } }, [
      { plan: { A: 20, B: 20, C: 10 }, overflow: { C: 7 } },
      { plan: { A: 20, B: 20, C: 10 }, overflow: { C: 7 } },
      { plan: { A: 30, B: 10, C: 10 } },
      { plan: { A: 30, B: 10, C: 10 }, overflow: { C: 7 } },
    ]);
  });

  it('weights with capacity', () => {
    withExistingAndCapacity(
      { rsp: { A: { weight: 10000 }, B: { weight: 1 } }, replicas: 50, clusters: ['B', 'C'], existing: { B: 50 }, capacity: { B: 10 } },
      [
        { plan: { B: 10 }, overflow: { B: 40 } },
        { plan: { B: 10 }, overflow: { B: 40 } },
        { plan: { B: 10 }, overflow: { B: 40 } },
        { plan: { B: 10 }, overflow: { B: 40 } },
      ],
    );
    withExistingAndCapacity(
      { rsp: { A: { weight: 1 }, B: { weight: 5 } }, replicas: 60, clusters: ['A', 'B', 'C'], existing: { A: 20, B: 40 }, capacity: { B: 10 } },
      [
        { plan: { A: 50, B: 10 }, overflow: { B: 40 } },
        { plan: { A: 50, B: 10 }, overflow: { B: 40 } },
        { plan: { A: 50, B: 10 } },
        { plan: { A: 50, B: 10 }, overflow: { B: 40 } },
      ],
    );
    withExistingAndCapacity(
      { rsp: { A: { weight: 1 }, B: { weight: 2 } }, replicas: 60, clusters: ['A', 'B', 'C'], existing: { A: 60 }, capacity: { B: 10 } },
      [
        { plan: { A: 50, B: 10 }, overflow: { B: 30 } },
        { plan: { A: 50, B: 10 }, overflow: { B: 30 } },
        { plan: { A: 60, B: 0 } },
        { plan: { A: 60, B: 0 } },
      ],
    );
  });

  it('total capacity below the desired replicas', () => {
    withExistingAndCapacity(
      {
        rsp: { A: { weight: 1 }, B: { weight: 1 } },
        replicas: 60,
        clusters: ['A', 'B', 'C'],
        existing: { A: 30, B: 30 },
        capacity: { A: 10, B: 10 },
      },
      [
        { plan: { A: 10, B: 10 }, overflow: { A: 20, B: 20 } },
        { plan: { A: 10, B: 10 }, overflow: { A: 20, B: 20 } },
        { plan: { A: 10, B: 10 }, overflow: { A: 20, B: 20 } },
        { plan: { A: 10, B: 10 }, overflow: { A: 20, B: 20 } },
      ],
    );
    withExistingAndCapacity(
      { rsp: { A: { weight: 1 }, B: { weight: 2 } }, replicas: 60, clusters: ['A', 'B'], existing: { A: 30, B: 40 }, capacity: { A: 25, B: 10 } },
      [
        { plan: { A: 25, B: 10 }, overflow: { A: 25, B: 30 } },
        { plan: { A: 25, B: 10 }, overflow: { A: 25, B: 30 } },
        { plan: { A: 25, B: 10 }, overflow: { A: 25, B: 25 } },
        { plan: { A: 25, B: 10 }, overflow: { A: 25, B: 30 } },
      ],
    );
  });

  it('max, capacity and an existing cluster above its max', () => {
    withExistingAndCapacity(
      {
        rsp: {
          A: { weight: 10000, maxReplicas: 10 },
          B: { weight: 1 },
          C: { weight: 1, maxReplicas: 21 },
          D: { weight: 1, maxReplicas: 10 },
        },
        replicas: 71,
        clusters: ['A', 'B', 'C', 'D'],
        existing: { A: 20 },
        capacity: { C: 10 },
      },
      [
        { plan: { A: 10, B: 41, C: 10, D: 10 }, overflow: { C: 11 } },
        { plan: { A: 10, B: 41, C: 10, D: 10 }, overflow: { C: 11 } },
        { plan: { A: 20, B: 33, C: 10, D: 8 } },
        { plan: { A: 20, B: 33, C: 10, D: 8 }, overflow: { C: 11 } },
      ],
    );
  });

  it('capacity < minReplicas is recorded as overflow too, to prevent a rescheduling loop', () => {
    withExistingAndCapacity(
      { rsp: { '*': { minReplicas: 20, weight: 0 } }, replicas: 50, clusters: ['A', 'B', 'C'], existing: { A: 24 }, capacity: { B: 10 } },
      [
        { plan: { A: 20, B: 10, C: 20 }, overflow: { B: 10 } },
        { plan: { A: 20, B: 10, C: 20 }, overflow: { B: 10 } },
        { plan: { A: 24, B: 10, C: 16 } },
        { plan: { A: 24, B: 10, C: 16 }, overflow: { B: 10 } },
      ],
    );
    // Upstream: "Actually we'd like 20 overflow, but 25 is also fine."
    withExistingAndCapacity(
      { rsp: { '*': { minReplicas: 20, weight: 1 } }, replicas: 60, clusters: ['A', 'B'], existing: {}, capacity: { B: 10 } },
      [
        { plan: { A: 50, B: 10 }, overflow: { B: 25 } },
        { plan: { A: 50, B: 10 }, overflow: { B: 25 } },
        { plan: { A: 50, B: 10 } },
        { plan: { A: 50, B: 10 }, overflow: { B: 25 } },
      ],
    );
  });
});

describe('planKubeAdmiral: reference §4.4 worked examples', () => {
  const abc = { a: { weight: 1 }, b: { weight: 1 }, c: { weight: 1 } };
  const base = { clusters: ['a', 'b', 'c'], preferences: abc, key: 'prod/web' };

  it('FNV-1 of name + "prod/web" orders the clusters c, a, b', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((name) => fnv1_32(`${name}prod/web`));
    expect(c! < a! && a! < b!).toBe(true);
  });

  it('1. scale-up with avoidDisruption: new replicas go to the clusters below desired, by deficit', () => {
    const up = planKubeAdmiral({ ...base, total: 9, current: { a: 4, b: 1, c: 1 }, avoidDisruption: true });
    expect(up.plan).toEqual({ a: 4, b: 2, c: 3 });
    expect(up.replicas).toEqual({ a: 4, b: 2, c: 3 });
    expect(up.steps).toContain('avoidDisruption: current a 4, b 1, c 1 (total 6), desired total 9');
    expect(up.steps).toContain('scale up (replicas added) pass 1: 3 to share, weight sum 4: c +2 = 2; b +1 = 1; 0 left');
    expect(planKubeAdmiral({ ...base, total: 9, current: { a: 4, b: 1, c: 1 }, avoidDisruption: false }).plan).toEqual({ a: 3, b: 3, c: 3 });
  });

  it('2. scale-down with avoidDisruption: only the cluster above desired shrinks', () => {
    const down = planKubeAdmiral({ ...base, total: 3, current: { a: 4, b: 1, c: 1 }, avoidDisruption: true });
    expect(down.plan).toEqual({ a: 1, b: 1, c: 1 });
  });

  it('3. dynamic weights 250/250/500 put 8 replicas as 2, 2, 4', () => {
    const clusters = [
      { name: 'a', available: 4, allocatable: 4 },
      { name: 'b', available: 4, allocatable: 4 },
      { name: 'c', available: 8, allocatable: 8 },
    ];
    expect(dynamicWeights(clusters)).toEqual({ a: 250, b: 250, c: 500 });
    const scheduled = kubeAdmiralReplicaScheduling({ total: 8, clusters, avoidDisruption: false, key: 'prod/web' });
    expect(scheduled.dynamic).toBe(true);
    expect(scheduled.replicas).toEqual({ a: 2, b: 2, c: 4 });
    expect(scheduled.steps[0]).toBe('dynamic weights: a 250, b 250, c 500');
  });
});

const cpu = (name: string, allocatable: number, available: number): ClusterCapacity =>
  // rsp_test.go makeClusterWithCPU: a negative argument leaves the cluster without resources at all.
  allocatable >= 0 && available >= 0 ? { name, allocatable, available } : { name };

describe('dynamic weights: rsp_test.go', () => {
  it('TestCalcWeightLimit', () => {
    expect(calcWeightLimit([cpu('cluster1', 100, 0), cpu('cluster2', 100, 0)], 1.0)).toEqual({ cluster1: 500, cluster2: 500 });
    expect(calcWeightLimit([cpu('cluster1', 3000, 0), cpu('cluster2', 4000, 0), cpu('cluster3', 3000, 0)], 1.0)).toEqual({
      cluster1: 300,
      cluster2: 400,
      cluster3: 300,
    });
    expect(calcWeightLimit([cpu('cluster1', 3000, -1), cpu('cluster2', 7000, 0), cpu('cluster3', 3000, 0)], 1.0)).toEqual({
      cluster1: 0,
      cluster2: 700,
      cluster3: 300,
    });
    expect(calcWeightLimit([cpu('cluster1', 3000, -1), cpu('cluster2', 7000, -1), cpu('cluster3', 3000, -1)], 1.0)).toEqual({
      cluster1: 333,
      cluster2: 333,
      cluster3: 333,
    });
  });

  it('TestAvailableToPercentage', () => {
    const weigh = (...clusters: ClusterCapacity[]): Record<string, number> => availableToPercentage(clusters, calcWeightLimit(clusters, 1.0));
    expect(weigh(cpu('cluster1', 100, 50), cpu('cluster2', 100, 50))).toEqual({ cluster1: 500, cluster2: 500 });
    // limit 500:500, tmpWeight 500:200 → 500/700 = 0.714, 200/700 = 0.286
    expect(weigh(cpu('cluster1', 100, 40), cpu('cluster2', 100, 10))).toEqual({ cluster1: 714, cluster2: 286 });
    expect(weigh(cpu('cluster1', -1, -1))).toEqual({ cluster1: 1000 });
    expect(weigh(cpu('cluster1', -1, -1), cpu('cluster2', 400, 100), cpu('cluster3', 200, 100))).toEqual({
      cluster1: 0,
      cluster2: 600,
      cluster3: 400,
    });
    expect(weigh(cpu('cluster1', -1, -1), cpu('cluster2', -1, 100), cpu('cluster3', -1, 100))).toEqual({
      cluster1: 333,
      cluster2: 333,
      cluster3: 333,
    });
  });

  it('the rounding remainder goes to the largest weight, the first by name on a tie (†)', () => {
    // 1/3 each → 333 + 333 + 333 = 999; the 1 left goes to the first of the tied.
    const three = [cpu('x', 10, 10), cpu('y', 10, 10), cpu('z', 10, 10)];
    expect(dynamicWeights(three)).toEqual({ x: 334, y: 333, z: 333 });
    // w's 571 is capped at 350; 143×3 + 350 = 779 renormalises to 184×3 + 449 = 1001,
    // so the largest gives one back.
    const uneven = [cpu('x', 10, 1), cpu('y', 10, 1), cpu('z', 10, 1), cpu('w', 10, 4)];
    expect(dynamicWeights(uneven)).toEqual({ x: 184, y: 184, z: 184, w: 448 });
  });

  it('caps a cluster by 1.4 × its allocatable share', () => {
    // available 90:10 but allocatable 50:50: limit 700 each, so 900 → 700; renormalised 700:100 → 875:125.
    expect(dynamicWeights([cpu('big', 50, 90), cpu('small', 50, 10)])).toEqual({ big: 875, small: 125 });
  });

  it('returns zero weights when every capped weight is 0', () => {
    // Available only where allocatable is 0, so the cap is 0 everywhere something is available.
    expect(dynamicWeights([{ name: 'a', available: 5, allocatable: 0 }, { name: 'b', available: 0, allocatable: 10 }])).toEqual({ a: 0, b: 0 });
  });
});

describe('kubeAdmiralReplicaScheduling: rsp_test.go', () => {
  const named = (...names: string[]): ClusterCapacity[] => names.map((name) => ({ name }));
  const schedule = (extra: Partial<Parameters<typeof kubeAdmiralReplicaScheduling>[0]>, clusters: ClusterCapacity[]) =>
    kubeAdmiralReplicaScheduling({ total: 10, clusters, avoidDisruption: false, key: '', ...extra }).replicas;

  it('TestClusterWeights: dynamic scheduling with no weights specified', () => {
    expect(schedule({}, [cpu('cluster1', 200, 200), cpu('cluster2', 300, 300), cpu('cluster3', 500, 500)])).toEqual({
      cluster1: 2,
      cluster2: 3,
      cluster3: 5,
    });
  });

  it('TestClusterWeights: static weights', () => {
    expect(schedule({ weights: { cluster1: 2, cluster2: 3, cluster3: 5 } }, named('cluster1', 'cluster2', 'cluster3'))).toEqual({
      cluster1: 2,
      cluster2: 3,
      cluster3: 5,
    });
  });

  it('TestClusterWeights: some static weights; the unweighted cluster gets 0 and is dropped', () => {
    const result = kubeAdmiralReplicaScheduling({
      total: 10,
      clusters: named('cluster1', 'cluster2', 'cluster3'),
      weights: { cluster1: 2, cluster2: 3 },
      avoidDisruption: false,
      key: '',
    });
    expect(result.replicas).toEqual({ cluster1: 4, cluster2: 6 });
    expect(result.plan).toEqual({ cluster1: 4, cluster2: 6, cluster3: 0 });
  });

  it('TestMinReplicas', () => {
    expect(
      schedule(
        { weights: { cluster1: 2, cluster2: 3, cluster3: 5 }, minReplicas: { cluster1: 3, cluster2: 3, cluster3: 3 } },
        named('cluster1', 'cluster2', 'cluster3'),
      ),
    ).toEqual({ cluster1: 3, cluster2: 3, cluster3: 4 });
  });

  it('TestMaxReplicas: a hard constraint', () => {
    expect(
      schedule(
        { weights: { cluster1: 2, cluster2: 3, cluster3: 5 }, maxReplicas: { cluster1: 1, cluster2: 1, cluster3: 1 } },
        named('cluster1', 'cluster2', 'cluster3'),
      ),
    ).toEqual({ cluster1: 1, cluster2: 1, cluster3: 1 });
  });
});

describe('kubeAdmiralReplicaScheduling: caller rules from rsp.go (†)', () => {
  it('an untolerated NoSchedule taint caps a cluster at its current replicas', () => {
    const result = kubeAdmiralReplicaScheduling({
      total: 12,
      clusters: [{ name: 'a', untoleratedNoSchedule: true }, { name: 'b' }, { name: 'c' }],
      weights: { a: 1, b: 1, c: 1 },
      current: { a: 2, b: 2, c: 2 },
      avoidDisruption: false,
      key: '',
    });
    expect(result.replicas).toEqual({ a: 2, b: 5, c: 5 });
    const fresh = kubeAdmiralReplicaScheduling({
      total: 12,
      clusters: [{ name: 'a', untoleratedNoSchedule: true }, { name: 'b' }],
      weights: { a: 1, b: 1 },
      avoidDisruption: false,
      key: '',
    });
    expect(fresh.replicas).toEqual({ b: 12 });
  });

  it('a current cluster without a replica count counts as holding the total', () => {
    const result = kubeAdmiralReplicaScheduling({
      total: 6,
      clusters: [{ name: 'a' }, { name: 'b' }],
      weights: { a: 1, b: 1 },
      current: { a: null },
      avoidDisruption: true,
      key: '',
    });
    // current a 6 (the total), b 0 = desired total 6: the current distribution stays; b is dropped.
    expect(result.replicas).toEqual({ a: 6 });
    expect(result.plan).toEqual({ a: 6, b: 0 });
  });

  it('ignores negative capacity estimates and adds overflow to the placed replicas', () => {
    const result = kubeAdmiralReplicaScheduling({
      total: 10,
      clusters: [{ name: 'a' }, { name: 'b' }],
      weights: { a: 1, b: 1 },
      estimatedCapacity: { a: 2, b: -1 },
      keepUnschedulableReplicas: true,
      avoidDisruption: true,
      key: '',
    });
    expect(result.plan).toEqual({ a: 2, b: 8 });
    expect(result.overflow).toEqual({ a: 3 });
    expect(result.replicas).toEqual({ a: 5, b: 8 });
  });
});

interface Generated {
  total: number;
  clusters: string[];
  prefs: Record<string, ClusterPreference>;
  current: Counts;
  estimated: Counts;
  limited: Counts;
  avoidDisruption: boolean;
  keep: boolean;
  key: string;
}

describe('planKubeAdmiral: properties', () => {
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const preference = fc
    .record({
      minReplicas: fc.option(fc.nat(20), { nil: undefined }),
      extraMax: fc.option(fc.nat(30), { nil: undefined }),
      weight: fc.option(fc.nat(10), { nil: undefined }),
    })
    .map(({ minReplicas, extraMax, weight }) => ({
      minReplicas,
      maxReplicas: extraMax === undefined ? undefined : (minReplicas ?? 0) + extraMax,
      weight,
    }));
  const input: fc.Arbitrary<Generated> = fc.record({
    total: fc.nat(200),
    clusters: fc.uniqueArray(fc.constantFrom(...names), { maxLength: names.length }),
    prefs: fc.dictionary(fc.constantFrom('*', ...names), preference),
    current: fc.dictionary(fc.constantFrom(...names), fc.nat(100)),
    estimated: fc.dictionary(fc.constantFrom(...names), fc.nat(60)),
    limited: fc.dictionary(fc.constantFrom(...names), fc.nat(60)),
    avoidDisruption: fc.boolean(),
    keep: fc.boolean(),
    key: fc.string({ maxLength: 8 }),
  });
  const toInput = (x: Generated): KubeAdmiralPlanInput => ({
    total: x.total,
    clusters: x.clusters,
    preferences: x.prefs,
    current: x.current,
    estimatedCapacity: x.estimated,
    limitedCapacity: x.limited,
    key: x.key,
    avoidDisruption: x.avoidDisruption,
    keepUnschedulableReplicas: x.keep,
  });
  const prefOf = (prefs: Record<string, ClusterPreference>, name: string): ClusterPreference | undefined =>
    Object.hasOwn(prefs, name) ? prefs[name] : Object.hasOwn(prefs, '*') ? prefs['*'] : undefined;

  it('without avoidDisruption: never more than the total, within every max and capacity limit', () => {
    fc.assert(
      fc.property(input, (x) => {
        const { plan, replicas } = planKubeAdmiral({ ...toInput(x), avoidDisruption: false });
        expect(Object.values(plan).reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(x.total);
        for (const [name, count] of Object.entries(plan)) {
          const pref = prefOf(x.prefs, name);
          expect(pref).toBeDefined();
          if (pref?.maxReplicas !== undefined) expect(count).toBeLessThanOrEqual(pref.maxReplicas);
          if (Object.hasOwn(x.limited, name)) expect(count).toBeLessThanOrEqual(x.limited[name]!);
          if (Object.hasOwn(x.estimated, name)) expect(count).toBeLessThanOrEqual(x.estimated[name]!);
        }
        for (const count of Object.values(replicas)) expect(count).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('with avoidDisruption: never more than the total, and a fresh start respects every max', () => {
    fc.assert(
      fc.property(input, (x) => {
        const moved = planKubeAdmiral({ ...toInput(x), avoidDisruption: true });
        expect(Object.values(moved.plan).reduce((sum, n) => sum + n, 0)).toBeLessThanOrEqual(x.total);
        for (const count of Object.values(moved.plan)) expect(count).toBeGreaterThanOrEqual(0);
        const fresh = planKubeAdmiral({ ...toInput(x), current: {}, avoidDisruption: true });
        for (const [name, count] of Object.entries(fresh.plan)) {
          const max = prefOf(x.prefs, name)?.maxReplicas;
          if (max !== undefined) expect(count).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('with avoidDisruption: clusters only move towards the desired plan', () => {
    fc.assert(
      fc.property(input, (x) => {
        const desired = planKubeAdmiral({ ...toInput(x), avoidDisruption: false, keepUnschedulableReplicas: x.keep }).plan;
        const moved = planKubeAdmiral({ ...toInput(x), avoidDisruption: true }).plan;
        for (const [name, count] of Object.entries(moved)) {
          let have = x.current[name] ?? 0;
          if (Object.hasOwn(x.limited, name)) have = Math.min(have, x.limited[name]!);
          if (Object.hasOwn(x.estimated, name)) have = Math.min(have, x.estimated[name]!);
          const want = desired[name] ?? 0;
          expect(count).toBeGreaterThanOrEqual(Math.min(have, want));
          expect(count).toBeLessThanOrEqual(Math.max(have, want));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic and independent of the input order of clusters', () => {
    fc.assert(
      fc.property(input, (x) => {
        const first = planKubeAdmiral(toInput(x));
        expect(planKubeAdmiral(toInput(x))).toEqual(first);
        const reversed = planKubeAdmiral({ ...toInput(x), clusters: [...x.clusters].reverse() });
        expect(reversed.plan).toEqual(first.plan);
        expect(reversed.overflow).toEqual(first.overflow);
      }),
      { numRuns: 300 },
    );
  });
});
