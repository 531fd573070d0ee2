/**
 * Benchmark of committing rendered trees (issue 4): a synthetic fleet
 * (bench/generate.ts) is rendered, then committed to a fresh bare repository
 * cold, again unchanged, and after one template changed. Reports wall time per
 * phase, objects written, repository size and peak RSS. Targets
 * (performance-anchors.md §8): cold commit of 1,000 × 1,000 ≤ 10 s, no-op
 * render + commit ≤ 1 s, one-template change ≤ 2 s touching only the
 * affected files.
 *
 *   scripts/node24.sh node --max-old-space-size=3072 bench/git-bench.ts --clusters 1000 --templates 1000 [--fsck] [--push]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dialects, registry } from '../src/dialects/index.ts';
import { commitRenderedTree, HashedTree, renderedTree, type CommitResult } from '../src/git/commit.ts';
import { openRepository } from '../src/git/repo.ts';
import { pushRenderedTree } from '../src/git/remote.ts';
import { loadRepository } from '../src/load/repository.ts';
import { render, type RenderResult } from '../src/render/render.ts';
import { MANIFOLD_VERSION } from '../src/version.ts';
import { startGitHttpServer } from '../test/git/http-server.ts';
import { generateFleet, templateFile } from './generate.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '100' },
    templates: { type: 'string', default: '100' },
    fsck: { type: 'boolean', default: false },
    push: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const clusters = Number(values.clusters);
const templates = Number(values.templates);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
sampler.unref();

const author = { name: 'Bench', email: 'bench@example.com', timestamp: 1_700_000_000, timezoneOffset: 0 };
const rows: string[] = [];

function ms(t0: number): number {
  return Math.round(performance.now() - t0);
}

function renderFleet(files: ReadonlyMap<string, string>): { result: RenderResult; ms: number } {
  const t0 = performance.now();
  const repo = loadRepository([...files].map(([p, text]) => ({ path: p, text })), registry);
  const result = render(repo, dialects, { manifoldVersion: MANIFOLD_VERSION, sourceCommit: 'b'.repeat(40) });
  return { result, ms: ms(t0) };
}

function dirSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    bytes += statSync(path.join(e.parentPath, e.name)).size;
    files++;
  }
  return { bytes, files };
}

async function commitPhase(label: string, gitdir: string, result: RenderResult, renderMs: number): Promise<CommitResult> {
  const repo = openRepository(gitdir);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const hashed = new HashedTree(renderedTree(result.clusters, result.provenance));
  const hashMs = ms(t0);
  const committed = await commitRenderedTree(repo, hashed, { branch: 'manifold/rendered', manifoldVersion: MANIFOLD_VERSION, author, sourceCommit: 'b'.repeat(40) });
  const commitMs = ms(t0);
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  repo.objects.close();
  const objects = [...result.clusters.values()].reduce((n, f) => n + f.size, 0);
  rows.push(
    `| ${label} | ${renderMs} | ${hashMs} | ${commitMs} | ${cpuMs} | ${renderMs + commitMs} | ${committed.created ? 'yes' : 'no'} | ${committed.objectsWritten} | ${committed.clusters.length} | ${objects} |`,
  );
  process.stderr.write(`${label}: render ${renderMs} ms, hash ${hashMs} ms, commit total ${commitMs} ms (cpu ${cpuMs} ms), written ${committed.objectsWritten}\n`);
  return committed;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'manifold-git-bench-'));
  const gitdir = path.join(work, 'rendered.git');
  execFileSync('git', ['init', '-q', '--bare', gitdir]);
  try {
    const files = generateFleet({ clusters, templates });
    process.stderr.write(`fleet: ${clusters} clusters × ${templates} templates, ${files.size} source files\n`);

    const cold = renderFleet(files);
    const distinct = new Set<string>();
    for (const f of cold.result.clusters.values()) for (const c of f.values()) distinct.add(c);
    process.stderr.write(`rendered ${cold.ms} ms; ${distinct.size} distinct object contents\n`);
    await commitPhase('cold commit', gitdir, cold.result, cold.ms);
    const size = dirSize(path.join(gitdir, 'objects'));

    const noop = renderFleet(files);
    await commitPhase('no-op render + commit', gitdir, noop.result, noop.ms);

    // One template changed: its image tag, so every cluster that runs it changes one file.
    const changed = new Map(files);
    const file = templateFile(0);
    changed.set(file, (files.get(file) as string).replace(/:1\.0\.0/g, ':1.0.1'));
    const one = renderFleet(changed);
    const result = await commitPhase('one template changed', gitdir, one.result, one.ms);
    const touched = result.clusters.reduce((n, c) => n + c.added + c.changed + c.removed, 0);
    process.stderr.write(`one-template change touched ${touched} files in ${result.clusters.length} clusters\n`);

    let fsckMs: number | undefined;
    if (values.fsck) {
      const t0 = performance.now();
      execFileSync('git', ['-C', gitdir, 'fsck', '--strict', '--no-dangling'], { stdio: 'inherit' });
      fsckMs = ms(t0);
    }
    let pushMs: number | undefined;
    if (values.push) {
      const root = path.join(work, 'server');
      execFileSync('git', ['init', '-q', '--bare', path.join(root, 'remote.git')]);
      const server = await startGitHttpServer({ root });
      const t0 = performance.now();
      await pushRenderedTree(openRepository(gitdir), renderedTree(one.result.clusters, one.result.provenance), {
        branch: 'manifold/rendered',
        remote: `${server.url}/remote.git`,
        manifoldVersion: MANIFOLD_VERSION,
        author,
      });
      pushMs = ms(t0);
      await server.close();
    }

    const lines = [
      `Fleet: ${clusters} clusters × ${templates} templates (bench/generate.ts), ${[...cold.result.clusters.values()].reduce((n, f) => n + f.size, 0)} rendered files, ${distinct.size} distinct contents.`,
      '',
      '| phase | render ms | hash ms | commit ms (incl. hash) | commit CPU ms | render + commit ms | commit made | objects written | clusters changed | files in tree |',
      '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|',
      ...rows,
      '',
      `Repository after the cold commit: ${(size.bytes / 1e6).toFixed(1)} MB in ${size.files} files (objects/). Peak RSS ${(peakRss / 1e6).toFixed(0)} MB.` +
        (fsckMs !== undefined ? ` \`git fsck --strict\`: ${fsckMs} ms, clean.` : '') +
        (pushMs !== undefined ? ` Push of the whole branch to a loopback git http-backend (src/git/send-pack.ts): ${pushMs} ms.` : ''),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (!values.keep) rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`kept ${work}\n`);
  }
}

await main();
