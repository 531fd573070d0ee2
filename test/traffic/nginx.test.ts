/**
 * Traffic follows placement, checked against a real nginx (issue 18): the
 * upstream block Manifold renders from examples/traffic is loaded into
 * Debian's nginx, started on loopback as the current user with its own prefix
 * and configuration in a temporary folder (no system service); one small Node
 * HTTP server stands in for each Ingress node and for the VM. Requests go
 * through nginx one at a time; every backend counts the requests it gets.
 *
 * nginx's smooth weighted round robin (src/http/ngx_http_upstream_round_robin.c
 * ngx_http_upstream_get_peer) is exact over a full cycle: in every run of
 * Σweights consecutive requests through one worker, each server gets exactly
 * its weight. So the tolerance is zero: after 2 cycles each server has 2 ×
 * weight requests. Then the source changes (more replicas, and an override that
 * drains member3 to 0), Manifold renders again, nginx restarts with the new
 * upstream, and the shares follow.
 *
 * nginx is required: .ci/run installs it when missing. Without it this test
 * fails (it does not skip), saying how to install it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, registry } from '../../src/dialects/index.ts';
import { loadRepository } from '../../src/load/repository.ts';
import { render } from '../../src/render/render.ts';
import { ROOT } from '../golden.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-nginx-'));
const CYCLES = 2;

/** The nginx binary: on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH). */
function findNginx(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin']) {
    if (dir !== '' && existsSync(path.join(dir, 'nginx'))) return path.join(dir, 'nginx');
  }
  return undefined;
}

interface Backend {
  /** The address the example names (replaced by a loopback one). */
  exampleAddress: string;
  server: Server;
  address: string;
  hits: number;
}

/** The example's entry points and VM, each to be played by a loopback server. */
const EXAMPLE_ADDRESSES = ['10.1.0.11:80', '10.1.0.12:80', '10.1.0.13:80', '10.2.0.11:80', '10.2.0.12:80', '10.3.0.11:80', '10.9.0.5:8080'];

async function startBackend(exampleAddress: string): Promise<Backend> {
  const backend: Backend = { exampleAddress, server: createServer(), address: '', hits: 0 };
  backend.server.on('request', (_req, res) => {
    backend.hits++;
    res.end(exampleAddress);
  });
  await new Promise<void>((resolve) => backend.server.listen(0, '127.0.0.1', resolve));
  backend.address = `127.0.0.1:${(backend.server.address() as AddressInfo).port}`;
  return backend;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** examples/traffic with the backends' loopback addresses, plus `extra` files. */
function exampleSource(backends: readonly Backend[], edit: (files: Map<string, string>) => void = () => {}): Map<string, string> {
  const dir = path.join(ROOT, 'examples', 'traffic');
  const files = new Map<string, string>();
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    let text = readFileSync(path.join(dir, name), 'utf8');
    for (const b of backends) text = text.replaceAll(b.exampleAddress, b.address);
    files.set(name, text);
  }
  edit(files);
  return files;
}

/** Renders the source and returns the edge cluster's upstream block. */
function renderUpstream(files: ReadonlyMap<string, string>): string {
  const repo = loadRepository([...files].map(([p, text]) => ({ path: p, text })), registry);
  const result = render(repo, dialects, { manifoldVersion: 'test' });
  const configMap = result.clusters.get('edge')?.get('namespaces/edge/ConfigMap/web-upstream.yaml');
  if (configMap === undefined) throw new Error('the render has no upstream ConfigMap for the edge cluster');
  return (load(configMap) as { data: Record<string, string> }).data['web.conf'] as string;
}

/** `address → weight` of the server lines of an upstream block. */
function weightsOf(upstream: string): Map<string, number> {
  return new Map([...upstream.matchAll(/^\s*server (\S+) weight=(\d+);/gm)].map((m) => [m[1] as string, Number(m[2])]));
}

class Nginx {
  private process: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  readonly prefix: string;
  readonly port: number;
  private readonly binary: string;

  constructor(binary: string, port: number, name: string) {
    this.binary = binary;
    this.port = port;
    this.prefix = path.join(work, name);
  }

  /** Starts nginx (foreground, one worker-less process) with `upstream` and waits until it listens. */
  async start(upstream: string): Promise<void> {
    mkdirSync(path.join(this.prefix, 'logs'), { recursive: true });
    writeFileSync(path.join(this.prefix, 'upstream.conf'), upstream);
    const temp = (n: string) => `${n}_temp_path ${path.join(this.prefix, n)};`;
    writeFileSync(
      path.join(this.prefix, 'nginx.conf'),
      [
        // One process as the current user: no master switching to another user, one round-robin state.
        'daemon off;',
        'master_process off;',
        `pid ${path.join(this.prefix, 'nginx.pid')};`,
        `error_log ${path.join(this.prefix, 'logs', 'error.log')} warn;`,
        'events { worker_connections 64; }',
        'http {',
        '  access_log off;',
        ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((n) => `  ${temp(n)}`),
        `  include ${path.join(this.prefix, 'upstream.conf')};`,
        `  server { listen 127.0.0.1:${this.port}; location / { proxy_pass http://web; } }`,
        '}',
        '',
      ].join('\n'),
    );
    const child = spawn(this.binary, ['-p', this.prefix, '-c', path.join(this.prefix, 'nginx.conf'), '-e', path.join(this.prefix, 'logs', 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    this.process = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 15_000;
    while (!(await listening(this.port))) {
      if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${stderr}${this.errorLog()}`);
      if (Date.now() > deadline) throw new Error(`nginx did not listen on 127.0.0.1:${this.port} within 15 s: ${stderr}${this.errorLog()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  errorLog(): string {
    const file = path.join(this.prefix, 'logs', 'error.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  async stop(): Promise<void> {
    if (this.process === undefined || this.process.exitCode !== null) return;
    this.process.kill('SIGTERM');
    await this.exited;
    this.process = undefined;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function get(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('timeout', () => req.destroy(new Error('request through nginx timed out')));
    req.once('error', reject);
    req.end();
  });
}

/** Sends CYCLES × Σweights requests one at a time; returns the hits per backend address. */
async function sendCycles(port: number, backends: readonly Backend[], total: number): Promise<Map<string, number>> {
  for (const b of backends) b.hits = 0;
  for (let i = 0; i < CYCLES * total; i++) {
    const { status } = await get(port);
    if (status !== 200) throw new Error(`request ${i} through nginx answered ${status}`);
  }
  return new Map(backends.map((b) => [b.address, b.hits]));
}

/** The shares nginx should give: CYCLES × weight for every backend, 0 for one with no server line. */
function expectedHits(backends: readonly Backend[], weights: ReadonlyMap<string, number>): Map<string, number> {
  return new Map(backends.map((b) => [b.address, CYCLES * (weights.get(b.address) ?? 0)]));
}

describe('nginx balances the clusters by the weights Manifold rendered', () => {
  const nginxBinary = findNginx();
  let backends: Backend[] = [];
  let nginx: Nginx | undefined;

  beforeAll(async () => {
    backends = await Promise.all(EXAMPLE_ADDRESSES.map(startBackend));
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(backends.map((b) => new Promise<void>((resolve) => b.server.close(() => resolve()))));
    rmSync(work, { recursive: true, force: true });
  });

  it('is installed (.ci/run installs Debian\'s nginx when it is missing)', () => {
    expect(nginxBinary, 'nginx not found on PATH or in /usr/sbin: install it (apt-get update && apt-get install -y nginx); .ci/run does this in CI').toBeDefined();
    const version = spawnSync(nginxBinary as string, ['-v'], { encoding: 'utf8' });
    expect(version.stderr).toMatch(/^nginx version: nginx\//);
  });

  it('gives each server exactly its weight per cycle, and follows a re-render after the replicas change', async () => {
    if (nginxBinary === undefined) throw new Error('nginx is not installed: apt-get update && apt-get install -y nginx (.ci/run does this in CI)');
    nginx = new Nginx(nginxBinary, await freePort(), 'first');

    // examples/traffic: 10 replicas 2:2:1 → member1 4 pods / 3 nodes = 13 each, member2 4 / 2 = 20, member3 2 / 1 = 20, the VM 10.
    const first = renderUpstream(exampleSource(backends));
    const firstWeights = weightsOf(first);
    expect([...firstWeights.values()]).toEqual([13, 13, 13, 20, 20, 20, 10]);
    await nginx.start(first);
    const firstHits = await sendCycles(nginx.port, backends, 109);
    expect(firstHits, nginx.errorLog()).toEqual(expectedHits(backends, firstWeights));
    await nginx.stop();

    // 20 replicas (8/8/4), and an override drains member3 to 0: its Ingress node gets no server line and no request.
    const drain = [
      'apiVersion: policy.karmada.io/v1alpha1',
      'kind: OverridePolicy',
      'metadata: {name: drain-member3, namespace: shop}',
      'spec:',
      '  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]',
      '  overrideRules:',
      '    - targetCluster: {clusterNames: [member3]}',
      '      overriders:',
      '        plaintext: [{path: /spec/replicas, operator: replace, value: 0}]',
      '',
    ].join('\n');
    const second = renderUpstream(
      exampleSource(backends, (files) => {
        files.set('app.yaml', (files.get('app.yaml') as string).replace('replicas: 10', 'replicas: 20'));
        files.set('drain.yaml', drain);
      }),
    );
    const secondWeights = weightsOf(second);
    // member1 8 pods / 3 = round(26.7) = 27 each, member2 8 / 2 = 40 each, member3 none, the VM 10.
    expect([...secondWeights.values()]).toEqual([27, 27, 27, 40, 40, 10]);
    const member3 = backends.find((b) => b.exampleAddress === '10.3.0.11:80') as Backend;
    expect(secondWeights.has(member3.address)).toBe(false);
    nginx = new Nginx(nginxBinary, await freePort(), 'second');
    await nginx.start(second);
    const secondHits = await sendCycles(nginx.port, backends, 171);
    expect(secondHits, nginx.errorLog()).toEqual(expectedHits(backends, secondWeights));
    expect(secondHits.get(member3.address)).toBe(0);
  }, 120_000);
});
