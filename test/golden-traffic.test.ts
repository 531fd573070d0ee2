/** The issue 18 examples: traffic weights and per-cluster monitoring labels generated from the render. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTrafficExplanation } from '../src/cli/explain.ts';
import { runCli } from './bad-input/cli.ts';
import { ROOT, expectGolden, flatten, renderExample } from './golden.ts';

describe('golden trees of the traffic and monitoring examples', () => {
  it('examples/traffic: the nginx upstream and the HTTPRoute follow the 4/4/2 division', async () => {
    const result = await renderExample('examples/traffic');
    expectGolden('traffic', flatten(result));
    const upstream = result.clusters.get('edge')?.get('namespaces/edge/ConfigMap/web-upstream.yaml') ?? '';
    // member1: 4 pods over 3 Ingress nodes → 13 each; member2: 4 over 2 → 20; member3: 2 over 1 → 20; the VM 10.
    expect([...upstream.matchAll(/weight=(\d+)/g)].map((m) => Number(m[1]))).toEqual([13, 13, 13, 20, 20, 20, 10]);
    expect(result.warnings).toEqual([]);
    expect(result.traffic.map((t) => `${t.id.namespace}/${t.id.name}`)).toEqual(['shop/web']);
  });

  it('examples/monitoring: one ClusterOverridePolicy gives every Prometheus its cluster, environment and zone', async () => {
    const result = await renderExample('examples/monitoring');
    expectGolden('monitoring', flatten(result));
    const labels = (c: string) => /externalLabels:\n((?: {4}.*\n)+)/.exec(result.clusters.get(c)?.get('namespaces/monitoring/Prometheus.monitoring.coreos.com/k8s.yaml') ?? '')?.[1];
    expect(labels('prod-sh-1')).toBe('    cluster: prod-sh-1\n    environment: prod\n    zone: sh-b\n');
    expect(labels('staging-bj-1')).toBe('    cluster: staging-bj-1\n    environment: staging\n    zone: bj-c\n');
  });

  it('docs/traffic.md shows explain TrafficSplit/web as it comes out', async () => {
    const result = await renderExample('examples/traffic');
    const doc = readFileSync(path.join(ROOT, 'docs', 'traffic.md'), 'utf8');
    const text = formatTrafficExplanation(result.traffic[0]!);
    expect(doc).toContain(`\`\`\`\n${text}\`\`\``);
  });

  it('manifold explain TrafficSplit/NAME through the CLI: the arithmetic per server; an unknown one is exit 2', async () => {
    const ok = await runCli(['explain', 'TrafficSplit/web', path.join(ROOT, 'examples', 'traffic')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('member1: 4 replicas, 3 entry points: max(1, round(4 × 10 / 3)) = 13 each');
    expect(ok.stdout).toContain('backendRef web-member3 weight=20 (member3: 2 × 10)');
    const missing = await runCli(['explain', 'trafficsplit/nope', path.join(ROOT, 'examples', 'traffic')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no TrafficSplit nope in the source');
  });
});
