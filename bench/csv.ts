/**
 * CSV reading benchmark: Trainbench's readCsv against papaparse and d3-dsv in one process.
 *
 *   npx tsx bench/csv.ts [--json] [--rows N] [--reps N]
 *
 * Inputs: a seeded synthetic CSV (1M rows x 6 columns: two int columns, two float columns,
 * a low-cardinality string, a date) and the largest CSV in vega-datasets. readCsv starts
 * from the bytes and ends with typed columns; the anchors need a string first, so their
 * time includes TextDecoder.decode (also timed on its own) and ends with row objects:
 * papaparse `Papa.parse(text, { dynamicTyping: true, header: true })`, d3-dsv
 * `csvParse(text, autoType)`. One warm-up run each, then `reps` runs (default 5); median,
 * min and max in milliseconds. Ratios are anchor median / readCsv median.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { autoType, csvParse } from 'd3-dsv';
import Papa from 'papaparse';
import { readCsv } from '../src/core/data/csv';
import { machineLine, summarise, type Result } from './harness';
import { Rng } from '../src/core/data/rng';

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const argNum = (flag: string, dflt: number) => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ROWS = argNum('--rows', 1_000_000);
const REPS = Math.max(5, argNum('--reps', 5));

/** The project's seeded generator (mulberry32) as a function. */
function mulberry32(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/** The synthetic file: id,count,price,ratio,category,day. */
function synthetic(rows: number, seed = 42): Uint8Array {
  const r = mulberry32(seed);
  const cats = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
  const parts: string[] = ['id,count,price,ratio,category,day'];
  const day0 = Date.UTC(2000, 0, 1);
  for (let i = 0; i < rows; i++) {
    const day = new Date(day0 + Math.floor(r() * 9000) * 86_400_000).toISOString().slice(0, 10);
    parts.push(
      `${i},${Math.floor(r() * 1000) - 500},${(r() * 1000).toFixed(2)},${r()},${cats[Math.floor(r() * cats.length)]},${day}`,
    );
  }
  return new TextEncoder().encode(parts.join('\n') + '\n');
}

function largestVegaCsv(): { name: string; bytes: Uint8Array } {
  const dir = 'node_modules/vega-datasets/data/';
  const name = readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort((a, b) => statSync(dir + b).size - statSync(dir + a).size)[0];
  return { name, bytes: new Uint8Array(readFileSync(dir + name)) };
}

let sink = 0;

function time(name: string, fn: () => number): Result {
  sink += fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    sink += fn();
    ms.push(performance.now() - t0);
  }
  return summarise(name, ms);
}

function benchFile(label: string, bytes: Uint8Array): Result[] {
  const decode = () => new TextDecoder().decode(bytes);
  return [
    time(`${label}: readCsv (bytes -> typed columns)`, () => readCsv(bytes, label).rows),
    time(`${label}: TextDecoder.decode alone`, () => decode().length),
    time(
      `${label}: papaparse dynamicTyping+header (incl. decode)`,
      () => Papa.parse<Record<string, unknown>>(decode(), { dynamicTyping: true, header: true }).data.length,
    ),
    time(`${label}: d3-dsv csvParse+autoType (incl. decode)`, () => csvParse(decode(), autoType).length),
  ];
}

const synth = synthetic(ROWS);
const vega = largestVegaCsv();
const inputs: [string, Uint8Array][] = [
  [`synthetic ${ROWS} rows x 6 (${(synth.length / 1e6).toFixed(1)} MB)`, synth],
  [`${vega.name} (${(vega.bytes.length / 1e6).toFixed(1)} MB)`, vega.bytes],
];
const results: Result[] = [];
const ratios: Record<string, number> = {};
for (const [label, bytes] of inputs) results.push(...benchFile(label, bytes));
// Ratios from the reported medians: anchor / readCsv, per input.
for (let k = 0; k < results.length; k += 4) {
  const ours = results[k];
  const label = ours.name.split(':')[0];
  ratios[`${label}: papaparse / readCsv`] = Math.round((results[k + 2].median / ours.median) * 100) / 100;
  ratios[`${label}: d3-dsv / readCsv`] = Math.round((results[k + 3].median / ours.median) * 100) / 100;
}
const machine = machineLine();

if (asJson) {
  console.log(JSON.stringify({ stage: 'csv', machine, reps: REPS, results, ratios, sink }));
} else {
  console.log(`CSV reading, ${REPS} reps after 1 warm-up, on ${machine}`);
  console.log(`${'case'.padEnd(78)} ${'median'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}`);
  for (const r of results)
    console.log(
      `${r.name.padEnd(78)} ${r.median.toFixed(1).padStart(9)} ${r.min.toFixed(1).padStart(9)} ${r.max.toFixed(1).padStart(9)}  ms`,
    );
  for (const [k, v] of Object.entries(ratios)) console.log(`${k.padEnd(78)} ${v.toFixed(2).padStart(9)}x`);
  console.log(`(sink ${sink})`);
}
