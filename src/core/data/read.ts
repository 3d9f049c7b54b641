import { readArrow } from './arrow';
import { plainBytes } from './bytes';
import { readCsv } from './csv';
import { readJson } from './json';
import { readParquet } from './parquet';
import { isHdf5, loadHdf5, readHdf5 } from './hdf5';
import { readTfRecord, sniffTfRecord } from './tfrecord';
import { DataError, type DataTable, type SourceFormat } from './table';

/** Names TFRecord files go by (a damaged one is still read as TFRecord, so that the error says what is wrong). */
const TFRECORD_NAME = /\.(tfrecords?|tfrec)(\.gz|\.gzip)?$/i;

/** Recognises a file's format from its first bytes, falling back to the file name's extension. */
export function sniffFormat(bytes: Uint8Array, fileName: string): SourceFormat | null {
  const magic = (s: string, at = 0) =>
    bytes.length >= at + s.length && [...s].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));
  if (magic('PAR1')) return 'parquet';
  if (isHdf5(bytes)) return 'hdf5';
  if (magic('ARROW1')) return 'arrow';
  // Arrow IPC stream: continuation marker 0xFFFFFFFF then a metadata length.
  if (bytes.length >= 8 && bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff)
    return 'arrow';
  // TFRecord has no magic bytes, but its first 12 frame a length with its masked CRC-32C (a
  // chance of 2^-32 for other bytes); a gzip stream is inflated just far enough to check that.
  if (sniffTfRecord(bytes)) return 'tfrecord';
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (ext === 'csv' || ext === 'tsv' || ext === 'txt' || ext === 'tab') return 'csv';
  if (ext === 'json' || ext === 'ndjson' || ext === 'jsonl') return 'json';
  if (ext === 'arrow' || ext === 'feather' || ext === 'arrows' || ext === 'ipc') return 'arrow';
  if (ext === 'parquet') return 'parquet';
  if (ext === 'h5' || ext === 'hdf5' || ext === 'he5' || ext === 'hdf') return 'hdf5';
  if (TFRECORD_NAME.test(fileName)) return 'tfrecord';
  return null;
}

/** A format as a message names it: "an arrow file", "a csv file" ("a file of another format" for null). */
export function aFormat(format: SourceFormat | null): string {
  if (format === null) return 'a file of another format';
  return `${/^[aeiou]/.test(format) ? 'an' : 'a'} ${format} file`;
}

/** What a read may ask beyond the bytes: the HDF5 group to read (see `hdf5.ts`). */
export interface ReadOptions {
  readonly group?: string;
}

/** A reader for one format; more are registered as they land (Parquet, CSV, JSON). */
export type Reader = (bytes: Uint8Array, fileName: string, options?: ReadOptions) => DataTable;

const readers: Partial<Record<SourceFormat, Reader>> = {
  arrow: readArrow,
  csv: (b, n) => readCsv(b, n),
  json: readJson,
  parquet: (b, n) => readParquet(b, n),
  tfrecord: readTfRecord,
};

/** Registers the reader for a format (kept open so that heavy readers load only where needed). */
export function registerReader(format: SourceFormat, reader: Reader): void {
  readers[format] = reader;
}

/**
 * Loads the reader a file needs when it is one that loads on demand (HDF5: h5wasm, about 4 MB of
 * WebAssembly); call before `readTable` on bytes of unknown format. Nothing for the others.
 */
export async function prepareReader(bytes: Uint8Array, fileName: string): Promise<void> {
  if (readers.hdf5 || sniffFormat(bytes.subarray(0, 1 << 21), fileName) !== 'hdf5') return;
  let lib;
  try {
    lib = await loadHdf5();
  } catch {
    throw new DataError(`${fileName}: the HDF5 reader (h5wasm) could not be loaded here`);
  }
  registerReader('hdf5', (b, n, o) => readHdf5(lib, b, n, o?.group));
}

/**
 * Decodes a file of any supported format into a DataTable. Every failure is a DataError
 * whose message names the file and says what was wrong.
 */
export function readTable(input: Uint8Array, fileName: string, options?: ReadOptions): DataTable {
  const bytes = plainBytes(input);
  if (bytes.length === 0) throw new DataError(`${fileName}: empty file`);
  const format = sniffFormat(bytes, fileName);
  if (format === null) {
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b)
      throw new DataError(
        `${fileName}: a gzip-compressed file that does not hold TFRecord records (Trainbench inflates gzip only ` +
          'for TFRecord; decompress other files first)',
      );
    throw new DataError(
      `${fileName}: not a dataset Trainbench can read (expected Parquet, Arrow IPC, CSV/TSV, JSON, ` +
        `TFRecord or HDF5; the first bytes match none of them)`,
    );
  }
  const reader = readers[format];
  if (!reader) throw new DataError(`${fileName}: ${format} files are not supported yet`);
  if (options?.group !== undefined && format !== 'hdf5')
    throw new DataError(`${fileName}: a group is read from HDF5 files only; this is ${aFormat(format)}`);
  let table: DataTable;
  try {
    table = reader(bytes, fileName, options);
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`${fileName}: could not be decoded as ${format} (${(e as Error).message})`);
  }
  if (table.rows === 0) throw new DataError(`${fileName}: the file holds no rows`);
  if (table.columns.length === 0) throw new DataError(`${fileName}: the file holds no columns`);
  return table;
}
