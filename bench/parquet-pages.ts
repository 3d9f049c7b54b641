/** Shared by the codec benchmarks: the compressed body of every page of a Parquet file. */
import { readParquetMetadata } from '../src/core/data/parquet/index';
import { readPageHeader } from '../src/core/data/parquet/page-header';

/** Each compressed page's stream (after the levels of a v2 page) and its inflated size. */
export function compressedPages(file: Uint8Array, name: string): { body: Uint8Array; size: number }[] {
  const pages: { body: Uint8Array; size: number }[] = [];
  for (const g of readParquetMetadata(file, name).rowGroups) {
    for (const c of g.columns) {
      const end = c.start + c.compressedSize;
      for (let pos = c.start; pos < end;) {
        const h = readPageHeader(file, pos, end, 'bench');
        const levels = h.defLevelsLength + h.repLevelsLength;
        if (h.isCompressed)
          pages.push({
            body: file.subarray(h.dataStart + levels, h.dataStart + h.compressedSize),
            size: h.uncompressedSize - levels,
          });
        pos = h.dataStart + h.compressedSize;
      }
    }
  }
  return pages;
}
