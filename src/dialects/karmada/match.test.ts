import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ResourceSelector } from './schema.ts';
import {
  compareBytes,
  implicitPriority,
  overridePolicyMatches,
  overrideSelectorPriority,
  pickPropagationPolicy,
  selectorPriority,
  type PropagationPolicyRef,
  type SelectorTarget,
} from './match.ts';

// pkg/util/selector_test.go: the Pod default/test with labels foo=bar.
const pod: SelectorTarget = { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'test', labels: { foo: 'bar' } };

describe('selectorPriority (selector_test.go TestResourceSelectorPriority)', () => {
  const vectors: [string, ResourceSelector, number][] = [
    ['apiVersion not matched', { apiVersion: 'unmatched', kind: 'Pod', name: 'foo', namespace: 'default' }, 0],
    ['kind not matched', { apiVersion: 'v1', kind: 'Unmatched', name: 'foo', namespace: 'default' }, 0],
    ['namespace not matched', { apiVersion: 'v1', kind: 'Pod', name: 'foo', namespace: 'Unmatched' }, 0],
    ['namespace unset and name matched', { apiVersion: 'v1', kind: 'Pod', name: 'test' }, 3],
    [
      '[case 1] name not matched',
      { apiVersion: 'v1', kind: 'Pod', name: 'unmatched', labelSelector: { matchLabels: { foo: 'bar' } } },
      0,
    ],
    [
      '[case 1] name matched, labels not matched and ignored',
      { apiVersion: 'v1', kind: 'Pod', name: 'test', labelSelector: { matchLabels: { foo: 'unmatched' } } },
      3,
    ],
    ['[case 2] name not matched, labels unset', { apiVersion: 'v1', kind: 'Pod', name: 'unmatched' }, 0],
    ['[case 2] name matched, labels unset', { apiVersion: 'v1', kind: 'Pod', name: 'test' }, 3],
    ['[case 3] name unset, labels not matched', { apiVersion: 'v1', kind: 'Pod', labelSelector: { matchLabels: { foo: 'unmatched' } } }, 0],
    ['[case 3] name unset, labels matched', { apiVersion: 'v1', kind: 'Pod', labelSelector: { matchLabels: { foo: 'bar' } } }, 2],
    ['[case 4] name and labels unset, match all', { apiVersion: 'v1', kind: 'Pod' }, 1],
    ['[case 4] labels error (empty key)', { apiVersion: 'v1', kind: 'Pod', labelSelector: { matchLabels: { '': 'bar' } } }, 0],
  ];
  it.each(vectors)('%s', (_name, selector, want) => {
    expect(selectorPriority(selector, pod)).toBe(want);
  });

  // TestResourceMatches
  it('ranks mismatch, match-all, label, name as 0..3', () => {
    expect(selectorPriority({ apiVersion: 'v1', kind: 'Pod', name: 'unmatched' }, pod)).toBe(0);
    expect(selectorPriority({ apiVersion: 'v1', kind: 'Pod' }, pod)).toBe(1);
    expect(selectorPriority({ apiVersion: 'v1', kind: 'Pod', labelSelector: { matchLabels: { foo: 'bar' } } }, pod)).toBe(2);
    expect(selectorPriority({ apiVersion: 'v1', kind: 'Pod', name: 'test' }, pod)).toBe(3);
  });

  it('compares apiVersion exactly (apps/v1 is not apps/v1beta1)', () => {
    const deploy = { ...pod, apiVersion: 'apps/v1', kind: 'Deployment' };
    expect(selectorPriority({ apiVersion: 'apps/v1beta1', kind: 'Deployment' }, deploy)).toBe(0);
  });

  it('labelSelector {} matches everything but still ranks 2 †', () => {
    expect(selectorPriority({ apiVersion: 'v1', kind: 'Pod', labelSelector: {} }, { ...pod, labels: {} })).toBe(2);
  });
});

describe('implicitPriority (selector_test.go TestResourceMatchSelectorsPriority, TestResourceMatchSelectors)', () => {
  const p1: ResourceSelector = { apiVersion: 'v1', kind: 'Pod' };
  const p3: ResourceSelector = { apiVersion: 'v1', kind: 'Pod', name: 'test' };
  const unmatched: ResourceSelector = { apiVersion: 'v1', kind: 'Unmatched' };
  it.each([
    ['empty', [], 0],
    ['[1, 1]', [p1, p1], 1],
    ['[1, 3]', [p1, p3], 3],
    ['[3, 1]', [p3, p1], 3],
    ['[matched, unmatched]', [p1, unmatched], 1],
    ['[unmatched, matched]', [unmatched, p1], 1],
    ['[unmatched, unmatched]', [unmatched, unmatched], 0],
  ] as [string, ResourceSelector[], number][])('%s', (_name, selectors, want) => {
    expect(implicitPriority(selectors, pod)).toBe(want);
  });
});

describe('override selectors', () => {
  it('nil or empty resourceSelectors match everything as match-all', () => {
    expect(overrideSelectorPriority(undefined, pod)).toBe(1);
    expect(overrideSelectorPriority([], pod)).toBe(1);
    expect(overrideSelectorPriority([{ apiVersion: 'v1', kind: 'Pod', name: 'test' }], pod)).toBe(3);
    expect(overrideSelectorPriority([{ apiVersion: 'v1', kind: 'Service' }], pod)).toBe(0);
  });
  it('an OverridePolicy sees only its own namespace; a ClusterOverridePolicy sees all', () => {
    expect(overridePolicyMatches({ kind: 'OverridePolicy', namespace: 'other' }, pod)).toBe(false);
    expect(overridePolicyMatches({ kind: 'OverridePolicy', namespace: 'default' }, pod)).toBe(true);
    expect(overridePolicyMatches({ kind: 'ClusterOverridePolicy', namespace: '' }, pod)).toBe(true);
    expect(
      overridePolicyMatches({ kind: 'ClusterOverridePolicy', namespace: '', resourceSelectors: [{ apiVersion: 'v1', kind: 'Service' }] }, pod),
    ).toBe(false);
  });
});

// pkg/detector/compare_test.go
const nginx: SelectorTarget = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'test', name: 'nginx', labels: { app: 'nginx' } };
const byName: ResourceSelector = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx', namespace: 'test' };
const byLabel: ResourceSelector = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'test', labelSelector: { matchLabels: { app: 'nginx' } } };
const all: ResourceSelector = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'test' };

function pp(name: string, selector: ResourceSelector, priority?: number, namespace = 'test'): PropagationPolicyRef {
  return { kind: 'PropagationPolicy', namespace, name, spec: { resourceSelectors: [selector], ...(priority === undefined ? {} : { priority }) } };
}
function cpp(name: string, selector: ResourceSelector, priority?: number): PropagationPolicyRef {
  return { ...pp(name, selector, priority, ''), kind: 'ClusterPropagationPolicy' };
}

type PrecedenceVector = [string, (ctor: typeof pp) => PropagationPolicyRef[], SelectorTarget, string | undefined];
const precedenceVectors: PrecedenceVector[] = [
  ['empty policies', () => [], nginx, undefined],
  [
    'no policy matches the resource (other namespace)',
    (p) => [p('match-with-name', byName), p('match-with-label', byLabel)],
    { ...nginx, namespace: 'test01' },
    undefined,
  ],
  [
    'different implicit priority',
    (p) => [p('match-with-name', byName), p('match-with-label', byLabel), p('match-all', all)],
    nginx,
    'match-with-name',
  ],
  ['same implicit priority', (p) => [p('a-pp', byName), p('b-pp', byName)], nginx, 'a-pp'],
  ['implicit priority vs explicit priority 1', (p) => [p('a-pp', byName), p('b-pp', byName, 1)], nginx, 'b-pp'],
  ['explicit 1 (name) vs explicit 2 (label)', (p) => [p('a-pp', byName, 1), p('b-pp', byLabel, 2)], nginx, 'b-pp'],
  ['two explicit 1 (name): lower alphabetical order', (p) => [p('a-pp', byName, 1), p('b-pp', byName, 1)], nginx, 'a-pp'],
  ['explicit 1 (label) vs explicit 1 (name)', (p) => [p('a-pp', byLabel, 1), p('b-pp', byName, 1)], nginx, 'b-pp'],
  ['explicit -1 (name) vs implicit (label)', (p) => [p('a-pp', byLabel), p('b-pp', byName, -1)], nginx, 'a-pp'],
];

describe('pickPropagationPolicy (compare_test.go Test_getHighestPriorityPropagationPolicies)', () => {
  it.each(precedenceVectors)('%s', (_name, policies, target, want) => {
    expect(pickPropagationPolicy(target, policies(pp), [])?.winner.name).toBe(want);
  });
});

describe('pickPropagationPolicy among CPPs (compare_test.go Test_getHighestPriorityClusterPropagationPolicies)', () => {
  it.each(precedenceVectors)('%s', (_name, policies, target, want) => {
    expect(pickPropagationPolicy(target, [], policies(cpp))?.winner.name).toBe(want);
  });
});

describe('name tie-break (compare_test.go Test_GetHigherPriorityPropagationPolicy)', () => {
  it.each([
    ['same length of name', 'A', 'B', 'A'],
    ['different length of name', 'abc', 'ab', 'ab'],
    ['one policy name is empty', '', 'ab', ''],
    ['upper case sorts before lower case', 'a', 'B', 'B'],
  ])('%s', (_name, a, b, want) => {
    expect(pickPropagationPolicy(nginx, [pp(a, byName), pp(b, byName)], [])?.winner.name).toBe(want);
    expect(pickPropagationPolicy(nginx, [], [cpp(a, byName), cpp(b, byName)])?.winner.name).toBe(want);
  });
});

describe('pickPropagationPolicy scoping and precedence across kinds', () => {
  it('any matching PP beats every CPP, whatever the priorities', () => {
    const got = pickPropagationPolicy(nginx, [pp('weak', all, -5)], [cpp('strong', byName, 100)]);
    expect(got?.winner).toMatchObject({ kind: 'PropagationPolicy', name: 'weak' });
    expect(got?.losers.map((l) => [l.policy.name, l.reason])).toEqual([
      ['strong', 'namespaced PropagationPolicy wins over ClusterPropagationPolicy'],
    ]);
  });
  it('a PP never sees another namespace, even with a selector naming it', () => {
    const foreign = pp('foreign', { ...byName, namespace: 'test' }, 0, 'elsewhere');
    expect(pickPropagationPolicy(nginx, [foreign], [])).toBeUndefined();
  });
  it('a PP selector naming another namespace never matches', () => {
    expect(pickPropagationPolicy(nginx, [pp('p', { ...byName, namespace: 'other' })], [])).toBeUndefined();
  });
  it('an empty selector namespace in a PP means the policy namespace', () => {
    const { namespace: _ns, ...noNs } = byName;
    expect(pickPropagationPolicy(nginx, [pp('p', noNs)], [])?.winner.name).toBe('p');
  });
  it('a PP never selects a cluster-scoped object; a CPP does', () => {
    const clusterRole: SelectorTarget = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', namespace: '', name: 'r', labels: {} };
    const sel: ResourceSelector = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' };
    expect(pickPropagationPolicy(clusterRole, [pp('p', sel, 0, '')], [])).toBeUndefined();
    expect(pickPropagationPolicy(clusterRole, [], [cpp('c', sel)])?.winner.name).toBe('c');
  });
  it('a CPP with an empty selector namespace matches any namespace', () => {
    const { namespace: _ns, ...anyNs } = all;
    expect(pickPropagationPolicy({ ...nginx, namespace: 'team-a' }, [], [cpp('c', anyNs)])?.winner.name).toBe('c');
  });
  it.each(['karmada-system', 'karmada-cluster', 'karmada-es-member1'])('a CPP never selects objects in %s', (ns) => {
    const { namespace: _ns, ...anyNs } = all;
    expect(pickPropagationPolicy({ ...nginx, namespace: ns }, [], [cpp('c', anyNs)])).toBeUndefined();
  });
  it('records every loser, best first, with a reason', () => {
    const got = pickPropagationPolicy(
      nginx,
      [pp('b', byName, 5), pp('a', byName, 5), pp('low', byName), pp('label', byLabel, 5)],
      [cpp('cluster-wide', all, 9)],
    );
    expect(got?.winner.name).toBe('a');
    expect(got?.explicitPriority).toBe(5);
    expect(got?.implicitPriority).toBe(3);
    expect(got?.losers.map((l) => [l.policy.name, l.reason])).toEqual([
      ['b', "same priority, name 'b' > 'a'"],
      ['label', 'same explicit priority 5, weaker selector: label selector match < name match'],
      ['low', 'lower explicit priority 0 < 5'],
      ['cluster-wide', 'namespaced PropagationPolicy wins over ClusterPropagationPolicy'],
    ]);
  });
});

describe('compareBytes', () => {
  it('orders like Go strings', () => {
    expect(['a', 'B', 'A', 'abc', 'ab', ''].sort(compareBytes)).toEqual(['', 'A', 'B', 'a', 'ab', 'abc']);
  });
  it('orders by code point above U+FFFF, unlike UTF-16 comparison', () => {
    // U+FF61 is one UTF-16 unit, U+1F600 a surrogate pair starting 0xD83D < 0xFF61.
    expect(compareBytes('\u{1F600}', '\uFF61')).toBeGreaterThan(0);
  });
  it('agrees with Buffer.compare on UTF-8 bytes (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareBytes(a, b))).toBe(Buffer.compare(Buffer.from(a), Buffer.from(b)));
      }),
    );
  });
  it('returns what a comparison of code point arrays returns, lone surrogates and shared prefixes included (property)', () => {
    const byCodePoints = (a: string, b: string): number => {
      const x = [...a].map((c) => c.codePointAt(0)!);
      const y = [...b].map((c) => c.codePointAt(0)!);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return x.length - y.length;
    };
    const unit = fc.constantFrom('a', 'b', 'A', '-', '\u00e9', '\ud800', '\udbff', '\udc00', '\ue000', '\uffff', '\u{1F600}', '\u{10000}');
    const text = fc.array(unit, { maxLength: 6 }).map((units) => units.join(''));
    fc.assert(
      fc.property(text, text, text, (prefix, a, b) => {
        expect(compareBytes(prefix + a, prefix + b)).toBe(byCodePoints(prefix + a, prefix + b));
        expect(compareBytes(a, a + b)).toBe(byCodePoints(a, a + b));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('pickPropagationPolicy is independent of input order (property)', () => {
  it('same winner for any permutation', () => {
    const selectors = [byName, byLabel, all];
    const policyArb = fc.record({
      name: fc.stringMatching(/^[a-c]{1,3}$/),
      sel: fc.integer({ min: 0, max: 2 }),
      priority: fc.option(fc.integer({ min: -2, max: 2 }), { nil: undefined }),
      cluster: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.uniqueArray(policyArb, { selector: (p) => `${p.cluster}/${p.name}` }), (specs) => {
        const refs = specs.map((s) => (s.cluster ? cpp : pp)(s.name, selectors[s.sel] ?? all, s.priority));
        const forward = pickPropagationPolicy(nginx, refs, []);
        const backward = pickPropagationPolicy(nginx, [...refs].reverse(), []);
        expect(backward?.winner).toBe(forward?.winner);
        expect(forward === undefined).toBe(refs.length === 0);
      }),
    );
  });
});
