/**
 * The KubeAdmiral dialect end to end: the reference's worked examples (§4.4),
 * binding, modes, followers (pkg/controllers/follower/util_test.go semantics
 * at dialect level), per-object annotations, overrides, the member object,
 * namespaces and bad input.
 */
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { InputError, type Problem } from '../../errors/index.ts';
import { loadRepository } from '../../load/repository.ts';
import type { JsonObject } from '../../model/types.ts';
import { render, type RenderResult } from '../../render/render.ts';
import type { PreviousRender } from '../../render/types.ts';
import { registry } from '../registry.ts';
import { kubeAdmiralDialect } from './index.ts';

function fedCluster(name: string, extra = ''): string {
  return `apiVersion: core.kubeadmiral.io/v1alpha1
kind: FederatedCluster
metadata:
  name: ${name}
${extra}`;
}

const ABC = ['a', 'b', 'c'].map((n) => fedCluster(n)).join('---\n');

function renderDocs(docs: string[], previous?: PreviousRender): RenderResult {
  const repo = loadRepository([{ path: 'repo.yaml', text: docs.join('\n---\n') }], registry);
  return render(repo, [kubeAdmiralDialect], { manifoldVersion: 'test', previous });
}

function problemsOf(fn: () => unknown): Problem[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('expected an InputError');
}

function objectIn(result: RenderResult, cluster: string, path: string): JsonObject | undefined {
  const text = result.clusters.get(cluster)?.get(path);
  return text === undefined ? undefined : (load(text) as JsonObject);
}

function replicasPerCluster(result: RenderResult, path = 'namespaces/prod/Deployment.apps/web.yaml'): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const cluster of result.clusters.keys()) {
    const obj = objectIn(result, cluster, path);
    if (obj) out[cluster] = (obj.spec as { replicas?: number }).replicas;
  }
  return out;
}

function previousOf(replicas: Record<string, number>, key = 'apps/Deployment/prod/web'): PreviousRender {
  return {
    replicas: new Map(Object.entries(replicas).map(([cluster, n]) => [cluster, new Map([[key, n]])])),
    clusters: new Set(Object.keys(replicas)),
  };
}

const deployment = (replicas: number, labels = 'kubeadmiral.io/propagation-policy-name: pp', extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  labels:
    ${labels}
${extra}spec:
  replicas: ${replicas}
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.0`;

const dividePolicy = (extraSpec = '') => `apiVersion: core.kubeadmiral.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: pp
  namespace: prod
spec:
  schedulingMode: Divide
  placement:
    - cluster: a
      preferences: {weight: 1}
    - cluster: b
      preferences: {weight: 1}
    - cluster: c
      preferences: {weight: 1}
${extraSpec}`;

describe('worked examples (reference §4.4, key prod/web)', () => {
  it('1. scale-up with avoidDisruption: the new replicas go to b and c by deficit, c first', () => {
    const result = renderDocs([ABC, dividePolicy(), deployment(9)], previousOf({ a: 4, b: 1, c: 1 }));
    expect(replicasPerCluster(result)).toEqual({ a: 4, b: 2, c: 3 });
  });

  it('1b. with avoidDisruption false the desired plan wins: 3/3/3', () => {
    const policy = dividePolicy('  reschedulePolicy:\n    replicaRescheduling:\n      avoidDisruption: false\n');
    const result = renderDocs([ABC, policy, deployment(9)], previousOf({ a: 4, b: 1, c: 1 }));
    expect(replicasPerCluster(result)).toEqual({ a: 3, b: 3, c: 3 });
  });

  it('avoidDisruption defaults to true even when reschedulePolicy is present without it (Manifold decision)', () => {
    const policy = dividePolicy('  reschedulePolicy:\n    disableRescheduling: false\n');
    const result = renderDocs([ABC, policy, deployment(9)], previousOf({ a: 4, b: 1, c: 1 }));
    expect(replicasPerCluster(result)).toEqual({ a: 4, b: 2, c: 3 });
  });

  it('2. scale-down with avoidDisruption: only a gives replicas back', () => {
    const result = renderDocs([ABC, dividePolicy(), deployment(3)], previousOf({ a: 4, b: 1, c: 1 }));
    expect(replicasPerCluster(result)).toEqual({ a: 1, b: 1, c: 1 });
  });

  it('3. dynamic weights from available CPU 4/4/8: 8 replicas → 2/2/4', () => {
    const status = (cpu: number) => `status:\n  resources:\n    allocatable: {cpu: "${cpu * 2}"}\n    available: {cpu: "${cpu}"}\n`;
    const clusters = [fedCluster('a', status(4)), fedCluster('b', status(4)), fedCluster('c', status(8))];
    const policy = `apiVersion: core.kubeadmiral.io/v1alpha1
kind: PropagationPolicy
metadata: {name: pp, namespace: prod}
spec:
  schedulingMode: Divide`;
    const result = renderDocs([...clusters, policy, deployment(8)]);
    expect(replicasPerCluster(result)).toEqual({ a: 2, b: 2, c: 4 });
    const explain = result.placements.find((p) => p.template.id.name === 'web')?.explain ?? [];
    expect(explain.find((s) => s.title === 'Planner')?.lines.join('\n')).toContain('dynamic weights: a 250, b 250, c 500');
  });

  it('clusters given 0 replicas are dropped', () => {
    const result = renderDocs([ABC, dividePolicy(), deployment(1)]);
    expect(Object.keys(replicasPerCluster(result))).toHaveLength(1);
  });

  it('Divide with 0 replicas empties the placement', () => {
    const result = renderDocs([ABC, dividePolicy(), deployment(0)]);
    expect(replicasPerCluster(result)).toEqual({});
  });
});

describe('binding', () => {
  const cpp = `apiVersion: core.kubeadmiral.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: everywhere}
spec: {schedulingMode: Duplicate}`;
  const onlyA = `apiVersion: core.kubeadmiral.io/v1alpha1
kind: PropagationPolicy
metadata: {name: pp, namespace: prod}
spec:
  placement: [{cluster: a}]`;

  it('the namespaced PropagationPolicy label wins over the ClusterPropagationPolicy label', () => {
    const labels = 'kubeadmiral.io/propagation-policy-name: pp\n    kubeadmiral.io/cluster-propagation-policy-name: everywhere';
    const result = renderDocs([ABC, cpp, onlyA, deployment(2, labels)]);
    expect(replicasPerCluster(result)).toEqual({ a: 2 });
    expect(result.placements.find((p) => p.template.id.name === 'web')?.policy?.kind).toBe('PropagationPolicy');
  });

  it('a ClusterPropagationPolicy label alone binds the cluster policy', () => {
    const result = renderDocs([ABC, cpp, deployment(2, 'kubeadmiral.io/cluster-propagation-policy-name: everywhere')]);
    expect(replicasPerCluster(result)).toEqual({ a: 2, b: 2, c: 2 });
  });

  it('a label naming a missing policy is an error naming the template and the label', () => {
    const problems = problemsOf(() => renderDocs([ABC, deployment(2, 'kubeadmiral.io/propagation-policy-name: nope')]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'POLICY_NOT_FOUND', object: { kind: 'Deployment', namespace: 'prod', name: 'web' }, field: 'metadata.labels[kubeadmiral.io/propagation-policy-name]' });
    expect(problems[0]?.message).toContain('PropagationPolicy prod/nope');
  });

  it('a policy in another namespace does not bind', () => {
    const elsewhere = onlyA.replace('namespace: prod', 'namespace: dev');
    expect(problemsOf(() => renderDocs([ABC, elsewhere, deployment(2)]))[0]?.code).toBe('POLICY_NOT_FOUND');
  });

  it('no label: the template is not claimed', () => {
    const result = renderDocs([ABC, onlyA, deployment(2, 'app: web')]);
    expect(result.placements.some((p) => p.template.id.name === 'web')).toBe(false);
  });
});

describe('scheduling modes', () => {
  const policy = (mode: string) => `apiVersion: core.kubeadmiral.io/v1alpha1
kind: PropagationPolicy
metadata: {name: pp, namespace: prod}
spec:
  schedulingMode: ${mode}`;
  const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: prod
  labels: {kubeadmiral.io/propagation-policy-name: pp}
data: {a: "1"}`;

  it('Duplicate keeps the template count everywhere', () => {
    expect(replicasPerCluster(renderDocs([ABC, policy('Duplicate'), deployment(5)]))).toEqual({ a: 5, b: 5, c: 5 });
  });

  it('an unknown mode schedules as Duplicate, with a warning', () => {
    const result = renderDocs([ABC, policy('Spread'), deployment(5)]);
    expect(replicasPerCluster(result)).toEqual({ a: 5, b: 5, c: 5 });
    expect(result.warnings.map((w) => w.code)).toContain('SCHEDULING_MODE_UNKNOWN');
  });

  it('Divide falls back to Duplicate for a kind without a replicas field', () => {
    const result = renderDocs([ABC, policy('Divide'), configMap]);
    expect([...result.clusters.keys()].filter((c) => result.clusters.get(c)?.has('namespaces/prod/ConfigMap/settings.yaml'))).toEqual(['a', 'b', 'c']);
    const lines = result.placements.find((p) => p.template.id.name === 'settings')?.explain.flatMap((s) => s.lines) ?? [];
    expect(lines.some((l) => l.includes('Divide falls back to Duplicate'))).toBe(true);
  });

  it('maxClusters keeps the best-scored clusters, ties by name', () => {
    const p = `${policy('Duplicate')}\n  maxClusters: 2`;
    expect(replicasPerCluster(renderDocs([ABC, p, deployment(1)]))).toEqual({ a: 1, b: 1 });
  });

  it('taints filter clusters unless tolerated', () => {
    const tainted = fedCluster('b', 'spec:\n  taints:\n    - {key: dedicated, value: gpu, effect: NoSchedule}\n');
    const clusters = [fedCluster('a'), tainted, fedCluster('c')];
    expect(replicasPerCluster(renderDocs([...clusters, policy('Duplicate'), deployment(1)]))).toEqual({ a: 1, c: 1 });
    const tolerating = `${policy('Duplicate')}\n  tolerations:\n    - {key: dedicated, operator: Exists, effect: NoSchedule}`;
    expect(replicasPerCluster(renderDocs([...clusters, tolerating, deployment(1)]))).toEqual({ a: 1, b: 1, c: 1 });
  });

  it('clusterSelector and clusterAffinity select by labels', () => {
    const clusters = [fedCluster('a', 'spec: {}\n').replace('name: a', 'name: a\n  labels: {region: east}'), fedCluster('b'), fedCluster('c', '').replace('name: c', 'name: c\n  labels: {region: west}')];
    const bySelector = `${policy('Duplicate')}\n  clusterSelector: {region: east}`;
    expect(replicasPerCluster(renderDocs([...clusters, bySelector, deployment(1)]))).toEqual({ a: 1 });
    const byAffinity = `${policy('Duplicate')}\n  clusterAffinity:\n    - matchExpressions: [{key: region, operator: In, values: [west]}]\n    - matchFields: [{key: metadata.name, operator: In, values: [b]}]`;
    expect(replicasPerCluster(renderDocs([...clusters, byAffinity, deployment(1)]))).toEqual({ b: 1, c: 1 });
  });

  it('Binpack fills clusters by placement priority, up to their maximum', () => {
    const binpack = `${policy('Divide')}
  replicasStrategy: Binpack
  placement:
    - {cluster: a, preferences: {priority: 1}}
    - {cluster: b, preferences: {priority: 3, maxReplicas: 4}}
    - {cluster: c, preferences: {priority: 2}}`;
    expect(replicasPerCluster(renderDocs([ABC, binpack, deployment(10)]))).toEqual({ b: 4, c: 6 });
  });

  it('disableRescheduling keeps the current placement from the previous render', () => {
    const sticky = `${dividePolicy('  reschedulePolicy: {disableRescheduling: true}\n')}`;
    const result = renderDocs([ABC, sticky, deployment(9)], previousOf({ b: 7 }));
    expect(replicasPerCluster(result)).toEqual({ b: 7 });
  });
});

describe('per-object annotations', () => {
  const policy = `apiVersion: core.kubeadmiral.io/v1alpha1
kind: PropagationPolicy
metadata: {name: pp, namespace: prod}
spec:
  schedulingMode: Divide
  placement: [{cluster: a}]`;

  it('placements and scheduling-mode annotations override the policy, each listed in a warning', () => {
    const annotations = `  annotations:
    kubeadmiral.io/placements: '[{"cluster":"b","preferences":{"weight":1}},{"cluster":"c","preferences":{"weight":3}}]'
    kubeadmiral.io/scheduling-mode: Divide
`;
    const result = renderDocs([ABC, policy, deployment(4, 'kubeadmiral.io/propagation-policy-name: pp', annotations)]);
    expect(replicasPerCluster(result)).toEqual({ b: 1, c: 3 });
    const warnings = result.warnings.filter((w) => w.code === 'ANNOTATION_OVERRIDES_POLICY');
    expect(warnings.map((w) => w.field).sort()).toEqual(['metadata.annotations[kubeadmiral.io/placements]', 'metadata.annotations[kubeadmiral.io/scheduling-mode]']);
    const placements = warnings.find((w) => w.field === 'metadata.annotations[kubeadmiral.io/placements]');
    expect(placements?.message).toContain('spec.placement (cluster list)');
    expect(placements?.message).toContain('spec.placement[].preferences.weight');
    const explain = result.placements.find((p) => p.template.id.name === 'web')?.explain.flatMap((s) => s.lines) ?? [];
    expect(explain.some((l) => l.includes('annotation kubeadmiral.io/placements'))).toBe(true);
  });

  it('an annotation that does not decode is ignored, with a warning, and the policy applies', () => {
    const annotations = "  annotations:\n    kubeadmiral.io/placements: 'not json'\n    kubeadmiral.io/maxClusters: '-1'\n";
    const result = renderDocs([ABC, policy, deployment(4, 'kubeadmiral.io/propagation-policy-name: pp', annotations)]);
    expect(replicasPerCluster(result)).toEqual({ a: 4 });
    expect(result.warnings.filter((w) => w.code === 'ANNOTATION_IGNORED')).toHaveLength(2);
  });

  it('a placements annotation with a bad preference still replaces the cluster list', () => {
    const annotations = `  annotations:\n    kubeadmiral.io/placements: '[{"cluster":"c","preferences":{"weight":"heavy"}}]'\n`;
    const result = renderDocs([ABC, policy, deployment(4, 'kubeadmiral.io/propagation-policy-name: pp', annotations)]);
    expect(replicasPerCluster(result)).toEqual({ c: 4 });
    expect(result.warnings.filter((w) => w.code === 'ANNOTATION_IGNORED')).toHaveLength(1);
  });

  it('the affinity annotation is the only way to express preferred affinity', () => {
    const clusters = [fedCluster('a'), fedCluster('b').replace('name: b', 'name: b\n  labels: {ssd: "true"}')];
    const duplicate = policy.replace('schedulingMode: Divide', 'schedulingMode: Duplicate').replace('  placement: [{cluster: a}]', '  maxClusters: 1');
    const annotations = `  annotations:
    kubeadmiral.io/affinity: '{"clusterAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":10,"preference":{"matchExpressions":[{"key":"ssd","operator":"Exists"}]}}]}}'
`;
    expect(replicasPerCluster(renderDocs([...clusters, duplicate, deployment(1, 'kubeadmiral.io/propagation-policy-name: pp', annotations)]))).toEqual({ b: 1 });
  });

  it('scheduling annotations and policy labels do not reach the member object; template annotations do', () => {
    const annotations = "  annotations:\n    kubeadmiral.io/maxClusters: '3'\n    team: storefront\n";
    const result = renderDocs([ABC, policy, deployment(4, 'kubeadmiral.io/propagation-policy-name: pp\n    app: web', annotations)]);
    const metadata = objectIn(result, 'a', 'namespaces/prod/Deployment.apps/web.yaml')?.metadata;
    expect(metadata).toEqual({ name: 'web', namespace: 'prod', labels: { app: 'web', 'kubeadmiral.io/managed': 'true' }, annotations: { team: 'storefront' } });
  });
});

describe('followers', () => {
  const duplicateTo = (clusters: string[], name = 'pp', extra = '') => `apiVersion: core.kubeadmiral.io/v1alpha1
kind: PropagationPolicy
metadata: {name: ${name}, namespace: prod}
spec:
  schedulingMode: Duplicate
  placement: [${clusters.map((c) => `{cluster: ${c}}`).join(', ')}]
${extra}`;
  const leader = (extraMeta = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  labels: {kubeadmiral.io/propagation-policy-name: pp}
${extraMeta}spec:
  replicas: 1
  template:
    spec:
      serviceAccountName: web-sa
      imagePullSecrets: [{name: pull}]
      containers:
        - name: web
          image: nginx
          envFrom: [{configMapRef: {name: env}}]
      volumes:
        - name: data
          persistentVolumeClaim: {claimName: data}`;
  const obj = (kind: string, name: string, extraMeta = '') => `apiVersion: v1
kind: ${kind}
metadata:
  name: ${name}
  namespace: prod
${extraMeta}`;
  const followers = [obj('ConfigMap', 'env'), obj('Secret', 'pull'), obj('ServiceAccount', 'web-sa'), obj('PersistentVolumeClaim', 'data'), obj('Service', 'web')];
  const placedIn = (result: RenderResult, path: string) => [...result.clusters.keys()].filter((c) => result.clusters.get(c)?.has(path));

  it('Secrets, ConfigMaps, the ServiceAccount and PVCs of the pod spec follow the leader; a Service only through the annotation', () => {
    const result = renderDocs([ABC, duplicateTo(['a', 'b']), leader(), ...followers]);
    for (const path of ['ConfigMap/env', 'Secret/pull', 'ServiceAccount/web-sa', 'PersistentVolumeClaim/data']) {
      expect(placedIn(result, `namespaces/prod/${path}.yaml`), path).toEqual(['a', 'b']);
    }
    expect(placedIn(result, 'namespaces/prod/Service/web.yaml')).toEqual([]);
    const annotated = renderDocs([ABC, duplicateTo(['a', 'b']), leader(`  annotations:\n    kubeadmiral.io/followers: '[{"kind":"Service","name":"web"}]'\n`), ...followers]);
    expect(placedIn(annotated, 'namespaces/prod/Service/web.yaml')).toEqual(['a', 'b']);
  });

  it('every reference of util_test.go TestGetFollowersFromPod makes a follower (containers, init and ephemeral containers, volumes)', () => {
    const ref = (name: string) => ({ name });
    const envs = (scope: string) => ({
      envFrom: [{ configMapRef: ref(`${scope}.EnvFrom[*].ConfigMapRef`) }, { secretRef: ref(`${scope}.EnvFrom[*].SecretRef`) }],
      env: [
        { name: 'a', valueFrom: { configMapKeyRef: { ...ref(`${scope}.Env[*].ValueFrom.ConfigMapKeyRef`), key: 'k' } } },
        { name: 'b', valueFrom: { secretKeyRef: { ...ref(`${scope}.Env[*].ValueFrom.SecretKeyRef`), key: 'k' } } },
      ],
    });
    const v = 'Spec.Volumes[*].VolumeSource';
    const podSpec = {
      serviceAccountName: 'Spec.ServiceAccountName',
      containers: [{ name: 'c', image: 'x', ...envs('Spec.Containers[*]') }],
      ephemeralContainers: [{ name: 'e', image: 'x', ...envs('Spec.EphemeralContainers[*].EphemeralContainerCommon') }],
      initContainers: [{ name: 'i', image: 'x', ...envs('Spec.InitContainers[*]') }],
      imagePullSecrets: [ref('Spec.ImagePullSecrets')],
      volumes: [
        { name: 'v1', projected: { sources: [{ configMap: ref(`${v}.Projected.Sources[*].ConfigMap`) }] } },
        { name: 'v2', configMap: ref(`${v}.ConfigMap`) },
        { name: 'v3', azureFile: { secretName: `${v}.AzureFile.SecretName`, shareName: 's' } },
        { name: 'v4', cephfs: { monitors: ['m'], secretRef: ref(`${v}.CephFS.SecretRef`) } },
        { name: 'v5', cinder: { volumeID: 'x', secretRef: ref(`${v}.Cinder.SecretRef`) } },
        { name: 'v6', flexVolume: { driver: 'd', secretRef: ref(`${v}.FlexVolume.SecretRef`) } },
        { name: 'v7', projected: { sources: [{ secret: ref(`${v}.Projected.Sources[*].Secret`) }] } },
        { name: 'v8', rbd: { monitors: ['m'], image: 'i', secretRef: ref(`${v}.RBD.SecretRef`) } },
        { name: 'v9', secret: { secretName: `${v}.Secret.SecretName` } },
        { name: 'v10', secret: { secretName: `${v}.Secret` } },
        { name: 'v11', scaleIO: { gateway: 'g', system: 's', secretRef: ref(`${v}.ScaleIO.SecretRef`) } },
        { name: 'v12', iscsi: { targetPortal: 't', iqn: 'i', lun: 0, secretRef: ref(`${v}.ISCSI.SecretRef`) } },
        { name: 'v13', storageos: { secretRef: ref(`${v}.StorageOS.SecretRef`) } },
        { name: 'v14', csi: { driver: 'd', nodePublishSecretRef: ref(`${v}.CSI.NodePublishSecretRef`) } },
        { name: 'v15', persistentVolumeClaim: { claimName: `${v}.PersistentVolumeClaim` } },
      ],
    };
    const expected: Record<string, string[]> = {
      ConfigMap: [
        'Spec.Containers[*].EnvFrom[*].ConfigMapRef',
        'Spec.Containers[*].Env[*].ValueFrom.ConfigMapKeyRef',
        'Spec.EphemeralContainers[*].EphemeralContainerCommon.EnvFrom[*].ConfigMapRef',
        'Spec.EphemeralContainers[*].EphemeralContainerCommon.Env[*].ValueFrom.ConfigMapKeyRef',
        'Spec.InitContainers[*].EnvFrom[*].ConfigMapRef',
        'Spec.InitContainers[*].Env[*].ValueFrom.ConfigMapKeyRef',
        `${v}.Projected.Sources[*].ConfigMap`,
        `${v}.ConfigMap`,
      ],
      Secret: [
        'Spec.Containers[*].EnvFrom[*].SecretRef',
        'Spec.Containers[*].Env[*].ValueFrom.SecretKeyRef',
        'Spec.EphemeralContainers[*].EphemeralContainerCommon.EnvFrom[*].SecretRef',
        'Spec.EphemeralContainers[*].EphemeralContainerCommon.Env[*].ValueFrom.SecretKeyRef',
        'Spec.ImagePullSecrets',
        'Spec.InitContainers[*].EnvFrom[*].SecretRef',
        'Spec.InitContainers[*].Env[*].ValueFrom.SecretKeyRef',
        `${v}.AzureFile.SecretName`,
        `${v}.CephFS.SecretRef`,
        `${v}.Cinder.SecretRef`,
        `${v}.FlexVolume.SecretRef`,
        `${v}.Projected.Sources[*].Secret`,
        `${v}.RBD.SecretRef`,
        `${v}.Secret`,
        `${v}.Secret.SecretName`,
        `${v}.ScaleIO.SecretRef`,
        `${v}.ISCSI.SecretRef`,
        `${v}.StorageOS.SecretRef`,
        `${v}.CSI.NodePublishSecretRef`,
      ],
      PersistentVolumeClaim: [`${v}.PersistentVolumeClaim`],
      ServiceAccount: ['Spec.ServiceAccountName'],
    };
    const leaderDoc = JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'prod', labels: { 'kubeadmiral.io/propagation-policy-name': 'pp' } },
      spec: { replicas: 1, template: { spec: podSpec } },
    });
    const followerDocs = Object.entries(expected).flatMap(([kind, names]) => names.map((name) => JSON.stringify({ apiVersion: 'v1', kind, metadata: { name, namespace: 'prod' } })));
    const unrelated = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unrelated', namespace: 'prod' } });
    const result = renderDocs([ABC, duplicateTo(['b', 'c']), leaderDoc, ...followerDocs, unrelated]);
    for (const [kind, names] of Object.entries(expected)) {
      for (const name of names) expect(placedIn(result, `namespaces/prod/${kind}/${name}.yaml`), `${kind} ${name}`).toEqual(['b', 'c']);
    }
    expect(placedIn(result, 'namespaces/prod/ConfigMap/unrelated.yaml')).toEqual([]);
  });

  it('disableFollowerScheduling on the policy turns inference off', () => {
    const result = renderDocs([ABC, duplicateTo(['a'], 'pp', '  disableFollowerScheduling: true'), leader(), ...followers]);
    expect(placedIn(result, 'namespaces/prod/ConfigMap/env.yaml')).toEqual([]);
  });

  it('a follower annotated kubeadmiral.io/disable-following stays put', () => {
    const optedOut = obj('ConfigMap', 'env', '  annotations: {kubeadmiral.io/disable-following: "true"}\n');
    const result = renderDocs([ABC, duplicateTo(['a']), leader(), optedOut]);
    expect(placedIn(result, 'namespaces/prod/ConfigMap/env.yaml')).toEqual([]);
  });

  it("a follower's placement is the union of its leaders' and its own policy's", () => {
    const own = duplicateTo(['c'], 'own');
    const secondLeader = leader()
      .replace('name: web', 'name: api')
      .replace('kubeadmiral.io/propagation-policy-name: pp', 'kubeadmiral.io/propagation-policy-name: second');
    const withOwn = obj('ConfigMap', 'env', '  labels: {kubeadmiral.io/propagation-policy-name: own}\n');
    const result = renderDocs([ABC, duplicateTo(['a']), duplicateTo(['b'], 'second'), own, leader(), secondLeader, withOwn]);
    expect(placedIn(result, 'namespaces/prod/ConfigMap/env.yaml')).toEqual(['a', 'b', 'c']);
  });

  it('an invalid followers annotation is an error naming the annotation', () => {
    const bad = leader("  annotations:\n    kubeadmiral.io/followers: 'nope'\n");
    const problems = problemsOf(() => renderDocs([ABC, duplicateTo(['a']), bad]));
    expect(problems[0]?.message).toContain('kubeadmiral.io/followers');
  });
});

describe('overrides', () => {
  const policy = dividePolicy();
  const cop = (rules: string) => `apiVersion: core.kubeadmiral.io/v1alpha1
kind: ClusterOverridePolicy
metadata: {name: cop}
spec:
  overrideRules:
${rules}`;
  const op = (rules: string) => `apiVersion: core.kubeadmiral.io/v1alpha1
kind: OverridePolicy
metadata: {name: op, namespace: prod}
spec:
  overrideRules:
${rules}`;
  const labels = 'kubeadmiral.io/propagation-policy-name: pp\n    kubeadmiral.io/cluster-override-policy-name: cop\n    kubeadmiral.io/override-policy-name: op';

  it('the ClusterOverridePolicy applies before the OverridePolicy', () => {
    const c = cop('    - overriders:\n        labels: [{operator: addIfAbsent, value: {tier: cluster}}]');
    const o = op('    - overriders:\n        jsonpatch: [{path: /metadata/labels/tier, value: namespace}]');
    const result = renderDocs([ABC, policy, c, o, deployment(3, labels)]);
    expect((objectIn(result, 'a', 'namespaces/prod/Deployment.apps/web.yaml')?.metadata as JsonObject).labels).toMatchObject({ tier: 'namespace' });
  });

  it("an OverridePolicy on the replicas path wins over the scheduler's Divide result", () => {
    const o = op('    - targetClusters: {clusters: [b]}\n      overriders:\n        jsonpatch: [{path: /spec/replicas, value: 10}]');
    const result = renderDocs([ABC, policy, o, deployment(3, 'kubeadmiral.io/propagation-policy-name: pp\n    kubeadmiral.io/override-policy-name: op')]);
    expect(replicasPerCluster(result)).toEqual({ a: 1, b: 10, c: 1 });
  });

  it('lenient replace adds a missing key; a failing patch names the policy, rule and cluster', () => {
    const ok = op('    - overriders:\n        jsonpatch: [{operator: replace, path: /spec/paused, value: true}]');
    const result = renderDocs([ABC, policy, ok, deployment(3, 'kubeadmiral.io/propagation-policy-name: pp\n    kubeadmiral.io/override-policy-name: op')]);
    expect((objectIn(result, 'a', 'namespaces/prod/Deployment.apps/web.yaml')?.spec as JsonObject).paused).toBe(true);
    const bad = op('    - targetClusters: {clusters: [c]}\n      overriders:\n        jsonpatch: [{operator: remove, path: /spec/missing}]');
    const problems = problemsOf(() => renderDocs([ABC, policy, bad, deployment(3, 'kubeadmiral.io/propagation-policy-name: pp\n    kubeadmiral.io/override-policy-name: op')]));
    expect(problems[0]).toMatchObject({ code: 'OVERRIDE_FAILED', object: { kind: 'OverridePolicy', name: 'op' } });
    expect(problems[0]?.field).toContain('spec.overrideRules[0]');
    expect(problems[0]?.message).toContain('in cluster c');
  });

  it('a forbidden path is an error', () => {
    const o = op('    - overriders:\n        jsonpatch: [{path: /metadata/name, value: other}]');
    const problems = problemsOf(() => renderDocs([ABC, policy, o, deployment(3, 'kubeadmiral.io/propagation-policy-name: pp\n    kubeadmiral.io/override-policy-name: op')]));
    expect(problems[0]?.message).toContain('/metadata/name may not be overridden');
  });

  it('a label naming a missing override policy is an error', () => {
    const problems = problemsOf(() => renderDocs([ABC, policy, deployment(3, labels)]));
    expect(problems[0]).toMatchObject({ code: 'POLICY_NOT_FOUND', field: 'metadata.labels[kubeadmiral.io/cluster-override-policy-name]' });
  });

  it('the image overrider covers init containers and CronJobs', () => {
    const cronJob = `apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  namespace: prod
  labels: {kubeadmiral.io/propagation-policy-name: pp, kubeadmiral.io/override-policy-name: op}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers: [{name: init, image: busybox:1}]
          containers: [{name: job, image: busybox:1}]`;
    const o = op('    - overriders:\n        image: [{operations: [{imageComponent: Tag, value: "2"}]}]');
    const result = renderDocs([ABC, policy, o, cronJob]);
    const spec = objectIn(result, 'a', 'namespaces/prod/CronJob.batch/nightly.yaml')?.spec as { jobTemplate: { spec: { template: { spec: { initContainers: JsonObject[]; containers: JsonObject[] } } } } };
    expect(spec.jobTemplate.spec.template.spec.initContainers[0]?.image).toBe('busybox:2');
    expect(spec.jobTemplate.spec.template.spec.containers[0]?.image).toBe('busybox:2');
  });
});

describe('member objects', () => {
  const policy = `apiVersion: core.kubeadmiral.io/v1alpha1
kind: ClusterPropagationPolicy
metadata: {name: all}
spec: {}`;
  const label = 'labels: {kubeadmiral.io/cluster-propagation-policy-name: all}';

  it('a Service loses its clusterIP unless headless', () => {
    const svc = (ip: string, name: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: prod, ${label}}
spec:
  clusterIP: ${ip}
  clusterIPs: [${ip}]
  ports: [{port: 80}]`;
    const result = renderDocs([ABC, policy, svc('10.0.0.1', 'web'), svc('None', 'headless')]);
    expect(objectIn(result, 'a', 'namespaces/prod/Service/web.yaml')?.spec).toEqual({ ports: [{ port: 80 }] });
    expect((objectIn(result, 'a', 'namespaces/prod/Service/headless.yaml')?.spec as JsonObject).clusterIP).toBe('None');
  });

  it('a Job loses the controller-uid label and selector unless manualSelector', () => {
    const job = (name: string, manual: boolean) => `apiVersion: batch/v1
kind: Job
metadata: {name: ${name}, namespace: prod, ${label}}
spec:
  manualSelector: ${manual}
  selector: {matchLabels: {controller-uid: abc, app: x}}
  template:
    metadata: {labels: {controller-uid: abc, app: x}}
    spec: {containers: [{name: c, image: busybox}], restartPolicy: Never}`;
    const result = renderDocs([ABC, policy, job('auto', false), job('manual', true)]);
    const auto = objectIn(result, 'a', 'namespaces/prod/Job.batch/auto.yaml')?.spec as { selector: JsonObject; template: { metadata: JsonObject } };
    expect(auto.selector).toEqual({ matchLabels: { app: 'x' } });
    expect(auto.template.metadata).toEqual({ labels: { app: 'x' } });
    const manual = objectIn(result, 'a', 'namespaces/prod/Job.batch/manual.yaml')?.spec as { selector: JsonObject };
    expect(manual.selector).toEqual({ matchLabels: { 'controller-uid': 'abc', app: 'x' } });
  });

  it('every member object carries kubeadmiral.io/managed: "true"', () => {
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: prod, ${label}}`;
    expect((objectIn(renderDocs([ABC, policy, cm]), 'b', 'namespaces/prod/ConfigMap/x.yaml')?.metadata as JsonObject).labels).toEqual({ 'kubeadmiral.io/managed': 'true' });
  });
});

describe('namespaces', () => {
  const ns = (name: string, meta = '') => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n${meta}`;
  const placedIn = (result: RenderResult, name: string) => [...result.clusters.keys()].filter((c) => result.clusters.get(c)?.has(`cluster/Namespace/${name}.yaml`));

  it('go to every cluster, except kube-* and those annotated kubeadmiral.io/no-auto-propagation', () => {
    const result = renderDocs([ABC, ns('team'), ns('kube-extra'), ns('private', '  annotations: {kubeadmiral.io/no-auto-propagation: "true"}\n')]);
    expect(placedIn(result, 'team')).toEqual(['a', 'b', 'c']);
    expect(placedIn(result, 'kube-extra')).toEqual([]);
    expect(placedIn(result, 'private')).toEqual([]);
  });

  it('are left alone when the repository does not use KubeAdmiral', () => {
    const result = renderDocs([ns('team')]);
    expect(result.placements).toEqual([]);
  });
});

describe('bad input', () => {
  const policyWith = (spec: string) => `apiVersion: core.kubeadmiral.io/v1alpha1
kind: PropagationPolicy
metadata: {name: pp, namespace: prod}
spec:
${spec}`;

  it.each([
    ['the removed stickyCluster field', '  stickyCluster: true', 'unknown field "stickyCluster"'],
    ['the removed top-level replicaRescheduling', '  replicaRescheduling: {avoidDisruption: true}', 'unknown field "replicaRescheduling"'],
    ['a negative maxClusters', '  maxClusters: -1', 'must not be negative'],
    ['a bad replicasStrategy', '  replicasStrategy: Pack', 'expected Spread|Binpack'],
    ['a bad affinity operator', '  clusterAffinity: [{matchExpressions: [{key: a, operator: Near}]}]', 'expected In|NotIn'],
  ])('rejects %s', (_name, spec, message) => {
    const problems = problemsOf(() => renderDocs([ABC, policyWith(spec)]));
    expect(problems.map((p) => p.message).join('\n')).toContain(message);
  });

  it('rejects an unknown kind in core.kubeadmiral.io', () => {
    const problems = problemsOf(() => renderDocs([ABC, 'apiVersion: core.kubeadmiral.io/v1alpha1\nkind: FederatedObject\nmetadata: {name: x}']));
    expect(problems[0]?.code).toBe('UNKNOWN_KIND');
  });

  it('rejects a FederatedCluster with an unknown spec field', () => {
    const problems = problemsOf(() => renderDocs([fedCluster('a', 'spec:\n  region: east\n')]));
    expect(problems[0]?.message).toContain('unknown field "region"');
  });

  it('rejects a non-integer replica count at the template that holds it, not at the policy (issue 10 item 7)', () => {
    const problems = problemsOf(() => renderDocs([ABC, dividePolicy(), deployment(2).replace('replicas: 2', 'replicas: "two"')]));
    expect(problems[0]).toMatchObject({ code: 'SCHEMA_INVALID', object: { kind: 'Deployment', name: 'web' }, field: 'spec.replicas' });
  });
});

describe('explain', () => {
  it('shows binding, filters, scores, selection, planner, followers and overrides', () => {
    const result = renderDocs([ABC, dividePolicy(), deployment(6)]);
    const titles = result.placements.find((p) => p.template.id.name === 'web')?.explain.map((s) => s.title);
    expect(titles).toEqual(['Policy', 'Scheduling unit', 'Filters', 'Scores', 'Selection', 'Planner', 'Overrides']);
  });
});
