/**
 * The diff use case: render two sides (a commit, the working folder, or an
 * already rendered folder) and compare them per cluster (git/diff.ts).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors/index.ts';
import { diffTrees, type ClusterDiff } from '../git/diff.ts';
import type { ClusterFiles } from '../git/tree.ts';
import { PROVENANCE_DIR } from '../output/folder.ts';
import { notifyWarnings, type Notify } from './notices.ts';
import { renderFolder } from './source.ts';

export interface DiffOptions {
  source: string;
  /** Base revision of the source repository. */
  base?: string | undefined;
  /** Head revision; the working folder when absent. */
  head?: string | undefined;
  baseDir?: string | undefined;
  headDir?: string | undefined;
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

async function side(options: DiffOptions, dir: string | undefined, ref: string | undefined, notify: Notify): Promise<ClusterFiles> {
  if (dir !== undefined) return readRenderedFolder(dir);
  const result = await renderFolder({ source: options.source, sourceRef: ref });
  notifyWarnings(notify, result.warnings);
  return result.clusters;
}

function checkSides(options: DiffOptions): void {
  if (options.base === undefined && options.baseDir === undefined) {
    throw InputError.single({ code: 'DIFF_NO_BASE', message: 'give the base side: --base REF (a revision of SOURCE) or --base-dir DIR (a rendered folder)' });
  }
  if (options.base !== undefined && options.baseDir !== undefined) {
    throw InputError.single({ code: 'DIFF_TWO_BASES', message: '--base and --base-dir are alternatives; give one' });
  }
  if (options.head !== undefined && options.headDir !== undefined) {
    throw InputError.single({ code: 'DIFF_TWO_HEADS', message: '--head and --head-dir are alternatives; give one' });
  }
}

/** The clusters whose rendered files differ, base against head (empty: no change). */
export async function diff(options: DiffOptions, notify: Notify): Promise<ClusterDiff[]> {
  checkSides(options);
  const base = await side(options, options.baseDir, options.base, notify);
  const head = await side(options, options.headDir, options.head, notify);
  return diffTrees(base, head);
}
