// INT64 columns holding integers beyond 2^53 - 1 (tweet IDs, hashes, nanosecond counters): no
// double holds them, so the reader keeps their exact decimal text, as the CSV, JSON and Arrow
// readers do, instead of the nearest doubles (which merged neighbouring IDs in deduplication,
// distinct counts and filters). Checked value by value against the BigInts the file was written
// from and against hyparquet reading the same bytes, for every encoding arrow-rs writes INT64
// in, with and without statistics, one core and split between decoders, and streamed.
import { parquetReadObjects } from 'hyparquet';
import { Int64, Table, Uint64, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { Column, DataTable } from '../table';
import { bytesSource, openChunked } from '../source-chunks';
import {
  Compression,
  Encoding,
  seededRandom,
  writeFixture,
  WriterVersion,
  type WriteOptions,
} from './fixtures/synthetic';
import { chunkOrder } from './claims';
import { decodeClaimed, decodeRowGroups, mergeParts, planParts, readParquet, readParquetMetadata } from './index';

const ROWS = 2400;
const GROUP = 600;

/** A random 64-bit value of `bits` significant bits, either sign. */
function random64(rnd: () => number, bits: number, signed: boolean): bigint {
  let v = 0n;
  for (let b = 0; b < bits; b += 16) v = (v << 16n) | BigInt(Math.floor(rnd() * 65536));
  v = BigInt.asUintN(bits, v);
  return signed && rnd() < 0.5 ? -v : v;
}

function build(seed: number) {
  const rnd = seededRandom(seed);
  const maybe = (v: bigint): bigint | null => (rnd() < 0.1 ? null : v);
  const twoTo53 = 2n ** 53n;
  // IDs: neighbours around 2^53 (which doubles merge), full-width values, small ones between.
  const id = Array.from({ length: ROWS }, (_, i) =>
    maybe(
      i % 5 === 0
        ? twoTo53 + BigInt(i % 40) - 20n
        : i % 5 === 1
          ? random64(rnd, 63, true)
          : i % 5 === 2
            ? BigInt(i)
            : 1_234_567_890_123_456_789n + BigInt(i),
    ),
  );
  // Unsigned: above 2^63 too, where a signed reading would be negative.
  const uid = Array.from({ length: ROWS }, () => maybe(random64(rnd, rnd() < 0.5 ? 64 : 54, false)));
  // Fits in a double everywhere: stays numbers.
  const safe = Array.from({ length: ROWS }, () => maybe(random64(rnd, 52, true)));
  // Safe in the first three row groups, beyond 2^53 only in the last: without statistics the
  // decoders of the first groups read numbers, the last one text, and the merge makes it text.
  const late = Array.from({ length: ROWS }, (_, i) => (i < ROWS - GROUP ? BigInt(i * 1000) : twoTo53 + BigInt(i)));
  const table = new Table({
    id: vectorFromArray(id, new Int64()),
    uid: vectorFromArray(uid, new Uint64()),
    safe: vectorFromArray(safe, new Int64()),
    late: vectorFromArray(late, new Int64()),
  });
  return { table, columns: { id, uid, safe, late } };
}

const { table, columns } = build(7);
const text = (vs: readonly (bigint | null)[]) => vs.map((v) => (v === null ? null : v.toString()));

function values(col: Column): (string | number | null)[] {
  if (col.kind === 'categorical') return Array.from(col.codes, (k) => (k < 0 ? null : col.dictionary[k]));
  return Array.from(col.values, (v, i) => (col.valid && col.valid[i] === 0 ? null : v));
}

/** The table must hold the three wide columns as exact text and `safe` as numbers. */
function expectExact(t: DataTable, rows = ROWS, from = 0): void {
  const get = (name: string) => t.columns.find((c) => c.name === name)!;
  for (const name of ['id', 'uid', 'late'] as const) {
    const col = get(name);
    expect(col.kind, name).toBe('categorical');
    expect(values(col), name).toEqual(text(columns[name].slice(from, from + rows)));
    if (col.kind === 'categorical')
      expect(new Set(col.dictionary).size, `${name}: dictionary has duplicates`).toBe(col.dictionary.length);
  }
  const safe = get('safe');
  expect(safe.kind).toBe('numeric');
  expect(values(safe)).toEqual(columns.safe.slice(from, from + rows).map((v) => (v === null ? null : Number(v))));
}

const cases: [string, WriteOptions][] = [];
for (const statistics of [true, false]) {
  const s = statistics ? 'statistics' : 'no statistics';
  for (const version of [WriterVersion.V1, WriterVersion.V2]) {
    const v = version === WriterVersion.V1 ? 'v1' : 'v2';
    const base = { compression: Compression.SNAPPY, version, statistics, rowGroupSize: GROUP, pageSize: 4096 };
    cases.push([`dictionary, ${v}, ${s}`, { ...base, dictionary: true }]);
    cases.push([`PLAIN, ${v}, ${s}`, { ...base, dictionary: false }]);
    for (const [name, enc] of [
      ['DELTA_BINARY_PACKED', Encoding.DELTA_BINARY_PACKED],
      ['BYTE_STREAM_SPLIT', Encoding.BYTE_STREAM_SPLIT],
    ] as const) {
      const encodings = { id: enc, uid: enc, safe: enc, late: enc };
      cases.push([`${name}, ${v}, ${s}`, { ...base, encodings }]);
    }
  }
}

describe('INT64 beyond 2^53 - 1 keeps its exact digits', () => {
  for (const [label, options] of cases) {
    it(label, async () => {
      let bytes: Uint8Array;
      try {
        bytes = writeFixture(table, options);
      } catch (e) {
        // An encoding this build of parquet-wasm does not write for INT64 is not ours to test.
        expect(String(e)).toMatch(/not supported|unsupported/i);
        return;
      }
      const info = readParquetMetadata(bytes, 'ids.parquet');
      expect(info.rowGroups.length).toBe(ROWS / GROUP);
      const t = readParquet(bytes, 'ids.parquet');
      expectExact(t);
      // A second reader of the same bytes.
      const rows = (await parquetReadObjects({ file: bytes.slice().buffer })) as Record<string, unknown>[];
      for (const name of ['id', 'uid', 'late'] as const) {
        const theirs = rows.map((r) => (r[name] === null || r[name] === undefined ? null : String(r[name])));
        expect(values(t.columns.find((c) => c.name === name)!), `${name} vs hyparquet`).toEqual(theirs);
      }
      // Split between decoders: by row groups, and by claims from both ends of the chunk list.
      for (const workers of [2, 3]) {
        const parts = planParts(info, workers).flatMap((tasks) =>
          tasks.map((task) => structuredClone(decodeRowGroups(bytes, info, task.rowGroups, task.columns))),
        );
        expectExact(
          mergeParts(
            parts,
            info.columns.map((c) => c.name),
          ),
        );
      }
      const chunks = chunkOrder(info);
      for (const split of [3, 7, 9, 13]) {
        let front = 0;
        let back = chunks.length - 1;
        const mine = decodeClaimed(bytes, info, chunks, () => (front < split ? front++ : -1));
        const theirs = decodeClaimed(bytes, info, chunks, () => (back >= split ? back-- : -1));
        expectExact(
          mergeParts(
            [...mine, ...theirs],
            info.columns.map((c) => c.name),
          ),
        );
      }
    });
  }

  it('streamed row group by row group: with statistics every piece agrees, as the whole file reads', async () => {
    const bytes = writeFixture(table, { compression: Compression.ZSTD, rowGroupSize: GROUP });
    const file = (await openChunked(bytesSource(bytes), 'ids.parquet'))!;
    for (let k = 0; k < ROWS / GROUP; k++) {
      const piece = (await file.read(k))!;
      expectExact(piece.table, GROUP, k * GROUP);
    }
  });
});
