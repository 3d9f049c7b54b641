/** Single-threaded entry point: a whole Parquet file (or some row groups and columns) to a DataTable. */
import { plainBytes } from '../bytes';
import type { DataTable } from '../table';
import { withFileName } from './errors';
import { mergeParts } from './merge';
import { parseFileInfo } from './metadata';
import { decodeRowGroups, selectColumns } from './part';
import { skippedColumns } from './schema';
import type { ParquetFileInfo } from './types';

/** Options of readParquet. */
export interface ReadParquetOptions {
  /** Row groups to decode (default: all). */
  readonly rowGroups?: readonly number[];
  /** Columns to decode, by name (default: every column this reader can read; the others are in `skipped`). */
  readonly columns?: readonly string[];
}

/**
 * Decodes a Parquet file to a DataTable on the calling thread. Strings become categorical
 * columns (codes plus one dictionary), INT64 becomes Int32Array when it fits (else Float64),
 * timestamps become milliseconds since the epoch. Throws a DataError naming the file and,
 * where it applies, the column and row group, for any file it cannot read exactly.
 */
export function readParquet(input: Uint8Array, fileName: string, opts: ReadParquetOptions = {}): DataTable {
  const bytes = plainBytes(input);
  const info = withFileName(fileName, () => parseFileInfo(bytes, fileName));
  const rowGroups = opts.rowGroups ?? info.rowGroups.map((_, i) => i);
  const names = withFileName(fileName, () => selectColumns(info, opts.columns).map((c) => c.name));
  const part = decodeRowGroups(bytes, info, rowGroups, names);
  const table: DataTable =
    part.columns.length === 0
      ? { name: fileName, format: 'parquet', rows: part.rows, columns: [] }
      : mergeParts([part], names);
  return withSkipped(table, info);
}

/**
 * The table with the file's columns it could not read listed in `skipped` (each with its
 * Parquet type and reason); the one- and two-core paths both finish with it.
 */
export function withSkipped(table: DataTable, info: ParquetFileInfo): DataTable {
  const skipped = skippedColumns(info.columns);
  return skipped.length > 0 ? { ...table, skipped } : table;
}
