/** Every dialect Manifold speaks. */
import type { Dialect } from '../render/types.ts';
import { karmadaDialect } from './karmada/index.ts';

export { registry } from './registry.ts';

export const dialects: Dialect[] = [karmadaDialect];
