/** Property tests of the whole pipeline on generated fleets, policies and templates. */
import path from 'node:path';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../src/dialects/index.ts';
import { InputError } from '../src/errors/index.ts';
import { loadRepository } from '../src/load/repository.ts';
import { render, type RenderResult } from '../src/render/render.ts';
import { treeOf } from '../src/output/folder.ts';

const clusterName = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
const region = fc.constantFrom('eu', 'us', 'ap');

const clusterArb = fc.record({ name: clusterName, region, tier: fc.constantFrom('gold', 'silver') });

const weightEntry = fc.record({
  names: fc.uniqueArray(clusterName, { maxLength: 3 }),
  region: fc.option(region, { nil: undefined }),
  weight: fc.integer({ min: 1, max: 5 }),
});

const placementArb = fc.record({
  clusterNames: fc.option(fc.uniqueArray(clusterName, { maxLength: 4 }), { nil: undefined }),
  tier: fc.option(fc.constantFrom('gold', 'silver'), { nil: undefined }),
  divided: fc.boolean(),
  weights: fc.option(fc.array(weightEntry, { maxLength: 3 }), { nil: undefined }),
  spread: fc.option(fc.record({ min: fc.integer({ min: 0, max: 3 }), max: fc.integer({ min: 0, max: 4 }) }), { nil: undefined }),
});

const templateArb = fc.record({
  name: fc.constantFrom('web', 'api', 'db', 'x'),
  namespace: fc.constantFrom('shop', 'default', 'ops'),
  replicas: fc.integer({ min: 0, max: 40 }),
  kind: fc.constantFrom('Deployment', 'ConfigMap', 'StatefulSet', 'Job'),
});

type Gen = {
  clusters: { name: string; region: string; tier: string }[];
  templates: { name: string; namespace: string; replicas: number; kind: string }[];
  placement: {
    clusterNames?: string[] | undefined;
    tier?: string | undefined;
    divided: boolean;
    weights?: { names: string[]; region?: string | undefined; weight: number }[] | undefined;
    spread?: { min: number; max: number } | undefined;
  };
};

function sourceOf(gen: Gen): { path: string; text: string }[] {
  const docs: unknown[] = [];
  for (const c of gen.clusters) {
    docs.push({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: c.name, labels: { tier: c.tier } }, spec: { region: c.region } });
  }
  for (const t of gen.templates) {
    const meta = { name: t.name, namespace: t.namespace };
    const pod = { metadata: { labels: { app: t.name } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };
    if (t.kind === 'ConfigMap') docs.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { k: 'v' } });
    else if (t.kind === 'Job') docs.push({ apiVersion: 'batch/v1', kind: 'Job', metadata: meta, spec: { parallelism: t.replicas, completions: t.replicas * 2, template: pod } });
    else docs.push({ apiVersion: 'apps/v1', kind: t.kind, metadata: meta, spec: { replicas: t.replicas, selector: { matchLabels: { app: t.name } }, template: pod } });
  }
  const p = gen.placement;
  const placement: Record<string, unknown> = {};
  const affinity: Record<string, unknown> = {};
  if (p.clusterNames) affinity.clusterNames = p.clusterNames;
  if (p.tier) affinity.labelSelector = { matchLabels: { tier: p.tier } };
  if (Object.keys(affinity).length) placement.clusterAffinity = affinity;
  if (p.divided) {
    placement.replicaScheduling = {
      replicaSchedulingType: 'Divided',
      replicaDivisionPreference: 'Weighted',
      ...(p.weights
        ? {
            weightPreference: {
              staticWeightList: p.weights.map((w) => ({
                targetCluster: { ...(w.names.length ? { clusterNames: w.names } : {}), ...(w.region ? { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: [w.region] }] } } : {}) },
                weight: w.weight,
              })),
            },
          }
        : {}),
    };
  }
  if (p.spread) placement.spreadConstraints = [{ spreadByField: 'cluster', minGroups: p.spread.min, maxGroups: p.spread.max }];
  docs.push({
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'ClusterPropagationPolicy',
    metadata: { name: 'everything' },
    spec: {
      resourceSelectors: ['Deployment', 'StatefulSet'].map((kind) => ({ apiVersion: 'apps/v1', kind })).concat([{ apiVersion: 'v1', kind: 'ConfigMap' }, { apiVersion: 'batch/v1', kind: 'Job' }]),
      placement,
    },
  });
  return [{ path: 'fleet.yaml', text: docs.map((d) => dump(d, { noRefs: true })).join('---\n') }];
}

/** Renders, or returns the InputError: anything else thrown is a crash and fails the property. */
function tryRender(gen: Gen): RenderResult | InputError {
  try {
    return render(loadRepository(sourceOf(gen), registry), dialects, { manifoldVersion: 'test' });
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
}

const genArb = fc.record({
  clusters: fc.uniqueArray(clusterArb, { minLength: 1, maxLength: 6, selector: (c) => c.name }),
  templates: fc.uniqueArray(templateArb, { maxLength: 5, selector: (t) => `${t.kind}/${t.namespace}/${t.name}` }),
  placement: placementArb,
});

describe('render properties', () => {
  it('never crashes and is deterministic', () => {
    fc.assert(
      fc.property(genArb, (gen) => {
        const a = tryRender(gen);
        const b = tryRender(gen);
        if (a instanceof InputError) {
          expect(b).toBeInstanceOf(InputError);
          expect((b as InputError).message).toBe(a.message);
          return;
        }
        expect(b).not.toBeInstanceOf(InputError);
        const ta = treeOf(a.clusters, a.provenance);
        const tb = treeOf((b as RenderResult).clusters, (b as RenderResult).provenance);
        expect([...ta]).toEqual([...tb]);
      }),
      { numRuns: 300 },
    );
  });

  it('conserves the replica total under static-weight division when any cluster gets replicas', () => {
    fc.assert(
      fc.property(genArb, (gen) => {
        fc.pre(gen.placement.divided && gen.placement.spread === undefined);
        const result = tryRender(gen);
        if (result instanceof InputError) return;
        for (const t of gen.templates.filter((x) => x.kind === 'Deployment' || x.kind === 'StatefulSet')) {
          const file = `namespaces/${t.namespace}/${t.kind}.apps/${t.name}.yaml`;
          const counts = [...result.clusters.values()].flatMap((files) => {
            const text = files.get(file);
            const m = text === undefined ? null : /\n {2}replicas: (\d+)/.exec(text);
            return m ? [Number(m[1])] : [];
          });
          if (t.replicas > 0 && counts.length > 0) expect(counts.reduce((x, y) => x + y, 0)).toBe(t.replicas);
          // Clusters left with 0 replicas get no object.
          expect(counts.every((n) => n > 0 || t.replicas === 0)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never produces a path outside its cluster folder, whatever the names', () => {
    const nameArb = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('..', '.', '../x', 'a/b', '%2e%2e', '\\..\\x', 'ok', 'a.b'));
    fc.assert(
      fc.property(nameArb, nameArb, (name, namespace) => {
        const text = dump({ apiVersion: 'cluster.karmada.io/v1alpha1', kind: 'Cluster', metadata: { name: 'm' } }) +
          '---\n' + dump({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } }) +
          '---\n' + dump({ apiVersion: 'policy.karmada.io/v1alpha1', kind: 'ClusterPropagationPolicy', metadata: { name: 'p' }, spec: { resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap' }] } });
        let result: RenderResult;
        try {
          result = render(loadRepository([{ path: 'a.yaml', text }], registry), dialects, { manifoldVersion: 'test' });
        } catch (err) {
          expect(err).toBeInstanceOf(InputError);
          return;
        }
        for (const file of treeOf(result.clusters, result.provenance).keys()) {
          const normal = path.posix.normalize(file);
          expect(normal).toBe(file);
          expect(file.startsWith('/') || file.split('/').includes('..')).toBe(false);
          expect(file.startsWith('m/') || file.startsWith('.manifold/')).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
