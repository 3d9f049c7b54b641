import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Batcher } from '../data/batcher';
import { Rng, iota } from '../data/rng';
import { tfjsEngine, train, type Batch, type BatchSource } from './trainer';
import { createOptimizer } from './optimizers';
import { DEFAULT_SETTINGS, makeRunConfig } from './run-config';
import type { StepRecord } from './record';

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

describe('train loop', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('holds tf.memory().numTensors flat over 500 steps and frees everything at the end', async () => {
    const rng = new Rng(5);
    const n = 160;
    const dim = 4;
    const x = Float32Array.from({ length: n * dim }, () => rng.normal());
    const y = Float32Array.from({ length: n }, (_, i) => (x[i * dim] + x[i * dim + 1] > 0 ? 1 : 0));
    const batchSize = 16;
    const epochs = 500 / (n / batchSize); // 50 epochs of 10 steps
    const batcher = new Batcher({ x, dim, y, rows: iota(n), batchSize, epochs, seed: 1 });
    const config = makeRunConfig({ ...DEFAULT_SETTINGS, batchSize, epochs, backend: 'cpu', model: { type: 'mlp', hidden: [8], activation: 'tanh' } }, {
      fingerprint: '', name: 'synthetic', rows: n, label: 'y', features: [], dedup: 'none', split: { train: 1, val: 0, test: 0, seed: 1 },
    });
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    let steps = 0;
    const summary = await train(
      config,
      { task: 'classification', dim, outputs: 2, val: { x: x.subarray(0, 64 * dim), y: y.subarray(0, 64), rows: 64 } },
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
    // After the first steps created the optimizer's slots, the count never moves.
    expect(new Set(counts.slice(2)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports the end-to-end rate an outside clock sees (within 5 %), validation passes and set-up included, beside the steady-state median', async () => {
    const n = 600;
    const rng = new Rng(21);
    const x = Float32Array.from({ length: n * 8 }, () => rng.normal());
    const y = Float32Array.from({ length: n }, (_, i) => x[8 * i] - x[8 * i + 1]);
    const val = { x: x.slice(0, 400 * 8), y: y.slice(0, 400), rows: 400 };
    const epochs = 3;
    const config = makeRunConfig({ ...DEFAULT_SETTINGS, batchSize: 16, epochs, backend: 'cpu', model: { type: 'mlp', hidden: [32], activation: 'relu' } }, {
      fingerprint: '', name: 'linear', rows: n, label: 'y', features: [], dedup: 'none', split: { train: 1, val: 0, test: 0, seed: 1 },
    });
    const t0 = performance.now();
    const summary = await train(config, { task: 'regression', dim: 8, outputs: 1, val }, localSource(new Batcher({ x, dim: 8, y, rows: iota(n), batchSize: 16, epochs, seed: 1 }), 8, 16), tfjsEngine(() => createOptimizer({ name: 'adam', learningRate: 0.01 })), {
      onSteps: () => undefined,
      onEpoch: () => undefined,
      shouldStop: () => false,
      waitWhilePaused: async () => undefined,
    });
    const outside = (n * epochs) / ((performance.now() - t0) / 1000);
    expect(Math.abs(summary.samplesPerSec! - outside) / outside).toBeLessThan(0.05);
    expect(Number.isFinite(summary.medianSamplesPerSec)).toBe(true);
  });

  it('stops between steps when asked and reports "stopped"', async () => {
    const n = 64;
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    const batcher = new Batcher({ x, dim: 1, y, rows: iota(n), batchSize: 4, epochs: 100, seed: 1 });
    const config = makeRunConfig({ ...DEFAULT_SETTINGS, batchSize: 4, epochs: 100, backend: 'cpu' }, {
      fingerprint: '', name: 'zeros', rows: n, label: 'y', features: [], dedup: 'none', split: { train: 1, val: 0, test: 0, seed: 1 },
    });
    let seen = 0;
    const summary = await train(config, { task: 'regression', dim: 1, outputs: 1, val: null }, localSource(batcher, 1, 4), tfjsEngine(() => createOptimizer({ name: 'sgd', learningRate: 0.1 })), {
      onSteps: (s) => (seen += s.length),
      onEpoch: () => undefined,
      shouldStop: () => seen >= 30,
      waitWhilePaused: async () => undefined,
    }, { flushMs: 0, readEvery: 5 });
    expect(summary.status).toBe('stopped');
    expect(seen).toBeGreaterThanOrEqual(30);
    expect(seen).toBeLessThan(1600);
  });

  it('pauses between steps and resumes where it left off, with the same losses as an unpaused run', async () => {
    const n = 64;
    const rng = new Rng(9);
    const x = Float32Array.from({ length: n * 2 }, () => rng.normal());
    const y = Float32Array.from({ length: n }, (_, i) => x[2 * i] - x[2 * i + 1]);
    const config = makeRunConfig({ ...DEFAULT_SETTINGS, batchSize: 8, epochs: 5, backend: 'cpu', model: { type: 'mlp', hidden: [4], activation: 'tanh' } }, {
      fingerprint: '', name: 'linear', rows: n, label: 'y', features: [], dedup: 'none', split: { train: 1, val: 0, test: 0, seed: 1 },
    });
    const task = { task: 'regression' as const, dim: 2, outputs: 1, val: null };
    const source = () => localSource(new Batcher({ x, dim: 2, y, rows: iota(n), batchSize: 8, epochs: 5, seed: 1 }), 2, 8);

    const reference: number[] = [];
    await train(config, task, source(), tfjsEngine(() => createOptimizer({ name: 'adam', learningRate: 0.05 })), {
      onSteps: (s) => reference.push(...s.map((r) => r.loss)),
      onEpoch: () => undefined,
      shouldStop: () => false,
      waitWhilePaused: async () => undefined,
    }, { flushMs: 0, readEvery: 4 });

    // Pause once 12 steps are reported; while paused, no step runs and nothing is posted.
    const losses: number[] = [];
    let paused = false;
    let resume = () => {};
    let pausedWaits = 0;
    const run = train(config, task, source(), tfjsEngine(() => createOptimizer({ name: 'adam', learningRate: 0.05 })), {
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
    }, { flushMs: 0, readEvery: 4 });
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

  it('samples GPU time every Nth step (never step 0), posts memory with each batch of records, and times a target loss', async () => {
    const n = 64;
    const rng = new Rng(4);
    const x = Float32Array.from({ length: n }, () => rng.normal());
    const y = Float32Array.from(x, (v) => 2 * v);
    const config = { ...makeRunConfig({ ...DEFAULT_SETTINGS, batchSize: 4, epochs: 3, backend: 'cpu', model: { type: 'mlp', hidden: [], activation: 'relu' } }, {
      fingerprint: '', name: 'line', rows: n, label: 'y', features: [], dedup: 'none', split: { train: 1, val: 0, test: 0, seed: 1 },
    }), targetLoss: 0.5 };
    const steps: StepRecord[] = [];
    const timed: number[] = [];
    let clock = 0;
    const summary = await train(config, { task: 'regression', dim: 1, outputs: 1, val: null }, localSource(new Batcher({ x, dim: 1, y, rows: iota(n), batchSize: 4, epochs: 3, seed: 1 }), 1, 4),
      tfjsEngine(() => createOptimizer({ name: 'sgd', learningRate: 0.1 }), {
        gpuTimer: async (f) => {
          f();
          timed.push(steps.length);
          return 1.5;
        },
      }), {
        onSteps: (s) => steps.push(...s),
        onEpoch: () => undefined,
        shouldStop: () => false,
        waitWhilePaused: async () => undefined,
      }, {
        flushMs: 0,
        readEvery: 4,
        now: () => (clock += 1),
        gpuTimeEvery: 5,
      });
    expect(steps.length).toBe(48);
    expect(steps.filter((s) => s.gpuMs !== null).map((s) => s.step)).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45]);
    expect(steps.every((s) => s.gpuMs === null || s.gpuMs === 1.5)).toBe(true);
    expect(timed).toHaveLength(9);
    // Each flush (every 4 steps here) puts tf.memory() on its last record.
    const withMemory = steps.filter((s) => s.memory);
    expect(withMemory.length).toBe(12);
    expect(withMemory.every((s) => s.memory!.tensors > 0 && s.memory!.bytes > 0 && s.memory!.gpuBytes === null)).toBe(true);
    // The first readback group whose mean loss is <= 0.5 sets timeToTargetLoss.
    let want: number | null = null;
    for (let g = 0; g < 12 && want === null; g++) {
      const group = steps.slice(4 * g, 4 * g + 4);
      if (group.reduce((a, b) => a + b.loss, 0) / 4 <= 0.5) want = g;
    }
    expect(want).not.toBeNull();
    expect(summary.timeToTargetLoss).not.toBeNull();
    expect(summary.timeToTargetLoss!).toBeGreaterThanOrEqual(steps[4 * want! + 3].time);
    expect(summary.timeToTargetLoss!).toBeLessThan(steps[4 * want! + 4]?.time ?? Infinity);
  });
});
