// Measures the test fleet: start time (binaries already built) and resident
// memory per cluster, with kube-controller-manager, kube-scheduler and kwok.
//
//   scripts/node24.sh node test/fleet/measure.ts [--clusters 5] [--nodes 3] [--settle 20]
//
// Starts a fleet, applies a 2-replica Deployment to every cluster and waits for
// it to become Available, lets things settle, then samples VmRSS (and the peak,
// VmHWM) of every process from /proc. Prints a Markdown table for bench/RESULTS.md.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { ensureBinaries } from './binaries.ts';
import { type Fleet, startFleet } from './fleet.ts';
import { kubeRequest, sleep, waitFor } from './kube.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '5' },
    nodes: { type: 'string', default: '3' },
    settle: { type: 'string', default: '20' },
  },
});
const clusters = Number(values.clusters);
const kwokNodes = Number(values.nodes);
const settleSeconds = Number(values.settle);

function memKiB(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

const mib = (kib: number): string => (kib / 1024).toFixed(0);

async function rollOut(fleet: Fleet): Promise<number> {
  const t0 = Date.now();
  await Promise.all(
    fleet.clusters.map(async (c) => {
      const body = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'measure', namespace: 'default' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'measure' } },
          template: { metadata: { labels: { app: 'measure' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } },
        },
      };
      const r = await kubeRequest(c, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/measure?fieldManager=measure&force=true', body, {
        contentType: 'application/apply-patch+yaml',
      });
      if (r.status >= 300) throw new Error(`apply to ${c.name}: HTTP ${r.status} ${r.body}`);
      await waitFor(
        `Deployment measure Available in ${c.name}`,
        async () => {
          const g = await kubeRequest(c, 'GET', '/apis/apps/v1/namespaces/default/deployments/measure');
          const d = JSON.parse(g.body) as { status?: { availableReplicas?: number } };
          return d.status?.availableReplicas === 2 ? true : undefined;
        },
        120_000,
        250,
      );
    }),
  );
  return Date.now() - t0;
}

const { k8sVersion } = await ensureBinaries();
process.stderr.write(`measuring: ${clusters} clusters, ${kwokNodes} kwok nodes each, Kubernetes ${k8sVersion}\n`);

// Warm the page cache once so that the timed start does not include reading the binaries from disk.
const warm = await startFleet({ clusters: 1, controllerManager: true, kwokNodes: 1 });
await warm.stop();

const t1 = Date.now();
const single = await startFleet({ clusters: 1, controllerManager: true, kwokNodes });
const singleMs = Date.now() - t1;
await single.stop();

const t0 = Date.now();
const fleet = await startFleet({ clusters, controllerManager: true, kwokNodes, log: (l) => process.stderr.write(`${l}\n`) });
const startMs = Date.now() - t0;
try {
  const rolloutMs = await rollOut(fleet);
  await sleep(settleSeconds * 1000);
  const procs = fleet.processes().filter((p) => p.running);
  const byCluster = new Map<string, Map<string, { rss: number; hwm: number }>>();
  let etcd = { rss: 0, hwm: 0 };
  for (const p of procs) {
    const m = memKiB(p.pid);
    if (p.cluster === undefined) {
      etcd = m;
      continue;
    }
    const comps = byCluster.get(p.cluster) ?? new Map<string, { rss: number; hwm: number }>();
    comps.set(p.component, m);
    byCluster.set(p.cluster, comps);
  }
  const components = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'];
  const rows: string[] = [];
  let total = etcd.rss;
  let totalHwm = etcd.hwm;
  for (const [name, comps] of byCluster) {
    const sum = [...comps.values()].reduce((a, m) => a + m.rss, 0);
    total += sum;
    totalHwm += [...comps.values()].reduce((a, m) => a + m.hwm, 0);
    rows.push(`| ${name} | ${components.map((c) => mib(comps.get(c)?.rss ?? 0)).join(' | ')} | **${mib(sum)}** |`);
  }
  const perCluster = (total - etcd.rss) / byCluster.size;
  const out = [
    `Measured ${new Date().toISOString().slice(0, 10)} with \`scripts/node24.sh node test/fleet/measure.ts --clusters ${clusters} --nodes ${kwokNodes}\``,
    `(${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM; Kubernetes ${k8sVersion}; binaries already built).`,
    '',
    '| | value |',
    '|---|---|',
    `| start, 1 cluster (etcd + apiserver + KCM + scheduler + kwok, ${kwokNodes} nodes Ready) | ${(singleMs / 1000).toFixed(1)} s |`,
    `| start, ${clusters} clusters (same, all Ready) | ${(startMs / 1000).toFixed(1)} s (${(startMs / 1000 / clusters).toFixed(1)} s per cluster) |`,
    `| 2-replica Deployment Available in all ${clusters} clusters | ${(rolloutMs / 1000).toFixed(1)} s |`,
    `| RSS total, ${clusters} clusters + shared etcd | ${mib(total)} MiB (sum of peaks ${mib(totalHwm)} MiB) |`,
    `| RSS per cluster (average) | ${mib(perCluster)} MiB |`,
    `| RSS shared etcd | ${mib(etcd.rss)} MiB |`,
    '',
    `RSS (MiB) after the rollout and ${settleSeconds} s of settling:`,
    '',
    `| cluster | ${components.join(' | ')} | total |`,
    `|---|${components.map(() => '---:').join('|')}|---:|`,
    ...rows,
    '',
  ].join('\n');
  process.stdout.write(`${out}\n`);
} finally {
  await fleet.stop();
}
