/**
 * KubeAdmiral FederatedTypeConfigs (core.kubeadmiral.io/v1alpha1): accepted,
 * and honoured: which source types are federated, which controllers run
 * (global-scheduler, nsautoprop-controller, overridepolicy-controller) and
 * where Divide reads and writes replicas (pathDefinition.replicasSpec).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, flatten } from '../../../test/golden.ts';
import { loadRepository } from '../../load/repository.ts';
import { readSourceFolder, type SourceFile } from '../../load/source.ts';
import { render, type RenderResult } from '../../render/render.ts';
import { dialects, registry } from '../index.ts';

const UPSTREAM_FTCS = readFileSync(path.join(ROOT, 'test/fixtures/upstream/kubeadmiral-01-ftc.yaml'), 'utf8');

function run(files: SourceFile[]): RenderResult {
  return render(loadRepository(files, registry), dialects, { manifoldVersion: 'test' });
}

const CLUSTERS = ['a', 'b']
  .map((name) => `apiVersion: core.kubeadmiral.io/v1alpha1\nkind: FederatedCluster\nmetadata: {name: ${name}}\nspec: {apiEndpoint: "https://${name}", secretRef: {name: ${name}}}\n`)
  .join('---\n');
const POLICY = 'apiVersion: core.kubeadmiral.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: spread, namespace: prod}\nspec: {schedulingMode: Divide}\n';
const workload = (apiVersion: string, kind: string, replicasField = 'replicas') =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: w, namespace: prod, labels: {kubeadmiral.io/propagation-policy-name: spread}}\nspec: {${replicasField}: 4}\n`;
const ftc = (group: string, kind: string, controllers: string[], replicasSpec?: string) =>
  `apiVersion: core.kubeadmiral.io/v1alpha1
kind: FederatedTypeConfig
metadata: {name: ${kind.toLowerCase()}s${group ? `.${group}` : ''}}
spec:
  sourceType: {group: "${group}", version: v1, kind: ${kind}, pluralName: ${kind.toLowerCase()}s, scope: Namespaced}
  controllers: [${controllers.map((c) => `[${c}]`).join(', ')}]
${replicasSpec ? `  pathDefinition: {replicasSpec: ${replicasSpec}}\n` : ''}`;

function replicasIn(result: RenderResult, file: string, field = 'replicas'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [cluster, files] of result.clusters) {
    const text = files.get(file);
    if (text !== undefined) out[cluster] = ((load(text) as { spec: Record<string, unknown> }).spec ?? {})[field];
  }
  return out;
}

describe('KubeAdmiral FederatedTypeConfig', () => {
  it("accepts upstream's config/sample/host/01-ftc.yaml (25 FTCs) and renders examples/kubeadmiral exactly as without it", async () => {
    const example = await readSourceFolder(path.join(ROOT, 'examples/kubeadmiral'));
    const without = run(example);
    const withFtcs = run([...example, { path: '01-ftc.yaml', text: UPSTREAM_FTCS }]);
    expect([...flatten(withFtcs)]).toEqual([...flatten(without)]);
    expect(withFtcs.warnings).toEqual(without.warnings);
  });

  it('a kind no FTC of the source federates propagates nothing, with a warning; a follower of such a kind does not follow', () => {
    const result = run([
      { path: 'c.yaml', text: CLUSTERS },
      { path: 'p.yaml', text: POLICY },
      { path: 'f.yaml', text: UPSTREAM_FTCS },
      { path: 'w.yaml', text: workload('apps/v1', 'ReplicaSet') },
    ]);
    expect(result.clusters.get('a')?.has('namespaces/prod/ReplicaSet.apps/w.yaml')).toBe(false);
    const warning = result.warnings.find((w) => w.code === 'TYPE_NOT_FEDERATED');
    expect(`${warning?.file}:${warning?.line} ${warning?.message}`).toBe(
      "w.yaml:1 no FederatedTypeConfig of the source has sourceType apps/v1 ReplicaSet: KubeAdmiral's federate controller ignores it and nothing propagates",
    );
  });

  it('Divide reads and writes pathDefinition.replicasSpec; a type without one (upstream StatefulSet) is duplicated', () => {
    const widget = ftc('example.com', 'Widget', ['kubeadmiral.io/global-scheduler', 'kubeadmiral.io/overridepolicy-controller'], 'spec.size');
    const divided = run([
      { path: 'c.yaml', text: CLUSTERS },
      { path: 'p.yaml', text: POLICY },
      { path: 'f.yaml', text: widget },
      { path: 'w.yaml', text: workload('example.com/v1', 'Widget', 'size') },
    ]);
    expect(replicasIn(divided, 'namespaces/prod/Widget.example.com/w.yaml', 'size')).toEqual({ a: 2, b: 2 });
    const duplicated = run([
      { path: 'c.yaml', text: CLUSTERS },
      { path: 'p.yaml', text: POLICY },
      { path: 'f.yaml', text: UPSTREAM_FTCS },
      { path: 'w.yaml', text: workload('apps/v1', 'StatefulSet') },
    ]);
    expect(replicasIn(duplicated, 'namespaces/prod/StatefulSet.apps/w.yaml')).toEqual({ a: 4, b: 4 });
    // Without FTCs in the source, the defaults are upstream's: the same.
    const byDefault = run([
      { path: 'c.yaml', text: CLUSTERS },
      { path: 'p.yaml', text: POLICY },
      { path: 'w.yaml', text: workload('apps/v1', 'StatefulSet') },
    ]);
    expect(replicasIn(byDefault, 'namespaces/prod/StatefulSet.apps/w.yaml')).toEqual({ a: 4, b: 4 });
  });

  it('without the global-scheduler controller nothing places the object; without nsautoprop namespaces stay home', () => {
    const result = run([
      { path: 'c.yaml', text: CLUSTERS },
      { path: 'p.yaml', text: POLICY },
      { path: 'f.yaml', text: `${ftc('apps', 'Deployment', ['kubeadmiral.io/overridepolicy-controller'], 'spec.replicas')}---\n${ftc('', 'Namespace', ['kubeadmiral.io/overridepolicy-controller'])}` },
      { path: 'w.yaml', text: `${workload('apps/v1', 'Deployment')}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n` },
    ]);
    expect(flatten(result).size).toBe(0);
    const deployment = result.placements.find((p) => p.template.id.kind === 'Deployment');
    expect(deployment?.explain.flatMap((s) => s.lines)).toContain('FederatedTypeConfig deployments.apps (f.yaml:1) runs no kubeadmiral.io/global-scheduler: nothing places it, no clusters');
  });
});
