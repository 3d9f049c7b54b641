/**
 * Seeded fuzz of the CSV reader (issue 12): real files damaged (bit flips, overwritten fields,
 * cuts, inserted and removed chunks) and hostile inputs (a 125,000-digit number, a million
 * quotes, mixed line ends, BOMs, NULs, 30,000 columns...) are read in a child process with a
 * time and heap limit: no hang, every outcome a table or a DataError in the file's terms.
 * `TRAINBENCH_FUZZ_CASES` sets the campaign size (npm run fuzz runs a longer one).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCampaign } from './campaign.test-support';

const CASES = Number(process.env.TRAINBENCH_FUZZ_CASES ?? 1200);
const VEGA = 'node_modules/vega-datasets/data/';
const FILES = [
  'seattle-weather.csv',
  'github.csv',
  'stocks.csv',
  'la-riots.csv',
  'gapminder-health-income.csv',
  'unemployment.tsv',
  'iowa-electricity.csv',
  'sp500.csv',
  'lookup_people.csv',
];

/** A file with quoted fields: delimiters, line ends and doubled quotes inside quotes. */
const QUOTED = [
  'name,note,n,when',
  ...Array.from(
    { length: 60 },
    (_, r) =>
      `"p${r}","a, ` +
      `""b""\nc",${r % 9 === 0 ? 'NA' : r * 0.25},2021-03-${String((r % 28) + 1).padStart(2, '0')}T10:00:00Z`,
  ),
].join('\r\n');

/** Columns aligned by runs of spaces (numpy's savetxt, UCI's .data files), a quoted value holding blanks. */
const ALIGNED = [
  '     id      value  city',
  ...Array.from(
    { length: 60 },
    (_, r) =>
      `${String(r).padStart(8)} ${(r * 1.375 - 20).toExponential(6).padStart(10)}  ` +
      `${['Oslo', '"New York"', 'Lima', '"a ""b"""'][r % 4]}${r % 5 === 0 ? '\t' : ''}`,
  ),
].join('\n');

describe(`CSV reader fuzz (${CASES} damaged and hostile files)`, () => {
  it('no hang, no internal error text: a table or a DataError for every case', () => {
    const sources = [
      ...FILES.map((f) => ({ name: f, text: readFileSync(VEGA + f, 'utf8') })),
      { name: 'quoted.csv', text: QUOTED },
      { name: 'aligned.txt', text: ALIGNED },
    ];
    const { counts } = runCampaign({
      child: 'src/core/data/fuzz/csv-fuzz-child.ts',
      seed: 12,
      cases: CASES,
      input: JSON.stringify(sources),
      msPerCase: 100,
    });
    // The campaign damages files in ways the reader must notice, and leaves others readable.
    expect(counts.DataError, JSON.stringify(counts)).toBeGreaterThan(CASES / 10);
    expect(counts.table, JSON.stringify(counts)).toBeGreaterThan(CASES / 10);
  }, 900_000);
});
