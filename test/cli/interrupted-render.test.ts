/**
 * Real renders SIGKILLed at random moments while they write the output
 * folder: after each kill the next run's repair leaves DIR exactly the old
 * tree or the new one, and nothing beside it. (The exact states between the
 * swap's steps are laid out on disk in src/output/folder.test.ts.) And
 * `render --commit` killed at random moments: the next one succeeds and git
 * fsck --strict finds nothing to report.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { recoverInterruptedWrites } from '../../src/output/folder.ts';
import { ROOT } from '../golden.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-killed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CONFIGMAPS = 800;

/** The quickstart plus enough ConfigMaps on every cluster that writing the folder takes a while. */
function bulkSource(name: string, version: string): string {
  const dir = path.join(work, name);
  cpSync(path.join(ROOT, 'examples/quickstart'), dir, { recursive: true });
  const docs = [
    'apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: bulk, namespace: shop}\nspec:\n  resourceSelectors:\n    - {apiVersion: v1, kind: ConfigMap, labelSelector: {matchLabels: {bulk: "yes"}}}\n  placement:\n    clusterAffinity: {clusterNames: [eu-1, eu-2, us-1, us-2]}\n',
  ];
  for (let i = 0; i < CONFIGMAPS; i++) {
    docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bulk-${i}, namespace: shop, labels: {bulk: "yes"}}\ndata: {version: "${version}"}\n`);
  }
  writeFileSync(path.join(dir, 'bulk.yaml'), docs.join('---\n'));
  return dir;
}

function snapshot(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  return new Map(files.map((e) => path.join(e.parentPath, e.name)).sort().map((f) => [path.relative(dir, f), readFileSync(f, 'utf8')]));
}

/**
 * Runs a render and SIGKILLs it `delayMs` after its staging folder appears
 * (or, with `after` = '.manifold-apply-', after its update's commit point),
 * or lets it finish.
 */
function renderKilledWhileWriting(source: string, out: string, delayMs: number, after = '.manifold-new-'): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), 'render', source, '--out', out], { stdio: 'ignore' });
  const watch = setInterval(() => {
    if (!readdirSync(path.dirname(out)).some((name) => name.includes(after))) return;
    clearInterval(watch);
    setTimeout(() => child.kill('SIGKILL'), delayMs);
  }, 2);
  return new Promise((resolve) => child.on('exit', (_code, signal) => {
    clearInterval(watch);
    resolve(signal);
  }));
}

async function render(source: string, out: string): Promise<void> {
  expect(await renderKilledWhileWriting(source, out, 60_000)).toBe(null);
}

describe('a render killed at a random moment while writing', () => {
  it('leaves the old tree or the new one, and the next run removes its leftovers', async () => {
    const sources = [bulkSource('a', 'a'), bulkSource('b', 'b')];
    const out = path.join(work, 'out', 'rendered');
    mkdirSync(path.dirname(out));
    await render(sources[1] as string, out);
    const treeB = snapshot(out);
    await render(sources[0] as string, out);
    const treeA = snapshot(out);
    expect(treeA.size).toBe(treeB.size);
    const kills = [0, 5, 20, 40, 80, 120, 200, 300, 400, 500, 600, 700];
    let killedWhileWriting = 0;
    for (const [i, delay] of kills.entries()) {
      const signal = await renderKilledWhileWriting(sources[(i + 1) % 2] as string, out, delay + Math.random() * 20);
      if (signal === 'SIGKILL') killedWhileWriting++;
      await recoverInterruptedWrites(out);
      expect(readdirSync(path.dirname(out))).toEqual(['rendered']);
      const now = snapshot(out);
      expect(now.get('eu-1/namespaces/shop/ConfigMap/bulk-0.yaml')).toMatch(/version: "?[ab]"?/);
      // Which tree it is, by the version the ConfigMaps carry (every file contains an 'a': apiVersion).
      expect(now).toEqual(/version: "?a"?$/m.test(now.get('eu-1/namespaces/shop/ConfigMap/bulk-0.yaml') ?? '') ? treeA : treeB);
    }
    // Most kills must land while the tree is being written, or this test proves little.
    expect(killedWhileWriting).toBeGreaterThanOrEqual(kills.length / 2);
    expect(existsSync(out)).toBe(true);

    // Killed while an update in place applies (past its commit point): the next run rolls it forward.
    let killedWhileApplying = 0;
    for (const [i, delay] of [0, 0, 1, 2, 4, 8].entries()) {
      const [source, want] = i % 2 === 0 ? [sources[0] as string, treeA] : [sources[1] as string, treeB];
      // DIR must hold the other tree, or the render has nothing to apply.
      if (isDeepStrictEqual(snapshot(out), want)) await render(sources[(i + 1) % 2] as string, out);
      const signal = await renderKilledWhileWriting(source, out, delay, '.manifold-apply-');
      const applying = readdirSync(path.dirname(out)).some((name) => name.includes('.manifold-apply-'));
      if (signal === 'SIGKILL' && applying) killedWhileApplying++;
      await recoverInterruptedWrites(out);
      expect(readdirSync(path.dirname(out))).toEqual(['rendered']);
      expect(snapshot(out)).toEqual(want);
    }
    expect(killedWhileApplying).toBeGreaterThan(0);
  }, 180_000);
});

function git(cwd: string, ...args: string[]) {
  return spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } });
}

/** Runs `render --commit` in `repo`, SIGKILLed after `killAfterMs` unless it ends first. */
function commitKilledAfter(repo: string, killAfterMs: number): Promise<{ signal: NodeJS.Signals | null; code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), 'render', '.', '--commit'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) => child.on('exit', (code, signal) => {
    clearTimeout(timer);
    resolve({ signal, code, stderr, ms: Date.now() - started });
  }));
}

describe('render --commit killed at a random moment', () => {
  it('leaves a repository git fsck --strict passes, and the next commit goes through', async () => {
    const repo = bulkSource('repo', 'v0');
    expect(git(repo, 'init', '-q', '-b', 'main').status).toBe(0);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'v0');
    const first = await commitKilledAfter(repo, 120_000);
    expect(first.code).toBe(0);
    let killed = 0;
    for (let i = 1; i <= 6; i++) {
      writeFileSync(path.join(repo, 'bulk.yaml'), readFileSync(path.join(repo, 'bulk.yaml'), 'utf8').replaceAll(`version: "v${i - 1}"`, `version: "v${i}"`));
      git(repo, 'commit', '-q', '-am', `v${i}`);
      const run = await commitKilledAfter(repo, first.ms * (0.3 + 0.7 * Math.random()));
      if (run.signal === 'SIGKILL') killed++;
    }
    expect(killed).toBeGreaterThan(0);
    const last = await commitKilledAfter(repo, 120_000);
    expect(last.stderr).not.toMatch(/^error/m);
    expect(last.code).toBe(0);
    const fsck = git(repo, 'fsck', '--strict', '--no-dangling');
    expect(fsck.stderr).toBe('');
    expect(fsck.status).toBe(0);
    expect(git(repo, 'show', 'manifold/rendered:eu-1/namespaces/shop/ConfigMap/bulk-0.yaml').stdout).toContain('v6');
  }, 240_000);
});
