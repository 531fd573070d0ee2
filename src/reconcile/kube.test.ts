import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePorts } from '../../test/fleet/fleet.ts';
import { forgetSecrets, redact } from '../errors/redact.ts';
import { type ApiResource, ClusterAuthError, ClusterUnreachableError, KubeApiError, KubeClient, type KubeClientOptions, kubeconfigSecrets, loadKubeConfig, retryAfterMs } from './kube.ts';

// A fake API server on loopback: enough HTTP to check what the adapter sends
// and how it treats answers. The real thing is exercised by test/e2e.

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
const TOKEN = 'tok-very-secret-123';
let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function fake(handler: Handler, options: KubeClientOptions = {}): Promise<KubeClient> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return clientFor(`http://127.0.0.1:${port}`, options);
}

function clientFor(url: string, options: KubeClientOptions = {}): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
    users: [{ name: 'u', token: TOKEN }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return new KubeClient('c1', kc, options);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const configMaps: ApiResource = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, verbs: [] };
const deployments: ApiResource = { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, verbs: [] };

describe('KubeClient requests', () => {
  it('authenticates with the kubeconfig credentials and applies as server-side apply', async () => {
    const seen: { method?: string; url?: string; auth?: string; type?: string; body?: string }[] = [];
    const client = await fake((req, body, res) => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body });
      json(res, 201, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'a', uid: 'x' } });
    });
    const obj = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'a' }, spec: { unknownToClientModels: { kept: true } } };
    const r = await client.apply(deployments, obj, { fieldManager: 'manifold', force: true, dryRun: true });
    expect(r.status).toBe(201);
    expect(seen[0]).toEqual({
      method: 'PATCH',
      url: '/apis/apps/v1/namespaces/a/deployments/web?fieldManager=manifold&force=true&dryRun=All&fieldValidation=Strict',
      auth: `Bearer ${TOKEN}`,
      type: 'application/apply-patch+yaml',
      // Raw JSON: fields the generated models do not know survive (client-node #2962).
      body: JSON.stringify(obj),
    });
    await client.close();
  });

  it('remembers the credential it sent, so that any later message is redacted of it', async () => {
    forgetSecrets();
    expect(redact(`token ${TOKEN}`)).toBe(`token ${TOKEN}`);
    const client = await fake((_req, _body, res) => json(res, 200, { kind: 'APIVersions' }));
    await client.request('GET', '/api');
    expect(redact(`token ${TOKEN} in ${Buffer.from(`u:${TOKEN}`).toString('base64')}`)).toBe('token *** in ***');
    forgetSecrets();
    await client.close();
  });

  it('lists page by page and fills in apiVersion and kind', async () => {
    const client = await fake((req, _b, res) => {
      const url = new URL(req.url ?? '', 'http://x');
      expect(url.searchParams.get('labelSelector')).toBe('a=b');
      const cont = url.searchParams.get('continue');
      json(res, 200, { items: [{ metadata: { name: cont ? 'second' : 'first' } }], metadata: cont ? {} : { continue: 'tok2' } });
    });
    const items = await client.list(configMaps, { labelSelector: 'a=b' });
    expect(items).toEqual([
      { metadata: { name: 'first' }, apiVersion: 'v1', kind: 'ConfigMap' },
      { metadata: { name: 'second' }, apiVersion: 'v1', kind: 'ConfigMap' },
    ]);
    expect(client.requests).toBe(2);
    await client.close();
  });

  it('honours 429 with Retry-After, then succeeds', async () => {
    let calls = 0;
    const client = await fake((_req, _b, res) => {
      calls++;
      if (calls < 3) json(res, 429, { kind: 'Status', reason: 'TooManyRequests', message: 'too many requests' }, { 'retry-after': '1' });
      else json(res, 200, { metadata: { name: 'c' } });
    });
    const started = Date.now();
    expect(await client.get(configMaps, 'a', 'c')).toEqual({ metadata: { name: 'c' } });
    expect(calls).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    await client.close();
  });

  it('gives up on throttling after maxAttempts with the server message', async () => {
    const client = await fake((_req, _b, res) => json(res, 429, { kind: 'Status', reason: 'TooManyRequests', message: 'slow down' }, { 'retry-after': '0' }), { maxAttempts: 2 });
    await expect(client.get(configMaps, 'a', 'c')).rejects.toMatchObject({ status: 429, serverMessage: 'slow down' });
    await client.close();
  });

  it('a 500 is final unless the server asks for a retry (SSA answers 500 for a field not in the schema)', async () => {
    let calls = 0;
    const client = await fake((_req, _b, res) => {
      calls++;
      if (calls === 1) return json(res, 500, { kind: 'Status', reason: 'InternalError', message: 'etcd leader changed', details: { retryAfterSeconds: 0 } });
      json(res, 500, { kind: 'Status', message: 'failed to create typed patch object: .bogus: field not declared in schema' });
    });
    await expect(client.get(configMaps, 'a', 'c')).rejects.toMatchObject({ status: 500, serverMessage: expect.stringMatching(/field not declared/) });
    expect(calls).toBe(2);
    await client.close();
  });

  it('401: a clear credentials error that does not quote the token', async () => {
    const client = await fake((_req, _b, res) => json(res, 401, { kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized' }));
    const err = await client.get(configMaps, 'a', 'c').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterAuthError);
    expect((err as Error).message).toMatch(/cluster "c1" rejected the credentials \(401 Unauthorized\).*expired/);
    expect((err as Error).message).not.toContain(TOKEN);
    await client.close();
  });

  it('403 and 422 carry the status and the server message; 404 on get is undefined', async () => {
    const client = await fake((req, _b, res) => {
      if (req.method === 'GET' && req.url?.endsWith('/missing')) return json(res, 404, { kind: 'Status', reason: 'NotFound', message: 'not found' });
      if (req.method === 'GET') return json(res, 403, { kind: 'Status', reason: 'Forbidden', message: 'configmaps "c" is forbidden: User "x" cannot get resource' });
      json(res, 422, { kind: 'Status', reason: 'Invalid', message: 'ConfigMap "c" is invalid: metadata.name: Invalid value' });
    });
    await expect(client.get(configMaps, 'a', 'missing')).resolves.toBeUndefined();
    const forbidden = await client.get(configMaps, 'a', 'c').catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(KubeApiError);
    expect(forbidden).toMatchObject({ status: 403, reason: 'Forbidden' });
    expect((forbidden as Error).message).toMatch(/in cluster "c1" failed \(403 Forbidden\): configmaps "c" is forbidden/);
    const invalid = await client.apply(configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a' } }, { fieldManager: 'm' }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 422, serverMessage: 'ConfigMap "c" is invalid: metadata.name: Invalid value' });
    await client.close();
  });

  it('an API server that is not there is Unreachable, with the address and the cause', async () => {
    const [port] = await freePorts(1);
    const client = clientFor(`http://127.0.0.1:${port}`);
    const err = await client.get(configMaps, 'a', 'c').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterUnreachableError);
    expect((err as Error).message).toMatch(new RegExp(`cannot reach the API server of cluster "c1" \\(http://127.0.0.1:${port}\\): .*ECONNREFUSED`));
    await client.close();
  });

  it('keeps at most maxInFlight requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const client = await fake((_req, _b, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        json(res, 200, {});
      }, 20);
    }, { maxInFlight: 4 });
    await Promise.all(Array.from({ length: 24 }, (_, i) => client.get(configMaps, 'a', `c${i}`)));
    expect(peak).toBe(4);
    await client.close();
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('discovery', () => {
  it('reads aggregated discovery (two requests) with preferred versions first', async () => {
    const client = await fake((req, _b, res) => {
      expect(req.headers.accept).toContain('as=APIGroupDiscoveryList');
      const item = (name: string, versions: { version: string; resources: unknown[] }[]) => ({ metadata: { name }, versions });
      const r = (resource: string, kind: string, scope: string) => ({ resource, responseKind: { group: '', version: '', kind }, scope, verbs: ['get', 'list'] });
      if (req.url === '/api') return json(res, 200, { kind: 'APIGroupDiscoveryList', items: [item('', [{ version: 'v1', resources: [r('configmaps', 'ConfigMap', 'Namespaced'), r('namespaces', 'Namespace', 'Cluster')] }])] });
      json(res, 200, {
        kind: 'APIGroupDiscoveryList',
        items: [item('autoscaling', [{ version: 'v2', resources: [r('horizontalpodautoscalers', 'HorizontalPodAutoscaler', 'Namespaced')] }, { version: 'v1', resources: [r('horizontalpodautoscalers', 'HorizontalPodAutoscaler', 'Namespaced')] }])],
      });
    });
    const index = await client.resources();
    expect(index.find('v1', 'ConfigMap')).toMatchObject({ plural: 'configmaps', namespaced: true });
    expect(index.find('v1', 'Namespace')).toMatchObject({ namespaced: false });
    expect(index.find('autoscaling/v1', 'HorizontalPodAutoscaler')?.version).toBe('v1');
    expect(index.findGroupKind('HorizontalPodAutoscaler.autoscaling')?.version).toBe('v2');
    expect(index.find('example.com/v1', 'Widget')).toBeUndefined();
    await client.resources();
    expect(client.requests).toBe(2); // cached
    client.invalidateDiscovery();
    await client.resources();
    expect(client.requests).toBe(4);
    await client.close();
  });

  it('falls back to per-group-version discovery on older servers', async () => {
    const client = await fake((req, _b, res) => {
      if (req.url === '/api') return json(res, 200, { kind: 'APIVersions', versions: ['v1'] });
      if (req.url === '/apis') return json(res, 200, { kind: 'APIGroupList', groups: [{ name: 'apps', versions: [{ version: 'v1' }], preferredVersion: { version: 'v1' } }] });
      if (req.url === '/api/v1') return json(res, 200, { resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: [] }, { name: 'pods/log', kind: 'Pod', namespaced: true }] });
      json(res, 200, { resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true, verbs: [] }] });
    });
    const index = await client.resources();
    expect(index.find('apps/v1', 'Deployment')?.plural).toBe('deployments');
    expect(index.find('v1', 'Pod')).toBeUndefined(); // subresources are not resources
    await client.close();
  });
});

describe('KubeClient and a frozen API server', () => {
  it('a server that accepts TCP and never answers the TLS handshake is Unreachable after the request timeout, not undici\'s 10 s connect timeout; close() does not wait for it', async () => {
    // What a SIGSTOPped kube-apiserver looks like to a new connection: the kernel completes the TCP handshake, nothing else happens.
    const sockets: import('node:net').Socket[] = [];
    const frozen = (await import('node:net')).createServer((s) => sockets.push(s));
    await new Promise<void>((r) => frozen.listen(0, '127.0.0.1', () => r()));
    try {
      const client = clientFor(`https://127.0.0.1:${(frozen.address() as AddressInfo).port}`, { requestTimeoutMs: 500, maxAttempts: 1 });
      const t0 = Date.now();
      await expect(client.get(configMaps, 'default', 'x')).rejects.toThrow(/cannot reach the API server of cluster "c1" .*: no answer within/);
      expect(Date.now() - t0).toBeLessThan(3_000);
      const t1 = Date.now();
      await client.close();
      expect(Date.now() - t1).toBeLessThan(1_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => frozen.close(() => r()));
    }
  });
});

describe('loadKubeConfig', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'manifold-kubeconfig-'));
  const good = (user: string, token: string) =>
    `apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: {server: 'https://127.0.0.1:1'}\nusers:\n- name: ${user}\n  user:\n    token: ${token}\ncontexts:\n- name: a\n  context: {cluster: a, user: ${user}}\n`;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file, line and column of a syntax error in one of the $KUBECONFIG files, quotes nothing and remembers its credentials', () => {
    const first = path.join(dir, 'first.yaml');
    const broken = path.join(dir, 'broken.yaml');
    writeFileSync(first, good('one', 'first-file-token-1234'));
    writeFileSync(broken, good('two', 'broken-file-token-5678').replace('    token: broken-file-token-5678\n', '    token: broken-file-token-5678\n     id-token: oidc-id-token-9012\n'));
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = [first, broken].join(path.delimiter);
    forgetSecrets();
    try {
      expect(() => loadKubeConfig()).toThrow(`kubeconfig ${broken}: not valid YAML (line 10, column 14: bad indentation of a mapping entry)`);
      for (const token of ['first-file-token-1234', 'broken-file-token-5678', 'oidc-id-token-9012']) expect(redact(token)).toBe('***');
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
      forgetSecrets();
    }
  });

  it('a kubeconfig the library refuses is named with the field, not the content', () => {
    const file = path.join(dir, 'noname.yaml');
    writeFileSync(file, good('u', 'some-token-value-42').replace('- name: u\n  user:', '- user:'));
    expect(() => loadKubeConfig(file)).toThrow(`kubeconfig ${file}: not a valid kubeconfig: users[0].name is missing`);
  });

  it('finds credentials line by line, a client key also as the PEM it encodes', () => {
    const pem = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n';
    const text = `users:\n- user:\n    client-key-data: ${Buffer.from(pem).toString('base64')}\n    password: "hunter22"\n  # token: commented-out\n`;
    expect(kubeconfigSecrets(text)).toEqual([Buffer.from(pem).toString('base64'), pem, 'MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49', 'hunter22']);
  });
});
