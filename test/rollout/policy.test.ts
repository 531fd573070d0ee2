/**
 * RolloutPolicy through the real CLI boundary: waves resolved against the
 * inventory and recorded in provenance; clusters no wave selects form the
 * last wave (validate says so); bad waves exit 2 with file, line and field.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../bad-input/cli.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-rollout-policy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Karmada's own sample shape (karmada samples/nginx: deployment + propagationpolicy), four member clusters.
const inventory = ['member1', 'member2', 'member3', 'member4']
  .map((name, i) => `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${name}\n  labels:\n    region: ${i < 2 ? 'eu' : 'us'}\nspec:\n  syncMode: Push\n`)
  .join('---\n');
const app = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  replicas: 2
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - image: nginx
        name: nginx
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: nginx-propagation
spec:
  resourceSelectors:
    - apiVersion: apps/v1
      kind: Deployment
      name: nginx
  placement:
    clusterAffinity:
      clusterNames: [member1, member2, member3, member4]
`;

let n = 0;
function source(rollout: string): string {
  const dir = path.join(work, `s${n++}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'clusters.yaml'), inventory);
  writeFileSync(path.join(dir, 'app.yaml'), app);
  writeFileSync(path.join(dir, 'rollout.yaml'), rollout);
  return dir;
}

const policy = (waves: string): string => `apiVersion: manifold.dev/v1alpha1\nkind: RolloutPolicy\nmetadata:\n  name: web\nspec:\n  waves:\n${waves}`;

describe('RolloutPolicy', () => {
  it('resolves names, selectors and shares in wave order; the rest form the last wave, and validate says so', async () => {
    const dir = source(
      policy(`  - name: canary
    clusters: [member1]
    minHealthySeconds: 30
  - name: us
    clusterSelector:
      matchLabels:
        region: us
    maxUnavailableClusters: 1
    requireApproval: true
    window: {start: "22:00", end: "06:00"}
`),
    );
    const validate = await runCli(['validate', dir]);
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stderr).toContain('RolloutPolicy web: 1 cluster(s) no wave selects form the last wave "remaining": member2');
    const out = path.join(work, 'out');
    const render = await runCli(['render', dir, '--out', out]);
    expect(render.code, render.stderr).toBe(0);
    const provenance = JSON.parse(readFileSync(path.join(out, '.manifold', 'provenance.json'), 'utf8')) as { rollout: unknown };
    expect(provenance.rollout).toEqual({
      policy: 'web',
      maxReportAgeSeconds: 600,
      waves: [
        { name: 'canary', clusters: ['member1'], minHealthySeconds: 30, maxFailures: 0, requireApproval: false },
        { name: 'us', clusters: ['member3', 'member4'], minHealthySeconds: 0, maxUnavailableClusters: 1, maxFailures: 0, requireApproval: true, window: { start: '22:00', end: '06:00' } },
        { name: 'remaining', clusters: ['member2'], minHealthySeconds: 0, maxFailures: 0, requireApproval: false },
      ],
    });
  });

  it('a share takes (rounded up) from the clusters no wave names or selects', async () => {
    const dir = source(policy(`  - name: first\n    clusters: [member4]\n  - name: half\n    share: 50%\n  - name: rest\n    share: 100%\n`));
    const out = path.join(work, 'out-share');
    expect((await runCli(['render', dir, '--out', out])).code).toBe(0);
    const { rollout } = JSON.parse(readFileSync(path.join(out, '.manifold', 'provenance.json'), 'utf8')) as { rollout: { waves: { name: string; clusters: string[] }[] } };
    expect(rollout.waves.map((w) => [w.name, w.clusters])).toEqual([
      ['first', ['member4']],
      ['half', ['member1', 'member2']],
      ['rest', ['member3']],
    ]);
  });

  it.each([
    ['overlapping waves', `  - name: a\n    clusters: [member1, member2]\n  - name: b\n    clusterSelector:\n      matchLabels:\n        region: eu\n`, /rollout\.yaml:10: RolloutPolicy web: spec\.waves\[1\]\.clusterSelector: cluster "member1" is in wave "b" and in wave "a"/],
    ['a wave that selects no cluster', `  - name: a\n    clusterSelector:\n      matchLabels:\n        region: mars\n`, /rollout\.yaml:7: RolloutPolicy web: spec\.waves\[0\]: wave "a" selects no cluster of the inventory/],
    ['a cluster not in the inventory', `  - name: a\n    clusters: [member9]\n`, /rollout\.yaml:8: RolloutPolicy web: spec\.waves\[0\]\.clusters\[0\]: cluster "member9" is not in the inventory/],
    ['a negative duration', `  - name: a\n    clusters: [member1]\n    minHealthySeconds: -5\n`, /rollout\.yaml:9: RolloutPolicy web: spec\.waves\[0\]\.minHealthySeconds: .*must not be negative/],
    ['an absurd duration', `  - name: a\n    clusters: [member1]\n    minHealthySeconds: 86400000\n`, /rollout\.yaml:9: RolloutPolicy web: spec\.waves\[0\]\.minHealthySeconds: .*at most 604800/],
    ['two ways of selecting', `  - name: a\n    clusters: [member1]\n    share: 50%\n`, /rollout\.yaml:7: RolloutPolicy web: spec\.waves\[0\]: .*exactly one way/],
    ['a duplicate wave name', `  - name: a\n    clusters: [member1]\n  - name: a\n    clusters: [member2]\n`, /spec\.waves\[1\]\.name: wave "a" is also spec\.waves\[0\]/],
    ['a bad window', `  - name: a\n    clusters: [member1]\n    window: {start: "25:00", end: "06:00"}\n`, /spec\.waves\[0\]\.window\.start: .*HH:MM/],
  ])('%s: exit 2 naming file, line and field, nothing written', async (_what, waves, expected) => {
    const dir = source(policy(waves));
    const out = path.join(work, `bad-${n}`);
    const run = await runCli(['render', dir, '--out', out]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(expected);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(() => readFileSync(path.join(out, '.manifold', 'provenance.json'))).toThrow();
  });
});
