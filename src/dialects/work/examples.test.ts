import { describe, expect, it } from 'vitest';
import { expectGolden, flatten, renderExample } from '../../../test/golden.ts';

describe('golden tree of examples/work-api', () => {
  it('renders the article\'s Work, in its real OCM and Karmada forms, into each named cluster', async () => {
    const result = await renderExample('examples/work-api');
    expectGolden('work-api', flatten(result));
    expect([...flatten(result).keys()]).toEqual([
      'cluster1/cluster/Namespace/nginx.yaml',
      'cluster1/namespaces/nginx/Deployment.apps/nginx.yaml',
      'cluster2/cluster/Namespace/nginx.yaml',
      'cluster2/namespaces/nginx/Deployment.apps/nginx.yaml',
    ]);
    const replicas = (c: string) => /\n {2}replicas: (\d+)/.exec(result.clusters.get(c)?.get('namespaces/nginx/Deployment.apps/nginx.yaml') ?? '')?.[1];
    expect(['cluster1', 'cluster2'].map(replicas)).toEqual(['2', '1']);
    expect(result.warnings).toEqual([]);
  });
});
