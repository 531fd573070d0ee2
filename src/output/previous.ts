/**
 * Reads a previous render (a folder written by `manifold render`) to keep
 * placements stable: per cluster, the replicas each template got there.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { load } from 'js-yaml';
import { InputError } from '../errors/index.ts';
import { isRecord } from '../load/validate.ts';
import { resourceKey } from '../model/types.ts';
import type { PreviousRender } from '../render/types.ts';
import { PROVENANCE_DIR, PROVENANCE_FILE } from './folder.ts';

/** Extracts replicas per template from one cluster's files (path → YAML). */
export function previousFromTree(clusters: ReadonlyMap<string, ReadonlyMap<string, string>>): PreviousRender {
  const replicas = new Map<string, Map<string, number>>();
  for (const [cluster, files] of clusters) {
    const perTemplate = new Map<string, number>();
    for (const content of files.values()) {
      const obj = load(content);
      if (!isRecord(obj) || !isRecord(obj.metadata) || !isRecord(obj.spec)) continue;
      const count = obj.kind === 'Job' ? obj.spec.parallelism : obj.spec.replicas;
      if (typeof count !== 'number') continue;
      const id = {
        apiVersion: String(obj.apiVersion),
        kind: String(obj.kind),
        namespace: typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : '',
        name: String(obj.metadata.name),
      };
      perTemplate.set(resourceKey(id), count);
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
      files.set(path.relative(root, abs), await readFile(abs, 'utf8'));
    }
    clusters.set(entry.name, files);
  }
  const provenancePath = path.join(dir, PROVENANCE_FILE);
  const provenance = existsSync(provenancePath) ? await readFile(provenancePath, 'utf8') : undefined;
  return { ...previousFromTree(clusters), affinityGroups: affinityGroupsFromProvenance(provenance) };
}
