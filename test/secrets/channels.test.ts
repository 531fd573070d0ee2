/**
 * Planted secrets, searched in every channel Manifold writes to (issue 10,
 * item 2). Distinctive values are planted where a user keeps them — Secret
 * data and stringData in all three policy dialects, override values that
 * target those Secrets, a kubeconfig token and client key, the git token in
 * MANIFOLD_GIT_TOKEN and a password in a remote URL's userinfo — and the
 * real CLI (and the Action's entry) runs as a child process against a real
 * git HTTP server and a loopback stand-in for GitHub's comments API. Every
 * channel is then searched for each value and its encodings (raw,
 * percent-encoded, base64 and base64url, padded or not, alone and as
 * `user:value` the way basic auth carries it): stdout, stderr, the JSON
 * logs, provenance, the rendered tree (except a Secret's own file, which
 * is the product), the rendered and report branches (every file and every
 * commit message) and the PR comment bodies.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load, loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../action/github-api.ts';
import { startGitHttpServer, type GitHttpServer } from '../git/http-server.ts';
import { CHANGED, leaks, leaksIn, type Planted } from './leaks.ts';
import { cleanupTempDirs, commitAll, filesAt, gitIn, initBare, tempDir, writeFiles } from '../git/repos.ts';
import { listFiles } from '../golden.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Values that may appear only in the rendered Secret objects themselves. */
const SECRET_DATA = {
  karmadaData: 'karmada-data-Vq7xPw2',
  karmadaStringData: 'karmada-stringdata-Hj4nRt8',
  karmadaOverride: 'karmada-override-Lm3sKd9',
  karmadaFieldOverride: 'karmada-field-override-Zc6yBn1',
  kubefedData: 'kubefed-data-Pk2wQe5',
  kubefedOverride: 'kubefed-override-Md9fGh3',
  kubefedStringOverride: 'kubefed-string-override-Tx4vNj7',
  admiralData: 'admiral-data-Rs5tYu2',
  admiralOverride: 'admiral-override-Wb8kLo6',
};
/** Values that may appear nowhere at all. */
const CREDENTIALS = {
  kubeconfigToken: 'kubeconfig-token-Z8q4LmN0pQ',
  kubeconfigKey: 'kubeconfig-client-key-Fy3hUs7',
  gitToken: 'ghp_plantedGitToken9876xyzAB',
  urlPassword: 'url-userinfo-pass-T4rWq1',
};

const ALL: Planted = { ...SECRET_DATA, ...CREDENTIALS };

// --- the source repository: one folder per dialect, each with a Secret and overrides of it ---

const KARMADA_SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
type: Opaque
data:
  password: ${b64(SECRET_DATA.karmadaData)}
stringData:
  api-key: ${SECRET_DATA.karmadaStringData}
  config.yaml: |
    db:
      password: placeholder
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
      clusterNames: [eu-1, us-1]
---
apiVersion: policy.karmada.io/v1alpha1
kind: OverridePolicy
metadata:
  name: db-us
  namespace: shop
spec:
  resourceSelectors:
    - apiVersion: v1
      kind: Secret
      name: db
  overrideRules:
    - targetCluster:
        clusterNames: [us-1]
      overriders:
        plaintext:
          - path: /data/password
            operator: replace
            value: ${b64(SECRET_DATA.karmadaOverride)}
        fieldOverrider:
          - fieldPath: /stringData/config.yaml
            yaml:
              - subPath: /db/password
                operator: replace
                value: ${SECRET_DATA.karmadaFieldOverride}
`;

const KUBEFED_SECRET = `apiVersion: types.kubefed.io/v1beta1
kind: FederatedSecret
metadata:
  name: db
  namespace: fed-ns
spec:
  template:
    type: Opaque
    data:
      password: ${b64(SECRET_DATA.kubefedData)}
  placement:
    clusters:
      - name: cluster-1
      - name: cluster-2
  overrides:
    - clusterName: cluster-2
      clusterOverrides:
        - path: /data/password
          value: ${b64(SECRET_DATA.kubefedOverride)}
        - path: /stringData
          value:
            token: ${SECRET_DATA.kubefedStringOverride}
`;

const ADMIRAL_SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: prod
  labels:
    kubeadmiral.io/propagation-policy-name: everywhere
    kubeadmiral.io/override-policy-name: db-override
type: Opaque
data:
  password: ${b64(SECRET_DATA.admiralData)}
---
apiVersion: core.kubeadmiral.io/v1alpha1
kind: PropagationPolicy
metadata:
  name: everywhere
  namespace: prod
spec:
  schedulingMode: Duplicate
---
apiVersion: core.kubeadmiral.io/v1alpha1
kind: OverridePolicy
metadata:
  name: db-override
  namespace: prod
spec:
  overrideRules:
    - targetClusters:
        clusters: [cluster-a]
      overriders:
        jsonpatch:
          - operator: replace
            path: /data/password
            value: ${b64(SECRET_DATA.admiralOverride)}
`;

const DIALECTS = ['karmada', 'kubefed', 'kubeadmiral'] as const;
type DialectFolder = (typeof DIALECTS)[number];

/** A valid kubeconfig with the planted token and key, for clusters nobody listens for. */
function kubeconfig(clusters: readonly string[], broken: boolean): string {
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const c of clusters) lines.push(`- name: ${c}`, '  cluster:', '    server: https://127.0.0.1:9', '    insecure-skip-tls-verify: true');
  lines.push('users:', '- name: planted', '  user:', `    token: ${CREDENTIALS.kubeconfigToken}`);
  // The syntax error sits right below the token, so a parser excerpt would quote it.
  if (broken) lines.push('     oops: this line is indented wrongly');
  lines.push(`    client-key-data: ${b64(`-----BEGIN PRIVATE KEY-----\n${CREDENTIALS.kubeconfigKey}\n-----END PRIVATE KEY-----\n`)}`);
  lines.push('contexts:');
  for (const c of clusters) lines.push(`- name: ${c}`, `  context: {cluster: ${c}, user: planted}`);
  return `${lines.join('\n')}\n`;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const BASE_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  NO_COLOR: '1',
  MANIFOLD_GIT_TOKEN: CREDENTIALS.gitToken,
};

/** Async, so the git HTTP server living in this process can answer. */
function runNode(script: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, env: { ...BASE_ENV, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const manifold = (cwd: string, ...args: string[]) => runNode(path.join(ROOT, 'src/cli/main.ts'), args, cwd);

/** Adds a run's stdout and stderr to the channels under `name`. */
function record(channels: Record<string, string>, name: string, run: Run): void {
  channels[`${name}: stdout`] = run.stdout;
  channels[`${name}: stderr`] = run.stderr;
}

function isSecretObject(text: string): boolean {
  try {
    return loadAll(text).some((d) => typeof d === 'object' && d !== null && (d as { kind?: unknown }).kind === 'Secret');
  } catch {
    return false;
  }
}

/** Every file and every commit message of a branch's history. */
function branchChannels(repo: string, branch: string): Record<string, string> {
  const channels: Record<string, string> = {};
  channels[`${branch}: commit messages`] = gitIn(repo, ['log', '--format=%B', branch]);
  for (const [file, content] of filesAt(repo, branch)) channels[`${branch}:${file}`] = content;
  return channels;
}

let work: string;
let repo: string;
let gitServer: GitHttpServer;
let echoServer: GitHttpServer;
let api: FakeGitHub;
let gitRoot: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'manifold-secrets-'));
  repo = tempDir('secrets-source');
  gitIn(repo, ['init', '-q', '-b', 'main']);
  cpSync(path.join(ROOT, 'examples/quickstart'), path.join(repo, 'karmada'), { recursive: true });
  for (const f of ['clusters.yaml', 'namespace.yaml']) cpSync(path.join(ROOT, 'examples/kubefed', f), path.join(repo, 'kubefed', f));
  cpSync(path.join(ROOT, 'examples/kubeadmiral/clusters.yaml'), path.join(repo, 'kubeadmiral/clusters.yaml'));
  writeFiles(repo, {
    'karmada/secret.yaml': KARMADA_SECRET,
    'kubefed/secret.yaml': KUBEFED_SECRET,
    'kubeadmiral/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n',
    'kubeadmiral/secret.yaml': ADMIRAL_SECRET,
  });
  commitAll(repo, 'fleet');
  gitRoot = tempDir('secrets-git');
  gitIn(gitRoot, ['init', '-q', '--bare', '-b', 'main', 'rendered.git']);
  // A remote whose default branch has a commit, as on any hosted repository (isomorphic-git cannot fetch otherwise).
  gitIn(repo, ['push', '-q', path.join(gitRoot, 'rendered.git'), 'main']);
  gitServer = await startGitHttpServer({ root: gitRoot, token: CREDENTIALS.gitToken });
  echoServer = await startGitHttpServer({ root: gitRoot, token: CREDENTIALS.gitToken, echoAuthorization: true });
  api = await startFakeGitHub({ token: CREDENTIALS.gitToken, owner: 'acme', repo: 'fleet' });
}, 60_000);

afterAll(async () => {
  await gitServer?.close();
  await echoServer?.close();
  await api?.close();
  cleanupTempDirs();
});

describe('planted secrets', () => {
  it('the fixture really carries every planted value where the user keeps it', () => {
    const text = DIALECTS.map((d) => readFileSync(path.join(repo, d, 'secret.yaml'), 'utf8')).join('\n');
    expect(Object.keys(SECRET_DATA).filter((k) => leaksIn(text, { [k]: SECRET_DATA[k as keyof typeof SECRET_DATA] }).length === 0)).toEqual([]);
    const found = leaksIn(kubeconfig(['a'], false), CREDENTIALS);
    expect(found).toContain('kubeconfigToken as raw');
    expect(found).toContain('kubeconfigKey as base64 at byte 1');
    expect(leaksIn(`Authorization: Basic ${b64(`x-access-token:${CREDENTIALS.gitToken}`)}`, CREDENTIALS)).toContain('gitToken as base64 at byte 0');
  });
});

/** Renders one dialect's folder and commits it to `rendered-<dialect>` in the source repository. */
async function commitRendered(dialect: DialectFolder): Promise<string> {
  const branch = `rendered-${dialect}`;
  const r = await manifold(repo, 'render', dialect, '--commit', '--branch', branch);
  expect(r.code, r.stderr).toBe(0);
  return branch;
}

describe('reconcile', () => {
  it('a kubeconfig with a syntax error is named by file and line, never quoted: text, JSON, logs, the report branch', async () => {
    const branch = await commitRendered('karmada');
    const file = path.join(work, 'broken-kubeconfig.yaml');
    writeFileSync(file, kubeconfig(['eu-1', 'us-1'], true));
    const errorLine = kubeconfig(['eu-1', 'us-1'], true).split('\n').findIndex((l) => l.includes('oops')) + 1;
    const base = ['reconcile', '--once', '--repo', repo, '--branch', branch, '--kubeconfig', file];
    const text = await manifold(work, ...base);
    const json = await manifold(work, ...base, '-o', 'json');
    const reported = await manifold(work, ...base, '--report', 'status-broken', '--log-level', 'debug');
    for (const r of [text, json, reported]) expect(r.code, r.stderr).toBe(3);
    expect(text.stdout).toContain(`kubeconfig ${file}: not valid YAML (line ${errorLine}, column 10: bad indentation of a mapping entry)`);
    const statuses = (JSON.parse(json.stdout) as { clusters: { conditions: { message: string }[] }[] }).clusters;
    expect(statuses[0]?.conditions[0]?.message).toContain(`line ${errorLine}`);
    const channels: Record<string, string> = {};
    record(channels, 'reconcile text', text);
    record(channels, 'reconcile json', json);
    record(channels, 'reconcile --report (JSON logs on stderr)', reported);
    Object.assign(channels, branchChannels(repo, 'status-broken'));
    expect(Object.keys(channels).filter((c) => c.startsWith('status-broken:')).length).toBeGreaterThan(1);
    expect(leaks(channels, ALL)).toEqual({});
  }, 180_000);

  it('a kubeconfig whose clusters cannot be reached: token and client key stay out of every channel', async () => {
    const branch = await commitRendered('karmada');
    const file = path.join(work, 'kubeconfig.yaml');
    writeFileSync(file, kubeconfig(['eu-1', 'us-1'], false));
    const base = ['reconcile', '--once', '--repo', repo, '--branch', branch, '--kubeconfig', file, '--cluster-timeout', '2s'];
    const json = await manifold(work, ...base, '-o', 'json', '-v');
    const reported = await manifold(work, ...base, '--report', 'status-unreachable', '--log-level', 'debug');
    expect(json.code, json.stderr).toBe(3);
    expect(reported.code, reported.stderr).toBe(3);
    const channels: Record<string, string> = {};
    record(channels, 'reconcile json', json);
    record(channels, 'reconcile --report', reported);
    Object.assign(channels, branchChannels(repo, 'status-unreachable'));
    expect(leaks(channels, ALL)).toEqual({});
  }, 180_000);
});

describe('render, explain, diff, validate', () => {
  it('show no Secret value and no override value of a Secret outside the rendered Secret files', async () => {
    const channels: Record<string, string> = {};
    const secretFiles: string[] = [];
    for (const dialect of DIALECTS) {
      const out = path.join(work, `out-${dialect}`);
      const [render, validate, explain] = await Promise.all([
        manifold(repo, 'render', dialect, '--out', out),
        manifold(repo, 'validate', dialect),
        manifold(repo, 'explain', 'secret/db', dialect),
      ]);
      record(channels, `render ${dialect}`, render);
      record(channels, `validate ${dialect}`, validate);
      expect(explain.code, explain.stderr).toBe(0);
      record(channels, `explain ${dialect}`, explain);
      const files = listFiles(out);
      expect(files).toContain('.manifold/provenance.json');
      for (const file of files) {
        const text = readFileSync(path.join(out, file), 'utf8');
        if (isSecretObject(text)) secretFiles.push(`${dialect}/${file}`);
        else channels[`render ${dialect}: ${file}`] = text;
      }
    }
    // The values did reach the product, so the search above is not vacuous.
    expect(secretFiles.length).toBeGreaterThanOrEqual(6);
    const rendered = secretFiles.map((f) => readFileSync(path.join(work, `out-${f.split('/')[0]}`, f.split('/').slice(1).join('/')), 'utf8')).join('\n');
    expect(leaksIn(rendered, SECRET_DATA).map((l) => l.split(' ')[0])).toEqual(expect.arrayContaining(Object.keys(SECRET_DATA)));

    // A change of every value (data, stringData, override values) shown by diff.
    for (const dialect of DIALECTS) {
      const file = path.join(repo, dialect, 'secret.yaml');
      let text = readFileSync(file, 'utf8');
      for (const value of Object.values(SECRET_DATA)) {
        text = text.replaceAll(value, `${value}${CHANGED}`).replaceAll(b64(value), b64(`${value}${CHANGED}`));
      }
      writeFileSync(file, text);
      const formats = ['text', 'json', 'markdown'];
      const runs = await Promise.all(formats.map((f) => manifold(repo, 'diff', dialect, '--base', 'HEAD', '-o', f)));
      expect(runs[0]?.stdout).toMatch(/Secret/);
      runs.forEach((r, i) => record(channels, `diff ${dialect} -o ${formats[i]}`, r));
    }
    gitIn(repo, ['checkout', '-q', '--', '.']);
    expect(leaks(channels, ALL)).toEqual({});
  }, 180_000);
});

describe('render --push', () => {
  it('a push error that echoes the Authorization header shows no encoding of the token or of URL credentials', async () => {
    const channels: Record<string, string> = {};
    const host = echoServer.url.replace('http://', '');
    for (const url of [`${echoServer.url}/rendered.git`, `http://deployer:${encodeURIComponent(CREDENTIALS.urlPassword)}@${host}/rendered.git`]) {
      const r = await manifold(repo, 'render', 'karmada', '--push', url, '--branch', 'pushed-echo');
      expect(r.code, r.stderr).toBe(3);
      // The echo really happened: the message quotes the proxy's body, with the credentials masked.
      expect(r.stderr).toContain('proxy: upstream refused the request');
      expect(r.stderr).toContain('Authorization: ***');
      record(channels, `push to ${url.includes('@') ? 'userinfo URL' : 'URL'}`, r);
    }
    expect(echoServer.requests.some((q) => q.user === 'x-access-token')).toBe(true);
    expect(leaks(channels, ALL)).toEqual({});
  }, 180_000);

  it('a pushed rendered branch holds no credential, and Secret values only in the Secret files', async () => {
    const r = await manifold(repo, 'render', 'karmada', '--push', `${gitServer.url}/rendered.git`, '--branch', 'pushed');
    expect(r.code, r.stderr).toBe(0);
    const channels: Record<string, string> = {};
    record(channels, 'push', r);
    const branch = branchChannels(path.join(gitRoot, 'rendered.git'), 'pushed');
    for (const [name, text] of Object.entries(branch)) {
      if (isSecretObject(text)) expect(leaksIn(text, CREDENTIALS), name).toEqual([]);
      else channels[name] = text;
    }
    expect(leaks(channels, ALL)).toEqual({});
  }, 180_000);

  it('the reconciler reading from and reporting to a remote with URL userinfo and the token: logs, output and the pushed report branch', async () => {
    const host = gitServer.url.replace('http://', '');
    const remote = `http://deployer:${encodeURIComponent(CREDENTIALS.urlPassword)}@${host}/rendered.git`;
    const pushed = await manifold(repo, 'render', 'karmada', '--push', `${gitServer.url}/rendered.git`, '--branch', 'reconcile-source');
    expect(pushed.code, pushed.stderr).toBe(0);
    const file = path.join(work, 'remote-kubeconfig.yaml');
    writeFileSync(file, kubeconfig(['eu-1', 'us-1'], true));
    const r = await manifold(work, 'reconcile', '--once', '--remote', remote, '--branch', 'reconcile-source', '--kubeconfig', file, '--report', 'status-remote', '--log-level', 'debug', '-o', 'json');
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('http://***@');
    const echoed = await manifold(work, 'reconcile', '--once', '--remote', remote.replace(host, echoServer.url.replace('http://', '')), '--branch', 'reconcile-source', '--kubeconfig', file);
    expect(echoed.code).toBe(3);
    expect(echoed.stderr).toContain('proxy: upstream refused the request');
    const channels: Record<string, string> = {};
    record(channels, 'reconcile --remote', r);
    record(channels, 'reconcile --remote (echoing proxy)', echoed);
    Object.assign(channels, branchChannels(path.join(gitRoot, 'rendered.git'), 'status-remote'));
    expect(Object.keys(channels).some((c) => c.startsWith('status-remote:clusters/'))).toBe(true);
    expect(leaks(channels, ALL)).toEqual({});
  }, 180_000);
});

/** INPUT_* as the runner sets them: action.yml's defaults, then these. */
function actionInputs(overrides: Record<string, string>): Record<string, string> {
  const manifest = load(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(manifest.inputs)) env[`INPUT_${name.toUpperCase()}`] = overrides[name] ?? spec.default ?? '';
  return env;
}

interface ActionRun extends Run {
  summary: string;
  outputs: string;
  json: string;
}

/** The Action's entry from source (the bundle is rebuilt from it), as the runner starts it. */
async function runAction(event: 'pull_request' | 'push', payload: unknown, sha: string, inputs: Record<string, string>): Promise<ActionRun> {
  const dir = tempDir('secrets-action');
  const files = { event: path.join(dir, 'event.json'), output: path.join(dir, 'output'), summary: path.join(dir, 'summary') };
  writeFileSync(files.event, JSON.stringify(payload));
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  const run = await runNode(path.join(ROOT, 'src/action/index.ts'), [], repo, {
    MANIFOLD_GIT_TOKEN: '',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: 'acme/fleet',
    GITHUB_SHA: sha,
    GITHUB_REF: event === 'push' ? 'refs/heads/main' : 'refs/pull/7/merge',
    GITHUB_WORKSPACE: repo,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_API_URL: api.url,
    GITHUB_SERVER_URL: 'https://github.test',
    GITHUB_RUN_ID: '4242',
    RUNNER_TEMP: dir,
    ...actionInputs({ token: CREDENTIALS.gitToken, ...inputs }),
  });
  const outputs = readFileSync(files.output, 'utf8');
  const jsonPath = /^summary-path<<(\S+)\n(.*)\n\1$/m.exec(outputs)?.[2];
  const json = jsonPath !== undefined && existsSync(jsonPath) ? readFileSync(jsonPath, 'utf8') : '';
  return { ...run, summary: readFileSync(files.summary, 'utf8'), outputs, json };
}

function recordAction(channels: Record<string, string>, name: string, run: ActionRun): void {
  record(channels, name, run);
  channels[`${name}: step summary`] = run.summary;
  channels[`${name}: outputs`] = run.outputs;
  channels[`${name}: summary-path JSON`] = run.json;
}

describe('the GitHub Action', () => {
  it('PR comments, summaries, outputs and logs show no Secret value and no token; a push error echoing the header neither', async () => {
    const base = gitIn(repo, ['rev-parse', 'main']).trim();
    gitIn(repo, ['checkout', '-q', '-b', 'rotate', base]);
    for (const dialect of DIALECTS) {
      const file = path.join(repo, dialect, 'secret.yaml');
      let text = readFileSync(file, 'utf8');
      for (const value of Object.values(SECRET_DATA)) text = text.replaceAll(value, `${value}${CHANGED}`).replaceAll(b64(value), b64(`${value}${CHANGED}`));
      writeFileSync(file, text);
    }
    const head = commitAll(repo, 'rotate every secret');
    const channels: Record<string, string> = {};
    try {
      const payload = {
        action: 'synchronize',
        number: 7,
        pull_request: { number: 7, base: { sha: base, ref: 'main', repo: { full_name: 'acme/fleet' } }, head: { sha: head, ref: 'rotate', repo: { full_name: 'acme/fleet' } } },
        repository: { full_name: 'acme/fleet', default_branch: 'main' },
      };
      for (const dialect of DIALECTS) {
        const run = await runAction('pull_request', payload, head, { source: dialect, title: `secrets ${dialect}` });
        expect(run.code, run.stdout + run.stderr).toBe(0);
        recordAction(channels, `action PR ${dialect}`, run);
      }
      const comments = [...api.comments.values()].flat();
      expect(comments.length).toBeGreaterThan(0);
      expect(comments.some((c) => c.body.includes('secret value changed'))).toBe(true);
      comments.forEach((c, i) => (channels[`PR comment ${i}`] = c.body));
      api.requests.forEach((q, i) => (channels[`API request ${i} body`] = JSON.stringify(q.body ?? '')));

      gitIn(repo, ['checkout', '-q', 'main']);
      gitIn(repo, ['merge', '-q', '--ff-only', 'rotate']);
      const push = { before: base, after: head, ref: 'refs/heads/main', repository: { full_name: 'acme/fleet', default_branch: 'main' } };
      const remote = `http://deployer:${encodeURIComponent(CREDENTIALS.urlPassword)}@${echoServer.url.replace('http://', '')}/rendered.git`;
      const pushed = await runAction('push', push, head, { source: 'kubefed', commit: 'true', 'push-remote': remote });
      expect(pushed.code).toBe(1);
      expect(pushed.stdout).toContain('proxy: upstream refused the request');
      recordAction(channels, 'action push', pushed);
    } finally {
      gitIn(repo, ['checkout', '-q', 'main']);
      gitIn(repo, ['reset', '-q', '--hard', base]);
    }
    expect(leaks(channels, ALL)).toEqual({});
  }, 180_000);
});
