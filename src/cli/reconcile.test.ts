import { describe, expect, it } from 'vitest';
import { sampleStatus } from '../../test/report/statuses.ts';
import type { ClusterStatus } from '../reconcile/types.ts';
import { isRejection } from '../reconcile/cluster.ts';
import { KubeApiError } from '../reconcile/kube.ts';
import { exitCodeFor } from './reconcile.ts';

const ready = (reason: string): ClusterStatus['conditions'] => [{ type: 'Ready', status: 'False', reason, message: reason }];

describe('reconcile exit codes (docs/reconciler.md "Exit codes")', () => {
  it('0 when every cluster is Synced or decommissioned', () => {
    expect(exitCodeFor([sampleStatus('a'), sampleStatus('b', { result: 'Orphaned', conditions: ready('Decommissioned') })])).toBe(0);
  });

  it('1 when an object was rejected by the API server, a cluster is Degraded, or one left the fleet with objects running', () => {
    expect(exitCodeFor([sampleStatus('a', { result: 'Failed', conditions: ready('ObjectsRejected') })])).toBe(1);
    expect(exitCodeFor([sampleStatus('a', { result: 'Degraded', conditions: ready('NotConverged') })])).toBe(1);
    expect(exitCodeFor([sampleStatus('a', { result: 'Orphaned', conditions: ready('LeftTheFleet') })])).toBe(1);
  });

  it('3 when the environment failed anywhere, whatever the others say', () => {
    const rejected = sampleStatus('a', { result: 'Failed', conditions: ready('ObjectsRejected') });
    expect(exitCodeFor([rejected, sampleStatus('b', { result: 'Unreachable', conditions: ready('Unreachable') })])).toBe(3);
    expect(exitCodeFor([sampleStatus('b', { result: 'Failed', conditions: ready('ReconciliationFailed') })])).toBe(3);
    expect(exitCodeFor([sampleStatus('b', { result: 'Failed', conditions: ready('Unauthorized') })])).toBe(3);
    expect(exitCodeFor([sampleStatus('b', { result: 'Orphaned', conditions: ready('Unreachable') })])).toBe(3);
  });
});

describe('which object failures are the object\'s fault', () => {
  it('4xx verdicts on the object are rejections; permissions, throttling and server errors are the environment', () => {
    const err = (status: number) => new KubeApiError('a', status, 'X', 'm', 'PATCH x');
    expect([400, 404, 409, 422].map((s) => isRejection(err(s)))).toEqual([true, true, true, true]);
    expect([401, 403, 408, 429, 500, 503].map((s) => isRejection(err(s)))).toEqual([false, false, false, false, false, false]);
    expect(isRejection(new Error('socket hang up'))).toBe(false);
    // A 500 is a rejection only when the server could not decode the object (what it answers for Secret data that is not base64).
    const undecodable = new KubeApiError('a', 500, 'InternalError', 'failed to convert new object (ns/broken; /v1, Kind=Secret) to proper version: unable to convert unstructured object to /v1, Kind=Secret: error decoding from json: illegal base64 data at input byte 3', 'PATCH x');
    expect(isRejection(undecodable)).toBe(true);
    expect(isRejection(new KubeApiError('a', 500, 'InternalError', 'etcdserver: request timed out', 'PATCH x'))).toBe(false);
  });
});
