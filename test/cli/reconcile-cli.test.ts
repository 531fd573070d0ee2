/**
 * `manifold reconcile --once` as a user runs it (a child process), where no
 * API server is needed: which kubeconfig context each cluster uses (flag,
 * inventory annotation via provenance, cluster name), the warnings and
 * messages around it, and that every source logs the same way. The
 * kubeconfig points at a closed loopback port, so a cluster whose context
 * was found ends Unreachable and one whose context was not ends Failed
 * naming it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../golden.ts';
import { commitAll, gitIn } from '../git/repos.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-reconcile-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function manifold(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: work, encoding: 'utf8', env: { ...process.env, KUBECONFIG: '' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A loopback port nothing listens on: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let kubeconfig: string;
beforeAll(async () => {
  const port = await closedPort();
  kubeconfig = path.join(work, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: hub-eu\n  cluster:\n    server: https://127.0.0.1:${port}\n    insecure-skip-tls-verify: true`,
      'users:',
      '- name: u\n  user:\n    token: t0k3n-never-printed',
      'contexts:',
      '- name: prod-eu-1\n  context:\n    cluster: hub-eu\n    user: u',
      '- name: prod-eu-2\n  context:\n    cluster: hub-eu\n    user: u',
      'current-context: prod-eu-1',
      '',
    ].join('\n'),
  );
});

const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\ndata:\n  k: v\n';

function logLines(stderr: string): { level: number | string; msg: string; cluster?: string; result?: string }[] {
  return stderr
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { level: number | string; msg: string; cluster?: string; result?: string });
}

describe('manifold reconcile --once: contexts and logs', () => {
  it('render records manifold.dev/context from the inventory; reconcile uses it, --context wins, the cluster name is the fallback', () => {
    const src = path.join(work, 'quickstart');
    cpSync(path.join(ROOT, 'examples', 'quickstart'), src, { recursive: true });
    const clusters = path.join(src, 'clusters.yaml');
    writeFileSync(clusters, readFileSync(clusters, 'utf8').replace('  name: eu-1\n', '  name: eu-1\n  annotations:\n    manifold.dev/context: prod-eu-1\n'));
    const out = path.join(work, 'rendered');
    expect(manifold('render', src, '--out', out).code).toBe(0);
    const provenance = JSON.parse(readFileSync(path.join(out, '.manifold', 'provenance.json'), 'utf8')) as { clusters: Record<string, { context?: string }> };
    expect(provenance.clusters['eu-1']?.context).toBe('prod-eu-1');
    expect(provenance.clusters['eu-2']?.context).toBeUndefined();

    const r = manifold('reconcile', '--once', '--dir', out, '--kubeconfig', kubeconfig, '--context', 'eu-2=prod-eu-2', '--context', 'eu-3=prod-eu-2', '--cluster-timeout', '3s', '-o', 'json');
    expect(r.code).toBe(3);
    const statuses = (JSON.parse(r.stdout) as { clusters: { cluster: string; result: string; conditions: { type: string; message: string }[] }[] }).clusters;
    const ready = (name: string) => statuses.find((s) => s.cluster === name)?.conditions.find((c) => c.type === 'Ready')?.message ?? '';
    // eu-1 through the inventory's context, eu-2 through the flag: both reached the (closed) server.
    expect(statuses.find((s) => s.cluster === 'eu-1')?.result).toBe('Unreachable');
    expect(statuses.find((s) => s.cluster === 'eu-2')?.result).toBe('Unreachable');
    // us-1 has no mapping and no context of its name: the message says how to map it.
    expect(ready('us-1')).toContain('the kubeconfig has no context named "us-1" (map the cluster to a context with --context us-1=CONTEXT or the annotation manifold.dev/context');
    // eu-3 is not a cluster of the tree: warned about, once.
    const warnings = logLines(r.stderr).filter((l) => /--context names cluster\(s\) the rendered tree does not have: eu-3/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(r.stdout + r.stderr).not.toContain('t0k3n-never-printed');
  });

  it('--once --dir and --once --repo log the same way: JSON lines on stderr with the result of each cluster, the summary on stdout', () => {
    const dir = path.join(work, 'tree');
    mkdirSync(path.join(dir, 'prod-eu-1', 'namespaces', 'default', 'ConfigMap'), { recursive: true });
    writeFileSync(path.join(dir, 'prod-eu-1', 'namespaces', 'default', 'ConfigMap', 'app.yaml'), configMap);
    gitIn(dir, ['init', '-q', '-b', 'manifold/rendered']);
    commitAll(dir, 'rendered');
    for (const source of [['--dir', dir], ['--repo', dir]]) {
      const r = manifold('reconcile', '--once', ...source, '--kubeconfig', kubeconfig, '--cluster-timeout', '3s');
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/^prod-eu-1\s+Unreachable/m);
      // Every stderr line is a JSON log line (logLines parses each), with the cluster's result among them.
      const lines = logLines(r.stderr);
      expect(lines.some((l) => l.cluster === 'prod-eu-1' && l.result === 'Unreachable')).toBe(true);
    }
  });
});
