/** `manifold failover`: the failover use case (src/app/failover.ts); the decision on stderr, the proposal's message with --dry-run on stdout. */
import { failover, type FailoverOptions, type ProposalPullRequests } from '../app/failover.ts';
import { InputError } from '../errors/index.ts';
import { rememberSecret } from '../errors/redact.ts';
import { TOKEN_ENV } from '../git/names.ts';
import { MANIFOLD_VERSION } from '../version.ts';
import { printNotice, say } from './output.ts';

export interface FailoverCommandOptions extends Omit<FailoverOptions, 'pullRequests'> {
  /** Push the proposal branch here and open its pull request in `githubRepo`. */
  push?: string | undefined;
  /** `owner/repo`; the token from GITHUB_TOKEN, the API from GITHUB_API_URL (default https://api.github.com). */
  githubRepo?: string | undefined;
}

async function pullRequestsOf(opts: FailoverCommandOptions): Promise<ProposalPullRequests | undefined> {
  if (opts.githubRepo === undefined && opts.push === undefined) return undefined;
  const [owner, repo, extra] = (opts.githubRepo ?? '').split('/');
  if (opts.push === undefined || owner === undefined || owner === '' || repo === undefined || repo === '' || extra !== undefined) {
    throw InputError.single({ code: 'USAGE', field: opts.push === undefined ? '--push' : '--github-repo', message: 'pull requests need both --push REMOTE and --github-repo OWNER/REPO' });
  }
  const token = process.env.GITHUB_TOKEN;
  if (token === undefined || token === '') throw InputError.single({ code: 'USAGE', field: 'GITHUB_TOKEN', message: 'opening a pull request needs a token in GITHUB_TOKEN' });
  rememberSecret(token);
  const { GitHubApi, pullRequestApi } = await import('../github/api.ts');
  const api = new GitHubApi({ apiUrl: process.env.GITHUB_API_URL ?? 'https://api.github.com', token, userAgent: `manifold/${MANIFOLD_VERSION}` });
  const gitToken = process.env[TOKEN_ENV];
  return { api: pullRequestApi(api), repo: { owner, repo }, remote: opts.push, token: gitToken === '' ? undefined : gitToken };
}

export async function failoverCommand(opts: FailoverCommandOptions): Promise<number> {
  const { push: _push, githubRepo: _repo, ...rest } = opts;
  const outcome = await failover({ ...rest, pullRequests: await pullRequestsOf(opts) }, (notice) => printNotice(notice, true));
  if (outcome.pull !== undefined) say(`pull request #${outcome.pull.number} ${outcome.pull.action}: ${outcome.pull.url}`);
  for (const n of outcome.closedPulls ?? []) say(`closed pull request #${n}`);
  for (const branch of outcome.closed) {
    say(branch.endsWith(' (merged)') ? `deleted proposal ${branch.slice(0, -' (merged)'.length)}: merged into the rendered branch` : `closed proposal ${branch}: overtaken by the fleet's latest state`);
  }
  switch (outcome.action) {
    case 'none':
      say('nothing to move: the rendered branch already matches the fleet');
      break;
    case 'dry-run':
      process.stdout.write(outcome.message ?? '');
      break;
    case 'unchanged':
      say(`proposal ${outcome.branch} unchanged at ${outcome.commit?.slice(0, 12)}: same decision on the same base`);
      break;
    case 'proposed':
      say(`proposed ${outcome.commit?.slice(0, 12)} on ${outcome.branch}`);
      process.stdout.write(outcome.message ?? '');
      break;
    case 'committed':
      say(`committed ${outcome.commit?.slice(0, 12)} to ${outcome.branch} (unattended)`);
      process.stdout.write(outcome.message ?? '');
      break;
  }
  return 0;
}
