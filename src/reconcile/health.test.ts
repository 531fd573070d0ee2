import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../model/types.ts';
import { assessHealth } from './health.ts';

// Vectors ported from kubernetes/kubectl pkg/polymorphichelpers/rollout_status_test.go
// (TestDeploymentStatusViewerStatus, TestDaemonSetStatusViewerStatus,
// TestStatefulSetStatusViewerStatus): `done` there is `Healthy` here.

const deployment = (generation: number, specReplicas: number, status: JsonObject): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'foo', namespace: 'bar', generation },
  spec: { replicas: specReplicas },
  status,
});

describe('Deployment health (kubectl rollout status)', () => {
  const cases: [string, number, number, JsonObject, boolean][] = [
    ['test1: 0 of 1 updated', 0, 1, { observedGeneration: 1, replicas: 1, updatedReplicas: 0, availableReplicas: 1, unavailableReplicas: 0 }, false],
    ['test2: 1 old replica pending termination', 1, 1, { observedGeneration: 1, replicas: 2, updatedReplicas: 1, availableReplicas: 2 }, false],
    ['test3: 1 of 2 updated replicas available', 1, 2, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 1, unavailableReplicas: 1 }, false],
    ['test4: rolled out', 1, 2, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, true],
    ['test5: spec update not observed', 2, 2, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }, false],
  ];
  for (const [name, gen, replicas, status, done] of cases) {
    it(name, () => {
      const h = assessHealth(deployment(gen, replicas, status));
      expect(h.health).toBe(done ? 'Healthy' : 'Progressing');
      if (!done) expect(h.message).toBeTruthy();
    });
  }

  it('ProgressDeadlineExceeded is Degraded, a paused rollout and a fresh object are not healthy', () => {
    const stuck = deployment(1, 2, {
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 1,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "foo-1" has timed out progressing.' }],
    });
    expect(assessHealth(stuck)).toEqual({ health: 'Degraded', message: 'rollout exceeded its progress deadline: ReplicaSet "foo-1" has timed out progressing.' });
    expect(assessHealth({ ...deployment(1, 1, {}), spec: { replicas: 1, paused: true } }).health).toBe('Progressing');
    expect(assessHealth(deployment(1, 1, {})).health).toBe('Progressing');
  });
});

describe('DaemonSet health (kubectl rollout status)', () => {
  const ds = (generation: number, status: JsonObject, type = 'RollingUpdate'): JsonObject => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'foo', namespace: 'bar', generation },
    spec: { updateStrategy: { type } },
    status,
  });
  const cases: [string, number, JsonObject, boolean][] = [
    ['test1: 0 of 1 updated', 0, { observedGeneration: 1, updatedNumberScheduled: 0, desiredNumberScheduled: 1, numberAvailable: 0 }, false],
    ['test2: 1 of 2 available', 1, { observedGeneration: 1, updatedNumberScheduled: 2, desiredNumberScheduled: 2, numberAvailable: 1 }, false],
    ['test3: rolled out', 1, { observedGeneration: 1, updatedNumberScheduled: 2, desiredNumberScheduled: 2, numberAvailable: 2 }, true],
    ['test4: spec update not observed', 2, { observedGeneration: 1, updatedNumberScheduled: 2, desiredNumberScheduled: 2, numberAvailable: 2 }, false],
  ];
  for (const [name, gen, status, done] of cases) {
    it(name, () => expect(assessHealth(ds(gen, status)).health).toBe(done ? 'Healthy' : 'Progressing'));
  }
  it('OnDelete is not tracked by a rollout: healthy (Argo CD rule; kubectl refuses)', () => {
    expect(assessHealth(ds(1, {}, 'OnDelete')).health).toBe('Healthy');
  });
});

describe('StatefulSet health (kubectl rollout status)', () => {
  const sts = (generation: number, strategy: JsonObject, status: JsonObject): JsonObject => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'foo', namespace: 'default', generation },
    spec: { replicas: 3, updateStrategy: strategy },
    status,
  });
  const rolling = { type: 'RollingUpdate' };
  const partitioned = { type: 'RollingUpdate', rollingUpdate: { partition: 2 } };
  const cases: [string, number, JsonObject, JsonObject, boolean][] = [
    ['on delete', 1, { type: 'OnDelete' }, { observedGeneration: 1, replicas: 0, readyReplicas: 1 }, true],
    ['unobserved update is not complete', 2, rolling, { observedGeneration: 1, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 0 }, false],
    ['if all pods are not ready the update is not complete', 1, rolling, { observedGeneration: 2, replicas: 3, readyReplicas: 2, currentReplicas: 3 }, false],
    ['partition update completes when all replicas above the partition are updated', 1, partitioned, { observedGeneration: 2, replicas: 3, readyReplicas: 3, currentReplicas: 2, updatedReplicas: 1 }, true],
    ['partition update is in progress if pods above the partition are not updated', 1, partitioned, { observedGeneration: 2, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 0 }, false],
    ['update completes when all replicas are current', 1, rolling, { observedGeneration: 2, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: 'foo', updateRevision: 'foo' }, true],
  ];
  for (const [name, gen, strategy, status, done] of cases) {
    it(name, () => expect(assessHealth(sts(gen, strategy, status)).health).toBe(done ? 'Healthy' : 'Progressing'));
  }
});

describe('other kinds', () => {
  const cond = (type: string, status: string, extra: JsonObject = {}): JsonObject => ({ type, status, ...extra });
  it('Job: Complete is healthy, Failed degraded, running progressing', () => {
    const job = (conditions: JsonObject[]): JsonObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, status: { conditions } });
    expect(assessHealth(job([cond('Complete', 'True')])).health).toBe('Healthy');
    expect(assessHealth(job([cond('Failed', 'True', { reason: 'BackoffLimitExceeded' })]))).toEqual({ health: 'Degraded', message: 'job failed (BackoffLimitExceeded)' });
    expect(assessHealth(job([])).health).toBe('Progressing');
  });
  it('PVC: Bound healthy, Pending progressing, Lost degraded', () => {
    const pvc = (phase: string): JsonObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'p' }, status: { phase } });
    expect(assessHealth(pvc('Bound')).health).toBe('Healthy');
    expect(assessHealth(pvc('Pending')).health).toBe('Progressing');
    expect(assessHealth(pvc('Lost')).health).toBe('Degraded');
  });
  it('Service: only LoadBalancers wait for an address', () => {
    const svc = (type: string, status: JsonObject = {}): JsonObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type }, status });
    expect(assessHealth(svc('ClusterIP')).health).toBe('Healthy');
    expect(assessHealth(svc('LoadBalancer', { loadBalancer: {} })).health).toBe('Progressing');
    expect(assessHealth(svc('LoadBalancer', { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } })).health).toBe('Healthy');
  });
  it('custom resources: Ready/Available conditions; none to go by is healthy (kstatus Current)', () => {
    const cr = (status?: JsonObject, generation = 1): JsonObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', generation }, ...(status ? { status } : {}) });
    expect(assessHealth(cr()).health).toBe('Healthy');
    expect(assessHealth(cr({ conditions: [] })).health).toBe('Healthy');
    expect(assessHealth(cr({ conditions: [cond('Synced', 'False')] })).health).toBe('Healthy');
    expect(assessHealth(cr({ observedGeneration: 1 }, 2)).health).toBe('Progressing');
    expect(assessHealth(cr({ conditions: [cond('Ready', 'True')] })).health).toBe('Healthy');
    expect(assessHealth(cr({ conditions: [cond('Available', 'True')] })).health).toBe('Healthy');
    expect(assessHealth(cr({ conditions: [cond('Ready', 'False', { message: 'waiting for db' })] }))).toEqual({ health: 'Progressing', message: 'Ready is False: waiting for db' });
    expect(assessHealth(cr({ conditions: [cond('Stalled', 'True'), cond('Ready', 'True')] })).health).toBe('Degraded');
    expect(assessHealth(cr({ observedGeneration: 1, conditions: [cond('Ready', 'True')] }, 2)).health).toBe('Progressing');
  });
  it('CRDs wait for Established; ConfigMaps are healthy; deletion is progress', () => {
    const crd = (conditions: JsonObject[]): JsonObject => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x' }, status: { conditions } });
    expect(assessHealth(crd([])).health).toBe('Progressing');
    expect(assessHealth(crd([cond('Established', 'True')])).health).toBe('Healthy');
    expect(assessHealth(crd([cond('NamesAccepted', 'False')])).health).toBe('Degraded');
    expect(assessHealth({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }).health).toBe('Healthy');
    expect(assessHealth({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', deletionTimestamp: '2026-01-01T00:00:00Z' } }).health).toBe('Progressing');
  });
});
