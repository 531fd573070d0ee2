/**
 * Every YAML example of the background articles gives the answer the real
 * system would give, or, where the article wrote something no release had,
 * an error or warning that shows the real form (test/fixtures/seeds/README.md).
 * The first article's examples are the example fleets and their golden trees.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../src/dialects/index.ts';
import { formatProblem, InputError, type Problem } from '../src/errors/index.ts';
import { loadRepository } from '../src/load/repository.ts';
import { render, type RenderResult } from '../src/render/render.ts';
import { ROOT, flatten, renderExample } from './golden.ts';

const seed = (name: string) => ({ path: name, text: readFileSync(path.join(ROOT, 'test/fixtures/seeds', name), 'utf8') });

function run(...files: { path: string; text: string }[]): RenderResult {
  return render(loadRepository(files, registry), dialects, { manifoldVersion: 'test' });
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err.problems.map((p: Problem) => formatProblem(p));
    throw err;
  }
  throw new Error('expected an InputError');
}

const KUBEADMIRAL_CLUSTERS = {
  path: 'clusters.yaml',
  text: ['cluster1', 'cluster2']
    .map((name) => `apiVersion: core.kubeadmiral.io/v1alpha1\nkind: FederatedCluster\nmetadata: {name: ${name}}\nspec: {apiEndpoint: "https://${name}", secretRef: {name: ${name}}}\n`)
    .join('---\n'),
};

describe('the background articles, example by example', () => {
  it('first article: the Federation v1, KubeFed and Karmada examples render (example fleets)', async () => {
    for (const folder of ['examples/federation-v1', 'examples/kubefed', 'examples/karmada-seed']) {
      expect(flatten(await renderExample(folder)).size, folder).toBeGreaterThan(0);
    }
  });

  it('second article: types.kubefed.io/v1alpha2 never existed; the error names types.kubefed.io/v1beta1 FederatedDeployment', () => {
    expect(problems(() => run(seed('taikun-federated-namespace.yaml')))).toEqual([
      'taikun-federated-namespace.yaml:9: FederatedDeployment federated-namespace/redis: kind: unknown kind types.kubefed.io/v1alpha2 FederatedDeployment (expected one of: types.kubefed.io/v1beta1 FederatedNamespace, types.kubefed.io/v1beta1 FederatedDeployment)',
    ]);
  });

  it('third article, Kubefed v1: federation/v1 Cluster is read with a warning; extensions/v1beta1 FederatedDeployment is an error showing the real forms', () => {
    const found = problems(() => run(seed('standards-federation.yaml')));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^standards-federation.yaml:16: FederatedDeployment nginx\/nginx-deployment: kind: extensions\/v1beta1 FederatedDeployment never existed\. Federation v1 federated the plain kind: create the Deployment itself \(e\.g\. apps\/v1 Deployment\)/,
    );
    // Without the fictional object the two clusters load, each with a warning about the spelling.
    const clusters = seed('standards-federation.yaml');
    const result = run({ path: clusters.path, text: clusters.text.split('---\n').slice(0, 2).join('---\n') });
    expect(result.warnings.map(formatProblem)).toEqual([
      'standards-federation.yaml:1: Cluster cluster-a: apiVersion: no Federation release served federation/v1; read as federation/v1beta1 Cluster',
      'standards-federation.yaml:8: Cluster cluster-b: apiVersion: no Federation release served federation/v1; read as federation/v1beta1 Cluster',
    ]);
    expect([...result.clusters.keys()]).toEqual(['cluster-a', 'cluster-b']);
  });

  it('third article, Kubefed v2: the same fictional kind with placement and overrides is the same error', () => {
    expect(problems(() => run(seed('standards-kubefed-v2.yaml')))[0]).toContain(
      'extensions/v1beta1 FederatedDeployment never existed. Federation v1 federated the plain kind',
    );
  });

  it('third article, KubeAdmiral: intervalSeconds is no field of ReschedulePolicy (an error, as every unknown policy field); without it the unlabelled Deployment is claimed by no policy, as in KubeAdmiral', () => {
    const example = seed('standards-kubeadmiral.yaml');
    expect(problems(() => run(KUBEADMIRAL_CLUSTERS, example))).toEqual([
      'standards-kubeadmiral.yaml:36: PropagationPolicy default/policy-echo-server: spec.reschedulePolicy.intervalSeconds: unknown field "intervalSeconds"',
    ]);
    const fixed = { path: example.path, text: example.text.replace(/\n {4}intervalSeconds: .*\n/, '\n') };
    const unbound = run(KUBEADMIRAL_CLUSTERS, fixed);
    expect(flatten(unbound).size).toBe(0);
    expect(unbound.warnings.map((w) => w.message)).toEqual(['1 of 1 template claimed by no policy render to no cluster: Deployment default/echo-server (standards-kubeadmiral.yaml:1)']);
    // KubeAdmiral binds by label (reference §4.1): with it, the article's "6 replicas divided" holds.
    const labelled = { path: fixed.path, text: fixed.text.replace('    app: echo-server\nspec:', '    app: echo-server\n    kubeadmiral.io/propagation-policy-name: policy-echo-server\nspec:') };
    const bound = run(KUBEADMIRAL_CLUSTERS, labelled);
    const replicas = [...bound.clusters].map(([c, files]) => `${c} ${/\n {2}replicas: (\d+)/.exec(files.get('namespaces/default/Deployment.apps/echo-server.yaml') ?? '')?.[1]}`);
    expect(replicas).toEqual(['cluster1 3', 'cluster2 3']);
  });
});
