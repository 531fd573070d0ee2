/**
 * Reading a report (`--status REF|DIR`): the files `manifold reconcile`
 * writes to its report branch (default `manifold/status`), taken either from
 * a commit of a git repository (a branch, remote-tracking branch, tag or
 * commit id) or from a folder with the same layout (`clusters/<name>.json`,
 * plus whatever else the branch holds, e.g. `rollouts/`).
 *
 * Every consumer of live state (render with live status, failover proposals,
 * rollout gates, `manifold status`) reads the report through this one door,
 * so they all refuse the same bad input the same way: a status file that is
 * not JSON or does not match schemas/manifold-cluster-status.json is an
 * InputError naming the file, line and field (exit 2), a name that does not
 * exist is an InputError too, and nothing is decided on a partial report.
 *
 * "Now" for a decision made from a report is the report commit's committer
 * time (`origin.time`), never the reader's clock, so the same commits give
 * the same decision on any machine (a folder has no such time: callers take
 * `--now` or refuse).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError, type Problem } from '../errors/index.ts';
import { isDirMode } from '../git/objects.ts';
import { findRepository, readCommit, resolveCommit, type GitRepository } from '../git/repo.ts';
import { readTreeEntries } from '../git/tree.ts';
import { ClusterStatusSchema, STATUS_DIR } from '../reconcile/report.ts';
import type { ClusterStatus } from '../reconcile/types.ts';
import { parseFileWithPositions } from './documents.ts';
import { zodProblems } from './validate.ts';

export type StatusOrigin =
  | { kind: 'commit'; spec: string; commit: string; /** committer time of the report commit, ISO 8601 UTC */ time: string }
  | { kind: 'folder'; path: string };

export interface StatusSnapshot {
  origin: StatusOrigin;
  /** Every status file, validated, sorted by cluster name. */
  clusters: ClusterStatus[];
  /** Every file of the report (paths relative to its root, `/`-separated, sorted). */
  paths: string[];
  /** A file of the report as text; undefined when there is no such file. */
  readText(relPath: string): Promise<string | undefined>;
  /**
   * The committer time of the oldest report commit, in the unbroken
   * first-parent run ending at this one, whose status of `cluster` satisfies
   * `holds` (e.g. "Synced at C": when the report first said so). Undefined
   * when this commit's status does not hold, or for a folder (no history).
   * Walks at most `maxCommits` commits (the time found so far is returned).
   */
  since(cluster: string, holds: (status: ClusterStatus) => boolean, maxCommits?: number): Promise<string | undefined>;
}

export interface ReadStatusOptions {
  /** Folder that a relative DIR and the repository search start from. */
  cwd: string;
  /** Repository to resolve REF in; default: the repository containing `cwd`. */
  repo?: GitRepository | undefined;
}

/** Reads and validates a report from a folder (when `spec` names one) or a revision. */
export async function readStatusSnapshot(spec: string, options: ReadStatusOptions): Promise<StatusSnapshot> {
  const folder = path.resolve(options.cwd, spec);
  if (existsSync(folder) && statSync(folder).isDirectory()) return snapshotOf({ kind: 'folder', path: folder }, folderFiles(folder));
  const repo = options.repo ?? findRepository(options.cwd);
  if (repo === undefined) throw notFound(spec, `no folder of that name, and ${options.cwd} is not inside a git repository`);
  let commit: string;
  try {
    commit = await resolveCommit(repo, spec);
  } catch (err) {
    if (err instanceof InputError) throw notFound(spec, `no folder and no revision of that name in ${repo.workdir ?? repo.gitdir} (has the reconciler written its report there yet? fetch it first when it lives on a remote)`);
    throw err;
  }
  const time = await committerTime(repo, commit);
  const snapshot = await snapshotOf({ kind: 'commit', spec, commit, time }, await commitFiles(repo, commit));
  return { ...snapshot, since: (cluster, holds, maxCommits) => statusSince(repo, commit, cluster, holds, maxCommits) };
}

function notFound(spec: string, why: string): InputError {
  return InputError.single({ code: 'STATUS_NOT_FOUND', field: '--status', message: `report "${spec}" not found: ${why}` });
}

/** A report's files: path → a reader of its text. */
type FileReaders = Map<string, () => Promise<string>>;

async function snapshotOf(origin: StatusOrigin, files: FileReaders): Promise<StatusSnapshot> {
  const clusters: ClusterStatus[] = [];
  const problems: Problem[] = [];
  const paths = [...files.keys()].sort();
  for (const file of paths) {
    if (!isStatusFile(file)) continue;
    const text = await (files.get(file) as () => Promise<string>)();
    const parsed = parseStatusText(file, text);
    if ('problems' in parsed) problems.push(...parsed.problems);
    else clusters.push(parsed.status);
  }
  if (problems.length > 0) throw new InputError(problems);
  return {
    origin,
    clusters: clusters.sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0)),
    paths,
    readText: async (relPath) => files.get(relPath)?.(),
    since: async () => undefined,
  };
}

function isStatusFile(relPath: string): boolean {
  return relPath.startsWith(`${STATUS_DIR}/`) && relPath.endsWith('.json') && !relPath.slice(STATUS_DIR.length + 1).includes('/');
}

/**
 * One status file, validated: JSON (with the line of a syntax error), the
 * schema (with the line of the offending field), and a `cluster` field that
 * matches the file name, since the name is what the reconciler keys on.
 */
export function parseStatusText(file: string, text: string): { status: ClusterStatus } | { problems: Problem[] } {
  const parsed = parseFileWithPositions({ path: file, text });
  if (parsed.problems.length > 0) return { problems: parsed.problems.map((p) => ({ ...p, code: 'STATUS_INVALID' })) };
  const doc = parsed.documents[0];
  if (doc === undefined || parsed.documents.length > 1) {
    return { problems: [{ code: 'STATUS_INVALID', severity: 'error', file, message: 'a status file holds exactly one JSON object' }] };
  }
  const result = ClusterStatusSchema.safeParse(doc.value);
  if (!result.success) return { problems: zodProblems(doc, result.error, 'STATUS_INVALID') };
  const expected = path.posix.basename(file, '.json');
  if (result.data.cluster !== expected) {
    return {
      problems: [
        { code: 'STATUS_INVALID', severity: 'error', file, line: doc.lineOf(['cluster']), field: 'cluster', message: `names cluster "${result.data.cluster}" but the file is ${expected}.json` },
      ],
    };
  }
  return { status: result.data };
}

function folderFiles(root: string): FileReaders {
  const out: FileReaders = new Map();
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(abs, rel);
      else if (entry.isFile()) out.set(rel, async () => readFileSync(abs, 'utf8'));
    }
  };
  walk(root, '');
  return out;
}

async function commitFiles(repo: GitRepository, commit: string): Promise<FileReaders> {
  const out: FileReaders = new Map();
  const walk = async (tree: string, prefix: string): Promise<void> => {
    for (const [name, entry] of await readTreeEntries(repo.objects, tree)) {
      const rel = prefix === '' ? name : `${prefix}/${name}`;
      if (isDirMode(entry.mode)) await walk(entry.oid, rel);
      else out.set(rel, async () => (await repo.objects.read(entry.oid)).body.toString('utf8'));
    }
  };
  await walk((await readCommit(repo, commit)).tree, '');
  return out;
}

/** The committer timestamp of a commit (git stores seconds since the epoch and the committer's offset; UTC here). */
async function committerTime(repo: GitRepository, commit: string): Promise<string> {
  const body = (await repo.objects.read(commit)).body.toString('utf8');
  const seconds = /^committer .* (\d+) [+-]\d{4}$/m.exec(body)?.[1];
  return new Date(Number(seconds ?? 0) * 1000).toISOString();
}

/** The blob id of `clusters/<cluster>.json` in a commit, if any. */
async function statusBlobAt(repo: GitRepository, commit: string, cluster: string): Promise<string | undefined> {
  const dir = (await readTreeEntries(repo.objects, (await readCommit(repo, commit)).tree)).get(STATUS_DIR);
  if (dir === undefined || !isDirMode(dir.mode)) return undefined;
  return (await readTreeEntries(repo.objects, dir.oid)).get(`${cluster}.json`)?.oid;
}

async function statusSince(repo: GitRepository, tip: string, cluster: string, holds: (s: ClusterStatus) => boolean, maxCommits = 1000): Promise<string | undefined> {
  let found: string | undefined;
  let accepted: string | undefined;
  let commit: string | undefined = tip;
  for (let i = 0; commit !== undefined && i < maxCommits; i++) {
    const blob = await statusBlobAt(repo, commit, cluster);
    if (blob === undefined) break;
    if (blob !== accepted) {
      let status: ClusterStatus;
      try {
        status = JSON.parse((await repo.objects.read(blob)).body.toString('utf8')) as ClusterStatus;
      } catch {
        break;
      }
      if (!holds(status)) break;
      accepted = blob;
    }
    found = await committerTime(repo, commit);
    const parent: string | undefined = (await readCommit(repo, commit)).parents[0];
    commit = parent !== undefined && repo.objects.has(parent) ? parent : undefined;
  }
  return found;
}
