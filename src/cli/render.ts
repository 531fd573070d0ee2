import { load } from 'js-yaml';
import { treeOf, writeTreeAtomically } from '../output/folder.ts';
import { loadSourceFolderWithCommit, renderLoaded } from './source.ts';
import { printWarnings } from './output.ts';
import { DEFAULT_BRANCH, publishRender } from '../git/publish.ts';
import { previousFromBranch, provenanceOnBranch, sameInputs } from '../git/previous.ts';
import type { Repository } from '../load/repository.ts';
import { openRepository } from '../git/repo.ts';
import type { PreviousRender } from '../render/types.ts';
import { TOKEN_ENV } from '../git/remote.ts';
import { MANIFOLD_VERSION } from '../version.ts';
import { commitIncrementally, incrementalReport } from './incremental.ts';

export interface RenderCommandOptions {
  source: string;
  outDir?: string | undefined;
  format?: 'yaml' | 'json' | undefined;
  previousDir?: string | undefined;
  /** Read the source from this commit instead of the working folder. */
  sourceRef?: string | undefined;
  /** Commit the tree to `branch` of the repository at `repoDir` (default: the one holding SOURCE). */
  commit?: boolean | undefined;
  branch?: string | undefined;
  prefix?: string | undefined;
  repoDir?: string | undefined;
  /** Push the commit to this remote (implies commit); token from MANIFOLD_GIT_TOKEN. */
  push?: string | undefined;
  /** Render every template even when an incremental render is possible. */
  full?: boolean | undefined;
}

type BranchState = { kind: 'unchanged'; tip: string } | { kind: 'committed' } | { kind: 'previous'; previous: PreviousRender | undefined };

/**
 * Committing: when the branch was rendered from exactly these inputs by this
 * version there is nothing to do; when only templates changed, only they are
 * rendered again and the branch's tree is patched; otherwise its tree is the
 * previous render (stable placements) of a full render.
 */
async function outputBranchState(opts: RenderCommandOptions, repo: Repository, sourceCommit: string | undefined): Promise<BranchState> {
  const repoDir = opts.repoDir ?? opts.source;
  const git = openRepository(repoDir);
  try {
    const branch = opts.branch ?? DEFAULT_BRANCH;
    const prefix = opts.prefix ?? '';
    const recorded = await provenanceOnBranch(git, branch, prefix);
    if (recorded !== undefined && sameInputs(recorded.text, repo.inputs, `manifold ${MANIFOLD_VERSION}`)) return { kind: 'unchanged', tip: recorded.tip };
    const commitOnly = opts.push === undefined && opts.outDir === undefined && opts.format === undefined && opts.full !== true;
    if (recorded !== undefined && commitOnly) {
      const target = { git, repoDir, branch, prefix, tip: recorded.tip, provenanceText: recorded.text, sourceCommit, manifoldVersion: MANIFOLD_VERSION };
      const outcome = await commitIncrementally(repo, target);
      if (outcome.done) {
        printWarnings(outcome.warnings);
        for (const line of incrementalReport(outcome, branch, prefix, repo.templates.length)) process.stderr.write(`${line}\n`);
        if (outcome.result.commit !== undefined) process.stdout.write(`${outcome.result.commit}\n`);
        return { kind: 'committed' };
      }
      process.stderr.write(`rendering in full: ${outcome.reason}\n`);
    }
    return { kind: 'previous', previous: await previousFromBranch(git, branch, prefix) };
  } finally {
    git.objects.close();
  }
}

export async function renderCommand(opts: RenderCommandOptions): Promise<number> {
  const publishing = opts.commit === true || opts.push !== undefined;
  const outDir = opts.outDir ?? (opts.format === undefined && !publishing ? 'rendered' : undefined);
  const sourceOptions = { source: opts.source, outDir, previousDir: opts.previousDir, sourceRef: opts.sourceRef };
  const { repo, commit } = await loadSourceFolderWithCommit(sourceOptions, true);
  let previous: PreviousRender | undefined;
  if (publishing && opts.previousDir === undefined) {
    const state = await outputBranchState(opts, repo, commit);
    if (state.kind === 'committed') return 0;
    if (state.kind === 'unchanged' && opts.format === undefined && opts.outDir === undefined && opts.push === undefined) {
      process.stderr.write(`${opts.branch ?? DEFAULT_BRANCH} unchanged at ${state.tip.slice(0, 12)}: rendered from the same inputs by this version; no commit\n`);
      process.stdout.write(`${state.tip}\n`);
      return 0;
    }
    if (state.kind === 'previous') previous = state.previous;
  }
  const result = await renderLoaded(repo, commit, { ...sourceOptions, previous });
  printWarnings(result.warnings);
  if (publishing) {
    const report = await publishRender(result.clusters, result.provenance, {
      repoDir: opts.repoDir ?? opts.source,
      branch: opts.branch,
      prefix: opts.prefix,
      push: opts.push,
      token: process.env[TOKEN_ENV],
      sourceCommit: result.provenance.source.commit,
      manifoldVersion: MANIFOLD_VERSION,
    }, result.rendered.flatMap((r) => r.variants));
    for (const line of report.lines) process.stderr.write(`${line}\n`);
    if (report.result.commit !== undefined && opts.format === undefined) process.stdout.write(`${report.result.commit}\n`);
    if (opts.outDir === undefined && opts.format === undefined) return 0;
  }
  if (opts.format === 'yaml') {
    for (const [cluster, files] of result.clusters) {
      for (const [file, content] of files) process.stdout.write(`---\n# Source: ${cluster}/${file}\n${content}`);
    }
    return 0;
  }
  if (opts.format === 'json') {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [cluster, files] of result.clusters) {
      out[cluster] = Object.fromEntries([...files].map(([file, content]) => [file, load(content)]));
    }
    process.stdout.write(`${JSON.stringify({ clusters: out }, null, 2)}\n`);
    return 0;
  }
  const tree = treeOf(result.clusters, result.provenance);
  await writeTreeAtomically(outDir as string, tree);
  const objects = [...result.clusters.values()].reduce((n, files) => n + files.size, 0);
  process.stderr.write(`rendered ${objects} objects for ${result.clusters.size} clusters into ${outDir}\n`);
  return 0;
}
