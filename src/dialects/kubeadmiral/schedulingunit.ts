/**
 * The scheduling unit: what the KubeAdmiral scheduler knows about one object
 * (pkg/controllers/scheduler/schedulingunit.go schedulingUnitForFedObject).
 * Policy fields are read first, then the per-object annotations override
 * them one by one; an annotation that does not decode is ignored (upstream
 * logs it), and Manifold records every policy field an annotation replaced.
 */
import { isQuantity, quantityValue } from '../../model/quantity.ts';
import type { JsonObject, Template } from '../../model/types.ts';
import { podSpecOf } from '../../render/podrefs.ts';
import type { SelectorTerm } from './clusterselector.ts';
import { GoDecodeError, asInteger, asList, asString, asStringMap, asStruct, atoi, field, parseJson } from './gojson.ts';
import type { DesiredPlacement, ResolvedPropagationSpec } from './schema.ts';

export const SCHEDULING_MODE_ANNOTATION = 'kubeadmiral.io/scheduling-mode';
export const STICKY_CLUSTER_ANNOTATION = 'kubeadmiral.io/sticky-cluster';
export const CLUSTER_SELECTOR_ANNOTATION = 'kubeadmiral.io/clusterSelector';
export const PLACEMENTS_ANNOTATION = 'kubeadmiral.io/placements';
export const AFFINITY_ANNOTATION = 'kubeadmiral.io/affinity';
export const TOLERATIONS_ANNOTATION = 'kubeadmiral.io/tolerations';
export const MAX_CLUSTERS_ANNOTATION = 'kubeadmiral.io/maxClusters';

/** A toleration as decoded from a policy or from the tolerations annotation (no enum checks there). */
export interface SchedulingToleration {
  key?: string | undefined;
  operator?: string | undefined;
  value?: string | undefined;
  effect?: string | undefined;
}

export interface PreferredTerm {
  weight: number;
  preference: SelectorTerm;
}

/** framework.Affinity: `required` undefined is a nil RequiredDuringSchedulingIgnoredDuringExecution. */
export interface ClusterAffinity {
  required?: { terms: SelectorTerm[] } | undefined;
  preferred: PreferredTerm[];
}

export interface SchedulingUnit {
  /** `<namespace>/<name>`, the planner's hash key. */
  key: string;
  group: string;
  version: string;
  kind: string;
  mode: 'Duplicate' | 'Divide';
  replicasStrategy: 'Spread' | 'Binpack';
  /** Divide only: the template's replica count. */
  desiredReplicas?: number | undefined;
  /** Clusters the object runs in now; `null` = placed without a replica count. */
  currentClusters: Map<string, number | null>;
  avoidDisruption: boolean;
  sticky: boolean;
  clusterSelector?: Record<string, string> | undefined;
  /** Placement list; undefined or empty = no restriction. */
  clusterNames?: ReadonlySet<string> | undefined;
  minReplicas: Record<string, number>;
  maxReplicas: Record<string, number>;
  /** Static weights; empty = dynamic weights. */
  weights: Record<string, number>;
  priorities: Record<string, number>;
  /** undefined = nil Affinity (or nil ClusterAffinity). */
  affinity?: ClusterAffinity | undefined;
  tolerations: SchedulingToleration[];
  maxClusters?: number | undefined;
  /** The pod template requests nvidia.com/gpu: dynamic weights then follow GPU, not CPU. */
  requestsGpu: boolean;
  /** The GPU request of one pod in whole units (scores count it as requested). */
  gpuRequest: bigint;
  keepUnschedulableReplicas: boolean;
  /** Auto-migration's estimatedCapacity per cluster (kubeadmiral.io/auto-migration-info), from live status. */
  estimatedCapacity?: Record<string, number> | undefined;
}

/** One policy field that a per-object annotation replaced. */
export interface AnnotationOverride {
  annotation: string;
  fields: string[];
  value: string;
}

export interface SchedulingUnitResult {
  unit: SchedulingUnit;
  overrides: AnnotationOverride[];
  /** Annotations that were ignored, and why. */
  ignored: string[];
  notes: string[];
}

/**
 * Kinds whose default FederatedTypeConfig has `pathDefinition.replicasSpec:
 * spec.replicas`, used when the source brings no FTCs: only Deployment in
 * kubewharf/kubeadmiral config/sample/host/01-ftc.yaml (StatefulSet has no
 * pathDefinition there, so Divide duplicates it; ReplicaSet has no FTC).
 */
const REPLICAS_SPEC_KINDS = new Set(['apps/Deployment']);

export function hasReplicasSpec(group: string, kind: string): boolean {
  return REPLICAS_SPEC_KINDS.has(`${group}/${kind}`);
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Thrown for input the real system would reject too (e.g. a non-integer replica count under Divide). */
export class SchedulingUnitError extends Error {}

export function buildSchedulingUnit(
  template: Template,
  spec: ResolvedPropagationSpec,
  current: Map<string, number | null>,
  /** The type's pathDefinition.replicasSpec (dot path); none: Divide falls back to Duplicate. */
  replicasPath: string | undefined = hasReplicasSpec(splitApiVersion(template.id.apiVersion).group, template.id.kind) ? 'spec.replicas' : undefined,
): SchedulingUnitResult {
  const { group, version } = splitApiVersion(template.id.apiVersion);
  const annotations = template.annotations;
  const overrides: AnnotationOverride[] = [];
  const ignored: string[] = [];
  const notes: string[] = [];
  const override = (annotation: string, fields: string[]): void => {
    overrides.push({ annotation, fields, value: annotations[annotation] ?? '' });
  };

  let mode = modeFromPolicy(spec.schedulingMode, notes);
  const modeAnnotation = annotations[SCHEDULING_MODE_ANNOTATION];
  if (modeAnnotation !== undefined) {
    if (modeAnnotation === 'Duplicate' || modeAnnotation === 'Divide') {
      mode = modeAnnotation;
      override(SCHEDULING_MODE_ANNOTATION, ['spec.schedulingMode']);
    } else {
      ignored.push(`${SCHEDULING_MODE_ANNOTATION}: invalid value "${modeAnnotation}" (want Duplicate or Divide)`);
    }
  }
  let desiredReplicas: number | undefined;
  if (mode === 'Divide' && replicasPath === undefined) {
    notes.push(`Divide falls back to Duplicate: ${template.id.kind} has no replicas field (no pathDefinition.replicasSpec)`);
    mode = 'Duplicate';
  }
  if (mode === 'Divide') desiredReplicas = replicasOf(template.object, replicasPath as string, notes);

  const unit: SchedulingUnit = {
    key: `${template.id.namespace}/${template.id.name}`,
    group,
    version,
    kind: template.id.kind,
    mode,
    replicasStrategy: spec.replicasStrategy,
    desiredReplicas,
    currentClusters: current,
    avoidDisruption: spec.reschedulePolicy.replicaRescheduling.avoidDisruption,
    sticky: spec.reschedulePolicy.disableRescheduling,
    clusterSelector: spec.clusterSelector,
    clusterNames: spec.placement ? new Set(spec.placement.map((p) => p.cluster)) : undefined,
    ...preferencesOf(spec.placement),
    affinity: spec.clusterAffinity && spec.clusterAffinity.length > 0 ? { required: { terms: spec.clusterAffinity }, preferred: [] } : undefined,
    tolerations: spec.tolerations ?? [],
    maxClusters: spec.maxClusters,
    ...gpuRequestOf(template.object),
    keepUnschedulableReplicas: spec.autoMigration?.keepUnschedulableReplicas ?? false,
  };
  applyAnnotations(unit, annotations, override, ignored);
  return { unit, overrides, ignored, notes };
}

function modeFromPolicy(mode: string | undefined, notes: string[]): 'Duplicate' | 'Divide' {
  if (mode === 'Divide' || mode === 'Duplicate') return mode;
  notes.push(mode === undefined || mode === '' ? 'schedulingMode unset: Duplicate' : `schedulingMode "${mode}" is not Duplicate or Divide: Duplicate`);
  return 'Duplicate';
}

/**
 * The replicas at `path` (spec.replicas for the workload kinds). An absent
 * field is 1: the API server defaults it for the workload kinds that have a
 * replicasSpec, so upstream always sees a number.
 */
function replicasOf(obj: JsonObject, path: string, notes: string[]): number {
  let node: unknown = obj;
  for (const segment of path.split('.')) node = typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as JsonObject)[segment] : undefined;
  const replicas = node;
  if (replicas === undefined || replicas === null) {
    notes.push(`${path} absent: the API server defaults it to 1`);
    return 1;
  }
  if (typeof replicas !== 'number' || !Number.isSafeInteger(replicas)) {
    throw new SchedulingUnitError(`${path} must be an integer to divide it, got ${JSON.stringify(replicas)}`);
  }
  return replicas;
}

type PlacementPreferences = Pick<SchedulingUnit, 'minReplicas' | 'maxReplicas' | 'weights' | 'priorities'>;

/** getMinReplicasFromPolicy, getMaxReplicasFromPolicy, getWeightsFromPolicy and the priorities. */
function preferencesOf(placements: readonly DesiredPlacement[] | undefined): PlacementPreferences {
  const out: PlacementPreferences = { minReplicas: {}, maxReplicas: {}, weights: {}, priorities: {} };
  for (const p of placements ?? []) {
    out.minReplicas[p.cluster] = p.preferences?.minReplicas ?? 0;
    if (p.preferences?.maxReplicas !== undefined) out.maxReplicas[p.cluster] = p.preferences.maxReplicas;
    if (p.preferences?.weight !== undefined) out.weights[p.cluster] = p.preferences.weight;
    if (p.preferences?.priority !== undefined) out.priorities[p.cluster] = p.preferences.priority;
  }
  return out;
}

/** The pod template's nvidia.com/gpu request (framework.Resource: containers summed, init containers max). */
function gpuRequestOf(obj: JsonObject): { requestsGpu: boolean; gpuRequest: bigint } {
  const podSpec = podSpecOf(obj);
  let requestsGpu = false;
  let sum = 0n;
  let initMax = 0n;
  const requestOf = (container: unknown): bigint | undefined => {
    const resources = (container as { resources?: { requests?: Record<string, unknown> } } | null)?.resources;
    const gpu = resources?.requests?.['nvidia.com/gpu'];
    if ((typeof gpu !== 'string' && typeof gpu !== 'number') || !isQuantity(gpu)) return undefined;
    requestsGpu = true;
    return quantityValue(gpu);
  };
  for (const c of Array.isArray(podSpec?.containers) ? podSpec.containers : []) sum += requestOf(c) ?? 0n;
  for (const c of Array.isArray(podSpec?.initContainers) ? podSpec.initContainers : []) {
    const request = requestOf(c) ?? 0n;
    if (request > initMax) initMax = request;
  }
  return { requestsGpu, gpuRequest: sum > initMax ? sum : initMax };
}

// ---------------------------------------------------------------------------
// Per-object annotations

function applyAnnotations(
  unit: SchedulingUnit,
  annotations: Readonly<Record<string, string>>,
  override: (annotation: string, fields: string[]) => void,
  ignored: string[],
): void {
  const decode = <T>(annotation: string, decoder: (raw: string) => T): { value: T } | undefined => {
    const raw = annotations[annotation];
    if (raw === undefined) return undefined;
    try {
      return { value: decoder(raw) };
    } catch (error) {
      if (!(error instanceof GoDecodeError)) throw error;
      ignored.push(`${annotation}: ${error.message}`);
      return undefined;
    }
  };

  const sticky = annotations[STICKY_CLUSTER_ANNOTATION];
  if (sticky === 'true' || sticky === 'false') {
    unit.sticky = sticky === 'true';
    override(STICKY_CLUSTER_ANNOTATION, ['spec.reschedulePolicy.disableRescheduling']);
  } else if (sticky !== undefined) {
    ignored.push(`${STICKY_CLUSTER_ANNOTATION}: invalid value "${sticky}" (want true or false)`);
  }

  const selector = decode(CLUSTER_SELECTOR_ANNOTATION, (raw) => asStringMap(parseJson(raw), 'clusterSelector'));
  if (selector) {
    unit.clusterSelector = selector.value;
    override(CLUSTER_SELECTOR_ANNOTATION, ['spec.clusterSelector']);
  }

  // getClusterNamesFromObject decodes []ClusterReference, the preference getters
  // []DesiredPlacement: a bad preference leaves the cluster list in force.
  const clusters = decode(PLACEMENTS_ANNOTATION, (raw) => decodeClusterNames(parseJson(raw)));
  if (clusters) {
    const placements = decode(PLACEMENTS_ANNOTATION, (raw) => decodePlacements(parseJson(raw)));
    applyPlacements(unit, clusters.value, placements?.value ?? [], placements !== undefined, override, ignored);
  }

  const affinity = decode(AFFINITY_ANNOTATION, (raw) => decodeAffinity(parseJson(raw)));
  if (affinity) {
    unit.affinity = affinity.value;
    override(AFFINITY_ANNOTATION, ['spec.clusterAffinity']);
  }

  const tolerations = decode(TOLERATIONS_ANNOTATION, (raw) => decodeTolerations(parseJson(raw)));
  if (tolerations) {
    unit.tolerations = tolerations.value;
    override(TOLERATIONS_ANNOTATION, ['spec.tolerations']);
  }

  const maxClusters = annotations[MAX_CLUSTERS_ANNOTATION];
  if (maxClusters !== undefined) {
    const value = atoi(maxClusters);
    if (value === undefined || value < 0) {
      ignored.push(`${MAX_CLUSTERS_ANNOTATION}: invalid value "${maxClusters}" (want a non-negative integer)`);
    } else {
      unit.maxClusters = value;
      override(MAX_CLUSTERS_ANNOTATION, ['spec.maxClusters']);
    }
  }
}

interface DecodedPlacement {
  cluster: string;
  minReplicas: number;
  maxReplicas?: number | undefined;
  weight?: number | undefined;
  priority?: number | undefined;
}

function decodeClusterNames(value: unknown): string[] {
  return asList(value, 'placements').map((item, i) => asString(field(asStruct(item, `placements[${i}]`), 'cluster'), `placements[${i}].cluster`));
}

function decodePlacements(value: unknown): DecodedPlacement[] {
  return asList(value, 'placements').map((item, i) => {
    const obj = asStruct(item, `placements[${i}]`);
    const prefs = asStruct(field(obj, 'preferences'), `placements[${i}].preferences`);
    return {
      cluster: asString(field(obj, 'cluster'), `placements[${i}].cluster`),
      minReplicas: asInteger(field(prefs, 'minReplicas'), 'minReplicas') ?? 0,
      maxReplicas: asInteger(field(prefs, 'maxReplicas'), 'maxReplicas'),
      weight: asInteger(field(prefs, 'weight'), 'weight'),
      priority: asInteger(field(prefs, 'priority'), 'priority'),
    };
  });
}

/**
 * The placements annotation is read by separate getters, each with its own
 * check: the cluster list always applies; weights, minimums and maximums are
 * each ignored on their own when one of them is negative.
 */
function applyPlacements(
  unit: SchedulingUnit,
  clusters: readonly string[],
  placements: readonly DecodedPlacement[],
  withPreferences: boolean,
  override: (annotation: string, fields: string[]) => void,
  ignored: string[],
): void {
  const fields = ['spec.placement (cluster list)'];
  unit.clusterNames = new Set(clusters);
  if (!withPreferences) {
    override(PLACEMENTS_ANNOTATION, fields);
    return;
  }
  const collect = (pick: (p: DecodedPlacement) => number | undefined): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const p of placements) {
      const value = pick(p);
      if (value !== undefined) out[p.cluster] = value;
    }
    return out;
  };
  const parts: [keyof PlacementPreferences, Record<string, number>, string][] = [
    ['minReplicas', collect((p) => p.minReplicas), 'minReplicas'],
    ['maxReplicas', collect((p) => p.maxReplicas), 'maxReplicas'],
    ['weights', collect((p) => p.weight), 'weight'],
    ['priorities', collect((p) => p.priority), 'priority'],
  ];
  for (const [key, values, name] of parts) {
    if (Object.values(values).some((v) => v < 0)) {
      ignored.push(`${PLACEMENTS_ANNOTATION}: negative ${name} found, the policy's ${name} values stay`);
      continue;
    }
    unit[key] = values;
    fields.push(`spec.placement[].preferences.${name}`);
  }
  override(PLACEMENTS_ANNOTATION, fields);
}

function decodeTerm(value: unknown, what: string): SelectorTerm {
  const obj = asStruct(value, what);
  const requirements = (name: string) =>
    asList(field(obj, name), `${what}.${name}`).map((item, i) => {
      const req = asStruct(item, `${what}.${name}[${i}]`);
      return {
        key: asString(field(req, 'key'), 'key'),
        operator: asString(field(req, 'operator'), 'operator'),
        values: asList(field(req, 'values'), 'values').map((v) => asString(v, 'values[]')),
      };
    });
  return { matchExpressions: requirements('matchExpressions'), matchFields: requirements('matchFields') };
}

function decodeAffinity(value: unknown): ClusterAffinity | undefined {
  const clusterAffinity = asStruct(field(asStruct(value, 'affinity'), 'clusterAffinity'), 'clusterAffinity');
  if (clusterAffinity === undefined) return undefined;
  const requiredRaw = asStruct(field(clusterAffinity, 'requiredDuringSchedulingIgnoredDuringExecution'), 'required');
  const preferred = asList(field(clusterAffinity, 'preferredDuringSchedulingIgnoredDuringExecution'), 'preferred').map((item, i) => {
    const term = asStruct(item, `preferred[${i}]`);
    return { weight: asInteger(field(term, 'weight'), 'weight') ?? 0, preference: decodeTerm(field(term, 'preference'), 'preference') };
  });
  return {
    required: requiredRaw
      ? { terms: asList(field(requiredRaw, 'clusterSelectorTerms'), 'clusterSelectorTerms').map((t, i) => decodeTerm(t, `clusterSelectorTerms[${i}]`)) }
      : undefined,
    preferred,
  };
}

function decodeTolerations(value: unknown): SchedulingToleration[] {
  return asList(value, 'tolerations').map((item, i) => {
    const obj = asStruct(item, `tolerations[${i}]`);
    asInteger(field(obj, 'tolerationSeconds'), 'tolerationSeconds');
    return {
      key: asString(field(obj, 'key'), 'key'),
      operator: asString(field(obj, 'operator'), 'operator'),
      value: asString(field(obj, 'value'), 'value'),
      effect: asString(field(obj, 'effect'), 'effect'),
    };
  });
}
