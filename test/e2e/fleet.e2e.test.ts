// Smoke tests of the test fleet itself: real API servers that serve CRDs and
// custom resources, take server-side apply from @kubernetes/client-node, roll
// Deployments out on kwok nodes, and survive an API server restart.
import {
  ApisApi,
  CoreV1Api,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  type V1CustomResourceDefinition,
  type V1Deployment,
  VersionApi,
} from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { useFleet } from '../fleet/e2e.ts';
import { waitFor } from '../fleet/kube.ts';

const fleet = useFleet();
// The fleet is shared by all e2e files: keep to our own namespace.
const NS = 'fleet-smoke';
const names = fleet.clusters.map((c) => c.name);
const objects = (context: string): KubernetesObjectApi => KubernetesObjectApi.makeApiClient(fleet.kubeConfig(context));
const apply = <T extends KubernetesObject>(context: string, obj: T): Promise<T> =>
  objects(context).patch(obj, undefined, undefined, 'manifold', true, PatchStrategy.ServerSideApply);

const crd: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.fleet.manifold.test' },
  spec: {
    group: 'fleet.manifold.test',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', properties: { size: { type: 'integer', minimum: 1 } } } },
          },
        },
      },
    ],
  },
};

const deployment = (replicas: number): V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'hello', namespace: NS, labels: { app: 'hello' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'hello' } },
    template: {
      metadata: { labels: { app: 'hello' } },
      spec: { containers: [{ name: 'hello', image: 'registry.k8s.io/pause:3.10' }] },
    },
  },
});

async function waitAvailable(context: string, replicas: number): Promise<V1Deployment> {
  return waitFor(
    `Deployment ${NS}/hello Available with ${replicas} replicas in ${context}`,
    async () => {
      const d = await objects(context).read<V1Deployment>({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'hello', namespace: NS },
      });
      const available = d.status?.conditions?.find((c) => c.type === 'Available')?.status === 'True';
      const current = d.status?.observedGeneration === d.metadata?.generation;
      return available && current && d.status?.availableReplicas === replicas && d.status?.updatedReplicas === replicas ? d : undefined;
    },
    120_000,
    500,
  );
}

describe('test fleet', () => {
  beforeAll(async () => {
    for (const name of names) await apply(name, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  });

  it('runs the pinned Kubernetes version in every cluster, with distinct API servers', async () => {
    expect(names.length).toBeGreaterThanOrEqual(3);
    expect(new Set(fleet.clusters.map((c) => c.server)).size).toBe(names.length);
    for (const name of names) {
      const v = await fleet.kubeConfig(name).makeApiClient(VersionApi).getCode();
      expect(v.gitVersion).toBe(fleet.k8sVersion);
      const groups = await fleet.kubeConfig(name).makeApiClient(ApisApi).getAPIVersions();
      expect(groups.groups.map((g) => g.name)).toContain('apps');
    }
  });

  it('clusters are separate: an object created in one is absent from the others', async () => {
    const [first, ...rest] = names;
    if (!first) throw new Error('no clusters');
    await fleet.kubeConfig(first).makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'fleet-smoke-only-in-first' } } });
    for (const name of rest) {
      await expect(fleet.kubeConfig(name).makeApiClient(CoreV1Api).readNamespace({ name: 'fleet-smoke-only-in-first' })).rejects.toThrow(/404|not ?found/i);
    }
  });

  it('serves a CRD once Established and stores a custom resource', async () => {
    for (const name of names) {
      await apply(name, crd);
      await waitFor(
        `CRD Established in ${name}`,
        async () => {
          const got = await objects(name).read<V1CustomResourceDefinition>({
            apiVersion: crd.apiVersion,
            kind: crd.kind,
            metadata: { name: 'widgets.fleet.manifold.test' },
          });
          return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
        },
        30_000,
      );
      const widget: KubernetesObject & { spec: { size: number } } = {
        apiVersion: 'fleet.manifold.test/v1alpha1',
        kind: 'Widget',
        metadata: { name: 'w1', namespace: NS },
        spec: { size: 3 },
      };
      // Discovery of the new group can trail Established by a moment.
      const created = await waitFor(`Widget w1 created in ${name}`, () => apply(name, widget), 30_000, 500);
      expect(created.metadata?.uid).toBeTruthy();
      const back = await objects(name).read<typeof widget>({ apiVersion: widget.apiVersion, kind: 'Widget', metadata: { name: 'w1', namespace: NS } });
      expect(back.spec.size).toBe(3);
      // The schema is enforced by the real API server.
      await expect(apply(name, { ...widget, metadata: { name: 'w2', namespace: NS }, spec: { size: 0 } })).rejects.toThrow(/size/);
    }
  });

  it('server-side applies a Deployment to three clusters and it becomes Available on kwok nodes', async () => {
    const targets = names.slice(0, 3);
    const applied = await Promise.all(targets.map((name) => apply(name, deployment(2))));
    for (const d of applied) {
      expect(d.metadata?.managedFields?.some((f) => f.manager === 'manifold' && f.operation === 'Apply')).toBe(true);
    }
    const ready = await Promise.all(targets.map((name) => waitAvailable(name, 2)));
    for (const d of ready) expect(d.status?.readyReplicas).toBe(2);
    const pods = await fleet.kubeConfig(targets[0] ?? 'member1').makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS, labelSelector: 'app=hello' });
    expect(pods.items).toHaveLength(2);
    for (const p of pods.items) {
      expect(p.spec?.nodeName).toMatch(/-node-\d+$/);
      expect(p.status?.phase).toBe('Running');
    }
  });

  it('stops one API server (others keep serving) and restarts it on the same port', async () => {
    const victim = names[1] ?? 'member2';
    const other = names[0] ?? 'member1';
    const server = fleet.clusters.find((c) => c.name === victim)?.server;
    await fleet.control.stopApiServer(victim);
    expect(await fleet.control.isReady(victim)).toBe(false);
    await expect(fleet.kubeConfig(victim).makeApiClient(VersionApi).getCode()).rejects.toThrow();
    await expect(fleet.kubeConfig(other).makeApiClient(VersionApi).getCode()).resolves.toMatchObject({ gitVersion: fleet.k8sVersion });

    await fleet.control.startApiServer(victim);
    expect(await fleet.control.isReady(victim)).toBe(true);
    expect((await fleet.control.clusters()).find((c) => c.name === victim)?.server).toBe(server);
    // State survived (it lives in etcd), and the cluster keeps reconciling.
    await apply(victim, deployment(3));
    await waitAvailable(victim, 3);
  });

  it('recovers from a crashed (SIGKILLed) API server', async () => {
    const victim = names[2] ?? 'member3';
    await fleet.control.stopApiServer(victim, { signal: 'SIGKILL' });
    expect(await fleet.control.isReady(victim)).toBe(false);
    await fleet.control.startApiServer(victim);
    const v = await fleet.kubeConfig(victim).makeApiClient(VersionApi).getCode();
    expect(v.gitVersion).toBe(fleet.k8sVersion);
    await waitAvailable(victim, 2);
  });
});
