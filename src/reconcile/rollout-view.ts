/**
 * Rollout waves for the fleet view (issue 15's `rollouts/<policy>.json`
 * state files on the report branch, written by the reconciler with each
 * report: src/app/rollout.ts stateFileContent). Read here as plain JSON with
 * the few fields the status table and page show, so a state file this
 * version does not understand is skipped, never fatal: the page and
 * `manifold status` still show the rest.
 */
import type { RolloutCell, RolloutSummary } from './fleet-view.ts';

interface StateShape {
  policy?: unknown;
  target?: unknown;
  state?: unknown;
  reason?: unknown;
  waves?: unknown;
  clusters?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The rollouts in state files (path → text): one summary per policy, and each cluster's wave and gate. */
export function rolloutsFromStateFiles(files: ReadonlyMap<string, string>): { summaries: RolloutSummary[]; cells: Map<string, RolloutCell> } {
  const summaries: RolloutSummary[] = [];
  const cells = new Map<string, RolloutCell>();
  for (const [file, text] of [...files].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    let state: StateShape;
    try {
      state = JSON.parse(text) as StateShape;
    } catch {
      continue;
    }
    const policy = str(state?.policy);
    if (policy === undefined) continue;
    const waves = Array.isArray(state.waves) ? (state.waves as Array<Record<string, unknown>>) : [];
    summaries.push({
      policy,
      file,
      state: str(state.state) ?? 'Unknown',
      reason: str(state.reason) ?? '',
      ...(str(state.target) === undefined ? {} : { target: str(state.target) }),
      waves: waves.map((w) => ({ name: str(w.name) ?? '?', state: str(w.state) ?? 'Unknown', reason: str(w.reason) ?? '' })),
    });
    for (const c of Array.isArray(state.clusters) ? (state.clusters as Array<Record<string, unknown>>) : []) {
      const cluster = str(c.cluster);
      if (cluster === undefined) continue;
      cells.set(cluster, { wave: str(c.wave) ?? '?', gate: str(c.gate) ?? 'open', reason: str(c.reason) ?? '' });
    }
  }
  return { summaries, cells };
}

/** The state files among a report's paths: rollouts/<policy>.json, not the controls files. */
export function isRolloutStateFile(relPath: string): boolean {
  return /^rollouts\/[^/]+\.json$/.test(relPath) && !relPath.endsWith('.controls.json');
}
