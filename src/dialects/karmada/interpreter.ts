/**
 * Karmada's default replica interpreter for native workloads
 * (pkg/resourceinterpreter/default/native/replica.go): the replicas and
 * per-replica resource requests a binding carries.
 */
import type { ResourceList } from '../../model/common.ts';
import { qualifiedNameProblems } from '../../model/labels.ts';
import { nanoToMilli, nanoToWhole, parseQuantityExact } from '../../model/quantity.ts';
import type { JsonObject, JsonValue } from '../../model/types.ts';
import { compareNames } from './gosort.ts';

// ---------------------------------------------------------------------------
// Replica interpretation of native workloads
// ---------------------------------------------------------------------------

export interface ReplicaInterpretation {
  /** binding.spec.replicas. */
  replicas: number;
  /** binding.spec.replicaRequirements.resourceRequest ({} when none). */
  requests: ResourceList;
  /** binding.spec.replicaRequirements != nil: requests or a node claim (nodeSelector, required node affinity, tolerations). */
  hasReplicaRequirements: boolean;
}

/**
 * The default replica interpreter (native/replica.go): apps/v1 Deployment,
 * ReplicaSet and StatefulSet (spec.replicas), batch/v1 Job (parallelism capped by
 * completions) and v1 Pod (1). Other kinds have no replicas for Karmada
 * (undefined). Karmada reads templates after kube-apiserver defaulting, so the
 * defaults are applied here: replicas 1, Job parallelism/completions 1.
 */
export function interpretReplicas(template: JsonObject): ReplicaInterpretation | undefined {
  const spec = objectAt(template, 'spec') ?? {};
  let replicas: number;
  let podSpec: JsonObject | undefined;
  switch (`${String(template['apiVersion'])} ${String(template['kind'])}`) {
    case 'apps/v1 Deployment':
    case 'apps/v1 ReplicaSet':
    case 'apps/v1 StatefulSet':
      replicas = intAt(spec, 'replicas') ?? 1;
      podSpec = objectAt(objectAt(spec, 'template'), 'spec');
      break;
    case 'batch/v1 Job':
      replicas = jobReplicas(spec);
      podSpec = objectAt(objectAt(spec, 'template'), 'spec');
      break;
    case 'v1 Pod':
      replicas = 1;
      podSpec = spec;
      break;
    default:
      return undefined;
  }
  const requests = podSpecRequests(podSpec ?? {});
  return { replicas, requests, hasReplicaRequirements: Object.keys(requests).length > 0 || hasNodeClaim(podSpec ?? {}) };
}

/** jobReplica: parallelism, at most completions (SetDefaults_Job: both unset → 1 and 1; parallelism unset → 1). */
function jobReplicas(spec: JsonObject): number {
  const completions = intAt(spec, 'completions') ?? (intAt(spec, 'parallelism') === undefined ? 1 : undefined);
  const parallelism = intAt(spec, 'parallelism') ?? 1;
  return completions !== undefined && parallelism > completions ? completions : parallelism;
}

/** helper.GenerateNodeClaimByPodSpec != nil. */
function hasNodeClaim(podSpec: JsonObject): boolean {
  const nodeSelector = objectAt(podSpec, 'nodeSelector');
  const tolerations = podSpec['tolerations'];
  const required = objectAt(objectAt(objectAt(podSpec, 'affinity'), 'nodeAffinity'), 'requiredDuringSchedulingIgnoredDuringExecution');
  return (nodeSelector !== undefined && Object.keys(nodeSelector).length > 0) || (Array.isArray(tolerations) && tolerations.length > 0) || required !== undefined;
}

/**
 * The effective per-replica request of a workload's pod template, as Karmada
 * computes it (util.Resource AddPodTemplateRequest): containers' requests
 * (limits stand in for missing requests) summed, raised to the largest init
 * container request per resource, plus pod overhead. Counts cpu (millicores),
 * memory, ephemeral-storage, pods and extended/hugepages resources; other
 * names are ignored. Finds the pod spec of Deployment, StatefulSet,
 * ReplicaSet, DaemonSet, ReplicationController, Job, CronJob and Pod; {} for
 * anything else.
 */
export function podRequestsOf(template: JsonObject): ResourceList {
  const spec = objectAt(template, 'spec');
  const podSpec =
    template['kind'] === 'Pod'
      ? spec
      : template['kind'] === 'CronJob'
        ? objectAt(objectAt(objectAt(objectAt(spec, 'jobTemplate'), 'spec'), 'template'), 'spec')
        : objectAt(objectAt(spec, 'template'), 'spec');
  return podSpecRequests(podSpec ?? {});
}

function podSpecRequests(podSpec: JsonObject): ResourceList {
  const total = new Map<string, bigint>();
  for (const container of containers(podSpec, 'containers')) {
    for (const [name, units] of countedUnits(effectiveRequests(container))) total.set(name, (total.get(name) ?? 0n) + units);
  }
  for (const container of containers(podSpec, 'initContainers')) {
    for (const [name, units] of countedUnits(effectiveRequests(container))) {
      if (units > (total.get(name) ?? 0n)) total.set(name, units);
    }
  }
  for (const [name, units] of countedUnits(resourceListAt(podSpec, 'overhead'))) total.set(name, (total.get(name) ?? 0n) + units);
  return toResourceList(total);
}

/** Requests, with limits filling in resources that have no request (k8s SetDefaults_Pod). */
function effectiveRequests(container: JsonObject): ResourceList {
  const resources = objectAt(container, 'resources');
  return { ...resourceListAt(resources, 'limits'), ...resourceListAt(resources, 'requests') };
}

/** util.Resource.Add: cpu in MilliValue, the rest in Value, unknown names dropped. */
function countedUnits(list: ResourceList): Array<[string, bigint]> {
  const out: Array<[string, bigint]> = [];
  for (const [name, quantity] of Object.entries(list)) {
    const nano = parseQuantityExact(quantity).nano;
    if (name === 'cpu') out.push([name, nanoToMilli(nano)]);
    else if (name === 'memory' || name === 'pods' || name === 'ephemeral-storage' || isScalarResourceName(name)) out.push([name, nanoToWhole(nano)]);
  }
  return out;
}

/** Resource.ResourceList: positive amounts only, cpu as a milli quantity. */
function toResourceList(total: Map<string, bigint>): ResourceList {
  const list: ResourceList = {};
  const ordered = [...total].sort(([a], [b]) => resourceOrder(a) - resourceOrder(b) || compareNames(a, b));
  for (const [name, units] of ordered) {
    if (units > 0n) list[name] = name === 'cpu' ? `${units}m` : `${units}`;
  }
  return list;
}

function resourceOrder(name: string): number {
  const index = ['cpu', 'memory', 'ephemeral-storage', 'pods'].indexOf(name);
  return index < 0 ? 4 : index;
}

/** lifted.IsScalarResourceName: extended, hugepages-, *kubernetes.io/* and attachable-volumes- resources. */
function isScalarResourceName(name: string): boolean {
  return (
    name.startsWith('hugepages-') ||
    name.startsWith('attachable-volumes-') ||
    name.includes('kubernetes.io/') ||
    isExtendedResourceName(name)
  );
}

/** v1helper.IsExtendedResourceName: a domain-prefixed, non-native name valid as a quota key. */
function isExtendedResourceName(name: string): boolean {
  if (!name.includes('/') || name.startsWith('requests.')) return false;
  return qualifiedNameProblems(`requests.${name}`).length === 0;
}

function containers(podSpec: JsonObject, field: string): JsonObject[] {
  const list = podSpec[field];
  return Array.isArray(list) ? list.filter(isObject) : [];
}

function resourceListAt(parent: JsonObject | undefined, field: string): ResourceList {
  const list = objectAt(parent, field) ?? {};
  const out: ResourceList = {};
  for (const [name, value] of Object.entries(list)) {
    if (typeof value === 'string' || typeof value === 'number') out[name] = value;
  }
  return out;
}

function objectAt(parent: JsonObject | undefined, field: string): JsonObject | undefined {
  const value = parent?.[field];
  return isObject(value) ? value : undefined;
}

function intAt(parent: JsonObject, field: string): number | undefined {
  const value = parent[field];
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
