import { describe, expect, it } from 'vitest';
import { expectGolden, flatten, renderExample } from '../../../test/golden.ts';

const RS = 'namespaces/default/ReplicaSet.apps/nginx-us.yaml';

describe('golden tree of examples/federation-v1', () => {
  it('renders the seed ReplicaSet nginx-us with its replica-set-preferences', async () => {
    const result = await renderExample('examples/federation-v1');
    expectGolden('federation-v1', flatten(result));
    // examples/federation-v1/README.md: 7 replicas, minimums 2 + 2, then the
    // hash order gives us-central1-b the rounded-up share; europe-west1-b has
    // no preference and still receives the ReplicaSet with 0 replicas.
    const replicas = (c: string) => /\n {2}replicas: (\d+)/.exec(result.clusters.get(c)?.get(RS) ?? '')?.[1];
    expect(['us-east1-b', 'us-central1-b', 'europe-west1-b'].map(replicas)).toEqual(['3', '4', '0']);
    expect(result.warnings).toEqual([]);
  });
});
