import { formatProblem, type Problem } from '../errors/index.ts';
import { printableLines } from '../errors/terminal.ts';

export function printWarnings(warnings: readonly Problem[]): void {
  for (const w of warnings) process.stderr.write(`warning: ${formatProblem(w)}\n`);
}

/** A line for the user on stderr; names in it come from the user's files and arguments, so controls are escaped. */
export function say(line: string): void {
  process.stderr.write(`${printableLines(line)}\n`);
}
