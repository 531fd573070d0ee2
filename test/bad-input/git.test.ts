/**
 * Broken, shallow and cyclic git repositories, and refs of absurd length
 * (issue 10 item 4): each is exit 2 (what the user asked for does not exist)
 * or 3 (the repository is damaged) with a message, never a crash or a hang.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../golden.ts';
import { looksLikeCrash, runCli } from './cli.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-badgit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { encoding: 'utf8' });
let origin = '';
beforeAll(() => {
  origin = path.join(work, 'origin');
  cpSync(path.join(ROOT, 'examples', 'quickstart'), origin, { recursive: true });
  git(origin, 'init', '-q');
  git(origin, 'add', '.');
  git(origin, 'commit', '-qm', 'one');
  writeFileSync(path.join(origin, 'app.yaml'), `${execFileSync('cat', [path.join(origin, 'app.yaml')], { encoding: 'utf8' })}# two\n`);
  git(origin, 'commit', '-qam', 'two');
});

let n = 0;
function copy(): string {
  const dir = path.join(work, `repo-${n++}`);
  cpSync(origin, dir, { recursive: true });
  return dir;
}

async function expectHandled(args: string[], code: 2 | 3, message: RegExp): Promise<void> {
  const r = await runCli(args);
  expect(looksLikeCrash(r), r.stderr).toBe(false);
  expect(r.stderr).toMatch(message);
  expect(r.code, r.stderr).toBe(code);
}

describe('hostile git repositories', () => {
  it('HEAD~1 in a shallow clone is an unknown revision, not a crash', async () => {
    const shallow = path.join(work, 'shallow');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${origin}`, shallow]);
    await expectHandled(['render', shallow, '--source-ref', 'HEAD~1', '-o', 'yaml'], 2, /unknown revision "HEAD~1" .*a shallow clone\?/);
    await expectHandled(['diff', shallow, '--base', 'HEAD~1', '--head', 'HEAD'], 2, /unknown revision "HEAD~1"/);
  });

  it('a truncated pack and a garbage loose object are exit 3 naming the damage', async () => {
    const packed = copy();
    git(packed, 'gc', '-q');
    const packDir = path.join(packed, '.git', 'objects', 'pack');
    const pack = readdirSync(packDir).find((f) => f.endsWith('.pack')) as string;
    truncateSync(path.join(packDir, pack), Math.floor(statSync(path.join(packDir, pack)).size / 3));
    await expectHandled(['render', packed, '--source-ref', 'HEAD', '-o', 'yaml'], 3, /cannot read git object [0-9a-f]{40} in .*damaged repository/);

    const loose = copy();
    const head = git(loose, 'rev-parse', 'HEAD').trim();
    const file = path.join(loose, '.git', 'objects', head.slice(0, 2), head.slice(2));
    rmSync(file, { force: true });
    writeFileSync(file, 'garbage');
    await expectHandled(['render', loose, '--source-ref', 'HEAD', '-o', 'yaml'], 3, /cannot read git object [0-9a-f]{40} .*incorrect header check/);
  });

  it('a missing tree is exit 3, a missing commit an unknown revision', async () => {
    const repo = copy();
    const tree = git(repo, 'rev-parse', 'HEAD^{tree}').trim();
    rmSync(path.join(repo, '.git', 'objects', tree.slice(0, 2), tree.slice(2)));
    await expectHandled(['render', repo, '--source-ref', 'HEAD', '-o', 'yaml'], 3, new RegExp(`git object ${tree} not found`));
    await expectHandled(['render', repo, '--source-ref', '0123456789012345678901234567890123456789', '-o', 'yaml'], 2, /unknown revision/);
  });

  it('symbolic refs that form a loop end with a message instead of hanging', async () => {
    const repo = copy();
    writeFileSync(path.join(repo, '.git', 'refs', 'heads', 'a'), 'ref: refs/heads/b\n');
    writeFileSync(path.join(repo, '.git', 'refs', 'heads', 'b'), 'ref: refs/heads/a\n');
    await expectHandled(['render', repo, '--source-ref', 'refs/heads/a', '-o', 'yaml'], 3, /symbolic refs in .* form a loop/);
    await expectHandled(['render', repo, '--source-ref', 'a', '-o', 'yaml'], 3, /cannot resolve a in .*: a symbolic ref loop or a damaged ref file/);
    writeFileSync(path.join(repo, '.git', 'HEAD'), 'ref: refs/heads/a\n');
    // The folder render only asks HEAD for provenance: a loop there means no commit is recorded.
    const r = await runCli(['render', repo, '--out', path.join(work, `out-${n}`)]);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it('an unparseable file on the rendered branch is exit 2 naming branch and path', async () => {
    const repo = copy();
    const first = await runCli(['render', repo, '--commit', '--branch', 'rendered']);
    expect(first.code, first.stderr).toBe(0);
    // Someone edits the rendered branch by hand and breaks a Deployment.
    const edit = path.join(work, `edit-${n}`);
    git(repo, 'worktree', 'add', '-q', edit, 'rendered');
    const file = path.join(edit, 'eu-1', 'namespaces', 'shop', 'Deployment.apps', 'web.yaml');
    writeFileSync(file, 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: [unclosed\n');
    git(edit, 'commit', '-qam', 'hand edit');
    git(repo, 'worktree', 'remove', '--force', edit);
    writeFileSync(path.join(repo, 'app.yaml'), `${readFileSync(path.join(repo, 'app.yaml'), 'utf8')}# changed\n`);
    await expectHandled(['render', repo, '--commit', '--branch', 'rendered', '--full'], 2, /error: rendered:eu-1\/namespaces\/shop\/Deployment\.apps\/web\.yaml:\d+: previous render: not a YAML object/);
  });

  it('branch names and refs longer than git can store are exit 2', async () => {
    const repo = copy();
    await expectHandled(['render', repo, '--commit', '--branch', 'b'.repeat(300)], 2, /branch name "b{200}\.\.\." has a component longer than 250 bytes/);
    await expectHandled(['render', repo, '--source-ref', 'r'.repeat(5000), '-o', 'yaml'], 2, /unknown revision "r{200}\.\.\."/);
    await expectHandled(['render', repo, '--source-ref', 'r/'.repeat(2500), '-o', 'yaml'], 2, /unknown revision/);
  });
});
