/** The explain use case: render the folder and find the one template KIND/NAME whose decisions are to be shown. */
import { InputError } from '../errors/index.ts';
import { groupOf, describeId, type Template } from '../model/types.ts';
import type { RenderResult } from '../render/render.ts';
import { notifyWarnings, type Notify } from './notices.ts';
import { renderFolderWithRepo } from './source.ts';

export interface ExplainOptions {
  target: string;
  source: string;
  namespace?: string | undefined;
  previousDir?: string | undefined;
}

export interface Explanation {
  result: RenderResult;
  template: Template;
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

export async function explain(opts: ExplainOptions, notify: Notify): Promise<Explanation> {
  // An unschedulable template is explained, not a failed render; so are the others around it.
  const { repo, result } = await renderFolderWithRepo({ source: opts.source, previousDir: opts.previousDir, unschedulable: 'report' });
  notifyWarnings(notify, result.warnings);
  // Generated Namespaces are not in the repository but can be explained too.
  const templates = uniqueByKey([...repo.templates, ...result.placements.map((p) => p.template)]);
  return { result, template: findTemplate(templates, opts.target, opts.namespace) };
}

function uniqueByKey(templates: Template[]): Template[] {
  return [...new Map(templates.map((t) => [t.key, t])).values()];
}
