/**
 * The previous render as the output branch holds it: what `render --commit`
 * uses as the current assignment (stable placements) when no --previous
 * folder is given. Walks the tree without a checkout and reads each distinct
 * subtree and blob once: identical cluster folders share one tree object.
 */
import { affinityGroupsFromProvenance, mayHoldReplicas, previousFromTree, replicasOfFile } from '../output/previous.ts';
import { clustersOfWorks, worksHubOf } from '../render/works.ts';
import { PROVENANCE_DIR } from '../output/folder.ts';
import type { PriorTreeFacts } from '../render/incremental.ts';
import type { PreviousRender } from '../render/types.ts';
import { isDirMode } from './objects.ts';
import { branchRef, readCommit, readRef, type GitRepository } from './repo.ts';
import { readTreeEntries } from './tree.ts';
import { findTreeEntry, someTreeEntry, type RawEntry } from './raw-tree.ts';

type Replicas = Map<string, number>;

async function subtree(repo: GitRepository, treeOid: string, segments: readonly string[]): Promise<string | undefined> {
  let oid: string | undefined = treeOid;
  for (const seg of segments) {
    const entry = (await readTreeEntries(repo.objects, oid)).get(seg);
    oid = entry !== undefined && isDirMode(entry.mode) ? entry.oid : undefined;
    if (oid === undefined) return undefined;
  }
  return oid;
}

async function blobText(repo: GitRepository, oid: string): Promise<string> {
  return (await repo.objects.read(oid)).body.toString('utf8');
}

/** The provenance file at the tip of `branch` (under `prefix`), without walking the cluster folders. */
export async function provenanceOnBranch(repo: GitRepository, branch: string, prefix = ''): Promise<{ tip: string; text: string } | undefined> {
  const tip = await readRef(repo, branchRef(branch));
  if (tip === undefined) return undefined;
  const segments = [...prefix.split('/').filter((s) => s !== '' && s !== '.'), PROVENANCE_DIR];
  const dir = await subtree(repo, (await readCommit(repo, tip)).tree, segments);
  const file = dir === undefined ? undefined : (await readTreeEntries(repo.objects, dir)).get('provenance.json');
  return file === undefined ? undefined : { tip, text: await blobText(repo, file.oid) };
}

/**
 * True when a provenance file records exactly these inputs and this
 * generator: rendering again would give the same tree, so a commit render
 * can stop before rendering (the no-op case of a CI job on every push).
 */
export function sameInputs(provenanceText: string, inputs: readonly { file: string; sha256: string }[], generator: string): boolean {
  const parsed = provenanceHead(provenanceText);
  return parsed !== undefined && parsed.generator === generator && JSON.stringify(parsed.source?.inputs) === JSON.stringify(inputs);
}

/**
 * `generator` and `source` of a provenance file. They come first (render.ts
 * assembleProvenance, written with 2-space indentation), so only the text
 * before the top-level `clusters` key is parsed: at 1,000 clusters × 1,000
 * objects that all differ the whole file is ~80 MB, and parsing it made the
 * no-op check take seconds. Anything else is parsed whole.
 */
function provenanceHead(text: string): { generator?: unknown; source?: { inputs?: unknown } } | undefined {
  const end = text.indexOf('\n  "clusters": ');
  if (end > 0 && text[end - 1] === ',') {
    try {
      return JSON.parse(`${text.slice(0, end - 1)}\n}`) as { generator?: unknown; source?: { inputs?: unknown } };
    } catch {
      // not the layout Manifold writes: parse it whole below
    }
  }
  try {
    return JSON.parse(text) as { generator?: unknown; source?: { inputs?: unknown } };
  } catch {
    return undefined;
  }
}

/** Previous render from the tip of `branch` (under `prefix`), or undefined when the branch does not exist yet. */
export async function previousFromBranch(repo: GitRepository, branch: string, prefix = ''): Promise<PreviousRender | undefined> {
  const tip = await readRef(repo, branchRef(branch));
  if (tip === undefined) return undefined;
  const root = await subtree(repo, (await readCommit(repo, tip)).tree, prefix.split('/').filter((s) => s !== '' && s !== '.'));
  if (root === undefined) return undefined;
  const byTree = new Map<string, Replicas>();
  const filesByTree = new Map<string, Set<string>>();
  const byBlob = new Map<string, ReturnType<typeof replicasOfFile>>();
  const where = (cluster: string, file: string) => `${branch}:${[...prefix.split('/').filter((x) => x !== '' && x !== '.'), cluster, file].join('/')}`;
  const walk = async (treeOid: string, rel: string, out: Replicas, cluster: string, paths: Set<string>): Promise<void> => {
    for (const entry of (await readTreeEntries(repo.objects, treeOid)).values()) {
      const file = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (isDirMode(entry.mode)) {
        await walk(entry.oid, file, out, cluster, paths);
        continue;
      }
      paths.add(file);
      if (!mayHoldReplicas(file)) continue;
      if (!byBlob.has(entry.oid)) byBlob.set(entry.oid, replicasOfFile(await blobText(repo, entry.oid), where(cluster, file)));
      const found = byBlob.get(entry.oid);
      if (found !== undefined) out.set(found.key, found.replicas);
    }
  };
  const replicas = new Map<string, Replicas>();
  const files = new Map<string, ReadonlySet<string>>();
  let provenance: string | undefined;
  for (const entry of (await readTreeEntries(repo.objects, root)).values()) {
    if (entry.name === PROVENANCE_DIR && isDirMode(entry.mode)) {
      const file = (await readTreeEntries(repo.objects, entry.oid)).get('provenance.json');
      if (file !== undefined) provenance = await blobText(repo, file.oid);
      continue;
    }
    if (!isDirMode(entry.mode) || entry.name.startsWith('.')) continue;
    let perCluster = byTree.get(entry.oid);
    if (perCluster === undefined) {
      perCluster = new Map();
      const paths = new Set<string>();
      await walk(entry.oid, '', perCluster, entry.name, paths);
      byTree.set(entry.oid, perCluster);
      filesByTree.set(entry.oid, paths);
    }
    replicas.set(entry.name, perCluster);
    files.set(entry.name, filesByTree.get(entry.oid) as Set<string>);
  }
  const affinityGroups = affinityGroupsFromProvenance(provenance);
  const hub = worksHubOf(provenance);
  const hubEntry = hub === undefined ? undefined : (await readTreeEntries(repo.objects, root)).get(hub);
  if (hub !== undefined && hubEntry !== undefined && isDirMode(hubEntry.mode)) {
    // Rendered as Works (--as-works): the clusters' files are inside the hub folder's Works.
    const files = new Map<string, string>();
    await readFilesBelow(repo, hubEntry.oid, '', files);
    return { ...previousFromTree(clustersOfWorks(files, where(hub, '').replace(/\/$/, ''))), affinityGroups };
  }
  return { replicas, clusters: new Set(replicas.keys()), affinityGroups, files };
}

async function readFilesBelow(repo: GitRepository, treeOid: string, rel: string, out: Map<string, string>): Promise<void> {
  for (const entry of (await readTreeEntries(repo.objects, treeOid)).values()) {
    const file = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (isDirMode(entry.mode)) await readFilesBelow(repo, entry.oid, file, out);
    else out.set(file, await blobText(repo, entry.oid));
  }
}

/**
 * What an incremental render needs from the tree at the tip of `branch`
 * (under `prefix`): the replicas at the paths it renders again (stable
 * placements) and, per namespace it recomputes, the clusters that keep an
 * object there. Reads only the folders along those paths, each distinct
 * tree and blob once.
 */
export async function priorTreeFacts(
  repo: GitRepository,
  tip: string,
  prefix: string,
  plan: { oldPaths: ReadonlySet<string>; namespaces: ReadonlySet<string> },
  affinityGroups: Map<string, string>,
): Promise<PriorTreeFacts> {
  const root = await subtree(repo, (await readCommit(repo, tip)).tree, prefix.split('/').filter((s) => s !== '' && s !== '.'));
  // Trees are looked up as bytes (raw-tree.ts): 1,000 distinct cluster folders are a few thousand trees here.
  const body = async (oid: string): Promise<Buffer> => {
    const obj = await repo.objects.read(oid);
    if (obj.type !== 'tree') throw new Error(`${oid} is a ${obj.type}, not a tree`);
    return obj.body;
  };
  const resolve = async (treeOid: string, segments: readonly string[]): Promise<RawEntry | undefined> => {
    let entry: RawEntry | undefined;
    let oid: string | undefined = treeOid;
    for (const seg of segments) {
      if (oid === undefined) return undefined;
      entry = findTreeEntry(await body(oid), seg);
      oid = entry !== undefined && isDirMode(entry.mode) ? entry.oid : undefined;
    }
    return entry;
  };
  // Whether a folder holds a file outside `paths` (relative to `dir`): the first one found answers it.
  const holdsOther = async (oid: string, dir: string, paths: ReadonlySet<string>): Promise<boolean> => {
    const subdirs: [string, string][] = [];
    const fileOutside = someTreeEntry(await body(oid), (name, mode, child) => {
      if (isDirMode(mode)) subdirs.push([child, `${dir}/${name}`]);
      return !isDirMode(mode) && !paths.has(`${dir}/${name}`);
    });
    if (fileOutside) return true;
    for (const [child, path] of subdirs) if (await holdsOther(child, path, paths)) return true;
    return false;
  };
  const replicaPaths = [...plan.oldPaths].filter(mayHoldReplicas).map((p) => p.split('/'));
  const byBlob = new Map<string, ReturnType<typeof replicasOfFile>>();
  const byCluster = new Map<string, { replicas: Replicas; kept: Set<string> }>();
  const replicas = new Map<string, Replicas>();
  const kept = new Map<string, Set<string>>();
  for (const entry of root === undefined ? [] : (await readTreeEntries(repo.objects, root)).values()) {
    if (!isDirMode(entry.mode) || entry.name.startsWith('.')) continue;
    let facts = byCluster.get(entry.oid);
    if (facts === undefined) {
      facts = { replicas: new Map(), kept: new Set() };
      for (const segments of replicaPaths) {
        const file = await resolve(entry.oid, segments);
        if (file === undefined || isDirMode(file.mode)) continue;
        const name = [...prefix.split('/').filter((x) => x !== '' && x !== '.'), entry.name, ...segments].join('/');
        if (!byBlob.has(file.oid)) byBlob.set(file.oid, replicasOfFile(await blobText(repo, file.oid), name));
        const found = byBlob.get(file.oid);
        if (found !== undefined) facts.replicas.set(found.key, found.replicas);
      }
      for (const ns of plan.namespaces) {
        const dir = await resolve(entry.oid, ['namespaces', ns]);
        if (dir === undefined || !isDirMode(dir.mode)) continue;
        if (await holdsOther(dir.oid, `namespaces/${ns}`, plan.oldPaths)) facts.kept.add(ns);
      }
      byCluster.set(entry.oid, facts);
    }
    replicas.set(entry.name, facts.replicas);
    for (const ns of facts.kept) {
      const set = kept.get(ns) ?? new Set<string>();
      set.add(entry.name);
      kept.set(ns, set);
    }
  }
  return { previous: { replicas, clusters: new Set(replicas.keys()), affinityGroups }, keptNamespaceClusters: kept };
}
