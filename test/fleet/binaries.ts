// Locates (and when needed builds) the real Kubernetes binaries the test fleet
// runs. Binaries come from $KUBEBUILDER_ASSETS when it names a folder holding
// them, otherwise from the cache that scripts/envtest/build.sh fills:
// ${MANIFOLD_CACHE:-~/.cache/manifold}/envtest/<k8s-version>/.
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;
export type BinaryName = (typeof BINARIES)[number];
export type BinaryPaths = Record<BinaryName, string>;

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const envtestDir = join(repoRoot, 'scripts', 'envtest');
export const buildScript = join(envtestDir, 'build.sh');

/** The k8s.io/kubernetes version pinned in scripts/envtest/go.mod. */
export function pinnedKubernetesVersion(goModPath = join(envtestDir, 'go.mod')): string {
  const text = readFileSync(goModPath, 'utf8');
  const m = /^\s*k8s\.io\/kubernetes\s+(v\d+\.\d+\.\d+\S*)/m.exec(text);
  if (!m?.[1]) throw new Error(`cannot find the k8s.io/kubernetes version in ${goModPath}`);
  return m[1];
}

export interface ResolveOptions {
  /** Which binaries are needed; defaults to all of them. */
  need?: readonly BinaryName[];
  /** Environment to read KUBEBUILDER_ASSETS, MANIFOLD_CACHE, PATH and HOME from. */
  env?: NodeJS.ProcessEnv;
  /** Where else to look for `go` when it is not on PATH. */
  goCandidates?: readonly string[];
  k8sVersion?: string;
}

export interface Resolution {
  k8sVersion: string;
  cacheDir: string;
  assetsDir: string | undefined;
  /** Paths of the binaries that were found. */
  found: Partial<BinaryPaths>;
  /** Needed binaries found nowhere. */
  missing: BinaryName[];
  /** Path of a usable `go`, if any. */
  go: string | undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function cacheDirFor(k8sVersion: string, env: NodeJS.ProcessEnv = process.env): string {
  const root = env.MANIFOLD_CACHE || join(env.HOME || homedir(), '.cache', 'manifold');
  return join(root, 'envtest', k8sVersion);
}

export function findGo(env: NodeJS.ProcessEnv = process.env, candidates?: readonly string[]): string | undefined {
  const home = env.HOME || homedir();
  const onPath = (env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'go'));
  const extra = candidates ?? ['/usr/local/go/bin/go', join(home, 'go', 'bin', 'go'), join(home, 'sdk', 'go', 'bin', 'go')];
  return [...onPath, ...extra].find(isExecutable);
}

/** Where each binary is, without building anything. */
export function resolveBinaries(opts: ResolveOptions = {}): Resolution {
  const env = opts.env ?? process.env;
  const k8sVersion = opts.k8sVersion ?? pinnedKubernetesVersion();
  const cacheDir = cacheDirFor(k8sVersion, env);
  const assetsDir = env.KUBEBUILDER_ASSETS || undefined;
  const found: Partial<BinaryPaths> = {};
  for (const name of BINARIES) {
    const candidates = [...(assetsDir ? [join(assetsDir, name)] : []), join(cacheDir, name)];
    const hit = candidates.find(isExecutable);
    if (hit) found[name] = hit;
  }
  const missing = (opts.need ?? BINARIES).filter((b) => !found[b]);
  return { k8sVersion, cacheDir, assetsDir, found, missing, go: findGo(env, opts.goCandidates) };
}

/** The error text when binaries are missing and cannot be built. */
export function missingBinariesMessage(r: Resolution): string {
  const where = [
    r.assetsDir ? `KUBEBUILDER_ASSETS=${r.assetsDir}` : 'KUBEBUILDER_ASSETS (not set)',
    `the build cache ${r.cacheDir}`,
  ].join(' and ');
  return [
    `Test fleet: missing Kubernetes binaries: ${r.missing.join(', ')} (looked in ${where}).`,
    'Go is not installed (no `go` on PATH nor in /usr/local/go/bin), so they cannot be built.',
    `Either install Go >= 1.26 (https://go.dev/dl/) and the first run builds them (scripts/envtest/build.sh, ` +
      `Kubernetes ${r.k8sVersion}), or set KUBEBUILDER_ASSETS to a folder holding prebuilt ${r.missing.join(', ')}.`,
  ].join('\n');
}

export interface EnsureOptions extends ResolveOptions {
  /** Run scripts/envtest/build.sh when binaries are missing and Go is there (default true). */
  build?: boolean;
  /** Receives the build script's progress lines; defaults to stderr. */
  log?: (line: string) => void;
}

/**
 * Returns the paths of the needed binaries, running scripts/envtest/build.sh
 * first when some are missing and Go is available. Throws with an explicit
 * message when they are missing and cannot be built.
 */
export async function ensureBinaries(opts: EnsureOptions = {}): Promise<{ paths: BinaryPaths; k8sVersion: string; built: boolean }> {
  let r = resolveBinaries(opts);
  let built = false;
  if (r.missing.length > 0) {
    if (!r.go) throw new Error(missingBinariesMessage(r));
    if (opts.build === false) {
      throw new Error(`Test fleet: missing Kubernetes binaries: ${r.missing.join(', ')} in ${r.cacheDir}; run scripts/envtest/build.sh`);
    }
    const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    log(`Test fleet: building missing binaries (${r.missing.join(', ')}) with ${r.go}; the first build takes many minutes.`);
    await runBuildScript(r.go, opts.env ?? process.env, log);
    built = true;
    r = resolveBinaries(opts);
    if (r.missing.length > 0) {
      throw new Error(`Test fleet: ${buildScript} finished but ${r.missing.join(', ')} are still missing from ${r.cacheDir}`);
    }
  }
  const paths = Object.fromEntries(BINARIES.map((b) => [b, r.found[b] ?? join(r.cacheDir, b)])) as BinaryPaths;
  return { paths, k8sVersion: r.k8sVersion, built };
}

function runBuildScript(go: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const goDir = join(go, '..');
    const child = spawn(buildScript, [], {
      env: { ...env, PATH: `${goDir}${delimiter}${env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) log(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`${buildScript} failed (${signal ?? `exit ${code}`}):\n${tail}`));
    });
  });
}
