/**
 * Traffic follows placement (issue 18): each `TrafficSplit` turns the
 * replicas this render placed for one workload (after overrides and stable
 * placement: what `materialize` gives each cluster) into load-balancer
 * weights, and the weights into objects for an edge cluster's tree: an nginx
 * `upstream` block in a ConfigMap, a Gateway API HTTPRoute.
 *
 * The weight rule is the first background article's (seeds/000: "each pod = 1
 * kvm weight 10; each Ingress node weight = (pod count × 10 / number of
 * Ingress nodes), rounded, minimum 1"); a server outside Kubernetes (the
 * article's VM) carries its own weight. Pure: no dialect, no I/O.
 */
import { InputError, type Problem } from '../errors/index.ts';
import type { Parsed, Repository } from '../load/repository.ts';
import { byteOrder } from '../load/source.ts';
import { ClusterVariableError, expandClusterVariables } from '../model/cluster-variables.ts';
import { dnsLabelProblem, dnsSubdomainProblem } from '../model/names.ts';
import { DEFAULT_WEIGHT_PER_POD, TRAFFIC_API, TRAFFIC_KIND, addressProblem, type TrafficSplit } from '../model/traffic.ts';
import { describeId, groupOf, resourceKey, type Cluster, type JsonObject, type ResourceId, type Template } from '../model/types.ts';
import { kindKey } from '../load/repository.ts';
import { formatFieldPath } from '../load/validate.ts';
import type { ExplainSection, Placement, PolicyRef } from './types.ts';

/** Gateway API apis/v1/httproute_types.go HTTPBackendRef / shared_types.go BackendRef: `weight` Minimum=0, Maximum=1000000. */
export const MAX_ROUTE_WEIGHT = 1_000_000;
/** Gateway API apis/v1/httproute_types.go HTTPRouteRule.BackendRefs: MaxItems=16. */
export const MAX_BACKEND_REFS = 16;

/** Kinds whose `spec.replicas` defaults to 1 when absent (the API server's defaulting). */
const DEFAULTS_TO_ONE = new Set(['apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', '/ReplicationController']);

/** One line of an nginx upstream (or one HTTPRoute backend) and how its weight came about. */
export interface TrafficServer {
  /** The member cluster, or undefined for an extra server. */
  cluster?: string | undefined;
  address: string;
  weight: number;
  /** The arithmetic, e.g. `round(3 × 10 / 2) = 15`. */
  formula: string;
}

/** What `manifold explain TrafficSplit/NAME` shows. */
export interface TrafficExplanation {
  id: ResourceId;
  source: { file: string; line: number };
  sections: ExplainSection[];
}

export interface TrafficResult {
  /** One placement per output object, into its edge cluster. */
  placements: Placement[];
  explanations: TrafficExplanation[];
}

type Report = (problem: Omit<Problem, 'severity'>) => void;

interface Split {
  parsed: Parsed<TrafficSplit>;
  id: ResourceId;
  namespace: string;
  perPod: number;
  /** file, line and object for a problem at `path`. */
  at(path: (string | number)[], code: string, message: string): Omit<Problem, 'severity'>;
}

/** Placed replicas of the workload per cluster (in cluster order), or undefined when a problem was reported. */
interface PlacedPods {
  workload: Template;
  pods: Map<string, number>;
}

export function trafficSplits(repo: Repository): Parsed<TrafficSplit>[] {
  return (repo.objects.get(kindKey(TRAFFIC_API, TRAFFIC_KIND)) ?? []) as Parsed<TrafficSplit>[];
}

/** Every TrafficSplit's outputs and explanation; problems go to `error` and `warn`. */
export function computeTraffic(repo: Repository, placements: readonly Placement[], error: Report, warn: Report): TrafficResult {
  const result: TrafficResult = { placements: [], explanations: [] };
  const byKey = new Map(placements.map((p) => [p.template.key, p]));
  // An output must not take the identity of a template or of an object a dialect places.
  const templateKeys = new Set([...repo.templates.map((t) => t.key), ...byKey.keys()]);
  const clusters = new Map(repo.clusters.map((c) => [c.name, c]));
  const generated = new Map<string, string>();
  for (const parsed of trafficSplits(repo)) {
    const split = splitOf(parsed);
    const placed = placedPods(split, repo, byKey, error);
    if (placed === undefined) continue;
    const servers = serversOf(split, placed, clusters, error);
    if (servers === undefined) continue;
    const outputs = parsed.value.spec.outputs.flatMap((_, i) => outputPlacement(split, i, placed, servers, clusters, templateKeys, error, warn) ?? []);
    if (outputs.length !== parsed.value.spec.outputs.length || !claimOutputs(split, outputs, generated, error)) continue;
    result.placements.push(...outputs);
    result.explanations.push({ id: split.id, source: parsed.source, sections: explainSplit(split, placed, servers, outputs) });
  }
  return result;
}

/** Two outputs (of one TrafficSplit or of two) that would be one object: an error naming both, as for two templates. */
function claimOutputs(split: Split, outputs: readonly Placement[], generated: Map<string, string>, error: Report): boolean {
  let ok = true;
  for (const [i, p] of outputs.entries()) {
    const first = generated.get(p.template.key);
    if (first !== undefined) {
      error({ code: 'DUPLICATE_OBJECT', file: p.template.source.file, line: p.template.source.line, object: split.id, field: `spec.outputs[${i}]`, message: `${describeId(p.template.id)} is also generated by ${first}` });
      ok = false;
      continue;
    }
    generated.set(p.template.key, `TrafficSplit ${split.namespace}/${split.id.name} (${p.template.source.file}:${p.template.source.line})`);
  }
  return ok;
}

function splitOf(parsed: Parsed<TrafficSplit>): Split {
  const meta = parsed.value.metadata;
  const namespace = meta.namespace ?? 'default';
  const id = { apiVersion: TRAFFIC_API, kind: TRAFFIC_KIND, namespace, name: meta.name };
  return {
    parsed,
    id,
    namespace,
    perPod: parsed.value.spec.weightPerPod ?? DEFAULT_WEIGHT_PER_POD,
    at: (path, code, message) => ({ code, file: parsed.source.file, line: parsed.lineOf(path), object: id, field: formatFieldPath(path), message }),
  };
}

function placedPods(split: Split, repo: Repository, byKey: ReadonlyMap<string, Placement>, error: Report): PlacedPods | undefined {
  const ref = split.parsed.value.spec.workload;
  const wid = { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace ?? split.namespace, name: ref.name };
  const key = resourceKey(wid);
  const placement = byKey.get(key);
  // A dialect that wraps its templates (KubeFed's Federated<Kind>) places an object that is not itself a template of the source.
  const workload = placement?.template ?? repo.templates.find((t) => t.key === key);
  if (workload === undefined) {
    error(split.at(['spec', 'workload', 'name'], 'TRAFFIC_WORKLOAD_NOT_FOUND', `no template ${describeId(wid)} (${groupOf(wid.apiVersion) || 'core'} group) in the source`));
    return undefined;
  }
  if (placement === undefined || placement.clusters.length === 0) {
    error(split.at(['spec', 'workload'], 'TRAFFIC_WORKLOAD_NOT_PLACED', `${describeId(wid)} is placed in no cluster, so no cluster can take its traffic`));
    return undefined;
  }
  const pods = new Map<string, number>();
  const byVariant = new Map<string, number>();
  for (const cluster of placement.clusters) {
    const variant = placement.variantOf(cluster);
    let replicas = byVariant.get(variant);
    if (replicas === undefined) {
      const object = materialized(placement, cluster);
      // A cluster whose object cannot be built fails the render where the object is built; nothing to add here.
      if (object === undefined) return undefined;
      replicas = replicasOf(object, wid);
      if (replicas === undefined) {
        error(split.at(['spec', 'workload', 'kind'], 'TRAFFIC_WORKLOAD_NO_REPLICAS', `${describeId(wid)} has no spec.replicas, so its pods per cluster are not known`));
        return undefined;
      }
      byVariant.set(variant, replicas);
    }
    pods.set(cluster, replicas);
  }
  return { workload, pods };
}

function materialized(placement: Placement, cluster: string): JsonObject | undefined {
  try {
    return placement.materialize(cluster);
  } catch (err) {
    if (err instanceof InputError) return undefined;
    throw err;
  }
}

function replicasOf(object: JsonObject, id: ResourceId): number | undefined {
  const spec = object.spec;
  const replicas = typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? spec.replicas : undefined;
  if (typeof replicas === 'number') return replicas;
  return DEFAULTS_TO_ONE.has(`${groupOf(id.apiVersion)}/${id.kind}`) ? 1 : undefined;
}

/** round(a / b) for non-negative integers, halves up (Go's math.Round and JS Math.round agree there), without floating point. */
function roundDiv(a: number, b: number): number {
  return Math.floor((2 * a + b) / (2 * b));
}

/** Each cluster's entry points (listed in the TrafficSplit, else from the inventory annotation), checked. */
function entryPointsOf(split: Split, clusters: ReadonlyMap<string, Cluster>, error: Report): Map<string, string[]> | undefined {
  const spec = split.parsed.value.spec.entryPoints;
  const out = new Map<string, string[]>();
  let ok = true;
  if (spec?.annotation !== undefined) {
    for (const c of clusters.values()) {
      const text = c.annotations?.[spec.annotation];
      if (text === undefined) continue;
      const addresses = text.split(',').map((a) => a.trim()).filter((a) => a !== '');
      const bad = addresses.map(addressProblem).find((p) => p !== undefined);
      if (bad !== undefined) {
        error({ code: 'TRAFFIC_ADDRESS_INVALID', file: c.source.file, line: c.source.line, object: { kind: c.declaredBy, name: c.name }, field: `metadata.annotations.${spec.annotation}`, message: bad });
        ok = false;
        continue;
      }
      // An empty annotation names no entry point: the cluster has none (an error if it runs replicas).
      if (addresses.length > 0) out.set(c.name, addresses);
    }
  }
  const listed = new Set<string>();
  (spec?.clusters ?? []).forEach((entry, i) => {
    const field = ['spec', 'entryPoints', 'clusters', i, 'cluster'];
    if (!clusters.has(entry.cluster)) {
      error(split.at(field, 'TRAFFIC_CLUSTER_UNKNOWN', `cluster ${entry.cluster} is not in the inventory`));
      ok = false;
      return;
    }
    if (listed.has(entry.cluster)) {
      error(split.at(field, 'TRAFFIC_CLUSTER_TWICE', `cluster ${entry.cluster} is listed twice; list all its addresses in one entry`));
      ok = false;
      return;
    }
    listed.add(entry.cluster);
    out.set(entry.cluster, entry.addresses);
  });
  return ok ? out : undefined;
}

/** The same address twice (two clusters, a cluster and an extra server) would count one backend twice. */
function checkDuplicateAddresses(split: Split, entries: ReadonlyMap<string, string[]>, error: Report): boolean {
  const seen = new Map<string, string>();
  let ok = true;
  const visit = (address: string, owner: string, path: (string | number)[]) => {
    const norm = address.toLowerCase();
    const first = seen.get(norm);
    if (first === undefined) {
      seen.set(norm, owner);
      return;
    }
    error(split.at(path, 'TRAFFIC_DUPLICATE_ADDRESS', `address ${address} of ${owner} is also an entry point of ${first}`));
    ok = false;
  };
  const listed = new Map((split.parsed.value.spec.entryPoints?.clusters ?? []).map((e, i) => [e.cluster, i]));
  for (const [cluster, addresses] of [...entries].sort((a, b) => byteOrder(a[0], b[0]))) {
    const i = listed.get(cluster);
    const path = i === undefined ? ['spec', 'entryPoints', 'annotation'] : ['spec', 'entryPoints', 'clusters', i, 'addresses'];
    addresses.forEach((a, j) => visit(a, `cluster ${cluster}`, i === undefined ? path : [...path, j]));
  }
  (split.parsed.value.spec.extraServers ?? []).forEach((s, i) => visit(s.address, `extra server ${i}`, ['spec', 'extraServers', i, 'address']));
  return ok;
}

/** The weighted servers of the nginx upstream: every entry point of a cluster with pods, then the extra servers. */
function serversOf(split: Split, placed: PlacedPods, clusters: ReadonlyMap<string, Cluster>, error: Report): TrafficServer[] | undefined {
  const entries = entryPointsOf(split, clusters, error);
  if (entries === undefined || !checkDuplicateAddresses(split, entries, error)) return undefined;
  const needsEntryPoints = split.parsed.value.spec.outputs.some((o) => o.nginx !== undefined);
  const servers: TrafficServer[] = [];
  let ok = true;
  for (const [cluster, pods] of placed.pods) {
    if (pods === 0) continue;
    const addresses = entries.get(cluster);
    if (addresses === undefined) {
      if (!needsEntryPoints) continue;
      const annotation = split.parsed.value.spec.entryPoints?.annotation;
      error(split.at(['spec', 'entryPoints'], 'TRAFFIC_NO_ENTRY_POINTS', `cluster ${cluster} runs ${pods} replica${pods === 1 ? '' : 's'} of ${describeId(placed.workload.id)} but has no entry points (list it under spec.entryPoints.clusters${annotation ? ` or annotate its inventory object with ${annotation}` : ''})`));
      ok = false;
      continue;
    }
    const weight = Math.max(1, roundDiv(pods * split.perPod, addresses.length));
    const formula = `max(1, round(${pods} × ${split.perPod} / ${addresses.length})) = ${weight}`;
    for (const address of addresses) servers.push({ cluster, address, weight, formula });
  }
  for (const s of split.parsed.value.spec.extraServers ?? []) servers.push({ address: s.address, weight: s.weight, formula: `given: ${s.weight}` });
  if (!ok) return undefined;
  if (needsEntryPoints && servers.length === 0) {
    error(split.at(['spec', 'workload'], 'TRAFFIC_NO_SERVERS', `${describeId(placed.workload.id)} has 0 replicas in every cluster and there is no extra server: the upstream would be empty`));
    return undefined;
  }
  return servers;
}

function outputPlacement(
  split: Split,
  index: number,
  placed: PlacedPods,
  servers: readonly TrafficServer[],
  clusters: ReadonlyMap<string, Cluster>,
  templateKeys: ReadonlySet<string>,
  error: Report,
  warn: Report,
): Placement | undefined {
  const output = split.parsed.value.spec.outputs[index]!;
  const path = ['spec', 'outputs', index];
  if (!clusters.has(output.cluster)) {
    error(split.at([...path, 'cluster'], 'TRAFFIC_OUTPUT_CLUSTER_UNKNOWN', `cluster ${output.cluster} is not in the inventory`));
    return undefined;
  }
  const built = output.nginx !== undefined ? nginxConfigMap(split, index, placed, servers) : httpRoute(split, index, placed, clusters, error, warn);
  if (built === undefined) return undefined;
  const { object, lines, field } = built;
  const meta = object.metadata as { name: string; namespace: string };
  const nsProblem = dnsLabelProblem(meta.namespace);
  if (nsProblem !== undefined) {
    error(split.at([...path, field, 'namespace'], 'NAME_INVALID', nsProblem));
    return undefined;
  }
  const id = { apiVersion: object.apiVersion as string, kind: object.kind as string, namespace: meta.namespace, name: meta.name };
  const key = resourceKey(id);
  if (templateKeys.has(key)) {
    error(split.at([...path, field], 'TRAFFIC_OUTPUT_CONFLICT', `${describeId(id)} is also a template of the source; name the output differently`));
    return undefined;
  }
  const source = { file: split.parsed.source.file, line: split.parsed.lineOf(path) };
  const template: Template = { id, key, object, labels: {}, annotations: {}, source };
  const policy: PolicyRef = { kind: TRAFFIC_KIND, namespace: split.namespace, name: split.id.name, source: split.parsed.source };
  return {
    template,
    dialect: 'manifold',
    policy,
    clusters: [output.cluster],
    variantOf: () => '',
    materialize: () => object,
    overridesFor: () => [],
    explain: [{ title: `TrafficSplit ${split.namespace}/${split.id.name}`, lines }],
    follows: [placed.workload.key],
  };
}

const GENERATED_BY = 'manifold.dev/traffic-split';

function outputMeta(split: Split, name: string, namespace: string | undefined): JsonObject {
  return { name, namespace: namespace ?? split.namespace, annotations: { [GENERATED_BY]: `${split.namespace}/${split.id.name}` } };
}

/** The nginx upstream block, one `server` line per weighted server (nginx: weight=N, N ≥ 1). */
export function upstreamBlock(name: string, servers: readonly TrafficServer[], header: readonly string[]): string {
  const lines = header.map((h) => `# ${h}`);
  lines.push(`upstream ${name} {`);
  for (const s of servers) lines.push(`    server ${s.address} weight=${s.weight};  # ${s.cluster === undefined ? 'extra server' : `${s.cluster}: ${s.formula}`}`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function nginxConfigMap(split: Split, index: number, placed: PlacedPods, servers: readonly TrafficServer[]): { object: JsonObject; lines: string[]; field: string } {
  const nginx = split.parsed.value.spec.outputs[index]!.nginx!;
  const upstream = nginx.upstream ?? split.id.name;
  const key = nginx.key ?? `${upstream}.conf`;
  const header = [
    `Generated by Manifold from TrafficSplit ${split.namespace}/${split.id.name}; do not edit.`,
    `Weights follow the placed replicas of ${describeId(placed.workload.id)}: max(1, round(pods × ${split.perPod} / entry points)) per entry point.`,
  ];
  const object: JsonObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: outputMeta(split, nginx.configMap.name, nginx.configMap.namespace),
    data: { [key]: upstreamBlock(upstream, servers, header) },
  };
  return { object, field: 'nginx', lines: [`nginx upstream ${upstream} (ConfigMap key ${key}): ${servers.length} server line${servers.length === 1 ? '' : 's'}`] };
}

interface RouteBackend {
  ref: JsonObject;
  weight: number;
  /** `member1` or `extra server 10.9.0.5:8080`, for messages. */
  owner: string;
  /** How the weight came about, e.g. `4 × 10`. */
  arithmetic: string;
}

function httpRoute(
  split: Split,
  index: number,
  placed: PlacedPods,
  clusters: ReadonlyMap<string, Cluster>,
  error: Report,
  warn: Report,
): { object: JsonObject; lines: string[]; field: string } | undefined {
  const route = split.parsed.value.spec.outputs[index]!.httpRoute!;
  const path = ['spec', 'outputs', index, 'httpRoute'];
  const backends: RouteBackend[] = [];
  for (const [cluster, pods] of placed.pods) {
    let ref: JsonObject;
    try {
      ref = expandClusterVariables(route.clusterBackendRef as JsonObject, clusters.get(cluster)!);
    } catch (err) {
      if (!(err instanceof ClusterVariableError)) throw err;
      error(split.at([...path, 'clusterBackendRef', 'name'], 'CLUSTER_VARIABLE_INVALID', `for cluster ${cluster}: ${err.message}`));
      return undefined;
    }
    const nameProblem = dnsSubdomainProblem(String(ref.name));
    if (nameProblem !== undefined) {
      error(split.at([...path, 'clusterBackendRef', 'name'], 'NAME_INVALID', `for cluster ${cluster}: ${nameProblem}`));
      return undefined;
    }
    backends.push({ ref, weight: pods * split.perPod, owner: cluster, arithmetic: `${pods} × ${split.perPod}` });
  }
  for (const [i, s] of (split.parsed.value.spec.extraServers ?? []).entries()) {
    if (s.backendRef === undefined) {
      error(split.at(['spec', 'extraServers', i, 'backendRef'], 'TRAFFIC_BACKEND_REF_MISSING', `an httpRoute output (spec.outputs[${index}]) needs a backendRef for every extra server`));
      return undefined;
    }
    backends.push({ ref: s.backendRef as JsonObject, weight: s.weight, owner: `extra server ${s.address}`, arithmetic: 'given' });
  }
  if (backends.length > MAX_BACKEND_REFS) {
    error(split.at(path, 'TRAFFIC_TOO_MANY_BACKENDS', `${backends.length} backendRefs, but an HTTPRoute rule holds at most ${MAX_BACKEND_REFS} (Gateway API HTTPRouteRule.backendRefs)`));
    return undefined;
  }
  const names = new Map<string, string>();
  for (const b of backends) {
    const name = `${String(b.ref.namespace ?? '')}/${String(b.ref.name)}:${String(b.ref.port ?? '')}`;
    const first = names.get(name);
    if (first !== undefined) {
      error(split.at([...path, 'clusterBackendRef', 'name'], 'TRAFFIC_DUPLICATE_BACKEND', `${first} and ${b.owner} get the same backendRef ${String(b.ref.name)}; use \${MEMBER-CLUSTER-NAME} in the name`));
      return undefined;
    }
    names.set(name, b.owner);
  }
  const scale = scaledWeights(backends.map((b) => b.weight));
  if (scale.factor !== undefined) {
    warn(split.at(path, 'TRAFFIC_WEIGHTS_SCALED', `weights scaled down by ${scale.factor} to stay within the Gateway API maximum of ${MAX_ROUTE_WEIGHT}`));
  }
  const object: JsonObject = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: outputMeta(split, route.name, route.namespace),
    spec: {
      parentRefs: route.parentRefs as JsonObject[],
      ...(route.hostnames === undefined ? {} : { hostnames: route.hostnames }),
      rules: [{ backendRefs: backends.map((b, i) => ({ ...b.ref, weight: scale.weights[i] as number })) }],
    },
  };
  const lines = backends.map((b, i) => `backendRef ${String(b.ref.name)} weight=${scale.weights[i]} (${b.owner}: ${b.arithmetic}${scale.factor === undefined ? '' : ` = ${b.weight}, scaled`})`);
  if (scale.factor !== undefined) lines.push(`weights above ${MAX_ROUTE_WEIGHT} scaled down proportionally: round(w × ${MAX_ROUTE_WEIGHT} / ${Math.max(...backends.map((b) => b.weight))}), at least 1 where w > 0`);
  return { object, field: 'httpRoute', lines };
}

/**
 * Weights within the Gateway API's 0..1,000,000: when the largest is above,
 * every weight is scaled by the same factor (rounded; a backend with pods
 * keeps at least 1, 0 stays 0 — no traffic).
 */
export function scaledWeights(weights: readonly number[]): { weights: number[]; factor?: string | undefined } {
  const max = Math.max(0, ...weights);
  if (max <= MAX_ROUTE_WEIGHT) return { weights: [...weights] };
  return {
    weights: weights.map((w) => (w === 0 ? 0 : Math.max(1, Math.round((w * MAX_ROUTE_WEIGHT) / max)))),
    factor: `${MAX_ROUTE_WEIGHT}/${max}`,
  };
}

function explainSplit(split: Split, placed: PlacedPods, servers: readonly TrafficServer[], outputs: readonly Placement[]): ExplainSection[] {
  const workload = describeId(placed.workload.id);
  const perCluster: string[] = [];
  for (const [cluster, pods] of placed.pods) {
    const own = servers.filter((s) => s.cluster === cluster);
    if (pods === 0) perCluster.push(`${cluster}: 0 replicas → no traffic, no server line`);
    else if (own.length === 0) perCluster.push(`${cluster}: ${pods} replica${pods === 1 ? '' : 's'} (no entry points; HTTPRoute only)`);
    else perCluster.push(`${cluster}: ${pods} replica${pods === 1 ? '' : 's'}, ${own.length} entry point${own.length === 1 ? '' : 's'}: ${own[0]!.formula} each`);
    for (const s of own) perCluster.push(`  server ${s.address} weight=${s.weight}`);
  }
  for (const s of servers.filter((x) => x.cluster === undefined)) perCluster.push(`extra server ${s.address} weight=${s.weight} (given)`);
  const total = servers.reduce((sum, s) => sum + s.weight, 0);
  const shares = servers.map((s) => `${s.address} ${s.weight}/${total} = ${((100 * s.weight) / total).toFixed(1)}%`);
  return [
    { title: 'Workload', lines: [`${workload} (${placed.workload.source.file}:${placed.workload.source.line}), ${split.perPod} per pod`] },
    { title: 'Servers (the article\'s rule: max(1, round(pods × weight per pod / entry points)) per entry point)', lines: perCluster },
    ...(total > 0 ? [{ title: 'Share of requests (nginx weighted round robin)', lines: shares }] : []),
    { title: 'Outputs', lines: outputs.flatMap((p) => [`${p.clusters[0]}: ${describeId(p.template.id)}`, ...p.explain.flatMap((e) => e.lines.map((l) => `  ${l}`))]) },
  ];
}
