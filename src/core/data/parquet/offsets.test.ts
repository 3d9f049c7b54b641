// Column chunks whose footer offsets are 0 (parquet-mr wrote data_page_offset 0 with column
// chunk metadata: apache/parquet-testing's column_chunk_key_value_metadata.parquet, which holds
// no rows): the pages are found from the dictionary page offset, else where the previous chunk
// ended, and read to the same table as the file with its offsets.
import { describe, expect, it } from 'vitest';
import type { DataTable } from '../table';
import { rewritePages } from './fixtures/rewrite';
import { Compression, syntheticTable, writeFixture } from './fixtures/synthetic';
import { readParquet, readParquetMetadata } from './index';

const { table } = syntheticTable(900, 5);

function same(t: DataTable) {
  return {
    rows: t.rows,
    columns: t.columns.map((c) => [
      c.name,
      c.kind === 'categorical' ? Array.from(c.codes, (k) => (k < 0 ? null : c.dictionary[k])) : Array.from(c.values),
    ]),
  };
}

describe('column chunks whose page offsets are 0', () => {
  for (const dictionary of [true, false]) {
    const original = rewritePages(
      writeFixture(table, { compression: Compression.SNAPPY, dictionary, rowGroupSize: 300, pageSize: 1024 }),
      {},
    );
    const want = same(readParquet(original, 'f.parquet'));
    for (const zeroOffsets of ['data', 'all'] as const) {
      it(`dictionary ${dictionary ? 'on' : 'off'}, ${zeroOffsets === 'data' ? 'data_page_offset' : 'every offset'} 0: the same table`, () => {
        const bytes = rewritePages(original, { zeroOffsets });
        const info = readParquetMetadata(bytes, 'f.parquet');
        expect(info.rowGroups.length).toBe(3);
        expect(info.rowGroups.map((g) => g.columns.map((c) => c.start))).toEqual(
          readParquetMetadata(original, 'f.parquet').rowGroups.map((g) => g.columns.map((c) => c.start)),
        );
        expect(same(readParquet(bytes, 'f.parquet'))).toEqual(want);
      });
    }
  }
});
