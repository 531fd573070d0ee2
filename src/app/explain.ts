/** The explain use case: render the folder and find the one template KIND/NAME whose decisions are to be shown. */
import { InputError } from '../errors/index.ts';
import { groupOf, describeId, type Template } from '../model/types.ts';
import type { RenderResult } from '../render/render.ts';
import type { TrafficExplanation } from '../render/traffic.ts';
import { notifyWarnings, type Notify } from './notices.ts';
import { liveStatusOf, loadSourceFolderWithCommit, renderLoaded } from './source.ts';

export interface ExplainOptions {
  target: string;
  source: string;
  namespace?: string | undefined;
  previousDir?: string | undefined;
  /** Render with this report's live status (default manifold.yaml `status`). */
  status?: string | undefined;
  now?: string | undefined;
}

export interface Explanation {
  result: RenderResult;
  /** The template explained; absent when `traffic` is. */
  template?: Template | undefined;
  /** `TrafficSplit/NAME`: the weights of one TrafficSplit. */
  traffic?: TrafficExplanation | undefined;
}

/** `trafficsplit/NAME` or `trafficsplit.manifold.dev/NAME`: a TrafficSplit, not a template. */
function trafficTarget(target: string): string | undefined {
  const slash = target.indexOf('/');
  const kind = target.slice(0, Math.max(slash, 0)).toLowerCase();
  return kind === 'trafficsplit' || kind === 'trafficsplit.manifold.dev' ? target.slice(slash + 1) : undefined;
}

/** The TrafficSplit named NAME (in `namespace`, when given). */
export function findTrafficSplit(splits: readonly TrafficExplanation[], name: string, namespace: string | undefined): TrafficExplanation {
  const candidates = splits.filter((s) => s.id.name === name && (namespace === undefined || s.id.namespace === namespace));
  if (candidates.length === 1) return candidates[0] as TrafficExplanation;
  if (candidates.length === 0) throw InputError.single({ code: 'NOT_FOUND', message: `no TrafficSplit ${name}${namespace ? ` in namespace ${namespace}` : ''} in the source` });
  throw InputError.single({ code: 'AMBIGUOUS', message: `TrafficSplit/${name} matches ${candidates.map((s) => `${s.id.namespace}/${s.id.name}`).join(', ')}; pass -n NAMESPACE` });
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
  const { repo: loaded, commit } = await loadSourceFolderWithCommit({ source: opts.source, previousDir: opts.previousDir }, true);
  const live = await liveStatusOf({ status: opts.status, now: opts.now, source: opts.source }, loaded.settings);
  const result = await renderLoaded(loaded, commit, { source: opts.source, previousDir: opts.previousDir, unschedulable: 'report', live });
  const repo = loaded;
  notifyWarnings(notify, result.warnings);
  // Generated Namespaces are not in the repository but can be explained too.
  const split = trafficTarget(opts.target);
  if (split !== undefined) return { result, traffic: findTrafficSplit(result.traffic, split, opts.namespace) };
  const templates = uniqueByKey([...repo.templates, ...result.placements.map((p) => p.template)]);
  return { result, template: findTemplate(templates, opts.target, opts.namespace) };
}

function uniqueByKey(templates: Template[]): Template[] {
  return [...new Map(templates.map((t) => [t.key, t])).values()];
}
