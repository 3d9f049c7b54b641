import { uniqueNames } from './names';
import { buildColumn, readDecimalComma, readGrouped, readPercent, type FieldRanges } from './column-builder';
import { sniffDelimiter, tokenize, type Delimiter } from './csv-tokenize';
import { classifyBytes, Kind } from './infer';
import { DataError, type Column, type DataTable } from './table';
import { assertText, bomLength, decodeRange } from './text';

export type { Delimiter } from './csv-tokenize';

/** Options of `readCsv`. */
export interface CsvOptions {
  /** Field separator (`' '`: runs of spaces and tabs); sniffed from the first records when left out. */
  delimiter?: Delimiter;
  /**
   * Whether the first row holds column names. `'auto'` (the default): it does when none of
   * its fields is a number, boolean, date, timestamp or missing-value word (a row of names
   * is never numeric). Empty fields are allowed there (an unnamed index column, as pandas
   * writes) only if some column with a name in the first row is typed (not categorical) in
   * the rows below it. A file made only of text columns is therefore read with a header;
   * pass `false` for such a file without one. Without a header, or for an empty name,
   * columns are named `column_1`, `column_2`, ...
   */
  header?: boolean | 'auto';
}

/**
 * Reads CSV or TSV bytes into a DataTable in one scan of the bytes (no per-line strings).
 * Handles RFC 4180 quoting, LF / CRLF / CR line ends, a UTF-8 BOM, delimiter sniffing (columns
 * aligned by spaces, as numpy's `savetxt` and R's `write.table` write them, included),
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
  // Excel writes `;` files where the comma is the decimal mark; a comma-delimited file cannot hold one unquoted.
  const decimalComma = delimiter !== ',';
  const build = (header: boolean): DataTable => {
    const firstRow = header ? 1 : 0;
    const src: FieldRanges = { bytes, ranges, stride, firstRow, rows: records - firstRow, fileName, decimalComma };
    const columns: Column[] = columnNames(src, header).map((name, c) => buildColumn(src, c, name));
    return { name: fileName, format: 'csv', rows: src.rows, columns };
  };
  if (opts.header === true || opts.header === false) return build(opts.header);
  const first = firstRowKinds(bytes, ranges, stride, decimalComma);
  if (first.some((k) => k !== Kind.text && k !== Kind.missing) || first.every((k) => k === Kind.missing))
    return build(false);
  const withHeader = build(true);
  if (!first.includes(Kind.missing)) return withHeader;
  const typedBelowName = withHeader.columns.some((col, c) => first[c] === Kind.text && col.kind === 'numeric');
  return typedBelowName ? withHeader : build(false);
}

/** What each field of the first row looks like (an empty field counts as missing). */
function firstRowKinds(bytes: Uint8Array, ranges: Int32Array, stride: number, decimalComma: boolean): number[] {
  const kinds: number[] = [];
  for (let c = 0; c < stride; c++) {
    const s = ranges[2 * c];
    const e = ranges[2 * c + 1];
    // A field holding doubled quotes is text; an empty one is missing; `1,5` a number where commas can be decimal marks.
    let k = e < 0 ? Kind.text : s === e ? Kind.missing : classifyBytes(bytes, s, e);
    if (k === Kind.text && e >= 0 && decimalComma && readDecimalComma(bytes, s, e) !== null) k = Kind.float;
    // `1,234,567` or `$4.99`: thousands grouped by commas, a currency sign (see `buildThousands`).
    const g = k === Kind.text && e >= 0 ? readGrouped(bytes, s, e) : null;
    if (g !== null && (g.currency !== 0 || g.commas > (decimalComma ? 1 : 0))) k = Kind.float;
    // `12%`: a percentage (see `buildPercent`).
    if (k === Kind.text && e >= 0 && readPercent(bytes, s, e, decimalComma) !== null) k = Kind.float;
    kinds.push(k);
  }
  return kinds;
}

/** Header names (empty ones become column_N, repeated ones get a _2, _3 suffix: `uniqueNames`). */
function columnNames(src: FieldRanges, header: boolean): string[] {
  const names: string[] = [];
  for (let c = 0; c < src.stride; c++) {
    let name = '';
    if (header) {
      const raw = src.ranges[2 * c + 1];
      name = decodeRange(src.bytes, src.ranges[2 * c], raw < 0 ? ~raw : raw, src.fileName);
      if (raw < 0) name = name.replaceAll('""', '"');
    }
    names.push(name);
  }
  return uniqueNames(names);
}
