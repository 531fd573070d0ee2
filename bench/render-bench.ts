/**
 * The render benchmark of issue 2 (`npm run bench`).
 *
 * For each large scenario (100 clusters × 1,000 templates and 1,000 × 100,
 * about 200,000 rendered objects each): the CLI render end to end in a child
 * process into a fresh folder (wall time, CPU time and peak RSS of the child),
 * then the floor: the same number of files with the same sizes in the same
 * directories written by plain Node `fs` (writeFileSync in a loop) in another
 * child. On a shared subset (50 × 200) the same output is produced by
 * `kubectl kustomize`, one overlay per cluster run one after the other, and
 * checked object by object against Manifold's.
 *
 * Results go to stdout and to bench/RESULTS.md under "## Render (issue 2)";
 * other sections of that file are kept.
 *
 *   scripts/node24.sh node bench/render-bench.ts [--runs N] [--work DIR] [--keep]
 *     [--only 100x1000,1000x100] [--skip-kustomize] [--profile] [--no-results]
 *
 * Output folders are deleted only at the end, and a run waits until the
 * previous run's cleanup is 6.5 minutes old (`--no-wait` skips that): on ext4
 * without a journal (this machine's root filesystem) inode allocation skips
 * every inode freed in the last 60 s, or 360 s while its inode table block is
 * dirty (fs/ext4/ialloc.c recently_deleted, RECENTCY_MIN and RECENTCY_DIRTY),
 * and each skip costs a buffer lookup. Right after a run deleted its million
 * files, writing 200,000 new ones took 74 s of system time instead of 8 s,
 * for the render and the floor alike.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAll } from 'js-yaml';
import { appName, generateFleet, namespaceOf, templateFile, writeFleet } from './generate.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const CLI = path.join(REPO, 'src/cli/main.ts');
const RESULTS = path.join(REPO, 'bench/RESULTS.md');
const SECTION = '## Render (issue 2)';

/** When the last run removed its work folder (see the header). */
const CLEANUP_MARK = path.join(os.tmpdir(), 'manifold-render-bench.cleanup');
const QUIET_MS = 6.5 * 60_000;

const TARGET_SECONDS = 15;
const TARGET_RSS_MB = 1024;
const TARGET_KUSTOMIZE_RATIO = 10;

interface Usage {
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
  stderr: string;
}

/** Written into the work folder: records the child's own resource usage when it exits. */
const PROBE = `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ user: u.userCPUTime, system: u.systemCPUTime, maxRSS: u.maxRSS }));
});
`;

/** Written into the work folder: the floor, plain fs writes of a manifest of (path, size). */
const FLOOR = `import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const [manifestFile, root] = process.argv.slice(2);
// Path order, as the renderer writes: files of one folder one after the other.
const files = JSON.parse(readFileSync(manifestFile, 'utf8')).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
const largest = files.reduce((m, [, size]) => Math.max(m, size), 0);
const bytes = Buffer.alloc(largest, 0x78);
const start = performance.now();
const dirs = new Set(files.map(([file]) => path.dirname(file)));
for (const dir of dirs) mkdirSync(path.join(root, dir), { recursive: true });
for (const [file, size] of files) writeFileSync(path.join(root, file), bytes.subarray(0, size));
process.stdout.write(JSON.stringify({ writeMs: performance.now() - start }));
`;

function runChild(work: string, args: readonly string[], label: string): Promise<Usage & { stdout: string }> {
  const usageFile = path.join(work, `usage-${label}.json`);
  const probe = pathToFileURL(path.join(work, 'probe.mjs')).href;
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', probe, ...args], {
      cwd: REPO,
      env: { ...process.env, BENCH_USAGE_FILE: usageFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - start;
      if (code !== 0) return reject(new Error(`${label} exited with ${code}: ${stderr.slice(-2000)}`));
      const u = JSON.parse(readFileSync(usageFile, 'utf8')) as { user: number; system: number; maxRSS: number };
      resolve({ wallMs, cpuMs: (u.user + u.system) / 1000, maxRssMb: u.maxRSS / 1024, stdout, stderr });
    });
  });
}

/** Every file below `root` as [relative path, size], in walk order. */
function manifestOf(root: string): [string, number][] {
  const out: [string, number][] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = path.join(entry.parentPath, entry.name);
    out.push([path.relative(root, abs), lstatSync(abs).size]);
  }
  return out;
}

interface RenderRun extends Usage {
  objects: number;
  out: string;
}

async function renderOnce(work: string, source: string, label: string, profile: boolean): Promise<RenderRun> {
  const out = path.join(work, `out-${label}`);
  const flags = profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(work, 'profiles')}`] : [];
  const run = await runChild(work, [...flags, CLI, 'render', source, '--out', out], label);
  const objects = Number(/rendered (\d+) objects/.exec(run.stderr)?.[1] ?? NaN);
  return { ...run, objects, out };
}

/** Best (lowest wall time) of `runs` renders, each into its own fresh folder. */
async function renderBest(work: string, source: string, name: string, runs: number, profile: boolean): Promise<RenderRun> {
  let best: RenderRun | undefined;
  for (let i = 0; i < runs; i++) {
    const run = await renderOnce(work, source, `${name}-${i}`, profile);
    log(`  render ${name} #${i + 1}: ${secs(run.wallMs)} s wall, ${secs(run.cpuMs)} s CPU, ${run.maxRssMb.toFixed(0)} MB, ${run.objects} objects`);
    if (best === undefined || run.wallMs < best.wallMs) best = run;
  }
  return best as RenderRun;
}

interface FloorRun extends Usage {
  writeMs: number;
  files: number;
  bytes: number;
}

async function floorOf(work: string, renderOut: string, name: string): Promise<FloorRun> {
  const manifest = manifestOf(renderOut);
  const manifestFile = path.join(work, `manifest-${name}.json`);
  writeFileSync(manifestFile, JSON.stringify(manifest));
  const run = await runChild(work, [path.join(work, 'floor.mjs'), manifestFile, path.join(work, `floor-${name}`)], `floor-${name}`);
  const { writeMs } = JSON.parse(run.stdout) as { writeMs: number };
  const bytes = manifest.reduce((n, [, size]) => n + size, 0);
  log(`  floor ${name}: ${manifest.length} files, ${(bytes / 1e6).toFixed(0)} MB, ${secs(writeMs)} s writing (${secs(run.wallMs)} s process)`);
  return { ...run, writeMs, files: manifest.length, bytes };
}

interface ScenarioResult {
  name: string;
  clusters: number;
  templates: number;
  render: RenderRun;
  floor: FloorRun;
}

async function scenario(work: string, clusters: number, templates: number, runs: number, profile: boolean): Promise<ScenarioResult> {
  const name = `${clusters}x${templates}`;
  log(`scenario ${clusters} clusters × ${templates} templates`);
  const source = path.join(work, `src-${name}`);
  await writeFleet(source, generateFleet({ clusters, templates }));
  const render = await renderBest(work, source, name, runs, profile);
  const floor = await floorOf(work, render.out, name);
  return { name, clusters, templates, render, floor };
}

// ---------------------------------------------------------------- kustomize

interface KObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: { replicas?: number; template?: { spec?: { containers?: { image?: string }[] } } };
}

function keyOf(o: KObject): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** JSON with sorted keys: the object's content independent of key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `registry/repo/name:tag` → `registry/repo/name` (tags only; the fleet has no digests). */
function imageName(image: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(0, colon) : image;
}

/** Manifold's output for one cluster, parsed: object key → object. */
function renderedObjects(clusterDir: string): Map<string, KObject> {
  const out = new Map<string, KObject>();
  for (const [file] of manifestOf(clusterDir)) {
    const obj = loadAll(readFileSync(path.join(clusterDir, file), 'utf8'))[0] as KObject;
    out.set(keyOf(obj), obj);
  }
  return out;
}

/**
 * A kustomize base with every template (and every Namespace) and one overlay
 * per cluster: replicas and images transformers for what Karmada's division
 * and image overrider decide, a labels transformer limited to Deployments for
 * the env label overrider, and `$patch: delete` for what the cluster does not
 * get. The per-cluster values are read from Manifold's render, so the two
 * outputs must be equal object by object, which the benchmark checks.
 */
function writeKustomizeTree(root: string, fleet: ReadonlyMap<string, string>, templates: number, renderOut: string, clusters: readonly string[]): void {
  const base = path.join(root, 'base');
  mkdirSync(base, { recursive: true });
  const resources: string[] = [];
  const namespaces = new Set<string>();
  for (let t = 0; t < templates; t++) {
    const file = `${appName(t)}.yaml`;
    writeFileSync(path.join(base, file), fleet.get(templateFile(t)) as string);
    resources.push(file);
    namespaces.add(namespaceOf(t));
  }
  const nsDocs = [...namespaces].sort().map((ns) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`);
  writeFileSync(path.join(base, 'namespaces.yaml'), nsDocs.join('---\n'));
  resources.unshift('namespaces.yaml');
  writeFileSync(path.join(base, 'kustomization.yaml'), `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}\n`).join('')}`);

  const all = new Map<string, KObject>();
  for (const doc of loadAll([...fleet.entries()].filter(([f]) => f.startsWith('apps/')).map(([, text]) => text).join('---\n'))) {
    const o = doc as KObject;
    all.set(keyOf(o), o);
  }
  for (const ns of namespaces) all.set(`v1/Namespace//${ns}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

  for (const cluster of clusters) {
    const rendered = renderedObjects(path.join(renderOut, cluster));
    const replicas: string[] = [];
    const images: string[] = [];
    const deletes: string[] = [];
    let env: string | undefined;
    for (const [key, source] of all) {
      const mine = rendered.get(key);
      if (mine === undefined) {
        const ns = source.metadata.namespace === undefined ? '' : `, namespace: ${source.metadata.namespace}`;
        deletes.push(`  - patch: |-\n      $patch: delete\n      apiVersion: ${source.apiVersion}\n      kind: ${source.kind}\n      metadata: {name: ${source.metadata.name}${ns}}\n`);
        continue;
      }
      if (source.kind !== 'Deployment') continue;
      replicas.push(`  - name: ${source.metadata.name}\n    count: ${mine.spec?.replicas ?? 0}\n`);
      const from = source.spec?.template?.spec?.containers?.[0]?.image ?? '';
      const to = mine.spec?.template?.spec?.containers?.[0]?.image ?? '';
      if (from !== to) images.push(`  - name: ${imageName(from)}\n    newName: ${imageName(to)}\n`);
      env ??= mine.metadata.labels?.['fleet.example.com/env'];
    }
    const lines = ['apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\n'];
    if (replicas.length) lines.push(`replicas:\n${replicas.join('')}`);
    if (images.length) lines.push(`images:\n${images.join('')}`);
    if (env !== undefined) {
      lines.push(`labels:\n  - pairs:\n      fleet.example.com/env: ${env}\n    fields:\n      - path: metadata/labels\n        kind: Deployment\n        create: true\n`);
    }
    if (deletes.length) lines.push(`patches:\n${deletes.join('')}`);
    const dir = path.join(root, 'overlays', cluster);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'kustomization.yaml'), lines.join(''));
  }
}

interface KustomizeResult {
  clusters: number;
  templates: number;
  objects: number;
  manifold: RenderRun;
  kustomizeMs: number;
  kustomizeVersion: string;
  mismatches: string[];
}

async function kustomizeComparison(work: string, clusters: number, templates: number, profile: boolean): Promise<KustomizeResult> {
  const name = `kz-${clusters}x${templates}`;
  log(`kustomize subset ${clusters} clusters × ${templates} templates`);
  const fleet = generateFleet({ clusters, templates });
  const source = path.join(work, `src-${name}`);
  await writeFleet(source, fleet);
  const manifold = await renderBest(work, source, name, 1, profile);
  const clusterNames = readdirSync(manifold.out).filter((d) => !d.startsWith('.')).sort();
  const root = path.join(work, `kustomize-${name}`);
  writeKustomizeTree(root, fleet, templates, manifold.out, clusterNames);
  const kOut = path.join(work, `kustomize-out-${name}`);
  mkdirSync(kOut);
  const version = execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  const start = performance.now();
  for (const cluster of clusterNames) {
    const fd = openSync(path.join(kOut, `${cluster}.yaml`), 'w');
    try {
      execFileSync('kubectl', ['kustomize', path.join(root, 'overlays', cluster)], { stdio: ['ignore', fd, 'pipe'] });
    } finally {
      closeSync(fd);
    }
  }
  const kustomizeMs = performance.now() - start;
  log(`  kubectl kustomize × ${clusterNames.length}: ${secs(kustomizeMs)} s`);
  // Same objects, same content, cluster by cluster.
  const mismatches: string[] = [];
  let objects = 0;
  for (const cluster of clusterNames) {
    const mine = renderedObjects(path.join(manifold.out, cluster));
    const theirs = new Map<string, KObject>();
    for (const doc of loadAll(readFileSync(path.join(kOut, `${cluster}.yaml`), 'utf8'))) theirs.set(keyOf(doc as KObject), doc as KObject);
    objects += theirs.size;
    for (const [key, obj] of mine) {
      const other = theirs.get(key);
      if (other === undefined) mismatches.push(`${cluster}: ${key} missing from kustomize`);
      else if (canonical(other) !== canonical(obj)) mismatches.push(`${cluster}: ${key} differs`);
    }
    for (const key of theirs.keys()) if (!mine.has(key)) mismatches.push(`${cluster}: ${key} only in kustomize`);
  }
  if (mismatches.length) log(`  MISMATCH: ${mismatches.slice(0, 5).join('; ')}${mismatches.length > 5 ? ` (+${mismatches.length - 5})` : ''}`);
  else log(`  outputs equal: ${objects} objects in ${clusterNames.length} clusters`);
  const kustomizeVersion = /Kustomize Version: (\S+)/.exec(version)?.[1] ?? 'unknown';
  return { clusters, templates, objects, manifold, kustomizeMs, kustomizeVersion, mismatches };
}

// ---------------------------------------------------------------- report

function secs(ms: number): string {
  return (ms / 1000).toFixed(2);
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function markdown(results: readonly ScenarioResult[], kz: KustomizeResult | undefined, env: string): string {
  const lines = [
    SECTION,
    '',
    '`npm run bench` (bench/render-bench.ts): the synthetic Karmada fleet of `bench/generate.ts` (Deployment + ConfigMap',
    'per template, per-template PropagationPolicy: 4 in 5 Divided by static region weights, 1 in 5 Duplicated to',
    'gold/silver clusters, `propagateDeps`, a regional registry ClusterOverridePolicy and an env label OverridePolicy per',
    'namespace) rendered by the CLI in a child process into a fresh folder. CPU is user + system time of the child, RSS',
    'its peak resident set. The floor is a child writing the same files (same count, sizes and folders) with plain',
    '`fs.writeFileSync` in a loop, timed around the writes only.',
    '',
    env,
    '',
    `| fleet | objects | render wall s | render CPU s | peak RSS MB | floor s | render / floor | target (≤ ${TARGET_SECONDS} s, ≤ ${TARGET_RSS_MB} MB) |`,
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of results) {
    const ok = r.render.wallMs <= TARGET_SECONDS * 1000 && r.render.maxRssMb <= TARGET_RSS_MB;
    lines.push(
      `| ${fmt(r.clusters)} clusters × ${fmt(r.templates)} templates | ${fmt(r.render.objects)} | ${secs(r.render.wallMs)} | ${secs(r.render.cpuMs)} | ${r.render.maxRssMb.toFixed(0)} | ${secs(r.floor.writeMs)} | ${(r.render.wallMs / r.floor.writeMs).toFixed(2)} | ${ok ? 'met' : 'not met'} |`,
    );
  }
  if (kz !== undefined) {
    const ratio = kz.kustomizeMs / kz.manifold.wallMs;
    lines.push(
      '',
      `Shared subset ${kz.clusters} clusters × ${kz.templates} templates (${fmt(kz.objects)} objects), same run: a kustomize`,
      'base with every template and one overlay per cluster (replicas and images transformers, a Deployment-only labels',
      'transformer, `$patch: delete` for what a cluster does not get; values taken from Manifold\'s render), built with',
      `\`kubectl kustomize\` (kustomize ${kz.kustomizeVersion}) once per overlay, one after the other.`,
      kz.mismatches.length === 0
        ? 'Outputs compared object by object (parsed, key order ignored): equal.'
        : `Outputs compared object by object: **${kz.mismatches.length} differences** (first: ${kz.mismatches[0]}).`,
      '',
      `| subset | Manifold s (CLI, one process) | kubectl kustomize s (${kz.clusters} runs) | ratio | target (≥ ${TARGET_KUSTOMIZE_RATIO}×) |`,
      '|---|---:|---:|---:|---|',
      `| ${kz.clusters} × ${kz.templates} | ${secs(kz.manifold.wallMs)} | ${secs(kz.kustomizeMs)} | ${ratio.toFixed(1)}× | ${ratio >= TARGET_KUSTOMIZE_RATIO ? 'met' : 'not met'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Replaces (or appends) our section, keeping every other section of RESULTS.md. */
function updateResults(section: string): void {
  const existing = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : '';
  const start = existing.indexOf(`${SECTION}\n`);
  let next: string;
  if (start === -1) {
    next = existing === '' ? section : `${existing.replace(/\n*$/, '\n\n')}${section}`;
  } else {
    const after = existing.indexOf('\n## ', start + SECTION.length);
    const rest = after === -1 ? '' : existing.slice(after + 1);
    next = `${existing.slice(0, start)}${section}${rest === '' ? '' : `\n${rest}`}`;
  }
  writeFileSync(RESULTS, next);
}

function environment(work: string, loadBefore: number[]): string {
  let fs = 'unknown';
  try {
    fs = execFileSync('df', ['--output=fstype', work], { encoding: 'utf8' }).trim().split('\n').pop() ?? fs;
  } catch {
    // df without --output (not GNU): leave unknown
  }
  const cpus = os.cpus();
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
  return (
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus.length} × ${cpus[0]?.model.trim() ?? 'CPU'}, Node ${process.versions.node}, ` +
    `output on ${fs}; load average (1/5/15 min) ${load(loadBefore)} before, ${load(os.loadavg())} after: the machine is shared, ` +
    'so wall times carry other processes\' load; CPU times do not.'
  );
}

/** Waits until the inodes the previous run freed are no longer skipped by ext4 (see the header). */
async function waitForQuietInodes(): Promise<void> {
  if (!existsSync(CLEANUP_MARK)) return;
  const wait = Number(readFileSync(CLEANUP_MARK, 'utf8')) + QUIET_MS - Date.now();
  if (!(wait > 0)) return;
  log(`waiting ${Math.ceil(wait / 1000)} s: the previous run freed its files less than 6.5 minutes ago (ext4 recently_deleted; --no-wait skips this)`);
  await new Promise((resolve) => setTimeout(resolve, wait));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '2' },
      work: { type: 'string' },
      keep: { type: 'boolean', default: false },
      only: { type: 'string' },
      'skip-kustomize': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'no-results': { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
    },
  });
  if (!values['no-wait']) await waitForQuietInodes();
  const runs = Math.max(1, Number(values.runs));
  const work = values.work === undefined ? mkdtempSync(path.join(os.tmpdir(), 'manifold-bench-')) : path.resolve(values.work);
  mkdirSync(work, { recursive: true });
  writeFileSync(path.join(work, 'probe.mjs'), PROBE);
  writeFileSync(path.join(work, 'floor.mjs'), FLOOR);
  log(`work folder ${work}`);
  const loadBefore = os.loadavg();
  const scenarios = (values.only ?? '100x1000,1000x100').split(',').map((s) => s.split('x').map(Number) as [number, number]);
  try {
    const results: ScenarioResult[] = [];
    for (const [clusters, templates] of scenarios) results.push(await scenario(work, clusters, templates, runs, values.profile));
    const kz = values['skip-kustomize'] ? undefined : await kustomizeComparison(work, 50, 200, values.profile);
    const section = markdown(results, kz, environment(work, loadBefore));
    process.stdout.write(`${section}`);
    if (!values['no-results']) {
      updateResults(section);
      log(`updated ${path.relative(REPO, RESULTS)}`);
    }
  } finally {
    if (!values.keep) {
      log(`removing ${work}`);
      rmSync(work, { recursive: true, force: true });
      writeFileSync(CLEANUP_MARK, `${Date.now()}\n`);
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
