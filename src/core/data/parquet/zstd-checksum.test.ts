// A zstd frame's content checksum (RFC 8878 3.1.1: Frame_Header_Descriptor bit 2, then the low
// 32 bits of XXH64 of the frame's content after its last block): verified when present. Frames
// are built by hand (raw and RLE blocks), and arrow-rs' frames (parquet-wasm never sets the
// flag) are given the flag and the checksum, page by page and in whole files rewritten with
// fixtures/rewrite.ts. A damaged frame is refused, an intact one decodes as before.
import { Table, Float64, Int32, Utf8, vectorFromArray } from 'apache-arrow';
import { decompress as fzstd } from 'fzstd';
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { DataError, type Column, type DataTable } from '../table';
import { decompressPage } from './codecs';
import { ParquetFormatError } from './errors';
import { withZstdChecksum, rewritePages } from './fixtures/rewrite';
import { Compression, WriterVersion, seededRandom, writeFixture } from './fixtures/synthetic';
import { readParquet } from './reader';
import { xxh64 } from './xxhash64';
import { zstdDecompress } from './zstd';

const low32 = (b: Uint8Array) => xxh64(b)[1];
const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** A single-segment frame of raw (`rle` false) or RLE blocks holding `content`, with its content checksum. */
function handFrame(content: Uint8Array, rle: boolean, checksum = true): Uint8Array {
  // FHD: FCS flag 2 (4 bytes), single segment, checksum flag.
  const out = [...MAGIC, 0x80 | 0x20 | (checksum ? 4 : 0), ...le32(content.length)];
  const block = (type: number, size: number, last: boolean) => {
    const h = (size << 3) | (type << 1) | (last ? 1 : 0);
    out.push(h & 255, (h >>> 8) & 255, h >>> 16);
  };
  if (rle) {
    // Runs of one byte each as RLE blocks.
    for (let i = 0; i < content.length;) {
      let j = i;
      while (j < content.length && content[j] === content[i]) j++;
      block(1, j - i, j === content.length);
      out.push(content[i]);
      i = j;
    }
  } else {
    block(0, content.length, true);
    out.push(...content);
  }
  if (checksum) out.push(...le32(low32(content)));
  return Uint8Array.from(out);
}

function decode(input: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  zstdDecompress(input, out);
  return out;
}

function formatError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ParquetFormatError);
    return (e as Error).message;
  }
  throw new Error('expected an error, but nothing was thrown');
}

const CHECKSUM =
  /^checksum mismatch: zstd frame (\d+) has content checksum 0x[0-9a-f]{8}, its (\d+) bytes give 0x[0-9a-f]{8}$/;

describe('zstd content checksum: hand-built frames', () => {
  const text = new TextEncoder().encode(
    'aaaaaaaabbbbbbbbbbbbbbbbcccccccccccccccccccccccccccccccccccccccccccccccc, the quick brown fox',
  );

  it('an intact frame with the flag decodes (raw and RLE blocks, two frames in a row)', () => {
    expect(decode(handFrame(text, false), text.length)).toEqual(text);
    expect(decode(handFrame(text, true), text.length)).toEqual(text);
    const two = new Uint8Array([...handFrame(text, true), ...handFrame(text, false)]);
    expect(decode(two, 2 * text.length)).toEqual(new Uint8Array([...text, ...text]));
    // An empty frame's checksum is that of no bytes (0x51d8e999).
    expect(decode(handFrame(new Uint8Array(0), false), 0)).toEqual(new Uint8Array(0));
  });

  it('a changed content byte, or a changed checksum, is a checksum mismatch naming the frame', () => {
    const raw = handFrame(text, false);
    const bad = raw.slice();
    bad[12 + 5] ^= 0x20; // inside the raw block (after magic, FHD, FCS and the block header)
    expect(formatError(() => decode(bad, text.length))).toMatch(CHECKSUM);
    const badSum = raw.slice();
    badSum[raw.length - 1] ^= 0x80;
    expect(formatError(() => decode(badSum, text.length))).toMatch(CHECKSUM);
    // The second frame of two: an RLE block's byte changed.
    const first = handFrame(text, true);
    const second = handFrame(text, true);
    second[12] ^= 0x01; // the first RLE block's byte (after magic, FHD, FCS and the block header)
    const m = formatError(() => decode(new Uint8Array([...first, ...second]), 2 * text.length)).match(CHECKSUM);
    expect(m?.[1]).toBe('2');
    expect(m?.[2]).toBe(String(text.length));
  });

  it('a frame cut off inside its checksum is refused; the same frame without the flag is not checked', () => {
    const raw = handFrame(text, false);
    for (const cut of [1, 2, 3, 4])
      expect(formatError(() => decode(raw.subarray(0, raw.length - cut), text.length))).toMatch(
        /cut off before its content checksum/,
      );
    const plain = handFrame(text, false, false);
    plain[12 + 5] ^= 0x20;
    expect(decode(plain, text.length)[5]).toBe(text[5] ^ 0x20);
  });

  it('through the page decompressor, the mismatch reads "ZSTD data fails its checksum"', () => {
    const bad = handFrame(text, false);
    bad[20] ^= 1;
    expect(formatError(() => decompressPage('ZSTD', bad, text.length, 'column "x" (row group 0), page 1'))).toMatch(
      /^corrupt page in column "x" \(row group 0\), page 1: ZSTD data fails its checksum \(checksum mismatch: zstd frame 1 has content checksum 0x[0-9a-f]{8}, its 93 bytes give 0x[0-9a-f]{8}\)$/,
    );
  });
});

function values(col: Column): (number | string | null)[] {
  if (col.kind === 'categorical') return Array.from(col.codes, (k) => (k < 0 ? null : col.dictionary[k]));
  return Array.from(col.values, (v, i) => (col.valid && col.valid[i] === 0 ? null : v));
}
const tableText = (t: DataTable) => JSON.stringify(t.columns.map(values));

function table(rows: number): Table {
  const rnd = seededRandom(31);
  const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet'];
  return new Table({
    x: vectorFromArray(
      Array.from({ length: rows }, () => (rnd() < 0.1 ? null : rnd() * 100)),
      new Float64(),
    ),
    n: vectorFromArray(
      Array.from({ length: rows }, (_, i) => Math.floor(i / 10)),
      new Int32(),
    ),
    s: vectorFromArray(
      Array.from({ length: rows }, (_, i) => (i % 9 === 0 ? null : `${words[Math.floor(rnd() * 5)]} ${i % 17}`)),
      new Utf8(),
    ),
  });
}

/** The file with every zstd frame given the checksum flag and its checksum (computed from fzstd's reading). */
function withChecksums(file: Uint8Array): Uint8Array {
  return rewritePages(file, {
    body: (p) =>
      p.compressed
        ? withZstdChecksum(p.body, p.levelsLength, fzstd(p.body.subarray(p.levelsLength)), low32)
        : undefined,
  });
}

describe('zstd content checksum: arrow-rs files given checksums', () => {
  const t = table(4000);
  const files = [WriterVersion.V1, WriterVersion.V2].map((version) =>
    writeFixture(t, { compression: Compression.ZSTD, version, rowGroupSize: 1500, pageSize: 2048 }),
  );

  it('decode to the same table as without them', () => {
    for (const f of files) {
      const sums = withChecksums(f);
      // Rewritten without the checksums, the file is the same but for 4 bytes a page.
      const same = rewritePages(f, {});
      expect(tableText(readParquet(same, 'same.parquet'))).toBe(tableText(readParquet(f, 'plain.parquet')));
      expect(sums.length).toBeGreaterThan(same.length);
      expect(tableText(readParquet(sums, 'sums.parquet'))).toBe(tableText(readParquet(f, 'plain.parquet')));
    }
  });

  it(
    'any byte changed inside a frame gives a DataError or the very same table, never other values; some ' +
      'only the checksum catches',
    () => {
      const rng = new Rng(5);
      for (const f of files) {
        const sums = withChecksums(f);
        const clean = tableText(readParquet(sums, 'z.parquet'));
        // Where the frames start: their magic, then a descriptor with the checksum flag.
        const frames: number[] = [];
        for (let i = 0; i + 4 < sums.length; i++) {
          if (
            sums[i] === 0x28 &&
            sums[i + 1] === 0xb5 &&
            sums[i + 2] === 0x2f &&
            sums[i + 3] === 0xfd &&
            sums[i + 4] & 4
          )
            frames.push(i);
        }
        expect(frames.length).toBeGreaterThan(10);
        let checksum = 0;
        let refused = 0;
        for (let trial = 0; trial < 300; trial++) {
          const start = frames[rng.int(frames.length)];
          const bad = sums.slice();
          // Past the frame header (magic, FHD, up to 9 more bytes): into the blocks.
          bad[start + 14 + rng.int(40)] ^= 1 << rng.int(8);
          try {
            expect(tableText(readParquet(bad, 'z.parquet'))).toBe(clean);
          } catch (e) {
            if (!(e instanceof DataError)) throw e;
            refused++;
            if (/ZSTD data fails its checksum/.test(e.message)) checksum++;
          }
        }
        expect(refused).toBeGreaterThan(150);
        expect(checksum).toBeGreaterThan(0);
      }
    },
  );
});
