/**
 * HDF5 files through h5wasm (the HDF5 C library compiled to WebAssembly: a format this size is
 * no place for a hand-written reader). The library loads on first use (`loadHdf5`: about 4 MB,
 * a chunk of its own in the browser build), and a file is read from an in-memory copy.
 *
 * A file is a tree of groups; a table comes from the datasets of ONE group, its direct children:
 * - a 1-D dataset of numbers, strings, booleans or an enum is one column (named as the dataset);
 * - a 2-D dataset `[n, k]` of numbers is k numbered columns (`x.0` ... `x.{k-1}`);
 * - a 3-D or 4-D dataset of numbers, `[n, h, w]` or `[n, h, w, c]`, is an image feature: its
 *   h * w * c values per row as numbered columns, and its shape recorded (`images`), so an
 *   image model takes [h, w, c] even when h != w;
 * - a 1-D compound dataset (a table of fields, as h5py and pandas write records) gives one column
 *   per scalar field, named by the field (`dataset.field` when two datasets share a field name).
 * Every dataset used must have the same number of rows (its first dimension): the length most
 * datasets share wins, the others are skipped with their reason, as are datasets of other kinds
 * (references, opaque, variable-length arrays, scalars, five dimensions and more).
 * The group is the caller's (`group`), else the one whose table has the most rows (a training set
 * beside its smaller test set; the first in depth-first order on a tie); every group that gives a
 * table is listed (`hdf5.groups`, depth-first, names in the library's order) so the user can pick.
 *
 * Types: integers up to 32 bits become int32 (uint32 and 64-bit integers doubles; a 64-bit
 * column or compound field holding a value beyond 2^53 - 1 its exact decimal text, as the other
 * readers do), float16/32 float32, float64 float64, h5py's booleans (an enum of FALSE
 * and TRUE) bool, other enums categorical by member name, strings categorical. HDF5 stores no
 * checksum of raw data unless the writer asked for Fletcher-32 (then the library checks it), so a
 * damaged value inside a chunk can read as another value; damaged structure is refused.
 */
import { fromHalfBits } from '../train/half';
import { StringDictionary } from './dictionary';
import { MAX_LIST_COLUMNS } from './limits';
import {
  DataError,
  type Column,
  type DataTable,
  type ImageFeature,
  type NumericColumn,
  type SkippedColumn,
} from './table';

/** The parts of h5wasm this reader uses (its own types pull in Emscripten's). */
export interface H5Lib {
  FS: { writeFile(path: string, data: Uint8Array): void; unlink(path: string): void };
  Module: {
    _malloc(n: number): number;
    _free(p: number): void;
    HEAPU8: Uint8Array;
    get_dataset_data(fileId: bigint, path: string, c: null, o: null, s: null, ptr: bigint): number;
  };
  File: new (path: string, mode: 'r') => H5Group & { close(): unknown };
}
interface H5Entity {
  readonly path?: string;
  readonly type?: string;
}
interface H5Group extends H5Entity {
  keys(): string[];
  get(name: string): H5Entity | null;
}
interface H5Metadata {
  type: number;
  size: number;
  signed?: boolean;
  vlen?: boolean;
  shape?: number[] | null;
  enum_type?: { members: Record<string, number> };
  compound_type?: { members: (H5Metadata & { name: string })[] };
}
interface H5Dataset extends H5Entity {
  readonly file_id: bigint;
  readonly path: string;
  readonly shape: number[] | null;
  readonly metadata: H5Metadata;
  readonly value: unknown;
  slice(ranges: [number, number][]): unknown;
}

/** HDF5's signature, at offset 0 or 512, 1024, 2048... (after a user block). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether the bytes hold the HDF5 signature where the format allows it. */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
    if (at >= 1 << 20) break;
  }
  return false;
}

let loaded: Promise<H5Lib> | null = null;
let loadedLib: H5Lib | null = null;

/** Thrown when the library reports a failed read; the reader turns it into a DataError. */
class ReadFailed extends Error {}

/**
 * Loads h5wasm once (its WebAssembly is embedded in the module). Its dataset reads ignore the
 * status HDF5 returns, so a chunk that fails its Fletcher-32 checksum or cannot be inflated reads
 * as zeros: the read is wrapped to throw instead.
 */
export function loadHdf5(): Promise<H5Lib> {
  loaded ??= import('h5wasm').then(async (m) => {
    await m.ready;
    const mod = m.Module as unknown as { get_dataset_data: (...args: unknown[]) => number };
    const read = mod.get_dataset_data.bind(mod);
    mod.get_dataset_data = (...args: unknown[]) => {
      const status = read(...args);
      if (status < 0) throw new ReadFailed('HDF5 could not read a dataset');
      return status;
    };
    loadedLib = m as unknown as H5Lib;
    return loadedLib;
  });
  return loaded;
}

/**
 * How long reading an HDF5 file of `bytes` may take before the load is stopped: the C library
 * can loop forever on a damaged file (a fuzz case with a damaged global heap did), and nothing
 * inside it can be interrupted, so the decode worker is terminated from outside. Generous: 15 s,
 * or 4 MB/s (HDF5 reads gzip chunks at well over 50 MB/s here).
 */
export function hdf5DeadlineMs(bytes: number): number {
  return Math.max(15_000, Math.ceil(bytes / 4_000));
}

/** Most values one file's chosen datasets may hold once decoded (the decode worker holds them all). */
const MAX_VALUES = 2 ** 28;

const INTEGER = 0;
const FLOAT = 1;
const STRING = 3;
const COMPOUND = 6;
const ENUM = 8;
const CLASS_NAMES: Record<number, string> = {
  0: 'integer',
  1: 'float',
  2: 'time',
  3: 'string',
  4: 'bitfield',
  5: 'opaque',
  6: 'compound',
  7: 'reference',
  8: 'enum',
  9: 'variable-length',
  10: 'array',
};

/** What one dataset gives: columns (built on demand) and its row count, or why it is skipped. */
interface Candidate {
  name: string;
  rows: number;
  type: string;
  /** Values per row (a 2-D dataset's width, an image's pixels, a compound's fields). */
  per: number;
  /** The columns of rows [start, end). */
  build?: (start: number, end: number) => Column[];
  image?: readonly [number, number, number];
  skip?: string;
  /** A compound's fields that are no column (arrays, references...), listed as skipped when it is read. */
  fieldsSkipped?: SkippedColumn[];
}

const typeName = (m: H5Metadata, shape: readonly number[]) =>
  `${CLASS_NAMES[m.type] ?? `class ${m.type}`}${m.type === INTEGER || m.type === FLOAT ? m.size * 8 : ''}[${shape.join(', ')}]`;

/** Numbers from an h5wasm value (typed array, BigInt array or plain array) as doubles. */
function toDoubles(v: unknown, n: number): Float64Array {
  const out = new Float64Array(n);
  const src = v as ArrayLike<number | bigint>;
  if (!src || typeof src.length !== 'number' || src.length < n)
    throw new DataError('a dataset holds fewer values than its shape');
  for (let i = 0; i < n; i++) out[i] = Number(src[i]);
  return out;
}

/**
 * A 64-bit integer column holding a value beyond 2^53 - 1 (an ID no double holds) as its exact
 * decimal text, read from the library's BigInts, as the other readers keep such integers; null
 * when every value fits a double (the numeric column then stands).
 */
function int64Text(name: string, m: H5Metadata, raw: () => unknown, values: Float64Array): Column | null {
  if (m.type !== INTEGER || m.size !== 8) return null;
  let beyond = false;
  for (let i = 0; i < values.length && !beyond; i++)
    if (values[i] > Number.MAX_SAFE_INTEGER || values[i] < -Number.MAX_SAFE_INTEGER) beyond = true;
  if (!beyond) return null;
  const src = raw() as ArrayLike<number | bigint>;
  const dict = new StringDictionary();
  const codes = new Int32Array(values.length);
  for (let i = 0; i < codes.length; i++) codes[i] = dict.code(BigInt(src[i]).toString());
  return { kind: 'categorical', name, type: 'categorical', codes, dictionary: dict.strings };
}

function numericColumn(name: string, m: H5Metadata, values: Float64Array): NumericColumn {
  if (m.type === FLOAT)
    return {
      kind: 'numeric',
      name,
      type: 'float',
      values: m.size <= 4 ? new Float32Array(values) : values,
      valid: null,
    };
  let fits = m.size < 4 || (m.size === 4 && m.signed !== false);
  if (!fits) {
    fits = true;
    for (let i = 0; i < values.length && fits; i++) if (values[i] !== (values[i] | 0)) fits = false;
  }
  return { kind: 'numeric', name, type: 'int', values: fits ? new Int32Array(values) : values, valid: null };
}

function enumColumn(name: string, m: H5Metadata, raw: Float64Array): Column {
  const members = m.enum_type?.members ?? {};
  const entries = Object.entries(members);
  const keys = entries.map(([k]) => k.toUpperCase()).sort();
  if (entries.length === 2 && keys[0] === 'FALSE' && keys[1] === 'TRUE') {
    const t = members.TRUE ?? members.True ?? members.true;
    return { kind: 'numeric', name, type: 'bool', values: Uint8Array.from(raw, (v) => (v === t ? 1 : 0)), valid: null };
  }
  const byValue = new Map(entries.map(([k, v]) => [v, k]));
  const dict = new StringDictionary();
  const codes = Int32Array.from(raw, (v) => {
    const k = byValue.get(v);
    return k === undefined ? -1 : dict.code(k);
  });
  return { kind: 'categorical', name, type: 'categorical', codes, dictionary: dict.strings };
}

function stringColumn(name: string, v: unknown, n: number): Column {
  const src = v as ArrayLike<unknown>;
  if (!src || src.length < n) throw new DataError('a string dataset holds fewer values than its shape');
  const dict = new StringDictionary();
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = src[i];
    codes[i] = typeof s === 'string' ? dict.code(s) : -1;
  }
  return { kind: 'categorical', name, type: 'categorical', codes, dictionary: dict.strings };
}

/**
 * A float16 dataset's values (h5wasm cannot convert them: no Float16Array in the engines it
 * targets): its raw little-endian halves read through the library, then widened.
 */
function halves(lib: H5Lib, d: H5Dataset, n: number): Float64Array {
  const m = lib.Module;
  const ptr = m._malloc(n * 2);
  if (!ptr) throw new DataError('a float16 dataset is too large to read here');
  try {
    m.get_dataset_data(d.file_id, d.path, null, null, null, BigInt(ptr));
    const raw = m.HEAPU8.subarray(ptr, ptr + n * 2);
    return Float64Array.from({ length: n }, (_, i) => fromHalfBits(raw[2 * i] | (raw[2 * i + 1] << 8)));
  } finally {
    m._free(ptr);
  }
}

/** What a dataset of the group gives. */
function candidate(lib: H5Lib, name: string, d: H5Dataset): Candidate {
  const m = d.metadata;
  const shape = d.shape ?? [];
  const type = typeName(m, shape);
  const no = (skip: string): Candidate => ({ name, rows: shape[0] ?? 0, per: 1, type, skip });
  if (shape.length === 0) return no('a scalar, not a column');
  const rows = shape[0];
  if (rows === 0) return no('it holds no rows');
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  const numeric = m.type === INTEGER || m.type === FLOAT;
  // Rows [start, end) of the dataset: all of it at once, or a hyperslab for a streamed chunk.
  const rowsOf = (start: number, end: number): unknown =>
    start === 0 && end === rows ? d.value : d.slice([[start, end]]);
  let allHalves: Float64Array | null = null;
  const valuesOf = (start: number, end: number): Float64Array => {
    if (m.type === FLOAT && m.size === 2) {
      allHalves ??= halves(lib, d, rows * per);
      return allHalves.subarray(start * per, end * per);
    }
    return toDoubles(rowsOf(start, end), (end - start) * per);
  };
  if (shape.length === 1) {
    if (numeric)
      return {
        name,
        rows,
        per,
        type,
        build: (a, b) => {
          const values = valuesOf(a, b);
          return [int64Text(name, m, () => rowsOf(a, b), values) ?? numericColumn(name, m, values)];
        },
      };
    if (m.type === ENUM)
      return { name, rows, per, type, build: (a, b) => [enumColumn(name, m, toDoubles(rowsOf(a, b), b - a))] };
    if (m.type === STRING) return { name, rows, per, type, build: (a, b) => [stringColumn(name, rowsOf(a, b), b - a)] };
    if (m.type === COMPOUND) return compound(name, d.metadata, rows, type, rowsOf);
    return no(`${CLASS_NAMES[m.type] ?? 'this'} data is not a column a model can use`);
  }
  if (!numeric) return no(`a ${shape.length}-D dataset becomes columns only when it holds numbers`);
  if (shape.length > 4) return no(`${shape.length} dimensions: a column, a row of numbers or an image is 1 to 4`);
  if (per > MAX_LIST_COLUMNS * 16 || (shape.length === 2 && per > MAX_LIST_COLUMNS))
    return no(`${per} values per row would make too many columns`);
  const image = shape.length >= 3 ? ([shape[1], shape[2], shape[3] ?? 1] as const) : undefined;
  return {
    name,
    rows,
    per,
    type,
    image,
    build: (start, end) => {
      const n = end - start;
      const all = valuesOf(start, end);
      return Array.from({ length: per }, (_, j) => {
        const col = new Float64Array(n);
        for (let r = 0; r < n; r++) col[r] = all[r * per + j];
        return numericColumn(`${name}.${j}`, m, col);
      });
    },
  };
}

function compound(
  name: string,
  meta: H5Metadata,
  rows: number,
  type: string,
  rowsOf: (start: number, end: number) => unknown,
): Candidate {
  const members = meta.compound_type?.members ?? [];
  const usable = members.filter((f) => (f.shape ?? []).length === 0 && [INTEGER, FLOAT, STRING, ENUM].includes(f.type));
  if (usable.length === 0)
    return { name, rows, per: 1, type, skip: 'a compound with no scalar number or string field' };
  const fieldsSkipped = members
    .filter((f) => !usable.includes(f))
    .map((f) => ({
      name: `${name}.${f.name}`,
      type: typeName(f, f.shape ?? []),
      reason:
        (f.shape ?? []).length || f.type === 10
          ? 'a field holding an array per record is not a column'
          : `${CLASS_NAMES[f.type] ?? 'this'} data is not a column a model can use`,
    }));
  return {
    name,
    rows,
    per: usable.length,
    type,
    fieldsSkipped,
    build: (start, end) => {
      const n = end - start;
      const recs = rowsOf(start, end) as ArrayLike<ArrayLike<unknown>>;
      if (!recs || recs.length < n) throw new DataError('a compound dataset holds fewer records than its shape');
      return usable.map((f) => {
        const i = members.indexOf(f);
        const field = Array.from({ length: n }, (_, r) => recs[r]?.[i]);
        if (f.type === STRING) return stringColumn(f.name, field, n);
        const nums = toDoubles(field, n);
        if (f.type === ENUM) return enumColumn(f.name, f, nums);
        return int64Text(f.name, f, () => field, nums) ?? numericColumn(f.name, f, nums);
      });
    },
  };
}

/** The candidates of one group, or null when it is not a group. */
function groupCandidates(lib: H5Lib, file: H5Group, path: string): { datasets: Candidate[]; groups: string[] } | null {
  const g = (path === '/' ? file : file.get(path)) as H5Group | null;
  if (!g || typeof g.keys !== 'function') return null;
  const datasets: Candidate[] = [];
  const groups: string[] = [];
  for (const key of g.keys()) {
    const child = path === '/' ? `/${key}` : `${path}/${key}`;
    const e = file.get(child);
    if (!e) continue;
    if (typeof (e as H5Group).keys === 'function') groups.push(child);
    else if ('metadata' in e) datasets.push(candidate(lib, key, e as H5Dataset));
  }
  return { datasets, groups };
}

/** The row count most usable datasets share (0 when none is usable). */
function commonRows(cands: readonly Candidate[]): number {
  const votes = new Map<number, number>();
  for (const c of cands) if (!c.skip) votes.set(c.rows, (votes.get(c.rows) ?? 0) + 1);
  let best = 0;
  let count = 0;
  for (const [rows, n] of votes) if (n > count || (n === count && rows > best)) [best, count] = [rows, n];
  return best;
}

/** An HDF5 file open in the library's memory file system, with what is being read (for messages). */
interface OpenFile {
  readonly file: H5Group & { close(): unknown };
  readonly fileName: string;
  /** The group or dataset being read: named when the library fails there. */
  readonly where: { path: string };
  close(): void;
}

function openFile(lib: H5Lib, bytes: Uint8Array, fileName: string): OpenFile {
  const path = `/trainbench-${Math.random().toString(36).slice(2)}.h5`;
  const where = { path: '' };
  const unlink = () => {
    try {
      lib.FS.unlink(path);
    } catch {
      /* never written */
    }
  };
  let file: (H5Group & { close(): unknown }) | null = null;
  try {
    lib.FS.writeFile(path, bytes);
    file = new lib.File(path, 'r');
  } catch {
    file = null;
  }
  if (!file || typeof file.keys !== 'function') {
    unlink();
    throw new DataError(`${fileName}: the HDF5 library could not open it (damaged, or not an HDF5 file)`);
  }
  const open = file;
  return {
    file: open,
    fileName,
    where,
    close: () => {
      try {
        open.close();
      } catch {
        /* a damaged file may fail to close: nothing more to free */
      }
      unlink();
    },
  };
}

/** Runs `fn` on an open file, turning anything the library throws into a DataError naming the file and the place. */
function inFile<T>(f: OpenFile, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const { fileName, where } = f;
    if (e instanceof DataError) throw e.message.startsWith(fileName) ? e : new DataError(`${fileName}: ${e.message}`);
    // The library's own text (and C assertion messages) never reach the user.
    if (e instanceof ReadFailed) {
      throw new DataError(
        `${fileName}: the HDF5 library could not read dataset ${where.path}: a damaged chunk (a checksum that ` +
          'fails, data that does not inflate) or a filter it does not have',
      );
    }
    const at = where.path ? ` (at ${where.path})` : '';
    throw new DataError(
      `${fileName}: the HDF5 library could not read it${at}: the file is damaged, or uses a feature the library lacks`,
    );
  }
}

/**
 * Reads the datasets of one group of an HDF5 file into a table (see the module comment); with
 * no `group`, the group with the most rows. Every failure is a DataError naming the file.
 */
export function readHdf5(lib: H5Lib, bytes: Uint8Array, fileName: string, group?: string): DataTable {
  const f = openFile(lib, bytes, fileName);
  try {
    return inFile(f, () => {
      const plan = planGroup(lib, f, group);
      return tableOf(f, plan, 0, plan.rows);
    });
  } finally {
    f.close();
  }
}

/**
 * The group's rows as tables of up to `rowsPerChunk` rows each, read as hyperslabs (streaming
 * mode: training starts on the first chunk). Every chunk has the columns of the whole read.
 */
export function* readHdf5Chunks(
  lib: H5Lib,
  bytes: Uint8Array,
  fileName: string,
  group?: string,
  rowsPerChunk = 65_536,
): Generator<DataTable> {
  const f = openFile(lib, bytes, fileName);
  try {
    const plan = inFile(f, () => planGroup(lib, f, group));
    for (let start = 0; start < plan.rows; start += rowsPerChunk) {
      const end = Math.min(plan.rows, start + rowsPerChunk);
      yield inFile(f, () => tableOf(f, plan, start, end));
    }
  } finally {
    f.close();
  }
}

/** The group a read uses, its rows, and its datasets: those that make columns and those left out. */
interface GroupPlan {
  group: string;
  groups: string[];
  rows: number;
  chosen: Candidate[];
  skipped: SkippedColumn[];
}

function planGroup(lib: H5Lib, f: OpenFile, wanted: string | undefined): GroupPlan {
  const { file, fileName, where } = f;
  // Depth-first from the root: every group that gives a table, in order (at most 10,000 groups visited).
  const usable: string[] = [];
  const found = new Map<string, Candidate[]>();
  const stack = ['/'];
  for (let visited = 0; stack.length > 0 && visited < 10_000; visited++) {
    const p = stack.shift()!;
    where.path = p;
    const c = groupCandidates(lib, file, p);
    if (!c) continue;
    if (commonRows(c.datasets) > 0) {
      usable.push(p);
      found.set(p, c.datasets);
    }
    stack.unshift(...c.groups);
  }
  if (wanted !== undefined) {
    const norm = wanted.startsWith('/') ? wanted : `/${wanted}`;
    if (!found.has(norm)) {
      throw new DataError(
        `${fileName}: no group "${norm}" with datasets a table can be made of` +
          (usable.length ? ` (groups that have them: ${usable.join(', ')})` : ''),
      );
    }
    wanted = norm;
  }
  // By default the group with the most rows (a file's training set beside its smaller test set), the first on a tie.
  const group =
    wanted ??
    usable.reduce<string | undefined>(
      (best, g) => (best === undefined || commonRows(found.get(g)!) > commonRows(found.get(best)!) ? g : best),
      undefined,
    );
  if (group === undefined)
    throw new DataError(
      `${fileName}: no group holds a 1-D or 2-D numeric dataset (or strings, an image stack, a compound) to make columns of`,
    );
  const cands = found.get(group)!;
  const rows = commonRows(cands);
  const skipped: SkippedColumn[] = [];
  const chosen: Candidate[] = [];
  for (const c of cands) {
    if (c.skip) skipped.push({ name: c.name, type: c.type, reason: c.skip });
    else if (c.rows !== rows)
      skipped.push({
        name: c.name,
        type: c.type,
        reason: `${c.rows} rows, where the group's other datasets have ${rows}`,
      });
    else {
      chosen.push(c);
      if (c.fieldsSkipped) skipped.push(...c.fieldsSkipped);
    }
  }
  const values = chosen.reduce((n, c) => n + rows * c.per, 0);
  if (values > MAX_VALUES)
    throw new DataError(
      `${fileName}: group ${group} holds ${values} values, more than ${MAX_VALUES} this reader holds at once`,
    );
  return { group, groups: usable, rows, chosen, skipped };
}

/** Rows [start, end) of a planned group as a table. */
function tableOf(f: OpenFile, plan: GroupPlan, start: number, end: number): DataTable {
  const { group, chosen } = plan;
  const columns: Column[] = [];
  const images: ImageFeature[] = [];
  const seen = new Set<string>();
  for (const c of chosen) {
    const path = `${group === '/' ? '' : group}/${c.name}`;
    f.where.path = path;
    let built: Column[];
    try {
      built = c.build!(start, end);
    } catch (e) {
      if (e instanceof DataError) throw new DataError(`${f.fileName}: dataset ${path}: ${e.message}`);
      throw e;
    }
    for (const col of built) {
      // A compound's field may share a name with another dataset or field: it is prefixed with its dataset.
      let name = col.name;
      if (seen.has(name)) name = `${c.name}.${col.name}`;
      for (let k = 2; seen.has(name); k++) name = `${c.name}.${col.name}.${k}`;
      seen.add(name);
      columns.push(name === col.name ? col : { ...col, name });
    }
    if (c.image) images.push({ name: c.name, shape: c.image });
  }
  return {
    name: f.fileName,
    format: 'hdf5',
    rows: end - start,
    columns,
    ...(plan.skipped.length ? { skipped: plan.skipped } : {}),
    hdf5: { group, groups: plan.groups },
    ...(images.length ? { images } : {}),
  };
}

/** h5wasm once `loadHdf5` has loaded it (streaming reads it synchronously), else null. */
export function loadedHdf5(): H5Lib | null {
  return loadedLib;
}
