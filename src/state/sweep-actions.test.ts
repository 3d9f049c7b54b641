/**
 * Sweeps with the services in process (tfjs on its cpu backend): the rungs are queued and
 * trained on the configs made when the sweep started, a cancelled sweep trains nothing more,
 * and a sweep half done when the page closes goes on after the reload.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queueRestored, updateMatrix, updateSettings } from './run-actions';
import { cancelSweep, startSweepFromForm, updateSweepForm } from './sweep-actions';
import { startApp, type App } from './app';
import { initialState, store } from './store';
import { loadDataset, localQueueServices, type LocalQueueServices, until } from './test-services';
import { readSweep, readWaiting, sweepToStore, waitingOf } from './waiting';
import type { DataApi } from '../services/protocol';

const penguins = readFileSync('public/datasets/penguins.arrow');

let services: LocalQueueServices;
let app: App;

const prepared = () =>
  services.dataCalls.filter((c) => c.method === 'prepareRun').map((c) => c.args as DataApi['prepareRun']['args']);

async function fresh(): Promise<void> {
  store.setState(initialState, true);
  services = localQueueServices();
  app = startApp(services);
  await loadDataset(store, services, 'penguins.arrow', penguins);
  updateSettings({ backend: 'cpu', epochs: 1 });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('sweeps (in process, tfjs-cpu)', () => {
  beforeEach(fresh);

  it("runs the rungs on the configs made at the start, with each rung's epochs, until one is left", async () => {
    updateMatrix({ batchSize: [16, 32, 64, 128] });
    updateSweepForm({ eta: 2, minEpochs: 1, maxEpochs: 4 });
    const features = store.getState().dataset.features;
    expect(startSweepFromForm()).toBe(true);
    // The data panel changes while the sweep runs: its later rungs do not follow.
    store.setState((s) => ({ dataset: { ...s.dataset, features: features.slice(1) } }));
    await app.queue.idle();
    const sweep = store.getState().sweep!;
    expect(sweep.status).toBe('done');
    expect(sweep.state.rungs.map((r) => [r.budget, r.keys.length])).toEqual([
      [1, 4],
      [2, 2],
      [4, 1],
    ]);
    const runs = store.getState().runs;
    expect(runs.map((r) => r.status)).toEqual(Array(7).fill('done'));
    expect(runs.map((r) => r.config.epochs)).toEqual([1, 1, 1, 1, 2, 2, 4]);
    expect(runs.map((r) => r.sweep?.rung)).toEqual([0, 0, 0, 0, 1, 1, 2]);
    // Each run trained its configuration's batch size, on the features of the start.
    expect(runs.map((r) => r.config.batchSize)).toEqual(runs.map((r) => sweep.configs[r.sweep!.key].batchSize));
    expect(prepared().map((a) => a.batchSize)).toEqual(runs.map((r) => r.config.batchSize));
    expect(prepared().map((a) => a.epochs)).toEqual([1, 1, 1, 1, 2, 2, 4]);
    for (const a of prepared()) expect(a.features.features).toEqual(features);
  });

  it('refuses what it cannot sweep, saying why in the form', () => {
    expect(startSweepFromForm()).toBe(false);
    expect(store.getState().settingsError).toMatch(/needs at least two configurations/);
    updateMatrix({ batchSize: [16, 32] });
    updateSettings({ timeBudgetSec: 5 });
    expect(startSweepFromForm()).toBe(false);
    expect(store.getState().settingsError).toMatch(/budgets are epochs/);
    expect(store.getState().runs).toEqual([]);
  });

  it('a cancelled sweep takes its waiting runs out and queues no further rung', async () => {
    updateMatrix({ batchSize: [16, 32, 64] });
    expect(startSweepFromForm()).toBe(true);
    await until(store, () => store.getState().runs[0]?.status === 'running');
    cancelSweep();
    await app.queue.idle();
    expect(store.getState().sweep?.status).toBe('cancelled');
    expect(store.getState().runs.map((r) => r.status)).toEqual(['done']);
    expect(prepared()).toHaveLength(1);
  });

  it('a sweep half done when the page closes goes on after the reload, from where it was', async () => {
    updateMatrix({ batchSize: [16, 32, 64, 128] });
    updateSweepForm({ eta: 2, minEpochs: 1, maxEpochs: 4 });
    const features = store.getState().dataset.features;
    expect(startSweepFromForm()).toBe(true);
    // The page closes while the second rung's first run trains: what persist.ts keeps, read back.
    await until(store, () => store.getState().runs.some((r) => r.sweep?.rung === 1 && r.status === 'running'));
    const waiting = readWaiting(structuredClone(waitingOf(store.getState().runs)));
    const sweep = readSweep(structuredClone(sweepToStore(store.getState().sweep)));
    expect(waiting.runs.map((w) => w.sweep?.rung)).toEqual([1, 1]);
    expect(sweep?.state.results).toHaveLength(4);
    const before = store.getState().sweep!;
    await app.queue.idle();

    await fresh();
    store.setState((s) => ({
      restoredQueue: { ...waiting, sweep },
      dataset: { ...s.dataset, features: features.slice(2) },
    }));
    expect(queueRestored()).toBeNull();
    expect(store.getState().sweep?.id).toBe(before.id);
    await app.queue.idle();
    const after = store.getState().sweep!;
    expect(after.status).toBe('done');
    // Four trials from before the reload, three after it: the second rung's two and the last rung's one.
    expect(after.state.results.map((r) => r.rung)).toEqual([0, 0, 0, 0, 1, 1, 2]);
    expect(after.state.rungs.map((r) => r.keys)).toEqual(
      before.state.rungs.map((r) => r.keys).concat([after.state.rungs[2].keys]),
    );
    const runs = store.getState().runs;
    expect(runs.map((r) => [r.sweep?.rung, r.config.epochs, r.status])).toEqual([
      [1, 2, 'done'],
      [1, 2, 'done'],
      [2, 4, 'done'],
    ]);
    for (const a of prepared()) expect(a.features.features).toEqual(features);
  });

  it('refuses a stored sweep whose trials do not add up', () => {
    const view = {
      id: 's',
      state: {
        options: { eta: 2, minBudget: 1, maxBudget: 4, rankBy: 'loss' as const },
        rungs: [],
        results: [],
        done: false,
      },
      configs: {},
      labels: {},
      targetLoss: null,
      status: 'running' as const,
    };
    expect(readSweep(sweepToStore(view))).toBeNull();
    expect(readSweep(null)).toBeNull();
    expect(sweepToStore({ ...view, status: 'done' })).toBeNull();
  });
});
