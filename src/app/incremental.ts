/**
 * `render --commit` when the branch already holds a render: try to render
 * only what changed and patch the branch's tree (render/incremental.ts,
 * git/patch.ts). Whenever that is not possible, says why and lets the
 * caller render in full, which gives the same tree.
 */
import { dialects } from '../dialects/index.ts';
import { PROVENANCE_FILE } from '../output/folder.ts';
import { GITATTRIBUTES, GITATTRIBUTES_CONTENT, type CommitResult } from '../git/commit.ts';
import { commitPatchedTree } from '../git/patch.ts';
import { priorTreeFacts } from '../git/previous.ts';
import { readCommit, RefMovedError, type GitRepository } from '../git/repo.ts';
import { commitAuthor, reportLines } from '../git/publish.ts';
import type { Repository } from '../load/repository.ts';
import { planIncremental, renderIncremental } from '../render/incremental.ts';
import type { Provenance } from '../render/render.ts';
import type { Problem } from '../errors/index.ts';

export interface IncrementalTarget {
  git: GitRepository;
  repoDir: string;
  branch: string;
  prefix: string;
  tip: string;
  provenanceText: string;
  sourceCommit: string | undefined;
  manifoldVersion: string;
}

export type IncrementalOutcome =
  | { done: true; result: CommitResult; covered: number; warnings: Problem[]; keptWarnings: number }
  | { done: false; reason: string };

function parseProvenance(text: string): Provenance | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Provenance) : undefined;
  } catch {
    return undefined;
  }
}

export async function commitIncrementally(repo: Repository, target: IncrementalTarget): Promise<IncrementalOutcome> {
  const prior = parseProvenance(target.provenanceText);
  if (prior === undefined) return { done: false, reason: 'the provenance on the branch is not readable' };
  // The branch is Manifold's output; a tip someone else committed may hold files provenance does not list.
  if (!(await readCommit(target.git, target.tip)).message.includes('\nManifold-Version: ')) {
    return { done: false, reason: 'the branch tip was not committed by manifold' };
  }
  const generator = `manifold ${target.manifoldVersion}`;
  const plan = planIncremental(repo, dialects, prior, generator);
  if (plan.kind === 'full') return { done: false, reason: plan.reason };
  const groups = new Map(prior.objects.flatMap((o) => (o.affinityGroup === undefined ? [] : [[o.key, o.affinityGroup] as const])));
  const facts = await priorTreeFacts(target.git, target.tip, target.prefix, plan, groups);
  const options = { sourceCommit: target.sourceCommit, manifoldVersion: target.manifoldVersion };
  const rendered = renderIncremental(repo, dialects, prior, plan, facts, options);
  const extra = (counts: ReadonlyMap<string, number>) =>
    new Map([
      [PROVENANCE_FILE, `${JSON.stringify(rendered.provenance(counts), null, 2)}\n`],
      [GITATTRIBUTES, GITATTRIBUTES_CONTENT],
    ]);
  try {
    const result = await commitPatchedTree(target.git, rendered.edits, prior.clusters, extra, {
      branch: target.branch,
      prefix: target.prefix,
      sourceCommit: target.sourceCommit,
      manifoldVersion: target.manifoldVersion,
      author: await commitAuthor(target.repoDir),
      expectedParent: target.tip,
    });
    const covered = repo.templates.filter((t) => plan.covered.has(t.key)).length;
    return { done: true, result, covered, warnings: rendered.warnings, keptWarnings: rendered.keptWarnings };
  } catch (err) {
    if (err instanceof RefMovedError) return { done: false, reason: 'the branch moved while rendering' };
    throw err;
  }
}

/** The report lines of an incremental commit: publishRender's, saying how much was rendered again. */
export function incrementalReport(outcome: Extract<IncrementalOutcome, { done: true }>, branch: string, prefix: string, templates: number): string[] {
  const lines = reportLines(outcome.result, branch, prefix);
  if (outcome.keptWarnings > 0) lines.unshift(`(${outcome.keptWarnings} more warning(s) about unchanged templates, as in the previous render: see ${PROVENANCE_FILE})`);
  const first = outcome.keptWarnings > 0 ? 1 : 0;
  lines[first] = `${lines[first]} (incremental: ${outcome.covered} of ${templates} template(s) rendered again)`;
  return lines;
}
