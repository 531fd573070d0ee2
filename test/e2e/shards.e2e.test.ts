// Lease-based sharding on real parts (issue 17), the CI-sized version of
// bench/shard-bench.ts: a hub and 4 member API servers sharing one etcd, a
// real git HTTP server, 3 reconciler replicas as separate processes
// (`manifold reconcile --shard-leases`). Its own API-server-only fleet, so the
// shared e2e fleet is not touched.
//
//   - every member converges and is reported; each is held by one replica,
//     none holds more than ceil(4/3)+1;
//   - a replica killed hard (SIGKILL): its clusters are taken over within the
//     lease duration plus two renew rounds, and a new commit still converges;
//   - a new replica: the others give it clusters;
//   - faults: the hub frozen (SIGSTOP) for longer than the lease duration, a
//     replica whose wall clock is an hour behind, a Lease edited by hand —
//     each ends with exactly one holder per cluster and every status on the
//     report branch;
//   - across everything, no two replicas' reconciles of one cluster overlap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../fleet/kube.ts';
import { ShardedFleet } from '../fleet/sharded.ts';

const LEASE_S = 6;
const RENEW_S = 1;
let fleet: ShardedFleet;
const log = (line: string): void => {
  if (process.env.MANIFOLD_E2E_ECHO === '1') process.stderr.write(`${line}\n`);
};

beforeAll(async () => {
  fleet = await ShardedFleet.start({ members: 4, objectsPerCluster: 5, leaseDuration: `${LEASE_S}s`, renewInterval: `${RENEW_S}s`, interval: '1s', log });
}, 180_000);

afterAll(async () => {
  await fleet?.stop();
});

/** Waits until every member's Lease is held by one of `replicas`, and returns cluster → holder. */
async function allHeldBy(replicas: readonly string[], timeoutMs: number): Promise<Map<string, string>> {
  return waitFor(
    `every member held by one of ${replicas.join(', ')}`,
    async () => {
      const holders = await fleet.holders();
      return fleet.members.every((c) => replicas.includes(holders.get(c) ?? '')) ? holders : undefined;
    },
    timeoutMs,
    200,
  );
}

function counts(holders: Map<string, string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const h of holders.values()) out.set(h, (out.get(h) ?? 0) + 1);
  return out;
}

describe('reconciler replicas sharing 4 clusters through Leases', () => {
  it('converge, hand over, rebalance, and survive a frozen hub, a skewed clock and a hand-edited Lease', async () => {
    const c1 = fleet.commitRendered('1');
    for (const id of ['replica-a', 'replica-b', 'replica-c']) await fleet.startReplica(id);
    const converged = await fleet.waitConverged('1', c1, 90_000);
    let holders = await allHeldBy(['replica-a', 'replica-b', 'replica-c'], 30_000);
    for (const n of counts(holders).values()) expect(n).toBeLessThanOrEqual(Math.ceil(4 / 3) + 1);
    await waitFor('every replica ready', async () => ((await Promise.all(['replica-a', 'replica-b', 'replica-c'].map((r) => fleet.readyz(r)))).every((s) => s === 200 || s === 503) ? true : undefined), 10_000);
    const metricsA = (await fleet.metrics('replica-a')) ?? '';
    expect(metricsA).toMatch(/manifold_shard_clusters_held \d/);
    expect(metricsA).toContain('manifold_shard_live_replicas 3');

    // SIGKILL: no release, so the others wait out the Lease.
    const victim = [...counts(holders)].sort((a, b) => b[1] - a[1])[0]?.[0] as string;
    const survivors = ['replica-a', 'replica-b', 'replica-c'].filter((r) => r !== victim);
    const t0 = Date.now();
    fleet.replicas.get(victim)?.proc.kill('SIGKILL');
    holders = await allHeldBy(survivors, (LEASE_S + 10) * 1000);
    const handoverMs = Date.now() - t0;
    expect(handoverMs).toBeLessThanOrEqual((LEASE_S + 2 * RENEW_S * 1.2 + 2) * 1000);
    const c2 = fleet.commitRendered('2');
    await fleet.waitConverged('2', c2, 60_000);

    // A new replica, whose wall clock is an hour behind: it still gets its share, and it steals nothing.
    await fleet.startReplica('replica-d', { MANIFOLD_CLOCK_OFFSET_MS: String(-3_600_000) });
    const live = [...survivors, 'replica-d'];
    holders = await waitFor('replica-d holds a cluster', async () => {
      const h = await fleet.holders();
      return [...h.values()].includes('replica-d') && fleet.members.every((c) => live.includes(h.get(c) ?? '')) ? h : undefined;
    }, 30_000, 200);
    const skewed = (await fleet.leases()).find((l) => l.holder === 'replica-d' && l.cluster !== undefined);
    expect(Date.parse(skewed?.renewTime ?? '')).toBeLessThan(Date.now() - 3_000_000);
    const c3 = fleet.commitRendered('3');
    await fleet.waitConverged('3', c3, 60_000);
    await sleep(3 * RENEW_S * 1000);
    expect([...(await fleet.holders()).values()].filter((h) => h === 'replica-d').length).toBeGreaterThan(0);

    // The hub frozen for longer than a lease duration: every replica stops (renew deadline), nobody holds twice after.
    await fleet.fleet.freezeApiServer('hub');
    await sleep((LEASE_S + 2) * 1000);
    const frozenReady = await Promise.all(live.map((r) => fleet.readyz(r)));
    await fleet.fleet.thawApiServer('hub');
    expect(frozenReady.every((s) => s === 503)).toBe(true);
    await allHeldBy(live, 30_000);
    const c4 = fleet.commitRendered('4');
    await fleet.waitConverged('4', c4, 60_000);

    // A Lease edited by hand: the holder lets go, one replica takes it after the lease duration.
    const edited = fleet.members[0] as string;
    await fleet.editLease(edited, 'kubectl-edit');
    await waitFor(`${edited} taken back from kubectl-edit`, async () => ((await fleet.holders()).get(edited) !== 'kubectl-edit' ? true : undefined), (LEASE_S + 10) * 1000, 200);
    await allHeldBy(live, 10_000);
    const c5 = fleet.commitRendered('5');
    await fleet.waitConverged('5', c5, 60_000);

    // Nothing lost: one status per member, and no two replicas reconciled one cluster at the same time.
    expect([...fleet.report().keys()].sort()).toEqual([...fleet.members].sort());
    expect(fleet.overlaps()).toEqual([]);
    process.stderr.write(
      `shards e2e: first convergence: applied ${converged.appliedMs} ms, reported ${converged.reportedMs} ms; SIGKILL handover ${handoverMs} ms (lease ${LEASE_S} s, renew ${RENEW_S} s); holders ${JSON.stringify(Object.fromEntries(counts(await fleet.holders())))}\n`,
    );
  });
});
