import { describe, expect, it } from 'vitest';
import type { Cluster, Template } from '../../model/types.ts';
import type { PropagationSpec } from './schema.ts';
import { scheduleTemplate } from './schedule.ts';

function cluster(name: string, region: string): Cluster {
  return { name, declaredBy: 'Cluster', labels: {}, region, zones: [], taints: [], source: { file: 'clusters.yaml', line: 1 } };
}

const template: Template = {
  id: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
  key: 'apps/Deployment/shop/web',
  object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 5 } },
  labels: {},
  annotations: {},
  source: { file: 'web.yaml', line: 1 },
};

const spec = {
  resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }],
  placement: {
    clusterAffinity: { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu', 'us'] }] } },
    replicaScheduling: {
      replicaSchedulingType: 'Divided',
      replicaDivisionPreference: 'Weighted',
      weightPreference: { staticWeightList: [{ targetCluster: { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] } }, weight: 2 }, { targetCluster: { clusterNames: ['us-1'] }, weight: 1 }] },
    },
  },
} as unknown as PropagationSpec;

const clusters = [cluster('eu-1', 'eu'), cluster('us-1', 'us'), cluster('ap-1', 'ap')];

describe('scheduleTemplate explanation', () => {
  it('explains the filters and the division when read, with the targets computed without it', () => {
    const result = scheduleTemplate(template, spec, clusters, undefined, undefined);
    expect([...result.targets]).toEqual([
      ['eu-1', 3],
      ['us-1', 2],
    ]);
    expect(result.explain.map((s) => s.title)).toEqual(['Clusters', 'Replicas (StaticWeight, 5 desired)']);
    expect(result.explain[0]!.lines).toEqual(['✗ ap-1: region ap, not in [eu,us]', '✓ eu-1', '✓ us-1']);
    expect(result.explain[1]!.lines).toEqual([
      'weights: eu-1=2 us-1=1 (static, max over matching entries)',
      'StaticWeight: divide 5 replicas by static weight',
      'webster 5 over [eu-1,us-1] → eu-1=3 us-1=2 (ties: fewer replicas, then names ascending)',
      'result: eu-1=3 us-1=2',
    ]);
  });

  it('keeps the lines once read, serializes them and lets them be replaced like a plain property', () => {
    const { explain } = scheduleTemplate(template, spec, clusters, undefined, undefined);
    const section = explain[0]!;
    expect(section.lines).toBe(section.lines);
    expect(JSON.parse(JSON.stringify(explain[1]))).toEqual({ title: 'Replicas (StaticWeight, 5 desired)', lines: explain[1]!.lines });
    expect({ ...section }).toEqual({ title: 'Clusters', lines: ['✗ ap-1: region ap, not in [eu,us]', '✓ eu-1', '✓ us-1'] });
    section.lines = ['replaced'];
    expect(section.lines).toEqual(['replaced']);
    const unread = scheduleTemplate(template, spec, clusters, undefined, undefined).explain[0]!;
    unread.lines = ['set before any read'];
    expect(unread.lines).toEqual(['set before any read']);
  });
});

describe('zero replicas skip the estimator (core/util.go calAvailableReplicas, karmada#3743)', () => {
  const summary = (pods: string) => ({ allocatable: { pods } });
  // "a" has no resource summary (estimate 0), "b" room for 9 pods.
  const fleet: Cluster[] = [
    { ...cluster('a', 'eu') },
    { ...cluster('b', 'eu'), resourceSummary: summary('9') },
  ];
  const spreadSpec = {
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }],
    placement: {
      spreadConstraints: [{ spreadByField: 'cluster', minGroups: 1, maxGroups: 1 }],
      replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } },
    },
  } as unknown as PropagationSpec;
  const scaledTo = (replicas: number, namespace: string | undefined): Template => {
    const metadata: Record<string, string> = namespace === undefined ? { name: 'web' } : { name: 'web', namespace };
    return { ...template, object: { ...template.object, metadata, spec: { replicas } } };
  };

  it.each([
    ['with metadata.namespace', 'shop'],
    ['without metadata.namespace', undefined],
  ])('a Deployment scaled to 0 lands by name order, every cluster being unbounded (%s)', (_twin, namespace) => {
    const result = scheduleTemplate(scaledTo(0, namespace), spreadSpec, fleet, undefined, undefined);
    expect([...result.targets.keys()]).toEqual(['a']);
    const scaled = scheduleTemplate(scaledTo(3, namespace), spreadSpec, fleet, undefined, undefined);
    expect([...scaled.targets]).toEqual([['b', 3]]);
  });
});
