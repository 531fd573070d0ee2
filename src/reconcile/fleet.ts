/**
 * reconcileFleet: every cluster in its own worker. Bounded concurrency
 * (p-queue), a deadline per cluster, and retries with backoff for an
 * unreachable cluster, so one slow or dead cluster never stalls the others
 * (gitops-practices.md pain point 5; argo-cd#19816, rancher/fleet#594).
 */
import PQueue from 'p-queue';
import { classifyClusterError, reconcileCluster, type ReconcileOptions } from './cluster.ts';
import { type ClusterCredentials, KubeClient, type KubeClientOptions, loadKubeConfig } from './kube.ts';
import { kubeTime, STATUS_COLLECTION_FAILED, unreachableLive } from './live.ts';
import type { ClusterStatus } from './types.ts';
import type { KubeConfig } from '@kubernetes/client-node';

export interface FleetTarget {
  cluster: string;
  /** The cluster's rendered tree: relative path → YAML. */
  tree: ReadonlyMap<string, string>;
  /** How to reach it; default: the kubeconfig context named after the cluster. */
  credentials?: ClusterCredentials;
  /** A ready client (tests, benchmarks); takes precedence over credentials. */
  client?: KubeClient;
}

export interface FleetOptions extends Omit<ReconcileOptions, 'client' | 'cluster' | 'signal'> {
  /** Clusters reconciled at once (default 8). */
  concurrency?: number;
  /** Deadline for one cluster, retries included (default 10 min). */
  clusterTimeoutMs?: number;
  /** Extra attempts for an unreachable cluster (default 2). */
  retries?: number;
  /** First backoff between attempts, doubled each time (default 2 s). */
  retryBackoffMs?: number;
  /** Kubeconfig used for targets without credentials ($KUBECONFIG, ~/.kube/config when absent). */
  kubeconfigPath?: string | undefined;
  clientOptions?: KubeClientOptions;
  /** Called as soon as a cluster is done, before the others finish. */
  onResult?: (status: ClusterStatus) => void;
  /** Called when an attempt ended Unreachable and another follows: what the cluster is until then. */
  onAttempt?: (status: ClusterStatus) => void;
  signal?: AbortSignal;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function configFailure(cluster: string, renderedCommit: string, message: string, reason: string): ClusterStatus {
  const at = new Date().toISOString();
  return {
    cluster,
    renderedCommit,
    result: 'Failed',
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
    summary: { objects: 0, applied: 0, unchanged: 0, pruned: 0, failed: 0, drifted: 0, unhealthy: 0 },
    conditions: [{ type: 'Ready', status: 'False', reason, message }],
    objects: [],
    // karmada syncClusterStatus: no client for the cluster → Ready=False StatusCollectionFailed.
    ...(reason === 'ConfigurationError' ? { live: unreachableLive(kubeTime(new Date(at)), STATUS_COLLECTION_FAILED, `failed to create a client for the cluster: ${message}`) } : {}),
  };
}

/**
 * A cluster that left the fleet and could not be checked (unreachable, no
 * credentials): Orphaned, keeping the reason; the report fills in the objects
 * last known to run there (lastApplied).
 */
function asOrphan(status: ClusterStatus): ClusterStatus {
  if (status.result === 'Orphaned') return status;
  const conditions = status.conditions.map((c) =>
    c.type === 'Ready' ? { ...c, message: `cluster "${status.cluster}" left the fleet (no folder in the rendered tree); what it still runs cannot be checked: ${c.message}` } : c,
  );
  return { ...status, result: 'Orphaned', summary: { ...status.summary, objects: 0 }, conditions };
}

/** Reconciles every target; the statuses come back in the targets' order. */
export async function reconcileFleet(targets: readonly FleetTarget[], opts: FleetOptions): Promise<ClusterStatus[]> {
  const queue = new PQueue({ concurrency: Math.max(1, opts.concurrency ?? 8) });
  const timeoutMs = opts.clusterTimeoutMs ?? 600_000;
  const retries = Math.max(0, opts.retries ?? 2);
  let kubeconfig: KubeConfig | undefined;
  let kubeconfigError: unknown;
  const needsKubeconfig = targets.some((t) => t.client === undefined && (t.credentials === undefined || t.credentials.mode === 'kubeconfig'));
  if (needsKubeconfig) {
    try {
      kubeconfig = loadKubeConfig(opts.kubeconfigPath);
    } catch (err) {
      kubeconfigError = err;
    }
  }

  const one = async (target: FleetTarget): Promise<ClusterStatus> => {
    let client = target.client;
    const own = client === undefined;
    if (client === undefined) {
      const credentials: ClusterCredentials = target.credentials ?? { mode: 'kubeconfig', kubeconfigPath: opts.kubeconfigPath, context: target.cluster };
      try {
        if (credentials.mode === 'kubeconfig' && credentials.kubeconfigPath === opts.kubeconfigPath && kubeconfigError !== undefined) throw kubeconfigError;
        const shared = credentials.mode === 'kubeconfig' && credentials.kubeconfigPath === opts.kubeconfigPath ? kubeconfig : undefined;
        client = KubeClient.create(target.cluster, credentials, opts.clientOptions, shared);
      } catch (err) {
        const failure = configFailure(target.cluster, opts.renderedCommit, (err as Error).message, 'ConfigurationError');
        return opts.orphaned ? asOrphan(failure) : failure;
      }
    }
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
    try {
      let status: ClusterStatus | undefined;
      for (let attempt = 0; attempt <= retries; attempt++) {
        // An attempt ends at its first cluster-level error while other requests of it may still be
        // waiting on a dead server: cancel them, so they do not hold the client's slots in the next one.
        const attemptOver = new AbortController();
        try {
          status = await reconcileCluster(target.tree, { ...opts, client, cluster: target.cluster, signal: AbortSignal.any([signal, attemptOver.signal]) });
        } finally {
          attemptOver.abort(new DOMException('the attempt is over', 'AbortError'));
        }
        if (status.result !== 'Unreachable' || attempt === retries || signal.aborted) break;
        opts.onAttempt?.(structuredClone(opts.orphaned ? asOrphan(status) : status));
        await sleep((opts.retryBackoffMs ?? 2000) * 2 ** attempt, signal);
        if (signal.aborted) break;
      }
      if (status === undefined) throw new Error('unreachable: no attempt was made');
      const ready = status.conditions.find((c) => c.type === 'Ready');
      if (deadline.aborted && status.result === 'Unreachable' && ready) {
        // Out of time while the cluster stayed unreachable: say both.
        ready.message = `${ready.message} (gave up after ${Math.round(timeoutMs / 1000)} s)`;
      } else if (deadline.aborted && ready?.reason === 'Timeout') {
        ready.message = `the reconcile of cluster "${target.cluster}" did not finish within ${Math.round(timeoutMs / 1000)} s`;
      }
      return opts.orphaned ? asOrphan(status) : status;
    } catch (err) {
      const c = classifyClusterError(err, signal);
      return configFailure(target.cluster, opts.renderedCommit, c.message, c.reason);
    } finally {
      if (own) await client.close();
    }
  };

  return Promise.all(
    targets.map((t) =>
      queue.add(async () => {
        const status = await one(t);
        opts.onResult?.(status);
        return status;
      }),
    ),
  ) as Promise<ClusterStatus[]>;
}
