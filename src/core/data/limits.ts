import { DataError } from './table';

/**
 * Decoding needs the file's bytes plus the decoded columns (for compressed Parquet several
 * times the file's size): we allow files up to a third of the memory the tab may use.
 */
export const MEMORY_FACTOR = 3;

/** The memory this tab may use, as Chrome reports it (4 GiB where it does not say). */
export function memoryLimit(): number {
  const perf = (globalThis as { performance?: { memory?: { jsHeapSizeLimit?: number } } }).performance;
  return perf?.memory?.jsHeapSizeLimit ?? 4 * 2 ** 30;
}

function human(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let u = 0;
  while (bytes >= 1024 && u < units.length - 1) {
    bytes /= 1024;
    u++;
  }
  return `${bytes.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/** A file too large to load whole (a Parquet or Arrow one can still stream from disk). */
export class TooLargeError extends DataError {}

/** Refuses, before reading it, a file too large for the memory available. */
export function checkFitsInMemory(fileName: string, size: number, limitBytes: number, hint?: string): void {
  if (size * MEMORY_FACTOR > limitBytes) {
    throw new TooLargeError(
      `${fileName}: ${human(size)} is too large to load here (this tab ` +
        `can use about ${human(limitBytes)}, and decoding needs about ${MEMORY_FACTOR}x the file's size)` +
        (hint ? `; ${hint}` : ''),
    );
  }
}

/**
 * Most fields (columns) a CSV record may have. Wide files are real (a 64 x 64 image flattened
 * is 4,096 columns) but each column costs fixed work and memory whatever its rows, so a line of
 * two million commas must not become two million columns.
 */
export const MAX_CSV_COLUMNS = 65_536;

/**
 * Most distinct keys (columns) the records of a JSON file may have. A file where each record
 * brings keys of its own (`{"id123": ...}`) is not a table, and each new key costs a column
 * over every row.
 */
export const MAX_JSON_COLUMNS = 4096;

/**
 * A JSON table of rows x columns cells (present or missing) is built only up to this many
 * cells, or `JSON_CELLS_PER_BYTE` per byte of the file when that is more: a file of sparse
 * records (a few keys each out of thousands) would otherwise cost far more than its size.
 * Dense records use at least 5 bytes a cell (`"k":1,`), so no dense file comes near it.
 */
export const JSON_MIN_CELL_LIMIT = 1 << 24;
/** See `JSON_MIN_CELL_LIMIT`. */
export const JSON_CELLS_PER_BYTE = 8;

/**
 * Most numbered columns a fixed-length list (an Arrow FixedSizeList, a TFRecord feature with
 * the same number of values in every record) is split into: a 64 x 64 image is 4,096.
 */
export const MAX_LIST_COLUMNS = 4096;
