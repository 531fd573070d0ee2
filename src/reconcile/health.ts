/**
 * Health of a live object. Pure. kstatus order as the base
 * (kubernetes-sigs/cli-utils pkg/kstatus/status: deletion, generation lag,
 * kind rules, conditions), with kubectl rollout status rules for workloads
 * (kubectl pkg/polymorphichelpers/rollout_status.go) and one departure
 * that gitops-practices.md §6 records as a Manifold decision: a Lost PVC or
 * failed Job is `Degraded`. A custom resource with nothing to go by (no
 * Ready, Available, Stalled or Reconciling condition) is healthy, as kstatus
 * has it (cli-utils pkg/kstatus/status/status.go: no rule and no Ready
 * condition is Current) and as Argo CD leaves it out of an application's
 * health (gitops-engine pkg/health/health.go: no health check, no status):
 * counting it unhealthy made `--wait` wait for a status that never comes.
 */
import type { JsonObject, JsonValue } from '../model/types.ts';
import type { Health } from './types.ts';

export interface HealthResult {
  health: Health;
  message?: string | undefined;
}

/** API groups served by kube-apiserver itself; anything else is a custom resource (or aggregated API). */
const BUILT_IN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'rbac.authorization.k8s.io',
  'networking.k8s.io',
  'storage.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'admissionregistration.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'node.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storagemigration.k8s.io',
]);

const HEALTHY: HealthResult = { health: 'Healthy' };

function obj(v: JsonValue | undefined): JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};
}

function num(v: JsonValue | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

interface ConditionView {
  type: string;
  status: string;
  reason: string;
  message: string;
}

function conditions(o: JsonObject): ConditionView[] {
  const list = obj(o.status).conditions;
  if (!Array.isArray(list)) return [];
  return list.map((c) => {
    const x = obj(c);
    return { type: String(x.type ?? ''), status: String(x.status ?? ''), reason: String(x.reason ?? ''), message: String(x.message ?? '') };
  });
}

function condition(o: JsonObject, type: string): ConditionView | undefined {
  return conditions(o).find((c) => c.type === type);
}

function progressing(message: string): HealthResult {
  return { health: 'Progressing', message };
}

function degraded(message: string): HealthResult {
  return { health: 'Degraded', message };
}

function withDetail(text: string, c: ConditionView | undefined): string {
  return c?.message ? `${text}: ${c.message}` : c?.reason ? `${text} (${c.reason})` : text;
}

/** The generation has been seen by the controller (kstatus rule 2). */
function generationLag(o: JsonObject): HealthResult | undefined {
  const generation = num(obj(o.metadata).generation);
  const observed = num(obj(o.status).observedGeneration);
  if (generation !== undefined && observed !== undefined && observed < generation) {
    return progressing(`waiting for the controller to observe generation ${generation} (observed ${observed})`);
  }
  return undefined;
}

function deploymentHealth(o: JsonObject): HealthResult {
  const spec = obj(o.spec);
  const status = obj(o.status);
  if (spec.paused === true) return progressing('rollout is paused');
  const generation = num(obj(o.metadata).generation) ?? 0;
  const observed = num(status.observedGeneration);
  if (observed === undefined || observed < generation) return progressing('waiting for the rollout to start');
  const p = condition(o, 'Progressing');
  if (p?.reason === 'ProgressDeadlineExceeded') return degraded(withDetail('rollout exceeded its progress deadline', p));
  const want = num(spec.replicas) ?? 1;
  const updated = num(status.updatedReplicas) ?? 0;
  const total = num(status.replicas) ?? 0;
  const available = num(status.availableReplicas) ?? 0;
  if (updated < want) return progressing(`${updated} of ${want} replicas updated`);
  if (total > updated) return progressing(`${total - updated} old replicas pending termination`);
  if (available < updated) return progressing(`${available} of ${updated} updated replicas available`);
  return HEALTHY;
}

function statefulSetHealth(o: JsonObject): HealthResult {
  const spec = obj(o.spec);
  const status = obj(o.status);
  const strategy = obj(spec.updateStrategy);
  if (strategy.type === 'OnDelete') return HEALTHY; // kubectl: rollout status only tracks RollingUpdate
  const generation = num(obj(o.metadata).generation) ?? 0;
  const observed = num(status.observedGeneration) ?? 0;
  if (observed === 0 || observed < generation) return progressing('waiting for the StatefulSet spec update to be observed');
  const want = num(spec.replicas) ?? 1;
  const ready = num(status.readyReplicas) ?? 0;
  if (ready < want) return progressing(`${ready} of ${want} pods ready`);
  const partition = num(obj(strategy.rollingUpdate).partition) ?? 0;
  const updated = num(status.updatedReplicas) ?? 0;
  if (partition > 0) {
    return updated < want - partition ? progressing(`${updated} of ${want - partition} partitioned pods updated`) : HEALTHY;
  }
  if (status.updateRevision !== status.currentRevision) return progressing(`${updated} of ${want} pods at the update revision`);
  return HEALTHY;
}

function daemonSetHealth(o: JsonObject): HealthResult {
  const spec = obj(o.spec);
  const status = obj(o.status);
  if (obj(spec.updateStrategy).type === 'OnDelete') return HEALTHY;
  const generation = num(obj(o.metadata).generation) ?? 0;
  const observed = num(status.observedGeneration);
  if (observed === undefined || observed < generation) return progressing('waiting for the DaemonSet spec update to be observed');
  const desired = num(status.desiredNumberScheduled) ?? 0;
  const updated = num(status.updatedNumberScheduled) ?? 0;
  const available = num(status.numberAvailable) ?? 0;
  if (updated < desired) return progressing(`${updated} of ${desired} pods updated`);
  if (available < desired) return progressing(`${available} of ${desired} updated pods available`);
  return HEALTHY;
}

function jobHealth(o: JsonObject): HealthResult {
  const complete = condition(o, 'Complete');
  if (complete?.status === 'True') return HEALTHY;
  const failed = condition(o, 'Failed');
  if (failed?.status === 'True') return degraded(withDetail('job failed', failed));
  if (obj(o.spec).suspend === true) return progressing('job is suspended');
  return progressing('job has not completed');
}

function pvcHealth(o: JsonObject): HealthResult {
  const phase = obj(o.status).phase;
  if (phase === 'Bound') return HEALTHY;
  if (phase === 'Lost') return degraded('the claim lost its volume');
  if (phase === 'Pending') return progressing('claim is Pending');
  return { health: 'Unknown', message: 'claim has no phase yet' };
}

function serviceHealth(o: JsonObject): HealthResult {
  if (obj(o.spec).type !== 'LoadBalancer') return HEALTHY;
  const ingress = obj(obj(o.status).loadBalancer).ingress;
  return Array.isArray(ingress) && ingress.length > 0 ? HEALTHY : progressing('waiting for a load balancer address');
}

function podHealth(o: JsonObject): HealthResult {
  const phase = obj(o.status).phase;
  if (phase === 'Succeeded') return HEALTHY;
  if (phase === 'Failed') return degraded('pod failed');
  if (phase === 'Running' && condition(o, 'Ready')?.status === 'True') return HEALTHY;
  return progressing(`pod is ${typeof phase === 'string' ? phase : 'pending'}`);
}

function crdHealth(o: JsonObject): HealthResult {
  const names = condition(o, 'NamesAccepted');
  if (names?.status === 'False') return degraded(withDetail('names not accepted', names));
  const established = condition(o, 'Established');
  return established?.status === 'True' ? HEALTHY : progressing('waiting for the CRD to be Established');
}

function namespaceHealth(o: JsonObject): HealthResult {
  const phase = obj(o.status).phase;
  return phase === undefined || phase === 'Active' ? HEALTHY : progressing(`namespace is ${String(phase)}`);
}

/** Custom resources: kstatus's Stalled/Reconciling, then Ready, then Available; nothing to go by is healthy (kstatus Current). */
function customResourceHealth(o: JsonObject): HealthResult {
  const lag = generationLag(o);
  if (lag) return lag;
  const stalled = condition(o, 'Stalled');
  if (stalled?.status === 'True') return degraded(withDetail('stalled', stalled));
  const reconciling = condition(o, 'Reconciling');
  if (reconciling?.status === 'True') return progressing(withDetail('reconciling', reconciling));
  for (const type of ['Ready', 'Available']) {
    const c = condition(o, type);
    if (c === undefined) continue;
    if (c.status === 'True') return HEALTHY;
    if (c.status === 'False') return progressing(withDetail(`${type} is False`, c));
    return progressing(withDetail(`${type} is ${c.status || 'Unknown'}`, c));
  }
  return { health: 'Healthy', message: 'no Ready, Available, Stalled or Reconciling condition: taken as healthy (as kstatus does)' };
}

function groupOf(apiVersion: unknown): string {
  const v = typeof apiVersion === 'string' ? apiVersion : '';
  const i = v.indexOf('/');
  return i < 0 ? '' : v.slice(0, i);
}

/** Health of one live object. */
export function assessHealth(o: JsonObject): HealthResult {
  if (obj(o.metadata).deletionTimestamp) return progressing('object is being deleted');
  const group = groupOf(o.apiVersion);
  const kind = String(o.kind ?? '');
  if (!BUILT_IN_GROUPS.has(group)) return customResourceHealth(o);
  switch (`${kind}.${group}`) {
    case 'Deployment.apps':
      return deploymentHealth(o);
    case 'StatefulSet.apps':
      return statefulSetHealth(o);
    case 'DaemonSet.apps':
      return daemonSetHealth(o);
    case 'ReplicaSet.apps': {
      const lag = generationLag(o);
      if (lag) return lag;
      const want = num(obj(o.spec).replicas) ?? 1;
      const available = num(obj(o.status).availableReplicas) ?? 0;
      return available < want ? progressing(`${available} of ${want} replicas available`) : HEALTHY;
    }
    case 'Job.batch':
      return jobHealth(o);
    case 'PersistentVolumeClaim.':
      return pvcHealth(o);
    case 'Service.':
      return serviceHealth(o);
    case 'Pod.':
      return podHealth(o);
    case 'Namespace.':
      return namespaceHealth(o);
    case 'CustomResourceDefinition.apiextensions.k8s.io':
      return crdHealth(o);
    default:
      return generationLag(o) ?? HEALTHY;
  }
}

/** A state that waiting will not change. */
export function isSettled(h: HealthResult): boolean {
  return h.health === 'Healthy' || h.health === 'Degraded';
}
