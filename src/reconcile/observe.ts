/**
 * observeCluster: reads a cluster's live state the way Karmada's cluster
 * status controller does (karmada pkg/controllers/status/cluster_status_controller.go
 * syncClusterStatus / setCurrentClusterStatus), inside the cluster's own
 * reconcile worker and under its deadline:
 *
 * 1. GET /readyz (/healthz when /readyz is not served): any error means not
 *    online → Ready=False ClusterNotReachable, and nothing else is collected.
 * 2. Then at once: GET /version, discovery (reused from the reconcile),
 *    one paged LIST of Nodes, one paged LIST of Pods in every namespace with
 *    the field selector `status.phase!=Succeeded,status.phase!=Failed`.
 *    Karmada reads both lists from informers; a reconciler that runs every
 *    few minutes does better with one LIST each than with a watch it keeps
 *    open, and the field selector drops finished pods (completed Jobs) on the
 *    server, which Karmada's allocated sum skips anyway. † A finished pod
 *    that never got a node counts in Karmada's `allocating`; here it does not.
 *
 * So a reachable cluster costs 5 requests per observation (6 with /healthz,
 * plus one per 500 nodes or pods beyond the first page).
 */
import { type ApiResource, ClusterAuthError, ClusterUnreachableError, type DiscoveryIndex, KubeApiError, type KubeClient } from './kube.ts';
import { apiEnablements, kubeadmiralResources, kubeTime, nodeSummary, readyCondition, resourceSummary, workloadCounts, type WorkloadObject } from './live.ts';
import type { JsonObject } from '../model/types.ts';
import type { LiveState } from './types.ts';

const NODES: ApiResource = { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, verbs: ['list'] };
const PODS: ApiResource = { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, verbs: ['list'] };
/** Pods the scheduler still accounts for. */
export const UNFINISHED_PODS = 'status.phase!=Succeeded,status.phase!=Failed';

export interface ObserveOptions {
  client: KubeClient;
  /** Discovery the reconcile already did (else it is read). */
  discovery?: DiscoveryIndex | undefined;
  /** The workloads of the cluster's rendered tree, with their live objects. */
  workloads: readonly WorkloadObject[];
  signal?: AbortSignal | undefined;
  now?: () => Date;
  /** Something could not be read (403 on pods, say): said once, the rest is still reported. */
  warn?: (message: string) => void;
}

export interface Observation {
  live: LiveState;
  /** Requests sent for the observation (retries included). */
  requests: number;
  durationMs: number;
}

function isOffline(err: unknown): boolean {
  return err instanceof ClusterUnreachableError || err instanceof ClusterAuthError || err instanceof KubeApiError;
}

/** karmada getClusterHealthStatus: /readyz, or /healthz when /readyz is not there. */
export async function clusterHealth(client: KubeClient, signal?: AbortSignal): Promise<{ online: boolean; healthy: boolean }> {
  const probe = (path: string) => client.request<string>('GET', path, { raw: true, accept: 'text/plain, */*', maxAttempts: 1, signal, what: `GET ${path}` });
  try {
    let res;
    try {
      res = await probe('/readyz');
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
      res = await probe('/healthz');
    }
    return { online: true, healthy: res.status === 200 };
  } catch (err) {
    if (signal?.aborted) throw err;
    // healthEndpointCheck returns client-go's error for any answer that is not 2xx, and for no answer: not online.
    if (isOffline(err)) return { online: false, healthy: false };
    throw err;
  }
}

/** Reads the live state; throws only when the signal aborts. */
export async function observeCluster(opts: ObserveOptions): Promise<Observation> {
  const { client, signal } = opts;
  const now = opts.now ?? (() => new Date());
  const started = Date.now();
  const before = client.requests;
  const at = kubeTime(now());
  const done = (live: LiveState): Observation => ({ live, requests: client.requests - before, durationMs: Date.now() - started });

  const health = await clusterHealth(client, signal);
  const ready = readyCondition(health.online, health.healthy, at);
  if (!health.online || !health.healthy) return done({ observedAt: at, conditions: [ready] });

  const failures: string[] = [];
  let offline = false;
  const attempt = async <T>(what: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (err) {
      if (signal?.aborted) throw err;
      if (err instanceof ClusterUnreachableError || err instanceof ClusterAuthError) offline = true;
      else failures.push(`${what}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const [version, discovery, nodes, pods] = await Promise.all([
    attempt('version', async () => {
      const r = await client.request<JsonObject>('GET', '/version', { signal, what: 'GET /version' });
      return typeof r.body.gitVersion === 'string' ? r.body.gitVersion : undefined;
    }),
    attempt('discovery', async () => opts.discovery ?? (await client.resources(signal))),
    attempt('nodes', () => client.list(NODES, { signal })),
    attempt('pods', () => client.list(PODS, { fieldSelector: UNFINISHED_PODS, signal })),
  ]);
  // The cluster went away between the health check and the lists: what the next check will say.
  if (offline) return done({ observedAt: at, conditions: [readyCondition(false, false, at)] });
  if (failures.length > 0) opts.warn?.(`live state incomplete: ${failures.join('; ')}`);
  const live: LiveState = {
    observedAt: at,
    conditions: [ready],
    ...(version === undefined ? {} : { kubernetesVersion: version }),
    ...(nodes === undefined ? {} : { nodeSummary: nodeSummary(nodes) }),
    ...(nodes === undefined || pods === undefined ? {} : { resourceSummary: resourceSummary(nodes, pods) }),
    ...(discovery === undefined ? {} : { apiEnablements: apiEnablements(discovery.all()) }),
    ...(pods === undefined || opts.workloads.length === 0 ? {} : { workloads: workloadCounts(opts.workloads, pods) }),
    ...(nodes === undefined || pods === undefined ? {} : { resources: kubeadmiralResources(nodes, pods) }),
  };
  return done(live);
}
