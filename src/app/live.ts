/**
 * `--status REF|DIR` for the use cases that render with live status (render,
 * explain, failover): the report read through load/status.ts, and the
 * decision time: the report commit's time, or `--now` (required for a
 * folder, which has no time of its own).
 */
import path from 'node:path';
import { InputError } from '../errors/index.ts';
import { openRepository } from '../git/repo.ts';
import { readStatusSnapshot, type StatusSnapshot } from '../load/status.ts';
import { isoTime, type FailoverClock, type LiveStatus } from '../model/live.ts';
import type { ProjectSettingsSpec } from '../model/settings.ts';
import { STATUS_DIR } from '../reconcile/report.ts';

export interface LiveStatusOptions {
  /** `--status`; default manifold.yaml `status`. */
  status?: string | undefined;
  /** `--now`: ISO 8601 decision time; default the report commit's time. */
  now?: string | undefined;
  /** The source folder: a relative folder and (without repoDir) the repository of a REF are looked up from here. */
  source: string;
  /** Resolve a REF in this repository (e.g. the one holding the rendered and report branches). */
  repoDir?: string | undefined;
}

async function readSnapshot(spec: string, opts: LiveStatusOptions): Promise<StatusSnapshot> {
  if (opts.repoDir === undefined) return readStatusSnapshot(spec, { cwd: path.resolve(opts.source) });
  const repo = openRepository(opts.repoDir);
  try {
    return await readStatusSnapshot(spec, { cwd: path.resolve(opts.source), repo });
  } finally {
    repo.objects.close();
  }
}

/** The live status to render with, or undefined when neither --status nor manifold.yaml names a report. */
export async function readLiveStatus(opts: LiveStatusOptions, settings: ProjectSettingsSpec, failover?: FailoverClock): Promise<LiveStatus | undefined> {
  const spec = opts.status ?? settings.status;
  if (spec === undefined) {
    if (opts.now !== undefined) throw InputError.single({ code: 'USAGE', field: '--now', message: 'only means something with --status (or manifold.yaml status)' });
    return undefined;
  }
  const snapshot = await readSnapshot(spec, opts);
  const now = opts.now ?? (snapshot.origin.kind === 'commit' ? snapshot.origin.time : undefined);
  if (now === undefined) {
    throw InputError.single({ code: 'USAGE', field: '--now', message: `the report ${spec} is a folder, which has no commit time to decide by: pass --now TIME (ISO 8601)` });
  }
  if (Number.isNaN(Date.parse(now))) throw InputError.single({ code: 'USAGE', field: '--now', message: `"${now}" is not an ISO 8601 time (e.g. 2026-01-31T12:00:00Z)` });
  const origin = snapshot.origin;
  const where = origin.kind === 'commit' ? `${origin.spec}:` : `${spec}/`;
  return {
    commit: origin.kind === 'commit' ? origin.commit : undefined,
    now: isoTime(Date.parse(now)),
    clusters: snapshot.clusters,
    failover,
    fileOf: (cluster) => `${where}${STATUS_DIR}/${cluster}.json`,
  };
}
