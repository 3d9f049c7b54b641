import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Bool,
  DateDay,
  DateMillisecond,
  Dictionary,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint32,
  Uint64,
  Utf8,
  Struct,
  Field,
  FixedSizeList,
  TimeMicrosecond,
  TimeNanosecond,
  TimeSecond,
  DurationSecond,
  DurationNanosecond,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  tableToIPC,
  vectorFromArray,
  type DataType,
  type Vector,
} from 'apache-arrow';
import { readArrow, readArrowTable } from './arrow';
import { readTable } from './read';
import { Rng } from './rng';
import type { Column } from './table';

/** The value of row i as plain JS (null for missing, the string for categorical). */
function cell(col: Column, i: number): number | string | null {
  if (col.kind === 'categorical') return col.codes[i] < 0 ? null : col.dictionary[col.codes[i]];
  if (col.valid && col.valid[i] === 0) return null;
  return col.values[i];
}

describe('readArrow', () => {
  it('reads every type it supports, with nulls and several record batches, matching the source values', () => {
    const rng = new Rng(11);
    const n = 1000;
    const pick = <T>(f: () => T, nullRate = 0.1) =>
      Array.from({ length: n }, () => (rng.next() < nullRate ? null : f()));
    const ints = pick(() => rng.int(2_000_000) - 1_000_000);
    const i64 = pick(() => (rng.next() < 0.5 ? -1 : 1) * Math.floor(rng.next() * 2 ** 52));
    const f64 = pick(() => rng.normal() * 1e6);
    const f32 = pick(() => Math.fround(rng.normal()));
    const small = pick(() => rng.int(200) - 100);
    const u32 = pick(() => rng.int(4_000_000_000));
    const bools = pick(() => rng.next() < 0.5);
    const words = ['alpha', 'beta', 'gamma', 'δέλτα', ''];
    const strs = pick(() => words[rng.int(words.length)]);
    const days = pick(() => rng.int(40_000) - 10_000);
    const stamps = pick(() => rng.int(2 ** 40));
    const half = n / 2;
    const batches = (arr: unknown[], type: DataType) =>
      // Two record batches, to exercise chunked columns.
      [
        vectorFromArray(arr.slice(0, half) as never[], type as never) as Vector,
        vectorFromArray(arr.slice(half) as never[], type as never) as Vector,
      ];
    const cols: Record<string, Vector[]> = {
      i32: batches(ints, new Int32()),
      i64: batches(
        i64.map((v) => (v === null ? null : BigInt(v))),
        new Int64(),
      ),
      f64: batches(f64, new Float64()),
      f32: batches(f32, new Float32()),
      i8: batches(small, new Int8()),
      i16: batches(small, new Int16()),
      u32: batches(u32, new Uint32()),
      bool: batches(bools, new Bool()),
      str: batches(strs, new Utf8()),
      // One dictionary shared by both batches (the file format has no replacement dictionaries).
      dict: ((v) => [v.slice(0, half), v.slice(half)])(vectorFromArray(strs, new Dictionary(new Utf8(), new Int32()))),
      day: batches(
        days.map((d) => (d === null ? null : new Date(d * 86_400_000))),
        new DateDay(),
      ),
      ts: batches(stamps, new TimestampMillisecond()),
    };
    const tables = [0, 1].map((b) => new Table(Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, v[b]]))));
    const table = tables[0].concat(tables[1]);
    const bytes = tableToIPC(table, 'file');
    const out = readArrow(bytes, 'types.arrow');
    expect(out.rows).toBe(n);
    const expected: Record<string, (number | string | null)[]> = {
      i32: ints,
      i64,
      f64,
      f32,
      i8: small,
      i16: small,
      u32,
      bool: bools.map((b) => (b === null ? null : b ? 1 : 0)),
      str: strs,
      dict: strs,
      day: days,
      ts: stamps,
    };
    for (const [name, values] of Object.entries(expected)) {
      const col = out.columns.find((c) => c.name === name)!;
      const got = Array.from({ length: n }, (_, i) => cell(col, i));
      expect(got, name).toEqual(values);
    }
    expect(out.columns.find((c) => c.name === 'day')!.type).toBe('date');
    expect(out.columns.find((c) => c.name === 'ts')!.type).toBe('timestamp');
    expect(out.columns.find((c) => c.name === 'dict')!.kind).toBe('categorical');
    // The stream form reads the same, including a dictionary replaced between batches.
    const replaced = new Table({ d: batches(strs, new Dictionary(new Utf8(), new Int32()))[0] }).concat(
      new Table({ d: batches(strs, new Dictionary(new Utf8(), new Int32()))[1] }),
    );
    const r = readArrow(tableToIPC(replaced, 'stream'), 'replaced.arrows');
    expect(Array.from({ length: n }, (_, i) => cell(r.columns[0], i))).toEqual(strs);
    const stream = readArrow(tableToIPC(table, 'stream'), 'types.arrows');
    expect(stream.columns.map((c) => Array.from({ length: n }, (_, i) => cell(c, i)))).toEqual(
      out.columns.map((c) => Array.from({ length: n }, (_, i) => cell(c, i))),
    );
  });

  it('reads vega-datasets flights-200k.arrow like its JSON twin', () => {
    const arrow = readTable(readFileSync('node_modules/vega-datasets/data/flights-200k.arrow'), 'flights-200k.arrow');
    const json = JSON.parse(readFileSync('node_modules/vega-datasets/data/flights-200k.json', 'utf8')) as Record<
      string,
      number
    >[];
    expect(arrow.rows).toBe(json.length);
    for (const col of arrow.columns) {
      for (let i = 0; i < json.length; i += 97)
        expect(cell(col, i), `${col.name}[${i}]`).toBeCloseTo(json[i][col.name], 4);
    }
  });

  it('reads the bundled penguins sample like vega-datasets penguins.json', () => {
    const t = readTable(readFileSync('public/datasets/penguins.arrow'), 'penguins.arrow');
    const json = JSON.parse(readFileSync('node_modules/vega-datasets/data/penguins.json', 'utf8')) as Record<
      string,
      string | number | null
    >[];
    expect(t.rows).toBe(json.length);
    for (const col of t.columns)
      expect(
        json.map((_, i) => cell(col, i)),
        col.name,
      ).toEqual(json.map((r) => r[col.name]));
  });

  it('makeVector columns with an offset slice read correctly', () => {
    const v = makeVector(new Int32Array([1, 2, 3, 4, 5, 6])).slice(2, 5);
    const out = readArrow(tableToIPC(new Table({ v }), 'file'), 'slice.arrow');
    expect(Array.from({ length: 3 }, (_, i) => cell(out.columns[0], i))).toEqual([3, 4, 5]);
  });
});

describe('dictionary codes', () => {
  it('refuses a valid row whose code is negative or past the dictionary, naming the column and row', () => {
    const dictionary = vectorFromArray(['a', 'b', 'c'], new Utf8());
    const file = (codes: number[]) => {
      const d = makeVector({ type: new Dictionary(new Utf8(), new Int8()), data: Int8Array.from(codes), dictionary });
      return tableToIPC(new Table({ d }), 'file');
    };
    expect(cell(readArrow(file([0, 2, 1]), 'ok.arrow').columns[0], 1)).toBe('c');
    expect(() => readTable(file([0, -1, 1]), 'neg.arrow')).toThrow(
      'neg.arrow: column "d" row 1 has dictionary code -1, outside the dictionary\'s 3 entries',
    );
    expect(() => readTable(file([0, 1, 3]), 'big.arrow')).toThrow(
      'big.arrow: column "d" row 2 has dictionary code 3, outside the dictionary\'s 3 entries',
    );
  });
});

describe('readTable errors', () => {
  it('names the file and says what is wrong', () => {
    expect(() => readTable(new Uint8Array(0), 'empty.csv')).toThrow('empty.csv: empty file');
    expect(() => readTable(new Uint8Array([0, 1, 2, 3, 4]), 'blob.bin')).toThrow(/blob\.bin: not a dataset/);
    const good = tableToIPC(new Table({ a: vectorFromArray([1, 2, 3], new Float64()) }), 'file');
    expect(() => readTable(good.subarray(0, good.length - 20), 'cut.arrow')).toThrow(/cut\.arrow/);
    expect(() => readTable(new TextEncoder().encode('ARROW1\0\0garbage'), 'junk.arrow')).toThrow(
      'junk.arrow: the Arrow file is truncated',
    );
  });

  it('says when an Arrow stream is cut off mid-batch', () => {
    const part = new Table({
      a: vectorFromArray(
        Array.from({ length: 1000 }, (_, i) => i),
        new Float64(),
      ),
    });
    const stream = tableToIPC(part.concat(part).concat(part), 'stream');
    for (const cut of [stream.length - 100, Math.floor(stream.length * 0.6), 300]) {
      expect(() => readTable(stream.subarray(0, cut), 'cut.arrows')).toThrow(
        /^cut\.arrows: the Arrow stream is cut off in the middle of a record batch \(its body needs 8000 bytes, \d+ are there\)/,
      );
    }
    // Only the end-of-stream marker missing: every batch is whole, so every row is there.
    expect(readTable(stream.subarray(0, stream.length - 4), 'no-eos.arrows').rows).toBe(3000);
  });
});

describe('64-bit integers beyond 2^53 - 1', () => {
  it('a column holding one keeps every value as its exact decimal text (over two record batches, with nulls)', () => {
    const ids = [1234567890123456789n, 1234567890123456790n, null, -5n, -9223372036854775808n, 9007199254740993n];
    const unsigned = [18446744073709551615n, 1n, null, 9007199254740992n, 0n, 2n ** 63n];
    const half = (xs: (bigint | null)[], type: DataType) => [
      vectorFromArray(xs.slice(0, 3) as never[], type as never) as Vector,
      vectorFromArray(xs.slice(3) as never[], type as never) as Vector,
    ];
    const cols = {
      id: half(ids, new Int64()),
      u: half(unsigned, new Uint64()),
      safe: half([1n, 2n, null, 3n, -(2n ** 53n - 1n), 4n], new Int64()),
    };
    const tables = [0, 1].map((b) => new Table(Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, v[b]]))));
    const out = readArrow(tableToIPC(tables[0].concat(tables[1]), 'file'), 'ids.arrow');
    const text = (c: Column) => {
      if (c.kind !== 'categorical') throw new Error(`${c.name} is ${c.type}`);
      return Array.from(c.codes, (k) => (k < 0 ? null : c.dictionary[k]));
    };
    // The reference: BigInt's own decimal text.
    expect(text(out.columns[0])).toEqual(ids.map((x) => (x === null ? null : x.toString())));
    expect(text(out.columns[1])).toEqual(unsigned.map((x) => (x === null ? null : x.toString())));
    const safe = out.columns[2];
    expect(safe.kind === 'numeric' && Array.from(safe.values)).toEqual([1, 2, 0, 3, -(2 ** 53 - 1), 4]);
  });
});

describe('64-bit timestamps and dates', () => {
  // Values around and beyond 2^53 (valid int64s that apache-arrow's getters refuse), negative ones, and nulls.
  const raw = [
    0n,
    1n,
    -1n,
    2n ** 53n + 1n,
    -(2n ** 53n) - 3n,
    2n ** 62n + 12_345n,
    -(2n ** 63n),
    2n ** 63n - 1n,
    1_700_000_000_123n,
    -86_400_001n,
  ];
  const nulls = new Set([2, 8]);
  const bitmap = Uint8Array.from(
    [0, 1].map((b) => raw.slice(b * 8, b * 8 + 8).reduce((m, _, k) => (nulls.has(b * 8 + k) ? m : m | (1 << k)), 0)),
  );
  /** A column built straight from its buffers (not through apache-arrow's value conversion). */
  const column = (type: DataType) =>
    makeVector(
      makeData({
        type: type as never,
        length: raw.length,
        nullCount: nulls.size,
        nullBitmap: bitmap,
        data: BigInt64Array.from(raw) as never,
      }),
    );
  /** The reference: each BigInt as the nearest double, scaled to milliseconds, computed from the BigInts alone. */
  const expected = (toMs: (x: number) => number) => raw.map((b, i) => (nulls.has(i) ? null : toMs(Number(b))));
  const units: [string, DataType, (x: number) => number][] = [
    ['s', new TimestampSecond(), (x) => x * 1000],
    ['ms', new TimestampMillisecond(), (x) => x],
    ['us', new TimestampMicrosecond(), (x) => x / 1e3],
    ['ns', new TimestampNanosecond(), (x) => x / 1e6],
    ['date64', new DateMillisecond(), (x) => Math.floor(x / 86_400_000)],
  ];

  it('reads every timestamp unit and date64 from the raw int64 words, beyond 2^53 and negative, with nulls', () => {
    const table = new Table(Object.fromEntries(units.map(([name, type]) => [name, column(type)])));
    // apache-arrow itself cannot read these as numbers: that is what this reader avoids.
    expect(() => table.getChild('ms')!.get(3)).toThrow();
    for (const form of ['file', 'stream'] as const) {
      const out = readArrow(tableToIPC(table, form), `big.${form}`);
      for (const [name, , toMs] of units) {
        const col = out.columns.find((c) => c.name === name)!;
        expect(col.type, name).toBe(name === 'date64' ? 'date' : 'timestamp');
        expect(
          Array.from({ length: raw.length }, (_, i) => cell(col, i)),
          `${form} ${name}`,
        ).toEqual(expected(toMs));
      }
    }
  });

  it('a timestamp buffer shorter than its rows is a DataError naming the column, not a RangeError', () => {
    const short = makeVector(
      makeData({ type: new TimestampMillisecond(), length: 10, nullCount: 0, data: new BigInt64Array(4) as never }),
    );
    expect(() => readArrowTable(new Table({ when: short }), 'short.arrows')).toThrow(
      'short.arrows: column "when" has 4 values (1 per row) for 10 rows (the file is damaged)',
    );
  });

  it('reads date32 days, negative ones and nulls, and a sliced timestamp column', () => {
    const days = [0, -1, 19_000, null, -719_162, 2_932_896];
    const t = new Table({
      d: vectorFromArray(
        days.map((d) => (d === null ? null : new Date(d * 86_400_000))),
        new DateDay(),
      ),
      ts: column(new TimestampMicrosecond()).slice(3, 9),
    });
    const out = readArrow(tableToIPC(t, 'file'), 'days.arrow');
    expect(out.columns[0].type).toBe('date');
    expect(Array.from({ length: 6 }, (_, i) => cell(out.columns[0], i))).toEqual(days);
    expect(Array.from({ length: 6 }, (_, i) => cell(out.columns[1], i))).toEqual(expected((x) => x / 1e3).slice(3, 9));
  });
});

describe('readArrow: columns it cannot use are skipped, nested and time columns', () => {
  const fixture = (path: string) => readFileSync(`src/fixtures/conformance/arrow-testing/${path}`);

  it('loads the usable columns and lists the others with their Arrow type and a reason', () => {
    const t = readArrow(fixture('cpp-21.0.0/generated_null.arrow_file'), 'null.arrow');
    expect(t.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['f1:int', 'f3:float']);
    expect(t.skipped).toEqual(
      ['f0', 'f2', 'f4'].map((name) => ({ name, type: 'Null', reason: 'it holds no values (every row is missing)' })),
    );
    // Binary columns are read as hashed bytes (used only when picked), not skipped.
    const p = readArrow(fixture('cpp-21.0.0/generated_binary.arrow_file'), 'binary.arrow');
    expect(p.skipped).toBeUndefined();
    expect(p.columns.filter((c) => c.kind === 'categorical' && c.bytes).map((c) => c.name)).toEqual([
      'binary_nullable',
      'binary_nonnullable',
      'fixedsizebinary_19_nullable',
      'fixedsizebinary_19_nonnullable',
      'fixedsizebinary_120_nullable',
      'fixedsizebinary_120_nonnullable',
    ]);
  });

  it('refuses a file with no usable column, naming the file and each column with its reason', () => {
    expect(() => readArrow(fixture('cpp-21.0.0/generated_union.stream'), 'union.arrows')).toThrow(
      /^union\.arrows: no column of this Arrow file can be used for training: "sparse_1" \(Union<Int32 \| Utf8>\): each row may hold a value of a different type \(a union\); "dense_1"/,
    );
    expect(() => readArrow(fixture('cpp-21.0.0/generated_map.arrow_file'), 'map.arrow')).toThrow(
      '"map_nullable" (Map<Utf8, Int32>): it holds key-value pairs',
    );
  });

  it('flattens a struct into dotted columns; a missing struct makes its fields missing', () => {
    const type = new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]);
    const s = vectorFromArray([{ a: 1, b: 'x' }, null, { a: null, b: 'y' }, { a: 4, b: null }], type);
    const t = readArrow(tableToIPC(new Table({ s }), 'stream'), 's.arrows');
    expect(t.columns.map((c) => c.name)).toEqual(['s.a', 's.b']);
    expect([0, 1, 2, 3].map((i) => cell(t.columns[0], i))).toEqual([1, null, null, 4]);
    expect([0, 1, 2, 3].map((i) => cell(t.columns[1], i))).toEqual(['x', null, 'y', null]);
  });

  it('skips a column named like an earlier one: a field "s.a" beside a struct "s" with a field "a"', () => {
    // The workbench picks columns by name, so the later one is skipped with the reason (as the
    // Parquet reader does), and the first keeps its own values. Repeated top-level names (which
    // apache-arrow cannot write) are checked on the conformance corpus's duplicate_fieldnames.
    const inner = new Struct([new Field('a', new Int32(), true)]);
    const fields = [new Field('s.a', new Int32(), true), new Field('s', inner, true), new Field('x', new Utf8(), true)];
    const i32 = (v: number[]) => makeData({ type: new Int32(), length: 2, nullCount: 0, data: Int32Array.from(v) });
    const data = makeData({
      type: new Struct(fields),
      length: 2,
      nullCount: 0,
      children: [
        i32([7, 8]),
        makeData({ type: inner, length: 2, nullCount: 0, children: [i32([1, 2])] }),
        vectorFromArray(['p', 'q'], new Utf8()).data[0],
      ],
    });
    const bytes = tableToIPC(new Table(new RecordBatch(new Schema(fields), data)), 'file');
    const t = readArrow(bytes, 'same.arrow');
    expect(t.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['s.a:int', 'x:categorical']);
    expect([0, 1].map((i) => cell(t.columns[0], i))).toEqual([7, 8]);
    expect([0, 1].map((i) => cell(t.columns[1], i))).toEqual(['p', 'q']);
    expect(t.skipped).toEqual([{ name: 's.a', type: 'int', reason: 'another column of the file has the same name' }]);
  });

  it('splits a fixed-size list of numbers into numbered columns; a missing list makes its row missing', () => {
    const type = new FixedSizeList(3, new Field('item', new Float64(), true));
    const emb = vectorFromArray([[1, 2, 3], null, [7, null, 9]], type);
    const t = readArrow(tableToIPC(new Table({ emb }), 'file'), 'emb.arrow');
    expect(t.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['emb.0:float', 'emb.1:float', 'emb.2:float']);
    expect(t.columns.map((c) => [0, 1, 2].map((i) => cell(c, i)))).toEqual([
      [1, null, 7],
      [2, null, null],
      [3, null, 9],
    ]);
  });

  it('reads time of day and durations as float milliseconds, whatever their unit', () => {
    const raw = [0n, 1n, -3n, 86_399_999_999_999n];
    const big = (type: DataType) =>
      makeVector(makeData({ type: type as never, length: 4, nullCount: 0, data: BigInt64Array.from(raw) as never }));
    const t = readArrow(
      tableToIPC(
        new Table({
          tus: big(new TimeMicrosecond()),
          tns: big(new TimeNanosecond()),
          ts: makeVector(
            makeData({ type: new TimeSecond(), length: 4, nullCount: 0, data: Int32Array.from([0, 1, 2, 86_399]) }),
          ),
          ds: big(new DurationSecond()),
          dns: big(new DurationNanosecond()),
        }),
        'file',
      ),
      'time.arrow',
    );
    const col = (name: string) => t.columns.find((c) => c.name === name)!;
    expect([0, 1, 2, 3].map((i) => cell(col('tus'), i))).toEqual(raw.map((x) => Number(x) / 1e3));
    expect([0, 1, 2, 3].map((i) => cell(col('tns'), i))).toEqual(raw.map((x) => Number(x) / 1e6));
    expect([0, 1, 2, 3].map((i) => cell(col('ts'), i))).toEqual([0, 1000, 2000, 86_399_000]);
    expect([0, 1, 2, 3].map((i) => cell(col('ds'), i))).toEqual(raw.map((x) => Number(x) * 1000));
    expect([0, 1, 2, 3].map((i) => cell(col('dns'), i))).toEqual(raw.map((x) => Number(x) / 1e6));
    expect(t.columns.every((c) => c.type === 'float')).toBe(true);
  });
});
