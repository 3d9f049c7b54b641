/**
 * The bounded prefetch queue between the data worker and the trainer, over one run's
 * MessagePort. The data side owns `depth` pairs of batch buffers; a filled pair is
 * transferred to the trainer, which transfers it back once the batch is on the device.
 * So at most `depth` batches are in flight, and no batch allocates memory.
 */
import type { BatchInfo } from '../core/data/batcher';
import type { Batch, BatchSource } from '../core/train/trainer';
import type { BatchMessage } from './protocol';
import { DataError } from '../core/data/table';
import { ConfigError } from '../core/errors';

/** The most the data side's batch buffers may hold together (all `depth` of them): 1 GiB. */
export const PREFETCH_BYTES = 1 << 30;

const megabytes = (bytes: number) => `${(bytes / (1 << 20)).toFixed(1)} MB`;

/**
 * Refuses a prefetch depth whose batch buffers (x, y and the teacher's logits, float32) would hold
 * more than PREFETCH_BYTES together, naming `prefetch` and the depth that fits (or, when one buffer
 * alone is too large, the batch): a run is refused before anything is allocated, never left to fail
 * for memory.
 */
export function checkPrefetchBytes(depth: number, batchSize: number, dim: number, softWidth = 0): void {
  const one = 4 * batchSize * (dim + 1 + softWidth);
  if (depth * one <= PREFETCH_BYTES) return;
  const fits = Math.floor(PREFETCH_BYTES / one);
  throw new ConfigError(
    'prefetch',
    `${depth} batch buffers of ${megabytes(one)} each (batch ${batchSize} x ${dim} inputs) are ` +
      `${megabytes(depth * one)}, more than the ${megabytes(PREFETCH_BYTES)} the data side may hold ` +
      (fits >= 1 ? `(set prefetch to ${fits} or less, or a smaller batch)` : '(set a smaller batchSize)'),
  );
}

/** Anything that fills batch buffers: the in-memory Batcher, or the StreamingBatcher. */
export interface BatchFiller {
  fill(x: Float32Array, y: Float32Array, soft?: Float32Array): BatchInfo & { waiting?: boolean };
  /** Distillation: teacher logits per row the `soft` buffer takes (absent or 0: none). */
  readonly softWidth?: number;
}

export interface BatchServer {
  /** Stops serving and closes the port. */
  stop(): void;
  /** More rows arrived (streaming mode): fill the buffers that were waiting for them. */
  wake(): void;
  /** Ends the run with an error the trainer reports (a chunk that failed to decode). */
  fail(message: string): void;
  /**
   * Sends the validation rows once they are known (streaming mode), with the filter's notes on
   * values no piece held (see FilterResult.notes).
   */
  sendValidation(x: Float32Array, y: Float32Array, rows: number, notes?: string[]): void;
}

/** Data side: fills and sends batches as buffers come back. */
export function serveBatches(
  port: MessagePort,
  batcher: BatchFiller,
  dim: number,
  batchSize: number,
  depth: number,
  onStop?: () => void,
): BatchServer {
  checkPrefetchBytes(depth, batchSize, dim, batcher.softWidth ?? 0);
  let done = false;
  const idle: [Float32Array, Float32Array, Float32Array | undefined][] = [];
  const send = (m: BatchMessage, t: Transferable[] = []) => port.postMessage(m, t);
  const fillAndSend = (x: Float32Array, y: Float32Array, soft: Float32Array | undefined) => {
    if (done) return;
    let info;
    try {
      info = batcher.fill(x, y, soft);
    } catch (e) {
      done = true;
      send({ type: 'error', message: (e as Error).message });
      return;
    }
    if (info.waiting) {
      idle.push([x, y, soft]);
      return;
    }
    if (info.size === 0) {
      done = true;
      send({ type: 'end' });
      return;
    }
    const { size, epoch, index, lastInEpoch } = info;
    if (soft) send({ type: 'batch', x, y, soft, size, epoch, index, lastInEpoch }, [x.buffer, y.buffer, soft.buffer]);
    else send({ type: 'batch', x, y, size, epoch, index, lastInEpoch }, [x.buffer, y.buffer]);
  };
  const stop = () => {
    done = true;
    port.close();
    onStop?.();
  };
  port.onmessage = (e: MessageEvent<BatchMessage>) => {
    const m = e.data;
    if (m.type === 'recycle') fillAndSend(m.x, m.y, m.soft);
    else if (m.type === 'stop') stop();
  };
  const softWidth = batcher.softWidth ?? 0;
  for (let i = 0; i < depth && !done; i++)
    fillAndSend(
      new Float32Array(batchSize * dim),
      new Float32Array(batchSize),
      softWidth ? new Float32Array(batchSize * softWidth) : undefined,
    );
  return {
    stop,
    wake() {
      for (const [x, y, soft] of idle.splice(0)) fillAndSend(x, y, soft);
    },
    fail(message) {
      if (done) return;
      done = true;
      send({ type: 'error', message });
    },
    sendValidation(x, y, rows, notes = []) {
      send({ type: 'val', x, y, rows, notes }, [x.buffer, y.buffer]);
    },
  };
}

/** Trainer side: a BatchSource reading the queue; `recycle` sends the buffers back. */
export class PortBatchSource implements BatchSource {
  private readonly queue: (Batch | null)[] = [];
  private waiter: ((b: Batch | null) => void) | null = null;
  private failure: Error | null = null;
  private failWaiter: ((e: Error) => void) | null = null;

  /** `onValidation`: called when the data side sends validation rows late (streaming mode). */
  constructor(
    private readonly port: MessagePort,
    private readonly onValidation?: (val: { x: Float32Array; y: Float32Array; rows: number }, notes: string[]) => void,
  ) {
    port.onmessage = (e: MessageEvent<BatchMessage>) => this.receive(e.data);
  }

  private receive(m: BatchMessage): void {
    if (m.type === 'val') {
      this.onValidation?.({ x: m.x, y: m.y, rows: m.rows }, m.notes ?? []);
      return;
    }
    if (m.type === 'error') {
      this.fail(m.message);
      return;
    }
    if (m.type !== 'batch' && m.type !== 'end') return;
    const item: Batch | null =
      m.type === 'end'
        ? null
        : {
            x: m.x,
            y: m.y,
            ...(m.soft ? { soft: m.soft } : {}),
            size: m.size,
            epoch: m.epoch,
            index: m.index,
            lastInEpoch: m.lastInEpoch,
          };
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      this.failWaiter = null;
      w(item);
    } else this.queue.push(item);
  }

  /**
   * Ends the run with an error: the data side failed (a chunk that would not decode) or is gone
   * and will send nothing more. A DataError, whatever the cause: the run's data stopped.
   */
  fail(message: string): void {
    if (this.failure) return;
    this.failure = new DataError(message);
    const w = this.failWaiter;
    this.waiter = null;
    this.failWaiter = null;
    w?.(this.failure);
  }

  /** Batches received and not yet taken (a `next()` with none waits for the data side). */
  get queued(): number {
    return this.queue.length;
  }

  next(): Promise<Batch | null> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.queue.length) return Promise.resolve(this.queue.shift()!);
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }

  recycle(batch: Batch): void {
    const { x, y, soft } = batch;
    if (soft)
      this.port.postMessage({ type: 'recycle', x, y, soft } satisfies BatchMessage, [x.buffer, y.buffer, soft.buffer]);
    else this.port.postMessage({ type: 'recycle', x, y } satisfies BatchMessage, [x.buffer, y.buffer]);
  }

  /** Tells the data side to stop and closes the port. */
  close(): void {
    this.port.postMessage({ type: 'stop' } satisfies BatchMessage);
    this.port.close();
  }
}
