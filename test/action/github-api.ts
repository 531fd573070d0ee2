/**
 * A loopback stand-in for the part of GitHub's REST API the Action uses:
 * issue comments listed in pages of at most 100 with a `Link` header,
 * created with POST and edited with PATCH. It checks the bearer token like
 * GitHub (401 "Bad credentials"), can play a read-only token (403
 * "Resource not accessible by integration" on writes), and records every
 * request with the Authorization header it carried.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredComment {
  id: number;
  body: string;
  user: { login: string; type: string };
  html_url: string;
}

export interface ApiRequest {
  method: string;
  /** Path and query. */
  path: string;
  authorization?: string | undefined;
  status: number;
  body?: unknown;
}

/** A commit status as GitHub stores it. */
export interface StoredStatus {
  state: string;
  context: string;
  description?: string | undefined;
  target_url?: string | undefined;
}

export interface StoredPull {
  number: number;
  state: 'open' | 'closed';
  title: string;
  body: string;
  head: { ref: string };
  base: { ref: string };
  html_url: string;
}

export interface FakeGitHub {
  url: string;
  requests: ApiRequest[];
  /** Pull requests by number (pulls endpoints: list by state and head, create, update). */
  pulls: Map<number, StoredPull>;
  /** Comments per issue number, oldest first. */
  comments: Map<number, StoredComment[]>;
  /** Commit statuses per commit id, oldest first (`POST /repos/{o}/{r}/statuses/{sha}`). */
  statuses: Map<string, StoredStatus[]>;
  /** Answer every request with this status (e.g. 502) while set: an outage. */
  failWith?: number | undefined;
  /** Writes answer 403, as for a fork's read-only token. */
  readOnly: boolean;
  close(): Promise<void>;
}

const MAX_PER_PAGE = 100;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeGitHub(options: { token: string; owner: string; repo: string }): Promise<FakeGitHub> {
  let nextId = 1000;
  const api: FakeGitHub = { url: '', requests: [], pulls: new Map(), comments: new Map(), statuses: new Map(), readOnly: false, close: async () => undefined };
  const prefix = `/repos/${options.owner}/${options.repo}`;

  function send(res: ServerResponse, record: ApiRequest, status: number, json: unknown, headers: Record<string, string> = {}): void {
    record.status = status;
    api.requests.push(record);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(json));
  }

  /** GitHub's pulls endpoints as the proposals use them; a head is `owner:branch`, 422 for a second open pull of one head. */
  function pullsEndpoint(url: URL, method: string, record: ApiRequest, res: ServerResponse): void {
    const one = /\/pulls\/(\d+)$/.exec(url.pathname);
    if (method === 'GET' && one === null) {
      const state = url.searchParams.get('state') ?? 'open';
      const head = url.searchParams.get('head');
      const found = [...api.pulls.values()].filter((p) => (state === 'all' || p.state === state) && (head === null || `${options.owner}:${p.head.ref}` === head));
      send(res, record, 200, found);
      return;
    }
    if (api.readOnly) {
      send(res, record, 403, { message: 'Resource not accessible by integration' });
      return;
    }
    const body = (record.body ?? {}) as { title?: string; body?: string; head?: string; base?: string; state?: 'open' | 'closed' };
    if (method === 'POST' && one === null) {
      if (typeof body.title !== 'string' || typeof body.head !== 'string' || typeof body.base !== 'string') {
        send(res, record, 422, { message: 'Validation Failed' });
        return;
      }
      if ([...api.pulls.values()].some((p) => p.state === 'open' && p.head.ref === body.head)) {
        send(res, record, 422, { message: `Validation Failed: A pull request already exists for ${options.owner}:${body.head}.` });
        return;
      }
      const number = api.pulls.size + 1;
      const pull: StoredPull = { number, state: 'open', title: body.title, body: body.body ?? '', head: { ref: body.head }, base: { ref: body.base }, html_url: `https://github.test/${options.owner}/${options.repo}/pull/${number}` };
      api.pulls.set(number, pull);
      send(res, record, 201, pull);
      return;
    }
    const pull = one === null ? undefined : api.pulls.get(Number(one[1]));
    if (method === 'PATCH' && pull !== undefined) {
      if (body.title !== undefined) pull.title = body.title;
      if (body.body !== undefined) pull.body = body.body;
      if (body.state !== undefined) pull.state = body.state;
      send(res, record, 200, pull);
      return;
    }
    send(res, record, 404, { message: 'Not Found' });
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', api.url);
      const text = await readBody(req);
      const record: ApiRequest = { method: req.method ?? 'GET', path: url.pathname + url.search, authorization: req.headers.authorization, status: 0 };
      if (text !== '') record.body = JSON.parse(text) as unknown;
      if (req.headers.authorization !== `Bearer ${options.token}`) {
        send(res, record, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
        return;
      }
      if (api.failWith !== undefined) {
        send(res, record, api.failWith, { message: 'Server Error' });
        return;
      }
      const list = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname);
      const edit = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (!url.pathname.startsWith(prefix)) {
        send(res, record, 404, { message: 'Not Found' });
        return;
      }
      const statusOf = /^\/repos\/[^/]+\/[^/]+\/statuses\/([0-9a-f]{40})$/.exec(url.pathname);
      if (statusOf !== null && req.method === 'POST') {
        if (api.readOnly) {
          send(res, record, 403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' });
          return;
        }
        // GitHub's validation: a known state, a context, a description of at most 140 characters.
        const body = (record.body ?? {}) as Partial<StoredStatus>;
        if (!['success', 'failure', 'pending', 'error'].includes(String(body.state)) || typeof body.context !== 'string' || (body.description?.length ?? 0) > 140) {
          send(res, record, 422, { message: 'Validation Failed' });
          return;
        }
        const sha = statusOf[1] as string;
        const stored: StoredStatus = { state: body.state as string, context: body.context, description: body.description, target_url: body.target_url };
        api.statuses.set(sha, [...(api.statuses.get(sha) ?? []), stored]);
        send(res, record, 201, { id: nextId++, ...stored });
        return;
      }
      if (url.pathname === `${prefix}/pulls` || url.pathname.startsWith(`${prefix}/pulls/`)) {
        pullsEndpoint(url, req.method ?? 'GET', record, res);
        return;
      }
      if (list !== null && req.method === 'GET') {
        const all = api.comments.get(Number(list[1])) ?? [];
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), MAX_PER_PAGE);
        const page = Number(url.searchParams.get('page') ?? 1);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < all.length) {
          const next = new URL(url);
          next.searchParams.set('page', String(page + 1));
          headers.Link = `<${next.href}>; rel="next", <${next.href}>; rel="last"`;
        }
        send(res, record, 200, slice, headers);
        return;
      }
      if ((list !== null && req.method === 'POST') || (edit !== null && req.method === 'PATCH')) {
        if (api.readOnly) {
          send(res, record, 403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' });
          return;
        }
        const body = (record.body as { body?: unknown } | undefined)?.body;
        if (typeof body !== 'string' || body.length > 65_536) {
          send(res, record, 422, { message: 'Validation Failed' });
          return;
        }
        if (list !== null) {
          const issue = Number(list[1]);
          const id = nextId++;
          const comment: StoredComment = { id, body, user: { login: 'github-actions[bot]', type: 'Bot' }, html_url: `https://github.test${prefix.slice(6)}/pull/${issue}#issuecomment-${id}` };
          api.comments.set(issue, [...(api.comments.get(issue) ?? []), comment]);
          send(res, record, 201, comment);
          return;
        }
        const id = Number(edit?.[1]);
        const comment = [...api.comments.values()].flat().find((c) => c.id === id);
        if (comment === undefined) {
          send(res, record, 404, { message: 'Not Found' });
          return;
        }
        comment.body = body;
        send(res, record, 200, comment);
        return;
      }
      send(res, record, 404, { message: 'Not Found' });
    })().catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return api;
}

/** Comments by other people, so the sticky one has to be found past the first page. */
export function seedComments(api: FakeGitHub, issue: number, count: number): void {
  const seeded: StoredComment[] = Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    body: i === 3 ? '> <!-- manifold-diff -->\n> quoting the bot is not the bot' : `comment ${i + 1}`,
    user: { login: 'reviewer', type: 'User' },
    html_url: `https://github.test/acme/fleet/pull/${issue}#issuecomment-${i + 1}`,
  }));
  api.comments.set(issue, [...(api.comments.get(issue) ?? []), ...seeded]);
}
