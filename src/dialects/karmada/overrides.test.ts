import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Parsed } from '../../load/repository.ts';
import type { Cluster } from '../../model/types.ts';
import { rulesByCluster, rulesForCluster, type OverrideRuleRef } from './overrides.ts';
import type { OverridePolicy } from './schema.ts';

const NAMES = ['c1', 'c2', 'c3', 'c4'];

function cluster(name: string, env: string | undefined): Cluster {
  return { name, declaredBy: 'Cluster', labels: env === undefined ? {} : { env }, zones: [], taints: [], source: { file: 'clusters.yaml', line: 1 } } as Cluster;
}

// Every shape of targetCluster: none, names only (with repeats, or empty = every cluster), names with another field, other fields alone.
const target = fc.oneof(
  fc.constant(undefined),
  fc.record({ clusterNames: fc.array(fc.constantFrom(...NAMES), { maxLength: 3 }) }),
  fc.record({ clusterNames: fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 2 }), exclude: fc.array(fc.constantFrom(...NAMES), { maxLength: 2 }) }),
  fc.record({ clusterNames: fc.array(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 2 }), labelSelector: fc.constant({ matchLabels: { env: 'prod' } }) }),
  fc.record({ labelSelector: fc.constant({ matchLabels: { env: 'prod' } }) }),
  fc.record({ exclude: fc.array(fc.constantFrom(...NAMES), { maxLength: 2 }) }),
);

function ruleRefs(targets: readonly (object | undefined)[]): OverrideRuleRef[] {
  return targets.map((targetCluster, ruleIndex) => ({
    policy: {} as Parsed<OverridePolicy>,
    kind: 'ClusterOverridePolicy',
    ruleIndex,
    rule: { ...(targetCluster === undefined ? {} : { targetCluster }), overriders: {} } as OverrideRuleRef['rule'],
    label: `ClusterOverridePolicy p rule[${ruleIndex}]`,
  }));
}

describe('rulesByCluster', () => {
  it('gives each cluster the rules rulesForCluster gives, in the same order (fast-check)', () => {
    const clusters = [cluster('c1', 'prod'), cluster('c2', 'staging'), cluster('c3', undefined), cluster('c4', 'prod')];
    fc.assert(
      fc.property(fc.array(target, { maxLength: 12 }), (targets) => {
        const rules = ruleRefs(targets);
        const forCluster = rulesByCluster(rules);
        for (const c of clusters) expect(forCluster(c).map((r) => r.label)).toEqual(rulesForCluster(rules, c).map((r) => r.label));
      }),
      { numRuns: 500, seed: 1919 },
    );
  });

  it('looks a rule per cluster up by name (a label per cluster over a large fleet)', () => {
    const names = Array.from({ length: 2000 }, (_, i) => `cluster-${i}`);
    const rules = ruleRefs(names.map((n) => ({ clusterNames: [n] })));
    const forCluster = rulesByCluster(rules);
    expect(forCluster(cluster('cluster-1234', undefined)).map((r) => r.ruleIndex)).toEqual([1234]);
    expect(forCluster(cluster('elsewhere', undefined))).toEqual([]);
  });
});
