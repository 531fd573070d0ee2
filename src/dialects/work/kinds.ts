/** The Work API document kinds (no placement code: cheap to import). */
import type { DocumentKind } from '../../load/repository.ts';
import {
  KARMADA_API,
  KUBEFLEET_APIS,
  OCM_API,
  SIG_API,
  appliedWorkSchema,
  fictionalWorkSchema,
  workSchema,
  type WorkFlavor,
} from './schema.ts';

/** A kind holding manifests for one cluster. */
export interface WorkKind {
  apiVersion: string;
  kind: string;
  flavor: WorkFlavor;
}

export const WORK_KINDS: readonly WorkKind[] = [
  { apiVersion: OCM_API, kind: 'ManifestWork', flavor: 'ocm' },
  { apiVersion: KARMADA_API, kind: 'Work', flavor: 'karmada' },
  ...KUBEFLEET_APIS.map((apiVersion) => ({ apiVersion, kind: 'Work', flavor: 'kubefleet' as const })),
  { apiVersion: SIG_API, kind: 'Work', flavor: 'sig' },
];

/** Status objects agents write on the member (or hub) side: skipped with a note. */
export const APPLIED_WORK_KINDS: readonly WorkKind[] = [
  { apiVersion: OCM_API, kind: 'AppliedManifestWork', flavor: 'ocm' },
  ...KUBEFLEET_APIS.map((apiVersion) => ({ apiVersion, kind: 'AppliedWork', flavor: 'kubefleet' as const })),
  { apiVersion: SIG_API, kind: 'AppliedWork', flavor: 'sig' },
];

/** `work-ocm-manifestwork`, `work-kubefleet-v1beta1-work`: the JSON Schema file name. */
function title(k: WorkKind): string {
  const version = k.flavor === 'kubefleet' ? `-${k.apiVersion.split('/')[1]}` : '';
  return `work-${k.flavor}${version}-${k.kind.toLowerCase()}`;
}

export const workKinds: DocumentKind[] = [
  ...WORK_KINDS.map((k) => ({ apiVersion: k.apiVersion, kind: k.kind, title: title(k), schema: workSchema(k.apiVersion, k.kind, k.flavor) })),
  ...APPLIED_WORK_KINDS.map((k) => ({ apiVersion: k.apiVersion, kind: k.kind, title: title(k), schema: appliedWorkSchema(k.apiVersion, k.kind) })),
  // The background article's `work/v1`: an error showing the real forms (no schema file: it accepts nothing).
  ...['Work', 'AppliedWork'].map((kind) => ({ apiVersion: 'work/v1', kind, title: `work-article-${kind.toLowerCase()}`, schema: fictionalWorkSchema(kind), schemaFile: false as const })),
];

/**
 * Groups whose documents are never plain templates (work.karmada.io is
 * Karmada's already). multicluster.x-k8s.io also holds the MCS API
 * (ServiceExport, ServiceImport) and placement.kubernetes-fleet.io KubeFleet's
 * placements, which stay templates, so only OCM's work group is reserved.
 */
export const workGroups = ['work.open-cluster-management.io'];
