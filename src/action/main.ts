/**
 * The GitHub Action, a front door over the review use case (src/app/review.ts):
 * on a pull request it renders the base and head commits of the checked-out
 * repository (through the CLI's own source path, so problems read the same),
 * writes the per-cluster diff to the job summary and a JSON file, and keeps
 * one sticky comment up to date. On the default branch it can commit and
 * push the rendered branch. Fork pull requests, whose token is read-only,
 * get the job summary only.
 */
import { DEFAULT_BRANCH } from '../git/names.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatProblem, InputError, ManifoldError, type Problem } from '../errors/index.ts';
import { redact, rememberSecret } from '../errors/redact.ts';
import { TOKEN_ENV } from '../git/remote.ts';
import { publishHead, review, type RenderedSide } from '../app/review.ts';
import { MANIFOLD_VERSION } from '../version.ts';
import { isForkPullRequest, onDefaultBranch, PULL_REQUEST_EVENTS, readContext, type ActionContext } from './event.ts';
import { GitHubApi, GitHubApiError, upsertStickyComment } from '../github/api.ts';
import { changedClusters, COMMENT_MARKER, commentBody, DEFAULT_TITLE, headRendered, jsonSummary, summaryMarkdown, type Outcome, type Side } from './report.ts';
import { annotation, readBooleanInput, readInput, runnerIo, type Env, type RunnerIo } from './runner.ts';

/** Defaults as in action.yml (test/action checks they agree); the runner applies action.yml's, these apply outside it. */
export const INPUT_DEFAULTS = {
  source: '.',
  'base-ref': '',
  'head-ref': '',
  comment: 'true',
  commit: 'false',
  branch: DEFAULT_BRANCH,
  prefix: '',
  'push-remote': 'origin',
  'fail-on-invalid': 'true',
  title: DEFAULT_TITLE,
} as const;

export interface ActionInputs {
  source: string;
  baseRef: string;
  headRef: string;
  token: string;
  comment: boolean;
  commit: boolean;
  branch: string;
  prefix: string;
  pushRemote: string;
  failOnInvalid: boolean;
  title: string;
}

export function readInputs(env: Env): ActionInputs {
  const text = (name: keyof typeof INPUT_DEFAULTS) => readInput(env, name, INPUT_DEFAULTS[name]);
  const flag = (name: 'comment' | 'commit' | 'fail-on-invalid') => readBooleanInput(env, name, INPUT_DEFAULTS[name] === 'true');
  return {
    source: text('source') || '.',
    baseRef: text('base-ref'),
    headRef: text('head-ref'),
    // Outside a runner there is no `${{ github.token }}`; GITHUB_TOKEN is the usual stand-in.
    token: readInput(env, 'token', env.GITHUB_TOKEN ?? ''),
    comment: flag('comment'),
    commit: flag('commit'),
    branch: text('branch') || INPUT_DEFAULTS.branch,
    prefix: text('prefix'),
    pushRemote: text('push-remote'),
    failOnInvalid: flag('fail-on-invalid'),
    title: text('title') || DEFAULT_TITLE,
  };
}

export interface Refs {
  head: string;
  base?: string | undefined;
  /** The base came from the event (not the base-ref input). */
  baseFromEvent: boolean;
}

/**
 * pull_request: the merge commit GITHUB_SHA against the PR's base commit,
 * i.e. what merging would change. pull_request_target checks out the base
 * branch (GITHUB_SHA is its tip), so its head is the PR head commit.
 * push: the pushed commit against the tip before the push.
 */
export function chooseRefs(ctx: ActionContext, inputs: ActionInputs): Refs {
  const pr = ctx.pullRequest;
  const eventHead = pr !== undefined ? (ctx.eventName === 'pull_request' ? (ctx.sha ?? pr.headSha) : pr.headSha) : ctx.sha;
  const eventBase = pr !== undefined ? pr.baseSha : ctx.before;
  const head = inputs.headRef || eventHead || 'HEAD';
  if (inputs.baseRef !== '') return { head, base: inputs.baseRef, baseFromEvent: false };
  return { head, base: eventBase, baseFromEvent: eventBase !== undefined };
}

const FETCH_DEPTH_HINT = 'check out the repository with actions/checkout and fetch-depth: 0 so both commits are present';

/** Where a head problem's file is in the repository, for an annotation on the PR's files. */
function annotationFile(problem: Problem, ref: string, sourceRel: string): string | undefined {
  const prefix = `${ref}:`;
  if (problem.file === undefined || !problem.file.startsWith(prefix)) return undefined;
  return path.posix.join(sourceRel, problem.file.slice(prefix.length));
}

/** remote.ts names the CLI's variable; in the Action the token comes from the `token` input. */
function actionWording(message: string): string {
  return message.replaceAll(`the token in ${TOKEN_ENV}`, 'the `token` input').replaceAll(`${TOKEN_ENV} is not set`, 'the `token` input is empty');
}

/** Every write goes through here: the token is removed from anything printed or stored. */
function redactingIo(io: RunnerIo, token: string): RunnerIo {
  const clean = (s: string) => redact(s, [token]);
  return {
    log: (line) => io.log(clean(line)),
    setOutput: (name, value) => io.setOutput(name, clean(value)),
    appendSummary: (markdown) => io.appendSummary(clean(markdown)),
  };
}

function writeJsonSummary(env: Env, outcome: Outcome, token: string): string {
  const dir = mkdtempSync(path.join(env.RUNNER_TEMP || tmpdir(), 'manifold-'));
  const file = path.join(dir, 'summary.json');
  writeFileSync(file, redact(`${JSON.stringify(jsonSummary(outcome), null, 2)}\n`, [token]));
  return file;
}

export async function run(env: Env = process.env, rawIo: RunnerIo = runnerIo(env)): Promise<number> {
  let io = rawIo;
  try {
    const inputs = readInputs(env);
    rememberSecret(inputs.token); // also for messages built where the token is not at hand
    io = redactingIo(rawIo, inputs.token);
    return await runWith(env, inputs, io);
  } catch (err) {
    return reportFailure(err, io);
  }
}

async function runWith(env: Env, inputs: ActionInputs, io: RunnerIo): Promise<number> {
  const ctx = readContext(env);
  const sourceDir = path.resolve(ctx.workspace, inputs.source);
  const sourceRel = path.relative(ctx.workspace, sourceDir).split(path.sep).join('/');
  const refs = chooseRefs(ctx, inputs);
  const isPullRequest = PULL_REQUEST_EVENTS.includes(ctx.eventName);
  io.log(`Manifold ${MANIFOLD_VERSION}: rendering ${refs.head}${refs.base === undefined ? '' : ` against ${refs.base}`} from ${sourceRel || '.'}`);

  const { head, base, baseMissing, headMissing, diffs } = await review({ sourceDir, head: refs.head, base: refs.base });
  if (baseMissing !== undefined) {
    if (!refs.baseFromEvent || isPullRequest) {
      throw new InputError(baseMissing.map((p) => ({ ...p, message: `base: ${p.message}; ${FETCH_DEPTH_HINT}` })));
    }
    io.log(annotation('warning', `base ${refs.base ?? ''} is not in the checkout (${baseMissing.map(formatProblem).join('; ')}); showing the full render`));
  }
  if (headMissing !== undefined) {
    throw new InputError(headMissing.map((p) => ({ ...p, message: `head: ${p.message}; ${FETCH_DEPTH_HINT}` })));
  }

  const outcome: Outcome = {
    title: inputs.title,
    eventName: ctx.eventName,
    head: head.side,
    base: base?.side,
    diffs,
    runUrl: ctx.runUrl,
    manifoldVersion: MANIFOLD_VERSION,
    rollout: head.result?.provenance.rollout,
  };

  // Problems first, in the CLI's words, as annotations on the files they name.
  const level = inputs.failOnInvalid ? 'error' : 'warning';
  for (const p of head.side.problems) {
    const file = annotationFile(p, refs.head, sourceRel);
    io.log(annotation(level, formatProblem(p), { title: 'Manifold', file, line: file === undefined ? undefined : p.line }));
  }
  for (const w of head.side.warnings) {
    const file = annotationFile(w, refs.head, sourceRel);
    io.log(annotation('warning', formatProblem(w), { title: 'Manifold', file, line: file === undefined ? undefined : w.line }));
  }
  for (const p of base?.side.problems ?? []) io.log(`base does not render: error: ${formatProblem(p)}`);
  if (diffs !== undefined) {
    const clusters = changedClusters(outcome);
    io.log(clusters.length === 0 ? 'No rendered object changes.' : `Changed clusters: ${clusters.join(', ')}`);
  }

  const summaryPath = writeJsonSummary(env, outcome, inputs.token);
  io.setOutput('changed-clusters', changedClusters(outcome).join(','));
  io.setOutput('changed', String(changedClusters(outcome).length > 0));
  io.setOutput('valid', String(headRendered(outcome)));
  io.setOutput('summary-path', summaryPath);
  io.appendSummary(summaryMarkdown(outcome, summaryPath));

  let failed = head.side.problems.length > 0 && inputs.failOnInvalid;
  if (isPullRequest && inputs.comment) {
    failed = !(await comment(ctx, inputs, outcome, io)) || failed;
  }
  if (inputs.commit) await publish(ctx, inputs, head, sourceDir, isPullRequest, io);
  if (head.side.problems.length > 0) {
    const n = head.side.problems.length;
    io.log(`${n} error${n === 1 ? '' : 's'}; ${inputs.failOnInvalid ? 'failing (fail-on-invalid: true)' : 'not failing (fail-on-invalid: false)'}`);
  }
  return failed ? 1 : 0;
}

/** Posts or updates the sticky comment; false when that failed for a reason other than a read-only token. */
async function comment(ctx: ActionContext, inputs: ActionInputs, outcome: Outcome, io: RunnerIo): Promise<boolean> {
  const pr = ctx.pullRequest;
  if (pr === undefined) return true;
  const summaryOnly = (why: string) => io.log(annotation('notice', `${why}: the diff is in the job summary only, no pull request comment`, { title: 'Manifold' }));
  if (isForkPullRequest(ctx)) {
    summaryOnly(`pull request from the fork ${pr.headRepo ?? '(deleted repository)'} runs with a read-only token`);
    return true;
  }
  if (inputs.token === '') {
    summaryOnly('no token (the `token` input is empty)');
    return true;
  }
  const api = new GitHubApi({ apiUrl: ctx.apiUrl, token: inputs.token, userAgent: `manifold-action/${MANIFOLD_VERSION}` });
  try {
    const result = await upsertStickyComment(api, { owner: ctx.owner, repo: ctx.repo }, pr.number, COMMENT_MARKER, commentBody(outcome));
    io.log(`Pull request comment ${result.action}: ${result.comment.url || `#${result.comment.id}`}`);
    io.setOutput('comment-url', result.comment.url);
    return true;
  } catch (err) {
    if (err instanceof GitHubApiError && err.status === 403) {
      summaryOnly(`the token may not comment (${err.message}; a fork or missing pull-requests: write permission)`);
      return true;
    }
    if (err instanceof ManifoldError) {
      io.log(annotation('error', `pull request comment: ${err.message}`, { title: 'Manifold' }));
      return false;
    }
    throw err;
  }
}

/** Commits (and pushes) the rendered branch, only for runs on the default branch with a head that rendered. */
async function publish(ctx: ActionContext, inputs: ActionInputs, head: RenderedSide, sourceDir: string, isPullRequest: boolean, io: RunnerIo): Promise<void> {
  if (isPullRequest || !onDefaultBranch(ctx)) {
    // A plain log line: one workflow usually serves both PRs and pushes, so this is the normal case on PRs.
    io.log(`commit: true applies to runs on the default branch${ctx.defaultBranch === undefined ? '' : ` (${ctx.defaultBranch})`}; ${ctx.ref ?? ctx.eventName} is not, so nothing was committed`);
    return;
  }
  if (head.result === undefined) {
    io.log('The head does not render; the rendered branch was left as it is.');
    return;
  }
  // Failures (a rejected push, an unreachable remote) reach reportFailure, which words them for the Action.
  const report = await publishHead(head.result, {
    repoDir: sourceDir,
    branch: inputs.branch,
    prefix: inputs.prefix || undefined,
    push: inputs.pushRemote || undefined,
    token: inputs.token,
  });
  for (const line of report.lines) io.log(line);
  if (report.result.commit !== undefined) io.setOutput('rendered-commit', report.result.commit);
  io.appendSummary(`\n#### Rendered branch\n\n\`\`\`text\n${report.lines.join('\n')}\n\`\`\`\n`);
}

/** The Action's error boundary: messages as the CLI words them, in the log and the summary; never a token. */
function reportFailure(err: unknown, io: RunnerIo): number {
  let lines: string[];
  if (err instanceof InputError) {
    lines = err.problems.map((p) => `error: ${formatProblem(p)}`);
  } else if (err instanceof ManifoldError) {
    lines = [`error: ${actionWording(err.message)}`];
  } else {
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    lines = [`internal error (a bug in manifold ${MANIFOLD_VERSION}; please report it):\n${detail}`];
  }
  for (const line of lines) io.log(annotation('error', line, { title: 'Manifold' }));
  try {
    io.appendSummary(`### ${DEFAULT_TITLE}\n\n\`\`\`text\n${lines.join('\n')}\n\`\`\`\n`);
  } catch {
    // The summary file itself is the problem; the log has the message.
  }
  return 1;
}
