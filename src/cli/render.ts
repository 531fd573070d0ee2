import { checkOutputFolder, recoverInterruptedWrites, treeOf, writeTreeAtomically, type ProtectedFolders } from '../output/folder.ts';
import { parseSource, readSource, renderLoaded } from './source.ts';
import { printWarnings, say } from './output.ts';
import { previousFromBranch, provenanceOnBranch, sameInputs } from '../git/previous.ts';
import { inputsOf, type Repository } from '../load/repository.ts';
import { openRepository } from '../git/repo.ts';
import { DEFAULT_BRANCH, TOKEN_ENV } from '../git/names.ts';
import type { PreviousRender } from '../render/types.ts';
import { MANIFOLD_VERSION } from '../version.ts';


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

/**
 * `render --commit` alone (no folder, stdout or push): when the branch was
 * rendered from exactly these inputs by this version there is nothing to do,
 * which is known from the files' hashes before anything is parsed; when only
 * templates changed, only they are rendered again and the branch's tree is
 * patched. Returns true when done.
 */
async function commitShortcuts(opts: RenderCommandOptions, source: Awaited<ReturnType<typeof readSource>>, load: () => Promise<Repository>): Promise<boolean> {
  const git = openRepository(opts.repoDir ?? opts.source);
  try {
    const branch = opts.branch ?? DEFAULT_BRANCH;
    const prefix = opts.prefix ?? '';
    const recorded = await provenanceOnBranch(git, branch, prefix);
    if (recorded === undefined) return false;
    if (sameInputs(recorded.text, inputsOf(source.files), `manifold ${MANIFOLD_VERSION}`)) {
      say(`${branch} unchanged at ${recorded.tip.slice(0, 12)}: rendered from the same inputs by this version; no commit`);
      process.stdout.write(`${recorded.tip}\n`);
      return true;
    }
    if (opts.full === true) return false;
    const { commitIncrementally, incrementalReport } = await import('./incremental.ts');
    const repo = await load();
    const target = { git, repoDir: opts.repoDir ?? opts.source, branch, prefix, tip: recorded.tip, provenanceText: recorded.text, sourceCommit: source.commit, manifoldVersion: MANIFOLD_VERSION };
    const outcome = await commitIncrementally(repo, target);
    if (!outcome.done) {
      say(`rendering in full: ${outcome.reason}`);
      return false;
    }
    printWarnings(outcome.warnings);
    for (const line of incrementalReport(outcome, branch, prefix, repo.templates.length)) say(line);
    if (outcome.result.commit !== undefined) process.stdout.write(`${outcome.result.commit}\n`);
    return true;
  } finally {
    git.objects.close();
  }
}

/** Committing: the branch's tree is the previous render (stable placements), unless --previous names one. */
async function previousOnBranch(opts: RenderCommandOptions): Promise<PreviousRender | undefined> {
  const git = openRepository(opts.repoDir ?? opts.source);
  try {
    return await previousFromBranch(git, opts.branch ?? DEFAULT_BRANCH, opts.prefix ?? '');
  } finally {
    git.objects.close();
  }
}

export async function renderCommand(opts: RenderCommandOptions): Promise<number> {
  const publishing = opts.commit === true || opts.push !== undefined;
  const outDir = opts.outDir ?? (opts.format === undefined && !publishing ? 'rendered' : undefined);
  const sourceOptions = { source: opts.source, outDir, previousDir: opts.previousDir, sourceRef: opts.sourceRef };
  const guard: ProtectedFolders = { sources: opts.repoDir === undefined ? [opts.source] : [opts.source, opts.repoDir] };
  // Before anything is read or written: a folder that would swallow the source is refused outright.
  if (outDir !== undefined) {
    checkOutputFolder(outDir, guard);
    // A killed earlier run may have left DIR swapped out: repair it even when this run fails.
    for (const line of await recoverInterruptedWrites(outDir)) say(line);
  }
  const source = await readSource(sourceOptions, true);
  let parsed: Repository | undefined;
  const load = async (): Promise<Repository> => (parsed ??= await parseSource(source));
  const commitOnly = publishing && opts.push === undefined && opts.outDir === undefined && opts.format === undefined && opts.previousDir === undefined;
  if (commitOnly && (await commitShortcuts(opts, source, load))) return 0;
  const repo = await load();
  const previous = publishing && opts.previousDir === undefined ? await previousOnBranch(opts) : undefined;
  const result = await renderLoaded(repo, source.commit, { ...sourceOptions, previous });
  printWarnings(result.warnings);
  if (publishing) {
    const { publishRender } = await import('../git/publish.ts');
    const report = await publishRender(result.clusters, result.provenance, {
      repoDir: opts.repoDir ?? opts.source,
      branch: opts.branch,
      prefix: opts.prefix,
      push: opts.push,
      token: process.env[TOKEN_ENV],
      sourceCommit: result.provenance.source.commit,
      manifoldVersion: MANIFOLD_VERSION,
    });
    for (const line of report.lines) say(line);
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
    const { load: parseYaml } = await import('js-yaml');
    const out: Record<string, Record<string, unknown>> = {};
    for (const [cluster, files] of result.clusters) {
      out[cluster] = Object.fromEntries([...files].map(([file, content]) => [file, parseYaml(content)]));
    }
    process.stdout.write(`${JSON.stringify({ clusters: out }, null, 2)}\n`);
    return 0;
  }
  const tree = treeOf(result.clusters, result.provenance);
  await writeTreeAtomically(outDir as string, tree, guard);
  const objects = [...result.clusters.values()].reduce((n, files) => n + files.size, 0);
  say(`rendered ${objects} objects for ${result.clusters.size} clusters into ${outDir}`);
  return 0;
}
