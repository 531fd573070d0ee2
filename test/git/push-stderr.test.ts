/**
 * A push prints Manifold's own lines and nothing from Node: no `DEP0169`
 * (`url.parse()`, which isomorphic-git's HTTP client called through
 * simple-get) and no `(node:PID)` process warning of any kind. Node stays
 * quiet about url.parse() inside node_modules, so the check runs the bundle
 * (dist/manifold.js, built here into a temporary folder) as well as the sources.
 */
import { spawn } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { buildInMemory } from '../../scripts/build.ts';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHttpServer, type GitHttpServer } from './http-server.ts';
import { cleanupTempDirs, commitAll, gitIn, tempDir } from './repos.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'ghs_pushStderrToken0123456789';

let server: GitHttpServer;
let serverRoot: string;
let bundle: string;
beforeAll(async () => {
  serverRoot = tempDir('push-stderr');
  server = await startGitHttpServer({ root: serverRoot, token: TOKEN });
  bundle = path.join(tempDir('push-bundle'), 'manifold.js');
  writeFileSync(bundle, (await buildInMemory('manifold')).contents);
}, 180_000);
afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

/** The CLI in a child process, without blocking this one (the git server lives here). */
function manifold(program: string, cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, MANIFOLD_GIT_TOKEN: TOKEN, GIT_CONFIG_GLOBAL: '/dev/null', NODE_OPTIONS: undefined, NODE_NO_WARNINGS: undefined };
    const child = spawn(process.execPath, [program, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('render --push', () => {
  it.each([
    ['the sources', () => path.join(ROOT, 'src/cli/main.ts')],
    ['the bundle', () => bundle],
  ])('prints no Node deprecation or process warning (%s)', async (_name, programOf) => {
    const program = programOf();
    const name = `fleet-${Math.random().toString(36).slice(2, 8)}`;
    const src = path.join(tempDir('push-src'), 'fleet');
    cpSync(path.join(ROOT, 'examples/quickstart'), src, { recursive: true });
    gitIn(src, ['init', '-q', '-b', 'main']);
    commitAll(src, 'fleet');
    gitIn(serverRoot, ['init', '-q', '--bare', '-b', 'main', `${name}.git`]);
    const r = await manifold(program, src, ['render', '--push', `${server.url}/${name}.git`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('pushed ');
    expect(r.stderr).not.toMatch(/DEP0\d+|\(node:\d+\)|Warning:/);
    // A second push of a changed source fetches the branch first.
    writeFileSync(path.join(src, 'extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra, namespace: shop}\n');
    commitAll(src, 'extra');
    const changed = await manifold(program, src, ['render', '--push', `${server.url}/${name}.git`]);
    expect(changed.code).toBe(0);
    expect(changed.stderr).not.toMatch(/DEP0\d+|\(node:\d+\)|Warning:/);
  }, 120_000);
});
