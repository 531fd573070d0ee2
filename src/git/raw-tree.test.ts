import { execFileSync } from 'node:child_process';
import { decodeTree, encodeTree, hashObject, MODE_DIR, MODE_FILE, type TreeEntry } from './objects.ts';
import { findTreeEntries, findTreeEntry, someTreeEntry, spliceTree, type EntryEdit } from './raw-tree.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, initRepo } from '../../test/git/repos.ts';

afterAll(cleanupTempDirs);

/** A small deterministic generator (no Math.random: a failure must be reproducible from its seed). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

// Names whose git order differs from plain name order once folders sort as `name/`.
const NAMES = ['a', 'a-b', 'a.yaml', 'a0', 'b', 'ConfigMap', 'Deployment.apps', 'app-00007.yaml', 'app-00070.yaml', 'é.yaml', 'z', 'a/b'.replace('/', '_')];

function oidOf(i: number): string {
  return hashObject('blob', Buffer.from(`content ${i}`));
}

describe('raw tree bodies', () => {
  it('splices edits into exactly the bytes of decoding, editing and encoding the tree again', () => {
    const next = random(19);
    for (let round = 0; round < 500; round++) {
      const entries = new Map<string, TreeEntry>();
      for (const name of NAMES) if (next() < 0.5) entries.set(name, { mode: next() < 0.3 ? MODE_DIR : MODE_FILE, name, oid: oidOf(Math.floor(next() * 1000)) });
      const body = encodeTree([...entries.values()]);
      const edits = new Map<string, EntryEdit>();
      for (const name of NAMES) {
        if (next() < (round % 3 === 0 ? 0.05 : 0.6)) continue; // every third round edits nearly every name (the lookup by decoded name)
        const before = entries.get(name);
        const mode = before?.mode ?? (next() < 0.3 ? MODE_DIR : MODE_FILE);
        edits.set(name, next() < 0.3 ? null : { mode, oid: oidOf(Math.floor(next() * 1000)) });
      }
      const expected = new Map(entries);
      for (const [name, edit] of edits) {
        if (edit === null) expected.delete(name);
        else expected.set(name, { ...edit, name });
      }
      expect(spliceTree(body, edits).equals(encodeTree([...expected.values()])), `round ${round}`).toBe(true);
      for (const name of NAMES) expect(findTreeEntry(body, name)?.oid).toBe(entries.get(name)?.oid);
      const found = findTreeEntries(body, NAMES);
      expect(new Map([...found].map(([n, e]) => [n, e.oid]))).toEqual(new Map([...entries].map(([n, e]) => [n, e.oid])));
    }
  });

  it('finds entries of a tree git wrote, and lists them in git order until told to stop', () => {
    const dir = initRepo({ 'a.yaml': 'x\n', 'a/b.yaml': 'y\n', 'a-b': 'z\n' });
    const tree = execFileSync('git', ['-C', dir, 'cat-file', 'tree', 'HEAD^{tree}']);
    const listed: string[] = [];
    someTreeEntry(tree, (name, mode) => {
      listed.push(`${mode} ${name}`);
      return false;
    });
    expect(listed).toEqual(decodeTree(tree).map((e) => `${e.mode} ${e.name}`));
    expect(listed).toEqual(['100644 a-b', '100644 a.yaml', `${MODE_DIR} a`]);
    expect(findTreeEntry(tree, 'a')?.mode).toBe(MODE_DIR);
    expect(someTreeEntry(tree, (name) => name === 'a.yaml')).toBe(true);
    expect(() => findTreeEntry(tree.subarray(0, tree.length - 3), 'zzz')).toThrow(/corrupt tree/);
  });
});
