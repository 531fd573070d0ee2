/**
 * Git's binary delta (gitformat-pack.txt, "Deltified representation"): a
 * new version of a file as copies from an old version plus inserted bytes.
 * A push sends a changed file this way when the remote has the old one at
 * the same path: a large file with a few changed lines (the provenance, a
 * Work that bundles a whole cluster) then costs the change, not the file.
 *
 * The matcher indexes the old version in 16-byte blocks and looks each
 * position of the new one up by a rolling hash, extending every match as far
 * as the bytes agree (git diff-delta.c works alike with its own hash and
 * block size). Pure: buffers in, a buffer out.
 */

const BLOCK = 16;
/** Longest copy per instruction: 64 KiB, as git's diff-delta.c writes them (older readers took no more); longer runs are split. */
const MAX_COPY = 0x10000;
/** Largest literal one insert instruction carries. */
const MAX_INSERT = 0x7f;
const PRIME = 0x01000193;

/** x^(BLOCK-1) in the hash's arithmetic, to take the outgoing byte off when rolling. */
const OUT_FACTOR = (() => {
  let f = 1;
  for (let i = 0; i < BLOCK - 1; i++) f = Math.imul(f, PRIME);
  return f >>> 0;
})();

function hashAt(data: Buffer, at: number): number {
  let h = 0;
  for (let i = 0; i < BLOCK; i++) h = (Math.imul(h, PRIME) + (data[at + i] as number)) >>> 0;
  return h;
}

function roll(h: number, out: number, incoming: number): number {
  return (Math.imul((h - Math.imul(out, OUT_FACTOR)) >>> 0, PRIME) + incoming) >>> 0;
}

/** The size varint of the delta header: 7 bits a byte, least significant first. */
function sizeVarint(n: number): number[] {
  const bytes: number[] = [];
  let rest = n;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return bytes;
}

/** A copy instruction: bit 7 set, bits 0–3 say which offset bytes follow, bits 4–6 which size bytes. */
function copyInstruction(offset: number, size: number): number[] {
  const out = [0x80];
  for (let i = 0; i < 4; i++) {
    const byte = Math.floor(offset / 2 ** (8 * i)) & 0xff;
    if (byte !== 0) {
      out[0] = (out[0] as number) | (1 << i);
      out.push(byte);
    }
  }
  // A size of 0x10000 is written as no size bytes at all.
  if (size !== 0x10000) {
    for (let i = 0; i < 3; i++) {
      const byte = (size >> (8 * i)) & 0xff;
      if (byte !== 0) {
        out[0] = (out[0] as number) | (0x10 << i);
        out.push(byte);
      }
    }
  }
  return out;
}

/**
 * Offsets of the base's blocks by hash: an open-addressing table in typed
 * arrays (a Map of millions of entries for a 70 MB provenance file cost
 * seconds and 150 MB). The first block with a hash wins, as in a Map.
 */
class BlockIndex {
  private readonly hashes: Uint32Array;
  private readonly offsets: Int32Array;
  private readonly mask: number;

  constructor(base: Buffer) {
    const blocks = Math.floor(base.length / BLOCK);
    let size = 16;
    // At most two thirds full: short probes, 8 bytes a slot (67 MB for a 70 MB file).
    while (size < blocks * 1.5) size *= 2;
    this.mask = size - 1;
    this.hashes = new Uint32Array(size);
    this.offsets = new Int32Array(size).fill(-1);
    for (let at = 0; at + BLOCK <= base.length; at += BLOCK) this.add(hashAt(base, at), at);
  }

  private add(h: number, offset: number): void {
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      if (this.offsets[slot] === -1) {
        this.hashes[slot] = h;
        this.offsets[slot] = offset;
        return;
      }
      if (this.hashes[slot] === h) return;
    }
  }

  get(h: number): number | undefined {
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const offset = this.offsets[slot] as number;
      if (offset === -1) return undefined;
      if (this.hashes[slot] === h) return offset;
    }
  }
}

/** Bytes compared at a time while a match is extended (Buffer.compare runs natively). */
const STRIDE = 256;

/** The delta that turns `base` into `target`. */
export function encodeDelta(base: Buffer, target: Buffer): Buffer {
  const index = new BlockIndex(base);
  const out: number[] = [...sizeVarint(base.length), ...sizeVarint(target.length)];
  const chunks: Buffer[] = [];
  const flushOut = () => {
    if (out.length > 0) chunks.push(Buffer.from(out.splice(0)));
  };
  let literalStart = 0;
  const emitLiteral = (end: number) => {
    for (let at = literalStart; at < end; at += MAX_INSERT) {
      const size = Math.min(MAX_INSERT, end - at);
      out.push(size);
      flushOut();
      chunks.push(target.subarray(at, at + size));
    }
  };
  let i = 0;
  let h = target.length >= BLOCK ? hashAt(target, 0) : 0;
  while (i + BLOCK <= target.length) {
    const candidate = index.get(h);
    if (candidate !== undefined && base.compare(target, i, i + BLOCK, candidate, candidate + BLOCK) === 0) {
      // Extend backwards over literal bytes not yet sent, then forwards.
      let from = candidate;
      let start = i;
      while (from > 0 && start > literalStart && base[from - 1] === target[start - 1]) {
        from--;
        start--;
      }
      let end = i + BLOCK;
      let baseEnd = candidate + BLOCK;
      while (end + STRIDE <= target.length && baseEnd + STRIDE <= base.length && base.compare(target, end, end + STRIDE, baseEnd, baseEnd + STRIDE) === 0) {
        end += STRIDE;
        baseEnd += STRIDE;
      }
      while (end < target.length && baseEnd < base.length && base[baseEnd] === target[end]) {
        end++;
        baseEnd++;
      }
      emitLiteral(start);
      for (let at = start; at < end; at += MAX_COPY) out.push(...copyInstruction(from + (at - start), Math.min(MAX_COPY, end - at)));
      literalStart = end;
      i = end;
      if (i + BLOCK <= target.length) h = hashAt(target, i);
      continue;
    }
    if (i + BLOCK < target.length) h = roll(h, target[i] as number, target[i + BLOCK] as number);
    i++;
  }
  emitLiteral(target.length);
  flushOut();
  return Buffer.concat(chunks);
}
