/**
 * Vectors from karmada-io/karmada pkg/util/overridemanager:
 * imageoverride_test.go, commandargsoverride_test.go,
 * labelannotationoverrider_test.go, overridemanager_test.go; plus the image
 * examples of reference §1.8 and the Manifold extensions.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../model/types.ts';
import type { PatchOp } from '../../render/jsonpatch.ts';
import {
  OverrideError,
  applyOverriders,
  buildCommandArgsPatches,
  buildImagePatches,
  goJson,
  orderOverridePolicies,
  yamlV2KeyLess,
} from './overriders.ts';
import type { CommandArgsOverrider, ImageOverrider, Overriders } from './schema.ts';

// ---- fixtures (imageoverride_test.go / commandargsoverride_test.go generators) ----

type Container = Record<string, JsonObject[keyof JsonObject]>;

function workload(kind: string, containers: Container[], name = 'nginx'): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, labels: { app: 'nginx' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers } },
    },
  };
}

function pod(containers: Container[]): JsonObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx', labels: { app: 'nginx' } }, spec: { containers } };
}

const IMAGE = 'fictional.registry.example/imagename:v1.0.0';
const nginx = { image: IMAGE, name: 'nginx' };
const job: JsonObject = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'pi' },
  spec: { template: { spec: { containers: [{ image: 'perl:5.34.0', name: 'perl' }] } } },
};
const twoContainers = workload('Deployment', [nginx, { image: 'registry.k8s.io/nginx-slim:0.8', name: 'nginx' }]);
const SHA = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const TPL0 = '/spec/template/spec/containers/0/image';

function replace(path: string, value: string | string[]): PatchOp {
  return { op: 'replace', path, value };
}

describe('buildImagePatches (TestParseJSONPatchesByImageOverrider)', () => {
  const cases: [string, JsonObject, ImageOverrider, PatchOp[]][] = [
    ['empty predicate, Job, Registry add', job, { component: 'Registry', operator: 'add', value: 'registry.k8s.io' }, [replace(TPL0, 'registry.k8s.io/perl:5.34.0')]],
    [
      'predicate, Job, Registry add',
      job,
      { predicate: { path: TPL0 }, component: 'Registry', operator: 'add', value: 'registry.k8s.io' },
      [replace(TPL0, 'registry.k8s.io/perl:5.34.0')],
    ],
    ['Deployment, Registry add', workload('Deployment', [nginx]), { component: 'Registry', operator: 'add', value: '.test' }, [replace(TPL0, 'fictional.registry.example.test/imagename:v1.0.0')]],
    ['Deployment, Registry replace', workload('Deployment', [nginx]), { component: 'Registry', operator: 'replace', value: 'fictional.registry.us' }, [replace(TPL0, 'fictional.registry.us/imagename:v1.0.0')]],
    ['Deployment, Registry remove', workload('Deployment', [nginx]), { component: 'Registry', operator: 'remove', value: 'fictional.registry.us' }, [replace(TPL0, 'imagename:v1.0.0')]],
    ['Deployment, Repository add', workload('Deployment', [nginx]), { component: 'Repository', operator: 'add', value: '/nginx' }, [replace(TPL0, 'fictional.registry.example/imagename/nginx:v1.0.0')]],
    ['Deployment, Repository replace', workload('Deployment', [nginx]), { component: 'Repository', operator: 'replace', value: 'nginx' }, [replace(TPL0, 'fictional.registry.example/nginx:v1.0.0')]],
    ['Deployment, Repository remove', workload('Deployment', [nginx]), { component: 'Repository', operator: 'remove', value: 'nginx' }, [replace(TPL0, 'fictional.registry.example/:v1.0.0')]],
    // "only one of tag and digest is valid": v1.0.0sha256:… is neither, so nothing changes.
    ['Deployment, Tag add', workload('Deployment', [nginx]), { component: 'Tag', operator: 'add', value: `sha256:${SHA}` }, [replace(TPL0, IMAGE)]],
    ['Deployment, Tag replace', workload('Deployment', [nginx]), { component: 'Tag', operator: 'replace', value: `sha256:${SHA}` }, [replace(TPL0, `fictional.registry.example/imagename@sha256:${SHA}`)]],
    ['Deployment, Tag remove', workload('Deployment', [nginx]), { component: 'Tag', operator: 'remove', value: `sha256:${SHA}` }, [replace(TPL0, 'fictional.registry.example/imagename')]],
    ['Pod', pod([nginx]), { component: 'Repository', operator: 'replace', value: 'nginx' }, [replace('/spec/containers/0/image', 'fictional.registry.example/nginx:v1.0.0')]],
    ['StatefulSet', workload('StatefulSet', [nginx], 'web'), { component: 'Repository', operator: 'replace', value: 'nginx' }, [replace(TPL0, 'fictional.registry.example/nginx:v1.0.0')]],
    ['ReplicaSet', workload('ReplicaSet', [nginx]), { component: 'Repository', operator: 'replace', value: 'nginx' }, [replace(TPL0, 'fictional.registry.example/nginx:v1.0.0')]],
    ['DaemonSet', workload('DaemonSet', [nginx]), { component: 'Repository', operator: 'replace', value: 'nginx' }, [replace(TPL0, 'fictional.registry.example/nginx:v1.0.0')]],
    [
      'more than one container',
      twoContainers,
      { component: 'Repository', operator: 'replace', value: 'nginx' },
      [replace(TPL0, 'fictional.registry.example/nginx:v1.0.0'), replace('/spec/template/spec/containers/1/image', 'registry.k8s.io/nginx:0.8')],
    ],
    [
      'predicate, one container',
      workload('Deployment', [nginx]),
      { predicate: { path: TPL0 }, component: 'Repository', operator: 'replace', value: 'nginx' },
      [replace(TPL0, 'fictional.registry.example/nginx:v1.0.0')],
    ],
    [
      'predicate, more than one container',
      twoContainers,
      { predicate: { path: '/spec/template/spec/containers/1/image' }, component: 'Repository', operator: 'replace', value: 'nginx' },
      [replace('/spec/template/spec/containers/1/image', 'registry.k8s.io/nginx:0.8')],
    ],
  ];
  it.each(cases)('%s', (_name, obj, overrider, want) => {
    expect(buildImagePatches(obj, overrider).ops).toEqual(want);
  });

  it('kinds other than Pod/ReplicaSet/Deployment/DaemonSet/StatefulSet/Job are untouched', () => {
    const cronJob = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [nginx] } } } } } };
    expect(buildImagePatches(cronJob, { component: 'Registry', operator: 'remove' }).ops).toEqual([]);
    expect(buildImagePatches({ kind: 'Service', metadata: { name: 's' } }, { component: 'Registry', operator: 'remove' }).ops).toEqual([]);
  });

  it('initContainers are not covered by default', () => {
    const obj = workload('Deployment', [nginx]);
    ((obj['spec'] as JsonObject)['template'] as JsonObject)['spec'] = { containers: [nginx], initContainers: [{ name: 'init', image: 'busybox:1' }] };
    expect(buildImagePatches(obj, { component: 'Registry', operator: 'replace', value: 'm.io' }).ops).toEqual([replace(TPL0, 'm.io/imagename:v1.0.0')]);
  });
});

describe('reference §1.8 image examples', () => {
  const deploy = (image: string) => workload('Deployment', [{ name: 'app', image }]);
  const imageAfter = (image: string, overrider: ImageOverrider, keepDigest = false) => {
    const out = applyOverriders(deploy(image), { imageOverrider: [overrider] }, { extensions: { keepDigest } });
    const spec = ((out.object['spec'] as JsonObject)['template'] as JsonObject)['spec'] as JsonObject;
    return { image: ((spec['containers'] as JsonObject[])[0] as JsonObject)['image'], warnings: out.warnings };
  };
  const DIGEST = `sha256:${'c'.repeat(64)}`;

  it('1: nginx:1.25, Registry add registry.example.com', () => {
    expect(imageAfter('nginx:1.25', { component: 'Registry', operator: 'add', value: 'registry.example.com' }).image).toBe('registry.example.com/nginx:1.25');
  });
  it('2: library/nginx:1.25 — library is not a host', () => {
    expect(imageAfter('library/nginx:1.25', { component: 'Registry', operator: 'remove' }).image).toBe('library/nginx:1.25');
    expect(imageAfter('library/nginx:1.25', { component: 'Registry', operator: 'replace', value: 'mirror.example.com' }).image).toBe(
      'mirror.example.com/library/nginx:1.25',
    );
  });
  it('3: tag@digest — a leading @ is ignored, any override drops the digest (with a warning)', () => {
    const image = `ghcr.io/org/app:1.0@${DIGEST}`;
    const tagged = imageAfter(image, { component: 'Tag', operator: 'replace', value: `@${DIGEST}` });
    expect(tagged.image).toBe('ghcr.io/org/app:1.0');
    const moved = imageAfter(image, { component: 'Registry', operator: 'replace', value: 'quay.io' });
    expect(moved.image).toBe('quay.io/org/app:1.0');
    expect(moved.warnings).toHaveLength(1);
    expect(moved.warnings[0]).toMatch(/^imageOverrider\[0\]: .*loses its digest/);
  });
  it('keepDigest keeps the digest and does not warn', () => {
    const kept = imageAfter(`ghcr.io/org/app:1.0@${DIGEST}`, { component: 'Registry', operator: 'replace', value: 'quay.io' }, true);
    expect(kept).toEqual({ image: `quay.io/org/app:1.0@${DIGEST}`, warnings: [] });
  });
  it('no warning when there was no digest to lose', () => {
    expect(imageAfter('nginx:1.25', { component: 'Registry', operator: 'add', value: 'r.io' }).warnings).toEqual([]);
  });
});

describe('imageOverrider failures', () => {
  const fail = (obj: JsonObject, overriders: Overriders) => {
    try {
      applyOverriders(obj, overriders);
    } catch (err) {
      expect(err).toBeInstanceOf(OverrideError);
      return (err as OverrideError).data;
    }
    throw new Error('expected an OverrideError');
  };
  it('an unparseable image fails the override', () => {
    expect(fail(workload('Deployment', [{ name: 'a', image: 'Nginx:1' }]), { imageOverrider: [{ component: 'Registry', operator: 'add', value: 'r.io' }] })).toMatchObject({
      overrider: 'imageOverrider',
      index: 0,
      reason: 'failed to parse image value(Nginx:1), error: repository name must be lowercase',
    });
  });
  it('a container without an image fails (empty reference)', () => {
    expect(fail(workload('Deployment', [{ name: 'a' }]), { imageOverrider: [{ component: 'Tag', operator: 'remove' }] }).reason).toMatch(/at least one component/);
  });
  it('a predicate path that does not lead to a string fails', () => {
    const obj = workload('Deployment', [nginx]);
    expect(fail(obj, { imageOverrider: [{ predicate: { path: '/spec/template/spec/containers/3/image' }, component: 'Tag', operator: 'remove' }] })).toMatchObject({
      overrider: 'imageOverrider',
      path: '/spec/template/spec/containers/3/image',
    });
    expect(fail(obj, { imageOverrider: [{ predicate: { path: '/spec/replicas' }, component: 'Tag', operator: 'remove' }] }).reason).toMatch(/failed to convert path\(replicas\) to string/);
  });
  it('a predicate may point anywhere, e.g. a custom resource', () => {
    const cr = { apiVersion: 'x/v1', kind: 'Thing', metadata: { name: 't' }, spec: { images: [{ ref: 'busybox:1' }] } };
    const out = applyOverriders(cr, { imageOverrider: [{ predicate: { path: '/spec/images/0/ref' }, component: 'Registry', operator: 'add', value: 'r.io' }] });
    expect(out.object).toMatchObject({ spec: { images: [{ ref: 'r.io/busybox:1' }] } });
  });
});

// ---- commandOverrider / argsOverrider ----

const withCommand = (kind: string, name = 'nginx') => workload(kind, [{ image: IMAGE, name: 'nginx', command: ['nginx', '-v', '-t'] }], name);
const CMD0 = '/spec/template/spec/containers/0/command';

describe('buildCommandArgsPatches (TestParseJSONPatchesByCommandOverrider)', () => {
  const twoNamed = workload('Deployment', [
    { name: 'nginx', command: ['nginx', '-v', '-t'] },
    { name: 'nginx1', command: ['nginx', '-v', '-t'] },
  ]);
  const cases: [string, JsonObject, CommandArgsOverrider, PatchOp[]][] = [
    ['Deployment add', withCommand('Deployment'), { containerName: 'nginx', operator: 'add', value: ["&& echo 'hello karmada'"] }, [replace(CMD0, ['nginx', '-v', '-t', "&& echo 'hello karmada'"])]],
    ['Deployment remove', withCommand('Deployment'), { containerName: 'nginx', operator: 'remove', value: ['-t'] }, [replace(CMD0, ['nginx', '-v'])]],
    ['remove value is empty', withCommand('Deployment'), { containerName: 'nginx', operator: 'remove', value: [] }, [replace(CMD0, ['nginx', '-v', '-t'])]],
    ['two containers, add', twoNamed, { containerName: 'nginx', operator: 'add', value: ["echo 'hello karmada'"] }, [replace(CMD0, ['nginx', '-v', '-t', "echo 'hello karmada'"])]],
    ['two containers, remove', twoNamed, { containerName: 'nginx', operator: 'remove', value: ['-t'] }, [replace(CMD0, ['nginx', '-v'])]],
    [
      'Pod add',
      pod([{ image: IMAGE, name: 'nginx', command: ['nginx', '-v', '-t'] }]),
      { containerName: 'nginx', operator: 'add', value: ["echo 'hello karmada'"] },
      [replace('/spec/containers/0/command', ['nginx', '-v', '-t', "echo 'hello karmada'"])],
    ],
    ['StatefulSet add', withCommand('StatefulSet', 'web'), { containerName: 'nginx', operator: 'add', value: ["echo 'hello karmada'"] }, [replace(CMD0, ['nginx', '-v', '-t', "echo 'hello karmada'"])]],
    ['ReplicaSet remove', withCommand('ReplicaSet'), { containerName: 'nginx', operator: 'remove', value: ['-t'] }, [replace(CMD0, ['nginx', '-v'])]],
    // Upstream's "DaemonSet" generator builds a ReplicaSet; kept as written.
    ['"DaemonSet" (a ReplicaSet) remove', withCommand('ReplicaSet'), { containerName: 'nginx', operator: 'remove', value: ['-t'] }, [replace(CMD0, ['nginx', '-v'])]],
  ];
  it.each(cases)('%s', (_name, obj, overrider, want) => {
    expect(buildCommandArgsPatches('command', obj, overrider)).toEqual(want);
  });
});

describe('buildCommandArgsPatches (TestParseJSONPatchesByArgsOverrider)', () => {
  const withArgs = workload('Deployment', [{ image: 'nginx', name: 'nginx', args: ['nginx', '-v', '-t'] }]);
  const ARGS0 = '/spec/template/spec/containers/0/args';
  const cases: [string, JsonObject, CommandArgsOverrider, PatchOp[]][] = [
    ['add', withArgs, { containerName: 'nginx', operator: 'add', value: ["&& echo 'hello karmada'"] }, [replace(ARGS0, ['nginx', '-v', '-t', "&& echo 'hello karmada'"])]],
    ['remove', withArgs, { containerName: 'nginx', operator: 'remove', value: ['-t'] }, [replace(ARGS0, ['nginx', '-v'])]],
    ['add to a container without args', withCommand('Deployment'), { containerName: 'nginx', operator: 'add', value: ['-t'] }, [{ op: 'add', path: ARGS0, value: ['-t'] }]],
  ];
  it.each(cases)('%s', (_name, obj, overrider, want) => {
    expect(buildCommandArgsPatches('args', obj, overrider)).toEqual(want);
  });
});

describe('command/args details', () => {
  it('remove on an absent list creates it empty', () => {
    const obj = workload('Deployment', [{ name: 'a', image: 'x' }]);
    expect(buildCommandArgsPatches('command', obj, { containerName: 'a', operator: 'remove', value: ['x'] })).toEqual([
      { op: 'add', path: '/spec/template/spec/containers/0/command', value: [] },
    ]);
  });
  it('remove deletes every occurrence and keeps order', () => {
    const obj = workload('Deployment', [{ name: 'a', command: ['x', 'y', 'x', 'z'] }]);
    expect(buildCommandArgsPatches('command', obj, { containerName: 'a', operator: 'remove', value: ['x', 'q'] })).toEqual([replace(CMD0, ['y', 'z'])]);
  });
  it('other kinds, missing containers and a null template give no patches; a null list is an error', () => {
    expect(buildCommandArgsPatches('command', { kind: 'CronJob' }, { containerName: 'a', operator: 'add', value: ['x'] })).toEqual([]);
    expect(buildCommandArgsPatches('command', { kind: 'Deployment', spec: { template: null } }, { containerName: 'a', operator: 'add' })).toEqual([]);
    expect(() => buildCommandArgsPatches('command', { kind: 'Pod', spec: { containers: null } }, { containerName: 'a', operator: 'add' })).toThrow(/expected \[\]interface/);
  });
  it('non-string elements are formatted like Go %s', () => {
    const obj = pod([{ name: 'a', args: ['x', 1, 1.5, true, null] }]);
    expect(buildCommandArgsPatches('args', obj, { containerName: 'a', operator: 'add', value: ['y'] })).toEqual([
      replace('/spec/containers/0/args', ['x', '%!s(int64=1)', '%!s(float64=1.5)', '%!s(bool=true)', '%!s(<nil>)', 'y']),
    ]);
  });
  it('applyOverriders runs command before args and patches every matching container', () => {
    const obj = workload('Deployment', [{ name: 'a', command: ['run'] }, { name: 'b' }, { name: 'a' }]);
    const out = applyOverriders(obj, {
      commandOverrider: [{ containerName: 'a', operator: 'add', value: ['--v'] }],
      argsOverrider: [{ containerName: 'a', operator: 'add', value: ['x'] }],
    });
    expect(((out.object['spec'] as JsonObject)['template'] as JsonObject)['spec']).toEqual({
      containers: [{ name: 'a', command: ['run', '--v'], args: ['x'] }, { name: 'b' }, { name: 'a', command: ['--v'], args: ['x'] }],
    });
  });
});

// ---- labels / annotations ----

function deployment(meta: { labels?: Record<string, string>; annotations?: Record<string, string> }): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'test', namespace: 'default', ...meta },
    spec: { replicas: 3, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.19.0' }] } } },
  };
}

type LabelCase = [string, Record<string, string> | undefined, 'add' | 'remove' | 'replace', Record<string, string>, Record<string, string>];

describe('labelsOverrider (Test_applyLabelsOverriders)', () => {
  const base = { foo: 'foo', bar: 'bar' };
  const cases: LabelCase[] = [
    ['empty labels', undefined, 'add', { test2: 'test2' }, { test2: 'test2' }],
    ['replace', base, 'replace', { foo: 'exist', 'non-exist': 'non-exist' }, { foo: 'exist', bar: 'bar' }],
    ['add', base, 'add', { test: 'test' }, { test: 'test', foo: 'foo', bar: 'bar' }],
    ['remove', base, 'remove', { foo: 'foo', 'non-exist': 'non-exist' }, { bar: 'bar' }],
  ];
  it.each(cases)('%s', (_name, labels, operator, value, want) => {
    const out = applyOverriders(deployment(labels === undefined ? {} : { labels }), { labelsOverrider: [{ operator, value }] });
    expect((out.object['metadata'] as JsonObject)['labels']).toEqual(want);
  });
  it('never touches the pod template labels', () => {
    const out = applyOverriders(deployment({}), { labelsOverrider: [{ operator: 'add', value: { app: 'other' } }] });
    expect(out.object).toMatchObject({ spec: { template: { metadata: { labels: { app: 'nginx' } } } } });
  });
});

describe('annotationsOverrider (Test_applyAnnotationsOverriders)', () => {
  const base = { foo: 'foo', bar: 'bar' };
  const composed = { 'testannotation/projectId': 'c-m-lfx9lk92:p-v86cf', foo: 'foo' };
  const cases: LabelCase[] = [
    ['empty annotations', undefined, 'add', { test2: 'test2' }, { test2: 'test2' }],
    ['replace', base, 'replace', { foo: 'exist', 'non-exist': 'non-exist' }, { foo: 'exist', bar: 'bar' }],
    ['add', base, 'add', { test: 'test' }, { test: 'test', foo: 'foo', bar: 'bar' }],
    ['remove', base, 'remove', { foo: 'foo', 'non-exist': 'non-exist' }, { bar: 'bar' }],
    ['remain the same (remove nothing)', base, 'remove', {}, base],
    ['remain the same (replace a missing key)', base, 'replace', { test: 'test' }, base],
    ['remain the same (remove a missing key)', base, 'remove', { test: 'test' }, base],
    ['add composed annotation', base, 'add', { 'testannotation/projectId': 'c-m-lfx9lk92:p-v86cf' }, { ...base, 'testannotation/projectId': 'c-m-lfx9lk92:p-v86cf' }],
    ['remove composed annotation', composed, 'remove', { 'testannotation/projectId': 'c-m-lfx9lk92:p-v86cf' }, { foo: 'foo' }],
  ];
  it.each(cases)('%s', (_name, annotations, operator, value, want) => {
    const out = applyOverriders(deployment(annotations === undefined ? {} : { annotations }), { annotationsOverrider: [{ operator, value }] });
    expect((out.object['metadata'] as JsonObject)['annotations']).toEqual(want);
  });
  it('remove ignores the value: the key goes whatever it held', () => {
    const out = applyOverriders(deployment({ annotations: { a: 'x' } }), { annotationsOverrider: [{ operator: 'remove', value: { a: 'different' } }] });
    expect((out.object['metadata'] as JsonObject)['annotations']).toEqual({});
  });
  it('add replaces a map that is not a string map (SetNestedStringMap), and skips when metadata is not a map', () => {
    const odd = { ...deployment({}), metadata: { name: 'x', annotations: { n: 1 } } } as JsonObject;
    expect(applyOverriders(odd, { annotationsOverrider: [{ operator: 'add', value: { a: 'b' } }] }).object['metadata']).toEqual({ name: 'x', annotations: { a: 'b' } });
    const broken = { kind: 'Thing', metadata: 'nope' } as JsonObject;
    expect(applyOverriders(broken, { labelsOverrider: [{ operator: 'add', value: { a: 'b' } }] }).object).toEqual(broken);
  });
});

describe('ApplyOverridePolicies (labels and annotations on a Deployment and a ClusterRole)', () => {
  const overriders: Overriders = {
    labelsOverrider: [{ operator: 'add', value: { testAddLabel: 'testAddLabel' } }],
    annotationsOverrider: [{ operator: 'add', value: { testAddAnnotation: 'testAddAnnotation' } }],
  };
  const meta = { labels: { testLabel: 'testLabel' }, annotations: { testAnnotation: 'testAnnotation' } };
  const clusterRole: JsonObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'test2', ...meta }, rules: [] };
  it.each([
    ['Deployment', deployment(meta)],
    ['ClusterRole', clusterRole],
  ])('%s', (_name, obj) => {
    const out = applyOverriders(obj, overriders).object['metadata'] as JsonObject;
    expect(out['labels']).toEqual({ testLabel: 'testLabel', testAddLabel: 'testAddLabel' });
    expect(out['annotations']).toEqual({ testAnnotation: 'testAnnotation', testAddAnnotation: 'testAddAnnotation' });
  });
});

// ---- fieldOverrider ----

function configMap(data: Record<string, string>): JsonObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'test1', namespace: 'default' }, data };
}

const dataOf = (obj: JsonObject) => obj['data'] as Record<string, string>;

describe('fieldOverrider (Test_overrideManagerImpl_ApplyFieldOverriderPolicies_YAML / _JSON)', () => {
  it('YAML', () => {
    const out = applyOverriders(configMap({ 'test.yaml': '\nkey: \n  key1: value\n' }), {
      fieldOverrider: [{ fieldPath: '/data/test.yaml', yaml: [{ subPath: '/key/key1', operator: 'replace', value: 'updated_value' }] }],
    });
    expect(dataOf(out.object)).toEqual({ 'test.yaml': 'key:\n  key1: updated_value\n' });
  });
  it('JSON', () => {
    const out = applyOverriders(configMap({ 'test.json': '{"key":{"key1":"value"}}' }), {
      fieldOverrider: [{ fieldPath: '/data/test.json', json: [{ subPath: '/key/key1', operator: 'replace', value: 'updated_value' }] }],
    });
    expect(dataOf(out.object)).toEqual({ 'test.json': '{"key":{"key1":"updated_value"}}' });
  });
});

describe('fieldOverrider round trip details', () => {
  const field = (raw: string, patch: Overriders['fieldOverrider']) => dataOf(applyOverriders(configMap({ f: raw }), { fieldOverrider: patch }).object)['f'];

  it('JSON output is compact, keeps member order and escapes <, >, & like Go', () => {
    expect(field('{ "z": 1,\n  "a": "x" }', [{ fieldPath: '/data/f', json: [{ subPath: '/m', operator: 'add', value: '<a&b>' }] }])).toBe(
      '{"z":1,"a":"x","m":"\\u003ca\\u0026b\\u003e"}',
    );
    expect(goJson({ s: 'line\u2028sep "q" \\ /' })).toBe('{"s":"line\\u2028sep \\"q\\" \\\\ /"}');
  });
  it('JSON: an empty string stays empty; an array must start with "["', () => {
    expect(field('', [{ fieldPath: '/data/f', json: [{ subPath: '/a', operator: 'add', value: 1 }] }])).toBe('');
    expect(field('[1]', [{ fieldPath: '/data/f', json: [{ subPath: '/-', operator: 'add', value: 2 }] }])).toBe('[1,2]');
    expect(() => field(' [1]', [{ fieldPath: '/data/f', json: [{ subPath: '/-', operator: 'add', value: 2 }] }])).toThrow(OverrideError);
    expect(() => field('"text"', [{ fieldPath: '/data/f', json: [{ subPath: '/a', operator: 'add', value: 2 }] }])).toThrow(OverrideError);
    expect(() => field('{', [{ fieldPath: '/data/f', json: [{ subPath: '/a', operator: 'add', value: 2 }] }])).toThrow(/not valid JSON/);
  });
  // go-yaml v2 (sigs.k8s.io/yaml) resolves YAML 1.1 scalars: yes/on/y are booleans, even inside lists.
  it('YAML comes back with go-yaml v2 key order, YAML 1.1 scalars and quoted look-alike strings; comments are lost', () => {
    const raw = '# settings\nzeta: 1\nalpha: yes\nitem10: a\nitem9: b\nmode: "on"\nlist: [x, y]\n';
    expect(field(raw, [{ fieldPath: '/data/f', yaml: [{ subPath: '/beta', operator: 'add', value: 'true' }] }])).toBe(
      'alpha: true\nbeta: "true"\nitem9: b\nitem10: a\nlist:\n- x\n- true\nmode: "on"\nzeta: 1\n',
    );
  });
  it('YAML: a missing sub-path fails strictly, naming the field', () => {
    try {
      field('a: 1\n', [{ fieldPath: '/data/f', yaml: [{ subPath: '/b/c', operator: 'replace', value: 1 }] }]);
      expect.unreachable();
    } catch (err) {
      expect((err as OverrideError).data).toMatchObject({ overrider: 'fieldOverrider', index: 0, path: '/data/f' });
      expect((err as OverrideError).message).toMatch(/replace \/b\/c: parent path does not exist/);
    }
  });
  it('YAML that does not parse is named by line and column, never quoted (the field may be a Secret value)', () => {
    const raw = 'db:\n  password: hunter2-secret\n   broken: indentation\n';
    try {
      field(raw, [{ fieldPath: '/data/f', yaml: [{ subPath: '/db/password', operator: 'replace', value: 'x' }] }]);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/the value is not valid YAML \(line 3, column \d+: bad indentation of a mapping entry\)/);
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
  it('YAML: remove takes no value; an empty document cannot be patched', () => {
    expect(field('a: 1\nb: 2\n', [{ fieldPath: '/data/f', yaml: [{ subPath: '/a', operator: 'remove' }] }])).toBe('b: 2\n');
    expect(() => field('', [{ fieldPath: '/data/f', yaml: [{ subPath: '/a', operator: 'add', value: 1 }] }])).toThrow(OverrideError);
  });
  it('with both lists empty the field becomes "" (yaml wins when both are set)', () => {
    expect(field('a: 1', [{ fieldPath: '/data/f', yaml: [] }])).toBe('');
    expect(field('a: 1', [{ fieldPath: '/data/f', yaml: [{ subPath: '/b', operator: 'add', value: 2 }], json: [{ subPath: '/c', operator: 'add', value: 3 }] }])).toBe('a: 1\nb: 2\n');
  });
  it('the field must exist and hold a string', () => {
    expect(() => field('x', [{ fieldPath: '/data/missing', json: [{ subPath: '/a', operator: 'add', value: 1 }] }])).toThrow(/has no key/);
    expect(() => applyOverriders(configMap({}), { fieldOverrider: [{ fieldPath: '/metadata', json: [{ subPath: '/a', operator: 'add', value: 1 }] }] })).toThrow(/is not string/);
    expect(() => field('x', [{ fieldPath: 'data/f', json: [{ subPath: '/a', operator: 'add', value: 1 }] }])).toThrow(/must be empty or start with/);
  });
  it('go-yaml v2 key order: non-letters first, digit runs by value, letters by code point', () => {
    const keys = ['a10', 'a9', 'B', 'a', '_x', '10', '9', 'a1'];
    expect(keys.sort((x, y) => (yamlV2KeyLess(x, y) ? -1 : yamlV2KeyLess(y, x) ? 1 : 0))).toEqual(['_x', '9', '10', 'B', 'a', 'a1', 'a9', 'a10']);
  });
});

// ---- plaintext, order, errors ----

describe('plaintext', () => {
  it('one strict patch: replace of a missing member fails with the item index', () => {
    try {
      applyOverriders(deployment({}), {
        plaintext: [
          { path: '/spec/replicas', operator: 'replace', value: 5 },
          { path: '/spec/paused', operator: 'replace', value: true },
        ],
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(OverrideError);
      expect((err as OverrideError).code).toBe('OVERRIDE_FAILED');
      expect((err as OverrideError).data).toEqual({ overrider: 'plaintext', index: 1, path: '/spec/paused', reason: 'replace /spec/paused: path does not exist' });
    }
  });
  it('add on an existing member replaces it; a missing value is null', () => {
    const out = applyOverriders(deployment({}), {
      plaintext: [
        { path: '/spec/replicas', operator: 'add', value: 5 },
        { path: '/spec/paused', operator: 'add' },
      ],
    });
    expect(out.object['spec']).toMatchObject({ replicas: 5, paused: null });
  });
  it('removing kind fails like the unstructured round trip', () => {
    expect(() => applyOverriders(deployment({}), { plaintext: [{ path: '/kind', operator: 'remove' }] })).toThrow("Object 'Kind' is missing");
  });
});

describe('applyOverriders order and purity', () => {
  it('image, command, args, labels, annotations, field, plaintext — later steps see earlier ones', () => {
    const obj = workload('Deployment', [{ name: 'app', image: 'nginx:1', command: ['run'] }]);
    (obj['metadata'] as JsonObject)['annotations'] = { cfg: '{"a":1}' };
    const out = applyOverriders(obj, {
      // Listed out of order on purpose: the order comes from Karmada, not from the YAML.
      plaintext: [
        { path: '/spec/template/spec/containers/0/image', operator: 'replace', value: 'final:1' },
        { path: '/metadata/labels/step', operator: 'replace', value: 'plaintext' },
      ],
      fieldOverrider: [{ fieldPath: '/metadata/annotations/cfg', json: [{ subPath: '/a', operator: 'replace', value: 2 }] }],
      annotationsOverrider: [{ operator: 'add', value: { note: 'x' } }],
      labelsOverrider: [{ operator: 'add', value: { step: 'labels' } }],
      argsOverrider: [{ containerName: 'app', operator: 'add', value: ['--x'] }],
      commandOverrider: [{ containerName: 'app', operator: 'remove', value: ['run'] }],
      imageOverrider: [{ component: 'Registry', operator: 'add', value: 'r.io' }],
    });
    expect(out.object).toMatchObject({
      metadata: { labels: { app: 'nginx', step: 'plaintext' }, annotations: { cfg: '{"a":2}', note: 'x' } },
      spec: { template: { spec: { containers: [{ name: 'app', image: 'final:1', command: [], args: ['--x'] }] } } },
    });
  });

  it('items of one overrider apply in list order', () => {
    const out = applyOverriders(workload('Deployment', [{ name: 'a', image: 'nginx:1' }]), {
      imageOverrider: [
        { component: 'Registry', operator: 'add', value: 'one.io' },
        { component: 'Registry', operator: 'add', value: '.two' },
      ],
    });
    expect(out.object).toMatchObject({ spec: { template: { spec: { containers: [{ image: 'one.io.two/nginx:1' }] } } } });
  });

  it('never modifies its input', () => {
    const obj = workload('Deployment', [{ name: 'a', image: 'nginx:1', command: ['x'] }]);
    const before = JSON.stringify(obj);
    const frozen = JSON.parse(before, (_k, v: unknown) => (typeof v === 'object' && v !== null ? Object.freeze(v) : v)) as JsonObject;
    applyOverriders(frozen, {
      imageOverrider: [{ component: 'Tag', operator: 'replace', value: '2' }],
      commandOverrider: [{ containerName: 'a', operator: 'add', value: ['y'] }],
      labelsOverrider: [{ operator: 'add', value: { l: 'v' } }],
      annotationsOverrider: [{ operator: 'add', value: { a: 'v' } }],
      plaintext: [{ path: '/spec/replicas', operator: 'replace', value: 2 }],
    });
    expect(JSON.stringify(frozen)).toBe(before);
  });
});

describe('extension: initContainersAndCronJob', () => {
  const cronJob: JsonObject = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c' },
    spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'app:1' }], initContainers: [{ name: 'a', image: 'init:1' }] } } } } },
  };
  const overriders: Overriders = {
    imageOverrider: [{ component: 'Registry', operator: 'add', value: 'r.io' }],
    commandOverrider: [{ containerName: 'a', operator: 'add', value: ['go'] }],
  };
  it('off: CronJob untouched', () => {
    expect(applyOverriders(cronJob, overriders).object).toEqual(cronJob);
  });
  it('on: containers and initContainers of the job template', () => {
    const out = applyOverriders(cronJob, overriders, { extensions: { initContainersAndCronJob: true } });
    expect(out.object).toMatchObject({
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: {
                containers: [{ name: 'a', image: 'r.io/app:1', command: ['go'] }],
                initContainers: [{ name: 'a', image: 'r.io/init:1', command: ['go'] }],
              },
            },
          },
        },
      },
    });
  });
});

// ---- ordering of policies (TestGetMatchingOverridePolicies) ----

describe('orderOverridePolicies', () => {
  type P = { kind: 'ClusterOverridePolicy' | 'OverridePolicy'; name: string; implicitPriority: 1 | 2 | 3 };
  const op1: P = { kind: 'OverridePolicy', name: 'overridePolicy1', implicitPriority: 3 }; // name selector
  const op2: P = { kind: 'OverridePolicy', name: 'overridePolicy2', implicitPriority: 1 }; // no selectors: match-all
  const op3: P = { kind: 'OverridePolicy', name: 'overridePolicy3', implicitPriority: 1 }; // empty selector list
  const old: P = { kind: 'ClusterOverridePolicy', name: 'oldOverridePolicy', implicitPriority: 1 };

  it('OverrideRules test 1/2: the match-all policy applies before the name-selected one', () => {
    expect(orderOverridePolicies([op1, op2])).toEqual([op2, op1]);
  });
  it('OverrideRules test 3 and the deprecated targetCluster form: a single policy', () => {
    expect(orderOverridePolicies([op3])).toEqual([op3]);
    expect(orderOverridePolicies([old])).toEqual([old]);
  });
  it('ClusterOverridePolicies first, then priority, then name', () => {
    const labelCop: P = { kind: 'ClusterOverridePolicy', name: 'a', implicitPriority: 2 };
    const nameCop: P = { kind: 'ClusterOverridePolicy', name: 'b', implicitPriority: 3 };
    const allCopZ: P = { kind: 'ClusterOverridePolicy', name: 'z', implicitPriority: 1 };
    const allCopY: P = { kind: 'ClusterOverridePolicy', name: 'y', implicitPriority: 1 };
    expect(orderOverridePolicies([op1, nameCop, op2, labelCop, allCopZ, allCopY]).map((p) => `${p.kind[0]}:${p.name}`)).toEqual([
      'C:y',
      'C:z',
      'C:a',
      'C:b',
      'O:overridePolicy2',
      'O:overridePolicy1',
    ]);
  });
  it('does not reorder its argument', () => {
    const input = [op1, op2];
    orderOverridePolicies(input);
    expect(input).toEqual([op1, op2]);
  });
});

describe('imageOverrider on copies that share a pod spec (issue 19)', () => {
  const DIGEST = `sha256:${'d'.repeat(64)}`;
  const template = workload('Deployment', [{ name: 'app', image: `ghcr.io/org/app:1.0@${DIGEST}` }, { name: 'side', image: 'busybox:1' }]);
  // Two clusters' copies, as a per-cluster label override leaves them: new roots and metadata, the template's spec.
  const copyFor = (cluster: string): JsonObject => ({ ...template, metadata: { ...(template['metadata'] as JsonObject), labels: { app: 'nginx', cluster } } });
  const registry: ImageOverrider = { component: 'Registry', operator: 'replace', value: 'quay.io' };
  const podSpecOf = (o: JsonObject) => ((o['spec'] as JsonObject)['template'] as JsonObject)['spec'];

  it('overrides the shared pod spec once and shares the result, each copy keeping its own metadata and warnings', () => {
    const a = applyOverriders(copyFor('a'), { imageOverrider: [registry] });
    const b = applyOverriders(copyFor('b'), { imageOverrider: [registry] });
    expect(podSpecOf(b.object)).toBe(podSpecOf(a.object));
    expect(podSpecOf(a.object)).not.toBe(podSpecOf(template));
    expect(b.object).toEqual({ ...copyFor('b'), spec: a.object['spec'] });
    expect(((podSpecOf(b.object) as JsonObject)['containers'] as JsonObject[]).map((c) => c['image'])).toEqual(['quay.io/org/app:1.0', 'quay.io/busybox:1']);
    expect(b.warnings).toEqual(a.warnings);
    expect(b.warnings[0]).toMatch(/^imageOverrider\[0\]: .*loses its digest/);
    // The template is left as it was.
    expect(((podSpecOf(template) as JsonObject)['containers'] as JsonObject[])[1]).toEqual({ name: 'side', image: 'busybox:1' });
  });

  it('does not reuse a result made under other extensions, nor for an overrider with a predicate', () => {
    applyOverriders(copyFor('a'), { imageOverrider: [registry] });
    const kept = applyOverriders(copyFor('b'), { imageOverrider: [registry] }, { extensions: { keepDigest: true } });
    expect((((podSpecOf(kept.object) as JsonObject)['containers'] as JsonObject[])[0] as JsonObject)['image']).toBe(`quay.io/org/app:1.0@${DIGEST}`);
    expect(kept.warnings).toEqual([]);
    const first: ImageOverrider = { ...registry, predicate: { path: '/spec/template/spec/containers/1/image' } };
    const x = applyOverriders(copyFor('a'), { imageOverrider: [first] });
    const y = applyOverriders(copyFor('b'), { imageOverrider: [first] });
    expect(((podSpecOf(y.object) as JsonObject)['containers'] as JsonObject[]).map((c) => c['image'])).toEqual([`ghcr.io/org/app:1.0@${DIGEST}`, 'quay.io/busybox:1']);
    expect(y.object['spec']).toEqual(x.object['spec']);
  });
});
