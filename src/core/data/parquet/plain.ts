/**
 * PLAIN-encoded values to DataTable arrays, one converter per Conversion. Also the helpers
 * that turn raw integers (from DELTA_BINARY_PACKED) and byte strings into the same outputs.
 * 64-bit integers are read as two 32-bit halves (hi * 2^32 + lo): no BigInt anywhere.
 */
import { fail } from './errors';
import type { Conversion } from './types';

/** Arrays a numeric column (or a categorical column's codes) is decoded into. */
export type OutArray = Float64Array | Float32Array | Int32Array | Uint8Array;

const TWO32 = 2 ** 32;
const JULIAN_EPOCH_DAY = 2440588; // Julian day number of 1970-01-01
const MS_PER_DAY = 86400000;
const NANOS_PER_DAY = 86400e9;

/**
 * An INT96 whose nanoseconds lie outside one day: Spark writes a timestamp past the 64-bit
 * nanosecond range (beyond about 2262) that way, the nanoseconds having wrapped. Computed in
 * wrapping 64-bit microseconds, as Spark computed it, the overflow undoes itself exactly
 * (apache/parquet-testing int96_from_spark: 290000-12-30T23:00Z). Rare, so BigInt is fine here.
 */
function int96Wrapped(day: number, nanosHi: number, nanosLo: number): number {
  const nanos = (BigInt(nanosHi) << 32n) | BigInt(nanosLo >>> 0);
  const micros = BigInt.asIntN(64, BigInt(day - JULIAN_EPOCH_DAY) * 86_400_000_000n + nanos / 1000n);
  return Number(micros) / 1000;
}

/** Little-endian words of bytes[pos, pos + 4n), aligned (a view when possible, else a copy). */
function words(bytes: Uint8Array, pos: number, n: number): Int32Array {
  const at = bytes.byteOffset + pos;
  if ((at & 3) === 0) return new Int32Array(bytes.buffer, at, n);
  return new Int32Array(bytes.slice(pos, pos + 4 * n).buffer);
}

function float32s(bytes: Uint8Array, pos: number, n: number): Float32Array {
  const at = bytes.byteOffset + pos;
  if ((at & 3) === 0) return new Float32Array(bytes.buffer, at, n);
  return new Float32Array(bytes.slice(pos, pos + 4 * n).buffer);
}

function float64s(bytes: Uint8Array, pos: number, n: number): Float64Array {
  const at = bytes.byteOffset + pos;
  if ((at & 7) === 0) return new Float64Array(bytes.buffer, at, n);
  return new Float64Array(bytes.slice(pos, pos + 8 * n).buffer);
}

/** Byte width of one PLAIN value of a fixed-size physical type (0 for BYTE_ARRAY, -1 for BOOLEAN bits). */
export function plainWidth(physicalType: string, typeLength: number): number {
  switch (physicalType) {
    case 'INT32':
    case 'FLOAT':
      return 4;
    case 'INT64':
    case 'DOUBLE':
      return 8;
    case 'INT96':
      return 12;
    case 'FIXED_LEN_BYTE_ARRAY':
      return typeLength;
    case 'BOOLEAN':
      return -1;
    default:
      return 0;
  }
}

/** A big-endian two's-complement integer of `len` bytes, as a float. */
export function bigEndianSigned(bytes: Uint8Array, start: number, len: number): number {
  if (len === 0) return 0;
  let v = 0;
  if (bytes[start] & 0x80) {
    // Negative: -(~x + 1), accumulated on the inverted bytes so that no precision is lost to cancellation.
    for (let i = 0; i < len; i++) v = v * 256 + (255 - bytes[start + i]);
    return -(v + 1);
  }
  for (let i = 0; i < len; i++) v = v * 256 + bytes[start + i];
  return v;
}

function float16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes `n` PLAIN values of a fixed-width type from bytes[pos, end) into dst[op..].
 * Returns false only for `int64` into an Int32Array when a value does not fit (the caller
 * then widens the column to Float64 and decodes again).
 */
export function decodePlainFixed(
  conv: Conversion,
  width: number,
  bytes: Uint8Array,
  pos: number,
  end: number,
  n: number,
  dst: OutArray,
  op: number,
): boolean {
  const need = width < 0 ? Math.ceil(n / 8) : n * width;
  if (pos + need > end) fail(`PLAIN data holds fewer than the ${n} values announced`);
  switch (conv.kind) {
    case 'bool':
      for (let i = 0; i < n; i++) dst[op + i] = (bytes[pos + (i >>> 3)] >>> (i & 7)) & 1;
      return true;
    case 'float32':
      if (width !== 4) break;
      dst.set(float32s(bytes, pos, n), op);
      return true;
    case 'float64':
      if (width !== 8) break;
      dst.set(float64s(bytes, pos, n), op);
      return true;
    case 'int32':
      if (width !== 4) break;
      dst.set(words(bytes, pos, n), op);
      return true;
    case 'uint32': {
      if (width !== 4) break;
      const w = words(bytes, pos, n);
      for (let i = 0; i < n; i++) dst[op + i] = w[i] >>> 0;
      return true;
    }
    case 'int64':
    case 'uint64':
    case 'scaled64': {
      if (width !== 8) break;
      const w = words(bytes, pos, 2 * n);
      if (dst instanceof Int32Array) {
        for (let i = 0; i < n; i++) {
          const lo = w[2 * i];
          if (w[2 * i + 1] !== lo >> 31) return false;
          dst[op + i] = lo;
        }
        return true;
      }
      const hiUnsigned = conv.kind === 'uint64';
      const div = conv.kind === 'scaled64' ? conv.divisor : 1;
      for (let i = 0; i < n; i++) {
        const hi = hiUnsigned ? w[2 * i + 1] >>> 0 : w[2 * i + 1];
        dst[op + i] = (hi * TWO32 + (w[2 * i] >>> 0)) / div;
      }
      return true;
    }
    case 'int96': {
      if (width !== 12) break;
      const w = words(bytes, pos, 3 * n);
      for (let i = 0; i < n; i++) {
        const nanos = w[3 * i + 1] * TWO32 + (w[3 * i] >>> 0);
        dst[op + i] =
          nanos >= 0 && nanos < NANOS_PER_DAY
            ? (w[3 * i + 2] - JULIAN_EPOCH_DAY) * MS_PER_DAY + nanos / 1e6
            : int96Wrapped(w[3 * i + 2], w[3 * i + 1], w[3 * i]);
      }
      return true;
    }
    case 'decimal': {
      const scale = 10 ** conv.scale;
      if (width === 4 && conv.bigEndian !== true) {
        const w = words(bytes, pos, n);
        for (let i = 0; i < n; i++) dst[op + i] = w[i] / scale;
      } else if (width === 8 && conv.bigEndian !== true) {
        const w = words(bytes, pos, 2 * n);
        for (let i = 0; i < n; i++) dst[op + i] = (w[2 * i + 1] * TWO32 + (w[2 * i] >>> 0)) / scale;
      } else {
        for (let i = 0; i < n; i++) dst[op + i] = bigEndianSigned(bytes, pos + i * width, width) / scale;
      }
      return true;
    }
    case 'float16':
      for (let i = 0; i < n; i++) dst[op + i] = float16(bytes[pos + 2 * i] | (bytes[pos + 2 * i + 1] << 8));
      return true;
    case 'interval': {
      // Three little-endian unsigned int32 per value (months, days, milliseconds); this column is one of them.
      if (width !== 12) break;
      for (let i = 0, p = pos + 4 * conv.part; i < n; i++, p += 12)
        dst[op + i] = (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0;
      return true;
    }
    case 'string':
      break;
  }
  return fail(`PLAIN values of width ${width} cannot be read as ${conv.kind}`);
}

/**
 * Stores raw integers (exact in float64, as DELTA_BINARY_PACKED yields them) into dst[op..]
 * with the column's conversion. Returns false when int64 values do not fit an Int32Array.
 */
export function storeIntegers(conv: Conversion, src: Float64Array, n: number, dst: OutArray, op: number): boolean {
  if (dst instanceof Int32Array) {
    for (let i = 0; i < n; i++) {
      const v = src[i];
      if ((v | 0) !== v) return false;
      dst[op + i] = v;
    }
    return true;
  }
  const div = conv.kind === 'scaled64' ? conv.divisor : conv.kind === 'decimal' ? 10 ** conv.scale : 1;
  const unsigned32 = conv.kind === 'uint32';
  const unsigned64 = conv.kind === 'uint64';
  for (let i = 0; i < n; i++) {
    let v = src[i];
    if (unsigned32 && v < 0) v += TWO32;
    else if (unsigned64 && v < 0) v += 2 ** 64;
    dst[op + i] = v / div;
  }
  return true;
}

/** Calls `each(start, width)` for `n` PLAIN FIXED_LEN_BYTE_ARRAY values of `width` bytes each. */
export function forEachPlainFixed(
  bytes: Uint8Array,
  pos: number,
  end: number,
  n: number,
  width: number,
  each: (start: number, length: number) => void,
): number {
  if (width <= 0 || pos + n * width > end)
    fail(`PLAIN FIXED_LEN_BYTE_ARRAY data holds fewer than the ${n} values of ${width} bytes announced`);
  for (let i = 0; i < n; i++) each(pos + i * width, width);
  return pos + n * width;
}

/** Calls `each(start, length)` for `n` PLAIN BYTE_ARRAY values (4-byte length, then bytes). */
export function forEachPlainByteArray(
  bytes: Uint8Array,
  pos: number,
  end: number,
  n: number,
  each: (start: number, length: number) => void,
): number {
  let p = pos;
  for (let i = 0; i < n; i++) {
    if (p + 4 > end) fail(`PLAIN BYTE_ARRAY data holds fewer than the ${n} values announced`);
    const len = (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> 0;
    p += 4;
    if (p + len > end) fail('a PLAIN BYTE_ARRAY value runs past the end of the page');
    each(p, len);
    p += len;
  }
  return p;
}

/**
 * Undoes BYTE_STREAM_SPLIT: `n` values of `width` bytes stored as `width` streams of bytes.
 * Returns the values in PLAIN layout.
 */
export function unsplitByteStreams(bytes: Uint8Array, pos: number, end: number, n: number, width: number): Uint8Array {
  if (width <= 0) fail('BYTE_STREAM_SPLIT needs a fixed-width type');
  if (pos + n * width > end) fail(`BYTE_STREAM_SPLIT data holds fewer than the ${n} values announced`);
  const out = new Uint8Array(n * width);
  for (let s = 0; s < width; s++) {
    const base = pos + s * n;
    for (let i = 0; i < n; i++) out[i * width + s] = bytes[base + i];
  }
  return out;
}
