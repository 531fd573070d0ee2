/**
 * The reconciler's loop as the container runs it (a child process): it
 * writes index.html with the report and serves that same page at `/` next
 * to the probes. The kubeconfig points at a closed loopback port, so the
 * cluster ends Unreachable; no API server is needed.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../golden.ts';
import { cleanupTempDirs, commitAll, gitIn, tempDir } from '../git/repos.ts';

afterAll(cleanupTempDirs);

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the reconciler serves the status page at /', () => {
  it('is the index.html of the report branch, byte for byte, with a CSP that allows nothing from elsewhere', async () => {
    const dir = tempDir('page-served');
    mkdirSync(path.join(dir, 'edge-1', 'namespaces', 'default', 'ConfigMap'), { recursive: true });
    writeFileSync(path.join(dir, 'edge-1', 'namespaces', 'default', 'ConfigMap', 'app.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\n');
    gitIn(dir, ['init', '-q', '-b', 'manifold/rendered']);
    commitAll(dir, 'rendered');
    const kubeconfig = path.join(dir, 'kubeconfig');
    const port = await closedPort();
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:${port}\nusers:\n- name: u\n  user:\n    token: page-token-never-shown\ncontexts:\n- name: edge-1\n  context:\n    cluster: c\n    user: u\n`);
    const proc = spawn(
      process.execPath,
      [path.join(ROOT, 'src/cli/main.ts'), 'reconcile', '--repo', dir, '--report', '--listen', '127.0.0.1:0', '--kubeconfig', kubeconfig, '--interval', '2s', '--cluster-timeout', '3s', '--shutdown-grace', '1s'],
      { env: { PATH: process.env.PATH, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    const exited = new Promise((resolve) => proc.on('exit', resolve));
    try {
      const url = await until('the listen address in the log', async () => /"listen":"(http:\/\/[^"]+)"/.exec(stdout)?.[1]);
      const res = await until('the page', async () => {
        const r = await fetch(`${url}/`);
        return r.status === 200 ? r : undefined;
      });
      const html = await res.text();
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
      expect(html).toBe(gitIn(dir, ['show', 'manifold/status:index.html']));
      expect(html).toContain('<b id="count-Unreachable">1</b>');
      expect(html).not.toContain('page-token-never-shown');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      proc.kill('SIGTERM');
      await exited;
    }
  }, 90_000);
});
