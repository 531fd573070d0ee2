import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, expectGolden, renderExample } from '../../test/golden.ts';
import { dialects, registry } from '../dialects/index.ts';
import { InputError, type Problem } from '../errors/index.ts';
import { loadRepository } from '../load/repository.ts';
import type { JsonObject } from '../model/types.ts';
import type { WorkApi } from '../model/work-api.ts';
import { render } from './render.ts';
import { OCM_MANIFESTS_LIMIT, clustersOfWorks, worksHubOf, worksTree, type WorksOptions } from './works.ts';

const APIS: WorkApi[] = ['ocm', 'karmada', 'kubefleet', 'sig'];

function problemsOf(fn: () => unknown): Problem[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err.problems;
    throw err;
  }
  throw new Error('expected an InputError');
}

interface Work {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { workload: { manifests: JsonObject[] } };
}

/** n ConfigMaps of about `bytes` bytes each in cluster a (and nothing in cluster b). */
function fleet(n: number, bytes: number): Map<string, ReadonlyMap<string, string>> {
  const files = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const name = `cm-${String(i).padStart(3, '0')}`;
    files.set(`namespaces/apps/ConfigMap/${name}.yaml`, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: apps\ndata:\n  v: ${'x'.repeat(bytes)}\n`);
  }
  return new Map([
    ['a', files],
    ['b', new Map()],
  ]);
}

const OPTIONS: WorksOptions = { api: 'ocm', hub: 'hub', name: 'manifold' };

describe('render --as-works', () => {
  for (const example of ['examples/quickstart', 'examples/kubefed', 'examples/kubeadmiral']) {
    it(`round-trips ${example}: its Works, read back as a source, render the same per-cluster trees (every API)`, async () => {
      const plain = await renderExample(example);
      const inventory = { path: 'clusters.yaml', text: readFileSync(path.join(ROOT, example, 'clusters.yaml'), 'utf8') };
      for (const api of APIS) {
        const { clusters } = worksTree(plain.clusters, { ...OPTIONS, api });
        const hub = clusters.get('hub') as ReadonlyMap<string, string>;
        const sources = [inventory, ...[...hub].map(([p, text]) => ({ path: p, text }))];
        const again = render(loadRepository(sources, registry), dialects, { manifoldVersion: 'test' });
        for (const [cluster, files] of plain.clusters) expect(new Map(again.clusters.get(cluster)), `${api} ${cluster}`).toEqual(new Map(files));
        expect(again.warnings, api).toEqual([]);
      }
    });
  }

  it('keeps block scalars, blank lines and odd strings intact when splicing files into a Work', () => {
    const tricky = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'tricky', namespace: 'apps', annotations: { note: '- not a list item', colon: 'a: b' } },
      data: { script: '#!/bin/sh\n\necho "hi"\n  indented\n\n\ntrailing  \n', empty: '', spaces: '   ', yes: 'yes', multi: 'line1\nline2' },
    };
    const repoOf = (files: { path: string; text: string }[]) => render(loadRepository(files, registry), dialects, { manifoldVersion: 'test' });
    const inventory = { path: 'c.yaml', text: 'apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata: {name: a}\n' };
    const plain = repoOf([
      inventory,
      { path: 'cm.json', text: JSON.stringify(tricky) },
      { path: 'pp.yaml', text: 'apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: p, namespace: apps}\nspec:\n  resourceSelectors: [{apiVersion: v1, kind: ConfigMap}]\n  placement: {clusterAffinity: {clusterNames: [a]}}\n' },
    ]);
    for (const api of APIS) {
      const hub = worksTree(plain.clusters, { ...OPTIONS, api }).clusters.get('hub') as ReadonlyMap<string, string>;
      const work = load([...hub.values()][0] as string) as Work;
      expect(work.spec.workload.manifests.find((m) => (m.metadata as { name: string }).name === 'tricky'), api).toEqual(tricky);
      const again = repoOf([inventory, ...[...hub].map(([p, text]) => ({ path: p, text }))]);
      expect(new Map(again.clusters.get('a')), api).toEqual(new Map(plain.clusters.get('a')));
    }
  });

  it('reads the cluster files back out of the Works, byte for byte (a previous render committed as Works)', async () => {
    for (const example of ['examples/quickstart', 'examples/kubefed', 'examples/kubeadmiral']) {
      const plain = await renderExample(example);
      const withObjects = new Map([...plain.clusters].filter(([, files]) => files.size > 0).map(([c, files]) => [c, new Map(files)]));
      for (const api of APIS) {
        const hub = worksTree(plain.clusters, { ...OPTIONS, api, limits: { workBytes: 4000, ocmManifestBytes: 3000 } }).clusters.get('hub') as ReadonlyMap<string, string>;
        expect(clustersOfWorks(hub), `${example} ${api}`).toEqual(withObjects);
      }
    }
    expect(worksHubOf(JSON.stringify({ works: { hub: 'karmada-apiserver' } }))).toBe('karmada-apiserver');
    expect(worksHubOf(JSON.stringify({ objects: [] }))).toBeUndefined();
    expect(worksHubOf('not json')).toBeUndefined();
  });

  it('golden: examples/quickstart as OCM ManifestWorks', async () => {
    const { clusters } = worksTree((await renderExample('examples/quickstart')).clusters, OPTIONS);
    expectGolden('works-ocm-quickstart', new Map([...(clusters.get('hub') ?? [])].map(([p, text]) => [`hub/${p}`, text])));
  });

  it('writes one Work per cluster with objects, in the namespace its agent reads, manifests in file order', () => {
    const input = fleet(3, 10);
    for (const [api, path] of [
      ['ocm', 'namespaces/a/ManifestWork.work.open-cluster-management.io/manifold.yaml'],
      ['karmada', 'namespaces/karmada-es-a/Work.work.karmada.io/manifold.yaml'],
      ['kubefleet', 'namespaces/fleet-member-a/Work.placement.kubernetes-fleet.io/manifold.yaml'],
      ['sig', 'namespaces/a/Work.multicluster.x-k8s.io/manifold.yaml'],
    ] as const) {
      const { clusters, works } = worksTree(input, { ...OPTIONS, api });
      expect([...(clusters.get('hub')?.keys() ?? [])], api).toEqual([path]);
      const work = load(clusters.get('hub')?.get(path) as string) as Work;
      expect(work.metadata.labels).toEqual({ 'manifold.dev/cluster': 'a' });
      expect(work.spec.workload.manifests.map((m) => (m.metadata as { name: string }).name)).toEqual(['cm-000', 'cm-001', 'cm-002']);
      expect(works).toEqual([{ path, cluster: 'a', objects: 3, bytes: expect.any(Number) }]);
    }
  });

  it('splits a cluster over several Works, each under the limit, deterministically', () => {
    const input = fleet(40, 1000);
    const limits = { workBytes: 10_000, ocmManifestBytes: OCM_MANIFESTS_LIMIT };
    const first = worksTree(input, { ...OPTIONS, api: 'karmada', limits });
    const second = worksTree(input, { ...OPTIONS, api: 'karmada', limits });
    expect(second).toEqual(first);
    const hub = first.clusters.get('hub') as ReadonlyMap<string, string>;
    expect(first.works.length).toBeGreaterThan(3);
    expect(first.works.map((w) => w.path.split('/').at(-1))).toEqual(first.works.map((_, i) => (i === 0 ? 'manifold.yaml' : `manifold-${i + 1}.yaml`)));
    for (const w of first.works) expect(w.bytes).toBeLessThanOrEqual(10_000);
    // Nearly full: greedy packing leaves less than one object's room.
    for (const w of first.works.slice(0, -1)) expect(w.bytes).toBeGreaterThan(10_000 - 1100);
    const names = first.works.map((w) => hub.get(w.path) as string).flatMap((text) => (load(text) as Work).spec.workload.manifests.map((m) => (m.metadata as { name: string }).name));
    expect(names).toEqual([...input.get('a')?.keys() ?? []].map((p) => path.basename(p, '.yaml')));
    expect(first.works.reduce((n, w) => n + w.objects, 0)).toBe(40);
  });

  it('keeps an OCM ManifestWork under the 500 KiB manifests limit of its webhook', () => {
    // 100 objects of ~10 KB: about 1 MB of manifests, so two ManifestWorks.
    const { works } = worksTree(fleet(100, 10_000), OPTIONS);
    expect(works.length).toBe(2);
    for (const w of works) expect(w.bytes).toBeLessThan(OCM_MANIFESTS_LIMIT + 1000);
    // Karmada has no such limit: the same objects fit in one Work under the 1 MiB budget.
    expect(worksTree(fleet(100, 10_000), { ...OPTIONS, api: 'karmada' }).works.length).toBe(1);
  });

  it('refuses an object that no Work can hold, naming cluster and file', () => {
    const problems = problemsOf(() => worksTree(fleet(2, 600 * 1024), OPTIONS));
    expect(problems.map((p) => [p.code, p.field])).toEqual([
      ['WORK_TOO_LARGE', 'namespaces/apps/ConfigMap/cm-000.yaml'],
      ['WORK_TOO_LARGE', 'namespaces/apps/ConfigMap/cm-001.yaml'],
    ]);
    expect(problems[0]?.message).toMatch(/^cluster a: this object is \d+ bytes as JSON and exceeds OCM's 512000-byte manifests limit/);
  });

  it('refuses names the hub cannot hold', () => {
    const long = 'c'.repeat(60);
    const problems = problemsOf(() => worksTree(new Map([[long, new Map([['cluster/Namespace/x.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n']])]]), { ...OPTIONS, api: 'karmada', name: 'Bad_Name' }));
    expect(problems.map((p) => p.field)).toEqual(['--work-name', 'cluster']);
    expect(problems[1]?.message).toContain(`cluster ${long}: its Work namespace "karmada-es-${long}" is longer than 63 characters`);
  });

  it('an unreadable Work of a previous render is named without quoting it (a reason such as an unknown tag repeats input)', () => {
    const hub = new Map([['namespaces/eu-1/ManifestWork.work.open-cluster-management.io/manifold.yaml', 'apiVersion: v1\nkind: X\nspec: !<s3cr3t-v4lue> {}\n']]);
    let problem: Problem | undefined;
    try {
      clustersOfWorks(hub, 'prev');
    } catch (err) {
      problem = (err as InputError).problems[0];
    }
    expect(problem).toMatchObject({ code: 'PREVIOUS_UNREADABLE', file: 'prev/namespaces/eu-1/ManifestWork.work.open-cluster-management.io/manifold.yaml', line: 3 });
    expect(problem?.message).not.toContain('s3cr3t-v4lue');
  });
});
