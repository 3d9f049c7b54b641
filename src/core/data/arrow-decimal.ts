/**
 * Arrow decimals (32, 64, 128 and 256 bits: two's complement integers in little-endian 32-bit
 * words, with a scale) as the nearest float64 to integer / 10^scale. Values below 2^53 with a
 * scale of at most 22 take one correctly rounded division (both operands are exact doubles);
 * larger ones are parsed from their decimal digits (`Number("123e-5")` rounds correctly), so
 * every value is the nearest double, never a sum of rounded parts.
 */

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The decimal whose `n` little-endian words start at `words[at]`, divided by 10^scale, as the
 * nearest double. `scratch` holds at least `n` words (it is overwritten).
 */
export function decimalToFloat(words: Uint32Array, at: number, n: number, scale: number, scratch: Uint32Array): number {
  const negative = words[at + n - 1] >>> 31 === 1;
  // The magnitude: for a negative value, invert and add one (two's complement).
  let carry = negative ? 1 : 0;
  for (let i = 0; i < n; i++) {
    const w = negative ? ~words[at + i] >>> 0 : words[at + i];
    const s = w + carry;
    scratch[i] = s >>> 0;
    carry = s > 0xffffffff ? 1 : 0;
  }
  let small = n === 1 || scratch[1] < 0x200000;
  for (let i = 2; small && i < n; i++) small = scratch[i] === 0;
  if (small && scale >= -22 && scale <= 22) {
    const mag = (n > 1 ? scratch[1] * 4294967296 : 0) + scratch[0];
    const x = scale >= 0 ? mag / POW10[scale] : mag * POW10[-scale];
    return negative ? -x : x;
  }
  let big = 0n;
  for (let i = n - 1; i >= 0; i--) big = (big << 32n) | BigInt(scratch[i]);
  const x = Number(`${big.toString()}e${-scale}`);
  return negative ? -x : x;
}
