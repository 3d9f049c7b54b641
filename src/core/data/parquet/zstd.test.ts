// The hand-written zstd decoder against fzstd, page by page, on zstd data from two writers
// (Polars' flights-3m.parquet, and arrow-rs via parquet-wasm on inputs chosen to produce raw,
// RLE and compressed blocks, multi-block frames, repeat offsets and every table mode).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Float64, Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { decompress as fzstd } from 'fzstd';
import { describe, expect, it } from 'vitest';
import { ParquetFormatError } from './errors';
import { Compression, Encoding, seededRandom, writeFixture } from './fixtures/synthetic';
import { readParquetMetadata } from './metadata';
import { readPageHeader } from './page-header';
import { zstdDecompress } from './zstd';

/** Every page body of a file, with its uncompressed size. */
function pages(bytes: Uint8Array): { input: Uint8Array; size: number }[] {
  const info = readParquetMetadata(bytes, 'pages.parquet');
  const out: { input: Uint8Array; size: number }[] = [];
  for (const rg of info.rowGroups) {
    for (const c of rg.columns) {
      let pos = c.start;
      const end = c.start + c.compressedSize;
      while (pos < end) {
        const h = readPageHeader(bytes, pos, end, 'x');
        // v2 data pages keep their levels uncompressed in front of the zstd frame; these files are v1.
        out.push({ input: bytes.subarray(h.dataStart, h.dataStart + h.compressedSize), size: h.uncompressedSize });
        pos = h.dataStart + h.compressedSize;
      }
    }
  }
  return out;
}

function expectSameAsFzstd(list: { input: Uint8Array; size: number }[]): void {
  for (const [i, p] of list.entries()) {
    const want = new Uint8Array(p.size);
    fzstd(p.input, want);
    const got = new Uint8Array(p.size);
    zstdDecompress(p.input, got);
    const k = got.findIndex((v, j) => v !== want[j]);
    expect(k, `page ${i}: first difference at byte ${k} of ${p.size}`).toBe(-1);
  }
}

/** Columns that make zstd use raw, RLE and compressed blocks with varied sequences. */
function variedTable(rows: number): Table {
  const rnd = seededRandom(5);
  const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit'];
  return new Table({
    random: vectorFromArray(
      Array.from({ length: rows }, () => rnd()),
      new Float64(),
    ),
    constant: vectorFromArray(
      Array.from({ length: rows }, () => 7),
      new Int32(),
    ),
    ramp: vectorFromArray(
      Array.from({ length: rows }, (_, i) => i * 3),
      new Int32(),
    ),
    text: vectorFromArray(
      Array.from(
        { length: rows },
        (_, i) => `${words[Math.floor(rnd() * 8)]} ${words[i % 8]} ${Math.floor(rnd() * 50)}`,
      ),
      new Utf8(),
    ),
    runs: vectorFromArray(
      Array.from({ length: rows }, (_, i) => Math.floor(i / 1000) % 5),
      new Int32(),
    ),
  });
}

/** Constant, tiny-alphabet and half-random columns: RLE tables, single-stream literals, raw literals. */
function skewedTable(rows: number): Table {
  const rnd = seededRandom(9);
  return new Table({
    zeros: vectorFromArray(
      Array.from({ length: rows }, () => 0),
      new Int32(),
    ),
    aaa: vectorFromArray(
      Array.from({ length: rows }, () => 'a'.repeat(40)),
      new Utf8(),
    ),
    small: vectorFromArray(
      Array.from({ length: rows }, () => Math.floor(rnd() * 4)),
      new Int32(),
    ),
    mixed: vectorFromArray(
      Array.from({ length: rows }, (_, i) => (i % 100 < 50 ? 5 : Math.floor(rnd() * 1e9))),
      new Int32(),
    ),
    digits: vectorFromArray(
      Array.from({ length: rows }, () => String(Math.floor(rnd() * 1e6))),
      new Utf8(),
    ),
  });
}

describe('zstd decoder', () => {
  it('matches fzstd on every page of flights-3m.parquet (Polars)', () => {
    const path = fileURLToPath(
      new URL('../../../../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url),
    );
    expectSameAsFzstd(pages(new Uint8Array(readFileSync(path))));
  });

  it('matches fzstd on arrow-rs pages: raw, RLE, multi-block, text with matches', () => {
    const table = variedTable(200_000);
    const plain = {
      random: Encoding.PLAIN,
      constant: Encoding.PLAIN,
      ramp: Encoding.PLAIN,
      text: Encoding.PLAIN,
      runs: Encoding.PLAIN,
    };
    expectSameAsFzstd(
      pages(writeFixture(table, { compression: Compression.ZSTD, encodings: plain, pageSize: 1 << 20 })),
    );
    expectSameAsFzstd(
      pages(writeFixture(table, { compression: Compression.ZSTD, pageSize: 8192, rowGroupSize: 50_000 })),
    );
  });

  it('matches fzstd on arrow-rs pages of skewed data, pages from 300 bytes to 1 MB', () => {
    const table = skewedTable(50_000);
    const plain = {
      zeros: Encoding.PLAIN,
      aaa: Encoding.PLAIN,
      small: Encoding.PLAIN,
      mixed: Encoding.PLAIN,
      digits: Encoding.PLAIN,
    };
    for (const pageSize of [300, 2000, 1 << 20])
      expectSameAsFzstd(pages(writeFixture(table, { compression: Compression.ZSTD, encodings: plain, pageSize })));
  });

  it('rejects corrupt frames with an error, never a hang or a write out of bounds', () => {
    const table = variedTable(20_000);
    const list = pages(
      writeFixture(table, { compression: Compression.ZSTD, encodings: { text: Encoding.PLAIN }, pageSize: 1 << 16 }),
    );
    const rnd = seededRandom(11);
    let rejected = 0;
    for (let trial = 0; trial < 400; trial++) {
      const p = list[trial % list.length];
      const bad = p.input.slice();
      for (let k = 0; k < 3; k++) bad[Math.floor(rnd() * bad.length)] = Math.floor(rnd() * 256);
      try {
        zstdDecompress(bad, new Uint8Array(p.size));
      } catch (e) {
        expect(e).toBeInstanceOf(ParquetFormatError);
        rejected++;
      }
      // Truncation must always be caught.
      expect(() =>
        zstdDecompress(p.input.subarray(0, Math.floor(rnd() * p.input.length)), new Uint8Array(p.size)),
      ).toThrow(ParquetFormatError);
    }
    expect(rejected).toBeGreaterThan(100);
  });
});
