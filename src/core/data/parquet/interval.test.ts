/**
 * Parquet INTERVAL (FIXED_LEN_BYTE_ARRAY(12), three little-endian uint32: months, days,
 * milliseconds) is read as one column per part (`i.months`, `i.days`, `i.ms`), as the Arrow
 * reader splits Arrow intervals. Files written by parquet-wasm (arrow-rs writes Arrow's
 * YEAR_MONTH and DAY_TIME intervals as INTERVAL), in every encoding it allows for the type, with
 * nulls, several row groups, and through the parallel path; expected values from the Arrow table
 * that was written.
 */
import { Float16, IntervalDayTime, IntervalYearMonth, makeData, Table, Vector, Float64 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Compression, Encoding, WriterVersion, writeFixture, type WriteOptions } from './fixtures/synthetic';
import { chunkOrder } from './claims';
import { decodeClaimed, decodeRowGroups, mergeParts, planParts, readParquet, readParquetMetadata } from './index';
import { Rng } from '../rng';
import type { Column } from '../table';

const ROWS = 1000;

/** A seeded table of a DAY_TIME and a YEAR_MONTH interval (about 10 % nulls) and a float column. */
function intervals(seed: number) {
  const rng = new Rng(seed);
  const rand = () => rng.next();
  const int = () => rng.nextU32() | 0;
  const dayTime = Int32Array.from({ length: 2 * ROWS }, int);
  const yearMonth = Int32Array.from({ length: ROWS }, int);
  const mask = (i: number) => (i * 7919 + seed) % 10 !== 3;
  const bitmap = (valid: (i: number) => boolean) => {
    const b = new Uint8Array(Math.ceil(ROWS / 8));
    for (let i = 0; i < ROWS; i++) if (valid(i)) b[i >> 3] |= 1 << (i & 7);
    return b;
  };
  const nulls = Array.from({ length: ROWS }, (_, i) => !mask(i)).filter(Boolean).length;
  const x = Float64Array.from({ length: ROWS }, () => rand());
  const table = new Table({
    dt: new Vector([
      makeData({
        type: new IntervalDayTime(),
        length: ROWS,
        data: dayTime,
        nullBitmap: bitmap(mask),
        nullCount: nulls,
      }),
    ]),
    ym: new Vector([makeData({ type: new IntervalYearMonth(), length: ROWS, data: yearMonth })]),
    x: new Vector([makeData({ type: new Float64(), length: ROWS, data: x })]),
  });
  // The parts as the file holds them: unsigned 32-bit (arrow-rs writes the int32 bits as they are).
  const u = (v: number) => v >>> 0;
  const expected: Record<string, (number | null)[]> = {
    'dt.months': Array.from({ length: ROWS }, (_, i) => (mask(i) ? 0 : null)),
    'dt.days': Array.from({ length: ROWS }, (_, i) => (mask(i) ? u(dayTime[2 * i]) : null)),
    'dt.ms': Array.from({ length: ROWS }, (_, i) => (mask(i) ? u(dayTime[2 * i + 1]) : null)),
    'ym.months': Array.from(yearMonth, u),
    'ym.days': new Array<number>(ROWS).fill(0),
    'ym.ms': new Array<number>(ROWS).fill(0),
    x: Array.from(x),
  };
  return { table, expected };
}

const cells = (c: Column) =>
  c.kind === 'numeric' ? Array.from(c.values, (v, i) => (c.valid && !c.valid[i] ? null : v)) : [];

describe('Parquet INTERVAL columns', () => {
  const { table, expected } = intervals(11);
  const variants: [string, WriteOptions][] = [
    ['PLAIN, uncompressed', { compression: Compression.UNCOMPRESSED, dictionary: false }],
    ['dictionary, snappy', { compression: Compression.SNAPPY, dictionary: true }],
    ['data page v2, zstd, small pages', { compression: Compression.ZSTD, version: WriterVersion.V2, pageSize: 512 }],
    [
      'DELTA_BYTE_ARRAY, several row groups',
      {
        compression: Compression.UNCOMPRESSED,
        encodings: { dt: Encoding.DELTA_BYTE_ARRAY, ym: Encoding.DELTA_BYTE_ARRAY },
        rowGroupSize: 300,
      },
    ],
  ];
  for (const [label, options] of variants) {
    it(`read as months, days and ms columns (${label})`, () => {
      const bytes = writeFixture(table, options);
      const info = readParquetMetadata(bytes, 'iv.parquet');
      expect(info.columns.find((c) => c.name === 'dt.days')?.annotation).toBe('INTERVAL');
      const t = readParquet(bytes, 'iv.parquet');
      expect(t.columns.map((c) => c.name)).toEqual(Object.keys(expected));
      expect(t.skipped ?? []).toEqual([]);
      for (const c of t.columns) expect(cells(c), c.name).toEqual(expected[c.name]);
      // The parallel path (parts planned by bytes, merged) gives the same table.
      const names = info.columns.map((c) => c.name);
      const parts = planParts(info, 3).flatMap((tasks) =>
        tasks.map((task) => structuredClone(decodeRowGroups(bytes, info, task.rowGroups, task.columns))),
      );
      for (const c of mergeParts(parts, names).columns) expect(cells(c), `planned ${c.name}`).toEqual(expected[c.name]);
      // Chunks claimed one by one (as two workers sharing the file do).
      const chunks = chunkOrder(info);
      let next = 0;
      const claimed = decodeClaimed(bytes, info, chunks, () => (next < chunks.length ? next++ : -1));
      for (const c of mergeParts(claimed, names).columns)
        expect(cells(c), `claimed ${c.name}`).toEqual(expected[c.name]);
      // A part of the columns, by name.
      const some = readParquet(bytes, 'iv.parquet', { columns: ['dt.ms', 'ym.months'] });
      expect(some.columns.map((c) => cells(c))).toEqual([expected['dt.ms'], expected['ym.months']]);
    });
  }

  it('FLOAT16 values under DELTA_BYTE_ARRAY decode as halves, not as big-endian integers', () => {
    const rng = new Rng(5);
    const halves = Uint16Array.from({ length: ROWS }, () => rng.int(0x7c00) | (rng.int(2) << 15));
    const t16 = new Table({ h: new Vector([makeData({ type: new Float16(), length: ROWS, data: halves })]) });
    const plain = readParquet(writeFixture(t16, { compression: Compression.UNCOMPRESSED, dictionary: false }), 'a');
    const delta = readParquet(
      writeFixture(t16, { compression: Compression.UNCOMPRESSED, encodings: { h: Encoding.DELTA_BYTE_ARRAY } }),
      'b',
    );
    const reference = Array.from(new Vector([t16.getChild('h')!.data[0]]), (v) => Math.fround(Number(v)));
    expect(cells(plain.columns[0])).toEqual(reference);
    expect(cells(delta.columns[0])).toEqual(reference);
  });
});
