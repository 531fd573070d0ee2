/**
 * End-to-end benchmark of `manifold render --commit` (issue 4), the way a CI
 * job runs it: the CLI as a child process on a git repository holding a
 * synthetic fleet (bench/generate.ts). Phases: cold (fresh clone, no
 * rendered branch), no-op (same inputs again), one template changed
 * (incremental), the same change with --full (what the incremental render
 * saves), and one policy changed (a full render by necessity). Reports wall
 * time (median of --runs), peak RSS (GNU time) and objects written.
 * Targets (performance-anchors.md §8): 1,000 × 1,000 cold ≤ 10 s, no-op
 * ≤ 1 s, one template ≤ 2 s touching only the affected files.
 *
 *   scripts/node24.sh node bench/commit-bench.ts --clusters 1000 --templates 1000 [--runs 3] [--bundle]
 *
 * --bundle runs dist/manifold.js (built by `npm run build`), the installed
 * form of the CLI, instead of the TypeScript sources.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateFleet, templateFile } from './generate.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '100' },
    templates: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
    bundle: { type: 'boolean', default: false },
  },
});
const clusters = Number(values.clusters);
const templates = Number(values.templates);
const runs = Number(values.runs);
const cli = values.bundle ? path.join(ROOT, 'dist', 'manifold.js') : path.join(ROOT, 'src', 'cli', 'main.ts');
if (!existsSync(cli)) throw new Error(`${cli} does not exist (npm run build)`);
const TIME = '/usr/bin/time';
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: gitEnv, encoding: 'utf8', maxBuffer: 1 << 26 });
}

interface Sample {
  wallMs: number;
  rssMb: number | undefined;
  written: number;
  incremental: boolean;
  stderr: string;
}

/** One CLI run; wall time measured here, peak RSS by GNU time when the machine has it. */
function run(dir: string, extra: string[] = []): Sample {
  const args = [process.execPath, '--max-old-space-size=3072', cli, 'render', dir, '--commit', ...extra];
  const timed = existsSync(TIME);
  const t0 = performance.now();
  const r = spawnSync(timed ? TIME : (args.shift() as string), timed ? ['-f', 'MAXRSS %M', ...args] : args, { encoding: 'utf8', env: gitEnv, maxBuffer: 1 << 26 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`render failed (${r.status}): ${r.stderr}`);
  const rss = /MAXRSS (\d+)/.exec(r.stderr);
  const written = /(\d+) object\(s\) written/.exec(r.stderr);
  return { wallMs, rssMb: rss ? Number(rss[1]) / 1024 : undefined, written: written ? Number(written[1]) : 0, incremental: r.stderr.includes('(incremental:'), stderr: r.stderr };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function edit(dir: string, file: string, from: RegExp, to: (m: string) => string, message: string): void {
  const abs = path.join(dir, file);
  const text = readFileSync(abs, 'utf8');
  if (!from.test(text)) throw new Error(`${file}: nothing matches ${from}`);
  writeFileSync(abs, text.replace(from, to));
  git(dir, 'commit', '-qam', message);
}

const rows: { phase: string; samples: Sample[] }[] = [];
const growth: number[] = [];

/** Bytes under a folder (the repository's object database). */
function bytesBelow(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) total += statSync(path.join(e.parentPath, e.name)).size;
  return total;
}
const origin = mkdtempSync(path.join(tmpdir(), 'manifold-commit-bench-'));
try {
  for (const [file, text] of generateFleet({ clusters, templates })) {
    const abs = path.join(origin, file);
    execFileSync('mkdir', ['-p', path.dirname(abs)]);
    writeFileSync(abs, text);
  }
  git(origin, 'init', '-q', '-b', 'main');
  git(origin, 'add', '-A');
  git(origin, 'commit', '-qm', 'fleet');
  const phases: Record<string, Sample[]> = { cold: [], noop: [], template: [], templateFull: [], policy: [] };
  for (let i = 0; i < runs; i++) {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'manifold-commit-run-')), 'fleet');
    git(tmpdir(), 'clone', '-q', origin, dir);
    const objectsBefore = bytesBelow(path.join(dir, '.git', 'objects'));
    phases.cold?.push(run(dir));
    growth.push(bytesBelow(path.join(dir, '.git', 'objects')) - objectsBefore);
    phases.noop?.push(run(dir));
    const tag = `9.${i}.0`;
    edit(dir, templateFile(7), /image: (\S+):\S+/, (m) => `${m.split(':').slice(0, -1).join(':')}:${tag}`, 'one template');
    const before = git(dir, 'rev-parse', 'refs/heads/manifold/rendered').trim();
    phases.template?.push(run(dir));
    git(dir, 'update-ref', 'refs/heads/manifold/rendered', before);
    phases.templateFull?.push(run(dir, ['--full']));
    edit(dir, `policies/${templateFile(7).split('/')[1]}/${path.basename(templateFile(7))}`, /weight: (\d+)/, (m) => `weight: ${Number(m.split(': ')[1]) + 1}`, 'one policy');
    phases.policy?.push(run(dir));
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
  const labels: Record<string, string> = {
    cold: 'cold: fresh clone, no rendered branch',
    noop: 'no-op: same inputs again',
    template: "one template's image changed (incremental)",
    templateFull: 'the same change with --full',
    policy: "one policy's weight changed (full render by necessity)",
  };
  for (const [phase, samples] of Object.entries(phases)) rows.push({ phase: labels[phase] ?? phase, samples });
} finally {
  rmSync(origin, { recursive: true, force: true });
}

console.log(`\nmanifold render --commit, ${clusters} clusters x ${templates} templates, ${values.bundle ? 'bundled CLI (dist/manifold.js)' : 'TypeScript sources'}, median of ${runs} run(s)\n`);
console.log(`\nThe cold commit adds ${(median(growth) / 1e6).toFixed(1)} MB to the repository's objects (identical contents are one blob).\n`);
console.log('| run | wall (median) | runs | peak RSS | objects written | incremental |');
console.log('|---|---:|---|---:|---:|---|');
for (const { phase, samples } of rows) {
  const walls = samples.map((s) => s.wallMs);
  const rss = samples.map((s) => s.rssMb).filter((x): x is number => x !== undefined);
  const all = walls.map((w) => (w / 1000).toFixed(2)).join(' / ');
  console.log(
    `| ${phase} | ${(median(walls) / 1000).toFixed(2)} s | ${all} | ${rss.length ? `${Math.round(Math.max(...rss))} MB` : 'n/a'} | ${median(samples.map((s) => s.written))} | ${samples.every((s) => s.incremental) ? 'yes' : samples.some((s) => s.incremental) ? 'some' : 'no'} |`,
  );
}
