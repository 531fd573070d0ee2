/**
 * `manifold render --commit/--push`: the rendered tree committed to a branch
 * (and pushed), with a one-line report for stderr. The CLI passes the token
 * in from MANIFOLD_GIT_TOKEN; nothing here prints it.
 */
import type { Signature } from './objects.ts';
import { commitRenderedTree, describeClusterChange, HashedTree, renderedTree, type CommitOptions, type CommitResult, type RenderedTree } from './commit.ts';
import { configuredIdentity, openRepository, type GitRepository } from './repo.ts';
import { pushRenderedTree, type PushResult, type PushStats } from './remote.ts';
import type { Blob, ClusterFiles } from './tree.ts';

import { DEFAULT_BRANCH } from './names.ts';
export { DEFAULT_BRANCH };

export interface PublishOptions {
  /** Folder inside the git repository to commit to. */
  repoDir: string;
  branch?: string | undefined;
  prefix?: string | undefined;
  /** Remote name or http(s) URL to push to. */
  push?: string | undefined;
  token?: string | undefined;
  sourceCommit?: string | undefined;
  manifoldVersion: string;
  /** Commit time; defaults to SOURCE_DATE_EPOCH (reproducible builds) or now. */
  now?: Date | undefined;
  /** The files' values stand for blobs the render already streamed into the repository (blob-stream.ts); not with `push`. */
  streamed?: { resolve: (value: string) => Blob | undefined; written: number } | undefined;
  /** Called when the commit is made and the push starts (each attempt): progress for the user. */
  onPush?: (() => void) | undefined;
}

export interface PublishReport {
  result: CommitResult | PushResult;
  /** Human summary for stderr. */
  lines: string[];
}

/** Commit identity: the repository's user.name/email, else Manifold's own. */
export async function commitAuthor(repoDir: string, now?: Date): Promise<Signature> {
  const repo = openRepository(repoDir);
  const who = await configuredIdentity(repo);
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const seconds = now !== undefined ? Math.floor(now.getTime() / 1000) : epoch !== undefined && /^\d+$/.test(epoch) ? Number(epoch) : Math.floor(Date.now() / 1000);
  return { name: who.name ?? 'Manifold', email: who.email ?? 'manifold@localhost', timestamp: seconds, timezoneOffset: 0 };
}

export async function publishRender(
  clusters: ClusterFiles,
  provenance: unknown,
  options: PublishOptions,
): Promise<PublishReport> {
  const repo = openRepository(options.repoDir);
  try {
    const author = await commitAuthor(options.repoDir, options.now);
    const branch = options.branch ?? DEFAULT_BRANCH;
    const common = { branch, prefix: options.prefix, sourceCommit: options.sourceCommit, manifoldVersion: options.manifoldVersion, author };
    const tree = renderedTree(clusters, provenance);
    const result =
      options.push !== undefined
        ? await pushRenderedTree(repo, tree, { ...common, remote: options.push, token: options.token, beforePush: async () => options.onPush?.() })
        : await commitStreamed(repo, tree, common, options.streamed);
    return { result, lines: reportLines(result, branch, options.prefix) };
  } finally {
    repo.objects.close();
  }
}

/** Commits; blobs streamed during the render count among the objects written. */
async function commitStreamed(repo: GitRepository, tree: RenderedTree, options: CommitOptions, streamed: PublishOptions['streamed']): Promise<CommitResult> {
  if (streamed === undefined) return commitRenderedTree(repo, tree, options);
  const result = await commitRenderedTree(repo, new HashedTree(tree, streamed.resolve), options);
  return { ...result, objectsWritten: result.objectsWritten + streamed.written };
}

/** ` (12 objects, 3.4 kB)`: what the push cost, so that a user sees it follow the change. */
function sentSummary(sent: PushStats | undefined): string {
  if (sent === undefined) return '';
  const objects = `${sent.objects} object${sent.objects === 1 ? '' : 's'}`;
  return sent.bytes === undefined ? ` (${objects})` : ` (${objects}, ${formatBytes(sent.bytes)})`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function reportLines(result: CommitResult | PushResult, branch: string, prefix: string | undefined): string[] {
  const where = `${branch}${prefix ? ` (under ${prefix})` : ''}`;
  const short = result.commit?.slice(0, 12) ?? '';
  const lines: string[] = [];
  if (!result.created) lines.push(`${where} unchanged at ${short}: no commit`);
  else lines.push(`committed ${short} to ${where}: ${result.clusters.length} cluster(s) changed, ${result.objectsWritten} object(s) written`);
  for (const c of result.clusters) lines.push(`  ${describeClusterChange(c)}`);
  if ('pushed' in result) {
    if (result.pushed) lines.push(`pushed ${short} to ${result.remote}${sentSummary(result.sent)}${result.attempts > 1 ? ` after ${result.attempts} attempts (the remote branch moved; rebuilt on its new tip)` : ''}`);
    else lines.push(`${result.remote} already has ${short}: nothing to push`);
  }
  return lines;
}
