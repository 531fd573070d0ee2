/**
 * The upstream corpus: examples taken verbatim from the upstream projects'
 * own samples and documentation (each file says where it comes from), with
 * the per-cluster result that the upstream system produces for them recorded
 * in the case's `EXPECTED`, derived from upstream code (cited there), not
 * from Manifold's output. Fixtures written by this project share its blind
 * spots; these do not.
 *
 * EXPECTED (YAML; no extension, so Manifold does not read it as a source file):
 *   about:     what the example does, in upstream's words where possible
 *   upstream:  the upstream files that decide the result
 *   clusters:  cluster → every file Manifold must write there → field checks
 *              (dot paths, compared deeply; null = absent); a cluster with `{}` gets nothing
 *   warnings:  regular expressions that must each match a warning
 *   error:     a regular expression the render's error must match instead
 *   pending:   why Manifold does not agree yet (the case must fail until it does)
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../../src/dialects/index.ts';
import { loadRepository } from '../../src/load/repository.ts';
import { readSourceFolder } from '../../src/load/source.ts';
import { render } from '../../src/render/render.ts';
import { formatProblem } from '../../src/errors/index.ts';

const CASES = path.join(import.meta.dirname, 'cases');

interface Expected {
  about: string;
  upstream: string[];
  clusters?: Record<string, Record<string, Record<string, unknown>>>;
  warnings?: string[];
  error?: string;
  pending?: string;
}

function expectedOf(folder: string): Expected {
  return load(readFileSync(path.join(CASES, folder, 'EXPECTED'), 'utf8')) as Expected;
}

function caseFolders(): string[] {
  return readdirSync(CASES)
    .flatMap((dialect) => readdirSync(path.join(CASES, dialect)).map((name) => `${dialect}/${name}`))
    .filter((folder) => existsSync(path.join(CASES, folder, 'EXPECTED')))
    .sort();
}

/** Reads `a.b.0.c` out of a parsed object. */
function at(value: unknown, dotted: string): unknown {
  let cur = value;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

async function renderCase(folder: string) {
  const files = await readSourceFolder(path.join(CASES, folder));
  return render(loadRepository(files, registry), dialects, { manifoldVersion: 'test' });
}

/** The upstream sources a case's files name in their first line (`# Upstream: …` verbatim or adapted, `# From …` written around an upstream snippet). */
function upstreamSources(folder: string): string[] {
  return readdirSync(path.join(CASES, folder))
    .map((f) => readFileSync(path.join(CASES, folder, f), 'utf8').split('\n', 1)[0]!)
    .filter((first) => /^# (Upstream:|From) /.test(first));
}

describe('upstream corpus', () => {
  const folders = caseFolders();

  it('holds at least 50 distinct upstream files and snippets', () => {
    const perDialect = new Map<string, Set<string>>();
    for (const folder of folders) {
      const dialect = folder.split('/')[0]!;
      const set = perDialect.get(dialect) ?? new Set<string>();
      for (const source of upstreamSources(folder)) set.add(source);
      perDialect.set(dialect, set);
    }
    const total = new Set([...perDialect.values()].flatMap((set) => [...set])).size;
    const pending = folders.filter((folder) => expectedOf(folder).pending !== undefined).length;
    console.log(
      `upstream corpus: ${folders.length} cases (${pending} pending), ${total} distinct upstream sources (${[...perDialect].map(([d, set]) => `${d} ${set.size}`).join(', ')})`,
    );
    expect(total).toBeGreaterThanOrEqual(50);
  });

  for (const folder of folders) {
    const expected = expectedOf(folder);
    // A pending case is a known disagreement with upstream: it must keep failing until fixed, and then
    // lose its `pending` line.
    const test = expected.pending === undefined ? it : it.fails;
    test(expected.pending === undefined ? folder : `${folder} (pending: ${expected.pending})`, async () => {
      if (expected.error !== undefined) {
        await expect(renderCase(folder)).rejects.toThrow(new RegExp(expected.error));
        return;
      }
      const result = await renderCase(folder);
      const wanted = expected.clusters ?? {};
      const actualClusters = [...result.clusters].filter(([, files]) => files.size > 0).map(([c]) => c).sort();
      const wantedClusters = Object.entries(wanted).filter(([, files]) => Object.keys(files ?? {}).length > 0).map(([c]) => c).sort();
      expect(actualClusters, 'clusters that receive objects').toEqual(wantedClusters);
      for (const [cluster, files] of Object.entries(wanted)) {
        const tree = result.clusters.get(cluster) ?? new Map<string, string>();
        expect([...tree.keys()].sort(), `files on ${cluster}`).toEqual(Object.keys(files ?? {}).sort());
        for (const [file, checks] of Object.entries(files ?? {})) {
          const object = load(tree.get(file) ?? '');
          for (const [field, value] of Object.entries(checks ?? {})) {
            expect(at(object, field) ?? null, `${cluster}/${file}: ${field}`).toEqual(value); // null: absent
          }
        }
      }
      const warnings = result.warnings.map(formatProblem);
      for (const pattern of expected.warnings ?? []) {
        expect(warnings.some((w) => new RegExp(pattern).test(w)), `a warning matching /${pattern}/ among:\n${warnings.join('\n')}`).toBe(true);
      }
    });
  }
});
