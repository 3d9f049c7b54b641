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
    return { name: col.name, type: col.type, nulls, min: null, max: null, mean: null, distinct, nonFinite: 0, histogram: topValues(col) };
  }
  const { values, valid } = col;
  let nulls = 0;
  let nonFinite = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  const distinct = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    if (valid !== null && valid[i] === 0) {
      nulls++;
      continue;
    }
    const x = values[i];
    distinct.add(x);
    if (!Number.isFinite(x)) {
      nonFinite++;
      continue;
    }
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    count++;
  }
  return {
    name: col.name,
    type: col.type,
    nulls,
    min: count ? min : null,
    max: count ? max : null,
    mean: count ? sum / count : null,
    distinct: distinct.size,
    nonFinite,
    histogram: count ? bins(values, valid, min, max) : { kind: 'bins', min: 0, max: 0, counts: [] },
  };
}

function bins(values: ArrayLike<number>, valid: Uint8Array | null, min: number, max: number): Histogram {
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  const width = (max - min) / HISTOGRAM_BINS;
  for (let i = 0; i < values.length; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    const b = width > 0 ? Math.min(HISTOGRAM_BINS - 1, Math.floor((x - min) / width)) : 0;
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
  const order = Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b).slice(0, HISTOGRAM_TOP);
  const top = order.map((c) => counts[c]);
  return { kind: 'top', values: order.map((c) => col.dictionary[c]), counts: top, other: present - top.reduce((a, b) => a + b, 0) };
}

/** Summary of every column of a table. */
export function tableStats(table: DataTable): ColumnStats[] {
  return table.columns.map(columnStats);
}
