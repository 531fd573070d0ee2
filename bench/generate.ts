/**
 * Deterministic synthetic fleets for the benchmarks (issue 2): N Karmada
 * Clusters × M templates, each template a Deployment with the ConfigMap it
 * reads through envFrom (so `propagateDeps` carries it along), one
 * PropagationPolicy per template (most Divided + Weighted by static region
 * weights, every fifth Duplicated to a label-selected subset), a
 * ClusterOverridePolicy swapping the image registry per region and one
 * OverridePolicy per namespace adding an env label.
 *
 * Same options → byte-identical files: no clock, no Math.random (a seeded
 * mulberry32 stream decides the cluster attributes).
 *
 * Two shapes (--variant):
 *
 *   shared       (default) the fleet above: clusters share most of their
 *                objects (1,000 × 1,000 renders 1.87 M files from ~9,600
 *                distinct contents).
 *   per-cluster  the worst case for memory (issue 19): every Deployment is
 *                Duplicated to every cluster, and one ClusterOverridePolicy
 *                holds one rule per cluster adding a `cluster: <name>` label
 *                to Deployments, so every cluster's copy of every Deployment
 *                differs (N × M distinct Deployments; the ConfigMaps follow
 *                and stay shared). The regional registry and env label
 *                overrides apply as in `shared`.
 *
 *   scripts/node24.sh node bench/generate.ts --clusters 100 --templates 1000 [--variant per-cluster] --out DIR
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dump } from 'js-yaml';

export type FleetVariant = 'shared' | 'per-cluster';
export const FLEET_VARIANTS: readonly FleetVariant[] = ['shared', 'per-cluster'];

export interface FleetOptions {
  clusters: number;
  templates: number;
  /** `shared` (default) or `per-cluster` (every cluster's Deployments differ); see the header. */
  variant?: FleetVariant | undefined;
  /** PRNG seed for cluster attributes; the default keeps every run identical. */
  seed?: number | undefined;
}

/** Regions with their static weights (Divided templates split by these). */
export const REGIONS = [
  { name: 'eu-west-1', weight: 4, registry: 'registry.eu-west-1.example.com' },
  { name: 'us-east-1', weight: 3, registry: 'registry.us-east-1.example.com' },
  { name: 'ap-southeast-1', weight: 2, registry: 'registry.ap-southeast-1.example.com' },
  { name: 'sa-east-1', weight: 1, registry: 'registry.sa-east-1.example.com' },
] as const;
const PROVIDERS = ['aws', 'gcp', 'azure'] as const;
const TIERS = ['gold', 'silver', 'bronze'] as const;
const ENVS = ['prod', 'staging'] as const;
const NAMESPACES = 10;
const POLICY_API = 'policy.karmada.io/v1alpha1';

export function clusterName(i: number): string {
  return `cluster-${String(i).padStart(4, '0')}`;
}

export function namespaceOf(templateIndex: number): string {
  return `team-${String(templateIndex % NAMESPACES).padStart(2, '0')}`;
}

export function appName(templateIndex: number): string {
  return `app-${String(templateIndex).padStart(5, '0')}`;
}

/** Paths of the files that make up template i (for benchmarks that edit one). */
export function templateFile(templateIndex: number): string {
  return `apps/${namespaceOf(templateIndex)}/${appName(templateIndex)}.yaml`;
}

export function clusterFile(clusterIndex: number): string {
  return `clusters/${clusterName(clusterIndex)}.yaml`;
}

/** True for templates propagated Duplicated (to gold and silver clusters) instead of Divided. */
export function isDuplicated(templateIndex: number): boolean {
  return templateIndex % 5 === 4;
}

/** A seeded PRNG: the same seed gives the same stream on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

function yaml(...docs: object[]): string {
  return docs.map((d) => dump(d, { noRefs: true, lineWidth: -1 })).join('---\n');
}

function clusterDoc(i: number, random: () => number): object {
  // Round-robin regions, so every region has clusters even in tiny fleets.
  const region = REGIONS[i % REGIONS.length] as (typeof REGIONS)[number];
  const zone = `${region.name}${'abc'[Math.floor(random() * 3)]}`;
  return {
    apiVersion: 'cluster.karmada.io/v1alpha1',
    kind: 'Cluster',
    metadata: {
      name: clusterName(i),
      labels: { env: random() < 0.7 ? ENVS[0] : ENVS[1], tier: pick(random, TIERS) },
    },
    spec: { provider: pick(random, PROVIDERS), region: region.name, zones: [zone] },
  };
}

function configMapDoc(i: number): object {
  const data: Record<string, string> = {};
  for (let k = 0; k < 6; k++) data[`SETTING_${k}`] = `value-${i}-${k}-${'x'.repeat(24)}`;
  data['LOG_LEVEL'] = ['info', 'debug', 'warn'][i % 3] as string;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${appName(i)}-config`, namespace: namespaceOf(i), labels: { app: appName(i) } },
    data,
  };
}

function deploymentDoc(i: number, clusters: number, duplicated: boolean): object {
  const name = appName(i);
  // Divided: enough replicas that every cluster gets at least one (weights 1..4).
  const replicas = duplicated ? 2 + (i % 3) : 3 * clusters + (i % 5);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: namespaceOf(i), labels: { app: name, 'app.kubernetes.io/part-of': 'bench' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'main',
              image: `registry.example.com/${namespaceOf(i)}/${name}:1.${i % 10}.0`,
              ports: [{ containerPort: 8080, name: 'http' }],
              envFrom: [{ configMapRef: { name: `${name}-config` } }],
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
            },
          ],
        },
      },
    },
  };
}

/** Duplicated to every cluster: the per-cluster shape's placement. */
const EVERYWHERE = { replicaScheduling: { replicaSchedulingType: 'Duplicated' } };

function propagationPolicyDoc(i: number, variant: FleetVariant): object {
  const name = appName(i);
  const placement = variant === 'per-cluster'
    ? EVERYWHERE
    : isDuplicated(i)
    ? {
        clusterAffinity: { labelSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }] } },
        replicaScheduling: { replicaSchedulingType: 'Duplicated' },
      }
    : {
        replicaScheduling: {
          replicaSchedulingType: 'Divided',
          replicaDivisionPreference: 'Weighted',
          weightPreference: {
            staticWeightList: REGIONS.map((r) => ({
              targetCluster: { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: [r.name] }] } },
              weight: r.weight,
            })),
          },
        },
      };
  return {
    apiVersion: POLICY_API,
    kind: 'PropagationPolicy',
    metadata: { name, namespace: namespaceOf(i) },
    spec: {
      propagateDeps: true,
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name }],
      placement,
    },
  };
}

function registryOverrideDoc(): object {
  return {
    apiVersion: POLICY_API,
    kind: 'ClusterOverridePolicy',
    metadata: { name: 'regional-registry' },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
      overrideRules: REGIONS.map((r) => ({
        targetCluster: { fieldSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: [r.name] }] } },
        overriders: { imageOverrider: [{ component: 'Registry', operator: 'replace', value: r.registry }] },
      })),
    },
  };
}

/** One rule per cluster, each adding that cluster's name as a label: every cluster's Deployments differ. */
function perClusterLabelDoc(clusters: number): object {
  const rules = [];
  for (let c = 0; c < clusters; c++) {
    rules.push({
      targetCluster: { clusterNames: [clusterName(c)] },
      overriders: { labelsOverrider: [{ operator: 'add', value: { cluster: clusterName(c) } }] },
    });
  }
  return {
    apiVersion: POLICY_API,
    kind: 'ClusterOverridePolicy',
    metadata: { name: 'cluster-label' },
    spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }], overrideRules: rules },
  };
}

function envLabelOverrideDoc(namespace: string): object {
  return {
    apiVersion: POLICY_API,
    kind: 'OverridePolicy',
    metadata: { name: 'env-label', namespace },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'bench' } } }],
      overrideRules: ENVS.map((env) => ({
        targetCluster: { labelSelector: { matchLabels: { env } } },
        overriders: { labelsOverrider: [{ operator: 'add', value: { 'fleet.example.com/env': env } }] },
      })),
    },
  };
}

/** The fleet as relative path → YAML text, in path order. */
export function generateFleet(options: FleetOptions): Map<string, string> {
  const { clusters, templates } = options;
  if (!Number.isInteger(clusters) || clusters < 1) throw new Error(`clusters must be a positive integer, got ${clusters}`);
  if (!Number.isInteger(templates) || templates < 1) throw new Error(`templates must be a positive integer, got ${templates}`);
  const variant = options.variant ?? 'shared';
  if (!FLEET_VARIANTS.includes(variant)) throw new Error(`variant must be one of ${FLEET_VARIANTS.join(', ')}, got ${String(variant)}`);
  const random = mulberry32(options.seed ?? 0x5eed);
  const files = new Map<string, string>();
  for (let c = 0; c < clusters; c++) files.set(clusterFile(c), yaml(clusterDoc(c, random)));
  for (let t = 0; t < templates; t++) {
    files.set(templateFile(t), yaml(configMapDoc(t), deploymentDoc(t, clusters, variant === 'per-cluster' || isDuplicated(t))));
    files.set(`policies/${namespaceOf(t)}/${appName(t)}.yaml`, yaml(propagationPolicyDoc(t, variant)));
  }
  files.set('overrides/regional-registry.yaml', yaml(registryOverrideDoc()));
  if (variant === 'per-cluster') files.set('overrides/cluster-label.yaml', yaml(perClusterLabelDoc(clusters)));
  for (let n = 0; n < Math.min(NAMESPACES, templates); n++) {
    const ns = namespaceOf(n);
    files.set(`overrides/${ns}.yaml`, yaml(envLabelOverrideDoc(ns)));
  }
  return new Map([...files].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** Writes a fleet into `dir`, replacing whatever was there. */
export async function writeFleet(dir: string, files: ReadonlyMap<string, string>): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  const dirs = new Set([...files.keys()].map((f) => path.dirname(path.join(dir, f))));
  for (const d of dirs) await mkdir(d, { recursive: true });
  await Promise.all([...files].map(([f, text]) => writeFile(path.join(dir, f), text)));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clusters: { type: 'string', default: '100' },
      templates: { type: 'string', default: '1000' },
      seed: { type: 'string' },
      variant: { type: 'string', default: 'shared' },
      out: { type: 'string' },
    },
  });
  if (values.out === undefined) throw new Error('usage: generate.ts --clusters N --templates M --out DIR [--variant shared|per-cluster] [--seed S]');
  const files = generateFleet({
    clusters: Number(values.clusters),
    templates: Number(values.templates),
    variant: values.variant as FleetVariant,
    seed: values.seed === undefined ? undefined : Number(values.seed),
  });
  await writeFleet(values.out, files);
  process.stderr.write(`wrote ${files.size} files into ${values.out}\n`);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
