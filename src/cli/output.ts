import { formatProblem, type Problem } from '../errors/index.ts';
import { redact } from '../errors/redact.ts';
import { printableLines } from '../errors/terminal.ts';
import type { Notice } from '../app/notices.ts';
import { PROGRESS_DELAY_MS, progressLine, type ProgressLine } from './progress.ts';

/** The progress line of the running command (withProgress), through which stderr text goes meanwhile. */
let activeLine: ProgressLine | undefined;
let progressSettings = { quiet: false, delayMs: PROGRESS_DELAY_MS };

/** Set once from the global options (`--quiet`) before a command runs. */
export function configureProgress(settings: { quiet?: boolean | undefined; delayMs?: number | undefined }): void {
  progressSettings = { quiet: settings.quiet ?? false, delayMs: settings.delayMs ?? PROGRESS_DELAY_MS };
}

/**
 * Runs a command with a progress line on stderr when stderr is a terminal
 * (cli/progress.ts decides whether it is ever drawn); the line is gone when
 * the command ends, before its error or summary is printed.
 */
export async function withProgress<T>(run: () => Promise<T>): Promise<T> {
  const line = progressLine({ stream: process.stderr, ...progressSettings });
  activeLine = line;
  try {
    return await run();
  } finally {
    line.stop();
    activeLine = undefined;
  }
}

/** Text for stderr, written around the progress line when one is up. */
export function writeStderr(text: string): void {
  if (activeLine !== undefined) activeLine.write(text);
  else process.stderr.write(text);
}

export function printWarnings(warnings: readonly Problem[]): void {
  for (const w of warnings) writeStderr(redact(`warning: ${formatProblem(w)}\n`));
}

/**
 * A line for the user on stderr; names in it come from the user's files and
 * arguments, so controls are escaped, and messages quote servers and
 * libraries, so it goes through the one redaction function.
 */
export function say(line: string): void {
  writeStderr(redact(`${printableLines(line)}\n`));
}

/**
 * A use case's notice as the CLI prints it: warnings and lines on stderr,
 * a commit id on stdout (unless stdout carries a printed render), progress
 * on the progress line (stderr, terminals only).
 */
export function printNotice(notice: Notice, stdoutIsTaken = false): void {
  if (notice.kind === 'warning') printWarnings([notice.problem]);
  else if (notice.kind === 'line') say(notice.text);
  else if (notice.kind === 'progress') activeLine?.update(notice);
  else if (!stdoutIsTaken) process.stdout.write(`${notice.id}\n`);
}
