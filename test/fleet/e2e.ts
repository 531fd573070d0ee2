// Test-side access to the fleet started by global-setup.ts, for
// test/e2e/**/*.e2e.test.ts files.
import { KubeConfig } from '@kubernetes/client-node';
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
