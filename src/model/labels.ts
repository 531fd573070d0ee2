/** Kubernetes label selector semantics (k8s.io/apimachinery labels.Selector). */
import type { LabelSelector, LabelSelectorRequirement } from './common.ts';

export type Labels = Readonly<Record<string, string>>;

export function matchRequirement(labels: Labels, req: LabelSelectorRequirement): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(value as string);
    case 'NotIn':
      // Kubernetes: NotIn also matches when the key is absent.
      return !has || !values.includes(value as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/**
 * Matches a metav1.LabelSelector. `undefined` (nil) is left to the caller; an
 * empty selector `{}` matches everything, as in LabelSelectorAsSelector.
 */
export function matchLabelSelector(labels: Labels, selector: LabelSelector): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    if (!matchRequirement(labels, req)) return false;
  }
  return true;
}
