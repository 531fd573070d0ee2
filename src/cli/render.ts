/** `manifold render`: the render use case (src/app/render.ts), its notices printed, its tree printed with -o. */
import { TOKEN_ENV } from '../git/names.ts';
import { render, type RenderOptions } from '../app/render.ts';
import { printNotice, withProgress } from './output.ts';

export interface RenderCommandOptions extends Omit<RenderOptions, 'print' | 'token'> {
  /** Print the render on stdout in this format instead of writing a folder. */
  format?: 'yaml' | 'json' | undefined;
}

export async function renderCommand(opts: RenderCommandOptions): Promise<number> {
  const { format, ...rest } = opts;
  const outcome = await withProgress(() => render({ ...rest, print: format !== undefined, token: process.env[TOKEN_ENV] }, (notice) => printNotice(notice, format !== undefined)));
  if (outcome.printed !== undefined) await printTree(outcome.printed, format ?? 'yaml');
  return 0;
}

async function printTree(clusters: ReadonlyMap<string, ReadonlyMap<string, string>>, format: 'yaml' | 'json'): Promise<void> {
  if (format === 'yaml') {
    for (const [cluster, files] of clusters) {
      for (const [file, content] of files) process.stdout.write(`---\n# Source: ${cluster}/${file}\n${content}`);
    }
    return;
  }
  const { load: parseYaml } = await import('js-yaml');
  const out: Record<string, Record<string, unknown>> = {};
  for (const [cluster, files] of clusters) {
    out[cluster] = Object.fromEntries([...files].map(([file, content]) => [file, parseYaml(content)]));
  }
  process.stdout.write(`${JSON.stringify({ clusters: out }, null, 2)}\n`);
}
