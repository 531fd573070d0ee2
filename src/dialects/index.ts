/** Every dialect Manifold speaks. */
import type { Dialect } from '../render/types.ts';
import { federationV1Dialect } from './federation-v1/index.ts';
import { karmadaDialect } from './karmada/index.ts';
import { kubeAdmiralDialect } from './kubeadmiral/index.ts';
import { kubefedDialect } from './kubefed/index.ts';
import { workDialect } from './work/index.ts';

export { registry } from './registry.ts';

export const dialects: Dialect[] = [karmadaDialect, kubefedDialect, federationV1Dialect, kubeAdmiralDialect, workDialect];
