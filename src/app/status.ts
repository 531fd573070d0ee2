/**
 * The status use case (`manifold status`): the fleet at a glance from a
 * report (`--status REF|DIR`, read through src/load/status.ts, the one
 * reader of reports), compared with the rendered branch's tip when the
 * repository has it: which commit each cluster runs, how far behind the tip
 * it is, and which clusters the inventory (the tip's cluster folders) no
 * longer has (stale). "Now" is `--now`, else the report commit's time: the
 * same report and branch give the same answer on any machine.
 *
 * Rollout waves (issue 15) come from the report's rollouts/<policy>.json
 * state files (the table grows WAVE and GATE columns); failover proposals
 * (issue 14) slot in as `proposals` (fleet-view.ts), from whoever builds them.
 */
import { InputError } from '../errors/index.ts';
import { commitsBehindAll } from '../git/ancestry.ts';
import { DEFAULT_BRANCH as DEFAULT_RENDERED_BRANCH } from '../git/names.ts';
import { isDirMode } from '../git/objects.ts';
import { findRepository, openRepository, readCommit, resolveCommit, type GitRepository } from '../git/repo.ts';
import { readTreeEntries } from '../git/tree.ts';
import { readStatusSnapshot, type StatusSnapshot } from '../load/status.ts';
import { appliedCommit, fleetView, type ClusterRow, type FailoverProposalView, type FleetView, type RolloutCell } from '../reconcile/fleet-view.ts';
import { DEFAULT_REPORT_BRANCH } from '../reconcile/report.ts';
import { isRolloutStateFile, rolloutsFromStateFiles } from '../reconcile/rollout-view.ts';
import type { ObjectStatus } from '../reconcile/types.ts';

export interface StatusOptions {
  /** Report branch, revision or folder (default manifold/status). */
  status?: string | undefined;
  cwd: string;
  /** Repository holding the report and rendered branches (default: the one containing cwd). */
  repoDir?: string | undefined;
  /** Rendered branch (any revision, e.g. origin/manifold/rendered) whose tip the clusters are compared with (default manifold/rendered). */
  renderedBranch?: string | undefined;
  /** Folder of the rendered branch holding the cluster folders (render --prefix). */
  prefix?: string | undefined;
  /** ISO 8601 time for ages; default the report commit's time. */
  now?: string | undefined;
  /** Show these clusters' objects; the exit decision covers only them. */
  clusters?: readonly string[] | undefined;
  rollout?: ReadonlyMap<string, RolloutCell> | undefined;
  proposals?: readonly FailoverProposalView[] | undefined;
}

/** One cluster asked for by name: its row and every object of its last reconcile (Secret values already masked). */
export interface ClusterDetail {
  row: ClusterRow;
  objects: ObjectStatus[];
}

export interface StatusResult {
  view: FleetView;
  details: ClusterDetail[];
  /** Everything asked about is Synced and healthy at the tip. */
  ok: boolean;
}

export async function fleetStatus(options: StatusOptions): Promise<StatusResult> {
  const now = parseNow(options.now);
  const repo = options.repoDir === undefined ? findRepository(options.cwd) : openRepository(options.repoDir);
  const snapshot = await readStatusSnapshot(options.status ?? DEFAULT_REPORT_BRANCH, { cwd: options.cwd, repo });
  const unknown = (options.clusters ?? []).filter((c) => !snapshot.clusters.some((s) => s.cluster === c));
  if (unknown.length > 0) {
    throw new InputError(
      unknown.map((c) => ({ code: 'STATUS_UNKNOWN_CLUSTER', severity: 'error', field: 'CLUSTER', message: `the report has no cluster "${c}" (it has: ${snapshot.clusters.map((s) => s.cluster).join(', ') || 'none'})` })),
    );
  }
  const rendered = repo === undefined ? undefined : await renderedTip(repo, options.renderedBranch ?? DEFAULT_RENDERED_BRANCH, options.prefix);
  const tip = rendered?.commit;
  const applied = snapshot.clusters.map(appliedCommit).filter((c): c is string => c !== undefined && /^[0-9a-f]{40}$/.test(c));
  const behind = repo === undefined || tip === undefined ? undefined : await commitsBehindAll(repo, applied, tip);
  // Issue 15's rollouts/<policy>.json state files: each cluster's wave and gate as the reconciler last decided them.
  const stateFiles = new Map<string, string>();
  for (const file of snapshot.paths.filter(isRolloutStateFile)) stateFiles.set(file, (await snapshot.readText(file)) ?? '');
  const rollouts = rolloutsFromStateFiles(stateFiles);
  const view = fleetView({
    statuses: snapshot.clusters,
    report: reportOf(snapshot, now),
    renderedTip: tip,
    behind,
    inventory: rendered?.clusters,
    rollout: options.rollout ?? rollouts.cells,
    rollouts: rollouts.summaries,
    proposals: options.proposals,
  });
  const asked = new Set(options.clusters ?? []);
  const details = view.clusters
    .filter((row) => asked.has(row.cluster))
    .map((row) => ({ row, objects: snapshot.clusters.find((s) => s.cluster === row.cluster)?.objects ?? [] }));
  return { view, details, ok: asked.size === 0 ? view.ok : details.every((d) => d.row.ok) };
}

function parseNow(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw InputError.single({ code: 'STATUS_BAD_NOW', field: '--now', message: `"${text}" is not a time (ISO 8601 expected, e.g. 2026-01-01T12:00:00Z)` });
  return new Date(ms).toISOString();
}

function reportOf(snapshot: StatusSnapshot, now: string | undefined): FleetView['report'] {
  if (snapshot.origin.kind === 'commit') return { commit: snapshot.origin.commit, now: now ?? snapshot.origin.time };
  return { folder: snapshot.origin.path, ...(now === undefined ? {} : { now }) };
}

/** The rendered branch's tip and its cluster folders (the inventory it was rendered for); undefined when the branch is not there. */
async function renderedTip(repo: GitRepository, branch: string, prefix: string | undefined): Promise<{ commit: string; clusters?: Set<string> | undefined } | undefined> {
  // Any revision: the local branch, or e.g. origin/manifold/rendered when the reconciler pushes to a remote.
  const commit = await resolveCommit(repo, branch).catch((err: unknown) => {
    if (err instanceof InputError) return undefined;
    throw err;
  });
  if (commit === undefined) return undefined;
  let tree: string | undefined = (await readCommit(repo, commit)).tree;
  for (const seg of (prefix ?? '').split('/').filter((s) => s !== '' && s !== '.')) {
    const entry = (await readTreeEntries(repo.objects, tree)).get(seg);
    tree = entry !== undefined && isDirMode(entry.mode) ? entry.oid : undefined;
    if (tree === undefined) return { commit }; // no such folder: nothing to compare the report's clusters with
  }
  const clusters = new Set([...(await readTreeEntries(repo.objects, tree)).values()].filter((e) => isDirMode(e.mode) && !e.name.startsWith('.')).map((e) => e.name));
  return { commit, clusters };
}
