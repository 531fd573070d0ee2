/**
 * The report branch (default `manifold/status`): one `clusters/<name>.json`
 * per cluster (a ClusterStatus, schema schemas/manifold-cluster-status.json)
 * and a `README.md` fleet table and `index.html` status page (report-page.ts)
 * regenerated from every status file on the
 * branch (DESIGN.md §4 step 6; gitops-practices.md §9 and checklist item 21).
 *
 * Rules that keep the branch trustworthy:
 * - A writer touches only the status files it was given (a pull-mode agent:
 *   its own cluster) and rebuilds README.md from all files on the tip it
 *   commits on, so concurrent agents never drop each other's status.
 * - Timestamps alone never make a commit: when a status equals the stored one
 *   apart from startedAt/finishedAt/durationMs, the stored bytes are kept.
 * - Never a half-written report: every object is written first, the ref moves
 *   last (locally under git's lock with compare-and-swap; remotely by one
 *   receive-pack ref update). A lost race (the branch moved) fetches the new
 *   tip, re-applies the change on it and retries.
 */
import { z } from 'zod';
import { InputError, RuntimeError } from '../errors/index.ts';
import { redact } from '../errors/redact.ts';
import { blobObject, commitObject, isDirMode, MODE_DIR, MODE_FILE, treeObject, type GitObject, type Signature, type TreeEntry } from '../git/objects.ts';
import { fetchRemoteBranch, isLostRace, pushCommit, remoteBranchTip, resolveRemote, type RemoteTarget } from '../git/remote.ts';
import { branchRef, readCommit, readRef, RefMovedError, updateRef, type GitRepository } from '../git/repo.ts';
import { readTreeEntries } from '../git/tree.ts';
import { MANIFOLD_VERSION } from '../version.ts';
import { churnWaits, type LiveReportOptions, mergeLive, steadyLive } from './live.ts';
import { reportPage } from './report-page.ts';
import { appliedInFull, isProblem } from './status-rules.ts';
import { PAGE_FILE } from './status-page.ts';
import type { ClusterStatus, Condition, LiveState, ObjectRef } from './types.ts';

export { appliedInFull, isProblem } from './status-rules.ts';

export const DEFAULT_REPORT_BRANCH = 'manifold/status';
export const STATUS_DIR = 'clusters';
export const README_FILE = 'README.md';
/** Rollout state and controls (docs/rollout.md): `rollouts/<policy>.json`, `rollouts/<policy>.controls.json`. */
export const ROLLOUT_DIR = 'rollouts';

// ---------------------------------------------------------------------------
// The schema: the published contract of clusters/<name>.json. Key order of
// the shapes below is the key order of the files.

const DriftEntrySchema = z
  .strictObject({
    path: z.string().meta({ description: 'JSON pointer (RFC 6901) of the drifted field, e.g. /spec/replicas' }),
    before: z.unknown().meta({ description: 'live value; "***" for Secret data' }),
    after: z.unknown().meta({ description: 'desired value from the rendered tree; "***" for Secret data' }),
  })
  .meta({ description: 'One field where the live object differs from the rendered one' });

const ObjectStatusSchema = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  file: z.string().optional().meta({ description: 'file of the rendered tree the object came from, relative to the cluster folder' }),
  action: z.enum(['created', 'configured', 'unchanged', 'pruned', 'recreated', 'failed', 'skipped']),
  health: z.enum(['Healthy', 'Progressing', 'Degraded', 'Unknown']),
  message: z.string().optional().meta({ description: 'why the object is not healthy, or the API server message of a failure' }),
  drift: z.array(DriftEntrySchema).optional(),
});

const ObjectRefSchema = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
});

const LastAppliedSchema = z
  .strictObject({
    renderedCommit: z.string().meta({ description: 'commit of the rendered branch that was last applied in full (result Synced or Degraded)' }),
    objects: z.array(ObjectRefSchema).optional().meta({ description: "what that reconcile left in the cluster; absent when it is this status's own objects" }),
  })
  .meta({ description: 'The last reconcile that applied the tree, kept apart from what was attempted since' });

const ConditionSchema = z.strictObject({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string().optional().meta({ description: 'ISO 8601: when status last changed; kept across reconciles while the status stays the same' }),
});

const ResourceListSchema = z
  .record(z.string(), z.string())
  .meta({ description: 'Kubernetes ResourceList: resource name → quantity string (cpu: "8", memory: "32Gi", pods: "110")' });

const LiveWorkloadSchema = z
  .strictObject({
    apiVersion: z.string(),
    kind: z.string(),
    namespace: z.string().optional(),
    name: z.string(),
    desired: z.number().int().nonnegative().meta({ description: 'replicas the rendered object asks for' }),
    ready: z.number().int().nonnegative().meta({ description: 'ready replicas reported by the workload status' }),
    unschedulable: z
      .number()
      .int()
      .nonnegative()
      .meta({ description: 'pods of the workload with condition PodScheduled=False, reason Unschedulable (what KubeAdmiral auto-migration counts)' }),
    pods: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .meta({ description: 'with unschedulable pods: every unfinished pod of the workload (KubeAdmiral auto-migration compares it with desired)' }),
    unschedulableSince: z
      .array(z.string())
      .optional()
      .meta({
        description:
          "with unschedulable pods: each one's PodScheduled condition lastTransitionTime, ascending; auto-migration counts a pod once it is older than the policy's podUnschedulableFor",
      }),
  })
  .meta({ description: 'Replica counts of one workload in the cluster' });

const LiveStateSchema = z
  .strictObject({
    observedAt: z.string().meta({ description: 'ISO 8601: when the reconciler read this live state (like startedAt, never a reason for a commit by itself)' }),
    conditions: z
      .array(ConditionSchema)
      .meta({ description: "the cluster's own conditions in Karmada's Cluster.status shape: Ready with reason ClusterReady / ClusterNotReady / ClusterNotReachable and lastTransitionTime" }),
    kubernetesVersion: z.string().optional(),
    nodeSummary: z.strictObject({ totalNum: z.number().int().nonnegative(), readyNum: z.number().int().nonnegative() }).optional(),
    resourceSummary: z
      .strictObject({ allocatable: ResourceListSchema.optional(), allocating: ResourceListSchema.optional(), allocated: ResourceListSchema.optional() })
      .optional()
      .meta({ description: "Karmada Cluster.status.resourceSummary: allocatable from Nodes, allocated from requests of non-terminal scheduled Pods, allocating from Pods not yet scheduled" }),
    apiEnablements: z
      .array(z.strictObject({ groupVersion: z.string(), resources: z.array(z.strictObject({ name: z.string(), kind: z.string() })) }))
      .optional()
      .meta({ description: 'Karmada Cluster.status.apiEnablements: the API resources the cluster serves' }),
    workloads: z.array(LiveWorkloadSchema).optional(),
    resources: z
      .strictObject({ schedulableNodes: z.number().int().nonnegative(), allocatable: ResourceListSchema, available: ResourceListSchema })
      .optional()
      .meta({
        description:
          'KubeAdmiral FederatedCluster.status.resources: schedulable nodes (not cordoned, no NoSchedule/NoExecute taint, Ready), their allocatable without pods, and available = allocatable minus the requests of every unfinished pod',
      }),
  })
  .meta({ description: 'What the schedulers read about the cluster, observed by the reconciler (absent when it was not observed)' });

export const ClusterStatusSchema = z
  .strictObject({
    cluster: z.string().min(1),
    renderedCommit: z.string().meta({ description: "commit of the rendered branch this reconcile attempted, or 'folder:<path>' (what is running: lastApplied)" }),
    result: z.enum(['Synced', 'Degraded', 'Failed', 'Unreachable', 'Orphaned']),
    startedAt: z.string().meta({ description: 'ISO 8601; with finishedAt and durationMs the only non-deterministic fields' }),
    finishedAt: z.string(),
    durationMs: z.number().int().nonnegative(),
    summary: z.strictObject({
      objects: z.number().int().nonnegative(),
      applied: z.number().int().nonnegative(),
      unchanged: z.number().int().nonnegative(),
      pruned: z.number().int().nonnegative(),
      failed: z.number().int().nonnegative(),
      drifted: z.number().int().nonnegative(),
      unhealthy: z.number().int().nonnegative(),
    }),
    conditions: z.array(ConditionSchema),
    objects: z.array(ObjectStatusSchema).meta({ description: 'what this reconcile did to each object; empty when the cluster could not be reached' }),
    lastApplied: LastAppliedSchema.optional(),
    live: LiveStateSchema.optional(),
  })
  .meta({ description: 'What happened in one cluster during one reconcile (manifold reconcile, report branch clusters/<name>.json)' });

// The zod schema and the hand-written model in types.ts must describe the same
// thing: these two assignments stop compiling when either side changes alone.
type SchemaStatus = z.output<typeof ClusterStatusSchema>;
export const schemaMatchesModel = [(s: SchemaStatus): ClusterStatus => s, (s: ClusterStatus): SchemaStatus => s] as const;

// ---------------------------------------------------------------------------
// Content (pure).

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function compareRefs(a: ObjectRef, b: ObjectRef): number {
  return (
    cmp(groupOf(a.apiVersion), groupOf(b.apiVersion)) || cmp(a.kind, b.kind) || cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.name, b.name) || cmp(a.apiVersion, b.apiVersion)
  );
}

/** The objects a reconcile left in the cluster: everything it applied or kept, not what it pruned or failed to create. */
export function objectsLeft(s: ClusterStatus): ObjectRef[] {
  return s.objects
    .filter((o) => o.action !== 'pruned' && o.action !== 'failed')
    .map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, ...(o.namespace === undefined ? {} : { namespace: o.namespace }), name: o.name }));
}

/**
 * `next` with the last successful apply filled in from the stored status
 * when this reconcile did not apply the tree (unreachable, failed, orphaned):
 * the report keeps saying what runs there, across runs and writers.
 */
export function withLastApplied(stored: ClusterStatus | undefined, next: ClusterStatus): ClusterStatus {
  if (next.lastApplied !== undefined || appliedInFull(next) || stored === undefined) return next;
  if (appliedInFull(stored)) return { ...next, lastApplied: { renderedCommit: stored.lastApplied?.renderedCommit ?? stored.renderedCommit, objects: objectsLeft(stored) } };
  return stored.lastApplied === undefined ? next : { ...next, lastApplied: stored.lastApplied };
}

/**
 * Validates a status and puts it in canonical form: schema key order, objects
 * sorted by group, kind, namespace, name; conditions by type; drift by path.
 * The reconciler may finish objects in any order (parallel workers), and the
 * file must not change because of that.
 */
export function canonicalStatus(status: ClusterStatus): ClusterStatus {
  const parsed = ClusterStatusSchema.safeParse(status);
  if (!parsed.success) {
    throw new RuntimeError('REPORT_INVALID_STATUS', `status of cluster "${String(status.cluster)}" does not match the schema: ${z.prettifyError(parsed.error)}`);
  }
  const s = parsed.data;
  const objects = s.objects.map((o) => (o.drift === undefined ? o : { ...o, drift: [...o.drift].sort((a, b) => cmp(a.path, b.path)) })).sort(compareRefs);
  const conditions = [...s.conditions].sort((a, b) => cmp(a.type, b.type));
  const lastApplied = s.lastApplied?.objects === undefined ? s.lastApplied : { ...s.lastApplied, objects: [...s.lastApplied.objects].sort(compareRefs) };
  // Re-parse so that every nested object comes out in schema key order.
  return ClusterStatusSchema.parse({ ...s, conditions, objects, ...(lastApplied === undefined ? {} : { lastApplied }) });
}

/**
 * The bytes of clusters/<name>.json: canonical, 2-space JSON, final newline.
 * Messages come from API servers and client libraries, so the text is
 * redacted once more before it is committed and pushed.
 */
export function statusFileContent(status: ClusterStatus): string {
  return redact(`${JSON.stringify(canonicalStatus(status), null, 2)}\n`);
}

const TIMESTAMP_FIELDS = ['startedAt', 'finishedAt', 'durationMs'] as const;

function withoutTimestamps(status: ClusterStatus): Omit<ClusterStatus, (typeof TIMESTAMP_FIELDS)[number]> {
  const { startedAt: _s, finishedAt: _f, durationMs: _d, live, ...rest } = canonicalStatus(status);
  if (live === undefined) return rest;
  const { observedAt: _o, ...observed } = live;
  return { ...rest, live: observed as LiveState };
}

/** Whether two statuses say the same thing, ignoring when and how long (live.observedAt is a timestamp too). */
export function sameExceptTimestamps(a: ClusterStatus, b: ClusterStatus): boolean {
  return JSON.stringify(withoutTimestamps(a)) === JSON.stringify(withoutTimestamps(b));
}

/** Whether two statuses differ at most in the live numbers that churn with every pod (allocated, allocating). */
function sameExceptLiveChurn(a: ClusterStatus, b: ClusterStatus): boolean {
  const steady = (s: ClusterStatus): string => {
    const { live, ...rest } = withoutTimestamps(s);
    return JSON.stringify({ ...rest, live: steadyLive(live) });
  };
  return steady(a) === steady(b);
}

/** Parses a stored status file; undefined when it is not a valid status (then it is simply replaced). */
export function parseStatusFile(text: string): ClusterStatus | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = ClusterStatusSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The content to store for `next` given the stored file: the stored bytes
 * when nothing but timestamps changed (so no commit happens), else the new file.
 */
export function nextStatusContent(stored: string | undefined, attempt: ClusterStatus, liveOptions: LiveReportOptions = {}): { content: string; changed: boolean } {
  const previous = stored === undefined ? undefined : parseStatusFile(stored);
  const next = withStoredLive(previous, withLastApplied(previous, attempt), liveOptions);
  if (stored !== undefined && previous !== undefined && sameExceptTimestamps(previous, next)) return { content: stored, changed: false };
  // Pods come and go all the time: a change of allocated/allocating alone waits for the refresh period.
  if (stored !== undefined && previous !== undefined && sameExceptLiveChurn(previous, next) && churnWaits(previous.live, next.live, liveOptions.refreshMs)) {
    return { content: stored, changed: false };
  }
  return { content: statusFileContent(next), changed: true };
}

/** `next` with its live block merged with the stored one (live.ts mergeLive: thresholds, lastTransitionTime, last known numbers). */
function withStoredLive(previous: ClusterStatus | undefined, next: ClusterStatus, liveOptions: LiveReportOptions): ClusterStatus {
  const live = mergeLive(next.cluster, previous?.live, next.live, liveOptions);
  if (live === undefined) return next;
  return { ...next, live };
}

/** Cluster names become file names: DNS-1123 labels or subdomains, nothing that could leave clusters/. */
export function statusPath(cluster: string): string {
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(cluster) || cluster.includes('..')) {
    throw InputError.single({ code: 'REPORT_BAD_CLUSTER', message: `cluster name "${cluster}" cannot be a status file name (lowercase DNS name expected)` });
  }
  return `${STATUS_DIR}/${cluster}.json`;
}

const RESULT_MARK: Record<ClusterStatus['result'], string> = {
  Synced: '✅ Synced',
  Degraded: '⚠️ Degraded',
  Failed: '❌ Failed',
  Unreachable: '🔌 Unreachable',
  Orphaned: '👻 Orphaned',
};

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function shortCommit(rendered: string): string {
  return /^[0-9a-f]{40}$/.test(rendered) ? rendered.slice(0, 12) : rendered;
}

/** Lines under a troubled cluster: its problem conditions and objects, capped like Fleet caps its Ready message (10). */
function problemLines(s: ClusterStatus): string[] {
  const lines = s.conditions.filter(isProblem).map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`);
  const bad = s.objects.filter((o) => o.action === 'failed' || (o.health !== 'Healthy' && o.action !== 'pruned') || (o.drift?.length ?? 0) > 0);
  for (const o of bad) {
    const id = `${o.kind} ${o.namespace === undefined ? '' : `${o.namespace}/`}${o.name}`;
    const why = o.action === 'failed' ? 'failed' : (o.drift?.length ?? 0) > 0 ? `drifted (${o.drift?.map((d) => d.path).join(', ')})` : o.health;
    lines.push(`${id}: ${why}${o.message === undefined ? '' : ` — ${o.message}`}`);
  }
  return lines.length > 10 ? [...lines.slice(0, 10), `… and ${lines.length - 10} more (see ${statusPath(s.cluster)})`] : lines;
}

/**
 * README.md of the report branch: one row per cluster (cluster, applied
 * commit, last attempt, objects, drifted, unhealthy, last result, since),
 * then the reasons for every cluster that is not Synced (only those). Deterministic: no "generated at" line,
 * so it changes only when a status file changes.
 */
export function fleetReadme(statuses: readonly ClusterStatus[], unreadable: readonly string[] = [], rollouts: readonly string[] = []): string {
  const sorted = [...statuses].sort((a, b) => cmp(a.cluster, b.cluster));
  const counts = new Map<string, number>();
  for (const s of sorted) counts.set(s.result, (counts.get(s.result) ?? 0) + 1);
  const tally = [...counts].map(([r, n]) => `${n} ${r}`).join(', ');
  const out: string[] = [
    '# Fleet status',
    '',
    'Written by `manifold reconcile`; do not edit. One status file per cluster in',
    `\`${STATUS_DIR}/\` (schema: \`schemas/manifold-cluster-status.json\`). A file changes only`,
    'when its result changes, so "since" is the first reconcile that reported it.',
    '',
    `${sorted.length} cluster${sorted.length === 1 ? '' : 's'}${tally === '' ? '' : `: ${tally}`}.`,
    '',
    ...rollouts.flatMap((line) => [line, '']),
    '| cluster | applied commit | last attempt | objects | drifted | unhealthy | last result | since | cluster ready | cpu, memory allocated / allocatable |',
    '|---|---|---|---:|---:|---:|---|---|---|---|',
  ];
  for (const s of sorted) {
    const applied = s.lastApplied?.renderedCommit ?? (appliedInFull(s) ? s.renderedCommit : undefined);
    out.push(
      `| [${cell(s.cluster)}](${statusPath(s.cluster)}) | ${applied === undefined ? 'none' : `\`${cell(shortCommit(applied))}\``} | \`${cell(shortCommit(s.renderedCommit))}\` | ${s.summary.objects} | ${s.summary.drifted} | ${s.summary.unhealthy} | ${RESULT_MARK[s.result]} | ${cell(s.finishedAt)} | ${cell(readyCell(s))} | ${cell(capacityCell(s))} |`,
    );
  }
  for (const file of [...unreadable].sort(cmp)) out.push(`| ${cell(file)} | | | | | | ❓ unreadable status file | | | |`);
  const troubled = sorted.filter((s) => s.result !== 'Synced');
  if (troubled.length > 0) {
    out.push('', '## Problems');
    for (const s of troubled) {
      out.push('', `### ${s.cluster}: ${s.result}`, '');
      for (const line of problemLines(s)) out.push(`- ${cell(line)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** The cluster's own Ready condition (live) and since when: `✅ Ready since …`, `🔌 ClusterNotReachable since …`. */
function readyCell(s: ClusterStatus): string {
  const ready = s.live?.conditions.find((c) => c.type === 'Ready');
  if (ready === undefined) return '';
  const mark = ready.status === 'True' ? '✅ Ready' : ready.reason === 'ClusterNotReachable' ? `🔌 ${ready.reason}` : `❌ ${ready.reason}`;
  return ready.lastTransitionTime === undefined ? mark : `${mark} since ${ready.lastTransitionTime}`;
}

/** `cpu 1500m / 96, memory 384Mi / 768Gi` from resourceSummary (allocated / allocatable). */
function capacityCell(s: ClusterStatus): string {
  const summary = s.live?.resourceSummary;
  if (summary?.allocatable === undefined) return '';
  return ['cpu', 'memory'].map((r) => `${r} ${summary.allocated?.[r] ?? '0'} / ${summary.allocatable?.[r] ?? '0'}`).join(', ');
}

/**
 * Commit message (docs/reconciler.md "The report branch" shows both forms):
 * the subject names the one changed cluster with its result, or counts them;
 * the body has one line per cluster; then trailers.
 */
export function reportCommitMessage(changed: readonly ClusterStatus[], removed: readonly string[] = [], files: readonly string[] = []): string {
  const names = [...changed.map((s) => s.cluster), ...removed];
  if (names.length === 0 && files.length > 0) return `manifold: ${files.join(', ')}\n\nManifold-Version: ${MANIFOLD_VERSION}\n`;
  const only = changed.length === 1 && removed.length === 0 ? changed[0] : undefined;
  const subject =
    only !== undefined
      ? `manifold: status ${only.cluster} ${only.result} at ${shortCommit(only.renderedCommit)}`
      : changed.length === 0 && removed.length === 1
        ? `manifold: status ${removed[0]} decommissioned`
        : `manifold: status of ${names.length} clusters (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''})`;
  const body = [
    ...changed.map(
      (s) => `${s.cluster}: ${s.result} at ${shortCommit(s.renderedCommit)}, ${s.summary.objects} objects, ${s.summary.drifted} drifted, ${s.summary.unhealthy} unhealthy, ${s.summary.failed} failed`,
    ),
    ...removed.map((c) => `${c}: decommissioned (left the fleet, every managed object pruned); status file removed`),
  ];
  const commits = [...new Set(changed.map((s) => s.renderedCommit).filter((c) => /^[0-9a-f]{40}$/.test(c)))];
  const trailers = [...commits.map((c) => `Manifold-Rendered-Commit: ${c}`), `Manifold-Version: ${MANIFOLD_VERSION}`];
  return `${subject}\n\n${body.join('\n')}\n\n${trailers.join('\n')}\n`;
}

// ---------------------------------------------------------------------------
// Building the new tip (reads objects, writes nothing).

export interface ReportPlan {
  /** Root tree after the change. */
  tree: string;
  parentTree: string | undefined;
  /** Objects the new tree needs (blobs and trees, possibly already stored). */
  objects: GitObject[];
  /** Statuses whose file content changed. */
  changed: ClusterStatus[];
  /** Clusters whose status file was removed (decommissioned). */
  removed: string[];
  /** Rollout files whose content changed (paths on the branch). */
  files: string[];
}

async function readBlobText(repo: GitRepository, oid: string): Promise<string> {
  const obj = await repo.objects.read(oid);
  return obj.body.toString('utf8');
}

/**
 * Parsed status files by blob id. A blob id is its content's hash, so an
 * entry never goes stale; with it, a one-cluster write parses one file
 * instead of every file on the branch (sharded replicas make N such writes
 * per pass over N clusters: without it that pass costs N² parses).
 * Bounded: cleared when it outgrows any plausible fleet.
 */
const parsedBlobs = new Map<string, ClusterStatus | undefined>();
const PARSED_BLOBS_MAX = 50_000;

/** `text`: the blob's content when it is not stored yet (written by this plan). */
async function parsedStatusBlob(repo: GitRepository, oid: string, text?: string): Promise<ClusterStatus | undefined> {
  if (parsedBlobs.has(oid)) return parsedBlobs.get(oid);
  const parsed = parseStatusFile(text ?? (await readBlobText(repo, oid)));
  if (parsedBlobs.size >= PARSED_BLOBS_MAX) parsedBlobs.clear();
  parsedBlobs.set(oid, parsed);
  return parsed;
}

/**
 * Applies `statuses` to the report tree of `parent`: replaces only their
 * files, keeps everything else on the branch, regenerates README.md from all
 * status files. Pure apart from reading objects.
 */
export async function planReport(
  repo: GitRepository,
  parent: string | undefined,
  statuses: readonly ClusterStatus[],
  removed: readonly string[] = [],
  rolloutFiles: ReadonlyMap<string, string> = new Map(),
  liveOptions: LiveReportOptions = {},
): Promise<ReportPlan> {
  const parentTree = parent === undefined ? undefined : (await readCommit(repo, parent)).tree;
  const root = parentTree === undefined ? new Map<string, TreeEntry>() : await readTreeEntries(repo.objects, parentTree);
  const dirEntry = root.get(STATUS_DIR);
  const dir = dirEntry !== undefined && isDirMode(dirEntry.mode) ? await readTreeEntries(repo.objects, dirEntry.oid) : new Map<string, TreeEntry>();
  const objects: GitObject[] = [];
  const changed: ClusterStatus[] = [];
  const contents = new Map<string, string>();
  for (const status of statuses) {
    const file = statusPath(status.cluster).slice(STATUS_DIR.length + 1);
    if (contents.has(file)) throw new RuntimeError('REPORT_DUPLICATE_CLUSTER', `two statuses for cluster "${status.cluster}" in one report`);
    const before = dir.get(file);
    const stored = before === undefined || isDirMode(before.mode) ? undefined : await readBlobText(repo, before.oid);
    const next = nextStatusContent(stored, status, liveOptions);
    contents.set(file, next.content);
    if (!next.changed) continue;
    changed.push(canonicalStatus(parseStatusFile(next.content) ?? status));
    const blob = blobObject(next.content);
    objects.push(blob);
    dir.set(file, { mode: MODE_FILE, name: file, oid: blob.oid });
  }
  const gone: string[] = [];
  for (const cluster of removed) {
    const file = statusPath(cluster).slice(STATUS_DIR.length + 1);
    if (dir.delete(file)) gone.push(cluster);
  }
  // README from every status file on the new tree (others' files as stored on this tip).
  const all: ClusterStatus[] = [];
  const unreadable: string[] = [];
  for (const [name, entry] of [...dir].sort((a, b) => cmp(a[0], b[0]))) {
    if (!name.endsWith('.json') || isDirMode(entry.mode)) continue;
    const parsed = await parsedStatusBlob(repo, entry.oid, contents.get(name));
    if (parsed === undefined) unreadable.push(`${STATUS_DIR}/${name}`);
    else all.push(parsed);
  }
  const rollouts = await applyRolloutFiles(repo, root, rolloutFiles, objects);
  const readme = blobObject(redact(fleetReadme(all, unreadable, rollouts.lines)));
  objects.push(readme);
  root.set(README_FILE, { mode: MODE_FILE, name: README_FILE, oid: readme.oid });
  const page = blobObject(await reportPage(repo, all, unreadable, rollouts.states));
  objects.push(page);
  root.set(PAGE_FILE, { mode: MODE_FILE, name: PAGE_FILE, oid: page.oid });
  if (dir.size === 0) root.delete(STATUS_DIR);
  if (dir.size > 0) {
    const clustersTree = treeObject([...dir.values()]);
    objects.push(clustersTree);
    root.set(STATUS_DIR, { mode: MODE_DIR, name: STATUS_DIR, oid: clustersTree.oid });
  }
  const rootTree = treeObject([...root.values()]);
  objects.push(rootTree);
  return { tree: rootTree.oid, parentTree, objects, changed, removed: gone, files: rollouts.changed };
}

/**
 * Writes the given `rollouts/` files into the root tree (others kept) and
 * reads back one README line per rollout state file on the new tree.
 */
async function applyRolloutFiles(
  repo: GitRepository,
  root: Map<string, TreeEntry>,
  files: ReadonlyMap<string, string>,
  objects: GitObject[],
): Promise<{ changed: string[]; lines: string[]; states: Map<string, string> }> {
  const entry = root.get(ROLLOUT_DIR);
  const dir = entry !== undefined && isDirMode(entry.mode) ? await readTreeEntries(repo.objects, entry.oid) : new Map<string, TreeEntry>();
  const changed: string[] = [];
  for (const [name, content] of [...files].sort((a, b) => cmp(a[0], b[0]))) {
    const blob = blobObject(content);
    if (dir.get(name)?.oid === blob.oid) continue;
    objects.push(blob);
    dir.set(name, { mode: MODE_FILE, name, oid: blob.oid });
    changed.push(`${ROLLOUT_DIR}/${name}`);
  }
  if (changed.length > 0) {
    const tree = treeObject([...dir.values()]);
    objects.push(tree);
    root.set(ROLLOUT_DIR, { mode: MODE_DIR, name: ROLLOUT_DIR, oid: tree.oid });
  }
  const lines: string[] = [];
  // The state files' texts, for the status page's wave column (rollout-view.ts).
  const states = new Map<string, string>();
  for (const [name, e] of [...dir].sort((a, b) => cmp(a[0], b[0]))) {
    if (!name.endsWith('.json') || name.endsWith('.controls.json') || isDirMode(e.mode)) continue;
    const text = files.get(name) ?? (await readBlobText(repo, e.oid));
    states.set(`${ROLLOUT_DIR}/${name}`, text);
    lines.push(rolloutLine(`${ROLLOUT_DIR}/${name}`, text));
  }
  return { changed, lines, states };
}

/** The README line of a rollout state file: policy, state, target and why. */
function rolloutLine(file: string, text: string): string {
  try {
    const r = JSON.parse(text) as { policy?: unknown; state?: unknown; target?: unknown; reason?: unknown };
    const mark = r.state === 'Halted' ? '🛑' : r.state === 'Complete' ? '✅' : r.state === 'Paused' || r.state === 'Held' ? '⏸️' : r.state === 'Aborted' ? '↩️' : '🚦';
    return `${mark} Rollout [${cell(String(r.policy))}](${file}): **${cell(String(r.state))}** at \`${cell(shortCommit(String(r.target)))}\` — ${cell(String(r.reason))}`;
  } catch {
    return `❓ Rollout [${cell(file)}](${file}): unreadable`;
  }
}

// ---------------------------------------------------------------------------
// Committing and pushing.

export interface ReportTarget {
  repo: GitRepository;
  /** Branch name or full ref; default manifold/status. */
  branch?: string | undefined;
  /** Remote name or http(s) URL; without it the report is a local branch only. */
  remote?: string | undefined;
  /** Token for HTTP basic auth (x-access-token); never printed. */
  token?: string | undefined;
  author?: Signature | undefined;
  /** Tries before giving up when the branch keeps moving (default 8: one per concurrent agent is typical). */
  attempts?: number | undefined;
  /** Ready thresholds and the refresh period of live numbers (live.ts LiveReportOptions). */
  live?: LiveReportOptions | undefined;
  /** Called after the objects are written and before the ref moves (tests line up racers with it). */
  beforePublish?: ((attempt: number) => Promise<void>) | undefined;
}

export interface ReportResult {
  ref: string;
  /** The branch tip after the call (the new commit, or the unchanged tip). */
  commit: string | undefined;
  created: boolean;
  pushed: boolean;
  attempts: number;
  /** Clusters whose status file changed. */
  changed: string[];
}

export function defaultAuthor(now = new Date()): Signature {
  return { name: 'manifold reconcile', email: 'manifold@noreply.invalid', timestamp: Math.floor(now.getTime() / 1000), timezoneOffset: 0 };
}

/**
 * Writes the statuses to the report branch (and pushes when a remote is
 * given). Makes no commit when no status file changed.
 */
export async function writeReport(
  target: ReportTarget,
  statuses: readonly ClusterStatus[],
  removed: readonly string[] = [],
  rolloutFiles?: ReadonlyMap<string, string>,
): Promise<ReportResult> {
  for (const s of statuses) statusPath(s.cluster);
  for (const c of removed) statusPath(c);
  const ref = branchRef(target.branch ?? DEFAULT_REPORT_BRANCH);
  const change: ReportChange = { statuses, removed, files: rolloutFiles };
  return target.remote === undefined ? commitLocal(target, ref, change) : commitAndPush(target, ref, change, await resolveRemote(target.repo, target.remote));
}

/** What one report write changes: status files to write, clusters whose file goes (decommissioned). */
interface ReportChange {
  statuses: readonly ClusterStatus[];
  removed: readonly string[];
  /** `rollouts/` files to write: name → content. */
  files?: ReadonlyMap<string, string> | undefined;
}

async function buildReportCommit(target: ReportTarget, parent: string | undefined, change: ReportChange): Promise<{ plan: ReportPlan; commit?: GitObject }> {
  const plan = await planReport(target.repo, parent, change.statuses, change.removed, change.files, target.live);
  // Generated files alone never make a commit: index.html's "behind" counts depend on how much
  // rendered history this writer's repository holds, and two writers must not flip it back and forth.
  if (plan.tree === plan.parentTree || (plan.changed.length === 0 && plan.removed.length === 0 && plan.files.length === 0)) return { plan };
  const author = target.author ?? defaultAuthor();
  const message = reportCommitMessage(plan.changed, plan.removed, plan.files);
  return { plan, commit: commitObject({ tree: plan.tree, parents: parent === undefined ? [] : [parent], author, committer: author, message }) };
}

async function commitLocal(target: ReportTarget, ref: string, change: ReportChange): Promise<ReportResult> {
  const { repo } = target;
  const max = target.attempts ?? 8;
  for (let attempt = 1; attempt <= max; attempt++) {
    const parent = await readRef(repo, ref);
    const { plan, commit } = await buildReportCommit(target, parent, change);
    if (commit === undefined) return { ref, commit: parent, created: false, pushed: false, attempts: attempt, changed: [] };
    await repo.objects.write([...plan.objects, commit]);
    await target.beforePublish?.(attempt);
    try {
      await updateRef(repo, ref, commit.oid, parent, { who: target.author ?? defaultAuthor(), message: 'manifold: status' });
    } catch (err) {
      if ((err instanceof RefMovedError || (err instanceof RuntimeError && err.code === 'GIT_REF_LOCKED')) && attempt < max) {
        await sleep(backoffMs(attempt));
        continue;
      }
      throw err;
    }
    return { ref, commit: commit.oid, created: true, pushed: false, attempts: attempt, changed: [...plan.changed.map((s) => s.cluster), ...plan.removed, ...plan.files] };
  }
  throw new RuntimeError('REPORT_RACE', `${ref} kept moving; gave up after ${max} attempts`);
}

async function commitAndPush(target: ReportTarget, ref: string, change: ReportChange, remote: RemoteTarget): Promise<ReportResult> {
  const { repo } = target;
  const label = redact(remote.label, [target.token]);
  const max = target.attempts ?? 8;
  for (let attempt = 1; attempt <= max; attempt++) {
    const tip = await remoteBranchTip(remote, ref, target.token);
    if (tip !== undefined && !repo.objects.has(tip)) await fetchRemoteBranch(repo, remote, ref, target.token);
    const { plan, commit } = await buildReportCommit(target, tip, change);
    if (commit === undefined) {
      await mirrorLocal(target, ref, tip);
      return { ref, commit: tip, created: false, pushed: false, attempts: attempt, changed: [] };
    }
    await repo.objects.write([...plan.objects, commit]);
    await target.beforePublish?.(attempt);
    try {
      await pushCommit(repo, remote, commit.oid, ref, tip, { token: target.token, who: target.author ?? defaultAuthor(), action: 'pushing the report to' });
    } catch (err) {
      if (isLostRace(err) && attempt < max) {
        await sleep(backoffMs(attempt));
        continue;
      }
      if (isLostRace(err)) break;
      throw err;
    }
    await mirrorLocal(target, ref, commit.oid);
    return { ref, commit: commit.oid, created: true, pushed: true, attempts: attempt, changed: [...plan.changed.map((s) => s.cluster), ...plan.removed, ...plan.files] };
  }
  throw new RuntimeError('REPORT_RACE', `pushing the report to ${label}: ${ref} kept moving; gave up after ${max} attempts`);
}

/** The local branch mirrors what the remote holds, so `git log manifold/status` works in the scratch repository. */
async function mirrorLocal(target: ReportTarget, ref: string, oid: string | undefined): Promise<void> {
  if (oid === undefined) return;
  const current = await readRef(target.repo, ref);
  if (current === oid) return;
  try {
    await updateRef(target.repo, ref, oid, current, { who: target.author ?? defaultAuthor(), message: 'manifold: status (pushed)' });
  } catch {
    // Another writer in this repository moved it; the remote is the truth and the next report re-reads it.
  }
}

/** Jittered backoff so racing agents do not collide in lockstep. */
function backoffMs(attempt: number): number {
  return Math.min(2000, 50 * 2 ** (attempt - 1)) * (0.5 + Math.random());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** All status files on a commit of the report branch (for readers and tests). */
export async function readReport(repo: GitRepository, commit: string): Promise<Map<string, ClusterStatus>> {
  const root = await readTreeEntries(repo.objects, (await readCommit(repo, commit)).tree);
  const dirEntry = root.get(STATUS_DIR);
  const out = new Map<string, ClusterStatus>();
  if (dirEntry === undefined || !isDirMode(dirEntry.mode)) return out;
  for (const [name, entry] of await readTreeEntries(repo.objects, dirEntry.oid)) {
    const parsed = name.endsWith('.json') ? parseStatusFile(await readBlobText(repo, entry.oid)) : undefined;
    if (parsed !== undefined) out.set(parsed.cluster, parsed);
  }
  return out;
}

/** The statuses on the tip of the report branch (fetched first when it lives on a remote); empty when the branch does not exist yet. */
export async function readReportTip(target: ReportTarget): Promise<Map<string, ClusterStatus>> {
  const ref = branchRef(target.branch ?? DEFAULT_REPORT_BRANCH);
  let tip: string | undefined;
  if (target.remote === undefined) tip = await readRef(target.repo, ref);
  else {
    const remote = await resolveRemote(target.repo, target.remote);
    tip = await remoteBranchTip(remote, ref, target.token);
    if (tip !== undefined && !target.repo.objects.has(tip)) await fetchRemoteBranch(target.repo, remote, ref, target.token);
  }
  return tip === undefined ? new Map() : readReport(target.repo, tip);
}
