/**
 * A real git smart-HTTP server on loopback for tests: `git http-backend` (CGI,
 * shipped with git) behind a small Node HTTP server that checks HTTP basic
 * auth against one token, the way GitHub checks `x-access-token:<token>`.
 * Receive-pack is enabled for authenticated requests (http-backend's rule:
 * REMOTE_USER set), so tests push, fetch and race real `git receive-pack`.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  user?: string | undefined;
  status: number;
  /** Bytes of the request body (a push's commands and pack), known once the request is served. */
  bytesIn: number;
}

export interface GitHttpServer {
  /** Base URL; a repository `name.git` under the root is at `${url}/name.git`. */
  url: string;
  requests: RecordedRequest[];
  /** Runs before each request is served; may delay it (e.g. to line up two pushers). */
  onRequest?: ((req: IncomingMessage) => Promise<void>) | undefined;
  close(): Promise<void>;
}

export interface GitHttpServerOptions {
  /** Folder holding bare repositories. */
  root: string;
  /** When set, every request needs basic auth with this password. */
  token?: string | undefined;
  /**
   * Plays a misconfigured proxy in front of the server: every authenticated
   * request gets 200 with a plain-text body that echoes the request's
   * Authorization header and the credentials in it (isomorphic-git quotes
   * such a body in its error), so tests can check that no encoding of the
   * token reaches a message.
   */
  echoAuthorization?: boolean | undefined;
}

function credentials(req: IncomingMessage): { user: string; password: string } | undefined {
  const header = req.headers.authorization;
  if (header === undefined || !header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const server: GitHttpServer = { url: '', requests: [], close: async () => undefined };
  const http = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    await server.onRequest?.(req);
    const creds = credentials(req);
    let bytesIn = 0;
    req.on('data', (chunk: Buffer) => (bytesIn += chunk.length));
    let recorded: RecordedRequest | undefined;
    const record = (status: number) => {
      recorded = { method: req.method ?? 'GET', path: url.pathname + url.search, user: creds?.user, status, bytesIn };
      server.requests.push(recorded);
    };
    if (options.token !== undefined && creds?.password !== options.token) {
      record(401);
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    if (options.echoAuthorization === true && req.headers.authorization !== undefined) {
      record(200);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      const encoded = req.headers.authorization.replace(/^Basic /, '');
      res.end(`proxy: upstream refused the request\nAuthorization: ${req.headers.authorization}\ncredentials=${encoded.replace(/=+$/, '')}\n`);
      return;
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: options.root,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: '127.0.0.1',
      // http-backend enables receive-pack only for authenticated users.
      REMOTE_USER: creds?.user ?? (options.token === undefined ? 'anonymous' : ''),
    };
    if (req.headers['content-encoding'] !== undefined) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
    if (req.headers['git-protocol'] !== undefined) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
    const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let headersSent = false;
    let status = 200;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      const endLf = head.indexOf('\n\n');
      const cut = end >= 0 ? end : endLf;
      if (cut < 0) return;
      const sep = end >= 0 ? 4 : 2;
      const headerLines = head.subarray(0, cut).toString('latin1').split(/\r?\n/);
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else headers[name] = value;
      }
      record(status);
      res.writeHead(status, headers);
      headersSent = true;
      res.write(head.subarray(cut + sep));
    });
    await new Promise<void>((resolve) => {
      cgi.on('close', () => {
        if (!headersSent) {
          record(500);
          res.writeHead(500);
        }
        if (recorded !== undefined) recorded.bytesIn = bytesIn;
        res.end();
        resolve();
      });
    });
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  server.url = `http://127.0.0.1:${port}`;
  server.close = () =>
    new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    });
  return server;
}
