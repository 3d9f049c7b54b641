import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readChunks } from './chunks';
import { readTable } from './read';
import { tableStats } from './stats';
import { DISTINCT_LIMIT, StreamStats } from './stream-stats';
import type { DataTable } from './table';

describe('column statistics streamed piece by piece', () => {
  it('values near the float64 limit over two pieces: the mean, where the plain sum overflows', () => {
    const piece = (values: number[]): DataTable => ({
      name: 'big.csv',
      format: 'csv',
      rows: values.length,
      columns: [{ kind: 'numeric', name: 'x', type: 'float', values: Float64Array.from(values), valid: null }],
    });
    const streamed = new StreamStats(3);
    streamed.add(piece([1e308, 1.5e308]));
    streamed.add(piece([1.7e308]));
    const [x] = streamed.result();
    expect(x.mean! / ((1e308 / 4 + 1.5e308 / 4 + 1.7e308 / 4) * (4 / 3))).toBeCloseTo(1, 14);
  });

  it('mark a float column of whole numbers (missing values aside) as whole, in one pass or streamed, as Number.isInteger says', () => {
    const piece = (name: string, values: (number | null)[], type: 'float' | 'int' = 'float'): DataTable => ({
      name: 'w.csv',
      format: 'csv',
      rows: values.length,
      columns: [
        {
          kind: 'numeric',
          name,
          type,
          values: Float64Array.from(values, (v) => v ?? 0.5),
          valid: Uint8Array.from(values, (v) => (v === null ? 0 : 1)),
        },
      ],
    });
    const cases: [(number | null)[], (number | null)[], 'float' | 'int'][] = [
      [[0, 1, null, -0], [1e15, 3], 'float'],
      [[0, 1, null], [2.5], 'float'],
      [[null], [null], 'float'],
      [[1, 2], [3], 'int'], // an int column is whole by its type: no flag
    ];
    for (const [a, b, type] of cases) {
      const want =
        type === 'float' &&
        [...a, ...b].some((v) => v !== null) &&
        [...a, ...b].every((v) => v === null || Number.isInteger(v));
      const streamed = new StreamStats(1);
      streamed.add(piece('v', a, type));
      streamed.add(piece('v', b, type));
      const whole = tableStats(piece('v', [...a, ...b], type))[0];
      expect(whole.whole === true, JSON.stringify([a, b])).toBe(want);
      expect(streamed.result()[0].whole === true, JSON.stringify([a, b])).toBe(want);
    }
  });

  it('match a whole-table pass on flights-3m row group by row group (histograms from a sample, within 2 %)', () => {
    const bytes = new Uint8Array(readFileSync('node_modules/vega-datasets/data/flights-3m.parquet'));
    const whole = tableStats(readTable(bytes, 'flights-3m.parquet'));
    const streamed = new StreamStats(3);
    let pieces = 0;
    for (const piece of readChunks(bytes, 'flights-3m.parquet')) {
      streamed.add(piece);
      pieces++;
    }
    expect(pieces).toBeGreaterThan(1);
    const got = streamed.result();
    expect(got.map((s) => s.name)).toEqual(whole.map((s) => s.name));
    for (const [k, w] of whole.entries()) {
      const s = got[k];
      expect(s.type).toBe(w.type);
      expect([s.nulls, s.nonFinite, s.min, s.max]).toEqual([w.nulls, w.nonFinite, w.min, w.max]);
      if (w.mean === null) expect(s.mean).toBeNull();
      else expect(s.mean!).toBeCloseTo(w.mean, 6);
      if (w.distinct <= DISTINCT_LIMIT) expect([s.distinct, s.distinctAtLeast]).toEqual([w.distinct, undefined]);
      else expect([s.distinct, s.distinctAtLeast]).toEqual([DISTINCT_LIMIT, true]);
      if (w.histogram.kind === 'top') expect(s.histogram).toEqual(w.histogram);
      else if (s.histogram.kind === 'bins') {
        const total = w.histogram.counts.reduce((a, b) => a + b, 0);
        expect(s.histogramSampled).toBe(true);
        expect([s.histogram.min, s.histogram.max]).toEqual([w.histogram.min, w.histogram.max]);
        s.histogram.counts.forEach((c, b) =>
          expect(Math.abs(c - (w.histogram as { counts: number[] }).counts[b])).toBeLessThan(0.02 * total),
        );
      }
    }
  });

  it('counts distinct values exactly up to the limit and says when it stops', () => {
    const n = DISTINCT_LIMIT + 10;
    const piece = (from: number, rows: number): DataTable => ({
      name: 'wide.parquet',
      format: 'parquet',
      rows,
      columns: [
        {
          kind: 'numeric',
          name: 'id',
          type: 'int',
          values: Int32Array.from({ length: rows }, (_, i) => from + i),
          valid: null,
        },
        {
          kind: 'categorical',
          name: 'tag',
          type: 'categorical',
          codes: Int32Array.from({ length: rows }, (_, i) => (i % 4 === 3 ? -1 : i % 2)),
          dictionary: [`a${from % 3}`, 'b'],
        },
      ],
    });
    const s = new StreamStats();
    for (let from = 0; from < n; from += 30_000) s.add(piece(from, Math.min(30_000, n - from)));
    const [id, tag] = s.result();
    expect([id.distinct, id.distinctAtLeast, id.min, id.max, s.rows]).toEqual([DISTINCT_LIMIT, true, 0, n - 1, n]);
    expect(tag.distinctAtLeast).toBeUndefined();
    // Every piece starts at a multiple of 3: one dictionary, so the whole column is piece(0, n)'s.
    const reference = tableStats(piece(0, n))[1];
    expect([tag.nulls, tag.distinct, tag.histogram]).toEqual([
      reference.nulls,
      reference.distinct,
      reference.histogram,
    ]);
  });
});
