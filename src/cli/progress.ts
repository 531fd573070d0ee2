/**
 * The progress line: on a terminal, one line on stderr that says where a
 * long run is (step, objects, clusters, elapsed) and is rewritten in place.
 * Shown only once the run has lasted `delayMs` (a quick command prints
 * nothing extra), never on a pipe or file, never with --quiet, never on
 * stdout (which may carry `-o yaml|json` or a summary). Other stderr output
 * goes through `write`, which clears the line first (it is drawn again at
 * the next tick or step), so the two never mix; `stop` leaves the terminal
 * as it was.
 *
 * Hand-written rather than a library: it is a carriage return and one ANSI
 * "erase to end of line" (ECMA-48 EL, `ESC [ K`), which every terminal
 * emulator Node supports understands; the progress libraries on npm bring
 * bars, spinners and multi-line rendering that this does not need.
 */
import type { Progress } from '../app/notices.ts';

/** The part of a stream the line uses (process.stderr; tests pass their own). */
export interface ProgressStream {
  isTTY?: boolean | undefined;
  columns?: number | undefined;
  write(text: string): unknown;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** --quiet: never draw. */
  quiet?: boolean | undefined;
  /** Run time before the line first appears (default 2 s). */
  delayMs?: number | undefined;
  /** Clock, for tests; performance.now by default. */
  now?: (() => number) | undefined;
  /** $TERM; `dumb` (Emacs shells, some CI consoles) cannot erase a line, so nothing is drawn. */
  term?: string | undefined;
}

export interface ProgressLine {
  /** The run entered a step (a `progress` notice). */
  update(progress: Progress): void;
  /** Text for stderr (whole lines): written with the progress line out of the way. */
  write(text: string): void;
  /** Clears the line for good; the run is over. */
  stop(): void;
}

export const PROGRESS_DELAY_MS = 2000;
/** How often the elapsed time is redrawn while the event loop is free (I/O: push, reconcile). */
const TICK_MS = 500;
const CLEAR = '\r\x1b[K';

/** The line's text: `pushing · 169,702 objects · 300 clusters · 12 s`. */
export function progressText(p: Progress, elapsedMs: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const parts: string[] = [STEP_LABELS[p.step]];
  if (p.templates !== undefined) parts.push(`${n(p.templates)} templates`);
  if (p.objects !== undefined) parts.push(`${n(p.objects)} objects`);
  if (p.clusters !== undefined) parts.push(p.clustersDone === undefined ? `${n(p.clusters)} clusters` : `${n(p.clustersDone)} of ${n(p.clusters)} clusters done`);
  parts.push(`${Math.floor(elapsedMs / 1000)} s`);
  return parts.join(' · ');
}

const STEP_LABELS: Record<Progress['step'], string> = {
  render: 'rendering',
  write: 'writing the folder',
  commit: 'committing',
  push: 'pushing',
  reconcile: 'reconciling',
};

export function progressLine(options: ProgressOptions): ProgressLine {
  const { stream } = options;
  const now = options.now ?? (() => performance.now());
  const start = now();
  const delayMs = options.delayMs ?? PROGRESS_DELAY_MS;
  const term = 'term' in options ? options.term : process.env.TERM;
  const enabled = stream.isTTY === true && options.quiet !== true && term !== 'dumb';
  let current: Progress | undefined;
  let shown = false;
  let stopped = false;
  const draw = () => {
    if (!enabled || stopped || current === undefined || now() - start < delayMs) return;
    // A pseudo-terminal may report 0 columns: then assume the classic 80.
    const width = (stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80) - 1;
    stream.write(`${CLEAR}${progressText(current, now() - start).slice(0, width)}`);
    shown = true;
  };
  const clear = () => {
    if (shown) stream.write(CLEAR);
    shown = false;
  };
  // unref: the line never keeps the process alive.
  const timer = enabled ? setInterval(draw, TICK_MS).unref() : undefined;
  return {
    update(progress) {
      current = progress;
      draw();
    },
    write(text) {
      clear();
      stream.write(text);
      // Drawn again at the next tick or step, not at once: the last lines of a run are not followed by a line that is cleared right away.
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      clear();
    },
  };
}
