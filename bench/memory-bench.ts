/**
 * Time and peak memory of the CLI on the worst-case fleet and on the shared
 * one (issue 19), side by side, at several fleet sizes. For each variant and
 * cluster count, on a fresh git repository holding the fleet of
 * bench/generate.ts:
 *
 *   cold      `render --commit` on a fresh clone (no rendered branch)
 *   no-op     `render --commit` again, same inputs
 *   template  one template's image changed, `render --commit` (incremental)
 *   out       `render --out DIR` into a new folder
 *   out again `render --out DIR` again into the folder holding that render
 *   floor     the same number of files of the same sizes written by a bare
 *             Node loop (mkdir + writeFileSync), the file-system floor for `out`
 *
 * Each phase runs the CLI as a user does (bin/manifold.js on the bundle,
 * which this script builds first) as a child process under GNU time (wall, user,
 * system, peak RSS); the load average is read before each. Prints one
 * markdown table.
 *
 *   scripts/node24.sh node bench/memory-bench.ts --clusters 100,300 --templates 1000 --variants per-cluster,shared [--runs 1] [--phases cold,noop,template,out,again,floor] [--work DIR (kept afterwards)]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateFleet, templateFile, type FleetVariant } from './generate.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
// As users run it: the `manifold` command (bin/manifold.js) on the bundle, built once here from the current sources.
const CLI = path.join(ROOT, 'bin', 'manifold.js');
const TIME = '/usr/bin/time';
const ALL_PHASES = ['cold', 'noop', 'template', 'out', 'again', 'floor'] as const;
type Phase = (typeof ALL_PHASES)[number];
const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '100,300' },
    templates: { type: 'string', default: '1000' },
    variants: { type: 'string', default: 'per-cluster,shared' },
    runs: { type: 'string', default: '1' },
    phases: { type: 'string', default: ALL_PHASES.join(',') },
    work: { type: 'string' },
  },
});
const clusterCounts = values.clusters.split(',').map(Number);
const templates = Number(values.templates);
const variants = values.variants.split(',') as FleetVariant[];
const runs = Number(values.runs);
const phases = new Set(values.phases.split(',') as Phase[]);
if (!existsSync(TIME)) throw new Error(`${TIME} (GNU time) is needed for peak RSS`);
execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.ts')], { cwd: ROOT, stdio: 'inherit' });

interface Sample {
  wall: number;
  user: number;
  sys: number;
  rssMb: number;
  load: number;
  note: string;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: gitEnv, encoding: 'utf8', maxBuffer: 1 << 26 });
}

/** One process under GNU time; throws on a non-zero exit. */
function timed(args: string[], note: (stderr: string) => string = () => ''): Sample {
  // Dirty pages of the previous phase (a 2 M-file tree, a clone) would be written back during this
  // one: on this disk that slowed the next phase by up to 2x, at random.
  execFileSync('sync');
  const load = loadavg()[0] as number;
  const r = spawnSync(TIME, ['-f', 'TIMED %e %U %S %M', ...args], { encoding: 'utf8', env: gitEnv, maxBuffer: 1 << 28 });
  const m = /TIMED ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || m === null) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { wall: Number(m[1]), user: Number(m[2]), sys: Number(m[3]), rssMb: Number(m[4]) / 1024, load, note: note(r.stderr) };
}

function manifold(...args: string[]): Sample {
  return timed([process.execPath, CLI, ...args], (stderr) => {
    const written = /(\d+) object\(s\) written/.exec(stderr);
    const rendered = /rendered (\d+) objects/.exec(stderr);
    return [written ? `${written[1]} objects written` : '', rendered ? `${rendered[1]} files` : '', stderr.includes('(incremental:') ? 'incremental' : '', stderr.includes('unchanged at') ? 'no commit' : '']
      .filter((s) => s !== '')
      .join(', ');
  });
}

/** The floor for `render --out`: the same files (paths and sizes) written by a bare loop in a fresh process. */
const FLOOR = `
const { mkdirSync, writeFileSync, readFileSync } = require('node:fs');
const [list, out] = process.argv.slice(1);
const entries = readFileSync(list, 'utf8').split('\\n').filter(Boolean).map((l) => l.split('\\t'));
const big = Buffer.alloc(entries.reduce((m, e) => Math.max(m, Number(e[1])), 1), 'x');
const t0 = performance.now();
const made = new Set();
for (const [file, size] of entries) {
  const dir = out + '/' + file.slice(0, file.lastIndexOf('/'));
  if (!made.has(dir)) { mkdirSync(dir, { recursive: true }); made.add(dir); }
  writeFileSync(out + '/' + file, big.subarray(0, Number(size)));
}
process.stderr.write('FLOOR ' + ((performance.now() - t0) / 1000).toFixed(2) + '\\n');`;

function fileList(dir: string): { list: string; files: number; bytes: number } {
  const lines: string[] = [];
  let bytes = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const rel = path.relative(dir, path.join(e.parentPath, e.name));
    const size = statSync(path.join(e.parentPath, e.name)).size;
    bytes += size;
    lines.push(`${rel}\t${size}`);
  }
  const list = path.join(path.dirname(dir), 'files.tsv');
  writeFileSync(list, `${lines.join('\n')}\n`);
  return { list, files: lines.length, bytes };
}

const LABELS: Record<Phase, string> = {
  cold: 'cold `render --commit`',
  noop: 'no-op `render --commit`',
  template: 'one template changed',
  out: '`render --out` (new folder)',
  again: '`render --out` again (same folder)',
  floor: 'file-system floor (same files, bare loop)',
};

const work = values.work ?? mkdtempSync(path.join(tmpdir(), 'manifold-memory-bench-'));
/**
 * Trees are removed after the last phase, not between phases: on the test
 * machine's disk (ext4, online discard, in a VM) removing 2 M files takes
 * minutes and slows writes for long after, which made the phase after a
 * removal 2-9x slower at random.
 */
const removeAtEnd: string[] = [];
const rows: { variant: string; clusters: number; phase: Phase; samples: Sample[] }[] = [];

function record(variant: string, clusters: number, phase: Phase, sample: Sample): void {
  let row = rows.find((r) => r.variant === variant && r.clusters === clusters && r.phase === phase);
  if (row === undefined) rows.push((row = { variant, clusters, phase, samples: [] }));
  row.samples.push(sample);
  process.stderr.write(`${variant} ${clusters} ${phase}: ${sample.wall} s, ${Math.round(sample.rssMb)} MB, load ${sample.load.toFixed(1)} ${sample.note}\n`);
}

try {
  for (const variant of variants) {
    for (const clusters of clusterCounts) {
      const origin = path.join(work, `${variant}-${clusters}`, 'origin');
      rmSync(path.dirname(origin), { recursive: true, force: true });
      for (const [file, text] of generateFleet({ clusters, templates, variant })) {
        mkdirSync(path.dirname(path.join(origin, file)), { recursive: true });
        writeFileSync(path.join(origin, file), text);
      }
      git(origin, 'init', '-q', '-b', 'main');
      git(origin, 'add', '-A');
      git(origin, 'commit', '-qm', 'fleet');
      for (let run = 0; run < runs; run++) {
        const clone = path.join(path.dirname(origin), `clone-${run}`);
        // --no-local: objects copied, not hard-linked, and only main's: a cold repository.
        git(work, 'clone', '-q', '--no-local', '--single-branch', '-b', 'main', origin, clone);
        if (phases.has('cold')) record(variant, clusters, 'cold', manifold('render', clone, '--commit'));
        if (phases.has('noop')) record(variant, clusters, 'noop', manifold('render', clone, '--commit'));
        if (phases.has('template')) {
          const file = path.join(clone, templateFile(7));
          writeFileSync(file, readFileSync(file, 'utf8').replace(/image: (\S+):\S+/, (_m, image: string) => `image: ${image}:9.${run}.0`));
          git(clone, 'commit', '-qam', 'one template');
          record(variant, clusters, 'template', manifold('render', clone, '--commit'));
        }
        const out = path.join(path.dirname(origin), `out-${run}`, 'rendered');
        if (phases.has('out')) record(variant, clusters, 'out', manifold('render', clone, '--out', out));
        if (phases.has('again') && existsSync(out)) record(variant, clusters, 'again', manifold('render', clone, '--out', out));
        if (phases.has('floor') && existsSync(out)) {
          const { list, files, bytes } = fileList(out);
          const floorOut = path.join(path.dirname(out), 'floor');
          const s = timed([process.execPath, '-e', FLOOR, list, floorOut]);
          record(variant, clusters, 'floor', { ...s, note: `${files} files, ${(bytes / 1e6).toFixed(0)} MB` });
        }
      }
      removeAtEnd.push(path.dirname(origin));
    }
  }
} finally {
  printTable();
  // With --work the trees stay for the caller to remove (removing millions of files takes minutes here).
  if (values.work === undefined) for (const dir of [...removeAtEnd, work]) rmSync(dir, { recursive: true, force: true });
}

function printTable(): void {
  console.log(`\n${templates} templates, ${runs} run(s) each; wall / CPU (user + sys) / peak RSS; load = 1-min load average before the run\n`);
  console.log('| variant | clusters | run | wall (s) | CPU user + sys (s) | peak RSS | load | notes |');
  console.log('|---|---:|---|---:|---:|---:|---:|---|');
  for (const r of rows) {
    const walls = r.samples.map((s) => s.wall).sort((a, b) => a - b);
    const mid = walls[Math.floor(walls.length / 2)] as number;
    const s = r.samples.find((x) => x.wall === mid) as Sample;
    const all = r.samples.length > 1 ? ` (${r.samples.map((x) => x.wall.toFixed(1)).join(' / ')})` : '';
    console.log(
      `| ${r.variant} | ${r.clusters} | ${LABELS[r.phase]} | ${mid.toFixed(2)}${all} | ${s.user.toFixed(1)} + ${s.sys.toFixed(1)} | ${Math.round(Math.max(...r.samples.map((x) => x.rssMb)))} MB | ${s.load.toFixed(1)} | ${s.note} |`,
    );
  }
}
