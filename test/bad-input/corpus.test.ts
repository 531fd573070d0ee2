/**
 * The bad-input corpus (test/bad-input/generate.ts) through the CLI: every
 * case ends with exit 0 or 2 (never 4, never a stack trace); a rejected case
 * names a file of the source on every error line, and a line on at least
 * one; nothing is written to --out on failure; validate says what render
 * says. In-process runs go through the real boundary (main); a sample runs
 * as child processes too. Prints a summary (README.md, "Bad input").
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../golden.ts';
import { looksLikeCrash, runCli, type CliRun } from './cli.ts';
import { generateCorpus, type Case } from './generate.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-corpus-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Outcome {
  case: Case;
  render: CliRun;
  validate: CliRun;
  wroteOnFailure: boolean;
  failures: string[];
}

function writeSource(c: Case): string {
  const dir = path.join(work, c.id);
  for (const [file, text] of Object.entries(c.files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** What is wrong with how a case was handled ([] when it was handled well). */
function judge(c: Case, render: CliRun, validate: CliRun, wroteOnFailure: boolean): string[] {
  const failures: string[] = [];
  if (looksLikeCrash(render) || looksLikeCrash(validate)) failures.push('crashed');
  if (render.code !== 0 && render.code !== 2) failures.push(`render exit ${render.code}`);
  if ((validate.code === 0) !== (render.code === 0)) failures.push(`validate exit ${validate.code} but render exit ${render.code}`);
  if (wroteOnFailure) failures.push('wrote --out although it failed');
  if (c.expect !== undefined && render.code !== c.expect) failures.push(`render exit ${render.code}, expected ${c.expect}`);
  if (render.code === 2) {
    const errors = render.stderr.split('\n').filter((l) => l.startsWith('error: '));
    const files = Object.keys(c.files);
    if (errors.length === 0) failures.push('exit 2 without an error line');
    for (const line of errors) {
      if (!files.some((f) => line.startsWith(`error: ${f}`))) failures.push(`error names no source file: ${line.slice(0, 160)}`);
    }
    if (!errors.some((l) => /^error: [^:]+:\d+: /.test(l))) failures.push(`no error names a line: ${errors[0]?.slice(0, 160)}`);
  }
  return failures;
}

async function runCase(c: Case): Promise<Outcome> {
  const dir = writeSource(c);
  const out = path.join(work, `${c.id.replace('/', '-')}-out`);
  const render = await runCli(['render', dir, '--out', out]);
  const wroteOnFailure = render.code !== 0 && existsSync(out);
  const validate = await runCli(['validate', dir]);
  rmSync(dir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  return { case: c, render, validate, wroteOnFailure, failures: judge(c, render, validate, wroteOnFailure) };
}

function summary(outcomes: readonly Outcome[], seconds: number): string {
  const handled = outcomes.filter((o) => o.failures.length === 0).length;
  const byCode = new Map<number, number>();
  const byCategory = new Map<string, Map<number, number>>();
  for (const o of outcomes) {
    byCode.set(o.render.code, (byCode.get(o.render.code) ?? 0) + 1);
    const counts = byCategory.get(o.case.category) ?? new Map<number, number>();
    counts.set(o.render.code, (counts.get(o.render.code) ?? 0) + 1);
    byCategory.set(o.case.category, counts);
  }
  const codes = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]).map(([code, count]) => `exit ${code}: ${count}`).join(', ');
  return [
    `bad-input corpus: ${outcomes.length} cases, ${handled} handled, ${outcomes.length - handled} not (${codes(byCode)}; ${seconds.toFixed(1)} s)`,
    ...[...byCategory].map(([category, m]) => `  ${category.padEnd(9)} ${String([...m.values()].reduce((a, b) => a + b, 0)).padStart(4)} cases: ${codes(m)}`),
  ].join('\n');
}

describe('bad-input corpus', () => {
  const corpus = generateCorpus();

  it('handles every case: exit 0 or 2, the file (and a line) named, nothing written on failure, validate agreeing', async () => {
    const started = performance.now();
    const outcomes: Outcome[] = [];
    for (const c of corpus) outcomes.push(await runCase(c));
    const text = summary(outcomes, (performance.now() - started) / 1000);
    console.log(text);
    const bad = outcomes.filter((o) => o.failures.length > 0).map((o) => `${o.case.id} (${o.case.what.slice(0, 120)}): ${o.failures.join('; ')}\n${o.render.stderr.slice(0, 400)}`);
    expect(bad, bad.slice(0, 10).join('\n\n')).toEqual([]);
    // The corpus must exercise both outcomes, or it tests nothing.
    expect(outcomes.filter((o) => o.render.code === 2).length).toBeGreaterThan(300);
    expect(outcomes.filter((o) => o.render.code === 0).length).toBeGreaterThan(50);
  }, 240_000);

  it('gives the same exit code and no stack trace as a child process, for a sample', () => {
    const sample = corpus.filter((_, i) => i % 149 === 0);
    for (const c of sample) {
      const dir = writeSource(c);
      const r = spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), 'validate', dir], { encoding: 'utf8' });
      expect([0, 2], `${c.id}: ${r.stderr}`).toContain(r.status);
      expect(r.stderr, c.id).not.toMatch(/internal error|^\s+at /m);
    }
  }, 120_000);
});
