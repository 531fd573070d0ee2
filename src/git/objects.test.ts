import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gitIn, initRepo } from '../../test/git/repos.ts';
import { blobObject, commitObject, decodeCommit, decodeTree, hashObject, MODE_DIR, MODE_FILE, treeObject, type TreeEntry } from './objects.ts';

const EMPTY_BLOB = 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391';
const HELLO_BLOB = 'ce013625030ba8dba906f756967f9e9ca394464a'; // `echo hello | git hash-object --stdin`

describe('object ids', () => {
  it('match git hash-object for known blobs', () => {
    expect(blobObject('').oid).toBe(EMPTY_BLOB);
    expect(blobObject('hello\n').oid).toBe(HELLO_BLOB);
    expect(hashObject('blob', Buffer.from('hello\n'))).toBe(HELLO_BLOB);
  });

  it('order tree entries as git mktree does (a directory sorts as name + "/")', () => {
    const dir = initRepo();
    const blob = gitIn(dir, ['hash-object', '-w', '--stdin'], 'x\n').trim();
    const sub = gitIn(dir, ['mktree'], `100644 blob ${blob}\tf\n`).trim();
    const entries: TreeEntry[] = [
      { mode: MODE_DIR, name: 'a', oid: sub },
      { mode: MODE_FILE, name: 'a.yaml', oid: blob },
      { mode: MODE_FILE, name: 'a-b', oid: blob },
      { mode: MODE_DIR, name: 'a0', oid: sub },
      { mode: MODE_FILE, name: 'B', oid: blob },
      { mode: MODE_FILE, name: 'é.yaml', oid: blob },
      { mode: MODE_DIR, name: 'z', oid: sub },
    ];
    const input = entries.map((e) => `${e.mode === MODE_DIR ? '040000 tree' : '100644 blob'} ${e.oid}\t${e.name}`).join('\n');
    const expected = gitIn(dir, ['mktree'], `${input}\n`).trim();
    expect(treeObject(entries).oid).toBe(expected);
    expect(treeObject([...entries].reverse()).oid).toBe(expected);
    expect(decodeTree(treeObject(entries).body).map((e) => e.name)).toEqual(['B', 'a-b', 'a.yaml', 'a', 'a0', 'z', 'é.yaml']);
  });

  it('hash arbitrary ASCII trees the same whatever the input order', () => {
    const name = fc.stringMatching(/^[a-z0-9._-]{1,6}$/).filter((s) => s !== '.' && s !== '..');
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, fc.boolean()), { selector: ([n]) => n, minLength: 1, maxLength: 12 }), (list) => {
        const entries = list.map(([n, isDir]) => ({ mode: isDir ? MODE_DIR : MODE_FILE, name: n, oid: EMPTY_BLOB }));
        const a = treeObject(entries).oid;
        const b = treeObject([...entries].reverse()).oid;
        expect(a).toBe(b);
        expect(decodeTree(treeObject(entries).body)).toHaveLength(entries.length);
      }),
    );
  });

  it('write commits git accepts byte for byte', () => {
    const dir = initRepo();
    const tree = gitIn(dir, ['mktree'], '').trim();
    const when = { name: 'Manifold', email: 'manifold@example.com', timestamp: 1700000000, timezoneOffset: 90 };
    const c = commitObject({ tree, parents: [], author: when, committer: when, message: 'subject\n\nbody' });
    const viaGit = gitIn(dir, ['hash-object', '-t', 'commit', '--stdin'], c.body.toString('utf8')).trim();
    expect(c.oid).toBe(viaGit);
    expect(c.body.toString()).toContain('author Manifold <manifold@example.com> 1700000000 +0130');
    expect(decodeCommit(c.body)).toEqual({ tree, parents: [], message: 'subject\n\nbody\n' });
  });
});
