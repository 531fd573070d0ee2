import { describe, expect, it } from 'vitest';
import { assignClusters, isExpired, LeaseObservations, leaseName, planShards, preferredReplica, shareOf, type LeaseRecord, type ObservedLease } from './shards.ts';

const DURATION = 15_000;
const GRACE = 2_000;

/**
 * A tiny Lease store with optimistic concurrency (resourceVersion), and
 * replicas that each run planShards on what they observe and write back
 * only when the version they read is still current — the same rules as the
 * API server's compare-and-swap on metadata.resourceVersion.
 */
class World {
  rv = 0;
  readonly leases = new Map<string, LeaseRecord>();
  readonly replicas = new Map<string, { obs: LeaseObservations; alive: boolean }>();
  now = 0;
  readonly clusters: string[];
  constructor(clusters: string[]) {
    this.clusters = clusters;
  }

  add(name: string): void {
    this.replicas.set(name, { obs: new LeaseObservations(), alive: true });
  }

  private write(name: string, expectedVersion: string | undefined, holder: string, self: string, obs: LeaseObservations): boolean {
    const current = this.leases.get(name);
    if ((current?.resourceVersion ?? undefined) !== expectedVersion) return false;
    const transitions = (current?.transitions ?? 0) + (current?.holder !== holder && holder !== '' ? 1 : 0);
    const record = { holder, durationMs: DURATION, transitions, resourceVersion: String(++this.rv) };
    this.leases.set(name, record);
    obs.wrote(name, record, this.now);
    return true;
  }

  /** One round of one replica: renew its own Lease, plan, act. */
  round(self: string): void {
    const r = this.replicas.get(self);
    if (r === undefined || !r.alive) return;
    const snapshot = new Map(this.leases);
    r.obs.update(snapshot, this.clusters, this.now);
    this.write(`replica/${self}`, snapshot.get(`replica/${self}`)?.resourceVersion, self, self, r.obs);
    const live = [...this.leases.keys()].filter((n) => n.startsWith('replica/') && !isExpired(r.obs.get(n) ?? { record: this.leases.get(n), observedAtMs: this.now }, this.now)).map((n) => n.slice(8));
    const clusters = new Map(this.clusters.map((c) => [c, r.obs.get(c)]));
    const plan = planShards({ self, nowMs: this.now, clusters, liveReplicas: live, slack: 1, claimGraceMs: GRACE });
    for (const c of plan.release) this.write(c, snapshot.get(c)?.resourceVersion, '', self, r.obs);
    for (const c of plan.renew) this.write(c, snapshot.get(c)?.resourceVersion, self, self, r.obs);
    for (const c of plan.acquire) this.write(c, snapshot.get(c)?.resourceVersion, self, self, r.obs);
  }

  /** Advances time by step, every live replica doing one round (in a rotating order). */
  tick(step = 1_000): void {
    this.now += step;
    const names = [...this.replicas.keys()];
    const offset = (this.now / step) % names.length;
    for (let i = 0; i < names.length; i++) this.round(names[(i + offset) % names.length] as string);
  }

  holders(): Map<string, string[]> {
    const by = new Map<string, string[]>();
    for (const c of this.clusters) {
      const h = this.leases.get(c)?.holder ?? '';
      by.set(h, [...(by.get(h) ?? []), c]);
    }
    return by;
  }

  heldBy(replica: string): number {
    return this.holders().get(replica)?.length ?? 0;
  }
}

const clusterNames = (n: number): string[] => Array.from({ length: n }, (_, i) => `member${i + 1}`);

describe('planShards: a fleet of replicas sharing clusters through Leases', () => {
  it('every cluster ends with one holder, and no replica above ceil(clusters/replicas)+1', () => {
    const world = new World(clusterNames(20));
    for (const r of ['a', 'b', 'c']) world.add(r);
    for (let i = 0; i < 30; i++) world.tick();
    const holders = world.holders();
    expect(holders.get('')).toBeUndefined();
    for (const r of ['a', 'b', 'c']) {
      expect(world.heldBy(r)).toBeLessThanOrEqual(shareOf(20, 3, 1).max);
      expect(world.heldBy(r)).toBeGreaterThanOrEqual(5);
    }
  });

  it('4 clusters, 2 replicas holding 2 each, a third replica: it still gets a cluster (balance is floor..ceil, not ceil+slack)', () => {
    const world = new World(clusterNames(4));
    world.add('a');
    world.add('b');
    for (let i = 0; i < 10; i++) world.tick();
    expect([world.heldBy('a'), world.heldBy('b')]).toEqual([2, 2]);
    world.add('c');
    for (let i = 0; i < 10; i++) world.tick();
    expect([world.heldBy('a'), world.heldBy('b'), world.heldBy('c')].sort()).toEqual([1, 1, 2]);
  });

  it('a new replica gets a share: the others release clusters it is preferred for', () => {
    const world = new World(clusterNames(12));
    world.add('a');
    world.add('b');
    for (let i = 0; i < 10; i++) world.tick();
    expect(world.heldBy('a') + world.heldBy('b')).toBe(12);
    world.add('c');
    for (let i = 0; i < 20; i++) world.tick();
    expect(world.heldBy('c')).toBeGreaterThanOrEqual(3);
    expect(world.heldBy('a') + world.heldBy('b') + world.heldBy('c')).toBe(12);
    // Stable afterwards: nothing changes hands any more.
    const before = JSON.stringify([...world.holders()].sort());
    for (let i = 0; i < 20; i++) world.tick();
    expect(JSON.stringify([...world.holders()].sort())).toBe(before);
  });

  it("a dead replica's clusters are taken over once its Leases expire, not before", () => {
    const world = new World(clusterNames(9));
    for (const r of ['a', 'b', 'c']) world.add(r);
    for (let i = 0; i < 10; i++) world.tick();
    const lost = world.holders().get('b') ?? [];
    expect(lost.length).toBeGreaterThan(0);
    (world.replicas.get('b') as { alive: boolean }).alive = false;
    const diedAt = world.now;
    let takenAt: number | undefined;
    while (takenAt === undefined && world.now < diedAt + 60_000) {
      world.tick();
      const stillB = world.heldBy('b');
      if (stillB === lost.length) expect(world.now - diedAt).toBeLessThanOrEqual(DURATION + 1_000);
      if (stillB === 0) takenAt = world.now;
    }
    expect(takenAt).toBeDefined();
    const handover = (takenAt as number) - diedAt;
    expect(handover).toBeGreaterThanOrEqual(DURATION);
    // Lease duration, plus one round to see it, plus the claim grace for clusters the survivors did not prefer.
    expect(handover).toBeLessThanOrEqual(DURATION + GRACE + 2_000);
    expect(world.heldBy('a') + world.heldBy('c')).toBe(9);
  });

  it('a Lease edited by hand to a stranger: the holder lets go at once, and after the lease duration one replica takes it', () => {
    const world = new World(clusterNames(6));
    for (const r of ['a', 'b']) world.add(r);
    for (let i = 0; i < 10; i++) world.tick();
    const victim = 'member1';
    const original = world.leases.get(victim)?.holder as string;
    world.leases.set(victim, { holder: 'kubectl-edit', durationMs: DURATION, transitions: 9, resourceVersion: String(++world.rv) });
    world.tick();
    expect(world.leases.get(victim)?.holder).toBe('kubectl-edit');
    for (let i = 0; i < 20; i++) world.tick();
    expect(['a', 'b']).toContain(world.leases.get(victim)?.holder);
    expect(world.heldBy('a') + world.heldBy('b')).toBe(6);
    expect(original).toBeDefined();
  });
});

describe('Lease expiry is judged on the local clock, from when the record last changed', () => {
  const record = (holder: string, rv: string): LeaseRecord => ({ holder, durationMs: 10_000, transitions: 0, resourceVersion: rv });

  it('a record that keeps changing is never expired; one that stops is, a lease duration after it was last seen to change', () => {
    const obs = new LeaseObservations();
    obs.update(new Map([['l', record('x', '1')]]), [], 1_000);
    obs.update(new Map([['l', record('x', '2')]]), [], 9_000);
    expect(isExpired(obs.get('l'), 18_999)).toBe(false);
    obs.update(new Map([['l', record('x', '2')]]), [], 30_000);
    expect(isExpired(obs.get('l'), 19_000)).toBe(true);
  });

  it('a replica first seeing a Lease waits a whole duration, whatever renewTime says (clock skew cannot shorten it)', () => {
    const obs = new LeaseObservations();
    obs.update(new Map([['l', record('x', '7')]]), [], 500_000);
    expect(isExpired(obs.get('l'), 509_999)).toBe(false);
    expect(isExpired(obs.get('l'), 510_000)).toBe(true);
  });

  it('no holder (released) or no Lease object is free at once', () => {
    const obs = new LeaseObservations();
    obs.update(new Map([['l', record('', '3')]]), ['missing'], 0);
    expect(isExpired(obs.get('l'), 0)).toBe(true);
    expect(isExpired(obs.get('missing'), 0)).toBe(true);
    expect(obs.get('missing')?.record).toBeUndefined();
  });
});

describe('preference, shares and names', () => {
  it('rendezvous preference moves only the clusters a new replica wins', () => {
    const clusters = clusterNames(200);
    const before = new Map(clusters.map((c) => [c, preferredReplica(c, ['a', 'b', 'c'])]));
    const after = new Map(clusters.map((c) => [c, preferredReplica(c, ['a', 'b', 'c', 'd'])]));
    const moved = clusters.filter((c) => before.get(c) !== after.get(c));
    expect(moved.every((c) => after.get(c) === 'd')).toBe(true);
    expect(moved.length).toBeGreaterThan(25);
    expect(moved.length).toBeLessThan(75);
  });

  it('shares: ceil(clusters / replicas), plus slack', () => {
    expect(shareOf(20, 3, 1)).toEqual({ fair: 7, max: 8 });
    expect(shareOf(4, 3, 0)).toEqual({ fair: 2, max: 2 });
    expect(shareOf(5, 0, 1)).toEqual({ fair: 5, max: 6 });
  });

  it('a replica holding every cluster gives back those assigned to the others, keeps its own, takes nothing', () => {
    const lease = (holder: string): ObservedLease => ({ record: { holder, durationMs: DURATION, transitions: 1, resourceVersion: '1' }, observedAtMs: 0 });
    const clusters = new Map(clusterNames(6).map((c) => [c, lease('a')]));
    const plan = planShards({ self: 'a', nowMs: 1_000, clusters, liveReplicas: ['a', 'b', 'c'], slack: 0, claimGraceMs: GRACE });
    const assignment = assignClusters(clusterNames(6), ['a', 'b', 'c']);
    expect(plan.release).toHaveLength(4);
    expect(plan.release.every((c) => assignment.get(c) !== 'a')).toBe(true);
    expect(plan.acquire).toEqual([]);
    expect(plan.renew).toEqual(plan.assigned);
    expect(plan.renew).toHaveLength(2);
  });

  it('bounded loads: every replica gets floor or ceil of clusters / replicas, 4 clusters on 3 replicas included', () => {
    for (const [n, r] of [[4, 3], [20, 3], [1000, 7], [2, 5]] as const) {
      const replicas = Array.from({ length: r }, (_, i) => `replica-${i}`);
      const assignment = assignClusters(clusterNames(n), replicas);
      expect(assignment.size).toBe(n);
      const loads = replicas.map((x) => [...assignment.values()].filter((v) => v === x).length);
      expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    }
  });

  it('Lease names are DNS subdomains; odd identities keep a readable head and a hash', () => {
    expect(leaseName('cluster', 'eu-west-1')).toBe('manifold-cluster-eu-west-1');
    expect(leaseName('replica', 'manifold-7d9f_3a2b')).toMatch(/^manifold-replica-manifold-7d9f-3a2b-[0-9a-f]{10}$/);
    const long = leaseName('cluster', 'x'.repeat(300));
    expect(long.length).toBeLessThanOrEqual(253);
    expect(long).not.toBe(leaseName('cluster', `${'x'.repeat(299)}y`));
  });
});
