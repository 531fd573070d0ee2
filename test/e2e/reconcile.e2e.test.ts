// The reconciler against real API servers (test fleet: kube-apiserver v1.37
// with controller manager, scheduler and kwok nodes). Every test works in its
// own namespace with its own ApplySet parent, so tests never prune each
// other's objects.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/model/types.ts';
import { type ApplySetParentRef, applySetId, PART_OF_LABEL } from '../../src/reconcile/applyset.ts';
import { reconcileCluster, type ReconcileOptions } from '../../src/reconcile/cluster.ts';
import { type FleetOptions, reconcileFleet } from '../../src/reconcile/fleet.ts';
import { type ApiResource, KubeClient } from '../../src/reconcile/kube.ts';
import type { ClusterStatus, ObjectStatus } from '../../src/reconcile/types.ts';
import { repoRoot } from '../fleet/binaries.ts';
import { useFleet } from '../fleet/e2e.ts';
import { renderKubeconfig } from '../fleet/fleet.ts';

const fleet = useFleet();
const names = fleet.clusters.map((c) => c.name);
const [m1, m2, m3] = names as [string, string, string];
const clients: KubeClient[] = [];
const tmp = mkdtempSync(path.join(tmpdir(), 'manifold-reconcile-e2e-'));

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  rmSync(tmp, { recursive: true, force: true });
});

function client(cluster: string): KubeClient {
  const c = KubeClient.create(cluster, { mode: 'kubeconfig', kubeconfigPath: fleet.kubeconfigPath, context: cluster });
  clients.push(c);
  return c;
}

const parentFor = (name: string): ApplySetParentRef => ({ kind: 'Secret', namespace: 'kube-system', name: `applyset-e2e-${name}` });

// ---- objects ---------------------------------------------------------------

const namespace = (name: string): JsonObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const configMap = (ns: string, name: string, data: JsonObject = { k: name }, annotations?: JsonObject): JsonObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
  data,
});
const secret = (ns: string, name: string, stringData: JsonObject): JsonObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, type: 'Opaque', stringData });
const deployment = (ns: string, name: string, replicas: number, app = name, annotations?: JsonObject): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
  spec: {
    replicas,
    selector: { matchLabels: { app } },
    template: {
      metadata: { labels: { app } },
      spec: { containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: 0.05, memory: '32Mi' } } }] },
    },
  },
});

/** A cluster tree in the render layout. */
function tree(objects: readonly JsonObject[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const o of objects) {
    const meta = o.metadata as JsonObject;
    const group = String(o.apiVersion).includes('/') ? `.${String(o.apiVersion).split('/')[0]}` : '';
    const dir = meta.namespace ? `namespaces/${String(meta.namespace)}` : 'cluster';
    files.set(`${dir}/${String(o.kind)}${group}/${String(meta.name)}.yaml`, dump(o, { noRefs: true }));
  }
  return files;
}

const res = {
  namespaces: { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, verbs: [] },
  configmaps: { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, verbs: [] },
  secrets: { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, verbs: [] },
  deployments: { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, verbs: [] },
} satisfies Record<string, ApiResource>;

async function get(c: KubeClient, r: ApiResource, ns: string | undefined, name: string): Promise<JsonObject | undefined> {
  return c.get(r, ns, name);
}

const meta = (o: JsonObject | undefined): JsonObject => (o?.metadata ?? {}) as JsonObject;

/** A change made by someone else: a merge patch under another field manager (an Update). */
async function intrude(c: KubeClient, r: ApiResource, ns: string, name: string, patch: JsonObject): Promise<void> {
  await c.request('PATCH', KubeClient.path(r, ns, name), {
    query: { fieldManager: 'intruder' },
    body: JSON.stringify(patch),
    contentType: 'application/merge-patch+json',
  });
}

function object(s: ClusterStatus, kind: string, name: string): ObjectStatus {
  const o = s.objects.find((x) => x.kind === kind && x.name === name);
  if (!o) throw new Error(`no status for ${kind} ${name} in ${s.cluster}: ${JSON.stringify(s.objects.map((x) => `${x.kind}/${x.name}`))}`);
  return o;
}

function ready(s: ClusterStatus) {
  return s.conditions.find((c) => c.type === 'Ready');
}

async function once(cluster: string, objects: readonly JsonObject[], opts: Partial<ReconcileOptions> & { parent: ApplySetParentRef }, c = client(cluster)): Promise<ClusterStatus> {
  return reconcileCluster(tree(objects), { client: c, renderedCommit: 'e2e', pollIntervalMs: 250, ...opts });
}

// ---- tests -------------------------------------------------------------------

describe('reconcile on a real fleet', () => {
  const basicNs = 'rec-basic';
  const basicParent = parentFor('basic');
  const basic = (): JsonObject[] => [
    namespace(basicNs),
    ...Array.from({ length: 8 }, (_, i) => configMap(basicNs, `cm-${i}`)),
    secret(basicNs, 'creds', { password: 'pw-basic-Zq81' }),
    deployment(basicNs, 'web', 1),
  ];

  it('first apply to three clusters: the objects exist, owned by manifold, members of the ApplySet', async () => {
    expect(names.length).toBeGreaterThanOrEqual(3);
    const statuses = await reconcileFleet(
      names.map((cluster) => ({ cluster, tree: tree(basic()) })),
      { renderedCommit: 'e2e', kubeconfigPath: fleet.kubeconfigPath, parent: basicParent },
    );
    for (const s of statuses) {
      expect(s.result, JSON.stringify(s.conditions)).toBe('Synced');
      expect(s.summary).toMatchObject({ objects: 11, applied: 11, unchanged: 0, failed: 0, pruned: 0 });
      expect(s.objects.every((o) => o.action === 'created')).toBe(true);
      const c = client(s.cluster);
      const web = await get(c, res.deployments, basicNs, 'web');
      const managers = (meta(web).managedFields as JsonObject[]).filter((f) => f.manager === 'manifold').map((f) => f.operation);
      expect(managers).toEqual(['Apply']);
      expect((meta(web).labels as JsonObject)[PART_OF_LABEL]).toBe(applySetId(basicParent));
      const parent = await get(c, res.secrets, 'kube-system', basicParent.name);
      expect(meta(parent).annotations).toMatchObject({
        'applyset.kubernetes.io/tooling': expect.stringMatching(/^manifold\/v/),
        'applyset.kubernetes.io/contains-group-kinds': 'ConfigMap,Deployment.apps,Namespace,Secret',
        'applyset.kubernetes.io/additional-namespaces': basicNs,
      });
      expect((meta(parent).labels as JsonObject)['applyset.kubernetes.io/id']).toBe(applySetId(basicParent));
    }
  });

  it('a second run writes nothing: every resourceVersion stays, no request per object', async () => {
    const versions = async (c: KubeClient): Promise<Record<string, unknown>> => {
      const out: Record<string, unknown> = {};
      for (const r of [res.configmaps, res.secrets]) for (const o of await c.list(r, { namespace: basicNs, labelSelector: PART_OF_LABEL })) out[`${r.kind}/${String(meta(o).name)}`] = meta(o).resourceVersion;
      out.namespace = meta(await get(c, res.namespaces, undefined, basicNs)).resourceVersion;
      out.parent = meta(await get(c, res.secrets, 'kube-system', basicParent.name)).resourceVersion;
      // The controller writes a Deployment's status (and resourceVersion); what Manifold writes shows in generation and its managedFields time.
      const web = await get(c, res.deployments, basicNs, 'web');
      out.webGeneration = meta(web).generation;
      out.webApplyTime = (meta(web).managedFields as JsonObject[]).find((f) => f.manager === 'manifold')?.time;
      return out;
    };
    const before = await Promise.all(names.map((n) => versions(client(n))));
    const runClients = names.map((n) => client(n));
    const statuses = await reconcileFleet(
      names.map((cluster, i) => ({ cluster, tree: tree(basic()), client: runClients[i] })),
      { renderedCommit: 'e2e', parent: basicParent },
    );
    for (const [i, s] of statuses.entries()) {
      expect(s.result).toBe('Synced');
      expect(s.summary).toMatchObject({ objects: 11, applied: 0, unchanged: 11, drifted: 0 });
      // discovery (2) + parent (1) + one LIST per resource (4): nothing per object; then the
      // live state (observe.ts): /readyz, /version, one LIST of nodes, one of pods.
      expect(runClients[i]?.requests).toBeLessThanOrEqual(11);
    }
    const after = await Promise.all(names.map((n) => versions(client(n))));
    expect(after).toEqual(before);
  });

  it('drift by another field manager: reported with paths and values (Secret masked); selfHeal false leaves it, the default corrects it', async () => {
    const c = client(m1);
    await intrude(c, res.deployments, basicNs, 'web', { spec: { replicas: 3 } });
    await intrude(c, res.configmaps, basicNs, 'cm-0', { data: { k: 'tampered' } });
    await intrude(c, res.secrets, basicNs, 'creds', { stringData: { password: 'intruder-pw-77' } });

    const reported = await once(m1, basic(), { parent: basicParent, selfHeal: false });
    expect(reported.result).toBe('Degraded');
    expect(reported.summary).toMatchObject({ drifted: 3, applied: 0 });
    expect(object(reported, 'Deployment', 'web')).toMatchObject({ action: 'skipped', drift: [{ path: '/spec/replicas', before: 3, after: 1 }] });
    expect(object(reported, 'ConfigMap', 'cm-0').drift).toEqual([{ path: '/data/k', before: 'tampered', after: 'cm-0' }]);
    expect(object(reported, 'Secret', 'creds').drift).toEqual([{ path: '/data/password', before: '***', after: '***' }]);
    expect(ready(reported)?.message).toMatch(/3 object\(s\) drifted \(not corrected\)/);
    expect((await get(c, res.deployments, basicNs, 'web'))?.spec).toMatchObject({ replicas: 3 });

    const corrected = await once(m1, basic(), { parent: basicParent });
    expect(corrected.result).toBe('Synced');
    expect(object(corrected, 'Deployment', 'web')).toMatchObject({ action: 'configured', drift: [{ path: '/spec/replicas', before: 3, after: 1 }] });
    expect(object(corrected, 'ConfigMap', 'cm-1').action).toBe('unchanged');
    expect((await get(c, res.deployments, basicNs, 'web'))?.spec).toMatchObject({ replicas: 1 });
    expect((await get(c, res.configmaps, basicNs, 'cm-0'))?.data).toEqual({ k: 'cm-0' });
    const pw = ((await get(c, res.secrets, basicNs, 'creds'))?.data as JsonObject).password;
    expect(Buffer.from(String(pw), 'base64').toString()).toBe('pw-basic-Zq81');

    const clean = await once(m1, basic(), { parent: basicParent });
    expect(clean.summary).toMatchObject({ applied: 0, drifted: 0, unchanged: 11 });
  });

  it('prune: an object removed from the tree is deleted, one with manifold.dev/prune: disabled is kept; mass prunes are refused', async () => {
    const ns = 'rec-prune';
    const parent = parentFor('prune');
    const c = client(m2);
    const objects = (n: number): JsonObject[] => [
      namespace(ns),
      ...Array.from({ length: n }, (_, i) => configMap(ns, `cm-${i}`, { k: String(i) }, i === 9 ? { 'manifold.dev/prune': 'disabled' } : undefined)),
    ];
    expect((await once(m2, objects(10), { parent })).summary.applied).toBe(11);

    const pruned = await once(m2, objects(8), { parent });
    expect(pruned.result).toBe('Synced');
    expect(pruned.summary.pruned).toBe(1);
    expect(object(pruned, 'ConfigMap', 'cm-8').action).toBe('pruned');
    expect(object(pruned, 'ConfigMap', 'cm-9')).toMatchObject({ action: 'skipped', message: 'not pruned: manifold.dev/prune: disabled' });
    expect(await get(c, res.configmaps, ns, 'cm-8')).toBeUndefined();
    expect(await get(c, res.configmaps, ns, 'cm-9')).toBeDefined();

    // Members now: namespace, cm-0..7, cm-9. Dropping cm-3..7 would delete 5 of 10.
    const refused = await once(m2, objects(3), { parent });
    expect(refused.result).toBe('Degraded');
    expect(refused.summary.pruned).toBe(0);
    expect(refused.conditions.find((x) => x.type === 'Pruned')).toMatchObject({ status: 'False', reason: 'PruneRefused', message: expect.stringMatching(/5 of 10 managed objects \(50 %/) });
    // The reason is said once (the condition); each object left in place points at it.
    expect(object(refused, 'ConfigMap', 'cm-7')).toMatchObject({ action: 'skipped', message: 'not pruned: the prune was refused (see the Pruned condition)' });
    expect(await get(c, res.configmaps, ns, 'cm-7')).toBeDefined();
    // The parent still lists what remains, so a later run can prune it.
    const empty = await once(m2, [], { parent });
    expect(empty.result).toBe('Degraded');
    expect(empty.conditions.find((x) => x.type === 'Pruned')?.message).toMatch(/tree of this cluster is empty/);

    const allowed = await once(m2, objects(3), { parent, allowMassPrune: true });
    expect(allowed.result).toBe('Synced');
    expect(allowed.summary.pruned).toBe(5);
    expect(await get(c, res.configmaps, ns, 'cm-7')).toBeUndefined();
    expect(await get(c, res.configmaps, ns, 'cm-2')).toBeDefined();
  });

  it('objects the API server rejects are reported with its message; the rest converges', async () => {
    const ns = 'rec-invalid';
    const parent = parentFor('invalid');
    const objects = [
      namespace(ns),
      configMap(ns, 'good-1'),
      configMap(ns, 'good-2'),
      deployment(ns, 'negative', -1),
      { ...configMap(ns, 'typo'), bogus: 1 },
      { apiVersion: 'example.invalid/v1', kind: 'Gizmo', metadata: { name: 'g', namespace: ns }, spec: {} },
    ];
    const s = await once(m3, objects, { parent });
    expect(s.result).toBe('Failed');
    expect(s.summary).toMatchObject({ objects: 6, applied: 3, failed: 3 });
    expect(object(s, 'ConfigMap', 'good-1').action).toBe('created');
    expect(object(s, 'Deployment', 'negative')).toMatchObject({ action: 'failed', message: expect.stringMatching(/spec\.replicas: Invalid value: -1: must be greater than or equal to 0/) });
    // Strict field validation: the server names the field instead of dropping it.
    expect(object(s, 'ConfigMap', 'typo')).toMatchObject({ action: 'failed', message: expect.stringMatching(/\.bogus: field not declared in schema/) });
    expect(object(s, 'Gizmo', 'g')).toMatchObject({ action: 'failed', message: expect.stringMatching(/no matches for kind "Gizmo" in version "example.invalid\/v1"/) });
    expect(await get(client(m3), res.configmaps, ns, 'good-2')).toBeDefined();
  });

  it('an immutable field change fails without manifold.dev/recreate: allowed and deletes and re-creates with it', async () => {
    const ns = 'rec-immutable';
    const parent = parentFor('immutable');
    const c = client(m3);
    expect((await once(m3, [namespace(ns), deployment(ns, 'api', 1, 'api-v1')], { parent })).result).toBe('Synced');
    const uid = meta(await get(c, res.deployments, ns, 'api')).uid;

    const refused = await once(m3, [namespace(ns), deployment(ns, 'api', 1, 'api-v2')], { parent });
    expect(refused.result).toBe('Failed');
    expect(object(refused, 'Deployment', 'api')).toMatchObject({ action: 'failed', message: expect.stringMatching(/field is immutable.*manifold\.dev\/recreate: allowed/s) });
    expect(meta(await get(c, res.deployments, ns, 'api')).uid).toBe(uid);

    const recreated = await once(m3, [namespace(ns), deployment(ns, 'api', 1, 'api-v2', { 'manifold.dev/recreate': 'allowed' })], { parent });
    expect(recreated.result).toBe('Synced');
    expect(object(recreated, 'Deployment', 'api').action).toBe('recreated');
    const now = await get(c, res.deployments, ns, 'api');
    expect(meta(now).uid).not.toBe(uid);
    expect(now?.spec).toMatchObject({ selector: { matchLabels: { app: 'api-v2' } } });
  });

  it('waits until a Deployment is Healthy on kwok nodes; a LoadBalancer without an address is Progressing', async () => {
    const ns = 'rec-health';
    const parent = parentFor('health');
    const lb: JsonObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'lb', namespace: ns }, spec: { type: 'LoadBalancer', selector: { app: 'x' }, ports: [{ port: 80 }] } };
    const quick = await once(m1, [namespace(ns), lb], { parent });
    expect(quick.result).toBe('Synced');
    expect(object(quick, 'Service', 'lb')).toMatchObject({ health: 'Progressing', message: 'waiting for a load balancer address' });

    const s = await once(m1, [namespace(ns), lb, deployment(ns, 'app', 2)], { parent: parentFor('health'), wait: true, waitTimeoutMs: 3000 });
    // The LoadBalancer never gets an address here: the wait times out and says so.
    expect(s.result).toBe('Degraded');
    expect(s.conditions.find((c) => c.type === 'Healthy')).toMatchObject({ reason: 'HealthCheckTimeout' });

    const healthy = await once(m1, [namespace(ns), deployment(ns, 'app', 2)], { parent, wait: true, waitTimeoutMs: 120_000, allowMassPrune: true });
    expect(healthy.result).toBe('Synced');
    expect(object(healthy, 'Deployment', 'app').health).toBe('Healthy');
    const live = await get(client(m1), res.deployments, ns, 'app');
    expect(live?.status).toMatchObject({ availableReplicas: 2, updatedReplicas: 2 });
  });

  it('a CRD and its custom resource in one run (staged: the CRD is Established first); a CR without conditions is healthy (kstatus), also under --wait', async () => {
    const ns = 'rec-crd';
    const parent = parentFor('crd');
    const crd: JsonObject = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.rec.manifold.test' },
      spec: {
        group: 'rec.manifold.test',
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
      },
    };
    const gadget: JsonObject = { apiVersion: 'rec.manifold.test/v1', kind: 'Gadget', metadata: { name: 'g1', namespace: ns }, spec: { size: 3 } };
    const s = await once(m2, [gadget, crd, namespace(ns)], { parent });
    expect(s.result, JSON.stringify(s.objects)).toBe('Synced');
    expect(object(s, 'CustomResourceDefinition', 'gadgets.rec.manifold.test')).toMatchObject({ action: 'created', health: 'Healthy' });
    expect(object(s, 'Gadget', 'g1')).toMatchObject({ action: 'created', health: 'Healthy' });
    expect(s.summary.unhealthy).toBe(0);
    const again = await once(m2, [gadget, crd, namespace(ns)], { parent, wait: true, waitTimeoutMs: 20_000 });
    expect(again.summary).toMatchObject({ unchanged: 3, applied: 0, unhealthy: 0 });
    expect(again.result).toBe('Synced');
    expect(again.durationMs).toBeLessThan(10_000);
  });

  it('expired or wrong credentials: Failed with a clear 401 message that does not quote the token', async () => {
    const c1 = fleet.clusters[0];
    if (!c1) throw new Error('no cluster');
    const badToken = 'not-a-valid-token-4711';
    const kubeconfig = path.join(tmp, 'bad-kubeconfig');
    writeFileSync(kubeconfig, renderKubeconfig([{ name: c1.name, server: c1.server, caPem: c1.caPem, token: badToken }]));
    const [s] = await reconcileFleet([{ cluster: c1.name, tree: tree([namespace('rec-401')]) }], { renderedCommit: 'e2e', kubeconfigPath: kubeconfig, parent: parentFor('401') });
    expect(s?.result).toBe('Failed');
    expect(ready(s as ClusterStatus)).toMatchObject({ reason: 'Unauthorized', message: expect.stringMatching(/rejected the credentials \(401 Unauthorized\)/) });
    expect(JSON.stringify(s)).not.toContain(badToken);
  });
});

describe('manifold reconcile --once (CLI)', () => {
  const ns = 'rec-cli';
  const secretValue = 'cli-Secret-Value-9f3k';
  const dataValue = 'data-Secret-Value-2mX7';
  const writeTree = (dir: string, clusters: Record<string, JsonObject[]>): void => {
    rmSync(dir, { recursive: true, force: true });
    for (const [cluster, objects] of Object.entries(clusters)) {
      for (const [file, content] of tree(objects)) {
        const full = path.join(dir, cluster, file);
        mkdirSync(path.dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
    }
  };
  const objects = (): JsonObject[] => [
    namespace(ns),
    configMap(ns, 'settings'),
    { ...secret(ns, 'api-key', { key: secretValue }), data: { token: Buffer.from(dataValue).toString('base64') } },
  ];
  const outputs: string[] = [];
  const cli = (...args: string[]): { code: number | null; out: string; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'src/cli/main.ts'), 'reconcile', '--once', '--kubeconfig', fleet.kubeconfigPath, ...args], {
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: '' },
      timeout: 120_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    outputs.push(out);
    return { code: r.status, out, stdout: r.stdout, stderr: r.stderr };
  };
  const dir = path.join(tmp, 'rendered');

  it('exit 0 when synced, 1 when drift is not corrected or an object is rejected, 3 when a context is missing, 2 on invalid input', async () => {
    writeTree(dir, { [m1]: objects(), [m2]: objects() });
    // The CLI uses the default ApplySet parent, as report.e2e's agents do: when that file ran
    // first (vitest orders files by earlier durations), its objects are still managed there.
    const first = cli('--dir', dir, '--verbose', '--allow-mass-prune');
    expect(first.code, first.out).toBe(0);
    // --once --dir logs as --once --repo does: JSON lines on stderr, one per cluster at least.
    const logLines = first.stderr.trim().split('\n').map((l) => JSON.parse(l) as { cluster?: string; msg: string });
    expect(logLines.filter((l) => l.cluster === m1 && /Synced/.test(l.msg))).toHaveLength(1);
    expect(first.out).toMatch(new RegExp(`${m1}\\s+Synced\\s+3 objects: 3 applied`));

    const c = client(m1);
    await intrude(c, res.secrets, ns, 'api-key', { stringData: { key: 'intruder-secret-value-0q' } });
    const drift = cli('--dir', dir, '--no-self-heal', '--cluster', m1, '-o', 'json', '--verbose');
    expect(drift.code, drift.out).toBe(1);
    const parsed = JSON.parse(drift.stdout) as { clusters: ClusterStatus[] };
    expect(parsed.clusters).toHaveLength(1);
    expect(object(parsed.clusters[0] as ClusterStatus, 'Secret', 'api-key').drift).toEqual([{ path: '/data/key', before: '***', after: '***' }]);
    const text = cli('--dir', dir, '--cluster', m1, '--verbose');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/Secret rec-cli\/api-key: drift \/data\/key: "\*\*\*" -> "\*\*\*" \(corrected\)/);

    // An invalid Secret: the server's message must not leak its value either.
    writeTree(dir, { [m1]: [...objects(), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'broken', namespace: ns }, data: { x: `${secretValue}!!` } }] });
    const rejected = cli('--dir', dir, '--verbose');
    // The API server cannot decode it (500 InternalError, deterministic): the manifest needs fixing, "not converged".
    expect(rejected.code, rejected.out).toBe(1);
    // The summary names the rendered file of the failed object.
    expect(rejected.out).toMatch(new RegExp(`x Secret rec-cli/broken \\(${m1}/[^)]*broken[^)]*\\.yaml\\): `));

    writeTree(dir, { 'no-such-context': [namespace(ns)] });
    const missing = cli('--dir', dir);
    expect(missing.code).toBe(3);
    expect(missing.out).toMatch(/no context named "no-such-context"/);

    writeTree(dir, { [m1]: objects() });
    writeFileSync(path.join(dir, m1, 'broken.yaml'), 'kind: [unclosed\n');
    const invalid = cli('--dir', dir);
    expect(invalid.code).toBe(2);
    expect(invalid.out).toMatch(/broken\.yaml/);
    expect(cli('--dir', dir, '--repo', dir).code).toBe(2);
  });

  it('reads the trees from a commit of the rendered branch', () => {
    const repo = path.join(tmp, 'repo');
    writeTree(repo, { [m1]: objects() });
    const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
    git('init', '-q', '-b', 'manifold/rendered');
    git('add', '.');
    git('commit', '-q', '-m', 'rendered');
    const sha = git('rev-parse', 'HEAD').stdout.trim();
    rmSync(path.join(repo, m1), { recursive: true }); // the working tree does not matter: the commit does
    const r = cli('--repo', repo, '--branch', 'manifold/rendered', '-o', 'json');
    expect(r.code, r.out).toBe(0);
    const parsed = JSON.parse(r.stdout) as { clusters: ClusterStatus[] };
    expect(parsed.clusters[0]).toMatchObject({ cluster: m1, renderedCommit: sha, result: 'Synced', summary: { objects: 3 } });
  });

  it('no output ever holds a Secret value, a token or a credential', () => {
    expect(outputs.length).toBeGreaterThan(5);
    const all = outputs.join('\n');
    const forbidden = [
      secretValue,
      Buffer.from(secretValue).toString('base64'),
      dataValue,
      Buffer.from(dataValue).toString('base64'),
      'intruder-secret-value-0q',
      Buffer.from('intruder-secret-value-0q').toString('base64'),
      ...fleet.clusters.flatMap((c) => [c.token, c.clientKeyPem.split('\n')[1] ?? c.clientKeyPem]),
    ];
    for (const value of forbidden) expect(all.includes(value), `output contains ${value.slice(0, 4)}…`).toBe(false);
  });
});
