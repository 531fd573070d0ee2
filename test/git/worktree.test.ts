/**
 * Linked worktrees (`git worktree add`): their `.git` is a file naming a
 * directory under the main repository's `.git/worktrees/`, whose objects and
 * refs live in the common directory. Reading the source, its commit and
 * committing the render must work from one exactly as from the main checkout.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, commitAll, gitIn, initRepo, tempDir } from './repos.ts';

afterAll(cleanupTempDirs);

const ROOT = path.resolve(import.meta.dirname, '../..');

function manifold(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A repository whose `main` holds the quickstart, and a linked worktree of it on branch `feature` with one more commit. */
function repoWithWorktree() {
  const main = initRepo();
  cpSync(path.join(ROOT, 'examples/quickstart'), main, { recursive: true });
  const first = commitAll(main, 'quickstart');
  const linked = path.join(tempDir('manifold-worktree'), 'feature');
  gitIn(main, ['worktree', 'add', '-q', '-b', 'feature', linked]);
  const app = path.join(linked, 'app.yaml');
  const text = readFileSync(app, 'utf8');
  expect(text).toContain('replicas: 6');
  writeFileSync(app, text.replace('replicas: 6', 'replicas: 8'));
  const second = commitAll(linked, 'eight replicas');
  return { main, linked, first, second };
}

describe('a linked worktree as the source repository', () => {
  it('renders its working folder with its own HEAD as the source commit', () => {
    const { linked, second } = repoWithWorktree();
    const out = path.join(tempDir('manifold-wt-out'), 'out');
    const r = manifold(linked, 'render', '.', '--out', out);
    expect(r.stderr).toContain('rendered 16 objects');
    expect(r.code).toBe(0);
    const provenance = JSON.parse(readFileSync(path.join(out, '.manifold', 'provenance.json'), 'utf8'));
    expect(provenance.source.commit).toBe(second);
  });

  it('reads --source-ref from the shared object database, and HEAD is the worktree’s', () => {
    const { linked } = repoWithWorktree();
    const atMain = manifold(linked, 'render', '.', '--source-ref', 'main', '-o', 'yaml');
    expect(atMain.stderr).toBe('');
    expect(atMain.code).toBe(0);
    expect(atMain.stdout).toMatch(/replicas: [0-9]/);
    const head = manifold(linked, 'render', '.', '--source-ref', 'HEAD', '-o', 'json');
    expect(head.code).toBe(0);
    const replicas = Object.values(JSON.parse(head.stdout).clusters as Record<string, Record<string, { kind: string; spec?: { replicas?: number } }>>)
      .flatMap((files) => Object.values(files))
      .filter((o) => o.kind === 'Deployment')
      .reduce((n, o) => n + (o.spec?.replicas ?? 0), 0);
    expect(replicas).toBe(8);
  });

  it('commits the render to a branch of the common repository, which git in both checkouts sees', () => {
    const { main, linked, second } = repoWithWorktree();
    const r = manifold(linked, 'render', '.', '--commit');
    expect(r.code).toBe(0);
    const commit = r.stdout.trim();
    expect(gitIn(main, ['rev-parse', 'manifold/rendered']).trim()).toBe(commit);
    expect(gitIn(linked, ['log', '-1', '--format=%B', 'manifold/rendered'])).toContain(second);
    gitIn(main, ['fsck', '--strict', '--no-dangling']);
  });

  it('refuses to commit to a branch checked out in another worktree', () => {
    const { main, linked } = repoWithWorktree();
    const fromLinked = manifold(linked, 'render', '.', '--commit', '--branch', 'main');
    expect(fromLinked.code).toBe(2);
    expect(fromLinked.stderr).toContain(`main is the branch checked out in ${main}`);
    const fromMain = manifold(main, 'render', '.', '--commit', '--branch', 'feature');
    expect(fromMain.code).toBe(2);
    expect(fromMain.stderr).toContain(`feature is the branch checked out in ${linked}`);
  });
});

describe('--branch', () => {
  it('refuses HEAD and refs outside refs/heads/ with exit 2, before anything is written', () => {
    const { main } = repoWithWorktree();
    const refs = () => gitIn(main, ['for-each-ref', '--format=%(refname)']);
    const before = refs();
    for (const branch of ['HEAD', 'refs/tags/x', 'a..b']) {
      const r = manifold(main, 'render', '.', '--commit', '--branch', branch);
      expect(r.stderr).toMatch(new RegExp(`^error: branch name "${branch.replace(/\./g, '\\.')}" `, 'm'));
      expect(r.code).toBe(2);
    }
    expect(refs()).toBe(before);
  });
});
