/**
 * Render with live status and failover proposals, on real git repositories
 * (the quickstart fleet and the Karmada docs' failover example) with
 * hand-written reports, as a folder or as a commit of a report branch.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../errors/index.ts';
import { commitReport, writeReport, type ClusterReport } from '../../test/helpers/report.ts';
import { explain } from './explain.ts';
import { failover, type FailoverOptions } from './failover.ts';
import { render } from './render.ts';

const QUICKSTART = path.join(import.meta.dirname, '..', '..', 'examples', 'quickstart');
const work = mkdtempSync(path.join(tmpdir(), 'manifold-failover-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const T0 = '2026-03-01T10:00:00Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString().replace('.000Z', 'Z');
const healthy: ClusterReport = { ready: 'True', since: '2026-02-01T00:00:00Z', allocatable: { cpu: '4', memory: '8Gi', pods: '110' } };
const lostSince = (since: string): ClusterReport => ({ ready: 'Unknown', since, observedAt: since });

const git = (repo: string, ...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** A git repository holding `files` (default: the quickstart), committed on main and rendered to manifold/rendered. */
async function renderedFleet(name: string, files: string = QUICKSTART): Promise<string> {
  const repo = path.join(work, name);
  cpSync(files, repo, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'fleet');
  await render({ source: repo, commit: true }, () => {});
  return repo;
}

async function run(opts: FailoverOptions) {
  const lines: string[] = [];
  const outcome = await failover(opts, (n) => (n.kind === 'line' ? lines.push(n.text) : undefined));
  return { outcome, lines };
}

const deployment = (repo: string, ref: string, cluster: string): string | undefined => {
  try {
    return git(repo, 'show', `${ref}:${cluster}/namespaces/shop/Deployment.apps/web.yaml`);
  } catch {
    return undefined;
  }
};
const replicasOn = (repo: string, ref: string, cluster: string) => Number(/replicas: (\d+)/.exec(deployment(repo, ref, cluster) ?? '')?.[1] ?? 0);

async function problemOf(p: Promise<unknown>): Promise<{ code: string; file?: string | undefined; field?: string | undefined; message: string }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof InputError) return err.problems[0] as never;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('render --status', () => {
  it('a report commit: an unreachable cluster gets no new placement (first schedule), provenance names the report commit and time, same inputs → same bytes', async () => {
    const repo = await renderedFleet('status-commit');
    const report = commitReport(repo, 'manifold/status', T0, { 'eu-1': lostSince(at(-60)), 'eu-2': healthy, 'us-1': healthy, 'us-2': healthy });
    const print = async () => (await render({ source: repo, status: 'manifold/status', print: true }, () => {})).printed;
    const first = await print();
    expect([...(first?.keys() ?? [])]).toEqual(['eu-1', 'eu-2', 'us-1', 'us-2']);
    expect(first?.get('eu-1')?.has('namespaces/shop/Deployment.apps/web.yaml')).toBe(false);
    const out = path.join(work, 'status-commit-out');
    await render({ source: repo, status: 'manifold/status', outDir: out }, () => {});
    const provenance = JSON.parse(readFileSync(path.join(out, '.manifold', 'provenance.json'), 'utf8'));
    expect(provenance.status).toEqual({
      commit: report,
      now: T0,
      clusters: expect.objectContaining({ 'eu-1': [`Ready=Unknown (ClusterNotReachable) since ${at(-60)}: tainted cluster.karmada.io/unreachable:NoSchedule at ${at(-60)}`] }),
    });
    const second = await print();
    expect(JSON.stringify([...(second ?? [])].map(([c, f]) => [c, [...f]]))).toBe(JSON.stringify([...(first ?? [])].map(([c, f]) => [c, [...f]])));
  });

  it('explain says which cluster live status excluded and since when', async () => {
    const repo = await renderedFleet('status-explain');
    const dir = writeReport(path.join(work, 'explain-report'), { 'eu-1': lostSince(at(-60)), 'eu-2': healthy });
    const { result, template } = await explain({ target: 'deployment/web', source: repo, status: dir, now: T0 }, () => {});
    const placement = result.placements.find((p) => p.template.key === template?.key);
    expect(placement?.explain).toContainEqual({ title: 'Live status', lines: [`eu-1: Ready=Unknown (ClusterNotReachable) since ${at(-60)}`] });
    expect(placement?.explain.find((s) => s.title === 'Clusters')?.lines).toContain('✗ eu-1: untolerated taint {cluster.karmada.io/unreachable:NoSchedule}');
  });

  it('refuses, naming file and field: a cluster the inventory lacks, a time in the future, a folder without --now, a missing branch', async () => {
    const repo = await renderedFleet('status-bad');
    const unknown = writeReport(path.join(work, 'bad-unknown'), { 'eu-9': healthy });
    expect(await problemOf(render({ source: repo, status: unknown, now: T0, print: true }, () => {}))).toMatchObject({
      code: 'STATUS_UNKNOWN_CLUSTER',
      file: `${unknown}/clusters/eu-9.json`,
      field: 'cluster',
    });
    const future = writeReport(path.join(work, 'bad-future'), { 'eu-1': lostSince(at(60)) });
    expect(await problemOf(render({ source: repo, status: future, now: T0, print: true }, () => {}))).toMatchObject({ code: 'STATUS_CLOCK', file: `${future}/clusters/eu-1.json` });
    expect(await problemOf(render({ source: repo, status: future, print: true }, () => {}))).toMatchObject({ code: 'USAGE', field: '--now' });
    expect(await problemOf(render({ source: repo, status: 'manifold/nope', print: true }, () => {}))).toMatchObject({ code: 'STATUS_NOT_FOUND', field: '--status' });
  });
});

describe('manifold failover (Karmada quickstart: web divided 2:1 Europe over US, 6 replicas)', () => {
  it('within the grace period: nothing; past it: one proposal branch with the moves and the capacity arithmetic; again: unchanged', async () => {
    const repo = await renderedFleet('failover');
    const base = git(repo, 'rev-parse', 'manifold/rendered');
    const report = (now: number) => writeReport(path.join(work, `failover-report-${now}`), { 'eu-1': lostSince(T0), 'eu-2': healthy, 'us-1': healthy, 'us-2': healthy });
    const early = await run({ source: repo, status: report(299), now: at(299) });
    expect(early.outcome.action).toBe('none');
    const due = await run({ source: repo, status: report(300), now: at(300) });
    expect(due.outcome).toMatchObject({ action: 'proposed', branch: 'manifold/failover/eu-1', lost: ['eu-1'] });
    expect(git(repo, 'rev-parse', 'manifold/failover/eu-1^')).toBe(base);
    expect(replicasOn(repo, 'manifold/failover/eu-1', 'eu-1')).toBe(0);
    expect([replicasOn(repo, 'manifold/failover/eu-1', 'eu-2'), replicasOn(repo, 'manifold/failover/eu-1', 'us-1'), replicasOn(repo, 'manifold/failover/eu-1', 'us-2')]).toEqual([3, 2, 1]);
    expect(due.outcome.message).toBe(
      [
        'manifold: failover from eu-1 (1 workload moved)',
        '',
        `eu-1 has been Ready=Unknown (ClusterNotReachable) since ${T0}; the 300s grace period ran out at ${at(300)}.`,
        '',
        'Workloads (replicas per cluster, before → after):',
        '  Deployment shop/web [critical]: from eu-1 2 → 0 to eu-2 2 → 3, us-1 1 → 2',
        '',
        'Capacity of the receiving clusters (free before → after, from the report):',
        '  eu-2: cpu 4000m, memory 8Gi, pods 110 → cpu 3900m, memory 8128Mi, pods 109 (+1 Deployment shop/web)',
        '  us-1: cpu 4000m, memory 8Gi, pods 110 → cpu 3900m, memory 8128Mi, pods 109 (+1 Deployment shop/web)',
        '',
        'Manifold-Failover: eu-1',
        `Manifold-Decided-At: ${at(300)}`,
        `Manifold-Source-Commit: ${git(repo, 'rev-parse', 'main')}`,
        'Manifold-Version: 0.1.0',
        '',
      ].join('\n'),
    );
    expect(git(repo, 'log', '-1', '--format=%B', 'manifold/failover/eu-1')).toBe(due.outcome.message?.trim());
    const again = await run({ source: repo, status: report(400), now: at(300) });
    expect(again.outcome).toMatchObject({ action: 'unchanged', commit: due.outcome.commit });
    // The rendered branch itself is untouched until someone merges the proposal.
    expect(git(repo, 'rev-parse', 'manifold/rendered')).toBe(base);
  });

  it('flapping: a cluster whose Ready changed 10s ago proposes nothing, and the proposal it overtook is closed', async () => {
    const repo = await renderedFleet('flapping');
    const lost = writeReport(path.join(work, 'flap-lost'), { 'eu-1': lostSince(T0), 'eu-2': healthy });
    expect((await run({ source: repo, status: lost, now: at(600) })).outcome.action).toBe('proposed');
    for (let i = 1; i <= 5; i++) {
      // Ready again, then lost again: each flip resets lastTransitionTime.
      const flip = writeReport(path.join(work, `flap-${i}`), { 'eu-1': i % 2 ? { ...healthy, since: at(600 + i * 10) } : lostSince(at(600 + i * 10)), 'eu-2': healthy });
      const outcome = (await run({ source: repo, status: flip, now: at(610 + i * 10) })).outcome;
      expect(outcome.action).toBe('none');
      if (i === 1) expect(outcome.closed).toEqual(['manifold/failover/eu-1']);
    }
    expect(git(repo, 'branch', '--list', 'manifold/failover/*')).toBe('');
  });

  it('failback: once merged, nothing comes back while eu-1 is Ready for less than the grace period; after it, the reverse is proposed', async () => {
    const repo = await renderedFleet('failback');
    const before = git(repo, 'rev-parse', 'manifold/rendered');
    const lost = writeReport(path.join(work, 'failback-lost'), { 'eu-1': lostSince(T0), 'eu-2': healthy, 'us-1': healthy, 'us-2': healthy });
    const proposal = (await run({ source: repo, status: lost, now: at(600) })).outcome.commit as string;
    git(repo, 'update-ref', 'refs/heads/manifold/rendered', proposal); // the reviewer merges (fast-forward)
    const back = (since: number) => writeReport(path.join(work, `failback-${since}`), { 'eu-1': { ...healthy, since: at(since) }, 'eu-2': healthy, 'us-1': healthy, 'us-2': healthy });
    expect((await run({ source: repo, status: back(1000), now: at(1299) })).outcome.action).toBe('none');
    const failback = await run({ source: repo, status: back(1000), now: at(1300) });
    expect(failback.outcome).toMatchObject({ action: 'proposed', branch: 'manifold/failover/eu-1', closed: [] });
    expect(failback.outcome.message?.split('\n')[0]).toBe('manifold: failback to eu-1 (1 workload moved)');
    expect(failback.outcome.message).toContain('Deployment shop/web [critical]: from eu-2 3 → 2, us-1 2 → 1 to eu-1 0 → 2');
    // The failback restores exactly what was rendered before the loss (objects; provenance records the report).
    expect(git(repo, 'diff', '--stat', before, failback.outcome.commit as string, '--', '.', ':!.manifold')).toBe('');
  });

  it('unattended: commits straight to the rendered branch', async () => {
    const repo = await renderedFleet('unattended');
    const base = git(repo, 'rev-parse', 'manifold/rendered');
    const lost = writeReport(path.join(work, 'unattended-lost'), { 'eu-1': lostSince(T0), 'eu-2': healthy });
    const { outcome } = await run({ source: repo, status: lost, now: at(300), unattended: true });
    expect(outcome).toMatchObject({ action: 'committed', branch: 'manifold/rendered' });
    expect(git(repo, 'rev-parse', 'manifold/rendered^')).toBe(base);
    expect(replicasOn(repo, 'manifold/rendered', 'eu-1')).toBe(0);
  });

  it('the receivers lack capacity: a non-critical workload keeps half, what still does not fit is reported', async () => {
    const repo = await renderedFleet('degrade');
    const app = path.join(repo, 'app.yaml');
    writeFileSync(app, readFileSync(app, 'utf8').replace('  labels:\n    app: web\nspec:\n  replicas: 6', '  labels:\n    app: web\n  annotations:\n    manifold.dev/criticality: non-critical\nspec:\n  replicas: 6'));
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'web is non-critical');
    const tight: ClusterReport = { ready: 'True', since: '2026-02-01T00:00:00Z', allocatable: { cpu: '1', memory: '8Gi', pods: '110' }, allocated: { cpu: '950m' } };
    const lost = writeReport(path.join(work, 'degrade-lost'), { 'eu-1': lostSince(T0), 'eu-2': tight, 'us-1': tight, 'us-2': tight });
    const { outcome } = await run({ source: repo, status: lost, now: at(300) });
    // 6 → 3 replicas over weights 2:1:1 (Webster): eu-2 1, us-1 1, us-2 1: no receiver gains, everything fits.
    expect(outcome.message).toContain('Degraded (the receivers lack capacity; non-critical workloads keep half):\n  Deployment shop/web: 6 → 3 replicas');
    expect([replicasOn(repo, outcome.commit as string, 'eu-2'), replicasOn(repo, outcome.commit as string, 'us-1'), replicasOn(repo, outcome.commit as string, 'us-2')]).toEqual([1, 1, 1]);
    expect(outcome.message).not.toContain('Does not fit');

    // Critical (the default): nothing degraded, the shortfall is reported.
    git(repo, 'checkout', '-q', 'HEAD~1', '--', 'app.yaml');
    git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'web is critical again');
    const critical = (await run({ source: repo, status: lost, now: at(300) })).outcome.message ?? '';
    expect(critical).not.toContain('Degraded');
    expect(critical).toContain('Does not fit (reported, not dropped: these replicas will stay Pending):\n  Deployment shop/web: 1 replica on eu-2\n  Deployment shop/web: 1 replica on us-1');
    expect(critical).toContain('  eu-2: cpu 50m, memory 8Gi, pods 110 → cpu 50m, memory 8Gi, pods 110 (+1 Deployment shop/web)');
  });
});

describe('manifold failover on the Karmada docs example (userguide/failover: static weights member1 1, member2 2, 3 replicas)', () => {
  const fleet = path.join(work, 'docs-fleet-src');
  mkdirSync(fleet, { recursive: true });
  writeFileSync(
    path.join(fleet, 'clusters.yaml'),
    ['member1', 'member2'].map((n) => `apiVersion: cluster.karmada.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${n}\nspec:\n  syncMode: Push\n`).join('---\n'),
  );
  const policy = (tolerations: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nginx\n  labels:\n    app: nginx\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: nginx\n  template:\n    metadata:\n      labels:\n        app: nginx\n    spec:\n      containers:\n      - image: nginx\n        name: nginx\n---\napiVersion: policy.karmada.io/v1alpha1\nkind: PropagationPolicy\nmetadata:\n  name: nginx-propagation\nspec:\n  resourceSelectors:\n    - apiVersion: apps/v1\n      kind: Deployment\n      name: nginx\n  placement:\n${tolerations}    clusterAffinity:\n      clusterNames:\n        - member1\n        - member2\n    replicaScheduling:\n      replicaDivisionPreference: Weighted\n      replicaSchedulingType: Divided\n      weightPreference:\n        staticWeightList:\n          - targetCluster:\n              clusterNames:\n                - member1\n            weight: 1\n          - targetCluster:\n              clusterNames:\n                - member2\n            weight: 2\n`;
  // The docs' `kubectl describe cluster member1`: Ready False, ClusterNotReachable, 2021-12-31T03:36:08Z.
  const member1 = {
    ...JSON.parse(JSON.stringify(writeReportObject())),
  };
  function writeReportObject() {
    return { ready: 'False' as const, since: '2021-12-31T03:36:08Z' };
  }
  const docsReport = (dir: string) => writeReport(dir, { member1: { ...member1, observedAt: '2021-12-31T03:40:00Z' }, member2: { ready: 'True', since: '2021-12-29T08:49:35Z' } });
  const nginx = (repo: string, ref: string, c: string) => {
    try {
      return Number(/replicas: (\d+)/.exec(git(repo, 'show', `${ref}:${c}/namespaces/default/Deployment.apps/nginx.yaml`))?.[1]);
    } catch {
      return 0;
    }
  };

  it('member1 fails: member2 takes all 3 replicas ("The final result will be member2 with 3 replicas")', async () => {
    writeFileSync(path.join(fleet, 'app.yaml'), policy(''));
    const repo = await renderedFleet('docs', fleet);
    expect([nginx(repo, 'manifold/rendered', 'member1'), nginx(repo, 'manifold/rendered', 'member2')]).toEqual([1, 2]);
    const { outcome } = await run({ source: repo, status: docsReport(path.join(work, 'docs-report')), now: '2021-12-31T03:41:08Z' });
    expect(outcome.action).toBe('proposed');
    expect([nginx(repo, outcome.commit as string, 'member1'), nginx(repo, outcome.commit as string, 'member2')]).toEqual([0, 3]);
  });

  it('clusterTolerations with tolerationSeconds (the docs\' webhook default, 600s) delay the eviction past the grace period', async () => {
    const tolerations = '    clusterTolerations:\n    - effect: NoExecute\n      key: cluster.karmada.io/not-ready\n      operator: Exists\n      tolerationSeconds: 600\n';
    writeFileSync(path.join(fleet, 'app.yaml'), policy(tolerations));
    const repo = await renderedFleet('docs-tolerations', fleet);
    const report = docsReport(path.join(work, 'docs-tol-report'));
    // NoExecute at 03:41:08 (grace 300s); tolerated until 03:51:08.
    expect((await run({ source: repo, status: report, now: '2021-12-31T03:51:07Z' })).outcome.action).toBe('none');
    const { outcome } = await run({ source: repo, status: report, now: '2021-12-31T03:51:08Z' });
    expect(outcome.action).toBe('proposed');
    expect(nginx(repo, outcome.commit as string, 'member2')).toBe(3);
  });

  it('the last copy stays: a workload only member1 may run is kept there, and the message says so', async () => {
    writeFileSync(path.join(fleet, 'app.yaml'), policy('').replace('        - member1\n        - member2\n', '        - member1\n'));
    const repo = await renderedFleet('docs-last-copy', fleet);
    const { outcome } = await run({ source: repo, status: docsReport(path.join(work, 'docs-last-report')), now: '2021-12-31T04:00:00Z' });
    expect(outcome.action).toBe('none');
    const dry = await run({ source: repo, status: docsReport(path.join(work, 'docs-last-report')), now: '2021-12-31T04:00:00Z', dryRun: true });
    expect(dry.outcome.message).toContain('Kept where they run (no other cluster can take them; the last copy is never removed):\n  Deployment default/nginx');
  });
});

describe('manifold failover with pull requests (the local REST stand-in, a bare remote)', () => {
  it('pushes the proposal branch and opens one pull request, leaves it alone on a repeat, closes it when the fleet overtakes it', async () => {
    const { startFakeGitHub } = await import('../../test/action/github-api.ts');
    const { GitHubApi, pullRequestApi } = await import('../github/api.ts');
    const github = await startFakeGitHub({ token: 't0ken', owner: 'acme', repo: 'fleet' });
    try {
      const repo = await renderedFleet('pulls');
      const remote = path.join(work, 'pulls-remote.git');
      execFileSync('git', ['init', '-q', '--bare', remote]);
      const api = pullRequestApi(new GitHubApi({ apiUrl: github.url, token: 't0ken', userAgent: 'manifold-test', retryDelayMs: 1 }));
      const pullRequests = { api, repo: { owner: 'acme', repo: 'fleet' }, remote };
      const lost = writeReport(path.join(work, 'pulls-lost'), { 'eu-1': lostSince(T0), 'eu-2': healthy });
      const first = (await run({ source: repo, status: lost, now: at(300), pullRequests })).outcome;
      expect(first.pull).toEqual({ action: 'created', number: 1, url: 'https://github.test/acme/fleet/pull/1' });
      expect(git(remote, 'rev-parse', 'manifold/failover/eu-1')).toBe(first.commit);
      expect(github.pulls.get(1)).toMatchObject({ state: 'open', title: 'manifold: failover from eu-1 (1 workload moved)', head: { ref: 'manifold/failover/eu-1' }, base: { ref: 'manifold/rendered' } });
      expect(github.pulls.get(1)?.body).toContain('Deployment shop/web [critical]: from eu-1 2 → 0 to eu-2 2 → 3, us-1 1 → 2');
      const repeat = (await run({ source: repo, status: lost, now: at(360), pullRequests })).outcome;
      expect(repeat.pull?.action).toBe('unchanged');
      expect(github.requests.filter((r) => r.method !== 'GET')).toHaveLength(1);
      const back = writeReport(path.join(work, 'pulls-back'), { 'eu-1': { ...healthy, since: at(370) }, 'eu-2': healthy });
      const overtaken = (await run({ source: repo, status: back, now: at(380), pullRequests })).outcome;
      expect(overtaken).toMatchObject({ action: 'none', closed: ['manifold/failover/eu-1'], closedPulls: [1] });
      expect(github.pulls.get(1)?.state).toBe('closed');
    } finally {
      await github.close();
    }
  });
});
