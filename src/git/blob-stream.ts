/**
 * Blobs streamed into one pack while a render runs (issue 19): each distinct
 * content is hashed when it is made, handed to a worker that deflates it in
 * batches, and appended to a temporary pack file; the render keeps only the
 * blob's 20-byte id. Memory then follows one batch, not the output: a fleet
 * where every cluster's objects differ (1,000 × 1,000 → a million distinct
 * Deployments) held every content, every blob body and every compressed
 * copy at once before.
 *
 * The render loop is synchronous, so the pack side is too: batches go to a
 * BatchWorker (src/batch-worker.ts), which blocks the render when too many
 * are in flight instead of queueing more. Nothing is visible to git until
 * finish() renames the pack and then its index into place; abort() removes
 * the temporary files. The branch still moves last (commit.ts).
 */
import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createHash, hash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { RuntimeError } from '../errors/index.ts';
import { BatchWorker } from '../batch-worker.ts';
import { DEFLATE_BATCH, packIndexOf, packObjectHeader, TYPE_CODES, type ObjectStore } from './store.ts';
import type { GitObject } from './objects.ts';

/** Raw bytes per batch handed to the worker. */
const BATCH_BYTES = 4 << 20;
/** Batches deflated or waiting while the render goes on: bounds the memory the pack side holds. */
const IN_FLIGHT = 3;
/** How long the render waits for the worker before calling it stuck. */
const STUCK_MS = 120_000;

/** Deflates each batch (zlib level 1, as ObjectStore.write packs): BatchWorker's handler. */
const DEFLATE_HANDLER = `
${DEFLATE_BATCH}
function handle({ data, ends }, level) {
  const out = deflateBatch(data, ends, level);
  return [out, [out.data]];
}`;

interface Pending {
  /** Raw ids (latin1). */
  raws: string[];
  sizes: number[];
  types: number[];
}

/**
 * What is kept per blob is its raw id (the string the render keeps too) and
 * its place in the pack, in flat arrays: a million streamed blobs kept as
 * objects (hex id, raw id, pack entry) held ~250 MB (issue 19).
 */
export class BlobStream {
  /** Raw ids (latin1, what the render keeps) of every blob put, stored before or written here. */
  private readonly known = new Set<string>();
  private readonly stored: (oid: string) => boolean;
  private readonly dir: string;
  private readonly tmpPack: string;
  private readonly tmpIdx: string;
  private fd: number | undefined;
  private offset = 12;
  /** Blobs in the pack, in pack order: raw id, offset, CRC-32 of the packed bytes. */
  private readonly packedRaws: string[] = [];
  private readonly packedOffsets: number[] = [];
  private readonly packedCrcs: number[] = [];
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private batchMeta: Pending = { raws: [], sizes: [], types: [] };
  private readonly worker: BatchWorker<{ data: ArrayBuffer; ends: Float64Array }>;
  private readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
    this.stored = store.storedChecker();
    this.dir = path.join(store.objectsDir, 'pack');
    mkdirSync(this.dir, { recursive: true });
    const suffix = randomBytes(6).toString('hex');
    this.tmpPack = path.join(this.dir, `tmp_pack_${suffix}`);
    this.tmpIdx = path.join(this.dir, `tmp_idx_${suffix}`);
    this.worker = new BatchWorker(DEFLATE_HANDLER, 1, {
      inFlight: IN_FLIGHT,
      stuckMs: STUCK_MS,
      stuck: () => new RuntimeError('GIT_WRITE_FAILED', `the pack writer's compression worker did not answer within ${STUCK_MS / 1000} s`, {}),
    });
  }

  /** The render's content sink: queues the blob unless stored, returns its raw id. */
  readonly put = (content: string): string => {
    // One buffer holds the object header and the body, hashed in one call: a Hash object per blob was a second of a large render.
    const size = Buffer.byteLength(content, 'utf8');
    const header = `blob ${size}\0`;
    const framed = Buffer.allocUnsafe(header.length + size);
    framed.write(header, 0, 'latin1');
    framed.write(content, header.length, 'utf8');
    const body = framed.subarray(header.length);
    const raw = hash('sha1', framed, 'binary'); // 'binary' is latin1: one char per byte
    if (this.known.has(raw)) return raw;
    this.known.add(raw);
    if (this.stored(Buffer.from(raw, 'latin1').toString('hex'))) return raw;
    this.queue(raw, TYPE_CODES.blob, body);
    return raw;
  };

  /**
   * Adds hashed objects (the commit's trees and the commit itself) to the
   * same pack, so that a render writes one pack with one compression worker
   * instead of a second pack and more workers for its trees.
   */
  putObjects(objects: Iterable<GitObject>): void {
    for (const o of objects) {
      const raw = Buffer.from(o.oid, 'hex').toString('latin1');
      if (this.known.has(raw) || this.stored(o.oid)) continue;
      this.known.add(raw);
      this.queue(raw, TYPE_CODES[o.type], o.body);
    }
  }

  private queue(raw: string, type: number, body: Buffer): void {
    this.fd ??= this.openPack();
    this.batch.push(body);
    this.batchBytes += body.length;
    this.batchMeta.raws.push(raw);
    this.batchMeta.sizes.push(body.length);
    this.batchMeta.types.push(type);
    if (this.batchBytes >= BATCH_BYTES) this.post();
  }

  /** For TreeHasher: true when a file value is the raw id of a blob put here (false for anything else, e.g. provenance text). */
  readonly isStored = (value: string): boolean => value.length === 20 && this.known.has(value);

  private post(): void {
    if (this.batch.length === 0) return;
    const joined = Buffer.concat(this.batch, this.batchBytes);
    const data = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.length);
    const ends = new Float64Array(this.batch.length);
    let end = 0;
    this.batch.forEach((b, i) => (ends[i] = end += b.length));
    const meta = this.batchMeta;
    this.batch = [];
    this.batchBytes = 0;
    this.batchMeta = { raws: [], sizes: [], types: [] };
    this.worker.post({ data, ends }, [data], (result) => this.append(meta, result));
  }

  private openPack(): number {
    const fd = openSync(this.tmpPack, 'w+', 0o444);
    writeSync(fd, Buffer.alloc(12)); // the header, written at the end when the count is known
    return fd;
  }

  private append(meta: Pending, result: { data: ArrayBuffer; ends: Float64Array }): void {
    const out = Buffer.from(result.data);
    const chunks: Buffer[] = [];
    let start = 0;
    meta.raws.forEach((raw, i) => {
      const stop = result.ends[i] as number;
      const data = out.subarray(start, stop);
      start = stop;
      const head = packObjectHeader(meta.types[i] as number, meta.sizes[i] as number);
      this.packedRaws.push(raw);
      this.packedOffsets.push(this.offset);
      this.packedCrcs.push(crc32(data, crc32(head)));
      chunks.push(head, data);
      this.offset += head.length + data.length;
    });
    writeSync(this.fd as number, Buffer.concat(chunks));
  }

  /** Completes the pack and moves it into place (index last, which is what makes git see it). Returns the blobs written. */
  finish(): number {
    try {
      this.post();
      this.worker.drain(0);
      if (this.fd === undefined) return 0;
      const header = Buffer.alloc(12);
      header.write('PACK', 0, 'latin1');
      header.writeUInt32BE(2, 4);
      header.writeUInt32BE(this.packedRaws.length, 8);
      writeSync(this.fd, header, 0, 12, 0);
      const checksum = this.checksum(this.fd);
      writeSync(this.fd, checksum, 0, checksum.length, this.offset);
      closeSync(this.fd);
      this.fd = undefined;
      writeFileSync(this.tmpIdx, packIndexOf(this.packedRaws, this.packedOffsets, this.packedCrcs, checksum), { mode: 0o444 });
      const name = checksum.toString('hex');
      renameSync(this.tmpPack, path.join(this.dir, `pack-${name}.pack`));
      renameSync(this.tmpIdx, path.join(this.dir, `pack-${name}.idx`));
      this.store.refresh();
      return this.packedRaws.length;
    } catch (err) {
      this.abort();
      throw err;
    } finally {
      void this.worker.terminate();
    }
  }

  /** SHA-1 of the pack as written: the count is known only at the end, so the file is read back once. */
  private checksum(fd: number): Buffer {
    const sha = createHash('sha1');
    const chunk = Buffer.allocUnsafe(8 << 20);
    for (let at = 0; at < this.offset; ) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, this.offset - at), at);
      if (n === 0) throw new Error(`${this.tmpPack} ends at ${at}, before ${this.offset}`);
      sha.update(chunk.subarray(0, n));
      at += n;
    }
    return sha.digest();
  }

  /** Drops the temporary files: nothing of this run becomes visible to git. */
  abort(): void {
    void this.worker.terminate();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.tmpPack, { force: true });
    rmSync(this.tmpIdx, { force: true });
  }
}
