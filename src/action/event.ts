/**
 * What the workflow run is about, from the runner's environment and the
 * event payload at `$GITHUB_EVENT_PATH` (the fields @actions/github's
 * Context reads: packages/github/src/context.ts). Only the fields the
 * Action uses are checked; the payload carries many more.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../errors/index.ts';
import { ZERO_OID } from '../git/repo.ts';
import type { Env } from './runner.ts';

const RepoRef = z.looseObject({ full_name: z.string().optional() });

const PullRequestPayload = z.looseObject({
  number: z.number().int().positive(),
  base: z.looseObject({ sha: z.string(), ref: z.string().optional(), repo: RepoRef.nullish() }),
  head: z.looseObject({ sha: z.string(), ref: z.string().optional(), repo: RepoRef.nullish() }),
});

const EventPayload = z.looseObject({
  pull_request: PullRequestPayload.optional(),
  before: z.string().optional(),
  after: z.string().optional(),
  repository: z.looseObject({ default_branch: z.string().optional(), full_name: z.string().optional() }).optional(),
});

export interface PullRequestContext {
  number: number;
  baseSha: string;
  headSha: string;
  /** `owner/name` of the repository the PR comes from; differs from the base repository for forks. */
  headRepo?: string | undefined;
  baseRepo?: string | undefined;
}

export interface ActionContext {
  eventName: string;
  owner: string;
  repo: string;
  /** The checked-out commit (`GITHUB_SHA`): the merge commit for pull requests. */
  sha?: string | undefined;
  /** `GITHUB_REF`, e.g. `refs/heads/main`, `refs/pull/7/merge`. */
  ref?: string | undefined;
  pullRequest?: PullRequestContext | undefined;
  /** For push events: the branch tip before the push (undefined for a new branch). */
  before?: string | undefined;
  defaultBranch?: string | undefined;
  workspace: string;
  apiUrl: string;
  /** Link to this run's page (its job summary), when the runner says where it is. */
  runUrl?: string | undefined;
}

export const PULL_REQUEST_EVENTS: readonly string[] = ['pull_request', 'pull_request_target'];

function problem(message: string, field?: string): InputError {
  return InputError.single({ code: 'ACTION_CONTEXT_INVALID', field, message });
}

function readPayload(file: string | undefined): z.infer<typeof EventPayload> {
  if (file === undefined || file === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw problem(`cannot read the event payload ${file}: ${err instanceof Error ? err.message : String(err)}`, 'GITHUB_EVENT_PATH');
  }
  const parsed = EventPayload.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw problem(`event payload ${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, 'GITHUB_EVENT_PATH');
  }
  return parsed.data;
}

export function readContext(env: Env, cwd: string = process.cwd()): ActionContext {
  const [owner, repo, ...rest] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (owner === undefined || owner === '' || repo === undefined || repo === '' || rest.length > 0) {
    throw problem('GITHUB_REPOSITORY must be set to owner/name (the runner sets it)', 'GITHUB_REPOSITORY');
  }
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const payload = readPayload(env.GITHUB_EVENT_PATH);
  const pr = PULL_REQUEST_EVENTS.includes(eventName) ? payload.pull_request : undefined;
  if (PULL_REQUEST_EVENTS.includes(eventName) && pr === undefined) {
    throw problem(`a ${eventName} event needs pull_request in the payload`, 'GITHUB_EVENT_PATH');
  }
  const server = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
  const runUrl = env.GITHUB_RUN_ID !== undefined && env.GITHUB_RUN_ID !== '' ? `${server}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  return {
    eventName,
    owner,
    repo,
    sha: env.GITHUB_SHA || undefined,
    ref: env.GITHUB_REF || undefined,
    pullRequest:
      pr === undefined
        ? undefined
        : {
            number: pr.number,
            baseSha: pr.base.sha,
            headSha: pr.head.sha,
            headRepo: pr.head.repo?.full_name,
            baseRepo: pr.base.repo?.full_name,
          },
    before: payload.before !== undefined && payload.before !== ZERO_OID ? payload.before : undefined,
    defaultBranch: payload.repository?.default_branch,
    workspace: env.GITHUB_WORKSPACE || cwd,
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    runUrl,
  };
}

/**
 * A `pull_request` run from a fork gets a read-only token (and no secrets),
 * so it cannot comment; `pull_request_target` runs with the base
 * repository's token and can (ecosystem-notes.md §3).
 */
export function isForkPullRequest(ctx: ActionContext): boolean {
  const pr = ctx.pullRequest;
  if (ctx.eventName !== 'pull_request' || pr === undefined) return false;
  const base = pr.baseRepo ?? `${ctx.owner}/${ctx.repo}`;
  return pr.headRepo === undefined ? true : pr.headRepo.toLowerCase() !== base.toLowerCase();
}

/** Whether the run is on the repository's default branch (where the rendered branch may be published). */
export function onDefaultBranch(ctx: ActionContext): boolean {
  return ctx.defaultBranch !== undefined && ctx.ref === `refs/heads/${ctx.defaultBranch}`;
}
