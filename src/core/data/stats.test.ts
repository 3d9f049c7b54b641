import { describe, expect, it } from 'vitest';
import { Rng } from './rng';
import { columnStats, countDistinct, HISTOGRAM_BINS } from './stats';
import type { NumericColumn } from './table';

/** What a JS Set of the present values counts (SameValueZero: -0 is 0, NaN is one value). */
function setCount(values: ArrayLike<number>, valid: Uint8Array | null): number {
  const s = new Set<number>();
  for (let i = 0; i < values.length; i++) if (valid === null || valid[i] !== 0) s.add(values[i]);
  return s.size;
}

function range(values: ArrayLike<number>, valid: Uint8Array | null): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    if (valid !== null && valid[i] === 0) continue;
    if (Number.isFinite(values[i])) {
      min = Math.min(min, values[i]);
      max = Math.max(max, values[i]);
    }
  }
  return min <= max ? [min, max] : [0, 0];
}

describe('countDistinct', () => {
  const rng = new Rng(9);
  const cases: [string, Float64Array | Float32Array | Int32Array | Uint8Array][] = [
    ['int32, small range (bitmap)', Int32Array.from({ length: 50_000 }, () => rng.int(3000) - 1500)],
    ['int32, wide range (hash)', Int32Array.from({ length: 50_000 }, () => (rng.int(2 ** 31) - 2 ** 30) * 2)],
    ['int32, one value', new Int32Array(1000).fill(-7)],
    ['uint8', Uint8Array.from({ length: 5000 }, () => rng.int(200))],
    [
      'float64 with -0, 0, NaNs, infinities and repeats',
      Float64Array.from(
        { length: 40_000 },
        (_, i) =>
          [0, -0, NaN, -NaN, Infinity, -Infinity, 1e-300, Math.round(rng.next() * 5000) / 7][i % 8 === 7 ? 7 : i % 8],
      ),
    ],
    ['float64 timestamps', Float64Array.from({ length: 60_000 }, () => 1.2e12 + rng.int(20_000) * 60_000)],
    ['float32', Float32Array.from({ length: 30_000 }, () => Math.fround(rng.normal()))],
    ['empty', new Float64Array(0)],
  ];
  for (const [name, values] of cases) {
    it(`${name}: equals a Set's count, with and without a validity mask`, () => {
      const valid = Uint8Array.from({ length: values.length }, () => (rng.next() < 0.8 ? 1 : 0));
      for (const mask of [null, valid]) {
        const [min, max] = range(values, mask);
        expect(countDistinct(values, mask, min, max)).toBe(setCount(values, mask));
      }
    });
  }
});

describe('columnStats', () => {
  it('values near the float64 limit: the mean (the plain sum overflowed) and every value in a bin', () => {
    const col = (values: number[]): NumericColumn => ({
      kind: 'numeric',
      name: 'x',
      type: 'float',
      values: Float64Array.from(values),
      valid: null,
    });
    const big = columnStats(col([1e308, 1.5e308, 1.7e308]));
    // Exact: the sum of the quarters of the values, times 4, over 3.
    expect(big.mean! / ((1e308 / 4 + 1.5e308 / 4 + 1.7e308 / 4) * (4 / 3))).toBeCloseTo(1, 14);
    const wide = columnStats(col([-1.7e308, 1.7e308, 0, 5]));
    expect(wide.mean).toBe(1.25);
    const counts = (wide.histogram as { counts: number[] }).counts;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect([counts[0], counts[HISTOGRAM_BINS - 1]]).toEqual([1, 1]);
  });

  it(
    'numeric: nulls, non-finite, min, max, mean against float64 sums, distinct, and a histogram of every ' +
      'finite value',
    () => {
      const rng = new Rng(4);
      const values = Float64Array.from({ length: 10_001 }, (_, i) =>
        i % 97 === 0 ? NaN : i % 89 === 0 ? -Infinity : rng.normal() * 3,
      );
      const valid = Uint8Array.from({ length: values.length }, (_, i) => (i % 13 === 0 ? 0 : 1));
      const col: NumericColumn = { kind: 'numeric', name: 'x', type: 'float', values, valid };
      const s = columnStats(col);
      const present = Array.from(values).filter((_, i) => valid[i] === 1);
      const finite = present.filter(Number.isFinite);
      expect(s.nulls).toBe(values.length - present.length);
      expect(s.nonFinite).toBe(present.length - finite.length);
      expect(s.min).toBe(Math.min(...finite));
      expect(s.max).toBe(Math.max(...finite));
      expect(s.mean).toBeCloseTo(finite.reduce((a, b) => a + b, 0) / finite.length, 12);
      expect(s.distinct).toBe(new Set(present).size);
      expect(s.histogram.kind).toBe('bins');
      if (s.histogram.kind === 'bins') {
        expect(s.histogram.counts).toHaveLength(HISTOGRAM_BINS);
        expect(s.histogram.counts.reduce((a, b) => a + b, 0)).toBe(finite.length);
      }
    },
  );
});
