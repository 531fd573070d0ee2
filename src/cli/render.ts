import { load } from 'js-yaml';
import { treeOf, writeTreeAtomically } from '../output/folder.ts';
import { renderFolder } from './source.ts';
import { printWarnings } from './output.ts';
import { DEFAULT_BRANCH, publishRender } from '../git/publish.ts';
import { previousFromBranch } from '../git/previous.ts';
import { openRepository } from '../git/repo.ts';
import type { PreviousRender } from '../render/types.ts';
import { TOKEN_ENV } from '../git/remote.ts';
import { MANIFOLD_VERSION } from '../version.ts';

export interface RenderCommandOptions {
  source: string;
  outDir?: string | undefined;
  format?: 'yaml' | 'json' | undefined;
  previousDir?: string | undefined;
  /** Read the source from this commit instead of the working folder. */
  sourceRef?: string | undefined;
  /** Commit the tree to `branch` of the repository at `repoDir` (default: the one holding SOURCE). */
  commit?: boolean | undefined;
  branch?: string | undefined;
  prefix?: string | undefined;
  repoDir?: string | undefined;
  /** Push the commit to this remote (implies commit); token from MANIFOLD_GIT_TOKEN. */
  push?: string | undefined;
}

async function previousFromOutputBranch(opts: RenderCommandOptions): Promise<PreviousRender | undefined> {
  const repo = openRepository(opts.repoDir ?? opts.source);
  try {
    return await previousFromBranch(repo, opts.branch ?? DEFAULT_BRANCH, opts.prefix ?? '');
  } finally {
    repo.objects.close();
  }
}

export async function renderCommand(opts: RenderCommandOptions): Promise<number> {
  const publishing = opts.commit === true || opts.push !== undefined;
  const outDir = opts.outDir ?? (opts.format === undefined && !publishing ? 'rendered' : undefined);
  // Committing: the branch's current tree is the previous render (stable placements), unless --previous says otherwise.
  const previous = publishing && opts.previousDir === undefined ? await previousFromOutputBranch(opts) : undefined;
  const result = await renderFolder({ source: opts.source, outDir, previousDir: opts.previousDir, previous, sourceRef: opts.sourceRef });
  printWarnings(result.warnings);
  if (publishing) {
    const report = await publishRender(result.clusters, result.provenance, {
      repoDir: opts.repoDir ?? opts.source,
      branch: opts.branch,
      prefix: opts.prefix,
      push: opts.push,
      token: process.env[TOKEN_ENV],
      sourceCommit: result.provenance.source.commit,
      manifoldVersion: MANIFOLD_VERSION,
    }, result.rendered.flatMap((r) => r.variants));
    for (const line of report.lines) process.stderr.write(`${line}\n`);
    if (report.result.commit !== undefined && opts.format === undefined) process.stdout.write(`${report.result.commit}\n`);
    if (opts.outDir === undefined && opts.format === undefined) return 0;
  }
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
