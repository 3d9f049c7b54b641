/**
 * Gzip (RFC 1952) for Parquet's GZIP codec: every member of the stream is inflated (RFC 1951)
 * straight into the page buffer and checked against its trailer, the CRC-32 and the length of
 * what it holds (ISIZE), so a damaged page is refused instead of decoding to other values.
 * Members follow one another (a concatenated stream, as `cat a.gz b.gz` makes); the page is
 * their outputs end to end, and must come out at exactly the size its header announces.
 *
 * The inflater follows fflate's (Copyright (c) 2023 Arjun Barrett, MIT) table-driven design,
 * as hyparquet-compressors does, with every length, distance, code and bound checked.
 */
import { crc32 } from '../crc32';
import { fail, ParquetFormatError } from './errors';

const LEN_BASE = Uint16Array.of(
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  13,
  15,
  17,
  19,
  23,
  27,
  31,
  35,
  43,
  51,
  59,
  67,
  83,
  99,
  115,
  131,
  163,
  195,
  227,
  258,
);
const LEN_EXTRA = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0);
const DIST_BASE = Uint16Array.of(
  1,
  2,
  3,
  4,
  5,
  7,
  9,
  13,
  17,
  25,
  33,
  49,
  65,
  97,
  129,
  193,
  257,
  385,
  513,
  769,
  1025,
  1537,
  2049,
  3073,
  4097,
  6145,
  8193,
  12289,
  16385,
  24577,
);
const DIST_EXTRA = Uint8Array.of(
  0,
  0,
  0,
  0,
  1,
  1,
  2,
  2,
  3,
  3,
  4,
  4,
  5,
  5,
  6,
  6,
  7,
  7,
  8,
  8,
  9,
  9,
  10,
  10,
  11,
  11,
  12,
  12,
  13,
  13,
);
/** Order in which a dynamic block lists the code length code's lengths. */
const CL_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15);

/**
 * A decoding table: index the next `bits` input bits (LSB first); entry = symbol << 4 | code length, 0 = no such code.
 */
interface Huffman {
  readonly table: Uint16Array;
  readonly mask: number;
}

/** Builds the table of a canonical Huffman code from its code lengths; refuses an over-subscribed code. */
function huffman(lengths: Uint8Array, what: string): Huffman {
  const count = new Uint16Array(16);
  let maxBits = 0;
  for (let i = 0; i < lengths.length; i++) {
    const l = lengths[i];
    count[l]++;
    if (l > maxBits) maxBits = l;
  }
  count[0] = 0;
  let left = 1;
  const next = new Uint16Array(16);
  for (let l = 1, code = 0; l <= 15; l++) {
    left = left * 2 - count[l];
    if (left < 0) fail(`a deflate block has an invalid ${what} code (over-subscribed)`);
    code = (code + count[l - 1]) << 1;
    next[l] = code;
  }
  const table = new Uint16Array(1 << maxBits);
  for (let sym = 0; sym < lengths.length; sym++) {
    const l = lengths[sym];
    if (l === 0) continue;
    const code = next[l]++;
    let rev = 0;
    for (let k = 0; k < l; k++) rev |= ((code >> k) & 1) << (l - 1 - k);
    for (let j = rev; j < table.length; j += 1 << l) table[j] = (sym << 4) | l;
  }
  return { table, mask: (1 << maxBits) - 1 };
}

const FIXED_LIT = huffman(
  Uint8Array.from({ length: 288 }, (_, i) => (i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8)),
  'fixed',
);
const FIXED_DIST = huffman(new Uint8Array(30).fill(5), 'fixed');

/** The 16 or more bits from bit `p` on (bytes past the end read as zeros; callers check `p` against the end). */
function bits16(d: Uint8Array, p: number): number {
  const o = p >>> 3;
  return (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16)) >>> (p & 7);
}

/** Where a raw deflate stream ended: the byte after its last block, and the end of its output. */
interface Inflated {
  inEnd: number;
  outEnd: number;
}

/**
 * Inflates the raw deflate stream at `input[start..]` into `out[op..]` (which it must not
 * overrun); back-references reach no further back than `op` (a gzip member stands alone).
 * With `out` null it only counts: every symbol is decoded and checked, nothing is written, and
 * `outEnd` says where the output would end (an InflateOverflow past `op + countLimit`), so a
 * stream of unknown size is measured for the cost of its symbols, not of its bytes.
 */
function inflateRaw(input: Uint8Array, start: number, out: Uint8Array | null, op: number, countLimit = 0): Inflated {
  const totalBits = input.length * 8;
  const outStart = op;
  const outLimit = out ? out.length : op + countLimit;
  const eof = () => fail('the deflate data is cut off');
  const overflow = () => {
    throw new InflateOverflow(`it inflates to more than the ${outLimit} bytes announced`);
  };
  let pos = start * 8;
  let final = 0;
  do {
    if (pos + 3 > totalBits) eof();
    const head = bits16(input, pos);
    final = head & 1;
    const type = (head >>> 1) & 3;
    pos += 3;
    if (type === 0) {
      const s = (pos + 7) >>> 3;
      if (s + 4 > input.length) eof();
      const len = input[s] | (input[s + 1] << 8);
      if ((input[s + 2] | (input[s + 3] << 8)) !== (~len & 0xffff)) fail('a stored deflate block has a damaged length');
      if (s + 4 + len > input.length) eof();
      if (op + len > outLimit) overflow();
      if (out) out.set(input.subarray(s + 4, s + 4 + len), op);
      op += len;
      pos = (s + 4 + len) * 8;
      continue;
    }
    let lit = FIXED_LIT;
    let dist = FIXED_DIST;
    if (type === 2) {
      if (pos + 14 > totalBits) eof();
      const h = bits16(input, pos);
      const hlit = (h & 31) + 257;
      const hdist = ((h >>> 5) & 31) + 1;
      const hclen = ((h >>> 10) & 15) + 4;
      pos += 14;
      if (hlit > 286 || hdist > 30) fail('a deflate block declares too many codes');
      const clLengths = new Uint8Array(19);
      for (let i = 0; i < hclen; i++) clLengths[CL_ORDER[i]] = bits16(input, pos + i * 3) & 7;
      pos += hclen * 3;
      const cl = huffman(clLengths, 'code length');
      const lengths = new Uint8Array(hlit + hdist);
      for (let i = 0; i < lengths.length;) {
        if (pos > totalBits) eof();
        const e = cl.table[bits16(input, pos) & cl.mask];
        if (e === 0) fail('a deflate block has an invalid code length code');
        pos += e & 15;
        const sym = e >>> 4;
        if (sym < 16) {
          lengths[i++] = sym;
          continue;
        }
        let n: number;
        let value = 0;
        if (sym === 16) {
          if (i === 0) fail('a deflate block repeats a code length before the first');
          value = lengths[i - 1];
          n = 3 + (bits16(input, pos) & 3);
          pos += 2;
        } else if (sym === 17) {
          n = 3 + (bits16(input, pos) & 7);
          pos += 3;
        } else {
          n = 11 + (bits16(input, pos) & 127);
          pos += 7;
        }
        if (i + n > lengths.length) fail('a deflate block repeats code lengths past its codes');
        lengths.fill(value, i, i + n);
        i += n;
      }
      if (lengths[256] === 0) fail('a deflate block has no end-of-block code');
      lit = huffman(lengths.subarray(0, hlit), 'literal/length');
      dist = huffman(lengths.subarray(hlit), 'distance');
    } else if (type !== 1) {
      fail('a deflate block has the reserved type 3');
    }
    if (pos > totalBits) eof();
    const lt = lit.table;
    const lm = lit.mask;
    const dt = dist.table;
    const dm = dist.mask;
    for (;;) {
      const e = lt[bits16(input, pos) & lm];
      if (e === 0) fail('a deflate block has an invalid literal/length code');
      pos += e & 15;
      const sym = e >>> 4;
      if (sym < 256) {
        if (op >= outLimit) overflow();
        if (out) out[op] = sym;
        op++;
      } else if (sym === 256) {
        break;
      } else {
        const li = sym - 257;
        if (li >= 29) fail('a deflate block has an invalid length code');
        let len = LEN_BASE[li];
        const lb = LEN_EXTRA[li];
        if (lb > 0) {
          len += bits16(input, pos) & ((1 << lb) - 1);
          pos += lb;
        }
        const d = dt[bits16(input, pos) & dm];
        if (d === 0) fail('a deflate block has an invalid distance code');
        pos += d & 15;
        const ds = d >>> 4;
        if (ds >= 30) fail('a deflate block has an invalid distance code');
        let back = DIST_BASE[ds];
        const db = DIST_EXTRA[ds];
        if (db > 0) {
          back += bits16(input, pos) & ((1 << db) - 1);
          pos += db;
        }
        if (back > op - outStart) fail('a deflate back-reference reaches before the start of its data');
        if (op + len > outLimit) overflow();
        const end = op + len;
        if (!out) op = end;
        else if (len < 32 || (back > 1 && back < 32)) for (; op < end; op++) out[op] = out[op - back];
        else if (back === 1) {
          // A run of one byte (long stretches of zeros, a bomb's whole body): a fill.
          out.fill(out[op - 1], op, end);
          op = end;
        } else {
          // The source is `back` bytes behind: copied in pieces of at most `back` bytes, each piece's
          // source already written (copyWithin alone would copy an overlapping source as it was).
          for (; op < end; op += back) out.copyWithin(op, op - back, Math.min(end, op + back) - back);
          op = end;
        }
      }
      if (pos > totalBits) eof();
    }
  } while (!final);
  return { inEnd: (pos + 7) >>> 3, outEnd: op };
}

const u32 = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * Offset of the deflate data of the member at `i`, past its header (checking the header's own CRC-16 when it has one).
 */
function memberData(input: Uint8Array, i: number, member: number): number {
  const n = input.length;
  const where = `gzip member ${member}`;
  if (n - i < 18) fail(`${where} is cut off (${n - i} bytes; a member needs at least 18)`);
  if (input[i] !== 0x1f || input[i + 1] !== 0x8b) fail(`${where} does not start with the gzip magic bytes 1f 8b`);
  if (input[i + 2] !== 8) fail(`${where} uses compression method ${input[i + 2]}, not deflate (8)`);
  const flags = input[i + 3];
  if (flags & 0xe0) fail(`${where} sets reserved header flags`);
  let p = i + 10;
  if (flags & 4) p += 2 + (input[p] | (input[p + 1] << 8)); // FEXTRA: length, then the field
  for (const bit of [8, 16]) {
    // FNAME, FCOMMENT: zero-terminated
    if (!(flags & bit)) continue;
    while (p < n && input[p] !== 0) p++;
    p++;
  }
  if (flags & 2) {
    if (p + 2 > n) fail(`${where} header is cut off`);
    const stored = input[p] | (input[p + 1] << 8);
    const computed = crc32(input, 0, i, p) & 0xffff;
    if (stored !== computed)
      fail(`checksum mismatch: ${where}'s header CRC-16 is ${stored}, its bytes give ${computed}`);
    p += 2;
  }
  if (p + 8 > n) fail(`${where} header runs past the end of the stream`);
  return p;
}

/** Thrown when a stream inflates past the end of its output buffer (the callers that grow the buffer catch it). */
class InflateOverflow extends ParquetFormatError {}

/**
 * Inflates the gzip stream `input` into `output`, which it must fill exactly, verifying every
 * member's CRC-32 and ISIZE. Throws a ParquetFormatError that says what is wrong.
 */
export function gunzipInto(input: Uint8Array, output: Uint8Array): void {
  const op = gunzipMembers(input, output).end;
  if (op !== output.length) fail(`the gzip stream inflates to ${op} bytes, ${output.length} announced`);
}

/**
 * Inflates a gzip stream whose size nothing announces (a `.tfrecord.gz` file), checking every
 * member's CRC-32 and ISIZE. The buffer starts at the last member's ISIZE (the whole size for
 * one member, the usual case) or four times the input, and grows when the data outgrows it (at
 * least doubling; the member being inflated starts again, earlier ones are kept), up to `limit` bytes: a stream that inflates past that is refused (a gzip bomb costs no more).
 */
export function gunzip(input: Uint8Array, limit: number): Uint8Array {
  const hint = input.length >= 18 ? u32(input, input.length - 4) : 0;
  const first = new Uint8Array(Math.min(limit, Math.max(1 << 16, hint + 1, input.length * 4)));
  const tooLarge = () =>
    fail(`the gzip stream inflates to more than ${limit} bytes, more than this reader may hold in memory`);
  const { output, end } = gunzipMembers(input, first, (out, op, ip, data) => {
    if (out.length >= limit) tooLarge();
    // The member that did not fit is counted first (symbols decoded, no bytes written): a bomb is
    // refused at the cost of its symbols (a 1 MB one inflating past 1 GiB: tens of ms, where
    // writing it took seconds), and a real stream gets a buffer of its size in one step.
    let memberEnd = 0;
    try {
      memberEnd = inflateRaw(input, data, null, op, limit - op).outEnd;
    } catch (e) {
      if (e instanceof InflateOverflow) tooLarge();
      throw e;
    }
    // Members before this one inflated `op` bytes from `ip`: at that ratio the whole input needs
    // `projected`. Growing straight to it touches far less fresh memory when many members
    // follow (a bomb of 17 x 64 MiB reaches the limit in one step, not four).
    const projected = ip > 0 ? Math.ceil((op / ip) * input.length * 1.05) : 0;
    const bigger = new Uint8Array(Math.min(limit, Math.max(memberEnd, projected)));
    bigger.set(out.subarray(0, op));
    return bigger;
  });
  return output.subarray(0, end);
}

/**
 * The first `n` inflated bytes of a gzip stream (fewer when it holds fewer), without inflating
 * the rest: enough to tell what a compressed file holds. Throws a ParquetFormatError when the
 * stream is damaged before those bytes.
 */
export function gunzipHead(input: Uint8Array, n: number): Uint8Array {
  // One copy writes at most a stored block (65,535 bytes) at once, and stops short of the
  // buffer's end only when it would overrun it: with this margin the first n bytes are written
  // before any overflow.
  const out = new Uint8Array(n + 65_536);
  try {
    const data = memberData(input, 0, 1);
    return out.subarray(0, Math.min(n, inflateRaw(input, data, out, 0).outEnd));
  } catch (e) {
    if (e instanceof InflateOverflow) return out.subarray(0, n);
    throw e;
  }
}

/** Inflates every member of `input` into `output` (checking trailers); returns the bytes written. */
function gunzipMembers(
  input: Uint8Array,
  first: Uint8Array,
  grow?: (out: Uint8Array, op: number, ip: number, data: number) => Uint8Array,
): { output: Uint8Array; end: number } {
  let output = first;
  let ip = 0;
  let op = 0;
  for (let member = 1; ip < input.length; member++) {
    // Trailing zero bytes after a member are padding (gzip(1) ignores them too), not a member.
    if (member > 1 && input.subarray(ip).every((b) => b === 0)) break;
    const data = memberData(input, ip, member);
    let inflated: Inflated;
    for (;;) {
      try {
        inflated = inflateRaw(input, data, output, op);
        break;
      } catch (e) {
        // Out of room: a bigger buffer with what earlier members gave, and this member again.
        if (!(e instanceof InflateOverflow) || !grow) throw e;
        output = grow(output, op, ip, data);
      }
    }
    const { inEnd, outEnd } = inflated;
    if (inEnd + 8 > input.length) fail(`gzip member ${member} is cut off before its trailer (CRC-32 and length)`);
    const stored = u32(input, inEnd);
    const computed = crc32(output, 0, op, outEnd);
    if (stored !== computed) {
      fail(
        `checksum mismatch: ` +
          (`gzip member ${member}'s trailer has CRC-32 ${hex(stored)}, its ${outEnd - op} inflated bytes ` +
            `give ${hex(computed)}`),
      );
    }
    const isize = u32(input, inEnd + 4);
    if (isize !== (outEnd - op) % 2 ** 32)
      fail(`gzip member ${member}'s trailer says ${isize} bytes, it inflates to ${outEnd - op}`);
    op = outEnd;
    ip = inEnd + 8;
  }
  return { output, end: op };
}
