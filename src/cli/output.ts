import { formatProblem, type Problem } from '../errors/index.ts';

export function printWarnings(warnings: readonly Problem[]): void {
  for (const w of warnings) process.stderr.write(`warning: ${formatProblem(w)}\n`);
}
