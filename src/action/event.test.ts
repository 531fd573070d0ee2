/** The run context and the choice of base and head for each event. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isForkPullRequest, onDefaultBranch, readContext } from './event.ts';
import { chooseRefs, readInputs } from './main.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'manifold-event-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function eventFile(payload: unknown): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(payload));
  return file;
}

const BASE = 'b'.repeat(40);
const HEAD = 'h'.repeat(40);
const MERGE = 'm'.repeat(40);

function pr(headRepo: string | null = 'acme/fleet') {
  return {
    number: 7,
    pull_request: { number: 7, base: { sha: BASE, repo: { full_name: 'acme/fleet' } }, head: { sha: HEAD, repo: headRepo === null ? null : { full_name: headRepo } } },
    repository: { default_branch: 'main' },
  };
}

function env(eventName: string, payload: unknown, extra: Record<string, string> = {}) {
  return { GITHUB_REPOSITORY: 'acme/fleet', GITHUB_EVENT_NAME: eventName, GITHUB_EVENT_PATH: eventFile(payload), GITHUB_SHA: MERGE, GITHUB_WORKSPACE: '/ws', ...extra };
}

describe('readContext', () => {
  it('reads the pull request, the API URL (default and GHES) and the run link', () => {
    const ctx = readContext(env('pull_request', pr(), { GITHUB_API_URL: 'https://ghe.example/api/v3/', GITHUB_SERVER_URL: 'https://ghe.example', GITHUB_RUN_ID: '9' }));
    expect(ctx).toMatchObject({ owner: 'acme', repo: 'fleet', pullRequest: { number: 7, baseSha: BASE, headSha: HEAD }, apiUrl: 'https://ghe.example/api/v3', runUrl: 'https://ghe.example/acme/fleet/actions/runs/9', workspace: '/ws' });
    expect(readContext(env('push', {})).apiUrl).toBe('https://api.github.com');
  });

  it('refuses a missing repository or a pull request event without pull_request, as input errors', () => {
    expect(() => readContext({ GITHUB_EVENT_NAME: 'push' })).toThrow('GITHUB_REPOSITORY must be set to owner/name');
    expect(() => readContext(env('pull_request', { number: 7 }))).toThrow('a pull_request event needs pull_request in the payload');
    expect(() => readContext({ ...env('push', {}), GITHUB_EVENT_PATH: path.join(dir, 'missing.json') })).toThrow(/cannot read the event payload/);
  });

  it('drops the all-zero before of a push that created the branch', () => {
    expect(readContext(env('push', { before: '0'.repeat(40), after: MERGE })).before).toBeUndefined();
    expect(readContext(env('push', { before: BASE, after: MERGE })).before).toBe(BASE);
  });
});

describe('fork detection', () => {
  it('a pull_request whose head repository differs (or was deleted) is a fork; pull_request_target never counts', () => {
    expect(isForkPullRequest(readContext(env('pull_request', pr())))).toBe(false);
    expect(isForkPullRequest(readContext(env('pull_request', pr('ACME/Fleet'))))).toBe(false);
    expect(isForkPullRequest(readContext(env('pull_request', pr('outsider/fleet'))))).toBe(true);
    expect(isForkPullRequest(readContext(env('pull_request', pr(null))))).toBe(true);
    expect(isForkPullRequest(readContext(env('pull_request_target', pr('outsider/fleet'))))).toBe(false);
  });

  it('knows the default branch from the payload', () => {
    expect(onDefaultBranch(readContext(env('push', { repository: { default_branch: 'main' } }, { GITHUB_REF: 'refs/heads/main' })))).toBe(true);
    expect(onDefaultBranch(readContext(env('push', { repository: { default_branch: 'main' } }, { GITHUB_REF: 'refs/heads/dev' })))).toBe(false);
    expect(onDefaultBranch(readContext(env('workflow_dispatch', {}, { GITHUB_REF: 'refs/heads/main' })))).toBe(false);
  });
});

describe('chooseRefs', () => {
  const inputs = (extra: Record<string, string> = {}) => readInputs(Object.fromEntries(Object.entries(extra).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])));

  it('pull_request: the merge commit against the base commit', () => {
    expect(chooseRefs(readContext(env('pull_request', pr())), inputs())).toEqual({ head: MERGE, base: BASE, baseFromEvent: true });
  });

  it('pull_request_target: the PR head, since GITHUB_SHA is the base branch tip there', () => {
    expect(chooseRefs(readContext(env('pull_request_target', pr())), inputs())).toEqual({ head: HEAD, base: BASE, baseFromEvent: true });
  });

  it('push: the pushed commit against before; none for a new branch', () => {
    expect(chooseRefs(readContext(env('push', { before: BASE })), inputs())).toEqual({ head: MERGE, base: BASE, baseFromEvent: true });
    expect(chooseRefs(readContext(env('push', { before: '0'.repeat(40) })), inputs())).toEqual({ head: MERGE, base: undefined, baseFromEvent: false });
  });

  it('inputs win over the event', () => {
    expect(chooseRefs(readContext(env('pull_request', pr())), inputs({ 'base-ref': 'main~1', 'head-ref': 'v2' }))).toEqual({ head: 'v2', base: 'main~1', baseFromEvent: false });
  });
});

describe('readInputs', () => {
  it('applies action.yml defaults outside a runner, and GITHUB_TOKEN as the token', () => {
    expect(readInputs({ GITHUB_TOKEN: 't' })).toEqual({
      source: '.',
      baseRef: '',
      headRef: '',
      token: 't',
      comment: true,
      commit: false,
      branch: 'manifold/rendered',
      prefix: '',
      pushRemote: 'origin',
      failOnInvalid: true,
      title: 'Manifold: rendered changes',
    });
    expect(readInputs({ 'INPUT_PUSH-REMOTE': '', INPUT_COMMIT: 'True' })).toMatchObject({ pushRemote: '', commit: true });
  });
});
