import type { Column } from '../data/table';
import { IndexError } from './errors';
import { SimdHasher } from './simd/hasher';

/**
 * 64-bit hashes of table rows, as two 32-bit lanes: `lo[i]`, `hi[i]` for row i. No BigInt,
 * no per-row strings or objects: columns are mixed in one pass each over typed arrays.
 */
export interface RowHashes {
  readonly lo: Uint32Array;
  readonly hi: Uint32Array;
}

// Constants of MurmurHash3 x86_128, whose two-lane round this is.
const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const N1 = 0x561ccd1b;
const N2 = 0x0bcaa747;
const MISSING = 0x5bd1e995;

/**
 * Hashes rows 0..rows-1 over `columns` (in that order; column order matters).
 *
 * What is hashed is the raw bits of each value: float64 as two 32-bit words, float32, int32,
 * uint8 and categorical codes as one. -0 hashes as 0 and every NaN as one canonical NaN, so
 * rows that compare equal value by value hash equal. A missing value (validity 0, or code -1)
 * takes a separate mixing step, so it never hashes like any value, and a column with an
 * all-valid mask hashes like the same column without one.
 *
 * Each 32-bit word k goes through MurmurHash3's scramble, then both lanes absorb it with the
 * x86_128 round (h1 ^= k; h1 = rotl(h1, 19) + h2; h1 = h1 * 5 + N1; and likewise for h2);
 * the lanes are finished with fmix32 and cross-added. Hashes are stable across runs and
 * platforms of the same endianness (all current JS engines are little-endian).
 */
export function hashRows(columns: readonly Column[], rows: number, seed = 0): RowHashes {
  checkRows(columns, rows, 'hashRows');
  const simd = hasher();
  if (simd) {
    const lo = new Uint32Array(rows);
    const hi = new Uint32Array(rows);
    for (let start = 0; start < rows; start += TILE) {
      const end = Math.min(rows, start + TILE);
      simd.hashTile(columns, start, end, seed);
      lo.set(simd.lo.subarray(0, end - start), start);
      hi.set(simd.hi.subarray(0, end - start), start);
    }
    return { lo, hi };
  }
  const lo = new Uint32Array(rows).fill(seed >>> 0);
  const hi = new Uint32Array(rows).fill((seed ^ 0x9e3779b9) >>> 0);
  // Tiles of rows, every column over a tile before the next: the tile's two lanes stay in the
  // L1 cache instead of streaming through memory once per column.
  for (let start = 0; start < rows; start += TILE) hashRange(columns, start, Math.min(rows, start + TILE), lo, hi, 0);
  return { lo, hi };
}

let simdHasher: SimdHasher | null | undefined;
let simdWanted = true;

/** The WebAssembly SIMD hasher (four rows at a time), or null: not wanted, or no WebAssembly SIMD. */
function hasher(): SimdHasher | null {
  if (!simdWanted) return null;
  if (simdHasher === undefined) simdHasher = SimdHasher.create(TILE);
  return simdHasher;
}

/**
 * Turns the WebAssembly SIMD path of the row hashes on (the default where the runtime has it)
 * or off (the scalar loops); the hashes are the same either way. For tests and benchmarks.
 */
export function useSimdRowHashes(on: boolean): void {
  simdWanted = on;
}

/**
 * The same hashes as {@link hashRows}, a tile of at most {@link HASH_TILE} rows at a time, for
 * consumers that use each hash once (a Bloom filter): `fn(lo, hi, start, end)` gets rows
 * [start, end) in lo/hi[0 .. end - start). The two lane buffers are reused from tile to tile,
 * so no per-row array is ever allocated.
 */
export function forEachHashTile(columns: readonly Column[], rows: number, fn: (lo: Uint32Array, hi: Uint32Array, start: number, end: number) => void, seed = 0): void {
  checkRows(columns, rows, 'forEachHashTile');
  const simd = hasher();
  if (simd) {
    for (let start = 0; start < rows; start += TILE) {
      const end = Math.min(rows, start + TILE);
      simd.hashTile(columns, start, end, seed);
      fn(simd.lo, simd.hi, start, end);
    }
    return;
  }
  const lo = new Uint32Array(TILE);
  const hi = new Uint32Array(TILE);
  for (let start = 0; start < rows; start += TILE) {
    const end = Math.min(rows, start + TILE);
    lo.fill(seed >>> 0);
    hi.fill((seed ^ 0x9e3779b9) >>> 0);
    hashRange(columns, start, end, lo, hi, start);
    fn(lo, hi, start, end);
  }
}

function checkRows(columns: readonly Column[], rows: number, what: string): void {
  if (!Number.isInteger(rows) || rows < 0) throw new IndexError(`${what}: rows must be a non-negative integer, got ${rows}`);
  for (const col of columns) {
    const length = col.kind === 'categorical' ? col.codes.length : col.values.length;
    if (length < rows) throw new IndexError(`${what}: column "${col.name}" has ${length} rows, fewer than the ${rows} to hash`);
  }
}

/** Mixes rows [start, end) of every column into lanes lo/hi[start - base ..], then finishes them. */
function hashRange(columns: readonly Column[], start: number, end: number, lo: Uint32Array, hi: Uint32Array, base: number): void {
  for (const col of columns) {
    if (col.kind === 'categorical') mixInt32(col.codes, null, true, lo, hi, start, end, base);
    else if (col.values instanceof Float64Array) mixFloat64(col.values, col.valid, lo, hi, start, end, base);
    else if (col.values instanceof Float32Array) mixFloat32(col.values, col.valid, lo, hi, start, end, base);
    else if (col.values instanceof Int32Array) mixInt32(col.values, col.valid, false, lo, hi, start, end, base);
    else mixUint8(col.values, col.valid, lo, hi, start, end, base);
  }
  finish(lo, hi, columns.length, start - base, end - base);
}

/** Rows per tile: 2 x 16 KB of lanes. */
const TILE = 4096;
/** Rows per tile of {@link forEachHashTile}. */
export const HASH_TILE = TILE;

function scramble(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

// The rounds are written out in each loop below (rather than called) so that each loop
// keeps both lanes in registers; they are the same code.

function mixFloat64(values: Float64Array, valid: Uint8Array | null, lo: Uint32Array, hi: Uint32Array, start: number, end: number, base: number): void {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  for (let i = start; i < end; i++) {
    let h1 = lo[i - base];
    let h2 = hi[i - base];
    if (valid !== null && valid[i] === 0) {
      h1 = (Math.imul(h1 ^ MISSING, C3) + h2) | 0;
      h2 = (Math.imul(h2 ^ MISSING, C1) + h1) | 0;
    } else {
      const v = values[i];
      let a = words[2 * i];
      let b = words[2 * i + 1];
      if (v === 0) {
        a = 0;
        b = 0;
      } else if (v !== v) {
        a = 0;
        b = 0x7ff80000;
      }
      const k1 = scramble(a);
      let k2 = Math.imul(b, C2);
      k2 = (k2 << 16) | (k2 >>> 16);
      k2 = Math.imul(k2, C3);
      h1 ^= k1;
      h1 = (((h1 << 19) | (h1 >>> 13)) + h2) | 0;
      h1 = (Math.imul(h1, 5) + N1) | 0;
      h2 ^= k2;
      h2 = (((h2 << 17) | (h2 >>> 15)) + h1) | 0;
      h2 = (Math.imul(h2, 5) + N2) | 0;
    }
    lo[i - base] = h1;
    hi[i - base] = h2;
  }
}

function mixFloat32(values: Float32Array, valid: Uint8Array | null, lo: Uint32Array, hi: Uint32Array, start: number, end: number, base: number): void {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = start; i < end; i++) {
    let h1 = lo[i - base];
    let h2 = hi[i - base];
    if (valid !== null && valid[i] === 0) {
      h1 = (Math.imul(h1 ^ MISSING, C3) + h2) | 0;
      h2 = (Math.imul(h2 ^ MISSING, C1) + h1) | 0;
    } else {
      const v = values[i];
      const k1 = scramble(v === 0 ? 0 : v !== v ? 0x7fc00000 : words[i]);
      h1 ^= k1;
      h1 = (((h1 << 19) | (h1 >>> 13)) + h2) | 0;
      h1 = (Math.imul(h1, 5) + N1) | 0;
      h2 ^= (k1 << 7) | (k1 >>> 25);
      h2 = (((h2 << 17) | (h2 >>> 15)) + h1) | 0;
      h2 = (Math.imul(h2, 5) + N2) | 0;
    }
    lo[i - base] = h1;
    hi[i - base] = h2;
  }
}

/** Int32 values, or categorical codes (`negativeMissing`: a code below 0 is missing). */
function mixInt32(values: Int32Array, valid: Uint8Array | null, negativeMissing: boolean, lo: Uint32Array, hi: Uint32Array, start: number, end: number, base: number): void {
  for (let i = start; i < end; i++) {
    let h1 = lo[i - base];
    let h2 = hi[i - base];
    const v = values[i];
    if ((valid !== null && valid[i] === 0) || (negativeMissing && v < 0)) {
      h1 = (Math.imul(h1 ^ MISSING, C3) + h2) | 0;
      h2 = (Math.imul(h2 ^ MISSING, C1) + h1) | 0;
    } else {
      const k1 = scramble(v);
      h1 ^= k1;
      h1 = (((h1 << 19) | (h1 >>> 13)) + h2) | 0;
      h1 = (Math.imul(h1, 5) + N1) | 0;
      h2 ^= (k1 << 7) | (k1 >>> 25);
      h2 = (((h2 << 17) | (h2 >>> 15)) + h1) | 0;
      h2 = (Math.imul(h2, 5) + N2) | 0;
    }
    lo[i - base] = h1;
    hi[i - base] = h2;
  }
}

function mixUint8(values: Uint8Array, valid: Uint8Array | null, lo: Uint32Array, hi: Uint32Array, start: number, end: number, base: number): void {
  for (let i = start; i < end; i++) {
    let h1 = lo[i - base];
    let h2 = hi[i - base];
    if (valid !== null && valid[i] === 0) {
      h1 = (Math.imul(h1 ^ MISSING, C3) + h2) | 0;
      h2 = (Math.imul(h2 ^ MISSING, C1) + h1) | 0;
    } else {
      const k1 = scramble(values[i]);
      h1 ^= k1;
      h1 = (((h1 << 19) | (h1 >>> 13)) + h2) | 0;
      h1 = (Math.imul(h1, 5) + N1) | 0;
      h2 ^= (k1 << 7) | (k1 >>> 25);
      h2 = (((h2 << 17) | (h2 >>> 15)) + h1) | 0;
      h2 = (Math.imul(h2, 5) + N2) | 0;
    }
    lo[i - base] = h1;
    hi[i - base] = h2;
  }
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function finish(lo: Uint32Array, hi: Uint32Array, columns: number, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    let h1 = lo[i] ^ columns;
    let h2 = hi[i] ^ columns;
    h1 = (h1 + h2) | 0;
    h2 = (h2 + h1) | 0;
    h1 = fmix32(h1);
    h2 = fmix32(h2);
    h1 = (h1 + h2) | 0;
    lo[i] = h1;
    hi[i] = h2 + h1;
  }
}
