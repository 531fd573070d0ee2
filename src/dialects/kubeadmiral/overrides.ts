/**
 * KubeAdmiral OverridePolicy / ClusterOverridePolicy (pkg/controllers/override):
 * binding by label, matching rules to clusters, and turning overriders into
 * JSON patches. Overriders of one rule produce patches in the order image,
 * command, args, envs, annotations, labels, jsonpatch; each matching rule's
 * patches are applied to a running copy of the template right away, so later
 * rules see earlier effects (reference §4.5). The typed overriders compute
 * whole-field `replace` patches from that running copy.
 */
import type { Parsed } from '../../load/repository.ts';
import type { JsonObject, JsonValue, Template } from '../../model/types.ts';
import { applyPatch, type PatchOp } from '../../render/jsonpatch.ts';
import { labelKeyProblem, labelValueProblem, matchClusterSelectorTerms, matchesSelectorMap, type TermsMatch } from './clusterselector.ts';
import { applyImageOperations, ImageError } from './image.ts';
import type {
  EntrypointOverrider,
  EnvOverrider,
  ImageOverrider,
  JsonPatchOverrider,
  OverridePolicy,
  OverrideRule,
  Overriders,
  StringMapOverrider,
  TargetClusters,
} from './schema.ts';
import { namespaceOrDefault } from '../../model/scope.ts';

export const OVERRIDE_POLICY_LABEL = 'kubeadmiral.io/override-policy-name';
export const CLUSTER_OVERRIDE_POLICY_LABEL = 'kubeadmiral.io/cluster-override-policy-name';

export type OverridePolicyKind = 'ClusterOverridePolicy' | 'OverridePolicy';

export interface BoundOverridePolicy {
  kind: OverridePolicyKind;
  parsed: Parsed<OverridePolicy>;
  /** `ClusterOverridePolicy name` or `OverridePolicy ns/name`. */
  label: string;
}

/** A policy named by a label that is not in the repository, or a label with an empty name. */
export class OverrideBindingError extends Error {
  readonly label: string;
  constructor(label: string, message: string) {
    super(message);
    this.label = label;
  }
}

/**
 * lookForMatchedPolicies: the ClusterOverridePolicy named by its label first,
 * then, for namespaced objects, the OverridePolicy of the object's namespace.
 */
export function lookForMatchedPolicies(
  template: Pick<Template, 'labels' | 'id'>,
  overridePolicies: readonly Parsed<OverridePolicy>[],
  clusterOverridePolicies: readonly Parsed<OverridePolicy>[],
): BoundOverridePolicy[] {
  const found: BoundOverridePolicy[] = [];
  const clusterName = template.labels[CLUSTER_OVERRIDE_POLICY_LABEL];
  if (clusterName !== undefined) {
    if (clusterName === '') throw new OverrideBindingError(CLUSTER_OVERRIDE_POLICY_LABEL, 'policy name cannot be empty');
    const parsed = clusterOverridePolicies.find((p) => p.value.metadata.name === clusterName);
    if (parsed === undefined) throw new OverrideBindingError(CLUSTER_OVERRIDE_POLICY_LABEL, `ClusterOverridePolicy ${clusterName} not found`);
    found.push({ kind: 'ClusterOverridePolicy', parsed, label: `ClusterOverridePolicy ${clusterName}` });
  }
  const name = template.labels[OVERRIDE_POLICY_LABEL];
  const namespace = template.id.namespace;
  if (namespace !== '' && name !== undefined) {
    if (name === '') throw new OverrideBindingError(OVERRIDE_POLICY_LABEL, 'policy name cannot be empty');
    const parsed = overridePolicies.find((p) => p.value.metadata.name === name && namespaceOrDefault(p.value.metadata.namespace) === namespace);
    if (parsed === undefined) throw new OverrideBindingError(OVERRIDE_POLICY_LABEL, `OverridePolicy ${namespace}/${name} not found`);
    found.push({ kind: 'OverridePolicy', parsed, label: `OverridePolicy ${namespace}/${name}` });
  }
  return found;
}

/** LabelSelectorAsSelector over matchLabels: keys and values are validated first. */
function clusterSelectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): TermsMatch {
  for (const [key, value] of Object.entries(selector)) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) return { matched: false, error: `failed to interpret clusterSelector: ${problem}` };
  }
  return { matched: matchesSelectorMap(labels, selector) };
}

/** isClusterMatched: nil targets match all; names, selector and affinity are ANDed; empty ones match any cluster. */
export function isClusterMatched(targets: TargetClusters | undefined, cluster: { name: string; labels: Readonly<Record<string, string>> }): TermsMatch {
  if (targets === undefined) return { matched: true };
  const names = targets.clusters ?? [];
  if (names.length > 0 && !names.includes(cluster.name)) return { matched: false };
  const bySelector = clusterSelectorMatches(targets.clusterSelector ?? {}, cluster.labels);
  if (bySelector.error || !bySelector.matched) return bySelector;
  const terms = targets.clusterAffinity ?? [];
  return terms.length === 0 ? { matched: true } : matchClusterSelectorTerms(terms, cluster);
}

// ---------------------------------------------------------------------------
// Overriders → patches

export interface OverridePatch {
  op: string;
  path: string;
  value?: JsonValue | undefined;
}

/** An overrider that cannot be turned into patches; `where` is e.g. `image[0]`. */
export class OverriderError extends Error {
  readonly where: string;
  constructor(where: string, message: string) {
    super(message);
    this.where = where;
  }
}

/** pkg/util/pod PodSpecPaths, by group/kind. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  '/Pod': ['spec'],
  'apps/Deployment': ['spec', 'template', 'spec'],
  'apps/StatefulSet': ['spec', 'template', 'spec'],
  'apps/DaemonSet': ['spec', 'template', 'spec'],
  'batch/Job': ['spec', 'template', 'spec'],
  'batch/CronJob': ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

type ContainerKind = 'initContainers' | 'containers';

interface PodSpecView {
  path: readonly string[];
  lists: Record<ContainerKind, JsonObject[]>;
}

function asObject(value: JsonValue | undefined): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
}

function groupKind(obj: JsonObject): string {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  return `${slash < 0 ? '' : apiVersion.slice(0, slash)}/${String(obj.kind)}`;
}

/** podutil.GetResourcePodSpec: fails for kinds without a known pod spec path. */
function podSpecView(obj: JsonObject, where: string): PodSpecView {
  const path = POD_SPEC_PATHS[groupKind(obj)];
  if (path === undefined) throw new OverriderError(where, `unknown type to get pod spec: ${groupKind(obj)}`);
  let node: JsonValue | undefined = obj;
  for (const segment of path) node = asObject(node)?.[segment];
  const spec = asObject(node) ?? {};
  const list = (name: ContainerKind): JsonObject[] => (Array.isArray(spec[name]) ? spec[name].map((c) => asObject(c) ?? {}) : []);
  return { path, lists: { initContainers: list('initContainers'), containers: list('containers') } };
}

function containerPath(view: PodSpecView, kind: ContainerKind, index: number, target: string): string {
  return `/${view.path.join('/')}/${kind}/${index}/${target}`;
}

/** lookForMatchedContainer: init containers first, then containers; the first with that name. */
function findContainer(view: PodSpecView, name: string): { kind: ContainerKind; index: number; container: JsonObject } | undefined {
  for (const kind of ['initContainers', 'containers'] as const) {
    const index = view.lists[kind].findIndex((c) => c.name === name);
    if (index >= 0) return { kind, index, container: view.lists[kind][index] as JsonObject };
  }
  return undefined;
}

/** Patches in path order: upstream sorts them to avoid needless updates. */
function sortedPatches(values: ReadonlyMap<string, JsonValue>): OverridePatch[] {
  return [...values.keys()].sort().map((path) => ({ op: 'replace', path, value: values.get(path) as JsonValue }));
}

/** GetStringFromUnstructuredObj: `/`-separated segments (no `~` escapes), array indices, a string at the end. */
function stringAt(obj: JsonObject, path: string): string {
  const fields = path.replace(/^\/+|\/+$/g, '').split('/');
  let node: JsonValue | undefined = obj;
  fields.forEach((segment, i) => {
    if (Array.isArray(node)) {
      if (!/^[+-]?[0-9]+$/.test(segment)) throw new Error(`slice found at path ${fields.slice(0, i).join('/')}, but the next path segment is not a number (found "${segment}")`);
      const index = Number(segment);
      if (index < 0 || index >= node.length) throw new Error(`index(${index}) is negative or out of range`);
      node = node[index];
    } else if (asObject(node) !== undefined) {
      node = (node as JsonObject)[segment];
    } else {
      throw new Error(`${fields.slice(0, i).join('/')} accessor error: expected an object or a list`);
    }
  });
  if (typeof node !== 'string') throw new Error(`"${path}" does not point to a string field`);
  return node;
}

function parseImageOverriders(obj: JsonObject, overriders: readonly ImageOverrider[]): OverridePatch[] {
  const values = new Map<string, JsonValue>();
  overriders.forEach((overrider, i) => {
    const where = `image[${i}]`;
    const apply = (path: string, current: string): void => {
      try {
        values.set(path, applyImageOperations(current, overrider.operations));
      } catch (error) {
        if (error instanceof ImageError) throw new OverriderError(where, `failed to apply image overrider: ${error.message}`);
        throw error;
      }
    };
    if (overrider.imagePath) {
      if (!overrider.imagePath.startsWith('/')) throw new OverriderError(where, 'image path should be start with /');
      const previous = values.get(overrider.imagePath);
      let current: string;
      try {
        current = typeof previous === 'string' && previous !== '' ? previous : stringAt(obj, overrider.imagePath);
      } catch (error) {
        throw new OverriderError(where, `failed to parse image value from unstructured obj: ${(error as Error).message}`);
      }
      apply(overrider.imagePath, current);
      return;
    }
    const view = podSpecView(obj, where);
    const names = new Set((overrider.containerNames ?? []).filter((n) => n !== ''));
    for (const kind of ['initContainers', 'containers'] as const) {
      view.lists[kind].forEach((container, index) => {
        if ((overrider.containerNames ?? []).length > 0 && !names.has(String(container.name))) return;
        const path = containerPath(view, kind, index, 'image');
        const previous = values.get(path);
        apply(path, typeof previous === 'string' ? previous : typeof container.image === 'string' ? container.image : '');
      });
    }
  });
  return sortedPatches(values);
}

/** applyEntrypointOverrider; a Go nil slice (nothing kept) marshals as null. */
function applyEntrypoint(old: readonly string[] | null, overrider: EntrypointOverrider, where: string): string[] | null {
  const value = overrider.value;
  switch (overrider.operator) {
    case 'append':
      if (value === undefined || value.length === 0) throw new OverriderError(where, 'append operation needs non-empty list');
      return [...(old ?? []), ...value];
    case 'overwrite':
      return value === undefined ? null : [...value];
    case 'delete': {
      const kept = (old ?? []).filter((v) => !(value ?? []).includes(v));
      return kept.length === 0 ? null : kept;
    }
    default:
      // The API type documents "defaults to overwrite", but parseEntrypointOverriders has no default case for "".
      throw new OverriderError(where, `unsupported operator:${overrider.operator ?? ''}`);
  }
}

function stringList(value: JsonValue | undefined): string[] | null {
  return Array.isArray(value) ? value.map((v) => String(v)) : null;
}

function parseEntrypointOverriders(obj: JsonObject, overriders: readonly EntrypointOverrider[], target: 'command' | 'args'): OverridePatch[] {
  if (overriders.length === 0) return [];
  const view = podSpecView(obj, `${target}[0]`);
  const values = new Map<string, string[] | null>();
  overriders.forEach((overrider, i) => {
    const found = findContainer(view, overrider.containerName);
    if (found === undefined) return;
    const path = containerPath(view, found.kind, found.index, target);
    const current = values.has(path) ? (values.get(path) ?? null) : stringList(found.container[target]);
    values.set(path, applyEntrypoint(current, overrider, `${target}[${i}]`));
  });
  return sortedPatches(values as Map<string, JsonValue>);
}

function envName(env: JsonValue): string {
  return String(asObject(env)?.name ?? '');
}

/** applyEnvOverrider: addIfAbsent appends new names, overwrite replaces existing ones, delete removes all with the name. */
function applyEnvOverrider(old: readonly JsonValue[] | null, overrider: EnvOverrider, where: string): JsonValue[] | null {
  const operator = overrider.operator ?? 'overwrite';
  const values = (overrider.value ?? []) as JsonObject[];
  if (operator === 'addIfAbsent' && values.length === 0) throw new OverriderError(where, 'addIfAbsent operation needs value');
  let list: JsonValue[] | null = old === null ? null : [...old];
  for (const env of values) {
    const name = envName(env);
    const has = (list ?? []).some((e) => envName(e) === name);
    if (operator === 'addIfAbsent') {
      if (has) throw new OverriderError(where, `addIfAbsent is not allowed to operate on exist key:${name}`);
      list = [...(list ?? []), env];
    } else if (operator === 'overwrite') {
      if (has && list !== null) list = list.map((e) => (envName(e) === name ? env : e));
    } else if (has && list !== null) {
      const kept: JsonValue[] = list.filter((e) => envName(e) !== name);
      list = kept.length === 0 ? null : kept;
    }
  }
  return list;
}

function parseEnvOverriders(obj: JsonObject, overriders: readonly EnvOverrider[]): OverridePatch[] {
  if (overriders.length === 0) return [];
  const view = podSpecView(obj, 'envs[0]');
  const values = new Map<string, JsonValue[] | null>();
  overriders.forEach((overrider, i) => {
    const found = findContainer(view, overrider.containerName);
    if (found === undefined) return;
    const path = containerPath(view, found.kind, found.index, 'env');
    const env = found.container.env;
    const current = values.has(path) ? (values.get(path) ?? null) : Array.isArray(env) ? env : null;
    values.set(path, applyEnvOverrider(current, overrider, `envs[${i}]`));
  });
  return sortedPatches(values as Map<string, JsonValue>);
}

/** applyStringMapOverrider: addIfAbsent adds new keys only, overwrite changes existing keys only, delete removes. */
function applyStringMap(map: Record<string, string>, overrider: StringMapOverrider, where: string): Record<string, string> {
  const operator = overrider.operator ?? 'overwrite';
  const entries = Object.entries(overrider.value ?? {});
  if (operator === 'addIfAbsent' && entries.length === 0) throw new OverriderError(where, 'addIfAbsent operation needs value');
  const out = { ...map };
  for (const [key, value] of entries) {
    if (operator === 'addIfAbsent') {
      if (Object.hasOwn(out, key)) throw new OverriderError(where, `addIfAbsent is not allowed to operate on exist key:${key}`);
      out[key] = value;
    } else if (operator === 'overwrite') {
      if (Object.hasOwn(out, key)) out[key] = value;
    } else {
      delete out[key];
    }
  }
  return out;
}

function parseStringMapOverriders(obj: JsonObject, overriders: readonly StringMapOverrider[], target: 'annotations' | 'labels'): OverridePatch[] {
  if (overriders.length === 0) return [];
  const current = asObject(asObject(obj.metadata)?.[target]) ?? {};
  let map: Record<string, string> = {};
  for (const [key, value] of Object.entries(current)) map[key] = String(value);
  overriders.forEach((overrider, i) => {
    map = applyStringMap(map, overrider, `${target}[${i}]`);
  });
  // json.Marshal of a Go map writes the keys sorted.
  const sorted: JsonObject = {};
  for (const key of Object.keys(map).sort()) sorted[key] = map[key] as string;
  return [{ op: 'replace', path: `/metadata/${target}`, value: sorted }];
}

function parseJsonPatchOverriders(overriders: readonly JsonPatchOverrider[]): OverridePatch[] {
  return overriders.map((o) => ({
    op: o.operator ?? '',
    path: o.path,
    ...(o.value === undefined ? {} : { value: o.value as JsonValue }),
  }));
}

/** parsePatchesFromOverriders, in the fixed overrider order. */
export function parsePatchesFromOverriders(obj: JsonObject, overriders: Overriders | undefined): OverridePatch[] {
  if (overriders === undefined) return [];
  return [
    ...parseImageOverriders(obj, overriders.image ?? []),
    ...parseEntrypointOverriders(obj, overriders.command ?? [], 'command'),
    ...parseEntrypointOverriders(obj, overriders.args ?? [], 'args'),
    ...parseEnvOverriders(obj, overriders.envs ?? []),
    ...parseStringMapOverriders(obj, overriders.annotations ?? [], 'annotations'),
    ...parseStringMapOverriders(obj, overriders.labels ?? [], 'labels'),
    ...parseJsonPatchOverriders(overriders.jsonpatch ?? []),
  ];
}

// ---------------------------------------------------------------------------
// Per cluster

export interface MatchedRule {
  policy: BoundOverridePolicy;
  ruleIndex: number;
  rule: OverrideRule;
  /** `ClusterOverridePolicy name rule[0]`, for provenance and messages. */
  label: string;
}

/** A rule's targetClusters could not be evaluated (invalid selector); upstream fails the whole object. */
export class RuleMatchError extends Error {
  readonly rule: MatchedRule;
  constructor(rule: MatchedRule, message: string) {
    super(message);
    this.rule = rule;
  }
}

/** The rules of the bound policies (cluster policy first) whose targetClusters match this cluster. */
export function rulesForCluster(
  policies: readonly BoundOverridePolicy[],
  cluster: { name: string; labels: Readonly<Record<string, string>> },
): MatchedRule[] {
  const out: MatchedRule[] = [];
  for (const policy of policies) {
    (policy.parsed.value.spec.overrideRules ?? []).forEach((rule, ruleIndex) => {
      const matched: MatchedRule = { policy, ruleIndex, rule, label: `${policy.label} rule[${ruleIndex}]` };
      const result = isClusterMatched(rule.targetClusters, cluster);
      if (result.error) throw new RuleMatchError(matched, `failed to match cluster "${cluster.name}": ${result.error}`);
      if (result.matched) out.push(matched);
    });
  }
  return out;
}

export interface RulePatches {
  rule: MatchedRule;
  patches: OverridePatch[];
}

/** A rule whose patches do not parse, or do not apply to the running copy. */
export class RulePatchError extends Error {
  readonly rule: MatchedRule;
  readonly where: string;
  constructor(rule: MatchedRule, where: string, message: string) {
    super(message);
    this.rule = rule;
    this.where = where;
  }
}

export function toPatchOps(patches: readonly OverridePatch[]): PatchOp[] {
  // Empty op means replace (KubeAdmiral's overrides util, like KubeFed's).
  return patches.map((p) => ({ op: p.op === '' ? 'replace' : p.op, path: p.path, ...(p.value === undefined ? {} : { value: p.value }) }) as PatchOp);
}

/**
 * Patches of every matching rule, each computed against the template as the
 * earlier rules left it (lenient JSON patch, as the sync controller applies them).
 */
export function patchesForRules(template: JsonObject, rules: readonly MatchedRule[]): RulePatches[] {
  let running: JsonObject = template;
  const out: RulePatches[] = [];
  for (const rule of rules) {
    let patches: OverridePatch[];
    try {
      patches = parsePatchesFromOverriders(running, rule.rule.overriders);
    } catch (error) {
      if (error instanceof OverriderError) throw new RulePatchError(rule, `overriders.${error.where}`, error.message);
      throw error;
    }
    try {
      running = applyPatch(running, toPatchOps(patches), 'lenient') as JsonObject;
    } catch (error) {
      throw new RulePatchError(rule, 'overriders', error instanceof Error ? error.message : String(error));
    }
    out.push({ rule, patches });
  }
  return out;
}
