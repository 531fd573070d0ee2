/**
 * Apply and drift-check benchmark (issue 6): Manifold's reconciler against
 * kubectl on the same real API server, side by side in one run.
 *
 *   1. cold apply of N objects (ConfigMaps and Deployments over a few
 *      namespaces) — `manifold` (reconcileCluster, 16 requests in flight)
 *      vs `kubectl apply --server-side -R -f DIR`;
 *   2. drift check of the same N unchanged objects — a second reconcile
 *      (must write nothing) vs `kubectl diff --server-side -R -f DIR`;
 *   3. one object changed by someone else: found and corrected;
 *   4. the drift check as a user runs it: `manifold reconcile --once --dir`
 *      as a process (the esbuild bundle that the `manifold` binary and the
 *      container run, and the sources as `npm run manifold` runs them), so
 *      start-up, reading and parsing the files, the kubeconfig and discovery
 *      are counted, side by side with `kubectl diff --server-side -R`.
 *
 * Each tool gets its own namespaces (same objects, other names), so neither
 * sees the other's objects. The fleet is one API server (etcd + kube-apiserver,
 * no controller manager: Deployments are stored, not rolled out, so the
 * numbers measure apply and not the controllers).
 *
 *   scripts/node24.sh node bench/apply-bench.ts [--objects 5000] [--namespaces 5] [--kubectl PATH] [--skip-kubectl]
 *     [--also-cli ENTRY ...]   also time another CLI entry point (e.g. an older build) in phase 4
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dump } from 'js-yaml';
import type { JsonObject } from '../src/model/types.ts';
import { buildInMemory } from '../scripts/build.ts';
import { reconcileCluster } from '../src/reconcile/cluster.ts';
import { parseTree } from '../src/reconcile/objects.ts';
import { readRenderedFolder } from '../src/reconcile/source.ts';
import { KubeClient } from '../src/reconcile/kube.ts';
import type { ClusterStatus } from '../src/reconcile/types.ts';
import { startFleet } from '../test/fleet/fleet.ts';

const { values: args } = parseArgs({
  options: {
    objects: { type: 'string', default: '5000' },
    namespaces: { type: 'string', default: '5' },
    kubectl: { type: 'string', default: 'kubectl' },
    'skip-kubectl': { type: 'boolean', default: false },
    repeat: { type: 'string', default: '3' },
    'also-cli': { type: 'string', multiple: true, default: [] },
  },
});
const N = Number(args.objects);
const NAMESPACES = Number(args.namespaces);
const REPEAT = Number(args.repeat);

/** N objects: half ConfigMaps, half Deployments, spread over the namespaces (namespace objects not counted). */
function objects(prefix: string): JsonObject[] {
  const out: JsonObject[] = [];
  for (let n = 0; n < NAMESPACES; n++) out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${prefix}-${n}` } });
  for (let i = 0; i < N; i++) {
    const ns = `${prefix}-${i % NAMESPACES}`;
    const name = `app-${String(i).padStart(5, '0')}`;
    if (i % 2 === 0) {
      out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { app: name } }, data: { 'app.properties': `name=${name}\nreplicas=2\nregion=eu-west-1\n`, LOG_LEVEL: 'info' } });
    } else {
      out.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: ns, labels: { app: name } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              containers: [
                {
                  name: 'main',
                  image: 'registry.example.com/team/app:1.2.3',
                  ports: [{ containerPort: 8080, name: 'http' }],
                  env: [{ name: 'LOG_LEVEL', value: 'info' }],
                  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                },
              ],
            },
          },
        },
      });
    }
  }
  return out;
}

/** The render layout: cluster/<Kind>/<name>.yaml, namespaces/<ns>/<Kind.group>/<name>.yaml. */
function tree(objs: readonly JsonObject[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const o of objs) {
    const meta = o.metadata as JsonObject;
    const group = String(o.apiVersion).includes('/') ? `.${String(o.apiVersion).split('/')[0]}` : '';
    const dir = meta.namespace ? `namespaces/${String(meta.namespace)}` : 'cluster';
    files.set(`${dir}/${String(o.kind)}${group}/${String(meta.name)}.yaml`, dump(o, { noRefs: true, lineWidth: -1 }));
  }
  return files;
}

function writeTree(dir: string, files: ReadonlyMap<string, string>): void {
  for (const [file, content] of files) {
    const full = path.join(dir, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

function run(cmd: string, argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; ms: number; stderr: string; stdoutBytes: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdoutBytes = 0;
    child.stdout.on('data', (c: Buffer) => (stdoutBytes += c.length));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: performance.now() - started, stderr: stderr.slice(-2000), stdoutBytes }));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const fmt = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);

async function reconcileTimed(client: KubeClient, files: Map<string, string>): Promise<{ status: ClusterStatus; ms: number; requests: number }> {
  const before = client.requests;
  const started = performance.now();
  const status = await reconcileCluster(files, { client, renderedCommit: 'bench', allowMassPrune: false });
  return { status, ms: performance.now() - started, requests: client.requests - before };
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const fleet = await startFleet({ clusters: 1, controllerManager: false, kwokNodes: 0, log });
const work = mkdtempSync(path.join(tmpdir(), 'manifold-apply-bench-'));
const rows: string[][] = [];
try {
  const cluster = fleet.clusters[0];
  if (!cluster) throw new Error('no cluster');
  const env = { ...process.env, KUBECONFIG: fleet.kubeconfigPath };
  const manifoldFiles = tree(objects('mf'));
  const kubectlDir = path.join(work, 'kubectl');
  writeTree(kubectlDir, tree(objects('kb')));
  const total = manifoldFiles.size;
  log(`bench: ${N} objects + ${NAMESPACES} namespaces per tool (${total} files), Kubernetes ${fleet.k8sVersion}`);

  // A fresh client per phase: discovery and connections are part of the cost.
  const client = KubeClient.create(cluster.name, { mode: 'kubeconfig', kubeconfigPath: fleet.kubeconfigPath, context: cluster.name });
  const rssBefore = process.memoryUsage().rss;
  const cold = await reconcileTimed(client, manifoldFiles);
  const rssAfter = process.memoryUsage().rss;
  if (cold.status.result !== 'Synced' || cold.status.summary.applied !== total) throw new Error(`cold apply: ${JSON.stringify(cold.status.summary)} ${JSON.stringify(cold.status.conditions)}`);
  log(`manifold cold apply: ${fmt(cold.ms)}, ${cold.requests} requests`);

  let kubectlApply: Awaited<ReturnType<typeof run>> | undefined;
  if (!args['skip-kubectl']) {
    kubectlApply = await run(args.kubectl, ['apply', '--server-side', '--force-conflicts', '-R', '-f', kubectlDir], env);
    if (kubectlApply.code !== 0) throw new Error(`kubectl apply failed (${kubectlApply.code}): ${kubectlApply.stderr}`);
    log(`kubectl apply --server-side: ${fmt(kubectlApply.ms)}`);
  }

  const checks: { ms: number; requests: number }[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const c = KubeClient.create(cluster.name, { mode: 'kubeconfig', kubeconfigPath: fleet.kubeconfigPath, context: cluster.name });
    // A new Map, as a new process or a new commit has: its files are parsed again (parseTree caches per Map).
    const r = await reconcileTimed(c, new Map(manifoldFiles));
    await c.close();
    if (r.status.summary.unchanged !== total || r.status.summary.applied !== 0) throw new Error(`drift check wrote something: ${JSON.stringify(r.status.summary)}`);
    checks.push({ ms: r.ms, requests: r.requests });
    log(`manifold drift check #${i + 1}: ${fmt(r.ms)}, ${r.requests} requests`);
  }

  let kubectlDiff: Awaited<ReturnType<typeof run>> | undefined;
  if (!args['skip-kubectl']) {
    kubectlDiff = await run(args.kubectl, ['diff', '--server-side', '--force-conflicts', '-R', '-f', kubectlDir], env);
    if (kubectlDiff.code !== 0 && kubectlDiff.code !== 1) throw new Error(`kubectl diff failed (${kubectlDiff.code}): ${kubectlDiff.stderr}`);
    log(`kubectl diff --server-side: ${fmt(kubectlDiff.ms)} (exit ${kubectlDiff.code}, ${kubectlDiff.stdoutBytes} bytes of diff)`);
  }

  // Someone scales one Deployment: found and put back.
  const deployments = { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, verbs: [] };
  await client.request('PATCH', KubeClient.path(deployments, 'mf-1', 'app-00001'), {
    query: { fieldManager: 'intruder' },
    body: JSON.stringify({ spec: { replicas: 7 } }),
    contentType: 'application/merge-patch+json',
  });
  const c2 = KubeClient.create(cluster.name, { mode: 'kubeconfig', kubeconfigPath: fleet.kubeconfigPath, context: cluster.name });
  const drifted = await reconcileTimed(c2, new Map(manifoldFiles));
  await c2.close();
  if (drifted.status.summary.drifted !== 1 || drifted.status.summary.applied !== 1) throw new Error(`one drift: ${JSON.stringify(drifted.status.summary)}`);
  log(`manifold one drifted object: ${fmt(drifted.ms)}, ${drifted.requests} requests`);
  await client.close();

  // As users run it: a process per check, reading the rendered folder (cluster folder = context name).
  const renderedDir = path.join(work, 'rendered');
  writeTree(path.join(renderedDir, cluster.name), manifoldFiles);
  const bundle = path.join(work, 'manifold.js');
  writeFileSync(bundle, (await buildInMemory('manifold')).contents);
  const cliArgs = ['reconcile', '--once', '--dir', renderedDir, '--kubeconfig', fleet.kubeconfigPath];
  const cli: Record<string, number[]> = { bundle: [], sources: [] };
  const entries: [string, string][] = [['bundle', bundle], ['sources', path.resolve(import.meta.dirname, '../src/cli/main.ts')], ...(args['also-cli'] ?? []).map((e): [string, string] => [e, e])];
  for (let i = 0; i < REPEAT; i++) {
    for (const [kind, entry] of entries) {
      cli[kind] ??= [];
      const r = await run(process.execPath, [entry, ...cliArgs], env);
      if (r.code !== 0) throw new Error(`manifold reconcile --once (${kind}) exited ${r.code}: ${r.stderr}`);
      cli[kind]?.push(r.ms);
      log(`manifold reconcile --once as a process (${kind}) #${i + 1}: ${fmt(r.ms)}`);
    }
  }
  const startup = await run(process.execPath, [bundle, '--version'], env);
  log(`manifold --version (bundle): ${fmt(startup.ms)}`);
  // Where a process's time goes besides the reconcile itself: reading and parsing the folder, discovery.
  let t = performance.now();
  const read = await readRenderedFolder(renderedDir);
  const readMs = performance.now() - t;
  t = performance.now();
  parseTree(new Map(read.get(cluster.name)));
  const parseMs = performance.now() - t;
  const fresh = KubeClient.create(cluster.name, { mode: 'kubeconfig', kubeconfigPath: fleet.kubeconfigPath, context: cluster.name });
  t = performance.now();
  await fresh.resources();
  const discoveryMs = performance.now() - t;
  await fresh.close();
  log(`reading ${total} files ${fmt(readMs)}, parsing them ${fmt(parseMs)}, discovery (2 requests, new connection) ${fmt(discoveryMs)}`);

  const check = median(checks.map((c) => c.ms));
  rows.push(['Cold apply', `${N} + ${NAMESPACES} ns`, fmt(cold.ms), kubectlApply ? fmt(kubectlApply.ms) : '–', kubectlApply ? `${(kubectlApply.ms / cold.ms).toFixed(1)}×` : '–', `${cold.requests} requests, ${Math.round((total / cold.ms) * 1000)} objects/s`]);
  rows.push([
    'Drift check, nothing changed',
    `${N} + ${NAMESPACES} ns`,
    `${fmt(check)} (median of ${REPEAT}: ${checks.map((c) => fmt(c.ms)).join(', ')})`,
    kubectlDiff ? fmt(kubectlDiff.ms) : '–',
    kubectlDiff ? `${(kubectlDiff.ms / check).toFixed(0)}×` : '–',
    `${checks[0]?.requests} requests (LIST pages only), 0 writes`,
  ]);
  const cliBundle = median(cli.bundle ?? []);
  const cliSources = median(cli.sources ?? []);
  rows.push([
    'Drift check, nothing changed: `manifold reconcile --once --dir` as a process (installed binary / container bundle)',
    `${N} + ${NAMESPACES} ns`,
    `${fmt(cliBundle)} (median of ${REPEAT}: ${(cli.bundle ?? []).map(fmt).join(', ')})`,
    kubectlDiff ? fmt(kubectlDiff.ms) : '–',
    kubectlDiff ? `${(kubectlDiff.ms / cliBundle).toFixed(1)}×` : '–',
    `process start-up, reading and parsing ${total} files, kubeconfig, discovery included; in-process: reading ${fmt(readMs)}, parsing ${fmt(parseMs)}, discovery ${fmt(discoveryMs)}; \`--version\` alone ${fmt(startup.ms)}`,
  ]);
  rows.push([
    'The same from the sources (`npm run manifold -- reconcile …`)',
    `${N} + ${NAMESPACES} ns`,
    `${fmt(cliSources)} (median of ${REPEAT}: ${(cli.sources ?? []).map(fmt).join(', ')})`,
    kubectlDiff ? fmt(kubectlDiff.ms) : '–',
    kubectlDiff ? `${(kubectlDiff.ms / cliSources).toFixed(1)}×` : '–',
    'TypeScript loaded by Node\'s type stripping, compile cache warm after the first run',
  ]);
  for (const [kind] of entries.slice(2)) {
    const ms = median(cli[kind] ?? []);
    rows.push([`The same with \`${kind}\``, `${N} + ${NAMESPACES} ns`, `${fmt(ms)} (median of ${REPEAT}: ${(cli[kind] ?? []).map(fmt).join(', ')})`, kubectlDiff ? fmt(kubectlDiff.ms) : '–', kubectlDiff ? `${(kubectlDiff.ms / ms).toFixed(1)}×` : '–', '']);
  }
  rows.push(['Drift check, 1 object changed by another manager', `${N} + ${NAMESPACES} ns`, fmt(drifted.ms), '–', '–', `${drifted.requests} requests (1 dry-run + 1 apply)`]);
  const header = ['Scenario', 'Objects', 'manifold', 'kubectl', 'Speed-up', 'Notes'];
  const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  process.stdout.write(`\nKubernetes ${fleet.k8sVersion} (one kube-apiserver + etcd on loopback); kubectl ${(await kubectlVersion(args.kubectl, env)) ?? 'not run'}; RSS growth during the cold apply ${Math.round((rssAfter - rssBefore) / 1048576)} MiB\n\n${table}\n`);
} finally {
  await fleet.stop();
  rmSync(work, { recursive: true, force: true });
}

async function kubectlVersion(cmd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (args['skip-kubectl']) return undefined;
  return new Promise((resolve) => {
    const child = spawn(cmd, ['version', '--client', '-o', 'json'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', () => {
      try {
        resolve((JSON.parse(out) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion);
      } catch {
        resolve(undefined);
      }
    });
  });
}
