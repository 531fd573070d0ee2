import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanupTempDirs, filesAt, gitIn, initBare, initRepo, objectCount, tempDir } from '../../test/git/repos.ts';
import { commitMessage, commitRenderedTree, GITATTRIBUTES, HashedTree, renderedTree, type CommitOptions } from './commit.ts';
import { branchRef, openRepository, RefMovedError } from './repo.ts';
import { spawnSync } from 'node:child_process';

afterAll(cleanupTempDirs);

const author = { name: 'Manifold', email: 'manifold@example.com', timestamp: 1_700_000_000, timezoneOffset: 0 };
const options: CommitOptions = { branch: 'manifold/rendered', manifoldVersion: '9.9.9', author, sourceCommit: 'a'.repeat(40) };

function deployment(name: string, replicas: number): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: web\nspec:\n  replicas: ${replicas}\n`;
}

function fleet(replicas: Record<string, number>): Map<string, Map<string, string>> {
  const clusters = new Map<string, Map<string, string>>();
  for (const [cluster, n] of Object.entries(replicas)) {
    clusters.set(
      cluster,
      new Map([
        ['cluster/Namespace/web.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: web\n'],
        ['namespaces/web/Deployment.apps/app.yaml', deployment('app', n)],
        ['namespaces/web/ConfigMap/app.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: web\n'],
      ]),
    );
  }
  return clusters;
}

describe('commitRenderedTree', () => {
  it('writes the tree as a commit git reads back, with provenance, .gitattributes and trailers', async () => {
    const dir = initRepo({ 'README.md': 'source\n' });
    const head = gitIn(dir, ['rev-parse', 'HEAD']).trim();
    const repo = openRepository(dir);
    const result = await commitRenderedTree(repo, renderedTree(fleet({ east: 2, west: 3 }), { generator: 'test' }), options);
    expect(result.created).toBe(true);
    expect(result.parent).toBeUndefined();
    gitIn(dir, ['fsck', '--strict', '--no-dangling']);
    const files = filesAt(dir, 'manifold/rendered');
    expect([...files.keys()].sort()).toEqual([
      '.gitattributes',
      '.manifold/provenance.json',
      'east/cluster/Namespace/web.yaml',
      'east/namespaces/web/ConfigMap/app.yaml',
      'east/namespaces/web/Deployment.apps/app.yaml',
      'west/cluster/Namespace/web.yaml',
      'west/namespaces/web/ConfigMap/app.yaml',
      'west/namespaces/web/Deployment.apps/app.yaml',
    ]);
    expect(files.get('west/namespaces/web/Deployment.apps/app.yaml')).toBe(deployment('app', 3));
    expect(files.get('.manifold/provenance.json')).toBe('{\n  "generator": "test"\n}\n');
    const checkout = path.join(tempDir(), 'wt');
    gitIn(dir, ['worktree', 'add', '-q', '--detach', checkout, 'manifold/rendered']);
    expect(gitIn(checkout, ['check-attr', 'linguist-generated', '--', '.manifold/provenance.json', 'east/cluster/Namespace/web.yaml'])).toBe(
      '.manifold/provenance.json: linguist-generated: true\neast/cluster/Namespace/web.yaml: linguist-generated: unspecified\n',
    );
    gitIn(dir, ['worktree', 'remove', '--force', checkout]);
    const message = gitIn(dir, ['log', '-1', '--format=%B', 'manifold/rendered']);
    expect(message).toMatch(/^manifold: render aaaaaaaaaaaa \(2 of 2 clusters changed\)/);
    expect(message).toContain('east: new cluster, 3 objects added');
    expect(gitIn(dir, ['interpret-trailers', '--parse'], message)).toBe(`Manifold-Source-Commit: ${'a'.repeat(40)}\nManifold-Version: 9.9.9\n`);
    // No checkout, no index change: the working branch and files are untouched.
    expect(gitIn(dir, ['rev-parse', 'HEAD']).trim()).toBe(head);
    expect(gitIn(dir, ['status', '--porcelain'])).toBe('');
  });

  it('makes no commit and writes no object when nothing changed', async () => {
    const dir = initRepo();
    const repo = openRepository(dir);
    const first = await commitRenderedTree(repo, renderedTree(fleet({ east: 2 }), {}), options);
    const before = objectCount(dir);
    const again = await commitRenderedTree(repo, renderedTree(fleet({ east: 2 }), {}), options);
    expect(again.created).toBe(false);
    expect(again.commit).toBe(first.commit);
    expect(again.objectsWritten).toBe(0);
    expect(objectCount(dir)).toBe(before);
  });

  it('writes only the changed file, the trees above it and the commit; counts per cluster', async () => {
    const dir = initRepo();
    const repo = openRepository(dir);
    const first = await commitRenderedTree(repo, renderedTree(fleet({ east: 2, west: 3, south: 1 }), {}), options);
    const before = objectCount(dir);
    const next = fleet({ east: 2, west: 4, north: 1 });
    next.get('east')?.set('namespaces/web/Service/app.yaml', 'kind: Service\n');
    const second = await commitRenderedTree(repo, renderedTree(next, {}), options);
    expect(second.parent).toBe(first.commit);
    expect(second.clusters).toEqual([
      { cluster: 'east', status: 'changed', added: 1, changed: 0, removed: 0 },
      { cluster: 'north', status: 'added', added: 3, changed: 0, removed: 0 },
      { cluster: 'south', status: 'removed', added: 0, changed: 0, removed: 3 },
      { cluster: 'west', status: 'changed', added: 0, changed: 1, removed: 0 },
    ]);
    // new: Service blob, west Deployment blob, north Deployment blob (replicas 1 exists in south? yes: reused);
    // trees: root, east{root,namespaces,web,Service}, west{root,namespaces,web,Deployment.apps}, north reuses south's trees.
    expect(second.objectsWritten).toBe(objectCount(dir) - before);
    expect(second.objectsWritten).toBeLessThanOrEqual(12);
    gitIn(dir, ['fsck', '--strict', '--no-dangling']);
    const diff = gitIn(dir, ['diff', '--no-renames', '--name-status', `${first.commit}`, `${second.commit}`]);
    expect(diff).toContain('D\tsouth/namespaces/web/Deployment.apps/app.yaml');
    expect(diff).toContain('M\twest/namespaces/web/Deployment.apps/app.yaml');
    expect(diff).toContain('A\teast/namespaces/web/Service/app.yaml');
  });

  it('builds one folder object for clusters that share a file map (as render gives them), and the same tree', async () => {
    const separate = fleet({ a: 1, b: 2, c: 1, d: 1, e: 2 });
    const shared = new Map<string, ReadonlyMap<string, string>>();
    const byReplicas = new Map<string, ReadonlyMap<string, string>>();
    for (const [cluster, files] of separate) {
      const key = files.get('namespaces/web/Deployment.apps/app.yaml') as string;
      if (!byReplicas.has(key)) byReplicas.set(key, files);
      shared.set(cluster, byReplicas.get(key) as ReadonlyMap<string, string>);
    }
    const plain = new HashedTree(renderedTree(separate, {}));
    const grouped = new HashedTree(renderedTree(shared, {}));
    expect(grouped.rootTree.oid).toBe(plain.rootTree.oid);
    expect(grouped.root.dirs.get('c')).toBe(grouped.root.dirs.get('a')); // one directory object, hashed once
    expect(grouped.root.dirs.get('b')).not.toBe(grouped.root.dirs.get('a'));
    expect(plain.root.dirs.get('c')).not.toBe(plain.root.dirs.get('a'));
    const dir = initRepo();
    const result = await commitRenderedTree(openRepository(dir), grouped, options);
    expect(result.clusters.map((c) => c.added)).toEqual([3, 3, 3, 3, 3]);
    gitIn(dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('puts the tree under --prefix and keeps the rest of the branch', async () => {
    const dir = initRepo();
    const repo = openRepository(dir);
    const hand = await commitRenderedTree(repo, renderedTree(fleet({ a: 1 }), {}), { ...options, prefix: 'staging' });
    gitIn(dir, ['branch', '-f', 'other', hand.commit as string]);
    const withProd = await commitRenderedTree(repo, renderedTree(fleet({ b: 1 }), {}), { ...options, prefix: 'envs/prod/' });
    const files = [...filesAt(dir, withProd.commit as string).keys()].sort();
    expect(files).toContain('staging/a/namespaces/web/Deployment.apps/app.yaml');
    expect(files).toContain('envs/prod/b/namespaces/web/Deployment.apps/app.yaml');
    expect(files).toContain(`envs/prod/${GITATTRIBUTES}`);
    expect(withProd.clusters).toEqual([{ cluster: 'b', status: 'added', added: 3, changed: 0, removed: 0 }]);
    const again = await commitRenderedTree(repo, renderedTree(fleet({ b: 1 }), {}), { ...options, prefix: 'envs/prod' });
    expect(again.created).toBe(false);
    await expect(commitRenderedTree(repo, renderedTree(fleet({ b: 1 }), {}), { ...options, prefix: '../x' })).rejects.toThrow(/--prefix/);
  });

  it('writes many objects as one pack that git verifies (cold render)', async () => {
    const dir = initBare();
    const repo = openRepository(dir);
    const big = new Map<string, Map<string, string>>();
    for (let c = 0; c < 40; c++) {
      const files = new Map<string, string>();
      for (let t = 0; t < 20; t++) files.set(`namespaces/ns${t % 4}/Deployment.apps/app${t}.yaml`, deployment(`app${t}`, (c + t) % 7));
      big.set(`cluster-${c}`, files);
    }
    const result = await commitRenderedTree(repo, renderedTree(big, {}), options);
    expect(result.objectsWritten).toBeGreaterThan(100);
    expect(gitIn(dir, ['count-objects', '-v'])).toMatch(/^packs: 1$/m);
    gitIn(dir, ['fsck', '--strict', '--no-dangling']);
    expect(gitIn(dir, ['show', 'manifold/rendered:cluster-3/namespaces/ns1/Deployment.apps/app5.yaml'])).toBe(deployment('app5', 1));
    expect(gitIn(dir, ['ls-tree', '-r', '--name-only', 'manifold/rendered']).trim().split('\n')).toHaveLength(40 * 20 + 2);
  });

  it('rebuilds on the new tip when the branch moves underneath, and never loses the other commit', async () => {
    const dir = initRepo();
    const repo = openRepository(dir);
    const first = await commitRenderedTree(repo, renderedTree(fleet({ east: 1 }), {}), options);
    let moved = '';
    const result = await commitRenderedTree(repo, renderedTree(fleet({ east: 5 }), {}), {
      ...options,
      beforeRefUpdate: async () => {
        if (moved !== '') return;
        const tree = gitIn(dir, ['rev-parse', `${first.commit}^{tree}`]).trim();
        moved = gitIn(dir, ['commit-tree', tree, '-p', first.commit as string, '-m', 'someone else']).trim();
        gitIn(dir, ['update-ref', 'refs/heads/manifold/rendered', moved]);
      },
    });
    expect(result.parent).toBe(moved);
    expect(gitIn(dir, ['rev-parse', 'manifold/rendered~1']).trim()).toBe(moved);
  });

  it('gives up with RefMovedError when the branch keeps moving, leaving the other writer\'s tip', async () => {
    const dir = initRepo();
    const repo = openRepository(dir);
    const first = await commitRenderedTree(repo, renderedTree(fleet({ east: 1 }), {}), options);
    let tip = first.commit as string;
    const attempt = commitRenderedTree(repo, renderedTree(fleet({ east: 5 }), {}), {
      ...options,
      beforeRefUpdate: async () => {
        const tree = gitIn(dir, ['rev-parse', `${tip}^{tree}`]).trim();
        tip = gitIn(dir, ['commit-tree', tree, '-p', tip, '-m', 'racing writer']).trim();
        gitIn(dir, ['update-ref', 'refs/heads/manifold/rendered', tip]);
      },
    });
    await expect(attempt).rejects.toBeInstanceOf(RefMovedError);
    expect(gitIn(dir, ['rev-parse', 'manifold/rendered']).trim()).toBe(tip);
  });

  it('refuses to move a locked ref and leaves it as it was', async () => {
    const dir = initRepo();
    const repo = openRepository(dir);
    const first = await commitRenderedTree(repo, renderedTree(fleet({ east: 1 }), {}), options);
    writeFileSync(path.join(dir, '.git', 'refs', 'heads', 'manifold', 'rendered.lock'), '');
    await expect(commitRenderedTree(repo, renderedTree(fleet({ east: 2 }), {}), options)).rejects.toThrow(/locked by another process/);
    expect(gitIn(dir, ['rev-parse', 'manifold/rendered']).trim()).toBe(first.commit);
  });

  it('refuses the branch checked out in the working tree', async () => {
    const dir = initRepo({ 'a.yaml': 'x: 1\n' });
    const head = gitIn(dir, ['rev-parse', 'HEAD']).trim();
    const err = await commitRenderedTree(openRepository(dir), renderedTree(fleet({ e: 1 }), {}), { ...options, branch: 'main' }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/main is the branch checked out/);
    expect(gitIn(dir, ['rev-parse', 'HEAD']).trim()).toBe(head);
  });

  it('refuses a branch whose parent folder is another branch', async () => {
    const dir = initRepo({ 'a.yaml': 'x: 1\n' });
    gitIn(dir, ['branch', 'manifold']);
    await expect(commitRenderedTree(openRepository(dir), renderedTree(fleet({ e: 1 }), {}), options)).rejects.toThrow(/a ref named like one of its parent folders exists/);
  });

  it('refuses branch names git would refuse', async () => {
    const repo = openRepository(initRepo());
    for (const branch of ['a..b', 'x y', 'end/', 'a.lock', '-x', 'HEAD', 'refs/heads/HEAD', 'refs/tags/v1', 'refs/remotes/origin/x']) {
      await expect(commitRenderedTree(repo, renderedTree(fleet({ e: 1 }), {}), { ...options, branch })).rejects.toThrow(/branch name/);
    }
  });

  it('accepts exactly the branch names `git check-ref-format --branch` accepts (but for refs/… and "@", refused as ambiguous)', () => {
    const dir = initRepo();
    const names = ['HEAD', 'a..b', 'a@{b', 'x.lock', '.x', 'a/.b', '-x', 'a//b', 'a/', 'a.', 'a b', 'a\tb', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b', '@{-1}', 'a/b.lock/c', 'a\x7fb', 'é', 'ok/name', 'manifold/rendered', 'v1.2', 'a@b', 'a-.b'];
    for (const name of names) {
      const git = spawnSync('git', ['check-ref-format', '--branch', name], { cwd: dir }).status === 0;
      const ours = (() => {
        try {
          branchRef(name);
          return true;
        } catch {
          return false;
        }
      })();
      expect({ name, accepted: ours }).toEqual({ name, accepted: git });
    }
  });
});

describe('commitMessage', () => {
  it('says when only provenance changed and when the source was not committed', () => {
    const m = commitMessage({ clusters: [], clusterCount: 3, manifoldVersion: '1.0.0' });
    expect(m).toBe(
      'manifold: render an uncommitted source (0 of 3 clusters changed)\n\n' +
        'Rendered from a working folder with uncommitted or untracked changes.\n\n' +
        'No object changed; only the provenance was updated.\n\n' +
        'Manifold-Version: 1.0.0\n',
    );
  });
});
