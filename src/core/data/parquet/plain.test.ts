// Value conversions that no test writer produces: INT96 timestamps, unsigned 64-bit, wide decimals.
import { describe, expect, it } from 'vitest';
import { bigEndianSigned, decodePlainFixed } from './plain';

function int96(ms: number): Uint8Array {
  const day = Math.floor(ms / 86400000);
  const nanos = BigInt(ms - day * 86400000) * 1000000n;
  const b = new Uint8Array(12);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, nanos, true);
  dv.setInt32(8, day + 2440588, true);
  return b;
}

describe('PLAIN conversions', () => {
  it('INT96 timestamps to milliseconds since the epoch', () => {
    const ms = [0, 1700000000123, -86400000 * 365 + 5, 86399999];
    const bytes = new Uint8Array(12 * ms.length + 1).fill(0xee);
    ms.forEach((m, i) => bytes.set(int96(m), 1 + 12 * i)); // unaligned on purpose
    const out = new Float64Array(ms.length);
    expect(decodePlainFixed({ kind: 'int96' }, 12, bytes, 1, bytes.length, ms.length, out, 0)).toBe(true);
    expect(Array.from(out)).toEqual(ms);
  });

  it('UINT64 above 2^63 and INT64 to Int32Array only when it fits', () => {
    const bytes = new Uint8Array(16);
    const dv = new DataView(bytes.buffer);
    dv.setBigUint64(0, 2n ** 63n + 2048n, true);
    dv.setBigInt64(8, -5n, true);
    const u = new Float64Array(2);
    decodePlainFixed({ kind: 'uint64' }, 8, bytes, 0, 16, 2, u, 0);
    expect(u[0]).toBe(2 ** 63 + 2048);
    expect(u[1]).toBe(2 ** 64 - 5);
    const i = new Int32Array(2);
    expect(decodePlainFixed({ kind: 'int64' }, 8, bytes, 8, 16, 1, i, 0)).toBe(true);
    expect(i[0]).toBe(-5);
    expect(decodePlainFixed({ kind: 'int64' }, 8, bytes, 0, 16, 1, i, 0)).toBe(false);
  });

  it("big-endian two's complement decimals keep their precision when negative", () => {
    const neg = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe); // -2 in 12 bytes
    expect(bigEndianSigned(neg, 0, 12)).toBe(-2);
    expect(bigEndianSigned(Uint8Array.of(0x80, 0, 0, 0), 0, 4)).toBe(-(2 ** 31));
    expect(bigEndianSigned(Uint8Array.of(0x7f, 0xff), 0, 2)).toBe(32767);
  });
});
