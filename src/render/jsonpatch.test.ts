/**
 * Vectors from evanphx/json-patch patch_test.go: the root package (v4, our
 * `lenient`) and v5/patch_test.go (our `strict`, default ApplyOptions), plus
 * the missing-path table of reference §2.5.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../model/types.ts';
import { applyPatch, escapeToken, jsonEqual, PatchError, unescapeToken, type PatchMode, type PatchOp } from './jsonpatch.ts';

const MODES: PatchMode[] = ['strict', 'lenient'];

function run(doc: string, patch: string, mode: PatchMode): JsonValue {
  return applyPatch(JSON.parse(doc) as JsonValue, JSON.parse(patch) as PatchOp[], mode);
}

function failure(doc: string, patch: string, mode: PatchMode): PatchError {
  try {
    run(doc, patch, mode);
  } catch (err) {
    if (err instanceof PatchError) return err;
    throw err;
  }
  throw new Error(`expected ${patch} to fail in ${mode} mode`);
}

const A48 = 'A'.repeat(48);

// patch_test.go `Cases` (present in both v4 and v5, default options): [doc, patch, result].
const sharedCases: [string, string, string][] = [
  [`{ "foo": "bar"}`, `[{ "op": "add", "path": "/baz", "value": "qux" }]`, `{"baz": "qux", "foo": "bar"}`],
  [`{ "foo": [ "bar", "baz" ] }`, `[{ "op": "add", "path": "/foo/1", "value": "qux" }]`, `{ "foo": [ "bar", "qux", "baz" ] }`],
  [`{ "foo": [ "bar", "baz" ] }`, `[{ "op": "add", "path": "/foo/-1", "value": "qux" }]`, `{ "foo": [ "bar", "baz", "qux" ] }`],
  [`{ "baz": "qux", "foo": "bar" }`, `[ { "op": "remove", "path": "/baz" } ]`, `{ "foo": "bar" }`],
  [`{ "foo": [ "bar", "qux", "baz" ] }`, `[ { "op": "remove", "path": "/foo/1" } ]`, `{ "foo": [ "bar", "baz" ] }`],
  [`{ "baz": "qux", "foo": "bar" }`, `[ { "op": "replace", "path": "/baz", "value": "boo" } ]`, `{ "baz": "boo", "foo": "bar" }`],
  [
    `{ "foo": { "bar": "baz", "waldo": "fred" }, "qux": { "corge": "grault" } }`,
    `[ { "op": "move", "from": "/foo/waldo", "path": "/qux/thud" } ]`,
    `{ "foo": { "bar": "baz" }, "qux": { "corge": "grault", "thud": "fred" } }`,
  ],
  [`{ "foo": [ "all", "grass", "cows", "eat" ] }`, `[ { "op": "move", "from": "/foo/1", "path": "/foo/3" } ]`, `{ "foo": [ "all", "cows", "eat", "grass" ] }`],
  [`{ "foo": [ "all", "grass", "cows", "eat" ] }`, `[ { "op": "move", "from": "/foo/1", "path": "/foo/2" } ]`, `{ "foo": [ "all", "cows", "grass", "eat" ] }`],
  [`{ "foo": "bar" }`, `[ { "op": "add", "path": "/child", "value": { "grandchild": { } } } ]`, `{ "foo": "bar", "child": { "grandchild": { } } }`],
  [`{ "foo": ["bar"] }`, `[ { "op": "add", "path": "/foo/-", "value": ["abc", "def"] } ]`, `{ "foo": ["bar", ["abc", "def"]] }`],
  [`{ "foo": "bar", "qux": { "baz": 1, "bar": null } }`, `[ { "op": "remove", "path": "/qux/bar" } ]`, `{ "foo": "bar", "qux": { "baz": 1 } }`],
  [`{ "foo": "bar" }`, `[ { "op": "add", "path": "/baz", "value": null } ]`, `{ "baz": null, "foo": "bar" }`],
  [`{ "foo": ["bar"]}`, `[ { "op": "replace", "path": "/foo/0", "value": "baz"}]`, `{ "foo": ["baz"]}`],
  [`{ "foo": ["bar","baz"]}`, `[ { "op": "replace", "path": "/foo/0", "value": "bum"}]`, `{ "foo": ["bum","baz"]}`],
  [`{ "foo": ["bar","qux","baz"]}`, `[ { "op": "replace", "path": "/foo/1", "value": "bum"}]`, `{ "foo": ["bar", "bum","baz"]}`],
  [`[ {"foo": ["bar","qux","baz"]}]`, `[ { "op": "replace", "path": "/0/foo/0", "value": "bum"}]`, `[ {"foo": ["bum","qux","baz"]}]`],
  // v4's compareJSON silently accepted any result for array documents; these are v5's expectations.
  [
    `[ {"foo": ["bar","qux","baz"], "bar": ["qux","baz"]}]`,
    `[ { "op": "copy", "from": "/0/foo/0", "path": "/0/bar/0"}]`,
    `[ {"foo": ["bar","qux","baz"], "bar": ["bar", "qux", "baz"]}]`,
  ],
  [`[ {"foo": ["bar","qux","baz"], "bar": ["qux","baz"]}]`, `[ { "op": "copy", "from": "/0/foo/0", "path": "/0/bar"}]`, `[ {"foo": ["bar","qux","baz"], "bar": "bar"}]`],
  [
    `[ { "foo": {"bar": ["qux","baz"]}, "baz": {"qux": "bum"}}]`,
    `[ { "op": "copy", "from": "/0/foo/bar", "path": "/0/baz/bar"}]`,
    `[ { "baz": {"bar": ["qux","baz"], "qux":"bum"}, "foo": {"bar": ["qux","baz"]}}]`,
  ],
  [`{ "foo": ["bar"]}`, `[{"op": "copy", "path": "/foo/0", "from": "/foo"}]`, `{ "foo": [["bar"], "bar"]}`],
  [`{ "foo": ["bar","qux","baz"]}`, `[ { "op": "remove", "path": "/foo/-2"}]`, `{ "foo": ["bar", "baz"]}`],
  [`{ "foo": []}`, `[ { "op": "add", "path": "/foo/-1", "value": "qux"}]`, `{ "foo": ["qux"]}`],
  [`{ "bar": [{"baz": null}]}`, `[ { "op": "replace", "path": "/bar/0/baz", "value": 1 } ]`, `{ "bar": [{"baz": 1}]}`],
  [`{ "bar": [{"baz": 1}]}`, `[ { "op": "replace", "path": "/bar/0/baz", "value": null } ]`, `{ "bar": [{"baz": null}]}`],
  [`{ "bar": [null]}`, `[ { "op": "replace", "path": "/bar/0", "value": 1 } ]`, `{ "bar": [1]}`],
  [`{ "bar": [1]}`, `[ { "op": "replace", "path": "/bar/0", "value": null } ]`, `{ "bar": [null]}`],
  [
    `{ "foo": ["A", "${A48}"] }`,
    `[ { "op": "copy", "path": "/foo/-", "from": "/foo/1" }, { "op": "copy", "path": "/foo/-", "from": "/foo/1" }]`,
    `{ "foo": ["A", "${A48}", "${A48}", "${A48}"] }`,
  ],
];

// Only in v5/patch_test.go `Cases` (default options).
const v5OnlyCases: [string, string, string][] = [
  [`{ "foo": [ "bar", "qux", "baz" ] }`, `[ { "op": "remove", "path": "/foo/-1" } ]`, `{ "foo": [ "bar", "qux" ] }`],
  [`{ "foo": [ "bar", "qux", {"a": "abc", "b": "xyz" } ] }`, `[ { "op": "remove", "path": "/foo/-1/a" } ]`, `{ "foo": [ "bar", "qux", {"b": "xyz" } ] }`],
  [`{ "foo": ["bar"]}`, `[ { "op": "replace", "path": "/foo/-1", "value": "baz"}]`, `{ "foo": ["baz"]}`],
  [`{ "foo": [{"bar": "x"}]}`, `[ { "op": "replace", "path": "/foo/-1/bar", "value": "baz"}]`, `{ "foo": [{"bar": "baz"}]}`],
  [`{ "foo": null}`, `[{"op": "copy", "path": "/bar", "from": "/foo"}]`, `{ "foo": null, "bar": null}`],
  [`[1, 2, 3]`, `[ { "op": "remove", "path": "/0" } ]`, `[2, 3]`],
];

// patch_test.go `MutationTestCases`: must change the document.
const mutationCases: [string, string][] = [
  [`{ "foo": "bar", "qux": { "baz": 1, "bar": null } }`, `[ { "op": "remove", "path": "/qux/bar" } ]`],
  [`{ "foo": "bar", "qux": { "baz": 1, "bar": null } }`, `[ { "op": "replace", "path": "/qux/baz", "value": null } ]`],
];

// patch_test.go `BadCases` common to v4 and v5 (the AccumulatedCopySizeLimit case is left out:
// neither Karmada nor KubeFed sets a limit).
const sharedBadCases: [string, string][] = [
  [`{ "foo": "bar" }`, `[ { "op": "add", "path": "/baz/bat", "value": "qux" } ]`],
  [`{ "a": { "b": { "d": 1 } } }`, `[ { "op": "remove", "path": "/a/b/c" } ]`],
  [`{ "a": { "b": { "d": 1 } } }`, `[ { "op": "move", "from": "/a/b/c", "path": "/a/b/e" } ]`],
  [`{ "a": { "b": [1] } }`, `[ { "op": "remove", "path": "/a/b/1" } ]`],
  [`{ "a": { "b": [1] } }`, `[ { "op": "move", "from": "/a/b/1", "path": "/a/b/2" } ]`],
  [`{ "foo": "bar" }`, `[ { "op": "add", "pathz": "/baz", "value": "qux" } ]`],
  [`{ "foo": "bar" }`, `[ { "op": "add", "path": "", "value": "qux" } ]`],
  [`{ "foo": ["bar","baz"]}`, `[ { "op": "replace", "path": "/foo/2", "value": "bum"}]`],
  [`{ "foo": ["bar","baz"]}`, `[ { "op": "add", "path": "/foo/-4", "value": "bum"}]`],
  [`{ "name":{ "foo": "bat", "qux": "bum"}}`, `[ { "op": "replace", "path": "/foo/bar", "value":"baz"}]`],
  [`{ "foo": ["bar"]}`, `[ {"op": "add", "path": "/foo/2", "value": "bum"}]`],
  [`{ "foo": []}`, `[ {"op": "remove", "path": "/foo/-"}]`],
  [`{ "foo": []}`, `[ {"op": "remove", "path": "/foo/-1"}]`],
  [`{ "foo": ["bar"]}`, `[ {"op": "remove", "path": "/foo/-2"}]`],
  [`{}`, `[ {"op":null,"path":""} ]`],
  [`{}`, `[ {"op":"add","path":null} ]`],
  [`{}`, `[ { "op": "copy", "from": null }]`],
  [`{ "foo": ["bar"]}`, `[{"op": "copy", "path": "/foo/6666666666", "from": "/"}]`],
  [`{ "foo": ["bar"]}`, `[{"op": "copy", "path": "/foo/2", "from": "/foo/0"}]`],
  [`{ "foo": [ "all", "grass", "cows", "eat" ] }`, `[ { "op": "move", "from": "/foo/1", "path": "/foo/4" } ]`],
];

// Only in v5's BadCases: v4 accepts both (reference §2.5).
const v5OnlyBadCases: [string, string][] = [
  [`{ "baz": "qux" }`, `[ { "op": "replace", "path": "/foo", "value": "bar" } ]`],
  [`{ "foo": "bar"}`, `[{"op": "copy", "path": "/qux", "from": "/baz"}]`],
];

// v5 Cases that need AllowMissingPathOnRemove / EnsurePathExistsOnAdd: Karmada uses the defaults, so they fail.
const v5OptionOnlyCases: [string, string][] = [
  [`{ "a": { "b": { "d": 1 } } }`, `[ { "op": "remove", "path": "/x/y/z" } ]`],
  [`[1, 2, 3]`, `[ { "op": "remove", "path": "/10" } ]`],
  [`[1, 2, 3]`, `[ { "op": "remove", "path": "/10/x/y/z" } ]`],
  [`[1, 2, 3]`, `[ { "op": "remove", "path": "/-10" } ]`],
  [`{}`, `[ { "op": "add", "path": "/a/b", "value": "hello" } ]`],
  [`{}`, `[ { "op": "add", "path": "/a/0/b", "value": "hello" } ]`],
  [`{"a": {} }`, `[ { "op": "add", "path": "/a/b/c", "value": "hello" } ]`],
  [`{"a": [{"b": "whatever"}]}`, `[ { "op": "add", "path": "/a/2/b/c", "value": "hello" } ]`],
];

describe('applyPatch: patch_test.go Cases', () => {
  for (const mode of MODES) {
    it.each(sharedCases)(`${mode}: %s + %s`, (doc, patch, result) => {
      expect(run(doc, patch, mode)).toEqual(JSON.parse(result));
    });
    it.each(mutationCases)(`${mode} mutates: %s + %s`, (doc, patch) => {
      expect(run(doc, patch, mode)).not.toEqual(JSON.parse(doc));
    });
    it.each(sharedBadCases)(`${mode} rejects: %s + %s`, (doc, patch) => {
      expect(failure(doc, patch, mode)).toBeInstanceOf(PatchError);
    });
  }
  it.each(v5OnlyCases)('strict: %s + %s', (doc, patch, result) => {
    expect(run(doc, patch, 'strict')).toEqual(JSON.parse(result));
  });
  it.each(v5OnlyBadCases)('strict rejects: %s + %s', (doc, patch) => {
    expect(failure(doc, patch, 'strict').code).toBe('PATCH_FAILED');
  });
  it.each(v5OptionOnlyCases)('strict (default options) rejects: %s + %s', (doc, patch) => {
    expect(failure(doc, patch, 'strict')).toBeInstanceOf(PatchError);
  });
  it('lenient accepts what only v5 rejects', () => {
    expect(run(`{ "baz": "qux" }`, `[ { "op": "replace", "path": "/foo", "value": "bar" } ]`, 'lenient')).toEqual({ baz: 'qux', foo: 'bar' });
    expect(run(`{ "foo": "bar"}`, `[{"op": "copy", "path": "/qux", "from": "/baz"}]`, 'lenient')).toEqual({ foo: 'bar', qux: null });
  });
});

// patch_test.go `TestCases` (test op), same in v4 and v5: [doc, patch, passes, failing op index].
const testOpCases: [string, string, boolean, number][] = [
  [`{ "baz": "qux", "foo": [ "a", 2, "c" ] }`, `[ { "op": "test", "path": "/baz", "value": "qux" }, { "op": "test", "path": "/foo/1", "value": 2 } ]`, true, -1],
  [`{ "baz": "qux" }`, `[ { "op": "test", "path": "/baz", "value": "bar" } ]`, false, 0],
  [`{ "baz": "qux", "foo": ["a", 2, "c"] }`, `[ { "op": "test", "path": "/baz", "value": "qux" }, { "op": "test", "path": "/foo/1", "value": "c" } ]`, false, 1],
  [`{ "baz": "qux" }`, `[ { "op": "test", "path": "/foo", "value": 42 } ]`, false, 0],
  [`{ "baz": "qux" }`, `[ { "op": "test", "path": "/foo", "value": null } ]`, true, -1],
  [`{ "foo": null }`, `[ { "op": "test", "path": "/foo", "value": null } ]`, true, -1],
  [`{ "foo": {} }`, `[ { "op": "test", "path": "/foo", "value": null } ]`, false, 0],
  [`{ "foo": [] }`, `[ { "op": "test", "path": "/foo", "value": null } ]`, false, 0],
  [`{ "baz/foo": "qux" }`, `[ { "op": "test", "path": "/baz~1foo", "value": "qux"} ]`, true, -1],
  [`{ "foo": [] }`, `[ { "op": "test", "path": "/foo"} ]`, false, 0],
  [`{ "foo": "bar" }`, `[ { "op": "test", "path": "/baz", "value": "bar" } ]`, false, 0],
  [`{ "foo": "bar" }`, `[ { "op": "test", "path": "/baz", "value": null } ]`, true, -1],
];

describe('applyPatch: test op (TestAllTest, TestEquality)', () => {
  for (const mode of MODES) {
    it.each(testOpCases)(`${mode}: %s + %s → %s`, (doc, patch, passes, failedOp) => {
      if (passes) {
        expect(run(doc, patch, mode)).toEqual(JSON.parse(doc));
        return;
      }
      const err = failure(doc, patch, mode);
      expect(err.opIndex).toBe(failedOp);
      expect(err.reason).toMatch(/^test failed/);
    });
  }

  // EqualityCases, checked in both directions through a test op at the root.
  const equality: [string, string, string, boolean][] = [
    ['ExtraKeyFalse', `{"foo": "bar"}`, `{"foo": "bar", "baz": "qux"}`, false],
    ['StripWhitespaceTrue', `{\n"foo": "bar",\n"baz": "qux"\n}`, `{"foo": "bar", "baz": "qux"}`, true],
    ['KeysOutOfOrderTrue', `{"baz": "qux", "foo": "bar"}`, `{"foo": "bar", "baz": "qux"}`, true],
    ['ComparingNullFalse', `{"foo": null}`, `{"foo": "bar"}`, false],
    ['ComparingNullTrue', `{"foo": null}`, `{"foo": null}`, true],
    ['ArrayOutOfOrderFalse', `["foo", "bar", "baz"]`, `["bar", "baz", "foo"]`, false],
    ['ArrayTrue', `["foo", "bar", "baz"]`, `["foo", "bar", "baz"]`, true],
    ['NonStringTypesTrue', `{"int": 6, "bool": true, "float": 7.5, "string": "the_string", "null": null}`, `{"int": 6, "bool": true, "float": 7.5, "string": "the_string", "null": null}`, true],
    ['NestedNullFalse', `{"foo": ["an", "array"], "bar": {"an": "object"}}`, `{"foo": null, "bar": null}`, false],
  ];
  it.each(equality)('%s', (_name, a, b, equal) => {
    expect(jsonEqual(JSON.parse(a) as JsonValue, JSON.parse(b) as JsonValue)).toBe(equal);
    expect(jsonEqual(JSON.parse(b) as JsonValue, JSON.parse(a) as JsonValue)).toBe(equal);
    for (const mode of MODES) {
      const attempt = () => applyPatch(JSON.parse(a) as JsonValue, [{ op: 'test', path: '', value: JSON.parse(b) as JsonValue }], mode);
      if (equal) expect(attempt).not.toThrow();
      else expect(attempt).toThrow(PatchError);
    }
  });
  it('scalars never equal null (NullCompare*False)', () => {
    for (const scalar of ['foo', 6, 6.01, false]) {
      for (const mode of MODES) {
        expect(() => applyPatch({ v: scalar }, [{ op: 'test', path: '/v', value: null }], mode)).toThrow(PatchError);
      }
    }
  });
});

describe('applyPatch: array add indices (TestAdd)', () => {
  // partialArray.add on an empty array: [key, error?]
  const cases: [string, boolean][] = [
    ['0', true],
    ['1', false],
    ['-1', true],
    ['-2', false],
  ];
  for (const mode of MODES) {
    it.each(cases)(`${mode}: add /a/%s to [] → ok=%s`, (key, ok) => {
      const attempt = () => applyPatch({ a: [] }, [{ op: 'add', path: `/a/${key}`, value: 'v' }], mode);
      if (ok) expect(attempt()).toEqual({ a: ['v'] });
      else expect(attempt).toThrow(/out of range/);
    });
  }
  it('Go strconv.Atoi syntax: sign and leading zeros are accepted, spaces are not', () => {
    expect(applyPatch({ a: [1, 2, 3] }, [{ op: 'replace', path: '/a/+1', value: 9 }], 'strict')).toEqual({ a: [1, 9, 3] });
    expect(applyPatch({ a: [1, 2, 3] }, [{ op: 'remove', path: '/a/002' }], 'strict')).toEqual({ a: [1, 2] });
    expect(() => applyPatch({ a: [1, 2, 3] }, [{ op: 'remove', path: '/a/ 1' }], 'strict')).toThrow(/invalid array index/);
    expect(() => applyPatch({ a: [1] }, [{ op: 'replace', path: '/a/-', value: 0 }], 'lenient')).toThrow(PatchError);
  });
});

describe('applyPatch: key order (v5 TestMaintainOrdering)', () => {
  const cases: [string, string, string][] = [
    [`{"z":"1","a":["baz"],"y":3,"b":true,"x":null}`, `[{"op": "add", "path": "/foo", "value": "bar"}]`, `{"z":"1","a":["baz"],"y":3,"b":true,"x":null,"foo":"bar"}`],
    [`{"z":"1","a":["baz"],"y":3,"b":true,"x":null}`, `[{"op": "remove", "path": "/y"}]`, `{"z":"1","a":["baz"],"b":true,"x":null}`],
    [
      `{"z":"1","a":["baz"],"y":3,"b":true,"x":null}`,
      `[{"op": "move", "from": "/z", "path": "/a/-"},{"op": "remove", "path": "/y"}]`,
      `{"a":["baz","1"],"b":true,"x":null}`,
    ],
    [
      `{"z":"1","a":["baz"],"y":3,"b":true,"x":null}`,
      `[{"op": "add", "path": "/foo", "value": "bar"},{"op": "replace", "path": "/b", "value": {"zz":1,"aa":"foo","yy":true,"bb":null}},{"op": "copy", "from": "/foo", "path": "/b/cc"},{"op": "move", "from": "/z", "path": "/a/0"},{"op": "remove", "path": "/y"}]`,
      `{"a":["1","baz"],"b":{"zz":1,"aa":"foo","yy":true,"bb":null,"cc":"bar"},"x":null,"foo":"bar"}`,
    ],
  ];
  it.each(cases)('%s + %s', (doc, patch, expected) => {
    expect(JSON.stringify(run(doc, patch, 'strict'))).toBe(expected);
  });
});

describe('applyPatch: missing paths (reference §2.5 table)', () => {
  const tpl = () => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: {} } });

  it('replace of a missing key whose parent exists: lenient adds it, strict fails', () => {
    const op: PatchOp = { op: 'replace', path: '/spec/replicas', value: 3 };
    expect(applyPatch(tpl(), [op], 'lenient')).toMatchObject({ spec: { replicas: 3 } });
    const err = (() => {
      try {
        applyPatch(tpl(), [op], 'strict');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PatchError);
    expect((err as PatchError).message).toBe('replace /spec/replicas: path does not exist');
    expect((err as PatchError).data).toEqual({ opIndex: 0, op: 'replace', path: '/spec/replicas', reason: 'path does not exist' });
  });

  it('replace at an array index ≥ length fails in both modes', () => {
    for (const mode of MODES) {
      expect(() => applyPatch({ a: [1] }, [{ op: 'replace', path: '/a/1', value: 2 }], mode)).toThrow(PatchError);
    }
  });

  it('any op through a missing intermediate segment fails with "parent path does not exist"', () => {
    for (const mode of MODES) {
      for (const op of ['add', 'replace', 'remove'] as const) {
        const patch = [{ op, path: '/metadata/annotations/team', value: 'x' }] as PatchOp[];
        expect(() => applyPatch(tpl(), patch, mode)).toThrow('parent path does not exist');
      }
    }
  });

  it('the userguide workaround: add the map first', () => {
    const out = applyPatch(
      tpl(),
      [
        { op: 'add', path: '/metadata/annotations', value: {} },
        { op: 'replace', path: '/metadata/annotations/team', value: 'x' },
      ],
      'lenient',
    );
    expect(out).toMatchObject({ metadata: { annotations: { team: 'x' } } });
  });

  it('add sets or overwrites object keys; array add inserts or appends, negative allowed', () => {
    for (const mode of MODES) {
      expect(applyPatch({ a: 1 }, [{ op: 'add', path: '/a', value: 2 }], mode)).toEqual({ a: 2 });
      expect(applyPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/2', value: 3 }], mode)).toEqual({ a: [1, 2, 3] });
      expect(applyPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/-', value: 3 }], mode)).toEqual({ a: [1, 2, 3] });
      expect(applyPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/-3', value: 0 }], mode)).toEqual({ a: [0, 1, 2] });
    }
  });

  it('remove of a missing key or index fails in both modes', () => {
    for (const mode of MODES) {
      expect(() => applyPatch({ a: 1 }, [{ op: 'remove', path: '/b' }], mode)).toThrow('remove /b: path does not exist');
      expect(() => applyPatch({ a: [] }, [{ op: 'remove', path: '/a/0' }], mode)).toThrow(PatchError);
    }
  });

  it('a null member is not a container to walk through', () => {
    for (const mode of MODES) {
      expect(() => applyPatch({ a: null }, [{ op: 'add', path: '/a/b', value: 1 }], mode)).toThrow('parent path does not exist');
      expect(() => applyPatch({ a: 'x' }, [{ op: 'add', path: '/a/b', value: 1 }], mode)).toThrow('parent path does not exist');
    }
  });
});

describe('applyPatch: empty path and pointer syntax', () => {
  it('replace "" swaps the document for an object or array (v4.12 and v5)', () => {
    for (const mode of MODES) {
      expect(applyPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], mode)).toEqual({ b: 2 });
      expect(() => applyPatch({ a: 1 }, [{ op: 'replace', path: '', value: 'x' }], mode)).toThrow(PatchError);
    }
  });
  it('add "" replaces the document in strict (v5) and fails in lenient (v4)', () => {
    expect(applyPatch({ a: 1 }, [{ op: 'add', path: '', value: [1] }], 'strict')).toEqual([1]);
    expect(() => applyPatch({ a: 1 }, [{ op: 'add', path: '', value: [1] }], 'lenient')).toThrow(PatchError);
  });
  it('test "" compares the whole document', () => {
    for (const mode of MODES) {
      expect(applyPatch({ a: 1 }, [{ op: 'test', path: '', value: { a: 1 } }], mode)).toEqual({ a: 1 });
    }
  });
  it('move from "" is refused', () => {
    for (const mode of MODES) {
      expect(() => applyPatch({ a: 1 }, [{ op: 'move', from: '', path: '/b' }], mode)).toThrow(PatchError);
    }
  });
  it('copy from "" copies the document into itself in strict mode without creating a cycle', () => {
    const out = applyPatch({ a: 1 }, [{ op: 'copy', from: '', path: '/self' }], 'strict');
    expect(out).toEqual({ a: 1, self: { a: 1 } });
    expect(() => applyPatch({ a: 1 }, [{ op: 'copy', from: '', path: '/self' }], 'lenient')).toThrow(PatchError);
  });
  it('"/" addresses the empty key', () => {
    expect(applyPatch({ '': 1 }, [{ op: 'replace', path: '/', value: 2 }], 'strict')).toEqual({ '': 2 });
    expect(applyPatch({}, [{ op: 'add', path: '/', value: 2 }], 'lenient')).toEqual({ '': 2 });
  });
  it('rejects a pointer without a leading slash (upstream would drop its first token)', () => {
    for (const mode of MODES) {
      expect(() => applyPatch({ spec: {} }, [{ op: 'add', path: 'spec/replicas', value: 1 }], mode)).toThrow(/must be empty or start with/);
    }
  });
  it('unescapes ~1 and ~0 left to right', () => {
    expect(unescapeToken('a~1b')).toBe('a/b');
    expect(unescapeToken('~01')).toBe('~1');
    expect(unescapeToken('~~1')).toBe('~/');
    expect(unescapeToken('~2')).toBe('~2');
    expect(escapeToken('a/b~c')).toBe('a~1b~0c');
    expect(applyPatch({ 'a/b': { 'c~d': 1 } }, [{ op: 'replace', path: '/a~1b/c~0d', value: 2 }], 'strict')).toEqual({ 'a/b': { 'c~d': 2 } });
  });
  it('add/replace without a value: strict fails (DecodePatch), lenient writes null', () => {
    expect(() => applyPatch({}, [{ op: 'add', path: '/a' }], 'strict')).toThrow('has no value');
    expect(applyPatch({}, [{ op: 'add', path: '/a' }], 'lenient')).toEqual({ a: null });
  });
  it('a scalar document cannot be patched', () => {
    for (const mode of MODES) {
      expect(() => applyPatch('x', [{ op: 'test', path: '', value: 'x' }], mode)).toThrow(PatchError);
    }
  });
  it('__proto__ is an ordinary member', () => {
    const out = applyPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }], 'strict') as Record<string, unknown>;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
  it('reports the failing op index and the whole patch is discarded', () => {
    const doc = { a: 1 };
    try {
      applyPatch(doc, [{ op: 'add', path: '/b', value: 2 }, { op: 'remove', path: '/c' }], 'strict');
      expect.unreachable();
    } catch (err) {
      expect((err as PatchError).data).toMatchObject({ opIndex: 1, op: 'remove', path: '/c' });
    }
    expect(doc).toEqual({ a: 1 });
  });
});

describe('applyPatch: copy-on-write', () => {
  it('shares untouched subtrees and copies only the patched path', () => {
    const doc = { a: { deep: [1, 2] }, b: { c: { d: 1 } } };
    const out = applyPatch(doc, [{ op: 'replace', path: '/b/c/d', value: 2 }], 'strict') as typeof doc;
    expect(out.a).toBe(doc.a);
    expect(out.b).not.toBe(doc.b);
    expect(doc.b.c.d).toBe(1);
  });
  it('a copied value is never edited through its other location', () => {
    const out = applyPatch(
      { a: {} },
      [
        { op: 'add', path: '/a/x', value: 1 },
        { op: 'copy', from: '/a', path: '/b' },
        { op: 'add', path: '/b/y', value: 2 },
        { op: 'add', path: '/a/z', value: 3 },
      ],
      'strict',
    );
    expect(out).toEqual({ a: { x: 1, z: 3 }, b: { x: 1, y: 2 } });
  });
  it('op values are not edited by later ops', () => {
    const value = { k: 1 };
    applyPatch({}, [{ op: 'add', path: '/v', value }, { op: 'add', path: '/v/k2', value: 2 }], 'strict');
    expect(value).toEqual({ k: 1 });
  });
});

// ---- properties ----

/** Every pointer into `doc` (plus one child position per container), for generating ops. */
function pointersOf(doc: JsonValue, prefix = ''): string[] {
  if (typeof doc !== 'object' || doc === null) return [];
  const out: string[] = [];
  const entries: [string, JsonValue][] = Array.isArray(doc) ? doc.map((v, i) => [String(i), v]) : Object.entries(doc);
  for (const [k, v] of entries) {
    const p = `${prefix}/${escapeToken(k)}`;
    out.push(p, ...pointersOf(v, p));
  }
  out.push(`${prefix}/${Array.isArray(doc) ? '-' : 'new'}`);
  return out;
}

const docArb = fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>, { maxKeys: 5 });

const opsArb = (doc: JsonValue) => {
  const paths = pointersOf(doc);
  const path = paths.length > 0 ? fc.constantFrom(...paths) : fc.constant('/x');
  const value = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>;
  const op: fc.Arbitrary<PatchOp> = fc.oneof(
    fc.record({ op: fc.constant('add' as const), path, value }),
    fc.record({ op: fc.constant('remove' as const), path }),
    fc.record({ op: fc.constant('replace' as const), path, value }),
    fc.record({ op: fc.constant('move' as const), from: path, path }),
    fc.record({ op: fc.constant('copy' as const), from: path, path }),
    fc.record({ op: fc.constant('test' as const), path, value }),
  );
  return fc.array(op, { maxLength: 6 });
};

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

function applyEach(doc: JsonValue, ops: readonly PatchOp[], mode: PatchMode): JsonValue {
  return ops.reduce<JsonValue>((d, op) => applyPatch(d, [op], mode), doc);
}

describe('applyPatch properties', () => {
  const cases = docArb.chain((doc) => fc.tuple(fc.constant(doc), opsArb(doc), fc.constantFrom<PatchMode>('strict', 'lenient')));

  it('never mutates its input document or the op values', () => {
    fc.assert(
      fc.property(cases, ([doc, ops, mode]) => {
        const before = JSON.stringify(doc);
        const opsBefore = JSON.stringify(ops);
        deepFreeze(doc);
        deepFreeze(ops);
        try {
          applyPatch(doc, ops, mode);
        } catch (err) {
          if (!(err instanceof PatchError)) throw err;
        }
        expect(JSON.stringify(doc)).toBe(before);
        expect(JSON.stringify(ops)).toBe(opsBefore);
      }),
      { numRuns: 300 },
    );
  });

  it('one call with n ops equals n calls with one op (in-place edits never leak)', () => {
    fc.assert(
      fc.property(cases, ([doc, ops, mode]) => {
        let batched: JsonValue | PatchError;
        let single: JsonValue | PatchError;
        try {
          batched = applyPatch(doc, ops, mode);
        } catch (err) {
          batched = err as PatchError;
        }
        try {
          single = applyEach(doc, ops, mode);
        } catch (err) {
          single = err as PatchError;
        }
        if (batched instanceof PatchError || single instanceof PatchError) {
          expect(batched instanceof PatchError && single instanceof PatchError).toBe(true);
        } else {
          expect(JSON.stringify(batched)).toBe(JSON.stringify(single));
        }
      }),
      { numRuns: 300 },
    );
  });
});
