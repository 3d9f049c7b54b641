/**
 * Snappy block decompression (raw format, as Parquet stores it), written straight into an
 * output buffer of the known size. Every length and offset is checked.
 */
import { copyLiterals } from './copy';
import { fail } from './errors';

/** Decompresses `input` into `output`, which must have exactly the uncompressed size. */
export function snappyDecompress(input: Uint8Array, output: Uint8Array): void {
  const inLen = input.length;
  let ip = 0;
  // Preamble: uncompressed length as a varint.
  let expected = 0;
  for (let shift = 0; ; shift += 7) {
    if (ip >= inLen || shift > 28) fail('snappy: corrupt length preamble');
    const b = input[ip++];
    expected += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (expected !== output.length) fail(`snappy: ${expected} bytes announced, ${output.length} expected`);
  let op = 0;
  const outLen = output.length;
  while (ip < inLen) {
    const tag = input[ip++];
    const type = tag & 3;
    if (type === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (ip + extra > inLen) fail('snappy: truncated literal length');
        len = input[ip];
        if (extra > 1) len |= input[ip + 1] << 8;
        if (extra > 2) len |= input[ip + 2] << 16;
        if (extra > 3) len = (len | (input[ip + 3] << 24)) >>> 0;
        ip += extra;
      }
      len += 1;
      if (ip + len > inLen || op + len > outLen) fail('snappy: literal runs past the end');
      copyLiterals(output, op, input, ip, len);
      ip += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (type === 1) {
      if (ip >= inLen) fail('snappy: truncated copy');
      len = 4 + ((tag >>> 2) & 7);
      offset = ((tag >>> 5) << 8) | input[ip++];
    } else if (type === 2) {
      if (ip + 2 > inLen) fail('snappy: truncated copy');
      len = 1 + (tag >>> 2);
      offset = input[ip] | (input[ip + 1] << 8);
      ip += 2;
    } else {
      if (ip + 4 > inLen) fail('snappy: truncated copy');
      len = 1 + (tag >>> 2);
      offset = (input[ip] | (input[ip + 1] << 8) | (input[ip + 2] << 16) | (input[ip + 3] << 24)) >>> 0;
      ip += 4;
    }
    if (offset === 0 || offset > op || op + len > outLen) fail('snappy: copy outside the output');
    if (offset >= len && len > 32) {
      output.copyWithin(op, op - offset, op - offset + len);
    } else {
      for (let i = 0; i < len; i++) output[op + i] = output[op - offset + i];
    }
    op += len;
  }
  if (op !== outLen) fail(`snappy: decompressed ${op} bytes, ${outLen} expected`);
}
