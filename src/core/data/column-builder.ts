import { classifiedValue, classifyBytes, isMissingBytes, Kind } from './infer';
import type { CategoricalColumn, Column, NumericColumn } from './table';
import { decodeRange } from './text';

/**
 * Field positions of a delimited file: for field f, `ranges[2f]` is its first byte and
 * `ranges[2f + 1]` one past its last (inside any quotes). A field that holds doubled quotes
 * (`""`) stores the bitwise NOT of its end, so a negative end means "unescape me".
 */
export interface FieldRanges {
  readonly bytes: Uint8Array;
  readonly ranges: Int32Array;
  /** Fields per row. */
  readonly stride: number;
  /** Index of the first data row (1 when the first row is a header). */
  readonly firstRow: number;
  readonly rows: number;
  readonly fileName: string;
  /**
   * Whether numbers may be written with a decimal comma (`1,5`, `1.234,5`): in a file whose
   * delimiter is not a comma (Excel's `;` files in most European locales, tab). See `readDecimalComma`.
   */
  readonly decimalComma?: boolean;
}

const NUMERIC_GROUP = Kind.int | Kind.float;
const TIME_GROUP = Kind.date | Kind.timestamp;
const MS_PER_DAY = 86_400_000;

/**
 * Builds column `col`: numeric (int, float, bool, date or timestamp) when every present
 * value agrees on one of those groups, else categorical. Types are inferred over all rows.
 * A column with no present value at all is categorical with an empty dictionary.
 */
export function buildColumn(src: FieldRanges, col: number, name: string): Column {
  return (
    buildTyped(src, col, name) ??
    (src.decimalComma ? buildDecimalComma(src, col, name) : null) ??
    buildThousands(src, col, name) ??
    buildPercent(src, col, name) ??
    buildCategorical(src, col, name)
  );
}

/**
 * A column of numbers with commas grouping the thousands, as spreadsheets export them and web
 * tables hold them (`"1,234,567"`, `"12,345.67"`), or with a currency sign (`$4.99`, `-£5`,
 * `€1,200`), tried where the other rules made it text: every present value is
 * `[+-][sign]digits[.digits]` (the sign `$`, `£`, `€` or `¥`, also before the `-`), the digits
 * before the point plain or grouped by commas in threes after one to three digits, and at least
 * one value is grouped or signed. One currency per column: `$` beside `€` stays text (two units),
 * a plain number beside `$4.99` is read (free apps are `0`). In a comma-delimited file (where a
 * grouped value is quoted and a comma cannot be a decimal mark) any grouped value will do;
 * elsewhere a comma could be a decimal mark (`buildDecimalComma`), so a column with commas needs a
 * value only grouping explains: two commas (`1,234,567`) or a point after them (`1,234.5`).
 * Read as float, or int when no value has a point and all fit int32.
 */
function buildThousands(src: FieldRanges, col: number, name: string): NumericColumn | null {
  let commas = false;
  let telling = !src.decimalComma;
  let point = false;
  let currency = 0;
  const read = readNumbers(src, col, (b, s, e) => {
    const v = readGrouped(b, s, e);
    if (v === null) return null;
    if (v.currency !== 0) {
      if (currency !== 0 && currency !== v.currency) return null;
      currency = v.currency;
    }
    if (v.commas > 0) commas = true;
    if (v.commas > 1 || (v.commas > 0 && v.point)) telling = true;
    if (v.point) point = true;
    return v.value;
  });
  if (read === null || (commas ? !telling : currency === 0)) return null;
  return numbersColumn(name, read, !point);
}

/**
 * A column of percentages as spreadsheets export them (`12%`, `-3.5 %`, `1,200%`; `12,5%` where
 * commas are decimal marks), tried where the other rules made it text: every present value is a
 * number (`readPercent`) followed by `%`. Read as the number written (`12%` is 12, not 0.12: the
 * figure the Data panel and a filter show is the one in the file), float, or int when all are
 * whole and fit int32. A plain number beside them keeps the column text: `0.5` could be 50 % or
 * 0.5 %, and a wrong guess would be silently wrong numbers.
 */
function buildPercent(src: FieldRanges, col: number, name: string): NumericColumn | null {
  let point = false;
  const read = readNumbers(src, col, (b, s, e) => {
    const v = readPercent(b, s, e, src.decimalComma === true);
    if (v === null) return null;
    if (!Number.isInteger(v)) point = true;
    return v;
  });
  return read === null || read.present === 0 ? null : numbersColumn(name, read, !point);
}

/**
 * The number bytes `[s, e)` write as a percentage (`12%`, `5.5 %`, `-3%`, `1,234.5%`, and
 * `12,5%` when `decimalComma`), null when they are not one. No currency sign.
 */
export function readPercent(b: Uint8Array, s: number, e: number, decimalComma: boolean): number | null {
  while (e > s && (b[e - 1] === 32 || b[e - 1] === 9)) e--;
  if (e <= s || b[e - 1] !== 37) return null;
  e--;
  const g = readGrouped(b, s, e);
  if (g !== null) return g.currency === 0 ? g.value : null;
  return decimalComma ? (readDecimalComma(b, s, e)?.value ?? null) : null;
}

/**
 * The values `parse` gives each present field of column `col` (missing ones by `classifyBytes`,
 * 0 there), with the validity mask (null when every row is present) and the count present; null
 * as soon as a field holds doubled quotes (text) or `parse` returns null.
 */
function readNumbers(
  src: FieldRanges,
  col: number,
  parse: (b: Uint8Array, s: number, e: number) => number | null,
): { values: Float64Array; valid: Uint8Array | null; present: number } | null {
  const { bytes, ranges, stride, rows } = src;
  const values = new Float64Array(rows);
  let valid: Uint8Array | null = null;
  let present = 0;
  let f = (src.firstRow * stride + col) * 2;
  const step = stride * 2;
  for (let r = 0; r < rows; r++, f += step) {
    const e = ranges[f + 1];
    if (e < 0) return null;
    if (classifyBytes(bytes, ranges[f], e) === Kind.missing) {
      if (valid === null) valid = new Uint8Array(rows).fill(1);
      valid[r] = 0;
      continue;
    }
    const v = parse(bytes, ranges[f], e);
    if (v === null) return null;
    values[r] = v;
    present++;
  }
  return { values, valid, present };
}

/** A float column of the values read, or an int one when `maybeInt` and every present value fits int32. */
function numbersColumn(
  name: string,
  { values, valid }: { values: Float64Array; valid: Uint8Array | null },
  maybeInt: boolean,
): NumericColumn {
  const ints = maybeInt && values.every((v, r) => (valid !== null && valid[r] === 0) || (v | 0) === v);
  return ints
    ? { kind: 'numeric', name, type: 'int', values: new Int32Array(values), valid }
    : { kind: 'numeric', name, type: 'float', values, valid };
}

/** The currency sign at `i` (`$`, or `£`, `€`, `¥` in UTF-8) as its code point, and its length; [0, 0] if none. */
function currencyAt(b: Uint8Array, i: number, e: number): [number, number] {
  if (i < e && b[i] === 0x24) return [0x24, 1];
  if (i + 1 < e && b[i] === 0xc2 && (b[i + 1] === 0xa3 || b[i + 1] === 0xa5)) return [b[i + 1], 2];
  if (i + 2 < e && b[i] === 0xe2 && b[i + 1] === 0x82 && b[i + 2] === 0xac) return [0x20ac, 3];
  return [0, 0];
}

/**
 * The number bytes `[s, e)` write with commas grouping thousands or a currency sign (see
 * `buildThousands`): its value, how many commas, whether a fraction follows a point, and the sign's
 * code point (0: none); null when they are not such a number (nor a plain one), or an integer past
 * 2^53 - 1 (kept as text, as `classifyBytes` keeps it).
 */
export function readGrouped(
  b: Uint8Array,
  s: number,
  e: number,
): { value: number; commas: number; point: boolean; currency: number } | null {
  while (s < e && (b[s] === 32 || b[s] === 9)) s++;
  while (e > s && (b[e - 1] === 32 || b[e - 1] === 9)) e--;
  let i = s;
  let text = '';
  // `$-5`, `-$5` or `-5`.
  let [currency, len] = currencyAt(b, i, e);
  i += len;
  if (i < e && (b[i] === 43 || b[i] === 45)) text += b[i++] === 45 ? '-' : '';
  if (currency === 0) {
    [currency, len] = currencyAt(b, i, e);
    i += len;
  }
  const isDigit = (k: number) => k < e && b[k] >= 48 && b[k] <= 57;
  let j = i;
  while (isDigit(j)) j++;
  if (j === i) return null;
  const firstGroup = j - i;
  text += ascii(b, i, j);
  i = j;
  let commas = 0;
  while (i < e && b[i] === 44) {
    if (firstGroup > 3) return null;
    j = i + 1;
    while (isDigit(j)) j++;
    if (j - (i + 1) !== 3) return null;
    text += ascii(b, i + 1, j);
    commas++;
    i = j;
  }
  let point = false;
  if (i < e && b[i] === 46) {
    j = i + 1;
    while (isDigit(j)) j++;
    if (j === i + 1) return null;
    text += ascii(b, i, j);
    point = true;
    i = j;
  }
  if (i !== e) return null;
  const value = Number(text);
  if (!point && Math.abs(value) > Number.MAX_SAFE_INTEGER) return null;
  return { value, commas, point, currency };
}

/**
 * A column of numbers written the continental way, tried where the ordinary rules made it text
 * and the delimiter is not a comma: every present value is `[+-]digits[,digits]`, the digits
 * before the comma either plain or grouped by dots in threes (`1.234.567,89`), spaces or tabs
 * around it ignored. Read as float, or int when no value has a comma and all fit int32
 * (`1.234.567`). A column mixing both conventions (`1,5` and `1.5`) stays text: `1.5` is no
 * grouping. So does a column whose every comma has three digits after it and no dots before
 * (`1,234`, `56,789`): an English thousands separator as likely as a decimal comma, and a
 * wrong guess would be silently wrong numbers.
 */
function buildDecimalComma(src: FieldRanges, col: number, name: string): NumericColumn | null {
  let comma = false;
  let telling = false;
  const read = readNumbers(src, col, (b, s, e) => {
    const v = readDecimalComma(b, s, e);
    if (v === null) return null;
    if (v.comma) comma = true;
    if (v.telling) telling = true;
    return v.value;
  });
  if (read === null || read.present === 0 || (comma && !telling)) return null;
  return numbersColumn(name, read, !comma);
}

/** Bytes `[s, e)` of ASCII as a string, in bounded pieces (a field of a million digits needs no huge argument list). */
function ascii(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let k = s; k < e; k += 4096) out += String.fromCharCode(...b.subarray(k, Math.min(e, k + 4096)));
  return out;
}

/**
 * The number bytes `[s, e)` write with a decimal comma (see `buildDecimalComma`), whether a
 * comma was there, and whether the value could only be written this way (dots grouping, or a
 * comma with other than three digits after it); null when they are not such a number.
 */
export function readDecimalComma(
  b: Uint8Array,
  s: number,
  e: number,
): { value: number; comma: boolean; telling: boolean } | null {
  while (s < e && (b[s] === 32 || b[s] === 9)) s++;
  while (e > s && (b[e - 1] === 32 || b[e - 1] === 9)) e--;
  let i = s;
  let text = '';
  if (i < e && (b[i] === 43 || b[i] === 45)) text += b[i++] === 45 ? '-' : '';
  const isDigit = (k: number) => k < e && b[k] >= 48 && b[k] <= 57;
  const digitsFrom = (k: number) => {
    let j = k;
    while (isDigit(j)) j++;
    return j;
  };
  let j = digitsFrom(i);
  if (j === i) return null;
  const firstGroup = j - i;
  text += ascii(b, i, j);
  i = j;
  const firstEnd = i;
  if (i < e && b[i] === 46) {
    // Thousands grouped by dots: 1 to 3 digits, then groups of exactly three.
    if (firstGroup > 3) return null;
    while (i < e && b[i] === 46) {
      j = digitsFrom(i + 1);
      if (j - (i + 1) !== 3) return null;
      text += ascii(b, i + 1, j);
      i = j;
    }
  }
  const grouped = i > firstEnd;
  let comma = false;
  let fraction = 0;
  if (i < e && b[i] === 44) {
    j = digitsFrom(i + 1);
    if (j === i + 1) return null;
    text += `.${ascii(b, i + 1, j)}`;
    fraction = j - (i + 1);
    i = j;
    comma = true;
  }
  if (i !== e) return null;
  return { value: Number(text), comma, telling: grouped || (comma && fraction !== 3) };
}

function buildTyped(src: FieldRanges, col: number, name: string): NumericColumn | null {
  const { bytes, ranges, stride, rows } = src;
  const values = new Float64Array(rows);
  let valid: Uint8Array | null = null;
  let mask = 0;
  let f = (src.firstRow * stride + col) * 2;
  const step = stride * 2;
  for (let r = 0; r < rows; r++, f += step) {
    const e = ranges[f + 1];
    if (e < 0) return null; // doubled quotes: text
    const k = classifyBytes(bytes, ranges[f], e);
    if (k === Kind.missing) {
      if (valid === null) valid = new Uint8Array(rows).fill(1);
      valid[r] = 0;
      continue;
    }
    if (k === Kind.text) return null;
    if (k !== mask) {
      mask |= k;
      if ((mask & NUMERIC_GROUP) !== mask && (mask & TIME_GROUP) !== mask && mask !== Kind.bool) return null;
    }
    values[r] = classifiedValue();
  }
  if (mask === 0) return null;
  if (mask === Kind.int) return { kind: 'numeric', name, type: 'int', values: new Int32Array(values), valid };
  if (mask === Kind.bool) return { kind: 'numeric', name, type: 'bool', values: new Uint8Array(values), valid };
  if (mask === Kind.date) {
    const days = new Int32Array(rows);
    for (let r = 0; r < rows; r++) days[r] = values[r] / MS_PER_DAY;
    return { kind: 'numeric', name, type: 'date', values: days, valid };
  }
  return { kind: 'numeric', name, type: (mask & TIME_GROUP) !== 0 ? 'timestamp' : 'float', values, valid };
}

/**
 * Interns each distinct byte string once: fields are hashed (FNV-1a) and compared byte by
 * byte against the first occurrence, so a string is built per distinct value, not per row.
 */
/** Whether a field is missing once the blanks around it are set aside, as `classifyBytes` reads numeric columns' fields (` ?` in UCI's files, `  `). */
function isMissingTrimmed(b: Uint8Array, s: number, e: number): boolean {
  while (s < e && (b[s] === 32 || b[s] === 9)) s++;
  while (e > s && (b[e - 1] === 32 || b[e - 1] === 9)) e--;
  return isMissingBytes(b, s, e);
}

function buildCategorical(src: FieldRanges, col: number, name: string): CategoricalColumn {
  const { bytes, ranges, stride, rows, fileName } = src;
  const codes = new Int32Array(rows);
  let cap = 1024;
  let table = new Int32Array(cap).fill(-1);
  let firstAt = new Int32Array(cap / 2); // field index (into ranges / 2) of each code's first use
  let hashes = new Int32Array(cap / 2);
  let count = 0;
  let f = (src.firstRow * stride + col) * 2;
  const step = stride * 2;
  for (let r = 0; r < rows; r++, f += step) {
    const s = ranges[f];
    const raw = ranges[f + 1];
    const e = raw < 0 ? ~raw : raw;
    if (raw >= 0 && isMissingTrimmed(bytes, s, e)) {
      codes[r] = -1;
      continue;
    }
    let h = 0x811c9dc5 | 0;
    for (let i = s; i < e; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    const mask = cap - 1;
    let slot = h & mask;
    let code: number;
    for (;;) {
      code = table[slot];
      if (code < 0) break;
      if (hashes[code] === h) {
        const g = firstAt[code] * 2;
        const s2 = ranges[g];
        const r2 = ranges[g + 1];
        const e2 = r2 < 0 ? ~r2 : r2;
        if (e2 - s2 === e - s && r2 < 0 === raw < 0 && sameBytes(bytes, s, s2, e - s)) break;
      }
      slot = (slot + 1) & mask;
    }
    if (code < 0) {
      code = count++;
      table[slot] = code;
      firstAt[code] = f / 2;
      hashes[code] = h;
      if (count * 2 >= cap) {
        cap *= 2;
        const grownFirst = new Int32Array(cap / 2);
        grownFirst.set(firstAt);
        firstAt = grownFirst;
        const grownHashes = new Int32Array(cap / 2);
        grownHashes.set(hashes);
        hashes = grownHashes;
        table = new Int32Array(cap).fill(-1);
        for (let c = 0; c < count; c++) {
          let sl = hashes[c] & (cap - 1);
          while (table[sl] >= 0) sl = (sl + 1) & (cap - 1);
          table[sl] = c;
        }
      }
    }
    codes[r] = code;
  }
  return { kind: 'categorical', name, type: 'categorical', ...dictionaryOf(src, firstAt, count, codes, fileName) };
}

function sameBytes(b: Uint8Array, a: number, c: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (b[a + k] !== b[c + k]) return false;
  return true;
}

/**
 * Decodes one string per code. Two byte strings can mean the same text (`a"b` bare and
 * `"a""b"` quoted), so equal strings are merged and the codes renumbered when that happens.
 */
function dictionaryOf(src: FieldRanges, firstAt: Int32Array, count: number, codes: Int32Array, fileName: string) {
  const { bytes, ranges } = src;
  const dictionary: string[] = new Array(count);
  const seen = new Map<string, number>();
  let remap: Int32Array | null = null;
  let kept = 0;
  for (let c = 0; c < count; c++) {
    const g = firstAt[c] * 2;
    const raw = ranges[g + 1];
    let text = decodeRange(bytes, ranges[g], raw < 0 ? ~raw : raw, fileName);
    if (raw < 0) text = text.replaceAll('""', '"');
    const prior = seen.get(text);
    if (prior === undefined) {
      seen.set(text, kept);
      if (remap) remap[c] = kept;
      dictionary[kept++] = text;
    } else {
      if (!remap) remap = Int32Array.from({ length: count }, (_, i) => i);
      remap[c] = prior;
    }
  }
  dictionary.length = kept;
  if (remap) for (let r = 0; r < codes.length; r++) if (codes[r] >= 0) codes[r] = remap[codes[r]];
  return { codes, dictionary };
}
