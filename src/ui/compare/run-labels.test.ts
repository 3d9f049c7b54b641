import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, makeRunConfig, validateSettings, type RunSettings } from '../../core/train/run-config';
import type { RunConfig } from '../../core/train/record';
import { differingLabels, runNames } from './run-labels';

const data = (name = 'penguins.arrow', label = 'Species'): RunConfig['data'] => ({
  fingerprint: `sha-${name}`,
  name,
  rows: 344,
  label,
  features: ['Island'],
  dedup: 'none',
  split: { train: 0.8, val: 0.1, test: 0.1, seed: 1 },
});

/** A config as the form queues it: validated, so every default hyper-parameter is written out. */
function config(more: Partial<RunSettings> = {}, d = data()): RunConfig {
  return makeRunConfig(validateSettings({ ...DEFAULT_SETTINGS, ...more }), d);
}
const run = (
  more: Partial<RunSettings> = {},
  extra: { origin?: string | null; budgetSec?: number | null; d?: RunConfig['data'] } = {},
) => ({ config: config(more, extra.d), budgetSec: extra.budgetSec ?? null, origin: extra.origin ?? null });

describe('run labels in the comparison', () => {
  it('name only the settings that differ, never the written-out defaults', () => {
    const labels = differingLabels([run({ batchSize: 16 }), run({ batchSize: 64 })]);
    expect(labels).toEqual(['batch 16', 'batch 64']);
    // The defaults validateSettings writes out (beta1 0.9 beta2 0.999 ...) are in the configs...
    expect(config().optimizer.beta1).toBe(0.9);
    // ...and in no label.
    for (const l of labels) expect(l).not.toMatch(/beta|epsilon|weightDecay|prefetch|penguins/);
  });

  it("between optimizers: the names, not each one's default hyper-parameters", () => {
    const labels = differingLabels([
      run({ optimizer: { name: 'adam', learningRate: 0.01 } }),
      run({ optimizer: { name: 'sgd', learningRate: 0.01 } }),
      run({ optimizer: { name: 'adamw', learningRate: 0.001 } }),
    ]);
    expect(labels).toEqual(['adam · lr 0.01', 'sgd · lr 0.01', 'adamw · lr 0.001']);
    expect(
      differingLabels([
        run({ optimizer: { name: 'adam', learningRate: 0.01 } }),
        run({ optimizer: { name: 'adamw', learningRate: 0.01, weightDecay: 0.05 } }),
      ]),
    ).toEqual(['adam', 'adamw · weightDecay 0.05']);
  });

  it('a hyper-parameter that differs between runs that have it is named', () => {
    const labels = differingLabels([
      run({ optimizer: { name: 'adam', learningRate: 0.01, beta1: 0.9 } }),
      run({ optimizer: { name: 'adam', learningRate: 0.01, beta1: 0.95 } }),
    ]);
    expect(labels).toEqual(['beta1 0.9', 'beta1 0.95']);
  });

  it('a lone run, or runs that differ in nothing, get a headline without defaults', () => {
    const [alone] = differingLabels([run()]);
    expect(alone).toBe('MLP 32x32 relu · adam · lr 0.01 · batch 32 · 10 ep');
    expect(differingLabels([run(), run()])).toEqual([alone, alone]);
  });

  it('runs on different datasets name their data; engine and precision name their usual value', () => {
    expect(
      differingLabels([run({}, { d: data('penguins.arrow') }), run({}, { d: data('flights.csv', 'delay') })]),
    ).toEqual(['penguins.arrow → Species', 'flights.csv → delay']);
    expect(differingLabels([run(), run({ engine: 'wgsl' }), run({ engine: 'wgsl', precision: 'fp16-mixed' })])).toEqual(
      ['tfjs · fp32', 'wgsl · fp32', 'wgsl · fp16-mixed'],
    );
  });

  it(
    'a run from a share link is marked shared even when every run is shared, and runs made here say so ' +
      'beside them',
    () => {
      const shared = differingLabels([
        run({ batchSize: 16 }, { origin: 'nvidia' }),
        run({ batchSize: 64 }, { origin: 'nvidia' }),
      ]);
      expect(shared).toEqual(['batch 16 · shared: nvidia', 'batch 64 · shared: nvidia']);
      const [one] = differingLabels([run({}, { origin: 'cpu' })]);
      expect(one).toMatch(/ · shared: cpu$/);
      // The same configuration here and elsewhere: where they ran is the whole label.
      expect(differingLabels([run({}, { origin: 'cpu' }), run()])).toEqual(['shared: cpu', 'here']);
      expect(differingLabels([run({ batchSize: 16 }, { origin: 'cpu' }), run({ batchSize: 64 })])).toEqual([
        'batch 16 · shared: cpu',
        'batch 64 · here',
      ]);
    },
  );

  it('names runs by id, with the seed only when seeds differ or names would clash', () => {
    const a = { id: 'a', ...run({ batchSize: 16 }) };
    const b = { id: 'b', ...run({ batchSize: 64 }) };
    expect(runNames([a, b])).toEqual({ a: 'batch 16', b: 'batch 64' });
    const c = { id: 'c', ...run({ batchSize: 16, seed: 2 }) };
    expect(runNames([a, b, c])).toEqual({ a: 'batch 16 · seed 1', b: 'batch 64 · seed 1', c: 'batch 16 · seed 2' });
    const again = { id: 'd', ...run({ batchSize: 16 }) };
    expect(runNames([a, again])).toEqual({
      a: `${differingLabels([a])[0]} · seed 1`,
      d: `${differingLabels([a])[0]} · seed 1`,
    });
  });

  it('28 runs over a matrix stay short', () => {
    const runs = [];
    for (const name of ['adam', 'sgd'] as const)
      for (const lr of [0.1, 0.01])
        for (const batchSize of [16, 32, 64, 128, 256, 512, 1024]) {
          runs.push(run({ optimizer: { name, learningRate: lr }, batchSize }));
        }
    const labels = differingLabels(runs);
    expect(new Set(labels).size).toBe(28);
    expect(labels[0]).toBe('adam · lr 0.1 · batch 16');
    for (const l of labels) expect(l.length).toBeLessThanOrEqual(30);
  });
});
