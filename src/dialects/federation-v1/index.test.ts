import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { formatProblem, InputError, type Problem } from '../../errors/index.ts';
import { loadRepository } from '../../load/repository.ts';
import { render, type RenderResult } from '../../render/render.ts';
import type { PreviousRender } from '../../render/types.ts';
import { registry } from '../registry.ts';
import { federationV1Dialect } from './index.ts';

const CLUSTERS = ['a', 'b', 'c']
  .map(
    (name) => `apiVersion: core.kubefed.io/v1beta1
kind: KubeFedCluster
metadata: {name: ${name}, labels: {site: ${name}, tier: ${name === 'c' ? 'bronze' : 'gold'}}}
`,
  )
  .join('---\n');

function replicaSet(annotations: Record<string, string>, replicas: number | null = 6, apiVersion = 'apps/v1', kind = 'ReplicaSet'): string {
  return JSON.stringify({
    apiVersion,
    kind,
    metadata: { name: 'web', namespace: 'prod', annotations },
    spec: { ...(replicas === null ? {} : { replicas }), selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  });
}

const RS = 'federation.kubernetes.io/replica-set-preferences';
const DEPLOY = 'federation.kubernetes.io/deployment-preferences';
const SELECTOR = 'federation.alpha.kubernetes.io/cluster-selector';
const PATH = 'namespaces/prod/ReplicaSet.apps/web.yaml';

function run(files: Record<string, string>, previous?: PreviousRender): RenderResult {
  const repo = loadRepository(Object.entries(files).map(([path, text]) => ({ path, text })), registry);
  return render(repo, [federationV1Dialect], { manifoldVersion: 'test', previous });
}

function replicas(result: RenderResult, path = PATH): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [cluster, files] of result.clusters) {
    const text = files.get(path);
    if (text !== undefined) out[cluster] = (load(text) as { spec: { replicas: unknown } }).spec.replicas;
  }
  return out;
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

describe('federation-v1 dialect', () => {
  it('spreads spec.replicas over every cluster by the preferences, 0-replica clusters included', () => {
    const prefs = JSON.stringify({ rebalance: true, clusters: { a: { minReplicas: 2, maxReplicas: 3, weight: 1 }, b: { weight: 1 } } });
    const result = run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({ [RS]: prefs }, 8) });
    expect(replicas(result)).toEqual({ a: 3, b: 5, c: 0 });
    expect(result.warnings).toEqual([]);
    expect(result.clusters.get('a')?.has('cluster/Namespace/prod.yaml')).toBe(true);
  });

  it('keeps the annotations on the member object and changes nothing but spec.replicas', () => {
    const prefs = '{"clusters": {"*": {"weight": 1}}}';
    const result = run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({ [RS]: prefs }, 3) });
    const obj = load(result.clusters.get('a')?.get(PATH) as string) as { metadata: { annotations: Record<string, string> }; spec: { template: unknown } };
    expect(obj.metadata.annotations[RS]).toBe(prefs);
    expect(obj.spec.template).toEqual({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });
  });

  it('invalid JSON falls back to equal weights with a warning naming the object and the JSON error', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({ [RS]: '{"clusters": {"a": {"weight": 1,}}}' }, 6) });
    expect(replicas(result)).toEqual({ a: 2, b: 2, c: 2 });
    const warning = result.warnings.find((w) => w.code === 'FEDERATION_PREFERENCES_INVALID');
    expect(warning?.object).toMatchObject({ kind: 'ReplicaSet', namespace: 'prod', name: 'web' });
    expect(warning?.message).toMatch(/invalid JSON \(.+\)/);
  });

  it('a type error also falls back, quoting Go-style', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({ [RS]: '{"rebalance": "yes"}' }, 3) });
    expect(replicas(result)).toEqual({ a: 1, b: 1, c: 1 });
    expect(result.warnings[0]?.message).toContain('cannot unmarshal string into Go struct field ReplicaAllocationPreferences.Rebalance of type bool');
  });

  it('reads deployment-preferences on Deployments, not on ReplicaSets', () => {
    const prefs = '{"clusters": {"b": {"weight": 1}}}';
    const deployment = run({ 'c.yaml': CLUSTERS, 'd.json': replicaSet({ [DEPLOY]: prefs }, 4, 'apps/v1', 'Deployment') });
    expect(replicas(deployment, 'namespaces/prod/Deployment.apps/web.yaml')).toEqual({ a: 0, b: 4, c: 0 });
    const misplaced = run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({ [DEPLOY]: prefs }, 4) });
    expect(replicas(misplaced)).toEqual({});
    expect(misplaced.warnings.map((w) => w.code)).toEqual(['FEDERATION_PREFERENCES_MISPLACED', 'UNCLAIMED_TEMPLATES']);
  });

  it('leaves templates without the annotation alone', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({}, 4) });
    expect(result.placements).toEqual([]);
  });

  it('narrows the clusters by the cluster-selector annotation', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({ [RS]: '{"clusters": {"*": {"weight": 1}}}', [SELECTOR]: '[{"key": "tier", "operator": "in", "values": ["gold"]}]' }, 4) });
    expect(replicas(result)).toEqual({ a: 2, b: 2 });
  });

  it('a cluster-selector that does not parse fails the render', () => {
    const problems = problemsOf(() => run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({ [RS]: '{}', [SELECTOR]: '[{"key": "tier", "operator": "in"}]' }) }));
    expect(problems[0]?.code).toBe('CLUSTER_SELECTOR_INVALID');
    expect(problems[0]?.message).toContain("values set can't be empty");
  });

  it('defaults a missing spec.replicas to 1 and warns about retired API versions', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({ [RS]: '{"clusters": {"a": {"weight": 1}}}' }, null, 'extensions/v1beta1') });
    expect(replicas(result, 'namespaces/prod/ReplicaSet.extensions/web.yaml')).toEqual({ a: 1, b: 0, c: 0 });
    expect(result.warnings.map((w) => w.code)).toEqual(['API_VERSION_REMOVED']);
  });

  it('rebalance false keeps the replicas of the previous render', () => {
    const key = 'apps/ReplicaSet/prod/web';
    const previous: PreviousRender = { replicas: new Map([['c', new Map([[key, 5]])]]), clusters: new Set(['a', 'b', 'c']) };
    const prefs = '{"clusters": {"*": {"weight": 1}}}';
    expect(replicas(run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({ [RS]: prefs }, 7) }, previous))).toEqual({ a: 1, b: 1, c: 5 });
    const rebalanced = '{"rebalance": true, "clusters": {"*": {"weight": 1}}}';
    const spread = replicas(run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({ [RS]: rebalanced }, 7) }, previous));
    // Each share rounds up: ceil(7/3) = 3 for the first two in hash order, the last 1.
    expect(Object.values(spread).sort()).toEqual([1, 3, 3]);
  });

  it('warns when replicas fit nowhere', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({ [RS]: '{"clusters": {"a": {"maxReplicas": 2, "weight": 1}}}' }, 5) });
    expect(replicas(result)).toEqual({ a: 2, b: 0, c: 0 });
    expect(result.warnings.find((w) => w.code === 'REPLICAS_UNPLACED')?.message).toContain('3 of 5 replicas');
  });

  it('negative values fail the render: Go would plan with them, the planner cannot', () => {
    const problems = problemsOf(() => run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({ [RS]: '{"clusters": {"a": {"weight": -2}}}' }) }));
    expect(problems[0]?.code).toBe('FEDERATION_PREFERENCES_UNSUPPORTED');
  });

  it('explains the planner arithmetic with the key <namespace>/<name>', () => {
    const result = run({ 'c.yaml': CLUSTERS, 'rs.json': replicaSet({ [RS]: '{"clusters": {"*": {"weight": 1}}}' }, 5) });
    const lines = result.placements[0]?.explain.flatMap((s) => s.lines).join('\n') ?? '';
    expect(lines).toContain('FNV-1-32(cluster + "prod/web")');
    expect(lines).toMatch(/pass 1: 5 to share, weight sum 3/);
  });
});

/** Federation v1's own inventory record (apis/federation/v1beta1/types.go), with the article's spelling as an option. */
function federationClusters(apiVersion = 'federation/v1beta1'): string {
  return ['a', 'b', 'c']
    .map(
      (name) => `apiVersion: ${apiVersion}
kind: Cluster
metadata: {name: ${name}, labels: {tier: ${name === 'c' ? 'bronze' : 'gold'}}}
spec:
  serverAddressByClientCIDRs: [{clientCIDR: 0.0.0.0/0, serverAddress: "https://${name}.example.com"}]
  secretRef: {name: ${name}}
status: {region: r1, zones: [z-${name}]}
`,
    )
    .join('---\n');
}

function flattenKeys(result: RenderResult): string[] {
  return [...result.clusters].flatMap(([c, files]) => [...files.keys()].map((f) => `${c}/${f}`));
}

const CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: prod}\ndata: {a: b}\n';

describe('federation-v1: what a federation syncs', () => {
  it('its own federation/v1beta1 Cluster inventory sends every federated object to every cluster, workloads divided by the default preferences', () => {
    const result = run({ 'c.yaml': federationClusters(), 'rs.json': replicaSet({}, 6), 'cm.yaml': CONFIG_MAP });
    expect(replicas(result)).toEqual({ a: 2, b: 2, c: 2 });
    expect([...result.clusters].filter(([, files]) => files.has('namespaces/prod/ConfigMap/settings.yaml')).map(([c]) => c)).toEqual(['a', 'b', 'c']);
    expect(result.warnings).toEqual([]);
    // Namespaces every cluster has are left alone.
    const system = run({ 'c.yaml': federationClusters(), 'ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: default}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n' });
    expect(flattenKeys(system)).toEqual([]);
    const explain = result.placements.find((p) => p.template.id.kind === 'ReplicaSet')?.explain.flatMap((s) => s.lines) ?? [];
    expect(explain).toContain('no federation.kubernetes.io/replica-set-preferences: the default {"*": {"weight": 1}} spreads the replicas evenly');
  });

  it('the cluster-selector annotation alone claims an object and narrows its clusters (any inventory)', () => {
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: prod\n  annotations: {${SELECTOR}: '[{"key": "tier", "operator": "in", "values": ["gold"]}]'}\ndata: {a: b}\n`;
    const result = run({ 'c.yaml': CLUSTERS, 'cm.yaml': cm, 'rs.json': replicaSet({ [SELECTOR]: '[{"key": "tier", "operator": "!=", "values": ["gold"]}]' }, 5) });
    expect([...result.clusters].filter(([, files]) => files.has('namespaces/prod/ConfigMap/settings.yaml')).map(([c]) => c)).toEqual(['a', 'b']);
    expect(replicas(result)).toEqual({ c: 5 });
  });

  it('a federated Ingress in extensions/v1beta1 goes everywhere, with a warning naming networking.k8s.io/v1', () => {
    const ingress = 'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: web, namespace: prod}\nspec: {backend: {serviceName: web, servicePort: 80}}\n';
    const result = run({ 'c.yaml': federationClusters(), 'i.yaml': ingress });
    expect([...result.clusters].filter(([, files]) => files.has('namespaces/prod/Ingress.extensions/web.yaml')).map(([c]) => c)).toEqual(['a', 'b', 'c']);
    expect(result.warnings.map(formatProblem)).toEqual([
      'i.yaml:1: Ingress prod/web: apiVersion: extensions/v1beta1 Ingress is no longer served since Kubernetes 1.22; the rendered object keeps this apiVersion, so use networking.k8s.io/v1 for current clusters',
    ]);
  });

  it('a kind the federation did not serve is named, not rendered silently; Jobs and HPAs (divided upstream) too', () => {
    const role = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: prod}\nrules: []\n';
    const job = 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: prod}\nspec: {template: {spec: {containers: [{name: c, image: busybox}], restartPolicy: Never}}}\n';
    const result = run({ 'c.yaml': federationClusters(), 'role.yaml': role, 'job.yaml': job });
    expect(result.clusters.get('a')?.size).toBe(0);
    expect(result.warnings.map((w) => `${w.code} ${w.object?.kind}`)).toEqual(['FEDERATION_V1_UNSUPPORTED Job', 'FEDERATION_V1_NOT_FEDERATED Role', 'UNCLAIMED_TEMPLATES undefined']);
  });

  it('reads the article spelling federation/v1 Cluster with a warning', () => {
    const result = run({ 'c.yaml': federationClusters('federation/v1'), 'cm.yaml': CONFIG_MAP });
    expect(result.clusters.size).toBe(3);
    expect(result.warnings.map((w) => `${w.file}:${w.line} ${w.code}: ${w.message}`)).toEqual([
      'c.yaml:1 KIND_MISSPELLED: no Federation release served federation/v1; read as federation/v1beta1 Cluster',
      'c.yaml:9 KIND_MISSPELLED: no Federation release served federation/v1; read as federation/v1beta1 Cluster',
      'c.yaml:17 KIND_MISSPELLED: no Federation release served federation/v1; read as federation/v1beta1 Cluster',
    ]);
  });

  it('answers the fictional extensions/v1beta1 FederatedDeployment with the forms that existed', () => {
    const problems = problemsOf(() => run({ 'c.yaml': federationClusters(), 'd.yaml': 'apiVersion: extensions/v1beta1\nkind: FederatedDeployment\nmetadata: {name: nginx-deployment, namespace: nginx}\nspec: {}\n' }));
    expect(problems.map((p) => `${p.file}:${p.line} ${p.field}`)).toEqual(['d.yaml:2 kind']);
    expect(problems[0]?.message).toContain('extensions/v1beta1 FederatedDeployment never existed');
    expect(problems[0]?.message).toContain('apps/v1 Deployment');
    expect(problems[0]?.message).toContain('federation.kubernetes.io/deployment-preferences');
    expect(problems[0]?.message).toContain('types.kubefed.io/v1beta1 FederatedDeployment with spec.template, spec.placement and spec.overrides');
  });
});
