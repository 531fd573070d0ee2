/**
 * The render use case called directly, as the Action and the reconciler
 * will: typed options in, a typed outcome and notices out, nothing printed.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors/index.ts';
import type { Notice } from './notices.ts';
import { render, type RenderOptions } from './render.ts';

const QUICKSTART = path.join(import.meta.dirname, '..', '..', 'examples', 'quickstart');
const work = mkdtempSync(path.join(tmpdir(), 'manifold-app-render-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function gitRepoOfQuickstart(name: string): string {
  const repo = path.join(work, name);
  cpSync(QUICKSTART, repo, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  return repo;
}

async function run(opts: RenderOptions): Promise<{ outcome: Awaited<ReturnType<typeof render>>; notices: Notice[] }> {
  const notices: Notice[] = [];
  const outcome = await render(opts, (n) => notices.push(n));
  return { outcome, notices };
}

const lines = (notices: Notice[]) => notices.flatMap((n) => (n.kind === 'line' ? [n.text] : []));
const tip = (repo: string) => execFileSync('git', ['rev-parse', 'manifold/rendered'], { cwd: repo, encoding: 'utf8' }).trim();

describe('the render use case', () => {
  it('print: hands the tree back and writes no folder', async () => {
    const source = path.join(work, 'print');
    cpSync(QUICKSTART, source, { recursive: true });
    const { outcome, notices } = await run({ source, print: true });
    expect([...(outcome.printed?.keys() ?? [])].length).toBeGreaterThan(1);
    // Nothing for the user but where the run is: the steps, with what is known of their size.
    expect(notices).toEqual([
      { kind: 'progress', step: 'render' },
      { kind: 'progress', step: 'render', templates: 4, clusters: 4 },
    ]);
    expect(existsSync(path.join(source, 'rendered'))).toBe(false);
  });

  it('folder: writes the tree and reports it as a line', async () => {
    const source = path.join(work, 'folder');
    cpSync(QUICKSTART, source, { recursive: true });
    const outDir = path.join(work, 'folder-out');
    const { outcome, notices } = await run({ source, outDir });
    expect(outcome).toEqual({ commit: undefined });
    expect(lines(notices)).toEqual([expect.stringMatching(new RegExp(`^rendered \\d+ objects for \\d+ clusters into ${outDir}$`))]);
    expect(notices.filter((n) => n.kind === 'progress').map((n) => (n.kind === 'progress' ? n.step : ''))).toEqual(['render', 'render', 'write']);
    expect(notices.at(-2)).toEqual({ kind: 'progress', step: 'write', objects: 16, clusters: 4 });
    expect(existsSync(path.join(outDir, '.manifold', 'provenance.json'))).toBe(true);

    // Again into the same folder: an update in place, which says what it changed.
    expect(lines((await run({ source, outDir })).notices)).toEqual([
      `rendered 16 objects for 4 clusters into ${outDir} (updated in place: 0 files written, 0 stale paths removed, the rest unchanged)`,
    ]);
    rmSync(path.join(source, 'app.yaml'));
    writeFileSync(path.join(outDir, 'eu-1', 'stray.yaml'), 'x: 1\n');
    const [line] = lines((await run({ source, outDir })).notices);
    expect(line).toMatch(new RegExp(`^rendered \\d+ objects for 4 clusters into ${outDir} \\(updated in place: 0 files written, [1-9]\\d* stale paths removed, the rest unchanged\\)$`));
  });

  it('commit: commits, then finds the branch unchanged, then patches the branch incrementally after a template changed', async () => {
    const repo = gitRepoOfQuickstart('commit');
    const first = await run({ source: repo, commit: true });
    expect(first.outcome.commit).toBe(tip(repo));
    expect(first.notices.at(-1)).toEqual({ kind: 'commit', id: tip(repo) });

    const second = await run({ source: repo, commit: true });
    expect(second.outcome.commit).toBe(first.outcome.commit);
    expect(lines(second.notices)).toEqual([`manifold/rendered unchanged at ${tip(repo).slice(0, 12)}: rendered from the same inputs by this version; no commit`]);

    const app = path.join(repo, 'app.yaml');
    writeFileSync(app, readFileSync(app, 'utf8').replace('hello from the fleet', 'hello again'));
    const third = await run({ source: repo, commit: true });
    expect(third.outcome.commit).toBe(tip(repo));
    expect(third.outcome.commit).not.toBe(first.outcome.commit);
    expect(lines(third.notices).join('\n')).toMatch(/\(incremental: \d+ of \d+ template\(s\) rendered again\)/);
  });

  it('push: the progress steps are render, commit, then push, each with the size of the tree', async () => {
    const repo = gitRepoOfQuickstart('push');
    const remote = path.join(work, 'push-remote.git');
    execFileSync('git', ['init', '-q', '--bare', remote]);
    const { notices } = await run({ source: repo, push: remote });
    const steps = notices.flatMap((n) => (n.kind === 'progress' ? [n] : []));
    expect(steps.map((n) => n.step)).toEqual(['render', 'render', 'commit', 'push']);
    expect(steps.at(-1)).toEqual({ kind: 'progress', step: 'push', objects: 16, clusters: 4 });
    expect(execFileSync('git', ['rev-parse', 'manifold/rendered'], { cwd: remote, encoding: 'utf8' }).trim()).toBe(tip(repo));
  });

  it('strict: the warnings reach the notices before the render fails', async () => {
    const source = path.join(work, 'strict');
    cpSync(QUICKSTART, source, { recursive: true });
    writeFileSync(path.join(source, 'stray.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: stray, namespace: shop}\n');
    const notices: Notice[] = [];
    const failure = await render({ source, print: true, strict: true }, (n) => notices.push(n)).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(InputError);
    expect((failure as InputError).problems.map((p) => p.code)).toContain('UNCLAIMED_TEMPLATES');
    expect(notices.map((n) => (n.kind === 'warning' ? n.problem.code : n.kind))).toContain('UNCLAIMED_TEMPLATES');
  });
});
