/**
 * Prometheus metrics of the reconciler (prom-client 15) in its own Registry,
 * every name prefixed `manifold_`, so embedding Manifold never collides with
 * the host's metrics (ecosystem-notes.md §5).
 *
 * Per cluster: reconcile duration (histogram), objects applied and pruned
 * (counters), drifted and unhealthy objects and errors of the last run
 * (gauges), and the last result as a one-hot gauge, which is what alerting
 * rules want (`manifold_cluster_result{result="Synced"} == 0`).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ShardMetrics } from './leases.ts';
import type { ClusterResult, ClusterStatus } from './types.ts';

export const METRICS_PREFIX = 'manifold_';
const RESULTS: readonly ClusterResult[] = ['Synced', 'Degraded', 'Failed', 'Unreachable', 'Orphaned'];

export class ReconcilerMetrics {
  readonly registry = new Registry();
  readonly reconcileDuration = new Histogram({
    name: `${METRICS_PREFIX}reconcile_duration_seconds`,
    help: 'Duration of one reconcile of one cluster (apply, prune, health, drift)',
    labelNames: ['cluster', 'result'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  readonly objectsApplied = new Counter({
    name: `${METRICS_PREFIX}objects_applied_total`,
    help: 'Objects created, configured or re-created by server-side apply',
    labelNames: ['cluster'] as const,
    registers: [this.registry],
  });
  readonly objectsPruned = new Counter({
    name: `${METRICS_PREFIX}objects_pruned_total`,
    help: 'Objects deleted because the rendered tree no longer has them',
    labelNames: ['cluster'] as const,
    registers: [this.registry],
  });
  readonly driftedObjects = new Gauge({
    name: `${METRICS_PREFIX}drifted_objects`,
    help: 'Objects that differed from the rendered tree in the last reconcile',
    labelNames: ['cluster'] as const,
    registers: [this.registry],
  });
  readonly unhealthyObjects = new Gauge({
    name: `${METRICS_PREFIX}unhealthy_objects`,
    help: 'Objects not Healthy after the last reconcile',
    labelNames: ['cluster'] as const,
    registers: [this.registry],
  });
  readonly errors = new Gauge({
    name: `${METRICS_PREFIX}reconcile_errors`,
    help: 'Errors of the last reconcile: objects that failed, or 1 when the cluster could not be reconciled at all',
    labelNames: ['cluster'] as const,
    registers: [this.registry],
  });
  readonly clusterResult = new Gauge({
    name: `${METRICS_PREFIX}cluster_result`,
    help: 'Result of the last reconcile (1 for the current result, 0 for the others)',
    labelNames: ['cluster', 'result'] as const,
    registers: [this.registry],
  });
  readonly lastReconcile = new Gauge({
    name: `${METRICS_PREFIX}last_reconcile_timestamp_seconds`,
    help: 'When the last reconcile of the cluster finished (Unix time)',
    labelNames: ['cluster'] as const,
    registers: [this.registry],
  });
  readonly loopErrors = new Counter({
    name: `${METRICS_PREFIX}loop_errors_total`,
    help: 'Loop iterations that failed before or after reconciling (stage: source, report)',
    labelNames: ['stage'] as const,
    registers: [this.registry],
  });
  readonly reportCommits = new Counter({
    name: `${METRICS_PREFIX}report_commits_total`,
    help: 'Commits made to the report branch',
    registers: [this.registry],
  });
  readonly renderedCommitChanges = new Counter({
    name: `${METRICS_PREFIX}rendered_commits_seen_total`,
    help: 'New commits (or folder contents) of the rendered branch picked up by the loop',
    registers: [this.registry],
  });

  // Sharding (leases.ts): what this replica holds, and how often Leases change hands.
  readonly shardClustersHeld = new Gauge({
    name: `${METRICS_PREFIX}shard_clusters_held`,
    help: 'Cluster Leases this replica holds now (sharded reconcilers, --shard-leases)',
    registers: [this.registry],
  });
  readonly shardLiveReplicas = new Gauge({
    name: `${METRICS_PREFIX}shard_live_replicas`,
    help: 'Replicas whose own Lease was renewed within its duration, as this replica sees them',
    registers: [this.registry],
  });
  readonly shardRenewFailures = new Counter({
    name: `${METRICS_PREFIX}shard_lease_renew_failures_total`,
    help: 'Rounds or Lease writes that failed for another reason than a lost race (hub unreachable, forbidden, timeout)',
    registers: [this.registry],
  });
  readonly shardHandovers = new Counter({
    name: `${METRICS_PREFIX}shard_handovers_total`,
    help: 'Cluster Leases that changed hands at this replica: acquired, released (given back for balance or shutdown), lost (renew failed or taken)',
    labelNames: ['direction'] as const,
    registers: [this.registry],
  });
  readonly shardLeaseRequests = new Counter({
    name: `${METRICS_PREFIX}shard_lease_requests_total`,
    help: 'Requests to the hub for Leases, by verb (list, create, replace)',
    labelNames: ['verb'] as const,
    registers: [this.registry],
  });

  /** The hooks the shard coordinator moves (leases.ts ShardMetrics). */
  shardMetrics(): ShardMetrics {
    for (const direction of ['acquired', 'released', 'lost'] as const) this.shardHandovers.inc({ direction }, 0);
    return {
      held: (n) => this.shardClustersHeld.set(n),
      liveReplicas: (n) => this.shardLiveReplicas.set(n),
      renewFailure: () => this.shardRenewFailures.inc(),
      handover: (direction, n) => this.shardHandovers.inc({ direction }, n),
    };
  }

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: METRICS_PREFIX });
  }

  /** Records one reconcile of each cluster. */
  observe(statuses: readonly ClusterStatus[]): void {
    for (const s of statuses) {
      const cluster = s.cluster;
      this.reconcileDuration.observe({ cluster, result: s.result }, s.durationMs / 1000);
      const applied = s.objects.filter((o) => o.action === 'created' || o.action === 'configured' || o.action === 'recreated').length;
      // inc(0) too: the series exists from the first run on, so rate() has a baseline.
      this.objectsApplied.inc({ cluster }, applied);
      this.objectsPruned.inc({ cluster }, s.summary.pruned);
      this.driftedObjects.set({ cluster }, s.summary.drifted);
      this.unhealthyObjects.set({ cluster }, s.summary.unhealthy);
      const clusterLevelFailure = (s.result === 'Failed' || s.result === 'Unreachable') && s.summary.failed === 0;
      this.errors.set({ cluster }, s.summary.failed + (clusterLevelFailure ? 1 : 0));
      for (const r of RESULTS) this.clusterResult.set({ cluster, result: r }, r === s.result ? 1 : 0);
      const finished = Date.parse(s.finishedAt);
      if (!Number.isNaN(finished)) this.lastReconcile.set({ cluster }, finished / 1000);
    }
  }

  /** The exposition text and its content type, for GET /metrics. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
