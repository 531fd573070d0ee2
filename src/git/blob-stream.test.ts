import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { cleanupTempDirs, gitIn, initRepo } from '../../test/git/repos.ts';
import { BlobStream } from './blob-stream.ts';
import { blobObject, commitObject, treeObject, MODE_FILE } from './objects.ts';
import { ObjectStore } from './store.ts';

afterAll(cleanupTempDirs);

/** Distinct contents, together several times the stream's batch size (4 MiB). */
function contents(n: number, salt = ''): string[] {
  return Array.from({ length: n }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}${salt}\ndata:\n  k: ${'v'.repeat(2000 + (i % 97))}\n`);
}

function packFiles(dir: string): string[] {
  return readdirSync(path.join(dir, '.git', 'objects', 'pack')).sort();
}

describe('BlobStream', () => {
  it('streams many blobs into one pack that git reads back byte for byte and fsck accepts', async () => {
    const dir = initRepo();
    const store = new ObjectStore(path.join(dir, '.git'));
    const stream = new BlobStream(store);
    const texts = contents(6000);
    const refs = texts.map((t) => stream.put(t));
    expect(stream.put(texts[0] as string)).toBe(refs[0]); // the same content twice is one blob
    expect(stream.finish()).toBe(6000);
    const packs = packFiles(dir);
    expect(packs.filter((f) => f.endsWith('.pack'))).toHaveLength(1);
    expect(packs.some((f) => f.startsWith('tmp_'))).toBe(false);
    gitIn(dir, ['verify-pack', path.join(dir, '.git', 'objects', 'pack', packs.find((f) => f.endsWith('.idx')) as string)]);
    for (const i of [0, 1, 2999, 5999]) {
      const ref = refs[i] as string;
      expect(stream.isStored(ref)).toBe(true);
      const oid = Buffer.from(ref, 'latin1').toString('hex');
      expect(oid).toBe(blobObject(texts[i] as string).oid);
      expect(gitIn(dir, ['cat-file', 'blob', oid])).toBe(texts[i]);
      expect(store.has(oid)).toBe(true);
    }
    expect(stream.isStored('not a blob id')).toBe(false);
    expect(stream.isStored('x'.repeat(20))).toBe(false);
    store.close();
  });

  it('leaves nothing behind when aborted (a render that fails half-way)', () => {
    const dir = initRepo();
    const store = new ObjectStore(path.join(dir, '.git'));
    const before = packFiles(dir);
    const stream = new BlobStream(store);
    for (const t of contents(3000)) stream.put(t);
    stream.abort();
    expect(packFiles(dir)).toEqual(before);
    store.close();
  });

  it('does not write blobs the repository already has', async () => {
    const dir = initRepo();
    const store = new ObjectStore(path.join(dir, '.git'));
    const old = contents(200, '-old');
    await store.write(old.map((t) => blobObject(t)));
    const stream = new BlobStream(store);
    for (const t of [...old, ...contents(10, '-new')]) stream.put(t);
    expect(stream.finish()).toBe(10);
    gitIn(dir, ['fsck', '--strict']);
    store.close();
  });

  it('puts trees and the commit into the same pack, skipping what it already holds', () => {
    const dir = initRepo();
    const store = new ObjectStore(path.join(dir, '.git'));
    const stream = new BlobStream(store);
    const texts = contents(3);
    const raws = texts.map((t) => stream.put(t));
    const tree = treeObject(raws.map((raw, i) => ({ mode: MODE_FILE, name: `f${i}.yaml`, oid: Buffer.from(raw, 'latin1').toString('hex') })));
    const who = { name: 'T', email: 't@example.com', timestamp: 0, timezoneOffset: 0 };
    const commit = commitObject({ tree: tree.oid, parents: [], author: who, committer: who, message: 'm\n' });
    stream.putObjects([tree, commit, tree, blobObject(texts[0] as string)]);
    expect(stream.finish()).toBe(5);
    expect(gitIn(dir, ['cat-file', '-t', commit.oid]).trim()).toBe('commit');
    expect(gitIn(dir, ['ls-tree', '--name-only', commit.oid]).trim().split('\n')).toEqual(['f0.yaml', 'f1.yaml', 'f2.yaml']);
    gitIn(dir, ['fsck', '--strict', '--no-dangling']);
    store.close();
  });
});
