/** render --commit keeps placements stable against the output branch's previous tree. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../golden.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-commit-previous-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function manifold(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cluster = (name: string, taint: boolean) => `apiVersion: cluster.karmada.io/v1alpha1
kind: Cluster
metadata: {name: ${name}}
${taint ? 'spec:\n  taints: [{key: maintenance, effect: NoSchedule}]\n' : ''}`;

const app = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: web, namespace: shop}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
  placement:
    clusterAffinities:
      - {affinityName: primary, clusterNames: [a]}
      - {affinityName: backup, clusterNames: [b]}
`;

function filesOnBranch(repo: string): string[] {
  return execFileSync('git', ['ls-tree', '-r', '--name-only', 'manifold/rendered'], { cwd: repo, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.endsWith('web.yaml'));
}

describe('render --commit and the previous render on the branch', () => {
  it('resumes at the affinity group the branch holds; a fresh branch starts at the first group', () => {
    const repo = path.join(work, 'repo');
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    writeFileSync(path.join(repo, 'clusters.yaml'), `${cluster('a', true)}---\n${cluster('b', false)}`);
    writeFileSync(path.join(repo, 'app.yaml'), app);
    const first = manifold(repo, 'render', '.', '--commit');
    expect(first.stderr).toContain('committed');
    expect(first.code).toBe(0);
    expect(filesOnBranch(repo)).toEqual(['b/namespaces/shop/Deployment.apps/web.yaml']);

    // Cluster a is healthy again: Karmada stays on the observed group "backup".
    writeFileSync(path.join(repo, 'clusters.yaml'), `${cluster('a', false)}---\n${cluster('b', false)}`);
    const second = manifold(repo, 'render', '.', '--commit');
    expect(second.code).toBe(0);
    expect(filesOnBranch(repo)).toEqual(['b/namespaces/shop/Deployment.apps/web.yaml']);

    // Same inputs, same version: stops before rendering, no commit.
    const tip = execFileSync('git', ['rev-parse', 'manifold/rendered'], { cwd: repo, encoding: 'utf8' }).trim();
    const again = manifold(repo, 'render', '.', '--commit');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('rendered from the same inputs by this version; no commit');
    expect(again.stdout.trim()).toBe(tip);
    expect(execFileSync('git', ['rev-parse', 'manifold/rendered'], { cwd: repo, encoding: 'utf8' }).trim()).toBe(tip);

    // A render with no previous state (another branch) starts fresh at "primary".
    const fresh = manifold(repo, 'render', '.', '--commit', '--branch', 'manifold/fresh');
    expect(fresh.code).toBe(0);
    const freshFiles = execFileSync('git', ['ls-tree', '-r', '--name-only', 'manifold/fresh'], { cwd: repo, encoding: 'utf8' });
    expect(freshFiles).toContain('a/namespaces/shop/Deployment.apps/web.yaml');
    expect(freshFiles).not.toContain('b/namespaces/shop/Deployment.apps/web.yaml');
  });
});
