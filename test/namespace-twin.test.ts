/**
 * Every feature fixture has a twin written the way upstream docs write
 * templates: without metadata.namespace. The fixture is first moved into the
 * `default` namespace (explicitly), then a second copy drops every
 * `namespace: default`; both must render byte for byte the same tree and the
 * same provenance objects (keys, dependencies followed, overrides). A third
 * check compares with the fixture as written, so that an explicit render that
 * silently lost dependencies or followers cannot pass either.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../src/dialects/index.ts';
import { karmadaDialect } from '../src/dialects/karmada/index.ts';
import { kubeAdmiralDialect } from '../src/dialects/kubeadmiral/index.ts';
import { loadRepository } from '../src/load/repository.ts';
import { readSourceFolder, type SourceFile } from '../src/load/source.ts';
import { render, type RenderResult } from '../src/render/render.ts';
import { ROOT, flatten } from './golden.ts';

type Doc = Record<string, unknown>;
const isRecord = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

const NAMESPACE_KINDS = new Set(['Namespace', 'FederatedNamespace']);

/** Moves namespace `from` to `default`: object namespaces, selectors naming it, its Namespace objects. */
function moveToDefault(doc: unknown, from: string): unknown {
  if (Array.isArray(doc)) return doc.map((d) => moveToDefault(d, from));
  if (!isRecord(doc)) return doc;
  const out: Doc = {};
  for (const [k, v] of Object.entries(doc)) out[k] = k === 'namespace' && v === from ? 'default' : moveToDefault(v, from);
  const metadata = out.metadata;
  if (isRecord(metadata) && NAMESPACE_KINDS.has(String(out.kind)) && metadata.name === from) metadata.name = 'default';
  return out;
}

/** Drops `metadata.namespace: default` from every document (policies included: they default the same way). */
function withoutDefaultNamespace(doc: unknown): unknown {
  if (!isRecord(doc) || !isRecord(doc.metadata) || doc.metadata.namespace !== 'default') return doc;
  const { namespace: _ns, ...metadata } = doc.metadata;
  return { ...doc, metadata };
}

function transform(files: readonly SourceFile[], f: (doc: unknown) => unknown): SourceFile[] {
  return files.map((file) => ({ path: file.path, text: loadAll(file.text).map((d) => dump(f(d), { noRefs: true })).join('---\n') }));
}

function renderFiles(files: SourceFile[]): RenderResult {
  return render(loadRepository(files, registry), dialects, { manifoldVersion: 'test' });
}

/** What provenance says about each object, without input file hashes (the texts differ). */
function provenanceObjects(result: RenderResult) {
  return result.provenance.objects.map(({ file: _file, line: _line, ...rest }) => rest);
}

/**
 * Rendered objects that are not Namespaces, by path inside a cluster folder
 * with the namespace renamed, once per cluster that got one. Clusters are
 * left out: KubeAdmiral breaks ties by a hash of namespace/name.
 */
function nonNamespaceObjects(result: RenderResult, from: string): string[] {
  return [...flatten(result).keys()]
    .filter((file) => !file.includes('/cluster/Namespace/'))
    .map((file) => file.slice(file.indexOf('/') + 1).replace(`namespaces/${from}/`, 'namespaces/default/'))
    .sort();
}

const FIXTURES: { name: string; namespace: string; files: () => Promise<SourceFile[]> }[] = [
  { name: 'examples/quickstart', namespace: 'shop', files: () => readSourceFolder(path.join(ROOT, 'examples/quickstart')) },
  { name: 'examples/kubeadmiral', namespace: 'prod', files: () => readSourceFolder(path.join(ROOT, 'examples/kubeadmiral')) },
  { name: 'examples/kubefed', namespace: 'fed-ns', files: () => readSourceFolder(path.join(ROOT, 'examples/kubefed')) },
  { name: 'examples/federation-v1', namespace: 'default', files: () => readSourceFolder(path.join(ROOT, 'examples/federation-v1')) },
  { name: 'examples/karmada-seed', namespace: 'default', files: () => readSourceFolder(path.join(ROOT, 'examples/karmada-seed')) },
  ...['karmada-mix', 'kubeadmiral-mix'].flatMap((f) =>
    ['shop', 'prod', 'team-a', 'tools'].map((namespace) => ({
      name: `test/fixtures/${f}.yaml (${namespace})`,
      namespace,
      files: async () => [{ path: `${f}.yaml`, text: readFileSync(path.join(ROOT, 'test/fixtures', `${f}.yaml`), 'utf8') }],
    })),
  ),
];

describe('a template without metadata.namespace is in namespace default', () => {
  it.each(FIXTURES)('$name renders the same with the namespace omitted', async ({ files, namespace }) => {
    const original = await files();
    if (namespace !== 'default' && !original.some((f) => f.text.includes(namespace))) return;
    const explicit = transform(original, (d) => moveToDefault(d, namespace));
    const implicit = transform(explicit, withoutDefaultNamespace);

    const asWritten = renderFiles(original);
    const withDefault = renderFiles(explicit);
    const omitted = renderFiles(implicit);
    expect(withDefault.provenance.objects.length).toBeGreaterThan(0);
    expect([...flatten(omitted)]).toEqual([...flatten(withDefault)]);
    expect(provenanceObjects(omitted)).toEqual(provenanceObjects(withDefault));
    expect(omitted.warnings.map((w) => w.message)).toEqual(withDefault.warnings.map((w) => w.message));
    // Moving to `default` loses no object (no Namespace object is made for it).
    expect(nonNamespaceObjects(withDefault, namespace)).toEqual(nonNamespaceObjects(asWritten, namespace));
  });

  it('Karmada propagateDeps dependencies travel with a workload written without a namespace (followers: kubeadmiral-mix twins)', () => {
    const karmada = renderFiles([{ path: 'a.yaml', text: KARMADA_DEPS }]);
    expect([...(karmada.clusters.get('member1')?.keys() ?? [])]).toEqual([
      'namespaces/default/ConfigMap/cfg.yaml',
      'namespaces/default/Deployment.apps/nginx.yaml',
      'namespaces/default/PersistentVolumeClaim/data.yaml',
      'namespaces/default/Secret/pull.yaml',
      'namespaces/default/ServiceAccount/sa.yaml',
    ]);
    // The member cluster's object carries the namespace the API server gave it.
    expect(karmada.clusters.get('member1')?.get('namespaces/default/ConfigMap/cfg.yaml')).toBe(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: default\ndata:\n  a: b\n',
    );
    expect(karmada.provenance.objects.find((o) => o.key === '/ConfigMap/default/cfg')?.follows).toEqual(['apps/Deployment/default/nginx']);
  });
});

describe('incremental cover of templates written without a namespace', () => {
  it('a changed ConfigMap covers the workloads that reference it (Karmada dependencies, KubeAdmiral followers)', () => {
    const repo = loadRepository([{ path: 'a.yaml', text: KARMADA_DEPS }], registry);
    const changed = new Set(['/ConfigMap/default/cfg']);
    for (const dialect of [karmadaDialect, kubeAdmiralDialect]) {
      expect([...dialect.cover(repo, changed)].sort(), dialect.name).toEqual(expect.arrayContaining(['/ConfigMap/default/cfg', 'apps/Deployment/default/nginx']));
    }
  });
});

const KARMADA_DEPS = `
apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata: {name: member1}
spec: {}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: nginx}
spec:
  replicas: 1
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      serviceAccountName: sa
      imagePullSecrets: [{name: pull}]
      volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]
      containers:
      - {name: nginx, image: nginx, envFrom: [{configMapRef: {name: cfg}}]}
---
{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}, data: {a: b}}
---
{apiVersion: v1, kind: Secret, metadata: {name: pull}, type: kubernetes.io/dockerconfigjson, data: {.dockerconfigjson: e30=}}
---
{apiVersion: v1, kind: ServiceAccount, metadata: {name: sa}}
---
{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: data}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: p}
spec:
  propagateDeps: true
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: nginx}]
  placement: {clusterAffinity: {clusterNames: [member1]}}
`;
