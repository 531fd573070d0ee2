/**
 * The reconciler's result model: what happened in one cluster during one
 * reconcile. It is written to the report branch as clusters/<name>.json
 * (schema: schemas/manifold-cluster-status.json), so field names are a
 * public contract: add fields, never rename them.
 */

export type ObjectAction = 'created' | 'configured' | 'unchanged' | 'pruned' | 'recreated' | 'failed' | 'skipped';
export type Health = 'Healthy' | 'Progressing' | 'Degraded' | 'Unknown';
/**
 * Orphaned: the cluster has no folder in the rendered tree any more (it left
 * the inventory) but Manifold-managed objects are, or may be, still running
 * there (docs/reconciler.md "Leaving the fleet").
 */
export type ClusterResult = 'Synced' | 'Degraded' | 'Failed' | 'Unreachable' | 'Orphaned';

/** One field that differs between the live object and the desired one. Secret values are masked. */
export interface DriftEntry {
  /** JSON pointer, e.g. /spec/replicas. */
  path: string;
  /** Live value (what another actor set); '***' for Secret data. */
  before: unknown;
  /** Desired value from the rendered tree; '***' for Secret data. */
  after: unknown;
}

export interface ObjectStatus {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
  /** File of the rendered tree it came from, relative to the cluster folder (absent for pruned objects, which the tree no longer has). */
  file?: string | undefined;
  action: ObjectAction;
  health: Health;
  /** Why not healthy, or the API server's message for a failure. */
  message?: string | undefined;
  drift?: DriftEntry[] | undefined;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  /** ISO 8601: when `status` last changed (kept across reconciles while it stays the same). */
  lastTransitionTime?: string | undefined;
}

/** Kubernetes ResourceList: resource name → quantity string. */
export type ResourceList = Record<string, string>;

/** Replica counts of one workload in the cluster. */
export interface LiveWorkload {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
  desired: number;
  ready: number;
  /** Pods with PodScheduled=False, reason Unschedulable (KubeAdmiral auto-migration's input). */
  unschedulable: number;
  /** With unschedulable pods: every unfinished pod of the workload (upstream's `len(pods)`). */
  pods?: number | undefined;
  /** With unschedulable pods: each one's PodScheduled lastTransitionTime, ascending (the threshold is the decision's). */
  unschedulableSince?: string[] | undefined;
}

/**
 * What the schedulers read about a cluster, in Karmada's Cluster.status shape
 * (karmada pkg/apis/cluster/v1alpha1/types.go ClusterStatus), observed by the
 * reconciler. `observedAt` is a timestamp like startedAt: never a reason for
 * a report commit by itself.
 */
export interface LiveState {
  observedAt: string;
  /** Ready: ClusterReady / ClusterNotReady / ClusterNotReachable, with lastTransitionTime. */
  conditions: Condition[];
  kubernetesVersion?: string | undefined;
  nodeSummary?: { totalNum: number; readyNum: number } | undefined;
  resourceSummary?: { allocatable?: ResourceList | undefined; allocating?: ResourceList | undefined; allocated?: ResourceList | undefined } | undefined;
  apiEnablements?: Array<{ groupVersion: string; resources: Array<{ name: string; kind: string }> }> | undefined;
  workloads?: LiveWorkload[] | undefined;
  /** KubeAdmiral FederatedCluster.status.resources: schedulable nodes, their allocatable, and what the unfinished pods leave of it. */
  resources?: { schedulableNodes: number; allocatable: ResourceList; available: ResourceList } | undefined;
}

/** Identity of an object Manifold applied. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
}

/**
 * The last reconcile that applied the cluster's tree (result Synced or
 * Degraded): kept apart from what was attempted since, so a failed or
 * unreachable run never hides what is running there.
 */
export interface LastApplied {
  renderedCommit: string;
  /** What that reconcile left in the cluster; absent when it is this status's own `objects`. */
  objects?: ObjectRef[] | undefined;
}

export interface ClusterStatus {
  cluster: string;
  /** Commit of the rendered branch (or 'folder:<path>') this reconcile attempted; see `lastApplied` for what is running. */
  renderedCommit: string;
  result: ClusterResult;
  /** ISO timestamps; the only non-deterministic fields. */
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  summary: {
    objects: number;
    applied: number;
    unchanged: number;
    pruned: number;
    failed: number;
    drifted: number;
    unhealthy: number;
  };
  conditions: Condition[];
  /** What this reconcile did to each object (empty when it could not reach the cluster). */
  objects: ObjectStatus[];
  /** Absent only when the cluster has never been applied successfully. */
  lastApplied?: LastApplied | undefined;
  /** The cluster's live state (issue 14); absent when it was not observed. */
  live?: LiveState | undefined;
}
