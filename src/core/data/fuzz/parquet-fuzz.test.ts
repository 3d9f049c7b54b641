/**
 * Seeded fuzz of the Parquet reader (issue 12): small files from three writers (arrow-rs via
 * parquet-wasm, parquetjs-lite, and one row group of Polars' flights-3m.parquet) with every
 * codec but LZO, dictionary, plain, delta and byte-stream-split encodings, v1 and v2 pages,
 * are damaged (bit flips, overwritten Thrift varints and footer lengths, cuts, inserted and
 * removed chunks) and read in a child process with a time and heap limit: no hang, every
 * outcome a table or a DataError in the file's terms, no internal error text. Two cases in
 * three are also read as the workbench reads on two cores (planned parts, or chunks claimed
 * from both ends, then merged): the same table or the same refusal as on one core. Four of the
 * files carry checksums (page CRCs on an arrow-rs and a parquetjs-lite file, GZIP pages, and
 * arrow-rs zstd frames given a content checksum: see fixtures/rewrite.ts); damage inside what a
 * checksum covers must be refused or decode to exactly the undamaged table, never other values.
 * `TRAINBENCH_FUZZ_CASES` sets the campaign size: 3,200 in `npm test` (the child takes 4-8 s
 * on this shared two-core machine, no case over 90 ms), 5,000 under `npm run fuzz`; 72,000 more
 * cases with other seeds ran clean on 2026-11-30. It found brotli's own error texts reaching the
 * user and page defects that named no column (parquet/fuzz-found.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decompress as fzstd } from 'fzstd';
import parquet from 'parquetjs-lite';
import { Int64, Table, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { rewritePages, withZstdChecksum } from '../parquet/fixtures/rewrite';
import {
  Compression,
  Encoding,
  WriterVersion,
  decimalTable,
  syntheticTable,
  writeFixture,
} from '../parquet/fixtures/synthetic';
import { xxh64 } from '../parquet/xxhash64';
import { runCampaign } from './campaign.test-support';

const CASES = Number(process.env.TRAINBENCH_FUZZ_CASES ?? 3200);
/**
 * Text from a decompression library (hyparquet-compressors' brotli), or a foreign error the
 * reader's last-resort wrapper caught ('corrupt Parquet data (...)'): neither may reach the user.
 */
const LIBRARY =
  /\[\w+\]|Unexpected end of input|Invalid (size|reserved|backward)|copyUncompressedBlockToOutput|BuildHuffmanTable|output buffer|corrupt Parquet data \(/;
const dir = mkdtempSync(join(tmpdir(), 'trainbench-parquet-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A parquetjs-lite file of 400 rows (INT32, optional DOUBLE, optional UTF8) in row groups of 150. */
async function parquetjsFile(name: string, codec: string, v2: boolean): Promise<Uint8Array> {
  const schema = new parquet.ParquetSchema({
    n32: { type: 'INT32', compression: codec },
    price: { type: 'DOUBLE', optional: true, compression: codec },
    name: { type: 'UTF8', optional: true, compression: codec },
  });
  const path = join(dir, name);
  const w = await parquet.ParquetWriter.openFile(schema, path, { useDataPageV2: v2, rowGroupSize: 150 });
  for (let i = 0; i < 400; i++) {
    await w.appendRow({
      n32: i * 37 - 5000,
      price: i % 3 === 0 ? undefined : i / 8 - 20,
      name: i % 7 === 0 ? undefined : `item ${i % 13}`,
    });
  }
  await w.close();
  return new Uint8Array(readFileSync(path));
}

/** Every zstd frame given the content checksum flag and its checksum. */
const zstdChecksums = (file: Uint8Array) =>
  rewritePages(file, {
    body: (p) =>
      p.compressed
        ? withZstdChecksum(p.body, p.levelsLength, fzstd(p.body.subarray(p.levelsLength)), (c) => xxh64(c)[1])
        : undefined,
  });

/** 64-bit IDs: `delta` and `dict` beyond 2^53 - 1 from the second row group on, nulls among them. */
function idTable(rows: number): Table {
  const id = (i: number) => (i % 9 === 4 ? null : i < 120 ? BigInt(i * 7) : 2n ** 60n + BigInt(i * 977));
  const ids = Array.from({ length: rows }, (_, i) => id(i));
  return new Table({
    delta: vectorFromArray(ids, new Int64()),
    dict: vectorFromArray(
      ids.map((v) => (v === null ? null : -v)),
      new Int64(),
    ),
  });
}

async function sources(): Promise<{ name: string; base64: string; weight: number }[]> {
  const t = (seed: number) => syntheticTable(300, seed).table;
  const small = { rowGroupSize: 120, pageSize: 1024 };
  const delta = {
    i32: Encoding.DELTA_BINARY_PACKED,
    i64big: Encoding.DELTA_BINARY_PACKED,
    str: Encoding.DELTA_LENGTH_BYTE_ARRAY,
    strHigh: Encoding.DELTA_BYTE_ARRAY,
    f64: Encoding.BYTE_STREAM_SPLIT,
  };
  const flights = new Uint8Array(readFileSync('node_modules/vega-datasets/data/flights-3m.parquet'));
  const files: [string, Uint8Array, number][] = [
    ['arrow-rs-snappy-dict.parquet', writeFixture(t(1), { compression: Compression.SNAPPY, ...small }), 2],
    [
      'arrow-rs-zstd-v2-xxh64.parquet',
      zstdChecksums(writeFixture(t(2), { compression: Compression.ZSTD, version: WriterVersion.V2, ...small })),
      3,
    ],
    ['arrow-rs-gzip.parquet', writeFixture(t(3), { compression: Compression.GZIP, dictionary: false, ...small }), 3],
    [
      'arrow-rs-plain-v2-crc.parquet',
      rewritePages(writeFixture(t(4), { compression: Compression.UNCOMPRESSED, version: WriterVersion.V2, ...small }), {
        crc: true,
      }),
      3,
    ],
    [
      'arrow-rs-delta-lz4.parquet',
      writeFixture(t(5), { compression: Compression.LZ4_RAW, encodings: delta, version: WriterVersion.V2, ...small }),
      2,
    ],
    [
      'arrow-rs-decimal-brotli.parquet',
      writeFixture(decimalTable(200, 6).table, { compression: Compression.BROTLI, ...small }),
      1,
    ],
    ['arrow-rs-lz4-hadoop.parquet', writeFixture(t(7), { compression: Compression.LZ4, ...small }), 1],
    // IDs beyond 2^53 - 1 (read as exact text), DELTA and dictionary, without statistics.
    [
      'arrow-rs-ids-nostats.parquet',
      writeFixture(idTable(300), {
        compression: Compression.SNAPPY,
        statistics: false,
        encodings: { delta: Encoding.DELTA_BINARY_PACKED },
        ...small,
      }),
      2,
    ],
    ['parquetjs-gzip-v2-crc.parquet', rewritePages(await parquetjsFile('p1.parquet', 'GZIP', true), { crc: true }), 2],
    ['parquetjs-snappy.parquet', await parquetjsFile('p2.parquet', 'SNAPPY', false), 1],
    // One row group of Polars' flights-3m (ZSTD, 272,727 rows): slower to read, so picked less often.
    ['polars-flights-rowgroup0.parquet', rewritePages(flights, { rowGroups: 1 }), 0.25],
  ];
  return files.map(([name, bytes, weight]) => ({ name, base64: Buffer.from(bytes).toString('base64'), weight }));
}

describe(`Parquet reader fuzz (${CASES} damaged files)`, () => {
  it(
    'no hang, no internal error text, a table or a DataError for every case, the same on two cores; ' +
      'checksummed damage refused or harmless',
    async () => {
      const input = JSON.stringify(await sources());
      const t0 = performance.now();
      const { lines, counts, stderr } = runCampaign({
        child: 'src/core/data/fuzz/parquet-fuzz-child.ts',
        seed: 14,
        cases: CASES,
        input,
        msPerCase: 100,
      });
      expect(lines.filter((l) => LIBRARY.test(l.message)).slice(0, 5)).toEqual([]);
      // The campaign damages files in ways the reader must notice, and leaves others readable
      // (Parquet is brittle: most damage is refused).
      expect(counts.DataError, JSON.stringify(counts)).toBeGreaterThan(CASES / 4);
      expect(counts.table, JSON.stringify(counts)).toBeGreaterThan(CASES / 50);
      // About a fifth of the cases damage checksummed bytes only; the checksums refuse some of them.
      const stats = JSON.parse(/^stats (.*)$/m.exec(stderr)?.[1] ?? '{}') as Record<string, Record<string, number>>;
      const checksummed = stats.checksummed ?? {};
      expect(
        Object.values(checksummed).reduce((a, b) => a + b, 0),
        JSON.stringify(stats),
      ).toBeGreaterThan(CASES / 10);
      expect(checksummed['checksum refusal'], JSON.stringify(stats)).toBeGreaterThan(CASES / 50);
      // Every refusal names the file.
      const unnamed = lines.filter((l) => l.outcome === 'DataError' && !/^[\w-]+\.parquet: /.test(l.message));
      expect(unnamed.slice(0, 5)).toEqual([]);
      if (process.env.TRAINBENCH_FUZZ_REPORT)
        process.stderr.write(`${JSON.stringify(stats)} in ${Math.round(performance.now() - t0)} ms\n`);
    },
    900_000,
  );
});
