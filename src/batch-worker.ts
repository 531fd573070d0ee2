/**
 * A worker thread fed batches by synchronous code (issue 19). A render loop
 * is synchronous and CPU-bound; work it hands off (deflating blobs, writing
 * files) runs beside it on another core. Batches go to the worker with
 * postMessage (buffers transferred, not copied), answers come back with
 * receiveMessageOnPort, and when too many batches are in flight the caller
 * blocks on a shared counter (Atomics.wait) instead of queueing more, so
 * memory stays bounded by a few batches.
 *
 * The worker answers every batch, also one that failed: its error (an
 * ErrnoException's code, syscall and path kept) is thrown on the caller's
 * thread at the next post or drain, as if the call had been made there. A
 * thrown error cannot travel through the worker's 'error' event: that event
 * needs the event loop, which a blocked caller does not turn.
 *
 * Used by the pack writer of `render --commit` (src/git/blob-stream.ts) and
 * the folder writer of `render --out` (src/output/folder.ts).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort, type Transferable } from 'node:worker_threads';

/**
 * The worker's side, around a handler source that defines
 * `function handle(batch, data)` returning `[answer, transferList]`.
 * `data` is what the caller passed as the worker's data.
 */
function workerSource(handler: string): string {
  return `
const { workerData } = require('node:worker_threads');
const { port, counter, data } = workerData;
${handler}
function failure(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  return { message: e.message, name: e.name, code: e.code, errno: e.errno, syscall: e.syscall, path: e.path, dest: e.dest };
}
port.on('message', (batch) => {
  try {
    const [answer, transfer] = handle(batch, data);
    port.postMessage({ answer }, transfer);
  } catch (err) {
    port.postMessage({ failed: failure(err) });
  }
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});`;
}

interface Failure {
  message: string;
  name: string;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
  dest?: string;
}

/** The worker's error as the caller's thread would have thrown it (system errors keep code, errno, syscall, path). */
function rebuild(failed: Failure): Error {
  const err = new Error(failed.message) as NodeJS.ErrnoException & { dest?: string };
  for (const key of ['code', 'errno', 'syscall', 'path', 'dest'] as const) {
    if (failed[key] !== undefined) Object.assign(err, { [key]: failed[key] });
  }
  return err;
}

export interface BatchWorkerOptions {
  /** Batches posted and not yet answered before post() waits. */
  inFlight: number;
  /** How long to wait without any answer before calling the worker stuck. */
  stuckMs: number;
  /** The error thrown when the worker is stuck. */
  stuck: () => Error;
}

export class BatchWorker<Answer> {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly counter = new Int32Array(new SharedArrayBuffer(4));
  /** What to do with each posted batch's answer, oldest first. */
  private readonly pending: ((answer: Answer) => void)[] = [];
  private failure: Error | undefined;
  private readonly options: BatchWorkerOptions;

  /** `handler`: CommonJS source defining `function handle(batch, data)` (see workerSource). */
  constructor(handler: string, data: unknown, options: BatchWorkerOptions) {
    this.options = options;
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.worker = new Worker(workerSource(handler), { eval: true, workerData: { port: channel.port2, counter: this.counter, data }, transferList: [channel.port2] });
    // Seen only when the event loop turns (the caller is not blocked); a crash while blocked ends as `stuck`.
    this.worker.on('error', (err) => (this.failure ??= err));
    // The worker must not keep the process alive on its own once dropped.
    this.worker.unref();
  }

  /** Batches posted and not yet answered. */
  get inFlight(): number {
    return this.pending.length;
  }

  /** Hands a batch to the worker, then waits until at most inFlight - 1 are in flight. */
  post(batch: unknown, transfer: readonly Transferable[], onAnswer: (answer: Answer) => void = () => {}): void {
    if (this.failure !== undefined) throw this.failure;
    this.port.postMessage(batch, transfer);
    this.pending.push(onAnswer);
    this.drain(this.options.inFlight - 1);
  }

  /** Takes answers until at most `limit` batches remain in flight, blocking the thread while the worker works. */
  drain(limit = 0): void {
    let waited = 0;
    while (this.pending.length > limit) {
      if (this.failure !== undefined) throw this.failure;
      const seen = Atomics.load(this.counter, 0);
      const message = receiveMessageOnPort(this.port);
      if (message !== undefined) {
        waited = 0;
        this.take(message.message as { answer?: Answer; failed?: Failure });
        continue;
      }
      if (waited >= this.options.stuckMs) throw (this.failure = this.options.stuck());
      const start = performance.now();
      Atomics.wait(this.counter, 0, seen, 1000);
      waited += performance.now() - start;
    }
  }

  private take(message: { answer?: Answer; failed?: Failure }): void {
    const onAnswer = this.pending.shift() as (answer: Answer) => void;
    if (message.failed !== undefined) throw (this.failure = rebuild(message.failed));
    onAnswer(message.answer as Answer);
  }

  /** Stops the worker; resolves once its thread has exited, so nothing it does outlives the call. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
