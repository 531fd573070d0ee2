/**
 * The review use case, what the GitHub Action does with a change: render the
 * head revision of a checked-out source repository and, when given, the base
 * revision, and compare them per cluster; then, on the default branch,
 * publish the head's render to the rendered branch. A side that does not
 * render carries its problems instead of a result, so a review can still
 * report it. Which revisions to compare, what a missing base means and how
 * to word it stay with the front door (it knows the checkout).
 */
import { InputError, type Problem } from '../errors/index.ts';
import { diffTrees, type ClusterDiff } from '../git/diff.ts';
import { publishRender, type PublishReport } from '../git/publish.ts';
import type { ClusterFiles } from '../git/tree.ts';
import type { RenderResult } from '../render/render.ts';
import { MANIFOLD_VERSION } from '../version.ts';
import { renderFolder } from './source.ts';

/** One side of a review: what was asked for and what came of it. */
export interface ReviewSide {
  /** What was asked for: a ref or commit id. */
  ref: string;
  /** The commit it resolved to, when it resolved. */
  commit?: string | undefined;
  /** Errors that stopped this side from rendering. */
  problems: Problem[];
  warnings: Problem[];
}

export interface RenderedSide {
  side: ReviewSide;
  result?: RenderResult | undefined;
}

export interface ReviewOptions {
  /** The source folder inside the checked-out repository. */
  sourceDir: string;
  head: string;
  base?: string | undefined;
}

export interface Review {
  head: RenderedSide;
  /** The base, unless it was not asked for or is not in the checkout. */
  base?: RenderedSide | undefined;
  /** The base revision is not in the checkout (its problems say how): compared with nothing. */
  baseMissing?: Problem[] | undefined;
  /** The head revision is not in the checkout: nothing can be reviewed. */
  headMissing?: Problem[] | undefined;
  /** Per-cluster changes from the base (or from nothing) to the head, when the head rendered. */
  diffs?: ClusterDiff[] | undefined;
}

export async function review(opts: ReviewOptions): Promise<Review> {
  const head = await renderSide(opts.sourceDir, opts.head);
  let base = opts.base === undefined ? undefined : await renderSide(opts.sourceDir, opts.base);
  const baseMissing = base !== undefined && isCheckoutProblem(base.side.problems) ? base.side.problems : undefined;
  if (baseMissing !== undefined) base = undefined;
  const headMissing = isCheckoutProblem(head.side.problems) ? head.side.problems : undefined;
  const empty: ClusterFiles = new Map();
  const diffs = head.result === undefined ? undefined : diffTrees(base?.result?.clusters ?? empty, head.result.clusters);
  return { head, base, baseMissing, headMissing, diffs };
}

export interface PublishOptions {
  /** The repository the rendered branch lives in (the checkout). */
  repoDir: string;
  branch: string;
  prefix?: string | undefined;
  /** Remote to push to, when the branch is pushed. */
  push?: string | undefined;
  token?: string | undefined;
}

/** Commits (and pushes) the head's render to the rendered branch. */
export function publishHead(head: RenderResult, opts: PublishOptions): Promise<PublishReport> {
  return publishRender(head.clusters, head.provenance, {
    repoDir: opts.repoDir,
    branch: opts.branch,
    prefix: opts.prefix,
    push: opts.push,
    token: opts.token,
    sourceCommit: head.provenance.source.commit,
    manifoldVersion: MANIFOLD_VERSION,
  });
}

async function renderSide(sourceDir: string, ref: string): Promise<RenderedSide> {
  try {
    const result = await renderFolder({ source: sourceDir, sourceRef: ref });
    return { side: { ref, commit: result.provenance.source.commit, problems: [], warnings: result.warnings }, result };
  } catch (err) {
    if (err instanceof InputError) return { side: { ref, problems: err.problems, warnings: [] } };
    throw err;
  }
}

/** The revision or repository is missing: a checkout problem, not a problem of the source files. */
function isCheckoutProblem(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.code === 'GIT_UNKNOWN_REF' || p.code === 'GIT_REPO_NOT_FOUND' || p.code === 'GIT_AMBIGUOUS_REF');
}
