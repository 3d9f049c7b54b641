import { Rng } from './rng';
import { writeRow, type CsrMatrix } from './encode';

/** Shuffles `order` in place into epoch `epoch`'s order for `seed` (the order the Batcher visits rows in). */
export function shuffleForEpoch(order: Int32Array, seed: number, epoch: number): Int32Array {
  new Rng((seed * 0x9e3779b1 + epoch * 0x85ebca6b) >>> 0).shuffle(order);
  return order;
}

/** Where a filled batch sits in the schedule. */
export interface BatchInfo {
  /** Rows written (the last batch of an epoch may be short); 0 once every epoch is done. */
  size: number;
  epoch: number;
  /** Index of this batch within its epoch. */
  index: number;
  lastInEpoch: boolean;
}

export interface BatcherOptions {
  /** Encoded rows, `denseDim` floats each, row-major. */
  x: Float32Array;
  /** Features per batch row. */
  dim: number;
  /** Floats per row of `x` (default `dim`); the rest come from `sparse`. */
  denseDim?: number;
  /** Hashed features in CSR form, scattered into each batch row after the dense part. */
  sparse?: CsrMatrix | null;
  /** One target value per row. */
  y: Float32Array;
  /** Rows to draw from (for example the train split). */
  rows: Int32Array;
  batchSize: number;
  epochs: number;
  seed: number;
  /** Shuffle rows each epoch (default true). */
  shuffle?: boolean;
  /**
   * Distillation: `width` teacher logits per row of `rows` (in the order of `rows`, not of `x`),
   * written beside each batch row's label into the `soft` buffer `fill` is given.
   */
  soft?: { values: Float32Array; width: number } | null;
}

/**
 * Fills caller-owned batch buffers, epoch after epoch. Each epoch visits every row exactly
 * once in a seeded order (a fresh permutation per epoch, derived from the seed and the
 * epoch number), so a run is repeatable and the buffers can be recycled with no allocation.
 */
export class Batcher {
  private readonly order: Int32Array;
  /** Distillation: per encoded row, where its teacher logits start in `soft.values` (-1: none). */
  private readonly softAt: Int32Array | null = null;
  private readonly rowsView: { x: Float32Array; dim: number; denseDim: number; sparse: CsrMatrix | null };
  private epoch = 0;
  private position = 0;
  private batchIndex = 0;

  constructor(private readonly opts: BatcherOptions) {
    if (!(opts.batchSize >= 1) || !Number.isInteger(opts.batchSize))
      throw new RangeError(`batch size must be a positive integer (got ${opts.batchSize})`);
    if (opts.rows.length === 0) throw new RangeError('the batcher needs at least one row');
    this.order = opts.rows.slice();
    const soft = opts.soft;
    if (soft) {
      if (!(soft.width >= 1) || soft.values.length !== opts.rows.length * soft.width)
        throw new RangeError(
          `${soft.values.length} teacher logits are not ${soft.width} for each of the ${opts.rows.length} rows`,
        );
      this.softAt = new Int32Array(opts.y.length).fill(-1);
      opts.rows.forEach((r, k) => (this.softAt![r] = k * soft.width));
    }
    this.rowsView = { x: opts.x, dim: opts.dim, denseDim: opts.denseDim ?? opts.dim, sparse: opts.sparse ?? null };
    this.reshuffle();
  }

  /** Batches in one epoch. */
  get batchesPerEpoch(): number {
    return Math.ceil(this.opts.rows.length / this.opts.batchSize);
  }

  private reshuffle(): void {
    this.order.set(this.opts.rows);
    if (this.opts.shuffle !== false) shuffleForEpoch(this.order, this.opts.seed, this.epoch);
  }

  /** Floats per row of the `soft` buffer `fill` takes (0: no distillation). */
  get softWidth(): number {
    return this.opts.soft?.width ?? 0;
  }

  /**
   * Writes the next batch into `xb` (batchSize x dim), `yb` (batchSize) and, with distillation,
   * `sb` (batchSize x softWidth: each row's teacher logits); returns where it sits.
   */
  fill(xb: Float32Array, yb: Float32Array, sb?: Float32Array): BatchInfo {
    const { y, dim, batchSize, epochs } = this.opts;
    const rows = this.rowsView;
    const soft = this.opts.soft;
    if (xb.length < batchSize * dim || yb.length < batchSize)
      throw new RangeError('batch buffers are smaller than one batch');
    if (soft && !(sb && sb.length >= batchSize * soft.width))
      throw new RangeError("the teacher logits' buffer is smaller than one batch");
    if (this.epoch >= epochs) return { size: 0, epoch: this.epoch, index: 0, lastInEpoch: true };
    const size = Math.min(batchSize, this.order.length - this.position);
    for (let b = 0; b < size; b++) {
      const r = this.order[this.position + b];
      writeRow(rows, r, xb, b * dim);
      yb[b] = y[r];
      if (soft) sb!.set(soft.values.subarray(this.softAt![r], this.softAt![r] + soft.width), b * soft.width);
    }
    const info: BatchInfo = { size, epoch: this.epoch, index: this.batchIndex, lastInEpoch: false };
    this.position += size;
    this.batchIndex++;
    if (this.position >= this.order.length) {
      info.lastInEpoch = true;
      this.epoch++;
      this.position = 0;
      this.batchIndex = 0;
      if (this.epoch < epochs) this.reshuffle();
    }
    return info;
  }
}
