/**
 * Override policies, with vectors ported from kubewharf/kubeadmiral
 * pkg/controllers/override/util_test.go (TestLookForMatchedPolicies,
 * TestParseOverrides, TestIsClusterMatched) and imagepatch_test.go
 * (Test_parseImageOverriders); the command/args, envs and labels/annotations
 * cases follow commandargspatch.go, envspatch.go and annotationslabelspatch.go.
 */
import { describe, expect, it } from 'vitest';
import type { Parsed } from '../../load/repository.ts';
import type { JsonObject } from '../../model/types.ts';
import {
  isClusterMatched,
  lookForMatchedPolicies,
  parsePatchesFromOverriders,
  patchesForRules,
  rulesForCluster,
  CLUSTER_OVERRIDE_POLICY_LABEL,
  OVERRIDE_POLICY_LABEL,
  type BoundOverridePolicy,
  type OverridePatch,
} from './overrides.ts';
import type { OverridePolicy, OverrideRule, Overriders, TargetClusters } from './schema.ts';

function policy(kind: 'OverridePolicy' | 'ClusterOverridePolicy', name: string, namespace?: string, rules: OverrideRule[] = []): Parsed<OverridePolicy> {
  return {
    value: {
      apiVersion: 'core.kubeadmiral.io/v1alpha1',
      kind,
      metadata: { name, ...(namespace ? { namespace } : {}) },
      spec: { overrideRules: rules },
    } as OverridePolicy,
    source: { file: 'policies.yaml', line: 1 },
    lineOf: () => 1,
  };
}

describe('lookForMatchedPolicies (util_test.go TestLookForMatchedPolicies)', () => {
  const ops = (ns: string) => [policy('OverridePolicy', 'pp1', ns)];
  const cops = [policy('ClusterOverridePolicy', 'cpp1')];
  const key = (p: BoundOverridePolicy) => (p.kind === 'OverridePolicy' ? `${p.parsed.value.metadata.namespace}/${p.parsed.value.metadata.name}` : p.parsed.value.metadata.name);
  const cases: { name: string; labels: Record<string, string>; opNamespace: string; expected?: string[] }[] = [
    { name: 'no labels specified - should find none', labels: {}, opNamespace: 'default', expected: [] },
    { name: 'references existent pp in same namespace', labels: { [OVERRIDE_POLICY_LABEL]: 'pp1' }, opNamespace: 'default', expected: ['default/pp1'] },
    { name: 'references non-existent pp - should error', labels: { [OVERRIDE_POLICY_LABEL]: 'pp2' }, opNamespace: 'default' },
    { name: 'references existent pp in different namespace - should error', labels: { [OVERRIDE_POLICY_LABEL]: 'pp1' }, opNamespace: 'kube-public' },
    { name: 'references existent cpp', labels: { [CLUSTER_OVERRIDE_POLICY_LABEL]: 'cpp1' }, opNamespace: 'kube-public', expected: ['cpp1'] },
    { name: 'references nonexistent cpp - should error', labels: { [CLUSTER_OVERRIDE_POLICY_LABEL]: 'cpp2' }, opNamespace: 'default' },
    { name: 'both pp and cpp valid - [cpp, pp]', labels: { [OVERRIDE_POLICY_LABEL]: 'pp1', [CLUSTER_OVERRIDE_POLICY_LABEL]: 'cpp1' }, opNamespace: 'default', expected: ['cpp1', 'default/pp1'] },
    { name: 'cpp invalid but pp valid - should error', labels: { [OVERRIDE_POLICY_LABEL]: 'pp1', [CLUSTER_OVERRIDE_POLICY_LABEL]: 'cpp2' }, opNamespace: 'default' },
    { name: 'cpp valid but pp invalid - should error', labels: { [OVERRIDE_POLICY_LABEL]: 'pp2', [CLUSTER_OVERRIDE_POLICY_LABEL]: 'cpp1' }, opNamespace: 'default' },
  ];
  it.each(cases)('namespaced - $name', ({ labels, opNamespace, expected }) => {
    const template = { labels, id: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'x' } };
    const run = () => lookForMatchedPolicies(template, ops(opNamespace), cops).map(key);
    if (expected === undefined) expect(run).toThrow(/not found/);
    else expect(run()).toEqual(expected);
  });

  it('a cluster-scoped object ignores the OverridePolicy label', () => {
    const template = { labels: { [OVERRIDE_POLICY_LABEL]: 'missing' }, id: { apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'x' } };
    expect(lookForMatchedPolicies(template, [], [])).toEqual([]);
  });

  it('an empty policy name is an error', () => {
    const template = { labels: { [CLUSTER_OVERRIDE_POLICY_LABEL]: '' }, id: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'x' } };
    expect(() => lookForMatchedPolicies(template, [], [])).toThrow('policy name cannot be empty');
  });
});

describe('isClusterMatched (util_test.go TestIsClusterMatched)', () => {
  const cases: { name: string; targets: TargetClusters | undefined; cluster: string; labels?: Record<string, string>; match: boolean }[] = [
    { name: 'nil targetClusters matches any cluster', targets: undefined, cluster: 'cluster1', match: true },
    { name: 'clusterNames match by name', targets: { clusters: ['cluster1', 'cluster2'] }, cluster: 'cluster1', match: true },
    { name: 'clusterNames without the name', targets: { clusters: ['cluster1', 'cluster2'] }, cluster: 'cluster3', match: false },
    { name: 'nil clusterNames match any cluster', targets: {}, cluster: 'cluster1', match: true },
    { name: 'empty clusterNames match any cluster', targets: { clusters: [] }, cluster: 'cluster1', match: true },
    { name: 'empty selector selects all', targets: { clusterSelector: {} }, cluster: 'cluster1', match: true },
    { name: 'selector selects clusters with the label', targets: { clusterSelector: { foo: 'bar' } }, cluster: 'cluster1', labels: { foo: 'bar' }, match: true },
    { name: 'selector skips clusters without the label', targets: { clusterSelector: { foo: 'bar' } }, cluster: 'cluster1', labels: { qux: 'baz' }, match: false },
    { name: 'selector skips a different value', targets: { clusterSelector: { foo: 'bar' } }, cluster: 'cluster1', labels: { foo: 'lol' }, match: false },
    { name: 'nil cluster affinity selects any cluster', targets: {}, cluster: 'cluster1', labels: { foo: 'lol' }, match: true },
    { name: 'empty cluster affinity selects any cluster', targets: { clusterAffinity: [] }, cluster: 'cluster1', labels: { foo: 'lol' }, match: true },
    {
      name: 'MatchExpressions requirement matches',
      targets: { clusterAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['north', 'south'] }] }] },
      cluster: 'cluster1',
      labels: { zone: 'north' },
      match: true,
    },
    {
      name: 'MatchExpressions requirement does not match',
      targets: { clusterAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['north', 'south'] }] }] },
      cluster: 'cluster1',
      labels: { zone: 'west' },
      match: false,
    },
    { name: 'MatchFields matches', targets: { clusterAffinity: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['cluster1'] }] }] }, cluster: 'cluster1', match: true },
    { name: 'MatchFields does not match', targets: { clusterAffinity: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['cluster2'] }] }] }, cluster: 'cluster1', match: false },
    {
      name: 'requirements in a term are ANDed',
      targets: { clusterAffinity: [{ matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['cluster1'] }] }] },
      cluster: 'cluster1',
      match: false,
    },
    {
      name: 'terms are ORed',
      targets: {
        clusterAffinity: [{ matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['cluster1'] }] }],
      },
      cluster: 'cluster1',
      match: true,
    },
    {
      name: 'clusters, clusterSelector and clusterAffinity are ANDed',
      targets: { clusters: ['cluster1'], clusterSelector: { foo: 'bar' }, clusterAffinity: [{ matchExpressions: [{ key: 'foo', operator: 'In', values: ['quux'] }] }] },
      cluster: 'cluster1',
      labels: { foo: 'bar' },
      match: false,
    },
  ];
  it.each(cases)('$name', ({ targets, cluster, labels, match }) => {
    const result = isClusterMatched(targets, { name: cluster, labels: labels ?? {} });
    expect(result.error).toBeUndefined();
    expect(result.matched).toBe(match);
  });
});

const DIGEST_A = 'sha256:aaaaf56b44807c64d294e6c8059b479f35350b454492398225034174808d1726';
const DIGEST_B = 'sha256:bbbbf56b44807c64d294e6c8059b479f35350b454492398225034174808d1726';
const ECHO = `docker.io/ealen/echo-server:latest@${DIGEST_B}`;

function deployment(image: string, extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'deployment-test' },
    spec: { replicas: 1, template: { spec: { containers: [{ name: 'server', image }] } } },
    ...extra,
  };
}

const fullImage = (operator: 'overwrite' | 'addIfAbsent' | 'delete', registry: string, repository: string, tag: string, digest: string): Overriders => ({
  image: [
    {
      operations: [
        { imageComponent: 'Registry', operator, value: registry },
        { imageComponent: 'Repository', operator, value: repository },
        { imageComponent: 'Tag', operator, value: tag },
        { imageComponent: 'Digest', operator, value: digest },
      ],
    },
  ],
});

describe('parseOverrides (util_test.go TestParseOverrides)', () => {
  const patchesFor = (p: Parsed<OverridePolicy>, template: JsonObject, cluster: string): OverridePatch[] => {
    const bound: BoundOverridePolicy = { kind: 'OverridePolicy', parsed: p, label: 'OverridePolicy default/p' };
    return patchesForRules(template, rulesForCluster([bound], { name: cluster, labels: {} })).flatMap((r) => r.patches);
  };
  // The upstream vectors parse patches without applying them; here each rule also
  // applies to a running copy, so the template carries the paths they touch.
  const template: JsonObject = { a: {}, aa: {}, c: {}, cc: {}, e: { f: 1 }, ee: {} };

  const jsonRules: OverrideRule[] = [
    {
      targetClusters: { clusterSelector: {} },
      overriders: { jsonpatch: [{ operator: 'add', path: '/a/b', value: 1 }, { operator: 'replace', path: '/aa/bb', value: ['banana', 'mango'] }] },
    },
    { targetClusters: { clusters: ['fake'] }, overriders: { jsonpatch: [{ operator: 'replace', path: '/c/d', value: 1 }] } },
    { targetClusters: { clusters: ['cluster1'] }, overriders: { jsonpatch: [{ operator: 'remove', path: '/e/f' }, { operator: 'add', path: '/ee/ff', value: 'some string' }] } },
  ];

  it('no OverrideRules - no overrides', () => {
    expect(patchesFor(policy('OverridePolicy', 'p', 'default', []), template, 'cluster1')).toEqual([]);
  });

  it('invalid clusterSelector - error', () => {
    const p = policy('OverridePolicy', 'p', 'default', [{ targetClusters: { clusterSelector: { ['a'.repeat(100)]: 'b'.repeat(100) } } }]);
    expect(() => patchesFor(p, template, 'cluster1')).toThrow(/failed to interpret clusterSelector/);
  });

  it('single cluster, multiple rules - patches of matched rules in order', () => {
    expect(patchesFor(policy('OverridePolicy', 'p', 'default', jsonRules), template, 'cluster1')).toEqual([
      { op: 'add', path: '/a/b', value: 1 },
      { op: 'replace', path: '/aa/bb', value: ['banana', 'mango'] },
      { op: 'remove', path: '/e/f' },
      { op: 'add', path: '/ee/ff', value: 'some string' },
    ]);
  });

  it('multiple clusters - patches for each cluster in order', () => {
    const rules: OverrideRule[] = [
      jsonRules[0] as OverrideRule,
      { targetClusters: { clusters: ['cluster1'] }, overriders: { jsonpatch: [{ operator: 'replace', path: '/c/d', value: 1 }, { operator: 'replace', path: '/cc/dd', value: { key: 'value' } }] } },
      { targetClusters: { clusters: ['cluster2'] }, overriders: { jsonpatch: [{ operator: 'remove', path: '/e/f' }, { operator: 'add', path: '/ee/ff', value: 'some string' }] } },
    ];
    const p = policy('OverridePolicy', 'p', 'default', rules);
    expect(patchesFor(p, template, 'cluster1')).toEqual([
      { op: 'add', path: '/a/b', value: 1 },
      { op: 'replace', path: '/aa/bb', value: ['banana', 'mango'] },
      { op: 'replace', path: '/c/d', value: 1 },
      { op: 'replace', path: '/cc/dd', value: { key: 'value' } },
    ]);
    expect(patchesFor(p, template, 'cluster2')).toEqual([
      { op: 'add', path: '/a/b', value: 1 },
      { op: 'replace', path: '/aa/bb', value: ['banana', 'mango'] },
      { op: 'remove', path: '/e/f' },
      { op: 'add', path: '/ee/ff', value: 'some string' },
    ]);
  });

  it('multiple clusters, jsonpatch and image - image patches first within each rule', () => {
    const rules: OverrideRule[] = [
      {
        targetClusters: { clusterSelector: {} },
        overriders: { ...fullImage('overwrite', 'all.cluster.io', 'all-cluster/echo-server', 'all', DIGEST_A), jsonpatch: [{ operator: 'add', path: '/a/b', value: 1 }] },
      },
      {
        targetClusters: { clusters: ['cluster1'] },
        overriders: { ...fullImage('overwrite', 'cluster.one.io', 'cluster-one/echo-server', 'one', DIGEST_A), jsonpatch: [{ operator: 'replace', path: '/c/d', value: 1 }] },
      },
      {
        targetClusters: { clusters: ['cluster2'] },
        overriders: { ...fullImage('overwrite', 'cluster.two.io', 'cluster-two/echo-server', 'two', DIGEST_A), jsonpatch: [{ operator: 'remove', path: '/e/f' }] },
      },
    ];
    const p = policy('OverridePolicy', 'p', 'default', rules);
    const image = '/spec/template/spec/containers/0/image';
    const t = deployment(ECHO, { a: {}, c: {}, e: { f: 1 } });
    expect(patchesFor(p, t, 'cluster1')).toEqual([
      { op: 'replace', path: image, value: `all.cluster.io/all-cluster/echo-server:all@${DIGEST_A}` },
      { op: 'add', path: '/a/b', value: 1 },
      { op: 'replace', path: image, value: `cluster.one.io/cluster-one/echo-server:one@${DIGEST_A}` },
      { op: 'replace', path: '/c/d', value: 1 },
    ]);
    expect(patchesFor(p, t, 'cluster2')).toEqual([
      { op: 'replace', path: image, value: `all.cluster.io/all-cluster/echo-server:all@${DIGEST_A}` },
      { op: 'add', path: '/a/b', value: 1 },
      { op: 'replace', path: image, value: `cluster.two.io/cluster-two/echo-server:two@${DIGEST_A}` },
      { op: 'remove', path: '/e/f' },
    ]);
  });

  it('Overriders nil - no overrides', () => {
    expect(patchesFor(policy('OverridePolicy', 'p', 'default', [{ targetClusters: { clusters: ['cluster1'] } }]), template, 'cluster1')).toEqual([]);
  });

  it('later rules see the running copy: a tag change then a registry change keep both', () => {
    const rules: OverrideRule[] = [
      { overriders: { image: [{ operations: [{ imageComponent: 'Tag', value: '2.0' }] }] } },
      { overriders: { image: [{ operations: [{ imageComponent: 'Registry', value: 'mirror.io' }] }] } },
    ];
    const patches = patchesFor(policy('OverridePolicy', 'p', 'default', rules), deployment('docker.io/nginx:1.0'), 'c');
    expect(patches.at(-1)?.value).toBe('mirror.io/nginx:2.0');
  });
});

function workload(kind: string, image: string): JsonObject {
  const podSpec = { containers: [{ name: 'server', image }] };
  switch (kind) {
    case 'Pod':
      return { apiVersion: 'v1', kind, metadata: { name: 'x' }, spec: podSpec };
    case 'CronJob':
      return { apiVersion: 'batch/v1', kind, metadata: { name: 'x' }, spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } };
    case 'Job':
      return { apiVersion: 'batch/v1', kind, metadata: { name: 'x' }, spec: { template: { spec: podSpec } } };
    default:
      return { apiVersion: 'apps/v1', kind, metadata: { name: 'x' }, spec: { template: { spec: podSpec } } };
  }
}

describe('image overriders (imagepatch_test.go Test_parseImageOverriders)', () => {
  const paths: Record<string, string> = {
    Deployment: '/spec/template/spec/containers/0/image',
    DaemonSet: '/spec/template/spec/containers/0/image',
    StatefulSet: '/spec/template/spec/containers/0/image',
    Job: '/spec/template/spec/containers/0/image',
    CronJob: '/spec/jobTemplate/spec/template/spec/containers/0/image',
    Pod: '/spec/containers/0/image',
  };
  const kinds = Object.keys(paths);
  it.each(kinds)('%s: addIfAbsent registry and tag', (kind) => {
    const overriders: Overriders = {
      image: [{ operations: [{ imageComponent: 'Registry', operator: 'addIfAbsent', value: 'temp.io' }, { imageComponent: 'Tag', operator: 'addIfAbsent', value: '0.5' }] }],
    };
    expect(parsePatchesFromOverriders(workload(kind, `ealen/echo-server@${DIGEST_B}`), overriders)).toEqual([
      { op: 'replace', path: paths[kind], value: `temp.io/ealen/echo-server:0.5@${DIGEST_B}` },
    ]);
  });
  it.each(kinds)('%s: overwrite every component', (kind) => {
    expect(parsePatchesFromOverriders(workload(kind, ECHO), fullImage('overwrite', 'temp.io', 'temp/echo-server', '0.5', DIGEST_A))).toEqual([
      { op: 'replace', path: paths[kind], value: `temp.io/temp/echo-server:0.5@${DIGEST_A}` },
    ]);
  });
  it.each(kinds)('%s: delete every component', (kind) => {
    expect(parsePatchesFromOverriders(workload(kind, ECHO), fullImage('delete', '', '', '', ''))).toEqual([{ op: 'replace', path: paths[kind], value: '' }]);
  });
  it.each(kinds)('%s: addIfAbsent on a full image fails', (kind) => {
    expect(() => parsePatchesFromOverriders(workload(kind, ECHO), fullImage('addIfAbsent', 'temp.io', 'temp/echo-server', '0.5', DIGEST_A))).toThrow(/non-empty/);
  });

  const threeContainers: JsonObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'x' },
    spec: {
      initContainers: [{ name: 'init-0', image: ECHO }],
      containers: [
        { name: 'server-1', image: ECHO },
        { name: 'server-2', image: ECHO },
        { name: 'server-3', image: ECHO },
      ],
    },
  };
  const replaced = `temp.io/temp/echo-server:0.5@${DIGEST_A}`;
  it('named containers only', () => {
    const overriders = fullImage('overwrite', 'temp.io', 'temp/echo-server', '0.5', DIGEST_A);
    (overriders.image as NonNullable<Overriders['image']>)[0]!.containerNames = ['server-1', 'server-2'];
    expect(parsePatchesFromOverriders(threeContainers, overriders)).toEqual([
      { op: 'replace', path: '/spec/containers/0/image', value: replaced },
      { op: 'replace', path: '/spec/containers/1/image', value: replaced },
    ]);
  });
  it('every container and init container when no names are given (KubeAdmiral covers init containers)', () => {
    expect(parsePatchesFromOverriders(threeContainers, fullImage('overwrite', 'temp.io', 'temp/echo-server', '0.5', DIGEST_A)).map((p) => p.path)).toEqual([
      '/spec/containers/0/image',
      '/spec/containers/1/image',
      '/spec/containers/2/image',
      '/spec/initContainers/0/image',
    ]);
  });

  const workflow: JsonObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { name: 'x' },
    spec: { templates: [{ container: { image: ECHO } }, { container: { image: ECHO } }] },
  };
  it('imagePath: two paths', () => {
    const overriders: Overriders = {
      image: [
        { imagePath: '/spec/templates/0/container/image', operations: fullImage('overwrite', 'temp.io', 'temp/echo-server', '1.0', DIGEST_A).image![0]!.operations },
        { imagePath: '/spec/templates/1/container/image', operations: fullImage('overwrite', 'temp.io', 'temp-two/echo-server', '2.0', DIGEST_A).image![0]!.operations },
      ],
    };
    expect(parsePatchesFromOverriders(workflow, overriders)).toEqual([
      { op: 'replace', path: '/spec/templates/0/container/image', value: `temp.io/temp/echo-server:1.0@${DIGEST_A}` },
      { op: 'replace', path: '/spec/templates/1/container/image', value: `temp.io/temp-two/echo-server:2.0@${DIGEST_A}` },
    ]);
  });
  it.each([
    ['unsupported kind without an image path', undefined, /unknown type to get pod spec/],
    ['a path to an object', '/spec/templates/0/container', /does not point to a string/],
    ['a path without a leading /', 'spec/templates/0/container/image', /should be start with/],
    ['an index out of range', '/spec/templates/2/container/image', /out of range/],
    ['a negative index', '/spec/templates/-1/container/image', /out of range/],
    ['an index that is not a number', '/spec/templates/tt/container/image', /not a number/],
  ])('fails for %s', (_name, imagePath, message) => {
    const overriders = fullImage('overwrite', 'temp.io', 'temp/echo-server', '1.0', DIGEST_A);
    if (imagePath !== undefined) overriders.image![0]!.imagePath = imagePath;
    expect(() => parsePatchesFromOverriders(workflow, overriders)).toThrow(message);
  });
});

describe('command and args overriders (commandargspatch.go)', () => {
  const pod: JsonObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'x' },
    spec: { initContainers: [{ name: 'init', command: ['sh'] }], containers: [{ name: 'app', command: ['run', '--fast'], args: ['a', 'b'] }] },
  };
  it('append, overwrite and delete chain on the same container', () => {
    const overriders: Overriders = {
      command: [
        { containerName: 'app', operator: 'append', value: ['--debug'] },
        { containerName: 'app', operator: 'delete', value: ['--fast'] },
      ],
      args: [{ containerName: 'app', operator: 'overwrite', value: ['c'] }],
    };
    expect(parsePatchesFromOverriders(pod, overriders)).toEqual([
      { op: 'replace', path: '/spec/containers/0/command', value: ['run', '--debug'] },
      { op: 'replace', path: '/spec/containers/0/args', value: ['c'] },
    ]);
  });
  it('init containers are found first; an unknown container is skipped', () => {
    const overriders: Overriders = { command: [{ containerName: 'init', operator: 'append', value: ['-c'] }, { containerName: 'nope', operator: 'append', value: ['x'] }] };
    expect(parsePatchesFromOverriders(pod, overriders)).toEqual([{ op: 'replace', path: '/spec/initContainers/0/command', value: ['sh', '-c'] }]);
  });
  it('deleting everything writes null (a Go nil slice)', () => {
    expect(parsePatchesFromOverriders(pod, { args: [{ containerName: 'app', operator: 'delete', value: ['a', 'b'] }] })).toEqual([
      { op: 'replace', path: '/spec/containers/0/args', value: null },
    ]);
  });
  it.each([
    ['append without values', { containerName: 'app', operator: 'append' as const, value: [] }, /needs non-empty list/],
    ['no operator', { containerName: 'app', value: ['x'] }, /unsupported operator/],
  ])('%s fails', (_name, overrider, message) => {
    expect(() => parsePatchesFromOverriders(pod, { command: [overrider] })).toThrow(message);
  });
});

describe('env overriders (envspatch.go)', () => {
  const deploymentWithEnv = (env?: JsonObject[]): JsonObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x' },
    spec: { template: { spec: { containers: [{ name: 'container-0', ...(env ? { env } : {}) }] } } },
  });
  const path = '/spec/template/spec/containers/0/env';
  it('addIfAbsent on an empty list', () => {
    expect(parsePatchesFromOverriders(deploymentWithEnv(), { envs: [{ containerName: 'container-0', operator: 'addIfAbsent', value: [{ name: 'a', value: 'a' }, { name: 'b', value: 'b' }] }] })).toEqual([
      { op: 'replace', path, value: [{ name: 'a', value: 'a' }, { name: 'b', value: 'b' }] },
    ]);
  });
  it('overwrite changes existing names only; the operator defaults to overwrite', () => {
    const env = [{ name: 'a', value: '1' }, { name: 'b', value: '2' }];
    expect(parsePatchesFromOverriders(deploymentWithEnv(env), { envs: [{ containerName: 'container-0', value: [{ name: 'b', value: 'x' }, { name: 'z', value: 'y' }] }] })).toEqual([
      { op: 'replace', path, value: [{ name: 'a', value: '1' }, { name: 'b', value: 'x' }] },
    ]);
  });
  it('delete removes every entry with the name', () => {
    const env = [{ name: 'a', value: '1' }, { name: 'b', value: '2' }, { name: 'a', value: '3' }];
    expect(parsePatchesFromOverriders(deploymentWithEnv(env), { envs: [{ containerName: 'container-0', operator: 'delete', value: [{ name: 'a' }] }] })).toEqual([
      { op: 'replace', path, value: [{ name: 'b', value: '2' }] },
    ]);
  });
  it('addIfAbsent on an existing name fails', () => {
    expect(() => parsePatchesFromOverriders(deploymentWithEnv([{ name: 'a', value: '1' }]), { envs: [{ containerName: 'container-0', operator: 'addIfAbsent', value: [{ name: 'a' }] }] })).toThrow(
      'addIfAbsent is not allowed to operate on exist key:a',
    );
  });
});

describe('labels and annotations overriders (annotationslabelspatch.go)', () => {
  const obj: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { app: 'web', tier: 'front' } } };
  it('addIfAbsent, overwrite of existing keys only, delete; one replace of the whole map with sorted keys', () => {
    const overriders: Overriders = {
      labels: [
        { operator: 'addIfAbsent', value: { zone: 'a' } },
        { operator: 'overwrite', value: { tier: 'back', missing: 'no' } },
        { operator: 'delete', value: { app: '' } },
      ],
      annotations: [{ operator: 'addIfAbsent', value: { note: 'hi' } }],
    };
    expect(parsePatchesFromOverriders(obj, overriders)).toEqual([
      { op: 'replace', path: '/metadata/annotations', value: { note: 'hi' } },
      { op: 'replace', path: '/metadata/labels', value: { tier: 'back', zone: 'a' } },
    ]);
  });
  it('addIfAbsent on an existing key fails', () => {
    expect(() => parsePatchesFromOverriders(obj, { labels: [{ operator: 'addIfAbsent', value: { app: 'x' } }] })).toThrow('exist key:app');
  });
});

describe('jsonpatch overriders', () => {
  it('keep the operator as written (empty means replace when applied) and omit an absent value', () => {
    expect(parsePatchesFromOverriders({}, { jsonpatch: [{ path: '/a', value: 1 }, { operator: 'remove', path: '/b' }] })).toEqual([
      { op: '', path: '/a', value: 1 },
      { op: 'remove', path: '/b' },
    ]);
  });
});
