/**
 * XXH64 (xxHash, 64-bit, seed 0), as a zstd frame's content checksum uses it (its low 32 bits).
 * Written with 32-bit arithmetic: a 64-bit lane is a pair of unsigned 32-bit halves, products
 * are built from 16-bit pieces (exact in doubles) and Math.imul, so the loop allocates nothing
 * and uses no BigInt. Tested against a BigInt transcription of the specification.
 */

// The five primes of the specification, as [high, low] 32-bit halves.
const P1H = 0x9e3779b1;
const P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d;
const P2L = 0x27d4eb4f;
const P3H = 0x165667b1;
const P3L = 0x9e3779f9;
const P4H = 0x85ebca77;
const P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f;
const P5L = 0x165667c5;

// Result registers of the helpers below (no tuple is allocated per step).
let rh = 0;
let rl = 0;

/** (ah:al) * (bh:bl) mod 2^64 into rh:rl. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  // The high half of al * bl (both unsigned 32-bit), from 16-bit pieces.
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  rl = Math.imul(al, bl) >>> 0;
  rh = (carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** (ah:al) + (bh:bl) mod 2^64 into rh:rl. */
function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  rl = lo >>> 0;
  rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** (h:l) rotated left by r bits, 0 < r < 32, into rh:rl. */
function rotl(h: number, l: number, r: number): void {
  rh = ((h << r) | (l >>> (32 - r))) >>> 0;
  rl = ((l << r) | (h >>> (32 - r))) >>> 0;
}

/** XXH64's round: acc = rotl(acc + input * P2, 31) * P1, into rh:rl. */
function round(acch: number, accl: number, inh: number, inl: number): void {
  mul(inh, inl, P2H, P2L);
  add(acch, accl, rh, rl);
  rotl(rh, rl, 31);
  mul(rh, rl, P1H, P1L);
}

/** XXH64's merge of a lane into the hash: (h ^ round(0, v)) * P1 + P4, into rh:rl. */
function merge(hh: number, hl: number, vh: number, vl: number): void {
  round(0, 0, vh, vl);
  mul((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, P1H, P1L);
  add(rh, rl, P4H, P4L);
}

// P1 and P2's low halves in 16-bit pieces, for the stripe loop's products.
const P1L0 = P1L & 0xffff;
const P1L1 = P1L >>> 16;
const P2L0 = P2L & 0xffff;
const P2L1 = P2L >>> 16;

/**
 * `round` on lane k of `s` (high half at s[k], low at s[k + 1]), in place, all in locals: the
 * stripe loop's hot path (the helpers above pass results through module variables).
 */
function roundLane(s: Uint32Array, k: number, inh: number, inl: number): void {
  // t = input * P2
  let a0 = inl & 0xffff;
  let a1 = inl >>> 16;
  let p01 = a0 * P2L1;
  let p10 = a1 * P2L0;
  let mid = ((a0 * P2L0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const th = a1 * P2L1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(inh, P2L) + Math.imul(inl, P2H);
  const tl = Math.imul(inl, P2L) >>> 0;
  // acc + t
  const lo = s[k + 1] + tl;
  const h = (s[k] + th + (lo > 0xffffffff ? 1 : 0)) | 0;
  const l = lo | 0;
  // rotl 31
  const rh = (h << 31) | (l >>> 1);
  const rl = (l << 31) | (h >>> 1);
  // * P1
  a0 = rl & 0xffff;
  a1 = rl >>> 16;
  p01 = a0 * P1L1;
  p10 = a1 * P1L0;
  mid = ((a0 * P1L0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  s[k] = a1 * P1L1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(rh, P1L) + Math.imul(rl, P1H);
  s[k + 1] = Math.imul(rl, P1L);
}

/**
 * Typed arrays use the platform's byte order; the aligned word loop needs little-endian (every browser platform is).
 */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

const u32 = (b: Uint8Array, p: number) => (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;

/**
 * XXH64 of `bytes[start, end)` with seed 0, as [high 32 bits, low 32 bits] (both unsigned).
 */
export function xxh64(bytes: Uint8Array, start = 0, end = bytes.length): [number, number] {
  const len = end - start;
  let p = start;
  let hh: number;
  let hl: number;
  if (len >= 32) {
    // Four lanes: seed + P1 + P2, seed + P2, seed, seed - P1 (seed 0), as [high, low] pairs.
    const v = new Uint32Array(8);
    add(P1H, P1L, P2H, P2L);
    v[0] = rh;
    v[1] = rl;
    v[2] = P2H;
    v[3] = P2L;
    // -P1 mod 2^64: the two's complement of P1.
    add(~P1H >>> 0, ~P1L >>> 0, 0, 1);
    v[6] = rh;
    v[7] = rl;
    const stripes = Math.floor(len / 32);
    if (LITTLE_ENDIAN && ((bytes.byteOffset + p) & 3) === 0) {
      // Aligned 32-bit words (little-endian, as the hash reads them).
      const w = new Uint32Array(bytes.buffer, bytes.byteOffset + p, stripes * 8);
      for (let i = 0; i < w.length; i += 8) {
        roundLane(v, 0, w[i + 1], w[i]);
        roundLane(v, 2, w[i + 3], w[i + 2]);
        roundLane(v, 4, w[i + 5], w[i + 4]);
        roundLane(v, 6, w[i + 7], w[i + 6]);
      }
      p += stripes * 32;
    } else {
      for (const limit = end - 32; p <= limit; p += 32) {
        roundLane(v, 0, u32(bytes, p + 4), u32(bytes, p));
        roundLane(v, 2, u32(bytes, p + 12), u32(bytes, p + 8));
        roundLane(v, 4, u32(bytes, p + 20), u32(bytes, p + 16));
        roundLane(v, 6, u32(bytes, p + 28), u32(bytes, p + 24));
      }
    }
    const [v1h, v1l, v2h, v2l, v3h, v3l, v4h, v4l] = v;
    rotl(v1h, v1l, 1);
    hh = rh;
    hl = rl;
    rotl(v2h, v2l, 7);
    add(hh, hl, rh, rl);
    hh = rh;
    hl = rl;
    rotl(v3h, v3l, 12);
    add(hh, hl, rh, rl);
    hh = rh;
    hl = rl;
    rotl(v4h, v4l, 18);
    add(hh, hl, rh, rl);
    merge(rh, rl, v1h, v1l);
    merge(rh, rl, v2h, v2l);
    merge(rh, rl, v3h, v3l);
    merge(rh, rl, v4h, v4l);
    hh = rh;
    hl = rl;
  } else {
    hh = P5H;
    hl = P5L;
  }
  // + length (a page is far below 2^53 bytes: its high half is len / 2^32).
  add(hh, hl, Math.floor(len / 0x100000000), len >>> 0);
  hh = rh;
  hl = rl;
  for (; p + 8 <= end; p += 8) {
    round(0, 0, u32(bytes, p + 4), u32(bytes, p));
    rotl((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, 27);
    mul(rh, rl, P1H, P1L);
    add(rh, rl, P4H, P4L);
    hh = rh;
    hl = rl;
  }
  if (p + 4 <= end) {
    mul(0, u32(bytes, p), P1H, P1L);
    rotl((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, 23);
    mul(rh, rl, P2H, P2L);
    add(rh, rl, P3H, P3L);
    hh = rh;
    hl = rl;
    p += 4;
  }
  for (; p < end; p++) {
    mul(0, bytes[p], P5H, P5L);
    rotl((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, 11);
    mul(rh, rl, P1H, P1L);
    hh = rh;
    hl = rl;
  }
  // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32.
  mul(hh, (hl ^ (hh >>> 1)) >>> 0, P2H, P2L);
  hh = rh;
  hl = rl;
  mul((hh ^ (hh >>> 29)) >>> 0, (hl ^ ((hl >>> 29) | (hh << 3))) >>> 0, P3H, P3L);
  return [rh, (rl ^ rh) >>> 0];
}
