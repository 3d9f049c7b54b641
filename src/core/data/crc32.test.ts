import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, crc32c } from './crc32';
import { Rng } from './rng';

/** The textbook bit-at-a-time reflected CRC (CRC-32 by default), an independent reference. */
function bitwise(bytes: Uint8Array, poly = 0xedb88320): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Node's zlib.crc32 where this Node has it (20.15 and later). */
const nodeCrc = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

describe('crc32', () => {
  it('gives the standard check value and the empty CRC', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('matches a bitwise reference and zlib on seeded random data of every length and alignment', () => {
    const rng = new Rng(5);
    const data = Uint8Array.from({ length: 5000 }, () => rng.int(256));
    for (let trial = 0; trial < 400; trial++) {
      const start = rng.int(64);
      const len = trial < 40 ? trial : rng.int(data.length - start);
      const piece = data.subarray(start, start + len);
      const want = bitwise(piece);
      expect(crc32(piece), `length ${len} at ${start}`).toBe(want);
      expect(crc32(data, 0, start, start + len)).toBe(want);
      if (nodeCrc) expect(nodeCrc(piece)).toBe(want);
    }
  });

  it('continues over pieces like one pass', () => {
    const rng = new Rng(6);
    const data = Uint8Array.from({ length: 10_000 }, () => rng.int(256));
    const whole = crc32(data);
    for (const cut of [0, 1, 7, 8, 9, 4999, 10_000])
      expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut)))).toBe(whole);
    if (nodeCrc) expect(nodeCrc(data)).toBe(whole);
  });

  it('reads views at any offset of a SharedArrayBuffer (the decode workers share the file)', () => {
    const rng = new Rng(7);
    const shared = new Uint8Array(new SharedArrayBuffer(4099));
    for (let i = 0; i < shared.length; i++) shared[i] = rng.int(256);
    for (const at of [0, 1, 2, 3, 5])
      expect(crc32(shared.subarray(at, at + 4000))).toBe(bitwise(shared.slice(at, at + 4000)));
  });

  describe('crc32c (Castagnoli, as TFRecord frames use it)', () => {
    it("gives RFC 3720's check values (appendix B.4) and the standard check value", () => {
      const bytes = (f: (i: number) => number, n = 32) => Uint8Array.from({ length: n }, (_, i) => f(i));
      expect(crc32c(bytes(() => 0))).toBe(0x8a9136aa);
      expect(crc32c(bytes(() => 0xff))).toBe(0x62a8ab43);
      expect(crc32c(bytes((i) => i))).toBe(0x46dd794e);
      expect(crc32c(bytes((i) => 31 - i))).toBe(0x113fdb5c);
      // The iSCSI read command PDU of the RFC's example.
      const pdu = new Uint8Array(48);
      pdu.set([0x01, 0xc0], 0);
      for (const [at, b] of [
        [16, 0x14],
        [22, 0x04],
        [27, 0x14],
        [31, 0x18],
        [32, 0x28],
        [40, 0x02],
      ])
        pdu[at] = b;
      expect(crc32c(pdu)).toBe(0xd9963a56);
      expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    });

    it('matches a bitwise reference on seeded random data, and continues over pieces', () => {
      const rng = new Rng(8);
      const data = Uint8Array.from({ length: 3000 }, () => rng.int(256));
      for (let trial = 0; trial < 200; trial++) {
        const start = rng.int(64);
        const len = trial < 40 ? trial : rng.int(data.length - start);
        expect(crc32c(data, 0, start, start + len), `length ${len} at ${start}`).toBe(
          bitwise(data.subarray(start, start + len), 0x82f63b78),
        );
      }
      const cut = 1234;
      expect(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut)))).toBe(crc32c(data));
    });
  });
});
