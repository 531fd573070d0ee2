import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../dialects/index.ts';
import { loadRepository } from '../load/repository.ts';
import { render } from '../render/render.ts';
import { generateFleet } from '../../bench/generate.ts';
import { identicalClusters } from './tree.ts';

describe('identicalClusters', () => {
  it('maps each cluster to the first cluster holding the same file map', () => {
    const one = new Map([['x', '1']]);
    const two = new Map([['x', '1']]); // equal content, another map: not assumed identical
    const got = identicalClusters(new Map([['a', one], ['b', two], ['c', one]]));
    expect([...got]).toEqual([['a', 'a'], ['b', 'b'], ['c', 'a']]);
  });

  it('render shares a map only between clusters with identical files, and does share them', () => {
    const fleet = generateFleet({ clusters: 24, templates: 30 });
    const repo = loadRepository([...fleet].map(([p, text]) => ({ path: p, text })), registry);
    const { clusters } = render(repo, dialects, { manifoldVersion: 'test' });
    const groups = identicalClusters(clusters);
    for (const [cluster, first] of groups) expect([...(clusters.get(cluster) ?? [])]).toEqual([...(clusters.get(first) ?? [])]);
    const distinctContents = new Set([...clusters.values()].map((files) => JSON.stringify([...files])));
    expect(new Set(groups.values()).size).toBe(distinctContents.size);
    expect(distinctContents.size).toBeLessThan(clusters.size);
  });
});
