import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../core/train/run-config';
import type { RunConfig } from '../core/train/record';
import { BUDGET_EPOCHS, queuedConfig, withStreamedData } from './queued-config';

const streamData: RunConfig['data'] = {
  fingerprint: '',
  name: 'flights-3m.parquet',
  rows: 0,
  label: '',
  features: [],
  dedup: 'none',
  split: { train: 0.8, val: 0.1, test: 0.1, seed: 1 },
};

describe('queued run configs (streaming runs included)', () => {
  it(
    'a streaming run honours a time budget: budget kept, the data side asked for budget epochs, the title ' +
      'says seconds',
    () => {
      const q = queuedConfig({ ...DEFAULT_SETTINGS, epochs: 10, timeBudgetSec: 5 }, streamData, 'flights-3m.parquet');
      expect(q.budgetSec).toBe(5);
      expect(q.config.epochs).toBe(BUDGET_EPOCHS);
      // The trainer ends the run: maxSeconds of training after start-up.
      expect(q.config.maxSeconds).toBe(5);
      expect(q.title).toContain('5 s');
      expect(q.title).not.toMatch(/\d+ ep/);
      expect(q.title).toContain('streaming flights-3m.parquet');
    },
  );

  it('and an epoch count when that is the run length', () => {
    const q = queuedConfig({ ...DEFAULT_SETTINGS, epochs: 3, timeBudgetSec: null }, streamData, 'flights-3m.parquet');
    expect(q.budgetSec).toBeNull();
    expect(q.config.epochs).toBe(3);
    expect(q.config.maxSeconds).toBeUndefined();
    expect(q.title).toContain('3 ep');
  });

  it('once the first chunk is in, the label and features go into the config and the title names the label', () => {
    const q = queuedConfig({ ...DEFAULT_SETTINGS, timeBudgetSec: 8 }, streamData, 'flights-3m.parquet');
    expect(q.title).not.toContain('→ delay');
    const named = withStreamedData(q, 'delay', ['distance', 'time'], 'flights-3m.parquet');
    expect(named.config.data.label).toBe('delay');
    expect(named.config.data.features).toEqual(['distance', 'time']);
    expect(named.config.epochs).toBe(BUDGET_EPOCHS);
    expect(named.budgetSec).toBe(8);
    expect(named.title).toContain('flights-3m.parquet → delay');
    expect(q.config.data.label).toBe('');
  });
});
