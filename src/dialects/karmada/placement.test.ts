import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Cluster } from '../../model/types.ts';
import type { Taint, Toleration } from '../../model/common.ts';
import { ManifoldError } from '../../errors/index.ts';
import type { ClusterAffinity, ClusterAffinityTerm, SpreadConstraint } from './schema.ts';
import {
  clusterMatchesAffinity,
  filterClusters,
  formatTaint,
  scheduleWithAffinities,
  toleratesTaint,
  untoleratedTaint,
} from './placement.ts';

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

// k8s.io/api core/v1 toleration_test.go TestTolerationToleratesTaint (Equal/Exists vectors;
// Karmada validation forbids Lt/Gt).
describe('toleratesTaint (toleration_test.go)', () => {
  const vectors: [string, Toleration, Taint, boolean][] = [
    ['same key/effect, Exists, taint without value', { key: 'foo', operator: 'Exists', effect: 'NoSchedule' }, { key: 'foo', effect: 'NoSchedule' }, true],
    ['same key/effect, Exists, taint with value', { key: 'foo', operator: 'Exists', effect: 'NoSchedule' }, { key: 'foo', value: 'bar', effect: 'NoSchedule' }, true],
    ['empty key + Exists matches every key', { key: '', operator: 'Exists', effect: 'NoSchedule' }, { key: 'foo', value: 'bar', effect: 'NoSchedule' }, true],
    ['same key, effect and value, Equal', { key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule' }, { key: 'foo', value: 'bar', effect: 'NoSchedule' }, true],
    ['different values, Equal', { key: 'foo', operator: 'Equal', value: 'value1', effect: 'NoSchedule' }, { key: 'foo', value: 'value2', effect: 'NoSchedule' }, false],
    ['different effects, Equal', { key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule' }, { key: 'foo', value: 'bar', effect: 'NoExecute' }, false],
    // corev1 semantics beyond the upstream table:
    ['empty effect matches every effect', { key: 'foo', operator: 'Exists' }, { key: 'foo', effect: 'NoExecute' }, true],
    ['operator defaults to Equal', { key: 'foo', value: 'bar' }, { key: 'foo', value: 'bar', effect: 'NoSchedule' }, true],
    ['default Equal compares values', { key: 'foo' }, { key: 'foo', value: 'bar', effect: 'NoSchedule' }, false],
    ['empty key + Exists + no effect tolerates everything', { operator: 'Exists' }, { key: 'x', value: 'y', effect: 'NoExecute' }, true],
  ];
  it.each(vectors)('%s', (_name, toleration, taint, want) => {
    expect(toleratesTaint(toleration, taint)).toBe(want);
  });
});

describe('untoleratedTaint', () => {
  const noSchedule: Taint = { key: 'key1', value: 'value1', effect: 'NoSchedule' };
  it('only NoSchedule and NoExecute count', () => {
    expect(untoleratedTaint([{ key: 'soft', effect: 'PreferNoSchedule' }], [])).toBeUndefined();
    expect(untoleratedTaint([{ key: 'gone', effect: 'NoExecute' }], [])).toEqual({ key: 'gone', effect: 'NoExecute' });
  });
  it('returns the first untolerated taint in cluster order', () => {
    const taints: Taint[] = [noSchedule, { key: 'b', effect: 'NoSchedule' }, { key: 'c', effect: 'NoExecute' }];
    expect(untoleratedTaint(taints, [{ key: 'key1', operator: 'Exists' }])).toEqual({ key: 'b', effect: 'NoSchedule' });
  });
  it('formats taints like Taint.ToString', () => {
    expect(formatTaint(noSchedule)).toBe('key1=value1:NoSchedule');
    expect(formatTaint({ key: 'k', effect: 'NoExecute' })).toBe('k:NoExecute');
  });
});

// taint_toleration_test.go TestTaintToleration_Filter
describe('filterClusters TaintToleration (taint_toleration_test.go)', () => {
  const tainted = makeCluster('cluster1', { taints: [{ key: 'key1', value: 'value1', effect: 'NoSchedule' }] });
  it('cluster already targeted is not re-checked', () => {
    expect(filterClusters([tainted], {}, { targeted: ['cluster1'] }).candidates.map((c) => c.name)).toEqual(['cluster1']);
  });
  it('no taints passes', () => {
    expect(filterClusters([makeCluster('c')], {}).candidates).toHaveLength(1);
  });
  it('tolerated taint passes', () => {
    const tolerations: Toleration[] = [{ key: 'key1', operator: 'Equal', value: 'value1', effect: 'NoSchedule' }];
    expect(filterClusters([tainted], { clusterTolerations: tolerations }).candidates).toHaveLength(1);
  });
  it('untolerated taint is rejected with the taint named', () => {
    expect(filterClusters([tainted], {}).rejected).toEqual([
      { cluster: 'cluster1', filter: 'TaintToleration', reason: 'untolerated taint {key1=value1:NoSchedule}' },
    ]);
  });
});

// plugins/spreadconstraint/spread_constraint_test.go TestSpreadConstraint_Filter
describe('filterClusters SpreadConstraint presence (spread_constraint_test.go)', () => {
  const vectors: [string, SpreadConstraint[], Partial<Cluster>, string | undefined][] = [
    ['no spread constraints', [], {}, undefined],
    ['provider present', [{ spreadByField: 'provider' }], { provider: 'aws' }, undefined],
    ['provider missing', [{ spreadByField: 'provider' }], {}, 'has no provider (spread by provider)'],
    ['region present', [{ spreadByField: 'region' }], { region: 'us-west-2' }, undefined],
    ['region missing', [{ spreadByField: 'region' }], {}, 'has no region (spread by region)'],
    ['zones present', [{ spreadByField: 'zone' }], { zones: ['us-west-2a'] }, undefined],
    ['zones missing', [{ spreadByField: 'zone' }], {}, 'has no zones (spread by zone)'],
    ['cluster constraint needs nothing', [{ spreadByField: 'cluster' }], {}, undefined],
    ['spreadByLabel is not read without the extension', [{ spreadByLabel: 'tier' }], {}, undefined],
  ];
  it.each(vectors)('%s', (_name, spreadConstraints, extra, reason) => {
    const got = filterClusters([makeCluster('c', extra)], { spreadConstraints });
    expect(got.rejected[0]?.reason).toBe(reason);
    expect(got.candidates).toHaveLength(reason === undefined ? 1 : 0);
  });
  it('with the spreadByLabel extension a cluster needs the label', () => {
    const got = filterClusters(
      [makeCluster('a', { labels: { tier: 'gold' } }), makeCluster('b')],
      { spreadConstraints: [{ spreadByLabel: 'tier' }] },
      { spreadByLabel: true },
    );
    expect(got.candidates.map((c) => c.name)).toEqual(['a']);
    expect(got.rejected).toEqual([{ cluster: 'b', filter: 'SpreadConstraint', reason: 'has no label tier (spread by label)' }]);
  });
});

describe('filterClusters order and first failure', () => {
  const clusters = [
    makeCluster('paris', { labels: { env: 'prod' }, region: 'eu' }),
    makeCluster('berlin', { labels: { env: 'prod' }, taints: [{ key: 'maintenance', effect: 'NoSchedule' }] }),
    makeCluster('Zurich', { labels: { env: 'dev' }, region: 'eu' }),
    makeCluster('austin', { labels: { env: 'prod' } }),
  ];
  const got = filterClusters(clusters, {
    clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } },
    spreadConstraints: [{ spreadByField: 'cluster', maxGroups: 2 }, { spreadByField: 'region', maxGroups: 1 }],
  });
  it('keeps candidates in byte order of names', () => {
    expect(got.candidates.map((c) => c.name)).toEqual(['paris']);
  });
  it('reports each rejected cluster once, at its first failing filter (TaintToleration, ClusterAffinity, SpreadConstraint)', () => {
    expect(got.rejected).toEqual([
      { cluster: 'Zurich', filter: 'ClusterAffinity', reason: 'label selector env=prod does not match' },
      { cluster: 'austin', filter: 'SpreadConstraint', reason: 'has no region (spread by region)' },
      { cluster: 'berlin', filter: 'TaintToleration', reason: 'untolerated taint {maintenance:NoSchedule}' },
    ]);
  });
  it('sees an inventory array changed in place between calls (the name order is cached per array)', () => {
    const inventory = [makeCluster('b', { labels: { env: 'prod' } }), makeCluster('a', { labels: { env: 'prod' } })];
    const names = () => filterClusters(inventory, {}).candidates.map((c) => c.name);
    expect(names()).toEqual(['a', 'b']);
    expect(names()).toEqual(['a', 'b']);
    inventory.push(makeCluster('c'));
    expect(names()).toEqual(['a', 'b', 'c']);
    inventory[0] = makeCluster('0');
    expect(names()).toEqual(['0', 'a', 'c']);
    inventory.reverse();
    expect(names()).toEqual(['0', 'a', 'c']);
  });
  it('names the same selector in every rejection it causes, across calls', () => {
    const affinity = { labelSelector: { matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['gold', 'silver'] }] } };
    for (let i = 0; i < 2; i++) {
      const plain = [makeCluster('x', { labels: { tier: 'bronze' } }), makeCluster('y')];
      expect(filterClusters(plain, { clusterAffinity: affinity }).rejected.map((r) => r.reason)).toEqual(Array(2).fill('label selector tier in (gold,silver) does not match'));
    }
  });
  it('partitions the input (property)', () => {
    const arbCluster = fc.record({
      name: fc.stringMatching(/^[a-z]{1,6}$/),
      env: fc.constantFrom('prod', 'dev'),
      tainted: fc.boolean(),
      region: fc.option(fc.constantFrom('eu', 'us'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(arbCluster, { selector: (c) => c.name }), (specs) => {
        const input = specs.map((s) =>
          makeCluster(s.name, {
            labels: { env: s.env },
            region: s.region,
            taints: s.tainted ? [{ key: 't', effect: 'NoSchedule' }] : [],
          }),
        );
        const result = filterClusters(input, {
          clusterAffinity: { labelSelector: { matchLabels: { env: 'prod' } } },
          spreadConstraints: [{ spreadByField: 'region' }],
        });
        const names = [...result.candidates.map((c) => c.name), ...result.rejected.map((r) => r.cluster)].sort();
        expect(names).toEqual(input.map((c) => c.name).sort());
        for (const c of result.candidates) {
          expect(c.labels['env']).toBe('prod');
          expect(c.taints).toHaveLength(0);
          expect(c.region).toBeDefined();
        }
      }),
    );
  });
});

describe('scheduleWithAffinities (scheduler.go scheduleResourceBindingWithClusterAffinities)', () => {
  const clusters = [
    makeCluster('primary-a', { labels: { tier: 'primary' } }),
    makeCluster('primary-b', { labels: { tier: 'primary' }, taints: [{ key: 'down', effect: 'NoExecute' }] }),
    makeCluster('backup-a', { labels: { tier: 'backup' } }),
    makeCluster('backup-b', { labels: { tier: 'backup' } }),
  ];
  const terms: ClusterAffinityTerm[] = [
    { affinityName: 'primary', labelSelector: { matchLabels: { tier: 'primary' } } },
    { affinityName: 'backup', labelSelector: { matchLabels: { tier: 'backup' } } },
    { affinityName: 'nowhere', clusterNames: ['mars'] },
  ];
  const names = (cs: Cluster[]) => cs.map((c) => c.name);

  it('the first group that schedules wins', () => {
    const got = scheduleWithAffinities(clusters, { clusterAffinities: terms }, (cs) => names(cs));
    expect(got).toMatchObject({ affinityName: 'primary', index: 0, result: ['primary-a'], attempts: [] });
  });
  it('a failing trySchedule (thrown or returned Error) falls through to the next group', () => {
    const thrown = scheduleWithAffinities(clusters, { clusterAffinities: terms }, (cs, term) => {
      if (term.affinityName === 'primary') throw new ManifoldError('SPREAD_UNSATISFIABLE', 'need 2 clusters');
      return names(cs);
    });
    expect(thrown.affinityName).toBe('backup');
    expect(thrown.result).toEqual(['backup-a', 'backup-b']);
    expect(thrown.attempts.map((a) => [a.affinityName, a.error.message])).toEqual([['primary', 'need 2 clusters']]);
    const returned = scheduleWithAffinities(clusters, { clusterAffinities: terms }, (cs) =>
      cs.length < 2 ? new Error('too few') : names(cs),
    );
    expect(returned.affinityName).toBe('backup');
  });
  it('a group where no cluster passes the filters falls through without calling trySchedule', () => {
    const seen: string[] = [];
    const got = scheduleWithAffinities(
      clusters,
      { clusterAffinities: [terms[2] as ClusterAffinityTerm, terms[1] as ClusterAffinityTerm] },
      (cs, term) => {
        seen.push(term.affinityName);
        return names(cs);
      },
    );
    expect(seen).toEqual(['backup']);
    expect(got.attempts[0]?.error).toMatchObject({ code: 'NO_CLUSTER_FITS' });
  });
  it('tolerations apply inside every group', () => {
    const got = scheduleWithAffinities(
      clusters,
      { clusterAffinities: terms, clusterTolerations: [{ key: 'down', operator: 'Exists' }] },
      (cs) => names(cs),
    );
    expect(got.result).toEqual(['primary-a', 'primary-b']);
  });
  it('startAt resumes at the recorded group and never goes back to an earlier one †', () => {
    const got = scheduleWithAffinities(clusters, { clusterAffinities: terms }, (cs) => names(cs), { startAt: 'backup' });
    expect(got.affinityName).toBe('backup');
    expect(() =>
      scheduleWithAffinities(clusters, { clusterAffinities: terms }, (cs) => names(cs), { startAt: 'nowhere' }),
    ).toThrow(/started at 'nowhere'/);
  });
  it('an unknown startAt starts at the first group (getAffinityIndex)', () => {
    const got = scheduleWithAffinities(clusters, { clusterAffinities: terms }, (cs) => names(cs), { startAt: 'gone' });
    expect(got.affinityName).toBe('primary');
  });
  it('when every group fails the error names each group and why', () => {
    let error: unknown;
    try {
      scheduleWithAffinities(clusters, { clusterAffinities: terms }, () => {
        throw new ManifoldError('SPREAD_UNSATISFIABLE', 'not enough');
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ManifoldError);
    const e = error as ManifoldError;
    expect(e.code).toBe('NO_CLUSTER_FITS');
    expect(e.message).toContain("group 'primary': not enough");
    expect(e.message).toContain("group 'backup': not enough");
    expect(e.message).toMatch(/group 'nowhere': 0\/4 clusters are available for the affinity group 'nowhere'/);
    expect(e.data['groups']).toHaveLength(3);
    expect(e.data['karmadaEmptiesPlacement']).toBe(false);
  });
  it('records that Karmada would empty the placement when the first failure is "no cluster fits"', () => {
    try {
      scheduleWithAffinities(clusters, { clusterAffinities: [terms[2] as ClusterAffinityTerm] }, (cs) => names(cs));
      expect.unreachable();
    } catch (err) {
      expect((err as ManifoldError).data['karmadaEmptiesPlacement']).toBe(true);
    }
  });
  it('non-Error throws propagate', () => {
    expect(() =>
      scheduleWithAffinities(clusters, { clusterAffinities: terms }, () => {
        throw 'boom';
      }),
    ).toThrow('boom');
  });
});
