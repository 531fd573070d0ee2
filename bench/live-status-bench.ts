/**
 * Render time with live status against without (issue 14): the benchmark
 * fleet (bench/generate.ts, default 1,000 clusters × 1,000 templates) and a
 * report of one status file per cluster, every cluster with a live
 * resourceSummary and every tenth one unreachable for ten minutes. Both
 * renders run in this process on the same loaded source (load excluded),
 * alternating, `--runs` times each; wall and CPU time per render.
 *
 *   scripts/node24.sh node bench/live-status-bench.ts [--clusters 1000] [--templates 1000] [--runs 3] [--failover]
 *
 * With --failover the status render is the one `manifold failover` makes
 * (NoExecute taints past a 300 s grace period, eviction per template).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { clusterStatus, writeReport, type ClusterReport } from '../test/helpers/report.ts';
import { readLiveStatus } from '../src/app/live.ts';
import { loadSourceFolder } from '../src/app/source.ts';
import { dialects } from '../src/dialects/index.ts';
import { render } from '../src/render/render.ts';
import { clusterName, generateFleet, writeFleet } from './generate.ts';

const { values } = parseArgs({ options: { clusters: { type: 'string', default: '1000' }, templates: { type: 'string', default: '1000' }, runs: { type: 'string', default: '3' }, failover: { type: 'boolean', default: false } } });
const clusters = Number(values.clusters);
const templates = Number(values.templates);
const runs = Number(values.runs);
const now = '2026-12-06T10:00:00Z';

const work = mkdtempSync(path.join(os.tmpdir(), 'manifold-live-bench-'));
try {
  const source = path.join(work, 'fleet');
  await writeFleet(source, generateFleet({ clusters, templates }));
  const report: Record<string, ReturnType<typeof clusterStatus>> = {};
  for (let i = 0; i < clusters; i++) {
    const r: ClusterReport =
      i % 10 === 0
        ? { ready: 'Unknown', since: '2026-12-06T09:50:00Z', allocatable: { cpu: '64', memory: '256Gi', pods: '1100' }, allocated: { cpu: '8', memory: '16Gi', pods: '40' } }
        : { ready: 'True', since: '2026-12-01T00:00:00Z', allocatable: { cpu: '64', memory: '256Gi', pods: '1100' }, allocated: { cpu: '8', memory: '16Gi', pods: '40' } };
    report[clusterName(i)] = clusterStatus(clusterName(i), { ...r, observedAt: now });
  }
  const reportDir = writeReport(path.join(work, 'report'), report);
  const repo = await loadSourceFolder({ source });
  const live = await readLiveStatus({ status: reportDir, now, source }, repo.settings, values.failover ? { gracePeriodSeconds: 300 } : undefined);
  const options = { manifoldVersion: 'bench' };
  const time = (withStatus: boolean): { wallMs: number; cpuMs: number; files: number } => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = render(repo, dialects, withStatus ? { ...options, live } : options);
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    let files = 0;
    for (const f of result.clusters.values()) files += f.size;
    return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, files };
  };
  // One untimed render of each kind first: JIT warm-up.
  time(false);
  time(true);
  const rows: string[] = [];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const without: number[] = [];
  const withLive: number[] = [];
  for (let run = 0; run < runs; run++) {
    for (const withStatus of [false, true]) {
      const r = time(withStatus);
      (withStatus ? withLive : without).push(r.wallMs);
      rows.push(`| ${run + 1} | ${withStatus ? `with --status${values.failover ? ' (failover)' : ''}` : 'without'} | ${r.files.toLocaleString('en')} | ${(r.wallMs / 1000).toFixed(2)} s | ${(r.cpuMs / 1000).toFixed(2)} s |`);
    }
  }
  console.log(`${clusters.toLocaleString('en')} clusters × ${templates.toLocaleString('en')} templates, report of ${clusters} status files (every tenth unreachable), load average ${os.loadavg()[0]?.toFixed(1)}`);
  console.log('| run | render | files | wall | CPU |\n|---|---|---:|---:|---:|');
  for (const row of rows) console.log(row);
  console.log(`median wall: without ${(median(without) / 1000).toFixed(2)} s, with --status ${(median(withLive) / 1000).toFixed(2)} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
