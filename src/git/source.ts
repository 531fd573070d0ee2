/**
 * load, from git: the source files of a commit, read straight from the object
 * database (no checkout), with exactly the folder reader's rules
 * (src/load/source.ts: extensions, hidden folders, node_modules, the output
 * folder, manifold.yaml excludes). Also tells whether a working folder is
 * exactly a commit's content, so a folder render can record its commit.
 */
import path from 'node:path';
import { parseSettings } from '../load/repository.ts';
import { byteOrder, isExcluded, isSourceFile, SETTINGS_FILE, type ListOptions, type SourceFile } from '../load/source.ts';
import type { ProjectSettingsSpec } from '../model/settings.ts';
import { blobObject, isDirMode, MODE_FILE } from './objects.ts';
import { readCommit, readRef, type GitRepository } from './repo.ts';
import { readTreeEntries } from './tree.ts';
import { InputError } from '../errors/index.ts';

/** Where the source lies inside the repository: forward-slash path relative to the working tree root ('' = root). */
export function sourceSubdir(repo: GitRepository, sourceDir: string): string {
  if (repo.workdir === undefined) return '';
  const rel = path.relative(repo.workdir, path.resolve(sourceDir)).split(path.sep).join('/');
  return rel.startsWith('..') ? '' : rel;
}

async function subtreeAt(repo: GitRepository, treeOid: string, subdir: string): Promise<string | undefined> {
  let oid: string | undefined = treeOid;
  for (const seg of subdir.split('/').filter((s) => s !== '')) {
    const entry = (await readTreeEntries(repo.objects, oid)).get(seg);
    if (entry === undefined || !isDirMode(entry.mode)) return undefined;
    oid = entry.oid;
  }
  return oid;
}

interface BlobRef {
  path: string;
  oid: string;
}

/** Regular files below a tree (symlinks and submodules are not source files, as readdir's isFile() says for folders). */
async function listBlobs(repo: GitRepository, treeOid: string, options: ListOptions): Promise<BlobRef[]> {
  const out: BlobRef[] = [];
  const walk = async (oid: string, prefix: string): Promise<void> => {
    for (const e of (await readTreeEntries(repo.objects, oid)).values()) {
      const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
      if (isDirMode(e.mode)) {
        // Hidden folders, node_modules and the output folder hold no source: do not even read them.
        if (!isExcluded(`${rel}/x`, { skipDirs: options.skipDirs ?? [] })) await walk(e.oid, rel);
      } else if ((e.mode === MODE_FILE || e.mode === '100755') && isSourceFile(rel) && !isExcluded(rel, options)) {
        out.push({ path: rel, oid: e.oid });
      }
    }
  };
  await walk(treeOid, '');
  return out.sort((a, b) => byteOrder(a.path, b.path));
}

async function readText(repo: GitRepository, oid: string): Promise<string> {
  return (await repo.objects.read(oid)).body.toString('utf8');
}

interface Listing {
  settings: ProjectSettingsSpec;
  blobs: BlobRef[];
}

/** Settings first (they can exclude files), then the source files below `subdir`; undefined when the folder is absent. */
async function listCommitSource(
  repo: GitRepository,
  commit: string,
  subdir: string,
  options: { skipDirs?: readonly string[] },
): Promise<Listing | undefined> {
  const root = await subtreeAt(repo, (await readCommit(repo, commit)).tree, subdir);
  if (root === undefined) return undefined;
  const settingsEntry = (await readTreeEntries(repo.objects, root)).get(SETTINGS_FILE);
  const settingsText = settingsEntry !== undefined && !isDirMode(settingsEntry.mode) ? await readText(repo, settingsEntry.oid) : undefined;
  const settings = parseSettings(settingsText === undefined ? undefined : { path: SETTINGS_FILE, text: settingsText });
  const skipDirs = [...(options.skipDirs ?? [])];
  if (settings.output !== undefined) {
    const rel = path.posix.normalize(settings.output).replace(/\/+$/, '');
    if (rel !== '' && rel !== '.' && !rel.startsWith('..')) skipDirs.push(rel);
  }
  return { settings, blobs: await listBlobs(repo, root, { exclude: settings.exclude ?? [], skipDirs }) };
}

export interface CommitSource {
  commit: string;
  files: SourceFile[];
  settings: ProjectSettingsSpec;
}

/**
 * The source files of `commit` below `subdir`. `skipDirs` (relative to the
 * source root) are left out like the folder reader leaves out the output folder.
 */
export async function readCommitSource(
  repo: GitRepository,
  commit: string,
  subdir: string,
  options: { skipDirs?: readonly string[] } = {},
): Promise<CommitSource> {
  const listing = await listCommitSource(repo, commit, subdir, options);
  if (listing === undefined) {
    throw InputError.single({
      code: 'SOURCE_NOT_FOUND',
      file: subdir === '' ? '.' : subdir,
      message: `the source folder does not exist in commit ${commit.slice(0, 12)}`,
    });
  }
  const files = await Promise.all(listing.blobs.map(async (b) => ({ path: b.path, text: await readText(repo, b.oid) })));
  return { commit, files, settings: listing.settings };
}

/**
 * The HEAD commit when `files` (as read from the working folder) are exactly
 * the source files of HEAD, byte for byte; undefined when anything differs
 * (uncommitted, untracked or ignored source files) or there is no HEAD.
 */
export async function cleanHeadCommit(
  repo: GitRepository,
  subdir: string,
  files: readonly SourceFile[],
  options: { skipDirs?: readonly string[] } = {},
): Promise<string | undefined> {
  const head = await readRef(repo, 'HEAD');
  if (head === undefined) return undefined;
  let listing: Listing | undefined;
  try {
    listing = await listCommitSource(repo, head, subdir, options);
  } catch (err) {
    if (err instanceof InputError) return undefined; // HEAD's manifold.yaml is invalid: certainly not what was rendered
    throw err;
  }
  if (listing === undefined || listing.blobs.length !== files.length) return undefined;
  const byPath = new Map(listing.blobs.map((b) => [b.path, b.oid]));
  for (const f of files) {
    if (byPath.get(f.path) !== blobObject(f.text).oid) return undefined;
  }
  return head;
}
