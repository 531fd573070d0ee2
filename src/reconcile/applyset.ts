/**
 * ApplySet-compatible inventory (KEP-3659 as kubectl ships it,
 * kubernetes/kubectl pkg/cmd/apply/applyset.go and applyset_pruner.go):
 * one parent object per cluster carries the set's id, tooling, group-kinds
 * and namespaces; every member carries `applyset.kubernetes.io/part-of`.
 * Pruning deletes only live members (label match) that the tree no longer
 * has, and refuses to empty a cluster or delete a large share of it unless
 * told to (gitops-practices.md §5, pain point 3). Pure.
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from '../model/types.ts';
import { MANIFOLD_VERSION } from '../version.ts';
import { annotation, compareApplyOrder, describeObject, label, metadataOf, PRUNE_ANNOTATION } from './objects.ts';

export const PART_OF_LABEL = 'applyset.kubernetes.io/part-of';
export const PARENT_ID_LABEL = 'applyset.kubernetes.io/id';
export const TOOLING_ANNOTATION = 'applyset.kubernetes.io/tooling';
export const GROUP_KINDS_ANNOTATION = 'applyset.kubernetes.io/contains-group-kinds';
export const NAMESPACES_ANNOTATION = 'applyset.kubernetes.io/additional-namespaces';
export const TOOLING_NAME = 'manifold';
export const TOOLING = `${TOOLING_NAME}/v${MANIFOLD_VERSION}`;

/** Where the parent lives: a Secret (kubectl's default parent kind) in a namespace that always exists. */
export interface ApplySetParentRef {
  kind: 'Secret' | 'ConfigMap';
  namespace: string;
  name: string;
}

export const DEFAULT_PARENT: ApplySetParentRef = { kind: 'Secret', namespace: 'kube-system', name: 'applyset-manifold' };

/** kubectl `applySet.ID()`: `applyset-` + base64url(sha256(name.namespace.Kind.group)) + `-v1`. */
export function applySetId(parent: ApplySetParentRef): string {
  return applySetIdOf(parent.name, parent.namespace, parent.kind, '');
}

/** The same for any parent kind (`namespace` is '' for a cluster-scoped parent). */
export function applySetIdOf(name: string, namespace: string, kind: string, group: string): string {
  const hashed = createHash('sha256').update(`${name}.${namespace}.${kind}.${group}`).digest('base64url');
  return `applyset-${hashed}-v1`;
}

/** What a parent records. */
export interface ApplySetState {
  /** Sorted `Kind.group` (core: `Kind`). */
  groupKinds: string[];
  /** Sorted member namespaces other than the parent's own. */
  namespaces: string[];
}

function splitList(v: string | undefined): string[] {
  return v === undefined ? [] : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** The state recorded on a live parent (empty when there is none). */
export function readParentState(parent: JsonObject | undefined): ApplySetState {
  return {
    groupKinds: sortedUnique(splitList(annotation(parent, GROUP_KINDS_ANNOTATION))),
    namespaces: sortedUnique(splitList(annotation(parent, NAMESPACES_ANNOTATION))),
  };
}

/** Why Manifold must not touch this parent, if it must not: another tool's set, or another set's id. */
export function parentConflict(parent: JsonObject | undefined, ref: ApplySetParentRef): string | undefined {
  if (parent === undefined) return undefined;
  const tooling = annotation(parent, TOOLING_ANNOTATION);
  if (tooling !== undefined && !tooling.startsWith(`${TOOLING_NAME}/`)) {
    return `ApplySet parent ${ref.kind} ${ref.namespace}/${ref.name} belongs to "${tooling}", not to manifold; refusing to change or prune it`;
  }
  const id = label(parent, PARENT_ID_LABEL);
  if (id !== undefined && id !== applySetId(ref)) {
    return `ApplySet parent ${ref.kind} ${ref.namespace}/${ref.name} has id ${id}, which is not the id of that object`;
  }
  return undefined;
}

export function unionState(a: ApplySetState, b: ApplySetState): ApplySetState {
  return { groupKinds: sortedUnique([...a.groupKinds, ...b.groupKinds]), namespaces: sortedUnique([...a.namespaces, ...b.namespaces]) };
}

export function sameState(a: ApplySetState, b: ApplySetState): boolean {
  return a.groupKinds.join(',') === b.groupKinds.join(',') && a.namespaces.join(',') === b.namespaces.join(',');
}

/** The parent's apply body for a state. */
export function parentObject(ref: ApplySetParentRef, state: ApplySetState): JsonObject {
  const annotations: JsonObject = {
    [TOOLING_ANNOTATION]: TOOLING,
    [GROUP_KINDS_ANNOTATION]: state.groupKinds.join(','),
  };
  const others = state.namespaces.filter((ns) => ns !== ref.namespace);
  if (others.length > 0) annotations[NAMESPACES_ANNOTATION] = others.join(',');
  return {
    apiVersion: 'v1',
    kind: ref.kind,
    metadata: { name: ref.name, namespace: ref.namespace, labels: { [PARENT_ID_LABEL]: applySetId(ref) }, annotations },
  };
}

/** Does the live parent already record exactly this state (tooling included)? */
export function parentUpToDate(parent: JsonObject | undefined, ref: ApplySetParentRef, state: ApplySetState): boolean {
  if (parent === undefined) return false;
  if (label(parent, PARENT_ID_LABEL) !== applySetId(ref) || annotation(parent, TOOLING_ANNOTATION) !== TOOLING) return false;
  const recorded = readParentState(parent);
  return sameState(recorded, { groupKinds: state.groupKinds, namespaces: state.namespaces.filter((ns) => ns !== ref.namespace) });
}

/** A live member as the prune sees it. */
export interface LiveMember {
  apiVersion: string;
  kind: string;
  group: string;
  namespace?: string | undefined;
  name: string;
  uid?: string | undefined;
  key: string;
  object: JsonObject;
}

export interface PruneOptions {
  /** Refuse when more than this share of the live members would be deleted (default 0.3). */
  maxShare?: number;
  /** Delete anyway (the CLI's --allow-mass-prune). */
  allowMassPrune?: boolean;
}

export interface PrunePlan {
  /** To delete, in delete order (the apply order reversed). */
  delete: LiveMember[];
  /** Left alone because they say `manifold.dev/prune: disabled`. */
  keep: LiveMember[];
  /** Why nothing is deleted, when the plan is refused. */
  refused?: string | undefined;
}

/**
 * What to prune: live members (they carry our part-of label) the tree no
 * longer has, except those that opt out, and those already being deleted.
 */
export function planPrune(live: readonly LiveMember[], desiredKeys: ReadonlySet<string>, options: PruneOptions = {}): PrunePlan {
  const stale = live.filter((m) => !desiredKeys.has(m.key) && !metadataOf(m.object).deletionTimestamp);
  const keep = stale.filter((m) => annotation(m.object, PRUNE_ANNOTATION) === 'disabled');
  const del = stale.filter((m) => annotation(m.object, PRUNE_ANNOTATION) !== 'disabled').sort((a, b) => compareApplyOrder(b, a));
  if (del.length === 0 || options.allowMassPrune) return { delete: del, keep };
  const maxShare = options.maxShare ?? 0.3;
  const remaining = live.length - del.length;
  if (desiredKeys.size === 0) {
    return {
      delete: [],
      keep,
      refused: `prune refused: the tree of this cluster is empty and ${del.length} managed object(s) would be deleted (an empty render?); pass --allow-mass-prune if that is intended`,
    };
  }
  if (remaining === 0) {
    return {
      delete: [],
      keep,
      refused: `prune refused: it would delete all ${del.length} object(s) Manifold manages in this cluster; pass --allow-mass-prune if that is intended`,
    };
  }
  const share = del.length / live.length;
  if (share > maxShare) {
    const pct = (n: number): string => `${Math.round(n * 100)} %`;
    return {
      delete: [],
      keep,
      refused: `prune refused: it would delete ${del.length} of ${live.length} managed objects (${pct(share)}, more than ${pct(maxShare)}), e.g. ${del
        .slice(0, 3)
        .map(describeObject)
        .join(', ')}; pass --allow-mass-prune if that is intended`,
    };
  }
  return { delete: del, keep };
}
