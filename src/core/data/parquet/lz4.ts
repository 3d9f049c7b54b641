/**
 * LZ4 block decompression for Parquet's LZ4_RAW codec and the older LZ4 codec (Hadoop framing:
 * big-endian decompressed and compressed sizes before each block; a bare block as fallback).
 */
import { copyLiterals } from './copy';
import { fail } from './errors';

/** Decodes one LZ4 block from input[start, end) into output at `op`; returns the new output position. */
export function lz4Block(input: Uint8Array, start: number, end: number, output: Uint8Array, op: number): number {
  const outLen = output.length;
  let ip = start;
  while (ip < end) {
    const token = input[ip++];
    let lit = token >>> 4;
    if (lit === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= end) fail('lz4: truncated literal length');
        b = input[ip++];
        lit += b;
      }
    }
    if (ip + lit > end || op + lit > outLen) fail('lz4: literal runs past the end');
    copyLiterals(output, op, input, ip, lit);
    ip += lit;
    op += lit;
    if (ip >= end) break; // the last sequence has literals only
    if (ip + 2 > end) fail('lz4: truncated match offset');
    const offset = input[ip] | (input[ip + 1] << 8);
    ip += 2;
    if (offset === 0 || offset > op) fail('lz4: match offset outside the output');
    let len = token & 15;
    if (len === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= end) fail('lz4: truncated match length');
        b = input[ip++];
        len += b;
      }
    }
    len += 4;
    if (op + len > outLen) fail('lz4: match runs past the end');
    if (offset >= len && len > 32) {
      output.copyWithin(op, op - offset, op - offset + len);
    } else {
      for (let i = 0; i < len; i++) output[op + i] = output[op - offset + i];
    }
    op += len;
  }
  return op;
}

/** LZ4_RAW: one bare block that fills `output` exactly. */
export function lz4RawDecompress(input: Uint8Array, output: Uint8Array): void {
  const n = lz4Block(input, 0, input.length, output, 0);
  if (n !== output.length) fail(`lz4: decompressed ${n} bytes, ${output.length} expected`);
}

function readBE32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

/** Whether `input` parses as a sequence of Hadoop-framed blocks that add up to `outLen`. */
function looksHadoop(input: Uint8Array, outLen: number): boolean {
  let ip = 0;
  let total = 0;
  while (ip < input.length) {
    if (ip + 8 > input.length) return false;
    const d = readBE32(input, ip);
    const c = readBE32(input, ip + 4);
    ip += 8 + c;
    total += d;
    if (ip > input.length || total > outLen) return false;
  }
  return total === outLen;
}

/** The legacy LZ4 codec: Hadoop framing when the bytes parse as such, else a bare block. */
export function lz4HadoopDecompress(input: Uint8Array, output: Uint8Array): void {
  if (!looksHadoop(input, output.length)) {
    lz4RawDecompress(input, output);
    return;
  }
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    const d = readBE32(input, ip);
    const c = readBE32(input, ip + 4);
    ip += 8;
    const n = lz4Block(input, ip, ip + c, output, op);
    if (n - op !== d) fail(`lz4: a Hadoop block decompressed to ${n - op} bytes, ${d} expected`);
    op = n;
    ip += c;
  }
}
