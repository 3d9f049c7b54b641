import type { Column } from '../data/table';

/** Whether rows a and b are equal (for a {@link HashIndex} over one table). */
export type RowEquals = (a: number, b: number) => boolean;

/**
 * Row equality over `columns`, with the same normalisation as {@link hashRows}: 0 equals -0,
 * NaN equals NaN, missing equals missing and nothing else.
 */
export function rowsEqual(columns: readonly Column[]): RowEquals {
  const checks = columns.map(columnEquals);
  return (a, b) => {
    for (let c = 0; c < checks.length; c++) if (!checks[c](a, b)) return false;
    return true;
  };
}

/** Equality of two rows of one column. */
export function columnEquals(col: Column): RowEquals {
  if (col.kind === 'categorical') {
    const codes = col.codes;
    return (a, b) => codes[a] === codes[b] || (codes[a] < 0 && codes[b] < 0);
  }
  const v = col.values;
  const valid = col.valid;
  const same = (a: number, b: number): boolean => v[a] === v[b] || (v[a] !== v[a] && v[b] !== v[b]);
  if (valid === null) return same;
  return (a, b) => (valid[a] === 0 ? valid[b] === 0 : valid[b] !== 0 && same(a, b));
}

/**
 * Marks in `bad` every row i (with `first[i] !== i`) whose values differ from row first[i]'s,
 * one column at a time in tight loops; returns how many were marked.
 */
export function markMismatches(columns: readonly Column[], first: Int32Array, bad: Uint8Array): number {
  let marked = 0;
  for (const col of columns) {
    if (col.kind === 'categorical') marked += markCodes(col.codes, first, bad);
    else marked += markNumeric(col.values, col.valid, first, bad);
  }
  return marked;
}

function markCodes(c: Int32Array, first: Int32Array, bad: Uint8Array): number {
  let marked = 0;
  for (let i = 0; i < first.length; i++) {
    const j = first[i];
    if (j !== i && c[i] !== c[j] && (c[i] >= 0 || c[j] >= 0) && bad[i] === 0) {
      bad[i] = 1;
      marked++;
    }
  }
  return marked;
}

/**
 * Numeric columns: a row differs from its group's first row unless both are missing or both
 * hold the same value (every NaN equal to every NaN; integer arrays never hold one).
 */
function markNumeric(
  v: Float64Array | Float32Array | Int32Array | Uint8Array,
  valid: Uint8Array | null,
  first: Int32Array,
  bad: Uint8Array,
): number {
  let marked = 0;
  for (let i = 0; i < first.length; i++) {
    const j = first[i];
    if (j === i) continue;
    const equal =
      valid !== null && (valid[i] === 0 || valid[j] === 0)
        ? valid[i] === valid[j]
        : v[i] === v[j] || (v[i] !== v[i] && v[j] !== v[j]);
    if (!equal && bad[i] === 0) {
      bad[i] = 1;
      marked++;
    }
  }
  return marked;
}
