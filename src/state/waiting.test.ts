import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, validateSettings } from '../core/train/run-config';
import { defaultSplit } from '../core/data/split';
import { queuedConfig } from './queued-config';
import type { RunView } from './store';
import { readWaiting, waitingOf } from './waiting';

const data = {
  fingerprint: 'ab'.repeat(32),
  name: 'penguins.arrow',
  rows: 344,
  label: 'species',
  features: ['bill', 'flipper'],
  dedup: 'none' as const,
  split: defaultSplit(3),
};

function run(id: string, status: RunView['status'], extra: Partial<RunView> = {}): RunView {
  // Queued runs' configs are made from validated settings (enqueue's contract).
  const settings = validateSettings({ ...DEFAULT_SETTINGS, seed: 3, batchSize: 16, timeBudgetSec: 5 });
  const { config, title, budgetSec } = queuedConfig(settings, data);
  return {
    id,
    title,
    config,
    environment: null,
    status,
    steps: [],
    epochs: [],
    summary: null,
    error: null,
    info: null,
    colour: 2,
    createdAt: 10,
    startedAt: null,
    finishedAt: null,
    budgetSec,
    expectedSteps: null,
    sweep: null,
    ...extra,
  };
}

describe('waiting runs kept over a reload', () => {
  it('keeps queued and running runs (not finished or streaming ones), and reads them back as they were', () => {
    const sweep = { id: 'sweep-1', rung: 1, key: 'c0' };
    const runs = [
      run('a', 'queued'),
      run('b', 'running', { sweep }),
      run('c', 'done'),
      run('e', 'queued', { stream: { name: 'x.arrows', blob: new Blob([]) } }),
    ];
    const kept = waitingOf(runs);
    expect(kept).toHaveLength(2);
    // Through a structured clone, as IndexedDB stores it.
    const back = readWaiting(structuredClone(kept));
    expect(back.dropped).toBe(0);
    expect(back.runs).toHaveLength(2);
    // Queued again, a run gets the same config it had (its data, not the panel's), budget included.
    expect(back.runs[0].config).toEqual(runs[0].config);
    expect(back.runs[0].config.maxSeconds).toBe(5);
    expect(back.runs.map((r) => r.sweep)).toEqual([null, sweep]);
  });

  it("reads the first version's entries (settings and data) as the same config", () => {
    const settings = validateSettings({ ...DEFAULT_SETTINGS, seed: 3, batchSize: 16, timeBudgetSec: 5 });
    const back = readWaiting([{ settings, data, colour: 1, createdAt: 5 }]);
    expect(back.runs).toEqual([{ config: run('a', 'queued').config, colour: 1, createdAt: 5, sweep: null }]);
  });

  it('drops entries that do not check out, counting them', () => {
    const good = waitingOf([run('a', 'queued')])[0];
    const config = good.config;
    const bad = [
      { ...good, config: { ...config, batchSize: -1 } },
      { ...good, config: { ...config, optimizer: { name: 'nope', learningRate: 1 } } },
      { ...good, config: { ...config, data: { ...config.data, features: 'bill' } } },
      { ...good, config: { ...config, data: { ...config.data, split: { ...config.data.split, train: 2 } } } },
      { ...good, colour: -1 },
      { ...good, config: { ...config, maxSeconds: -5 } },
      // Each part valid, the pair not: tfjs does not prepare raw batches on the GPU.
      { ...good, config: { ...config, engine: 'tfjs', prepareOn: 'gpu' } },
      { ...good, config: { ...config, engine: 'wgsl', augment: { pad: 2, flip: true } } },
      { ...good, sweep: { id: 7 } },
      { ...good, config: null },
      null,
      'x',
    ];
    const back = readWaiting([good, ...bad]);
    expect(back.runs).toHaveLength(1);
    expect(back.dropped).toBe(bad.length);
    expect(readWaiting({ not: 'a list' })).toEqual({ runs: [], dropped: 0 });
  });
});
