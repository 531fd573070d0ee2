/**
 * Lease-based sharding at the size this machine holds (issue 17 item 4): a
 * hub and N member API servers sharing one etcd (API servers only), a real
 * git HTTP server, R reconciler replicas as separate processes
 * (`manifold reconcile --shard-leases`). Measures what docs/scaling.md
 * extrapolates from:
 *   - first convergence, and apply time per cluster (status durationMs);
 *   - clusters per replica, resident memory per replica and per held cluster;
 *   - requests while idle: Lease requests to the hub per cluster per renew
 *     interval, requests to the members per cluster per drift check;
 *   - handover: a replica killed hard (SIGKILL, the others wait out the
 *     Lease), one stopped (SIGTERM, it gives its Leases back), one added;
 *   - that no two replicas reconciled one cluster at the same time, and that
 *     the report branch has every cluster.
 *
 *   scripts/node24.sh node bench/shard-bench.ts --members 20 --replicas 3 [--objects 10]
 *     [--lease 10s --renew 2s --drift 60s --idle 120]
 *
 * Memory: about 0.3 GB per API server; watch `free -g` on a shared machine.
 */
import { parseArgs } from 'node:util';
import { sleep, waitFor } from '../test/fleet/kube.ts';
import { ShardedFleet } from '../test/fleet/sharded.ts';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '20' },
    replicas: { type: 'string', default: '3' },
    objects: { type: 'string', default: '10' },
    lease: { type: 'string', default: '10' },
    renew: { type: 'string', default: '2' },
    drift: { type: 'string', default: '60' },
    idle: { type: 'string', default: '120' },
  },
});
const members = Number(values.members);
const replicas = Number(values.replicas);
const leaseS = Number(values.lease);
const renewS = Number(values.renew);
const driftS = Number(values.drift);
const idleS = Number(values.idle);
const say = (line: string): void => {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
};

function metric(text: string | undefined, name: string): number {
  let total = 0;
  for (const line of (text ?? '').split('\n')) if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  return total;
}

const t0 = Date.now();
const fleet = await ShardedFleet.start({
  members,
  objectsPerCluster: Number(values.objects),
  leaseDuration: `${leaseS}s`,
  renewInterval: `${renewS}s`,
  interval: '2s',
  extraArgs: ['--drift-interval', `${driftS}s`, '--concurrency', '16'],
  log: say,
});
const results: string[] = [];
const record = (line: string): void => {
  results.push(line);
  say(line);
};
try {
  record(`fleet: hub + ${members} API servers (shared etcd) up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const ids = Array.from({ length: replicas }, (_, i) => `replica-${i + 1}`);
  const c1 = fleet.commitRendered('1');
  for (const id of ids) await fleet.startReplica(id);
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const first = await fleet.waitConverged('1', c1, 600_000);
  record(`first convergence (${replicas} replicas started together, ${members} clusters × ${values.objects} objects): applied everywhere ${s(first.appliedMs)}, reported ${s(first.reportedMs)}`);
  const c2 = fleet.commitRendered('2');
  const change = await fleet.waitConverged('2', c2, 600_000);
  record(`a new commit (--interval 2s): applied on every cluster ${s(change.appliedMs)}, on the report branch ${s(change.reportedMs)}`);
  const applied = fleet.reconciles().filter((r) => r.end - r.start > 0).map((r) => r.end - r.start).sort((a, b) => a - b);
  record(`apply time per cluster (reconcile durationMs): median ${applied[Math.floor(applied.length / 2)]} ms, p90 ${applied[Math.floor(applied.length * 0.9)]} ms`);

  const holders = await fleet.holders();
  const per = new Map<string, number>();
  for (const h of holders.values()) per.set(h, (per.get(h) ?? 0) + 1);
  record(`clusters per replica: ${ids.map((id) => `${id} ${per.get(id) ?? 0}`).join(', ')} (bound ceil(${members}/${replicas}) = ${Math.ceil(members / replicas)})`);
  const rss = ids.map((id) => fleet.rssKiB(id) / 1024);
  record(`RSS per replica: ${rss.map((m) => `${m.toFixed(0)} MiB`).join(', ')}; per held cluster ${(rss.reduce((a, b) => a + b, 0) / members).toFixed(1)} MiB (whole process / clusters held)`);

  // Idle: no new commit. Lease traffic every renew interval; drift checks every --drift-interval.
  const leaseBefore = (await Promise.all(ids.map((id) => fleet.metrics(id)))).reduce((a, m) => a + metric(m, 'manifold_shard_lease_requests_total'), 0);
  const membersBefore = await fleet.memberRequests();
  const idleStart = Date.now();
  await sleep(idleS * 1000);
  const idleSeconds = (Date.now() - idleStart) / 1000;
  const leaseAfter = (await Promise.all(ids.map((id) => fleet.metrics(id)))).reduce((a, m) => a + metric(m, 'manifold_shard_lease_requests_total'), 0);
  const membersAfter = await fleet.memberRequests();
  const leasePerClusterPerRenew = (leaseAfter - leaseBefore) / members / (idleSeconds / (renewS * 1.1));
  const drifts = idleSeconds / driftS;
  const perDrift = (n: number): string => (n / members / drifts).toFixed(1);
  record(
    `idle ${idleSeconds.toFixed(0)} s: hub Lease requests ${leaseAfter - leaseBefore} = ${leasePerClusterPerRenew.toFixed(2)} per cluster per renew interval (${renewS} s, jittered to ~${(renewS * 1.1).toFixed(1)} s); ` +
      `member API requests on configmaps/namespaces/secrets ${membersAfter.reconciler - membersBefore.reconciler} = ${perDrift(membersAfter.reconciler - membersBefore.reconciler)} per cluster per drift check (${driftS} s), ` +
      `all member API requests ${membersAfter.all - membersBefore.all} = ${perDrift(membersAfter.all - membersBefore.all)} (with the API servers' own traffic)`,
  );

  // SIGKILL: the others wait out the Lease.
  const victim = ids[0] as string;
  const rest = ids.slice(1);
  let t = Date.now();
  fleet.replicas.get(victim)?.proc.kill('SIGKILL');
  await waitFor('SIGKILL handover', async () => {
    const h = await fleet.holders();
    return fleet.members.every((c) => rest.includes(h.get(c) ?? '')) ? true : undefined;
  }, (leaseS + 30) * 1000, 100);
  record(`handover after SIGKILL of ${victim} (held ${per.get(victim) ?? 0}): ${((Date.now() - t) / 1000).toFixed(1)} s (lease duration ${leaseS} s, renew ${renewS} s)`);

  // A new replica: the others give it its share.
  t = Date.now();
  await fleet.startReplica('replica-new');
  await waitFor('rebalance', async () => {
    const h = await fleet.holders();
    const n = [...h.values()].filter((x) => x === 'replica-new').length;
    return n >= Math.floor(members / replicas) && fleet.members.every((c) => [...rest, 'replica-new'].includes(h.get(c) ?? '')) ? n : undefined;
  }, 120_000, 100);
  record(`rebalance: replica-new holds ${[...(await fleet.holders()).values()].filter((x) => x === 'replica-new').length} clusters ${((Date.now() - t) / 1000).toFixed(1)} s after its process started`);

  // SIGTERM: it drains, gives its Leases back; the others take over at their next round.
  const leaving = rest[0] as string;
  const stay = [...rest.slice(1), 'replica-new'];
  const leavingHeld = [...(await fleet.holders()).values()].filter((x) => x === leaving).length;
  t = Date.now();
  fleet.replicas.get(leaving)?.proc.kill('SIGTERM');
  await waitFor('SIGTERM handover', async () => {
    const h = await fleet.holders();
    return fleet.members.every((c) => stay.includes(h.get(c) ?? '')) ? true : undefined;
  }, (leaseS + 30) * 1000, 100);
  record(`handover after SIGTERM of ${leaving} (held ${leavingHeld}): ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const c3 = fleet.commitRendered('3');
  const after = await fleet.waitConverged('3', c3, 600_000);
  record(`a new commit after the handovers: applied ${s(after.appliedMs)}, reported ${s(after.reportedMs)}`);
  const report = fleet.report();
  record(`report branch: ${report.size} of ${members} status files, ${[...report.values()].filter((s) => s.renderedCommit === c3 && s.result === 'Synced').length} Synced at the last commit`);
  const overlaps = fleet.overlaps();
  record(`overlapping reconciles of one cluster by two replicas: ${overlaps.length}${overlaps.length > 0 ? ` (${overlaps.slice(0, 3).join('; ')})` : ''}`);
  process.stdout.write(`${results.map((r) => `- ${r}`).join('\n')}\n`);
  if (overlaps.length > 0 || report.size !== members) process.exitCode = 1;
} finally {
  await fleet.stop();
}
