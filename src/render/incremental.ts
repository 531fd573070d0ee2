/**
 * Incremental rendering: when only resource templates changed since the
 * render a branch holds (same policies, inventory, settings and CRDs, same
 * Manifold version), only the templates whose placement can differ are
 * placed and rendered again, and the branch's tree is patched at their
 * paths. Everything else is taken from that render, unchanged: a one-line
 * edit in a 1,000-cluster fleet costs a few templates, not the fleet.
 *
 * The result must be the tree a full render gives, byte for byte
 * (test/incremental.test.ts checks this on every example and on random
 * edits). What can differ when a template changes:
 *  - the template itself, and what a dialect derives from it (its
 *    dependencies, followers: `Dialect.cover`, on the current content);
 *  - objects that followed it in the previous render (`follows` in
 *    provenance: the old relation, which the new content no longer shows);
 *  - the Namespace objects of the namespaces those live in.
 */
import { ProblemSink, formatProblem, type Problem } from '../errors/index.ts';
import type { Repository } from '../load/repository.ts';
import { byteOrder } from '../load/source.ts';
import { isRecord } from '../load/validate.ts';
import {
  assembleProvenance,
  checkSingleClaim,
  dialectContext,
  followNamespaces,
  isSystemNamespace,
  renderPlacements,
  sortWarnings,
  type Provenance,
  type ProvenanceObject,
  type RenderedTemplate,
  type RenderOptions,
} from './render.ts';
import { trafficSplits } from './traffic.ts';
import type { Dialect, Placement, PreviousRender } from './types.ts';

export type IncrementalPlan =
  | {
      kind: 'incremental';
      /** Template keys whose template was added, edited or removed. */
      changed: Set<string>;
      /** Keys placed and rendered again (changed ⊆ covered); every other object is kept. */
      covered: Set<string>;
      /** Namespaces whose Namespace object is worked out again. */
      namespaces: Set<string>;
      /** Paths (inside a cluster folder) the previous render wrote for covered keys: removed before the new objects go in. */
      oldPaths: Set<string>;
    }
  | { kind: 'full'; reason: string };

/** What an incremental render needs from the previous render's tree, read by the git layer. */
export interface PriorTreeFacts {
  /** Replicas of the covered keys only (stable placements), the clusters and affinity groups. */
  previous: PreviousRender;
  /** Per recomputed namespace: the clusters keeping an object there that is not rendered again. */
  keptNamespaceClusters: Map<string, Set<string>>;
}

/** cluster → path inside its folder → new content, or null to remove the file. */
export type ClusterEdits = Map<string, Map<string, string | null>>;

export interface IncrementalRender {
  /** The templates rendered again (with their variants). */
  rendered: RenderedTemplate[];
  edits: ClusterEdits;
  /** Warnings of this run: load, global and those of the covered templates. */
  warnings: Problem[];
  /** Template warnings carried over from the previous render (not raised again). */
  keptWarnings: number;
  /** Provenance, once the patched tree's per-cluster object counts are known. */
  provenance(counts: ReadonlyMap<string, number>): Provenance;
}

const NAMESPACE_PREFIX = '/Namespace//';

/** `group/Kind/namespace/name` → its namespace, and for a Namespace the namespace it is. */
function namespacesOfKey(key: string): string[] {
  const parts = key.split('/');
  if (parts.length !== 4) return [];
  const out: string[] = [];
  if (parts[2] !== '') out.push(parts[2] as string);
  if (key.startsWith(NAMESPACE_PREFIX)) out.push(parts[3] as string);
  return out.filter((ns) => !isSystemNamespace(ns));
}

/** Files added, removed or edited between two input lists. */
function changedFiles(before: readonly { file: string; sha256: string }[], after: readonly { file: string; sha256: string }[]): Set<string> {
  const old = new Map(before.map((i) => [i.file, i.sha256]));
  const out = new Set<string>();
  for (const i of after) {
    if (old.get(i.file) !== i.sha256) out.add(i.file);
    old.delete(i.file);
  }
  for (const file of old.keys()) out.add(file);
  return out;
}

/** True when the parsed provenance has the fields an incremental render relies on. */
function usable(prior: Provenance): boolean {
  return (
    typeof prior.generator === 'string' &&
    typeof prior.source?.globals === 'string' &&
    Array.isArray(prior.source.inputs) &&
    Array.isArray(prior.objects) &&
    prior.objects.every(usableObject) &&
    prior.source.inputs.every((i) => isRecord(i) && typeof i.file === 'string' && typeof i.sha256 === 'string') &&
    Array.isArray(prior.warnings) &&
    isRecord(prior.clusters)
  );
}

/** A provenance entry with what the plan reads (a hand-edited branch may hold anything). */
function usableObject(o: unknown): boolean {
  if (!isRecord(o) || typeof o.key !== 'string' || typeof o.file !== 'string' || !Array.isArray(o.variants)) return false;
  if (o.follows !== undefined && !(Array.isArray(o.follows) && o.follows.every((k) => typeof k === 'string'))) return false;
  return o.variants.every((v) => isRecord(v) && typeof v.path === 'string');
}

/**
 * Decides whether the change since `prior` can be rendered incrementally and
 * what it covers. Pure: reads only the loaded repository and the provenance.
 */
export function planIncremental(repo: Repository, dialects: readonly Dialect[], prior: Provenance, generator: string): IncrementalPlan {
  if (!usable(prior)) return { kind: 'full', reason: 'the branch holds a render without the provenance an incremental render needs' };
  if (prior.generator !== generator) return { kind: 'full', reason: `the branch was rendered by ${prior.generator}` };
  if (prior.source.globals !== repo.globals) return { kind: 'full', reason: 'policies, inventory, settings or CRDs changed' };
  // A TrafficSplit's outputs depend on the replicas of its workload in every cluster: render them all again.
  if (trafficSplits(repo).length > 0) return { kind: 'full', reason: 'the source has TrafficSplits, whose outputs follow every placement' };

  const files = changedFiles(prior.source.inputs, repo.inputs);
  const changed = new Set<string>();
  for (const t of repo.templates) if (files.has(t.source.file)) changed.add(t.key);
  for (const o of prior.objects) if (files.has(o.file)) changed.add(o.key);

  const covered = new Set(changed);
  const namespaces = new Set<string>();
  for (;;) {
    const size = covered.size;
    for (const d of dialects) for (const key of d.cover(repo, covered)) covered.add(key);
    for (const o of prior.objects) if (o.follows?.some((k) => covered.has(k))) covered.add(o.key);
    for (const key of [...covered]) {
      for (const ns of namespacesOfKey(key)) {
        namespaces.add(ns);
        covered.add(`${NAMESPACE_PREFIX}${ns}`);
      }
    }
    if (covered.size === size) break;
  }
  const oldPaths = new Set<string>();
  for (const o of prior.objects) if (covered.has(o.key)) for (const v of o.variants) oldPaths.add(v.path);
  return { kind: 'incremental', changed, covered, namespaces, oldPaths };
}

/** Renders the covered templates and lists the edits that turn the previous tree into the new one. */
export function renderIncremental(
  repo: Repository,
  dialects: readonly Dialect[],
  prior: Provenance,
  plan: Extract<IncrementalPlan, { kind: 'incremental' }>,
  facts: PriorTreeFacts,
  options: RenderOptions,
): IncrementalRender {
  const sink = new ProblemSink();
  const ctx = dialectContext(repo, facts.previous, sink, plan.covered);
  // In the dialects' order, so global warnings come out as a full render raises them.
  const placements: Placement[] = dialects.flatMap((d) => d.place(ctx).filter((p) => plan.covered.has(p.template.key)));
  checkSingleClaim(placements, sink);
  sink.throwIfErrors();
  const kept = new Map([...plan.namespaces].map((ns) => [ns, facts.keptNamespaceClusters.get(ns) ?? new Set<string>()]));
  const rendered = renderPlacements(followNamespaces(repo, placements, kept), sink);

  const edits: ClusterEdits = new Map(repo.clusters.map((c) => [c.name, new Map<string, string | null>()]));
  for (const files of edits.values()) for (const p of plan.oldPaths) files.set(p, null);
  for (const r of rendered) for (const v of r.variants) for (const c of v.clusters) edits.get(c)?.set(v.path, v.content);

  const sorted = sortWarnings(repo, sink.warnings);
  const templateKeys = new Set(repo.templates.map((t) => t.key));
  const templateWarnings = new Map<string, string[]>();
  let keptWarnings = 0;
  for (const [key, list] of Object.entries(prior.templateWarnings ?? {})) {
    if (plan.covered.has(key) || !templateKeys.has(key)) continue;
    templateWarnings.set(key, list);
    keptWarnings += list.length;
  }
  for (const [key, list] of sorted.byTemplate) if (plan.covered.has(key)) templateWarnings.set(key, list.map(formatProblem));
  const orderedWarnings = new Map([...templateWarnings].sort((a, b) => byteOrder(a[0], b[0])));

  const objects: ProvenanceObject[] = [...prior.objects.filter((o) => !plan.covered.has(o.key)), ...rendered.map((r) => r.provenance)];
  objects.sort((a, b) => byteOrder(a.key, b.key));
  const regenerated = [...sorted.global, ...[...sorted.byTemplate].filter(([key]) => plan.covered.has(key)).flatMap(([, list]) => list)];
  return {
    rendered,
    edits,
    warnings: [...repo.warnings, ...regenerated],
    keptWarnings,
    provenance: (counts) => assembleProvenance(repo, objects, counts, sorted.global, orderedWarnings, options),
  };
}
