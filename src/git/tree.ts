/**
 * A rendered tree in memory, hashed bottom-up exactly as git would store it,
 * and compared with the tree a branch already holds: only directories whose
 * id changed are read and descended into, so an unchanged cluster costs one
 * id comparison and nothing is rewritten (ecosystem-notes.md §2, decision).
 *
 * Fleets repeat themselves: the same paths in every cluster, the same file
 * contents in many. So paths, entry headers and blobs are interned once per
 * run, each directory is encoded straight into one buffer, and the comparison
 * with the old tree is memoized per (new id, old id) pair: a thousand clusters
 * with identical changes cost one walk (performance-anchors.md §7, lessons 1–3).
 */
import { createHash } from 'node:crypto';
import { decodeTree, isDirMode, MODE_DIR, MODE_FILE, type GitObject, type TreeEntry } from './objects.ts';
import type { ObjectStore } from './store.ts';

/** cluster → path inside the cluster folder → content, as `render()` returns it. */
export type ClusterFiles = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** A blob with its raw 20-byte id as a latin1 string, for tree encoding. */
export interface Blob extends GitObject {
  raw: string;
}

interface PathInfo {
  /** Parent directory segments. */
  dirs: string[];
  dirKey: string;
  name: string;
  /** `100644 <name>\0` as UTF-8 bytes held in a latin1 string (one byte per char). */
  header: string;
  ascii: boolean;
}

export interface DirNode {
  /**
   * Files of this directory: path info and the blob's raw id at the same
   * index (parallel arrays: no object per file, and no object per blob for
   * the million blobs a render streamed into a pack).
   */
  fileInfos: PathInfo[];
  fileRaws: string[];
  dirs: Map<string, DirNode>;
  /** Set by hashing; undefined for an empty directory (git stores none). */
  tree?: GitObject | undefined;
  raw?: string | undefined;
  /** Files below this directory, at any depth. */
  fileCount: number;
  /** Set once hashed: a directory shared by identical clusters is hashed once. */
  hashed?: boolean | undefined;
}

function emptyDir(): DirNode {
  return { fileInfos: [], fileRaws: [], dirs: new Map(), fileCount: 0 };
}

/**
 * Clusters with identical files share one folder object. render() gives
 * such clusters one and the same file map (see its clusterFiles), so they are
 * found by identity, in one pass. Returns cluster → the first cluster with
 * the same map.
 */
export function identicalClusters(clusters: ClusterFiles): Map<string, string> {
  const firstWith = new Map<ReadonlyMap<string, string>, string>();
  const representative = new Map<string, string>();
  for (const [cluster, files] of clusters) {
    const first = firstWith.get(files);
    if (first === undefined) firstWith.set(files, cluster);
    representative.set(cluster, first ?? cluster);
  }
  return representative;
}

function invalidPath(p: string): Error {
  return new Error(`invalid tree path: ${p}`);
}

// Plain printable ASCII names sort with string comparison (UTF-16 order equals byte order there).
const ASCII = /^[\x20-\x7e]*$/;

function latin1Bytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/**
 * Interning tables shared by every cluster of one run. Tree bodies are built
 * as latin1 strings (one char per byte) and converted once per directory:
 * per-entry Buffer copies dominate otherwise.
 */
export class TreeHasher {
  /** Blobs made here from contents: content → blob, and raw id → blob (what the comparer collects for writing). */
  private readonly blobs = new Map<string, Blob>();
  private readonly byRaw = new Map<string, Blob>();
  private readonly paths = new Map<string, PathInfo>();
  /** Trees hashed so far, by raw id. */
  private readonly trees = new Map<string, GitObject>();

  /** `stored`: true for file values that are the raw ids of blobs already written (blob-stream.ts); others are contents. */
  private readonly stored: ((value: string) => boolean) | undefined;

  constructor(stored?: (value: string) => boolean) {
    this.stored = stored;
  }

  /** The raw id of a file value: the value itself when it stands for a stored blob, else the id of its content. */
  private rawOf(content: string): string {
    if (this.stored?.(content) === true) return content;
    let blob = this.blobs.get(content);
    if (blob === undefined) {
      const body = Buffer.from(content, 'utf8');
      const digest = createHash('sha1').update(`blob ${body.length}\0`).update(body).digest();
      blob = { oid: digest.toString('hex'), raw: digest.toString('latin1'), type: 'blob', body };
      this.blobs.set(content, blob);
      this.byRaw.set(blob.raw, blob);
    }
    return blob.raw;
  }

  /** The blob to write for a raw id made here; undefined for one already stored. */
  blobToWrite(raw: string): Blob | undefined {
    return this.byRaw.get(raw);
  }

  private pathInfo(p: string): PathInfo {
    let info = this.paths.get(p);
    if (info === undefined) {
      const segments = p.split('/');
      if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\0'))) throw invalidPath(p);
      const name = segments.pop() as string;
      info = { dirs: segments, dirKey: segments.join('/'), name, header: latin1Bytes(`${MODE_FILE} ${name}\0`), ascii: ASCII.test(name) };
      this.paths.set(p, info);
    }
    return info;
  }

  /** Adds files (relative path → content) below `root`, creating directories as needed. */
  addFiles(root: DirNode, files: Iterable<readonly [string, string]>): void {
    // Consecutive files usually share a directory: one lookup per file instead of one per segment.
    const byDir = new Map<string, DirNode>();
    byDir.set('', root);
    for (const [p, content] of files) {
      const info = this.pathInfo(p);
      let dir = byDir.get(info.dirKey);
      if (dir === undefined) {
        let walk: DirNode = root;
        for (const seg of info.dirs) {
          let next: DirNode | undefined = walk.dirs.get(seg);
          if (next === undefined) {
            next = emptyDir();
            walk.dirs.set(seg, next);
          }
          walk = next;
        }
        dir = walk;
        byDir.set(info.dirKey, dir);
      }
      dir.fileInfos.push(info);
      dir.fileRaws.push(this.rawOf(content));
    }
  }

  /** Computes every tree id below `node`, bottom-up. */
  hash(node: DirNode): GitObject | undefined {
    if (node.hashed === true) return node.tree;
    node.hashed = true;
    const infos = node.fileInfos;
    const raws = node.fileRaws;
    let count = infos.length;
    const subdirs: { key: string; part: string; ascii: boolean }[] = [];
    for (const [name, dir] of node.dirs) {
      const sub = this.hash(dir);
      count += dir.fileCount;
      if (sub !== undefined) subdirs.push({ key: `${name}/`, part: latin1Bytes(`${MODE_DIR} ${name}\0`) + (dir.raw as string), ascii: ASCII.test(name) });
    }
    node.fileCount = count;
    if (infos.length === 0 && subdirs.length === 0) {
      node.tree = undefined;
      return undefined;
    }
    // Fast path: only files, ASCII names already in order (render emits them sorted).
    let fast = subdirs.length === 0;
    for (let i = 0; i < infos.length && fast; i++) {
      const info = infos[i] as PathInfo;
      if (!info.ascii || (i > 0 && (infos[i - 1] as PathInfo).name >= info.name)) fast = false;
    }
    let text = '';
    if (fast) {
      for (let i = 0; i < infos.length; i++) text += (infos[i] as PathInfo).header + (raws[i] as string);
    } else {
      text = this.sortedBody(node, subdirs);
    }
    const body = Buffer.from(text, 'latin1');
    const digest = createHash('sha1').update(`tree ${body.length}\0`).update(body).digest();
    node.raw = digest.toString('latin1');
    // Equal folders in many clusters (a ConfigMap folder every cluster shares) keep one body, not one each.
    let tree = this.trees.get(node.raw);
    if (tree === undefined) this.trees.set(node.raw, (tree = { oid: digest.toString('hex'), type: 'tree', body }));
    node.tree = tree;
    return tree;
  }

  /** Git order: names compared bytewise, a directory as if its name ended in '/' (tree.c base_name_compare). */
  private sortedBody(node: DirNode, subdirs: readonly { key: string; part: string; ascii: boolean }[]): string {
    const items = node.fileInfos.map((info, i) => ({ key: info.name, part: info.header + (node.fileRaws[i] as string), ascii: info.ascii }));
    items.push(...subdirs);
    const ascii = items.every((it) => it.ascii);
    items.sort(ascii ? (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : (a, b) => Buffer.compare(Buffer.from(a.key, 'utf8'), Buffer.from(b.key, 'utf8')));
    for (let i = 1; i < items.length; i++) {
      const key = (items[i] as { key: string }).key;
      if ((items[i - 1] as { key: string }).key === key) throw new Error(`duplicate tree entry: ${key}`);
    }
    if (node.fileInfos.length > 0 && node.dirs.size > 0) {
      const names = new Set(node.fileInfos.map((f) => f.name));
      for (const d of node.dirs.keys()) if (names.has(d)) throw new Error(`tree entry is both a file and a folder: ${d}`);
    }
    return items.map((it) => it.part).join('');
  }
}

/** One directory per cluster plus files beside them (provenance, .gitattributes). */
export function buildTree(
  hasher: TreeHasher,
  clusters: ClusterFiles,
  extra: ReadonlyMap<string, string>,
  sameAs?: ReadonlyMap<string, string> | undefined,
): DirNode {
  const root = emptyDir();
  for (const [cluster, files] of clusters) {
    if (cluster === '' || cluster === '.' || cluster === '..' || cluster.includes('/')) throw invalidPath(cluster);
    const twin = sameAs?.get(cluster);
    const twinDir = twin !== undefined && twin !== cluster ? root.dirs.get(twin) : undefined;
    if (twinDir !== undefined) {
      root.dirs.set(cluster, twinDir); // identical files: the same directory object, built and hashed once
      continue;
    }
    let dir = root.dirs.get(cluster);
    if (dir === undefined) {
      dir = emptyDir();
      root.dirs.set(cluster, dir);
    }
    hasher.addFiles(dir, files);
  }
  hasher.addFiles(root, extra);
  return root;
}

/** A raw 20-byte id (latin1) as the hex git prints. */
export function hexOf(raw: string): string {
  return Buffer.from(raw, 'latin1').toString('hex');
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

/**
 * Compares new directories with stored ones. Results are memoized per
 * (new id, old id), and objects are collected at most once, so identical
 * clusters cost one walk.
 */
export class TreeComparer {
  private readonly store: ObjectStore;
  private readonly hasher: TreeHasher;
  readonly out = new Map<string, GitObject>();
  private readonly memo = new Map<string, FileChanges>();
  private readonly storedCounts = new Map<string, number>();

  /** `hasher`: the one that hashed the new tree (it holds the bodies of the blobs it made). */
  constructor(store: ObjectStore, hasher: TreeHasher) {
    this.store = store;
    this.hasher = hasher;
  }

  /** Collects a file's blob for writing unless the old tree or an earlier file has it, or it is stored already. */
  collectBlob(raw: string): void {
    const blob = this.hasher.blobToWrite(raw);
    if (blob !== undefined && !this.out.has(blob.oid)) this.out.set(blob.oid, blob);
  }

  /** Files below a stored tree. */
  async countStored(oid: string): Promise<number> {
    const known = this.storedCounts.get(oid);
    if (known !== undefined) return known;
    let n = 0;
    for (const e of (await readTreeEntries(this.store, oid)).values()) n += isDirMode(e.mode) ? await this.countStored(e.oid) : 1;
    this.storedCounts.set(oid, n);
    return n;
  }

  /** Collects the objects `node` needs that `oldOid` lacks, and counts files added, changed and removed. */
  async compare(node: DirNode, oldOid: string | undefined): Promise<FileChanges> {
    const tree = node.tree;
    if (tree === undefined || tree.oid === oldOid) return { added: 0, changed: 0, removed: oldOid === undefined || tree !== undefined ? 0 : await this.countStored(oldOid) };
    const key = `${tree.oid}:${oldOid ?? ''}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const changes: FileChanges = { added: 0, changed: 0, removed: 0 };
    if (oldOid === undefined && this.out.has(tree.oid)) {
      // Already collected for an identical new directory elsewhere: only the count is needed.
      changes.added = node.fileCount;
      this.memo.set(key, changes);
      return changes;
    }
    this.out.set(tree.oid, tree);
    const old = oldOid === undefined ? new Map<string, TreeEntry>() : await readTreeEntries(this.store, oldOid);
    for (let i = 0; i < node.fileInfos.length; i++) {
      const name = (node.fileInfos[i] as PathInfo).name;
      const raw = node.fileRaws[i] as string;
      const before = old.get(name);
      const wasFile = before !== undefined && !isDirMode(before.mode);
      if (wasFile && before.oid === hexOf(raw)) continue;
      this.collectBlob(raw);
      if (wasFile) changes.changed++;
      else {
        changes.added++;
        if (before !== undefined) changes.removed += await this.countStored(before.oid);
      }
    }
    for (const [name, dir] of node.dirs) {
      const before = old.get(name);
      const oldDir = before !== undefined && isDirMode(before.mode) ? before.oid : undefined;
      if (before !== undefined && oldDir === undefined) changes.removed++;
      const sub = await this.compare(dir, oldDir);
      changes.added += sub.added;
      changes.changed += sub.changed;
      changes.removed += sub.removed;
    }
    const fileNames = new Set(node.fileInfos.map((f) => f.name));
    for (const [name, before] of old) {
      if (node.dirs.has(name) || fileNames.has(name)) continue;
      changes.removed += isDirMode(before.mode) ? await this.countStored(before.oid) : 1;
    }
    this.memo.set(key, changes);
    return changes;
  }
}
