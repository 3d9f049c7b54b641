/**
 * Batches prepared on the GPU (`prepareOn: gpu`, the convolutions issue): the data side hands
 * over raw columns and the GPU applies the encoding's recipe (EncodedDataset.plan) inside the
 * training step: standardising numbers, expanding categorical codes into one-hot columns and,
 * for images, a seeded random crop with zero padding and a horizontal flip.
 *
 * Raw rows come in two forms: **words**, one 32-bit word per source column (a float32 value, NaN
 * where missing; a categorical code as an unsigned integer, 0xffffffff where missing), or
 * **bytes**, one byte per source column, for images whose pixels are all whole numbers from 0 to
 * 255 with none missing (a quarter of the bytes to upload). Each row starts on a word boundary.
 *
 * `prepareReference` is the plain TypeScript twin of the WGSL kernel (wgsl/prepare.wgsl): the
 * tests hold the kernel to it, and it to the worker's encoding (encode.ts).
 */
import type { DenseFeature, EncodedDataset } from './encode';
import { getColumn, type DataTable } from './table';

export type RawKind = 'words' | 'bytes';

/** A missing categorical code in word rows. */
export const MISSING_CODE = 0xffffffff;

/** Raw rows for `rows` (indexes into the encoded rows): their words or bytes, and the row stride in 32-bit words. */
export interface RawRows {
  kind: RawKind;
  /** 32-bit words per row. */
  stride: number;
  data: Uint32Array;
}

/** Seeded augmentation of image rows ([h, w, c], channels last). */
export interface Augment {
  shape: [number, number, number];
  /** Pixels of zero padding around the image before a random crop back to h x w (0: no crop). */
  pad: number;
  flip: boolean;
  seed: number;
  /** The training step (each step's batch draws its own crops and flips). */
  step: number;
}

/** Whether the dense sources can travel as bytes: every one numeric, whole, 0..255, none missing. */
export function bytesFit(table: DataTable, enc: EncodedDataset): boolean {
  if (enc.plan.some((f) => f.kind !== 'scale')) return false;
  for (const name of enc.denseSources) {
    const col = getColumn(table, name);
    if (col.kind !== 'numeric') return false;
    for (let r = 0; r < enc.rows; r++) {
      const i = enc.sourceRows[r];
      if (col.valid !== null && col.valid[i] === 0) return false;
      const v = col.values[i];
      if (!(v >= 0 && v <= 255 && Number.isInteger(v))) return false;
    }
  }
  return true;
}

/**
 * A scaled feature whose mean is this many deviations from 0 or more travels centred: its word is
 * the value minus the mean, subtracted in float64 on the worker, and the plan the GPU reads has
 * mean 0 there. As a raw float32 a value near 1e9 keeps steps of 64, so a column that varies by
 * tenths there would reach the GPU constant. Image pixels never come near this, so an
 * augmentation's padding still reads the raw value 0 wherever it applies.
 */
export const CENTRE_AT = 1024;

const centred = (f: DenseFeature) => f.kind === 'scale' && Math.abs(f.mean) >= CENTRE_AT * f.std;

/** The plan as the GPU applies it to raw rows of `kind`: in words, a centred feature's mean is 0 (its words are centred). */
export function gpuPlan(plan: readonly DenseFeature[], kind: RawKind): DenseFeature[] {
  return plan.map((f) => (kind === 'words' && f.kind === 'scale' && centred(f) ? { ...f, mean: 0 } : f));
}

/** The raw rows of encoded rows `rows` (see the module comment; words of centred features are centred). */
export function rawRows(table: DataTable, enc: EncodedDataset, rows: ArrayLike<number>, kind: RawKind): RawRows {
  const cols = enc.denseSources.map((n) => getColumn(table, n));
  // What each source's words have subtracted (0 but for centred features).
  const centre = new Float64Array(cols.length);
  for (const f of enc.plan) if (f.kind === 'scale' && centred(f)) centre[f.source] = f.mean;
  const n = cols.length;
  const stride = kind === 'bytes' ? Math.ceil(n / 4) : n;
  const data = new Uint32Array(rows.length * stride);
  const bytes = new Uint8Array(data.buffer);
  const f32 = new Float32Array(data.buffer);
  for (let r = 0; r < rows.length; r++) {
    const i = enc.sourceRows[rows[r]];
    cols.forEach((col, s) => {
      if (kind === 'bytes') {
        if (col.kind !== 'numeric') throw new Error(`column "${col.name}" is not numeric: it cannot travel as bytes`);
        bytes[r * stride * 4 + s] = col.values[i];
      } else if (col.kind === 'categorical') data[r * stride + s] = col.codes[i] >= 0 ? col.codes[i] : MISSING_CODE;
      else f32[r * stride + s] = col.valid !== null && col.valid[i] === 0 ? NaN : col.values[i] - centre[s];
    });
  }
  return { kind, stride, data };
}

/** PCG's output hash (O'Neill): the per-row random word of the augmentation, as the kernel computes it. */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** Row `row`'s crop offsets (in -pad..pad) and flip at `step`, from the seed. */
export function rowAugment(a: Augment, row: number): { dy: number; dx: number; flip: boolean } {
  const h = pcgHash((pcgHash((pcgHash(a.seed) ^ a.step) >>> 0) ^ row) >>> 0);
  const span = 2 * a.pad + 1;
  return {
    dy: (h % span) - a.pad,
    dx: (Math.floor(h / span) % span) - a.pad,
    flip: a.flip && h >>> 31 === 1,
  };
}

/**
 * The dense features of raw rows by the plan (the kernel's arithmetic in float64, rounded to
 * float32 as stored): a scaled feature is (value - mean) / std, 0 where missing; a one-hot
 * feature 1 where the code is its value. With `augment`, feature j of an image row reads the
 * source pixel its crop and flip map it to (the plan is then one scaled feature per pixel and
 * channel, [h, w, c] in order), a padding pixel reading the raw value 0.
 */
export function prepareReference(
  raw: RawRows,
  rows: number,
  plan: readonly DenseFeature[],
  augment?: Augment,
): Float32Array {
  const out = new Float32Array(rows * plan.length);
  const f32 = new Float32Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);
  const bytes = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  const word = (r: number, s: number) => raw.data[r * raw.stride + s];
  const value = (r: number, s: number) =>
    raw.kind === 'bytes' ? bytes[r * raw.stride * 4 + s] : f32[r * raw.stride + s];
  for (let r = 0; r < rows; r++) {
    const aug = augment ? rowAugment(augment, r) : null;
    plan.forEach((f, j) => {
      let source = f.source;
      let padding = false;
      if (aug && augment) {
        const [h, w, c] = augment.shape;
        const y = Math.floor(j / (w * c)) + aug.dy;
        const xo = Math.floor(j / c) % w;
        const x = (aug.flip ? w - 1 - xo : xo) + aug.dx;
        padding = y < 0 || y >= h || x < 0 || x >= w;
        source = padding ? 0 : plan[(y * w + x) * c + (j % c)].source;
      }
      if (f.kind === 'onehot') out[r * plan.length + j] = word(r, source) === f.value ? 1 : 0;
      else {
        const v = padding ? 0 : value(r, source);
        out[r * plan.length + j] = Number.isNaN(v) ? 0 : (v - f.mean) / f.std;
      }
    });
  }
  return out;
}
