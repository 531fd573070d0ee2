import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../dialects/index.ts';
import { InputError } from '../errors/index.ts';
import { loadRepository } from '../load/repository.ts';
import { render, type RenderResult } from './render.ts';
import { scaledWeights } from './traffic.ts';
import type { PreviousRender } from './types.ts';

const CLUSTERS = ['edge', 'a', 'b', 'c']
  .map((name) => `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${name}\n  labels:\n    role: ${name === 'edge' ? 'edge' : 'app'}\n`)
  .join('---\n');

function deployment(replicas: number): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n`;
}

/** Divided over a:b:c with these static weights (0 leaves a cluster out of the division). */
function policy(weights: [number, number, number]): string {
  const list = (['a', 'b', 'c'] as const)
    .map((c, i) => `          - targetCluster: {clusterNames: [${c}]}\n            weight: ${weights[i]}\n`)
    .join('');
  return `apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]\n  placement:\n    clusterAffinity: {labelSelector: {matchLabels: {role: app}}}\n    replicaScheduling:\n      replicaSchedulingType: Divided\n      replicaDivisionPreference: Weighted\n      weightPreference:\n        staticWeightList:\n${list}`;
}

const SPLIT = `apiVersion: manifold.dev/v1alpha1
kind: TrafficSplit
metadata:
  name: web
  namespace: shop
spec:
  workload: {apiVersion: apps/v1, kind: Deployment, name: web}
  entryPoints:
    clusters:
      - {cluster: a, addresses: ["10.0.0.1:80", "10.0.0.2:80"]}
      - {cluster: b, addresses: ["10.0.1.1:80"]}
      - {cluster: c, addresses: ["10.0.2.1:80"]}
  extraServers:
    - {address: "10.9.0.1:8080", weight: 10, backendRef: {name: vm, port: 8080}}
  outputs:
    - cluster: edge
      nginx: {configMap: {name: web-upstream, namespace: edge}}
    - cluster: edge
      httpRoute:
        name: web
        namespace: edge
        parentRefs: [{name: gw}]
        clusterBackendRef: {name: "web-\${MEMBER-CLUSTER-NAME}", port: 80}
`;

function renderFiles(files: Record<string, string>, previous?: PreviousRender): RenderResult {
  const repo = loadRepository(Object.entries(files).map(([path, text]) => ({ path, text })), registry);
  return render(repo, dialects, { manifoldVersion: 'test', previous });
}

function source(overrides: Record<string, string> = {}): Record<string, string> {
  return { 'clusters.yaml': CLUSTERS, 'app.yaml': deployment(10), 'policy.yaml': policy([2, 2, 1]), 'traffic.yaml': SPLIT, ...overrides };
}

const UPSTREAM = 'namespaces/edge/ConfigMap/web-upstream.yaml';
const ROUTE = 'namespaces/edge/HTTPRoute.gateway.networking.k8s.io/web.yaml';

/** `address weight` of each server line of the generated upstream. */
function serverLines(result: RenderResult): string[] {
  const text = result.clusters.get('edge')?.get(UPSTREAM) ?? '';
  return [...text.matchAll(/server (\S+) weight=(\d+);/g)].map((m) => `${m[1]} ${m[2]}`);
}

function routeWeights(result: RenderResult): string[] {
  const text = result.clusters.get('edge')?.get(ROUTE) ?? '';
  return [...text.matchAll(/- name: (\S+)\n\s+port: \d+\n\s+weight: (\d+)/g)].map((m) => `${m[1]} ${m[2]}`);
}

function problemsOf(files: Record<string, string>): string[] {
  try {
    renderFiles(files);
  } catch (err) {
    if (err instanceof InputError) return err.message.split('\n');
    throw err;
  }
  return [];
}

describe('TrafficSplit: weights follow the placed replicas', () => {
  it("gives each entry point the article's round(pods × 10 / entry points), at least 1, and each HTTPRoute backend pods × 10", () => {
    const result = renderFiles(source());
    // 10 replicas 2:2:1 → a 4, b 4, c 2.
    expect(serverLines(result)).toEqual(['10.0.0.1:80 20', '10.0.0.2:80 20', '10.0.1.1:80 40', '10.0.2.1:80 20', '10.9.0.1:8080 10']);
    expect(routeWeights(result)).toEqual(['web-a 40', 'web-b 40', 'web-c 20', 'vm 10']);
    // Only the edge cluster receives the outputs (and their namespace).
    expect([...(result.clusters.get('edge')?.keys() ?? [])]).toEqual(['cluster/Namespace/edge.yaml', UPSTREAM, ROUTE]);
    expect(result.clusters.get('a')?.has(UPSTREAM)).toBe(false);
  });

  it('re-weights after a replica change', () => {
    const result = renderFiles(source({ 'app.yaml': deployment(20) }));
    expect(serverLines(result)).toEqual(['10.0.0.1:80 40', '10.0.0.2:80 40', '10.0.1.1:80 80', '10.0.2.1:80 40', '10.9.0.1:8080 10']);
  });

  it('reads the replicas after overrides: an OverridePolicy that sets replicas in one cluster moves its traffic', () => {
    const override = `apiVersion: policy.karmada.io/v1alpha1\nkind: OverridePolicy\nmetadata: {name: more-in-c, namespace: shop}\nspec:\n  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]\n  overrideRules:\n    - targetCluster: {clusterNames: [c]}\n      overriders:\n        plaintext: [{path: /spec/replicas, operator: replace, value: 7}]\n`;
    const result = renderFiles(source({ 'override.yaml': override }));
    expect(serverLines(result)).toContain('10.0.2.1:80 70');
    expect(routeWeights(result)).toContain('web-c 70');
  });

  it('reads the replicas of steady-state placement: Karmada scaling up from a previous render (dynamic weights)', () => {
    // Karmada's dynamic division scales up by dividing only the new replicas and keeps the previous ones where they are.
    const key = 'apps/Deployment/shop/web';
    const previous: PreviousRender = {
      replicas: new Map([['a', new Map([[key, 2]])], ['b', new Map([[key, 6]])], ['c', new Map([[key, 2]])]]),
      clusters: new Set(['edge', 'a', 'b', 'c']),
    };
    const dynamic = policy([1, 1, 1]).replace(/weightPreference:\n[\s\S]*$/, 'weightPreference:\n          dynamicWeight: AvailableReplicas\n');
    const withCapacity = CLUSTERS.replaceAll('    role: app\n', '    role: app\nstatus:\n  resourceSummary:\n    allocatable: {cpu: "100", memory: 100Gi, pods: "100"}\n');
    const files = source({ 'clusters.yaml': withCapacity, 'app.yaml': deployment(12), 'policy.yaml': dynamic, 'traffic.yaml': SPLIT.replace('["10.0.0.1:80", "10.0.0.2:80"]', '["10.0.0.1:80"]') });
    const fresh = renderFiles(files);
    const steady = renderFiles(files, previous);
    const replicas = (r: RenderResult) => ['a', 'b', 'c'].map((c) => Number(/replicas: (\d+)/.exec(r.clusters.get(c)?.get('namespaces/shop/Deployment.apps/web.yaml') ?? '')?.[1] ?? 0));
    expect(replicas(steady)).not.toEqual(replicas(fresh));
    expect(replicas(steady)[1]).toBeGreaterThanOrEqual(6);
    // The weights are those of the steady placement, not of a fresh division.
    expect(routeWeights(steady).slice(0, 3)).toEqual(replicas(steady).map((n, i) => `web-${'abc'[i]} ${n * 10}`));
    expect(serverLines(steady).slice(0, 3)).toEqual(replicas(steady).map((n, i) => `10.0.${i}.1:80 ${n * 10}`));
  });

  it('gives a cluster with 0 replicas no server line and HTTPRoute weight 0 (no traffic); a cluster not placed, no backendRef', () => {
    // Karmada's division leaves clusters with 0 replicas out; an override can still set 0 in a placed cluster.
    const zero = `apiVersion: policy.karmada.io/v1alpha1\nkind: OverridePolicy\nmetadata: {name: drain-c, namespace: shop}\nspec:\n  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]\n  overrideRules:\n    - targetCluster: {clusterNames: [c]}\n      overriders:\n        plaintext: [{path: /spec/replicas, operator: replace, value: 0}]\n`;
    const onlyAC = policy([1, 1, 1]).replace('labelSelector: {matchLabels: {role: app}}', 'clusterNames: [a, c]');
    const result = renderFiles(source({ 'override.yaml': zero, 'policy.yaml': onlyAC }));
    expect(serverLines(result)).toEqual(['10.0.0.1:80 25', '10.0.0.2:80 25', '10.9.0.1:8080 10']);
    expect(routeWeights(result)).toEqual(['web-a 50', 'web-c 0', 'vm 10']);
  });

  it('rounds half up and keeps at least 1 per entry point', () => {
    const split = SPLIT.replace('["10.0.0.1:80", "10.0.0.2:80"]', '["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80", "10.0.0.5:80", "10.0.0.6:80", "10.0.0.7:80", "10.0.0.8:80"]').replace('weight: 10, backendRef', 'weight: 3, backendRef');
    // 5 replicas 1:1:1 → a 2, b 2, c 1 (Karmada's remainder order); a: 2 × 1 / 8 = 0.25 → 1.
    const result = renderFiles(source({ 'app.yaml': deployment(5), 'policy.yaml': policy([1, 1, 1]), 'traffic.yaml': split.replace('spec:\n  workload', 'spec:\n  weightPerPod: 1\n  workload') }));
    const a = serverLines(result).filter((l) => l.startsWith('10.0.0.'));
    expect(a).toHaveLength(8);
    expect(new Set(a.map((l) => l.split(' ')[1]))).toEqual(new Set(['1']));
  });

  it('scales HTTPRoute weights above 1,000,000 down proportionally and says so', () => {
    expect(scaledWeights([2_000_000, 1_000_000, 0, 1])).toEqual({ weights: [1_000_000, 500_000, 0, 1], factor: '1000000/2000000' });
    expect(scaledWeights([40, 0])).toEqual({ weights: [40, 0] });
    const result = renderFiles(source({ 'app.yaml': deployment(200_000), 'traffic.yaml': SPLIT.replace('spec:\n  workload', 'spec:\n  weightPerPod: 100\n  workload') }));
    // a 80,000 × 100 = 8,000,000 → 1,000,000; c 40,000 × 100 → 500,000; the VM's 10 → round(1.25) = 1.
    expect(routeWeights(result)).toEqual(['web-a 1000000', 'web-b 1000000', 'web-c 500000', 'vm 1']);
    expect(result.warnings.map((w) => w.code)).toContain('TRAFFIC_WEIGHTS_SCALED');
  });

  it('reads entry points from an inventory annotation', () => {
    const clusters = CLUSTERS.replace('name: b\n', 'name: b\n  annotations:\n    lb/entry: "10.5.0.1:443, 10.5.0.2:443"\n');
    const split = SPLIT.replace('      - {cluster: b, addresses: ["10.0.1.1:80"]}\n', '').replace('  entryPoints:\n', '  entryPoints:\n    annotation: lb/entry\n');
    const result = renderFiles(source({ 'clusters.yaml': clusters, 'traffic.yaml': split }));
    expect(serverLines(result)).toContain('10.5.0.2:443 20');
  });

  it('is byte-identical across renders', () => {
    const a = renderFiles(source()).clusters.get('edge');
    const b = renderFiles(source()).clusters.get('edge');
    expect([...(a ?? [])]).toEqual([...(b ?? [])]);
  });
});

describe('TrafficSplit over other dialects', () => {
  it('KubeFed: the FederatedDeployment of examples/kubefed, its RSP division and per-cluster override', async () => {
    const { readSourceFolder } = await import('../load/source.ts');
    const files = await readSourceFolder(new URL('../../examples/kubefed', import.meta.url).pathname);
    const split = [
      'apiVersion: manifold.dev/v1alpha1',
      'kind: TrafficSplit',
      'metadata: {name: fed-deploy, namespace: fed-ns}',
      'spec:',
      '  workload: {apiVersion: apps/v1, kind: Deployment, name: fed-deploy}',
      '  entryPoints:',
      '    clusters:',
      '      - {cluster: cluster-1, addresses: ["10.0.1.1:80"]}',
      '      - {cluster: cluster-2, addresses: ["10.0.2.1:80"]}',
      '  outputs:',
      '    - {cluster: cluster-1, nginx: {configMap: {name: fed-deploy-upstream}}}',
      '',
    ].join('\n');
    const repo = loadRepository([...files, { path: 'traffic.yaml', text: split }], registry);
    const result = render(repo, dialects, { manifoldVersion: 'test' });
    const replicas = (c: string) => Number(/replicas: (\d+)/.exec(result.clusters.get(c)?.get('namespaces/fed-ns/Deployment.apps/fed-deploy.yaml') ?? '')?.[1]);
    const upstream = result.clusters.get('cluster-1')?.get('namespaces/fed-ns/ConfigMap/fed-deploy-upstream.yaml') ?? '';
    expect([...upstream.matchAll(/server (\S+) weight=(\d+);/g)].map((m) => `${m[1]} ${m[2]}`)).toEqual([`10.0.1.1:80 ${replicas('cluster-1') * 10}`, `10.0.2.1:80 ${replicas('cluster-2') * 10}`]);
    expect(replicas('cluster-1')).toBeGreaterThan(0);
  });
});

describe('TrafficSplit: bad input names the file and field (exit 2)', () => {
  it('a workload that does not exist', () => {
    expect(problemsOf(source({ 'traffic.yaml': SPLIT.replace('name: web}', 'name: webb}') }))).toEqual([
      'traffic.yaml:7: TrafficSplit shop/web: spec.workload.name: no template Deployment shop/webb (apps group) in the source',
    ]);
  });

  it('a workload that is placed nowhere', () => {
    const app = `${deployment(10)}---\n${deployment(3).replace('name: web\n', 'name: lonely\n')}`;
    const problems = problemsOf(source({ 'app.yaml': app, 'traffic.yaml': SPLIT.replace('name: web}', 'name: lonely}') }));
    expect(problems).toEqual(['traffic.yaml:7: TrafficSplit shop/web: spec.workload: Deployment shop/lonely is placed in no cluster, so no cluster can take its traffic']);
  });

  it('a cluster with replicas but no entry points', () => {
    const problems = problemsOf(source({ 'traffic.yaml': SPLIT.replace('      - {cluster: c, addresses: ["10.0.2.1:80"]}\n', '') }));
    expect(problems).toEqual([
      'traffic.yaml:8: TrafficSplit shop/web: spec.entryPoints: cluster c runs 2 replicas of Deployment shop/web but has no entry points (list it under spec.entryPoints.clusters)',
    ]);
  });

  it('duplicate addresses', () => {
    const problems = problemsOf(source({ 'traffic.yaml': SPLIT.replace('10.0.2.1:80', '10.0.0.2:80') }));
    expect(problems).toEqual(['traffic.yaml:12: TrafficSplit shop/web: spec.entryPoints.clusters[2].addresses[0]: address 10.0.0.2:80 of cluster c is also an entry point of cluster a']);
  });

  it('an output cluster that is not in the inventory', () => {
    const problems = problemsOf(source({ 'traffic.yaml': SPLIT.replace('    - cluster: edge\n      nginx', '    - cluster: egde\n      nginx') }));
    expect(problems).toEqual(['traffic.yaml:16: TrafficSplit shop/web: spec.outputs[0].cluster: cluster egde is not in the inventory']);
  });

  it('an address that is not host:port, and an output with two kinds', () => {
    const problems = problemsOf(source({ 'traffic.yaml': SPLIT.replace('10.0.1.1:80', '10.0.1.1').replace('      nginx: {configMap', '      httpRoute: {name: x, parentRefs: [{name: gw}], clusterBackendRef: {name: y}}\n      nginx: {configMap') }));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^traffic\.yaml:11: TrafficSplit shop\/web: spec\.entryPoints\.clusters\[1\]\.addresses\[0\]: "10\.0\.1\.1" must be host:port/);
    expect(problems[1]).toMatch(/^traffic\.yaml:16: TrafficSplit shop\/web: spec\.outputs\[0\]: must set exactly one of nginx, httpRoute/);
  });

  it('an HTTPRoute backendRef that is the same for every cluster', () => {
    const problems = problemsOf(source({ 'traffic.yaml': SPLIT.replace('web-${MEMBER-CLUSTER-NAME}', 'web') }));
    expect(problems[0]).toMatch(/spec\.outputs\[1\]\.httpRoute\.clusterBackendRef\.name: a and b get the same backendRef web/);
  });

  it('a backendRef name that is not a DNS name once the variables are filled in, and an output name that would escape its folder', () => {
    expect(problemsOf(source({ 'traffic.yaml': SPLIT.replace('web-${MEMBER-CLUSTER-NAME}', 'Web_${MEMBER-CLUSTER-NAME}') }))[0]).toMatch(/clusterBackendRef\.name: for cluster a: "Web_a" must be a DNS-1123 subdomain/);
    expect(problemsOf(source({ 'traffic.yaml': SPLIT.replace('name: web-upstream', 'name: ../web') }))[0]).toMatch(/^traffic\.yaml:17: TrafficSplit shop\/web: spec\.outputs\[0\]\.nginx\.configMap\.name: "\.\.\/web" must be a DNS-1123 subdomain/);
  });

  it('a cluster listed twice under entryPoints.clusters', () => {
    expect(problemsOf(source({ 'traffic.yaml': SPLIT.replace('{cluster: c, addresses', '{cluster: a, addresses') }))).toEqual([
      'traffic.yaml:12: TrafficSplit shop/web: spec.entryPoints.clusters[2].cluster: cluster a is listed twice; list all its addresses in one entry',
    ]);
  });

  it('an empty entry point annotation names no entry point', () => {
    const clusters = CLUSTERS.replace('name: b\n', 'name: b\n  annotations:\n    lb/entry: " , "\n');
    const split = SPLIT.replace('      - {cluster: b, addresses: ["10.0.1.1:80"]}\n', '').replace('  entryPoints:\n', '  entryPoints:\n    annotation: lb/entry\n');
    expect(problemsOf(source({ 'clusters.yaml': clusters, 'traffic.yaml': split }))).toEqual([
      'traffic.yaml:8: TrafficSplit shop/web: spec.entryPoints: cluster b runs 4 replicas of Deployment shop/web but has no entry points (list it under spec.entryPoints.clusters or annotate its inventory object with lb/entry)',
    ]);
  });

  it('two TrafficSplits (or two outputs) that generate the same object', () => {
    const twin = SPLIT.replace('  name: web\n  namespace: shop', '  name: web2\n  namespace: shop');
    expect(problemsOf(source({ 'traffic2.yaml': twin }))).toEqual([
      'traffic2.yaml:16: TrafficSplit shop/web2: spec.outputs[0]: ConfigMap edge/web-upstream is also generated by TrafficSplit shop/web (traffic.yaml:16)',
      'traffic2.yaml:18: TrafficSplit shop/web2: spec.outputs[1]: HTTPRoute edge/web is also generated by TrafficSplit shop/web (traffic.yaml:18)',
    ]);
  });

  it('an unknown cluster variable in the backendRef', () => {
    const problems = problemsOf(source({ 'traffic.yaml': SPLIT.replace('${MEMBER-CLUSTER-NAME}', '${MEMBER-CLUSTER-NAEM}') }));
    expect(problems[0]).toMatch(/spec\.outputs\[1\]\.httpRoute\.clusterBackendRef\.name: for cluster a: unknown variable \$\{MEMBER-CLUSTER-NAEM\}/);
  });
});
