/**
 * Which Kubernetes type a `Federated<Kind>` produces in member clusters.
 *
 * KubeFed learns this from FederatedTypeConfigs only
 * (pkg/apis/core/v1beta1/federatedtypeconfig_types.go): a Federated kind with
 * no FTC has no sync controller, and nothing propagates. So:
 *
 * - a source with FederatedTypeConfigs gets exactly those; a Federated kind
 *   without one is not rendered, with a warning (TYPE_NOT_FEDERATED);
 * - a source without any gets KubeFed's default type configs, the ones its
 *   Helm chart installs (charts/kubefed/templates/federatedtypeconfig.yaml,
 *   the same as config/enabletypedirectives/*.yaml), and for other standard
 *   kinds what `kubefedctl enable <kind>` yields against a current API server
 *   (the preferred version), and for other kinds the template's own
 *   apiVersion.
 *
 * ObjectForCluster keeps a template apiVersion (reference §2.4), so the body
 * and its apiVersion stay together whatever the table says.
 */
import type { Parsed } from '../../load/repository.ts';
import { groupOf, type Template } from '../../model/types.ts';
import type { FederatedTypeConfig } from './schema.ts';

export type Scope = 'Namespaced' | 'Cluster';

export interface TargetType {
  group: string;
  version: string;
  kind: string;
  scope: Scope;
  /** Where the mapping came from, for explain. */
  origin: string;
  /** `propagation: Disabled` in the FederatedTypeConfig. */
  disabled?: boolean | undefined;
}

type Entry = readonly [group: string, version: string, scope: Scope];

/**
 * KubeFed's default type configs, targetType by kind, exactly as
 * kubernetes-sigs/kubefed config/enabletypedirectives/*.yaml and
 * charts/kubefed/templates/federatedtypeconfig.yaml have them. Ingress is
 * `extensions/v1beta1` there, an API Kubernetes stopped serving in 1.22.
 */
export const DEFAULT_TYPE_CONFIGS: Readonly<Record<string, Entry>> = {
  ClusterRole: ['rbac.authorization.k8s.io', 'v1', 'Cluster'],
  ConfigMap: ['', 'v1', 'Namespaced'],
  Deployment: ['apps', 'v1', 'Namespaced'],
  Ingress: ['extensions', 'v1beta1', 'Namespaced'],
  Job: ['batch', 'v1', 'Namespaced'],
  Namespace: ['', 'v1', 'Cluster'],
  ReplicaSet: ['apps', 'v1', 'Namespaced'],
  Secret: ['', 'v1', 'Namespaced'],
  ServiceAccount: ['', 'v1', 'Namespaced'],
  Service: ['', 'v1', 'Namespaced'],
};

/**
 * Other standard kinds by their preferred version on a current API server:
 * what `kubefedctl enable <kind>` (pkg/kubefedctl/enable/enable.go) writes
 * into the FederatedTypeConfig it creates.
 */
const ENABLE_PREFERRED: Readonly<Record<string, Entry>> = {
  PersistentVolumeClaim: ['', 'v1', 'Namespaced'],
  PersistentVolume: ['', 'v1', 'Cluster'],
  LimitRange: ['', 'v1', 'Namespaced'],
  ResourceQuota: ['', 'v1', 'Namespaced'],
  ReplicationController: ['', 'v1', 'Namespaced'],
  StatefulSet: ['apps', 'v1', 'Namespaced'],
  DaemonSet: ['apps', 'v1', 'Namespaced'],
  CronJob: ['batch', 'v1', 'Namespaced'],
  HorizontalPodAutoscaler: ['autoscaling', 'v2', 'Namespaced'],
  PodDisruptionBudget: ['policy', 'v1', 'Namespaced'],
  IngressClass: ['networking.k8s.io', 'v1', 'Cluster'],
  NetworkPolicy: ['networking.k8s.io', 'v1', 'Namespaced'],
  Role: ['rbac.authorization.k8s.io', 'v1', 'Namespaced'],
  RoleBinding: ['rbac.authorization.k8s.io', 'v1', 'Namespaced'],
  ClusterRoleBinding: ['rbac.authorization.k8s.io', 'v1', 'Cluster'],
  StorageClass: ['storage.k8s.io', 'v1', 'Cluster'],
  PriorityClass: ['scheduling.k8s.io', 'v1', 'Cluster'],
  CustomResourceDefinition: ['apiextensions.k8s.io', 'v1', 'Cluster'],
  ValidatingWebhookConfiguration: ['admissionregistration.k8s.io', 'v1', 'Cluster'],
  MutatingWebhookConfiguration: ['admissionregistration.k8s.io', 'v1', 'Cluster'],
};


const FEDERATED_PREFIX = 'Federated';

/** `FederatedDeployment` → `Deployment`, the naming `kubefedctl enable` uses. */
export function targetKindOf(federatedKind: string): string | undefined {
  return federatedKind.startsWith(FEDERATED_PREFIX) && federatedKind.length > FEDERATED_PREFIX.length
    ? federatedKind.slice(FEDERATED_PREFIX.length)
    : undefined;
}

export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** Resolves target types from FederatedTypeConfigs, or without any from the default tables and CRDs in the repository. */
export class TargetTypes {
  private readonly byFederatedKind = new Map<string, TargetType>();
  private readonly crdScopes = new Map<string, Scope>();
  /** The source brings its own FederatedTypeConfigs: only they federate. */
  readonly configured: boolean;

  constructor(configs: readonly Parsed<FederatedTypeConfig>[], templates: readonly Template[]) {
    this.configured = configs.length > 0;
    for (const p of configs) {
      const { targetType, federatedType, propagation } = p.value.spec;
      this.byFederatedKind.set(federatedType.kind, {
        // SetFederatedTypeConfigDefaults fills an empty group from the name.
        group: targetType.group || ftcGroup(p.value.metadata.name),
        version: targetType.version,
        kind: targetType.kind,
        scope: targetType.scope,
        origin: `FederatedTypeConfig ${p.value.metadata.name} (${p.source.file}:${p.source.line})`,
        disabled: propagation === 'Disabled',
      });
    }
    for (const t of templates) {
      const spec = t.object.spec as Record<string, unknown> | undefined;
      const names = spec?.names as Record<string, unknown> | undefined;
      if (t.id.kind !== 'CustomResourceDefinition' || typeof spec?.group !== 'string' || typeof names?.kind !== 'string') continue;
      if (spec.scope === 'Cluster' || spec.scope === 'Namespaced') this.crdScopes.set(`${spec.group}/${names.kind}`, spec.scope);
    }
  }

  /**
   * The target type of a federated kind, or undefined when nothing names it.
   * `templateApiVersion` (spec.template.apiVersion) is the last resort.
   */
  resolve(federatedKind: string, templateApiVersion: string | undefined, federatedNamespace: string | undefined): TargetType | undefined {
    const configured = this.byFederatedKind.get(federatedKind);
    if (configured || this.configured) return configured;
    const kind = targetKindOf(federatedKind);
    if (kind === undefined) return undefined;
    const byDefault = DEFAULT_TYPE_CONFIGS[kind];
    if (byDefault) return { group: byDefault[0], version: byDefault[1], kind, scope: byDefault[2], origin: `KubeFed's default type config (no FederatedTypeConfig in the source)` };
    const enabled = ENABLE_PREFERRED[kind];
    if (enabled) return { group: enabled[0], version: enabled[1], kind, scope: enabled[2], origin: `what kubefedctl enable ${kind} writes (no FederatedTypeConfig in the source)` };
    if (templateApiVersion === undefined || templateApiVersion === '') return undefined;
    const group = groupOf(templateApiVersion);
    const version = templateApiVersion.slice(templateApiVersion.indexOf('/') + 1);
    const scope = this.crdScopes.get(`${group}/${kind}`) ?? (federatedNamespace ? 'Namespaced' : 'Cluster');
    return { group, version, kind, scope, origin: `spec.template.apiVersion ${templateApiVersion}` };
  }
}

/** SetFederatedTypeConfigDefaults: `deployments.apps` → group `apps`; `configmaps` → core. */
function ftcGroup(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}
