import * as tf from '@tensorflow/tfjs';
import { createModel, type Model } from './model';
import { batchLoss, evalBatch, lossFor, lossOutputs, type LossKind, type Task } from './loss';
import { median, type EpochRecord, type MemorySample, type RunConfig, type RunSummary, type StepRecord } from './record';

/** One batch as the data side hands it over: the buffers may be longer than `size` rows. */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  size: number;
  epoch: number;
  index: number;
  lastInEpoch: boolean;
}

/** Where batches come from: a prefetch queue fed by the data worker, or a local batcher. */
export interface BatchSource {
  /** The next batch, or null when every epoch has been delivered. */
  next(): Promise<Batch | null>;
  /** Hands a consumed batch's buffers back for refilling. */
  recycle(batch: Batch): void;
}

/** The part of an optimizer the loop needs (one step over all variables). */
export interface StepOptimizer {
  applyGradients(vars: tf.Variable[], grads: tf.Tensor[]): void;
  dispose(): void;
}

export interface TrainTask {
  task: Task;
  dim: number;
  /** Number of classes (classification) or 1 (regression). */
  outputs: number;
  /** Held-out rows for the per-epoch validation pass, or null. */
  val: { x: Float32Array; y: Float32Array; rows: number } | null;
}

export interface TrainHooks {
  /** Called with step records a few times a second (never per step); the last one carries `memory`. */
  onSteps(steps: StepRecord[]): void;
  onEpoch(epoch: EpochRecord): void;
  /** Checked before each step. */
  shouldStop(): boolean;
  /** Resolves when training may continue (pause support). */
  waitWhilePaused(): Promise<void>;
}

export interface TrainOptions {
  /** Read the loss back every this many steps (one GPU sync per group); default 10. */
  readEvery?: number;
  /** Post metrics at most this often, ms; default 250. */
  flushMs?: number;
  now?: () => number;
  /**
   * Measures the GPU time of the work `f` queues (tfjs `time()` over timestamp queries), or
   * is absent where the backend has no GPU timer: then every step's `gpuMs` is null.
   */
  gpuTimer?: (f: () => void) => Promise<number>;
  /**
   * Time every this many steps on the GPU (default 10, so with the default `readEvery` the
   * timed step is the one right after a loss readback, when the queue is already drained).
   * Timing a step ends a compute pass per kernel and waits for the query results, so it is
   * sampled: the other steps' `gpuMs` is null, and a timed step is a little slower than the rest.
   */
  gpuTimeEvery?: number;
}

/** What `tf.memory()` says is in use: tensors, bytes, and GPU bytes where the backend reports them. */
export function memorySample(): MemorySample {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return { tensors: m.numTensors, bytes: m.numBytes, gpuBytes: typeof m.numBytesInGPU === 'number' ? m.numBytesInGPU : null };
}

/**
 * The training loop, backend-agnostic: tfjs on WebGPU in a browser worker, on Dawn in Node,
 * or on the cpu backend in tests. Losses are read back asynchronously in groups (never
 * `dataSync`), metrics are buffered and flushed a few times a second, and every tensor a
 * step makes is disposed, so `tf.memory().numTensors` stays flat over a run.
 */
export async function train(
  config: RunConfig,
  task: TrainTask,
  source: BatchSource,
  makeOptimizer: () => StepOptimizer,
  hooks: TrainHooks,
  options: TrainOptions = {},
): Promise<RunSummary> {
  const now = options.now ?? (() => performance.now());
  const readEvery = options.readEvery ?? 10;
  const flushMs = options.flushMs ?? 250;
  const gpuTimeEvery = Math.max(1, options.gpuTimeEvery ?? 10);
  const loss: LossKind = lossFor(task.task, task.outputs);
  const model: Model = createModel(config.model, task.dim, lossOutputs(loss, task.outputs), config.seed);
  const optimizer = makeOptimizer();
  const start = now();
  const allRates: number[] = [];
  let outbox: StepRecord[] = [];
  let lastFlush = start;
  let step = 0;
  let status: RunSummary['status'] = 'done';
  let epochLossSum = 0;
  let epochLossCount = 0;
  let finalValMetric: number | null = null;
  let misclassified: RunSummary['misclassified'];
  let timeToTargetLoss: number | null = null;

  // Losses not yet read back, with what we know about their steps.
  let pending: { loss: tf.Scalar; rec: Omit<StepRecord, 'loss' | 'samplesPerSec' | 'readbackMs'>; samples: number }[] = [];
  let windowStart = start;

  const drain = async () => {
    if (pending.length === 0) return;
    const group = pending;
    pending = [];
    const stacked = tf.stack(group.map((p) => p.loss));
    for (const p of group) p.loss.dispose();
    const t0 = now();
    const losses = await stacked.data();
    const readbackMs = now() - t0;
    stacked.dispose();
    const t1 = now();
    const samples = group.reduce((s, p) => s + p.samples, 0);
    const rate = samples / Math.max(1e-6, (t1 - windowStart) / 1000);
    windowStart = t1;
    group.forEach((p, i) => {
      const rec: StepRecord = { ...p.rec, loss: losses[i], samplesPerSec: rate, readbackMs: i === group.length - 1 ? readbackMs : 0 };
      outbox.push(rec);
      epochLossSum += losses[i];
      epochLossCount++;
    });
    allRates.push(rate);
    if (timeToTargetLoss === null && config.targetLoss != null && group.length) {
      let sum = 0;
      for (let i = 0; i < group.length; i++) sum += losses[i];
      if (sum / group.length <= config.targetLoss) timeToTargetLoss = (t1 - start) / 1000;
    }
    if (t1 - lastFlush >= flushMs) flush();
  };
  const flush = () => {
    if (outbox.length) {
      outbox[outbox.length - 1].memory = memorySample();
      hooks.onSteps(outbox);
    }
    outbox = [];
    lastFlush = now();
  };

  try {
    for (;;) {
      await hooks.waitWhilePaused();
      if (hooks.shouldStop()) {
        status = 'stopped';
        break;
      }
      const t0 = now();
      const batch = await source.next();
      const dataWaitMs = now() - t0;
      if (batch === null) break;
      const size = batch.size;
      const runStep = (): tf.Scalar =>
        tf.tidy(() => {
          const xs = tf.tensor2d(batch.x.subarray(0, size * task.dim), [size, task.dim]);
          const ys = tf.tensor1d(batch.y.subarray(0, size));
          const { value, grads } = tf.variableGrads(() => batchLoss(loss, model.apply(xs), ys), model.variables);
          optimizer.applyGradients(model.variables, model.variables.map((v) => grads[v.name]));
          return value;
        });
      let stepLoss: tf.Scalar;
      let gpuMs: number | null = null;
      // Step 0 compiles shaders: never a sample.
      if (options.gpuTimer && step > 0 && step % gpuTimeEvery === 0) {
        let timed: tf.Scalar | null = null;
        gpuMs = await options.gpuTimer(() => {
          timed = runStep();
        });
        stepLoss = timed as unknown as tf.Scalar;
      } else stepLoss = runStep();
      source.recycle(batch);
      pending.push({ loss: stepLoss, samples: size, rec: { step, epoch: batch.epoch, time: (t0 - start) / 1000, dataWaitMs, gpuMs } });
      step++;
      const budgetSpent = config.maxSteps != null && step >= config.maxSteps;
      // A run cut short by its step budget still ends with a validation pass (over a partial epoch).
      const endOfEpoch = batch.lastInEpoch || budgetSpent;
      if (pending.length >= readEvery || endOfEpoch) await drain();
      if (endOfEpoch) {
        const valResult = task.val ? await validate(model, task, loss) : null;
        finalValMetric = valResult ? (task.task === 'classification' ? valResult.accuracy : valResult.loss) : finalValMetric;
        flush();
        hooks.onEpoch({
          epoch: batch.epoch,
          trainLoss: epochLossCount ? epochLossSum / epochLossCount : NaN,
          valLoss: valResult?.loss ?? null,
          valAccuracy: valResult?.accuracy ?? null,
        });
        epochLossSum = 0;
        epochLossCount = 0;
        windowStart = now();
      }
      if (budgetSpent) break;
    }
    await drain();
    flush();
    if (task.val && loss !== 'mse') misclassified = await misclassifiedRows(model, task, loss);
  } finally {
    for (const p of pending) p.loss.dispose();
    optimizer.dispose();
    model.dispose();
  }
  return { status, medianSamplesPerSec: median(allRates), timeToTargetLoss, finalValMetric, misclassified };
}

/** At most this many misclassified validation rows are reported. */
export const MISCLASSIFIED_LIMIT = 50;

/** Validation rows the final model gets wrong (index into the validation rows, predicted class). */
async function misclassifiedRows(model: Model, task: TrainTask, loss: LossKind): Promise<{ index: number; predicted: number }[]> {
  const val = task.val!;
  const out: { index: number; predicted: number }[] = [];
  const chunk = 2048;
  for (let at = 0; at < val.rows && out.length < MISCLASSIFIED_LIMIT; at += chunk) {
    const n = Math.min(chunk, val.rows - at);
    const pred = tf.tidy(() => {
      const logits = model.apply(tf.tensor2d(val.x.subarray(at * task.dim, (at + n) * task.dim), [n, task.dim]));
      return loss === 'softmax-ce' ? tf.argMax(logits, 1) : tf.cast(tf.greater(tf.squeeze(logits, [1]), 0), 'int32');
    });
    const p = await pred.data();
    pred.dispose();
    for (let i = 0; i < n && out.length < MISCLASSIFIED_LIMIT; i++) if (p[i] !== val.y[at + i]) out.push({ index: at + i, predicted: p[i] });
  }
  return out;
}

/** Mean validation loss (and accuracy for classification) in chunks, read back once per chunk. */
async function validate(model: Model, task: TrainTask, loss: LossKind): Promise<{ loss: number; accuracy: number | null }> {
  const val = task.val!;
  const chunk = 2048;
  let lossSum = 0;
  let correct = 0;
  for (let at = 0; at < val.rows; at += chunk) {
    const n = Math.min(chunk, val.rows - at);
    const out = tf.tidy(() => {
      const xs = tf.tensor2d(val.x.subarray(at * task.dim, (at + n) * task.dim), [n, task.dim]);
      const ys = tf.tensor1d(val.y.subarray(at, at + n));
      const r = evalBatch(loss, model.apply(xs), ys);
      return r.correct ? tf.stack([r.lossSum, r.correct]) : tf.stack([r.lossSum]);
    });
    const v = await out.data();
    out.dispose();
    lossSum += v[0];
    correct += v.length > 1 ? v[1] : 0;
  }
  return { loss: lossSum / val.rows, accuracy: task.task === 'classification' ? correct / val.rows : null };
}
