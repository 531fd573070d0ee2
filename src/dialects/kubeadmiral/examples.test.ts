import { describe, expect, it } from 'vitest';
import { expectGolden, flatten, renderExample } from '../../../test/golden.ts';

const DEPLOY = 'namespaces/prod/Deployment.apps/web.yaml';

describe('golden tree of examples/kubeadmiral', () => {
  it('divides the Deployment by dynamic weights, follows with the ConfigMap, overrides the west registry', async () => {
    const result = await renderExample('examples/kubeadmiral');
    expectGolden('kubeadmiral', flatten(result));
    // The arithmetic examples/kubeadmiral/README.md walks through: weights 250/250/500 from available CPU.
    const replicas = (c: string) => /\n {2}replicas: (\d+)/.exec(result.clusters.get(c)?.get(DEPLOY) ?? '')?.[1];
    expect(['cluster-a', 'cluster-b', 'cluster-c'].map(replicas)).toEqual(['2', '2', '4']);
    expect(result.clusters.get('cluster-c')?.get(DEPLOY)).toContain('image: mirror.west.example.com/library/nginx:1.27');
    for (const c of ['cluster-a', 'cluster-b', 'cluster-c']) expect(result.clusters.get(c)?.has('namespaces/prod/ConfigMap/web-config.yaml')).toBe(true);
    expect(result.warnings).toEqual([]);
  });
});
