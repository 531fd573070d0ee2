/**
 * Blobs streamed into one pack while a render runs (issue 19): each distinct
 * content is hashed when it is made, handed to a worker that deflates it in
 * batches, and appended to a temporary pack file; the render keeps only the
 * blob's 20-byte id. Memory then follows one batch, not the output: a fleet
 * where every cluster's objects differ (1,000 × 1,000 → a million distinct
 * Deployments) held every content, every blob body and every compressed
 * copy at once before.
 *
 * The render loop is synchronous, so the pack side is too: batches go to the
 * worker with postMessage, results come back with receiveMessageOnPort, and
 * when too many batches are in flight the render waits on a shared counter
 * (Atomics.wait) instead of queueing more. Nothing is visible to git until
 * finish() renames the pack and then its index into place; abort() removes
 * the temporary files. The branch still moves last (commit.ts).
 */
import { closeSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { RuntimeError } from '../errors/index.ts';
import { DEFLATE_BATCH, packIndex, packObjectHeader, type ObjectStore } from './store.ts';
import type { Blob } from './tree.ts';

/** Raw bytes per batch handed to the worker. */
const BATCH_BYTES = 4 << 20;
/** Batches deflated or waiting while the render goes on: bounds the memory the pack side holds. */
const IN_FLIGHT = 3;
/** How long the render waits for the worker before calling it stuck. */
const STUCK_MS = 120_000;
const BLOB_CODE = 3;
const EMPTY = Buffer.alloc(0);

/** Deflates each batch (zlib level 1, as ObjectStore.write packs) and counts batches done in shared memory. */
const WORKER = `
const { workerData } = require('node:worker_threads');
${DEFLATE_BATCH}
const { port, counter, level } = workerData;
port.on('message', ({ data, ends }) => {
  const out = deflateBatch(data, ends, level);
  port.postMessage(out, [out.data]);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});`;

interface Pending {
  oids: string[];
  sizes: number[];
}

export class BlobStream {
  /** Raw id (latin1, what the render keeps) → the blob; its body is in the pack, not here. */
  private readonly blobs = new Map<string, Blob>();
  private readonly stored: (oid: string) => boolean;
  private readonly dir: string;
  private readonly tmpPack: string;
  private readonly tmpIdx: string;
  private fd: number | undefined;
  private offset = 12;
  private readonly entries: { oid: string; offset: number; crc: number }[] = [];
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private batchMeta: Pending = { oids: [], sizes: [] };
  /** Batches posted to the worker, oldest first, awaiting their compressed bytes. */
  private readonly inFlight: Pending[] = [];
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly counter: Int32Array;
  private failure: Error | undefined;
  private readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
    this.stored = store.storedChecker();
    this.dir = path.join(store.objectsDir, 'pack');
    mkdirSync(this.dir, { recursive: true });
    const suffix = randomBytes(6).toString('hex');
    this.tmpPack = path.join(this.dir, `tmp_pack_${suffix}`);
    this.tmpIdx = path.join(this.dir, `tmp_idx_${suffix}`);
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.counter = new Int32Array(new SharedArrayBuffer(4));
    this.worker = new Worker(WORKER, { eval: true, workerData: { port: channel.port2, counter: this.counter, level: 1 }, transferList: [channel.port2] });
    this.worker.on('error', (err) => (this.failure = err));
    // The worker must not keep the process alive on its own once the stream is dropped.
    this.worker.unref();
  }

  /** Blobs added to the pack (not counting those the repository already had). */
  get written(): number {
    return this.entries.length + this.inFlight.reduce((n, p) => n + p.oids.length, 0) + this.batchMeta.oids.length;
  }

  /** The render's content sink: queues the blob unless stored, returns its raw id. */
  readonly put = (content: string): string => {
    const body = Buffer.from(content, 'utf8');
    const digest = createHash('sha1').update(`blob ${body.length}\0`).update(body).digest();
    const raw = digest.toString('latin1');
    if (this.blobs.has(raw)) return raw;
    const oid = digest.toString('hex');
    this.blobs.set(raw, { oid, raw, type: 'blob', body: EMPTY, stored: true });
    if (this.stored(oid)) return raw;
    this.fd ??= this.openPack();
    this.batch.push(body);
    this.batchBytes += body.length;
    this.batchMeta.oids.push(oid);
    this.batchMeta.sizes.push(body.length);
    if (this.batchBytes >= BATCH_BYTES) this.post();
    return raw;
  };

  /** For TreeHasher: the blob a kept raw id stands for (undefined for anything else, e.g. provenance text). */
  readonly resolve = (value: string): Blob | undefined => (value.length === 20 ? this.blobs.get(value) : undefined);

  private post(): void {
    if (this.batch.length === 0) return;
    const joined = Buffer.concat(this.batch, this.batchBytes);
    const data = joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.length);
    const ends = new Float64Array(this.batch.length);
    let end = 0;
    this.batch.forEach((b, i) => (ends[i] = end += b.length));
    this.port.postMessage({ data, ends }, [data]);
    this.inFlight.push(this.batchMeta);
    this.batch = [];
    this.batchBytes = 0;
    this.batchMeta = { oids: [], sizes: [] };
    this.drain(IN_FLIGHT - 1);
  }

  private openPack(): number {
    const fd = openSync(this.tmpPack, 'w+', 0o444);
    writeSync(fd, Buffer.alloc(12)); // the header, written at the end when the count is known
    return fd;
  }

  /** Appends finished batches to the pack until at most `limit` remain in flight, waiting for the worker when needed. */
  private drain(limit: number): void {
    let waited = 0;
    while (this.inFlight.length > limit) {
      if (this.failure !== undefined) throw this.failure;
      const seen = Atomics.load(this.counter, 0);
      const message = receiveMessageOnPort(this.port);
      if (message !== undefined) {
        this.append(this.inFlight.shift() as Pending, message.message as { data: ArrayBuffer; ends: Float64Array });
        continue;
      }
      if (waited >= STUCK_MS) throw new RuntimeError('GIT_WRITE_FAILED', `the pack writer's compression worker did not answer within ${STUCK_MS / 1000} s`, {});
      const start = performance.now();
      Atomics.wait(this.counter, 0, seen, 1000);
      waited += performance.now() - start;
    }
  }

  private append(meta: Pending, result: { data: ArrayBuffer; ends: Float64Array }): void {
    const out = Buffer.from(result.data);
    const chunks: Buffer[] = [];
    let start = 0;
    meta.oids.forEach((oid, i) => {
      const stop = result.ends[i] as number;
      const data = out.subarray(start, stop);
      start = stop;
      const head = packObjectHeader(BLOB_CODE, meta.sizes[i] as number);
      this.entries.push({ oid, offset: this.offset, crc: crc32(data, crc32(head)) });
      chunks.push(head, data);
      this.offset += head.length + data.length;
    });
    writeSync(this.fd as number, Buffer.concat(chunks));
  }

  /** Completes the pack and moves it into place (index last, which is what makes git see it). Returns the blobs written. */
  finish(): number {
    try {
      this.post();
      this.drain(0);
      if (this.fd === undefined) return 0;
      const header = Buffer.alloc(12);
      header.write('PACK', 0, 'latin1');
      header.writeUInt32BE(2, 4);
      header.writeUInt32BE(this.entries.length, 8);
      writeSync(this.fd, header, 0, 12, 0);
      const checksum = this.checksum(this.fd);
      writeSync(this.fd, checksum, 0, checksum.length, this.offset);
      closeSync(this.fd);
      this.fd = undefined;
      writeFileSync(this.tmpIdx, packIndex(this.entries, checksum), { mode: 0o444 });
      const name = checksum.toString('hex');
      renameSync(this.tmpPack, path.join(this.dir, `pack-${name}.pack`));
      renameSync(this.tmpIdx, path.join(this.dir, `pack-${name}.idx`));
      this.store.refresh();
      return this.entries.length;
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
