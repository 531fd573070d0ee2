import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, commitAll, gitIn, initRepo, writeFiles } from '../../test/git/repos.ts';
import { blobObject, treeObject, MODE_FILE } from './objects.ts';
import { applyDelta, deflateAll, deflateInWorker, LOOSE_LIMIT, looseTempPath, ObjectNotFoundError, ObjectStore, packIndex, packObjectHeader } from './store.ts';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { crc32, deflateSync } from 'node:zlib';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

afterAll(cleanupTempDirs);

/** RFC 1950's checksum, for hand-made zlib streams. */
function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function allObjects(dir: string): { oid: string; type: string }[] {
  return gitIn(dir, ['cat-file', '--batch-all-objects', '--batch-check=%(objectname) %(objecttype)'])
    .trim()
    .split('\n')
    .map((l) => {
      const [oid, type] = l.split(' ') as [string, string];
      return { oid, type };
    });
}

describe('ObjectStore', () => {
  it('reads every object of a gc-ed repository (OFS deltas) exactly as git does', async () => {
    const files: Record<string, string> = {};
    const big = Array.from({ length: 200 }, (_, i) => `line ${i}: ${'x'.repeat(i % 17)}`).join('\n');
    for (let i = 0; i < 30; i++) files[`d${i % 3}/f${i}.yaml`] = `${big}\nvariant: ${i}\n`;
    const dir = initRepo(files);
    for (let round = 0; round < 3; round++) {
      writeFiles(dir, Object.fromEntries(Object.keys(files).map((f, i) => [f, `${big}\nround: ${round}\nvariant: ${i}\n`])));
      commitAll(dir, `round ${round}`);
    }
    gitIn(dir, ['gc', '-q', '--aggressive']);
    expect(gitIn(dir, ['count-objects', '-v'])).toMatch(/^count: 0$/m);
    const packDir = path.join(dir, '.git', 'objects', 'pack');
    const idx = readdirSync(packDir).find((f) => f.endsWith('.idx')) as string;
    expect(gitIn(dir, ['verify-pack', '-v', path.join(packDir, idx)])).toMatch(/chain length = [1-9]/); // deltas are exercised
    const store = new ObjectStore(path.join(dir, '.git'));
    const objects = allObjects(dir);
    expect(objects.length).toBeGreaterThan(100);
    for (const { oid, type } of objects) {
      const got = await store.read(oid);
      expect(got.type).toBe(type);
      const expected = Buffer.from(gitIn(dir, ['cat-file', type, oid]), 'utf8');
      if (type !== 'tree') expect(got.body.equals(expected)).toBe(true);
      expect(store.has(oid)).toBe(true);
    }
    store.close();
  });

  it('writes a few objects loose and many as a pack that git verifies', async () => {
    const dir = initRepo();
    const store = new ObjectStore(path.join(dir, '.git'));
    const few = [blobObject('one\n'), blobObject('two\n')];
    expect(await store.write(few)).toBe(2);
    expect(await store.write(few)).toBe(0); // already stored: nothing rewritten
    const many = Array.from({ length: LOOSE_LIMIT + 50 }, (_, i) => blobObject(`blob ${i}\n${'y'.repeat(i * 40)}\n`));
    const tree = treeObject(many.map((b, i) => ({ mode: MODE_FILE, name: `f${i}`, oid: b.oid })));
    expect(await store.write([...many, tree, ...few])).toBe(many.length + 1);
    gitIn(dir, ['fsck', '--strict', '--no-dangling']);
    const packs = gitIn(dir, ['count-objects', '-v']);
    expect(packs).toMatch(/^packs: 1$/m);
    expect(packs).toMatch(new RegExp(`^in-pack: ${many.length + 1}$`, 'm'));
    expect(gitIn(dir, ['cat-file', 'blob', (many[7] ?? many[0])!.oid])).toBe(`blob 7\n${'y'.repeat(280)}\n`);
    expect(gitIn(dir, ['ls-tree', tree.oid]).split('\n').filter(Boolean)).toHaveLength(many.length);
    const fresh = new ObjectStore(path.join(dir, '.git'));
    expect((await fresh.read(tree.oid)).body.equals(tree.body)).toBe(true);
    await expect(fresh.read('0'.repeat(40))).rejects.toBeInstanceOf(ObjectNotFoundError);
    fresh.close();
    store.close();
  });

  it('finds an object in a pack another writer added after it first listed the packs', async () => {
    const dir = initRepo();
    const reader = new ObjectStore(path.join(dir, '.git'));
    await expect(reader.read('0'.repeat(40))).rejects.toBeInstanceOf(ObjectNotFoundError); // pack list read now
    const writer = new ObjectStore(path.join(dir, '.git'));
    const many = Array.from({ length: LOOSE_LIMIT + 5 }, (_, i) => blobObject(`later ${i}\n`));
    await writer.write(many);
    expect(gitIn(dir, ['count-objects', '-v'])).toMatch(/^packs: 1$/m);
    expect((await reader.read(many[3]!.oid)).body.toString()).toBe('later 3\n');
    writer.close();
    reader.close();
  });

  it('answers has() for an object in a pack another writer added after the pack list was read', async () => {
    const dir = initRepo();
    const reader = new ObjectStore(path.join(dir, '.git'));
    expect(reader.has('0'.repeat(40))).toBe(false); // pack list read now
    const writer = new ObjectStore(path.join(dir, '.git'));
    const many = Array.from({ length: LOOSE_LIMIT + 5 }, (_, i) => blobObject(`added later ${i}\n`));
    await writer.write(many);
    expect(gitIn(dir, ['count-objects', '-v'])).toMatch(/^packs: 1$/m);
    expect(reader.has(many[7]!.oid)).toBe(true);
    expect(reader.has('1'.repeat(40))).toBe(false);
    writer.close();
    reader.close();
  });

  it('compresses large batches in a worker and on this thread to exactly the bytes deflateSync gives, in order', async () => {
    const bodies = Array.from({ length: 2600 }, (_, i) => Buffer.from(`object ${i}\n${'z'.repeat(i % 700)}\n`));
    // Past WORKER_MIN_OBJECTS: deflateAll hands the first half (by bytes) to a worker.
    bodies.push(Buffer.alloc(0), Buffer.alloc(300_000, 'big'), Buffer.alloc(3 << 20, 'large'));
    const want = bodies.map((b) => deflateSync(b, { level: 1 }));
    for (const got of [await deflateInWorker(bodies, 1), await deflateAll(bodies, 1)]) {
      expect(got).toHaveLength(bodies.length);
      got.forEach((data, i) => expect(data.equals(want[i]!)).toBe(true));
    }
  });

  it('writes a fleet-sized pack that git verifies', async () => {
    const dir = initRepo();
    const store = new ObjectStore(path.join(dir, '.git'));
    const blobs = Array.from({ length: 2500 }, (_, i) => blobObject(`kind: ConfigMap\nname: c${i}\n`));
    expect(await store.write(blobs)).toBe(blobs.length);
    gitIn(dir, ['fsck', '--strict', '--no-dangling']);
    expect(gitIn(dir, ['count-objects', '-v'])).toMatch(/^in-pack: 2500$/m);
    expect(gitIn(dir, ['cat-file', 'blob', blobs[1234]!.oid])).toBe('kind: ConfigMap\nname: c1234\n');
    store.close();
  });

  it('skips objects already stored loose or packed when writing a large batch', async () => {
    const dir = initRepo();
    const store = new ObjectStore(path.join(dir, '.git'));
    const blobs = Array.from({ length: 1600 }, (_, i) => blobObject(`item ${i}\n`));
    expect(await store.write(blobs.slice(0, 3))).toBe(3); // loose
    expect(await store.write(blobs.slice(3, 300))).toBe(297); // one pack
    expect(await store.write(blobs)).toBe(1300);
    expect(await store.write(blobs)).toBe(0);
    gitIn(dir, ['fsck', '--strict', '--no-dangling']);
    expect(gitIn(dir, ['count-objects', '-v'])).toMatch(/^in-pack: 1597$/m);
    store.close();
  });

  it('reads packed objects whose compressed data is longer than zlib would make it, and the last object of a pack', async () => {
    // The reader reads an entry up to zlib's compressBound of its size; another packer may compress worse.
    // A valid zlib stream padded with 2,000 empty stored blocks (5 bytes each) is far beyond that bound.
    const padded = (body: Buffer): Buffer => {
      const empty = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);
      const len = Buffer.from([body.length & 0xff, body.length >> 8, ~body.length & 0xff, (~body.length >> 8) & 0xff]);
      const adler = Buffer.alloc(4);
      adler.writeUInt32BE(adler32(body));
      return Buffer.concat([Buffer.from([0x78, 0x01]), ...Array.from({ length: 2000 }, () => empty), Buffer.from([0x01]), len, body, adler]);
    };
    const odd = blobObject('compressed the long way\n');
    const big = blobObject(`${'a line of a large manifest\n'.repeat(2000)}`); // beyond the first read
    const last = blobObject('the last object\n');
    const entries: { oid: string; offset: number; crc: number }[] = [];
    const parts: Buffer[] = [Buffer.from('PACK'), Buffer.from([0, 0, 0, 2, 0, 0, 0, 3])];
    let offset = 12;
    for (const [o, data] of [
      [odd, padded(odd.body)],
      [big, deflateSync(big.body)],
      [last, deflateSync(last.body)],
    ] as const) {
      const head = packObjectHeader(3, o.body.length);
      entries.push({ oid: o.oid, offset, crc: crc32(data, crc32(head)) });
      parts.push(head, data);
      offset += head.length + data.length;
    }
    const checksum = createHash('sha1').update(Buffer.concat(parts)).digest();
    const dir = initRepo();
    const packDir = path.join(dir, '.git', 'objects', 'pack');
    mkdirSync(packDir, { recursive: true });
    writeFileSync(path.join(packDir, `pack-${checksum.toString('hex')}.pack`), Buffer.concat([...parts, checksum]));
    writeFileSync(path.join(packDir, `pack-${checksum.toString('hex')}.idx`), packIndex(entries, checksum));
    gitIn(dir, ['verify-pack', path.join(packDir, `pack-${checksum.toString('hex')}.idx`)]);
    const store = new ObjectStore(path.join(dir, '.git'));
    for (const o of [odd, big, last]) expect((await store.read(o.oid)).body.equals(o.body)).toBe(true);
    store.close();
  });

  it('applies copy and insert delta instructions', () => {
    const base = Buffer.from('0123456789abcdef');
    // base size 16, result size 9: copy 4 bytes from offset 2, insert "XYZ", copy 2 bytes from offset 14
    const delta = Buffer.from([16, 9, 0x91, 2, 4, 3, 0x58, 0x59, 0x5a, 0x91, 14, 2]);
    expect(applyDelta(base, delta).toString()).toBe('2345XYZef');
    expect(() => applyDelta(Buffer.from('short'), delta)).toThrow(/base size/);
  });
});

describe('ObjectStore writes killed half-way', () => {
  it('name their temporary files the way git does, so git fsck --strict stays quiet about leftovers', () => {
    const dir = initRepo({ 'a.yaml': 'a: 1\n' });
    const target = path.join(dir, '.git', 'objects', 'ab', 'cdef0123456789abcdef0123456789abcdef01');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(looseTempPath(target), 'half a deflate stream');
    const fsck = spawnSync('git', ['fsck', '--strict'], { cwd: dir, encoding: 'utf8' });
    expect(fsck.stderr).toBe('');
    expect(fsck.status).toBe(0);
  });

  it('leave a repository that git fsck --strict passes when the writer is SIGKILLed at random moments', async () => {
    const dir = initRepo({ 'a.yaml': 'a: 1\n' });
    const writer = `
      import { ObjectStore } from ${JSON.stringify(path.resolve(import.meta.dirname, 'store.ts'))};
      import { blobObject } from ${JSON.stringify(path.resolve(import.meta.dirname, 'objects.ts'))};
      const store = new ObjectStore(${JSON.stringify(path.join(dir, '.git'))});
      process.stdout.write('ready\\n');
      for (let round = 0; ; round++) {
        await store.write(Array.from({ length: 50 }, (_, i) => blobObject(Buffer.from(\`\${process.pid} \${round} \${i}\\n\`.repeat(200)))));
      }`;
    for (let kill = 0; kill < 4; kill++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', writer], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((resolve) => child.stdout.once('data', resolve));
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('exit', resolve));
    }
    const loose = readdirSync(path.join(dir, '.git', 'objects'), { recursive: true }).length;
    expect(loose).toBeGreaterThan(200); // the writers did write before they were killed
    const fsck = spawnSync('git', ['fsck', '--strict', '--no-dangling'], { cwd: dir, encoding: 'utf8' });
    expect(fsck.stderr).toBe('');
    expect(fsck.status).toBe(0);
  });
});
