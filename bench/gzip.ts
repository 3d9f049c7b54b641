/**
 * GZIP page inflation: Trainbench's gunzipInto (which checks every gzip member's CRC-32 and
 * length) against hyparquet-compressors' gunzip (what the reader used before, no checks), on
 * the pages of flights-3m written with GZIP, and CRC-32 alone against Node's zlib.crc32.
 *
 *   npx tsx bench/gzip.ts [--reps N] [--warmup N] [--dictionary on|off]
 *
 * Input: node_modules/vega-datasets/data/flights-3m.parquet, rewritten in memory by parquet-wasm
 * with GZIP (dictionary pages on by default, as a writer would; `off` gives larger pages of
 * plain values). Each case inflates every page into a fresh buffer of its announced size;
 * the two inflaters alternate within each repetition so load drifts hit both. Median, min and
 * max in ms; a sink keeps the work. Progress goes to stderr.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as zlib from 'node:zlib';
import { gunzip } from 'hyparquet-compressors/src/gzip.js';
import { Compression, readParquet, writeParquet, WriterPropertiesBuilder } from 'parquet-wasm/node';
import { crc32 } from '../src/core/data/crc32';
import { gunzipInto } from '../src/core/data/parquet/gzip';
import { alternating, benchArgs, machineLine, summarise, type Result } from './harness';
import { compressedPages } from './parquet-pages';

const args = benchArgs();
const REPS = Math.max(5, Number(args.flag('--reps', '11')));
const WARMUP = Math.max(0, Number(args.flag('--warmup', '3')));
const DICTIONARY = args.flag('--dictionary', 'on') !== 'off';

const source = new Uint8Array(readFileSync('node_modules/vega-datasets/data/flights-3m.parquet'));
const props = new WriterPropertiesBuilder()
  .setCompression(Compression.GZIP)
  .setDictionaryEnabled(DICTIONARY)
  .setMaxRowGroupSize(1 << 20)
  .build();
const file = writeParquet(readParquet(source), props);
process.stderr.write(`[gzip] flights-3m rewritten with GZIP: ${(file.length / 1e6).toFixed(1)} MB\n`);

// The gzip stream of every compressed page (after the levels of a v2 page) and its inflated size.
const pages = compressedPages(file, 'gzip.parquet');
const inflated = pages.reduce((a, p) => a + p.size, 0);
const compressed = pages.reduce((a, p) => a + p.body.length, 0);

let sink = 0;
const cases: [string, () => void][] = [
  [
    'trainbench gunzipInto (CRC-32 and ISIZE checked)',
    () => {
      for (const p of pages) {
        const out = new Uint8Array(p.size);
        gunzipInto(p.body, out);
        sink += out[p.size >> 1] ?? 0;
      }
    },
  ],
  [
    'hyparquet-compressors 1.1 gunzip (no checks)',
    () => {
      for (const p of pages) {
        const out = new Uint8Array(p.size);
        gunzip(p.body, out);
        sink += out[p.size >> 1] ?? 0;
      }
    },
  ],
];
const inflatedPages = pages.map((p) => {
  const out = new Uint8Array(p.size);
  gunzipInto(p.body, out);
  return out;
});
const nodeCrc = (zlib as { crc32?: (d: Uint8Array, v?: number) => number }).crc32;
cases.push(['trainbench crc32 over the inflated pages', () => inflatedPages.forEach((p) => (sink += crc32(p)))]);
if (nodeCrc)
  cases.push(['zlib.crc32 over the inflated pages', () => inflatedPages.forEach((p) => (sink += nodeCrc(p)))]);

const times = alternating(cases, WARMUP, REPS, 'gzip');
const results: Result[] = cases.map(([name], i) => summarise(name, times[i]));

console.log(
  `GZIP pages of flights-3m ` +
    (`(dictionary ${DICTIONARY ? 'on' : 'off'}): ${pages.length} pages, ${(compressed / 1e6).toFixed(1)} MB ` +
      `compressed, `) +
    (`${(inflated / 1e6).toFixed(1)} MB inflated; ${REPS} reps after ${WARMUP} warm-up, on ${machineLine()}, ` +
      `load average ${loadavg()[0].toFixed(1)} at the end`),
);
for (const r of results)
  console.log(
    `${r.name.padEnd(52)} ${r.median.toFixed(1).padStart(8)} ${r.min.toFixed(1).padStart(8)} ${r.max.toFixed(1).padStart(8)}  ms`,
  );
console.log(
  `${'gunzipInto / hyparquet gunzip (medians; minimums)'.padEnd(52)} ${(results[0].median / results[1].median).toFixed(2).padStart(8)}x ${(results[0].min / results[1].min).toFixed(2).padStart(8)}x`,
);
console.log(`(sink ${sink})`);
