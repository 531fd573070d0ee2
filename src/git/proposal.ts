/**
 * A proposal: a rendered tree committed on its own branch (e.g.
 * `manifold/failover/eu-1`) whose parent is the rendered branch's tip, so
 * that merging it is a fast-forward and reviewing it is a plain diff. The
 * message is the caller's (what moved where and why). Writing the same tree
 * on the same tip again makes no commit, so a decision repeated on every
 * run never storms; a proposal whose base moved is rebuilt on the new tip.
 */
import { commitObject, type Signature } from './objects.ts';
import { HashedTree, prefixSegments, prepareTree, type RenderedTree } from './commit.ts';
import { branchRef, readCommit, readRef, updateRef, type GitRepository } from './repo.ts';
import { readTreeEntries } from './tree.ts';

export interface ProposalOptions {
  /** Branch the proposal goes to. */
  branch: string;
  /** The commit it is based on (the rendered branch's tip). */
  base: string;
  prefix?: string | undefined;
  message: string;
  author: Signature;
}

export interface ProposalResult {
  branch: string;
  commit: string;
  /** false: the branch already held exactly this tree on this base. */
  created: boolean;
  /** The tree equals the base's: nothing to propose. */
  empty: boolean;
}

/** Commits `tree` on top of `base` to `branch`, replacing what the branch held (it is Manifold's own). */
export async function commitProposal(repo: GitRepository, tree: RenderedTree, options: ProposalOptions): Promise<ProposalResult> {
  const ref = branchRef(options.branch);
  const hashed = new HashedTree(tree);
  const baseTree = (await readCommit(repo, options.base)).tree;
  const prepared = await prepareTree(repo, hashed, baseTree, prefixSegments(options.prefix));
  // Only the metadata beside the cluster folders changed (e.g. provenance naming a newer report): nothing to propose.
  if (prepared.clusters.length === 0) return { branch: options.branch, commit: options.base, created: false, empty: true };
  await repo.objects.write([...prepared.objects.values()]);
  const current = await readRef(repo, ref);
  if (current !== undefined) {
    const held = await readCommit(repo, current);
    // The same objects on the same base: the proposal stands, whatever newer report repeated it (no storm of commits).
    if (held.parents.length === 1 && held.parents[0] === options.base && (await sameClusterFolders(repo, held.tree, prepared.tree))) {
      return { branch: options.branch, commit: current, created: false, empty: false };
    }
  }
  const commit = commitObject({ tree: prepared.tree, parents: [options.base], author: options.author, committer: options.author, message: options.message });
  await repo.objects.write([commit]);
  await updateRef(repo, ref, commit.oid, current, { who: options.author, message: `manifold: ${options.message.split('\n')[0] ?? ''}` });
  return { branch: options.branch, commit: commit.oid, created: true, empty: false };
}

/** Two root trees hold the same entries apart from hidden ones (`.manifold/`, `.gitattributes`). */
async function sameClusterFolders(repo: GitRepository, a: string, b: string): Promise<boolean> {
  const visible = async (tree: string) =>
    [...(await readTreeEntries(repo.objects, tree)).values()]
      .filter((e) => !e.name.startsWith('.'))
      .map((e) => `${e.mode} ${e.name} ${e.oid}`)
      .join('\n');
  return (await visible(a)) === (await visible(b));
}

/** Fast-forwards `branch` from `base` to a new commit of `tree` (unattended mode); undefined when the tree is unchanged. */
export async function commitOnBranch(repo: GitRepository, tree: RenderedTree, options: Omit<ProposalOptions, 'branch'> & { branch: string }): Promise<string | undefined> {
  const ref = branchRef(options.branch);
  const baseTree = (await readCommit(repo, options.base)).tree;
  const prepared = await prepareTree(repo, new HashedTree(tree), baseTree, prefixSegments(options.prefix));
  if (prepared.clusters.length === 0) return undefined;
  const commit = commitObject({ tree: prepared.tree, parents: [options.base], author: options.author, committer: options.author, message: options.message });
  await repo.objects.write([...prepared.objects.values(), commit]);
  // Expecting `base`: a branch that moved meanwhile fails with RefMovedError instead of losing a render.
  await updateRef(repo, ref, commit.oid, options.base, { who: options.author, message: `manifold: ${options.message.split('\n')[0] ?? ''}` });
  return commit.oid;
}
