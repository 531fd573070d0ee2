import { afterEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../errors/index.ts';
import { reconcileOptions } from './reconcile.ts';

/** The problem code and message a usage error carries. */
function usageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return `${err.problems[0]?.code}: ${err.problems[0]?.message}`;
    throw err;
  }
  throw new Error('no usage error');
}

describe('reconcile flags → the use case options (src/app/reconcile.ts)', () => {
  it('a one-shot folder run: defaults in ms, no probe server, JSON log on stderr', () => {
    const o = reconcileOptions({ once: true, dir: 'rendered', context: ['east=kind-east'] });
    expect(o.source).toEqual({ kind: 'folder', dir: 'rendered', watch: false });
    expect([o.intervalMs, o.driftIntervalMs, o.shutdownGraceMs, o.waitTimeoutMs, o.clusterTimeoutMs]).toEqual([60_000, 300_000, 20_000, 300_000, 600_000]);
    expect(o.contexts).toEqual(new Map([['east', 'kind-east']]));
    expect([o.selfHeal, o.prune, o.allowMassPrune, o.wait, o.concurrency, o.requestTimeoutMs]).toEqual([true, true, false, false, 8, undefined]);
    expect([o.listen, o.report, o.logDestination, o.logLevel]).toEqual([undefined, undefined, 'stderr', 'info']);
  });

  it('the loop on a remote: the rendered branch, the report branch and :8080 by default, JSON log on stdout', () => {
    const o = reconcileOptions({ remote: 'https://example.com/fleet.git', report: true, timeout: '1m', interval: '5s', verbose: true });
    expect(o.source).toEqual({ kind: 'git', repo: undefined, remote: 'https://example.com/fleet.git', branch: 'manifold/rendered', prefix: undefined, ref: undefined });
    expect(o.report).toEqual({ branch: 'manifold/status', remote: 'https://example.com/fleet.git' });
    expect(o.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    // --cluster-timeout follows --timeout: the wait plus two minutes, at least ten.
    expect([o.intervalMs, o.waitTimeoutMs, o.clusterTimeoutMs, o.logDestination, o.logLevel]).toEqual([5_000, 60_000, 600_000, 'stdout', 'debug']);
  });

  it('--watch is a folder source that reacts to changes', () => {
    expect(reconcileOptions({ watch: 'out', listen: 'off' }).source).toEqual({ kind: 'folder', dir: 'out', watch: true });
  });

  it('usage errors are raised before anything starts', () => {
    expect(usageOf(() => reconcileOptions({ dir: 'a', repo: 'b' }))).toMatch(/^USAGE: give exactly one of --dir/);
    expect(usageOf(() => reconcileOptions({ once: true, dir: 'a', report: true }))).toBe('USAGE: --report needs a git repository: give --repo DIR or --report-remote URL');
    expect(usageOf(() => reconcileOptions({ once: true, dir: 'a', listen: 'nowhere' }))).toMatch(/^USAGE: --listen "nowhere" must be/);
    expect(usageOf(() => reconcileOptions({ once: true, dir: 'a', logLevel: 'loud' }))).toMatch(/^USAGE: --log-level "loud"/);
    expect(usageOf(() => reconcileOptions({ once: true, dir: 'a', concurrency: '0' }))).toMatch(/^USAGE: --concurrency "0"/);
  });
});

describe('--shard-leases: replicas sharing the clusters through Leases in the hub', () => {
  it('defaults: 40 s Leases renewed every 10 s, a renew deadline of 2/3 the duration, slack 1, a controller-runtime style identity', () => {
    const saved = process.env.KUBERNETES_SERVICE_HOST;
    delete process.env.KUBERNETES_SERVICE_HOST;
    try {
      const o = reconcileOptions({ remote: 'https://example.com/fleet.git', shardLeases: 'manifold-system', kubeconfig: 'kc.yaml', hubContext: 'hub' });
      expect(o.shard).toMatchObject({ namespace: 'manifold-system', leaseDurationMs: 40_000, renewIntervalMs: 10_000, renewDeadlineMs: 26_666, slack: 1, hub: { mode: 'kubeconfig', kubeconfigPath: 'kc.yaml', context: 'hub' } });
      expect(o.shard?.identity).toMatch(/^.+_[0-9a-f]{8}$/);
    } finally {
      if (saved !== undefined) process.env.KUBERNETES_SERVICE_HOST = saved;
    }
  });

  it('usage errors: stray shard flags, --once, pull mode, timings that leave no room to renew', () => {
    const base = { remote: 'https://example.com/fleet.git' };
    expect(usageOf(() => reconcileOptions({ ...base, leaseDuration: '10s' }))).toBe('USAGE: --lease-duration goes with --shard-leases NAMESPACE');
    expect(usageOf(() => reconcileOptions({ ...base, once: true, shardLeases: 'ns' }))).toMatch(/does not go with --once/);
    expect(usageOf(() => reconcileOptions({ ...base, shardLeases: 'ns', cluster: 'east' }))).toMatch(/push mode/);
    expect(usageOf(() => reconcileOptions({ ...base, shardLeases: 'NS!' }))).toMatch(/not a namespace name/);
    expect(usageOf(() => reconcileOptions({ ...base, shardLeases: 'ns', leaseDuration: '15s', renewInterval: '10s' }))).toMatch(/must be well below the lease duration/);
    expect(usageOf(() => reconcileOptions({ ...base, shardLeases: 'ns', shardSlack: '-1' }))).toMatch(/--shard-slack "-1"/);
  });
});

describe('--commit-status', () => {
  afterEach(() => vi.unstubAllEnvs());
  const base = { once: true, repo: 'fleet' } as const;

  it('is off by default; on, it takes the token from the environment and the repository from a flag or $GITHUB_REPOSITORY', () => {
    expect(reconcileOptions(base).commitStatus).toBeUndefined();
    vi.stubEnv('MANIFOLD_GITHUB_TOKEN', 'tok-123');
    vi.stubEnv('GITHUB_API_URL', '');
    expect(reconcileOptions({ ...base, commitStatus: true, githubRepository: 'acme/fleet', statusUrl: 'https://status.example/' }).commitStatus).toEqual({
      apiUrl: 'https://api.github.com',
      repository: { owner: 'acme', repo: 'fleet' },
      token: 'tok-123',
      targetUrl: 'https://status.example/',
    });
    vi.stubEnv('GITHUB_REPOSITORY', 'octo/cat');
    vi.stubEnv('GITHUB_API_URL', 'https://ghe.example/api/v3');
    expect(reconcileOptions({ ...base, commitStatus: true }).commitStatus).toMatchObject({ apiUrl: 'https://ghe.example/api/v3', repository: { owner: 'octo', repo: 'cat' } });
  });

  it('refuses to start without a token or a repository, and its flags without --commit-status', () => {
    vi.stubEnv('MANIFOLD_GITHUB_TOKEN', '');
    vi.stubEnv('GITHUB_TOKEN', '');
    expect(usageOf(() => reconcileOptions({ ...base, commitStatus: true, githubRepository: 'acme/fleet' }))).toBe('USAGE: --commit-status needs a token in MANIFOLD_GITHUB_TOKEN or GITHUB_TOKEN');
    vi.stubEnv('GITHUB_TOKEN', 'tok');
    vi.stubEnv('GITHUB_REPOSITORY', '');
    expect(usageOf(() => reconcileOptions({ ...base, commitStatus: true, githubRepository: 'not a repo' }))).toMatch(/^USAGE: --commit-status needs --github-repository OWNER\/REPO/);
    expect(usageOf(() => reconcileOptions({ ...base, githubRepository: 'acme/fleet' }))).toBe('USAGE: --github-repository and --status-url go with --commit-status');
  });
});
