import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../dialects/index.ts';
import { loadRepository } from '../load/repository.ts';
import { planIncremental } from './incremental.ts';
import { render } from './render.ts';

const CLUSTERS = `apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata: {name: eu-1}
---
apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata: {name: us-1}
`;
const POLICY = `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: all, namespace: shop}
spec:
  propagateDeps: true
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]
  placement: {clusterAffinity: {clusterNames: [eu-1, us-1]}}
`;
const web = (image: string, config = 'web-config') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: ${image}, envFrom: [{configMapRef: {name: ${config}}}]}]
`;
const CONFIG = `apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data: {A: "1"}
`;
const OTHER = `apiVersion: apps/v1
kind: Deployment
metadata: {name: other, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: other}}
  template:
    metadata: {labels: {app: other}}
    spec:
      containers: [{name: other, image: other:1}]
`;

function repoOf(files: Record<string, string>) {
  return loadRepository(Object.entries(files).map(([path, text]) => ({ path, text })), registry);
}

const BASE = { 'clusters.yaml': CLUSTERS, 'policy.yaml': POLICY, 'web.yaml': web('web:1'), 'config.yaml': CONFIG, 'other.yaml': OTHER };
const prior = render(repoOf(BASE), dialects, { manifoldVersion: 'test' }).provenance;

describe('planIncremental', () => {
  it('covers the changed template, the dependency it carries and its namespace', () => {
    const plan = planIncremental(repoOf({ ...BASE, 'web.yaml': web('web:2') }), dialects, prior, 'manifold test');
    expect(plan.kind).toBe('incremental');
    if (plan.kind !== 'incremental') return;
    expect([...plan.changed]).toEqual(['apps/Deployment/shop/web']);
    expect([...plan.covered].sort()).toEqual(['/ConfigMap/shop/web-config', '/Namespace//shop', 'apps/Deployment/shop/web']);
    expect([...plan.namespaces]).toEqual(['shop']);
    expect([...plan.oldPaths].sort()).toEqual(['cluster/Namespace/shop.yaml', 'namespaces/shop/ConfigMap/web-config.yaml', 'namespaces/shop/Deployment.apps/web.yaml']);
  });

  it('covers what followed a template before, even when the new content no longer names it', () => {
    const plan = planIncremental(repoOf({ ...BASE, 'web.yaml': web('web:1', 'elsewhere') }), dialects, prior, 'manifold test');
    expect(plan.kind === 'incremental' && plan.covered.has('/ConfigMap/shop/web-config')).toBe(true);
  });

  it('renders in full when policies, inventory or settings change, or another version rendered the branch', () => {
    expect(planIncremental(repoOf({ ...BASE, 'policy.yaml': POLICY.replace('eu-1, us-1', 'eu-1') }), dialects, prior, 'manifold test')).toEqual({
      kind: 'full',
      reason: 'policies, inventory, settings or CRDs changed',
    });
    expect(planIncremental(repoOf({ ...BASE, 'manifold.yaml': 'apiVersion: manifold.dev/v1alpha1\nkind: Project\nspec: {}\n' }), dialects, prior, 'manifold test').kind).toBe('full');
    expect(planIncremental(repoOf(BASE), dialects, prior, 'manifold 0.0.1')).toEqual({ kind: 'full', reason: 'the branch was rendered by manifold test' });
    const { globals: _globals, ...oldSource } = prior.source;
    expect(planIncremental(repoOf(BASE), dialects, { ...prior, source: oldSource as typeof prior.source }, 'manifold test').kind).toBe('full');
  });

  it('renders in full, instead of crashing, when a hand-edited provenance has entries of the wrong shape (issue 10 item 4)', () => {
    const changed = repoOf({ ...BASE, 'web.yaml': web('web:2') });
    const broken = (objects: unknown) => planIncremental(changed, dialects, { ...prior, objects: objects as typeof prior.objects }, 'manifold test');
    for (const objects of [[{ key: 'x', file: 'web.yaml' }], [null], [{ ...prior.objects[0], variants: [{}] }], [{ ...prior.objects[0], follows: 'a' }]]) {
      expect(broken(objects).kind, JSON.stringify(objects)).toBe('full');
    }
  });

  it('a template moved into a file that also holds a policy makes that file global', () => {
    const { 'other.yaml': _moved, ...rest } = BASE;
    const plan = planIncremental(repoOf({ ...rest, 'policy.yaml': `${POLICY}---\n${OTHER}` }), dialects, prior, 'manifold test');
    expect(plan.kind).toBe('full');
  });
});
