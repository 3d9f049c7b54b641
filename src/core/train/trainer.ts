import type { Batch, TrainEngine } from './engine';
import { createTfjsEngine, type StepOptimizer, type TfjsEngineOptions } from './tfjs-engine';
import { lossFor, lossOutputs, type Task } from './loss';
import { modelSize } from './models/size';
import { parameterShapes } from './models/shapes';
import { isPruneStep, measureSparsity, prunableTensors, Pruner } from '../compress/prune';
import type { DenseFeature } from '../data/encode';
import type { RawKind } from '../data/prepare';
import {
  median,
  type EpochRecord,
  type RunConfig,
  type RunSummary,
  type StartupTimes,
  type StepRecord,
} from './record';

export type { Batch, TrainEngine, ValidationRows } from './engine';
export { memorySample, type StepOptimizer } from './tfjs-engine';

/** Where batches come from: a prefetch queue fed by the data worker, or a local batcher. */
export interface BatchSource {
  /** The next batch, or null when every epoch has been delivered. */
  next(): Promise<Batch | null>;
  /** Hands a consumed batch's buffers back for refilling. */
  recycle(batch: Batch): void;
}

export interface TrainTask {
  task: Task;
  dim: number;
  /** Number of classes (classification) or 1 (regression). */
  outputs: number;
  /** Held-out rows for the per-epoch validation pass (prepared features), or null. */
  val: { x: Float32Array; y: Float32Array; rows: number } | null;
  /** Regression: the deviation the target was standardised with, which gives the RMSE in the label's units. */
  targetStd?: number | null;
  /**
   * prepareOn 'gpu': each batch's `x` holds raw rows of `stride` 32-bit words (the float32 view
   * of them; see src/core/data/prepare.ts), which the engine turns into `dim` features by `plan`.
   */
  prepare?: { kind: RawKind; stride: number; plan: DenseFeature[] } | null;
}

export interface TrainHooks {
  /** Called with step records a few times a second (never per step); the last one carries `memory`. */
  onSteps(steps: StepRecord[]): void;
  onEpoch(epoch: EpochRecord): void;
  /** Checked before each step. */
  shouldStop(): boolean;
  /** Resolves when training may continue (pause support). */
  waitWhilePaused(): Promise<void>;
  /** Start-up phases as they begin: 'model' (building it), 'first-step' (compiling, first batch), 'training'. */
  onPhase?(phase: TrainPhase): void;
  /**
   * The trained parameters at the end of a run that did not fail (done or stopped), one float32
   * array per tensor in the model's order (models/shapes.ts): what exports are made from.
   */
  onParameters?(tensors: Float32Array[]): void;
}

export type TrainPhase = 'model' | 'first-step' | 'training';

export interface TrainOptions {
  /** Read the loss back every this many steps (one GPU sync per group); default 10. */
  readEvery?: number;
  /** Post metrics at most this often, ms; default 250. */
  flushMs?: number;
  now?: () => number;
  /**
   * Time every this many steps on the GPU (default 10, so with the default `readEvery` the
   * timed step is the one right after a loss readback, when the queue is already drained).
   * Timing a step costs a little (timestamp queries and their read-back), so it is sampled:
   * the other steps' `gpuMs` is null. Engines without a GPU timer leave every `gpuMs` null.
   */
  gpuTimeEvery?: number;
}

/** Builds the engine of a run (after the loop has checked the config). */
export type EngineFactory = (config: RunConfig, task: TrainTask) => TrainEngine | Promise<TrainEngine>;

/** The tfjs engine with the optimizer `makeOptimizer` builds (see tfjs-engine.ts). */
export function tfjsEngine(makeOptimizer: () => StepOptimizer, options: TfjsEngineOptions = {}): EngineFactory {
  return (config, task) => createTfjsEngine(config, task, makeOptimizer(), options);
}

/**
 * The training loop, backend-agnostic: tfjs on WebGPU in a browser worker, on Dawn in Node,
 * or on the cpu backend in tests. Losses are read back asynchronously in groups (never
 * `dataSync`), metrics are buffered and flushed a few times a second, and every tensor a
 * step makes is disposed, so `tf.memory().numTensors` stays flat over a run.
 */
/**
 * Steps between two reads of the losses (one GPU sync each): the loop's default `readEvery`. The
 * default prefetch depth (run-config.ts) is above it, so the batches recycled since the last read
 * are back in the queue before it runs dry (see README, "prefetch").
 */
export const READ_EVERY = 10;

export async function train(
  config: RunConfig,
  task: TrainTask,
  source: BatchSource,
  makeEngine: EngineFactory,
  hooks: TrainHooks,
  options: TrainOptions = {},
): Promise<RunSummary> {
  const now = options.now ?? (() => performance.now());
  const readEvery = options.readEvery ?? READ_EVERY;
  const flushMs = options.flushMs ?? 250;
  const gpuTimeEvery = Math.max(1, options.gpuTimeEvery ?? 10);
  const wallStart = now();
  let trainedSamples = 0;
  hooks.onPhase?.('model');
  const engine = await makeEngine(config, task);
  const start = now();
  hooks.onPhase?.('first-step');
  const maxMs = config.maxSeconds != null ? config.maxSeconds * 1000 : null;
  // Start-up ends when the first step is done on the device; the time budget counts from then, pauses left out.
  let trainingStart: number | null = null;
  let pausedMs = 0;
  let startup: Pick<StartupTimes, 'modelSec' | 'firstStepSec'> = {
    modelSec: (start - wallStart) / 1000,
    firstStepSec: 0,
  };
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
  // Divergence: steps in a row whose loss was not a number, from `since` (see DIVERGED_STEPS).
  const nonFinite = { count: 0, since: -1, value: 0 };
  let error: string | undefined;
  const extras: Pick<
    RunSummary,
    'lossScale' | 'skippedSteps' | 'samplesPerSec' | 'sparsity' | 'nonZeroParameters' | 'sparseLayers'
  > = {};
  const outputs = lossOutputs(lossFor(task.task, task.outputs), task.outputs);
  // Pruning reads the weights back at each mask update (every `every` steps between start and end).
  const pruner = config.pruning
    ? new Pruner(config.pruning, prunableTensors(parameterShapes(config.model, task.dim, outputs)))
    : null;

  // Steps whose losses are not yet read back, with what we know about them.
  let pending: { rec: Omit<StepRecord, 'loss' | 'samplesPerSec' | 'readbackMs' | 'gpuMs'>; samples: number }[] = [];
  let windowStart = start;

  const drain = async () => {
    if (pending.length === 0) return;
    const group = pending;
    pending = [];
    const t0 = now();
    const { losses, gpuMs } = await engine.drain();
    const readbackMs = now() - t0;
    const t1 = now();
    const samples = group.reduce((s, p) => s + p.samples, 0);
    const rate = samples / Math.max(1e-6, (t1 - windowStart) / 1000);
    windowStart = t1;
    group.forEach((p, i) => {
      const rec: StepRecord = {
        ...p.rec,
        loss: losses[i],
        samplesPerSec: rate,
        gpuMs: gpuMs[i] ?? null,
        readbackMs: i === group.length - 1 ? readbackMs : 0,
      };
      outbox.push(rec);
      epochLossSum += losses[i];
      epochLossCount++;
      if (Number.isFinite(losses[i])) nonFinite.count = 0;
      else if (nonFinite.count++ === 0) Object.assign(nonFinite, { since: rec.step, value: losses[i] });
    });
    // The first step alone (start-up: compilation, first upload) is not a steady-state reading.
    if (trainingStart !== null) allRates.push(rate);
    if (timeToTargetLoss === null && config.targetLoss != null && group.length) {
      let sum = 0;
      for (let i = 0; i < group.length; i++) sum += losses[i];
      if (sum / group.length <= config.targetLoss) timeToTargetLoss = (t1 - start) / 1000;
    }
    if (t1 - lastFlush >= flushMs) flush();
  };
  const flush = () => {
    if (outbox.length) {
      outbox[outbox.length - 1].memory = engine.memory();
      hooks.onSteps(outbox);
    }
    outbox = [];
    lastFlush = now();
  };

  try {
    for (;;) {
      const pauseStart = now();
      await hooks.waitWhilePaused();
      if (trainingStart !== null) pausedMs += now() - pauseStart;
      if (hooks.shouldStop()) {
        status = 'stopped';
        break;
      }
      const t0 = now();
      const batch = await source.next();
      const dataWaitMs = now() - t0;
      if (batch === null) break;
      const size = batch.size;
      // Step 0 compiles shaders: never a sample.
      await engine.step(batch, step > 0 && step % gpuTimeEvery === 0);
      source.recycle(batch);
      pending.push({ samples: size, rec: { step, epoch: batch.epoch, time: (t0 - start) / 1000, dataWaitMs } });
      trainedSamples += size;
      step++;
      if (pruner && isPruneStep(pruner.setting, step)) {
        // The losses so far are read first: a mask update may time the engine's kernels.
        await drain();
        await engine.setMasks(pruner.update(step, await engine.parameters()));
      }
      // The time budget is checked after each step: a run ends at most one step past it.
      const budgetSpent =
        (config.maxSteps != null && step >= config.maxSteps) ||
        (maxMs !== null && trainingStart !== null && now() - trainingStart - pausedMs >= maxMs);
      // A run cut short by its step or time budget still ends with a validation pass (over a partial epoch).
      const endOfEpoch = batch.lastInEpoch || budgetSpent;
      if (pending.length >= readEvery || endOfEpoch || trainingStart === null) await drain();
      if (nonFinite.count >= DIVERGED_STEPS) break;
      if (trainingStart === null) {
        trainingStart = now();
        startup = { modelSec: startup.modelSec, firstStepSec: (trainingStart - start) / 1000 };
        hooks.onPhase?.('training');
      }
      if (endOfEpoch) {
        // A model whose loss is not a number is not validated: its accuracy would be that of NaN outputs.
        const valResult = task.val && nonFinite.count === 0 ? await engine.validate(task.val) : null;
        finalValMetric = valResult
          ? task.task === 'classification'
            ? valResult.accuracy
            : valResult.loss
          : finalValMetric;
        flush();
        hooks.onEpoch({
          epoch: batch.epoch,
          trainLoss: epochLossCount ? epochLossSum / epochLossCount : NaN,
          valLoss: valResult?.loss ?? null,
          valAccuracy: valResult?.accuracy ?? null,
          ...(task.task === 'regression' && task.targetStd != null
            ? { valRmse: valResult ? Math.sqrt(valResult.loss) * task.targetStd : null }
            : {}),
        });
        epochLossSum = 0;
        epochLossCount = 0;
        windowStart = now();
      }
      if (budgetSpent) break;
    }
    await drain();
    flush();
    // A run whose loss is not a number at its end (or was, for DIVERGED_STEPS steps) diverged: its
    // weights are NaN or infinite, so its validation numbers would be those of a broken model.
    if (nonFinite.count > 0) {
      status = 'failed';
      error = divergedText(nonFinite, config);
      finalValMetric = null;
    }
    if (status !== 'failed' && task.val && task.task === 'classification')
      misclassified = await engine.misclassified(task.val, MISCLASSIFIED_LIMIT);
    const parameters = status !== 'failed' && (hooks.onParameters || pruner) ? await engine.parameters() : null;
    if (parameters && pruner) {
      const { sparsity, nonZero } = measureSparsity(parameters, pruner.prunable);
      extras.sparsity = sparsity;
      extras.nonZeroParameters = nonZero;
      const layers = engine.sparseLayers?.();
      if (layers?.length) extras.sparseLayers = layers;
    }
    if (parameters && hooks.onParameters) hooks.onParameters(parameters);
    const mixed = await engine.mixedPrecision();
    if (mixed) Object.assign(extras, mixed);
    const wall = (now() - wallStart) / 1000;
    if (trainedSamples > 0 && wall > 0) extras.samplesPerSec = trainedSamples / wall;
  } finally {
    engine.dispose();
  }
  return {
    status,
    ...(error ? { error } : {}),
    model: modelSize(config.model, task.dim, outputs),
    batchBytes: 4 * config.batchSize * ((task.prepare?.stride ?? task.dim) + 1),
    medianSamplesPerSec: median(allRates),
    timeToTargetLoss,
    finalValMetric,
    misclassified,
    startup: { backendSec: 0, dataSec: 0, ...startup },
    ...extras,
  };
}

/**
 * A run ends as failed (diverged) once this many steps in a row had a loss that is not a finite
 * number, or when its last step's loss is not. One such step alone may pass: under fp16-mixed an
 * overflowing step is skipped and the loss scale halved, and a batch can overflow once.
 */
export const DIVERGED_STEPS = 10;

function divergedText(at: { count: number; since: number; value: number }, config: RunConfig): string {
  const what = Number.isNaN(at.value) ? 'NaN' : at.value > 0 ? 'Infinity' : '-Infinity';
  return (
    `the run diverged: the training loss was ${what} from step ${at.since}` +
    (at.count > 1 ? ` (${at.count} steps in a row)` : '') +
    `, so the weights are no longer numbers; a lower learning rate than ${config.optimizer.learningRate}` +
    (config.optimizer.clipNorm == null ? ' or gradient clipping (optimizer.clipNorm)' : '') +
    ' usually helps. The steps before it are kept'
  );
}

/** At most this many misclassified validation rows are reported. */
export const MISCLASSIFIED_LIMIT = 50;
