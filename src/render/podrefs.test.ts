import { describe, expect, it } from 'vitest';
import { ManifoldError } from '../errors/index.ts';
import type { JsonObject } from '../model/types.ts';
import { karmadaDependencies, kubeAdmiralFollowers, podSpecOf, type DependencyRef } from './podrefs.ts';

const namespace = 'karmada-test';

function dep(kind: DependencyRef['kind'], name: string, ns = namespace): DependencyRef {
  return { apiVersion: 'v1', kind, namespace: ns, name };
}

// karmada-io/karmada pkg/resourceinterpreter/default/native/dependencies_test.go testPairs
const testPairs: { spec: JsonObject; want: DependencyRef[] }[] = [
  {
    spec: {
      serviceAccountName: 'test-serviceaccount',
      volumes: [
        { name: 'initcontainer-volume-mount', configMap: { name: 'test-configmap' } },
        { name: 'cloud-secret-volume', secret: { secretName: 'cloud-secret' } },
        { name: 'container-volume-mount', persistentVolumeClaim: { claimName: 'test-pvc' } },
      ],
    },
    want: [
      dep('ConfigMap', 'test-configmap'),
      dep('Secret', 'cloud-secret'),
      dep('ServiceAccount', 'test-serviceaccount'),
      dep('PersistentVolumeClaim', 'test-pvc'),
    ],
  },
  {
    spec: {
      serviceAccountName: 'test-serviceaccount',
      imagePullSecrets: [{ name: 'test-secret' }],
      initContainers: [
        {
          envFrom: [
            { configMapRef: { name: 'initcontainer-envfrom-configmap' }, secretRef: { name: 'test-secret' } },
          ],
          env: [{ valueFrom: { secretKeyRef: { name: 'test-secret' } } }],
        },
      ],
    },
    want: [
      dep('ConfigMap', 'initcontainer-envfrom-configmap'),
      dep('Secret', 'test-secret'),
      dep('ServiceAccount', 'test-serviceaccount'),
    ],
  },
  {
    spec: {
      containers: [
        {
          envFrom: [{ configMapRef: { name: 'test-configmap' } }],
          env: [{ valueFrom: { configMapKeyRef: { name: 'test-configmap' } } }],
        },
      ],
      volumes: [
        {
          name: 'container-volume-mount',
          persistentVolumeClaim: { claimName: 'test-pvc' },
          azureFile: { secretName: 'test-secret' },
        },
      ],
    },
    want: [dep('ConfigMap', 'test-configmap'), dep('Secret', 'test-secret'), dep('PersistentVolumeClaim', 'test-pvc')],
  },
];

function workload(apiVersion: string, kind: string, spec: JsonObject): JsonObject {
  return { apiVersion, kind, metadata: { name: `fake-${kind.toLowerCase()}`, namespace }, spec };
}

// Upstream's per-kind tests call getXDependencies directly, so two of them use
// batch/v1beta1; through the interpreter registry only the listed GVKs count,
// so the vectors are ported with the registered apiVersion.
const kinds: { apiVersion: string; kind: string; bare: JsonObject; wrap: (pod: JsonObject) => JsonObject }[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment', bare: { replicas: 3 }, wrap: (pod) => ({ replicas: 3, template: { spec: pod } }) },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', bare: { replicas: 3 }, wrap: (pod) => ({ replicas: 3, template: { spec: pod } }) },
  { apiVersion: 'batch/v1', kind: 'Job', bare: { parallelism: 1 }, wrap: (pod) => ({ parallelism: 1, template: { spec: pod } }) },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    bare: { schedule: '*/1 * * * *' },
    wrap: (pod) => ({ schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: pod } } } }),
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    bare: { containers: [{ name: 'example-container', image: 'busybox', command: ['echo', 'Hello, World!'] }] },
    wrap: (pod) => pod,
  },
  {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    bare: { selector: { matchLabels: { app: 'fake' } } },
    wrap: (pod) => ({ selector: { matchLabels: { app: 'fake' } }, template: { spec: pod } }),
  },
  {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    bare: { serviceName: 'fake-service', selector: { matchLabels: { app: 'fake' } } },
    wrap: (pod) => ({ serviceName: 'fake-service', selector: { matchLabels: { app: 'fake' } }, template: { spec: pod } }),
  },
];

describe('karmadaDependencies (dependencies_test.go)', () => {
  for (const { apiVersion, kind, bare, wrap } of kinds) {
    it(`${kind} without dependencies`, () => {
      expect(karmadaDependencies(workload(apiVersion, kind, bare))).toEqual([]);
    });
    testPairs.forEach((pair, index) => {
      it(`${kind} with dependencies ${index + 1}`, () => {
        expect(karmadaDependencies(workload(apiVersion, kind, wrap(pair.spec)))).toEqual(pair.want);
      });
    });
  }

  it('statefulset with partial dependencies 4: volumeClaimTemplates claims are no dependency', () => {
    const sts = workload('apps/v1', 'StatefulSet', {
      ...kinds[6]!.wrap(testPairs[0]!.spec),
      volumeClaimTemplates: [{ metadata: { name: 'test-pvc' } }],
    });
    expect(karmadaDependencies(sts)).toEqual(testPairs[0]!.want.slice(0, 3));
  });

  it('keeps a claim of a Deployment even if it carries volumeClaimTemplates (StatefulSet only)', () => {
    const deploy = workload('apps/v1', 'Deployment', {
      template: { spec: testPairs[0]!.spec },
      volumeClaimTemplates: [{ metadata: { name: 'test-pvc' } }],
    });
    expect(karmadaDependencies(deploy)).toEqual(testPairs[0]!.want);
  });

  it('ingress: one Secret per tls entry', () => {
    const ingress = workload('networking.k8s.io/v1', 'Ingress', {
      tls: [
        { hosts: ['foo1.*.bar.com'], secretName: 'cloud-secret' },
        { hosts: ['foo2.*.bar.com'], secretName: 'test-secret' },
      ],
    });
    expect(karmadaDependencies(ingress)).toEqual([dep('Secret', 'cloud-secret'), dep('Secret', 'test-secret')]);
  });

  it('ingress: backends are not followed, tls without secretName yields nothing', () => {
    const ingress = workload('networking.k8s.io/v1', 'Ingress', {
      defaultBackend: { service: { name: 'web', port: { number: 80 } } },
      tls: [{ hosts: ['a.example.com'] }, { secretName: 'b' }, { secretName: 'b' }],
    });
    expect(karmadaDependencies(ingress)).toEqual([dep('Secret', 'b')]);
  });

  it('only the registered GVKs have an interpreter (Test_getAllDefaultDependenciesInterpreter)', () => {
    const pod = testPairs[0]!.spec;
    expect(karmadaDependencies(workload('batch/v1beta1', 'CronJob', kinds[3]!.wrap(pod)))).toEqual([]);
    expect(karmadaDependencies(workload('batch/v1beta1', 'pod', pod))).toEqual([]);
    expect(karmadaDependencies(workload('apps/v1beta2', 'Deployment', kinds[0]!.wrap(pod)))).toEqual([]);
    expect(karmadaDependencies(workload('v1', 'ConfigMap', pod))).toEqual([]);
    expect(karmadaDependencies(workload('networking.k8s.io/v1beta1', 'Ingress', { tls: [{ secretName: 'x' }] }))).toEqual([]);
  });

  it('uses the workload namespace, or empty for an object without one', () => {
    const obj: JsonObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { serviceAccountName: 'sa' } };
    expect(karmadaDependencies(obj)).toEqual([dep('ServiceAccount', 'sa', '')]);
  });
});

// karmada-io/karmada pkg/util/helper/pod_test.go
describe('karmadaDependencies pod walkers (pod_test.go)', () => {
  const pod = (spec: JsonObject): JsonObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'fake-pod', namespace }, spec });
  const names = (spec: JsonObject, kind: DependencyRef['kind']): string[] =>
    karmadaDependencies(pod(spec))
      .filter((ref) => ref.kind === kind)
      .map((ref) => ref.name);
  const emptyPod: JsonObject = { containers: [{ name: 'c', image: 'nginx' }] };

  it('TestGetSecretNames: every secret reference of a pod spec', () => {
    const spec: JsonObject = {
      imagePullSecrets: [{ name: 'image-secret' }],
      initContainers: [
        {
          envFrom: [{ secretRef: { name: 'initcontainer-envfrom-secret' } }],
          env: [{ valueFrom: { secretKeyRef: { name: 'initcontainer-env-secret' } } }],
        },
      ],
      containers: [
        {
          envFrom: [{ secretRef: { name: 'container-envfrom-secret' } }],
          env: [{ valueFrom: { secretKeyRef: { name: 'container-env-secret' } } }],
        },
      ],
      ephemeralContainers: [
        {
          envFrom: [{ secretRef: { name: 'ephemeralcontainer-envfrom-secret' } }],
          env: [{ valueFrom: { secretKeyRef: { name: 'ephemeralcontainer-env-secret' } } }],
        },
      ],
      volumes: [
        { azureFile: { secretName: 'azure-secret' } },
        { cephfs: { secretRef: { name: 'cephfs-secret' } } },
        { cinder: { secretRef: { name: 'cinder-secret' } } },
        { flexVolume: { secretRef: { name: 'flex-secret' } } },
        { projected: { sources: [{ secret: { name: 'projected-secret' } }] } },
        { rbd: { secretRef: { name: 'rbd-secret' } } },
        { secret: { secretName: 'secret-config' } },
        { scaleIO: { secretRef: { name: 'scaleio-secret' } } },
        { iscsi: { secretRef: { name: 'iscsi-secret' } } },
        { storageos: { secretRef: { name: 'storageos-secret' } } },
        { csi: { nodePublishSecretRef: { name: 'csi-secret' } } },
      ],
    };
    expect(names(emptyPod, 'Secret')).toEqual([]);
    expect(names(spec, 'Secret')).toEqual(
      [
        'image-secret',
        'initcontainer-envfrom-secret',
        'initcontainer-env-secret',
        'container-envfrom-secret',
        'container-env-secret',
        'ephemeralcontainer-envfrom-secret',
        'ephemeralcontainer-env-secret',
        'azure-secret',
        'cephfs-secret',
        'cinder-secret',
        'flex-secret',
        'projected-secret',
        'rbd-secret',
        'secret-config',
        'scaleio-secret',
        'iscsi-secret',
        'storageos-secret',
        'csi-secret',
      ].sort(),
    );
  });

  it('TestGetConfigMapNames: every configmap reference of a pod spec', () => {
    const spec: JsonObject = {
      initContainers: [
        {
          envFrom: [{ configMapRef: { name: 'initcontainer-envfrom-configmap' } }],
          env: [{ valueFrom: { configMapKeyRef: { name: 'initcontainer-env-configmap' } } }],
        },
      ],
      containers: [
        {
          envFrom: [{ configMapRef: { name: 'container-envfrom-configmap' } }],
          env: [{ valueFrom: { configMapKeyRef: { name: 'container-env-configmap' } } }],
        },
      ],
      ephemeralContainers: [
        {
          envFrom: [{ configMapRef: { name: 'ephemeralcontainer-envfrom-configmap' } }],
          env: [{ valueFrom: { configMapKeyRef: { name: 'ephemeralcontainer-env-configmap' } } }],
        },
      ],
      volumes: [
        { projected: { sources: [{ configMap: { name: 'projected-configmap' } }] } },
        { configMap: { name: 'configmap-config' } },
      ],
    };
    expect(names(emptyPod, 'ConfigMap')).toEqual([]);
    expect(names(spec, 'ConfigMap')).toEqual(
      [
        'initcontainer-envfrom-configmap',
        'initcontainer-env-configmap',
        'container-envfrom-configmap',
        'container-env-configmap',
        'ephemeralcontainer-envfrom-configmap',
        'ephemeralcontainer-env-configmap',
        'projected-configmap',
        'configmap-config',
      ].sort(),
    );
  });

  it('TestGetPVCNames', () => {
    const spec: JsonObject = {
      volumes: [
        { name: 'foo-name', persistentVolumeClaim: { claimName: 'fake-foo', readOnly: true } },
        { name: 'bar-name', persistentVolumeClaim: { claimName: 'fake-bar', readOnly: true } },
      ],
    };
    expect(names(emptyPod, 'PersistentVolumeClaim')).toEqual([]);
    expect(names(spec, 'PersistentVolumeClaim')).toEqual(['fake-bar', 'fake-foo']);
  });

  it('TestGetDependenciesFromPodTemplate', () => {
    expect(karmadaDependencies(pod(emptyPod))).toEqual([]);
    const spec: JsonObject = {
      serviceAccountName: 'fake-sa',
      volumes: [
        { name: 'foo-name', configMap: { name: 'fake-foo' } },
        { name: 'bar-name', secret: { secretName: 'fake-bar' } },
        { name: 'pvc-name', persistentVolumeClaim: { claimName: 'fake-pvc' } },
      ],
    };
    expect(karmadaDependencies(pod(spec))).toEqual([
      dep('ConfigMap', 'fake-foo'),
      dep('Secret', 'fake-bar'),
      dep('ServiceAccount', 'fake-sa'),
      dep('PersistentVolumeClaim', 'fake-pvc'),
    ]);
  });

  it('Test_getServiceAccountNames: the default account is not a dependency', () => {
    expect(names({ serviceAccountName: 'test' }, 'ServiceAccount')).toEqual(['test']);
    expect(names({ serviceAccountName: 'default' }, 'ServiceAccount')).toEqual([]);
    // The deprecated `serviceAccount` field is not read.
    expect(names({ serviceAccount: 'legacy' }, 'ServiceAccount')).toEqual([]);
  });

  it('visits only the first volume source of the upstream switch', () => {
    // A projected volume that (invalidly) also names a configMap: the switch takes `projected`.
    const spec: JsonObject = {
      volumes: [
        { projected: { sources: [{ configMap: { name: 'p' } }] }, configMap: { name: 'ignored' } },
        { cephfs: { secretRef: { name: 'first' } }, secret: { secretName: 'second' } },
      ],
    };
    expect(names(spec, 'ConfigMap')).toEqual(['p']);
    expect(names(spec, 'Secret')).toEqual(['first']);
  });

  it('skips empty names and does not follow transitive references', () => {
    const spec: JsonObject = {
      imagePullSecrets: [{ name: '' }, {}],
      containers: [{ envFrom: [{ secretRef: {} }], env: [{ valueFrom: { fieldRef: { fieldPath: 'x' } } }] }],
      volumes: [{ secret: {} }, { persistentVolumeClaim: { claimName: '' } }, { emptyDir: {} }],
    };
    expect(karmadaDependencies(pod(spec))).toEqual([]);
  });

  it('sorts within each kind and deduplicates', () => {
    const spec: JsonObject = {
      imagePullSecrets: [{ name: 'z' }, { name: 'a' }, { name: 'z' }],
      volumes: [{ configMap: { name: 'm' } }, { configMap: { name: 'b' } }, { secret: { secretName: 'a' } }],
    };
    expect(karmadaDependencies(pod(spec)).map((ref) => `${ref.kind}/${ref.name}`)).toEqual([
      'ConfigMap/b',
      'ConfigMap/m',
      'Secret/a',
      'Secret/z',
    ]);
  });
});

describe('podSpecOf', () => {
  it('finds the pod spec of each workload kind', () => {
    const podSpec: JsonObject = { containers: [{ name: 'c' }] };
    for (const { apiVersion, kind, wrap } of kinds) {
      expect(podSpecOf({ apiVersion, kind, metadata: { name: 'x' }, spec: wrap(podSpec) })).toBe(podSpec);
    }
  });
  it('accepts any version of the group, and nothing else', () => {
    const podSpec: JsonObject = { containers: [] };
    expect(podSpecOf({ apiVersion: 'apps/v1beta2', kind: 'Deployment', spec: { template: { spec: podSpec } } })).toBe(podSpec);
    expect(podSpecOf({ apiVersion: 'example.com/v1', kind: 'Deployment', spec: { template: { spec: podSpec } } })).toBeUndefined();
    expect(podSpecOf({ apiVersion: 'v1', kind: 'ConfigMap', data: {} })).toBeUndefined();
    expect(podSpecOf({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 1 } })).toBeUndefined();
    expect(podSpecOf({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: [] } } })).toBeUndefined();
  });
});

describe('kubeAdmiralFollowers', () => {
  // kubewharf/kubeadmiral pkg/controllers/follower/util_test.go TestGetFollowersFromPod
  it('TestGetFollowersFromPod: every follower that can be inferred from a pod', () => {
    const spec: JsonObject = {
      serviceAccountName: 'Spec.ServiceAccountName',
      containers: [
        {
          envFrom: [
            { configMapRef: { name: 'Spec.Containers[*].EnvFrom[*].ConfigMapRef' } },
            { secretRef: { name: 'Spec.Containers[*].EnvFrom[*].SecretRef' } },
          ],
          env: [
            { valueFrom: { configMapKeyRef: { name: 'Spec.Containers[*].Env[*].ValueFrom.ConfigMapKeyRef' } } },
            { valueFrom: { secretKeyRef: { name: 'Spec.Containers[*].Env[*].ValueFrom.SecretKeyRef' } } },
          ],
        },
      ],
      ephemeralContainers: [
        {
          envFrom: [
            { configMapRef: { name: 'Spec.EphemeralContainers[*].EphemeralContainerCommon.EnvFrom[*].ConfigMapRef' } },
            { secretRef: { name: 'Spec.EphemeralContainers[*].EphemeralContainerCommon.EnvFrom[*].SecretRef' } },
          ],
          env: [
            {
              valueFrom: {
                configMapKeyRef: { name: 'Spec.EphemeralContainers[*].EphemeralContainerCommon.Env[*].ValueFrom.ConfigMapKeyRef' },
              },
            },
            {
              valueFrom: {
                secretKeyRef: { name: 'Spec.EphemeralContainers[*].EphemeralContainerCommon.Env[*].ValueFrom.SecretKeyRef' },
              },
            },
          ],
        },
      ],
      initContainers: [
        {
          envFrom: [
            { configMapRef: { name: 'Spec.InitContainers[*].EnvFrom[*].ConfigMapRef' } },
            { secretRef: { name: 'Spec.InitContainers[*].EnvFrom[*].SecretRef' } },
          ],
          env: [
            { valueFrom: { configMapKeyRef: { name: 'Spec.InitContainers[*].Env[*].ValueFrom.ConfigMapKeyRef' } } },
            { valueFrom: { secretKeyRef: { name: 'Spec.InitContainers[*].Env[*].ValueFrom.SecretKeyRef' } } },
          ],
        },
      ],
      imagePullSecrets: [{ name: 'Spec.ImagePullSecrets' }],
      volumes: [
        { projected: { sources: [{ configMap: { name: 'Spec.Volumes[*].VolumeSource.Projected.Sources[*].ConfigMap' } }] } },
        { configMap: { name: 'Spec.Volumes[*].VolumeSource.ConfigMap' } },
        { azureFile: { secretName: 'Spec.Volumes[*].VolumeSource.AzureFile.SecretName' } },
        { cephfs: { secretRef: { name: 'Spec.Volumes[*].VolumeSource.CephFS.SecretRef' } } },
        { cinder: { secretRef: { name: 'Spec.Volumes[*].VolumeSource.Cinder.SecretRef' } } },
        { flexVolume: { secretRef: { name: 'Spec.Volumes[*].VolumeSource.FlexVolume.SecretRef' } } },
        { projected: { sources: [{ secret: { name: 'Spec.Volumes[*].VolumeSource.Projected.Sources[*].Secret' } }] } },
        { rbd: { secretRef: { name: 'Spec.Volumes[*].VolumeSource.RBD.SecretRef' } } },
        { secret: { secretName: 'Spec.Volumes[*].VolumeSource.Secret.SecretName' } },
        { secret: { secretName: 'Spec.Volumes[*].VolumeSource.Secret' } },
        { scaleIO: { secretRef: { name: 'Spec.Volumes[*].VolumeSource.ScaleIO.SecretRef' } } },
        { iscsi: { secretRef: { name: 'Spec.Volumes[*].VolumeSource.ISCSI.SecretRef' } } },
        { storageos: { secretRef: { name: 'Spec.Volumes[*].VolumeSource.StorageOS.SecretRef' } } },
        { csi: { nodePublishSecretRef: { name: 'Spec.Volumes[*].VolumeSource.CSI.NodePublishSecretRef' } } },
        { persistentVolumeClaim: { claimName: 'Spec.Volumes[*].VolumeSource.PersistentVolumeClaim' } },
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
        'Spec.Volumes[*].VolumeSource.Projected.Sources[*].ConfigMap',
        'Spec.Volumes[*].VolumeSource.ConfigMap',
      ],
      Secret: [
        'Spec.Containers[*].EnvFrom[*].SecretRef',
        'Spec.Containers[*].Env[*].ValueFrom.SecretKeyRef',
        'Spec.EphemeralContainers[*].EphemeralContainerCommon.EnvFrom[*].SecretRef',
        'Spec.EphemeralContainers[*].EphemeralContainerCommon.Env[*].ValueFrom.SecretKeyRef',
        'Spec.ImagePullSecrets',
        'Spec.InitContainers[*].EnvFrom[*].SecretRef',
        'Spec.InitContainers[*].Env[*].ValueFrom.SecretKeyRef',
        'Spec.Volumes[*].VolumeSource.AzureFile.SecretName',
        'Spec.Volumes[*].VolumeSource.CephFS.SecretRef',
        'Spec.Volumes[*].VolumeSource.Cinder.SecretRef',
        'Spec.Volumes[*].VolumeSource.FlexVolume.SecretRef',
        'Spec.Volumes[*].VolumeSource.Projected.Sources[*].Secret',
        'Spec.Volumes[*].VolumeSource.RBD.SecretRef',
        'Spec.Volumes[*].VolumeSource.Secret',
        'Spec.Volumes[*].VolumeSource.Secret.SecretName',
        'Spec.Volumes[*].VolumeSource.ScaleIO.SecretRef',
        'Spec.Volumes[*].VolumeSource.ISCSI.SecretRef',
        'Spec.Volumes[*].VolumeSource.StorageOS.SecretRef',
        'Spec.Volumes[*].VolumeSource.CSI.NodePublishSecretRef',
      ],
      PersistentVolumeClaim: ['Spec.Volumes[*].VolumeSource.PersistentVolumeClaim'],
      ServiceAccount: ['Spec.ServiceAccountName'],
    };
    const followers = kubeAdmiralFollowers({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec });
    const grouped: Record<string, string[]> = {};
    for (const follower of followers) {
      expect(follower.namespace).toBe('default');
      expect(follower.apiVersion).toBe('v1');
      (grouped[follower.kind] ??= []).push(follower.name);
    }
    for (const kind of Object.keys(expected)) expected[kind]!.sort();
    expect(grouped).toEqual(expected);
  });

  const deployment = (annotations: Record<string, string>, podSpec: JsonObject = {}): JsonObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'prod', annotations },
    spec: { template: { spec: podSpec } },
  });

  it('follows the default service account and claims of any name (unlike Karmada)', () => {
    const followers = kubeAdmiralFollowers(
      deployment({}, { serviceAccountName: 'default', volumes: [{ persistentVolumeClaim: { claimName: 'data' } }] }),
    );
    expect(followers).toEqual([
      { apiVersion: 'v1', kind: 'ServiceAccount', namespace: 'prod', name: 'default' },
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'prod', name: 'data' },
    ]);
  });

  it('does not subtract volumeClaimTemplates (no such rule upstream)', () => {
    const sts: JsonObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'prod' },
      spec: {
        template: { spec: { volumes: [{ persistentVolumeClaim: { claimName: 'data' } }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' } }],
      },
    };
    expect(kubeAdmiralFollowers(sts).map((f) => f.name)).toEqual(['data']);
  });

  it('adds annotation followers in the leader namespace; Service and Ingress only this way', () => {
    const leader = deployment(
      {
        'kubeadmiral.io/followers': JSON.stringify([
          { group: '', kind: 'Service', name: 'web' },
          { group: 'networking.k8s.io', kind: 'Ingress', name: 'web' },
          { kind: 'Secret', name: 'tls' },
          { group: '', kind: 'ConfigMap', name: 'settings', namespace: 'elsewhere' },
        ]),
      },
      { volumes: [{ secret: { secretName: 'tls' } }] },
    );
    expect(kubeAdmiralFollowers(leader)).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'prod', name: 'settings' },
      { apiVersion: 'v1', kind: 'Secret', namespace: 'prod', name: 'tls' },
      { apiVersion: 'v1', kind: 'Service', namespace: 'prod', name: 'web' },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: 'prod', name: 'web' },
    ]);
  });

  it('reads annotation fields case-insensitively like encoding/json and drops non-follower kinds', () => {
    const leader = deployment({
      'kubeadmiral.io/followers': '[{"Group":"","KIND":"Service","Name":"a"},{"group":"apps","kind":"Deployment","name":"b"},{"kind":"Ingress","name":"c"},null]',
    });
    // Ingress without its group is GroupKind{"", Ingress}: not a follower type.
    expect(kubeAdmiralFollowers(leader)).toEqual([{ apiVersion: 'v1', kind: 'Service', namespace: 'prod', name: 'a' }]);
  });

  it('treats an empty or null annotation as no followers', () => {
    expect(kubeAdmiralFollowers(deployment({ 'kubeadmiral.io/followers': '' }))).toEqual([]);
    expect(kubeAdmiralFollowers(deployment({ 'kubeadmiral.io/followers': 'null' }))).toEqual([]);
    expect(kubeAdmiralFollowers(deployment({ 'kubeadmiral.io/followers': '[]' }))).toEqual([]);
  });

  it.each([
    ['not JSON', '[{kind: Service}]'],
    ['an object, not a list', '{"kind":"Service","name":"a"}'],
    ['a string element', '["Service/a"]'],
    ['a non-string field', '[{"kind":"Service","name":1}]'],
    ['whitespace only', '   '],
  ])('throws FOLLOWERS_ANNOTATION_INVALID for %s', (_label, value) => {
    let caught: unknown;
    try {
      kubeAdmiralFollowers(deployment({ 'kubeadmiral.io/followers': value }));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ManifoldError);
    expect((caught as ManifoldError).code).toBe('FOLLOWERS_ANNOTATION_INVALID');
    expect((caught as ManifoldError).message).toContain('Deployment prod/web');
  });

  it('only leaders have followers: ReplicaSet and other kinds have none', () => {
    const annotations = { 'kubeadmiral.io/followers': '[{"kind":"Service","name":"a"}]' };
    const podSpec = { serviceAccountName: 'sa' };
    expect(
      kubeAdmiralFollowers({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r', annotations }, spec: { template: { spec: podSpec } } }),
    ).toEqual([]);
    expect(kubeAdmiralFollowers({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', annotations } })).toEqual([]);
  });

  it('reads CronJob pod templates', () => {
    const cronJob: JsonObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'ops' },
      spec: { jobTemplate: { spec: { template: { spec: { imagePullSecrets: [{ name: 'registry' }] } } } } },
    };
    expect(kubeAdmiralFollowers(cronJob)).toEqual([{ apiVersion: 'v1', kind: 'Secret', namespace: 'ops', name: 'registry' }]);
  });
});
