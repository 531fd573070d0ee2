// A small loopback HTTP control endpoint for a running fleet, so that code in
// another process (vitest workers, a developer's curl) can stop and restart a
// cluster's API server. Requests must carry the secret that serveControl()
// puts in the URL's path.
//
//   GET  <url>/clusters                   the clusters (JSON)
//   GET  <url>/clusters/<name>/ready      {"ready": true|false}
//   POST <url>/clusters/<name>/stop       ?signal=SIGKILL to simulate a crash
//   POST <url>/clusters/<name>/start      waits until /readyz answers again
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { Fleet, FleetCluster } from './fleet.ts';

export interface ControlServer {
  /** http://127.0.0.1:<port>/<secret> */
  url: string;
  close(): Promise<void>;
}

export async function serveControl(fleet: Fleet): Promise<ControlServer> {
  const secret = randomBytes(16).toString('hex');
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== secret) return send(404, { error: 'not found' });
    const [, collection, name, action] = parts;
    void (async () => {
      try {
        if (collection !== 'clusters') return send(404, { error: 'not found' });
        if (name === undefined && req.method === 'GET') return send(200, fleet.clusters);
        if (name === undefined) return send(405, { error: 'method not allowed' });
        fleet.cluster(name); // throws for an unknown name
        if (action === 'ready' && req.method === 'GET') return send(200, { ready: await fleet.isReady(name) });
        if (action === 'stop' && req.method === 'POST') {
          const signal = url.searchParams.get('signal') === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM';
          await fleet.stopApiServer(name, { signal });
          return send(200, { stopped: name });
        }
        if (action === 'start' && req.method === 'POST') {
          await fleet.startApiServer(name);
          return send(200, { started: name });
        }
        if (action === 'freeze' && req.method === 'POST') {
          await fleet.freezeApiServer(name);
          return send(200, { frozen: name });
        }
        if (action === 'thaw' && req.method === 'POST') {
          await fleet.thawApiServer(name);
          return send(200, { thawed: name });
        }
        return send(404, { error: 'not found' });
      } catch (err) {
        return send(500, { error: (err as Error).message });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('unexpected control server address');
  return {
    url: `http://127.0.0.1:${addr.port}/${secret}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Client side of serveControl(), usable from any process. */
export class FleetControl {
  readonly url: string;
  constructor(url: string) {
    this.url = url;
  }

  private async call(method: string, path: string): Promise<unknown> {
    const res = await fetch(`${this.url}${path}`, { method });
    const body = (await res.json()) as { error?: string };
    if (!res.ok) throw new Error(`fleet control ${method} ${path}: HTTP ${res.status} ${body.error ?? ''}`);
    return body;
  }

  clusters(): Promise<FleetCluster[]> {
    return this.call('GET', '/clusters') as Promise<FleetCluster[]>;
  }

  async isReady(name: string): Promise<boolean> {
    const r = (await this.call('GET', `/clusters/${encodeURIComponent(name)}/ready`)) as { ready: boolean };
    return r.ready;
  }

  async stopApiServer(name: string, opts: { signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<void> {
    await this.call('POST', `/clusters/${encodeURIComponent(name)}/stop${opts.signal ? `?signal=${opts.signal}` : ''}`);
  }

  async freezeApiServer(name: string): Promise<void> {
    await this.call('POST', `/clusters/${encodeURIComponent(name)}/freeze`);
  }

  async thawApiServer(name: string): Promise<void> {
    await this.call('POST', `/clusters/${encodeURIComponent(name)}/thaw`);
  }

  async startApiServer(name: string): Promise<void> {
    await this.call('POST', `/clusters/${encodeURIComponent(name)}/start`);
  }
}
