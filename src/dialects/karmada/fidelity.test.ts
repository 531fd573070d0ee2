/**
 * Karmada fidelity cases of issue 11, rendered end to end from source files
 * (load, validate, match, schedule, emit). Each case has a twin whose
 * templates omit metadata.namespace, as upstream examples usually do.
 */
import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../index.ts';
import { formatProblem, InputError, type Problem } from '../../errors/index.ts';
import { loadRepository } from '../../load/repository.ts';
import { render, type RenderResult } from '../../render/render.ts';

export function renderFiles(files: Record<string, string>): RenderResult {
  const repo = loadRepository(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    registry,
  );
  return render(repo, dialects, { manifoldVersion: 'test' });
}

export function problemsOf(files: Record<string, string>): Problem[] {
  try {
    renderFiles(files);
  } catch (err) {
    if (err instanceof InputError) return err.problems;
    throw err;
  }
  throw new Error('expected the render to be refused');
}

/** cluster → the files it received, for the clusters that received any. */
export function placed(result: RenderResult): Record<string, string[]> {
  return Object.fromEntries(
    [...result.clusters].filter(([, files]) => files.size > 0).map(([cluster, files]) => [cluster, [...files.keys()].sort()]),
  );
}

export const nginx = (namespace: string | undefined, replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
${namespace === undefined ? '' : `  namespace: ${namespace}\n`}spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers: [{name: nginx, image: nginx}]
`;

export const twins = [
  ['metadata.namespace: default', 'default'],
  ['no metadata.namespace', undefined],
] as const;

/**
 * PropagationPolicy nginx-propagation selecting the Deployment nginx; `rest`
 * is the rest of its spec (placement…). `namespace` writes metadata.namespace.
 */
const nginxPolicy = (rest: string, namespace?: string) => `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: nginx-propagation
${namespace === undefined ? '' : `  namespace: ${namespace}\n`}spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: nginx
${rest}`;

// karmada artifacts/example/cr_cluster.yaml (v1.18.0), the Secret left out.
const crCluster = `apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata:
  name: cluster-foo
  namespace: karmada-cluster
spec:
  syncMode: Push
  apiEndpoint: https://10.10.10.10:6339
  secretRef:
    namespace: karmada-cluster
    name: secret-foo
  provider: huaweicloud
  region: ap-southeast-1
  zone: az-1
`;
const otherCluster = `apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata:
  name: cluster-bar
spec:
  region: ap-southeast-1
  zones: [az-2]
`;

describe('deprecated Cluster.spec.zone becomes zones (karmada pkg/apis/cluster/mutation/mutation.go migrateZoneToZones)', () => {
  const zonePolicy = (operator: string) =>
    nginxPolicy(`  placement:
    clusterAffinity:
      fieldSelector:
        matchExpressions:
          - key: zone
            operator: ${operator}
            values: [az-1]
`);
  it.each(twins)('a zone selector sees the cluster of artifacts/example/cr_cluster.yaml (%s)', (_twin, namespace) => {
    const files = { 'clusters.yaml': `${crCluster}---\n${otherCluster}`, 'nginx.yaml': nginx(namespace), 'policy.yaml': zonePolicy('In') };
    expect(Object.keys(placed(renderFiles(files)))).toEqual(['cluster-foo']);
    expect(Object.keys(placed(renderFiles({ ...files, 'policy.yaml': zonePolicy('NotIn') })))).toEqual(['cluster-bar']);
  });

  it.each(twins)('zone spreading counts it as a cluster with a zone (%s)', (_twin, namespace) => {
    const policy = nginxPolicy(`  placement:
    spreadConstraints:
      - spreadByField: zone
        minGroups: 1
        maxGroups: 2
      - spreadByField: cluster
        minGroups: 1
        maxGroups: 2
`);
    const files = { 'clusters.yaml': `${crCluster}---\n${otherCluster}`, 'nginx.yaml': nginx(namespace), 'policy.yaml': policy };
    // The zone constraint only requires a zone (spreadconstraint filter plugin): both clusters qualify.
    const result = renderFiles(files);
    expect(Object.keys(placed(result))).toEqual(['cluster-bar', 'cluster-foo']);
  });
});

const memberWithPods = (name: string, pods: number) => `apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata:
  name: ${name}
spec: {}
status:
  resourceSummary:
    allocatable: {pods: "${pods}"}
`;
const threeMembers = [memberWithPods('member1', 3), memberWithPods('member2', 10), memberWithPods('member3', 10)].join('---\n');

const overflowPolicy = (replicaScheduling: string) => `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: nginx-propagation
  namespace: default
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: nginx
    - apiVersion: v1
      kind: ConfigMap
      name: settings
  placement:
    clusterAffinities:
      - affinityName: primary
        clusterNames: [member1]
        overflowAffinities:
          - affinityName: burst
            clusterNames: [member2]
    replicaScheduling:
${replicaScheduling}
`;
const aggregated = '      replicaSchedulingType: Divided\n      replicaDivisionPreference: Aggregated';
const configMap = (namespace: string | undefined) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n${namespace === undefined ? '' : `  namespace: ${namespace}\n`}data: {a: b}\n`;

/** replicas of the nginx Deployment per cluster. */
function replicasOf(result: RenderResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [cluster, files] of result.clusters) {
    const text = files.get('namespaces/default/Deployment.apps/nginx.yaml');
    if (text !== undefined) out[cluster] = Number(/replicas: (\d+)/.exec(text)?.[1]);
  }
  return out;
}

describe('clusterAffinities[].overflowAffinities (v1.18: clusteraffinity plugin, core/common.go assignWorkloadReplicas)', () => {
  it.each(twins)('replicas fill the primary group, then overflow in order (%s)', (_twin, namespace) => {
    const files = { 'clusters.yaml': threeMembers, 'nginx.yaml': nginx(namespace, 5), 'cm.yaml': configMap(namespace), 'policy.yaml': overflowPolicy(aggregated) };
    const result = renderFiles(files);
    // member1 holds 3 pods; the other 2 overflow to member2; member3 is in no tier.
    expect(replicasOf(result)).toEqual({ member1: 3, member2: 2 });
    // A ConfigMap is no workload: overflow affinities do not apply to it.
    expect(Object.keys(placed(result)).filter((c) => placed(result)[c]?.some((f) => f.includes('ConfigMap')))).toEqual(['member1']);
  });

  it.each(twins)('nothing overflows while the primary group has room (%s)', (_twin, namespace) => {
    const files = { 'clusters.yaml': threeMembers, 'nginx.yaml': nginx(namespace, 3), 'policy.yaml': overflowPolicy(aggregated) };
    expect(replicasOf(renderFiles(files))).toEqual({ member1: 3 });
  });

  it.each(twins)('dynamic weight divides within each tier (%s)', (_twin, namespace) => {
    const dynamic = '      replicaSchedulingType: Divided\n      replicaDivisionPreference: Weighted\n      weightPreference: {dynamicWeight: AvailableReplicas}';
    const files = { 'clusters.yaml': threeMembers, 'nginx.yaml': nginx(namespace, 12), 'policy.yaml': overflowPolicy(dynamic) };
    // 12 replicas: member1 takes its 3; 9 overflow to member2 (10 pods).
    expect(replicasOf(renderFiles(files))).toEqual({ member1: 3, member2: 9 });
  });
});

describe('placement.workloadAffinity (v1.17 alpha): recognised, not applied, said so', () => {
  const policy = (workloadAffinity: string) =>
    nginxPolicy(`  placement:
    clusterAffinity:
      clusterNames: [member1, member2]
${workloadAffinity}
`);
  const withAffinity = '    workloadAffinity:\n      affinity: {groupByLabelKey: app.group}\n      antiAffinity: {groupByLabelKey: app.tier}';
  it.each(twins)('renders as Karmada with its default feature gates does, with a warning (%s)', (_twin, namespace) => {
    const files = { 'clusters.yaml': threeMembers, 'nginx.yaml': nginx(namespace, 2), 'policy.yaml': policy(withAffinity) };
    const result = renderFiles(files);
    expect(placed(result)).toEqual(placed(renderFiles({ ...files, 'policy.yaml': policy('') })));
    const warning = result.warnings.find((w) => w.code === 'FIELD_NOT_APPLIED');
    expect(warning).toMatchObject({ file: 'policy.yaml', line: 1, field: 'spec.placement.workloadAffinity' });
    expect(warning?.message).toMatch(/^recognised \(Karmada v1\.17 alpha: affinity by app\.group, anti-affinity by app\.tier\) but not applied: .*WorkloadAffinity feature gate, off by default/);
  });
});

describe('the order SelectBestClusters hands to AssignReplicas decides ties (oracle case k272, seed 1)', () => {
  const cluster = (name: string, region: string) => `apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata:
  name: ${name}
spec:
  region: ${region}
status:
  resourceSummary:
    allocatable: {pods: "100", cpu: "100", memory: 100Gi}
`;
  const policy = nginxPolicy(
    `  placement:
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Aggregated
    spreadConstraints:
      - spreadByField: region
        minGroups: 2
        maxGroups: 2
      - spreadByField: cluster
        minGroups: 2
        maxGroups: 2
`,
    'default',
  );
  it.each(twins)('equal regions come in name order (r1 before r2), so Aggregated gives its one replica to r1 (%s)', (_twin, namespace) => {
    // Karmada v1.18 (the upstream oracle) places {us-east: 1}; name order of the clusters alone would pick edge.
    const files = { 'clusters.yaml': `${cluster('edge', 'r2')}---\n${cluster('us-east', 'r1')}`, 'nginx.yaml': nginx(namespace, 1), 'policy.yaml': policy };
    expect(replicasOf(renderFiles(files))).toEqual({ 'us-east': 1 });
  });
});

describe('more than 12 candidates: Go sorts them unstably, from the scheduler\'s order', () => {
  // Results of the Karmada v1.18 scheduler (upstream oracle) for these fleets, Aggregated, no spread constraints.
  const fleet = (count: number, pods: number[]) =>
    Array.from({ length: count }, (_, i) => memberWithPods(`c${String(i).padStart(2, '0')}`, pods[i % pods.length] as number)).join('---\n');
  const policy = nginxPolicy(
    `  placement:
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Aggregated
`,
    'default',
  );
  const cases = [
    [14, [10, 20], 1, { c01: 1 }],
    [20, [10, 20, 20], 1, { c01: 1 }],
    [30, [7, 7, 9], 2, { c02: 2 }],
  ] as const;
  for (const [twin, namespace] of twins) {
    it.each(cases)(`%i clusters, pods %j, %i replicas → %j (${twin})`, (count, pods, replicas, expected) => {
      const files = { 'clusters.yaml': fleet(count, [...pods]), 'nginx.yaml': nginx(namespace, replicas), 'policy.yaml': policy };
      expect(replicasOf(renderFiles(files))).toEqual(expected);
    });
  }
});

describe('warnings about policies name them as they are', () => {
  it.each(twins)('a cluster named only in overflowAffinities is checked against the inventory; a PropagationPolicy without namespace is default/… (%s)', (_twin, namespace) => {
    const policy = overflowPolicy(aggregated)
      .replace('  namespace: default\n', '')
      .replace('clusterNames: [member2]', 'clusterNames: [member2, mars]');
    const result = renderFiles({ 'clusters.yaml': threeMembers, 'nginx.yaml': nginx(namespace, 5), 'policy.yaml': policy });
    expect(result.warnings.filter((w) => w.code === 'UNKNOWN_CLUSTER')).toEqual([
      expect.objectContaining({ object: { kind: 'PropagationPolicy', namespace: 'default', name: 'nginx-propagation' }, message: 'names cluster "mars", which is not in the inventory' }),
    ]);
  });
});

// What Manifold does with the PropagationPolicy fields it cannot follow to the letter: a custom
// schedulerName (the workload waits for another scheduler) and spec.suspension (members keep what
// they had). See index.ts checkDefaultScheduler / warnSuspension.

const memberClusters = ['member1', 'member2']
  .map((name) => `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${name}\nspec:\n  syncMode: Push\n`)
  .join('---\n');

const policy = (extra: string) =>
  nginxPolicy(`  placement:
    clusterAffinity:
      clusterNames: [member1, member2]
${extra}`);

describe.each(twins)('karmada policy fields a render cannot follow (%s)', (_, namespace) => {
  it('a custom schedulerName makes the workload unschedulable, naming the way out', () => {
    const problems = problemsOf({ 'clusters.yaml': memberClusters, 'app.yaml': nginx(namespace), 'policy.yaml': policy('  schedulerName: custom-scheduler\n') });
    expect(problems.map((p) => p.code)).toEqual(['SCHEDULER_NOT_DEFAULT']);
    expect(formatProblem(problems[0]!)).toMatch(/policy\.yaml:1: PropagationPolicy default\/nginx-propagation: cannot place Deployment default\/nginx: schedulerName custom-scheduler: .*remove spec\.schedulerName/);
  });

  it('schedulerName default-scheduler is the default', () => {
    const result = renderFiles({ 'clusters.yaml': memberClusters, 'app.yaml': nginx(namespace), 'policy.yaml': policy('  schedulerName: default-scheduler\n') });
    expect(Object.keys(placed(result))).toEqual(['member1', 'member2']);
  });

  it('suspension.dispatching renders the scheduled state and warns', () => {
    const result = renderFiles({ 'clusters.yaml': memberClusters, 'app.yaml': nginx(namespace), 'policy.yaml': policy('  suspension:\n    dispatching: true\n') });
    expect(Object.keys(placed(result))).toEqual(['member1', 'member2']);
    const warnings = result.warnings.map(formatProblem);
    expect(warnings).toContainEqual(expect.stringMatching(/spec\.suspension\.dispatching: recognised but not applied: Karmada would stop dispatching to every cluster/));
  });

  it('suspension.dispatchingOnClusters names the clusters it does not hold back', () => {
    const result = renderFiles({
      'clusters.yaml': memberClusters,
      'app.yaml': nginx(namespace),
      'policy.yaml': policy('  suspension:\n    dispatchingOnClusters:\n      clusterNames: [member2]\n'),
    });
    expect(Object.keys(placed(result))).toEqual(['member1', 'member2']);
    expect(result.warnings.map(formatProblem)).toContainEqual(expect.stringMatching(/spec\.suspension\.dispatchingOnClusters: .*stop dispatching to member2/));
  });
});
