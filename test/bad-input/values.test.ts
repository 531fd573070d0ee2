/**
 * Values that the API server would reject (issue 10 items 6 and 7): replicas
 * that are not int32 integers, quantities that do not parse, in templates and
 * in the inventory. Each is exit 2 naming the file that holds the value (not
 * the policy that placed it), its line and its field; none renders silently.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { looksLikeCrash, runCli } from './cli.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-values-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const KARMADA_CLUSTERS = ['a', 'b']
  .map((name) => `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${name}\nstatus:\n  resourceSummary:\n    allocatable:\n      cpu: "8"\n      memory: 16Gi\n      pods: "110"\n`)
  .join('---\n');
const KARMADA_POLICY = `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: web
  namespace: shop
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: web
  placement:
    replicaScheduling:
      replicaSchedulingType: Divided
      replicaDivisionPreference: Weighted
      weightPreference:
        dynamicWeight: AvailableReplicas
`;

function deployment(replicas: string, cpu = '100m'): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
          resources:
            requests:
              cpu: ${cpu}
`;
}

let n = 0;
function source(files: Record<string, string>): string {
  const dir = path.join(work, `src-${n++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

async function expectRejected(dir: string, expected: RegExp): Promise<void> {
  for (const args of [['render', dir, '--out', path.join(dir, 'out')], ['validate', dir]]) {
    const r = await runCli(args);
    expect(looksLikeCrash(r), r.stderr).toBe(false);
    expect(r.stderr).toMatch(expected);
    expect(r.code, r.stderr).toBe(2);
  }
}

describe('replicas and quantities the API server would reject', () => {
  it.each(['.nan', '.inf', '1e309', '1.5', '-1', '2147483648', '"3"'])('Karmada workload replicas: %s is exit 2 at the template', async (replicas) => {
    const dir = source({ 'clusters.yaml': KARMADA_CLUSTERS, 'policy.yaml': KARMADA_POLICY, 'app.yaml': deployment(replicas) });
    await expectRejected(dir, /error: app\.yaml:7: (Deployment shop\/web: )?spec\.replicas: /);
  });

  it('a request that is not a quantity is reported at the template, not at the policy', async () => {
    const dir = source({ 'clusters.yaml': KARMADA_CLUSTERS, 'policy.yaml': KARMADA_POLICY, 'app.yaml': deployment('4', '"lots"') });
    await expectRejected(dir, /error: app\.yaml:19: Deployment shop\/web: spec\.template\.spec\.containers\[0\]\.resources\.requests\.cpu: /);
  });

  it('an invalid quantity in a Karmada resourceSummary is reported at the cluster, not as insufficient capacity', async () => {
    const clusters = KARMADA_CLUSTERS.replace('memory: 16Gi', 'memory: 16 GB');
    const dir = source({ 'clusters.yaml': clusters, 'policy.yaml': KARMADA_POLICY, 'app.yaml': deployment('4') });
    await expectRejected(dir, /error: clusters\.yaml:9: Cluster a: status\.resourceSummary\.allocatable\.memory: /);
  });

  it('valid replicas and quantities still render', async () => {
    const dir = source({ 'clusters.yaml': KARMADA_CLUSTERS, 'policy.yaml': KARMADA_POLICY, 'app.yaml': deployment('4', '0.5') });
    const r = await runCli(['validate', dir]);
    expect(r.stderr).toContain('valid:');
    expect(r.code).toBe(0);
  });
});

describe('Karmada selectors upstream refuses', () => {
  const policy = (matchExpression: string) =>
    KARMADA_POLICY.replace('  placement:\n', `  placement:\n    clusterAffinity:\n      fieldSelector:\n        matchExpressions:\n          - ${matchExpression}\n`);
  it.each([
    ['key: region\n            operator: In', /error: policy\.yaml:\d+: PropagationPolicy shop\/web: spec\.placement\.clusterAffinity\.fieldSelector\.matchExpressions\[0\]\.values: must be specified when operator is In/],
    ['key: region\n            operator: In\n            values: []', /matchExpressions\[0\]\.values: must be specified when operator is In/],
    ['key: region\n            operator: NotIn\n            values: ["eu west"]', /matchExpressions\[0\]\.values\[0\]: label value "eu west" must be empty or alphanumerics/],
  ])('field selector %j is exit 2', async (expression, expected) => {
    const dir = source({ 'clusters.yaml': KARMADA_CLUSTERS, 'policy.yaml': policy(expression), 'app.yaml': deployment('4') });
    await expectRejected(dir, expected);
  });

  it('a label selector with an invalid value or an In without values is exit 2', async () => {
    const withLabels = KARMADA_POLICY.replace('  placement:\n', '  placement:\n    clusterAffinity:\n      labelSelector:\n        matchLabels:\n          env: "prod/eu"\n');
    await expectRejected(source({ 'clusters.yaml': KARMADA_CLUSTERS, 'policy.yaml': withLabels, 'app.yaml': deployment('4') }), /labelSelector\.matchLabels\.env: label value "prod\/eu"/);
    const withExpression = KARMADA_POLICY.replace('  placement:\n', '  placement:\n    clusterAffinity:\n      labelSelector:\n        matchExpressions:\n          - key: env\n            operator: In\n');
    await expectRejected(source({ 'clusters.yaml': KARMADA_CLUSTERS, 'policy.yaml': withExpression, 'app.yaml': deployment('4') }), /labelSelector\.matchExpressions\[0\]\.values: must be specified when operator is In/);
  });
});

describe('counts set by overrides', () => {
  it('a plaintext override that makes replicas 2.5 is exit 2 naming the template and the override', async () => {
    const override = `apiVersion: policy.karmada.io/v1alpha1
kind: OverridePolicy
metadata:
  name: bad-replicas
  namespace: shop
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: web
  overrideRules:
    - overriders:
        plaintext:
          - path: /spec/replicas
            operator: replace
            value: 2.5
`;
    const dir = source({ 'clusters.yaml': KARMADA_CLUSTERS, 'policy.yaml': KARMADA_POLICY, 'app.yaml': deployment('4'), 'override.yaml': override });
    await expectRejected(dir, /error: app\.yaml:1: Deployment shop\/web: spec\.replicas: must be an integer, got 2\.5 in the object for cluster a \(after overrides: OverridePolicy shop\/bad-replicas rule\[0\]\)/);
  });
});

describe('a previous render written as Works', () => {
  it('a Work that is not YAML, or lists a null manifest, is exit 2 or ignored, never a crash', async () => {
    const dir = source({ 'clusters.yaml': KARMADA_CLUSTERS, 'policy.yaml': KARMADA_POLICY, 'app.yaml': deployment('4') });
    const previous = path.join(work, `prev-${n}`);
    expect((await runCli(['render', dir, '--out', previous, '--as-works', 'ocm'])).code).toBe(0);
    const workFile = path.join(previous, 'hub', 'namespaces', 'a', 'ManifestWork.work.open-cluster-management.io', 'manifold.yaml');
    writeFileSync(workFile, 'apiVersion: work.open-cluster-management.io/v1\nkind: ManifestWork\nmetadata:\n  labels: {manifold.dev/cluster: a}\nspec:\n  workload:\n    manifests: [null, 1, "x"]\n');
    const ignored = await runCli(['render', dir, '--out', path.join(work, `out1-${n}`), '--previous', previous]);
    expect(looksLikeCrash(ignored), ignored.stderr).toBe(false);
    expect(ignored.code, ignored.stderr).toBe(0);
    writeFileSync(workFile, 'spec: [unclosed\n');
    const broken = await runCli(['render', dir, '--out', path.join(work, `out2-${n}`), '--previous', previous]);
    expect(broken.stderr).toMatch(/error: .*prev-\d+\/hub\/namespaces\/a\/ManifestWork\.work\.open-cluster-management\.io\/manifold\.yaml:\d+: previous render: not a Work Manifold rendered/);
    expect(broken.code).toBe(2);
  });
});
