import { readArrow } from './arrow';
import { plainBytes } from './bytes';
import { readCsv } from './csv';
import { readJson } from './json';
import { readParquet } from './parquet';
import { isHdf5, loadHdf5, readHdf5 } from './hdf5';
import { readTfRecord, sniffTfRecord } from './tfrecord';
import { DataError, type DataTable, type SourceFormat } from './table';
import { DELIMITERS, sniffDelimiter } from './csv-tokenize';
import { assertText, bomLength } from './text';

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
  // A workbook or array renamed `.csv` says what it is rather than failing as text.
  const foreign = foreignFormat(bytes) !== null && !isText(bytes);
  if (foreign) return null;
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  if (ext === 'csv' || ext === 'tsv' || ext === 'txt' || ext === 'tab') return 'csv';
  if (ext === 'json' || ext === 'ndjson' || ext === 'jsonl') return 'json';
  if (ext === 'arrow' || ext === 'feather' || ext === 'arrows' || ext === 'ipc') return 'arrow';
  if (ext === 'parquet') return 'parquet';
  if (ext === 'h5' || ext === 'hdf5' || ext === 'he5' || ext === 'hdf') return 'hdf5';
  if (TFRECORD_NAME.test(fileName)) return 'tfrecord';
  // No extension that says (UCI's `iris.data`, a download saved without one): UTF-8 text is
  // JSON when it opens with `[` or `{`, else CSV/TSV when its first line holds a delimiter or its
  // lines split into the same number of blank-separated columns (a README or log is not taken
  // for a one-column table), its delimiter and header sniffed as usual.
  if (isText(bytes)) {
    let k = bomLength(bytes);
    while (k < bytes.length && (bytes[k] === 32 || bytes[k] === 9 || bytes[k] === 10 || bytes[k] === 13)) k++;
    if (bytes[k] === 0x5b || bytes[k] === 0x7b) return 'json';
    return firstLineDelimited(bytes, k) || sniffDelimiter(bytes, k) === ' ' ? 'csv' : null;
  }
  return null;
}

/** Whether the line at `start` (within its first 64 KiB, quotes respected) holds a CSV delimiter. */
function firstLineDelimited(bytes: Uint8Array, start: number): boolean {
  const codes: readonly number[] = DELIMITERS.map((d) => d.charCodeAt(0));
  let inQuote = false;
  for (let i = start; i < Math.min(bytes.length, start + 65536); i++) {
    const c = bytes[i];
    if (c === 34) inQuote = !inQuote;
    else if (inQuote) continue;
    else if (c === 10 || c === 13) return false;
    else if (codes.includes(c)) return true;
  }
  return false;
}

/** Whether the first 4 KiB are UTF-8 text without NUL bytes (`assertText`'s check). */
function isText(bytes: Uint8Array): boolean {
  try {
    assertText(bytes, '');
    return true;
  } catch {
    return false;
  }
}

/** Formats people try that Trainbench does not read, by their first bytes, and what to do instead. */
const FOREIGN: readonly [number[], string][] = [
  [
    [0x50, 0x4b, 0x03, 0x04],
    'a ZIP archive (an Excel .xlsx workbook is one): save the sheet as CSV, or unzip the archive and open the data file in it',
  ],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Excel .xls workbook (OLE2): save the sheet as CSV'],
  [[0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59], 'a NumPy .npy array: save it as Parquet, Arrow or CSV (pandas or pyarrow)'],
  [[0x4f, 0x52, 0x43], 'an ORC file: convert it to Parquet (pyarrow.orc then pyarrow.parquet)'],
  [[0x4f, 0x62, 0x6a, 0x01], 'an Avro container file: convert it to Parquet or CSV'],
  ...[2, 3, 4, 5].map((protocol): [number[], string] => [
    [0x80, protocol],
    'a Python pickle (loading one can run code, so it is not read): save the DataFrame as Parquet',
  ]),
];

/** What a file in a format Trainbench does not read is, and what to do (null: none of those). */
function foreignFormat(bytes: Uint8Array): string | null {
  for (const [magic, what] of FOREIGN) if (magic.every((b, i) => bytes[i] === b)) return what;
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
    const text = isText(bytes);
    const foreign = text ? null : foreignFormat(bytes);
    const what = foreign
      ? `it is ${foreign}`
      : text
        ? 'it is text, but its first line has no comma, tab, semicolon or | to split columns by, and its ' +
          'lines do not split into the same number of space-separated columns; name it .csv to read each line as one value'
        : 'the first bytes match none of them';
    throw new DataError(
      `${fileName}: not a dataset Trainbench can read (expected Parquet, Arrow IPC, CSV/TSV, JSON, ` +
        `TFRecord or HDF5; ${what})`,
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
