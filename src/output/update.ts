/**
 * Re-rendering into a folder that holds a previous render, in place (issue 19
 * item 3). Swapping in a whole new tree costs a name created for every file
 * and one removed for every old file, changed or not: at 2 M files that was
 * slower than the first render (144 s against 81 s). Updated in place, an
 * unchanged file costs one read and is left as it is (its mtime too, so
 * make, rsync or a file watcher see only what changed).
 *
 * DIR is still the old tree or the new one once any run is over, killed or
 * not: the render writes only the changed files, into the staging folder,
 * and lists what DIR holds that the new tree does not (the journal). Renaming
 * the staging folder from `-new-` to `-apply-` is the commit point: before
 * it, DIR is untouched and the staging folder is thrown away; after it, the
 * update is rolled forward (by this run, or by the next one if this one is
 * killed): the stale paths are removed, the staged files renamed over DIR's,
 * the provenance file last. Rolling forward twice does no harm.
 */
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';
import { RuntimeError } from '../errors/index.ts';
import { isProcessAlive } from '../host.ts';

/** The journal in an `-apply-` folder: DIR's paths to remove, one per line, relative to DIR. */
export const STALE_JOURNAL = '.stale-paths';

/** Files the new tree holds: per top-level folder of DIR, the paths inside it. */
export type ExpectedFiles = ReadonlyMap<string, readonly string[]>;

/**
 * What DIR holds that the new tree does not, relative to DIR: a folder no
 * expected file lies in is listed whole, as is anything that is not a plain
 * file or folder where one is expected (a symlink is listed, never followed).
 */
export function staleEntries(dir: string, expected: ExpectedFiles): string[] {
  const stale: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const files = expected.get(entry.name);
    if (files === undefined || !entry.isDirectory()) stale.push(entry.name);
    else collectStale(dir, entry.name, expectedPaths(entry.name, files), stale);
  }
  return stale;
}

interface ExpectedPaths {
  files: Set<string>;
  folders: Set<string>;
}

function expectedPaths(top: string, files: readonly string[]): ExpectedPaths {
  const paths: ExpectedPaths = { files: new Set(), folders: new Set() };
  for (const file of files) {
    paths.files.add(`${top}/${file}`);
    for (let at = file.lastIndexOf('/'); at > 0 && !paths.folders.has(`${top}/${file.slice(0, at)}`); at = file.lastIndexOf('/', at - 1)) {
      paths.folders.add(`${top}/${file.slice(0, at)}`);
    }
  }
  return paths;
}

function collectStale(dir: string, folder: string, expected: ExpectedPaths, stale: string[]): void {
  for (const entry of readdirSync(`${dir}/${folder}`, { withFileTypes: true })) {
    const rel = `${folder}/${entry.name}`;
    if (entry.isDirectory() && expected.folders.has(rel)) collectStale(dir, rel, expected, stale);
    else if (!(entry.isFile() && expected.files.has(rel))) stale.push(rel);
  }
}

/** A journal line is a path inside DIR: never absolute, never climbing out. */
function isInside(rel: string): boolean {
  return rel !== '' && !path.isAbsolute(rel) && !rel.split('/').some((part) => part === '..' || part === '.' || part === '');
}

/**
 * Completes an update whose staging folder was renamed to `applying`:
 * removes the journal's stale paths from DIR, renames every staged file over
 * DIR's (the provenance file last, which marks the tree complete), then
 * removes the `-apply-` folder. Returns the stale paths removed.
 */
export function rollForward(applying: string, target: string, provenanceFile: string): number {
  const journal = path.join(applying, STALE_JOURNAL);
  let removed = 0;
  if (existsSync(journal)) {
    for (const rel of readFileSync(journal, 'utf8').split('\n')) {
      if (!isInside(rel)) continue;
      rmSync(`${target}/${rel}`, { recursive: true, force: true });
      removed++;
    }
  }
  moveFiles(applying, target, '', new Set([STALE_JOURNAL, provenanceFile]));
  if (existsSync(path.join(applying, provenanceFile))) moveFile(applying, target, provenanceFile);
  rmSync(applying, { recursive: true, force: true });
  return removed;
}

function moveFiles(from: string, to: string, folder: string, skip: ReadonlySet<string>): void {
  for (const entry of readdirSync(folder === '' ? from : `${from}/${folder}`, { withFileTypes: true })) {
    const rel = folder === '' ? entry.name : `${folder}/${entry.name}`;
    if (skip.has(rel)) continue;
    if (entry.isDirectory()) moveFiles(from, to, rel, skip);
    else moveFile(from, to, rel);
  }
}

/** rename(2) replaces DIR's file in one step; a missing folder is made, and a folder in the way (not possible after the journal) removed. */
function moveFile(from: string, to: string, rel: string): void {
  const target = `${to}/${rel}`;
  try {
    renameSync(`${from}/${rel}`, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') ensureFolder(to, path.posix.dirname(rel));
    else if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') rmSync(target, { recursive: true, force: true });
    else throw err;
    renameSync(`${from}/${rel}`, target);
  }
}

/** Makes `rel` inside `root` a real folder: whatever is in the way (a file, a symlink) is removed, a link is never followed. */
function ensureFolder(root: string, rel: string): void {
  let at = root;
  for (const part of rel.split('/')) {
    at = `${at}/${part}`;
    const info = lstatSync(at, { throwIfNoEntry: false });
    if (info?.isDirectory() === true) continue;
    if (info !== undefined) rmSync(at, { force: true });
    // Not recursive: every parent was just checked to be a real folder.
    mkdirSync(at);
  }
}

/** `.DIR.manifold-lock` beside DIR: one update of DIR applies at a time. */
export function lockPathOf(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.manifold-lock`);
}

/** How long an update waits for another running render's update of the same DIR. */
const LOCK_WAIT_MS = 120_000;

/**
 * Takes DIR's update lock (a file created exclusively, holding this
 * process's id); a lock whose process is gone is taken over. Waits while a
 * live render holds it.
 */
export async function lockForUpdate(target: string): Promise<() => void> {
  const lock = lockPathOf(target);
  const started = Date.now();
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = lockHolder(lock);
    if (isDeadLock(lock, holder)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() - started > LOCK_WAIT_MS) {
      throw new RuntimeError('OUTPUT_LOCKED', `another render (process ${holder ?? 'unknown'}) has been updating ${target} for over ${LOCK_WAIT_MS / 1000} s`, { folder: target, lock });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function lockHolder(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** How long a lock may hold no process id: a live render writes its id right after creating the file. */
const UNNAMED_LOCK_MS = 5_000;

/** A lock whose process is gone, or one that has named no process for UNNAMED_LOCK_MS (its render was killed in between). */
function isDeadLock(lock: string, holder: number | undefined): boolean {
  if (holder !== undefined) return !isProcessAlive(holder);
  const info = statSync(lock, { throwIfNoEntry: false });
  return info !== undefined && Date.now() - info.mtimeMs > UNNAMED_LOCK_MS;
}

/** Removes DIR's update lock when its process is gone (a killed render's). */
export function removeDeadLock(target: string): boolean {
  const lock = lockPathOf(target);
  if (!existsSync(lock) || !isDeadLock(lock, lockHolder(lock))) return false;
  try {
    unlinkSync(lock);
    return true;
  } catch {
    return false;
  }
}

/** What identifies the previous render's provenance file: any render that completes into DIR replaces it (a new inode). */
export function provenanceIdentity(file: string): string | undefined {
  const info: Stats | undefined = statSync(file, { throwIfNoEntry: false });
  return info === undefined ? undefined : `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
}
