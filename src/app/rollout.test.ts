import { describe, expect, it } from 'vitest';
import { applyControl, parseControls, reportHold, stateFileContent } from './rollout.ts';
import { evaluateGate, NO_CONTROLS } from '../model/rollout-gate.ts';
import type { RolloutPlan } from '../model/rollout.ts';

const plan: RolloutPlan = { policy: 'web', maxReportAgeSeconds: 600, waves: [{ name: 'a', clusters: ['m1'], minHealthySeconds: 30, maxFailures: 0, requireApproval: false }] };
const T = Date.parse('2026-12-06T12:00:00Z');

describe('the reconciler clock only holds', () => {
  it('a stale report holds; so does one dated ahead of the clock; a fresh one does not', () => {
    expect(reportHold('2026-12-06T11:49:00Z', plan, T)).toBe("the report's newest commit is 660 s old (maxReportAgeSeconds 600)");
    expect(reportHold('2026-12-06T12:01:00Z', plan, T)).toMatch(/dated 60 s ahead of this reconciler's clock/);
    expect(reportHold('2026-12-06T12:00:20Z', plan, T)).toBeUndefined();
    expect(reportHold('2026-12-06T11:59:00Z', plan, T)).toBeUndefined();
    expect(reportHold('2026-12-06T01:00:00Z', plan, undefined)).toBeUndefined();
  });
});

describe('controls', () => {
  const rec = { by: 'ann', at: '2026-12-06T12:00:00Z' };
  it('are idempotent: a second approve, pause, resume or abort changes nothing', () => {
    const approved = applyControl(NO_CONTROLS, { kind: 'approve', wave: 'a' }, 'c1', rec);
    expect(approved?.approvals).toEqual([{ wave: 'a', commit: 'c1', ...rec }]);
    expect(applyControl(approved ?? NO_CONTROLS, { kind: 'approve', wave: 'a' }, 'c1', { ...rec, by: 'bob' })).toBeUndefined();
    expect(applyControl(approved ?? NO_CONTROLS, { kind: 'approve', wave: 'a' }, 'c2', rec)?.approvals).toHaveLength(2);
    const paused = applyControl(NO_CONTROLS, { kind: 'pause' }, 'c1', rec);
    expect(applyControl(paused ?? NO_CONTROLS, { kind: 'pause' }, 'c1', rec)).toBeUndefined();
    expect(applyControl(paused ?? NO_CONTROLS, { kind: 'resume' }, 'c1', rec)?.paused).toBeUndefined();
    expect(applyControl(NO_CONTROLS, { kind: 'resume' }, 'c1', rec)).toBeUndefined();
    const aborted = applyControl(NO_CONTROLS, { kind: 'abort' }, 'c1', rec);
    expect(applyControl(aborted ?? NO_CONTROLS, { kind: 'abort' }, 'c1', rec)).toBeUndefined();
  });

  it('a controls file that is not what manifold rollout writes is refused with its field', () => {
    expect(() => parseControls('rollouts/web.controls.json', '{"approvals": [{"wave": 1}]}')).toThrow(/rollouts\/web\.controls\.json: approvals: not what `manifold rollout` writes/);
    expect(parseControls('f', undefined)).toEqual(NO_CONTROLS);
  });
});

describe('rollouts/<policy>.json', () => {
  it('does not change while only the report time moves (no commit per tick), except for the heartbeat while time holds the rollout', () => {
    const clusters = new Map([['m1', { cluster: 'm1', running: 'c1', attempted: 'c1', result: 'Synced' as const, healthySince: '2026-12-06T12:00:00Z' }]]);
    const at = (now: string) => evaluateGate({ plan, target: 'c1', clusters, controls: NO_CONTROLS, now });
    expect(stateFileContent(at('2026-12-06T12:00:05Z'), undefined)).toBe(stateFileContent(at('2026-12-06T12:00:09Z'), undefined));
    expect(stateFileContent(at('2026-12-06T12:00:31Z'), undefined)).toContain('"state": "Complete"');
  });
});
