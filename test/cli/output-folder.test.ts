/**
 * `render --out DIR` must never delete what Manifold did not write: the source
 * itself (DIR equal to it or holding it, symlinks resolved), a git repository,
 * or anything when a run was killed half-way.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../golden.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-outdir-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function manifold(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function fresh(name: string): string {
  const dir = path.join(work, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A Manifold output folder from an earlier run: it holds the provenance marker. */
function markAsOutput(dir: string): void {
  mkdirSync(path.join(dir, '.manifold'), { recursive: true });
  writeFileSync(path.join(dir, '.manifold', 'provenance.json'), '{"generator": "manifold 0.1.0"}\n');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
}

const QUICKSTART = sourceFiles(path.join(ROOT, 'examples/quickstart'));

describe('render --out refuses folders that hold the source', () => {
  it('refuses DIR that contains SOURCE (render rendered/my-source --out rendered)', () => {
    const cwd = fresh('contains');
    const src = path.join(cwd, 'rendered', 'my-source');
    cpSync(path.join(ROOT, 'examples/quickstart'), src, { recursive: true });
    markAsOutput(path.join(cwd, 'rendered'));
    const r = manifold(cwd, 'render', 'rendered/my-source', '--out', 'rendered');
    expect(r.stderr).toContain('error: rendered: refusing to write the output folder: it contains the source folder rendered/my-source');
    expect(r.code).toBe(2);
    expect(sourceFiles(src)).toEqual(QUICKSTART);
  });

  it('refuses DIR equal to SOURCE', () => {
    const src = fresh('equal');
    cpSync(path.join(ROOT, 'examples/quickstart'), src, { recursive: true });
    markAsOutput(src);
    const r = manifold(work, 'render', src, '--out', `${src}/.`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to write the output folder: it is the source folder');
    expect(sourceFiles(src)).toEqual(QUICKSTART);
  });

  it('resolves symlinks: DIR reached through a link to the source’s parent, and the source given through a link', () => {
    const cwd = fresh('links');
    const src = path.join(cwd, 'real', 'out', 'src');
    cpSync(path.join(ROOT, 'examples/quickstart'), src, { recursive: true });
    markAsOutput(path.join(cwd, 'real', 'out'));
    symlinkSync(path.join(cwd, 'real'), path.join(cwd, 'alias'));
    const viaLink = manifold(cwd, 'render', src, '--out', 'alias/out');
    expect(viaLink.code).toBe(2);
    expect(viaLink.stderr).toContain('it contains the source folder');
    expect(sourceFiles(src)).toEqual(QUICKSTART);
    // The source given through a link, the folder given by its real path.
    const viaSourceLink = manifold(cwd, 'render', 'alias/out/src', '--out', path.join(cwd, 'real'));
    expect(viaSourceLink.code).toBe(2);
    expect(sourceFiles(src)).toEqual(QUICKSTART);
  });

  it('refuses a folder holding a git repository, and a folder inside the .git of the source', () => {
    const src = fresh('git-src');
    cpSync(path.join(ROOT, 'examples/quickstart'), src, { recursive: true });
    const checkout = fresh('checkout');
    markAsOutput(checkout);
    mkdirSync(path.join(checkout, '.git'));
    writeFileSync(path.join(checkout, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    const r = manifold(work, 'render', src, '--out', checkout);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('holds a git repository (.git)');
    expect(existsSync(path.join(checkout, '.git', 'HEAD'))).toBe(true);
    mkdirSync(path.join(src, '.git'));
    const inGit = manifold(work, 'render', src, '--out', path.join(src, '.git', 'rendered'));
    expect(inGit.code).toBe(2);
    expect(inGit.stderr).toContain('inside a .git folder');
    expect(existsSync(path.join(src, '.git', 'rendered'))).toBe(false);
  });

  it('still renders into a folder inside the source (the default ./rendered), which the source leaves out', () => {
    const src = fresh('inside');
    cpSync(path.join(ROOT, 'examples/quickstart'), src, { recursive: true });
    const first = manifold(src, 'render');
    expect(first.code).toBe(0);
    const again = manifold(src, 'render', '.', '--out', 'rendered');
    expect(again.code).toBe(0);
    expect(readFileSync(path.join(src, 'rendered', '.manifold', 'provenance.json'), 'utf8')).toContain('"generator"');
    expect(sourceFiles(src)).toEqual(QUICKSTART);
  });
});

describe('control characters in names', () => {
  it('are escaped in what the CLI prints, never sent raw to the terminal', () => {
    const src = fresh('controls');
    cpSync(path.join(ROOT, 'examples/quickstart'), src, { recursive: true });
    writeFileSync(path.join(src, 'bad\x1b[31mred\x07.yaml'), 'kind: [unclosed\n');
    const r = manifold(work, 'render', src, '--out', path.join(src, 'out'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: bad\\x1b\[31mred\\x07\.yaml:\d+: YAML syntax/m);
    const missing = manifold(work, 'validate', 'no\x1b]0;pwned\x07-such-folder');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no\\x1b]0;pwned\\x07-such-folder');
    for (const out of [r.stderr, missing.stderr, r.stdout]) expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
  });
});

describe('a render after one killed between the swap’s two renames', () => {
  it('restores DIR first, even when its own input is invalid, and says so', () => {
    const cwd = fresh('killed-swap');
    const src = path.join(cwd, 'src');
    cpSync(path.join(ROOT, 'examples/quickstart'), src, { recursive: true });
    expect(manifold(cwd, 'render', 'src', '--out', 'out').code).toBe(0);
    const before = readFileSync(path.join(cwd, 'out', '.manifold', 'provenance.json'), 'utf8');
    // What the killed run left: DIR renamed aside by a process that is gone, its new tree never written.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    renameSync(path.join(cwd, 'out'), path.join(cwd, `.out.manifold-old-${gone}-abc123`));
    writeFileSync(path.join(src, 'broken.yaml'), 'kind: [unclosed\n');
    const r = manifold(cwd, 'render', 'src', '--out', 'out');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('restored out from an interrupted render');
    expect(readFileSync(path.join(cwd, 'out', '.manifold', 'provenance.json'), 'utf8')).toBe(before);
    expect(readdirSync(cwd).sort()).toEqual(['out', 'src']);
  });
});
