/**
 * Page decompression for every Parquet codec but LZO. Snappy, LZ4, zstd and gzip are
 * hand-written here (zstd 1.9x faster than fzstd on flights-3m (bench/zstd.ts), decoding straight into the
 * page buffer; gzip checks every member's CRC-32 and length); brotli comes from
 * hyparquet-compressors (pure JavaScript).
 */
import { decompressBrotli } from 'hyparquet-compressors/src/brotli.js';
import { fail } from './errors';
import { gunzipInto } from './gzip';
import { lz4HadoopDecompress, lz4RawDecompress } from './lz4';
import { snappyDecompress } from './snappy';
import { zstdDecompress } from './zstd';
import type { Codec } from './types';

/** Decompression of one page body; `output` has exactly the uncompressed size. */
function decompressInto(codec: Codec, input: Uint8Array, output: Uint8Array): void {
  switch (codec) {
    case 'SNAPPY':
      return snappyDecompress(input, output);
    case 'LZ4_RAW':
      return lz4RawDecompress(input, output);
    case 'LZ4':
      return lz4HadoopDecompress(input, output);
    case 'ZSTD':
      return zstdDecompress(input, output);
    case 'GZIP':
      return gunzipInto(input, output);
    case 'BROTLI': {
      let out: Uint8Array;
      try {
        out = decompressBrotli(input, output.length);
      } catch (e) {
        // The library's own texts ('[ReadHuffmanCodeLengths] space = 12', 'Unexpected end of input 96 80') mean nothing
        // to a user.
        fail(
          e instanceof Error && /not large enough/.test(e.message)
            ? `brotli: it decompresses to more than the ${output.length} bytes announced`
            : 'brotli: the stream is corrupt',
        );
      }
      if (out.length !== output.length) fail(`brotli: decompressed ${out.length} bytes, ${output.length} expected`);
      output.set(out);
      return;
    }
    default:
      fail(`compression codec ${codec} is not supported`);
  }
}

/** No writer makes pages this big; a larger size is a corrupt header, not a reason to allocate. */
const MAX_PAGE_BYTES = 1 << 30;

/**
 * Decompresses a page body to exactly `size` bytes, into `scratch`'s reusable buffer when given
 * (the result is then valid until the next call). Decompressor errors are reported as a
 * corrupt page of `what` (row group and column).
 */
export function decompressPage(
  codec: Codec,
  input: Uint8Array,
  size: number,
  what: string,
  scratch?: { page(n: number): Uint8Array },
): Uint8Array {
  if (codec === 'UNCOMPRESSED') {
    if (input.length !== size) fail(`corrupt page in ${what}: ${input.length} bytes stored, ${size} announced`);
    return input;
  }
  if (codec === 'LZO') fail(`${what} uses the LZO codec, which is not supported`);
  if (size > MAX_PAGE_BYTES)
    fail(`corrupt page in ${what}: announces ${size} uncompressed bytes (more than ${MAX_PAGE_BYTES})`);
  const output = scratch ? scratch.page(size) : new Uint8Array(size);
  try {
    decompressInto(codec, input, output);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    fail(
      `corrupt page ` +
        `in ${what}: ${codec} data ${detail.startsWith('checksum mismatch') ? 'fails its checksum' : 'does not decompress'} (${detail})`,
    );
  }
  return output;
}
