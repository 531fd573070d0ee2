/**
 * The status page of a report commit (index.html beside README.md): the
 * fleet view of every status file on the new tree, with how far each
 * cluster's applied commit is behind the newest rendered commit the report
 * attempted (read from the repository when it holds the rendered branch's
 * history; "unknown" otherwise). No "now": the page shows finish times,
 * not ages, so its bytes change only when a status file does.
 */
import { redact } from '../errors/redact.ts';
import { commitsBehindAll } from '../git/ancestry.ts';
import { branchRef, readCommit, readRef, type GitRepository } from '../git/repo.ts';
import { readTreeEntries } from '../git/tree.ts';
import { appliedCommit, fleetView, newestAttempted } from './fleet-view.ts';
import { rolloutsFromStateFiles } from './rollout-view.ts';
import { PAGE_FILE, statusPage } from './status-page.ts';
import type { ClusterStatus } from './types.ts';

export async function reportPage(
  repo: GitRepository,
  statuses: readonly ClusterStatus[],
  unreadable: readonly string[],
  rolloutStates: ReadonlyMap<string, string> = new Map(),
): Promise<string> {
  const tip = newestAttempted(statuses);
  const applied = statuses.map(appliedCommit).filter((c): c is string => c !== undefined && /^[0-9a-f]{40}$/.test(c));
  const behind = tip === undefined ? new Map<string, number>() : await commitsBehindAll(repo, applied, tip);
  const rollouts = rolloutsFromStateFiles(rolloutStates);
  return redact(statusPage(fleetView({ statuses, behind, unreadable, rollout: rollouts.cells, rollouts: rollouts.summaries })));
}

/**
 * The page at the tip of the local report branch (after a push the local
 * branch mirrors the remote one), read again only when the tip moved: what
 * the reconciler serves at `/`.
 */
export function reportPageSource(repo: GitRepository, branch: string): () => Promise<string | undefined> {
  const ref = branchRef(branch);
  let cached: { commit: string; html: string | undefined } | undefined;
  return async () => {
    const commit = await readRef(repo, ref);
    if (commit === undefined) return undefined;
    if (cached?.commit !== commit) {
      const entry = (await readTreeEntries(repo.objects, (await readCommit(repo, commit)).tree)).get(PAGE_FILE);
      cached = { commit, html: entry === undefined ? undefined : (await repo.objects.read(entry.oid)).body.toString('utf8') };
    }
    return cached.html;
  };
}
