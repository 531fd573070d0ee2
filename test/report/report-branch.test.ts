/** The report branch against a real `git http-backend`: push, races between agents, no-op runs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import git from 'isomorphic-git';
import fs from 'node:fs';
import { RuntimeError } from '../../src/errors/index.ts';
import { openRepository, readRef } from '../../src/git/repo.ts';
import { readReport, writeReport, type ReportTarget } from '../../src/reconcile/report.ts';
import { startGitHttpServer, type GitHttpServer } from '../git/http-server.ts';
import { cleanupTempDirs, gitIn, initRepo, tempDir } from '../git/repos.ts';
import { sampleStatus } from './statuses.ts';

const TOKEN = 'tok-report-5a4b3c2d1e-secret';
const author = { name: 'Manifold', email: 'manifold@example.com', timestamp: 1_700_000_000, timezoneOffset: 0 };
const REF = 'refs/heads/manifold/status';

let server: GitHttpServer;
let root: string;

beforeAll(async () => {
  root = tempDir('report-http-root');
  server = await startGitHttpServer({ root, token: TOKEN });
});

afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

let counter = 0;
function remoteRepo(): { url: string; dir: string } {
  const name = `report-${++counter}.git`;
  gitIn(root, ['init', '-q', '--bare', '-b', 'main', name]);
  // A real hosted repository has a default branch with a commit (isomorphic-git cannot fetch from one whose HEAD is unborn).
  const seed = initRepo({ 'README.md': 'fleet\n' });
  gitIn(seed, ['push', '-q', path.join(root, name), 'main']);
  return { url: `${server.url}/${name}`, dir: path.join(root, name) };
}

/** A scratch repository as the container has it (emptyDir): bare, empty. */
async function scratch(): Promise<string> {
  const dir = tempDir('report-scratch');
  await git.init({ fs, dir: path.join(dir, 'git'), bare: true, defaultBranch: 'main' });
  return path.join(dir, 'git');
}

async function agent(url: string, extra: Partial<ReportTarget> = {}): Promise<ReportTarget> {
  return { repo: openRepository(await scratch()), remote: url, token: TOKEN, author, ...extra };
}

/** The branch as the server's bare repository holds it (read directly: a synchronous `git ls-remote` would block the in-process server). */
function remoteTip(dir: string): string | undefined {
  const out = gitIn(dir, ['for-each-ref', '--format=%(objectname)', REF]).trim();
  return out === '' ? undefined : out;
}

function show(dir: string, spec: string): string {
  return gitIn(dir, ['show', spec]);
}

describe('report branch over HTTP', () => {
  it('pushes clusters/<name>.json, README.md and index.html; a real git clone reads them; fsck is clean', async () => {
    const remote = remoteRepo();
    const a = await agent(remote.url);
    const result = await writeReport(a, [sampleStatus('east'), sampleStatus('west', { result: 'Degraded' })]);
    expect(result).toMatchObject({ created: true, pushed: true, attempts: 1, changed: ['east', 'west'] });
    expect(remoteTip(remote.dir)).toBe(result.commit);
    expect(await readRef(a.repo, REF)).toBe(result.commit);
    gitIn(remote.dir, ['fsck', '--strict', '--no-dangling']);
    expect(gitIn(remote.dir, ['ls-tree', '-r', '--name-only', 'manifold/status']).trim().split('\n')).toEqual([
      'README.md',
      'clusters/east.json',
      'clusters/west.json',
      'index.html',
    ]);
    expect(show(remote.dir, 'manifold/status:index.html')).toContain('<title>Fleet status (needs attention)</title>');
    expect(JSON.parse(show(remote.dir, 'manifold/status:clusters/west.json'))).toMatchObject({ cluster: 'west', result: 'Degraded' });
    expect(show(remote.dir, 'manifold/status:README.md')).toContain('| [west](clusters/west.json) |');
    expect(gitIn(remote.dir, ['log', '-1', '--format=%s', 'manifold/status']).trim()).toBe('manifold: status of 2 clusters (east, west)');
    // The token reaches no object and no ref name.
    expect(gitIn(remote.dir, ['log', '-p', '--all'])).not.toContain(TOKEN);
  });

  it('makes no commit when only timestamps changed; commits when the result changed', async () => {
    const remote = remoteRepo();
    const a = await agent(remote.url);
    const first = await writeReport(a, [sampleStatus('east')]);
    const again = await writeReport(a, [sampleStatus('east', { startedAt: '2030-01-01T00:00:00.000Z', finishedAt: '2030-01-01T00:00:09.000Z', durationMs: 9000 })]);
    expect(again).toMatchObject({ created: false, pushed: false, commit: first.commit, changed: [] });
    expect(remoteTip(remote.dir)).toBe(first.commit);
    // A fresh agent (another pod after a restart) sees the same: nothing to do.
    const restarted = await writeReport(await agent(remote.url), [sampleStatus('east', { finishedAt: '2031-01-01T00:00:00.000Z' })]);
    expect(restarted).toMatchObject({ created: false, commit: first.commit });
    const changed = await writeReport(a, [sampleStatus('east', { result: 'Failed' })]);
    expect(changed).toMatchObject({ created: true, pushed: true, changed: ['east'] });
    expect(gitIn(remote.dir, ['rev-list', '--count', 'manifold/status']).trim()).toBe('2');
  });

  it('two pull-mode agents reporting at the same time both land (the loser fetches, re-applies, retries)', async () => {
    const remote = remoteRepo();
    // Both agents build their commit on the same (empty) tip, then push at the same moment.
    let arrived = 0;
    let release!: () => void;
    const bothReady = new Promise<void>((r) => (release = r));
    const lineUp = async (attempt: number) => {
      if (attempt !== 1) return;
      if (++arrived === 2) release();
      await bothReady;
    };
    const east = await agent(remote.url, { beforePublish: lineUp });
    const west = await agent(remote.url, { beforePublish: lineUp });
    const [re, rw] = await Promise.all([writeReport(east, [sampleStatus('east')]), writeReport(west, [sampleStatus('west')])]);
    expect([re.created, rw.created]).toEqual([true, true]);
    expect(Math.max(re.attempts, rw.attempts)).toBeGreaterThan(1);
    const tip = remoteTip(remote.dir) as string;
    expect([re.commit, rw.commit]).toContain(tip);
    expect(gitIn(remote.dir, ['ls-tree', '--name-only', `${tip}:clusters`]).trim().split('\n')).toEqual(['east.json', 'west.json']);
    const readme = show(remote.dir, `${tip}:README.md`);
    expect(readme).toContain('[east]');
    expect(readme).toContain('[west]');
    expect(gitIn(remote.dir, ['rev-list', '--count', tip]).trim()).toBe('2');
  });

  it('five agents at once, twice each: every status lands, history is linear', async () => {
    const remote = remoteRepo();
    const names = ['m1', 'm2', 'm3', 'm4', 'm5'];
    const agents = await Promise.all(names.map(() => agent(remote.url)));
    await Promise.all(names.map((n, i) => writeReport(agents[i] as ReportTarget, [sampleStatus(n)])));
    await Promise.all(names.map((n, i) => writeReport(agents[i] as ReportTarget, [sampleStatus(n, { result: 'Degraded' })])));
    const reader = openRepository(remote.dir);
    const report = await readReport(reader, remoteTip(remote.dir) as string);
    expect([...report.keys()].sort()).toEqual(names);
    expect([...report.values()].every((s) => s.result === 'Degraded')).toBe(true);
    expect(gitIn(remote.dir, ['rev-list', '--count', '--merges', 'manifold/status']).trim()).toBe('0');
    expect(gitIn(remote.dir, ['rev-list', '--count', 'manifold/status']).trim()).toBe('10');
    expect(show(remote.dir, 'manifold/status:README.md')).toContain('5 clusters: 5 Degraded.');
  });

  it('keeps other files on the branch and other clusters untouched', async () => {
    const remote = remoteRepo();
    await writeReport(await agent(remote.url), [sampleStatus('east'), sampleStatus('west')]);
    const before = show(remote.dir, 'manifold/status:clusters/west.json');
    await writeReport(await agent(remote.url), [sampleStatus('east', { result: 'Unreachable' })]);
    expect(show(remote.dir, 'manifold/status:clusters/west.json')).toBe(before);
    expect(JSON.parse(show(remote.dir, 'manifold/status:clusters/east.json'))).toMatchObject({ result: 'Unreachable' });
  });

  it('a wrong token is a clear runtime error that does not print the token', async () => {
    const remote = remoteRepo();
    const wrong = 'wrong-token-zzz-999';
    const err = await writeReport(await agent(remote.url, { token: wrong }), [sampleStatus('east')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as RuntimeError).code).toBe('GIT_AUTH_REJECTED');
    expect((err as Error).message).not.toContain(wrong);
    expect(remoteTip(remote.dir)).toBeUndefined();
  });
});

describe('report branch in a local repository (no remote)', () => {
  it('commits on the local branch, retries when the branch moves underneath, no-op when unchanged', async () => {
    const dir = initRepo({ 'README.md': 'x\n' });
    const repo = openRepository(dir);
    const first = await writeReport({ repo, author }, [sampleStatus('east')]);
    expect(first).toMatchObject({ created: true, pushed: false });
    let moved = false;
    const second = await writeReport(
      {
        repo,
        author,
        beforePublish: async () => {
          if (moved) return;
          moved = true;
          await writeReport({ repo, author }, [sampleStatus('west')]);
        },
      },
      [sampleStatus('north')],
    );
    expect(second.attempts).toBe(2);
    expect(gitIn(dir, ['ls-tree', '--name-only', 'manifold/status:clusters']).trim().split('\n')).toEqual(['east.json', 'north.json', 'west.json']);
    expect((await writeReport({ repo, author }, [sampleStatus('east')])).created).toBe(false);
    gitIn(dir, ['fsck', '--strict', '--no-dangling']);
  });
});
