/**
 * The render use case, top-down:
 *
 *   1. source          the folder, or a commit of its repository (--source-ref)
 *   2. previous render the branch's recorded render (committing), else a folder (--previous)
 *   3. no-op check     the branch was rendered from exactly these inputs: nothing to do
 *   4. plan            incremental (patch the branch) or full
 *   5. render          every template, with the previous render for stable placements
 *   6. publish         commit / push the branch, write the folder, or hand the tree back to print
 *
 * Steps 2–4 as a shortcut apply to `render --commit` alone (no folder,
 * stdout, push or --previous); everything else renders in full. Warnings and
 * progress lines are handed to `notify` as they happen (notices.ts); nothing
 * here prints, parses arguments or exits.
 */
import { InputError } from '../errors/index.ts';
import { checkOutputFolder, PROVENANCE_FILE, recoverInterruptedWrites, StagedFolder, treeOf, writeTreeAtomically, type FolderWritten, type ProtectedFolders } from '../output/folder.ts';
import { readPreviousFolder } from '../output/previous.ts';
import { previousFromBranch, provenanceOnBranch, sameInputs } from '../git/previous.ts';
import { openRepository, type GitRepository } from '../git/repo.ts';
import { DEFAULT_BRANCH } from '../git/names.ts';
import { inputsOf, parseSettings, type Repository } from '../load/repository.ts';
import { SETTINGS_FILE } from '../load/source.ts';
import type { ProjectSettingsSpec } from '../model/settings.ts';
import type { ContentSink, RenderResult } from '../render/render.ts';
import type { PublishOptions } from '../git/publish.ts';
import type { PreviousRender } from '../render/types.ts';
import { worksGenerator, worksProvenance, worksTree, type WorksOptions } from '../render/works.ts';
import { WORK_APIS, type WorkApi } from '../model/work-api.ts';
import { MANIFOLD_VERSION } from '../version.ts';
import { notifyWarnings, reportRender, type Notify } from './notices.ts';
import { liveStatusOf, parseSource, readSource, renderLoaded, type SourceFiles, type SourceOptions } from './source.ts';

export const DEFAULT_HUB = 'hub';
export const DEFAULT_WORK_NAME = 'manifold';

export interface RenderOptions {
  source: string;
  /** Folder to write (replaced atomically); see `print`. */
  outDir?: string | undefined;
  /** Hand the tree back (the CLI prints it with -o) instead of writing a folder. */
  print?: boolean | undefined;
  previousDir?: string | undefined;
  /** Read the source from this commit instead of the working folder. */
  sourceRef?: string | undefined;
  /** Commit the tree to `branch` of the repository at `repoDir` (default: the one holding SOURCE). */
  commit?: boolean | undefined;
  branch?: string | undefined;
  prefix?: string | undefined;
  repoDir?: string | undefined;
  /** Push the commit to this remote (implies commit) with `token`. */
  push?: string | undefined;
  token?: string | undefined;
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
  /** Overlay this report's live status on the inventory (`--status REF|DIR`; default manifold.yaml `status`). */
  status?: string | undefined;
  /** Decision time for the live status (default: the report commit's time). */
  now?: string | undefined;
}

export interface RenderOutcome {
  /** The rendered branch's commit, when committing (also handed over as a `commit` notice). */
  commit?: string | undefined;
  /** With `print`: the tree to print, cluster → file → content. */
  printed?: ReadonlyMap<string, ReadonlyMap<string, string>> | undefined;
}

/** Where the render goes, decided once from the options. */
interface Destinations {
  /** Committing (and maybe pushing) the branch. */
  publishing: boolean;
  /** The folder guarded, repaired and left out of the source; written unless printing. */
  outDir: string | undefined;
  guard: ProtectedFolders;
  /** `render --commit` alone: the only case where the branch's render allows a no-op or an incremental render. */
  commitOnly: boolean;
}

export async function render(opts: RenderOptions, notify: Notify): Promise<RenderOutcome> {
  checkWorksFlags(opts);
  notify({ kind: 'progress', step: 'render' });
  const to = destinationsOf(opts);
  await prepareOutputFolder(to, notify);
  const source = await readSource(sourceOptionsOf(opts, to), true);
  let parsed: Repository | undefined;
  const load = async (): Promise<Repository> => {
    if (parsed !== undefined) return parsed;
    parsed = await parseSource(source);
    notify({ kind: 'progress', step: 'render', templates: parsed.templates.length, clusters: parsed.clusters.length });
    return parsed;
  };
  // A render with live status depends on the report too: no no-op or incremental shortcut from the source alone.
  const withStatus = opts.status !== undefined || settingsOf(source).status !== undefined;
  if (to.commitOnly && !withStatus) {
    const done = await renderOnTheBranch(opts, source, load, notify);
    if (done !== undefined) return done;
  }
  const repo = await load();
  const previous = await previousRender(opts, to);
  if (to.commitOnly && opts.asWorks === undefined) return renderIntoTheBranch(repo, source, previous, opts, notify);
  if (!to.publishing && opts.print !== true && opts.asWorks === undefined) return renderIntoTheFolder(repo, source, previous, opts, to, notify);
  const result = await renderInFull(repo, source, previous, opts, notify);
  return publish(outputOf(result, worksOptionsOf(opts)), result, opts, to, notify);
}

/**
 * A full `render --commit`: each distinct content goes into a pack as it is
 * rendered (git/blob-stream.ts), so memory does not grow with the number of
 * distinct objects (issue 19). The commit's trees and the commit itself go
 * into the same pack, which becomes visible only once the render and the
 * commit were made; the branch moves last.
 */
async function renderIntoTheBranch(repo: Repository, source: SourceFiles, previous: PreviousRender | undefined, opts: RenderOptions, notify: Notify): Promise<RenderOutcome> {
  const { BlobStream } = await import('../git/blob-stream.ts');
  // The store stays open until the pack is finished (after the commit's trees went into it).
  return withGit(opts, async (git) => {
    const blobs = new BlobStream(git.objects);
    let output: Output;
    let sourceCommit: string | undefined;
    try {
      const result = await renderInFull(repo, source, previous, opts, notify, blobs.put);
      // Only the tree and provenance go on: the rendered templates and placements are garbage from here.
      output = outputOf(result, undefined);
      sourceCommit = result.provenance.source.commit;
    } catch (err) {
      blobs.abort();
      throw err;
    }
    notify({ kind: 'progress', step: 'commit', ...sizeOf(output) });
    try {
      return { commit: await commitTheBranch(output, sourceCommit, opts, notify, { isStored: blobs.isStored, pack: blobs }) };
    } finally {
      blobs.abort(); // after finish() a no-op; otherwise (a failure before the pack was finished) its temporary files go
    }
  });
}

function settingsOf(source: SourceFiles): ProjectSettingsSpec {
  return parseSettings(source.files.find((f) => f.path === SETTINGS_FILE));
}

function checkWorksFlags(opts: RenderOptions): void {
  if (opts.asWorks === undefined && (opts.hub !== undefined || opts.workName !== undefined)) {
    throw InputError.single({ code: 'USAGE', field: opts.hub !== undefined ? '--hub' : '--work-name', message: 'only means something with --as-works' });
  }
}

function destinationsOf(opts: RenderOptions): Destinations {
  const publishing = opts.commit === true || opts.push !== undefined;
  return {
    publishing,
    // Neither printing nor committing: the default folder.
    outDir: opts.outDir ?? (opts.print !== true && !publishing ? 'rendered' : undefined),
    guard: { sources: opts.repoDir === undefined ? [opts.source] : [opts.source, opts.repoDir] },
    commitOnly: publishing && opts.push === undefined && opts.outDir === undefined && opts.print !== true && opts.previousDir === undefined,
  };
}

function sourceOptionsOf(opts: RenderOptions, to: Destinations): SourceOptions {
  return { source: opts.source, outDir: to.outDir, previousDir: opts.previousDir, sourceRef: opts.sourceRef, unschedulable: opts.unschedulable };
}

/** Before anything is read or written: a folder that would swallow the source is refused outright. */
async function prepareOutputFolder(to: Destinations, notify: Notify): Promise<void> {
  if (to.outDir === undefined) return;
  checkOutputFolder(to.outDir, to.guard);
  // A killed earlier run may have left DIR swapped out: repair it even when this run fails.
  for (const text of await recoverInterruptedWrites(to.outDir)) notify({ kind: 'line', text });
}

/** The --as-works options, or undefined for a plain render. */
function worksOptionsOf(opts: RenderOptions): WorksOptions | undefined {
  if (opts.asWorks === undefined) return undefined;
  return { api: opts.asWorks, hub: opts.hub ?? DEFAULT_HUB, name: opts.workName ?? DEFAULT_WORK_NAME };
}

function withGit<T>(opts: RenderOptions, use: (git: GitRepository) => Promise<T>): Promise<T> {
  const git = openRepository(opts.repoDir ?? opts.source);
  return use(git).finally(() => git.objects.close());
}

/**
 * Steps 2–4 for `render --commit` alone: when the branch was rendered from
 * exactly these inputs by this version there is nothing to do, which is
 * known from the files' hashes before anything is parsed; when only
 * templates changed, only they are rendered again and the branch's tree is
 * patched. Undefined when a full render is needed.
 */
async function renderOnTheBranch(opts: RenderOptions, source: SourceFiles, load: () => Promise<Repository>, notify: Notify): Promise<RenderOutcome | undefined> {
  return withGit(opts, async (git) => {
    const branch = opts.branch ?? DEFAULT_BRANCH;
    const prefix = opts.prefix ?? '';
    // 2. The previous render: what the branch records.
    const recorded = await provenanceOnBranch(git, branch, prefix);
    if (recorded === undefined) return undefined;
    // 3. The no-op check.
    const works = worksOptionsOf(opts);
    const generator = works === undefined ? `manifold ${MANIFOLD_VERSION}` : worksGenerator(`manifold ${MANIFOLD_VERSION}`, works);
    if (sameInputs(recorded.text, inputsOf(source.files), generator)) {
      notify({ kind: 'line', text: `${branch} unchanged at ${recorded.tip.slice(0, 12)}: rendered from the same inputs by this version; no commit` });
      notify({ kind: 'commit', id: recorded.tip });
      return { commit: recorded.tip };
    }
    // 4. The plan: incremental when it can be.
    // An incremental render patches cluster folders, which a tree of Works does not have.
    if (opts.full === true || works !== undefined) return undefined;
    const repo = await load();
    // An incremental render neither recounts unclaimed templates (--strict) nor carries unschedulable ones over.
    if ((opts.strict ?? repo.settings.strict) === true || (opts.unschedulable ?? repo.settings.unschedulable) === 'report') return undefined;
    const { commitIncrementally, incrementalReport } = await import('./incremental.ts');
    const target = { git, repoDir: opts.repoDir ?? opts.source, branch, prefix, tip: recorded.tip, provenanceText: recorded.text, sourceCommit: source.commit, manifoldVersion: MANIFOLD_VERSION };
    const outcome = await commitIncrementally(repo, target);
    if (!outcome.done) {
      notify({ kind: 'line', text: `rendering in full: ${outcome.reason}` });
      return undefined;
    }
    notifyWarnings(notify, outcome.warnings);
    for (const text of incrementalReport(outcome, branch, prefix, repo.templates.length)) notify({ kind: 'line', text });
    if (outcome.result.commit !== undefined) notify({ kind: 'commit', id: outcome.result.commit });
    return { commit: outcome.result.commit };
  });
}

/**
 * `render --out DIR`: each distinct content is written into the staging
 * folder's cluster folders as soon as it is rendered and then dropped, so
 * memory does not grow with the output (issue 19); DIR is swapped in once
 * the render succeeded, and is left as it was on any error.
 */
async function renderIntoTheFolder(repo: Repository, source: SourceFiles, previous: PreviousRender | undefined, opts: RenderOptions, to: Destinations, notify: Notify): Promise<RenderOutcome> {
  const outDir = to.outDir as string;
  const staged = await StagedFolder.open(outDir, to.guard);
  const inventory = new Set(repo.clusters.map((c) => c.name));
  let summary: string;
  try {
    const result = await renderInFull(repo, source, previous, opts, notify, (content, file, clusters) => {
      // As clusterFiles does: only clusters of the inventory get folders.
      staged.writeToClusters(file, content, clusters.filter((c) => inventory.has(c)));
      return '';
    });
    const output = outputOf(result, undefined);
    notify({ kind: 'progress', step: 'write', ...sizeOf(output) });
    staged.writeFile(PROVENANCE_FILE, `${JSON.stringify(output.provenance, null, 2)}\n`);
    summary = output.summary;
  } catch (err) {
    await staged.abort();
    throw err;
  }
  notify({ kind: 'line', text: writtenLine(summary, outDir, await staged.swapIn()) });
  return {};
}

/** The closing line of a write into DIR; an update in place says what it changed. */
function writtenLine(summary: string, outDir: string, written: FolderWritten): string {
  if (!written.updated) return `${summary} into ${outDir}`;
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  return `${summary} into ${outDir} (updated in place: ${plural(written.written, 'file')} written, ${plural(written.removed, 'stale path')} removed, the rest unchanged)`;
}

/** 2. The previous render, for stable placements: the --previous folder, else (committing) the branch's tree. */
async function previousRender(opts: RenderOptions, to: Destinations): Promise<PreviousRender | undefined> {
  if (opts.previousDir !== undefined) return readPreviousFolder(opts.previousDir);
  if (!to.publishing) return undefined;
  return withGit(opts, (git) => previousFromBranch(git, opts.branch ?? DEFAULT_BRANCH, opts.prefix ?? ''));
}

/** 5. Renders every template; the warnings, --strict and the unschedulable ones are reported here. */
async function renderInFull(repo: Repository, source: SourceFiles, previous: PreviousRender | undefined, opts: RenderOptions, notify: Notify, contents?: ContentSink): Promise<RenderResult> {
  const live = await liveStatusOf({ status: opts.status, now: opts.now, source: opts.source }, repo.settings);
  const result = await renderLoaded(repo, source.commit, { source: opts.source, previous, unschedulable: opts.unschedulable, live }, contents);
  reportRender(notify, result, repo, opts.strict);
  return result;
}

interface Output {
  clusters: ReadonlyMap<string, ReadonlyMap<string, string>>;
  provenance: unknown;
  summary: string;
}

/** The tree to write: the per-cluster folders, or with --as-works one hub folder of Works. */
function outputOf(result: RenderResult, works: WorksOptions | undefined): Output {
  const objects = [...result.clusters.values()].reduce((n, files) => n + files.size, 0);
  if (works === undefined) return { clusters: result.clusters, provenance: result.provenance, summary: `rendered ${objects} objects for ${result.clusters.size} clusters` };
  const tree = worksTree(result.clusters, works);
  const provenance = { ...result.provenance, generator: worksGenerator(result.provenance.generator, works), works: worksProvenance(tree, works) };
  const kind = WORK_APIS[works.api].kind;
  return { clusters: tree.clusters, provenance, summary: `rendered ${objects} objects for ${result.clusters.size} clusters as ${tree.works.length} ${kind}s in ${works.hub}/` };
}

/** The size of a rendered tree, for progress notices. */
function sizeOf(output: Output): { objects: number; clusters: number } {
  return { objects: [...output.clusters.values()].reduce((n, files) => n + files.size, 0), clusters: output.clusters.size };
}

/** 6. Commit (and push) the branch, then print or write the folder. */
async function publish(output: Output, result: RenderResult, opts: RenderOptions, to: Destinations, notify: Notify): Promise<RenderOutcome> {
  let commit: string | undefined;
  const size = sizeOf(output);
  if (to.publishing) {
    notify({ kind: 'progress', step: 'commit', ...size });
    commit = await commitTheBranch(output, result.provenance.source.commit, opts, notify, undefined, () => notify({ kind: 'progress', step: 'push', ...size }));
    if (opts.outDir === undefined && opts.print !== true) return { commit };
  }
  if (opts.print === true) return { commit, printed: output.clusters };
  notify({ kind: 'progress', step: 'write', ...size });
  const written = await writeTreeAtomically(to.outDir as string, treeOf(output.clusters, output.provenance), to.guard);
  notify({ kind: 'line', text: writtenLine(output.summary, to.outDir as string, written) });
  return { commit };
}

async function commitTheBranch(
  output: Output,
  sourceCommit: string | undefined,
  opts: RenderOptions,
  notify: Notify,
  streamed?: PublishOptions['streamed'],
  onPush?: () => void,
): Promise<string | undefined> {
  const { publishRender } = await import('../git/publish.ts');
  const report = await publishRender(output.clusters, output.provenance, {
    repoDir: opts.repoDir ?? opts.source,
    branch: opts.branch,
    prefix: opts.prefix,
    push: opts.push,
    token: opts.token,
    sourceCommit,
    manifoldVersion: MANIFOLD_VERSION,
    streamed,
    onPush,
  });
  for (const text of report.lines) notify({ kind: 'line', text });
  if (report.result.commit !== undefined) notify({ kind: 'commit', id: report.result.commit });
  return report.result.commit;
}
