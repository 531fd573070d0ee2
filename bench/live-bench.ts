/**
 * What reading a cluster's live state costs (issue 14 item 1): one test-fleet
 * cluster with kube-controller-manager, kube-scheduler and N kwok nodes runs
 * P pods (one Deployment, 1m CPU and 1Mi each, plus one pod no node can take);
 * then observeCluster (src/reconcile/observe.ts: /readyz, /version, one paged
 * LIST of nodes, one paged LIST of unfinished pods; discovery passed in, as
 * the reconcile has it) runs R times with a fresh client each, so connections
 * are counted too. Prints requests and milliseconds per observation.
 *
 *   scripts/node24.sh node bench/live-bench.ts [--nodes 10] [--pods 1000] [--repeat 5]
 */
import { parseArgs } from 'node:util';
import type { JsonObject } from '../src/model/types.ts';
import { type ApiResource, KubeClient } from '../src/reconcile/kube.ts';
import { observeCluster } from '../src/reconcile/observe.ts';
import { startFleet } from '../test/fleet/fleet.ts';

const { values: args } = parseArgs({
  options: { nodes: { type: 'string', default: '10' }, pods: { type: 'string', default: '1000' }, repeat: { type: 'string', default: '5' } },
});
const NODES = Number(args.nodes);
const PODS = Number(args.pods);
const REPEAT = Number(args.repeat);

const deployments: ApiResource = { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, verbs: [] };
const namespaces: ApiResource = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, verbs: [] };
const pods: ApiResource = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, verbs: [] };

const deployment = (name: string, replicas: number, cpu: string): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'live-bench' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu, memory: '1Mi' } } }] } },
  },
});

const fleet = await startFleet({ clusters: 1, controllerManager: true, kwokNodes: NODES, log: (l) => process.stderr.write(`${l}\n`) });
try {
  const cluster = fleet.clusters[0]?.name as string;
  const client = KubeClient.create(cluster, { mode: 'kubeconfig', kubeconfigPath: fleet.kubeconfigPath, context: cluster });
  await client.apply(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'live-bench' } }, { fieldManager: 'bench' });
  await client.apply(deployments, deployment('many', PODS, '1m'), { fieldManager: 'bench' });
  await client.apply(deployments, deployment('too-big', 1, '100000'), { fieldManager: 'bench' });
  const started = Date.now();
  for (;;) {
    const list = await client.list(pods, { namespace: 'live-bench' });
    const running = list.filter((p) => (p.status as JsonObject | undefined)?.phase === 'Running').length;
    if (running >= PODS) break;
    if (Date.now() - started > 600_000) throw new Error(`only ${running} of ${PODS} pods Running after 10 min`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  process.stderr.write(`${PODS} pods Running on ${NODES} kwok nodes after ${Math.round((Date.now() - started) / 1000)} s\n`);
  const discovery = await client.resources();
  await client.close();

  const runs: Array<{ requests: number; ms: number }> = [];
  let last: Awaited<ReturnType<typeof observeCluster>> | undefined;
  for (let i = 0; i < REPEAT; i++) {
    const fresh = KubeClient.create(cluster, { mode: 'kubeconfig', kubeconfigPath: fleet.kubeconfigPath, context: cluster });
    const t0 = performance.now();
    last = await observeCluster({ client: fresh, discovery, workloads: [] });
    runs.push({ requests: fresh.requests, ms: Math.round(performance.now() - t0) });
    await fresh.close();
  }
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const median = sorted[Math.floor(sorted.length / 2)] as { requests: number; ms: number };
  console.log(
    JSON.stringify({ nodes: NODES, pods: PODS, requests: median.requests, medianMs: median.ms, runsMs: runs.map((r) => r.ms), resourceSummary: last?.live.resourceSummary, nodeSummary: last?.live.nodeSummary }, null, 2),
  );
} finally {
  await fleet.stop();
}
