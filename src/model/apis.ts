/**
 * API versions current Kubernetes no longer serves, by `apiVersion/Kind`, with
 * the replacement and the release that removed them
 * (https://kubernetes.io/docs/reference/using-api/deprecation-guide/); shared
 * by the dialects that warn when a rendered object would use one.
 */
export const REMOVED_APIS: Readonly<Record<string, { replacement: string; removedIn: string }>> = {
  'extensions/v1beta1/Ingress': { replacement: 'networking.k8s.io/v1', removedIn: '1.22' },
  'networking.k8s.io/v1beta1/Ingress': { replacement: 'networking.k8s.io/v1', removedIn: '1.22' },
  'extensions/v1beta1/Deployment': { replacement: 'apps/v1', removedIn: '1.16' },
  'extensions/v1beta1/ReplicaSet': { replacement: 'apps/v1', removedIn: '1.16' },
  'extensions/v1beta1/DaemonSet': { replacement: 'apps/v1', removedIn: '1.16' },
  'extensions/v1beta1/NetworkPolicy': { replacement: 'networking.k8s.io/v1', removedIn: '1.16' },
  'apps/v1beta1/Deployment': { replacement: 'apps/v1', removedIn: '1.16' },
  'apps/v1beta2/Deployment': { replacement: 'apps/v1', removedIn: '1.16' },
  'apps/v1beta1/StatefulSet': { replacement: 'apps/v1', removedIn: '1.16' },
  'apps/v1beta2/StatefulSet': { replacement: 'apps/v1', removedIn: '1.16' },
  'apps/v1beta2/ReplicaSet': { replacement: 'apps/v1', removedIn: '1.16' },
  'apps/v1beta2/DaemonSet': { replacement: 'apps/v1', removedIn: '1.16' },
  'batch/v1beta1/CronJob': { replacement: 'batch/v1', removedIn: '1.25' },
  'policy/v1beta1/PodDisruptionBudget': { replacement: 'policy/v1', removedIn: '1.25' },
  'autoscaling/v2beta1/HorizontalPodAutoscaler': { replacement: 'autoscaling/v2', removedIn: '1.25' },
  'autoscaling/v2beta2/HorizontalPodAutoscaler': { replacement: 'autoscaling/v2', removedIn: '1.26' },
  'rbac.authorization.k8s.io/v1beta1/ClusterRole': { replacement: 'rbac.authorization.k8s.io/v1', removedIn: '1.22' },
  'apiextensions.k8s.io/v1beta1/CustomResourceDefinition': { replacement: 'apiextensions.k8s.io/v1', removedIn: '1.22' },
};

/** The removed API an object's apiVersion and kind would use, if any. */
export function removedApi(apiVersion: string, kind: string): { replacement: string; removedIn: string } | undefined {
  return REMOVED_APIS[`${apiVersion}/${kind}`];
}
