/**
 * The DELTA_* encodings: DELTA_BINARY_PACKED (integers), DELTA_LENGTH_BYTE_ARRAY and
 * DELTA_BYTE_ARRAY (strings). 32-bit integers are decoded with float64 arithmetic and wrapped;
 * 64-bit ones are summed in two 32-bit halves with a carry (BigInt only for header varints).
 */
import { fail } from './errors';
import { readBits, readUleb, readZigzag } from './rle';

const TWO32 = 2 ** 32;

/** Unpacks one miniblock of unsigned `width`-bit values (up to 64) into out[op..op+n). */
function unpackWide(bytes: Uint8Array, pos: number, width: number, n: number, out: Float64Array, op: number): void {
  if (width === 0) {
    out.fill(0, op, op + n);
    return;
  }
  if (width <= 24) {
    const mask = (1 << width) - 1;
    let acc = 0;
    let bits = 0;
    for (let i = 0; i < n; i++) {
      while (bits < width) {
        acc |= bytes[pos++] << bits;
        bits += 8;
      }
      out[op + i] = acc & mask;
      acc >>>= width;
      bits -= width;
    }
    return;
  }
  for (let i = 0, bitPos = pos * 8; i < n; i++, bitPos += width) out[op + i] = readBits(bytes, bitPos, width);
}

/** Refuses a DELTA_BINARY_PACKED header the format does not allow, or one announcing more values than fit. */
function checkHeader(blockSize: number, miniblocks: number, total: number, maxCount: number): void {
  if (
    blockSize === 0 ||
    blockSize % 128 !== 0 ||
    miniblocks === 0 ||
    blockSize % miniblocks !== 0 ||
    (blockSize / miniblocks) % 32 !== 0
  ) {
    fail(`DELTA_BINARY_PACKED header is corrupt (block size ${blockSize}, ${miniblocks} miniblocks)`);
  }
  if (total > maxCount) fail(`DELTA_BINARY_PACKED announces ${total} values where at most ${maxCount} fit`);
}

/**
 * Decodes DELTA_BINARY_PACKED integers from bytes[pos, end). Returns the values (as many as
 * the header announces, at most `maxCount`) and the position after the encoded data.
 * `is64` picks the wrap-around width (int64 or int32); INT64 values are summed exactly
 * (`forEachDeltaInt64`) and each rounded once to the nearest double.
 */
export function decodeDeltaBinaryPacked(
  bytes: Uint8Array,
  pos: number,
  end: number,
  maxCount: number,
  is64: boolean,
): { values: Float64Array; end: number } {
  const c = { pos };
  const blockSize = readUleb(bytes, c, end);
  const miniblocks = readUleb(bytes, c, end);
  const total = readUleb(bytes, c, end);
  let value = readZigzag(bytes, c, end);
  checkHeader(blockSize, miniblocks, total, maxCount);
  if (is64) {
    // 64-bit sums are exact only in two halves (a double loses the last bits of a sum above
    // 2^53 even when every value is below it): each value is rounded once, at the end.
    const out = new Float64Array(total);
    let i = 0;
    const after = forEachDeltaInt64(bytes, pos, end, maxCount, (lo, hi) => {
      out[i++] = hi * TWO32 + lo;
    });
    return { values: out, end: after.end };
  }
  const miniSize = blockSize / miniblocks;
  const out = new Float64Array(total);
  const wrap = (v: number): number => v | 0;
  if (total === 0) return { values: out, end: c.pos };
  out[0] = value = wrap(value);
  let done = 1;
  const widths = new Uint8Array(miniblocks);
  while (done < total) {
    const minDelta = readZigzag(bytes, c, end);
    if (c.pos + miniblocks > end) fail('DELTA_BINARY_PACKED data runs past the end of the page');
    for (let m = 0; m < miniblocks; m++) widths[m] = bytes[c.pos + m];
    c.pos += miniblocks;
    for (let m = 0; m < miniblocks && done < total; m++) {
      const w = widths[m];
      if (w > 64) fail(`DELTA_BINARY_PACKED bit width ${w} is above 64`);
      const n = Math.min(miniSize, total - done);
      const used = Math.ceil((n * w) / 8);
      if (c.pos + used > end) fail('DELTA_BINARY_PACKED data runs past the end of the page');
      unpackWide(bytes, c.pos, w, n, out, done);
      // Miniblocks are padded to full size; the padding of the last one may be missing.
      c.pos = Math.min(c.pos + (miniSize * w) / 8, end);
      if (w > 24 || Math.abs(minDelta) >= TWO32) {
        for (let i = done; i < done + n; i++) out[i] = value = wrap(value + minDelta + out[i]);
      } else {
        for (let i = done; i < done + n; i++) out[i] = value = (value + minDelta + out[i]) | 0;
      }
      done += n;
    }
  }
  return { values: out, end: c.pos };
}

/** Calls `each(start, length)` for the byte ranges of a DELTA_LENGTH_BYTE_ARRAY page. */
export function forEachDeltaLength(
  bytes: Uint8Array,
  pos: number,
  end: number,
  count: number,
  each: (start: number, length: number) => void,
): void {
  const { values: lengths, end: dataStart } = decodeDeltaBinaryPacked(bytes, pos, end, count, false);
  if (lengths.length !== count) fail(`DELTA_LENGTH_BYTE_ARRAY holds ${lengths.length} values, ${count} expected`);
  let p = dataStart;
  for (let i = 0; i < count; i++) {
    const len = lengths[i];
    if (len < 0 || p + len > end) fail('DELTA_LENGTH_BYTE_ARRAY value runs past the end of the page');
    each(p, len);
    p += len;
  }
}

/**
 * Calls `each(buffer, start, length)` for the values of a DELTA_BYTE_ARRAY page: each value is
 * a prefix of the previous one plus a suffix, rebuilt in a scratch buffer.
 */
export function forEachDeltaByteArray(
  bytes: Uint8Array,
  pos: number,
  end: number,
  count: number,
  each: (buffer: Uint8Array, start: number, length: number) => void,
): void {
  const { values: prefixes, end: suffixStart } = decodeDeltaBinaryPacked(bytes, pos, end, count, false);
  if (prefixes.length !== count) fail(`DELTA_BYTE_ARRAY holds ${prefixes.length} prefixes, ${count} expected`);
  let scratch = new Uint8Array(256);
  let prevLen = 0;
  let i = 0;
  forEachDeltaLength(bytes, suffixStart, end, count, (start, length) => {
    const prefix = prefixes[i++];
    if (prefix < 0 || prefix > prevLen)
      fail(`DELTA_BYTE_ARRAY prefix length ${prefix} is longer than the previous value`);
    const len = prefix + length;
    if (len > scratch.length) {
      const bigger = new Uint8Array(Math.max(len, scratch.length * 2));
      bigger.set(scratch.subarray(0, prevLen));
      scratch = bigger;
    }
    scratch.set(bytes.subarray(start, start + length), prefix);
    each(scratch, 0, len);
    prevLen = len;
  });
}

function readUlebBig(bytes: Uint8Array, c: { pos: number }, end: number): bigint {
  let result = 0n;
  for (let i = 0, shift = 0n; i < 10; i++, shift += 7n) {
    if (c.pos >= end) fail('a varint runs past the end of the page');
    const b = bytes[c.pos++];
    result |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return result;
  }
  return fail('a varint is longer than 10 bytes');
}

function readZigzagBig(bytes: Uint8Array, c: { pos: number }, end: number): bigint {
  const n = readUlebBig(bytes, c, end);
  return (n & 1n) === 1n ? -((n + 1n) >> 1n) : n >> 1n;
}

/**
 * `width` (1 to 32) little-endian bits from bit `bitPos`, unsigned: the five bytes that can hold
 * them read at once (a byte past the array reads as 0; the caller has checked the range).
 */
function bits32(bytes: Uint8Array, bitPos: number, width: number): number {
  const at = bitPos >>> 3;
  const shift = bitPos & 7;
  const word = (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> shift;
  const v = shift === 0 ? word : word | (bytes[at + 4] << (32 - shift));
  return width === 32 ? v >>> 0 : (v & ((1 << width) - 1)) >>> 0;
}

/** The two 32-bit halves (lo unsigned, hi signed) of a 64-bit two's-complement value. */
function halves(v: bigint): [number, number] {
  return [Number(BigInt.asUintN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];
}

/**
 * DELTA_BINARY_PACKED INT64 values exactly, as 64-bit words: the float64 decoder above is
 * exact only below 2^53, so a column holding larger integers (IDs) is decoded here, adding in
 * two 32-bit halves with a carry and wrapping at 64 bits as the writer did (BigInt only for the
 * header's varints). Calls `each(lo, hi)` per value with the unsigned low and signed high half
 * of its two's-complement form; returns how many values there were and where they end.
 */
export function forEachDeltaInt64(
  bytes: Uint8Array,
  pos: number,
  end: number,
  maxCount: number,
  each: (lo: number, hi: number) => void,
): { count: number; end: number } {
  const c = { pos };
  const blockSize = Number(readUlebBig(bytes, c, end));
  const miniblocks = Number(readUlebBig(bytes, c, end));
  const total = Number(readUlebBig(bytes, c, end));
  let [lo, hi] = halves(readZigzagBig(bytes, c, end));
  checkHeader(blockSize, miniblocks, total, maxCount);
  if (total === 0) return { count: 0, end: c.pos };
  each(lo, hi);
  let done = 1;
  const miniSize = blockSize / miniblocks;
  while (done < total) {
    const [minLo, minHi] = halves(readZigzagBig(bytes, c, end));
    if (c.pos + miniblocks > end) fail('DELTA_BINARY_PACKED data runs past the end of the page');
    const widths = bytes.slice(c.pos, c.pos + miniblocks);
    c.pos += miniblocks;
    for (let m = 0; m < miniblocks && done < total; m++) {
      const w = widths[m];
      if (w > 64) fail(`DELTA_BINARY_PACKED bit width ${w} is above 64`);
      const n = Math.min(miniSize, total - done);
      if (c.pos + Math.ceil((n * w) / 8) > end) fail('DELTA_BINARY_PACKED data runs past the end of the page');
      const wLo = Math.min(w, 32);
      for (let i = 0, bit = c.pos * 8; i < n; i++, bit += w) {
        const dLo = wLo === 0 ? 0 : bits32(bytes, bit, wLo);
        const dHi = w > 32 ? bits32(bytes, bit + 32, w - 32) : 0;
        // value + minDelta + delta, each half summed exactly in float64, the carry moved up.
        const sum = lo + minLo + dLo;
        const carry = Math.floor(sum / TWO32);
        lo = sum - carry * TWO32;
        hi = (hi + minHi + dHi + carry) | 0;
        each(lo, hi);
      }
      c.pos = Math.min(c.pos + (miniSize * w) / 8, end);
      done += n;
    }
  }
  return { count: total, end: c.pos };
}
