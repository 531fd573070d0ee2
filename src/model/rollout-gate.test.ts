import { describe, expect, it } from 'vitest';
import { evaluateGate, inWindow, NO_CONTROLS, type GateInput, type ReportedCluster } from './rollout-gate.ts';
import type { RolloutPlan } from './rollout.ts';

const OLD = 'a'.repeat(40);
const NEW = 'b'.repeat(40);
const plan: RolloutPlan = {
  policy: 'web',
  maxReportAgeSeconds: 600,
  waves: [
    { name: 'canary', clusters: ['m1'], minHealthySeconds: 10, maxFailures: 0, requireApproval: false },
    { name: 'eu', clusters: ['m2'], minHealthySeconds: 5, maxFailures: 0, requireApproval: true },
    { name: 'rest', clusters: ['m3', 'm4'], minHealthySeconds: 0, maxFailures: 0, requireApproval: false, maxUnavailableClusters: 1 },
  ],
};
const at = (s: number): string => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
const old = (cluster: string): ReportedCluster => ({ cluster, running: OLD, attempted: OLD, result: 'Synced', healthySince: at(0) });
const synced = (cluster: string, since: number): ReportedCluster => ({ cluster, running: NEW, attempted: NEW, result: 'Synced', healthySince: at(since) });
const report = (...cs: ReportedCluster[]): Map<string, ReportedCluster> => new Map(cs.map((c) => [c.cluster, c]));
const input = (clusters: Map<string, ReportedCluster>, now: number, extra: Partial<GateInput> = {}): GateInput => ({ plan, target: NEW, previous: OLD, clusters, controls: NO_CONTROLS, now: at(now), ...extra });
const allowed = (r: ReturnType<typeof evaluateGate>): Record<string, string | undefined> => Object.fromEntries(r.clusters.map((c) => [c.cluster, c.allowed?.slice(0, 1)]));

describe('the rollout gate', () => {
  it('releases the first wave only; the next one after minHealthySeconds of report time, not before', () => {
    const start = evaluateGate(input(report(old('m1'), old('m2'), old('m3'), old('m4')), 0));
    expect(allowed(start)).toEqual({ m1: 'b', m2: 'a', m3: 'a', m4: 'a' });
    expect(start.clusters.find((c) => c.cluster === 'm2')).toMatchObject({ gate: 'previous-wave' });

    const healthy = report(synced('m1', 20), old('m2'), old('m3'), old('m4'));
    const early = evaluateGate(input(healthy, 29));
    expect(allowed(early)).toEqual({ m1: 'b', m2: 'a', m3: 'a', m4: 'a' });
    expect(early.clusters.find((c) => c.cluster === 'm2')).toMatchObject({ gate: 'min-healthy', waitSeconds: 1 });
    expect(early.waitingOnTime).toBe(true);
    // Approval for wave eu is required: time alone does not release it.
    const due = evaluateGate(input(healthy, 30));
    expect(due.clusters.find((c) => c.cluster === 'm2')).toMatchObject({ gate: 'approval', allowed: OLD });
    expect(due.waitingOnTime).toBe(false);
    const approved = evaluateGate(input(healthy, 30, { controls: { ...NO_CONTROLS, approvals: [{ wave: 'eu', commit: NEW, by: 'ann', at: at(25) }] } }));
    expect(allowed(approved)).toEqual({ m1: 'b', m2: 'b', m3: 'a', m4: 'a' });
    // An approval of another commit does not count.
    const stale = evaluateGate(input(healthy, 30, { controls: { ...NO_CONTROLS, approvals: [{ wave: 'eu', commit: OLD, by: 'ann', at: at(25) }] } }));
    expect(stale.clusters.find((c) => c.cluster === 'm2')?.allowed).toBe(OLD);
  });

  it('maxUnavailableClusters releases one cluster of the wave at a time; then Complete', () => {
    const controls = { ...NO_CONTROLS, approvals: [{ wave: 'eu', commit: NEW, by: 'ann', at: at(0) }] };
    const r = evaluateGate(input(report(synced('m1', 0), synced('m2', 10), old('m3'), old('m4')), 20, { controls }));
    expect(allowed(r)).toEqual({ m1: 'b', m2: 'b', m3: 'b', m4: 'a' });
    expect(r.clusters.find((c) => c.cluster === 'm4')).toMatchObject({ gate: 'max-unavailable' });
    const next = evaluateGate(input(report(synced('m1', 0), synced('m2', 10), synced('m3', 21), old('m4')), 22, { controls }));
    expect(allowed(next).m4).toBe('b');
    const done = evaluateGate(input(report(synced('m1', 0), synced('m2', 10), synced('m3', 21), synced('m4', 23)), 24, { controls }));
    expect(done.state).toBe('Complete');
  });

  it('a Degraded wave halts the rollout: later waves keep the old commit', () => {
    const degraded: ReportedCluster = { cluster: 'm1', running: NEW, attempted: NEW, result: 'Degraded' };
    const r = evaluateGate(input(report(degraded, old('m2'), old('m3'), old('m4')), 100));
    expect(r.state).toBe('Halted');
    expect(r.reason).toContain('m1 Degraded');
    expect(allowed(r)).toEqual({ m1: 'b', m2: 'a', m3: 'a', m4: 'a' });
    expect(r.waves.map((w) => w.state)).toEqual(['Halted', 'Waiting', 'Waiting']);
  });

  it('abort sends the clusters that run the target back to the previous commit; pause releases nothing new', () => {
    const clusters = report(synced('m1', 0), old('m2'), old('m3'), old('m4'));
    const aborted = evaluateGate(input(clusters, 100, { controls: { ...NO_CONTROLS, aborted: [{ commit: NEW, by: 'bob', at: at(90) }] } }));
    expect(aborted.state).toBe('Aborted');
    expect(allowed(aborted)).toEqual({ m1: 'a', m2: 'a', m3: 'a', m4: 'a' });
    const paused = evaluateGate(input(report(old('m1'), old('m2'), old('m3'), old('m4')), 0, { controls: { ...NO_CONTROLS, paused: { by: 'bob', at: at(0) } } }));
    expect(paused.state).toBe('Paused');
    expect(allowed(paused)).toEqual({ m1: 'a', m2: 'a', m3: 'a', m4: 'a' });
  });

  it('a report that cannot be trusted holds everything where it is; an empty report (nothing runs yet) starts with the first wave', () => {
    const held = evaluateGate(input(report(old('m1'), old('m2'), old('m3'), old('m4')), 0, { hold: 'the report is 900 s old' }));
    expect(held.state).toBe('Held');
    expect(allowed(held)).toEqual({ m1: 'a', m2: 'a', m3: 'a', m4: 'a' });
    const fresh = evaluateGate(input(new Map(), 0));
    expect(allowed(fresh)).toEqual({ m1: 'b', m2: undefined, m3: undefined, m4: undefined });
  });

  it('a window spans midnight when its end is before its start', () => {
    expect(inWindow({ start: '22:00', end: '06:00' }, '2026-01-01T23:30:00Z')).toBe(true);
    expect(inWindow({ start: '22:00', end: '06:00' }, '2026-01-01T05:59:00Z')).toBe(true);
    expect(inWindow({ start: '22:00', end: '06:00' }, '2026-01-01T12:00:00Z')).toBe(false);
    expect(inWindow({ start: '08:00', end: '18:00' }, '2026-01-01T12:00:00Z')).toBe(true);
  });
});
