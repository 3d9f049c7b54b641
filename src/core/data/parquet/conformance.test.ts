/**
 * The Parquet conformance corpus (apache/parquet-testing, copied under src/fixtures/conformance):
 * every file either reads to the same values as hyparquet, a second reader, or is refused by
 * design with the reason written in the table below. Nothing hangs or leaks a library's text.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { describe, expect, it } from 'vitest';
import { readTable } from '../read';
import { readParquet } from '.';
import { DataError, type DataTable } from '../table';
import { referenceBucket } from '../fixtures/bucket-reference';

const ROOT = 'src/fixtures/conformance/parquet-testing';

const LIST = 'a list column: one value per row is needed to train';
const MAP = 'a map column: one value per row is needed to train';
const REPEATED = 'a repeated column (any number of values per row): one value per row is needed to train';

/** A file none of whose columns can train: refused, each column named with its type and reason. */
const NONE = (...columns: [name: string, type: string, reason: string][]) => {
  const text = `no column Trainbench can use (${columns.map(([n, t, r]) => `"${n}" (${t}): ${r}`).join('; ')})`;
  return new RegExp(`${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
};

/*
 * bad_data/ holds reproductions of other readers' bugs (its README): most are damaged and
 * refused here; ARROW-GH-43605 (dictionary indices RLE-encoded with bit width 0, so every index
 * is 0: a reader crashed on it) is valid and reads to hyparquet's values.
 */

/** Files refused by design, and why (each a message that names the column or page). */
const REFUSED: Record<string, RegExp> = {
  // Only lists, maps or REPEATED primitives: nothing one value per row.
  'bad_data/ARROW-GH-45185.parquet': NONE(['x', 'list<int32>', LIST]),
  'bad_data/ARROW-RS-GH-6229-LEVELS.parquet': NONE(['outer', 'list<struct<c: int32>>', LIST]),
  'data/incorrect_map_schema.parquet': NONE(['my_map', 'map<utf8,utf8>', MAP]),
  'data/large_string_map.brotli.parquet': NONE(['arr', 'map<utf8,int32>', MAP]),
  'data/list_columns.parquet': NONE(['int64_list', 'list<int64>', LIST], ['utf8_list', 'list<utf8>', LIST]),
  'data/map_no_value.parquet': NONE(
    ['my_map', 'map<int32,int32>', MAP],
    ['my_map_no_v', 'map<int32>', MAP],
    ['my_list', 'list<int32>', LIST],
  ),
  'data/null_list.parquet': NONE(['emptylist', 'list<int32>', LIST]),
  'data/old_list_structure.parquet': NONE(['a', 'list<list<int32>>', LIST]),
  'data/repeated_primitive_no_list.parquet': NONE(
    ['Int32_list', 'REPEATED int32', REPEATED],
    ['String_list', 'REPEATED utf8', REPEATED],
    ['group_of_lists.Int32_list_in_group', 'REPEATED int32', REPEATED],
    ['group_of_lists.String_list_in_group', 'REPEATED utf8', REPEATED],
  ),
  // Damaged on purpose: a page whose CRC does not match, a dictionary page longer than its chunk,
  // a chunk whose pages lie outside the file, an unknown physical type, pages cut short.
  'data/datapage_v1-corrupt-checksum.parquet': /column "a" \(row group 0\), page 1: checksum mismatch/,
  'data/rle-dict-uncompressed-corrupt-checksum.parquet':
    /column "long_field" \(row group 0\), page 1: checksum mismatch/,
  'data/nation.dict-malformed.parquet':
    /column "name" \(row group 0\) announces 28 bytes but the column chunk has 13 left/,
  'bad_data/ARROW-RS-GH-6229-DICTHEADER.parquet':
    /column "region_key"\) is corrupt \(its pages at bytes 466\.\.591 lie outside/,
  'bad_data/PARQUET-1481.parquet': /column "Handle" has unknown physical type -7/,
  'bad_data/ARROW-GH-47662.parquet':
    /column "flba_field" \(row group 0\), page 1: PLAIN FIXED_LEN_BYTE_ARRAY data holds fewer than the 100 values of 4 bytes/,
  'bad_data/ARROW-GH-41317.parquet': /column "timestamp_us_no_tz" \(row group 0\) ends after 0 of its 3 values/,
  'bad_data/ARROW-GH-41321.parquet': /column "int64" \(row group 0\), page 2: a varint runs past the end of the page/,
  // Read (see the test below), but it holds no rows: nothing to train on.
  'data/column_chunk_key_value_metadata.parquet': /the file holds no rows$/,
};

/**
 * Files that load without some of their columns: the columns in `skipped` (name, Parquet type,
 * reason); the others read to hyparquet's values like any file. Struct leaves are read as
 * dotted columns (`b_struct.b_c_int`, `nested_Struct.a`).
 */
const SKIPPED: Record<string, [name: string, type: string, reason: string][]> = {
  'data/datapage_v2.snappy.parquet': [['e', 'list<int32>', LIST]],
  'data/nested_lists.snappy.parquet': [['a', 'list<list<list<utf8>>>', LIST]],
  'data/nested_maps.snappy.parquet': [['a', 'map<utf8,map<int32,bool>>', MAP]],
  'data/nonnullable.impala.parquet': [
    ['Int_Array', 'list<int32>', LIST],
    ['int_array_array', 'list<list<int32>>', LIST],
    ['Int_Map', 'map<utf8,int32>', MAP],
    ['int_map_array', 'list<map<utf8,int32>>', LIST],
    ['nested_Struct.B', 'list<int32>', LIST],
    ['nested_Struct.c.D', 'list<list<struct<e: int32, f: utf8>>>', LIST],
    ['nested_Struct.G', 'map<utf8,struct<h: struct<i: list<double>>>>', MAP],
  ],
  'data/nullable.impala.parquet': [
    ['int_array', 'list<int32>', LIST],
    ['int_array_Array', 'list<list<int32>>', LIST],
    ['int_map', 'map<utf8,int32>', MAP],
    ['int_Map_Array', 'list<map<utf8,int32>>', LIST],
    ['nested_struct.b', 'list<int32>', LIST],
    ['nested_struct.C.d', 'list<list<struct<E: int32, F: utf8>>>', LIST],
    ['nested_struct.g', 'map<utf8,struct<H: struct<i: list<double>>>>', MAP],
  ],
  // REPEATED groups without a LIST annotation, and a footer that says 0 rows (the row group holds 6).
  'data/repeated_no_annotation.parquet': [
    ['phoneNumbers.phone', 'REPEATED struct<number: int64, kind: utf8>', REPEATED],
  ],
};

/** Columns each file that loads must hold (struct leaves as dotted names), where it matters. */
const COLUMNS: Record<string, string[]> = {
  'data/nulls.snappy.parquet': ['b_struct.b_c_int'],
  'data/nonnullable.impala.parquet': ['ID', 'nested_Struct.a'],
  'data/nullable.impala.parquet': ['id', 'nested_struct.A'],
  'data/repeated_no_annotation.parquet': ['id'],
};

/** Days from 1970-01-01 to a proleptic Gregorian date (beyond what Date holds). */
function civilDays(y: number, m: number, d: number): number {
  const yy = y - (m <= 2 ? 1 : 0);
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/**
 * Files checked against the values their writer put in (where hyparquet differs): INT96 written
 * by Spark 3.4.3 (the corpus's int96_from_spark.md lists them; the Spark shell ran at UTC-8),
 * the last one past the 64-bit nanosecond range (hyparquet reads it as year -4128).
 */
const WRITTEN: Record<string, (number | null)[]> = {
  'data/int96_from_spark.parquet': [
    Date.UTC(2024, 0, 1, 20, 34, 56, 123) + 0.456,
    Date.UTC(2024, 0, 1, 1),
    Date.UTC(9999, 11, 31, 3),
    Date.UTC(2024, 11, 30, 23),
    null,
    civilDays(290000, 12, 30) * 86_400_000 + 23 * 3_600_000,
  ],
};

function files(): string[] {
  const out: string[] = [];
  for (const d of ['data', 'data/geospatial', 'bad_data'])
    for (const f of readdirSync(`${ROOT}/${d}`)) if (f.endsWith('.parquet')) out.push(`${d}/${f}`);
  return out.sort();
}

/**
 * hyparquet's value as this reader represents it (ms for times, days for dates, 0/1, strings,
 * the bucket of raw bytes: FNV-1a of the bytes folded to 16 bits, by fixtures/bucket-reference.ts apart from
 * the reader's byte-buckets.ts); undefined where hyparquet parses further than a training column
 * goes (WKB geometry as objects), which is not compared.
 */
function reference(v: unknown, type: string): number | string | null | undefined {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return referenceBucket(v);
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return type === 'date' ? Math.round(v.getTime() / 86_400_000) : v.getTime();
  if (typeof v === 'number' || typeof v === 'string') return v;
  return undefined;
}

/** hyparquet's value of a column, a struct leaf (`a.b`) looked up through its struct (null where the struct is). */
function field(row: Record<string, unknown>, name: string): unknown {
  if (name in row) return row[name];
  let v: unknown = row;
  for (const part of name.split('.')) {
    if (v === null || v === undefined) return null;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** The first value where the table and hyparquet's rows disagree, or null. */
function firstDifference(t: DataTable, rows: Record<string, unknown>[]): string | null {
  if (t.rows !== rows.length) return `${t.rows} rows, hyparquet ${rows.length}`;
  for (const c of t.columns) {
    for (let i = 0; i < t.rows; i++) {
      const raw = field(rows[i], c.name);
      const want = reference(raw, c.type);
      if (want === undefined) continue;
      if (c.kind === 'categorical') {
        const got = c.codes[i] < 0 ? null : c.dictionary[c.codes[i]];
        if (typeof want === 'string' || want === null ? got !== want : false)
          return `${c.name}[${i}]: ${got} vs ${String(want)}`;
        continue;
      }
      const present = c.valid === null || c.valid[i] !== 0;
      if (want === null || typeof want === 'string') {
        if (present && raw === null) return `${c.name}[${i}]: ${c.values[i]} vs null`;
        continue;
      }
      const got = c.values[i];
      if (!present) return `${c.name}[${i}]: missing vs ${want}`;
      const same = Number.isNaN(want) ? Number.isNaN(got) : Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want));
      if (!same) return `${c.name}[${i}]: ${got} vs ${want}`;
    }
  }
  return null;
}

describe('Parquet conformance corpus (apache/parquet-testing)', () => {
  const all = files();

  it('holds the corpus', () => {
    expect(all.length).toBeGreaterThan(80);
    for (const f of [...Object.keys(REFUSED), ...Object.keys(SKIPPED), ...Object.keys(WRITTEN)])
      expect(all).toContain(f);
  });

  it('reads data/column_chunk_key_value_metadata.parquet, whose column chunks say their pages start at 0', () => {
    const bytes = new Uint8Array(readFileSync(`${ROOT}/data/column_chunk_key_value_metadata.parquet`));
    const t = readParquet(bytes, 'column_chunk_key_value_metadata.parquet');
    expect(t.rows).toBe(0);
    expect(t.columns.map((c) => c.name)).toEqual(['column1', 'column2']);
  });

  for (const f of all) {
    it(f, async () => {
      const bytes = new Uint8Array(readFileSync(`${ROOT}/${f}`));
      const name = f.split('/').pop()!;
      let table: DataTable | null = null;
      let error: unknown = null;
      try {
        table = readTable(bytes, name);
      } catch (e) {
        error = e;
      }
      const refused = REFUSED[f];
      if (refused) {
        expect(error, `${f} should be refused`).toBeInstanceOf(DataError);
        expect((error as Error).message).toMatch(new RegExp(`^${name.replace(/[.]/g, '\\.')}: `));
        expect((error as Error).message).toMatch(refused);
        return;
      }
      expect(error === null ? null : (error as Error).message).toBeNull();
      expect((table!.skipped ?? []).map((c) => [c.name, c.type, c.reason])).toEqual(SKIPPED[f] ?? []);
      const kept = table!.columns.map((c) => c.name);
      for (const c of COLUMNS[f] ?? []) expect(kept).toContain(c);
      const written = WRITTEN[f];
      if (written) {
        const c = table!.columns[0];
        expect(c.kind).toBe('numeric');
        if (c.kind !== 'numeric') return;
        const got = Array.from({ length: table!.rows }, (_, i) => (c.valid && !c.valid[i] ? null : c.values[i]));
        expect(got.map((v) => (v === null ? null : Math.round(v * 1000)))).toEqual(
          written.map((v) => (v === null ? null : Math.round(v * 1000))),
        );
        return;
      }
      const rows = await parquetReadObjects({
        file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
        compressors,
      });
      expect(firstDifference(table!, rows)).toBeNull();
    });
  }
});

describe('Parquet conformance: shredded variant files (apache/parquet-testing shredded_variant/)', () => {
  const dir = `${ROOT}/shredded_variant`;
  const variants = readdirSync(dir)
    .filter((f) => f.endsWith('.parquet'))
    .sort();

  it('holds the 137 files', () => expect(variants).toHaveLength(137));

  // Each holds an id and a variant column: the id loads (equal to hyparquet's), the variant is
  // skipped with its reason, where the whole file used to be refused.
  for (const f of variants) {
    it(f, async () => {
      const bytes = new Uint8Array(readFileSync(`${dir}/${f}`));
      const table = readTable(bytes, f);
      expect(table.columns.length).toBeGreaterThan(0);
      expect(table.skipped?.length).toBeGreaterThan(0);
      for (const k of table.skipped ?? [])
        expect([k.type, k.reason]).toEqual(['variant', expect.stringMatching(/^a variant column/)]);
      // hyparquet reads the kept columns only (its variant decoding fails on case-029 and -030).
      const columns = table.columns.map((c) => c.name);
      const rows = await parquetReadObjects({
        file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer,
        compressors,
        columns,
      });
      expect(firstDifference(table, rows)).toBeNull();
    });
  }
});
