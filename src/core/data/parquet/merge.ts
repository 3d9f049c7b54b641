/**
 * Joins DataTableParts (decoded by different workers) into one DataTable: rows in row-group
 * order, one dictionary per categorical column with codes remapped.
 */
import { DataError, type CategoricalColumn, type Column, type DataTable, type NumericColumn } from '../table';
import { StringDictionary } from '../dictionary';
import type { OutArray } from './plain';
import type { DataTablePart } from './part';

/** Rows of one row group inside one part's column. */
interface Slice {
  readonly rowGroup: number;
  readonly column: Column;
  /** Index of the part column among this column's pieces (for dictionary remapping). */
  readonly piece: number;
  readonly from: number;
  readonly rows: number;
}

interface Gathered {
  readonly pieces: Column[];
  readonly narrowable: boolean[];
  readonly slices: Slice[];
}

function mergeNumeric(g: Gathered, rows: number): NumericColumn {
  const cols = g.pieces as NumericColumn[];
  const first = cols[0];
  const allNarrowable = g.narrowable.every(Boolean);
  const ordered = g.slices.every(
    (s, i) => s.piece === 0 && (i === 0 || s.from === g.slices[i - 1].from + g.slices[i - 1].rows),
  );
  if (cols.length === 1 && ordered) return narrow(first, allNarrowable);
  const c0 = first.values.constructor;
  const like = cols.every((c) => c.values.constructor === c0) ? first.values : null;
  const values: OutArray =
    like instanceof Int32Array
      ? new Int32Array(rows)
      : like instanceof Float32Array
        ? new Float32Array(rows)
        : like instanceof Uint8Array
          ? new Uint8Array(rows)
          : new Float64Array(rows);
  const valid = cols.some((c) => c.valid !== null) ? new Uint8Array(rows) : null;
  let at = 0;
  for (const s of g.slices) {
    const c = s.column as NumericColumn;
    values.set(c.values.subarray(s.from, s.from + s.rows), at);
    if (valid) {
      if (c.valid) valid.set(c.valid.subarray(s.from, s.from + s.rows), at);
      else valid.fill(1, at, at + s.rows);
    }
    at += s.rows;
  }
  return narrow({ kind: 'numeric', name: first.name, type: first.type, values, valid }, allNarrowable);
}

/** Float64 INT64 columns whose values all fit in int32 become Int32Array. */
function narrow(col: NumericColumn, narrowable: boolean): NumericColumn {
  const v = col.values;
  if (!narrowable || !(v instanceof Float64Array)) return col;
  for (let i = 0; i < v.length; i++) if ((v[i] | 0) !== v[i]) return col;
  return { ...col, values: Int32Array.from(v) };
}

function mergeCategorical(g: Gathered, rows: number): CategoricalColumn {
  const cols = g.pieces as CategoricalColumn[];
  const ordered = g.slices.every(
    (s, i) => s.piece === 0 && (i === 0 || s.from === g.slices[i - 1].from + g.slices[i - 1].rows),
  );
  if (cols.length === 1 && ordered) return cols[0];
  const dict = new StringDictionary();
  const remaps = cols.map((c) => dict.remap(c.dictionary));
  const codes = new Int32Array(rows);
  let at = 0;
  for (const s of g.slices) {
    const src = (s.column as CategoricalColumn).codes;
    const remap = remaps[s.piece];
    const size = remap.length;
    for (let i = 0; i < s.rows; i++) {
      const k = src[s.from + i];
      codes[at + i] = k >= 0 && k < size ? remap[k] : -1;
    }
    at += s.rows;
  }
  return {
    kind: 'categorical',
    name: cols[0].name,
    type: 'categorical',
    codes,
    dictionary: dict.strings,
    ...(cols[0].bytes ? { bytes: true as const } : {}),
  };
}

/**
 * An INT64 column without statistics that one worker read as exact text (it met a value
 * beyond 2^53 - 1) and another as numbers (its row groups held none): the numbers, all exact
 * integers, become their decimal text too, so the merged column is text throughout.
 */
function textPieces(g: Gathered): void {
  const text = g.pieces.map((c): Column => {
    if (c.kind === 'categorical') return c;
    const dict = new StringDictionary();
    const codes = new Int32Array(c.values.length);
    for (let i = 0; i < codes.length; i++)
      codes[i] = c.valid !== null && c.valid[i] === 0 ? -1 : dict.code(String(c.values[i]));
    return { kind: 'categorical', name: c.name, type: 'categorical', codes, dictionary: dict.strings };
  });
  g.pieces.splice(0, g.pieces.length, ...text);
  g.slices.forEach((s, i) => {
    g.slices[i] = { ...s, column: text[s.piece] };
  });
}

/**
 * Merges parts of one file into a DataTable. Parts may hold different columns and any row
 * groups (a worker can decode some columns of some row groups), but every column must end up
 * covering the same row groups, each exactly once. `columnOrder` fixes the column order
 * (default: first seen). Categorical dictionaries are merged and codes remapped.
 */
export function mergeParts(parts: readonly DataTablePart[], columnOrder?: readonly string[]): DataTable {
  if (parts.length === 0) throw new DataError('mergeParts: no parts to merge');
  const fileName = parts[0].fileName;
  const byName = new Map<string, Gathered>();
  for (const p of parts) {
    if (p.fileName !== fileName)
      throw new DataError(`mergeParts: parts of ${fileName} and ${p.fileName} cannot be merged`);
    for (const c of p.columns) {
      let g = byName.get(c.column.name);
      if (!g) byName.set(c.column.name, (g = { pieces: [], narrowable: [], slices: [] }));
      const piece = g.pieces.length;
      g.pieces.push(c.column);
      g.narrowable.push(c.narrowable);
      let from = 0;
      p.rowGroups.forEach((rg, i) => {
        g.slices.push({ rowGroup: rg, column: c.column, piece, from, rows: p.rowGroupRows[i] });
        from += p.rowGroupRows[i];
      });
    }
  }
  const names = columnOrder ?? [...byName.keys()];
  let groupsKey: string | null = null;
  const columns: Column[] = [];
  for (const name of names) {
    const g = byName.get(name);
    if (!g) throw new DataError(`${fileName}: mergeParts: no part holds column "${name}"`);
    g.slices.sort((a, b) => a.rowGroup - b.rowGroup);
    for (let i = 1; i < g.slices.length; i++) {
      if (g.slices[i].rowGroup === g.slices[i - 1].rowGroup) {
        throw new DataError(
          `${fileName}: mergeParts: row group ${g.slices[i].rowGroup} of column "${name}" is in more than one part`,
        );
      }
    }
    const key = g.slices.map((s) => s.rowGroup).join(',');
    if (groupsKey === null) groupsKey = key;
    else if (key !== groupsKey)
      throw new DataError(
        `${fileName}: mergeParts: column "${name}" covers row groups [${key}] but others cover [${groupsKey}]`,
      );
    const rows = g.slices.reduce((a, s) => a + s.rows, 0);
    if (g.pieces.some((c) => c.kind === 'categorical') && g.pieces.some((c) => c.kind === 'numeric')) textPieces(g);
    columns.push(g.pieces[0].kind === 'categorical' ? mergeCategorical(g, rows) : mergeNumeric(g, rows));
  }
  const rows =
    columns.length > 0
      ? columns[0].kind === 'categorical'
        ? columns[0].codes.length
        : columns[0].values.length
      : parts[0].rows;
  return { name: fileName, format: 'parquet', rows, columns };
}
