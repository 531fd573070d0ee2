/**
 * The reconciler's result model: what happened in one cluster during one
 * reconcile. It is written to the report branch as clusters/<name>.json
 * (schema: schemas/manifold-cluster-status.json), so field names are a
 * public contract: add fields, never rename them.
 */

export type ObjectAction = 'created' | 'configured' | 'unchanged' | 'pruned' | 'recreated' | 'failed' | 'skipped';
export type Health = 'Healthy' | 'Progressing' | 'Degraded' | 'Unknown';
export type ClusterResult = 'Synced' | 'Degraded' | 'Failed' | 'Unreachable';

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
}

export interface ClusterStatus {
  cluster: string;
  /** Commit of the rendered branch (or 'folder:<path>') that was applied. */
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
  objects: ObjectStatus[];
}
