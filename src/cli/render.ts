import { load } from 'js-yaml';
import { treeOf, writeTreeAtomically } from '../output/folder.ts';
import { renderFolder } from './source.ts';
import { printWarnings } from './output.ts';

export interface RenderCommandOptions {
  source: string;
  outDir?: string | undefined;
  format?: 'yaml' | 'json' | undefined;
  previousDir?: string | undefined;
}

export async function renderCommand(opts: RenderCommandOptions): Promise<number> {
  const outDir = opts.outDir ?? (opts.format === undefined ? 'rendered' : undefined);
  const result = await renderFolder({ source: opts.source, outDir, previousDir: opts.previousDir });
  printWarnings(result.warnings);
  if (opts.format === 'yaml') {
    for (const [cluster, files] of result.clusters) {
      for (const [file, content] of files) process.stdout.write(`---\n# Source: ${cluster}/${file}\n${content}`);
    }
    return 0;
  }
  if (opts.format === 'json') {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [cluster, files] of result.clusters) {
      out[cluster] = Object.fromEntries([...files].map(([file, content]) => [file, load(content)]));
    }
    process.stdout.write(`${JSON.stringify({ clusters: out }, null, 2)}\n`);
    return 0;
  }
  const tree = treeOf(result.clusters, result.provenance);
  await writeTreeAtomically(outDir as string, tree);
  const objects = [...result.clusters.values()].reduce((n, files) => n + files.size, 0);
  process.stderr.write(`rendered ${objects} objects for ${result.clusters.size} clusters into ${outDir}\n`);
  return 0;
}
