// Vitest global setup of the `e2e` project: starts one test fleet for the whole
// run and hands its kubeconfig (and a control URL for fault tests) to the test
// files through provide/inject; see test/fleet/e2e.ts for the test side.
//
// Builds the binaries first when they are missing and Go is available; fails
// with an explicit message when neither Go nor KUBEBUILDER_ASSETS is there.
// MANIFOLD_FLEET_CLUSTERS and MANIFOLD_FLEET_NODES override the size.
import type { TestProject } from 'vitest/node';
import { serveControl } from './control.ts';
import { type FleetCluster, startFleet } from './fleet.ts';

export interface FleetContext {
  kubeconfigPath: string;
  k8sVersion: string;
  clusters: FleetCluster[];
  /** URL of the control endpoint (see control.ts). */
  controlUrl: string;
  controllerManager: boolean;
  kwokNodes: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    fleet: FleetContext;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const clusters = Number(process.env.MANIFOLD_FLEET_CLUSTERS ?? 3);
  const kwokNodes = Number(process.env.MANIFOLD_FLEET_NODES ?? 2);
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  const fleet = await startFleet({ clusters, controllerManager: true, kwokNodes, log });
  const control = await serveControl(fleet);
  project.provide('fleet', {
    kubeconfigPath: fleet.kubeconfigPath,
    k8sVersion: fleet.k8sVersion,
    clusters: [...fleet.clusters],
    controlUrl: control.url,
    controllerManager: true,
    kwokNodes,
  });
  return async () => {
    await control.close();
    await fleet.stop();
  };
}
