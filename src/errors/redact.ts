/**
 * The one redaction function. Every channel that can carry a credential —
 * error messages, CLI output, log lines, the report branch, PR comments —
 * passes its text through `redact`, so a credential is hidden the same way
 * everywhere and in every encoding a server or library may echo:
 *
 * - the raw value and its percent-encoding (URL userinfo, query strings);
 * - base64, standard and URL-safe, with or without padding, also when the
 *   value is only part of what was encoded (`x-access-token:TOKEN`,
 *   `user:TOKEN` in an `Authorization: Basic` header): the characters that
 *   encode the value alone are the same for every prefix of the same length
 *   modulo 3, so the three alignments find it behind any user name;
 * - whatever follows `Authorization:`, `Basic ` or `Bearer ` (credentials the
 *   process never knew, e.g. a proxy's), and the userinfo of any URL.
 *
 * Which strings are credentials: the caller's list plus the process-wide set
 * that the code which reads a credential registers with `rememberSecret`
 * (the git token, kubeconfig tokens and keys, URL passwords), so a message
 * built far from where the credential was read is still cleaned.
 */

export const MASK = '***';

/** Shorter strings are too likely to be ordinary words to replace everywhere. */
const MIN_SECRET_LENGTH = 4;
/** A base64 run is replaced only when this much of it encodes the secret alone. */
const MIN_BASE64_CORE = 6;

const BASE64_STD = /[A-Za-z0-9+/]/;
const BASE64_URL = /[A-Za-z0-9_-]/;

interface Needle {
  text: string;
  /** Characters an occurrence is widened over (the rest of a base64 run), if any. */
  widen?: RegExp | undefined;
}

const remembered = new Set<string>();
const needleCache = new Map<string, Needle[]>();

/**
 * How many credentials are remembered. A reconciler that runs for months sees
 * a new ServiceAccount or exec token every hour; the ones still in use are
 * remembered again on every use, so the oldest that fall out have expired.
 */
const MAX_REMEMBERED = 256;

/** Registers a credential the process holds; every later `redact` hides it. */
export function rememberSecret(secret: string | undefined): void {
  if (secret === undefined) return;
  const s = secret.trim();
  if (s.length < MIN_SECRET_LENGTH) return;
  remembered.delete(s); // most recently used last
  remembered.add(s);
  if (remembered.size > MAX_REMEMBERED) {
    const oldest = remembered.values().next().value as string;
    remembered.delete(oldest);
    needleCache.delete(oldest);
  }
}

/** For tests: forget the process-wide credentials. */
export function forgetSecrets(): void {
  remembered.clear();
}

/**
 * The base64 characters that encode `secret` alone when it starts `offset`
 * bytes (mod 3) into the encoded data: the characters fed by earlier bytes
 * and the last, partly padded one are cut off.
 */
function base64Core(secret: Buffer, offset: number, alphabet: 'base64' | 'base64url'): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), secret]).toString(alphabet).replace(/=+$/, '');
  const skip = Math.ceil((offset * 8) / 6);
  const end = Math.floor(((offset + secret.length) * 8) / 6);
  return encoded.slice(skip, end);
}

function needlesOf(secret: string): Needle[] {
  const cached = needleCache.get(secret);
  if (cached !== undefined) return cached;
  const needles: Needle[] = [{ text: secret }];
  const percent = encodeURIComponent(secret);
  if (percent !== secret) needles.push({ text: percent });
  const bytes = Buffer.from(secret, 'utf8');
  for (const offset of [0, 1, 2]) {
    for (const alphabet of ['base64', 'base64url'] as const) {
      const core = base64Core(bytes, offset, alphabet);
      if (core.length >= MIN_BASE64_CORE && !needles.some((n) => n.text === core)) {
        needles.push({ text: core, widen: alphabet === 'base64' ? BASE64_STD : BASE64_URL });
      }
    }
  }
  // A long-running reconciler redacts with the values of every Secret it applies: keep the cache bounded.
  if (needleCache.size >= 4096) needleCache.clear();
  needleCache.set(secret, needles);
  return needles;
}

/** Character ranges [start, end) of every occurrence of every needle, widened over base64 runs. */
function occurrences(text: string, needles: readonly Needle[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const n of needles) {
    for (let at = text.indexOf(n.text); at >= 0; at = text.indexOf(n.text, at + 1)) {
      let start = at;
      let end = at + n.text.length;
      if (n.widen !== undefined) {
        while (start > 0 && n.widen.test(text[start - 1] as string)) start--;
        while (end < text.length && n.widen.test(text[end] as string)) end++;
        while (end < text.length && text[end] === '=') end++;
      }
      ranges.push([start, end]);
    }
  }
  return ranges;
}

/** Credentials recognised by their shape: URL userinfo and HTTP authorization values. */
const SHAPES: RegExp[] = [
  // scheme://user:password@host (any scheme: https, ssh, git, socks5 ...)
  /(?<=\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s"'<>]+(?=@)/gi,
  // Authorization: <scheme> <credentials> / "authorization": "<...>" (header dumps, JSON)
  /(?<=\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?)[^\s"'][^\r\n"']*/gi,
  // Basic/Bearer credentials outside a header line (error bodies that quote them)
  // (with a digit or symbol, so prose like "Basic authentication" stays readable)
  /(?<=\b(?:Basic|Bearer) )(?=[A-Za-z]*[0-9+/._~-])[A-Za-z0-9+/._~-]{8,}=*/g,
];

function shapeRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (const re of SHAPES) {
    for (const m of text.matchAll(re)) ranges.push([m.index, m.index + m[0].length]);
  }
  return ranges;
}

/**
 * `text` with every known credential (the given ones and the remembered
 * ones) in every encoding, every URL userinfo and every authorization value
 * replaced by `***`.
 */
export function redact(text: string, secrets: Iterable<string | undefined> = []): string {
  const all = new Set(remembered);
  for (const s of secrets) if (s !== undefined && s.trim().length >= MIN_SECRET_LENGTH) all.add(s.trim());
  const ranges = shapeRanges(text);
  for (const s of all) ranges.push(...occurrences(text, needlesOf(s)));
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = '';
  let cursor = 0;
  for (const [start, end] of ranges) {
    if (end <= cursor) continue;
    out += text.slice(cursor, Math.max(cursor, start)) + (start >= cursor ? MASK : '');
    cursor = end;
  }
  return out + text.slice(cursor);
}

/**
 * Where a js-yaml error is and what it is, without the excerpt of the
 * surrounding lines that its message carries (they may hold credentials or
 * Secret values): "line 3, column 4: bad indentation of a mapping entry".
 * A reason that quotes input (an unknown tag, an alias name) is left out.
 */
export function yamlErrorPlace(err: unknown): string {
  const e = err as { reason?: unknown; mark?: { line?: unknown; column?: unknown } | null };
  const parts: string[] = [];
  if (typeof e.mark?.line === 'number') parts.push(`line ${e.mark.line + 1}, column ${Number(e.mark.column ?? 0) + 1}`);
  parts.push(typeof e.reason === 'string' && /^[a-z ,()-]+$/i.test(e.reason) ? e.reason : 'syntax error');
  return parts.join(': ');
}
