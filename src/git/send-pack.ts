/**
 * The client side of a push over smart HTTP (git `send-pack`), sending only
 * the objects the remote lacks. isomorphic-git's push lists every object of
 * the new commit and of the remote's tip (two walks of the whole tree) and
 * packs them through its own object reader, so a one-file change on a large
 * rendered branch cost as much as the branch. Here the cost follows the
 * change:
 *
 * - commits: from the new commit back to the remote's tip (the branch is
 *   rebuilt on that tip, so normally one commit);
 * - trees and blobs: each new commit's tree is compared with its parent's,
 *   path by path, and a subtree whose id is unchanged is skipped without
 *   being read (identical ids mean identical contents, and the remote holds
 *   everything reachable from a commit it has). This is git's own "sparse"
 *   walk (git revision.c `mark_trees_uninteresting_sparse`, the default since
 *   git 2.27, `pack.useSparse`): like it, an object that moved to another path
 *   is sent again, which costs bytes, never correctness.
 *
 * A changed file or folder of at least 1 KiB goes as a delta against the
 * version the remote has at its path (delta.ts) when that halves it; the
 * rest goes whole. The ref update names the tip the branch was built on as
 * its old value, so
 * receive-pack moves the ref only if the branch is still there (a
 * compare-and-swap on the server; a lost race is reported, not forced).
 * Protocol: gitprotocol-pack.txt ("Pushing Data To a Server", report-status),
 * gitprotocol-http.txt (smart service git-receive-pack), gitformat-pack.txt.
 */
import { createHash } from 'node:crypto';
import git, { type GitHttpRequest, type GitHttpResponse, type HttpClient } from 'isomorphic-git';
import { RuntimeError } from '../errors/index.ts';
import { decodeCommit, decodeTree, isDirMode, type GitObject, type ObjectType } from './objects.ts';
import { encodeDelta } from './delta.ts';
import { deflateAll, packObjectHeader, TYPE_CODES } from './store.ts';
import { ZERO_OID, type GitRepository } from './repo.ts';

/** Gitlinks (submodule commits) live in another repository: never sent, as git does not. */
const MODE_GITLINK = '160000';
/** Objects read and compressed at a time while packing (bounds memory on a cold push of a large tree). */
const PACK_BATCH = 4096;
/** zlib's default level, git's `core.compression` default: a push is sent once and read by the server, so bytes count. */
const WIRE_LEVEL = 6;

/** The push was refused by the server for one ref (`ng REF REASON`), or the branch is no longer an ancestor. */
export class PushRefusedError extends RuntimeError {
  readonly reason: string;
  constructor(ref: string, reason: string) {
    super('GIT_PUSH_REFUSED', `the remote refused ${ref}: ${reason}`, { ref, reason });
    this.reason = reason;
  }
}

/**
 * The commits to send, newest first: those reachable from `head` and not
 * from `remoteTip`. The walk stops at the remote's tip; a branch that does
 * not lead back to it is not a fast-forward (the remote moved), refused here
 * before anything is sent.
 */
export async function commitsToSend(repo: GitRepository, head: string, remoteTip: string | undefined): Promise<{ oid: string; tree: string; parent: string | undefined }[]> {
  const found: { oid: string; tree: string; parent: string | undefined }[] = [];
  const seen = new Set<string>();
  const pending = [head];
  let reachedTip = remoteTip === undefined;
  while (pending.length > 0) {
    const oid = pending.shift() as string;
    if (seen.has(oid)) continue;
    seen.add(oid);
    if (oid === remoteTip) {
      reachedTip = true;
      continue;
    }
    const commit = decodeCommit((await repo.objects.read(oid)).body);
    found.push({ oid, tree: commit.tree, parent: commit.parents[0] });
    pending.push(...commit.parents);
  }
  if (!reachedTip) throw new PushRefusedError(head, `non-fast-forward: it does not build on the remote's ${remoteTip}`);
  return found;
}

/**
 * What a push sends: the objects, and for each changed file or folder the
 * version the remote holds at the same path (the base of a delta), with the
 * bodies of the base folders the walk read anyway.
 */
export interface PushPlan {
  oids: string[];
  bases: Map<string, string>;
  baseBodies: Map<string, Buffer>;
}

/**
 * The ids of the trees and blobs under `tree` that are not in `base` at the
 * same path (the sparse walk described above), added to `plan.oids` in the
 * order found. `base` undefined: the whole subtree.
 */
async function newTreeObjects(repo: GitRepository, tree: string, base: string | undefined, seen: Set<string>, plan: PushPlan): Promise<void> {
  if (tree === base || seen.has(tree)) return;
  seen.add(tree);
  plan.oids.push(tree);
  const entries = decodeTree((await repo.objects.read(tree)).body);
  let before = new Map<string, { mode: string; oid: string }>();
  if (base !== undefined) {
    const body = (await repo.objects.read(base)).body;
    plan.baseBodies.set(base, body);
    plan.bases.set(tree, base);
    before = new Map(decodeTree(body).map((e) => [e.name, e]));
  }
  for (const entry of entries) {
    if (entry.mode === MODE_GITLINK) continue;
    const old = before.get(entry.name);
    if (old?.oid === entry.oid) continue;
    const oldDir = old !== undefined && isDirMode(old.mode);
    if (isDirMode(entry.mode)) {
      await newTreeObjects(repo, entry.oid, oldDir ? old.oid : undefined, seen, plan);
    } else if (!seen.has(entry.oid)) {
      seen.add(entry.oid);
      plan.oids.push(entry.oid);
      if (old !== undefined && !oldDir && old.mode !== MODE_GITLINK) plan.bases.set(entry.oid, old.oid);
    }
  }
}

/** Every object `head` has that the remote at `remoteTip` lacks: commits first, then their trees and blobs. */
export async function objectsToSend(repo: GitRepository, head: string, remoteTip: string | undefined): Promise<PushPlan> {
  const commits = await commitsToSend(repo, head, remoteTip);
  const sending = new Set(commits.map((c) => c.oid));
  const plan: PushPlan = { oids: [...sending], bases: new Map(), baseBodies: new Map() };
  const seen = new Set<string>();
  // Oldest first: a later commit's base folders may be the earlier one's new folders, sent in this same pack.
  for (const commit of [...commits].reverse()) {
    // The parent's tree is at the remote, or sent in this same pack (its commit is in `commits`).
    const parentTree = commit.parent !== undefined && (commit.parent === remoteTip || sending.has(commit.parent)) ? decodeCommit((await repo.objects.read(commit.parent)).body).tree : undefined;
    await newTreeObjects(repo, commit.tree, parentTree, seen, plan);
  }
  return plan;
}

/** Below this size an object is sent whole: a delta would save too little to be worth computing. */
const DELTA_MIN_BYTES = 1024;

/**
 * A changed file or folder as a delta against the version the remote has at
 * its path (REF_DELTA: the base named by id, gitformat-pack.txt), when that
 * is under half the size; undefined to send it whole. The base may be in the
 * remote only (a thin pack, which receive-pack completes: index-pack --fix-thin).
 */
async function asDelta(repo: GitRepository, object: GitObject, plan: Pick<PushPlan, 'bases' | 'baseBodies'>): Promise<{ base: string; delta: Buffer } | undefined> {
  const base = plan.bases.get(object.oid);
  if (base === undefined || object.body.length < DELTA_MIN_BYTES) return undefined;
  const baseBody = plan.baseBodies.get(base) ?? (await repo.objects.read(base)).body;
  const delta = encodeDelta(baseBody, object.body);
  return delta.length < object.body.length / 2 ? { base, delta } : undefined;
}

const REF_DELTA = 7;

/**
 * A version 2 pack of these objects, as the chunks of one buffer (header,
 * objects, SHA-1 trailer); changed files and folders as deltas when `plan`
 * names their bases. Objects in `inMemory` (the commit just built) are taken
 * from there instead of being read back from disk.
 */
export async function packOf(repo: GitRepository, oids: readonly string[], inMemory?: ReadonlyMap<string, GitObject>, plan?: Pick<PushPlan, 'bases' | 'baseBodies'>): Promise<Buffer[]> {
  const sha = createHash('sha1');
  const chunks: Buffer[] = [];
  const add = (b: Buffer) => {
    sha.update(b);
    chunks.push(b);
  };
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'latin1');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(oids.length, 8);
  add(header);
  for (let start = 0; start < oids.length; start += PACK_BATCH) {
    const batch = await Promise.all(oids.slice(start, start + PACK_BATCH).map((oid) => inMemory?.get(oid) ?? repo.objects.read(oid).then((o) => ({ oid, ...o }))));
    const deltas = await Promise.all(batch.map((o) => (plan === undefined ? undefined : asDelta(repo, o, plan))));
    const compressed = await deflateAll(batch.map((o, i) => deltas[i]?.delta ?? o.body), WIRE_LEVEL);
    for (const [i, o] of batch.entries()) {
      const delta = deltas[i];
      if (delta === undefined) add(packObjectHeader(TYPE_CODES[o.type], o.body.length));
      else add(Buffer.concat([packObjectHeader(REF_DELTA, delta.delta.length), Buffer.from(delta.base, 'hex')]));
      add(compressed[i] as Buffer);
    }
  }
  chunks.push(sha.digest());
  return chunks;
}

/** One pkt-line: four hex digits of length (themselves included), then the payload. */
function pktLine(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, '0'), 'latin1'), payload]);
}
const FLUSH = Buffer.from('0000', 'latin1');

/** The payloads of a pkt-line stream, flush packets left out. */
function readPktLines(data: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  for (let pos = 0; pos + 4 <= data.length; ) {
    const len = Number.parseInt(data.toString('latin1', pos, pos + 4), 16);
    if (Number.isNaN(len)) throw new Error(`malformed response from git-receive-pack at byte ${pos}`);
    if (len === 0) {
      pos += 4;
      continue;
    }
    lines.push(data.subarray(pos + 4, pos + len));
    pos += len;
  }
  return lines;
}

export interface ReceivePackReport {
  /** `ok`, or what went wrong unpacking. */
  unpack: string;
  /** Per ref: undefined when updated, else the reason (`ng REF REASON`). */
  refs: Map<string, string | undefined>;
}

/**
 * The server's report-status, out of side-band band 1 when side-band-64k was
 * asked for; band 3 (a fatal error) is thrown, band 2 (progress) dropped.
 */
export function parseReceivePackResponse(body: Buffer, sideBand: boolean): ReceivePackReport {
  let status = body;
  if (sideBand) {
    const band1: Buffer[] = [];
    for (const line of readPktLines(body)) {
      if (line[0] === 1) band1.push(line.subarray(1));
      else if (line[0] === 3) throw new Error(`the remote failed: ${line.subarray(1).toString('utf8').trim()}`);
    }
    status = Buffer.concat(band1);
  }
  const report: ReceivePackReport = { unpack: '', refs: new Map() };
  for (const raw of readPktLines(status)) {
    const line = raw.toString('utf8').replace(/\n$/, '');
    if (line.startsWith('unpack ')) report.unpack = line.slice('unpack '.length);
    else if (line.startsWith('ok ')) report.refs.set(line.slice(3), undefined);
    else if (line.startsWith('ng ')) {
      const [ref = '', ...reason] = line.slice(3).split(' ');
      report.refs.set(ref, reason.join(' ') || 'refused');
    }
  }
  return report;
}

/** What the server advertises for a push, and the Authorization header that was accepted for it. */
interface Advertisement {
  refs: Map<string, string>;
  capabilities: Set<string>;
  authorization: string | undefined;
}

/**
 * The receive-pack advertisement, through isomorphic-git's discovery (its
 * 401 → onAuth → retry loop and URL credentials); the header the server
 * accepted is kept for the POST, as isomorphic-git's own push does.
 */
async function advertisement(http: HttpClient, url: string, auth: Pick<Parameters<typeof git.getRemoteInfo2>[0], 'onAuth' | 'onAuthFailure'>): Promise<Advertisement> {
  let authorization: string | undefined;
  const recording: HttpClient = {
    async request(req: GitHttpRequest): Promise<GitHttpResponse> {
      const res = await http.request(req);
      if (res.statusCode === 200) authorization = Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
      return res;
    },
  };
  const info = await git.getRemoteInfo2({ http: recording, url, forPush: true, protocolVersion: 1, ...auth });
  const refs = new Map((info.refs ?? []).map((r) => [r.ref, r.oid]));
  const capabilities = new Set(Object.keys(info.capabilities));
  return { refs, capabilities, authorization };
}

async function collect(body: AsyncIterable<Uint8Array> | undefined): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body ?? []) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** An HTTP failure in the shape isomorphic-git gives it, so that one function (remote.ts remoteError) words them all. */
function httpError(statusCode: number): Error {
  return Object.assign(new Error(`HTTP ${statusCode}`), { code: 'HttpError', data: { statusCode } });
}

export interface SendPackResult {
  /** Objects in the pack sent. */
  objects: number;
  /** Bytes of the request body: the ref update and the pack. */
  bytes: number;
}

/**
 * Moves `fullRef` of the remote at `url` from `expected` (undefined: absent)
 * to `head`, sending the objects the remote lacks. A lost race (the ref is
 * elsewhere) throws PushRefusedError; HTTP failures throw in isomorphic-git's
 * shapes for remoteError.
 */
export async function sendPack(
  repo: GitRepository,
  http: HttpClient,
  url: string,
  push: { head: string; fullRef: string; expected: string | undefined; inMemory?: ReadonlyMap<string, GitObject> | undefined },
  auth: Pick<Parameters<typeof git.getRemoteInfo2>[0], 'onAuth' | 'onAuthFailure'>,
): Promise<SendPackResult> {
  const advertised = await advertisement(http, url, auth);
  const current = advertised.refs.get(push.fullRef);
  if (current !== push.expected) throw new PushRefusedError(push.fullRef, `stale info: it is at ${current ?? 'no branch'}, not ${push.expected ?? 'no branch'}`);
  const plan = await objectsToSend(repo, push.head, push.expected);
  // A server that cannot complete a thin pack says so (no-thin): then every object goes whole.
  const deltaBases = advertised.capabilities.has('no-thin') ? undefined : plan;
  // Only what the server advertised may be asked for (some servers abort on an unknown capability).
  const capabilities = ['report-status', 'side-band-64k'].filter((c) => advertised.capabilities.has(c));
  const command = pktLine(`${push.expected ?? ZERO_OID} ${push.head} ${push.fullRef}\0${capabilities.join(' ')}\n`);
  const body = Buffer.concat([command, FLUSH, ...(await packOf(repo, plan.oids, push.inMemory, deltaBases))]);
  const headers: Record<string, string> = { 'content-type': 'application/x-git-receive-pack-request', accept: 'application/x-git-receive-pack-result' };
  if (advertised.authorization !== undefined) headers.authorization = advertised.authorization;
  const res = await http.request({ method: 'POST', url: `${withoutCredentials(url)}/git-receive-pack`, headers, body: (async function* () {
    yield body;
  })() });
  const response = await collect(res.body);
  if (res.statusCode !== 200) throw httpError(res.statusCode);
  // Without report-status (no git server of the last fifteen years) the 200 is all there is to go by.
  if (capabilities.includes('report-status')) checkReport(parseReceivePackResponse(response, capabilities.includes('side-band-64k')), push.fullRef);
  return { objects: plan.oids.length, bytes: body.length };
}

/** Throws what the server's report-status says went wrong: the unpack, or the ref (PushRefusedError). */
function checkReport(report: ReceivePackReport, fullRef: string): void {
  if (report.unpack !== 'ok') throw new Error(`the remote could not unpack what was sent: ${report.unpack || 'no report'}`);
  if (!report.refs.has(fullRef)) throw new Error(`the remote did not report on ${fullRef}`);
  const refused = report.refs.get(fullRef);
  if (refused !== undefined) throw new PushRefusedError(fullRef, refused);
}

/** The URL without `user:password@`: the credentials travel in the Authorization header discovery settled on. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return url;
  parsed.username = '';
  parsed.password = '';
  return parsed.href.replace(/\/$/, '');
}
