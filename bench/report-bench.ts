/**
 * The report branch at fleet scale (issue 17 item 2): N status files, then
 * single-cluster report writes as sharded replicas make them (each replica
 * writes only its own clusters, one commit at a time). Measures planReport
 * (read the tip, replace one file, rebuild README.md from every status file)
 * and a whole writeReport on a local repository. Before the parsed-status
 * cache, every write re-read and re-validated all N files: N writes cost N².
 *
 *   scripts/node24.sh node bench/report-bench.ts --clusters 1000 [--writes 50]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openRepository } from '../src/git/repo.ts';
import { planReport, writeReport } from '../src/reconcile/report.ts';
import { readRef } from '../src/git/repo.ts';
import { sampleStatus } from '../test/report/statuses.ts';

const { values } = parseArgs({ options: { clusters: { type: 'string', default: '1000' }, writes: { type: 'string', default: '50' } } });
const clusters = Number(values.clusters);
const writes = Number(values.writes);
const dir = mkdtempSync(path.join(tmpdir(), 'manifold-report-bench-'));
try {
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', dir]);
  const repo = openRepository(dir);
  const names = Array.from({ length: clusters }, (_, i) => `member-${String(i).padStart(5, '0')}`);
  let t = performance.now();
  await writeReport({ repo }, names.map((c) => sampleStatus(c)));
  const initialMs = performance.now() - t;
  const ref = 'refs/heads/manifold/status';
  const plans: number[] = [];
  const commits: number[] = [];
  for (let i = 0; i < writes; i++) {
    const cluster = names[(i * 7919) % clusters] as string;
    const status = sampleStatus(cluster, { result: i % 2 === 0 ? 'Degraded' : 'Synced' });
    const tip = await readRef(repo, ref);
    t = performance.now();
    await planReport(repo, tip, [status]);
    plans.push(performance.now() - t);
    t = performance.now();
    await writeReport({ repo }, [status]);
    commits.push(performance.now() - t);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  process.stdout.write(
    `${clusters} status files: first report ${initialMs.toFixed(0)} ms; one-cluster write: planReport median ${median(plans).toFixed(1)} ms (first ${plans[0]?.toFixed(1)} ms), writeReport median ${median(commits).toFixed(1)} ms over ${writes} writes\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
