/**
 * CRC-32 as gzip, zlib, PNG and Parquet page headers use it (ISO-HDLC: reflected polynomial
 * 0xEDB88320, initial value and final XOR 0xFFFFFFFF), and CRC-32C (Castagnoli: reflected
 * polynomial 0x82F63B78, same initial value and final XOR) as TFRecord frames and iSCSI use it.
 * Slicing-by-8: eight 256-entry tables let the loop fold eight bytes (two aligned 32-bit words)
 * per step: about 1.5 GB/s in Node 20 (0.8 GB/s when the words are assembled from bytes), so
 * checking a page costs a small part of inflating it.
 */

/** The slicing-by-8 tables of the reflected CRC with polynomial `poly`. */
function tablesOf(poly: number): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  // Table k advances a byte that is followed by k zero bytes.
  for (let n = 0; n < 256; n++) {
    for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ t[t[(k - 1) * 256 + n] & 0xff];
  }
  return t;
}

const CRC32_TABLES = tablesOf(0xedb88320);
const CRC32C_TABLES = tablesOf(0x82f63b78);

/** Typed arrays use the platform's byte order; the word loop below needs little-endian (every browser platform is). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * The CRC-32 of `bytes[start, end)`, unsigned; pass a previous result as `crc` to continue a
 * checksum over several pieces.
 */
export function crc32(bytes: Uint8Array, crc = 0, start = 0, end = bytes.length): number {
  return sliceBy8(CRC32_TABLES, bytes, crc, start, end);
}

/** The CRC-32C (Castagnoli) of `bytes[start, end)`, unsigned; `crc` continues a previous result. */
export function crc32c(bytes: Uint8Array, crc = 0, start = 0, end = bytes.length): number {
  return sliceBy8(CRC32C_TABLES, bytes, crc, start, end);
}

function sliceBy8(t: Int32Array, bytes: Uint8Array, crc: number, start: number, end: number): number {
  let c = ~crc;
  let i = start;
  if (LITTLE_ENDIAN && end - start >= 64) {
    // Up to a 4-byte boundary one byte at a time, then aligned 32-bit words (twice as fast as assembling them from
    // bytes).
    for (const head = start + ((4 - ((bytes.byteOffset + start) & 3)) & 3); i < head; i++)
      c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, ((end - i) >>> 3) * 2);
    for (let w = 0; w < words.length; w += 2) {
      const a = c ^ words[w];
      const b = words[w + 1];
      c =
        t[1792 + (a & 0xff)] ^
        t[1536 + ((a >>> 8) & 0xff)] ^
        t[1280 + ((a >>> 16) & 0xff)] ^
        t[1024 + (a >>> 24)] ^
        t[768 + (b & 0xff)] ^
        t[512 + ((b >>> 8) & 0xff)] ^
        t[256 + ((b >>> 16) & 0xff)] ^
        t[b >>> 24];
    }
    i += words.length * 4;
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
