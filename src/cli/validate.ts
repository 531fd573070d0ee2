/** `manifold validate`: the validate use case (src/app/validate.ts); exit 0 when valid, 2 (thrown InputError) when not. */
import { validate, type ValidateOptions } from '../app/validate.ts';
import { printNotice, say } from './output.ts';

export async function validateCommand(opts: ValidateOptions): Promise<number> {
  const { templates, clusters } = await validate(opts, (notice) => printNotice(notice));
  say(`valid: ${templates} templates rendered for ${clusters} clusters`);
  return 0;
}
