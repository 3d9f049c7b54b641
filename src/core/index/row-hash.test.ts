import { describe, expect, it } from 'vitest';
import type { Column } from '../data/table';
import { IndexError } from './errors';
import { forEachHashTile, hashRows, useSimdRowHashes } from './row-hash';
import { simdAvailable } from './simd/scanner';
import { Rng } from '../data/rng';
import { randomTable, rowKey } from './test-tables';

const num = (
  values: Float64Array | Float32Array | Int32Array | Uint8Array,
  valid: Uint8Array | null = null,
): Column => ({ kind: 'numeric', name: 'x', type: 'float', values, valid });

/** Columns of random bit patterns (NaN payloads, -0, infinities, denormals), every type, masks on all. */
function bitPatternTable(rows: number, seed: number): Column[] {
  const rng = new Rng(seed);
  const words = (n: number) =>
    Uint32Array.from({ length: n }, () =>
      rng.next() < 0.1 ? [0, 0x80000000, 0x7fc00000, 0xffc00001, 0x7f800000][rng.int(5)] : rng.int(2 ** 32),
    );
  const mask = () => Uint8Array.from({ length: rows }, () => (rng.next() < 0.15 ? 0 : 1));
  const f64 = new Float64Array(words(2 * rows).buffer);
  for (let i = 0; i < rows; i += 7) f64[i] = [0, -0, NaN, Infinity, -Infinity, 5e-324][i % 6];
  return [
    { kind: 'numeric', name: 'f64', type: 'float', values: f64, valid: mask() },
    { kind: 'numeric', name: 'f64b', type: 'float', values: f64.slice().reverse(), valid: null },
    { kind: 'numeric', name: 'f32', type: 'float', values: new Float32Array(words(rows).buffer), valid: mask() },
    { kind: 'numeric', name: 'i32', type: 'int', values: new Int32Array(words(rows).buffer), valid: mask() },
    {
      kind: 'numeric',
      name: 'u8',
      type: 'bool',
      values: Uint8Array.from({ length: rows }, () => rng.int(256)),
      valid: mask(),
    },
    {
      kind: 'categorical',
      name: 'cat',
      type: 'categorical',
      codes: Int32Array.from({ length: rows }, () => rng.int(10) - 3),
      dictionary: [],
    },
  ];
}

describe('hashRows: the WebAssembly SIMD path equals the scalar loops bit for bit', () => {
  it('is available here (Node 20), so the other tests run it', () => {
    expect(simdAvailable()).toBe(true);
  });

  for (const rows of [0, 1, 3, 4097, 10_001]) {
    it(`${rows} rows of every column type and bit pattern, tiles and seeds`, () => {
      const cols = bitPatternTable(rows, rows + 5);
      for (const seed of [0, 12345]) {
        for (const subset of [cols, cols.slice(2, 3), cols.slice(5), [cols[1], cols[3]]]) {
          const tiles = () => {
            const out: number[] = [];
            forEachHashTile(
              subset,
              rows,
              (lo, hi, start, end) => {
                for (let i = 0; i < end - start; i++) out.push(lo[i], hi[i]);
              },
              seed,
            );
            return out;
          };
          useSimdRowHashes(false);
          const scalar = hashRows(subset, rows, seed);
          const scalarTiles = tiles();
          useSimdRowHashes(true);
          const simd = hashRows(subset, rows, seed);
          const simdTiles = tiles();
          expect(Array.from(simd.lo)).toEqual(Array.from(scalar.lo));
          expect(Array.from(simd.hi)).toEqual(Array.from(scalar.hi));
          expect(simdTiles).toEqual(scalarTiles);
          expect(scalarTiles.filter((_, i) => i % 2 === 0)).toEqual(Array.from(scalar.lo));
        }
      }
    });
  }
});

describe('hashRows', () => {
  it('equal rows hash equal and distinct rows differ (brute-force keys)', () => {
    const cols = randomTable(20_000, 3);
    const { lo, hi } = hashRows(cols, 20_000);
    const byKey = new Map<string, number>();
    const byHash = new Map<string, string>();
    for (let i = 0; i < 20_000; i++) {
      const key = rowKey(cols, i);
      const h = `${lo[i]}:${hi[i]}`;
      const j = byKey.get(key);
      if (j === undefined) byKey.set(key, i);
      else expect([lo[i], hi[i]]).toEqual([lo[j], hi[j]]);
      const k = byHash.get(h);
      if (k === undefined) byHash.set(h, key);
      else expect(k).toBe(key);
    }
    expect(byKey.size).toBe(byHash.size);
    expect(byKey.size).toBeGreaterThan(500);
  });

  it("a row's hash does not depend on its position or the rows around it (one-row tables, across tiles)", () => {
    const n = 9_000;
    const cols = randomTable(n, 4);
    const all = hashRows(cols, n);
    const oneRow = (c: Column, i: number): Column =>
      c.kind === 'categorical'
        ? { ...c, codes: c.codes.slice(i, i + 1) }
        : {
            ...c,
            values: c.values.slice(i, i + 1) as typeof c.values,
            valid: c.valid ? c.valid.slice(i, i + 1) : null,
          };
    for (const i of [0, 1, 1023, 1024, 4095, 4096, 4097, 8191, 8192, n - 1]) {
      const alone = hashRows(
        cols.map((c) => oneRow(c, i)),
        1,
      );
      expect([alone.lo[0], alone.hi[0]]).toEqual([all.lo[i], all.hi[i]]);
    }
  });

  it('normalises -0 to 0 and every NaN to one NaN, in float64 and float32', () => {
    const f64 = new Float64Array(4);
    const w64 = new Uint32Array(f64.buffer);
    f64[0] = 0;
    f64[1] = -0;
    w64[4] = 1; // a NaN with another payload
    w64[5] = 0xfff00000;
    f64[3] = NaN;
    expect(Number.isNaN(f64[2])).toBe(true);
    const a = hashRows([num(f64)], 4);
    expect(a.lo[0]).toBe(a.lo[1]);
    expect(a.hi[0]).toBe(a.hi[1]);
    expect(a.lo[2]).toBe(a.lo[3]);
    expect(a.hi[2]).toBe(a.hi[3]);
    expect(a.lo[0]).not.toBe(a.lo[2]);
    const f32 = new Float32Array(4);
    const w32 = new Uint32Array(f32.buffer);
    f32[1] = -0;
    w32[2] = 0xffc00001;
    f32[3] = NaN;
    const b = hashRows([num(f32)], 4);
    expect([b.lo[0], b.hi[0]]).toEqual([b.lo[1], b.hi[1]]);
    expect([b.lo[2], b.hi[2]]).toEqual([b.lo[3], b.hi[3]]);
  });

  it('hashes a missing value apart from 0, NaN and every other value, and an all-valid mask like no mask', () => {
    for (const values of [
      new Float64Array([0, NaN, 0, 5]),
      new Float32Array([0, NaN, 0, 5]),
      new Int32Array([0, -1, 0, 5]),
      new Uint8Array([0, 255, 0, 5]),
    ]) {
      const masked = hashRows([num(values, Uint8Array.from([1, 1, 0, 1]))], 4);
      const seen = new Set(Array.from(masked.lo, (l, i) => `${l}:${masked.hi[i]}`));
      expect(seen.size).toBe(4);
      const plain = hashRows([num(values)], 4);
      const allValid = hashRows([num(values, new Uint8Array(4).fill(1))], 4);
      expect(Array.from(allValid.lo)).toEqual(Array.from(plain.lo));
      expect(Array.from(allValid.hi)).toEqual(Array.from(plain.hi));
    }
    const codes: Column = {
      kind: 'categorical',
      name: 'c',
      type: 'categorical',
      codes: Int32Array.from([0, -1, -7, 1]),
      dictionary: ['a', 'b'],
    };
    const c = hashRows([codes], 4);
    expect(c.lo[1]).toBe(c.lo[2]);
    expect(new Set(c.lo).size).toBe(3);
  });

  it('depends on column order and on the seed', () => {
    const a = num(Int32Array.from([1, 2]));
    const b = num(Int32Array.from([2, 1]));
    const ab = hashRows([a, b], 2);
    expect(ab.lo[0]).not.toBe(ab.lo[1]);
    const s = hashRows([a], 2, 99);
    expect(s.lo[0]).not.toBe(hashRows([a], 2).lo[0]);
  });

  it('has no 53-bit collisions on a million sequential ints, balanced bits, and ~2^-32 lane collisions', () => {
    const n = 1_000_000;
    const ints = new Int32Array(n);
    for (let i = 0; i < n; i++) ints[i] = i;
    const { lo, hi } = hashRows([num(ints)], n);
    const wide = new Float64Array(n);
    for (let i = 0; i < n; i++) wide[i] = lo[i] * 2 ** 21 + (hi[i] >>> 11);
    wide.sort();
    let wideCollisions = 0;
    for (let i = 1; i < n; i++) if (wide[i] === wide[i - 1]) wideCollisions++;
    expect(wideCollisions).toBe(0);
    // Each lane alone: about n^2 / 2^33 = 116 colliding pairs expected.
    for (const lane of [lo, hi]) {
      const s = lane.slice().sort();
      let c = 0;
      for (let i = 1; i < n; i++) if (s[i] === s[i - 1]) c++;
      expect(c).toBeGreaterThan(50);
      expect(c).toBeLessThan(230);
    }
    for (const lane of [lo, hi]) {
      for (let bit = 0; bit < 32; bit++) {
        let set = 0;
        for (let i = 0; i < n; i++) set += (lane[i] >>> bit) & 1;
        expect(Math.abs(set / n - 0.5)).toBeLessThan(0.005);
      }
    }
  });

  it('flipping one input bit changes about half of the 64 output bits', () => {
    const m = 2000;
    const base = new Int32Array(m);
    for (let i = 0; i < m; i++) base[i] = Math.imul(i, 2654435761);
    const h0 = hashRows([num(base)], m);
    let changed = 0;
    for (let bit = 0; bit < 32; bit++) {
      const flipped = base.map((v) => v ^ (1 << bit));
      const h1 = hashRows([num(flipped)], m);
      for (let i = 0; i < m; i++) changed += popcount(h0.lo[i] ^ h1.lo[i]) + popcount(h0.hi[i] ^ h1.hi[i]);
    }
    expect(Math.abs(changed / (32 * m) - 32)).toBeLessThan(0.5);
  });

  it('refuses a negative row count and columns shorter than it', () => {
    expect(() => hashRows([], -1)).toThrow(IndexError);
    expect(() => hashRows([num(new Int32Array(3))], 4)).toThrow('has 3 rows, fewer than the 4 to hash');
    expect(hashRows([], 0).lo.length).toBe(0);
  });
});

function popcount(x: number): number {
  let c = 0;
  for (let v = x >>> 0; v !== 0; v >>>= 1) c += v & 1;
  return c;
}
