/**
 * Reports for the status page's browser tests and the README screenshot
 * (scripts/status-page-screenshot.ts): a small fleet with one cluster of each
 * kind of trouble, and a generated 1,000-cluster fleet. Deterministic.
 */
import type { ClusterStatus, LiveState } from '../../src/reconcile/types.ts';
import { sampleStatus } from '../report/statuses.ts';

export const TIP = '7d3f9a1c2b4e5f60718293a4b5c6d7e8f9012345';
export const PREVIOUS = '5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7';

function live(ready: number, desired = 3, extra: Partial<LiveState> = {}): LiveState {
  return {
    observedAt: '2026-03-01T11:59:00.000Z',
    conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'cluster is healthy and ready to accept workloads' }],
    workloads: [
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', desired, ready, unschedulable: 0 },
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'worker', desired: 2, ready: Math.min(2, ready), unschedulable: 0 },
    ],
    ...extra,
  };
}

const SUMMARY = { objects: 4, applied: 0, unchanged: 4, pruned: 0, failed: 0, drifted: 0, unhealthy: 0 };

/** Three clusters: synced, degraded with drift on a Secret (masked) and an unhealthy Deployment, and failed. */
export function smallFleet(): ClusterStatus[] {
  return [
    sampleStatus('eu-1', { renderedCommit: TIP, finishedAt: '2026-03-01T11:58:00.000Z', summary: SUMMARY, live: live(3) }),
    sampleStatus('eu-2', {
      renderedCommit: TIP,
      result: 'Degraded',
      finishedAt: '2026-03-01T11:57:00.000Z',
      summary: { ...SUMMARY, drifted: 1, unhealthy: 1 },
      conditions: [{ type: 'Healthy', status: 'False', reason: 'Degraded', message: 'Deployment shop/web: 1/3 replicas available' }],
      objects: [
        { apiVersion: 'v1', kind: 'Secret', namespace: 'shop', name: 'db', action: 'configured', health: 'Healthy', drift: [{ path: '/data/password', before: '***', after: '***' }] },
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', action: 'unchanged', health: 'Degraded', message: '1/3 replicas available' },
      ],
      live: live(1),
    }),
    sampleStatus('us-1', {
      renderedCommit: TIP,
      result: 'Failed',
      finishedAt: '2026-03-01T11:56:00.000Z',
      summary: { ...SUMMARY, failed: 1 },
      lastApplied: { renderedCommit: PREVIOUS },
      conditions: [{ type: 'Ready', status: 'False', reason: 'ApplyFailed', message: 'ConfigMap shop/settings: admission webhook "policy.example" denied the request' }],
      objects: [
        { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'settings', action: 'failed', health: 'Unknown', message: 'admission webhook "policy.example" denied the request' },
      ],
      live: live(3),
    }),
  ];
}

/** `n` clusters: every 10th Degraded, every 37th Failed, every 101st Unreachable, every 13th one commit behind. */
export function largeFleet(n = 1000): ClusterStatus[] {
  const out: ClusterStatus[] = [];
  for (let i = 1; i <= n; i++) {
    const cluster = `cluster-${String(i).padStart(4, '0')}`;
    const finishedAt = new Date(Date.UTC(2026, 2, 1, 11, 0, 0) + i * 1000).toISOString();
    if (i % 101 === 0) {
      out.push(sampleStatus(cluster, { renderedCommit: TIP, result: 'Unreachable', finishedAt, summary: { ...SUMMARY, objects: 0 }, objects: [], lastApplied: { renderedCommit: PREVIOUS },
        conditions: [{ type: 'Ready', status: 'False', reason: 'ClusterUnreachable', message: `dial tcp 10.0.${i % 256}.1:6443: connect: connection refused` }] }));
    } else if (i % 37 === 0) {
      out.push(sampleStatus(cluster, { renderedCommit: TIP, result: 'Failed', finishedAt, summary: { ...SUMMARY, failed: 1 }, lastApplied: { renderedCommit: PREVIOUS },
        conditions: [{ type: 'Ready', status: 'False', reason: 'ApplyFailed', message: 'ConfigMap shop/settings: the server rejected the object' }], live: live(3) }));
    } else if (i % 10 === 0) {
      out.push(sampleStatus(cluster, { renderedCommit: TIP, result: 'Degraded', finishedAt, summary: { ...SUMMARY, unhealthy: 1 },
        conditions: [{ type: 'Healthy', status: 'False', reason: 'Degraded', message: 'Deployment shop/web: 1/3 replicas available' }],
        objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', action: 'unchanged', health: 'Degraded', message: '1/3 replicas available' }], live: live(1) }));
    } else {
      out.push(sampleStatus(cluster, { renderedCommit: i % 13 === 0 ? PREVIOUS : TIP, finishedAt, summary: SUMMARY, live: live(3) }));
    }
  }
  return out;
}

/** What largeFleet(n) holds per result. */
export function largeFleetCounts(n = 1000): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of largeFleet(n)) counts[s.result] = (counts[s.result] ?? 0) + 1;
  return counts;
}
