/**
 * Huffman-coded literals for the zstd decoder (RFC 8878 section 4.2): the tree description
 * (direct or FSE-compressed weights) and the decoding of 1 or 4 backward bit streams.
 */
import { fail } from './errors';
import { readFseTable } from './zstd-fse';

/** A Huffman decoding table: entry = symbol << 8 | code length, indexed by the next `log` bits. */
export interface HuffmanTable {
  readonly log: number;
  readonly entries: Uint16Array;
}

function highBit(x: number): number {
  return 31 - Math.clz32(x);
}

/** Bit position just below the end-of-stream marker of a backward stream in bytes[start, end). */
export function backwardStart(bytes: Uint8Array, start: number, end: number): number {
  if (end <= start) fail('zstd: empty bit stream');
  const last = bytes[end - 1];
  if (last === 0) fail('zstd: bit stream has no end marker');
  return (end - 1 - start) * 8 + highBit(last);
}

/**
 * Bits [bitPos - n, bitPos) of the backward stream starting at byte `base`, for n <= 25. Bits
 * below the stream's start read as zeros (the caller checks for overruns).
 */
export function peekBits(bytes: Uint8Array, base: number, bitPos: number, n: number): number {
  const start = bitPos - n;
  if (start >= 0) {
    const p = base + (start >>> 3);
    return (
      ((bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> (start & 7)) & ((1 << n) - 1)
    );
  }
  if (bitPos <= 0) return 0;
  // Fewer than n bits left: take them all, as the high bits of the value.
  const v =
    (bytes[base] | (bytes[base + 1] << 8) | (bytes[base + 2] << 16) | (bytes[base + 3] << 24)) & ((1 << bitPos) - 1);
  return v << (n - bitPos);
}

/**
 * Reads a Huffman tree description at bytes[pos, end). Returns the decoding table and the
 * position after the description.
 */
export function readHuffmanTable(bytes: Uint8Array, pos: number, end: number): { table: HuffmanTable; end: number } {
  if (pos >= end) fail('zstd: missing Huffman tree description');
  const header = bytes[pos];
  const weights = new Uint8Array(256);
  let count: number;
  let next: number;
  if (header < 128) {
    next = pos + 1 + header;
    if (next > end) fail('zstd: Huffman tree description runs past the end');
    count = decodeFseWeights(bytes, pos + 1, next, weights);
  } else {
    count = header - 127;
    next = pos + 1 + ((count + 1) >>> 1);
    if (next > end) fail('zstd: Huffman tree description runs past the end');
    for (let i = 0; i < count; i++) {
      const b = bytes[pos + 1 + (i >>> 1)];
      weights[i] = i & 1 ? b & 15 : b >>> 4;
    }
  }
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (weights[i] > 11) fail('zstd: Huffman weight above 11');
    if (weights[i] > 0) total += 1 << (weights[i] - 1);
  }
  if (total === 0) fail('zstd: Huffman weights are all zero');
  const log = highBit(total) + 1;
  if (log > 11) fail('zstd: Huffman codes longer than 11 bits');
  const rest = (1 << log) - total;
  if ((rest & (rest - 1)) !== 0) fail('zstd: Huffman weights do not form a tree');
  weights[count] = highBit(rest) + 1;
  const symbols = count + 1;
  // Entries are laid out by increasing weight (longest codes first), each symbol filling 2^(w-1) slots.
  const rankStart = new Uint32Array(13);
  for (let s = 0; s < symbols; s++) if (weights[s] > 0) rankStart[weights[s]] += 1 << (weights[s] - 1);
  let at = 0;
  for (let w = 1; w <= log; w++) {
    const n = rankStart[w];
    rankStart[w] = at;
    at += n;
  }
  const entries = new Uint16Array(1 << log);
  for (let s = 0; s < symbols; s++) {
    const w = weights[s];
    if (w === 0) continue;
    const len = 1 << (w - 1);
    const entry = (s << 8) | (log + 1 - w);
    entries.fill(entry, rankStart[w], rankStart[w] + len);
    rankStart[w] += len;
  }
  return { table: { log, entries }, end: next };
}

/** FSE-compressed Huffman weights: two interleaved states over one backward stream. */
function decodeFseWeights(bytes: Uint8Array, pos: number, end: number, weights: Uint8Array): number {
  const { table, end: streamStart } = readFseTable(bytes, pos, end, 6, 255);
  const { symbol, nbBits, base, log } = table;
  let bitPos = backwardStart(bytes, streamStart, end);
  let s1 = peekBits(bytes, streamStart, bitPos, log);
  bitPos -= log;
  let s2 = peekBits(bytes, streamStart, bitPos, log);
  bitPos -= log;
  if (bitPos < 0) fail('zstd: corrupt Huffman weights');
  let n = 0;
  for (;;) {
    if (n >= 254) fail('zstd: too many Huffman weights');
    weights[n++] = symbol[s1];
    const b1 = nbBits[s1];
    s1 = base[s1] + peekBits(bytes, streamStart, bitPos, b1);
    bitPos -= b1;
    if (bitPos < 0) {
      weights[n++] = symbol[s2];
      break;
    }
    weights[n++] = symbol[s2];
    const b2 = nbBits[s2];
    s2 = base[s2] + peekBits(bytes, streamStart, bitPos, b2);
    bitPos -= b2;
    if (bitPos < 0) {
      weights[n++] = symbol[s1];
      break;
    }
  }
  return n;
}

/**
 * Decodes symbols of one backward stream (bytes from `start`, next bit `bitPos`) into
 * out[o, stop), and checks that the stream is then used up exactly.
 */
function decodeStream(
  bytes: Uint8Array,
  start: number,
  bitPos: number,
  t: HuffmanTable,
  out: Uint8Array,
  o: number,
  stop: number,
): void {
  const { log, entries } = t;
  const mask = (1 << log) - 1;
  // Fast path: two symbols per 4-byte load while 25 bits remain below bitPos.
  const hiShift = 25 - log;
  while (o + 2 <= stop && bitPos >= 25) {
    bitPos = twoSymbols(bytes, start, bitPos, entries, mask, hiShift, out, o);
    o += 2;
  }
  while (o < stop) {
    const e = entries[peekBits(bytes, start, bitPos, log)];
    out[o++] = e >>> 8;
    bitPos -= e & 255;
    if (bitPos < 0) fail('zstd: Huffman stream ends early');
  }
  if (bitPos !== 0) fail('zstd: Huffman stream has bits left over');
}

/**
 * Two symbols of a backward stream from one 4-byte load (the 25 bits below `bitPos` hold both
 * codes, at most 11 bits each, and lie inside the stream) to out[at], out[at + 1]; returns the
 * new bit position.
 */
function twoSymbols(
  bytes: Uint8Array,
  start: number,
  bitPos: number,
  entries: Uint16Array,
  mask: number,
  hi: number,
  out: Uint8Array,
  at: number,
): number {
  const s = bitPos - 25;
  const p = start + (s >>> 3);
  const w = (bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24)) >>> (s & 7);
  const e = entries[(w >>> hi) & mask];
  const f = entries[(w >>> (hi - (e & 255))) & mask];
  out[at] = e >>> 8;
  out[at + 1] = f >>> 8;
  return bitPos - (e & 255) - (f & 255);
}

/** Decodes Huffman literals (1 or 4 streams) from bytes[pos, end) into out[0, size). */
export function decodeHuffmanLiterals(
  bytes: Uint8Array,
  pos: number,
  end: number,
  t: HuffmanTable,
  fourStreams: boolean,
  out: Uint8Array,
  size: number,
): void {
  if (!fourStreams) {
    decodeStream(bytes, pos, backwardStart(bytes, pos, end), t, out, 0, size);
    return;
  }
  if (pos + 6 > end) fail('zstd: truncated Huffman jump table');
  const l1 = bytes[pos] | (bytes[pos + 1] << 8);
  const l2 = bytes[pos + 2] | (bytes[pos + 3] << 8);
  const l3 = bytes[pos + 4] | (bytes[pos + 5] << 8);
  const s1 = pos + 6;
  const s2 = s1 + l1;
  const s3 = s2 + l2;
  const s4 = s3 + l3;
  if (s4 > end) fail('zstd: Huffman streams run past the end');
  const q = (size + 3) >>> 2;
  const last = size - 3 * q;
  if (last < 0) fail('zstd: corrupt Huffman stream sizes');
  let b1 = backwardStart(bytes, s1, s2);
  let b2 = backwardStart(bytes, s2, s3);
  let b3 = backwardStart(bytes, s3, s4);
  let b4 = backwardStart(bytes, s4, end);
  // The four streams interleaved, two symbols each per step, so that the CPU can overlap
  // their independent chains of loads; each stream then finishes on its own.
  const { log, entries } = t;
  const mask = (1 << log) - 1;
  const hi = 25 - log;
  let o = 0;
  // Stop two symbols short of the shortest stream; each stream needs 25 bits below its position.
  const lim = Math.min(last, q) & ~1;
  while (o < lim && b1 >= 25 && b2 >= 25 && b3 >= 25 && b4 >= 25) {
    b1 = twoSymbols(bytes, s1, b1, entries, mask, hi, out, o);
    b2 = twoSymbols(bytes, s2, b2, entries, mask, hi, out, q + o);
    b3 = twoSymbols(bytes, s3, b3, entries, mask, hi, out, 2 * q + o);
    b4 = twoSymbols(bytes, s4, b4, entries, mask, hi, out, 3 * q + o);
    o += 2;
  }
  decodeStream(bytes, s1, b1, t, out, o, q);
  decodeStream(bytes, s2, b2, t, out, q + o, 2 * q);
  decodeStream(bytes, s3, b3, t, out, 2 * q + o, 3 * q);
  decodeStream(bytes, s4, b4, t, out, 3 * q + o, size);
}
