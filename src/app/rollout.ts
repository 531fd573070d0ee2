/**
 * The rollout use cases (docs/rollout.md): the gate computed from git for
 * `manifold rollout status` and for the reconciler (which commit each
 * cluster may run), and the controls (`approve`, `pause`, `resume`,
 * `abort`) written as commits to the report branch.
 *
 * Inputs, all from git: the rendered branch's tip (the target), its first
 * parent (where abort goes), the waves render recorded in the tip's
 * provenance, the report commit (each cluster's commit and result, and the
 * time of the report commit that first recorded it Synced at the target),
 * and `rollouts/<policy>.controls.json` on the report branch. Nothing here
 * knows policies: the waves come resolved.
 */
import { InputError } from '../errors/index.ts';
import type { Signature } from '../git/objects.ts';
import { fetchRemoteBranch, remoteBranchTip, resolveRemote } from '../git/remote.ts';
import { branchRef, configuredIdentity, findRepository, readCommit, readRef, resolveCommit, type GitRepository } from '../git/repo.ts';
import { readStatusSnapshot, type StatusSnapshot } from '../load/status.ts';
import { evaluateGate, NO_CONTROLS, type ControlRecord, type GateResult, type ReportedCluster, type RolloutControls } from '../model/rollout-gate.ts';
import { rolloutPlanFromProvenance, type RolloutPlan } from '../model/rollout.ts';
import type { Logger } from '../reconcile/logger.ts';
import { appliedInFull, DEFAULT_REPORT_BRANCH, ROLLOUT_DIR, writeReport, type ReportTarget } from '../reconcile/report.ts';
import { readProvenanceAtCommit, readTreeAtCommit, type ClusterTrees, type RenderedSnapshot, type RenderedSource } from '../reconcile/source.ts';
import type { ClusterStatus } from '../reconcile/types.ts';

export const stateFile = (policy: string): string => `${policy}.json`;
export const controlsFile = (policy: string): string => `${policy}.controls.json`;

// ---------------------------------------------------------------------------
// Reading the inputs.

/** The rollout of a rendered commit: its recorded waves and the commit before it. */
export interface RenderedRollout {
  plan: RolloutPlan;
  target: string;
  previous?: string | undefined;
  /** Committer time of the target (the decision time when no report exists yet). */
  targetTime: string;
}

export async function renderedRollout(repo: GitRepository, target: string, prefix = ''): Promise<RenderedRollout | undefined> {
  const plan = rolloutPlanFromProvenance(await readProvenanceAtCommit(repo, target, prefix));
  if (plan === undefined) return undefined;
  const previous = (await readCommit(repo, target)).parents[0];
  return { plan, target, previous, targetTime: await committerTime(repo, target) };
}

async function committerTime(repo: GitRepository, commit: string): Promise<string> {
  const body = (await repo.objects.read(commit)).body.toString('utf8');
  const seconds = /^committer .* (\d+) [+-]\d{4}$/m.exec(body)?.[1];
  return new Date(Number(seconds ?? 0) * 1000).toISOString();
}

const ControlRecordShape = (v: unknown): v is ControlRecord => typeof v === 'object' && v !== null && typeof (v as ControlRecord).by === 'string' && typeof (v as ControlRecord).at === 'string';

/** The controls file; a file that is not what `manifold rollout` writes is an InputError (the gate then holds). */
export function parseControls(file: string, text: string | undefined): RolloutControls {
  if (text === undefined) return NO_CONTROLS;
  const bad = (field: string): InputError => InputError.single({ code: 'ROLLOUT_CONTROLS_INVALID', file, field, message: 'not what `manifold rollout` writes' });
  let v: { approvals?: unknown; paused?: unknown; aborted?: unknown };
  try {
    v = JSON.parse(text) as typeof v;
  } catch {
    throw bad('(file)');
  }
  const approvals = v.approvals ?? [];
  const aborted = v.aborted ?? [];
  if (!Array.isArray(approvals) || !approvals.every((a) => ControlRecordShape(a) && typeof (a as { wave?: unknown }).wave === 'string' && typeof (a as { commit?: unknown }).commit === 'string')) throw bad('approvals');
  if (!Array.isArray(aborted) || !aborted.every((a) => ControlRecordShape(a) && typeof (a as { commit?: unknown }).commit === 'string')) throw bad('aborted');
  if (v.paused !== undefined && !ControlRecordShape(v.paused)) throw bad('paused');
  return { approvals: approvals as RolloutControls['approvals'], aborted: aborted as RolloutControls['aborted'], ...(v.paused === undefined ? {} : { paused: v.paused as ControlRecord }) };
}

/** What the report says about each cluster, with "Healthy since" for those Synced at the target. */
export async function reportedClusters(snapshot: StatusSnapshot, target: string): Promise<Map<string, ReportedCluster>> {
  const out = new Map<string, ReportedCluster>();
  const syncedAtTarget = (s: ClusterStatus): boolean => s.result === 'Synced' && s.renderedCommit === target;
  for (const s of snapshot.clusters) {
    const running = appliedInFull(s) ? s.renderedCommit : s.lastApplied?.renderedCommit;
    const healthySince = syncedAtTarget(s) ? await snapshot.since(s.cluster, syncedAtTarget) : undefined;
    out.set(s.cluster, { cluster: s.cluster, running, attempted: s.renderedCommit, result: s.result, healthySince });
  }
  return out;
}

export interface GateSources {
  rollout: RenderedRollout;
  /** Undefined: no report branch yet (a fleet where nothing runs). */
  report: StatusSnapshot | undefined;
  /** For a folder report (no commit time): the decision time. */
  now?: string | undefined;
  /** The reconciler's clock, only to hold on a stale report (never to release). */
  localNowMs?: number | undefined;
}

export async function computeGate({ rollout, report, now, localNowMs }: GateSources): Promise<GateResult> {
  const base = { plan: rollout.plan, target: rollout.target, previous: rollout.previous };
  if (report === undefined) return evaluateGate({ ...base, clusters: new Map(), controls: NO_CONTROLS, now: now ?? rollout.targetTime });
  const time = report.origin.kind === 'commit' ? report.origin.time : now;
  if (time === undefined) {
    throw InputError.single({ code: 'ROLLOUT_NO_TIME', field: '--now', message: `the report ${report.origin.kind === 'folder' ? report.origin.path : ''} is a folder, which records no time: give --now (ISO 8601) to decide at` });
  }
  const file = `${ROLLOUT_DIR}/${controlsFile(rollout.plan.policy)}`;
  const controls = parseControls(file, await report.readText(file));
  const clusters = await reportedClusters(report, rollout.target);
  return evaluateGate({ ...base, clusters, controls, now: time, hold: reportHold(time, rollout.plan, localNowMs) });
}

/** A report dated ahead of a reconciler's clock by more than this is not trusted (a writer's clock runs fast). */
export const MAX_FUTURE_SECONDS = 30;

/**
 * The reconciler's own clock only ever holds a rollout, never releases it: a
 * report older than maxReportAgeSeconds is old news, and one dated in the
 * future was written by a clock that runs fast (its heartbeat would make
 * minHealthySeconds pass early).
 */
export function reportHold(time: string, plan: RolloutPlan, localNowMs: number | undefined): string | undefined {
  if (localNowMs === undefined) return undefined;
  const ageSeconds = Math.floor((localNowMs - Date.parse(time)) / 1000);
  if (ageSeconds > plan.maxReportAgeSeconds) return `the report's newest commit is ${ageSeconds} s old (maxReportAgeSeconds ${plan.maxReportAgeSeconds})`;
  if (-ageSeconds > MAX_FUTURE_SECONDS) return `the report's newest commit is dated ${-ageSeconds} s ahead of this reconciler's clock (a writer's clock runs fast?)`;
  return undefined;
}

// ---------------------------------------------------------------------------
// `manifold rollout status`.

export interface RolloutStatusOptions {
  /** Folder inside the repository holding the rendered branch (default: the working folder). */
  repo: string;
  /** `--status REF|DIR`. */
  status: string;
  renderedBranch: string;
  prefix?: string | undefined;
  /** A rendered commit other than the branch tip. */
  commit?: string | undefined;
  now?: string | undefined;
}

function openRendered(dir: string): GitRepository {
  const repo = findRepository(dir);
  if (repo === undefined) throw InputError.single({ code: 'ROLLOUT_NO_REPOSITORY', file: dir, message: 'not inside a git repository (the rendered branch lives in one)' });
  return repo;
}

async function targetOf(repo: GitRepository, branch: string, commit: string | undefined): Promise<string> {
  if (commit !== undefined) return resolveCommit(repo, commit);
  const tip = await readRef(repo, branchRef(branch));
  if (tip === undefined) throw InputError.single({ code: 'RENDERED_BRANCH_MISSING', field: '--rendered-branch', message: `the rendered branch ${branch} does not exist in ${repo.workdir ?? repo.gitdir}` });
  return tip;
}

async function rolloutOrFail(repo: GitRepository, target: string, prefix: string | undefined): Promise<RenderedRollout> {
  const rollout = await renderedRollout(repo, target, prefix);
  if (rollout === undefined) {
    throw InputError.single({ code: 'ROLLOUT_NONE', message: `rendered commit ${target.slice(0, 12)} records no RolloutPolicy (.manifold/provenance.json has no "rollout"): every cluster runs the tip` });
  }
  return rollout;
}

export async function rolloutStatus(opts: RolloutStatusOptions): Promise<GateResult> {
  const repo = openRendered(opts.repo);
  const rollout = await rolloutOrFail(repo, await targetOf(repo, opts.renderedBranch, opts.commit), opts.prefix);
  const report = await readStatusSnapshot(opts.status, { cwd: opts.repo, repo });
  return computeGate({ rollout, report, now: opts.now });
}

// ---------------------------------------------------------------------------
// The controls: `manifold rollout approve WAVE | pause | resume | abort`.

export type ControlAction = { kind: 'approve'; wave: string } | { kind: 'pause' } | { kind: 'resume' } | { kind: 'abort' };

export interface RolloutControlOptions {
  repo: string;
  action: ControlAction;
  renderedBranch: string;
  prefix?: string | undefined;
  commit?: string | undefined;
  reportBranch?: string | undefined;
  remote?: string | undefined;
  token?: string | undefined;
  /** Who decides (default: the repository's user.name <user.email>). */
  by?: string | undefined;
  /** For tests: the time recorded (default: now). */
  at?: Date | undefined;
}

export interface ControlOutcome {
  policy: string;
  target: string;
  /** False: the control was already in place (idempotent). */
  changed: boolean;
  commit?: string | undefined;
  message: string;
}

/** The controls with one more decision; undefined when it is already in place. */
export function applyControl(controls: RolloutControls, action: ControlAction, target: string, record: ControlRecord): RolloutControls | undefined {
  switch (action.kind) {
    case 'approve':
      if (controls.approvals.some((a) => a.wave === action.wave && a.commit === target)) return undefined;
      return { ...controls, approvals: [...controls.approvals, { wave: action.wave, commit: target, ...record }] };
    case 'pause':
      return controls.paused === undefined ? { ...controls, paused: record } : undefined;
    case 'resume':
      if (controls.paused === undefined) return undefined;
      return { approvals: controls.approvals, aborted: controls.aborted };
    case 'abort':
      if (controls.aborted.some((a) => a.commit === target)) return undefined;
      return { ...controls, aborted: [...controls.aborted, { commit: target, ...record }] };
  }
}

async function whoDecides(repo: GitRepository, by: string | undefined): Promise<string> {
  if (by !== undefined && by !== '') return by;
  // As git picks the author: GIT_AUTHOR_NAME/EMAIL first, then the repository's user.name/user.email.
  const configured = await configuredIdentity(repo);
  const id = { name: process.env.GIT_AUTHOR_NAME || configured.name, email: process.env.GIT_AUTHOR_EMAIL || configured.email };
  if (id.name === undefined && id.email === undefined) {
    throw InputError.single({ code: 'ROLLOUT_NO_AUTHOR', field: '--by', message: 'every rollout decision names who made it: set git user.name/user.email or pass --by' });
  }
  return `${id.name ?? ''}${id.email === undefined ? '' : ` <${id.email}>`}`.trim();
}

export async function rolloutControl(opts: RolloutControlOptions): Promise<ControlOutcome> {
  const repo = openRendered(opts.repo);
  const target = await targetOf(repo, opts.renderedBranch, opts.commit);
  const { plan } = await rolloutOrFail(repo, target, opts.prefix);
  const { action } = opts;
  if (action.kind === 'approve' && !plan.waves.some((w) => w.name === action.wave)) {
    throw InputError.single({
      code: 'ROLLOUT_UNKNOWN_WAVE',
      field: 'WAVE',
      message: `RolloutPolicy ${plan.policy} has no wave "${action.wave}" (waves: ${plan.waves.map((w) => w.name).join(', ')})`,
    });
  }
  const by = await whoDecides(repo, opts.by);
  const at = (opts.at ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const target_: ReportTarget = { repo, branch: opts.reportBranch ?? DEFAULT_REPORT_BRANCH, remote: opts.remote, token: opts.token, author: signature(by, opts.at) };
  const file = controlsFile(plan.policy);
  const current = parseControls(`${ROLLOUT_DIR}/${file}`, await readReportFile(target_, `${ROLLOUT_DIR}/${file}`));
  const next = applyControl(current, action, target, { by, at });
  const what = action.kind === 'approve' ? `approve wave "${action.wave}" of ${target.slice(0, 12)}` : action.kind === 'abort' ? `abort the rollout of ${target.slice(0, 12)}` : action.kind;
  if (next === undefined) return { policy: plan.policy, target, changed: false, message: `rollout ${plan.policy}: ${what}: already so, nothing to do` };
  const result = await writeReport(target_, [], [], new Map([[file, `${JSON.stringify({ policy: plan.policy, ...next }, null, 2)}\n`]]));
  return { policy: plan.policy, target, changed: result.created, commit: result.commit, message: `rollout ${plan.policy}: ${what} (by ${by} at ${at}), committed ${result.commit?.slice(0, 12)} to ${result.ref.slice(11)}` };
}

function signature(by: string, at: Date | undefined): Signature {
  const m = /^(.*?)\s*<([^>]*)>$/.exec(by);
  return { name: (m?.[1] ?? by) || 'manifold rollout', email: m?.[2] ?? 'manifold@noreply.invalid', timestamp: Math.floor((at ?? new Date()).getTime() / 1000), timezoneOffset: 0 };
}

/** The tip of the report branch, fetched first when it lives on a remote; undefined when it does not exist. */
async function reportTip(target: ReportTarget): Promise<string | undefined> {
  const ref = branchRef(target.branch ?? DEFAULT_REPORT_BRANCH);
  if (target.remote === undefined) return readRef(target.repo, ref);
  const remote = await resolveRemote(target.repo, target.remote);
  const tip = await remoteBranchTip(remote, ref, target.token);
  if (tip !== undefined && !target.repo.objects.has(tip)) await fetchRemoteBranch(target.repo, remote, ref, target.token);
  return tip;
}

async function readReportFile(target: ReportTarget, file: string): Promise<string | undefined> {
  const snapshot = await reportSnapshot(target);
  return snapshot?.readText(file);
}

/** The report at the tip of its branch (validated), or undefined when the branch does not exist yet. */
export async function reportSnapshot(target: ReportTarget): Promise<StatusSnapshot | undefined> {
  const tip = await reportTip(target);
  return tip === undefined ? undefined : readStatusSnapshot(tip, { cwd: target.repo.workdir ?? target.repo.gitdir, repo: target.repo });
}

// ---------------------------------------------------------------------------
// The reconciler: a rendered source that hands each cluster the tree of the
// commit its wave may run.

export interface GatedSourceOptions {
  repo: GitRepository;
  prefix?: string | undefined;
  report: ReportTarget;
  logger: Logger;
  /** The reconciler's clock (stale-report hold only). */
  now?: () => number;
}

/** The gate state as the report branch keeps it: no decision time (so it changes only when the state does), a heartbeat while only time holds it. */
export function stateFileContent(gate: GateResult, heartbeat: string | undefined): string {
  const { now: _now, ...rest } = gate;
  const clusters = rest.clusters.map(({ waitSeconds: _w, ...c }) => c);
  const waves = rest.waves.map((w) => ({ ...w, reason: w.reason.replace(/: \d+ s to go$/, '') }));
  const state = { ...rest, reason: rest.reason.replace(/: \d+ s to go$/, ''), waves, clusters: clusters.map((c) => ({ ...c, reason: c.reason.replace(/: \d+ s to go$/, '') })) };
  // No report commit id or decision time in it: either would change the file, and make a commit, at every tick.
  return `${JSON.stringify({ ...state, ...(heartbeat === undefined ? {} : { heartbeat }) }, null, 2)}\n`;
}

export function gatedSource(inner: RenderedSource, options: GatedSourceOptions): RenderedSource {
  const { logger } = options;
  let lastLogged = '';
  return {
    description: inner.description,
    async read() {
      const snapshot = await inner.read();
      const rollout = rolloutPlanFromProvenance(snapshot.provenance);
      if (rollout === undefined || !/^[0-9a-f]{40}$/.test(snapshot.renderedCommit)) return snapshot;
      const rendered: RenderedRollout = { plan: rollout, target: snapshot.renderedCommit, previous: (await readCommit(options.repo, snapshot.renderedCommit)).parents[0], targetTime: await committerTime(options.repo, snapshot.renderedCommit) };
      let gate: GateResult;
      let reportCommit: string | undefined;
      let readable = true;
      try {
        const report = await reportSnapshot(options.report);
        reportCommit = report?.origin.kind === 'commit' ? report.origin.commit : undefined;
        gate = await computeGate({ rollout: rendered, report, localNowMs: (options.now ?? Date.now)() });
      } catch (err) {
        // An unreadable report or controls file releases nothing: every cluster stays as it is.
        const message = err instanceof Error ? err.message : String(err);
        readable = false;
        gate = await computeGate({ rollout: rendered, report: undefined });
        gate = { ...gate, state: 'Held', reason: `the report cannot be read: ${message}`, clusters: gate.clusters.map((c) => ({ ...c, allowed: undefined, gate: 'report', reason: `held: ${message}` })) };
      }
      const key = JSON.stringify([reportCommit, gate.state, gate.clusters.map((c) => [c.cluster, c.allowed])]);
      if (key !== lastLogged) {
        lastLogged = key;
        logger.info(
          { rollout: gate.policy, target: gate.target, reportCommit, state: gate.state, allowed: Object.fromEntries(gate.clusters.map((c) => [c.cluster, c.allowed ?? null])) },
          `rollout ${gate.policy}: ${gate.state} at ${gate.target.slice(0, 12)} — ${gate.reason}`,
        );
      }
      // An unreadable report is said in the log, not written over at every tick.
      if (readable) await recordState(options, gate);
      return gatedSnapshot(options, snapshot, gate);
    },
  };
}

/**
 * Without a report branch nothing can be gated (no health, no controls): the
 * tip goes everywhere, as with `--ref`, and the log says so once.
 */
export function ungatedSource(inner: RenderedSource, logger: Logger): RenderedSource {
  let warned = false;
  return {
    description: inner.description,
    async read() {
      const snapshot = await inner.read();
      const plan = rolloutPlanFromProvenance(snapshot.provenance);
      if (plan !== undefined && !warned) {
        warned = true;
        logger.warn({ rollout: plan.policy }, `rollout ${plan.policy}: the rendered tree has a RolloutPolicy, but without --report this reconciler cannot gate it: every cluster gets the tip ${snapshot.renderedCommit.slice(0, 12)}`);
      }
      return snapshot;
    },
  };
}

/** `rollouts/<policy>.json` on the report branch; while only time holds the rollout, a heartbeat moves the report's clock. */
async function recordState(options: GatedSourceOptions, gate: GateResult): Promise<void> {
  const needsClock = gate.waitingOnTime || gate.state === 'Held';
  const content = stateFileContent(gate, needsClock ? new Date((options.now ?? Date.now)()).toISOString() : undefined);
  try {
    await writeReport(options.report, [], [], new Map([[stateFile(gate.policy), content]]));
  } catch (err) {
    options.logger.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, `cannot write ${ROLLOUT_DIR}/${stateFile(gate.policy)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Each cluster's tree at the commit it may run; clusters that may run nothing yet are held. */
async function gatedSnapshot(options: GatedSourceOptions, snapshot: RenderedSnapshot, gate: GateResult): Promise<RenderedSnapshot> {
  const decisions = new Map(gate.clusters.map((d) => [d.cluster, d]));
  const trees: ClusterTrees = new Map();
  const commits = new Map<string, string>();
  const held = new Set<string>();
  const atCommit = new Map<string, ClusterTrees>();
  for (const [cluster, tree] of snapshot.trees) {
    const allowed = decisions.has(cluster) ? decisions.get(cluster)?.allowed : snapshot.renderedCommit;
    if (allowed === undefined) {
      held.add(cluster);
      continue;
    }
    if (allowed === snapshot.renderedCommit) {
      trees.set(cluster, tree);
      commits.set(cluster, allowed);
      continue;
    }
    let other = atCommit.get(allowed);
    if (other === undefined) {
      try {
        other = await readTreeAtCommit(options.repo, allowed, { prefix: options.prefix });
      } catch (err) {
        options.logger.warn({ cluster, commit: allowed }, `${cluster}: cannot read the tree of ${allowed.slice(0, 12)} its wave may run (${err instanceof Error ? err.message : String(err)}): held`);
        other = new Map();
      }
      atCommit.set(allowed, other);
    }
    const own = other.get(cluster);
    if (own === undefined) held.add(cluster);
    else {
      trees.set(cluster, own);
      commits.set(cluster, allowed);
    }
  }
  return { ...snapshot, trees, commits, held };
}
