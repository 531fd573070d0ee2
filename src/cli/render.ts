import { InputError } from '../errors/index.ts';
import { checkOutputFolder, recoverInterruptedWrites, treeOf, writeTreeAtomically, type ProtectedFolders } from '../output/folder.ts';
import { parseSource, readSource, renderLoaded } from '../app/source.ts';
import { checkStrict, printUnschedulable, printWarnings, say } from './output.ts';
import { previousFromBranch, provenanceOnBranch, sameInputs } from '../git/previous.ts';
import { inputsOf, type Repository } from '../load/repository.ts';
import { openRepository } from '../git/repo.ts';
import { DEFAULT_BRANCH, TOKEN_ENV } from '../git/names.ts';
import type { PreviousRender } from '../render/types.ts';
import { MANIFOLD_VERSION } from '../version.ts';
import type { RenderResult } from '../render/render.ts';
import { worksGenerator, worksProvenance, worksTree, type WorksOptions } from '../render/works.ts';
import { WORK_APIS, type WorkApi } from '../model/work-api.ts';

export const DEFAULT_HUB = 'hub';
export const DEFAULT_WORK_NAME = 'manifold';


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
  /** Write each cluster's objects as Works of this API into one hub folder (render/works.ts). */
  asWorks?: WorkApi | undefined;
  hub?: string | undefined;
  workName?: string | undefined;
  /** Fail on the warnings that explain an empty or partial render (default: manifold.yaml). */
  strict?: boolean | undefined;
  /** `report`: render what can be placed and list the unschedulable templates (default: manifold.yaml, else fail). */
  unschedulable?: 'fail' | 'report' | undefined;
}

/** The --as-works options, or undefined for a plain render. */
function worksOptionsOf(opts: RenderCommandOptions): WorksOptions | undefined {
  if (opts.asWorks === undefined) return undefined;
  return { api: opts.asWorks, hub: opts.hub ?? DEFAULT_HUB, name: opts.workName ?? DEFAULT_WORK_NAME };
}

/** The tree to write: the per-cluster folders, or with --as-works one hub folder of Works. */
function outputOf(result: RenderResult, works: WorksOptions | undefined): { clusters: ReadonlyMap<string, ReadonlyMap<string, string>>; provenance: unknown; summary: string } {
  const objects = [...result.clusters.values()].reduce((n, files) => n + files.size, 0);
  if (works === undefined) return { clusters: result.clusters, provenance: result.provenance, summary: `rendered ${objects} objects for ${result.clusters.size} clusters` };
  const tree = worksTree(result.clusters, works);
  const provenance = { ...result.provenance, generator: worksGenerator(result.provenance.generator, works), works: worksProvenance(tree, works) };
  const kind = WORK_APIS[works.api].kind;
  return { clusters: tree.clusters, provenance, summary: `rendered ${objects} objects for ${result.clusters.size} clusters as ${tree.works.length} ${kind}s in ${works.hub}/` };
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
    const works = worksOptionsOf(opts);
    const generator = works === undefined ? `manifold ${MANIFOLD_VERSION}` : worksGenerator(`manifold ${MANIFOLD_VERSION}`, works);
    if (sameInputs(recorded.text, inputsOf(source.files), generator)) {
      say(`${branch} unchanged at ${recorded.tip.slice(0, 12)}: rendered from the same inputs by this version; no commit`);
      process.stdout.write(`${recorded.tip}\n`);
      return true;
    }
    // An incremental render patches cluster folders, which a tree of Works does not have.
    if (opts.full === true || works !== undefined) return false;
    const repo = await load();
    // An incremental render neither recounts unclaimed templates (--strict) nor carries unschedulable ones over.
    if ((opts.strict ?? repo.settings.strict) === true || (opts.unschedulable ?? repo.settings.unschedulable) === 'report') return false;
    const { commitIncrementally, incrementalReport } = await import('../app/incremental.ts');
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
  if (opts.asWorks === undefined && (opts.hub !== undefined || opts.workName !== undefined)) {
    throw InputError.single({ code: 'USAGE', field: opts.hub !== undefined ? '--hub' : '--work-name', message: 'only means something with --as-works' });
  }
  const publishing = opts.commit === true || opts.push !== undefined;
  const outDir = opts.outDir ?? (opts.format === undefined && !publishing ? 'rendered' : undefined);
  const sourceOptions = { source: opts.source, outDir, previousDir: opts.previousDir, sourceRef: opts.sourceRef, unschedulable: opts.unschedulable };
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
  const works = worksOptionsOf(opts);
  const previous = publishing && opts.previousDir === undefined ? await previousOnBranch(opts) : undefined;
  const result = await renderLoaded(repo, source.commit, { ...sourceOptions, previous });
  printWarnings(result.warnings);
  checkStrict(result, repo, opts.strict);
  printUnschedulable(result);
  const output = outputOf(result, works);
  if (publishing) {
    const { publishRender } = await import('../git/publish.ts');
    const report = await publishRender(output.clusters, output.provenance, {
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
    for (const [cluster, files] of output.clusters) {
      for (const [file, content] of files) process.stdout.write(`---\n# Source: ${cluster}/${file}\n${content}`);
    }
    return 0;
  }
  if (opts.format === 'json') {
    const { load: parseYaml } = await import('js-yaml');
    const out: Record<string, Record<string, unknown>> = {};
    for (const [cluster, files] of output.clusters) {
      out[cluster] = Object.fromEntries([...files].map(([file, content]) => [file, parseYaml(content)]));
    }
    process.stdout.write(`${JSON.stringify({ clusters: out }, null, 2)}\n`);
    return 0;
  }
  const tree = treeOf(output.clusters, output.provenance);
  await writeTreeAtomically(outDir as string, tree, guard);
  say(`${output.summary} into ${outDir}`);
  return 0;
}
