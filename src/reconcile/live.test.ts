import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../model/types.ts';
import {
  allocatedResource,
  allocatingResource,
  apiEnablements,
  clusterAllocatable,
  isScalarResourceName,
  kubeTime,
  isUnschedulablePod,
  unschedulableSince,
  kubeadmiralResources,
  mergeLive,
  nodeSummary,
  podOwners,
  readyCondition,
  ReadyThresholds,
  resourceSummary,
  workloadCounts,
  type WorkloadObject,
} from './live.ts';
import type { Condition, LiveState } from './types.ts';

const node = (allocatable: Record<string, string>, ready?: 'True' | 'False'): JsonObject => ({
  kind: 'Node',
  status: { allocatable, ...(ready === undefined ? {} : { conditions: [{ type: 'Ready', status: ready }] }) },
});

interface PodShape {
  nodeName?: string;
  phase?: string;
  requests?: Record<string, string>[];
  init?: Record<string, string>[];
  overhead?: Record<string, string>;
}

const pod = (p: PodShape): JsonObject => ({
  kind: 'Pod',
  spec: {
    ...(p.nodeName === undefined ? {} : { nodeName: p.nodeName }),
    containers: (p.requests ?? [{}]).map((requests, i) => ({ name: `c${i}`, resources: { requests } })),
    ...(p.init === undefined ? {} : { initContainers: p.init.map((requests, i) => ({ name: `i${i}`, resources: { requests } })) }),
    ...(p.overhead === undefined ? {} : { overhead: p.overhead }),
  },
  status: { phase: p.phase ?? 'Pending' },
});

describe('Ready condition (karmada cluster_status_controller.go)', () => {
  // karmada TestGenerateReadyCondition
  it('online and healthy: ClusterReady; reachable but not healthy: ClusterNotReady; offline: ClusterNotReachable', () => {
    const at = '2026-01-01T00:00:00.000Z';
    expect(readyCondition(true, true, at)).toEqual({ type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'cluster is healthy and ready to accept workloads', lastTransitionTime: at });
    expect(readyCondition(true, false, at)).toMatchObject({ status: 'False', reason: 'ClusterNotReady', message: 'cluster is reachable but health endpoint responded without ok' });
    expect(readyCondition(false, false, at)).toMatchObject({ status: 'False', reason: 'ClusterNotReachable', message: 'cluster is not reachable' });
  });
});

describe('ReadyThresholds (karmada cluster_condition_cache_test.go TestThresholdAdjustedReadyCondition)', () => {
  const success = 30_000;
  const failure = 30_000;
  const now = Date.parse('2026-01-01T12:00:00Z');
  const cond = (status: Condition['status']): Condition => ({ type: 'Ready', status, reason: status === 'True' ? 'ClusterReady' : 'ClusterNotReachable', message: '' });
  const cases: Array<{ name: string; saved?: { status: Condition['status']; ago: number }; current?: Condition['status']; observed: Condition['status']; expected: Condition['status'] }> = [
    { name: 'cluster just joined in ready state', observed: 'True', expected: 'True' },
    { name: 'cluster just joined in not-ready state', observed: 'False', expected: 'False' },
    { name: 'cluster stays ready', saved: { status: 'True', ago: 0 }, current: 'True', observed: 'True', expected: 'True' },
    { name: 'cluster becomes not ready but still not reach failure threshold', saved: { status: 'False', ago: failure / 2 }, current: 'True', observed: 'False', expected: 'True' },
    { name: 'cluster becomes not ready and reaches failure threshold', saved: { status: 'False', ago: failure }, current: 'True', observed: 'False', expected: 'False' },
    { name: 'cluster stays not ready', saved: { status: 'False', ago: 2 * failure }, current: 'False', observed: 'False', expected: 'False' },
    { name: 'cluster recovers but still not reach success threshold', saved: { status: 'True', ago: success / 2 }, current: 'False', observed: 'True', expected: 'False' },
    { name: 'cluster recovers and reaches success threshold', saved: { status: 'True', ago: success }, current: 'False', observed: 'True', expected: 'True' },
    { name: 'ready condition changes from true to false', saved: { status: 'True', ago: 10 * 60_000 }, current: 'True', observed: 'False', expected: 'True' },
    { name: 'ready condition changes from false to true', saved: { status: 'False', ago: 10 * 60_000 }, current: 'False', observed: 'True', expected: 'False' },
    { name: 'current condition is nil, should return observed condition', saved: { status: 'False', ago: failure }, observed: 'True', expected: 'True' },
  ];
  it.each(cases)('$name', ({ saved, current, observed, expected }) => {
    const store = new ReadyThresholds(success, failure);
    if (saved !== undefined) store.remember('member', saved.status, now - saved.ago);
    const got = store.adjust('member', current === undefined ? undefined : cond(current), cond(observed), now);
    expect(got.status).toBe(expected);
  });

  it('a blip shorter than the failure threshold never shows; a lasting outage shows once it has lasted that long', () => {
    const store = new ReadyThresholds(success, failure);
    let reported = store.adjust('m', undefined, cond('True'), now);
    reported = store.adjust('m', reported, cond('False'), now + 1_000);
    expect(reported.status).toBe('True');
    reported = store.adjust('m', reported, cond('True'), now + 5_000);
    expect(reported.status).toBe('True');
    reported = store.adjust('m', reported, cond('False'), now + 10_000);
    reported = store.adjust('m', reported, cond('False'), now + 39_999);
    expect(reported.status).toBe('True');
    reported = store.adjust('m', reported, cond('False'), now + 40_000);
    expect(reported.status).toBe('False');
  });
});

describe('mergeLive: what survives from the stored status', () => {
  const stored: LiveState = {
    observedAt: '2026-01-01T10:00:00.000Z',
    conditions: [{ type: 'Ready', status: 'False', reason: 'ClusterNotReady', message: 'x', lastTransitionTime: '2026-01-01T09:00:00.000Z' }],
    nodeSummary: { totalNum: 3, readyNum: 3 },
    resourceSummary: { allocatable: { cpu: '96' } },
  };

  it('a status that stays the same keeps its lastTransitionTime, even when the reason changes (meta.SetStatusCondition)', () => {
    const next = { observedAt: '2026-01-01T11:00:00.000Z', conditions: [readyCondition(false, false, '2026-01-01T11:00:00.000Z')] };
    const merged = mergeLive('m', stored, next);
    expect(merged?.conditions).toEqual([{ type: 'Ready', status: 'False', reason: 'ClusterNotReachable', message: 'cluster is not reachable', lastTransitionTime: '2026-01-01T09:00:00.000Z' }]);
    // Unreachable: the last observed numbers stay, as Karmada keeps Cluster.status.
    expect(merged?.nodeSummary).toEqual({ totalNum: 3, readyNum: 3 });
    expect(merged?.resourceSummary).toEqual({ allocatable: { cpu: '96' } });
    expect(merged?.observedAt).toBe('2026-01-01T11:00:00.000Z');
  });

  it('a status that changes takes the new observation time as lastTransitionTime', () => {
    const next = { observedAt: '2026-01-01T11:00:00.000Z', conditions: [readyCondition(true, true, '2026-01-01T11:00:00.000Z')], nodeSummary: { totalNum: 2, readyNum: 2 } };
    const merged = mergeLive('m', stored, next);
    expect(merged?.conditions[0]).toMatchObject({ status: 'True', reason: 'ClusterReady', lastTransitionTime: '2026-01-01T11:00:00.000Z' });
    expect(merged?.nodeSummary).toEqual({ totalNum: 2, readyNum: 2 });
    expect(merged?.resourceSummary).toBeUndefined();
  });

  it('no observation at all (the tree did not parse): the stored block as it is', () => {
    expect(mergeLive('m', stored, undefined)).toBe(stored);
  });

  it('a flip held back by the threshold keeps the stored condition whole', () => {
    const thresholds = new ReadyThresholds();
    const t0 = Date.parse('2026-01-01T10:00:00Z');
    thresholds.remember('m', 'False', t0);
    const next = { observedAt: '2026-01-01T10:00:10.000Z', conditions: [readyCondition(true, true, '2026-01-01T10:00:10.000Z')] };
    expect(mergeLive('m', stored, next, { thresholds })?.conditions).toEqual(stored.conditions);
  });
});

describe('nodeSummary (karmada TestGetNodeSummary)', () => {
  it('counts nodes and the Ready ones', () => {
    const nodes = [node({}, 'True'), { kind: 'Node', status: { conditions: [{ type: 'MemoryPressure' }] } }];
    expect(nodeSummary(nodes)).toEqual({ totalNum: 2, readyNum: 1 });
  });
});

describe('resourceSummary (karmada cluster_status_controller_test.go)', () => {
  // TestGetResourceSummary
  it('a zero allocatable key is kept; an unscheduled pod counts in allocating, not allocated', () => {
    const nodes = [node({ test: '0' }), node({ test: '0' })];
    const pods = [pod({ requests: [{ test: '0' }] })];
    const s = resourceSummary(nodes, pods);
    expect(s.allocatable).toHaveProperty('test');
    expect(s.allocating).toHaveProperty('pods');
    expect(s.allocated).toBeUndefined();
  });

  // TestGetClusterAllocatable
  it('allocatable: the nodes added up, a zero sum kept', () => {
    expect(clusterAllocatable([node({ test: '0' }), node({ test: '0' })])).toEqual({ test: '0' });
  });

  // TestGetAllocatingResource, TestGetAllocatedResource
  it('allocating counts pods without a node; allocated counts bound, unfinished pods', () => {
    expect(allocatingResource([pod({ requests: [{ test: '0' }] })])?.pods).toBe('1');
    expect(allocatedResource([pod({ nodeName: 'node1', phase: 'Pending', requests: [{ test: '0' }] })])?.pods).toBe('1');
  });

  it('sums quantities as Kubernetes writes them (Quantity.Add keeps the first format; ResourceList formats per resource)', () => {
    const nodes = [node({ cpu: '32', memory: '256Gi', pods: '110' }, 'True'), node({ cpu: '32', memory: '256Gi', pods: '110' }, 'True'), node({ cpu: '3500m', memory: '1Gi', pods: '10' }, 'False')];
    expect(clusterAllocatable(nodes)).toEqual({ cpu: '67500m', memory: '513Gi', pods: '230' });
    const pods = [
      pod({ nodeName: 'n1', phase: 'Running', requests: [{ cpu: '500m', memory: '128Mi' }, { cpu: '250m', memory: '64Mi' }] }),
      pod({ nodeName: 'n2', phase: 'Running', requests: [{ cpu: '1', memory: '1G' }] }),
      pod({ nodeName: 'n2', phase: 'Succeeded', requests: [{ cpu: '8' }] }),
      pod({ nodeName: 'n2', phase: 'Failed', requests: [{ cpu: '8' }] }),
      pod({ requests: [{ cpu: '2', memory: '4Gi' }] }),
    ];
    // 1750m cpu; 192Mi + 1e9 bytes = 1201326592 bytes, not a whole number of Ki → plain bytes.
    expect(allocatedResource(pods)).toEqual({ cpu: '1750m', memory: '1201326592', pods: '2' });
    expect(allocatingResource(pods)).toEqual({ cpu: '2', memory: '4Gi', pods: '1' });
  });

  it('AddPodRequest: init containers as a maximum against the running total †, overhead added', () => {
    // First pod: containers 100m, init 500m → max(100m, 500m) = 500m; overhead 10m → 510m.
    // Second pod: containers 100m → 610m; its init 300m is below the running total, so it adds nothing.
    const pods = [pod({ requests: [{ cpu: '100m' }], init: [{ cpu: '500m' }], overhead: { cpu: '10m' } }), pod({ requests: [{ cpu: '100m' }], init: [{ cpu: '300m' }] })];
    expect(allocatingResource(pods)).toEqual({ cpu: '610m', pods: '2' });
  });

  it('scalar resources: extended and hugepages counted (hugepages in binary units), unknown native names dropped', () => {
    expect(isScalarResourceName('nvidia.com/gpu')).toBe(true);
    expect(isScalarResourceName('hugepages-2Mi')).toBe(true);
    expect(isScalarResourceName('attachable-volumes-aws-ebs')).toBe(true);
    expect(isScalarResourceName('example.kubernetes.io/thing')).toBe(true);
    expect(isScalarResourceName('test')).toBe(false);
    expect(isScalarResourceName('requests.foo/bar')).toBe(false);
    const pods = [pod({ nodeName: 'n', phase: 'Running', requests: [{ 'nvidia.com/gpu': '2', 'hugepages-2Mi': '4Mi', test: '5' }] })];
    expect(allocatedResource(pods)).toEqual({ 'hugepages-2Mi': '4Mi', 'nvidia.com/gpu': '2', pods: '1' });
  });

  it('no pods: allocated and allocating are absent (ResourceList() is nil when empty)', () => {
    expect(resourceSummary([node({ cpu: '4' })], [])).toEqual({ allocatable: { cpu: '4' } });
  });
});

describe('apiEnablements (karmada getAPIEnablements)', () => {
  it('every group version, sorted; resources by name; subresources left out; the same for any discovery order', () => {
    const served = [
      { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets' },
      { group: '', version: 'v1', kind: 'Pod', plural: 'pods' },
      { group: '', version: 'v1', kind: 'Pod', plural: 'pods/status' },
      { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments' },
      { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers' },
      { group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers' },
      { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps' },
    ];
    const expected = [
      { groupVersion: 'apps/v1', resources: [{ name: 'deployments', kind: 'Deployment' }, { name: 'statefulsets', kind: 'StatefulSet' }] },
      { groupVersion: 'autoscaling/v1', resources: [{ name: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler' }] },
      { groupVersion: 'autoscaling/v2', resources: [{ name: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler' }] },
      { groupVersion: 'v1', resources: [{ name: 'configmaps', kind: 'ConfigMap' }, { name: 'pods', kind: 'Pod' }] },
    ];
    expect(apiEnablements(served)).toEqual(expected);
    expect(apiEnablements([...served].reverse())).toEqual(expected);
  });
});

describe('workloads: desired / ready / unschedulable', () => {
  const at = (seconds: number): string => new Date(Date.parse('2026-01-01T00:00:00Z') + seconds * 1000).toISOString();
  const schedPod = (scheduled: boolean, terminating = false, owner?: { kind: string; name: string }, hash?: string): JsonObject => ({
    kind: 'Pod',
    metadata: {
      namespace: 'web',
      ...(terminating ? { deletionTimestamp: at(0) } : {}),
      ...(hash === undefined ? {} : { labels: { 'pod-template-hash': hash } }),
      ...(owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, controller: true }] }),
    },
    status: { conditions: [{ type: 'PodScheduled', status: scheduled ? 'True' : 'False', ...(scheduled ? {} : { reason: 'Unschedulable' }), lastTransitionTime: at(-120) }] },
  });

  // kubeadmiral pkg/controllers/automigration/util_test.go TestCountUnschedulablePods (the threshold is the decision's, not ours)
  it('PodScheduled=False reason Unschedulable counts; scheduled and terminating pods do not', () => {
    const ok = schedPod(true);
    const unschedulable = schedPod(false);
    const terminating = schedPod(false, true);
    const count = (pods: JsonObject[]): number => pods.filter(isUnschedulablePod).length;
    expect(count([ok, ok, ok])).toBe(0);
    expect(count([ok, ok, unschedulable])).toBe(1);
    expect(count([ok, ok, unschedulable, unschedulable])).toBe(2);
    expect(count([ok, ok, unschedulable, terminating])).toBe(1);
    expect(isUnschedulablePod({ kind: 'Pod', status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulerError' }] } })).toBe(false);
  });

  it('an unschedulable pod carries the time it became so; without lastTransitionTime it is Go’s zero time (past any threshold, as upstream)', () => {
    expect(unschedulableSince(schedPod(false))).toBe(at(-120));
    expect(unschedulableSince(schedPod(true))).toBeUndefined();
    expect(unschedulableSince({ kind: 'Pod', status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } })).toBe('0001-01-01T00:00:00Z');
  });

  it('a Deployment’s pods are found through their ReplicaSet name and pod-template-hash', () => {
    expect(podOwners(schedPod(false, false, { kind: 'ReplicaSet', name: 'api-5d8f7c' }, '5d8f7c'))).toEqual(['ReplicaSet/api-5d8f7c', 'Deployment/api']);
    expect(podOwners(schedPod(false, false, { kind: 'ReplicaSet', name: 'plain' }))).toEqual(['ReplicaSet/plain']);
    expect(podOwners(schedPod(false, false, { kind: 'StatefulSet', name: 'db' }))).toEqual(['StatefulSet/db']);
  });

  it('counts per workload, sorted by group, kind, namespace, name; desired defaults to 1', () => {
    const pods = [
      schedPod(false, false, { kind: 'ReplicaSet', name: 'api-abc' }, 'abc'),
      schedPod(false, false, { kind: 'ReplicaSet', name: 'api-abc' }, 'abc'),
      schedPod(true, false, { kind: 'ReplicaSet', name: 'api-abc' }, 'abc'),
      schedPod(false, false, { kind: 'StatefulSet', name: 'db' }),
    ];
    const workloads: WorkloadObject[] = [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'web', name: 'db', live: { spec: {}, status: { readyReplicas: 0 } } },
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'api', live: { spec: { replicas: 5 }, status: { readyReplicas: 1 } } },
      { apiVersion: 'batch/v1', kind: 'Job', namespace: 'web', name: 'once', live: { spec: { parallelism: 2 }, status: { ready: 2 } } },
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'cfg', live: {} },
    ];
    expect(workloadCounts(workloads, pods)).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'api', desired: 5, ready: 1, unschedulable: 2, pods: 3, unschedulableSince: [at(-120), at(-120)] },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'web', name: 'db', desired: 1, ready: 0, unschedulable: 1, pods: 1, unschedulableSince: [at(-120)] },
      { apiVersion: 'batch/v1', kind: 'Job', namespace: 'web', name: 'once', desired: 2, ready: 2, unschedulable: 0 },
    ]);
  });
});

describe('kubeTime', () => {
  it('whole seconds, rounded down, as metav1.Time and git commit times are', () => {
    expect(kubeTime(new Date('2026-12-06T14:01:27.999Z'))).toBe('2026-12-06T14:01:27Z');
    expect(kubeTime(new Date('2026-12-06T14:01:27.000Z'))).toBe('2026-12-06T14:01:27Z');
  });
});

describe('kubeadmiralResources (kubeadmiral pkg/controllers/federatedcluster/util_test.go Test_aggregateResources)', () => {
  const nodes = [node({ cpu: '2', memory: '1Gi' }), node({ cpu: '1', memory: '2Gi' })];
  const p = (spec: JsonObject): JsonObject => ({ kind: 'Pod', spec, status: { phase: 'Running' } });
  const c = (requests: Record<string, string>, limits?: Record<string, string>): JsonObject => ({ name: 'c', resources: { requests, ...(limits === undefined ? {} : { limits }) } });
  const half = { cpu: '500m', memory: '1Gi' };
  const cases: Array<{ name: string; pods: JsonObject[]; available: Record<string, string> }> = [
    { name: 'one container per pod', pods: [p({ containers: [c(half)] }), p({ containers: [c(half)] })], available: { cpu: '2', memory: '1Gi' } },
    { name: 'multiple containers per pod', pods: [p({ containers: [c(half), c(half)] })], available: { cpu: '2', memory: '1Gi' } },
    { name: 'with overhead', pods: [p({ containers: [c(half)], overhead: half })], available: { cpu: '2', memory: '1Gi' } },
    { name: 'with init containers', pods: [p({ initContainers: [c({ cpu: '200m', memory: '500Mi' }), c(half)], containers: [c(half)] })], available: { cpu: '2500m', memory: '2Gi' } },
  ];
  it.each(cases)('$name', ({ pods: list, available }) => {
    expect(kubeadmiralResources(nodes, list)).toEqual({ schedulableNodes: 2, allocatable: { cpu: '3', memory: '3Gi' }, available });
  });

  it('only schedulable nodes count (cordoned, NoSchedule/NoExecute-tainted and not-Ready ones do not); pods are not a resource; finished pods free theirs; limits stand in for requests', () => {
    const cordoned = { ...node({ cpu: '8', memory: '8Gi', pods: '110' }), spec: { unschedulable: true } };
    const tainted = { ...node({ cpu: '8', memory: '8Gi' }), spec: { taints: [{ key: 'k', effect: 'NoExecute' }] } };
    const preferNo = { ...node({ cpu: '4', memory: '4Gi', pods: '110' }), spec: { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] } };
    const notReady = node({ cpu: '8', memory: '8Gi' }, 'False');
    const pods = [
      p({ containers: [c({ memory: '1Gi' }, { cpu: '1', memory: '2Gi' })] }),
      { kind: 'Pod', spec: { containers: [c({ cpu: '3' })] }, status: { phase: 'Succeeded' } },
      // Not scheduled yet: KubeAdmiral subtracts it all the same, and available may go below zero.
      { kind: 'Pod', spec: { containers: [c({ cpu: '4' })] }, status: { phase: 'Pending' } },
    ];
    expect(kubeadmiralResources([cordoned, tainted, preferNo, notReady], pods)).toEqual({ schedulableNodes: 1, allocatable: { cpu: '4', memory: '4Gi' }, available: { cpu: '-1', memory: '3Gi' } });
  });
});
