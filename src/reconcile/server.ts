/**
 * The reconciler's HTTP endpoints for Kubernetes probes and Prometheus
 * (ecosystem-notes.md §5):
 *   GET /healthz  200 while the process and its loop are alive (liveness);
 *                 503 when the loop has not finished an iteration for too
 *                 long (a wedged process is better restarted);
 *   GET /readyz   200 only after the first reconcile finished, 503 before and
 *                 from the moment shutdown begins (readiness); sharded, also
 *                 503 while the replica holds no cluster Lease it should, or
 *                 cannot renew its Leases in the hub;
 *   GET /metrics  prom-client exposition of the reconciler's own registry;
 *   GET /         the status page (index.html) of the report branch's tip,
 *                 the same bytes as on the branch (status-page.ts); 404
 *                 without --report, 503 until the first report exists.
 * Nothing else is served, and no response carries configuration or secrets.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReconcilerMetrics } from './metrics.ts';
import { PAGE_CSP } from './status-page.ts';

/** What the probes report; the loop updates it. */
export class ProbeState {
  /** Set after the first reconcile finished (whatever its result). */
  ready = false;
  /** Set when SIGTERM arrives: readiness fails from then on. */
  shuttingDown = false;
  /** Unix ms of the last finished loop iteration (or of the start). */
  lastProgressMs: number;
  /** A loop without progress for this long fails liveness. */
  stallAfterMs: number;
  /** Sharded: why this replica is not ready (no Lease it should hold, hub unreachable), or undefined. */
  shardNotReady: (() => string | undefined) | undefined;

  constructor(stallAfterMs = Number.POSITIVE_INFINITY, now = Date.now()) {
    this.stallAfterMs = stallAfterMs;
    this.lastProgressMs = now;
    this.shardNotReady = undefined;
  }

  progress(now = Date.now()): void {
    this.lastProgressMs = now;
  }

  live(now = Date.now()): boolean {
    return now - this.lastProgressMs <= this.stallAfterMs;
  }

  isReady(): boolean {
    return this.ready && !this.shuttingDown && this.shardNotReady?.() === undefined;
  }
}

export interface ProbeServer {
  /** `http://host:port` actually bound (port 0 picks a free one). */
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** `:8080`, `8080`, `127.0.0.1:9090`, `[::1]:8080` → host and port. */
export function parseListen(text: string): { host: string; port: number } {
  const t = text.trim();
  const m = /^(\d+)$/.exec(t) ?? /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(t);
  const port = m === null ? NaN : Number(m[m.length - 1]);
  if (m === null || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--listen "${text}" must be [HOST]:PORT, e.g. :8080 or 127.0.0.1:8080`);
  }
  const host = m.length === 2 ? '0.0.0.0' : (m[1] ?? (m[2] === undefined || m[2] === '' ? '0.0.0.0' : m[2]));
  return { host, port };
}

/** The status page to serve at `/`: the tip's index.html, undefined while there is no report yet. */
export type StatusPageSource = () => Promise<string | undefined>;


export async function startProbeServer(listen: { host: string; port: number }, state: ProbeState, metrics: ReconcilerMetrics, page?: StatusPageSource): Promise<ProbeServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const text = (status: number, body: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed\n');
    if (path === '/healthz' || path === '/livez') return state.live() ? text(200, 'ok\n') : text(503, 'reconcile loop stalled\n');
    if (path === '/readyz') {
      if (state.shuttingDown) return text(503, 'shutting down\n');
      const shard = state.shardNotReady?.();
      if (shard !== undefined) return text(503, `${shard}\n`);
      return state.ready ? text(200, 'ok\n') : text(503, 'first reconcile not finished\n');
    }
    if (path === '/metrics') {
      metrics.exposition().then(
        ({ contentType, body }) => {
          res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : body);
        },
        (err: unknown) => text(500, `metrics failed: ${err instanceof Error ? err.message : String(err)}\n`),
      );
      return;
    }
    if (path === '/' || path === '/index.html') {
      if (page === undefined) return text(404, 'no status page: the reconciler writes no report (--report)\n');
      page().then(
        (html) => {
          if (html === undefined) return text(503, 'no report yet\n');
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': `${PAGE_CSP}; frame-ancestors 'none'`, 'X-Content-Type-Options': 'nosniff' });
          res.end(req.method === 'HEAD' ? undefined : html);
        },
        (err: unknown) => text(500, `status page failed: ${err instanceof Error ? err.message : String(err)}\n`),
      );
      return;
    }
    return text(404, 'not found\n');
  });
  // Probes must not keep the process alive on their own, nor hold it up during shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
