/**
 * `manifold diff`: the diff use case (src/app/diff.ts) as text, markdown or
 * JSON. Exit codes follow `kubectl diff`: 0 no change, 1 changes, 2 invalid
 * input (ecosystem-notes.md §6).
 */
import { formatJson, formatMarkdown, formatText } from '../git/diff.ts';
import { diff, type DiffOptions } from '../app/diff.ts';
import { printNotice } from './output.ts';

export type DiffFormat = 'text' | 'markdown' | 'json';

export interface DiffCommandOptions extends DiffOptions {
  format?: DiffFormat | undefined;
}

export function useColor(): boolean {
  return process.stdout.isTTY === true && (process.env.NO_COLOR === undefined || process.env.NO_COLOR === '');
}

export async function diffCommand(options: DiffCommandOptions): Promise<number> {
  const diffs = await diff(options, (notice) => printNotice(notice));
  const format = options.format ?? 'text';
  const out = format === 'json' ? formatJson(diffs) : format === 'markdown' ? formatMarkdown(diffs) : formatText(diffs, { color: useColor() });
  process.stdout.write(out);
  return diffs.length === 0 ? 0 : 1;
}
