/**
 * Renders that would come out empty or partial say why (and fail under
 * --strict), and an unschedulable workload can be reported instead of failing
 * the whole render (Karmada: only that binding is Scheduled=False).
 * Through the real CLI: a child process, exit code, stderr, files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../golden.ts';

const work = mkdtempSync(path.join(tmpdir(), 'manifold-empty-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function manifold(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: work, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function source(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(work, 'src-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const DEPLOYMENT = (name: string, replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: nginx}]}
`;
const CLUSTERS = ['member1', 'member2']
  .map((name) => `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata: {name: ${name}, labels: {env: prod}}\nspec: {}\n`)
  .join('---\n');
const POLICY = (name: string, placement: string) => `apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata: {name: ${name}}
spec:
  resourceSelectors: [{apiVersion: apps/v1, kind: Deployment, name: ${name}}]
  placement: ${placement}
`;

describe('a render that places nothing says why', () => {
  it('templates without an inventory: exit 0 with a warning naming the inventory kinds; --strict exits 2 and writes nothing', () => {
    const src = source({ 'app.yaml': DEPLOYMENT('web') });
    const out = path.join(work, 'out-no-inventory');
    const r = manifold('render', src, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: no cluster inventory found: the 1 template renders to no cluster; declare the member clusters with one of: cluster.karmada.io/v1alpha1 Cluster');
    expect(r.stderr).toContain('rendered 0 objects for 0 clusters');
    const strictOut = path.join(work, 'out-no-inventory-strict');
    const strict = manifold('render', src, '--out', strictOut, '--strict');
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/^error: no cluster inventory found: .* \(--strict\)$/m);
    expect(strict.stderr).not.toContain('    at ');
    expect(existsSync(strictOut)).toBe(false);
  });

  it('templates no policy claims: counted and the first five named; manifold.yaml strict: true fails validate too', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const src = source({ 'clusters.yaml': CLUSTERS, 'app.yaml': names.map((n) => DEPLOYMENT(n)).join('---\n') });
    const r = manifold('render', src, '-o', 'yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'warning: 7 of 7 templates claimed by no policy render to no cluster: Deployment default/a (app.yaml:1), Deployment default/b (app.yaml:11), Deployment default/c (app.yaml:21), Deployment default/d (app.yaml:31), Deployment default/e (app.yaml:41) and 2 more',
    );
    writeFileSync(path.join(src, 'manifold.yaml'), 'apiVersion: manifold.dev/v1alpha1\nkind: Project\nspec: {strict: true}\n');
    const strict = manifold('validate', src);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('error: 7 of 7 templates claimed by no policy');
  });

  it('a --strict render refused after its files were written leaves the previous render exactly as it was', () => {
    // render --out writes each object into a staging folder as it is rendered (issue 19); a refusal must not leak it.
    const src = source({ 'clusters.yaml': CLUSTERS, 'app.yaml': DEPLOYMENT('web'), 'policy.yaml': POLICY('web', '{}') });
    const parent = mkdtempSync(path.join(work, 'strict-out-'));
    const out = path.join(parent, 'rendered');
    expect(manifold('render', src, '--out', out).code).toBe(0);
    const snapshot = () => readdirSync(parent, { recursive: true }).map(String).sort().map((f) => [f, statSync(path.join(parent, f)).isFile() ? readFileSync(path.join(parent, f), 'utf8') : '']);
    const before = snapshot();
    expect(before.some(([f]) => f === 'rendered/member1/namespaces/default/Deployment.apps/web.yaml')).toBe(true);
    writeFileSync(path.join(src, 'app.yaml'), [DEPLOYMENT('web', 5), DEPLOYMENT('unclaimed')].join('---\n'));
    const strict = manifold('render', src, '--out', out, '--strict');
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('claimed by no policy');
    expect(snapshot()).toEqual(before); // no staging folder beside DIR, DIR unchanged
  });

  it('a document of an unknown group that looks like a federation object is named', () => {
    const src = source({
      'clusters.yaml': CLUSTERS,
      'fed.yaml': 'apiVersion: kubefed.example.com/v1\nkind: FederatedDeployment\nmetadata: {name: web, namespace: default}\nspec: {}\n',
    });
    const r = manifold('render', src, '-o', 'yaml', '--strict');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: fed.yaml:1: FederatedDeployment default/web: apiVersion: kubefed.example.com/v1 FederatedDeployment looks like a federation object, but no dialect reads it');
  });
});

describe('--unschedulable report', () => {
  const files = () =>
    source({
      'clusters.yaml': CLUSTERS,
      'app.yaml': [DEPLOYMENT('web'), DEPLOYMENT('lost')].join('---\n'),
      'policies.yaml': [POLICY('web', '{clusterAffinity: {labelSelector: {matchLabels: {env: prod}}}}'), POLICY('lost', '{clusterAffinity: {labelSelector: {matchLabels: {env: nowhere}}}}')].join(
        '---\n',
      ),
    });

  it('by default one unschedulable workload fails the whole render (exit 2)', () => {
    const r = manifold('render', files(), '-o', 'yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: policies.yaml:8: PropagationPolicy default\/lost: cannot place Deployment default\/lost: 0\/2 clusters are available/);
  });

  it('renders the rest, summarizes the unschedulable ones on stderr and lists them in provenance', () => {
    const src = files();
    const out = path.join(work, 'out-report');
    const r = manifold('render', src, '--out', out, '--unschedulable', 'report');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('1 template not rendered: Scheduled=False\n  Deployment default/lost (app.yaml:11): policies.yaml:8: PropagationPolicy default/lost: cannot place Deployment default/lost: 0/2 clusters are available');
    expect(r.stderr).not.toContain('claimed by no policy');
    expect(existsSync(path.join(out, 'member1/namespaces/default/Deployment.apps/web.yaml'))).toBe(true);
    expect(existsSync(path.join(out, 'member1/namespaces/default/Deployment.apps/lost.yaml'))).toBe(false);
    const provenance = JSON.parse(readFileSync(path.join(out, '.manifold/provenance.json'), 'utf8'));
    expect(provenance.unschedulable).toEqual([
      {
        key: 'apps/Deployment/default/lost',
        template: 'Deployment default/lost',
        file: 'app.yaml',
        line: 11,
        code: 'NO_CLUSTER_FITS',
        reason: expect.stringContaining('0/2 clusters are available for the placement'),
      },
    ]);
  });

  it('manifold.yaml unschedulable: report does the same; explain shows the upstream reason', () => {
    const src = files();
    writeFileSync(path.join(src, 'manifold.yaml'), 'apiVersion: manifold.dev/v1alpha1\nkind: Project\nspec: {unschedulable: report}\n');
    const r = manifold('render', src, '-o', 'yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# Source: member1/namespaces/default/Deployment.apps/web.yaml');
    const explain = manifold('explain', 'deployment/lost', rmSettings(src));
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('Not rendered: Scheduled=False (unschedulable)\n  policies.yaml:8: PropagationPolicy default/lost: cannot place Deployment default/lost: 0/2 clusters are available');
  });
});

/** explain reports unschedulable templates whatever manifold.yaml says: drop it to prove that. */
function rmSettings(src: string): string {
  rmSync(path.join(src, 'manifold.yaml'));
  return src;
}
