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
 * "consistent-hashing" shard algorithm (argo-cd controller/sharding/sharding.go):
 * each cluster prefers one live replica by rendezvous hashing (stable when
 * replicas come and go: only the clusters of a replica that left, or that a
 * new one wins, move), and no replica holds more than ceil(clusters / live
 * replicas) + slack.
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

/** Rendezvous (highest random weight) hashing: the live replica a cluster prefers. */
export function preferredReplica(cluster: string, replicas: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = '';
  for (const r of replicas) {
    const score = createHash('sha256').update(`${cluster}\u0000${r}`).digest('hex');
    if (best === undefined || score > bestScore || (score === bestScore && r < best)) {
      best = r;
      bestScore = score;
    }
  }
  return best;
}

/** How many clusters a replica may hold: ceil(clusters / live replicas) ("fair"), plus slack for its preferred ones. */
export function shareOf(clusters: number, liveReplicas: number, slack: number): { fair: number; max: number } {
  const fair = Math.ceil(clusters / Math.max(1, liveReplicas));
  return { fair, max: fair + Math.max(0, slack) };
}

export interface ShardInput {
  self: string;
  nowMs: number;
  /** Every cluster to share (rendered tree, plus clusters that left the fleet), each with its Lease as observed. */
  clusters: ReadonlyMap<string, ObservedLease | undefined>;
  /** Replicas whose own Lease is not expired (self included). */
  liveReplicas: readonly string[];
  slack: number;
  /** A free cluster another replica prefers is left to it this long before anyone under its fair share takes it. */
  claimGraceMs: number;
}

export interface ShardPlan {
  renew: string[];
  acquire: string[];
  release: string[];
  fair: number;
  max: number;
}

/**
 * Which Leases this replica renews, takes and gives back this round.
 *
 * - Held (holder = self) clusters are renewed, except those released.
 * - Release: above max, the excess (clusters another replica prefers first);
 *   above fair, the clusters another live replica prefers (so a new replica
 *   gets its share, and nobody flaps: non-preferred clusters are taken only
 *   below fair).
 * - Take a free cluster (no Lease, no holder, or expired): a preferred one
 *   while below max; any other one while below fair, once it has been free
 *   for claimGraceMs (its preferred replica had its chance). The former
 *   holder of an expired Lease is not a candidate for preference: it is the
 *   one that stopped renewing.
 */
export function planShards(input: ShardInput): ShardPlan {
  const { self, nowMs, clusters, slack } = input;
  const live = [...new Set([...input.liveReplicas, self])].sort();
  const { fair, max } = shareOf(clusters.size, live.length, slack);
  const names = [...clusters.keys()].sort();
  const prefers = (cluster: string, lease: ObservedLease | undefined): boolean => {
    const former = lease?.record?.holder;
    const candidates = former !== undefined && former !== self && isExpired(lease, nowMs) ? live.filter((r) => r !== former) : live;
    return preferredReplica(cluster, candidates) === self;
  };

  const held = names.filter((c) => clusters.get(c)?.record?.holder === self);
  // Release what another replica prefers first, then the rest, each by name.
  const byReleaseOrder = [...held.filter((c) => !prefers(c, clusters.get(c))), ...held.filter((c) => prefers(c, clusters.get(c)))];
  const release: string[] = [];
  let count = held.length;
  for (const c of byReleaseOrder) {
    if (count <= fair) break;
    if (count > max || !prefers(c, clusters.get(c))) {
      release.push(c);
      count--;
    }
  }
  const renew = held.filter((c) => !release.includes(c));

  const acquire: string[] = [];
  const free = names.filter((c) => clusters.get(c)?.record?.holder !== self && isExpired(clusters.get(c), nowMs));
  for (const c of free.filter((c) => prefers(c, clusters.get(c)))) {
    if (count >= max) break;
    acquire.push(c);
    count++;
  }
  for (const c of free.filter((c) => !prefers(c, clusters.get(c)))) {
    if (count >= fair) break;
    if (nowMs - freeSinceMs(clusters.get(c), nowMs) < input.claimGraceMs) continue;
    acquire.push(c);
    count++;
  }
  return { renew, acquire, release, fair, max };
}

/** Lease names: DNS-1123 subdomains of at most 253 characters; a long name keeps a readable head and a hash. */
export function leaseName(kind: 'cluster' | 'replica', id: string): string {
  const clean = id.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  const name = `manifold-${kind}-${clean}`;
  if (clean === id && name.length <= 253) return name;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 10);
  return `${name.slice(0, 230).replace(/[^a-z0-9]+$/, '')}-${hash}`;
}
