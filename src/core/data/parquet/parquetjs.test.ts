// Files written by a third Parquet writer, parquetjs-lite (pure JS: data pages v1 and v2, PLAIN
// values, RLE levels, GZIP / SNAPPY / no compression per column, INT96-free timestamps, many
// row groups), read back and compared value by value with the rows that were written.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parquet from 'parquetjs-lite';
import { afterAll, describe, expect, it } from 'vitest';
import type { Column } from '../table';
import { readParquet } from './index';

const dir = mkdtempSync(join(tmpdir(), 'trainbench-parquetjs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  name?: string;
  qty?: number;
  n32: number;
  price?: number;
  f: number;
  ok?: boolean;
  ts: Date;
  tsu?: Date;
  day: Date;
}

const ROWS = 1000;
const rows: Row[] = Array.from({ length: ROWS }, (_, i) => ({
  name: i % 7 === 0 ? undefined : `item ${i % 13} é`,
  qty: i % 5 === 0 ? undefined : i * 1_000_003 - 4e8,
  n32: i - 500,
  price: i % 3 === 0 ? undefined : i / 8 - 20,
  f: i / 4,
  ok: i % 4 === 0 ? undefined : i % 2 === 0,
  ts: new Date(1.6e12 + i * 1000),
  tsu: i % 9 === 0 ? undefined : new Date(1.7e12 + i),
  day: new Date(Date.UTC(2020, 0, 1 + i)),
}));

async function write(v2: boolean, codec: string): Promise<Uint8Array> {
  const schema = new parquet.ParquetSchema({
    name: { type: 'UTF8', optional: true, compression: codec },
    qty: { type: 'INT64', optional: true, compression: codec },
    n32: { type: 'INT32', compression: codec },
    price: { type: 'DOUBLE', optional: true, compression: codec },
    f: { type: 'FLOAT', compression: codec },
    ok: { type: 'BOOLEAN', optional: true, compression: codec },
    ts: { type: 'TIMESTAMP_MILLIS', compression: codec },
    tsu: { type: 'TIMESTAMP_MICROS', optional: true, compression: codec },
    day: { type: 'DATE', compression: codec },
  });
  const path = join(dir, `rows-${v2 ? 'v2' : 'v1'}-${codec}.parquet`);
  const w = await parquet.ParquetWriter.openFile(schema, path, { useDataPageV2: v2, rowGroupSize: 300 });
  for (const r of rows) await w.appendRow({ ...r });
  await w.close();
  return new Uint8Array(readFileSync(path));
}

/** A column's values as plain JS (null for missing), strings through the dictionary. */
function values(col: Column): (number | string | null)[] {
  if (col.kind === 'categorical') return Array.from(col.codes, (k) => (k < 0 ? null : col.dictionary[k]));
  return Array.from(col.values, (v, i) => (col.valid && col.valid[i] === 0 ? null : v));
}

const expected: Record<string, (r: Row) => number | string | null> = {
  name: (r) => r.name ?? null,
  qty: (r) => r.qty ?? null,
  n32: (r) => r.n32,
  price: (r) => r.price ?? null,
  f: (r) => r.f,
  ok: (r) => (r.ok === undefined ? null : r.ok ? 1 : 0),
  ts: (r) => r.ts.getTime(),
  tsu: (r) => (r.tsu ? r.tsu.getTime() : null),
  day: (r) => Math.round(r.day.getTime() / 86_400_000),
};

describe('Parquet written by parquetjs-lite', () => {
  for (const v2 of [false, true]) {
    for (const codec of ['UNCOMPRESSED', 'GZIP', 'SNAPPY']) {
      it(`data pages ${v2 ? 'v2' : 'v1'}, ${codec}: every value of every column equals what was written`, async () => {
        const bytes = await write(v2, codec);
        const t = readParquet(bytes, `parquetjs-${codec}.parquet`);
        expect(t.rows).toBe(ROWS);
        expect(t.columns.map((c) => c.name)).toEqual(Object.keys(expected));
        for (const col of t.columns) expect(values(col), col.name).toEqual(rows.map(expected[col.name]));
        expect(t.columns.map((c) => c.type)).toEqual([
          'categorical',
          'int',
          'int',
          'float',
          'float',
          'bool',
          'timestamp',
          'timestamp',
          'date',
        ]);
      });
    }
  }

  it('a repeated field is skipped by name (REPEATED utf8); the other columns are read', async () => {
    const schema = new parquet.ParquetSchema({ id: { type: 'INT32' }, tags: { type: 'UTF8', repeated: true } });
    const path = join(dir, 'repeated.parquet');
    const w = await parquet.ParquetWriter.openFile(schema, path);
    for (let i = 0; i < 10; i++) await w.appendRow({ id: i, tags: ['a', 'b'].slice(0, i % 3) });
    await w.close();
    const bytes = new Uint8Array(readFileSync(path));
    const t = readParquet(bytes, 'repeated.parquet');
    expect(t.skipped).toEqual([
      {
        name: 'tags',
        type: 'REPEATED utf8',
        reason: 'a repeated column (any number of values per row): one value per row is needed to train',
      },
    ]);
    expect(t.columns.map((c) => c.name)).toEqual(['id']);
    expect(values(t.columns[0])).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(() => readParquet(bytes, 'repeated.parquet', { columns: ['tags'] })).toThrow(
      /^repeated\.parquet: column "tags" \(REPEATED utf8\) cannot be read/,
    );
    expect(values(readParquet(bytes, 'repeated.parquet', { columns: ['id'] }).columns[0])).toEqual(
      Array.from({ length: 10 }, (_, i) => i),
    );
  });
});
