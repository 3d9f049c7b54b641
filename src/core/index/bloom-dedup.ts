import { BLOCK_BITS } from './bloom-math';
import { BloomFilter, popcount } from './bloom';
import { IndexError } from './errors';
import type { RowHashes } from './row-hash';

/** What {@link bloomDedup} did. */
export interface BloomDedupResult {
  /** Rows dropped as (probable) repeats of an earlier row, ascending. */
  readonly dropped: Int32Array;
  /** Rows kept. */
  readonly kept: number;
  /**
   * Expected number of dropped rows that were in fact new (false drops): the sum over kept
   * rows of f / (1 - f), f being the filter's false-positive rate when the row was checked
   * (see {@link bloomDedup}).
   */
  readonly expectedFalseDrops: number;
  /** The filter after all rows went in (pass it to a later call to continue the stream). */
  readonly filter: BloomFilter;
}

/** Sizing for a new filter: expected distinct rows (default: the row count) and false-positive rate. */
export interface BloomDedupOptions {
  readonly expectedItems?: number;
  readonly fpr: number;
}

/**
 * Streaming dedup: rows in order; a row whose hash the filter may already hold is dropped,
 * any other is added. Exact duplicates are always dropped; a new row is wrongly dropped with
 * the filter's false-positive rate at that moment.
 *
 * That rate is tracked as the rows go in: f = mean over blocks of (set bits / 512)^k, kept up
 * to date from the bits each add sets. A new row is kept with probability 1 - f and wrongly
 * dropped with probability f, so summing f / (1 - f) over the kept rows is an unbiased
 * estimate of the number of false drops (the Horvitz-Thompson estimator of the sum of f over
 * all new rows, of which only the kept ones are seen).
 *
 * Pass an existing filter to continue a stream (or to drop rows seen in another table).
 */
export function bloomDedup(hashes: RowHashes, filter: BloomFilter | BloomDedupOptions): BloomDedupResult {
  const { lo, hi } = hashes;
  const rows = lo.length;
  if (hi.length !== rows) throw new IndexError(`bloomDedup: hash lanes differ in length (${rows} and ${hi.length})`);
  const f =
    filter instanceof BloomFilter ? filter : BloomFilter.create(Math.max(1, filter.expectedItems ?? rows), filter.fpr);
  const blocks = f.blocks;
  const k = f.k;
  const g = new Float64Array(BLOCK_BITS + 1);
  for (let s = 0; s <= BLOCK_BITS; s++) g[s] = Math.pow(s / BLOCK_BITS, k);
  const pop = new Uint16Array(blocks);
  let sum = 0;
  const words = f.words;
  for (let b = 0; b < blocks; b++) {
    let set = 0;
    for (let j = b * 16; j < b * 16 + 16; j++) set += popcount(words[j]);
    pop[b] = set;
    sum += g[set];
  }
  let dropped = new Int32Array(64);
  let nDropped = 0;
  let expected = 0;
  for (let i = 0; i < rows; i++) {
    const h = hi[i];
    const fresh = f.insert(lo[i], h);
    if (fresh === 0) {
      if (nDropped === dropped.length) {
        const grown = new Int32Array(dropped.length * 2);
        grown.set(dropped);
        dropped = grown;
      }
      dropped[nDropped++] = i;
      continue;
    }
    const rate = sum / blocks;
    expected += rate / (1 - rate);
    const b = f.blockOf(h);
    const before = pop[b];
    pop[b] = before + fresh;
    sum += g[before + fresh] - g[before];
  }
  return { dropped: dropped.slice(0, nDropped), kept: rows - nDropped, expectedFalseDrops: expected, filter: f };
}
