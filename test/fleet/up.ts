// npm run fleet:up -- [--clusters N | --names a,b,…] [--nodes N] [--no-controller-manager] [--keep]
//
// Starts a test fleet, prints its kubeconfig, and stays up until Ctrl-C (or
// SIGTERM), then tears everything down.
import { parseArgs } from 'node:util';
import { serveControl } from './control.ts';
import { startFleet } from './fleet.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string' },
    names: { type: 'string' },
    nodes: { type: 'string', default: '2' },
    'no-controller-manager': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    [
      'usage: npm run fleet:up -- [--clusters N | --names a,b,...] [--nodes N] [--no-controller-manager] [--keep]',
      '  --clusters N              clusters member1..memberN (default 3)',
      '  --names eu-1,eu-2,...     name the clusters (and kubeconfig contexts) instead, e.g. after the inventory',
      '  --nodes N                 kwok fake nodes per cluster (default 2; 0 = no kwok)',
      '  --no-controller-manager   API servers only (no kube-controller-manager / kube-scheduler)',
      '  --keep                    keep the temporary folder (logs, certs) after exit',
      '',
    ].join('\n'),
  );
  process.exit(0);
}
if (values.names !== undefined && values.clusters !== undefined) throw new Error('give --clusters or --names, not both');
const names = values.names?.split(',').map((n) => n.trim()).filter((n) => n !== '');
if (names !== undefined && names.length === 0) throw new Error('--names needs at least one name');
const clusters = names?.length ?? Number(values.clusters ?? '3');
const kwokNodes = Number(values.nodes);
if (!Number.isInteger(clusters) || clusters < 1) throw new Error(`--clusters must be a positive integer, got ${values.clusters}`);
if (!Number.isInteger(kwokNodes) || kwokNodes < 0) throw new Error(`--nodes must be a non-negative integer, got ${values.nodes}`);

const started = Date.now();
const fleet = await startFleet({
  clusters,
  names,
  kwokNodes,
  controllerManager: !values['no-controller-manager'],
  keepDir: values.keep,
  log: (line) => process.stderr.write(`${line}\n`),
});
const control = await serveControl(fleet);

process.stdout.write(
  [
    '',
    `Test fleet up: ${clusters} cluster(s), Kubernetes ${fleet.k8sVersion}, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    '',
    `kubeconfig: ${fleet.kubeconfigPath}`,
    `  export KUBECONFIG=${fleet.kubeconfigPath}`,
    ...fleet.clusters.map((c) => `  kubectl --context ${c.name} get nodes      # ${c.server}`),
    '',
    `control: ${control.url}`,
    `  curl -X POST ${control.url}/clusters/${fleet.clusters[0]?.name ?? 'member1'}/stop    (and .../start)`,
    `logs: ${fleet.dir}/logs`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
const shutdown = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`\n${signal}: stopping the fleet...\n`);
  void control
    .close()
    .then(() => fleet.stop())
    .then(() => {
      process.stderr.write('fleet stopped\n');
      process.exit(0);
    });
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
process.on('SIGHUP', shutdown);
