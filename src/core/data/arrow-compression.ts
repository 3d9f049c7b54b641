/**
 * Arrow IPC body compression (BodyCompression of a record or dictionary batch): each buffer is
 * an 8-byte little-endian uncompressed length (-1: stored as it is) followed by one LZ4 frame or
 * zstd frame. apache-arrow reads it through its compression registry; the decoders registered
 * here are the project's own (`lz4-frame.ts` on the Parquet reader's LZ4 block decoder, and the
 * Parquet reader's zstd decoder, which verifies a frame's content checksum).
 */
import { compressionRegistry, CompressionType } from 'apache-arrow';
import { lz4FrameDecompress } from './lz4-frame';
import { zstdDecompress } from './parquet/zstd';

/** A compressed buffer that cannot be decompressed, described without the file name. */
export class ArrowCodecError extends Error {
  override readonly name = 'ArrowCodecError';
}

/** The codecs of Arrow's CompressionType, by their number. */
export const CODEC_NAMES = ['LZ4_FRAME', 'ZSTD'] as const;

/** The most bytes any buffer may decompress to (a typed array of more is not a column here). */
export const MAX_BUFFER_BYTES = 2 ** 31 - 1;

/**
 * The most bytes `compressed` bytes of codec `codec` can decompress to: an LZ4 sequence grows
 * by at most 255 bytes per input byte, a zstd block (an RLE block: 4 bytes for 128 KB) by at
 * most 32,768; plus one block's worth. A declared length above it is a lie and is refused before
 * anything is allocated.
 */
export function maxUncompressed(codec: number, compressed: number): number {
  const bound = codec === 0 ? compressed * 255 + (4 << 20) : compressed * 32_768 + (128 << 10);
  return Math.min(MAX_BUFFER_BYTES, bound);
}

/**
 * A decoder for apache-arrow's registry. apache-arrow hands `decode` the bytes after the 8-byte
 * length (a view into the body), not the length itself: it is read back from the 8 bytes just
 * before the view (the framing check has already bounded it against the compressed size).
 */
function decoder(codec: number, decompress: (input: Uint8Array, output: Uint8Array) => void) {
  return {
    decode(bytes: Uint8Array): Uint8Array {
      const name = `${codec === 0 ? 'an' : 'a'} ${CODEC_NAMES[codec]}`;
      if (bytes.byteOffset < 8) throw new ArrowCodecError(`${name} buffer has no uncompressed length before it`);
      const view = new DataView(bytes.buffer, bytes.byteOffset - 8, 8);
      const length = view.getInt32(4, true) * 2 ** 32 + view.getUint32(0, true);
      if (length < 0 || length > maxUncompressed(codec, bytes.length)) {
        throw new ArrowCodecError(
          `${name} buffer of ${bytes.length} bytes declares ${length} bytes uncompressed, more than it can hold`,
        );
      }
      const out = new Uint8Array(length);
      try {
        decompress(bytes, out);
      } catch (e) {
        throw new ArrowCodecError(`${name} buffer is damaged (${e instanceof Error ? e.message : String(e)})`);
      }
      return out;
    },
  };
}

let registered = false;

/** Registers the LZ4_FRAME and ZSTD decoders with apache-arrow (once). */
export function registerArrowCodecs(): void {
  if (registered) return;
  compressionRegistry.set(CompressionType.LZ4_FRAME, decoder(0, lz4FrameDecompress));
  compressionRegistry.set(CompressionType.ZSTD, decoder(1, zstdDecompress));
  registered = true;
}
