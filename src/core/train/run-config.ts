import {
  ENGINES,
  PRECISIONS,
  PREPARE_ON,
  type AugmentSetting,
  type BackendName,
  type EngineName,
  type Precision,
  type PrepareOn,
  type DistillSetting,
  type PruningSetting,
  type RunConfig,
} from './record';
import { validateModelSpec, type ModelSpec } from './model';
import { ConfigError } from './errors';
import { refuseUnknownKeys } from '../errors';
import { validatePruning } from '../compress/prune';
import { validateDistill } from '../compress/distill-setting';
import { OPTIMIZER_ALIASES, OPTIMIZER_KEYS, validateOptimizerSpec, type OptimizerSpec } from './optimizer-spec';
import { nearField } from '../data/names';

const AUGMENT_KEYS: readonly string[] = ['pad', 'flip'] satisfies (keyof AugmentSetting)[];

/** The run settings a config file may set (train's --config) and a sweep may search (tune/apply.ts). */
export const CONFIG_SETTING_KEYS = [
  'model',
  'optimizer',
  'batchSize',
  'epochs',
  'seed',
  'backend',
  'prefetch',
  'engine',
  'precision',
  'prepareOn',
  'augment',
  'pruning',
  'distill',
] as const satisfies readonly (keyof RunSettings)[];

/**
 * `did you mean "batchSize"?; ` for a top-level key that is likely one of `keys` (`batch_size`), or
 * an optimizer field given without its object (`lr`, `learning_rate`: "optimizer.learningRate");
 * else nothing. Config files and sweep paths say it.
 */
export function nearSettingText(key: string, keys: readonly string[]): string {
  const field = nearField(key, OPTIMIZER_KEYS, OPTIMIZER_ALIASES);
  const near = nearField(key, keys) ?? (field && `optimizer.${field}`);
  return near ? `did you mean "${near}"?; ` : '';
}

/** The settings a user picks for a run (the data part is filled in from the loaded dataset). */
export interface RunSettings {
  model: ModelSpec;
  optimizer: OptimizerSpec;
  batchSize: number;
  epochs: number;
  seed: number;
  backend: BackendName;
  prefetch: number;
  /** Which trainer runs the steps; default 'tfjs'. */
  engine?: EngineName;
  /** 'fp16-mixed' needs engine 'wgsl'; default 'fp32'. */
  precision?: Precision;
  /** Duplicate removal before the split (the data worker honours it); default 'none'. */
  dedup?: RunConfig['data']['dedup'];
  /**
   * A time budget: seconds of training after start-up (the training loop ends the run; config.maxSeconds); null or
   * absent: no limit.
   */
  timeBudgetSec?: number | null;
  /** Where batches are prepared; default 'worker' ('gpu' needs engine 'wgsl'). */
  prepareOn?: PrepareOn;
  /** Seeded crop and flip of image rows, on the GPU (prepareOn 'gpu'); default none. */
  augment?: AugmentSetting | null;
  /** Gradual magnitude pruning (both engines); default none. */
  pruning?: PruningSetting | null;
  /** Distillation from a finished run's logits (both engines, classification); default none. */
  distill?: DistillSetting | null;
}

export const DEFAULT_SETTINGS: RunSettings = {
  model: { type: 'mlp', hidden: [32, 32], activation: 'relu' },
  optimizer: { name: 'adam', learningRate: 0.01 },
  batchSize: 32,
  epochs: 10,
  seed: 1,
  backend: 'webgpu',
  // Above the trainer's READ_EVERY (10): with 4, the queue ran dry every 4 steps between two reads
  // of the losses, when the trainer yields and the refilled batches arrive; on an H200 that was
  // 3-17 % of the step (bench/results/gpu-h200-2026-12-04-prefetch.*), with 12 under 0.5 %.
  prefetch: 12,
  engine: 'tfjs',
  precision: 'fp32',
  dedup: 'none',
  timeBudgetSec: null,
};

export const BACKENDS: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/**
 * A run needs a learning rate above 0 (an optimizer spec alone allows 0, for the engine's
 * gradient checks): one rule and one message for 0 and for a negative rate, checked before the
 * spec's own rules wherever a run's optimizer is read (settings, the CLI, stored and shared runs).
 */
export function checkRunLearningRate(optimizer: unknown): void {
  if (typeof optimizer !== 'object' || optimizer === null) return;
  const lr: unknown = (optimizer as { learningRate?: unknown }).learningRate;
  if (lr === undefined || (typeof lr === 'number' && Number.isFinite(lr) && lr > 0)) return;
  throw new ConfigError(
    'optimizer.learningRate',
    `must be a finite number > 0, got ${typeof lr === 'number' ? lr : JSON.stringify(lr)}`,
  );
}

/**
 * Checks user settings before anything starts; throws a ConfigError naming the field. Returns
 * the settings with the optimizer's defaults written out, so a run record shows what was used.
 */
export function validateSettings(s: RunSettings): RunSettings {
  const positiveInt = (v: number, field: string, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max)
      throw new ConfigError(field, `must be a whole number from 1 to ${max}, got ${v}`);
  };
  checkRunLearningRate(s.optimizer);
  const optimizer = validateOptimizerSpec(s.optimizer);
  positiveInt(s.batchSize, 'batchSize', 1 << 20);
  positiveInt(s.epochs, 'epochs', 100_000);
  positiveInt(s.prefetch, 'prefetch', 64);
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > 0xffffffff)
    throw new ConfigError('seed', `must be a whole number from 0 to 4294967295, got ${s.seed}`);
  if (!BACKENDS.includes(s.backend))
    throw new ConfigError('backend', `"${s.backend}" is unknown (choose one of ${BACKENDS.join(', ')})`);
  validateModelSpec(s.model);
  const engine = s.engine ?? 'tfjs';
  const precision = s.precision ?? 'fp32';
  if (!ENGINES.includes(engine))
    throw new ConfigError('engine', `"${String(engine)}" is unknown (choose one of ${ENGINES.join(', ')})`);
  if (!PRECISIONS.includes(precision))
    throw new ConfigError('precision', `"${String(precision)}" is unknown (choose one of ${PRECISIONS.join(', ')})`);
  const prepareOn = s.prepareOn ?? 'worker';
  if (!PREPARE_ON.includes(prepareOn))
    throw new ConfigError('prepareOn', `"${String(prepareOn)}" is unknown (choose one of ${PREPARE_ON.join(', ')})`);
  if (s.augment != null) {
    if (typeof s.augment !== 'object' || Array.isArray(s.augment))
      throw new ConfigError('augment', `must be an object (pad, flip) or null, got ${JSON.stringify(s.augment)}`);
    refuseUnknownKeys(s.augment, AUGMENT_KEYS, 'augment', 'an augmentation setting');
    if (!Number.isInteger(s.augment.pad) || s.augment.pad < 0 || s.augment.pad > 16)
      throw new ConfigError('augment.pad', `must be a whole number from 0 to 16, got ${JSON.stringify(s.augment.pad)}`);
    if (typeof s.augment.flip !== 'boolean')
      throw new ConfigError('augment.flip', `must be true or false, got ${JSON.stringify(s.augment.flip)}`);
    if (prepareOn !== 'gpu')
      throw new ConfigError('augment', 'augmentation runs in the GPU batch preparation: set prepareOn to gpu');
  }
  if (s.pruning != null) validatePruning(s.pruning);
  if (s.distill != null) validateDistill(s.distill);
  checkEngineSupports(engine, precision, prepareOn);
  return { ...s, optimizer, engine, precision };
}

/**
 * Refuses what an engine cannot honour: fp16-mixed and batches prepared on the GPU exist on the
 * wgsl engine only (both engines train every model type).
 */
export function checkEngineSupports(engine: EngineName, precision: Precision, prepareOn: PrepareOn = 'worker'): void {
  if (prepareOn === 'gpu' && engine !== 'wgsl')
    throw new ConfigError(
      'prepareOn',
      'batches are prepared on the GPU by the wgsl engine only (tfjs takes prepared batches); set engine to wgsl',
    );
  if (precision === 'fp16-mixed' && engine !== 'wgsl') {
    throw new ConfigError(
      'precision',
      'fp16-mixed runs on the wgsl engine only (tfjs has no float16 training on WebGPU); set engine to wgsl',
    );
  }
}

/** Combines settings and the dataset's description into a run configuration. */
export function makeRunConfig(s: RunSettings, data: RunConfig['data']): RunConfig {
  return {
    data,
    model: s.model,
    optimizer: { ...s.optimizer },
    batchSize: s.batchSize,
    epochs: s.epochs,
    precision: s.precision ?? 'fp32',
    engine: s.engine ?? 'tfjs',
    backend: s.backend,
    prefetch: s.prefetch,
    seed: s.seed,
    ...(s.prepareOn && s.prepareOn !== 'worker' ? { prepareOn: s.prepareOn } : {}),
    ...(s.augment ? { augment: { ...s.augment } } : {}),
    ...(s.pruning ? { pruning: { ...s.pruning } } : {}),
    ...(s.distill ? { distill: { ...s.distill } } : {}),
  };
}
