import { describe, expect, it } from 'vitest';
import type { Column } from '../data/table';
import { HashIndex } from './hash-index';
import { rowsEqual } from './row-equal';
import { hashRows, type RowHashes } from './row-hash';
import { randomTable, rowKey } from './test-tables';

/** Groups by a Map keyed by each row's values: first row of each key, rows per key, in first-row order. */
function bruteGroups(cols: readonly Column[], rows: number): number[][] {
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < rows; i++) {
    const k = rowKey(cols, i);
    const g = byKey.get(k);
    if (g) g.push(i);
    else byKey.set(k, [i]);
  }
  return [...byKey.values()];
}

function expectGroups(index: HashIndex, want: number[][]): void {
  expect(index.groups).toBe(want.length);
  const got = Array.from({ length: index.groups }, (_, g) => Array.from(index.rowsOf(g)));
  expect(got).toEqual(want);
  expect(Array.from(index.counts())).toEqual(want.map((g) => g.length));
  for (let g = 0; g < want.length; g++) {
    expect(index.firstOf(g)).toBe(want[g][0]);
    for (const r of want[g]) expect(index.rowGroup[r]).toBe(g);
  }
  const firsts = new Set(want.map((g) => g[0]));
  expect(Array.from(index.firstOccurrence())).toEqual(
    Array.from({ length: index.rows }, (_, i) => (firsts.has(i) ? 1 : 0)),
  );
  expect(Array.from(index.duplicates())).toEqual(
    Array.from({ length: index.rows }, (_, i) => i).filter((i) => !firsts.has(i)),
  );
}

describe('HashIndex', () => {
  for (const [rows, dupRate, seed] of [
    [5000, 0.4, 1],
    [30_000, 0.9, 2],
    [2000, 0, 3],
    [1, 0, 4],
  ] as const) {
    it(`groups equal a brute-force Map of row values (${rows} rows, ${dupRate * 100} % copies)`, () => {
      const cols = randomTable(rows, seed, dupRate);
      const index = HashIndex.build(hashRows(cols, rows), cols);
      expectGroups(index, bruteGroups(cols, rows));
    });
  }

  it('never merges distinct rows on a forced 64-bit collision (columns or an equality function)', () => {
    const rows = 3000;
    const cols = randomTable(rows, 5, 0.5);
    const want = bruteGroups(cols, rows);
    // Every row gets the same hash, or one of two.
    const same: RowHashes = { lo: new Uint32Array(rows).fill(12345), hi: new Uint32Array(rows).fill(678) };
    expectGroups(HashIndex.build(same, cols), want);
    expectGroups(HashIndex.build(same, rowsEqual(cols)), want);
    // Two hashes, still equal for equal rows (one bit of the real hash).
    const real = hashRows(cols, rows);
    const two: RowHashes = { lo: real.lo.map((l) => (l & 1) * 7), hi: new Uint32Array(rows) };
    expectGroups(HashIndex.build(two, cols), want);
  });

  it('looks up keys: rows with a key, exact under collisions with a match check, empty when absent', () => {
    const rows = 4000;
    const cols = randomTable(rows, 6, 0.6);
    const keyCols = [cols[2], cols[4]];
    const h = hashRows(keyCols, rows);
    const index = HashIndex.build(h, keyCols);
    const want = bruteGroups(keyCols, rows);
    expectGroups(index, want);
    for (const group of want) {
      const r = group[0];
      expect(Array.from(index.lookup(h.lo[r], h.hi[r]))).toEqual(group);
    }
    expect(index.lookup(1, 2).length).toBe(0);
    // All keys colliding: the match callback picks the right group.
    const same: RowHashes = { lo: new Uint32Array(rows).fill(9), hi: new Uint32Array(rows).fill(9) };
    const colliding = HashIndex.build(same, keyCols);
    const eq = rowsEqual(keyCols);
    for (const group of want) {
      const r = group[group.length - 1];
      expect(Array.from(colliding.lookup(9, 9, (row) => eq(row, r)))).toEqual(group);
    }
    expect(colliding.find(9, 9, () => false)).toBe(-1);
  });

  it('round-trips through from() without copying, and from a copied buffer', () => {
    const cols = randomTable(3000, 7, 0.5);
    const h = hashRows(cols, 3000);
    const index = HashIndex.build(h, cols);
    expect(HashIndex.from(index.data).rowGroup.buffer).toBe(index.data);
    const copy = HashIndex.from(index.data.slice(0));
    expectGroups(copy, bruteGroups(cols, 3000));
    for (let i = 0; i < 3000; i += 97) expect(copy.find(h.lo[i], h.hi[i])).toBe(index.rowGroup[i]);
  });

  it('handles zero rows and refuses mismatched lanes or foreign buffers', () => {
    const empty = HashIndex.build({ lo: new Uint32Array(0), hi: new Uint32Array(0) }, []);
    expect(empty.groups).toBe(0);
    expect(empty.lookup(1, 1).length).toBe(0);
    expect(() => HashIndex.build({ lo: new Uint32Array(2), hi: new Uint32Array(3) }, [])).toThrow('lanes differ');
    expect(() => HashIndex.from(new ArrayBuffer(64))).toThrow('not a HashIndex buffer');
    const cols = randomTable(100, 8);
    const index = HashIndex.build(hashRows(cols, 100), cols);
    expect(() => HashIndex.from(index.data.slice(0, 100))).toThrow('truncated');
  });
});
