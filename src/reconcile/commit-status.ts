/**
 * Commit statuses on the git host (issue 16 item 3): one check per cluster,
 * `manifold/<cluster>`, on the SOURCE commit its rendered tree came from
 * (the rendered branch's provenance names it), so a team can require
 * "deployed to staging" before merging to production.
 *
 *   Synced      → success "synced"
 *   Degraded    → failure "degraded: …"
 *   Failed      → failure "failed: …"
 *   Unreachable → error   "failed: cluster unreachable …"
 *   Orphaned    → nothing (the cluster left the fleet; no source commit asks for it)
 *
 * Posted only when a cluster's state on that commit changes, one request at
 * a time in the background: a slow or failing API costs a log line, never a
 * cluster's reconcile or the report. A failed post is forgotten, so the next
 * reconcile of that cluster tries again.
 */
import PQueue from 'p-queue';
import { redact } from '../errors/redact.ts';
import type { Logger } from './logger.ts';
import type { ClusterStatus } from './types.ts';

export type CommitState = 'success' | 'failure' | 'pending' | 'error';

export interface CommitStatusPost {
  sha: string;
  state: CommitState;
  context: string;
  description: string;
  targetUrl?: string | undefined;
}

export interface CommitStatusOptions {
  /** Sends one status (GitHubApi.createCommitStatus); rejects on failure. */
  post: (status: CommitStatusPost) => Promise<void>;
  logger: Logger;
  /** Link shown with each check, e.g. the status page. */
  targetUrl?: string | undefined;
  /** Context prefix (default `manifold/`). */
  prefix?: string | undefined;
}

const MESSAGE_ROOM = 100;

/** What a cluster's status says as a commit status; undefined: post nothing. */
export function commitStateOf(status: ClusterStatus): { state: CommitState; description: string } | undefined {
  const s = status.summary;
  const why = status.conditions.find((c) => c.status !== 'True' && c.type !== 'Drifted')?.message;
  const detail = why === undefined ? '' : `: ${why.length > MESSAGE_ROOM ? `${why.slice(0, MESSAGE_ROOM - 1)}…` : why}`;
  switch (status.result) {
    case 'Synced':
      return { state: 'success', description: `synced: ${s.objects} objects` };
    case 'Degraded':
      return { state: 'failure', description: `degraded: ${s.unhealthy} unhealthy${detail}` };
    case 'Failed':
      return { state: 'failure', description: `failed: ${s.failed} objects failed${detail}` };
    case 'Unreachable':
      return { state: 'error', description: `failed: cluster unreachable${detail}` };
    case 'Orphaned':
      return undefined;
  }
}

export class CommitStatusReporter {
  private readonly options: CommitStatusOptions;
  /** `cluster\0sha` → the state last posted (or being posted). */
  private readonly posted = new Map<string, string>();
  private readonly queue = new PQueue({ concurrency: 1 });

  constructor(options: CommitStatusOptions) {
    this.options = options;
  }

  /** Records a finished reconcile; posts in the background when its state on `sourceCommit` changed. Never throws, never waits. */
  observe(status: ClusterStatus, sourceCommit: string | undefined): void {
    if (sourceCommit === undefined || !/^[0-9a-f]{40}$/.test(sourceCommit)) return;
    const next = commitStateOf(status);
    if (next === undefined) return;
    const key = `${status.cluster}\0${sourceCommit}`;
    const signature = `${next.state}\0${next.description}`;
    if (this.posted.get(key) === signature) return;
    this.posted.set(key, signature);
    const post: CommitStatusPost = {
      sha: sourceCommit,
      state: next.state,
      context: `${this.options.prefix ?? 'manifold/'}${status.cluster}`,
      // Messages quote API servers: redacted like every other channel.
      description: redact(next.description),
      ...(this.options.targetUrl === undefined ? {} : { targetUrl: this.options.targetUrl }),
    };
    void this.queue.add(async () => {
      try {
        await this.options.post(post);
        this.options.logger.debug({ cluster: status.cluster, sourceCommit, state: post.state }, `commit status ${post.context}: ${post.state}`);
      } catch (err) {
        if (this.posted.get(key) === signature) this.posted.delete(key);
        this.options.logger.warn(
          { cluster: status.cluster, sourceCommit, state: post.state, err: { message: err instanceof Error ? err.message : String(err) } },
          `cannot post commit status ${post.context} on ${sourceCommit.slice(0, 12)}: ${err instanceof Error ? err.message : String(err)} (retried after the cluster's next reconcile)`,
        );
      }
    });
  }

  /** Resolves when every queued post has been sent or has failed (before a --once run exits). */
  async idle(): Promise<void> {
    await this.queue.onIdle();
  }
}
