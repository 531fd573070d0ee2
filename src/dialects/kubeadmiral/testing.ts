/** Builders shared by the KubeAdmiral dialect's tests (not used by production code). */
import type { Taint } from '../../model/common.ts';
import type { Cluster } from '../../model/types.ts';
import type { FederatedClusterRecord, FederatedClusterStatus } from './kinds.ts';
import type { SchedulingUnit } from './schedulingunit.ts';

export function testCluster(
  name: string,
  options: { labels?: Record<string, string>; taints?: Taint[]; status?: Partial<FederatedClusterStatus> } = {},
): Cluster {
  const record: FederatedClusterRecord = {
    name,
    declaredBy: 'FederatedCluster',
    labels: options.labels ?? {},
    zones: [],
    taints: options.taints ?? [],
    source: { file: 'test.yaml', line: 1 },
    federatedStatus: { allocatable: {}, available: {}, ...options.status },
  };
  return record;
}

export function testUnit(fields: Partial<SchedulingUnit> = {}): SchedulingUnit {
  return {
    key: 'default/test',
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    mode: 'Duplicate',
    replicasStrategy: 'Spread',
    currentClusters: new Map(),
    avoidDisruption: true,
    sticky: false,
    minReplicas: {},
    maxReplicas: {},
    weights: {},
    priorities: {},
    tolerations: [],
    requestsGpu: false,
    gpuRequest: 0n,
    keepUnschedulableReplicas: false,
    ...fields,
  };
}
