/**
 * Commits an incremental render: the branch's current tree is patched at the
 * paths the render names (new content, or removal) instead of being built
 * again from every file. Only the directories along edited paths are read
 * and re-encoded; clusters with the same folder and the same edits are
 * patched once. Same guarantees as commit.ts: objects first, the ref last,
 * under git's lock, and no commit when nothing changed.
 */
import { createHash } from 'node:crypto';
import { commitObject, hashObject, isDirMode, MODE_DIR, MODE_FILE, treeObject, type GitObject, type TreeEntry } from './objects.ts';
import { findTreeEntries, spliceTree, type EntryEdit } from './raw-tree.ts';
import { commitMessage, prefixSegments, type ClusterChange, type CommitOptions, type CommitResult } from './commit.ts';
import { assertNotCheckedOut, branchRef, readCommit, readRef, RefMovedError, updateRef, type GitRepository } from './repo.ts';
import { readTreeEntries, type FileChanges } from './tree.ts';
import type { ObjectStore } from './store.ts';

/** cluster → path inside its folder → new content, or null to remove the file (render/incremental.ts ClusterEdits). */
export type TreeEdits = ReadonlyMap<string, ReadonlyMap<string, string | null>>;

type Edit = readonly [path: string, blob: GitObject | null];

interface Patched {
  oid: string | undefined;
  changes: FileChanges;
}

const EMPTY_TREE = Buffer.alloc(0);

/** Edits of one folder: those of its own files, and those below each subfolder (paths relative to it). */
function splitEdits(edits: readonly Edit[]): { files: Map<string, GitObject | null>; subdirs: Map<string, Edit[]> } {
  const files = new Map<string, GitObject | null>();
  const subdirs = new Map<string, Edit[]>();
  for (const [p, blob] of edits) {
    const slash = p.indexOf('/');
    if (slash < 0) {
      files.set(p, blob);
      continue;
    }
    const name = p.slice(0, slash);
    const list = subdirs.get(name) ?? [];
    list.push([p.slice(slash + 1), blob]);
    subdirs.set(name, list);
  }
  return { files, subdirs };
}

function addChanges(to: FileChanges, more: FileChanges): void {
  to.added += more.added;
  to.changed += more.changed;
  to.removed += more.removed;
}

/** Applies path edits to stored trees, collecting the new objects; memoized per (tree, edits). */
class TreePatcher {
  readonly objects = new Map<string, GitObject>();
  private readonly blobs = new Map<string, GitObject>();
  private readonly memo = new Map<string, Patched>();
  private readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
  }

  blob(content: string): GitObject {
    let blob = this.blobs.get(content);
    if (blob === undefined) {
      const body = Buffer.from(content, 'utf8');
      const oid = createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
      blob = { oid, type: 'blob', body };
      this.blobs.set(content, blob);
    }
    return blob;
  }

  /** Edits of one cluster as sorted (path, blob) pairs with a key naming them. */
  edits(files: ReadonlyMap<string, string | null>): { edits: Edit[]; key: string } {
    const edits: Edit[] = [...files].map(([p, content]) => [p, content === null ? null : this.blob(content)] as const);
    edits.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const key = createHash('sha1')
      .update(edits.map(([p, b]) => `${p}\0${b?.oid ?? '-'}`).join('\n'))
      .digest('hex');
    return { edits, key };
  }

  async patch(treeOid: string | undefined, edits: readonly Edit[], editsKey: string): Promise<Patched> {
    const memoKey = `${treeOid ?? ''}:${editsKey}`;
    const known = this.memo.get(memoKey);
    if (known !== undefined) return known;
    const result = await this.apply(treeOid, edits);
    this.memo.set(memoKey, result);
    return result;
  }

  /**
   * Patches a stored tree below the root as bytes (raw-tree.ts): only the
   * edited entries are looked up and the rest is copied, so a folder of a
   * thousand files costs a copy, not a thousand decoded entries.
   */
  private async apply(treeOid: string | undefined, edits: readonly Edit[]): Promise<Patched> {
    const body = treeOid === undefined ? EMPTY_TREE : await this.treeBody(treeOid);
    const changes: FileChanges = { added: 0, changed: 0, removed: 0 };
    const { files, subdirs } = splitEdits(edits);
    const stored = findTreeEntries(body, [...files.keys(), ...subdirs.keys()]);
    const entryEdits = new Map<string, EntryEdit>();
    for (const [name, blob] of files) {
      const before = stored.get(name);
      if (before !== undefined && isDirMode(before.mode)) throw new Error(`tree entry is both a file and a folder: ${name}`);
      if (blob === null) {
        if (before !== undefined) {
          entryEdits.set(name, null);
          changes.removed++;
        }
        continue;
      }
      if (before?.oid === blob.oid) continue;
      if (before === undefined) changes.added++;
      else changes.changed++;
      entryEdits.set(name, { mode: MODE_FILE, oid: blob.oid });
      this.objects.set(blob.oid, blob);
    }
    for (const [name, sub] of subdirs) {
      const before = stored.get(name);
      if (before !== undefined && !isDirMode(before.mode)) throw new Error(`tree entry is both a file and a folder: ${name}`);
      const patched = await this.apply(before?.oid, sub);
      addChanges(changes, patched.changes);
      if (patched.oid === before?.oid) continue;
      entryEdits.set(name, patched.oid === undefined ? null : { mode: MODE_DIR, oid: patched.oid });
    }
    const newBody = entryEdits.size === 0 ? body : spliceTree(body, entryEdits);
    if (newBody.length === 0) return { oid: undefined, changes };
    if (newBody === body) return { oid: treeOid, changes };
    const oid = hashObject('tree', newBody);
    if (oid !== treeOid) this.objects.set(oid, { oid, type: 'tree', body: newBody });
    return { oid, changes };
  }

  private async treeBody(oid: string): Promise<Buffer> {
    const obj = await this.store.read(oid);
    if (obj.type !== 'tree') throw new Error(`${oid} is a ${obj.type}, not a tree`);
    return obj.body;
  }

  /** Edits `entries` (a tree's, or one being built) in place and encodes the result. */
  async applyTo(entries: Map<string, TreeEntry>, treeOid: string | undefined, edits: readonly Edit[]): Promise<Patched> {
    const changes: FileChanges = { added: 0, changed: 0, removed: 0 };
    const { files, subdirs } = splitEdits(edits);
    for (const [p, blob] of files) {
      const before = entries.get(p);
      if (before !== undefined && isDirMode(before.mode)) throw new Error(`tree entry is both a file and a folder: ${p}`);
      if (blob === null) {
        if (before !== undefined) {
          entries.delete(p);
          changes.removed++;
        }
        continue;
      }
      if (before?.oid === blob.oid) continue;
      if (before === undefined) changes.added++;
      else changes.changed++;
      entries.set(p, { mode: MODE_FILE, name: p, oid: blob.oid });
      this.objects.set(blob.oid, blob);
    }
    for (const [name, sub] of subdirs) {
      const before = entries.get(name);
      if (before !== undefined && !isDirMode(before.mode)) throw new Error(`tree entry is both a file and a folder: ${name}`);
      const patched = await this.apply(before?.oid, sub);
      addChanges(changes, patched.changes);
      if (patched.oid === undefined) entries.delete(name);
      else entries.set(name, { mode: MODE_DIR, name, oid: patched.oid });
    }
    if (entries.size === 0) return { oid: undefined, changes };
    const tree = treeObject([...entries.values()]);
    if (tree.oid !== treeOid) this.objects.set(tree.oid, tree);
    return { oid: tree.oid, changes };
  }
}

export interface PatchedTree {
  /** Root tree of the branch after the change (prefix included). */
  tree: string;
  objects: Map<string, GitObject>;
  clusters: ClusterChange[];
  clusterCount: number;
  /** Files per cluster folder after the change. */
  counts: Map<string, number>;
}

/**
 * Patches the tree at `prefix` of `parentTree`: cluster folders by `edits`,
 * then the files beside them, which `extra` builds from the new per-cluster
 * counts (provenance records them). `priorCounts` are the counts the
 * previous render recorded.
 */
export async function patchTree(
  repo: GitRepository,
  parentTree: string,
  prefix: readonly string[],
  edits: TreeEdits,
  priorCounts: Readonly<Record<string, { objects: number }>>,
  extra: (counts: ReadonlyMap<string, number>) => ReadonlyMap<string, string>,
): Promise<PatchedTree> {
  const store = repo.objects;
  const levels: Map<string, TreeEntry>[] = [];
  let oldRoot: string | undefined = parentTree;
  for (const seg of prefix) {
    const entries: Map<string, TreeEntry> = oldRoot === undefined ? new Map<string, TreeEntry>() : await readTreeEntries(store, oldRoot);
    levels.push(entries);
    const e: TreeEntry | undefined = entries.get(seg);
    oldRoot = e !== undefined && isDirMode(e.mode) ? e.oid : undefined;
  }
  const rootEntries = oldRoot === undefined ? new Map<string, TreeEntry>() : await readTreeEntries(store, oldRoot);
  const patcher = new TreePatcher(store);
  const clusters: ClusterChange[] = [];
  const counts = new Map<string, number>();
  for (const [cluster, files] of edits) {
    const before = rootEntries.get(cluster);
    const oldDir = before !== undefined && isDirMode(before.mode) ? before.oid : undefined;
    const { edits: list, key } = patcher.edits(files);
    const patched = await patcher.patch(oldDir, list, key);
    const c = patched.changes;
    counts.set(cluster, (priorCounts[cluster]?.objects ?? 0) + c.added - c.removed);
    if (patched.oid === undefined) rootEntries.delete(cluster);
    else rootEntries.set(cluster, { mode: MODE_DIR, name: cluster, oid: patched.oid });
    if (c.added + c.changed + c.removed === 0) continue;
    const status = oldDir === undefined ? 'added' : patched.oid === undefined ? 'removed' : 'changed';
    clusters.push({ cluster, status, ...c });
  }
  for (const [cluster, record] of Object.entries(priorCounts)) if (!counts.has(cluster)) counts.set(cluster, record.objects);
  const clusterCount = [...rootEntries.values()].filter((e) => isDirMode(e.mode) && !e.name.startsWith('.')).length;
  // Then the files beside the clusters (provenance, .gitattributes), which record the new counts.
  const root = await patcher.applyTo(rootEntries, oldRoot, patcher.edits(new Map(extra(counts))).edits);
  let child = root.oid as string;
  for (let i = prefix.length - 1; i >= 0; i--) {
    const entries = new Map(levels[i]);
    const name = prefix[i] as string;
    entries.set(name, { mode: MODE_DIR, name, oid: child });
    const tree = treeObject([...entries.values()]);
    patcher.objects.set(tree.oid, tree);
    child = tree.oid;
  }
  clusters.sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
  return { tree: child, objects: patcher.objects, clusters, clusterCount, counts };
}

export interface IncrementalCommitOptions extends CommitOptions {
  /** The tip the incremental render was planned against: the branch must still point there. */
  expectedParent: string;
}

/**
 * Commits a patched tree on the branch. Throws RefMovedError when the branch
 * is not (or no longer) at `expectedParent`: the caller renders in full then.
 */
export async function commitPatchedTree(
  repo: GitRepository,
  edits: TreeEdits,
  priorCounts: Readonly<Record<string, { objects: number }>>,
  extra: (counts: ReadonlyMap<string, number>) => ReadonlyMap<string, string>,
  options: IncrementalCommitOptions,
): Promise<CommitResult> {
  const ref = branchRef(options.branch);
  const prefix = prefixSegments(options.prefix);
  await assertNotCheckedOut(repo, ref);
  const parent = await readRef(repo, ref);
  if (parent !== options.expectedParent) throw new RefMovedError(ref, options.expectedParent, parent);
  const parentTree = (await readCommit(repo, parent)).tree;
  const patched = await patchTree(repo, parentTree, prefix, edits, priorCounts, extra);
  if (patched.tree === parentTree) return { ref, commit: parent, parent, tree: parentTree, created: false, objectsWritten: 0, clusters: [] };
  const message = commitMessage({ sourceCommit: options.sourceCommit, clusters: patched.clusters, clusterCount: patched.clusterCount, manifoldVersion: options.manifoldVersion });
  const commit = commitObject({ tree: patched.tree, parents: [parent], author: options.author, committer: options.author, message });
  const written = await repo.objects.write([...patched.objects.values(), commit]);
  await options.beforeRefUpdate?.();
  await updateRef(repo, ref, commit.oid, parent, { who: options.author, message: `manifold: render${options.sourceCommit ? ` ${options.sourceCommit}` : ''}` });
  return { ref, commit: commit.oid, parent, tree: patched.tree, created: true, objectsWritten: written, clusters: patched.clusters, message };
}
