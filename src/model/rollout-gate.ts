/**
 * The rollout gate: which commit of the rendered branch each cluster may run,
 * computed from git alone (docs/rollout.md). Pure: the same rendered commit,
 * report commit and controls give the same answer on every machine, so the
 * push reconciler, every pull-mode agent and `manifold rollout status` agree.
 *
 * Rules, with the upstream they follow:
 * - waves go in order; wave k may take the target commit only when every
 *   cluster of the waves before it runs it, Synced (applied and Healthy), for
 *   `minHealthySeconds` of the wave before (OCM progressive rollout,
 *   `minSuccessTime`: cluster-management api cluster/v1alpha1/helpers.go
 *   `determineRolloutStatus` / `RolloutProgressive`);
 * - more than `maxFailures` clusters of a wave Degraded or Failed at the
 *   target halts the rollout: later waves stay where they are (OCM
 *   `maxFailures`; KubeFleet stops an update run whose stage fails);
 * - within a wave at most `maxUnavailableClusters` clusters are on their way
 *   (released, not yet Healthy) at once, in name order (Fleet `maxUnavailable`,
 *   fleet pkg/controllers/bundle/... partitions);
 * - `requireApproval` and `window` gate the start of a wave (KubeFleet
 *   `beforeStageTasks` Approval; Fleet `Schedule`), never a wave already under way;
 * - pause releases nothing new; abort sends the clusters that run the target
 *   back to the commit before it.
 *
 * "Now" is the report commit's committer time, and "Healthy since" the time
 * of the first report commit that recorded the cluster Synced at the target:
 * times written in git, never a reader's clock, so a fast clock on one agent
 * cannot release a wave early.
 */
import type { PlannedWave, RolloutPlan } from './rollout.ts';

/** What the report says about one cluster. */
export interface ReportedCluster {
  cluster: string;
  /** The commit last applied in full (lastApplied, else the attempted commit of a Synced or Degraded run). */
  running?: string | undefined;
  /** The commit of the last reconcile attempt and its result. */
  attempted: string;
  result: 'Synced' | 'Degraded' | 'Failed' | 'Unreachable' | 'Orphaned';
  /** ISO time of the first report commit that recorded it Synced at `attempted` (unbroken since). */
  healthySince?: string | undefined;
}

export interface ControlRecord {
  by: string;
  at: string;
}

/** The controls on the report branch (`rollouts/<policy>.controls.json`). */
export interface RolloutControls {
  approvals: Array<ControlRecord & { wave: string; commit: string }>;
  paused?: ControlRecord | undefined;
  aborted: Array<ControlRecord & { commit: string }>;
}

export const NO_CONTROLS: RolloutControls = { approvals: [], aborted: [] };

export interface GateInput {
  plan: RolloutPlan;
  /** The tip of the rendered branch: where the rollout goes. */
  target: string;
  /** The commit before it on the rendered branch (first parent): where abort goes. */
  previous?: string | undefined;
  /** The report's clusters; an empty map is a fleet where nothing runs yet. */
  clusters: ReadonlyMap<string, ReportedCluster>;
  controls: RolloutControls;
  /** ISO time of the report commit (the decision time). */
  now: string;
  /** Why the report cannot be trusted (stale, unreadable): everything holds. */
  hold?: string | undefined;
}

export type Gate = 'report' | 'aborted' | 'halted' | 'previous-wave' | 'min-healthy' | 'approval' | 'window' | 'paused' | 'max-unavailable';

export interface ClusterDecision {
  cluster: string;
  wave: string;
  running?: string | undefined;
  /** The commit it may run; undefined: nothing yet (it runs nothing and its wave has not started). */
  allowed?: string | undefined;
  /** Holding it back, when it may not run the target. */
  gate?: Gate | undefined;
  reason: string;
  /** Seconds until a time gate opens. */
  waitSeconds?: number | undefined;
}

export type WaveState = 'Done' | 'Progressing' | 'Waiting' | 'Halted' | 'Aborted';

export interface WaveDecision {
  name: string;
  state: WaveState;
  reason: string;
  clusters: string[];
}

export type RolloutState = 'Complete' | 'Progressing' | 'Halted' | 'Paused' | 'Aborted' | 'Held';

export interface GateResult {
  policy: string;
  target: string;
  previous?: string | undefined;
  now: string;
  state: RolloutState;
  reason: string;
  waves: WaveDecision[];
  clusters: ClusterDecision[];
  /** Only the clock holds the rollout: the report must get newer for it to move (the reconciler writes a heartbeat). */
  waitingOnTime: boolean;
}

const short = (c: string | undefined): string => (c === undefined ? 'nothing' : c.slice(0, 12));

function seconds(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** Whether a time of day (UTC) falls in the window; an end before the start spans midnight. */
export function inWindow(window: { start: string; end: string }, now: string): boolean {
  const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const d = new Date(now);
  const t = d.getUTCHours() * 60 + d.getUTCMinutes();
  const [s, e] = [minutes(window.start), minutes(window.end)];
  return s < e ? t >= s && t < e : t >= s || t < e;
}

/** Synced at the target: applied in full and every object Healthy. */
function healthyAt(c: ReportedCluster | undefined, target: string): boolean {
  return c !== undefined && c.result === 'Synced' && c.attempted === target && c.running === target && c.healthySince !== undefined;
}

function failedAt(c: ReportedCluster | undefined, target: string): boolean {
  return c !== undefined && c.attempted === target && (c.result === 'Degraded' || c.result === 'Failed');
}

/** Released already: it runs or tried the target (a wave under way is never stopped by a start gate). */
function startedAt(c: ReportedCluster | undefined, target: string): boolean {
  return c !== undefined && (c.running === target || c.attempted === target);
}

export function evaluateGate(input: GateInput): GateResult {
  const { plan, target, clusters, controls, now } = input;
  const decisions: ClusterDecision[] = [];
  const waves: WaveDecision[] = [];
  const running = (name: string): string | undefined => clusters.get(name)?.running;
  const holdAll = (wave: PlannedWave, gate: Gate, reason: string, waitSeconds?: number): void => {
    for (const name of wave.clusters) {
      const r = running(name);
      if (r === target) decisions.push({ cluster: name, wave: wave.name, running: r, allowed: r, reason: 'runs the target' });
      else decisions.push({ cluster: name, wave: wave.name, running: r, allowed: r, gate, reason, ...(waitSeconds === undefined ? {} : { waitSeconds }) });
    }
  };
  const result = (state: RolloutState, reason: string, waitingOnTime = false): GateResult => ({
    policy: plan.policy,
    target,
    ...(input.previous === undefined ? {} : { previous: input.previous }),
    now,
    state,
    reason,
    waves,
    clusters: decisions.sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0)),
    waitingOnTime,
  });

  const abort = controls.aborted.find((a) => a.commit === target);
  if (abort !== undefined) {
    const back = input.previous;
    for (const wave of plan.waves) {
      for (const name of wave.clusters) {
        const r = running(name);
        const allowed = r === target || (r === undefined && startedAt(clusters.get(name), target)) ? back : r;
        decisions.push({ cluster: name, wave: wave.name, running: r, allowed, gate: 'aborted', reason: `rollout of ${short(target)} aborted by ${abort.by} at ${abort.at}: ${allowed === r ? 'stays at' : 'back to'} ${short(allowed)}` });
      }
      waves.push({ name: wave.name, state: 'Aborted', reason: `aborted by ${abort.by} at ${abort.at}`, clusters: wave.clusters });
    }
    return result('Aborted', `aborted by ${abort.by} at ${abort.at}; released clusters go back to ${short(input.previous)}`);
  }
  if (input.hold !== undefined) {
    for (const wave of plan.waves) {
      holdAll(wave, 'report', `held: ${input.hold}`);
      waves.push({ name: wave.name, state: 'Waiting', reason: `held: ${input.hold}`, clusters: wave.clusters });
    }
    return result('Held', input.hold);
  }

  // `blocked`: why the waves from here on may not start (undefined: the gate is open).
  let blocked: { gate: Gate; reason: string; waitSeconds?: number } | undefined;
  let halted: string | undefined;
  let waitingOnTime = false;
  for (const wave of plan.waves) {
    const reported = wave.clusters.map((n) => clusters.get(n));
    const failed = wave.clusters.filter((n) => failedAt(clusters.get(n), target));
    const started = reported.some((c) => startedAt(c, target));
    if (blocked !== undefined) {
      holdAll(wave, blocked.gate, blocked.reason, blocked.waitSeconds);
      waves.push({ name: wave.name, state: failed.length > 0 ? 'Halted' : 'Waiting', reason: blocked.reason, clusters: wave.clusters });
      continue;
    }
    const startGate = started ? undefined : startGateOf(wave, input);
    if (startGate !== undefined) {
      holdAll(wave, startGate.gate, startGate.reason);
      waves.push({ name: wave.name, state: 'Waiting', reason: startGate.reason, clusters: wave.clusters });
      blocked = { gate: 'previous-wave', reason: `wave "${wave.name}" has not started: ${startGate.reason}` };
      continue;
    }
    const haltsHere = failed.length > wave.maxFailures;
    releaseWave(wave, input, decisions, haltsHere);
    const healthy = wave.clusters.filter((n) => healthyAt(clusters.get(n), target));
    if (haltsHere) {
      halted = `wave "${wave.name}": ${failed.map((n) => `${n} ${clusters.get(n)?.result}`).join(', ')} at ${short(target)} (maxFailures ${wave.maxFailures})`;
      waves.push({ name: wave.name, state: 'Halted', reason: halted, clusters: wave.clusters });
      blocked = { gate: 'halted', reason: halted };
      continue;
    }
    if (healthy.length < wave.clusters.length) {
      const reason = `wave "${wave.name}": ${healthy.length} of ${wave.clusters.length} cluster(s) Synced and Healthy at ${short(target)}`;
      waves.push({ name: wave.name, state: 'Progressing', reason, clusters: wave.clusters });
      blocked = { gate: 'previous-wave', reason };
      continue;
    }
    const since = Math.max(...healthy.map((n) => seconds(clusters.get(n)?.healthySince as string)));
    const wait = since + wave.minHealthySeconds - seconds(now);
    if (wait > 0) {
      waitingOnTime = true;
      const reason = `wave "${wave.name}" Healthy since ${new Date(since * 1000).toISOString()}; minHealthySeconds ${wave.minHealthySeconds}: ${wait} s to go`;
      waves.push({ name: wave.name, state: 'Progressing', reason, clusters: wave.clusters });
      blocked = { gate: 'min-healthy', reason, waitSeconds: wait };
      continue;
    }
    waves.push({ name: wave.name, state: 'Done', reason: `Healthy at ${short(target)} for at least ${wave.minHealthySeconds} s`, clusters: wave.clusters });
  }
  if (halted !== undefined) return result('Halted', `halted: ${halted}`);
  if (blocked === undefined) return result('Complete', `every wave runs ${short(target)}`);
  if (controls.paused !== undefined) return result('Paused', `paused by ${controls.paused.by} at ${controls.paused.at}`);
  return result('Progressing', blocked.reason, waitingOnTime && blocked.gate === 'min-healthy');
}

/** What keeps a wave that has not started from starting: pause, approval, window. */
function startGateOf(wave: PlannedWave, input: GateInput): { gate: Gate; reason: string } | undefined {
  const { controls, target, now } = input;
  if (controls.paused !== undefined) return { gate: 'paused', reason: `paused by ${controls.paused.by} at ${controls.paused.at}` };
  if (wave.requireApproval && !controls.approvals.some((a) => a.wave === wave.name && a.commit === target)) {
    return { gate: 'approval', reason: `wave "${wave.name}" waits for approval of ${short(target)} (manifold rollout approve ${wave.name})` };
  }
  if (wave.window !== undefined && !inWindow(wave.window, now)) {
    return { gate: 'window', reason: `wave "${wave.name}" starts only between ${wave.window.start} and ${wave.window.end} UTC` };
  }
  return undefined;
}

/**
 * The wave's gate is open: clusters that started keep the target; the others
 * take it as long as no more than maxUnavailableClusters are on their way
 * (pause lets the started ones finish and releases no new one).
 */
function releaseWave(wave: PlannedWave, input: GateInput, decisions: ClusterDecision[], halted: boolean): void {
  const { clusters, target, controls } = input;
  const onTheWay = wave.clusters.filter((n) => startedAt(clusters.get(n), target) && !healthyAt(clusters.get(n), target)).length;
  let slots = controls.paused !== undefined || halted ? 0 : (wave.maxUnavailableClusters ?? wave.clusters.length) - onTheWay;
  for (const name of wave.clusters) {
    const c = clusters.get(name);
    if (startedAt(c, target)) {
      decisions.push({ cluster: name, wave: wave.name, running: c?.running, allowed: target, reason: c?.running === target ? 'runs the target' : `released to ${short(target)}` });
      continue;
    }
    if (slots > 0) {
      slots--;
      decisions.push({ cluster: name, wave: wave.name, running: c?.running, allowed: target, reason: `released to ${short(target)}` });
      continue;
    }
    const paused = controls.paused;
    decisions.push({
      cluster: name,
      wave: wave.name,
      running: c?.running,
      allowed: c?.running,
      gate: halted ? 'halted' : paused !== undefined ? 'paused' : 'max-unavailable',
      reason: halted
        ? `rollout halted: more than ${wave.maxFailures} cluster(s) of wave "${wave.name}" Degraded or Failed`
        : paused !== undefined
          ? `paused by ${paused.by} at ${paused.at}`
          : `maxUnavailableClusters ${wave.maxUnavailableClusters}: ${onTheWay} cluster(s) of wave "${wave.name}" on their way`,
    });
  }
}
