/**
 * A small TFRecord writer for the tests, the fuzz campaign and the bench: tf.Example records
 * encoded field by field (packed or unpacked numbers, features in any order, repeated keys),
 * framed with their masked CRC-32C. Written from the format's description, apart from the
 * reader; the tests also read files written by a second implementation (@roboflow/tfrecords).
 */
import { crc32c } from './crc32';
import { maskCrc } from './tfrecord';

/** One feature's value: a list of strings or bytes, floats, int64s, or a Feature with no list set. */
export type FeatureValue =
  | { bytes: readonly (string | Uint8Array)[] }
  | { floats: readonly number[]; packed?: boolean }
  | { ints: readonly (number | bigint)[]; packed?: boolean }
  | { none: true };

const enc = new TextEncoder();

class Writer {
  private parts: number[] = [];
  varint(v: bigint | number): this {
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      const low = Number(x & 0x7fn);
      x >>= 7n;
      this.parts.push(x > 0n ? low | 0x80 : low);
    } while (x > 0n);
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }
  float(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    for (const x of b) this.parts.push(x);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** The protobuf of one Feature. */
export function featureBytes(v: FeatureValue): Uint8Array {
  const w = new Writer();
  if ('none' in v) return w.done();
  const list = new Writer();
  let field: number;
  if ('bytes' in v) {
    field = 1;
    for (const b of v.bytes) list.bytes(1, typeof b === 'string' ? enc.encode(b) : b);
  } else if ('floats' in v) {
    field = 2;
    if (v.packed === false) for (const x of v.floats) list.tag(1, 5).float(x);
    else {
      const p = new Writer();
      for (const x of v.floats) p.float(x);
      list.bytes(1, p.done());
    }
  } else {
    field = 3;
    if (v.packed === false) for (const x of v.ints) list.tag(1, 0).varint(x);
    else {
      const p = new Writer();
      for (const x of v.ints) p.varint(x);
      list.bytes(1, p.done());
    }
  }
  return w.bytes(field, list.done()).done();
}

/** The protobuf of a tf.Example with these features, in this order (a key may repeat). */
export function exampleBytes(features: Record<string, FeatureValue> | readonly [string, FeatureValue][]): Uint8Array {
  const map = new Writer();
  for (const [key, v] of Array.isArray(features) ? features : Object.entries(features)) {
    const entry = new Writer().bytes(1, enc.encode(key)).bytes(2, featureBytes(v)).done();
    map.bytes(1, entry);
  }
  return new Writer().bytes(1, map.done()).done();
}

/** Frames records as a TFRecord file. */
export function frameRecords(records: readonly Uint8Array[]): Uint8Array {
  const size = records.reduce((n, r) => n + r.length + 16, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let p = 0;
  for (const r of records) {
    view.setUint32(p, r.length, true);
    view.setUint32(p + 4, 0, true);
    view.setUint32(p + 8, maskCrc(crc32c(out, 0, p, p + 8)), true);
    out.set(r, p + 12);
    view.setUint32(p + 12 + r.length, maskCrc(crc32c(r)), true);
    p += r.length + 16;
  }
  return out;
}

/** Byte offsets of each record's frame in a TFRecord file. */
export function frameOffsets(file: Uint8Array): number[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const at: number[] = [];
  for (let p = 0; p + 12 <= file.length; p += view.getUint32(p, true) + 16) at.push(p);
  return at;
}
