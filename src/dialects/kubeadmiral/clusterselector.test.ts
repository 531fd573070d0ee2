/**
 * Cluster selector terms (pkg/util/clusterselector/util.go over
 * k8s.io/apimachinery labels.NewRequirement): validation and operators.
 */
import { describe, expect, it } from 'vitest';
import { labelKeyProblem, labelValueProblem, matchClusterSelectorTerms, parseGoInt64, requirementProblem } from './clusterselector.ts';

const cluster = (name: string, labels: Record<string, string> = {}) => ({ name, labels });

describe('requirement validation (labels.NewRequirement)', () => {
  it.each([
    [{ key: 'a', operator: 'In', values: [] }, 'needs at least one value'],
    [{ key: 'a', operator: 'Exists', values: ['x'] }, 'takes no values'],
    [{ key: 'a', operator: 'Gt', values: ['1', '2'] }, 'exactly one value'],
    [{ key: 'a', operator: 'Lt', values: ['1.5'] }, 'not an integer'],
    [{ key: 'a', operator: 'Near', values: [] }, 'not a valid cluster selector operator'],
    [{ key: 'bad key', operator: 'Exists' }, 'invalid label key'],
    [{ key: 'a', operator: 'In', values: ['-x'] }, 'invalid label value'],
  ])('%j', (req, message) => {
    expect(requirementProblem(req)).toContain(message);
  });

  it('accepts prefixed keys and empty values', () => {
    expect(labelKeyProblem('topology.kubernetes.io/zone')).toBeUndefined();
    expect(labelKeyProblem('Upper.case/zone')).toContain('prefix');
    expect(labelValueProblem('')).toBeUndefined();
    expect(labelValueProblem('a'.repeat(64))).toBeDefined();
  });

  it('strconv.ParseInt accepts a sign and leading zeros, within int64', () => {
    expect(parseGoInt64('+0204')).toBe(204n);
    expect(parseGoInt64('-3')).toBe(-3n);
    expect(parseGoInt64('9223372036854775808')).toBeUndefined();
    expect(parseGoInt64('1e3')).toBeUndefined();
  });
});

describe('matchClusterSelectorTerms', () => {
  const gt = (value: string) => [{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: [value] }] }];
  it('Gt and Lt compare integers; a label that is not an integer never matches', () => {
    expect(matchClusterSelectorTerms(gt('3'), cluster('a', { gen: '4' })).matched).toBe(true);
    expect(matchClusterSelectorTerms(gt('3'), cluster('a', { gen: '3' })).matched).toBe(false);
    expect(matchClusterSelectorTerms(gt('3'), cluster('a', { gen: 'four' })).matched).toBe(false);
    expect(matchClusterSelectorTerms(gt('3'), cluster('a')).matched).toBe(false);
    expect(matchClusterSelectorTerms([{ matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['3'] }] }], cluster('a', { gen: '-1' })).matched).toBe(true);
  });

  it('NotIn and DoesNotExist match a cluster without the label', () => {
    expect(matchClusterSelectorTerms([{ matchExpressions: [{ key: 'x', operator: 'NotIn', values: ['1'] }] }], cluster('a')).matched).toBe(true);
    expect(matchClusterSelectorTerms([{ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }], cluster('a')).matched).toBe(true);
  });

  it('matchFields knows metadata.name with In/NotIn and exactly one value', () => {
    expect(matchClusterSelectorTerms([{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['a'] }] }], cluster('b')).matched).toBe(true);
    expect(matchClusterSelectorTerms([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] }], cluster('b')).error).toContain('unexpected number of value (2)');
    expect(matchClusterSelectorTerms([{ matchFields: [{ key: 'metadata.name', operator: 'Exists' }] }], cluster('b')).error).toContain('not a valid cluster field selector operator');
  });

  it('an invalid term aborts the evaluation even if a later term would match', () => {
    const terms = [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }];
    expect(matchClusterSelectorTerms(terms, cluster('b'))).toEqual({ matched: false, error: 'In on "a" needs at least one value' });
    expect(matchClusterSelectorTerms([terms[1]!, terms[0]!], cluster('b'))).toEqual({ matched: true });
  });
});
