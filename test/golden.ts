/**
 * Golden rendered trees: the rendered output is the product, so tests compare
 * it byte for byte with a committed tree under test/golden/<name>/. Set
 * UPDATE_GOLDEN=1 to rewrite them, then review every changed file by hand.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { dialects, registry } from '../src/dialects/index.ts';
import { loadRepository } from '../src/load/repository.ts';
import { readSourceFolder } from '../src/load/source.ts';
import { render, type RenderResult } from '../src/render/render.ts';

export const ROOT = path.join(import.meta.dirname, '..');

export async function renderExample(folder: string): Promise<RenderResult> {
  const files = await readSourceFolder(path.join(ROOT, folder));
  const repo = loadRepository(files, registry);
  return render(repo, dialects, { manifoldVersion: 'test' });
}

/** cluster/path → content, the way the tree lands on disk (without provenance). */
export function flatten(result: RenderResult): Map<string, string> {
  const out = new Map<string, string>();
  for (const [cluster, files] of result.clusters) for (const [file, content] of files) out.set(`${cluster}/${file}`, content);
  return out;
}

function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, abs).split(path.sep).join('/'), readFileSync(abs, 'utf8'));
  }
  return out;
}

export function expectGolden(name: string, tree: ReadonlyMap<string, string>): void {
  const dir = path.join(ROOT, 'test', 'golden', name);
  if (process.env.UPDATE_GOLDEN === '1') {
    rmSync(dir, { recursive: true, force: true });
    for (const [file, content] of tree) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    }
  }
  const golden = readTree(dir);
  expect([...tree.keys()].sort(), `files of golden tree ${name} (UPDATE_GOLDEN=1 to rewrite)`).toEqual([...golden.keys()].sort());
  for (const [file, content] of tree) expect(content, `${name}/${file}`).toBe(golden.get(file));
}

/** Every file below `dir`, relative to it, sorted. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** A fresh copy of examples/<name> inside `work`, so a test may change it. */
export function copyExample(work: string, name: string): string {
  const dir = path.join(work, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  cpSync(path.join(ROOT, 'examples', name), dir, { recursive: true });
  return dir;
}
