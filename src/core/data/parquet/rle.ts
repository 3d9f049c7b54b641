/**
 * The RLE / bit-packed hybrid encoding, used for definition levels, booleans and dictionary
 * indices. Runs are either a repeated value or groups of 8 bit-packed values (LSB first).
 */
import { fail } from './errors';

/** Reads an unsigned LEB128 varint at `pos`; returns the value, leaving the new position in `cursor.pos`. */
export function readUleb(bytes: Uint8Array, cursor: { pos: number }, end: number): number {
  let result = 0;
  let mul = 1;
  let pos = cursor.pos;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) fail('a varint runs past the end of the page');
    const b = bytes[pos++];
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      cursor.pos = pos;
      return result;
    }
    mul *= 128;
  }
  return fail('a varint is longer than 10 bytes');
}

/**
 * Reads a zigzag-encoded varint. The sign lives in the lowest bit, which float64 loses above
 * 2^53, so it is taken from the first byte rather than from the assembled number.
 */
export function readZigzag(bytes: Uint8Array, cursor: { pos: number }, end: number): number {
  if (cursor.pos >= end) fail('a varint runs past the end of the page');
  const negative = (bytes[cursor.pos] & 1) === 1;
  const n = readUleb(bytes, cursor, end);
  return negative ? -(n + 1) / 2 : n / 2;
}

/** Unpacks `n` values of `width` bits starting at byte `pos`; the caller has checked that the bytes exist. */
function unpack(bytes: Uint8Array, pos: number, width: number, n: number, out: Int32Array, op: number): void {
  if (width === 8) {
    for (let i = 0; i < n; i++) out[op + i] = bytes[pos + i];
    return;
  }
  if (width <= 25) {
    // Each value lies within the 4 bytes starting at its first bit's byte.
    const mask = (1 << width) - 1;
    let bit = 0;
    for (let i = 0; i < n; i++) {
      const p = pos + (bit >>> 3);
      const word = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24);
      out[op + i] = (word >>> (bit & 7)) & mask;
      bit += width;
    }
    return;
  }
  // Widths 26..32: assemble each value from bytes with float arithmetic (no 32-bit overflow).
  let bitPos = pos * 8;
  for (let i = 0; i < n; i++) {
    let v = 0;
    let got = 0;
    while (got < width) {
      const byte = bytes[bitPos >>> 3];
      const shift = bitPos & 7;
      const take = Math.min(8 - shift, width - got);
      v += ((byte >>> shift) & ((1 << take) - 1)) * 2 ** got;
      got += take;
      bitPos += take;
    }
    out[op + i] = v | 0;
  }
}

/**
 * Decodes `count` values of hybrid data from bytes[pos, end) into out[op..]. Returns the
 * position after the last run read. Throws when the data ends early or is malformed.
 */
export function decodeHybrid(bytes: Uint8Array, pos: number, end: number, width: number, count: number, out: Int32Array, op: number): number {
  if (width < 0 || width > 32) fail(`bit width ${width} is out of range`);
  const cursor = { pos };
  let done = 0;
  const valueBytes = (width + 7) >>> 3;
  while (done < count) {
    const header = readUleb(bytes, cursor, end);
    let p = cursor.pos;
    if ((header & 1) === 0) {
      const run = Math.floor(header / 2);
      if (run === 0) fail('an RLE run has length 0');
      if (p + valueBytes > end) fail('an RLE run runs past the end of the page');
      let v = 0;
      for (let b = 0; b < valueBytes; b++) v += bytes[p + b] * 2 ** (8 * b);
      p += valueBytes;
      const n = Math.min(run, count - done);
      out.fill(v | 0, op + done, op + done + n);
      done += n;
    } else {
      const groups = Math.floor(header / 2);
      const available = groups * 8;
      const n = Math.min(available, count - done);
      const groupBytes = groups * width;
      // The last group may be cut short by some writers: require only the bytes for the values used.
      const needed = Math.ceil((n * width) / 8);
      if (p + needed > end) fail('a bit-packed run runs past the end of the page');
      unpack(bytes, p, width, n, out, op + done);
      done += n;
      p = Math.min(p + groupBytes, end);
    }
    cursor.pos = p;
  }
  return cursor.pos;
}

/**
 * Decodes flat definition levels (max level 1, bit width 1) into `valid` (1 present, 0 null).
 * Returns the number of present values.
 */
export function decodeDefinitionLevels(bytes: Uint8Array, pos: number, end: number, count: number, valid: Uint8Array): number {
  const cursor = { pos };
  let done = 0;
  let present = 0;
  while (done < count) {
    const header = readUleb(bytes, cursor, end);
    let p = cursor.pos;
    if ((header & 1) === 0) {
      const run = Math.floor(header / 2);
      if (run === 0) fail('an RLE run of definition levels has length 0');
      if (p >= end) fail('definition levels run past the end of the page');
      const v = bytes[p++];
      if (v > 1) fail(`definition level ${v} is above the column's maximum of 1`);
      const n = Math.min(run, count - done);
      valid.fill(v, done, done + n);
      if (v === 1) present += n;
      done += n;
    } else {
      const groups = Math.floor(header / 2);
      const n = Math.min(groups * 8, count - done);
      if (p + Math.ceil(n / 8) > end) fail('definition levels run past the end of the page');
      for (let i = 0; i < n; i++) {
        const bit = (bytes[p + (i >>> 3)] >>> (i & 7)) & 1;
        valid[done + i] = bit;
        present += bit;
      }
      done += n;
      p = Math.min(p + groups, end);
    }
    cursor.pos = p;
  }
  return present;
}

/** Decodes the deprecated BIT_PACKED level encoding (MSB first) for bit width 1. */
export function decodeBitPackedLevels(bytes: Uint8Array, pos: number, end: number, count: number, valid: Uint8Array): number {
  if (pos + Math.ceil(count / 8) > end) fail('definition levels run past the end of the page');
  let present = 0;
  for (let i = 0; i < count; i++) {
    const bit = (bytes[pos + (i >>> 3)] >>> (7 - (i & 7))) & 1;
    valid[i] = bit;
    present += bit;
  }
  return present;
}
