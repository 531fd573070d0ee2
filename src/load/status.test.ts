import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors/index.ts';
import { statusFileContent } from '../reconcile/report.ts';
import { sampleStatus } from '../../test/report/statuses.ts';
import { readStatusSnapshot } from './status.ts';

function reportFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'manifold-status-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

async function problemsOf(promise: Promise<unknown>): Promise<InputError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe('readStatusSnapshot', () => {
  it('reads a folder: status files validated and sorted, other files listed', async () => {
    const dir = reportFolder({
      'clusters/west.json': statusFileContent(sampleStatus('west')),
      'clusters/east.json': statusFileContent(sampleStatus('east')),
      'rollouts/web.json': '{}\n',
      'README.md': '# Fleet status\n',
    });
    const snap = await readStatusSnapshot(dir, { cwd: '/' });
    expect(snap.origin).toEqual({ kind: 'folder', path: dir });
    expect(snap.clusters.map((s) => s.cluster)).toEqual(['east', 'west']);
    expect(snap.paths).toEqual(['README.md', 'clusters/east.json', 'clusters/west.json', 'rollouts/web.json']);
    expect(await snap.readText('rollouts/web.json')).toBe('{}\n');
    expect(await snap.readText('rollouts/none.json')).toBeUndefined();
  });

  it('names the file, line and field of a status that does not match the schema', async () => {
    const bad = statusFileContent(sampleStatus('east')).replace('"result": "Synced"', '"result": "Fine"');
    const dir = reportFolder({ 'clusters/east.json': bad, 'clusters/west.json': '{"cluster": "west",\n' });
    const err = await problemsOf(readStatusSnapshot(dir, { cwd: '/' }));
    const [first, second] = err.problems;
    expect(first).toMatchObject({ code: 'STATUS_INVALID', file: 'clusters/east.json', field: 'result', line: bad.split('\n').findIndex((l) => l.includes('"Fine"')) + 1 });
    expect(second).toMatchObject({ code: 'STATUS_INVALID', file: 'clusters/west.json' });
  });

  it('refuses a status file whose cluster is not its file name', async () => {
    const dir = reportFolder({ 'clusters/east.json': statusFileContent(sampleStatus('west')) });
    const err = await problemsOf(readStatusSnapshot(dir, { cwd: '/' }));
    expect(err.problems[0]).toMatchObject({ file: 'clusters/east.json', field: 'cluster', line: 2 });
  });

  it('reads a branch of a repository, with the report commit time as its time', async () => {
    const dir = reportFolder({ 'clusters/east.json': statusFileContent(sampleStatus('east')) });
    const env = { ...process.env, GIT_COMMITTER_DATE: '2026-12-01T10:00:00Z', GIT_AUTHOR_DATE: '2026-12-01T10:00:00Z', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { env, stdio: 'pipe' }).toString().trim();
    git('init', '-q', '-b', 'manifold/status');
    git('add', '.');
    git('commit', '-q', '-m', 'report');
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'manifold-cwd-'));
    const snap = await readStatusSnapshot('manifold/status', { cwd: path.join(dir, 'clusters') });
    expect(snap.origin).toEqual({ kind: 'commit', spec: 'manifold/status', commit: git('rev-parse', 'HEAD'), time: '2026-12-01T10:00:00.000Z' });
    expect(snap.clusters.map((s) => s.cluster)).toEqual(['east']);
    const missing = await problemsOf(readStatusSnapshot('manifold/nothing', { cwd: dir }));
    expect(missing.problems[0]).toMatchObject({ code: 'STATUS_NOT_FOUND', field: '--status' });
    const noRepo = await problemsOf(readStatusSnapshot('manifold/status', { cwd: elsewhere }));
    expect(noRepo.problems[0]?.message).toMatch(/not inside a git repository/);
  });
});
