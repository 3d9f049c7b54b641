// Checksums in Parquet: a GZIP page's trailer (CRC-32 and length of every gzip member) and the
// CRC-32 a page header may carry (PageHeader.crc, over the page's bytes as stored: compressed,
// levels included for v2 pages). A damaged page is refused, naming the file, column, row group
// and page, where it used to decode to other values. Files are built here: parquet-wasm
// (arrow-rs) for GZIP pages, parquetjs-lite for pages with a CRC (its PageHeader is made to
// write a placeholder CRC, which is then filled in with the CRC-32 of each page's bytes).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { gunzip as hyparquetGunzip } from 'hyparquet-compressors/src/gzip.js';
import parquet from 'parquetjs-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32 } from '../crc32';
import { DataError, type Column, type DataTable } from '../table';
import { Compression, seededRandom, syntheticTable, writeFixture, WriterVersion } from './fixtures/synthetic';
import { readParquet, readParquetMetadata } from './index';
import { readPageHeader, type PageHeader } from './page-header';
import { thrown } from './fixtures/errors';

const dir = mkdtempSync(join(tmpdir(), 'trainbench-checksum-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errorOf = (f: () => unknown): string => thrown(f, DataError).message;

function values(col: Column): (number | string | null)[] {
  if (col.kind === 'categorical') return Array.from(col.codes, (k) => (k < 0 ? null : col.dictionary[k]));
  return Array.from(col.values, (v, i) => (col.valid && col.valid[i] === 0 ? null : v));
}
const tableValues = (t: DataTable) => t.columns.map(values);

interface Page {
  readonly rowGroup: number;
  readonly column: number;
  /** From 1 within the column chunk, as the reader counts them. */
  readonly index: number;
  readonly headerStart: number;
  readonly header: PageHeader;
}

/** Every page of every column chunk, walked with the reader's own page header parser. */
function pagesOf(bytes: Uint8Array): Page[] {
  const info = readParquetMetadata(bytes, 'walk.parquet');
  const out: Page[] = [];
  info.rowGroups.forEach((g, rowGroup) =>
    g.columns.forEach((chunk, column) => {
      const end = chunk.start + chunk.compressedSize;
      for (let pos = chunk.start, index = 1; pos < end; index++) {
        const header = readPageHeader(bytes, pos, end, 'walk');
        out.push({ rowGroup, column, index, headerStart: pos, header });
        pos = header.dataStart + header.compressedSize;
      }
    }),
  );
  return out;
}

// --- Pages with a CRC, by parquetjs-lite -------------------------------------------------

const require = createRequire(import.meta.url);
const thriftTypes = require('parquetjs-lite/gen-nodejs/parquet_types.js') as {
  PageHeader: { prototype: { write(this: { crc: number | null }, protocol: unknown): void } };
};
/** -2^31: its zigzag varint takes the longest form, 5 bytes, so any CRC fits in its place. */
const PLACEHOLDER = -0x80000000;
/** The placeholder as written: field 4 (delta 1 from field 3), type i32, then ff ff ff ff 0f. */
const PLACEHOLDER_BYTES = [0x15, 0xff, 0xff, 0xff, 0xff, 0x0f];

/**
 * Writes the CRC-32 of each page's stored bytes over its placeholder, as a 5-byte zigzag varint; returns where each
 * went.
 */
function fillCrcs(bytes: Uint8Array): Map<Page, number> {
  const filled = new Map<Page, number>();
  for (const p of pagesOf(bytes)) {
    let at = -1;
    for (let i = p.headerStart; i + PLACEHOLDER_BYTES.length <= p.header.dataStart && at < 0; i++) {
      if (PLACEHOLDER_BYTES.every((b, k) => bytes[i + k] === b)) at = i + 1;
    }
    expect(at, `page ${p.index} of column ${p.column}, row group ${p.rowGroup} has no placeholder`).toBeGreaterThan(0);
    const crc = crc32(bytes.subarray(p.header.dataStart, p.header.dataStart + p.header.compressedSize)) | 0;
    const zz = ((crc << 1) ^ (crc >> 31)) >>> 0;
    for (let k = 0; k < 4; k++) bytes[at + k] = ((zz >>> (7 * k)) & 0x7f) | 0x80;
    bytes[at + 4] = zz >>> 28;
    filled.set(p, at);
  }
  return filled;
}

/**
 * Where a page header's CRC value starts: after fields 1-3 (each a field byte 0x15 and a varint), past field 4's own
 * 0x15.
 */
function crcOffset(bytes: Uint8Array, p: Page): number {
  let i = p.headerStart;
  for (let field = 1; field <= 4; field++) {
    expect(bytes[i], `field ${field}`).toBe(0x15);
    if (field === 4) return i + 1;
    for (i++; bytes[i] & 0x80; i++);
    i++;
  }
  return -1;
}

const ROWS = 1000;
const rows = Array.from({ length: ROWS }, (_, i) => ({
  n32: i * 37 - 5000,
  price: i % 3 === 0 ? undefined : i / 8 - 20,
  name: i % 7 === 0 ? undefined : `item ${i % 13}`,
}));
const expectedColumns = [rows.map((r) => r.n32), rows.map((r) => r.price ?? null), rows.map((r) => r.name ?? null)];

/** A parquetjs-lite file: with `crc`, every page header carries the CRC-32 of its page. */
async function writeParquetjs(v2: boolean, codec: string, crc: boolean): Promise<Uint8Array> {
  const schema = new parquet.ParquetSchema({
    n32: { type: 'INT32', compression: codec },
    price: { type: 'DOUBLE', optional: true, compression: codec },
    name: { type: 'UTF8', optional: true, compression: codec },
  });
  const path = join(dir, `${v2 ? 'v2' : 'v1'}-${codec}-${crc}.parquet`);
  const proto = thriftTypes.PageHeader.prototype;
  const write = proto.write;
  if (crc) {
    proto.write = function (this: { crc: number | null }, protocol: unknown) {
      this.crc = PLACEHOLDER;
      write.call(this, protocol);
    };
  }
  try {
    const w = await parquet.ParquetWriter.openFile(schema, path, { useDataPageV2: v2, rowGroupSize: 300 });
    for (const r of rows) await w.appendRow({ ...r });
    await w.close();
  } finally {
    proto.write = write;
  }
  const bytes = new Uint8Array(readFileSync(path));
  if (crc) expect(fillCrcs(bytes).size).toBe(pagesOf(bytes).length);
  return bytes;
}

/** hyparquet's reading of a file (it does not check CRCs), column by column. */
async function hyparquetColumns(bytes: Uint8Array): Promise<unknown[][]> {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const objects = (await parquetReadObjects({ file: ab, compressors })) as Record<string, unknown>[];
  return ['n32', 'price', 'name'].map((k) => objects.map((o) => o[k] ?? null));
}

const CHECKSUM = /checksum mismatch \(its header has CRC-32 0x[0-9a-f]{8}, its \d+ bytes give 0x[0-9a-f]{8}\)$/;

describe('page CRCs (PageHeader.crc)', () => {
  for (const v2 of [false, true]) {
    for (const codec of ['UNCOMPRESSED', 'GZIP', 'SNAPPY']) {
      it(
        `data pages ${v2 ? 'v2' : 'v1'}, ${codec}: a file whose pages carry CRCs decodes like ` + `hyparquet reads it`,
        async () => {
          const bytes = await writeParquetjs(v2, codec, true);
          expect(pagesOf(bytes).every((p) => p.header.crc !== undefined)).toBe(true);
          const got = tableValues(readParquet(bytes, 'crc.parquet'));
          expect(got).toEqual(expectedColumns);
          expect(got).toEqual(await hyparquetColumns(bytes));
        },
      );
    }
  }

  it(
    'a byte changed in a page that carries a CRC is refused, naming the file, column, row ' + 'group and page',
    async () => {
      const withCrc = await writeParquetjs(false, 'UNCOMPRESSED', true);
      const without = await writeParquetjs(false, 'UNCOMPRESSED', false);
      // The last byte of row group 1's n32 page: the high byte of its last PLAIN value.
      const flip = (bytes: Uint8Array) => {
        const p = pagesOf(bytes).find((q) => q.rowGroup === 1 && q.column === 0)!;
        const bad = bytes.slice();
        bad[p.header.dataStart + p.header.compressedSize - 1] ^= 0x40;
        return bad;
      };
      // Without a CRC the change cannot be seen: row 599 (the last of row group 1) reads as another number.
      const silent = values(readParquet(flip(without), 'plain.parquet').columns[0]);
      expect(silent[599]).not.toBe(rows[599].n32);
      expect(errorOf(() => readParquet(flip(withCrc), 'crc.parquet'))).toMatch(
        new RegExp(`^crc\\.parquet: corrupt page: column "n32" \\(row group 1\\), page 1: ${CHECKSUM.source}`),
      );
      // A damaged CRC is a mismatch as well.
      const badCrc = withCrc.slice();
      const p = pagesOf(withCrc).find((q) => q.rowGroup === 2 && q.column === 1)!;
      const at = crcOffset(withCrc, p);
      badCrc[at] ^= 0x02;
      expect(errorOf(() => readParquet(badCrc, 'crc.parquet'))).toMatch(
        new RegExp(`^crc\\.parquet: corrupt page: column "price" \\(row group 2\\), page 1: ${CHECKSUM.source}`),
      );
    },
  );

  it("a v2 page's CRC covers its levels, which lie outside the compressed part", async () => {
    const bytes = await writeParquetjs(true, 'GZIP', true);
    const p = pagesOf(bytes).find((q) => q.rowGroup === 0 && q.column === 1)!;
    expect(p.header.defLevelsLength).toBeGreaterThan(0);
    const bad = bytes.slice();
    bad[p.header.dataStart + p.header.repLevelsLength + 1] ^= 0x01; // inside the definition levels
    expect(errorOf(() => readParquet(bad, 'v2.parquet'))).toMatch(
      new RegExp(`^v2\\.parquet: corrupt page: column "price" \\(row group 0\\), page 1: ${CHECKSUM.source}`),
    );
  });
});

// --- GZIP pages, by parquet-wasm ----------------------------------------------------------

describe("GZIP pages: every gzip member's CRC-32 and length", () => {
  const { table, expected } = syntheticTable(3000, 17);
  const files = [WriterVersion.V1, WriterVersion.V2].map((version) =>
    writeFixture(table, {
      compression: Compression.GZIP,
      dictionary: false,
      version,
      rowGroupSize: 1100,
      pageSize: 4096,
    }),
  );
  const reference = expected.map((e) => e.values);

  /** The gzip stream of a page: all of a v1 page, the part after the levels of a v2 page. */
  const gzipRange = (p: Page) => [
    p.header.dataStart + p.header.repLevelsLength + p.header.defLevelsLength,
    p.header.dataStart + p.header.compressedSize,
  ];

  it('untouched files decode to the values written (no false alarms)', () => {
    for (const bytes of files) {
      expect(readParquetMetadata(bytes, 'gz.parquet').rowGroups[0].columns[0].codec).toBe('GZIP');
      const got = tableValues(readParquet(bytes, 'gz.parquet'));
      got.forEach((col, k) =>
        expect(
          col.every((v, i) => Object.is(v, reference[k][i]) || (v === 0 && reference[k][i] === 0)),
          expected[k].name,
        ).toBe(true),
      );
    }
  });

  it(
    'damage the old inflater passed (a page decoded to other values) is now a checksum mismatch ' + 'naming the page',
    () => {
      const bytes = files[0];
      const info = readParquetMetadata(bytes, 'gz.parquet');
      const f64 = info.columns.findIndex((c) => c.name === 'f64');
      const p = pagesOf(bytes).find((q) => q.rowGroup === 1 && q.column === f64 && q.header.type === 'DATA_PAGE')!;
      const [start, end] = gzipRange(p);
      const page = bytes.subarray(start, end);
      const original = new Uint8Array(p.header.uncompressedSize);
      hyparquetGunzip(page, original);
      // Find a byte flip after which hyparquet-compressors' gunzip (used before) inflates without error to other bytes.
      let found = -1;
      for (let i = 10; i < page.length - 8 && found < 0; i++) {
        const bad = page.slice();
        bad[i] ^= 0x08;
        const out = new Uint8Array(original.length);
        try {
          hyparquetGunzip(bad, out);
        } catch {
          continue;
        }
        if (out.some((b, k) => b !== original[k])) found = start + i;
      }
      expect(found).toBeGreaterThan(0);
      const bad = bytes.slice();
      bad[found] ^= 0x08;
      expect(errorOf(() => readParquet(bad, 'gz.parquet'))).toMatch(
        new RegExp(
          `^gz\\.parquet: corrupt page in column "f64" \\(row group 1\\), page ${p.index}: GZIP data fails ` +
            `its checksum ` +
            (`\\(checksum mismatch: gzip member 1's trailer has CRC-32 ` +
              `0x[0-9a-f]{8}, its ${p.header.uncompressedSize} inflated bytes give 0x[0-9a-f]{8}\\)$`),
        ),
      );
      // A damaged trailer is refused the same way.
      const trailer = bytes.slice();
      trailer[end - 6] ^= 0x01;
      expect(errorOf(() => readParquet(trailer, 'gz.parquet'))).toMatch(
        /GZIP data fails its checksum \(checksum mismatch: gzip member 1's trailer/,
      );
    },
  );

  it('any byte changed inside a gzip page gives a DataError or the very same table, never other values', () => {
    const rnd = seededRandom(23);
    for (const bytes of files) {
      // (A v2 page may store its values uncompressed: those have no checksum to fail.)
      const pages = pagesOf(bytes).filter((p) => p.header.type !== 'INDEX_PAGE' && p.header.isCompressed);
      const clean = JSON.stringify(tableValues(readParquet(bytes, 'gz.parquet')));
      let refused = 0;
      for (let trial = 0; trial < 120; trial++) {
        const p = pages[Math.floor(rnd() * pages.length)];
        const [start, end] = gzipRange(p);
        const bad = bytes.slice();
        bad[start + Math.floor(rnd() * (end - start))] ^= 1 + Math.floor(rnd() * 255);
        try {
          expect(JSON.stringify(tableValues(readParquet(bad, 'gz.parquet')))).toBe(clean);
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          expect(e.message).toMatch(/^gz\.parquet: corrupt page/);
          refused++;
        }
      }
      expect(refused).toBeGreaterThan(100);
    }
  });
});
