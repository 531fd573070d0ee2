/**
 * Commits a rendered tree to a branch without a checkout, an index or a
 * working tree: blobs and trees are hashed in memory, compared with the
 * branch's current tree (unchanged directories reuse their ids and are never
 * rewritten), new objects are written, then the commit, and only then is the
 * branch moved under git's ref lock. An unchanged tree makes no commit.
 */
import { InputError } from '../errors/index.ts';
import { PROVENANCE_DIR, PROVENANCE_FILE } from '../output/folder.ts';
import { commitObject, isDirMode, MODE_DIR, treeObject, type GitObject, type Signature, type TreeEntry } from './objects.ts';
import { assertNotCheckedOut, branchRef, readCommit, readRef, RefMovedError, updateRef, type GitRepository } from './repo.ts';
import { buildTree, hexOf, identicalClusters, readTreeEntries, TreeComparer, TreeHasher, type ClusterFiles, type DirNode, type FileChanges } from './tree.ts';

export const GITATTRIBUTES = '.gitattributes';
/** GitHub collapses generated files in pull-request diffs (linguist `generated` attribute). */
export const GITATTRIBUTES_CONTENT = `# Written by manifold: metadata beside the cluster folders is generated.\n${PROVENANCE_DIR}/** linguist-generated=true\n`;

export interface RenderedTree {
  clusters: ClusterFiles;
  /** Files beside the cluster folders: path → content. */
  extra: ReadonlyMap<string, string>;
}

/** The tree committed for a render: cluster folders, provenance (as the folder output writes it) and .gitattributes. */
export function renderedTree(clusters: ClusterFiles, provenance: unknown): RenderedTree {
  const extra = new Map<string, string>([
    [PROVENANCE_FILE, `${JSON.stringify(provenance, null, 2)}\n`],
    [GITATTRIBUTES, GITATTRIBUTES_CONTENT],
  ]);
  return { clusters, extra };
}

export interface ClusterChange extends FileChanges {
  cluster: string;
  status: 'added' | 'changed' | 'removed';
}

/** `a/b/` → `['a','b']`; refuses paths that would leave the branch root. */
export function prefixSegments(prefix: string | undefined): string[] {
  if (prefix === undefined) return [];
  const segments = prefix.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..' || s === '.git' || s.includes('\\') || s.includes('\0'))) {
    throw InputError.single({ code: 'GIT_BAD_PREFIX', message: `--prefix "${prefix}" must be a relative path inside the branch without ".." or ".git"` });
  }
  return segments;
}

/** A rendered tree hashed once; it can then be compared with any number of parents (push retries). */
export class HashedTree {
  readonly root: DirNode;
  readonly rootTree: GitObject;
  readonly hasher: TreeHasher;

  /** `stored`: true for file values that are raw ids of blobs already in the repository (blob-stream.ts). */
  constructor(tree: RenderedTree, stored?: (value: string) => boolean) {
    const hasher = new TreeHasher(stored);
    this.hasher = hasher;
    const sameAs = identicalClusters(tree.clusters);
    this.root = buildTree(hasher, tree.clusters, tree.extra, sameAs);
    const rootTree = hasher.hash(this.root);
    if (rootTree === undefined) throw new Error('a rendered tree always holds provenance');
    this.rootTree = rootTree;
  }
}

export interface PreparedTree {
  /** Root tree of the branch after the change. */
  tree: string;
  /** Objects that the new tree needs and the parent's tree does not have (trees and blobs). */
  objects: Map<string, GitObject>;
  clusters: ClusterChange[];
  /** Cluster folders in the new tree. */
  clusterCount: number;
}

/**
 * Compares the hashed tree (placed at `prefix`) with `parentTree`, keeping
 * everything of the parent outside the prefix.
 */
export async function prepareTree(
  repo: GitRepository,
  hashed: HashedTree,
  parentTree: string | undefined,
  prefix: readonly string[],
): Promise<PreparedTree> {
  const store = repo.objects;
  // The parent's trees along the prefix path, root first.
  const levels: Map<string, TreeEntry>[] = [];
  let oldAtPrefix = parentTree;
  for (const seg of prefix) {
    const entries = oldAtPrefix === undefined ? new Map<string, TreeEntry>() : await readTreeEntries(store, oldAtPrefix);
    levels.push(entries);
    const e = entries.get(seg);
    oldAtPrefix = e !== undefined && isDirMode(e.mode) ? e.oid : undefined;
  }
  const objects = new Map<string, GitObject>();
  const clusters = await compareClusters(repo, hashed, oldAtPrefix, objects);
  let child = hashed.rootTree.oid;
  for (let i = prefix.length - 1; i >= 0; i--) {
    const entries = new Map(levels[i]);
    const name = prefix[i] as string;
    entries.set(name, { mode: MODE_DIR, name, oid: child });
    const tree = treeObject([...entries.values()]);
    if (!objects.has(tree.oid)) objects.set(tree.oid, tree);
    child = tree.oid;
  }
  return { tree: child, objects, clusters, clusterCount: [...hashed.root.dirs.keys()].filter((n) => !n.startsWith('.')).length };
}

/** Per-cluster counts of files added, changed and removed; hidden folders and root files are metadata. */
async function compareClusters(
  repo: GitRepository,
  hashed: HashedTree,
  oldRoot: string | undefined,
  objects: Map<string, GitObject>,
): Promise<ClusterChange[]> {
  const root = hashed.root;
  if (hashed.rootTree.oid === oldRoot) return [];
  const comparer = new TreeComparer(repo.objects, hashed.hasher);
  comparer.out.set(hashed.rootTree.oid, hashed.rootTree);
  const old = oldRoot === undefined ? new Map<string, TreeEntry>() : await readTreeEntries(repo.objects, oldRoot);
  root.fileInfos.forEach((info, i) => {
    const raw = root.fileRaws[i] as string;
    if (old.get(info.name)?.oid !== hexOf(raw)) comparer.collectBlob(raw);
  });
  const changes: ClusterChange[] = [];
  for (const [name, dir] of root.dirs) {
    const before = old.get(name);
    const oldDir = before !== undefined && isDirMode(before.mode) ? before.oid : undefined;
    const counts: FileChanges = await comparer.compare(dir, oldDir);
    if (name.startsWith('.')) continue;
    if (counts.added + counts.changed + counts.removed > 0) {
      changes.push({ cluster: name, status: oldDir === undefined ? 'added' : 'changed', ...counts });
    }
  }
  for (const [name, before] of old) {
    if (root.dirs.has(name) || name.startsWith('.') || !isDirMode(before.mode)) continue;
    changes.push({ cluster: name, status: 'removed', added: 0, changed: 0, removed: await comparer.countStored(before.oid) });
  }
  for (const [oid, obj] of comparer.out) objects.set(oid, obj);
  return changes.sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function describeClusterChange(c: ClusterChange): string {
  if (c.status === 'added') return `${c.cluster}: new cluster, ${plural(c.added, 'object')} added`;
  if (c.status === 'removed') return `${c.cluster}: cluster removed, ${plural(c.removed, 'object')} removed`;
  return `${c.cluster}: ${c.added} added, ${c.changed} changed, ${c.removed} removed`;
}

export interface MessageInput {
  sourceCommit?: string | undefined;
  clusters: readonly ClusterChange[];
  clusterCount: number;
  manifoldVersion: string;
}

/** Subject naming the source commit, one line per changed cluster, then trailers (git-interpret-trailers format). */
export function commitMessage(m: MessageInput): string {
  const source = m.sourceCommit === undefined ? 'an uncommitted source' : m.sourceCommit.slice(0, 12);
  const subject = `manifold: render ${source} (${m.clusters.length} of ${plural(m.clusterCount, 'cluster')} changed)`;
  const body: string[] = [];
  body.push(m.sourceCommit === undefined ? 'Rendered from a working folder with uncommitted or untracked changes.' : `Rendered from source commit ${m.sourceCommit}.`);
  body.push('');
  if (m.clusters.length === 0) body.push('No object changed; only the provenance was updated.');
  else for (const c of m.clusters) body.push(describeClusterChange(c));
  const trailers: string[] = [];
  if (m.sourceCommit !== undefined) trailers.push(`Manifold-Source-Commit: ${m.sourceCommit}`);
  trailers.push(`Manifold-Version: ${m.manifoldVersion}`);
  return `${subject}\n\n${body.join('\n')}\n\n${trailers.join('\n')}\n`;
}

export interface CommitOptions {
  /** Branch name (`manifold/rendered`) or full `refs/heads/…` name. */
  branch: string;
  /** Path inside the branch where the tree goes; the rest of the branch is kept. */
  prefix?: string | undefined;
  sourceCommit?: string | undefined;
  manifoldVersion: string;
  author: Signature;
  /** Called after the objects are written and before the ref moves (tests use it to move the branch underneath). */
  beforeRefUpdate?: (() => Promise<void>) | undefined;
  /** How many times to rebuild on a branch that moved underneath before giving up. */
  attempts?: number | undefined;
  /** Writes the new objects (default: the repository's store); returns how many were written. */
  write?: ((objects: GitObject[]) => Promise<number>) | undefined;
}

export interface CommitResult {
  ref: string;
  /** The new commit, or the unchanged tip when nothing changed. */
  commit: string | undefined;
  parent: string | undefined;
  tree: string;
  created: boolean;
  objectsWritten: number;
  clusters: ClusterChange[];
  message?: string | undefined;
}

/** Builds the commit object for a prepared tree on `parent`; undefined when the tree equals the parent's. */
export async function buildCommit(
  repo: GitRepository,
  hashed: HashedTree,
  parent: string | undefined,
  options: Pick<CommitOptions, 'prefix' | 'sourceCommit' | 'manifoldVersion' | 'author'>,
): Promise<{ prepared: PreparedTree; commit?: GitObject; message?: string }> {
  const parentTree = parent === undefined ? undefined : (await readCommit(repo, parent)).tree;
  const prepared = await prepareTree(repo, hashed, parentTree, prefixSegments(options.prefix));
  if (prepared.tree === parentTree) return { prepared };
  const message = commitMessage({
    sourceCommit: options.sourceCommit,
    clusters: prepared.clusters,
    clusterCount: prepared.clusterCount,
    manifoldVersion: options.manifoldVersion,
  });
  const commit = commitObject({
    tree: prepared.tree,
    parents: parent === undefined ? [] : [parent],
    author: options.author,
    committer: options.author,
    message,
  });
  return { prepared, commit, message };
}

/**
 * Writes the tree as a commit on a local branch. Rebuilds on the new tip when
 * the branch moves underneath (another writer), up to `attempts` times.
 */
export async function commitRenderedTree(repo: GitRepository, tree: RenderedTree | HashedTree, options: CommitOptions): Promise<CommitResult> {
  const ref = branchRef(options.branch);
  prefixSegments(options.prefix);
  await assertNotCheckedOut(repo, ref);
  const hashed = tree instanceof HashedTree ? tree : new HashedTree(tree);
  const attempts = options.attempts ?? 3;
  let lastError: RefMovedError | undefined;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const parent = await readRef(repo, ref);
    const { prepared, commit, message } = await buildCommit(repo, hashed, parent, options);
    if (commit === undefined) {
      return { ref, commit: parent, parent, tree: prepared.tree, created: false, objectsWritten: 0, clusters: [] };
    }
    const objects = [...prepared.objects.values(), commit];
    const written = await (options.write === undefined ? repo.objects.write(objects) : options.write(objects));
    await options.beforeRefUpdate?.();
    try {
      await updateRef(repo, ref, commit.oid, parent, { who: options.author, message: `manifold: render${options.sourceCommit ? ` ${options.sourceCommit}` : ''}` });
    } catch (err) {
      if (err instanceof RefMovedError) {
        lastError = err;
        continue;
      }
      throw err;
    }
    return { ref, commit: commit.oid, parent, tree: prepared.tree, created: true, objectsWritten: written, clusters: prepared.clusters, message };
  }
  throw lastError ?? new Error('unreachable');
}
