/**
 * LZ4 frames (the LZ4_FRAME codec of Arrow IPC body compression; the format of the `lz4` tool):
 * magic 0x184D2204, a frame descriptor (flags, block maximum size, optional content size and
 * dictionary id, a header checksum), blocks (each a 4-byte size whose high bit marks a stored
 * block, then the data and an optional XXH32 block checksum), an end mark, and an optional XXH32
 * content checksum. Blocks are decoded with the Parquet reader's LZ4 block decoder; linked
 * blocks (the default of LZ4F) may refer back into earlier blocks, so all go into one output.
 * Every size is checked against the bytes and the output; every checksum present is verified.
 */
import { lz4Block } from './parquet/lz4';
import { xxh32 } from './xxhash32';

/** A damaged or unsupported LZ4 frame, described without the file name. */
export class Lz4FrameError extends Error {
  override readonly name = 'Lz4FrameError';
}

function fail(message: string): never {
  throw new Lz4FrameError(`lz4 frame: ${message}`);
}

const MAGIC = 0x184d2204;
const BLOCK_MAX = [0, 0, 0, 0, 0x10000, 0x40000, 0x100000, 0x400000];

const u32 = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;

/**
 * Decompresses one or more LZ4 frames (skippable frames are passed over) from `input` into
 * `output`, which must be exactly the decompressed size.
 */
export function lz4FrameDecompress(input: Uint8Array, output: Uint8Array): void {
  let pos = 0;
  let op = 0;
  const n = input.length;
  for (let frame = 1; pos < n; frame++) {
    if (pos + 4 > n) fail('cut off in a frame magic number');
    const magic = u32(input, pos);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      if (pos + 8 > n) fail('cut off in a skippable frame');
      pos += 8 + u32(input, pos + 4);
      continue;
    }
    if (magic !== MAGIC) fail(`frame ${frame} does not start with the LZ4 frame magic number`);
    [pos, op] = decodeFrame(input, pos + 4, output, op, frame);
  }
  if (pos > n) fail('a skippable frame runs past the end');
  if (op !== output.length) fail(`decompressed to ${op} bytes, ${output.length} expected`);
}

function decodeFrame(input: Uint8Array, pos: number, output: Uint8Array, op: number, frame: number): [number, number] {
  const n = input.length;
  const descStart = pos;
  if (pos + 3 > n) fail(`frame ${frame} is cut off in its descriptor`);
  const flg = input[pos];
  const bd = input[pos + 1];
  if (flg >>> 6 !== 1) fail(`frame ${frame} has version ${flg >>> 6}, not 1`);
  if (flg & 0x02 || bd & 0x8f) fail(`frame ${frame} sets reserved bits in its descriptor`);
  const blockChecksum = (flg & 0x10) !== 0;
  const hasContentSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  if (flg & 0x01) fail(`frame ${frame} needs a dictionary, which an Arrow buffer cannot supply`);
  const blockMax = BLOCK_MAX[(bd >>> 4) & 7];
  if (blockMax === 0) fail(`frame ${frame} declares an invalid block maximum size`);
  pos += 2;
  let contentSize = -1;
  if (hasContentSize) {
    if (pos + 8 > n) fail(`frame ${frame} is cut off in its content size`);
    const hi = u32(input, pos + 4);
    // Past 2^53 no output could be that large anyway; -2 marks "too large".
    contentSize = hi >= 0x200000 ? -2 : hi * 4294967296 + u32(input, pos);
    pos += 8;
  }
  if (pos + 1 > n) fail(`frame ${frame} is cut off before its header checksum`);
  const hc = (xxh32(input, descStart, pos) >>> 8) & 0xff;
  if (input[pos] !== hc) fail(`frame ${frame} has header checksum ${input[pos]}, its descriptor gives ${hc}`);
  pos++;
  const frameStart = op;
  if (contentSize === -2 || (contentSize >= 0 && frameStart + contentSize > output.length)) {
    fail(
      `frame ${frame} declares ${contentSize === -2 ? 'more than 2^53' : contentSize} bytes of content, ` +
        `more than the ${output.length - frameStart} expected`,
    );
  }
  for (let block = 1; ; block++) {
    if (pos + 4 > n) fail(`frame ${frame} is cut off before block ${block} (no end mark)`);
    const word = u32(input, pos);
    pos += 4;
    if (word === 0) break;
    const stored = word >= 0x80000000;
    const size = word & 0x7fffffff;
    if (size > blockMax || pos + size > n)
      fail(
        `frame ${frame} block ${block} declares ${size} bytes, ` +
          `which ${size > blockMax ? `exceeds the frame's ${blockMax}-byte blocks` : 'run past the end'}`,
      );
    if (blockChecksum) {
      if (pos + size + 4 > n) fail(`frame ${frame} block ${block} is cut off before its checksum`);
      const want = u32(input, pos + size);
      const got = xxh32(input, pos, pos + size);
      if (want !== got)
        fail(
          `frame ${frame} block ${block} has checksum ${hex(want)}, its bytes give ${hex(got)} (the block is damaged)`,
        );
    }
    const before = op;
    if (stored) {
      if (op + size > output.length) fail(`frame ${frame} block ${block} holds more bytes than expected`);
      output.set(input.subarray(pos, pos + size), op);
      op += size;
    } else {
      try {
        op = lz4Block(input, pos, pos + size, output, op);
      } catch (e) {
        fail(`frame ${frame} block ${block} is damaged (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    if (op - before > blockMax)
      fail(`frame ${frame} block ${block} decompresses past the frame's ${blockMax}-byte blocks`);
    pos += size + (blockChecksum ? 4 : 0);
  }
  if (contentSize >= 0 && op - frameStart !== contentSize)
    fail(`frame ${frame} holds ${op - frameStart} bytes, its header says ${contentSize}`);
  if (contentChecksum) {
    if (pos + 4 > n) fail(`frame ${frame} is cut off before its content checksum`);
    const want = u32(input, pos);
    const got = xxh32(output, frameStart, op);
    if (want !== got)
      fail(
        `frame ${frame} has content checksum ${hex(want)}, its ${op - frameStart} bytes ` +
          `give ${hex(got)} (the data is damaged)`,
      );
    pos += 4;
  }
  return [pos, op];
}

const hex = (x: number) => `0x${x.toString(16).padStart(8, '0')}`;
