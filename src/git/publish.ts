/**
 * `manifold render --commit/--push`: the rendered tree committed to a branch
 * (and pushed), with a one-line report for stderr. The CLI passes the token
 * in from MANIFOLD_GIT_TOKEN; nothing here prints it.
 */
import type { GitObject, Signature } from './objects.ts';
import { commitRenderedTree, describeClusterChange, HashedTree, renderedTree, type CommitOptions, type CommitResult, type RenderedTree } from './commit.ts';
import { configuredIdentity, openRepository, type GitRepository } from './repo.ts';
import { pushRenderedTree, type PushResult, type PushStats } from './remote.ts';
import type { ClusterFiles } from './tree.ts';

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
  /**
   * The render streamed its blobs into a pack still open (blob-stream.ts);
   * file values that are stored blob ids stand for them. The trees and the
   * commit go into the same pack, which is finished before the branch moves.
   * Not with `push`.
   */
  streamed?: { isStored: (value: string) => boolean; pack: StreamedPack } | undefined;
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

/** The open pack of a streamed render (BlobStream). */
export interface StreamedPack {
  putObjects(objects: Iterable<GitObject>): void;
  /** Completes the pack and makes it visible; returns the objects in it. */
  finish(): number;
  abort(): void;
}

/** Commits; the blobs streamed during the render, the trees and the commit are one pack. */
async function commitStreamed(repo: GitRepository, tree: RenderedTree, options: CommitOptions, streamed: PublishOptions['streamed']): Promise<CommitResult> {
  if (streamed === undefined) return commitRenderedTree(repo, tree, options);
  const { pack } = streamed;
  let finished = false;
  const finish = (): number => {
    finished = true;
    return pack.finish();
  };
  try {
    const hashed = new HashedTree(tree, streamed.isStored);
    // A retry on a branch that moved (commit.ts) writes its few new objects the usual way.
    const write = async (objects: GitObject[]) => {
      if (finished) return repo.objects.write(objects);
      pack.putObjects(objects);
      return finish();
    };
    const result = await commitRenderedTree(repo, hashed, { ...options, write });
    // Unchanged tree: whatever blobs the render added still belong in the repository.
    const written = finished ? 0 : finish();
    return { ...result, objectsWritten: result.objectsWritten + written };
  } catch (err) {
    if (!finished) pack.abort();
    throw err;
  }
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
