import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../model/types.ts';
import { diffValues, driftEntries, externalDrift, fieldsWithin, hasDrifted, isSubset, looksInSync, MASK, ownsField, secretValues } from './compare.ts';
import { redact } from '../errors/redact.ts';

// The apply body Manifold sends and the object a v1.37 API server returns
// for it (trimmed), with managedFields as the server recorded them.
const desired: JsonObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'demo', labels: { 'applyset.kubernetes.io/part-of': 'set1' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: 0.1, memory: '64Mi' } } }] },
    },
  },
};

const manifoldFields: JsonObject = {
  'f:metadata': { 'f:labels': { 'f:applyset.kubernetes.io/part-of': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:selector': {},
    'f:template': {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:resources': { 'f:requests': { 'f:cpu': {}, 'f:memory': {} } } },
        },
      },
    },
  },
};

function liveOf(fields: JsonObject = manifoldFields, patch: (o: JsonObject) => void = () => {}): JsonObject {
  const live: JsonObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'demo',
      uid: 'u1',
      resourceVersion: '42',
      generation: 1,
      creationTimestamp: '2026-11-21T05:34:52Z',
      labels: { 'applyset.kubernetes.io/part-of': 'set1' },
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      managedFields: [
        { manager: 'manifold', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: fields },
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'apps/v1', subresource: 'status', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } },
      ],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'registry.k8s.io/pause:3.10',
              imagePullPolicy: 'IfNotPresent',
              resources: { requests: { cpu: '100m', memory: '64Mi' } },
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
            },
          ],
          dnsPolicy: 'ClusterFirst',
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
          securityContext: {},
          terminationGracePeriodSeconds: 30,
        },
      },
    },
    status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
  };
  patch(live);
  return live;
}

const at = (o: JsonValue | undefined, ...path: (string | number)[]): JsonObject => {
  let v: JsonValue | undefined = o;
  for (const p of path) v = (v as Record<string | number, JsonValue>)[p];
  return v as JsonObject;
};

describe('looksInSync (no request for an unchanged object)', () => {
  it('server defaults and canonical quantities (0.1 = 100m) do not count as a difference', () => {
    expect(looksInSync(desired, liveOf(), 'manifold')).toBe(true);
  });

  it('a changed value, a missing Apply entry, another apiVersion: not in sync', () => {
    expect(looksInSync(desired, liveOf(manifoldFields, (l) => (at(l, 'spec').replicas = 5)), 'manifold')).toBe(false);
    expect(looksInSync(desired, liveOf(manifoldFields, (l) => (at(l, 'metadata').managedFields = [])), 'manifold')).toBe(false);
    const other = liveOf(manifoldFields, (l) => (at(l, 'metadata', 'managedFields', 0).apiVersion = 'apps/v1beta2'));
    expect(looksInSync(desired, other, 'manifold')).toBe(false);
  });

  it('a field Manifold owns but no longer renders (apply would remove it): not in sync', () => {
    const withTeam = { ...manifoldFields, 'f:metadata': { 'f:labels': { 'f:applyset.kubernetes.io/part-of': {}, 'f:team': {} } } };
    const live = liveOf(withTeam, (l) => (at(l, 'metadata', 'labels').team = 'a'));
    expect(looksInSync(desired, live, 'manifold')).toBe(false);
    // Someone else's label is none of Manifold's business.
    expect(looksInSync(desired, liveOf(manifoldFields, (l) => (at(l, 'metadata', 'labels').team = 'a')), 'manifold')).toBe(true);
  });

  it('a list element Manifold owns that the tree dropped (a removed sidecar): not in sync', () => {
    const fields = structuredClone(manifoldFields);
    at(fields, 'f:spec', 'f:template', 'f:spec', 'f:containers')['k:{"name":"sidecar"}'] = { '.': {}, 'f:name': {}, 'f:image': {} };
    const live = liveOf(fields, (l) => (at(l, 'spec', 'template', 'spec').containers as JsonValue[]).push({ name: 'sidecar', image: 'busybox' }));
    expect(looksInSync(desired, live, 'manifold')).toBe(false);
  });

  it('Secret stringData is compared with the data the server stored', () => {
    const secret: JsonObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'p4ss' } };
    const live: JsonObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', managedFields: [{ manager: 'manifold', operation: 'Apply', apiVersion: 'v1', fieldsV1: { 'f:stringData': { 'f:password': {} } } }] },
      data: { password: Buffer.from('p4ss').toString('base64') },
      type: 'Opaque',
    };
    expect(looksInSync(secret, live, 'manifold')).toBe(true);
    expect(looksInSync({ ...secret, stringData: { password: 'other' } }, live, 'manifold')).toBe(false);
  });
});

describe('isSubset', () => {
  it('absent equals a Go zero value; list lengths must match', () => {
    expect(isSubset({ a: { b: [], c: {}, d: '', e: false, f: null } }, {})).toBe(true);
    expect(isSubset({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(isSubset({ a: [{ x: 1 }] }, { a: [{ x: 1, y: 2 }] })).toBe(true);
    expect(isSubset({ a: 1 }, { a: '1' })).toBe(false);
    expect(isSubset({ limits: { memory: '1Gi' } }, { limits: { memory: '1073741824' } })).toBe(true);
    expect(isSubset({ limits: { memory: '1Gi' } }, { limits: { memory: '1G' } })).toBe(false);
  });

  it('property: any object is a subset of itself and of itself with extra fields', () => {
    const json = fc.jsonValue() as fc.Arbitrary<JsonValue>;
    fc.assert(
      fc.property(fc.dictionary(fc.string(), json), fc.dictionary(fc.string(), json), (a, extra) => {
        const obj = a as JsonObject;
        expect(isSubset(obj, obj)).toBe(true);
        const bigger: JsonObject = { ...(extra as JsonObject), ...obj };
        expect(isSubset(obj, bigger)).toBe(true);
      }),
    );
  });
});

describe('fieldsWithin', () => {
  it('follows k:, v: and i: list keys', () => {
    expect(fieldsWithin({ 'f:finalizers': { 'v:"a"': {} } }, { finalizers: ['a', 'b'] })).toBe(true);
    expect(fieldsWithin({ 'f:finalizers': { 'v:"c"': {} } }, { finalizers: ['a', 'b'] })).toBe(false);
    expect(fieldsWithin({ 'f:args': { 'i:1': {} } }, { args: ['x'] })).toBe(false);
    const ports = { 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { 'f:containerPort': {} } } };
    expect(fieldsWithin(ports, { ports: [{ containerPort: 80, protocol: 'TCP' }] })).toBe(true);
    expect(fieldsWithin(ports, { ports: [{ containerPort: 81, protocol: 'TCP' }] })).toBe(false);
    // The key holds the defaulted protocol; the rendered port leaves it out.
    expect(fieldsWithin(ports, { ports: [{ containerPort: 80, name: 'http' }] })).toBe(true);
    expect(fieldsWithin(ports, { ports: [{ containerPort: 80, protocol: 'UDP' }] })).toBe(false);
  });
});

describe('drift', () => {
  it('hasDrifted looks at labels, annotations and the body, not at server metadata or status (Flux hasDrifted)', () => {
    const live = liveOf();
    const dry = liveOf(manifoldFields, (l) => {
      at(l, 'metadata').resourceVersion = '43';
      at(l, 'metadata').managedFields = [];
      at(l, 'status').replicas = 7;
    });
    expect(hasDrifted(live, dry)).toBe(false);
    expect(hasDrifted(live, liveOf(manifoldFields, (l) => (at(l, 'metadata', 'labels').x = 'y')))).toBe(true);
    expect(hasDrifted(live, liveOf(manifoldFields, (l) => (at(l, 'spec').replicas = 3)))).toBe(true);
  });

  it('entries are JSON pointers with before (live) and after (desired); keys are escaped (RFC 6901)', () => {
    const live = liveOf(manifoldFields, (l) => {
      at(l, 'spec').replicas = 5;
      at(l, 'metadata', 'labels')['example.com/tier'] = 'a~b';
    });
    const dry = liveOf(manifoldFields, (l) => (at(l, 'metadata', 'labels')['example.com/tier'] = 'c'));
    expect(driftEntries(live, dry)).toEqual([
      { path: '/metadata/labels/example.com~1tier', before: 'a~b', after: 'c' },
      { path: '/spec/replicas', before: 5, after: 2 },
    ]);
    expect(diffValues([1, 2], [1, 2, 3])).toEqual([{ path: '', before: [1, 2], after: [1, 2, 3] }]);
  });

  it('Secret values are masked, keys are not', () => {
    const secret = (data: JsonObject, annotations: JsonObject = {}): JsonObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', annotations }, data });
    const entries = driftEntries(
      secret({ password: 'b2xk', token: 'dA==' }, { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"b2xk"}}' }),
      secret({ password: 'bmV3', extra: 'eA==' }),
    );
    expect(entries).toEqual([
      { path: '/data/extra', before: undefined, after: MASK },
      { path: '/data/password', before: MASK, after: MASK },
      { path: '/data/token', before: MASK, after: undefined },
      { path: '/metadata/annotations', before: MASK, after: undefined },
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/b2xk|bmV3|dA==|eA==/);
  });

  it('external drift: fields someone else owns now (an Update takes ownership), not new fields of the tree', () => {
    // kubectl scale --field-manager intruder: replicas moved to the intruder.
    const fields = structuredClone(manifoldFields);
    delete at(fields, 'f:spec')['f:replicas'];
    const live = liveOf(fields, (l) => (at(l, 'spec').replicas = 5));
    expect(ownsField(live, 'manifold', '/spec/replicas')).toBe(false);
    expect(ownsField(live, 'manifold', '/spec/template/spec/containers/0/image')).toBe(true);
    expect(ownsField(live, 'manifold', '/spec/selector/matchLabels/app')).toBe(true); // atomic: owned whole
    const entries = [
      { path: '/spec/replicas', before: 5, after: 2 },
      { path: '/spec/template/spec/containers/0/image', before: 'a', after: 'b' },
      { path: '/spec/paused', before: undefined, after: true },
    ];
    expect(externalDrift(live, entries, 'manifold')).toEqual([{ path: '/spec/replicas', before: 5, after: 2 }]);
  });
});

describe('redact', () => {
  it('removes Secret values (plain and base64) from server messages', () => {
    const values = secretValues({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: Buffer.from('s3cr3t-value').toString('base64') }, stringData: { b: 'other-secret' } });
    const message = `Secret "s" is invalid: data[a]: Invalid value: "s3cr3t-value" (${Buffer.from('other-secret').toString('base64')})`;
    const out = redact(message, values);
    expect(out).toBe(`Secret "s" is invalid: data[a]: Invalid value: "${MASK}" (${MASK})`);
    expect(secretValues({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'x' } })).toEqual([]);
  });
});
