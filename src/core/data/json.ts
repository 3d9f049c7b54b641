import { classifiedValue, classifyJsonString, Kind } from './infer';
import {
  DataError,
  type CategoricalColumn,
  type Column,
  type DataTable,
  type NumericColumn,
  type SkippedColumn,
} from './table';
import { decodeAll } from './text';
import { StringDictionary } from './dictionary';
import { uniqueNames } from './names';
import { jsonSyntaxError, type JsonSyntaxError } from './json-syntax';
import { JSON_CELLS_PER_BYTE, JSON_MIN_CELL_LIMIT, MAX_JSON_COLUMNS, MAX_LIST_COLUMNS } from './limits';

/**
 * Reads JSON records into a DataTable: either one array of objects (`[{...}, {...}]`, as
 * vega-datasets ships them), newline-delimited JSON (one object per line), or one object with
 * exactly one key holding an array of objects (a GeoJSON `FeatureCollection`'s `features`, an
 * API's `{"data": [...]}`; see `recordsInside`). Columns are the
 * union of the keys, in order of first appearance; a key absent from a record is missing.
 *
 * Per column: JSON numbers give an int (all integers within int32) or float column; booleans
 * a bool column; strings in ISO date or date-time form a date or timestamp column (same rules
 * as CSV, see `infer.ts`); `null`, a missing key, `""`, `NA`, `N/A`, `null` strings are
 * missing. Any other mix, and any other string, gives a categorical column of the values'
 * text (`String(value)`; arrays as their JSON text). Nested objects are flattened into dotted
 * columns (`record.high`, see `RecordColumns`), and lists of numbers of one length into numbered
 * ones (`emb.0`, `emb.1`, see `numberListWidth`). Strings that look like numbers stay text: JSON
 * already says what is a number.
 *
 * At most `MAX_JSON_COLUMNS` distinct keys, and a table whose cells (nearly all missing) would
 * far outgrow the file is refused (see `limits.ts`); the cost is linear in the input. Syntax
 * errors are reported by line and column in the file's terms (`json-syntax.ts`).
 */
export function readJson(bytes: Uint8Array, fileName: string): DataTable {
  // Syntax errors are found and placed in the file's own text (`source`), not the quoted one.
  const source = decodeAll(bytes, fileName);
  const text = quoteNonFinite(quoteUnsafeIntegers(source));
  const first = text.search(/\S/);
  if (first < 0) throw new DataError(`${fileName}: empty file`);
  const records = new RecordColumns(fileName);
  let skipped: SkippedColumn[] = [];
  if (text[first] === '[') readArray(text, source, fileName, records);
  else if (text[first] === '{') skipped = readLines(text, source, fileName, records);
  else notRecords(text, source, fileName);
  const table = records.table(bytes.length);
  return skipped.length ? { ...table, skipped } : table;
}

/**
 * The text with every integer literal beyond 2^53 - 1 in magnitude (a tweet's or an order's ID)
 * turned into a JSON string of its digits, outside strings only, so that JSON.parse keeps its
 * digits: as a number it would become the nearest double, merging neighbouring IDs (the CSV
 * reader keeps such integers as text too). A string of digits stays text in a JSON column, so the
 * column becomes categorical. Only valid integer tokens are touched (no leading zero, no fraction
 * or exponent after), so the text stays valid or invalid at the same places; files without a run
 * of 16 digits are returned as they are, after one regex test.
 */
export function quoteUnsafeIntegers(text: string): string {
  if (!/\d{16}/.test(text)) return text;
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // a backslash: the next character is escaped
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    if (c !== 45 && (c < 48 || c > 57)) continue;
    // A number token: its extent, and whether it is a plain integer.
    let j = c === 45 ? i + 1 : i;
    const digits = j;
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    let end = j;
    while (end < text.length && /[0-9.eE+-]/.test(text[end])) end++;
    const n = j - digits;
    if (
      end === j &&
      n >= 16 &&
      text.charCodeAt(digits) !== 48 &&
      Math.abs(Number(text.slice(i, j))) > Number.MAX_SAFE_INTEGER
    ) {
      out += `${text.slice(from, i)}"${text.slice(i, j)}"`;
      from = j;
    }
    i = end - 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * Python's `json.dumps` (its default, `allow_nan=True`) writes NaN and the infinities as the bare
 * words `NaN`, `Infinity` and `-Infinity`, which JSON.parse refuses. Where such a word stands as a
 * value (after `:`, `[` or `,`, not before `:`, outside strings) it becomes a string JSON text
 * cannot hold by accident, `"\u0000NaN"`, which the column builder reads back as the number (see
 * NON_FINITE); the syntax check (`json-syntax.ts`) accepts the words where a value may be, so
 * errors are still placed in the file as written. Files without those words are returned as
 * they are, after one regex test.
 */
export function quoteNonFinite(text: string): string {
  if (!/NaN|Infinity/.test(text)) return text;
  let out = '';
  let from = 0;
  let inString = false;
  let prev = 91; // the last character outside strings and blanks; '[' at the start
  const blank = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      prev = c;
      continue;
    }
    if (blank(c)) continue;
    const word = c === 78 ? 'NaN' : c === 73 ? 'Infinity' : c === 45 ? '-Infinity' : null;
    if (word && (prev === 58 || prev === 91 || prev === 44) && text.startsWith(word, i)) {
      let j = i + word.length;
      const next = text.charCodeAt(j);
      if (j === text.length || blank(next) || next === 44 || next === 93 || next === 125) {
        while (j < text.length && blank(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j) !== 58) {
          out += `${text.slice(from, i)}"\\u0000${word}"`;
          from = i + word.length;
          i = from - 1;
          prev = 34;
          continue;
        }
      }
    }
    prev = c;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** The values `quoteNonFinite` wrote as strings. */
const NON_FINITE = new Map([
  ['\u0000NaN', NaN],
  ['\u0000Infinity', Infinity],
  ['\u0000-Infinity', -Infinity],
]);

/** A column being collected: the rows that have the key, and its values there (missing elsewhere). */
interface PendingColumn {
  /** The keys from the record down to this value (one for a top-level field). */
  path: string[];
  at: number[];
  values: unknown[];
  /** The object level that holds the key (to see whether the key also held objects). */
  level: Level;
}

/** One level of nested objects: the columns of its scalar fields and the levels of its object fields, by key. */
interface Level {
  columns: Map<string, PendingColumn>;
  objects: Map<string, Level>;
}

const newLevel = (): Level => ({ columns: new Map(), objects: new Map() });

/** A plain object (not null, not an array): flattened into its fields' columns. */
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Collects records into columns in one pass over their own keys: a column remembers only the
 * rows that have its key, so the cost is linear in the input however the keys vary, and the
 * missing rows are filled when the column is built. Keys are capped at `MAX_JSON_COLUMNS`.
 *
 * A nested object is flattened into a column per field, named by the keys joined with dots
 * (`{"record": {"high": 62}}` gives `record.high`, as pandas' `json_normalize` and the Arrow and
 * Parquet readers' structs do), at any depth up to `MAX_NESTING`; a record where the object is
 * missing, null or lacks the field has the column missing. An empty object adds no column.
 * Arrays are kept as their JSON text. A key holding objects in some records and plain values in
 * others gives both (`a` and `a.x`), except that `a` is left out when all its values are missing.
 * Names made alike by the joining (a key `"a.x"` beside `{"a": {"x": ...}}`) are told apart by
 * `uniqueNames` (`a.x_2`), the column first met keeping the name.
 */
class RecordColumns {
  rows = 0;
  private readonly top = newLevel();
  private readonly columns: PendingColumn[] = [];
  private present = 0;
  private unit = 'element';
  private n = 0;

  constructor(private readonly fileName: string) {}

  /** Adds one parsed record, named in messages as `unit` `n` ("element 3", "line 4"; built only for a message). */
  add(rec: unknown, unit: string, n: number): void {
    if (!isObject(rec)) {
      const where = `${this.fileName}: ${unit} ${n}`;
      const what = rec === null ? 'null' : Array.isArray(rec) ? 'an array' : `a ${typeof rec}`;
      throw new DataError(`${where} is ${what}, expected an object (a record)`);
    }
    this.unit = unit;
    this.n = n;
    const r = this.rows++;
    for (const key of Object.keys(rec)) {
      const value = rec[key];
      if (value !== null && typeof value === 'object' && nestedDeeperThan(value, MAX_NESTING)) {
        throw new DataError(
          `${this.fileName}: ${unit} ${n}: field "${shortText(key)}" nests more than ${MAX_NESTING} levels deep`,
        );
      }
      this.addField(this.top, [], key, value, r);
    }
  }

  /** Adds `value` of field `key` at `level` (whose keys from the record are `path`) to row `r`. */
  private addField(level: Level, path: readonly string[], key: string, value: unknown, r: number): void {
    if (isObject(value)) {
      // Depth is bounded by the check in `add` (MAX_NESTING), so this recursion is too.
      let inner = level.objects.get(key);
      if (inner === undefined) level.objects.set(key, (inner = newLevel()));
      const innerPath = [...path, key];
      for (const k of Object.keys(value)) this.addField(inner, innerPath, k, value[k], r);
      return;
    }
    let col = level.columns.get(key);
    if (col === undefined) {
      if (this.columns.length === MAX_JSON_COLUMNS) {
        throw new DataError(
          `${this.fileName}: more than ${count(MAX_JSON_COLUMNS)} distinct keys (columns) in ` +
            `the records (${this.unit} ${this.n} adds "${shortText([...path, key].join('.'))}"); ` +
            'a table needs records that share their keys, such as {"id": 123, "value": 4} rather than {"123": 4}',
        );
      }
      col = { path: [...path, key], at: [], values: [], level };
      level.columns.set(key, col);
      this.columns.push(col);
    }
    col.at.push(r);
    col.values.push(value);
    this.present++;
  }

  /** Builds the table; refuses one whose cells, nearly all missing, would cost far more than the file's size. */
  table(fileBytes: number): DataTable {
    // A key that held objects in some records and only nulls elsewhere is the objects' fields alone.
    const kept = this.columns.filter(
      (c) => !c.level.objects.has(c.path[c.path.length - 1]) || c.values.some((v) => kindOf(v) !== Kind.missing),
    );
    const cells = this.rows * kept.length;
    if (cells > Math.max(JSON_MIN_CELL_LIMIT, JSON_CELLS_PER_BYTE * fileBytes)) {
      const missing = Math.floor((100 * (cells - this.present)) / cells);
      throw new DataError(
        `${this.fileName}: the records hold ${count(kept.length)} distinct keys but each only a few of them: ` +
          (`a table of ${count(this.rows)} rows x ${count(kept.length)} columns, ${missing}% of it ` +
            `missing, is too large for a file of ${count(fileBytes)} bytes`),
      );
    }
    // A list of numbers of one length wherever present becomes numbered columns (`emb.0`, `emb.1`, ...).
    const parts = kept.flatMap((c) => {
      const width = numberListWidth(c.values);
      const name = c.path.join('.');
      if (width === null) return [{ name, at: c.at, values: c.values }];
      return Array.from({ length: width }, (_, j) => {
        const at: number[] = [];
        const values: unknown[] = [];
        c.values.forEach((v, k) => {
          if (Array.isArray(v)) {
            at.push(c.at[k]);
            values.push(v[j]);
          }
        });
        return { name: `${name}.${j}`, at, values };
      });
    });
    if (
      parts.length > kept.length &&
      this.rows * parts.length > Math.max(JSON_MIN_CELL_LIMIT, JSON_CELLS_PER_BYTE * fileBytes)
    )
      throw new DataError(
        `${this.fileName}: the lists of numbers make ${count(parts.length)} columns of ${count(this.rows)} rows, ` +
          `too large for a file of ${count(fileBytes)} bytes`,
      );
    const names = uniqueNames(parts.map((p) => p.name));
    const columns = parts.map((p, i) => buildJsonColumn(names[i], p.at, p.values, this.rows));
    return { name: this.fileName, format: 'json', rows: this.rows, columns };
  }
}

const count = (n: number) => n.toLocaleString('en-US');

/** A key or value as quoted in a message: at most 40 characters. */
function shortText(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function readArray(text: string, source: string, fileName: string, records: RecordColumns): void {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw invalidJson(e, source, fileName);
  }
  if (!Array.isArray(data)) throw new DataError(`${fileName}: expected a JSON array of records`);
  for (let i = 0; i < data.length; i++) records.add(data[i], 'element', i);
}

function notRecords(text: string, source: string, fileName: string): never {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw invalidJson(e, source, fileName);
  }
  throw new DataError(
    `${fileName}: expected a JSON array of records, found a single ${value === null ? 'null' : typeof value}`,
  );
}

/**
 * NDJSON: one record per line (lines end at LF, CRLF or CR: none of them can occur inside a
 * JSON string). A file that is one JSON object as a whole is read through `recordsInside`;
 * the keys beside its records come back as skipped columns.
 */
function readLines(text: string, source: string, fileName: string, records: RecordColumns): SkippedColumn[] {
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    // Not one value: read it line by line below.
  }
  if (whole !== undefined) return recordsInside(whole as Record<string, unknown>, fileName, records);
  const lines = text.split(/\r\n?|\n/);
  // Quoting adds no line break: line i of the source is line i of the text.
  const sourceLines = text === source ? lines : source.split(/\r\n?|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      const lead = sourceLines[i].length - sourceLines[i].trimStart().length;
      const err = describeJsonError(e, sourceLines[i].trim());
      throw new DataError(
        `${fileName}: line ${i + 1}, column ${lead + err.at + 1}: invalid JSON: ${err.what} (expected one ` +
          `JSON object per line, or a JSON array of records)`,
      );
    }
    records.add(rec, 'line', i + 1);
  }
  return [];
}

/**
 * A file that is one JSON object: its records are the one key whose value is a non-empty array
 * of objects (GeoJSON's `features`, `{"data": [...]}`, `{"results": [...]}`). The object's other
 * keys (`type`, `bbox`, `metadata`) are not columns and come back as skipped, with the reason.
 * No such key, or several (a graph's `nodes` and `links`), is refused with the keys named: the
 * workbench does not guess which list is the table.
 */
function recordsInside(whole: Record<string, unknown>, fileName: string, records: RecordColumns): SkippedColumn[] {
  const keys = Object.keys(whole);
  const lists = keys.filter((k) => {
    const v = whole[k];
    return Array.isArray(v) && v.length > 0 && v.every(isObject);
  });
  if (lists.length === 0) {
    const shown = keys.slice(0, 5).map(shortText).join(', ') + (keys.length > 5 ? ', ...' : '');
    throw new DataError(
      `${fileName}: expected a JSON array of records (or one record per line), found one object with keys ` +
        `${keys.length ? shown : '(none)'} and no list of records under any of them`,
    );
  }
  if (lists.length > 1) {
    const shown = lists
      .slice(0, 5)
      .map((k) => {
        const n = (whole[k] as unknown[]).length;
        return `"${shortText(k)}" (${count(n)} record${n === 1 ? '' : 's'})`;
      })
      .join(', ');
    throw new DataError(
      `${fileName}: one object with ${lists.length} lists of records, ${shown}${lists.length > 5 ? ', ...' : ''}; ` +
        'the workbench reads one table per file: save the list to train on as a JSON array of its own',
    );
  }
  const key = lists[0];
  const list = whole[key] as unknown[];
  const unit = `"${shortText(key)}" element`;
  for (let i = 0; i < list.length; i++) records.add(list[i], unit, i);
  const reason = `a key of the object around the records (the rows are the records in "${shortText(key)}")`;
  const others = keys.filter((k) => k !== key);
  const listed = others.slice(0, MAX_WRAPPER_KEYS_LISTED).map((k) => {
    const v = whole[k];
    return { name: k, type: v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v, reason };
  });
  const rest = others.length - listed.length;
  return rest > 0 ? [...listed, { name: `(${count(rest)} more keys)`, type: 'keys', reason }] : listed;
}

/** Keys beside the records of a wrapping object listed one by one as skipped; the rest are counted. */
const MAX_WRAPPER_KEYS_LISTED = 32;

/**
 * The length of the lists in `values` when every present value is a list of numbers (or nulls,
 * missing cells) of that one length, from 1 to `MAX_LIST_COLUMNS` (an embedding, a row of
 * pixels), as Arrow's fixed-size lists and TFRecord's fixed-length features are split; else null
 * (the values stay their JSON text).
 */
function numberListWidth(values: readonly unknown[]): number | null {
  let width = -1;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (!Array.isArray(v) || v.length === 0 || v.length > MAX_LIST_COLUMNS) return null;
    if (width < 0) width = v.length;
    else if (v.length !== width) return null;
    for (const x of v) if (x !== null && typeof x !== 'number' && !NON_FINITE.has(x as string)) return null;
  }
  return width < 0 ? null : width;
}

/** Nesting a field's value may have (it is kept as its JSON text, made by a recursive JSON.stringify). */
export const MAX_NESTING = 64;

/** Whether arrays/objects in `v` nest deeper than `limit`, found with an explicit stack (no recursion). */
function nestedDeeperThan(v: object, limit: number): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length) {
    const [x, depth] = stack.pop()!;
    if (x === null || typeof x !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(x))
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * Where and why JSON.parse refused `text`, found by our own scan (V8's text names no line, and
 * its wording is the engine's, not the file's); V8's offset only if the scan finds nothing.
 */
function describeJsonError(e: unknown, text: string): JsonSyntaxError {
  const found = jsonSyntaxError(text, 0, text.length, { nonFinite: true });
  if (found) return found;
  const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
  return { at: m ? Number(m[1]) : 0, what: 'not valid JSON here' };
}

/** The DataError for a whole file JSON.parse refused: "<file>: line L, column C: invalid JSON: ...". */
function invalidJson(e: unknown, text: string, fileName: string): DataError {
  const { at, what } = describeJsonError(e, text);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return new DataError(`${fileName}: line ${line}, column ${at - lineStart + 1}: invalid JSON: ${what}`);
}

const NUMERIC_GROUP = Kind.int | Kind.float;
const TIME_GROUP = Kind.date | Kind.timestamp;

function kindOf(v: unknown): number {
  if (v === null || v === undefined) return Kind.missing;
  if (typeof v === 'number') return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? Kind.int : Kind.float;
  if (typeof v === 'boolean') return Kind.bool;
  if (typeof v === 'string') return NON_FINITE.has(v) ? Kind.float : classifyJsonString(v);
  return Kind.text;
}

/** Builds a column of `rows` rows from the values present at rows `at` (ascending); other rows are missing. */
function buildJsonColumn(name: string, at: readonly number[], raw: readonly unknown[], rows: number): Column {
  const values = new Float64Array(rows);
  const valid = new Uint8Array(rows);
  let mask = 0;
  let present = 0;
  for (let j = 0; j < at.length; j++) {
    const v = raw[j];
    const k = kindOf(v);
    if (k === Kind.missing) continue;
    mask |= k;
    if (k === Kind.text || ((mask & NUMERIC_GROUP) !== mask && (mask & TIME_GROUP) !== mask && mask !== Kind.bool))
      return categorical(name, at, raw, rows);
    const r = at[j];
    values[r] = typeof v === 'string' ? (NON_FINITE.get(v) ?? classifiedValue()) : Number(v);
    valid[r] = 1;
    present++;
  }
  if (mask === 0) return categorical(name, at, raw, rows);
  const numeric = (type: NumericColumn['type'], vals: NumericColumn['values']): NumericColumn => ({
    kind: 'numeric',
    name,
    type,
    values: vals,
    valid: present === rows ? null : valid,
  });
  if (mask === Kind.int) return numeric('int', Int32Array.from(values));
  if (mask === Kind.bool) return numeric('bool', Uint8Array.from(values));
  if (mask === Kind.date)
    return numeric(
      'date',
      Int32Array.from(values, (ms) => ms / 86_400_000),
    );
  return numeric((mask & TIME_GROUP) !== 0 ? 'timestamp' : 'float', values);
}

function categorical(name: string, at: readonly number[], raw: readonly unknown[], rows: number): CategoricalColumn {
  const codes = new Int32Array(rows).fill(-1);
  const dict = new StringDictionary();
  for (let j = 0; j < at.length; j++) {
    const v = raw[j];
    if (kindOf(v) !== Kind.missing)
      codes[at[j]] = dict.code(
        typeof v === 'string'
          ? NON_FINITE.has(v)
            ? v.slice(1)
            : v
          : typeof v === 'object'
            ? JSON.stringify(v).replace(/"\\u0000(NaN|Infinity|-Infinity)"/g, '$1')
            : String(v),
      );
  }
  return { kind: 'categorical', name, type: 'categorical', codes, dictionary: dict.strings };
}
