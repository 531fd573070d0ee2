// `render --as-works` against the real CRD schemas: the upstream Work CRDs
// (OCM, Karmada, KubeFleet, SIG work-api), taken from their Go modules by
// scripts/work-crds/fetch.sh, are installed into a real kube-apiserver of the
// test fleet, which then judges every emitted Work with a strict server-side
// dry-run; split Works are also stored for real, to show that they fit in etcd
// where one Work holding the same objects does not.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORK_APIS, type WorkApi } from '../../src/model/work-api.ts';
import { ETCD_MAX_REQUEST_BYTES, OCM_MANIFESTS_LIMIT, worksTree } from '../../src/render/works.ts';
import { useFleet } from '../fleet/e2e.ts';
import { kubeRequest, waitFor, type Endpoint } from '../fleet/kube.ts';
import { ROOT, renderExample } from '../golden.ts';

const fleet = useFleet();
const hub: Endpoint = fleet.clusters[0] as Endpoint;
const APIS: WorkApi[] = ['ocm', 'karmada', 'kubefleet', 'sig'];
const PLURAL: Record<WorkApi, string> = { ocm: 'manifestworks', karmada: 'works', kubefleet: 'works', sig: 'works' };
// Our own cluster names, so that the hub namespaces never meet another e2e file's.
const CLUSTERS = ['works-a', 'works-b'];
const createdNamespaces = new Set<string>();

function crdFiles(): string[] {
  const dir = execFileSync(path.join(ROOT, 'scripts/work-crds/fetch.sh'), { encoding: 'utf8' }).trim().split('\n').at(-1) as string;
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function apply(body: string, urlPath: string, dryRun: boolean): Promise<{ status: number; body: string }> {
  const query = `fieldManager=manifold-e2e&force=true&fieldValidation=Strict${dryRun ? '&dryRun=All' : ''}`;
  return kubeRequest(hub, 'PATCH', `${urlPath}?${query}`, body, { contentType: 'application/apply-patch+yaml', timeoutMs: 60_000 });
}

async function ensureNamespace(name: string): Promise<void> {
  const r = await apply(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }), `/api/v1/namespaces/${name}`, false);
  expect(r.status, r.body).toBeLessThan(300);
  createdNamespaces.add(name);
}

/** The API path of a Work file of the hub folder. */
function workUrl(api: WorkApi, text: string): string {
  const work = load(text) as { metadata: { name: string; namespace: string } };
  return `/apis/${WORK_APIS[api].apiVersion}/namespaces/${work.metadata.namespace}/${PLURAL[api]}/${work.metadata.name}`;
}

/** Cluster files: n ConfigMaps of `bytes` each in namespace apps, plus the Namespace. */
function bulkyCluster(n: number, bytes: number): Map<string, string> {
  const files = new Map<string, string>([['cluster/Namespace/apps.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n']]);
  for (let i = 0; i < n; i++) files.set(`namespaces/apps/ConfigMap/blob-${i}.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: blob-${i}\n  namespace: apps\ndata:\n  blob: ${'x'.repeat(bytes)}\n`);
  return files;
}

beforeAll(async () => {
  for (const file of crdFiles()) {
    const crd = load(readFileSync(file, 'utf8')) as { metadata: { name: string } };
    const r = await apply(JSON.stringify(crd), `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`, false);
    expect(r.status, `${file}: ${r.body}`).toBeLessThan(300);
    await waitFor(
      `CRD ${crd.metadata.name} established`,
      async () => {
        const got = await kubeRequest(hub, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
        const conditions = (JSON.parse(got.body) as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
        return conditions.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
      },
      30_000,
    );
  }
  for (const api of APIS) for (const cluster of CLUSTERS) await ensureNamespace(WORK_APIS[api].namespaceOf(cluster));
});

afterAll(async () => {
  for (const ns of createdNamespaces) await kubeRequest(hub, 'DELETE', `/api/v1/namespaces/${ns}`);
});

describe('Works emitted by render --as-works, judged by the upstream CRDs', () => {
  it('every example, as Works of every API, passes a strict server-side dry-run', async () => {
    for (const example of ['examples/quickstart', 'examples/kubefed', 'examples/kubeadmiral', 'examples/karmada-seed']) {
      const plain = await renderExample(example);
      // The example's clusters, renamed onto our hub namespaces (the Works' content is what is judged).
      const clusters = new Map([...plain.clusters].filter(([, files]) => files.size > 0).slice(0, CLUSTERS.length).map(([, files], i) => [CLUSTERS[i] as string, files]));
      for (const api of APIS) {
        const tree = worksTree(clusters, { api, hub: 'hub', name: 'e2e' });
        for (const [file, text] of tree.clusters.get('hub') ?? []) {
          const r = await apply(text, workUrl(api, text), true);
          expect(r.status, `${example} ${api} ${file}: ${r.body}`).toBeLessThan(300);
        }
      }
    }
  });

  it('the dry-run can fail: the CRDs refuse an unknown spec field, and (all but Karmada) a manifest without apiVersion', async () => {
    for (const api of APIS) {
      const spec = WORK_APIS[api];
      const base = { apiVersion: spec.apiVersion, kind: spec.kind, metadata: { name: 'bad', namespace: spec.namespaceOf('works-a') } };
      const unknownField = await apply(JSON.stringify({ ...base, spec: { workload: { manifests: [] }, bogus: true } }), workUrl(api, JSON.stringify(base)), true);
      // Server-side apply refuses a field the schema does not declare while building the typed patch (HTTP 500, not 422).
      expect(unknownField.status, `${api}: ${unknownField.body}`).toBeGreaterThanOrEqual(400);
      expect(unknownField.body).toContain('.spec.bogus: field not declared in schema');
      // OCM, KubeFleet and work-api mark manifests x-kubernetes-embedded-resource; Karmada's CRD
      // does not (its manifests are checked by its webhook and agent only), so it takes one.
      const noApiVersion = await apply(JSON.stringify({ ...base, spec: { workload: { manifests: [{ kind: 'ConfigMap', metadata: { name: 'x' } }] } } }), workUrl(api, JSON.stringify(base)), true);
      if (api === 'karmada') {
        expect(noApiVersion.status, noApiVersion.body).toBeLessThan(300);
        continue;
      }
      expect(noApiVersion.status, `${api}: ${noApiVersion.body}`).toBe(422);
      expect(noApiVersion.body).toContain('apiVersion: Required value');
    }
  });

  it('manifold reconcile applies a --as-works tree to the hub: the hub folder is one more cluster to it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'manifold-works-e2e-'));
    try {
      const source = path.join(dir, 'source');
      execFileSync('mkdir', ['-p', source]);
      writeFileSync(
        path.join(source, 'fleet.yaml'),
        `${CLUSTERS.map((c) => `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata: {name: ${c}}\n`).join('---\n')}---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {colour: blue}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: settings, namespace: shop}
spec:
  resourceSelectors: [{apiVersion: v1, kind: ConfigMap, name: settings}]
  placement: {clusterAffinity: {clusterNames: [${CLUSTERS.join(', ')}]}}
`,
      );
      const out = path.join(dir, 'out');
      const hubName = fleet.clusters[0]?.name as string;
      const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '' }, timeout: 120_000 });
      const rendered = cli('render', source, '--out', out, '--as-works', 'karmada', '--hub', hubName, '--work-name', 'reconciled');
      expect(rendered.status, rendered.stderr).toBe(0);
      // --no-prune: the fleet is shared, and other e2e files' objects on this cluster are not in our tree.
      const reconciled = cli('reconcile', '--once', '--dir', out, '--kubeconfig', fleet.kubeconfigPath, '--cluster', hubName, '--no-prune');
      expect(reconciled.status, `${reconciled.stdout}${reconciled.stderr}`).toBe(0);
      for (const cluster of CLUSTERS) {
        const got = await kubeRequest(hub, 'GET', `/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-${cluster}/works/reconciled`);
        expect(got.status, got.body).toBe(200);
        const work = JSON.parse(got.body) as { spec: { workload: { manifests: { kind: string; metadata: { name: string } }[] } } };
        expect(work.spec.workload.manifests.map((m) => `${m.kind} ${m.metadata.name}`)).toEqual(['Namespace shop', 'ConfigMap settings']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('split Works are stored for real; the same objects in one Work exceed etcd\'s request limit', async () => {
    // 16 ConfigMaps of 100 KB: about 1.6 MB, more than etcd takes in one request.
    const clusters = new Map([['works-a', bulkyCluster(16, 100_000)]]);
    for (const api of ['karmada', 'ocm'] as const) {
      const tree = worksTree(clusters, { api, hub: 'hub', name: 'bulk' });
      expect(tree.works.length, api).toBeGreaterThan(1);
      for (const [file, text] of tree.clusters.get('hub') ?? []) {
        const r = await apply(text, workUrl(api, text), false);
        expect(r.status, `${api} ${file}: ${r.body.slice(0, 300)}`).toBeLessThan(300);
      }
    }
    const single = worksTree(clusters, { api: 'karmada', hub: 'hub', name: 'single', limits: { workBytes: 64 * 1024 * 1024, ocmManifestBytes: OCM_MANIFESTS_LIMIT } });
    expect(single.works).toHaveLength(1);
    expect(single.works[0]?.bytes).toBeGreaterThan(ETCD_MAX_REQUEST_BYTES);
    const [, text] = [...(single.clusters.get('hub') ?? [])][0] as [string, string];
    const r = await apply(text, workUrl('karmada', text), false);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.body).toMatch(/request is too large/);
  });
});
