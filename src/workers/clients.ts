/**
 * The main thread's facade over the two workers. Each worker is created lazily; if one dies
 * its pending calls fail with a clear message and the next call starts a fresh worker.
 */
import { asPort, RpcClient } from './rpc';
import { lifelineName, onWorkerGone, watchLifeline } from './lifeline';
import type { DataApi, DecodeApi, DecodeProgress, TrainerApi, TrainerEvent } from '../services/protocol';

export class WorkerHandle<A extends Record<string, { args: unknown; result: unknown }>, E = unknown> {
  private worker: Worker | null = null;
  private unwatch: () => void = () => undefined;
  private client: RpcClient<A, E> | null = null;
  private readonly listeners = new Set<(e: E) => void>();

  constructor(
    private readonly make: () => Worker,
    private readonly label: string,
    private readonly onDeath: (message: string) => void,
  ) {}

  get(): RpcClient<A, E> {
    if (this.client) return this.client;
    const worker = this.make();
    const client = new RpcClient<A, E>(asPort(worker));
    for (const l of this.listeners) client.onEvent(l);
    const die = (message: string) => {
      if (this.worker !== worker) return;
      client.failAll(message);
      this.terminate();
      this.onDeath(message);
    };
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      die(`the ${this.label} worker crashed (${e.message || 'unknown error'})`);
    });
    // A worker the browser closed sends no 'error': its lifeline says it is gone.
    this.unwatch = onWorkerGone(worker, () =>
      die(`the ${this.label} worker stopped unexpectedly (the browser closed it)`),
    );
    this.worker = worker;
    this.client = client;
    return client;
  }

  onEvent(listener: (e: E) => void): void {
    this.listeners.add(listener);
    this.client?.onEvent(listener);
  }

  terminate(): void {
    this.unwatch();
    this.worker?.terminate();
    this.worker = null;
    this.client = null;
  }

  /** Hands the worker over (not terminated) and forgets it; its client stops listening. */
  detach(): Worker | null {
    const worker = this.worker;
    this.unwatch();
    this.client?.dispose();
    this.worker = null;
    this.client = null;
    return worker;
  }
}

function watched(worker: Worker): Worker {
  watchLifeline(worker);
  return worker;
}

function spawnDecodeWorker(): Worker {
  return watched(
    new Worker(new URL('./decode.worker.ts', import.meta.url), {
      type: 'module',
      name: lifelineName('trainbench-decode'),
    }),
  );
}

/** A decode worker started ahead of the next load, and whether it failed before it was used. */
let spare: { worker: Worker; failed: boolean } | null = null;

/**
 * Starts a decode worker for the next load while the page is idle, so that a load does not wait
 * for a worker to start and its module to load (40-150 ms). One at most; a spare that failed to
 * start is dropped and the load starts its own.
 */
export function prewarmDecodeWorker(): void {
  if (spare || typeof Worker === 'undefined') return;
  try {
    keepSpare(spawnDecodeWorker());
  } catch {
    spare = null;
  }
}

function keepSpare(worker: Worker): void {
  const s = { worker, failed: false };
  worker.addEventListener('error', () => {
    s.failed = true;
  });
  // A spare the browser closed silently is not handed to a load (it would never answer).
  onWorkerGone(worker, () => {
    s.failed = true;
  });
  spare = s;
}

/**
 * After a load that went well, its decode worker becomes the spare for the next load: its
 * code is compiled and optimised by then, so the next file decodes 2-3x faster than in a
 * fresh worker. (A cancelled or failed load's worker is terminated instead.)
 */
export function releaseDecodeWorker(handle: WorkerHandle<DecodeApi, DecodeProgress>): void {
  const worker = handle.detach();
  if (!worker) return;
  if (spare) spare.worker.terminate();
  keepSpare(worker);
}

/** A decode worker for one load (terminate it to cancel): the spare when there is a healthy one. */
export function createDecodeWorker(onDeath: (message: string) => void): WorkerHandle<DecodeApi, DecodeProgress> {
  return new WorkerHandle<DecodeApi, DecodeProgress>(
    () => {
      const s = spare;
      spare = null;
      if (s && !s.failed) return s.worker;
      s?.worker.terminate();
      return spawnDecodeWorker();
    },
    'decode',
    onDeath,
  );
}

export function createWorkers(onDeath: (message: string) => void) {
  const data = new WorkerHandle<DataApi>(
    () =>
      watched(
        new Worker(new URL('./data.worker.ts', import.meta.url), {
          type: 'module',
          name: lifelineName('trainbench-data'),
        }),
      ),
    'data',
    onDeath,
  );
  const trainer = new WorkerHandle<TrainerApi, TrainerEvent>(
    () =>
      watched(
        new Worker(new URL('./trainer.worker.ts', import.meta.url), {
          type: 'module',
          name: lifelineName('trainbench-trainer'),
        }),
      ),
    'trainer',
    onDeath,
  );
  return { data, trainer };
}
