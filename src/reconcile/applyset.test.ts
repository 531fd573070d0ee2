import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../model/types.ts';
import {
  applySetId,
  applySetIdOf,
  DEFAULT_PARENT,
  GROUP_KINDS_ANNOTATION,
  type LiveMember,
  NAMESPACES_ANNOTATION,
  PARENT_ID_LABEL,
  parentConflict,
  parentObject,
  parentUpToDate,
  planPrune,
  readParentState,
  TOOLING,
  TOOLING_ANNOTATION,
} from './applyset.ts';

describe('ApplySet id (kubectl applyset.go ID())', () => {
  it('matches an id kubectl computed for a parent in the wild (sgs.snucse.org WorkspaceSet "sgs", cluster-scoped)', () => {
    // The manifest quotes kubectl's id for that parent; the corpus shows its first 25 characters.
    expect(applySetIdOf('sgs', '', 'WorkspaceSet', 'sgs.snucse.org').startsWith('applyset-eGaq9sV3nwMTqoxo')).toBe(true);
  });
  it('is a valid label value: prefix, URL-safe base64 without padding, -v1 suffix, at most 63 characters', () => {
    const id = applySetId(DEFAULT_PARENT);
    expect(id).toMatch(/^applyset-[A-Za-z0-9_-]{43}-v1$/);
    expect(id.length).toBeLessThanOrEqual(63);
    expect(applySetId({ ...DEFAULT_PARENT, name: 'other' })).not.toBe(id);
  });
});

describe('parent', () => {
  const state = { groupKinds: ['ConfigMap', 'Deployment.apps'], namespaces: ['a', 'b', 'kube-system'] };
  it('records tooling, sorted group-kinds and the other namespaces', () => {
    const p = parentObject(DEFAULT_PARENT, state);
    expect(p).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'applyset-manifold',
        namespace: 'kube-system',
        labels: { [PARENT_ID_LABEL]: applySetId(DEFAULT_PARENT) },
        annotations: { [TOOLING_ANNOTATION]: TOOLING, [GROUP_KINDS_ANNOTATION]: 'ConfigMap,Deployment.apps', [NAMESPACES_ANNOTATION]: 'a,b' },
      },
    });
    expect(readParentState(p)).toEqual({ groupKinds: ['ConfigMap', 'Deployment.apps'], namespaces: ['a', 'b'] });
    expect(parentUpToDate(p, DEFAULT_PARENT, state)).toBe(true);
    expect(parentUpToDate(p, DEFAULT_PARENT, { ...state, groupKinds: ['ConfigMap'] })).toBe(false);
    expect(parentUpToDate(undefined, DEFAULT_PARENT, state)).toBe(false);
  });
  it('refuses a parent that belongs to another tool or another id', () => {
    const p = parentObject(DEFAULT_PARENT, state);
    expect(parentConflict(p, DEFAULT_PARENT)).toBeUndefined();
    const kubectl: JsonObject = { ...p, metadata: { ...(p.metadata as JsonObject), annotations: { [TOOLING_ANNOTATION]: 'kubectl/v1.32' } } };
    expect(parentConflict(kubectl, DEFAULT_PARENT)).toMatch(/belongs to "kubectl\/v1.32"/);
    const copied: JsonObject = { ...p, metadata: { ...(p.metadata as JsonObject), labels: { [PARENT_ID_LABEL]: 'applyset-x-v1' } } };
    expect(parentConflict(copied, DEFAULT_PARENT)).toMatch(/has id applyset-x-v1/);
  });
});

describe('planPrune', () => {
  const member = (name: string, annotations: JsonObject = {}, kind = 'ConfigMap'): LiveMember => ({
    apiVersion: 'v1',
    kind,
    group: '',
    namespace: 'ns',
    name,
    key: `/${kind}/ns/${name}`,
    object: { apiVersion: 'v1', kind, metadata: { name, namespace: 'ns', annotations } },
  });
  const live = Array.from({ length: 10 }, (_, i) => member(`c${i}`));
  const keys = (names: string[]): Set<string> => new Set(names.map((n) => `/ConfigMap/ns/${n}`));
  const all = live.map((m) => m.name);

  it('deletes members the tree no longer has, nothing else', () => {
    const plan = planPrune(live, keys(all.filter((n) => n !== 'c3')));
    expect(plan.delete.map((m) => m.name)).toEqual(['c3']);
    expect(plan.refused).toBeUndefined();
  });

  it('keeps members that say manifold.dev/prune: disabled', () => {
    const withKeep = [...live.slice(0, 9), member('c9', { 'manifold.dev/prune': 'disabled' })];
    const plan = planPrune(withKeep, keys(all.slice(0, 8)));
    expect(plan.delete.map((m) => m.name)).toEqual(['c8']);
    expect(plan.keep.map((m) => m.name)).toEqual(['c9']);
  });

  it('refuses more than 30 % unless allowed, and refuses to empty the cluster', () => {
    expect(planPrune(live, keys(all.slice(0, 7))).refused).toBeUndefined(); // 30 %: allowed
    const refused = planPrune(live, keys(all.slice(0, 6)));
    expect(refused.delete).toEqual([]);
    expect(refused.refused).toMatch(/delete 4 of 10 managed objects \(40 %, more than 30 %\)/);
    expect(planPrune(live, keys(all.slice(0, 6)), { allowMassPrune: true }).delete).toHaveLength(4);
    expect(planPrune(live, keys(all.slice(0, 6)), { maxShare: 0.5 }).delete).toHaveLength(4);
    expect(planPrune(live, new Set()).refused).toMatch(/the tree of this cluster is empty and 10 managed object\(s\) would be deleted/);
    expect(planPrune(live.slice(0, 1), new Set(['/Secret/ns/other'])).refused).toMatch(/delete all 1 object/);
  });

  it('deletes in reverse apply order (Flux ssa/manager_delete.go)', () => {
    const mixed = [member('a'), member('d', {}, 'Deployment'), member('n', {}, 'Namespace'), member('x', {}, 'Widget')];
    const plan = planPrune(mixed, new Set(['keep']), { allowMassPrune: true });
    expect(plan.delete.map((m) => m.kind)).toEqual(['Widget', 'Deployment', 'ConfigMap', 'Namespace']);
  });
});
