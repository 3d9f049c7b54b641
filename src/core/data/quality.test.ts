import { describe, expect, it } from 'vitest';
import { encodeTable } from './encode';
import { dedupRows, leakReport, nearestRows, neighbourIndex } from './quality';
import { Rng } from './rng';
import { DataError, type DataTable } from './table';
import { ConfigError } from '../errors';

/** Rows with many exact repeats, so every method has something to find. */
function withRepeats(rows: number, seed: number): DataTable {
  const rng = new Rng(seed);
  const base = 300;
  const pick = Int32Array.from({ length: rows }, () => rng.int(base));
  const a = Float64Array.from({ length: base }, () => rng.normal());
  const b = Int32Array.from({ length: base }, () => rng.int(5));
  const c = Int32Array.from({ length: base }, () => rng.int(3));
  return {
    name: 'repeats.csv',
    format: 'csv',
    rows,
    columns: [
      { kind: 'numeric', name: 'a', type: 'float', values: Float64Array.from(pick, (p) => a[p]), valid: null },
      { kind: 'numeric', name: 'b', type: 'int', values: Int32Array.from(pick, (p) => b[p]), valid: null },
      {
        kind: 'categorical',
        name: 'c',
        type: 'categorical',
        codes: Int32Array.from(pick, (p) => c[p]),
        dictionary: ['x', 'y', 'z'],
      },
      {
        kind: 'categorical',
        name: 'label',
        type: 'categorical',
        codes: Int32Array.from(pick, (p) => p % 2),
        dictionary: ['no', 'yes'],
      },
    ],
  };
}

const key = (t: DataTable, i: number, cols = t.columns) =>
  JSON.stringify(cols.map((c) => (c.kind === 'categorical' ? c.dictionary[c.codes[i]] : c.values[i])));

describe('dedupRows', () => {
  const t = withRepeats(5000, 1);

  it('exact: keeps first occurrences, like a Set of row strings', () => {
    const seen = new Set<string>();
    const keep: number[] = [];
    const groupSizes = new Map<string, number>();
    for (let i = 0; i < t.rows; i++) {
      const k = key(t, i);
      groupSizes.set(k, (groupSizes.get(k) ?? 0) + 1);
      if (!seen.has(k)) {
        seen.add(k);
        keep.push(i);
      }
    }
    const r = dedupRows(t, 'exact');
    expect(Array.from(r.keep)).toEqual(keep);
    expect(r.report).toMatchObject({
      method: 'exact',
      rows: 5000,
      unique: keep.length,
      dropped: 5000 - keep.length,
      duplicateGroups: [...groupSizes.values()].filter((n) => n > 1).length,
    });
  });

  it('bloom: drops every exact repeat, and wrongly drops about what it expects', () => {
    const exact = dedupRows(t, 'exact');
    const r = dedupRows(t, 'bloom', { fpr: 0.01 });
    const kept = new Set(r.keep);
    // Never keeps a repeat: every kept row is a first occurrence.
    for (const i of r.keep) expect(exact.keep.includes(i)).toBe(true);
    const falseDrops = exact.keep.filter((i) => !kept.has(i)).length;
    expect(falseDrops).toBeLessThanOrEqual(Math.max(5, 4 * r.report.expectedFalseDrops!));
    expect(r.report.fpr).toBe(0.01);
  });

  it('limits the comparison to the given columns', () => {
    const r = dedupRows(t, 'exact', { columns: ['c'] });
    expect(r.report.unique).toBe(3);
  });
});

describe('leakReport', () => {
  it('finds every validation/test row whose features repeat a training row (brute force)', () => {
    const t = withRepeats(3000, 2);
    const features = ['a', 'b', 'c'];
    const enc = encodeTable(t, { label: 'label', features }, { train: 0.7, val: 0.15, test: 0.15, seed: 3 });
    const featureCols = t.columns.slice(0, 3);
    const trainKeys = new Set(Array.from(enc.split.train, (r) => key(t, enc.sourceRows[r], featureCols)));
    const expected = [...enc.split.val, ...enc.split.test].filter((r) =>
      trainKeys.has(key(t, enc.sourceRows[r], featureCols)),
    ).length;
    const report = leakReport(t, enc, features);
    expect(report.exact).toBe(expected);
    expect(report.checked).toBe(enc.split.val.length + enc.split.test.length);
    for (const e of report.examples.filter((x) => x.distance === 0))
      expect(key(t, e.row, featureCols)).toBe(key(t, e.trainRow, featureCols));
  });

  it('counts near repeats within the radius, by brute force over the normalised features', () => {
    const rng = new Rng(5);
    const rows = 800;
    const base = Float64Array.from({ length: rows }, () => rng.normal());
    // Every 10th row is a tiny perturbation of the row before it.
    const values = Float64Array.from(base, (v, i) => (i % 10 === 9 ? base[i - 1] + 1e-3 : v));
    const t: DataTable = {
      name: 'near.csv',
      format: 'csv',
      rows,
      columns: [
        { kind: 'numeric', name: 'v', type: 'float', values, valid: null },
        {
          kind: 'categorical',
          name: 'label',
          type: 'categorical',
          codes: Int32Array.from({ length: rows }, (_, i) => i % 2),
          dictionary: ['a', 'b'],
        },
      ],
    };
    const enc = encodeTable(t, { label: 'label', features: ['v'] }, { train: 0.5, val: 0.25, test: 0.25, seed: 1 });
    const radius = 0.01;
    const report = leakReport(t, enc, ['v'], { radius });
    const trainX = Array.from(enc.split.train, (r) => enc.x[r]);
    let near = 0;
    for (const r of [...enc.split.val, ...enc.split.test]) {
      const d = Math.min(...trainX.map((x) => Math.abs(x - enc.x[r])));
      if (d === 0) continue;
      if (d <= radius) near++;
    }
    expect(near).toBeGreaterThan(0);
    expect(report.near).toBe(near);
  });
});

describe('nearestRows', () => {
  it('matches a brute-force scan and excludes the row itself', () => {
    const t = withRepeats(1200, 4);
    const enc = encodeTable(t, { label: 'label', features: ['a', 'b', 'c'] }, { train: 1, val: 0, test: 0, seed: 1 });
    const tree = neighbourIndex(enc);
    for (const row of [0, 17, 600, 1199]) {
      const got = nearestRows(enc, tree, row, 5);
      const r = Array.from(enc.sourceRows).indexOf(row);
      const d = enc.denseDim;
      const all = Array.from({ length: enc.rows }, (_, o) => o)
        .filter((o) => o !== r)
        .map((o) => ({
          o,
          dist: Math.hypot(...Array.from(enc.x.subarray(o * d, (o + 1) * d), (v, j) => v - enc.x[r * d + j])),
        }))
        .sort((p, q) => p.dist - q.dist || p.o - q.o);
      expect(got.map((g) => g.distance)).toEqual(all.slice(0, 5).map((p) => expect.closeTo(p.dist, 5)));
      expect(got.every((g) => g.row !== row)).toBe(true);
    }
    expect(() => nearestRows(enc, tree, 5000, 3)).toThrow(/row 5000 is not in the encoded data/);
    expect(() => nearestRows(enc, tree, 5000, 3)).toThrow(DataError);
    expect(() => nearestRows(enc, tree, enc.sourceRows[0], 0)).toThrow(
      new ConfigError('k', 'k must be a whole number of at least 1 (got 0)'),
    );
  });
  it('leaves hashed text out of the distance, and refuses when it is the only feature, naming it', () => {
    const t = withRepeats(1200, 5);
    // One distinct name per row: far too many to one-hot, so training hashes it.
    const names: DataTable['columns'][number] = {
      kind: 'categorical',
      name: 'name',
      type: 'categorical',
      codes: Int32Array.from({ length: t.rows }, (_, i) => i),
      dictionary: Array.from({ length: t.rows }, (_, i) => `car ${i}`),
    };
    const table: DataTable = { ...t, columns: [...t.columns, names] };
    const split = { train: 1, val: 0, test: 0, seed: 1 };
    const only = encodeTable(table, { label: 'label', features: ['name'] }, split);
    expect(only.denseDim).toBe(0);
    expect(() => neighbourIndex(only)).toThrow(DataError);
    expect(() => neighbourIndex(only)).toThrow(/^no feature has a distance: "name" is text with too many distinct/);
    // Beside a number, the distance is that number's alone: |a_i - a_j| / std(a), in float64.
    const enc = encodeTable(table, { label: 'label', features: ['a', 'name'] }, split);
    const a = (t.columns[0] as { values: Float64Array }).values;
    const mean = a.reduce((p, v) => p + v, 0) / a.length;
    const std = Math.sqrt(a.reduce((p, v) => p + (v - mean) ** 2, 0) / a.length);
    const tree = neighbourIndex(enc);
    for (const row of [3, 500, 1100]) {
      const got = nearestRows(enc, tree, row, 4);
      const want = Array.from(a, (v, o) => ({ o, dist: Math.abs(v - a[row]) / std }))
        .filter((p) => p.o !== row)
        .sort((p, q) => p.dist - q.dist)
        .slice(0, 4);
      expect(got.map((g) => g.distance)).toEqual(want.map((p) => expect.closeTo(p.dist, 4)));
    }
  });
});
