/**
 * What a use case tells its user while it runs, as data: the front door
 * decides how it reaches the user (the CLI prints warnings and lines on
 * stderr and commit ids on stdout; the Action logs them). Notices are
 * handed over as they happen, not collected in the result, so that the
 * warnings before a failure (e.g. --strict) still reach the user in order.
 */
import { strictError, type Problem } from '../errors/index.ts';
import type { Repository } from '../load/repository.ts';
import type { RenderResult } from '../render/render.ts';

export type Notice =
  /** A warning of the render (a problem that does not stop it). */
  | { kind: 'warning'; problem: Problem }
  /** A line for the user: progress, a summary, a report of what was published. */
  | { kind: 'line'; text: string }
  /** The commit the rendered branch points at now (committed, or found unchanged). */
  | { kind: 'commit'; id: string }
  /**
   * Where a long run is: the step it entered, with what it knows of its size.
   * A front door may show it on a terminal (the CLI: one line on stderr,
   * cli/progress.ts) or ignore it; it never carries anything else.
   */
  | ({ kind: 'progress' } & Progress);

/** A step of a run and its size, as far as known when the step starts. */
export interface Progress {
  step: 'render' | 'write' | 'commit' | 'push' | 'reconcile';
  templates?: number | undefined;
  /** Rendered objects (files) in all clusters. */
  objects?: number | undefined;
  clusters?: number | undefined;
  /** reconcile: clusters finished so far, of `clusters`. */
  clustersDone?: number | undefined;
}

export type Notify = (notice: Notice) => void;

/** Hands each warning over, in order. */
export function notifyWarnings(notify: Notify, warnings: readonly Problem[]): void {
  for (const problem of warnings) notify({ kind: 'warning', problem });
}

/** `--strict` (or manifold.yaml `strict: true`): throws the warnings that explain an empty or partial render. */
function checkStrict(result: Pick<RenderResult, 'warnings'>, repo: Repository, strictFlag: boolean | undefined): void {
  if (!(strictFlag ?? repo.settings.strict ?? false)) return;
  const error = strictError(result.warnings);
  if (error !== undefined) throw error;
}

/**
 * What every rendering use case reports once the render is done, in this
 * order: its warnings, then `--strict` (which throws on them), then the
 * unschedulable templates left out.
 */
export function reportRender(notify: Notify, result: Pick<RenderResult, 'warnings' | 'unschedulable'>, repo: Repository, strictFlag: boolean | undefined): void {
  notifyWarnings(notify, result.warnings);
  checkStrict(result, repo, strictFlag);
  notifyUnschedulable(notify, result);
}

/** The summary of templates left out as unschedulable (`--unschedulable report`). */
function notifyUnschedulable(notify: Notify, result: Pick<RenderResult, 'unschedulable'>): void {
  if (result.unschedulable.length === 0) return;
  notify({ kind: 'line', text: `${result.unschedulable.length} template${result.unschedulable.length === 1 ? '' : 's'} not rendered: Scheduled=False` });
  for (const u of result.unschedulable) notify({ kind: 'line', text: `  ${u.template} (${u.file}:${u.line}): ${u.reason}` });
}
