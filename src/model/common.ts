/** Shared zod building blocks used by every dialect's schema. */
import { z } from 'zod';
import { isQuantity } from './quantity.ts';

export const LabelSelectorRequirement = z.strictObject({
  key: z.string().min(1),
  operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
  values: z.array(z.string()).optional(),
});
export type LabelSelectorRequirement = z.infer<typeof LabelSelectorRequirement>;

export const LabelSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(LabelSelectorRequirement).optional(),
});
export type LabelSelector = z.infer<typeof LabelSelector>;

export const StringMap = z.record(z.string(), z.string());

/**
 * Object metadata as users write it. Known fields are typed; server-set fields
 * (uid, resourceVersion, …) are tolerated because people paste live objects.
 */
export const ObjectMeta = z.looseObject({
  name: z.string().min(1, 'must not be empty'),
  namespace: z.string().optional(),
  labels: StringMap.optional(),
  annotations: StringMap.optional(),
  uid: z.string().optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;

export const Taint = z.strictObject({
  key: z.string().min(1),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
  timeAdded: z.string().optional(),
});
export type Taint = z.infer<typeof Taint>;

export const Toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute', '']).optional(),
  tolerationSeconds: z.number().int().optional(),
});
export type Toleration = z.infer<typeof Toleration>;

/** A Kubernetes quantity as written in YAML: `500m`, `1Gi`, `2`, or a number. */
export const Quantity = z.union([z.string(), z.number()]).refine((q) => isQuantity(q), { message: 'not a quantity (e.g. 500m, 2, 1Gi)' });
export const ResourceList = z.record(z.string(), Quantity);
export type ResourceList = z.infer<typeof ResourceList>;

/** Any JSON value (overrider values, plaintext patches). */
export const JsonAny = z.unknown();

/**
 * A dialect object as users write it: fixed apiVersion and kind, metadata, a
 * strict spec, and a status that is tolerated (pasted live objects) but unread.
 */
export function kubeObjectSchema<K extends string, S extends z.ZodType>(apiVersion: string, kind: K, spec: S) {
  return z.strictObject({
    apiVersion: z.literal(apiVersion),
    kind: z.literal(kind),
    metadata: ObjectMeta,
    spec,
    status: z.unknown().optional(),
  });
}
