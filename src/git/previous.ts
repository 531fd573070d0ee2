/**
 * The previous render as the output branch holds it: what `render --commit`
 * uses as the current assignment (stable placements) when no --previous
 * folder is given. Walks the tree without a checkout and reads each distinct
 * subtree and blob once: identical cluster folders share one tree object.
 */
import { affinityGroupsFromProvenance, mayHoldReplicas, replicasOfFile } from '../output/previous.ts';
import { PROVENANCE_DIR } from '../output/folder.ts';
import type { PreviousRender } from '../render/types.ts';
import { isDirMode } from './objects.ts';
import { branchRef, readCommit, readRef, type GitRepository } from './repo.ts';
import { readTreeEntries } from './tree.ts';

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
  let parsed: { generator?: unknown; source?: { inputs?: unknown } };
  try {
    parsed = JSON.parse(provenanceText) as typeof parsed;
  } catch {
    return false;
  }
  return parsed.generator === generator && JSON.stringify(parsed.source?.inputs) === JSON.stringify(inputs);
}

/** Previous render from the tip of `branch` (under `prefix`), or undefined when the branch does not exist yet. */
export async function previousFromBranch(repo: GitRepository, branch: string, prefix = ''): Promise<PreviousRender | undefined> {
  const tip = await readRef(repo, branchRef(branch));
  if (tip === undefined) return undefined;
  const root = await subtree(repo, (await readCommit(repo, tip)).tree, prefix.split('/').filter((s) => s !== '' && s !== '.'));
  if (root === undefined) return undefined;
  const byTree = new Map<string, Replicas>();
  const byBlob = new Map<string, ReturnType<typeof replicasOfFile>>();
  const walk = async (treeOid: string, rel: string, out: Replicas): Promise<void> => {
    for (const entry of (await readTreeEntries(repo.objects, treeOid)).values()) {
      const file = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (isDirMode(entry.mode)) {
        await walk(entry.oid, file, out);
        continue;
      }
      if (!mayHoldReplicas(file)) continue;
      if (!byBlob.has(entry.oid)) byBlob.set(entry.oid, replicasOfFile(await blobText(repo, entry.oid)));
      const found = byBlob.get(entry.oid);
      if (found !== undefined) out.set(found.key, found.replicas);
    }
  };
  const replicas = new Map<string, Replicas>();
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
      await walk(entry.oid, '', perCluster);
      byTree.set(entry.oid, perCluster);
    }
    replicas.set(entry.name, perCluster);
  }
  return { replicas, clusters: new Set(replicas.keys()), affinityGroups: affinityGroupsFromProvenance(provenance) };
}
