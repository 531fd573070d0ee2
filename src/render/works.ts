/**
 * `render --as-works`: the rendered per-cluster trees, wrapped as Work API
 * objects for a hub (OCM, Karmada, KubeFleet or SIG-Multicluster) whose agents
 * then apply them. Pure: cluster files in, one hub folder out.
 *
 * - One Work per cluster, in the namespace the hub's agent for that cluster
 *   reads (model/work-api.ts), named `<name>`, then `<name>-2`, `<name>-3`…
 *   when the cluster's objects do not fit in one.
 * - Manifests in the order of the cluster's files (cluster-scoped first:
 *   Namespaces and CRDs before what needs them), packed greedily, so the same
 *   render always gives the same Works.
 * - A cluster with no objects gets no Work: OCM's webhook refuses an empty
 *   one (ocm api utils/work/v1/workvalidator/validator.go "Workload manifests
 *   should not be empty").
 *
 * Sizes, counted on the compact JSON the API server stores:
 * - every Work stays under WORK_BYTES_BUDGET: a custom resource is one etcd
 *   value, and etcd refuses requests over 1.5 MiB (etcd server/embed/config.go
 *   DefaultMaxRequestBytes = 1.5 * 1024 * 1024); a third of that is left for
 *   what the hub adds later (managedFields, and the per-manifest status every
 *   agent writes back into the Work);
 * - an OCM ManifestWork's manifests stay under 500 KiB, its webhook's limit
 *   (ocm api utils/work/v1/workvalidator/validator.go ManifestValidator
 *   `limit: 500 * 1024`, summing Manifest.Size(): the raw JSON plus its
 *   protobuf framing, MANIFEST_FRAMING_BYTES at most).
 */
import { load } from 'js-yaml';
import { byteOrder } from '../load/source.ts';
import { InputError, type Problem } from '../errors/index.ts';
import { dnsLabelProblem, dnsSubdomainProblem } from '../model/names.ts';
import type { JsonObject } from '../model/types.ts';
import { WORK_APIS, type WorkApi } from '../model/work-api.ts';
import { objectPath, toYaml } from './emit.ts';
import { yamlErrorPlace } from '../errors/redact.ts';

export const ETCD_MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
export const WORK_BYTES_BUDGET = 1024 * 1024;
export const OCM_MANIFESTS_LIMIT = 500 * 1024;
/** Protobuf framing of one Manifest around its raw JSON: two field tags and two length varints (≤ 5 bytes each). */
export const MANIFEST_FRAMING_BYTES = 12;

export interface WorksOptions {
  api: WorkApi;
  /** Folder of the output tree that holds the Works (applied to the hub). */
  hub: string;
  /** Name of each cluster's first Work; the next ones get `-2`, `-3`… */
  name: string;
  /** Tests only: smaller limits. */
  limits?: { workBytes: number; ocmManifestBytes: number } | undefined;
}

export interface WorkSummary {
  /** Path inside the hub folder. */
  path: string;
  cluster: string;
  objects: number;
  /** Size of the Work as compact JSON. */
  bytes: number;
}

export interface WorksTree {
  /** hub folder → path → content (the shape of RenderResult.clusters). */
  clusters: Map<string, ReadonlyMap<string, string>>;
  works: WorkSummary[];
}

/** The label each Work carries naming its cluster (the namespace alone does not, for a SIG Work). */
export const WORK_CLUSTER_LABEL = 'manifold.dev/cluster';

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** Checks the names that end up in the hub before anything is built. */
function nameProblems(clusters: Iterable<string>, options: WorksOptions): Problem[] {
  const problems: Problem[] = [];
  const at = (field: string, message: string) => problems.push({ code: 'WORK_NAME_INVALID', severity: 'error', field, message });
  const nameProblem = dnsSubdomainProblem(options.name);
  if (nameProblem) at('--work-name', nameProblem);
  const hubProblem = dnsSubdomainProblem(options.hub);
  if (hubProblem) at('--hub', hubProblem);
  const spec = WORK_APIS[options.api];
  for (const cluster of clusters) {
    const problem = dnsLabelProblem(spec.namespaceOf(cluster));
    if (problem) at('cluster', `cluster ${cluster}: its ${spec.kind} namespace ${problem}`);
  }
  return problems;
}

/** Wraps every cluster's files as Works in one hub folder. Throws InputError when a name or an object cannot fit. */
export function worksTree(clusters: ReadonlyMap<string, ReadonlyMap<string, string>>, options: WorksOptions): WorksTree {
  const problems = nameProblems(clusters.keys(), options);
  if (problems.length > 0) throw new InputError(problems);
  const spec = WORK_APIS[options.api];
  const limits = options.limits ?? { workBytes: WORK_BYTES_BUDGET, ocmManifestBytes: OCM_MANIFESTS_LIMIT };
  // Clusters share their file contents (one string per variant): measure each once.
  const sizes = new Map<string, number>();
  const sizeOf = (content: string): number => {
    let size = sizes.get(content);
    if (size === undefined) sizes.set(content, (size = jsonBytes(load(content))));
    return size;
  };
  const files = new Map<string, string>();
  const works: WorkSummary[] = [];
  for (const cluster of [...clusters.keys()].sort(byteOrder)) {
    const clusterFiles = clusters.get(cluster) as ReadonlyMap<string, string>;
    const manifests = [...clusterFiles].map(([path, content]) => ({ path, content, size: sizeOf(content) }));
    const chunks = pack(manifests, cluster, options.api, limits, (n) => workObject(spec, cluster, workName(options.name, n)), problems);
    chunks.forEach((chunk, i) => {
      const name = workName(options.name, i);
      const work = workObject(spec, cluster, name);
      const path = objectPath({ apiVersion: spec.apiVersion, kind: spec.kind, namespace: spec.namespaceOf(cluster), name });
      files.set(path, workYaml(work, chunk.map((m) => m.content)));
      const bytes = jsonBytes(work) + chunk.reduce((n, m) => n + m.size, 0) + chunk.length - 1;
      works.push({ path, cluster, objects: chunk.length, bytes });
    });
  }
  if (problems.length > 0) throw new InputError(problems);
  const sorted = new Map([...files].sort((a, b) => byteOrder(a[0], b[0])));
  return { clusters: new Map([[options.hub, sorted]]), works };
}

function workName(name: string, index: number): string {
  return index === 0 ? name : `${name}-${index + 1}`;
}

/** A Work with no manifests yet. */
function workObject(spec: (typeof WORK_APIS)[WorkApi], cluster: string, name: string): JsonObject {
  return {
    apiVersion: spec.apiVersion,
    kind: spec.kind,
    metadata: { name, namespace: spec.namespaceOf(cluster), labels: { [WORK_CLUSTER_LABEL]: cluster } },
    spec: { workload: { manifests: [] } },
  };
}

const EMPTY_MANIFESTS = '    manifests: []\n';

/**
 * The Work's YAML with the rendered files spliced in as list items, indented
 * (a YAML block keeps its meaning when every line moves right by the same
 * amount; empty lines stay empty so block scalars keep their content). Parsing
 * and dumping every object again cost more than the whole render.
 */
function workYaml(work: JsonObject, manifests: readonly string[]): string {
  const head = toYaml(work);
  if (!head.endsWith(EMPTY_MANIFESTS)) throw new Error('unexpected Work layout');
  const items = manifests.map((content) =>
    content
      .replace(/\n$/, '')
      .split('\n')
      .map((line, i) => (i === 0 ? `      - ${line}` : line === '' ? '' : `        ${line}`))
      .join('\n'),
  );
  return `${head.slice(0, -EMPTY_MANIFESTS.length)}    manifests:\n${items.join('\n')}\n`;
}

/**
 * Greedy packing in file order: a manifest goes into the current Work while
 * both limits hold, else it opens the next one. The size of an empty Work is
 * taken with the longest name this cluster can get, so a chunk that fitted
 * never overflows once named.
 */
function pack<M extends { path: string; size: number }>(
  manifests: readonly M[],
  cluster: string,
  api: WorkApi,
  limits: { workBytes: number; ocmManifestBytes: number },
  emptyWork: (index: number) => JsonObject,
  problems: Problem[],
): M[][] {
  const base = jsonBytes(emptyWork(manifests.length));
  const chunks: M[][] = [];
  let current: M[] = [];
  let workBytes = base;
  let ocmBytes = 0;
  for (const manifest of manifests) {
    const { path, size } = manifest;
    const added = size + (current.length > 0 ? 1 : 0);
    const ocmSize = api === 'ocm' ? size + MANIFEST_FRAMING_BYTES : 0;
    if (base + size > limits.workBytes || ocmSize > limits.ocmManifestBytes) {
      const limit = ocmSize > limits.ocmManifestBytes ? `OCM's ${limits.ocmManifestBytes}-byte manifests limit` : `the ${limits.workBytes}-byte budget of one Work`;
      problems.push({ code: 'WORK_TOO_LARGE', severity: 'error', field: path, message: `cluster ${cluster}: this object is ${size} bytes as JSON and exceeds ${limit} on its own, so no Work can hold it` });
      continue;
    }
    if (current.length > 0 && (workBytes + added > limits.workBytes || ocmBytes + ocmSize > limits.ocmManifestBytes)) {
      chunks.push(current);
      current = [];
      workBytes = base;
      ocmBytes = 0;
    }
    workBytes += current.length > 0 ? added : size;
    ocmBytes += ocmSize;
    current.push(manifest);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** What provenance records about the Works, beside the per-cluster objects they hold. */
export interface WorksProvenance {
  api: string;
  hub: string;
  works: WorkSummary[];
}

/**
 * The generator recorded in provenance: the output form is part of what
 * produced the tree, so a branch rendered as Works is never taken for a
 * plain render (nor for Works of another API) by the shortcuts that compare it.
 */
export function worksGenerator(generator: string, options: WorksOptions): string {
  return `${generator} --as-works ${options.api} --hub ${options.hub} --work-name ${options.name}`;
}

export function worksProvenance(tree: WorksTree, options: WorksOptions): WorksProvenance {
  const spec = WORK_APIS[options.api];
  return { api: `${spec.apiVersion} ${spec.kind}`, hub: options.hub, works: tree.works };
}

/**
 * The per-cluster files a tree of Works holds, as a plain render writes them:
 * the inverse of worksTree, so that a previous render committed as Works
 * still keeps placements stable. A Work names its cluster by WORK_CLUSTER_LABEL;
 * files that are not Works written by Manifold are ignored.
 */
export function clustersOfWorks(hubFiles: ReadonlyMap<string, string>, where = ''): Map<string, Map<string, string>> {
  const clusters = new Map<string, Map<string, string>>();
  for (const [name, text] of hubFiles) {
    const work = loadWork(text, where === '' ? name : `${where}/${name}`);
    const cluster = work?.metadata?.labels?.[WORK_CLUSTER_LABEL];
    const manifests = work?.spec?.workload?.manifests;
    if (typeof cluster !== 'string' || !Array.isArray(manifests)) continue;
    let files = clusters.get(cluster);
    if (files === undefined) clusters.set(cluster, (files = new Map()));
    for (const manifest of manifests as unknown[]) {
      // A hand-edited Work may hold anything in its list; only objects are manifests.
      if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) continue;
      const meta = (manifest as JsonObject).metadata as { name?: unknown; namespace?: unknown } | undefined;
      const { apiVersion, kind } = manifest as JsonObject;
      if (typeof apiVersion !== 'string' || typeof kind !== 'string' || typeof meta?.name !== 'string') continue;
      const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
      files.set(objectPath({ apiVersion, kind, namespace, name: meta.name }), toYaml(manifest as JsonObject, namespace));
    }
  }
  return clusters;
}

type WorkShape = { metadata?: { labels?: Record<string, unknown> }; spec?: { workload?: { manifests?: unknown } } } | null;

/** One Work file of a previous render; a file that is not YAML is an input error naming it (a hand edit broke it). */
function loadWork(text: string, name: string): WorkShape {
  try {
    const value = load(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as WorkShape) : null;
  } catch (err) {
    const line = (err as { mark?: { line?: number } }).mark?.line;
    // yamlErrorPlace: js-yaml's reason can quote the file (an unknown tag), which may hold a credential.
    throw InputError.single({ code: 'PREVIOUS_UNREADABLE', file: name, line: line === undefined ? undefined : line + 1, message: `previous render: not a Work Manifold rendered (${yamlErrorPlace(err)})` });
  }
}

/** The hub folder a provenance text records, when that render was written as Works. */
export function worksHubOf(provenanceText: string | undefined): string | undefined {
  if (provenanceText === undefined) return undefined;
  try {
    const hub = (JSON.parse(provenanceText) as { works?: { hub?: unknown } }).works?.hub;
    return typeof hub === 'string' ? hub : undefined;
  } catch {
    return undefined;
  }
}
