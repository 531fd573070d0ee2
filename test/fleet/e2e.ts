// Test-side access to the fleet started by global-setup.ts, for
// test/e2e/**/*.e2e.test.ts files.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { FleetControl } from './control.ts';
import type { FleetContext } from './global-setup.ts';

export interface FleetHandle extends FleetContext {
  control: FleetControl;
  /** A KubeConfig loaded from the fleet kubeconfig with `context` current. */
  kubeConfig(context: string): KubeConfig;
}

export function useFleet(): FleetHandle {
  const ctx = inject('fleet');
  if (!ctx) throw new Error('no fleet was provided: run e2e tests through the vitest `e2e` project (test/fleet/global-setup.ts)');
  return {
    ...ctx,
    control: new FleetControl(ctx.controlUrl),
    kubeConfig(context: string): KubeConfig {
      const kc = new KubeConfig();
      kc.loadFromFile(ctx.kubeconfigPath);
      kc.setCurrentContext(context);
      return kc;
    },
  };
}

const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/**
 * Deletes every namespace earlier e2e files left on the shared fleet (they run
 * one file at a time, so nothing else is using them) and waits until their
 * pods are gone. Tests whose assertions are capacity arithmetic (the live
 * resourceSummary of failover and auto-migration) call it first: pods other
 * files left behind would otherwise count as allocated.
 */
export async function clearWorkloads(fleet: FleetHandle, clusters: readonly string[], timeoutMs = 180_000): Promise<void> {
  const apis = clusters.map((c) => fleet.kubeConfig(c).makeApiClient(CoreV1Api));
  await Promise.all(
    apis.map(async (api) => {
      for (const ns of (await api.listNamespace()).items) {
        const name = ns.metadata?.name ?? '';
        if (!SYSTEM_NAMESPACES.has(name) && ns.status?.phase !== 'Terminating') await api.deleteNamespace({ name }).catch(() => undefined);
      }
    }),
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await Promise.all(apis.map(async (api) => (await api.listPodForAllNamespaces()).items.filter((p) => !SYSTEM_NAMESPACES.has(p.metadata?.namespace ?? '')).length));
    const namespaces = await Promise.all(apis.map(async (api) => (await api.listNamespace()).items.filter((n) => !SYSTEM_NAMESPACES.has(n.metadata?.name ?? '')).length));
    if (left.every((n) => n === 0) && namespaces.every((n) => n === 0)) return;
    if (Date.now() > deadline) throw new Error(`the fleet still has ${left.join('/')} pods and ${namespaces.join('/')} namespaces of earlier tests after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
