/**
 * The container without a Docker engine: the Dockerfile's shape, the bundle
 * it builds (run from an empty folder, as in the image, with no
 * node_modules), its ENTRYPOINT + CMD as the runtime would exec them, and the
 * example manifests (security context, probes, flags the CLI knows).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInMemory } from '../../scripts/build.ts';
import { MANIFOLD_VERSION } from '../../src/version.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
let dir: string;
let bundle: string;

/** Instruction lines of the Dockerfile (continuations joined, comments dropped). */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function execForm(keyword: string): string[] {
  const line = instructions(dockerfile).filter((l) => l.startsWith(`${keyword} `)).at(-1);
  if (line === undefined) throw new Error(`no ${keyword}`);
  return JSON.parse(line.slice(keyword.length + 1)) as string[];
}

/** The image's paths mapped onto this machine: the distroless node and the bundle. */
function hostCommand(argv: readonly string[]): string[] {
  return argv.map((a) => (a === '/nodejs/bin/node' ? process.execPath : a === '/app/dist/manifold.js' ? bundle : a));
}

function run(argv: readonly string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const [cmd, ...args] = hostCommand(argv) as [string, ...string[]];
  // cwd and env as in the image: WORKDIR /app (here: an empty folder), no node_modules, no KUBECONFIG.
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, NODE_ENV: 'production', ...env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'manifold-image-'));
  const { contents } = await buildInMemory('manifold');
  bundle = path.join(dir, 'manifold.js');
  writeFileSync(bundle, contents);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Dockerfile', () => {
  it('is multi-stage: node:24-slim + npm ci + the esbuild bundle, then distroless Node 24 as numeric non-root', () => {
    const lines = instructions(dockerfile);
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms).toEqual(['FROM node:24-slim AS build', 'FROM gcr.io/distroless/nodejs24-debian13:nonroot']);
    // --ignore-scripts: package.json's prepare would build before the sources are copied.
    expect(lines).toContain('RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error');
    expect(lines.some((l) => l.startsWith('RUN node scripts/build.ts manifold'))).toBe(true);
    expect(lines).toContain('COPY --from=build /src/dist/manifold.js /app/dist/manifold.js');
    const user = lines.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toMatch(/^USER \d+(:\d+)?$/);
    expect(Number(user?.slice(5).split(':')[0])).toBeGreaterThan(0);
    // Exec form only (no shell in distroless; node must be PID 1 to get SIGTERM).
    expect(execForm('ENTRYPOINT')).toEqual(['/nodejs/bin/node', '/app/dist/manifold.js']);
    expect(execForm('CMD')).toEqual(['reconcile']);
  });

  it('.dockerignore keeps everything the build copies and nothing else', () => {
    const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const copied = instructions(dockerfile)
      .filter((l) => l.startsWith('COPY ') && !l.includes('--from'))
      .flatMap((l) => l.slice(5).split(/\s+/).slice(0, -1));
    for (const src of copied) expect(ignore, src).toContain(`!${src}`);
  });
});

describe('the bundle as the image runs it', () => {
  it('runs with no node_modules: --version, --help, reconcile --help with the loop flags', () => {
    expect(readdirSync(dir)).toEqual(['manifold.js']);
    const version = run([...execForm('ENTRYPOINT'), '--version']);
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(MANIFOLD_VERSION);
    const help = run([...execForm('ENTRYPOINT'), 'reconcile', '--help']);
    expect(help.status).toBe(0);
    for (const flag of ['--interval', '--drift-interval', '--watch', '--remote', '--report', '--listen', '--shutdown-grace', '--in-cluster', '--cluster', '--kubeconfig']) {
      expect(help.stdout).toContain(flag);
    }
  });

  it('ENTRYPOINT + CMD without configuration is a usage error (exit 2) naming what is missing', () => {
    const r = run([...execForm('ENTRYPOINT'), ...execForm('CMD')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/give exactly one of --dir RENDERED_DIR, --watch RENDERED_DIR, or --repo DIR \/ --remote URL/);
  });

  it('a rendered branch that does not exist is a clear error with --once (exit 3)', () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'manifold-empty-repo-'));
    spawnSync('git', ['init', '-q', repo]);
    const r = run([...execForm('ENTRYPOINT'), 'reconcile', '--once', '--repo', repo, '--report']);
    rmSync(repo, { recursive: true, force: true });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/the rendered branch manifold\/rendered does not exist in .*manifold-empty-repo-/);
  });
});

interface Container {
  args: string[];
  securityContext: Record<string, unknown>;
  ports: { containerPort: number }[];
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec?: { template?: { spec: { securityContext: Record<string, unknown>; containers: Container[]; terminationGracePeriodSeconds: number; automountServiceAccountToken?: boolean } } };
  rules?: { verbs: string[] }[];
}

function manifests(mode: 'push' | 'pull' | 'sharded'): Manifest[] {
  const folder = path.join(ROOT, 'examples', 'deploy', mode);
  return readdirSync(folder)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) => loadAll(readFileSync(path.join(folder, f), 'utf8')) as Manifest[]);
}

describe('examples/deploy', () => {
  const help = () => run([...execForm('ENTRYPOINT'), 'reconcile', '--help']).stdout;

  for (const mode of ['push', 'pull', 'sharded'] as const) {
    it(`${mode}: restricted pod security, probes on the served paths, flags the CLI knows, grace above --shutdown-grace`, () => {
      const deployment = manifests(mode).find((m) => m.kind === 'Deployment');
      const pod = deployment?.spec?.template?.spec;
      const container = pod?.containers[0];
      if (pod === undefined || container === undefined) throw new Error('no Deployment');
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      const args = container.args;
      expect(args[0]).toBe(execForm('CMD')[0]);
      const known = help();
      for (const flag of args.filter((a) => a.startsWith('--'))) expect(known, flag).toContain(`${flag} `);
      const listen = args[args.indexOf('--listen') + 1];
      expect(listen).toBe(`:${container.ports[0]?.containerPort}`);
      const grace = Number(/^(\d+)s$/.exec(args[args.indexOf('--shutdown-grace') + 1] ?? '')?.[1]);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(grace);
      expect(container.env?.find((e) => e.name === 'MANIFOLD_GIT_TOKEN')?.valueFrom?.secretKeyRef).toBeDefined();
      if (mode === 'pull') expect(args).toEqual(expect.arrayContaining(['--in-cluster', '--cluster']));
      if (mode === 'push' || mode === 'sharded') expect(args).toContain('--kubeconfig');
      if (mode === 'push') {
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(args).toContain('--kubeconfig');
      }
    });
  }

  it('sharded: 3 replicas with Lease RBAC in their namespace only, a PodDisruptionBudget of one, an identity per pod', () => {
    const all = manifests('sharded') as (Manifest & { spec?: Record<string, unknown>; metadata: { name: string; namespace?: string } })[];
    const deployment = all.find((m) => m.kind === 'Deployment') as Manifest & { spec: { replicas: number } };
    expect(deployment.spec.replicas).toBe(3);
    const args = deployment.spec?.template?.spec.containers[0]?.args ?? [];
    expect(args[args.indexOf('--shard-leases') + 1]).toBe('manifold-system');
    expect(args[args.indexOf('--shard-identity') + 1]).toBe('$(POD_NAME)');
    expect(deployment.spec?.template?.spec.automountServiceAccountToken).toBe(true);
    const role = all.find((m) => m.kind === 'Role') as Manifest & { metadata: { namespace: string }; rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    expect(role.metadata.namespace).toBe('manifold-system');
    expect(role.rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: expect.arrayContaining(['get', 'list', 'create', 'update']) }]);
    expect(all.some((m) => m.kind === 'ClusterRole')).toBe(false);
    const pdb = all.find((m) => m.kind === 'PodDisruptionBudget') as Manifest & { spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } } };
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'manifold', 'app.kubernetes.io/component': 'reconciler' });
  });

  it('pull: the ClusterRole allows apply and prune (the e2e test runs an agent under it)', () => {
    const role = manifests('pull').find((m) => m.kind === 'ClusterRole');
    expect(role?.rules?.[0]?.verbs).toEqual(expect.arrayContaining(['get', 'list', 'create', 'patch', 'delete']));
  });
});
