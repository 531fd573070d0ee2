import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeNamespacedPlacement, computePlacement, selectedClusterNames } from './placement.ts';
import type { Placement } from './schema.ts';

// kubernetes-retired/kubefed pkg/controller/util/placement_test.go TestSelectedClusterNames.
const clusters: { name: string; labels: Record<string, string> }[] = [
  { name: 'cluster1', labels: {} },
  { name: 'cluster2', labels: { foo: 'bar' } },
];

/** The test sets clusters via SetClusterNames and the selector via matchLabels, both only when given. */
function placementOf(clusterNames: string[] | undefined, clusterSelector: Record<string, string> | undefined): Placement {
  const p: Placement = {};
  if (clusterNames !== undefined) p.clusters = clusterNames.map((name) => ({ name }));
  if (clusterSelector !== undefined) p.clusterSelector = { matchLabels: clusterSelector };
  return p;
}

describe('selectedClusterNames: placement_test.go TestSelectedClusterNames', () => {
  const cases: [string, string[] | undefined, Record<string, string> | undefined, string[]][] = [
    ['ignore cluster selector when cluster names present', ['cluster1'], {}, ['cluster1']],
    ['no clusters when cluster names and selector absent', undefined, undefined, []],
    ['no clusters when cluster names empty and selector not empty', [], { foo: 'bar' }, []],
    ['all clusters when cluster names absent and selector empty', undefined, {}, ['cluster1', 'cluster2']],
    ['selected clusters when cluster names absent and selector not empty', undefined, { foo: 'bar' }, ['cluster2']],
  ];
  for (const [name, names, selector, expected] of cases) {
    it(name, () => {
      expect([...selectedClusterNames(placementOf(names, selector), clusters)].sort()).toEqual(expected);
    });
  }
});

describe('selectedClusterNames: absent, null and empty are distinct (reference §2.2)', () => {
  it('null clusters and null selector behave like absent ones (Go decodes null to nil)', () => {
    expect([...selectedClusterNames({ clusters: null, clusterSelector: null }, clusters)]).toEqual([]);
    expect([...selectedClusterNames({ clusters: null, clusterSelector: {} }, clusters)].sort()).toEqual(['cluster1', 'cluster2']);
  });

  it('an absent placement selects nothing', () => {
    expect([...selectedClusterNames(undefined, clusters)]).toEqual([]);
    expect([...selectedClusterNames(null, clusters)]).toEqual([]);
  });

  it('an empty matchExpressions list is an empty selector: every cluster', () => {
    expect([...selectedClusterNames({ clusterSelector: { matchExpressions: [] } }, clusters)].sort()).toEqual(['cluster1', 'cluster2']);
  });

  it('matchExpressions select by label (NotIn also matches a missing label)', () => {
    const p: Placement = { clusterSelector: { matchExpressions: [{ key: 'foo', operator: 'NotIn', values: ['bar'] }] } };
    expect([...selectedClusterNames(p, clusters)]).toEqual(['cluster1']);
  });

  it('selectorOnly (RSP intersectWithClusterSelector) ignores the clusters list', () => {
    expect([...selectedClusterNames({ clusters: [{ name: 'cluster1' }] }, clusters, true)]).toEqual([]);
    expect([...selectedClusterNames({ clusters: [{ name: 'cluster1' }], clusterSelector: { matchLabels: { foo: 'bar' } } }, clusters, true)]).toEqual(['cluster2']);
  });
});

describe('computePlacement', () => {
  it('intersects listed names with the registered clusters; unknown names vanish', () => {
    const result = computePlacement({ clusters: [{ name: 'cluster2' }, { name: 'ghost' }] }, clusters);
    expect(result.clusters).toEqual(['cluster2']);
    expect(result.unknown).toEqual(['ghost']);
    expect(result.excluded.get('cluster1')).toBe('not listed in spec.placement.clusters');
  });

  it('explains selector misses', () => {
    const result = computePlacement({ clusterSelector: { matchLabels: { foo: 'bar' } } }, clusters);
    expect(result.clusters).toEqual(['cluster2']);
    expect(result.excluded.get('cluster1')).toMatch(/do not match/);
  });
});

describe('computeNamespacedPlacement', () => {
  const all: Placement = { clusterSelector: {} };

  it('is the intersection of resource and FederatedNamespace placement', () => {
    const result = computeNamespacedPlacement(all, { clusters: [{ name: 'cluster1' }] }, clusters, false);
    expect(result.clusters).toEqual(['cluster1']);
    expect(result.excluded.get('cluster2')).toMatch(/FederatedNamespace/);
  });

  it('places nothing without a FederatedNamespace', () => {
    const result = computeNamespacedPlacement(all, 'missing', clusters, false);
    expect(result.clusters).toEqual([]);
    expect(result.excluded.get('cluster1')).toMatch(/no FederatedNamespace/);
  });

  it('uses the resource placement verbatim without a FederatedNamespace under a namespace-scoped control plane', () => {
    expect(computeNamespacedPlacement(all, 'missing', clusters, true).clusters).toEqual(['cluster1', 'cluster2']);
  });

  it('a FederatedNamespace without placement selects nothing, so nothing lands', () => {
    expect(computeNamespacedPlacement(all, null, clusters, false).clusters).toEqual([]);
  });
});

describe('placement properties (fast-check)', () => {
  const name = fc.constantFrom('a', 'b', 'c', 'd', 'e');
  const labels = fc.dictionary(fc.constantFrom('region', 'tier'), fc.constantFrom('x', 'y'));
  const inventory = fc.uniqueArray(fc.record({ name, labels }), { selector: (c) => c.name, maxLength: 5 });
  const selector = fc.option(fc.record({ matchLabels: fc.dictionary(fc.constantFrom('region', 'tier'), fc.constantFrom('x', 'y')) }), { nil: undefined });
  const list = fc.option(fc.array(fc.record({ name }), { maxLength: 4 }), { nil: undefined });

  it('selects only registered clusters, and a clusters list always wins over the selector', () => {
    fc.assert(
      fc.property(inventory, list, selector, (clusters, names, clusterSelector) => {
        const placement: Placement = { clusters: names, clusterSelector };
        const result = computePlacement(placement, clusters);
        const registered = new Set<string>(clusters.map((c) => c.name));
        expect(result.clusters.every((c) => registered.has(c))).toBe(true);
        if (names !== undefined) expect(result.clusters).toEqual([...new Set(names.map((n) => n.name))].filter((n) => registered.has(n)).sort());
        expect(result.clusters.length + result.excluded.size).toBe(clusters.length);
      }),
    );
  });

  it('namespaced placement is the intersection of both placements', () => {
    fc.assert(
      fc.property(inventory, list, selector, list, selector, (clusters, n1, s1, n2, s2) => {
        const own = computePlacement({ clusters: n1, clusterSelector: s1 }, clusters).clusters;
        const ns = computePlacement({ clusters: n2, clusterSelector: s2 }, clusters).clusters;
        const both = computeNamespacedPlacement({ clusters: n1, clusterSelector: s1 }, { clusters: n2, clusterSelector: s2 }, clusters, false).clusters;
        expect(both).toEqual(own.filter((c) => ns.includes(c)));
      }),
    );
  });
});
