/**
 * How many commits one commit is behind another on a branch: the status
 * table and page say "applied 3 behind the tip". The rendered branch is
 * linear (render commits on its own tip), so the first-parent chain is
 * walked from the tip; a commit not found within `limit` steps, or whose
 * objects are not in the repository, gives undefined ("unknown"), never a guess.
 */
import { readCommit, type GitRepository } from './repo.ts';
import { ObjectNotFoundError } from './store.ts';

/** Default walk: far beyond any rollout lag, short enough for a 1,000-cluster report. */
export const BEHIND_LIMIT = 500;

/** Behind counts for many commits against one tip, walking the chain once. */
export async function commitsBehindAll(repo: GitRepository, commits: Iterable<string>, tip: string, limit = BEHIND_LIMIT): Promise<Map<string, number>> {
  const wanted = new Set(commits);
  const out = new Map<string, number>();
  let current: string | undefined = tip;
  for (let steps = 0; current !== undefined && steps <= limit && out.size < wanted.size; steps++) {
    if (wanted.has(current)) out.set(current, steps);
    if (!repo.objects.has(current)) break;
    try {
      current = (await readCommit(repo, current)).parents[0];
    } catch (err) {
      if (err instanceof ObjectNotFoundError) break;
      throw err;
    }
  }
  return out;
}
