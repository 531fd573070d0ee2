/**
 * The live state of a cluster as the schedulers read it (issue 14 item 1),
 * computed from what the cluster's API server answers: pure functions, no
 * I/O (observe.ts does the requests). Each rule follows the upstream code it
 * names, so that `render --status` sees the numbers Karmada and KubeAdmiral
 * would have seen.
 */
import { formatQuantity, parseQuantityExact, type QuantityFormat } from '../model/quantity.ts';
import type { JsonObject } from '../model/types.ts';
import { asArray, asObject } from './kube.ts';
import type { Condition, LiveState, LiveWorkload, ResourceList } from './types.ts';

// ---------------------------------------------------------------------------
// The cluster's Ready condition.
// karmada pkg/controllers/status/cluster_status_controller.go (constants and generateReadyCondition).

export const CLUSTER_READY = 'ClusterReady';
export const CLUSTER_NOT_READY = 'ClusterNotReady';
export const CLUSTER_NOT_REACHABLE = 'ClusterNotReachable';
/** The client for the cluster could not even be built (no context, unreadable kubeconfig). */
export const STATUS_COLLECTION_FAILED = 'StatusCollectionFailed';

/**
 * A time as Kubernetes writes metav1.Time: RFC 3339 in whole seconds (UTC),
 * rounded down, so that a time read now is never later than the report
 * commit that carries it (git commit times are whole seconds too).
 */
export function kubeTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * online: the health endpoint answered at all; healthy: it answered 200.
 * A 401 or a refused connection is "not online" upstream too
 * (getClusterHealthStatus treats every request error alike).
 */
export function readyCondition(online: boolean, healthy: boolean, at: string): Condition {
  if (!online) return { type: 'Ready', status: 'False', reason: CLUSTER_NOT_REACHABLE, message: 'cluster is not reachable', lastTransitionTime: at };
  if (!healthy) return { type: 'Ready', status: 'False', reason: CLUSTER_NOT_READY, message: 'cluster is reachable but health endpoint responded without ok', lastTransitionTime: at };
  return { type: 'Ready', status: 'True', reason: CLUSTER_READY, message: 'cluster is healthy and ready to accept workloads', lastTransitionTime: at };
}

/** The live block of a cluster that could not be reached: only its Ready condition is known now. */
export function unreachableLive(at: string, reason = CLUSTER_NOT_REACHABLE, message?: string): LiveState {
  const ready = readyCondition(false, false, at);
  return { observedAt: at, conditions: [reason === CLUSTER_NOT_REACHABLE ? ready : { ...ready, reason, message: message ?? ready.message }] };
}

/**
 * karmada pkg/controllers/status/cluster_condition_cache.go: a Ready status
 * that flips (True ↔ not True) is only reported once the new observation
 * has lasted `failureThreshold` (going down) or `successThreshold` (coming
 * back), so a blip does not taint the cluster. Kept in memory per process,
 * as upstream does: after a restart the first observation is taken as it is.
 */
export class ReadyThresholds {
  private readonly seen = new Map<string, { status: Condition['status']; since: number }>();
  readonly successThresholdMs: number;
  readonly failureThresholdMs: number;

  /** Defaults: karmada-controller-manager --cluster-success-threshold / --cluster-failure-threshold (30 s each). */
  constructor(successThresholdMs = 30_000, failureThresholdMs = 30_000) {
    this.successThresholdMs = successThresholdMs;
    this.failureThresholdMs = failureThresholdMs;
  }

  /** The Ready condition to report, given the one reported so far (`current`) and the one just observed. */
  adjust(cluster: string, current: Condition | undefined, observed: Condition, now: number): Condition {
    const saved = this.seen.get(cluster);
    if (saved === undefined) {
      // The cluster just joined (or this process just started).
      this.seen.set(cluster, { status: observed.status, since: now });
      return observed;
    }
    if (current === undefined) return observed;
    let since = saved.since;
    if (saved.status !== observed.status) {
      since = now;
      this.seen.set(cluster, { status: observed.status, since });
    }
    const threshold = observed.status === 'True' ? this.successThresholdMs : this.failureThresholdMs;
    const flips = (observed.status === 'True') !== (current.status === 'True');
    // Retain the old status until the threshold is exceeded, to ride out an unstable network.
    if (flips && now < since + threshold) return current;
    return observed;
  }

  /** Test hook: what the store remembers (clusterConditionStore.update). */
  remember(cluster: string, status: Condition['status'], since: number): void {
    this.seen.set(cluster, { status, since });
  }
}

/**
 * k8s.io/apimachinery meta.SetStatusCondition: a condition whose status did
 * not change keeps its lastTransitionTime (reason and message may change:
 * ClusterNotReady → ClusterNotReachable is still "not ready since ...").
 */
export function keepTransitionTime(previous: Condition | undefined, next: Condition): Condition {
  if (previous === undefined || previous.status !== next.status || previous.lastTransitionTime === undefined) return next;
  return { ...next, lastTransitionTime: previous.lastTransitionTime };
}

// ---------------------------------------------------------------------------
// Nodes and pods: karmada getNodeSummary / getResourceSummary.

/** karmada pkg/util/helper/node.go NodeReady. */
export function nodeReady(node: JsonObject): boolean {
  for (const c of asArray(asObject(node.status).conditions)) {
    const cond = asObject(c);
    if (cond.type === 'Ready') return cond.status === 'True';
  }
  return false;
}

/** karmada cluster_status_controller.go getNodeSummary. */
export function nodeSummary(nodes: readonly JsonObject[]): { totalNum: number; readyNum: number } {
  return { totalNum: nodes.length, readyNum: nodes.filter(nodeReady).length };
}

/** A sum of quantities that keeps the format Quantity.Add keeps: the first non-zero summand's. */
interface Sum {
  nano: bigint;
  format: QuantityFormat;
}

function parseOrUndefined(value: unknown): { nano: bigint; format: QuantityFormat } | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  try {
    return parseQuantityExact(value);
  } catch {
    return undefined;
  }
}

/** karmada getClusterAllocatable: the nodes' status.allocatable added up key by key (Quantity.Add). */
export function clusterAllocatable(nodes: readonly JsonObject[]): ResourceList {
  const sums = new Map<string, Sum>();
  for (const node of nodes) {
    for (const [name, value] of Object.entries(asObject(asObject(node.status).allocatable))) {
      const q = parseOrUndefined(value);
      if (q === undefined) continue;
      const sum = sums.get(name);
      // Quantity.Add: a zero receiver takes the addend's format.
      if (sum === undefined || sum.nano === 0n) sums.set(name, { nano: (sum?.nano ?? 0n) + q.nano, format: q.format });
      else sum.nano += q.nano;
    }
  }
  return sortedList([...sums].map(([name, s]) => [name, formatQuantity(s.nano, s.format)]));
}

/**
 * karmada pkg/util/resource.go Resource: CPU in millicores, everything else
 * in whole units (MilliValue / Value round up), scalar resources only when
 * IsScalarResourceName says so.
 */
class ResourceTotals {
  milliCPU = 0n;
  memory = 0n;
  ephemeralStorage = 0n;
  pods = 0n;
  readonly scalars = new Map<string, bigint>();

  add(list: JsonObject): void {
    for (const [name, value] of Object.entries(list)) {
      const q = parseOrUndefined(value);
      if (q === undefined) continue;
      if (name === 'cpu') this.milliCPU += milli(q.nano);
      else if (name === 'memory') this.memory += whole(q.nano);
      else if (name === 'pods') this.pods += whole(q.nano);
      else if (name === 'ephemeral-storage') this.ephemeralStorage += whole(q.nano);
      else if (isScalarResourceName(name)) this.scalars.set(name, (this.scalars.get(name) ?? 0n) + whole(q.nano));
    }
  }

  /** Resource.SetMaxResource: each amount becomes the larger of it and the list's. */
  setMax(list: JsonObject): void {
    for (const [name, value] of Object.entries(list)) {
      const q = parseOrUndefined(value);
      if (q === undefined) continue;
      if (name === 'cpu') this.milliCPU = max(this.milliCPU, milli(q.nano));
      else if (name === 'memory') this.memory = max(this.memory, whole(q.nano));
      else if (name === 'ephemeral-storage') this.ephemeralStorage = max(this.ephemeralStorage, whole(q.nano));
      else if (name === 'pods') this.pods = max(this.pods, whole(q.nano));
      else if (isScalarResourceName(name)) this.scalars.set(name, max(this.scalars.get(name) ?? 0n, whole(q.nano)));
    }
  }

  /**
   * Resource.AddPodRequest: containers' requests added, init containers'
   * requests as a maximum, then the overhead. The maximum is taken against
   * the running total of every pod added so far, not against this pod alone
   * † (upstream quirk, reproduced: an init container counts only when it
   * asks for more than all the pods before it together).
   */
  addPodRequest(spec: JsonObject): void {
    for (const c of asArray(spec.containers)) this.add(asObject(asObject(asObject(c).resources).requests));
    for (const c of asArray(spec.initContainers)) this.setMax(asObject(asObject(asObject(c).resources).requests));
    if (spec.overhead !== undefined) this.add(asObject(spec.overhead));
  }

  /** Resource.ResourceList: only amounts above zero; cpu DecimalSI millicores, memory and storage BinarySI, hugepages BinarySI, other scalars DecimalSI. */
  resourceList(): ResourceList | undefined {
    const out: Array<[string, string]> = [];
    const put = (name: string, amount: bigint, format: QuantityFormat, scale: bigint): void => {
      if (amount > 0n) out.push([name, formatQuantity(amount * scale, format)]);
    };
    put('cpu', this.milliCPU, 'DecimalSI', NANO_PER_MILLI);
    put('memory', this.memory, 'BinarySI', NANO_PER_UNIT);
    put('ephemeral-storage', this.ephemeralStorage, 'BinarySI', NANO_PER_UNIT);
    put('pods', this.pods, 'DecimalSI', NANO_PER_UNIT);
    for (const [name, amount] of this.scalars) put(name, amount, name.startsWith('hugepages-') ? 'BinarySI' : 'DecimalSI', NANO_PER_UNIT);
    return out.length === 0 ? undefined : sortedList(out);
  }
}

const NANO_PER_UNIT = 1_000_000_000n;
const NANO_PER_MILLI = 1_000_000n;

function milli(nano: bigint): bigint {
  return ceilDiv(nano, NANO_PER_MILLI);
}

function whole(nano: bigint): bigint {
  return ceilDiv(nano, NANO_PER_UNIT);
}

/** Rounded away from zero, as MilliValue() and Value() round. */
function ceilDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d === 0n ? q : n < 0n ? q - 1n : q + 1n;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/**
 * karmada pkg/util/lifted/resourcename.go IsScalarResourceName (lifted from
 * kubernetes pkg/scheduler/util): extended resources (a domain-prefixed name
 * outside kubernetes.io), hugepages-*, *kubernetes.io/* and
 * attachable-volumes-*.
 */
export function isScalarResourceName(name: string): boolean {
  return isExtendedResourceName(name) || name.startsWith('hugepages-') || name.includes('kubernetes.io/') || name.startsWith('attachable-volumes-');
}

/** kubernetes pkg/apis/core/v1/helper IsExtendedResourceName: not native, not `requests.`, and `requests.<name>` a qualified name. */
function isExtendedResourceName(name: string): boolean {
  const native = !name.includes('/') || name.includes('kubernetes.io/');
  if (native || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`);
}

/** k8s.io/apimachinery validation.IsQualifiedName: optional DNS-1123 subdomain prefix, then a name of at most 63 characters. */
function isQualifiedName(value: string): boolean {
  const parts = value.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1] as string;
  if (parts.length === 2) {
    const prefix = parts[0] as string;
    if (prefix.length === 0 || prefix.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix)) return false;
  }
  return name.length > 0 && name.length <= 63 && /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name);
}

function specOf(pod: JsonObject): JsonObject {
  return asObject(pod.spec);
}

function phaseOf(pod: JsonObject): string {
  const phase = asObject(pod.status).phase;
  return typeof phase === 'string' ? phase : '';
}

function nodeNameOf(pod: JsonObject): string {
  const n = specOf(pod).nodeName;
  return typeof n === 'string' ? n : '';
}

/** karmada getAllocatingResource: the requests of pods no node was chosen for yet, plus their count. */
export function allocatingResource(pods: readonly JsonObject[]): ResourceList | undefined {
  const totals = new ResourceTotals();
  let count = 0n;
  for (const pod of pods) {
    if (nodeNameOf(pod) !== '') continue;
    totals.addPodRequest(specOf(pod));
    count++;
  }
  totals.add({ pods: String(count) });
  return totals.resourceList();
}

/**
 * karmada getAllocatedResource: the requests of pods bound to a node and not
 * finished (Succeeded and Failed pods are what kube-scheduler does not count
 * either), plus their count.
 */
export function allocatedResource(pods: readonly JsonObject[]): ResourceList | undefined {
  const totals = new ResourceTotals();
  let count = 0n;
  for (const pod of pods) {
    const phase = phaseOf(pod);
    if (nodeNameOf(pod) === '' || phase === 'Succeeded' || phase === 'Failed') continue;
    totals.addPodRequest(specOf(pod));
    count++;
  }
  totals.add({ pods: String(count) });
  return totals.resourceList();
}

/** karmada getResourceSummary (without allocatableModelings: resource models are not collected). */
export function resourceSummary(nodes: readonly JsonObject[], pods: readonly JsonObject[]): NonNullable<LiveState['resourceSummary']> {
  const allocating = allocatingResource(pods);
  const allocated = allocatedResource(pods);
  return { allocatable: clusterAllocatable(nodes), ...(allocating === undefined ? {} : { allocating }), ...(allocated === undefined ? {} : { allocated }) };
}

function sortedList(entries: Array<[string, string]>): ResourceList {
  return Object.fromEntries(entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

// ---------------------------------------------------------------------------
// Served APIs: karmada getAPIEnablements.

export interface ServedResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
}

/**
 * karmada cluster_status_controller.go getAPIEnablements: every group
 * version the server serves with its resources (subresources such as
 * `pods/status` left out), resources by name, group versions by name. This
 * is also KubeAdmiral's `apiResourceTypes` (one entry per group, version
 * and kind; pkg/controllers/federatedcluster/clusterstatus.go), which
 * `render --status` derives from the same list.
 */
export function apiEnablements(resources: readonly ServedResource[]): NonNullable<LiveState['apiEnablements']> {
  const byGroupVersion = new Map<string, Map<string, string>>();
  for (const r of resources) {
    if (r.plural === '' || r.plural.includes('/')) continue;
    const gv = r.group === '' ? r.version : `${r.group}/${r.version}`;
    let list = byGroupVersion.get(gv);
    if (list === undefined) byGroupVersion.set(gv, (list = new Map()));
    list.set(r.plural, r.kind);
  }
  return [...byGroupVersion]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([groupVersion, list]) => ({
      groupVersion,
      resources: [...list].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([name, kind]) => ({ name, kind })),
    }));
}

// ---------------------------------------------------------------------------
// Workloads: replicas desired / ready / unschedulable.

/** The kinds whose replica counts are reported, with where each keeps them. */
const WORKLOAD_KINDS: Readonly<Record<string, { desired: (spec: JsonObject) => number; ready: (status: JsonObject) => number }>> = {
  'apps/Deployment': { desired: (s) => intOr(s.replicas, 1), ready: (st) => intOr(st.readyReplicas, 0) },
  'apps/StatefulSet': { desired: (s) => intOr(s.replicas, 1), ready: (st) => intOr(st.readyReplicas, 0) },
  'apps/ReplicaSet': { desired: (s) => intOr(s.replicas, 1), ready: (st) => intOr(st.readyReplicas, 0) },
  // A Job runs `parallelism` pods at once; status.ready counts those that are ready.
  'batch/Job': { desired: (s) => intOr(s.parallelism, 1), ready: (st) => intOr(st.ready, 0) },
};

function intOr(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback;
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function isWorkload(apiVersion: string, kind: string): boolean {
  return WORKLOAD_KINDS[`${groupOf(apiVersion)}/${kind}`] !== undefined;
}

/**
 * kubeadmiral pkg/controllers/automigration/util.go getPodScheduledCondition
 * and countScheduledAndUnschedulablePods: PodScheduled=False with reason
 * Unschedulable, terminating pods left out. KubeAdmiral also waits until the
 * pod has been so for `podUnschedulableFor`; that threshold belongs to the
 * decision (the KubeAdmiral dialect, dialects/kubeadmiral/automigration.ts),
 * so every such pod is counted here with the time it became unschedulable.
 */
export function isUnschedulablePod(pod: JsonObject): boolean {
  return unschedulableSince(pod) !== undefined;
}

/** Go's zero time: a PodScheduled condition without lastTransitionTime is past any threshold upstream. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** When an unschedulable pod became so (its PodScheduled lastTransitionTime); undefined for any other pod. */
export function unschedulableSince(pod: JsonObject): string | undefined {
  if (asObject(pod.metadata).deletionTimestamp != null) return undefined;
  for (const c of asArray(asObject(pod.status).conditions)) {
    const cond = asObject(c);
    if (cond.type !== 'PodScheduled') continue;
    if (cond.status !== 'False' || cond.reason !== 'Unschedulable') return undefined;
    return typeof cond.lastTransitionTime === 'string' && cond.lastTransitionTime !== '' ? cond.lastTransitionTime : GO_ZERO_TIME;
  }
  return undefined;
}

/** The controller owner reference of an object: `Kind/name`. */
function controllerOf(obj: JsonObject): string | undefined {
  for (const r of asArray(asObject(obj.metadata).ownerReferences)) {
    const ref = asObject(r);
    if (ref.controller === true && typeof ref.kind === 'string' && typeof ref.name === 'string') return `${ref.kind}/${ref.name}`;
  }
  return undefined;
}

/**
 * The workload a pod belongs to: its controller, or for a ReplicaSet that a
 * Deployment made, that Deployment. A Deployment's ReplicaSets are named
 * `<deployment>-<pod-template-hash>` and their pods carry that hash as a
 * label (kubernetes pkg/controller/deployment/sync.go getNewReplicaSet), so
 * the pod list alone tells both owners apart without listing ReplicaSets.
 * KubeAdmiral counts only the newest ReplicaSet's pods † (plugins/deployments.go);
 * here the pods of every ReplicaSet of the Deployment count, which differs
 * only while a rollout leaves an old pod unschedulable.
 */
export function podOwners(pod: JsonObject): string[] {
  const owner = controllerOf(pod);
  if (owner === undefined) return [];
  const hash = asObject(asObject(pod.metadata).labels)['pod-template-hash'];
  const suffix = typeof hash === 'string' && hash !== '' ? `-${hash}` : undefined;
  if (owner.startsWith('ReplicaSet/') && suffix !== undefined && owner.endsWith(suffix)) {
    return [owner, `Deployment/${owner.slice('ReplicaSet/'.length, -suffix.length)}`];
  }
  return [owner];
}

export interface WorkloadObject {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
  /** The live object (status for ready replicas); the rendered one when it could not be read. */
  live: JsonObject;
}

/** Replica counts of each workload, with the unschedulable pods found for it in `pods`. */
export function workloadCounts(workloads: readonly WorkloadObject[], pods: readonly JsonObject[]): LiveWorkload[] {
  const podCount = new Map<string, number>();
  const since = new Map<string, string[]>();
  for (const pod of pods) {
    const ns = asObject(pod.metadata).namespace;
    const became = unschedulableSince(pod);
    for (const owner of podOwners(pod)) {
      const key = `${typeof ns === 'string' ? ns : ''}/${owner}`;
      podCount.set(key, (podCount.get(key) ?? 0) + 1);
      if (became === undefined) continue;
      const list = since.get(key);
      if (list === undefined) since.set(key, [became]);
      else list.push(became);
    }
  }
  const out: LiveWorkload[] = [];
  for (const w of workloads) {
    const rule = WORKLOAD_KINDS[`${groupOf(w.apiVersion)}/${w.kind}`];
    if (rule === undefined) continue;
    const key = `${w.namespace ?? ''}/${w.kind}/${w.name}`;
    const unschedulable = (since.get(key) ?? []).sort(compareText);
    out.push({
      apiVersion: w.apiVersion,
      kind: w.kind,
      ...(w.namespace === undefined ? {} : { namespace: w.namespace }),
      name: w.name,
      desired: rule.desired(asObject(w.live.spec)),
      ready: rule.ready(asObject(w.live.status)),
      unschedulable: unschedulable.length,
      // Only with unschedulable pods: what auto-migration needs, and no churn in the report otherwise.
      ...(unschedulable.length === 0 ? {} : { pods: podCount.get(key) ?? 0, unschedulableSince: unschedulable }),
    });
  }
  return out.sort((a, b) => compareText(`${groupOf(a.apiVersion)}/${a.kind}/${a.namespace ?? ''}/${a.name}`, `${groupOf(b.apiVersion)}/${b.kind}/${b.namespace ?? ''}/${b.name}`));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------
// Across reconciles: what the report keeps from the stored status.

/** How the report branch treats live state (docs/reconciler.md "Live state"). */
export interface LiveReportOptions {
  /** Ready flips only after these thresholds (karmada clusterConditionStore); none: as observed. */
  thresholds?: ReadyThresholds | undefined;
  /**
   * A change confined to `resourceSummary.allocated` / `allocating` (pods
   * starting and stopping) is written only when the stored observation is at
   * least this old (default 30 min); every other change is written at once.
   */
  refreshMs?: number | undefined;
}

export const DEFAULT_LIVE_REFRESH_MS = 30 * 60_000;

function readyOf(live: LiveState | undefined): Condition | undefined {
  return live?.conditions.find((c) => c.type === 'Ready');
}

/**
 * The live block to store: the Ready condition threshold-adjusted against
 * the stored one and keeping its lastTransitionTime while its status stays
 * the same (so "not ready since" survives restarts of the reconciler); when
 * the cluster could not be read, the last observed numbers stay, as Karmada
 * keeps Cluster.status when only the Ready condition is updated
 * (cluster_status_controller.go syncClusterStatus). No new observation at
 * all (the tree did not parse): the stored block as it is.
 */
export function mergeLive(cluster: string, stored: LiveState | undefined, next: LiveState | undefined, opts: LiveReportOptions = {}): LiveState | undefined {
  if (next === undefined) return stored;
  const observed = readyOf(next);
  const current = readyOf(stored);
  let ready = observed;
  if (observed !== undefined) {
    const adjusted = opts.thresholds === undefined ? observed : opts.thresholds.adjust(cluster, current, observed, Date.parse(next.observedAt));
    ready = adjusted === current ? current : keepTransitionTime(current, adjusted);
  }
  const conditions = [...next.conditions.filter((c) => c.type !== 'Ready'), ...(ready === undefined ? [] : [ready])];
  const collected = next.nodeSummary !== undefined || next.resourceSummary !== undefined || next.apiEnablements !== undefined || next.resources !== undefined;
  if (collected || stored === undefined) return { ...next, conditions };
  const { observedAt: _o, conditions: _c, ...lastKnown } = stored;
  return { ...lastKnown, ...next, conditions };
}

/** The live block without what churns with every pod (allocated, allocating, KubeAdmiral's available) and without its timestamp. */
export function steadyLive(live: LiveState | undefined): unknown {
  if (live === undefined) return undefined;
  const { observedAt: _o, resourceSummary, resources, ...rest } = live;
  return { ...rest, allocatable: resourceSummary?.allocatable, schedulableNodes: resources?.schedulableNodes, schedulableAllocatable: resources?.allocatable };
}

/** Whether a change of live numbers only (allocated, allocating) waits: the stored observation is younger than the refresh period. */
export function churnWaits(stored: LiveState | undefined, next: LiveState | undefined, refreshMs = DEFAULT_LIVE_REFRESH_MS): boolean {
  if (stored === undefined || next === undefined) return false;
  return Date.parse(next.observedAt) - Date.parse(stored.observedAt) < refreshMs;
}

// ---------------------------------------------------------------------------
// KubeAdmiral's view of the same nodes and pods: FederatedCluster.status.resources.

/** A ResourceList being added up with Quantity semantics: exact amounts, each keeping the format Quantity.Add/Sub keep. */
class QuantityList {
  private readonly sums = new Map<string, Sum>();

  /** kubeadmiral pkg/util/resource AddResources (Quantity.Add: a zero receiver takes the addend's format). */
  add(list: JsonObject, sign: 1n | -1n = 1n): void {
    for (const [name, value] of Object.entries(list)) {
      const q = parseOrUndefined(value);
      if (q === undefined) continue;
      const sum = this.sums.get(name);
      if (sum === undefined) this.sums.set(name, { nano: sign * q.nano, format: q.format });
      else {
        if (sum.nano === 0n) sum.format = q.format;
        sum.nano += sign * q.nano;
      }
    }
  }

  /** kubeadmiral MaxResources: each amount becomes the list's when that is greater (with its format). */
  max(list: JsonObject): void {
    for (const [name, value] of Object.entries(list)) {
      const q = parseOrUndefined(value);
      if (q === undefined) continue;
      const sum = this.sums.get(name);
      if (sum === undefined || q.nano > sum.nano) this.sums.set(name, { nano: q.nano, format: q.format });
    }
  }

  /** Quantity.Sub of the amounts this list already has (available[name] only when present). */
  subtractKnown(other: QuantityList): void {
    for (const [name, q] of other.sums) {
      const sum = this.sums.get(name);
      if (sum === undefined) continue;
      if (sum.nano === 0n) sum.format = q.format;
      sum.nano -= q.nano;
    }
  }

  delete(name: string): void {
    this.sums.delete(name);
  }

  clone(): QuantityList {
    const copy = new QuantityList();
    for (const [name, s] of this.sums) copy.sums.set(name, { ...s });
    return copy;
  }

  toList(): ResourceList {
    return sortedList([...this.sums].map(([name, s]) => [name, formatQuantity(s.nano, s.format)]));
  }
}

/**
 * kubeadmiral pkg/controllers/federatedcluster/util.go isNodeSchedulable:
 * not cordoned, no NoSchedule/NoExecute taint, and not Ready≠True.
 */
export function isNodeSchedulable(node: JsonObject): boolean {
  const spec = asObject(node.spec);
  if (spec.unschedulable === true) return false;
  for (const t of asArray(spec.taints)) {
    const effect = asObject(t).effect;
    if (effect === 'NoSchedule' || effect === 'NoExecute') return false;
  }
  for (const c of asArray(asObject(node.status).conditions)) {
    const cond = asObject(c);
    if (cond.type === 'Ready' && cond.status !== 'True') return false;
  }
  return true;
}

/** kubeadmiral pkg/util/resource GetPodResourceRequests: limits stand in for missing requests; init containers as a maximum; overhead added. */
function podRequests(spec: JsonObject): QuantityList {
  const reqs = new QuantityList();
  for (const c of asArray(spec.containers)) {
    const resources = asObject(asObject(c).resources);
    const requests = asObject(resources.requests);
    for (const [name, limit] of Object.entries(asObject(resources.limits))) if (!(name in requests)) reqs.add({ [name]: limit });
    reqs.add(requests);
  }
  for (const c of asArray(spec.initContainers)) reqs.max(asObject(asObject(asObject(c).resources).requests));
  if (spec.overhead !== undefined) reqs.add(asObject(spec.overhead));
  return reqs;
}

/**
 * kubeadmiral pkg/controllers/federatedcluster/clusterstatus.go
 * updateClusterResources and util.go aggregateResources: allocatable of the
 * schedulable nodes only (without `pods`), and available = that minus the
 * requests of every pod that is not finished, scheduled or not (so it can go
 * below zero). KubeAdmiral's node filter (--resource-aggregation-node-filter)
 * is not reproduced: every schedulable node counts.
 */
export function kubeadmiralResources(nodes: readonly JsonObject[], pods: readonly JsonObject[]): NonNullable<LiveState['resources']> {
  const schedulable = nodes.filter(isNodeSchedulable);
  const allocatable = new QuantityList();
  for (const node of schedulable) allocatable.add(asObject(asObject(node.status).allocatable));
  allocatable.delete('pods');
  const available = allocatable.clone();
  for (const pod of pods) {
    const phase = phaseOf(pod);
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    available.subtractKnown(podRequests(specOf(pod)));
  }
  return { schedulableNodes: schedulable.length, allocatable: allocatable.toList(), available: available.toList() };
}
