import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, validateSettings } from '../core/train/run-config';
import { defaultSplit } from '../core/data/split';
import { queuedConfig } from './queued-config';
import type { RunView } from './store';
import { readWaiting, waitingOf } from './waiting';

const data = { fingerprint: 'ab'.repeat(32), name: 'penguins.arrow', rows: 344, label: 'species', features: ['bill', 'flipper'], dedup: 'none' as const, split: defaultSplit(3) };

function run(id: string, status: RunView['status'], extra: Partial<RunView> = {}): RunView {
  // Queued runs hold validated settings (enqueue's contract).
  const settings = validateSettings({ ...DEFAULT_SETTINGS, seed: 3, batchSize: 16, timeBudgetSec: 5 });
  const { config, title, budgetSec } = queuedConfig(settings, data);
  return { id, title, config, environment: null, status, steps: [], epochs: [], summary: null, error: null, info: null, settings, colour: 2, createdAt: 10, startedAt: null, finishedAt: null, budgetSec, expectedSteps: null, sweep: null, ...extra };
}

describe('waiting runs kept over a reload', () => {
  it('keeps queued and running runs (not finished, restored or streaming ones), and reads them back as they were', () => {
    const runs = [run('a', 'queued'), run('b', 'running'), run('c', 'done'), run('d', 'queued', { settings: null }), run('e', 'queued', { stream: { name: 'x.arrows', blob: new Blob([]) } })];
    const kept = waitingOf(runs);
    expect(kept).toHaveLength(2);
    // Through a structured clone, as IndexedDB stores it.
    const back = readWaiting(structuredClone(kept));
    expect(back.dropped).toBe(0);
    expect(back.runs).toHaveLength(2);
    // Queued again, a run gets the same config it had (its data, not the panel's).
    expect(queuedConfig(back.runs[0].settings, back.runs[0].data).config).toEqual(runs[0].config);
  });

  it('drops entries that do not check out, counting them', () => {
    const good = waitingOf([run('a', 'queued')])[0];
    const bad = [
      { ...good, settings: { ...good.settings, batchSize: -1 } },
      { ...good, settings: { ...good.settings, optimizer: { name: 'nope', learningRate: 1 } } },
      { ...good, data: { ...good.data, features: 'bill' } },
      { ...good, data: { ...good.data, split: { ...good.data.split, train: 2 } } },
      { ...good, colour: -1 },
      { ...good, settings: { ...good.settings, timeBudgetSec: -5 } },
      null,
      'x',
    ];
    const back = readWaiting([good, ...bad]);
    expect(back.runs).toHaveLength(1);
    expect(back.dropped).toBe(bad.length);
    expect(readWaiting({ not: 'a list' })).toEqual({ runs: [], dropped: 0 });
  });
});
