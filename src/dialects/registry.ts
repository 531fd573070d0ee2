/** The document kinds every dialect accepts (no scheduling code: cheap to import). */
import type { DialectRegistry } from '../load/repository.ts';
import { karmadaGroups, karmadaKinds } from './karmada/kinds.ts';

export const registry: DialectRegistry = {
  kinds: [...karmadaKinds],
  reservedGroups: new Set(['manifold.dev', ...karmadaGroups]),
};
