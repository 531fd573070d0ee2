/**
 * The numbers of built-in workloads that placement reads (replicas, Job
 * parallelism and completions, container requests and limits), checked as
 * the API server checks them when the template is created. Checked at load
 * time, where the template's file and line are known: a dialect that finds
 * such a value bad later can only name the policy that placed the template.
 */
import { isQuantity } from './quantity.ts';

export interface ValueProblem {
  path: (string | number)[];
  message: string;
}

const MAX_INT32 = 2 ** 31 - 1;

/** Pod spec location and count fields per built-in `group/Kind`. */
const WORKLOADS: Readonly<Record<string, { counts: readonly string[]; podSpec: readonly string[] }>> = {
  'apps/Deployment': { counts: ['replicas'], podSpec: ['spec', 'template', 'spec'] },
  'apps/ReplicaSet': { counts: ['replicas'], podSpec: ['spec', 'template', 'spec'] },
  'apps/StatefulSet': { counts: ['replicas'], podSpec: ['spec', 'template', 'spec'] },
  'apps/DaemonSet': { counts: [], podSpec: ['spec', 'template', 'spec'] },
  '/ReplicationController': { counts: ['replicas'], podSpec: ['spec', 'template', 'spec'] },
  'batch/Job': { counts: ['parallelism', 'completions'], podSpec: ['spec', 'template', 'spec'] },
  'batch/CronJob': { counts: [], podSpec: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] },
  '/Pod': { counts: [], podSpec: ['spec'] },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const seg of path) {
    if (Array.isArray(node) && typeof seg === 'number') node = node[seg];
    else if (isRecord(node) && typeof seg === 'string') node = node[seg];
    else return undefined;
  }
  return node;
}

/**
 * An int32 count: JSON decoding into the Go type rejects non-integers and
 * values beyond int32, and k8s pkg/apis/apps/validation ValidateDeploymentSpec
 * (likewise ReplicaSet, StatefulSet; batch ValidateJobSpec for parallelism and
 * completions) rejects negatives with ValidateNonnegativeField.
 */
function countProblem(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) return `must be an integer, got ${JSON.stringify(value) ?? String(value)}`;
  if (value < 0) return `must be greater than or equal to 0, got ${value}`;
  if (value > MAX_INT32) return `must fit in 32 bits (at most ${MAX_INT32}), got ${value}`;
  return undefined;
}

/**
 * k8s pkg/apis/core/validation ValidateResourceRequirements: every request and
 * limit must be a quantity (resource.ParseQuantity at decode time) and not
 * negative (ValidateResourceQuantityValue).
 */
function resourceListProblems(list: unknown, path: () => (string | number)[], out: ValueProblem[]): void {
  if (!isRecord(list) || validLists.has(list)) return;
  const before = out.length;
  for (const [name, quantity] of Object.entries(list)) {
    if ((typeof quantity !== 'string' && typeof quantity !== 'number') || !isQuantity(quantity)) {
      out.push({ path: [...path(), name], message: `${JSON.stringify(quantity) ?? String(quantity)} is not a quantity (e.g. 500m, 2, 1Gi)` });
    } else if ((typeof quantity === 'number' && quantity < 0) || (typeof quantity === 'string' && quantity.trim().startsWith('-'))) {
      out.push({ path: [...path(), name], message: `must be greater than or equal to 0, got ${JSON.stringify(quantity)}` });
    }
  }
  if (out.length === before) validLists.add(list);
}

/**
 * Resource lists found valid, by identity: every cluster's copy of a
 * template shares the template's own lists unless an override replaced
 * them (copy-on-write), and parsing each quantity again per copy was a
 * noticeable part of a large fleet's render.
 */
const validLists = new WeakSet<object>();

/** Problems with the counts and resource quantities of a built-in workload; [] for any other kind. */
export function workloadValueProblems(group: string, kind: string, object: unknown): ValueProblem[] {
  const shape = WORKLOADS[`${group}/${kind}`];
  if (shape === undefined) return [];
  const out: ValueProblem[] = [];
  for (const field of shape.counts) {
    const problem = countProblem(at(object, ['spec', field]));
    if (problem !== undefined) out.push({ path: ['spec', field], message: problem });
  }
  const podSpec = [...shape.podSpec];
  for (const list of ['initContainers', 'containers'] as const) {
    const containers = at(object, [...podSpec, list]);
    if (!Array.isArray(containers)) continue;
    containers.forEach((container, i) => {
      for (const kindOf of ['requests', 'limits'] as const) {
        resourceListProblems(at(container, ['resources', kindOf]), () => [...podSpec, list, i, 'resources', kindOf], out);
      }
    });
  }
  resourceListProblems(at(object, [...podSpec, 'overhead']), () => [...podSpec, 'overhead'], out);
  return out;
}
