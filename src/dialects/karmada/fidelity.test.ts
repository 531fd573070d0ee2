/**
 * Karmada fidelity cases of issue 11, rendered end to end from source files
 * (load, validate, match, schedule, emit). Each case has a twin whose
 * templates omit metadata.namespace, as upstream examples usually do.
 */
import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../index.ts';
import { InputError, type Problem } from '../../errors/index.ts';
import { loadRepository } from '../../load/repository.ts';
import { render, type RenderResult } from '../../render/render.ts';

export function renderFiles(files: Record<string, string>): RenderResult {
  const repo = loadRepository(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    registry,
  );
  return render(repo, dialects, { manifoldVersion: 'test' });
}

export function problemsOf(files: Record<string, string>): Problem[] {
  try {
    renderFiles(files);
  } catch (err) {
    if (err instanceof InputError) return err.problems;
    throw err;
  }
  throw new Error('expected the render to be refused');
}

/** cluster → the files it received, for the clusters that received any. */
export function placed(result: RenderResult): Record<string, string[]> {
  return Object.fromEntries(
    [...result.clusters].filter(([, files]) => files.size > 0).map(([cluster, files]) => [cluster, [...files.keys()].sort()]),
  );
}

export const nginx = (namespace: string | undefined, replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
${namespace === undefined ? '' : `  namespace: ${namespace}\n`}spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers: [{name: nginx, image: nginx}]
`;

export const twins = [
  ['metadata.namespace: default', 'default'],
  ['no metadata.namespace', undefined],
] as const;

// karmada artifacts/example/cr_cluster.yaml (v1.18.0), the Secret left out.
const crCluster = `apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata:
  name: cluster-foo
  namespace: karmada-cluster
spec:
  syncMode: Push
  apiEndpoint: https://10.10.10.10:6339
  secretRef:
    namespace: karmada-cluster
    name: secret-foo
  provider: huaweicloud
  region: ap-southeast-1
  zone: az-1
`;
const otherCluster = `apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata:
  name: cluster-bar
spec:
  region: ap-southeast-1
  zones: [az-2]
`;

describe('deprecated Cluster.spec.zone becomes zones (karmada pkg/apis/cluster/mutation/mutation.go migrateZoneToZones)', () => {
  const zonePolicy = (operator: string) => `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: nginx-propagation
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: nginx
  placement:
    clusterAffinity:
      fieldSelector:
        matchExpressions:
          - key: zone
            operator: ${operator}
            values: [az-1]
`;
  it.each(twins)('a zone selector sees the cluster of artifacts/example/cr_cluster.yaml (%s)', (_twin, namespace) => {
    const files = { 'clusters.yaml': `${crCluster}---\n${otherCluster}`, 'nginx.yaml': nginx(namespace), 'policy.yaml': zonePolicy('In') };
    expect(Object.keys(placed(renderFiles(files)))).toEqual(['cluster-foo']);
    expect(Object.keys(placed(renderFiles({ ...files, 'policy.yaml': zonePolicy('NotIn') })))).toEqual(['cluster-bar']);
  });

  it.each(twins)('zone spreading counts it as a cluster with a zone (%s)', (_twin, namespace) => {
    const policy = `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: nginx-propagation
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: nginx
  placement:
    spreadConstraints:
      - spreadByField: zone
        minGroups: 1
        maxGroups: 2
      - spreadByField: cluster
        minGroups: 1
        maxGroups: 2
`;
    const files = { 'clusters.yaml': `${crCluster}---\n${otherCluster}`, 'nginx.yaml': nginx(namespace), 'policy.yaml': policy };
    // The zone constraint only requires a zone (spreadconstraint filter plugin): both clusters qualify.
    const result = renderFiles(files);
    expect(Object.keys(placed(result))).toEqual(['cluster-bar', 'cluster-foo']);
  });
});
