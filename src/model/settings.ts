/** `manifold.yaml`: optional project settings at the source root. */
import { z } from 'zod';
import { ObjectMeta } from './common.ts';

export const SETTINGS_API = 'manifold.dev/v1alpha1';

export const KarmadaSettings = z.strictObject({
  /**
   * Opt-in extensions beyond upstream Karmada (reference §1.6, §1.8). Off by
   * default so that the output matches what Karmada produces.
   */
  extensions: z
    .strictObject({
      spreadByLabel: z.boolean().optional(),
      zoneProviderSpreading: z.boolean().optional(),
      unboundedMaxGroups: z.boolean().optional(),
      initContainersAndCronJob: z.boolean().optional(),
      keepImageDigest: z.boolean().optional(),
      /**
       * Override values may name the target cluster with KubeFleet's
       * variables (`${MEMBER-CLUSTER-NAME}`, `${MEMBER-CLUSTER-LABEL-KEY-<key>}`)
       * and Manifold's provider/region/zone ones (model/cluster-variables.ts).
       * Off: Karmada writes them literally.
       */
      clusterVariables: z.boolean().optional(),
    })
    .optional(),
  /** Keep the previous render's policy claim and affinity group, as Karmada does. */
  sticky: z.boolean().optional(),
});

export const KubeAdmiralSettings = z.strictObject({
  /** Opt-in extensions beyond upstream KubeAdmiral; off by default so that the output matches KubeAdmiral's. */
  extensions: z
    .strictObject({
      /** Cluster variables in override values, as `karmada.extensions.clusterVariables`. */
      clusterVariables: z.boolean().optional(),
    })
    .optional(),
});

export const ProjectSettingsSpec = z.strictObject({
  /** Glob patterns of files or folders to leave out of the source. */
  exclude: z.array(z.string()).optional(),
  /** Default output folder for `manifold render`, relative to the source root. */
  output: z.string().optional(),
  karmada: KarmadaSettings.optional(),
  kubeadmiral: KubeAdmiralSettings.optional(),
  /**
   * Fail (exit 2) on the warnings that explain an empty or partial render:
   * no inventory, templates claimed by no policy, documents of an unknown
   * group that look like federation objects (`render --strict`).
   */
  strict: z.boolean().optional(),
  /**
   * A workload no cluster can take: `fail` the render (exit 2, the default,
   * for review), or `report` it (Karmada's Scheduled=False) and render the
   * rest (`render --unschedulable`).
   */
  unschedulable: z.enum(['fail', 'report']).optional(),
  /**
   * The report to overlay on the inventory when `render` or `failover` gets
   * no `--status`: a branch or revision of the source's repository (e.g.
   * manifold/status) or a folder relative to the source root.
   */
  status: z.string().min(1).optional(),
  failover: z
    .strictObject({
      /**
       * Seconds a cluster must stay not Ready before its workloads move, and
       * Ready again before they come back (default 300).
       */
      gracePeriodSeconds: z.number().int().nonnegative().optional(),
      /**
       * What a workload without the manifold.dev/criticality annotation is
       * when the receiving clusters lack capacity: `critical` keeps all its
       * replicas (default), `non-critical` keeps half.
       */
      defaultCriticality: z.enum(['critical', 'non-critical']).optional(),
      /** The branch proposals are based on and (unattended) committed to (default manifold/rendered). */
      branch: z.string().min(1).optional(),
    })
    .optional(),
});
export type ProjectSettingsSpec = z.infer<typeof ProjectSettingsSpec>;

export const ProjectSettings = z.strictObject({
  apiVersion: z.literal(SETTINGS_API),
  kind: z.literal('Project'),
  metadata: ObjectMeta.optional(),
  spec: ProjectSettingsSpec.optional(),
});
export type ProjectSettings = z.infer<typeof ProjectSettings>;
