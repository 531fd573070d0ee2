/**
 * Names, kinds and apiVersions of every legal and illegal shape (issue 10
 * items 4 and 5): what Kubernetes accepts renders into files every file
 * system and `git fsck --strict` accept; what it rejects is exit 2 naming
 * the file, line and field, from `render` and `validate` alike.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { looksLikeCrash, runCli } from './cli.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-shapes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CLUSTER = 'apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: c1\n';
const POLICY = 'apiVersion: policy.karmada.io/v1alpha1\nkind: ClusterPropagationPolicy\nmetadata:\n  name: all\nspec:\n  resourceSelectors:\n';

let n = 0;
/** A source with one cluster, a policy placing `selectors` everywhere, and `templates`. */
function source(templates: string, selectors: string): string {
  const dir = path.join(work, `src-${n++}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'clusters.yaml'), CLUSTER);
  writeFileSync(path.join(dir, 'policy.yaml'), POLICY + selectors);
  writeFileSync(path.join(dir, 'app.yaml'), templates);
  return dir;
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('names, kinds and apiVersions', () => {
  it('renders valid names of 251-253 characters into distinct files no longer than 255 bytes, and commits a tree git fsck --strict accepts', async () => {
    const names = [251, 252, 253].map((len, i) => `${String.fromCharCode(97 + i)}${'x'.repeat(len - 1)}`);
    // Two 253-character names that differ only at the end must still get two files.
    names.push(`${'y'.repeat(252)}a`, `${'y'.repeat(252)}b`);
    const templates = names.map((name) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\ndata: {}\n`).join('---\n');
    const dir = source(templates, '    - apiVersion: v1\n      kind: ConfigMap\n');
    const out = path.join(work, `out-${n}`);
    const r = await runCli(['render', dir, '--out', out]);
    expect(r.stderr).toContain('rendered 5 objects');
    expect(r.code).toBe(0);
    const rendered = files(path.join(out, 'c1'));
    expect(rendered).toHaveLength(5);
    for (const f of rendered) for (const segment of f.split('/')) expect(Buffer.byteLength(segment)).toBeLessThanOrEqual(255);
    expect(await runCli(['validate', dir])).toMatchObject({ code: 0 });
    // The same tree committed: git accepts it.
    spawnSync('git', ['init', '-q', dir]);
    const commit = await runCli(['render', dir, '--commit', '--branch', 'rendered']);
    expect(commit.stderr).not.toContain('error');
    expect(commit.code).toBe(0);
    const fsck = spawnSync('git', ['-C', dir, 'fsck', '--strict'], { encoding: 'utf8' });
    expect(fsck.stderr + fsck.stdout).not.toMatch(/error|warning/);
    expect(fsck.status).toBe(0);
  });

  it('rejects two objects that would be written to one file, naming both files', async () => {
    const long = `${'z'.repeat(252)}q`;
    const first = await runCli(['render', source(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${long}\n  namespace: default\n`, '    - apiVersion: v1\n      kind: ConfigMap\n'), '-o', 'yaml']);
    const shortened = /# Source: c1\/namespaces\/default\/ConfigMap\/(.+)\.yaml/.exec(first.stdout)?.[1] as string;
    expect(shortened).toMatch(/^z+-[0-9a-f]{16}$/);
    const templates = [long, shortened].map((name) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n`).join('---\n');
    const dir = source(templates, '    - apiVersion: v1\n      kind: ConfigMap\n');
    for (const command of ['render', 'validate']) {
      const r = await runCli(command === 'render' ? ['render', dir, '--out', path.join(work, `collide-${n}`)] : ['validate', dir]);
      expect(r.code, command).toBe(2);
      expect(r.stderr).toMatch(/error: app\.yaml:\d+: ConfigMap default\/z+.*would be written to namespaces\/default\/ConfigMap\/z+-[0-9a-f]{16}\.yaml, like ConfigMap default\/z+.* from app\.yaml:\d+/);
    }
    expect(existsSync(path.join(work, `collide-${n}`))).toBe(false);
  });

  const BAD: [string, string, string][] = [
    ['v1', '..', 'kind'],
    ['v1', 'a/b', 'kind'],
    ['v1', '.git', 'kind'],
    ['v1', 'Service/web.yaml', 'kind'],
    ['v1', `K${'x'.repeat(299)}`, 'kind'],
    ['v1', 'Config\u0000Map', 'kind'],
    ['v1', '1Thing', 'kind'],
    ['../v1', 'Thing', 'apiVersion'],
    ['a/b/c', 'Thing', 'apiVersion'],
    [`${'g'.repeat(300)}.io/v1`, 'Thing', 'apiVersion'],
    ['.git/v1', 'Thing', 'apiVersion'],
    ['example.com/V1', 'Thing', 'apiVersion'],
    ['example.com/', 'Thing', 'apiVersion'],
  ];
  it.each(BAD)('rejects apiVersion %j kind %j at its field, in render and validate', async (apiVersion, kind, field) => {
    const dir = source(`apiVersion: ${JSON.stringify(apiVersion)}\nkind: ${JSON.stringify(kind)}\nmetadata:\n  name: x\n`, `    - apiVersion: ${JSON.stringify(apiVersion)}\n      kind: ${JSON.stringify(kind)}\n`);
    const out = path.join(work, `bad-${n}`);
    for (const args of [['render', dir, '--out', out], ['validate', dir]]) {
      const r = await runCli(args);
      expect(looksLikeCrash(r), r.stderr).toBe(false);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`error: app.yaml:${field === 'kind' ? 2 : 1}: ${field}: `);
      expect(r.stderr).not.toContain(work);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('accepts kinds and groups the API server serves', async () => {
    const templates = [
      ['apps/v1', 'Deployment'],
      ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
      ['example.com/v1alpha1', 'My-Thing'],
      [`${'g'.repeat(60)}.${'h'.repeat(60)}.${'i'.repeat(60)}.${'j'.repeat(60)}.io/v1`, `K${'x'.repeat(62)}`],
    ].map(([apiVersion, kind]) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: x\n`).join('---\n');
    const dir = source(templates, '    - apiVersion: apps/v1\n      kind: Deployment\n');
    const r = await runCli(['validate', dir]);
    expect(r.stderr).toContain('valid:');
    expect(r.code).toBe(0);
  });
});

describe('paths that differ only in case', () => {
  it('are a collision naming both files (a checkout on a case-insensitive file system would keep one)', async () => {
    const templates = ['admin', 'Admin'].map((name) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ${name}\nrules: []\n`).join('---\n');
    const dir = source(templates, '    - apiVersion: rbac.authorization.k8s.io/v1\n      kind: ClusterRole\n');
    const r = await runCli(['validate', dir]);
    expect(r.stderr).toMatch(/error: app\.yaml:\d+: ClusterRole (admin|Admin): would be written to cluster\/ClusterRole\.rbac\.authorization\.k8s\.io\/(admin|Admin)\.yaml, which differs only in case from .* of ClusterRole (Admin|admin) from app\.yaml:\d+/);
    expect(r.code).toBe(2);
  });
});

describe('collisions in an incremental commit', () => {
  it('a template added next to one whose path differs only in case is refused before the branch is patched', async () => {
    const role = (name: string) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: ${name}\nrules: []\n`;
    const dir = source(role('admin'), '    - apiVersion: rbac.authorization.k8s.io/v1\n      kind: ClusterRole\n');
    const git = (...args: string[]) => spawnSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { encoding: 'utf8' });
    git('init', '-q');
    expect((await runCli(['render', dir, '--commit', '--branch', 'rendered'])).code).toBe(0);
    const tip = git('rev-parse', 'rendered').stdout;
    writeFileSync(path.join(dir, 'more.yaml'), role('Admin'));
    const r = await runCli(['render', dir, '--commit', '--branch', 'rendered']);
    expect(r.stderr).toMatch(/error: (app|more)\.yaml:1: ClusterRole (Admin|admin): would be written to .*differs only in case/);
    expect(r.code).toBe(2);
    expect(git('rev-parse', 'rendered').stdout).toBe(tip);
  });
});
