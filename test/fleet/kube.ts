// A minimal HTTPS client for the harness's own needs (health checks, fake
// nodes): it trusts the fleet CA and sends the admin bearer token. Tests use
// @kubernetes/client-node with the kubeconfig instead.
import { request } from 'node:https';

export interface Endpoint {
  server: string;
  token: string;
  caPem: string;
}

export interface Response {
  status: number;
  body: string;
}

export function kubeRequest(
  ep: Endpoint,
  method: string,
  path: string,
  body?: unknown,
  opts: { timeoutMs?: number; contentType?: string } = {},
): Promise<Response> {
  const url = new URL(path, ep.server);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: ep.caPem,
        headers: {
          authorization: `Bearer ${ep.token}`,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': opts.contentType ?? 'application/json' }),
        },
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 10_000}ms: ${method} ${url.href}`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Polls check() until it returns a value other than undefined, or throws after
 * timeoutMs with the last reason reported by describe().
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 250,
  abort?: () => string | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = (err as Error).message;
    }
    const aborted = abort?.();
    if (aborted) throw new Error(`${what}: ${aborted}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    await sleep(intervalMs);
  }
}

/** True when GET /readyz answers 200. */
export async function isReady(ep: Endpoint): Promise<boolean> {
  try {
    const r = await kubeRequest(ep, 'GET', '/readyz', undefined, { timeoutMs: 3000 });
    return r.status === 200;
  } catch {
    return false;
  }
}
