/**
 * What a status means, shared by the report's README (report.ts) and the
 * fleet view that `manifold status` and the status page show
 * (fleet-view.ts), kept apart so that neither imports the other.
 */
import type { ClusterStatus, Condition } from './types.ts';

/** A reconcile that applied the whole tree; its objects are what runs there. */
export function appliedInFull(s: ClusterStatus): boolean {
  return s.result === 'Synced' || s.result === 'Degraded';
}

/** Whether a condition says something is wrong: Drifted only when the drift was left in place, the others when not True. */
export function isProblem(c: Condition): boolean {
  return c.type === 'Drifted' ? c.reason === 'DriftNotCorrected' : c.status !== 'True';
}
