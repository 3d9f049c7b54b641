// Files written by parquet-wasm (arrow-rs) in every codec, with and without dictionaries,
// data page v1 and v2, several row groups and pages, and the non-default encodings: the reader
// must return exactly the values the seeded Arrow table holds.
import { describe, expect, it } from 'vitest';
import type { Column, DataTable } from '../table';
import {
  Compression,
  decimalTable,
  Encoding,
  syntheticTable,
  writeFixture,
  WriterVersion,
  type ExpectedColumn,
  type WriteOptions,
} from './fixtures/synthetic';
import { decodeRowGroups, mergeParts, planParts, readParquet, readParquetMetadata } from './index';

const ROWS = 3000;
const { table, expected } = syntheticTable(ROWS, 42);

/** Checks every value and null of every column against the expected values. */
function expectTable(t: DataTable, exp: readonly ExpectedColumn[]): void {
  expect(t.rows).toBe(ROWS);
  expect(t.columns.map((c) => c.name)).toEqual(exp.map((e) => e.name));
  for (const e of exp) {
    const col = t.columns.find((c) => c.name === e.name) as Column;
    expect(col.kind, e.name).toBe(e.kind);
    if (col.kind === 'categorical') {
      const got = Array.from(col.codes, (k) => (k < 0 ? null : col.dictionary[k]));
      expect(got, e.name).toEqual(e.values);
      expect(new Set(col.dictionary).size, `${e.name} dictionary has duplicates`).toBe(col.dictionary.length);
    } else {
      expect(col.values.constructor.name, e.name).toBe(e.arrayType);
      const got = Array.from(col.values, (v, i) => (col.valid && col.valid[i] === 0 ? null : v));
      // toEqual treats NaN as equal to NaN and -0 as equal to 0 only via Object.is: compare with Object.is.
      const mismatch = got.findIndex((v, i) => !Object.is(v, e.values[i]) && !(v === 0 && e.values[i] === 0));
      expect(mismatch, `${e.name}: row ${mismatch} is ${got[mismatch]}, expected ${e.values[mismatch]}`).toBe(-1);
      if (!e.values.includes(null)) expect(col.valid === null || col.valid.every((b) => b === 1), e.name).toBe(true);
    }
  }
}

const codecs: [string, Compression][] = [
  ['UNCOMPRESSED', Compression.UNCOMPRESSED],
  ['SNAPPY', Compression.SNAPPY],
  ['GZIP', Compression.GZIP],
  ['BROTLI', Compression.BROTLI],
  ['LZ4', Compression.LZ4],
  ['LZ4_RAW', Compression.LZ4_RAW],
  ['ZSTD', Compression.ZSTD],
];

describe('files written by parquet-wasm', () => {
  for (const [codecName, compression] of codecs) {
    for (const dictionary of [true, false]) {
      for (const version of [WriterVersion.V1, WriterVersion.V2]) {
        const label =
          `${codecName}, dictionary ${dictionary ? 'on' : 'off'}, data page ` +
          `v${version === WriterVersion.V1 ? 1 : 2}`;
        it(label, () => {
          const bytes = writeFixture(table, { compression, dictionary, version, rowGroupSize: 1100, pageSize: 2048 });
          const info = readParquetMetadata(bytes, 'fixture.parquet');
          expect(info.rowGroups.length).toBe(3);
          expect(info.rowGroups[0].columns[0].codec).toBe(codecName);
          expectTable(readParquet(bytes, 'fixture.parquet'), expected);
        });
      }
    }
  }

  // Node hands files over as Buffers: small ones share a pooled ArrayBuffer at an arbitrary
  // offset, and Buffer#slice is a view, not a copy. Every codec, dictionary on and off, must
  // read the same from bytes at every offset modulo 8 (issue: 'byte length of Float64Array
  // should be a multiple of 8' on uncompressed dictionary files from parquet-rs).
  for (const [codecName, compression] of codecs) {
    for (const dictionary of [true, false]) {
      it(`${codecName}, dictionary ${dictionary ? 'on' : 'off'}, inside a Node Buffer at every offset`, () => {
        const raw = writeFixture(table, { compression, dictionary, rowGroupSize: 1100, pageSize: 2048 });
        for (let shift = 0; shift < 8; shift++) {
          const host = Buffer.alloc(raw.length + 16);
          host.set(raw, shift);
          expectTable(readParquet(host.subarray(shift, shift + raw.length), 'buffer.parquet'), expected);
        }
      });
    }
  }

  const encodingCases: [string, WriteOptions['encodings']][] = [
    [
      'DELTA_BINARY_PACKED',
      {
        i32: Encoding.DELTA_BINARY_PACKED,
        i64small: Encoding.DELTA_BINARY_PACKED,
        i64big: Encoding.DELTA_BINARY_PACKED,
        date: Encoding.DELTA_BINARY_PACKED,
        tsMs: Encoding.DELTA_BINARY_PACKED,
        u32: Encoding.DELTA_BINARY_PACKED,
        u64: Encoding.DELTA_BINARY_PACKED,
        sorted: Encoding.DELTA_BINARY_PACKED,
      },
    ],
    ['DELTA_LENGTH_BYTE_ARRAY', { str: Encoding.DELTA_LENGTH_BYTE_ARRAY, strHigh: Encoding.DELTA_LENGTH_BYTE_ARRAY }],
    ['DELTA_BYTE_ARRAY', { str: Encoding.DELTA_BYTE_ARRAY, strHigh: Encoding.DELTA_BYTE_ARRAY }],
    ['BYTE_STREAM_SPLIT', { f32: Encoding.BYTE_STREAM_SPLIT, f64: Encoding.BYTE_STREAM_SPLIT }],
  ];
  for (const [name, encodings] of encodingCases) {
    for (const version of [WriterVersion.V1, WriterVersion.V2]) {
      it(`${name} (data page v${version === WriterVersion.V1 ? 1 : 2}, SNAPPY)`, () => {
        const bytes = writeFixture(table, {
          compression: Compression.SNAPPY,
          version,
          rowGroupSize: 1000,
          pageSize: 4096,
          encodings,
        });
        const info = readParquetMetadata(bytes, 'enc.parquet');
        const col = info.columns.find((c) => c.name === Object.keys(encodings ?? {})[0])!;
        expect(info.rowGroups[0].columns[col.index].encodings).toContain(name);
        expectTable(readParquet(bytes, 'enc.parquet'), expected);
      });
    }
  }

  it('INT64 without statistics is narrowed to Int32Array only when every value fits', () => {
    const bytes = writeFixture(table, { compression: Compression.ZSTD, statistics: false, rowGroupSize: 700 });
    const info = readParquetMetadata(bytes, 'nostats.parquet');
    expect(info.rowGroups[0].columns[1].statistics?.min).toBeUndefined();
    expectTable(readParquet(bytes, 'nostats.parquet'), expected);
  });

  it('DECIMAL as INT32, INT64 and FIXED_LEN_BYTE_ARRAY, and FLOAT16, to floats', () => {
    const dec = decimalTable(2000, 3);
    for (const dictionary of [true, false]) {
      const bytes = writeFixture(dec.table, { compression: Compression.SNAPPY, dictionary, rowGroupSize: 800 });
      const info = readParquetMetadata(bytes, 'dec.parquet');
      expect(info.columns.map((c) => `${c.physicalType}:${c.annotation}`)).toEqual([
        'INT32:DECIMAL(5,2)',
        'INT64:DECIMAL(12,3)',
        'FIXED_LEN_BYTE_ARRAY:DECIMAL(30,4)',
        'FIXED_LEN_BYTE_ARRAY:FLOAT16',
      ]);
      const t = readParquet(bytes, 'dec.parquet');
      for (const e of dec.expected) {
        const col = t.columns.find((c) => c.name === e.name)!;
        if (col.kind !== 'numeric') throw new Error(`${e.name} should be numeric`);
        expect(col.values.constructor.name).toBe(e.arrayType);
        // A 30-digit decimal is rounded to a double once or twice: allow a relative error of 1e-15.
        const bad = e.values.findIndex(
          (v, i) => Math.abs(col.values[i] - (v as number)) > 1e-15 * Math.abs(v as number),
        );
        expect(bad, `${e.name}: row ${bad} is ${col.values[bad]}, expected ${e.values[bad]}`).toBe(-1);
      }
    }
  });

  it('one row group, one page, default settings', () => {
    expectTable(readParquet(writeFixture(table, { compression: Compression.ZSTD }), 'one.parquet'), expected);
  });

  it('reads a subset of columns and row groups', () => {
    const bytes = writeFixture(table, { compression: Compression.SNAPPY, rowGroupSize: 1000 });
    const t = readParquet(bytes, 'sub.parquet', { columns: ['str', 'f64'], rowGroups: [2, 0] });
    expect(t.columns.map((c) => c.name)).toEqual(['str', 'f64']);
    expect(t.rows).toBe(2000);
    const str = t.columns[0];
    if (str.kind !== 'categorical') throw new Error('str should be categorical');
    const want = [...expected[6].values.slice(0, 1000), ...expected[6].values.slice(2000)];
    expect(Array.from(str.codes, (k) => (k < 0 ? null : str.dictionary[k]))).toEqual(want);
  });

  it('parts decoded separately (as by workers) merge to the same table, dictionaries merged', () => {
    const bytes = writeFixture(table, { compression: Compression.ZSTD, rowGroupSize: 300 });
    const info = readParquetMetadata(bytes, 'parts.parquet');
    expect(info.rowGroups.length).toBe(10);
    for (const workers of [1, 2, 3, 7]) {
      const plan = planParts(info, workers);
      // Round-trip every part through structuredClone, as postMessage would.
      const parts = plan.flatMap((tasks) =>
        tasks.map((t) => structuredClone(decodeRowGroups(bytes, info, t.rowGroups, t.columns))),
      );
      expectTable(
        mergeParts(
          parts,
          info.columns.map((c) => c.name),
        ),
        expected,
      );
    }
    const byGroups = [[0, 1, 2], [3], [4, 5, 6, 7, 8, 9]].map((g) => decodeRowGroups(bytes, info, g));
    expectTable(
      mergeParts(
        byGroups.reverse(),
        info.columns.map((c) => c.name),
      ),
      expected,
    );
    const interleaved = [
      [0, 2, 4, 6, 8],
      [1, 3, 5, 7, 9],
    ].map((g) => structuredClone(decodeRowGroups(bytes, info, g)));
    expectTable(
      mergeParts(
        interleaved,
        info.columns.map((c) => c.name),
      ),
      expected,
    );
  });
});
