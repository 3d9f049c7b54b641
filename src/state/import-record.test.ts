/** Opening run record files: a CLI record joins the runs with its weights; damaged or newer records are refused by field. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DataError } from '../core/data/table';
import type { RunRecord } from '../core/train/record';
import { importRecord } from './import-record';
import { store } from './store';
import { trainedOf } from './trained-models';

const cli = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    'src/cli/main.ts',
    'train',
    '--data',
    'public/datasets/penguins.arrow',
    '--epochs',
    '1',
    '--backend',
    'cpu',
    '--json',
    '--quiet',
  ],
  { encoding: 'utf8', timeout: 60_000 },
);
const text = cli.stdout;
const good = () => JSON.parse(text) as RunRecord & Record<string, unknown>;

describe('importRecord', () => {
  it('adds a CLI record as a finished run, marked with where it trained, with its weights', async () => {
    expect(cli.status).toBe(0);
    const before = store.getState().runs.length;
    const run = importRecord(text, 'run.json');
    const rec = good();
    expect(store.getState().runs).toHaveLength(before + 1);
    expect(run.id).toBe(rec.id);
    expect(run.origin).toBe(rec.environment.runtime);
    expect(run.status).toBe('done');
    expect(run.epochs).toEqual(rec.epochs);
    expect(run.steps).toHaveLength(rec.steps.length);
    expect((await trainedOf(run.id))?.tensors.map((t) => t.name)).toEqual(rec.trained!.tensors.map((t) => t.name));
    expect(store.getState().notice).toMatch(
      /^opened run .* from run\.json \(trained on .*\), with its trained weights$/,
    );
    expect(() => importRecord(text, 'again.json')).toThrow(/again\.json: run .* is open already/);
  });

  const refused: [string, () => unknown, RegExp][] = [
    [
      'a newer format',
      () => ({ ...good(), version: 7 }),
      /x\.json: version: the record is format version 7, written by a newer Trainbench/,
    ],
    ['a step that is not one', () => ({ ...good(), id: 'b', steps: [{ step: 'one' }] }), /x\.json: steps\[0\]\.step: /],
    [
      'an unknown engine',
      () => ({ ...good(), id: 'c', config: { ...good().config, engine: 'cuda' } }),
      /x\.json: config\.engine: must be one of tfjs, wgsl/,
    ],
    ['not an object', () => [1, 2], /x\.json: record: is not a run record/],
  ];
  for (const [what, make, message] of refused)
    it(`refuses ${what}, naming the field`, () => {
      const runs = store.getState().runs.length;
      let error: unknown = null;
      try {
        importRecord(JSON.stringify(make()), 'x.json');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DataError);
      expect((error as Error).message).toMatch(message);
      expect(store.getState().runs).toHaveLength(runs);
    });

  it('refuses text that is not JSON', () => {
    expect(() => importRecord('{"version": 1,', 'cut.json')).toThrow(/^cut\.json: is not JSON/);
  });
});
