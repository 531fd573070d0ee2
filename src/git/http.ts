/**
 * isomorphic-git's HTTP client, on node:http/https with WHATWG URLs.
 * isomorphic-git's own Node client (`isomorphic-git/http/node`) goes through
 * simple-get, which calls the deprecated `url.parse()`: bundled into
 * dist/manifold.js (outside node_modules, where Node stays quiet) that printed
 * `(node:PID) [DEP0169] DeprecationWarning` on every fetch and push. Same
 * behaviour otherwise: the body is sent as one buffer with a Content-Length,
 * redirects are followed (at most 10), credentials are dropped when a
 * redirect leaves the origin (simple-get checked only the host), and a
 * 301/302 after a POST becomes a GET (simple-get index.js). One addition: a
 * server that accepts the connection and then sends nothing (a frozen or
 * half-dead host) is given up on after an idle time, so a fetch or a report
 * push cannot hang the reconciler's loop.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { GitHttpRequest, GitHttpResponse, HttpClient } from 'isomorphic-git';

const MAX_REDIRECTS = 10;

/** Silence on the connection (nothing sent or received) after which a request fails. */
export const IDLE_TIMEOUT_MS = 60_000;

async function collect(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

interface Attempt {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  signal: AbortSignal | undefined;
  idleTimeoutMs: number;
  /** Already sent once more after a reset kept-alive socket. */
  retried?: boolean | undefined;
}

function send(attempt: Attempt): Promise<IncomingMessage> {
  const { url, method, headers, body, signal } = attempt;
  const auth = url.username === '' ? undefined : `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  const options = {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), // IPv6 literals without brackets
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    method,
    headers: body === undefined ? headers : { ...headers, 'content-length': String(body.length) },
    auth,
    signal,
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(options, resolve);
    req.on('error', (err: NodeJS.ErrnoException) => {
      // A kept-alive socket the server closed while this process was busy (a long synchronous
      // render or hash between two requests): nothing reached the server, so send once more on
      // a fresh socket, as Node's documentation advises (http.ClientRequest reusedSocket).
      if (req.reusedSocket && err.code === 'ECONNRESET' && attempt.retried !== true) send({ ...attempt, retried: true }).then(resolve, reject);
      else reject(err);
    });
    // A socket timeout counts silence, not total time: a slow but moving pack transfer goes on.
    req.setTimeout(attempt.idleTimeoutMs, () => {
      // ETIMEDOUT: the code the remote layer reports as an unreachable remote (exit 3).
      req.destroy(Object.assign(new Error(`${url.host} sent nothing for ${attempt.idleTimeoutMs / 1000} s`), { code: 'ETIMEDOUT' }));
    });
    req.end(body);
  });
}

function lowerCaseHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The next request of a redirect, or undefined when `res` is the answer. */
function redirected(attempt: Attempt, res: IncomingMessage): Attempt | undefined {
  const status = res.statusCode ?? 0;
  const location = res.headers.location;
  if (status < 300 || status >= 400 || location === undefined) return undefined;
  const url = new URL(location, attempt.url);
  const headers = { ...attempt.headers };
  // Another origin (host, port or scheme: https → http would send them in clear text), as curl decides since 7.83.
  if (url.origin !== attempt.url.origin) {
    delete headers.authorization;
    delete headers.cookie;
  }
  if (attempt.method === 'POST' && (status === 301 || status === 302)) {
    delete headers['content-type'];
    return { ...attempt, url, method: 'GET', headers, body: undefined };
  }
  return { ...attempt, url, headers };
}

async function request(req: GitHttpRequest, idleTimeoutMs: number): Promise<GitHttpResponse> {
  let attempt: Attempt = {
    url: new URL(req.url),
    method: (req.method ?? 'GET').toUpperCase(),
    headers: lowerCaseHeaders(req.headers),
    body: req.body === undefined ? undefined : await collect(req.body),
    signal: req.signal,
    idleTimeoutMs,
  };
  for (let redirects = 0; ; redirects++) {
    const res = await send(attempt);
    const next = redirected(attempt, res);
    if (next === undefined) {
      return {
        url: attempt.url.href,
        method: attempt.method,
        statusCode: res.statusCode ?? 0,
        statusMessage: res.statusMessage ?? '',
        headers: flatHeaders(res),
        body: res[Symbol.asyncIterator]() as AsyncIterableIterator<Uint8Array>,
      };
    }
    res.resume(); // discard the redirect's body
    if (redirects === MAX_REDIRECTS) throw new Error(`too many redirects fetching ${req.url.replace(/\/\/[^/@]*@/, '//')}`);
    attempt = next;
  }
}

/** An isomorphic-git HTTP client; `idleTimeoutMs` is there for tests. */
export function httpClient(idleTimeoutMs = IDLE_TIMEOUT_MS): HttpClient {
  return { request: (req) => request(req, idleTimeoutMs) };
}

export const http: HttpClient = httpClient();
