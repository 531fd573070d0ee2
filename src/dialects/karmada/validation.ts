/**
 * The admission rules of Karmada's validating webhooks that a schema cannot
 * state, as zod refinements: karmada pkg/util/validation/validation.go
 * ValidatePropagationSpec / ValidateOverrideSpec (v1.18.0), evaluated on the
 * policy as the mutating webhook and the CRD defaults leave it (selector
 * namespaces default to the policy's, replicaSchedulingType to Divided,
 * Divided to Weighted, purgeMode to Gracefully with gracePeriodSeconds 600).
 * Enums, required fields and the fieldSelector keys and operators
 * (ValidatePolicyFieldSelector) are in schema.ts; tolerations admit only
 * Exists and Equal there (validateClusterTolerations).
 */
import type { z } from 'zod';
import { labelValueProblems, qualifiedNameProblems } from '../../model/labels.ts';

type Path = (string | number)[];

interface ClusterAffinityLike {
  labelSelector?: unknown;
  fieldSelector?: unknown;
  clusterNames?: string[] | undefined;
  exclude?: string[] | undefined;
}

interface TermLike extends ClusterAffinityLike {
  affinityName: string;
  overflowAffinities?: (ClusterAffinityLike & { affinityName: string })[] | undefined;
}

interface PlacementLike {
  clusterAffinities?: TermLike[] | undefined;
  replicaScheduling?: { replicaSchedulingType?: string | undefined; replicaDivisionPreference?: string | undefined; weightPreference?: { dynamicWeight?: string | undefined } | undefined } | undefined;
  workloadAffinity?: { affinity?: { groupByLabelKey: string } | undefined; antiAffinity?: { groupByLabelKey: string } | undefined } | undefined;
}

function issue(ctx: z.RefinementCtx, path: Path, message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

function qualifiedName(ctx: z.RefinementCtx, path: Path, value: string): void {
  for (const problem of qualifiedNameProblems(value)) issue(ctx, path, `invalid value "${value}": ${problem}`);
}

/** ValidatePlacement: the overflow rule, ValidateClusterAffinities, ValidateWorkloadAffinity. */
export function validatePlacement(placement: PlacementLike | undefined, ctx: z.RefinementCtx): void {
  if (placement === undefined) return;
  const base: Path = ['placement'];
  const overflowAllowed = isOverflowSchedulingAllowed(placement.replicaScheduling);
  (placement.clusterAffinities ?? []).forEach((term, i) => {
    if (term.overflowAffinities !== undefined && !overflowAllowed) {
      issue(ctx, [...base, 'clusterAffinities', i, 'overflowAffinities'], 'overflowAffinities can only be used together with dynamic weight or aggregated scheduling');
    }
  });
  validateClusterAffinities(placement.clusterAffinities ?? [], [...base, 'clusterAffinities'], ctx);
  validateWorkloadAffinity(placement.workloadAffinity, [...base, 'workloadAffinity'], ctx);
}

/**
 * util/policy.go IsOverflowSchedulingAllowed, after defaulting: Divided with
 * Aggregated, or Weighted with a dynamic weight.
 */
function isOverflowSchedulingAllowed(rs: PlacementLike['replicaScheduling']): boolean {
  if (rs === undefined || (rs.replicaSchedulingType ?? 'Divided') !== 'Divided') return false;
  const preference = rs.replicaDivisionPreference ?? 'Weighted';
  if (preference === 'Aggregated') return true;
  return preference === 'Weighted' && (rs.weightPreference?.dynamicWeight ?? '') !== '';
}

/** ValidateClusterAffinities: names are label keys and unique; ValidateOverflowAffinities per term. */
function validateClusterAffinities(terms: TermLike[], path: Path, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  terms.forEach((term, i) => {
    qualifiedName(ctx, [...path, i, 'affinityName'], term.affinityName);
    if (seen.has(term.affinityName)) issue(ctx, [...path, i, 'affinityName'], `each affinity term in a policy must have a unique name ("${term.affinityName}" is repeated)`);
    seen.add(term.affinityName);
    validateOverflowAffinities(term, [...path, i], ctx);
  });
}

/** ValidateOverflowAffinities. */
function validateOverflowAffinities(term: TermLike, path: Path, ctx: z.RefinementCtx): void {
  if (term.overflowAffinities === undefined) return;
  if (isEmptyClusterAffinity(term)) {
    issue(ctx, [...path, 'overflowAffinities'], 'overflowAffinities can only be used together with the inline ClusterAffinity');
  }
  const names = new Set([term.affinityName]);
  term.overflowAffinities.forEach((overflow, i) => {
    const namePath = [...path, 'overflowAffinities', i, 'affinityName'];
    qualifiedName(ctx, namePath, overflow.affinityName);
    if (names.has(overflow.affinityName)) {
      issue(ctx, namePath, "overflow affinity name must be unique and must not duplicate the primary group's affinityName");
    }
    names.add(overflow.affinityName);
  });
}

/** emptyClusterAffinity: no labelSelector, fieldSelector, clusterNames or exclude. */
function isEmptyClusterAffinity(a: ClusterAffinityLike): boolean {
  return a.labelSelector === undefined && a.fieldSelector === undefined && (a.clusterNames ?? []).length === 0 && (a.exclude ?? []).length === 0;
}

/** ValidateWorkloadAffinity: label keys, and not the same key for affinity and anti-affinity. */
function validateWorkloadAffinity(w: PlacementLike['workloadAffinity'], path: Path, ctx: z.RefinementCtx): void {
  if (w === undefined) return;
  if (w.affinity !== undefined) qualifiedName(ctx, [...path, 'affinity', 'groupByLabelKey'], w.affinity.groupByLabelKey);
  if (w.antiAffinity !== undefined) qualifiedName(ctx, [...path, 'antiAffinity', 'groupByLabelKey'], w.antiAffinity.groupByLabelKey);
  if (w.affinity !== undefined && w.antiAffinity !== undefined && w.affinity.groupByLabelKey === w.antiAffinity.groupByLabelKey) {
    issue(ctx, path, 'affinity and antiAffinity must not use the same groupByLabelKey');
  }
}

interface StatePreservationLike {
  rules: { aliasLabelName: string }[];
}

interface FailoverLike {
  application?:
    | {
        decisionConditions?: { tolerationSeconds?: number | undefined } | undefined;
        purgeMode?: string | undefined;
        gracePeriodSeconds?: number | undefined;
        statePreservation?: StatePreservationLike | undefined;
      }
    | undefined;
  cluster?: { statePreservation?: StatePreservationLike | undefined } | undefined;
}

/**
 * ValidateFailover after defaulting: purgeMode Gracefully (CRD default) and
 * gracePeriodSeconds 600 for Gracefully/Graciously (webhook
 * SetDefaultGracePeriodSeconds), so "should not be empty" never fires.
 */
export function validateFailover(failover: FailoverLike | undefined, ctx: z.RefinementCtx): void {
  const app = failover?.application;
  if (app !== undefined) {
    const path: Path = ['failover', 'application'];
    const toleration = app.decisionConditions?.tolerationSeconds;
    if (toleration !== undefined && toleration < 0) issue(ctx, [...path, 'decisionConditions', 'tolerationSeconds'], 'must be greater than or equal to 0');
    const graceful = ['Gracefully', 'Graciously'].includes(app.purgeMode ?? 'Gracefully');
    if (!graceful && app.gracePeriodSeconds !== undefined) issue(ctx, [...path, 'gracePeriodSeconds'], 'only takes effect when purgeMode is gracefully');
    if (app.gracePeriodSeconds !== undefined && app.gracePeriodSeconds <= 0) issue(ctx, [...path, 'gracePeriodSeconds'], 'must be greater than 0');
    validateStatePreservation(app.statePreservation, [...path, 'statePreservation'], ctx);
  }
  validateStatePreservation(failover?.cluster?.statePreservation, ['failover', 'cluster', 'statePreservation'], ctx);
}

function validateStatePreservation(sp: StatePreservationLike | undefined, path: Path, ctx: z.RefinementCtx): void {
  sp?.rules.forEach((rule, i) => qualifiedName(ctx, [...path, 'rules', i, 'aliasLabelName'], rule.aliasLabelName));
}

/** validateSuspension. */
export function validateSuspension(
  suspension: { dispatching?: boolean | undefined; dispatchingOnClusters?: { clusterNames?: string[] | undefined } | undefined } | undefined,
  ctx: z.RefinementCtx,
): void {
  if (suspension?.dispatching === true && (suspension.dispatchingOnClusters?.clusterNames?.length ?? 0) > 0) {
    issue(ctx, ['suspension'], 'suspension dispatching cannot co-exist with dispatchingOnClusters.clusterNames');
  }
}

/**
 * validateResourceSelectors: in a namespaced policy every selector's
 * namespace (defaulted to the policy's by the mutating webhook) must be the
 * policy's own.
 */
export function validateSelectorNamespaces(
  selectors: readonly { namespace?: string | undefined }[] | undefined,
  policyNamespace: string,
  ctx: z.RefinementCtx,
): void {
  (selectors ?? []).forEach((s, i) => {
    if (s.namespace && s.namespace !== policyNamespace) {
      issue(ctx, ['spec', 'resourceSelectors', i, 'namespace'], `namespace of resource selector must be the same as the namespace of the policy ("${policyNamespace}")`);
    }
  });
}

interface PatchLike {
  subPath: string;
  operator: string;
  value?: unknown;
}

interface OverridersLike {
  labelsOverrider?: { value?: Record<string, string> | undefined }[] | undefined;
  annotationsOverrider?: { value?: Record<string, string> | undefined }[] | undefined;
  imageOverrider?: { predicate?: { path: string } | undefined }[] | undefined;
  fieldOverrider?: { fieldPath: string; json?: PatchLike[] | undefined; yaml?: PatchLike[] | undefined }[] | undefined;
}

/** api/validation ValidateAnnotations: total size of keys and values at most 256 KiB. */
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** ValidateOverrideRules for the rules' overriders (targetCluster selectors are checked by the schema). */
export function validateOverrideRules(rules: readonly { overriders: OverridersLike }[] | undefined, ctx: z.RefinementCtx): void {
  (rules ?? []).forEach((rule, r) => {
    const base: Path = ['overrideRules', r, 'overriders'];
    rule.overriders.annotationsOverrider?.forEach((o, i) => validateAnnotations(o.value ?? {}, [...base, 'annotationsOverrider', i, 'value'], ctx));
    rule.overriders.labelsOverrider?.forEach((o, i) => validateLabels(o.value ?? {}, [...base, 'labelsOverrider', i, 'value'], ctx));
    rule.overriders.imageOverrider?.forEach((o, i) => {
      if (o.predicate !== undefined) jsonPointer(ctx, [...base, 'imageOverrider', i, 'predicate', 'path'], o.predicate.path);
    });
    rule.overriders.fieldOverrider?.forEach((f, i) => {
      const path = [...base, 'fieldOverrider', i];
      jsonPointer(ctx, [...path, 'fieldPath'], f.fieldPath);
      for (const kind of ['json', 'yaml'] as const) {
        f[kind]?.forEach((patch, p) => {
          jsonPointer(ctx, [...path, kind, p, 'subPath'], patch.subPath);
          validateOverrideOperator(patch, [...path, kind, p, 'value'], ctx);
        });
      }
    });
  });
}

/** go-openapi jsonpointer New: empty, or starting with "/". */
function jsonPointer(ctx: z.RefinementCtx, path: Path, pointer: string): void {
  if (pointer !== '' && !pointer.startsWith('/')) issue(ctx, path, `invalid JSON pointer "${pointer}": a non-empty pointer must start with "/"`);
}

/** validateOverrideOperator: add and replace need a value, remove takes none. */
function validateOverrideOperator(patch: PatchLike, path: Path, ctx: z.RefinementCtx): void {
  const hasValue = patch.value !== undefined && patch.value !== null;
  if ((patch.operator === 'add' || patch.operator === 'replace') && !hasValue) issue(ctx, path, 'value is required for add or replace operation');
  if (patch.operator === 'remove' && hasValue) issue(ctx, path, 'value is not allowed for remove operation');
}

/** metav1validation.ValidateLabels: qualified keys, valid values. */
function validateLabels(labels: Record<string, string>, path: Path, ctx: z.RefinementCtx): void {
  for (const [key, value] of Object.entries(labels)) {
    qualifiedName(ctx, path, key);
    for (const problem of labelValueProblems(value)) issue(ctx, path, `invalid label value "${value}": ${problem}`);
  }
}

/** apivalidation.ValidateAnnotations: keys are qualified names (compared lower-cased), bounded total size. */
function validateAnnotations(annotations: Record<string, string>, path: Path, ctx: z.RefinementCtx): void {
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const problem of qualifiedNameProblems(key.toLowerCase())) issue(ctx, path, `invalid annotation key "${key}": ${problem}`);
    size += key.length + value.length;
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) issue(ctx, path, `annotations are too long: must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`);
}
