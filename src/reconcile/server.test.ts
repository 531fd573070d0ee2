import { afterEach, describe, expect, it } from 'vitest';
import { sampleStatus } from '../../test/report/statuses.ts';
import { createLogger } from './logger.ts';
import { redact } from '../errors/redact.ts';
import { ReconcilerMetrics } from './metrics.ts';
import { parseListen, ProbeState, startProbeServer, type ProbeServer } from './server.ts';

let server: ProbeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function get(url: string): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('probe server', () => {
  it('/healthz, /readyz (only after the first reconcile, not while shutting down), /metrics, 404 elsewhere', async () => {
    const probe = new ProbeState();
    const metrics = new ReconcilerMetrics();
    server = await startProbeServer({ host: '127.0.0.1', port: 0 }, probe, metrics);
    expect(await get(`${server.url}/healthz`)).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await get(`${server.url}/readyz`)).toMatchObject({ status: 503, body: 'first reconcile not finished\n' });
    probe.ready = true;
    expect((await get(`${server.url}/readyz`)).status).toBe(200);
    probe.shuttingDown = true;
    expect(await get(`${server.url}/readyz`)).toMatchObject({ status: 503, body: 'shutting down\n' });
    const m = await get(`${server.url}/metrics`);
    expect(m.status).toBe(200);
    expect(m.type).toContain('text/plain');
    expect(m.body).toContain('# TYPE manifold_reconcile_duration_seconds histogram');
    expect(m.body).toContain('manifold_process_cpu_user_seconds_total');
    expect((await get(`${server.url}/config`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('sharded: /readyz fails, with the reason, while the replica holds no Lease it should', async () => {
    const probe = new ProbeState();
    const metrics = new ReconcilerMetrics({ processMetrics: false });
    let reason: string | undefined = 'holds no cluster Lease yet';
    probe.shardNotReady = () => reason;
    probe.ready = true;
    server = await startProbeServer({ host: '127.0.0.1', port: 0 }, probe, metrics);
    expect(await get(`${server.url}/readyz`)).toMatchObject({ status: 503, body: 'holds no cluster Lease yet\n' });
    expect(probe.isReady()).toBe(false);
    reason = undefined;
    expect(await get(`${server.url}/readyz`)).toMatchObject({ status: 200, body: 'ok\n' });
    const shard = metrics.shardMetrics();
    shard.held(3);
    shard.handover('acquired', 3);
    shard.renewFailure();
    const text = (await get(`${server.url}/metrics`)).body;
    expect(text).toContain('manifold_shard_clusters_held 3');
    expect(text).toContain('manifold_shard_handovers_total{direction="acquired"} 3');
    expect(text).toContain('manifold_shard_handovers_total{direction="lost"} 0');
    expect(text).toContain('manifold_shard_lease_renew_failures_total 1');
  });

  it('liveness fails when the loop made no progress for too long', () => {
    const probe = new ProbeState(1000, 0);
    expect(probe.live(1000)).toBe(true);
    expect(probe.live(1001)).toBe(false);
    probe.progress(1500);
    expect(probe.live(2000)).toBe(true);
  });

  it('parses listen addresses', () => {
    expect(parseListen(':8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseListen('8080')).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(parseListen('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListen('[::1]:9090')).toEqual({ host: '::1', port: 9090 });
    expect(() => parseListen('x:y')).toThrow(/must be \[HOST\]:PORT/);
    expect(() => parseListen(':70000')).toThrow();
  });
});

describe('metrics', () => {
  it('per-cluster duration histogram, applied/pruned counters, drifted/unhealthy/errors gauges, one-hot result', async () => {
    const metrics = new ReconcilerMetrics({ processMetrics: false });
    const east = sampleStatus('east', {
      summary: { objects: 5, applied: 2, unchanged: 2, pruned: 1, failed: 0, drifted: 1, unhealthy: 1 },
      objects: [
        { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'a', name: 'x', action: 'created', health: 'Healthy' },
        { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'a', name: 'y', action: 'configured', health: 'Healthy' },
        { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'a', name: 'z', action: 'pruned', health: 'Healthy' },
      ],
    });
    const west = sampleStatus('west', { result: 'Unreachable', durationMs: 40_000, objects: [], summary: { objects: 0, applied: 0, unchanged: 0, pruned: 0, failed: 0, drifted: 0, unhealthy: 0 } });
    metrics.observe([east, west]);
    metrics.observe([east]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('manifold_objects_applied_total{cluster="east"} 4');
    expect(text).toContain('manifold_objects_applied_total{cluster="west"} 0');
    expect(text).toContain('manifold_objects_pruned_total{cluster="east"} 2');
    expect(text).toContain('manifold_drifted_objects{cluster="east"} 1');
    expect(text).toContain('manifold_unhealthy_objects{cluster="east"} 1');
    expect(text).toContain('manifold_reconcile_errors{cluster="west"} 1');
    expect(text).toContain('manifold_reconcile_errors{cluster="east"} 0');
    expect(text).toContain('manifold_cluster_result{cluster="west",result="Unreachable"} 1');
    expect(text).toContain('manifold_cluster_result{cluster="west",result="Synced"} 0');
    expect(text).toContain('manifold_reconcile_duration_seconds_count{cluster="east",result="Synced"} 2');
    expect(text).toContain('manifold_reconcile_duration_seconds_bucket{le="60",cluster="west",result="Unreachable"} 1');
    expect(text).toContain('manifold_reconcile_duration_seconds_bucket{le="30",cluster="west",result="Unreachable"} 0');
    for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) expect(line.startsWith('manifold_')).toBe(true);
  });

  it('two instances do not share state (own registry)', async () => {
    const a = new ReconcilerMetrics({ processMetrics: false });
    const b = new ReconcilerMetrics({ processMetrics: false });
    a.observe([sampleStatus('east')]);
    expect(await b.registry.metrics()).not.toContain('cluster="east"');
  });
});

describe('logger', () => {
  it('writes JSON lines with level labels, censors credential fields and scrubs known secrets anywhere', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (l) => lines.push(l), secrets: ['s3cr3t-token-value', undefined, ''] });
    logger.info({ token: 'abc', headers: { authorization: 'Bearer xyz' }, url: 'https://x' }, 'pushing with s3cr3t-token-value');
    logger.error({ err: { message: 'failed: s3cr3t-token-value rejected' } }, 'boom');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ level: 'info', name: 'manifold', token: '***', headers: { authorization: '***' }, msg: 'pushing with ***' });
    expect(typeof parsed[0]?.time).toBe('string');
    expect(lines.join('')).not.toContain('s3cr3t');
    expect(lines.join('')).not.toContain('xyz');
  });

  it('redaction ignores very short strings (they would mangle every line)', () => {
    expect(redact('abc abcdef', ['abc', 'abcdef'])).toBe('abc ***');
  });
});

describe('status page at /', () => {
  it('serves the page the source gives, 503 before the first report, 404 without a report branch', async () => {
    const metrics = new ReconcilerMetrics();
    let html: string | undefined;
    server = await startProbeServer({ host: '127.0.0.1', port: 0 }, new ProbeState(), metrics, async () => html);
    expect(await get(`${server.url}/`)).toMatchObject({ status: 503, body: 'no report yet\n' });
    html = '<!doctype html><title>Fleet status</title>';
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await res.text()).toBe(html);
    expect((await get(`${server.url}/index.html`)).body).toBe(html);
    await server.close();
    server = await startProbeServer({ host: '127.0.0.1', port: 0 }, new ProbeState(), metrics);
    expect((await get(`${server.url}/`)).status).toBe(404);
  });
});
