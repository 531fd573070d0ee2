import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManifoldError } from '../errors/index.ts';
import { fnv1_32 } from './hash.ts';
import { planReplicas, type ClusterPreference, type PlanInput } from './replica-planner.ts';

type Prefs = Record<string, ClusterPreference>;

// The helpers of kubernetes-retired/kubefed pkg/controller/util/planner/planner_test.go (key "").
function doCheck(clusters: Prefs, total: number, names: string[], expected: Record<string, number>): void {
  const { plan, overflow } = planReplicas({ total, clusters: names, preferences: { clusters }, current: {}, capacity: {}, key: '' });
  expect(plan).toEqual(expected);
  expect(overflow).toEqual({});
}

function doCheckWithExisting(
  clusters: Prefs,
  total: number,
  names: string[],
  existing: Record<string, number>,
  expected: Record<string, number>,
): void {
  const { plan, overflow } = planReplicas({ total, clusters: names, preferences: { clusters }, current: existing, capacity: {}, key: '' });
  expect(overflow).toEqual({});
  expect(plan).toEqual(expected);
}

function doCheckWithExistingAndCapacity(
  rebalance: boolean,
  clusters: Prefs,
  total: number,
  names: string[],
  existing: Record<string, number>,
  capacity: Record<string, number>,
  expected: Record<string, number>,
  expectedOverflow: Record<string, number>,
): void {
  const result = planReplicas({ total, clusters: names, preferences: { rebalance, clusters }, current: existing, capacity, key: '' });
  expect(result.plan).toEqual(expected);
  expect(result.overflow).toEqual(expectedOverflow);
}

describe('planReplicas: planner_test.go', () => {
  it('hash order with key "" is E < D < C < B < A, as the upstream vectors assume', () => {
    const hashes = ['A', 'B', 'C', 'D', 'E'].map((name) => fnv1_32(name));
    expect([...hashes].sort((a, b) => a - b)).toEqual([...hashes].reverse());
  });

  it('TestEqual', () => {
    doCheck({ '*': { weight: 1 } }, 50, ['A', 'B', 'C'], { A: 16, B: 17, C: 17 });
    doCheck({ '*': { weight: 1 } }, 50, ['A', 'B'], { A: 25, B: 25 });
    doCheck({ '*': { weight: 1 } }, 1, ['A', 'B'], { A: 0, B: 1 });
    doCheck({ '*': { weight: 1 } }, 1, ['A', 'B', 'C', 'D'], { A: 0, B: 0, C: 0, D: 1 });
    doCheck({ '*': { weight: 1 } }, 1, ['A'], { A: 1 });
    doCheck({ '*': { weight: 1 } }, 1, [], {});
  });

  it('TestEqualWithExisting', () => {
    const star = { '*': { weight: 1 } };
    doCheckWithExisting(star, 50, ['A', 'B', 'C'], { C: 30 }, { A: 10, B: 10, C: 30 });
    doCheckWithExisting(star, 50, ['A', 'B'], { A: 30 }, { A: 30, B: 20 });
    doCheckWithExisting(star, 15, ['A', 'B'], { A: 0, B: 8 }, { A: 7, B: 8 });
    doCheckWithExisting(star, 15, ['A', 'B'], { A: 1, B: 8 }, { A: 7, B: 8 });
    doCheckWithExisting(star, 15, ['A', 'B'], { A: 4, B: 8 }, { A: 7, B: 8 });
    doCheckWithExisting(star, 15, ['A', 'B'], { A: 5, B: 8 }, { A: 7, B: 8 });
    doCheckWithExisting(star, 15, ['A', 'B'], { A: 6, B: 8 }, { A: 7, B: 8 });
    doCheckWithExisting(star, 15, ['A', 'B'], { A: 7, B: 8 }, { A: 7, B: 8 });
    doCheckWithExisting(star, 500000, ['A', 'B'], { A: 300000 }, { A: 300000, B: 200000 });
    doCheckWithExisting(star, 50, ['A', 'B'], { A: 10 }, { A: 25, B: 25 });
    // Upstream TODO (kubernetes/kubernetes#31816): should be 10:40.
    doCheckWithExisting(star, 50, ['A', 'B'], { A: 10, B: 70 }, { A: 0, B: 50 });
    doCheckWithExisting(star, 1, ['A', 'B'], { A: 30 }, { A: 1, B: 0 });
    doCheckWithExisting(star, 50, ['A', 'B'], { A: 10, B: 20 }, { A: 25, B: 25 });
  });

  it('TestWithExistingAndCapacity', () => {
    doCheckWithExistingAndCapacity(true, { '*': { weight: 1 } }, 50, ['A', 'B', 'C'], {}, { C: 10 }, { A: 20, B: 20, C: 10 }, { C: 7 });
    doCheckWithExistingAndCapacity(true, { A: { weight: 10000 }, B: { weight: 1 } }, 50, ['B', 'C'], {}, { B: 10 }, { B: 10, C: 0 }, {
      B: 40,
    });
    doCheckWithExistingAndCapacity(
      true,
      { A: { weight: 1 }, B: { weight: 2 } },
      60,
      ['A', 'B', 'C'],
      {},
      { B: 10 },
      { A: 50, B: 10, C: 0 },
      { B: 30 },
    );
    doCheckWithExistingAndCapacity(
      true,
      {
        A: { weight: 10000, maxReplicas: 10 },
        B: { weight: 1 },
        C: { weight: 1, maxReplicas: 21 },
        D: { weight: 1, maxReplicas: 10 },
      },
      71,
      ['A', 'B', 'C', 'D'],
      {},
      { C: 10 },
      { A: 10, B: 41, C: 10, D: 10 },
      { C: 11 },
    );
    doCheckWithExistingAndCapacity(
      false,
      { A: { weight: 1 }, B: { weight: 1 } },
      60,
      ['A', 'B', 'C'],
      {},
      { A: 10, B: 10 },
      { A: 10, B: 10, C: 0 },
      { A: 20, B: 20 },
    );
    // Desired A:10 B:50, although A:50 B:10 is fully acceptable because rebalance = false.
    doCheckWithExistingAndCapacity(
      false,
      { A: { weight: 1 }, B: { weight: 5 } },
      60,
      ['A', 'B', 'C'],
      {},
      { B: 10 },
      { A: 50, B: 10, C: 0 },
      {},
    );
    doCheckWithExistingAndCapacity(
      false,
      { '*': { minReplicas: 20, weight: 0 } },
      50,
      ['A', 'B', 'C'],
      {},
      { B: 10 },
      { A: 20, B: 10, C: 20 },
      {},
    );
    // Upstream: "Actually we would like to have extra 20 in B but 15 is also good."
    doCheckWithExistingAndCapacity(true, { '*': { minReplicas: 20, weight: 1 } }, 60, ['A', 'B'], {}, { B: 10 }, { A: 50, B: 10 }, {
      B: 15,
    });
  });

  it('TestMin', () => {
    doCheck({ '*': { minReplicas: 2, weight: 0 } }, 50, ['A', 'B', 'C'], { A: 2, B: 2, C: 2 });
    doCheck({ '*': { minReplicas: 20, weight: 0 } }, 50, ['A', 'B', 'C'], { A: 10, B: 20, C: 20 });
    doCheck({ '*': { minReplicas: 20, weight: 0 }, A: { minReplicas: 100, weight: 1 } }, 50, ['A', 'B', 'C'], { A: 50, B: 0, C: 0 });
    doCheck({ '*': { minReplicas: 10, weight: 1, maxReplicas: 12 } }, 50, ['A', 'B', 'C'], { A: 12, B: 12, C: 12 });
  });

  it('TestMax', () => {
    doCheck({ '*': { weight: 1, maxReplicas: 2 } }, 50, ['A', 'B', 'C'], { A: 2, B: 2, C: 2 });
    doCheck({ '*': { weight: 0, maxReplicas: 2 } }, 50, ['A', 'B', 'C'], { A: 0, B: 0, C: 0 });
  });

  it('TestWeight', () => {
    doCheck({ A: { weight: 1 }, B: { weight: 2 } }, 60, ['A', 'B', 'C'], { A: 20, B: 40, C: 0 });
    doCheck({ A: { weight: 10000 }, B: { weight: 1 } }, 50, ['A', 'B', 'C'], { A: 50, B: 0, C: 0 });
    doCheck({ A: { weight: 10000 }, B: { weight: 1 } }, 50, ['B', 'C'], { B: 50, C: 0 });
    doCheck(
      { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1 } },
      50,
      ['A', 'B', 'C'],
      { A: 10, B: 20, C: 20 },
    );
    doCheck(
      { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1, maxReplicas: 10 } },
      50,
      ['A', 'B', 'C'],
      { A: 10, B: 30, C: 10 },
    );
    doCheck(
      {
        A: { weight: 10000, maxReplicas: 10 },
        B: { weight: 1 },
        C: { weight: 1, maxReplicas: 21 },
        D: { weight: 1, maxReplicas: 10 },
      },
      71,
      ['A', 'B', 'C', 'D'],
      { A: 10, B: 30, C: 21, D: 10 },
    );
    doCheck(
      {
        A: { weight: 10000, maxReplicas: 10 },
        B: { weight: 1 },
        C: { weight: 1, maxReplicas: 21 },
        D: { weight: 1, maxReplicas: 10 },
        E: { weight: 1 },
      },
      91,
      ['A', 'B', 'C', 'D', 'E'],
      { A: 10, B: 25, C: 21, D: 10, E: 25 },
    );
  });
});

describe('planReplicas: reference §2.7 worked examples', () => {
  it('pins the FNV-1 hashes of the reference', () => {
    expect(fnv1_32('eastprod/web')).toBe(0xa874e8d2);
    expect(fnv1_32('westprod/web')).toBe(0xbbcb92a8);
  });

  it('1. hash order: east hashes lower and takes ceil(5/2) first', () => {
    const base = { clusters: ['east', 'west'], preferences: { clusters: { '*': { weight: 1 } } }, key: 'prod/web' };
    const five = planReplicas({ ...base, total: 5 });
    expect(five.plan).toEqual({ east: 3, west: 2 });
    expect(five.steps[0]).toBe(
      'order by weight desc, then FNV-1-32(cluster + "prod/web") asc: east (weight 1, 0xa874e8d2), west (weight 1, 0xbbcb92a8)',
    );
    expect(five.steps[1]).toBe('pass 1: 5 to share, weight sum 2: east +3 = 3; west +2 = 2; 0 left');
    // With one replica, west is still placed, with 0.
    expect(planReplicas({ ...base, total: 1 }).plan).toEqual({ east: 1, west: 0 });
  });

  it('2. minimums are additive, whatever the hash order', () => {
    for (const key of ['prod/web', '', 'x', 'another/key']) {
      const result = planReplicas({
        total: 10,
        clusters: ['a', 'b'],
        preferences: { clusters: { a: { minReplicas: 4, maxReplicas: 6, weight: 1 }, b: { weight: 1 } } },
        key,
      });
      expect(result.plan).toEqual({ a: 6, b: 4 });
    }
    const explained = planReplicas({
      total: 10,
      clusters: ['a', 'b'],
      preferences: { clusters: { a: { minReplicas: 4, maxReplicas: 6, weight: 1 }, b: { weight: 1 } } },
      key: 'prod/web',
    });
    expect(explained.steps).toContain('minimums: a 4 (min 4); 6 left');
    expect(explained.steps.some((step) => step.includes('a +2 = 6 (max 6, full)'))).toBe(true);
  });

  it('3. pre-allocation keeps current replicas unless rebalance is true', () => {
    const base = { total: 6, clusters: ['a', 'b'], current: { a: 5 }, key: 'prod/web' };
    const kept = planReplicas({ ...base, preferences: { clusters: { '*': { weight: 1 } } } });
    expect(kept.plan).toEqual({ a: 5, b: 1 });
    expect(kept.steps).toContain('pre-allocation (rebalance: false): a keeps 5 of its current 5; 1 left');
    expect(planReplicas({ ...base, preferences: { rebalance: true, clusters: { '*': { weight: 1 } } } }).plan).toEqual({ a: 3, b: 3 });
  });
});

describe('planReplicas: behaviour pinned from the code (†)', () => {
  it('an explicit entry does not inherit from "*" (kubefed#374): missing weight is 0', () => {
    const result = planReplicas({
      total: 10,
      clusters: ['a', 'b'],
      preferences: { clusters: { '*': { weight: 1 }, a: { minReplicas: 2 } } },
      key: '',
    });
    expect(result.plan).toEqual({ a: 2, b: 8 });
  });

  it('maxReplicas < minReplicas: the minimum is assigned, a later weighted pass clamps to max', () => {
    const noPass = planReplicas({ total: 5, clusters: ['a'], preferences: { clusters: { a: { minReplicas: 5, maxReplicas: 3 } } }, key: '' });
    expect(noPass.plan).toEqual({ a: 5 });
    const clamped = planReplicas({
      total: 8,
      clusters: ['a'],
      preferences: { clusters: { a: { minReplicas: 5, maxReplicas: 3, weight: 1 } } },
      key: '',
    });
    expect(clamped.plan).toEqual({ a: 3 });
  });

  it('drops replicas that fit nowhere and says so', () => {
    const result = planReplicas({ total: 10, clusters: ['a', 'b'], preferences: { clusters: { '*': { weight: 1, maxReplicas: 2 } } }, key: '' });
    expect(result.plan).toEqual({ a: 2, b: 2 });
    expect(result.overflow).toEqual({});
    expect(result.steps.at(-1)).toBe('6 replica(s) fit nowhere and are not placed');
  });

  it('keeps existing replicas on scale-down with rebalance false (kubernetes/kubernetes#31816)', () => {
    const result = planReplicas({ total: 4, clusters: ['a', 'b'], current: { a: 4, b: 4 }, preferences: { clusters: { '*': { weight: 1 } } }, key: '' });
    expect(Object.values(result.plan).reduce((sum, n) => sum + n, 0)).toBe(4);
    expect(result.plan).toEqual({ a: 0, b: 4 });
  });

  it('splits exactly with weights whose product exceeds 2^53 (BigInt path)', () => {
    const big = 2 ** 51;
    const result = planReplicas({
      total: 1_000_001,
      clusters: ['a', 'b'],
      preferences: { clusters: { a: { weight: big }, b: { weight: big * 3 } } },
      key: '',
    });
    // ceil(1000001 × 3/4) = 750001 for b (higher weight first), the rest to a.
    expect(result.plan).toEqual({ a: 250000, b: 750001 });
  });

  it('rejects negative or fractional input', () => {
    const bad = (input: Partial<PlanInput>): unknown => {
      try {
        planReplicas({ total: 1, clusters: ['a'], preferences: { clusters: { '*': { weight: 1 } } }, key: '', ...input });
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect((bad({ total: -1 }) as ManifoldError).code).toBe('PLANNER_INPUT_INVALID');
    expect((bad({ preferences: { clusters: { a: { weight: 0.5 } } } }) as ManifoldError).code).toBe('PLANNER_INPUT_INVALID');
    expect((bad({ clusters: ['a', 'a'] }) as ManifoldError).code).toBe('PLANNER_INPUT_INVALID');
  });
});

interface Generated {
  total: number;
  clusters: string[];
  prefs: Record<string, ClusterPreference>;
  rebalance: boolean;
  current: Record<string, number>;
  capacity: Record<string, number>;
  key: string;
}

describe('planReplicas: properties', () => {
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const preference = fc
    .record({
      minReplicas: fc.option(fc.nat(20), { nil: undefined }),
      extraMax: fc.option(fc.nat(30), { nil: undefined }),
      weight: fc.option(fc.nat(10), { nil: undefined }),
    })
    .map(({ minReplicas, extraMax, weight }) => ({
      minReplicas,
      // min ≤ max: with max < min upstream deliberately assigns the minimum anyway.
      maxReplicas: extraMax === undefined ? undefined : (minReplicas ?? 0) + extraMax,
      weight,
    }));
  const input: fc.Arbitrary<Generated> = fc.record({
    total: fc.nat(200),
    clusters: fc.uniqueArray(fc.constantFrom(...names), { maxLength: names.length }),
    prefs: fc.dictionary(fc.constantFrom('*', ...names), preference),
    rebalance: fc.boolean(),
    current: fc.dictionary(fc.constantFrom(...names), fc.nat(100)),
    capacity: fc.dictionary(fc.constantFrom(...names), fc.nat(60)),
    key: fc.string({ maxLength: 8 }),
  });
  const toInput = (x: Generated): PlanInput => ({
    total: x.total,
    clusters: x.clusters,
    preferences: { rebalance: x.rebalance, clusters: x.prefs },
    current: x.current,
    capacity: x.capacity,
    key: x.key,
  });
  const prefOf = (prefs: Record<string, ClusterPreference>, name: string): ClusterPreference | undefined =>
    Object.hasOwn(prefs, name) ? prefs[name] : Object.hasOwn(prefs, '*') ? prefs['*'] : undefined;

  it('never places more than the total, and respects every max and capacity', () => {
    fc.assert(
      fc.property(input, (x) => {
        const { plan, overflow } = planReplicas(toInput(x));
        const placed = Object.values(plan).reduce((sum, n) => sum + n, 0);
        expect(placed).toBeLessThanOrEqual(x.total);
        expect(Object.keys(plan).sort()).toEqual([...x.clusters].sort());
        for (const [name, replicas] of Object.entries(plan)) {
          expect(replicas).toBeGreaterThanOrEqual(0);
          const max = prefOf(x.prefs, name)?.maxReplicas;
          if (max !== undefined) expect(replicas).toBeLessThanOrEqual(max);
          if (Object.hasOwn(x.capacity, name)) expect(replicas).toBeLessThanOrEqual(x.capacity[name]!);
          if (prefOf(x.prefs, name) === undefined) expect(replicas).toBe(0);
        }
        for (const value of Object.values(overflow)) expect(value).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('places everything when some unbounded cluster has a positive weight', () => {
    fc.assert(
      fc.property(input, (x) => {
        const unbounded = x.clusters.some((name) => {
          const pref = prefOf(x.prefs, name);
          return (pref?.weight ?? 0) > 0 && pref?.maxReplicas === undefined && !Object.hasOwn(x.capacity, name);
        });
        fc.pre(unbounded);
        const { plan } = planReplicas(toInput(x));
        expect(Object.values(plan).reduce((sum, n) => sum + n, 0)).toBe(x.total);
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic and independent of the input order of clusters', () => {
    fc.assert(
      fc.property(input, fc.nat(), (x, seed) => {
        const first = planReplicas(toInput(x));
        expect(planReplicas(toInput(x))).toEqual(first);
        const shuffled = [...x.clusters].sort((a, b) => ((fnv1_32(a + seed) - fnv1_32(b + seed)) | 0) || (a < b ? -1 : 1));
        const again = planReplicas({ ...toInput(x), clusters: shuffled });
        expect(again.plan).toEqual(first.plan);
        expect(again.overflow).toEqual(first.overflow);
      }),
      { numRuns: 300 },
    );
  });
});
