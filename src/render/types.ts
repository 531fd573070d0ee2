/** The contract between dialects and the render core. */
import type { Problem } from '../errors/index.ts';
import type { Repository } from '../load/repository.ts';
import type { LiveStatus, ObservedCluster } from '../model/live.ts';
import type { Cluster, JsonObject, SourceRef, Template } from '../model/types.ts';

export type DialectName = 'karmada' | 'kubefed' | 'federation-v1' | 'kubeadmiral' | 'work' | 'manifold';

/** A policy (or other object) that took part in a decision. */
export interface PolicyRef {
  kind: string;
  namespace?: string | undefined;
  name: string;
  source: SourceRef;
}

/** One block of `manifold explain` output. */
export interface ExplainSection {
  title: string;
  lines: string[];
}

/** Where one template goes and how each cluster's copy is built. */
export interface Placement {
  template: Template;
  dialect: DialectName;
  /** The policy that claimed the template, if any (dependencies and namespaces may have none). */
  policy?: PolicyRef | undefined;
  /** Target clusters, sorted by name. */
  clusters: string[];
  /**
   * A key such that two clusters with the same key receive byte-identical
   * objects; lets the core build and serialize each distinct variant once.
   */
  variantOf(cluster: string): string;
  /** Builds the object for one cluster (replicas, overrides). Throws InputError. */
  materialize(cluster: string): JsonObject;
  /** Policies and rules that changed the object for this cluster, for provenance. */
  overridesFor(cluster: string): string[];
  explain: ExplainSection[];
  /**
   * Clusters the live status made the scheduler take replicas from, with
   * why (KubeAdmiral auto-migration: "3 pods unschedulable for more than
   * 1m"), for `manifold failover`'s message.
   */
  migrated?: Array<{ cluster: string; why: string }> | undefined;
  /** Karmada clusterAffinities group that scheduled the template, kept for the next render. */
  affinityGroup?: string | undefined;
  /**
   * Keys of the templates this placement was derived from (a dependency
   * follows its workloads), sorted. Recorded in provenance so that an
   * incremental render re-places this object when one of them changes.
   */
  follows?: string[] | undefined;
}

/** Previous render, for stable placements: object path → object, per cluster. */
export interface PreviousRender {
  /** cluster → template key → replicas found there. */
  replicas: Map<string, Map<string, number>>;
  /** cluster names present in the previous render. */
  clusters: Set<string>;
  /** template key → Karmada affinity group the previous render used (from its provenance). */
  affinityGroups?: Map<string, string> | undefined;
  /** cluster → every file path of its folder (model/paths.ts objectPath), where the reader has them (the rendered branch). */
  files?: Map<string, ReadonlySet<string>> | undefined;
}

export interface DialectContext {
  repo: Repository;
  /**
   * Incremental render: place only the templates with these keys (a set the
   * dialect's own `cover` closed). Placements of other templates may be
   * returned too; the core ignores them.
   */
  only?: ReadonlySet<string> | undefined;
  previous?: PreviousRender | undefined;
  warn(problem: Omit<Problem, 'severity'>): void;
  error(problem: Omit<Problem, 'severity'>): void;
  /**
   * A template no cluster can take (Karmada: the binding's Scheduled
   * condition is False). An error unless the render reports unschedulable
   * templates and places the rest; absent, the dialect calls `error`.
   */
  unschedulable?(template: Template, problem: Omit<Problem, 'severity'>): void;
  /**
   * The render reads live status (render/live.ts has already overlaid it on
   * `repo.clusters`): clusters the previous render placed a template on keep
   * it until evicted, and with `live.failover` NoExecute taints evict.
   */
  live?: LiveContext | undefined;
}

export interface LiveContext {
  status: LiveStatus;
  /** Templates (by key) that must not be evicted: they would be left without any cluster (the last copy). */
  keepLastCopy?: ReadonlySet<string> | undefined;
}

export interface Dialect {
  name: DialectName;
  /** Produces the placements of every template this dialect claims (or of `ctx.only`). */
  place(ctx: DialectContext): Placement[];
  /**
   * Incremental rendering: the keys of every template whose placement or
   * objects may differ when the templates `changed` (added, edited or
   * removed) changed and nothing else did, `changed` included.
   */
  cover(repo: Repository, changed: ReadonlySet<string>): Set<string>;
  /**
   * Maps one cluster's live status onto an inventory cluster this dialect
   * declared (Karmada: Cluster.status and the cluster controller's taints),
   * with one line per change for `explain`; undefined for other clusters.
   */
  overlayLive?(cluster: Cluster, observed: ObservedCluster, status: LiveStatus): { cluster: Cluster; notes: string[] } | undefined;
}
