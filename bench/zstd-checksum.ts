/**
 * zstd content checksums: what verifying them costs, and that frames without one cost nothing
 * more. On every page of flights-3m.parquet (Polars' ZSTD pages), interleaved in one process:
 *   - the decoder before checksums were verified (zstd.ts at `--before`, loaded from git),
 *   - the decoder now, on the same pages (flights' frames carry no checksum: counted below),
 *   - the decoder now, on the same pages given the checksum flag and their checksum,
 *   - xxh64 alone over the decompressed pages.
 *
 *   npx tsx bench/zstd-checksum.ts [--reps N] [--warmup N] [--before REV]
 *
 * REV defaults to the parent of the last commit that changed zstd.ts. Median, min and max in
 * ms; a sink keeps the work. Progress goes to stderr.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { xxh64 } from '../src/core/data/parquet/xxhash64';
import { zstdDecompress } from '../src/core/data/parquet/zstd';
import { alternating, benchArgs, machineLine, summarise, type Result } from './harness';
import { compressedPages } from './parquet-pages';

const args = benchArgs();
const REPS = Math.max(5, Number(args.flag('--reps', '11')));
const WARMUP = Math.max(0, Number(args.flag('--warmup', '3')));
const git = (...a: string[]) => execFileSync('git', a, { encoding: 'utf8' }).trim();
const BEFORE = git(
  'rev-parse',
  '--short=12',
  args.flag('--before', `${git('log', '-1', '--format=%H', '--', 'src/core/data/parquet/zstd.ts')}~1`),
);

// The earlier decoder, its relative imports pointed at this checkout's modules.
const dir = mkdtempSync(join(tmpdir(), 'zstd-before-'));
const parquetDir = resolve('src/core/data/parquet');
const oldSource = git('show', `${BEFORE}:src/core/data/parquet/zstd.ts`).replace(
  /from '\.\/([\w-]+)'/g,
  (_, m: string) => `from '${pathToFileURL(join(parquetDir, `${m}.ts`)).href}'`,
);
writeFileSync(join(dir, 'zstd-before.ts'), oldSource);
const before = (
  (await import(pathToFileURL(join(dir, 'zstd-before.ts')).href)) as { zstdDecompress: typeof zstdDecompress }
).zstdDecompress;
rmSync(dir, { recursive: true, force: true });

const file = new Uint8Array(readFileSync('node_modules/vega-datasets/data/flights-3m.parquet'));
const pages = compressedPages(file, 'flights-3m.parquet');
// Pages whose frame sets the content checksum flag (Frame_Header_Descriptor bit 2). Every page
// here is one frame: the decoder below would refuse the appended checksum otherwise.
const flagged = pages.filter((p) => p.body[4] & 4).length;
const decoded = pages.map((p) => {
  const out = new Uint8Array(p.size);
  zstdDecompress(p.body, out);
  return out;
});
const checked = pages.map((p, i) => {
  const out = new Uint8Array(p.body.length + 4);
  out.set(p.body);
  out[4] |= 4;
  new DataView(out.buffer).setUint32(p.body.length, xxh64(decoded[i])[1], true);
  return { body: out, size: p.size };
});
const total = decoded.reduce((a, d) => a + d.length, 0);

let sink = 0;
const run = (decode: typeof zstdDecompress, list: typeof pages) => () => {
  for (const p of list) {
    const out = new Uint8Array(p.size);
    decode(p.body, out);
    sink += out[p.size >> 1] ?? 0;
  }
};
const cases: [string, () => void][] = [
  [`decoder before (${BEFORE}), no checksum in the frames`, run(before, pages)],
  ['decoder now, no checksum in the frames', run(zstdDecompress, pages)],
  ['decoder now, frames given checksums (verified)', run(zstdDecompress, checked)],
  ['xxh64 alone over the decompressed pages', () => decoded.forEach((d) => (sink += xxh64(d)[1]))],
];

const times = alternating(cases, WARMUP, REPS, 'zstd-checksum');
const results: Result[] = cases.map(([name], i) => summarise(name, times[i]));
console.log(
  `ZSTD pages of flights-3m: ${pages.length} pages (one frame each), ${flagged} with the content ` +
    `checksum flag; ${(total / 1e6).toFixed(1)} MB decompressed; ` +
    `${REPS} reps after ${WARMUP} warm-up, on ${machineLine()}, load average ${loadavg()[0].toFixed(1)} at the end`,
);
for (const r of results)
  console.log(
    `${r.name.padEnd(58)} ${r.median.toFixed(1).padStart(8)} ${r.min.toFixed(1).padStart(8)} ${r.max.toFixed(1).padStart(8)}  ms`,
  );
const ratio = (a: Result, b: Result) =>
  `${(a.median / b.median).toFixed(2)}x (minimums ${(a.min / b.min).toFixed(2)}x)`;
console.log(
  `now / before, no checksums: ${ratio(results[1], results[0])}; with checksums ` +
    `/ without: ${ratio(results[2], results[1])}`,
);
console.log(`(sink ${sink})`);
