import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../bench/generate.ts';
import { dialects, registry } from '../dialects/index.ts';
import { loadRepository } from '../load/repository.ts';
import { balancedOrder, render, type RenderCost } from './render.ts';

const placement = (name: string, variants: number, files: number): RenderCost & { name: string } => ({ name, variants, files });

describe('balancedOrder', () => {
  it('merges the costly placements with the cheap ones so that both advance at the same pace', () => {
    // The worst-case fleet's shape: workloads with a variant per cluster, then their shared dependencies.
    const workloads = Array.from({ length: 4 }, (_, i) => placement(`deploy-${i}`, 1000, 1000));
    const deps = Array.from({ length: 4 }, (_, i) => placement(`config-${i}`, 1, 1000));
    const order = balancedOrder([...workloads, ...deps]).map((p) => p.name);
    expect(order).toEqual(['deploy-0', 'config-0', 'deploy-1', 'config-1', 'deploy-2', 'config-2', 'deploy-3', 'config-3']);
  });

  it('spreads few cheap placements evenly among many costly ones, each list in its own order', () => {
    const costly = Array.from({ length: 9 }, (_, i) => placement(`c${i}`, 10, 10));
    const cheap = Array.from({ length: 3 }, (_, i) => placement(`s${i}`, 1, 30));
    const order = balancedOrder([...cheap, ...costly]).map((p) => p.name);
    expect(order).toEqual(['c0', 's0', 'c1', 'c2', 'c3', 's1', 'c4', 'c5', 'c6', 's2', 'c7', 'c8']);
    expect(order.filter((n) => n.startsWith('c'))).toEqual(costly.map((p) => p.name));
  });

  it('keeps the order when every placement costs the same per file, and handles nothing at all', () => {
    const same = [placement('a', 2, 4), placement('b', 1, 2), placement('c', 3, 6)];
    expect(balancedOrder(same).map((p) => p.name)).toEqual(['a', 'b', 'c']);
    expect(balancedOrder([])).toEqual([]);
    expect(balancedOrder([placement('empty', 0, 0)]).map((p) => p.name)).toEqual(['empty']);
  });
});

describe('render order with a content sink', () => {
  it('hands over the shared dependencies beside the per-cluster workloads, not all at the end, and renders the same', () => {
    const fleet = generateFleet({ clusters: 6, templates: 20, variant: 'per-cluster' });
    const repo = loadRepository([...fleet].map(([p, text]) => ({ path: p, text })), registry);
    const handed: { path: string; clusters: number }[] = [];
    const streamed = render(repo, dialects, {
      manifoldVersion: 'test',
      contents: (content, path, clusters) => {
        handed.push({ path, clusters: clusters.length });
        return content;
      },
    });
    const kinds = handed.map((h) => (h.path.includes('/ConfigMap/') ? 'ConfigMap' : h.path.includes('/Deployment.apps/') ? 'Deployment' : 'other'));
    expect(kinds.filter((k) => k === 'ConfigMap').length).toBe(20);
    // In the dialect's order (propagateDeps dependencies last) every ConfigMap came after the last Deployment.
    const lastDeployment = kinds.lastIndexOf('Deployment');
    expect(kinds.slice(0, lastDeployment).filter((k) => k === 'ConfigMap').length).toBeGreaterThanOrEqual(18);
    // The order shows in no output.
    const kept = render(repo, dialects, { manifoldVersion: 'test' });
    expect(streamed.provenance).toEqual(kept.provenance);
    expect([...streamed.clusters].map(([c, files]) => [c, [...files]])).toEqual([...kept.clusters].map(([c, files]) => [c, [...files]]));
  });
});
