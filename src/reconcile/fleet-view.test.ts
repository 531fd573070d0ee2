import { describe, expect, it } from 'vitest';
import { sampleStatus } from '../../test/report/statuses.ts';
import { fleetView, humanDuration } from './fleet-view.ts';
import type { ClusterStatus } from './types.ts';

const OLD = 'a'.repeat(40);
const TIP = 'b'.repeat(40);

function at(cluster: string, over: Partial<ClusterStatus> = {}): ClusterStatus {
  return sampleStatus(cluster, { renderedCommit: TIP, ...over });
}

describe('fleetView', () => {
  it('is ok only when every cluster is Synced and healthy at the tip', () => {
    const view = fleetView({ statuses: [at('b'), at('a')], renderedTip: TIP });
    expect(view.ok).toBe(true);
    expect(view.clusters.map((c) => c.cluster)).toEqual(['a', 'b']);
    expect(view.counts).toEqual({ Synced: 2, OK: 2 });
    expect(view.tip).toEqual({ commit: TIP, from: 'rendered-branch' });
  });

  it('a cluster behind the tip, unhealthy, failed or with drift left in place is not ok', () => {
    const behind = at('behind', { renderedCommit: OLD });
    const unhealthy = at('unhealthy', { result: 'Degraded', summary: { ...at('x').summary, unhealthy: 1 } });
    const drift = at('drift', { conditions: [{ type: 'Drifted', status: 'True', reason: 'DriftNotCorrected', message: '1 object drifted' }] });
    const corrected = at('corrected', { conditions: [{ type: 'Drifted', status: 'True', reason: 'DriftCorrected', message: 'fixed' }] });
    const view = fleetView({ statuses: [behind, unhealthy, drift, corrected], renderedTip: TIP, behind: new Map([[OLD, 3]]) });
    expect(Object.fromEntries(view.clusters.map((c) => [c.cluster, c.ok]))).toEqual({ behind: false, corrected: true, drift: false, unhealthy: false });
    expect(view.clusters.find((c) => c.cluster === 'behind')?.behind).toBe(3);
    expect(view.ok).toBe(false);
  });

  it('without the rendered branch the newest attempted commit is the tip', () => {
    const view = fleetView({ statuses: [at('a', { renderedCommit: OLD, finishedAt: '2026-01-01T00:00:00Z' }), at('b', { finishedAt: '2026-01-02T00:00:00Z' })] });
    expect(view.tip).toEqual({ commit: TIP, from: 'report' });
    expect(view.clusters.map((c) => c.behind)).toEqual([undefined, 0]);
  });

  it('a failed reconcile keeps what runs there (lastApplied) as the applied commit', () => {
    const failed = at('a', { result: 'Failed', renderedCommit: TIP, lastApplied: { renderedCommit: OLD } });
    const [row] = fleetView({ statuses: [failed], renderedTip: TIP }).clusters;
    expect(row).toMatchObject({ applied: OLD, attempted: TIP, ok: false });
  });

  it('marks a cluster the inventory no longer has as stale', () => {
    const view = fleetView({ statuses: [at('gone'), at('here')], renderedTip: TIP, inventory: new Set(['here']) });
    expect(view.clusters.map((c) => [c.cluster, c.stale, c.ok])).toEqual([
      ['gone', true, false],
      ['here', false, true],
    ]);
    expect(view.counts.Stale).toBe(1);
  });

  it('readiness comes from the live Ready condition (Karmada reasons) when observed, else from the result', () => {
    const live = (reason: string, status: 'True' | 'False' | 'Unknown') => ({ observedAt: '2026-01-01T00:00:00Z', conditions: [{ type: 'Ready', status, reason, message: '' }] });
    const view = fleetView({
      statuses: [
        at('a', { live: live('ClusterReady', 'True') }),
        at('b', { live: live('ClusterNotReady', 'False') }),
        at('c', { live: live('ClusterNotReachable', 'False') }),
        at('d', { result: 'Unreachable' }),
        at('e'),
      ],
    });
    expect(view.clusters.map((c) => `${c.readiness}/${c.readinessFrom}`)).toEqual(['Ready/live', 'NotReady/live', 'Unreachable/live', 'Unreachable/result', 'Reachable/result']);
  });

  it('ages are relative to the given now, never the clock', () => {
    const view = fleetView({ statuses: [at('a', { finishedAt: '2026-01-01T00:00:00.000Z' })], report: { now: '2026-01-01T02:30:00.000Z' } });
    expect(view.clusters[0]?.ageSeconds).toBe(9000);
    expect(fleetView({ statuses: [at('a')] }).clusters[0]?.ageSeconds).toBeUndefined();
  });

  it('lists failures, unhealthy objects and drift with their messages and paths', () => {
    const s = at('a', {
      result: 'Degraded',
      conditions: [{ type: 'Healthy', status: 'False', reason: 'Degraded', message: 'web not ready' }],
      objects: [
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', action: 'configured', health: 'Degraded', message: '0/3 ready' },
        { apiVersion: 'v1', kind: 'Secret', namespace: 'shop', name: 'db', action: 'configured', health: 'Healthy', drift: [{ path: '/data/password', before: '***', after: '***' }] },
        { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'bad', action: 'failed', health: 'Unknown', message: 'admission webhook denied' },
      ],
    });
    expect(fleetView({ statuses: [s] }).clusters[0]?.problems).toEqual([
      { subject: 'Healthy', kind: 'condition', message: 'False Degraded: web not ready' },
      { subject: 'Deployment shop/web', kind: 'unhealthy', message: 'Degraded: 0/3 ready' },
      { subject: 'Secret shop/db', kind: 'drifted', message: '1 field differs from the rendered tree', paths: ['/data/password'] },
      { subject: 'ConfigMap shop/bad', kind: 'failed', message: 'admission webhook denied' },
    ]);
  });

  it('sums workloads across clusters from live.workloads', () => {
    const w = (ready: number) => ({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', desired: 3, ready, unschedulable: 0 });
    const live = (ready: number) => ({ observedAt: '2026-01-01T00:00:00Z', conditions: [], workloads: [w(ready)] });
    const view = fleetView({ statuses: [at('a', { live: live(3) }), at('b', { live: live(1) }), at('c')] });
    expect(view.workloads).toEqual([
      { id: 'Deployment shop/web', desired: 6, ready: 4, clusters: [{ cluster: 'a', desired: 3, ready: 3 }, { cluster: 'b', desired: 3, ready: 1 }] },
    ]);
  });

  it('rollout cells and failover proposals appear only when given', () => {
    const plain = fleetView({ statuses: [at('a')] });
    expect(plain.rollout).toBe(false);
    expect(plain.proposals).toBeUndefined();
    const rich = fleetView({ statuses: [at('a')], rollout: new Map([['a', { wave: 'canary', gate: 'open' }]]), proposals: [{ cluster: 'a', message: 'move web to b' }] });
    expect(rich.rollout).toBe(true);
    expect(rich.clusters[0]?.rollout).toEqual({ wave: 'canary', gate: 'open' });
    expect(rich.proposals).toHaveLength(1);
  });
});

describe('humanDuration (kubectl AGE)', () => {
  it.each([
    [5, '5s'],
    [119, '119s'],
    [150, '2m30s'],
    [600, '10m'],
    [9000, '150m'],
    [3 * 3600 + 60 * 5, '3h5m'],
    [30 * 3600, '30h'],
    [3 * 86400 + 3600, '3d1h'],
    [40 * 86400, '40d'],
    [3 * 365 * 86400 + 86400 * 4, '3y4d'],
  ])('%i s → %s', (seconds, text) => expect(humanDuration(seconds)).toBe(text));
});
