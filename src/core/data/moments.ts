/**
 * The mean and standard deviation that standardise a numeric feature or target, computed so that
 * the scale is right for any finite data:
 * - two passes (the mean, then squared deviations from it), not the sum of squares minus the
 *   squared mean, which cancels every digit once the offset dwarfs the spread (values near 1e9
 *   that differ by tenths gave a deviation 200 times too large, near 1e8 one of 0);
 * - sums of scaled values (divided by the largest magnitude, deviations by the largest
 *   deviation), so that neither a sum nor a square overflows (values near 1e300 gave NaN), with
 *   each deviation subtracted before it is scaled (no digits lost to the scaling);
 * - a column whose values are all equal gets deviation 1 (it standardises to 0), decided by
 *   comparing the values, not by a threshold on the deviation (a tiny but real spread is kept).
 * The deviation is Infinity only when the values span more than float64 can hold (from about
 * -1e308 to 1e308); callers refuse such a column.
 */

import { DataError } from './table';

export interface Moments {
  mean: number;
  /** Population standard deviation; 1 for a constant (or empty) column. */
  std: number;
}

/** Scale of the running sum kept beside a plain one: a power of two, so scaling rounds nothing. */
export const SUM_SCALE = 2 ** -600;

/**
 * A mean from a plain running sum and one of the values times SUM_SCALE: the plain sum
 * overflows when finite values near 1e308 add up (the mean of 1e308 and 1.7e308 showed as
 * nothing); the scaled one cannot, and where the plain one overflowed, small values it loses
 * are too small to matter.
 */
export const meanFromSums = (sum: number, scaled: number, n: number): number =>
  Number.isFinite(sum) ? sum / n : scaled / n / SUM_SCALE;

/** A numeric column's values and presence (0: missing, skipped). */
export interface NumericValues {
  values: ArrayLike<number>;
  valid: Uint8Array | null;
}

/**
 * Pooled moments of the given rows (indices into each column; every row when null) over one or
 * more columns (a numbered family such as pixels shares one scale). Missing values are skipped.
 */
export function meanStd(cols: readonly NumericValues[], rows: ArrayLike<number> | null): Moments {
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const { values, valid } of cols) {
    const count = rows === null ? values.length : rows.length;
    for (let t = 0; t < count; t++) {
      const i = rows === null ? t : rows[t];
      if (valid !== null && valid[i] === 0) continue;
      const v = values[i];
      if (v < min) min = v;
      if (v > max) max = v;
      n++;
    }
  }
  if (n === 0) return { mean: 0, std: 1 };
  if (min === max) return { mean: min, std: 1 };
  // The first mean from values divided by the largest magnitude (their sum cannot overflow).
  const k = Math.max(Math.abs(min), Math.abs(max));
  let sum = 0;
  for (const { values, valid } of cols) {
    const count = rows === null ? values.length : rows.length;
    for (let t = 0; t < count; t++) {
      const i = rows === null ? t : rows[t];
      if (valid === null || valid[i] !== 0) sum += values[i] / k;
    }
  }
  const m = Math.min(max, Math.max(min, (sum / n) * k));
  // Beyond float64's range of differences (about -1.8e308 to 1.8e308): no finite deviation.
  if (!Number.isFinite(max - min)) return { mean: m, std: Infinity };
  const reach = Math.max(max - m, m - min);
  // Deviations from it, subtracted in the values' own units (exact for close values) and then
  // scaled, with the corrected two-pass formula (Chan, Golub & LeVeque 1983): the sum of the
  // deviations corrects the mean and the sum of their squares for the first mean's rounding.
  let dev = 0;
  let sq = 0;
  for (const { values, valid } of cols) {
    const count = rows === null ? values.length : rows.length;
    for (let t = 0; t < count; t++) {
      const i = rows === null ? t : rows[t];
      if (valid !== null && valid[i] === 0) continue;
      const d = (values[i] - m) / reach;
      dev += d;
      sq += d * d;
    }
  }
  const std = Math.sqrt(Math.max(0, (sq - (dev * dev) / n) / n)) * reach;
  return { mean: m + (dev / n) * reach, std: std > 0 ? std : 1 };
}

/**
 * Refuses encoded rows holding a value float32 cannot hold: a value far outside the train rows'
 * scale (1e40 in a column whose train rows span 0 to 1) standardises past 3.4e38 and would train
 * as Infinity, the losses NaN. Names the file, the column and the row (`rowOf`: a row's number in
 * the file).
 */
export function checkStandardised(
  file: string,
  x: Float32Array,
  dim: number,
  names: readonly string[],
  rowOf: (r: number) => number,
): void {
  for (let j = 0; j < x.length; j++)
    if (!Number.isFinite(x[j])) throw beyondFloat32(file, names[j % dim], rowOf(Math.floor(j / dim)));
}

/** The error for a value that standardises beyond float32. */
export function beyondFloat32(file: string, column: string, row: number): DataError {
  return new DataError(
    `${file}: column "${column}", row ${row}: the value is so far from the train rows' values that ` +
      'standardised it is beyond float32 (3.4e38); rescale or clip the column',
  );
}
