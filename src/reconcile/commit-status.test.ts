/** Commit statuses against the loopback stand-in for GitHub's REST API (test/action/github-api.ts), through the real client. */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../../test/action/github-api.ts';
import { sampleStatus } from '../../test/report/statuses.ts';
import { GitHubApi } from '../github/api.ts';
import { CommitStatusReporter, commitStateOf } from './commit-status.ts';
import { createLogger } from './logger.ts';

const TOKEN = 'ghs_commitStatusToken123';
const SOURCE = 'c'.repeat(40);
const NEXT = 'd'.repeat(40);
let github: FakeGitHub | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

async function reporter(targetUrl?: string): Promise<{ reporter: CommitStatusReporter; github: FakeGitHub; logs: string[] }> {
  github = await startFakeGitHub({ token: TOKEN, owner: 'acme', repo: 'fleet' });
  const api = new GitHubApi({ apiUrl: github.url, token: TOKEN, userAgent: 'test' });
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line), secrets: [TOKEN] });
  const r = new CommitStatusReporter({
    logger,
    targetUrl,
    post: (s) => api.createCommitStatus({ owner: 'acme', repo: 'fleet' }, s.sha, { state: s.state, context: s.context, description: s.description, targetUrl: s.targetUrl }),
  });
  return { reporter: r, github, logs };
}

describe('CommitStatusReporter', () => {
  it('posts manifold/<cluster> on the source commit, only when the state changes', async () => {
    const { reporter: r, github: gh } = await reporter('https://status.example/');
    r.observe(sampleStatus('eu-1'), SOURCE);
    r.observe(sampleStatus('eu-2', { result: 'Degraded', summary: { ...sampleStatus('x').summary, unhealthy: 1 }, conditions: [{ type: 'Healthy', status: 'False', reason: 'Degraded', message: 'web: 1/3 ready' }] }), SOURCE);
    r.observe(sampleStatus('eu-1', { finishedAt: '2030-01-01T00:00:00Z' }), SOURCE);
    await r.idle();
    expect(gh.statuses.get(SOURCE)).toEqual([
      { state: 'success', context: 'manifold/eu-1', description: 'synced: 2 objects', target_url: 'https://status.example/' },
      { state: 'failure', context: 'manifold/eu-2', description: 'degraded: 1 unhealthy: web: 1/3 ready', target_url: 'https://status.example/' },
    ]);
    // eu-2 recovers: one more post; the same result on a new source commit is a new status there.
    r.observe(sampleStatus('eu-2'), SOURCE);
    r.observe(sampleStatus('eu-1'), NEXT);
    await r.idle();
    expect(gh.statuses.get(SOURCE)?.map((s) => `${s.context} ${s.state}`)).toEqual(['manifold/eu-1 success', 'manifold/eu-2 failure', 'manifold/eu-2 success']);
    expect(gh.statuses.get(NEXT)?.map((s) => `${s.context} ${s.state}`)).toEqual(['manifold/eu-1 success']);
    expect(gh.requests.every((q) => q.path.startsWith('/repos/acme/fleet/statuses/') && q.method === 'POST')).toBe(true);
  });

  it('a failing API is logged, never thrown, and the same state is posted again after the next reconcile', async () => {
    const { reporter: r, github: gh, logs } = await reporter();
    gh.failWith = 502;
    expect(() => r.observe(sampleStatus('eu-1'), SOURCE)).not.toThrow();
    await r.idle();
    expect(gh.statuses.size).toBe(0);
    expect(logs.join('')).toContain('cannot post commit status manifold/eu-1 on cccccccccccc: POST /repos/acme/fleet/statuses/');
    expect(logs.join('')).not.toContain(TOKEN);
    gh.failWith = undefined;
    r.observe(sampleStatus('eu-1'), SOURCE);
    await r.idle();
    expect(gh.statuses.get(SOURCE)).toHaveLength(1);
  });

  it('does not wait for the API: observe returns before a slow post finishes', async () => {
    let release: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const posted: string[] = [];
    const r = new CommitStatusReporter({ logger: createLogger({ level: 'silent' }), post: async (s) => (await blocked, void posted.push(s.context)) });
    const started = performance.now();
    r.observe(sampleStatus('eu-1'), SOURCE);
    r.observe(sampleStatus('eu-2'), SOURCE);
    expect(performance.now() - started).toBeLessThan(50);
    expect(posted).toEqual([]);
    release();
    await r.idle();
    expect(posted).toEqual(['manifold/eu-1', 'manifold/eu-2']);
  });

  it('posts nothing without a source commit (a render of uncommitted files) or for a cluster that left the fleet', async () => {
    const { reporter: r, github: gh } = await reporter();
    r.observe(sampleStatus('eu-1'), undefined);
    r.observe(sampleStatus('eu-1'), 'folder:/tmp/x');
    r.observe(sampleStatus('gone', { result: 'Orphaned' }), SOURCE);
    await r.idle();
    expect(gh.requests).toEqual([]);
  });
});

describe('commitStateOf', () => {
  it('maps results to GitHub states and keeps the description within 140 characters', () => {
    const long = 'x'.repeat(500);
    const failed = commitStateOf(sampleStatus('a', { result: 'Failed', conditions: [{ type: 'Ready', status: 'False', reason: 'ApplyFailed', message: long }] }));
    expect(failed?.state).toBe('failure');
    expect(failed?.description.length).toBeLessThanOrEqual(140);
    expect(commitStateOf(sampleStatus('a', { result: 'Unreachable' }))?.state).toBe('error');
    expect(commitStateOf(sampleStatus('a'))).toEqual({ state: 'success', description: 'synced: 2 objects' });
  });
});
