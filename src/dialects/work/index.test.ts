import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { InputError, formatProblem, type Problem } from '../../errors/index.ts';
import { loadRepository } from '../../load/repository.ts';
import { render, type RenderResult } from '../../render/render.ts';
import { dialects } from '../index.ts';
import { registry } from '../registry.ts';

const FIXTURES = path.join(import.meta.dirname, '../../../test/fixtures/work-api');

function inventory(...names: string[]): string {
  return names.map((name) => `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata: {name: ${name}}\n`).join('---\n');
}

function run(files: Record<string, string>): RenderResult {
  const repo = loadRepository(Object.entries(files).map(([p, text]) => ({ path: p, text })), registry);
  return render(repo, dialects, { manifoldVersion: 'test' });
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

function work(apiVersion: string, kind: string, namespace: string, name: string, manifests: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion, kind, metadata: { name, namespace }, spec: { workload: { manifests }, ...extra } }, null, 1);
}

const cm = (name: string, namespace: string | undefined, data: Record<string, string> = { k: 'v' }) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
  data,
});

const CM_PATH = 'namespaces/apps/ConfigMap/settings.yaml';

describe('work dialect: upstream samples', () => {
  const samples = Object.fromEntries(readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).map((f) => [`works/${f}`, readFileSync(path.join(FIXTURES, f), 'utf8')]));

  it('puts each Work\'s manifests, as written, into the cluster its namespace names', () => {
    const result = run({ 'clusters.yaml': inventory('cluster1', 'member1', 'kind-member-testing'), ...samples });
    const files = (c: string) => [...(result.clusters.get(c)?.keys() ?? [])];
    // OCM: namespace = the managed cluster (docs concepts/manifestwork).
    expect(files('cluster1')).toEqual([
      'namespaces/default/Deployment.apps/hello.yaml',
      'namespaces/default/Job.batch/pi-calculation.yaml',
      'namespaces/default/Job.batch/temp-task.yaml',
    ]);
    // Karmada: karmada-es-<cluster> (pkg/util/names/names.go).
    expect(files('member1')).toEqual(['namespaces/default/Deployment.apps/nginx.yaml']);
    // KubeFleet's copy of the work-api sample: fleet-member-<cluster> (fleet pkg/utils/common.go).
    expect(files('kind-member-testing')).toEqual(['namespaces/default/Deployment.apps/test-nginx.yaml']);

    const ocm = load(readFileSync(path.join(FIXTURES, 'ocm-hello-work-demo.yaml'), 'utf8')) as { spec: { workload: { manifests: unknown[] } } };
    expect(load(result.clusters.get('cluster1')?.get('namespaces/default/Deployment.apps/hello.yaml') as string)).toEqual(ocm.spec.workload.manifests[0]);

    const warnings = result.warnings.map(formatProblem);
    // work-api's own sample sits in namespace default, which names no cluster here.
    expect(warnings).toContainEqual(expect.stringMatching(/^works\/sig-example-work\.yaml:5: Work default\/test-work: metadata\.namespace: no cluster "default" in the inventory/));
    expect(warnings).toContainEqual(expect.stringMatching(/^works\/karmada-dispatch-suspension\.yaml:\d+: .*spec\.suspendDispatching: Karmada holds a suspended Work back/));
    expect(result.warnings.map((w) => w.code).sort()).toEqual(['WORK_CLUSTER_UNKNOWN', 'WORK_SUSPENDED']);
  });

  it('records the Work in provenance and explain', () => {
    const result = run({ 'clusters.yaml': inventory('cluster1'), ...samples });
    const object = result.provenance.objects.find((o) => o.key === 'apps/Deployment/default/hello');
    expect(object).toMatchObject({ dialect: 'work', policy: 'ManifestWork cluster1/hello-work-demo', file: 'works/ocm-hello-work-demo.yaml', line: 12 });
    const placement = result.placements.find((p) => p.template.key === 'apps/Deployment/default/hello');
    expect(placement?.explain.flatMap((s) => s.lines)).toContain('cluster1: ManifestWork cluster1/hello-work-demo (works/ocm-hello-work-demo.yaml:4), manifest at line 12');
  });
});

describe('work dialect', () => {
  it('accepts the four implementations, each with its namespace rule', () => {
    const result = run({
      'c.yaml': inventory('a', 'b', 'c', 'd'),
      'w.yaml': [
        work('work.open-cluster-management.io/v1', 'ManifestWork', 'a', 'w', [cm('settings', 'apps')]),
        work('work.karmada.io/v1alpha1', 'Work', 'karmada-es-b', 'w', [cm('settings', 'apps')]),
        work('placement.kubernetes-fleet.io/v1beta1', 'Work', 'fleet-member-c', 'w', [cm('settings', 'apps')]),
        work('multicluster.x-k8s.io/v1alpha1', 'Work', 'd', 'w', [cm('settings', 'apps')]),
      ].join('\n---\n'),
    });
    expect([...result.clusters].filter(([, files]) => files.has(CM_PATH)).map(([c]) => c)).toEqual(['a', 'b', 'c', 'd']);
    // The namespace follows its objects, as for every dialect.
    expect(result.clusters.get('a')?.has('cluster/Namespace/apps.yaml')).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('lends a Namespace that one cluster\'s Work holds to the clusters whose Work objects live in it', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps', labels: { team: 'shop' } } };
    const result = run({
      'c.yaml': inventory('a', 'b'),
      'w.yaml': [
        work('work.open-cluster-management.io/v1', 'ManifestWork', 'a', 'w', [ns, cm('settings', 'apps')]),
        work('work.open-cluster-management.io/v1', 'ManifestWork', 'b', 'w', [cm('settings', 'apps')]),
      ].join('\n---\n'),
    });
    for (const c of ['a', 'b']) expect(load(result.clusters.get(c)?.get('cluster/Namespace/apps.yaml') as string), c).toEqual(ns);
  });

  it('gives each cluster its own manifest; equal ones share a variant', () => {
    const result = run({
      'c.yaml': inventory('a', 'b', 'c'),
      'w.yaml': [
        work('work.open-cluster-management.io/v1', 'ManifestWork', 'a', 'w', [cm('settings', 'apps', { size: 'small' })]),
        work('work.open-cluster-management.io/v1', 'ManifestWork', 'b', 'w', [cm('settings', 'apps', { size: 'large' })]),
        work('work.open-cluster-management.io/v1', 'ManifestWork', 'c', 'w', [cm('settings', 'apps', { size: 'small' })]),
      ].join('\n---\n'),
    });
    const size = (c: string) => (load(result.clusters.get(c)?.get(CM_PATH) as string) as { data: { size: string } }).data.size;
    expect(['a', 'b', 'c'].map(size)).toEqual(['small', 'large', 'small']);
    expect(result.rendered.find((r) => r.template.key === '/ConfigMap/apps/settings')?.variants.map((v) => v.clusters)).toEqual([['a', 'c'], ['b']]);
  });

  it('refuses one object in two Works of one cluster with different contents, naming both', () => {
    const problems = problemsOf(() =>
      run({
        'c.yaml': inventory('a'),
        'w.yaml': [
          work('work.open-cluster-management.io/v1', 'ManifestWork', 'a', 'one', [cm('settings', 'apps', { v: '1' })]),
          work('work.open-cluster-management.io/v1', 'ManifestWork', 'a', 'two', [cm('settings', 'apps', { v: '2' })]),
        ].join('\n---\n'),
      }),
    );
    expect(problems.map((p) => [p.code, p.file, p.line])).toEqual([['WORK_MANIFEST_CONFLICT', 'w.yaml', expect.any(Number)]]);
    expect(problems[0]?.message).toContain('ManifestWork a/two (w.yaml:');
    expect(problems[0]?.message).toContain('ManifestWork a/one (w.yaml:1)');
  });

  it('accepts the same object twice in one cluster when both Works hold the same content', () => {
    const result = run({
      'c.yaml': inventory('a'),
      'w.yaml': [
        work('work.open-cluster-management.io/v1', 'ManifestWork', 'a', 'one', [cm('settings', 'apps')]),
        work('work.open-cluster-management.io/v1', 'ManifestWork', 'a', 'two', [cm('settings', 'apps')]),
      ].join('\n---\n'),
    });
    expect(result.clusters.get('a')?.has(CM_PATH)).toBe(true);
  });

  it('skips AppliedWork and AppliedManifestWork with a note', () => {
    const result = run({
      'c.yaml': inventory('a'),
      'applied.yaml': [
        'apiVersion: multicluster.x-k8s.io/v1alpha1\nkind: AppliedWork\nmetadata: {name: w}\nspec: {workName: w, workNamespace: a}\nstatus: {appliedResources: []}',
        'apiVersion: work.open-cluster-management.io/v1\nkind: AppliedManifestWork\nmetadata: {name: hub-w}\nspec: {hubHash: x, manifestWorkName: w}',
      ].join('\n---\n'),
    });
    expect(result.warnings.map((w) => [w.code, w.line])).toEqual([
      ['WORK_STATUS_SKIPPED', 1],
      ['WORK_STATUS_SKIPPED', 7],
    ]);
    expect([...result.clusters.get('a')?.keys() ?? []]).toEqual([]);
  });

  it('answers the article\'s work/v1 with the real forms', () => {
    const article = `apiVersion: work/v1
kind: Work
metadata:
  name: example-work
  namespace: cluster1
spec:
  workload:
    manifests:
    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: nginx, namespace: nginx}
---
apiVersion: work/v1
kind: AppliedWork
metadata:
  name: example-work
  namespace: fleet-system
spec:
  clusterName: cluster1
  workName: example-work
`;
    const problems = problemsOf(() => run({ 'c.yaml': inventory('cluster1'), 'article.yaml': article }));
    expect(problems.map((p) => [p.file, p.line, p.field])).toEqual([
      ['article.yaml', 1, 'apiVersion'],
      ['article.yaml', 13, 'apiVersion'],
    ]);
    expect(problems[0]?.message).toContain('work.open-cluster-management.io/v1 ManifestWork (namespace: <cluster>)');
    expect(problems[0]?.message).toContain('work.karmada.io/v1alpha1 Work (namespace: karmada-es-<cluster>)');
    expect(problems[1]?.message).toContain('AppliedWork is status');
  });

  it('names file, line and field of an invalid Work or manifest', () => {
    const problems = problemsOf(() =>
      run({
        'c.yaml': inventory('a'),
        'w.yaml': `apiVersion: work.karmada.io/v1alpha1
kind: Work
metadata:
  name: no-namespace
spec:
  workload:
    manifests: []
---
apiVersion: work.open-cluster-management.io/v1
kind: ManifestWork
metadata:
  name: w
  namespace: a
spec:
  workload:
    manifests:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        generateName: settings-
  deleteOptions: {}
---
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: Work
metadata:
  name: Bad_Name
  namespace: a
spec: {}
`,
      }),
    );
    expect(problems.map((p) => `${p.line} ${p.field}`)).toEqual([
      '3 metadata.namespace',
      '19 spec.workload.manifests[0].metadata.name',
      '20 spec.workload.manifests[0].metadata.generateName',
      '21 spec.deleteOptions',
      '26 metadata.name',
    ]);
  });

  it('warns about a Work for a cluster the inventory lacks, and renders the rest', () => {
    const result = run({
      'c.yaml': inventory('a'),
      'w.yaml': [
        work('work.karmada.io/v1alpha1', 'Work', 'karmada-es-gone', 'w', [cm('settings', 'apps')]),
        work('work.karmada.io/v1alpha1', 'Work', 'default', 'w', [cm('settings', 'apps')]),
        work('work.karmada.io/v1alpha1', 'Work', 'karmada-es-a', 'w', [cm('settings', 'apps')]),
      ].join('\n---\n'),
    });
    expect(result.warnings.map((w) => w.message)).toEqual([
      expect.stringMatching(/^no cluster "gone" in the inventory: the Work waits/),
      expect.stringMatching(/^the namespace of a Karmada Work is karmada-es-<cluster>, and "default" is not one/),
    ]);
    expect(result.clusters.get('a')?.has(CM_PATH)).toBe(true);
  });

  it('refuses a Namespace manifest whose name is not a DNS-1123 label, as the loader does for a template', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Bad_NS' } };
    const problems = problemsOf(() => run({ 'c.yaml': inventory('a'), 'w.yaml': work('work.open-cluster-management.io/v1', 'ManifestWork', 'a', 'w', [ns]) }));
    expect(problems.map((p) => [p.code, p.file, p.field])).toEqual([['NAME_INVALID', 'w.yaml', 'spec.workload.manifests[0].metadata.name']]);
  });

  it('refuses a manifest whose apiVersion or kind the API server would not serve, as the loader does for a template', () => {
    const bad = [
      { apiVersion: 'example.com/v1/extra', kind: 'Widget', metadata: { name: 'w', namespace: 'apps' } },
      { apiVersion: 'example.com/v1', kind: 'Conf Map', metadata: { name: 'c', namespace: 'apps' } },
    ];
    const problems = problemsOf(() => run({ 'c.yaml': inventory('a'), 'w.yaml': work('work.open-cluster-management.io/v1', 'ManifestWork', 'a', 'w', bad) }));
    expect(problems.map((p) => [p.code, p.file, p.field])).toEqual([
      ['SCHEMA_INVALID', 'w.yaml', 'spec.workload.manifests[0].apiVersion'],
      ['SCHEMA_INVALID', 'w.yaml', 'spec.workload.manifests[1].kind'],
    ]);
  });

  it('places a namespaced manifest without a namespace in default, with a warning', () => {
    const result = run({ 'c.yaml': inventory('a'), 'w.yaml': work('work.open-cluster-management.io/v1', 'ManifestWork', 'a', 'w', [cm('settings', undefined)]) });
    expect([...result.clusters.get('a')?.keys() ?? []]).toEqual(['namespaces/default/ConfigMap/settings.yaml']);
    expect(result.warnings.map((w) => [w.code, w.field])).toEqual([['WORK_MANIFEST_NAMESPACE_MISSING', 'spec.workload.manifests[0].metadata']]);
  });

  it('refuses an object that a policy of another dialect places too', () => {
    const problems = problemsOf(() =>
      run({
        'c.yaml': inventory('a'),
        'cm.yaml': JSON.stringify(cm('settings', 'apps')),
        'pp.yaml': 'apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: p, namespace: apps}\nspec:\n  resourceSelectors: [{apiVersion: v1, kind: ConfigMap}]\n  placement: {clusterAffinity: {clusterNames: [a]}}',
        'w.yaml': work('work.open-cluster-management.io/v1', 'ManifestWork', 'a', 'w', [cm('settings', 'apps')]),
      }),
    );
    expect(problems.map((p) => p.code)).toEqual(['CLAIMED_TWICE']);
    expect(problems[0]?.message).toContain('work (ManifestWork a/w)');
  });
});
