import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Batcher } from '../data/batcher';
import { Rng, iota } from '../data/rng';
import { DIVERGED_STEPS, tfjsEngine, train, type Batch, type BatchSource } from './trainer';
import { createOptimizer } from './optimizers';
import { stubEngine } from './test-engine';
import { DEFAULT_SETTINGS, makeRunConfig } from './run-config';
import type { EpochRecord, RunConfig, StepRecord } from './record';
import { mlpReference } from './reference/mlp';

/** A BatchSource over a local Batcher, for tests (the browser uses the data worker's port). */
function localSource(b: Batcher, dim: number, batchSize: number): BatchSource {
  return {
    async next(): Promise<Batch | null> {
      const x = new Float32Array(batchSize * dim);
      const y = new Float32Array(batchSize);
      const info = b.fill(x, y);
      return info.size ? { x, y, ...info } : null;
    },
    recycle() {},
  };
}

/** The data part of a test run's config: `rows` rows of label `y`, all for training unless `split` says. */
function testData(name: string, rows: number, split = { train: 1, val: 0, test: 0, seed: 1 }): RunConfig['data'] {
  return { fingerprint: '', name, rows, label: 'y', features: [], dedup: 'none', split };
}

describe('train loop', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    ['dense', null],
    ['pruned to 80 % from step 30 to 300', { targetSparsity: 0.8, startStep: 30, endStep: 300, every: 20 }],
  ] as const)(
    '%s: holds tf.memory().numTensors flat over 500 steps and frees everything at the end',
    async (_, pruning) => {
      const rng = new Rng(5);
      const n = 160;
      const dim = 4;
      const x = Float32Array.from({ length: n * dim }, () => rng.normal());
      const y = Float32Array.from({ length: n }, (_, i) => (x[i * dim] + x[i * dim + 1] > 0 ? 1 : 0));
      const batchSize = 16;
      const epochs = 500 / (n / batchSize); // 50 epochs of 10 steps
      const batcher = new Batcher({ x, dim, y, rows: iota(n), batchSize, epochs, seed: 1 });
      const config = makeRunConfig(
        {
          ...DEFAULT_SETTINGS,
          batchSize,
          epochs,
          backend: 'cpu',
          model: { type: 'mlp', hidden: [8], activation: 'tanh' },
          pruning: pruning && { ...pruning },
        },
        testData('synthetic', n),
      );
      const before = tf.memory().numTensors;
      const counts: number[] = [];
      let steps = 0;
      const summary = await train(
        config,
        {
          task: 'classification',
          dim,
          outputs: 2,
          val: { x: x.subarray(0, 64 * dim), y: y.subarray(0, 64), rows: 64 },
        },
        localSource(batcher, dim, batchSize),
        tfjsEngine(() => createOptimizer({ name: 'adam', learningRate: 0.01 })),
        {
          onSteps: (s) => {
            steps += s.length;
            counts.push(tf.memory().numTensors);
          },
          onEpoch: () => undefined,
          shouldStop: () => false,
          waitWhilePaused: async () => undefined,
        },
        { flushMs: 0 },
      );
      expect(steps).toBe(500);
      expect(summary.status).toBe('done');
      // After the first steps created the optimizer's slots (and the first masks, step 30), the count never moves.
      expect(new Set(counts.slice(4)).size).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
      if (pruning) {
        // Kernels 4x8 and 8x1 (two classes: one logit): round(0.8 * 32) + round(0.8 * 8) zeros of 40.
        expect(summary.sparsity).toBeCloseTo((26 + 6) / 40, 12);
        expect(summary.nonZeroParameters).toBe(40 - 32 + 8 + 1);
      } else expect(summary.sparsity).toBeUndefined();
    },
  );

  it(
    'reports the end-to-end rate an outside clock sees (within 5 %), validation passes and set-up included, ' +
      'beside the steady-state median',
    async () => {
      const n = 600;
      const rng = new Rng(21);
      const x = Float32Array.from({ length: n * 8 }, () => rng.normal());
      const y = Float32Array.from({ length: n }, (_, i) => x[8 * i] - x[8 * i + 1]);
      const val = { x: x.slice(0, 400 * 8), y: y.slice(0, 400), rows: 400 };
      const epochs = 3;
      const config = makeRunConfig(
        {
          ...DEFAULT_SETTINGS,
          batchSize: 16,
          epochs,
          backend: 'cpu',
          model: { type: 'mlp', hidden: [32], activation: 'relu' },
        },
        testData('linear', n),
      );
      const t0 = performance.now();
      const summary = await train(
        config,
        { task: 'regression', dim: 8, outputs: 1, val },
        localSource(new Batcher({ x, dim: 8, y, rows: iota(n), batchSize: 16, epochs, seed: 1 }), 8, 16),
        tfjsEngine(() => createOptimizer({ name: 'adam', learningRate: 0.01 })),
        {
          onSteps: () => undefined,
          onEpoch: () => undefined,
          shouldStop: () => false,
          waitWhilePaused: async () => undefined,
        },
      );
      const outside = (n * epochs) / ((performance.now() - t0) / 1000);
      expect(Math.abs(summary.samplesPerSec! - outside) / outside).toBeLessThan(0.05);
      expect(Number.isFinite(summary.medianSamplesPerSec)).toBe(true);
    },
  );

  it("gives a regression's validation RMSE in the label's units, equal to a float64 forward pass de-standardised", async () => {
    // Raw targets like miles per gallon (mean near 23, spread near 8), standardised here in float64.
    const rng = new Rng(21);
    const n = 96;
    const nVal = 40;
    const dim = 3;
    const all = Float32Array.from({ length: (n + nVal) * dim }, () => rng.normal());
    const raw = Array.from({ length: n + nVal }, (_, i) => 23 + 6 * all[i * dim] - 3 * all[i * dim + 2] + rng.normal());
    const mean = raw.slice(0, n).reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(raw.slice(0, n).reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    const y = Float32Array.from(raw, (v) => (v - mean) / std);
    const val = { x: all.slice(n * dim), y: y.slice(n), rows: nVal };
    const config = makeRunConfig(
      {
        ...DEFAULT_SETTINGS,
        batchSize: 16,
        epochs: 3,
        backend: 'cpu',
        model: { type: 'mlp', hidden: [5], activation: 'tanh' },
      },
      testData('mpg', n + nVal, { train: 0.7, val: 0.3, test: 0, seed: 1 }),
    );
    const epochs: EpochRecord[] = [];
    let params: Float32Array[] = [];
    await train(
      config,
      { task: 'regression', dim, outputs: 1, val, targetStd: std },
      localSource(
        new Batcher({
          x: all.slice(0, n * dim),
          dim,
          y: y.slice(0, n),
          rows: iota(n),
          batchSize: 16,
          epochs: 3,
          seed: 1,
        }),
        dim,
        16,
      ),
      tfjsEngine(() => createOptimizer({ name: 'adam', learningRate: 0.05 })),
      {
        onSteps: () => undefined,
        onEpoch: (e) => epochs.push(e),
        shouldStop: () => false,
        waitWhilePaused: async () => undefined,
        onParameters: (t) => (params = t),
      },
    );
    const [w1, b1, w2, b2] = params;
    const ref = mlpReference(
      [dim, 5, 1],
      [
        { w: w1, b: b1 },
        { w: w2, b: b2 },
      ],
      'tanh',
      'mse',
      val.x,
      val.y,
      nVal,
    );
    const out = ref.outputs[ref.outputs.length - 1];
    let se = 0;
    for (let i = 0; i < nVal; i++) se += (out[i] * std + mean - raw[n + i]) ** 2;
    const rmse = Math.sqrt(se / nVal);
    const last = epochs[epochs.length - 1];
    expect(epochs).toHaveLength(3);
    expect(last.valRmse).toBeCloseTo(rmse, 3);
    expect(Math.abs(last.valRmse! - rmse) / rmse).toBeLessThan(1e-4);
    // A poor model by design: the figure is not the target's own spread in disguise.
    expect(Math.abs(rmse - std)).toBeGreaterThan(0.05 * std);
  });

  it('stops between steps when asked and reports "stopped"', async () => {
    const n = 64;
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    const batcher = new Batcher({ x, dim: 1, y, rows: iota(n), batchSize: 4, epochs: 100, seed: 1 });
    const config = makeRunConfig(
      { ...DEFAULT_SETTINGS, batchSize: 4, epochs: 100, backend: 'cpu' },
      testData('zeros', n),
    );
    let seen = 0;
    const summary = await train(
      config,
      { task: 'regression', dim: 1, outputs: 1, val: null },
      localSource(batcher, 1, 4),
      tfjsEngine(() => createOptimizer({ name: 'sgd', learningRate: 0.1 })),
      {
        onSteps: (s) => (seen += s.length),
        onEpoch: () => undefined,
        shouldStop: () => seen >= 30,
        waitWhilePaused: async () => undefined,
      },
      { flushMs: 0, readEvery: 5 },
    );
    expect(summary.status).toBe('stopped');
    expect(seen).toBeGreaterThanOrEqual(30);
    expect(seen).toBeLessThan(1600);
  });

  it('pauses between steps and resumes where it left off, with the same losses as an unpaused run', async () => {
    const n = 64;
    const rng = new Rng(9);
    const x = Float32Array.from({ length: n * 2 }, () => rng.normal());
    const y = Float32Array.from({ length: n }, (_, i) => x[2 * i] - x[2 * i + 1]);
    const config = makeRunConfig(
      {
        ...DEFAULT_SETTINGS,
        batchSize: 8,
        epochs: 5,
        backend: 'cpu',
        model: { type: 'mlp', hidden: [4], activation: 'tanh' },
      },
      testData('linear', n),
    );
    const task = { task: 'regression' as const, dim: 2, outputs: 1, val: null };
    const source = () =>
      localSource(new Batcher({ x, dim: 2, y, rows: iota(n), batchSize: 8, epochs: 5, seed: 1 }), 2, 8);

    const reference: number[] = [];
    await train(
      config,
      task,
      source(),
      tfjsEngine(() => createOptimizer({ name: 'adam', learningRate: 0.05 })),
      {
        onSteps: (s) => reference.push(...s.map((r) => r.loss)),
        onEpoch: () => undefined,
        shouldStop: () => false,
        waitWhilePaused: async () => undefined,
      },
      { flushMs: 0, readEvery: 4 },
    );

    // Pause once 12 steps are reported; while paused, no step runs and nothing is posted.
    const losses: number[] = [];
    let paused = false;
    let resume = () => {};
    let pausedWaits = 0;
    const run = train(
      config,
      task,
      source(),
      tfjsEngine(() => createOptimizer({ name: 'adam', learningRate: 0.05 })),
      {
        onSteps: (s) => {
          losses.push(...s.map((r) => r.loss));
          if (losses.length >= 12 && pausedWaits === 0) paused = true;
        },
        onEpoch: () => undefined,
        shouldStop: () => false,
        waitWhilePaused: () => {
          if (!paused) return Promise.resolve();
          pausedWaits++;
          return new Promise<void>((r) => (resume = r));
        },
      },
      { flushMs: 0, readEvery: 4 },
    );
    await vi.waitFor(() => expect(pausedWaits).toBe(1));
    const atPause = losses.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(losses.length).toBe(atPause);
    expect(atPause).toBeLessThan(reference.length);
    paused = false;
    resume();
    const summary = await run;
    expect(summary.status).toBe('done');
    expect(pausedWaits).toBe(1);
    expect(losses).toEqual(reference);
  });

  it(
    'samples GPU time every Nth step (never step 0), posts memory with each batch of records, and times a ' +
      'target loss',
    async () => {
      const n = 64;
      const rng = new Rng(4);
      const x = Float32Array.from({ length: n }, () => rng.normal());
      const y = Float32Array.from(x, (v) => 2 * v);
      const config = {
        ...makeRunConfig(
          {
            ...DEFAULT_SETTINGS,
            batchSize: 4,
            epochs: 3,
            backend: 'cpu',
            model: { type: 'mlp', hidden: [], activation: 'relu' },
          },
          testData('line', n),
        ),
        targetLoss: 0.5,
      };
      const steps: StepRecord[] = [];
      const timed: number[] = [];
      let clock = 0;
      const summary = await train(
        config,
        { task: 'regression', dim: 1, outputs: 1, val: null },
        localSource(new Batcher({ x, dim: 1, y, rows: iota(n), batchSize: 4, epochs: 3, seed: 1 }), 1, 4),
        tfjsEngine(() => createOptimizer({ name: 'sgd', learningRate: 0.1 }), {
          gpuTimer: async (f) => {
            f();
            timed.push(steps.length);
            return 1.5;
          },
        }),
        {
          onSteps: (s) => steps.push(...s),
          onEpoch: () => undefined,
          shouldStop: () => false,
          waitWhilePaused: async () => undefined,
        },
        {
          flushMs: 0,
          readEvery: 4,
          now: () => (clock += 1),
          gpuTimeEvery: 5,
        },
      );
      expect(steps.length).toBe(48);
      expect(steps.filter((s) => s.gpuMs !== null).map((s) => s.step)).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45]);
      expect(steps.every((s) => s.gpuMs === null || s.gpuMs === 1.5)).toBe(true);
      expect(timed).toHaveLength(9);
      // Each flush puts tf.memory() on its last record. Read back: the first step alone (the end
      // of start-up), then every 4 steps and at each epoch's end (16 steps an epoch):
      // [0] [1-4] [5-8] [9-12] [13-15], then 4 groups of 4 in each later epoch.
      const withMemory = steps.filter((s) => s.memory);
      expect(withMemory.map((s) => s.step)).toEqual([0, 4, 8, 12, 15, 19, 23, 27, 31, 35, 39, 43, 47]);
      expect(withMemory.every((s) => s.memory!.tensors > 0 && s.memory!.bytes > 0 && s.memory!.gpuBytes === null)).toBe(
        true,
      );
      // The first readback group whose mean loss is <= 0.5 sets timeToTargetLoss.
      const ends = withMemory.map((s) => s.step);
      let want: { first: number; last: number } | null = null;
      for (let g = 0; g < ends.length && want === null; g++) {
        const first = g === 0 ? 0 : ends[g - 1] + 1;
        const group = steps.slice(first, ends[g] + 1);
        if (group.reduce((a, b) => a + b.loss, 0) / group.length <= 0.5) want = { first, last: ends[g] };
      }
      expect(want).not.toBeNull();
      expect(summary.timeToTargetLoss).not.toBeNull();
      expect(summary.timeToTargetLoss!).toBeGreaterThanOrEqual(steps[want!.last].time);
      expect(summary.timeToTargetLoss!).toBeLessThan(steps[want!.last + 1]?.time ?? Infinity);
    },
  );
});

describe('start-up and time budgets (a clock the test moves)', () => {
  /**
   * An engine whose work only moves a virtual clock: 500 ms to build, 2 s for the first step (compilation), 10 ms a
   * step after.
   */
  function clocked() {
    let t = 0;
    const engine = stubEngine({ onStep: (step) => (t += step === 0 ? 2000 : 10) });
    return {
      now: () => t,
      advance: (ms: number) => (t += ms),
      factory: () => {
        t += 500;
        return engine;
      },
    };
  }

  const endless: BatchSource = {
    next: async () => ({
      x: new Float32Array(4),
      y: new Float32Array(4),
      size: 4,
      epoch: 0,
      index: 0,
      lastInEpoch: false,
    }),
    recycle() {},
  };
  const config = (maxSeconds: number | null) => ({
    ...makeRunConfig({ ...DEFAULT_SETTINGS, batchSize: 4, epochs: 1000, backend: 'cpu' }, testData('x', 4)),
    maxSeconds,
  });

  it('a 1 s budget is 1 s of training after start-up: the 2.5 s start-up and a 5 s pause do not count', async () => {
    const c = clocked();
    const phases: string[] = [];
    let waits = 0;
    const steps: StepRecord[] = [];
    const summary = await train(
      config(1),
      { task: 'regression', dim: 1, outputs: 1, val: null },
      endless,
      c.factory,
      {
        onSteps: (s) => steps.push(...s),
        onEpoch: () => undefined,
        shouldStop: () => false,
        // A 5 s pause before the 21st step.
        waitWhilePaused: async () => void (++waits === 21 && c.advance(5000)),
        onPhase: (p) => phases.push(p),
      },
      { now: c.now, flushMs: 0 },
    );
    expect(phases).toEqual(['model', 'first-step', 'training']);
    expect(summary.status).toBe('done');
    // The first step, then 100 steps of 10 ms: the budget is checked before each step.
    expect(steps).toHaveLength(101);
    expect(summary.startup).toEqual({ backendSec: 0, dataSec: 0, modelSec: 0.5, firstStepSec: 2 });
    // Steady state leaves the first (compiling) step out: 4 samples per 10 ms.
    expect(summary.medianSamplesPerSec).toBeCloseTo(400, 6);
    // End to end counts everything in the trainer: 404 samples over 0.5 + 2 + 5 + 1 s.
    expect(summary.samplesPerSec).toBeCloseTo(404 / 8.5, 6);
  });

  it('without a budget the run goes on: the same loop stops only when asked', async () => {
    const c = clocked();
    let n = 0;
    const summary = await train(
      config(null),
      { task: 'regression', dim: 1, outputs: 1, val: null },
      endless,
      c.factory,
      {
        onSteps: (s) => (n += s.length),
        onEpoch: () => undefined,
        shouldStop: () => n >= 300,
        waitWhilePaused: async () => undefined,
      },
      { now: c.now, flushMs: 0 },
    );
    expect(summary.status).toBe('stopped');
    expect(n).toBeGreaterThanOrEqual(300);
  });
});

describe('a run that diverges (its loss stops being a number) ends as failed', () => {
  /** An engine that reports the losses `lossAt(step)`; epochs of `perEpoch` steps; counts validations. */
  function scripted(lossAt: (step: number) => number, steps: number, perEpoch: number) {
    const seen = { validations: 0, parameters: 0 };
    const engine = stubEngine({
      lossAt,
      overrides: {
        validate: async () => (seen.validations++, { loss: 0.5, accuracy: 0.75 }),
        parameters: async () => (seen.parameters++, []),
      },
    });
    let served = 0;
    const source: BatchSource = {
      next: async () =>
        served >= steps
          ? null
          : {
              x: new Float32Array(4),
              y: new Float32Array(4),
              size: 4,
              epoch: Math.floor(served / perEpoch),
              index: served % perEpoch,
              lastInEpoch: ++served % perEpoch === 0,
            },
      recycle() {},
    };
    return { engine, source, seen };
  }
  const config = makeRunConfig(
    { ...DEFAULT_SETTINGS, batchSize: 4, epochs: 20, backend: 'cpu', optimizer: { name: 'sgd', learningRate: 5 } },
    testData('x', 4),
  );
  const val = { x: new Float32Array(4), y: new Float32Array(1), rows: 1 };
  async function run(lossAt: (step: number) => number, steps = 200, perEpoch = 25) {
    const s = scripted(lossAt, steps, perEpoch);
    const recorded: StepRecord[] = [];
    const epochs: EpochRecord[] = [];
    const summary = await train(
      config,
      { task: 'classification', dim: 1, outputs: 2, val },
      s.source,
      () => s.engine,
      {
        onSteps: (r) => recorded.push(...r),
        onEpoch: (e) => epochs.push(e),
        shouldStop: () => false,
        waitWhilePaused: async () => undefined,
        onParameters: () => undefined,
      },
      { flushMs: 0 },
    );
    return { summary, recorded, epochs, seen: s.seen };
  }

  it('NaN from step 37 on: failed after DIVERGED_STEPS such steps, naming the step; no validation of the broken model', async () => {
    const { summary, recorded, epochs, seen } = await run((step) => (step < 37 ? 1 / (step + 1) : NaN));
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/^the run diverged: the training loss was NaN from step 37 \(\d+ steps in a row\)/);
    expect(summary.error).toContain('a lower learning rate than 5 or gradient clipping (optimizer.clipNorm)');
    // It stops at the first read-back with DIVERGED_STEPS NaN steps in a row: steps 37..49 (read at 40 and 50).
    expect(recorded.map((r) => r.step)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(recorded.filter((r) => Number.isNaN(r.loss)).length).toBeGreaterThanOrEqual(DIVERGED_STEPS);
    // Epoch 0 (steps 0-24) was validated; the run ended at step 49 before epoch 1's record.
    expect(epochs.map((e) => e.valAccuracy)).toEqual([0.75]);
    expect(seen).toEqual({ validations: 1, parameters: 0 });
    expect(summary.finalValMetric).toBeNull();
  });

  it('one overflowing step (Infinity, as an fp16-mixed step skipped on overflow) is not divergence', async () => {
    const { summary, seen } = await run((step) => (step === 60 ? Infinity : 1));
    expect(summary.status).toBe('done');
    expect(summary.error).toBeUndefined();
    expect(seen.parameters).toBe(1);
    expect(summary.finalValMetric).toBe(0.75);
  });

  it('a loss that is not a number at the last step fails the run, even for fewer than DIVERGED_STEPS steps', async () => {
    const { summary, epochs, seen } = await run((step) => (step >= 197 ? -Infinity : 1));
    // The last epoch ended on a loss that is not a number: recorded, not validated.
    expect(epochs.map((e) => e.valAccuracy)).toEqual([...Array<number>(7).fill(0.75), null]);
    expect(seen).toEqual({ validations: 7, parameters: 0 });
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(
      /^the run diverged: the training loss was -Infinity from step 197 \(3 steps in a row\)/,
    );
  });

  it('on tfjs-cpu, adam at lr 1e30 diverges: failed, and no tensor is left behind', async () => {
    await tf.setBackend('cpu');
    const rng = new Rng(9);
    const n = 64;
    const dim = 3;
    const x = Float32Array.from({ length: n * dim }, () => rng.normal());
    const y = Float32Array.from({ length: n }, (_, i) => (x[i * dim] > 0 ? 1 : 0));
    const batcher = new Batcher({ x, dim, y, rows: iota(n), batchSize: 8, epochs: 10, seed: 1 });
    const cfg = makeRunConfig(
      {
        ...DEFAULT_SETTINGS,
        batchSize: 8,
        epochs: 10,
        backend: 'cpu',
        model: { type: 'mlp', hidden: [8], activation: 'relu' },
      },
      testData('synthetic', n),
    );
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    const summary = await train(
      cfg,
      { task: 'classification', dim, outputs: 2, val: { x, y, rows: n } },
      localSource(batcher, dim, 8),
      tfjsEngine(() => createOptimizer({ name: 'adam', learningRate: 1e30 })),
      {
        onSteps: (s) => losses.push(...s.map((r) => r.loss)),
        onEpoch: () => undefined,
        shouldStop: () => false,
        waitWhilePaused: async () => undefined,
      },
      { flushMs: 0 },
    );
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/^the run diverged/);
    expect(losses.some((l) => !Number.isFinite(l))).toBe(true);
    expect(losses.length).toBeLessThan(80);
    expect(tf.memory().numTensors).toBe(before);
  });
});
