/**
 * `--where` on the CLI (penguins): inspect, dedup and knn see the rows the filter keeps, counted
 * here from the columns by hand; train records the filter and trains on those rows (its steps
 * follow from their count); a filter that does not parse is refused saying where, and so is a
 * filter on a streamed file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTable } from '../../core/data/read';
import { splitRows } from '../../core/data/split';
import type { CategoricalColumn, NumericColumn } from '../../core/data/table';
import type { RunRecord } from '../../core/train/record';
import { cpuTrainArgs, runCli } from '../cli-process.test-support';
import { keptNear } from './knn';
import { Rng } from '../../core/data/rng';

const PENGUINS = 'public/datasets/penguins.arrow';
const table = readTable(new Uint8Array(readFileSync(PENGUINS)), 'penguins.arrow');
const col = <T>(name: string) => table.columns.find((c) => c.name === name) as T;
const island = col<CategoricalColumn>('Island');
const mass = col<NumericColumn>('Body Mass (g)');
const species = col<CategoricalColumn>('Species');
const WHERE = `Island = 'Dream' or "Body Mass (g)" >= 5000`;
/** The rows the filter keeps, by hand. */
const kept = Array.from({ length: table.rows }, (_, i) => i).filter(
  (i) =>
    (island.codes[i] >= 0 && island.dictionary[island.codes[i]] === 'Dream') ||
    ((mass.valid === null || mass.valid[i] === 1) && mass.values[i] >= 5000),
);

describe('--where', () => {
  it('inspect and dedup count the rows the filter keeps', async () => {
    expect(kept.length).toBeGreaterThan(100);
    expect(kept.length).toBeLessThan(table.rows);
    const i = await runCli(['inspect', PENGUINS, '--where', WHERE, '--json']);
    expect(i.code).toBe(0);
    const out = JSON.parse(i.stdout) as { rows: number; where: string };
    expect(out).toMatchObject({ rows: kept.length, where: WHERE });
    const d = await runCli(['dedup', PENGUINS, '--columns', 'Island', '--where', WHERE, '--json']);
    // Islands among the kept rows: each one's first row stays.
    const islands = new Set(kept.map((r) => island.codes[r]));
    expect(JSON.parse(d.stdout)).toMatchObject({ rows: kept.length, unique: islands.size, where: WHERE });
  });

  it('knn finds neighbours among the kept rows, and refuses a query row the filter drops', async () => {
    const r = await runCli(['knn', PENGUINS, '--k', '4', '--row', String(kept[3]), '--where', WHERE, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { neighbors: { row: number }[] };
    expect(out.neighbors).toHaveLength(4);
    for (const n of out.neighbors) expect(kept).toContain(n.row);
    // A filter that keeps a single species: neighbours need no second class.
    const one = await runCli(['knn', PENGUINS, '--k', '2', '--row', '0', '--where', "Island = 'Torgersen'", '--json']);
    expect(one.stderr).toBe('');
    expect((JSON.parse(one.stdout) as { neighbors: unknown[] }).neighbors).toHaveLength(2);
    const dropped = Array.from({ length: table.rows }, (_, i) => i).find((i) => !kept.includes(i))!;
    const no = await runCli(['knn', PENGUINS, '--k', '2', '--row', String(dropped), '--where', WHERE]);
    expect(no.code).toBe(1);
    // The kept rows either side, found by a scan.
    const before = kept.filter((r) => r < dropped).at(-1);
    const after = kept.find((r) => r > dropped);
    const nearest = [before, after].filter((r) => r !== undefined);
    expect(no.stderr).toContain(
      `row ${dropped} is not one the filter ${WHERE} keeps (it keeps ${kept.length} rows; the nearest ` +
        `${nearest.length === 1 ? `is ${nearest[0]}` : `are ${nearest[0]} and ${nearest[1]}`})`,
    );
  });

  it('train records the filter and trains on the kept rows', async () => {
    const r = await runCli(cpuTrainArgs(PENGUINS, { epochs: 1 }, ['--where', WHERE]));
    expect(r.stderr).toBe('');
    const rec = JSON.parse(r.stdout) as RunRecord;
    expect(rec.config.data.where).toBe(WHERE);
    // Labelled kept rows, split as the run's split splits them; one epoch of batches of 32.
    const labelled = kept.filter((i) => species.codes[i] >= 0).length;
    const train = splitRows(labelled, rec.config.data.split).train.length;
    expect(rec.steps.length).toBe(Math.ceil(train / rec.config.batchSize));
  });

  it("a label the filter leaves with one class is refused naming the filter's rows, not the file's", async () => {
    // Torgersen's penguins are of one species (the reference: the columns' codes).
    const where = `Island = 'Torgersen'`;
    const rows = [...Array(table.rows).keys()].filter((i) => island.dictionary[island.codes[i]] === 'Torgersen');
    const classes = new Set(rows.filter((i) => species.codes[i] >= 0).map((i) => species.dictionary[species.codes[i]]));
    expect(classes.size).toBe(1);
    const r = await runCli(cpuTrainArgs(PENGUINS, { epochs: 1 }, ['--label', 'Species', '--where', where]));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `train: penguins.arrow: label "Species" has a single class ("${[...classes][0]}"); nothing to learn ` +
        `(in the ${rows.length} of ${table.rows} rows where ${where})`,
    );
  });

  it('a value a column never holds is said beside the count (inspect) and on stderr (train), not refused', async () => {
    const typo = `Island in ('Dream', 'Drem')`;
    const i = await runCli(['inspect', PENGUINS, '--where', typo]);
    expect(i.code).toBe(0);
    const dream = kept.filter((r) => island.dictionary[island.codes[r]] === 'Dream').length;
    expect(i.stdout.split('\n')[0]).toContain(
      `(${dream} of ${table.rows} rows kept by the filter ${typo}; 'Drem' is no value of "Island" (did you mean 'Dream'?))`,
    );
    const j = await runCli(['inspect', PENGUINS, '--where', typo, '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({
      rows: dream,
      where: typo,
      filterNotes: [`'Drem' is no value of "Island" (did you mean 'Dream'?)`],
    });
    const t = await runCli(cpuTrainArgs(PENGUINS, { epochs: 1 }, ['--where', typo]));
    expect(t.code).toBe(0);
    expect(t.stderr).toBe(`note: the filter: 'Drem' is no value of "Island" (did you mean 'Dream'?)\n`);
  });

  it.each([
    [['--where', 'Island = '], /the filter ends early: expected a value/],
    [['--where', 'Island < 3'], /the filter: column "Island" holds categories/],
    [['--where', 'Island ='], /ends early/],
    [['--where'], /--where needs a filter/],
  ])('inspect %j is refused: %s', async (flags, message) => {
    const r = await runCli(['inspect', PENGUINS, ...flags]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it('a streamed file is filtered chunk by chunk, a filter that keeps none of the first chunk is refused, a typo is said', async () => {
    const r = await runCli(['train', '--data', PENGUINS, '--backend', 'cpu', '--stream', '--where', WHERE, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout) as RunRecord;
    expect(rec.config.data.where).toBe(WHERE);
    expect(rec.summary.status).toBe('done');
    const none = await runCli([
      'train',
      '--data',
      PENGUINS,
      '--backend',
      'cpu',
      '--stream',
      '--where',
      "Island = 'Atlantis'",
    ]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /the filter keeps none of the first 344 rows of penguins\.arrow; streaming fixes its encoding.*; in those rows, 'Atlantis' is no value of "Island"$/m,
    );
    // A likely typo that keeps rows is said once the stream's first pass is over, as for a file loaded whole.
    const typo = ['--where', "Island != 'biscoe'"];
    const streamed = await runCli(['train', '--data', PENGUINS, '--backend', 'cpu', '--stream', ...typo]);
    expect(streamed.code, streamed.stderr).toBe(0);
    expect(streamed.stderr).toContain(`note: the filter: 'biscoe' is no value of "Island" (did you mean 'Biscoe'?)`);
  });
});

describe('keptNear (the kept rows beside one the filter drops)', () => {
  it('names the kept rows either side, against a scan (seeded)', () => {
    expect(keptNear(new Int32Array(0), 5)).toBe('it keeps no rows');
    expect(keptNear(Int32Array.of(7), 5)).toBe('it keeps 1 row; the nearest is 7');
    expect(keptNear(Int32Array.of(1, 3), 9)).toBe('it keeps 2 rows; the nearest is 3');
    const rng = new Rng(8);
    for (let trial = 0; trial < 300; trial++) {
      const all = Array.from({ length: 1 + rng.int(40) }, (_, i) => i);
      const kept = Int32Array.from(all.filter(() => rng.next() < 0.4));
      const dropped = all.filter((r) => !kept.includes(r));
      if (dropped.length === 0 || kept.length === 0) continue;
      const row = dropped[rng.int(dropped.length)];
      const near = [[...kept].filter((r) => r < row).at(-1), [...kept].find((r) => r > row)].filter(
        (r) => r !== undefined,
      );
      expect(keptNear(kept, row)).toBe(
        `it keeps ${kept.length} row${kept.length === 1 ? '' : 's'}; the nearest ` +
          (near.length === 1 ? `is ${near[0]}` : `are ${near[0]} and ${near[1]}`),
      );
    }
  });
});
