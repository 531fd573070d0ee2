/**
 * `manifold diff`: render two sides (a commit, the working folder, or an
 * already rendered folder) and report per cluster what was added, changed or
 * removed. Exit codes follow `kubectl diff`: 0 no change, 1 changes, 2 invalid
 * input (ecosystem-notes.md §6).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors/index.ts';
import { diffTrees, formatJson, formatMarkdown, formatText } from '../git/diff.ts';
import type { ClusterFiles } from '../git/tree.ts';
import { PROVENANCE_DIR } from '../output/folder.ts';
import { printWarnings } from './output.ts';
import { renderFolder } from '../app/source.ts';

export type DiffFormat = 'text' | 'markdown' | 'json';

export interface DiffCommandOptions {
  source: string;
  /** Base revision of the source repository. */
  base?: string | undefined;
  /** Head revision; the working folder when absent. */
  head?: string | undefined;
  baseDir?: string | undefined;
  headDir?: string | undefined;
  format?: DiffFormat | undefined;
}

/** A folder written by `manifold render --out`: every non-hidden top-level folder is a cluster. */
export async function readRenderedFolder(dir: string): Promise<ClusterFiles> {
  if (!existsSync(dir) || !(await stat(dir)).isDirectory()) {
    throw InputError.single({ code: 'RENDERED_NOT_FOUND', file: dir, message: 'rendered folder does not exist' });
  }
  const clusters = new Map<string, Map<string, string>>();
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && e.name !== PROVENANCE_DIR && !e.name.startsWith('.'));
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const root = path.join(dir, entry.name);
    const files = new Map<string, string>();
    for (const f of await readdir(root, { recursive: true, withFileTypes: true })) {
      if (!f.isFile()) continue;
      const abs = path.join(f.parentPath, f.name);
      files.set(path.relative(root, abs).split(path.sep).join('/'), await readFile(abs, 'utf8'));
    }
    clusters.set(entry.name, files);
  }
  return clusters;
}

async function side(options: DiffCommandOptions, dir: string | undefined, ref: string | undefined): Promise<ClusterFiles> {
  if (dir !== undefined) return readRenderedFolder(dir);
  const result = await renderFolder({ source: options.source, sourceRef: ref });
  printWarnings(result.warnings);
  return result.clusters;
}

export function useColor(): boolean {
  return process.stdout.isTTY === true && (process.env.NO_COLOR === undefined || process.env.NO_COLOR === '');
}

export async function diffCommand(options: DiffCommandOptions): Promise<number> {
  if (options.base === undefined && options.baseDir === undefined) {
    throw InputError.single({ code: 'DIFF_NO_BASE', message: 'give the base side: --base REF (a revision of SOURCE) or --base-dir DIR (a rendered folder)' });
  }
  if (options.base !== undefined && options.baseDir !== undefined) {
    throw InputError.single({ code: 'DIFF_TWO_BASES', message: '--base and --base-dir are alternatives; give one' });
  }
  if (options.head !== undefined && options.headDir !== undefined) {
    throw InputError.single({ code: 'DIFF_TWO_HEADS', message: '--head and --head-dir are alternatives; give one' });
  }
  const base = await side(options, options.baseDir, options.base);
  const head = await side(options, options.headDir, options.head);
  const diffs = diffTrees(base, head);
  const format = options.format ?? 'text';
  const out = format === 'json' ? formatJson(diffs) : format === 'markdown' ? formatMarkdown(diffs) : formatText(diffs, { color: useColor() });
  process.stdout.write(out);
  return diffs.length === 0 ? 0 : 1;
}
