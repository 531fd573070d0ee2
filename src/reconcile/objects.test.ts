import { describe, expect, it } from 'vitest';
import { isImmutableError } from './cluster.ts';
import { KubeApiError } from './kube.ts';
import { applyBody, compareApplyOrder, parseTree, stageOf } from './objects.ts';

describe('parseTree', () => {
  it('reads every YAML document, skips metadata folders and other files', () => {
    const tree = new Map([
      ['namespaces/a/ConfigMap/one.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n  namespace: a\ndata:\n  date: 2024-01-01\n'],
      ['cluster/Namespace/a.yaml', '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n'],
      ['.manifold/provenance.json', '{"not": "an object"}'],
      ['README.md', '# hi'],
    ]);
    const { objects, problems } = parseTree(tree);
    expect(problems).toEqual([]);
    expect(objects.map((o) => `${o.kind}/${o.name}`)).toEqual(['Namespace/a', 'ConfigMap/one']);
    // YAML 1.2 core schema: a date stays a string, as the API server wants it.
    expect((objects[1]?.body.data as { date: unknown }).date).toBe('2024-01-01');
  });

  it('reports every problem at once: bad YAML, missing fields, duplicates', () => {
    const tree = new Map([
      ['a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: n}\n'],
      ['b.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: n}\n'],
      ['c.yaml', 'kind: ConfigMap\nmetadata: {name: y}\n'],
      ['d.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: z-}\n'],
      ['e.yaml', 'a: [unclosed\n'],
      ['f.yaml', '- just\n- a list\n'],
    ]);
    const { objects, problems } = parseTree(tree);
    expect(objects).toHaveLength(1);
    expect(problems.map((p) => `${p.file}: ${p.code}`)).toEqual([
      'b.yaml: MANIFEST_DUPLICATE',
      'c.yaml: MANIFEST_INVALID',
      'd.yaml: MANIFEST_INVALID',
      'e.yaml: MANIFEST_YAML',
      'f.yaml: MANIFEST_INVALID',
    ]);
  });

  it('strips server-owned metadata and status from the apply body', () => {
    const body = applyBody({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', uid: 'u', resourceVersion: '1', managedFields: [], creationTimestamp: null, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      status: { x: 1 },
      data: { a: 'b' },
    });
    expect(body).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });
  });
});

describe('stages and order (fluxcd/pkg ssa/utils/is.go, ssa/sort.go)', () => {
  const o = (apiVersion: string, kind: string) => ({ apiVersion, kind, group: apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '' });
  it('CRDs, Namespaces and ClusterRoles first; *Class kinds next; ClusterRoleBindings with the rest', () => {
    expect(stageOf(o('apiextensions.k8s.io/v1', 'CustomResourceDefinition'))).toBe('definitions');
    expect(stageOf(o('v1', 'Namespace'))).toBe('definitions');
    expect(stageOf(o('rbac.authorization.k8s.io/v1', 'ClusterRole'))).toBe('definitions');
    expect(stageOf(o('example.com/v1', 'Namespace'))).toBe('rest');
    expect(stageOf(o('storage.k8s.io/v1', 'StorageClass'))).toBe('classes');
    expect(stageOf(o('gateway.networking.k8s.io/v1', 'GatewayClass'))).toBe('classes');
    expect(stageOf(o('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'))).toBe('rest');
  });
  it('sorts leading kinds, unknown kinds, then webhooks; ties by group, kind, namespace, name', () => {
    const items = [
      { kind: 'ValidatingWebhookConfiguration', group: 'admissionregistration.k8s.io', name: 'v' },
      { kind: 'Widget', group: 'example.com', name: 'w' },
      { kind: 'Deployment', group: 'apps', namespace: 'b', name: 'd' },
      { kind: 'Deployment', group: 'apps', namespace: 'a', name: 'd' },
      { kind: 'ConfigMap', group: '', namespace: 'a', name: 'c' },
      { kind: 'Namespace', group: '', name: 'a' },
      { kind: 'CustomResourceDefinition', group: 'apiextensions.k8s.io', name: 'x' },
      { kind: 'Gadget', group: 'example.com', name: 'g' },
    ];
    expect(items.sort(compareApplyOrder).map((i) => `${i.kind}/${i.namespace ?? ''}`)).toEqual([
      'CustomResourceDefinition/',
      'Namespace/',
      'ConfigMap/a',
      'Deployment/a',
      'Deployment/b',
      'Gadget/',
      'Widget/',
      'ValidatingWebhookConfiguration/',
    ]);
  });
});

describe('isImmutableError (fluxcd/pkg ssa/errors/immutable_test.go, narrowed to the message)', () => {
  const err = (status: number, message: string) => new KubeApiError('c', status, 'Invalid', message, 'apply');
  it('CEL immutable error', () => {
    expect(isImmutableError(err(422, 'the ImmutableSinceFirstWrite "test1" is invalid: value: Invalid value: "string": Value is immutable'))).toBe(true);
  });
  it('custom admission immutable error', () => {
    expect(
      isImmutableError(
        err(400, `the IAMPolicyMember's spec is immutable: admission webhook "deny-immutable-field-updates.cnrm.cloud.google.com" denied the request: the IAMPolicyMember's spec is immutable`),
      ),
    ).toBe(true);
  });
  it('not an immutable error', () => {
    expect(isImmutableError(err(422, 'is not immutable'))).toBe(false);
    // Flux counts every 422 as immutable; Manifold must not delete an object that is merely invalid.
    expect(isImmutableError(err(422, 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'))).toBe(false);
    expect(isImmutableError(new Error('field is immutable'))).toBe(false);
  });
  it('a Kubernetes built-in immutable field', () => {
    expect(isImmutableError(err(422, 'Deployment.apps "web" is invalid: spec.selector: Invalid value: {...}: field is immutable'))).toBe(true);
  });
});
