/**
 * Lease-based sharding, the I/O half (shards.ts holds the decisions): the
 * hub's coordination.k8s.io/v1 Leases through @kubernetes/client-node's
 * CoordinationV1Api, and the ShardCoordinator that renews, takes and gives
 * back this replica's Leases every renew interval.
 *
 * Every write is a replace carrying the resourceVersion that was read (or a
 * create), so two replicas can never both win the same Lease: the API
 * server's optimistic concurrency is the lock, as in client-go
 * tools/leaderelection/resourcelock/leaselock.go (Create / Update). The
 * fields written are the ones LeaseLock writes (LeaderElectionRecordToLeaseSpec):
 * holderIdentity, leaseDurationSeconds, acquireTime, renewTime,
 * leaseTransitions; a release writes an empty holder and a 1 s duration
 * (leaderelection.go release()).
 *
 * Fencing: the loop asks `owns(cluster)` before each write stage; it is true
 * only while the Lease's holder is this replica and the last successful renew
 * was sent less than the renew deadline ago (leaderelection.go renew():
 * RenewDeadline). A cluster that stops being owned is reported through
 * onLost, and the loop cancels what it was doing there.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ApiException, CoordinationV1Api, type KubeConfig, Observable, type RequestContext, type ResponseContext, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import PQueue from 'p-queue';
import { RuntimeError } from '../errors/index.ts';
import { isExpired, LeaseObservations, leaseName, planShards, type LeaseRecord } from './shards.ts';

export const LEASE_KIND_LABEL = 'manifold.dev/lease';
export const CLUSTER_ANNOTATION = 'manifold.dev/cluster';
export const REPLICA_ANNOTATION = 'manifold.dev/replica';

/** What a replica reads and writes: Leases of one namespace (tests may pass their own). */
export interface LeaseStore {
  list(): Promise<V1Lease[]>;
  create(lease: V1Lease): Promise<V1Lease>;
  replace(lease: V1Lease): Promise<V1Lease>;
}

/** The store on a real hub: one LIST (label selector) per round, then one create or replace per Lease written. */
export function hubLeaseStore(kc: KubeConfig, namespace: string, requestTimeoutMs: number, onRequest?: (verb: string) => void): LeaseStore {
  const api = kc.makeApiClient(CoordinationV1Api);
  // A frozen hub must not hold a round past the renew deadline: every call gets its own deadline.
  const options = () => ({
    middleware: [
      {
        pre: (ctx: RequestContext) => {
          ctx.setSignal(AbortSignal.timeout(requestTimeoutMs));
          return new Observable(Promise.resolve(ctx));
        },
        post: (r: ResponseContext) => new Observable(Promise.resolve(r)),
      },
    ],
    middlewareMergeStrategy: 'append' as const,
  });
  return {
    async list() {
      onRequest?.('list');
      return (await api.listNamespacedLease({ namespace, labelSelector: LEASE_KIND_LABEL }, options())).items;
    },
    async create(lease) {
      onRequest?.('create');
      return api.createNamespacedLease({ namespace, body: lease }, options());
    },
    async replace(lease) {
      onRequest?.('replace');
      return api.replaceNamespacedLease({ namespace, name: lease.metadata?.name ?? '', body: lease }, options());
    },
  };
}

/** 409 (someone else wrote first) or 404 (deleted meanwhile): we lost that race, which is not a failure. */
function lostRace(err: unknown): boolean {
  return err instanceof ApiException && (err.code === 409 || err.code === 404);
}

/** controller-runtime's default identity: hostname, "_", a random id (pkg/leaderelection/leader_election.go). */
export function defaultIdentity(): string {
  return `${hostname()}_${randomBytes(4).toString('hex')}`;
}

export interface ShardOptions {
  store: LeaseStore;
  identity: string;
  /** Others wait this long without seeing a change before they take a Lease (default 40 s, as a node Lease). */
  leaseDurationMs: number;
  /** A round (LIST, renew, take, give back) this often (default 10 s). */
  renewIntervalMs: number;
  /** A holder acts on a Lease only this long after its last successful renew (default 2/3 of the duration). */
  renewDeadlineMs: number;
  slack: number;
  /** Local monotonic clock (ms). */
  monotonic?: () => number;
  /** Wall clock written into renewTime/acquireTime (informational; never used to judge expiry). */
  wallClock?: () => Date;
  onAcquired?: (clusters: string[]) => void;
  /** The clusters stopped being this replica's: stop writing there (resolves once the work there has stopped). */
  onLost?: (clusters: string[]) => Promise<void> | void;
  onRenewFailure?: (err: unknown) => void;
  metrics?: ShardMetrics | undefined;
}

/** The counters and gauges the coordinator moves (metrics.ts implements them). */
export interface ShardMetrics {
  held(n: number): void;
  liveReplicas(n: number): void;
  renewFailure(): void;
  handover(direction: 'acquired' | 'released' | 'lost', n: number): void;
}

interface Held {
  version: string;
  record: V1Lease;
  /** Local ms when the last successful write of it was sent. */
  renewedAtMs: number;
}

export class ShardCoordinator {
  private readonly opts: ShardOptions;
  private readonly observations = new LeaseObservations();
  private readonly held = new Map<string, Held>();
  private clusters: string[] = [];
  private lastRoundOkMs: number | undefined;
  private shouldHold = false;
  private timer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly writes = new PQueue({ concurrency: 16 });
  private liveCount = 1;
  /** Local ms when this replica's own Lease was first written. */
  private announcedAtMs: number | undefined;

  constructor(opts: ShardOptions) {
    if (!(opts.leaseDurationMs > opts.renewDeadlineMs && opts.renewDeadlineMs > opts.renewIntervalMs * 1.2)) {
      // client-go NewLeaderElector: LeaseDuration > RenewDeadline > JitterFactor * RetryPeriod.
      throw new RuntimeError('SHARD_TIMING', `lease duration (${opts.leaseDurationMs} ms) must exceed the renew deadline (${opts.renewDeadlineMs} ms), which must exceed 1.2 × the renew interval (${opts.renewIntervalMs} ms)`);
    }
    this.opts = opts;
  }

  get identity(): string {
    return this.opts.identity;
  }

  private mono(): number {
    return this.opts.monotonic?.() ?? performance.now();
  }

  private wall(): Date {
    return this.opts.wallClock?.() ?? new Date();
  }

  /** The clusters to share (the loop's rendered tree plus clusters that left the fleet). */
  setClusters(clusters: readonly string[]): void {
    const next = [...new Set(clusters)].sort();
    if (next.join('\n') === this.clusters.join('\n')) return;
    this.clusters = next;
    if (this.timer !== undefined) this.schedule(0);
  }

  /** Fencing: this replica may write to the cluster now. */
  owns(cluster: string): boolean {
    const h = this.held.get(cluster);
    return h !== undefined && this.mono() < h.renewedAtMs + this.opts.renewDeadlineMs;
  }

  ownedClusters(): string[] {
    return [...this.held.keys()].filter((c) => this.owns(c)).sort();
  }

  /** Why /readyz should fail, or undefined: the hub could not be reached for a renew deadline, or the replica holds nothing it should. */
  notReadyReason(): string | undefined {
    const now = this.mono();
    if (this.lastRoundOkMs === undefined || now - this.lastRoundOkMs > this.opts.renewDeadlineMs) return 'cannot renew Leases in the hub';
    if (this.shouldHold && this.ownedClusters().length === 0) return 'holds no cluster Lease yet';
    return undefined;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
    // Between rounds, a Lease can pass its renew deadline (a hung hub): say so promptly.
    this.expiryTimer = setInterval(() => this.dropExpired(), Math.max(100, Math.min(1_000, this.opts.renewIntervalMs / 2)));
    this.expiryTimer.unref();
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.round()
        .catch((err: unknown) => {
          this.opts.metrics?.renewFailure();
          this.opts.onRenewFailure?.(err);
        })
        .finally(() => {
          this.running = undefined;
          // Jittered like client-go's wait.JitterUntil (JitterFactor 1.2), so replicas do not move in lockstep.
          if (!this.stopped) this.schedule(this.opts.renewIntervalMs * (1 + 0.2 * Math.random()));
        });
    }, delayMs);
    this.timer.unref();
  }

  /** One round now (tests); resolves when done. */
  async roundNow(): Promise<void> {
    await this.running;
    await this.round();
  }

  private dropExpired(): void {
    const lost = [...this.held.keys()].filter((c) => !this.owns(c));
    if (lost.length === 0) return;
    for (const c of lost) this.held.delete(c);
    this.opts.metrics?.handover('lost', lost.length);
    this.opts.metrics?.held(this.held.size);
    void this.stopWorkOn(lost);
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    const started = this.mono();
    const leases = await this.opts.store.list();
    const byName = new Map<string, V1Lease>();
    const records = new Map<string, LeaseRecord>();
    for (const l of leases) {
      const name = l.metadata?.name;
      if (name === undefined) continue;
      byName.set(name, l);
      records.set(name, recordOf(l));
    }
    const clusterLease = new Map(this.clusters.map((c) => [c, leaseName('cluster', c)]));
    const replicaNames = leases.filter((l) => l.metadata?.labels?.[LEASE_KIND_LABEL] === 'replica').map((l) => l.metadata?.name as string);
    this.observations.update(records, [...clusterLease.values(), ...replicaNames], started);

    await this.renewReplicaLease(byName.get(leaseName('replica', this.identity)), started);
    const live = leases
      .filter((l) => l.metadata?.labels?.[LEASE_KIND_LABEL] === 'replica')
      .filter((l) => !isExpired(this.observations.get(l.metadata?.name as string), started))
      .map((l) => l.spec?.holderIdentity ?? '')
      .filter((id) => id !== '');
    this.liveCount = new Set([...live, this.identity]).size;
    this.opts.metrics?.liveReplicas(this.liveCount);

    // A Lease whose holder is no longer us (edited by hand, taken after we missed renews) is lost at once.
    const lostNow = [...this.held.keys()].filter((c) => {
      const l = byName.get(clusterLease.get(c) ?? leaseName('cluster', c));
      return l === undefined || l.spec?.holderIdentity !== this.identity || !this.clusters.includes(c);
    });
    const notInFleet = lostNow.filter((c) => !this.clusters.includes(c) && byName.get(leaseName('cluster', c))?.spec?.holderIdentity === this.identity);
    for (const c of lostNow) this.held.delete(c);

    const observed = new Map(this.clusters.map((c) => [c, this.observations.get(clusterLease.get(c) as string)]));
    const plan = planShards({ self: this.identity, nowMs: started, clusters: observed, liveReplicas: [...live, this.identity], slack: this.opts.slack, claimGraceMs: this.opts.leaseDurationMs });
    this.shouldHold = plan.assigned.length > 0;
    // Announce first, take later: for one renew interval after its own Lease first went out a replica
    // takes nothing, so replicas started together see each other before one takes every cluster.
    if (this.announcedAtMs === undefined || started - this.announcedAtMs < this.opts.renewIntervalMs) plan.acquire = [];

    const released: string[] = [];
    const acquired: string[] = [];
    const lost: string[] = lostNow.filter((c) => !notInFleet.includes(c));
    const write = (cluster: string, what: 'renew' | 'acquire' | 'release'): Promise<void> =>
      this.writes.add(async () => {
        const name = clusterLease.get(cluster) ?? leaseName('cluster', cluster);
        const sent = this.mono();
        const current = byName.get(name);
        try {
          const body = what === 'release' ? this.released(current as V1Lease) : this.claimed(name, current, { [CLUSTER_ANNOTATION]: cluster }, 'cluster');
          const answer = current === undefined ? await this.opts.store.create(body) : await this.opts.store.replace(body);
          this.observations.wrote(name, recordOf(answer), sent);
          if (what === 'release') released.push(cluster);
          else {
            if (!this.held.has(cluster) && what === 'acquire') acquired.push(cluster);
            this.held.set(cluster, { version: answer.metadata?.resourceVersion ?? '', record: answer, renewedAtMs: sent });
          }
        } catch (err) {
          if (what === 'renew') {
            this.held.delete(cluster);
            lost.push(cluster);
          }
          if (!lostRace(err) && what !== 'acquire') this.opts.metrics?.renewFailure();
          if (!lostRace(err)) this.opts.onRenewFailure?.(err);
        }
      });
    // Give back first, and only once the loop stopped working there (fencing), then renew, then take.
    if (plan.release.length > 0) {
      for (const c of plan.release) this.held.delete(c);
      await this.stopWorkOn(plan.release);
    }
    await Promise.all(plan.release.map((c) => write(c, 'release')));
    await Promise.all([...notInFleet.map((c) => this.releaseGone(c, byName)), ...plan.renew.map((c) => write(c, 'renew'))]);
    await Promise.all(plan.acquire.map((c) => write(c, 'acquire')));

    this.lastRoundOkMs = started;
    this.opts.metrics?.held(this.held.size);
    if (released.length > 0) this.opts.metrics?.handover('released', released.length);
    if (acquired.length > 0) this.opts.metrics?.handover('acquired', acquired.length);
    if (lost.length > 0) this.opts.metrics?.handover('lost', lost.length);
    if (lost.length > 0) await this.stopWorkOn(lost);
    if (acquired.length > 0) this.opts.onAcquired?.(acquired.sort());
  }

  /** Tells the loop, and waits (at most half the renew deadline) until it stopped writing there. */
  private async stopWorkOn(clusters: string[]): Promise<void> {
    const stopped = Promise.resolve(this.opts.onLost?.(clusters)).catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise((resolve) => (timer = setTimeout(resolve, this.opts.renewDeadlineMs / 2)))]);
    clearTimeout(timer);
  }

  /** A cluster that left the set while we held its Lease: give it back. */
  private async releaseGone(cluster: string, byName: ReadonlyMap<string, V1Lease>): Promise<void> {
    const current = byName.get(leaseName('cluster', cluster));
    if (current === undefined) return;
    await this.opts.store.replace(this.released(current)).catch(() => undefined);
  }

  private async renewReplicaLease(current: V1Lease | undefined, sent: number): Promise<void> {
    const name = leaseName('replica', this.identity);
    const body = this.claimed(name, current, { [REPLICA_ANNOTATION]: this.identity }, 'replica');
    try {
      const answer = current === undefined ? await this.opts.store.create(body) : await this.opts.store.replace(body);
      this.observations.wrote(name, recordOf(answer), sent);
      this.announcedAtMs ??= sent;
    } catch (err) {
      if (!lostRace(err)) throw err;
    }
  }

  /** The Lease with this replica as holder, renewed now (LeaseLock.Update, LeaderElectionRecordToLeaseSpec). */
  private claimed(name: string, current: V1Lease | undefined, annotations: Record<string, string>, kind: 'cluster' | 'replica'): V1Lease {
    const now = new V1MicroTime(this.wall().getTime());
    const ours = current?.spec?.holderIdentity === this.identity;
    const acquired = ours && current?.spec?.acquireTime !== undefined ? new V1MicroTime(new Date(current.spec.acquireTime).getTime()) : now;
    const transitions = (current?.spec?.leaseTransitions ?? 0) + (current !== undefined && !ours ? 1 : 0);
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        ...(current?.metadata?.resourceVersion === undefined ? {} : { resourceVersion: current.metadata.resourceVersion }),
        labels: { ...current?.metadata?.labels, [LEASE_KIND_LABEL]: kind, 'app.kubernetes.io/managed-by': 'manifold' },
        annotations: { ...current?.metadata?.annotations, ...annotations },
      },
      spec: {
        holderIdentity: this.identity,
        leaseDurationSeconds: Math.ceil(this.opts.leaseDurationMs / 1000),
        acquireTime: acquired,
        renewTime: now,
        leaseTransitions: transitions,
      },
    };
  }

  /** leaderelection.go release(): no holder, a 1 s duration, the transitions kept. */
  private released(current: V1Lease): V1Lease {
    const now = new V1MicroTime(this.wall().getTime());
    return { ...current, spec: { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: current.spec?.leaseTransitions ?? 0 } };
  }

  /**
   * Shutdown (controller-runtime LeaderElectionReleaseOnCancel): stop the
   * rounds, tell the loop, then give back every cluster and the replica
   * Lease, so the others take over at their next round instead of after a
   * lease duration.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.expiryTimer);
    await this.running?.catch(() => undefined);
    const clusters = [...this.held.keys()];
    for (const c of clusters) this.held.delete(c);
    if (clusters.length > 0) await this.stopWorkOn(clusters);
    const leases = await this.opts.store.list().catch(() => [] as V1Lease[]);
    const mine = leases.filter((l) => l.spec?.holderIdentity === this.identity);
    await Promise.all(mine.map((l) => this.opts.store.replace(this.released(l)).catch(() => undefined)));
    this.opts.metrics?.held(0);
  }
}

function recordOf(lease: V1Lease): LeaseRecord {
  return {
    holder: lease.spec?.holderIdentity,
    durationMs: (lease.spec?.leaseDurationSeconds ?? 0) * 1000,
    transitions: lease.spec?.leaseTransitions ?? 0,
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
}
