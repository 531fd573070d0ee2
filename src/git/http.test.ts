import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, httpClient } from './http.ts';

interface Seen {
  method: string;
  url: string;
  authorization?: string | undefined;
  length?: string | undefined;
  body: string;
}

let server: Server;
let port: number;
const seen: Seen[] = [];

async function bodyOf(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, length: req.headers['content-length'], body });
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/moved') return res.writeHead(302, { location: '/final' }).end();
      if (url.pathname === '/elsewhere') return res.writeHead(307, { location: `http://localhost:${port}/final` }).end();
      if (url.pathname === '/loop') return res.writeHead(301, { location: '/loop' }).end();
      res.writeHead(200, { 'content-type': 'text/plain', 'x-multi': ['a', 'b'] }).end(`hello from ${url.pathname}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function text(body: AsyncIterableIterator<Uint8Array> | undefined): Promise<string> {
  let out = '';
  for await (const chunk of body ?? []) out += Buffer.from(chunk).toString();
  return out;
}

async function* chunks(...parts: string[]): AsyncIterableIterator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

describe('the git HTTP client', () => {
  it('sends the body as one buffer with a Content-Length and returns status, headers and body', async () => {
    seen.length = 0;
    const res = await http.request({ url: `http://127.0.0.1:${port}/repo.git/git-receive-pack`, method: 'POST', headers: { Authorization: 'Basic eDp5' }, body: chunks('ab', 'cd') });
    expect(res).toMatchObject({ statusCode: 200, statusMessage: 'OK', method: 'POST', url: `http://127.0.0.1:${port}/repo.git/git-receive-pack` });
    expect(res.headers?.['x-multi']).toBe('a, b');
    expect(await text(res.body)).toBe('hello from /repo.git/git-receive-pack');
    expect(seen).toEqual([{ method: 'POST', url: '/repo.git/git-receive-pack', authorization: 'Basic eDp5', length: '4', body: 'abcd' }]);
  });

  it('follows redirects: a POST answered 302 becomes a GET; credentials are dropped when the host changes', async () => {
    seen.length = 0;
    const moved = await http.request({ url: `http://127.0.0.1:${port}/moved`, method: 'POST', headers: { authorization: 'Basic eDp5' }, body: chunks('x') });
    expect(moved.url).toBe(`http://127.0.0.1:${port}/final`);
    expect(seen.map((s) => [s.method, s.url, s.authorization])).toEqual([
      ['POST', '/moved', 'Basic eDp5'],
      ['GET', '/final', 'Basic eDp5'],
    ]);
    seen.length = 0;
    const away = await http.request({ url: `http://127.0.0.1:${port}/elsewhere`, headers: { authorization: 'Basic eDp5' } });
    expect(away.url).toBe(`http://localhost:${port}/final`);
    expect(seen.map((s) => s.authorization)).toEqual(['Basic eDp5', undefined]);
  });

  it('drops credentials when a redirect leaves https for http on the same host and port (curl does too: CVE-2022-27774)', async () => {
    // One port that speaks TLS and plain HTTP (told apart by the first byte), so only the scheme changes.
    const dir = mkdtempSync(path.join(tmpdir(), 'manifold-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`], { stdio: 'ignore' });
    const heard: [string, string | undefined][] = [];
    const handler = (scheme: string) => (req: IncomingMessage, res: import('node:http').ServerResponse) => {
      heard.push([scheme, req.headers.authorization]);
      if (scheme === 'https') res.writeHead(302, { location: `http://127.0.0.1:${muxPort}/plain` }).end();
      else res.writeHead(200).end('plain');
    };
    const tls = createHttpsServer({ key: readFileSync(`${dir}/key.pem`), cert: readFileSync(`${dir}/cert.pem`) }, handler('https'));
    const plain = createServer(handler('http'));
    const sockets = new Set<import('node:net').Socket>();
    const mux = createNetServer((socket) => {
      sockets.add(socket);
      socket.once('data', (first) => {
        // A TLS server reads a net.Socket's handle directly, past anything unshifted: hand it a stream instead.
        const stream = new Duplex({
          read() {},
          write(chunk, _encoding, done) {
            socket.write(chunk, done);
          },
          final(done) {
            socket.end(done);
          },
        });
        stream.push(first);
        socket.on('data', (chunk) => stream.push(chunk));
        socket.on('end', () => stream.push(null));
        socket.on('error', () => stream.destroy());
        (first[0] === 0x16 ? tls : plain).emit('connection', stream);
      });
    });
    await new Promise<void>((resolve) => mux.listen(0, '127.0.0.1', resolve));
    const muxPort = (mux.address() as AddressInfo).port;
    const verify = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the self-signed certificate
    try {
      const res = await http.request({ url: `https://127.0.0.1:${muxPort}/secure`, headers: { authorization: 'Basic eDp5' } });
      expect(res.url).toBe(`http://127.0.0.1:${muxPort}/plain`);
      expect(heard).toEqual([
        ['https', 'Basic eDp5'],
        ['http', undefined],
      ]);
    } finally {
      if (verify === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = verify;
      for (const socket of sockets) socket.destroy(); // the agent keeps connections alive
      await new Promise<void>((resolve) => mux.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives up after 10 redirects, and sends URL credentials as basic auth', async () => {
    await expect(http.request({ url: `http://u:p%40ss@127.0.0.1:${port}/loop` })).rejects.toThrow(/too many redirects fetching http:\/\/127\.0\.0\.1:\d+\/loop/);
    expect(seen.at(-1)?.authorization).toBe(`Basic ${Buffer.from('u:p@ss').toString('base64')}`);
  });

  it('fails like node:http when nothing listens (the error code the remote layer reports)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(http.request({ url: `http://127.0.0.1:${closedPort}/x` })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('gives up on a server that accepts the connection and then sends nothing, without naming credentials', async () => {
    const silent = createServer(() => undefined); // reads the request, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    try {
      const started = Date.now();
      const error = await httpClient(300)
        .request({ url: `http://user:s3cret@127.0.0.1:${silentPort}/repo.git/info/refs` })
        .then(() => undefined, (err: Error) => err);
      expect(error).toMatchObject({ message: `127.0.0.1:${silentPort} sent nothing for 0.3 s`, code: 'ETIMEDOUT' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('a kept-alive socket the server closed while this process was busy', () => {
  it('is replaced by a fresh one: the request is sent again instead of failing with ECONNRESET', async () => {
    // Plays the race deterministically: a second request on a kept-alive socket finds it closed
    // (as when the server's keep-alive timeout fired while a long render blocked this process).
    const served = new WeakMap<object, number>();
    const quick = createServer((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      if (n > 1) return void req.socket.destroy();
      void bodyOf(req).then((body) => res.writeHead(200).end(`got ${req.method} ${body}`));
    });
    await new Promise<void>((resolve) => quick.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(quick.address() as AddressInfo).port}/x`;
    const text = async (res: { body?: AsyncIterableIterator<Uint8Array> | undefined }) => {
      const chunks: Uint8Array[] = [];
      for await (const chunk of res.body ?? []) chunks.push(chunk);
      return Buffer.concat(chunks).toString();
    };
    try {
      expect(await text(await http.request({ url, method: 'GET' }))).toBe('got GET ');
      const again = await http.request({ url, method: 'POST', body: (async function* () { yield Buffer.from('pack'); })() });
      expect(again.statusCode).toBe(200);
      expect(await text(again)).toBe('got POST pack');
    } finally {
      quick.closeAllConnections();
      await new Promise<void>((resolve) => quick.close(() => resolve()));
    }
  });
});
