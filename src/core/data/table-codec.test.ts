import { describe, expect, it } from 'vitest';
import { concatTables } from './concat';
import { checkFitsInMemory } from './limits';
import { columnStats, HISTOGRAM_BINS } from './stats';
import { deserializeTable, serializeTable, tableBuffers } from './table-codec';
import type { DataTable } from './table';
import { Rng } from './rng';

function sample(seed: number, rows: number, name = 't'): DataTable {
  const rng = new Rng(seed);
  const words = ['a', 'b', 'c', 'd'].slice(seed % 2);
  return {
    name,
    format: 'csv',
    rows,
    columns: [
      {
        kind: 'numeric',
        name: 'f',
        type: 'float',
        values: Float64Array.from({ length: rows }, () => rng.normal()),
        valid: Uint8Array.from({ length: rows }, () => (rng.next() < 0.9 ? 1 : 0)),
      },
      {
        kind: 'numeric',
        name: 'i',
        type: 'int',
        values: Int32Array.from({ length: rows }, () => rng.int(100)),
        valid: null,
      },
      {
        kind: 'numeric',
        name: 'g',
        type: 'float',
        values: Float32Array.from({ length: rows }, () => rng.next()),
        valid: null,
      },
      {
        kind: 'numeric',
        name: 'b',
        type: 'bool',
        values: Uint8Array.from({ length: rows }, () => rng.int(2)),
        valid: null,
      },
      {
        kind: 'categorical',
        name: 's',
        type: 'categorical',
        codes: Int32Array.from({ length: rows }, () => rng.int(words.length + 1) - 1),
        dictionary: words,
      },
    ],
  };
}

const rowsOf = (t: DataTable) =>
  Array.from({ length: t.rows }, (_, r) =>
    t.columns.map((c) =>
      c.kind === 'categorical'
        ? c.codes[r] < 0
          ? null
          : c.dictionary[c.codes[r]]
        : c.valid && !c.valid[r]
          ? null
          : c.values[r],
    ),
  );

describe('table codec', () => {
  it('round-trips every column kind and array type', () => {
    const t = sample(1, 1001);
    const back = deserializeTable(serializeTable(t).slice().buffer);
    expect(back.columns.map((c) => c.kind === 'numeric' && c.values.constructor.name)).toEqual(
      t.columns.map((c) => c.kind === 'numeric' && c.values.constructor.name),
    );
    expect(rowsOf(back)).toEqual(rowsOf(t));
    expect(back.name).toBe('t');
  });

  it('keeps the columns a reader skipped, and concatenation lists each once', () => {
    const skipped = [
      { name: 'tags', type: 'list<utf8>', reason: 'a list column' },
      { name: 'id', type: 'FIXED_LEN_BYTE_ARRAY(16)', reason: 'binary' },
    ];
    const t = { ...sample(3, 20), skipped };
    expect(deserializeTable(serializeTable(t).slice().buffer).skipped).toEqual(skipped);
    expect(deserializeTable(serializeTable(sample(3, 20)).slice().buffer).skipped).toBeUndefined();
    const both = concatTables([t, { ...sample(4, 10, 'u'), skipped: [skipped[0]] }], 'both');
    expect(both.skipped).toEqual(skipped);
  });

  it("keeps an HDF5 table's group and image shapes (the decode cache serves them), and drops malformed ones", () => {
    const t = {
      ...sample(3, 20),
      hdf5: { group: '/train', groups: ['/test', '/train'] },
      images: [{ name: 'img', shape: [6, 4, 1] as const }],
    };
    const back = deserializeTable(serializeTable(t).slice().buffer);
    expect(back.hdf5).toEqual(t.hdf5);
    expect(back.images).toEqual(t.images);
    const bad = {
      ...sample(3, 20),
      images: [{ name: 'img', shape: [6, -4, 1] as unknown as readonly [number, number, number] }],
    };
    expect(deserializeTable(serializeTable(bad).slice().buffer).images).toBeUndefined();
  });

  it('refuses bytes that are not a serialised table', () => {
    expect(() => deserializeTable(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer)).toThrow(/not a serialised table/);
    const bytes = serializeTable(sample(2, 50));
    expect(() => deserializeTable(bytes.slice(0, bytes.length - 40).buffer)).toThrow(/runs past the end/);
  });

  it('lists each buffer once for transfer', () => {
    expect(tableBuffers(sample(3, 10))).toHaveLength(6);
  });
});

describe('concatTables', () => {
  it('appends rows and merges dictionaries', () => {
    const a = sample(1, 30, 'a.csv');
    const b = sample(2, 20, 'b.csv');
    const c = concatTables([a, b], 'a.csv + b.csv');
    expect(c.rows).toBe(50);
    expect(rowsOf(c)).toEqual([...rowsOf(a), ...rowsOf(b)]);
  });

  it('refuses files with different columns, naming them', () => {
    const a = sample(1, 5, 'a.csv');
    const b = { ...sample(2, 5, 'b.csv'), columns: sample(2, 5).columns.slice(1) };
    expect(() => concatTables([a, b], 'x')).toThrow(/b\.csv and a\.csv have different columns/);
  });
});

describe('stats histograms and memory limit', () => {
  it('bins numeric values like a brute-force count', () => {
    const t = sample(4, 5000);
    const col = t.columns[0];
    const s = columnStats(col);
    if (s.histogram.kind !== 'bins' || col.kind !== 'numeric') throw new Error('expected bins');
    const present = Array.from(col.values).filter((_, i) => col.valid![i]);
    const width = (s.max! - s.min!) / HISTOGRAM_BINS;
    const expected = new Array(HISTOGRAM_BINS).fill(0);
    for (const x of present) expected[Math.min(HISTOGRAM_BINS - 1, Math.floor((x - s.min!) / width))]++;
    expect(s.histogram.counts).toEqual(expected);
    expect(s.min).toBe(Math.min(...present));
  });

  it('lists the most frequent categories', () => {
    const col = {
      kind: 'categorical' as const,
      name: 'c',
      type: 'categorical' as const,
      codes: Int32Array.from([0, 1, 1, 2, 2, 2, -1]),
      dictionary: ['x', 'y', 'z'],
    };
    expect(columnStats(col).histogram).toEqual({ kind: 'top', values: ['z', 'y', 'x'], counts: [3, 2, 1], other: 0 });
  });

  it('refuses a file larger than the memory the tab can get', () => {
    expect(() => checkFitsInMemory('huge.parquet', 3 * 2 ** 30, 4 * 2 ** 30)).toThrow(
      'huge.parquet: 3.0 GB is too large to load here (this tab can use about 4.0 GB',
    );
    expect(() => checkFitsInMemory('ok.parquet', 100 * 2 ** 20, 4 * 2 ** 30)).not.toThrow();
  });
});
