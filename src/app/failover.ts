/**
 * `manifold failover`: when a cluster has been NotReady or unreachable for
 * the grace period, render the fleet as Karmada would after the taint
 * manager's eviction (dialects/karmada/live.ts), check that the receiving
 * clusters can hold the replicas that move (render/failover.ts), degrade
 * non-critical workloads when they cannot, and propose the result as a
 * commit on its own branch (`manifold/failover/<cluster>`) based on the
 * rendered branch, with a message that says what moved where and why. The
 * reverse (failback) is proposed the same way once the cluster has been
 * Ready again for the grace period. Unattended, the commit goes straight to
 * the rendered branch.
 *
 * One proposal at a time: each run renders the whole fleet from the latest
 * report, so a proposal on another `manifold/failover/*` branch is overtaken
 * and deleted; the same decision on the same base makes no new commit, and
 * the grace period, measured from the Ready condition's lastTransitionTime,
 * keeps a flapping cluster from proposing anything.
 */
import { InputError } from '../errors/index.ts';
import type { Repository } from '../load/repository.ts';
import { DEFAULT_GRACE_PERIOD_SECONDS, readinessOf, secondsBetween, addSeconds, type LiveStatus } from '../model/live.ts';
import type { JsonObject, Template } from '../model/types.ts';
import type { RenderResult } from '../render/render.ts';
import { checkCapacity, degradedReplicas, formatFree, gained, workloadMoves, type CapacityCheck, type Criticality, type WorkloadMove } from '../render/failover.ts';
import type { PreviousRender } from '../render/types.ts';
import type { PullRequestApi, RepoRef } from '../github/api.ts';
import { MANIFOLD_VERSION } from '../version.ts';
import { readLiveStatus } from './live.ts';
import type { Notify } from './notices.ts';
import { parseSource, readSource, renderLoaded } from './source.ts';

/** Proposals live under this branch prefix, one per decision. */
export const PROPOSAL_PREFIX = 'manifold/failover/';

export interface FailoverOptions {
  source: string;
  sourceRef?: string | undefined;
  /** The report (`--status`; default manifold.yaml `status`). */
  status?: string | undefined;
  now?: string | undefined;
  /** Repository holding the rendered branch (default: the one holding SOURCE). */
  repoDir?: string | undefined;
  /** The rendered branch the proposal is based on (default manifold.yaml failover.branch, else manifold/rendered). */
  branch?: string | undefined;
  prefix?: string | undefined;
  gracePeriodSeconds?: number | undefined;
  /** Commit straight to the rendered branch instead of proposing. */
  unattended?: boolean | undefined;
  /** Decide and describe, write nothing. */
  dryRun?: boolean | undefined;
  /** Push the proposal branch to `remote` and open (or update) its pull request; close those of overtaken proposals. */
  pullRequests?: ProposalPullRequests | undefined;
}

export interface ProposalPullRequests {
  api: PullRequestApi;
  repo: RepoRef;
  /** Remote name, URL or path the proposal branch is pushed to (where the pull request's head lives). */
  remote: string;
  token?: string | undefined;
}

export interface FailoverOutcome {
  /** none: nothing to move; proposed / unchanged: a proposal branch (new, or the same one again); committed: unattended. */
  action: 'none' | 'proposed' | 'unchanged' | 'committed' | 'dry-run';
  lost: string[];
  branch?: string | undefined;
  commit?: string | undefined;
  message?: string | undefined;
  /** Proposal branches deleted: merged (`name (merged)`) or overtaken by this decision. */
  closed: string[];
  /** With pullRequests: the proposal's pull request and what was done to it, and the pull requests closed. */
  pull?: { action: 'created' | 'updated' | 'unchanged'; number: number; url: string } | undefined;
  closedPulls?: number[] | undefined;
}

/** The decision, before anything is written. */
export interface FailoverDecision {
  lost: LostCluster[];
  result: RenderResult;
  moves: WorkloadMove[];
  capacity: CapacityCheck;
  degraded: { name: string; from: number; to: number }[];
  keptLastCopy: string[];
  /** Replicas the live status moved off a cluster that stays (KubeAdmiral auto-migration), per workload and cluster. */
  migrated: Array<{ name: string; cluster: string; why: string }>;
}

interface LostCluster {
  name: string;
  status: string;
  reason: string;
  since: string;
  /** When the grace period ran out. */
  due: string;
}

export async function failover(opts: FailoverOptions, notify: Notify): Promise<FailoverOutcome> {
  const source = await readSource({ source: opts.source, sourceRef: opts.sourceRef }, true);
  const repo = await parseSource(source);
  const grace = opts.gracePeriodSeconds ?? repo.settings.failover?.gracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS;
  const live = await readLiveStatus({ status: opts.status, now: opts.now, source: opts.source, repoDir: opts.repoDir }, repo.settings, { gracePeriodSeconds: grace });
  if (live === undefined) throw InputError.single({ code: 'USAGE', field: '--status', message: 'failover decides from a report: pass --status REF|DIR (or set status in manifold.yaml)' });
  const branch = opts.branch ?? repo.settings.failover?.branch ?? (await import('../git/names.ts')).DEFAULT_BRANCH;
  const git = await import('../git/repo.ts');
  const handle = git.openRepository(opts.repoDir ?? opts.source);
  try {
    const tip = await git.readRef(handle, git.branchRef(branch));
    if (tip === undefined) {
      throw InputError.single({ code: 'FAILOVER_NO_RENDER', field: '--branch', message: `the rendered branch ${branch} does not exist: failover moves what a render placed (run manifold render --commit first)` });
    }
    const { previousFromBranch } = await import('../git/previous.ts');
    const previous = (await previousFromBranch(handle, branch, opts.prefix ?? '')) ?? { replicas: new Map(), clusters: new Set<string>() };
    const fallback = repo.settings.failover?.defaultCriticality ?? 'critical';
    const decision = await decide(repo, source.commit, live, previous, fallback);
    for (const l of decision.lost) notify({ kind: 'line', text: `${l.name}: Ready=${l.status} (${l.reason}) since ${l.since}, past the ${grace}s grace period at ${l.due}` });
    const names = proposalNames(decision);
    const message = proposalMessage(decision, live, grace, source.commit);
    if (opts.dryRun === true) return { action: 'dry-run', lost: names.lost, message, closed: [] };
    const { renderedTree } = await import('../git/commit.ts');
    const { commitAuthor } = await import('../git/publish.ts');
    const { commitOnBranch, commitProposal } = await import('../git/proposal.ts');
    const tree = renderedTree(decision.result.clusters, decision.result.provenance);
    // The decision time as the commit time: the same source and report give the same commit.
    const author = await commitAuthor(opts.repoDir ?? opts.source, new Date(live.now));
    if (opts.unattended === true) {
      const closed = await closeProposals(handle, undefined, tip);
      const commit = await commitOnBranch(handle, tree, { branch, base: tip, prefix: opts.prefix, message, author });
      if (commit === undefined) return { action: 'none', lost: names.lost, closed };
      notify({ kind: 'commit', id: commit });
      return { action: 'committed', lost: names.lost, branch, commit, message, closed };
    }
    const proposalBranch = `${PROPOSAL_PREFIX}${names.branch}`;
    const result = await commitProposal(handle, tree, { branch: proposalBranch, base: tip, prefix: opts.prefix, message, author });
    if (result.empty) {
      const closed = await closeProposals(handle, undefined, tip);
      return { action: 'none', lost: names.lost, closed, closedPulls: await closePulls(opts.pullRequests, closed) };
    }
    const closed = await closeProposals(handle, proposalBranch, tip);
    notify({ kind: 'commit', id: result.commit });
    // An unchanged proposal keeps its message (decided at the time it was first made): nothing to notify anyone about.
    const shown = result.created ? message : (await git.readCommit(handle, result.commit)).message;
    const outcome: FailoverOutcome = { action: result.created ? 'proposed' : 'unchanged', lost: names.lost, branch: proposalBranch, commit: result.commit, message: shown, closed };
    if (opts.pullRequests !== undefined) {
      outcome.pull = await publishProposal(handle, opts.pullRequests, { branch: proposalBranch, base: branch, commit: result.commit, message: shown, author });
      outcome.closedPulls = await closePulls(opts.pullRequests, closed);
    }
    return outcome;
  } finally {
    handle.objects.close();
  }
}

/** Pushes the proposal branch (compare-and-swap on the remote's tip) and opens or updates its pull request. */
async function publishProposal(
  handle: import('../git/repo.ts').GitRepository,
  target: ProposalPullRequests,
  proposal: { branch: string; base: string; commit: string; message: string; author: import('../git/objects.ts').Signature },
): Promise<NonNullable<FailoverOutcome['pull']>> {
  const { pushCommit, remoteBranchTip, resolveRemote } = await import('../git/remote.ts');
  const { branchRef } = await import('../git/repo.ts');
  const remote = await resolveRemote(handle, target.remote);
  const ref = branchRef(proposal.branch);
  const there = await remoteBranchTip(remote, ref, target.token, { forPush: true });
  if (there !== proposal.commit) await pushCommit(handle, remote, proposal.commit, ref, there, { token: target.token, who: proposal.author, action: 'pushing the proposal to' });
  const [title = '', ...rest] = proposal.message.trimEnd().split('\n');
  const { upsertPullRequest } = await import('../github/api.ts');
  const result = await upsertPullRequest(target.api, target.repo, { title, body: rest.join('\n').trim(), head: proposal.branch, base: proposal.base });
  return { action: result.action, number: result.pull.number, url: result.pull.url };
}

/** Closes the pull requests of the proposal branches deleted here. */
async function closePulls(target: ProposalPullRequests | undefined, closed: readonly string[]): Promise<number[] | undefined> {
  if (target === undefined) return undefined;
  const { closePullRequests } = await import('../github/api.ts');
  const numbers: number[] = [];
  for (const name of closed) numbers.push(...(await closePullRequests(target.api, target.repo, name.replace(/ \(merged\)$/, ''))));
  return numbers;
}

/**
 * Deletes every proposal branch but `keep`: one the rendered branch points
 * at was merged; any other was overtaken by the fleet's latest decision.
 */
async function closeProposals(handle: import('../git/repo.ts').GitRepository, keep: string | undefined, tip: string): Promise<string[]> {
  const { listBranches, deleteBranch, readRef, branchRef } = await import('../git/repo.ts');
  const closed: string[] = [];
  for (const name of await listBranches(handle, PROPOSAL_PREFIX)) {
    if (name === keep) continue;
    const merged = (await readRef(handle, branchRef(name))) === tip;
    await deleteBranch(handle, name);
    closed.push(merged ? `${name} (merged)` : name);
  }
  return closed;
}

/**
 * Renders the fleet after eviction, keeps the last copy of a workload no
 * other cluster can take, checks capacity, and degrades non-critical
 * workloads once when the receivers lack it.
 */
export async function decide(repo: Repository, sourceCommit: string | undefined, live: LiveStatus, previous: PreviousRender, fallback: Criticality): Promise<FailoverDecision> {
  const grace = live.failover?.gracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS;
  const lost = lostClusters(repo, live, grace);
  const renderWith = async (r: Repository, keep?: ReadonlySet<string>): Promise<RenderResult> =>
    renderLoaded(r, sourceCommit, { source: '', previous, unschedulable: 'report', live, keepLastCopy: keep });
  let result = await renderWith(repo);
  const keep = new Set(result.unschedulable.map((u) => u.key));
  if (keep.size > 0) result = await renderWith(repo, keep);
  const keptLastCopy = result.rendered.filter((r) => keep.has(r.template.key)).map((r) => r.template.key);
  const clusters = await overlaidClusters(repo, live);
  let moves = workloadMoves(previous, result.placements, repo.templates, fallback);
  let capacity = checkCapacity(moves, clusters);
  const degraded: FailoverDecision['degraded'] = [];
  if (capacity.shortfalls.length > 0) {
    const halve = new Set(moves.filter((m) => m.criticality === 'non-critical' && [...m.after.keys()].some((c) => gained(m, c) > 0)).map((m) => m.key));
    if (halve.size > 0) {
      const lowered = withHalvedReplicas(repo, halve, degraded);
      result = await renderWith(lowered, keep.size > 0 ? keep : undefined);
      moves = workloadMoves(previous, result.placements, lowered.templates, fallback);
      capacity = checkCapacity(moves, clusters);
    }
  }
  return { lost, result, moves, capacity, degraded, keptLastCopy: keptLastCopy.map((k) => describeKey(repo, k)), migrated: migratedOf(result, moves) };
}

/** The clusters auto-migration took replicas from, for the workloads that do move. */
function migratedOf(result: RenderResult, moves: readonly WorkloadMove[]): FailoverDecision['migrated'] {
  const out: FailoverDecision['migrated'] = [];
  for (const move of moves) {
    const placement = result.placements.find((p) => p.template.key === move.key);
    // With keepUnschedulableReplicas the capped cluster keeps its replicas and the others gain: every capped cluster is named.
    for (const m of placement?.migrated ?? []) out.push({ name: move.name, cluster: m.cluster, why: m.why });
  }
  return out;
}

async function overlaidClusters(repo: Repository, live: LiveStatus): Promise<Repository['clusters']> {
  const { overlayLiveStatus } = await import('../render/live.ts');
  const { dialects } = await import('../dialects/index.ts');
  return overlayLiveStatus(repo, dialects, live).repo.clusters;
}

function lostClusters(repo: Repository, live: LiveStatus, grace: number): LostCluster[] {
  const known = new Set(repo.clusters.map((c) => c.name));
  const lost: LostCluster[] = [];
  for (const observed of live.clusters) {
    const readiness = readinessOf(observed);
    if (!known.has(observed.cluster) || readiness === undefined || readiness.status === 'True') continue;
    if (secondsBetween(readiness.since, live.now) < grace) continue;
    lost.push({ name: observed.cluster, status: readiness.status, reason: readiness.reason, since: readiness.since, due: addSeconds(readiness.since, grace) });
  }
  return lost;
}

/** The source with the named workloads' replicas halved (rounded up); each change recorded in `degraded`. */
function withHalvedReplicas(repo: Repository, keys: ReadonlySet<string>, degraded: FailoverDecision['degraded']): Repository {
  const templates = repo.templates.map((t): Template => {
    const spec = t.object.spec as JsonObject | undefined;
    if (!keys.has(t.key) || spec === undefined || typeof spec.replicas !== 'number') return t;
    const to = degradedReplicas(spec.replicas);
    degraded.push({ name: `${t.id.kind} ${t.id.namespace ? `${t.id.namespace}/` : ''}${t.id.name}`, from: spec.replicas, to });
    return { ...t, object: { ...t.object, spec: { ...spec, replicas: to } } };
  });
  return { ...repo, templates };
}

function describeKey(repo: Repository, key: string): string {
  const t = repo.templates.find((x) => x.key === key);
  return t === undefined ? key : `${t.id.kind} ${t.id.namespace ? `${t.id.namespace}/` : ''}${t.id.name}`;
}

/** The branch name: the lost clusters (failover), else those auto-migration moves replicas from, else the clusters workloads come back to (failback). */
function proposalNames(decision: FailoverDecision): { branch: string; lost: string[] } {
  const lost = decision.lost.map((l) => l.name);
  if (lost.length > 0) return { branch: lost.join('+'), lost };
  const migratedFrom = migratedClusters(decision);
  if (migratedFrom.length > 0) return { branch: migratedFrom.join('+'), lost };
  const back = [...new Set(decision.moves.flatMap((m) => [...m.after.keys()].filter((c) => gained(m, c) > 0 && (m.before.get(c) ?? 0) === 0)))].sort();
  return { branch: back.length > 0 ? back.join('+') : 'fleet', lost };
}

/** The commit message: per workload from where to where, capacity before and after, what was degraded or does not fit. */
export function proposalMessage(decision: FailoverDecision, live: LiveStatus, grace: number, sourceCommit: string | undefined): string {
  const { lost, moves, capacity, degraded, keptLastCopy } = decision;
  const subjectClusters = lost.map((l) => l.name);
  const migratedFrom = migratedClusters(decision);
  const kind =
    subjectClusters.length > 0
      ? `failover from ${subjectClusters.join(', ')}`
      : migratedFrom.length > 0
        ? `auto-migration from ${migratedFrom.join(', ')}`
        : `failback to ${proposalNames(decision).branch.split('+').join(', ')}`;
  const lines: string[] = [`manifold: ${kind} (${moves.length} workload${moves.length === 1 ? '' : 's'} moved)`, ''];
  for (const l of lost) lines.push(`${l.name} has been Ready=${l.status} (${l.reason}) since ${l.since}; the ${grace}s grace period ran out at ${l.due}.`);
  for (const m of decision.migrated) lines.push(`${m.cluster}: ${m.name} has ${m.why} (KubeAdmiral autoMigration).`);
  if (lost.length === 0 && migratedFrom.length === 0) lines.push(`No cluster is lost; clusters Ready again for the ${grace}s grace period take workloads back as the policies place them.`);
  lines.push('', 'Workloads (replicas per cluster, before → after):');
  if (moves.length === 0) lines.push('  none (only objects without replicas move)');
  for (const m of moves) lines.push(`  ${m.name} [${m.criticality}]: ${describeMove(m)}`);
  const empty = moves.filter((m) => m.after.size === 0 && m.before.size > 0);
  for (const m of empty) lines.push(`  LAST COPY REMOVED: ${m.name} runs nowhere after this change`);
  lines.push('', 'Capacity of the receiving clusters (free before → after, from the report):');
  if (capacity.receivers.length === 0) lines.push('  no cluster receives replicas');
  for (const r of capacity.receivers) {
    const receives = [...r.receives].map(([key, n]) => `+${n} ${moves.find((m) => m.key === key)?.name ?? key}`).join(', ');
    lines.push(`  ${r.cluster}: ${formatFree(r.before)} → ${r.after === undefined ? 'not checked' : formatFree(r.after)} (${receives})`);
  }
  if (degraded.length > 0) {
    lines.push('', 'Degraded (the receivers lack capacity; non-critical workloads keep half):');
    for (const d of degraded) lines.push(`  ${d.name}: ${d.from} → ${d.to} replicas`);
  }
  if (capacity.shortfalls.length > 0) {
    lines.push('', 'Does not fit (reported, not dropped: these replicas will stay Pending):');
    for (const s of capacity.shortfalls) lines.push(`  ${s.name}: ${s.missing} replica${s.missing === 1 ? '' : 's'} on ${s.cluster}`);
  }
  if (keptLastCopy.length > 0) {
    lines.push('', 'Kept where they run (no other cluster can take them; the last copy is never removed):');
    for (const k of keptLastCopy) lines.push(`  ${k}`);
  }
  lines.push('');
  for (const l of lost) lines.push(`Manifold-Failover: ${l.name}`);
  for (const c of migratedFrom) lines.push(`Manifold-Auto-Migration: ${c}`);
  if (live.commit !== undefined) lines.push(`Manifold-Status-Commit: ${live.commit}`);
  lines.push(`Manifold-Decided-At: ${live.now}`);
  if (sourceCommit !== undefined) lines.push(`Manifold-Source-Commit: ${sourceCommit}`);
  lines.push(`Manifold-Version: ${MANIFOLD_VERSION}`);
  return `${lines.join('\n')}\n`;
}

function migratedClusters(decision: FailoverDecision): string[] {
  return [...new Set(decision.migrated.map((m) => m.cluster))].sort();
}

/** `from eu-1 (2 → 0) to eu-2 (2 → 4)`: the clusters that lose, then those that gain. */
function describeMove(m: WorkloadMove): string {
  const clusters = [...new Set([...m.before.keys(), ...m.after.keys()])].sort();
  const change = (c: string) => `${c} ${m.before.get(c) ?? 0} → ${m.after.get(c) ?? 0}`;
  const from = clusters.filter((c) => (m.after.get(c) ?? 0) < (m.before.get(c) ?? 0)).map(change);
  const to = clusters.filter((c) => (m.after.get(c) ?? 0) > (m.before.get(c) ?? 0)).map(change);
  const parts = [from.length > 0 ? `from ${from.join(', ')}` : '', to.length > 0 ? `to ${to.join(', ')}` : ''].filter((p) => p !== '');
  return parts.join(' ');
}
