import { buildColumn, type FieldRanges } from './column-builder';
import { sniffDelimiter, tokenize, type Delimiter } from './csv-tokenize';
import { classifyBytes, Kind } from './infer';
import { DataError, type Column, type DataTable } from './table';
import { assertText, bomLength, decodeRange } from './text';

export type { Delimiter } from './csv-tokenize';

/** Options of `readCsv`. */
export interface CsvOptions {
  /** Field separator; sniffed from the first records when left out. */
  delimiter?: Delimiter;
  /**
   * Whether the first row holds column names. `'auto'` (the default): it does when every
   * one of its fields is non-empty text, that is not a number, boolean, date, timestamp or
   * missing-value word (a row of names is never numeric). A file made only of text columns
   * is therefore read with a header; pass `false` for such a file without one. Without a
   * header, columns are named `column_1`, `column_2`, ...
   */
  header?: boolean | 'auto';
}

/**
 * Reads CSV or TSV bytes into a DataTable in one scan of the bytes (no per-line strings).
 * Handles RFC 4180 quoting, LF / CRLF / CR line ends, a UTF-8 BOM, delimiter sniffing,
 * header detection and per-column type inference over all rows (see `infer.ts` for the
 * rules, missing values and non-finite numbers included). Bad input throws a DataError
 * naming the file and, where there is one, the line: empty files, binary or non-UTF-8 data,
 * rows with a different number of fields than the first, and unclosed quotes.
 */
export function readCsv(bytes: Uint8Array, fileName: string, opts: CsvOptions = {}): DataTable {
  const start = bomLength(bytes);
  let k = start;
  while (k < bytes.length && (bytes[k] === 10 || bytes[k] === 13 || bytes[k] === 32 || bytes[k] === 9)) k++;
  if (k === bytes.length) throw new DataError(`${fileName}: empty file`);
  if (bytes.length > 0x7fff_ffff) throw new DataError(`${fileName}: too large for the CSV reader (over 2 GiB)`);
  assertText(bytes, fileName);
  const delimiter = opts.delimiter ?? sniffDelimiter(bytes, start);
  const { ranges, fields, stride } = tokenize(bytes, start, delimiter.charCodeAt(0), fileName);
  const records = fields / stride;
  const header = opts.header === undefined || opts.header === 'auto' ? looksLikeHeader(bytes, ranges, stride) : opts.header;
  const firstRow = header ? 1 : 0;
  const src: FieldRanges = { bytes, ranges, stride, firstRow, rows: records - firstRow, fileName };
  const names = columnNames(src, header);
  const columns: Column[] = names.map((name, c) => buildColumn(src, c, name));
  return { name: fileName, format: 'csv', rows: src.rows, columns };
}

function looksLikeHeader(bytes: Uint8Array, ranges: Int32Array, stride: number): boolean {
  for (let c = 0; c < stride; c++) {
    const e = ranges[2 * c + 1];
    if (e < 0) continue; // holds doubled quotes: text
    if (classifyBytes(bytes, ranges[2 * c], e) !== Kind.text) return false;
  }
  return true;
}

/** Header names (empty ones become column_N, repeated ones get a _2, _3 suffix). */
function columnNames(src: FieldRanges, header: boolean): string[] {
  const names: string[] = [];
  const used = new Set<string>();
  for (let c = 0; c < src.stride; c++) {
    let name = '';
    if (header) {
      const raw = src.ranges[2 * c + 1];
      name = decodeRange(src.bytes, src.ranges[2 * c], raw < 0 ? ~raw : raw, src.fileName);
      if (raw < 0) name = name.replaceAll('""', '"');
    }
    if (name === '') name = `column_${c + 1}`;
    let unique = name;
    for (let n = 2; used.has(unique); n++) unique = `${name}_${n}`;
    used.add(unique);
    names.push(unique);
  }
  return names;
}
