/**
 * TFRecord files of `tf.Example` records, read by hand (no protobuf library: three small
 * messages, every length checked against the bytes that hold it).
 *
 * Framing (TensorFlow's `record_writer`): each record is a little-endian uint64 length, the
 * masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data; the mask is
 * `((crc >>> 15) | (crc << 17)) + 0xa282ead8`. Both checksums are checked: a damaged length or
 * record is refused with its number (records count from 1) and byte offset, never decoded.
 * A GZIP-compressed file (`.tfrecord.gz`, or any gzip stream whose first bytes frame a record)
 * is inflated first, its CRC-32 and size checked (`parquet/gzip.ts`).
 *
 * Each record is a `tf.Example`: `features` (field 1) maps a name to a `Feature` holding one of
 * `bytes_list` (1), `float_list` (2) or `int64_list` (3), each a repeated field 1 (numbers packed
 * or not: both encodings are accepted, as protobuf requires). Features become columns by name:
 * - one value per record (or none: missing) gives one column: `float_list` a float column,
 *   `int64_list` an int column (int32 when every value fits, else doubles; a column with an
 *   integer beyond 2^53 - 1, an ID, keeps each value's exact decimal text, as the CSV, JSON,
 *   Arrow and Parquet readers do), `bytes_list` a categorical of the UTF-8 text, or of hashed
 *   buckets when a value is not UTF-8 (encoded images, ids: `byte-buckets.ts`);
 * - the same number of numbers L > 1 in every record that has the feature gives L numbered
 *   columns `name.0` ... `name.{L-1}` (an image stored as a flat float or int64 list becomes its
 *   pixels, which the CNN reads as a square image), up to MAX_LIST_COLUMNS;
 * - a feature that holds int64s in some records and floats in others is one float column;
 * - anything else (lists of varying length, lists of strings, strings in one record and
 *   numbers in the next, no value anywhere) is listed as skipped with its reason.
 * A file that is not TFRecord framing, or a record that is not a `tf.Example`, is refused with
 * what was wrong. Streaming reads the records a chunk at a time (`readTfRecordChunks`).
 */
import { counted } from '../errors';
import { ByteBuckets } from './byte-buckets';
import { crc32c } from './crc32';
import { JSON_CELLS_PER_BYTE, JSON_MIN_CELL_LIMIT, MAX_LIST_COLUMNS, MAX_JSON_COLUMNS } from './limits';
import { gunzip, gunzipHead } from './parquet/gzip';
import { ParquetFormatError } from './parquet/errors';
import { ByteInterner } from './parquet/interner';
import { DataError, type Column, type DataTable, type SkippedColumn } from './table';

const MASK_DELTA = 0xa282ead8;

/** TFRecord's masked CRC: stored checksums are masked so a CRC over data that holds CRCs stays strong. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** Most inflated bytes a `.tfrecord.gz` may hold (the decode worker holds them all). */
export const MAX_INFLATED_BYTES = 2 ** 30;

const u32 = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Whether `bytes` start with a TFRecord header: a length whose masked CRC-32C follows it. */
export function isTfRecordHead(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && maskCrc(crc32c(bytes, 0, 0, 8)) === u32(bytes, 8);
}

/** Whether a file holds TFRecord framing, plain or gzip-compressed (only the first bytes are inflated). */
export function sniffTfRecord(bytes: Uint8Array): boolean {
  if (isTfRecordHead(bytes)) return true;
  if (!isGzip(bytes)) return false;
  try {
    return isTfRecordHead(gunzipHead(bytes, 12));
  } catch {
    return false;
  }
}

/** The framing of a TFRecord file without its compression (inflated when it is gzip). */
function plainFraming(bytes: Uint8Array, fileName: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzip(bytes, MAX_INFLATED_BYTES);
  } catch (e) {
    if (e instanceof ParquetFormatError)
      throw new DataError(`${fileName}: the gzip compression is damaged: ${e.message}`);
    throw e;
  }
}

/** Walks the records of a TFRecord file, checking each frame's length and both checksums. */
class Frames {
  /** Number of the current record (from 1), and its data's range. */
  n = 0;
  start = 0;
  end = 0;
  private p = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly fileName: string,
  ) {}

  /** Moves to the next record; false at the end of the file. */
  next(): boolean {
    const { bytes, fileName } = this;
    const p = this.p;
    const left = bytes.length - p;
    if (left === 0) return false;
    const n = this.n + 1;
    const where = `${fileName}: record ${n} (at byte ${p})`;
    if (left < 12)
      throw new DataError(
        `${where}: the file ends ${left} bytes into a record header (a header is 12 bytes): it is cut off`,
      );
    const stored = u32(bytes, p + 8);
    const computed = maskCrc(crc32c(bytes, 0, p, p + 8));
    if (stored !== computed) {
      throw new DataError(
        n === 1
          ? `${fileName}: not a TFRecord file (its first 8 bytes are not a record length followed by its masked CRC-32C)`
          : `${where}: the length field fails its CRC-32C check (stored ${hex(stored)}, computed ${hex(computed)}): ` +
              'the file is damaged',
      );
    }
    const lo = u32(bytes, p);
    const hi = u32(bytes, p + 4);
    const room = left - 16;
    if (hi !== 0 || lo > room) {
      const length = hi * 2 ** 32 + lo;
      throw new DataError(
        `${where}: declares ${length} bytes of data, but the file has ${Math.max(0, room)} after its header ` +
          '(and a 4-byte checksum): it is cut off',
      );
    }
    const start = p + 12;
    const end = start + lo;
    const dataStored = u32(bytes, end);
    const dataComputed = maskCrc(crc32c(bytes, 0, start, end));
    if (dataStored !== dataComputed) {
      throw new DataError(
        `${where}: its ${lo} bytes of data fail their CRC-32C check (stored ${hex(dataStored)}, computed ` +
          `${hex(dataComputed)}): the record is damaged`,
      );
    }
    this.n = n;
    this.start = start;
    this.end = end;
    this.p = end + 4;
    return true;
  }
}

/** Most distinct feature names the records of one file may use (as many as a JSON file's keys). */
const MAX_FEATURES = MAX_JSON_COLUMNS;

/** A defect in a record's protobuf; the caller adds the file and the record. */
class ExampleError extends Error {}

const BYTES = 1;
const FLOATS = 2;
const INTS = 3;
const KIND_NAME = ['no value', 'bytes_list', 'float_list', 'int64_list'];

/**
 * A bounded protobuf reader. `varint` reads an unsigned varint into `lo`/`hi` (32 bits each);
 * every read checks the end it is given.
 */
class Pb {
  p = 0;
  lo = 0;
  hi = 0;
  constructor(readonly b: Uint8Array) {}

  varint(end: number): void {
    const b = this.b;
    let p = this.p;
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) throw new ExampleError('a varint runs past the end of its message');
      const x = b[p++];
      lo |= (x & 0x7f) << shift;
      if (x < 0x80) return this.set(p, lo, 0);
    }
    if (p >= end) throw new ExampleError('a varint runs past the end of its message');
    let x = b[p++];
    lo |= (x & 0x0f) << 28;
    hi = (x & 0x7f) >>> 4;
    if (x < 0x80) return this.set(p, lo, hi);
    for (let shift = 3; shift < 32; shift += 7) {
      if (p >= end) throw new ExampleError('a varint runs past the end of its message');
      x = b[p++];
      hi |= (x & 0x7f) << shift;
      if (x < 0x80) return this.set(p, lo, hi);
    }
    throw new ExampleError('a varint is longer than 10 bytes');
  }

  private set(p: number, lo: number, hi: number): void {
    this.p = p;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** A tag or a length: an unsigned varint that must fit in 31 bits. */
  small(end: number, what: string): number {
    this.varint(end);
    if (this.hi !== 0 || this.lo > 0x7fffffff) throw new ExampleError(`${what} is out of range`);
    return this.lo;
  }

  /** The end of a length-delimited field starting here, checked against `end`. */
  delimited(end: number): number {
    const len = this.small(end, 'a length');
    if (len > end - this.p)
      throw new ExampleError(`a field declares ${len} bytes, only ${end - this.p} are left in its message`);
    return this.p + len;
  }

  /** Skips a field of wire type `wire`. */
  skip(wire: number, end: number): void {
    if (wire === 0) this.varint(end);
    else if (wire === 2) this.p = this.delimited(end);
    else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (end - this.p < size) throw new ExampleError('a fixed-size field runs past the end of its message');
      this.p += size;
    } else throw new ExampleError(`wire type ${wire} (a group or no type at all) is not in tf.Example`);
  }

  /** The int64 just read by `varint`, as the nearest double (exact up to 2^53). */
  int64(): number {
    return (this.hi | 0) * 4294967296 + this.lo;
  }
}

/**
 * Every feature's occurrences: per occurrence the record (from 0), the list's range in the
 * file, its value count and its kind, five int32s in a row.
 */
class FeatureEntries {
  data = new Int32Array(40);
  length = 0;
  constructor(
    readonly name: string,
    readonly keyBytes: Uint8Array,
  ) {}

  add(record: number, start: number, end: number, count: number, kind: number): void {
    let at = this.length;
    // A key repeated in one record: the last one holds (protobuf's map semantics).
    if (at > 0 && this.data[at - 5] === record) at -= 5;
    else if (at + 5 > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const d = this.data;
    d[at] = record;
    d[at + 1] = start;
    d[at + 2] = end;
    d[at + 3] = count;
    d[at + 4] = kind;
    this.length = at + 5;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Collects the features of a run of records (one pass over their protobuf, values counted, not decoded). */
class Scan {
  readonly features: FeatureEntries[] = [];
  private readonly byName = new Map<string, FeatureEntries>();
  /** The feature met at each position of the previous record's map, to skip decoding keys that repeat. */
  private readonly lastAt: (FeatureEntries | undefined)[] = [];
  private readonly pb: Pb;
  records = 0;

  constructor(readonly bytes: Uint8Array) {
    this.pb = new Pb(bytes);
  }

  /** Adds the record at `[start, end)`. */
  add(start: number, end: number): void {
    const r = this.records++;
    const pb = this.pb;
    pb.p = start;
    let slot = 0;
    while (pb.p < end) {
      const tag = pb.small(end, 'a field tag');
      if (tag === ((1 << 3) | 2)) {
        const fEnd = pb.delimited(end);
        while (pb.p < fEnd) {
          const t = pb.small(fEnd, 'a field tag');
          if (t === ((1 << 3) | 2)) {
            const eEnd = pb.delimited(fEnd);
            this.entry(r, eEnd, slot++);
          } else pb.skip(t & 7, fEnd);
        }
      } else pb.skip(tag & 7, end);
    }
  }

  /** One map entry of `Features`: a key (field 1) and a `Feature` (field 2). */
  private entry(record: number, end: number, slot: number): void {
    const pb = this.pb;
    let keyStart = 0;
    let keyEnd = 0;
    let kind = 0;
    let listStart = 0;
    let listEnd = 0;
    let seen = 0;
    while (pb.p < end) {
      const tag = pb.small(end, 'a field tag');
      if (tag === ((1 << 3) | 2) || tag === ((2 << 3) | 2)) {
        // Protobuf would merge a second key or Feature into the first; TensorFlow never writes one, and a
        // merge (lists concatenated) is not worth guessing at: refused.
        const bit = tag >>> 3;
        if (seen & bit) throw new ExampleError(`a feature map entry sets its ${bit === 1 ? 'name' : 'Feature'} twice`);
        seen |= bit;
      }
      if (tag === ((1 << 3) | 2)) {
        keyEnd = pb.delimited(end);
        keyStart = pb.p;
        pb.p = keyEnd;
      } else if (tag === ((2 << 3) | 2)) {
        const vEnd = pb.delimited(end);
        let lists = 0;
        while (pb.p < vEnd) {
          const t = pb.small(vEnd, 'a field tag');
          const field = t >>> 3;
          if ((t & 7) === 2 && field >= BYTES && field <= INTS) {
            if (lists & (1 << field))
              throw new ExampleError(`a Feature sets its ${KIND_NAME[field]} twice (protobuf would merge them)`);
            lists |= 1 << field;
            // A oneof: the last kind present holds.
            listEnd = pb.delimited(vEnd);
            listStart = pb.p;
            kind = field;
            pb.p = listEnd;
          } else pb.skip(t & 7, vEnd);
        }
      } else pb.skip(tag & 7, end);
    }
    const feature = this.feature(keyStart, keyEnd, slot);
    const count = kind === 0 ? 0 : walkList(pb, kind, listStart, listEnd);
    feature.add(record, listStart, listEnd, count, kind);
    pb.p = end;
  }

  private feature(start: number, end: number, slot: number): FeatureEntries {
    const b = this.bytes;
    const guess = this.lastAt[slot];
    if (guess && guess.keyBytes.length === end - start) {
      const k = guess.keyBytes;
      let same = true;
      for (let i = 0; i < k.length; i++) {
        if (k[i] !== b[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return guess;
    }
    let name: string;
    try {
      name = strictUtf8.decode(b.subarray(start, end));
    } catch {
      throw new ExampleError('a feature name is not UTF-8 text (protobuf strings must be)');
    }
    let f = this.byName.get(name);
    if (!f) {
      if (this.features.length === MAX_FEATURES) {
        throw new ExampleError(
          `it adds a ${MAX_FEATURES + 1}th distinct feature name ("${name.slice(0, 40)}"); a table needs records ` +
            `that share their feature names, and at most ${MAX_FEATURES} of them`,
        );
      }
      f = new FeatureEntries(name, b.slice(start, end));
      this.byName.set(name, f);
      this.features.push(f);
    }
    this.lastAt[slot] = f;
    return f;
  }
}

/**
 * Walks a list message (packed and unpacked numbers both, as protobuf requires) and returns its
 * number of values. With `put`, each number is also decoded and handed over in order; without,
 * packed runs are only counted (floats by their length, varints by their last bytes), which is
 * what the first pass over every record needs.
 */
function walkList(pb: Pb, kind: number, start: number, end: number, put?: (j: number, v: number) => void): number {
  const b = pb.b;
  const view = put && kind === FLOATS ? new DataView(b.buffer, b.byteOffset, b.byteLength) : null;
  let n = 0;
  pb.p = start;
  while (pb.p < end) {
    const tag = pb.small(end, 'a field tag');
    const wire = tag & 7;
    if (tag >>> 3 !== 1) {
      pb.skip(wire, end);
      continue;
    }
    if (kind === BYTES) {
      if (wire !== 2) throw new ExampleError('a bytes_list value is not length-delimited');
      pb.p = pb.delimited(end);
      n++;
    } else if (wire === 2) {
      const e = pb.delimited(end);
      if (kind === FLOATS) {
        if ((e - pb.p) % 4 !== 0)
          throw new ExampleError(`a packed float_list holds ${e - pb.p} bytes, not a multiple of 4`);
        if (view) for (let i = pb.p; i < e; i += 4) put!(n++, view.getFloat32(i, true));
        else n += (e - pb.p) / 4;
      } else if (put) {
        while (pb.p < e) {
          pb.varint(e);
          put(n++, pb.int64());
        }
      } else {
        for (let i = pb.p; i < e; i++) if (b[i] < 0x80) n++;
        if (e > pb.p && b[e - 1] >= 0x80) throw new ExampleError('a packed int64_list ends inside a varint');
      }
      pb.p = e;
    } else if (kind === FLOATS && wire === 5) {
      if (end - pb.p < 4) throw new ExampleError('a fixed-size field runs past the end of its message');
      if (view) put!(n, view.getFloat32(pb.p, true));
      pb.p += 4;
      n++;
    } else if (kind === INTS && wire === 0) {
      pb.varint(end);
      if (put) put(n, pb.int64());
      n++;
    } else throw new ExampleError(`a ${KIND_NAME[kind]} value has wire type ${wire}`);
  }
  return n;
}

/** The value ranges of a bytes_list, in order. */
function eachBytes(pb: Pb, start: number, end: number, put: (s: number, e: number) => void): void {
  pb.p = start;
  while (pb.p < end) {
    const tag = pb.small(end, 'a field tag');
    if (tag >>> 3 !== 1) {
      pb.skip(tag & 7, end);
      continue;
    }
    const e = pb.delimited(end);
    put(pb.p, e);
    pb.p = e;
  }
}

/** How a feature becomes columns, decided over the records that fix the layout. */
export interface FeatureLayout {
  readonly name: string;
  readonly kind: typeof BYTES | typeof FLOATS | typeof INTS;
  /** Values per record: 1, or L for numbered columns. */
  readonly width: number;
  /** For bytes: text, or hashed buckets (a value is not UTF-8). */
  readonly buckets: boolean;
}

/** The layout of the features of a scan, and the features it leaves out with their reasons. */
function layoutOf(scan: Scan): { layout: FeatureLayout[]; skipped: SkippedColumn[] } {
  const layout: FeatureLayout[] = [];
  const skipped: SkippedColumn[] = [];
  const taken = new Set<string>();
  for (const f of scan.features) {
    const d = f.data;
    let kind = 0;
    let firstKindAt = -1;
    let mixed = '';
    let min = Infinity;
    let max = 0;
    for (let at = 0; at < f.length; at += 5) {
      const count = d[at + 3];
      const k = d[at + 4];
      if (count === 0) continue;
      if (kind === 0) {
        kind = k;
        firstKindAt = d[at];
      } else if (k !== kind && (k === BYTES || kind === BYTES) && !mixed) {
        mixed = `${KIND_NAME[kind]} in record ${firstKindAt + 1}, ${KIND_NAME[k]} in record ${d[at] + 1}`;
      }
      if (count < min) min = count;
      if (count > max) max = count;
    }
    const type = kind === 0 ? 'feature' : KIND_NAME[kind];
    const skip = (reason: string) => skipped.push({ name: f.name, type, reason });
    if (mixed) {
      skip(`its kind changes between records (${mixed})`);
      continue;
    }
    if (f.name === '') {
      skip('its name is empty (a map entry without a key): a column needs a name');
      continue;
    }
    if (kind === 0) {
      skip('no record holds a value for it');
      continue;
    }
    if (min !== max) {
      skip(
        `its lists vary in length (${min} to ${max} values per record); a column needs one value, or the same number, in every record`,
      );
      continue;
    }
    if (max > 1 && kind === BYTES) {
      skip(`it holds ${max} strings per record; lists become numbered columns only when they hold numbers`);
      continue;
    }
    if (max > MAX_LIST_COLUMNS) {
      skip(`a list of ${max} values per record would make more than ${MAX_LIST_COLUMNS} columns`);
      continue;
    }
    const names = max === 1 ? [f.name] : Array.from({ length: max }, (_, j) => `${f.name}.${j}`);
    if (names.some((n) => taken.has(n))) {
      skip('its column name repeats another feature’s');
      continue;
    }
    for (const n of names) taken.add(n);
    layout.push({
      name: f.name,
      kind: kind as FeatureLayout['kind'],
      width: max,
      buckets: kind === BYTES && !allUtf8(scan, f),
    });
  }
  return { layout, skipped };
}

/** Whether every value of a bytes feature is UTF-8 text (checked once per distinct value). */
function allUtf8(scan: Scan, f: FeatureEntries): boolean {
  const interner = new ByteInterner();
  const pb = new Pb(scan.bytes);
  const b = scan.bytes;
  let ok = true;
  for (let at = 0; at < f.length && ok; at += 5) {
    if (f.data[at + 4] !== BYTES) continue;
    eachBytes(pb, f.data[at + 1], f.data[at + 2], (s, e) => {
      const before = interner.size;
      interner.intern(b, s, e - s);
      if (interner.size > before && ok) {
        try {
          strictUtf8.decode(b.subarray(s, e));
        } catch {
          ok = false;
        }
      }
    });
  }
  return ok;
}

/** Builds a feature's columns over the scan's records (`rows` of them) by its layout. */
function columnsOf(scan: Scan, f: FeatureEntries | undefined, l: FeatureLayout, rows: number, first: number): Column[] {
  const pb = new Pb(scan.bytes);
  const entries = f ? f.data : new Int32Array(0);
  const length = f ? f.length : 0;
  const width = l.width;
  const present = new Uint8Array(rows);
  const check = (at: number) => {
    const count = entries[at + 3];
    if (count === 0) return false;
    const kind = entries[at + 4];
    // Numbers of either kind fit a numeric layout (a later chunk may bring ints where the first had floats).
    if ((kind === BYTES) !== (l.kind === BYTES) || count !== width) {
      throw new DataError(
        `record ${first + entries[at] + 1}: feature "${l.name}" holds ${counted(count, `${KIND_NAME[kind]} value`)}; the ` +
          `records read first hold ${counted(width, `${KIND_NAME[l.kind]} value`)} per record`,
      );
    }
    present[entries[at]] = 1;
    return true;
  };
  const finishValid = () => {
    for (let r = 0; r < rows; r++) if (!present[r]) return present;
    return null;
  };
  if (l.kind === BYTES) {
    const codes = new Int32Array(rows).fill(-1);
    const dict = l.buckets ? new ByteBuckets() : new ByteInterner();
    const b = scan.bytes;
    for (let at = 0; at < length; at += 5) {
      if (!check(at)) continue;
      const r = entries[at];
      eachBytes(pb, entries[at + 1], entries[at + 2], (s, e) => {
        codes[r] = dict.intern(b, s, e - s);
      });
    }
    const col: Column = {
      kind: 'categorical',
      name: l.name,
      type: 'categorical',
      codes,
      dictionary: dict.strings(),
      ...(l.buckets ? { bytes: true as const } : {}),
    };
    return [col];
  }
  // The kinds these records hold (a streamed chunk may differ from the layout's first records): floats alone stay
  // float32, ints alone become an int column, both a float column of doubles.
  let kinds = 0;
  for (let at = 0; at < length; at += 5) if (entries[at + 3] > 0) kinds |= 1 << entries[at + 4];
  if (kinds === 0) kinds = 1 << l.kind;
  const floats = (kinds & (1 << FLOATS)) !== 0;
  const cols = Array.from({ length: width }, () =>
    kinds === 1 << FLOATS ? new Float32Array(rows) : new Float64Array(rows),
  );
  let fitsInt32 = true;
  const beyondDoubles = new Uint8Array(width);
  for (let at = 0; at < length; at += 5) {
    if (!check(at)) continue;
    const r = entries[at];
    walkList(pb, entries[at + 4], entries[at + 1], entries[at + 2], (j, v) => {
      cols[j][r] = v;
      if (v !== (v | 0)) fitsInt32 = false;
      if (v > Number.MAX_SAFE_INTEGER || v < -Number.MAX_SAFE_INTEGER) beyondDoubles[j] = 1;
    });
  }
  const valid = finishValid();
  // An int64 column holding an integer beyond 2^53 - 1 (an ID) keeps every value's exact
  // decimal text, as the other readers do: the nearest doubles would merge neighbours.
  const exact = floats ? [] : int64Text(pb, entries, length, beyondDoubles, rows, present);
  return cols.map((values, j): Column => {
    const name = width === 1 ? l.name : `${l.name}.${j}`;
    if (floats) return { kind: 'numeric', name, type: 'float', values, valid };
    const text = exact[j];
    if (text) return { kind: 'categorical', name, type: 'categorical', codes: text.codes, dictionary: text.dictionary };
    return { kind: 'numeric', name, type: 'int', values: fitsInt32 ? new Int32Array(values) : values, valid };
  });
}

/**
 * The exact decimal text of the int64 list positions flagged in `which` (codes and dictionary
 * per position; absent rows -1), read again from the varints' two 32-bit halves.
 */
function int64Text(
  pb: Pb,
  entries: Int32Array,
  length: number,
  which: Uint8Array,
  rows: number,
  present: Uint8Array,
): ({ codes: Int32Array; dictionary: string[] } | undefined)[] {
  const out: ({ codes: Int32Array; dictionary: string[] } | undefined)[] = [];
  if (!which.includes(1)) return out;
  const dicts = new Map<number, { codes: Int32Array; index: Map<string, number>; dictionary: string[] }>();
  which.forEach((flag, j) => {
    if (flag) dicts.set(j, { codes: new Int32Array(rows).fill(-1), index: new Map(), dictionary: [] });
  });
  for (let at = 0; at < length; at += 5) {
    const r = entries[at];
    if (entries[at + 3] === 0 || !present[r]) continue;
    walkList(pb, entries[at + 4], entries[at + 1], entries[at + 2], (j) => {
      const d = dicts.get(j);
      if (!d) return;
      // walkList has just read this value's varint: its halves are still in the reader.
      const text = ((BigInt(pb.hi | 0) << 32n) + BigInt(pb.lo >>> 0)).toString();
      let code = d.index.get(text);
      if (code === undefined) {
        code = d.dictionary.length;
        d.index.set(text, code);
        d.dictionary.push(text);
      }
      d.codes[r] = code;
    });
  }
  for (const [j, d] of dicts) out[j] = { codes: d.codes, dictionary: d.dictionary };
  return out;
}

/** The table of a scan by a layout; `first` is the number of records before the scan's (for messages). */
function tableOf(
  scan: Scan,
  layout: readonly FeatureLayout[],
  skipped: readonly SkippedColumn[],
  fileName: string,
  first: number,
): DataTable {
  const byName = new Map(scan.features.map((f) => [f.name, f]));
  const columns: Column[] = [];
  try {
    for (const l of layout) columns.push(...columnsOf(scan, byName.get(l.name), l, scan.records, first));
  } catch (e) {
    if (e instanceof DataError) throw new DataError(`${fileName}: ${e.message}`);
    throw e;
  }
  return { name: fileName, format: 'tfrecord', rows: scan.records, columns, ...(skipped.length ? { skipped } : {}) };
}

/** Scans the records of `frames` until `stop` says so (or the file ends). */
function scanRecords(bytes: Uint8Array, frames: Frames, fileName: string, stop: (scan: Scan) => boolean): Scan {
  const scan = new Scan(bytes);
  while (!stop(scan) && frames.next()) {
    try {
      scan.add(frames.start, frames.end);
    } catch (e) {
      if (e instanceof ExampleError)
        throw new DataError(
          `${fileName}: record ${frames.n} (at byte ${frames.start - 12}) is not a tf.Example: ${e.message}`,
        );
      throw e;
    }
  }
  return scan;
}

/** Reads a TFRecord file (plain or gzip) of `tf.Example` records into a DataTable. */
export function readTfRecord(input: Uint8Array, fileName: string): DataTable {
  const bytes = plainFraming(input, fileName);
  const scan = scanRecords(bytes, new Frames(bytes, fileName), fileName, () => false);
  if (scan.records === 0) throw new DataError(`${fileName}: the file holds no records`);
  const { layout, skipped } = layoutOf(scan);
  if (layout.length === 0) {
    const why = skipped.length
      ? skipped.map((s) => `"${s.name}": ${s.reason}`).join('; ')
      : 'its records hold no features';
    throw new DataError(`${fileName}: no feature of the records can be a column (${why})`);
  }
  checkCells(scan, layout, bytes.length, fileName);
  return tableOf(scan, layout, skipped, fileName, 0);
}

/**
 * Refuses a table that would far outgrow its file: features present in a few records each
 * still cost a column over every record (the JSON reader's rule, `limits.ts`).
 */
function checkCells(scan: Scan, layout: readonly FeatureLayout[], size: number, fileName: string): void {
  const cells = scan.records * layout.reduce((n, l) => n + l.width, 0);
  const limit = Math.max(JSON_MIN_CELL_LIMIT, size * JSON_CELLS_PER_BYTE);
  if (cells > limit) {
    throw new DataError(
      `${fileName}: its ${scan.records} records and ${layout.length} features would make a table of ${cells} cells, ` +
        `more than ${limit} for a file of ${size} bytes: most features are missing from most records`,
    );
  }
}

/**
 * The records of a TFRecord file as tables of up to `chunkBytes` of record data each, for
 * streaming: the first chunk fixes the columns (its layout), later chunks give the same
 * columns (a feature absent from a chunk is missing there; one that changes its kind or
 * length is refused with its record number).
 */
export function* readTfRecordChunks(input: Uint8Array, fileName: string, chunkBytes = 8 << 20): Generator<DataTable> {
  const bytes = plainFraming(input, fileName);
  const frames = new Frames(bytes, fileName);
  let fixed: { layout: FeatureLayout[]; skipped: SkippedColumn[] } | null = null;
  let before = 0;
  for (;;) {
    const from = frames.end;
    const scan = scanRecords(bytes, frames, fileName, (s) => s.records > 0 && frames.end - from >= chunkBytes);
    if (scan.records === 0) {
      if (!fixed) throw new DataError(`${fileName}: the file holds no records`);
      return;
    }
    if (!fixed) {
      fixed = layoutOf(scan);
      if (fixed.layout.length === 0)
        throw new DataError(`${fileName}: no feature of the first records can be a column`);
    }
    checkCells(scan, fixed.layout, frames.end - from, fileName);
    yield tableOf(scan, fixed.layout, fixed.skipped, fileName, before);
    before += scan.records;
  }
}
