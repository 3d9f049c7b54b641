/**
 * The CLI's decode time limit (issue 12: six inputs ran past 30 s). A decode is a synchronous
 * loop in a worker thread; past `--time-limit` the thread is terminated and the command
 * refuses the file with exit 1. flights-3m.parquet (13.5 MB, 3M rows) cannot decode in 10 ms
 * on any machine, so the refusal does not depend on the machine's speed; a small file decodes
 * well within a second, which shows that the thread's start-up is not counted.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-process.test-support';

const BIG = 'node_modules/vega-datasets/data/flights-3m.parquet';

const cli = runCli;

describe('cli --time-limit', () => {
  it('stops a decode that runs past the limit: exit 1, one line naming the file and the limit', async () => {
    for (const command of [
      ['inspect', BIG],
      ['dedup', BIG],
      ['train', '--data', BIG, '--backend', 'cpu'],
    ]) {
      const r = await cli([...command, '--time-limit', '0.01', '--json']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toEqual([
        `${command[0]}: ${BIG}: decoding took longer than the time limit of 0.01 s and was stopped ` +
          `(--time-limit SECONDS sets the limit)`,
      ]);
    }
  }, 240_000);

  it('stops an HDF5 file that makes the HDF5 library loop forever (src/fixtures/hdf5)', async () => {
    const file = 'src/fixtures/hdf5/loops-forever.h5';
    const r = await cli(['inspect', file, '--time-limit', '3']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `inspect: ${file}: decoding took longer than the time limit of 3 s and was stopped (--time-limit SECONDS sets the limit)`,
    ]);
  }, 120_000);

  it('counts the decode only, not the start of its thread, and the default limit is in the help', async () => {
    const r = await cli(['inspect', 'public/datasets/penguins.arrow', '--time-limit', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { rows: number }).rows).toBe(344);
    for (const command of ['inspect', 'train']) {
      const help = await cli([command, '--help']);
      expect(help.stdout).toMatch(
        /--time-limit SECONDS\s+stop decoding the data file after this long, as bad input \((exit 1; )?default 120\)/,
      );
    }
  }, 120_000);
});
