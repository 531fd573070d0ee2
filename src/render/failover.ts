/**
 * What a failover (or failback) render changes, and whether it fits: the
 * replicas each workload had per cluster in the previous render against the
 * new render, the receiving clusters' free capacity from their live
 * resourceSummary (Karmada's general estimator, karmada
 * pkg/estimator/client/general.go, dialects/karmada/estimator.ts), and the
 * degradation the first background article describes ("if cluster A fails
 * and cluster B lacks sufficient resources, consider downgrade strategies
 * such as halving replica counts for non-critical services").
 *
 * > Manifold decision: a workload is `critical` (keeps all its replicas) or
 * > `non-critical` (keeps half, rounded up) by its annotation
 * > manifold.dev/criticality, else manifold.yaml failover.defaultCriticality,
 * > else critical: nothing is degraded that nobody declared degradable.
 * > Receivers are filled in template key order, after crediting what the
 * > replicas leaving them in the same change requested; what still does not
 * > fit is reported per workload and cluster, never dropped silently.
 */
import type { ResourceList } from '../model/common.ts';
import { nanoToMilli, nanoToWhole, parseQuantityExact } from '../model/quantity.ts';
import { describeId, type Cluster, type JsonObject, type Template } from '../model/types.ts';
import { estimateAvailableReplicas } from '../dialects/karmada/estimator.ts';
import { podRequestsOf } from '../dialects/karmada/interpreter.ts';
import type { Placement, PreviousRender } from './types.ts';

export const CRITICALITY_ANNOTATION = 'manifold.dev/criticality';
export type Criticality = 'critical' | 'non-critical';

/** One workload whose replicas change between the previous render and this one. */
export interface WorkloadMove {
  key: string;
  /** `Kind namespace/name`. */
  name: string;
  criticality: Criticality;
  /** Pod requests of one replica. */
  requests: ResourceList;
  before: ReadonlyMap<string, number>;
  after: ReadonlyMap<string, number>;
}

/** Free capacity of one cluster: allocatable − allocated − allocating. */
export interface FreeCapacity {
  cpuMilli: bigint;
  memoryBytes: bigint;
  pods: bigint;
}

export interface ReceiverCapacity {
  cluster: string;
  /** undefined: the report has no resourceSummary for it (not checked). */
  before?: FreeCapacity | undefined;
  after?: FreeCapacity | undefined;
  /** Replicas it receives, per workload key. */
  receives: Map<string, number>;
}

export interface Shortfall {
  key: string;
  name: string;
  cluster: string;
  /** Replicas that do not fit. */
  missing: number;
}

export interface CapacityCheck {
  receivers: ReceiverCapacity[];
  shortfalls: Shortfall[];
}

export function criticalityOf(template: Template, fallback: Criticality): Criticality {
  const value = template.annotations[CRITICALITY_ANNOTATION];
  return value === 'critical' || value === 'non-critical' ? value : fallback;
}

/** The replicas a placement gives each of its clusters; undefined for objects without replicas. */
function replicasByCluster(placement: Placement): Map<string, number> | undefined {
  const spec = placement.template.object.spec as JsonObject | undefined;
  if (spec === undefined || typeof spec.replicas !== 'number') return undefined;
  const out = new Map<string, number>();
  for (const cluster of placement.clusters) {
    const replicas = (placement.materialize(cluster).spec as JsonObject | undefined)?.replicas;
    if (typeof replicas === 'number') out.set(cluster, replicas);
  }
  return out;
}

/** Workloads whose per-cluster replicas differ from the previous render (removed ones included), by key. */
export function workloadMoves(previous: PreviousRender, placements: readonly Placement[], templates: readonly Template[], fallback: Criticality): WorkloadMove[] {
  const before = new Map<string, Map<string, number>>();
  for (const [cluster, perTemplate] of previous.replicas) {
    for (const [key, replicas] of perTemplate) {
      const map = before.get(key) ?? new Map<string, number>();
      map.set(cluster, replicas);
      before.set(key, map);
    }
  }
  const byKey = new Map(templates.map((t) => [t.key, t]));
  const moves: WorkloadMove[] = [];
  const seen = new Set<string>();
  for (const placement of placements) {
    const after = replicasByCluster(placement);
    if (after === undefined) continue;
    seen.add(placement.template.key);
    const was = before.get(placement.template.key) ?? new Map<string, number>();
    if (sameCounts(was, after)) continue;
    moves.push(moveOf(placement.template, was, after, fallback));
  }
  for (const [key, was] of before) {
    const template = byKey.get(key);
    if (!seen.has(key) && template !== undefined) moves.push(moveOf(template, was, new Map(), fallback));
  }
  return moves.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function moveOf(template: Template, before: Map<string, number>, after: Map<string, number>, fallback: Criticality): WorkloadMove {
  return { key: template.key, name: describeId(template.id), criticality: criticalityOf(template, fallback), requests: podRequestsOf(template.object), before, after };
}

function sameCounts(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** Replicas a workload gains on a cluster (0 when it keeps or loses some). */
export function gained(move: WorkloadMove, cluster: string): number {
  return Math.max(0, (move.after.get(cluster) ?? 0) - (move.before.get(cluster) ?? 0));
}

/**
 * Fills each receiving cluster's free capacity with the replicas it gains,
 * workload by workload in key order: what the estimator says no longer fits
 * is a shortfall.
 */
export function checkCapacity(moves: readonly WorkloadMove[], clusters: readonly Cluster[]): CapacityCheck {
  const receivers: ReceiverCapacity[] = [];
  const shortfalls: Shortfall[] = [];
  for (const cluster of [...clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const incoming = moves.filter((m) => gained(m, cluster.name) > 0);
    if (incoming.length === 0) continue;
    const summary = cluster.resourceSummary;
    const receives = new Map(incoming.map((m) => [m.key, gained(m, cluster.name)]));
    if (summary?.allocatable === undefined) {
      receivers.push({ cluster: cluster.name, receives });
      continue;
    }
    const allocating: Record<string, bigint> = {};
    for (const [name, q] of Object.entries(summary.allocating ?? {})) allocating[name] = parseQuantityExact(q).nano;
    // Replicas that leave this cluster in the same change free what they requested (the tree is applied as a whole).
    const allocated = withoutLeaving(summary.allocated, moves, cluster.name);
    const current = () => ({ ...summary, allocated, allocating: toList(allocating) });
    const before = freeOf(summary);
    for (const move of incoming) {
      const want = gained(move, cluster.name);
      const fits = Math.min(want, estimateAvailableReplicas(current(), move.requests));
      consume(allocating, move.requests, fits);
      if (fits < want) shortfalls.push({ key: move.key, name: move.name, cluster: cluster.name, missing: want - fits });
    }
    receivers.push({ cluster: cluster.name, receives, before, after: freeOf(current()) });
  }
  return { receivers, shortfalls };
}

/** The allocated list minus the requests of the replicas that leave `cluster` (never below zero). */
function withoutLeaving(allocated: ResourceList | undefined, moves: readonly WorkloadMove[], cluster: string): ResourceList {
  const nano: Record<string, bigint> = {};
  for (const [name, q] of Object.entries(allocated ?? {})) nano[name] = parseQuantityExact(q).nano;
  for (const move of moves) {
    const leaving = Math.max(0, (move.before.get(cluster) ?? 0) - (move.after.get(cluster) ?? 0));
    if (leaving > 0) consume(nano, move.requests, -leaving);
  }
  for (const name of Object.keys(nano)) if ((nano[name] as bigint) < 0n) nano[name] = 0n;
  return toList(nano);
}

/** Adds `replicas` pods of `requests` to the allocating list (as the scheduler's pending pods would). */
function consume(allocating: Record<string, bigint>, requests: ResourceList, replicas: number): void {
  if (replicas === 0) return;
  const n = BigInt(replicas);
  allocating.pods = (allocating.pods ?? 0n) + n * 1_000_000_000n;
  for (const [name, q] of Object.entries(requests)) allocating[name] = (allocating[name] ?? 0n) + n * parseQuantityExact(q).nano;
}

function toList(nano: Record<string, bigint>): ResourceList {
  const out: ResourceList = {};
  for (const [name, value] of Object.entries(nano)) out[name] = `${nanoToMilli(value)}m`;
  return out;
}

function freeOf(summary: NonNullable<Cluster['resourceSummary']>): FreeCapacity {
  const free = (name: string): bigint => {
    const amount = (list: ResourceList | undefined): bigint => (list?.[name] === undefined ? 0n : parseQuantityExact(list[name] as string | number).nano);
    return amount(summary.allocatable) - amount(summary.allocated) - amount(summary.allocating);
  };
  return { cpuMilli: nanoToMilli(free('cpu')), memoryBytes: nanoToWhole(free('memory')), pods: nanoToWhole(free('pods')) };
}

/** `cpu 1500m, memory 3Gi, pods 105` (memory in Mi/Gi when whole). */
export function formatFree(free: FreeCapacity | undefined): string {
  if (free === undefined) return 'unknown (no resourceSummary in the report)';
  return `cpu ${free.cpuMilli}m, memory ${formatBytes(free.memoryBytes)}, pods ${free.pods}`;
}

function formatBytes(bytes: bigint): string {
  const gi = 1024n ** 3n;
  const mi = 1024n ** 2n;
  if (bytes !== 0n && bytes % gi === 0n) return `${bytes / gi}Gi`;
  if (bytes !== 0n && bytes % mi === 0n) return `${bytes / mi}Mi`;
  return `${bytes}`;
}

/** Half the replicas, rounded up: what a non-critical workload keeps when the receivers lack capacity. */
export function degradedReplicas(replicas: number): number {
  return Math.ceil(replicas / 2);
}
