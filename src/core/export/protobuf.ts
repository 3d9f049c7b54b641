/**
 * A minimal protocol-buffers writer (proto3 wire format: varints, length-delimited fields, and
 * 32-bit floats), enough to write an ONNX model without a protobuf library. Messages are built
 * bottom-up: a message is its fields' bytes, and a nested message is written as a
 * length-delimited field holding them.
 */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  /** A varint of a non-negative integer (up to 2^53) or a negative one (two's complement over 64 bits). */
  private varint(v: number): void {
    const out: number[] = [];
    if (v < 0) {
      let n = BigInt.asUintN(64, BigInt(v));
      while (n >= 0x80n) {
        out.push(Number(n & 0x7fn) | 0x80);
        n >>= 7n;
      }
      out.push(Number(n));
    } else {
      let n = v;
      while (n >= 0x80) {
        out.push((n % 0x80) | 0x80);
        n = Math.floor(n / 0x80);
      }
      out.push(n);
    }
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: 0 | 2 | 5): void {
    this.varint(field * 8 + wire);
  }

  /** An int32 / int64 / enum field. */
  int(field: number, v: number): this {
    if (!Number.isSafeInteger(v)) throw new Error(`protobuf: ${v} is not an integer`);
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  /** A float field (wire type 5, little-endian). */
  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
