/**
 * The RLE / bit-packed hybrid encoding, used for definition levels, booleans and dictionary
 * indices. Runs are either a repeated value or groups of 8 bit-packed values (LSB first).
 */
import { fail } from './errors';
import type { OutArray } from './plain';

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
  // Widths 26..32: past what one 32-bit word read can hold.
  for (let i = 0, bitPos = pos * 8; i < n; i++, bitPos += width) out[op + i] = readBits(bytes, bitPos, width) | 0;
}

/**
 * One little-endian value of `width` bits (up to 64) starting at bit `bitPos`, assembled with
 * float arithmetic, so it is exact up to 2^53 and never overflows 32-bit integers.
 */
export function readBits(bytes: Uint8Array, bitPos: number, width: number): number {
  let v = 0;
  let got = 0;
  while (got < width) {
    const shift = bitPos & 7;
    const take = Math.min(8 - shift, width - got);
    v += ((bytes[bitPos >>> 3] >>> shift) & ((1 << take) - 1)) * 2 ** got;
    got += take;
    bitPos += take;
  }
  return v;
}

/**
 * Decodes `count` values of hybrid data from bytes[pos, end) into out[op..]. Returns the
 * position after the last run read. Throws when the data ends early or is malformed.
 */
export function decodeHybrid(
  bytes: Uint8Array,
  pos: number,
  end: number,
  width: number,
  count: number,
  out: Int32Array,
  op: number,
): number {
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
export function decodeDefinitionLevels(
  bytes: Uint8Array,
  pos: number,
  end: number,
  count: number,
  valid: Uint8Array,
): number {
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
export function decodeBitPackedLevels(
  bytes: Uint8Array,
  pos: number,
  end: number,
  count: number,
  valid: Uint8Array,
): number {
  if (pos + Math.ceil(count / 8) > end) fail('definition levels run past the end of the page');
  let present = 0;
  for (let i = 0; i < count; i++) {
    const bit = (bytes[pos + (i >>> 3)] >>> (7 - (i & 7))) & 1;
    valid[i] = bit;
    present += bit;
  }
  return present;
}

/**
 * Decodes `count` dictionary indices of hybrid data and writes dict[index] to dst[op..] in the
 * same pass (RLE runs become fills). Every index is checked against the dictionary size.
 */
export function decodeDictionaryIndices(
  bytes: Uint8Array,
  pos: number,
  end: number,
  width: number,
  count: number,
  dict: OutArray,
  dst: OutArray,
  op: number,
): void {
  if (width < 0 || width > 32) fail(`bit width ${width} is out of range`);
  const size = dict.length;
  const valueBytes = (width + 7) >>> 3;
  let p = pos;
  let done = 0;
  while (done < count) {
    // Run header (a varint; almost always one byte).
    let header = 0;
    let mul = 1;
    for (;;) {
      if (p >= end) fail('dictionary indices run past the end of the page');
      const b = bytes[p++];
      header += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
      if (mul > 2 ** 35) fail('a varint is longer than 5 bytes');
    }
    if ((header & 1) === 0) {
      const run = Math.floor(header / 2);
      if (run === 0) fail('an RLE run has length 0');
      if (p + valueBytes > end) fail('an RLE run runs past the end of the page');
      const v =
        valueBytes === 1
          ? bytes[p]
          : valueBytes === 2
            ? bytes[p] | (bytes[p + 1] << 8)
            : littleEndian(bytes, p, valueBytes);
      p += valueBytes;
      if (v >= size) badIndex(v, size);
      const n = run < count - done ? run : count - done;
      const x = dict[v];
      const o = op + done;
      if (n < 32) {
        for (let i = 0; i < n; i++) dst[o + i] = x;
      } else {
        dst.fill(x, o, o + n);
      }
      done += n;
      continue;
    }
    const groups = Math.floor(header / 2);
    const n = Math.min(groups * 8, count - done);
    if (p + Math.ceil((n * width) / 8) > end) fail('a bit-packed run runs past the end of the page');
    const o = op + done;
    if (width > 25) {
      const idx = new Int32Array(n);
      unpack(bytes, p, width, n, idx, 0);
      for (let i = 0; i < n; i++) {
        const j = idx[i];
        if (j >>> 0 >= size) badIndex(j, size);
        dst[o + i] = dict[j];
      }
    } else {
      packed(bytes, p, width, n, dict, dst, o);
    }
    done += n;
    p = Math.min(p + groups * width, end);
  }
}

/**
 * One bit-packed run of indices (width <= 25) gathered through the dictionary. Each index is
 * one unaligned little-endian 32-bit read (DataView, a single load once optimised) while four
 * bytes remain in the page, then byte reads; a width of 8 reads one byte per index.
 */
function packed(
  bytes: Uint8Array,
  p: number,
  width: number,
  n: number,
  dict: OutArray,
  dst: OutArray,
  o: number,
): void {
  const size = dict.length;
  if (width === 8) {
    for (let i = 0; i < n; i++) {
      const j = bytes[p + i];
      if (j >= size) badIndex(j, size);
      dst[o + i] = dict[j];
    }
    return;
  }
  const mask = (1 << width) - 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fast = wordReads(bytes, p, width, n);
  let bit = 0;
  let i = 0;
  for (; i < fast; i++) {
    const j = (view.getUint32(p + (bit >>> 3), true) >>> (bit & 7)) & mask;
    if (j >= size) badIndex(j, size);
    dst[o + i] = dict[j];
    bit += width;
  }
  for (; i < n; i++) {
    const q = p + (bit >>> 3);
    const j = ((bytes[q] | (bytes[q + 1] << 8) | (bytes[q + 2] << 16) | (bytes[q + 3] << 24)) >>> (bit & 7)) & mask;
    if (j >= size) badIndex(j, size);
    dst[o + i] = dict[j];
    bit += width;
  }
}

/** How many of n packed values starting at byte p can be read with a whole 32-bit word inside `bytes`. */
function wordReads(bytes: Uint8Array, p: number, width: number, n: number): number {
  // Value i's word starts at byte p + floor(i * width / 8) and needs 4 bytes.
  const room = bytes.length - 4 - p;
  if (room < 0) return 0;
  return Math.min(n, Math.floor((room * 8) / width) + 1);
}

/** An unsigned little-endian integer of up to 4 bytes. */
function littleEndian(bytes: Uint8Array, p: number, n: number): number {
  let v = 0;
  for (let b = n - 1; b >= 0; b--) v = v * 256 + bytes[p + b];
  return v;
}

function badIndex(j: number, size: number): never {
  return fail(`dictionary index ${j} is outside the dictionary of ${size} values`);
}
