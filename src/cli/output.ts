import { formatProblem, strictError, type Problem } from '../errors/index.ts';
import { redact } from '../errors/redact.ts';
import { printableLines } from '../errors/terminal.ts';
import type { Repository } from '../load/repository.ts';
import type { RenderResult } from '../render/render.ts';

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

/** `--strict` (or manifold.yaml `strict: true`): throws the warnings that explain an empty or partial render. */
export function checkStrict(result: Pick<RenderResult, 'warnings'>, repo: Repository, strictFlag: boolean | undefined): void {
  if (!(strictFlag ?? repo.settings.strict ?? false)) return;
  const error = strictError(result.warnings);
  if (error !== undefined) throw error;
}

/** The stderr summary of templates left out as unschedulable (`--unschedulable report`). */
export function printUnschedulable(result: Pick<RenderResult, 'unschedulable'>): void {
  if (result.unschedulable.length === 0) return;
  say(`${result.unschedulable.length} template${result.unschedulable.length === 1 ? '' : 's'} not rendered: Scheduled=False`);
  for (const u of result.unschedulable) say(`  ${u.template} (${u.file}:${u.line}): ${u.reason}`);
}
