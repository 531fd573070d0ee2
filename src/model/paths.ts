/**
 * Where a rendered object lives inside its cluster's folder (DESIGN.md §2):
 * named from its identity, never longer than a file name may be, and the
 * same for one object and different for two.
 */
import { createHash } from 'node:crypto';
import type { ProblemSink } from '../errors/index.ts';
import { describeId, groupOf, type ResourceId, type Template } from './types.ts';

/**
 * Folder layout inside a cluster directory. Cluster-scoped objects live under
 * `cluster/`, which sorts before `namespaces/`, so `kubectl apply -R` creates
 * Namespaces and CRDs before the objects that need them. Names were validated
 * as path segments at load time, so a path can never leave its folder.
 */
export function objectPath(id: ResourceId): string {
  const group = groupOf(id.apiVersion);
  const kindDir = fitSegment(group === '' ? id.kind : `${id.kind}.${group}`, '');
  const file = fitSegment(id.name, '.yaml');
  return id.namespace === '' ? `cluster/${kindDir}/${file}` : `namespaces/${id.namespace}/${kindDir}/${file}`;
}

/** The longest file name (in UTF-8 bytes) that ext4, XFS, APFS and NTFS all accept. */
const MAX_SEGMENT_BYTES = 255;

/**
 * `base + ext`, or, when that is longer than a file name may be (a valid
 * 253-character name plus `.yaml`; a kind with a 253-character group), the
 * start of `base`, `-` and 16 hex digits of its SHA-256, so that the name is
 * still recognisable, always the same and different for different bases.
 */
export function fitSegment(base: string, ext: string): string {
  if (Buffer.byteLength(base) + Buffer.byteLength(ext) <= MAX_SEGMENT_BYTES) return base + ext;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 16);
  const room = MAX_SEGMENT_BYTES - Buffer.byteLength(ext) - hash.length - 1;
  let head = '';
  for (const ch of base) {
    if (Buffer.byteLength(head + ch) > room) break;
    head += ch;
  }
  return `${head}-${hash}${ext}`;
}

/**
 * Two templates that would be written to one file are an error naming both
 * (one would silently replace the other while provenance listed both). Names,
 * kinds and groups are validated at load time, so this holds by construction
 * except for shortened names (fitSegment) and paths that differ only in case.
 * Load time checks the plain templates (incremental renders too); render
 * checks again with the templates dialects derive (KubeFed's).
 */
export function checkPathsUnique(templates: Iterable<Template>, sink: ProblemSink): void {
  // Keyed by the lower-cased path: a checkout on macOS or Windows (case-insensitive) would keep only one of two paths that differ in case.
  const byPath = new Map<string, { template: Template; path: string }>();
  for (const template of templates) {
    const path = objectPath(template.id);
    const first = byPath.get(path.toLowerCase());
    if (first === undefined) {
      byPath.set(path.toLowerCase(), { template, path });
      continue;
    }
    if (first.template.key === template.key) continue;
    const other = `${describeId(first.template.id)} from ${first.template.source.file}:${first.template.source.line}`;
    sink.error({
      code: 'PATH_COLLISION',
      file: template.source.file,
      line: template.source.line,
      object: template.id,
      message: first.path === path ? `would be written to ${path}, like ${other}` : `would be written to ${path}, which differs only in case from ${first.path} of ${other} (one file on case-insensitive file systems)`,
    });
  }
}

