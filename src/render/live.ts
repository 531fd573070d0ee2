/**
 * The overlay step (DESIGN.md §3): before match, each dialect maps the live
 * status of the fleet onto its own inventory clusters. Pure: the report and
 * the decision time are inputs. A status that cannot be trusted refuses the
 * render with the file and field: a cluster the inventory does not declare,
 * a time after the decision time.
 */
import { InputError, type Problem } from '../errors/index.ts';
import type { Repository } from '../load/repository.ts';
import { futureClockProblems, type LiveStatus, type ObservedCluster } from '../model/live.ts';
import type { Cluster } from '../model/types.ts';
import type { Dialect } from './types.ts';

export interface Overlaid {
  repo: Repository;
  /** cluster → what the live status changed, for `explain` and provenance. */
  notes: Map<string, string[]>;
}

export function overlayLiveStatus(repo: Repository, dialects: readonly Dialect[], status: LiveStatus): Overlaid {
  checkStatus(repo, status);
  const byName = new Map(status.clusters.map((c) => [c.cluster, c]));
  const notes = new Map<string, string[]>();
  const clusters = repo.clusters.map((cluster) => {
    const observed = byName.get(cluster.name);
    if (observed === undefined) return cluster;
    const overlaid = overlayOne(cluster, observed, dialects, status);
    if (overlaid.notes.length > 0) notes.set(cluster.name, overlaid.notes);
    return overlaid.cluster;
  });
  return { repo: { ...repo, clusters }, notes };
}

function overlayOne(cluster: Cluster, observed: ObservedCluster, dialects: readonly Dialect[], status: LiveStatus): { cluster: Cluster; notes: string[] } {
  for (const dialect of dialects) {
    const result = dialect.overlayLive?.(cluster, observed, status);
    if (result !== undefined) return result;
  }
  return { cluster, notes: [] };
}

/** Every status file names an inventory cluster and no time after `now`; all problems at once. */
function checkStatus(repo: Repository, status: LiveStatus): void {
  if (Number.isNaN(Date.parse(status.now))) {
    throw InputError.single({ code: 'USAGE', field: '--now', message: `"${status.now}" is not an ISO 8601 time (e.g. 2026-01-31T12:00:00Z)` });
  }
  const known = new Set(repo.clusters.map((c) => c.name));
  const problems: Problem[] = [];
  for (const observed of status.clusters) {
    const file = status.fileOf(observed.cluster);
    // An Orphaned cluster left the inventory on purpose; the reconciler still reports what it left behind.
    if (!known.has(observed.cluster) && observed.result !== 'Orphaned') {
      problems.push({ code: 'STATUS_UNKNOWN_CLUSTER', severity: 'error', file, field: 'cluster', message: `cluster "${observed.cluster}" is in the report but not in the inventory of the source` });
    }
    problems.push(...futureClockProblems(observed, status.now, file));
  }
  if (problems.length > 0) throw new InputError(problems);
}
