/**
 * `render --commit` streams every distinct content into a pack as it is
 * rendered and keeps only a compact table of which cluster got which blob
 * (issue 19). Its commit must hold exactly the tree the in-memory render
 * hashes, on a cold branch and on a branch it renders over in full.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { render as renderCommand } from '../src/app/render.ts';
import { InputError } from '../src/errors/index.ts';
import { dialects, registry } from '../src/dialects/index.ts';
import { HashedTree, renderedTree } from '../src/git/commit.ts';
import { loadRepository } from '../src/load/repository.ts';
import { render } from '../src/render/render.ts';
import { MANIFOLD_VERSION } from '../src/version.ts';
import { generateFleet } from '../bench/generate.ts';
import { cleanupTempDirs, commitAll, gitIn, initRepo } from './git/repos.ts';

afterAll(cleanupTempDirs);

/** The tree id the in-memory render gives for the files of `dir` at HEAD. */
function inMemoryTree(dir: string): string {
  const files = gitIn(dir, ['ls-files']).trim().split('\n');
  const repo = loadRepository(files.map((file) => ({ path: file, text: readFileSync(path.join(dir, file), 'utf8') })), registry);
  const result = render(repo, dialects, { manifoldVersion: MANIFOLD_VERSION, sourceCommit: gitIn(dir, ['rev-parse', 'HEAD']).trim() });
  return new HashedTree(renderedTree(result.clusters, result.provenance)).rootTree.oid;
}

async function commitRender(dir: string): Promise<{ tree: string; lines: string[] }> {
  const lines: string[] = [];
  const { commit } = await renderCommand({ source: dir, commit: true, full: true }, (n) => {
    if (n.kind === 'line') lines.push(n.text);
  });
  return { tree: gitIn(dir, ['rev-parse', `${commit}^{tree}`]).trim(), lines };
}

describe('render --commit, streamed', () => {
  it('commits the tree the in-memory render hashes, cold and over an earlier render', async () => {
    const dir = initRepo(Object.fromEntries(generateFleet({ clusters: 20, templates: 4, variant: 'per-cluster' })));
    const cold = await commitRender(dir);
    expect(cold.tree).toBe(inMemoryTree(dir));
    gitIn(dir, ['fsck', '--strict', '--no-dangling']);

    // A policy change: every cluster's Deployments change, the ConfigMaps do not.
    const policy = path.join(dir, 'overrides/cluster-label.yaml');
    writeFileSync(policy, readFileSync(policy, 'utf8').replaceAll('cluster: cluster-', 'cluster-name: cluster-'));
    commitAll(dir, 'relabel');
    const again = await commitRender(dir);
    expect(again.tree).toBe(inMemoryTree(dir));
    expect(again.tree).not.toBe(cold.tree);
    // Per cluster 4 new Deployments (one per namespace), their Deployment.apps and namespace folders, `namespaces/` and the
    // cluster folder; then the root, the provenance and its folder, and the commit: not the unchanged ConfigMaps.
    const written = Number(/(\d+) object\(s\) written/.exec(again.lines.join('\n'))?.[1]);
    expect(written).toBe(20 * (4 + 4 + 4 + 2) + 4);
    expect(again.lines.join('\n')).toContain('20 cluster(s) changed');
    gitIn(dir, ['fsck', '--strict', '--no-dangling']);
  });

  it('commits the same tree as in memory for a fleet whose clusters share their objects', async () => {
    const dir = initRepo(Object.fromEntries(generateFleet({ clusters: 30, templates: 10 })));
    expect((await commitRender(dir)).tree).toBe(inMemoryTree(dir));
  });

  it('leaves no pack and no branch when the render fails after streaming part of the fleet', async () => {
    const dir = initRepo(Object.fromEntries(generateFleet({ clusters: 20, templates: 4, variant: 'per-cluster' })));
    // The last cluster's copies get a negative replica count: found once every other copy is in the pack.
    writeFileSync(
      path.join(dir, 'overrides/bad-replicas.yaml'),
      [
        'apiVersion: policy.karmada.io/v1alpha1',
        'kind: ClusterOverridePolicy',
        'metadata:',
        '  name: bad-replicas',
        'spec:',
        '  resourceSelectors:',
        '    - apiVersion: apps/v1',
        '      kind: Deployment',
        '  overrideRules:',
        '    - targetCluster:',
        '        clusterNames: [cluster-0019]',
        '      overriders:',
        '        plaintext:',
        '          - path: /spec/replicas',
        '            operator: replace',
        '            value: -1',
        '',
      ].join('\n'),
    );
    commitAll(dir, 'bad override');
    const packs = () => readdirSync(path.join(dir, '.git', 'objects', 'pack')).sort();
    const before = packs();
    const failed = await commitRender(dir).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(InputError);
    expect(String((failed as InputError).message)).toMatch(/replicas/);
    expect(packs()).toEqual(before);
    expect(gitIn(dir, ['branch', '--list', 'manifold/rendered']).trim()).toBe('');
  });
});
