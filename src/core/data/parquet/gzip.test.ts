// The gzip inflater against Node's zlib: every level and strategy, several members, optional
// header fields, and damaged streams, each refused with what is wrong, never decoded silently.
import { constants, gzipSync, type ZlibOptions } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../crc32';
import { Rng } from '../rng';
import { ParquetFormatError } from './errors';
import { gunzip as gunzipGrowing, gunzipHead, gunzipInto } from './gzip';
import { thrown } from './fixtures/errors';

/** Seeded data that compresses like real pages: runs, repeats from a small alphabet, and noise. */
function sample(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n;) {
    const kind = rng.int(3);
    const len = Math.min(n - i, 1 + rng.int(kind === 0 ? 300 : 40));
    for (let k = 0; k < len; k++, i++) {
      out[i] =
        kind === 0 ? 7 : kind === 1 ? 65 + rng.int(6) : i >= 100 && rng.next() < 0.5 ? out[i - 100] : rng.int(256);
    }
  }
  return out;
}

/** zlib's gzip as a plain Uint8Array (a Buffer's slice() would share its memory). */
const gz = (data: Uint8Array, options?: ZlibOptions) => new Uint8Array(gzipSync(data, options));

const gunzip = (input: Uint8Array, size: number) => {
  const out = new Uint8Array(size);
  gunzipInto(input, out);
  return out;
};

const errorOf = (f: () => unknown): string => thrown(f, ParquetFormatError).message;

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
};

describe('gunzipInto', () => {
  it('inflates what zlib writes at every level and strategy, byte for byte', () => {
    const rng = new Rng(3);
    const strategies = [
      constants.Z_DEFAULT_STRATEGY,
      constants.Z_FILTERED,
      constants.Z_HUFFMAN_ONLY,
      constants.Z_RLE,
      constants.Z_FIXED,
    ];
    for (const n of [0, 1, 100, 5000, 70_000, 300_000]) {
      const data = sample(rng, n);
      for (let level = 0; level <= 9; level++) {
        for (const strategy of level === 6 ? strategies : [constants.Z_DEFAULT_STRATEGY]) {
          const got = gunzip(gz(data, { level, strategy }), n);
          expect(Buffer.from(got).equals(Buffer.from(data)), `${n} bytes, level ${level}, strategy ${strategy}`).toBe(
            true,
          );
        }
      }
    }
    const noise = Uint8Array.from({ length: 100_000 }, () => rng.int(256));
    expect(Buffer.from(gunzip(gz(noise), noise.length)).equals(Buffer.from(noise))).toBe(true);
  });

  it('copies long matches of every period (runs of one byte, patterns shorter and longer than the match)', () => {
    const rng = new Rng(11);
    for (const period of [1, 2, 3, 31, 32, 33, 64, 100, 257, 258, 300, 4096, 32_768]) {
      const data = new Uint8Array(200_000);
      const pattern = Array.from({ length: period }, () => rng.int(256));
      // Stretches of a repeated pattern between bits of noise, so matches start at every phase.
      for (let i = 0; i < data.length; i++) data[i] = i % 5000 < 4000 ? pattern[i % period] : rng.int(256);
      for (const level of [1, 9])
        expect(
          Buffer.from(gunzip(gz(data, { level }), data.length)).equals(Buffer.from(data)),
          `period ${period}`,
        ).toBe(true);
    }
  });

  it('inflates several members end to end, and ignores zero padding after the last', () => {
    const rng = new Rng(4);
    const parts = [sample(rng, 3000), sample(rng, 0), sample(rng, 40_000), sample(rng, 17)];
    const whole = concat(...parts);
    const stream = concat(...parts.map((p, i) => gz(p, { level: i * 3 })));
    expect(Buffer.from(gunzip(stream, whole.length)).equals(Buffer.from(whole))).toBe(true);
    expect(Buffer.from(gunzip(concat(stream, new Uint8Array(5)), whole.length)).equals(Buffer.from(whole))).toBe(true);
    expect(errorOf(() => gunzip(stream, whole.length + 1))).toBe(
      `the gzip stream inflates to ${whole.length} bytes, ${whole.length + 1} announced`,
    );
    expect(errorOf(() => gunzip(stream, whole.length - 1))).toMatch(/inflates to more than the \d+ bytes announced/);
    expect(errorOf(() => gunzip(concat(stream, Uint8Array.of(1, 2, 3)), whole.length))).toMatch(
      /^gzip member 5 is cut off/,
    );
  });

  it('reads the optional header fields (extra, name, comment, header CRC) and checks the header CRC', () => {
    const data = sample(new Rng(8), 20_000);
    const z = gz(data);
    const extra = Uint8Array.of(0x41, 0x42, 3, 0, 9, 9, 9);
    const name = new TextEncoder().encode('page.bin\0');
    const comment = new TextEncoder().encode('a comment\0');
    const head = concat(
      Uint8Array.of(0x1f, 0x8b, 8, 4 | 8 | 16 | 2),
      z.subarray(4, 10),
      Uint8Array.of(extra.length, 0),
      extra,
      name,
      comment,
    );
    const hcrc = crc32(head) & 0xffff;
    const withFields = concat(head, Uint8Array.of(hcrc & 255, hcrc >> 8), z.subarray(10));
    expect(Buffer.from(gunzip(withFields, data.length)).equals(Buffer.from(data))).toBe(true);
    const badHeader = withFields.slice();
    badHeader[14] ^= 1; // inside the extra field
    expect(errorOf(() => gunzip(badHeader, data.length))).toMatch(
      /^checksum mismatch: gzip member 1's header CRC-16 is \d+, its bytes give \d+$/,
    );
  });

  it('refuses a damaged trailer, naming the checksum or the length', () => {
    const data = sample(new Rng(9), 10_000);
    const z = gz(data);
    const badCrc = z.slice();
    badCrc[z.length - 8] ^= 0x10;
    expect(errorOf(() => gunzip(badCrc, data.length))).toMatch(
      /^checksum mismatch: gzip member 1's trailer has CRC-32 0x[0-9a-f]{8}, its 10000 inflated bytes give 0x[0-9a-f]{8}$/,
    );
    const badSize = z.slice();
    badSize[z.length - 3] ^= 1;
    expect(errorOf(() => gunzip(badSize, data.length))).toBe(
      "gzip member 1's trailer says 9744 bytes, it inflates to 10000",
    );
    expect(errorOf(() => gunzip(z.subarray(0, z.length - 3), data.length))).toMatch(/cut off/);
    const notGzip = z.slice();
    notGzip[1] = 0;
    expect(errorOf(() => gunzip(notGzip, data.length))).toBe(
      'gzip member 1 does not start with the gzip magic bytes 1f 8b',
    );
  });

  it('never returns damaged data silently: every byte flip in the deflate data is an error', () => {
    const rng = new Rng(10);
    for (const level of [1, 6, 9]) {
      const data = sample(rng, 8000);
      const z = gz(data, { level });
      for (let trial = 0; trial < 300; trial++) {
        const bad = z.slice();
        const at = 10 + rng.int(z.length - 18);
        bad[at] ^= 1 + rng.int(255);
        // Either an error, or (rarely: a flip in unused padding bits) exactly the original bytes.
        let out: Uint8Array | null = null;
        try {
          out = gunzip(bad, data.length);
        } catch (e) {
          expect(e).toBeInstanceOf(ParquetFormatError);
        }
        if (out) expect(Buffer.from(out).equals(Buffer.from(data)), `level ${level}, byte ${at}`).toBe(true);
      }
    }
  });

  it('inflates a stream of unknown size (one member, several, stored blocks) and refuses one past the limit', () => {
    const rng = new Rng(11);
    const a = sample(rng, 300_000);
    const b = sample(rng, 5_000);
    const cases: [string, Uint8Array, Uint8Array][] = [
      ['one member', gz(a), a],
      ['two members (the ISIZE hint is the last one only)', concat(gz(b), gz(a)), concat(b, a)],
      ['stored blocks', gz(a, { level: 0 }), a],
      ['empty', gz(new Uint8Array(0)), new Uint8Array(0)],
    ];
    for (const [what, z, want] of cases) {
      expect(Buffer.from(gunzipGrowing(z, 1 << 30)).equals(Buffer.from(want)), what).toBe(true);
    }
    // The same stream once its trailer lies about the size: found by growing, then checked against ISIZE.
    const lying = gz(a);
    lying.set([1, 0, 0, 0], lying.length - 4);
    expect(errorOf(() => gunzipGrowing(lying, 1 << 30))).toMatch(/trailer says 1 bytes, it inflates to 300000/);
    expect(errorOf(() => gunzipGrowing(gz(a), 100_000))).toBe(
      'the gzip stream inflates to more than 100000 bytes, more than this reader may hold in memory',
    );
    // A bomb (64 MiB of zeros in 65 kB) whose trailer lies: the member that outgrows the first
    // buffer is counted (symbols decoded, nothing written) and refused past the limit, or given a
    // buffer of its size in one step and then checked against its trailer.
    const bomb = gz(new Uint8Array(64 << 20));
    bomb.set([1, 0, 0, 0], bomb.length - 4);
    expect(bomb.length).toBeLessThan(100_000);
    expect(errorOf(() => gunzipGrowing(bomb, 32 << 20))).toBe(
      `the gzip stream inflates to more than ${32 << 20} bytes, more than this reader may hold in memory`,
    );
    expect(errorOf(() => gunzipGrowing(bomb, 1 << 30))).toMatch(/trailer says 1 bytes, it inflates to 67108864/);
  });

  it("reads a stream's first bytes without inflating the rest, whatever blocks hold them", () => {
    const rng = new Rng(12);
    for (const level of [0, 1, 9]) {
      const data = sample(rng, 200_000);
      const z = gz(data, { level });
      for (const n of [1, 12, 100, 70_000])
        expect(Buffer.from(gunzipHead(z, n)).equals(Buffer.from(data.subarray(0, n)))).toBe(true);
      // A stream shorter than asked for gives all it holds.
      expect(Buffer.from(gunzipHead(gz(data.subarray(0, 5)), 12)).equals(Buffer.from(data.subarray(0, 5)))).toBe(true);
    }
    expect(errorOf(() => gunzipHead(new Uint8Array([0x1f, 0x8b, 9]), 12))).toMatch(/cut off/);
  });
});
