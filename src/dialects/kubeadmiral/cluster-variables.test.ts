import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../index.ts';
import { InputError } from '../../errors/index.ts';
import { loadRepository } from '../../load/repository.ts';
import { render } from '../../render/render.ts';

const CLUSTERS = ['a', 'b']
  .map((name) => `apiVersion: core.kubeadmiral.io/v1alpha1\nkind: FederatedCluster\nmetadata:\n  name: ${name}\n  labels:\n    env: env-${name}\nspec:\n  apiEndpoint: https://${name}.example.com\n  secretRef: {name: s}\n`)
  .join('---\n');
const APP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: default\n  labels:\n    kubeadmiral.io/propagation-policy-name: all\n    kubeadmiral.io/override-policy-name: per-cluster\ndata: {}\n';
const POLICY = 'apiVersion: core.kubeadmiral.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: all, namespace: default}\nspec:\n  schedulingMode: Duplicate\n';
function override(value: string): string {
  return `apiVersion: core.kubeadmiral.io/v1alpha1\nkind: OverridePolicy\nmetadata: {name: per-cluster, namespace: default}\nspec:\n  overrideRules:\n    - overriders:\n        jsonpatch: [{operator: add, path: /data/who, value: "${value}"}]\n`;
}
const ON = 'apiVersion: manifold.dev/v1alpha1\nkind: Project\nspec:\n  kubeadmiral:\n    extensions:\n      clusterVariables: true\n';

function renderWith(files: Record<string, string>) {
  const repo = loadRepository(Object.entries(files).map(([path, text]) => ({ path, text })), registry);
  return render(repo, dialects, { manifoldVersion: 'test' });
}
const CM = 'namespaces/default/ConfigMap/cfg.yaml';

describe('KubeAdmiral: cluster variables in override values (extension clusterVariables)', () => {
  it('off (the default): written literally, as KubeAdmiral does', () => {
    const result = renderWith({ 'c.yaml': CLUSTERS, 'app.yaml': APP, 'p.yaml': POLICY, 'o.yaml': override('${MEMBER-CLUSTER-NAME}') });
    expect(result.clusters.get('a')?.get(CM)).toContain('who: ${MEMBER-CLUSTER-NAME}');
  });

  it('on: each cluster gets its own value', () => {
    const result = renderWith({ 'manifold.yaml': ON, 'c.yaml': CLUSTERS, 'app.yaml': APP, 'p.yaml': POLICY, 'o.yaml': override('${MEMBER-CLUSTER-NAME}/${MEMBER-CLUSTER-LABEL-KEY-env}') });
    expect(result.clusters.get('a')?.get(CM)).toContain('who: a/env-a');
    expect(result.clusters.get('b')?.get(CM)).toContain('who: b/env-b');
  });

  it('on: an inventory field the cluster lacks is exit 2 naming policy, rule and cluster', () => {
    let message = 'rendered';
    try {
      renderWith({ 'manifold.yaml': ON, 'c.yaml': CLUSTERS, 'app.yaml': APP, 'p.yaml': POLICY, 'o.yaml': override('${MEMBER-CLUSTER-REGION}') });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      message = err.message;
    }
    expect(message.split('\n')).toEqual([
      'o.yaml:6: OverridePolicy default/per-cluster: spec.overrideRules[0].overriders: cluster a has no region in the inventory (for ConfigMap default/cfg in cluster a)',
      'o.yaml:6: OverridePolicy default/per-cluster: spec.overrideRules[0].overriders: cluster b has no region in the inventory (for ConfigMap default/cfg in cluster b)',
    ]);
  });
});
