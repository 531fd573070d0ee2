/** render --as-works through the CLI: folder, stdout, commit, bad input. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { previousFromBranch } from '../../src/git/previous.ts';
import { openRepository } from '../../src/git/repo.ts';
import { copyExample, listFiles, ROOT } from '../golden.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-works-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function manifold(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('manifold render --as-works', () => {
  it('writes one ManifestWork per cluster into <out>/hub and records them in provenance', () => {
    const src = copyExample(work, 'quickstart');
    const out = path.join(work, 'out-ocm');
    const r = manifold(work, 'render', src, '--out', out, '--as-works', 'ocm');
    expect(r.stderr).toContain('rendered 16 objects for 4 clusters as 4 ManifestWorks in hub/ into');
    expect(r.code).toBe(0);
    const files = listFiles(out);
    expect(files.filter((f) => !f.startsWith('.manifold'))).toEqual(
      ['eu-1', 'eu-2', 'us-1', 'us-2'].map((c) => `hub/namespaces/${c}/ManifestWork.work.open-cluster-management.io/manifold.yaml`),
    );
    const provenance = JSON.parse(readFileSync(path.join(out, '.manifold/provenance.json'), 'utf8')) as { generator: string; works: { api: string; works: { cluster: string; objects: number }[] } };
    expect(provenance.generator).toMatch(/ --as-works ocm --hub hub --work-name manifold$/);
    expect(provenance.works.api).toBe('work.open-cluster-management.io/v1 ManifestWork');
    expect(provenance.works.works.reduce((n, w) => n + w.objects, 0)).toBe(16);
  });

  it('prints the Works with -o yaml, named by --hub and --work-name', () => {
    const src = copyExample(work, 'quickstart');
    const r = manifold(work, 'render', src, '-o', 'yaml', '--as-works', 'karmada', '--hub', 'karmada-apiserver', '--work-name', 'shop');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# Source: karmada-apiserver/namespaces/karmada-es-us-1/Work.work.karmada.io/shop.yaml');
    const docs = r.stdout.split(/^---$/m).filter((d) => d.trim() !== '').map((d) => load(d) as { kind: string; metadata: { namespace: string } });
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace}`)).toEqual(['eu-1', 'eu-2', 'us-1', 'us-2'].map((c) => `Work karmada-es-${c}`));
  });

  it('commits the Works; the same inputs make no commit; a plain render afterwards replaces them in full', () => {
    const repo = copyExample(work, 'quickstart');
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    const first = manifold(repo, 'render', '.', '--commit', '--as-works', 'sig');
    expect(first.code).toBe(0);
    const onBranch = () => execFileSync('git', ['ls-tree', '-r', '--name-only', 'manifold/rendered'], { cwd: repo, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.yaml'));
    expect(onBranch()).toHaveLength(4);
    expect(onBranch().every((f) => f.startsWith('hub/namespaces/') && f.endsWith('/Work.multicluster.x-k8s.io/manifold.yaml'))).toBe(true);
    const again = manifold(repo, 'render', '.', '--commit', '--as-works', 'sig');
    expect(again.stderr).toContain('unchanged');
    const other = manifold(repo, 'render', '.', '--commit', '--as-works', 'kubefleet');
    expect(other.stderr).not.toContain('unchanged');
    expect(onBranch().every((f) => f.includes('/Work.placement.kubernetes-fleet.io/'))).toBe(true);
    const plain = manifold(repo, 'render', '.', '--commit');
    expect(plain.code).toBe(0);
    expect(plain.stderr).not.toContain('unchanged');
    expect(onBranch().some((f) => f.startsWith('hub/'))).toBe(false);
    expect(onBranch()).toHaveLength(16);
  });

  it('keeps placements stable against a branch of Works, as against a plain one', async () => {
    const repo = path.join(work, `stable-${Math.random().toString(36).slice(2, 8)}`);
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    const cluster = (name: string, taint: boolean) =>
      `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata: {name: ${name}}\n${taint ? 'spec:\n  taints: [{key: maintenance, effect: NoSchedule}]\n' : ''}`;
    writeFileSync(path.join(repo, 'clusters.yaml'), `${cluster('a', true)}---\n${cluster('b', false)}`);
    writeFileSync(
      path.join(repo, 'app.yaml'),
      `apiVersion: apps/v1
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
`,
    );
    const works = () => execFileSync('git', ['ls-tree', '-r', '--name-only', 'manifold/rendered'], { cwd: repo, encoding: 'utf8' }).split('\n').filter((f) => f.startsWith('hub/'));
    expect(manifold(repo, 'render', '.', '--commit', '--as-works', 'ocm').code).toBe(0);
    expect(works()).toEqual(['hub/namespaces/b/ManifestWork.work.open-cluster-management.io/manifold.yaml']);
    // Cluster a is healthy again: Karmada stays on the observed group "backup", read from the branch of Works.
    writeFileSync(path.join(repo, 'clusters.yaml'), `${cluster('a', false)}---\n${cluster('b', false)}`);
    expect(manifold(repo, 'render', '.', '--commit', '--as-works', 'ocm').code).toBe(0);
    expect(works()).toEqual(['hub/namespaces/b/ManifestWork.work.open-cluster-management.io/manifold.yaml']);
    // The replicas a branch of Works holds are read per member cluster, not per hub folder.
    const git = openRepository(repo);
    try {
      const previous = await previousFromBranch(git, 'manifold/rendered');
      expect([...(previous?.clusters ?? [])]).toEqual(['b']);
      expect(previous?.replicas.get('b')?.get('apps/Deployment/shop/web')).toBe(2);
    } finally {
      git.objects.close();
    }
  });

  it('exits 2 and writes nothing when an object cannot fit in any Work', () => {
    const src = copyExample(work, 'quickstart');
    const big = 'x'.repeat(600 * 1024);
    writeFileSync(path.join(src, 'big.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: shop}\ndata: {blob: ${big}}\n---\napiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata: {name: big, namespace: shop}\nspec:\n  resourceSelectors: [{apiVersion: v1, kind: ConfigMap, name: big}]\n  placement: {clusterAffinity: {clusterNames: [us-1]}}\n`);
    const out = path.join(work, 'out-big');
    const r = manifold(work, 'render', src, '--out', out, '--as-works', 'ocm');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/namespaces\/shop\/ConfigMap\/big\.yaml: cluster us-1: this object is \d+ bytes as JSON and exceeds OCM's 512000-byte manifests limit/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses --hub without --as-works', () => {
    const r = manifold(work, 'render', copyExample(work, 'quickstart'), '-o', 'yaml', '--hub', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--hub: only means something with --as-works');
  });
});
