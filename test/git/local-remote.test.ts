/**
 * The reconciler with a remote on this machine (a path or a file:// URL), the
 * way people try Manifold and tests run it: the loop's git source fetches
 * only the rendered branch, and the report goes to the same repository. The
 * remote is a bare repository made by the real git whose HEAD names a branch
 * without commits (`git init --bare` before anything was pushed to main).
 */
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import git from 'isomorphic-git';
import { openRepository, readRef } from '../../src/git/repo.ts';
import { gitSource } from '../../src/reconcile/source.ts';
import { writeReport } from '../../src/reconcile/report.ts';
import { sampleStatus } from '../report/statuses.ts';
import { cleanupTempDirs, commitAll, gitIn, initRepo, tempDir, writeFiles } from './repos.ts';

afterAll(() => cleanupTempDirs());

const author = { name: 'Manifold', email: 'manifold@example.com', timestamp: 1_700_000_000, timezoneOffset: 0 };

function configMap(version: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: web\ndata:\n  version: "${version}"\n`;
}

/** A bare "hub" repository holding only manifold/rendered; its HEAD (main) is unborn. */
function hubWithRenderedBranch(): { hub: string; work: string } {
  const hub = path.join(tempDir('hub'), 'fleet.git');
  gitIn(path.dirname(hub), ['init', '-q', '--bare', '-b', 'main', hub]);
  const work = initRepo({ 'east/namespaces/web/ConfigMap/app.yaml': configMap('1'), 'west/namespaces/web/ConfigMap/app.yaml': configMap('1') });
  gitIn(work, ['push', '-q', hub, 'main:manifold/rendered']);
  return { hub, work };
}

async function scratch(): Promise<ReturnType<typeof openRepository>> {
  const dir = path.join(tempDir('scratch'), 'git');
  await git.init({ fs, dir, bare: true, defaultBranch: 'main' });
  return openRepository(dir);
}

describe('local remotes', () => {
  it('the loop source reads the rendered branch from a path and a file:// URL, and follows new commits', async () => {
    const { hub, work } = hubWithRenderedBranch();
    for (const remote of [hub, `file://${hub}`]) {
      const repo = await scratch();
      const source = gitSource({ repo, branch: 'manifold/rendered', remote });
      const first = await source.read();
      expect([...first.trees.keys()]).toEqual(['east', 'west']);
      expect(first.renderedCommit).toBe(gitIn(hub, ['rev-parse', 'manifold/rendered']).trim());
      expect(first.trees.get('east')?.get('namespaces/web/ConfigMap/app.yaml')).toContain('version: "1"');
      // Only the rendered branch came over: main of the work repository was never pushed.
      expect(gitIn(repo.gitdir, ['for-each-ref', '--format=%(refname)']).trim()).toBe('refs/remotes/manifold/manifold/rendered');
      gitIn(repo.gitdir, ['fsck', '--strict', '--no-dangling']);
    }
    writeFiles(work, { 'east/namespaces/web/ConfigMap/app.yaml': configMap('2') });
    const second = commitAll(work, 'v2');
    gitIn(work, ['push', '-q', hub, 'main:manifold/rendered']);
    const repo = await scratch();
    const source = gitSource({ repo, branch: 'manifold/rendered', remote: hub });
    expect((await source.read()).renderedCommit).toBe(second);
  });

  it('a configured remote naming a path is used by name; the report is pushed to it and git reads it', async () => {
    const { hub } = hubWithRenderedBranch();
    const clone = initRepo();
    gitIn(clone, ['remote', 'add', 'hub', path.relative(clone, hub)]); // relative to the repository, as git reads it
    const repo = openRepository(clone);
    const snapshot = await gitSource({ repo, branch: 'manifold/rendered', remote: 'hub' }).read();
    expect(snapshot.trees.size).toBe(2);
    const report = await writeReport({ repo, remote: 'hub', author }, [sampleStatus('east'), sampleStatus('west')]);
    expect(report).toMatchObject({ created: true, pushed: true });
    expect(gitIn(hub, ['rev-parse', 'manifold/status']).trim()).toBe(report.commit);
    expect(gitIn(hub, ['show', 'manifold/status:README.md'])).toContain('2 clusters: 2 Synced');
    expect(await readRef(repo, 'refs/heads/manifold/status')).toBe(report.commit);
    gitIn(hub, ['fsck', '--strict', '--no-dangling']);
  });

  it('a path that is not a repository is an input error naming the path', async () => {
    const repo = await scratch();
    const empty = tempDir('not-a-repo');
    const err = await gitSource({ repo, branch: 'manifold/rendered', remote: empty }).read().catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/there is no git repository at this path/);
    expect((err as { problems?: { file?: string }[] }).problems?.[0]?.file).toBe(empty);
  });
});
