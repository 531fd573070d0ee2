/**
 * `manifold.dev/v1alpha1 RolloutPolicy`: ordered waves of clusters that a new
 * commit of the rendered branch walks through, each gated on the health the
 * report branch records (docs/rollout.md).
 *
 * Field names follow the closest upstream:
 * - waves by label selector or names: KubeFleet ClusterStagedUpdateStrategy
 *   `stages[].labelSelector` (apis/placement/v1beta1/stageupdate_types.go),
 *   Rancher Fleet `rolloutStrategy.partitions[].clusterSelector` / `clusterName`
 *   (pkg/apis/fleet.cattle.io/v1alpha1/bundle_types.go);
 * - a share of the remaining clusters: Fleet `autoPartitionSize` ("25%");
 * - `minHealthySeconds`: OCM RolloutStrategy `minSuccessTime`
 *   (cluster/v1alpha1/types_rolloutstrategy.go), in seconds like Kubernetes'
 *   `minReadySeconds`;
 * - `maxUnavailableClusters`: Fleet `maxUnavailable`; `maxFailures`: OCM `maxFailures`;
 * - `requireApproval`: KubeFleet `beforeStageTasks: [{type: Approval}]`;
 * - `window`: a daily UTC time window, as Fleet's experimental `Schedule`.
 *
 * This module is pure: it validates the policy and resolves which cluster is
 * in which wave; render records the result beside the cluster folders
 * (provenance `rollout`), where the reconciler reads it without knowing policies.
 */
import { z } from 'zod';
import type { Problem } from '../errors/index.ts';
import { LabelSelector, ObjectMeta } from './common.ts';
import { matchLabelSelector } from './labels.ts';
import type { Cluster, SourceRef } from './types.ts';

export const ROLLOUT_API = 'manifold.dev/v1alpha1';
export const ROLLOUT_KIND = 'RolloutPolicy';
/** The wave that holds the clusters no wave selects. */
export const REMAINING_WAVE = 'remaining';
/** A week: longer waits are a typo (hours written as seconds), not a plan. */
export const MAX_WAIT_SECONDS = 7 * 24 * 3600;

const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour, UTC)');

const Seconds = z.number().int('must be a whole number of seconds').min(0, 'must not be negative').max(MAX_WAIT_SECONDS, `must be at most ${MAX_WAIT_SECONDS} (a week)`);

export const RolloutWaveSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label (lower-case letters, digits, "-")'),
    clusters: z.array(z.string().min(1)).min(1).optional().meta({ description: 'cluster names (Fleet partitions[].clusterName)' }),
    clusterSelector: LabelSelector.optional().meta({ description: 'cluster labels (KubeFleet stages[].labelSelector, Fleet partitions[].clusterSelector)' }),
    share: z
      .string()
      .regex(/^([1-9]\d?|100)%$/, 'must be a percentage from 1% to 100%')
      .optional()
      .meta({ description: 'a share of the clusters no wave names or selects, rounded up (Fleet autoPartitionSize)' }),
    minHealthySeconds: Seconds.optional().meta({ description: 'every cluster of this wave Synced and Healthy at the new commit for this long before the next wave starts (OCM minSuccessTime); default 0' }),
    maxUnavailableClusters: z.number().int().min(1).optional().meta({ description: 'clusters of this wave updating at once (Fleet maxUnavailable); default: all' }),
    maxFailures: z.number().int().min(0).optional().meta({ description: 'clusters of this wave that may be Degraded or Failed at the new commit before the rollout halts (OCM maxFailures); default 0' }),
    requireApproval: z.boolean().optional().meta({ description: 'the wave starts only after `manifold rollout approve WAVE` for the commit (KubeFleet beforeStageTasks Approval)' }),
    window: z
      .strictObject({ start: TimeOfDay, end: TimeOfDay })
      .optional()
      .meta({ description: 'the wave starts only between start and end (UTC, HH:MM; end before start spans midnight)' }),
  })
  .superRefine((wave, ctx) => {
    const ways = [wave.clusters, wave.clusterSelector, wave.share].filter((w) => w !== undefined).length;
    if (ways !== 1) ctx.addIssue({ code: 'custom', path: [], message: 'a wave selects its clusters in exactly one way: clusters, clusterSelector or share' });
    if (wave.window !== undefined && wave.window.start === wave.window.end) ctx.addIssue({ code: 'custom', path: ['window', 'end'], message: 'must differ from start' });
  });
export type RolloutWave = z.infer<typeof RolloutWaveSchema>;

export const RolloutPolicySpec = z.strictObject({
  waves: z.array(RolloutWaveSchema).min(1),
  /**
   * A report branch whose newest commit is older than this (against the
   * reconciler's clock) holds the rollout: nothing is released on old news.
   */
  maxReportAgeSeconds: Seconds.optional().meta({ description: 'a report older than this holds the rollout (default 600)' }),
});

export const RolloutPolicySchema = z
  .strictObject({
    apiVersion: z.literal(ROLLOUT_API),
    kind: z.literal(ROLLOUT_KIND),
    metadata: ObjectMeta,
    spec: RolloutPolicySpec,
  })
  .meta({ description: 'manifold.dev/v1alpha1 RolloutPolicy: ordered waves of clusters a new rendered commit walks through' });
export type RolloutPolicy = z.infer<typeof RolloutPolicySchema>;

// ---------------------------------------------------------------------------
// The resolved plan: what render records and the gate reads.

/** One wave with its clusters, as recorded in provenance (`rollout.waves`). */
export interface PlannedWave {
  name: string;
  clusters: string[];
  minHealthySeconds: number;
  /** Absent: the whole wave at once. */
  maxUnavailableClusters?: number | undefined;
  maxFailures: number;
  requireApproval: boolean;
  window?: { start: string; end: string } | undefined;
}

/** Provenance `rollout`: the policy's waves resolved against the inventory. */
export interface RolloutPlan {
  policy: string;
  maxReportAgeSeconds: number;
  waves: PlannedWave[];
}

export const DEFAULT_MAX_REPORT_AGE_SECONDS = 600;

/** A validated policy with where it came from (load/repository.ts Parsed). */
export interface ParsedPolicy {
  value: RolloutPolicy;
  source: SourceRef;
  lineOf(path: readonly PropertyKey[]): number;
}

function problem(p: ParsedPolicy, path: (string | number)[], code: string, message: string): Problem {
  return {
    code,
    severity: 'error',
    file: p.source.file,
    line: p.lineOf(path),
    object: { kind: ROLLOUT_KIND, name: p.value.metadata.name },
    field: path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1).replace(/\.\[/g, '['),
    message,
  };
}

/**
 * The waves of the (at most one) policy, resolved against the inventory:
 * names and selectors first, then shares of what is left, in wave order;
 * clusters no wave takes form a last wave named `remaining`.
 */
export function resolveRollout(policies: readonly ParsedPolicy[], clusters: readonly Cluster[]): { plan?: RolloutPlan; problems: Problem[]; notes: string[] } {
  if (policies.length === 0) return { problems: [], notes: [] };
  const [p, ...others] = policies as [ParsedPolicy, ...ParsedPolicy[]];
  const problems: Problem[] = others.map((o) => problem(o, ['metadata', 'name'], 'ROLLOUT_DUPLICATE', `a source holds one RolloutPolicy; ${p.value.metadata.name} (${p.source.file}:${p.source.line}) is already one`));
  const names = new Set(clusters.map((c) => c.name));
  const owner = new Map<string, number>();
  const members: string[][] = p.value.spec.waves.map(() => []);
  const seenWave = new Map<string, number>();
  p.value.spec.waves.forEach((wave, i) => {
    const first = seenWave.get(wave.name);
    if (first !== undefined || wave.name === REMAINING_WAVE) {
      problems.push(problem(p, ['spec', 'waves', i, 'name'], 'ROLLOUT_WAVE_NAME', first !== undefined ? `wave "${wave.name}" is also spec.waves[${first}]` : `"${REMAINING_WAVE}" is the name of the wave of clusters no wave selects`));
    }
    seenWave.set(wave.name, i);
    if (wave.share !== undefined) return;
    const picked = wave.clusters ?? clusters.filter((c) => matchLabelSelector(c.labels, wave.clusterSelector ?? {})).map((c) => c.name);
    for (const [j, name] of (wave.clusters ?? []).entries()) {
      if (!names.has(name)) problems.push(problem(p, ['spec', 'waves', i, 'clusters', j], 'ROLLOUT_UNKNOWN_CLUSTER', `cluster "${name}" is not in the inventory`));
    }
    for (const name of picked.filter((n) => names.has(n))) {
      const other = owner.get(name);
      if (other !== undefined && other !== i) {
        problems.push(problem(p, ['spec', 'waves', i, wave.clusters !== undefined ? 'clusters' : 'clusterSelector'], 'ROLLOUT_WAVE_OVERLAP', `cluster "${name}" is in wave "${wave.name}" and in wave "${p.value.spec.waves[other]?.name}" (spec.waves[${other}]): a cluster is in one wave`));
        continue;
      }
      owner.set(name, i);
      members[i]?.push(name);
    }
  });
  // Shares take from the clusters no wave names or selects, in name order.
  let pool = [...names].filter((n) => !owner.has(n)).sort();
  p.value.spec.waves.forEach((wave, i) => {
    if (wave.share === undefined) return;
    const take = Math.ceil((Number(wave.share.slice(0, -1)) / 100) * pool.length);
    members[i] = pool.slice(0, take);
    pool = pool.slice(take);
  });
  p.value.spec.waves.forEach((wave, i) => {
    if ((members[i] ?? []).length === 0 && !problems.some((x) => x.field?.startsWith(`spec.waves[${i}]`))) {
      problems.push(problem(p, ['spec', 'waves', i], 'ROLLOUT_WAVE_EMPTY', `wave "${wave.name}" selects no cluster of the inventory`));
    }
  });
  const waves: PlannedWave[] = p.value.spec.waves.map((w, i) => ({
    name: w.name,
    clusters: [...(members[i] ?? [])].sort(),
    minHealthySeconds: w.minHealthySeconds ?? 0,
    ...(w.maxUnavailableClusters === undefined ? {} : { maxUnavailableClusters: w.maxUnavailableClusters }),
    maxFailures: w.maxFailures ?? 0,
    requireApproval: w.requireApproval ?? false,
    ...(w.window === undefined ? {} : { window: w.window }),
  }));
  const notes: string[] = [];
  if (pool.length > 0) {
    waves.push({ name: REMAINING_WAVE, clusters: pool, minHealthySeconds: 0, maxFailures: 0, requireApproval: false });
    notes.push(`RolloutPolicy ${p.value.metadata.name}: ${pool.length} cluster(s) no wave selects form the last wave "${REMAINING_WAVE}": ${pool.join(', ')}`);
  }
  const plan: RolloutPlan = { policy: p.value.metadata.name, maxReportAgeSeconds: p.value.spec.maxReportAgeSeconds ?? DEFAULT_MAX_REPORT_AGE_SECONDS, waves };
  return { plan, problems, notes };
}

/** The plan recorded in a provenance file, or undefined (no policy, or a provenance Manifold cannot read). */
export function rolloutPlanFromProvenance(text: string | undefined): RolloutPlan | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = RecordedPlan.safeParse((JSON.parse(text) as { rollout?: unknown } | null)?.rollout);
    return parsed.success ? (parsed.data as RolloutPlan) : undefined;
  } catch {
    return undefined;
  }
}

const RecordedPlan = z.object({
  policy: z.string(),
  maxReportAgeSeconds: z.number(),
  waves: z.array(
    z.object({
      name: z.string(),
      clusters: z.array(z.string()),
      minHealthySeconds: z.number(),
      maxUnavailableClusters: z.number().optional(),
      maxFailures: z.number(),
      requireApproval: z.boolean(),
      window: z.object({ start: z.string(), end: z.string() }).optional(),
    }),
  ),
});
