import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readArrow } from './arrow';
import { DataError } from './table';

const dir = 'src/fixtures/conformance/arrow-testing/2.0.0-compression';
const INTERNAL = /codec not found|Cannot read|undefined|typed array|BigInt|out of bounds|multiple of/i;

/** Every position of `magic` (a frame start) in the bytes. */
function find(bytes: Uint8Array, magic: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + magic.length <= bytes.length; i++) if (magic.every((b, j) => bytes[i + j] === b)) out.push(i);
  return out;
}

const LZ4 = [0x04, 0x22, 0x4d, 0x18];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];

function refusal(bytes: Uint8Array, name: string): string {
  try {
    readArrow(bytes, name);
  } catch (e) {
    expect(e).toBeInstanceOf(DataError);
    const message = (e as Error).message;
    expect(message).not.toMatch(INTERNAL);
    return message;
  }
  throw new Error(`${name} was read`);
}

describe('Arrow IPC body compression', () => {
  for (const [codec, magic] of [
    ['lz4', LZ4],
    ['zstd', ZSTD],
  ] as const) {
    for (const form of ['arrow_file', 'stream']) {
      const name = `generated_${codec}.${form}`;
      const bytes = readFileSync(`${dir}/${name}`);
      const frames = find(bytes, magic);

      it(
        `${name}: reads (${frames.length} compressed buffers), and a damaged frame is refused in the ` + `file's terms`,
        () => {
          expect(frames.length).toBeGreaterThan(4);
          const t = readArrow(bytes, name);
          expect(t.rows).toBeGreaterThan(0);
          const what = form === 'stream' ? 'stream' : 'file';
          const CODEC = codec === 'lz4' ? 'LZ4_FRAME' : 'ZSTD';
          // A frame whose magic number is damaged.
          const badMagic = Uint8Array.from(bytes);
          badMagic[frames[2]] ^= 0xff;
          expect(refusal(badMagic, name)).toMatch(
            new RegExp(
              `^${name.replace('.', '\\.')}: not a readable Arrow IPC ${what}: an? ${CODEC} buffer is damaged ` +
                `\\((lz4 frame: frame 1 does not start with the LZ4 frame magic number|zstd: bad frame magic)\\)$`,
            ),
          );
          // An uncompressed length one larger than the frame holds.
          const longer = Uint8Array.from(bytes);
          longer[frames[2] - 8]++;
          expect(refusal(longer, name)).toMatch(
            new RegExp(
              `: an? ${CODEC} buffer is damaged \\((lz4 frame: decompressed to|zstd: frame size differs|zstd: ` +
                `decompressed \\d+ bytes, \\d+ expected)`,
            ),
          );
          // An uncompressed length far beyond what the bytes can hold: refused before any allocation.
          const huge = Uint8Array.from(bytes);
          huge[frames[2] - 3] = 0x7f;
          expect(refusal(huge, name)).toMatch(
            /compressed buffer \d+ declares \d+ bytes uncompressed, but \d+ bytes of (LZ4_FRAME|ZSTD) hold at most \d+/,
          );
        },
      );
    }
  }

  it('every single-byte change in an LZ4 frame header is refused or reads the same table', () => {
    const name = 'generated_lz4.stream';
    const bytes = readFileSync(`${dir}/${name}`);
    const reference = JSON.stringify(readArrow(bytes, name), (_, v: unknown) =>
      ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v,
    );
    for (const at of find(bytes, LZ4)) {
      for (let k = 0; k < 7; k++) {
        const bad = Uint8Array.from(bytes);
        bad[at + k] ^= 0x21;
        try {
          const t = readArrow(bad, name);
          expect(
            JSON.stringify(t, (_, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v)),
            `byte ${at + k}`,
          ).toBe(reference);
        } catch (e) {
          expect(e, `byte ${at + k}`).toBeInstanceOf(DataError);
          expect((e as Error).message).not.toMatch(INTERNAL);
        }
      }
    }
  });
});
