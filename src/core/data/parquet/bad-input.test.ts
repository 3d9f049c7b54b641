// Files that are not (or no longer) valid Parquet: each must fail fast with a DataError that
// names the file and says what is wrong; none may hang or return made-up values.
import { describe, expect, it } from 'vitest';
import { DataError } from '../table';
import { Compression, seededRandom, syntheticTable, unsupportedTable, writeFixture } from './fixtures/synthetic';
import { decodeRowGroups, readParquet, readParquetMetadata } from './index';
import { thrown } from './fixtures/errors';

const { table } = syntheticTable(500, 7);
const good = writeFixture(table, { compression: Compression.ZSTD, rowGroupSize: 200 });
const plain = writeFixture(table, { compression: Compression.UNCOMPRESSED, rowGroupSize: 200 });

const errorOf = (f: () => unknown): DataError => thrown(f, DataError);

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const le32 = (n: number) => Uint8Array.of(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24);

describe('bad Parquet input', () => {
  it('empty file', () => {
    expect(errorOf(() => readParquet(new Uint8Array(0), 'empty.parquet')).message).toBe(
      'empty.parquet: empty file (0 bytes)',
    );
  });

  it('not Parquet (bad magic)', () => {
    expect(errorOf(() => readParquet(ascii('a,b\n1,2\n'), 'data.parquet')).message).toBe(
      'data.parquet: not a Parquet file (it does not start with the magic bytes "PAR1")',
    );
  });

  it('truncated file', () => {
    const cut = good.subarray(0, good.length - 100);
    expect(errorOf(() => readParquet(cut, 'cut.parquet')).message).toBe(
      'cut.parquet: truncated Parquet file (it starts with "PAR1" but does not end with it)',
    );
    expect(errorOf(() => readParquetMetadata(ascii('PAR1PAR1'), 'tiny.parquet')).message).toBe(
      'tiny.parquet: truncated Parquet file (8 bytes; even an empty Parquet file needs 12)',
    );
  });

  it('PAR1 magic with garbage inside', () => {
    const rnd = seededRandom(1);
    const garbage = Uint8Array.from({ length: 2000 }, () => Math.floor(rnd() * 256));
    const file = concat(ascii('PAR1'), garbage, le32(500), ascii('PAR1'));
    expect(errorOf(() => readParquet(file, 'garbage.parquet')).message).toMatch(
      /^garbage\.parquet: corrupt footer: the 500 bytes before the footer length are not valid Parquet metadata \(.+\)$/,
    );
  });

  it('corrupt footer length', () => {
    const bad = good.slice();
    bad.set(le32(0x7fffff00), bad.length - 8);
    expect(errorOf(() => readParquet(bad, 'len.parquet')).message).toBe(
      `len.parquet: corrupt ` +
        `footer length: ${0x7fffff00} bytes announced, but only ${good.length - 12} bytes lie between the magic bytes`,
    );
    bad.set(le32(0), bad.length - 8);
    expect(errorOf(() => readParquet(bad, 'len.parquet')).message).toMatch(
      /^len\.parquet: corrupt footer length: 0 bytes announced/,
    );
  });

  it('FIXED_LEN_BYTE_ARRAY that is not a decimal: read as hashed bytes, one bucket per distinct value here', () => {
    const bytes = writeFixture(unsupportedTable('fixed'), { compression: Compression.SNAPPY });
    const info = readParquetMetadata(bytes, 'uuid.parquet');
    expect(info.columns[1].skipped).toBeUndefined();
    const t = readParquet(bytes, 'uuid.parquet');
    expect(t.columns.map((c) => c.name)).toEqual(['id', 'uuid']);
    expect(t.skipped).toBeUndefined();
    const uuid = t.columns[1];
    if (uuid.kind !== 'categorical') throw new Error('uuid is not categorical');
    expect(uuid.bytes).toBe(true);
    // Four distinct 16-byte values: four codes, in order (bucket names, not the bytes).
    expect(Array.from(uuid.codes)).toEqual([0, 1, 2, 3]);
    expect(uuid.dictionary.every((d) => /^#[0-9a-f]{4}$/.test(d))).toBe(true);
    expect(readParquet(bytes, 'uuid.parquet', { columns: ['id'] }).rows).toBe(4);
  });

  it('a LIST column: skipped (asked for by its name or a leaf, refused with its reason)', () => {
    const bytes = writeFixture(unsupportedTable('list'), { compression: Compression.SNAPPY });
    const reason = 'a list column: one value per row is needed to train';
    expect(readParquet(bytes, 'list.parquet').skipped).toEqual([{ name: 'tags', type: 'list<int32>', reason }]);
    for (const name of ['tags', 'tags.list.item']) {
      expect(errorOf(() => readParquet(bytes, 'list.parquet', { columns: [name] })).message).toBe(
        `list.parquet: column "${name}" (list<int32>) cannot be read: ${reason}`,
      );
    }
    expect(readParquet(bytes, 'list.parquet', { columns: ['id'] }).rows).toBe(3);
  });

  it('unknown column and row group are named', () => {
    expect(errorOf(() => readParquet(good, 'g.parquet', { columns: ['nope'] })).message).toMatch(
      /^g\.parquet: no column named "nope" \(columns: i32, /,
    );
    const info = readParquetMetadata(good, 'g.parquet');
    expect(errorOf(() => decodeRowGroups(good, info, [9])).message).toBe('g.parquet: no row group 9 (the file has 3)');
  });

  it('corrupt page: garbage in a ZSTD page names the column and row group', () => {
    const info = readParquetMetadata(good, 'z.parquet');
    const chunk = info.rowGroups[1].columns[4]; // f64, no dictionary
    const bad = good.slice();
    for (let i = chunk.start + 40; i < chunk.start + chunk.compressedSize; i++) bad[i] = (i * 7919) & 255;
    expect(errorOf(() => readParquet(bad, 'z.parquet')).message).toMatch(/^z\.parquet: corrupt page/);
    expect(errorOf(() => readParquet(bad, 'z.parquet')).message).toContain('column "f64" (row group 1)');
  });

  it('random corruption anywhere: a DataError or a table, never another error or a hang', () => {
    const rnd = seededRandom(99);
    for (const src of [good, plain]) {
      for (let trial = 0; trial < 300; trial++) {
        const bad = src.slice();
        const flips = 1 + Math.floor(rnd() * 4);
        for (let k = 0; k < flips; k++) bad[Math.floor(rnd() * bad.length)] = Math.floor(rnd() * 256);
        try {
          readParquet(bad, 'fuzz.parquet');
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          expect(e.message.startsWith('fuzz.parquet: ')).toBe(true);
        }
      }
    }
  });
});
