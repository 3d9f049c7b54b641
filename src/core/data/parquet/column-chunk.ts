/**
 * Decodes the pages of one column chunk (one column of one row group) into a ColumnBuilder:
 * dictionary page, then data pages (v1 or v2), definition levels, and values in any
 * supported encoding. Dictionary indices go straight to values or categorical codes.
 */
import { crc32 } from '../crc32';
import { allocateLike, type ColumnBuilder } from './column-builder';
import { decompressPage } from './codecs';
import { forEachDeltaByteArray, forEachDeltaInt64, forEachDeltaLength, decodeDeltaBinaryPacked } from './delta';
import { fail, ParquetFormatError } from './errors';
import { readPageHeader, type PageHeader } from './page-header';
import {
  bigEndianSigned,
  decodePlainFixed,
  forEachPlainByteArray,
  forEachPlainFixed,
  plainWidth,
  storeIntegers,
  unsplitByteStreams,
  type OutArray,
} from './plain';
import { decodeBitPackedLevels, decodeDefinitionLevels, decodeDictionaryIndices, decodeHybrid } from './rle';
import { ENCODINGS, type Encoding, type ParquetColumnChunkInfo } from './types';

/** An encoding's Thrift number, from the one table of their names. */
const code = (name: Encoding): number => ENCODINGS.indexOf(name);
const [
  PLAIN,
  PLAIN_DICTIONARY,
  RLE,
  BIT_PACKED,
  DELTA_BINARY_PACKED,
  DELTA_LENGTH_BYTE_ARRAY,
  DELTA_BYTE_ARRAY,
  RLE_DICTIONARY,
  BYTE_STREAM_SPLIT,
] = (
  [
    'PLAIN',
    'PLAIN_DICTIONARY',
    'RLE',
    'BIT_PACKED',
    'DELTA_BINARY_PACKED',
    'DELTA_LENGTH_BYTE_ARRAY',
    'DELTA_BYTE_ARRAY',
    'RLE_DICTIONARY',
    'BYTE_STREAM_SPLIT',
  ] as const
).map(code);

function encodingName(e: number): string {
  return ENCODINGS[e] ?? `unknown encoding ${e}`;
}

/** Scratch buffers reused across pages of a part (indices and levels). */
export class Scratch {
  private idx = new Int32Array(0);
  private lv = new Uint8Array(0);
  private pg = new Uint8Array(0);
  /** One 64-bit value as two 32-bit words (lo, hi), and the same 8 bytes little-endian. */
  readonly word = new Uint32Array(2);
  readonly wordBytes = new Uint8Array(this.word.buffer);
  indices(n: number): Int32Array {
    if (this.idx.length < n) this.idx = new Int32Array(Math.max(n, this.idx.length * 2));
    return this.idx;
  }
  /** A reusable buffer for decompressed pages (a page's bytes are not kept once decoded). */
  page(n: number): Uint8Array {
    if (this.pg.length < n) this.pg = new Uint8Array(Math.max(n, this.pg.length * 2));
    return this.pg.subarray(0, n);
  }
  levels(n: number): Uint8Array {
    if (this.lv.length < n) this.lv = new Uint8Array(Math.max(n, this.lv.length * 2));
    return this.lv;
  }
}

/** Writes `present` decoded values (in `src`) to rows [op, op + n) of `dst` following `mask`; nulls get `fillValue`. */
function scatter(src: OutArray, mask: Uint8Array, n: number, dst: OutArray, op: number, fillValue: number): void {
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (mask[i] !== 0) dst[op + i] = src[k++];
    else dst[op + i] = fillValue;
  }
}

/** State of one chunk being decoded. */
class ChunkDecoder {
  /** Dictionary as output values (numeric) or as interned codes (strings). */
  private dict: OutArray | null = null;
  private readonly what: string;
  /** Pages read so far, index pages included. */
  private page = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly chunk: ParquetColumnChunkInfo,
    private readonly out: ColumnBuilder,
    private readonly scratch: Scratch,
    rowGroup: number,
  ) {
    this.what = `column "${out.col.name}" (row group ${rowGroup})`;
  }

  private unsupportedEncoding(encoding: number, where: string): never {
    return fail(
      `${this.what}: ${where} encoding ${encodingName(encoding)} is not supported for ` +
        `type ${this.out.col.physicalType}`,
    );
  }

  /** Reads all pages; `rows` is the row count of the row group. */
  run(rows: number): void {
    const { chunk, bytes } = this;
    const end = chunk.start + chunk.compressedSize;
    const startRow = this.out.pos;
    let pos = chunk.start;
    let seen = 0;
    while (seen < chunk.numValues) {
      if (pos >= end) fail(`corrupt page: ${this.what} ends after ${seen} of its ${chunk.numValues} values`);
      const h = readPageHeader(bytes, pos, end, this.what);
      const body = bytes.subarray(h.dataStart, h.dataStart + h.compressedSize);
      pos = h.dataStart + h.compressedSize;
      this.page++;
      if (h.type === 'INDEX_PAGE') continue;
      if (h.crc !== undefined) this.checkCrc(h.crc, body);
      if (h.type === 'DICTIONARY_PAGE') {
        this.inPage(() => this.readDictionary(h, body));
        continue;
      }
      if (h.numValues < 0 || seen + h.numValues > chunk.numValues || this.out.pos + h.numValues > startRow + rows) {
        fail(`corrupt page: ${this.what} holds more values than its ${rows} rows`);
      }
      if (h.type === 'DATA_PAGE') this.inPage(() => this.readDataPageV1(h, body));
      else this.inPage(() => this.readDataPageV2(h, body));
      seen += h.numValues;
    }
    if (this.out.pos - startRow !== rows)
      fail(`corrupt page: ${this.what} holds ${this.out.pos - startRow} values for ${rows} rows`);
  }

  /**
   * Runs a page's decoding; a defect the low-level decoders report without saying where
   * ('a varint runs past the end of the page') is given the column, row group and page.
   */
  private inPage(decode: () => void): void {
    try {
      decode();
    } catch (e) {
      if (e instanceof ParquetFormatError && !e.message.includes(this.what))
        fail(`corrupt page: ${this.pageWhat()}: ${e.message}`);
      throw e;
    }
  }

  /** The page being decoded, for errors: the column, row group and page (from 1 within the chunk). */
  private pageWhat(): string {
    return `${this.what}, page ${this.page}`;
  }

  /** Checks a page's stored bytes against the CRC-32 its header carries. */
  private checkCrc(stored: number, body: Uint8Array): void {
    const computed = crc32(body) | 0;
    if (computed === stored) return;
    const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
    fail(
      `corrupt page: ${this.pageWhat()}: checksum mismatch (its header ` +
        `has CRC-32 ${hex(stored)}, its ${body.length} bytes give ${hex(computed)})`,
    );
  }

  private readDictionary(h: PageHeader, body: Uint8Array): void {
    if (h.encoding !== PLAIN && h.encoding !== PLAIN_DICTIONARY) this.unsupportedEncoding(h.encoding, 'dictionary');
    const data = decompressPage(this.chunk.codec, body, h.uncompressedSize, this.pageWhat(), this.scratch);
    const n = h.numValues;
    if (n < 0 || n > data.length * 8 + 1)
      fail(`corrupt page: ${this.what} dictionary announces ${n} values in ${data.length} bytes`);
    const col = this.out.col;
    const conv = col.conversion!;
    const interner = this.out.interner;
    if (interner) {
      const codes = new Int32Array(n);
      let i = 0;
      // Fixed-width values: FIXED_LEN_BYTE_ARRAY, and INT64 read as exact text (8 bytes each).
      if (col.physicalType === 'FIXED_LEN_BYTE_ARRAY' || col.physicalType === 'INT64')
        forEachPlainFixed(data, 0, data.length, n, plainWidth(col.physicalType, col.typeLength), (s, len) => {
          codes[i++] = interner.intern(data, s, len);
        });
      else if (col.physicalType !== 'BYTE_ARRAY') this.unsupportedEncoding(h.encoding, 'dictionary');
      else
        forEachPlainByteArray(data, 0, data.length, n, (s, len) => {
          codes[i++] = interner.intern(data, s, len);
        });
      this.dict = codes;
      return;
    }
    if (col.physicalType === 'BYTE_ARRAY') {
      // BYTE_ARRAY decimals.
      const dict = new Float64Array(n);
      const scale = conv.kind === 'decimal' ? 10 ** conv.scale : 1;
      let i = 0;
      forEachPlainByteArray(data, 0, data.length, n, (s, len) => {
        dict[i++] = bigEndianSigned(data, s, len) / scale;
      });
      this.dict = dict;
      return;
    }
    const width = plainWidth(col.physicalType, col.typeLength);
    let dict = allocateLike(this.out.values, n);
    if (!decodePlainFixed(conv, width, data, 0, data.length, n, dict, 0)) {
      this.out.widen();
      dict = new Float64Array(n);
      decodePlainFixed(conv, width, data, 0, data.length, n, dict, 0);
    }
    this.dict = dict;
  }

  /** Reads definition levels into the scratch mask; returns the number of present values. */
  private levels(bytes: Uint8Array, pos: number, end: number, n: number, encoding: number): number {
    const mask = this.scratch.levels(n);
    const max = this.out.col.maxDefinitionLevel;
    if (max > 1) {
      // A leaf of a struct: missing at any level below the maximum (the struct or the leaf is null).
      if (encoding !== RLE) return this.unsupportedEncoding(encoding, 'definition level');
      const levels = this.scratch.indices(n);
      decodeHybrid(bytes, pos, end, 32 - Math.clz32(max), n, levels, 0);
      let present = 0;
      for (let i = 0; i < n; i++) {
        const v = levels[i];
        if (v > max) fail(`definition level ${v} is above the column's maximum of ${max}`);
        mask[i] = v === max ? 1 : 0;
        present += mask[i];
      }
      return present;
    }
    if (encoding === RLE) return decodeDefinitionLevels(bytes, pos, end, n, mask);
    if (encoding === BIT_PACKED) return decodeBitPackedLevels(bytes, pos, end, n, mask);
    return this.unsupportedEncoding(encoding, 'definition level');
  }

  private readDataPageV1(h: PageHeader, body: Uint8Array): void {
    const data = decompressPage(this.chunk.codec, body, h.uncompressedSize, this.pageWhat(), this.scratch);
    const n = h.numValues;
    let pos = 0;
    let present = n;
    if (this.out.col.maxDefinitionLevel > 0) {
      if (h.defEncoding === RLE) {
        if (data.length < 4) fail(`corrupt page: ${this.what} is too short for its definition levels`);
        const len = (data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24)) >>> 0;
        if (4 + len > data.length) fail(`corrupt page: ${this.what} definition levels run past the page`);
        present = this.levels(data, 4, 4 + len, n, RLE);
        pos = 4 + len;
      } else {
        present = this.levels(data, 0, data.length, n, h.defEncoding);
        pos = Math.ceil(n / 8);
      }
    }
    this.values(h.encoding, data, pos, data.length, n, present);
  }

  private readDataPageV2(h: PageHeader, body: Uint8Array): void {
    const n = h.numValues;
    const levelBytes = h.repLevelsLength + h.defLevelsLength;
    let present = n;
    if (this.out.col.maxDefinitionLevel > 0) {
      present = this.levels(body, h.repLevelsLength, levelBytes, n, RLE);
      if (n - present !== h.numNulls)
        fail(`corrupt page: ${this.what} has ${n - present} nulls in its levels but says ${h.numNulls}`);
    }
    const compressed = body.subarray(levelBytes);
    const size = h.uncompressedSize - levelBytes;
    if (size < 0) fail(`corrupt page: ${this.what} is smaller than its levels`);
    // A page whose values are all missing may hold no value bytes at all, not even an empty
    // compressed stream (arrow-rs writes such pages): nothing to decompress.
    const empty = size === 0 && compressed.length === 0;
    const data =
      h.isCompressed && !empty
        ? decompressPage(this.chunk.codec, compressed, size, this.pageWhat(), this.scratch)
        : compressed;
    if ((!h.isCompressed || empty) && data.length !== size)
      fail(`corrupt page: ${this.what} holds ${data.length} bytes, ${size} announced`);
    this.values(h.encoding, data, 0, data.length, n, present);
  }

  /** Decodes the `present` values of a page with `n` rows and stores them at the builder's position. */
  private values(encoding: number, data: Uint8Array, pos: number, end: number, n: number, present: number): void {
    const out = this.out;
    const op = out.pos;
    const isString = out.interner !== null;
    if (present === n) {
      if (!this.decodeInto(encoding, data, pos, end, present, op)) {
        out.widen();
        this.decodeInto(encoding, data, pos, end, present, op);
      }
      out.setAllValid(op, n);
    } else {
      const mask = this.scratch.levels(n);
      let tmp = allocateLike(out.values, present);
      if (!this.decodeValues(encoding, data, pos, end, present, tmp, 0)) {
        out.widen();
        tmp = new Float64Array(present);
        this.decodeValues(encoding, data, pos, end, present, tmp, 0);
      }
      scatter(tmp, mask, n, out.values, op, isString ? -1 : 0);
      if (!isString) out.setValidity(op, n, mask);
    }
    out.pos = op + n;
  }

  private decodeInto(encoding: number, data: Uint8Array, pos: number, end: number, n: number, op: number): boolean {
    return this.decodeValues(encoding, data, pos, end, n, this.out.values, op);
  }

  /** Decodes `n` values into dst[op..]; false when INT64 values overflow an Int32Array. */
  private decodeValues(
    encoding: number,
    data: Uint8Array,
    pos: number,
    end: number,
    n: number,
    dst: OutArray,
    op: number,
  ): boolean {
    const col = this.out.col;
    const conv = col.conversion!;
    const type = col.physicalType;
    const width = plainWidth(type, col.typeLength);
    const interner = this.out.interner;
    switch (encoding) {
      case PLAIN_DICTIONARY:
      case RLE_DICTIONARY: {
        let dict = this.dict;
        if (!dict) return fail(`corrupt page: ${this.what} uses a dictionary but has no dictionary page`);
        if (pos >= end) {
          if (n === 0) return true;
          fail(`corrupt page: ${this.what} has no dictionary indices`);
        }
        if (dst instanceof Int32Array && !(dict instanceof Int32Array)) return false; // widened dictionary
        if (dst instanceof Float64Array && dict instanceof Int32Array && !interner)
          dict = this.dict = Float64Array.from(dict);
        decodeDictionaryIndices(data, pos + 1, end, data[pos], n, dict, dst, op);
        return true;
      }
      case PLAIN:
        if (interner) {
          let i = op;
          const each = (s: number, len: number) => {
            dst[i++] = interner.intern(data, s, len);
          };
          if (type === 'BYTE_ARRAY') forEachPlainByteArray(data, pos, end, n, each);
          else forEachPlainFixed(data, pos, end, n, width, each);
          return true;
        }
        if (type === 'BYTE_ARRAY') {
          const scale = conv.kind === 'decimal' ? 10 ** conv.scale : 1;
          let i = op;
          forEachPlainByteArray(data, pos, end, n, (s, len) => {
            dst[i++] = bigEndianSigned(data, s, len) / scale;
          });
          return true;
        }
        return decodePlainFixed(conv, width, data, pos, end, n, dst, op);
      case RLE: {
        if (type !== 'BOOLEAN') return this.unsupportedEncoding(encoding, 'value');
        if (pos + 4 > end) fail(`corrupt page: ${this.what} RLE booleans have no length`);
        const len = (data[pos] | (data[pos + 1] << 8) | (data[pos + 2] << 16) | (data[pos + 3] << 24)) >>> 0;
        if (pos + 4 + len > end) fail(`corrupt page: ${this.what} RLE booleans run past the page`);
        const idx = this.scratch.indices(n);
        decodeHybrid(data, pos + 4, pos + 4 + len, 1, n, idx, 0);
        for (let i = 0; i < n; i++) dst[op + i] = idx[i] & 1;
        return true;
      }
      case DELTA_BINARY_PACKED: {
        if (type !== 'INT32' && type !== 'INT64') return this.unsupportedEncoding(encoding, 'value');
        if (interner) {
          // INT64 read as exact text: each value's 8 bytes, little-endian, interned.
          const word = this.scratch.word;
          let i = op;
          const { count: got } = forEachDeltaInt64(data, pos, end, n, (lo, hi) => {
            word[0] = lo;
            word[1] = hi;
            dst[i++] = interner.intern(this.scratch.wordBytes, 0, 8);
          });
          if (got !== n) fail(`corrupt page: ${this.what} holds ${got} values, ${n} expected`);
          return true;
        }
        const { values } = decodeDeltaBinaryPacked(data, pos, end, n, type === 'INT64');
        if (values.length !== n) fail(`corrupt page: ${this.what} holds ${values.length} values, ${n} expected`);
        return storeIntegers(conv, values, n, dst, op);
      }
      case DELTA_LENGTH_BYTE_ARRAY:
      case DELTA_BYTE_ARRAY: {
        if (type !== 'BYTE_ARRAY' && !(encoding === DELTA_BYTE_ARRAY && type === 'FIXED_LEN_BYTE_ARRAY')) {
          return this.unsupportedEncoding(encoding, 'value');
        }
        const scale = conv.kind === 'decimal' ? 10 ** conv.scale : 1;
        let i = op;
        if (encoding === DELTA_LENGTH_BYTE_ARRAY) {
          forEachDeltaLength(data, pos, end, n, (s, len) => {
            dst[i++] = interner ? interner.intern(data, s, len) : bigEndianSigned(data, s, len) / scale;
          });
        } else if (type === 'FIXED_LEN_BYTE_ARRAY' && !interner) {
          // Each value decoded as the PLAIN value of its width would be (a decimal, a FLOAT16, an interval part).
          forEachDeltaByteArray(data, pos, end, n, (buf, s, len) => {
            if (len !== width) fail(`corrupt page: ${this.what} holds a ${len}-byte value in a ${width}-byte column`);
            decodePlainFixed(conv, width, buf, s, s + len, 1, dst, i++);
          });
        } else {
          forEachDeltaByteArray(data, pos, end, n, (buf, s, len) => {
            dst[i++] = interner ? interner.intern(buf, s, len) : bigEndianSigned(buf, s, len) / scale;
          });
        }
        return true;
      }
      case BYTE_STREAM_SPLIT: {
        if (width <= 0) return this.unsupportedEncoding(encoding, 'value');
        const plain = unsplitByteStreams(data, pos, end, n, width);
        if (interner) {
          let i = op;
          forEachPlainFixed(plain, 0, plain.length, n, width, (s, len) => {
            dst[i++] = interner.intern(plain, s, len);
          });
          return true;
        }
        return decodePlainFixed(conv, width, plain, 0, plain.length, n, dst, op);
      }
      default:
        return this.unsupportedEncoding(encoding, 'value');
    }
  }
}

/** Decodes one column chunk into `out`, which advances by the row group's `rows`. */
export function decodeColumnChunk(
  bytes: Uint8Array,
  chunk: ParquetColumnChunkInfo,
  out: ColumnBuilder,
  scratch: Scratch,
  rowGroup: number,
  rows: number,
): void {
  new ChunkDecoder(bytes, chunk, out, scratch, rowGroup).run(rows);
}
