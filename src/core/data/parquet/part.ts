/**
 * Decoding a subset of row groups (and columns) into a DataTablePart, the unit of work a
 * worker does. Parts are plain data plus typed arrays, so they can be posted back with their
 * buffers transferred; `mergeParts` joins them into one DataTable.
 */
import { plainBytes } from '../bytes';
import type { Column } from '../table';
import { chooseOutput, ColumnBuilder, int64Decimal } from './column-builder';
import { ByteInterner } from './interner';
import { decodeColumnChunk, Scratch } from './column-chunk';
import { fail, withFileName } from './errors';
import type { ChunkRef } from './claims';
import { skippedColumns } from './schema';
import type { ParquetColumnInfo, ParquetFileInfo } from './types';

/** One column of a part. */
export interface PartColumn {
  readonly column: Column;
  /**
   * True for INT64 columns decoded to Float64Array because the file had no statistics to
   * prove they fit in 32 bits; mergeParts narrows them to Int32Array when all values fit.
   */
  readonly narrowable: boolean;
}

/** The decoded columns of some row groups of one file. */
export interface DataTablePart {
  readonly fileName: string;
  /** Row groups decoded, ascending; the part's rows are theirs, in this order. */
  readonly rowGroups: readonly number[];
  /** Rows of each of those row groups. */
  readonly rowGroupRows: readonly number[];
  readonly rows: number;
  readonly columns: readonly PartColumn[];
}

/**
 * Resolves column names (default: every readable column) to schema leaves, with clear errors.
 * Without names, columns that cannot be read are left out (see `skippedColumns`); a file
 * where that leaves none is refused, each column named with its type and reason.
 */
export function selectColumns(info: ParquetFileInfo, names?: readonly string[]): ParquetColumnInfo[] {
  if (names === undefined) {
    const readable = info.columns.filter((c) => c.unsupported === undefined);
    const skipped = skippedColumns(info.columns);
    if (readable.length === 0 && skipped.length > 0) {
      const list = skipped.map((s) => `"${s.name}" (${s.type}): ${s.reason}`).join('; ');
      fail(`no column Trainbench can use (${list})`);
    }
    return readable;
  }
  return names.map((name) => {
    const c = info.columns.find((x) => x.name === name);
    // A leaf, or a skipped column by its own name (a list `tags` whose leaf is `tags.list.item`).
    const skipped = c ? c.skipped : skippedColumns(info.columns).find((s) => s.name === name);
    if (skipped) return fail(`column "${name}" (${skipped.type}) cannot be read: ${skipped.reason}`);
    if (!c) return fail(`no column named "${name}" (columns: ${info.columns.map((x) => x.name).join(', ')})`);
    return c;
  });
}

/** Checks row group indices and returns them sorted without duplicates. */
export function checkRowGroups(info: ParquetFileInfo, rowGroups: readonly number[]): number[] {
  for (const rg of rowGroups) {
    if (!Number.isInteger(rg) || rg < 0 || rg >= info.rowGroups.length) {
      fail(`no row group ${rg} (the file has ${info.rowGroups.length})`);
    }
  }
  return [...new Set(rowGroups)].sort((a, b) => a - b);
}

/** Builds the part column from a finished builder. */
function finish(b: ColumnBuilder): PartColumn {
  const col = b.col;
  if (b.interner) {
    const dictionary =
      b.int64Text && b.interner instanceof ByteInterner
        ? b.interner.strings(int64Decimal(col.conversion?.kind === 'uint64'))
        : b.interner.strings();
    return {
      column: {
        kind: 'categorical',
        name: col.name,
        type: 'categorical',
        codes: b.values as Int32Array,
        dictionary,
        ...(col.conversion?.kind === 'bytes' ? { bytes: true as const } : {}),
      },
      narrowable: false,
    };
  }
  const type = col.type;
  if (type === null || type === 'categorical') return fail(`column "${col.name}" has no numeric type`);
  return {
    column: { kind: 'numeric', name: col.name, type, values: b.values, valid: b.valid },
    narrowable: b.narrowable && b.values instanceof Float64Array,
  };
}

/**
 * True when a builder of an INT64 column read as numbers holds a value beyond 2^53 - 1 in
 * magnitude (the file's statistics did not say so up front, or were missing): its row groups
 * are then decoded again as exact text, since the doubles have lost the last digits.
 */
function lostDigits(b: ColumnBuilder, from: number, rows: number): boolean {
  const kind = b.col.conversion?.kind;
  if ((kind !== 'int64' && kind !== 'uint64') || !(b.values instanceof Float64Array)) return false;
  const v = b.values;
  const valid = b.valid;
  for (let i = from; i < from + rows; i++)
    if ((v[i] > Number.MAX_SAFE_INTEGER || v[i] < -Number.MAX_SAFE_INTEGER) && (valid === null || valid[i] === 1))
      return true;
  return false;
}

/**
 * Decodes row groups `rowGroups` (and only `columns`, by name, when given) of a Parquet file
 * whose footer was read with readParquetMetadata. Usable in any worker: it needs only the
 * file's bytes (a SharedArrayBuffer view is fine) and the plain-data `info`.
 * Throws a DataError naming the file, the column and the row group on bad data.
 */
export function decodeRowGroups(
  input: Uint8Array,
  info: ParquetFileInfo,
  rowGroups: readonly number[],
  columns?: readonly string[],
): DataTablePart {
  const bytes = plainBytes(input);
  return withFileName(info.fileName, () => {
    const groups = checkRowGroups(info, rowGroups);
    const cols = selectColumns(info, columns);
    const rows = groups.reduce((a, rg) => a + info.rowGroups[rg].numRows, 0);
    const scratch = new Scratch();
    const out: PartColumn[] = [];
    const decode = (builder: ColumnBuilder): ColumnBuilder => {
      for (const rg of groups) {
        const group = info.rowGroups[rg];
        decodeColumnChunk(bytes, group.columns[builder.col.index], builder, scratch, rg, group.numRows);
      }
      return builder;
    };
    for (const col of cols) {
      const { kind, narrowable, int64Text } = chooseOutput(col, info);
      let builder = decode(new ColumnBuilder(col, rows, kind, narrowable, int64Text));
      if (lostDigits(builder, 0, rows)) builder = decode(new ColumnBuilder(col, rows, 'i32', false, true));
      out.push(finish(builder));
    }
    return {
      fileName: info.fileName,
      rowGroups: groups,
      rowGroupRows: groups.map((rg) => info.rowGroups[rg].numRows),
      rows,
      columns: out,
    };
  });
}

/**
 * Decodes the chunks that `next()` hands out (indices into `chunks`, -1 to stop), one part per
 * run of consecutive chunks of the same column. Runs may go up the row groups (a decoder
 * claiming from the front) or down (from the back). Each run's builder is sized for the whole
 * column and rows land at their own offsets, so a run that covers its column is a full array,
 * never copied; a partial run (the one column split between two decoders) becomes a view of
 * its rows, which mergeParts copies from.
 */
export function decodeClaimed(
  input: Uint8Array,
  info: ParquetFileInfo,
  chunks: readonly ChunkRef[],
  next: () => number,
): DataTablePart[] {
  const bytes = plainBytes(input);
  return withFileName(info.fileName, () => {
    const rowStart: number[] = [];
    let total = 0;
    for (const g of info.rowGroups) {
      rowStart.push(total);
      total += g.numRows;
    }
    const scratch = new Scratch();
    const parts: DataTablePart[] = [];
    let run: { builder: ColumnBuilder; rowGroups: number[] } | null = null;
    const close = () => {
      if (!run) return;
      const groups = [...run.rowGroups].sort((a, b) => a - b);
      const rowGroupRows = groups.map((rg) => info.rowGroups[rg].numRows);
      const rows = rowGroupRows.reduce((a, r) => a + r, 0);
      const from = rowStart[groups[0]];
      let b = run.builder;
      if (lostDigits(b, from, rows)) {
        b = new ColumnBuilder(b.col, total, 'i32', false, true);
        for (const rg of groups) {
          const group = info.rowGroups[rg];
          b.pos = rowStart[rg];
          decodeColumnChunk(bytes, group.columns[b.col.index], b, scratch, rg, group.numRows);
        }
      }
      if (from !== 0 || rows !== b.rows) {
        b.values = b.values.subarray(from, from + rows);
        if (b.valid) b.valid = b.valid.subarray(from, from + rows);
      }
      parts.push({ fileName: info.fileName, rowGroups: groups, rowGroupRows, rows, columns: [finish(b)] });
      run = null;
    };
    for (let i = next(); i >= 0; i = next()) {
      const ref = chunks[i];
      if (!ref) fail(`no chunk ${i} to decode (${chunks.length} listed)`);
      const rg = ref.rowGroup;
      if (run && (run.builder.col.name !== ref.column || run.rowGroups.includes(rg))) close();
      if (!run) {
        const [col] = selectColumns(info, [ref.column]);
        const { kind, narrowable, int64Text } = chooseOutput(col, info);
        run = { builder: new ColumnBuilder(col, total, kind, narrowable, int64Text), rowGroups: [] };
      }
      const group = info.rowGroups[rg];
      run.builder.pos = rowStart[rg];
      decodeColumnChunk(bytes, group.columns[run.builder.col.index], run.builder, scratch, rg, group.numRows);
      run.rowGroups.push(rg);
    }
    close();
    return parts;
  });
}
