/**
 * `manifold.dev/v1alpha1 TrafficSplit`: north–south traffic weights computed
 * from where a render placed a workload's replicas (issue 18). The schema
 * only; the arithmetic and the generated objects are in src/render/traffic.ts.
 */
import { z } from 'zod';
import { ObjectMeta } from './common.ts';
import { dnsLabelProblem, dnsSubdomainProblem } from './names.ts';

export const TRAFFIC_API = 'manifold.dev/v1alpha1';
export const TRAFFIC_KIND = 'TrafficSplit';

/** The article's rule: every pod (and every VM) counts 10. */
export const DEFAULT_WEIGHT_PER_POD = 10;

/** What is wrong with an entry point address `host:port` (IPv4, [IPv6] or a DNS name), or undefined. */
export function addressProblem(address: string): string | undefined {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(address);
  if (match === null) return `"${address}" must be host:port (an IPv4 address, [IPv6] or a DNS name, and a port)`;
  const [, host = '', port = ''] = match;
  if (Number(port) < 1 || Number(port) > 65535) return `port ${port} of "${address}" must be 1-65535`;
  if (host.startsWith('[')) return undefined;
  if (/^\d+(\.\d+){3}$/.test(host)) return host.split('.').every((o) => Number(o) <= 255) ? undefined : `"${host}" is not an IPv4 address`;
  const problem = dnsSubdomainProblem(host);
  return problem === undefined ? undefined : `host of "${address}": ${problem}`;
}

const Address = z.string().superRefine((value, ctx) => {
  const problem = addressProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const Name = z.string().min(1, 'must not be empty');

/** A generated object's name and namespace become file and folder names: what the API server accepts, nothing else. */
const ObjectName = z.string().superRefine((value, ctx) => {
  const problem = dnsSubdomainProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});
const NamespaceName = z.string().superRefine((value, ctx) => {
  const problem = dnsLabelProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * A Gateway API backendRef (gateway-api apis/v1/shared_types.go
 * BackendObjectReference): a Service unless group/kind say otherwise; the
 * name may use cluster variables (`web-${MEMBER-CLUSTER-NAME}`).
 */
const BackendRef = z.strictObject({
  group: z.string().optional(),
  kind: z.string().optional(),
  name: Name,
  namespace: z.string().optional(),
  port: z.number().int().min(1).max(65535).optional(),
});

const ClusterEntryPoints = z.strictObject({
  cluster: Name,
  /** The cluster's Ingress nodes (or load balancer addresses), `host:port`. */
  addresses: z.array(Address).min(1, 'must name at least one address'),
});

const ExtraServer = z.strictObject({
  /** A server outside Kubernetes (the article's VM), `host:port`. */
  address: Address,
  /** Its weight; the article counts a VM like a pod, 10. */
  weight: z.number().int().min(1).max(1_000_000),
  /** How the HTTPRoute output reaches it (required when there is one). */
  backendRef: BackendRef.optional(),
});

const NginxOutput = z.strictObject({
  /** The ConfigMap that holds the upstream block; namespace defaults to the TrafficSplit's. */
  configMap: z.strictObject({ name: ObjectName, namespace: NamespaceName.optional() }),
  /** Name of the upstream block; default: the TrafficSplit's name. */
  upstream: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be letters, digits, ".", "_" or "-"').optional(),
  /** Key of the ConfigMap; default: `<upstream>.conf`. */
  key: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'must be a ConfigMap key (letters, digits, "-", "_", ".")').optional(),
});

const HttpRouteOutput = z.strictObject({
  name: ObjectName,
  namespace: NamespaceName.optional(),
  /** Copied into spec.parentRefs (the Gateway(s) that serve the route). */
  parentRefs: z.array(z.record(z.string(), z.unknown())).min(1, 'must name at least one Gateway'),
  hostnames: z.array(z.string()).optional(),
  /** One backendRef per member cluster; the name may use `${MEMBER-CLUSTER-NAME}` and the other cluster variables. */
  clusterBackendRef: BackendRef,
});

const Output = z
  .strictObject({
    /** The cluster whose tree receives the generated object (the edge cluster). */
    cluster: Name,
    nginx: NginxOutput.optional(),
    httpRoute: HttpRouteOutput.optional(),
  })
  .superRefine((value, ctx) => {
    const kinds = [value.nginx, value.httpRoute].filter((v) => v !== undefined).length;
    if (kinds !== 1) ctx.addIssue({ code: 'custom', message: 'must set exactly one of nginx, httpRoute' });
  });

export const TrafficSplitSpec = z.strictObject({
  /** The workload template whose placed replicas decide the weights; namespace defaults to the TrafficSplit's. */
  workload: z.strictObject({ apiVersion: Name, kind: Name, name: Name, namespace: z.string().optional() }),
  /** Weight of one pod: the article's rule gives each entry point round(pods × weightPerPod / entry points), at least 1. */
  weightPerPod: z.number().int().min(1).max(1_000_000).optional(),
  /** Where each cluster's entry points are (needed by an nginx output). */
  entryPoints: z
    .strictObject({
      /** Read `host:port,host:port` from this annotation of each cluster's inventory object. */
      annotation: z.string().min(1).optional(),
      /** Listed here (wins over the annotation for that cluster). */
      clusters: z.array(ClusterEntryPoints).optional(),
    })
    .optional(),
  extraServers: z.array(ExtraServer).optional(),
  outputs: z.array(Output).min(1, 'must have at least one output'),
});
export type TrafficSplitSpec = z.infer<typeof TrafficSplitSpec>;

export const TrafficSplit = z.strictObject({
  apiVersion: z.literal(TRAFFIC_API),
  kind: z.literal(TRAFFIC_KIND),
  metadata: ObjectMeta,
  spec: TrafficSplitSpec,
});
export type TrafficSplit = z.infer<typeof TrafficSplit>;

