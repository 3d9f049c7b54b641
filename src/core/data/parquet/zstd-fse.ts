/**
 * Finite State Entropy tables for the zstd decoder (RFC 8878 section 4.1): reading a table
 * description (normalized counts) and building the decoding table.
 */
import { fail } from './errors';

/** A decoding table: for each state, its symbol, the bits to read next and the base of the next state. */
export interface FseTable {
  readonly log: number;
  readonly symbol: Uint8Array;
  readonly nbBits: Uint8Array;
  readonly base: Uint16Array;
}

function highBit(x: number): number {
  return 31 - Math.clz32(x);
}

/** Builds the decoding table for normalized counts `norm[0..n)` (-1 = "less than one") at accuracy `log`. */
export function buildFseTable(norm: Int16Array, n: number, log: number): FseTable {
  const size = 1 << log;
  const symbol = new Uint8Array(size);
  const nbBits = new Uint8Array(size);
  const base = new Uint16Array(size);
  const next = new Uint16Array(n);
  let high = size - 1;
  for (let s = 0; s < n; s++) {
    if (norm[s] === -1) {
      symbol[high--] = s;
      next[s] = 1;
    } else {
      next[s] = norm[s];
    }
  }
  const step = (size >>> 1) + (size >>> 3) + 3;
  const mask = size - 1;
  let pos = 0;
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < norm[s]; i++) {
      symbol[pos] = s;
      do pos = (pos + step) & mask;
      while (pos > high);
    }
  }
  if (pos !== 0) fail('zstd: corrupt FSE table (symbols do not fill it)');
  for (let u = 0; u < size; u++) {
    const s = symbol[u];
    const ns = next[s]++;
    const nb = log - highBit(ns);
    nbBits[u] = nb;
    base[u] = (ns << nb) - size;
  }
  return { log, symbol, nbBits, base };
}

/** A table that always yields `sym` and reads no bits (RLE mode). */
export function rleFseTable(sym: number): FseTable {
  return { log: 0, symbol: Uint8Array.of(sym), nbBits: new Uint8Array(1), base: new Uint16Array(1) };
}

/**
 * Reads an FSE table description from bytes[pos, end) (a forward, little-endian bit stream).
 * Returns the table and the position after the description.
 */
export function readFseTable(
  bytes: Uint8Array,
  pos: number,
  end: number,
  maxLog: number,
  maxSymbol: number,
): { table: FseTable; end: number } {
  let bitPos = pos * 8;
  const endBits = end * 8;
  const peek = (): number => {
    // At least 25 bits from bitPos (no read takes more than 11); bytes past the end read as 0
    // and overruns are caught below.
    const b = bitPos >>> 3;
    return (bytes[b] | (bytes[b + 1] << 8) | (bytes[b + 2] << 16) | (bytes[b + 3] << 24)) >>> (bitPos & 7);
  };
  const log = (peek() & 15) + 5;
  bitPos += 4;
  if (log > maxLog) fail(`zstd: FSE accuracy ${log} is above ${maxLog}`);
  const norm = new Int16Array(maxSymbol + 1);
  let remaining = (1 << log) + 1;
  let threshold = 1 << log;
  let nbBits = log + 1;
  let s = 0;
  let previous0 = false;
  while (remaining > 1 && s <= maxSymbol) {
    if (previous0) {
      let n0 = s;
      let v = peek();
      while ((v & 3) === 3) {
        n0 += 3;
        bitPos += 2;
        v = peek();
      }
      n0 += v & 3;
      bitPos += 2;
      if (n0 > maxSymbol + 1) fail('zstd: corrupt FSE table (too many zero counts)');
      while (s < n0) norm[s++] = 0;
      if (s > maxSymbol) break;
    }
    const max = 2 * threshold - 1 - remaining;
    const v = peek();
    let count: number;
    if ((v & (threshold - 1)) < max) {
      count = v & (threshold - 1);
      bitPos += nbBits - 1;
    } else {
      count = v & (2 * threshold - 1);
      if (count >= threshold) count -= max;
      bitPos += nbBits;
    }
    count--;
    remaining -= count < 0 ? -count : count;
    norm[s++] = count;
    previous0 = count === 0;
    while (remaining < threshold) {
      nbBits--;
      threshold >>>= 1;
    }
    if (bitPos > endBits) fail('zstd: FSE table description runs past the end');
  }
  if (remaining !== 1 || bitPos > endBits) fail('zstd: corrupt FSE table description');
  return { table: buildFseTable(norm, s, log), end: (bitPos + 7) >>> 3 };
}

/** The predefined tables of RFC 8878 (literal lengths, match lengths, offsets). */
const LL_DEFAULT = [
  4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1,
];
const ML_DEFAULT = [
  1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1,
];
const OF_DEFAULT = [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1];

export const LL_PREDEFINED = buildFseTable(Int16Array.from(LL_DEFAULT), LL_DEFAULT.length, 6);
export const ML_PREDEFINED = buildFseTable(Int16Array.from(ML_DEFAULT), ML_DEFAULT.length, 6);
export const OF_PREDEFINED = buildFseTable(Int16Array.from(OF_DEFAULT), OF_DEFAULT.length, 5);
