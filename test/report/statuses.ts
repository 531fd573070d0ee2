/** ClusterStatus values for report tests. */
import type { ClusterStatus } from '../../src/reconcile/types.ts';

export const COMMIT = '0123456789abcdef0123456789abcdef01234567';

export function sampleStatus(cluster: string, over: Partial<ClusterStatus> = {}): ClusterStatus {
  return {
    cluster,
    renderedCommit: COMMIT,
    result: 'Synced',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.500Z',
    durationMs: 1500,
    summary: { objects: 2, applied: 1, unchanged: 1, pruned: 0, failed: 0, drifted: 0, unhealthy: 0 },
    conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'applied 2 objects' }],
    objects: [
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'app', action: 'configured', health: 'Healthy' },
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'nginx', action: 'unchanged', health: 'Healthy' },
    ],
    ...over,
  };
}
