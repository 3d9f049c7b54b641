/**
 * Writes the bundled sample datasets in public/datasets from npm packages (vega-datasets),
 * so the samples can be rebuilt and checked rather than trusted:  npm run samples
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Float64, Utf8, tableToIPC, vectorFromArray, Table, type Vector } from 'apache-arrow';

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
  columns[name] = numeric ? vectorFromArray(values as (number | null)[], new Float64()) : vectorFromArray(values as (string | null)[], new Utf8());
}
const table = new Table(columns);
writeFileSync(join(out, 'penguins.arrow'), tableToIPC(table, 'file'));
console.log(`penguins.arrow: ${table.numRows} rows, ${table.numCols} columns`);
