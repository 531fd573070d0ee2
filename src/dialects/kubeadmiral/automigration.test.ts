import { describe, expect, it } from 'vitest';
import type { ObservedWorkload } from '../../model/live.ts';
import { countUnschedulablePast, estimateClusterCapacity, parseGoDuration } from './automigration.ts';

const NOW = '2026-03-01T10:00:00Z';
const ago = (ms: number): string => new Date(Date.parse(NOW) - ms).toISOString();
const MINUTE = 60_000;

// kubeadmiral pkg/controllers/automigration/util_test.go TestCountUnschedulablePods. The reconciler
// leaves out scheduled and terminating pods (reconcile/live.test.ts); here are the times of the rest.
describe('countUnschedulablePast (upstream TestCountUnschedulablePods)', () => {
  const unschedulablePod = ago(2 * MINUTE);
  const crossingIn10s = ago(MINUTE - 10_000);
  const crossingIn20s = ago(MINUTE - 20_000);
  it.each<[string, string[], number, number | undefined]>([
    ['only scheduled pods', [], 0, undefined],
    ['one past the threshold', [unschedulablePod], 1, undefined],
    ['one crossing in 10s', [crossingIn10s], 0, 10_000],
    ['one past, one crossing in 20s', [unschedulablePod, crossingIn20s], 1, 20_000],
    ['two past, crossing in 10s and 20s', [unschedulablePod, unschedulablePod, crossingIn10s, crossingIn20s], 2, 10_000],
    ['the terminating one left out by the reconciler', [unschedulablePod, crossingIn10s, crossingIn20s], 1, 10_000],
  ])('%s', (_name, since, unschedulable, next) => {
    expect(countUnschedulablePast(since, NOW, MINUTE)).toEqual({ unschedulable, nextCrossInMs: next });
  });

  it('exactly at the threshold counts (crossingThresholdIn <= 0)', () => {
    expect(countUnschedulablePast([ago(MINUTE)], NOW, MINUTE).unschedulable).toBe(1);
  });
});

// kubeadmiral pkg/controllers/automigration/controller.go estimateCapacity, one cluster at a time.
describe('estimateClusterCapacity', () => {
  const workload = (desired: number, pods: number, since: string[]): ObservedWorkload => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespace: 'shop',
    name: 'web',
    desired,
    ready: pods - since.length,
    unschedulable: since.length,
    pods,
    unschedulableSince: since,
  });
  const past = ago(2 * MINUTE);
  const recent = ago(10_000);

  it('all pods exist: capacity = pods − unschedulable past the threshold', () => {
    expect(estimateClusterCapacity(workload(5, 5, [past, past]), NOW, MINUTE)).toEqual({ unschedulable: 2, estimatedCapacity: 3 });
  });
  it('uncreated pods count as schedulable: capacity = desired − unschedulable', () => {
    expect(estimateClusterCapacity(workload(5, 3, [past]), NOW, MINUTE)).toEqual({ unschedulable: 1, estimatedCapacity: 4 });
  });
  it('pods still under the threshold: no estimated capacity (nothing migrates yet)', () => {
    expect(estimateClusterCapacity(workload(5, 5, [recent, recent]), NOW, MINUTE)).toEqual({ unschedulable: 0 });
  });
  it('more pods than desired (a rollout): capacity = pods − unschedulable, no entry when it reaches desired', () => {
    expect(estimateClusterCapacity(workload(4, 6, [past, past]), NOW, MINUTE)).toEqual({ unschedulable: 2 });
    expect(estimateClusterCapacity(workload(4, 6, [past, past, past]), NOW, MINUTE)).toEqual({ unschedulable: 3, estimatedCapacity: 3 });
  });
  it('never below 0', () => {
    expect(estimateClusterCapacity(workload(2, 1, [past, past, past]), NOW, MINUTE)).toEqual({ unschedulable: 3, estimatedCapacity: 0 });
  });
});

describe('parseGoDuration (Go time.ParseDuration, metav1.Duration)', () => {
  it.each<[string, number | undefined]>([
    ['1m', 60_000],
    ['5s', 5000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['250ms', 250],
    ['0', 0],
    ['', undefined],
    ['5', undefined],
    ['1d', undefined],
    ['one minute', undefined],
  ])('%j → %s', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});
