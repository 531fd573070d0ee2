/**
 * Live status on a KubeFedCluster: readiness only. KubeFed's sync controller
 * skips clusters that are not ready (kubefed pkg/controller/sync: the
 * informer's GetReadyClusters) without rescheduling anything and has no
 * capacity model, so the placement does not change: the note says what
 * KubeFed would report for the cluster.
 */
import { readinessOf, type ObservedCluster } from '../../model/live.ts';
import type { Cluster } from '../../model/types.ts';

export function overlayKubeFedCluster(cluster: Cluster, observed: ObservedCluster): { cluster: Cluster; notes: string[] } | undefined {
  if (cluster.declaredBy !== 'KubeFedCluster') return undefined;
  const readiness = readinessOf(observed);
  const notes =
    readiness !== undefined && readiness.status !== 'True'
      ? [`Ready=${readiness.status} (${readiness.reason}) since ${readiness.since}: KubeFed stops propagating to it and moves nothing (report only)`]
      : [];
  return { cluster: { ...cluster, live: readiness }, notes };
}
