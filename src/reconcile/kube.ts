/**
 * The Kubernetes I/O adapter: the only module of the reconciler that talks
 * to an API server. One KubeClient per cluster, built from a kubeconfig
 * context (push mode) or in-cluster credentials (pull mode).
 *
 * Requests are raw JSON over undici, authenticated by @kubernetes/client-node
 * (`applySecurityAuthentication` on a RequestContext, as its own `watch.ts`
 * does): its typed APIs run built-in kinds through generated models that drop
 * fields they do not know (kubernetes-client/javascript#2962), which a
 * reconciler of arbitrary rendered YAML cannot afford.
 *
 * - at most `maxInFlight` requests per cluster (16 by default; bounded
 *   concurrency instead of a client QPS limit, performance-anchors.md §7.4);
 * - 429, 503 and 504 are retried, honouring Retry-After (backoff otherwise);
 *   500 only when the server asks for a retry;
 * - errors say what failed: unreachable, 401 (credentials), 403, or the
 *   server's own Status message. Credentials never appear in a message.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { type Dispatcher, request } from 'undici';
import { RuntimeError } from '../errors/index.ts';
import { redact, rememberSecret, yamlErrorPlace } from '../errors/redact.ts';
import type { JsonObject, JsonValue } from '../model/types.ts';

/** Where a cluster's credentials come from. */
export type ClusterCredentials =
  | { mode: 'kubeconfig'; /** Kubeconfig file; default $KUBECONFIG, then ~/.kube/config. */ kubeconfigPath?: string | undefined; context: string }
  | { mode: 'in-cluster' };

export interface KubeClientOptions {
  /** Requests in flight at once (default 16). */
  maxInFlight?: number;
  /** Per-request timeout (default 30 s). */
  requestTimeoutMs?: number;
  /** Attempts for a throttled (429/503) or failed (5xx) request, including the first (default 6). */
  maxAttempts?: number;
  /** Upper bound for one Retry-After wait (default 30 s). */
  maxRetryAfterMs?: number;
  /** How long authentication headers are reused before they are computed again (default 60 s; exec and token-file credentials rotate). */
  authTtlMs?: number;
}

/** One API resource as discovery describes it. */
export interface ApiResource {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name, as used in URLs. */
  plural: string;
  namespaced: boolean;
  verbs: string[];
}

/** The HTTP status and the server's own message of a failed request. */
export class KubeApiError extends RuntimeError {
  readonly status: number;
  /** `reason` of the server's Status object (Invalid, NotFound, Conflict, Forbidden, ...). */
  readonly reason: string;
  /** The server's message, as it wrote it. */
  readonly serverMessage: string;
  constructor(cluster: string, status: number, reason: string, serverMessage: string, what: string) {
    super('KUBE_API_ERROR', `${what} in cluster "${cluster}" failed (${status} ${reason}): ${serverMessage}`, { cluster, status, reason });
    this.status = status;
    this.reason = reason;
    this.serverMessage = serverMessage;
  }
}

/** The API server did not answer (connection refused or reset, DNS, TLS, timeout). */
export class ClusterUnreachableError extends RuntimeError {
  readonly cluster: string;
  constructor(cluster: string, message: string, options?: ErrorOptions) {
    super('CLUSTER_UNREACHABLE', message, { cluster }, options);
    this.cluster = cluster;
  }
}

/** 401: the credentials are missing, invalid or expired. */
export class ClusterAuthError extends RuntimeError {
  readonly cluster: string;
  constructor(cluster: string, message: string) {
    super('CLUSTER_UNAUTHORIZED', message, { cluster });
    this.cluster = cluster;
  }
}

/** The kubeconfig (or in-cluster environment) does not describe the cluster. */
export class ClusterConfigError extends RuntimeError {}

export const JSON_ACCEPT = 'application/json';
/** Aggregated discovery (GA in Kubernetes 1.30): every group, version and resource in two requests. */
const AGGREGATED_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;q=0.9';
export const APPLY_CONTENT_TYPE = 'application/apply-patch+yaml';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** A counting semaphore: at most `limit` holders at once, FIFO. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  readonly limit: number;
  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  body?: string;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal | undefined;
  /** What the request does, for messages ("apply Deployment web/api"). */
  what?: string;
  /** Hand back the body as text instead of parsing JSON (health endpoints answer `ok`). */
  raw?: boolean;
  /** Attempts for this request (default: the client's maxAttempts); a health check asks once. */
  maxAttempts?: number;
}

export interface Response<T = JsonValue> {
  status: number;
  body: T;
}

interface Auth {
  headers: Record<string, string>;
  dispatcher: Dispatcher | undefined;
  expires: number;
}

/** Kubeconfig keys whose values are credentials (client-go api/v1 AuthInfo, auth-provider config). */
const CREDENTIAL_KEYS = /^[ \t-]*["']?(token|password|client-key-data|id-token|refresh-token|access-token|client-secret)["']?\s*:\s*["']?([^\s"'#]+)/gm;

/**
 * The credentials written in a kubeconfig's text, found line by line so that
 * a file that does not parse still gives them up; a client key also as the
 * PEM it encodes and each line of that PEM.
 */
export function kubeconfigSecrets(text: string): string[] {
  const secrets: string[] = [];
  for (const m of text.matchAll(CREDENTIAL_KEYS)) {
    const value = m[2] as string;
    secrets.push(value);
    if (m[1] === 'client-key-data') {
      const pem = Buffer.from(value, 'base64').toString('utf8');
      secrets.push(pem, ...pem.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')));
    }
  }
  return secrets;
}

/** Reads one kubeconfig file into `kc`, remembering its credentials so that no message shows them. */
function loadFile(kc: KubeConfig, file: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ClusterConfigError('KUBECONFIG_UNREADABLE', `kubeconfig ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  for (const secret of kubeconfigSecrets(text)) rememberSecret(secret);
  try {
    kc.loadFromString(text);
  } catch (err) {
    throw invalidKubeconfig(file, err);
  }
  kc.makePathsAbsolute(path.dirname(file)); // as loadFromFile does: relative certificate paths are relative to the file
}

/**
 * A kubeconfig that does not load, named by file, line and column only: the
 * parser's own message quotes the lines around the error, which hold tokens
 * and keys.
 */
function invalidKubeconfig(file: string, err: unknown): ClusterConfigError {
  const e = err as { name?: unknown; message?: unknown };
  if (e.name === 'YAMLException') {
    return new ClusterConfigError('KUBECONFIG_INVALID', `kubeconfig ${file}: not valid YAML (${yamlErrorPlace(err)})`, { file });
  }
  // The library's own checks name a field ("users[0].name is missing"); the first line is enough.
  const message = redact(String(e.message ?? err).split('\n')[0] ?? '');
  return new ClusterConfigError('KUBECONFIG_INVALID', `kubeconfig ${file}: not a valid kubeconfig: ${message}`, { file });
}

/**
 * The credential of an Authorization header the client computed (a token
 * from a file, an exec plugin or an auth provider, possibly rotated since
 * start), remembered so that no message shows it.
 */
function rememberAuthorization(headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'authorization') continue;
    rememberSecret(value.replace(/^\S+\s+/, ''));
  }
}

/** Loads a kubeconfig without the library's silent fallback to http://localhost:8080. */
export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const kc = new KubeConfig();
  const explicit = kubeconfigPath ?? undefined;
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new ClusterConfigError('KUBECONFIG_NOT_FOUND', `kubeconfig ${explicit} does not exist`);
    loadFile(kc, explicit);
    return kc;
  }
  const env = process.env.KUBECONFIG;
  if (env !== undefined && env !== '') {
    const files = env.split(path.delimiter).filter((f) => f !== '' && existsSync(f));
    if (files.length === 0) throw new ClusterConfigError('KUBECONFIG_NOT_FOUND', 'no file named by $KUBECONFIG exists');
    // Each file on its own first, so that an invalid one is named; then the merge kubectl does.
    for (const file of files) loadFile(new KubeConfig(), file);
    kc.loadFromDefault();
    return kc;
  }
  const home = path.join(homedir(), '.kube', 'config');
  if (!existsSync(home)) throw new ClusterConfigError('KUBECONFIG_NOT_FOUND', 'no kubeconfig: pass --kubeconfig, set $KUBECONFIG or create ~/.kube/config');
  loadFile(kc, home);
  return kc;
}

function describeCause(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  const cause = e.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : typeof e.code === 'string' ? e.code : undefined;
  const message = typeof cause?.message === 'string' && cause.message !== '' ? cause.message : typeof e.message === 'string' ? e.message : String(err);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

function isNetworkError(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown }; name?: unknown };
  if (e.name === 'TimeoutError') return true;
  const codes = [e.code, e.cause?.code].filter((c): c is string => typeof c === 'string');
  if (codes.some((c) => NETWORK_CODES.has(c) || c.startsWith('ERR_TLS') || c.startsWith('CERT_') || c.includes('SSL'))) return true;
  return false;
}

/** Waits `ms`; rejects with the signal's reason as soon as it aborts. */
/**
 * `work`, or the signal's reason as soon as it aborts. undici does not honour
 * an abort while it is still connecting: to a server that accepts the TCP
 * connection and never answers the TLS handshake (a frozen API server) a
 * request would wait for the 10 s connect timeout whatever the deadline.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** `details.retryAfterSeconds` of a Status object, in milliseconds. */
function retryAfterSecondsOf(body: unknown): number | undefined {
  const details = asObject(asObject(body).details);
  return typeof details.retryAfterSeconds === 'number' ? details.retryAfterSeconds * 1000 : undefined;
}

function statusOf(body: unknown): { reason: string; message: string } {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as { reason?: unknown; message?: unknown };
    return { reason: typeof b.reason === 'string' ? b.reason : '', message: typeof b.message === 'string' ? b.message : '' };
  }
  return { reason: '', message: typeof body === 'string' ? body.slice(0, 500) : '' };
}

const REASON_BY_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export class KubeClient {
  /** Cluster name, used in messages. */
  readonly cluster: string;
  /** API server URL without a trailing slash. */
  readonly server: string;
  private readonly kc: KubeConfig;
  private readonly limiter: Semaphore;
  private readonly requestTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxRetryAfterMs: number;
  private readonly authTtlMs: number;
  private auth: Auth | undefined;
  private authing: Promise<Auth> | undefined;
  private discovery: Promise<DiscoveryIndex> | undefined;
  /** Requests sent (including retries), for benchmarks and tests. */
  requests = 0;

  constructor(cluster: string, kc: KubeConfig, options: KubeClientOptions = {}) {
    const current = kc.getCurrentCluster();
    if (current === null) throw new ClusterConfigError('KUBECONFIG_NO_CLUSTER', `cluster "${cluster}": the kubeconfig context names no cluster`);
    this.cluster = cluster;
    this.server = current.server.replace(/\/+$/, '');
    this.kc = kc;
    this.limiter = new Semaphore(options.maxInFlight ?? 16);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
    this.authTtlMs = options.authTtlMs ?? 60_000;
  }

  /** A client for `cluster` from the given credentials (context name = cluster name unless the credentials say otherwise). */
  static create(cluster: string, credentials: ClusterCredentials, options: KubeClientOptions = {}, loaded?: KubeConfig): KubeClient {
    if (credentials.mode === 'in-cluster') {
      if (!process.env.KUBERNETES_SERVICE_HOST) {
        throw new ClusterConfigError('IN_CLUSTER_UNAVAILABLE', 'in-cluster credentials need KUBERNETES_SERVICE_HOST (not running in a pod?)');
      }
      const kc = new KubeConfig();
      kc.loadFromCluster();
      return new KubeClient(cluster, kc, options);
    }
    const base = loaded ?? loadKubeConfig(credentials.kubeconfigPath);
    if (base.getContextObject(credentials.context) === null) {
      throw new ClusterConfigError(
        'KUBECONFIG_NO_CONTEXT',
        `cluster "${cluster}": the kubeconfig has no context named "${credentials.context}" (map the cluster to a context with --context ${cluster}=CONTEXT or the annotation manifold.dev/context on its inventory object)`,
      );
    }
    // One KubeConfig per context: the library resolves everything from the current context.
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: base.getClusters(), users: base.getUsers(), contexts: base.getContexts(), currentContext: credentials.context });
    return new KubeClient(cluster, kc, options);
  }

  private async authenticate(): Promise<Auth> {
    const now = Date.now();
    if (this.auth !== undefined && this.auth.expires > now) return this.auth;
    this.authing ??= (async () => {
      try {
        const ctx = new RequestContext(this.server, HttpMethod.GET);
        await this.kc.applySecurityAuthentication(ctx);
        const fresh = ctx.getDispatcher();
        // The library builds a new dispatcher (a new connection pool) on every
        // call; keep the first one so connections are reused, drop the rest.
        let dispatcher = this.auth?.dispatcher;
        if (dispatcher === undefined) dispatcher = fresh;
        else if (fresh !== undefined && fresh !== dispatcher) void fresh.close().catch(() => {});
        const auth: Auth = { headers: { ...ctx.getHeaders() }, dispatcher, expires: Date.now() + this.authTtlMs };
        rememberAuthorization(auth.headers);
        this.auth = auth;
        return auth;
      } catch (err) {
        throw new ClusterAuthError(this.cluster, `cluster "${this.cluster}": cannot load its credentials: ${describeCause(err)}`);
      } finally {
        this.authing = undefined;
      }
    })();
    return this.authing;
  }

  /** One request with retries; throws KubeApiError (≥ 400), ClusterAuthError (401) or ClusterUnreachableError. */
  async request<T = JsonValue>(method: string, urlPath: string, opts: RequestOptions = {}): Promise<Response<T>> {
    return this.limiter.run(() => this.requestWithRetries<T>(method, urlPath, opts));
  }

  private async requestWithRetries<T>(method: string, urlPath: string, opts: RequestOptions): Promise<Response<T>> {
    const url = new URL(this.server + urlPath);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const what = opts.what ?? `${method} ${urlPath}`;
    let socketRetried = false;
    for (let attempt = 1; ; attempt++) {
      const auth = await this.authenticate();
      const signals = [AbortSignal.timeout(this.requestTimeoutMs)];
      if (opts.signal) signals.push(opts.signal);
      const headers: Record<string, string> = { ...auth.headers, accept: opts.accept ?? JSON_ACCEPT, 'user-agent': 'manifold' };
      if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
      let res: Awaited<ReturnType<typeof request>>;
      let text: string;
      this.requests++;
      const signal = AbortSignal.any(signals);
      try {
        res = await untilAborted(request(url, { method: method as Dispatcher.HttpMethod, headers, body: opts.body, dispatcher: auth.dispatcher, signal }), signal);
        text = await untilAborted(res.body.text(), signal);
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? err;
        if (signal.aborted) {
          // Our own per-request deadline (not the caller's cancellation): the server accepted the
          // connection but never answered, e.g. it hangs or died mid-request. That is unreachable
          // too, and the fleet worker retries it like a refused connection.
          throw new ClusterUnreachableError(this.cluster, `cannot reach the API server of cluster "${this.cluster}" (${this.server}): no answer within ${Math.round(this.requestTimeoutMs / 1000)} s`, { cause: err });
        }
        const code = (err as { code?: string; cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
        // A keep-alive connection closed by the server: one silent retry.
        if (!socketRetried && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')) {
          socketRetried = true;
          continue;
        }
        if (isNetworkError(err)) {
          throw new ClusterUnreachableError(this.cluster, `cannot reach the API server of cluster "${this.cluster}" (${this.server}): ${describeCause(err)}`, { cause: err });
        }
        // Our own per-request deadline (not the caller's cancellation): the server accepted
        // the connection but never answered, e.g. it died mid-request. That is unreachable
        // too, and the fleet worker retries it like a refused connection.
        if ((err as { name?: string })?.name === 'TimeoutError' || (err as { name?: string })?.name === 'AbortError') {
          throw new ClusterUnreachableError(this.cluster, `cannot reach the API server of cluster "${this.cluster}" (${this.server}): no answer within ${Math.round(this.requestTimeoutMs / 1000)} s`, { cause: err });
        }
        throw err;
      }
      const status = res.statusCode;
      if (status < 400 && opts.raw) return { status, body: text as T };
      if (status < 400) {
        let body: unknown;
        try {
          body = text === '' ? null : JSON.parse(text);
        } catch {
          throw new KubeApiError(this.cluster, status, 'BadResponse', `the server answered with a body that is not JSON (${text.slice(0, 80)}…)`, what);
        }
        return { status, body: body as T };
      }
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // plain-text error body
      }
      const { reason, message } = statusOf(parsed);
      if (status === 401) {
        this.auth = { ...(this.auth as Auth), expires: 0 }; // rotate credentials next time
        throw new ClusterAuthError(
          this.cluster,
          `the API server of cluster "${this.cluster}" rejected the credentials (401 Unauthorized): the token or client certificate is missing, invalid or expired`,
        );
      }
      // 500 is also what the server answers for deterministic failures ("failed to create typed
      // patch object"): retried only when the server asks for it (Retry-After, details.retryAfterSeconds).
      const hinted = retryAfterMs(res.headers['retry-after']) ?? retryAfterSecondsOf(parsed);
      const retryable = status === 429 || status === 503 || status === 504 || ((status === 500 || status === 502) && hinted !== undefined);
      if (retryable && attempt < (opts.maxAttempts ?? this.maxAttempts)) {
        const backoff = hinted ?? Math.min(250 * 2 ** (attempt - 1), 8000);
        await sleep(Math.min(backoff, this.maxRetryAfterMs), opts.signal);
        continue;
      }
      throw new KubeApiError(this.cluster, status, reason || REASON_BY_STATUS[status] || 'Error', message || text.slice(0, 500) || `HTTP ${status}`, what);
    }
  }

  /**
   * Closes the connection pool. Destroyed, not drained: whatever is still
   * pending was given up by its caller (a connect to a frozen server would
   * otherwise hold the close, and the process, for the connect timeout).
   */
  async close(): Promise<void> {
    const d = this.auth?.dispatcher;
    this.auth = undefined;
    if (d !== undefined) await d.destroy().catch(() => {});
  }

  // ---- discovery ----------------------------------------------------------

  /** Every served resource (cached until invalidateDiscovery()). */
  async resources(signal?: AbortSignal): Promise<DiscoveryIndex> {
    this.discovery ??= this.discover(signal).catch((err: unknown) => {
      this.discovery = undefined;
      throw err;
    });
    return this.discovery;
  }

  /** Forget discovery, e.g. after CRDs were applied. */
  invalidateDiscovery(): void {
    this.discovery = undefined;
  }

  private async discover(signal?: AbortSignal): Promise<DiscoveryIndex> {
    const [core, groups] = await Promise.all([
      this.request<JsonObject>('GET', '/api', { accept: AGGREGATED_ACCEPT, signal, what: 'discovery' }),
      this.request<JsonObject>('GET', '/apis', { accept: AGGREGATED_ACCEPT, signal, what: 'discovery' }),
    ]);
    const index = new DiscoveryIndex();
    for (const doc of [core.body, groups.body]) {
      if (doc.kind === 'APIGroupDiscoveryList') index.addAggregated(doc);
      else await this.addLegacy(index, doc, signal);
    }
    return index;
  }

  /** Pre-1.30 servers: one request per group version. */
  private async addLegacy(index: DiscoveryIndex, doc: JsonObject, signal?: AbortSignal): Promise<void> {
    const lists: { group: string; version: string; path: string; preferred: boolean }[] = [];
    if (doc.kind === 'APIVersions') {
      for (const v of asArray(doc.versions)) if (typeof v === 'string') lists.push({ group: '', version: v, path: `/api/${v}`, preferred: v === 'v1' });
    } else {
      for (const g of asArray(doc.groups)) {
        const group = asObject(g);
        const name = String(group.name ?? '');
        const preferred = String(asObject(group.preferredVersion).version ?? '');
        for (const v of asArray(group.versions)) {
          const version = String(asObject(v).version ?? '');
          lists.push({ group: name, version, path: `/apis/${name}/${version}`, preferred: version === preferred });
        }
      }
    }
    // Preferred versions first, so that they win the group-kind index.
    lists.sort((a, b) => Number(b.preferred) - Number(a.preferred));
    const bodies = await Promise.all(
      lists.map((l) => this.request<JsonObject>('GET', l.path, { signal, what: 'discovery' }).then((r) => ({ l, body: r.body }))),
    );
    for (const { l, body } of bodies) {
      for (const r of asArray(body.resources)) {
        const res = asObject(r);
        const plural = String(res.name ?? '');
        if (plural === '' || plural.includes('/')) continue; // subresources
        index.add({
          group: l.group,
          version: l.version,
          kind: String(res.kind ?? ''),
          plural,
          namespaced: res.namespaced === true,
          verbs: asArray(res.verbs).map(String),
        });
      }
    }
  }

  // ---- objects ------------------------------------------------------------

  /** URL path of a collection or (with name) one object. */
  static path(res: ApiResource, namespace: string | undefined, name?: string): string {
    const base = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
    const ns = res.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${res.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
  }

  /** All objects of a resource (every namespace unless one is given), page by page. Items get apiVersion and kind. */
  async list(
    res: ApiResource,
    opts: { namespace?: string; labelSelector?: string; fieldSelector?: string; limit?: number; signal?: AbortSignal | undefined } = {},
  ): Promise<JsonObject[]> {
    const items: JsonObject[] = [];
    const apiVersion = res.group === '' ? res.version : `${res.group}/${res.version}`;
    let token: string | undefined;
    do {
      const r = await this.request<JsonObject>('GET', KubeClient.path(res, opts.namespace), {
        query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: String(opts.limit ?? 500), continue: token },
        signal: opts.signal,
        what: `list ${res.plural}${res.group ? `.${res.group}` : ''}`,
      });
      for (const item of asArray(r.body.items)) {
        const obj = asObject(item);
        obj.apiVersion = apiVersion;
        obj.kind = res.kind;
        items.push(obj);
      }
      const next = asObject(r.body.metadata).continue;
      token = typeof next === 'string' && next !== '' ? next : undefined;
    } while (token !== undefined);
    return items;
  }

  /** One object, or undefined when it does not exist. */
  async get(res: ApiResource, namespace: string | undefined, name: string, signal?: AbortSignal): Promise<JsonObject | undefined> {
    try {
      const r = await this.request<JsonObject>('GET', KubeClient.path(res, namespace, name), { signal, what: `get ${res.kind} ${name}` });
      return r.body;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * Server-side apply (`application/apply-patch+yaml`; a JSON body is valid
   * YAML). Unknown fields are rejected (fieldValidation=Strict, as kubectl
   * does), so a typo is reported instead of silently dropped.
   */
  async apply(
    res: ApiResource,
    obj: JsonObject,
    opts: { fieldManager: string; force?: boolean; dryRun?: boolean; signal?: AbortSignal | undefined; what?: string },
  ): Promise<Response<JsonObject>> {
    const meta = asObject(obj.metadata);
    const name = String(meta.name ?? '');
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
    return this.request<JsonObject>('PATCH', KubeClient.path(res, namespace, name), {
      query: {
        fieldManager: opts.fieldManager,
        force: opts.force === false ? undefined : 'true',
        dryRun: opts.dryRun ? 'All' : undefined,
        fieldValidation: 'Strict',
      },
      body: JSON.stringify(obj),
      contentType: APPLY_CONTENT_TYPE,
      signal: opts.signal,
      what: opts.what ?? `apply ${res.kind} ${namespace ? `${namespace}/` : ''}${name}`,
    });
  }

  /** Deletes one object (background propagation; optional uid precondition). False when it was already gone. */
  async delete(
    res: ApiResource,
    namespace: string | undefined,
    name: string,
    opts: { uid?: string | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<boolean> {
    const body: JsonObject = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' };
    if (opts.uid !== undefined) body.preconditions = { uid: opts.uid };
    try {
      await this.request('DELETE', KubeClient.path(res, namespace, name), {
        body: JSON.stringify(body),
        signal: opts.signal,
        what: `delete ${res.kind} ${namespace ? `${namespace}/` : ''}${name}`,
      });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return false;
      throw err;
    }
  }
}

/** Resources by group/version/kind and, for listing by group-kind, the preferred version. */
export class DiscoveryIndex {
  private readonly byGvk = new Map<string, ApiResource>();
  private readonly byGk = new Map<string, ApiResource>();
  /** Every resource in the order discovery listed it, duplicates of a kind included (apiEnablements lists them all). */
  private readonly entries: ApiResource[] = [];

  add(r: ApiResource): void {
    if (r.kind === '') return;
    this.entries.push(r);
    const gvk = `${r.group}/${r.version}/${r.kind}`;
    if (!this.byGvk.has(gvk)) this.byGvk.set(gvk, r);
    const gk = groupKind(r.group, r.kind);
    if (!this.byGk.has(gk)) this.byGk.set(gk, r);
  }

  /** Reads an APIGroupDiscoveryList (versions are listed in preference order). */
  addAggregated(doc: JsonObject): void {
    for (const g of asArray(doc.items)) {
      const group = asObject(g);
      const name = String(asObject(group.metadata).name ?? '');
      for (const v of asArray(group.versions)) {
        const version = asObject(v);
        for (const r of asArray(version.resources)) {
          const res = asObject(r);
          const kind = String(asObject(res.responseKind).kind ?? '');
          this.add({
            group: name,
            version: String(version.version ?? ''),
            kind,
            plural: String(res.resource ?? ''),
            namespaced: res.scope === 'Namespaced',
            verbs: asArray(res.verbs).map(String),
          });
        }
      }
    }
  }

  /** The resource serving apiVersion + kind, if any. */
  find(apiVersion: string, kind: string): ApiResource | undefined {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    return this.byGvk.get(`${group}/${version}/${kind}`);
  }

  /** The preferred version's resource for a group-kind (`Kind` or `Kind.group`). */
  findGroupKind(gk: string): ApiResource | undefined {
    return this.byGk.get(gk);
  }

  get size(): number {
    return this.byGvk.size;
  }

  /** Every served resource, every version. */
  all(): readonly ApiResource[] {
    return this.entries;
  }
}

/** `Kind.group`, or `Kind` for the core group: the ApplySet (and `schema.GroupKind.String()`) spelling. */
export function groupKind(group: string, kind: string): string {
  return group === '' ? kind : `${kind}.${group}`;
}

export function asObject(v: unknown): JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : {};
}

export function asArray(v: unknown): JsonValue[] {
  return Array.isArray(v) ? (v as JsonValue[]) : [];
}
