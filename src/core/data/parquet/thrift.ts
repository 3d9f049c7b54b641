/**
 * A reader for the Thrift compact protocol, which Parquet uses for its footer and page
 * headers. Structs are read generically into a map from field id to value; `metadata.ts` and
 * `page-header.ts` give them names. Every length is checked against the buffer, and nesting
 * is limited, so that garbage input fails fast instead of hanging or overflowing the stack.
 */
import { fail } from './errors';

/** A decoded Thrift value: integers become numbers (64-bit ones lose precision above 2^53). */
export type ThriftValue = number | boolean | Uint8Array | ThriftValue[] | ThriftStruct;

/** A decoded struct: field id to value. Absent optional fields are absent keys. */
export interface ThriftStruct {
  [fieldId: number]: ThriftValue | undefined;
}

const enum CT {
  Stop = 0,
  True = 1,
  False = 2,
  Byte = 3,
  I16 = 4,
  I32 = 5,
  I64 = 6,
  Double = 7,
  Binary = 8,
  List = 9,
  Set = 10,
  Map = 11,
  Struct = 12,
}

const MAX_DEPTH = 32;

/** A cursor over a byte range holding compact-protocol data. */
export class ThriftReader {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
    readonly what: string,
  ) {
    this.pos = start;
  }

  private truncated(): never {
    return fail(`${this.what} is truncated or corrupt (its Thrift data runs past the end of its bytes)`);
  }

  private byte(): number {
    if (this.pos >= this.end) this.truncated();
    return this.bytes[this.pos++];
  }

  /** Unsigned varint as a number (exact up to 2^53). */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    return fail(`${this.what} is corrupt (a Thrift varint is longer than 10 bytes)`);
  }

  /** Zigzag-decoded varint. */
  zigzag(): number {
    // The sign is the lowest bit, which float64 loses above 2^53: take it from the first byte.
    const negative = this.pos < this.end && (this.bytes[this.pos] & 1) === 1;
    const n = this.varint();
    return negative ? -(n + 1) / 2 : n / 2;
  }

  private binary(): Uint8Array {
    const len = this.varint();
    if (len > this.end - this.pos) this.truncated();
    const out = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  private value(type: number, depth: number): ThriftValue {
    switch (type) {
      case CT.True:
        return true;
      case CT.False:
        return false;
      case CT.Byte: {
        const b = this.byte();
        return b > 127 ? b - 256 : b;
      }
      case CT.I16:
      case CT.I32:
      case CT.I64:
        return this.zigzag();
      case CT.Double: {
        if (this.end - this.pos < 8) this.truncated();
        const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getFloat64(0, true);
        this.pos += 8;
        return v;
      }
      case CT.Binary:
        return this.binary();
      case CT.List:
      case CT.Set:
        return this.list(depth);
      case CT.Map:
        return this.map(depth);
      case CT.Struct:
        return this.struct(depth + 1);
      default:
        return fail(`${this.what} is corrupt (unknown Thrift type ${type})`);
    }
  }

  private list(depth: number): ThriftValue[] {
    const header = this.byte();
    let size = header >> 4;
    const elemType = header & 0x0f;
    if (size === 15) size = this.varint();
    // Every element takes at least one byte, except booleans packed... which also take one.
    if (size > this.end - this.pos) this.truncated();
    const out: ThriftValue[] = new Array<ThriftValue>(size);
    for (let i = 0; i < size; i++) {
      if (elemType === CT.True || elemType === CT.False) out[i] = this.byte() === 1;
      else out[i] = this.value(elemType, depth + 1);
    }
    return out;
  }

  private map(depth: number): ThriftValue[] {
    const size = this.varint();
    if (size === 0) return [];
    if (size * 2 > this.end - this.pos) this.truncated();
    const types = this.byte();
    const out: ThriftValue[] = [];
    for (let i = 0; i < size; i++) {
      out.push(this.value(types >> 4, depth + 1), this.value(types & 0x0f, depth + 1));
    }
    return out;
  }

  /** Reads one struct (up to its STOP field). */
  struct(depth = 0): ThriftStruct {
    if (depth > MAX_DEPTH) fail(`${this.what} is corrupt (Thrift structs nested more than ${MAX_DEPTH} deep)`);
    const out: ThriftStruct = {};
    let lastId = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === CT.Stop) return out;
      const delta = header >> 4;
      const id = delta === 0 ? this.zigzag() : lastId + delta;
      lastId = id;
      out[id] = this.value(type, depth);
    }
  }
}

/** Reads one struct starting at `start`; returns it with the offset just past it. */
export function readStruct(
  bytes: Uint8Array,
  start: number,
  end: number,
  what: string,
): { struct: ThriftStruct; end: number } {
  const r = new ThriftReader(bytes, start, end, what);
  const struct = r.struct();
  return { struct, end: r.pos };
}

// Typed accessors: they check the type of a field and name it in the error.

/** An integer field, or `undefined` when absent. */
export function optInt(s: ThriftStruct, id: number, what: string): number | undefined {
  const v = s[id];
  if (v === undefined) return undefined;
  if (typeof v !== 'number') fail(`${what} is corrupt (field ${id} should be an integer)`);
  return v;
}

/** A required integer field. */
export function reqInt(s: ThriftStruct, id: number, what: string): number {
  const v = optInt(s, id, what);
  if (v === undefined) fail(`${what} is corrupt (required field ${id} is missing)`);
  return v;
}

/** A boolean field, or `undefined` when absent. */
export function optBool(s: ThriftStruct, id: number, what: string): boolean | undefined {
  const v = s[id];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(`${what} is corrupt (field ${id} should be a boolean)`);
  return v;
}

/** A binary field, or `undefined` when absent. */
export function optBinary(s: ThriftStruct, id: number, what: string): Uint8Array | undefined {
  const v = s[id];
  if (v === undefined) return undefined;
  if (!(v instanceof Uint8Array)) fail(`${what} is corrupt (field ${id} should be binary)`);
  return v;
}

/** A struct field, or `undefined` when absent. */
export function optStruct(s: ThriftStruct, id: number, what: string): ThriftStruct | undefined {
  const v = s[id];
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v instanceof Uint8Array || Array.isArray(v))
    fail(`${what} is corrupt (field ${id} should be a struct)`);
  return v;
}

/** A list field, or `undefined` when absent. */
export function optList(s: ThriftStruct, id: number, what: string): ThriftValue[] | undefined {
  const v = s[id];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) fail(`${what} is corrupt (field ${id} should be a list)`);
  return v;
}

/** Checks that a list element is a struct. */
export function asStruct(v: ThriftValue, what: string): ThriftStruct {
  if (typeof v !== 'object' || v instanceof Uint8Array || Array.isArray(v))
    fail(`${what} is corrupt (expected a struct)`);
  return v;
}

const utf8 = new TextDecoder();

/** A binary field decoded as UTF-8 text. */
export function optString(s: ThriftStruct, id: number, what: string): string | undefined {
  const b = optBinary(s, id, what);
  if (b === undefined) return undefined;
  // Browsers' TextDecoder refuses views of a SharedArrayBuffer: copy those first.
  return utf8.decode(b.buffer instanceof ArrayBuffer ? b : b.slice());
}
