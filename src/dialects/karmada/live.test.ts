/**
 * Ported from karmada (f8fdd02df376):
 * - pkg/util/helper/taint_test.go TestGetMinTolerationTimeWithCurrentTime, TestGetMatchingTolerations
 * - pkg/controllers/cluster/taint_manager_test.go TestNoExecuteTaintManager_needEvictionWithCurrentTime
 *   (the cases that do not exercise the API client: parsing the applied-placement annotation, a missing cluster)
 * plus the overlay of a report on a Cluster (cluster_controller.go taintClusterByCondition).
 */
import { describe, expect, it } from 'vitest';
import type { Taint, Toleration } from '../../model/common.ts';
import type { LiveStatus, ObservedCluster } from '../../model/live.ts';
import type { Cluster } from '../../model/types.ts';
import { liveDecision, matchingTolerations, minTolerationTime, needEviction, overlayKarmadaCluster } from './live.ts';

const fixed = '2025-09-23T12:00:00.000Z';
const at = (offsetSeconds: number): string => new Date(Date.parse(fixed) + offsetSeconds * 1000).toISOString();
const noExecute = (key: string, timeAdded?: string, value?: string): Taint => ({ key, ...(value ? { value } : {}), effect: 'NoExecute', ...(timeAdded ? { timeAdded } : {}) });
const exists = (key: string, tolerationSeconds?: number): Toleration => ({ key, operator: 'Exists', effect: 'NoExecute', ...(tolerationSeconds !== undefined ? { tolerationSeconds } : {}) });

describe('GetMinTolerationTimeWithCurrentTime (taint_test.go)', () => {
  const cases: Array<[string, Taint[], Toleration[], number]> = [
    ['no noExecuteTaints', [], [exists('key', 60)], -1],
    ['no usedTolerations', [noExecute('key', fixed, 'value')], [], 0],
    ['with noExecuteTaints and usedTolerations', [noExecute('key', fixed, 'value')], [exists('key', 60)], 60_000],
    ['usedTolerantion.TolerationSeconds is nil', [noExecute('key', fixed, 'value')], [exists('key')], -1],
    ['noExecuteTaints.TimeAdded is nil', [noExecute('key', undefined, 'value')], [exists('key', 60)], -1],
    ['find the latest trigger time', [noExecute('key1', fixed, 'value1'), noExecute('key2', fixed, 'value2')], [exists('key1', 120), exists('key2', 60)], 60_000],
    ['trigger time is up', [noExecute('key', at(-120), 'value')], [exists('key', 60)], 0],
  ];
  it.each(cases)('%s', (_name, taints, used, want) => {
    expect(minTolerationTime(taints, used, fixed)).toBe(want);
  });
});

describe('GetMatchingTolerations (taint_test.go)', () => {
  const t1: Taint = { key: 'key1', value: 'value1', effect: 'NoSchedule' };
  const t2: Taint = { key: 'key2', value: 'value2', effect: 'NoSchedule' };
  const ok1: Toleration = { key: 'key1', value: 'value1', effect: 'NoSchedule' };
  const ok2: Toleration = { key: 'key2', value: 'value2', effect: 'NoSchedule' };
  it('taints is nil', () => expect(matchingTolerations([], [ok1])).toEqual({ all: true, used: [] }));
  it('tolerations is nil', () => expect(matchingTolerations([t1], [])).toEqual({ all: false, used: [] }));
  it('tolerated is true', () => expect(matchingTolerations([t1, t2], [ok1, ok2])).toEqual({ all: true, used: [ok1, ok2] }));
  it('tolerated is false', () =>
    expect(matchingTolerations([t1, t2], [{ ...ok1, value: 'value_1' }, { ...ok2, value: 'value_2' }])).toEqual({ all: false, used: [] }));
});

describe('needEvictionWithCurrentTime (taint_manager_test.go)', () => {
  const cluster = (taints: Taint[]): Cluster => ({ name: 'test-cluster', declaredBy: 'Cluster', labels: {}, zones: [], taints, source: { file: 'c.yaml', line: 1 } });
  const cases: Array<[string, Taint[], Toleration[], boolean | undefined, number]> = [
    ['cluster has no NoExecute taints', [{ key: 'test-key', effect: 'NoSchedule' }], [], undefined, -1],
    ['taint not tolerated - immediate eviction', [noExecute('test-key', at(-1))], [], true, 0],
    ['taint tolerated with zero toleration seconds - immediate eviction', [noExecute('test-key', at(-1))], [exists('test-key', 0)], true, 0],
    ['taint tolerated with positive toleration seconds - wait for toleration time', [noExecute('test-key', at(-1))], [exists('test-key', 60)], false, 59_000],
    ['taint tolerated forever - no eviction', [noExecute('test-key', at(-1))], [exists('test-key')], false, -1],
    ['multiple taints with mixed tolerations', [noExecute('tolerated-key', at(1)), noExecute('not-tolerated-key', at(-1))], [exists('tolerated-key', 30)], true, 0],
    ['toleration time expired - immediate eviction', [noExecute('test-key', at(-2))], [exists('test-key', 1)], true, 0],
  ];
  it.each(cases)('%s', (_name, taints, tolerations, evict, wait) => {
    const decision = needEviction(cluster(taints), tolerations, fixed);
    expect(decision?.evict).toBe(evict);
    expect(decision?.waitMs ?? -1).toBe(wait);
  });
});

describe('overlay of a report on a Karmada Cluster', () => {
  const inventory: Cluster = {
    name: 'member1',
    declaredBy: 'Cluster',
    labels: {},
    zones: [],
    taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
    source: { file: 'clusters.yaml', line: 1 },
  };
  const observed = (status: 'True' | 'False' | 'Unknown', since: string): ObservedCluster => ({
    cluster: 'member1',
    result: status === 'Unknown' ? 'Unreachable' : 'Synced',
    startedAt: fixed,
    conditions: [],
    live: {
      observedAt: fixed,
      conditions: [{ type: 'Ready', status, reason: { True: 'ClusterReady', False: 'ClusterNotReady', Unknown: 'ClusterNotReachable' }[status], lastTransitionTime: since }],
      resourceSummary: { allocatable: { cpu: '4', pods: '110' } },
    },
  });
  const status = (failover?: number): LiveStatus => ({ now: fixed, clusters: [], fileOf: (c) => `clusters/${c}.json`, ...(failover !== undefined ? { failover: { gracePeriodSeconds: failover } } : {}) });

  it('Ready=Unknown: unreachable:NoSchedule at once, timeAdded = lastTransitionTime; inventory taints kept; live resourceSummary', () => {
    const out = overlayKarmadaCluster(inventory, observed('Unknown', at(-10)), status());
    expect(out?.cluster.taints).toEqual([
      { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
      { key: 'cluster.karmada.io/unreachable', effect: 'NoSchedule', timeAdded: at(-10) },
    ]);
    expect(out?.cluster.resourceSummary).toEqual({ allocatable: { cpu: '4', pods: '110' } });
  });

  it('Ready=False: not-ready; with failover, NoExecute only once the grace period has passed', () => {
    expect(overlayKarmadaCluster(inventory, observed('False', at(-299)), status(300))?.cluster.taints.map((t) => `${t.key}:${t.effect}`)).toEqual([
      'dedicated:NoSchedule',
      'cluster.karmada.io/not-ready:NoSchedule',
    ]);
    expect(overlayKarmadaCluster(inventory, observed('False', at(-300)), status(300))?.cluster.taints.slice(1)).toEqual([
      { key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule', timeAdded: at(-300) },
      { key: 'cluster.karmada.io/not-ready', effect: 'NoExecute', timeAdded: '2025-09-23T12:00:00Z' },
    ]);
  });

  it('Ready=True removes the controller taints an inventory copied from a live Cluster', () => {
    const copied = { ...inventory, taints: [...inventory.taints, { key: 'cluster.karmada.io/not-ready', effect: 'NoSchedule' as const }] };
    expect(overlayKarmadaCluster(copied, observed('True', at(-5)), status())?.cluster.taints).toEqual(inventory.taints);
  });

  it('is not for clusters of other dialects', () => {
    expect(overlayKarmadaCluster({ ...inventory, declaredBy: 'KubeFedCluster' }, observed('True', fixed), status())).toBeUndefined();
  });

  it('liveDecision: evicts where the template runs, keeps the last copy when told to, never touches other clusters', () => {
    const lost = overlayKarmadaCluster(inventory, observed('Unknown', at(-600)), status(300))?.cluster as Cluster;
    const healthy: Cluster = { ...inventory, name: 'member2', taints: [] };
    expect(liveDecision([lost, healthy], new Set(['member1', 'member2']), [], fixed, false)).toMatchObject({ evicted: new Set(['member1']), targeted: ['member2'] });
    expect(liveDecision([lost, healthy], new Set(['member1']), [], fixed, true)).toMatchObject({ evicted: new Set(), targeted: ['member1'] });
    expect(liveDecision([lost, healthy], new Set(['member2']), [], fixed, false)).toMatchObject({ evicted: new Set(), targeted: ['member2'] });
    // Tolerated for 600s from timeAdded (= since + grace = -300s): 300s to go.
    const waiting = liveDecision([lost], new Set(['member1']), [{ key: 'cluster.karmada.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 }], fixed, false);
    expect(waiting.evicted.size).toBe(0);
    expect(waiting.lines).toContain('member1: not evicted: cluster.karmada.io/unreachable:NoExecute tolerated for another 300s (tolerationSeconds)');
  });
});
