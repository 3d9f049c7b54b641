/**
 * The built-in zstd decoder against fzstd (the plain-JS zstd decoder a user would pick), on
 * every ZSTD page of flights-3m.parquet (Polars' pages: 110 frames), in one process, the two
 * alternating within each repetition. fzstd is timed both ways it can be called (into a given buffer, or allocating);
 * the ratio
 * is fzstd's better median over ours. Checks first that both give the same bytes on every page.
 *
 *   npx tsx bench/zstd.ts [--reps N] [--warmup N] [--json]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { decompress as fzstd } from 'fzstd';
import { zstdDecompress } from '../src/core/data/parquet/zstd';
import { alternating, benchArgs, machineLine, summarise } from './harness';
import { compressedPages } from './parquet-pages';

const args = benchArgs();
const REPS = Math.max(5, Number(args.flag('--reps', '11')));
const WARMUP = Math.max(1, Number(args.flag('--warmup', '3')));

const pages = compressedPages(
  new Uint8Array(readFileSync('node_modules/vega-datasets/data/flights-3m.parquet')),
  'flights-3m.parquet',
);
const outputs = pages.map((p) => new Uint8Array(p.size));
for (let i = 0; i < pages.length; i++) {
  zstdDecompress(pages[i].body, outputs[i]);
  const theirs = fzstd(pages[i].body);
  if (theirs.length !== outputs[i].length || theirs.some((b, k) => b !== outputs[i][k]))
    throw new Error(`page ${i}: the two decoders disagree`);
}
const inflated = pages.reduce((n, p) => n + p.size, 0);
let sink = 0;
const cases = [
  [
    'trainbench zstdDecompress (into a preallocated page buffer)',
    () =>
      pages.forEach((p, i) => {
        zstdDecompress(p.body, outputs[i]);
        sink += outputs[i][0];
      }),
  ],
  [
    'fzstd decompress (into a preallocated page buffer)',
    () =>
      pages.forEach((p, i) => {
        fzstd(p.body, outputs[i]);
        sink += outputs[i][0];
      }),
  ],
  [
    'fzstd decompress (allocating its output)',
    () =>
      pages.forEach((p) => {
        sink += fzstd(p.body)[0];
      }),
  ],
] as const;
const times = alternating(cases, WARMUP, REPS, 'zstd');
const results = cases.map(([name], i) => summarise(name, times[i]));
// The anchor at its best of the two ways to call it.
const ratio = Math.min(results[1].median, results[2].median) / results[0].median;
if (args.asJson) {
  console.log(
    JSON.stringify({ stage: 'zstd', machine: machineLine(), results, ratios: { fzstdOverTrainbench: ratio } }),
  );
} else {
  console.log(
    `ZSTD pages of ` +
      (`flights-3m: ${pages.length} frames, ${(inflated / 1e6).toFixed(1)} MB out; ${REPS} reps ` +
        `after ${WARMUP} warm-up, on ${machineLine()}, load average ${loadavg()[0].toFixed(1)} at the end`),
  );
  for (const r of results)
    console.log(
      `${r.name.padEnd(62)} ${r.median.toFixed(1).padStart(8)} ${r.min.toFixed(1).padStart(8)} ${r.max.toFixed(1).padStart(8)}  ms`,
    );
  console.log(`fzstd / trainbench: ${ratio.toFixed(2)}x (identical bytes on every page)${sink < 0 ? '' : ''}`);
}
