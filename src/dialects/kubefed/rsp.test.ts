import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plannerPreferences, scheduleReplicas, type RspInput } from './rsp.ts';
import type { ReplicaSchedulingPreference } from './schema.ts';

type Spec = ReplicaSchedulingPreference['spec'];

const member = (name: string, labels: Record<string, string> = {}) => ({ name, labels });
const everywhere = { clusterSelector: {} };

function run(spec: Partial<Spec> & Pick<Spec, 'totalReplicas'>, clusters = [member('east'), member('west')], extra: Partial<RspInput> = {}) {
  return scheduleReplicas({
    spec: { targetKind: 'FederatedDeployment', ...spec },
    key: 'prod/web',
    clusters,
    placement: everywhere,
    namespacePlacement: everywhere,
    ...extra,
  });
}

const asObject = (m: Map<string, number> | undefined) => Object.fromEntries(m ?? []);

describe('scheduleReplicas: the reference worked examples (§2.7, key prod/web)', () => {
  it('1. hash order: east hashes lower and takes ceil(5/2) first', () => {
    expect(asObject(run({ totalReplicas: 5, clusters: { '*': { weight: 1 } } }).replicas)).toEqual({ east: 3, west: 2 });
  });

  it('1. with one replica west is still in the result, with 0', () => {
    const result = run({ totalReplicas: 1, clusters: { '*': { weight: 1 } } });
    expect(asObject(result.replicas)).toEqual({ east: 1, west: 0 });
    expect(result.unplaced).toBe(0);
  });

  it('2. minimums are additive, not max(min, share)', () => {
    const clusters = [member('a'), member('b')];
    const result = run({ totalReplicas: 10, clusters: { a: { minReplicas: 4, maxReplicas: 6, weight: 1 }, b: { weight: 1 } } }, clusters);
    expect(asObject(result.replicas)).toEqual({ a: 6, b: 4 });
  });

  it('3. pre-allocation: rebalance false keeps current replicas, rebalance true spreads them', () => {
    const clusters = [member('a'), member('b')];
    const current = { a: 5 };
    expect(asObject(run({ totalReplicas: 6, clusters: { '*': { weight: 1 } } }, clusters, { current }).replicas)).toEqual({ a: 5, b: 1 });
    expect(asObject(run({ totalReplicas: 6, rebalance: true, clusters: { '*': { weight: 1 } } }, clusters, { current }).replicas)).toEqual({ a: 3, b: 3 });
  });
});

describe('scheduleReplicas: RSP semantics (§2.6)', () => {
  it('an empty or absent clusters map means {"*": {weight: 1}}', () => {
    expect(plannerPreferences({ targetKind: 'FederatedDeployment', totalReplicas: 1, clusters: {} })).toEqual({ '*': { weight: 1 } });
    expect(plannerPreferences({ targetKind: 'FederatedDeployment', totalReplicas: 1 })).toEqual({ '*': { weight: 1 } });
    expect(asObject(run({ totalReplicas: 4 }).replicas)).toEqual({ east: 2, west: 2 });
  });

  it('an explicit entry does not inherit from "*" (kubefed#374): a missing weight is 0', () => {
    const result = run({ totalReplicas: 10, clusters: { '*': { weight: 1 }, east: { minReplicas: 1 } } });
    expect(asObject(result.replicas)).toEqual({ east: 1, west: 9 });
  });

  it('null weights and entries count as absent', () => {
    const result = run({ totalReplicas: 4, clusters: { '*': { weight: 1 }, east: null, west: { weight: null, minReplicas: 1 } } });
    expect(asObject(result.replicas)).toEqual({ east: 0, west: 1 });
    expect(result.unplaced).toBe(3);
  });

  it('clusters without any preference and no "*" are in the result with 0', () => {
    const result = run({ totalReplicas: 3, clusters: { east: { weight: 1 } } });
    expect(asObject(result.replicas)).toEqual({ east: 3, west: 0 });
  });

  it("the seed article's RSP: cluster-1 gets its minimum, cluster-2 its maximum, 2 replicas fit nowhere", () => {
    const clusters = [member('cluster-1'), member('cluster-2')];
    const result = scheduleReplicas({
      spec: { targetKind: 'FederatedDeployment', totalReplicas: 20, clusters: { '*': { weight: 1, maxReplicas: 15 }, 'cluster-1': { weight: null, minReplicas: 3, maxReplicas: 10 } } },
      key: 'fed-ns/fed-deploy',
      clusters,
      placement: { clusters: [{ name: 'cluster-1' }, { name: 'cluster-2' }] },
      namespacePlacement: everywhere,
    });
    expect(asObject(result.replicas)).toEqual({ 'cluster-1': 3, 'cluster-2': 15 });
    expect(result.unplaced).toBe(2);
    expect(result.explain.join('\n')).toContain('pass 2: the remaining clusters\' weights sum to 0');
  });

  it('without member clusters the RSP is a no-op', () => {
    const result = run({ totalReplicas: 3 }, []);
    expect(result.replicas).toBeUndefined();
    expect(result.noop).toMatch(/no member clusters/);
  });

  it('current replicas of clusters that are not candidates are not read', () => {
    const result = run({ totalReplicas: 4, clusters: { '*': { weight: 1 } } }, [member('a'), member('b')], { current: { a: 4, gone: 9 } });
    expect(asObject(result.replicas)).toEqual({ a: 4, b: 0 });
  });
});

describe('scheduleReplicas: intersectWithClusterSelector', () => {
  const clusters = [member('a', { tier: 'gold' }), member('b', { tier: 'gold' }), member('c')];

  it('plans only over the clusters both selectors select', () => {
    const result = run({ totalReplicas: 4, intersectWithClusterSelector: true }, clusters, {
      placement: { clusterSelector: { matchLabels: { tier: 'gold' } } },
      namespacePlacement: { clusterSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } },
    });
    expect(result.candidates).toEqual(['a', 'b']);
    expect(asObject(result.replicas)).toEqual({ a: 2, b: 2 });
  });

  it('reads only the selectors: a target placed by a clusters list makes the RSP a no-op', () => {
    const result = run({ totalReplicas: 4, intersectWithClusterSelector: true }, clusters, { placement: { clusters: [{ name: 'a' }] } });
    expect(result.replicas).toBeUndefined();
    expect(result.noop).toMatch(/select no cluster/);
  });

  it('is a no-op without a FederatedNamespace', () => {
    const result = run({ totalReplicas: 4, intersectWithClusterSelector: true }, clusters, { namespacePlacement: 'missing' });
    expect(result.replicas).toBeUndefined();
    expect(result.noop).toMatch(/FederatedNamespace/);
  });

  it('without it every member cluster is a candidate, whatever the target selects', () => {
    const result = run({ totalReplicas: 3 }, clusters, { placement: { clusters: [{ name: 'a' }] } });
    expect(result.candidates).toEqual(['a', 'b', 'c']);
  });
});

describe('scheduleReplicas properties (fast-check)', () => {
  const names = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { minLength: 1, maxLength: 6 });
  const pref = fc.record({ minReplicas: fc.option(fc.nat(10), { nil: undefined }), maxReplicas: fc.option(fc.nat(10), { nil: undefined }), weight: fc.option(fc.nat(5), { nil: undefined }) });
  const prefs = fc.dictionary(fc.constantFrom('*', 'a', 'b', 'c', 'x'), pref);

  it('every candidate is in the result; placed + unplaced = totalReplicas', () => {
    fc.assert(
      fc.property(names, prefs, fc.nat(60), fc.boolean(), (clusters, clusterPrefs, totalReplicas, rebalance) => {
        const result = run({ totalReplicas, rebalance, clusters: clusterPrefs }, clusters.map((n) => member(n)));
        expect([...(result.replicas?.keys() ?? [])]).toEqual(clusters);
        const placed = [...(result.replicas?.values() ?? [])].reduce((a, b) => a + b, 0);
        expect(placed + result.unplaced).toBe(totalReplicas);
      }),
    );
  });

  it('with an unbounded positive "*" and no other entry nothing is dropped', () => {
    fc.assert(
      fc.property(names, fc.integer({ min: 1, max: 5 }), fc.nat(100), (clusters, weight, totalReplicas) => {
        expect(run({ totalReplicas, clusters: { '*': { weight } } }, clusters.map((n) => member(n))).unplaced).toBe(0);
      }),
    );
  });
});
