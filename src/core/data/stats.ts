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
}

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
    return { name: col.name, type: col.type, nulls, min: null, max: null, mean: null, distinct, nonFinite: 0 };
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
  };
}

/** Summary of every column of a table. */
export function tableStats(table: DataTable): ColumnStats[] {
  return table.columns.map(columnStats);
}
