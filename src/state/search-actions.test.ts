/**
 * Searches with the services in process (tfjs on its cpu backend): each trial is a run of the
 * search's settings with the trial's parameters and budget, its objective read from that run; a
 * search interrupted by a reload goes on to the same trials as one that was not; the best trial
 * goes to the Run form; bad spaces are refused naming the dimension.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { updateSettings } from './run-actions';
import {
  bestOfSearch,
  cancelSearch,
  resumeSearch,
  searchSpec,
  startSearchFromForm,
  trialToForm,
  updateSearchForm,
} from './sweep-actions';
import { startApp, type App } from './app';
import { initialState, store, type SearchForm } from './store';
import { loadDataset, localQueueServices, type LocalQueueServices, until } from './test-services';
import { waitingOf } from './waiting';
import { readSearch, searchFromRecord, searchRecord } from './search-store';
import { makePayload } from '../core/share/link';
import { packPayload, unpackPayload } from './share-pack';
import { toStored } from './persist';

const penguins = readFileSync('public/datasets/penguins.arrow');
let services: LocalQueueServices;
let app: App;

async function fresh(): Promise<void> {
  store.setState(initialState, true);
  services = localQueueServices();
  app = startApp(services);
  await loadDataset(store, services, 'penguins.arrow', penguins);
  updateSettings({ backend: 'cpu', epochs: 1, batchSize: 16 });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const FORM: Partial<SearchForm> = {
  rows: [
    { path: 'optimizer.learningRate', type: 'log', min: 0.001, max: 0.3, values: '' },
    { path: 'batchSize', type: 'int', min: 8, max: 48, values: '' },
    { path: 'optimizer.name', type: 'choice', min: 0, max: 0, values: 'sgd, adam' },
  ],
  sampler: 'tpe',
  scheduler: 'halving',
  trials: 4,
  maxBudget: 8,
  eta: 2,
  objective: 'valLoss',
  second: 'none',
  seed: 3,
};

describe('searches (in process, tfjs-cpu)', () => {
  beforeEach(fresh);

  it("trains each trial as a run of its parameters and budget, reports that run's validation loss, and ends", async () => {
    updateSearchForm(FORM);
    expect(startSearchFromForm()).toBe(true);
    await until(store, () => store.getState().search?.status === 'done');
    await app.queue.idle();
    const search = store.getState().search!;
    const runs = store.getState().runs;
    // Halving over 4 configurations at eta 2: 4 at 2 steps, 2 at 4, 1 at 8.
    expect(search.trials.map((t) => t.budget)).toEqual([2, 2, 2, 2, 4, 4, 8]);
    expect(runs).toHaveLength(7);
    search.trials.forEach((t) => {
      const run = runs.find((r) => r.id === t.runId)!;
      expect(run.status).toBe('done');
      expect(run.config.optimizer.name).toBe(t.params['optimizer.name']);
      expect(run.config.optimizer.learningRate).toBe(t.params['optimizer.learningRate']);
      expect(run.config.batchSize).toBe(t.params.batchSize);
      expect(run.config.maxSteps).toBe(t.budget);
      expect(run.steps.length).toBe(t.budget);
      expect(t.steps).toBe(t.budget);
      expect(t.objective).toBe(run.epochs[run.epochs.length - 1].valLoss);
    });
    // The best: the lowest validation loss at the largest budget.
    const best = bestOfSearch(search)!;
    expect(best.budget).toBe(8);
    trialToForm(search, best);
    const s = store.getState().settings;
    expect(s.optimizer.learningRate).toBe(best.params['optimizer.learningRate']);
    expect(s.batchSize).toBe(best.params.batchSize);
    expect(s.optimizer.name).toBe(best.params['optimizer.name']);
    expect(s.epochs).toBe(1);
  });

  it('maximises accuracy where the runs read the label as classes (digits as numbers), minimises loss under regression', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `${i % 10},${(i * 7) % 13},${(i % 10) * 2 + ((i * 3) % 5)}`);
    await loadDataset(store, services, 'digits.csv', new TextEncoder().encode(`digit,a,b\n${rows.join('\n')}\n`));
    store.setState((s) => ({ dataset: { ...s.dataset, label: 'digit', features: ['a', 'b'] } }));
    updateSearchForm({ ...FORM, trials: 2, scheduler: 'none', maxBudget: 2, objective: 'valMetric' });
    expect(startSearchFromForm()).toBe(true);
    expect(store.getState().search!.minimise).toBe(false);
    await until(store, () => store.getState().search?.status === 'done');
    await app.queue.idle();
    const search = store.getState().search!;
    const runs = store.getState().runs;
    // Each trial's objective is its run's validation accuracy; the best is the highest.
    for (const t of search.trials)
      expect(t.objective).toBe(runs.find((r) => r.id === t.runId)!.epochs.at(-1)!.valAccuracy);
    const accuracies = search.trials.map((t) => t.objective!);
    expect(bestOfSearch(search)!.objective).toBe(Math.max(...accuracies));

    store.setState((s) => ({ dataset: { ...s.dataset, task: 'regression' } }));
    expect(startSearchFromForm()).toBe(true);
    expect(store.getState().search!.minimise).toBe(true);
    await until(store, () => store.getState().search?.status === 'done');
    await app.queue.idle();
  });

  it('goes on after a reload to the same trials as a search that was not interrupted', async () => {
    updateSearchForm(FORM);
    startSearchFromForm();
    await until(store, () => store.getState().search?.status === 'done');
    await app.queue.idle();
    const whole = store.getState().search!;

    await fresh();
    updateSearchForm(FORM);
    startSearchFromForm();
    // The page closes while trial 4 trains: what is stored is the search with its trials so far.
    await until(store, () => (store.getState().search?.trials.filter((t) => t.steps > 0).length ?? 0) >= 3);
    const stored = structuredClone({ ...store.getState().search!, status: 'interrupted' as const });
    expect(waitingOf(store.getState().runs).filter((r) => r.sweep?.id === stored.id)).toEqual([]);
    await app.queue.idle();

    await fresh();
    store.setState({ search: stored });
    resumeSearch();
    await until(store, () => store.getState().search?.status === 'done');
    const resumed = store.getState().search!;
    expect(resumed.trials.map((t) => [t.params, t.budget, t.stoppedEarly])).toEqual(
      whole.trials.map((t) => [t.params, t.budget, t.stoppedEarly]),
    );
    expect(resumed.trials.map((t) => t.objective)).toEqual(whole.trials.map((t) => t.objective));
  });

  it('is read back from storage or a link as it was; one that does not add up is refused', async () => {
    updateSearchForm({ ...FORM, second: 'parameters' });
    startSearchFromForm();
    await until(store, () => store.getState().search?.status === 'done');
    const view = store.getState().search!;
    expect(view.trials.every((t) => t.second !== null && t.second > 0)).toBe(true);
    const rec = searchRecord(view);
    expect(readSearch(structuredClone(rec), 'stored')).toEqual(view);
    const shared = readSearch(JSON.parse(JSON.stringify(rec)), 'shared');
    expect(shared).toEqual({ ...view, status: 'shared' });
    expect(readSearch({ ...rec, status: 'running' }, 'stored')?.status).toBe('interrupted');
    const edit = (f: (v: Record<string, unknown>) => void) => {
      const v = JSON.parse(JSON.stringify(rec)) as Record<string, unknown>;
      f(v);
      return readSearch(v, 'shared');
    };
    const trials = (v: Record<string, unknown>) => v.trials as Record<string, unknown>[];
    expect(edit((v) => (trials(v)[2].params = { ...(trials(v)[2].params as object), batchSize: 999 }))).toBeNull();
    expect(edit((v) => (trials(v)[1].budget = 3))).toBeNull();
    expect(edit((v) => (trials(v)[1].objective = 'low'))).toBeNull();
    expect(edit((v) => (v.trials = Array.from({ length: 5000 }, () => trials(v)[0])))).toBeNull();
    expect(edit((v) => ((v.spec as Record<string, unknown>).eta = 1))).toBeNull();
    expect(edit((v) => ((v.config as Record<string, unknown>).batchSize = -1))).toBeNull();
    const hostile =
      '{"__proto__": {"type": "int", "min": 1, "max": 2}, "batchSize": {"type": "int", "min": 8, "max": 48}}';
    expect(edit((v) => ((v.spec as { space: unknown }).space = JSON.parse(hostile)))).toBeNull();
    expect(edit((v) => (trials(v)[0].params = JSON.parse('{"__proto__": 1}')))).toBeNull();
    expect(edit((v) => (v.id = 'run-1'))).toBeNull();
    expect(readSearch(null, 'stored')).toBeNull();
  });

  it('travels in a share link with the runs, and opens read-only as it was', async () => {
    updateSearchForm(FORM);
    startSearchFromForm();
    await until(store, () => store.getState().search?.status === 'done');
    const view = store.getState().search!;
    const runs = store.getState().runs.map(toStored);
    const payload = await unpackPayload(await packPayload(makePayload(runs, null, null, 1, searchRecord(view))));
    expect(payload.runs).toHaveLength(7);
    expect(searchFromRecord(payload.search!, 'shared')).toEqual({ ...view, status: 'shared' });
    // A link whose search was edited opens nothing.
    const edited = structuredClone(makePayload(runs, null, null, 1, searchRecord(view)));
    edited.search!.trials[0].params.batchSize = 999;
    await expect(unpackPayload(await packPayload(edited))).rejects.toThrow(
      /the link's search is malformed: search\.trials/,
    );
  });

  it('a time budget ends the search once its trials have taken that long, saying so', async () => {
    updateSearchForm({ ...FORM, sampler: 'random', scheduler: 'none', trials: 300, maxBudget: 3, timeBudgetSec: 0.5 });
    startSearchFromForm();
    await until(store, () => store.getState().search?.status === 'done');
    await app.queue.idle();
    const search = store.getState().search!;
    expect(search.stoppedByBudget).toBe(true);
    expect(search.spentSec).toBeGreaterThanOrEqual(0.5);
    expect(search.trials.length).toBeGreaterThan(0);
    expect(search.trials.length).toBeLessThan(300);
    expect(search.trials.every((t) => t.objective !== null)).toBe(true);
    // The trials' runs took what the search counted.
    const runs = store.getState().runs;
    const took = runs.reduce((s, r) => s + (r.finishedAt! - r.startedAt!) / 1000, 0);
    expect(search.spentSec).toBeCloseTo(took, 6);
  });

  it('a cancelled search queues nothing more', async () => {
    updateSearchForm(FORM);
    startSearchFromForm();
    await until(store, () => store.getState().search?.trials.some((t) => t.steps > 0) ?? false);
    cancelSearch();
    await app.queue.idle();
    const search = store.getState().search!;
    expect(search.status).toBe('cancelled');
    expect(store.getState().runs.filter((r) => r.status === 'done').length).toBeLessThanOrEqual(2);
  });

  it.each([
    [
      { rows: [{ path: 'optimizer.learningRate', type: 'log' as const, min: 0, max: 0.1, values: '' }] },
      'sweep.space.optimizer.learningRate',
    ],
    [{ rows: [{ path: 'batchSize', type: 'int' as const, min: 64, max: 8, values: '' }] }, 'sweep.space.batchSize'],
    [
      { rows: [{ path: 'optimizer.name', type: 'choice' as const, min: 0, max: 0, values: ' , ' }] },
      'sweep.space.optimizer.name',
    ],
    [{ rows: [{ path: 'colour', type: 'int' as const, min: 1, max: 2, values: '' }] }, 'sweep.space.colour'],
    [{ scheduler: 'halving' as const, trials: 64, maxBudget: 4 }, 'sweep.maxBudget'],
  ])('refuses %j naming %s', (patch, field) => {
    updateSearchForm({ ...FORM, ...patch });
    expect(() => searchSpec(store.getState().searchForm)).toThrow(field);
    expect(startSearchFromForm()).toBe(false);
    expect(store.getState().settingsError).toContain(`${field}:`);
    expect(store.getState().runs).toEqual([]);
  });
});
