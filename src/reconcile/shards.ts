/**
 * Lease-based sharding of the reconciler: the pure decisions (docs/reconciler.md
 * "Sharding"). Several replicas share the member clusters through one
 * coordination.k8s.io/v1 Lease per cluster in the hub, and announce that they
 * are alive through one Lease per replica. Nothing here talks to an API server
 * or reads a clock: times are passed in (leases.ts does the I/O).
 *
 * Expiry follows client-go tools/leaderelection/leaderelection.go
 * (tryAcquireOrRenew): a Lease is judged by when *this* replica last saw its
 * record change (observedTime, on the local monotonic clock), never by the
 * renewTime written in it, so a replica whose wall clock is off cannot steal
 * or keep a Lease (doc.go: "tolerant to arbitrary clock skew, but not to
 * arbitrary clock skew rate"). A holder stops acting on a Lease once its last
 * successful renew is older than the renew deadline, which is shorter than
 * the lease duration others wait before taking it over (client-go
 * LeaderElectionConfig: LeaseDuration > RenewDeadline).
 *
 * Balance: consistent hashing with bounded loads, as Argo CD's
 * "consistent-hashing" shard algorithm (argo-cd controller/sharding/):
 * each cluster ranks the live replicas by rendezvous hashing, and every
 * replica ends with floor or ceil(clusters / live replicas) clusters; a
 * replica covering for others (a free cluster its replica did not take)
 * never goes above ceil(clusters / live replicas) + slack.
 */
import { createHash } from 'node:crypto';

/** What a replica reads from one Lease (coordination.k8s.io/v1 LeaseSpec). */
export interface LeaseRecord {
  /** Empty or absent: nobody holds it (client-go release() writes ""). */
  holder: string | undefined;
  durationMs: number;
  transitions: number;
  /** Changes on every write: how a replica notices that the record moved. */
  resourceVersion: string;
}

/** A Lease as one replica knows it: the record (absent: no Lease object yet) and when it last changed here. */
export interface ObservedLease {
  record: LeaseRecord | undefined;
  /** Local monotonic ms at which this replica first saw this record (or the Lease missing). */
  observedAtMs: number;
}

/**
 * When each Lease's record last changed, as this replica observed it
 * (client-go LeaderElector.observedRecord / observedTime).
 */
export class LeaseObservations {
  private readonly seen = new Map<string, { version: string; atMs: number; record: LeaseRecord | undefined }>();

  /** Records a LIST result: Leases whose resourceVersion changed (or that appeared or vanished) are observed now. */
  update(leases: ReadonlyMap<string, LeaseRecord>, names: Iterable<string>, nowMs: number): void {
    const wanted = new Set(names);
    for (const name of leases.keys()) wanted.add(name);
    for (const name of wanted) {
      const record = leases.get(name);
      const version = record?.resourceVersion ?? '';
      const before = this.seen.get(name);
      if (before === undefined || before.version !== version) this.seen.set(name, { version, atMs: nowMs, record });
    }
    for (const name of [...this.seen.keys()]) if (!wanted.has(name)) this.seen.delete(name);
  }

  /** Our own write: we know the new record from the answer, observed when it was sent. */
  wrote(name: string, record: LeaseRecord | undefined, sentAtMs: number): void {
    this.seen.set(name, { version: record?.resourceVersion ?? '', atMs: sentAtMs, record });
  }

  get(name: string): ObservedLease | undefined {
    const s = this.seen.get(name);
    return s === undefined ? undefined : { record: s.record, observedAtMs: s.atMs };
  }
}

/** Whether nobody may act on the Lease any longer: no holder, or no change seen for its duration. */
export function isExpired(lease: ObservedLease | undefined, nowMs: number): boolean {
  const record = lease?.record;
  if (lease === undefined || record === undefined || record.holder === undefined || record.holder === '') return true;
  return nowMs >= lease.observedAtMs + record.durationMs;
}

/** Since when the Lease has been free to take (local ms). */
function freeSinceMs(lease: ObservedLease | undefined, nowMs: number): number {
  const record = lease?.record;
  if (lease === undefined) return nowMs;
  if (record === undefined || record.holder === undefined || record.holder === '') return lease.observedAtMs;
  return lease.observedAtMs + record.durationMs;
}

/** Rendezvous (highest random weight) hashing: the replicas in the order a cluster prefers them. */
export function rankReplicas(cluster: string, replicas: readonly string[]): string[] {
  const score = (r: string): string => createHash('sha256').update(`${cluster}\u0000${r}`).digest('hex');
  return replicas
    .map((r) => ({ r, s: score(r) }))
    .sort((a, b) => (a.s < b.s ? 1 : a.s > b.s ? -1 : a.r < b.r ? -1 : 1))
    .map((x) => x.r);
}

/** The live replica a cluster prefers most. */
export function preferredReplica(cluster: string, replicas: readonly string[]): string | undefined {
  return rankReplicas(cluster, replicas)[0];
}

/** How many clusters a replica may hold: ceil(clusters / live replicas) ("fair"), plus slack when covering for others. */
export function shareOf(clusters: number, liveReplicas: number, slack: number): { fair: number; max: number } {
  const fair = Math.ceil(clusters / Math.max(1, liveReplicas));
  return { fair, max: fair + Math.max(0, slack) };
}

let lastAssignment: { key: string; result: Map<string, string> } | undefined;

/**
 * Which live replica should hold each cluster: consistent hashing with
 * bounded loads (Argo CD's "consistent-hashing" sharding algorithm,
 * controller/sharding/consistent_hashing.go, after Mirrokni et al.). Each
 * cluster goes to the replica it ranks highest that still has room; the
 * first pass fills every replica to floor(clusters / replicas), the second
 * places the remainder at most one more each, so every replica ends with
 * floor or ceil. Every replica computes the same answer from the same Leases,
 * and a replica that joins or leaves moves few clusters. Memoized: the input
 * changes only when clusters or replicas do.
 */
export function assignClusters(clusters: readonly string[], replicas: readonly string[]): Map<string, string> {
  const names = [...new Set(clusters)].sort();
  const live = [...new Set(replicas)].sort();
  const key = `${names.join('\n')}\u0000${live.join('\n')}`;
  if (lastAssignment?.key === key) return lastAssignment.result;
  const result = new Map<string, string>();
  if (live.length > 0) {
    const load = new Map(live.map((r) => [r, 0]));
    const ranking = new Map(names.map((c) => [c, rankReplicas(c, live)]));
    const floor = Math.floor(names.length / live.length);
    for (const cap of [floor, floor + 1]) {
      for (const c of names) {
        if (result.has(c)) continue;
        const r = ranking.get(c)?.find((x) => (load.get(x) ?? 0) < cap);
        if (r === undefined) continue;
        result.set(c, r);
        load.set(r, (load.get(r) ?? 0) + 1);
      }
    }
  }
  lastAssignment = { key, result };
  return result;
}

export interface ShardInput {
  self: string;
  nowMs: number;
  /** Every cluster to share (rendered tree, plus clusters that left the fleet), each with its Lease as observed. */
  clusters: ReadonlyMap<string, ObservedLease | undefined>;
  /** Replicas whose own Lease is not expired (self included). */
  liveReplicas: readonly string[];
  slack: number;
  /** A free cluster assigned to another replica is left to it this long before a replica below max takes it. */
  claimGraceMs: number;
}

export interface ShardPlan {
  renew: string[];
  acquire: string[];
  release: string[];
  /** The clusters this replica should hold (assignClusters). */
  assigned: string[];
  fair: number;
  max: number;
}

/**
 * Which Leases this replica renews, takes and gives back this round.
 *
 * Live replicas are those whose own Lease is not expired, minus any replica
 * holding an expired cluster Lease (it stopped renewing: dead or cut off).
 * - Held clusters assigned to this replica are renewed; held clusters
 *   assigned to another live replica are given back (a new replica gets its
 *   share this way), and so are clusters above max.
 * - Free clusters (no Lease, no holder, or expired) assigned to this replica
 *   are taken at once; a free cluster assigned to another replica is taken
 *   once it has been free for claimGraceMs (its replica did not come for it),
 *   while this replica is below max.
 */
export function planShards(input: ShardInput): ShardPlan {
  const { self, nowMs, clusters, slack } = input;
  const names = [...clusters.keys()].sort();
  const stalled = new Set<string>();
  for (const c of names) {
    const lease = clusters.get(c);
    const holder = lease?.record?.holder;
    if (holder !== undefined && holder !== '' && holder !== self && isExpired(lease, nowMs)) stalled.add(holder);
  }
  const live = [...new Set([...input.liveReplicas, self])].filter((r) => r === self || !stalled.has(r)).sort();
  const { fair, max } = shareOf(names.length, live.length, slack);
  const assignment = assignClusters(names, live);
  const assigned = names.filter((c) => assignment.get(c) === self);

  const held = names.filter((c) => clusters.get(c)?.record?.holder === self);
  const release = held.filter((c) => assignment.get(c) !== self);
  const kept = held.filter((c) => assignment.get(c) === self);
  const renew = kept.slice(0, max);
  release.push(...kept.slice(max));
  let count = renew.length;

  const acquire: string[] = [];
  const free = names.filter((c) => clusters.get(c)?.record?.holder !== self && isExpired(clusters.get(c), nowMs));
  for (const c of free) {
    if (count >= max) break;
    const ours = assignment.get(c) === self;
    if (!ours && nowMs - freeSinceMs(clusters.get(c), nowMs) < input.claimGraceMs) continue;
    acquire.push(c);
    count++;
  }
  return { renew, acquire, release, assigned, fair, max };
}

/** Lease names: DNS-1123 subdomains of at most 253 characters; a long name keeps a readable head and a hash. */
export function leaseName(kind: 'cluster' | 'replica', id: string): string {
  const clean = id.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  const name = `manifold-${kind}-${clean}`;
  if (clean === id && name.length <= 253) return name;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 10);
  return `${name.slice(0, 230).replace(/[^a-z0-9]+$/, '')}-${hash}`;
}
