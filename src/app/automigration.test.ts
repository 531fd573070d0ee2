/**
 * KubeAdmiral auto-migration as a failover proposal, on a real git
 * repository holding the scenario of upstream's e2e test
 * (test/e2e/automigration/automigration.go, ported in
 * test/fixtures/upstream/kubeadmiral-automigration) with hand-written
 * reports: member-1's pods stay unschedulable, and once they have been so
 * for the policy's podUnschedulableFor (5s) its replicas move.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterStatus, commitReport, type ClusterReport } from '../../test/helpers/report.ts';
import type { ClusterStatus, LiveWorkload } from '../reconcile/types.ts';
import { explain } from './explain.ts';
import { failover } from './failover.ts';
import { render } from './render.ts';

const FIXTURE = path.join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'upstream', 'kubeadmiral-automigration');
const work = mkdtempSync(path.join(tmpdir(), 'manifold-automigration-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const T0 = '2026-03-01T10:00:00Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString().replace('.000Z', 'Z');
const healthy: ClusterReport = { ready: 'True', since: '2026-02-01T00:00:00Z', observedAt: T0, allocatable: { cpu: '8', memory: '32Gi', pods: '110' } };
const git = (repo: string, ...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

async function renderedFleet(name: string, edit?: (fleet: string) => string): Promise<string> {
  const repo = path.join(work, name);
  cpSync(FIXTURE, repo, { recursive: true });
  if (edit !== undefined) writeFileSync(path.join(repo, 'fleet.yaml'), edit(readFileSync(path.join(repo, 'fleet.yaml'), 'utf8')));
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'fleet');
  await render({ source: repo, commit: true }, () => {});
  return repo;
}

/** The web Deployment as the reconciler reports it on one cluster. */
function withWeb(name: string, web: Omit<LiveWorkload, 'apiVersion' | 'kind' | 'namespace' | 'name'>): ClusterStatus {
  const status = clusterStatus(name, healthy);
  return { ...status, live: { ...(status.live as NonNullable<ClusterStatus['live']>), workloads: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', ...web }] } };
}
const running = (name: string) => withWeb(name, { desired: 2, ready: 2, unschedulable: 0 });
/** member-1: both pods Pending, PodScheduled=False (Unschedulable) since `since`. */
const stuck = (since: string) => withWeb('member-1', { desired: 2, ready: 0, unschedulable: 2, pods: 2, unschedulableSince: [since, since] });

const replicasOn = (repo: string, ref: string, cluster: string): number => {
  try {
    return Number(/replicas: (\d+)/.exec(git(repo, 'show', `${ref}:${cluster}/namespaces/shop/Deployment.apps/web.yaml`))?.[1] ?? 0);
  } catch {
    return 0;
  }
};

describe('KubeAdmiral auto-migration (manifold failover)', () => {
  it('pods unschedulable for less than podUnschedulableFor move nothing; past it, member-1 is capped at 0 and its replicas go to the others (upstream e2e: 2/2/2 → 0/3/3)', async () => {
    const repo = await renderedFleet('migrate');
    expect(['member-1', 'member-2', 'member-3'].map((c) => replicasOn(repo, 'manifold/rendered', c))).toEqual([2, 2, 2]);
    // 3 s after the pods became unschedulable: under the 5 s threshold.
    commitReport(repo, 'manifold/status', T0, { 'member-1': stuck(at(-3)), 'member-2': running('member-2'), 'member-3': running('member-3') });
    const early = await failover({ source: repo, status: 'manifold/status' }, () => {});
    expect(early.action).toBe('none');

    commitReport(repo, 'manifold/status', at(10), { 'member-1': stuck(at(-3)), 'member-2': running('member-2'), 'member-3': running('member-3') });
    const outcome = await failover({ source: repo, status: 'manifold/status' }, () => {});
    expect(outcome.action).toBe('proposed');
    expect(outcome.branch).toBe('manifold/failover/member-1');
    expect(['member-1', 'member-2', 'member-3'].map((c) => replicasOn(repo, 'manifold/failover/member-1', c))).toEqual([0, 3, 3]);
    const message = outcome.message ?? '';
    expect(message.split('\n')[0]).toBe('manifold: auto-migration from member-1 (1 workload moved)');
    expect(message).toContain('member-1: Deployment shop/web has 2 pods unschedulable for more than 5s (KubeAdmiral autoMigration).');
    expect(message).toContain('Deployment shop/web [critical]: from member-1 2 → 0 to member-2 2 → 3, member-3 2 → 3');
    expect(message).toContain('Manifold-Auto-Migration: member-1');
    expect(message).not.toContain('Manifold-Failover:');

    const shown = await explain({ source: repo, target: 'deployment/web', status: 'manifold/status' }, () => {});
    const lines = shown.result.placements.find((p) => p.template.id.name === 'web' && p.template.id.kind === 'Deployment')?.explain.flatMap((e) => e.lines);
    expect(lines).toContain('auto-migration: member-1: 2 pods unschedulable for more than 5s (of 2 desired): estimatedCapacity 0');
  });

  it('keepUnschedulableReplicas: member-1 keeps its unschedulable replicas while the others get the same number on top (the planner adds, it does not move)', async () => {
    const repo = await renderedFleet('keep', (fleet) => fleet.replace('      podUnschedulableFor: 5s', '      podUnschedulableFor: 5s\n    keepUnschedulableReplicas: true'));
    commitReport(repo, 'manifold/status', at(10), { 'member-1': stuck(at(-3)), 'member-2': running('member-2'), 'member-3': running('member-3') });
    const outcome = await failover({ source: repo, status: 'manifold/status', dryRun: true }, () => {});
    expect(outcome.action).toBe('dry-run');
    const message = outcome.message ?? '';
    expect(message.split('\n')[0]).toBe('manifold: auto-migration from member-1 (1 workload moved)');
    expect(message).toContain('member-1: Deployment shop/web has 2 pods unschedulable for more than 5s, kept there (keepUnschedulableReplicas) (KubeAdmiral autoMigration).');
    expect(message).toContain('Deployment shop/web [critical]: to member-2 2 → 3, member-3 2 → 3');
  });

  it('a policy without autoMigration ignores unschedulable pods', async () => {
    const repo = await renderedFleet('disabled', (fleet) => fleet.replace('  autoMigration:\n    when:\n      podUnschedulableFor: 5s\n', ''));
    commitReport(repo, 'manifold/status', at(600), { 'member-1': stuck(at(-3)), 'member-2': running('member-2'), 'member-3': running('member-3') });
    expect((await failover({ source: repo, status: 'manifold/status' }, () => {})).action).toBe('none');
  });
});
