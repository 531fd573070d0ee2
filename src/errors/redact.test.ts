import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecrets, redact, rememberSecret } from './redact.ts';

const TOKEN = 'ghp_Zq8vT3nLw0Xr5yKp2Hs9';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

afterEach(() => forgetSecrets());

describe('redact', () => {
  it('hides the raw token and its percent-encoding', () => {
    expect(redact(`token ${TOKEN} rejected`, [TOKEN])).toBe('token *** rejected');
    const odd = 'p@ss/w:rd+99';
    expect(redact(`url user:${encodeURIComponent(odd)}`, [odd])).not.toContain(encodeURIComponent(odd));
  });

  it('hides base64 of the token behind any user name, padded or not, standard or URL-safe', () => {
    for (const user of ['', 'x-access-token:', 'u:', 'ab:', 'someone-else:', 'x:']) {
      for (const encode of [b64, b64url]) {
        const encoded = encode(`${user}${TOKEN}`);
        for (const text of [encoded, encoded.replace(/=+$/, '')]) {
          const out = redact(`server said: ${text}.`, [TOKEN]);
          expect(out, `${user} ${text}`).toBe('server said: ***.');
        }
      }
    }
  });

  it('hides base64 of the token followed by more data (token:extra)', () => {
    const out = redact(`blob ${b64(`a:${TOKEN}:tail-data`)} end`, [TOKEN]);
    expect(out).toBe('blob *** end');
  });

  it('hides authorization headers, bearer tokens and URL userinfo of credentials it was never told about', () => {
    const other = b64('user:unknown-password-123');
    expect(redact(`> Authorization: Basic ${other}\r\n> Host: x`)).toBe('> Authorization: ***\r\n> Host: x');
    expect(redact(`{"authorization":"Bearer abc.def-ghi"}`)).toBe('{"authorization":"***"}');
    expect(redact(`echo: Basic ${other} and Bearer eyJhbGciOi.J9x_y`)).toBe('echo: Basic *** and Bearer ***');
    expect(redact('pushing to https://bob:hunter22@example.com/r.git failed')).toBe('pushing to https://***@example.com/r.git failed');
    expect(redact('socks5://u:p@proxy:1080')).toBe('socks5://***@proxy:1080');
  });

  it('leaves prose alone', () => {
    const prose = 'HTTP Basic authentication failed; set a Bearer token in MANIFOLD_GIT_TOKEN (see https://example.com/docs)';
    expect(redact(prose, ['abc'])).toBe(prose);
  });

  it('remembered credentials are hidden in every later call', () => {
    rememberSecret('kubeconfig-token-0042');
    expect(redact(`oops kubeconfig-token-0042 and ${b64('kubeconfig-token-0042')}`)).toBe('oops *** and ***');
  });

  it('keeps the most recently used credentials when there are very many (rotated tokens)', () => {
    rememberSecret('long-lived-token-0000');
    for (let i = 0; i < 300; i++) {
      rememberSecret(`rotated-token-${String(i).padStart(4, '0')}`);
      if (i % 50 === 0) rememberSecret('long-lived-token-0000'); // used again: stays
    }
    expect(redact('long-lived-token-0000 rotated-token-0299 rotated-token-0000')).toBe('*** *** rotated-token-0000');
  });

  it('merges overlapping secrets into one mask', () => {
    expect(redact('aaaa-secret-bbbb', ['aaaa-secret', 'secret-bbbb'])).toBe('***');
  });
});
