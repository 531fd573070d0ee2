/**
 * A git object database on disk: reads loose and packed objects (with
 * OFS/REF deltas, as `git gc` and fetched packs hold them) and writes new
 * objects either loose (a few) or as one packfile with its v2 index (many).
 *
 * Why not isomorphic-git for this: it writes one loose object per call with an
 * existence check, async SHA-1 and a mkdir each (performance-anchors.md §6);
 * a cold fleet render has tens of thousands of objects. Git itself also turns
 * large incoming batches into a pack (`transfer.unpackLimit`, 100).
 * Formats: git `Documentation/gitformat-pack.txt`, `gitformat-index`.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import type { GitObject, ObjectType } from './objects.ts';
import { RuntimeError } from '../errors/index.ts';

/** At or below this many new objects, write them loose (git's `transfer.unpackLimit` default). */
export const LOOSE_LIMIT = 100;

/**
 * Where a loose object is written before it is renamed into place: git's own
 * temporary name (`objects/xx/tmp_obj_*`, object-file.c `create_tmpfile`),
 * which `git fsck` passes over (builtin/fsck.c `fsck_cruft` reports any other
 * name as "bad sha1 file") and `git gc` removes once stale (builtin/prune.c
 * `prune_tmp_file`), so a write killed half-way leaves nothing fsck reports.
 */
export function looseTempPath(target: string): string {
  return path.join(path.dirname(target), `tmp_obj_${randomBytes(6).toString('hex')}`);
}
/** Above this many objects to write, the loose ones already stored are listed rather than looked up one by one. */
const LOOSE_LISTING_MIN = 1000;

/** Object type codes of the pack format (gitformat-pack). */
export const TYPE_CODES: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };
const CODE_TYPES: Record<number, ObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const OFS_DELTA = 6;
const REF_DELTA = 7;

/** A missing object: a shallow clone's boundary or a damaged repository (exit 3 when nobody handles it). */
export class ObjectNotFoundError extends RuntimeError {
  readonly oid: string;
  constructor(oid: string) {
    super('GIT_OBJECT_MISSING', `git object ${oid} not found (a shallow clone, or a damaged repository: git fsck names the problem)`, { oid });
    this.oid = oid;
  }
}

/** An object or pack that cannot be decoded: truncated packs, garbage loose files. */
function corrupt(gitdir: string, what: string, err: unknown): RuntimeError {
  const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new RuntimeError('GIT_OBJECT_CORRUPT', `cannot read ${what} in ${gitdir}: ${reason} (a damaged repository: git fsck names the problem)`, { what });
}

interface PackIndex {
  packPath: string;
  /** The whole .idx file: offsets are read from it when an object is looked up. */
  data: Buffer;
  /** Sorted 20-byte ids, concatenated. */
  names: Buffer;
  count: number;
  fanout: Uint32Array;
  /**
   * Object offsets sorted ascending, to find where a compressed object ends
   * when its size bound was not enough (see readPacked); built on first need.
   */
  sortedOffsets?: Float64Array | undefined;
  packSize: number;
  fd?: number | undefined;
  /** The bytes last read from the pack (readPackBytes). */
  window?: { start: number; bytes: Buffer } | undefined;
}

/**
 * Reads the fan-out table and keeps the file; nothing else is decoded up
 * front. A 1,000 × 1,000 fleet's branch is one pack of a million objects:
 * decoding every offset and sorting them took ~0.4 s of every render, no-op
 * and one-template change, which read a few hundred objects (issue 19).
 */
function parseIndex(idxPath: string, data: Buffer): PackIndex {
  if (data.readUInt32BE(0) !== 0xff744f63 || data.readUInt32BE(4) !== 2) {
    throw new Error(`${idxPath}: unsupported pack index version`);
  }
  const fanout = new Uint32Array(256);
  for (let i = 0; i < 256; i++) fanout[i] = data.readUInt32BE(8 + i * 4);
  const count = fanout[255] as number;
  const namesStart = 8 + 256 * 4;
  const names = data.subarray(namesStart, namesStart + count * 20);
  const packPath = idxPath.replace(/\.idx$/, '.pack');
  return { packPath, data, names, count, fanout, packSize: statSync(packPath).size };
}

/** Offset in the pack of the i-th object (in id order): 31 bits, or an index into the 64-bit table (gitformat-pack.txt, idx v2). */
function offsetAt(idx: PackIndex, i: number): number {
  const offStart = 8 + 256 * 4 + idx.count * 24;
  const v = idx.data.readUInt32BE(offStart + i * 4);
  if ((v & 0x80000000) === 0) return v;
  return Number(idx.data.readBigUInt64BE(offStart + idx.count * 4 + (v & 0x7fffffff) * 8));
}

function sortedOffsetsOf(idx: PackIndex): Float64Array {
  if (idx.sortedOffsets === undefined) {
    const offsets = new Float64Array(idx.count);
    for (let i = 0; i < idx.count; i++) offsets[i] = offsetAt(idx, i);
    idx.sortedOffsets = offsets.sort();
  }
  return idx.sortedOffsets;
}

function findInIndex(idx: PackIndex, oid: Buffer): number {
  const first = oid[0] as number;
  let lo = first === 0 ? 0 : (idx.fanout[first - 1] as number);
  let hi = (idx.fanout[first] as number) - 1;
  const names = idx.names;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    // Byte by byte in JavaScript: Buffer#compare's native call cost more than the comparison (thousands of lookups per render).
    // The first byte is equal within the fan-out range; < 0 means the stored name is smaller.
    let c = 0;
    for (let k = 1, at = mid * 20 + 1; k < 20 && c === 0; k++, at++) c = (names[at] as number) - (oid[k] as number);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Reads a git variable-length size (little-endian 7-bit groups) used in delta headers. */
function readDeltaSize(buf: Buffer, pos: { i: number }): number {
  let result = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = buf[pos.i++] as number;
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return result;
}

/** Applies a git delta (copy/insert instructions) to its base. */
export function applyDelta(base: Buffer, delta: Buffer): Buffer {
  const pos = { i: 0 };
  const baseSize = readDeltaSize(delta, pos);
  if (baseSize !== base.length) throw new Error('delta base size mismatch');
  const size = readDeltaSize(delta, pos);
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  while (pos.i < delta.length) {
    const op = delta[pos.i++] as number;
    if (op & 0x80) {
      let offset = 0;
      let len = 0;
      for (let b = 0; b < 4; b++) if (op & (1 << b)) offset += (delta[pos.i++] as number) * 2 ** (8 * b);
      for (let b = 0; b < 3; b++) if (op & (0x10 << b)) len += (delta[pos.i++] as number) << (8 * b);
      if (len === 0) len = 0x10000;
      base.copy(out, o, offset, offset + len);
      o += len;
    } else if (op > 0) {
      delta.copy(out, o, pos.i, pos.i + op);
      o += op;
      pos.i += op;
    } else {
      throw new Error('corrupt delta: reserved opcode 0');
    }
  }
  if (o !== size) throw new Error('delta result size mismatch');
  return out;
}

export interface StoredObject {
  type: ObjectType;
  body: Buffer;
}

export class ObjectStore {
  readonly gitdir: string;
  readonly objectsDir: string;
  private packs: PackIndex[] | undefined;
  /** The pack folder's modification time when the pack list was read: a pack added since changes it. */
  private packsSeenAt: number | undefined;
  private readonly treeCache = new Map<string, StoredObject>();

  constructor(gitdir: string) {
    this.gitdir = gitdir;
    this.objectsDir = path.join(gitdir, 'objects');
  }

  private loosePath(oid: string): string {
    return path.join(this.objectsDir, oid.slice(0, 2), oid.slice(2));
  }

  private loadPacks(): PackIndex[] {
    if (this.packs !== undefined) return this.packs;
    try {
      return this.loadPackIndexes();
    } catch (err) {
      if (err instanceof RuntimeError) throw err;
      throw corrupt(this.gitdir, 'the pack indexes', err);
    }
  }

  private loadPackIndexes(): PackIndex[] {
    const dir = path.join(this.objectsDir, 'pack');
    const packs: PackIndex[] = [];
    this.packsSeenAt = this.packFolderTime();
    if (existsSync(dir)) {
      for (const name of readdirSync(dir).sort()) {
        if (!name.endsWith('.idx')) continue;
        const idxPath = path.join(dir, name);
        if (!existsSync(idxPath.replace(/\.idx$/, '.pack'))) continue;
        packs.push(parseIndex(idxPath, readFileSyncSafe(idxPath)));
      }
    }
    this.packs = packs;
    return packs;
  }

  /** Forgets the pack list (after a fetch or a pack written by someone else). */
  refresh(): void {
    this.close();
    this.packs = undefined;
  }

  close(): void {
    for (const p of this.packs ?? []) {
      if (p.fd !== undefined) closeSync(p.fd);
      p.fd = undefined;
      p.window = undefined;
    }
  }

  has(oid: string): boolean {
    if (existsSync(this.loosePath(oid)) || this.packed(oid)) return true;
    // Another process (a render streaming its pack) may have added a pack since the list was read,
    // as for reads below; only then is the list read again (a stat per miss, not a rescan).
    if (this.packs === undefined || this.packFolderTime() === this.packsSeenAt) return false;
    this.refresh();
    return this.packed(oid);
  }

  private packFolderTime(): number | undefined {
    try {
      return statSync(path.join(this.objectsDir, 'pack')).mtimeMs;
    } catch {
      return undefined;
    }
  }

  /**
   * A membership test for many ids at once: the loose objects listed once,
   * packs looked up in memory (a stat per id costs more for a million blobs).
   */
  storedChecker(): (oid: string) => boolean {
    const loose = this.looseIds();
    return (oid) => loose.has(oid) || this.packed(oid);
  }

  private packed(oid: string): boolean {
    const bin = Buffer.from(oid, 'hex');
    return this.loadPacks().some((p) => findInIndex(p, bin) >= 0);
  }

  /**
   * Ids of the loose objects, from one listing per fan-out folder: checking
   * thousands of new objects one stat each costs more (a cold fleet commit
   * has ~10,000). An object another writer adds meanwhile is merely written twice.
   */
  private looseIds(): Set<string> {
    const ids = new Set<string>();
    if (!existsSync(this.objectsDir)) return ids;
    for (const dir of readdirSync(this.objectsDir)) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      for (const name of readdirSync(path.join(this.objectsDir, dir))) {
        if (/^[0-9a-f]{38}$/.test(name)) ids.add(dir + name);
      }
    }
    return ids;
  }

  async read(oid: string): Promise<StoredObject> {
    const cached = this.treeCache.get(oid);
    if (cached !== undefined) return cached;
    const obj = await this.readUncached(oid);
    // Trees are read repeatedly while comparing a new render with the branch; blobs rarely are.
    if (obj.type === 'tree' && this.treeCache.size < 100_000) this.treeCache.set(oid, obj);
    return obj;
  }

  /**
   * Packs first (an index lookup in memory), then the loose file, both read
   * synchronously: tens of thousands of tree reads otherwise wait on the
   * thread pool, mostly for a loose file that does not exist.
   */
  private async readUncached(oid: string): Promise<StoredObject> {
    try {
      return this.readDecoded(oid);
    } catch (err) {
      if (err instanceof RuntimeError) throw err;
      throw corrupt(this.gitdir, `git object ${oid}`, err);
    }
  }

  private readDecoded(oid: string, rescanned = false): StoredObject {
    const bin = Buffer.from(oid, 'hex');
    for (const pack of this.loadPacks()) {
      const i = findInIndex(pack, bin);
      if (i >= 0) return this.readPacked(pack, offsetAt(pack, i));
    }
    let raw: Buffer;
    try {
      raw = readFileSync(this.loosePath(oid));
    } catch {
      // Another process (a render, a fetch) may have added a pack since the list was read: look once
      // more, as git does (packfile.c reprepare_packed_git on a miss), before calling the object missing.
      if (!rescanned) {
        this.refresh();
        return this.readDecoded(oid, true);
      }
      throw new ObjectNotFoundError(oid);
    }
    const data = inflateSync(raw);
    const nul = data.indexOf(0);
    const [type] = data.toString('latin1', 0, nul).split(' ');
    return { type: type as ObjectType, body: data.subarray(nul + 1) };
  }

  /**
   * One object of a pack. The index gives where an object starts, not where
   * it ends: read what its inflated size allows (zlib's compressBound) and
   * let inflate stop at the end of the stream; only when that was not enough
   * (a packer that compresses worse than zlib, or a damaged pack) is the
   * exact end looked up among the sorted offsets.
   */
  private readPacked(pack: PackIndex, offset: number): StoredObject {
    pack.fd ??= openSync(pack.packPath, 'r');
    const available = pack.packSize - 20 - offset;
    let buf = readPackBytes(pack, offset, Math.min(available, FIRST_READ));
    const head = packEntryHeader(buf);
    const bounded = Math.min(available, head.dataStart + compressBound(head.size));
    if (bounded > buf.length) buf = readPackBytes(pack, offset, bounded);
    const data = (): Buffer => inflateEntry(pack, offset, buf, head.dataStart);
    if (head.code === OFS_DELTA) {
      const base = this.readPacked(pack, offset - head.back);
      return { type: base.type, body: applyDelta(base.body, data()) };
    }
    if (head.code === REF_DELTA) {
      const baseId = buf.subarray(head.dataStart - 20, head.dataStart);
      const baseIndex = findInIndex(pack, baseId);
      const base = baseIndex >= 0 ? this.readPacked(pack, offsetAt(pack, baseIndex)) : this.readSyncAnywhere(baseId.toString('hex'));
      return { type: base.type, body: applyDelta(base.body, data()) };
    }
    const type = CODE_TYPES[head.code];
    if (type === undefined) throw new Error(`${pack.packPath}: unknown object type ${head.code} at ${offset}`);
    return { type, body: data() };
  }

  private readSyncAnywhere(oid: string): StoredObject {
    const bin = Buffer.from(oid, 'hex');
    for (const pack of this.loadPacks()) {
      const i = findInIndex(pack, bin);
      if (i >= 0) return this.readPacked(pack, offsetAt(pack, i));
    }
    const loose = this.loosePath(oid);
    if (existsSync(loose)) {
      const data = inflateSync(readFileSyncSafe(loose));
      const nul = data.indexOf(0);
      const [type] = data.toString('latin1', 0, nul).split(' ');
      return { type: type as ObjectType, body: data.subarray(nul + 1) };
    }
    throw new ObjectNotFoundError(oid);
  }

  /**
   * Writes objects that are not yet stored. Returns how many were written.
   * Every object is on disk (renamed into place) when the promise resolves.
   */
  async write(objects: Iterable<GitObject>, options: { level?: number } = {}): Promise<number> {
    const unique = new Map<string, GitObject>();
    for (const o of objects) if (!unique.has(o.oid)) unique.set(o.oid, o);
    const loose = unique.size > LOOSE_LISTING_MIN ? this.looseIds() : undefined;
    const stored = (oid: string) => (loose === undefined ? this.has(oid) : loose.has(oid) || this.packed(oid));
    const fresh = [...unique.values()].filter((o) => !stored(o.oid));
    if (fresh.length === 0) return 0;
    if (fresh.length <= LOOSE_LIMIT) await this.writeLoose(fresh);
    else await this.writePack(fresh, options.level ?? 1);
    return fresh.length;
  }

  private async writeLoose(objects: readonly GitObject[]): Promise<void> {
    for (const o of objects) {
      const target = this.loosePath(o.oid);
      await mkdir(path.dirname(target), { recursive: true });
      const tmp = looseTempPath(target);
      const data = deflateSync(Buffer.concat([Buffer.from(`${o.type} ${o.body.length}\0`), o.body]), { level: 1 });
      await writeFile(tmp, data, { mode: 0o444 });
      await rename(tmp, target);
    }
  }

  /** One pack plus its index; the index is renamed into place last, which is what makes git see the pack. */
  private async writePack(objects: readonly GitObject[], level: number): Promise<void> {
    const dir = path.join(this.objectsDir, 'pack');
    await mkdir(dir, { recursive: true });
    const suffix = randomBytes(6).toString('hex');
    const tmpPack = path.join(dir, `tmp_pack_${suffix}`);
    const tmpIdx = path.join(dir, `tmp_idx_${suffix}`);
    const sha = createHash('sha1');
    const entries: { oid: string; offset: number; crc: number }[] = [];
    const fh = await open(tmpPack, 'w');
    try {
      const header = Buffer.alloc(12);
      header.write('PACK', 0, 'latin1');
      header.writeUInt32BE(2, 4);
      header.writeUInt32BE(objects.length, 8);
      let offset = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const push = (b: Buffer) => {
        sha.update(b);
        pending.push(b);
        pendingBytes += b.length;
        offset += b.length;
      };
      const flush = async () => {
        if (pending.length === 0) return;
        await fh.write(Buffer.concat(pending, pendingBytes));
        pending = [];
        pendingBytes = 0;
      };
      push(header);
      const compressed = await deflateAll(objects.map((o) => o.body), level);
      for (const [i, o] of objects.entries()) {
        const head = packObjectHeader(TYPE_CODES[o.type], o.body.length);
        const data = compressed[i] as Buffer;
        entries.push({ oid: o.oid, offset, crc: crc32(data, crc32(head)) });
        push(head);
        push(data);
        if (pendingBytes > 8 << 20) await flush();
      }
      const checksum = sha.digest();
      pending.push(checksum);
      pendingBytes += checksum.length;
      await flush();
      await fh.close();
      const name = checksum.toString('hex');
      await writeFile(tmpIdx, packIndex(entries, checksum), { mode: 0o444 });
      await rename(tmpPack, path.join(dir, `pack-${name}.pack`));
      await rename(tmpIdx, path.join(dir, `pack-${name}.idx`));
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(tmpPack, { force: true });
      await rm(tmpIdx, { force: true });
      throw err;
    }
    this.refresh();
  }
}

/**
 * Below this many objects a pack is compressed on the calling thread alone:
 * a worker takes ~30–50 ms to start. Above it, one worker takes the first
 * half (by bytes) while the calling thread compresses the second: a
 * one-template change at 1,000 clusters (5,000 objects, 8 MB) waited for two
 * workers before, or for the calling thread alone (issue 19).
 */
const WORKER_MIN_OBJECTS = 2000;

/**
 * Worker source shared by every deflating worker (here and blob-stream.ts):
 * deflates the parts of one transferred buffer (part i ends at ends[i]) and
 * returns one buffer of the compressed parts with their ends. Same bytes as
 * deflateSync on the calling thread.
 */
export const DEFLATE_BATCH = `
const { deflateSync } = require('node:zlib');
function deflateBatch(data, ends, level) {
  const input = Buffer.from(data);
  const parts = [];
  const outEnds = new Float64Array(ends.length);
  let start = 0;
  let total = 0;
  for (let i = 0; i < ends.length; i++) {
    const part = deflateSync(input.subarray(start, ends[i]), { level });
    parts.push(part);
    total += part.length;
    outEnds[i] = total;
    start = ends[i];
  }
  const out = Buffer.concat(parts, total);
  return { data: out.buffer.slice(out.byteOffset, out.byteOffset + out.length), ends: outEnds };
}`;

/**
 * Compresses in a worker: zlib's cost per object is mostly its set-up, and on
 * the main thread, next to a render's large heap, the short-lived streams and
 * their native buffers also trigger full collections. Each worker gets one
 * transferred buffer and returns one. Same bytes as deflateSync here.
 */
const DEFLATE_WORKER = `
const { parentPort } = require('node:worker_threads');
${DEFLATE_BATCH}
parentPort.on('message', ({ data, ends, level }) => {
  const out = deflateBatch(data, ends, level);
  parentPort.postMessage(out, [out.data]);
});`;

/** Each body deflated (zlib format, as packs store objects), in order. */
export async function deflateAll(bodies: readonly Buffer[], level: number): Promise<Buffer[]> {
  const here = (part: readonly Buffer[]) => part.map((b) => deflateSync(b, { level }));
  if (bodies.length < WORKER_MIN_OBJECTS || availableParallelism() < 2) return here(bodies);
  const [first = [], second = []] = splitByBytes(bodies, 2);
  const inWorker = deflateInWorker(first, level).catch(() => here(first));
  const onThisThread = here(second);
  return [...(await inWorker), ...onThisThread];
}

/** Consecutive runs of about equal byte size. */
function splitByBytes(bodies: readonly Buffer[], count: number): Buffer[][] {
  const total = bodies.reduce((n, b) => n + b.length, 0);
  const parts: Buffer[][] = [[]];
  let bytes = 0;
  for (const body of bodies) {
    if (bytes >= (total / count) * parts.length && parts.length < count) parts.push([]);
    (parts[parts.length - 1] as Buffer[]).push(body);
    bytes += body.length;
  }
  return parts;
}

export async function deflateInWorker(bodies: readonly Buffer[], level: number): Promise<Buffer[]> {
  const joined = Buffer.concat(bodies);
  const data = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.length);
  const ends = new Float64Array(bodies.length);
  let end = 0;
  for (const [i, body] of bodies.entries()) {
    end += body.length;
    ends[i] = end;
  }
  const worker = new Worker(DEFLATE_WORKER, { eval: true });
  try {
    const result = await new Promise<{ data: ArrayBuffer; ends: Float64Array }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', () => reject(new Error('deflate worker stopped')));
      worker.postMessage({ data, ends, level }, [data]);
    });
    const out = Buffer.from(result.data);
    const list: Buffer[] = [];
    let start = 0;
    for (const stop of result.ends) {
      list.push(out.subarray(start, stop));
      start = stop;
    }
    return list;
  } finally {
    void worker.terminate();
  }
}

function readFileSyncSafe(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) got += readSync(fd, buf, got, size - got, got);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** First read of a packed object: most trees and blobs of a rendered branch fit. */
const FIRST_READ = 8192;

/** zlib's compressBound (zlib compress.c): the most zlib's deflate makes of `size` bytes, plus slack. */
function compressBound(size: number): number {
  return size + Math.floor(size / 4096) + Math.floor(size / 16384) + Math.floor(size / 33554432) + 13 + 64;
}

/**
 * Bytes of a pack read ahead at once. The objects a render reads together
 * (a cluster folder's trees and files) were written together, so one read
 * serves several: a one-template change at 1,000 clusters read ~6,000
 * objects with a read and a fresh buffer each.
 */
const READ_WINDOW = 64 << 10;

/** `length` bytes at `offset`, from the pack's current read window when it holds them (a fresh window is a fresh buffer: earlier slices stay valid). */
function readPackBytes(pack: PackIndex, offset: number, length: number): Buffer {
  const w = pack.window;
  if (w !== undefined && offset >= w.start && offset + length <= w.start + w.bytes.length) return w.bytes.subarray(offset - w.start, offset - w.start + length);
  const size = Math.max(0, length, Math.min(READ_WINDOW, pack.packSize - offset));
  const buf = Buffer.allocUnsafe(size);
  const read = readSync(pack.fd as number, buf, 0, size, offset);
  // A truncated pack reads short: the rest of the buffer would be uninitialised memory, decoded as if it were the object.
  if (read < length) throw new Error(`${pack.packPath} ends at ${offset + read}, inside the object at ${offset} (truncated)`);
  pack.window = { start: offset, bytes: buf.subarray(0, read) };
  return buf.subarray(0, length);
}

/** A pack entry's header: type, inflated size, and for deltas the base (gitformat-pack.txt). */
function packEntryHeader(buf: Buffer): { code: number; size: number; back: number; dataStart: number } {
  let i = 0;
  let byte = buf[i++] as number;
  const code = (byte >> 4) & 7;
  let size = byte & 0x0f;
  let shift = 4;
  while (byte & 0x80) {
    byte = buf[i++] as number;
    size += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  }
  let back = 0;
  if (code === OFS_DELTA) {
    byte = buf[i++] as number;
    back = byte & 0x7f;
    while (byte & 0x80) {
      byte = buf[i++] as number;
      back = (back + 1) * 128 + (byte & 0x7f);
    }
  } else if (code === REF_DELTA) {
    i += 20;
  }
  return { code, size, back, dataStart: i };
}

/** Inflates the entry's data from `buf`; when `buf` was cut before the entry's end, reads up to the next object's offset and tries once more. */
function inflateEntry(pack: PackIndex, offset: number, buf: Buffer, dataStart: number): Buffer {
  try {
    return inflateSync(buf.subarray(dataStart));
  } catch (err) {
    const end = nextOffset(pack, offset);
    if (offset + buf.length >= end) throw err;
    return inflateSync(readPackBytes(pack, offset, end - offset).subarray(dataStart));
  }
}

function nextOffset(pack: PackIndex, offset: number): number {
  const s = sortedOffsetsOf(pack);
  let lo = 0;
  let hi = s.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((s[mid] as number) <= offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return lo < s.length ? (s[lo] as number) : pack.packSize - 20;
}

/** Type in bits 4–6 of the first byte, size in 4 + 7·n bits, continuation in bit 7. */
export function packObjectHeader(type: number, size: number): Buffer {
  const bytes: number[] = [];
  let byte = (type << 4) | (size & 0x0f);
  let rest = Math.floor(size / 16);
  while (rest > 0) {
    bytes.push(byte | 0x80);
    byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
  }
  bytes.push(byte);
  return Buffer.from(bytes);
}

export function packIndex(entries: { oid: string; offset: number; crc: number }[], packChecksum: Buffer): Buffer {
  return packIndexOf(
    entries.map((e) => Buffer.from(e.oid, 'hex').toString('latin1')),
    entries.map((e) => e.offset),
    entries.map((e) => e.crc),
    packChecksum,
  );
}

/**
 * The positions of `raws` (latin1 raw ids) in id order: a counting sort on
 * the first two bytes, then each bucket (a few ids: SHA-1s are uniform)
 * sorted by comparison. One comparison sort of a million ids took a second
 * of a large render's commit.
 */
function idOrder(raws: readonly string[]): Int32Array {
  const bucketOf = (raw: string) => (raw.charCodeAt(0) << 8) | raw.charCodeAt(1);
  const starts = new Uint32Array(65537);
  for (const raw of raws) starts[bucketOf(raw) + 1] = (starts[bucketOf(raw) + 1] as number) + 1;
  for (let b = 1; b <= 65536; b++) starts[b] = (starts[b] as number) + (starts[b - 1] as number);
  const next = starts.slice(0, 65536);
  const order = new Int32Array(raws.length);
  raws.forEach((raw, i) => {
    const b = bucketOf(raw);
    order[next[b] as number] = i;
    next[b] = (next[b] as number) + 1;
  });
  const byId = (a: number, b: number) => ((raws[a] as string) < (raws[b] as string) ? -1 : (raws[a] as string) > (raws[b] as string) ? 1 : 0);
  for (let b = 0; b < 65536; b++) {
    if ((starts[b + 1] as number) - (starts[b] as number) > 1) order.subarray(starts[b], starts[b + 1]).sort(byId);
  }
  return order;
}

/**
 * The pack index (version 2) from parallel arrays: raw ids (latin1, whose
 * string order is the ids' byte order), offsets and CRC-32s, in pack order.
 */
export function packIndexOf(raws: readonly string[], offsets: readonly number[], crcs: readonly number[], packChecksum: Buffer): Buffer {
  const n = raws.length;
  const order = idOrder(raws);
  const large: number[] = [];
  for (const i of order) if ((offsets[i] as number) >= 0x80000000) large.push(i);
  const buf = Buffer.alloc(8 + 256 * 4 + n * 28 + large.length * 8 + 40);
  buf.writeUInt32BE(0xff744f63, 0);
  buf.writeUInt32BE(2, 4);
  const counts = new Uint32Array(256);
  for (const raw of raws) counts[raw.charCodeAt(0)] = (counts[raw.charCodeAt(0)] ?? 0) + 1;
  let running = 0;
  for (let i = 0; i < 256; i++) {
    running += counts[i] as number;
    buf.writeUInt32BE(running, 8 + i * 4);
  }
  let pos = 8 + 256 * 4;
  for (const i of order) pos += buf.write(raws[i] as string, pos, 'latin1');
  for (const i of order) pos = buf.writeUInt32BE((crcs[i] as number) >>> 0, pos);
  let bigIndex = 0;
  for (const i of order) {
    const offset = offsets[i] as number;
    pos = buf.writeUInt32BE(offset >= 0x80000000 ? (0x80000000 | bigIndex++) >>> 0 : offset, pos);
  }
  for (const i of large) pos = buf.writeBigUInt64BE(BigInt(offsets[i] as number), pos);
  pos += packChecksum.copy(buf, pos);
  createHash('sha1').update(buf.subarray(0, pos)).digest().copy(buf, pos);
  return buf;
}
