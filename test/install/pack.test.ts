/**
 * The package as npm delivers it: a fresh copy of the repository (no
 * dist/manifold.js) is packed with the real npm, whose `prepare` builds the
 * bundle; the tarball is installed into an empty project, offline (the bundle
 * holds every library, so the package has no runtime dependencies), and its
 * `manifold` command runs — through node_modules/.bin and through npx.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'manifold-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The repository's files as a clone has them: tracked and new files, nothing ignored (so no bundle). */
function freshCopy(): string {
  const copy = path.join(work, 'clone');
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0');
  for (const file of files) {
    if (file === '' || file === 'node_modules' || !existsSync(path.join(ROOT, file))) continue;
    mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    cpSync(path.join(ROOT, file), path.join(copy, file));
  }
  // The installed dependencies, shared rather than installed again (npm ci is the slow part, and the same either way).
  symlinkSync(realpathSync(path.join(ROOT, 'node_modules')), path.join(copy, 'node_modules'));
  return copy;
}

/** npm and the programs it starts run with this test's Node first on PATH. */
const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' };

function npm(cwd: string, ...args: string[]) {
  const r = spawnSync('npm', [...args, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd, env, encoding: 'utf8' });
  expect(r.stderr, `npm ${args.join(' ')}`).not.toMatch(/npm error/);
  expect(r.status, `npm ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

describe('npm pack and install', () => {
  it('yields a working manifold command', () => {
    const clone = freshCopy();
    expect(existsSync(path.join(clone, 'dist', 'manifold.js'))).toBe(false);
    const packed = npm(clone, 'pack', '--pack-destination', work, '--json');
    const [{ filename, files }] = JSON.parse(packed.slice(packed.indexOf('['))) as [{ filename: string; files: { path: string }[] }];
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['bin/manifold.js', 'dist/manifold.js', 'package.json', 'README.md']));
    expect(files.map((f) => f.path).filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);

    const app = path.join(work, 'app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), '{"name": "app", "private": true}\n');
    npm(app, 'install', path.join(work, filename));
    expect(readdirSync(path.join(app, 'node_modules')).filter((d) => !d.startsWith('.'))).toEqual(['manifold']);

    const version = spawnSync(path.join(app, 'node_modules', '.bin', 'manifold'), ['--version'], { cwd: app, env, encoding: 'utf8' });
    expect(version.stderr).toBe('');
    expect(version.stdout).toBe(`${JSON.parse(execFileSync('npm', ['pkg', 'get', 'version'], { cwd: clone, env, encoding: 'utf8' }))}\n`);
    expect(version.status).toBe(0);
    const validate = spawnSync('npx', ['--offline', 'manifold', 'validate', path.join(ROOT, 'examples', 'quickstart')], { cwd: app, env, encoding: 'utf8' });
    expect(validate.stderr).toContain('valid: 4 templates rendered for 4 clusters');
    expect(validate.status).toBe(0);
  }, 240_000);
});
