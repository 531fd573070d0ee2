/**
 * Filter, score and select plugins, with vectors ported from kubewharf/kubeadmiral
 * pkg/controllers/scheduler/framework/plugins: clusteraffinity/cluster_affinity_test.go
 * (TestClusterAffinity, TestClusterAffinityPriority), tainttoleration/taint_toleration_test.go
 * (TestTaintTolerationScore, TestTaintTolerationFilter), placement/filter_test.go
 * (TestPlacementFilterPlugin) and maxcluster/max_cluster_test.go (TestMaxClusterSelectClusters).
 */
import { describe, expect, it } from 'vitest';
import type { Taint } from '../../model/common.ts';
import type { SelectorTerm } from './clusterselector.ts';
import {
  balancedAllocationScore,
  clusterAffinityFilter,
  clusterAffinityScore,
  filterCluster,
  leastAllocatedScore,
  normalizeScores,
  placementFilter,
  schedule,
  selectClusters,
  taintTolerationFilter,
  taintTolerationScore,
  type ClusterScore,
} from './scheduler.ts';
import type { ClusterAffinity, SchedulingToleration } from './schedulingunit.ts';
import { testCluster, testUnit } from './testing.ts';

const required = (...terms: SelectorTerm[]): ClusterAffinity => ({ required: { terms }, preferred: [] });
const expr = (key: string, operator: string, values?: string[]) => ({ key, operator, values });

describe('ClusterAffinity filter (cluster_affinity_test.go TestClusterAffinity)', () => {
  const cases: { name: string; unit: Parameters<typeof testUnit>[0]; labels?: Record<string, string>; cluster?: string; fits: boolean }[] = [
    { name: 'no selector', unit: {}, fits: true },
    { name: 'missing labels', unit: { clusterSelector: { foo: 'bar' } }, fits: false },
    { name: 'same labels', unit: { clusterSelector: { foo: 'bar' } }, labels: { foo: 'bar' }, fits: true },
    { name: 'cluster labels are superset', unit: { clusterSelector: { foo: 'bar' } }, labels: { foo: 'bar', baz: 'blah' }, fits: true },
    { name: 'cluster labels are subset', unit: { clusterSelector: { foo: 'bar', baz: 'blah' } }, labels: { foo: 'bar' }, fits: false },
    { name: 'In that matches', unit: { affinity: required({ matchExpressions: [expr('foo', 'In', ['bar', 'value2'])] }) }, labels: { foo: 'bar' }, fits: true },
    { name: 'Gt that matches', unit: { affinity: required({ matchExpressions: [expr('kernel-version', 'Gt', ['0204'])] }) }, labels: { 'kernel-version': '0206' }, fits: true },
    { name: 'NotIn that matches', unit: { affinity: required({ matchExpressions: [expr('mem-type', 'NotIn', ['DDR', 'DDR2'])] }) }, labels: { 'mem-type': 'DDR3' }, fits: true },
    { name: 'Exists that matches', unit: { affinity: required({ matchExpressions: [expr('GPU', 'Exists')] }) }, labels: { GPU: 'NVIDIA-GRID-K1' }, fits: true },
    { name: 'affinity that does not match', unit: { affinity: required({ matchExpressions: [expr('foo', 'In', ['value1', 'value2'])] }) }, labels: { foo: 'bar' }, fits: false },
    { name: 'nil []ClusterSelectorTerm', unit: { affinity: required() }, labels: { foo: 'bar' }, fits: false },
    { name: 'empty []ClusterSelectorTerm', unit: { affinity: { required: { terms: [] }, preferred: [] } }, labels: { foo: 'bar' }, fits: false },
    { name: 'empty MatchExpressions', unit: { affinity: required({ matchExpressions: [] }) }, labels: { foo: 'bar' }, fits: false },
    { name: 'no Affinity', unit: {}, labels: { foo: 'bar' }, fits: true },
    { name: 'Affinity with nil required selector', unit: { affinity: { required: undefined, preferred: [] } }, labels: { foo: 'bar' }, fits: true },
    {
      name: 'multiple matchExpressions ANDed that match',
      unit: { affinity: required({ matchExpressions: [expr('GPU', 'Exists'), expr('GPU', 'NotIn', ['AMD', 'INTEL'])] }) },
      labels: { GPU: 'NVIDIA-GRID-K1' },
      fits: true,
    },
    {
      name: 'multiple matchExpressions ANDed that do not match',
      unit: { affinity: required({ matchExpressions: [expr('GPU', 'Exists'), expr('GPU', 'In', ['AMD', 'INTEL'])] }) },
      labels: { GPU: 'NVIDIA-GRID-K1' },
      fits: false,
    },
    {
      name: 'multiple terms ORed',
      unit: { affinity: required({ matchExpressions: [expr('foo', 'In', ['bar', 'value2'])] }, { matchExpressions: [expr('diffkey', 'In', ['wrong', 'value2'])] }) },
      labels: { foo: 'bar' },
      fits: true,
    },
    { name: 'affinity and clusterSelector both satisfied', unit: { affinity: required({ matchExpressions: [expr('foo', 'Exists')] }), clusterSelector: { foo: 'bar' } }, labels: { foo: 'bar' }, fits: true },
    {
      name: 'affinity satisfied, clusterSelector not',
      unit: { affinity: required({ matchExpressions: [expr('foo', 'Exists')] }), clusterSelector: { foo: 'bar' } },
      labels: { foo: 'barrrrrr' },
      fits: false,
    },
    { name: 'invalid value in a term', unit: { affinity: required({ matchExpressions: [expr('foo', 'NotIn', ['invalid value: ___@#$%^'])] }) }, labels: { foo: 'bar' }, fits: false },
    { name: 'matchFields In that matches', unit: { affinity: required({ matchFields: [expr('metadata.name', 'In', ['cluster_1'])] }) }, cluster: 'cluster_1', fits: true },
    { name: 'matchFields In that does not match', unit: { affinity: required({ matchFields: [expr('metadata.name', 'In', ['cluster_1'])] }) }, cluster: 'cluster_2', fits: false },
    {
      name: 'two terms: matchFields does not match, matchExpressions matches',
      unit: { affinity: required({ matchFields: [expr('metadata.name', 'In', ['cluster_1'])] }, { matchExpressions: [expr('foo', 'In', ['bar'])] }) },
      cluster: 'cluster_2',
      labels: { foo: 'bar' },
      fits: true,
    },
    {
      name: 'two terms: both match',
      unit: { affinity: required({ matchFields: [expr('metadata.name', 'In', ['cluster_1'])] }, { matchExpressions: [expr('foo', 'In', ['bar'])] }) },
      cluster: 'cluster_1',
      labels: { foo: 'bar' },
      fits: true,
    },
    {
      name: 'two terms: neither matches',
      unit: { affinity: required({ matchFields: [expr('metadata.name', 'In', ['cluster_1'])] }, { matchExpressions: [expr('foo', 'In', ['not-match-to-bar'])] }) },
      cluster: 'cluster_2',
      labels: { foo: 'bar' },
      fits: false,
    },
  ];
  it.each(cases)('$name', ({ unit, labels, cluster, fits }) => {
    const reason = clusterAffinityFilter(testUnit(unit), testCluster(cluster ?? '', { labels }));
    expect(reason === undefined).toBe(fits);
    if (!fits) expect(reason).toContain("cluster(s) didn't match cluster selector");
  });

  it('a term with both matchExpressions and matchFields needs both', () => {
    const affinity = required({ matchExpressions: [expr('foo', 'In', ['bar'])], matchFields: [expr('metadata.name', 'In', ['c1'])] });
    expect(clusterAffinityFilter(testUnit({ affinity }), testCluster('c1', { labels: { foo: 'bar' } }))).toBeUndefined();
    expect(clusterAffinityFilter(testUnit({ affinity }), testCluster('c2', { labels: { foo: 'bar' } }))).toBeDefined();
  });
});

describe('ClusterAffinity score (cluster_affinity_test.go TestClusterAffinityPriority)', () => {
  const label1 = { foo: 'bar' };
  const label2 = { key: 'value' };
  const label3 = { az: 'az1' };
  const label4 = { abc: 'az11', def: 'az22' };
  const label5 = { foo: 'bar', key: 'value', az: 'az1' };
  const affinity1: ClusterAffinity = { preferred: [{ weight: 2, preference: { matchExpressions: [expr('foo', 'In', ['bar'])] } }] };
  const affinity2: ClusterAffinity = {
    preferred: [
      { weight: 2, preference: { matchExpressions: [expr('foo', 'In', ['bar'])] } },
      { weight: 4, preference: { matchExpressions: [expr('key', 'In', ['value'])] } },
      { weight: 5, preference: { matchExpressions: [expr('foo', 'In', ['bar']), expr('key', 'In', ['value']), expr('az', 'In', ['az1'])] } },
    ],
  };
  const cases = [
    { name: 'no ClusterAffinity: all zero', affinity: undefined, labels: [label1, label2, label3], expected: [0, 0, 0] },
    { name: 'no cluster matches the preferred terms', affinity: affinity1, labels: [label4, label2, label3], expected: [0, 0, 0] },
    { name: 'only cluster1 matches', affinity: affinity1, labels: [label1, label2, label3], expected: [100, 0, 0] },
    { name: 'all match with different priorities', affinity: affinity2, labels: [label1, label5, label2], expected: [18, 100, 36] },
  ];
  it.each(cases)('$name', ({ affinity, labels, expected }) => {
    const unit = testUnit({ affinity });
    const raw = labels.map((l, i) => clusterAffinityScore(unit, testCluster(`cluster${i}`, { labels: l })));
    expect(normalizeScores(raw, false)).toEqual(expected);
  });

  it('a preferred term with an invalid requirement is a scheduler error, not a 0', () => {
    const affinity: ClusterAffinity = { preferred: [{ weight: 1, preference: { matchExpressions: [expr('foo', 'Gt', ['x'])] } }] };
    expect(() => clusterAffinityScore(testUnit({ affinity }), testCluster('a'))).toThrow(/not an integer/);
  });
});

const taint = (key: string, value: string, effect: Taint['effect']): Taint => ({ key, value, effect });
const toleration = (key: string, operator: string, value: string | undefined, effect?: string): SchedulingToleration => ({ key, operator, value, effect });

describe('TaintToleration score (taint_toleration_test.go TestTaintTolerationScore)', () => {
  const cases = [
    {
      name: 'tolerated taints score higher than intolerable ones',
      tolerations: [toleration('foo', 'Equal', 'bar', 'PreferNoSchedule')],
      taints: [[taint('foo', 'bar', 'PreferNoSchedule')], [taint('foo', 'blah', 'PreferNoSchedule')]],
      expected: [100, 0],
    },
    {
      name: 'how many tolerated taints a cluster has does not matter',
      tolerations: [toleration('cpu-type', 'Equal', 'arm64', 'PreferNoSchedule'), toleration('disk-type', 'Equal', 'ssd', 'PreferNoSchedule')],
      taints: [[], [taint('cpu-type', 'arm64', 'PreferNoSchedule')], [taint('cpu-type', 'arm64', 'PreferNoSchedule'), taint('disk-type', 'ssd', 'PreferNoSchedule')]],
      expected: [100, 100, 100],
    },
    {
      name: 'the more intolerable taints, the lower the score',
      tolerations: [toleration('foo', 'Equal', 'bar', 'PreferNoSchedule')],
      taints: [[], [taint('cpu-type', 'arm64', 'PreferNoSchedule')], [taint('cpu-type', 'arm64', 'PreferNoSchedule'), taint('disk-type', 'ssd', 'PreferNoSchedule')]],
      expected: [100, 50, 0],
    },
    {
      name: 'only PreferNoSchedule taints and tolerations count',
      tolerations: [toleration('cpu-type', 'Equal', 'arm64', 'NoSchedule'), toleration('disk-type', 'Equal', 'ssd', 'NoSchedule')],
      taints: [[], [taint('cpu-type', 'arm64', 'NoSchedule')], [taint('cpu-type', 'arm64', 'PreferNoSchedule'), taint('disk-type', 'ssd', 'PreferNoSchedule')]],
      expected: [100, 100, 0],
    },
    {
      name: 'no taints and tolerations: lands on the cluster without taints',
      tolerations: [],
      taints: [[], [taint('cpu-type', 'arm64', 'PreferNoSchedule')]],
      expected: [100, 0],
    },
  ];
  it.each(cases)('$name', ({ tolerations, taints, expected }) => {
    const unit = testUnit({ tolerations });
    const raw = taints.map((t, i) => taintTolerationScore(unit, testCluster(`cluster${i}`, { taints: t })));
    expect(normalizeScores(raw, true)).toEqual(expected);
  });
});

describe('TaintToleration filter (taint_toleration_test.go TestTaintTolerationFilter)', () => {
  const untolerated = (k: string, v: string) => `cluster(s) had taint {${k}: ${v}}, that the schedulingUnit didn't tolerate`;
  const cases = [
    { name: 'no tolerations vs a NoSchedule taint', tolerations: [], taints: [taint('dedicated', 'user1', 'NoSchedule')], reason: untolerated('dedicated', 'user1') },
    { name: 'tolerates the dedicated taint', tolerations: [toleration('dedicated', '', 'user1', 'NoSchedule')], taints: [taint('dedicated', 'user1', 'NoSchedule')], reason: undefined },
    { name: 'value differs', tolerations: [toleration('dedicated', 'Equal', 'user2', 'NoSchedule')], taints: [taint('dedicated', 'user1', 'NoSchedule')], reason: untolerated('dedicated', 'user1') },
    { name: 'Exists tolerates any value', tolerations: [toleration('foo', 'Exists', undefined, 'NoSchedule')], taints: [taint('foo', 'bar', 'NoSchedule')], reason: undefined },
    {
      name: 'every taint tolerated',
      tolerations: [toleration('dedicated', 'Equal', 'user2', 'NoSchedule'), toleration('foo', 'Exists', undefined, 'NoSchedule')],
      taints: [taint('dedicated', 'user2', 'NoSchedule'), taint('foo', 'bar', 'NoSchedule')],
      reason: undefined,
    },
    { name: 'non-empty effect that differs', tolerations: [toleration('foo', 'Equal', 'bar', 'PreferNoSchedule')], taints: [taint('foo', 'bar', 'NoSchedule')], reason: untolerated('foo', 'bar') },
    { name: 'empty effect tolerates NoSchedule', tolerations: [toleration('foo', 'Equal', 'bar')], taints: [taint('foo', 'bar', 'NoSchedule')], reason: undefined },
    { name: 'PreferNoSchedule never filters', tolerations: [toleration('dedicated', 'Equal', 'user2', 'NoSchedule')], taints: [taint('dedicated', 'user1', 'PreferNoSchedule')], reason: undefined },
    { name: 'PreferNoSchedule without tolerations', tolerations: [], taints: [taint('dedicated', 'user1', 'PreferNoSchedule')], reason: undefined },
  ];
  it.each(cases)('$name', ({ tolerations, taints, reason }) => {
    expect(taintTolerationFilter(testUnit({ tolerations }), testCluster('clusterA', { taints }))).toBe(reason);
  });

  it('an already scheduled cluster only has to tolerate NoExecute', () => {
    const taints = [taint('maintenance', 'true', 'NoSchedule')];
    expect(taintTolerationFilter(testUnit({ currentClusters: new Map([['a', 2]]) }), testCluster('a', { taints }))).toBeUndefined();
    expect(taintTolerationFilter(testUnit(), testCluster('a', { taints }))).toBeDefined();
    const evict = [taint('evict', 'now', 'NoExecute')];
    expect(taintTolerationFilter(testUnit({ currentClusters: new Map([['a', 2]]) }), testCluster('a', { taints: evict }))).toBeDefined();
  });
});

describe('PlacementFilter (placement/filter_test.go TestPlacementFilterPlugin)', () => {
  const cases = [
    { name: 'empty clusterNames', names: new Set<string>(), fits: true },
    { name: 'nil clusterNames', names: undefined, fits: true },
    { name: 'name not in clusterNames', names: new Set(['cluster2', 'cluster3']), fits: false },
    { name: 'name in clusterNames', names: new Set(['cluster1', 'cluster2']), fits: true },
  ];
  it.each(cases)('$name', ({ names, fits }) => {
    expect(placementFilter(testUnit({ clusterNames: names }), testCluster('cluster1')) === undefined).toBe(fits);
  });
});

describe('MaxCluster selection (max_cluster_test.go TestMaxClusterSelectClusters)', () => {
  const scores = (...pairs: [string, number][]): ClusterScore[] =>
    pairs.map(([name, total]) => ({ name, total, taintToleration: 0, balancedAllocation: 0, leastAllocated: 0, clusterAffinity: 0 }));
  const cases = [
    { name: '1 cluster, duplicate', unit: {}, list: scores(['foo', 1]), expected: ['foo'] },
    { name: '2 clusters, duplicate', unit: {}, list: scores(['foo', 1], ['fun', 2]), expected: ['fun', 'foo'] },
    { name: '2 clusters, duplicate, same score', unit: {}, list: scores(['abc', 2], ['fun', 2]), expected: ['abc', 'fun'] },
    { name: '1 cluster, divide, 5 replicas', unit: { mode: 'Divide' as const, desiredReplicas: 5 }, list: scores(['foo', 1]), expected: ['foo'] },
    { name: '2 clusters, divide, 5 replicas', unit: { mode: 'Divide' as const, desiredReplicas: 5 }, list: scores(['foo', 1], ['fun', 2]), expected: ['fun', 'foo'] },
    { name: '2 clusters, divide, nil replicas', unit: { mode: 'Divide' as const }, list: scores(['foo', 1], ['fun', 2]), expected: ['fun', 'foo'] },
    { name: '2 clusters, divide, 10 replicas', unit: { mode: 'Divide' as const, desiredReplicas: 10 }, list: scores(['foo', 1], ['fun', 2]), expected: ['fun', 'foo'] },
    { name: '2 clusters, divide, 11 replicas', unit: { mode: 'Divide' as const, desiredReplicas: 11 }, list: scores(['foo', 1], ['fun', 2]), expected: ['fun', 'foo'] },
    { name: '5 replicas, 3 max clusters', unit: { mode: 'Divide' as const, desiredReplicas: 5, maxClusters: 3 }, list: scores(['foo', 1], ['fun', 2]), expected: ['fun', 'foo'] },
    { name: '11 replicas, 3 max clusters', unit: { mode: 'Divide' as const, desiredReplicas: 11, maxClusters: 3 }, list: scores(['foo', 1], ['fun', 2]), expected: ['fun', 'foo'] },
    { name: '11 replicas, 1 max cluster', unit: { mode: 'Divide' as const, desiredReplicas: 11, maxClusters: 1 }, list: scores(['foo', 1], ['fun', 2]), expected: ['fun'] },
    { name: '1 cluster, 0 max clusters', unit: { mode: 'Divide' as const, maxClusters: 0 }, list: scores(['foo', 1]), expected: [] },
  ];
  it.each(cases)('$name', ({ unit, list, expected }) => {
    expect(selectClusters(testUnit(unit), list).selected).toEqual(expected);
  });

  it('Manifold decision: equal scores are truncated by cluster name, ascending', () => {
    const result = selectClusters(testUnit({ maxClusters: 2 }), scores(['c', 5], ['b', 5], ['a', 5], ['z', 9]));
    expect(result.selected).toEqual(['z', 'a']);
    expect(result.dropped).toEqual(['b', 'c']);
  });

  it('PrioritySort: placement priorities replace the scores', () => {
    const result = selectClusters(testUnit({ priorities: { b: 10 }, maxClusters: 1 }), scores(['a', 300], ['b', 0]));
    expect(result.selected).toEqual(['b']);
  });
});

describe('ClusterResources scores', () => {
  const status = (allocatableCpu: string, availableCpu: string, allocatableMem: string, availableMem: string) => ({
    allocatable: { cpu: allocatableCpu, memory: allocatableMem },
    available: { cpu: availableCpu, memory: availableMem },
  });
  it('LeastAllocated averages (capacity − requested) × 100 / capacity over cpu and memory', () => {
    // cpu: 8 allocatable, 2 available → 6 requested → 25; memory 10Gi, 5Gi available → 50.
    expect(leastAllocatedScore(testUnit(), status('8', '2', '10Gi', '5Gi'))).toBe(37);
  });
  it('BalancedAllocation is 100 × (1 − |f_cpu − f_mem| / 2), 0 once a fraction reaches 1', () => {
    expect(balancedAllocationScore(testUnit(), status('8', '2', '10Gi', '5Gi'))).toBe(87);
    expect(balancedAllocationScore(testUnit(), status('8', '0', '10Gi', '5Gi'))).toBe(0);
    expect(balancedAllocationScore(testUnit(), { allocatable: {}, available: {} })).toBe(0);
  });
  it('a GPU request adds the GPU to both, with weight 4 in LeastAllocated', () => {
    const unit = testUnit({ requestsGpu: true, gpuRequest: 1n });
    const withGpu = { allocatable: { cpu: '8', memory: '8Gi', 'nvidia.com/gpu': '4' }, available: { cpu: '8', memory: '8Gi', 'nvidia.com/gpu': '4' } };
    // cpu 100, memory 100, gpu (4 − 1) × 100 / 4 = 75 → (100 + 100 + 4 × 75) / 6 = 83.
    expect(leastAllocatedScore(unit, withGpu)).toBe(83);
  });
});

describe('schedule', () => {
  it('filters run in order and the first rejection is reported', () => {
    const cluster = testCluster('a', { taints: [taint('x', 'y', 'NoSchedule')], status: { apiResources: new Set(['apps/v1/StatefulSet']) } });
    expect(filterCluster(testUnit(), cluster)).toEqual({ plugin: 'APIResources', reason: 'No matched group version kind.' });
  });

  it('an unready cluster is rejected unless already scheduled; a cluster without conditions counts as ready', () => {
    expect(filterCluster(testUnit(), testCluster('a', { status: { ready: false } }))?.plugin).toBe('ClusterReady');
    expect(filterCluster(testUnit({ currentClusters: new Map([['a', 1]]) }), testCluster('a', { status: { ready: false } }))).toBeUndefined();
    expect(filterCluster(testUnit(), testCluster('a'))).toBeUndefined();
  });

  it('no feasible cluster gives an empty placement', () => {
    const result = schedule(testUnit({ clusterNames: new Set(['zzz']) }), [testCluster('a')], { kind: 'Deployment', name: 'web' });
    expect(result.targets.size).toBe(0);
  });

  it('sticky keeps the current placement; Duplicate keeps no replica counts', () => {
    const current = new Map<string, number | null>([['b', 3]]);
    const duplicate = schedule(testUnit({ sticky: true, currentClusters: current }), [testCluster('a'), testCluster('b')], { kind: 'Deployment', name: 'web' });
    expect([...duplicate.targets]).toEqual([['b', undefined]]);
    const divide = schedule(testUnit({ sticky: true, mode: 'Divide', desiredReplicas: 9, currentClusters: current }), [testCluster('a')], { kind: 'Deployment', name: 'web' });
    expect([...divide.targets]).toEqual([['b', 3]]);
  });
});
