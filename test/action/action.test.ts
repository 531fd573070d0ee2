/**
 * The GitHub Action end to end through its real interface: the committed
 * bundle dist/action.js run as a child process, the way the runner runs it,
 * with INPUT_* variables (action.yml's defaults, as the runner sets them),
 * a pull_request or push event file, temp GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, GITHUB_WORKSPACE a real git repository with
 * base and head commits, a loopback stand-in for GitHub's REST API, and the
 * real git HTTP server for pushes.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHttpServer, type GitHttpServer } from '../git/http-server.ts';
import { cleanupTempDirs, commitAll, gitIn, tempDir, writeFiles } from '../git/repos.ts';
import { seedComments, startFakeGitHub, type FakeGitHub } from './github-api.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist/action.js');
const TOKEN = 'ghs_actionTestToken0123456789abcdef';
const MARKER = '<!-- manifold-diff -->';
const PR = 7;

const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
type: Opaque
data:
  password: c2VjcmV0LW9uZQ==
---
apiVersion: policy.karmada.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: db
  namespace: shop
spec:
  resourceSelectors:
    - apiVersion: v1
      kind: Secret
      name: db
  placement:
    clusterAffinity:
      clusterNames: [eu-1]
`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** The JSON file named by the summary-path output, as text. */
  json: string;
}

/** `name<<delimiter … delimiter` blocks of a GITHUB_OUTPUT file. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^([^\n<]+)<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n?\2\n/gm)) out[m[1] as string] = m[3] as string;
  return out;
}

/** INPUT_* as the runner sets them: every action.yml default, then the step's `with:`. */
function inputsEnv(overrides: Record<string, string>): Record<string, string> {
  const manifest = load(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(manifest.inputs)) {
    const value = name in overrides ? (overrides[name] as string) : spec.default === '${{ github.token }}' ? TOKEN : (spec.default ?? '');
    env[`INPUT_${name.toUpperCase()}`] = value;
  }
  return env;
}

interface RunOptions {
  workspace: string;
  event: 'pull_request' | 'pull_request_target' | 'push';
  payload: unknown;
  sha: string;
  ref: string;
  inputs?: Record<string, string>;
}

let api: FakeGitHub;
let gitServer: GitHttpServer;
let gitRoot: string;

function runAction(o: RunOptions): Promise<Run> {
  const dir = tempDir('action-run');
  const eventPath = path.join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(o.payload));
  const output = path.join(dir, 'output');
  const summary = path.join(dir, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: o.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'acme/fleet',
    GITHUB_SHA: o.sha,
    GITHUB_REF: o.ref,
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_API_URL: api.url,
    GITHUB_SERVER_URL: 'https://github.test',
    GITHUB_RUN_ID: '4242',
    RUNNER_TEMP: dir,
    ...inputsEnv({ source: 'deploy', ...o.inputs }),
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BUNDLE], { cwd: o.workspace, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const outputs = parseOutputs(readFileSync(output, 'utf8'));
      const jsonPath = outputs['summary-path'];
      const json = jsonPath !== undefined && existsSync(jsonPath) ? readFileSync(jsonPath, 'utf8') : '';
      resolve({ code, stdout, stderr, outputs, summary: readFileSync(summary, 'utf8'), json });
    });
  });
}

/** Runs the CLI from source in the workspace (for "the same messages as the CLI"). */
function runCli(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], { cwd, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectNoToken(run: Run): void {
  for (const text of [run.stdout, run.stderr, run.summary, run.json, JSON.stringify(run.outputs)]) expect(text).not.toContain(TOKEN);
  for (const c of [...api.comments.values()].flat()) expect(c.body).not.toContain(TOKEN);
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  writeFileSync(file, text.replace(from, to));
}

/** A repository like actions/checkout leaves it: main holds the base; the PR's merge commit checked out detached. */
function workspace(): { dir: string; base: string } {
  const dir = tempDir('action-ws');
  gitIn(dir, ['init', '-q', '-b', 'main']);
  cpSync(path.join(ROOT, 'examples', 'quickstart'), path.join(dir, 'deploy'), { recursive: true });
  writeFiles(dir, { 'deploy/secret.yaml': SECRET, 'README.md': '# fleet\n' });
  const base = commitAll(dir, 'fleet');
  gitIn(dir, ['checkout', '-q', '-b', 'feature']);
  return { dir, base };
}

/** Commits the change on `feature`, then builds and checks out the merge commit GitHub would test. */
function pullRequestHead(dir: string, base: string, change: () => void, message: string): { head: string; merge: string } {
  gitIn(dir, ['checkout', '-q', 'feature']);
  change();
  const head = commitAll(dir, message);
  gitIn(dir, ['checkout', '-q', '--detach', base]);
  gitIn(dir, ['merge', '-q', '--no-ff', '-m', `Merge ${head} into ${base}`, head]);
  return { head, merge: gitIn(dir, ['rev-parse', 'HEAD']).trim() };
}

function prPayload(base: string, head: string, headRepo = 'acme/fleet'): unknown {
  return {
    action: 'synchronize',
    number: PR,
    pull_request: {
      number: PR,
      base: { sha: base, ref: 'main', repo: { full_name: 'acme/fleet' } },
      head: { sha: head, ref: 'feature', repo: { full_name: headRepo } },
    },
    repository: { full_name: 'acme/fleet', default_branch: 'main' },
  };
}

function requestsSince(n: number): { method: string; path: string }[] {
  return api.requests.slice(n).map((r) => ({ method: r.method, path: r.path }));
}

beforeAll(async () => {
  if (!existsSync(BUNDLE)) throw new Error('dist/action.js is missing: run `npm run build`');
  api = await startFakeGitHub({ token: TOKEN, owner: 'acme', repo: 'fleet' });
  gitRoot = tempDir('action-git');
  gitServer = await startGitHttpServer({ root: gitRoot, token: TOKEN });
});

afterAll(async () => {
  await api.close();
  await gitServer.close();
  cleanupTempDirs();
});

describe('pull_request', () => {
  it('writes the summary and outputs, posts one sticky comment, then updates it in place on the next run', async () => {
    api.comments.clear();
    seedComments(api, PR, 120); // the bot's comment lands on page 2
    const ws = workspace();
    const first = pullRequestHead(
      ws.dir,
      ws.base,
      () => {
        edit(path.join(ws.dir, 'deploy/app.yaml'), 'replicas: 6', 'replicas: 9');
        edit(path.join(ws.dir, 'deploy/secret.yaml'), 'c2VjcmV0LW9uZQ==', 'c2VjcmV0LXR3bw==');
      },
      'scale web, rotate db password',
    );
    const mark = api.requests.length;
    const run1 = await runAction({ workspace: ws.dir, event: 'pull_request', payload: prPayload(ws.base, first.head), sha: first.merge, ref: `refs/pull/${PR}/merge` });
    expect(run1.stderr).toBe('');
    expect(run1.code).toBe(0);

    // The diff is the CLI's diff of the same two commits.
    const cli = await runCli(ws.dir, ['diff', 'deploy', '--base', ws.base, '--head', first.merge, '-o', 'json']);
    expect(cli.code).toBe(1);
    const cliDiff = JSON.parse(cli.stdout) as { summary: unknown; clusters: { cluster: string }[] };
    const summary = JSON.parse(run1.json) as { valid: boolean; base: { commit: string }; head: { commit: string }; summary: unknown; clusters: unknown; changedClusters: string[] };
    expect(summary).toMatchObject({ valid: true, base: { commit: ws.base }, head: { commit: first.merge } });
    expect(summary.clusters).toEqual(cliDiff.clusters);
    expect(summary.summary).toEqual(cliDiff.summary);
    expect(run1.outputs).toMatchObject({ 'changed-clusters': cliDiff.clusters.map((c) => c.cluster).join(','), changed: 'true', valid: 'true' });
    expect(cliDiff.clusters.map((c) => c.cluster)).toContain('eu-1');
    expect(run1.outputs['summary-path']?.startsWith(path.dirname(path.dirname(run1.outputs['summary-path'] ?? '')))).toBe(true);

    expect(run1.summary).toContain('### Manifold: rendered changes');
    expect(run1.summary).toContain(`Base \`${ws.base.slice(0, 12)}\` → head \`${first.merge.slice(0, 12)}\`.`);
    expect(run1.summary).toMatch(/\| `eu-1` \| 0 \| 2 \| 0 \|/);
    expect(run1.summary).toContain('secret value changed: `data.password`');
    expect(run1.summary).toContain('+  replicas: 3');

    // One comment: found nowhere on two pages, so created.
    expect(requestsSince(mark)).toEqual([
      { method: 'GET', path: `/repos/acme/fleet/issues/${PR}/comments?per_page=100` },
      { method: 'GET', path: `/repos/acme/fleet/issues/${PR}/comments?per_page=100&page=2` },
      { method: 'POST', path: `/repos/acme/fleet/issues/${PR}/comments` },
    ]);
    for (const r of api.requests.slice(mark)) expect(r.authorization).toBe(`Bearer ${TOKEN}`);
    const ours = () => (api.comments.get(PR) ?? []).filter((c) => c.body.startsWith(MARKER));
    expect(ours()).toHaveLength(1);
    const comment = ours()[0];
    expect(comment?.body).toMatch(/\| `eu-1` \| 0 \| 2 \| 0 \|/);
    expect(comment?.body).toContain('<details><summary><code>~ Deployment shop/web</code>');
    expect(comment?.body).toContain('[workflow run](https://github.test/acme/fleet/actions/runs/4242)');
    expect(run1.outputs['comment-url']).toBe(comment?.html_url);
    for (const text of [run1.summary, run1.json, comment?.body ?? '']) expect(text).not.toMatch(/c2VjcmV0/);
    expectNoToken(run1);

    // A new push to the PR: the same comment is edited, none added.
    const second = pullRequestHead(ws.dir, ws.base, () => edit(path.join(ws.dir, 'deploy/app.yaml'), 'replicas: 9', 'replicas: 12'), 'scale web again');
    const mark2 = api.requests.length;
    const run2 = await runAction({ workspace: ws.dir, event: 'pull_request', payload: prPayload(ws.base, second.head), sha: second.merge, ref: `refs/pull/${PR}/merge` });
    expect(run2.code).toBe(0);
    expect(requestsSince(mark2)).toEqual([
      { method: 'GET', path: `/repos/acme/fleet/issues/${PR}/comments?per_page=100` },
      { method: 'GET', path: `/repos/acme/fleet/issues/${PR}/comments?per_page=100&page=2` },
      { method: 'PATCH', path: `/repos/acme/fleet/issues/comments/${comment?.id}` },
    ]);
    expect(ours()).toHaveLength(1);
    expect(ours()[0]?.id).toBe(comment?.id);
    expect(ours()[0]?.body).toContain(`→ head \`${second.merge.slice(0, 12)}\``);
    expect(api.comments.get(PR)).toHaveLength(121);
    expect(run2.stdout).toContain('Pull request comment updated');
    expectNoToken(run2);

    // Re-running the same commit changes nothing: no PATCH, no notification.
    const mark3 = api.requests.length;
    const run3 = await runAction({ workspace: ws.dir, event: 'pull_request', payload: prPayload(ws.base, second.head), sha: second.merge, ref: `refs/pull/${PR}/merge` });
    expect(run3.code).toBe(0);
    expect(requestsSince(mark3).map((r) => r.method)).toEqual(['GET', 'GET']);
    expect(run3.stdout).toContain('Pull request comment unchanged');
  });

  it('keeps the comment under 65,536 characters with a note; the job summary keeps the whole diff', async () => {
    api.comments.clear();
    const ws = workspace();
    // ~90 KB of new ConfigMap keys; the ConfigMap follows the Deployment to all four clusters.
    const keys = Array.from({ length: 2000 }, (_, i) => `  KEY_${String(i).padStart(4, '0')}: "${'v'.repeat(32)}"`).join('\n');
    const big = pullRequestHead(ws.dir, ws.base, () => edit(path.join(ws.dir, 'deploy/app.yaml'), '  GREETING: hello from the fleet', `  GREETING: hello from the fleet\n${keys}`), 'big config');
    const run = await runAction({ workspace: ws.dir, event: 'pull_request', payload: prPayload(ws.base, big.head), sha: big.merge, ref: `refs/pull/${PR}/merge` });
    expect(run.code).toBe(0);
    const comment = (api.comments.get(PR) ?? []).find((c) => c.body.startsWith(MARKER));
    expect(comment).toBeDefined();
    expect(comment?.body.length).toBeLessThanOrEqual(65_536);
    expect(comment?.body).toMatch(/object diffs? not shown: the comment is capped at \d+ characters\. See the \[full diff\]\(https:\/\/github\.test\/acme\/fleet\/actions\/runs\/4242\)/);
    expect(comment?.body).not.toContain('KEY_1999');
    const clusters = run.outputs['changed-clusters']?.split(',') ?? [];
    expect(clusters.length).toBe(4);
    for (const c of clusters) expect(comment?.body).toContain(`| \`${c}\` | 0 | 1 | 0 |`);
    expect(run.summary.length).toBeGreaterThan(4 * 80_000);
    expect(run.summary.split('+  KEY_1999: ').length - 1).toBe(4);
    expect(run.summary).not.toContain('not shown');
  });

  it('fails on invalid input with the CLI messages, in the log (annotations on the files) and the summary', async () => {
    api.comments.clear();
    const ws = workspace();
    const bad = pullRequestHead(
      ws.dir,
      ws.base,
      () => {
        writeFiles(ws.dir, { 'deploy/broken.yaml': 'kind: [unclosed\n' });
        edit(path.join(ws.dir, 'deploy/propagation.yaml'), 'replicaSchedulingType: Divided', 'replicaSchedulingType: Divide');
      },
      'break it',
    );
    const cli = await runCli(ws.dir, ['render', 'deploy', '--source-ref', bad.merge, '-o', 'json']);
    expect(cli.code).toBe(2);
    const cliErrors = cli.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(cliErrors.length).toBeGreaterThanOrEqual(2);

    const run = await runAction({ workspace: ws.dir, event: 'pull_request', payload: prPayload(ws.base, bad.head), sha: bad.merge, ref: `refs/pull/${PR}/merge` });
    expect(run.code).toBe(1);
    expect(run.outputs).toMatchObject({ valid: 'false', changed: 'false', 'changed-clusters': '' });
    for (const line of cliErrors) {
      expect(run.summary).toContain(line); // `error: <sha>:propagation.yaml:N: PropagationPolicy shop/web: …`
      expect(run.stdout).toContain(`::${line.slice('error: '.length).replace(/%/g, '%25')}`);
    }
    const policyLine = /:propagation\.yaml:(\d+): /.exec(cliErrors.find((l) => l.includes('propagation.yaml')) ?? '')?.[1];
    expect(run.stdout).toContain(`::error title=Manifold,file=deploy/propagation.yaml,line=${policyLine}::${bad.merge}:propagation.yaml:${policyLine}: PropagationPolicy shop/web: spec.placement.replicaScheduling.replicaSchedulingType`);
    expect(run.stdout).toMatch(/::error title=Manifold,file=deploy\/broken\.yaml,line=\d+::/);
    expect(JSON.parse(run.json)).toMatchObject({ valid: false, head: { errors: cliErrors.map((l) => l.slice('error: '.length)) } });
    // The PR still hears about it, in the sticky comment.
    const comment = (api.comments.get(PR) ?? []).find((c) => c.body.startsWith(MARKER));
    expect(comment?.body).toContain('The head commit does not render: 2 errors.');
    for (const line of cliErrors) expect(comment?.body).toContain(line);
    expectNoToken(run);

    const lenient = await runAction({
      workspace: ws.dir,
      event: 'pull_request',
      payload: prPayload(ws.base, bad.head),
      sha: bad.merge,
      ref: `refs/pull/${PR}/merge`,
      inputs: { 'fail-on-invalid': 'false' },
    });
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/::warning title=Manifold,file=deploy\/propagation\.yaml/);
    expect(lenient.stdout).not.toContain('::error');
  });

  it('a fork pull request falls back to the summary only, without calling the API', async () => {
    const ws = workspace();
    const pr = pullRequestHead(ws.dir, ws.base, () => edit(path.join(ws.dir, 'deploy/app.yaml'), 'replicas: 6', 'replicas: 9'), 'scale');
    const mark = api.requests.length;
    const run = await runAction({ workspace: ws.dir, event: 'pull_request', payload: prPayload(ws.base, pr.head, 'outsider/fleet'), sha: pr.merge, ref: `refs/pull/${PR}/merge` });
    expect(run.code).toBe(0);
    expect(api.requests.length).toBe(mark);
    expect(run.stdout).toContain('::notice title=Manifold::pull request from the fork outsider/fleet runs with a read-only token: the diff is in the job summary only');
    expect(run.summary).toContain('| Cluster | Added | Changed | Removed |');
    expect(run.outputs.changed).toBe('true');
    expect(run.outputs['comment-url']).toBeUndefined();
    expectNoToken(run);
  });

  it('a 403 from the comments API (read-only token) also falls back to the summary only', async () => {
    api.comments.clear();
    const ws = workspace();
    const pr = pullRequestHead(ws.dir, ws.base, () => edit(path.join(ws.dir, 'deploy/app.yaml'), 'replicas: 6', 'replicas: 9'), 'scale');
    api.readOnly = true;
    try {
      const run = await runAction({ workspace: ws.dir, event: 'pull_request', payload: prPayload(ws.base, pr.head), sha: pr.merge, ref: `refs/pull/${PR}/merge` });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('::notice title=Manifold::the token may not comment (POST /repos/acme/fleet/issues/7/comments: HTTP 403 (Resource not accessible by integration)');
      expect(run.summary).toContain('| Cluster | Added | Changed | Removed |');
      expect(api.comments.get(PR) ?? []).toHaveLength(0);
      expectNoToken(run);
    } finally {
      api.readOnly = false;
    }
  });

  it('a rejected token fails the step with the API message and never shows the token', async () => {
    const ws = workspace();
    const pr = pullRequestHead(ws.dir, ws.base, () => edit(path.join(ws.dir, 'deploy/app.yaml'), 'replicas: 6', 'replicas: 9'), 'scale');
    const wrong = 'ghs_wrongTokenShouldNeverBePrinted';
    const run = await runAction({ workspace: ws.dir, event: 'pull_request', payload: prPayload(ws.base, pr.head), sha: pr.merge, ref: `refs/pull/${PR}/merge`, inputs: { token: wrong } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error title=Manifold::pull request comment: GET /repos/acme/fleet/issues/7/comments: HTTP 401 (Bad credentials)');
    expect(run.summary).toContain('| Cluster | Added | Changed | Removed |');
    for (const text of [run.stdout, run.stderr, run.summary, run.json]) expect(text).not.toContain(wrong);
    expect(api.requests.at(-1)?.authorization).toBe(`Bearer ${wrong}`);
  });

  it('a base commit missing from the checkout (shallow clone) fails with a fetch-depth hint', async () => {
    const ws = workspace();
    const pr = pullRequestHead(ws.dir, ws.base, () => edit(path.join(ws.dir, 'deploy/app.yaml'), 'replicas: 6', 'replicas: 9'), 'scale');
    const missing = 'f'.repeat(40);
    const run = await runAction({ workspace: ws.dir, event: 'pull_request', payload: prPayload(missing, pr.head), sha: pr.merge, ref: `refs/pull/${PR}/merge` });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`::error title=Manifold::error: base: unknown revision "${missing}"`);
    expect(run.stdout).toContain('fetch-depth: 0');
    expect(run.summary).toContain(`error: base: unknown revision "${missing}"`);
  });
});

describe('push', () => {
  function remote(ws: string): { url: string; dir: string } {
    const name = `fleet-${Math.random().toString(36).slice(2, 8)}.git`;
    const dir = path.join(gitRoot, name);
    gitIn(gitRoot, ['init', '-q', '--bare', '-b', 'main', name]);
    gitIn(ws, ['push', '-q', dir, 'HEAD:refs/heads/main']);
    return { url: `${gitServer.url}/${name}`, dir };
  }

  it('on the default branch with commit: true, commits and pushes the rendered branch', async () => {
    const ws = workspace();
    gitIn(ws.dir, ['checkout', '-q', 'main']);
    edit(path.join(ws.dir, 'deploy/app.yaml'), 'replicas: 6', 'replicas: 9');
    const after = commitAll(ws.dir, 'scale');
    const target = remote(ws.dir);
    const payload = { before: ws.base, after, ref: 'refs/heads/main', repository: { full_name: 'acme/fleet', default_branch: 'main' } };
    const mark = api.requests.length;
    const run = await runAction({ workspace: ws.dir, event: 'push', payload, sha: after, ref: 'refs/heads/main', inputs: { commit: 'true', 'push-remote': target.url } });
    // isomorphic-git's HTTP client still calls url.parse(); Node warns about it and nothing else may appear.
    expect(run.stderr.replace(/^.*\[DEP0169\].*\n(.*--trace-deprecation.*\n)?/m, '')).toBe('');
    expect(run.code).toBe(0);
    const tip = gitIn(target.dir, ['rev-parse', 'refs/heads/manifold/rendered']).trim();
    expect(run.outputs['rendered-commit']).toBe(tip);
    expect(gitIn(target.dir, ['log', '-1', '--format=%B', 'manifold/rendered'])).toContain(`Manifold-Source-Commit: ${after}`);
    expect(gitIn(target.dir, ['show', 'manifold/rendered:eu-1/namespaces/shop/Deployment.apps/web.yaml'])).toContain('replicas: 3');
    expect(run.stdout).toContain(`pushed ${tip.slice(0, 12)} to ${target.url}`);
    expect(run.summary).toContain('#### Rendered branch');
    expect(run.summary).toContain(`Base \`${ws.base.slice(0, 12)}\` → head \`${after.slice(0, 12)}\`.`);
    expect(api.requests.length).toBe(mark); // no comment on pushes
    expectNoToken(run);
  });

  it('a push the remote refuses fails the step, worded for the token input, without the token', async () => {
    const ws = workspace();
    gitIn(ws.dir, ['checkout', '-q', 'main']);
    const target = remote(ws.dir);
    const wrong = 'ghs_rejectedPushTokenNeverPrinted';
    const payload = { before: ws.base, after: ws.base, ref: 'refs/heads/main', repository: { full_name: 'acme/fleet', default_branch: 'main' } };
    const run = await runAction({ workspace: ws.dir, event: 'push', payload, sha: ws.base, ref: 'refs/heads/main', inputs: { commit: 'true', 'push-remote': target.url, token: wrong } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`::error title=Manifold::error: reading refs of ${target.url}: the server rejected the \`token\` input (HTTP 401)`);
    expect(run.summary).toContain('the server rejected the `token` input');
    expect(run.summary).toContain('No rendered object changes.'); // the diff was reported before the push failed
    for (const text of [run.stdout, run.stderr, run.summary, run.json]) expect(text).not.toContain(wrong);
    expect(() => gitIn(target.dir, ['rev-parse', '--verify', '-q', 'refs/heads/manifold/rendered'])).toThrow();
  });

  it('elsewhere, commit: true commits nothing and says why', async () => {
    const ws = workspace();
    const after = commitAll(ws.dir, 'on feature');
    const target = remote(ws.dir);
    const payload = { before: ws.base, after, ref: 'refs/heads/feature', repository: { full_name: 'acme/fleet', default_branch: 'main' } };
    const run = await runAction({ workspace: ws.dir, event: 'push', payload, sha: after, ref: 'refs/heads/feature', inputs: { commit: 'true', 'push-remote': target.url } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('commit: true applies to runs on the default branch (main); refs/heads/feature is not, so nothing was committed');
    expect(run.outputs).toMatchObject({ changed: 'false', 'changed-clusters': '' });
    expect(() => gitIn(target.dir, ['rev-parse', '--verify', '-q', 'refs/heads/manifold/rendered'])).toThrow();
  });
});
