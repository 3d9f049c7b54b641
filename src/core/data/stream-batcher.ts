import { Rng } from './rng';
import type { BatchInfo } from './batcher';
import type { EncodedChunk } from './stream-encoder';

/** Rows decoded so far, appended chunk by chunk into growing arrays (amortised doubling). */
export class GrowingRows {
  x: Float32Array;
  y: Float32Array;
  part: Uint8Array;
  rows = 0;
  finished = false;

  constructor(
    readonly dim: number,
    capacity = 1024,
  ) {
    this.x = new Float32Array(capacity * dim);
    this.y = new Float32Array(capacity);
    this.part = new Uint8Array(capacity);
  }

  append(chunk: EncodedChunk): void {
    const need = this.rows + chunk.rows;
    if (need > this.y.length) {
      const cap = Math.max(need, this.y.length * 2);
      const grow = <A extends Float32Array | Uint8Array>(a: A, n: number): A => {
        const b = new (a.constructor as new (n: number) => A)(n);
        b.set(a);
        return b;
      };
      this.x = grow(this.x, cap * this.dim);
      this.y = grow(this.y, cap);
      this.part = grow(this.part, cap);
    }
    this.x.set(chunk.x, this.rows * this.dim);
    this.y.set(chunk.y, this.rows);
    this.part.set(chunk.part, this.rows);
    this.rows = need;
  }

  /** Rows of one part (0 train, 1 validation, 2 test), in arrival order. */
  rowsOf(part: number): Int32Array {
    const out: number[] = [];
    for (let r = 0; r < this.rows; r++) if (this.part[r] === part) out.push(r);
    return Int32Array.from(out);
  }
}

/**
 * Batches for streaming mode. Epoch 0 runs while rows still arrive: batches are drawn at
 * random from a shuffle window of training rows that have arrived but not been used
 * (like tf.data's shuffle buffer), so each row is still used exactly once; when the window
 * cannot fill a batch and more rows are coming, `fill` answers `waiting`. Later epochs are
 * seeded permutations of every training row, as in batch mode.
 */
export class StreamingBatcher {
  private epoch = 0;
  private batchIndex = 0;
  /** Epoch 0: next arrived row not yet looked at, and the window of unused training rows. */
  private scanned = 0;
  private readonly pool: number[] = [];
  private order: Int32Array | null = null;
  private position = 0;
  private readonly rng: Rng;

  constructor(
    private readonly data: GrowingRows,
    private readonly opts: { batchSize: number; epochs: number; seed: number; window?: number },
  ) {
    this.rng = new Rng(opts.seed ^ 0x5712ea);
  }

  private get poolSize(): number {
    return Math.max(this.opts.batchSize + 1, this.opts.window ?? 16 * this.opts.batchSize);
  }

  /** Writes the next batch; `waiting` means no batch yet because more rows are coming. */
  fill(xb: Float32Array, yb: Float32Array): BatchInfo & { waiting: boolean } {
    const { batchSize, epochs } = this.opts;
    const dim = this.data.dim;
    if (this.epoch >= epochs) return { size: 0, epoch: this.epoch, index: 0, lastInEpoch: true, waiting: false };
    const rows: number[] = [];
    if (this.epoch === 0) {
      while (this.pool.length < this.poolSize && this.scanned < this.data.rows) {
        if (this.data.part[this.scanned] === 0) this.pool.push(this.scanned);
        this.scanned++;
      }
      const more = !this.data.finished || this.scanned < this.data.rows;
      // A batch goes out only once it is known whether it ends the epoch (the trainer evaluates
      // on the last one): with the window no fuller than a batch, wait while rows may come.
      if (this.pool.length <= batchSize && more)
        return { size: 0, epoch: 0, index: this.batchIndex, lastInEpoch: false, waiting: true };
      while (rows.length < batchSize && this.pool.length) {
        const k = this.rng.int(this.pool.length);
        rows.push(this.pool[k]);
        this.pool[k] = this.pool[this.pool.length - 1];
        this.pool.pop();
      }
    } else {
      if (!this.order) this.order = this.rng.shuffle(this.data.rowsOf(0));
      for (; rows.length < batchSize && this.position < this.order.length; this.position++)
        rows.push(this.order[this.position]);
    }
    rows.forEach((r, b) => {
      xb.set(this.data.x.subarray(r * dim, (r + 1) * dim), b * dim);
      yb[b] = this.data.y[r];
    });
    const last =
      this.epoch === 0
        ? this.data.finished && this.scanned >= this.data.rows && this.pool.length === 0
        : this.position >= this.order!.length;
    const info = { size: rows.length, epoch: this.epoch, index: this.batchIndex++, lastInEpoch: last, waiting: false };
    if (last) {
      this.epoch++;
      this.batchIndex = 0;
      this.order = null;
      this.position = 0;
    }
    if (rows.length === 0) return { ...info, size: 0, waiting: false };
    return info;
  }
}

/**
 * Batches for a streamed file too large to keep in memory: a row is not held once it is used,
 * and each epoch reads the file again. The data worker pushes each epoch's encoded pieces
 * (`push`, tagged with their epoch, and `endPass` after the last); training rows move into a
 * shuffle window of `window` rows and batches are drawn from it at random, so each training row
 * is used exactly once per epoch. Memory is the window plus the pieces pushed and not yet moved:
 * the producer waits on `taken()` while `backlog` is a window or more. Pieces of the next epoch
 * may be pushed while this one ends; they wait for their epoch.
 */
export class WindowBatcher {
  private epoch = 0;
  private batchIndex = 0;
  private readonly poolX: Float32Array;
  private readonly poolY: Float32Array;
  private count = 0;
  private readonly pending: { chunk: EncodedChunk; epoch: number }[] = [];
  /** Next row of pending[0] to look at. */
  private scan = 0;
  /** Epochs whose every piece has been pushed. */
  private passesDone = 0;
  private waiters: (() => void)[] = [];
  private readonly rng: Rng;
  readonly window: number;
  /** Training rows served in each epoch so far. */
  readonly served: number[] = [];

  constructor(
    readonly dim: number,
    private readonly opts: { batchSize: number; epochs: number; seed: number; window?: number },
  ) {
    this.rng = new Rng(opts.seed ^ 0x5712ea);
    this.window = Math.max(2 * opts.batchSize, opts.window ?? 16 * opts.batchSize);
    this.poolX = new Float32Array(this.window * dim);
    this.poolY = new Float32Array(this.window);
  }

  /** The epoch batches are drawn from now. */
  get currentEpoch(): number {
    return this.epoch;
  }

  push(chunk: EncodedChunk, epoch: number): void {
    if (chunk.rows > 0) this.pending.push({ chunk, epoch });
  }

  /** Every piece of `epoch` has been pushed. */
  endPass(epoch: number): void {
    this.passesDone = Math.max(this.passesDone, epoch + 1);
  }

  /** Rows pushed and not yet moved into the window (every epoch). */
  get backlog(): number {
    return this.pending.reduce((n, p) => n + p.chunk.rows, 0) - this.scan;
  }

  /** Settles when rows have been moved out of the backlog (or batching has ended, or was closed). */
  taken(): Promise<void> {
    if (this.closed || this.epoch >= this.opts.epochs) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  private closed = false;

  /** The run stopped: a producer waiting on `taken()` goes on (and sees the run stopped), and the window is let go. */
  close(): void {
    this.closed = true;
    this.pending.length = 0;
    this.scan = 0;
    this.wakeProducer();
  }

  private wakeProducer(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  fill(xb: Float32Array, yb: Float32Array): BatchInfo & { waiting: boolean } {
    const { batchSize, epochs } = this.opts;
    const dim = this.dim;
    if (this.epoch >= epochs) {
      this.wakeProducer();
      return { size: 0, epoch: this.epoch, index: 0, lastInEpoch: true, waiting: false };
    }
    let moved = false;
    while (this.count < this.window && this.pending.length && this.pending[0].epoch === this.epoch) {
      const { chunk } = this.pending[0];
      if (chunk.part[this.scan] === 0) {
        this.poolX.set(chunk.x.subarray(this.scan * dim, (this.scan + 1) * dim), this.count * dim);
        this.poolY[this.count++] = chunk.y[this.scan];
      }
      moved = true;
      if (++this.scan >= chunk.rows) {
        this.pending.shift();
        this.scan = 0;
      }
    }
    if (moved) this.wakeProducer();
    const passEnded = this.passesDone > this.epoch && !(this.pending.length && this.pending[0].epoch === this.epoch);
    // Only a batch known to end the epoch or not goes out (the trainer evaluates on the last).
    if (this.count <= batchSize && !passEnded)
      return { size: 0, epoch: this.epoch, index: this.batchIndex, lastInEpoch: false, waiting: true };
    let size = 0;
    while (size < batchSize && this.count > 0) {
      const k = this.rng.int(this.count);
      xb.set(this.poolX.subarray(k * dim, (k + 1) * dim), size * dim);
      yb[size++] = this.poolY[k];
      const last = --this.count;
      if (k !== last) {
        this.poolX.copyWithin(k * dim, last * dim, (last + 1) * dim);
        this.poolY[k] = this.poolY[last];
      }
    }
    this.served[this.epoch] = (this.served[this.epoch] ?? 0) + size;
    const lastInEpoch = passEnded && this.count === 0;
    const info = { size, epoch: this.epoch, index: this.batchIndex++, lastInEpoch, waiting: false };
    if (lastInEpoch) {
      this.epoch++;
      this.batchIndex = 0;
      this.wakeProducer();
    }
    return info;
  }
}

/**
 * A seeded uniform sample of at most `cap` rows out of all those offered (reservoir sampling):
 * the validation rows of a file too large to keep, spread over the whole file.
 */
export class RowSample {
  readonly x: Float32Array;
  readonly y: Float32Array;
  rows = 0;
  /** Rows offered. */
  seen = 0;
  private readonly rng: Rng;

  constructor(
    readonly dim: number,
    readonly cap: number,
    seed: number,
  ) {
    this.x = new Float32Array(cap * dim);
    this.y = new Float32Array(cap);
    this.rng = new Rng(seed ^ 0x7a1d);
  }

  /** Offers the rows of `chunk` whose part is `part`. */
  add(chunk: EncodedChunk, part: number): void {
    const dim = this.dim;
    for (let r = 0; r < chunk.rows; r++) {
      if (chunk.part[r] !== part) continue;
      this.seen++;
      const slot = this.rows < this.cap ? this.rows++ : this.rng.int(this.seen);
      if (slot >= this.cap) continue;
      this.x.set(chunk.x.subarray(r * dim, (r + 1) * dim), slot * dim);
      this.y[slot] = chunk.y[r];
    }
  }
}
