/**
 * Seeded fuzz of the JSON / NDJSON reader (issue 12): real files damaged (bit flips, overwritten
 * fields, cuts, inserted and removed chunks) and hostile inputs (a 125,000-digit number, nesting
 * 10,000 deep, a million quotes, mixed line ends, BOMs, NULs, thousands of distinct keys) are
 * read in a child process with a time and heap limit: no hang, every outcome a table that
 * agrees with a plain JSON.parse decoding or a DataError in the file's terms (never V8's
 * JSON.parse text). `TRAINBENCH_FUZZ_CASES` sets the campaign size (npm run fuzz: a longer one).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCampaign } from './campaign.test-support';

const CASES = Number(process.env.TRAINBENCH_FUZZ_CASES ?? 700);
const VEGA = 'node_modules/vega-datasets/data/';
const ARRAYS = [
  'penguins.json',
  'anscombe.json',
  'burtin.json',
  'crimea.json',
  'driving.json',
  'barley.json',
  'ohlc.json',
  'us-state-capitals.json',
  'weekly-weather.json',
  'monarchs.json',
  'udistrict.json',
  'budgets.json',
];
/** The same records, one per line. */
const NDJSON: [string, string, string][] = [
  ['driving.json', 'driving.ndjson', '\n'],
  ['barley.json', 'barley.jsonl', '\r\n'],
  ['udistrict.json', 'udistrict.ndjson', '\n'],
  ['weekly-weather.json', 'weekly-weather.ndjson', '\n'],
];

describe(`JSON reader fuzz (${CASES} damaged and hostile files)`, () => {
  it('no hang, no internal error text: a table that matches JSON.parse, or a DataError, for every case', () => {
    const text = (f: string) => readFileSync(VEGA + f, 'utf8');
    const sources = [
      ...ARRAYS.map((f) => ({ name: f, text: text(f) })),
      ...NDJSON.map(([f, name, eol]) => ({
        name,
        text: (JSON.parse(text(f)) as unknown[]).map((r) => JSON.stringify(r)).join(eol) + eol,
      })),
    ];
    const { counts } = runCampaign({
      child: 'src/core/data/fuzz/json-fuzz-child.ts',
      seed: 13,
      cases: CASES,
      input: JSON.stringify(sources),
      msPerCase: 150,
    });
    // The campaign damages files in ways the reader must notice, and leaves others readable.
    expect(counts.DataError, JSON.stringify(counts)).toBeGreaterThan(CASES / 10);
    expect(counts.table, JSON.stringify(counts)).toBeGreaterThan(CASES / 10);
  }, 900_000);
});
