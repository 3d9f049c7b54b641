import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { decodeDictionaryIndices, readBits } from './rle';

describe('readBits', () => {
  it('reads little-endian values of 1..53 bits at any bit offset, like BigInt arithmetic', () => {
    const rng = new Rng(3);
    const bytes = Uint8Array.from({ length: 64 }, () => rng.int(256));
    let all = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) all = (all << 8n) | BigInt(bytes[i]);
    for (let width = 1; width <= 53; width++) {
      for (const bitPos of [0, 1, 7, 8, 13, 64, 101, 200]) {
        const expected = Number((all >> BigInt(bitPos)) & ((1n << BigInt(width)) - 1n));
        expect(readBits(bytes, bitPos, width), `width ${width} at bit ${bitPos}`).toBe(expected);
      }
    }
  });
});

/**
 * A reference RLE / bit-packed hybrid writer (the Parquet spec's layout, written plainly):
 * alternating RLE runs and bit-packed runs of whole groups of 8, values LSB first.
 */
function encodeHybrid(indices: number[], width: number, rng: Rng): number[] {
  const out: number[] = [];
  const uleb = (v: number) => {
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
  };
  let i = 0;
  while (i < indices.length) {
    let run = 1;
    while (i + run < indices.length && indices[i + run] === indices[i]) run++;
    if (run >= 8 || rng.next() < 0.2) {
      uleb(run * 2);
      for (let b = 0; b < Math.ceil(width / 8); b++) out.push(Math.floor(indices[i] / 2 ** (8 * b)) & 255);
      i += run;
      continue;
    }
    const groups = Math.min(1 + rng.int(6), Math.ceil((indices.length - i) / 8));
    uleb(groups * 2 + 1);
    const bits: number[] = [];
    for (let k = 0; k < groups * 8; k++) {
      const v = indices[i + k] ?? 0; // the last group is padded with zeros
      for (let b = 0; b < width; b++) bits.push(Math.floor(v / 2 ** b) & 1);
    }
    for (let b = 0; b < bits.length; b += 8) {
      let byte = 0;
      for (let k = 0; k < 8; k++) byte |= (bits[b + k] ?? 0) << k;
      out.push(byte);
    }
    i += groups * 8;
  }
  return out;
}

describe('decodeDictionaryIndices', () => {
  it(
    'equals dict[index] from a reference encoder for widths 1..25, every dictionary type, page ending at ' +
      'the last byte',
    () => {
      const rng = new Rng(11);
      for (let width = 1; width <= 25; width++) {
        const size = Math.min(2 ** width, 5000);
        const n = 300 + rng.int(200);
        // Runs of repeats mixed with random indices, so both run kinds occur.
        const indices: number[] = [];
        while (indices.length < n) {
          const v = rng.int(size);
          const r = rng.next() < 0.3 ? 1 + rng.int(20) : 1;
          for (let k = 0; k < r && indices.length < n; k++) indices.push(v);
        }
        const encoded = encodeHybrid(indices, width, rng);
        // The stream sits at an odd offset in a larger buffer, and the view ends with it.
        const backing = new Uint8Array(encoded.length + 7);
        backing.set(encoded, 7);
        const bytes = backing.subarray(3);
        for (const make of [
          (k: number) => new Int32Array(k),
          (k: number) => new Float64Array(k),
          (k: number) => new Float32Array(k),
        ]) {
          const dict = make(size);
          for (let k = 0; k < size; k++) dict[k] = (k * 7919) % 100_003;
          const dst = make(n + 5);
          decodeDictionaryIndices(bytes, 4, bytes.length, width, n, dict, dst, 5);
          const want = indices.map((k) => dict[k]);
          expect(Array.from(dst.subarray(5)), `width ${width}, ${dict.constructor.name}`).toEqual(want);
        }
      }
    },
  );

  it('names an index beyond the dictionary', () => {
    const rng = new Rng(12);
    for (const width of [3, 8, 11]) {
      const indices = Array.from({ length: 64 }, (_, i) => (i === 40 ? 2 ** width - 1 : rng.int(4)));
      const bytes = Uint8Array.from(encodeHybrid(indices, width, rng));
      const dict = new Int32Array(4);
      expect(() => decodeDictionaryIndices(bytes, 0, bytes.length, width, 64, dict, new Int32Array(64), 0)).toThrow(
        `dictionary index ${2 ** width - 1} is outside the dictionary of 4 values`,
      );
    }
  });
});
