/**
 * karmada pkg/util/validation/validation_test.go (v1.18.0), ported: every case
 * becomes a policy document; a case upstream denies must give one message
 * naming file, line and field, a case upstream admits must load. Specs pass
 * the CRD defaults and the mutating webhook first in Karmada, so cases that
 * only fail without them (gracePeriodSeconds left empty with Gracefully) are
 * noted where they differ.
 */
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { InputError, formatProblem } from '../../errors/index.ts';
import { loadRepository } from '../../load/repository.ts';
import { registry } from '../index.ts';
import { POLICY_API } from './schema.ts';

const selector = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx' };

/** Messages of loading one policy document, [] when it loads. */
function problemsOf(kind: string, spec: object, namespace: string | undefined = 'default'): string[] {
  const metadata = { name: 'policy', ...(namespace === undefined ? {} : { namespace }) };
  const text = `# ${kind}\n${dump({ apiVersion: POLICY_API, kind, metadata, spec }, { noRefs: true })}`;
  try {
    loadRepository([{ path: 'policy.yaml', text }], registry);
    return [];
  } catch (err) {
    if (err instanceof InputError) return err.problems.map(formatProblem);
    throw err;
  }
}

const pp = (spec: object) => problemsOf('PropagationPolicy', { resourceSelectors: [selector], ...spec });
const placement = (p: object) => pp({ placement: p });
const op = (spec: object) => problemsOf('OverridePolicy', spec);
/** The message after `policy.yaml:<line of the field>: `. */
const at = (field: string, message: string) => `: PropagationPolicy default/policy: spec.${field}: ${message}`;

type Case = [name: string, problems: () => string[], expected: string | undefined];

function runCases(cases: Case[]): void {
  it.each(cases)('%s', (_name, problems, expected) => {
    const got = problems();
    if (expected === undefined) expect(got).toEqual([]);
    else expect(got.some((p) => p.includes(expected)), `${JSON.stringify(got)} should include ${expected}`).toBe(true);
  });
}

const affinityTerm = (name: string, extra: object = {}) => ({ affinityName: name, clusterNames: ['m1'], ...extra });
const dynamicWeight = { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { dynamicWeight: 'AvailableReplicas' } };
const overflow = (...names: string[]) => ({ overflowAffinities: names.map((n, i) => ({ affinityName: n, clusterNames: [`m${i + 2}`] })) });

describe('TestValidatePropagationSpec', () => {
  const providerIn = { key: 'provider', operator: 'In', values: ['fooCloud'] };
  runCases([
    ['valid spec', () => placement({
      clusterAffinity: { fieldSelector: { matchExpressions: [providerIn, { key: 'region', operator: 'NotIn', values: ['fooCloud'] }, { key: 'zone', operator: 'NotIn', values: ['fooCloud'] }] } },
      spreadConstraints: [{ spreadByField: 'region', minGroups: 1, maxGroups: 2 }, { spreadByField: 'cluster' }],
    }), undefined],
    ['clusterAffinity.fieldSelector has unsupported key', () => placement({ clusterAffinity: { fieldSelector: { matchExpressions: [{ ...providerIn, key: 'foo' }] } } }), 'spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].key'],
    ['clusterAffinity.fieldSelector has unsupported operator', () => placement({ clusterAffinity: { fieldSelector: { matchExpressions: [{ ...providerIn, operator: 'Exists' }] } } }), 'spec.placement.clusterAffinity.fieldSelector.matchExpressions[0].operator'],
    ['clusterAffinities cannot co-exist with clusterAffinity', () => placement({ clusterAffinity: { clusterNames: ['m1'] }, clusterAffinities: [affinityTerm('group1')] }), 'clusterAffinity and clusterAffinities are mutually exclusive'],
    ['clusterAffinities different affinities have the same affinityName', () => placement({ clusterAffinities: [affinityTerm('group1'), affinityTerm('group1')] }),
      at('placement.clusterAffinities[1].affinityName', 'each affinity term in a policy must have a unique name ("group1" is repeated)')],
    ['clusterAffinities.[index].fieldSelector has unsupported key', () => placement({ clusterAffinities: [{ affinityName: 'group1', fieldSelector: { matchExpressions: [{ ...providerIn, key: 'foo' }] } }] }), 'spec.placement.clusterAffinities[0].fieldSelector.matchExpressions[0].key'],
    ['clusterAffinities.[index].fieldSelector has unsupported operator', () => placement({ clusterAffinities: [{ affinityName: 'group1', fieldSelector: { matchExpressions: [{ ...providerIn, operator: 'Exists' }] } }] }), 'spec.placement.clusterAffinities[0].fieldSelector.matchExpressions[0].operator'],
    ['spreadConstraint spreadByLabel co-exist with spreadByField', () => placement({ spreadConstraints: [{ spreadByField: 'cluster', spreadByLabel: 'foo' }] }), 'spreadByField and spreadByLabel are mutually exclusive'],
    ['spreadConstraint maxGroups lower than minGroups', () => placement({ spreadConstraints: [{ maxGroups: 1, minGroups: 2 }] }), at('placement.spreadConstraints[0].maxGroups', 'must be at least minGroups')],
    ['spreadConstraint maxGroups lower than 0', () => placement({ spreadConstraints: [{ maxGroups: -1, minGroups: 1 }] }), 'spec.placement.spreadConstraints[0].maxGroups'],
    ['spreadConstraint minGroups lower than 0', () => placement({ spreadConstraints: [{ maxGroups: 2, minGroups: -2 }] }), 'spec.placement.spreadConstraints[0].minGroups'],
    ['spreadConstraint has two cluster spread constraints', () => placement({ spreadConstraints: [{ spreadByField: 'cluster', maxGroups: 2, minGroups: 1 }, { spreadByField: 'cluster', maxGroups: 5, minGroups: 3 }, { spreadByLabel: 'grouped-by-net', maxGroups: 5, minGroups: 3 }] }), 'duplicate spreadByField "cluster"'],
    ['spreadConstraint has multiple region spread constraints', () => placement({ spreadConstraints: [{ spreadByField: 'region', maxGroups: 4, minGroups: 3 }, { spreadByField: 'region', maxGroups: 4, minGroups: 2 }, { spreadByField: 'cluster', maxGroups: 10, minGroups: 5 }] }), 'duplicate spreadByField "region"'],
    ['spreadConstraint spreadByFieldCluster must be included if using spreadByField', () => placement({ spreadConstraints: [{ spreadByField: 'region' }] }), 'a spreadByField constraint requires a spreadByField: cluster constraint as well'],
    ['resourceSelector name is empty when preemption is enabled', () => problemsOf('PropagationPolicy', { resourceSelectors: [{ apiVersion: 'v1', kind: 'Pod', namespace: 'default' }], preemption: 'Always' }), 'preemption: Always requires a name on every selector'],
    ['suspension dispatching cannot co-exist with dispatchingOnClusters', () => pp({ suspension: { dispatching: true, dispatchingOnClusters: { clusterNames: ['cluster-name'] } } }),
      at('suspension', 'suspension dispatching cannot co-exist with dispatchingOnClusters.clusterNames')],
    ['suspension dispatching with nil dispatchingOnClusters is valid', () => pp({ suspension: { dispatching: true } }), undefined],
    ['suspension dispatching with empty dispatching clusters is valid', () => pp({ suspension: { dispatching: true, dispatchingOnClusters: { clusterNames: [] } } }), undefined],
    ['dispatchingOnClusters.clusterNames without dispatching is valid', () => pp({ suspension: { dispatchingOnClusters: { clusterNames: ['cluster-name'] } } }), undefined],
    ['dispatchingOnClusters.clusterNames with dispatching false is valid', () => pp({ suspension: { dispatching: false, dispatchingOnClusters: { clusterNames: ['cluster-name'] } } }), undefined],
    ['workloadAffinity affinity and antiAffinity with same groupByLabelKey', () => placement({ workloadAffinity: { affinity: { groupByLabelKey: 'app.group' }, antiAffinity: { groupByLabelKey: 'app.group' } } }),
      at('placement.workloadAffinity', 'affinity and antiAffinity must not use the same groupByLabelKey')],
    ['workloadAffinity affinity and antiAffinity with different groupByLabelKey is valid', () => placement({ workloadAffinity: { affinity: { groupByLabelKey: 'app.group' }, antiAffinity: { groupByLabelKey: 'app.region' } } }), undefined],
    ['workloadAffinity with only affinity is valid', () => placement({ workloadAffinity: { affinity: { groupByLabelKey: 'app.group' } } }), undefined],
    ['workloadAffinity with only antiAffinity is valid', () => placement({ workloadAffinity: { antiAffinity: { groupByLabelKey: 'app.group' } } }), undefined],
    ['workloadAffinity affinity with invalid groupByLabelKey', () => placement({ workloadAffinity: { affinity: { groupByLabelKey: 'INVALID KEY!' } } }), 'spec.placement.workloadAffinity.affinity.groupByLabelKey: invalid value "INVALID KEY!"'],
    ['workloadAffinity antiAffinity with invalid groupByLabelKey', () => placement({ workloadAffinity: { antiAffinity: { groupByLabelKey: 'INVALID KEY!' } } }), 'spec.placement.workloadAffinity.antiAffinity.groupByLabelKey: invalid value "INVALID KEY!"'],
    // ValidateResourceSelectors (namespace given): the mutating webhook fills empty namespaces first.
    ['resource selector in another namespace', () => problemsOf('PropagationPolicy', { resourceSelectors: [{ ...selector, namespace: 'other' }] }),
      at('resourceSelectors[0].namespace', 'namespace of resource selector must be the same as the namespace of the policy ("default")')],
    ['resource selector in another namespace than the defaulted one', () => problemsOf('PropagationPolicy', { resourceSelectors: [{ ...selector, namespace: 'other' }] }, undefined), 'spec.resourceSelectors[0].namespace'],
    ['ClusterPropagationPolicy selectors may name any namespace', () => problemsOf('ClusterPropagationPolicy', { resourceSelectors: [{ ...selector, namespace: 'other' }] }, undefined), undefined],
  ]);
});

describe('issue 11 item 4: clusterAffinities[].affinityName', () => {
  it('one message naming file, line and field of the repeated name', () => {
    expect(placement({ clusterAffinities: [affinityTerm('group1'), affinityTerm('group1')] })).toEqual([
      'policy.yaml:17: PropagationPolicy default/policy: spec.placement.clusterAffinities[1].affinityName: each affinity term in a policy must have a unique name ("group1" is repeated)',
    ]);
  });
  runCases([
    ['a name that is not a label key is denied', () => placement({ clusterAffinities: [affinityTerm('Not A Key')] }), 'spec.placement.clusterAffinities[0].affinityName: invalid value "Not A Key": name part must consist of alphanumeric characters'],
    ['a prefixed label key is a valid name', () => placement({ clusterAffinities: [affinityTerm('example.com/primary')] }), undefined],
    ['longer than the CRD allows (32)', () => placement({ clusterAffinities: [affinityTerm('a'.repeat(33))] }), 'spec.placement.clusterAffinities[0].affinityName'],
  ]);
});

describe('TestValidateClusterTolerations', () => {
  const tolerations = (...t: object[]) => placement({ clusterTolerations: t });
  runCases([
    ['toleration with Exists operator is valid', () => tolerations({ key: 'key1', operator: 'Exists' }), undefined],
    ['toleration with Equal operator is valid', () => tolerations({ key: 'key1', operator: 'Equal', value: 'value1' }), undefined],
    ['toleration with empty operator is valid (defaults to Equal)', () => tolerations({ key: 'key1', value: 'value1' }), undefined],
    ['toleration with Lt operator is invalid', () => tolerations({ key: 'key1', operator: 'Lt', value: '100' }), 'spec.placement.clusterTolerations[0].operator'],
    ['toleration with Gt operator is invalid', () => tolerations({ key: 'key1', operator: 'Gt', value: '100' }), 'spec.placement.clusterTolerations[0].operator'],
    ['mixed tolerations with one invalid Lt operator', () => tolerations({ key: 'key1', operator: 'Equal', value: 'value1' }, { key: 'key2', operator: 'Lt', value: '100' }), 'spec.placement.clusterTolerations[1].operator'],
  ]);
});

describe('TestValidateApplicationFailover / TestValidateClusterFailover', () => {
  const app = (application: object) => pp({ propagateDeps: true, failover: { application: { decisionConditions: { tolerationSeconds: 100 }, ...application } } });
  const label = (aliasLabelName: string) => ({ statePreservation: { rules: [{ aliasLabelName, jsonPath: '{ .replicas }' }] } });
  runCases([
    ['the tolerationSeconds is less than zero', () => app({ decisionConditions: { tolerationSeconds: -100 } }), at('failover.application.decisionConditions.tolerationSeconds', 'must be greater than or equal to 0')],
    ['the gracePeriodSeconds is declared when purgeMode is not gracefully', () => app({ purgeMode: 'Directly', gracePeriodSeconds: 100 }), at('failover.application.gracePeriodSeconds', 'only takes effect when purgeMode is gracefully')],
    ['the gracePeriodSeconds is less than 0 when purgeMode is gracefully', () => app({ purgeMode: 'Gracefully', gracePeriodSeconds: -100 }), at('failover.application.gracePeriodSeconds', 'must be greater than 0')],
    // Upstream denies this only when called without the webhook, which defaults gracePeriodSeconds to 600.
    ['the gracePeriodSeconds is empty when purgeMode is gracefully (defaulted to 600 by the webhook)', () => app({ purgeMode: 'Gracefully' }), undefined],
    ['application behavior is correctly declared', () => app({}), undefined],
    ['statePreservation with valid rules', () => app(label('valid-label-name')), undefined],
    ['statePreservation with a valid prefix', () => app(label('example.com/my-state')), undefined],
    ['statePreservation with invalid aliasLabelName - starts with dash', () => app(label('-invalid-label')), 'spec.failover.application.statePreservation.rules[0].aliasLabelName: invalid value "-invalid-label": name part must consist'],
    ['statePreservation with invalid aliasLabelName - ends with dash', () => app(label('invalid-label-')), 'rules[0].aliasLabelName: invalid value "invalid-label-"'],
    ['statePreservation with invalid aliasLabelName - contains invalid characters', () => app(label('invalid@label')), 'rules[0].aliasLabelName: invalid value "invalid@label"'],
    ['statePreservation with too long aliasLabelName', () => app(label('a'.repeat(64))), 'name part must be no more than 63 bytes'],
    ['statePreservation with invalid prefix in aliasLabelName', () => app(label('INVALID.COM/my-state')), 'prefix part a lowercase RFC 1123 subdomain'],
    ['application failover needs propagateDeps', () => pp({ failover: { application: { decisionConditions: { tolerationSeconds: 1 } } } }), 'requires propagateDeps: true'],
    ['cluster failover with valid statePreservation', () => pp({ failover: { cluster: { purgeMode: 'Gracefully', ...label('cluster-state') } } }), undefined],
    ['cluster failover with invalid statePreservation', () => pp({ failover: { cluster: { purgeMode: 'Directly', ...label('-invalid-cluster-label') } } }), 'spec.failover.cluster.statePreservation.rules[0].aliasLabelName'],
    ['cluster failover without statePreservation', () => pp({ failover: { cluster: { purgeMode: 'Gracefully' } } }), undefined],
  ]);
});

describe('purgeMode: the CRD enums of v1.18', () => {
  const app = (purgeMode: string) => pp({ propagateDeps: true, failover: { application: { decisionConditions: { tolerationSeconds: 1 }, purgeMode } } });
  runCases([
    ...['Directly', 'Gracefully', 'Never'].map((m): Case => [`application ${m}`, () => app(m), undefined]),
    // Deprecated spellings, both still served by v1alpha1 (propagation_types.go), treated alike.
    ['application Immediately (deprecated)', () => app('Immediately'), undefined],
    ['application Graciously (deprecated)', () => app('Graciously'), undefined],
    ['application Sometimes', () => app('Sometimes'), 'spec.failover.application.purgeMode'],
    ['cluster Directly', () => pp({ failover: { cluster: { purgeMode: 'Directly' } } }), undefined],
    ['cluster Never is not in ClusterFailoverBehavior\'s enum', () => pp({ failover: { cluster: { purgeMode: 'Never' } } }), 'spec.failover.cluster.purgeMode'],
  ]);
});

describe('TestValidatePlacement / TestValidateOverflowAffinities', () => {
  runCases([
    ['overflowAffinities rejected when replicaScheduling is nil', () => placement({ clusterAffinities: [affinityTerm('primary', overflow('overflow-1'))] }),
      at('placement.clusterAffinities[0].overflowAffinities', 'overflowAffinities can only be used together with dynamic weight or aggregated scheduling')],
    ['overflowAffinities rejected with static weight scheduling', () => placement({
      clusterAffinities: [affinityTerm('primary', overflow('overflow-1'))],
      replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Weighted', weightPreference: { staticWeightList: [{ targetCluster: { clusterNames: ['m1'] }, weight: 1 }] } },
    }), 'overflowAffinities can only be used together with dynamic weight or aggregated scheduling'],
    ['overflowAffinities allowed with dynamic weight scheduling', () => placement({ clusterAffinities: [affinityTerm('primary', overflow('overflow-1'))], replicaScheduling: dynamicWeight }), undefined],
    ['overflowAffinities allowed with aggregated scheduling', () => placement({ clusterAffinities: [affinityTerm('primary', overflow('overflow-1'))], replicaScheduling: { replicaSchedulingType: 'Divided', replicaDivisionPreference: 'Aggregated' } }), undefined],
    ['multiple affinities, only one has overflow rejected', () => placement({ clusterAffinities: [affinityTerm('group1'), affinityTerm('group2', overflow('overflow-1'))] }), 'spec.placement.clusterAffinities[1].overflowAffinities'],
    ['no overflow affinities with unsupported scheduling, no error', () => placement({ clusterAffinities: [affinityTerm('primary')] }), undefined],
    ['valid overflow affinities', () => placement({ clusterAffinities: [affinityTerm('primary', overflow('overflow-1', 'overflow-2'))], replicaScheduling: dynamicWeight }), undefined],
    ['overflow affinities without ClusterAffinity', () => placement({ clusterAffinities: [{ affinityName: 'primary', ...overflow('overflow-1') }], replicaScheduling: dynamicWeight }),
      at('placement.clusterAffinities[0].overflowAffinities', 'overflowAffinities can only be used together with the inline ClusterAffinity')],
    ['duplicate overflow affinity names', () => placement({ clusterAffinities: [affinityTerm('primary', overflow('overflow-1', 'overflow-1'))], replicaScheduling: dynamicWeight }),
      at('placement.clusterAffinities[0].overflowAffinities[1].affinityName', "overflow affinity name must be unique and must not duplicate the primary group's affinityName")],
    ["overflow affinity name duplicates primary group's affinityName", () => placement({ clusterAffinities: [affinityTerm('primary', overflow('primary'))], replicaScheduling: dynamicWeight }),
      'spec.placement.clusterAffinities[0].overflowAffinities[0].affinityName'],
  ]);
  it('multiple errors: empty ClusterAffinity and duplicate names, all reported at once', () => {
    const got = placement({ clusterAffinities: [{ affinityName: 'primary', ...overflow('overflow-1', 'overflow-1') }], replicaScheduling: dynamicWeight });
    expect(got.map((p) => p.replace(/^policy\.yaml:\d+/, ''))).toEqual([
      at('placement.clusterAffinities[0].overflowAffinities', 'overflowAffinities can only be used together with the inline ClusterAffinity'),
      at('placement.clusterAffinities[0].overflowAffinities[1].affinityName', "overflow affinity name must be unique and must not duplicate the primary group's affinityName"),
    ]);
  });
});

describe('TestValidateOverrideSpec', () => {
  const target = { clusterNames: ['cluster-name'] };
  const plaintext = { plaintext: [{ path: 'spec/image', operator: 'add', value: 'nginx' }] };
  const rule = (overriders: object) => ({ overrideRules: [{ targetCluster: target, overriders }] });
  const fieldOverrider = (f: object) => rule({ fieldOverrider: [{ fieldPath: '/data/config', ...f }] });
  runCases([
    ['overrideRules is set, overriders and targetCluster aren\'t set', () => op(rule({})), undefined],
    ['overriders and targetCluster are set, overrideRules isn\'t set', () => op({ targetCluster: target, overriders: plaintext }), undefined],
    ['overrideRules and targetCluster can\'t co-exist', () => op({ ...rule({}), targetCluster: target }), 'may not be combined with overrideRules'],
    ['overrideRules and overriders can\'t co-exist', () => op({ ...rule({}), overriders: plaintext }), 'may not be combined with overrideRules'],
    ['empty overriders may stand beside overrideRules (emptyOverrides)', () => op({ ...rule({}), overriders: {} }), undefined],
    ['overrideRules, targetCluster and overriders can\'t co-exist', () => op({ ...rule({}), targetCluster: target, overriders: plaintext }), 'may not be combined with overrideRules'],
    ['invalid annotation should not be allowed', () => op(rule({ annotationsOverrider: [{ operator: 'add', value: { 'testannotation~projectId': 'c-m-lfx9lk92p-v86cf' } }] })),
      ': OverridePolicy default/policy: spec.overrideRules[0].overriders.annotationsOverrider[0].value: invalid annotation key "testannotation~projectId"'],
    ['invalid label should not be allowed', () => op(rule({ labelsOverrider: [{ operator: 'add', value: { 'testannotation~projectId': 'c-m-lfx9lk92p-v86cf' } }] })),
      'spec.overrideRules[0].overriders.labelsOverrider[0].value: invalid value "testannotation~projectId"'],
    ['invalid label value should not be allowed', () => op(rule({ labelsOverrider: [{ operator: 'add', value: { tier: 'not a value' } }] })), 'invalid label value "not a value"'],
    ['overrideSpec.targetCluster.fieldSelector has unsupported key', () => op({ targetCluster: { fieldSelector: { matchExpressions: [{ key: 'foo', operator: 'In', values: ['fooCloud'] }] } }, overriders: {} }), 'spec.targetCluster.fieldSelector.matchExpressions[0].key'],
    ['overrideSpec.targetCluster.fieldSelector has unsupported operator', () => op({ targetCluster: { fieldSelector: { matchExpressions: [{ key: 'provider', operator: 'Gt', values: ['fooCloud'] }] } }, overriders: {} }), 'spec.targetCluster.fieldSelector.matchExpressions[0].operator'],
    ['overrideRules.[index].targetCluster.fieldSelector has unsupported key', () => op({ overrideRules: [{ targetCluster: { fieldSelector: { matchExpressions: [{ key: 'foo', operator: 'In', values: ['fooCloud'] }] } }, overriders: {} }] }), 'spec.overrideRules[0].targetCluster.fieldSelector.matchExpressions[0].key'],
    ['overrideRules.[index].targetCluster.fieldSelector has unsupported operator', () => op({ overrideRules: [{ targetCluster: { fieldSelector: { matchExpressions: [{ key: 'provider', operator: 'Gt', values: ['fooCloud'] }] } }, overriders: {} }] }), 'spec.overrideRules[0].targetCluster.fieldSelector.matchExpressions[0].operator'],
    ['fieldOverrider with neither YAML nor JSON should be rejected', () => op(fieldOverrider({})), 'exactly one of json or yaml must be set'],
    ['fieldOverrider with both YAML and JSON set should be rejected', () => op(fieldOverrider({ json: [{ subPath: '/key', operator: 'remove' }], yaml: [{ subPath: '/key', operator: 'remove' }] })), 'exactly one of json or yaml must be set'],
    ['fieldOverrider with only YAML set should be allowed', () => op(fieldOverrider({ yaml: [{ subPath: '/key', operator: 'remove' }] })), undefined],
    ['fieldOverrider with only JSON set should be allowed', () => op(fieldOverrider({ json: [{ subPath: '/key', operator: 'remove' }] })), undefined],
    // ValidateOverrideRules: JSON pointers and operator values.
    ['fieldPath must be a JSON pointer', () => op(rule({ fieldOverrider: [{ fieldPath: 'data/config', json: [{ subPath: '/key', operator: 'remove' }] }] })), 'spec.overrideRules[0].overriders.fieldOverrider[0].fieldPath: invalid JSON pointer "data/config"'],
    ['subPath must be a JSON pointer', () => op(fieldOverrider({ yaml: [{ subPath: 'key', operator: 'remove' }] })), 'fieldOverrider[0].yaml[0].subPath'],
    ['add needs a value', () => op(fieldOverrider({ json: [{ subPath: '/key', operator: 'add' }] })), 'fieldOverrider[0].json[0].value: value is required for add or replace operation'],
    ['remove takes no value', () => op(fieldOverrider({ json: [{ subPath: '/key', operator: 'remove', value: 'x' }] })), 'value is not allowed for remove operation'],
    ['an image predicate path may be empty (go-openapi jsonpointer)', () => op(rule({ imageOverrider: [{ predicate: { path: '' }, component: 'Tag', operator: 'replace', value: 'v2' }] })), undefined],
    ['resource selector in another namespace', () => op({ resourceSelectors: [{ ...selector, namespace: 'other' }], ...rule({}) }), 'spec.resourceSelectors[0].namespace: namespace of resource selector must be the same as the namespace of the policy'],
  ]);
});

describe('TestEmptyOverrides (fieldOverrider is not looked at)', () => {
  it('a fieldOverrider alone counts as empty overriders beside overrideRules', () => {
    expect(op({ ...{ overrideRules: [{ overriders: {} }] }, overriders: { fieldOverrider: [{ fieldPath: '/a', json: [{ subPath: '/b', operator: 'remove' }] }] } })).toEqual([]);
  });
});
