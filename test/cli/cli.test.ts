/** The CLI through its real interface: a child process, its exit code, stdout, stderr and files. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyExample, listFiles, ROOT } from '../golden.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function manifold(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: work, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('manifold render', () => {
  it('writes one folder per cluster plus provenance, and replaces stale files', () => {
    const src = copyExample(work, 'quickstart');
    const out = path.join(work, 'out-quickstart');
    mkdirSync(path.join(out, '.manifold'), { recursive: true });
    writeFileSync(path.join(out, '.manifold', 'provenance.json'), '{}');
    writeFileSync(path.join(out, 'stale.yaml'), 'x: 1');
    const r = manifold('render', src, '--out', out);
    expect(r.stderr).toContain('rendered 16 objects for 4 clusters');
    expect(r.code).toBe(0);
    const files = listFiles(out);
    expect(files).not.toContain('stale.yaml');
    expect(files).toContain('eu-1/namespaces/shop/Deployment.apps/web.yaml');
    const provenance = JSON.parse(readFileSync(path.join(out, '.manifold', 'provenance.json'), 'utf8'));
    expect(provenance.objects.find((o: { template: string }) => o.template === 'Deployment shop/web').policy).toBe('PropagationPolicy shop/web');
  });

  it('on invalid input exits 2 with one message per problem, no stack trace, and leaves the output folder as it was', () => {
    const src = copyExample(work, 'quickstart');
    const out = path.join(work, 'out-invalid');
    expect(manifold('render', src, '--out', out).code).toBe(0);
    const before = listFiles(out).map((f) => [f, readFileSync(path.join(out, f), 'utf8')]);
    const policy = path.join(src, 'propagation.yaml');
    writeFileSync(policy, readFileSync(policy, 'utf8').replace('replicaSchedulingType: Divided', 'replicaSchedulingType: Divide'));
    writeFileSync(path.join(src, 'broken.yaml'), 'kind: [unclosed\n');
    const r = manifold('render', src, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'error: propagation.yaml:25: PropagationPolicy shop/web: spec.placement.replicaScheduling.replicaSchedulingType: expected Duplicated|Divided, got "Divide"',
    );
    expect(r.stderr).toMatch(/error: broken\.yaml:\d+: YAML syntax/);
    expect(r.stderr).toContain('2 errors; nothing was written');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const after = listFiles(out).map((f) => [f, readFileSync(path.join(out, f), 'utf8')]);
    expect(after).toEqual(before);
  });

  it('fails the render when an override cannot apply, naming the policy, the rule and the cluster', () => {
    const src = copyExample(work, 'quickstart');
    writeFileSync(
      path.join(src, 'bad-override.yaml'),
      `apiVersion: policy.karmada.io/v1alpha1
kind: ClusterOverridePolicy
metadata: {name: strict-replace}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: web}]
  overrideRules:
    - targetCluster: {clusterNames: [us-2]}
      overriders:
        plaintext:
          - {path: /spec/paused, operator: replace, value: true}
`,
    );
    const r = manifold('validate', src);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-override\.yaml:7: ClusterOverridePolicy strict-replace: spec\.overrideRules\[0\]\.overriders\.plaintext\[0\]: cannot apply to Deployment shop\/web in cluster us-2: .*\/spec\/paused/);
  });

  it('refuses to replace a folder that is not a Manifold output', () => {
    const src = copyExample(work, 'quickstart');
    const out = path.join(work, 'precious');
    mkdirSync(out);
    writeFileSync(path.join(out, 'notes.txt'), 'keep me');
    const r = manifold('render', src, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a Manifold output folder');
    expect(readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('prints the tree with -o yaml and writes nothing', () => {
    const src = copyExample(work, 'karmada-seed');
    const r = manifold('render', src, '-o', 'yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# Source: member2/namespaces/default/Deployment.apps/nginx.yaml');
    expect(existsSync(path.join(work, 'rendered'))).toBe(false);
    const json = JSON.parse(manifold('render', src, '-o', 'json').stdout);
    expect(json.clusters.member1['namespaces/default/Deployment.apps/nginx.yaml'].spec.replicas).toBe(1);
  });

  it('exits 3, not "internal error", when the file system refuses the write', () => {
    const src = copyExample(work, 'karmada-seed');
    const blocker = path.join(work, 'not-a-folder');
    writeFileSync(blocker, 'a file');
    const r = manifold('render', src, '--out', path.join(blocker, 'out'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: .*(ENOTDIR|EEXIST)/m);
    expect(r.stderr).not.toContain('internal error');
  });

  it('exits 2 on a usage error', () => {
    expect(manifold('render', '--output', 'xml').code).toBe(2);
    expect(manifold('frobnicate').code).toBe(2);
  });
});

describe('manifold explain and validate', () => {
  it('explains the policy, clusters, replica arithmetic and overrides', () => {
    const r = manifold('explain', 'deployment/web', '-n', 'shop', path.join(ROOT, 'examples/quickstart'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PropagationPolicy shop/web (propagation.yaml:5) claims it');
    expect(r.stdout).toContain('webster 6 over [eu-1,eu-2,us-1,us-2] → eu-1=2 eu-2=2 us-1=1 us-2=1');
    expect(r.stdout).toContain('eu-1, eu-2: namespaces/shop/Deployment.apps/web.yaml');
  });

  it('explains a template no policy claims', () => {
    const src = copyExample(work, 'karmada-seed');
    writeFileSync(path.join(src, 'lonely.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lonely}\n');
    const r = manifold('explain', 'configmap/lonely', src);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Not rendered: no policy of any dialect claims this template.');
  });

  it('validate exits 0 on the examples and writes nothing', () => {
    const r = manifold('validate', path.join(ROOT, 'examples/quickstart'));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });
});
