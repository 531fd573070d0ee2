// Issue 16 on the real test fleet: `manifold reconcile --once --report
// --commit-status` (the real CLI, a child process) applies a rendered branch
// whose provenance names its source commit, posts manifold/<cluster> on that
// source commit to the loopback stand-in for GitHub's REST API, and writes
// index.html beside README.md on the report branch; `manifold status` reads
// it back. No Secret value, token or kubeconfig content reaches the page,
// the statuses or the logs (test/secrets/leaks.ts encodings).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/model/types.ts';
import { startFakeGitHub, type FakeGitHub } from '../action/github-api.ts';
import { useFleet } from '../fleet/e2e.ts';
import { commitAll, gitIn, initRepo } from '../git/repos.ts';
import { leaks, type Planted } from '../secrets/leaks.ts';

const fleet = useFleet();
const names = fleet.clusters.map((c) => c.name);
const [good, bad] = names as [string, string];
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NS = 'status-e2e';
const GITHUB_TOKEN = 'ghs_statusE2eToken-Vb71Qa';
const SECRET_VALUE = 'status-e2e-Secret-Value-3Jd8';
const tmp = mkdtempSync(path.join(tmpdir(), 'manifold-status-e2e-'));

let github: FakeGitHub;
let work: string;
let sourceCommit: string;
let renderedCommit: string;

function run(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd: work, env: { PATH: process.env.PATH, HOME: tmp, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function write(cluster: string, objects: JsonObject[]): void {
  for (const o of objects) {
    const meta = o.metadata as JsonObject;
    const file = path.join(work, cluster, `namespaces/${String(meta.namespace)}/${String(o.kind)}/${String(meta.name)}.yaml`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, dump(o, { noRefs: true }));
  }
}

beforeAll(async () => {
  github = await startFakeGitHub({ token: GITHUB_TOKEN, owner: 'acme', repo: 'fleet' });
  work = initRepo({ 'app.yaml': 'kind: ConfigMap\n' });
  sourceCommit = gitIn(work, ['rev-parse', 'HEAD']).trim();
  gitIn(work, ['checkout', '-q', '--orphan', 'manifold/rendered']);
  gitIn(work, ['rm', '-rqf', '.']);
  // The provenance `manifold render --commit` writes names the source commit (source.commit).
  mkdirSync(path.join(work, '.manifold'));
  writeFileSync(path.join(work, '.manifold', 'provenance.json'), `${JSON.stringify({ generator: 'manifold test', source: { commit: sourceCommit, inputs: [] }, clusters: {} }, null, 2)}\n`);
  const ns: JsonObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } };
  const secret: JsonObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: NS }, type: 'Opaque', stringData: { password: SECRET_VALUE } };
  for (const c of names) {
    mkdirSync(path.join(work, c, 'cluster', 'Namespace'), { recursive: true });
    writeFileSync(path.join(work, c, 'cluster', 'Namespace', `${NS}.yaml`), dump(ns));
    write(c, [secret, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: NS }, data: { v: '1' } }]);
  }
  // One object the API server refuses on one cluster: a namespace that does not exist.
  write(bad, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orphan', namespace: 'no-such-namespace-e2e' }, data: { v: '1' } }]);
  renderedCommit = commitAll(work, 'render');
  gitIn(work, ['checkout', '-q', 'main']);
}, 60_000);

afterAll(async () => {
  await github?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('status page, commit statuses and manifold status on the fleet', () => {
  let reconcile: { code: number | null; stdout: string; stderr: string };

  it('reconcile --once --report --commit-status posts manifold/<cluster> on the source commit and writes index.html', async () => {
    reconcile = await run(
      ['reconcile', '--once', '--repo', work, '--report', '--kubeconfig', fleet.kubeconfigPath, '--allow-mass-prune', '--commit-status', '--github-repository', 'acme/fleet', '--github-api-url', github.url, '--status-url', 'https://status.example/fleet'],
      { MANIFOLD_GITHUB_TOKEN: GITHUB_TOKEN },
    );
    expect(reconcile.code, reconcile.stderr).toBe(1);
    const posted = github.statuses.get(sourceCommit) ?? [];
    expect(posted.find((s) => s.context === `manifold/${good}`)).toMatchObject({ state: 'success', description: expect.stringMatching(/^synced: /), target_url: 'https://status.example/fleet' });
    expect(posted.find((s) => s.context === `manifold/${bad}`)).toMatchObject({ state: 'failure', description: expect.stringMatching(/^failed: 1 objects failed/) });
    expect(posted).toHaveLength(names.length);
    expect(github.statuses.has(renderedCommit)).toBe(false);

    const page = gitIn(work, ['show', 'manifold/status:index.html']);
    expect(page).toContain('<b id="count-Failed">1</b>');
    expect(page).toContain(`"cluster":"${bad}"`);
    expect(page).toContain('no-such-namespace-e2e');
  });

  it('a new process posts each cluster\'s state once more (it keeps no memory; GitHub shows the newest per context)', async () => {
    const again = await run(['reconcile', '--once', '--repo', work, '--report', '--kubeconfig', fleet.kubeconfigPath, '--commit-status', '--github-repository', 'acme/fleet', '--github-api-url', github.url], {
      MANIFOLD_GITHUB_TOKEN: GITHUB_TOKEN,
    });
    expect(again.code, again.stderr).toBe(1);
    const posted = github.statuses.get(sourceCommit) ?? [];
    for (const c of names) {
      const states = posted.filter((s) => s.context === `manifold/${c}`).map((s) => s.state);
      expect(states).toEqual(c === bad ? ['failure', 'failure'] : ['success', 'success']);
    }
  });

  it('manifold status reads the report back: exit 1, the failed cluster named with its message', async () => {
    const table = await run(['status']);
    expect(table.code, table.stderr).toBe(1);
    // READY from the cluster's own Ready condition, which the reconciler now observes (live, issue 14).
    expect(table.stdout).toMatch(new RegExp(`^${good} +Synced +Ready +${renderedCommit.slice(0, 12)} +at tip `, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^${bad} +Failed `, 'm'));
    const detail = await run(['status', bad]);
    expect(detail.stdout).toMatch(/ConfigMap +no-such-namespace-e2e +orphan +failed/);
    expect((await run(['status', good])).code).toBe(0);
  });

  it('no Secret value, token or kubeconfig credential on the page, in the statuses or the logs', () => {
    const planted: Planted = { githubToken: GITHUB_TOKEN, secretValue: SECRET_VALUE };
    for (const c of fleet.clusters) {
      planted[`${c.name} token`] = c.token;
      planted[`${c.name} client key`] = c.clientKeyPem.split('\n')[1] ?? c.clientKeyPem;
    }
    const page = gitIn(work, ['show', 'manifold/status:index.html']);
    const statuses = JSON.stringify([...github.statuses.values()]);
    const requests = JSON.stringify(github.requests.map((r) => ({ path: r.path, body: r.body })));
    expect(leaks({ page, statuses, requests, logs: `${reconcile.stdout}${reconcile.stderr}` }, planted)).toEqual({});
  });
});
