import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../index.ts';
import { InputError } from '../../errors/index.ts';
import { loadRepository } from '../../load/repository.ts';
import { render } from '../../render/render.ts';

const CLUSTERS = ['a', 'b']
  .map((name, i) => `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${name}\n  labels:\n    env: env-${name}\nspec:\n  region: r${i}\n  zones: [z${i}]\n`)
  .join('---\n');
const APP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: default\ndata: {}\n';
const POLICY = 'apiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: cfg, namespace: default}\nspec:\n  resourceSelectors: [{apiVersion: v1, kind: ConfigMap, name: cfg}]\n';
function override(value: string): string {
  return `apiVersion: policy.karmada.io/v1alpha1\nkind: ClusterOverridePolicy\nmetadata: {name: per-cluster}\nspec:\n  resourceSelectors: [{apiVersion: v1, kind: ConfigMap}]\n  overrideRules:\n    - overriders:\n        plaintext: [{path: /data/who, operator: add, value: "${value}"}]\n        annotationsOverrider: [{operator: add, value: {zone: "\${MEMBER-CLUSTER-ZONE}"}}]\n`;
}
const ON = 'apiVersion: manifold.dev/v1alpha1\nkind: Project\nspec:\n  karmada:\n    extensions:\n      clusterVariables: true\n';

function renderWith(files: Record<string, string>) {
  const repo = loadRepository(Object.entries(files).map(([path, text]) => ({ path, text })), registry);
  return render(repo, dialects, { manifoldVersion: 'test' });
}
const CM = 'namespaces/default/ConfigMap/cfg.yaml';

describe('Karmada: cluster variables in override values (extension clusterVariables)', () => {
  it('off (the default): written literally, as Karmada does', () => {
    const result = renderWith({ 'c.yaml': CLUSTERS, 'app.yaml': APP, 'p.yaml': POLICY, 'o.yaml': override('${MEMBER-CLUSTER-NAME}') });
    expect(result.clusters.get('a')?.get(CM)).toContain('who: ${MEMBER-CLUSTER-NAME}');
  });

  it('on: each cluster gets its own values, in every overrider', () => {
    const result = renderWith({ 'manifold.yaml': ON, 'c.yaml': CLUSTERS, 'app.yaml': APP, 'p.yaml': POLICY, 'o.yaml': override('${MEMBER-CLUSTER-NAME} in ${MEMBER-CLUSTER-REGION} (${MEMBER-CLUSTER-LABEL-KEY-env})') });
    expect(result.clusters.get('a')?.get(CM)).toMatch(/zone: z0\n[\s\S]*who: a in r0 \(env-a\)/);
    expect(result.clusters.get('b')?.get(CM)).toMatch(/zone: z1\n[\s\S]*who: b in r1 \(env-b\)/);
  });

  it('on: a label the cluster lacks, or an unknown variable, is exit 2 naming policy, rule and cluster', () => {
    const fail = (value: string) => {
      try {
        renderWith({ 'manifold.yaml': ON, 'c.yaml': CLUSTERS, 'app.yaml': APP, 'p.yaml': POLICY, 'o.yaml': override(value) });
      } catch (err) {
        if (err instanceof InputError) return err.message;
        throw err;
      }
      return 'rendered';
    };
    // Every cluster's problem at once.
    expect(fail('${MEMBER-CLUSTER-LABEL-KEY-team}').split('\n')).toEqual([
      'o.yaml:7: ClusterOverridePolicy per-cluster: spec.overrideRules[0].overriders: label key team not found on cluster a (for ConfigMap default/cfg in cluster a)',
      'o.yaml:7: ClusterOverridePolicy per-cluster: spec.overrideRules[0].overriders: label key team not found on cluster b (for ConfigMap default/cfg in cluster b)',
    ]);
    expect(fail('${MEMBER-CLUSTER-ID}')).toMatch(/^o\.yaml:7: ClusterOverridePolicy per-cluster: spec\.overrideRules\[0\]\.overriders: unknown variable \$\{MEMBER-CLUSTER-ID\}/);
  });
});
