/** Shared zod building blocks used by every dialect's schema. */
import { z } from 'zod';
import { labelValueProblem, qualifiedNameProblem } from './names.ts';
import { isQuantity } from './quantity.ts';

/**
 * The values of an `In`/`NotIn` requirement: at least one, each a valid label
 * value (apimachinery pkg/labels NewRequirement, which Karmada's field
 * selectors go through too: karmada pkg/util/lifted NodeSelectorRequirementsAsSelector).
 */
export function checkRequirementValues(req: { operator: string; values?: string[] | undefined }, ctx: z.RefinementCtx): void {
  const values = req.values ?? [];
  if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['values'], message: `must be specified when operator is ${req.operator}` });
  }
  values.forEach((value, i) => {
    const problem = labelValueProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['values', i], message: problem });
  });
}

/** apimachinery pkg/apis/meta/v1/validation ValidateLabelSelectorRequirement. */
export const LabelSelectorRequirement = z
  .strictObject({
    key: z.string().min(1),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(z.string()).optional(),
  })
  .superRefine((req, ctx) => {
    const keyProblem = qualifiedNameProblem(req.key);
    if (keyProblem !== undefined) ctx.addIssue({ code: 'custom', path: ['key'], message: keyProblem });
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && (req.values ?? []).length > 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `may not be specified when operator is ${req.operator}` });
    }
    checkRequirementValues(req, ctx);
  });
export type LabelSelectorRequirement = z.infer<typeof LabelSelectorRequirement>;

/** apimachinery ValidateLabelSelector: matchLabels keys are qualified names, values label values. */
export const LabelSelector = z.strictObject({
  matchLabels: z
    .record(z.string(), z.string())
    .superRefine((labels, ctx) => {
      for (const [key, value] of Object.entries(labels)) {
        const problem = qualifiedNameProblem(key) ?? labelValueProblem(value);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: problem });
      }
    })
    .optional(),
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
