/**
 * The in-memory, columnar form every reader produces and every later stage consumes.
 * Columns are typed arrays; nothing here holds per-row JS objects or strings, except
 * the dictionary of a categorical column (one string per distinct value).
 */
import { nearText, someNames } from './names';

/** Source formats the readers understand. */
export type SourceFormat = 'arrow' | 'parquet' | 'csv' | 'json' | 'tfrecord' | 'hdf5';

/** Logical type of a column, as shown to the user and used to pick an encoding. */
export type LogicalType = 'float' | 'int' | 'bool' | 'date' | 'timestamp' | 'categorical';

/** A numeric column. `valid[i] === 0` marks row i as missing; `valid === null` means no missing values. */
export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  readonly type: Exclude<LogicalType, 'categorical'>;
  /** Dates are days since the epoch, timestamps milliseconds since the epoch, booleans 0/1. */
  readonly values: Float64Array | Float32Array | Int32Array | Uint8Array;
  readonly valid: Uint8Array | null;
}

/** A categorical (string-like) column: one int32 code per row, -1 for missing. */
export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  readonly type: 'categorical';
  readonly codes: Int32Array;
  readonly dictionary: readonly string[];
  /**
   * Raw bytes (binary, fixed-length binary, UUID) hashed into buckets as they were read, the
   * dictionary holding bucket names (`byte-buckets.ts`): never a default feature or label.
   */
  readonly bytes?: true;
}

export type Column = NumericColumn | CategoricalColumn;

/** A column of the file that the table leaves out, and why (a type no training column takes). */
export interface SkippedColumn {
  readonly name: string;
  /** The file's own type for it (`list<int64>`, `FIXED_LEN_BYTE_ARRAY(16)`, `binary`...). */
  readonly type: string;
  readonly reason: string;
}

/** A decoded dataset. All columns have `rows` entries. */
export interface DataTable {
  readonly name: string;
  readonly format: SourceFormat;
  readonly rows: number;
  readonly columns: readonly Column[];
  /**
   * Columns of the file left out of the table, each with its reason. A file loads with every
   * column the workbench can use; only a file with none is refused.
   */
  readonly skipped?: readonly SkippedColumn[];
  /** HDF5: the group the columns come from, and every group of the file that gives a table. */
  readonly hdf5?: Hdf5Info;
  /** Image datasets read as numbered columns (`img.0`...), with their [h, w, c] shape. */
  readonly images?: readonly ImageFeature[];
}

/** See DataTable.hdf5. */
export interface Hdf5Info {
  readonly group: string;
  readonly groups: readonly string[];
}

/** See DataTable.images. */
export interface ImageFeature {
  readonly name: string;
  readonly shape: readonly [number, number, number];
}

/** Whether row `i` of a column holds a value. */
export function isPresent(col: Column, i: number): boolean {
  return col.kind === 'categorical' ? col.codes[i] >= 0 : col.valid === null || col.valid[i] !== 0;
}

/** Finds a column by name or throws a DataError naming the table and the column. */
export function getColumn(table: DataTable, name: string): Column {
  const col = table.columns.find((c) => c.name === name);
  const names = table.columns.map((c) => c.name);
  if (!col)
    throw new DataError(
      `${table.name}: no column named "${name}" (${nearText(name, names)}columns: ${someNames(names)})`,
    );
  return col;
}

/**
 * An error in the user's data or file (not a bug): the message is shown as is, so it names
 * the file, the column or field, and what was wrong.
 */
export class DataError extends Error {
  override readonly name = 'DataError';
}
