/**
 * Hand-written reports (`clusters/<name>.json` as the reconciler writes
 * them) for tests of live-status features: a folder, or a commit on a
 * branch of a real git repository made with git itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ClusterStatus, LiveState } from '../../src/reconcile/types.ts';

export type Readiness = 'True' | 'False' | 'Unknown';

export interface ClusterReport {
  ready: Readiness;
  /** lastTransitionTime of Ready. */
  since: string;
  /** Free capacity as allocatable (allocated is 0), e.g. { cpu: '2', memory: '4Gi', pods: '110' }. */
  allocatable?: Record<string, string>;
  allocated?: Record<string, string>;
  observedAt?: string;
}

const REASONS: Record<Readiness, string> = { True: 'ClusterReady', False: 'ClusterNotReady', Unknown: 'ClusterNotReachable' };

export function clusterStatus(name: string, r: ClusterReport): ClusterStatus {
  const observedAt = r.observedAt ?? r.since;
  const live: LiveState = {
    observedAt,
    conditions: [{ type: 'Ready', status: r.ready, reason: REASONS[r.ready], message: r.ready === 'True' ? 'cluster is healthy and ready to accept workloads' : 'cluster is not reachable', lastTransitionTime: r.since }],
    ...(r.allocatable !== undefined ? { resourceSummary: { allocatable: r.allocatable, ...(r.allocated ? { allocated: r.allocated } : {}) } } : {}),
  };
  return {
    cluster: name,
    renderedCommit: '0000000000000000000000000000000000000000',
    result: r.ready === 'Unknown' ? 'Unreachable' : 'Synced',
    startedAt: observedAt,
    finishedAt: observedAt,
    durationMs: 0,
    summary: { objects: 0, applied: 0, unchanged: 0, pruned: 0, failed: 0, drifted: 0, unhealthy: 0 },
    conditions: [],
    objects: [],
    live,
  };
}

/** Writes a report folder; returns its path. */
export function writeReport(dir: string, clusters: Record<string, ClusterReport | ClusterStatus>): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'clusters'), { recursive: true });
  for (const [name, c] of Object.entries(clusters)) {
    const status = 'cluster' in c ? c : clusterStatus(name, c);
    writeFileSync(path.join(dir, 'clusters', `${name}.json`), `${JSON.stringify(status, null, 2)}\n`);
  }
  return dir;
}

/**
 * Commits a report to `branch` of the repository at `repo` with git itself
 * (a temporary index, no checkout), committer time `time`; returns the commit.
 */
export function commitReport(repo: string, branch: string, time: string, clusters: Record<string, ClusterReport | ClusterStatus>): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'manifold-report-'));
  try {
    writeReport(folder, clusters);
    const env = {
      ...process.env,
      GIT_INDEX_FILE: path.join(folder, '.index'),
      GIT_AUTHOR_NAME: 'reconciler',
      GIT_AUTHOR_EMAIL: 'r@localhost',
      GIT_COMMITTER_NAME: 'reconciler',
      GIT_COMMITTER_EMAIL: 'r@localhost',
      GIT_AUTHOR_DATE: time,
      GIT_COMMITTER_DATE: time,
    };
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env, encoding: 'utf8' }).trim();
    git('--work-tree', folder, 'add', 'clusters');
    const tree = git('write-tree');
    const parent = tryRev(repo, branch);
    const commit = git('commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', 'manifold: status');
    git('update-ref', `refs/heads/${branch}`, commit);
    return commit;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function tryRev(repo: string, ref: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--verify', '-q', `refs/heads/${ref}`], { cwd: repo, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}
