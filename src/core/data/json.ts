import { classifiedValue, classifyJsonString, Kind } from './infer';
import { DataError, type CategoricalColumn, type Column, type DataTable, type NumericColumn } from './table';
import { decodeAll } from './text';
import { StringDictionary } from './dictionary';

/**
 * Reads JSON records into a DataTable: either one array of objects (`[{...}, {...}]`, as
 * vega-datasets ships them) or newline-delimited JSON (one object per line). Columns are the
 * union of the keys, in order of first appearance; a key absent from a record is missing.
 *
 * Per column: JSON numbers give an int (all integers within int32) or float column; booleans
 * a bool column; strings in ISO date or date-time form a date or timestamp column (same rules
 * as CSV, see `infer.ts`); `null`, a missing key, `""`, `NA`, `N/A`, `null` strings are
 * missing. Any other mix, and any other string, gives a categorical column of the values'
 * text (`String(value)`; nested objects and arrays as their JSON text). Strings that look
 * like numbers stay text: JSON already says what is a number.
 */
export function readJson(bytes: Uint8Array, fileName: string): DataTable {
  const text = decodeAll(bytes, fileName);
  const first = text.search(/\S/);
  if (first < 0) throw new DataError(`${fileName}: empty file`);
  const records = text[first] === '[' ? parseArray(text, fileName) : text[first] === '{' ? parseLines(text, fileName) : notRecords(text, fileName);
  const keys = new Map<string, number>();
  for (const rec of records) for (const key in rec) if (!keys.has(key)) keys.set(key, keys.size);
  const columns: Column[] = [];
  for (const key of keys.keys()) {
    const values = new Array<unknown>(records.length);
    for (let r = 0; r < records.length; r++) values[r] = records[r][key];
    columns.push(buildJsonColumn(key, values));
  }
  return { name: fileName, format: 'json', rows: records.length, columns };
}

type JsonRecord = Record<string, unknown>;

function parseArray(text: string, fileName: string): JsonRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${fileName}: invalid JSON (${describeJsonError(e, text)})`);
  }
  if (!Array.isArray(data)) throw new DataError(`${fileName}: expected a JSON array of records`);
  data.forEach((rec, i) => checkRecord(rec, `${fileName}: element ${i}`));
  return data as JsonRecord[];
}

function notRecords(text: string, fileName: string): never {
  try {
    JSON.parse(text);
  } catch (e) {
    throw new DataError(`${fileName}: invalid JSON (${describeJsonError(e, text)})`);
  }
  throw new DataError(`${fileName}: expected a JSON array of records, found a single ${typeof JSON.parse(text)}`);
}

/** NDJSON; a file that is one JSON object as a whole (GeoJSON, TopoJSON, a tree) is refused. */
function parseLines(text: string, fileName: string): JsonRecord[] {
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    // Not one value: read it line by line below.
  }
  if (whole !== undefined) {
    const keys = Object.keys(whole as object);
    const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', ...' : '');
    throw new DataError(`${fileName}: expected a JSON array of records (or one record per line), found one object with keys ${shown}`);
  }
  const records: JsonRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      throw new DataError(`${fileName}: line ${i + 1}: invalid JSON (${(e as Error).message}); expected a JSON array of records, or one JSON object per line`);
    }
    checkRecord(rec, `${fileName}: line ${i + 1}`);
    records.push(rec as JsonRecord);
  }
  return records;
}

function checkRecord(rec: unknown, where: string): void {
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
    const what = rec === null ? 'null' : Array.isArray(rec) ? 'an array' : `a ${typeof rec}`;
    throw new DataError(`${where} is ${what}, expected an object (a record)`);
  }
  for (const [key, value] of Object.entries(rec)) {
    if (value !== null && typeof value === 'object' && nestedDeeperThan(value, MAX_NESTING)) {
      throw new DataError(`${where}: field "${key}" nests more than ${MAX_NESTING} levels deep`);
    }
  }
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
    for (const child of Object.values(x)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/** Adds the line to V8's "... at position N" messages. */
function describeJsonError(e: unknown, text: string): string {
  const msg = (e as Error).message;
  const m = /position (\d+)/.exec(msg);
  if (!m || /line \d+/.test(msg)) return msg;
  let line = 1;
  const pos = Number(m[1]);
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return `${msg}, line ${line}`;
}

const NUMERIC_GROUP = Kind.int | Kind.float;
const TIME_GROUP = Kind.date | Kind.timestamp;

function kindOf(v: unknown): number {
  if (v === null || v === undefined) return Kind.missing;
  if (typeof v === 'number') return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? Kind.int : Kind.float;
  if (typeof v === 'boolean') return Kind.bool;
  if (typeof v === 'string') return classifyJsonString(v);
  return Kind.text;
}

function buildJsonColumn(name: string, raw: unknown[]): Column {
  const rows = raw.length;
  const values = new Float64Array(rows);
  let valid: Uint8Array | null = null;
  let mask = 0;
  for (let r = 0; r < rows; r++) {
    const v = raw[r];
    const k = kindOf(v);
    if (k === Kind.missing) {
      (valid ??= new Uint8Array(rows).fill(1))[r] = 0;
      continue;
    }
    mask |= k;
    if (k === Kind.text || ((mask & NUMERIC_GROUP) !== mask && (mask & TIME_GROUP) !== mask && mask !== Kind.bool)) return categorical(name, raw);
    values[r] = typeof v === 'string' ? classifiedValue() : Number(v);
  }
  if (mask === 0) return categorical(name, raw);
  const numeric = (type: NumericColumn['type'], vals: NumericColumn['values']): NumericColumn => ({ kind: 'numeric', name, type, values: vals, valid });
  if (mask === Kind.int) return numeric('int', Int32Array.from(values));
  if (mask === Kind.bool) return numeric('bool', Uint8Array.from(values));
  if (mask === Kind.date) return numeric('date', Int32Array.from(values, (ms) => ms / 86_400_000));
  return numeric((mask & TIME_GROUP) !== 0 ? 'timestamp' : 'float', values);
}

function categorical(name: string, raw: unknown[]): CategoricalColumn {
  const codes = new Int32Array(raw.length);
  const dict = new StringDictionary();
  for (let r = 0; r < raw.length; r++) {
    const v = raw[r];
    if (kindOf(v) === Kind.missing) codes[r] = -1;
    else codes[r] = dict.code(typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  return { kind: 'categorical', name, type: 'categorical', codes, dictionary: dict.strings };
}
