/**
 * A git repository on disk: where its git directory is, what a ref names,
 * and moving a ref safely. Ref updates take git's own lock file
 * (`<ref>.lock`, created exclusively; git `lockfile.c`, `refs/files-backend.c`)
 * and compare the current value first, so a concurrent `git` or Manifold
 * process can never be overwritten silently.
 */
import fs, { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { appendFile, link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { InputError, RuntimeError } from '../errors/index.ts';
import { isProcessAlive } from '../host.ts';
import { printableLines } from '../errors/terminal.ts';
import { decodeCommit, formatSignature, type Signature } from './objects.ts';
import { ObjectNotFoundError, ObjectStore } from './store.ts';

export interface GitRepository {
  /** The working tree, when the repository has one. */
  workdir?: string | undefined;
  /**
   * The git directory holding objects, refs and config. For a linked worktree
   * (`git worktree add`) this is the common directory of the main repository.
   */
  gitdir: string;
  /** Where this working tree's own HEAD lives, when not in `gitdir` (a linked worktree's `.git/worktrees/NAME`). */
  headDir?: string | undefined;
  objects: ObjectStore;
  /** Shared isomorphic-git cache (docs/cache.md): reuses parsed pack indexes across calls. */
  cache: object;
  /** Where to say that a stale lock was taken over; stderr when not set. */
  warn?: ((message: string) => void) | undefined;
}

export const ZERO_OID = '0000000000000000000000000000000000000000';

function isGitDir(dir: string): boolean {
  return existsSync(path.join(dir, 'HEAD')) && existsSync(path.join(dir, 'objects')) && existsSync(path.join(dir, 'refs'));
}

/**
 * The git directory a `.git` file points to (`gitdir: PATH`, relative to the
 * file's folder; git setup.c `read_gitfile_gently`), and for a linked worktree
 * the common directory its `commondir` file names (git worktree.c): objects,
 * refs and config live there, HEAD stays in the worktree's own directory.
 */
function linkedGitDirs(dotgitFile: string): { gitdir: string; headDir?: string } | undefined {
  const target = /^gitdir: (.+?)\r?\n?$/.exec(readFileSync(dotgitFile, 'utf8'))?.[1];
  if (target === undefined) return undefined;
  const own = path.resolve(path.dirname(dotgitFile), target);
  if (!existsSync(path.join(own, 'HEAD'))) return undefined;
  const commondirFile = path.join(own, 'commondir');
  if (!existsSync(commondirFile)) return isGitDir(own) ? { gitdir: own } : undefined; // a submodule: a whole git directory
  const common = path.resolve(own, readFileSync(commondirFile, 'utf8').trim());
  return isGitDir(common) ? { gitdir: common, headDir: own } : undefined;
}

/** Finds the repository containing `dir` (a working tree, a linked worktree, a submodule or a bare repository). */
export function findRepository(dir: string): GitRepository | undefined {
  let current = path.resolve(dir);
  for (;;) {
    const dotgit = path.join(current, '.git');
    if (existsSync(dotgit)) {
      if (statSync(dotgit).isDirectory()) return repositoryAt(current, dotgit);
      const linked = linkedGitDirs(dotgit);
      return linked === undefined ? undefined : repositoryAt(current, linked.gitdir, linked.headDir);
    }
    if (isGitDir(current) && path.basename(current) !== '.git') return repositoryAt(undefined, current);
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

function repositoryAt(workdir: string | undefined, gitdir: string, headDir?: string): GitRepository {
  return { workdir, gitdir, headDir, objects: new ObjectStore(gitdir), cache: {} };
}

export function openRepository(dir: string, role = 'repository'): GitRepository {
  if (!existsSync(dir)) {
    throw InputError.single({ code: 'GIT_REPO_NOT_FOUND', file: dir, message: `${role} folder does not exist` });
  }
  const repo = findRepository(dir);
  if (repo === undefined) {
    throw InputError.single({ code: 'GIT_REPO_NOT_FOUND', file: dir, message: `not inside a git repository (${role})` });
  }
  return repo;
}

/** `git check-ref-format` rules, enough to refuse names git would refuse. */
export function branchNameProblem(name: string): string | undefined {
  if (name === '' || name === '@') return 'is empty';
  if (name.startsWith('-') || name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return 'has a leading "-" or "/", or a trailing "/" or "."';
  if (name.includes('..') || name.includes('//') || name.includes('@{')) return 'contains "..", "//" or "@{"';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20~^:?*[\\\x7f]/.test(name)) return 'contains a space, control character or one of ~ ^ : ? * [ \\';
  if (name.split('/').some((seg) => seg.startsWith('.') || seg.endsWith('.lock'))) return 'has a component starting with "." or ending in ".lock"';
  // Each component is a file name under .git/refs (plus `.lock` while it is written): git itself cannot create a longer one.
  if (name.split('/').some((seg) => Buffer.byteLength(seg) > MAX_REF_COMPONENT)) return `has a component longer than ${MAX_REF_COMPONENT} bytes (git stores each as a file name)`;
  return undefined;
}

/**
 * The full ref of a branch the user named (`x` or `refs/heads/x`). Besides
 * git's rules, `HEAD` (git refuses it as a branch name, `strbuf_check_branch_ref`)
 * and other `refs/…` names are refused: `refs/tags/x` would silently become
 * a branch named `refs/heads/refs/tags/x`.
 */
export function branchRef(branch: string): string {
  const short = branch.startsWith('refs/heads/') ? branch.slice('refs/heads/'.length) : branch;
  const problem =
    short === 'HEAD'
      ? 'is HEAD, which names the checked-out commit, not a branch'
      : short.startsWith('refs/')
        ? 'names a ref outside refs/heads/; give a branch name such as manifold/rendered'
        : branchNameProblem(short);
  if (problem !== undefined) {
    throw InputError.single({ code: 'GIT_BAD_BRANCH', message: `branch name "${branch.length > 200 ? `${branch.slice(0, 200)}...` : branch}" ${problem}` });
  }
  return `refs/heads/${short}`;
}

/** isomorphic-git, loaded when first needed: most runs resolve refs from their files alone. */
async function isomorphicGit(): Promise<typeof import('isomorphic-git').default> {
  return (await import('isomorphic-git')).default;
}

const OID_LINE = /^[0-9a-f]{40}\n?$/;

/** The file of a loose ref: HEAD is the working tree's own, everything else is shared. */
function refFile(repo: GitRepository, fullRef: string): string {
  return path.join(fullRef === 'HEAD' ? (repo.headDir ?? repo.gitdir) : repo.gitdir, fullRef);
}

/** git refs.c SYMREF_MAXDEPTH: how many symbolic refs git follows before calling it a loop. */
const SYMREF_MAXDEPTH = 5;

/**
 * A ref name git cannot have created: a component longer than a file name
 * (git writes `<component>.lock` first), or a path longer than Linux's PATH_MAX.
 */
function unstorableRef(fullRef: string): boolean {
  return Buffer.byteLength(fullRef) > 4000 || fullRef.split('/').some((seg) => Buffer.byteLength(seg) > MAX_REF_COMPONENT);
}

/** 255 bytes of a file name minus `.lock`. */
const MAX_REF_COMPONENT = 250;

/** The current value of a full ref name, or undefined when it does not exist. */
export async function readRef(repo: GitRepository, fullRef: string, depth = 0): Promise<string | undefined> {
  if (depth > SYMREF_MAXDEPTH) {
    throw new RuntimeError('GIT_REF_LOOP', `symbolic refs in ${repo.gitdir} form a loop (more than ${SYMREF_MAXDEPTH} levels at ${fullRef.slice(0, 200)})`);
  }
  if (unstorableRef(fullRef)) return undefined;
  // A loose ref holding an id wins over packed-refs, as in git; anything else (symbolic, packed) goes the long way.
  const loose = fullRef.startsWith('refs/') || fullRef === 'HEAD' ? await readTextIfExists(refFile(repo, fullRef)) : undefined;
  if (loose !== undefined && OID_LINE.test(loose)) return loose.slice(0, 40);
  const symbolic = loose?.match(/^ref: (refs\/[^\n]+)\n?$/);
  if (symbolic?.[1] !== undefined && symbolic[1] !== fullRef) return readRef(repo, symbolic[1], depth + 1);
  const git = await isomorphicGit();
  try {
    return await git.resolveRef({ fs, gitdir: repo.gitdir, ref: fullRef, depth: SYMREF_MAXDEPTH });
  } catch (err) {
    if (isCode(err, 'NotFoundError')) return undefined;
    if (isCode(err, 'MaxDepthError')) throw new RuntimeError('GIT_REF_LOOP', `symbolic refs in ${repo.gitdir} form a loop (at ${fullRef.slice(0, 200)})`);
    // isomorphic-git reports a loop through short names (`a` → refs/heads/a → …) as an InternalError.
    const reason = isCode(err, 'InternalError') ? 'a symbolic ref loop or a damaged ref file' : err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new RuntimeError('GIT_REF_UNREADABLE', `cannot resolve ${fullRef.slice(0, 200)} in ${repo.gitdir}: ${reason}`);
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/**
 * Resolves what a user typed (`main`, `v1.2`, `origin/main`, `HEAD`, a full
 * or abbreviated commit id, with `~N` / `^` suffixes) to a commit id.
 * Unknown names are input errors (exit 2).
 */
export async function resolveCommit(repo: GitRepository, spec: string): Promise<string> {
  const match = /^(.*?)((?:[~^]\d*)*)$/.exec(spec);
  const base = match?.[1] ?? spec;
  const suffix = match?.[2] ?? '';
  const shown = spec.length > 200 ? `${spec.slice(0, 200)}...` : spec;
  const unknown = (why = '') =>
    InputError.single({ code: 'GIT_UNKNOWN_REF', message: `unknown revision "${shown}" in ${repo.workdir ?? repo.gitdir}${why}` });
  if (base === '') throw unknown();
  let oid: string | undefined;
  if (/^[0-9a-f]{40}$/i.test(base)) {
    oid = repo.objects.has(base.toLowerCase()) ? base.toLowerCase() : undefined;
  } else {
    for (const candidate of [base, `refs/${base}`, `refs/tags/${base}`, `refs/heads/${base}`, `refs/remotes/${base}`]) {
      oid = await readRef(repo, candidate);
      if (oid !== undefined) break;
    }
    if (oid === undefined && /^[0-9a-f]{4,39}$/i.test(base)) {
      try {
        oid = await (await isomorphicGit()).expandOid({ fs, gitdir: repo.gitdir, oid: base.toLowerCase(), cache: repo.cache });
      } catch (err) {
        if (isCode(err, 'AmbiguousError')) {
          throw InputError.single({ code: 'GIT_AMBIGUOUS_REF', message: `abbreviated id "${base}" is ambiguous` });
        }
        oid = undefined;
      }
    }
  }
  if (oid === undefined) throw unknown();
  oid = await peelToCommit(repo, oid, unknown);
  // A parent beyond a shallow clone's boundary (HEAD~1 of a depth-1 clone) is not in the repository.
  const parentsOf = async (child: string): Promise<string[]> => {
    try {
      return (await readCommit(repo, child)).parents;
    } catch (err) {
      if (err instanceof ObjectNotFoundError) throw unknown(` (commit ${err.oid} is not in the repository: a shallow clone?)`);
      throw err;
    }
  };
  for (const step of suffix.match(/[~^]\d*/g) ?? []) {
    const n = step.length > 1 ? Number(step.slice(1)) : 1;
    if (step[0] === '^') {
      const parents = await parentsOf(oid);
      if (n === 0) continue;
      oid = parents[n - 1];
      if (oid === undefined) throw unknown();
    } else {
      for (let i = 0; i < n; i++) {
        oid = (await parentsOf(oid as string))[0];
        if (oid === undefined) throw unknown();
      }
    }
  }
  if (!repo.objects.has(oid)) throw unknown(` (commit ${oid} is not in the repository: a shallow clone?)`);
  return oid;
}

async function peelToCommit(repo: GitRepository, oid: string, unknown: () => InputError): Promise<string> {
  for (let depth = 0; depth < 10; depth++) {
    let obj;
    try {
      obj = await repo.objects.read(oid);
    } catch (err) {
      if (err instanceof ObjectNotFoundError) throw unknown();
      throw err;
    }
    if (obj.type === 'commit') return oid;
    if (obj.type !== 'tag') throw unknown();
    const target = /^object ([0-9a-f]{40})$/m.exec(obj.body.toString('utf8'))?.[1];
    if (target === undefined) throw unknown();
    oid = target;
  }
  throw unknown();
}

export async function readCommit(repo: GitRepository, oid: string): Promise<{ tree: string; parents: string[]; message: string }> {
  const obj = await repo.objects.read(oid);
  if (obj.type !== 'commit') throw new RuntimeError('GIT_NOT_A_COMMIT', `${oid} is a ${obj.type}, not a commit`);
  return decodeCommit(obj.body);
}

export class RefMovedError extends RuntimeError {
  constructor(ref: string, expected: string | undefined, actual: string | undefined) {
    super(
      'GIT_REF_MOVED',
      `${ref} moved while Manifold was writing (expected ${expected ?? 'no branch'}, found ${actual ?? 'no branch'})`,
      { ref, expected, actual },
    );
  }
}

/**
 * A lock held longer than this belongs to a process that died: Manifold and
 * git hold a ref lock for the milliseconds of one compare-and-write.
 */
export const STALE_LOCK_AGE_MS = 10 * 60_000;

/**
 * What Manifold writes into a lock it holds, until the lock becomes the ref
 * file: whose it is, so that a later run can tell a lock left by a killed
 * process from one a live process holds (git never reads a lock's content).
 */
function lockOwnerRecord(): string {
  return `manifold-lock pid=${process.pid} host=${hostname()}\n`;
}

/** Why an existing lock is stale, or undefined when a live process may hold it. */
function staleLockReason(content: string, ageMs: number): string | undefined {
  const owner = /^manifold-lock pid=(\d+) host=(.*)\n$/.exec(content);
  if (owner !== null && owner[2] === hostname() && !isProcessAlive(Number(owner[1]))) {
    return `it was left by Manifold process ${owner[1]}, which is no longer running`;
  }
  if (ageMs > STALE_LOCK_AGE_MS) return `it is ${Math.round(ageMs / 60_000)} minutes old`;
  return undefined;
}

/** What a lock file holds and how old it is, or undefined when it is gone. */
async function inspectLock(lock: string): Promise<{ content: string; ageMs: number } | undefined> {
  try {
    const [content, info] = await Promise.all([readFile(lock, 'utf8'), stat(lock)]);
    return { content, ageMs: Date.now() - info.mtimeMs };
  } catch (err) {
    if (isCode(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/**
 * Removes a stale lock unless another process replaced it meanwhile: the
 * lock is first renamed aside (atomic, so only one taker gets it) and put
 * back if what was taken is not the lock that was judged stale.
 */
async function removeStaleLock(lock: string, judged: string): Promise<boolean> {
  const aside = `${lock}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lock, aside);
  } catch (err) {
    if (isCode(err, 'ENOENT')) return true; // someone else removed it: try to take the lock again
    throw err;
  }
  if ((await readFile(aside, 'utf8')) === judged) {
    await rm(aside, { force: true });
    return true;
  }
  await link(aside, lock).catch(() => undefined); // never replaces a lock created since
  await rm(aside, { force: true });
  return false;
}

function warnOnStderr(message: string): void {
  process.stderr.write(`warning: ${printableLines(message)}\n`);
}

/**
 * Creates `lock` exclusively, as git does, with the owner recorded in it from
 * the first instant: the record is written to a file of our own and linked
 * to the lock name (link fails when the lock exists), so no kill can leave
 * an empty lock that no later run could judge. A lock left by a killed
 * process (its Manifold owner is not running on this host, or it is older
 * than STALE_LOCK_AGE_MS) is taken over with a warning; a live one is an
 * error that says what to do.
 */
export async function acquireLock(lock: string, fullRef: string, warn: (message: string) => void = warnOnStderr): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await linkOwnedLock(lock, stagingDir(lock, fullRef))) return;
    const found = await inspectLock(lock);
    if (found === undefined) continue;
    const stale = staleLockReason(found.content, found.ageMs);
    if (stale === undefined) {
      throw new RuntimeError(
        'GIT_REF_LOCKED',
        `${fullRef} is locked by another process (${lock} exists); retry when it is done, or, if no git or Manifold process is writing to this repository, remove ${lock}`,
        { ref: fullRef, lock },
      );
    }
    if (await removeStaleLock(lock, found.content)) warn(`took over the lock ${lock}: ${stale}`);
  }
  throw new RuntimeError('GIT_REF_LOCKED', `${fullRef}: could not take the lock ${lock}; other processes keep taking it, retry`, { ref: fullRef, lock });
}

/** Creates `lock` holding the owner record, atomically; false when it exists. */
async function linkOwnedLock(lock: string, dir: string): Promise<boolean> {
  const staged = stagedName(dir);
  await writeFile(staged, lockOwnerRecord());
  try {
    await link(staged, lock);
    return true;
  } catch (err) {
    if (isCode(err, 'EEXIST')) return false;
    throw err;
  } finally {
    await rm(staged, { force: true });
  }
}

/**
 * A file name in `dir` that only this process uses. Staged files live in the
 * git directory itself, never under refs/, where git would read a leftover
 * as a (broken) ref.
 */
function stagedName(dir: string): string {
  return path.join(dir, `manifold-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** The git directory of `<gitdir>/<fullRef>.lock`. */
function stagingDir(lock: string, fullRef: string): string {
  const suffix = `${path.sep}${fullRef.split('/').join(path.sep)}.lock`;
  return lock.endsWith(suffix) ? lock.slice(0, -suffix.length) : path.dirname(lock);
}

/**
 * Moves `fullRef` from `expected` (undefined: must not exist) to `oid` under
 * git's lock file. Appends a reflog entry when the repository keeps one for
 * the ref (git's default for branches of non-bare repositories).
 */
export async function updateRef(
  repo: GitRepository,
  fullRef: string,
  oid: string,
  expected: string | undefined,
  reflog: { who: Signature; message: string },
): Promise<void> {
  const file = path.join(repo.gitdir, fullRef);
  const lock = `${file}.lock`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
  } catch (err) {
    if (isCode(err, 'EEXIST') || isCode(err, 'ENOTDIR')) {
      // git refuses this too: `refs/heads/a` cannot be both a branch and a folder of branches.
      throw InputError.single({ code: 'GIT_REF_CONFLICT', message: `cannot create ${fullRef}: a ref named like one of its parent folders exists` });
    }
    throw err;
  }
  await acquireLock(lock, fullRef, repo.warn ?? warnOnStderr);
  try {
    const actual = await readRef(repo, fullRef);
    if (actual !== expected) throw new RefMovedError(fullRef, expected, actual);
    // The ref is written beside it and renamed into place while the lock (with
    // its owner record) is held, so a kill at any point leaves either the old
    // ref or the new one, and a lock a later run can judge.
    const staged = stagedName(repo.gitdir);
    try {
      await writeFile(staged, `${oid}\n`);
      await rename(staged, file);
    } finally {
      await rm(staged, { force: true });
    }
    await rm(lock, { force: true });
  } catch (err) {
    await rm(lock, { force: true });
    throw err;
  }
  if (repo.workdir !== undefined && fullRef.startsWith('refs/heads/')) {
    const log = path.join(repo.gitdir, 'logs', fullRef);
    await mkdir(path.dirname(log), { recursive: true });
    const line = `${expected ?? ZERO_OID} ${oid} ${formatSignature(reflog.who)}\t${reflog.message.replace(/\n/g, ' ')}\n`;
    await appendFile(log, line);
  }
}

/**
 * Refuses a branch that is checked out in the working tree: moving it without
 * a checkout would make every rendered file look deleted or modified there
 * (git refuses `git branch -f` on it for the same reason).
 */
export async function assertNotCheckedOut(repo: GitRepository, fullRef: string): Promise<void> {
  for (const { head, workdir } of checkouts(repo)) {
    if ((await readTextIfExists(head))?.trim() !== `ref: ${fullRef}`) continue;
    throw InputError.single({
      code: 'GIT_BRANCH_CHECKED_OUT',
      message: `${fullRef.slice('refs/heads/'.length)} is the branch checked out in ${workdir}; Manifold commits without a checkout, so give another --branch`,
    });
  }
}

/**
 * Every working tree of the repository and its HEAD file: this one, the
 * main one (when the git directory is a `.git` folder) and the linked ones
 * under `worktrees/` (git refuses to move a branch checked out in any of them,
 * builtin/branch.c / worktree.c `find_shared_symref`).
 */
function checkouts(repo: GitRepository): { head: string; workdir: string }[] {
  const found: { head: string; workdir: string }[] = [];
  if (repo.workdir !== undefined) found.push({ head: path.join(repo.headDir ?? repo.gitdir, 'HEAD'), workdir: repo.workdir });
  if (repo.headDir !== undefined && path.basename(repo.gitdir) === '.git') found.push({ head: path.join(repo.gitdir, 'HEAD'), workdir: path.dirname(repo.gitdir) });
  const linked = path.join(repo.gitdir, 'worktrees');
  if (existsSync(linked)) {
    for (const name of readdirSync(linked).sort()) {
      const own = path.join(linked, name);
      if (own === repo.headDir) continue;
      const dotgit = existsSync(path.join(own, 'gitdir')) ? readFileSync(path.join(own, 'gitdir'), 'utf8').trim() : own;
      found.push({ head: path.join(own, 'HEAD'), workdir: path.dirname(dotgit) });
    }
  }
  return found;
}

/** Removes a ref this process created (temporary push refs). */
export async function deleteLooseRef(repo: GitRepository, fullRef: string): Promise<void> {
  await rm(path.join(repo.gitdir, fullRef), { force: true });
  await rm(path.join(repo.gitdir, 'logs', fullRef), { force: true });
}

/** `user.name` / `user.email` from the repository config, as git would use for commits. */
export async function configuredIdentity(repo: GitRepository): Promise<{ name?: string; email?: string }> {
  const get = async (key: string) => {
    try {
      const v: unknown = await (await isomorphicGit()).getConfig({ fs, gitdir: repo.gitdir, path: key });
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  };
  const out: { name?: string; email?: string } = {};
  const name = await get('user.name');
  const email = await get('user.email');
  if (name !== undefined) out.name = name;
  if (email !== undefined) out.email = email;
  return out;
}

export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Local branch names (short, e.g. `manifold/failover/eu-1`) that start with `prefix`, sorted. */
export async function listBranches(repo: GitRepository, prefix: string): Promise<string[]> {
  const names = await (await isomorphicGit()).listBranches({ fs, gitdir: repo.gitdir });
  return names.filter((n) => n.startsWith(prefix)).sort();
}

/** Deletes a local branch (loose or packed ref); nothing when it does not exist. */
export async function deleteBranch(repo: GitRepository, branch: string): Promise<void> {
  const ref = branchRef(branch);
  if ((await readRef(repo, ref)) === undefined) return;
  await (await isomorphicGit()).deleteRef({ fs, gitdir: repo.gitdir, ref });
}
