/**
 * `manifold render --commit/--push/--source-ref` and `manifold diff` through
 * the real CLI (a child process: exit codes, stdout, stderr), against real
 * git repositories and the loopback git HTTP server.
 */
import { spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHttpServer, type GitHttpServer } from './http-server.ts';
import { cleanupTempDirs, commitAll, gitIn, tempDir, writeFiles } from './repos.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'ghs_cliTestToken0123456789';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process (the git server lives here). */
function manifold(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: undefined, MANIFOLD_GIT_TOKEN: undefined, GIT_CONFIG_GLOBAL: '/dev/null', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: shop
type: Opaque
data:
  password: c2VjcmV0LW9uZQ==
  user: YWRtaW4=
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

/** The quickstart example (plus a Secret) as a git repository with one commit. */
function sourceRepo(): string {
  const dir = path.join(tempDir('cli-src'), 'fleet');
  cpSync(path.join(ROOT, 'examples', 'quickstart'), dir, { recursive: true });
  writeFiles(dir, { 'secret.yaml': SECRET });
  gitIn(dir, ['init', '-q', '-b', 'main']);
  commitAll(dir, 'fleet');
  return dir;
}

function tipOf(dir: string, branch = 'manifold/rendered'): string | undefined {
  try {
    return gitIn(dir, ['rev-parse', '--verify', '-q', `refs/heads/${branch}`]).trim();
  } catch {
    return undefined;
  }
}

let server: GitHttpServer;
let serverRoot: string;

beforeAll(async () => {
  serverRoot = tempDir('cli-http');
  server = await startGitHttpServer({ root: serverRoot, token: TOKEN });
});

afterAll(async () => {
  await server.close();
  cleanupTempDirs();
});

describe('manifold render --commit', () => {
  it('commits the tree to manifold/rendered with the source commit in provenance, then makes no empty commit', async () => {
    const src = sourceRepo();
    const head = gitIn(src, ['rev-parse', 'HEAD']).trim();
    const first = await manifold(src, ['render', '--commit']);
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(tipOf(src));
    expect(first.stderr).toMatch(/committed [0-9a-f]{12} to manifold\/rendered: 4 cluster\(s\) changed/);
    const provenance = JSON.parse(gitIn(src, ['show', 'manifold/rendered:.manifold/provenance.json'])) as { source: { commit?: string } };
    expect(provenance.source.commit).toBe(head);
    expect(gitIn(src, ['log', '-1', '--format=%(trailers:key=Manifold-Source-Commit,valueonly)', 'manifold/rendered']).trim()).toBe(head);
    expect(gitIn(src, ['status', '--porcelain'])).toBe(''); // no folder written, nothing checked out
    const again = await manifold(src, ['render', '--commit']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('unchanged');
    expect(gitIn(src, ['rev-list', '--count', 'manifold/rendered']).trim()).toBe('1');
  });

  it('renders an older commit with --source-ref, into a prefix of another repository', async () => {
    const src = sourceRepo();
    const first = gitIn(src, ['rev-parse', 'HEAD']).trim();
    writeFileSync(path.join(src, 'app.yaml'), readFileSync(path.join(src, 'app.yaml'), 'utf8').replace('replicas: 6', 'replicas: 9'));
    commitAll(src, 'scale up');
    const out = path.join(tempDir('cli-out'), 'rendered');
    gitIn(path.dirname(out), ['init', '-q', '--bare', out]);
    const r = await manifold(src, ['render', '--source-ref', 'HEAD~1', '--commit', '--repo', out, '--branch', 'fleet', '--prefix', 'prod']);
    expect(r.code).toBe(0);
    expect(gitIn(out, ['log', '-1', '--format=%B', 'fleet'])).toContain(`Manifold-Source-Commit: ${first}`);
    expect(gitIn(out, ['show', 'fleet:prod/eu-1/namespaces/shop/Deployment.apps/web.yaml'])).toContain('replicas: 2');
  });

  it('a source commit with invalid files exits 2 naming REF:file:line and leaves the branch untouched', async () => {
    const src = sourceRepo();
    expect((await manifold(src, ['render', '--commit'])).code).toBe(0);
    const before = tipOf(src);
    writeFiles(src, { 'broken.yaml': 'kind: [unclosed\n' });
    const policy = path.join(src, 'propagation.yaml');
    writeFileSync(policy, readFileSync(policy, 'utf8').replace('replicaSchedulingType: Divided', 'replicaSchedulingType: Divide'));
    commitAll(src, 'broken');
    const r = await manifold(src, ['render', '--source-ref', 'main', '--commit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error: main:broken\.yaml:\d+: YAML syntax/);
    expect(r.stderr).toMatch(/error: main:propagation\.yaml:\d+: PropagationPolicy shop\/web: spec\.placement\.replicaScheduling\.replicaSchedulingType/);
    expect(r.stderr).not.toContain('    at ');
    expect(tipOf(src)).toBe(before);
  });

  it('a render refused after its objects were made (--strict) leaves no object in the repository', async () => {
    // render --commit streams blobs into a pack while it renders (git/blob-stream.ts); the pack must not outlive a refusal.
    const src = sourceRepo();
    writeFiles(src, { 'unclaimed.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lonely\n  namespace: shop\ndata:\n  a: b\n' });
    commitAll(src, 'an unclaimed template');
    const objects = () => readdirSync(path.join(src, '.git', 'objects'), { recursive: true }).map(String).sort();
    const before = objects();
    const r = await manifold(src, ['render', '--commit', '--strict']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('claimed by no policy');
    expect(objects()).toEqual(before);
    expect(tipOf(src)).toBeUndefined();
    const ok = await manifold(src, ['render', '--commit']);
    expect(ok.code).toBe(0);
    gitIn(src, ['fsck', '--strict']);
    expect(gitIn(src, ['show', 'manifold/rendered:eu-1/namespaces/shop/Deployment.apps/web.yaml'])).toContain('kind: Deployment');
  });

  it('renders only what changed when only templates changed, giving the tree of a full render', async () => {
    const src = sourceRepo();
    expect((await manifold(src, ['render', '--commit'])).code).toBe(0);
    const edit = (file: string, from: string, to: string) => {
      writeFileSync(path.join(src, file), readFileSync(path.join(src, file), 'utf8').replace(from, to));
      commitAll(src, `edit ${file}`);
    };
    edit('app.yaml', 'replicas: 6', 'replicas: 9');
    const incremental = await manifold(src, ['render', '--commit']);
    expect(incremental.code).toBe(0);
    expect(incremental.stderr).toMatch(/committed [0-9a-f]{12} to manifold\/rendered: \d+ cluster\(s\) changed, \d+ object\(s\) written \(incremental: 4 of 5 template\(s\) rendered again\)/);
    expect(gitIn(src, ['show', 'manifold/rendered:eu-1/namespaces/shop/Deployment.apps/web.yaml'])).toContain('replicas: 3');
    const tree = gitIn(src, ['rev-parse', 'manifold/rendered^{tree}']).trim();
    gitIn(src, ['update-ref', 'refs/heads/manifold/rendered', 'manifold/rendered~1']);
    const full = await manifold(src, ['render', '--commit', '--full']);
    expect(full.code).toBe(0);
    expect(full.stderr).not.toContain('incremental');
    expect(gitIn(src, ['rev-parse', 'manifold/rendered^{tree}']).trim()).toBe(tree);

    edit('propagation.yaml', 'replicaSchedulingType: Divided', 'replicaSchedulingType: Duplicated');
    const policy = await manifold(src, ['render', '--commit']);
    expect(policy.code).toBe(0);
    expect(policy.stderr).toContain('rendering in full: policies, inventory, settings or CRDs changed');

    // A commit on the branch that manifold did not make: its tree may hold files provenance does not list.
    const tip = tipOf(src) as string;
    const manual = gitIn(src, ['commit-tree', `${tip}^{tree}`, '-p', tip, '-m', 'hand edit'], undefined).trim();
    gitIn(src, ['update-ref', 'refs/heads/manifold/rendered', manual]);
    edit('app.yaml', 'replicas: 9', 'replicas: 5');
    const afterManual = await manifold(src, ['render', '--commit']);
    expect(afterManual.code).toBe(0);
    expect(afterManual.stderr).toContain('rendering in full: the branch tip was not committed by manifold');
  });

  it('renders incrementally under --prefix, keeping the rest of the branch', async () => {
    const src = sourceRepo();
    expect((await manifold(src, ['render', '--commit', '--prefix', 'fleets/prod'])).code).toBe(0);
    writeFileSync(path.join(src, 'app.yaml'), readFileSync(path.join(src, 'app.yaml'), 'utf8').replace('replicas: 6', 'replicas: 9'));
    commitAll(src, 'scale up');
    const r = await manifold(src, ['render', '--commit', '--prefix', 'fleets/prod']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('(incremental: 4 of 5 template(s) rendered again)');
    expect(gitIn(src, ['show', 'manifold/rendered:fleets/prod/eu-1/namespaces/shop/Deployment.apps/web.yaml'])).toContain('replicas: 3');
    const provenance = JSON.parse(gitIn(src, ['show', 'manifold/rendered:fleets/prod/.manifold/provenance.json'])) as { source: { commit?: string } };
    expect(provenance.source.commit).toBe(gitIn(src, ['rev-parse', 'HEAD']).trim());
    expect(gitIn(src, ['ls-tree', '--name-only', 'manifold/rendered']).trim()).toBe('fleets');
  });

  it('unknown revisions and folders outside git are input errors (exit 2)', async () => {
    const src = sourceRepo();
    const r = await manifold(src, ['render', '--source-ref', 'no-such-branch', '--commit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown revision "no-such-branch"');
    const plain = path.join(tempDir('plain'), 'src');
    cpSync(path.join(ROOT, 'examples', 'quickstart'), plain, { recursive: true });
    const outside = await manifold(plain, ['render', '--commit']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('not inside a git repository');
    expect(tipOf(src)).toBeUndefined();
  });
});

describe('manifold render --push', () => {
  function remote(): { url: string; dir: string } {
    const name = `cli-${Math.random().toString(36).slice(2, 8)}.git`;
    const dir = path.join(serverRoot, name);
    gitIn(serverRoot, ['init', '-q', '--bare', '-b', 'main', name]);
    const seed = sourceRepo();
    gitIn(seed, ['push', '-q', dir, 'main']);
    return { url: `${server.url}/${name}`, dir };
  }

  it('pushes with MANIFOLD_GIT_TOKEN and never prints it', async () => {
    const src = sourceRepo();
    const target = remote();
    const r = await manifold(src, ['render', '--push', target.url], { MANIFOLD_GIT_TOKEN: TOKEN });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`pushed ${r.stdout.trim().slice(0, 12)} to ${target.url}`);
    expect(gitIn(target.dir, ['rev-parse', 'manifold/rendered']).trim()).toBe(r.stdout.trim());
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('a rejected token exits 3 with a clear message, no token in the output, no branch moved', async () => {
    const src = sourceRepo();
    const target = remote();
    const bad = 'ghs_wrongToken9876543210';
    const r = await manifold(src, ['render', '--push', target.url.replace('http://', `http://x-access-token:${bad}@`)], { MANIFOLD_GIT_TOKEN: bad });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the server rejected the token in MANIFOLD_GIT_TOKEN');
    expect(r.stdout + r.stderr).not.toContain(bad);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(tipOf(src)).toBeUndefined();
    expect(() => gitIn(target.dir, ['rev-parse', '--verify', '-q', 'refs/heads/manifold/rendered'])).toThrow();
    const missing = await manifold(src, ['render', '--push', target.url]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('MANIFOLD_GIT_TOKEN is not set');
  });

  it('an unreachable remote exits 3; an unknown remote name exits 2', async () => {
    const src = sourceRepo();
    const closed = await startGitHttpServer({ root: serverRoot });
    await closed.close();
    const r = await manifold(src, ['render', '--push', `${closed.url}/x.git`], { MANIFOLD_GIT_TOKEN: TOKEN });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('cannot reach the remote');
    const unknown = await manifold(src, ['render', '--push', 'upstream'], { MANIFOLD_GIT_TOKEN: TOKEN });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no remote named "upstream"');
    expect(tipOf(src)).toBeUndefined();
  });

  it('a local rendered commit the remote lacks is pushed with the next render; diverged branches exit 2 and move nothing', async () => {
    const src = sourceRepo();
    const target = remote();
    expect((await manifold(src, ['render', '--push', target.url], { MANIFOLD_GIT_TOKEN: TOKEN })).code).toBe(0);
    // A local-only render (--commit), then a render --push: the local commit is published, not dropped.
    writeFileSync(path.join(src, 'app.yaml'), readFileSync(path.join(src, 'app.yaml'), 'utf8').replace('replicas: 6', 'replicas: 7'));
    commitAll(src, 'seven');
    expect((await manifold(src, ['render', '--commit'])).code).toBe(0);
    const localOnly = tipOf(src) as string;
    writeFileSync(path.join(src, 'app.yaml'), readFileSync(path.join(src, 'app.yaml'), 'utf8').replace('replicas: 7', 'replicas: 8'));
    commitAll(src, 'eight');
    const ahead = await manifold(src, ['render', '--push', target.url], { MANIFOLD_GIT_TOKEN: TOKEN });
    expect(ahead.code, ahead.stderr).toBe(0);
    expect(gitIn(target.dir, ['rev-parse', 'manifold/rendered~1']).trim()).toBe(localOnly);

    // Someone else pushes a render; this clone commits one locally: the branches diverged.
    const other = sourceRepo();
    writeFileSync(path.join(other, 'app.yaml'), readFileSync(path.join(other, 'app.yaml'), 'utf8').replace('replicas: 6', 'replicas: 9'));
    commitAll(other, 'nine');
    expect((await manifold(other, ['render', '--push', target.url], { MANIFOLD_GIT_TOKEN: TOKEN })).code).toBe(0);
    const remoteTip = gitIn(target.dir, ['rev-parse', 'manifold/rendered']).trim();
    writeFileSync(path.join(src, 'app.yaml'), readFileSync(path.join(src, 'app.yaml'), 'utf8').replace('replicas: 8', 'replicas: 5'));
    commitAll(src, 'five');
    expect((await manifold(src, ['render', '--commit'])).code).toBe(0);
    const mine = tipOf(src);
    const diverged = await manifold(src, ['render', '--push', target.url], { MANIFOLD_GIT_TOKEN: TOKEN });
    expect(diverged.code).toBe(2);
    expect(diverged.stderr).toContain('pushing would drop the local ones, so nothing was pushed');
    expect(diverged.stderr).toContain('git branch -f manifold/rendered refs/remotes/manifold/manifold/rendered');
    expect(diverged.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(tipOf(src)).toBe(mine);
    expect(gitIn(target.dir, ['rev-parse', 'manifold/rendered']).trim()).toBe(remoteTip);
    // Seven CLI runs: about 30 s on the shared 2-core machine under load, before and after send-pack.ts.
  }, 90_000);
});

describe('manifold diff', () => {
  it('exits 0 with no change, 1 with changes; masks Secret values but flags them', async () => {
    const src = sourceRepo();
    const same = await manifold(src, ['diff', '--base', 'HEAD']);
    expect(same).toMatchObject({ code: 0, stdout: 'No differences.\n' });
    writeFileSync(path.join(src, 'secret.yaml'), SECRET.replace('c2VjcmV0LW9uZQ==', 'c2VjcmV0LXR3bw=='));
    writeFileSync(path.join(src, 'app.yaml'), readFileSync(path.join(src, 'app.yaml'), 'utf8').replace('replicas: 6', 'replicas: 9'));
    const text = await manifold(src, ['diff', '--base', 'HEAD']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('~ Secret shop/db (eu-1/namespaces/shop/Secret/db.yaml) [secret value changed: data.password]');
    expect(text.stdout).toContain("-  password: '***'\n    +  password: '*** (value changed)'");
    expect(text.stdout).toContain('+  replicas: 3');
    expect(text.stdout).not.toMatch(/c2VjcmV0|YWRtaW4=/);
    expect(text.stdout).not.toContain('\x1b['); // not a TTY: no colour
    const md = await manifold(src, ['diff', '--base', 'HEAD', '-o', 'markdown']);
    expect(md.code).toBe(1);
    expect(md.stdout).toContain('| `eu-1` | 0 | 2 | 0 |');
    expect(md.stdout).toContain('secret value changed: `data.password`');
    expect(md.stdout).not.toMatch(/c2VjcmV0|YWRtaW4=/);
    const json = await manifold(src, ['diff', '--base', 'HEAD', '-o', 'json']);
    expect((JSON.parse(json.stdout) as { summary: { changed: number } }).summary.changed).toBe(4);
    expect(json.stdout).not.toMatch(/c2VjcmV0|YWRtaW4=/);
    commitAll(src, 'rotate');
    const between = await manifold(src, ['diff', '--base', 'HEAD~1', '--head', 'HEAD', '-o', 'json']);
    expect(between.code).toBe(1);
    expect(between.stdout).toBe(json.stdout);
  });

  it('compares two rendered folders', async () => {
    const src = sourceRepo();
    const work = tempDir('cli-diff');
    expect((await manifold(src, ['render', '--out', path.join(work, 'a')])).code).toBe(0);
    writeFileSync(path.join(src, 'app.yaml'), readFileSync(path.join(src, 'app.yaml'), 'utf8').replace('replicas: 6', 'replicas: 9'));
    expect((await manifold(src, ['render', '--out', path.join(work, 'b')])).code).toBe(0);
    const r = await manifold(work, ['diff', '--base-dir', 'a', '--head-dir', 'b']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/3 clusters changed: 0 added, 3 changed, 0 removed\n$/);
    expect((await manifold(work, ['diff', '--base-dir', 'a', '--head-dir', 'a'])).code).toBe(0);
  });

  it('exits 2 on an unknown base, a missing base, or a missing folder', async () => {
    const src = sourceRepo();
    const unknown = await manifold(src, ['diff', '--base', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown revision "nope"');
    expect((await manifold(src, ['diff'])).code).toBe(2);
    expect((await manifold(src, ['diff', '--base-dir', 'missing'])).code).toBe(2);
    expect((await manifold(src, ['diff', '--base', 'HEAD', '-o', 'yaml'])).code).toBe(2);
  });
});
