import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../model/types.ts';
import { PatchError } from '../../render/jsonpatch.ts';
import { REPLICAS_PATH, applyClusterOverrides, getOverrides, toPatch, updateOverridesMap, type ClusterOverride, type OverridesMap } from './overrides.ts';

const deployment: JsonObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'prod', labels: { app: 'web' } },
  spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
};

function ov(path: string, value: unknown, op?: string): ClusterOverride {
  return { op, path, value: value as ClusterOverride['value'], origin: 'test' };
}

describe('getOverrides (overrides.go GetOverrides)', () => {
  it('maps clusters to their overrides in order', () => {
    const { overrides, problems } = getOverrides([
      { clusterName: 'a', clusterOverrides: [{ path: '/spec/replicas', value: 3 }, { op: 'add', path: '/metadata/annotations', value: { x: 'y' } }] },
      { clusterName: 'b', clusterOverrides: [] },
    ]);
    expect(problems).toEqual([]);
    expect(overrides.get('a')?.map((o) => [o.op, o.path, o.origin])).toEqual([
      [undefined, '/spec/replicas', 'spec.overrides[0].clusterOverrides[0]'],
      ['add', '/metadata/annotations', 'spec.overrides[0].clusterOverrides[1]'],
    ]);
    expect(overrides.get('b')).toEqual([]);
  });

  it('rejects a cluster listed twice', () => {
    const { problems } = getOverrides([{ clusterName: 'a' }, { clusterName: 'a' }]);
    expect(problems).toEqual([{ field: ['spec', 'overrides', 1, 'clusterName'], message: 'cluster "a" appears more than once' }]);
  });

  it('rejects a path listed twice for one cluster', () => {
    const { problems } = getOverrides([{ clusterName: 'a', clusterOverrides: [{ path: '/spec/replicas', value: 1 }, { op: 'add', path: '/spec/replicas', value: 2 }] }]);
    expect(problems).toEqual([{ field: ['spec', 'overrides', 0, 'clusterOverrides', 1, 'path'], message: 'path "/spec/replicas" appears more than once for cluster "a"' }]);
  });

  it('allows the same path for different clusters', () => {
    const { problems } = getOverrides([
      { clusterName: 'a', clusterOverrides: [{ path: '/spec/replicas', value: 1 }] },
      { clusterName: 'b', clusterOverrides: [{ path: '/spec/replicas', value: 2 }] },
    ]);
    expect(problems).toEqual([]);
  });

  for (const path of ['/metadata/namespace', '/metadata/name', '/metadata/generateName', '/kind']) {
    it(`rejects the forbidden path ${path}`, () => {
      const { problems } = getOverrides([{ clusterName: 'a', clusterOverrides: [{ path, value: 'x' }] }]);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.message).toContain(`override[0] for cluster "a" has an invalid path: ${path}`);
    });
  }

  it('allows /apiVersion and paths that only start with a forbidden one', () => {
    const { problems } = getOverrides([{ clusterName: 'a', clusterOverrides: [{ path: '/apiVersion', value: 'v2' }, { path: '/metadata/name/x', value: 1 }] }]);
    expect(problems).toEqual([]);
  });

  it('treats a missing clusterName as "" and null lists as empty', () => {
    const { overrides, problems } = getOverrides([{ clusterOverrides: null }]);
    expect(problems).toEqual([]);
    expect(overrides.get('')).toEqual([]);
    expect(getOverrides(null).overrides.size).toBe(0);
  });
});

describe('toPatch / applyClusterOverrides (ApplyJSONPatch, evanphx v4 semantics)', () => {
  it('an empty or missing op means replace', () => {
    expect(toPatch([ov('/a', 1), ov('/b', 2, '')])).toEqual([
      { op: 'replace', path: '/a', value: 1 },
      { op: 'replace', path: '/b', value: 2 },
    ]);
  });

  it('replace of a missing key whose parent exists adds it (the lenient quirk)', () => {
    const out = applyClusterOverrides(deployment, [ov('/spec/replicas', 3)]);
    expect((out.spec as JsonObject).replicas).toBe(3);
    expect((deployment.spec as JsonObject).replicas).toBeUndefined();
  });

  it('replace under a missing parent fails: template annotations are always stripped', () => {
    expect(() => applyClusterOverrides(deployment, [ov('/metadata/annotations/team', 'x')])).toThrow(PatchError);
  });

  it('the userguide workaround: add /metadata/annotations first', () => {
    const out = applyClusterOverrides(deployment, [ov('/metadata/annotations', { team: 'x' }, 'add')]);
    expect((out.metadata as JsonObject).annotations).toEqual({ team: 'x' });
  });

  it('replaces an array element and removes a key', () => {
    const out = applyClusterOverrides(deployment, [ov('/spec/template/spec/containers/0/image', 'nginx:1.17'), ov('/metadata/labels/app', undefined, 'remove')]);
    expect(((out.spec as JsonObject).template as { spec: { containers: { image: string }[] } }).spec.containers[0]?.image).toBe('nginx:1.17');
    expect((out.metadata as JsonObject).labels).toEqual({});
  });

  it('remove of a missing key fails and names the failing operation', () => {
    try {
      applyClusterOverrides(deployment, [ov('/spec/replicas', 2), ov('/spec/paused', undefined, 'remove')]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(PatchError);
      expect((err as PatchError).opIndex).toBe(1);
    }
  });

  it('replace beyond the end of an array fails', () => {
    expect(() => applyClusterOverrides(deployment, [ov('/spec/template/spec/containers/1/image', 'x')])).toThrow(PatchError);
  });

  it('a missing value sets null, as v4 does with an omitted value', () => {
    const out = applyClusterOverrides(deployment, [ov('/spec/paused', undefined)]);
    expect((out.spec as JsonObject).paused).toBeNull();
  });
});

describe('updateOverridesMap: plugin_test.go TestUpdateOverridesMap', () => {
  const cluster = 'cluster1';
  const replicasOf = (map: OverridesMap) => Object.fromEntries((map.get(cluster) ?? []).map((o) => [o.path, o.value]));

  it('Retain other overrides when removing replica override for unscheduled', () => {
    const map: OverridesMap = new Map([[cluster, [ov(REPLICAS_PATH, 0), ov('/ultimate/answer', 42)]]]);
    expect(replicasOf(updateOverridesMap(map, new Map(), 'rsp'))).toEqual({ '/ultimate/answer': 42 });
  });

  it('Update existing replica override', () => {
    const map: OverridesMap = new Map([[cluster, [ov(REPLICAS_PATH, 0), ov('/ultimate/answer', 42)]]]);
    expect(replicasOf(updateOverridesMap(map, new Map([[cluster, 5]]), 'rsp'))).toEqual({ '/ultimate/answer': 42, [REPLICAS_PATH]: 5 });
  });

  it('Add new replica override', () => {
    const map: OverridesMap = new Map([[cluster, [ov('/ultimate/answer', 42)]]]);
    expect(replicasOf(updateOverridesMap(map, new Map([[cluster, 0]]), 'rsp'))).toEqual({ '/ultimate/answer': 42, [REPLICAS_PATH]: 0 });
  });
});

describe('updateOverridesMap: what plugin.go does beyond the upstream vectors', () => {
  it('keeps the op and position of an existing /spec/replicas override and leaves the input unchanged', () => {
    const original = [ov('/a', 1), ov(REPLICAS_PATH, 10, 'add')];
    const map: OverridesMap = new Map([['c', original]]);
    const out = updateOverridesMap(map, new Map([['c', 4]]), 'RSP ns/x');
    expect(out.get('c')?.map((o) => [o.op, o.path, o.value])).toEqual([
      [undefined, '/a', 1],
      ['add', REPLICAS_PATH, 4],
    ]);
    expect(out.get('c')?.[1]?.origin).toBe('RSP ns/x, replacing the value of test');
    expect(original[1]?.value).toBe(10);
  });

  it('appends a new override with an empty op for clusters without one', () => {
    const out = updateOverridesMap(new Map(), new Map([['c', 2]]), 'RSP ns/x');
    expect(out.get('c')).toEqual([{ path: REPLICAS_PATH, value: 2, origin: 'RSP ns/x' }]);
    expect(toPatch(out.get('c') ?? [])).toEqual([{ op: 'replace', path: REPLICAS_PATH, value: 2 }]);
  });
});
