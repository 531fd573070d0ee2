/**
 * Remotes on this machine (a path or a `file://` URL). isomorphic-git has no
 * file transport, so the other repository is opened directly: a fetch copies
 * the objects reachable from one branch tip that this repository lacks, and a
 * push copies them the other way and moves the remote branch under git's
 * lock file with a compare-and-swap (`updateRef`), which is what
 * `git receive-pack` does for a local push. Only the named branch is read.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors/index.ts';
import { decodeCommit, decodeTree, type GitObject } from './objects.ts';
import { ObjectStore } from './store.ts';
import type { GitRepository } from './repo.ts';

/** Gitlinks (submodule commits) live in another repository: never copied, as git does not. */
const MODE_GITLINK = '160000';

function isGitDir(dir: string): boolean {
  return existsSync(path.join(dir, 'HEAD')) && existsSync(path.join(dir, 'objects')) && existsSync(path.join(dir, 'refs'));
}

/**
 * The repository at exactly `dir` (bare, or a working tree with `.git/`);
 * unlike openRepository it never walks up to a parent folder, so a typo
 * cannot silently name the enclosing repository.
 */
export function openLocalRemote(dir: string, label: string): GitRepository {
  const abs = path.resolve(dir);
  const dotgit = path.join(abs, '.git');
  if (existsSync(dotgit) && statSync(dotgit).isDirectory()) return { workdir: abs, gitdir: dotgit, objects: new ObjectStore(dotgit), cache: {} };
  if (isGitDir(abs)) return { workdir: undefined, gitdir: abs, objects: new ObjectStore(abs), cache: {} };
  throw InputError.single({ code: 'GIT_REMOTE_NOT_FOUND', file: abs, message: `remote ${label}: there is no git repository at this path` });
}

/**
 * Copies into `to` every object reachable from `tip` in `from` that `to`
 * does not hold. A commit or tree `to` already has is taken as complete
 * (git's connectivity invariant), so a repeated fetch copies only what is new.
 * Returns how many objects were written.
 */
export async function copyReachable(from: GitRepository, to: GitRepository, tip: string): Promise<number> {
  const found = new Map<string, GitObject>();
  const pending = [tip];
  while (pending.length > 0) {
    const oid = pending.pop() as string;
    if (found.has(oid) || to.objects.has(oid)) continue;
    const { type, body } = await from.objects.read(oid);
    found.set(oid, { oid, type, body });
    if (type === 'commit') {
      const commit = decodeCommit(body);
      pending.push(commit.tree, ...commit.parents);
    } else if (type === 'tree') {
      for (const e of decodeTree(body)) if (e.mode !== MODE_GITLINK) pending.push(e.oid);
    } else if (type === 'tag') {
      const target = /^object ([0-9a-f]{40})$/m.exec(body.toString('utf8'))?.[1];
      if (target !== undefined) pending.push(target);
    }
  }
  const written = await to.objects.write(found.values());
  to.objects.refresh();
  return written;
}
