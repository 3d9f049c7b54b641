/**
 * Reads a Parquet file's footer: `PAR1`, pages, Thrift FileMetaData, its 4-byte length, `PAR1`.
 */
import { plainBytes } from '../bytes';
import { fail, withFileName } from './errors';
import { readSchema } from './schema';
import {
  asStruct,
  optBinary,
  optInt,
  optList,
  optString,
  optStruct,
  readStruct,
  reqInt,
  type ThriftStruct,
} from './thrift';
import {
  CODECS,
  ENCODINGS,
  type ParquetColumnChunkInfo,
  type ParquetColumnInfo,
  type ParquetFileInfo,
  type ParquetRowGroupInfo,
  type ParquetStatistics,
} from './types';

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"
const F = 'the file footer';

function hasMagic(bytes: Uint8Array, at: number): boolean {
  return MAGIC.every((b, i) => bytes[at + i] === b);
}

function readStatistics(s: ThriftStruct | undefined, what: string): ParquetStatistics | null {
  if (!s) return null;
  // min_value/max_value (5, 6) use the column's sort order; the legacy min/max (2, 1) are signed.
  // Copies, so that posting the info to a worker does not clone the whole file.
  const min = optBinary(s, 6, what) ?? optBinary(s, 2, what);
  const max = optBinary(s, 5, what) ?? optBinary(s, 1, what);
  return { min: min?.slice(), max: max?.slice(), nullCount: optInt(s, 3, what) };
}

/**
 * Where a column chunk's first page is. Some writers put 0 in dictionary_page_offset when
 * there is none; a dictionary page always comes first, so the chunk starts at the smaller
 * valid offset. Some (parquet-mr with column chunk metadata, data/column_chunk_key_value_metadata)
 * write 0 for data_page_offset: then the dictionary offset, else where the previous chunk ended
 * (chunks follow each other; a row group's first starts at its file_offset where the footer
 * has one, else after the previous row group, else at 4), as other readers do.
 */
function chunkStart(dataOffset: number, dictOffset: number | undefined, previousEnd: number): number {
  const dict = dictOffset !== undefined && dictOffset >= 4 ? dictOffset : null;
  if (dataOffset >= 4) return dict !== null && dict < dataOffset ? dict : dataOffset;
  if (dataOffset !== 0) return dataOffset;
  return dict ?? previousEnd;
}

function readColumnChunk(
  v: ThriftStruct,
  rg: number,
  leaf: ParquetColumnInfo,
  fileLength: number,
  previousEnd: number,
): ParquetColumnChunkInfo {
  const what = `${F} (row group ${rg}, column "${leaf.name}")`;
  if (optString(v, 1, what) !== undefined)
    fail(`column "${leaf.name}" of row group ${rg} lives in another file, which is not supported`);
  const md = optStruct(v, 3, what);
  if (!md) return fail(`${what} is corrupt (no column metadata)`);
  const codecId = reqInt(md, 4, what);
  const codec = CODECS[codecId] ?? fail(`${what} is corrupt (unknown compression codec ${codecId})`);
  const dataOffset = reqInt(md, 9, what);
  const dictOffset = optInt(md, 11, what);
  const start = chunkStart(dataOffset, dictOffset, previousEnd);
  const compressedSize = reqInt(md, 7, what);
  const numValues = reqInt(md, 5, what);
  if (start < 4 || compressedSize < 0 || start + compressedSize > fileLength - 8) {
    fail(
      `${what} is corrupt (its pages at bytes ${start}..${start + compressedSize} lie outside ` +
        `the file's ${fileLength} bytes)`,
    );
  }
  if (numValues < 0) fail(`${what} is corrupt (negative value count ${numValues})`);
  const encodings = (optList(md, 2, what) ?? []).map((e) =>
    typeof e === 'number' ? (ENCODINGS[e] ?? `encoding ${e}`) : '?',
  );
  return {
    codec,
    numValues,
    start,
    compressedSize,
    uncompressedSize: reqInt(md, 6, what),
    encodings,
    statistics: readStatistics(optStruct(md, 12, what), what),
  };
}

/** Parses the footer of `bytes`; errors are reported without the file name (see `withFileName`). */
export function parseFileInfo(bytes: Uint8Array, fileName: string): ParquetFileInfo {
  return parseFooter(bytes, bytes, bytes.length, fileName);
}

/**
 * The footer's length, from a file's first 4 and last 8 bytes (`head`, `tail8`) and its size
 * `n`: checks the magic bytes and that the length fits between them. A reader that holds only
 * part of the file (see `source-chunks.ts`) reads this first, then the footer itself.
 */
export function footerLengthOf(head: Uint8Array, tail8: Uint8Array, n: number): number {
  if (n === 0) fail('empty file (0 bytes)');
  if (n < 4 || !hasMagic(head, 0)) fail('not a Parquet file (it does not start with the magic bytes "PAR1")');
  if (n < 12) fail(`truncated Parquet file (${n} bytes; even an empty Parquet file needs 12)`);
  const t = tail8.length;
  if (!hasMagic(tail8, t - 4)) fail('truncated Parquet file (it starts with "PAR1" but does not end with it)');
  const footerLength = (tail8[t - 8] | (tail8[t - 7] << 8) | (tail8[t - 6] << 16) | (tail8[t - 5] << 24)) >>> 0;
  if (footerLength === 0 || footerLength > n - 12) {
    fail(
      `corrupt footer length: ${footerLength} bytes announced, but only ${n - 12} bytes lie between the magic bytes`,
    );
  }
  return footerLength;
}

/**
 * Parses the footer of a file of `n` bytes from its first bytes (`head`, at least 4) and its
 * last (`tail`, ending at byte n and holding at least the footer and its 8-byte trailer).
 */
export function parseFooter(head: Uint8Array, tail: Uint8Array, n: number, fileName: string): ParquetFileInfo {
  const footerLength = footerLengthOf(head, tail, n);
  const base = n - tail.length;
  const footerStart = n - 8 - footerLength;
  if (footerStart < base) fail(`the footer (${footerLength} bytes) was not read whole`);
  let md: ThriftStruct;
  try {
    md = readStruct(tail, footerStart - base, tail.length - 8, F).struct;
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return fail(
      `corrupt footer: the ${footerLength} bytes before the footer length are not valid Parquet metadata (${detail})`,
    );
  }
  const schemaList = optList(md, 2, F);
  if (!schemaList) return fail(`corrupt footer: no schema`);
  const columns = readSchema(schemaList);
  // The leaf whose column chunk is at each position of a row group (an INTERVAL's three columns share one).
  const chunkLeaves = columns.filter((c, i) => i === 0 || c.index !== columns[i - 1].index);
  const numRows = reqInt(md, 3, F);
  if (numRows < 0) fail(`corrupt footer: negative row count ${numRows}`);
  const rowGroups: ParquetRowGroupInfo[] = [];
  let rowStart = 0;
  // Where the previous column chunk ended (chunks and row groups follow each other in the file).
  let previousEnd = 4;
  for (const [rg, v] of (optList(md, 4, F) ?? []).entries()) {
    const s = asStruct(v, F);
    const what = `${F} (row group ${rg})`;
    const chunks = optList(s, 1, what) ?? [];
    if (chunks.length !== chunkLeaves.length)
      fail(`${what} is corrupt (${chunks.length} column chunks for ${chunkLeaves.length} columns)`);
    const rgRows = reqInt(s, 3, what);
    if (rgRows < 0) fail(`${what} is corrupt (negative row count)`);
    const groupOffset = optInt(s, 5, what);
    if (groupOffset !== undefined && groupOffset >= 4) previousEnd = groupOffset;
    const cols = chunks.map((c, i) => {
      const chunk = readColumnChunk(asStruct(c, what), rg, chunkLeaves[i], n, previousEnd);
      previousEnd = chunk.start + chunk.compressedSize;
      return chunk;
    });
    rowGroups.push({
      numRows: rgRows,
      rowStart,
      compressedSize: cols.reduce((a, c) => a + c.compressedSize, 0),
      columns: cols,
    });
    rowStart += rgRows;
  }
  // Some writers leave the file's row count at 0 (data/repeated_no_annotation): the row groups say.
  if (rowStart !== numRows && numRows !== 0)
    fail(`corrupt footer: the row groups hold ${rowStart} rows but the file says ${numRows}`);
  return { fileName, numRows: rowStart, createdBy: optString(md, 6, F) ?? '', columns, rowGroups, footerLength };
}

/**
 * Reads the schema, row groups and row count of a Parquet file from its footer, without
 * decoding any page. Throws a DataError naming the file when the bytes are not a readable
 * Parquet file (empty, wrong magic, truncated, corrupt footer).
 */
export function readParquetMetadata(bytes: Uint8Array, fileName: string): ParquetFileInfo {
  return withFileName(fileName, () => parseFileInfo(plainBytes(bytes), fileName));
}
