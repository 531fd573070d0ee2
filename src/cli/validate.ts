import { renderFolderWithRepo } from '../app/source.ts';
import { checkStrict, printUnschedulable, printWarnings, say } from './output.ts';

/** Runs the whole pipeline (overrides can fail too) but writes nothing. */
export async function validateCommand(opts: { source: string; strict?: boolean | undefined; unschedulable?: 'fail' | 'report' | undefined }): Promise<number> {
  const { repo, result } = await renderFolderWithRepo({ source: opts.source, unschedulable: opts.unschedulable });
  printWarnings(result.warnings);
  checkStrict(result, repo, opts.strict);
  printUnschedulable(result);
  const templates = result.rendered.length;
  say(`valid: ${templates} templates rendered for ${result.clusters.size} clusters`);
  return 0;
}
