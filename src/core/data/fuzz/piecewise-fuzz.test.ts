/**
 * Seeded fuzz of reading Parquet and Arrow piece by piece from a source (issue 16: how a file
 * larger than memory trains): files from parquet-wasm (several row groups, dictionary and plain,
 * snappy and zstd) and apache-arrow (file and stream, several record batches with their own
 * dictionaries), damaged, read in a child process with a time and heap limit. Each case is
 * checked against the whole-file read of the same bytes (see the child). `TRAINBENCH_FUZZ_CASES`
 * sets the campaign size (npm run fuzz: a longer one).
 */
import { readFileSync } from 'node:fs';
import { Table, tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { Compression, writeFixture } from '../parquet/fixtures/synthetic';
import { runCampaign } from './campaign.test-support';

const CASES = Number(process.env.TRAINBENCH_FUZZ_CASES ?? 2000);

function sources(): { name: string; base64: string }[] {
  const flights = tableFromIPC(readFileSync('node_modules/vega-datasets/data/flights-200k.arrow')).slice(0, 350);
  const cars = JSON.parse(readFileSync('node_modules/vega-datasets/data/cars.json', 'utf8')) as Record<
    string,
    unknown
  >[];
  const carsTable = tableFromArrays({
    mpg: Float64Array.from(cars, (c) => Number(c.Miles_per_Gallon ?? NaN)),
    hp: Float64Array.from(cars, (c) => Number(c.Horsepower ?? NaN)),
    origin: cars.map((c) => String(c.Origin)),
  });
  // Record batches of 60 rows, each with its own dictionaries (the stream form).
  const batches = Array.from({ length: Math.ceil(carsTable.numRows / 60) }, (_, k) =>
    tableFromArrays({
      mpg: carsTable
        .getChild('mpg')!
        .toArray()
        .slice(60 * k, 60 * (k + 1)) as Float64Array,
      origin: cars.slice(60 * k, 60 * (k + 1)).map((c) => String(c.Origin)),
    }),
  ).reduce((a, b) => a.concat(b));
  const shared = new Table(Array.from({ length: 5 }, (_, k) => flights.batches[0].slice(70 * k, 70 * (k + 1))));
  const files: [string, Uint8Array][] = [
    ['flights.parquet', writeFixture(flights, { compression: Compression.SNAPPY, rowGroupSize: 50 })],
    ['cars.parquet', writeFixture(carsTable, { compression: Compression.ZSTD, rowGroupSize: 64, dictionary: false })],
    ['cars.arrows', tableToIPC(batches, 'stream')],
    ['flights.arrow', tableToIPC(shared, 'file')],
  ];
  return files.map(([name, bytes]) => ({ name, base64: Buffer.from(bytes).toString('base64') }));
}

describe(`piecewise Parquet and Arrow reading fuzz (${CASES} damaged files)`, () => {
  it("no hang, no library text: the whole read's tables, a well-formed table, or a DataError naming the file", () => {
    const { counts } = runCampaign({
      child: 'src/core/data/fuzz/piecewise-fuzz-child.ts',
      seed: 23,
      cases: CASES,
      input: JSON.stringify(sources()),
      msPerCase: 100,
    });
    // Damage reaches both outcomes: many files still read, many are refused.
    expect(counts.table).toBeGreaterThan(CASES / 10);
    expect(counts.DataError).toBeGreaterThan(CASES / 10);
  });
});
