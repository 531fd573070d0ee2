import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from './types.ts';
import { forgetSecrets, rememberSecret } from '../errors/redact.ts';
import { COMMIT, sampleStatus } from '../../test/report/statuses.ts';
import { ReadyThresholds } from './live.ts';
import {
  canonicalStatus,
  ClusterStatusSchema,
  fleetReadme,
  nextStatusContent,
  parseStatusFile,
  reportCommitMessage,
  sameExceptTimestamps,
  statusFileContent,
  statusPath,
} from './report.ts';

describe('status file content', () => {
  it('is 2-space JSON in schema key order, whatever order the reconciler built the object in', () => {
    const s = sampleStatus('east');
    // Same data, keys and array elements in another order.
    const shuffled = {
      objects: [...s.objects].reverse().map((o) => ({ health: o.health, action: o.action, name: o.name, namespace: o.namespace, kind: o.kind, apiVersion: o.apiVersion })),
      conditions: s.conditions,
      summary: { unhealthy: 0, drifted: 0, failed: 0, pruned: 0, unchanged: 1, applied: 1, objects: 2 },
      durationMs: s.durationMs,
      finishedAt: s.finishedAt,
      startedAt: s.startedAt,
      result: s.result,
      renderedCommit: s.renderedCommit,
      cluster: s.cluster,
    } as ClusterStatus;
    const text = statusFileContent(shuffled);
    expect(text).toBe(statusFileContent(s));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "cluster": "east",');
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'cluster', 'renderedCommit', 'result', 'startedAt', 'finishedAt', 'durationMs', 'summary', 'conditions', 'objects',
    ]);
    // Objects sorted by group (core first), kind, namespace, name.
    expect((JSON.parse(text) as ClusterStatus).objects.map((o) => o.kind)).toEqual(['ConfigMap', 'Deployment']);
    expect(Object.keys((JSON.parse(text) as ClusterStatus).objects[0] as object)).toEqual(['apiVersion', 'kind', 'namespace', 'name', 'action', 'health']);
  });

  it('sorts drift entries and conditions, drops undefined optionals', () => {
    const s = sampleStatus('east', {
      conditions: [
        { type: 'Ready', status: 'False', reason: 'HealthCheckFailed', message: 'x' },
        { type: 'Drifted', status: 'True', reason: 'DriftDetected', message: 'y' },
      ],
      objects: [
        {
          apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'nginx', action: 'configured', health: 'Healthy', message: undefined,
          drift: [{ path: '/spec/template', before: 1, after: 2 }, { path: '/spec/replicas', before: 5, after: 3 }],
        },
      ],
    });
    const parsed = JSON.parse(statusFileContent(s)) as ClusterStatus;
    expect(parsed.conditions.map((c) => c.type)).toEqual(['Drifted', 'Ready']);
    expect(parsed.objects[0]?.drift?.map((d) => d.path)).toEqual(['/spec/replicas', '/spec/template']);
    expect('message' in (parsed.objects[0] as object)).toBe(false);
  });

  it('refuses a status that does not match the schema (unknown key, bad result)', () => {
    expect(() => canonicalStatus({ ...sampleStatus('a'), extra: 1 } as ClusterStatus)).toThrow(/does not match the schema/);
    expect(() => canonicalStatus({ ...sampleStatus('a'), result: 'Fine' } as unknown as ClusterStatus)).toThrow(/result/);
  });

  it('status file names are DNS names and cannot escape clusters/', () => {
    expect(statusPath('member-1')).toBe('clusters/member-1.json');
    expect(statusPath('eu.prod-1')).toBe('clusters/eu.prod-1.json');
    for (const bad of ['../x', 'a/b', '', 'UPPER', '.hidden', 'a..b']) expect(() => statusPath(bad)).toThrow(/cannot be a status file name/);
  });

  it('the schema accepts what the file holds and rejects garbage', () => {
    expect(parseStatusFile(statusFileContent(sampleStatus('a')))).toEqual(canonicalStatus(sampleStatus('a')));
    expect(parseStatusFile('{not json')).toBeUndefined();
    expect(parseStatusFile('{"cluster":"a"}')).toBeUndefined();
    expect(ClusterStatusSchema.safeParse(JSON.parse(statusFileContent(sampleStatus('a')))).success).toBe(true);
  });

  it('messages are redacted: remembered credentials in any encoding, authorization values, URL userinfo; the file stays valid JSON', () => {
    rememberSecret('report-test-token-4711');
    const s = sampleStatus('a');
    const basic = Buffer.from('x-access-token:report-test-token-4711').toString('base64');
    s.conditions = [{ type: 'Ready', status: 'False', reason: 'Unreachable', message: `token report-test-token-4711 at https://u:pw@host/x (${basic}); proxy said Authorization: Basic ${basic}` }];
    const text = statusFileContent(s);
    forgetSecrets();
    expect(text).not.toContain('report-test-token-4711');
    expect(text).not.toContain(basic.slice(0, 20));
    expect(text).not.toContain('u:pw@');
    expect((JSON.parse(text) as ClusterStatus).conditions[0]?.message).toBe('token *** at https://***@host/x (***); proxy said Authorization: ***');
  });
});

describe('no-op detection', () => {
  it('timestamps alone are not a change: the stored bytes are kept', () => {
    const first = statusFileContent(sampleStatus('east'));
    const later = sampleStatus('east', { startedAt: '2026-01-02T00:00:00.000Z', finishedAt: '2026-01-02T00:00:03.000Z', durationMs: 3000 });
    expect(sameExceptTimestamps(sampleStatus('east'), later)).toBe(true);
    expect(nextStatusContent(first, later)).toEqual({ content: first, changed: false });
  });

  it('object order from parallel workers is not a change', () => {
    const s = sampleStatus('east');
    const reordered = { ...s, objects: [...s.objects].reverse(), finishedAt: '2027-01-01T00:00:00.000Z' };
    expect(nextStatusContent(statusFileContent(s), reordered).changed).toBe(false);
  });

  it('any other field is a change, and the new file carries the new timestamps', () => {
    const first = statusFileContent(sampleStatus('east'));
    for (const over of [
      { renderedCommit: 'f'.repeat(40) },
      { result: 'Degraded' as const },
      { summary: { objects: 2, applied: 0, unchanged: 2, pruned: 0, failed: 0, drifted: 1, unhealthy: 0 } },
      { conditions: [] },
    ]) {
      const next = sampleStatus('east', { ...over, finishedAt: '2026-05-05T00:00:00.000Z' });
      const out = nextStatusContent(first, next);
      expect(out.changed).toBe(true);
      expect(out.content).toContain('2026-05-05T00:00:00.000Z');
    }
  });

  it('a missing or unreadable stored file is replaced', () => {
    expect(nextStatusContent(undefined, sampleStatus('a')).changed).toBe(true);
    expect(nextStatusContent('garbage', sampleStatus('a'))).toEqual({ content: statusFileContent(sampleStatus('a')), changed: true });
  });
});

describe('fleet README', () => {
  it('one row per cluster, sorted, with applied commit, last attempt, counts, result and since', () => {
    const readme = fleetReadme([
      sampleStatus('west', {
        result: 'Degraded',
        summary: { objects: 7, applied: 0, unchanged: 7, pruned: 0, failed: 0, drifted: 2, unhealthy: 1 },
        conditions: [{ type: 'Healthy', status: 'False', reason: 'HealthCheckFailed', message: 'Deployment web/nginx: 1/3 available' }],
      }),
      sampleStatus('east', { renderedCommit: 'folder:rendered' }),
    ]);
    const rows = readme.split('\n').filter((l) => l.startsWith('| ['));
    expect(rows).toEqual([
      '| [east](clusters/east.json) | `folder:rendered` | `folder:rendered` | 2 | 0 | 0 | ✅ Synced | 2026-01-01T00:00:01.500Z |  |  |',
      '| [west](clusters/west.json) | `0123456789ab` | `0123456789ab` | 7 | 2 | 1 | ⚠️ Degraded | 2026-01-01T00:00:01.500Z |  |  |',
    ]);
    expect(readme).toContain('| cluster | applied commit | last attempt | objects | drifted | unhealthy | last result | since |');
    expect(readme).toContain('2 clusters: 1 Synced, 1 Degraded.');
    expect(readme).toContain('### west: Degraded');
    expect(readme).toContain('- Healthy=False HealthCheckFailed: Deployment web/nginx: 1/3 available');
    expect(readme).not.toContain('### east');
  });

  it('escapes table syntax in messages, lists unreadable files, caps problem lines at 10', () => {
    const objects = Array.from({ length: 12 }, (_, i) => ({
      apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: `c${String(i).padStart(2, '0')}`, action: 'failed' as const, health: 'Unknown' as const, message: 'a | b\nc',
    }));
    const readme = fleetReadme([sampleStatus('east', { result: 'Failed', objects })], ['clusters/bad.json']);
    expect(readme).toContain('- ConfigMap ns/c00: failed — a \\| b c');
    expect(readme).toContain('… and 2 more (see clusters/east.json)');
    expect(readme).toContain('| clusters/bad.json | | | | | | ❓ unreadable status file | |');
  });

  it('an Unreachable or Failed cluster shows the commit it last applied, not the one it failed to apply', () => {
    const NEW = 'f'.repeat(40);
    const down = sampleStatus('down', { renderedCommit: NEW, result: 'Unreachable', objects: [], lastApplied: { renderedCommit: COMMIT, objects: [] } });
    const never = sampleStatus('never', { renderedCommit: NEW, result: 'Failed', objects: [] });
    const rows = fleetReadme([down, never]).split('\n').filter((l) => l.startsWith('| ['));
    expect(rows[0]).toMatch(/^\| \[down\]\(clusters\/down.json\) \| `0123456789ab` \| `ffffffffffff` \|/);
    expect(rows[1]).toMatch(/^\| \[never\]\(clusters\/never.json\) \| none \| `ffffffffffff` \|/);
  });

  it('Problems lists only clusters with a real problem, and no condition that is fine (Drifted=False, corrected drift)', () => {
    const healthy = sampleStatus('east', {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: '2 object(s)' },
        { type: 'Drifted', status: 'False', reason: 'NoDrift', message: 'no drift' },
        { type: 'Healthy', status: 'True', reason: 'AllHealthy', message: 'every object is healthy' },
      ],
    });
    const corrected = sampleStatus('north', { conditions: [{ type: 'Drifted', status: 'True', reason: 'DriftCorrected', message: '1 object(s) drifted' }] });
    const degraded = sampleStatus('west', {
      result: 'Degraded',
      conditions: [
        { type: 'Ready', status: 'False', reason: 'NotConverged', message: '1 object(s) drifted (not corrected)' },
        { type: 'Drifted', status: 'True', reason: 'DriftNotCorrected', message: '1 object(s) drifted: ConfigMap web/app' },
        { type: 'Healthy', status: 'True', reason: 'AllHealthy', message: 'every object is healthy' },
      ],
    });
    const readme = fleetReadme([healthy, corrected, degraded]);
    const problems = readme.slice(readme.indexOf('## Problems'));
    expect(problems).not.toContain('### east');
    expect(problems).not.toContain('### north');
    expect(problems).not.toContain('NoDrift');
    expect(problems).toContain('### west: Degraded');
    expect(problems).toContain('- Drifted=True DriftNotCorrected: 1 object(s) drifted: ConfigMap web/app');
    expect(problems).not.toContain('AllHealthy');
    expect(fleetReadme([healthy, corrected])).not.toContain('## Problems');
  });

  it('is deterministic: same statuses, same bytes', () => {
    const a = [sampleStatus('a'), sampleStatus('b')];
    expect(fleetReadme(a)).toBe(fleetReadme([...a].reverse()));
  });
});

describe('commit message', () => {
  it('names the changed clusters and carries trailers', () => {
    const one = reportCommitMessage([sampleStatus('east')]);
    expect(one.split('\n')[0]).toBe('manifold: status east Synced at 0123456789ab');
    expect(one).toContain(`Manifold-Rendered-Commit: ${COMMIT}`);
    const many = reportCommitMessage(['a', 'b', 'c', 'd', 'e', 'f'].map((c) => sampleStatus(c)));
    expect(many.split('\n')[0]).toBe('manifold: status of 6 clusters (a, b, c, d, e, …)');
    expect(many.match(/Manifold-Rendered-Commit/g)).toHaveLength(1);
  });

  it('is the format docs/reconciler.md shows, for one cluster and for several', async () => {
    const doc = await readFile(path.join(import.meta.dirname, '..', '..', 'docs', 'reconciler.md'), 'utf8');
    const documented = [...doc.matchAll(/<!-- commit-message: (\w+) -->\n```text\n([\s\S]*?)```/g)].map((m) => [m[1], m[2]]);
    expect(documented.map(([name]) => name)).toEqual(['one', 'several']);
    const m2 = sampleStatus('member2', {
      renderedCommit: '3f2a9c1e77b0' + '5'.repeat(28),
      result: 'Degraded',
      summary: { objects: 2, applied: 0, unchanged: 2, pruned: 0, failed: 0, drifted: 1, unhealthy: 1 },
    });
    const m3 = sampleStatus('member3', { renderedCommit: m2.renderedCommit, result: 'Unreachable', summary: { objects: 2, applied: 0, unchanged: 0, pruned: 0, failed: 0, drifted: 0, unhealthy: 0 }, objects: [] });
    const version = (text: string) => text.replace(/^Manifold-Version: .*$/m, 'Manifold-Version: X');
    expect(version(documented[0]?.[1] ?? '')).toBe(version(reportCommitMessage([m2])));
    expect(version(documented[1]?.[1] ?? '')).toBe(version(reportCommitMessage([m2, m3], ['member4'])));
  });
});

describe('last applied, kept apart from the attempt', () => {
  const NEW = 'f'.repeat(40);
  const unreachable = (over: Partial<ClusterStatus> = {}) =>
    sampleStatus('east', { renderedCommit: NEW, result: 'Unreachable', objects: [], conditions: [{ type: 'Ready', status: 'False', reason: 'Unreachable', message: 'no answer' }], ...over });

  it('a failed attempt keeps the commit and objects of the last Synced status it replaces, across further failures', () => {
    const stored = statusFileContent(sampleStatus('east', { lastApplied: { renderedCommit: COMMIT } }));
    const first = nextStatusContent(stored, unreachable());
    const parsed = JSON.parse(first.content) as ClusterStatus;
    expect(parsed.renderedCommit).toBe(NEW);
    expect(parsed.objects).toEqual([]);
    expect(parsed.lastApplied).toEqual({
      renderedCommit: COMMIT,
      objects: [
        { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'app' },
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'nginx' },
      ],
    });
    const second = JSON.parse(nextStatusContent(first.content, unreachable({ finishedAt: '2026-01-02T00:00:00.000Z' })).content) as ClusterStatus;
    expect(second.lastApplied).toEqual(parsed.lastApplied);
    // The cluster is back: what it applied now is what runs.
    const back = JSON.parse(nextStatusContent(first.content, sampleStatus('east', { renderedCommit: NEW, lastApplied: { renderedCommit: NEW } })).content) as ClusterStatus;
    expect(back.lastApplied).toEqual({ renderedCommit: NEW });
  });

  it('a cluster that never applied has no lastApplied', () => {
    expect((JSON.parse(nextStatusContent(undefined, unreachable()).content) as ClusterStatus).lastApplied).toBeUndefined();
  });
});

describe('many writers at fleet scale', () => {
  it('a one-cluster write parses only its own file: the other status files are read once per blob, not once per write', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { openRepository, readRef } = await import('../git/repo.ts');
    const { planReport, writeReport, readReport } = await import('./report.ts');
    const dir = mkdtempSync(path.join(tmpdir(), 'manifold-report-scale-'));
    try {
      execFileSync('git', ['init', '-q', '--bare', '-b', 'main', dir]);
      const repo = openRepository(dir);
      const names = Array.from({ length: 200 }, (_, i) => `member-${String(i).padStart(3, '0')}`);
      await writeReport({ repo }, names.map((c) => sampleStatus(c)));
      const ref = 'refs/heads/manifold/status';
      await planReport(repo, await readRef(repo, ref), [sampleStatus('member-007', { result: 'Degraded' })]);
      // Count blob reads of the next one-cluster writes.
      const read = repo.objects.read.bind(repo.objects);
      let reads = 0;
      repo.objects.read = async (oid: string) => {
        const o = await read(oid);
        if (o.type === 'blob') reads++;
        return o;
      };
      for (const c of ['member-011', 'member-150', 'member-199']) await writeReport({ repo }, [sampleStatus(c, { result: 'Degraded' })]);
      expect(reads).toBeLessThanOrEqual(3 * 2);
      const report = await readReport(repo, (await readRef(repo, ref)) as string);
      expect(report.size).toBe(200);
      expect([...report.values()].filter((s) => s.result === 'Degraded').map((s) => s.cluster).sort()).toEqual(['member-011', 'member-150', 'member-199']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('live state on the report branch', () => {
  const t = (minutes: number): string => new Date(Date.parse('2026-01-01T10:00:00Z') + minutes * 60_000).toISOString();
  const live = (minutes: number, allocatedCpu: string, ready: 'True' | 'False' = 'True'): ClusterStatus['live'] => ({
    observedAt: t(minutes),
    conditions: [
      ready === 'True'
        ? { type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'cluster is healthy and ready to accept workloads', lastTransitionTime: t(minutes) }
        : { type: 'Ready', status: 'False', reason: 'ClusterNotReachable', message: 'cluster is not reachable', lastTransitionTime: t(minutes) },
    ],
    ...(ready === 'True' ? { nodeSummary: { totalNum: 3, readyNum: 3 }, resourceSummary: { allocatable: { cpu: '96', memory: '768Gi' }, allocated: { cpu: allocatedCpu, memory: '1Gi' } } } : {}),
  });
  const at = (minutes: number, l: ClusterStatus['live']): ClusterStatus => sampleStatus('east', { startedAt: t(minutes), finishedAt: t(minutes), live: l });

  it('observedAt alone makes no commit, like startedAt', () => {
    const stored = statusFileContent(at(0, live(0, '1')));
    expect(nextStatusContent(stored, at(5, live(5, '1')))).toEqual({ content: stored, changed: false });
  });

  it('allocated alone waits for the refresh period; anything else is written at once', () => {
    const stored = statusFileContent(at(0, live(0, '1')));
    expect(nextStatusContent(stored, at(5, live(5, '1500m'))).changed).toBe(false);
    expect(nextStatusContent(stored, at(5, live(5, '1500m')), { refreshMs: 60_000 }).changed).toBe(true);
    expect(nextStatusContent(stored, at(30, live(30, '1500m'))).changed).toBe(true);
    const fewerNodes = live(5, '1');
    if (fewerNodes?.nodeSummary) fewerNodes.nodeSummary.readyNum = 2;
    expect(nextStatusContent(stored, at(5, fewerNodes)).changed).toBe(true);
  });

  it('"unreachable since" stays across runs (and restarts: it is read back from the stored file), the last known capacity with it', () => {
    let stored = statusFileContent(at(0, live(0, '1')));
    const down = nextStatusContent(stored, at(10, live(10, '', 'False')));
    expect(down.changed).toBe(true);
    stored = down.content;
    const later = nextStatusContent(stored, at(20, live(20, '', 'False')));
    expect(later.changed).toBe(false);
    const parsed = parseStatusFile(stored);
    expect(parsed?.live?.conditions[0]).toMatchObject({ status: 'False', reason: 'ClusterNotReachable', lastTransitionTime: t(10) });
    expect(parsed?.live?.resourceSummary?.allocatable).toEqual({ cpu: '96', memory: '768Gi' });
    // Back: a new transition time.
    const back = parseStatusFile(nextStatusContent(stored, at(30, live(30, '1'))).content);
    expect(back?.live?.conditions[0]).toMatchObject({ status: 'True', lastTransitionTime: t(30) });
  });

  it('in a running reconciler a lost cluster shows as ClusterNotReachable only once that has lasted the failure threshold (30 s)', () => {
    const thresholds = new ReadyThresholds();
    const seconds = (s: number): string => new Date(Date.parse(t(0)) + s * 1000).toISOString().replace('.000Z', 'Z');
    const observe = (s: number, up: boolean): ClusterStatus => {
      const l = live(0, '1', up ? 'True' : 'False') as NonNullable<ClusterStatus['live']>;
      return at(0, { ...l, observedAt: seconds(s), conditions: l.conditions.map((c) => ({ ...c, lastTransitionTime: seconds(s) })) });
    };
    let stored = nextStatusContent(undefined, observe(0, true), { thresholds }).content;
    for (const [s, up, expected] of [[5, false, 'True'], [20, false, 'True'], [36, false, 'False'], [50, false, 'False']] as const) {
      stored = nextStatusContent(stored, observe(s, up), { thresholds }).content;
      expect(parseStatusFile(stored)?.live?.conditions[0]?.status, `${s} s`).toBe(expected);
    }
    // Not ready since the observation that crossed the threshold (Karmada sets the time when it reports the flip).
    expect(parseStatusFile(stored)?.live?.conditions[0]?.lastTransitionTime).toBe(seconds(36));
  });

  it('the README shows readiness with since and cpu/memory allocated / allocatable', () => {
    const readme = fleetReadme([at(0, live(0, '1500m')), sampleStatus('west', { live: live(3, '', 'False') })]);
    expect(readme).toContain(`| ✅ Ready since ${t(0)} | cpu 1500m / 96, memory 1Gi / 768Gi |`);
    expect(readme).toContain(`| 🔌 ClusterNotReachable since ${t(3)} |  |`);
  });
});
