/** The REST client against a scripted fetch: paging, sticky find-or-update, retries, and where the token may go. */
import { describe, expect, it } from 'vitest';
import { GitHubApi, GitHubApiError, nextLink, upsertStickyComment } from './api.ts';

const TOKEN = 'ghs_unitTestToken';
const API = 'https://api.example.test';
const REPO = { owner: 'acme', repo: 'fleet' };

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

type Reply = { status: number; json?: unknown; headers?: Record<string, string> } | Error;

function scripted(replies: Reply[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    calls.push({ method: init?.method ?? 'GET', url: String(input), headers, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
    const reply = replies.shift();
    if (reply === undefined) throw new Error('unexpected request');
    if (reply instanceof Error) throw reply;
    return new Response(reply.json === undefined ? '' : JSON.stringify(reply.json), { status: reply.status, headers: reply.headers });
  };
  return { fetch: fake as typeof fetch, calls };
}

function api(f: typeof fetch): GitHubApi {
  return new GitHubApi({ apiUrl: API, token: TOKEN, userAgent: 'test', fetch: f, retryDelayMs: 1 });
}

const comment = (id: number, body: string) => ({ id, body, html_url: `https://github.test/acme/fleet/pull/7#issuecomment-${id}` });

describe('nextLink', () => {
  it('finds rel="next" among GitHub Link header entries', () => {
    const header =
      '<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=5>; rel="last"';
    expect(nextLink(header)).toBe('https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2');
    expect(nextLink('<https://x/?page=1>; rel="prev", <https://x/?page=1>; rel="first"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });
});

describe('GitHubApi', () => {
  it('pages through comments with the bearer token and the REST API version header', async () => {
    const { fetch: f, calls } = scripted([
      { status: 200, json: [comment(1, 'hello')], headers: { link: `<${API}/repos/acme/fleet/issues/7/comments?per_page=100&page=2>; rel="next"` } },
      { status: 200, json: [comment(2, 'world')] },
    ]);
    const comments = await api(f).listIssueComments(REPO, 7);
    expect(comments.map((c) => c.id)).toEqual([1, 2]);
    expect(calls.map((c) => c.url)).toEqual([`${API}/repos/acme/fleet/issues/7/comments?per_page=100`, `${API}/repos/acme/fleet/issues/7/comments?per_page=100&page=2`]);
    for (const c of calls) {
      expect(c.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(c.headers['x-github-api-version']).toBe('2022-11-28');
      expect(c.headers.accept).toBe('application/vnd.github+json');
    }
  });

  it('never follows a next link to another origin (the token would go with it)', async () => {
    const { fetch: f, calls } = scripted([{ status: 200, json: [], headers: { link: '<https://evil.example/steal?page=2>; rel="next"' } }]);
    await expect(api(f).listIssueComments(REPO, 7)).rejects.toThrow('refusing to send the token to https://evil.example');
    expect(calls).toHaveLength(1);
  });

  it('retries a GET after a 502 or a network failure, but never a POST', async () => {
    const { fetch: f, calls } = scripted([{ status: 502 }, new TypeError('fetch failed'), { status: 200, json: [] }]);
    expect(await api(f).listIssueComments(REPO, 7)).toEqual([]);
    expect(calls).toHaveLength(3);
    const post = scripted([{ status: 502, json: { message: 'Bad Gateway' } }]);
    await expect(api(post.fetch).createComment(REPO, 7, 'x')).rejects.toThrow('POST /repos/acme/fleet/issues/7/comments: HTTP 502 (Bad Gateway)');
    expect(post.calls).toHaveLength(1);
  });

  it('reports the status and GitHub message without the token', async () => {
    const { fetch: f } = scripted([{ status: 403, json: { message: 'Resource not accessible by integration' } }]);
    const err = await api(f)
      .listIssueComments(REPO, 7)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitHubApiError);
    expect((err as GitHubApiError).status).toBe(403);
    expect((err as GitHubApiError).message).toBe('GET /repos/acme/fleet/issues/7/comments: HTTP 403 (Resource not accessible by integration)');
    expect((err as GitHubApiError).message).not.toContain(TOKEN);
  });
});

describe('upsertStickyComment', () => {
  const MARKER = '<!-- manifold-diff -->';

  it('creates the comment when no comment starts with the marker (a quoted marker does not count)', async () => {
    const { fetch: f, calls } = scripted([{ status: 200, json: [comment(1, `> ${MARKER}\nquoted`)] }, { status: 201, json: comment(2, `${MARKER}\nnew`) }]);
    const r = await upsertStickyComment(api(f), REPO, 7, MARKER, `${MARKER}\nnew`);
    expect(r.action).toBe('created');
    expect(calls[1]).toMatchObject({ method: 'POST', url: `${API}/repos/acme/fleet/issues/7/comments`, body: { body: `${MARKER}\nnew` } });
  });

  it('updates the first marked comment in place', async () => {
    const { fetch: f, calls } = scripted([
      { status: 200, json: [comment(1, 'lgtm'), comment(5, `${MARKER}\nold`), comment(9, `${MARKER}\nstray`)] },
      { status: 200, json: comment(5, `${MARKER}\nnew`) },
    ]);
    const r = await upsertStickyComment(api(f), REPO, 7, MARKER, `${MARKER}\nnew`);
    expect(r).toMatchObject({ action: 'updated', comment: { id: 5 } });
    expect(calls[1]).toMatchObject({ method: 'PATCH', url: `${API}/repos/acme/fleet/issues/comments/5`, body: { body: `${MARKER}\nnew` } });
  });

  it('leaves an identical comment alone', async () => {
    const { fetch: f, calls } = scripted([{ status: 200, json: [comment(5, `${MARKER}\nsame`)] }]);
    expect((await upsertStickyComment(api(f), REPO, 7, MARKER, `${MARKER}\nsame`)).action).toBe('unchanged');
    expect(calls).toHaveLength(1);
  });
});
