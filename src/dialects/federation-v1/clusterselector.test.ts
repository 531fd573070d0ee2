import { describe, expect, it } from 'vitest';
import { CLUSTER_SELECTOR_ANNOTATION, parseClusterSelector, sendToCluster } from './clusterselector.ts';

// kubernetes-retired/federation pkg/federation-controller/util/clusterselector/clusterselector_test.go TestSendToCluster.
const clusterLabels = { location: 'europe', environment: 'prod', version: '15' };

describe('sendToCluster: clusterselector_test.go TestSendToCluster', () => {
  const cases: [string, string, boolean | 'error'][] = [
    ['match with single annotation', '[{"key": "location", "operator": "in", "values": ["europe"]}]', true],
    ['match on multiple annotations', '[{"key": "location", "operator": "in", "values": ["europe"]}, {"key": "environment", "operator": "==", "values": ["prod"]}]', true],
    ['mismatch on one annotation', '[{"key": "location", "operator": "in", "values": ["europe"]}, {"key": "environment", "operator": "==", "values": ["test"]}]', false],
    ['match on not equal annotation', '[{"key": "location", "operator": "!=", "values": ["usa"]}, {"key": "environment", "operator": "in", "values": ["prod"]}]', true],
    ['match on greater than annotation', '[{"key": "version", "operator": ">", "values": ["14"]}]', true],
    ['mismatch on greater than annotation', '[{"key": "version", "operator": ">", "values": ["15"]}]', false],
    ['unable to parse annotation', '[{"not able to parse",}]', 'error'],
  ];
  for (const [name, annotation, expected] of cases) {
    it(name, () => {
      const annotations = { [CLUSTER_SELECTOR_ANNOTATION]: annotation };
      if (expected === 'error') expect(() => sendToCluster(clusterLabels, annotations)).toThrow();
      else expect(sendToCluster(clusterLabels, annotations)).toBe(expected);
    });
  }
});

describe('sendToCluster: labels.NewRequirement and Requirement.Matches', () => {
  const send = (annotation: string, labels: Record<string, string> = clusterLabels) => sendToCluster(labels, { [CLUSTER_SELECTOR_ANNOTATION]: annotation });

  it('without the annotation every cluster is selected', () => {
    expect(sendToCluster(clusterLabels, {})).toBe(true);
  });

  it('null and [] select every cluster', () => {
    expect(send('null')).toBe(true);
    expect(send('[]')).toBe(true);
  });

  it('accepts every spelling ConvertOperator knows', () => {
    expect(send('[{"key": "location", "operator": "In", "values": ["europe"]}]')).toBe(true);
    expect(send('[{"key": "location", "operator": "notin", "values": ["europe"]}]')).toBe(false);
    expect(send('[{"key": "location", "operator": "NotIn", "values": ["usa"]}]')).toBe(true);
    expect(send('[{"key": "location", "operator": "=", "values": ["europe"]}]')).toBe(true);
    expect(send('[{"key": "location", "operator": "exists"}]')).toBe(true);
    expect(send('[{"key": "location", "operator": "Exists"}]')).toBe(true);
    expect(send('[{"key": "zone", "operator": "!"}]')).toBe(true);
    expect(send('[{"key": "zone", "operator": "DoesNotExist"}]')).toBe(true);
    expect(send('[{"key": "version", "operator": "lt", "values": ["16"]}]')).toBe(true);
    expect(send('[{"key": "version", "operator": "Gt", "values": ["15"]}]')).toBe(false);
    expect(send('[{"key": "version", "operator": "<", "values": ["15"]}]')).toBe(false);
  });

  it('NotIn and != match a cluster without the label', () => {
    expect(send('[{"key": "zone", "operator": "notin", "values": ["a"]}]')).toBe(true);
    expect(send('[{"key": "zone", "operator": "!=", "values": ["a"]}]')).toBe(true);
  });

  it('Gt/Lt need the label and an integer label value', () => {
    expect(send('[{"key": "zone", "operator": "gt", "values": ["1"]}]')).toBe(false);
    expect(send('[{"key": "location", "operator": "gt", "values": ["1"]}]')).toBe(false);
  });

  it('matches keys case-insensitively, as Go decodes the struct', () => {
    expect(send('[{"KEY": "location", "Operator": "in", "VALUES": ["europe"]}]')).toBe(true);
  });

  it('rejects requirements labels.NewRequirement rejects', () => {
    for (const bad of [
      '[{"key": "location", "operator": "in", "values": []}]',
      '[{"key": "location", "operator": "==", "values": ["a", "b"]}]',
      '[{"key": "location", "operator": "exists", "values": ["a"]}]',
      '[{"key": "version", "operator": "gt", "values": ["1.5"]}]',
      '[{"key": "location", "operator": "like", "values": ["a"]}]',
      '[{"key": "", "operator": "exists"}]',
      '[{"key": "bad key", "operator": "exists"}]',
      '[{"key": "location", "operator": "in", "values": ["not a value"]}]',
      '{"key": "location"}',
      '[{"key": 1, "operator": "exists"}]',
    ]) {
      expect(() => parseClusterSelector(bad), bad).toThrow();
    }
  });
});
