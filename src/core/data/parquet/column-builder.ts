/**
 * The growing output of one column over the row groups a part decodes: the value (or code)
 * array, the validity mask (allocated at the first null), and for strings the interner that
 * merges the dictionaries of all row groups into one.
 */
import { fail } from './errors';
import { ByteInterner } from './interner';
import { ByteBuckets } from '../byte-buckets';
import type { OutArray } from './plain';
import type { ParquetColumnInfo, ParquetFileInfo } from './types';

/** The array class a column decodes into. */
export type OutKind = 'f64' | 'f32' | 'i32' | 'u8';

function allocate(kind: OutKind, n: number): OutArray {
  switch (kind) {
    case 'f64':
      return new Float64Array(n);
    case 'f32':
      return new Float32Array(n);
    case 'i32':
      return new Int32Array(n);
    case 'u8':
      return new Uint8Array(n);
  }
}

/** Allocates an array of the same class as `like`. */
export function allocateLike(like: OutArray, n: number): OutArray {
  return allocate(
    like instanceof Float64Array
      ? 'f64'
      : like instanceof Float32Array
        ? 'f32'
        : like instanceof Int32Array
          ? 'i32'
          : 'u8',
    n,
  );
}

function int64StatFits(b: Uint8Array | undefined): boolean {
  if (!b || b.length !== 8) return false;
  const lo = b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
  const hi = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
  return hi === lo >> 31;
}

/** True when an 8-byte little-endian statistic is an integer beyond 2^53 - 1 in magnitude. */
function int64StatUnsafe(b: Uint8Array | undefined, unsigned: boolean): boolean {
  if (!b || b.length !== 8) return false;
  const lo = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  const w = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
  return Math.abs((unsigned ? w >>> 0 : w) * 2 ** 32 + lo) > Number.MAX_SAFE_INTEGER;
}

/**
 * The decimal text of an 8-byte little-endian integer, signed or not: how a column of 64-bit
 * integers beyond 2^53 - 1 (IDs, which no double holds exactly) keeps its values.
 */
export function int64Decimal(unsigned: boolean): (b: Uint8Array) => string {
  return (b) => {
    const lo = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
    const hi = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
    const x = (BigInt(unsigned ? hi >>> 0 : hi) << 32n) + BigInt(lo);
    return x.toString();
  };
}

/**
 * True when an INT64 column's statistics show a value beyond 2^53 - 1 in magnitude in any row
 * group: the column is then read as exact decimal text in every row group and by every worker
 * (see `ColumnBuilder.int64Text`), as the CSV, JSON and Arrow readers keep such integers.
 */
export function int64BeyondDoubles(col: ParquetColumnInfo, info: ParquetFileInfo): boolean {
  const kind = col.conversion?.kind;
  if (kind !== 'int64' && kind !== 'uint64') return false;
  for (const rg of info.rowGroups) {
    const s = rg.columns[col.index].statistics;
    if (int64StatUnsafe(s?.min, kind === 'uint64') || int64StatUnsafe(s?.max, kind === 'uint64')) return true;
  }
  return false;
}

/**
 * Picks the array class for a column. INT64 goes to Int32Array when the statistics of every
 * row group in the file say min and max fit (so that all workers pick the same), else to
 * Float64Array, flagged `narrowable` when statistics were missing (mergeParts then checks the values).
 */
export function chooseOutput(
  col: ParquetColumnInfo,
  info: ParquetFileInfo,
): { kind: OutKind; narrowable: boolean; int64Text?: boolean } {
  const conv = col.conversion;
  if (!conv) return fail(`column "${col.name}": ${col.unsupported ?? 'not supported'}`);
  if (int64BeyondDoubles(col, info)) return { kind: 'i32', narrowable: false, int64Text: true };
  switch (conv.kind) {
    case 'int32':
    case 'string':
    case 'bytes':
      return { kind: 'i32', narrowable: false };
    case 'bool':
      return { kind: 'u8', narrowable: false };
    case 'float32':
    case 'float16':
      return { kind: 'f32', narrowable: false };
    case 'int64': {
      let allStats = true;
      let fits = true;
      for (const rg of info.rowGroups) {
        const s = rg.columns[col.index].statistics;
        if (!s || s.min === undefined || s.max === undefined) {
          // A chunk of only nulls may carry no min/max; that is fine.
          if (s?.nullCount !== undefined && s.nullCount === rg.columns[col.index].numValues) continue;
          allStats = false;
          break;
        }
        if (!int64StatFits(s.min) || !int64StatFits(s.max)) fits = false;
      }
      if (allStats && fits) return { kind: 'i32', narrowable: false };
      return { kind: 'f64', narrowable: !allStats };
    }
    default:
      return { kind: 'f64', narrowable: false };
  }
}

/** Accumulates one column's values across the row groups of a part. */
export class ColumnBuilder {
  values: OutArray;
  valid: Uint8Array | null = null;
  /** Next row to fill. */
  pos = 0;
  /** Codes for byte values: strings interned, or raw bytes hashed into buckets. */
  readonly interner: ByteInterner | ByteBuckets | null;
  narrowable: boolean;

  /**
   * @param int64Text an INT64 column read as exact decimal text: each value's 8 bytes are
   * interned like a string's and become their decimal digits at the end (codes in `values`).
   */
  constructor(
    readonly col: ParquetColumnInfo,
    readonly rows: number,
    kind: OutKind,
    narrowable: boolean,
    readonly int64Text = false,
  ) {
    this.values = allocate(int64Text ? 'i32' : kind, rows);
    this.narrowable = narrowable && !int64Text;
    const conversion = col.conversion?.kind;
    this.interner =
      conversion === 'string' || int64Text ? new ByteInterner() : conversion === 'bytes' ? new ByteBuckets() : null;
  }

  /** Switches an Int32Array column to Float64Array (an INT64 value did not fit in 32 bits). */
  widen(): void {
    if (this.values instanceof Float64Array) return;
    const wide = new Float64Array(this.rows);
    wide.set(this.values);
    this.values = wide;
  }

  /**
   * Marks rows [from, from + n) valid per `mask` (1 present, 0 null), creating the mask at the
   * first null with every row present (rows may be filled in any order; those decoded later
   * set their own).
   */
  setValidity(from: number, n: number, mask: Uint8Array): void {
    if (!this.valid) this.valid = new Uint8Array(this.rows).fill(1);
    this.valid.set(mask.subarray(0, n), from);
  }

  /** Marks rows [from, from + n) as all present (only needed once a mask exists). */
  setAllValid(from: number, n: number): void {
    if (this.valid) this.valid.fill(1, from, from + n);
  }
}
