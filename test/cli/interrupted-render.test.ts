/**
 * Real renders SIGKILLed at random moments while they write the output
 * folder: after each kill the next run's repair leaves DIR exactly the old
 * tree or the new one, and nothing beside it. (The exact states between the
 * swap's steps are laid out on disk in src/output/folder.test.ts.)
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

/** Runs a render and SIGKILLs it `delayMs` after its staging folder appears (or lets it finish). */
function renderKilledWhileWriting(source: string, out: string, delayMs: number): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), 'render', source, '--out', out], { stdio: 'ignore' });
  const watch = setInterval(() => {
    if (!readdirSync(path.dirname(out)).some((name) => name.includes('.manifold-new-'))) return;
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
    const kills = [0, 5, 20, 40, 80, 120, 200, 300];
    let killedWhileWriting = 0;
    for (const [i, delay] of kills.entries()) {
      const signal = await renderKilledWhileWriting(sources[(i + 1) % 2] as string, out, delay + Math.random() * 20);
      if (signal === 'SIGKILL') killedWhileWriting++;
      await recoverInterruptedWrites(out);
      expect(readdirSync(path.dirname(out))).toEqual(['rendered']);
      const now = snapshot(out);
      expect(now.get('eu-1/namespaces/shop/ConfigMap/bulk-0.yaml')).toMatch(/version: "?[ab]"?/);
      expect(now).toEqual(now.get('eu-1/namespaces/shop/ConfigMap/bulk-0.yaml')?.includes('a') ? treeA : treeB);
    }
    // Most kills must land while the tree is being written, or this test proves little.
    expect(killedWhileWriting).toBeGreaterThanOrEqual(kills.length / 2);
    expect(existsSync(out)).toBe(true);
  }, 180_000);
});
