/**
 * The tfjs engine: the model's forward pass, `tf.variableGrads` and the project's optimizers,
 * on whichever tfjs backend is active (WebGPU, WebGL, wasm, cpu). Losses stay on the device
 * until a drain stacks them and reads them with one `await data()` (never `dataSync`); every
 * tensor a step makes is disposed, so `tf.memory().numTensors` stays flat over a run.
 */
import * as tf from '@tensorflow/tfjs';
import type { Batch, TrainEngine, ValidationRows } from './engine';
import { createModel, type Model } from './model';
import { batchLoss, evalBatch, lossFor, lossOutputs, type LossKind, type Task } from './loss';
import type { MemorySample, RunConfig } from './record';
import { distillLoss } from '../compress/distill';
import { checkModelFits, DEFAULT_TENSOR_BYTES } from './models/limits';

/** The part of an optimizer the engine needs (one step over all variables). */
export interface StepOptimizer {
  applyGradients(vars: tf.Variable[], grads: tf.Tensor[]): void;
  dispose(): void;
}

/** What `tf.memory()` says is in use: tensors, bytes, and GPU bytes where the backend reports them. */
export function memorySample(): MemorySample {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return {
    tensors: m.numTensors,
    bytes: m.numBytes,
    gpuBytes: typeof m.numBytesInGPU === 'number' ? m.numBytesInGPU : null,
  };
}

export interface TfjsEngineOptions {
  /**
   * Measures the GPU time of the work `f` queues (tfjs `time()` over timestamp queries), or is
   * absent where the backend has no GPU timer.
   */
  gpuTimer?: (f: () => void) => Promise<number>;
}

/** Rows evaluated per forward pass in validation. */
const EVAL_CHUNK = 2048;

/** The largest buffer the tfjs backend in use allocates: the WebGPU device's limits, else DEFAULT_TENSOR_BYTES. */
function backendTensorBytes(): number {
  const limits = (
    tf.backend() as { device?: { limits?: { maxStorageBufferBindingSize: number; maxBufferSize: number } } }
  ).device?.limits;
  return limits ? Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) : DEFAULT_TENSOR_BYTES;
}

export function createTfjsEngine(
  config: RunConfig,
  task: { task: Task; dim: number; outputs: number },
  optimizer: StepOptimizer,
  options: TfjsEngineOptions = {},
): TrainEngine {
  const loss: LossKind = lossFor(task.task, task.outputs);
  const outputs = lossOutputs(loss, task.outputs);
  // Before any weight is drawn: a model past what the backend holds is refused, not built for minutes.
  checkModelFits(config.model, task.dim, outputs, config.batchSize, backendTensorBytes());
  const model: Model = createModel(config.model, task.dim, outputs, config.seed);
  const distill = config.distill ?? null;
  const softOf = (batch: Batch) => {
    if (!batch.soft || batch.soft.length < batch.size * outputs)
      throw new Error('a distillation run got a batch without its teacher logits');
    return batch.soft.subarray(0, batch.size * outputs);
  };
  let pending: { loss: tf.Scalar; gpuMs: number | null }[] = [];
  const dim = task.dim;
  // Pruning masks per variable (kept tensors), applied after each optimizer step.
  let masks: (tf.Tensor | null)[] = model.variables.map(() => null);
  const applyMasks = () =>
    model.variables.forEach((v, i) => {
      const m = masks[i];
      if (m) v.assign(tf.mul(v, m));
    });

  const runStep = (batch: Batch): tf.Scalar =>
    tf.tidy(() => {
      const xs = tf.tensor2d(batch.x.subarray(0, batch.size * dim), [batch.size, dim]);
      const ys = tf.tensor1d(batch.y.subarray(0, batch.size));
      // Distillation: the teacher's logits ride with the batch (one row of `outputs` per row).
      const teacher = distill ? tf.tensor2d(softOf(batch), [batch.size, outputs]) : null;
      const objective = () =>
        teacher && distill
          ? distillLoss(loss, model.apply(xs), teacher, ys, distill)
          : batchLoss(loss, model.apply(xs), ys);
      const { value, grads } = tf.variableGrads(objective, model.variables);
      // A pruned weight has no gradient (as if the forward pass used weight * mask).
      optimizer.applyGradients(
        model.variables,
        model.variables.map((v, i) => (masks[i] ? tf.mul(grads[v.name], masks[i]!) : grads[v.name])),
      );
      applyMasks();
      return value;
    });

  return {
    async step(batch, timed) {
      if (timed && options.gpuTimer) {
        let out: tf.Scalar | null = null;
        const gpuMs = await options.gpuTimer(() => {
          out = runStep(batch);
        });
        pending.push({ loss: out as unknown as tf.Scalar, gpuMs });
      } else pending.push({ loss: runStep(batch), gpuMs: null });
    },

    async drain() {
      const group = pending;
      pending = [];
      if (group.length === 0) return { losses: [], gpuMs: [] };
      const stacked = tf.stack(group.map((p) => p.loss));
      for (const p of group) p.loss.dispose();
      const losses = await stacked.data();
      stacked.dispose();
      return { losses, gpuMs: group.map((p) => p.gpuMs) };
    },

    async validate(val) {
      let lossSum = 0;
      let correct = 0;
      for (let at = 0; at < val.rows; at += EVAL_CHUNK) {
        const n = Math.min(EVAL_CHUNK, val.rows - at);
        const out = tf.tidy(() => {
          const xs = tf.tensor2d(val.x.subarray(at * dim, (at + n) * dim), [n, dim]);
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
    },

    async misclassified(val: ValidationRows, limit: number) {
      const out: { index: number; predicted: number }[] = [];
      if (loss === 'mse') return out;
      for (let at = 0; at < val.rows && out.length < limit; at += EVAL_CHUNK) {
        const n = Math.min(EVAL_CHUNK, val.rows - at);
        const pred = tf.tidy(() => {
          const logits = model.apply(tf.tensor2d(val.x.subarray(at * dim, (at + n) * dim), [n, dim]));
          return loss === 'softmax-ce'
            ? tf.argMax(logits, 1)
            : tf.cast(tf.greater(tf.squeeze(logits, [1]), 0), 'int32');
        });
        const p = await pred.data();
        pred.dispose();
        for (let i = 0; i < n && out.length < limit; i++)
          if (p[i] !== val.y[at + i]) out.push({ index: at + i, predicted: p[i] });
      }
      return out;
    },

    async parameters() {
      return Promise.all(model.variables.map(async (v) => Float32Array.from(await v.data())));
    },

    async setMasks(next) {
      if (next.length !== model.variables.length)
        throw new Error(`pruning gave ${next.length} masks for ${model.variables.length} tensors`);
      for (const m of masks) m?.dispose();
      masks = model.variables.map((v, i) => {
        const m = next[i];
        if (!m) return null;
        if (m.length !== v.size) throw new Error(`a pruning mask of ${m.length} values for ${v.size} weights`);
        return tf.tensor(Float32Array.from(m), v.shape);
      });
      tf.tidy(applyMasks);
    },

    memory: memorySample,

    async mixedPrecision() {
      return null;
    },

    dispose() {
      for (const p of pending) p.loss.dispose();
      pending = [];
      for (const m of masks) m?.dispose();
      masks = [];
      optimizer.dispose();
      model.dispose();
    },
  };
}
