import { makeVector, tableFromIPC, Type, type Data, type DataType, type Table, type Vector } from 'apache-arrow';
import {
  DataError,
  type CategoricalColumn,
  type Column,
  type DataTable,
  type NumericColumn,
  type SkippedColumn,
} from './table';
import { arrowTypeName, skipReason } from './arrow-types';
import { decimalToFloat } from './arrow-decimal';
import { StringDictionary } from './dictionary';
import { ByteBuckets } from './byte-buckets';
import { MAX_LIST_COLUMNS } from './limits';
import { checkArrowIpc } from './arrow-ipc-check';
import { patchUnreadableTypes, type PatchedKind } from './arrow-ipc-patch';
import { ArrowCodecError, registerArrowCodecs } from './arrow-compression';

// LZ4_FRAME and ZSTD bodies are decompressed by the project's decoders, for every reader of
// Arrow bytes through apache-arrow (`readArrow` here, record batch by batch in chunks.ts).
registerArrowCodecs();

/**
 * Reads an Arrow IPC file or stream (LZ4_FRAME or ZSTD compressed bodies too) into a
 * DataTable. Numbers stay typed arrays (64-bit integers are combined from their two 32-bit
 * halves, never through BigInt), strings and dictionaries become categorical codes, dates
 * become days, timestamps milliseconds, times and durations float milliseconds, decimals the
 * nearest double, raw bytes hashed buckets (used only when picked). Columns of other types are listed in `skipped` (see `readArrowTable`).
 */
export function readArrow(bytes: Uint8Array, fileName: string): DataTable {
  const { source, kinds, fileForm } = openArrow(bytes, fileName);
  try {
    return readArrowTable(tableFromIPC(source), fileName, kinds);
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw arrowError(e, fileName, fileForm);
  }
}

/** Arrow bytes checked and made readable by apache-arrow, with what was rewritten (see `arrow-ipc-patch.ts`). */
export interface ArrowSource {
  /** The bytes to hand apache-arrow: the file itself, or the rewritten stream. */
  source: Uint8Array;
  /** The original type of each rewritten field (by index path), for `readArrowTable`. */
  kinds: ReadonlyMap<string, PatchedKind>;
  fileForm: boolean;
}

/**
 * Checks an Arrow file or stream's framing against its bytes (apache-arrow trusts the lengths and
 * offsets in it) and rewrites the types apache-arrow cannot read (RunEndEncoded, ListView).
 */
export function openArrow(bytes: Uint8Array, fileName: string): ArrowSource {
  const fileForm = startsWith(bytes, 'ARROW1');
  if (fileForm && (bytes.length < 12 || !startsWith(bytes.subarray(bytes.length - 6), 'ARROW1'))) {
    throw new DataError(
      `${fileName}: the Arrow file is truncated (it does not end with the ARROW1 marker after its footer)`,
    );
  }
  checkArrowIpc(bytes, fileName, fileForm);
  const patch = patchUnreadableTypes(bytes, fileName, fileForm);
  return patch ? { source: patch.bytes, kinds: patch.kinds, fileForm } : { source: bytes, kinds: new Map(), fileForm };
}

/**
 * Converts an apache-arrow Table (for example one record batch) into a DataTable: every column
 * the workbench can use becomes a training column (structs flattened into `s.a`, fixed-size
 * lists into `emb.0`, `emb.1`...), the others are listed in `skipped` with their type and why.
 * Only a table with no usable column at all is refused, naming each column and its reason.
 */
export function readArrowTable(
  table: Table,
  fileName: string,
  kinds: ReadonlyMap<string, PatchedKind> = new Map(),
): DataTable {
  const rows = table.numRows;
  const out: Collected = { columns: [], skipped: [] };
  const ctx: Context = { fileName, kinds };
  table.schema.fields.forEach((field, i) => {
    const vector = table.getChildAt(i);
    if (!vector) throw new DataError(`${fileName}: column "${field.name}" has no data`);
    if (vector.length !== rows)
      throw new DataError(
        `${fileName}: column "${field.name}" holds ${vector.length} values for the file's ${rows} rows (the file is damaged)`,
      );
    convertField(vector, field.name, String(i), rows, ctx, out);
  });
  sameNamesSkipped(out);
  if (out.columns.length === 0 && out.skipped.length > 0) {
    const why = out.skipped.map((s) => `"${s.name}" (${s.type}): ${s.reason}`).join('; ');
    throw new DataError(`${fileName}: no column of this Arrow file can be used for training: ${why}`);
  }
  return {
    name: fileName,
    format: 'arrow',
    rows,
    columns: out.columns,
    ...(out.skipped.length ? { skipped: out.skipped } : {}),
  };
}

/**
 * Turns apache-arrow's error into a DataError that says what is wrong with the file, in the
 * file's terms: apache-arrow's own text (a property of null, a typed array's alignment, a
 * BigInt conversion) never reaches the user.
 */
export function arrowError(e: unknown, fileName: string, fileForm: boolean): DataError {
  const message = e instanceof Error ? e.message : String(e);
  const what = `not a readable Arrow IPC ${fileForm ? 'file' : 'stream'}`;
  if (e instanceof ArrowCodecError) return new DataError(`${fileName}: ${what}: ${e.message}`);
  const short = /Expected to read (\d+) bytes for message body, but only read (\d+)/.exec(message);
  if (short)
    return new DataError(
      `${fileName}: the Arrow stream is cut off in the middle of a record batch (its ` +
        `body needs ${short[1]} bytes, ${short[2]} are there): the file is truncated`,
    );
  if (/multiple of \d|out of bounds|Invalid typed array length|Array buffer allocation|offset/i.test(message)) {
    return new DataError(
      `${fileName}: ${what}: a column's buffer lies outside the file or out of place (the file is damaged)`,
    );
  }
  if (/safe to convert|BigInt/i.test(message))
    return new DataError(`${fileName}: ${what}: a 64-bit value is too large to read as a number`);
  if (/Unrecognized|unknown|not supported|Unsupported/i.test(message))
    return new DataError(`${fileName}: ${what}: it uses a type or version this reader does not know`);
  return new DataError(`${fileName}: ${what}: its metadata is damaged (a required part is missing or malformed)`);
}

function startsWith(bytes: Uint8Array, text: string): boolean {
  return bytes.length >= text.length && [...text].every((ch, i) => bytes[i] === ch.charCodeAt(0));
}

function validity(vector: Vector, rows: number): Uint8Array | null {
  if (vector.nullCount === 0) return null;
  const valid = new Uint8Array(rows);
  let at = 0;
  for (const chunk of vector.data) {
    for (let i = 0; i < chunk.length; i++) valid[at + i] = chunk.getValid(i) ? 1 : 0;
    at += chunk.length;
  }
  return valid;
}

function numeric(
  name: string,
  type: NumericColumn['type'],
  values: NumericColumn['values'],
  valid: Uint8Array | null,
): NumericColumn {
  return { kind: 'numeric', name, type, values, valid };
}

/**
 * An int64 column holding a value beyond 2^53 - 1 (IDs, as the CSV and JSON readers keep them):
 * categorical, each value its exact decimal text (through BigInt, for this column only), since
 * the nearest doubles would merge neighbouring IDs.
 */
function int64Text(
  name: string,
  vector: Vector,
  rows: number,
  isSigned: boolean,
  valid: Uint8Array | null,
): CategoricalColumn {
  const codes = new Int32Array(rows).fill(-1);
  const dict = new StringDictionary();
  let at = 0;
  for (const chunk of vector.data) {
    const v = chunk.values as ArrayBufferView;
    const w = new Uint32Array(v.buffer, v.byteOffset, chunk.length * 2);
    for (let i = 0; i < chunk.length; i++, at++) {
      if (valid !== null && valid[at] === 0) continue;
      const x = (BigInt(w[2 * i + 1]) << 32n) | BigInt(w[2 * i]);
      codes[at] = dict.code((isSigned ? BigInt.asIntN(64, x) : x).toString());
    }
  }
  return { kind: 'categorical', name, type: 'categorical', codes, dictionary: dict.strings };
}

/** Copies each chunk's values through `read(chunk, i)` into one array. */
function gather<A extends Float64Array | Int32Array | Float32Array | Uint8Array>(
  out: A,
  vector: Vector,
  read: (values: Data['values'], i: number, chunk: Data) => number,
): A {
  let at = 0;
  for (const chunk of vector.data) {
    const v = chunk.values;
    for (let i = 0; i < chunk.length; i++) out[at + i] = read(v, i, chunk);
    at += chunk.length;
  }
  return out;
}

/**
 * Timestamps and 64-bit dates are read from their raw int64 words, never through
 * apache-arrow's getters (those convert through BigInt and throw above 2^53). A value becomes
 * the nearest double to the int64, then is scaled to milliseconds; beyond 2^53 that loses the
 * low digits instead of failing, as the Parquet reader does for INT64 timestamps (`scaled64`).
 * Indexed by TimeUnit: SECOND, MILLISECOND, MICROSECOND, NANOSECOND.
 */
const TO_MS = [
  { mul: 1000, div: 1 },
  { mul: 1, div: 1 },
  { mul: 1, div: 1e3 },
  { mul: 1, div: 1e6 },
] as const;

/**
 * Each chunk's int64 values as the nearest doubles, through `map`: the high word times 2^32 is
 * exact, so adding the unsigned low word rounds once (to the same double as Number(bigint)).
 */
function gatherInt64(
  vector: Vector,
  rows: number,
  map: (x: number) => number,
  name: string,
  fileName: string,
): Float64Array {
  const out = new Float64Array(rows);
  let at = 0;
  for (const chunk of vector.data) {
    const v = chunk.values as ArrayBufferView;
    if (v.byteLength < chunk.length * 8 || v.byteOffset % 4 !== 0) {
      throw new DataError(
        `${fileName}: column "${name}" has a data buffer of ${v.byteLength} bytes for ${chunk.length} 64-bit ` +
          `values, or out of place (the file is damaged)`,
      );
    }
    const w = new Int32Array(v.buffer, v.byteOffset, chunk.length * 2);
    for (let i = 0; i < chunk.length; i++) out[at + i] = map(w[2 * i + 1] * 4294967296 + (w[2 * i] >>> 0));
    at += chunk.length;
  }
  return out;
}

/** Each chunk's decimals (`n` 32-bit words each) as the nearest doubles to value / 10^scale. */
function gatherDecimal(
  vector: Vector,
  rows: number,
  n: number,
  scale: number,
  name: string,
  fileName: string,
): Float64Array {
  const out = new Float64Array(rows);
  const scratch = new Uint32Array(n);
  let at = 0;
  for (const chunk of vector.data) {
    const v = chunk.values as ArrayBufferView;
    if (!Number.isInteger(n) || n < 1 || v.byteLength < chunk.length * 4 * n || v.byteOffset % 4 !== 0) {
      throw new DataError(
        `${fileName}: column "${name}" has a data buffer of ${v.byteLength} bytes ` +
          `for ${chunk.length} ${32 * n}-bit decimals, or out of place (the file is damaged)`,
      );
    }
    const w = new Uint32Array(v.buffer, v.byteOffset, chunk.length * n);
    for (let i = 0; i < chunk.length; i++) out[at + i] = decimalToFloat(w, i * n, n, scale, scratch);
    at += chunk.length;
  }
  return out;
}

interface Collected {
  columns: Column[];
  skipped: SkippedColumn[];
}

/**
 * A column whose name an earlier one already has (Arrow allows repeated field names, and a field
 * `s.a` can sit beside a struct `s` with a field `a`) is skipped with the reason, as the Parquet
 * reader does: the first keeps the name. The workbench picks columns by name, so two of one
 * name would make one stand for the other.
 */
function sameNamesSkipped(out: Collected): void {
  const seen = new Set<string>();
  const kept: Column[] = [];
  for (const c of out.columns) {
    if (seen.has(c.name))
      out.skipped.push({ name: c.name, type: c.type, reason: 'another column of the file has the same name' });
    else kept.push(c);
    seen.add(c.name);
  }
  out.columns = kept;
}

interface Context {
  fileName: string;
  /** Fields rewritten for apache-arrow, by index path (see `arrow-ipc-patch.ts`). */
  kinds: ReadonlyMap<string, PatchedKind>;
}

/**
 * Adds the training columns `vector` gives under `name` to `out` (none, one, or several for a
 * struct or a fixed-size list), or records it as skipped with its reason. `path` is the field's
 * index path in the schema (null inside a dictionary's values, where nothing is rewritten).
 */
function convertField(
  vector: Vector,
  name: string,
  path: string | null,
  rows: number,
  ctx: Context,
  out: Collected,
): void {
  const { fileName } = ctx;
  const type: DataType = vector.type;
  const skip = (reason: string): void => {
    out.skipped.push({ name, type: arrowTypeName(type), reason });
  };
  const kind = path === null ? undefined : ctx.kinds.get(path);
  if (kind === 'RunEndEncoded') return expandRuns(vector, name, path!, rows, ctx, out);
  if (kind === 'ListView' || kind === 'LargeListView') {
    const item = (type as unknown as { children: { type: DataType }[] }).children[0];
    out.skipped.push({
      name,
      type: `${kind}<${item ? arrowTypeName(item.type) : ''}>`,
      reason: skipReason(type) ?? 'it holds a list of varying length in each row',
    });
    return;
  }
  const reason = skipReason(type);
  if (reason !== null) return skip(reason);
  if (type.typeId === Type.Struct) {
    const children = (type as unknown as { children: { name: string }[] }).children;
    checkBuffers(vector, name, fileName);
    const valid = validity(vector, rows);
    const inner: Collected = { columns: [], skipped: [] };
    for (const d of vector.data)
      if (d.children.some((c) => c.length < d.length))
        throw new DataError(
          `${fileName}: column "${name}" is a struct of ${d.length} rows with a field of fewer values (the file is damaged)`,
        );
    children.forEach((child, j) => {
      const v = vector.getChildAt(j);
      if (v) convertField(v, `${name}.${child.name}`, path === null ? null : `${path}.${j}`, rows, ctx, inner);
    });
    // A missing struct makes each of its fields missing in that row.
    out.columns.push(...inner.columns.map((c) => (valid ? withMask(c, valid) : c)));
    out.skipped.push(...inner.skipped);
    if (children.length === 0) skip('a struct with no fields holds no values');
    return;
  }
  if (type.typeId === Type.Interval) {
    // A calendar interval as one number per part, named with its unit: months (YEAR_MONTH);
    // days and ms (DAY_TIME); months, days and ns (MONTH_DAY_NANO). A month has no fixed length
    // in days, nor a day in time (leap seconds, time zones), so the parts stay apart.
    const unit = (type as unknown as { unit: number }).unit;
    const parts: [string, (v: Int32Array, i: number) => number][] =
      unit === 0
        ? [['months', (v, i) => v[i]]]
        : unit === 1
          ? [
              ['days', (v, i) => v[2 * i]],
              ['ms', (v, i) => v[2 * i + 1]],
            ]
          : [
              ['months', (v, i) => v[4 * i]],
              ['days', (v, i) => v[4 * i + 1]],
              ['ns', (v, i) => v[4 * i + 3] * 4294967296 + (v[4 * i + 2] >>> 0)],
            ];
    checkBuffers(vector, name, fileName);
    const valid = validity(vector, rows);
    for (const [part, read] of parts)
      out.columns.push(
        numeric(
          `${name}.${part}`,
          'float',
          gather(new Float64Array(rows), vector, (v, i) => read(v as Int32Array, i)),
          valid,
        ),
      );
    return;
  }
  if (type.typeId === Type.FixedSizeList) {
    const size = (type as unknown as { listSize: number }).listSize;
    if (size > MAX_LIST_COLUMNS)
      return skip(`a list of ${size} values per row would make more than ${MAX_LIST_COLUMNS} columns`);
    const child = vector.getChildAt(0);
    const inner: Collected = { columns: [], skipped: [] };
    if (child && child.length === rows * size)
      convertField(child, name, path === null ? null : `${path}.0`, rows * size, ctx, inner);
    const col = inner.columns[0];
    if (inner.columns.length !== 1 || inner.skipped.length > 0 || col.kind !== 'numeric') {
      return skip('a fixed-size list becomes numbered columns only when its values are numbers');
    }
    if (size === 0) return skip('a list of 0 values per row holds no values');
    out.columns.push(...splitList(col, name, rows, size, validity(vector, rows)));
    return;
  }
  if (type.typeId === Type.Dictionary) {
    const values = (type as unknown as { dictionary: DataType }).dictionary;
    if (values.typeId === Type.Struct) return flattenDictionary(vector, name, rows, ctx, out);
    if (!DICTIONARY_VALUES.has(values.typeId)) {
      return skip(
        `its dictionary holds ${arrowTypeName(values)} values, not strings or numbers a category can be made of`,
      );
    }
  }
  const col = convertVector(vector, name, rows, fileName);
  if (col === null) return skip(`Trainbench cannot use Arrow type ${arrowTypeName(type)} as a feature yet`);
  out.columns.push(col);
}

/**
 * A run-end encoded column (read by apache-arrow as a struct of run_ends and values, see
 * `arrow-ipc-patch.ts`): its values become the training column(s), each row taking the value of
 * the run it falls in. Run ends are checked: whole numbers, strictly increasing from above 0, the
 * last covering the batch's rows.
 */
function expandRuns(vector: Vector, name: string, path: string, rows: number, ctx: Context, out: Collected): void {
  const fail = (what: string) => {
    throw new DataError(`${ctx.fileName}: column "${name}" (run-end encoded) ${what} (the file is damaged)`);
  };
  const endsVector = vector.getChildAt(0);
  const valuesVector = vector.getChildAt(1);
  if (!endsVector || !valuesVector) return fail('lacks its run_ends or values');
  const runs = endsVector.length;
  if (valuesVector.length !== runs) fail(`has ${runs} run ends for ${valuesVector.length} values`);
  if (endsVector.nullCount > 0) fail('has missing run ends');
  const ends = convertVector(endsVector, `${name}.run_ends`, runs, ctx.fileName);
  if (ends === null || ends.kind !== 'numeric' || ends.type !== 'int')
    return fail('has run ends that are not integers');
  const runOf = new Int32Array(rows);
  let at = 0;
  let base = 0;
  for (const chunk of vector.data) {
    const n = chunk.children[0]?.length ?? 0;
    let previous = 0;
    for (let r = base; r < base + n; r++) {
      if (!(ends.values[r] > previous))
        fail(`has run end ${ends.values[r]} after ${previous} in a batch (run ends must increase from above 0)`);
      previous = ends.values[r];
    }
    if (previous < chunk.length) fail(`has runs that end at row ${previous}, but its batch holds ${chunk.length} rows`);
    for (let i = 0, k = base; i < chunk.length; i++) {
      while (ends.values[k] <= i) k++;
      runOf[at + i] = k;
    }
    at += chunk.length;
    base += n;
  }
  const inner: Collected = { columns: [], skipped: [] };
  convertField(valuesVector, name, `${path}.1`, runs, ctx, inner);
  out.columns.push(...inner.columns.map((c) => takeRows(c, runOf)));
  const typeName = `RunEndEncoded<${arrowTypeName(endsVector.type)}, ${arrowTypeName(valuesVector.type)}>`;
  out.skipped.push(...inner.skipped.map((s) => ({ ...s, type: typeName })));
}

/**
 * A dictionary-encoded struct: the dictionary's entries are flattened like any struct (into
 * `name.field` columns), then each row takes its entry's values; a missing row or a missing
 * entry makes the row's fields missing.
 */
function flattenDictionary(vector: Vector, name: string, rows: number, ctx: Context, out: Collected): void {
  const dictionaries: Vector[] = [];
  const bases = new Map<Vector, number>();
  let entries = 0;
  const entryOf = new Int32Array(rows);
  let at = 0;
  for (const chunk of vector.data) {
    const dictionary = (chunk as Data & { dictionary?: Vector }).dictionary;
    if (!dictionary) throw new DataError(`${ctx.fileName}: column "${name}" has no dictionary for its codes`);
    let base = bases.get(dictionary);
    if (base === undefined) {
      base = entries;
      bases.set(dictionary, base);
      dictionaries.push(dictionary);
      entries += dictionary.length;
    }
    const codes = chunk.values as ArrayLike<number | bigint>;
    for (let i = 0; i < chunk.length; i++) {
      if (!chunk.getValid(i)) {
        entryOf[at + i] = -1;
        continue;
      }
      const code = Number(codes[i]);
      if (!(code >= 0 && code < dictionary.length))
        throw new DataError(
          `${ctx.fileName}: column "${name}" row ${at + i} has dictionary code ${code}, outside the ` +
            `dictionary's ${dictionary.length} entries`,
        );
      entryOf[at + i] = base + code;
    }
    at += chunk.length;
  }
  const all = dictionaries.length ? makeVector(dictionaries.flatMap((d) => d.data)) : null;
  const inner: Collected = { columns: [], skipped: [] };
  if (all) convertField(all, name, null, entries, ctx, inner);
  else out.skipped.push({ name, type: arrowTypeName(vector.type), reason: 'it has no dictionary' });
  out.columns.push(...inner.columns.map((c) => takeRows(c, entryOf)));
  out.skipped.push(...inner.skipped);
}

/** The column's rows picked by `index` (-1: a missing row). */
function takeRows(col: Column, index: Int32Array): Column {
  if (col.kind === 'categorical') {
    const codes = new Int32Array(index.length);
    for (let i = 0; i < index.length; i++) codes[i] = index[i] < 0 ? -1 : col.codes[index[i]];
    return { ...col, codes };
  }
  const Ctor = col.values.constructor as new (n: number) => NumericColumn['values'];
  const values = new Ctor(index.length);
  let valid: Uint8Array | null = null;
  for (let i = 0; i < index.length; i++) {
    const k = index[i];
    if (k >= 0) values[i] = col.values[k];
    if (k < 0 || (col.valid && !col.valid[k])) {
      valid ??= new Uint8Array(index.length).fill(1);
      valid[i] = 0;
    }
  }
  return numeric(col.name, col.type, values, valid);
}

/** Value types of a dictionary column read as categories (by their text). */
const DICTIONARY_VALUES = new Set<number>([
  Type.Utf8,
  Type.LargeUtf8,
  Type.Utf8View,
  Type.Int,
  Type.Float,
  Type.Bool,
  Type.Decimal,
]);

/** The column with the rows where `mask` is 0 made missing (a missing parent). */
function withMask(col: Column, mask: Uint8Array): Column {
  if (col.kind === 'categorical') {
    const codes = col.codes.slice();
    for (let i = 0; i < codes.length; i++) if (!mask[i]) codes[i] = -1;
    return { ...col, codes };
  }
  const valid = col.valid ? col.valid.slice() : mask.slice();
  if (col.valid) for (let i = 0; i < valid.length; i++) valid[i] &= mask[i];
  return { ...col, valid };
}

/** Row-major list values (`size` per row) as `size` numbered columns; a missing list makes its row missing. */
function splitList(
  col: NumericColumn,
  name: string,
  rows: number,
  size: number,
  listValid: Uint8Array | null,
): NumericColumn[] {
  const Ctor = col.values.constructor as new (n: number) => NumericColumn['values'];
  return Array.from({ length: size }, (_, j) => {
    const values = new Ctor(rows);
    let valid: Uint8Array | null = null;
    if (col.valid || listValid) valid = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      values[i] = col.values[i * size + j];
      if (valid) valid[i] = (col.valid ? col.valid[i * size + j] : 1) & (listValid ? listValid[i] : 1);
    }
    return numeric(`${name}.${j}`, col.type, values, valid);
  });
}

/** A Time or Duration value of TimeUnit `unit` to float milliseconds (one rounding, as for timestamps). */
function unitToMs(unit: number): (x: number) => number {
  const { mul, div } = TO_MS[unit] ?? TO_MS[1];
  return (x) => (x * mul) / div;
}

/**
 * Each chunk's buffers hold what its length needs: a validity bitmap where values are missing,
 * the fixed-width values, a bitmap of booleans, string offsets (increasing, inside the string
 * bytes), dictionary codes. The framing check only knows that a buffer lies inside its body;
 * a buffer shorter than its column read as zeros or NaN past its end, silently.
 */
function checkBuffers(vector: Vector, name: string, fileName: string): void {
  for (const d of vector.data) {
    const end = d.offset + d.length;
    const fail = (what: string): never => {
      throw new DataError(`${fileName}: column "${name}" has ${what} for ${d.length} rows (the file is damaged)`);
    };
    if (d.nullCount > 0 && (d.nullBitmap?.length ?? 0) < Math.ceil(end / 8))
      fail(`a validity bitmap of ${d.nullBitmap?.length ?? 0} bytes`);
    if (d.length === 0) continue;
    const values = d.values as ArrayLike<unknown> | undefined;
    const held = values?.length ?? 0;
    switch (d.typeId) {
      case Type.Null:
      case Type.Struct:
      case Type.FixedSizeList:
      case Type.List:
      case Type.LargeList:
      case Type.Map:
      case Type.Union:
        break;
      case Type.Bool:
        if (held * 8 < end) fail(`${held} bytes of booleans`);
        break;
      case Type.Utf8:
      case Type.LargeUtf8:
      case Type.Binary:
      case Type.LargeBinary: {
        // Offsets are sliced with the chunk (index 0 is its first row's); the bytes are not.
        const offsets = d.valueOffsets as ArrayLike<number | bigint> | undefined;
        if (!offsets || offsets.length < d.length + 1) fail(`${offsets?.length ?? 0} string offsets`);
        let previous = Number(offsets![0]);
        if (previous < 0) fail(`a string offset of ${previous}`);
        for (let i = 1; i <= d.length; i++) {
          const o = Number(offsets![i]);
          if (o < previous || o > held) fail(`string offsets out of order or past its ${held} bytes of text`);
          previous = o;
        }
        break;
      }
      default:
        // Fixed-width values (numbers, dates, times, decimals, intervals, views) and dictionary
        // codes, sliced with the chunk (booleans and validity bits are not: they count from its offset).
        if (held < d.stride * d.length) fail(`${held} values (${d.stride} per row)`);
    }
  }
}

function convertVector(vector: Vector, name: string, rows: number, fileName: string): Column | null {
  const type: DataType = vector.type;
  checkBuffers(vector, name, fileName);
  if (type.typeId === Type.Dictionary) {
    const dictionary = (vector.data[0] as (Data & { dictionary?: Vector }) | undefined)?.dictionary;
    if (dictionary) checkBuffers(dictionary, name, fileName);
  }
  const valid = validity(vector, rows);
  switch (type.typeId) {
    case Type.Int: {
      const { bitWidth, isSigned } = type as unknown as { bitWidth: number; isSigned: boolean };
      if (bitWidth === 64) {
        // Arrow's `values` are already offset to the chunk; read each 64-bit word as two halves.
        const values = gather(new Float64Array(rows), vector, (v, i, c) => {
          const w = new Int32Array(v.buffer, v.byteOffset, c.length * 2);
          const lo = w[2 * i] >>> 0;
          const hi = w[2 * i + 1];
          return (isSigned ? hi : hi >>> 0) * 4294967296 + lo;
        });
        for (let r = 0; r < rows; r++)
          if (Math.abs(values[r]) > Number.MAX_SAFE_INTEGER && (valid === null || valid[r] === 1))
            return int64Text(name, vector, rows, isSigned, valid);
        return numeric(name, 'int', values, valid);
      }
      if (bitWidth === 32 && !isSigned)
        return numeric(
          name,
          'int',
          gather(new Float64Array(rows), vector, (v, i) => v[i] as number),
          valid,
        );
      return numeric(
        name,
        'int',
        gather(new Int32Array(rows), vector, (v, i) => v[i] as number),
        valid,
      );
    }
    case Type.Float: {
      const precision = (type as unknown as { precision: number }).precision;
      if (precision === 2)
        return numeric(
          name,
          'float',
          gather(new Float64Array(rows), vector, (v, i) => v[i] as number),
          valid,
        );
      // Half floats are stored as uint16 bits; Vector.get decodes them.
      if (precision === 0) return numeric(name, 'float', fromGet(vector, rows, new Float32Array(rows)), valid);
      return numeric(
        name,
        'float',
        gather(new Float32Array(rows), vector, (v, i) => v[i] as number),
        valid,
      );
    }
    case Type.Bool:
      return numeric(name, 'bool', fromGet(vector, rows, new Uint8Array(rows)), valid);
    case Type.Date: {
      // DateUnit.DAY (0): int32 days as they are; DateUnit.MILLISECOND (1): int64 milliseconds to days.
      if ((type as unknown as { unit: number }).unit === 0)
        return numeric(
          name,
          'date',
          gather(new Float64Array(rows), vector, (v, i) => v[i] as number),
          valid,
        );
      return numeric(
        name,
        'date',
        gatherInt64(vector, rows, (ms) => Math.floor(ms / 86_400_000), name, fileName),
        valid,
      );
    }
    case Type.Timestamp: {
      const unit = (type as unknown as { unit: number }).unit;
      const { mul, div } = TO_MS[unit] ?? TO_MS[1];
      return numeric(
        name,
        'timestamp',
        gatherInt64(vector, rows, (x) => (x * mul) / div, name, fileName),
        valid,
      );
    }
    case Type.Utf8:
    case Type.LargeUtf8:
      return categoricalFromStrings(name, vector, rows);
    case Type.Dictionary:
      return categoricalFromDictionary(name, vector, rows, fileName);
    case Type.Utf8View:
      return categoricalFromStrings(name, vector, rows);
    case Type.Binary:
    case Type.LargeBinary:
    case Type.FixedSizeBinary:
    case Type.BinaryView: {
      // Raw bytes, hashed into buckets (byte-buckets.ts): a column a user may pick, never a default one.
      const buckets = new ByteBuckets();
      const codes = new Int32Array(rows);
      for (let i = 0; i < rows; i++) {
        const v = vector.get(i) as Uint8Array | null;
        codes[i] = v === null ? -1 : buckets.intern(v, 0, v.length);
      }
      return { kind: 'categorical', name, type: 'categorical', codes, dictionary: buckets.strings(), bytes: true };
    }
    case Type.Decimal: {
      const { bitWidth, scale } = type as unknown as { bitWidth: number; scale: number };
      return numeric(name, 'float', gatherDecimal(vector, rows, bitWidth / 32, scale, name, fileName), valid);
    }
    case Type.Time: {
      // Time of day as float milliseconds since midnight, whatever the unit in the file.
      const { bitWidth, unit } = type as unknown as { bitWidth: number; unit: number };
      const ms = unitToMs(unit);
      if (bitWidth === 64) return numeric(name, 'float', gatherInt64(vector, rows, ms, name, fileName), valid);
      return numeric(
        name,
        'float',
        gather(new Float64Array(rows), vector, (v, i) => ms(v[i] as number)),
        valid,
      );
    }
    case Type.Duration: {
      // A length of time as float milliseconds, whatever the unit in the file.
      return numeric(
        name,
        'float',
        gatherInt64(vector, rows, unitToMs((type as unknown as { unit: number }).unit), name, fileName),
        valid,
      );
    }
    default:
      return null;
  }
}

function fromGet<A extends Float64Array | Float32Array | Uint8Array>(
  vector: Vector,
  rows: number,
  out: A,
  map?: (x: number) => number,
): A {
  for (let i = 0; i < rows; i++) {
    const x = vector.get(i) as number | bigint | boolean | Date | null;
    const n = x === null ? 0 : typeof x === 'boolean' ? (x ? 1 : 0) : x instanceof Date ? x.getTime() : Number(x);
    out[i] = map && x !== null ? map(n) : n;
  }
  return out;
}

function categoricalFromStrings(name: string, vector: Vector, rows: number): CategoricalColumn {
  const codes = new Int32Array(rows);
  const dict = new StringDictionary();
  for (let i = 0; i < rows; i++) {
    const s = vector.get(i) as unknown;
    codes[i] = s === null ? -1 : dict.code(String(s));
  }
  return { kind: 'categorical', name, type: 'categorical', codes, dictionary: dict.strings };
}

function categoricalFromDictionary(name: string, vector: Vector, rows: number, fileName: string): CategoricalColumn {
  const dictVector = (vector.data[0] as Data & { dictionary?: Vector }).dictionary;
  if (!dictVector || dictVector.data.length === 0) return categoricalFromStrings(name, vector, rows);
  // The file's dictionary may hold missing entries and repeats: a row pointing at a missing
  // entry is missing, and equal strings share one code.
  const dict = new StringDictionary();
  const remap = new Int32Array(dictVector.length);
  for (let i = 0; i < dictVector.length; i++) {
    const value = dictVector.get(i) as unknown;
    remap[i] = value === null ? -1 : dict.code(String(value));
  }
  const codes = new Int32Array(rows);
  let at = 0;
  for (const chunk of vector.data) {
    if ((chunk as Data & { dictionary?: Vector }).dictionary !== dictVector) {
      // Replacement dictionaries per batch: fall back to string interning.
      return categoricalFromStrings(name, vector, rows);
    }
    const v = chunk.values as ArrayLike<number>;
    for (let i = 0; i < chunk.length; i++) {
      const code = chunk.getValid(i) ? Number(v[i]) : -1;
      // A valid row's code must index the dictionary: a negative one would pass for a missing value.
      if (chunk.getValid(i) && (code < 0 || code >= remap.length)) {
        throw new DataError(
          `${fileName}: column "${name}" row ${at + i} has dictionary code ${code}, outside the ` +
            `dictionary's ${remap.length} entries`,
        );
      }
      codes[at + i] = code < 0 ? -1 : remap[code];
    }
    at += chunk.length;
  }
  return { kind: 'categorical', name, type: 'categorical', codes, dictionary: dict.strings };
}
