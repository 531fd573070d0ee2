import { formatProblem, type Problem } from '../errors/index.ts';
import { redact } from '../errors/redact.ts';
import { printableLines } from '../errors/terminal.ts';
import type { Notice } from '../app/notices.ts';

export function printWarnings(warnings: readonly Problem[]): void {
  for (const w of warnings) process.stderr.write(redact(`warning: ${formatProblem(w)}\n`));
}

/**
 * A line for the user on stderr; names in it come from the user's files and
 * arguments, so controls are escaped, and messages quote servers and
 * libraries, so it goes through the one redaction function.
 */
export function say(line: string): void {
  process.stderr.write(redact(`${printableLines(line)}\n`));
}

/**
 * A use case's notice as the CLI prints it: warnings and lines on stderr,
 * a commit id on stdout (unless stdout carries a printed render).
 */
export function printNotice(notice: Notice, stdoutIsTaken = false): void {
  if (notice.kind === 'warning') printWarnings([notice.problem]);
  else if (notice.kind === 'line') say(notice.text);
  else if (!stdoutIsTaken) process.stdout.write(`${notice.id}\n`);
}
