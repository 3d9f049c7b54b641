import { describe, expect, it } from 'vitest';
import { decimalToFloat } from './arrow-decimal';
import { Rng } from './rng';

/** The reference: the exact integer from BigInt, then parsed with its scale (correctly rounded). */
function reference(value: bigint, scale: number): number {
  return Number(`${value.toString()}e${-scale}`);
}

function wordsOf(value: bigint, n: number): Uint32Array {
  const out = new Uint32Array(n);
  let v = BigInt.asUintN(32 * n, value);
  for (let i = 0; i < n; i++) {
    out[i] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
  return out;
}

describe('decimalToFloat', () => {
  it('is the nearest double to value / 10^scale for 32- to 256-bit decimals (vs BigInt)', () => {
    const rng = new Rng(19);
    const rand = () => rng.next();
    const scratch = new Uint32Array(8);
    for (const n of [1, 2, 4, 8]) {
      for (let k = 0; k < 3000; k++) {
        // Random magnitudes of every size the width allows, both signs, scales -5..40.
        const bits = 1 + Math.floor(rand() * (32 * n - 1));
        let v = 0n;
        for (let b = 0; b < bits; b += 16) v = (v << 16n) | BigInt(Math.floor(rand() * 65536));
        v = BigInt.asIntN(32 * n, v & ((1n << BigInt(bits)) - 1n));
        if (rand() < 0.5) v = BigInt.asIntN(32 * n, -v);
        const scale = Math.floor(rand() * 46) - 5;
        const got = decimalToFloat(wordsOf(v, n), 0, n, scale, scratch);
        expect(got, `${v}e${-scale} (${n} words)`).toBe(reference(v, scale));
      }
    }
  });

  it('reads the extremes and values at an offset', () => {
    const scratch = new Uint32Array(8);
    const min128 = -(1n << 127n);
    const max256 = (1n << 255n) - 1n;
    expect(decimalToFloat(wordsOf(min128, 4), 0, 4, 2, scratch)).toBe(reference(min128, 2));
    expect(decimalToFloat(wordsOf(max256, 8), 0, 8, 5, scratch)).toBe(reference(max256, 5));
    const two = new Uint32Array([...wordsOf(-12345n, 4), ...wordsOf(987654321987654321n, 4)]);
    expect(decimalToFloat(two, 0, 4, 2, scratch)).toBe(-123.45);
    expect(decimalToFloat(two, 4, 4, 9, scratch)).toBe(Number('987654321.987654321'));
    expect(decimalToFloat(wordsOf(0n, 2), 0, 2, 3, scratch)).toBe(0);
  });
});
