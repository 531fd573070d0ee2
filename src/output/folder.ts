/**
 * Writes a rendered tree into a folder, atomically: the new tree is built in a
 * sibling temporary folder and swapped in by rename, so on any error the
 * target folder is left exactly as it was and stale files disappear.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors/index.ts';

export const PROVENANCE_DIR = '.manifold';
export const PROVENANCE_FILE = `${PROVENANCE_DIR}/provenance.json`;

/** A whole tree: relative path → content. */
export type Tree = ReadonlyMap<string, string>;

/** Flattens per-cluster files into one tree rooted at the output folder. */
export function treeOf(clusters: ReadonlyMap<string, ReadonlyMap<string, string>>, provenance: unknown): Map<string, string> {
  const tree = new Map<string, string>();
  for (const [cluster, files] of clusters) {
    for (const [file, content] of files) tree.set(`${cluster}/${file}`, content);
  }
  tree.set(PROVENANCE_FILE, `${JSON.stringify(provenance, null, 2)}\n`);
  return tree;
}

async function isReplaceable(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  const info = await stat(dir);
  if (!info.isDirectory()) return false;
  if (existsSync(path.join(dir, PROVENANCE_FILE))) return true;
  return (await readdir(dir)).length === 0;
}

/** Writes files with bounded concurrency (enough to keep the disk busy, few enough file handles). */
async function writeAll(root: string, tree: Tree): Promise<void> {
  const dirs = new Set<string>();
  for (const file of tree.keys()) dirs.add(path.posix.dirname(file));
  for (const dir of [...dirs].sort()) await mkdir(path.join(root, dir), { recursive: true });
  const entries = [...tree];
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const [file, content] = entries[next++] as [string, string];
      await writeFile(path.join(root, file), content);
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

export async function writeTreeAtomically(outDir: string, tree: Tree): Promise<void> {
  const target = path.resolve(outDir);
  if (!(await isReplaceable(target))) {
    throw InputError.single({
      code: 'OUTPUT_NOT_MANIFOLD',
      file: outDir,
      message: `refusing to replace: the folder exists, is not empty and holds no ${PROVENANCE_FILE} (not a Manifold output folder)`,
    });
  }
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const staging = path.join(parent, `.${path.basename(target)}.manifold-new-${suffix}`);
  const retired = path.join(parent, `.${path.basename(target)}.manifold-old-${suffix}`);
  try {
    await mkdir(staging);
    await writeAll(staging, tree);
    if (existsSync(target)) await rename(target, retired);
    await rename(staging, target);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(target) && existsSync(retired)) await rename(retired, target);
    throw err;
  }
  await rm(retired, { recursive: true, force: true });
}
