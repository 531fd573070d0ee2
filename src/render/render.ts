/**
 * The pure render core: dialect placements → namespaces follow their objects
 * → one object per distinct variant → per-cluster files and provenance.
 */
import { createHash, hash } from 'node:crypto';
import { InputError, ProblemSink, formatProblem, type Problem } from '../errors/index.ts';
import type { Repository } from '../load/repository.ts';
import { byteOrder } from '../load/source.ts';
import { formatFieldPath } from '../load/validate.ts';
import { describeId, groupOf, resourceKey, type JsonObject, type ResourceId, type Template } from '../model/types.ts';
import { workloadValueProblems } from '../model/workload.ts';
import { objectPath, toYaml, type SharedSubtrees } from './emit.ts';
import { checkPathsUnique } from '../model/paths.ts';
import { computeTraffic, type TrafficExplanation } from './traffic.ts';
import { resolveRollout, ROLLOUT_API, ROLLOUT_KIND, type ParsedPolicy, type RolloutPlan } from '../model/rollout.ts';
import type { Dialect, DialectContext, Placement, PreviousRender } from './types.ts';
import type { LiveStatus } from '../model/live.ts';
import { overlayLiveStatus } from './live.ts';
import { FileTable } from './file-table.ts';

export interface RenderOptions {
  previous?: PreviousRender | undefined;
  /** Recorded in provenance (the source commit, when known). */
  sourceCommit?: string | undefined;
  manifoldVersion: string;
  /** What an unschedulable template does; default: the source's manifold.yaml, else `fail`. */
  unschedulable?: UnschedulableMode | undefined;
  /** Where each distinct content goes as soon as it is made (see ContentSink); default: kept in the result. */
  contents?: ContentSink | undefined;
  /** Live status to overlay on the inventory before placement (`--status`). */
  live?: LiveStatus | undefined;
  /** With `live`: templates (by key) that keep their last copy instead of being evicted. */
  keepLastCopy?: ReadonlySet<string> | undefined;
}

/**
 * Takes each distinct rendered content as soon as it is made (with its path
 * and the clusters that receive it) and returns what the result keeps in its
 * place: a blob id once the content is in a pack, nothing once it is a file.
 * A fleet where every cluster's objects differ renders millions of distinct
 * contents; holding them all until the end is what made memory grow with the
 * output (issue 19). Called in template key order within a placement batch,
 * never twice for one (template, variant). With a sink the result keeps no
 * variants (RenderedTemplate.variants is empty): which cluster got which
 * value is in a FileTable behind `clusters`, and provenance is made as each
 * template is rendered.
 */
export type ContentSink = (content: string, path: string, clusters: readonly string[]) => string;

export type UnschedulableMode = 'fail' | 'report';

/** A template left unplaced in `report` mode, with the reason upstream would give (Scheduled=False). */
export interface UnschedulableTemplate {
  key: string;
  template: string;
  file: string;
  line: number;
  code: string;
  /** Where the decision was made (the policy) and why no cluster fits. */
  reason: string;
}

/** One variant of a template as it lands in one or more clusters. */
export interface RenderedVariant {
  path: string;
  /** The YAML, or what RenderOptions.contents returned for it. */
  content: string;
  sha256: string;
  clusters: string[];
  overrides: string[];
}

export interface RenderedTemplate {
  template: Template;
  placement: Placement;
  /** Empty when the contents went to a ContentSink. */
  variants: RenderedVariant[];
  provenance: ProvenanceObject;
}

export interface RenderResult {
  /**
   * cluster → (path inside the cluster folder → file content); identical
   * contents share one string, clusters with identical files one map.
   */
  clusters: Map<string, ReadonlyMap<string, string>>;
  rendered: RenderedTemplate[];
  placements: Placement[];
  warnings: Problem[];
  /** Templates left out because no cluster can take them (`unschedulable: report`), by key. */
  unschedulable: UnschedulableTemplate[];
  /** Each TrafficSplit's arithmetic, for `manifold explain TrafficSplit/NAME`. */
  traffic: TrafficExplanation[];
  provenance: Provenance;
}

export interface ProvenanceObject {
  /** Version-independent key `group/Kind/namespace/name`. */
  key: string;
  template: string;
  file: string;
  line: number;
  dialect: string;
  policy?: string | undefined;
  affinityGroup?: string | undefined;
  /** Templates this object's placement was derived from (dependencies follow workloads). */
  follows?: string[] | undefined;
  /**
   * One entry per distinct object built from the template. Which cluster got
   * which variant is in the tree itself (match a file's SHA-256); listing the
   * clusters here would make provenance grow with templates × clusters.
   */
  variants: (ProvenanceVariant | ProvenanceVariantGroup)[];
}

export interface ProvenanceVariant {
  path: string;
  sha256: string;
  clusters: number;
  overrides: string[];
}

/**
 * Many variants of one object at one path whose overrides come from the same
 * policies, listed as one entry: how many distinct contents, one digest over
 * them (GROUP_DIGEST), how many clusters received one of them in all, and
 * the override policies (without the rule that matched each cluster:
 * `manifold explain` names it). A fleet where every cluster's copy differs
 * (a rule per cluster adding its name as a label) has a variant per cluster:
 * one entry each made provenance about 430 bytes per cluster and object
 * (430 MB at 1,000 × 1,000), and a SHA-256 each still ~70 MB, which every
 * render, no-op check and one-template change then read or rewrote (issue 19).
 * Which cluster holds which content is in the tree itself.
 */
export interface ProvenanceVariantGroup {
  path: string;
  /** Distinct contents at this path in the group. */
  variants: number;
  /** GROUP_DIGEST of their contents. */
  digest: string;
  clusters: number;
  overrides: string[];
}

/**
 * How a group's digest is made: the SHA-256 of each content, in hex, sorted,
 * each followed by a newline, and the SHA-256 of that text. Anyone holding
 * the files can check it: hash the distinct files at the group's path across
 * the cluster folders and do the same.
 */
export function groupDigest(sha256s: readonly string[]): string {
  const hash = createHash('sha256');
  for (const s of [...sha256s].sort()) hash.update(`${s}\n`);
  return hash.digest('hex');
}

/** Variants of one path are grouped from this many on (fleets of a few clusters keep one entry per variant). */
export const GROUP_VARIANTS_FROM = 16;

export interface Provenance {
  generator: string;
  source: {
    commit?: string | undefined;
    inputs: { file: string; sha256: string }[];
    /** Digest of the files holding policies, inventory, settings and CRDs (Repository.globals). */
    globals: string;
  };
  /** Per cluster: how many objects, and the kubeconfig context the inventory names (manifold.dev/context), read by the reconciler. */
  clusters: Record<string, { objects: number; context?: string | undefined }>;
  objects: ProvenanceObject[];
  /** Load warnings and render warnings that are not about one template. */
  warnings: string[];
  /** Render warnings about one template, by template key (sorted), in the order they were raised. */
  templateWarnings?: Record<string, string[]> | undefined;
  /** Templates not rendered because no cluster can take them (`unschedulable: report`), by key. */
  unschedulable?: UnschedulableTemplate[] | undefined;
  /** The RolloutPolicy's waves resolved against the inventory, read by the reconciler's gate (docs/rollout.md). */
  rollout?: RolloutPlan | undefined;
  /** The live status the render read: the report commit (none for a folder), the decision time, per cluster what it changed. */
  status?: { commit?: string | undefined; now: string; failover?: { gracePeriodSeconds: number } | undefined; clusters: Record<string, string[]> } | undefined;
}

/** Render warnings split into those about one template (by key) and the rest. */
export interface SortedWarnings {
  global: Problem[];
  byTemplate: Map<string, Problem[]>;
}

/** Namespaces that are never created by Manifold (Karmada and KubeFed skip them too). */
export function isSystemNamespace(name: string): boolean {
  return (
    name === 'default' ||
    name.startsWith('kube-') ||
    name === 'karmada-system' ||
    name === 'karmada-cluster' ||
    name.startsWith('karmada-es-')
  );
}

export function render(source: Repository, dialects: readonly Dialect[], options: RenderOptions): RenderResult {
  const overlaid = options.live === undefined ? undefined : overlayLiveStatus(source, dialects, options.live);
  const repo = overlaid?.repo ?? source;
  const sink = new ProblemSink();
  const unschedulable: UnschedulableTemplate[] = [];
  const mode = options.unschedulable ?? repo.settings.unschedulable ?? 'fail';
  const ctx = dialectContext(repo, options.previous, sink, undefined, mode === 'report' ? unschedulable : undefined);
  checkRollout(repo, sink);
  if (options.live !== undefined) ctx.live = { status: options.live, keepLastCopy: options.keepLastCopy };
  const placements = dialects.flatMap((d) => d.place(ctx));
  checkSingleClaim(placements, sink);
  sink.throwIfErrors();
  // Traffic follows placement: its outputs are objects of their edge cluster, computed from the replicas just placed.
  const traffic = computeTraffic(repo, placements, (p) => sink.error(p), (p) => sink.warn(p));
  sink.throwIfErrors();
  const all = followNamespaces(repo, [...placements, ...traffic.placements]);
  checkPathsUnique(all.map((p) => p.template), sink);
  sink.throwIfErrors();
  const table = options.contents === undefined ? undefined : new FileTable(repo.clusters.map((c) => c.name));
  const rendered = renderPlacements(all, sink, options.contents, table);
  const clusters = table === undefined ? clusterFiles(repo, rendered) : table.clusterFiles();
  // A summary of the source, not of one decision: printed, not kept in provenance (an incremental render cannot recount it).
  const summary = new ProblemSink();
  warnUnclaimed(repo, [...all.map((p) => p.template.key), ...unschedulable.map((u) => u.key)], summary);
  const warnings = [...repo.warnings, ...sink.warnings, ...summary.warnings];
  const sorted = sortWarnings(repo, sink.warnings);
  unschedulable.sort((a, b) => byteOrder(a.key, b.key));
  const provenance = provenanceOf(repo, rendered, clusterCounts(clusters), sorted, options);
  if (unschedulable.length > 0) provenance.unschedulable = unschedulable;
  if (options.live !== undefined) provenance.status = statusProvenance(options.live, overlaid?.notes ?? new Map());
  return { clusters, rendered, placements: all, warnings, unschedulable, traffic: traffic.explanations, provenance };
}

/** The source's RolloutPolicy resolved against its inventory (model/rollout.ts). */
export function rolloutOf(repo: Repository): ReturnType<typeof resolveRollout> {
  const policies = (repo.objects.get(`${ROLLOUT_API} ${ROLLOUT_KIND}`) ?? []) as ParsedPolicy[];
  return resolveRollout(policies, repo.clusters);
}

/** Bad waves are errors of the render; clusters no wave selects are said once, as a warning. */
function checkRollout(repo: Repository, sink: ProblemSink): void {
  const { problems, notes } = rolloutOf(repo);
  sink.problems.push(...problems);
  for (const message of notes) sink.warn({ code: 'ROLLOUT_REMAINING_WAVE', message });
}

/** What provenance records of the live status: enough to tell which report and clock a render used. */
function statusProvenance(live: LiveStatus, notes: ReadonlyMap<string, string[]>): NonNullable<Provenance['status']> {
  const clusters: Record<string, string[]> = {};
  for (const name of [...notes.keys()].sort(byteOrder)) clusters[name] = notes.get(name) as string[];
  return { ...(live.commit !== undefined ? { commit: live.commit } : {}), now: live.now, ...(live.failover !== undefined ? { failover: live.failover } : {}), clusters };
}

/**
 * What dialects see; their problems go to `sink`. With `unschedulable`, a
 * template no cluster can take is recorded there instead of failing the
 * render (Karmada marks only that binding Scheduled=False).
 */
export function dialectContext(
  repo: Repository,
  previous: PreviousRender | undefined,
  sink: ProblemSink,
  only?: ReadonlySet<string>,
  unschedulable?: UnschedulableTemplate[],
): DialectContext {
  const ctx: DialectContext = { repo, previous, only, warn: (p) => sink.warn(p), error: (p) => sink.error(p) };
  if (unschedulable !== undefined) {
    ctx.unschedulable = (template, problem) =>
      unschedulable.push({
        key: template.key,
        template: describeId(template.id),
        file: template.source.file,
        line: template.source.line,
        code: problem.code,
        reason: formatProblem({ ...problem, severity: 'error' }),
      });
  }
  return ctx;
}

/** Each placement's variants, those that land somewhere, in template key order. Throws the problems found. */
export function renderPlacements(placements: readonly Placement[], sink: ProblemSink, contents?: ContentSink, table?: FileTable): RenderedTemplate[] {
  // Only a render that streams its contents (to a folder or a pack) gains from the order.
  const order = contents === undefined ? placements : balancedOrder(placements.map(withCost)).map((c) => c.placement);
  const rendered = order.map((p) => renderPlacement(p, sink, contents, table)).filter((r) => r.provenance.variants.length > 0);
  sink.throwIfErrors();
  return rendered.sort((a, b) => byteOrder(a.template.key, b.template.key));
}

/** What one placement costs: objects built and serialized (its distinct variants), files handed over (its clusters). */
export interface RenderCost {
  variants: number;
  files: number;
}

function withCost(placement: Placement): RenderCost & { placement: Placement } {
  return { placement, variants: new Set(placement.clusters.map((c) => placement.variantOf(c))).size, files: placement.clusters.length };
}

/**
 * The order placements are rendered in. It shows in no output (results are
 * sorted by template key, problems by file and line) but in time: with a
 * ContentSink the contents go to a writer thread (folder or pack) as they
 * are made. A placement costs the render one object per variant and the
 * writer one file per cluster. In the dialects' order, a fleet whose
 * workloads differ per cluster while their propagateDeps ConfigMaps do not
 * rendered a million variants first, the folder writer idling half the
 * time, then handed it a million files at once with nothing left to render
 * beside them (issue 19: `render --out` 54 s against a 33 s file-system
 * floor). Placements with more variants per cluster than the fleet's
 * average are merged with the others so that both lists advance at the
 * same pace: the share of the costly placements' variants rendered follows
 * the share of the cheap placements' files handed over. Deterministic;
 * each list keeps its own order.
 */
export function balancedOrder<T extends RenderCost>(placements: readonly T[]): T[] {
  const allVariants = placements.reduce((n, p) => n + p.variants, 0);
  const allFiles = placements.reduce((n, p) => n + p.files, 0);
  // More variants per file than the average, cross-multiplied (no division by an empty total).
  const isCostly = (p: T): boolean => p.variants * allFiles > p.files * allVariants;
  const costly = placements.filter(isCostly);
  const cheap = placements.filter((p) => !isCostly(p));
  const costlyVariants = costly.reduce((n, p) => n + p.variants, 0);
  const cheapFiles = cheap.reduce((n, p) => n + p.files, 0);
  const order: T[] = [];
  let [i, j, variantsDone, filesDone] = [0, 0, 0, 0];
  while (i < costly.length || j < cheap.length) {
    // The costly list goes next while its share done is not ahead of the cheap list's.
    if (j >= cheap.length || (i < costly.length && variantsDone * cheapFiles <= filesDone * costlyVariants)) {
      const p = costly[i++] as T;
      variantsDone += p.variants;
      order.push(p);
    } else {
      const p = cheap[j++] as T;
      filesDone += p.files;
      order.push(p);
    }
  }
  return order;
}

/** A warning is about a template when its object is one (dialects pass the template's id, apiVersion included). */
export function sortWarnings(repo: Repository, warnings: readonly Problem[]): SortedWarnings {
  const keys = new Set(repo.templates.map((t) => t.key));
  const out: SortedWarnings = { global: [], byTemplate: new Map() };
  for (const w of warnings) {
    const object = w.object as Partial<ResourceId> | undefined;
    const key = typeof object?.apiVersion === 'string' ? resourceKey({ apiVersion: object.apiVersion, kind: object.kind ?? '', namespace: object.namespace ?? '', name: object.name ?? '' }) : undefined;
    if (key === undefined || !keys.has(key)) {
      out.global.push(w);
      continue;
    }
    const list = out.byTemplate.get(key);
    if (list === undefined) out.byTemplate.set(key, [w]);
    else list.push(w);
  }
  return out;
}

function clusterCounts(clusters: ReadonlyMap<string, ReadonlyMap<string, string>>): Map<string, number> {
  return new Map([...clusters].map(([name, files]) => [name, files.size]));
}

/**
 * cluster → (path → content), files in path order so every consumer (stdout,
 * git, diff) sees one order. Clusters that received exactly the same
 * variants share one (read-only) map: fleets repeat themselves, and a map
 * per cluster of a thousand would hold millions of entries.
 */
function clusterFiles(repo: Repository, rendered: readonly RenderedTemplate[]): Map<string, ReadonlyMap<string, string>> {
  const index = new Map(repo.clusters.map((c, i) => [c.name, i]));
  const variants = rendered.flatMap((r) => r.variants);
  // Partition refinement: after every variant, clusters in one class have received the same variants.
  const classOf = new Int32Array(index.size);
  let classes = 1;
  for (const v of variants) {
    const moved = new Map<number, number>();
    for (const c of v.clusters) {
      const i = index.get(c);
      if (i === undefined) continue;
      const before = classOf[i] as number;
      let after = moved.get(before);
      if (after === undefined) moved.set(before, (after = classes++));
      classOf[i] = after;
    }
  }
  const filesOf = new Map<number, [string, string][]>();
  for (const v of variants) {
    const added = new Set<number>();
    for (const c of v.clusters) {
      const i = index.get(c);
      if (i === undefined) continue;
      const k = classOf[i] as number;
      if (added.has(k)) continue;
      added.add(k);
      const list = filesOf.get(k);
      if (list === undefined) filesOf.set(k, [[v.path, v.content]]);
      else list.push([v.path, v.content]);
    }
  }
  const mapOf = new Map<number, ReadonlyMap<string, string>>();
  const clusters = new Map<string, ReadonlyMap<string, string>>();
  for (const [name, i] of index) {
    const k = classOf[i] as number;
    let files = mapOf.get(k);
    if (files === undefined) {
      files = new Map((filesOf.get(k) ?? []).sort((a, b) => byteOrder(a[0], b[0])));
      mapOf.set(k, files);
    }
    clusters.set(name, files);
  }
  return clusters;
}

/** How many unclaimed templates a warning names before it only counts them. */
const NAMED_UNCLAIMED = 5;

/**
 * Templates that no policy, dependency or namespace rule claimed (placed or
 * reported unschedulable) render to no cluster, as upstream leaves them on the control plane. One warning counts
 * them and names the first few, so that a render of 0 objects says why.
 * Without an inventory the loader has already said that nothing can land.
 */
export function warnUnclaimed(repo: Repository, claimedKeys: readonly string[], sink: ProblemSink): void {
  if (repo.clusters.length === 0) return;
  const claimed = new Set(claimedKeys);
  const unclaimed = repo.templates.filter((t) => !claimed.has(t.key));
  if (unclaimed.length === 0) return;
  const named = unclaimed.slice(0, NAMED_UNCLAIMED).map((t) => `${describeId(t.id)} (${t.source.file}:${t.source.line})`);
  const more = unclaimed.length > NAMED_UNCLAIMED ? ` and ${unclaimed.length - NAMED_UNCLAIMED} more` : '';
  sink.warn({
    code: 'UNCLAIMED_TEMPLATES',
    message: `${unclaimed.length} of ${repo.templates.length} template${repo.templates.length === 1 ? '' : 's'} claimed by no policy render to no cluster: ${named.join(', ')}${more}`,
  });
}

/** A template claimed by two dialects is an error naming both. */
export function checkSingleClaim(placements: readonly Placement[], sink: ProblemSink): void {
  const byKey = new Map<string, Placement>();
  for (const p of placements) {
    const first = byKey.get(p.template.key);
    if (first === undefined) {
      byKey.set(p.template.key, p);
      continue;
    }
    const who = (x: Placement) => `${x.dialect}${x.policy ? ` (${x.policy.kind} ${x.policy.namespace ? `${x.policy.namespace}/` : ''}${x.policy.name})` : ''}`;
    sink.error({
      code: 'CLAIMED_TWICE',
      file: p.template.source.file,
      line: p.template.source.line,
      object: p.template.id,
      message: `claimed by two dialects: ${who(first)} and ${who(p)}`,
    });
  }
}

/**
 * Every cluster that receives an object in namespace N also receives the
 * Namespace N: the repository's own Namespace template when it has one
 * (extending that template's placement), otherwise a minimal Namespace.
 */
export function followNamespaces(repo: Repository, placements: readonly Placement[], kept?: ReadonlyMap<string, ReadonlySet<string>>): Placement[] {
  // An incremental render passes, per namespace it recomputes, the clusters whose objects there it keeps.
  const needed = new Map<string, Set<string>>();
  for (const [ns, clusters] of kept ?? []) needed.set(ns, new Set(clusters));
  for (const p of placements) {
    const ns = p.template.id.namespace;
    if (ns === '' || isSystemNamespace(ns)) continue;
    const set = needed.get(ns) ?? new Set<string>();
    p.clusters.forEach((c) => set.add(c));
    needed.set(ns, set);
  }
  const out = [...placements];
  const placedNamespace = new Map<string, number>();
  out.forEach((p, i) => {
    if (isNamespaceTemplate(p.template)) placedNamespace.set(p.template.id.name, i);
  });
  const namespaceTemplates = new Map(repo.templates.filter(isNamespaceTemplate).map((t) => [t.id.name, t]));
  for (const [ns, clusters] of needed) {
    const index = placedNamespace.get(ns);
    if (index !== undefined) {
      out[index] = extendPlacement(out[index] as Placement, clusters);
      continue;
    }
    out.push(namespacePlacement(namespaceTemplates.get(ns) ?? syntheticNamespace(ns), [...clusters]));
  }
  return out;
}

function isNamespaceTemplate(t: Template): boolean {
  return t.id.kind === 'Namespace' && t.id.apiVersion === 'v1';
}

function extendPlacement(p: Placement, extra: ReadonlySet<string>): Placement {
  const clusters = [...new Set([...p.clusters, ...extra])].sort(byteOrder);
  return { ...p, clusters };
}

function syntheticNamespace(name: string): Template {
  const id = { apiVersion: 'v1', kind: 'Namespace', namespace: '', name };
  return {
    id,
    key: `/Namespace//${name}`,
    object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    labels: {},
    annotations: {},
    source: { file: '(generated)', line: 0 },
  };
}

function namespacePlacement(template: Template, clusters: string[]): Placement {
  return {
    template,
    dialect: 'manifold',
    clusters: clusters.sort(byteOrder),
    variantOf: () => '',
    materialize: () => template.object,
    overridesFor: () => [],
    explain: [{ title: 'Namespace', lines: ['follows the objects placed in it'] }],
  };
}

function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * One array per distinct list of override labels: a fleet with a rule per
 * cluster has a million variants naming the same thousand lists (fresh
 * strings from each dialect call otherwise, ~200 bytes per variant).
 * Forgotten past a bound, as emit.ts's scalar cache is.
 */
const overrideLists = new Map<string, string[]>();
const MAX_OVERRIDE_LISTS = 100_000;
/** Lists already shared: a dialect that hands out the same array again is answered without joining it. */
const sharedLists = new WeakSet<string[]>();

function sharedOverrides(list: string[]): string[] {
  if (list.length === 0 || sharedLists.has(list)) return list;
  const key = list.join('\n');
  const known = overrideLists.get(key);
  if (known !== undefined) return known;
  if (overrideLists.size >= MAX_OVERRIDE_LISTS) overrideLists.clear();
  overrideLists.set(key, list);
  sharedLists.add(list);
  return list;
}

/** Builds and serializes each distinct variant once, however many clusters share it; with a sink, hands it over and keeps only provenance. */
function renderPlacement(p: Placement, sink: ProblemSink, contents: ContentSink | undefined, table: FileTable | undefined): RenderedTemplate {
  const byVariant = new Map<string, string[]>();
  for (const cluster of p.clusters) {
    const key = p.variantOf(cluster);
    const list = byVariant.get(key);
    if (list) list.push(cluster);
    else byVariant.set(key, [cluster]);
  }
  const path = objectPath(p.template.id);
  const variants: RenderedVariant[] = [];
  const shared: SharedSubtrees = new WeakMap();
  table?.startRow(path);
  for (const clusters of byVariant.values()) {
    const first = clusters[0] as string;
    let object: JsonObject;
    try {
      object = p.materialize(first);
    } catch (err) {
      if (err instanceof InputError) {
        sink.problems.push(...err.problems);
        continue;
      }
      throw err;
    }
    if (reportInvalidCounts(p, object, first, sink)) continue;
    const content = toYaml(object, p.template.id.namespace, shared);
    const kept = contents === undefined ? content : contents(content, path, clusters);
    table?.add(kept, clusters);
    variants.push({ path, content: kept, sha256: sha256(content), clusters, overrides: sharedOverrides(p.overridesFor(first)) });
  }
  table?.endRow();
  variants.sort((a, b) => byteOrder(a.clusters[0] ?? '', b.clusters[0] ?? ''));
  const provenance = provenanceEntry(p, variants);
  return { template: p.template, placement: p, variants: contents === undefined ? variants : [], provenance };
}

/**
 * The object as a cluster receives it must still be one its API server
 * accepts: a count or quantity set by an override, or held in a template
 * that a dialect wraps (a KubeFed Federated<Kind>), is checked here, since
 * load time saw only plain templates. Names the template and the overrides.
 */
function reportInvalidCounts(p: Placement, object: JsonObject, cluster: string, sink: ProblemSink): boolean {
  const [problem] = workloadValueProblems(groupOf(p.template.id.apiVersion), p.template.id.kind, object);
  if (problem === undefined) return false;
  const overrides = p.overridesFor(cluster);
  sink.error({
    code: 'SCHEMA_INVALID',
    file: p.template.source.file,
    line: p.template.source.line,
    object: p.template.id,
    field: formatFieldPath(problem.path),
    message: `${problem.message} in the object for cluster ${cluster}${overrides.length > 0 ? ` (after overrides: ${overrides.join(', ')})` : ''}`,
  });
  return true;
}

function provenanceEntry(p: Placement, variants: readonly RenderedVariant[]): ProvenanceObject {
  return {
    key: p.template.key,
    template: describeId(p.template.id),
    file: p.template.source.file,
    line: p.template.source.line,
    dialect: p.dialect,
    policy: p.policy ? `${p.policy.kind} ${p.policy.namespace ? `${p.policy.namespace}/` : ''}${p.policy.name}` : undefined,
    affinityGroup: p.affinityGroup,
    follows: p.follows,
    variants: provenanceVariants(variants),
  };
}

/**
 * One entry per variant, or per group of GROUP_VARIANTS_FROM or more with the
 * same path and overrides, in first-variant order. The variants are one
 * template's, so they share their path: grouped by override policies alone.
 */
function provenanceVariants(variants: readonly RenderedVariant[]): (ProvenanceVariant | ProvenanceVariantGroup)[] {
  const single = (v: RenderedVariant): ProvenanceVariant => ({ path: v.path, sha256: v.sha256, clusters: v.clusters.length, overrides: v.overrides });
  if (variants.length < GROUP_VARIANTS_FROM) return variants.map(single);
  const groups = new Map<string, RenderedVariant[]>();
  for (const v of variants) {
    const key = policiesKey(v.overrides);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [v]);
    else group.push(v);
  }
  // Unchanged (one entry per variant, in variant order) unless some group is large.
  if (![...groups.values()].some((g) => g.length >= GROUP_VARIANTS_FROM)) return variants.map(single);
  const out: (ProvenanceVariant | ProvenanceVariantGroup)[] = [];
  for (const group of groups.values()) {
    const first = group[0] as RenderedVariant;
    if (group.length < GROUP_VARIANTS_FROM) out.push(...group.map(single));
    else out.push({ path: first.path, variants: group.length, digest: groupDigest(group.map((v) => v.sha256)), clusters: group.reduce((n, v) => n + v.clusters.length, 0), overrides: overridePolicies(first.overrides) });
  }
  return out;
}

/** Per override list (shared by sharedOverrides): its policies, worked out once and not once per variant. */
const policiesOfList = new WeakMap<readonly string[], string[]>();

const keyOfList = new WeakMap<readonly string[], string>();

/** The policies of an override list as one string, to group variants by. */
function policiesKey(overrides: readonly string[]): string {
  let key = keyOfList.get(overrides);
  if (key === undefined) keyOfList.set(overrides, (key = overridePolicies(overrides).join('\n')));
  return key;
}

/** `ClusterOverridePolicy name rule[3]` → `ClusterOverridePolicy name` (Karmada and KubeAdmiral labels), each policy once. */
function overridePolicies(overrides: readonly string[]): string[] {
  let policies = policiesOfList.get(overrides);
  if (policies === undefined) policiesOfList.set(overrides, (policies = [...new Set(overrides.map((o) => o.replace(/ rule\[\d+\]$/, '')))]));
  return policies;
}

/** Assembles provenance; `objects` and `templateWarnings` must be in template key order. */
export function assembleProvenance(
  repo: Repository,
  objects: ProvenanceObject[],
  counts: ReadonlyMap<string, number>,
  globalWarnings: readonly Problem[],
  templateWarnings: ReadonlyMap<string, string[]>,
  options: RenderOptions,
): Provenance {
  const clusters: Provenance['clusters'] = {};
  for (const c of repo.clusters) clusters[c.name] = { objects: counts.get(c.name) ?? 0, ...(c.context === undefined ? {} : { context: c.context }) };
  return {
    generator: `manifold ${options.manifoldVersion}`,
    source: { commit: options.sourceCommit, inputs: repo.inputs, globals: repo.globals },
    clusters,
    objects,
    warnings: [...repo.warnings, ...globalWarnings].map(formatProblem),
    templateWarnings: templateWarnings.size === 0 ? undefined : Object.fromEntries(templateWarnings),
    rollout: rolloutOf(repo).plan,
  };
}

function provenanceOf(
  repo: Repository,
  rendered: readonly RenderedTemplate[],
  counts: ReadonlyMap<string, number>,
  warnings: SortedWarnings,
  options: RenderOptions,
): Provenance {
  const byTemplate = new Map([...warnings.byTemplate].sort((a, b) => byteOrder(a[0], b[0])).map(([k, list]) => [k, list.map(formatProblem)]));
  return assembleProvenance(repo, rendered.map((r) => r.provenance), counts, warnings.global, byTemplate, options);
}
