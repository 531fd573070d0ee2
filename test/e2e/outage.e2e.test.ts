/**
 * The outage test on its own file (a fresh process): killing an API server
 * mid-run while pooled connections of earlier tests in the same process were
 * open made the run wait for the cluster deadline now and then.
 */
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/model/types.ts';
import type { ApplySetParentRef } from '../../src/reconcile/applyset.ts';
import { type FleetOptions, reconcileFleet } from '../../src/reconcile/fleet.ts';
import type { ClusterStatus } from '../../src/reconcile/types.ts';
import { useFleet } from '../fleet/e2e.ts';

const fleet = useFleet();
const names = fleet.clusters.map((c) => c.name);
const [m1, m2, m3] = names as [string, string, string];

const parentFor = (name: string): ApplySetParentRef => ({ kind: 'Secret', namespace: 'kube-system', name: `applyset-e2e-${name}` });
const namespace = (name: string): JsonObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const configMap = (ns: string, name: string): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { k: name } });

function tree(objects: readonly JsonObject[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const o of objects) {
    const meta = o.metadata as JsonObject;
    const dir = meta.namespace ? `namespaces/${String(meta.namespace)}` : 'cluster';
    files.set(`${dir}/${String(o.kind)}/${String(meta.name)}.yaml`, dump(o, { noRefs: true }));
  }
  return files;
}

function ready(s: ClusterStatus) {
  return s.conditions.find((c) => c.type === 'Ready');
}

/** A namespace with 150 ConfigMaps under its own ApplySet parent, and fleet options that retry once. */
function scenario(name: string, overrides: Partial<FleetOptions>): { objects: JsonObject[]; opts: FleetOptions } {
  const ns = `rec-${name}`;
  const objects = [namespace(ns), ...Array.from({ length: 150 }, (_, i) => configMap(ns, `cm-${i}`))];
  const opts: FleetOptions = { renderedCommit: 'e2e', kubeconfigPath: fleet.kubeconfigPath, parent: parentFor(name), retries: 1, retryBackoffMs: 300, ...overrides };
  return { objects, opts };
}

describe('reconcile on a real fleet: an outage', () => {
  it('one API server stopped mid-run: the others finish, it is Unreachable, and it recovers once restarted', async () => {
    let stopping: Promise<void> | undefined;
    const { objects, opts } = scenario('outage', {
      clusterTimeoutMs: 90_000,
      // A request the dying server accepted but never answers is Unreachable after this, well within the deadline.
      clientOptions: { requestTimeoutMs: 10_000 },
      log: (e) => {
        if (e.cluster === m2 && e.message.startsWith('stage rest') && stopping === undefined) stopping = fleet.control.stopApiServer(m2, { signal: 'SIGKILL' });
      },
    });
    const finished: string[] = [];
    try {
      const statuses = await reconcileFleet(
        names.map((cluster) => ({ cluster, tree: tree(objects) })),
        { ...opts, onResult: (s) => finished.push(s.cluster) },
      );
      await stopping;
      const byName = new Map(statuses.map((s) => [s.cluster, s]));
      for (const n of [m1, m3]) expect(byName.get(n)).toMatchObject({ result: 'Synced', summary: { objects: 151, failed: 0 } });
      const down = byName.get(m2) as ClusterStatus;
      expect(down.result).toBe('Unreachable');
      expect(ready(down)).toMatchObject({ status: 'False', reason: 'Unreachable', message: expect.stringMatching(/cannot reach the API server of cluster "member2" \(https:\/\/127\.0\.0\.1:\d+\)/) });
      expect(finished).toHaveLength(names.length);
    } finally {
      // Bring the cluster back even when an assertion above failed, so later tests see a whole fleet.
      await stopping;
      await fleet.control.startApiServer(m2);
    }
    const [back] = await reconcileFleet([{ cluster: m2, tree: tree(objects) }], { ...opts, log: undefined });
    expect(back?.result).toBe('Synced');
    expect((back?.summary.applied ?? 0) + (back?.summary.unchanged ?? 0)).toBe(151);
    // It really was cut mid-run: the namespace (stage 1) was there, some ConfigMaps were not.
    expect(back?.summary.unchanged).toBeGreaterThanOrEqual(1);
    expect(back?.summary.applied).toBeGreaterThan(0);
  });

  it('an API server that stops answering mid-run (frozen): Unreachable after the request timeout, and its leftover requests do not stall the retry', async () => {
    let freezing: Promise<void> | undefined;
    // Four requests in flight and a 1.5 s timeout: were the first attempt's ~146 queued requests
    // left running, they would hold the slots for ~55 s and the retry would miss the 20 s deadline.
    const { objects, opts } = scenario('frozen', {
      clusterTimeoutMs: 20_000,
      clientOptions: { requestTimeoutMs: 1500, maxInFlight: 4 },
      log: (e) => {
        if (e.cluster === m2 && e.message.startsWith('stage rest') && freezing === undefined) freezing = fleet.control.freezeApiServer(m2);
      },
    });
    try {
      const statuses = await reconcileFleet(
        names.map((cluster) => ({ cluster, tree: tree(objects) })),
        opts,
      );
      await freezing;
      const byName = new Map(statuses.map((s) => [s.cluster, s]));
      for (const n of [m1, m3]) expect(byName.get(n)).toMatchObject({ result: 'Synced', summary: { objects: 151, failed: 0 } });
      const down = byName.get(m2) as ClusterStatus;
      expect(down.result).toBe('Unreachable');
      expect(ready(down)?.message).toMatch(/cannot reach the API server of cluster "member2" .*(timeout|no answer)/);
    } finally {
      await freezing;
      await fleet.control.thawApiServer(m2);
    }
    const [back] = await reconcileFleet([{ cluster: m2, tree: tree(objects) }], { ...opts, clientOptions: undefined, log: undefined, clusterTimeoutMs: 90_000 });
    expect(back?.result).toBe('Synced');
    expect((back?.summary.applied ?? 0) + (back?.summary.unchanged ?? 0)).toBe(151);
  });
});
