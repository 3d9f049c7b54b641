/**
 * The DELTA_* encodings: DELTA_BINARY_PACKED (integers), DELTA_LENGTH_BYTE_ARRAY and
 * DELTA_BYTE_ARRAY (strings). Integers are decoded with float64 arithmetic and wrapped to
 * the column's width, so they are exact below 2^53 and need no BigInt.
 */
import { fail } from './errors';
import { readBits, readUleb, readZigzag } from './rle';

const TWO32 = 2 ** 32;
const TWO63 = 2 ** 63;
const TWO64 = 2 ** 64;

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

/**
 * Decodes DELTA_BINARY_PACKED integers from bytes[pos, end). Returns the values (as many as
 * the header announces, at most `maxCount`) and the position after the encoded data.
 * `is64` picks the wrap-around width (int64 or int32).
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
  const miniSize = blockSize / miniblocks;
  const out = new Float64Array(total);
  const wrap = (v: number): number => {
    if (is64) return v >= TWO63 ? v - TWO64 : v < -TWO63 ? v + TWO64 : v;
    return v | 0;
  };
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
      if (is64 || w > 24 || Math.abs(minDelta) >= TWO32) {
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
