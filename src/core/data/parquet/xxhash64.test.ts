// XXH64 in 32-bit halves against a straightforward BigInt transcription of the xxHash
// specification (doc/xxhash_spec.md, "XXH64 Algorithm Description"), and the specification's
// published values.
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { xxh64 } from './xxhash64';

const M = (1n << 64n) - 1n;
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;
const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & M;
const read64 = (b: Uint8Array, p: number) => new DataView(b.buffer, b.byteOffset + p, 8).getBigUint64(0, true);
const read32 = (b: Uint8Array, p: number) => BigInt(new DataView(b.buffer, b.byteOffset + p, 4).getUint32(0, true));
const round = (acc: bigint, input: bigint) => (rotl((acc + input * P2) & M, 31n) * P1) & M;
const merge = (acc: bigint, v: bigint) => ((((acc ^ round(0n, v)) * P1) & M) + P4) & M;

/** The reference: every step in BigInt, as the specification writes it. */
function reference(b: Uint8Array, seed = 0n): bigint {
  const len = b.length;
  let p = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (seed + P1 + P2) & M;
    let v2 = (seed + P2) & M;
    let v3 = seed;
    let v4 = (seed - P1) & M;
    for (; p + 32 <= len; p += 32) {
      v1 = round(v1, read64(b, p));
      v2 = round(v2, read64(b, p + 8));
      v3 = round(v3, read64(b, p + 16));
      v4 = round(v4, read64(b, p + 24));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M;
    h = merge(merge(merge(merge(h, v1), v2), v3), v4);
  } else {
    h = (seed + P5) & M;
  }
  h = (h + BigInt(len)) & M;
  for (; p + 8 <= len; p += 8) h = (((rotl(h ^ round(0n, read64(b, p)), 27n) * P1) & M) + P4) & M;
  if (p + 4 <= len) {
    h = (((rotl(h ^ ((read32(b, p) * P1) & M), 23n) * P2) & M) + P3) & M;
    p += 4;
  }
  for (; p < len; p++) h = (rotl(h ^ ((BigInt(b[p]) * P5) & M), 11n) * P1) & M;
  h ^= h >> 33n;
  h = (h * P2) & M;
  h ^= h >> 29n;
  h = (h * P3) & M;
  return h ^ (h >> 32n);
}

const asBig = ([hi, lo]: [number, number]) => (BigInt(hi) << 32n) | BigInt(lo);
const text = (s: string) => new TextEncoder().encode(s);

describe('xxh64 (32-bit halves)', () => {
  it("gives the specification's values", () => {
    expect(asBig(xxh64(new Uint8Array(0)))).toBe(0xef46db3751d8e999n);
    expect(asBig(xxh64(text('a')))).toBe(0xd24ec4f1a98c6e5bn);
    expect(asBig(xxh64(text('abc')))).toBe(0x44bc2cf5ad770999n);
    expect(asBig(xxh64(text('The quick brown fox jumps over the lazy dog')))).toBe(0x0b242d361fda71bcn);
    // The reference agrees with them too.
    expect(reference(new Uint8Array(0))).toBe(0xef46db3751d8e999n);
    expect(reference(text('abc'))).toBe(0x44bc2cf5ad770999n);
  });

  it('matches the BigInt reference at every length 0-300 and on seeded data up to 64 KiB', () => {
    const rng = new Rng(64);
    const random = (n: number) => Uint8Array.from({ length: n }, () => rng.int(256));
    for (let n = 0; n <= 300; n++) {
      const b = random(n);
      expect(asBig(xxh64(b)), `length ${n}`).toBe(reference(b));
    }
    // All-ones bytes carry through every half; long inputs take the four-lane loop many times.
    for (const b of [new Uint8Array(1000).fill(0xff), random(65_536 + 13), random(4099)])
      expect(asBig(xxh64(b)), `length ${b.length}`).toBe(reference(b));
  });

  it('hashes a range of a larger buffer as the same bytes on their own', () => {
    const rng = new Rng(7);
    const big = Uint8Array.from({ length: 5000 }, () => rng.int(256));
    for (const [s, e] of [
      [0, 0],
      [3, 40],
      [17, 4999],
      [1000, 1031],
      [1, 5000],
    ]) {
      expect(asBig(xxh64(big, s, e)), `[${s}, ${e})`).toBe(reference(big.slice(s, e)));
      expect(xxh64(big.subarray(s), 0, e - s)).toEqual(xxh64(big, s, e));
    }
  });
});
