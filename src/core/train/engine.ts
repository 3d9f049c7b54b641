/**
 * One interface for the engines that run training steps, so the loop in trainer.ts (batching,
 * read-back groups, metrics, epochs, records, the queue) is the same for tfjs and for the
 * project's own WGSL kernels (src/gpu/engine).
 */
import type { MemorySample, SparseLayerReport } from './record';

/** One batch as the data side hands it over: the buffers may be longer than `size` rows. */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  /**
   * Distillation runs: the teacher's logits of each row, `outputs` per row (the model's output
   * width), in the rows' order; absent otherwise.
   */
  soft?: Float32Array;
  size: number;
  epoch: number;
  index: number;
  lastInEpoch: boolean;
}

/** Held-out rows: `rows` rows of features (flat) and one label value each. */
export interface ValidationRows {
  x: Float32Array;
  y: Float32Array;
  rows: number;
}

/** What the engine of a run can do; created per run, disposed by the loop. */
export interface TrainEngine {
  /**
   * Queues one training step (forward, loss, backward, update) on the batch's first `size`
   * rows. The batch's buffers may be reused as soon as this returns (or resolves). With
   * `timed`, the step's GPU time is measured where the engine has a GPU timer.
   */
  step(batch: Batch, timed: boolean): void | Promise<void>;
  /** Losses of the steps queued since the last drain, in order, and their GPU times (null where not timed). */
  drain(): Promise<{ losses: ArrayLike<number>; gpuMs: (number | null)[] }>;
  /** Mean loss over the rows, and the share predicted right (classification; else null). */
  validate(val: ValidationRows): Promise<{ loss: number; accuracy: number | null }>;
  /** At most `limit` rows the model gets wrong: index into the rows, predicted class. Classification only. */
  misclassified(val: ValidationRows, limit: number): Promise<{ index: number; predicted: number }[]>;
  /**
   * The trained parameters, one array per tensor in the model's order (an MLP: W0 [K, N]
   * row-major, b0, W1, b1, ...), read back as float32.
   */
  parameters(): Promise<Float32Array[]>;
  /**
   * Pruning: one mask per tensor in the parameters' order (1 keep, 0 zero; null: not pruned).
   * The weights are multiplied by it now and after every later optimizer step.
   */
  setMasks(masks: readonly (Uint8Array | null)[]): Promise<void>;
  /** Pruned runs: which pruned dense layers run on sparse kernels (engines without them: absent). */
  sparseLayers?(): SparseLayerReport[];
  /** Memory in use (tfjs: tensors; wgsl: its GPU buffers). */
  memory(): MemorySample;
  /** fp16-mixed runs: the loss scale now and the steps skipped so far; null otherwise. */
  mixedPrecision(): Promise<{ lossScale: number; skippedSteps: number } | null>;
  dispose(): void;
}
