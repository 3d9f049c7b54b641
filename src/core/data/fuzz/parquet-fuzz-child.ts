/**
 * Child process of the Parquet fuzz test: reads seeded, damaged Parquet files with the
 * project's reader and prints one JSON line per case (see `cases.ts`). The source files come
 * from the parent on stdin (JSON: `[{ name, base64 }]`), written by several writers with
 * several codecs, some with checksums (page CRCs, GZIP pages, zstd frames with a content
 * checksum). A case is one of:
 *   - damage inside a checksummed region only (bytes flipped or overwritten in place): the
 *     file must be refused or decode to exactly the table the undamaged file gives;
 *   - an overwritten length: the footer length, or a Thrift varint in a page header or the
 *     footer overwritten (in place or with a longer or shorter one);
 *   - `mutateBytes`: bit flips, stretches overwritten with Parquet's special bytes, cuts,
 *     inserted and removed chunks.
 * Cases are read in turn as the workbench reads a file on one core (`readTable`) and on two:
 * row groups planned by bytes (`planParts`, `decodeTasks`), or column chunks claimed from both
 * ends of one list (`decodeClaimed`), then merged (`mergeParts`).
 *   node --import tsx src/core/data/fuzz/parquet-fuzz-child.ts SEED CASES [DUMP] < sources.json
 */
import { readParquetMetadata } from '../parquet/index';
import { readOnTwoCores } from '../parquet/fixtures/two-cores';
import { readPageHeader } from '../parquet/page-header';
import { readTable } from '../read';
import { Rng } from '../rng';
import type { Column, DataTable } from '../table';
import { runCases, type FuzzCase } from './cases';
import { mutateBytes, splice } from './mutate';

const [seed, cases, dump] = process.argv.slice(2).map(Number);
const rng = new Rng(seed);

interface Source extends FuzzCase {
  /** How often it is picked, against the others. */
  readonly weight: number;
  /** The undamaged file's table. */
  readonly clean: DataTable;
  /** [start, end) ranges a checksum covers: pages with a CRC, GZIP streams, zstd frames with a content checksum. */
  readonly covered: [number, number][];
  /** [start, end) ranges of Thrift data: page headers and the footer. */
  readonly thrift: [number, number][];
}

async function readSources(): Promise<Source[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  const list = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { name: string; base64: string; weight: number }[];
  return list.map((s) => {
    const bytes = new Uint8Array(Buffer.from(s.base64, 'base64'));
    const info = readParquetMetadata(bytes, s.name);
    const covered: [number, number][] = [];
    const thrift: [number, number][] = [[bytes.length - 8 - info.footerLength, bytes.length - 8]];
    for (const g of info.rowGroups) {
      for (const c of g.columns) {
        const end = c.start + c.compressedSize;
        for (let pos = c.start; pos < end;) {
          const h = readPageHeader(bytes, pos, end, s.name);
          const [start, stop] = [h.dataStart, h.dataStart + h.compressedSize];
          thrift.push([pos, start]);
          const values = start + h.defLevelsLength + h.repLevelsLength;
          if (h.type !== 'INDEX_PAGE') {
            if (h.crc !== undefined) covered.push([start, stop]);
            else if (
              h.isCompressed &&
              values < stop &&
              (c.codec === 'GZIP' || (c.codec === 'ZSTD' && bytes[values + 4] & 4))
            )
              covered.push([values, stop]);
          }
          pos = stop;
        }
      }
    }
    return { name: s.name, bytes, weight: s.weight, clean: readTable(bytes, s.name), covered, thrift };
  });
}

const sources = await readSources();
const totalWeight = sources.reduce((a, s) => a + s.weight, 0);
function pickSource(): Source {
  let w = rng.next() * totalWeight;
  for (const s of sources) if ((w -= s.weight) < 0) return s;
  return sources[sources.length - 1];
}

const enc = new TextEncoder();
/** Byte strings Parquet gives meaning to: magic, Thrift field headers and varints, codec magics. */
const SPECIAL = [
  enc.encode('PAR1'),
  ...[
    [0x00],
    [0x15],
    [0x16],
    [0x18],
    [0x19],
    [0x1c],
    [0x2c],
    [0x15, 0x00],
    [0x19, 0x1c],
    [0x19, 0xfc],
    [0x1c, 0x00, 0x00],
  ],
  ...[
    [0x7f],
    [0xff, 0xff, 0xff, 0xff, 0x0f],
    [0xfe, 0xff, 0xff, 0xff, 0x0f],
    [0x80, 0x80, 0x80, 0x80, 0x08],
    [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  ],
  [0x28, 0xb5, 0x2f, 0xfd],
  [0x1f, 0x8b, 0x08, 0x00],
  new Array(16).fill(0),
  new Array(16).fill(0xff),
].map((b) => (b instanceof Uint8Array ? b : Uint8Array.from(b)));

/**
 * Thrift varints a length or count may be overwritten with: 0, small, 2^31 - 1, -1 (zigzag), 2^32, 2^53 and beyond, too
 * long.
 */
const VARINTS = [
  [0x00],
  [0x01],
  [0x7f],
  [0xe8, 0x07],
  [0xfe, 0xff, 0xff, 0xff, 0x0f],
  [0xff, 0xff, 0xff, 0xff, 0x0f],
  [0x80, 0x80, 0x80, 0x80, 0x10],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
].map((b) => Uint8Array.from(b));

const inside = (ranges: [number, number][]) => {
  const [start, end] = ranges[rng.int(ranges.length)];
  return start + rng.int(end - start);
};

/** Bytes changed in place inside the checksummed regions only. */
function damageCovered(s: Source): Uint8Array {
  const b = s.bytes.slice();
  const ranges = s.covered.filter(([start, end]) => end > start);
  for (let k = 1 + rng.int(4); k > 0; k--) {
    const at = inside(ranges);
    if (rng.int(2)) b[at] ^= 1 << rng.int(8);
    else b[at] = rng.int(256);
  }
  // Make sure something changed (an overwrite may write the same byte).
  if (b.every((x, i) => x === s.bytes[i])) b[inside(ranges)] ^= 0x10;
  return b;
}

/** The footer length, or a Thrift varint in a page header or the footer, overwritten. */
function overwriteLength(s: Source): Uint8Array {
  const n = s.bytes.length;
  if (rng.int(4) === 0) {
    const b = s.bytes.slice();
    const len = new DataView(s.bytes.buffer, s.bytes.byteOffset).getUint32(n - 8, true);
    const v = [0, 1, 7, n - 8, n - 7, n - 12, n, 0x7fffffff, 0xffffffff, len + 1, len - 1, rng.nextU32()][rng.int(12)];
    new DataView(b.buffer).setUint32(n - 8, v >>> 0, true);
    return b;
  }
  const at = inside(s.thrift);
  const v = VARINTS[rng.int(VARINTS.length)];
  // Where a varint starts: at `at`, or just past the field header before it.
  if (rng.int(2)) {
    const b = s.bytes.slice();
    b.set(v.subarray(0, n - at), at);
    return b;
  }
  // Replace the varint at `at` (its bytes up to one without the high bit) with `v`, changing the length.
  let end = at;
  while (end < n - 1 && s.bytes[end] & 0x80) end++;
  return splice(s.bytes, at, end + 1 - at, v);
}

let current: Source = sources[0];
let checksummed = false;
let kind = '';
/** Outcomes by kind of case, printed to stderr at the end for the parent (`stats {...}`). */
const stats: Record<string, Record<string, number>> = {};
const count = (outcome: string) => {
  const k = (stats[kind] ??= {});
  k[outcome] = (k[outcome] ?? 0) + 1;
};

const make = (i: number): FuzzCase => {
  current = pickSource();
  checksummed = false;
  const r = rng.int(8);
  let bytes: Uint8Array;
  if (r < 2 && current.covered.length > 0) {
    checksummed = true;
    kind = 'checksummed';
    bytes = damageCovered(current);
  } else if (r < 4) {
    kind = 'length';
    bytes = overwriteLength(current);
  } else {
    kind = 'mutate';
    bytes = mutateBytes(rng, current.bytes, SPECIAL);
  }
  void i;
  return { name: current.name, bytes };
};

function sameColumn(a: Column, b: Column, rows: number): boolean {
  if (a.name !== b.name || a.kind !== b.kind) return false;
  if (a.kind === 'categorical' && b.kind === 'categorical') {
    for (let r = 0; r < rows; r++) {
      const x = a.codes[r] < 0 ? null : a.dictionary[a.codes[r]];
      const y = b.codes[r] < 0 ? null : b.dictionary[b.codes[r]];
      if (x !== y) return false;
    }
    return true;
  }
  if (a.kind === 'categorical' || b.kind === 'categorical') return false;
  if (a.type !== b.type) return false;
  for (let r = 0; r < rows; r++) {
    const va = a.valid === null || a.valid[r] === 1;
    const vb = b.valid === null || b.valid[r] === 1;
    if (va !== vb) return false;
    if (va && !Object.is(a.values[r], b.values[r])) return false;
  }
  return true;
}

/**
 * A table read on two cores must be the one-core table; a table from damage inside a
 * checksummed region must be the undamaged file's table.
 */
function check(t: DataTable): string {
  if (typeof oneCore === 'string') return `read on two cores, where one core refuses it (${oneCore})`;
  if (oneCore !== null) {
    const one = oneCore;
    if (
      t.rows !== one.rows ||
      t.columns.length !== one.columns.length ||
      t.columns.some((col, k) => !sameColumn(col, one.columns[k], t.rows))
    )
      return 'read on two cores as another table than on one';
  }
  if (!checksummed) return '';
  const c = current.clean;
  if (t.rows !== c.rows || t.columns.length !== c.columns.length)
    return (
      `damage inside a checksummed ` +
      `region read as ${t.rows} rows, ${t.columns.length} columns (undamaged: ${c.rows}, ${c.columns.length})`
    );
  const differs = t.columns.findIndex((col, k) => !sameColumn(col, c.columns[k], t.rows));
  return differs < 0
    ? ''
    : `damage inside a checksummed region read column ${t.columns[differs].name} as other values than the ` +
        `undamaged file`;
}

let cases_ = 0;
/** For a case read on two cores: the same bytes read on one (a table, or the refusal's text). */
let oneCore: DataTable | string | null = null;

/** The reader, counting outcomes by kind of case (a refusal that names a checksum counts apart). */
function read(bytes: Uint8Array, name: string): DataTable {
  const mode = cases_++ % 3;
  oneCore = null;
  if (mode !== 0) {
    try {
      oneCore = readTable(bytes, name);
    } catch (e) {
      oneCore = e instanceof Error ? e.message : String(e);
    }
  }
  try {
    const t = mode === 0 ? readTable(bytes, name) : readOnTwoCores(bytes, name, mode === 2);
    count('table');
    return t;
  } catch (e) {
    count(e instanceof Error && /checksum/.test(e.message) ? 'checksum refusal' : 'other refusal');
    // Two cores must refuse what one core refuses, and only that.
    if (oneCore !== null && typeof oneCore !== 'string')
      throw new Error(`read on two cores refused (${e instanceof Error ? e.message : String(e)}) what one core reads`);
    throw e;
  }
}

runCases(cases, make, read, check, dump);
process.stderr.write(`stats ${JSON.stringify(stats)}\n`);
