import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataService } from './data-service';
import { createTrainerService } from './trainer-service';
import type { TrainerEvent } from './protocol';
import type { PreparedRun } from './protocol';
import type { Transferring } from './rpc';
import type { RunConfig, StepRecord } from '../core/train/record';
import { DEFAULT_SETTINGS, makeRunConfig } from '../core/train/run-config';

const unwrap = <T,>(v: T | Transferring<T>): T => ((v as Transferring<T>).__transfer ? (v as Transferring<T>).value : (v as T));

/** The data and trainer services wired as in the browser, over real MessageChannels, on tfjs-cpu. */
async function runOnce(fileName: string, bytes: Uint8Array, overrides: Partial<RunConfig> = {}, label?: string) {
  const data = createDataService();
  const events: TrainerEvent[] = [];
  const trainer = createTrainerService((e) => events.push(e));
  const summary = unwrap(await data.load({ name: fileName, bytes: bytes.slice().buffer }));
  const env = unwrap(await trainer.init({ preferred: 'cpu' }));
  const lbl = label ?? summary.defaultLabel;
  const features = label ? summary.columns.map((c) => c.name).filter((c) => c !== lbl) : summary.defaultFeatures;
  const config = { ...makeRunConfig({ ...DEFAULT_SETTINGS, backend: 'cpu' }, { fingerprint: summary.fingerprint, name: fileName, rows: summary.rows, label: lbl, features, dedup: 'none', split: { train: 0.8, val: 0.1, test: 0.1, seed: 1 } }), ...overrides };
  const channel = new MessageChannel();
  const prepared = unwrap(await data.prepareRun({ runId: 'r1', datasetId: summary.id, features: { label: lbl, features }, split: config.data.split, batchSize: config.batchSize, epochs: config.epochs, seed: config.seed, prefetch: config.prefetch, port: channel.port1 })) as PreparedRun;
  const result = unwrap(await trainer.train({ runId: 'r1', config, task: prepared.task, port: channel.port2 }));
  const steps = events.flatMap((e) => (e.type === 'steps' ? e.steps : []));
  const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e.epoch] : []));
  return { summary, env, prepared, result, steps, epochs, events };
}

const penguins = readFileSync('public/datasets/penguins.arrow');

describe('data worker -> trainer pipeline (in process, tfjs-cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('trains the penguins sample: every batch arrives, the loss falls, metrics are batched', async () => {
    const before = tf.memory().numTensors;
    const { env, prepared, result, steps, epochs, events } = await runOnce('penguins.arrow', penguins);
    expect(env.backend).toBe('cpu');
    expect(prepared.task.task).toBe('classification');
    expect(prepared.task.outputs).toBe(3);
    const perEpoch = Math.ceil(prepared.trainRows / DEFAULT_SETTINGS.batchSize);
    expect(steps.length).toBe(perEpoch * DEFAULT_SETTINGS.epochs);
    expect(steps.map((s: StepRecord) => s.step)).toEqual(steps.map((_, i) => i));
    expect(epochs.length).toBe(DEFAULT_SETTINGS.epochs);
    const head = steps.slice(0, 5).reduce((s, x) => s + x.loss, 0) / 5;
    const tail = steps.slice(-5).reduce((s, x) => s + x.loss, 0) / 5;
    expect(tail).toBeLessThan(head * 0.5);
    expect(epochs[epochs.length - 1].valAccuracy).toBeGreaterThan(0.8);
    expect(result.status).toBe('done');
    // Metrics arrive in groups, not one message per step.
    expect(events.filter((e) => e.type === 'steps').length).toBeLessThan(steps.length / 2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same loss curve for the same seed', async () => {
    const a = await runOnce('penguins.arrow', penguins, { epochs: 2 });
    const b = await runOnce('penguins.arrow', penguins, { epochs: 2 });
    expect(a.steps.map((s) => s.loss)).toEqual(b.steps.map((s) => s.loss));
  });

  it('regresses a numeric label (flights-200k delay from distance and time)', async () => {
    const bytes = readFileSync('node_modules/vega-datasets/data/flights-200k.arrow');
    const { prepared, epochs } = await runOnce('flights-200k.arrow', bytes, { epochs: 1, batchSize: 512 }, 'delay');
    expect(prepared.task.task).toBe('regression');
    expect(epochs[0].valLoss).not.toBeNull();
    expect(Number.isFinite(epochs[0].valLoss!)).toBe(true);
  });

  it('refuses a batch larger than the training rows before training', async () => {
    await expect(runOnce('penguins.arrow', penguins, { batchSize: 10_000 })).rejects.toThrow(/batch size 10000 is larger than the \d+ training rows/);
  });
});
