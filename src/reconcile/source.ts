/**
 * Where the reconciler reads each cluster's tree: a folder in the
 * `manifold render --out` layout (`<dir>/<cluster>/…`) or a commit of the
 * rendered branch, read straight from the object database (no checkout).
 * Hidden entries (`.manifold/` provenance, `.gitattributes`) are metadata,
 * not clusters. The rendered sources at the end (folderSource, gitSource)
 * are what the loop (loop.ts) reads at every tick.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, RuntimeError } from '../errors/index.ts';
import { redact } from '../errors/redact.ts';
import { isDirMode, MODE_FILE, type TreeEntry } from '../git/objects.ts';
import { fetchRemoteBranch, remoteBranchTip, resolveRemote, type RemoteTarget } from '../git/remote.ts';
import { branchRef, readCommit, readRef, resolveCommit, type GitRepository } from '../git/repo.ts';
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

/** The provenance file of a rendered commit (under `prefix`), if it has one. */
export async function readProvenanceAtCommit(repo: GitRepository, commit: string, prefix = ''): Promise<string | undefined> {
  let oid: string | undefined = (await readCommit(repo, commit)).tree;
  for (const seg of [...prefix.split('/').filter((s) => s !== '' && s !== '.'), PROVENANCE_DIR, PROVENANCE_NAME]) {
    const entry: TreeEntry | undefined = oid === undefined ? undefined : (await readTreeEntries(repo.objects, oid)).get(seg);
    oid = entry?.oid;
    if (entry !== undefined && seg === PROVENANCE_NAME && entry.mode === MODE_FILE) return (await repo.objects.read(entry.oid)).body.toString('utf8');
    if (entry === undefined || (seg !== PROVENANCE_NAME && !isDirMode(entry.mode))) return undefined;
  }
  return undefined;
}

/** The contexts recorded in the provenance of a rendered commit (under `prefix`). */
export async function readContextsAtCommit(repo: GitRepository, commit: string, prefix = ''): Promise<ClusterContexts> {
  return contextsFromProvenance(await readProvenanceAtCommit(repo, commit, prefix));
}

/**
 * The source commit a render came from (`source.commit` of the provenance,
 * as render records it); undefined for a render of uncommitted files or a
 * tree without provenance.
 */
export function sourceCommitFromProvenance(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const commit = (JSON.parse(text) as { source?: { commit?: unknown } } | null)?.source?.commit;
    return typeof commit === 'string' && /^[0-9a-f]{40}$/.test(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Rendered sources: what the loop reads at every tick.

export interface RenderedSnapshot {
  trees: ClusterTrees;
  /** Commit of the rendered branch, or 'folder:<path>'. */
  renderedCommit: string;
  /** Changes exactly when the trees may have changed: the commit id, or a content hash for folders. */
  version: string;
  /** Kubeconfig contexts the inventory names (from the tree's provenance). */
  contexts?: ClusterContexts | undefined;
  /** The provenance file of the rendered commit (a rollout reads its waves there). */
  provenance?: string | undefined;
  /**
   * A rollout (docs/rollout.md): the commit each cluster may run; its tree in
   * `trees` is that commit's. Absent: every cluster runs `renderedCommit`.
   */
  commits?: ReadonlyMap<string, string> | undefined;
  /** A rollout: clusters that may run nothing yet (neither reconciled nor orphans). */
  held?: ReadonlySet<string> | undefined;
}

/** The commit (or folder version) a cluster's tree in the snapshot is at. */
export function versionOf(snapshot: RenderedSnapshot, cluster: string): string {
  return snapshot.commits?.get(cluster) ?? snapshot.version;
}

/** The rendered commit a cluster of the snapshot is reconciled at. */
export function commitOf(snapshot: RenderedSnapshot, cluster: string): string {
  return snapshot.commits?.get(cluster) ?? snapshot.renderedCommit;
}

export interface RenderedSource {
  /** For log lines: where the trees are read from (never with credentials). */
  description: string;
  read(): Promise<RenderedSnapshot>;
}

/**
 * With --cluster, a tree without that cluster's folder is read as empty: the
 * loop decides whether the cluster left the fleet (the report knows it) or
 * the name is wrong (then it raises the same error).
 */
async function ownFolderOrNone(read: Promise<ClusterTrees>): Promise<ClusterTrees> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof InputError && err.problems.length === 1 && err.problems[0]?.code === 'CLUSTER_NOT_RENDERED') return new Map();
    throw err;
  }
}

function contentVersion(trees: ClusterTrees, contexts: ClusterContexts): string {
  const h = createHash('sha256');
  for (const [cluster, context] of [...contexts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) h.update(`context ${cluster}\0${context}\0`);
  for (const [cluster, files] of [...trees].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    for (const [file, text] of [...files].sort((a, b) => (a[0] < b[0] ? -1 : 1))) h.update(`${cluster}/${file}\0${text}\0`);
  }
  return `sha256:${h.digest('hex')}`;
}

/** A folder in the `manifold render --out` layout, read again at every tick. */
export function folderSource(dir: string, only?: string): RenderedSource {
  const abs = path.resolve(dir);
  return {
    description: `folder ${abs}`,
    async read() {
      const trees = await ownFolderOrNone(readRenderedFolder(abs, only));
      const provenance = await readFile(path.join(abs, PROVENANCE_DIR, PROVENANCE_NAME), 'utf8').catch(() => undefined);
      const contexts = contextsFromProvenance(provenance);
      return { trees, renderedCommit: `folder:${abs}`, version: contentVersion(trees, contexts), contexts, provenance };
    },
  };
}

export interface GitSourceOptions {
  repo: GitRepository;
  branch: string;
  prefix?: string | undefined;
  only?: string | undefined;
  /** Fetch the branch from this remote (name or http(s) URL) before each read. */
  remote?: string | undefined;
  token?: string | undefined;
  /** A fixed commit, tag or branch (`--once --ref`) instead of the branch tip; local repository only. */
  ref?: string | undefined;
}

/**
 * The tip of the rendered branch: fetched from the remote when one is given
 * (the remote is the truth), else the local branch. Trees are read from the
 * object database only when the tip moved.
 */
export function gitSource(options: GitSourceOptions): RenderedSource {
  const ref = branchRef(options.branch);
  let target: RemoteTarget | undefined;
  let cached: RenderedSnapshot | undefined;
  const where = () => (target === undefined ? options.repo.workdir ?? options.repo.gitdir : redact(target.url));
  return {
    description: options.remote === undefined ? `branch ${ref.slice(11)} of ${options.repo.workdir ?? options.repo.gitdir}` : `branch ${ref.slice(11)} of ${redact(options.remote)}`,
    async read() {
      let tip: string | undefined;
      if (options.remote !== undefined) {
        target ??= await resolveRemote(options.repo, options.remote);
        tip = await remoteBranchTip(target, ref, options.token);
        if (tip !== undefined && !options.repo.objects.has(tip)) await fetchRemoteBranch(options.repo, target, ref, options.token);
      } else if (options.ref !== undefined) {
        tip = await resolveCommit(options.repo, options.ref);
      } else {
        tip = await readRef(options.repo, ref);
      }
      if (tip === undefined) {
        throw new RuntimeError('RENDERED_BRANCH_MISSING', `the rendered branch ${ref.slice(11)} does not exist in ${where()} (has \`manifold render --commit\`/\`--push\` run?)`);
      }
      if (cached?.version === tip) return cached;
      const commit = await resolveCommit(options.repo, tip);
      const trees = await ownFolderOrNone(readTreeAtCommit(options.repo, commit, { prefix: options.prefix, only: options.only }));
      const provenance = await readProvenanceAtCommit(options.repo, commit, options.prefix);
      cached = { trees, renderedCommit: commit, version: commit, contexts: contextsFromProvenance(provenance), provenance };
      return cached;
    },
  };
}
