import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StepRecord } from '../core/train/record';
import { DEFAULT_SETTINGS } from '../core/train/run-config';
import { runOnce } from './test-pipeline';

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
    await expect(runOnce('penguins.arrow', penguins, { batchSize: 10_000 })).rejects.toThrow(
      /batch size 10000 is larger than the \d+ training rows/,
    );
  });
});
