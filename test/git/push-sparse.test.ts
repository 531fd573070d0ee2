/**
 * `render --push` sends what the remote lacks and reads only the changed
 * paths (issue 19 item 4), against a real `git http-backend` on loopback:
 * the pack's object count, the bytes the server received, the objects read
 * while pushing, and the remote checked with git itself (fsck, tree ids).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { renderedTree } from '../../src/git/commit.ts';
import { openRepository, type GitRepository } from '../../src/git/repo.ts';
import { pushRenderedTree, type PushOptions, type PushResult } from '../../src/git/remote.ts';
import { startGitHttpServer, type GitHttpServer } from './http-server.ts';
import { cleanupTempDirs, gitIn, initRepo, tempDir } from './repos.ts';

const TOKEN = 'tok-sparse-5e4d3c2b1a';
const author = { name: 'Manifold', email: 'manifold@example.com', timestamp: 1_700_000_000, timezoneOffset: 0 };

let server: GitHttpServer;
let root: string;

beforeAll(async () => {
  root = tempDir('git-http-sparse');
  server = await startGitHttpServer({ root, token: TOKEN });
});

afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

let counter = 0;
function remoteRepo(): { url: string; dir: string } {
  const name = `sparse-${++counter}.git`;
  gitIn(root, ['init', '-q', '--bare', '-b', 'main', name]);
  return { url: `${server.url}/${name}`, dir: path.join(root, name) };
}

/** Every cluster's copy of every object differs (the cluster's name is in it): no two clusters share a blob or a folder. */
function fleet(clusters: number, files: number, changed?: { cluster: number; file: number; version: string }): Map<string, Map<string, string>> {
  return new Map(
    Array.from({ length: clusters }, (_, c) => [
      `c${String(c).padStart(3, '0')}`,
      new Map(
        Array.from({ length: files }, (_, f) => {
          const version = changed?.cluster === c && changed.file === f ? changed.version : '1';
          return [`namespaces/web/ConfigMap/app-${f}.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-${f}\n  namespace: web\n  labels:\n    cluster: c${c}\ndata:\n  version: "${version}"\n`];
        }),
      ),
    ]),
  );
}

function opts(url: string, extra: Partial<PushOptions> = {}): PushOptions {
  return { branch: 'manifold/rendered', remote: url, token: TOKEN, manifoldVersion: '0.0.0-test', author, ...extra };
}

/** Bytes the server received in git-receive-pack POSTs since request number `from`. */
function receivedSince(from: number): number {
  return server.requests.slice(from).filter((r) => r.method === 'POST' && r.path.endsWith('/git-receive-pack')).reduce((n, r) => n + r.bytesIn, 0);
}

/** Pushes and counts the objects read from the local store between the last beforePush and the end: the push's own walk and pack. */
async function countedPush(repo: GitRepository, tree: Map<string, Map<string, string>>, url: string, extra: Partial<PushOptions> = {}): Promise<{ result: PushResult; reads: number }> {
  let reads = 0;
  let counting = false;
  const read = repo.objects.read.bind(repo.objects);
  repo.objects.read = (oid: string) => {
    if (counting) reads++;
    return read(oid);
  };
  try {
    const result = await pushRenderedTree(repo, renderedTree(tree, {}), opts(url, { ...extra, beforePush: async (attempt) => {
      reads = 0;
      counting = true;
      await extra.beforePush?.(attempt);
    } }));
    return { result, reads };
  } finally {
    repo.objects.read = read;
  }
}

function remoteTree(dir: string): string {
  return gitIn(dir, ['rev-parse', 'manifold/rendered^{tree}']).trim();
}

describe('render --push sends only what the remote lacks', () => {
  it('one changed file costs the same few objects, bytes and reads on a small and a 4x larger tree', async () => {
    const costs: { sent: number; bytes: number; reads: number; coldBytes: number }[] = [];
    for (const clusters of [10, 40]) {
      const remote = remoteRepo();
      const repo = openRepository(initRepo());
      const before = server.requests.length;
      await pushRenderedTree(repo, renderedTree(fleet(clusters, 50), {}), opts(remote.url));
      const coldBytes = receivedSince(before);
      const mark = server.requests.length;
      const { result, reads } = await countedPush(repo, fleet(clusters, 50, { cluster: 3, file: 7, version: '2' }), remote.url);
      // The commit, the trees on the path (root, c003, namespaces, web, ConfigMap) and the one blob.
      expect(result.sent).toEqual({ objects: 7, bytes: receivedSince(mark) });
      // Read: the new commit, its parent (for the base tree), the 5 new trees and the 5 they replace; the 7 packed come from memory.
      expect(reads).toBe(1 + 1 + 5 + 5);
      expect(remoteTree(remote.dir)).toBe(result.tree);
      gitIn(remote.dir, ['fsck', '--strict', '--no-dangling']);
      costs.push({ sent: result.sent?.objects ?? 0, bytes: receivedSince(mark), reads, coldBytes });
    }
    const [small, large] = costs as [(typeof costs)[0], (typeof costs)[0]];
    expect(large.coldBytes).toBeGreaterThan(3 * small.coldBytes);
    expect(large.sent).toBe(small.sent);
    expect(large.reads).toBe(small.reads);
    // Same objects; only the root tree grows, by one entry (mode, name, 20-byte id) per extra cluster.
    expect(Math.abs(large.bytes - small.bytes)).toBeLessThan(30 * 32);
    expect(large.bytes).toBeLessThan(large.coldBytes / 50);
  });

  it('a large file with one line changed goes as a delta against the remote\'s version: bytes follow the change, git reads it back exactly', async () => {
    const remote = remoteRepo();
    const repo = openRepository(initRepo());
    // A Work-like file bundling many objects (about 400 KB), distinct per cluster.
    const bundle = (cluster: number, tag: string) =>
      Array.from({ length: 4000 }, (_, i) => `- kind: Deployment\n  name: app-${i}\n  image: registry.example.com/c${cluster}/app-${i}:${i === 1234 ? tag : '1.0.0'}\n`).join('');
    const tree = (tag: string) => {
      const t = fleet(4, 10);
      for (const [name, files] of t) files.set('namespaces/hub/Work/bundle.yaml', bundle(Number(name.slice(1)), tag));
      return t;
    };
    const before = server.requests.length;
    await pushRenderedTree(repo, renderedTree(tree('1.0.0'), {}), opts(remote.url));
    const coldBytes = receivedSince(before);
    const mark = server.requests.length;
    const { result } = await countedPush(repo, tree('2.0.0'), remote.url);
    // 4 changed bundles + their folders, each sent as a few hundred bytes of delta instead of ~400 KB.
    expect(result.sent?.objects).toBe(1 + 1 + 4 * 4 + 4);
    expect(receivedSince(mark)).toBeLessThan(8_000);
    expect(coldBytes).toBeGreaterThan(50_000);
    expect(remoteTree(remote.dir)).toBe(result.tree);
    expect(gitIn(remote.dir, ['show', 'manifold/rendered:c002/namespaces/hub/Work/bundle.yaml'])).toBe(bundle(2, '2.0.0'));
    gitIn(remote.dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('a remote that moved meanwhile: fetch its tip, rebuild on it, send only this change', async () => {
    const remote = remoteRepo();
    const mine = openRepository(initRepo());
    await pushRenderedTree(mine, renderedTree(fleet(20, 30), {}), opts(remote.url));
    // Another renderer publishes a change to cluster 1; this clone has not seen it.
    const theirs = openRepository(initRepo());
    const other = await pushRenderedTree(theirs, renderedTree(fleet(20, 30, { cluster: 1, file: 2, version: 'theirs' }), {}), opts(remote.url));
    const both = fleet(20, 30, { cluster: 1, file: 2, version: 'theirs' });
    both.get('c005')?.set('namespaces/web/ConfigMap/app-9.yaml', 'mine: true\n');
    const mark = server.requests.length;
    const { result } = await countedPush(mine, both, remote.url);
    expect(result.parent).toBe(other.commit);
    expect(result.attempts).toBe(1);
    expect(result.sent?.objects).toBe(7);
    expect(result.sent?.bytes).toBe(receivedSince(mark));
    expect(remoteTree(remote.dir)).toBe(result.tree);
    expect(gitIn(remote.dir, ['show', 'manifold/rendered:c001/namespaces/web/ConfigMap/app-2.yaml'])).toContain('version: "theirs"');
    gitIn(remote.dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('a remote that moves after the tip was read and before the pack is sent: the push is refused as stale, rebuilt and sent again', async () => {
    const remote = remoteRepo();
    const repo = openRepository(initRepo());
    const first = await pushRenderedTree(repo, renderedTree(fleet(5, 5), {}), opts(remote.url));
    const tree = gitIn(remote.dir, ['rev-parse', `${first.commit}^{tree}`]).trim();
    const theirs = gitIn(remote.dir, ['commit-tree', tree, '-p', first.commit as string, '-m', 'moved underneath']).trim();
    // Moved when this push's beforePush runs: after the tip was read, before send-pack's own look at the refs.
    const { result } = await countedPush(repo, fleet(5, 5, { cluster: 0, file: 0, version: '2' }), remote.url, {
      beforePush: async (attempt) => {
        if (attempt === 1) gitIn(remote.dir, ['update-ref', 'refs/heads/manifold/rendered', theirs]);
      },
    });
    expect(result.attempts).toBe(2);
    expect(result.parent).toBe(theirs);
    expect(remoteTree(remote.dir)).toBe(result.tree);
    gitIn(remote.dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('local-only rendered commits go in the same pack, each with only its own change', async () => {
    const remote = remoteRepo();
    const repo = openRepository(initRepo());
    await pushRenderedTree(repo, renderedTree(fleet(10, 10), {}), opts(remote.url));
    const { commitRenderedTree } = await import('../../src/git/commit.ts');
    await commitRenderedTree(repo, renderedTree(fleet(10, 10, { cluster: 2, file: 2, version: 'local' }), {}), { branch: 'manifold/rendered', manifoldVersion: '0.0.0-test', author });
    const { result } = await countedPush(repo, fleet(10, 10, { cluster: 2, file: 2, version: 'pushed' }), remote.url);
    // Two commits, each with its 5 trees and 1 blob on the same path.
    expect(result.sent?.objects).toBe(14);
    expect(remoteTree(remote.dir)).toBe(result.tree);
    expect(gitIn(remote.dir, ['rev-list', '--count', 'manifold/rendered']).trim()).toBe('3');
    gitIn(remote.dir, ['fsck', '--strict', '--no-dangling']);
  });
});

describe('a push the server refuses for another reason than a race', () => {
  it('a declining pre-receive hook fails once (exit-3 family) with the server reason, no retry, nothing moved', async () => {
    const remote = remoteRepo();
    const repo = openRepository(initRepo());
    await pushRenderedTree(repo, renderedTree(fleet(2, 2), {}), opts(remote.url));
    const tip = gitIn(remote.dir, ['rev-parse', 'manifold/rendered']).trim();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(remote.dir, 'hooks', 'pre-receive'), '#!/bin/sh\necho "branch protected" >&2\nexit 1\n', { mode: 0o755 });
    let attempts = 0;
    const err = await pushRenderedTree(repo, renderedTree(fleet(2, 2, { cluster: 0, file: 0, version: '2' }), {}), opts(remote.url, { beforePush: async () => void attempts++ })).catch((e: unknown) => e);
    expect(attempts).toBe(1);
    expect(err).toMatchObject({ code: 'GIT_REMOTE_FAILED' });
    expect((err as Error).message).toMatch(/^pushing to .*sparse-\d+\.git.*: the remote refused refs\/heads\/manifold\/rendered: pre-receive hook declined$/);
    expect((err as Error).message).not.toContain(TOKEN);
    expect(gitIn(remote.dir, ['rev-parse', 'manifold/rendered']).trim()).toBe(tip);
  });
});
