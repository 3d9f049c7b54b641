/**
 * Shared by bench/trainer.ts (Node: tfjs-cpu, and Dawn where there is an adapter) and
 * bench/gpu.ts (bundled for a real GPU): one MLP workload trained by the project's trainer
 * and by plain tfjs on the same backend, in the same process, on the same seeded batches.
 *
 * - trainbench: `train()` from src/core/train (the loop the workers run): variables from the
 *   seeded Rng, the project's Adam/SGD, loss read back every 10 steps, batches from a source
 *   that hands out prepared buffers at once (this measures the trainer, not the data path).
 * - tfjs minimize: tf.sequential dense layers, `tf.train.adam|sgd`, `optimizer.minimize` per
 *   step, the loss read back every 10 steps (the fair anchor: same sync pattern).
 * - tfjs trainOnBatch: the same model compiled, `await model.trainOnBatch(x, y)` per step (what
 *   most users write; it reads the loss back every step).
 * Each timing runs from the first step to the final loss readback; model building is outside.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/core/data/rng';
import { createOptimizer } from '../src/core/train/optimizers';
import type { ModelSpec } from '../src/core/train/model';
import type { Environment, RunConfig } from '../src/core/train/record';
import { installNodeWebGpu } from '../src/gpu/node-webgpu';
import { probeWebGpu } from '../src/gpu/probe';
import { tfjsEngine, train, type Batch, type BatchSource, type EngineFactory } from '../src/core/train/trainer';
import type { EngineGpu } from '../src/gpu/engine/device';
import { createWgslEngine } from '../src/gpu/engine/engine';

export interface Workload {
  name: string;
  inputs: number;
  hidden: number[];
  classes: number;
  optimizer: 'adam' | 'sgd';
  learningRate: number;
  batch: number;
  steps: number;
  /** An image model (the `cnn` of src/core/train/models: per filter count a 3x3 'same' conv, ReLU, 2x2 max-pool; then `hidden`); `inputs` is h w c. */
  cnn?: { inputShape: [number, number, number]; filters: number[] };
}

/**
 * The cnn model's defaults on MNIST-shaped rows, Adam, batch 64: the convolutions issue's
 * workload, on Dawn (bench/engine.ts, fewer steps) and on a GPU (bench/gpu.ts).
 */
export const MNIST_CNN: Workload = {
  name: 'cnn-28x28x1 [8,16] adam b64',
  inputs: 784,
  hidden: [],
  classes: 10,
  optimizer: 'adam',
  learningRate: 0.001,
  batch: 64,
  steps: 100,
  cnn: { inputShape: [28, 28, 1], filters: [8, 16] },
};

/** The run's model spec for a workload. */
export const workloadModel = (w: Workload): ModelSpec =>
  w.cnn
    ? { type: 'cnn', inputShape: w.cnn.inputShape, filters: w.cnn.filters, hidden: w.hidden, activation: 'relu' }
    : { type: 'mlp', hidden: w.hidden, activation: 'relu' };

export interface Timing {
  name: string;
  median: number;
  min: number;
  max: number;
  unit: 'samples/s';
  msPerStep: number;
}

/** A few seeded batches (x normal, y a class from a fixed random projection), reused round-robin. */
export function makeBatches(w: Workload, count = 4): { x: Float32Array; y: Float32Array }[] {
  const rng = new Rng(42);
  const proj = Float32Array.from({ length: w.inputs * w.classes }, () => rng.normal());
  return Array.from({ length: count }, () => {
    const x = Float32Array.from({ length: w.batch * w.inputs }, () => rng.normal());
    const y = new Float32Array(w.batch);
    for (let r = 0; r < w.batch; r++) {
      let best = 0;
      let bestV = -Infinity;
      for (let c = 0; c < w.classes; c++) {
        let v = 0;
        for (let i = 0; i < w.inputs; i += 7) v += x[r * w.inputs + i] * proj[i * w.classes + c];
        if (v > bestV) [best, bestV] = [c, v];
      }
      y[r] = best;
    }
    return { x, y };
  });
}

/**
 * Dawn as navigator.gpu and tfjs on its webgpu backend, for the GPU benchmarks; the adapter, or
 * null after saying why on `log`.
 */
export async function startWebGpu(
  log: (m: string) => void,
  dawnOptions: string[] = [],
): Promise<{ adapter: Environment['adapter']; features: string[] } | null> {
  if (!(await installNodeWebGpu(dawnOptions))) {
    log('the npm package "webgpu" (Dawn) did not load: run from the project root with node_modules present');
    return null;
  }
  const probe = await probeWebGpu();
  if ('reason' in probe) {
    log(`no WebGPU adapter: ${probe.reason}`);
    return null;
  }
  tf.env().set('PROD', true);
  if (!(await tf.setBackend('webgpu'))) {
    log('tfjs-backend-webgpu failed to start');
    return null;
  }
  await tf.ready();
  log(`adapter ${probe.adapter?.vendor} ${probe.adapter?.architecture}; features ${probe.features.join(', ')}`);
  return probe;
}

let sink = 0;
/** Keeps the last losses alive so no work can be skipped. */
export const sinkValue = () => sink;

/** Samples/s of the project's trainer (tfjs engine) over `steps` steps. */
export function runTrainbench(
  w: Workload,
  batches: { x: Float32Array; y: Float32Array }[],
  steps = w.steps,
): Promise<number> {
  return runEngine(w, batches, steps, null, 'fp32');
}

/**
 * Samples/s of the project's training loop over `steps` steps on an engine: tfjs (gpu null) or
 * the WGSL engine on `gpu` in `precision` (the packed or native f16 path as `f16Path` says).
 */
export async function runEngine(
  w: Workload,
  batches: { x: Float32Array; y: Float32Array }[],
  steps: number,
  gpu: EngineGpu | null,
  precision: RunConfig['precision'],
  f16Path?: 'native' | 'packed',
): Promise<number> {
  const config: RunConfig = {
    data: {
      fingerprint: '',
      name: 'synthetic',
      rows: steps * w.batch,
      label: 'y',
      features: [],
      dedup: 'none',
      split: { train: 1, val: 0, test: 0, seed: 1 },
    },
    model: workloadModel(w),
    optimizer: { name: w.optimizer, learningRate: w.learningRate },
    batchSize: w.batch,
    epochs: 1,
    precision,
    engine: gpu ? 'wgsl' : 'tfjs',
    backend: gpu ? 'webgpu' : (tf.getBackend() as RunConfig['backend']),
    prefetch: 4,
    seed: 1,
  };
  let served = 0;
  let first = 0;
  const source: BatchSource = {
    async next(): Promise<Batch | null> {
      if (served === 0) first = performance.now();
      if (served >= steps) return null;
      const b = batches[served % batches.length];
      served++;
      return { x: b.x, y: b.y, size: w.batch, epoch: 0, index: served - 1, lastInEpoch: served === steps };
    },
    recycle() {},
  };
  let last = 0;
  const engine: EngineFactory = gpu
    ? (c, t) => createWgslEngine(c, t, gpu, { f16Path })
    : tfjsEngine(() => createOptimizer(config.optimizer));
  await train(config, { task: 'classification', dim: w.inputs, outputs: w.classes, val: null }, source, engine, {
    onSteps: (s) => (last = s[s.length - 1].loss),
    onEpoch: () => undefined,
    shouldStop: () => false,
    waitWhilePaused: async () => undefined,
  });
  sink += last;
  return (steps * w.batch) / ((performance.now() - first) / 1000);
}

function plainModel(w: Workload): tf.Sequential {
  const model = tf.sequential();
  if (w.cnn) {
    // What a tfjs user writes for the same network: Keras-style layers over the reshaped rows.
    model.add(tf.layers.reshape({ targetShape: w.cnn.inputShape, inputShape: [w.inputs] }));
    for (const filters of w.cnn.filters) {
      model.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }));
      model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    }
    model.add(tf.layers.flatten());
    for (const units of w.hidden) model.add(tf.layers.dense({ units, activation: 'relu' }));
    model.add(tf.layers.dense({ units: w.classes }));
    return model;
  }
  w.hidden.forEach((units, i) =>
    model.add(tf.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [w.inputs] } : {}) })),
  );
  model.add(tf.layers.dense({ units: w.classes, ...(w.hidden.length === 0 ? { inputShape: [w.inputs] } : {}) }));
  return model;
}

const plainOptimizer = (w: Workload) =>
  w.optimizer === 'adam' ? tf.train.adam(w.learningRate) : tf.train.sgd(w.learningRate);

/** Samples/s of plain tfjs with optimizer.minimize, the loss read every 10 steps. */
export async function runTfjsMinimize(
  w: Workload,
  batches: { x: Float32Array; y: Float32Array }[],
  steps = w.steps,
): Promise<number> {
  const model = plainModel(w);
  const opt = plainOptimizer(w);
  const t0 = performance.now();
  let pending: tf.Scalar[] = [];
  const read = async () => {
    if (!pending.length) return;
    const stacked = tf.stack(pending);
    tf.dispose(pending);
    pending = [];
    const v = await stacked.data();
    stacked.dispose();
    sink += v[v.length - 1];
  };
  for (let s = 0; s < steps; s++) {
    const b = batches[s % batches.length];
    const loss = tf.tidy(() => {
      const xs = tf.tensor2d(b.x, [w.batch, w.inputs]);
      const ys = tf.oneHot(tf.tensor1d(b.y, 'int32'), w.classes);
      return opt.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs) as tf.Tensor2D) as tf.Scalar, true)!;
    });
    pending.push(loss);
    if (pending.length >= 10) await read();
  }
  await read();
  const rate = (steps * w.batch) / ((performance.now() - t0) / 1000);
  model.dispose();
  opt.dispose();
  return rate;
}

/** Samples/s of plain tfjs with compile + trainOnBatch (a loss readback every step). */
export async function runTfjsTrainOnBatch(
  w: Workload,
  batches: { x: Float32Array; y: Float32Array }[],
  steps = w.steps,
): Promise<number> {
  const model = plainModel(w);
  const opt = plainOptimizer(w);
  model.compile({
    optimizer: opt,
    loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred),
  });
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const b = batches[s % batches.length];
    const xs = tf.tensor2d(b.x, [w.batch, w.inputs]);
    const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(b.y, 'int32'), w.classes));
    const loss = await model.trainOnBatch(xs, ys);
    tf.dispose([xs, ys]);
    sink += Array.isArray(loss) ? loss[0] : loss;
  }
  const rate = (steps * w.batch) / ((performance.now() - t0) / 1000);
  model.dispose();
  opt.dispose();
  return rate;
}

type Runner = (w: Workload, batches: { x: Float32Array; y: Float32Array }[], steps?: number) => Promise<number>;

export const RUNNERS: Record<string, Runner> = {
  trainbench: runTrainbench,
  'tfjs minimize': runTfjsMinimize,
  'tfjs trainOnBatch': runTfjsTrainOnBatch,
};

/**
 * The WGSL engine's runners on `gpu`: f32, fp16-mixed on the packed path, and on the native path
 * where the device has shader-f16.
 */
export function wgslRunners(gpu: EngineGpu): Record<string, Runner> {
  const out: Record<string, Runner> = {
    wgsl: (w, b, steps = w.steps) => runEngine(w, b, steps, gpu, 'fp32'),
    'wgsl fp16 packed': (w, b, steps = w.steps) => runEngine(w, b, steps, gpu, 'fp16-mixed', 'packed'),
  };
  if (gpu.f16) out['wgsl fp16 native'] = (w, b, steps = w.steps) => runEngine(w, b, steps, gpu, 'fp16-mixed', 'native');
  return out;
}

const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Every runner on one workload: one warm-up run each (shaders, JIT; a few steps), then `reps`
 * timed runs taken round-robin so drift hits all alike. Returns one Timing per runner.
 */
export async function measure(
  w: Workload,
  reps: number,
  warmupSteps: number,
  log: (m: string) => void,
  runners: Record<string, Runner> = RUNNERS,
): Promise<Timing[]> {
  const batches = makeBatches(w);
  const names = Object.keys(runners);
  for (const n of names) await runners[n](w, batches, warmupSteps);
  const rates = new Map(names.map((n) => [n, [] as number[]]));
  for (let r = 0; r < reps; r++) {
    for (const n of names) {
      const rate = await runners[n](w, batches);
      rates.get(n)!.push(rate);
      log(`${w.name} · ${n} · rep ${r + 1}/${reps}: ${Math.round(rate)} samples/s`);
    }
  }
  return names.map((n) => {
    const xs = rates.get(n)!;
    const median = med(xs);
    return {
      name: `${w.name} · ${n}`,
      median,
      min: Math.min(...xs),
      max: Math.max(...xs),
      unit: 'samples/s',
      msPerStep: (1000 * w.batch) / median,
    };
  });
}

/** Ratios trainbench / each anchor per workload, e.g. `mlp-784-128-10 b64: trainbench / tfjs minimize`. */
export function ratios(w: Workload, t: Timing[], ours = ['trainbench']): Record<string, number> {
  const out: Record<string, number> = {};
  const runner = (x: Timing) => x.name.split(' · ').pop()!;
  for (const name of ours) {
    const mine = t.find((x) => runner(x) === name);
    if (!mine) continue;
    for (const x of t) if (!ours.includes(runner(x))) out[`${w.name}: ${name} / ${runner(x)}`] = mine.median / x.median;
  }
  // The float16 paths against the engine's own f32 step.
  const f32 = t.find((x) => runner(x) === 'wgsl');
  for (const x of t)
    if (f32 && runner(x).startsWith('wgsl fp16')) out[`${w.name}: ${runner(x)} / wgsl`] = x.median / f32.median;
  return out;
}

/** A fixed-width table, last in the output. */
export function table(rows: Timing[]): string {
  const width = Math.max(...rows.map((r) => r.name.length)) + 2;
  return [
    `${'case'.padEnd(width)}${'median samples/s'.padStart(18)}${'min'.padStart(12)}${'max'.padStart(12)}${'ms/step'.padStart(10)}`,
    ...rows.map(
      (r) =>
        `${r.name.padEnd(width)}${Math.round(r.median).toLocaleString('en-US').padStart(18)}${Math.round(r.min).toLocaleString('en-US').padStart(12)}${Math.round(r.max).toLocaleString('en-US').padStart(12)}${r.msPerStep.toFixed(2).padStart(10)}`,
    ),
  ].join('\n');
}
