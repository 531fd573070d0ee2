/**
 * Reading a source repository from a folder (DESIGN.md §1): every *.yaml,
 * *.yml and *.json below the root, except .git/, node_modules/, hidden
 * directories, the output directory and what manifold.yaml excludes.
 */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

export interface SourceFile {
  /** Path relative to the source root, with forward slashes. */
  path: string;
  text: string;
}

export const SOURCE_EXTENSIONS = ['.yaml', '.yml', '.json'];
export const SETTINGS_FILE = 'manifold.yaml';

export interface ListOptions {
  /** Glob patterns (relative to the root) of files or folders to leave out. */
  exclude?: readonly string[];
  /** Relative paths of folders to leave out (the output folder). */
  skipDirs?: readonly string[];
}

export function isSourceFile(relPath: string): boolean {
  return SOURCE_EXTENSIONS.includes(path.posix.extname(relPath).toLowerCase());
}

/** True when a relative path is inside a skipped or excluded location. */
export function isExcluded(relPath: string, options: ListOptions): boolean {
  const segments = relPath.split('/');
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] as string;
    const isDir = i < segments.length - 1;
    if (isDir && (seg === 'node_modules' || seg.startsWith('.'))) return true;
  }
  for (const dir of options.skipDirs ?? []) {
    if (dir !== '' && (relPath === dir || relPath.startsWith(`${dir}/`))) return true;
  }
  for (const pattern of options.exclude ?? []) {
    if (path.posix.matchesGlob(relPath, pattern)) return true;
    // A pattern naming a folder excludes everything below it.
    if (path.posix.matchesGlob(relPath, `${pattern.replace(/\/+$/, '')}/**`)) return true;
  }
  return false;
}

/**
 * Lists source files below `root`, sorted by path so every run sees the same
 * order. Skipped folders (.git, hidden, node_modules, the output) are not
 * entered at all: a repository's .git can hold many thousands of files.
 */
export async function listSourceFiles(root: string, options: ListOptions = {}): Promise<string[]> {
  const files: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(rel === '' ? root : path.join(root, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        // Only what can never hold a source file is pruned here; globs are matched per file, as before.
        const skipped = entry.name === 'node_modules' || entry.name.startsWith('.') || (options.skipDirs ?? []).includes(child);
        if (!skipped) await walk(child);
      } else if (entry.isFile() && isSourceFile(child) && !isExcluded(child, options)) {
        files.push(child);
      }
    }
  };
  await walk('');
  return files.sort(byteOrder);
}

/**
 * Reads every source file. One synchronous read after another: for thousands
 * of small files this is ten times faster than as many promises on libuv's
 * thread pool, and a render waits for all of them anyway.
 */
export async function readSourceFolder(root: string, options: ListOptions = {}): Promise<SourceFile[]> {
  const files = await listSourceFiles(root, options);
  return files.map((rel) => ({ path: rel, text: readFileSync(path.join(root, rel), 'utf8') }));
}

export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
