import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../model/types.ts';
import type { ClusterAffinity } from './schema.ts';
import { clusterMatchesAffinity } from './placement.ts';

function makeCluster(name: string, extra: Partial<Cluster> = {}): Cluster {
  return {
    name,
    declaredBy: 'Cluster',
    labels: {},
    zones: [],
    taints: [],
    source: { file: 'clusters.yaml', line: 1 },
    ...extra,
  };
}

// pkg/util/selector_test.go TestClusterMatches
describe('clusterMatchesAffinity (selector_test.go TestClusterMatches)', () => {
  const cluster = makeCluster('cluster1', {
    labels: { foo: 'bar' },
    zones: ['zone1', 'zone2', 'zone3'],
    region: 'region1',
    provider: 'provider1',
  });
  const zones = cluster.zones;
  const label = (v: string) => ({ matchLabels: { foo: v } });
  const field = (
    key: 'zone' | 'region' | 'provider',
    operator: 'In' | 'NotIn',
    values: string[],
  ): ClusterAffinity['fieldSelector'] => ({ matchExpressions: [{ key, operator, values }] });

  const vectors: [string, ClusterAffinity, boolean][] = [
    ['excluded and names', { exclude: ['cluster1'], clusterNames: ['cluster1'] }, false],
    ['excluded and label selector', { exclude: ['cluster1'], labelSelector: label('bar') }, false],
    ['excluded and field selector', { exclude: ['cluster1'], fieldSelector: field('zone', 'In', zones) }, false],
    ['cluster names', { clusterNames: ['cluster1'] }, true],
    ['cluster names not matched', { clusterNames: ['cluster2'] }, false],
    ['names and label selector', { labelSelector: label('bar'), clusterNames: ['cluster1'] }, true],
    ['names and label selector not matched', { labelSelector: label('unmatched'), clusterNames: ['cluster1'] }, false],
    [
      'names and field selector (zone & region)',
      {
        clusterNames: ['cluster1'],
        fieldSelector: {
          matchExpressions: [
            { key: 'zone', operator: 'In', values: zones },
            { key: 'region', operator: 'In', values: ['region1'] },
          ],
        },
      },
      true,
    ],
    ['names and field selector (provider)', { clusterNames: ['cluster1'], fieldSelector: field('provider', 'In', ['provider1']) }, true],
    ['names and field selector (region)', { clusterNames: ['cluster1'], fieldSelector: field('region', 'In', ['region1']) }, true],
    ['names and field selector (zone not in)', { clusterNames: ['cluster1'], fieldSelector: field('zone', 'NotIn', zones) }, false],
    ['names and field selector (provider not in)', { clusterNames: ['cluster1'], fieldSelector: field('provider', 'NotIn', ['provider1']) }, false],
    ['names and field selector (region not in)', { clusterNames: ['cluster1'], fieldSelector: field('region', 'NotIn', ['region1']) }, false],
    ['label and field selector (zone)', { labelSelector: label('bar'), fieldSelector: field('zone', 'In', zones) }, true],
    ['label and field selector (provider)', { labelSelector: label('bar'), fieldSelector: field('provider', 'In', ['provider1']) }, true],
    ['label and field selector (region)', { labelSelector: label('bar'), fieldSelector: field('region', 'In', ['region1']) }, true],
    ['label and field selector (zone not in)', { labelSelector: label('bar'), fieldSelector: field('zone', 'NotIn', zones) }, false],
    ['label and field selector (provider not in)', { labelSelector: label('bar'), fieldSelector: field('provider', 'NotIn', ['provider1']) }, false],
    ['label and field selector (region not in)', { labelSelector: label('bar'), fieldSelector: field('region', 'NotIn', ['region1']) }, false],
    ['label selector', { labelSelector: label('bar') }, true],
    ['label selector not matched', { labelSelector: label('unmatched') }, false],
    ['empty affinity', {}, true],
    ['label selector error (empty key)', { labelSelector: { matchLabels: { '': 'bar' } } }, false],
    ['field selector zone matched', { fieldSelector: field('zone', 'In', zones) }, true],
    ['field selector zone partially matched (NotIn)', { clusterNames: ['cluster1'], fieldSelector: field('zone', 'NotIn', zones) }, false],
    ['field selector zone In one of them', { clusterNames: ['cluster1'], fieldSelector: field('zone', 'In', ['zone2']) }, true],
    ['field selector region matched', { fieldSelector: field('region', 'In', ['region1']) }, true],
    ['field selector region NotIn', { clusterNames: ['cluster1'], fieldSelector: field('region', 'NotIn', ['region1']) }, false],
    ['field selector region other value', { clusterNames: ['cluster1'], fieldSelector: field('region', 'In', ['region2']) }, false],
    ['field selector provider matched', { fieldSelector: field('provider', 'In', ['provider1']) }, true],
    ['field selector provider NotIn', { fieldSelector: field('provider', 'NotIn', ['provider1']) }, false],
    ['field selector provider other value', { fieldSelector: field('provider', 'In', ['provider2']) }, false],
    [
      'field, names and label selector',
      { fieldSelector: field('zone', 'In', zones), labelSelector: label('bar'), clusterNames: ['cluster1'] },
      true,
    ],
    [
      'field, label ok but names not matched',
      { fieldSelector: field('zone', 'In', zones), labelSelector: label('bar'), clusterNames: ['cluster2'] },
      false,
    ],
    [
      'zone NotIn with names and label',
      { fieldSelector: field('zone', 'NotIn', zones), labelSelector: label('bar'), clusterNames: ['cluster1'] },
      false,
    ],
    [
      'zone and names ok, label not matched',
      { fieldSelector: field('zone', 'In', zones), labelSelector: label('Unmatched'), clusterNames: ['cluster1'] },
      false,
    ],
  ];
  it.each(vectors)('%s', (_name, affinity, want) => {
    expect(clusterMatchesAffinity(cluster, affinity).matched).toBe(want);
  });
});

// pkg/util/selector_test.go Test_matchZones (In/NotIn; the schema allows no other operator)
describe('zone matching (selector_test.go Test_matchZones)', () => {
  const vectors: [string, 'In' | 'NotIn', string[], string[], boolean][] = [
    ['empty zones for In', 'In', ['foo'], [], false],
    ['overlapping zones for In', 'In', ['foo'], ['foo', 'bar'], true],
    ['all zones for In', 'In', ['foo', 'bar'], ['foo', 'bar'], true],
    ['empty zones for NotIn', 'NotIn', ['foo'], [], true],
    ['partial zones for NotIn', 'NotIn', ['foo'], ['foo', 'bar'], false],
  ];
  it.each(vectors)('%s', (_name, operator, values, zones, want) => {
    const cluster = makeCluster('c', { zones });
    const got = clusterMatchesAffinity(cluster, { fieldSelector: { matchExpressions: [{ key: 'zone', operator, values }] } });
    expect(got.matched).toBe(want);
  });
});

// pkg/util/selector_test.go TestClusterNamesMatches
describe('clusterNames (selector_test.go TestClusterNamesMatches)', () => {
  it.each([
    ['in the allow list', 'cluster1', ['cluster1', 'cluster2'], true],
    ['not in the allow list', 'cluster3', ['cluster1', 'cluster2'], false],
    ['empty allow list matches all', 'cluster1', [], true],
  ] as const)('%s', (_name, name, clusterNames, want) => {
    expect(clusterMatchesAffinity(makeCluster(name), { clusterNames: [...clusterNames] }).matched).toBe(want);
  });
});

describe('clusterMatchesAffinity reasons and Manifold-pinned edge cases', () => {
  it('explains an exclusion', () => {
    expect(clusterMatchesAffinity(makeCluster('a'), { exclude: ['a'], clusterNames: ['a'] })).toEqual({
      matched: false,
      reason: 'excluded by name',
    });
  });
  it('names the label selector that did not match', () => {
    const got = clusterMatchesAffinity(makeCluster('a', { labels: { env: 'dev' } }), {
      labelSelector: { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] },
    });
    expect(got).toEqual({ matched: false, reason: 'label selector env=prod,!gpu does not match' });
  });
  it('names the zone list', () => {
    const got = clusterMatchesAffinity(makeCluster('a', { zones: ['z9'] }), {
      fieldSelector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] },
    });
    expect(got).toEqual({ matched: false, reason: 'zone not in [a,b]' });
  });
  it('NotIn on provider/region matches a cluster without that field (label semantics) †', () => {
    const got = clusterMatchesAffinity(makeCluster('a'), {
      fieldSelector: {
        matchExpressions: [
          { key: 'provider', operator: 'NotIn', values: ['aws'] },
          { key: 'region', operator: 'NotIn', values: ['eu'] },
        ],
      },
    });
    expect(got).toEqual({ matched: true });
  });
  it('In on region fails for a cluster without a region', () => {
    const got = clusterMatchesAffinity(makeCluster('a'), {
      fieldSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] },
    });
    expect(got).toEqual({ matched: false, reason: 'has no region, not in [eu]' });
  });
  it('an empty fieldSelector matches everything', () => {
    expect(clusterMatchesAffinity(makeCluster('a'), { fieldSelector: {} }).matched).toBe(true);
  });
  it('an empty labelSelector {} matches everything', () => {
    expect(clusterMatchesAffinity(makeCluster('a'), { labelSelector: {} }).matched).toBe(true);
  });
  it('region In with no values is an invalid selector: no match', () => {
    const got = clusterMatchesAffinity(makeCluster('a', { region: 'eu' }), {
      fieldSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: [] }] },
    });
    expect(got.matched).toBe(false);
  });
  it('explains clusterNames', () => {
    expect(clusterMatchesAffinity(makeCluster('c'), { clusterNames: ['a', 'b'] })).toEqual({
      matched: false,
      reason: 'not in clusterNames [a,b]',
    });
  });
});
