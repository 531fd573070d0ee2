import { renderFolder } from './source.ts';
import { printWarnings, say } from './output.ts';

/** Runs the whole pipeline (overrides can fail too) but writes nothing. */
export async function validateCommand(opts: { source: string }): Promise<number> {
  const result = await renderFolder({ source: opts.source });
  printWarnings(result.warnings);
  const templates = result.rendered.length;
  say(`valid: ${templates} templates rendered for ${result.clusters.size} clusters`);
  return 0;
}
