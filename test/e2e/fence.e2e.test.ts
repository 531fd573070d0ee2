// The write-stage fence of a sharded reconciler (issue 17) on a real API
// server: a replica that loses a cluster's Lease while a reconcile is under
// way stops before its next write stage — what it applied before stays, what
// comes after is never written, nothing is pruned, and the run says why.
import { dump } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { RuntimeError } from '../../src/errors/index.ts';
import type { JsonObject } from '../../src/model/types.ts';
import type { ApplySetParentRef } from '../../src/reconcile/applyset.ts';
import { reconcileCluster } from '../../src/reconcile/cluster.ts';
import { type ApiResource, KubeClient } from '../../src/reconcile/kube.ts';
import { useFleet } from '../fleet/e2e.ts';

const fleet = useFleet();
const cluster = fleet.clusters[0]?.name as string;
const client = KubeClient.create(cluster, { mode: 'kubeconfig', kubeconfigPath: fleet.kubeconfigPath, context: cluster });
const NS = 'fence-e2e';
const parent: ApplySetParentRef = { kind: 'Secret', namespace: 'kube-system', name: 'applyset-fence-e2e' };
const cm: ApiResource = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, verbs: [] };
const ns: ApiResource = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, verbs: [] };

afterAll(async () => {
  await client.delete(ns, undefined, NS).catch(() => undefined);
  await client.close();
});

/** The tree's ConfigMaps in the namespace (kube-controller-manager adds kube-root-ca.crt to every namespace). */
async function ours(): Promise<string[]> {
  return (await client.list(cm, { namespace: NS })).map((o) => String((o.metadata as JsonObject).name)).filter((n) => n.startsWith('cm-')).sort();
}

function tree(version: string): Map<string, string> {
  const files = new Map<string, string>([['cluster/Namespace/fence-e2e.yaml', dump({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })]]);
  for (let i = 0; i < 5; i++) files.set(`namespaces/${NS}/ConfigMap/cm-${i}.yaml`, dump({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: NS }, data: { version } }));
  return files;
}

describe('the fence before each write stage', () => {
  it('a Lease lost after the first stage: the Namespace is there, no ConfigMap is written, nothing is pruned, the run ends LeaseLost', async () => {
    let held = true;
    const fenced: string[] = [];
    const status = await reconcileCluster(tree('1'), {
      client,
      renderedCommit: 'fence-1',
      parent,
      fence: (c) => {
        fenced.push(held ? 'ok' : 'refused');
        if (!held) throw new RuntimeError('LEASE_LOST', `${c}: this replica no longer holds the cluster's Lease; stopped before writing`);
      },
      // The first stage (Namespaces) was written: another replica takes the Lease now.
      log: (e) => {
        if (e.message.startsWith('stage definitions')) held = false;
      },
    });
    expect(status.result).toBe('Failed');
    expect(status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'LeaseLost' });
    expect(fenced).toEqual(['ok', 'ok', 'refused']);
    expect(await client.get(ns, undefined, NS)).toBeDefined();
    expect(await ours()).toEqual([]);

    // The same cluster reconciled while the Lease is held: everything is written.
    const again = await reconcileCluster(tree('1'), { client, renderedCommit: 'fence-1', parent, fence: () => {} });
    expect(again.result).toBe('Synced');
    expect(await ours()).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4']);
  });
});
