/**
 * Remotes: pushing a rendered commit and fetching one branch. HTTP(S)
 * remotes go through isomorphic-git (its only transports; ecosystem-notes.md
 * §2); a local path or `file://` URL is read and written directly
 * (local-remote.ts). A push that loses a race (the remote branch moved:
 * non-fast-forward, or the server's ref lock) fetches the new tip and
 * rebuilds the commit on it, so concurrent renderers all land. The local
 * branch moves only after the remote accepted the commit, so a failed push
 * leaves it where it was. The token never appears in any message.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import git, { type FsClient, type GitHttpRequest, type GitHttpResponse, type HttpClient } from 'isomorphic-git';
import { http } from './http.ts';
import { InputError, RuntimeError } from '../errors/index.ts';
import { redact, rememberSecret } from '../errors/redact.ts';
import { buildCommit, HashedTree, prefixSegments, type CommitOptions, type CommitResult, type RenderedTree } from './commit.ts';
import { copyReachable, openLocalRemote } from './local-remote.ts';
import { PushRefusedError, sendPack } from './send-pack.ts';
import { assertNotCheckedOut, branchRef, readCommit, readRef, RefMovedError, updateRef, type GitRepository } from './repo.ts';
import type { GitObject, Signature } from './objects.ts';

import { TOKEN_ENV } from './names.ts';
export { TOKEN_ENV };

/** Remote-tracking namespace used when the remote is given as a URL rather than a configured name. */
export const URL_REMOTE_NAME = 'manifold';

export interface RemoteTarget {
  /** Configured remote name, or URL_REMOTE_NAME for a URL or path. */
  name: string;
  /** The http(s) URL, or the absolute path of a local repository. */
  url: string;
  /** For messages: the configured name with its URL (`origin (https://…)`), or the URL; never with credentials. */
  label: string;
  /** A repository on this machine (path or file:// URL), read and written directly. */
  local?: GitRepository | undefined;
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

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const SCP_LIKE = /^[^/\s]+@[^/\s]+:/;

/** Whether a --remote/--push value that is not a configured remote name should be taken as a path. */
function looksLikePath(remote: string): boolean {
  return path.isAbsolute(remote) || remote.startsWith('.') || remote.includes('/') || fs.existsSync(remote);
}

/**
 * A URL (http, https, file), a local path, or a remote name from the
 * repository config (which wins over a same-named folder, as in git).
 * Relative paths in the config are relative to the repository, as git reads them.
 */
export async function resolveRemote(repo: GitRepository, remote: string): Promise<RemoteTarget> {
  if (SCHEME.test(remote) || SCP_LIKE.test(remote)) return targetForUrl(remote, redact(remote), URL_REMOTE_NAME, process.cwd());
  let url: unknown;
  try {
    url = await git.getConfig({ fs, gitdir: repo.gitdir, path: `remote.${remote}.url` });
  } catch {
    url = undefined;
  }
  if (typeof url === 'string' && url !== '') return targetForUrl(url, `${remote} (${redact(url)})`, remote, repo.workdir ?? repo.gitdir);
  if (looksLikePath(remote)) return targetForUrl(remote, remote, URL_REMOTE_NAME, process.cwd());
  throw InputError.single({
    code: 'GIT_UNKNOWN_REMOTE',
    message: `no remote named "${remote}" in ${repo.workdir ?? repo.gitdir} (give a configured remote name, an https URL or the path of a repository)`,
  });
}

function targetForUrl(url: string, label: string, name: string, base: string): RemoteTarget {
  if (/^https?:\/\//i.test(url)) {
    rememberUrlPassword(url);
    return { name, url, label };
  }
  if (/^file:\/\//i.test(url)) {
    const dir = fileURLToPath(url);
    return { name, url: dir, label, local: openLocalRemote(dir, label) };
  }
  if (SCHEME.test(url) || SCP_LIKE.test(url)) {
    throw InputError.single({
      code: 'GIT_REMOTE_TRANSPORT',
      message: `remote ${label}: only https://, http://, file:// and local paths are supported (isomorphic-git has no ssh or git transport); use the https URL`,
    });
  }
  const dir = path.resolve(base, url);
  return { name, url: dir, label, local: openLocalRemote(dir, label) };
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
  const where = redact(target.label, [state.token]);
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
  if (err instanceof RefMovedError || (err instanceof RuntimeError && err.code === 'GIT_REF_LOCKED')) return true;
  // receive-pack's reasons for a ref that is no longer where the push expected it (git builtin/receive-pack.c update()).
  if (err instanceof PushRefusedError) return /fetch first|non-fast-forward|failed to (update|lock)|cannot lock|stale info|is at [0-9a-f]+ but expected/i.test(err.reason);
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
  if (target.local !== undefined) return readRef(target.local, fullRef);
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
  if (target.local !== undefined) {
    await fetchLocalBranch(repo, target, target.local, fullRef);
    return;
  }
  const state: AuthState = { token, offered: false };
  try {
    await git.fetch({
      fs: await fsForFetch(repo, target),
      http: advertisingHead(fullRef),
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
    throw remoteError(err, target, state, 'fetching from');
  }
  repo.objects.refresh();
}

async function fetchLocalBranch(repo: GitRepository, target: RemoteTarget, local: GitRepository, fullRef: string): Promise<void> {
  const tip = await readRef(local, fullRef);
  if (tip === undefined) throw new RuntimeError('GIT_REMOTE_NO_BRANCH', `fetching from ${target.label}: it has no branch ${fullRef.slice('refs/heads/'.length)}`);
  await copyReachable(local, repo, tip);
  // The remote-tracking ref, as `git fetch` leaves it (a plain overwrite: it mirrors the remote).
  await git.writeRef({ fs, gitdir: repo.gitdir, ref: `refs/remotes/${target.name}/${fullRef.slice('refs/heads/'.length)}`, value: tip, force: true });
}

/**
 * isomorphic-git's fetch resolves the remote HEAD even when asked for one
 * branch, and fails ("Could not find HEAD") when HEAD names a branch without
 * commits, which git then leaves out of the ref advertisement
 * (isomorphic-git issue #1654, open). Only the branch is needed, so when the
 * advertisement has no HEAD this client adds one naming the wanted branch's
 * commit; everything else passes through unchanged.
 */
function advertisingHead(fullRef: string): HttpClient {
  return {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const res = await http.request(req);
      if ((req.method ?? 'GET') !== 'GET' || !/\/info\/refs\?service=git-upload-pack$/.test(req.url) || res.statusCode !== 200) return res;
      const chunks: Uint8Array[] = [];
      for await (const chunk of res.body ?? []) chunks.push(chunk);
      const body = withHeadAdvertised(Buffer.concat(chunks), fullRef);
      return { ...res, body: (async function* () { yield body; })() };
    },
  };
}

/** Adds `<oid> HEAD` after the first ref line of a v0/v1 upload-pack advertisement lacking HEAD (gitprotocol-http.txt, gitprotocol-pack.txt). */
export function withHeadAdvertised(body: Buffer, fullRef: string): Buffer {
  const lines: { start: number; end: number; text: string }[] = [];
  for (let pos = 0; pos + 4 <= body.length; ) {
    const len = Number.parseInt(body.toString('latin1', pos, pos + 4), 16);
    if (Number.isNaN(len)) return body;
    const end = len === 0 ? pos + 4 : pos + len;
    lines.push({ start: pos, end, text: len === 0 ? '' : body.toString('utf8', pos + 4, end) });
    pos = end;
  }
  const refs = lines.filter((l) => /^[0-9a-f]{40} /.test(l.text));
  const refName = (text: string) => text.slice(41).split('\0')[0]?.replace(/\n$/, '');
  if (refs.length === 0 || refs.some((l) => refName(l.text) === 'HEAD')) return body;
  const wanted = refs.find((l) => refName(l.text) === fullRef);
  if (wanted === undefined) return body;
  const line = `${wanted.text.slice(0, 40)} HEAD\n`;
  const pkt = Buffer.from(`${(line.length + 4).toString(16).padStart(4, '0')}${line}`, 'utf8');
  const after = (refs[0] as { end: number }).end;
  return Buffer.concat([body.subarray(0, after), pkt, body.subarray(after)]);
}

/** What a push sent: objects, and for HTTP the bytes of the request (undefined for a repository on this machine, copied directly). */
export interface PushStats {
  objects: number;
  bytes: number | undefined;
}

/**
 * Publishes `oid` as `fullRef` of the remote if the remote branch is still at
 * `expected` (undefined: absent). A lost race throws an error isLostRace
 * recognises; other failures are runtime errors naming the remote.
 */
export async function pushCommit(
  repo: GitRepository,
  target: RemoteTarget,
  oid: string,
  fullRef: string,
  expected: string | undefined,
  options: { token: string | undefined; who: Signature; action: string; inMemory?: ReadonlyMap<string, GitObject> | undefined },
): Promise<PushStats> {
  if (target.local !== undefined) {
    await assertNotCheckedOut(target.local, fullRef);
    const objects = await copyReachable(repo, target.local, oid);
    await updateRef(target.local, fullRef, oid, expected, { who: options.who, message: `push from ${repo.workdir ?? repo.gitdir}` });
    await writeTrackingRef(repo, target, fullRef, oid);
    return { objects, bytes: undefined };
  }
  const state: AuthState = { token: options.token, offered: false };
  let sent: PushStats;
  try {
    sent = await sendPack(repo, http, target.url, { head: oid, fullRef, expected, inMemory: options.inMemory }, authCallbacks(state));
  } catch (err) {
    if (isLostRace(err)) throw err;
    throw remoteError(err, target, state, options.action);
  }
  await writeTrackingRef(repo, target, fullRef, oid);
  return sent;
}

/** The remote-tracking ref, as git push and fetch leave it (a plain overwrite: it mirrors the remote). */
async function writeTrackingRef(repo: GitRepository, target: RemoteTarget, fullRef: string, oid: string): Promise<void> {
  await git.writeRef({ fs, gitdir: repo.gitdir, ref: `refs/remotes/${target.name}/${fullRef.slice('refs/heads/'.length)}`, value: oid, force: true });
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
  /** What the successful push sent (undefined when nothing was pushed). */
  sent?: PushStats | undefined;
}

/**
 * Commits the tree on top of the remote branch and pushes it. Retries after
 * a lost race up to `attempts` (default 5) times, each time on the fetched
 * new tip. Moves the local branch to the pushed commit at the end.
 *
 * Rendered commits that only the local branch has (an earlier `render
 * --commit`) are never dropped: when the local branch is ahead of the remote
 * one the new commit goes on top of it and the push publishes them; when the
 * two have diverged the push is refused (exit 2) with what to do.
 */
export async function pushRenderedTree(repo: GitRepository, tree: RenderedTree | HashedTree, options: PushOptions): Promise<PushResult> {
  const ref = branchRef(options.branch);
  prefixSegments(options.prefix);
  await assertNotCheckedOut(repo, ref);
  const target = await resolveRemote(repo, options.remote);
  const hashed = tree instanceof HashedTree ? tree : new HashedTree(tree);
  const maxAttempts = options.attempts ?? 5;
  const remoteLabel = redact(target.url, [options.token]);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const tip = await remoteBranchTip(target, ref, options.token, { forPush: true });
    if (tip !== undefined && !repo.objects.has(tip)) await fetchRemoteBranch(repo, target, ref, options.token);
    const parent = await pushParent(repo, target, ref, tip);
    const { prepared, commit, message } = await buildCommit(repo, hashed, parent, options);
    const head = commit?.oid ?? parent;
    const base = { ref, parent, tree: prepared.tree, clusters: prepared.clusters, message, remote: remoteLabel, attempts: attempt };
    if (head === undefined) throw new Error('unreachable: a tree with provenance always makes a commit on an empty branch');
    if (head === tip) {
      await moveLocal(repo, ref, head, options);
      return { ...base, commit: head, created: false, objectsWritten: 0, pushed: false };
    }
    const written = await repo.objects.write(commit === undefined ? [] : [...prepared.objects.values(), commit]);
    await options.beforePush?.(attempt);
    let sent: PushStats;
    try {
      // The new objects are still in memory: packed from there, not read back from disk.
      const inMemory = commit === undefined ? undefined : new Map([...prepared.objects, [commit.oid, commit]]);
      sent = await pushCommit(repo, target, head, ref, tip, { token: options.token, who: options.author, action: 'pushing to', inMemory });
    } catch (err) {
      if (isLostRace(err) && attempt < maxAttempts) continue;
      if (isLostRace(err)) throw new RuntimeError('GIT_PUSH_RACE', `pushing to ${remoteLabel}: ${ref} kept moving; gave up after ${attempt} attempts`);
      throw err;
    }
    await moveLocal(repo, ref, head, options);
    return { ...base, commit: head, created: commit !== undefined, objectsWritten: written, pushed: true, sent };
  }
  throw new RuntimeError('GIT_PUSH_RACE', `pushing to ${remoteLabel}: ${ref} kept moving; gave up after ${maxAttempts} attempts`);
}

/**
 * The commit to build on: the remote tip, or the local branch when the
 * remote has no branch yet or the local one is ahead of it (so local-only
 * rendered commits are published, not dropped). Diverged branches are refused.
 */
async function pushParent(repo: GitRepository, target: RemoteTarget, ref: string, tip: string | undefined): Promise<string | undefined> {
  const localTip = await readRef(repo, ref);
  if (tip === undefined || localTip === undefined || localTip === tip) return tip ?? localTip;
  if (await isAncestor(repo, tip, localTip)) return localTip;
  if (await isAncestor(repo, localTip, tip)) return tip;
  const branch = ref.slice('refs/heads/'.length);
  // The message names this ref: make sure it exists even when no fetch was needed.
  await git.writeRef({ fs, gitdir: repo.gitdir, ref: `refs/remotes/${target.name}/${branch}`, value: tip, force: true });
  throw InputError.single({
    code: 'GIT_BRANCH_DIVERGED',
    message:
      `the local branch ${branch} (${localTip.slice(0, 12)}) has rendered commits that ${target.label} does not have, and the remote one (${tip.slice(0, 12)}) has commits the local one does not; ` +
      `pushing would drop the local ones, so nothing was pushed. To keep them, merge the two with git and push ${branch}; to drop them, ` +
      `run \`git branch -f ${branch} refs/remotes/${target.name}/${branch}\`; then render --push again`,
  });
}

/** Whether `ancestor` is `descendant` or one of its ancestors (both present locally). */
export async function isAncestor(repo: GitRepository, ancestor: string, descendant: string): Promise<boolean> {
  const seen = new Set<string>();
  const pending = [descendant];
  while (pending.length > 0) {
    const oid = pending.pop() as string;
    if (oid === ancestor) return true;
    if (seen.has(oid) || !repo.objects.has(oid)) continue;
    seen.add(oid);
    pending.push(...(await readCommit(repo, oid)).parents);
  }
  return false;
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
