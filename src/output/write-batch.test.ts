import { describe, expect, it } from 'vitest';
import { WriteBatchBuilder, type WriteBatch } from './write-batch.ts';

/** The batch as [path, content] pairs, read back the way FOLDER_WRITER reads it. */
function decode(batch: WriteBatch): [string, string][] {
  const names = Buffer.from(batch.paths);
  const bodies = Buffer.from(batch.contents);
  let start = 0;
  return [...batch.pathEnds].map((end, i) => {
    const c = batch.contentOf[i] as number;
    const file = names.toString('utf8', start, end);
    start = end;
    return [file, bodies.toString('utf8', c === 0 ? 0 : batch.contentEnds[c - 1], batch.contentEnds[c])];
  });
}

describe('WriteBatchBuilder', () => {
  it('lists files cluster folder by cluster folder, in path order within each, each with its content', () => {
    const b = new WriteBatchBuilder();
    b.add('namespaces/x/Deployment.apps/web.yaml', 'web-a', ['a']);
    b.add('cluster/Namespace/x.yaml', 'ns: é', ['b', 'a']);
    b.add('namespaces/x/Deployment.apps/web.yaml', 'web-b', ['b']);
    b.add('namespaces/x/ConfigMap/ünïcode.yaml', 'cm ✓', ['b']);
    expect(b.files).toBe(5);
    expect(b.bytes).toBe(Buffer.byteLength('web-a' + 'ns: é' + 'web-b' + 'cm ✓'));
    const { batch, transfer } = b.build();
    expect(decode(batch)).toEqual([
      ['a/cluster/Namespace/x.yaml', 'ns: é'],
      ['a/namespaces/x/Deployment.apps/web.yaml', 'web-a'],
      ['b/cluster/Namespace/x.yaml', 'ns: é'],
      ['b/namespaces/x/ConfigMap/ünïcode.yaml', 'cm ✓'],
      ['b/namespaces/x/Deployment.apps/web.yaml', 'web-b'],
    ]);
    expect(transfer).toHaveLength(5);
  });

  it('grows past its first buffers (contents larger than 1 MB in all, more than 4,096 of them)', () => {
    const b = new WriteBatchBuilder();
    const big = 'x'.repeat(300_000);
    const expected: [string, string][] = [];
    for (let i = 0; i < 5000; i++) {
      const file = `f/${String(i).padStart(5, '0')}.yaml`;
      const content = i % 1000 === 0 ? `${big}${i}` : `item ${i}`;
      b.add(file, content, ['c']);
      expected.push([`c/${file}`, content]);
    }
    const bytes = b.bytes;
    const { batch } = b.build();
    expect(batch.contents.byteLength).toBe(bytes);
    expect(decode(batch)).toEqual(expected);
  });

  it('starts the next batch after each build, the batch handed out keeping its own copy', () => {
    const b = new WriteBatchBuilder();
    b.add('x.yaml', 'first', ['a', 'b']);
    const first = b.build().batch;
    expect([b.files, b.bytes]).toEqual([0, 0]);
    b.add('y.yaml', 'second one', ['c']);
    const second = b.build().batch;
    expect(decode(first)).toEqual([
      ['a/x.yaml', 'first'],
      ['b/x.yaml', 'first'],
    ]);
    expect(decode(second)).toEqual([['c/y.yaml', 'second one']]);
  });
});
