/**
 * A WebAssembly SIMD filter for KD-tree leaf scans (kernel: scan.wat). It holds a copy of the
 * tree's coordinates transposed into blocks of four rows (structure of arrays), and for a row
 * range returns the rows whose float32 squared distance to the query passes a bound. The tree
 * recomputes those few rows' distances exactly (float64), so answers do not change; only the
 * many rows that are clearly too far are rejected four at a time.
 */
import { WASM_BYTES } from './scan-wasm';
import { compileKernel, instantiate, type WasmGlobal, type WasmModule } from './wasm';

/**
 * The scanner keeps to trees whose transposed copy fits in this many bytes (a tab's memory is
 * shared with the dataset and the trainer; larger trees take the scalar path).
 */
const MAX_BYTES = 256 << 20;
/**
 * Coordinates and queries must stay within this magnitude, so that no squared difference
 * overflows float32 (2 * 1e15, squared, times 65535 dimensions is far below 3.4e38).
 */
export const SIMD_MAX_ABS = 1e15;

const kernelModule = () => compileKernel(WASM_BYTES);

/** Whether this runtime can run the SIMD kernel (WebAssembly with fixed-width SIMD). */
export function simdAvailable(): boolean {
  return kernelModule() !== null;
}

type ScanFn = (q: number, base: number, stride: number, lo: number, hi: number, bound: number, out: number) => number;
type SweepFn = (
  q: number,
  qflat: number,
  base: number,
  stride: number,
  boxes: number,
  dims4: number,
  first: number,
  l0: number,
  l1: number,
  skipLo: number,
  skipHi: number,
  bound: number,
  out: number,
) => number;

/** The tree's leaves in storage order, for {@link SimdScanner.sweep}. */
export interface LeafLayout {
  /** First row of each leaf, plus the row count at the end. */
  readonly first: Int32Array;
  /** Heap node of each leaf (its box in `boxes`). */
  readonly node: Int32Array;
  /** The tree's per-node boxes, [lo0, hi0, lo1, hi1, ...] per node. */
  readonly boxes: Float32Array;
}

export class SimdScanner {
  /** Rows found by the last {@link SimdScanner.scan}, first `count` entries. */
  readonly out: Int32Array;
  private readonly query: Float32Array;
  private readonly flat: Float32Array;
  private readonly scanFn: ScanFn;
  private readonly sweepFn: SweepFn;
  private readonly touchedGlobal: WasmGlobal;
  private readonly qAt: number;
  private readonly flatAt: number;
  private readonly outAt: number;
  private readonly blocksAt: number;
  private readonly firstAt: number;
  private readonly boxesAt: number;
  private readonly stride: number;
  private readonly dims: number;
  private readonly dims4: number;
  /** Number of leaves. */
  readonly leaves: number;
  /** Relative slack on a bound so that float32 rounding never rejects a row the exact sum keeps. */
  readonly slack: number;

  private constructor(module: WasmModule, coords: Float32Array, n: number, d: number, leaves: LeafLayout) {
    const padded = d + (d & 1);
    const dims4 = 4 * Math.ceil(d / 4);
    const l = leaves.node.length;
    const at = layout(n, d, l);
    this.dims = d;
    this.dims4 = dims4;
    this.leaves = l;
    this.stride = 16 * padded;
    this.qAt = 0;
    this.flatAt = at.flat;
    this.outAt = at.out;
    this.blocksAt = at.blocks;
    this.firstAt = at.first;
    this.boxesAt = at.boxes;
    const { exports, memory } = instantiate(module, at.bytes);
    this.scanFn = exports.scan as ScanFn;
    this.sweepFn = exports.sweep as SweepFn;
    this.touchedGlobal = exports.touched as WasmGlobal;
    this.query = new Float32Array(memory, this.qAt, 4 * padded);
    this.flat = new Float32Array(memory, this.flatAt, dims4);
    this.out = new Int32Array(memory, this.outAt, n + 4);
    new Int32Array(memory, this.firstAt, l + 1).set(leaves.first);
    // Leaf boxes in storage order: dims4 lows, then dims4 highs (padding 0, as in the query).
    const boxes = new Float32Array(memory, this.boxesAt, l * 2 * dims4);
    for (let i = 0; i < l; i++) {
      const src = leaves.node[i] * 2 * d;
      for (let j = 0; j < d; j++) {
        boxes[i * 2 * dims4 + j] = leaves.boxes[src + 2 * j];
        boxes[i * 2 * dims4 + dims4 + j] = leaves.boxes[src + 2 * j + 1];
      }
    }
    // Transpose: row r, coordinate j -> block r >> 2, vector j, lane r & 3.
    const blocks = new Float32Array(memory, this.blocksAt, Math.ceil(n / 4) * 4 * padded);
    const vec = 4 * padded;
    for (let r = 0; r < n; r++) {
      const b = (r >> 2) * vec + (r & 3);
      for (let j = 0, s = r * d; j < d; j++) blocks[b + 4 * j] = coords[s + j];
    }
    // Float32 sums of d non-negative terms: relative error below (d + 2) * 2^-24, plus one
    // rounding of the bound itself to float32; twice that, to be safe.
    this.slack = 1 + (2 * (d + 4)) / 2 ** 24;
  }

  /**
   * A scanner over `coords` (n rows of d, row-major), or null when SIMD is unavailable, the
   * copy would be too large, or a coordinate is beyond {@link SIMD_MAX_ABS}.
   */
  static create(coords: Float32Array, n: number, d: number, leaves: LeafLayout): SimdScanner | null {
    const module = kernelModule();
    if (!module) return null;
    if (layout(n, d, leaves.node.length).bytes > MAX_BYTES) return null;
    for (let i = 0; i < coords.length; i++) if (Math.abs(coords[i]) > SIMD_MAX_ABS) return null;
    try {
      return new SimdScanner(module, coords, n, d, leaves);
    } catch {
      return null; // out of memory for the copy: the scalar path still answers
    }
  }

  /** Sets the query; returns false (use the scalar path) when a coordinate is too large. */
  setQuery(q: ArrayLike<number>): boolean {
    const query = this.query;
    for (let j = 0; j < this.dims; j++) {
      const v = q[j];
      if (Math.abs(v) > SIMD_MAX_ABS) return false;
      query[4 * j] = query[4 * j + 1] = query[4 * j + 2] = query[4 * j + 3] = v;
      this.flat[j] = v;
    }
    return true;
  }

  /**
   * Rows in [lo, hi) whose float32 squared distance to the query is at most `bound` (already
   * loosened by the caller with {@link SimdScanner.slack}), in increasing order, to `out`.
   * Returns their count. An infinite bound passes every row.
   */
  scan(lo: number, hi: number, bound: number): number {
    return this.scanFn(this.qAt, this.blocksAt, this.stride, lo, hi, bound, this.outAt);
  }

  /**
   * Leaves [l0, l1) in storage order, skipping those whose first row lies in [skipLo, skipHi):
   * the rows of every leaf whose box is within `bound`, and that are themselves within it, go
   * to `out` in increasing order. Returns their count; {@link SimdScanner.touched} is the
   * number of leaves whose box passed.
   */
  sweep(l0: number, l1: number, skipLo: number, skipHi: number, bound: number): number {
    return this.sweepFn(
      this.qAt,
      this.flatAt,
      this.blocksAt,
      this.stride,
      this.boxesAt,
      this.dims4,
      this.firstAt,
      l0,
      l1,
      skipLo,
      skipHi,
      bound,
      this.outAt,
    );
  }

  /** Leaves whose box passed in the last {@link SimdScanner.sweep}. */
  get touched(): number {
    return this.touchedGlobal.value;
  }
}

/**
 * Byte offsets in the kernel's memory: splatted query, flat query, output rows, leaf firsts, leaf boxes, point blocks.
 */
function layout(n: number, d: number, leaves: number) {
  const padded = d + (d & 1);
  const dims4 = 4 * Math.ceil(d / 4);
  const up16 = (x: number) => 16 * Math.ceil(x / 16);
  const flat = 16 * padded;
  const out = flat + 4 * dims4;
  const first = up16(out + 4 * (n + 4));
  const boxes = up16(first + 4 * (leaves + 1));
  const blocks = boxes + 8 * dims4 * leaves;
  const bytes = blocks + 16 * padded * Math.ceil(n / 4);
  return { flat, out, first, boxes, blocks, bytes };
}
