import { meanFromSums, SUM_SCALE } from './moments';
import type { Column, DataTable, LogicalType } from './table';

/** Summary of one column, as the schema view and `inspect` show it. */
export interface ColumnStats {
  name: string;
  type: LogicalType;
  nulls: number;
  /** Numeric columns only (null for categorical or all-missing columns). */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Exact number of distinct present values. */
  distinct: number;
  /** Non-finite values (NaN, +-Infinity) among the present values of a numeric column. */
  nonFinite: number;
  /** A small histogram: equal-width bins over [min, max] (numeric) or the most frequent values. */
  histogram: Histogram;
  /** Raw bytes hashed into buckets (`CategoricalColumn.bytes`): used only when a user picks it. */
  bytes?: true;
  /**
   * A float column whose present finite values are all whole numbers (an int column always is):
   * as a label it may be read as classes (labelTask in encode.ts).
   */
  whole?: true;
  /** Statistics streamed over a file too large to load (stream-stats.ts): `distinct` is a lower bound. */
  distinctAtLeast?: true;
  /** ...and the numeric histogram's counts are scaled from a seeded sample of the values. */
  histogramSampled?: true;
}

export type Histogram =
  | { kind: 'bins'; min: number; max: number; counts: number[] }
  | { kind: 'top'; values: string[]; counts: number[]; other: number };

/** Bins of a numeric histogram, and values listed for a categorical one. */
export const HISTOGRAM_BINS = 16;
export const HISTOGRAM_TOP = 6;

/** Computes the summary of one column in one pass (plus a distinct count). */
export function columnStats(col: Column): ColumnStats {
  if (col.kind === 'categorical') {
    const seen = new Uint8Array(col.dictionary.length);
    let nulls = 0;
    let distinct = 0;
    for (let i = 0; i < col.codes.length; i++) {
      const c = col.codes[i];
      if (c < 0) nulls++;
      else if (seen[c] === 0) {
        seen[c] = 1;
        distinct++;
      }
    }
    return {
      name: col.name,
      type: col.type,
      nulls,
      min: null,
      max: null,
      mean: null,
      distinct,
      nonFinite: 0,
      histogram: topValues(col),
      ...(col.bytes ? { bytes: true as const } : {}),
    };
  }
  const { values, valid } = col;
  let nulls = 0;
  let nonFinite = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let scaled = 0;
  let count = 0;
  let fractions = 0;
  for (let i = 0; i < values.length; i++) {
    if (valid !== null && valid[i] === 0) {
      nulls++;
      continue;
    }
    const x = values[i];
    if (!Number.isFinite(x)) {
      nonFinite++;
      continue;
    }
    if (x !== Math.floor(x)) fractions++;
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    scaled += x * SUM_SCALE;
    count++;
  }
  return {
    name: col.name,
    type: col.type,
    nulls,
    min: count ? min : null,
    max: count ? max : null,
    mean: count ? meanFromSums(sum, scaled, count) : null,
    distinct: countDistinct(values, valid, count ? min : 0, count ? max : 0),
    nonFinite,
    histogram: count ? bins(values, valid, min, max) : { kind: 'bins', min: 0, max: 0, counts: [] },
    ...(col.type === 'float' && count > 0 && fractions === 0 ? { whole: true as const } : {}),
  };
}

/**
 * Exact number of distinct present values, as a `Set` of numbers counts them (0 and -0 are
 * one value, every NaN is one value), without a Set: a `Set` of 3M numbers takes a fifth of
 * a second per column. Integer arrays whose range is small against their length mark a
 * bitmap over [min, max]; everything else goes through an open-addressing hash set of the
 * values' bits in typed arrays.
 */
export function countDistinct(
  values: Float64Array | Float32Array | Int32Array | Uint8Array,
  valid: Uint8Array | null,
  min: number,
  max: number,
): number {
  if (values instanceof Int32Array || values instanceof Uint8Array) {
    const range = max - min + 1;
    if (range <= Math.max(1024, 8 * values.length) && range <= 1 << 28)
      return distinctByBitmap(values, valid, min, range);
  }
  return distinctByHash(values, valid);
}

function distinctByBitmap(
  values: Int32Array | Uint8Array,
  valid: Uint8Array | null,
  min: number,
  range: number,
): number {
  const bits = new Uint32Array(Math.ceil(range / 32));
  let distinct = 0;
  for (let i = 0; i < values.length; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const k = values[i] - min;
    const w = k >>> 5;
    const m = 1 << (k & 31);
    if ((bits[w] & m) === 0) {
      bits[w] |= m;
      distinct++;
    }
  }
  return distinct;
}

function distinctByHash(
  values: Float64Array | Float32Array | Int32Array | Uint8Array,
  valid: Uint8Array | null,
): number {
  // Sized by what it holds, not by the row count: few distinct values stay in cache.
  let capacity = 1024;
  let mask = capacity - 1;
  let keys = new Float64Array(capacity);
  let used = new Uint8Array(capacity);
  let distinct = 0;
  let nan = 0;
  for (let i = 0; i < values.length; i++) {
    if (valid !== null && valid[i] === 0) continue;
    let x = values[i];
    if (x !== x) {
      nan = 1;
      continue;
    }
    if (x === 0) x = 0; // -0 is 0
    let slot = hashNumber(x) & mask;
    for (;;) {
      if (used[slot] === 0) {
        used[slot] = 1;
        keys[slot] = x;
        distinct++;
        break;
      }
      if (keys[slot] === x) break;
      slot = (slot + 1) & mask;
    }
    if (2 * distinct > capacity) {
      // Half full: double and re-insert.
      const oldKeys = keys;
      const oldUsed = used;
      capacity *= 2;
      mask = capacity - 1;
      keys = new Float64Array(capacity);
      used = new Uint8Array(capacity);
      for (let j = 0; j < oldKeys.length; j++) {
        if (oldUsed[j] === 0) continue;
        let t = hashNumber(oldKeys[j]) & mask;
        while (used[t] !== 0) t = (t + 1) & mask;
        used[t] = 1;
        keys[t] = oldKeys[j];
      }
    }
  }
  return distinct + nan;
}

const cell = new Float64Array(1);
const cellWords = new Uint32Array(cell.buffer);

/** A 32-bit hash of a number's float64 bits. */
function hashNumber(x: number): number {
  cell[0] = x;
  let h = Math.imul(cellWords[0] ^ Math.imul(cellWords[1], 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 13);
}

export function bins(values: ArrayLike<number>, valid: Uint8Array | null, min: number, max: number): Histogram {
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  // A span beyond float64 (from near -1.8e308 to near 1.8e308): the same bins from halved values
  // (halving is exact), else the top value's bin was NaN and it went uncounted.
  const h = Number.isFinite(max - min) ? 1 : 0.5;
  const width = (max * h - min * h) / HISTOGRAM_BINS;
  for (let i = 0; i < values.length; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    const b = width > 0 ? Math.min(HISTOGRAM_BINS - 1, Math.floor((x * h - min * h) / width)) : 0;
    counts[b]++;
  }
  return { kind: 'bins', min, max, counts };
}

function topValues(col: Extract<Column, { kind: 'categorical' }>): Histogram {
  const counts = new Int32Array(col.dictionary.length);
  let present = 0;
  for (let i = 0; i < col.codes.length; i++) {
    const c = col.codes[i];
    if (c >= 0) {
      counts[c]++;
      present++;
    }
  }
  const order = Array.from(counts.keys())
    .sort((a, b) => counts[b] - counts[a] || a - b)
    .slice(0, HISTOGRAM_TOP);
  const top = order.map((c) => counts[c]);
  return {
    kind: 'top',
    values: order.map((c) => col.dictionary[c]),
    counts: top,
    other: present - top.reduce((a, b) => a + b, 0),
  };
}

/** Summary of every column of a table. */
export function tableStats(table: DataTable): ColumnStats[] {
  return table.columns.map(columnStats);
}

/**
 * A date or timestamp statistic as text: dates (days since 1970-01-01) as `YYYY-MM-DD`,
 * timestamps (ms since the epoch, UTC) as `YYYY-MM-DD HH:MM:SS` (with `.mmm` when there are
 * milliseconds). Null for other types, and for values beyond what a Date can hold.
 */
export function dateStatText(type: string, v: number): string | null {
  if ((type !== 'date' && type !== 'timestamp') || !Number.isFinite(v)) return null;
  // A mean of dates falls between days: the day it falls on (the mean of the 1st and the 2nd is the 1st, at noon).
  const ms = type === 'date' ? Math.floor(v) * 86_400_000 : Math.round(v);
  if (Math.abs(ms) > 8.64e15) return null;
  const iso = new Date(ms).toISOString();
  if (type === 'date') return iso.slice(0, 10);
  const time = iso.endsWith('.000Z') ? iso.slice(11, 19) : iso.slice(11, 23);
  return `${iso.slice(0, 10)} ${time}`;
}
