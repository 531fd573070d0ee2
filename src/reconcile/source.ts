/**
 * Where the reconciler reads each cluster's tree: a folder in the
 * `manifold render --out` layout (`<dir>/<cluster>/…`) or a commit of the
 * rendered branch, read straight from the object database (no checkout).
 * Hidden entries (`.manifold/` provenance, `.gitattributes`) are metadata,
 * not clusters.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors/index.ts';
import { isDirMode, MODE_FILE } from '../git/objects.ts';
import { readCommit, type GitRepository } from '../git/repo.ts';
import { readTreeEntries } from '../git/tree.ts';

/** cluster → (path inside the cluster folder → file content). */
export type ClusterTrees = Map<string, Map<string, string>>;

function isHidden(name: string): boolean {
  return name.startsWith('.');
}

async function readFolder(root: string, rel = '', out = new Map<string, string>()): Promise<Map<string, string>> {
  for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
    if (isHidden(e.name)) continue;
    const child = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) await readFolder(root, child, out);
    else if (e.isFile()) out.set(child, await readFile(path.join(root, child), 'utf8'));
  }
  return out;
}

/** Reads `<dir>/<cluster>/**` for every cluster folder (or only `only`). */
export async function readRenderedFolder(dir: string, only?: string): Promise<ClusterTrees> {
  if (!existsSync(dir) || !(await stat(dir)).isDirectory()) {
    throw InputError.single({ code: 'RENDERED_DIR_NOT_FOUND', file: dir, message: 'the rendered folder does not exist' });
  }
  const trees: ClusterTrees = new Map();
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !isHidden(e.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (only !== undefined && e.name !== only) continue;
    trees.set(e.name, await readFolder(path.join(dir, e.name)));
  }
  if (only !== undefined && !trees.has(only)) {
    throw InputError.single({ code: 'CLUSTER_NOT_RENDERED', file: dir, message: `there is no folder for cluster "${only}"` });
  }
  return trees;
}

async function readBlobs(repo: GitRepository, treeOid: string, prefix = '', out = new Map<string, string>()): Promise<Map<string, string>> {
  for (const e of (await readTreeEntries(repo.objects, treeOid)).values()) {
    if (isHidden(e.name)) continue;
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (isDirMode(e.mode)) await readBlobs(repo, e.oid, rel, out);
    else if (e.mode === MODE_FILE || e.mode === '100755') out.set(rel, (await repo.objects.read(e.oid)).body.toString('utf8'));
  }
  return out;
}

/**
 * The cluster trees of a rendered commit. `prefix` is the folder of the
 * branch holding the cluster folders (render --prefix), '' for the root.
 */
export async function readTreeAtCommit(repo: GitRepository, commit: string, options: { prefix?: string; only?: string } = {}): Promise<ClusterTrees> {
  let oid: string | undefined = (await readCommit(repo, commit)).tree;
  for (const seg of (options.prefix ?? '').split('/').filter((s) => s !== '' && s !== '.')) {
    const entry = (await readTreeEntries(repo.objects, oid)).get(seg);
    oid = entry !== undefined && isDirMode(entry.mode) ? entry.oid : undefined;
    if (oid === undefined) {
      throw InputError.single({ code: 'RENDERED_PREFIX_NOT_FOUND', message: `folder "${options.prefix}" does not exist in commit ${commit.slice(0, 12)}` });
    }
  }
  const trees: ClusterTrees = new Map();
  const entries = [...(await readTreeEntries(repo.objects, oid)).values()].filter((e) => isDirMode(e.mode) && !isHidden(e.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (options.only !== undefined && e.name !== options.only) continue;
    trees.set(e.name, await readBlobs(repo, e.oid));
  }
  if (options.only !== undefined && !trees.has(options.only)) {
    throw InputError.single({ code: 'CLUSTER_NOT_RENDERED', message: `commit ${commit.slice(0, 12)} has no folder for cluster "${options.only}"` });
  }
  return trees;
}
