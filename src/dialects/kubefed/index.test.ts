import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { InputError, type Problem } from '../../errors/index.ts';
import { loadRepository } from '../../load/repository.ts';
import { render, type RenderResult } from '../../render/render.ts';
import type { PreviousRender } from '../../render/types.ts';
import { registry } from '../registry.ts';
import { kubefedDialect } from './index.ts';
import { DEFAULT_TYPE_CONFIGS } from './targets.ts';

const CLUSTERS = `
apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata: {name: east, namespace: kube-federation-system, labels: {region: east}}
---
apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata: {name: west, namespace: kube-federation-system, labels: {region: west}}
`;

const FED_NS = `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata: {name: prod, namespace: prod}
spec:
  placement:
    clusterSelector: {}
`;

function deployment(spec: string, name = 'web', namespace = 'prod'): string {
  return `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
${spec}
`;
}

const TEMPLATE = `  template:
    metadata:
      labels: {app: web}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: web, image: nginx}]
`;

function run(files: Record<string, string>, previous?: PreviousRender): RenderResult {
  const repo = loadRepository(Object.entries(files).map(([path, text]) => ({ path, text })), registry);
  return render(repo, [kubefedDialect], { manifoldVersion: 'test', previous });
}

function problemsOf(fn: () => unknown): Problem[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err.problems;
    throw err;
  }
  throw new Error('expected an InputError');
}

interface Member {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
}

function object(result: RenderResult, cluster: string, path: string): Member {
  const text = result.clusters.get(cluster)?.get(path);
  if (text === undefined) throw new Error(`${cluster}/${path} not rendered; have ${[...(result.clusters.get(cluster)?.keys() ?? [])].join(', ')}`);
  return load(text) as Member;
}

const DEPLOY_PATH = 'namespaces/prod/Deployment.apps/web.yaml';

describe('kubefed dialect: placement', () => {
  it('places a FederatedDeployment and the Namespace of its FederatedNamespace', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'd.yaml': deployment(`${TEMPLATE}  placement:\n    clusters: [{name: west}]`) });
    expect([...(result.clusters.get('east')?.keys() ?? [])]).toEqual(['cluster/Namespace/prod.yaml']);
    expect([...(result.clusters.get('west')?.keys() ?? [])].sort()).toEqual(['cluster/Namespace/prod.yaml', DEPLOY_PATH]);
    expect(object(result, 'east', 'cluster/Namespace/prod.yaml')).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { 'kubefed.io/managed': 'true' } } });
  });

  it('without a FederatedNamespace places nothing and warns naming the namespace', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'd.yaml': deployment(`${TEMPLATE}  placement:\n    clusterSelector: {}`) });
    expect([...result.clusters.values()].every((files) => files.size === 0)).toBe(true);
    const warning = result.warnings.find((w) => w.code === 'NAMESPACE_NOT_FEDERATED');
    expect(warning?.message).toContain('namespace prod has no FederatedNamespace');
    expect(warning?.file).toBe('d.yaml');
  });

  it('a KubeFedConfig with scope Namespaced uses the resource placement verbatim', () => {
    const config = `
apiVersion: core.kubefed.io/v1beta1
kind: KubeFedConfig
metadata: {name: kubefed, namespace: prod}
spec: {scope: Namespaced}
`;
    const result = run({ 'c.yaml': CLUSTERS, 'k.yaml': config, 'd.yaml': deployment(`${TEMPLATE}  placement:\n    clusterSelector: {matchLabels: {region: east}}`) });
    expect(result.clusters.get('east')?.has(DEPLOY_PATH)).toBe(true);
    expect(result.warnings.some((w) => w.code === 'NAMESPACE_NOT_FEDERATED')).toBe(false);
  });

  it('warns about listed clusters that are not in the inventory', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'd.yaml': deployment(`${TEMPLATE}  placement:\n    clusters: [{name: east}, {name: moon}]`) });
    expect(result.clusters.get('east')?.has(DEPLOY_PATH)).toBe(true);
    expect(result.warnings.find((w) => w.code === 'UNKNOWN_CLUSTER')?.message).toContain('"moon"');
  });

  it('ignores a FederatedNamespace not named like its namespace, with a warning', () => {
    const bad = FED_NS.replace('name: prod, namespace: prod', 'name: other, namespace: prod');
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': bad, 'd.yaml': deployment(`${TEMPLATE}  placement:\n    clusterSelector: {}`) });
    expect(result.warnings.map((w) => w.code)).toContain('FEDERATED_NAMESPACE_INVALID_NAME');
    expect(result.warnings.map((w) => w.code)).toContain('NAMESPACE_NOT_FEDERATED');
    expect([...result.clusters.values()].every((files) => files.size === 0)).toBe(true);
  });

  it('never emits the Namespace of a system namespace, yet its FederatedNamespace still places objects', () => {
    const ns = FED_NS.replaceAll('prod', 'default');
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': ns, 'd.yaml': deployment(`${TEMPLATE}  placement:\n    clusterSelector: {}`, 'web', 'default') });
    expect([...(result.clusters.get('east')?.keys() ?? [])]).toEqual(['namespaces/default/Deployment.apps/web.yaml']);
  });

  it('places cluster-scoped kinds without a FederatedNamespace', () => {
    const role = `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedClusterRole
metadata: {name: reader}
spec:
  template:
    rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
  placement: {clusterSelector: {matchLabels: {region: west}}}
`;
    const result = run({ 'c.yaml': CLUSTERS, 'r.yaml': role });
    expect(object(result, 'west', 'cluster/ClusterRole.rbac.authorization.k8s.io/reader.yaml').apiVersion).toBe('rbac.authorization.k8s.io/v1');
    expect(result.clusters.get('east')?.size).toBe(0);
  });
});

describe('kubefed dialect: the member object (reference §2.4)', () => {
  it('drops template annotations and finalizers with a warning, takes name and namespace from the federated object, adds the managed label', () => {
    const spec = `  template:
    metadata:
      name: ignored
      namespace: elsewhere
      labels: {app: web}
      annotations: {team: payments}
      finalizers: [example.com/keep]
    spec: {replicas: 1}
  placement: {clusterSelector: {}}`;
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'd.yaml': deployment(spec) });
    const obj = object(result, 'east', DEPLOY_PATH);
    expect(obj.metadata).toEqual({ name: 'web', namespace: 'prod', labels: { app: 'web', 'kubefed.io/managed': 'true' } });
    expect(obj.apiVersion).toBe('apps/v1');
    expect(obj.kind).toBe('Deployment');
    const codes = result.warnings.map((w) => w.code);
    expect(codes).toContain('TEMPLATE_ANNOTATIONS_DROPPED');
    expect(codes).toContain('TEMPLATE_FINALIZERS_DROPPED');
    expect(result.warnings.find((w) => w.code === 'TEMPLATE_ANNOTATIONS_DROPPED')?.message).toContain('team');
  });

  it('keeps a template apiVersion and the kind from the type config', () => {
    const spec = `  template:
    apiVersion: apps/v1beta2
    kind: Whatever
    spec: {replicas: 1}
  placement: {clusterSelector: {}}`;
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'd.yaml': deployment(spec) });
    const obj = object(result, 'east', DEPLOY_PATH);
    expect([obj.apiVersion, obj.kind]).toEqual(['apps/v1beta2', 'Deployment']);
  });

  it('an override cannot remove the managed label: it is added afterwards', () => {
    const spec = `${TEMPLATE}  placement: {clusterSelector: {}}
  overrides:
    - clusterName: east
      clusterOverrides:
        - {op: remove, path: /metadata/labels}`;
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'd.yaml': deployment(spec) });
    expect(object(result, 'east', DEPLOY_PATH).metadata.labels).toEqual({ 'kubefed.io/managed': 'true' });
    expect(object(result, 'west', DEPLOY_PATH).metadata.labels).toEqual({ app: 'web', 'kubefed.io/managed': 'true' });
  });
});

describe('kubefed dialect: target types', () => {
  const foo = (extra = '') => `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedWidget
metadata: {name: w, namespace: prod}
spec:
  template:${extra}
    spec: {size: 1}
  placement: {clusterSelector: {}}
`;
  const ftc = (propagation: string) => `
apiVersion: core.kubefed.io/v1beta1
kind: FederatedTypeConfig
metadata: {name: widgets.example.com, namespace: kube-federation-system}
spec:
  federatedType: {group: types.kubefed.io, kind: FederatedWidget, pluralName: federatedwidgets, scope: Namespaced, version: v1beta1}
  propagation: ${propagation}
  targetType: {kind: Widget, pluralName: widgets, scope: Namespaced, version: v2}
`;

  it('takes the target from a FederatedTypeConfig (group defaulted from its name)', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'w.yaml': foo(), 'ftc.yaml': ftc('Enabled') + NAMESPACES_FTC });
    expect(object(result, 'east', 'namespaces/prod/Widget.example.com/w.yaml').apiVersion).toBe('example.com/v2');
  });

  it('does not propagate a type whose FederatedTypeConfig is disabled', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'w.yaml': foo(), 'ftc.yaml': ftc('Disabled') + NAMESPACES_FTC });
    expect(result.clusters.get('east')?.has('namespaces/prod/Widget.example.com/w.yaml')).toBe(false);
    expect(result.warnings.find((w) => w.code === 'PROPAGATION_DISABLED')?.message).toContain('propagation: Disabled');
  });

  it('falls back to the template apiVersion', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'w.yaml': foo('\n    apiVersion: example.com/v1') });
    expect(object(result, 'west', 'namespaces/prod/Widget.example.com/w.yaml').kind).toBe('Widget');
  });

  it('refuses a template apiVersion the API server would not serve, as the loader does for a template', () => {
    const problems = problemsOf(() => run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'w.yaml': foo('\n    apiVersion: Example.COM/v1/x') }));
    expect(problems.map((p) => [p.code, p.file, p.field])).toEqual([['SCHEMA_INVALID', 'w.yaml', 'spec.template.apiVersion']]);
  });

  it('fails when nothing names the target type', () => {
    const problems = problemsOf(() => run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'w.yaml': foo() }));
    expect(problems[0]?.code).toBe('UNKNOWN_FEDERATED_TYPE');
    expect(problems[0]?.message).toContain('FederatedWidget');
  });
});

/** The namespaces type config of kubernetes-sigs/kubefed config/enabletypedirectives/namespaces.yaml. */
const NAMESPACES_FTC = `---
apiVersion: core.kubefed.io/v1beta1
kind: FederatedTypeConfig
metadata: {name: namespaces, namespace: kube-federation-system}
spec:
  federatedType: {group: types.kubefed.io, kind: FederatedNamespace, pluralName: federatednamespaces, scope: Namespaced, version: v1beta1}
  propagation: Enabled
  targetType: {kind: Namespace, pluralName: namespaces, scope: Cluster, version: v1}
`;

/** Shaped like kubernetes-sigs/kubefed example/sample1/federatedingress.yaml: an extensions/v1beta1 body, no template apiVersion. */
const FED_INGRESS = (templateApiVersion = '') => `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedIngress
metadata: {name: web, namespace: prod}
spec:
  template:${templateApiVersion ? `\n    apiVersion: ${templateApiVersion}` : ''}
    spec:
      rules:
        - host: web.example.com
          http:
            paths:
              - path: /
                backend: {serviceName: web, servicePort: 80}
  placement: {clusterSelector: {}}
`;

describe('kubefed dialect: type configs and served API versions', () => {
  it('without FederatedTypeConfigs a FederatedIngress is KubeFed\'s default extensions/v1beta1 Ingress, body and apiVersion together, with a warning naming the replacement', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'i.yaml': FED_INGRESS() });
    const ingress = object(result, 'east', 'namespaces/prod/Ingress.extensions/web.yaml');
    expect(ingress.apiVersion).toBe('extensions/v1beta1');
    const warning = result.warnings.find((w) => w.code === 'API_VERSION_REMOVED');
    expect(warning?.message).toContain("the member object is extensions/v1beta1 Ingress (KubeFed's default type config (no FederatedTypeConfig in the source)), which Kubernetes 1.22 and later no longer serve: use networking.k8s.io/v1");
    expect(warning?.file).toBe('i.yaml');
  });

  it('never emits an Ingress whose body belongs to another API version', () => {
    const problems = problemsOf(() => run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'i.yaml': FED_INGRESS('networking.k8s.io/v1') }));
    expect(problems.map((p) => `${p.code} ${p.line} ${p.field}`)).toEqual(['API_VERSION_BODY_MISMATCH 14 spec.template.spec.rules[0].http.paths[0].backend']);
    expect(problems[0]?.message).toContain('networking.k8s.io/v1 Ingress has no serviceName/servicePort');
  });

  it('a backend that is not an object is left to the API server, not a crash', () => {
    const odd = FED_INGRESS().replace('backend: {serviceName: web, servicePort: 80}', 'backend: web');
    expect(object(run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'i.yaml': odd }), 'east', 'namespaces/prod/Ingress.extensions/web.yaml').kind).toBe('Ingress');
  });

  it('with FederatedTypeConfigs in the source, a Federated kind without one propagates nothing, loudly', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'ftc.yaml': NAMESPACES_FTC, 'd.yaml': deployment(`${TEMPLATE}  placement: {clusterSelector: {}}`) });
    expect(result.clusters.get('east')?.has(DEPLOY_PATH)).toBe(false);
    const warning = result.warnings.find((w) => w.code === 'TYPE_NOT_FEDERATED');
    expect(`${warning?.file}:${warning?.line} ${warning?.message}`).toBe(
      'd.yaml:3 no FederatedTypeConfig of the source federates FederatedDeployment: KubeFed runs no sync controller for it and propagates nothing. Add its FederatedTypeConfig (kubefedctl enable Deployment)',
    );
  });

  it('the default type table is exactly the type configs KubeFed installs', () => {
    expect(Object.entries(DEFAULT_TYPE_CONFIGS).map(([kind, [group, version, scope]]) => `${group}/${version}/${kind}/${scope}`).sort()).toEqual([
      '/v1/ConfigMap/Namespaced',
      '/v1/Namespace/Cluster',
      '/v1/Secret/Namespaced',
      '/v1/Service/Namespaced',
      '/v1/ServiceAccount/Namespaced',
      'apps/v1/Deployment/Namespaced',
      'apps/v1/ReplicaSet/Namespaced',
      'batch/v1/Job/Namespaced',
      'extensions/v1beta1/Ingress/Namespaced',
      'rbac.authorization.k8s.io/v1/ClusterRole/Cluster',
    ]);
  });
});

describe('kubefed dialect: bad overrides fail the render', () => {
  const withOverrides = (overrides: string) => deployment(`${TEMPLATE}  placement: {clusterSelector: {}}\n  overrides:\n${overrides}`);

  it('a cluster listed twice', () => {
    const problems = problemsOf(() =>
      run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'd.yaml': withOverrides('    - {clusterName: east, clusterOverrides: []}\n    - {clusterName: east, clusterOverrides: []}') }),
    );
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'OVERRIDE_INVALID', file: 'd.yaml', field: 'spec.overrides[1].clusterName' });
    expect(problems[0]?.message).toContain('cluster "east" appears more than once');
  });

  it('a forbidden path', () => {
    const problems = problemsOf(() =>
      run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'd.yaml': withOverrides('    - clusterName: east\n      clusterOverrides:\n        - {path: /metadata/name, value: other}') }),
    );
    expect(problems[0]?.code).toBe('OVERRIDE_INVALID');
    expect(problems[0]?.message).toContain('invalid path: /metadata/name');
  });

  it('a missing parent path names the object, the cluster and the override', () => {
    const problems = problemsOf(() =>
      run({
        'c.yaml': CLUSTERS,
        'ns.yaml': FED_NS,
        'd.yaml': withOverrides('    - clusterName: west\n      clusterOverrides:\n        - {path: /spec/replicas, value: 4}\n        - {path: /metadata/annotations/team, value: x}'),
      }),
    );
    expect(problems).toHaveLength(1);
    const p = problems[0] as Problem;
    expect(p.code).toBe('OVERRIDE_FAILED');
    expect(p.object).toMatchObject({ kind: 'FederatedDeployment', namespace: 'prod', name: 'web' });
    expect(p.field).toBe('spec.overrides[0].clusterOverrides[1]');
    expect(p.message).toContain('cluster west');
    expect(p.message).toContain('/metadata/annotations/team');
    expect(p.line).toBeGreaterThan(10);
  });

  it('an override for a cluster outside the inventory is a warning', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'd.yaml': withOverrides('    - clusterName: mars\n      clusterOverrides: [{path: /spec/replicas, value: 1}]') });
    expect(result.warnings.find((w) => w.code === 'UNKNOWN_CLUSTER')?.message).toContain('"mars"');
  });
});

describe('kubefed dialect: schema', () => {
  it('rejects unknown spec fields, bad ops and selectors KubeFed cannot parse', () => {
    const spec = `  templat: {}
  placement:
    clusterSelector: {matchExpressions: [{key: region, operator: In}]}
  overrides: [{clusterName: east, clusterOverrides: [{op: move, path: /a}]}]`;
    const problems = problemsOf(() => run({ 'c.yaml': CLUSTERS, 'd.yaml': deployment(spec) }));
    const fields = problems.map((p) => p.field);
    expect(fields).toContain('spec.templat');
    expect(fields).toContain('spec.placement.clusterSelector.matchExpressions[0].values');
    expect(fields).toContain('spec.overrides[0].clusterOverrides[0].op');
  });

  it('reports an unknown types.kubefed.io version as an unknown kind', () => {
    const problems = problemsOf(() => run({ 'd.yaml': deployment(TEMPLATE).replace('v1beta1', 'v1alpha2') }));
    expect(problems[0]?.code).toBe('UNKNOWN_KIND');
  });
});

describe('kubefed dialect: ReplicaSchedulingPreference', () => {
  const rsp = (spec: string) => `
apiVersion: scheduling.kubefed.io/v1alpha1
kind: ReplicaSchedulingPreference
metadata: {name: web, namespace: prod}
spec:
${spec}
`;
  const three = `${CLUSTERS}---
apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata: {name: north, namespace: kube-federation-system, labels: {region: north}}
`;

  it('replaces placement.clusters with every candidate, 0-replica clusters included, and beats the template and user overrides', () => {
    const files = {
      'c.yaml': three,
      'ns.yaml': FED_NS,
      'd.yaml': deployment(`${TEMPLATE}  placement: {clusters: [{name: east}]}\n  overrides: [{clusterName: east, clusterOverrides: [{path: /spec/replicas, value: 10}]}]`),
      'r.yaml': rsp('  targetKind: FederatedDeployment\n  totalReplicas: 3\n  clusters:\n    east: {weight: 2}\n    west: {weight: 1}'),
    };
    const result = run(files);
    const replicas = ['east', 'north', 'west'].map((c) => object(result, c, DEPLOY_PATH).spec.replicas);
    expect(replicas).toEqual([2, 0, 1]);
  });

  it('the planned replicas of clusters the FederatedNamespace excludes are lost, with a warning', () => {
    const ns = FED_NS.replace('clusterSelector: {}', 'clusters: [{name: east}]');
    const files = {
      'c.yaml': CLUSTERS,
      'ns.yaml': ns,
      'd.yaml': deployment(`${TEMPLATE}  placement: {clusterSelector: {}}`),
      'r.yaml': rsp('  targetKind: FederatedDeployment\n  totalReplicas: 4'),
    };
    const result = run(files);
    expect(object(result, 'east', DEPLOY_PATH).spec.replicas).toBe(2);
    expect(result.clusters.get('west')?.has(DEPLOY_PATH)).toBe(false);
    expect(result.warnings.find((w) => w.code === 'RSP_REPLICAS_EXCLUDED')?.message).toContain('2 replica(s) planned for west');
  });

  it('rebalance false keeps the replicas of the previous render', () => {
    const files = {
      'c.yaml': CLUSTERS,
      'ns.yaml': FED_NS,
      'd.yaml': deployment(`${TEMPLATE}  placement: {clusterSelector: {}}`),
      'r.yaml': rsp('  targetKind: FederatedDeployment\n  totalReplicas: 6'),
    };
    const key = 'apps/Deployment/prod/web';
    const previous: PreviousRender = { replicas: new Map([['west', new Map([[key, 5]])]]), clusters: new Set(['east', 'west']) };
    const result = run(files, previous);
    expect([object(result, 'east', DEPLOY_PATH).spec.replicas, object(result, 'west', DEPLOY_PATH).spec.replicas]).toEqual([1, 5]);
    const rebalanced = run({ ...files, 'r.yaml': rsp('  targetKind: FederatedDeployment\n  totalReplicas: 6\n  rebalance: true') }, previous);
    expect([object(rebalanced, 'east', DEPLOY_PATH).spec.replicas, object(rebalanced, 'west', DEPLOY_PATH).spec.replicas]).toEqual([3, 3]);
  });

  it('explains the planner arithmetic', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'ns.yaml': FED_NS, 'd.yaml': deployment(`${TEMPLATE}  placement: {clusterSelector: {}}`), 'r.yaml': rsp('  targetKind: FederatedDeployment\n  totalReplicas: 5') });
    const placement = result.placements.find((p) => p.template.id.kind === 'Deployment');
    const section = placement?.explain.find((s) => s.title.startsWith('Replica scheduling'));
    expect(section?.lines.join('\n')).toMatch(/order by weight desc, then FNV-1-32\(cluster \+ "prod\/web"\)/);
    expect(section?.lines.join('\n')).toMatch(/pass 1: 5 to share/);
  });

  it('warns about RSPs KubeFed ignores', () => {
    const wrongKind = run({ 'c.yaml': CLUSTERS, 'r.yaml': rsp('  targetKind: FederatedStatefulSet\n  totalReplicas: 1') });
    expect(wrongKind.warnings.map((w) => w.code)).toEqual(['RSP_IGNORED']);
    const missing = run({ 'c.yaml': CLUSTERS, 'r.yaml': rsp('  targetKind: FederatedDeployment\n  totalReplicas: 1') });
    expect(missing.warnings.map((w) => w.code)).toEqual(['RSP_TARGET_MISSING']);
  });

  it('with intersectWithClusterSelector and a clusters-only placement the RSP does nothing', () => {
    const files = {
      'c.yaml': CLUSTERS,
      'ns.yaml': FED_NS,
      'd.yaml': deployment(`${TEMPLATE}  placement: {clusters: [{name: east}]}`),
      'r.yaml': rsp('  targetKind: FederatedDeployment\n  totalReplicas: 9\n  intersectWithClusterSelector: true'),
    };
    const result = run(files);
    expect(object(result, 'east', DEPLOY_PATH).spec.replicas).toBe(2);
    expect(result.clusters.get('west')?.has(DEPLOY_PATH)).toBe(false);
  });
});
