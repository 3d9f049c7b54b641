/**
 * DELTA_BINARY_PACKED INT64 columns (what arrow-rs and parquet-mr write for integers in v2
 * files): Trainbench's reader against hyparquet (columnar, the anchor a user would pick), in one
 * process, on seeded files written by parquet-wasm: sorted row numbers, random 40-bit values
 * (wide deltas), and 64-bit IDs past 2^53 (which Trainbench keeps as exact text and hyparquet
 * as BigInts). Checks first that both readers give the same values, then times each file
 * alternating the two (warm-up, repetitions, median) and prints hyparquet / Trainbench.
 *
 *   npx tsx bench/parquet-delta.ts [--rows N] [--reps N] [--warmup N] [--json]
 */
import { loadavg } from 'node:os';
import { Int64, Table, vectorFromArray } from 'apache-arrow';
import { parquetRead } from 'hyparquet';
import {
  Compression,
  Encoding,
  seededRandom,
  writeFixture,
  WriterVersion,
} from '../src/core/data/parquet/fixtures/synthetic';
import { readParquet } from '../src/core/data/parquet/index';
import type { Column } from '../src/core/data/table';
import { benchArgs, machineLine, summarise, type Result } from './harness';

const args = benchArgs();
const ROWS = Math.max(1000, Number(args.flag('--rows', '1000000')));
const REPS = Math.max(5, Number(args.flag('--reps', '9')));
const WARMUP = Math.max(1, Number(args.flag('--warmup', '2')));

const rnd = seededRandom(20261203);
const kinds: [string, (i: number) => bigint][] = [
  ['sorted row numbers', (i) => BigInt(i * 3 + (i % 7))],
  ['random 40-bit values', () => BigInt(Math.floor(rnd() * 2 ** 40))],
  ['64-bit IDs past 2^53', (i) => 1_234_567_890_123_456_789n + BigInt(i) * 4_096n + BigInt(Math.floor(rnd() * 4096))],
];

function fileOf(make: (i: number) => bigint): Uint8Array {
  const values = Array.from({ length: ROWS }, (_, i) => make(i));
  const table = new Table({ x: vectorFromArray(values, new Int64()) });
  return writeFixture(table, {
    compression: Compression.UNCOMPRESSED,
    version: WriterVersion.V2,
    encodings: { x: Encoding.DELTA_BINARY_PACKED },
    rowGroupSize: 1 << 18,
  });
}

function ours(file: Uint8Array): Column {
  return readParquet(file, 'delta.parquet').columns[0];
}

/** hyparquet's columns as it gives them (typed arrays of BigInt or arrays), counted, not copied. */
async function theirs(file: Uint8Array, keep?: unknown[]): Promise<number> {
  let n = 0;
  await parquetRead({
    file: file.slice().buffer,
    onChunk: (c) => {
      const data = c.columnData as ArrayLike<unknown>;
      n += data.length;
      if (keep) for (let i = 0; i < data.length; i++) keep.push(data[i]);
    },
  });
  return n;
}

/** The values as decimal text, for comparing the two readers. */
function textOf(col: Column, i: number): string {
  return col.kind === 'categorical' ? col.dictionary[col.codes[i]] : String(col.values[i]);
}

const rows: { name: string; ours: Result; theirs: Result; ratio: number }[] = [];
let sink = 0;
for (const [name, make] of kinds) {
  const file = fileOf(make);
  const a = ours(file);
  const b: unknown[] = [];
  await theirs(file, b);
  if (b.length !== ROWS) throw new Error(`${name}: hyparquet gave ${b.length} values, ${ROWS} expected`);
  for (let i = 0; i < ROWS; i++)
    if (textOf(a, i) !== String(b[i])) throw new Error(`${name}: row ${i} is ${textOf(a, i)}, hyparquet ${b[i]}`);
  const times: [number[], number[]] = [[], []];
  for (let r = 0; r < WARMUP + REPS; r++) {
    // Alternate which goes first, so drift falls on both alike.
    for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const t0 = performance.now();
      if (k === 0) sink += ours(file).name.length;
      else sink += await theirs(file);
      if (r >= WARMUP) times[k].push(performance.now() - t0);
    }
  }
  const o = summarise(`trainbench readParquet: ${name}`, times[0]);
  const t = summarise(`hyparquet parquetRead: ${name}`, times[1]);
  rows.push({ name, ours: o, theirs: t, ratio: t.median / o.median });
}

if (args.asJson) {
  console.log(
    JSON.stringify({
      stage: 'parquet-delta',
      machine: machineLine(),
      rows: ROWS,
      results: rows.flatMap((r) => [r.ours, r.theirs]),
      ratios: Object.fromEntries(rows.map((r) => [r.name, r.ratio])),
    }),
  );
} else {
  console.log(
    `DELTA_BINARY_PACKED INT64, ${ROWS} rows a file, uncompressed v2 pages; ${REPS} reps after ${WARMUP} ` +
      `warm-up, on ${machineLine()}, load average ${loadavg()[0].toFixed(1)} at the end`,
  );
  for (const r of rows) {
    for (const x of [r.ours, r.theirs])
      console.log(
        `${x.name.padEnd(56)} ${x.median.toFixed(1).padStart(8)} ${x.min.toFixed(1).padStart(8)} ${x.max.toFixed(1).padStart(8)}  ms`,
      );
    console.log(`  hyparquet / trainbench: ${r.ratio.toFixed(1)}x (the same values, row by row)${sink < 0 ? '' : ''}`);
  }
}
