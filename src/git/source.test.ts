import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { readSourceFolder } from '../load/source.ts';
import { cleanupTempDirs, commitAll, gitIn, initRepo, writeFiles } from '../../test/git/repos.ts';
import { openRepository, resolveCommit } from './repo.ts';
import { cleanHeadCommit, readCommitSource, sourceSubdir } from './source.ts';
import { InputError } from '../errors/index.ts';

afterAll(cleanupTempDirs);

const SOURCE = {
  'manifold.yaml': 'apiVersion: manifold.dev/v1alpha1\nkind: Project\nspec:\n  exclude: ["drafts"]\n  output: rendered\n',
  'apps/web.yaml': 'kind: ConfigMap\n',
  'apps/api.yml': 'kind: ConfigMap\n',
  'apps/x.json': '{}\n',
  'apps/notes.txt': 'not a source file\n',
  'apps/UPPER.YAML': 'kind: ConfigMap\n',
  '.hidden/secret.yaml': 'kind: Secret\n',
  'node_modules/pkg/x.yaml': 'kind: ConfigMap\n',
  'drafts/wip.yaml': 'kind: ConfigMap\n',
  'rendered/east/a.yaml': 'kind: ConfigMap\n',
  'fleet/sub/.dot/y.yaml': 'kind: ConfigMap\n',
  'fleet/sub/z.yaml': 'kind: ConfigMap\n',
};

describe('readCommitSource', () => {
  it('lists exactly what the folder reader lists, from the commit and without a checkout', async () => {
    const dir = initRepo(SOURCE);
    const repo = openRepository(dir);
    const commit = await resolveCommit(repo, 'main');
    const fromGit = await readCommitSource(repo, commit, '');
    const fromFolder = await readSourceFolder(dir, { exclude: ['drafts'], skipDirs: ['rendered'] });
    expect(fromGit.files).toEqual(fromFolder);
    expect(fromGit.files.map((f) => f.path)).toEqual(['apps/UPPER.YAML', 'apps/api.yml', 'apps/web.yaml', 'apps/x.json', 'fleet/sub/z.yaml', 'manifold.yaml']);
    expect(fromGit.settings.exclude).toEqual(['drafts']);
  });

  it('reads an older commit, not the working folder', async () => {
    const dir = initRepo(SOURCE);
    const first = gitIn(dir, ['rev-parse', 'HEAD']).trim();
    writeFiles(dir, { 'apps/web.yaml': 'kind: Changed\n', 'apps/new.yaml': 'kind: New\n' });
    commitAll(dir, 'second');
    writeFiles(dir, { 'apps/web.yaml': 'kind: Uncommitted\n' });
    const repo = openRepository(dir);
    const old = await readCommitSource(repo, await resolveCommit(repo, 'HEAD~1'), '');
    expect(old.commit).toBe(first);
    expect(old.files.find((f) => f.path === 'apps/web.yaml')?.text).toBe('kind: ConfigMap\n');
    expect(old.files.some((f) => f.path === 'apps/new.yaml')).toBe(false);
    const head = await readCommitSource(repo, await resolveCommit(repo, 'HEAD'), '');
    expect(head.files.find((f) => f.path === 'apps/web.yaml')?.text).toBe('kind: Changed\n');
  });

  it('reads a source folder below the repository root', async () => {
    const dir = initRepo(SOURCE);
    const repo = openRepository(path.join(dir, 'fleet'));
    expect(sourceSubdir(repo, path.join(dir, 'fleet'))).toBe('fleet');
    const files = await readCommitSource(repo, await resolveCommit(repo, 'HEAD'), 'fleet');
    expect(files.files.map((f) => f.path)).toEqual(['sub/z.yaml']);
    await expect(readCommitSource(repo, await resolveCommit(repo, 'HEAD'), 'missing')).rejects.toBeInstanceOf(InputError);
  });

  it('resolves branches, tags, abbreviated ids and ~N; unknown revisions are input errors', async () => {
    const dir = initRepo(SOURCE);
    const first = gitIn(dir, ['rev-parse', 'HEAD']).trim();
    gitIn(dir, ['tag', '-a', 'v1', '-m', 'release']);
    const second = commitAll(dir, 'second');
    const repo = openRepository(dir);
    expect(await resolveCommit(repo, 'main')).toBe(second);
    expect(await resolveCommit(repo, 'refs/heads/main')).toBe(second);
    expect(await resolveCommit(repo, 'v1')).toBe(first); // annotated tag peeled to its commit
    expect(await resolveCommit(repo, second.slice(0, 8))).toBe(second);
    expect(await resolveCommit(repo, second)).toBe(second);
    expect(await resolveCommit(repo, 'main~1')).toBe(first);
    expect(await resolveCommit(repo, 'main^')).toBe(first);
    for (const bad of ['nope', 'main~5', 'deadbeef', '0'.repeat(40), '']) {
      const err = await resolveCommit(repo, bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).problems[0]?.code).toBe('GIT_UNKNOWN_REF');
    }
  });
});

describe('cleanHeadCommit', () => {
  it('is HEAD only while the folder holds exactly HEAD\'s source files', async () => {
    const dir = initRepo(SOURCE);
    const repo = openRepository(dir);
    const head = gitIn(dir, ['rev-parse', 'HEAD']).trim();
    const read = () => readSourceFolder(dir, { exclude: ['drafts'], skipDirs: ['rendered'] });
    expect(await cleanHeadCommit(repo, '', await read())).toBe(head);
    writeFiles(dir, { 'apps/notes.txt': 'changed, but not a source file\n' });
    expect(await cleanHeadCommit(repo, '', await read())).toBe(head);
    writeFiles(dir, { 'apps/untracked.yaml': 'kind: New\n' });
    expect(await cleanHeadCommit(repo, '', await read())).toBeUndefined();
    rmSync(path.join(dir, 'apps/untracked.yaml'));
    writeFiles(dir, { 'apps/web.yaml': 'kind: Edited\n' });
    expect(await cleanHeadCommit(repo, '', await read())).toBeUndefined();
  });
});
