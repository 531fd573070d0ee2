/**
 * Vectors ported from karmada-io/karmada v1.18.0 (the Webster-era tests):
 * pkg/util/helper/webstermethod_test.go, pkg/util/helper/binding_test.go,
 * pkg/scheduler/core/{assignment,division_algorithm,common,generic_scheduler}_test.go,
 * pkg/estimator/client/general_test.go, pkg/resourceinterpreter/default/native/replica_test.go;
 * plus the worked examples of reference §1.7. Vectors marked "Go" were
 * produced by running the upstream functions (and Go's sort.Sort) on the input.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ManifoldError } from '../../errors/index.ts';
import { fnv1a32 } from '../../model/hash.ts';
import type { Cluster, JsonObject, ResourceSummary } from '../../model/types.ts';
import { clusterAvailableReplicas, estimateAvailableReplicas } from './estimator.ts';
import { compareNames, goSort } from './gosort.ts';
import { interpretReplicas, podRequestsOf } from './interpreter.ts';
import {
  assignReplicas,
  divisionStrategyOf,
  MAX_INT32,
  namesAscending,
  splitJobCompletions,
  websterDivide,
  type AssignInput,
  type CandidateCluster,
  type DivisionStrategy,
  type WeightedName,
} from './division.ts';
import type { StaticClusterWeight } from './schema.ts';

const EVEN_UID = '4858ca61-3ff8-4095-8267-f3d059d8074c';
const ODD_UID = 'd43fdeeb-d750-4e2b-bee3-64eb94534f4c';
const M1 = 'member1';
const M2 = 'member2';
const M3 = 'member3';
const M4 = 'member4';

function cluster(name: string, extra: Partial<Cluster> = {}): Cluster {
  return { name, declaredBy: 'Cluster', labels: {}, zones: [], taints: [], source: { file: 'clusters.yaml', line: 1 }, ...extra };
}

function candidates(available: Record<string, number>): CandidateCluster[] {
  return Object.entries(available).map(([name, availableReplicas]) => ({ cluster: cluster(name), availableReplicas }));
}

function weights(spec: Record<string, number>): WeightedName[] {
  return Object.entries(spec).map(([name, weight]) => ({ name, weight }));
}

function seats(result: Map<string, number>): Record<string, number> {
  return Object.fromEntries(result);
}

function byName(names: Record<string, number>): StaticClusterWeight[] {
  return Object.entries(names).map(([name, weight]) => ({ targetCluster: { clusterNames: [name] }, weight }));
}

/** The targets as [name, replicas] pairs, in Karmada's order. */
function assign(input: Partial<AssignInput> & Pick<AssignInput, 'strategy' | 'desired' | 'candidates'>): Array<[string, number | undefined]> {
  return assignReplicas({ hasReplicaRequirements: true, ...input }).targets.map((t) => [t.name, t.replicas]);
}

function caught(fn: () => unknown): ManifoldError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ManifoldError) return error;
    throw error;
  }
  throw new Error('expected a ManifoldError');
}

/**
 * Karmada's dispenser seat by seat (initial seats included, names in Go
 * order), for the fleet-sized differential test; entries in name order.
 */
function dispenserReference(total: number, list: WeightedName[], uid: string, initial?: Map<string, number>): Array<[string, number]> {
  const state = new Map<string, { votes: number; seats: number }>();
  for (const [name, seats] of initial ?? []) state.set(name, { votes: 0, seats });
  for (const w of list) state.set(w.name, { votes: w.weight, seats: state.get(w.name)?.seats ?? 0 });
  const entries = [...state].sort(([a], [b]) => codePointOrder(a, b));
  const ascending = uid === '' || fnv1a32(uid) % 2 === 0;
  if (list.reduce((a, w) => a + w.weight, 0) > 0 && entries.length > 0) {
    for (let seat = 0; seat < total; seat++) {
      let best = 0;
      for (let i = 1; i < entries.length; i++) {
        const p = entries[i]![1];
        const q = entries[best]![1];
        const a = p.votes / (2 * p.seats + 1);
        const b = q.votes / (2 * q.seats + 1);
        if (a > b || (a === b && (p.seats < q.seats || (p.seats === q.seats && !ascending)))) best = i;
      }
      entries[best]![1].seats++;
    }
  }
  return entries.map(([name, p]) => [name, p.seats]);
}

/** Code point order by spreading into code points: an independent reference for compareNames. */
function codePointOrder(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0)!);
  const y = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** The obvious O(total × n) dispenser, written independently from the heap version. */
function naiveWebster(total: number, list: WeightedName[], uid: string): Record<string, number> {
  const state = list.map((w) => ({ ...w, seats: 0 }));
  if (list.reduce((a, w) => a + w.weight, 0) === 0) return Object.fromEntries(state.map((p) => [p.name, 0]));
  const ascending = uid === '' || fnv1a32(uid) % 2 === 0;
  for (let seat = 0; seat < total; seat++) {
    let best = state[0]!;
    for (const party of state.slice(1)) {
      const a = party.weight / (2 * party.seats + 1);
      const b = best.weight / (2 * best.seats + 1);
      const nameFirst = ascending ? party.name < best.name : party.name > best.name;
      if (a > b || (a === b && (party.seats < best.seats || (party.seats === best.seats && nameFirst)))) best = party;
    }
    best.seats++;
  }
  return Object.fromEntries(state.map((p) => [p.name, p.seats]));
}

describe('websterDivide — webstermethod_test.go', () => {
  it('ExampleAllocateWebsterSeats: Alpha 1200, Beta 900, Gamma 400, 4 seats', () => {
    expect(seats(websterDivide(4, weights({ Alpha: 1200, Beta: 900, Gamma: 400 })))).toEqual({ Alpha: 2, Beta: 1, Gamma: 1 });
  });

  // The Wikipedia Sainte-Laguë example, round by round.
  const parties = weights({ PartyA: 100000, PartyB: 80000, PartyC: 30000, PartyD: 20000 });
  it.each<[number, [number, number, number, number]]>([
    [1, [1, 0, 0, 0]],
    [2, [1, 1, 0, 0]],
    [3, [2, 1, 0, 0]],
    [4, [2, 1, 1, 0]],
    [5, [2, 2, 1, 0]],
    [6, [2, 2, 1, 1]],
    [7, [3, 2, 1, 1]],
    [8, [3, 3, 1, 1]],
  ])('classic example, round %i', (round, [a, b, c, d]) => {
    expect(seats(websterDivide(round, parties))).toEqual({ PartyA: a, PartyB: b, PartyC: c, PartyD: d });
  });

  it('empty party votes give an empty result', () => {
    expect(websterDivide(1, []).size).toBe(0);
    expect(websterDivide(0, []).size).toBe(0);
  });

  it('0 new seats leave every party at 0', () => {
    expect(seats(websterDivide(0, weights({ PartyA: 100, PartyB: 200 })))).toEqual({ PartyA: 0, PartyB: 0 });
  });

  it('equal priority: the party with fewer seats wins (A 3 votes 1 seat vs B 1 vote)', () => {
    expect(seats(websterDivide(1, weights({ PartyA: 3, PartyB: 1 }), '', new Map([['PartyA', 1], ['PartyB', 0]])))).toEqual({ PartyA: 1, PartyB: 1 });
  });

  it('equal priority and seats: the smaller name wins', () => {
    expect(seats(websterDivide(1, weights({ PartyA: 1, PartyB: 1 })))).toEqual({ PartyA: 1, PartyB: 0 });
  });

  it('a new party joins: only the voting parties get the new seats', () => {
    expect(seats(websterDivide(2, weights({ NewParty1: 1, NewParty2: 1 }), '', new Map([['OldParty', 0]])))).toEqual({
      NewParty1: 1,
      NewParty2: 1,
      OldParty: 0,
    });
  });

  it('old and new parties compete for the new seats', () => {
    expect(seats(websterDivide(2, weights({ OldParty: 1, NewParty: 1 }), '', new Map([['OldParty', 1]])))).toEqual({ NewParty: 2, OldParty: 1 });
  });

  it('a seat holder without votes gets nothing new', () => {
    expect(seats(websterDivide(2, weights({ PartyA: 100 }), '', new Map([['PartyB', 3]])))).toEqual({ PartyA: 2, PartyB: 3 });
  });
});

describe('websterDivide — binding_test.go Test_dispenser_AllocateByWeight', () => {
  const abc = weights({ A: 1, B: 2, C: 3 });
  const initial = new Map([['A', 1], ['B', 2], ['C', 3]]);
  it.each<[string, number, WeightedName[], Map<string, number> | undefined, string, Record<string, number>]>([
    ['scale up 6 replicas', 6, abc, initial, '', { A: 2, B: 4, C: 6 }],
    ['scale up 3 replicas', 3, abc, initial, '', { A: 2, B: 3, C: 4 }],
    ['scale up 2 replicas', 2, abc, initial, '', { A: 1, B: 3, C: 4 }],
    ['HA 2:1, 1 replica', 1, weights({ A: 2, B: 1 }), undefined, '', { A: 1, B: 0 }],
    ['HA 2:1, 2 replicas', 2, weights({ A: 2, B: 1 }), undefined, '', { A: 1, B: 1 }],
    ['HA 2:1, 3 replicas', 3, weights({ A: 2, B: 1 }), undefined, '', { A: 2, B: 1 }],
    ['brand new 5 over 170:110:60', 5, weights({ A: 170, B: 110, C: 60 }), undefined, '', { A: 2, B: 2, C: 1 }],
    ['brand new 6 over 170:110:60', 6, weights({ A: 170, B: 110, C: 60 }), undefined, '', { A: 3, B: 2, C: 1 }],
    ['5 over 1:1, odd uid', 5, weights({ A: 1, B: 1 }), undefined, ODD_UID, { A: 2, B: 3 }],
    ['5 over 1:1, even uid', 5, weights({ A: 1, B: 1 }), undefined, EVEN_UID, { A: 3, B: 2 }],
  ])('%s', (_name, total, list, init, uid, want) => {
    expect(seats(websterDivide(total, list, uid, init))).toEqual(want);
  });

  it('the test uids have the parity their names claim', () => {
    expect(fnv1a32(ODD_UID) % 2).toBe(1);
    expect(fnv1a32(EVEN_UID) % 2).toBe(0);
    expect(namesAscending(ODD_UID)).toBe(false);
    expect(namesAscending(EVEN_UID)).toBe(true);
    // The empty uid hashes to the odd offset basis but is special-cased to ascending.
    expect(fnv1a32('') % 2).toBe(1);
    expect(namesAscending('')).toBe(true);
    expect(namesAscending(undefined)).toBe(true);
  });
});

describe('websterDivide — binding_test.go TestDispenseReplicasByTargetClusters', () => {
  it.each<[string, number, Record<string, number>, Record<string, number>]>([
    ['empty clusters', 10, {}, {}],
    ['1 cluster, 5 replicas, 10 sum', 10, { [M1]: 5 }, { [M1]: 10 }],
    ['3 clusters, 1:1:1, 12 sum', 12, { [M1]: 5, [M2]: 5, [M3]: 5 }, { [M1]: 4, [M2]: 4, [M3]: 4 }],
    // upstream accepts any of three answers; the empty uid picks this one
    ['3 clusters, 1:1:1, 10 sum', 10, { [M1]: 5, [M2]: 5, [M3]: 5 }, { [M1]: 4, [M2]: 3, [M3]: 3 }],
    ['3 clusters, 1:2:3, 13 sum', 13, { [M1]: 1, [M2]: 2, [M3]: 3 }, { [M1]: 2, [M2]: 4, [M3]: 7 }],
  ])('%s', (_name, total, list, want) => {
    expect(seats(websterDivide(total, weights(list)))).toEqual(want);
  });
});

describe('websterDivide — reference §1.7 worked examples', () => {
  const cities = weights({ berlin: 1, madrid: 1, paris: 1 });
  it('remainder by name: 5 over berlin/madrid/paris 1:1:1', () => {
    expect(seats(websterDivide(5, cities))).toEqual({ berlin: 2, madrid: 2, paris: 1 });
  });
  it('odd uid 00000000-0000-0000-0000-000000000002 sorts names descending', () => {
    expect(fnv1a32('00000000-0000-0000-0000-000000000002')).toBe(0xbc478bab);
    expect(seats(websterDivide(5, cities, '00000000-0000-0000-0000-000000000002'))).toEqual({ berlin: 1, madrid: 2, paris: 2 });
  });
  it.each<[number, Record<string, number>]>([
    [2, { A: 1, B: 1 }],
    [3, { A: 2, B: 1 }],
    [4, { A: 3, B: 1 }],
  ])('fewer seats first: A 3 / B 1 with %i replicas', (total, want) => {
    expect(seats(websterDivide(total, weights({ A: 3, B: 1 })))).toEqual(want);
  });
});

describe('websterDivide — behaviour', () => {
  it('returns names in Go byte order, zero-seat entries included', () => {
    const result = websterDivide(1, weights({ b: 1, a: 0, B: 1, é: 1 }));
    expect([...result.keys()]).toEqual(['B', 'a', 'b', 'é']);
    expect(seats(result)).toEqual({ B: 1, a: 0, b: 0, é: 0 });
  });

  it('a zero weight sum leaves the seats unchanged', () => {
    expect(seats(websterDivide(5, weights({ a: 0, b: 0 })))).toEqual({ a: 0, b: 0 });
    expect(seats(websterDivide(5, weights({ a: 0 }), '', new Map([['b', 2]])))).toEqual({ a: 0, b: 2 });
  });

  it('rejects negative or fractional counts and duplicate names', () => {
    expect(caught(() => websterDivide(-1, weights({ a: 1 }))).code).toBe('INVALID_REPLICAS');
    expect(caught(() => websterDivide(2.5, weights({ a: 1 }))).code).toBe('INVALID_REPLICAS');
    expect(caught(() => websterDivide(1, weights({ a: -1 }))).code).toBe('INVALID_REPLICAS');
    expect(caught(() => websterDivide(1, [{ name: 'a', weight: 1 }, { name: 'a', weight: 2 }])).code).toBe('DUPLICATE_CLUSTER');
  });

  it('divides 100000 replicas over 1000 clusters quickly', () => {
    const list = Array.from({ length: 1000 }, (_, i) => ({ name: `cluster-${i}`, weight: (i % 17) + 1 }));
    const started = performance.now();
    const result = websterDivide(100_000, list, ODD_UID);
    expect(performance.now() - started).toBeLessThan(2000);
    expect([...result.values()].reduce((a, b) => a + b, 0)).toBe(100_000);
  });
});

describe('websterDivide — properties', () => {
  const list = fc
    .uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 })
    .chain((names) => fc.tuple(fc.constant(names), fc.array(fc.integer({ min: 0, max: 50 }), { minLength: names.length, maxLength: names.length })))
    .map(([names, ws]) => names.map((name, i) => ({ name, weight: ws[i]! })));
  const uid = fc.oneof(fc.constant(''), fc.uuid(), fc.string());
  const total = fc.integer({ min: 0, max: 300 });

  it('conserves the total when the weights sum above 0', () => {
    fc.assert(
      fc.property(list, total, uid, (ws, n, u) => {
        fc.pre(ws.some((w) => w.weight > 0));
        expect([...websterDivide(n, ws, u).values()].reduce((a, b) => a + b, 0)).toBe(n);
      }),
    );
  });

  it('is deterministic and ignores the order of the weight list', () => {
    fc.assert(
      fc.property(list, total, uid, (ws, n, u) => {
        const forward = [...websterDivide(n, ws, u)];
        expect([...websterDivide(n, [...ws].reverse(), u)]).toEqual(forward);
        expect([...websterDivide(n, ws, u)]).toEqual(forward);
      }),
    );
  });

  it('is house-monotone: one more replica never takes one from a cluster', () => {
    fc.assert(
      fc.property(list, total, uid, (ws, n, u) => {
        const before = websterDivide(n, ws, u);
        const after = websterDivide(n + 1, ws, u);
        for (const [name, count] of before) expect(after.get(name)!).toBeGreaterThanOrEqual(count);
      }),
    );
  });

  it('matches a linear-scan dispenser seat for seat (heap picks the same winner)', () => {
    fc.assert(
      fc.property(list, total, uid, (ws, n, u) => {
        expect(seats(websterDivide(n, ws, u))).toEqual(naiveWebster(n, ws, u));
      }),
    );
  });

  // Fleet-sized lists take the threshold shortcut (most seats handed out at once); tie-heavy small weights,
  // huge weights, initial seats and both tie orders must still give the dispenser's exact seats.
  const fleet = fc
    .uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,8}$/), { minLength: 1, maxLength: 120 })
    .chain((names) =>
      fc.tuple(
        fc.constant(names),
        fc.oneof(fc.constant(4), fc.constant(50), fc.constant(2 ** 40)).chain((max) => fc.array(fc.integer({ min: 0, max }), { minLength: names.length, maxLength: names.length })),
        fc.array(fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined, freq: 4 }), { minLength: names.length, maxLength: names.length }),
      ),
    );
  it('matches a seat-by-seat dispenser on fleet-sized lists, with and without initial seats', () => {
    fc.assert(
      fc.property(fleet, fc.integer({ min: 0, max: 2000 }), uid, fc.boolean(), ([names, ws, init], n, u, withInitial) => {
        const list = names.map((name, i) => ({ name, weight: ws[i]! }));
        const initial = withInitial ? new Map(names.flatMap((name, i) => (init[i] === undefined ? [] : [[name, init[i]!] as const]))) : undefined;
        expect([...websterDivide(n, list, u, initial)]).toEqual(dispenserReference(n, list, u, initial));
      }),
      { numRuns: 300 },
    );
  });

  it('gives zero-weight clusters nothing while another cluster has weight', () => {
    fc.assert(
      fc.property(list, total, (ws, n) => {
        fc.pre(ws.some((w) => w.weight > 0));
        const result = websterDivide(n, ws);
        for (const w of ws) if (w.weight === 0) expect(result.get(w.name)).toBe(0);
      }),
    );
  });
});

describe('goSort — Go sort.Sort (pdqsort) order of equal elements', () => {
  function goOrder(values: number[]): string[] {
    const items = values.map((v, i) => ({ name: String(i), v }));
    goSort(items, (a, b) => a.v > b.v); // TargetClustersList.Less: replicas descending
    return items.map((x) => x.name);
  }

  it('Go: 20 values 1,1,1,2,2,2,3,3,3,…', () => {
    expect(goOrder([1, 1, 1, 2, 2, 2, 3, 3, 3, 1, 1, 1, 2, 2, 2, 3, 3, 3, 1, 1])).toEqual(
      '6 17 16 15 8 7 5 12 4 3 14 13 10 11 0 9 2 1 18 19'.split(' '),
    );
  });

  it('Go: 60 values (i·7) mod 5', () => {
    expect(goOrder(Array.from({ length: 60 }, (_, i) => (i * 7) % 5))).toEqual(
      '12 37 2 57 27 22 47 7 32 17 42 52 44 59 14 39 24 9 34 19 49 29 54 4 31 36 26 1 56 21 6 51 46 11 41 16 33 48 38 23 58 18 13 43 3 28 53 8 10 35 50 0 30 20 5 55 45 25 40 15'.split(' '),
    );
  });

  it('Go: 30×3 then 30×5 (reversal and partial insertion)', () => {
    expect(goOrder([...Array(30).fill(3), ...Array(30).fill(5)])).toEqual(
      '45 31 59 58 30 57 56 55 54 53 52 51 50 49 48 47 46 44 43 42 41 40 38 37 36 35 34 33 32 39 15 0 1 27 26 25 24 23 22 29 21 20 19 18 17 4 16 28 14 13 12 11 10 9 8 7 6 5 3 2'.split(' '),
    );
  });

  it('Go: 120 values (i·7919) mod 13 (ninther pivots)', () => {
    expect(goOrder(Array.from({ length: 120 }, (_, i) => (i * 7919) % 13))).toEqual(
      '58 97 45 110 32 71 6 19 84 116 103 38 12 90 51 25 77 64 70 31 44 5 96 83 109 57 18 37 63 89 50 102 24 115 76 11 30 108 69 17 82 56 95 43 4 10 36 101 75 49 114 23 62 88 94 16 3 42 107 55 68 81 29 74 9 113 61 100 87 35 22 48 28 54 119 2 41 67 106 93 80 15 73 34 112 8 86 60 47 99 21 53 66 79 27 1 105 118 92 14 40 59 85 7 98 20 111 46 33 72 91 78 104 0 39 52 65 117 13 26'.split(' '),
    );
  });

  it('keeps ties in place for 12 elements or fewer (insertion sort)', () => {
    expect(goOrder([1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2])).toEqual(['1', '3', '5', '7', '9', '11', '0', '2', '4', '6', '8', '10']);
  });

  it('sorts: the result is ordered and a permutation', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 400 }), (values) => {
        const order = goOrder(values).map(Number);
        expect([...order].sort((a, b) => a - b)).toEqual(values.map((_, i) => i));
        for (let i = 1; i < order.length; i++) expect(values[order[i - 1]!]!).toBeGreaterThanOrEqual(values[order[i]!]!);
      }),
    );
  });
});

describe('compareNames — Go string order', () => {
  it('compares by code point like Go bytes, not by UTF-16 unit', () => {
    expect(compareNames('a', 'b')).toBeLessThan(0);
    expect(compareNames('B', 'a')).toBeLessThan(0);
    expect(compareNames('ab', 'abc')).toBeLessThan(0);
    expect(compareNames('x', 'x')).toBe(0);
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in Go; JS `<` says the opposite.
    expect('\u{1F600}' < '\uFF5E').toBe(true);
    expect(compareNames('\uFF5E', '\u{1F600}')).toBeLessThan(0);
  });

  it('orders any two strings as a code point comparison does, lone surrogates included', () => {
    const unit = fc.constantFrom('a', 'b', 'A', '-', '\u00e9', '\ud7ff', '\ud800', '\udbff', '\udc00', '\udfff', '\ue000', '\uffff', '\u{1F600}', '\u{10000}');
    const text = fc.array(unit, { maxLength: 6 }).map((units) => units.join(''));
    fc.assert(
      fc.property(text, text, text, (prefix, a, b) => {
        expect(Math.sign(compareNames(prefix + a, prefix + b))).toBe(Math.sign(codePointOrder(prefix + a, prefix + b)));
        expect(Math.sign(compareNames(a, a + b))).toBe(Math.sign(codePointOrder(a, a + b)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('divisionStrategyOf — assignment.go newAssignState', () => {
  it.each<[string, Parameters<typeof divisionStrategyOf>[0], DivisionStrategy]>([
    ['no replicaScheduling', undefined, 'Duplicated'],
    ['Duplicated', { replicaSchedulingType: 'Duplicated' }, 'Duplicated'],
    ['Divided + Aggregated', { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Aggregated' }, 'Aggregated'],
    ['Divided + Weighted + dynamicWeight', { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } }, 'DynamicWeight'],
    ['dynamicWeight beats a static list', { replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas', staticWeightList: byName({ a: 1 }) } }, 'DynamicWeight'],
    ['Divided + Weighted', { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted' }, 'StaticWeight'],
    ['empty replicaScheduling (CRD default Divided, webhook default Weighted)', {}, 'StaticWeight'],
  ])('%s', (_name, strategy, want) => {
    expect(divisionStrategyOf(strategy)).toBe(want);
  });
});

describe('assignReplicas StaticWeight — assignment_test.go Test_assignByStaticWeightStrategy', () => {
  const three = candidates({ [M1]: 0, [M2]: 0, [M3]: 0 });
  const w321 = byName({ [M1]: 3, [M2]: 2, [M3]: 1 });
  it.each<[string, number, CandidateCluster[], StaticClusterWeight[] | undefined, Array<[string, number]>]>([
    ['replica 12, weight 3:2:1', 12, three, w321, [[M1, 6], [M2, 4], [M3, 2]]],
    ['replica 12, default weight', 12, three, undefined, [[M1, 4], [M2, 4], [M3, 4]]],
    ['replica 13, weight 3:2:1', 13, three, w321, [[M1, 7], [M2, 4], [M3, 2]]],
    ['replica 14, weight 3:2:1', 14, three, w321, [[M1, 7], [M2, 5], [M3, 2]]],
    ['selected cluster without weight is ignored', 2, candidates({ [M1]: 0, [M2]: 0 }), byName({ [M1]: 1 }), [[M1, 2]]],
    [
      'cluster with multiple weights takes the maximum',
      3,
      candidates({ [M1]: 0, [M2]: 0 }),
      [...byName({ [M1]: 1, [M2]: 1 }), { targetCluster: { clusterNames: [M1] }, weight: 2 }],
      [[M1, 2], [M2, 1]],
    ],
  ])('%s', (_name, desired, cands, staticWeightList, want) => {
    expect(assign({ strategy: 'StaticWeight', desired, candidates: cands, staticWeightList })).toEqual(want);
  });

  it('0 replicas: every cluster gets 0, so none is kept (removeZeroReplicasCluster)', () => {
    expect(assign({ strategy: 'StaticWeight', desired: 0, candidates: candidates({ [M1]: 0, [M2]: 0 }), staticWeightList: byName({ [M1]: 1, [M2]: 1 }) })).toEqual([]);
  });
});

describe('assignReplicas StaticWeight — generic_scheduler_test.go Test_DistributionOfReplicas', () => {
  const members = (n: number) => candidates(Object.fromEntries([M1, M2, M3, M4].slice(0, n).map((m) => [m, 0])));
  it.each<[string, number, number, Record<string, number>, Array<[string, number]>]>([
    ['replica 3, static weighted 1:1', 3, 2, { [M1]: 1, [M2]: 1 }, [[M1, 2], [M2, 1]]],
    ['replica 3, 1:1:1', 3, 3, { [M1]: 1, [M2]: 1, [M3]: 1 }, [[M1, 1], [M2, 1], [M3, 1]]],
    ['replica 5, 1:1:1', 5, 3, { [M1]: 1, [M2]: 1, [M3]: 1 }, [[M1, 2], [M2, 2], [M3, 1]]],
    ['replica 7, 2:1:1:1', 7, 4, { [M1]: 2, [M2]: 1, [M3]: 1, [M4]: 1 }, [[M1, 3], [M2, 2], [M3, 1], [M4, 1]]],
    ['replica 8, 2:1:1:1', 8, 4, { [M1]: 2, [M2]: 1, [M3]: 1, [M4]: 1 }, [[M1, 3], [M2, 2], [M3, 2], [M4, 1]]],
    ['replica 9, 2:1:1:1', 9, 4, { [M1]: 2, [M2]: 1, [M3]: 1, [M4]: 1 }, [[M1, 3], [M2, 2], [M3, 2], [M4, 2]]],
    ['replica 6, 1:1:1:1', 6, 4, { [M1]: 1, [M2]: 1, [M3]: 1, [M4]: 1 }, [[M1, 2], [M2, 2], [M3, 1], [M4, 1]]],
    ['replica 6, 2:1:1:1', 6, 4, { [M1]: 2, [M2]: 1, [M3]: 1, [M4]: 1 }, [[M1, 3], [M2, 1], [M3, 1], [M4, 1]]],
    ['replica 5, 1:1:1:1 after adding a cluster', 5, 4, { [M1]: 1, [M2]: 1, [M3]: 1, [M4]: 1 }, [[M1, 2], [M2, 1], [M3, 1], [M4, 1]]],
    ['replica 6, 1:1:1 after removing a cluster', 6, 3, { [M1]: 1, [M2]: 1, [M3]: 1 }, [[M1, 2], [M2, 2], [M3, 2]]],
  ])('%s', (_name, desired, n, list, want) => {
    expect(assign({ strategy: 'StaticWeight', desired, candidates: members(n), staticWeightList: byName(list) })).toEqual(want);
  });
});

describe('assignReplicas StaticWeight — affinity matching and steps', () => {
  const fleet: CandidateCluster[] = [
    { cluster: cluster('eu-1', { labels: { env: 'prod' }, region: 'eu' }), availableReplicas: 0 },
    { cluster: cluster('eu-2', { labels: { env: 'dev' }, region: 'eu' }), availableReplicas: 0 },
    { cluster: cluster('us-1', { labels: { env: 'prod' }, region: 'us' }), availableReplicas: 0 },
  ];

  it('takes the maximum over labelSelector, fieldSelector and exclude matches', () => {
    const list: StaticClusterWeight[] = [
      { targetCluster: { labelSelector: { matchLabels: { env: 'prod' } } }, weight: 2 },
      { targetCluster: { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['eu'] }] } }, weight: 1 },
      { targetCluster: { exclude: ['eu-1', 'eu-2'] }, weight: 3 },
    ];
    // eu-1 = max(2, 1) = 2, eu-2 = 1, us-1 = max(2, 3) = 3: 6 replicas → 2, 1, 3
    const result = assignReplicas({ strategy: 'StaticWeight', desired: 6, hasReplicaRequirements: true, candidates: fleet, staticWeightList: list });
    expect(result.targets).toEqual([
      { name: 'eu-1', replicas: 2 },
      { name: 'eu-2', replicas: 1 },
      { name: 'us-1', replicas: 3 },
    ]);
    expect(result.steps).toContain('weights: eu-1=2 eu-2=1 us-1=3 (static, max over matching entries)');
    expect(result.steps).toContain('webster 6 over [eu-1,eu-2,us-1] → eu-1=2 eu-2=1 us-1=3 (ties: fewer replicas, then names ascending)');
  });

  it('matches each cluster object against each list content: equal lists share results, other clusters or lists do not', () => {
    const byEnv = (env: string): StaticClusterWeight[] => [
      { targetCluster: { labelSelector: { matchLabels: { env } } }, weight: 3 },
      { targetCluster: { labelSelector: { matchLabels: { env: 'dev' } } }, weight: 1 },
    ];
    const run = (cands: CandidateCluster[], list: StaticClusterWeight[]) =>
      assignReplicas({ strategy: 'StaticWeight', desired: 8, hasReplicaRequirements: true, candidates: cands, staticWeightList: list }).targets.map((t) => [t.name, t.replicas]);
    const first = [cluster('a', { labels: { env: 'prod' } }), cluster('b', { labels: { env: 'dev' } })].map((c) => ({ cluster: c, availableReplicas: 0 }));
    expect(run(first, byEnv('prod'))).toEqual([['a', 6], ['b', 2]]);
    expect(run(first, byEnv('prod'))).toEqual([['a', 6], ['b', 2]]); // an equal list, another object
    // Same names, other labels: new cluster objects are matched anew.
    const relabelled = [cluster('a', { labels: { env: 'dev' } }), cluster('b', { labels: { env: 'prod' } })].map((c) => ({ cluster: c, availableReplicas: 0 }));
    expect(run(relabelled, byEnv('prod'))).toEqual([['a', 2], ['b', 6]]);
    // Same clusters, another list content.
    expect(run(first, byEnv('staging'))).toEqual([['b', 8]]);
  });

  it('gives weight 1 to every candidate when no entry matches any of them', () => {
    const result = assignReplicas({ strategy: 'StaticWeight', desired: 5, hasReplicaRequirements: true, candidates: fleet, staticWeightList: byName({ elsewhere: 9 }) });
    expect(result.targets.map((t) => t.replicas)).toEqual([2, 2, 1]);
    expect(result.steps[0]).toMatch(/no staticWeightList entry matches any candidate: weight 1 each/);
  });

  it('drops a selected cluster no entry matches, and says so', () => {
    const result = assignReplicas({ strategy: 'StaticWeight', desired: 4, hasReplicaRequirements: true, candidates: fleet, staticWeightList: byName({ 'eu-1': 1, 'us-1': 1 }) });
    expect(result.targets).toEqual([
      { name: 'eu-1', replicas: 2 },
      { name: 'us-1', replicas: 2 },
    ]);
    expect(result.steps).toContain('no staticWeightList entry matches eu-2: weight 0, no replicas');
  });

  it('odd uid: remainder goes to the names that sort last', () => {
    const cities = candidates({ berlin: 0, madrid: 0, paris: 0 });
    expect(assign({ strategy: 'StaticWeight', desired: 5, candidates: cities, uid: '00000000-0000-0000-0000-000000000002' })).toEqual([
      ['berlin', 1],
      ['madrid', 2],
      ['paris', 2],
    ]);
    expect(assign({ strategy: 'StaticWeight', desired: 5, candidates: cities })).toEqual([
      ['berlin', 2],
      ['madrid', 2],
      ['paris', 1],
    ]);
  });
});

describe('assignReplicas DynamicWeight/Aggregated — assignment_test.go Test_dynamicScale', () => {
  it.each<[string, DivisionStrategy, number, Record<string, number>, Record<string, number>, Array<[string, number]> | 'UNSCHEDULABLE']>([
    ['replica 12 -> 6, dynamic weighted 1:1:1', 'DynamicWeight', 6, { [M1]: 1, [M2]: 1, [M3]: 1 }, { [M1]: 2, [M2]: 4, [M3]: 6 }, [[M1, 1], [M2, 2], [M3, 3]]],
    ['replica 12 -> 24, dynamic weighted 10:10:10', 'DynamicWeight', 24, { [M1]: 10, [M2]: 10, [M3]: 10 }, { [M1]: 2, [M2]: 4, [M3]: 6 }, [[M1, 6], [M2, 8], [M3, 10]]],
    ['replica 12 -> 24, dynamic weighted 1:1:1', 'DynamicWeight', 24, { [M1]: 1, [M2]: 1, [M3]: 1 }, { [M1]: 2, [M2]: 4, [M3]: 6 }, 'UNSCHEDULABLE'],
    ['replica 12 -> 6, aggregated 1:1:1', 'Aggregated', 6, { [M1]: 1, [M2]: 1, [M3]: 1 }, { [M1]: 4, [M2]: 8 }, [[M2, 6]]],
    ['replica 12 -> 8, aggregated 100:100', 'Aggregated', 8, { [M1]: 100, [M2]: 100 }, { [M1]: 4, [M2]: 8 }, [[M2, 8]]],
    ['replica 12 -> 24, aggregated 4:6:8', 'Aggregated', 24, { [M1]: 4, [M2]: 6, [M3]: 8 }, { [M1]: 4, [M2]: 8 }, [[M1, 7], [M2, 12], [M3, 5]]],
    ['replica 12 -> 24, aggregated 6:6:20', 'Aggregated', 24, { [M1]: 6, [M2]: 6, [M3]: 20 }, { [M1]: 4, [M2]: 8 }, [[M1, 10], [M2, 14]]],
    ['replica 12 -> 24, aggregated 1:1:1', 'Aggregated', 24, { [M1]: 1, [M2]: 1, [M3]: 1 }, { [M1]: 4, [M2]: 8 }, 'UNSCHEDULABLE'],
    [
      'replica 12 -> 24, aggregated 4:8:12, cluster2 gone, cluster4 new',
      'Aggregated',
      24,
      { [M1]: 4, [M3]: 8, [M4]: 12 },
      { [M1]: 4, [M2]: 8 },
      [[M1, 7], [M3, 7], [M4, 10]],
    ],
  ])('%s', (_name, strategy, desired, available, previous, want) => {
    const input = { strategy, desired, candidates: candidates(available), previous: new Map(Object.entries(previous)) };
    if (want === 'UNSCHEDULABLE') expect(caught(() => assign(input)).code).toBe('UNSCHEDULABLE');
    else expect(assign(input)).toEqual(want);
  });
});

describe('assignReplicas DynamicWeight/Aggregated — assignment_test.go Test_dynamicScaleUp', () => {
  it.each<[string, DivisionStrategy, Record<string, number>, Record<string, number>, Array<[string, number]> | 'UNSCHEDULABLE']>([
    ['replica 12, dynamic weight 6:8:10', 'DynamicWeight', { [M1]: 6, [M2]: 8, [M3]: 10 }, {}, [[M1, 3], [M2, 4], [M3, 5]]],
    ['replica 12, dynamic weight 8:8:10', 'DynamicWeight', { [M1]: 8, [M2]: 8, [M3]: 10 }, {}, [[M1, 4], [M2, 4], [M3, 4]]],
    ['replica 12, dynamic weight 3:3:3', 'DynamicWeight', { [M1]: 3, [M2]: 3, [M3]: 3 }, {}, 'UNSCHEDULABLE'],
    ['replica 12, aggregated 6:8:10', 'Aggregated', { [M1]: 6, [M2]: 8, [M3]: 10 }, {}, [[M2, 5], [M3, 7]]],
    ['replica 12, aggregated 12:8:10', 'Aggregated', { [M1]: 12, [M2]: 8, [M3]: 10 }, {}, [[M1, 12]]],
    ['replica 12, aggregated 3:3:3', 'Aggregated', { [M1]: 3, [M2]: 3, [M3]: 3 }, {}, 'UNSCHEDULABLE'],
    ['replica 12, dynamic 3:3, cluster3 gone, cluster2 new', 'DynamicWeight', { [M1]: 3, [M2]: 3 }, { [M1]: 6, [M3]: 6 }, [[M1, 9], [M2, 3]]],
  ])('%s', (_name, strategy, available, previous, want) => {
    const input = { strategy, desired: 12, candidates: candidates(available), previous: new Map(Object.entries(previous)) };
    if (want === 'UNSCHEDULABLE') expect(caught(() => assign(input)).code).toBe('UNSCHEDULABLE');
    else expect(assign(input)).toEqual(want);
  });
});

describe('assignReplicas — division_algorithm_test.go Test_dynamicDivideReplicas', () => {
  it.each<[string, DivisionStrategy, Record<string, number>, Array<[string, number]>]>([
    ['replica 12, dynamic weight 18:12:6', 'DynamicWeight', { [M1]: 18, [M2]: 12, [M3]: 6 }, [[M1, 6], [M2, 4], [M3, 2]]],
    ['replica 12, dynamic weight 20:12:6', 'DynamicWeight', { [M1]: 20, [M2]: 12, [M3]: 6 }, [[M1, 6], [M2, 4], [M3, 2]]],
    ['replica 12, dynamic weight 6:12:6', 'DynamicWeight', { [M1]: 6, [M2]: 12, [M3]: 6 }, [[M1, 3], [M2, 6], [M3, 3]]],
    ['replica 12, aggregated 12:6:6', 'Aggregated', { [M2]: 12, [M1]: 6, [M3]: 6 }, [[M2, 12]]],
    ['replica 12, aggregated 6:6:6', 'Aggregated', { [M1]: 6, [M2]: 6, [M3]: 6 }, [[M1, 6], [M2, 6]]],
  ])('%s', (_name, strategy, available, want) => {
    expect(assign({ strategy, desired: 12, candidates: candidates(available) })).toEqual(want);
  });
});

describe('assignReplicas — common_test.go TestAssignReplicas', () => {
  it('assigns replicas to a single cluster', () => {
    expect(assign({ strategy: 'StaticWeight', desired: 3, candidates: candidates({ [M1]: 0 }) })).toEqual([[M1, 3]]);
  });

  it('fails when no clusters are available', () => {
    const error = caught(() => assign({ strategy: 'StaticWeight', desired: 1, candidates: [] }));
    expect(error.code).toBe('NO_CLUSTERS_AVAILABLE');
    expect(error.message).toBe('no clusters available to schedule');
  });

  it('non-workload (0 replicas, no requirements): every candidate, replicas unset, whatever the strategy', () => {
    for (const strategy of ['Duplicated', 'StaticWeight', 'DynamicWeight', 'Aggregated'] as const) {
      const result = assignReplicas({ strategy, desired: 0, hasReplicaRequirements: false, candidates: candidates({ [M1]: 0, [M2]: 0 }) });
      expect(result.targets).toEqual([
        { name: M1, replicas: undefined },
        { name: M2, replicas: undefined },
      ]);
    }
  });

  it('a workload with requirements but 0 replicas takes the strategy and ends up nowhere', () => {
    expect(assign({ strategy: 'Duplicated', desired: 0, candidates: candidates({ [M1]: 0, [M2]: 0 }) })).toEqual([]);
  });

  const overflowCase = (available: Record<string, [number, number]>, desired: number, previous: Record<string, number> = {}) => ({
    strategy: 'DynamicWeight' as const,
    desired,
    overflow: true,
    previous: new Map(Object.entries(previous)),
    candidates: Object.entries(available).map(([name, [availableReplicas, overflowOrder]]) => ({ cluster: cluster(name), availableReplicas, overflowOrder })),
  });

  it('overflow: the primary tier has room, nothing overflows', () => {
    expect(assign(overflowCase({ [M1]: [10, 0], [M2]: [10, 1] }, 5))).toEqual([[M1, 5]]);
  });

  it('overflow: the primary tier is exhausted, the rest goes to the next tier', () => {
    expect(assign(overflowCase({ [M1]: [2, 0], [M2]: [10, 1] }, 5))).toEqual([
      [M1, 2],
      [M2, 3],
    ]);
  });

  it('overflow: all tiers exhausted is Unschedulable', () => {
    const error = caught(() => assign(overflowCase({ [M1]: [2, 0], [M2]: [2, 1] }, 10)));
    expect(error.code).toBe('UNSCHEDULABLE');
    expect(error.message).toMatch(/Clusters available replicas are not enough to schedule/);
  });

  it('overflow: previously assigned replicas count toward the tier capacity', () => {
    expect(assign(overflowCase({ [M1]: [2, 0], [M2]: [10, 1] }, 8, { [M1]: 3 }))).toEqual([
      [M1, 5],
      [M2, 3],
    ]);
  });
});

describe('assignReplicas Duplicated — assignment_test.go Test_assignByDuplicatedStrategy', () => {
  it('every candidate gets all replicas, in candidate order', () => {
    expect(assign({ strategy: 'Duplicated', desired: 2, candidates: candidates({ cluster2: 0, cluster1: 0 }) })).toEqual([
      ['cluster2', 2],
      ['cluster1', 2],
    ]);
  });
});

describe('assignReplicas — Unschedulable (Test_assignByDynamicStrategy_UnschedulableErrorPreserved)', () => {
  it('carries the desired count, each cluster’s availability and the clusters without capacity data', () => {
    const error = caught(() =>
      assignReplicas({
        strategy: 'DynamicWeight',
        desired: 10,
        hasReplicaRequirements: true,
        candidates: [
          { cluster: cluster(M1, { resourceSummary: { allocatable: { pods: '3' } } }), availableReplicas: 3 },
          { cluster: cluster(M2), availableReplicas: 0 },
        ],
      }),
    );
    expect(error.code).toBe('UNSCHEDULABLE');
    expect(error.message).toContain('Clusters available replicas 3 are not enough to schedule 10 replicas');
    expect(error.message).toContain(`no capacity data (status.resourceSummary) for ${M2}`);
    expect(error.data).toEqual({ desired: 10, target: 10, available: { [M1]: 3, [M2]: 0 }, missingCapacityData: [M2] });
  });
});

describe('assignReplicas — reference §1.7 worked example 3 and Go-verified orderings', () => {
  const mabc = candidates({ 'm-a': 4, 'm-b': 8, 'm-c': 8 });

  it('Aggregated keeps the fewest clusters: m-b 5, m-c 5, m-a nothing', () => {
    const result = assignReplicas({ strategy: 'Aggregated', desired: 10, hasReplicaRequirements: true, candidates: mabc });
    expect(result.targets).toEqual([
      { name: 'm-b', replicas: 5 },
      { name: 'm-c', replicas: 5 },
    ]);
    expect(result.steps).toEqual([
      'Aggregated, first schedule: divide 10 replicas by available replicas',
      'available: m-b=8 m-c=8 m-a=4 (sum 20, sorted by replicas, descending)',
      'Aggregated: fewest clusters holding 10: [m-b,m-c] (16)',
      'webster 10 over [m-b,m-c] → m-b=5 m-c=5 (ties: fewer replicas, then names ascending)',
      'result: m-b=5 m-c=5',
    ]);
  });

  it('DynamicWeight splits 4:8:8 → 2, 4, 4', () => {
    expect(assign({ strategy: 'DynamicWeight', desired: 10, candidates: mabc })).toEqual([
      ['m-a', 2],
      ['m-b', 4],
      ['m-c', 4],
    ]);
  });

  it('Go: Aggregated over 14 equal clusters keeps the first three (insertion-sorted prefix)', () => {
    const equal = candidates(Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`c${String(i).padStart(2, '0')}`, 5])));
    expect(assign({ strategy: 'Aggregated', desired: 12, candidates: equal })).toEqual([
      ['c00', 4],
      ['c01', 4],
      ['c02', 4],
    ]);
  });

  it('Go: Aggregated over 20 clusters of 5 and 3 keeps the prefix pdqsort leaves (c02, c10, c18)', () => {
    const mixed = candidates(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`c${String(i).padStart(2, '0')}`, i % 2 === 0 ? 5 : 3])));
    expect(assign({ strategy: 'Aggregated', desired: 12, candidates: mixed })).toEqual([
      ['c02', 4],
      ['c10', 4],
      ['c18', 4],
    ]);
  });

  it('Go: Fresh mode weighs available plus previously assigned and ignores the previous split', () => {
    const result = assignReplicas({
      strategy: 'DynamicWeight',
      desired: 10,
      hasReplicaRequirements: true,
      fresh: true,
      previous: new Map([['m-a', 6]]),
      candidates: candidates({ 'm-a': 0, 'm-b': 8, 'm-c': 8 }),
    });
    expect(result.targets.map((t) => [t.name, t.replicas])).toEqual([
      ['m-a', 3],
      ['m-b', 4],
      ['m-c', 3],
    ]);
    expect(result.steps[1]).toBe('DynamicWeight, Fresh: redivide all 10 replicas, weights = available + previously assigned');
  });

  it('keeps the previous result when desired equals what current candidates hold', () => {
    const result = assignReplicas({
      strategy: 'DynamicWeight',
      desired: 6,
      hasReplicaRequirements: true,
      previous: new Map([[M2, 4], [M1, 2], ['gone', 5]]),
      candidates: candidates({ [M1]: 0, [M2]: 0 }),
    });
    expect(result.targets.map((t) => [t.name, t.replicas])).toEqual([
      [M2, 4],
      [M1, 2],
    ]);
    expect(result.steps[0]).toBe(`previous on current candidates: ${M2}=4 ${M1}=2 (assigned 6); no longer candidates: gone=5`);
  });

  it('scale up adds the new replicas onto the previous ones (merge keeps previous-only clusters)', () => {
    const result = assignReplicas({
      strategy: 'Aggregated',
      desired: 14,
      hasReplicaRequirements: true,
      previous: new Map([[M1, 2], [M2, 2]]),
      candidates: candidates({ [M1]: 10, [M2]: 1, [M3]: 20 }),
    });
    // target 10; previously used first: M1 10, M2 1 → prefix [M1] holds 10
    expect(result.targets.map((t) => [t.name, t.replicas])).toEqual([
      [M1, 12],
      [M2, 2],
    ]);
    expect(result.steps).toContain(`plus previous: ${M1}=12 ${M2}=2`);
  });
});

describe('assignReplicas — properties', () => {
  const strategies = fc.constantFrom<DivisionStrategy>('StaticWeight', 'DynamicWeight', 'Aggregated');
  const fleet = fc
    .uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { minLength: 1, maxLength: 7 })
    .chain((names) => fc.tuple(fc.constant(names), fc.array(fc.integer({ min: 0, max: 20 }), { minLength: names.length, maxLength: names.length })))
    .map(([names, avail]) => names.map((name, i) => ({ cluster: cluster(name), availableReplicas: avail[i]! })));

  it('places exactly the desired replicas when it does not throw, all on candidates, none at 0', () => {
    fc.assert(
      fc.property(strategies, fleet, fc.integer({ min: 1, max: 60 }), fc.oneof(fc.constant(''), fc.uuid()), (strategy, cands, desired, uid) => {
        let targets;
        try {
          targets = assignReplicas({ strategy, desired, hasReplicaRequirements: true, candidates: cands, uid }).targets;
        } catch (error) {
          expect((error as ManifoldError).code).toBe('UNSCHEDULABLE');
          expect(strategy).not.toBe('StaticWeight');
          expect(cands.reduce((a, c) => a + c.availableReplicas, 0)).toBeLessThan(desired);
          return;
        }
        expect(targets.reduce((a, t) => a + (t.replicas ?? 0), 0)).toBe(desired);
        const names = new Set(cands.map((c) => c.cluster.name));
        for (const t of targets) {
          expect(names.has(t.name)).toBe(true);
          expect(t.replicas).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('divides the same without explanation steps (explain: false), for every strategy, previous result and overflow', () => {
    const anyStrategy = fc.constantFrom<DivisionStrategy>('Duplicated', 'StaticWeight', 'DynamicWeight', 'Aggregated');
    fc.assert(
      fc.property(anyStrategy, fleet, fc.integer({ min: 0, max: 40 }), fc.boolean(), fc.boolean(), fc.boolean(), (strategy, cands, desired, withPrevious, overflow, fresh) => {
        const tiers = cands.map((c, i) => ({ ...c, overflowOrder: i % 2 }));
        const input: AssignInput = {
          strategy,
          desired,
          hasReplicaRequirements: desired > 0,
          candidates: overflow ? tiers : cands,
          previous: withPrevious ? new Map(cands.slice(0, 2).map((c, i) => [c.cluster.name, i + 1])) : undefined,
          staticWeightList: byName({ a: 2, c: 1 }),
          overflow,
          fresh,
        };
        const outcome = (explain: boolean) => {
          try {
            return assignReplicas({ ...input, explain });
          } catch (error) {
            return (error as ManifoldError).message;
          }
        };
        const explained = outcome(true);
        const quiet = outcome(false);
        if (typeof explained === 'string') expect(quiet).toBe(explained);
        else expect(quiet).toEqual({ targets: explained.targets, steps: [] });
      }),
    );
  });

  it('scaling up never takes replicas from a cluster that already had them', () => {
    fc.assert(
      fc.property(fc.constantFrom<DivisionStrategy>('DynamicWeight', 'Aggregated'), fleet, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 20 }), (strategy, cands, first, extra) => {
        const roomy = cands.map((c) => ({ ...c, availableReplicas: c.availableReplicas + 40 }));
        const before = assignReplicas({ strategy, desired: first, hasReplicaRequirements: true, candidates: roomy }).targets;
        const previous = new Map(before.map((t) => [t.name, t.replicas ?? 0]));
        const after = assignReplicas({ strategy, desired: first + extra, hasReplicaRequirements: true, candidates: roomy, previous }).targets;
        for (const [name, count] of previous) expect(after.find((t) => t.name === name)?.replicas ?? 0).toBeGreaterThanOrEqual(count);
      }),
    );
  });
});

describe('splitJobCompletions — binding controller divideReplicasByJobCompletions', () => {
  it('splits completions with Webster weighted by per-cluster replicas, keyed by cluster name', () => {
    expect(seats(splitJobCompletions(10, new Map([['m2', 3], ['m1', 1]])))).toEqual({ m1: 3, m2: 7 });
    expect(seats(splitJobCompletions(5, new Map([['berlin', 1], ['madrid', 1], ['paris', 1]])))).toEqual({ berlin: 2, madrid: 2, paris: 1 });
  });

  it('uses the template uid for ties', () => {
    expect(seats(splitJobCompletions(5, new Map([['A', 1], ['B', 1]]), ODD_UID))).toEqual({ A: 2, B: 3 });
  });

  it('returns nothing when every cluster has 0 replicas', () => {
    expect(splitJobCompletions(4, new Map([['a', 0]])).size).toBe(0);
  });
});

describe('estimateAvailableReplicas — general_test.go', () => {
  const summary = (s: ResourceSummary) => s;
  it.each<[string, ResourceSummary | undefined, Record<string, string> | undefined, number]>([
    ['nil resource summary', undefined, { cpu: '1' }, 0],
    ['no allowed pods', summary({ allocatable: { pods: '10' }, allocated: { pods: '10' } }), undefined, 0],
    ['nil replica requirements', summary({ allocatable: { pods: '10' } }), undefined, 10],
    [
      'single cluster with resources / basic resource estimation',
      summary({ allocatable: { cpu: '4', memory: '8Gi', pods: '100' }, allocated: { cpu: '1', memory: '2Gi', pods: '20' } }),
      { cpu: '500m', memory: '1Gi' },
      6,
    ],
    // TestGetAllowedPodNumber
    ['allowed pods: normal case', summary({ allocatable: { pods: '100' }, allocated: { pods: '40' }, allocating: { pods: '10' } }), undefined, 50],
    ['allowed pods: no allocatable pods', summary({ allocated: { pods: '10' } }), undefined, 0],
    ['allowed pods: over allocation', summary({ allocatable: { pods: '100' }, allocated: { pods: '90' }, allocating: { pods: '20' } }), undefined, 0],
    // TestGetMaximumReplicasBasedOnClusterSummary, with a pod allowance that does not bind
    ['summary: sufficient resources', summary({ allocatable: { cpu: '4', memory: '8Gi', pods: '1000' }, allocated: { cpu: '1', memory: '2Gi' } }), { cpu: '500m', memory: '1Gi' }, 6],
    ['summary: insufficient memory', summary({ allocatable: { cpu: '4', memory: '2Gi', pods: '1000' }, allocated: { cpu: '1', memory: '1.5Gi' } }), { cpu: '500m', memory: '1Gi' }, 0],
  ])('%s', (_name, s, requests, want) => {
    expect(estimateAvailableReplicas(s, requests)).toBe(want);
  });

  it('compares CPU in millicores after rounding the remainder up to a whole core', () => {
    // 4 − 0.5 allocated − 0.25 allocating = 3.25 cores = 3250m; 3250m / 300m = 10
    expect(estimateAvailableReplicas({ allocatable: { cpu: '4', pods: '110' }, allocated: { cpu: '500m' }, allocating: { cpu: '250m' } }, { cpu: '300m' })).toBe(10);
    // 0.4 cores left: Value() rounds up to 1 (> 0), then 400m / 300m = 1
    expect(estimateAvailableReplicas({ allocatable: { cpu: '1', pods: '110' }, allocated: { cpu: '600m' } }, { cpu: '300m' })).toBe(1);
  });

  it('ignores requests that round to 0 and returns 0 for a requested resource the cluster does not list', () => {
    expect(estimateAvailableReplicas({ allocatable: { pods: '7' } }, { cpu: '0' })).toBe(7);
    expect(estimateAvailableReplicas({ allocatable: { pods: '7', cpu: '8' } }, { cpu: '1', 'nvidia.com/gpu': '1' })).toBe(0);
  });

  it('clusterAvailableReplicas turns a MaxInt32 estimate into the desired replicas and no summary into 0', () => {
    expect(clusterAvailableReplicas(cluster('big', { resourceSummary: { allocatable: { pods: String(MAX_INT32) } } }), undefined, 7)).toBe(7);
    expect(clusterAvailableReplicas(cluster('none'), { cpu: '1' }, 7)).toBe(0);
    expect(clusterAvailableReplicas(cluster('some', { resourceSummary: { allocatable: { pods: '5' } } }), undefined, 7)).toBe(5);
    expect(clusterAvailableReplicas(cluster('none'), { cpu: '1' }, 0)).toBe(MAX_INT32); // no estimator for 0 replicas (karmada#3743)
  });
});

describe('interpretReplicas / podRequestsOf — replica_test.go, binding_test.go TestGenerateReplicaRequirements', () => {
  const nodeClaimSpec: JsonObject = {
    nodeSelector: { foo: 'foo1' },
    tolerations: [{ key: 'foo', operator: 'Exists', effect: 'NoSchedule' }],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'foo', operator: 'Exists' }] }] } } },
  };

  it.each<[string, JsonObject, number]>([
    ['deployReplica', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 2, template: { spec: nodeClaimSpec } } }, 2],
    ['statefulSetReplica', { apiVersion: 'apps/v1', kind: 'StatefulSet', spec: { replicas: 2, template: { spec: nodeClaimSpec } } }, 2],
    ['replicaSetReplica', { apiVersion: 'apps/v1', kind: 'ReplicaSet', spec: { replicas: 3, template: { spec: nodeClaimSpec } } }, 3],
    ['jobReplica: parallelism 3 capped by completions 2', { apiVersion: 'batch/v1', kind: 'Job', spec: { parallelism: 3, completions: 2, template: { spec: nodeClaimSpec } } }, 2],
    ['podReplica', { apiVersion: 'v1', kind: 'Pod', spec: nodeClaimSpec }, 1],
  ])('%s: replicas and a node claim', (_name, template, replicas) => {
    expect(interpretReplicas(template)).toEqual({ replicas, requests: {}, hasReplicaRequirements: true });
  });

  it('applies kube-apiserver defaults Karmada would see (replicas 1, Job parallelism/completions 1)', () => {
    expect(interpretReplicas({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'c' }] } } } })?.replicas).toBe(1);
    expect(interpretReplicas({ apiVersion: 'batch/v1', kind: 'Job', spec: {} })?.replicas).toBe(1);
    expect(interpretReplicas({ apiVersion: 'batch/v1', kind: 'Job', spec: { parallelism: 4 } })?.replicas).toBe(4);
    expect(interpretReplicas({ apiVersion: 'batch/v1', kind: 'Job', spec: { completions: 3 } })?.replicas).toBe(1);
  });

  it('has no requirements without requests or node claim; other kinds are not interpreted', () => {
    expect(interpretReplicas({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 3, template: { spec: { containers: [{ name: 'c' }] } } } })).toEqual({
      replicas: 3,
      requests: {},
      hasReplicaRequirements: false,
    });
    expect(interpretReplicas({ apiVersion: 'apps/v1', kind: 'DaemonSet', spec: {} })).toBeUndefined();
    expect(interpretReplicas({ apiVersion: 'extensions/v1beta1', kind: 'Deployment', spec: { replicas: 2 } })).toBeUndefined();
    expect(interpretReplicas({ apiVersion: 'v1', kind: 'ConfigMap' })).toBeUndefined();
  });

  it('has resourceRequest: limits stand in for missing requests', () => {
    const template: JsonObject = { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'c', resources: { limits: { cpu: '200m' } } }] } } } };
    expect(interpretReplicas(template)).toEqual({ replicas: 1, requests: { cpu: '200m' }, hasReplicaRequirements: true });
  });

  it('sums containers, raises to the largest init container, adds overhead, keeps extended resources', () => {
    const template: JsonObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'a', resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { 'nvidia.com/gpu': 1 } } },
              { name: 'b', resources: { requests: { cpu: 0.5, memory: '64Mi', foo: '3' } } },
            ],
            initContainers: [{ name: 'i', resources: { requests: { cpu: '2', memory: '100Mi', 'hugepages-2Mi': '4Mi' } } }],
            overhead: { cpu: '10m' },
          },
        },
      },
    };
    expect(podRequestsOf(template)).toEqual({ cpu: '2010m', memory: '201326592', 'hugepages-2Mi': '4194304', 'nvidia.com/gpu': '1' });
  });

  it('finds the pod template of CronJob, DaemonSet and Pod, and nothing in a ConfigMap', () => {
    const pod = { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] };
    expect(podRequestsOf({ apiVersion: 'batch/v1', kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: pod } } } } })).toEqual({ cpu: '1000m' });
    expect(podRequestsOf({ apiVersion: 'apps/v1', kind: 'DaemonSet', spec: { template: { spec: pod } } })).toEqual({ cpu: '1000m' });
    expect(podRequestsOf({ apiVersion: 'v1', kind: 'Pod', spec: pod })).toEqual({ cpu: '1000m' });
    expect(podRequestsOf({ apiVersion: 'v1', kind: 'ConfigMap', data: {} })).toEqual({});
  });

  it('rejects an invalid quantity in a request', () => {
    expect(caught(() => podRequestsOf({ kind: 'Pod', spec: { containers: [{ resources: { requests: { cpu: 'lots' } } }] } })).code).toBe('INVALID_QUANTITY');
  });
});
