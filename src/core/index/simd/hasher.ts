/**
 * Row hashes four rows at a time (kernel: hash.wat), a tile of rows at a time: each column's
 * slice of the tile is copied into the kernel's memory (a few tens of kB, in cache) and mixed
 * there; the tile's two hash lanes are then read from that memory. The same hashes, bit for
 * bit, as the scalar loops of row-hash.ts (tests compare them on every column type).
 */
import type { Column } from '../../data/table';
import { WASM_BYTES } from './hash-wasm';
import { compileKernel, instantiate } from './wasm';

type Mix = (lo: number, hi: number, vals: number, valid: number, n: number) => void;
type MixI32 = (lo: number, hi: number, vals: number, valid: number, negMissing: number, n: number) => void;

export class SimdHasher {
  /** The tile's lanes after {@link SimdHasher.hashTile}: row start + i at index i. */
  readonly lo: Uint32Array;
  readonly hi: Uint32Array;
  private readonly f64: Float64Array;
  private readonly f32: Float32Array;
  private readonly i32: Int32Array;
  private readonly u8: Uint8Array;
  private readonly valid: Uint8Array;
  private readonly mixI32: MixI32;
  private readonly mixU8: Mix;
  private readonly mixF32: Mix;
  private readonly mixF64: Mix;
  private readonly finish: (lo: number, hi: number, columns: number, n: number) => void;
  private readonly at: { lo: number; hi: number; vals: number; valid: number };

  private constructor(
    readonly tile: number,
    module: object,
  ) {
    const at = { lo: 0, hi: 4 * tile, vals: 8 * tile, valid: 16 * tile };
    const { exports, memory } = instantiate(module, 17 * tile + 64);
    this.at = at;
    this.lo = new Uint32Array(memory, at.lo, tile);
    this.hi = new Uint32Array(memory, at.hi, tile);
    this.f64 = new Float64Array(memory, at.vals, tile);
    this.f32 = new Float32Array(memory, at.vals, tile);
    this.i32 = new Int32Array(memory, at.vals, tile);
    this.u8 = new Uint8Array(memory, at.vals, tile);
    this.valid = new Uint8Array(memory, at.valid, tile);
    this.mixI32 = exports.mixI32 as MixI32;
    this.mixU8 = exports.mixU8 as Mix;
    this.mixF32 = exports.mixF32 as Mix;
    this.mixF64 = exports.mixF64 as Mix;
    this.finish = exports.finish as (lo: number, hi: number, columns: number, n: number) => void;
  }

  /** A hasher for tiles of `tile` rows (a multiple of 4), or null without WebAssembly SIMD. */
  static create(tile: number): SimdHasher | null {
    const module = compileKernel(WASM_BYTES);
    if (!module) return null;
    try {
      return new SimdHasher(tile, module);
    } catch {
      return null;
    }
  }

  /** Hashes rows [start, end) (at most `tile` of them) of `columns` into `lo` / `hi` [0, end - start). */
  hashTile(columns: readonly Column[], start: number, end: number, seed: number): void {
    const n = end - start;
    const n4 = (n + 3) & ~3;
    const { lo, hi, vals, valid } = this.at;
    this.lo.fill(seed >>> 0, 0, n4);
    this.hi.fill((seed ^ 0x9e3779b9) >>> 0, 0, n4);
    for (const col of columns) {
      if (col.kind === 'categorical') {
        this.i32.set(col.codes.subarray(start, end));
        this.mixI32(lo, hi, vals, 0, 1, n4);
        continue;
      }
      let v = 0;
      if (col.valid !== null) {
        this.valid.set(col.valid.subarray(start, end));
        v = valid;
      }
      const values = col.values;
      if (values instanceof Float64Array) {
        this.f64.set(values.subarray(start, end));
        this.mixF64(lo, hi, vals, v, n4);
      } else if (values instanceof Float32Array) {
        this.f32.set(values.subarray(start, end));
        this.mixF32(lo, hi, vals, v, n4);
      } else if (values instanceof Int32Array) {
        this.i32.set(values.subarray(start, end));
        this.mixI32(lo, hi, vals, v, 0, n4);
      } else {
        this.u8.set(values.subarray(start, end));
        this.mixU8(lo, hi, vals, v, n4);
      }
    }
    this.finish(lo, hi, columns.length, n4);
  }
}
