import { describe, expect, it } from 'vitest';
import { RuntimeError } from '../errors/index.ts';
import { sampleStatus } from '../../test/report/statuses.ts';
import { createLogger } from './logger.ts';
import { ReconcileLoop, type LoopConfig, type ReconcileOnce, type RenderedSnapshot } from './loop.ts';
import { ReconcilerMetrics } from './metrics.ts';
import type { ReportResult } from './report.ts';
import { ProbeState } from './server.ts';
import type { ClusterResult, ClusterStatus } from './types.ts';

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\n';

function snapshot(version: string, clusters = ['east', 'west']): RenderedSnapshot {
  return { trees: new Map(clusters.map((c) => [c, new Map([['default/configmap_app.yaml', CM]])])), renderedCommit: version, version };
}

interface Harness {
  loop: ReconcileLoop;
  calls: string[][];
  reports: ClusterStatus[][];
  logs: Record<string, unknown>[];
  probe: ProbeState;
  metrics: ReconcilerMetrics;
  clock: { now: number };
  setSnapshot(s: RenderedSnapshot | Error): void;
  results: Map<string, ClusterResult>;
}

function harness(extra: Partial<LoopConfig> = {}, reconcileImpl?: ReconcileOnce): Harness {
  let current: RenderedSnapshot | Error = snapshot('a'.repeat(40));
  const calls: string[][] = [];
  const reports: ClusterStatus[][] = [];
  const logs: Record<string, unknown>[] = [];
  const results = new Map<string, ClusterResult>();
  const clock = { now: 1_000_000 };
  const probe = new ProbeState(Number.POSITIVE_INFINITY, clock.now);
  const metrics = new ReconcilerMetrics({ processMetrics: false });
  const reconcile: ReconcileOnce =
    reconcileImpl ??
    (async (snap, clusters) => {
      calls.push([...clusters]);
      return clusters.map((c) => sampleStatus(c, { renderedCommit: snap.renderedCommit, result: results.get(c) ?? 'Synced' }));
    });
  const loop = new ReconcileLoop({
    source: {
      description: 'test',
      read: async () => {
        if (current instanceof Error) throw current;
        return current;
      },
    },
    reconcile,
    report: async (statuses): Promise<ReportResult> => {
      reports.push([...statuses]);
      return { ref: 'refs/heads/manifold/status', commit: 'c', created: true, pushed: true, attempts: 1, changed: statuses.map((s) => s.cluster) };
    },
    logger: createLogger({ write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) }),
    metrics,
    probe,
    driftIntervalMs: 300_000,
    intervalMs: 10,
    now: () => clock.now,
    ...extra,
  });
  return { loop, calls, reports, logs, probe, metrics, clock, results, setSnapshot: (s) => (current = s) };
}

describe('ReconcileLoop scheduling', () => {
  it('reconciles everything first, then only on a new commit, a non-Synced cluster, or when the drift check is due', async () => {
    const h = harness();
    await h.loop.iterate();
    expect(h.calls).toEqual([['east', 'west']]);
    // Same commit, all Synced, drift check not due: nothing to do, no report.
    h.clock.now += 60_000;
    const idle = await h.loop.iterate();
    expect(idle.statuses).toEqual([]);
    expect(h.calls).toHaveLength(1);
    expect(h.reports).toHaveLength(1);
    // A new commit: every cluster.
    h.setSnapshot(snapshot('b'.repeat(40)));
    await h.loop.iterate();
    expect(h.calls[1]).toEqual(['east', 'west']);
    // west fails: only west is retried at the next tick.
    h.results.set('west', 'Unreachable');
    h.setSnapshot(snapshot('c'.repeat(40)));
    await h.loop.iterate();
    await h.loop.iterate();
    expect(h.calls[3]).toEqual(['west']);
    // Drift interval elapsed: east again (west is retried anyway).
    h.clock.now += 300_000;
    await h.loop.iterate();
    expect(h.calls[4]).toEqual(['east', 'west']);
  });

  it('a cluster removed from the tree is forgotten; a new one is reconciled', async () => {
    const h = harness();
    await h.loop.iterate();
    h.setSnapshot(snapshot('a'.repeat(40), ['east', 'north']));
    await h.loop.iterate();
    expect(h.calls[1]).toEqual(['north']);
    expect(h.loop.dueClusters(snapshot('a'.repeat(40), ['east', 'north']))).toEqual([]);
  });

  it('readiness only after the first reconcile; progress recorded on idle ticks', async () => {
    const h = harness();
    h.setSnapshot(new RuntimeError('RENDERED_BRANCH_MISSING', 'the rendered branch manifold/rendered does not exist'));
    await h.loop.iterate();
    expect(h.probe.isReady()).toBe(false);
    h.setSnapshot(snapshot('a'.repeat(40)));
    await h.loop.iterate();
    expect(h.probe.isReady()).toBe(true);
  });
});

describe('ReconcileLoop errors', () => {
  it('a source error is logged once per distinct message and the loop goes on; once mode throws it', async () => {
    const h = harness();
    h.setSnapshot(new RuntimeError('GIT_REMOTE_UNREACHABLE', 'fetching from http://x: cannot reach the remote (ECONNREFUSED)'));
    await h.loop.iterate();
    await h.loop.iterate();
    const errors = h.logs.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toBe('cannot read the rendered trees: fetching from http://x: cannot reach the remote (ECONNREFUSED)');
    expect(await h.metrics.registry.getSingleMetricAsString('manifold_loop_errors_total')).toContain('manifold_loop_errors_total{stage="source"} 2');

    const once = harness({ once: true });
    once.setSnapshot(new RuntimeError('RENDERED_BRANCH_MISSING', 'missing'));
    await expect(once.loop.run()).rejects.toThrow('missing');
  });

  it('an invalid rendered tree applies nothing anywhere', async () => {
    const h = harness();
    h.setSnapshot({ trees: new Map([['east', new Map([['bad.yaml', 'kind: [\n']])]]), renderedCommit: 'x', version: 'x' });
    await h.loop.iterate();
    expect(h.calls).toEqual([]);
    expect(h.logs.find((l) => l.level === 'error')?.msg).toMatch(/cannot read the rendered trees: east\/bad.yaml/);
  });

  it('a report failure is logged and counted; the next change is reported again', async () => {
    const h = harness({
      report: async () => {
        throw new RuntimeError('GIT_AUTH_REJECTED', 'pushing the report to http://git: the server rejected the token');
      },
    });
    await h.loop.iterate();
    expect(h.logs.some((l) => l.level === 'error' && String(l.msg).includes('cannot write the report'))).toBe(true);
    expect(h.probe.isReady()).toBe(true);
  });

  it('logs one line per cluster: info when Synced, error with the reason otherwise', async () => {
    const h = harness({}, async (snap, clusters) =>
      clusters.map((c) =>
        c === 'west'
          ? sampleStatus(c, { result: 'Unreachable', conditions: [{ type: 'Ready', status: 'False', reason: 'Unreachable', message: 'dial tcp 127.0.0.1:1: connection refused' }] })
          : sampleStatus(c),
      ),
    );
    await h.loop.iterate();
    const west = h.logs.find((l) => l.cluster === 'west');
    expect(west).toMatchObject({ level: 'error', result: 'Unreachable', msg: 'west: Unreachable — Ready Unreachable: dial tcp 127.0.0.1:1: connection refused' });
    expect(h.logs.find((l) => l.cluster === 'east')).toMatchObject({ level: 'info', result: 'Synced' });
  });
});

describe('ReconcileLoop shutdown', () => {
  it('stop() fails readiness at once and lets a short in-flight reconcile finish and report', async () => {
    let release!: () => void;
    const h = harness({ shutdownGraceMs: 5_000 }, async (snap, clusters) => {
      await new Promise<void>((r) => (release = r));
      return clusters.map((c) => sampleStatus(c));
    });
    const running = h.loop.run();
    await new Promise((r) => setTimeout(r, 20));
    h.loop.stop();
    expect(h.probe.shuttingDown).toBe(true);
    release();
    const last = await running;
    expect(last?.cancelled).toBe(false);
    expect(h.reports).toHaveLength(1);
  });

  it('a reconcile that outlives the grace period is cancelled and writes no report', async () => {
    const h = harness({ shutdownGraceMs: 30 }, async (snap, clusters, signal) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      return clusters.map((c) => sampleStatus(c, { result: 'Failed' }));
    });
    const running = h.loop.run();
    await new Promise((r) => setTimeout(r, 20));
    h.loop.stop();
    const last = await running;
    expect(last?.cancelled).toBe(true);
    expect(h.reports).toHaveLength(0);
    expect(h.logs.some((l) => String(l.msg).includes('report branch keeps its previous report'))).toBe(true);
  });

  it('stop() during the sleep between ticks ends the loop promptly', async () => {
    const h = harness({ intervalMs: 60_000 });
    const running = h.loop.run();
    await new Promise((r) => setTimeout(r, 30));
    const t0 = Date.now();
    h.loop.stop();
    await running;
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('trigger() starts the next tick without waiting for the interval', async () => {
    const h = harness({ intervalMs: 60_000 });
    const running = h.loop.run();
    await new Promise((r) => setTimeout(r, 30));
    h.setSnapshot(snapshot('d'.repeat(40)));
    h.loop.trigger();
    await new Promise((r) => setTimeout(r, 30));
    h.loop.stop();
    await running;
    expect(h.calls).toHaveLength(2);
  });
});
