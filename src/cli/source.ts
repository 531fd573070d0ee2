/** The I/O edge of a render: read a source folder, render, and say where things came from. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors/index.ts';
import { dialects, registry } from '../dialects/index.ts';
import { loadRepository, parseSettings, type Repository } from '../load/repository.ts';
import { SETTINGS_FILE, readSourceFolder } from '../load/source.ts';
import { render, type RenderResult } from '../render/render.ts';
import type { PreviousRender } from '../render/types.ts';
import { readPreviousFolder } from '../output/previous.ts';
import { MANIFOLD_VERSION } from '../version.ts';

export interface SourceOptions {
  source: string;
  /** Output folder to leave out of the source when it lies inside it. */
  outDir?: string | undefined;
  previousDir?: string | undefined;
}

export async function loadSourceFolder(options: SourceOptions): Promise<Repository> {
  const root = path.resolve(options.source);
  if (!existsSync(root)) {
    throw InputError.single({ code: 'SOURCE_NOT_FOUND', file: options.source, message: 'source folder does not exist' });
  }
  const settingsPath = path.join(root, SETTINGS_FILE);
  const settingsText = existsSync(settingsPath) ? await readFile(settingsPath, 'utf8') : undefined;
  const settings = parseSettings(settingsText === undefined ? undefined : { path: SETTINGS_FILE, text: settingsText });
  const skipDirs: string[] = [];
  for (const out of [options.outDir, settings.output]) {
    if (out === undefined) continue;
    const rel = path.relative(root, path.resolve(out)).split(path.sep).join('/');
    if (rel !== '' && !rel.startsWith('..')) skipDirs.push(rel);
  }
  const files = await readSourceFolder(root, { exclude: settings.exclude ?? [], skipDirs });
  return loadRepository(files, registry);
}

export async function renderFolder(options: SourceOptions): Promise<RenderResult> {
  return (await renderFolderWithRepo(options)).result;
}

/** Like renderFolder, also returning the loaded repository (explain looks up templates no dialect claimed). */
export async function renderFolderWithRepo(options: SourceOptions): Promise<{ repo: Repository; result: RenderResult }> {
  const repo = await loadSourceFolder(options);
  let previous: PreviousRender | undefined;
  if (options.previousDir !== undefined) previous = await readPreviousFolder(options.previousDir);
  return { repo, result: render(repo, dialects, { previous, manifoldVersion: MANIFOLD_VERSION }) };
}
