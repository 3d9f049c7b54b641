import { MAX_CSV_COLUMNS } from './limits';
import { DataError } from './table';
import { lineAt } from './text';

/** Candidate delimiters, in order of preference when the sniffer finds a tie. */
export const DELIMITERS = [',', '\t', ';', '|'] as const;
/**
 * A delimiter readCsv understands: one of `DELIMITERS`, or `' '` for columns separated by runs of
 * spaces and tabs (R's `read.table`, numpy's `savetxt`, UCI's aligned `.data` files), where
 * leading and trailing blanks are ignored, a blank line is skipped and a value holding a space is quoted.
 */
export type Delimiter = (typeof DELIMITERS)[number] | ' ';

const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;

/**
 * Picks the delimiter from the first records (up to 64 KiB, 20 records, quotes respected):
 * the candidate found the same number of times (at least once) on every sampled record wins,
 * the higher count first, except that ',' gives way to another consistent candidate when every
 * comma sits between two digits (decimal commas: `1,5;2,25`); failing that, the one most frequent
 * on the first record; else ','. Where no candidate is consistent (or the only one is a comma
 * that is always a decimal mark), runs of spaces and tabs are the delimiter (`' '`) when they
 * split every sampled record, two at least, into the same number of fields, two or more.
 */
export function sniffDelimiter(bytes: Uint8Array, start: number): Delimiter {
  const end = Math.min(bytes.length, start + 65536);
  const codes = DELIMITERS.map((d) => d.charCodeAt(0));
  const perRecord: number[][] = [];
  let counts = [0, 0, 0, 0];
  let inQuote = false;
  // Commas outside quotes, and those with a digit on each side (`1,5`: a decimal comma, maybe).
  let commas = 0;
  let decimalCommas = 0;
  let i = start;
  for (; i < end && perRecord.length < 20; i++) {
    const c = bytes[i];
    if (c === QUOTE) inQuote = !inQuote;
    else if (inQuote) continue;
    else if (c === 44) {
      commas++;
      if (i > start && isDigit(bytes[i - 1]) && i + 1 < bytes.length && isDigit(bytes[i + 1])) decimalCommas++;
      counts[0]++;
    } else if (c === LF || c === CR) {
      if (c === CR && bytes[i + 1] === LF) i++;
      if (counts.some((n) => n > 0) || perRecord.length === 0) perRecord.push(counts);
      counts = [0, 0, 0, 0];
    } else {
      const k = codes.indexOf(c);
      if (k >= 0) counts[k]++;
    }
  }
  // The last record counts only when the sample reached the end of the file.
  if (i >= bytes.length && !inQuote && counts.some((n) => n > 0)) perRecord.push(counts);
  if (perRecord.length === 0) return ',';
  // Every comma between two digits (`1,5;2,25`): decimal commas, so ',' is no candidate when
  // another delimiter is consistent.
  const decimalOnly = commas > 0 && decimalCommas === commas;
  let best = -1;
  for (let k = 0; k < codes.length; k++) {
    const n = perRecord[0][k];
    if (n > 0 && perRecord.every((rec) => rec[k] === n) && (best < 0 || n > perRecord[0][best])) best = k;
  }
  if (best === 0 && decimalOnly) {
    const other = [1, 2, 3].find((k) => perRecord[0][k] > 0 && perRecord.every((rec) => rec[k] === perRecord[0][k]));
    if (other !== undefined) best = other;
    else if (blankSeparatedFields(bytes, start) >= 2) return ' ';
  }
  if (best < 0 && blankSeparatedFields(bytes, start) >= 2) return ' ';
  if (best < 0) {
    for (let k = 0; k < codes.length; k++)
      if (perRecord[0][k] > 0 && (best < 0 || perRecord[0][k] > perRecord[0][best])) best = k;
  }
  return best < 0 ? ',' : DELIMITERS[best];
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * The number of fields that runs of spaces and tabs split each of the first records into (up to
 * 64 KiB and 20 records, blank lines aside, a field opened by `"` running to the next `"`), when
 * it is the same for every one of at least two records and a space (not only tabs) follows some
 * field; else 0.
 */
function blankSeparatedFields(bytes: Uint8Array, start: number): number {
  const end = Math.min(bytes.length, start + 65536);
  const counts: number[] = [];
  let fields = 0;
  let inField = false;
  let inQuote = false;
  // Whether a space follows a field somewhere (tabs alone are a TSV's, whose fields may be empty).
  let spaced = false;
  let i = start;
  for (; i < end && counts.length < 20; i++) {
    const c = bytes[i];
    if (inQuote) {
      // A doubled quote stays inside; a lone one closes.
      if (c === QUOTE) {
        if (i + 1 < end && bytes[i + 1] === QUOTE) i++;
        else inQuote = false;
      }
    } else if (c === LF || c === CR) {
      if (fields > 0) counts.push(fields);
      fields = 0;
      inField = false;
    } else if (c === SPACE || c === TAB) {
      if (c === SPACE && fields > 0) spaced = true;
      inField = false;
    } else if (!inField) {
      fields++;
      inField = true;
      if (c === QUOTE) inQuote = true;
    }
  }
  // The last record counts only when the sample reached the end of the file.
  if (i >= bytes.length && !inQuote && fields > 0) counts.push(fields);
  return spaced && counts.length >= 2 && counts.every((k) => k === counts[0]) ? counts[0] : 0;
}

/** The fields of a file, in the layout described by `FieldRanges`. */
export interface Tokens {
  ranges: Int32Array;
  fields: number;
  stride: number;
}

/**
 * Splits bytes `[start, end)` into fields in one pass, following RFC 4180: a field that
 * starts with `"` runs to the next lone `"` and may hold delimiters, newlines and doubled
 * quotes; records end at LF, CRLF or CR; blank lines are skipped. A `"` inside an unquoted
 * field is kept as is. Every record must have as many fields as the first one, which may have
 * at most `MAX_CSV_COLUMNS`.
 */
export function tokenize(bytes: Uint8Array, start: number, delimiter: number, fileName: string): Tokens {
  if (delimiter === SPACE) return tokenizeBlankSeparated(bytes, start, fileName);
  const n = bytes.length;
  let ranges = new Int32Array(Math.min(n + 64, 1 << 16) & ~1);
  let at = 0;
  let stride = -1;
  let inRow = 0;
  let rowStart = start;
  let i = start;
  const d = delimiter;
  // Bytes that end an unquoted field: one table load per byte instead of three compares.
  const stop = new Uint8Array(256);
  stop[d] = stop[LF] = stop[CR] = 1;
  // Skip leading blank lines.
  while (i < n && (bytes[i] === LF || bytes[i] === CR)) i++;
  rowStart = i;
  while (i < n) {
    let s: number;
    let e: number;
    if (bytes[i] === QUOTE) {
      s = i + 1;
      e = quotedEnd(bytes, i, fileName);
      i = (e < 0 ? ~e : e) + 1;
      if (i < n) {
        const c = bytes[i];
        if (c !== d && c !== LF && c !== CR) {
          throw new DataError(
            `${fileName}: line ${lineAt(bytes, i)}: unexpected text after the closing ` +
              `quote of field ${inRow + 1} (a quote inside a quoted field must be doubled: "")`,
          );
        }
      }
    } else {
      s = i;
      while (i < n && stop[bytes[i]] === 0) i++;
      e = i;
    }
    if (at + 4 > ranges.length) ranges = grow(ranges, at, i - start, n - i);
    ranges[at++] = s;
    ranges[at++] = e;
    if (++inRow > MAX_CSV_COLUMNS && stride < 0) tooWide(bytes, rowStart, fileName);
    if (i < n && bytes[i] === d) {
      i++;
      if (i < n) continue;
      // A delimiter at the very end of the file leaves one empty last field.
      ranges[at++] = i;
      ranges[at++] = i;
      inRow++;
    }
    // End of record.
    if (stride < 0) {
      if (inRow > MAX_CSV_COLUMNS) tooWide(bytes, rowStart, fileName);
      stride = inRow;
    } else if (inRow !== stride) {
      throw new DataError(
        `${fileName}: line ${lineAt(bytes, rowStart)}: expected ${stride} fields (as in the first row), found ${inRow}`,
      );
    }
    inRow = 0;
    while (i < n && (bytes[i] === LF || bytes[i] === CR)) i++;
    rowStart = i;
  }
  return { ranges, fields: at >>> 1, stride: Math.max(stride, 0) };
}

/**
 * `tokenize` for fields separated by runs of spaces and tabs: blanks at the start and end of a
 * line are ignored and a line of blanks is skipped; a field that starts with `"` runs to the next
 * lone `"` (doubled quotes inside, as in RFC 4180) and must be followed by a blank or a line end.
 * There are no empty fields outside quotes, so every record must hold as many as the first.
 */
function tokenizeBlankSeparated(bytes: Uint8Array, start: number, fileName: string): Tokens {
  const n = bytes.length;
  let ranges = new Int32Array(Math.min(n + 64, 1 << 16) & ~1);
  let at = 0;
  let stride = -1;
  let inRow = 0;
  let rowStart = start;
  // Bytes that end an unquoted field.
  const stop = new Uint8Array(256);
  stop[SPACE] = stop[TAB] = stop[LF] = stop[CR] = 1;
  const endRecord = () => {
    if (stride < 0) stride = inRow;
    else if (inRow !== stride)
      throw new DataError(
        `${fileName}: line ${lineAt(bytes, rowStart)}: expected ${stride} fields (as in the first row), found ` +
          `${inRow} (columns are separated by spaces here: quote a value that holds one)`,
      );
    inRow = 0;
  };
  let i = start;
  while (i < n) {
    const c = bytes[i];
    if (c === SPACE || c === TAB) {
      i++;
      continue;
    }
    if (c === LF || c === CR) {
      if (inRow > 0) endRecord();
      i++;
      continue;
    }
    if (inRow === 0) rowStart = i;
    let s: number;
    let e: number;
    if (c === QUOTE) {
      s = i + 1;
      e = quotedEnd(bytes, i, fileName);
      i = (e < 0 ? ~e : e) + 1;
      if (i < n && stop[bytes[i]] === 0)
        throw new DataError(
          `${fileName}: line ${lineAt(bytes, i)}: unexpected text after the closing quote of field ${inRow + 1} ` +
            '(a quote inside a quoted field must be doubled: "", and a space must follow the closing one)',
        );
    } else {
      s = i;
      while (i < n && stop[bytes[i]] === 0) i++;
      e = i;
    }
    if (at + 2 > ranges.length) ranges = grow(ranges, at, i - start, n - i);
    ranges[at++] = s;
    ranges[at++] = e;
    if (++inRow > MAX_CSV_COLUMNS && stride < 0) tooWide(bytes, rowStart, fileName);
  }
  if (inRow > 0) endRecord();
  return { ranges, fields: at >>> 1, stride: Math.max(stride, 0) };
}

/**
 * `ranges` grown for the fields still to come, extrapolated from the `at` entries written for the
 * `done` bytes read so far to the `left` bytes (plus 10 %), by 1,024 entries at least.
 */
function grow(ranges: Int32Array<ArrayBuffer>, at: number, done: number, left: number): Int32Array<ArrayBuffer> {
  const guess = Math.ceil((at / Math.max(1, done)) * left * 1.1) + ranges.length;
  const grown = new Int32Array(Math.max(guess & ~1, ranges.length + 1024));
  grown.set(ranges);
  return grown;
}

/**
 * Where the quoted field opened at `open` ends: the index of its closing quote, bit-flipped (`~`)
 * when the field holds doubled quotes. A quote never closed is a DataError naming its line.
 */
function quotedEnd(bytes: Uint8Array, open: number, fileName: string): number {
  const n = bytes.length;
  let j = open + 1;
  let escaped = false;
  for (;;) {
    while (j < n && bytes[j] !== QUOTE) j++;
    if (j >= n)
      throw new DataError(
        `${fileName}: line ${lineAt(bytes, open)}: a quoted field opened here is never closed (unbalanced " quote)`,
      );
    if (j + 1 < n && bytes[j + 1] === QUOTE) {
      escaped = true;
      j += 2;
      continue;
    }
    return escaped ? ~j : j;
  }
}

function tooWide(bytes: Uint8Array, rowStart: number, fileName: string): never {
  throw new DataError(
    `${fileName}: line ${lineAt(bytes, rowStart)}: more ` +
      `than ${MAX_CSV_COLUMNS.toLocaleString('en-US')} fields (columns) in the first row; is the delimiter right?`,
  );
}
