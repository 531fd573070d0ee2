/**
 * Where the reconciler reads each cluster's tree: a folder in the
 * `manifold render --out` layout (`<dir>/<cluster>/…`) or a commit of the
 * rendered branch, read straight from the object database (no checkout).
 * Hidden entries (`.manifold/` provenance, `.gitattributes`) are metadata,
 * not clusters.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors/index.ts';
import { isDirMode, MODE_FILE, type TreeEntry } from '../git/objects.ts';
import { readCommit, type GitRepository } from '../git/repo.ts';
import { readTreeEntries } from '../git/tree.ts';

/** cluster → (path inside the cluster folder → file content). */
export type ClusterTrees = Map<string, Map<string, string>>;

/** cluster → kubeconfig context, where the inventory named one (annotation manifold.dev/context). */
export type ClusterContexts = Map<string, string>;

/** Where render records them: `clusters.<name>.context` of the provenance file beside the cluster folders. */
const PROVENANCE_DIR = '.manifold';
const PROVENANCE_NAME = 'provenance.json';

/**
 * The contexts a provenance file names. A tree without provenance (written
 * by another tool) or with one Manifold cannot read names none: each cluster
 * then uses the context named after it, and a missing one is reported per cluster.
 */
export function contextsFromProvenance(text: string | undefined): ClusterContexts {
  const contexts: ClusterContexts = new Map();
  if (text === undefined) return contexts;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return contexts;
  }
  const clusters = (parsed as { clusters?: unknown } | null)?.clusters;
  if (clusters === null || typeof clusters !== 'object') return contexts;
  for (const [name, entry] of Object.entries(clusters as Record<string, unknown>)) {
    const context = (entry as { context?: unknown } | null)?.context;
    if (typeof context === 'string' && context !== '') contexts.set(name, context);
  }
  return contexts;
}

/** The contexts recorded in a rendered folder's provenance. */
export async function readFolderContexts(dir: string): Promise<ClusterContexts> {
  return contextsFromProvenance(await readFile(path.join(dir, PROVENANCE_DIR, PROVENANCE_NAME), 'utf8').catch(() => undefined));
}

function isHidden(name: string): boolean {
  return name.startsWith('.');
}

/**
 * Synchronous on purpose: a tree is thousands of small files, and one
 * thread-pool round trip per file made reading 5,000 of them take 0.2–2 s on
 * a busy 2-core machine against 40–130 ms read in place (bench/RESULTS.md,
 * "CLI start-up").
 */
function readFolder(root: string, rel = '', out = new Map<string, string>()): Map<string, string> {
  for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    if (isHidden(e.name)) continue;
    const child = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) readFolder(root, child, out);
    else if (e.isFile()) out.set(child, readFileSync(path.join(root, child), 'utf8'));
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
    trees.set(e.name, readFolder(path.join(dir, e.name)));
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

/** The contexts recorded in the provenance of a rendered commit (under `prefix`). */
export async function readContextsAtCommit(repo: GitRepository, commit: string, prefix = ''): Promise<ClusterContexts> {
  let oid: string | undefined = (await readCommit(repo, commit)).tree;
  for (const seg of [...prefix.split('/').filter((s) => s !== '' && s !== '.'), PROVENANCE_DIR, PROVENANCE_NAME]) {
    const entry: TreeEntry | undefined = oid === undefined ? undefined : (await readTreeEntries(repo.objects, oid)).get(seg);
    oid = entry?.oid;
    if (entry !== undefined && seg === PROVENANCE_NAME && entry.mode === MODE_FILE) {
      return contextsFromProvenance((await repo.objects.read(entry.oid)).body.toString('utf8'));
    }
    if (entry === undefined || (seg !== PROVENANCE_NAME && !isDirMode(entry.mode))) return new Map();
  }
  return new Map();
}
