// Files with a column the workbench cannot train on (a list) and a fixed-length binary one next to
// flat columns and a struct, written by parquet-wasm (arrow-rs): the flat columns and the
// struct's leaves read to the written values, the binary one to the buckets of its bytes (a
// column used only when picked), the list is listed in `skipped` with its Parquet type and
// reason, on one core and on two (planned parts, or chunks claimed from both ends).
import { Field, FixedSizeBinary, Float64, Int32, List, Struct, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DataError, type Column, type DataTable } from '../table';
import { Compression, seededRandom, writeFixture, WriterVersion } from './fixtures/synthetic';
import { readParquet, readParquetMetadata } from './index';
import { readOnTwoCores } from './fixtures/two-cores';
import { defaultFeatures } from '../encode';
import { referenceBucket } from '../fixtures/bucket-reference';

const ROWS = 500;
const LIST = 'a list column: one value per row is needed to train';

const bucket = referenceBucket;

interface Written {
  id: (number | null)[];
  name: (string | null)[];
  price: (number | null)[];
  tags: (number[] | null)[];
  point: ({ x: number | null; label: string | null } | null)[];
  code: Uint8Array[];
}

function written(seed: number): Written {
  const rnd = seededRandom(seed);
  const w: Written = { id: [], name: [], price: [], tags: [], point: [], code: [] };
  for (let i = 0; i < ROWS; i++) {
    w.id.push(rnd() < 0.1 ? null : Math.floor(rnd() * 2e6) - 1e6);
    w.name.push(rnd() < 0.1 ? null : `n${Math.floor(rnd() * 20)}`);
    w.price.push(rnd() < 0.2 ? null : Math.round(rnd() * 1e4) / 8);
    w.tags.push(rnd() < 0.1 ? null : Array.from({ length: Math.floor(rnd() * 4) }, () => Math.floor(rnd() * 100)));
    // A struct that is itself missing on some rows, and whose leaves are missing on others.
    w.point.push(
      rnd() < 0.15
        ? null
        : {
            x: rnd() < 0.15 ? null : Math.floor(rnd() * 1000) - 500,
            label: rnd() < 0.15 ? null : `p${Math.floor(rnd() * 5)}`,
          },
    );
    w.code.push(Uint8Array.from({ length: 4 }, () => Math.floor(rnd() * 256)));
  }
  return w;
}

const pointType = new Struct([new Field('x', new Int32(), true), new Field('label', new Utf8(), true)]);
const listType = new List(new Field('item', new Int32(), true));

function mixedTable(w: Written): Table {
  return new Table({
    id: vectorFromArray(w.id, new Int32()),
    tags: vectorFromArray(w.tags, listType),
    name: vectorFromArray(w.name, new Utf8()),
    point: vectorFromArray(w.point, pointType),
    code: vectorFromArray(w.code, new FixedSizeBinary(4)),
    price: vectorFromArray(w.price, new Float64()),
  });
}

/** A column's values with null for missing rows (strings through the dictionary). */
function values(c: Column): (number | string | null)[] {
  if (c.kind === 'categorical') return Array.from(c.codes, (k) => (k < 0 ? null : c.dictionary[k]));
  return Array.from(c.values, (v, i) => (c.valid && c.valid[i] === 0 ? null : v));
}

function column(t: DataTable, name: string): (number | string | null)[] {
  const c = t.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name} in ${t.columns.map((x) => x.name).join(', ')}`);
  return values(c);
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('Parquet files with columns that cannot train', () => {
  const w = written(7);
  for (const version of [WriterVersion.V1, WriterVersion.V2]) {
    for (const dictionary of [true, false]) {
      const label = `page v${version === WriterVersion.V1 ? 1 : 2}, dictionary ${dictionary ? 'on' : 'off'}`;
      const bytes = writeFixture(mixedTable(w), {
        compression: Compression.SNAPPY,
        version,
        dictionary,
        rowGroupSize: 120,
        pageSize: 512,
      });

      it(`${label}: flat columns and struct leaves read as written, the fixed binary hashed, the list skipped`, () => {
        const t = readParquet(bytes, 'mixed.parquet');
        expect(t.rows).toBe(ROWS);
        expect(t.columns.map((c) => c.name)).toEqual(['id', 'name', 'point.x', 'point.label', 'code', 'price']);
        expect(t.skipped).toEqual([{ name: 'tags', type: 'list<int32>', reason: LIST }]);
        expect(column(t, 'code')).toEqual(w.code.map(bucket));
        const code = t.columns.find((c) => c.name === 'code');
        expect(code?.kind === 'categorical' && code.bytes).toBe(true);
        // Never a default feature: a user picks it.
        expect(defaultFeatures(t, 'price')).toEqual(['id', 'name', 'point.x', 'point.label']);
        expect(column(t, 'id')).toEqual(w.id);
        expect(column(t, 'name')).toEqual(w.name);
        expect(column(t, 'price')).toEqual(w.price);
        // A leaf is missing where its struct is.
        expect(column(t, 'point.x')).toEqual(w.point.map((p) => (p === null ? null : p.x)));
        expect(column(t, 'point.label')).toEqual(w.point.map((p) => (p === null ? null : p.label)));
        expect(
          readParquetMetadata(bytes, 'mixed.parquet').columns.find((c) => c.name === 'point.x')?.maxDefinitionLevel,
        ).toBe(2);
      });

      it(`${label}: two cores give the same table (planned parts and claimed chunks)`, () => {
        const one = readParquet(bytes, 'mixed.parquet');
        // The same values (a split categorical column's codes follow its merged dictionary).
        const same = (t: DataTable) => ({
          rows: t.rows,
          skipped: t.skipped,
          columns: t.columns.map((c) => [c.name, c.type, values(c)]),
        });
        for (const claims of [false, true])
          expect(same(readOnTwoCores(bytes, 'mixed.parquet', claims))).toEqual(same(one));
      });
    }
  }

  it('the columns option reads chosen columns and refuses a skipped one by name with its reason', () => {
    const bytes = writeFixture(mixedTable(w), { compression: Compression.UNCOMPRESSED, rowGroupSize: 200 });
    const t = readParquet(bytes, 'mixed.parquet', { columns: ['price', 'point.x'] });
    expect(t.columns.map((c) => c.name)).toEqual(['price', 'point.x']);
    expect(column(t, 'price')).toEqual(w.price);
    expect(errorOf(() => readParquet(bytes, 'mixed.parquet', { columns: ['id', 'tags'] })).message).toBe(
      `mixed.parquet: column "tags" (list<int32>) cannot be read: ${LIST}`,
    );
    expect(column(readParquet(bytes, 'mixed.parquet', { columns: ['code'] }), 'code')).toEqual(w.code.map(bucket));
  });

  it('a file of nested columns only is refused, each column named with its type and reason, on one core and on two', () => {
    const only = new Table({
      tags: vectorFromArray(w.tags, listType),
      more: vectorFromArray(w.tags, listType),
    });
    const bytes = writeFixture(only, { compression: Compression.SNAPPY, rowGroupSize: 120 });
    const message =
      `only.parquet: no column Trainbench can use ("tags" ` + `(list<int32>): ${LIST}; "more" (list<int32>): ${LIST})`;
    for (const read of [
      () => readParquet(bytes, 'only.parquet'),
      () => readOnTwoCores(bytes, 'only.parquet', false),
      () => readOnTwoCores(bytes, 'only.parquet', true),
    ]) {
      const e = errorOf(read);
      expect(e).toBeInstanceOf(DataError);
      expect(e.message).toBe(message);
    }
  });
});
