/**
 * Names for the enums of the Parquet format (parquet.thrift), and the shapes of the metadata
 * this reader keeps. Everything here is plain data, so it can be posted to a worker.
 */
import type { LogicalType, SkippedColumn } from '../table';

/** Physical (storage) types, indexed by their Thrift enum value. */
export const PHYSICAL_TYPES = [
  'BOOLEAN',
  'INT32',
  'INT64',
  'INT96',
  'FLOAT',
  'DOUBLE',
  'BYTE_ARRAY',
  'FIXED_LEN_BYTE_ARRAY',
] as const;
export type PhysicalType = (typeof PHYSICAL_TYPES)[number];

/** Compression codecs, indexed by their Thrift enum value. */
export const CODECS = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'LZO', 'BROTLI', 'LZ4', 'ZSTD', 'LZ4_RAW'] as const;
export type Codec = (typeof CODECS)[number];

/** Encodings by Thrift enum value (1 is unused). */
export const ENCODINGS = [
  'PLAIN',
  'GROUP_VAR_INT',
  'PLAIN_DICTIONARY',
  'RLE',
  'BIT_PACKED',
  'DELTA_BINARY_PACKED',
  'DELTA_LENGTH_BYTE_ARRAY',
  'DELTA_BYTE_ARRAY',
  'RLE_DICTIONARY',
  'BYTE_STREAM_SPLIT',
] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** Legacy converted types, indexed by Thrift enum value. */
export const CONVERTED_TYPES = [
  'UTF8',
  'MAP',
  'MAP_KEY_VALUE',
  'LIST',
  'ENUM',
  'DECIMAL',
  'DATE',
  'TIME_MILLIS',
  'TIME_MICROS',
  'TIMESTAMP_MILLIS',
  'TIMESTAMP_MICROS',
  'UINT_8',
  'UINT_16',
  'UINT_32',
  'UINT_64',
  'INT_8',
  'INT_16',
  'INT_32',
  'INT_64',
  'JSON',
  'BSON',
  'INTERVAL',
] as const;
export type ConvertedType = (typeof CONVERTED_TYPES)[number];

export type Repetition = 'REQUIRED' | 'OPTIONAL' | 'REPEATED';

/**
 * How the physical values of a column become the values of a DataTable column:
 * - `int32`: INT32 as is (also DATE, TIME_MILLIS, small INT/UINT annotations)
 * - `uint32`: INT32 read as unsigned, to Float64
 * - `int64`: INT64 to Int32Array when it fits, else Float64 (hi * 2^32 + lo, no BigInt)
 * - `uint64`: INT64 read as unsigned, to Float64
 * - `scaled64`: INT64 divided by `divisor` (timestamps to milliseconds, TIME_MICROS/NANOS)
 * - `int96`: legacy INT96 timestamps to milliseconds since the epoch
 * - `decimal`: INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY decimals divided by 10^scale, to Float64
 *   (`bigEndian` for FIXED_LEN_BYTE_ARRAY: its bytes are big-endian two's complement at any width,
 *   4 and 8 included, where INT32 and INT64 are little-endian)
 * - `float16`: 2-byte FIXED_LEN_BYTE_ARRAY halves to Float32
 * - `interval`: one part (0 months, 1 days, 2 milliseconds) of a 12-byte INTERVAL, to Float64
 * - `float32`, `float64`, `bool`: as named
 * - `string`: BYTE_ARRAY to categorical codes
 * - `bytes`: FIXED_LEN_BYTE_ARRAY (ids, hashes, UUIDs) hashed into buckets, to categorical codes
 */
export type Conversion =
  | { readonly kind: 'int32' }
  | { readonly kind: 'uint32' }
  | { readonly kind: 'int64' }
  | { readonly kind: 'uint64' }
  | { readonly kind: 'scaled64'; readonly divisor: number }
  | { readonly kind: 'int96' }
  | { readonly kind: 'decimal'; readonly scale: number; readonly bigEndian?: boolean }
  | { readonly kind: 'float16' }
  | { readonly kind: 'interval'; readonly part: 0 | 1 | 2 }
  | { readonly kind: 'float32' }
  | { readonly kind: 'float64' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string' }
  | { readonly kind: 'bytes' };

/** One leaf column of the file's schema. */
export interface ParquetColumnInfo {
  /** Dotted path from the root (the plain name for flat files). */
  readonly name: string;
  /**
   * Position of its column chunk in each row group (the leaf's position among the file's leaves).
   * The three columns an INTERVAL leaf becomes (`i.months`, `i.days`, `i.ms`) share one.
   */
  readonly index: number;
  readonly physicalType: PhysicalType;
  /** Byte width for FIXED_LEN_BYTE_ARRAY, else 0. */
  readonly typeLength: number;
  readonly repetition: Repetition;
  /** A readable annotation, such as `TIMESTAMP(MICROS)`, `STRING`, `DECIMAL(10,2)`; '' when none. */
  readonly annotation: string;
  readonly maxDefinitionLevel: number;
  readonly maxRepetitionLevel: number;
  /** The DataTable type it decodes to, or null when it cannot be read. */
  readonly type: LogicalType | null;
  readonly conversion: Conversion | null;
  /** Why the column cannot be read (nested, or a type this reader refuses); undefined when it can. */
  readonly unsupported?: string;
  /**
   * The column of the file the table leaves out because of this leaf (for a list or a map,
   * the same object for each of its leaves); set exactly when `unsupported` is.
   */
  readonly skipped?: SkippedColumn;
}

/** Min/max statistics, as the file stores them (little-endian bytes for numbers). */
export interface ParquetStatistics {
  readonly min?: Uint8Array;
  readonly max?: Uint8Array;
  readonly nullCount?: number;
}

/** Where one column of one row group lives, and how it is stored. */
export interface ParquetColumnChunkInfo {
  readonly codec: Codec;
  readonly numValues: number;
  /** Byte offset of the first page (the dictionary page when there is one). */
  readonly start: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly encodings: readonly string[];
  readonly statistics: ParquetStatistics | null;
}

/** One row group: its rows and its column chunks (in leaf-column order). */
export interface ParquetRowGroupInfo {
  readonly numRows: number;
  /** Index of the group's first row in the file. */
  readonly rowStart: number;
  readonly compressedSize: number;
  readonly columns: readonly ParquetColumnChunkInfo[];
}

/** What the footer of a Parquet file says: schema, row groups, row count. */
export interface ParquetFileInfo {
  readonly fileName: string;
  readonly numRows: number;
  readonly createdBy: string;
  readonly columns: readonly ParquetColumnInfo[];
  readonly rowGroups: readonly ParquetRowGroupInfo[];
  /** Byte length of the Thrift footer. */
  readonly footerLength: number;
}
