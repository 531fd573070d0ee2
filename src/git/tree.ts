/**
 * A rendered tree in memory, hashed bottom-up exactly as git would store it,
 * and compared with the tree a branch already holds: only directories whose
 * id changed are read and descended into, so an unchanged cluster costs one
 * id comparison and nothing is rewritten (ecosystem-notes.md §2, decision).
 */
import { blobObject, decodeTree, MODE_DIR, MODE_FILE, treeObject, isDirMode, type GitObject, type TreeEntry } from './objects.ts';
import type { ObjectStore } from './store.ts';

/** cluster → path inside the cluster folder → content, as `render()` returns it. */
export type ClusterFiles = ReadonlyMap<string, ReadonlyMap<string, string>>;

export interface DirNode {
  files: Map<string, string>;
  dirs: Map<string, DirNode>;
  /** Set by hashTree. */
  tree?: GitObject;
}

export function emptyDir(): DirNode {
  return { files: new Map(), dirs: new Map() };
}

function dirAt(root: DirNode, segments: readonly string[], upTo: number): DirNode {
  let node = root;
  for (let i = 0; i < upTo; i++) {
    const seg = segments[i] as string;
    let next = node.dirs.get(seg);
    if (next === undefined) {
      next = emptyDir();
      node.dirs.set(seg, next);
    }
    node = next;
  }
  return node;
}

/** Adds one file at a relative path (`a/b/c.yaml`). */
export function addFile(root: DirNode, relPath: string, content: string): void {
  const segments = relPath.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw new Error(`invalid tree path: ${relPath}`);
  dirAt(root, segments, segments.length - 1).files.set(segments[segments.length - 1] as string, content);
}

/**
 * One directory per cluster plus files beside them (provenance,
 * .gitattributes). Paths inside a cluster repeat across clusters, so their
 * split form is memoized.
 */
export function buildTree(clusters: ClusterFiles, extra: ReadonlyMap<string, string>): DirNode {
  const root = emptyDir();
  const split = new Map<string, string[]>();
  for (const [cluster, files] of clusters) {
    const dir = dirAt(root, [cluster], 1);
    for (const [file, content] of files) {
      let segments = split.get(file);
      if (segments === undefined) {
        segments = file.split('/');
        if (segments.some((s) => s === '' || s === '.' || s === '..')) throw new Error(`invalid tree path: ${file}`);
        split.set(file, segments);
      }
      dirAt(dir, segments, segments.length - 1).files.set(segments[segments.length - 1] as string, content);
    }
  }
  for (const [file, content] of extra) addFile(root, file, content);
  return root;
}

/** Content → blob, shared across clusters: identical content is hashed once. */
export class BlobCache {
  private readonly byContent = new Map<string, GitObject>();
  get(content: string): GitObject {
    let blob = this.byContent.get(content);
    if (blob === undefined) {
      blob = blobObject(content);
      this.byContent.set(content, blob);
    }
    return blob;
  }
}

/** Computes every tree id bottom-up; returns the root tree. Empty directories vanish, as in git. */
export function hashTree(node: DirNode, blobs: BlobCache): GitObject | undefined {
  const entries: TreeEntry[] = [];
  for (const [name, content] of node.files) entries.push({ mode: MODE_FILE, name, oid: blobs.get(content).oid });
  for (const [name, dir] of node.dirs) {
    const sub = hashTree(dir, blobs);
    if (sub !== undefined) entries.push({ mode: MODE_DIR, name, oid: sub.oid });
  }
  if (entries.length === 0) return undefined;
  node.tree = treeObject(entries);
  return node.tree;
}

export async function readTreeEntries(store: ObjectStore, oid: string): Promise<Map<string, TreeEntry>> {
  const obj = await store.read(oid);
  if (obj.type !== 'tree') throw new Error(`${oid} is a ${obj.type}, not a tree`);
  return new Map(decodeTree(obj.body).map((e) => [e.name, e]));
}

export interface FileChanges {
  added: number;
  changed: number;
  removed: number;
}

export function countFiles(node: DirNode): number {
  let n = node.files.size;
  for (const d of node.dirs.values()) n += countFiles(d);
  return n;
}

export async function countStoredFiles(store: ObjectStore, oid: string): Promise<number> {
  let n = 0;
  for (const e of (await readTreeEntries(store, oid)).values()) {
    n += isDirMode(e.mode) ? await countStoredFiles(store, e.oid) : 1;
  }
  return n;
}

/**
 * Walks the new tree against the stored one, collecting the objects that
 * differ (a directory with the same id is skipped whole) and counting files
 * added, changed and removed. `out` receives each object at most once.
 */
export async function collectChanges(
  store: ObjectStore,
  node: DirNode,
  oldOid: string | undefined,
  blobs: BlobCache,
  out: Map<string, GitObject>,
  changes: FileChanges,
): Promise<void> {
  const tree = node.tree;
  if (tree === undefined || tree.oid === oldOid) return;
  out.set(tree.oid, tree);
  const old = oldOid === undefined ? new Map<string, TreeEntry>() : await readTreeEntries(store, oldOid);
  for (const [name, content] of node.files) {
    const blob = blobs.get(content);
    const before = old.get(name);
    const wasFile = before !== undefined && !isDirMode(before.mode);
    if (wasFile && before.oid === blob.oid) continue;
    if (!out.has(blob.oid)) out.set(blob.oid, blob);
    if (wasFile) changes.changed++;
    else {
      changes.added++;
      if (before !== undefined) changes.removed += await countStoredFiles(store, before.oid);
    }
  }
  for (const [name, dir] of node.dirs) {
    const before = old.get(name);
    if (before !== undefined && isDirMode(before.mode)) {
      await collectChanges(store, dir, before.oid, blobs, out, changes);
    } else {
      if (before !== undefined) changes.removed++;
      await collectChanges(store, dir, undefined, blobs, out, changes);
    }
  }
  for (const [name, before] of old) {
    if (node.files.has(name) || node.dirs.has(name)) continue;
    changes.removed += isDirMode(before.mode) ? await countStoredFiles(store, before.oid) : 1;
  }
}
