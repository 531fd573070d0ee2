/**
 * The GitHub REST adapter (the Action, the reconciler and the CLI share it).
 *
 * The two REST calls a sticky comment needs: list a pull request's comments
 * (`GET /repos/{owner}/{repo}/issues/{n}/comments`, paged by the `Link`
 * header) and create or update one (`POST …/issues/{n}/comments`,
 * `PATCH …/issues/comments/{id}`). The comment is found again by a hidden
 * marker at the start of its body (marocchino/sticky-pull-request-comment
 * does the same with GraphQL). Commit statuses (`POST …/statuses/{sha}`)
 * for the reconciler's per-cluster `manifold/<cluster>` checks. The token only ever goes into the
 * Authorization header, and only to the configured API origin.
 */
import { RuntimeError } from '../errors/index.ts';

export interface GitHubApiOptions {
  /** `GITHUB_API_URL`, e.g. https://api.github.com or https://ghe.example.com/api/v3. */
  apiUrl: string;
  token: string;
  userAgent: string;
  fetch?: typeof fetch | undefined;
  /** Per-request timeout. */
  timeoutMs?: number | undefined;
  /** Pause before retrying a GET or PATCH after a 5xx or a network failure. */
  retryDelayMs?: number | undefined;
}

export interface IssueComment {
  id: number;
  body: string;
  url: string;
}

export class GitHubApiError extends RuntimeError {
  readonly status: number | undefined;
  constructor(status: number | undefined, message: string) {
    super('GITHUB_API_FAILED', message, { status });
    this.status = status;
  }
}

export interface RepoRef {
  owner: string;
  repo: string;
}

/** Comments per page, GitHub's maximum. */
const PAGE_SIZE = 100;
/** Stop paging somewhere: 10,000 comments is beyond any real pull request. */
const MAX_PAGES = 100;
const RETRIES = 2;

export class GitHubApi {
  readonly #options: GitHubApiOptions;
  readonly #origin: string;

  constructor(options: GitHubApiOptions) {
    this.#options = options;
    this.#origin = new URL(options.apiUrl).origin;
  }

  url(path: string): string {
    return `${this.#options.apiUrl.replace(/\/+$/, '')}${path}`;
  }

  async request(method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown): Promise<{ status: number; json: unknown; headers: Headers }> {
    if (new URL(url).origin !== this.#origin) {
      throw new GitHubApiError(undefined, `refusing to send the token to ${new URL(url).origin} (the API is at ${this.#origin})`);
    }
    const doFetch = this.#options.fetch ?? fetch;
    const idempotent = method !== 'POST';
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await doFetch(url, {
          method,
          headers: {
            Accept: 'application/vnd.github+json',
            Authorization: `Bearer ${this.#options.token}`,
            'X-GitHub-Api-Version': '2022-11-28',
            'User-Agent': this.#options.userAgent,
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000),
        });
      } catch (err) {
        if (idempotent && attempt < RETRIES) {
          await this.#pause(attempt);
          continue;
        }
        const cause = err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.message) : String(err);
        throw new GitHubApiError(undefined, `${method} ${pathOf(url)}: cannot reach ${this.#origin} (${cause})`);
      }
      const text = await response.text();
      if (response.status >= 500 && idempotent && attempt < RETRIES) {
        await this.#pause(attempt);
        continue;
      }
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      if (response.status >= 400) {
        const detail = messageOf(json);
        throw new GitHubApiError(response.status, `${method} ${pathOf(url)}: HTTP ${response.status}${detail === undefined ? '' : ` (${detail})`}`);
      }
      return { status: response.status, json, headers: response.headers };
    }
  }

  async #pause(attempt: number): Promise<void> {
    const delay = (this.#options.retryDelayMs ?? 1000) * (attempt + 1);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }

  /** Every comment of an issue or pull request, oldest first, following `Link: <…>; rel="next"`. */
  async listIssueComments(repo: RepoRef, issue: number): Promise<IssueComment[]> {
    const out: IssueComment[] = [];
    let next: string | undefined = this.url(`/repos/${enc(repo.owner)}/${enc(repo.repo)}/issues/${issue}/comments?per_page=${PAGE_SIZE}`);
    for (let page = 0; next !== undefined && page < MAX_PAGES; page++) {
      const { json, headers } = await this.request('GET', next);
      if (!Array.isArray(json)) throw new GitHubApiError(200, `GET ${pathOf(next)}: expected a list of comments`);
      for (const item of json) {
        const comment = toComment(item);
        if (comment !== undefined) out.push(comment);
      }
      next = nextLink(headers.get('link'));
    }
    return out;
  }

  async createComment(repo: RepoRef, issue: number, body: string): Promise<IssueComment> {
    const { json } = await this.request('POST', this.url(`/repos/${enc(repo.owner)}/${enc(repo.repo)}/issues/${issue}/comments`), { body });
    return expectComment(json, 'POST');
  }

  /** `POST /repos/{owner}/{repo}/statuses/{sha}`: one commit status (a new one per call; GitHub shows the newest per context). */
  async createCommitStatus(repo: RepoRef, sha: string, status: CommitStatusInput): Promise<void> {
    if (!/^[0-9a-f]{40}$/.test(sha)) throw new GitHubApiError(undefined, `a commit status needs a full commit id, not "${sha.slice(0, 50)}"`);
    const description = status.description.length > STATUS_DESCRIPTION_MAX ? `${status.description.slice(0, STATUS_DESCRIPTION_MAX - 1)}…` : status.description;
    await this.request('POST', this.url(`/repos/${enc(repo.owner)}/${enc(repo.repo)}/statuses/${sha}`), {
      state: status.state,
      context: status.context,
      description,
      ...(status.targetUrl === undefined ? {} : { target_url: status.targetUrl }),
    });
  }

  async updateComment(repo: RepoRef, id: number, body: string): Promise<IssueComment> {
    const { json } = await this.request('PATCH', this.url(`/repos/${enc(repo.owner)}/${enc(repo.repo)}/issues/comments/${id}`), { body });
    return expectComment(json, 'PATCH');
  }
}

/** GitHub's commit status states (REST "Create a commit status"). */
export type CommitState = 'success' | 'failure' | 'pending' | 'error';

export interface CommitStatusInput {
  state: CommitState;
  /** Names the check, e.g. `manifold/eu-1`; one status per context is what branch protection requires. */
  context: string;
  /** Shown next to the check; GitHub keeps at most 140 characters. */
  description: string;
  targetUrl?: string | undefined;
}

/** GitHub refuses a longer status description. */
export const STATUS_DESCRIPTION_MAX = 140;

/** A pull request as the failover proposals use it (`GET/POST/PATCH /repos/{owner}/{repo}/pulls`). */
export interface PullRequest {
  number: number;
  state: string;
  title: string;
  body: string;
  /** Branch name of the head (`head.ref`). */
  head: string;
  base: string;
  url: string;
}

export interface PullRequestApi {
  /** Open pull requests whose head is `branch` of the repository itself. */
  listOpenPulls(repo: RepoRef, branch: string): Promise<PullRequest[]>;
  createPull(repo: RepoRef, pull: { title: string; body: string; head: string; base: string }): Promise<PullRequest>;
  updatePull(repo: RepoRef, number: number, change: { title?: string; body?: string; state?: 'open' | 'closed' }): Promise<PullRequest>;
}

/** The pulls endpoints, on GitHubApi's prototype (kept apart from the comment calls the Action uses). */
export function pullRequestApi(api: GitHubApi): PullRequestApi {
  const base = (repo: RepoRef) => api.url(`/repos/${enc(repo.owner)}/${enc(repo.repo)}/pulls`);
  return {
    async listOpenPulls(repo, branch) {
      const { json } = await api.request('GET', `${base(repo)}?state=open&head=${enc(`${repo.owner}:${branch}`)}&per_page=${PAGE_SIZE}`);
      if (!Array.isArray(json)) throw new GitHubApiError(200, 'GET pulls: expected a list of pull requests');
      return json.map((p) => expectPull(p, 'GET'));
    },
    async createPull(repo, pull) {
      return expectPull((await api.request('POST', base(repo), pull)).json, 'POST');
    },
    async updatePull(repo, number, change) {
      return expectPull((await api.request('PATCH', `${base(repo)}/${number}`, change)).json, 'PATCH');
    },
  };
}

function expectPull(json: unknown, method: string): PullRequest {
  const p = json as { number?: unknown; state?: unknown; title?: unknown; body?: unknown; head?: { ref?: unknown }; base?: { ref?: unknown }; html_url?: unknown } | null;
  if (p === null || typeof p !== 'object' || typeof p.number !== 'number') throw new GitHubApiError(undefined, `${method} pull request: the API answered without a pull request`);
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return { number: p.number, state: text(p.state), title: text(p.title), body: text(p.body), head: text(p.head?.ref), base: text(p.base?.ref), url: text(p.html_url) };
}

/**
 * The pull request of a proposal branch: created, or updated when its title
 * or body changed, or left alone (re-runs notify nobody).
 */
export async function upsertPullRequest(api: PullRequestApi, repo: RepoRef, pull: { title: string; body: string; head: string; base: string }): Promise<{ action: 'created' | 'updated' | 'unchanged'; pull: PullRequest }> {
  const open = (await api.listOpenPulls(repo, pull.head))[0];
  if (open === undefined) return { action: 'created', pull: await api.createPull(repo, pull) };
  if (open.title === pull.title && open.body === pull.body) return { action: 'unchanged', pull: open };
  return { action: 'updated', pull: await api.updatePull(repo, open.number, { title: pull.title, body: pull.body }) };
}

/** Closes the open pull requests of a branch (a proposal the fleet overtook); their numbers. */
export async function closePullRequests(api: PullRequestApi, repo: RepoRef, head: string): Promise<number[]> {
  const closed: number[] = [];
  for (const p of await api.listOpenPulls(repo, head)) {
    await api.updatePull(repo, p.number, { state: 'closed' });
    closed.push(p.number);
  }
  return closed;
}

export type StickyResult = { action: 'created' | 'updated' | 'unchanged'; comment: IssueComment };

/**
 * Updates the comment whose body starts with `marker` (the first one, if a
 * race ever made two), or creates it. An identical body is left alone, so
 * re-runs do not notify anyone.
 */
export async function upsertStickyComment(api: GitHubApi, repo: RepoRef, issue: number, marker: string, body: string): Promise<StickyResult> {
  if (!body.startsWith(marker)) throw new Error('the comment body must start with its marker');
  const existing = (await api.listIssueComments(repo, issue)).find((c) => c.body.startsWith(marker));
  if (existing === undefined) return { action: 'created', comment: await api.createComment(repo, issue, body) };
  if (existing.body === body) return { action: 'unchanged', comment: existing };
  return { action: 'updated', comment: await api.updateComment(repo, existing.id, body) };
}

/** The `rel="next"` target of a Link header (RFC 8288), as GitHub pages lists. */
export function nextLink(header: string | null): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;(.*)$/.exec(part.trim());
    if (m !== null && /\brel\s*=\s*"?next"?/.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname;
}

function messageOf(json: unknown): string | undefined {
  if (typeof json === 'object' && json !== null && 'message' in json && typeof json.message === 'string') return json.message;
  return undefined;
}

function toComment(item: unknown): IssueComment | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { id, body, html_url: url } = item as { id?: unknown; body?: unknown; html_url?: unknown };
  if (typeof id !== 'number') return undefined;
  return { id, body: typeof body === 'string' ? body : '', url: typeof url === 'string' ? url : '' };
}

function expectComment(json: unknown, method: string): IssueComment {
  const comment = toComment(json);
  if (comment === undefined) throw new GitHubApiError(undefined, `${method} comment: the API answered without a comment`);
  return comment;
}
