/**
 * Incremental rendering must give the tree a full render gives, byte for
 * byte (provenance included). Every example, a richer Karmada source
 * (shared dependencies, dynamic weights, namespaces) and a generated fleet
 * go through random template edits; after each step the branch is rendered
 * incrementally, reset, rendered in full from the same tip, and the two tree
 * ids are compared.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { dialects, registry } from '../src/dialects/index.ts';
import { InputError } from '../src/errors/index.ts';
import { commitRenderedTree, renderedTree } from '../src/git/commit.ts';
import { previousFromBranch, provenanceOnBranch } from '../src/git/previous.ts';
import { openRepository, readRef, updateRef } from '../src/git/repo.ts';
import { loadRepository, type Repository } from '../src/load/repository.ts';
import { readSourceFolder } from '../src/load/source.ts';
import type { JsonObject } from '../src/model/types.ts';
import { render } from '../src/render/render.ts';
import { commitIncrementally } from '../src/app/incremental.ts';
import { generateFleet, mulberry32 } from '../bench/generate.ts';
import { ROOT } from './golden.ts';
import { cleanupTempDirs, gitIn, initRepo } from './git/repos.ts';

const BRANCH = 'manifold/rendered';
const REF = `refs/heads/${BRANCH}`;
const VERSION = 'test';
const author = { name: 'Test', email: 'test@example.com', timestamp: 1_700_000_000, timezoneOffset: 0 };

afterAll(() => cleanupTempDirs());

/** One document per file, so that editing a template leaves the policy files alone. */
function splitDocuments(files: ReadonlyMap<string, string>): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const [file, text] of files) {
    loadAll(text).forEach((doc, i) => {
      // manifold.yaml is read by its name (the settings of examples/monitoring).
      if (doc !== null && typeof doc === 'object') out.set(file === 'manifold.yaml' ? file : `${file.replace(/\.ya?ml$/, '')}-${i}.yaml`, doc as JsonObject);
    });
  }
  return out;
}

const GLOBAL_GROUPS = /(karmada\.io|kubefed\.io|kubeadmiral\.io|manifold\.dev)\/|^federation\//;
function isTemplate(doc: JsonObject): boolean {
  return !GLOBAL_GROUPS.test(String(doc.apiVersion)) && doc.kind !== 'CustomResourceDefinition';
}

type Docs = Map<string, JsonObject>;
const clone = (o: JsonObject): JsonObject => structuredClone(o);

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function podSpec(doc: JsonObject): Record<string, unknown> | undefined {
  return record(record(record(doc.spec)?.template)?.spec);
}

/** Random template edits: each returns false when it does not apply to the document drawn. */
const EDITS: Record<string, (docs: Docs, file: string, doc: JsonObject, random: () => number, step: number) => boolean> = {
  image(_docs, _file, doc, _r, step) {
    const c = (podSpec(doc)?.containers as Record<string, unknown>[] | undefined)?.[0];
    if (c === undefined) return false;
    c.image = `${String(c.image).split(':')[0]}:v${step}`;
    return true;
  },
  replicas(_docs, _file, doc, random) {
    const spec = record(doc.spec);
    if (typeof spec?.replicas !== 'number') return false;
    spec.replicas = Math.floor(random() * 12);
    return true;
  },
  label(_docs, _file, doc, random) {
    const meta = record(doc.metadata) as Record<string, unknown>;
    const labels = (record(meta.labels) ?? {}) as Record<string, string>;
    // Flip a label policies may select on, or add a harmless one.
    const keys = Object.keys(labels);
    if (keys.length > 0 && random() < 0.5) delete labels[keys[Math.floor(random() * keys.length)] as string];
    else labels[random() < 0.5 ? 'app' : 'test.manifold.dev/step'] = random() < 0.5 ? 'web' : 'other';
    meta.labels = labels;
    return true;
  },
  remove(docs, file) {
    docs.delete(file);
    return true;
  },
  copy(docs, file, doc, _r, step) {
    const copy = clone(doc);
    const meta = record(copy.metadata) as Record<string, unknown>;
    meta.name = `${String(meta.name)}-c${step}`;
    docs.set(file.replace(/\.yaml$/, `-c${step}.yaml`), copy);
    return true;
  },
  reference(docs, _file, doc, random) {
    const spec = podSpec(doc);
    const c = (spec?.containers as Record<string, unknown>[] | undefined)?.[0];
    if (c === undefined) return false;
    const ns = record(doc.metadata)?.namespace;
    const maps = [...docs.values()].filter((d) => d.kind === 'ConfigMap' && record(d.metadata)?.namespace === ns).map((d) => String(record(d.metadata)?.name));
    const name = maps.length > 0 && random() < 0.8 ? (maps[Math.floor(random() * maps.length)] as string) : 'missing-config';
    c.envFrom = random() < 0.2 ? [] : [{ configMapRef: { name } }];
    return true;
  },
  namespace(docs, _file, doc, random) {
    const meta = record(doc.metadata) as Record<string, unknown>;
    if (typeof meta.namespace !== 'string' || doc.kind === 'Namespace') return false;
    const namespaces = [...new Set([...docs.values()].map((d) => record(d.metadata)?.namespace).filter((n): n is string => typeof n === 'string'))];
    meta.namespace = namespaces[Math.floor(random() * namespaces.length)];
    return true;
  },
};

/** Loads the documents as a source; undefined when the edits made it invalid. */
function load(docs: Docs): Repository | undefined {
  try {
    return loadRepository([...docs].map(([file, doc]) => ({ path: file, text: dump(doc, { noRefs: true, lineWidth: -1 }) })), registry);
  } catch (err) {
    if (err instanceof InputError) return undefined;
    throw err;
  }
}

interface Tally {
  incremental: number;
  full: number;
  steps: number;
}

/** Renders the next state both ways on the same tip; expects one tree. */
async function renderBothWays(dir: string, repo: Repository, tally: Tally, label: string): Promise<void> {
  const git = openRepository(dir);
  try {
    const tip = await readRef(git, REF);
    let incrementalTree: string | undefined;
    const recorded = await provenanceOnBranch(git, BRANCH);
    if (recorded !== undefined && tip !== undefined) {
      const target = { git, repoDir: dir, branch: BRANCH, prefix: '', tip, provenanceText: recorded.text, sourceCommit: undefined, manifoldVersion: VERSION };
      const outcome = await commitIncrementally(repo, target);
      if (outcome.done) {
        incrementalTree = outcome.result.tree;
        tally.incremental++;
        if (outcome.result.created) await updateRef(git, REF, tip, outcome.result.commit, { who: author, message: 'test: reset' });
      }
    }
    let full: Awaited<ReturnType<typeof commitRenderedTree>>;
    try {
      const previous = await previousFromBranch(git, BRANCH);
      const result = render(repo, dialects, { previous, manifoldVersion: VERSION });
      full = await commitRenderedTree(git, renderedTree(result.clusters, result.provenance), { branch: BRANCH, manifoldVersion: VERSION, author });
    } catch (err) {
      // A render error (e.g. an override that no longer applies) must be the same both ways.
      expect(incrementalTree, `${label}: incremental rendered what a full render rejects: ${String(err)}`).toBeUndefined();
      if (err instanceof InputError) return;
      throw err;
    }
    tally.full++;
    if (incrementalTree !== undefined && incrementalTree !== full.tree) {
      const stat = gitIn(dir, ['diff', '--stat', full.tree, incrementalTree]);
      expect.fail(`${label}: incremental tree ${incrementalTree} differs from the full render ${full.tree}:\n${stat}`);
    }
  } finally {
    git.objects.close();
  }
}

async function runEdits(name: string, files: ReadonlyMap<string, string>, seed: number, steps: number): Promise<Tally> {
  const docs = splitDocuments(files);
  const dir = initRepo();
  const tally: Tally = { incremental: 0, full: 0, steps: 0 };
  const random = mulberry32(seed);
  const first = load(docs);
  if (first === undefined) throw new Error(`${name} does not load`);
  await renderBothWays(dir, first, tally, `${name} step 0`);
  const kinds = Object.keys(EDITS);
  for (let step = 1; step <= steps; step++) {
    const next: Docs = new Map([...docs].map(([f, d]) => [f, clone(d)]));
    const templates = [...next.keys()].filter((f) => isTemplate(next.get(f) as JsonObject));
    const edits = 1 + Math.floor(random() * 2);
    for (let e = 0; e < edits && templates.length > 0; e++) {
      const file = templates[Math.floor(random() * templates.length)] as string;
      const doc = next.get(file);
      if (doc === undefined) continue;
      EDITS[kinds[Math.floor(random() * kinds.length)] as string]?.(next, file, doc, random, step);
    }
    const repo = load(next);
    if (repo === undefined) continue;
    docs.clear();
    for (const [f, d] of next) docs.set(f, d);
    tally.steps++;
    await renderBothWays(dir, repo, tally, `${name} step ${step}`);
  }
  return tally;
}

/** Fixed edits, one render each: for the cases random edits reach only by luck. */
async function runScript(name: string, files: ReadonlyMap<string, string>, steps: ((docs: Docs) => void)[]): Promise<Tally> {
  const docs = splitDocuments(files);
  const dir = initRepo();
  const tally: Tally = { incremental: 0, full: 0, steps: 0 };
  await renderBothWays(dir, load(docs) as Repository, tally, `${name} step 0`);
  for (const [i, step] of steps.entries()) {
    step(docs);
    const repo = load(docs);
    if (repo === undefined) throw new Error(`${name} step ${i + 1} made the source invalid`);
    tally.steps++;
    await renderBothWays(dir, repo, tally, `${name} step ${i + 1}`);
  }
  return tally;
}

/** The document whose kind and name match. */
function docNamed(docs: Docs, kind: string, name: string): JsonObject {
  const found = [...docs.values()].find((d) => d.kind === kind && record(d.metadata)?.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
}

function setLabel(doc: JsonObject, key: string, value: string): void {
  const meta = record(doc.metadata) as Record<string, unknown>;
  meta.labels = { ...(record(meta.labels) ?? {}), [key]: value };
}

async function exampleFiles(folder: string): Promise<Map<string, string>> {
  return new Map((await readSourceFolder(path.join(ROOT, folder))).map((f) => [f.path, f.text]));
}

/** Karmada features whose placement depends on other templates or on the previous render. */
const KARMADA_MIX = readFileSync(path.join(import.meta.dirname, 'fixtures', 'karmada-mix.yaml'), 'utf8');
/** KubeAdmiral followers (shared, by annotation), avoidDisruption, two namespaces. */
const KUBEADMIRAL_MIX = readFileSync(path.join(import.meta.dirname, 'fixtures', 'kubeadmiral-mix.yaml'), 'utf8');

describe('incremental render equals a full render', () => {
  for (const [folder, seed] of [
    ['examples/quickstart', 1],
    ['examples/karmada-seed', 2],
    ['examples/federation-v1', 3],
    ['examples/kubeadmiral', 4],
    ['examples/kubefed', 5],
    ['examples/monitoring', 7],
  ] as const) {
    it(`${folder}: random template edits`, async () => {
      const tally = await runEdits(folder, await exampleFiles(folder), seed, 12);
      expect(tally.full).toBeGreaterThan(0);
      expect(tally.incremental).toBeGreaterThanOrEqual(tally.steps / 2);
    }, 60_000);
  }

  it('examples/traffic: a source with a TrafficSplit renders in full (its outputs follow every placement)', async () => {
    const tally = await runEdits('examples/traffic', await exampleFiles('examples/traffic'), 9, 4);
    expect(tally.incremental).toBe(0);
    expect(tally.full).toBeGreaterThan(tally.steps);
  }, 60_000);

  it('Karmada: shared dependencies, dynamic weights, namespaces', async () => {
    const tally = await runEdits('karmada-mix', new Map([['mix.yaml', KARMADA_MIX]]), 6, 30);
    expect(tally.incremental).toBeGreaterThanOrEqual(tally.steps / 2);
  }, 120_000);

  it('KubeAdmiral: shared followers, followers by annotation, avoidDisruption', async () => {
    const tally = await runEdits('kubeadmiral-mix', new Map([['mix.yaml', KUBEADMIRAL_MIX]]), 8, 30);
    expect(tally.incremental).toBeGreaterThanOrEqual(tally.steps / 2);
  }, 120_000);

  it('KubeAdmiral: a follower named only by its leader\'s annotation is placed again with its leader', async () => {
    const tally = await runScript('kubeadmiral-annotation', new Map([['mix.yaml', KUBEADMIRAL_MIX]]), [
      (docs) => setLabel(docNamed(docs, 'ConfigMap', 'api-extra'), 'edited', 'yes'),
      (docs) => {
        const api = record(docNamed(docs, 'Deployment', 'api').metadata) as Record<string, unknown>;
        api.annotations = {}; // api-extra follows nobody now: it disappears
      },
    ]);
    expect(tally.incremental).toBe(2);
  });

  it('Karmada: a ConfigMap two workloads share, edited and then dropped by one of them', async () => {
    const tally = await runScript('karmada-shared', new Map([['mix.yaml', KARMADA_MIX]]), [
      (docs) => setLabel(docNamed(docs, 'ConfigMap', 'shared'), 'edited', 'yes'),
      (docs) => {
        const c = (podSpec(docNamed(docs, 'Deployment', 'api'))?.containers as Record<string, unknown>[])[0] as Record<string, unknown>;
        c.envFrom = [];
      },
      (docs) => {
        const c = (podSpec(docNamed(docs, 'Deployment', 'web'))?.containers as Record<string, unknown>[])[0] as Record<string, unknown>;
        c.envFrom = [{ configMapRef: { name: 'web-config' } }];
      },
    ]);
    expect(tally.incremental).toBe(3);
  });

  it('a branch that moved since the render was planned is not written: the caller renders in full', async () => {
    const docs = splitDocuments(new Map([['mix.yaml', KARMADA_MIX]]));
    const dir = initRepo();
    await renderBothWays(dir, load(docs) as Repository, { incremental: 0, full: 0, steps: 0 }, 'moved step 0');
    setLabel(docNamed(docs, 'ConfigMap', 'shared'), 'edited', 'yes');
    const git = openRepository(dir);
    try {
      const tip = (await readRef(git, REF)) as string;
      const recorded = (await provenanceOnBranch(git, BRANCH)) as { text: string };
      const moved = gitIn(dir, ['commit-tree', `${tip}^{tree}`, '-p', tip, '-m', 'someone else\n\nManifold-Version: test']).trim();
      gitIn(dir, ['update-ref', REF, moved]);
      const target = { git, repoDir: dir, branch: BRANCH, prefix: '', tip, provenanceText: recorded.text, sourceCommit: undefined, manifoldVersion: VERSION };
      expect(await commitIncrementally(load(docs) as Repository, target)).toEqual({ done: false, reason: 'the branch moved while rendering' });
      expect(await readRef(git, REF)).toBe(moved);
    } finally {
      git.objects.close();
    }
  });

  it('Work API: a Namespace a Work holds, and a template placed by a policy in that namespace, edited', async () => {
    const source = `apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata: {name: a}
---
apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata: {name: b}
---
apiVersion: work.open-cluster-management.io/v1
kind: ManifestWork
metadata: {name: base, namespace: a}
spec:
  workload:
    manifests:
      - {apiVersion: v1, kind: Namespace, metadata: {name: apps, labels: {team: shop}}}
      - {apiVersion: v1, kind: ConfigMap, metadata: {name: from-work, namespace: apps}, data: {k: v}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: apps}
data: {k: v}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: settings, namespace: apps}
spec:
  resourceSelectors: [{apiVersion: v1, kind: ConfigMap, name: settings}]
  placement: {clusterAffinity: {clusterNames: [a, b]}}
`;
    const tally = await runScript('work-api', new Map([['mix.yaml', source]]), [
      (docs) => setLabel(docNamed(docs, 'ConfigMap', 'settings'), 'edited', 'yes'),
      // The policy selects by name: the renamed ConfigMap is placed nowhere, and b loses the Namespace.
      (docs) => {
        (record(docNamed(docs, 'ConfigMap', 'settings').metadata) as Record<string, unknown>).name = 'renamed';
      },
    ]);
    expect(tally.incremental).toBe(2);
  });

  it('a generated fleet (12 clusters x 40 templates)', async () => {
    const tally = await runEdits('fleet', generateFleet({ clusters: 12, templates: 40 }), 7, 15);
    expect(tally.incremental).toBeGreaterThanOrEqual(tally.steps / 2);
  }, 120_000);

  it('a per-cluster fleet (20 clusters x 12 templates: every Deployment differs per cluster, provenance groups them)', async () => {
    const tally = await runEdits('per-cluster', generateFleet({ clusters: 20, templates: 12, variant: 'per-cluster' }), 11, 8);
    expect(tally.incremental).toBeGreaterThanOrEqual(tally.steps / 2);
  }, 120_000);
});
