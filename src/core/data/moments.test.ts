/**
 * The standardising moments against exact arithmetic: values that are an offset plus multiples of
 * a quarter are exact in float64, so BigInt sums in quarter units give the exact mean and variance.
 * Also the cases the sum-of-squares formula got wrong (large offsets, magnitudes near the float64
 * limit, constant columns, tiny spreads), and the refusals where standardised values would not fit
 * float32.
 */
import { describe, expect, it } from 'vitest';
import { encodeTable } from './encode';
import { beyondFloat32, checkStandardised, meanStd } from './moments';
import { Rng } from './rng';
import { StreamEncoder } from './stream-encoder';
import { DataError, type DataTable } from './table';

/** Exact mean and population deviation of offset + q/4 for the integer quarters q (BigInt sums). */
function exact(offset: number, quarters: number[]): { mean: number; std: number } {
  const n = BigInt(quarters.length);
  const sum = quarters.reduce((a, q) => a + BigInt(q), 0n);
  const sq = quarters.reduce((a, q) => a + BigInt(q) * BigInt(q), 0n);
  // Variance in quarter units squared: (n sq - sum^2) / n^2, exact as a fraction.
  const num = n * sq - sum * sum;
  const variance = Number(num) / Number(n * n) / 16;
  return { mean: offset + Number(sum) / Number(n) / 4, std: Math.sqrt(variance) };
}

const column = (values: number[], valid: number[] | null = null) => ({
  values: Float64Array.from(values),
  valid: valid ? Uint8Array.from(valid) : null,
});

describe('meanStd', () => {
  for (const offset of [0, 1e6, 1e8, 1e9, 1.7e12, -3e13])
    it(`offset ${offset}: the exact mean and deviation (seeded quarters)`, () => {
      const rng = new Rng(offset === 0 ? 1 : Math.abs(offset) % 1000);
      const quarters = Array.from({ length: 5000 }, () => rng.int(40) - 20);
      const want = exact(offset, quarters);
      const got = meanStd([column(quarters.map((q) => offset + q / 4))], null);
      expect(Math.abs(got.mean - want.mean)).toBeLessThanOrEqual(Math.abs(want.mean) * 1e-15 + 1e-12);
      expect(Math.abs(got.std - want.std) / want.std).toBeLessThan(1e-9);
    });

  it('magnitudes near the float64 limit: finite and right (the squares overflowed)', () => {
    const got = meanStd([column([1e300, 2e300, 3e300])], null);
    expect(got.mean / 2e300).toBeCloseTo(1, 14);
    expect(got.std / (Math.sqrt(2 / 3) * 1e300)).toBeCloseTo(1, 14);
    const constant = meanStd([column(new Array<number>(200).fill(1e308))], null);
    expect(constant).toEqual({ mean: 1e308, std: 1 });
    // Beyond float64's range of differences: Infinity, which encodeTable refuses (below).
    expect(meanStd([column([-1.7e308, 1.7e308])], null).std).toBe(Infinity);
  });

  it('a constant column has deviation 1 and its value as mean, however many rows; a tiny spread is kept', () => {
    expect(meanStd([column(new Array<number>(100_000).fill(0.1))], null)).toEqual({ mean: 0.1, std: 1 });
    expect(meanStd([column(new Array<number>(1000).fill(1e9 + 0.1))], null)).toEqual({ mean: 1e9 + 0.1, std: 1 });
    const tiny = meanStd([column([1e-20, 2e-20, 1e-20, 2e-20])], null);
    expect(tiny.std / 5e-21).toBeCloseTo(1, 12);
    expect(meanStd([column([])], null)).toEqual({ mean: 0, std: 1 });
  });

  it('skips missing values, reads only the rows given, and pools columns', () => {
    const a = column([1, 100, 3, 5], [1, 0, 1, 1]);
    const b = column([7, 9, -50, 11]);
    const rows = Int32Array.from([0, 1, 3]);
    // Present values at rows 0, 1, 3: a -> 1, 5; b -> 7, 9, 11.
    const want = exact(0, [4, 20, 28, 36, 44]);
    const got = meanStd([a, b], rows);
    expect(got.mean).toBeCloseTo(want.mean, 12);
    expect(got.std).toBeCloseTo(want.std, 12);
  });
});

function numericTable(name: string, cols: Record<string, number[]>): DataTable {
  const entries = Object.entries(cols);
  return {
    name,
    format: 'csv',
    rows: entries[0][1].length,
    columns: entries.map(([n, values]) => ({
      kind: 'numeric' as const,
      name: n,
      type: 'float' as const,
      values: Float64Array.from(values),
      valid: null,
    })),
  };
}

const SPLIT = { train: 0.8, val: 0.1, test: 0.1, seed: 3 };

describe('encodeTable standardises any finite column', () => {
  it('a column near 1e9 that varies by tenths: mean 0, deviation 1 over the train rows', () => {
    const rng = new Rng(5);
    const rows = 2000;
    const t = numericTable('stamps.csv', {
      stamp: Array.from({ length: rows }, () => 1e9 + rng.int(10) / 10),
      y: Array.from({ length: rows }, () => rng.normal()),
    });
    const enc = encodeTable(t, { label: 'y', features: ['stamp'] }, SPLIT);
    const train = Array.from(enc.split.train, (r) => enc.x[r]);
    const mean = train.reduce((a, v) => a + v, 0) / train.length;
    const std = Math.sqrt(train.reduce((a, v) => a + (v - mean) ** 2, 0) / train.length);
    expect(Math.abs(mean)).toBeLessThan(1e-5);
    expect(std).toBeCloseTo(1, 4);
  });

  it('refuses a column spanning beyond float64, naming it', () => {
    const t = numericTable('wide.csv', { w: [-1.7e308, 1.7e308, 0, 1], y: [0, 1, 2, 3] });
    expect(() => encodeTable(t, { label: 'y', features: ['w'] }, SPLIT)).toThrow(
      /^wide\.csv: column "w" spans -1\.7e\+308 to 1\.7e\+308, a range beyond float64/,
    );
  });

  it('refuses a value that standardises beyond float32, naming the column and the row', () => {
    expect(() =>
      checkStandardised('f.csv', Float32Array.from([0, 1, 2, Infinity]), 2, ['a', 'b'], (r) => r + 10),
    ).toThrow(beyondFloat32('f.csv', 'b', 11).message);
    expect(() =>
      checkStandardised('f.csv', Float32Array.from([0, 1, -2, 3e38]), 2, ['a', 'b'], (r) => r),
    ).not.toThrow();
    // Streaming: the first chunk sets the scale (0 to 1); a later row of 1e40 cannot be standardised.
    const first = numericTable('s.csv', { x: [0, 1, 0, 1, 0.5, 0.25], y: [1, 2, 3, 4, 5, 6] });
    const enc = new StreamEncoder(first, { label: 'y', features: ['x'] }, SPLIT);
    enc.encode(first);
    const later = numericTable('s.csv', { x: [0.5, 1e40], y: [1, 2] });
    let error: unknown = null;
    try {
      enc.encode(later);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toBe(beyondFloat32('s.csv', 'x', 7).message);
  });
});
