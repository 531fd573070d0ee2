import { describe, expect, it } from 'vitest';
import { expectGolden, flatten, renderExample } from '../../../test/golden.ts';

const DEPLOY = 'namespaces/fed-ns/Deployment.apps/fed-deploy.yaml';

describe('golden tree of examples/kubefed', () => {
  it('renders the seed FederatedDeployment, FederatedNamespace and RSP', async () => {
    const result = await renderExample('examples/kubefed');
    expectGolden('kubefed', flatten(result));
    // The arithmetic examples/kubefed/README.md walks through: cluster-1 is held
    // at its minimum (weight 0), cluster-2 at the "*" maximum, 2 replicas dropped.
    const replicas = (c: string) => /\n {2}replicas: (\d+)/.exec(result.clusters.get(c)?.get(DEPLOY) ?? '')?.[1];
    expect(['cluster-1', 'cluster-2'].map(replicas)).toEqual(['3', '15']);
    expect(result.clusters.get('cluster-1')?.get(DEPLOY)).toContain('image: nginx:1.17.0-alpine');
    expect(result.clusters.get('cluster-2')?.has('namespaces/fed-ns/ConfigMap/nginx-banner.yaml')).toBe(false);
    expect(result.warnings.map((w) => w.code)).toEqual(['RSP_REPLICAS_UNPLACED']);
  });
});
