import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import type { JsonObject } from '../model/types.ts';
import { dumpYaml, toYaml } from './emit.ts';

/** What toYaml wrote before the block writer: js-yaml's own dump. */
function reference(doc: unknown): string {
  return dump(doc, { noRefs: true, lineWidth: -1, sortKeys: false });
}

/** Strings js-yaml must quote, escape or write as block scalars, and plain ones next to them. */
const TRICKY = [
  '', ' ', 'a ', ' a', 'null', 'Null', 'NULL', '~', 'true', 'True', 'FALSE', 'yes', 'No', 'on', 'OFF', 'y', 'n', 'Y', 'N',
  '0', '-0', '+1', '012', '0x1F', '0o17', '0b101', '1_000', '1:30', '190:20:30', '1e3', '1.0', '.5', '.inf', '-.Inf', '.NaN', '.nan',
  '2001-12-14', '2001-12-14t21:59:43.10-05:00', '<<', '=', '---', '...', '--- a', '- a', '-', '? a', '?', ': a', ':', 'a:', 'a: b', 'a:b',
  'a #b', '#a', 'a#b', "'", "it's", '"', '@a', '`a', '|', '>', '%a', '!a', '&a', '*a', '[a]', '{a}', ',', 'a,b', 'a\tb', '\t',
  'é', 'ünïcode', '日本', '\u{1F600}', '\ud800', 'a\u2028b', '\x85', '\uFEFF', '\x7F', '\0', 'a\rb', 'a\nb', '\n', 'x\n', 'x\n\n',
  '  indented\nlines', 'registry.example.com/team-00/app-00001:1.0.0', '100m', '128Mi', 'http', '/healthz', 'x'.repeat(200),
];

const text = fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ maxLength: 8 }));
const number = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, 1e21, 2 ** 53, -1.5, Number.NaN, Number.POSITIVE_INFINITY));
const scalar = fc.oneof(text, number, fc.boolean(), fc.constant(null), fc.constant(undefined));
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 5 }),
  ),
}));
const document = fc.dictionary(text, value, { maxKeys: 6 }) as fc.Arbitrary<JsonObject>;

describe('dumpYaml — js-yaml dump byte for byte', () => {
  it('writes any JSON-like document as js-yaml does (quoting, empty collections, nesting, undefined, -0)', () => {
    fc.assert(
      fc.property(document, (doc) => {
        expect(dumpYaml(doc)).toBe(reference(doc));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the same text whether a scalar is new or already seen, at any depth', () => {
    for (const s of TRICKY) {
      const doc = { [s]: s, list: [s, [s], { [s]: [s] }], deep: { a: { b: { c: s } } } } as JsonObject;
      expect(dumpYaml(doc)).toBe(reference(doc));
      expect(dumpYaml(doc)).toBe(reference(doc));
    }
  });

  it('leaves what it does not cover to js-yaml (dates, sets, long keys, multi-line strings)', () => {
    const docs = [
      { when: new Date(0) },
      { set: new Set(['a']) },
      { ['k'.repeat(300)]: 1 },
      { script: 'line 1\nline 2\n' },
      { zero: -0 },
      { boxed: new Boolean(true) },
    ] as unknown as JsonObject[];
    for (const doc of docs) expect(dumpYaml(doc)).toBe(reference(doc));
    const unwritable = { m: new Map([['a', 1]]) } as unknown as JsonObject;
    expect(() => reference(unwritable)).toThrow(/unacceptable kind/);
    expect(() => dumpYaml(unwritable)).toThrow(/unacceptable kind/);
  });
});

describe('toYaml', () => {
  it('puts apiVersion, kind and metadata first and names the namespace, as before', () => {
    const obj = { spec: { replicas: 2 }, kind: 'Deployment', metadata: { labels: { app: 'a' }, name: 'web', uid: 'x' }, apiVersion: 'apps/v1', status: {} } as JsonObject;
    expect(toYaml(obj, 'team')).toBe('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: team\n  labels:\n    app: a\nspec:\n  replicas: 2\n');
  });
});

describe('dumpYaml with shared subtrees (the variants of one template)', () => {
  it('writes what js-yaml writes when the same objects appear again, at the same or another depth', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 4 }), (parts) => {
        const shared = new WeakMap();
        // The same part objects reused across documents: as a value, one level deeper, and as a sequence item.
        const docs = [
          { a: parts[0], b: parts },
          { a: parts[0], nested: { b: parts, c: [parts[0], ...parts] } },
          { b: parts, a: parts[0] },
        ];
        for (const doc of docs) expect(dumpYaml(doc as unknown as JsonObject, shared)).toBe(reference(doc));
      }),
      { numRuns: 300 },
    );
  });

  it('stays right after the styled scalars were forgotten (a subtree written before holds scalars styled in that earlier round)', () => {
    const shared = new WeakMap();
    const spec = { image: 'registry.example.com/x:1.0.0', ports: [{ containerPort: 80, name: 'http' }], note: 'yes' };
    const first = { spec };
    expect(dumpYaml(first, shared)).toBe(reference(first));
    // More distinct scalars than are remembered: the next document starts over.
    const many = { values: Array.from({ length: 200_050 }, (_, i) => `scalar-${i}`) };
    expect(dumpYaml(many, shared)).toBe(reference(many));
    const deeper = { template: { spec }, other: 'yes' };
    expect(dumpYaml(deeper, shared)).toBe(reference(deeper));
    expect(dumpYaml(first, shared)).toBe(reference(first));
  });
});
