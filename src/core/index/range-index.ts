import { IndexError } from './errors';
import { HEADER_BYTES, align8, checkLength, readHeader, writeHeader } from './header';
import { mergeKernelTakes, mergeRunsKernel } from './simd/merger';

const MAGIC = 0x52; // 'R'
const VERSION = 1;
/** Element type code of the keys: float64. */
const ELEMENT_FLOAT64 = 3;
/** Keys per node: a node's keys fill eight 64-byte cache lines. */
export const FANOUT = 64;

/**
 * A static B+-tree over one numeric column (numbers, dates as epoch milliseconds, categoricals
 * as their codes), in one ArrayBuffer like the other indexes: the leaves are the column's values
 * sorted, with the row of each; above them, level by level, the first key of every FANOUT-key
 * node of the level below, up to a root of at most FANOUT keys. A bound is found by one scan of
 * FANOUT keys per level (the nodes sit contiguously: no pointers), then the range is the run of
 * leaves between two bounds. NaN (a missing value) is never indexed, so no range holds it.
 *
 * Layout of {@link RangeIndex.data} (bytes 0..3: magic 0x52, version 1, element type 3; uint32 at
 * 4: entries, levels), then, each 8-byte aligned:
 * - `keys`: Float64Array(entries), the values ascending (ties by row);
 * - `rows`: Int32Array(entries), the row of each key;
 * - for each inner level from the leaves up: Float64Array(ceil(below / FANOUT)).
 */
export class RangeIndex {
  readonly data: ArrayBuffer;
  /** Values indexed (rows whose value is not NaN). */
  readonly entries: number;
  readonly keys: Float64Array;
  readonly rows: Int32Array;
  /** Inner levels, from the one above the leaves to the root. */
  readonly levels: Float64Array[];

  private constructor(data: ArrayBuffer, entries: number, levelCount: number) {
    this.data = data;
    this.entries = entries;
    let at = HEADER_BYTES;
    const take = <T>(make: (off: number, n: number) => T, n: number, bytesPer: number): T => {
      const v = make(at, n);
      at = align8(at + n * bytesPer);
      return v;
    };
    this.keys = take((o, n) => new Float64Array(data, o, n), entries, 8);
    this.rows = take((o, n) => new Int32Array(data, o, n), entries, 4);
    this.levels = [];
    for (let l = 0, below = entries; l < levelCount; l++) {
      below = Math.ceil(below / FANOUT);
      this.levels.push(take((o, n) => new Float64Array(data, o, n), below, 8));
    }
  }

  /** Bytes of an index of `entries` values. */
  private static layout(entries: number): { bytes: number; levels: number[] } {
    const levels: number[] = [];
    for (let n = entries; n > FANOUT;) {
      n = Math.ceil(n / FANOUT);
      levels.push(n);
    }
    let bytes = align8(HEADER_BYTES + 8 * entries);
    bytes = align8(bytes + 4 * entries);
    for (const n of levels) bytes = align8(bytes + 8 * n);
    return { bytes, levels };
  }

  /**
   * Builds the index over `values` (one per row; NaN for missing), optionally over a subset of
   * rows. Sorting is a radix sort of the values' order-preserving 64-bit patterns (four 16-bit
   * passes), so the build is linear in the rows.
   */
  static build(values: Float64Array | Float32Array | Int32Array, rows?: Int32Array): RangeIndex {
    const source = rows ?? null;
    const total = source ? source.length : values.length;
    // Order-preserving keys: flip all bits of negatives, the sign bit of the rest.
    const hi = new Uint32Array(total);
    const lo = new Uint32Array(total);
    const ids = new Int32Array(total);
    const scratch = new Float64Array(1);
    const bits = new Uint32Array(scratch.buffer);
    let n = 0;
    for (let i = 0; i < total; i++) {
      const r = source ? source[i] : i;
      if (r < 0 || r >= values.length)
        throw new IndexError(`RangeIndex.build: row ${r} is outside the column (${values.length} rows)`);
      const v = values[r];
      if (Number.isNaN(v)) continue;
      scratch[0] = v === 0 ? 0 : v; // -0 sorts with 0
      const h = bits[1];
      const neg = h >>> 31;
      hi[n] = neg ? ~h >>> 0 : (h | 0x80000000) >>> 0;
      lo[n] = neg ? ~bits[0] >>> 0 : bits[0];
      ids[n] = r;
      n++;
    }
    // Values already in order (a log by time, say): nothing to sort.
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = hi[i - 1] < hi[i] || (hi[i - 1] === hi[i] && lo[i - 1] <= lo[i]);
    // LSD radix sort of (hi, lo) carrying ids: 16 bits a pass, stable, so ties keep row order.
    let [kh, kl, kr] = [hi.subarray(0, n), lo.subarray(0, n), ids.subarray(0, n)];
    let [th, tl, tr] = [new Uint32Array(n), new Uint32Array(n), new Int32Array(n)];
    const count = new Uint32Array(65536);
    for (let pass = 0; pass < (sorted ? 0 : 4); pass++) {
      const word = pass < 2 ? kl : kh;
      const shift = (pass & 1) * 16;
      count.fill(0);
      for (let i = 0; i < n; i++) count[(word[i] >>> shift) & 0xffff]++;
      // A pass whose 16 bits are the same for every value moves nothing (integers stored as
      // float64 have zero low words): skipped.
      if (n === 0 || count[(word[0] >>> shift) & 0xffff] === n) continue;
      let sum = 0;
      for (let b = 0; b < 65536; b++) {
        const c = count[b];
        count[b] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const at = count[(word[i] >>> shift) & 0xffff]++;
        th[at] = kh[i];
        tl[at] = kl[i];
        tr[at] = kr[i];
      }
      [kh, th] = [th, kh];
      [kl, tl] = [tl, kl];
      [kr, tr] = [tr, kr];
    }
    const { bytes, levels } = RangeIndex.layout(n);
    const data = new ArrayBuffer(bytes);
    const header = writeHeader(data, MAGIC, VERSION, ELEMENT_FLOAT64);
    header[0] = n;
    header[1] = levels.length;
    const index = new RangeIndex(data, n, levels.length);
    for (let i = 0; i < n; i++) {
      // Back from the sortable pattern to the value.
      const h = kh[i];
      const neg = !(h >>> 31);
      bits[1] = neg ? ~h >>> 0 : (h & 0x7fffffff) >>> 0;
      bits[0] = neg ? ~kl[i] >>> 0 : kl[i];
      index.keys[i] = scratch[0];
    }
    index.rows.set(kr);
    let below = index.keys;
    for (const level of index.levels) {
      for (let j = 0; j < level.length; j++) level[j] = below[j * FANOUT];
      below = level;
    }
    return index;
  }

  /** The index held in `data` (checked against its header and length). */
  static from(data: ArrayBuffer): RangeIndex {
    const header = readHeader(data, 'RangeIndex', MAGIC, VERSION, ELEMENT_FLOAT64);
    const entries = header[0];
    const { bytes, levels } = RangeIndex.layout(entries);
    if (header[1] !== levels.length)
      throw new IndexError(
        `RangeIndex.from: ${header[1]} levels do not fit ${entries} entries (expected ${levels.length})`,
      );
    checkLength(data, bytes, 'RangeIndex');
    return new RangeIndex(data, entries, levels.length);
  }

  /**
   * The first leaf position whose key is >= x (`strict`: > x): from the root down, each level
   * scanning the FANOUT keys of one node, then the leaf node.
   */
  bound(x: number, strict = false): number {
    let node = 0;
    for (let l = this.levels.length - 1; l >= -1; l--) {
      const keys = l >= 0 ? this.levels[l] : this.keys;
      const start = node * FANOUT;
      const end = Math.min(start + FANOUT, keys.length);
      // The last key of the node still before x: its child holds the bound (or the node ends).
      let j = start;
      if (strict) while (j < end && keys[j] <= x) j++;
      else while (j < end && keys[j] < x) j++;
      if (l === -1) return j;
      node = Math.max(start, j - 1);
    }
    return 0;
  }

  /**
   * The first leaf position in (at, end] whose key differs from the key at `at`: galloping
   * (1, 2, 4... ahead) then a binary search, so a run of ties costs its logarithm and a lone
   * key one comparison.
   */
  nextKey(at: number, end: number): number {
    const keys = this.keys;
    const k = keys[at];
    let lo = at;
    let step = 1;
    let hi = Math.min(end, at + 1);
    while (hi < end && keys[hi] === k) {
      lo = hi;
      step *= 2;
      hi = Math.min(end, at + step);
    }
    // keys[lo] === k, and hi is end or holds another key: the boundary lies in (lo, hi].
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] === k) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** Leaf positions [start, end) of the values in the range (bounds included unless said otherwise). */
  span(lo: number, hi: number, loOpen = false, hiOpen = false): [number, number] {
    if (Number.isNaN(lo) || Number.isNaN(hi)) return [0, 0];
    const start = this.bound(lo, loOpen);
    const end = this.bound(hi, !hiOpen);
    return [start, Math.max(start, end)];
  }

  /** How many rows hold a value in the range (two descents, no rows touched). */
  count(lo: number, hi: number, loOpen = false, hiOpen = false): number {
    const [a, b] = this.span(lo, hi, loOpen, hiOpen);
    return b - a;
  }

  /**
   * The rows holding a value in the range, as a set: in the index's order (by value, ties by
   * row), a copy of one run of leaves.
   */
  rowSet(lo: number, hi: number, loOpen = false, hiOpen = false): Int32Array {
    const [a, b] = this.span(lo, hi, loOpen, hiOpen);
    return this.rows.slice(a, b);
  }

  /**
   * The rows holding a value in the range, ascending (the order a scan gives). Each key's rows
   * are stored ascending (ties by row), so a range over a few distinct values (a column like
   * distance, thousands of rows a value) is that many ascending runs, found by one descent per
   * value rather than by looking at every row, and merged; a range over many values is radix sorted.
   */
  range(lo: number, hi: number, loOpen = false, hiOpen = false): Int32Array {
    const [a, b] = this.span(lo, hi, loOpen, hiOpen);
    const rows = this.rows.subarray(a, b);
    // A column stored in row order (a log by time): every range ascends.
    if (this.ascending()) return rows.slice();
    // Runs start where a key's rows begin below where the previous key's ended (adjacent keys whose
    // rows happen to follow each other make one run); at most `walk` keys are looked at.
    const { runs: mergeable, walk } = mergeLimits(rows.length);
    const starts = [0];
    let keys = 1;
    for (let at = this.nextKey(a, b); at < b; at = this.nextKey(at, b)) {
      if (++keys > walk || starts.length > mergeable) break;
      if (this.rows[at - 1] > this.rows[at]) starts.push(at - a);
    }
    if (keys <= walk && starts.length <= mergeable) return starts.length === 1 ? rows.slice() : mergeRuns(rows, starts);
    return sortRows(rows);
  }

  private rowOrder: boolean | undefined;

  /** Whether every row is stored in ascending order (checked once, on first use). */
  private ascending(): boolean {
    if (this.rowOrder === undefined) {
      const r = this.rows;
      let ok = true;
      for (let i = 1; i < r.length && ok; i++) ok = r[i - 1] < r[i];
      this.rowOrder = ok;
    }
    return this.rowOrder;
  }
}

/**
 * At most `runs` ascending runs are merged (log2 of it passes), found among at most `walk` keys;
 * more go to the radix sort (two or three passes). A pass of the WebAssembly merge costs about a
 * sixth of the radix sort, one of the scalar merge about a third: on flights-3m `distance` the
 * kernel merging up to 128 runs answers 1-10 % ranges 1.3-1.7 times faster than the radix sort
 * and is even with it at 20 % (bench/range.ts's planner table).
 */
function mergeLimits(n: number): { runs: number; walk: number } {
  return mergeKernelTakes(n) ? { runs: 128, walk: 128 } : { runs: 8, walk: 64 };
}

/** Intermediate passes of {@link mergeRuns} reuse this array (kept up to SCRATCH_KEEP ids). */
let scratch = new Int32Array(0);
const SCRATCH_KEEP = 1 << 20;

/**
 * A sorted copy of `rows` by merging its ascending runs (starting at `starts`) pairwise (natural
 * merge sort): in WebAssembly where it runs (simd/merger.ts, 1.3-1.5 times this scalar merge),
 * else here. The passes alternate between the fresh result and a reused scratch array, starting
 * on whichever makes the last pass land in the result.
 */
function mergeRuns(rows: Int32Array, runStarts: number[]): Int32Array {
  const n = rows.length;
  if (runStarts.length < 2) return rows.slice();
  const merged = mergeRunsKernel(rows, runStarts);
  if (merged) return merged;
  let passes = 0;
  for (let r = runStarts.length; r > 1; r = (r + 1) >> 1) passes++;
  const out = new Int32Array(n);
  let spare: Int32Array;
  if (passes === 1) spare = out;
  else if (n <= SCRATCH_KEEP) {
    if (scratch.length < n) scratch = new Int32Array(Math.max(n, 2 * scratch.length));
    spare = scratch.subarray(0, n);
  } else spare = new Int32Array(n);
  let starts = runStarts;
  let src: Int32Array = rows;
  let dst = passes % 2 === 1 ? out : spare;
  while (starts.length > 1) {
    const next: number[] = [];
    for (let r = 0; r < starts.length; r += 2) {
      const a = starts[r];
      const mid = r + 1 < starts.length ? starts[r + 1] : n;
      const end = r + 2 < starts.length ? starts[r + 2] : n;
      next.push(a);
      mergePair(src, dst, a, mid, mid, end, a);
    }
    starts = next;
    src = dst;
    dst = dst === out ? spare : out;
  }
  return out;
}

/**
 * Merges the ascending runs src[a, ae) and src[b, be) (distinct ids) into dst from `o` on.
 *
 * A branch-free merge (rows of tied values interleave at random, so a branch on which run goes
 * next is mispredicted half the time: it cost three times this) waits on its own loads: the next
 * read depends on the last comparison. So it runs from both ends at once, the front taking the
 * smaller head and the back the larger tail: two independent chains in one loop, and the core
 * works on one while the other waits (distance ranges a third faster than one chain,
 * bench/range.ts; cutting the merge at its middle for four chains gained nothing more here, it
 * does in the WebAssembly kernel, simd/merge.wat). Each round runs as many steps as neither chain
 * can pass the end of a run or meet the other in. A round of no steps means a run is used up
 * from one end or at most one id is left: what is left lies in one run, and is copied.
 */
function mergePair(src: Int32Array, dst: Int32Array, a: number, ae: number, b: number, be: number, o: number) {
  let i = a;
  let j = b;
  let ie = ae - 1;
  let je = be - 1;
  let oe = o + (ae - a) + (be - b) - 1;
  for (;;) {
    const m = Math.min(ae - i, be - j, ie + 1 - a, je + 1 - b, (oe + 1 - o) >> 1);
    if (m === 0) break;
    for (let k = 0; k < m; k++) {
      const x = src[i];
      const y = src[j];
      const c = +(x <= y);
      dst[o++] = y ^ ((x ^ y) & -c);
      i += c;
      j += 1 - c;
      const p = src[ie];
      const q = src[je];
      const d = +(p > q);
      dst[oe--] = q ^ ((p ^ q) & -d);
      ie -= d;
      je -= 1 - d;
    }
  }
  // What is left, src[i, ie] or src[j, je] (the other is empty), in place.
  if (i <= ie) dst.set(src.subarray(i, ie + 1), o);
  else if (j <= je) dst.set(src.subarray(j, je + 1), o);
}

const DIGIT = 11;
const RADIX = 1 << DIGIT;

/**
 * A sorted copy of non-negative row ids: a copy when they ascend already, else a
 * least-significant-digit radix sort (11-bit digits, as many passes as the largest id needs) past
 * a few dozen ids, the built-in sort below.
 */
export function sortRows(rows: Int32Array): Int32Array {
  const n = rows.length;
  // Rows stored in the column's order (dates in a log, say) come out of the leaves ascending already.
  // Ascending runs: ties are stored by row, so a range over few distinct values (a column like
  // distance, with thousands of rows a value) is a handful of ascending runs: merged pairwise.
  const mergeable = mergeLimits(n).runs;
  const starts = [0];
  for (let i = 1; i < n && starts.length <= mergeable; i++) if (rows[i - 1] > rows[i]) starts.push(i);
  if (starts.length === 1) return rows.slice();
  if (n < 64) return rows.slice().sort();
  if (starts.length <= mergeable) return mergeRuns(rows, starts);
  let max = 0;
  for (let i = 0; i < n; i++) if (rows[i] > max) max = rows[i];
  let src: Int32Array = rows;
  let dst: Int32Array = new Int32Array(n);
  let out: Int32Array | null = null;
  const count = new Int32Array(RADIX);
  for (let shift = 0; shift === 0 || max >>> shift > 0; shift += DIGIT) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i] >>> shift) & (RADIX - 1)]++;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) dst[count[(src[i] >>> shift) & (RADIX - 1)]++] = src[i];
    // The first pass writes a fresh array; later ones swap between it and one more.
    if (out === null) {
      out = dst;
      src = dst;
      dst = new Int32Array(n);
    } else [src, dst] = [dst, src];
  }
  return src;
}

/** A scan visits every row; sorting k rows costs about as much as scanning 3-4 k (bench/range.ts): past this share the scan. */
export const SCAN_SHARE = 0.25;

/**
 * The rows of `values` in [lo, hi] (bounds as flagged), ascending: through the index when the
 * range is selective (its exact count, from two descents, under SCAN_SHARE of the rows), else
 * by a scan of the column. Both paths give the same rows.
 */
export function rowsInRange(
  values: Float64Array | Float32Array | Int32Array,
  index: RangeIndex | null,
  lo: number,
  hi: number,
  loOpen = false,
  hiOpen = false,
): { rows: Int32Array; path: 'index' | 'scan' } {
  if (index && index.count(lo, hi, loOpen, hiOpen) <= SCAN_SHARE * values.length)
    return { rows: index.range(lo, hi, loOpen, hiOpen), path: 'index' };
  return { rows: scanRange(values, lo, hi, loOpen, hiOpen), path: 'scan' };
}

/** The rows whose value lies in the range, by one pass over the column. */
export function scanRange(
  values: Float64Array | Float32Array | Int32Array,
  lo: number,
  hi: number,
  loOpen = false,
  hiOpen = false,
): Int32Array {
  let out = new Int32Array(64);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if ((loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi)) {
      if (n === out.length) {
        const grown = new Int32Array(2 * n);
        grown.set(out);
        out = grown;
      }
      out[n++] = i;
    }
  }
  return out.slice(0, n);
}
