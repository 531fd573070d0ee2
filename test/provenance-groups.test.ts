/**
 * Provenance stays compact when every cluster's copy of an object differs
 * (issue 19): variants with the same path and overrides are listed as one
 * group from GROUP_VARIANTS_FROM on, with a digest over their contents
 * (groupDigest) that can be checked against the files.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dialects, registry } from '../src/dialects/index.ts';
import { loadRepository } from '../src/load/repository.ts';
import { GROUP_VARIANTS_FROM, groupDigest, render, type ProvenanceObject } from '../src/render/render.ts';
import { generateFleet } from '../bench/generate.ts';

function renderFleet(clusters: number) {
  const files = generateFleet({ clusters, templates: 2, variant: 'per-cluster' });
  const repo = loadRepository([...files].map(([path, text]) => ({ path, text })), registry);
  return render(repo, dialects, { manifoldVersion: 'test' });
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const deployment = (objects: ProvenanceObject[]) => objects.find((o) => o.key === 'apps/Deployment/team-00/app-00000') as ProvenanceObject;

describe('provenance of a fleet where every cluster gets its own copy', () => {
  it(`groups ${GROUP_VARIANTS_FROM} or more variants with one path and the same override policies, with one digest over the contents`, () => {
    const result = renderFleet(GROUP_VARIANTS_FROM + 4);
    const variants = deployment(result.provenance.objects).variants;
    expect(variants).toHaveLength(1);
    const group = variants[0] as { path: string; variants: number; digest: string; clusters: number; overrides: string[] };
    expect(group.clusters).toBe(GROUP_VARIANTS_FROM + 4);
    expect(group.overrides).toEqual(['ClusterOverridePolicy cluster-label', 'ClusterOverridePolicy regional-registry', 'OverridePolicy team-00/env-label']);
    const inTree = [...result.clusters.values()].map((files) => sha256(files.get(group.path) as string));
    // The digest is what a reader computes from the files at that path, in any order.
    expect(group.digest).toBe(groupDigest([...new Set(inTree)].reverse()));
    expect(group.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(group.variants).toBe(GROUP_VARIANTS_FROM + 4);
    // One content changed in one cluster changes the digest.
    expect(groupDigest([...new Set(inTree)].slice(1).concat(sha256('other')))).not.toBe(group.digest);
    // The ConfigMap is the same everywhere: one variant, listed as before.
    const configMap = result.provenance.objects.find((o) => o.key === '/ConfigMap/team-00/app-00000-config') as ProvenanceObject;
    expect(configMap.variants).toEqual([expect.objectContaining({ clusters: GROUP_VARIANTS_FROM + 4, sha256: expect.any(String) })]);
  });

  it('lists fewer variants one by one, as before', () => {
    const variants = deployment(renderFleet(GROUP_VARIANTS_FROM - 1).provenance.objects).variants;
    expect(variants).toHaveLength(GROUP_VARIANTS_FROM - 1);
    expect(variants.every((v) => 'sha256' in v && v.clusters === 1)).toBe(true);
  });

  it('does not grow with the number of clusters', () => {
    const size = (clusters: number) => JSON.stringify(renderFleet(clusters).provenance.objects, null, 2).length;
    expect(size(400)).toBe(size(200));
  });

  it('is a fraction of the size one entry per variant takes', () => {
    const result = renderFleet(200);
    const grouped = JSON.stringify(result.provenance, null, 2).length;
    const perVariant = JSON.stringify(
      { ...result.provenance, objects: result.rendered.map((r) => r.variants.map((v) => ({ path: v.path, sha256: v.sha256, clusters: v.clusters.length, overrides: v.overrides }))) },
      null,
      2,
    ).length;
    expect(grouped).toBeLessThan(perVariant / 4);
  });
});
