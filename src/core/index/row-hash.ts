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
export function forEachHashTile(
  columns: readonly Column[],
  rows: number,
  fn: (lo: Uint32Array, hi: Uint32Array, start: number, end: number) => void,
  seed = 0,
): void {
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
  if (!Number.isInteger(rows) || rows < 0)
    throw new IndexError(`${what}: rows must be a non-negative integer, got ${rows}`);
  for (const col of columns) {
    const length = col.kind === 'categorical' ? col.codes.length : col.values.length;
    if (length < rows)
      throw new IndexError(`${what}: column "${col.name}" has ${length} rows, fewer than the ${rows} to hash`);
  }
}

/** Mixes rows [start, end) (at most a tile) of every column into lanes lo/hi[start - base ..], then finishes them. */
function hashRange(
  columns: readonly Column[],
  start: number,
  end: number,
  lo: Uint32Array,
  hi: Uint32Array,
  base: number,
): void {
  for (const col of columns) {
    const n = wordsOf(col, start, end);
    round(n, lo, hi, start - base);
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

// The scalar path has the SIMD kernel's shape (simd/hash.wat): each column's values of a tile
// become the two words its round absorbs (k1 into h1, k2 into h2) and a missing flag, and one
// round loop mixes them in.
const K1 = new Int32Array(TILE);
const K2 = new Int32Array(TILE);
const MISS = new Uint8Array(TILE);

/**
 * Rows [start, end) of `col` as round words in K1 / K2 and missing flags in MISS (index
 * i - start). Floats by their bits with -0 as 0 and one NaN; a float64 gives two words
 * (low, high), every other type one word k1 with k2 = rotl(k1, 7). Returns the row count.
 */
function wordsOf(col: Column, start: number, end: number): number {
  const n = end - start;
  if (col.kind === 'categorical') {
    const c = col.codes;
    for (let i = 0; i < n; i++) {
      const v = c[start + i];
      MISS[i] = v < 0 ? 1 : 0;
      K1[i] = scramble(v);
    }
    return rotateK2(n);
  }
  const { values, valid } = col;
  if (valid !== null) for (let i = 0; i < n; i++) MISS[i] = valid[start + i] === 0 ? 1 : 0;
  else MISS.fill(0, 0, n);
  if (values instanceof Float64Array) {
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    for (let i = 0; i < n; i++) {
      const r = start + i;
      const v = values[r];
      const a = v === 0 || v !== v ? 0 : words[2 * r];
      const b = v === 0 ? 0 : v !== v ? 0x7ff80000 : words[2 * r + 1];
      K1[i] = scramble(a);
      const k2 = Math.imul(b, C2);
      K2[i] = Math.imul((k2 << 16) | (k2 >>> 16), C3);
    }
    return n;
  }
  if (values instanceof Float32Array) {
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
    for (let i = 0; i < n; i++) {
      const v = values[start + i];
      K1[i] = scramble(v === 0 ? 0 : v !== v ? 0x7fc00000 : words[start + i]);
    }
  } else {
    for (let i = 0; i < n; i++) K1[i] = scramble(values[start + i]);
  }
  return rotateK2(n);
}

function rotateK2(n: number): number {
  for (let i = 0; i < n; i++) {
    const k1 = K1[i];
    K2[i] = (k1 << 7) | (k1 >>> 25);
  }
  return n;
}

/** One round of the two lanes for `n` rows from lane index `at`: the words, or the missing step. */
function round(n: number, lo: Uint32Array, hi: Uint32Array, at: number): void {
  for (let i = 0; i < n; i++) {
    let h1 = lo[at + i];
    let h2 = hi[at + i];
    if (MISS[i] !== 0) {
      h1 = (Math.imul(h1 ^ MISSING, C3) + h2) | 0;
      h2 = (Math.imul(h2 ^ MISSING, C1) + h1) | 0;
    } else {
      h1 ^= K1[i];
      h1 = (((h1 << 19) | (h1 >>> 13)) + h2) | 0;
      h1 = (Math.imul(h1, 5) + N1) | 0;
      h2 ^= K2[i];
      h2 = (((h2 << 17) | (h2 >>> 15)) + h1) | 0;
      h2 = (Math.imul(h2, 5) + N2) | 0;
    }
    lo[at + i] = h1;
    hi[at + i] = h2;
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
