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
    return Math.max(this.opts.batchSize, this.opts.window ?? 16 * this.opts.batchSize);
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
      if (this.pool.length < batchSize && more)
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
