/** The validate use case: the whole pipeline (overrides can fail too), nothing written. */
import { reportRender, type Notify } from './notices.ts';
import { renderFolderWithRepo } from './source.ts';

export interface ValidateOptions {
  source: string;
  strict?: boolean | undefined;
  unschedulable?: 'fail' | 'report' | undefined;
}

export interface Validation {
  /** Templates rendered (placed by some dialect). */
  templates: number;
  clusters: number;
}

/** Throws the problems of an invalid source (InputError); returns what a valid one renders. */
export async function validate(opts: ValidateOptions, notify: Notify): Promise<Validation> {
  const { repo, result } = await renderFolderWithRepo({ source: opts.source, unschedulable: opts.unschedulable });
  reportRender(notify, result, repo, opts.strict);
  return { templates: result.rendered.length, clusters: result.clusters.size };
}
