/**
 * Which source types KubeAdmiral federates and how, from its
 * FederatedTypeConfigs (core.kubeadmiral.io/v1alpha1,
 * pkg/apis/core/v1alpha1/types_federatedtypeconfig.go):
 *
 * - the federate controller only turns objects of an FTC's sourceType into
 *   federated objects: a kind without an FTC is not propagated at all;
 * - `controllers` are the steps that run before propagation: without
 *   `kubeadmiral.io/global-scheduler` nothing places the object, without
 *   `kubeadmiral.io/nsautoprop-controller` namespaces are not
 *   auto-propagated, without `kubeadmiral.io/overridepolicy-controller`
 *   override policies are not applied;
 * - `pathDefinition.replicasSpec` is the field Divide reads and writes; a
 *   type without one is scheduled as Duplicate.
 *
 * A source without FTCs keeps Manifold's built-in behaviour (every kind
 * federated, the workload kinds' spec.replicas divided).
 */
import type { Parsed } from '../../load/repository.ts';
import { groupOf, type Template } from '../../model/types.ts';
import type { FederatedTypeConfig } from './schema.ts';

export const GLOBAL_SCHEDULER = 'kubeadmiral.io/global-scheduler';
export const NSAUTOPROP_CONTROLLER = 'kubeadmiral.io/nsautoprop-controller';
export const OVERRIDE_CONTROLLER = 'kubeadmiral.io/overridepolicy-controller';

export interface FederatedType {
  /** `FederatedTypeConfig <name> (file:line)`, for explain and warnings. */
  origin: string;
  version: string;
  controllers: ReadonlySet<string>;
  /** Dot path of the replicas field (pathDefinition.replicasSpec), if any. */
  replicasSpec?: string | undefined;
}

export class FederatedTypes {
  private readonly byGroupKind = new Map<string, FederatedType>();
  /** The source brings FederatedTypeConfigs: only their types are federated. */
  readonly configured: boolean;

  constructor(configs: readonly Parsed<FederatedTypeConfig>[]) {
    this.configured = configs.length > 0;
    for (const p of configs) {
      const { sourceType, controllers, pathDefinition } = p.value.spec;
      this.byGroupKind.set(`${sourceType.group ?? ''}/${sourceType.kind}`, {
        origin: `FederatedTypeConfig ${p.value.metadata.name} (${p.source.file}:${p.source.line})`,
        version: sourceType.version,
        controllers: new Set((controllers ?? []).flat()),
        replicasSpec: pathDefinition?.replicasSpec || undefined,
      });
    }
  }

  /** The FTC of a template's group and kind; undefined when the source has FTCs and none is for it (or has none). */
  of(template: Template): FederatedType | undefined {
    return this.byGroupKind.get(`${groupOf(template.id.apiVersion)}/${template.id.kind}`);
  }
}
