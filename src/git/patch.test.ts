import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, filesAt, gitIn, initRepo } from '../../test/git/repos.ts';
import { commitRenderedTree, GITATTRIBUTES, GITATTRIBUTES_CONTENT, renderedTree, type CommitOptions } from './commit.ts';
import { commitPatchedTree, type TreeEdits } from './patch.ts';
import { openRepository, readRef, RefMovedError } from './repo.ts';

afterAll(cleanupTempDirs);

const author = { name: 'Manifold', email: 'manifold@example.com', timestamp: 1_700_000_000, timezoneOffset: 0 };
const options: CommitOptions = { branch: 'manifold/rendered', manifoldVersion: '9.9.9', author };
const NS = 'cluster/Namespace/web.yaml';
const APP = 'namespaces/web/Deployment.apps/app.yaml';
const CM = 'namespaces/web/ConfigMap/app.yaml';

function files(replicas: number): Map<string, string> {
  return new Map([
    [NS, 'kind: Namespace\n'],
    [APP, `kind: Deployment\nreplicas: ${replicas}\n`],
    [CM, 'kind: ConfigMap\n'],
  ]);
}

const extra = (counts: ReadonlyMap<string, number>) =>
  new Map([
    ['.manifold/provenance.json', `${JSON.stringify(Object.fromEntries([...counts].sort()))}\n`],
    [GITATTRIBUTES, GITATTRIBUTES_CONTENT],
  ]);

/** A branch holding east (2 replicas) and west (3), committed the full way. */
async function branch(): Promise<{ dir: string; tip: string }> {
  const dir = initRepo({ 'README.md': 'source\n' });
  const repo = openRepository(dir);
  try {
    const clusters = new Map([
      ['east', files(2)],
      ['west', files(3)],
    ]);
    const counts = new Map([...clusters].map(([c, f]) => [c, f.size]));
    const tree = renderedTree(clusters, undefined);
    const result = await commitRenderedTree(repo, { ...tree, extra: extra(counts) }, options);
    return { dir, tip: result.commit as string };
  } finally {
    repo.objects.close();
  }
}

const prior = { east: { objects: 3 }, west: { objects: 3 } };

describe('commitPatchedTree', () => {
  it('gives the tree a full commit of the same files gives, with per-cluster counts', async () => {
    const { dir, tip } = await branch();
    const repo = openRepository(dir);
    const edits: TreeEdits = new Map([
      ['east', new Map<string, string | null>([[APP, 'kind: Deployment\nreplicas: 4\n'], [CM, null]])],
      ['west', new Map<string, string | null>([[APP, 'kind: Deployment\nreplicas: 3\n'], ['namespaces/web/Secret/s.yaml', 'kind: Secret\n']])],
    ]);
    const result = await commitPatchedTree(repo, edits, prior, extra, { ...options, expectedParent: tip });
    repo.objects.close();
    expect(result.created).toBe(true);
    expect(result.clusters).toEqual([
      { cluster: 'east', status: 'changed', added: 0, changed: 1, removed: 1 },
      { cluster: 'west', status: 'changed', added: 1, changed: 0, removed: 0 },
    ]);
    gitIn(dir, ['fsck', '--strict', '--no-dangling']);
    const after = filesAt(dir, 'manifold/rendered');
    expect(after.get(`east/${APP}`)).toBe('kind: Deployment\nreplicas: 4\n');
    expect(after.has(`east/${CM}`)).toBe(false);
    expect(after.get('.manifold/provenance.json')).toBe('{"east":2,"west":4}\n');

    // The same files committed the full way give the same tree.
    const full = initRepo({ 'README.md': 'source\n' });
    const fullRepo = openRepository(full);
    const east = new Map([...files(4)].filter(([p]) => p !== CM));
    const west = new Map([...files(3), ['namespaces/web/Secret/s.yaml', 'kind: Secret\n']]);
    const clusters = new Map([
      ['east', east],
      ['west', west],
    ]);
    const fullResult = await commitRenderedTree(fullRepo, { ...renderedTree(clusters, undefined), extra: extra(new Map([['east', 2], ['west', 4]])) }, options);
    fullRepo.objects.close();
    expect(result.tree).toBe(fullResult.tree);
  });

  it('removes a cluster folder whose last file goes, and makes no commit when nothing changes', async () => {
    const { dir, tip } = await branch();
    const repo = openRepository(dir);
    const gone: TreeEdits = new Map([['west', new Map<string, string | null>([[NS, null], [APP, null], [CM, null]])]]);
    const result = await commitPatchedTree(repo, gone, prior, extra, { ...options, expectedParent: tip });
    expect(result.clusters).toEqual([{ cluster: 'west', status: 'removed', added: 0, changed: 0, removed: 3 }]);
    expect([...filesAt(dir, 'manifold/rendered').keys()].some((f) => f.startsWith('west/'))).toBe(false);
    const same: TreeEdits = new Map([['east', new Map<string, string | null>([[APP, 'kind: Deployment\nreplicas: 2\n']])]]);
    const again = await commitPatchedTree(repo, same, { east: { objects: 3 }, west: { objects: 0 } }, extra, { ...options, expectedParent: result.commit as string });
    repo.objects.close();
    expect(again.created).toBe(false);
    expect(again.commit).toBe(result.commit);
  });

  it('refuses a branch that is not where the render was planned, or that moves before the ref update', async () => {
    const { dir, tip } = await branch();
    const repo = openRepository(dir);
    const edits: TreeEdits = new Map([['east', new Map<string, string | null>([[APP, 'kind: Deployment\nreplicas: 9\n']])]]);
    await expect(commitPatchedTree(repo, edits, prior, extra, { ...options, expectedParent: 'b'.repeat(40) })).rejects.toBeInstanceOf(RefMovedError);
    const moved = gitIn(dir, ['commit-tree', `${tip}^{tree}`, '-p', tip, '-m', 'someone else']).trim();
    const racing = commitPatchedTree(repo, edits, prior, extra, {
      ...options,
      expectedParent: tip,
      beforeRefUpdate: async () => {
        gitIn(dir, ['update-ref', 'refs/heads/manifold/rendered', moved]);
      },
    });
    await expect(racing).rejects.toBeInstanceOf(RefMovedError);
    expect(await readRef(repo, 'refs/heads/manifold/rendered')).toBe(moved);
    repo.objects.close();
  });
});
