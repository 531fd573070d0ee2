/** Stable placements across renders: Karmada resumes at the affinity group and scales from the previous split. */
import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../src/dialects/index.ts';
import { loadRepository } from '../src/load/repository.ts';
import { affinityGroupsFromProvenance, previousFromTree } from '../src/output/previous.ts';
import { render, type RenderResult } from '../src/render/render.ts';
import type { PreviousRender } from '../src/render/types.ts';

const cluster = (name: string, extra = '') => `apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata: {name: ${name}}
${extra}
`;

const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, resources: {requests: {cpu: "1"}}}]
`;

function run(files: Record<string, string>, previous?: PreviousRender): RenderResult {
  const repo = loadRepository(Object.entries(files).map(([path, text]) => ({ path, text })), registry);
  return render(repo, dialects, { manifoldVersion: 'test', previous });
}

function previousOf(result: RenderResult): PreviousRender {
  const previous = previousFromTree(result.clusters);
  return { ...previous, affinityGroups: affinityGroupsFromProvenance(JSON.stringify(result.provenance)) };
}

function replicasPerCluster(result: RenderResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [c, files] of result.clusters) {
    const m = /replicas: (\d+)/.exec(files.get('namespaces/shop/Deployment.apps/web.yaml') ?? '');
    if (m) out[c] = Number(m[1]);
  }
  return out;
}

const fallbackPolicy = `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: web, namespace: shop}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
  placement:
    clusterAffinities:
      - affinityName: primary
        clusterNames: [a]
      - affinityName: backup
        clusterNames: [b]
`;

describe('clusterAffinities across renders', () => {
  const tainted = cluster('a', 'spec:\n  taints: [{key: maintenance, effect: NoSchedule}]');

  it('falls back to the next group and records it in provenance', () => {
    const result = run({ 'c.yaml': `${tainted}---\n${cluster('b')}`, 'd.yaml': deployment(2), 'p.yaml': fallbackPolicy });
    expect(replicasPerCluster(result)).toEqual({ b: 2 });
    expect(result.provenance.objects.find((o) => o.key === 'apps/Deployment/shop/web')?.affinityGroup).toBe('backup');
  });

  it('stays on the group of the previous render after the first group becomes usable again, as Karmada does', () => {
    const first = run({ 'c.yaml': `${tainted}---\n${cluster('b')}`, 'd.yaml': deployment(2), 'p.yaml': fallbackPolicy });
    const healed = { 'c.yaml': `${cluster('a')}---\n${cluster('b')}`, 'd.yaml': deployment(2), 'p.yaml': fallbackPolicy };
    expect(replicasPerCluster(run(healed, previousOf(first)))).toEqual({ b: 2 });
    // Without a previous render, placement is computed fresh from the first group.
    expect(replicasPerCluster(run(healed))).toEqual({ a: 2 });
  });
});

describe('DynamicWeight steady scaling from the previous render', () => {
  const capacity = (cpu: number) => `status:\n  resourceSummary:\n    allocatable: {cpu: "${cpu}", pods: "110"}\n`;
  const policy = `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: web, namespace: shop}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
  placement:
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference: {dynamicWeight: AvailableReplicas}
`;
  const clusters = `${cluster('a', capacity(10))}---\n${cluster('b', capacity(10))}`;

  it('scale-up adds only the difference, keeping what each cluster had', () => {
    const first = run({ 'c.yaml': clusters, 'd.yaml': deployment(4), 'p.yaml': policy });
    expect(replicasPerCluster(first)).toEqual({ a: 2, b: 2 });
    const skewed = previousFromTree(new Map([
      ['a', new Map([['namespaces/shop/Deployment.apps/web.yaml', deployment(3)]])],
      ['b', new Map([['namespaces/shop/Deployment.apps/web.yaml', deployment(1)]])],
    ]));
    // Previous split a=3 b=1; scaling 4 → 6 divides the 2 new replicas by free capacity.
    expect(replicasPerCluster(run({ 'c.yaml': clusters, 'd.yaml': deployment(6), 'p.yaml': policy }, skewed))).toEqual({ a: 4, b: 2 });
    // Fresh: an even split.
    expect(replicasPerCluster(run({ 'c.yaml': clusters, 'd.yaml': deployment(6), 'p.yaml': policy }))).toEqual({ a: 3, b: 3 });
  });
});
