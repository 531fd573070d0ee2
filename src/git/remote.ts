/**
 * Pushing a rendered commit over HTTP(S) with isomorphic-git (its only
 * transports; ecosystem-notes.md §2). A push that loses a race (the remote
 * branch moved: non-fast-forward, or the server's ref lock) fetches the new
 * tip and rebuilds the commit on it, so concurrent renderers all land. The
 * local branch moves only after the remote accepted the commit, so a failed
 * push leaves it where it was. The token never appears in any message.
 */
import fs from 'node:fs';
import path from 'node:path';
import git, { type FsClient } from 'isomorphic-git';
import { http } from './http.ts';
import { InputError, RuntimeError } from '../errors/index.ts';
import { redact, rememberSecret } from '../errors/redact.ts';
import { buildCommit, HashedTree, prefixSegments, type CommitOptions, type CommitResult, type RenderedTree } from './commit.ts';
import { assertNotCheckedOut, branchRef, deleteLooseRef, readRef, updateRef, type GitRepository } from './repo.ts';

import { TOKEN_ENV } from './names.ts';
export { TOKEN_ENV };

/** Remote-tracking namespace used when the remote is given as a URL rather than a configured name. */
export const URL_REMOTE_NAME = 'manifold';

export interface RemoteTarget {
  /** Configured remote name, or URL_REMOTE_NAME for a bare URL. */
  name: string;
  url: string;
}

/** The password of `https://user:password@host/...`, remembered so that no message shows it. */
function rememberUrlPassword(url: string): void {
  try {
    const parsed = new URL(url);
    rememberSecret(decodeURIComponent(parsed.password));
    rememberSecret(parsed.password);
  } catch {
    // not a URL: nothing to remember
  }
}

/** A remote name from the repository config, or an http(s) URL. */
export async function resolveRemote(repo: GitRepository, remote: string): Promise<RemoteTarget> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote) || /^[^/\s]+@[^/\s]+:/.test(remote)) {
    if (!/^https?:\/\//i.test(remote)) {
      throw InputError.single({
        code: 'GIT_REMOTE_TRANSPORT',
        message: `remote "${redact(remote)}": only http:// and https:// remotes are supported (isomorphic-git has no ssh or file transport); use the https URL`,
      });
    }
    rememberUrlPassword(remote);
    return { name: URL_REMOTE_NAME, url: remote };
  }
  let url: unknown;
  try {
    url = await git.getConfig({ fs, gitdir: repo.gitdir, path: `remote.${remote}.url` });
  } catch {
    url = undefined;
  }
  if (typeof url !== 'string' || url === '') {
    throw InputError.single({ code: 'GIT_UNKNOWN_REMOTE', message: `no remote named "${remote}" in ${repo.workdir ?? repo.gitdir} (give a configured remote name or an https URL)` });
  }
  return resolveRemote(repo, url).then((t) => ({ ...t, name: remote }));
}

/** The token for one remote operation, and whether the server asked for it (for error messages). */
export interface AuthState {
  token: string | undefined;
  offered: boolean;
}

export function authCallbacks(state: AuthState) {
  rememberSecret(state.token);
  return {
    // GitHub App and Actions tokens authenticate as x-access-token (ecosystem-notes.md §2).
    onAuth: () => {
      if (state.token === undefined || state.token === '') return { cancel: true };
      state.offered = true;
      return { username: 'x-access-token', password: state.token };
    },
    onAuthFailure: () => ({ cancel: true }),
  };
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Turns transport and server failures into runtime errors (exit 3) with clear, credential-free messages. */
export function remoteError(err: unknown, target: RemoteTarget, state: AuthState, action: string): RuntimeError {
  const where = redact(target.url, [state.token]);
  const code = errorCode(err);
  const say = (c: string, m: string) => new RuntimeError(c, redact(m, [state.token]), { remote: where });
  if (code === 'UserCanceledError') {
    return state.offered
      ? say('GIT_AUTH_REJECTED', `${action} ${where}: the server rejected the token in ${TOKEN_ENV} (HTTP 401); check that it is valid and may write to the repository`)
      : say('GIT_AUTH_REQUIRED', `${action} ${where}: the server asks for credentials and ${TOKEN_ENV} is not set`);
  }
  if (code === 'HttpError') {
    const status = (err as { data?: { statusCode?: number } }).data?.statusCode;
    if (status === 403) return say('GIT_AUTH_REJECTED', `${action} ${where}: access denied (HTTP 403); the token in ${TOKEN_ENV} may not write to this repository`);
    if (status === 404) return say('GIT_REMOTE_NOT_FOUND', `${action} ${where}: repository not found (HTTP 404)`);
    return say('GIT_REMOTE_HTTP', `${action} ${where}: HTTP ${status ?? 'error'}`);
  }
  if (code !== undefined && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/.test(code)) {
    return say('GIT_REMOTE_UNREACHABLE', `${action} ${where}: cannot reach the remote (${code})`);
  }
  const message = err instanceof Error ? err.message : String(err);
  return say('GIT_REMOTE_FAILED', `${action} ${where}: ${message}`);
}

/** Whether a push failed because the remote branch moved (fetch, rebuild, retry). */
export function isLostRace(err: unknown): boolean {
  const code = errorCode(err);
  if (code === 'PushRejectedError') return true;
  if (code === 'GitPushError') {
    const message = err instanceof Error ? err.message : '';
    return /fetch first|non-fast-forward|failed to (update|lock)|cannot lock|stale info|is at [0-9a-f]+ but expected/i.test(message);
  }
  return false;
}

/**
 * The remote branch's current commit, undefined when the branch does not
 * exist there. `forPush` asks the receive-pack service (what a push will see);
 * readers with a read-only token ask upload-pack.
 */
export async function remoteBranchTip(
  target: RemoteTarget,
  fullRef: string,
  token: string | undefined,
  options: { forPush?: boolean } = {},
): Promise<string | undefined> {
  const state: AuthState = { token, offered: false };
  try {
    const forPush = options.forPush === true ? { forPush: true, protocolVersion: 1 as const } : {};
    const refs = await git.listServerRefs({ http, url: target.url, prefix: fullRef, ...forPush, ...authCallbacks(state) });
    return refs.find((r) => r.ref === fullRef)?.oid;
  } catch (err) {
    throw remoteError(err, target, state, 'reading refs of');
  }
}

/**
 * isomorphic-git's fetch needs `remote.<name>.fetch` in the config to name
 * the tracking ref. For a URL remote (or a configured one without a
 * refspec) the config is shown to it with that section added, in memory:
 * the user's config file is never written (and may not exist at all).
 */
async function fsForFetch(repo: GitRepository, target: RemoteTarget): Promise<FsClient> {
  let refspecs: unknown[] = [];
  try {
    refspecs = await git.getConfigAll({ fs, gitdir: repo.gitdir, path: `remote.${target.name}.fetch` });
  } catch {
    refspecs = [];
  }
  if (target.name !== URL_REMOTE_NAME && refspecs.length > 0) return fs;
  const configPath = path.resolve(repo.gitdir, 'config');
  const extra = `\n[remote "${target.name}"]\n\turl = ${target.url}\n\tfetch = +refs/heads/*:refs/remotes/${target.name}/*\n`;
  const real = fs.promises;
  const readFile = async (file: string, options?: unknown): Promise<string | Buffer> => {
    const isConfig = path.resolve(String(file)) === configPath;
    let data: string | Buffer;
    try {
      data = (await real.readFile(file, options as never)) as string | Buffer;
    } catch (err) {
      if (!isConfig) throw err;
      data = typeof options === 'string' || (typeof options === 'object' && options !== null && 'encoding' in options) ? '' : Buffer.alloc(0);
    }
    if (!isConfig) return data;
    return typeof data === 'string' ? data + extra : Buffer.concat([data, Buffer.from(extra)]);
  };
  return { promises: { ...real, readFile } } as unknown as FsClient;
}

/** Fetches one branch into the repository (remote-tracking ref under the remote's name). */
export async function fetchRemoteBranch(repo: GitRepository, target: RemoteTarget, fullRef: string, token: string | undefined): Promise<void> {
  const state: AuthState = { token, offered: false };
  try {
    await git.fetch({
      fs: await fsForFetch(repo, target),
      http,
      gitdir: repo.gitdir,
      url: target.url,
      remote: target.name,
      ref: fullRef.slice('refs/heads/'.length),
      singleBranch: true,
      tags: false,
      cache: repo.cache,
      ...authCallbacks(state),
    });
  } catch (err) {
    // isomorphic-git (1.44) cannot fetch from a repository whose HEAD names a branch without commits.
    if (err instanceof Error && /Could not find HEAD/.test(err.message)) {
      throw new RuntimeError('GIT_REMOTE_NO_HEAD', `fetching from ${redact(target.url, [token])}: the remote's default branch (HEAD) has no commit; push one to it first`);
    }
    throw remoteError(err, target, state, 'fetching from');
  }
  repo.objects.refresh();
}

export interface PushOptions extends CommitOptions {
  /** Remote name from the repository config, or an http(s) URL. */
  remote: string;
  /** Token for HTTP basic auth (from MANIFOLD_GIT_TOKEN); never printed. */
  token?: string | undefined;
  /** Called before each push attempt (tests line up concurrent pushers with it). */
  beforePush?: ((attempt: number) => Promise<void>) | undefined;
}

export interface PushResult extends CommitResult {
  pushed: boolean;
  /** Push attempts made (more than one after a lost race). */
  attempts: number;
  remote: string;
}

/**
 * Commits the tree on top of the remote branch and pushes it. Retries after
 * a lost race up to `attempts` (default 5) times, each time on the fetched
 * new tip. Moves the local branch to the pushed commit at the end.
 */
export async function pushRenderedTree(repo: GitRepository, tree: RenderedTree | HashedTree, options: PushOptions): Promise<PushResult> {
  const ref = branchRef(options.branch);
  prefixSegments(options.prefix);
  await assertNotCheckedOut(repo, ref);
  const target = await resolveRemote(repo, options.remote);
  const state: AuthState = { token: options.token, offered: false };
  const hashed = tree instanceof HashedTree ? tree : new HashedTree(tree);
  const maxAttempts = options.attempts ?? 5;
  const tempRef = `refs/manifold/push/${process.pid}/${ref.slice('refs/heads/'.length)}`;
  const remoteLabel = redact(target.url, [state.token]);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const tip = await remoteBranchTip(target, ref, state.token, { forPush: true });
    if (tip !== undefined && !repo.objects.has(tip)) await fetchRemoteBranch(repo, target, ref, state.token);
    const localTip = await readRef(repo, ref);
    // The remote is the truth once the branch exists there; before that, build on the local branch.
    const parent = tip ?? localTip;
    const { prepared, commit, message } = await buildCommit(repo, hashed, parent, options);
    const head = commit?.oid ?? parent;
    const base = { ref, parent, tree: prepared.tree, clusters: prepared.clusters, message, remote: remoteLabel, attempts: attempt };
    if (head === undefined) throw new Error('unreachable: a tree with provenance always makes a commit on an empty branch');
    if (head === tip) {
      await moveLocal(repo, ref, head, options);
      return { ...base, commit: head, created: false, objectsWritten: 0, pushed: false };
    }
    const written = await repo.objects.write(commit === undefined ? [] : [...prepared.objects.values(), commit]);
    await updateRef(repo, tempRef, head, await readRef(repo, tempRef), { who: options.author, message: 'manifold: push' });
    await options.beforePush?.(attempt);
    try {
      await git.push({ fs, http, gitdir: repo.gitdir, url: target.url, remote: target.name, ref: tempRef, remoteRef: ref, cache: repo.cache, ...authCallbacks(state) });
    } catch (err) {
      if (isLostRace(err) && attempt < maxAttempts) continue;
      if (isLostRace(err)) {
        throw new RuntimeError('GIT_PUSH_RACE', `pushing to ${remoteLabel}: ${ref} kept moving; gave up after ${attempt} attempts`);
      }
      throw remoteError(err, target, state, 'pushing to');
    } finally {
      await deleteLooseRef(repo, tempRef);
    }
    await moveLocal(repo, ref, head, options);
    return { ...base, commit: head, created: commit !== undefined, objectsWritten: written, pushed: true };
  }
  throw new RuntimeError('GIT_PUSH_RACE', `pushing to ${remoteLabel}: ${ref} kept moving; gave up after ${maxAttempts} attempts`);
}

/** The local branch follows what the remote now holds (it is a mirror of the rendered branch). */
async function moveLocal(repo: GitRepository, ref: string, oid: string, options: PushOptions): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const current = await readRef(repo, ref);
    if (current === oid) return;
    try {
      await updateRef(repo, ref, oid, current, { who: options.author, message: 'manifold: render (pushed)' });
      return;
    } catch (err) {
      if (i === 2) throw err;
    }
  }
}
