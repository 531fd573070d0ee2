import { describe, expect, it } from 'vitest';
import { RuntimeError } from '../errors/index.ts';
import { sampleStatus } from '../../test/report/statuses.ts';
import { createLogger } from './logger.ts';
import { ReconcileLoop, type LoopConfig, type ReconcileOnce } from './loop.ts';
import type { RenderedSnapshot } from './source.ts';
import { ReconcilerMetrics } from './metrics.ts';
import type { ReportResult } from './report.ts';
import { ProbeState } from './server.ts';
import type { ClusterResult, ClusterStatus } from './types.ts';

function orphanStatus(cluster: string, reason: 'LeftTheFleet' | 'Decommissioned'): ClusterStatus {
  return sampleStatus(cluster, { result: 'Orphaned', conditions: [{ type: 'Ready', status: 'False', reason, message: 'left the fleet' }] });
}

const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\n';

function snapshot(version: string, clusters = ['east', 'west']): RenderedSnapshot {
  return { trees: new Map(clusters.map((c) => [c, new Map([['default/configmap_app.yaml', CM]])])), renderedCommit: version, version };
}

interface Harness {
  loop: ReconcileLoop;
  /** One entry per reconcile call (each cluster is its own worker): its clusters, orphans marked `name (orphan)`. */
  calls: string[][];
  /** The clusters reconciled since the last take(), sorted. */
  take(): string[];
  reports: ClusterStatus[][];
  removed: string[][];
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
  let taken = 0;
  const reports: ClusterStatus[][] = [];
  const removed: string[][] = [];
  const logs: Record<string, unknown>[] = [];
  const results = new Map<string, ClusterResult>();
  const clock = { now: 1_000_000 };
  const probe = new ProbeState(Number.POSITIVE_INFINITY, clock.now);
  const metrics = new ReconcilerMetrics({ processMetrics: false });
  const reconcile: ReconcileOnce =
    reconcileImpl ??
    (async (snap, clusters, _signal, hooks) => {
      calls.push(clusters.map((c) => (hooks?.orphans?.has(c) ? `${c} (orphan)` : c)));
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
    report: async (statuses, gone = []): Promise<ReportResult> => {
      reports.push([...statuses]);
      removed.push([...gone]);
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
  const take = (): string[] => {
    const out = calls.slice(taken).flat().sort();
    taken = calls.length;
    return out;
  };
  return { loop, calls, take, reports, removed, logs, probe, metrics, clock, results, setSnapshot: (s) => (current = s) };
}

describe('ReconcileLoop scheduling', () => {
  it('reconciles everything first, then only on a new commit, a non-Synced cluster, or when the drift check is due', async () => {
    const h = harness();
    await h.loop.iterate();
    expect(h.take()).toEqual(['east', 'west']);
    // Each cluster is its own worker: one call per cluster, and one report of both.
    expect(h.calls).toEqual([['east'], ['west']]);
    expect(h.reports).toHaveLength(1);
    // Same commit, all Synced, drift check not due: nothing to do, no report.
    h.clock.now += 60_000;
    const idle = await h.loop.iterate();
    expect(idle.statuses).toEqual([]);
    expect(h.take()).toEqual([]);
    expect(h.reports).toHaveLength(1);
    // A new commit: every cluster.
    h.setSnapshot(snapshot('b'.repeat(40)));
    await h.loop.iterate();
    expect(h.take()).toEqual(['east', 'west']);
    // west fails: only west is retried at the next tick.
    h.results.set('west', 'Unreachable');
    h.setSnapshot(snapshot('c'.repeat(40)));
    await h.loop.iterate();
    expect(h.take()).toEqual(['east', 'west']);
    await h.loop.iterate();
    expect(h.take()).toEqual(['west']);
    // Drift interval elapsed: east again (west is retried anyway).
    h.clock.now += 300_000;
    await h.loop.iterate();
    expect(h.take()).toEqual(['east', 'west']);
  });

  it('a cluster that left the tree is reconciled as an orphan (not forgotten) until it is decommissioned; a new one is reconciled', async () => {
    const h = harness({}, async (snap, clusters, _signal, hooks) => {
      h.calls.push(clusters.map((c) => (hooks?.orphans?.has(c) ? `${c} (orphan)` : c)));
      return clusters.map((c) => (hooks?.orphans?.has(c) ? orphanStatus(c, h.results.get(c) === 'Synced' ? 'Decommissioned' : 'LeftTheFleet') : sampleStatus(c)));
    });
    await h.loop.iterate();
    h.take();
    h.setSnapshot(snapshot('a'.repeat(40), ['east', 'north']));
    await h.loop.iterate();
    expect(h.take()).toEqual(['north', 'west (orphan)']);
    expect(h.reports.at(-1)?.map((s) => [s.cluster, s.result])).toEqual([
      ['north', 'Synced'],
      ['west', 'Orphaned'],
    ]);
    // An orphan waiting for --allow-mass-prune is not retried every tick, only at the drift interval.
    await h.loop.iterate();
    expect(h.take()).toEqual([]);
    h.clock.now += 300_000;
    h.results.set('west', 'Synced'); // this time the prune goes through
    await h.loop.iterate();
    expect(h.take()).toEqual(['east', 'north', 'west (orphan)']);
    expect(h.removed.at(-1)).toEqual(['west']);
    expect(h.reports.at(-1)?.map((s) => s.cluster)).toEqual(['east', 'north']);
    // Decommissioned: forgotten for good.
    h.clock.now += 300_000;
    await h.loop.iterate();
    expect(h.take()).toEqual(['east', 'north']);
  });

  it('clusters on the report branch without a folder are orphans too (a restarted process); in pull mode only its own cluster', async () => {
    const previousReport = async () => new Map([['gone', sampleStatus('gone')], ['east', sampleStatus('east')]]);
    const h = harness({ previousReport });
    await h.loop.iterate();
    expect(h.take()).toEqual(['east', 'gone (orphan)', 'west']);
    const pull = harness({ previousReport, only: 'east' });
    pull.setSnapshot(snapshot('a'.repeat(40), ['east']));
    await pull.loop.iterate();
    expect(pull.take()).toEqual(['east']);
  });

  it('pull mode: the agent\'s own folder is gone and the report knows the cluster: it is an orphan; unknown, it is an input error', async () => {
    const gone = harness({ previousReport: async () => new Map([['east', sampleStatus('east')]]), only: 'east', once: true });
    gone.setSnapshot(snapshot('b'.repeat(40), []));
    await gone.loop.run();
    expect(gone.take()).toEqual(['east (orphan)']);
    const unknown = harness({ previousReport: async () => new Map(), only: 'east', once: true });
    unknown.setSnapshot(snapshot('b'.repeat(40), []));
    await expect(unknown.loop.run()).rejects.toMatchObject({ problems: [expect.objectContaining({ code: 'CLUSTER_NOT_RENDERED', message: expect.stringContaining('no folder for cluster "east"') })] });
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
    const releases: (() => void)[] = [];
    const h = harness({ shutdownGraceMs: 5_000 }, async (snap, clusters) => {
      await new Promise<void>((r) => releases.push(r));
      return clusters.map((c) => sampleStatus(c));
    });
    const running = h.loop.run();
    await new Promise((r) => setTimeout(r, 20));
    h.loop.stop();
    expect(h.probe.shuttingDown).toBe(true);
    for (const release of releases) release();
    const last = await running;
    expect(last?.cancelled).toBe(false);
    expect(h.reports).toHaveLength(1);
    expect(h.reports[0]?.map((s) => s.cluster)).toEqual(['east', 'west']);
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
    expect(h.take()).toEqual(['east', 'east', 'west', 'west']);
  });
});

/** A cluster whose API server accepts connections and never answers: its worker ends only when cancelled. */
function frozenIn(frozen: string, opts: { unreachableAttempt?: boolean; started?: string[] } = {}): ReconcileOnce {
  return async (snap, clusters, signal, hooks) => {
    opts.started?.push(...clusters);
    if (!clusters.includes(frozen)) return clusters.map((c) => sampleStatus(c, { renderedCommit: snap.renderedCommit }));
    if (opts.unreachableAttempt) {
      hooks?.onAttempt?.(
        sampleStatus(frozen, { renderedCommit: snap.renderedCommit, result: 'Unreachable', objects: [], conditions: [{ type: 'Ready', status: 'False', reason: 'Unreachable', message: 'no answer within 1 s' }] }),
      );
    }
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    return [sampleStatus(frozen, { renderedCommit: snap.renderedCommit, result: 'Failed' })];
  };
}

describe('ReconcileLoop: one frozen cluster holds only itself', () => {
  it('the others pick up each new commit at the next tick and are reported while the frozen one is still running', async () => {
    const started: string[] = [];
    const h = harness({ intervalMs: 10, reportDelayMs: 5, shutdownGraceMs: 50, now: undefined }, frozenIn('west', { started }));
    const running = h.loop.run();
    const reportedAt = async (commit: string) => {
      for (let i = 0; i < 200; i++) {
        if (h.reports.some((r) => r.some((s) => s.cluster === 'east' && s.renderedCommit === commit))) return true;
        await new Promise((r) => setTimeout(r, 5));
      }
      return false;
    };
    expect(await reportedAt('a'.repeat(40))).toBe(true);
    for (const v of ['b', 'c', 'd']) {
      h.setSnapshot(snapshot(v.repeat(40)));
      expect(await reportedAt(v.repeat(40))).toBe(true);
    }
    // west was started once (its worker never finished) and never reported.
    expect(started.filter((c) => c === 'west')).toHaveLength(1);
    expect(started.filter((c) => c === 'east').length).toBeGreaterThanOrEqual(4);
    expect(h.reports.flat().some((s) => s.cluster === 'west')).toBe(false);
    expect(h.probe.isReady()).toBe(false); // not every cluster has a result yet
    h.loop.stop();
    const last = await running;
    expect(last?.cancelled).toBe(true);
    // Cancelled without a single answer: west keeps its previous status on the branch.
    expect(h.reports.flat().some((s) => s.cluster === 'west')).toBe(false);
    expect(h.logs.some((l) => String(l.msg).includes('in-flight reconcile of west was cancelled'))).toBe(true);
  });

  it('on stop(), a worker whose cluster does not answer is cancelled at once (no grace), and its Unreachable attempt is in the report', async () => {
    const h = harness({ intervalMs: 10, reportDelayMs: 5, shutdownGraceMs: 60_000, now: undefined }, frozenIn('west', { unreachableAttempt: true }));
    const running = h.loop.run();
    for (let i = 0; i < 200 && !h.reports.flat().some((s) => s.cluster === 'west'); i++) await new Promise((r) => setTimeout(r, 5));
    expect(h.probe.isReady()).toBe(true); // west has a result: Unreachable
    const t0 = Date.now();
    h.loop.stop();
    await running;
    expect(Date.now() - t0).toBeLessThan(1000);
    const west = h.reports.flat().filter((s) => s.cluster === 'west');
    expect(west.map((s) => s.result)).toEqual(['Unreachable']);
    expect(h.reports.flat().find((s) => s.cluster === 'east')?.result).toBe('Synced');
  });
});

describe('a sharded loop (ShardGate)', () => {
  it('reconciles and reports only the clusters whose Lease it holds, and tells the gate every cluster there is', async () => {
    const owned = new Set(['east']);
    const told: string[][] = [];
    const h = harness({ shard: { owns: (c) => owned.has(c), setClusters: (cs) => told.push([...cs]) } });
    await h.loop.iterate();
    expect(h.take()).toEqual(['east']);
    expect(told.at(-1)?.sort()).toEqual(['east', 'west']);
    expect(h.reports.flat().map((s) => s.cluster)).toEqual(['east']);
    owned.add('west');
    await h.loop.iterate();
    expect(h.take()).toEqual(['west']);
  });

  it('a Lease lost mid-reconcile: the fence stops the next write stage, the worker is cancelled, and nothing is reported for it', async () => {
    const owned = new Set(['east', 'west']);
    let fenceThrew: unknown;
    let releasing: Promise<void> | undefined;
    const h = harness({ shard: { owns: (c) => owned.has(c), setClusters: () => {} } }, async (snap, clusters, signal, hooks) => {
      const [cluster] = clusters as [string];
      hooks?.fence?.(cluster); // first write stage: still ours
      if (cluster === 'west') {
        owned.delete('west');
        releasing = h.loop.release(['west']);
        try {
          hooks?.fence?.(cluster); // next write stage
        } catch (err) {
          fenceThrew = err;
        }
        expect(signal.aborted).toBe(true);
      }
      return [sampleStatus(cluster, { renderedCommit: snap.renderedCommit })];
    });
    await h.loop.iterate();
    await releasing;
    expect(fenceThrew).toMatchObject({ code: 'LEASE_LOST' });
    expect(h.reports.flat().map((s) => s.cluster)).toEqual(['east']);
  });

  it('a status finished while the Lease was held but not yet written is dropped once the Lease goes', async () => {
    const owned = new Set(['east', 'west']);
    const h = harness({ shard: { owns: (c) => owned.has(c), setClusters: () => {} }, reportDelayMs: 50 });
    const run = h.loop.run();
    await new Promise((r) => setTimeout(r, 20));
    owned.delete('west');
    await h.loop.release(['west']);
    await new Promise((r) => setTimeout(r, 150));
    h.loop.stop();
    await run;
    expect(h.reports.flat().map((s) => s.cluster)).not.toContain('west');
    expect(h.reports.flat().map((s) => s.cluster)).toContain('east');
  });
});
