import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { lz4FrameDecompress } from './lz4-frame';
import { xxh32 } from './xxhash32';
import { Rng } from './rng';

// lz4js (plain JS, no types): an independent LZ4 frame writer and XXH32.
const require = createRequire(import.meta.url);
const lz4js = require('lz4js') as { compress(src: Uint8Array): Uint8Array };
const refXxh32 = (
  require('lz4js/xxh32.js') as { hash(seed: number, src: Uint8Array, index: number, len: number): number }
).hash;

/** Compressible bytes: runs, repeats of earlier text and noise, seeded. */
function sample(n: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n;) {
    const kind = rng.int(3);
    const len = Math.min(n - i, 1 + rng.int(300));
    if (kind === 0) out.fill(rng.int(256), i, i + len);
    else if (kind === 1 && i > 1000) out.copyWithin(i, i - 1 - rng.int(1000), i - 1 - rng.int(1000) + len);
    else for (let j = 0; j < len; j++) out[i + j] = rng.int(256);
    i += len;
  }
  return out;
}

/** The frame with a content checksum added (flag set, header checksum redone, XXH32 from lz4js appended). */
function withContentChecksum(frame: Uint8Array, content: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 4);
  out.set(frame);
  out[4] |= 0x04;
  out[6] = (refXxh32(0, out, 4, 2) >>> 8) & 0xff;
  new DataView(out.buffer).setUint32(frame.length, refXxh32(0, content, 0, content.length) >>> 0, true);
  return out;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

describe('xxh32', () => {
  it('matches lz4js and the published vectors', () => {
    const enc = new TextEncoder();
    expect(xxh32(new Uint8Array(0))).toBe(0x02cc5d05);
    expect(xxh32(enc.encode('abc'))).toBe(0x32d153ff);
    const bytes = sample(5000, 3);
    for (const [s, e] of [
      [0, 5000],
      [1, 16],
      [7, 40],
      [100, 117],
      [3, 3],
      [0, 15],
    ]) {
      expect(xxh32(bytes, s, e), `${s}..${e}`).toBe(refXxh32(0, bytes, s, e - s) >>> 0);
    }
  });
});

describe('lz4FrameDecompress', () => {
  it('reads frames written by lz4js (several linked 4 MB blocks, stored blocks) byte for byte', () => {
    for (const [n, seed] of [
      [0, 1],
      [1, 2],
      [100, 3],
      [70_000, 4],
      [9_000_000, 5],
    ]) {
      const src = sample(n, seed);
      const frame = lz4js.compress(src);
      const out = new Uint8Array(n);
      lz4FrameDecompress(frame, out);
      expect(firstDifference(out, src), `${n} bytes`).toBe(-1);
      const out2 = new Uint8Array(n);
      lz4FrameDecompress(withContentChecksum(frame, src), out2);
      expect(firstDifference(out2, src), `${n} bytes, with content checksum`).toBe(-1);
    }
    // Random bytes do not compress: lz4js stores the block as it is (high bit of the size).
    const noise = new Uint8Array(50_000).map((_, i) => (i * 2654435761) >>> 23);
    const out = new Uint8Array(noise.length);
    lz4FrameDecompress(lz4js.compress(noise), out);
    expect(firstDifference(out, noise)).toBe(-1);
  });

  it('refuses a damaged frame with a specific message, never a wrong result', () => {
    const src = sample(20_000, 9);
    const frame = withContentChecksum(lz4js.compress(src), src);
    const out = () => new Uint8Array(src.length);
    expect(() => lz4FrameDecompress(frame.subarray(0, frame.length - 10), out())).toThrow(/lz4 frame: /);
    expect(() => lz4FrameDecompress(frame, new Uint8Array(src.length + 1))).toThrow(
      'lz4 frame: decompressed to 20000 bytes, 20001 expected',
    );
    const badHeader = frame.slice();
    badHeader[5] ^= 0x10;
    expect(() => lz4FrameDecompress(badHeader, out())).toThrow(
      /lz4 frame: frame 1 (has header checksum|declares an invalid block)/,
    );
    const badMagic = frame.slice();
    badMagic[0] ^= 1;
    expect(() => lz4FrameDecompress(badMagic, out())).toThrow(
      'lz4 frame: frame 1 does not start with the LZ4 frame magic number',
    );
    // Every single flipped bit in the blocks is refused (by the block decoder or the checksum).
    let refused = 0;
    for (let at = 11; at < frame.length - 8; at += 97) {
      const bad = frame.slice();
      bad[at] ^= 1 << (at % 8);
      expect(() => lz4FrameDecompress(bad, out()), `bit flipped at ${at}`).toThrow(/^lz4 frame: /);
      refused++;
    }
    expect(refused).toBeGreaterThan(10);
  });
});
