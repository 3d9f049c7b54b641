import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { readBits } from './rle';

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
