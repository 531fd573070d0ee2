/** Push, fetch and races against a real `git http-backend` on loopback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { InputError, RuntimeError } from '../../src/errors/index.ts';
import { renderedTree } from '../../src/git/commit.ts';
import { openRepository, readRef } from '../../src/git/repo.ts';
import { fetchRemoteBranch, pushRenderedTree, resolveRemote, type PushOptions } from '../../src/git/remote.ts';
import { startGitHttpServer, type GitHttpServer } from './http-server.ts';
import { cleanupTempDirs, gitAsync, gitIn, initRepo, tempDir } from './repos.ts';

const TOKEN = 'tok-9f8e7d6c5b4a-secret';
const author = { name: 'Manifold', email: 'manifold@example.com', timestamp: 1_700_000_000, timezoneOffset: 0 };

let server: GitHttpServer;
let root: string;

beforeAll(async () => {
  root = tempDir('git-http-root');
  server = await startGitHttpServer({ root, token: TOKEN });
});

afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

let repoCounter = 0;
/**
 * A new bare repository on the server with a `main` branch, as hosted
 * repositories have (isomorphic-git's fetch needs the remote HEAD to resolve).
 */
function remoteRepo(): { url: string; dir: string } {
  const name = `fleet-${++repoCounter}.git`;
  const dir = path.join(root, name);
  gitIn(root, ['init', '-q', '--bare', '-b', 'main', name]);
  const seed = initRepo({ 'README.md': 'the source repository\n' });
  gitIn(seed, ['push', '-q', dir, 'main']);
  return { url: `${server.url}/${name}`, dir };
}

function fleet(version: string, clusters = ['east', 'west']): Map<string, Map<string, string>> {
  return new Map(
    clusters.map((c) => [
      c,
      new Map([
        ['namespaces/web/ConfigMap/app.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: web\ndata:\n  version: "${version}"\n`],
        ['namespaces/web/ConfigMap/static.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: static\n  namespace: web\n`],
      ]),
    ]),
  );
}

function opts(url: string, extra: Partial<PushOptions> = {}): PushOptions {
  return { branch: 'manifold/rendered', remote: url, token: TOKEN, manifoldVersion: '0.0.0-test', author, ...extra };
}

/** What a real git client sees at the remote: `git ls-remote` and a clone over HTTP with the token. */
function authArgs(): string[] {
  return ['-c', `http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`];
}

async function remoteTipViaGit(url: string): Promise<string | undefined> {
  const out = (await gitAsync(root, [...authArgs(), 'ls-remote', url, 'refs/heads/manifold/rendered'])).trim();
  return out === '' ? undefined : out.split('\t')[0];
}

describe('pushRenderedTree', () => {
  it('commits and pushes; a real git clone over HTTP reads the same tree; an unchanged tree pushes nothing', async () => {
    const remote = remoteRepo();
    const local = initRepo({ 'README.md': 'x\n' });
    const repo = openRepository(local);
    const first = await pushRenderedTree(repo, renderedTree(fleet('1'), {}), opts(remote.url));
    expect(first).toMatchObject({ pushed: true, created: true, attempts: 1 });
    expect(await remoteTipViaGit(remote.url)).toBe(first.commit);
    expect(await readRef(repo, 'refs/heads/manifold/rendered')).toBe(first.commit);
    expect(await readRef(repo, 'refs/remotes/manifold/manifold/rendered')).toBe(first.commit);
    gitIn(remote.dir, ['fsck', '--strict', '--no-dangling']);

    const clone = path.join(tempDir('clone'), 'c');
    await gitAsync(root, [...authArgs(), 'clone', '-q', '--branch', 'manifold/rendered', remote.url, clone]);
    expect(gitIn(clone, ['show', 'HEAD:west/namespaces/web/ConfigMap/app.yaml'])).toContain('version: "1"');

    const again = await pushRenderedTree(repo, renderedTree(fleet('1'), {}), opts(remote.url));
    expect(again).toMatchObject({ pushed: false, created: false, commit: first.commit });

    const second = await pushRenderedTree(repo, renderedTree(fleet('2'), {}), opts(remote.url));
    expect(second.parent).toBe(first.commit);
    expect(second.clusters.map((c) => [c.cluster, c.changed])).toEqual([['east', 1], ['west', 1]]);
    await gitAsync(clone, [...authArgs(), 'pull', '-q', '--ff-only']);
    expect(gitIn(clone, ['show', 'HEAD:east/namespaces/web/ConfigMap/app.yaml'])).toContain('version: "2"');
    expect(server.requests.every((r) => r.status !== 401 || r.user === undefined)).toBe(true);
  });

  it('builds on the remote branch when the local clone has never seen it (fetches first)', async () => {
    const remote = remoteRepo();
    const a = await pushRenderedTree(openRepository(initRepo()), renderedTree(fleet('1'), {}), opts(remote.url, { prefix: 'a' }));
    const other = openRepository(initRepo());
    const b = await pushRenderedTree(other, renderedTree(fleet('1'), {}), opts(remote.url, { prefix: 'b' }));
    expect(b.parent).toBe(a.commit);
    const files = gitIn(remote.dir, ['ls-tree', '-r', '--name-only', 'manifold/rendered']);
    expect(files).toContain('a/east/namespaces/web/ConfigMap/app.yaml');
    expect(files).toContain('b/east/namespaces/web/ConfigMap/app.yaml');
  });

  it('two concurrent pushers both land: one loses the race, fetches and rebuilds on the new tip', async () => {
    const remote = remoteRepo();
    await pushRenderedTree(openRepository(initRepo()), renderedTree(fleet('0'), {}), opts(remote.url, { prefix: 'a' }));
    const pusherA = openRepository(initRepo());
    const pusherB = openRepository(initRepo());
    let waiting = 0;
    let release: () => void = () => undefined;
    const bothReady = new Promise<void>((resolve) => (release = resolve));
    const barrier = async (attempt: number) => {
      if (attempt !== 1) return;
      if (++waiting === 2) release();
      await bothReady;
    };
    const [ra, rb] = await Promise.all([
      pushRenderedTree(pusherA, renderedTree(fleet('1'), {}), opts(remote.url, { prefix: 'a', beforePush: barrier })),
      pushRenderedTree(pusherB, renderedTree(fleet('1'), {}), opts(remote.url, { prefix: 'b', beforePush: barrier })),
    ]);
    expect(ra.pushed && rb.pushed).toBe(true);
    expect(ra.attempts + rb.attempts).toBe(3);
    const tip = await remoteTipViaGit(remote.url);
    const log = gitIn(remote.dir, ['log', '--format=%H', 'manifold/rendered']).trim().split('\n');
    expect(log).toHaveLength(3);
    expect(log).toContain(ra.commit);
    expect(log).toContain(rb.commit);
    expect(tip).toBe(ra.attempts === 2 ? ra.commit : rb.commit);
    const files = gitIn(remote.dir, ['ls-tree', '-r', '--name-only', 'manifold/rendered']);
    expect(files).toMatch(/^a\/east\/namespaces\/web\/ConfigMap\/app.yaml$/m);
    expect(files).toMatch(/^b\/east\/namespaces\/web\/ConfigMap\/app.yaml$/m);
    expect(gitIn(remote.dir, ['show', 'manifold/rendered:a/east/namespaces/web/ConfigMap/app.yaml'])).toContain('version: "1"');
  });

  it('rebuilds when the remote branch moves between discovery and the push (server-side ref check)', async () => {
    const remote = remoteRepo();
    const repo = openRepository(initRepo());
    const first = await pushRenderedTree(repo, renderedTree(fleet('1'), {}), opts(remote.url));
    // Someone else's commit, written straight into the server's repository when our pack arrives.
    const tree = gitIn(remote.dir, ['rev-parse', `${first.commit}^{tree}`]).trim();
    const theirs = gitIn(remote.dir, ['commit-tree', tree, '-p', first.commit as string, '-m', 'moved underneath']).trim();
    let moved = false;
    server.onRequest = async (req) => {
      if (!moved && req.method === 'POST' && req.url?.includes(`${path.basename(remote.dir)}/git-receive-pack`)) {
        moved = true;
        gitIn(remote.dir, ['update-ref', 'refs/heads/manifold/rendered', theirs]);
      }
    };
    try {
      const result = await pushRenderedTree(repo, renderedTree(fleet('2'), {}), opts(remote.url));
      expect(moved).toBe(true);
      expect(result.attempts).toBe(2);
      expect(result.parent).toBe(theirs);
      expect(await remoteTipViaGit(remote.url)).toBe(result.commit);
    } finally {
      server.onRequest = undefined;
    }
  });

  it('a rejected or missing token fails clearly, never shows the token and moves nothing', async () => {
    const remote = remoteRepo();
    const repo = openRepository(initRepo());
    const wrong = await pushRenderedTree(repo, renderedTree(fleet('1'), {}), opts(remote.url, { token: 'not-the-token-123' })).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(RuntimeError);
    expect((wrong as RuntimeError).code).toBe('GIT_AUTH_REJECTED');
    expect((wrong as Error).message).toMatch(/rejected the token in MANIFOLD_GIT_TOKEN/);
    expect((wrong as Error).message).not.toContain('not-the-token-123');
    const missing = await pushRenderedTree(repo, renderedTree(fleet('1'), {}), opts(remote.url, { token: undefined })).catch((e: unknown) => e);
    expect((missing as RuntimeError).code).toBe('GIT_AUTH_REQUIRED');
    expect(await readRef(repo, 'refs/heads/manifold/rendered')).toBeUndefined();
    expect(await remoteTipViaGit(remote.url)).toBeUndefined();
    const withCreds = remote.url.replace('http://', `http://x-access-token:${TOKEN}@`);
    const inUrl = await pushRenderedTree(repo, renderedTree(fleet('1'), {}), opts(withCreds.replace('fleet', 'nope'), { token: TOKEN })).catch((e: unknown) => e);
    expect((inUrl as Error).message).not.toContain(TOKEN);
  });

  it('an unreachable remote and an unknown remote name fail clearly', async () => {
    const repo = openRepository(initRepo());
    const closed = await startGitHttpServer({ root });
    const url = `${closed.url}/nothing.git`;
    await closed.close();
    const err = await pushRenderedTree(repo, renderedTree(fleet('1'), {}), opts(url)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as RuntimeError).code).toBe('GIT_REMOTE_UNREACHABLE');
    expect((err as Error).message).toMatch(/cannot reach the remote \(ECONNREFUSED\)/);
    const unknown = await pushRenderedTree(repo, renderedTree(fleet('1'), {}), opts('upstream')).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(InputError);
    expect((unknown as Error).message).toMatch(/no remote named "upstream"/);
    const ssh = await pushRenderedTree(repo, renderedTree(fleet('1'), {}), opts('git@github.com:org/repo.git')).catch((e: unknown) => e);
    expect((ssh as Error).message).toMatch(/only https:\/\/, http:\/\/, file:\/\/ and local paths are supported/);
    expect(await readRef(repo, 'refs/heads/manifold/rendered')).toBeUndefined();
  });

  it('a configured remote with an unsupported URL is named by its name in the message', async () => {
    const local = initRepo();
    gitIn(local, ['remote', 'add', 'origin', 'git@github.com:org/fleet.git']);
    const err = await pushRenderedTree(openRepository(local), renderedTree(fleet('1'), {}), opts('origin')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^remote origin \(git@github\.com:org\/fleet\.git\): only https:\/\//);
  });

  it('pushes to a local path, a file:// URL and a configured remote naming a path; git reads what was pushed', async () => {
    const bare = tempDir('local-remote');
    gitIn(bare, ['init', '-q', '--bare', '-b', 'main']); // HEAD names a branch without commits
    const local = initRepo();
    const repo = openRepository(local);
    const first = await pushRenderedTree(repo, renderedTree(fleet('1'), {}), opts(bare, { token: undefined }));
    expect(first).toMatchObject({ pushed: true, created: true });
    expect(gitIn(bare, ['rev-parse', 'refs/heads/manifold/rendered']).trim()).toBe(first.commit);
    gitIn(bare, ['fsck', '--strict', '--no-dangling']);
    const second = await pushRenderedTree(repo, renderedTree(fleet('2'), {}), opts(`file://${bare}`, { token: undefined }));
    expect(second.parent).toBe(first.commit);
    gitIn(local, ['remote', 'add', 'hub', bare]);
    const other = openRepository(initRepo());
    gitIn(other.workdir as string, ['remote', 'add', 'hub', bare]);
    const third = await pushRenderedTree(other, renderedTree(fleet('3'), {}), opts('hub', { token: undefined }));
    expect(third.parent).toBe(second.commit);
    expect(await readRef(other, 'refs/remotes/hub/manifold/rendered')).toBe(third.commit);
    expect(gitIn(bare, ['show', 'manifold/rendered:east/namespaces/web/ConfigMap/app.yaml'])).toContain('version: "3"');
    gitIn(bare, ['fsck', '--strict', '--no-dangling']);
    const missing = await pushRenderedTree(repo, renderedTree(fleet('1'), {}), opts(path.join(bare, 'nope'), { token: undefined })).catch((e: unknown) => e);
    expect((missing as InputError).problems?.[0]?.code).toBe('GIT_REMOTE_NOT_FOUND');
  });

  it('publishes local-only rendered commits when the local branch is ahead, and refuses diverged branches', async () => {
    const remote = remoteRepo();
    const local = initRepo();
    const repo = openRepository(local);
    const first = await pushRenderedTree(repo, renderedTree(fleet('1'), {}), opts(remote.url));
    // A `render --commit` that was never pushed.
    const { commitRenderedTree } = await import('../../src/git/commit.ts');
    const localOnly = await commitRenderedTree(repo, renderedTree(fleet('2'), {}), { branch: 'manifold/rendered', manifoldVersion: '0.0.0-test', author });
    const ahead = await pushRenderedTree(repo, renderedTree(fleet('3'), {}), opts(remote.url));
    expect(ahead.parent).toBe(localOnly.commit);
    expect(gitIn(remote.dir, ['log', '--format=%H', 'manifold/rendered']).trim().split('\n').slice(0, 3)).toEqual([ahead.commit, localOnly.commit, first.commit]);

    // Another renderer moves the remote while this clone commits locally: diverged.
    await pushRenderedTree(openRepository(initRepo()), renderedTree(fleet('4'), {}), opts(remote.url));
    const remoteTip = await remoteTipViaGit(remote.url);
    const mine = await commitRenderedTree(repo, renderedTree(fleet('5'), {}), { branch: 'manifold/rendered', manifoldVersion: '0.0.0-test', author });
    const err = await pushRenderedTree(repo, renderedTree(fleet('6'), {}), opts(remote.url)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problems[0]?.code).toBe('GIT_BRANCH_DIVERGED');
    expect((err as Error).message).toContain('git branch -f manifold/rendered refs/remotes/manifold/manifold/rendered');
    expect(await readRef(repo, 'refs/heads/manifold/rendered')).toBe(mine.commit);
    expect(await remoteTipViaGit(remote.url)).toBe(remoteTip);
    // Following the message's advice to drop the local commit makes the next push work.
    gitIn(local, ['branch', '-f', 'manifold/rendered', 'refs/remotes/manifold/manifold/rendered']);
    const after = await pushRenderedTree(repo, renderedTree(fleet('6'), {}), opts(remote.url));
    expect(after.parent).toBe(remoteTip);
  });

  it('fetches the rendered branch from a remote whose HEAD names a branch without commits', async () => {
    const name = `unborn-${++repoCounter}.git`;
    const dir = path.join(root, name);
    gitIn(root, ['init', '-q', '--bare', '-b', 'main', name]);
    const seed = initRepo({ 'a.txt': 'a\n' });
    gitIn(seed, ['push', '-q', dir, 'main:manifold/rendered']);
    const url = `${server.url}/${name}`;
    const repo = openRepository(initRepo());
    const target = await resolveRemote(repo, url);
    await fetchRemoteBranch(repo, target, 'refs/heads/manifold/rendered', TOKEN);
    expect(await readRef(repo, 'refs/remotes/manifold/manifold/rendered')).toBe(gitIn(dir, ['rev-parse', 'manifold/rendered']).trim());
  });

  it('uses a remote configured by name and updates its tracking ref', async () => {
    const remote = remoteRepo();
    const local = initRepo();
    gitIn(local, ['remote', 'add', 'origin', remote.url]);
    const repo = openRepository(local);
    const result = await pushRenderedTree(repo, renderedTree(fleet('1'), {}), opts('origin'));
    expect(await readRef(repo, 'refs/remotes/origin/manifold/rendered')).toBe(result.commit);
    expect(gitIn(local, ['for-each-ref', '--format=%(refname)', 'refs/manifold'])).toBe(''); // temporary push ref removed
  });
});
