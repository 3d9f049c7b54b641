/** Types of a run's configuration and its record (see docs/interfaces.md, `version` 1). */
import type { ModelSpec } from './model';
import type { OptimizerSpec } from './optimizer-spec';
import type { TrainedJson } from './trained';

export type PrepareOn = 'worker' | 'gpu';
export const PREPARE_ON: readonly PrepareOn[] = ['worker', 'gpu'];
export interface AugmentSetting {
  pad: number;
  flip: boolean;
}

/**
 * Gradual magnitude pruning (src/core/compress/prune.ts): the share of each weight tensor set to
 * zero reaches `targetSparsity` along Zhu & Gupta's cubic schedule from `startStep` to
 * `endStep` (counted in optimizer steps), the masks recomputed every `every` steps.
 */
export interface PruningSetting {
  targetSparsity: number;
  startStep: number;
  endStep: number;
  every: number;
}

/**
 * Knowledge distillation (src/core/compress/distill.ts): the run trains on
 * alpha * CE(labels) + (1 - alpha) * T^2 * KL(softmax(teacher / T) || softmax(student / T)),
 * the teacher's logits computed once per training row before the first step. `teacher` names a
 * finished run with trained weights on the same dataset, label and classes: its id in the
 * workbench, the path of its run record on the command line.
 */
export interface DistillSetting {
  teacher: string;
  temperature: number;
  alpha: number;
}

/** What the wgsl engine decided for a pruned dense layer at its last mask update (times of its three products, ms). */
export interface SparseLayerReport {
  layer: number;
  sparsity: number;
  sparse: boolean;
  denseMs: number | null;
  sparseMs: number | null;
}

export interface RunConfig {
  data: {
    fingerprint: string;
    name: string;
    rows: number;
    label: string;
    features: string[];
    dedup: 'none' | 'exact' | 'bloom';
    split: { train: number; val: number; test: number; seed: number };
    /**
     * A row filter (core/data/filter.ts, `delay > 30 and distance between 200 and 800`): the run
     * trains on the rows it keeps (dedup and split among them); absent: every row.
     */
    where?: string | null;
    /**
     * Classification or regression, as asked for; absent: decided from the label (a categorical
     * or boolean label, or whole numbers with at most 20 values, are classes; see labelTask).
     */
    task?: 'classification' | 'regression';
    /**
     * True: trained streaming (train --stream, Train while loading): the file read piece by piece,
     * its encoding fixed by the first piece and each row's part of the split by its position in the
     * file (rowFraction), not the seeded shuffle of a file loaded whole; absent: loaded whole.
     */
    stream?: boolean;
  };
  model: ModelSpec;
  optimizer: OptimizerSpec;
  batchSize: number;
  epochs: number;
  precision: Precision;
  engine: EngineName;
  backend: BackendName;
  prefetch: number;
  seed: number;
  /**
   * Where batches are prepared (default 'worker'): the data worker standardises and one-hot
   * encodes every batch, or ('gpu', wgsl engine) it sends raw columns and the step's first kernel
   * does it on the GPU (src/core/data/prepare.ts).
   */
  prepareOn?: PrepareOn;
  /** Seeded augmentation of image rows on the GPU (prepareOn 'gpu'): a random crop with `pad` pixels of zero padding, and a horizontal flip. Default none. */
  augment?: AugmentSetting | null;
  /** Gradual magnitude pruning during the run; default none. */
  pruning?: PruningSetting | null;
  /** Distillation from a finished run (classification); default none. */
  distill?: DistillSetting | null;
  /** When set, the summary's `timeToTargetLoss` is the time until a readback group's mean loss first reaches it. */
  targetLoss?: number | null;
  /** When set, the run ends (status `done`, after a validation pass) once it has taken this many steps. */
  maxSteps?: number | null;
  /**
   * A time budget: when set, the run ends (status `done`, after a validation pass) once it has
   * trained this many seconds. The seconds count from the end of start-up (the first step done,
   * shaders compiled) and leave out pauses; validation passes inside the run count.
   */
  maxSeconds?: number | null;
}

/**
 * Where a run's start-up went, in seconds: starting the backend (0 when it was up already),
 * preparing the data (split, dedup, first batches), building the model, and the first step
 * (shader compilation and the first batch's upload). None of it counts in the time budget or
 * the steady-state rate; the model and first step count in the end-to-end rate.
 */
export interface StartupTimes {
  backendSec: number;
  dataSec: number;
  modelSec: number;
  firstStepSec: number;
}

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/**
 * Which trainer runs the steps: `tfjs` (TensorFlow.js kernels on the backend, the baseline) or
 * `wgsl` (the project's own fused WebGPU kernels, src/gpu/engine; MLP models).
 */
export type EngineName = 'tfjs' | 'wgsl';
export const ENGINES: readonly EngineName[] = ['tfjs', 'wgsl'];

/**
 * `fp32`, or `fp16-mixed`: float32 master weights and optimizer state, float16 copies of the
 * weights and the activations feeding the matmuls, float32 accumulation, dynamic loss scaling
 * (wgsl engine only).
 */
export type Precision = 'fp32' | 'fp16-mixed';
export const PRECISIONS: readonly Precision[] = ['fp32', 'fp16-mixed'];

export interface Environment {
  runtime: string;
  adapter: { vendor: string; architecture: string } | null;
  features: string[];
  /**
   * How float16 runs (wgsl engine): `native` (WGSL `enable f16;`, the adapter has `shader-f16`),
   * `packed` (two f16 in a u32 through pack2x16float / unpack2x16float, any WebGPU adapter), or
   * `none` (no fp16-mixed run possible here, or the run is fp32).
   */
  f16Path: 'none' | 'native' | 'packed';
  /** The tfjs backend; `cuda` only in records written by an exported PyTorch job on a CUDA GPU. */
  backend: BackendName | 'cuda';
  /** Why the requested backend was not used, or null. */
  fallbackReason: string | null;
}

export interface StepRecord {
  step: number;
  epoch: number;
  /** Seconds since the run started. */
  time: number;
  loss: number;
  samplesPerSec: number;
  /** Time the loop waited for this batch (ms). */
  dataWaitMs: number;
  /** GPU time of the step from timestamp queries; sampled every Nth step, null otherwise or where unavailable. */
  gpuMs: number | null;
  /** Time of the grouped loss readback, on the last step of each group (0 on the others). */
  readbackMs: number;
  /** Memory in use, on the last step of each batch of records the trainer posts (absent on the others). */
  memory?: MemorySample;
}

/** Memory in use, posted with each batch of step records. */
export interface MemorySample {
  /** Tensors alive (`tf.memory().numTensors`): flat over a run unless something leaks. */
  tensors: number;
  /** Bytes held by those tensors. */
  bytes: number;
  /** Bytes in GPU buffers (WebGPU, WebGL), null on the cpu and wasm backends. */
  gpuBytes: number | null;
}

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  valLoss: number | null;
  valAccuracy: number | null;
  /**
   * Regression only: the validation RMSE in the label's own units. The loss is the MSE on the
   * target standardised with the training split's mean and deviation, so this is
   * sqrt(valLoss) x that deviation (exactly: y_raw = y x std + mean).
   */
  valRmse?: number | null;
}

export type RunStatus = 'queued' | 'running' | 'paused' | 'done' | 'stopped' | 'failed';

export interface RunSummary {
  status: Exclude<RunStatus, 'queued' | 'running' | 'paused'>;
  /**
   * Steady-state rate: the median over the read-back windows (about 10 steps each) of training
   * samples per second; leaves out start-up, validation passes and stalls between windows.
   */
  medianSamplesPerSec: number;
  /**
   * End-to-end rate: every training sample of the run divided by its whole wall time in the
   * trainer, the model build and first step (shader compilation), validation passes, pauses and
   * stalls included (the backend start and data preparation, shown in `startup`, are not). What an outside clock
   * sees; results rank and compute speed-ups by it.
   */
  samplesPerSec?: number;
  timeToTargetLoss: number | null;
  finalValMetric: number | null;
  error?: string;
  /**
   * Classification only: validation rows the final model gets wrong (at most 50), as an index
   * into the validation rows and the predicted class index.
   */
  misclassified?: { index: number; predicted: number }[];
  /** Start-up, phase by phase (the trainer fills modelSec and firstStepSec; the queue the rest). */
  startup?: StartupTimes;
  /** fp16-mixed runs: the dynamic loss scale at the end of the run. */
  lossScale?: number;
  /** fp16-mixed runs: steps skipped because a gradient overflowed (inf/NaN), the scale halved each time. */
  skippedSteps?: number;
  /** Bytes one full training batch puts on the device: its features (or raw rows, prepareOn gpu) and labels. */
  batchBytes?: number;
  /**
   * Pruned runs: the share of zero weights in the kernels at the end (biases left out), and
   * the parameters that are not zero (biases included).
   */
  sparsity?: number;
  nonZeroParameters?: number;
  /**
   * Pruned runs on the wgsl engine: per dense layer pruned past half, whether it ran on the CSR
   * kernels at the end, and the times (ms, the layer's three products) that decided it.
   */
  sparseLayers?: SparseLayerReport[];
  /** The model's trainable parameters and forward FLOPs per sample (models/size.ts). */
  model?: { parameters: number; flopsPerSample: number };
}

export interface RunRecord {
  version: 1;
  id: string;
  config: RunConfig;
  environment: Environment;
  steps: StepRecord[];
  epochs: EpochRecord[];
  summary: RunSummary;
  /**
   * The trained model (runs that did not fail): the raw-row preprocessing and the parameters,
   * what `export` makes ONNX, tfjs and PyTorch files from (trained.ts). Never in share links.
   */
  trained?: TrainedJson;
}

/** Median of a list of numbers (NaN when empty). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
