import { describe, expect, it } from 'vitest';
import { expectGolden, flatten, renderExample } from './golden.ts';

describe('golden trees of the Karmada examples', () => {
  it('examples/quickstart', async () => {
    const result = await renderExample('examples/quickstart');
    expectGolden('quickstart', flatten(result));
    // The arithmetic the README promises: Europe 2:1 over the US, 6 replicas.
    const replicas = (c: string) => /replicas: (\d+)/.exec(result.clusters.get(c)?.get('namespaces/shop/Deployment.apps/web.yaml') ?? '')?.[1];
    expect(['eu-1', 'eu-2', 'us-1', 'us-2'].map(replicas)).toEqual(['2', '2', '1', '1']);
    expect(result.warnings).toEqual([]);
  });

  it('examples/karmada-seed', async () => {
    const result = await renderExample('examples/karmada-seed');
    expectGolden('karmada-seed', flatten(result));
  });

  it('renders byte-identical output twice', async () => {
    const a = flatten(await renderExample('examples/quickstart'));
    const b = flatten(await renderExample('examples/quickstart'));
    expect([...a]).toEqual([...b]);
  });
});
