import { describe, expect, it } from 'vitest';
import { ClusterVariableError, expandClusterVariables, expandString, usesClusterVariables } from './cluster-variables.ts';
import type { Cluster } from './types.ts';

const cluster: Cluster = {
  name: 'prod-bj-1',
  declaredBy: 'Cluster',
  labels: { environment: 'prod', 'kube-fleet.io/region': 'cn-north' },
  provider: 'onprem',
  region: 'beijing',
  zones: ['bj-a'],
  taints: [],
  source: { file: 'clusters.yaml', line: 1 },
};

function failure(text: string, c: Cluster = cluster): string {
  try {
    expandString(text, c);
  } catch (err) {
    if (err instanceof ClusterVariableError) return err.message;
    throw err;
  }
  return 'no error';
}

describe('cluster variables (KubeFleet override variables, extended)', () => {
  it("replaces KubeFleet's variables: the name and a label by its key (with a prefix and a slash)", () => {
    // kubefleet pkg/controllers/workgenerator/override_test.go uses ${MEMBER-CLUSTER-LABEL-KEY-kube-fleet.io/region} the same way.
    expect(expandString('${MEMBER-CLUSTER-NAME}', cluster)).toBe('prod-bj-1');
    expect(expandString('x-${MEMBER-CLUSTER-LABEL-KEY-kube-fleet.io/region}-${MEMBER-CLUSTER-LABEL-KEY-environment}', cluster)).toBe('x-cn-north-prod');
  });

  it('replaces the inventory variables Manifold adds', () => {
    expect(expandString('${MEMBER-CLUSTER-PROVIDER}/${MEMBER-CLUSTER-REGION}/${MEMBER-CLUSTER-ZONE}/${MEMBER-CLUSTER-ZONES}', cluster)).toBe('onprem/beijing/bj-a/bj-a');
    expect(expandString('${MEMBER-CLUSTER-ZONES}', { ...cluster, zones: ['a', 'b'] })).toBe('a,b');
  });

  it('replaces in keys and values of nested objects and lists, and leaves other ${…} text alone', () => {
    const value = { labels: { '${MEMBER-CLUSTER-NAME}': '${MEMBER-CLUSTER-ZONE}' }, args: ['--x=${HOME}', 3, null, true] };
    expect(expandClusterVariables(value, cluster)).toEqual({ labels: { 'prod-bj-1': 'bj-a' }, args: ['--x=${HOME}', 3, null, true] });
    expect(usesClusterVariables(value)).toBe(true);
    expect(usesClusterVariables({ a: ['${HOME}'] })).toBe(false);
  });

  it('does not scan a replaced value again', () => {
    expect(expandString('${MEMBER-CLUSTER-LABEL-KEY-tricky}', { ...cluster, labels: { tricky: '${MEMBER-CLUSTER-NAME}' } })).toBe('${MEMBER-CLUSTER-NAME}');
  });

  it('refuses, never writes an empty string: a missing label, an unknown variable, a missing brace, missing inventory fields', () => {
    expect(failure('${MEMBER-CLUSTER-LABEL-KEY-team}')).toBe('label key team not found on cluster prod-bj-1');
    expect(failure('${MEMBER-CLUSTER-NAMES}')).toMatch(/^unknown variable \$\{MEMBER-CLUSTER-NAMES\} \(known: /);
    expect(failure('${member-cluster-name}')).toBe('no error'); // case-sensitive, as KubeFleet: not a variable
    expect(failure('${MEMBER-CLUSTER-LABEL-KEY-env')).toBe('${MEMBER-CLUSTER-LABEL-KEY-env is missing the closing `}`');
    expect(failure('${MEMBER-CLUSTER-REGION}', { ...cluster, region: undefined })).toBe('cluster prod-bj-1 has no region in the inventory');
    expect(failure('${MEMBER-CLUSTER-ZONE}', { ...cluster, zones: ['a', 'b'] })).toMatch(/has 2 zones \(a, b\); use \$\{MEMBER-CLUSTER-ZONES\}/);
    expect(failure('${MEMBER-CLUSTER-ZONES}', { ...cluster, zones: [] })).toBe('cluster prod-bj-1 has no zones in the inventory');
  });
});
