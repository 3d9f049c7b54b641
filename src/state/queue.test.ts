/**
 * The run queue with the services in process (the data and trainer services the workers run,
 * tfjs on its cpu backend): what each run trains on, removing a waiting run, a failing run, and
 * the waiting runs of a closed page queued again.
 */
import { readFileSync } from 'node:fs';
import { Table, tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addToQueue, queueRestored, removeQueued, updateSettings } from './run-actions';
import { startApp, type App } from './app';
import { initialState, store, type RunView } from './store';
import { loadDataset, localQueueServices, type LocalQueueServices, until } from './test-services';
import { readWaiting, waitingOf } from './waiting';
import type { DataApi } from '../services/protocol';
import { encodeTable } from '../core/data/encode';
import { encodeRow } from '../core/data/preprocessing';
import { readTable } from '../core/data/read';
import { createModel } from '../core/train/model';
import { readTrainedRecord, RECORD_VERSION } from '../core/train/trained';
import { trainedOf } from './trained-models';

const penguins = readFileSync('public/datasets/penguins.arrow');

let services: LocalQueueServices;
let app: App;

/** The features each prepareRun call asked the data service for, in order. */
const preparedFeatures = () =>
  services.dataCalls
    .filter((c) => c.method === 'prepareRun')
    .map((c) => (c.args as DataApi['prepareRun']['args']).features.features);
/** The encoded width a run trained on, from its info line ("... · 6 features · ..."). */
const width = (r: RunView) => Number(/ (\d+) features/.exec(r.info ?? '')?.[1]);

async function fresh(): Promise<void> {
  store.setState(initialState, true);
  services = localQueueServices();
  app = startApp(services);
  await loadDataset(store, services, 'penguins.arrow', penguins);
  updateSettings({ backend: 'cpu', epochs: 1, batchSize: 32 });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the run queue (in process, tfjs-cpu)', () => {
  beforeEach(fresh);

  it('trains each run on the config it was queued with, whatever the data panel shows later', async () => {
    const all = store.getState().dataset.features;
    expect(all.length).toBeGreaterThan(2);
    expect(addToQueue()).toBe(true);
    expect(addToQueue()).toBe(true);
    // The first run is on the trainer, the second waits: the user unticks a feature.
    const fewer = all.slice(1);
    store.setState((s) => ({ dataset: { ...s.dataset, features: fewer } }));
    expect(addToQueue()).toBe(true);
    await app.queue.idle();
    const runs = store.getState().runs;
    expect(runs.map((r) => r.status)).toEqual(['done', 'done', 'done']);
    expect(runs.map((r) => r.config.data.features)).toEqual([all, all, fewer]);
    // What the data service was asked for: each run's own features, in queue order.
    expect(preparedFeatures()).toEqual([all, all, fewer]);
    expect(width(runs[1])).toBe(width(runs[0]));
    expect(width(runs[2])).toBeLessThan(width(runs[0]));
    for (const r of runs) expect(r.steps.length).toBe(r.expectedSteps);
  });

  it('takes a waiting run out of the queue: it never trains', async () => {
    addToQueue();
    updateSettings({ batchSize: 16 });
    addToQueue();
    const [first, second] = store.getState().runs;
    await until(store, () => store.getState().runs[0].status === 'running');
    removeQueued(second.id);
    // A run on the trainer is not removed by this.
    removeQueued(first.id);
    await app.queue.idle();
    expect(store.getState().runs.map((r) => [r.id, r.status])).toEqual([[first.id, 'done']]);
    expect(preparedFeatures()).toHaveLength(1);
  });

  it('goes on after a run fails', async () => {
    updateSettings({ batchSize: 10_000 });
    addToQueue();
    updateSettings({ batchSize: 32 });
    addToQueue();
    await app.queue.idle();
    const [bad, good] = store.getState().runs;
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatch(/batch size 10000 is larger than the \d+ training rows/);
    expect(good.status).toBe('done');
    expect(good.summary?.status).toBe('done');
  });

  it('a run that diverges is failed with the reason, its steps kept; the next one trains', async () => {
    updateSettings({ epochs: 3, optimizer: { ...store.getState().settings.optimizer, learningRate: 1e30 } });
    addToQueue();
    updateSettings({ optimizer: { ...store.getState().settings.optimizer, learningRate: 0.01 } });
    addToQueue();
    await app.queue.idle();
    const [bad, good] = store.getState().runs;
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatch(/^the run diverged: the training loss was (NaN|-?Infinity) from step \d+/);
    expect(bad.summary?.status).toBe('failed');
    expect(bad.steps.length).toBeGreaterThan(0);
    expect(good.status).toBe('done');
    expect(good.error ?? null).toBeNull();
  });

  it('fails a run queued on another file, and the next one trains', async () => {
    addToQueue();
    const [queued] = store.getState().runs;
    store.setState((s) => ({
      runs: s.runs.map((r) =>
        r.id === queued.id
          ? { ...r, config: { ...r.config, data: { ...r.config.data, fingerprint: 'f'.repeat(64) } } }
          : r,
      ),
    }));
    addToQueue();
    await app.queue.idle();
    const [other, mine] = store.getState().runs;
    expect(other).toMatchObject({
      status: 'failed',
      error: 'the dataset changed after this run was queued; queue it again',
    });
    expect(mine.status).toBe('done');
  });

  it('queues again, on their own data, the runs that were waiting when the page closed', async () => {
    const all = store.getState().dataset.features;
    addToQueue();
    updateSettings({ timeBudgetSec: 1, epochs: 1 });
    addToQueue();
    // The page closes while the first run trains: what persist.ts stores, read back as on the next open.
    const stored = readWaiting(structuredClone(waitingOf(store.getState().runs)));
    expect(stored.runs).toHaveLength(2);
    await app.queue.idle();

    await fresh();
    store.setState((s) => ({ restoredQueue: stored, dataset: { ...s.dataset, features: all.slice(2) } }));
    expect(queueRestored()).toBeNull();
    expect(store.getState().restoredQueue).toBeNull();
    await app.queue.idle();
    const runs = store.getState().runs;
    expect(runs.map((r) => r.status)).toEqual(['done', 'done']);
    expect(runs.map((r) => r.config)).toEqual(stored.runs.map((w) => w.config));
    expect(runs[1]).toMatchObject({ budgetSec: 1, config: { maxSeconds: 1 } });
    expect(preparedFeatures()).toEqual([all, all]);
  });

  it('keeps the waiting runs offered while the dataset in use is another file', async () => {
    addToQueue();
    const stored = readWaiting(structuredClone(waitingOf(store.getState().runs)));
    await app.queue.idle();
    await fresh();
    const other = {
      ...stored.runs[0],
      config: {
        ...stored.runs[0].config,
        data: { ...stored.runs[0].config.data, fingerprint: '0'.repeat(64), name: 'other.csv' },
      },
    };
    store.setState({ restoredQueue: { runs: [other], dropped: 0 } });
    expect(queueRestored()).toBe('these runs were queued on other.csv: load that file first');
    expect(store.getState().restoredQueue?.runs).toEqual([other]);
    expect(store.getState().runs).toEqual([]);
  });

  it("distils a run from one queued ahead of it: the batches carry the teacher's logits of each training row", async () => {
    updateSettings({ model: { type: 'mlp', hidden: [24, 24], activation: 'relu' }, epochs: 3 });
    addToQueue();
    const [teacher] = store.getState().runs;
    updateSettings({
      model: { type: 'mlp', hidden: [4], activation: 'relu' },
      distill: { teacher: teacher.id, temperature: 2, alpha: 0.5 },
    });
    addToQueue();
    await app.queue.idle();
    const [t, student] = store.getState().runs;
    expect([t.status, student.status]).toEqual(['done', 'done']);
    expect(student.config.distill).toEqual({ teacher: teacher.id, temperature: 2, alpha: 0.5 });
    // The logits the student trained beside, against the teacher's stored weights applied to the
    // same rows through the exporters' one-row encoder.
    const prepare = services.dataCalls.filter((c) => c.method === 'prepareRun')[1]
      .args as DataApi['prepareRun']['args'];
    const { trained } = readTrainedRecord({
      version: RECORD_VERSION,
      config: t.config,
      trained: await trainedOf(t.id),
    });
    const table = readTable(new Uint8Array(penguins), 'penguins.arrow');
    const c = student.config.data;
    const enc = encodeTable(table, { label: c.label, features: c.features }, c.split);
    const train = Array.from(enc.split.train, (r) => enc.sourceRows[r]);
    expect(prepare.soft?.width).toBe(trained.outputs);
    expect(prepare.soft?.values.length).toBe(train.length * trained.outputs);
    const model = createModel(trained.model, trained.preprocessing.dim, trained.outputs, 0);
    model.variables.forEach((v, i) => v.assign(tf.tensor(trained.tensors[i].values, trained.tensors[i].shape)));
    for (const k of [0, 7, train.length - 1]) {
      const row = Object.fromEntries(
        table.columns.map((col) => [
          col.name,
          col.kind === 'categorical'
            ? col.codes[train[k]] < 0
              ? null
              : col.dictionary[col.codes[train[k]]]
            : col.valid && !col.valid[train[k]]
              ? null
              : col.values[train[k]],
        ]),
      );
      const x = encodeRow(trained.preprocessing, row);
      const out = tf.tidy(() => model.apply(tf.tensor2d(x, [1, x.length])));
      const logits = await out.data();
      out.dispose();
      const got = prepare.soft!.values.subarray(k * trained.outputs, (k + 1) * trained.outputs);
      Array.from(logits).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
    }
    model.dispose();
  });

  it('fails a student whose teacher failed or is gone, saying which, and goes on', async () => {
    updateSettings({ batchSize: 10_000 });
    addToQueue();
    const [bad] = store.getState().runs;
    updateSettings({ batchSize: 32, distill: { teacher: bad.id, temperature: 2, alpha: 0.5 } });
    addToQueue();
    updateSettings({ distill: { teacher: 'run-gone', temperature: 2, alpha: 0.5 } });
    addToQueue();
    updateSettings({ distill: null });
    addToQueue();
    await app.queue.idle();
    const [, afterFailed, gone, plain] = store.getState().runs;
    expect(afterFailed).toMatchObject({ status: 'failed' });
    expect(afterFailed.error).toMatch(/^distill\.teacher: the teacher run ".*" failed/);
    expect(gone.error).toMatch(/^distill\.teacher: the teacher run run-gone is not in the workbench/);
    expect(plain.status).toBe('done');
  });
});

describe('the task picked under the label (in process, tfjs-cpu)', () => {
  beforeEach(fresh);

  it('goes into each queued config and to the data service; what the label cannot be is refused in the form', async () => {
    const mass = 'Body Mass (g)';
    const features = store.getState().dataset.features.filter((f) => f !== mass);
    // Body mass as classes: its whole-gram values, in ascending order (read here with apache-arrow).
    store.setState((s) => ({
      dataset: { ...s.dataset, label: mass, features: [...features, 'Species'], task: 'classification' },
    }));
    expect(addToQueue()).toBe(true);
    store.setState((s) => ({ dataset: { ...s.dataset, task: null } }));
    expect(addToQueue()).toBe(true);
    await app.queue.idle();
    const [classes, auto] = store.getState().runs;
    expect(classes.config.data.task).toBe('classification');
    expect(auto.config.data).not.toHaveProperty('task');
    expect(classes.config.data).not.toHaveProperty('stream');
    const asked = services.dataCalls
      .filter((c) => c.method === 'prepareRun')
      .map((c) => (c.args as DataApi['prepareRun']['args']).features.task);
    expect(asked).toEqual(['classification', undefined]);
    const masses = [...tableFromIPC(penguins).getChild(mass)!].filter((v): v is number => v !== null);
    const trained = (await trainedOf(classes.id))!;
    expect(trained.preprocessing.task).toBe('classification');
    expect(trained.preprocessing.classes).toEqual([...new Set(masses)].sort((a, b) => a - b).map(String));
    expect(classes.epochs[0].valAccuracy).not.toBeNull();
    // Auto: more than 20 whole values, a quantity.
    expect((await trainedOf(auto.id))!.preprocessing.task).toBe('regression');
    expect(auto.epochs[0].valRmse).toBeGreaterThan(0);

    // Streamed from disk, the task chosen in the offer rides with the run: digits as numbers, regressed.
    const rows = Array.from({ length: 400 }, (_, i) => `${i % 10},${(i * 7) % 13},${(i % 10) * 2 + ((i * 3) % 5)}`);
    const blob = new Blob([`digit,a,b\n${rows.join('\n')}\n`]);
    for (const task of ['regression', undefined] as const) {
      app.queue.enqueueStreaming(
        store.getState().settings,
        { name: 'digits.csv', blob },
        { label: 'digit', features: ['a', 'b'], ...(task ? { task } : {}) },
      );
      await app.queue.idle();
      const run = store.getState().runs.at(-1)!;
      expect(run.status).toBe('done');
      expect(run.config.data.task).toBe(task);
      // One piece: counted before the first batch, so the run says all its rows and knows its steps.
      const all = Number(
        /^streaming: training started with all (\d+) training rows of the file \(a small file, counted first\)/.exec(
          run.info ?? '',
        )?.[1],
      );
      expect(all).toBeGreaterThan(300);
      expect(all).toBeLessThan(400);
      expect(run.expectedSteps).toBe(Math.ceil(all / run.config.batchSize) * run.config.epochs);
      expect(run.steps.length).toBe(run.expectedSteps);
      // Its config says it streamed; queued again (as a shared link's rerun does), it trains loaded whole and says so.
      expect(run.config.data.stream).toBe(true);
      const [again] = app.queue.enqueue([{ config: run.config }]);
      expect(store.getState().runs.find((r) => r.id === again)!.config.data).not.toHaveProperty('stream');
      app.queue.remove(again);
      await app.queue.idle();
      expect((await trainedOf(run.id))!.preprocessing.task).toBe(task ?? 'classification');
    }

    // Auto on a file whose first record batch holds 10 whole values of a label with 40: the offer's
    // whole-file answer (regression) rides with the run in its source, the config stays auto; without
    // it the first chunk alone would make the label 10 classes.
    const batch = (from: number, values: number) =>
      tableFromArrays({
        n: Int32Array.from({ length: 300 }, (_, i) => from + (i % values)),
        a: Float32Array.from({ length: 300 }, (_, i) => (i * 7) % 11),
      });
    const twoBatches = new Table([...batch(0, 10).batches, ...batch(0, 40).batches]);
    const arrows = new Blob([tableToIPC(twoBatches, 'stream').slice()]);
    const chosen = { label: 'n', features: ['a'] };
    for (const task of ['regression', undefined] as const) {
      app.queue.enqueueStreaming(store.getState().settings, { name: 'n.arrows', blob: arrows, task }, chosen);
      await app.queue.idle();
      const run = store.getState().runs.at(-1)!;
      expect(run.status).toBe('done');
      expect(run.config.data).not.toHaveProperty('task');
      expect((await trainedOf(run.id))!.preprocessing.task).toBe(task ?? 'classification');
    }

    // A filter keeping 10 of a label's 25 whole values: still the quantity the whole dataset makes it.
    const counts = Array.from({ length: 500 }, (_, i) => `${i % 25},${(i * 7) % 11},${(i * 5) % 3}`);
    await loadDataset(store, services, 'counts.csv', new TextEncoder().encode(`n,a,b\n${counts.join('\n')}\n`));
    store.setState((s) => ({
      dataset: { ...s.dataset, label: 'n', features: ['a', 'b'], task: null, where: 'n < 10' },
    }));
    expect(addToQueue()).toBe(true);
    await app.queue.idle();
    const filtered = store.getState().runs.at(-1)!;
    expect(filtered.config.data.where).toBe('n < 10');
    expect((await trainedOf(filtered.id))!.preprocessing.task).toBe('regression');

    await loadDataset(store, services, 'penguins.arrow', penguins);
    store.setState((s) => ({ dataset: { ...s.dataset, label: 'Species', features, task: 'regression', where: '' } }));
    expect(addToQueue()).toBe(false);
    expect(store.getState().settingsError).toBe(
      'data.task: regression needs a numeric label; "Species" of penguins.arrow is categorical',
    );
  });
});
