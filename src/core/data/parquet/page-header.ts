/** Parses Parquet page headers (PageHeader in parquet.thrift). */
import { fail } from './errors';
import { optBool, optInt, optStruct, readStruct, reqInt } from './thrift';

/** Page kinds this reader acts on; index pages are skipped. */
export type PageType = 'DATA_PAGE' | 'INDEX_PAGE' | 'DICTIONARY_PAGE' | 'DATA_PAGE_V2';
const PAGE_TYPES: readonly PageType[] = ['DATA_PAGE', 'INDEX_PAGE', 'DICTIONARY_PAGE', 'DATA_PAGE_V2'];

/** A page header with the fields the decoder needs. */
export interface PageHeader {
  readonly type: PageType;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
  /** Values in the page, nulls included (data pages), or dictionary entries. */
  readonly numValues: number;
  /** Encoding id of the values. */
  readonly encoding: number;
  /** v1: encoding id of the definition levels (RLE or BIT_PACKED). */
  readonly defEncoding: number;
  /** v2 only. */
  readonly numNulls: number;
  readonly defLevelsLength: number;
  readonly repLevelsLength: number;
  readonly isCompressed: boolean;
  /**
   * The CRC-32 of the page's bytes as stored after the header (compressed; for v2 data pages
   * levels included), as a signed 32-bit integer; `undefined` when the writer stored none.
   */
  readonly crc: number | undefined;
  /** Offset of the page's data (just past the header). */
  readonly dataStart: number;
}

/** Reads the header at `pos`; `end` bounds the column chunk. */
export function readPageHeader(bytes: Uint8Array, pos: number, end: number, what: string): PageHeader {
  const { struct: s, end: dataStart } = readStruct(bytes, pos, end, `the page header of ${what}`);
  const w = `the page header of ${what}`;
  const typeId = reqInt(s, 1, w);
  const type = PAGE_TYPES[typeId] ?? fail(`corrupt page: ${w} has unknown page type ${typeId}`);
  const uncompressedSize = reqInt(s, 2, w);
  const compressedSize = reqInt(s, 3, w);
  if (compressedSize < 0 || uncompressedSize < 0 || compressedSize > end - dataStart) {
    fail(`corrupt page: ${w} announces ${compressedSize} bytes but the column chunk has ${end - dataStart} left`);
  }
  const crc = optInt(s, 4, w);
  if (crc !== undefined && crc !== (crc | 0))
    fail(`corrupt page: ${w} has a CRC that is not a 32-bit integer (${crc})`);
  const base = {
    type,
    crc,
    uncompressedSize,
    compressedSize,
    dataStart,
    numValues: 0,
    encoding: 0,
    defEncoding: 3,
    numNulls: 0,
    defLevelsLength: 0,
    repLevelsLength: 0,
    isCompressed: true,
  };
  if (type === 'DATA_PAGE') {
    const h = optStruct(s, 5, w) ?? fail(`corrupt page: ${w} has no data page header`);
    return { ...base, numValues: reqInt(h, 1, w), encoding: reqInt(h, 2, w), defEncoding: reqInt(h, 3, w) };
  }
  if (type === 'DICTIONARY_PAGE') {
    const h = optStruct(s, 7, w) ?? fail(`corrupt page: ${w} has no dictionary page header`);
    return { ...base, numValues: reqInt(h, 1, w), encoding: reqInt(h, 2, w) };
  }
  if (type === 'DATA_PAGE_V2') {
    const h = optStruct(s, 8, w) ?? fail(`corrupt page: ${w} has no v2 data page header`);
    const out = {
      ...base,
      numValues: reqInt(h, 1, w),
      numNulls: reqInt(h, 2, w),
      encoding: reqInt(h, 4, w),
      defLevelsLength: reqInt(h, 5, w),
      repLevelsLength: reqInt(h, 6, w),
      isCompressed: optBool(h, 7, w) ?? true,
    };
    if (
      out.defLevelsLength < 0 ||
      out.repLevelsLength < 0 ||
      out.defLevelsLength + out.repLevelsLength > compressedSize
    ) {
      fail(`corrupt page: ${w} announces level lengths beyond the page`);
    }
    return out;
  }
  return base;
}
