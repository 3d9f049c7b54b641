// Defects the Parquet fuzz campaign (src/core/data/fuzz/parquet-fuzz.test.ts) found, each built
// here in code: brotli's own error texts reached the user ('[ReadHuffmanCodeLengths] space =
// 12', 'Unexpected end of input 96 80'), and defects found inside a page's values or levels were
// reported without the column or page ('a PLAIN BYTE_ARRAY value runs past the end of the page').
import { Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { DataError } from '../table';
import { Compression, Encoding, WriterVersion, syntheticTable, writeFixture } from './fixtures/synthetic';
import { readParquet, readParquetMetadata } from './index';
import { readPageHeader, type PageHeader } from './page-header';
import { thrown } from './fixtures/errors';

const errorOf = (f: () => unknown): string => thrown(f, DataError).message;

/** The data pages of a file's column `column`, with their headers. */
function dataPages(bytes: Uint8Array, column: number): PageHeader[] {
  const out: PageHeader[] = [];
  for (const g of readParquetMetadata(bytes, 'x.parquet').rowGroups) {
    const c = g.columns[column];
    const end = c.start + c.compressedSize;
    for (let pos = c.start; pos < end;) {
      const h = readPageHeader(bytes, pos, end, 'x');
      if (h.type === 'DATA_PAGE' || h.type === 'DATA_PAGE_V2') out.push(h);
      pos = h.dataStart + h.compressedSize;
    }
  }
  return out;
}

/** Texts only hyparquet-compressors' brotli decoder writes. */
const BROTLI_TEXT =
  /\[\w+\]|Unexpected end of input|Invalid (size|reserved|backward)|copyUncompressedBlockToOutput|BuildHuffmanTable|output buffer/;

describe('found by the Parquet fuzz campaign', () => {
  it("a damaged BROTLI page is refused in the reader's words, never the brotli library's", () => {
    const bytes = writeFixture(syntheticTable(300, 3).table, { compression: Compression.BROTLI, dictionary: false });
    const pages = dataPages(bytes, 4); // f64
    const rng = new Rng(3);
    const messages = new Set<string>();
    for (let trial = 0; trial < 200; trial++) {
      const p = pages[rng.int(pages.length)];
      const bad = bytes.slice();
      bad[p.dataStart + rng.int(p.compressedSize)] ^= 1 << rng.int(8);
      try {
        readParquet(bad, 'b.parquet');
      } catch (e) {
        expect(e).toBeInstanceOf(DataError);
        messages.add((e as Error).message);
      }
    }
    const all = [...messages];
    expect(all.filter((m) => BROTLI_TEXT.test(m))).toEqual([]);
    expect(
      all.some((m) =>
        /^b\.parquet: corrupt page in column "f64" \(row group 0\), page \d+: BROTLI data does not decompress \(brotli: the stream is corrupt\)$/.test(
          m,
        ),
      ),
      all.join('\n'),
    ).toBe(true);
  });

  it("a defect inside a page's values names the column, row group and page", () => {
    const n = 50;
    const table = new Table({
      s: vectorFromArray(
        Array.from({ length: n }, (_, i) => `word ${i}`),
        new Utf8(),
      ),
    });
    const bytes = writeFixture(table, {
      compression: Compression.UNCOMPRESSED,
      encodings: { s: Encoding.PLAIN },
      version: WriterVersion.V2,
    });
    const [p] = dataPages(bytes, 0);
    const bad = bytes.slice();
    // The first value's 4-byte length (after the v2 page's levels), made far longer than the page.
    new DataView(bad.buffer).setUint32(p.dataStart + p.repLevelsLength + p.defLevelsLength, 0x7fffffff, true);
    expect(errorOf(() => readParquet(bad, 's.parquet'))).toBe(
      's.parquet: corrupt page: column "s" (row group 0), page 1: a PLAIN BYTE_ARRAY value runs past the end ' +
        'of the page',
    );
  });
});
