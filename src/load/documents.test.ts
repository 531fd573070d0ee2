/**
 * The js-yaml fast path must be invisible: for every input, parseSourceFiles
 * gives exactly what the `yaml` package alone gives (documents, values, lines,
 * field lines and problems). Differential tests over tricky scalars, keys and
 * document layouts, the repository's own YAML, and a fast-check grammar fuzz.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFileFast, parseFileWithPositions, parseSourceFiles, type ParsedFiles } from './documents.ts';

const PATHS: PropertyKey[][] = [[], ['kind'], ['metadata', 'name'], ['metadata', 'labels', 'app'], ['spec', 'template', 'spec', 'containers', 0, 'image'], ['k'], ['k', 0], ['missing', 'deeper']];

function view(parsed: ParsedFiles): unknown {
  return {
    problems: parsed.problems,
    documents: parsed.documents.map((d) => ({
      file: d.file,
      index: d.index,
      line: d.line,
      value: d.value,
      lines: PATHS.map((p) => d.lineOf(p)),
    })),
  };
}

function expectSameAsYaml(text: string): void {
  const file = { path: 'f.yaml', text };
  expect(view(parseSourceFiles([file])), JSON.stringify(text)).toStrictEqual(view(parseFileWithPositions(file)));
}

const SCALARS = [
  '1_000', '0o17', '0x1F', '-0x1F', '+12', '012', '-0', '0', '.5', '5.', '1e3', '1E+3', '1e400', '-1e400', '1e-400',
  '.inf', '-.Inf', '+.INF', '.NaN', '.nan', '1.0', '00', '9007199254740993', '1'.repeat(400), `0x${'F'.repeat(300)}`,
  '0b101', 'true', 'True', 'TRUE', 'tRue', 'yes', 'on', 'NO', '~', 'null', 'Null', 'NULL', 'nULL', '', '2001-12-14',
  '12:30', '1.2.3', '0.', '-.5', '1e', '0x', '0o8', '-', "'it''s'", '"a\\tb\\u00e9\\x41\\\\"', '"\\U0001F600"',
  'a:b', 'http://x:80/y', 'a # comment', '[1, "a", b, {c: d}]', '{a: 1, b: [2]}', '!!str 1', '&a b', '*x', '@x', '"\t"',
];
const KEYS = ['1', '~', 'null', 'true', '1.5', '"1"', '<<', '__proto__', 'constructor', '[a, b]', '{a: 1}', '"a\\nb"', '""', "''", 'a b', '0x1F', '.inf', '.nan', '1e3'];
const LAYOUTS = [
  '---\n# c\na: 1\n', '# lead\n\n---\n\n# c\n  a: 1\n', 'a: 1\n---\n', '---\n---\na: 1\n', '--- ~\n', '---\n- a\n', '"str"\n',
  '\uFEFFa: 1\n', 'a: 1\r\nb: 2\r\n---\r\nc: 3\r\n', '{"a": 1,\n "b": [1,2]}\n', '  a: 1\n  b: 2\n', '...\n',
  'a: 1\n...\n# x\n---\nb: 1\n', '%YAML 1.1\n---\na: yes\n', 'a: 1\na: 2\n', 'a:\n\tb: 1\n', 'a: "x"#c\n', 'a: b: c\n',
  'a: [b\n', 'a: 1\n b: 2\n', '- a\nb: 1\n', 'a: |\n  x\n b\n', '? a\n: b\n', '[a]: 1\n', 'a: {b: c, b: d}\n',
  'a: &x 1\nb: *x\n', 'a: !!binary aGk=\n', 'a: !foo x\n', "a: 'x\n", 'a: "\\q"\n', 'a: >\n x\n  y\n z\n', 'a:\n- 1\n- 2\n',
  'a: 1 # c\n# d\nb: 2', 'a:    \nb:', '"a":1\n', '{a:1}\n', 'a: {x: 1,}\n', 'a: [1,,2]\n', 'a: 1\n\n\n---\n\n\nb: 2\n',
  'a: "multi\n  line\n\n  para"\n', 'a:\n  b:\n    c: |\n      text\n      more\n\n    d: 1\n', '', '# only a comment\n',
  'kind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  template:\n    spec:\n      containers:\n        - image: nginx\n',
];

describe('parseSourceFiles fast path', () => {
  it('gives what the yaml package gives for tricky scalars, keys and document layouts', () => {
    for (const s of SCALARS) {
      expectSameAsYaml(`k: ${s}\n`);
      expectSameAsYaml(`k:\n  - ${s}\n`);
    }
    for (const k of KEYS) expectSameAsYaml(`${k}: v\nz: 1\n`);
    for (const layout of LAYOUTS) expectSameAsYaml(layout);
  });

  it('gives what the yaml package gives for every YAML and JSON file of the repository examples and tests', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    let files = 0;
    for (const dir of ['examples', 'test']) {
      for (const entry of readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !/\.(ya?ml|json)$/.test(entry.name)) continue;
        expectSameAsYaml(readFileSync(path.join(entry.parentPath, entry.name), 'utf8'));
        files++;
      }
    }
    expect(files).toBeGreaterThan(5);
  });

  it('is taken for ordinary manifests and left for what only the yaml package reads exactly', () => {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: "1"\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n';
    const fast = parseFileFast({ path: 'm.yaml', text: manifest });
    expect(fast?.documents.map((d) => d.line)).toEqual([1, 8]);
    for (const text of ['a: &x 1\nb: *x\n', 'a: !foo x\n', '%YAML 1.1\n---\na: 1\n', 'a: 1\n...\n', '- a\n', '~: a\n', 'a: 1e400\n', 'a: 1\na: 2\n', 'a: 1\n---\n']) {
      expect(parseFileFast({ path: 'x.yaml', text }), text).toBeUndefined();
    }
  });

  it('gives what the yaml package gives for generated documents (fast-check grammar fuzz)', () => {
    const chars = [...'abz019 -:#.exo+"\'\\\té~!&*@%|>[]{},?nulTr', '\u00a0', '\u2028', '\u0085'];
    const word = fc.array(fc.constantFrom(...chars), { maxLength: 8 }).map((cs) => cs.join(''));
    const scalar = fc.oneof(
      word,
      word.map((w) => `"${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`),
      word.map((w) => `'${w.replace(/'/g, "''")}'`),
      fc.constantFrom('0', '-1', '12', '0x1F', '0o7', '1.5', '.5', '-.inf', '.nan', 'true', 'False', '~', 'null', '2020-01-01', '1_0', '+3', '00'),
    );
    const block = fc.tuple(fc.constantFrom('|', '>', '|-', '>+'), word, word).map(([h, a, b]) => ({ block: h, lines: [a, b] }));
    type Tree = string | { block: string; lines: string[] } | Tree[] | { map: [string, Tree][] };
    const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        scalar,
        block,
        fc.array(tie('tree'), { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(fc.tuple(fc.constantFrom('apiVersion', 'kind', 'k1', 'k2', '"q k"', "'s'", '1', 'true', 'a b'), tie('tree')), { minLength: 1, maxLength: 3, selector: ([k]) => k }).map((map) => ({ map })),
      ),
    }));
    const emit = (t: Tree, indent: string): string => {
      if (typeof t === 'string') return ` ${t}`;
      if (Array.isArray(t)) return t.map((item) => `\n${indent}-${emit(item, `${indent}  `)}`).join('');
      if ('block' in t) return ` ${t.block}\n${t.lines.map((l) => `${indent}  ${l}`).join('\n')}`;
      return t.map.map(([k, v]) => `\n${indent}${k}:${emit(v, `${indent}  `)}`).join('');
    };
    const doc = fc.uniqueArray(fc.tuple(fc.constantFrom('apiVersion', 'kind', 'metadata', 'spec', 'data', '1', 'a b'), tree), { minLength: 1, maxLength: 4, selector: ([k]) => k });
    const file = fc.tuple(fc.array(doc, { minLength: 1, maxLength: 2 }), fc.boolean(), fc.boolean()).map(([docs, lead, crlf]) => {
      const text = docs.map((d, i) => `${i > 0 || lead ? '---\n' : ''}${d.map(([k, v]) => `${k}:${emit(v, '')}`).join('\n')}\n`).join('');
      return crlf ? text.replace(/\n/g, '\r\n') : text;
    });
    let fast = 0;
    fc.assert(
      fc.property(file, (text) => {
        if (parseFileFast({ path: 'f.yaml', text }) !== undefined) fast++;
        expectSameAsYaml(text);
      }),
      { numRuns: 1500, seed: 20261121 },
    );
    // The comparison means something only if many inputs took the fast path.
    expect(fast).toBeGreaterThan(300);
  });
});

describe('parseSourceFiles rejects what is not JSON (issue 10)', () => {
  const problemsOf = (text: string) => parseSourceFiles([{ path: 'f.yaml', text }]).problems.map((p) => ({ line: p.line, field: p.field, message: p.message }));

  it('reports a key repeated through an alias, which would silently replace the earlier value', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &n region\n  labels:\n    region: eu\n    *n : us\n';
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 7, message: expect.stringContaining('Map keys must be unique ("region" repeats)') });
  });

  it('reports a plain duplicate key and a collection key with their lines', () => {
    expect(problemsOf('a: 1\nb: 2\na: 3\n')).toEqual([{ line: 3, field: undefined, message: 'YAML syntax: Map keys must be unique ("a" repeats)' }]);
    expect(problemsOf('a: 1\n[x]: 2\n')[0]).toMatchObject({ line: 2, message: expect.stringContaining('mapping key must be') });
  });

  it('rejects tags outside the JSON ones and YAML versions it does not read', () => {
    for (const [text, line, words] of [
      ['a: 1\nb: !!omap\n  - x: 1\n', 3, '!!omap'],
      ['a: !!set {x}\n', 1, '!!set'],
      ['a: !!binary aGk=\n', 1, '!!binary'],
      ['a: !!timestamp 2001-01-01\n', 1, '!!timestamp'],
      ['a: !foo x\n', 1, 'Unresolved tag: !foo'],
      ['%YAML 2.0\n---\na: 1\n', 1, 'Unsupported YAML version 2.0'],
    ] as const) {
      const problems = problemsOf(text);
      expect(problems, text).toHaveLength(1);
      expect(problems[0], text).toMatchObject({ line, message: expect.stringContaining(words) });
    }
    expect(problemsOf('a: !!str 1\nb: !!int "2"\n')).toEqual([]);
  });

  it('rejects numbers that are not finite, naming the field and its line', () => {
    for (const value of ['.nan', '.inf', '-.Inf', '1e309', '-1e400']) {
      const text = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: ${value}\n`;
      expect(problemsOf(text), value).toEqual([{ line: 6, field: 'spec.replicas', message: expect.stringContaining('not finite') }]);
    }
  });

  it('rejects a recursive alias and a scalar alias bomb instead of crashing later', () => {
    expect(problemsOf('a: &x\n  b: *x\n')[0]?.message).toContain('cycle');
    const big = 'x'.repeat(1024 * 1024);
    const bomb = `s: &s "${big}"\nlist: [${Array.from({ length: 40 }, () => '*s').join(', ')}]\n`;
    expect(problemsOf(bomb)[0]?.message).toContain('larger than 1.5 MiB');
  });

  it('rejects an object larger than the API server can store, on the fast path too (js-yaml could not write it)', () => {
    const small = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n';
    const huge = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata:\n  v: "${'y'.repeat(2 * 1024 * 1024)}"\n`;
    expect(parseFileFast({ path: 'f.yaml', text: `${small}---\n${huge}` })?.problems).toEqual([
      { code: 'YAML_VALUE', severity: 'error', file: 'f.yaml', line: 5, message: expect.stringContaining('larger than 1.5 MiB') },
    ]);
  });
});
