/** The document kinds every dialect accepts (no scheduling code: cheap to import). */
import type { DialectRegistry } from '../load/repository.ts';
import { federationV1Groups, federationV1Kinds } from './federation-v1/kinds.ts';
import { karmadaGroups, karmadaKinds } from './karmada/kinds.ts';
import { kubefedGroups, kubefedKinds } from './kubefed/kinds.ts';
import { kubeAdmiralGroups, kubeAdmiralKinds } from './kubeadmiral/kinds.ts';
import { workGroups, workKinds } from './work/kinds.ts';
import { TRAFFIC_API, TRAFFIC_KIND, TrafficSplit } from '../model/traffic.ts';
import { ROLLOUT_API, ROLLOUT_KIND, RolloutPolicySchema } from '../model/rollout.ts';

/** Manifold's own kinds besides manifold.yaml (which is read before the source is listed). */
const manifoldKinds = [
  { apiVersion: TRAFFIC_API, kind: TRAFFIC_KIND, title: 'manifold-trafficsplit', schema: TrafficSplit },
  { apiVersion: ROLLOUT_API, kind: ROLLOUT_KIND, title: 'manifold-rolloutpolicy', schema: RolloutPolicySchema },
];

export const registry: DialectRegistry = {
  kinds: [...karmadaKinds, ...kubefedKinds, ...kubeAdmiralKinds, ...workKinds, ...federationV1Kinds, ...manifoldKinds],
  reservedGroups: new Set(['manifold.dev', ...karmadaGroups, ...kubefedGroups, ...kubeAdmiralGroups, ...workGroups, ...federationV1Groups]),
};
