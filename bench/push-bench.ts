/**
 * Benchmark of `render --push` (issue 19 item 4): what a push costs when one
 * template changed on a large rendered branch. The synthetic fleet of
 * bench/generate.ts is rendered in this process and pushed with
 * pushRenderedTree to a real `git http-backend` on loopback
 * (test/git/http-server.ts), in four phases:
 *
 *   cold          the whole branch to an empty remote
 *   one template  one template's image tag changed, pushed on the remote tip
 *   moved remote  another clone pushed a change first; this one fetches the
 *                 new tip, rebuilds on it and pushes its own change
 *   no-op         the same tree again: nothing to push
 *
 * For each: wall time of pushRenderedTree (commit included, render not), the
 * bytes the server received in git-receive-pack requests (commands + pack)
 * and the objects the push reported sending.
 *
 *   scripts/node24.sh node --max-old-space-size=4096 bench/push-bench.ts --clusters 300 --templates 300 [--worst]
 *
 * --worst makes every cluster's copy of every object different (a comment
 * naming the cluster on top of each file: the fleet shape of issue 19 where
 * no two clusters share an object), so that the tree has as many distinct
 * blobs and folders as files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dialects, registry } from '../src/dialects/index.ts';
import { renderedTree } from '../src/git/commit.ts';
import { openRepository } from '../src/git/repo.ts';
import { pushRenderedTree, type PushResult } from '../src/git/remote.ts';
import { loadRepository } from '../src/load/repository.ts';
import { render, type RenderResult } from '../src/render/render.ts';
import { MANIFOLD_VERSION } from '../src/version.ts';
import { startGitHttpServer, type GitHttpServer } from '../test/git/http-server.ts';
import { generateFleet, templateFile } from './generate.ts';

const { values } = parseArgs({
  options: {
    clusters: { type: 'string', default: '100' },
    templates: { type: 'string', default: '100' },
    worst: { type: 'boolean', default: false },
  },
});
const clusters = Number(values.clusters);
const templates = Number(values.templates);
const author = { name: 'Bench', email: 'bench@example.com', timestamp: 1_700_000_000, timezoneOffset: 0 };
const BRANCH = 'manifold/rendered';

type Clusters = ReadonlyMap<string, ReadonlyMap<string, string>>;

function renderFleet(files: ReadonlyMap<string, string>): RenderResult {
  const repo = loadRepository([...files].map(([p, text]) => ({ path: p, text })), registry);
  return render(repo, dialects, { manifoldVersion: MANIFOLD_VERSION, sourceCommit: 'b'.repeat(40) });
}

/** --worst: every cluster's copy of every object differs (to git; the comment changes no object). */
function distinctPerCluster(rendered: Clusters): Clusters {
  if (!values.worst) return rendered;
  return new Map([...rendered].map(([cluster, files]) => [cluster, new Map([...files].map(([file, text]) => [file, `# cluster ${cluster}\n${text}`]))]));
}

function withImageTag(files: ReadonlyMap<string, string>, template: number, tag: string): Map<string, string> {
  const changed = new Map(files);
  const file = templateFile(template);
  changed.set(file, (files.get(file) as string).replace(/image: (\S+):\S+/, (_m, image: string) => `image: ${image}:${tag}`));
  return changed;
}

interface Row {
  phase: string;
  /** pushRenderedTree in all: fetch, commit, push. */
  ms: number;
  /** From the last beforePush to the end: the push alone (object walk, pack, transfer, the server's receive-pack). */
  pushMs: number;
  bytes: number;
  objects: number | undefined;
  attempts: number;
}

async function timedPush(server: GitHttpServer, gitdir: string, url: string, phase: string, result: RenderResult): Promise<Row> {
  const before = server.requests.length;
  const repo = openRepository(gitdir);
  const t0 = performance.now();
  let pushStart = Number.NaN;
  const beforePush = async () => void (pushStart = performance.now());
  const pushed: PushResult = await pushRenderedTree(repo, renderedTree(distinctPerCluster(result.clusters), result.provenance), { branch: BRANCH, remote: url, manifoldVersion: MANIFOLD_VERSION, author, beforePush });
  const end = performance.now();
  const ms = Math.round(end - t0);
  const pushMs = Number.isNaN(pushStart) ? 0 : Math.round(end - pushStart);
  repo.objects.close();
  const bytes = server.requests.slice(before).filter((r) => r.method === 'POST' && r.path.endsWith('/git-receive-pack')).reduce((n, r) => n + r.bytesIn, 0);
  // `sent` is there since the push sends only new objects; absent before.
  const objects = (pushed as { sent?: { objects: number } }).sent?.objects;
  process.stderr.write(`${phase}: ${ms} ms (push ${pushMs} ms), ${bytes} bytes received by the server, ${objects ?? '?'} objects, ${pushed.attempts} attempt(s)\n`);
  return { phase, ms, pushMs, bytes, objects, attempts: pushed.attempts };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'manifold-push-bench-'));
  const root = path.join(work, 'server');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', path.join(root, 'fleet.git')]);
  const server = await startGitHttpServer({ root });
  const url = `${server.url}/fleet.git`;
  const mine = path.join(work, 'mine.git');
  const theirs = path.join(work, 'theirs.git');
  for (const dir of [mine, theirs]) execFileSync('git', ['init', '-q', '--bare', dir]);
  try {
    const files = generateFleet({ clusters, templates });
    const cold = renderFleet(files);
    const fileCount = [...cold.clusters.values()].reduce((n, f) => n + f.size, 0);
    process.stderr.write(`fleet: ${clusters} clusters × ${templates} templates, ${fileCount} rendered files${values.worst ? ' (each cluster distinct)' : ''}\n`);
    const rows: Row[] = [];
    rows.push(await timedPush(server, mine, url, 'cold: the whole branch to an empty remote', cold));
    const one = renderFleet(withImageTag(files, 0, '9.0.1'));
    rows.push(await timedPush(server, mine, url, "one template's image changed", one));
    // Another renderer publishes a change first; `mine` has not seen it.
    const other = renderFleet(withImageTag(withImageTag(files, 0, '9.0.1'), 1, '9.1.1'));
    await timedPush(server, theirs, url, '(another clone pushes a second template change)', other);
    const both = renderFleet(withImageTag(withImageTag(withImageTag(files, 0, '9.0.1'), 1, '9.1.1'), 2, '9.2.1'));
    rows.push(await timedPush(server, mine, url, 'remote moved meanwhile: fetch, rebuild on its tip, push a third change', both));
    rows.push(await timedPush(server, mine, url, 'no-op: the same tree again', both));
    execFileSync('git', ['-C', path.join(root, 'fleet.git'), 'fsck', '--strict', '--no-dangling'], { stdio: 'inherit' });
    console.log(`\nrender --push, ${clusters} clusters × ${templates} templates${values.worst ? ', every cluster distinct (--worst)' : ''}, ${fileCount} files; loopback git http-backend\n`);
    console.log('| phase | pushRenderedTree (fetch, commit, push) | the push alone | bytes received by the server | objects sent | attempts |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.phase} | ${(r.ms / 1000).toFixed(2)} s | ${(r.pushMs / 1000).toFixed(2)} s | ${r.bytes.toLocaleString('en-US')} | ${r.objects?.toLocaleString('en-US') ?? 'n/a'} | ${r.attempts} |`);
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
