/** The I/O edge of a render: read a source folder, render, and say where things came from. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors/index.ts';
import { loadRepository, parseSettings, type Repository } from '../load/repository.ts';
import { SETTINGS_FILE, readSourceFolder, type SourceFile } from '../load/source.ts';
import { findRepository, openRepository, resolveCommit } from '../git/repo.ts';
import { cleanHeadCommit, readCommitSource, sourceSubdir } from '../git/source.ts';
import type { ContentSink, RenderResult, UnschedulableMode } from '../render/render.ts';
import type { PreviousRender } from '../render/types.ts';
import type { LiveStatus } from '../model/live.ts';
import type { ProjectSettingsSpec } from '../model/settings.ts';
import type { LiveStatusOptions } from './live.ts';
import { readPreviousFolder } from '../output/previous.ts';
import { MANIFOLD_VERSION } from '../version.ts';

export interface SourceOptions {
  source: string;
  /** Output folder to leave out of the source when it lies inside it. */
  outDir?: string | undefined;
  previousDir?: string | undefined;
  /** A previous render already read (e.g. from the output branch); previousDir wins. */
  previous?: PreviousRender | undefined;
  /** Read the source from this commit of the git repository at `source` (no checkout). */
  sourceRef?: string | undefined;
  /** `--unschedulable`; default: manifold.yaml, else fail. */
  unschedulable?: UnschedulableMode | undefined;
  /** Live status to overlay on the inventory (app/live.ts readLiveStatus). */
  live?: LiveStatus | undefined;
  keepLastCopy?: ReadonlySet<string> | undefined;
}

/** Folders to leave out of the source, relative to its root: the output folders inside it. */
function skippedDirs(root: string, outDirs: readonly (string | undefined)[]): string[] {
  const skipDirs: string[] = [];
  for (const out of outDirs) {
    if (out === undefined) continue;
    const rel = path.relative(root, path.resolve(out)).split(path.sep).join('/');
    if (rel !== '' && !rel.startsWith('..')) skipDirs.push(rel);
  }
  return skipDirs;
}

/** The dialects (their schemas take a while to build): loaded when a source is parsed, not for a no-op check. */
async function dialectModule(): Promise<typeof import('../dialects/index.ts')> {
  return import('../dialects/index.ts');
}

/** Source files as read, before parsing: enough to tell whether they changed. */
export interface SourceFiles {
  files: SourceFile[];
  /** The commit they are exactly, when known. */
  commit?: string | undefined;
  /** `--source-ref`, to name files as `REF:path` in problems. */
  sourceRef?: string | undefined;
}

/** The source at a commit (`--source-ref`), read from the object database. */
async function readSourceCommit(options: SourceOptions & { sourceRef: string }): Promise<SourceFiles> {
  const root = path.resolve(options.source);
  const git = openRepository(options.source, 'source');
  try {
    const commit = await resolveCommit(git, options.sourceRef);
    const { files } = await readCommitSource(git, commit, sourceSubdir(git, root), { skipDirs: skippedDirs(root, [options.outDir]) });
    return { files, commit, sourceRef: options.sourceRef };
  } finally {
    git.objects.close();
  }
}

/** Parses and validates source files. Problems of a `--source-ref` source name files as `REF:path`, git's notation. */
export async function parseSource(source: SourceFiles): Promise<Repository> {
  const { registry } = await dialectModule();
  try {
    return loadRepository(source.files, registry);
  } catch (err) {
    if (err instanceof InputError && source.sourceRef !== undefined) {
      const ref = source.sourceRef;
      throw new InputError(err.problems.map((p) => (p.file === undefined ? p : { ...p, file: `${ref}:${p.file}` })));
    }
    throw err;
  }
}

export async function loadSourceCommit(options: SourceOptions & { sourceRef: string }): Promise<{ repo: Repository; commit: string }> {
  const source = await readSourceCommit(options);
  return { repo: await parseSource(source), commit: source.commit as string };
}

/** The commit a folder render came from: HEAD, when the folder's source files are exactly HEAD's. */
async function folderCommit(root: string, files: readonly SourceFile[], skipDirs: readonly string[]): Promise<string | undefined> {
  const git = findRepository(root);
  if (git === undefined) return undefined;
  try {
    return await cleanHeadCommit(git, sourceSubdir(git, root), files, { skipDirs });
  } catch {
    return undefined; // unreadable repository: provenance simply has no commit
  } finally {
    git.objects.close();
  }
}

export async function loadSourceFolder(options: SourceOptions): Promise<Repository> {
  return (await loadSourceFolderWithCommit(options)).repo;
}

export async function loadSourceFolderWithCommit(options: SourceOptions, detectCommit = false): Promise<{ repo: Repository; commit?: string | undefined }> {
  const source = await readSource(options, detectCommit);
  return { repo: await parseSource(source), commit: source.commit };
}

/** Reads the source's files (from the folder, or the commit of `--source-ref`) without parsing them. */
export async function readSource(options: SourceOptions, detectCommit = false): Promise<SourceFiles> {
  if (options.sourceRef !== undefined) return readSourceCommit({ ...options, sourceRef: options.sourceRef });
  const root = path.resolve(options.source);
  if (!existsSync(root)) {
    throw InputError.single({ code: 'SOURCE_NOT_FOUND', file: options.source, message: 'source folder does not exist' });
  }
  const settingsPath = path.join(root, SETTINGS_FILE);
  const settingsText = existsSync(settingsPath) ? await readFile(settingsPath, 'utf8') : undefined;
  const settings = parseSettings(settingsText === undefined ? undefined : { path: SETTINGS_FILE, text: settingsText });
  const skipDirs = skippedDirs(root, [options.outDir, settings.output === undefined ? undefined : path.resolve(root, settings.output)]);
  const files = await readSourceFolder(root, { exclude: settings.exclude ?? [], skipDirs });
  return { files, commit: detectCommit ? await folderCommit(root, files, skipDirs) : undefined };
}

export async function renderFolder(options: SourceOptions): Promise<RenderResult> {
  return (await renderFolderWithRepo(options)).result;
}

/** Like renderFolder, also returning the loaded repository (explain looks up templates no dialect claimed). */
export async function renderFolderWithRepo(options: SourceOptions): Promise<{ repo: Repository; result: RenderResult }> {
  const { repo, commit } = await loadSourceFolderWithCommit(options, true);
  return { repo, result: await renderLoaded(repo, commit, options) };
}

/** Renders an already loaded source; `previousDir` wins over `previous`. */
export async function renderLoaded(repo: Repository, commit: string | undefined, options: SourceOptions, contents?: ContentSink): Promise<RenderResult> {
  let previous = options.previous;
  if (options.previousDir !== undefined) previous = await readPreviousFolder(options.previousDir);
  const { dialects } = await dialectModule();
  const { render } = await import('../render/render.ts');
  return render(repo, dialects, { previous, sourceCommit: commit, manifoldVersion: MANIFOLD_VERSION, unschedulable: options.unschedulable, live: options.live, keepLastCopy: options.keepLastCopy, contents });
}

/** The report's live status, when one is named; its reader (and the report schema) loaded only then. */
export async function liveStatusOf(opts: LiveStatusOptions, settings: ProjectSettingsSpec): Promise<LiveStatus | undefined> {
  if (opts.status === undefined && settings.status === undefined && opts.now === undefined) return undefined;
  const { readLiveStatus } = await import('./live.ts');
  return readLiveStatus(opts, settings);
}
