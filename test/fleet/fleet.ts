// The test fleet: N real Kubernetes control planes on loopback.
//
//   one etcd (shared; each cluster stores under its own --etcd-prefix)
//   per cluster: kube-apiserver (TLS, RBAC, static admin token), and optionally
//                kube-controller-manager + kube-scheduler, and kwok with fake
//                nodes so that Deployments roll out and report real status.
//
// startFleet() returns once every API server answers /readyz (and, when asked,
// fake nodes are Ready). It writes one kubeconfig with a context per cluster
// (context name = cluster name). stop() tears everything down; so do process
// exit and SIGINT/SIGTERM/SIGHUP, and a watchdog covers a harness killed hard.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type BinaryName, type BinaryPaths, ensureBinaries, repoRoot } from './binaries.ts';
import { isReady, kubeRequest, waitFor } from './kube.ts';
import { createPki, type Pki, writeServiceAccountKeys } from './pki.ts';
import { type ManagedProcess, onSignal, registerTempDir, startProcess, startWatchdog } from './process.ts';

export interface FleetOptions {
  /** Number of clusters (default 3), named `${namePrefix}1..N`. */
  clusters?: number;
  /** Cluster (and context) name prefix; default "member". */
  namePrefix?: string;
  /** Cluster (and context) names, instead of `${namePrefix}1..N` (their number is the cluster count). */
  names?: readonly string[];
  /** Also run kube-controller-manager and kube-scheduler per cluster. */
  controllerManager?: boolean;
  /** Fake nodes per cluster, run by kwok (0 = no kwok). */
  kwokNodes?: number;
  /** Per-step readiness timeout; default 120 s. */
  readyTimeoutMs?: number;
  /** Progress lines; default: none. */
  log?: (line: string) => void;
  /** Keep the temporary folder (logs, certs) after stop; also MANIFOLD_FLEET_KEEP=1. */
  keepDir?: boolean;
  /** Build missing binaries with Go (default true). */
  build?: boolean;
}

export interface FleetCluster {
  /** Cluster name, also its context name in the fleet kubeconfig. */
  readonly name: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly port: number;
  /** Bearer token of a user in system:masters. */
  readonly token: string;
  /** Client certificate/key (PEM) of a user in system:masters, signed by the fleet CA. */
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** CA that signed the serving certificate (PEM) and its file. */
  readonly caPem: string;
  readonly caFile: string;
  readonly etcdPrefix: string;
  /** A kubeconfig holding only this cluster. */
  readonly kubeconfigPath: string;
}

export interface FleetProcessInfo {
  cluster: string | undefined;
  component: string;
  pid: number;
  running: boolean;
}

export interface Fleet {
  /** Temporary folder holding certs, kubeconfigs and logs (removed by stop()). */
  readonly dir: string;
  /** One kubeconfig with a context per cluster (context name = cluster name). */
  readonly kubeconfigPath: string;
  readonly k8sVersion: string;
  readonly clusters: readonly FleetCluster[];
  readonly etcdUrl: string;
  cluster(name: string): FleetCluster;
  /** Stops one cluster's API server (SIGTERM, or SIGKILL to simulate a crash). Its port stays reserved. */
  stopApiServer(name: string, opts?: { signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
  /** Starts it again on the same port, waits for /readyz, and restarts that cluster's other components if they died. */
  startApiServer(name: string): Promise<void>;
  /**
   * Freezes one cluster's API server (SIGSTOP): the kernel still accepts
   * connections on its port, but nothing answers, as with a server that hangs.
   * thawApiServer (SIGCONT) lets it go on.
   */
  freezeApiServer(name: string): Promise<void>;
  thawApiServer(name: string): Promise<void>;
  /** Whether the cluster's API server answers /readyz now. */
  isReady(name: string): Promise<boolean>;
  processes(): FleetProcessInfo[];
  stop(): Promise<void>;
}

const ADMIN_USER = 'manifold-admin';
const SERVICE_CIDR = '10.0.0.0/24';
const KWOK_CONFIG = join(repoRoot, 'test', 'fleet', 'kwok-stages.yaml');
const FAKE_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** Reserves free loopback ports (all held open together so they are distinct). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    if (a === null || typeof a === 'string') throw new Error('unexpected server address');
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

interface KubeconfigEntry {
  name: string;
  server: string;
  caPem: string;
  token: string;
}

/** A kubeconfig document with one cluster, user and context per entry. */
export function renderKubeconfig(entries: readonly KubeconfigEntry[]): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: entries.map((e) => ({ name: e.name, cluster: { server: e.server, 'certificate-authority-data': b64(e.caPem) } })),
    users: entries.map((e) => ({ name: `${e.name}-admin`, user: { token: e.token } })),
    contexts: entries.map((e) => ({ name: e.name, context: { cluster: e.name, user: `${e.name}-admin`, namespace: 'default' } })),
    'current-context': entries[0]?.name ?? '',
  });
}

interface ClusterState {
  info: FleetCluster;
  dir: string;
  apiArgs: string[];
  apiserver: ManagedProcess | undefined;
  components: Map<string, { start: () => ManagedProcess; proc: ManagedProcess }>;
}

export async function startFleet(opts: FleetOptions = {}): Promise<Fleet> {
  const count = opts.names?.length ?? opts.clusters ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`clusters must be a positive integer, got ${count}`);
  const prefix = opts.namePrefix ?? 'member';
  const names = opts.names ?? Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
  // Names become folders, kubeconfig entries and etcd prefixes: DNS-1123 labels, each once.
  const badName = names.find((n) => !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(n));
  if (badName !== undefined) throw new Error(`cluster name "${badName}" is not a DNS-1123 label (lowercase letters, digits, "-")`);
  if (new Set(names).size !== names.length) throw new Error(`cluster names must be distinct: ${names.join(',')}`);
  const withKcm = opts.controllerManager ?? false;
  const kwokNodes = opts.kwokNodes ?? 0;
  const timeout = opts.readyTimeoutMs ?? 120_000;
  const log = opts.log ?? ((): void => {});
  const keepDir = opts.keepDir ?? process.env.MANIFOLD_FLEET_KEEP === '1';

  const need: BinaryName[] = ['etcd', 'kube-apiserver'];
  if (withKcm) need.push('kube-controller-manager', 'kube-scheduler');
  if (kwokNodes > 0) need.push('kwok');
  const { paths: bin, k8sVersion } = await ensureBinaries({
    need,
    build: opts.build ?? true,
    log: opts.log ?? ((l) => process.stderr.write(`${l}\n`)),
  });

  const dir = mkdtempSync(join(tmpdir(), 'manifold-fleet-'));
  const releaseDir = keepDir ? (): void => {} : registerTempDir(dir);
  const pidFile = join(dir, 'pids');
  const dismissWatchdog = keepDir ? (): void => {} : startWatchdog(pidFile, dir);
  mkdirSync(join(dir, 'logs'));
  const allProcs: { cluster: string | undefined; component: string; proc: ManagedProcess }[] = [];
  const track = (cluster: string | undefined, component: string, proc: ManagedProcess): ManagedProcess => {
    allProcs.push({ cluster, component, proc });
    writeFileSync(pidFile, `${proc.pid}\n`, { flag: 'a' });
    return proc;
  };
  const clusters = new Map<string, ClusterState>();
  let etcd: ManagedProcess | undefined;
  let stopped = false;
  let stopping: Promise<void> | undefined;

  const stopAll = async (): Promise<void> => {
    if (stopping) return stopping;
    stopping = (async () => {
      stopped = true;
      const comps = [...clusters.values()].flatMap((c) => [...c.components.values()].map((x) => x.proc));
      await Promise.all(comps.map((p) => p.stop('SIGTERM', 5000)));
      // A frozen API server (freezeApiServer) would sit on SIGTERM until killed.
      for (const c of clusters.values()) if (c.apiserver?.running) process.kill(c.apiserver.pid, 'SIGCONT');
      await Promise.all([...clusters.values()].map((c) => c.apiserver?.stop('SIGTERM', 10_000)));
      await etcd?.stop('SIGTERM', 5000);
      dismissWatchdog();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
      else log(`fleet: kept ${dir}`);
      releaseDir();
      unregisterSignal();
    })();
    return stopping;
  };
  const unregisterSignal = onSignal(stopAll);

  const failWith = async (err: unknown, proc?: ManagedProcess): Promise<never> => {
    const msg = (err as Error).message ?? String(err);
    const tail = proc ? `\n--- last lines of ${proc.name} log (${proc.logFile}) ---\n${proc.logTail(4000)}` : '';
    await stopAll();
    throw new Error(`Test fleet failed to start: ${msg}${tail}`);
  };

  try {
    const started = Date.now();
    const pki = await createPki(join(dir, 'pki'));
    const [etcdClient, etcdPeer, ...apiPorts] = await freePorts(2 + count);
    if (etcdClient === undefined || etcdPeer === undefined) throw new Error('no free ports');
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;

    etcd = track(undefined, 'etcd', startEtcd(bin, dir, etcdClient, etcdPeer));
    const etcdProc = etcd;
    await waitFor(
      'etcd /health',
      async () => {
        const r = await fetch(`${etcdUrl}/health`);
        return r.ok ? true : undefined;
      },
      timeout,
      100,
      () => (etcdProc.running ? undefined : 'etcd exited'),
    ).catch((e: unknown) => failWith(e, etcdProc));
    log(`fleet: etcd ready at ${etcdUrl} (${Date.now() - started} ms)`);

    for (let i = 0; i < count; i++) {
      const name = names[i] as string;
      const port = apiPorts[i];
      if (port === undefined) throw new Error('no free port');
      const cdir = join(dir, name);
      mkdirSync(cdir);
      const token = randomBytes(24).toString('hex');
      writeFileSync(join(cdir, 'tokens.csv'), `${token},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`, { mode: 0o600 });
      const sa = writeServiceAccountKeys(cdir);
      const server = `https://127.0.0.1:${port}`;
      const kubeconfigPath = join(cdir, 'kubeconfig');
      writeFileSync(kubeconfigPath, renderKubeconfig([{ name, server, caPem: pki.caPem, token }]), { mode: 0o600 });
      const etcdPrefix = `/manifold/${name}`;
      const info: FleetCluster = {
        name,
        server,
        port,
        token,
        clientCertPem: pki.adminCertPem,
        clientKeyPem: pki.adminKeyPem,
        caPem: pki.caPem,
        caFile: pki.caCert,
        etcdPrefix,
        kubeconfigPath,
      };
      const apiArgs = apiserverArgs({ name, port, cdir, pki, etcdUrl, etcdPrefix, saPub: sa.publicKey, saKey: sa.privateKey });
      clusters.set(name, { info, dir: cdir, apiArgs, apiserver: undefined, components: new Map() });
    }

    const startApi = (c: ClusterState): ManagedProcess => {
      const proc = startProcess({
        name: `${c.info.name}/kube-apiserver`,
        command: bin['kube-apiserver'],
        args: c.apiArgs,
        logFile: join(dir, 'logs', `${c.info.name}-kube-apiserver.log`),
      });
      c.apiserver = track(c.info.name, 'kube-apiserver', proc);
      return proc;
    };
    const waitApi = async (c: ClusterState, proc: ManagedProcess): Promise<void> => {
      await waitFor(
        `${c.info.name} kube-apiserver /readyz at ${c.info.server}`,
        async () => ((await isReady(c.info)) ? true : undefined),
        timeout,
        250,
        () => (proc.running ? undefined : `kube-apiserver exited (${JSON.stringify(proc.unexpectedExit)})`),
      );
    };

    await Promise.all(
      [...clusters.values()].map(async (c) => {
        const proc = startApi(c);
        await waitApi(c, proc).catch((e: unknown) => failWith(e, proc));
      }),
    );
    log(`fleet: ${count} API servers ready (${Date.now() - started} ms)`);

    const startComponent = (c: ClusterState, component: string, command: string, args: string[]): void => {
      const start = (): ManagedProcess =>
        track(
          c.info.name,
          component,
          startProcess({ name: `${c.info.name}/${component}`, command, args, logFile: join(dir, 'logs', `${c.info.name}-${component}.log`) }),
        );
      c.components.set(component, { start, proc: start() });
    };

    for (const c of clusters.values()) {
      if (withKcm) {
        startComponent(c, 'kube-controller-manager', bin['kube-controller-manager'], [
          `--kubeconfig=${c.info.kubeconfigPath}`,
          '--leader-elect=false',
          '--secure-port=0',
          `--cluster-name=${c.info.name}`,
          `--service-account-private-key-file=${join(c.dir, 'sa.key')}`,
          `--root-ca-file=${pki.caCert}`,
          `--cluster-signing-cert-file=${pki.caCert}`,
          `--cluster-signing-key-file=${pki.caKey}`,
          '--use-service-account-credentials=false',
          '--v=1',
        ]);
        startComponent(c, 'kube-scheduler', bin['kube-scheduler'], [
          `--kubeconfig=${c.info.kubeconfigPath}`,
          `--authentication-kubeconfig=${c.info.kubeconfigPath}`,
          `--authorization-kubeconfig=${c.info.kubeconfigPath}`,
          '--leader-elect=false',
          '--secure-port=0',
          '--v=1',
        ]);
      }
      if (kwokNodes > 0) {
        startComponent(c, 'kwok', bin.kwok, [
          `--kubeconfig=${c.info.kubeconfigPath}`,
          `--config=${KWOK_CONFIG}`,
          '--manage-all-nodes=false',
          `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION}=fake`,
          '--cidr=10.244.0.1/16',
          '--node-ip=10.1.0.1',
          '--node-lease-duration-seconds=40',
        ]);
      }
    }

    if (kwokNodes > 0) {
      await Promise.all(
        [...clusters.values()].map(async (c, index) => {
          for (let n = 0; n < kwokNodes; n++) await createFakeNode(c.info, `${c.info.name}-node-${n}`, fakeNodeAllocatable(index));
          const kwok = c.components.get('kwok')?.proc;
          await waitFor(
            `${kwokNodes} Ready kwok nodes in ${c.info.name}`,
            async () => ((await readyNodeCount(c.info)) >= kwokNodes ? true : undefined),
            timeout,
            250,
            () => (kwok?.running === false ? 'kwok exited' : undefined),
          ).catch((e: unknown) => failWith(e, kwok));
        }),
      );
      log(`fleet: ${kwokNodes} kwok node(s) Ready per cluster (${Date.now() - started} ms)`);
    }
    if (withKcm) {
      // Pods need the namespace's default ServiceAccount, which the controller manager creates.
      await Promise.all(
        [...clusters.values()].map(async (c) => {
          const kcm = c.components.get('kube-controller-manager')?.proc;
          await waitFor(
            `ServiceAccount default/default in ${c.info.name}`,
            async () => ((await kubeRequest(c.info, 'GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200 ? true : undefined),
            timeout,
            250,
            () => (kcm?.running === false ? 'kube-controller-manager exited' : undefined),
          ).catch((e: unknown) => failWith(e, kcm));
        }),
      );
      log(`fleet: controller managers and schedulers running (${Date.now() - started} ms)`);
    }

    const kubeconfigPath = join(dir, 'kubeconfig');
    const infos = [...clusters.values()].map((c) => c.info);
    writeFileSync(kubeconfigPath, renderKubeconfig(infos.map((i) => ({ name: i.name, server: i.server, caPem: i.caPem, token: i.token }))), {
      mode: 0o600,
    });
    log(`fleet: ${count} cluster(s) up in ${Date.now() - started} ms; kubeconfig ${kubeconfigPath}`);

    const get = (name: string): ClusterState => {
      const c = clusters.get(name);
      if (!c) throw new Error(`no cluster named ${name} (have ${[...clusters.keys()].join(', ')})`);
      return c;
    };

    return {
      dir,
      kubeconfigPath,
      k8sVersion,
      etcdUrl,
      clusters: infos,
      cluster: (name) => get(name).info,
      async stopApiServer(name, o = {}) {
        const c = get(name);
        // After SIGTERM kube-apiserver stops listening at once but can linger on
        // open watch connections (of the controller manager, kwok, ...) for up to
        // its request timeout; it is killed if still there after 3 s.
        await c.apiserver?.stop(o.signal ?? 'SIGTERM', 3000);
        log(`fleet: stopped ${name} kube-apiserver`);
      },
      async startApiServer(name) {
        if (stopped) throw new Error('fleet is stopped');
        const c = get(name);
        if (c.apiserver?.running) return;
        const proc = startApi(c);
        try {
          await waitApi(c, proc);
        } catch (err) {
          throw new Error(`${(err as Error).message}\n--- ${proc.logFile} ---\n${proc.logTail(4000)}`);
        }
        for (const [component, entry] of c.components) {
          if (!entry.proc.running) {
            log(`fleet: restarting ${name}/${component}, which exited while its API server was down`);
            entry.proc = entry.start();
          }
        }
        log(`fleet: started ${name} kube-apiserver again on port ${c.info.port}`);
      },
      async freezeApiServer(name) {
        const c = get(name);
        if (c.apiserver?.running) process.kill(c.apiserver.pid, 'SIGSTOP');
        log(`fleet: froze ${name} kube-apiserver`);
      },
      async thawApiServer(name) {
        const c = get(name);
        if (c.apiserver?.running) process.kill(c.apiserver.pid, 'SIGCONT');
        log(`fleet: thawed ${name} kube-apiserver`);
      },
      isReady: (name) => isReady(get(name).info),
      processes: () => allProcs.map((p) => ({ cluster: p.cluster, component: p.component, pid: p.proc.pid, running: p.proc.running })),
      stop: stopAll,
    };
  } catch (err) {
    if (!stopping) await stopAll();
    throw err;
  }
}

function startEtcd(bin: BinaryPaths, dir: string, clientPort: number, peerPort: number): ManagedProcess {
  const peer = `http://127.0.0.1:${peerPort}`;
  const client = `http://127.0.0.1:${clientPort}`;
  return startProcess({
    name: 'etcd',
    command: bin.etcd,
    args: [
      '--name=fleet',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=fleet=${peer}`,
      '--initial-cluster-state=new',
      '--unsafe-no-fsync=true',
      '--quota-backend-bytes=4294967296',
      '--log-level=warn',
    ],
    logFile: join(dir, 'logs', 'etcd.log'),
  });
}

function apiserverArgs(a: {
  name: string;
  port: number;
  cdir: string;
  pki: Pki;
  etcdUrl: string;
  etcdPrefix: string;
  saPub: string;
  saKey: string;
}): string[] {
  return [
    `--etcd-servers=${a.etcdUrl}`,
    `--etcd-prefix=${a.etcdPrefix}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    // The kubernetes Service's endpoints may not point at loopback; nothing in the fleet needs them.
    '--endpoint-reconciler-type=none',
    `--secure-port=${a.port}`,
    `--cert-dir=${join(a.cdir, 'certs')}`,
    `--tls-cert-file=${a.pki.servingCert}`,
    `--tls-private-key-file=${a.pki.servingKey}`,
    `--client-ca-file=${a.pki.caCert}`,
    `--token-auth-file=${join(a.cdir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    `--service-account-issuer=https://${a.name}.fleet.manifold.test`,
    `--service-account-key-file=${a.saPub}`,
    `--service-account-signing-key-file=${a.saKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--allow-privileged=true',
    '--profiling=false',
    '--v=1',
  ];
}

/**
 * What each kwok node of the n-th cluster (0-based) offers, so that tests of
 * live capacity know the numbers: member1's nodes 8 CPUs / 32Gi, member2's
 * 4 / 16Gi, member3's 2 / 8Gi, then again from the top.
 */
export function fakeNodeAllocatable(clusterIndex: number): { cpu: string; memory: string; pods: string } {
  const size = [8, 4, 2][clusterIndex % 3] as number;
  return { cpu: String(size), memory: `${size * 4}Gi`, pods: '110' };
}

async function createFakeNode(c: FleetCluster, name: string, allocatable: { cpu: string; memory: string; pods: string }): Promise<void> {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [FAKE_NODE_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    spec: {},
    status: {
      allocatable,
      capacity: allocatable,
    },
  };
  const r = await kubeRequest(c, 'POST', '/api/v1/nodes', node);
  if (r.status !== 201 && r.status !== 409) throw new Error(`creating node ${name} in ${c.name}: HTTP ${r.status} ${r.body}`);
}

async function readyNodeCount(c: FleetCluster): Promise<number> {
  const r = await kubeRequest(c, 'GET', '/api/v1/nodes');
  if (r.status !== 200) throw new Error(`listing nodes: HTTP ${r.status}`);
  const list = JSON.parse(r.body) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
  return list.items.filter((n) => n.status?.conditions?.some((cond) => cond.type === 'Ready' && cond.status === 'True')).length;
}
