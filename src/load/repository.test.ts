import { describe, expect, it } from 'vitest';
import { registry } from '../dialects/registry.ts';
import { formatProblem, InputError } from '../errors/index.ts';
import { loadRepository } from './repository.ts';
import type { SourceFile } from './source.ts';

function load(files: Record<string, string>) {
  const list: SourceFile[] = Object.entries(files).map(([path, text]) => ({ path, text }));
  return loadRepository(list, registry);
}

function messages(files: Record<string, string>): string[] {
  try {
    load(files);
  } catch (err) {
    if (err instanceof InputError) return err.problems.map(formatProblem);
    throw err;
  }
  throw new Error('expected an InputError');
}

const pp = (placement: string) => `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: web
  namespace: shop
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
  placement:
${placement}
`;

describe('loadRepository', () => {
  it('classifies inventory, policies and templates across multi-document files', () => {
    const repo = load({
      'a.yaml': `apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata: {name: m1, labels: {env: prod}}
spec: {region: eu, zones: [z1]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
`,
      'b.json': '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}}',
      'c.yaml': pp('    clusterAffinity: {clusterNames: [m1]}'),
    });
    expect(repo.clusters.map((c) => [c.name, c.region, c.zones])).toEqual([['m1', 'eu', ['z1']]]);
    expect(repo.templates.map((t) => t.key)).toEqual(['/ConfigMap/shop/cfg', 'apps/Deployment/default/web']);
    expect(repo.objects.get('policy.karmada.io/v1alpha1 PropagationPolicy')).toHaveLength(1);
  });

  it('skips empty documents (a trailing ---, a document of comments), as kubectl does', () => {
    const repo = load({ 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\n---\n# only a comment\n' });
    expect(repo.templates.map((t) => t.key)).toEqual(['/ConfigMap/x/a']);
  });

  it('reports an invalid enum with file, line, object and field', () => {
    const out = messages({ 'p.yaml': pp('    replicaScheduling:\n      replicaSchedulingType: Divide') });
    expect(out).toEqual([
      'p.yaml:12: PropagationPolicy shop/web: spec.placement.replicaScheduling.replicaSchedulingType: expected Duplicated|Divided, got "Divide"',
    ]);
  });

  it('reports unknown fields at the line of the key', () => {
    const out = messages({ 'p.yaml': pp('    clusterAfinity: {clusterNames: [m1]}') });
    expect(out).toEqual(['p.yaml:11: PropagationPolicy shop/web: spec.placement.clusterAfinity: unknown field "clusterAfinity"']);
  });

  it('reports every error of the run together', () => {
    const out = messages({
      'a.yaml': pp('    clusterAffinity: {}\n    clusterAffinities: []'),
      'b.yaml': 'apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: x}\nspec:\n  resourceSelectors: []\n',
      'c.yaml': 'key: [unclosed\n',
    });
    expect(out).toHaveLength(3);
    expect(out[0]).toContain('a.yaml:12: PropagationPolicy shop/web: spec.placement.clusterAffinities: clusterAffinity and clusterAffinities are mutually exclusive');
    expect(out[1]).toMatch(/^b\.yaml:5: PropagationPolicy x: spec\.resourceSelectors: must list at least one selector/);
    expect(out[2]).toMatch(/^c\.yaml:\d+: YAML syntax: /);
  });

  it('rejects static weights below 1', () => {
    const out = messages({
      'p.yaml': pp(`    replicaScheduling:
      replicaSchedulingType: Divided
      weightPreference:
        staticWeightList:
          - targetCluster: {clusterNames: [a]}
            weight: 0`),
    });
    expect(out).toEqual(['p.yaml:16: PropagationPolicy shop/web: spec.placement.replicaScheduling.weightPreference.staticWeightList[0].weight: must be at least 1']);
  });

  it('names both files when the same object is defined twice', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: shop}\n';
    expect(messages({ 'a.yaml': cm, 'b/c.yaml': `# comment\n${cm}` })).toEqual([
      'b/c.yaml:2: ConfigMap shop/cfg: defined twice: also in a.yaml:1',
    ]);
  });

  it('rejects names that could escape the output folder', () => {
    const out = messages({
      'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ../../etc, namespace: shop}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: ../x}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: "..", namespace: a}\n',
    });
    expect(out).toHaveLength(3);
    expect(out[0]).toContain("metadata.name: \"../../etc\" may not contain '/'");
    expect(out[1]).toContain('metadata.namespace: "../x" must be a DNS-1123 label');
    expect(out[2]).toContain('metadata.name: ".." is not a valid name');
  });

  it('rejects an unknown kind in a dialect group instead of treating it as a template', () => {
    const out = messages({ 'a.yaml': 'apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicie\nmetadata: {name: x}\n' });
    expect(out[0]).toMatch(/^a\.yaml:2: PropagationPolicie x: kind: unknown kind policy\.karmada\.io\/v1alpha1 PropagationPolicie/);
  });

  it('defaults namespaced built-in kinds to "default" and drops the namespace of cluster-scoped ones with a warning', () => {
    const repo = load({
      'a.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: "system:r", namespace: x}\n',
    });
    expect(repo.templates.map((t) => t.key)).toEqual(['apps/Deployment/default/d', 'rbac.authorization.k8s.io/ClusterRole//system:r']);
    expect(repo.warnings.filter((w) => w.code !== 'NO_INVENTORY').map(formatProblem)).toEqual(['a.yaml:7: ClusterRole x/system:r: metadata.namespace: ClusterRole is cluster-scoped; the namespace is ignored']);
    // Retired groups too: the seed article's extensions/v1beta1 ReplicaSet is namespaced, its PodSecurityPolicy not.
    const retired = load({ 'b.yaml': 'apiVersion: extensions/v1beta1\nkind: ReplicaSet\nmetadata: {name: r}\n---\napiVersion: extensions/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n' });
    expect(retired.templates.map((t) => t.key)).toEqual(['extensions/PodSecurityPolicy//p', 'extensions/ReplicaSet/default/r']);
    // The API server's object carries its namespace; Manifold's template object too.
    expect(repo.templates[0]?.object.metadata).toEqual({ name: 'd', namespace: 'default' });
  });
  it('says why a source with templates and no inventory renders nothing, naming the inventory kinds', () => {
    const repo = load({ 'a.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n' });
    const [warning] = repo.warnings;
    expect(warning?.code).toBe('NO_INVENTORY');
    expect(warning?.message).toMatch(/^no cluster inventory found: the 1 template renders to no cluster; declare the member clusters with one of: /);
    expect(warning?.message).toContain('cluster.karmada.io/v1alpha1 Cluster');
    expect(warning?.message).toContain('core.kubefed.io/v1beta1 KubeFedCluster');
    expect(warning?.message).toContain('core.kubeadmiral.io/v1alpha1 FederatedCluster');
    expect(load({ 'a.yaml': 'apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata: {name: m}\n' }).warnings).toEqual([]);
  });

  it('warns about documents of an unknown group that look like federation objects, not about ordinary custom resources', () => {
    const doc = (apiVersion: string, kind: string) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: x, namespace: n}\n`;
    const repo = load({
      'a.yaml': [
        doc('types.kubefed.example/v1', 'FederatedDeployment'),
        doc('policy.karmada.io.example/v1', 'Thing'),
        doc('example.com/v1', 'PropagationPolicy'),
        doc('postgresql.cnpg.io/v1', 'Cluster'),
        doc('example.com/v1', 'Widget'),
        doc('mine.example/v1', 'FederatedThing'),
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: federatedthings.mine.example}\nspec: {group: mine.example, scope: Namespaced, names: {kind: FederatedThing}}\n',
        'apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata: {name: m}\n',
      ].join('---\n'),
    });
    const flagged = repo.warnings.filter((w) => w.code === 'UNKNOWN_FEDERATION_KIND');
    expect(flagged.map((w) => `${w.line} ${w.object?.kind}`)).toEqual(['1 FederatedDeployment', '5 Thing', '9 PropagationPolicy']);
    expect(flagged[0]?.message).toMatch(/^types.kubefed.example\/v1 FederatedDeployment looks like a federation object, but no dialect reads it: it is a plain template that no policy claims \(dialect kinds: .*types.kubefed.io\/v1beta1 FederatedDeployment/);
  });

  it('reports a dialect object defined twice, naming the first, and only for the same kind, namespace and name', () => {
    const policy = (kind: string, name: string, namespace?: string) => `apiVersion: policy.karmada.io/v1alpha1
kind: ${kind}
metadata: {name: ${name}${namespace ? `, namespace: ${namespace}` : ''}}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]
`;
    expect(
      messages({
        'a.yaml': [policy('PropagationPolicy', 'web', 'shop'), policy('PropagationPolicy', 'web', 'other'), policy('OverridePolicy', 'web', 'shop')].join('---\n'),
        'b.yaml': [policy('ClusterPropagationPolicy', 'web'), policy('PropagationPolicy', 'web', 'shop')].join('---\n'),
        'c.yaml': policy('ClusterPropagationPolicy', 'web'),
      }),
    ).toEqual([
      'b.yaml:7: PropagationPolicy shop/web: defined twice: also in a.yaml:1',
      'c.yaml:1: ClusterPropagationPolicy web: defined twice: also in b.yaml:1',
    ]);
  });
});
