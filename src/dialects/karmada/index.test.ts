/**
 * The Karmada dialect looks policies up through indexes (propagation policies
 * by selector apiVersion/kind/name, override policies by namespace, override
 * rules shared by rule set). These tests check that the indexes change
 * nothing: for random policies and templates the claimed policy, the losers
 * and each cluster's override rules are what a scan over every policy gives.
 */
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { Parsed } from '../../load/repository.ts';
import { kindKey, loadRepository } from '../../load/repository.ts';
import type { Cluster } from '../../model/types.ts';
import type { Placement } from '../../render/types.ts';
import { registry } from '../index.ts';
import { karmadaDialect } from './index.ts';
import { pickPropagationPolicy, targetOf, type PropagationPolicyRef } from './match.ts';
import { matchingOverrideRules, rulesForCluster } from './overrides.ts';
import { POLICY_API, type OverridePolicy } from './schema.ts';

const KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1beta1', kind: 'Deployment' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
] as const;
const NAMESPACES = ['ns1', 'ns2', 'default'];
const NAMES = ['a', 'b', 'c'];

const selector = fc.record(
  {
    type: fc.constantFrom(...KINDS),
    name: fc.constantFrom(undefined, '', ...NAMES),
    labels: fc.constantFrom(undefined, { app: 'x' }, { app: 'y' }, {}),
    namespace: fc.constantFrom(undefined, ...NAMESPACES),
  },
  { requiredKeys: ['type'] },
).map(({ type, name, labels, namespace }) => ({
  apiVersion: type.apiVersion,
  kind: type.kind,
  ...(name === undefined ? {} : { name }),
  ...(namespace === undefined ? {} : { namespace }),
  ...(labels === undefined ? {} : { labelSelector: { matchLabels: labels } }),
}));

const template = fc.record({
  type: fc.constantFrom(...KINDS),
  name: fc.constantFrom(...NAMES),
  namespace: fc.constantFrom(...NAMESPACES),
  app: fc.constantFrom(undefined, 'x', 'y'),
});

const propagation = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  selectors: fc.array(selector, { minLength: 1, maxLength: 3 }),
  priority: fc.constantFrom(undefined, 0, 1, 2),
});

const override = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  selectors: fc.constantFrom(undefined, []).chain((empty) => fc.oneof(fc.constant(empty), fc.array(selector, { minLength: 1, maxLength: 2 }))),
  envs: fc.subarray(['prod', 'staging', undefined], { minLength: 1 }),
});

const fleet = fc.record({
  templates: fc.uniqueArray(template, { maxLength: 12, selector: (t) => `${t.type.kind}/${t.type.kind === 'ClusterRole' ? '' : t.namespace}/${t.name}` }),
  pps: fc.array(propagation, { maxLength: 8 }),
  cpps: fc.array(propagation, { maxLength: 4 }),
  ops: fc.array(override, { maxLength: 5 }),
  cops: fc.array(override, { maxLength: 3 }),
});

type Fleet = typeof fleet extends fc.Arbitrary<infer F> ? F : never;

/** A namespaced policy's selectors may name only its own namespace (Karmada validateResourceSelectors). */
function inOwnNamespace<S extends { namespace?: string }>(selectors: readonly S[], namespace: string): S[] {
  return selectors.map(({ namespace: ns, ...rest }) => (ns === namespace ? { ...rest, namespace: ns } : rest) as S);
}

function files(f: Fleet): { path: string; text: string }[] {
  const docs: object[] = [
    { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'c1', labels: { env: 'prod' } } },
    { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'c2', labels: { env: 'staging' } } },
    { apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'c3' } },
  ];
  for (const t of f.templates) {
    const clusterScoped = t.type.kind === 'ClusterRole';
    docs.push({
      apiVersion: t.type.apiVersion,
      kind: t.type.kind,
      metadata: { name: t.name, ...(clusterScoped ? {} : { namespace: t.namespace }), ...(t.app ? { labels: { app: t.app } } : {}) },
    });
  }
  f.pps.forEach((p, i) => docs.push({ apiVersion: POLICY_API, kind: 'PropagationPolicy', metadata: { name: `pp${i}`, namespace: p.namespace }, spec: { resourceSelectors: inOwnNamespace(p.selectors, p.namespace), ...(p.priority === undefined ? {} : { priority: p.priority }) } }));
  f.cpps.forEach((p, i) => docs.push({ apiVersion: POLICY_API, kind: 'ClusterPropagationPolicy', metadata: { name: `cpp${i}` }, spec: { resourceSelectors: p.selectors.map(({ namespace: _ns, ...s }) => s), ...(p.priority === undefined ? {} : { priority: p.priority }) } }));
  const rules = (o: Fleet['ops'][number]) =>
    o.envs.map((env) => ({
      ...(env === undefined ? {} : { targetCluster: { labelSelector: { matchLabels: { env } } } }),
      overriders: { labelsOverrider: [{ operator: 'add', value: { [`by-${env ?? 'all'}`]: 'yes' } }] },
    }));
  f.ops.forEach((o, i) => docs.push({ apiVersion: POLICY_API, kind: 'OverridePolicy', metadata: { name: `op${i}`, namespace: o.namespace }, spec: { ...(o.selectors === undefined ? {} : { resourceSelectors: inOwnNamespace(o.selectors, o.namespace) }), overrideRules: rules(o) } }));
  f.cops.forEach((o, i) => docs.push({ apiVersion: POLICY_API, kind: 'ClusterOverridePolicy', metadata: { name: `cop${i}` }, spec: { ...(o.selectors === undefined ? {} : { resourceSelectors: o.selectors }), overrideRules: rules(o) } }));
  return [{ path: 'fleet.yaml', text: docs.map((d) => dump(d, { noRefs: true })).join('---\n') }];
}

function refsOf(list: readonly Parsed<unknown>[], kind: PropagationPolicyRef['kind']): PropagationPolicyRef[] {
  return (list as Parsed<{ metadata: { name: string; namespace?: string }; spec: PropagationPolicyRef['spec'] }>[]).map((p) => ({
    kind,
    namespace: kind === 'PropagationPolicy' ? (p.value.metadata.namespace ?? 'default') : '',
    name: p.value.metadata.name,
    spec: p.value.spec,
  }));
}

const who = (p: { kind: string; namespace: string; name: string }) => `${p.kind} ${p.namespace ? `${p.namespace}/` : ''}${p.name}`;

describe('karmada dialect policy indexes', () => {
  it('claim and override rules equal a scan over every policy (fast-check)', () => {
    let claimed = 0;
    let overridden = 0;
    fc.assert(
      fc.property(fleet, (f) => {
        const repo = loadRepository(files(f), registry);
        const placements = karmadaDialect.place({ repo, warn: () => {}, error: () => {} });
        const byKey = new Map<string, Placement>(placements.map((p) => [p.template.key, p]));
        const get = (kind: string) => repo.objects.get(kindKey(POLICY_API, kind)) ?? [];
        const pps = refsOf(get('PropagationPolicy'), 'PropagationPolicy');
        const cpps = refsOf(get('ClusterPropagationPolicy'), 'ClusterPropagationPolicy');
        const ops = get('OverridePolicy') as Parsed<OverridePolicy>[];
        const cops = get('ClusterOverridePolicy') as Parsed<OverridePolicy>[];
        const clusters = new Map<string, Cluster>(repo.clusters.map((c) => [c.name, c]));
        for (const t of repo.templates) {
          const choice = pickPropagationPolicy(targetOf(t), pps, cpps);
          const placement = byKey.get(t.key);
          if (choice === undefined) {
            expect(placement, t.key).toBeUndefined();
            continue;
          }
          claimed++;
          expect(placement?.policy && who({ ...placement.policy, namespace: placement.policy.namespace ?? '' }), t.key).toBe(who(choice.winner));
          const lost = placement?.explain[0]?.lines.filter((l) => l.startsWith('lost: ')) ?? [];
          expect(lost, t.key).toEqual(choice.losers.map((l) => `lost: ${who(l.policy)} — ${l.reason}`));
          const rules = matchingOverrideRules(t, ops, cops, false);
          for (const name of placement?.clusters ?? []) {
            const expected = rulesForCluster(rules, clusters.get(name) as Cluster).map((r) => r.label);
            if (expected.length > 0) overridden++;
            expect(placement?.overridesFor(name), `${t.key} in ${name}`).toEqual(expected);
            expect(placement?.variantOf(name).split('|')[2], `${t.key} in ${name}`).toBe(expected.join(','));
          }
        }
      }),
      { numRuns: 300, seed: 424242 },
    );
    // The comparison means something only if templates were claimed and overridden.
    expect(claimed).toBeGreaterThan(200);
    expect(overridden).toBeGreaterThan(200);
  });
});
