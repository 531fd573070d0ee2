import { describe, expect, it } from 'vitest';
import { stateFileContent } from '../app/rollout.ts';
import type { GateResult } from '../model/rollout-gate.ts';
import { isRolloutStateFile, rolloutsFromStateFiles } from './rollout-view.ts';

/** A gate as issue 15's reconciler writes it (stateFileContent), halted at its first wave. */
const GATE: GateResult = {
  policy: 'web',
  target: 'a'.repeat(40),
  previous: 'b'.repeat(40),
  now: '2026-03-01T12:00:00.000Z',
  state: 'Halted',
  reason: 'halted: wave "canary": member1 Degraded',
  waitingOnTime: false,
  waves: [
    { name: 'canary', state: 'Halted', reason: 'member1 Degraded', clusters: ['member1'] },
    { name: 'remaining', state: 'Waiting', reason: 'waits for wave canary', clusters: ['member2', 'member3'] },
  ],
  clusters: [
    { cluster: 'member1', wave: 'canary', running: 'a'.repeat(40), allowed: 'a'.repeat(40), reason: 'runs the target' },
    { cluster: 'member2', wave: 'remaining', running: 'b'.repeat(40), allowed: 'b'.repeat(40), gate: 'halted', reason: 'the rollout is halted' },
  ],
};

describe('rolloutsFromStateFiles', () => {
  it("reads each cluster's wave and gate and each policy's waves from the state files the reconciler writes", () => {
    const { cells, summaries } = rolloutsFromStateFiles(new Map([['rollouts/web.json', stateFileContent(GATE, undefined)]]));
    expect(cells.get('member1')).toEqual({ wave: 'canary', gate: 'open', reason: 'runs the target' });
    expect(cells.get('member2')).toEqual({ wave: 'remaining', gate: 'halted', reason: 'the rollout is halted' });
    expect(summaries).toEqual([
      {
        policy: 'web',
        file: 'rollouts/web.json',
        state: 'Halted',
        reason: 'halted: wave "canary": member1 Degraded',
        target: 'a'.repeat(40),
        waves: [
          { name: 'canary', state: 'Halted', reason: 'member1 Degraded' },
          { name: 'remaining', state: 'Waiting', reason: 'waits for wave canary' },
        ],
      },
    ]);
  });

  it('skips a file it cannot read instead of failing the page', () => {
    expect(rolloutsFromStateFiles(new Map([['rollouts/x.json', 'not json'], ['rollouts/y.json', '[]']]))).toEqual({ cells: new Map(), summaries: [] });
  });

  it('knows the state files from the controls files', () => {
    expect(['rollouts/web.json', 'rollouts/web.controls.json', 'clusters/a.json', 'rollouts/a/b.json'].filter(isRolloutStateFile)).toEqual(['rollouts/web.json']);
  });
});
