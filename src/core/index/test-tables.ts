import type { Column } from '../data/table';
import { Rng } from '../data/rng';

/**
 * Seeded tables for the index tests: every column type, missing values, NaN, -0, and many
 * exact duplicate rows (a row copied from an earlier one with probability `dupRate`).
 */
export function randomTable(rows: number, seed: number, dupRate = 0.4): Column[] {
  const rng = new Rng(seed);
  const f64 = new Float64Array(rows);
  const f64Valid = new Uint8Array(rows);
  const f32 = new Float32Array(rows);
  const i32 = new Int32Array(rows);
  const i32Valid = new Uint8Array(rows);
  const u8 = new Uint8Array(rows);
  const codes = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    if (i > 0 && rng.next() < dupRate) {
      const j = rng.int(i);
      f64[i] = f64[j];
      f64Valid[i] = f64Valid[j];
      f32[i] = f32[j];
      i32[i] = i32[j];
      i32Valid[i] = i32Valid[j];
      u8[i] = u8[j];
      codes[i] = codes[j];
      continue;
    }
    const r = rng.next();
    f64[i] = r < 0.05 ? NaN : r < 0.1 ? -0 : r < 0.15 ? 0 : rng.int(50) / 4;
    f64Valid[i] = rng.next() < 0.1 ? 0 : 1;
    f32[i] = rng.next() < 0.05 ? NaN : rng.int(4) - 1.5;
    i32[i] = rng.int(5) - 2;
    i32Valid[i] = rng.next() < 0.1 ? 0 : 1;
    u8[i] = rng.int(3);
    codes[i] = rng.int(4) - 1; // -1: missing
  }
  return [
    { kind: 'numeric', name: 'f64', type: 'float', values: f64, valid: f64Valid },
    { kind: 'numeric', name: 'f32', type: 'float', values: f32, valid: null },
    { kind: 'numeric', name: 'i32', type: 'int', values: i32, valid: i32Valid },
    { kind: 'numeric', name: 'u8', type: 'bool', values: u8, valid: null },
    { kind: 'categorical', name: 'cat', type: 'categorical', codes, dictionary: ['a', 'b', 'c'] },
  ];
}

/** A row's values as a string key for a brute-force Map: missing "M", NaN "NaN", -0 as 0. */
export function rowKey(columns: readonly Column[], i: number): string {
  const parts: string[] = [];
  for (const c of columns) {
    if (c.kind === 'categorical') parts.push(c.codes[i] < 0 ? 'M' : `c${c.codes[i]}`);
    else if (c.valid !== null && c.valid[i] === 0) parts.push('M');
    else parts.push(Number.isNaN(c.values[i]) ? 'NaN' : String(c.values[i]));
  }
  return JSON.stringify(parts);
}
