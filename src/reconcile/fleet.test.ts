import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reconcileFleet } from './fleet.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'manifold-fleet-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reconcileFleet: a cluster whose client cannot be built', () => {
  it('is Failed with ConfigurationError, and its live Ready says StatusCollectionFailed (karmada syncClusterStatus)', async () => {
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: a, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: a, user: {}}]\ncontexts: [{name: a, context: {cluster: a, user: a}}]\ncurrent-context: a\n',
    );
    const [status] = await reconcileFleet([{ cluster: 'missing', tree: new Map() }], { renderedCommit: 'test', kubeconfigPath: kubeconfig });
    expect(status?.result).toBe('Failed');
    expect(status?.live?.conditions).toEqual([
      { type: 'Ready', status: 'False', reason: 'StatusCollectionFailed', message: expect.stringContaining('failed to create a client for the cluster: cluster "missing": the kubeconfig has no context named "missing"'), lastTransitionTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) },
    ]);
  });
});
