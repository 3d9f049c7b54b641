/**
 * A zstd decoder (RFC 8878) that writes straight into a preallocated output buffer of the
 * known page size. Frames, raw/RLE/compressed blocks, Huffman literals, FSE sequences and
 * repeat offsets; no dictionaries. A frame's optional content checksum (the low 32 bits of
 * the XXH64 of its decompressed bytes) is verified when the frame carries one; frames without
 * it cost nothing more. Every length, offset and bit-stream position is checked, so bad input throws rather than
 * writing out of bounds or looping.
 */
import { fail } from './errors';
import { xxh64 } from './xxhash64';
import { LL_PREDEFINED, ML_PREDEFINED, OF_PREDEFINED, readFseTable, rleFseTable, type FseTable } from './zstd-fse';
import { backwardStart, decodeHuffmanLiterals, peekBits, readHuffmanTable, type HuffmanTable } from './zstd-huffman';

const MAGIC = 0xfd2fb528;
const MAX_BLOCK = 1 << 17;

const LL_BASE = Uint32Array.from([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024,
  2048, 4096, 8192, 16384, 32768, 65536,
]);
const LL_BITS = Uint8Array.from([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
]);
const ML_BASE = Uint32Array.from([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33,
  34, 35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539,
]);
const ML_BITS = Uint8Array.from([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3,
  3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
]);

/** State that lives across the blocks of one frame. */
class FrameState {
  huffman: HuffmanTable | null = null;
  ll: FseTable | null = null;
  of: FseTable | null = null;
  ml: FseTable | null = null;
  rep1 = 1;
  rep2 = 4;
  rep3 = 8;
}

/** Bits [bitPos - n, bitPos) for n up to 32 (offsets can need 31). */
function readWide(bytes: Uint8Array, base: number, bitPos: number, n: number): number {
  if (n <= 24) return peekBits(bytes, base, bitPos, n);
  const hi = peekBits(bytes, base, bitPos, n - 16);
  return hi * 65536 + peekBits(bytes, base, bitPos - (n - 16), 16);
}

/** Where decoded literals go: the tail of the output, beyond everything written so far. */
function literalSpace(out: Uint8Array, op: number, size: number): number {
  const at = out.length - size;
  if (at < op) fail('zstd: output larger than announced');
  return at;
}

/**
 * Reads the literals section at bytes[pos, end); returns [literal bytes, their start, their
 * count, next position]. Raw literals stay in the input; others are decoded into the tail of
 * `out` (the sequences then copy them forward within one buffer, and never overtake them,
 * because what remains to be written is at least the literals not yet used).
 */
function readLiterals(
  bytes: Uint8Array,
  pos: number,
  end: number,
  st: FrameState,
  out: Uint8Array,
  op: number,
): [Uint8Array, number, number, number] {
  const b0 = bytes[pos];
  const type = b0 & 3;
  const sizeFormat = (b0 >>> 2) & 3;
  if (type === 0 || type === 1) {
    let size: number;
    let p: number;
    if (sizeFormat === 0 || sizeFormat === 2) {
      size = b0 >>> 3;
      p = pos + 1;
    } else if (sizeFormat === 1) {
      size = (b0 >>> 4) + (bytes[pos + 1] << 4);
      p = pos + 2;
    } else {
      size = (b0 >>> 4) + (bytes[pos + 1] << 4) + (bytes[pos + 2] << 12);
      p = pos + 3;
    }
    if (size > MAX_BLOCK) fail('zstd: literals section too large');
    if (type === 0) {
      if (p + size > end) fail('zstd: raw literals run past the block');
      return [bytes, p, size, p + size];
    }
    if (p >= end) fail('zstd: RLE literals run past the block');
    const at = literalSpace(out, op, size);
    out.fill(bytes[p], at, at + size);
    return [out, at, size, p + 1];
  }
  // Compressed (2) or treeless (3, reusing the previous Huffman table).
  let regen: number;
  let comp: number;
  let p: number;
  const fourStreams = sizeFormat !== 0;
  if (sizeFormat <= 1) {
    const v = b0 | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16);
    regen = (v >>> 4) & 0x3ff;
    comp = (v >>> 14) & 0x3ff;
    p = pos + 3;
  } else if (sizeFormat === 2) {
    const v = (b0 | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24)) >>> 0;
    regen = (v >>> 4) & 0x3fff;
    comp = (v >>> 18) & 0x3fff;
    p = pos + 4;
  } else {
    const v = (b0 | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24)) >>> 0;
    regen = (v >>> 4) & 0x3ffff;
    comp = ((v >>> 22) | (bytes[pos + 4] << 10)) & 0x3ffff;
    p = pos + 5;
  }
  if (regen > MAX_BLOCK) fail('zstd: literals section too large');
  const litEnd = p + comp;
  if (litEnd > end) fail('zstd: compressed literals run past the block');
  let streams = p;
  if (type === 2) {
    const h = readHuffmanTable(bytes, p, litEnd);
    st.huffman = h.table;
    streams = h.end;
  } else if (!st.huffman) {
    fail('zstd: treeless literals without a previous Huffman table');
  }
  const at = literalSpace(out, op, regen);
  decodeHuffmanLiterals(bytes, streams, litEnd, st.huffman!, fourStreams, out.subarray(at, at + regen), regen);
  return [out, at, regen, litEnd];
}

function pickTable(
  mode: number,
  bytes: Uint8Array,
  pos: number,
  end: number,
  predefined: FseTable,
  previous: FseTable | null,
  maxLog: number,
  maxSymbol: number,
): [FseTable, number] {
  switch (mode) {
    case 0:
      return [predefined, pos];
    case 1:
      if (pos >= end) fail('zstd: truncated RLE sequence table');
      if (bytes[pos] > maxSymbol) fail('zstd: RLE sequence symbol out of range');
      return [rleFseTable(bytes[pos]), pos + 1];
    case 2: {
      const r = readFseTable(bytes, pos, end, maxLog, maxSymbol);
      return [r.table, r.end];
    }
    default:
      if (!previous) fail('zstd: repeated sequence table without a previous one');
      return [previous, pos];
  }
}

/** Decodes one compressed block from bytes[pos, end) into out at op; returns the new op. */
function compressedBlock(
  bytes: Uint8Array,
  pos: number,
  end: number,
  out: Uint8Array,
  op: number,
  frameStart: number,
  st: FrameState,
): number {
  const [lits, litStart, litCount, afterLits] = readLiterals(bytes, pos, end, st, out, op);
  const inOut = lits === out;
  let p = afterLits;
  if (p >= end) fail('zstd: block has no sequences section');
  let nbSeq = bytes[p++];
  if (nbSeq >= 128) {
    if (nbSeq < 255) {
      if (p >= end) fail('zstd: truncated sequence count');
      nbSeq = ((nbSeq - 128) << 8) + bytes[p++];
    } else {
      if (p + 2 > end) fail('zstd: truncated sequence count');
      nbSeq = bytes[p] + (bytes[p + 1] << 8) + 0x7f00;
      p += 2;
    }
  }
  const outLen = out.length;
  if (nbSeq === 0) {
    if (op + litCount > outLen) fail('zstd: output larger than announced');
    if (inOut) out.copyWithin(op, litStart, litStart + litCount);
    else out.set(lits.subarray(litStart, litStart + litCount), op);
    return op + litCount;
  }
  if (p >= end) fail('zstd: truncated sequence modes');
  const modes = bytes[p++];
  if (modes & 3) fail('zstd: reserved bits set in sequence modes');
  const [ll, p1] = pickTable(modes >>> 6, bytes, p, end, LL_PREDEFINED, st.ll, 9, 35);
  const [of, p2] = pickTable((modes >>> 4) & 3, bytes, p1, end, OF_PREDEFINED, st.of, 8, 31);
  const [ml, p3] = pickTable((modes >>> 2) & 3, bytes, p2, end, ML_PREDEFINED, st.ml, 9, 52);
  p = p3;
  st.ll = ll;
  st.of = of;
  st.ml = ml;

  const base = p;
  let bitPos = backwardStart(bytes, p, end);
  let llState = peekBits(bytes, base, bitPos, ll.log);
  bitPos -= ll.log;
  let ofState = peekBits(bytes, base, bitPos, of.log);
  bitPos -= of.log;
  let mlState = peekBits(bytes, base, bitPos, ml.log);
  bitPos -= ml.log;

  let rep1 = st.rep1;
  let rep2 = st.rep2;
  let rep3 = st.rep3;
  let lp = litStart;
  const litEnd = litStart + litCount;
  for (let i = 0; i < nbSeq; i++) {
    const ofCode = of.symbol[ofState];
    const mlCode = ml.symbol[mlState];
    const llCode = ll.symbol[llState];
    if (ofCode > 31 || mlCode > 52 || llCode > 35) fail('zstd: sequence code out of range');
    let offset = (1 << ofCode) >>> 0;
    if (ofCode > 0) {
      offset += readWide(bytes, base, bitPos, ofCode);
      bitPos -= ofCode;
    }
    let mlen = ML_BASE[mlCode];
    const mlBits = ML_BITS[mlCode];
    if (mlBits > 0) {
      mlen += peekBits(bytes, base, bitPos, mlBits);
      bitPos -= mlBits;
    }
    let llen = LL_BASE[llCode];
    const llBits = LL_BITS[llCode];
    if (llBits > 0) {
      llen += peekBits(bytes, base, bitPos, llBits);
      bitPos -= llBits;
    }
    // Repeat offsets (RFC 8878 section 3.1.1.5).
    if (offset > 3) {
      offset -= 3;
      rep3 = rep2;
      rep2 = rep1;
      rep1 = offset;
    } else {
      let idx = offset;
      if (llen === 0) idx++;
      if (idx === 1) {
        offset = rep1;
      } else if (idx === 2) {
        offset = rep2;
        rep2 = rep1;
        rep1 = offset;
      } else if (idx === 3) {
        offset = rep3;
        rep3 = rep2;
        rep2 = rep1;
        rep1 = offset;
      } else {
        offset = rep1 - 1;
        rep3 = rep2;
        rep2 = rep1;
        rep1 = offset;
      }
    }
    if (i + 1 < nbSeq) {
      // State updates: literal lengths, then match lengths, then offsets.
      const a = ll.nbBits[llState];
      llState = ll.base[llState] + peekBits(bytes, base, bitPos, a);
      bitPos -= a;
      const b = ml.nbBits[mlState];
      mlState = ml.base[mlState] + peekBits(bytes, base, bitPos, b);
      bitPos -= b;
      const c = of.nbBits[ofState];
      ofState = of.base[ofState] + peekBits(bytes, base, bitPos, c);
      bitPos -= c;
    }
    if (bitPos < 0) fail('zstd: sequence bit stream ends early');
    // Execute: literals, then the match.
    if (lp + llen > litEnd || op + llen + mlen > outLen) fail('zstd: sequence runs past the literals or the output');
    if (inOut && op + mlen > lp) fail('zstd: output overruns its literals');
    if (llen <= 16) {
      for (let k = 0; k < llen; k++) out[op + k] = lits[lp + k];
    } else if (inOut) {
      out.copyWithin(op, lp, lp + llen);
    } else {
      out.set(lits.subarray(lp, lp + llen), op);
    }
    op += llen;
    lp += llen;
    if (offset === 0 || offset > op - frameStart) fail('zstd: match offset outside the output');
    const from = op - offset;
    if (offset >= mlen && mlen > 32) {
      out.copyWithin(op, from, from + mlen);
    } else {
      for (let k = 0; k < mlen; k++) out[op + k] = out[from + k];
    }
    op += mlen;
  }
  if (bitPos !== 0) fail('zstd: sequence bit stream has bits left over');
  st.rep1 = rep1;
  st.rep2 = rep2;
  st.rep3 = rep3;
  const rest = litEnd - lp;
  if (op + rest > outLen) fail('zstd: output larger than announced');
  if (inOut) out.copyWithin(op, lp, litEnd);
  else out.set(lits.subarray(lp, litEnd), op);
  return op + rest;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** Decodes frame number `index` (from 1) at bytes[pos..); returns [next input position, new output position]. */
function frame(bytes: Uint8Array, pos: number, out: Uint8Array, op: number, index: number): [number, number] {
  const n = bytes.length;
  if (pos + 1 > n) fail('zstd: truncated frame header');
  const fhd = bytes[pos++];
  const fcsFlag = fhd >>> 6;
  const single = (fhd >>> 5) & 1;
  const checksum = (fhd >>> 2) & 1;
  const dictFlag = fhd & 3;
  if (fhd & 8) fail('zstd: reserved frame header bit set');
  if (!single) pos++; // window descriptor: the whole output is the window
  const dictBytes = [0, 1, 2, 4][dictFlag];
  let dictId = 0;
  for (let i = 0; i < dictBytes; i++) dictId += bytes[pos + i] * 2 ** (8 * i);
  pos += dictBytes;
  if (dictId !== 0) fail('zstd: frames that need a dictionary are not supported');
  const fcsBytes = fcsFlag === 0 ? single : [0, 2, 4, 8][fcsFlag];
  let contentSize = -1;
  if (fcsBytes > 0) {
    contentSize = 0;
    for (let i = 0; i < fcsBytes; i++) contentSize += bytes[pos + i] * 2 ** (8 * i);
    if (fcsBytes === 2) contentSize += 256;
  }
  pos += fcsBytes;
  if (pos > n) fail('zstd: truncated frame header');
  if (contentSize > out.length - op) fail('zstd: frame is larger than the page');
  const frameStart = op;
  const st = new FrameState();
  for (;;) {
    if (pos + 3 > n) fail('zstd: truncated block header');
    const h = bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16);
    pos += 3;
    const last = h & 1;
    const type = (h >>> 1) & 3;
    const size = h >>> 3;
    if (type === 0) {
      if (pos + size > n || op + size > out.length) fail('zstd: raw block runs past the end');
      out.set(bytes.subarray(pos, pos + size), op);
      pos += size;
      op += size;
    } else if (type === 1) {
      if (pos >= n || op + size > out.length) fail('zstd: RLE block runs past the end');
      out.fill(bytes[pos], op, op + size);
      pos += 1;
      op += size;
    } else if (type === 2) {
      if (size > MAX_BLOCK || pos + size > n) fail('zstd: compressed block runs past the end');
      op = compressedBlock(bytes, pos, pos + size, out, op, frameStart, st);
      pos += size;
    } else {
      fail('zstd: reserved block type');
    }
    if (last) break;
  }
  if (contentSize >= 0 && op - frameStart !== contentSize) fail('zstd: frame size differs from its header');
  if (checksum) {
    if (pos + 4 > n) fail(`zstd: frame ${index} is cut off before its content checksum`);
    const stored = (bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24)) >>> 0;
    const computed = xxh64(out, frameStart, op)[1];
    if (stored !== computed)
      fail(
        `checksum mismatch: ` +
          `zstd frame ${index} has content checksum ${hex(stored)}, its ${op - frameStart} bytes give ${hex(computed)}`,
      );
    pos += 4;
  }
  return [pos, op];
}

/** Decompresses zstd `input` (one or more frames) into `output`, which must be exactly the decompressed size. */
export function zstdDecompress(input: Uint8Array, output: Uint8Array): void {
  let pos = 0;
  let op = 0;
  let frames = 0;
  const n = input.length;
  while (pos < n) {
    if (pos + 4 > n) fail('zstd: truncated frame magic');
    const magic = (input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16) | (input[pos + 3] << 24)) >>> 0;
    pos += 4;
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      // Skippable frame.
      if (pos + 4 > n) fail('zstd: truncated skippable frame');
      const size = (input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16) | (input[pos + 3] << 24)) >>> 0;
      pos += 4 + size;
      continue;
    }
    if (magic !== MAGIC) fail('zstd: bad frame magic');
    [pos, op] = frame(input, pos, output, op, ++frames);
  }
  if (pos !== n) fail('zstd: data runs past the end');
  if (op !== output.length) fail(`zstd: decompressed ${op} bytes, ${output.length} expected`);
}
