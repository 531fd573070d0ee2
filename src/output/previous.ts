/**
 * Reads a previous render (a folder written by `manifold render`) to keep
 * placements stable: per cluster, the replicas each template got there.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { load } from 'js-yaml';
import { InputError } from '../errors/index.ts';
import { yamlErrorPlace } from '../errors/redact.ts';
import { isRecord } from '../load/validate.ts';
import { resourceKey } from '../model/types.ts';
import type { PreviousRender } from '../render/types.ts';
import { clustersOfWorks, worksHubOf } from '../render/works.ts';
import { PROVENANCE_DIR, PROVENANCE_FILE } from './folder.ts';

/** Only these files can carry a replica count; others are not parsed at all. */
const REPLICA_KIND_DIR = /(^|\/)(Deployment\.apps|StatefulSet\.apps|ReplicaSet\.apps|Job\.batch)\//;

export function mayHoldReplicas(file: string): boolean {
  return REPLICA_KIND_DIR.test(file);
}

const PLAIN = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/**
 * Reads apiVersion, kind, metadata.name/namespace and spec.replicas or
 * spec.parallelism straight from the lines of a file in the block layout
 * Manifold writes (top-level keys at column 0, their fields two spaces in,
 * plain values). Undefined as soon as anything looks different: the caller
 * parses the file then. Parsing thousands of rendered Deployments is most of
 * reading a previous render otherwise.
 */
export function scanRenderedFile(content: string): { fields: Map<string, string> } | undefined {
  const fields = new Map<string, string>();
  let section = '';
  for (const line of content.split('\n')) {
    if (line === '' || line.startsWith('    ') || line.startsWith('  - ') || line.startsWith('- ')) continue;
    const indented = line.startsWith('  ');
    const text = indented ? line.slice(2) : line;
    const colon = text.indexOf(': ');
    const key = colon < 0 ? (text.endsWith(':') ? text.slice(0, -1) : undefined) : text.slice(0, colon);
    if (key === undefined || !/^[A-Za-z][A-Za-z0-9]*$/.test(key)) {
      if (indented && section !== 'metadata' && section !== 'spec') continue;
      return undefined;
    }
    const value = colon < 0 ? '' : text.slice(colon + 2);
    if (!indented) {
      section = key;
      if (key === 'apiVersion' || key === 'kind') {
        if (!PLAIN.test(value)) return undefined;
        fields.set(key, value);
      } else if ((key === 'metadata' || key === 'spec') && value !== '') return undefined;
      continue;
    }
    const wanted = (section === 'metadata' && (key === 'name' || key === 'namespace')) || (section === 'spec' && (key === 'replicas' || key === 'parallelism'));
    if (!wanted) continue;
    if (!PLAIN.test(value)) return undefined;
    fields.set(`${section}.${key}`, value);
  }
  return fields.has('apiVersion') && fields.has('kind') && fields.has('metadata.name') ? { fields } : undefined;
}

/**
 * The template key and replica count (Job: parallelism) of one rendered file,
 * if it has one. `name` says where the file is, for the error when it is not
 * YAML (someone edited the render, or it is not one).
 */
export function replicasOfFile(content: string, name: string): { key: string; replicas: number } | undefined {
  const scanned = scanRenderedFile(content);
  if (scanned !== undefined) {
    const f = scanned.fields;
    const count = f.get(f.get('kind') === 'Job' ? 'spec.parallelism' : 'spec.replicas');
    if (count === undefined) return undefined; // no such field in a block spec (or no spec): not a number either way
    if (!/^(0|[1-9][0-9]*)$/.test(count)) return replicasOfParsed(content, name);
    const id = { apiVersion: f.get('apiVersion') as string, kind: f.get('kind') as string, namespace: f.get('metadata.namespace') ?? '', name: f.get('metadata.name') as string };
    return { key: resourceKey(id), replicas: Number(count) };
  }
  return replicasOfParsed(content, name);
}

function replicasOfParsed(content: string, name: string): { key: string; replicas: number } | undefined {
  let obj: unknown;
  try {
    obj = load(content);
  } catch (err) {
    const line = (err as { mark?: { line?: number } }).mark?.line;
    // yamlErrorPlace: js-yaml's reason can quote the file (an unknown tag), which may hold a credential.
    throw InputError.single({ code: 'PREVIOUS_UNREADABLE', file: name, line: line === undefined ? undefined : line + 1, message: `previous render: not a YAML object Manifold rendered (${yamlErrorPlace(err)})` });
  }
  if (!isRecord(obj) || !isRecord(obj.metadata) || !isRecord(obj.spec)) return undefined;
  const count = obj.kind === 'Job' ? obj.spec.parallelism : obj.spec.replicas;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) return undefined;
  const id = {
    apiVersion: String(obj.apiVersion),
    kind: String(obj.kind),
    namespace: typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : '',
    name: String(obj.metadata.name),
  };
  return { key: resourceKey(id), replicas: count };
}

/** Extracts replicas per template from each cluster's files (path → YAML). */
export function previousFromTree(clusters: ReadonlyMap<string, ReadonlyMap<string, string>>, where = ''): PreviousRender {
  const replicas = new Map<string, Map<string, number>>();
  // Clusters share most contents (one per variant): parse each distinct file once.
  const parsed = new Map<string, ReturnType<typeof replicasOfFile>>();
  for (const [cluster, files] of clusters) {
    const perTemplate = new Map<string, number>();
    for (const [file, content] of files) {
      if (!mayHoldReplicas(file)) continue;
      if (!parsed.has(content)) parsed.set(content, replicasOfFile(content, path.posix.join(where, cluster, file)));
      const found = parsed.get(content);
      if (found !== undefined) perTemplate.set(found.key, found.replicas);
    }
    replicas.set(cluster, perTemplate);
  }
  return { replicas, clusters: new Set(clusters.keys()) };
}

/** Affinity groups recorded in a previous render's provenance (absent in older renders). */
export function affinityGroupsFromProvenance(text: string | undefined): Map<string, string> {
  const groups = new Map<string, string>();
  if (text === undefined) return groups;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return groups;
  }
  const objects = isRecord(parsed) && Array.isArray(parsed.objects) ? parsed.objects : [];
  for (const o of objects) {
    if (isRecord(o) && typeof o.key === 'string' && typeof o.affinityGroup === 'string') groups.set(o.key, o.affinityGroup);
  }
  return groups;
}

export async function readPreviousFolder(dir: string): Promise<PreviousRender> {
  if (!existsSync(dir)) {
    throw InputError.single({ code: 'PREVIOUS_NOT_FOUND', file: dir, message: 'previous render folder does not exist' });
  }
  const clusters = new Map<string, Map<string, string>>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === PROVENANCE_DIR || entry.name.startsWith('.')) continue;
    const files = new Map<string, string>();
    const root = path.join(dir, entry.name);
    for (const f of await readdir(root, { recursive: true, withFileTypes: true })) {
      if (!f.isFile() || !f.name.endsWith('.yaml')) continue;
      const abs = path.join(f.parentPath, f.name);
      files.set(path.relative(root, abs).split(path.sep).join('/'), await readFile(abs, 'utf8'));
    }
    clusters.set(entry.name, files);
  }
  const provenancePath = path.join(dir, PROVENANCE_FILE);
  const provenance = existsSync(provenancePath) ? await readFile(provenancePath, 'utf8') : undefined;
  return { ...previousFromTree(clustersOfRender(clusters, provenance, dir), dir), affinityGroups: affinityGroupsFromProvenance(provenance) };
}

/** The cluster folders of a previous render; for a render written as Works (--as-works), the clusters inside its Works. */
export function clustersOfRender(folders: ReadonlyMap<string, ReadonlyMap<string, string>>, provenance: string | undefined, dir = ''): ReadonlyMap<string, ReadonlyMap<string, string>> {
  const hub = worksHubOf(provenance);
  const hubFiles = hub === undefined ? undefined : folders.get(hub);
  return hubFiles === undefined || hub === undefined ? folders : clustersOfWorks(hubFiles, path.posix.join(dir, hub));
}
