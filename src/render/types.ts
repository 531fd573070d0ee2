/** The contract between dialects and the render core. */
import type { Problem } from '../errors/index.ts';
import type { Repository } from '../load/repository.ts';
import type { JsonObject, SourceRef, Template } from '../model/types.ts';

export type DialectName = 'karmada' | 'kubefed' | 'federation-v1' | 'kubeadmiral' | 'manifold';

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
  /** Karmada clusterAffinities group that scheduled the template, kept for the next render. */
  affinityGroup?: string | undefined;
}

/** Previous render, for stable placements: object path → object, per cluster. */
export interface PreviousRender {
  /** cluster → template key → replicas found there. */
  replicas: Map<string, Map<string, number>>;
  /** cluster names present in the previous render. */
  clusters: Set<string>;
  /** template key → Karmada affinity group the previous render used (from its provenance). */
  affinityGroups?: Map<string, string> | undefined;
}

export interface DialectContext {
  repo: Repository;
  previous?: PreviousRender | undefined;
  warn(problem: Omit<Problem, 'severity'>): void;
  error(problem: Omit<Problem, 'severity'>): void;
}

export interface Dialect {
  name: DialectName;
  /** Produces the placements of every template this dialect claims. */
  place(ctx: DialectContext): Placement[];
}
