import { afterEach, describe, expect, it } from 'vitest';
import { BatchWorker } from './batch-worker.ts';

/** Doubles each number of a batch after `delayMs` of busy work; throws an ENOSPC-like error for a negative one. */
const HANDLER = `
function handle({ numbers, delayMs }) {
  const until = Date.now() + delayMs;
  while (Date.now() < until);
  if (numbers.some((n) => n < 0)) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
  return [numbers.map((n) => n * 2), []];
}`;

const workers: BatchWorker<number[]>[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.terminate();
});
function start(inFlight: number, stuckMs = 10_000): BatchWorker<number[]> {
  const worker = new BatchWorker<number[]>(HANDLER, null, { inFlight, stuckMs, stuck: () => new Error('stuck') });
  workers.push(worker);
  return worker;
}

describe('BatchWorker', () => {
  it('answers every batch in order and never holds more than inFlight batches', () => {
    const worker = start(2);
    const answers: number[][] = [];
    for (let i = 0; i < 6; i++) {
      worker.post({ numbers: [i, i + 10], delayMs: 20 }, [], (a) => answers.push(a));
      expect(worker.inFlight).toBeLessThanOrEqual(1);
    }
    worker.drain();
    expect(worker.inFlight).toBe(0);
    expect(answers).toEqual([0, 1, 2, 3, 4, 5].map((i) => [2 * i, 2 * (i + 10)]));
  });

  it('throws the error of a failed batch on the caller’s thread, with its code and syscall, and keeps throwing it', () => {
    const worker = start(3);
    worker.post({ numbers: [1, -1], delayMs: 0 }, []);
    let thrown: unknown;
    try {
      worker.drain();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).toMatchObject({ message: 'ENOSPC: no space left on device, write', code: 'ENOSPC', errno: -28, syscall: 'write' });
    expect(() => worker.post({ numbers: [2], delayMs: 0 }, [])).toThrow('ENOSPC');
  });

  it('calls a worker that does not answer within stuckMs stuck', () => {
    const worker = start(1, 200);
    expect(() => worker.post({ numbers: [1], delayMs: 3_000 }, [])).toThrow('stuck');
  });
});
