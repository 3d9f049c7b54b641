import { DataError } from '../table';

/**
 * A defect found while decoding, described without the file name (the low-level decoders do
 * not know it). The public entry points turn it into a DataError that names the file.
 */
export class ParquetFormatError extends Error {
  override readonly name = 'ParquetFormatError';
}

/** Throws a ParquetFormatError; typed `never` so that it can end an expression. */
export function fail(message: string): never {
  throw new ParquetFormatError(message);
}

/**
 * Runs `fn` and rethrows anything it throws as a DataError prefixed with the file name.
 * Errors that are not ours (a RangeError from a typed array over a bad length, an error from
 * a decompressor) are reported as corrupt data rather than leaking as internal errors.
 */
export function withFileName<T>(fileName: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asDataError(fileName, e);
  }
}

/** The DataError to show for anything thrown while decoding `fileName`. */
export function asDataError(fileName: string, e: unknown): DataError {
  if (e instanceof DataError) return e;
  if (e instanceof ParquetFormatError) return new DataError(`${fileName}: ${e.message}`);
  const detail = e instanceof Error ? e.message : String(e);
  return new DataError(`${fileName}: corrupt Parquet data (${detail})`);
}
