/** `manifold explain KIND/NAME`: every decision behind one template's placement. */
import { InputError } from '../errors/index.ts';
import { groupOf, describeId, type Template } from '../model/types.ts';
import type { RenderResult } from '../render/render.ts';
import { printWarnings } from './output.ts';
import { renderFolderWithRepo } from '../app/source.ts';

export interface ExplainOptions {
  target: string;
  source: string;
  namespace?: string | undefined;
  previousDir?: string | undefined;
}

/** Finds the template named by KIND/NAME (kind case-insensitive, optionally KIND.group). */
export function findTemplate(templates: readonly Template[], target: string, namespace: string | undefined): Template {
  const slash = target.indexOf('/');
  if (slash <= 0 || slash === target.length - 1) {
    throw InputError.single({ code: 'USAGE', field: 'KIND/NAME', message: `expected KIND/NAME, e.g. deployment/nginx, got "${target}"` });
  }
  const kindPart = target.slice(0, slash).toLowerCase();
  const name = target.slice(slash + 1);
  const [kind, ...groupParts] = kindPart.split('.');
  const group = groupParts.join('.');
  const candidates = templates.filter(
    (t) =>
      t.id.name === name &&
      t.id.kind.toLowerCase() === kind &&
      (group === '' || groupOf(t.id.apiVersion) === group) &&
      (namespace === undefined || t.id.namespace === namespace),
  );
  if (candidates.length === 1) return candidates[0] as Template;
  if (candidates.length === 0) {
    throw InputError.single({ code: 'NOT_FOUND', message: `no template ${target}${namespace ? ` in namespace ${namespace}` : ''} in the source` });
  }
  throw InputError.single({
    code: 'AMBIGUOUS',
    message: `${target} matches ${candidates.map((t) => describeId(t.id)).join(', ')}; pass -n NAMESPACE or KIND.group`,
  });
}

export function formatExplanation(result: RenderResult, template: Template): string {
  const lines: string[] = [`${describeId(template.id)}  (${template.source.file}:${template.source.line})`];
  const placement = result.placements.find((p) => p.template.key === template.key);
  const unschedulable = result.unschedulable.find((u) => u.key === template.key);
  if (unschedulable !== undefined) {
    lines.push('', 'Not rendered: Scheduled=False (unschedulable)', `  ${unschedulable.reason}`);
    return `${lines.join('\n')}\n`;
  }
  if (placement === undefined) {
    lines.push('', 'Not rendered: no policy of any dialect claims this template.');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`dialect: ${placement.dialect}`);
  for (const section of placement.explain) {
    lines.push('', `${section.title}:`, ...section.lines.map((l) => `  ${l}`));
  }
  const rendered = result.rendered.find((r) => r.template.key === template.key);
  lines.push('', 'Result per cluster:');
  for (const v of rendered?.variants ?? []) {
    const overrides = v.overrides.length ? v.overrides.join('; ') : 'no overrides';
    lines.push(`  ${v.clusters.join(', ')}: ${v.path} (sha256 ${v.sha256.slice(0, 12)}) — ${overrides}`);
  }
  if ((rendered?.variants.length ?? 0) === 0) lines.push('  (no cluster receives this template)');
  return `${lines.join('\n')}\n`;
}

export async function explainCommand(opts: ExplainOptions): Promise<number> {
  // An unschedulable template is explained, not a failed render; so are the others around it.
  const { repo, result } = await renderFolderWithRepo({ source: opts.source, previousDir: opts.previousDir, unschedulable: 'report' });
  printWarnings(result.warnings);
  // Generated Namespaces are not in the repository but can be explained too.
  const templates = uniqueByKey([...repo.templates, ...result.placements.map((p) => p.template)]);
  const template = findTemplate(templates, opts.target, opts.namespace);
  process.stdout.write(formatExplanation(result, template));
  return 0;
}

function uniqueByKey(templates: Template[]): Template[] {
  return [...new Map(templates.map((t) => [t.key, t])).values()];
}
