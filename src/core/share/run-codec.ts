/**
 * What a finished run looks like in local storage: the run record of docs/interfaces.md
 * (version 1) with its steps down-sampled, plus what the workbench needs to show it again
 * (title, colour, time budget, sweep tag). Decoding checks the shape and refuses anything
 * else, so a stale or foreign entry never reaches the store. A cap on count and size decides
 * which runs to let go, oldest first.
 */
import {
  ENGINES,
  PRECISIONS,
  PREPARE_ON,
  type AugmentSetting,
  type DistillSetting,
  type PruningSetting,
  type SparseLayerReport,
  type EpochRecord,
  type Environment,
  type MemorySample,
  type RunConfig,
  type RunSummary,
  type StartupTimes,
  type StepRecord,
} from '../train/record';
import {
  ACTIVATIONS,
  MODEL_TYPES,
  type CnnSpec,
  type DscnnSpec,
  type InputShape,
  type MlpSpec,
  type ModelSpec,
} from '../train/model';
import { validateOptimizerSpec, type OptimizerSpec, type ScheduleSpec } from '../train/optimizer-spec';
import { BACKENDS, checkRunLearningRate, validateSettings } from '../train/run-config';
import { MAX_TEACHER_NAME } from '../compress/distill-setting';
import { MAX_WHERE_CHARS, parseWhere } from '../data/filter';
import { TASKS } from '../data/encode';
import { ConfigError } from '../train/errors';
import { MISCLASSIFIED_LIMIT } from '../train/trainer';
import { downsample } from '../train/step-series';
import {
  DecodeError,
  count,
  list,
  noForbiddenKeys,
  nullable,
  number,
  object,
  oneOf,
  optional,
  record,
  show,
  text,
  type Fields,
  type NumberRule,
} from './schema';

export const STORED_RUN_VERSION = 1;

/** At most this many step records are kept per run (every Nth step, the last always). */
export const MAX_STORED_STEPS = 1000;

export interface StoredRunMeta {
  title: string;
  /** Index into the chart palette, fixed when the run was created. */
  colour: number;
  createdAt: number;
  finishedAt: number | null;
  budgetSec: number | null;
  sweep: { id: string; rung: number; key: string } | null;
  error: string | null;
  info: string | null;
  /** Steps the run made before down-sampling. */
  stepsTotal: number;
  /** Runs opened from a share link: where they were trained. Absent for runs made here. */
  origin?: string | null;
}

export interface StoredRun {
  version: typeof STORED_RUN_VERSION;
  id: string;
  config: RunConfig;
  environment: Environment | null;
  steps: StepRecord[];
  epochs: EpochRecord[];
  summary: RunSummary;
  meta: StoredRunMeta;
}

/**
 * At most `max` steps, evenly spaced, the first and the last kept ({@link downsample}, the one rule for thinning a
 * series).
 */
export function downsampleSteps(steps: readonly StepRecord[], max = MAX_STORED_STEPS): StepRecord[] {
  return downsample(steps, max);
}

/** The input a run gives the encoder (the store's RunView has these fields). */
export interface EncodableRun {
  id: string;
  config: RunConfig;
  environment: Environment | null;
  status: string;
  steps: readonly StepRecord[];
  epochs: readonly EpochRecord[];
  summary: RunSummary | null;
  error: string | null;
  info: string | null;
}

/** A finished run in its stored form; `summary` is taken as computed from the full series. */
export function encodeRun(
  run: EncodableRun,
  meta: Omit<StoredRunMeta, 'stepsTotal' | 'error' | 'info'>,
  maxSteps = MAX_STORED_STEPS,
): StoredRun {
  const { origin, ...rest } = meta;
  const status = run.status === 'done' || run.status === 'stopped' ? run.status : 'failed';
  const summary: RunSummary = run.summary ?? {
    status,
    medianSamplesPerSec: NaN,
    timeToTargetLoss: null,
    finalValMetric: null,
    ...(run.error ? { error: run.error } : {}),
  };
  return {
    version: STORED_RUN_VERSION,
    id: run.id,
    config: run.config,
    environment: run.environment,
    steps: downsampleSteps(run.steps, maxSteps),
    epochs: [...run.epochs],
    summary,
    meta: { ...rest, stepsTotal: run.steps.length, error: run.error, info: run.info, ...(origin ? { origin } : {}) },
  };
}

/*
 * Decoding: what is accepted, and why (issue 12: a link's run kept every unknown key, a
 * 16-million-entry array among them, own `__proto__` keys, 1e999 as Infinity, negative counts).
 * The same rules read runs from a link (link.ts, LINK_LIMITS) and from this browser's storage
 * (persist.ts, STORED_LIMITS); a stored run that breaks them is skipped with a notice.
 *
 * - Every object is built fresh, field by field: nothing of the input is spread, merged or kept
 *   by reference (lists are copied entry by entry), so what is not named here never reaches
 *   the store.
 * - Each record is read by a schema with a reader per field (`Fields<T>` in schema.ts: a field
 *   added to a record type fails the type check until its reader is written here). Unknown keys
 *   are refused (this is format version 1), and so are `__proto__`, `constructor` and
 *   `prototype` keys, each with a message naming the field's path. A key whose value is
 *   `undefined` (structured clone keeps those) counts as absent.
 * - Numbers must be finite (JSON never writes a non-finite number: `1e999` is hostile).
 *   Measurements are the exception: a loss, validation figure or median rate that was NaN or
 *   ±Infinity is written by JSON as null and read back as NaN (null where the field is
 *   nullable); stored runs (structured clone, this browser's own data) keep such values.
 * - Counts (step, epoch, rows, stepsTotal >= the steps kept, memory figures, seeds, colour, the
 *   schedule's step counts) are whole numbers >= 0 that a double holds exactly; durations and
 *   times >= 0; split fractions in [0, 1] adding up to at most 1. The settings' ranges (learning
 *   rate > 0, batch size, epochs, prefetch, seed, backend, model shape, engine and precision
 *   together) are validateSettings' and validateOptimizerSpec's rules, applied here unchanged.
 * - Text is bounded: identifiers (id, fingerprint, sweep id) {@link MAX_ID_CHARS}, names
 *   (dataset, label, features, runtime, adapter, origin) {@link MAX_NAME_CHARS}, titles
 *   {@link MAX_TITLE_CHARS}, messages (error, info, fallback reason) {@link MAX_MESSAGE_CHARS},
 *   configuration keys {@link MAX_KEY_CHARS}; control characters (C0, DEL, C1) are refused,
 *   messages may hold tabs and line breaks. Text is never HTML: React renders it as text and
 *   nothing puts it into a URL or `dangerouslySetInnerHTML`, so `<script>` in a title is shown,
 *   not run.
 * - Lists are bounded: steps by the caller (storage {@link MAX_STORED_STEPS}, a link 300), epoch
 *   records {@link MAX_EPOCH_RECORDS} (the epochs setting's maximum), features
 *   {@link MAX_FEATURES}, misclassified rows MISCLASSIFIED_LIMIT (the trainer's), adapter
 *   features {@link MAX_ADAPTER_FEATURES}, model lists 64 here and the model validator's own
 *   limits after.
 * - The summary's lossScale, skippedSteps, samplesPerSec, sparsity and nonZeroParameters stay
 *   optional figures: one that is missing or not valid (lossScale > 0, skippedSteps and
 *   nonZeroParameters whole numbers >= 0, samplesPerSec > 0, sparsity in [0, 1]) is left out,
 *   the run kept (as before).
 */

export const MAX_ID_CHARS = 256;
export const MAX_NAME_CHARS = 1024;
/** A run's title names its configuration, data file and label (names of up to 1024 each). */
export const MAX_TITLE_CHARS = 4096;
export const MAX_MESSAGE_CHARS = 10_000;
/** A configuration key is the configuration's JSON (feature names included). */
export const MAX_KEY_CHARS = 256 * 1024;
export const MAX_EPOCH_RECORDS = 100_000;
/** Feature columns per run (a 256x256 image is 65,536 pixels). */
export const MAX_FEATURES = 65_536;
export const MAX_ADAPTER_FEATURES = 256;

/** How far a decoder trusts its source. */
export interface RunLimits {
  /** Step records per run at most. */
  maxSteps: number;
  /** Measurements may be NaN or ±Infinity as numbers (structured clone; never JSON). */
  nonFiniteMeasurements: boolean;
}

/** Runs stored in this browser (IndexedDB, structured clone). */
export const STORED_LIMITS: RunLimits = { maxSteps: MAX_STORED_STEPS, nonFiniteMeasurements: true };

const DEDUP_MODES: readonly RunConfig['data']['dedup'][] = ['none', 'exact', 'bloom'];
const F16_PATHS: readonly Environment['f16Path'][] = ['none', 'native', 'packed'];
const STATUSES: readonly RunSummary['status'][] = ['done', 'stopped', 'failed'];
const STRIDES: readonly (1 | 2)[] = [1, 2];
const U32_MAX = 0xffffffff;

const id = (v: unknown, path: string) => text(v, path, { max: MAX_ID_CHARS });
const name = (v: unknown, path: string) => text(v, path, { max: MAX_NAME_CHARS });
const message = (v: unknown, path: string) => text(v, path, { max: MAX_MESSAGE_CHARS, lines: true });
const nonNegative = (v: unknown, path: string) => number(v, path, { min: 0 });
const positive = (v: unknown, path: string) => number(v, path, { min: 0, above: true });
/** A number the settings validator checks further (structure only here). */
const finite = (v: unknown, path: string) => number(v, path);
const fraction = (v: unknown, path: string) => number(v, path, { min: 0, max: 1 });

/** A measured value: finite (within `rule`); null (JSON's NaN or ±Infinity) as NaN; any number from storage. */
function measure(v: unknown, path: string, lim: RunLimits, rule: NumberRule = {}): number {
  if (v === null) return NaN;
  if (lim.nonFiniteMeasurements && typeof v === 'number' && !Number.isFinite(v)) return v;
  return number(v, path, rule);
}

function measureOrNull(v: unknown, path: string, lim: RunLimits, rule: NumberRule = {}): number | null {
  return v === null ? null : measure(v, path, lim, rule);
}

/** A figure the summary may leave out: kept when `valid`, else left out (the run is kept, as before). */
const figure =
  (valid: (x: number) => boolean) =>
  (v: unknown): number | undefined =>
    typeof v === 'number' && Number.isFinite(v) && valid(v) ? v : undefined;

/** Runs `check`, turning its ConfigError (field `optimizer.x`) into a DecodeError at `config.optimizer.x`. */
function asDecodeError<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const what = e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message;
    throw new DecodeError(`config.${e.field}`, what.length > 300 ? `${what.slice(0, 300)}…` : what);
  }
}

const sizes = (v: unknown, path: string) => list(v, path, 64, finite);
const activation = (v: unknown, path: string) => oneOf(v, path, ACTIVATIONS);

/** [height, width, channels]: three numbers (the model validator checks their ranges). */
function inputShape(v: unknown, path: string): InputShape {
  const [h, w, c, ...rest] = list(v, path, 3, finite);
  if (c === undefined || rest.length) throw new DecodeError(path, 'must be [height, width, channels]');
  return [h, w, c];
}

const BLOCK_FIELDS: Fields<DscnnSpec['blocks'][number]> = { filters: finite, stride: (v, p) => oneOf(v, p, STRIDES) };

const MLP_FIELDS: Fields<MlpSpec> = { type: (v, p) => oneOf(v, p, ['mlp'] as const), hidden: sizes, activation };
const CNN_FIELDS: Fields<CnnSpec> = {
  type: (v, p) => oneOf(v, p, ['cnn'] as const),
  inputShape: optional(inputShape),
  filters: sizes,
  groups: optional(sizes),
  hidden: sizes,
  activation,
};
const DSCNN_FIELDS: Fields<DscnnSpec> = {
  type: (v, p) => oneOf(v, p, ['dscnn'] as const),
  inputShape: optional(inputShape),
  stem: finite,
  blocks: (v, p) => list(v, p, 64, (b, q) => record(b, q, BLOCK_FIELDS)),
  hidden: sizes,
  activation,
};
const MODEL_KEYS = [...new Set([MLP_FIELDS, CNN_FIELDS, DSCNN_FIELDS].flatMap((f) => Object.keys(f)))];

function readModel(v: unknown, path: string): ModelSpec {
  switch (oneOf(object(v, path, MODEL_KEYS).type, `${path}.type`, MODEL_TYPES)) {
    case 'mlp':
      return record(v, path, MLP_FIELDS);
    case 'cnn':
      return record(v, path, CNN_FIELDS);
    case 'dscnn':
      return record(v, path, DSCNN_FIELDS);
  }
}

/** The validated value of a field the input states (the validator adds defaults; a run keeps only what it stated). */
const stated =
  <T>(value: T) =>
  (given: unknown): T | undefined =>
    given === undefined ? undefined : value;

/** The optimizer as the run states it (no defaults added), checked by validateOptimizerSpec. */
function readOptimizer(v: unknown, path: string): OptimizerSpec {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new DecodeError(path, `must be an object, got ${show(v)}`);
  noForbiddenKeys(v, path);
  const checked = asDecodeError(() => {
    checkRunLearningRate(v);
    return validateOptimizerSpec(v);
  });
  // The validator takes any whole double; a count must also be exact (2^53 is not a step count).
  for (const k of ['warmupSteps', 'stepSize', 'totalSteps'] as const)
    if (checked.schedule?.[k] !== undefined) count(checked.schedule[k], `${path}.schedule.${k}`);
  if (checked.lookahead) count(checked.lookahead.k, `${path}.lookahead.k`);
  const schedule = checked.schedule;
  return record<OptimizerSpec>(v, path, {
    name: () => checked.name,
    learningRate: () => checked.learningRate,
    momentum: stated(checked.momentum),
    beta1: stated(checked.beta1),
    beta2: stated(checked.beta2),
    epsilon: stated(checked.epsilon),
    rho: stated(checked.rho),
    weightDecay: stated(checked.weightDecay),
    lookahead: stated(checked.lookahead),
    schedule: (given, p) =>
      given === undefined || schedule === undefined
        ? undefined
        : record<ScheduleSpec>(given, p, {
            type: () => schedule.type,
            warmupSteps: stated(schedule.warmupSteps),
            stepSize: stated(schedule.stepSize),
            gamma: stated(schedule.gamma),
            totalSteps: stated(schedule.totalSteps),
            minLearningRate: stated(schedule.minLearningRate),
          }),
    clipNorm: stated(checked.clipNorm),
  });
}

const SPLIT_FIELDS: Fields<RunConfig['data']['split']> = {
  train: fraction,
  val: fraction,
  test: fraction,
  seed: (v, p) => count(v, p, U32_MAX),
};

const DATA_FIELDS: Fields<RunConfig['data']> = {
  fingerprint: id,
  name,
  rows: (v, p) => count(v, p),
  label: name,
  features: (v, p) => list(v, p, MAX_FEATURES, name),
  dedup: (v, p) => oneOf(v, p, DEDUP_MODES),
  // Parsed (not applied) here: a filter that does not parse is refused with the field.
  where: optional((v, p) =>
    nullable(v, p, (w, q) => {
      const text_ = text(w, q, { max: MAX_WHERE_CHARS });
      try {
        parseWhere(text_);
      } catch (e) {
        throw new DecodeError(q, (e as Error).message);
      }
      return text_;
    }),
  ),
  task: optional((v, p) => oneOf(v, p, TASKS)),
  stream: optional((v, p) => {
    if (v !== true) throw new DecodeError(p, 'must be true (or left out: the file was loaded whole)');
    return v;
  }),
  split: (v, p) => {
    const split = record(v, p, SPLIT_FIELDS);
    const sum = split.train + split.val + split.test;
    if (sum > 1 + 1e-9) throw new DecodeError(p, `the fractions add up to ${+sum.toPrecision(6)}, more than 1`);
    return split;
  },
};

const CONFIG_FIELDS: Fields<RunConfig> = {
  data: (v, p) => record(v, p, DATA_FIELDS),
  model: readModel,
  optimizer: readOptimizer,
  batchSize: finite,
  epochs: finite,
  precision: (v, p) => oneOf(v, p, PRECISIONS),
  // Stored before there was a choice of engine: tfjs.
  engine: (v, p) => (v === undefined ? 'tfjs' : oneOf(v, p, ENGINES)),
  backend: (v, p) => oneOf(v, p, BACKENDS),
  prefetch: finite,
  seed: finite,
  targetLoss: optional((v, p) => nullable(v, p, finite)),
  maxSteps: optional((v, p) => nullable(v, p, (m, q) => count(m, q, undefined, 1))),
  maxSeconds: optional((v, p) => nullable(v, p, positive)),
  prepareOn: optional((v, p) => oneOf(v, p, PREPARE_ON)),
  augment: optional((v, p) => nullable(v, p, (a, q) => record(a, q, AUGMENT_FIELDS))),
  // Ranges and order (end after start) are validatePruning's, through validateSettings below.
  pruning: optional((v, p) => nullable(v, p, (a, q) => record(a, q, PRUNING_FIELDS))),
  distill: optional((v, p) => nullable(v, p, (a, q) => record(a, q, DISTILL_FIELDS))),
};

// Ranges are validateDistill's, through validateSettings below.
const DISTILL_FIELDS: Fields<DistillSetting> = {
  teacher: (v, p) => text(v, p, { max: MAX_TEACHER_NAME }),
  temperature: finite,
  alpha: finite,
};

const PRUNING_FIELDS: Fields<PruningSetting> = {
  targetSparsity: finite,
  startStep: finite,
  endStep: finite,
  every: finite,
};

const AUGMENT_FIELDS: Fields<AugmentSetting> = {
  pad: (v, p) => count(v, p),
  flip: (v, p) => {
    if (typeof v !== 'boolean') throw new DecodeError(p, 'must be true or false');
    return v;
  },
};

export function readConfig(v: unknown, path: string): RunConfig {
  const config = record(v, path, CONFIG_FIELDS);
  // The settings' own rules (ranges, model shape, what the engine supports), not a copy of them.
  asDecodeError(() =>
    validateSettings({
      model: config.model,
      optimizer: config.optimizer,
      batchSize: config.batchSize,
      epochs: config.epochs,
      seed: config.seed,
      backend: config.backend,
      prefetch: config.prefetch,
      engine: config.engine,
      precision: config.precision,
      dedup: config.data.dedup,
      prepareOn: config.prepareOn,
      augment: config.augment,
      pruning: config.pruning,
      distill: config.distill,
    }),
  );
  return config;
}

const ADAPTER_FIELDS: Fields<NonNullable<Environment['adapter']>> = { vendor: name, architecture: name };

const ENVIRONMENT_FIELDS: Fields<Environment> = {
  runtime: name,
  adapter: (v, p) => nullable(v, p, (a, q) => record(a, q, ADAPTER_FIELDS)),
  features: (v, p) => list(v, p, MAX_ADAPTER_FEATURES, name),
  f16Path: (v, p) => oneOf(v, p, F16_PATHS),
  // `cuda`: a record from an exported PyTorch job (src/core/export/pytorch) that ran on a CUDA GPU.
  backend: (v, p) => oneOf(v, p, [...BACKENDS, 'cuda'] as const),
  fallbackReason: (v, p) => nullable(v, p, message),
};

const MEMORY_FIELDS: Fields<MemorySample> = {
  tensors: (v, p) => count(v, p),
  bytes: (v, p) => count(v, p),
  gpuBytes: (v, p) => nullable(v, p, count),
};

function stepFields(lim: RunLimits): Fields<StepRecord> {
  return {
    step: (v, p) => count(v, p),
    epoch: (v, p) => count(v, p),
    time: nonNegative,
    loss: (v, p) => measure(v, p, lim),
    samplesPerSec: nonNegative,
    dataWaitMs: nonNegative,
    // A GPU timer's reading, as the driver gave it.
    gpuMs: (v, p) => nullable(v, p, finite),
    readbackMs: nonNegative,
    memory: optional((v, p) => record(v, p, MEMORY_FIELDS)),
  };
}

function epochFields(lim: RunLimits): Fields<EpochRecord> {
  return {
    epoch: (v, p) => count(v, p),
    trainLoss: (v, p) => measure(v, p, lim),
    valLoss: (v, p) => measureOrNull(v, p, lim),
    valAccuracy: (v, p) => measureOrNull(v, p, lim, { min: 0, max: 1 }),
    valRmse: optional((v, p) => measureOrNull(v, p, lim, { min: 0 })),
  };
}

const STARTUP_FIELDS: Fields<StartupTimes> = {
  backendSec: nonNegative,
  dataSec: nonNegative,
  modelSec: nonNegative,
  firstStepSec: nonNegative,
};
const MISCLASSIFIED_FIELDS: Fields<NonNullable<RunSummary['misclassified']>[number]> = {
  index: (v, p) => count(v, p),
  predicted: (v, p) => count(v, p),
};

function summaryFields(lim: RunLimits): Fields<RunSummary> {
  return {
    status: (v, p) => oneOf(v, p, STATUSES),
    // JSON writes NaN (no measurement) as null.
    medianSamplesPerSec: (v, p) => measure(v, p, lim, { min: 0 }),
    samplesPerSec: figure((x) => x > 0),
    timeToTargetLoss: (v, p) => nullable(v, p, nonNegative),
    finalValMetric: (v, p) => measureOrNull(v, p, lim),
    error: optional(message),
    misclassified: optional((v, p) => list(v, p, MISCLASSIFIED_LIMIT, (m, q) => record(m, q, MISCLASSIFIED_FIELDS))),
    startup: optional((v, p) => record(v, p, STARTUP_FIELDS)),
    lossScale: figure((x) => x > 0),
    skippedSteps: figure((x) => Number.isSafeInteger(x) && x >= 0),
    model: optional((v, p) => record(v, p, MODEL_SIZE_FIELDS)),
    batchBytes: figure((x) => Number.isSafeInteger(x) && x > 0),
    sparsity: figure((x) => x >= 0 && x <= 1),
    nonZeroParameters: figure((x) => Number.isSafeInteger(x) && x >= 0),
    sparseLayers: optional((v, p) => list(v, p, 64, (a, q) => record(a, q, SPARSE_LAYER_FIELDS))),
  };
}

const SPARSE_LAYER_FIELDS: Fields<SparseLayerReport> = {
  layer: (v, p) => count(v, p),
  sparsity: fraction,
  sparse: (v, p) => {
    if (typeof v !== 'boolean') throw new DecodeError(p, 'must be true or false');
    return v;
  },
  denseMs: (v, p) => nullable(v, p, nonNegative),
  sparseMs: (v, p) => nullable(v, p, nonNegative),
};

const MODEL_SIZE_FIELDS: Fields<NonNullable<RunSummary['model']>> = {
  parameters: (v, p) => count(v, p),
  flopsPerSample: nonNegative,
};

const SWEEP_FIELDS: Fields<NonNullable<StoredRunMeta['sweep']>> = {
  id,
  rung: (v, p) => count(v, p),
  key: (v, p) => text(v, p, { max: MAX_KEY_CHARS }),
};

const META_FIELDS: Fields<StoredRunMeta> = {
  title: (v, p) => text(v, p, { max: MAX_TITLE_CHARS }),
  colour: (v, p) => count(v, p, 0x7fffffff),
  createdAt: nonNegative,
  finishedAt: (v, p) => nullable(v, p, nonNegative),
  budgetSec: (v, p) => nullable(v, p, positive),
  sweep: (v, p) => nullable(v, p, (s, q) => record(s, q, SWEEP_FIELDS)),
  error: (v, p) => nullable(v, p, message),
  info: (v, p) => nullable(v, p, message),
  // At least the steps kept: checked against them once both are read (readRun).
  stepsTotal: (v, p) => count(v, p),
  origin: optional((v, p) => nullable(v, p, name)),
};

/**
 * A stored run of this version built fresh from `v`, or a {@link DecodeError} naming the first
 * field that is wrong (the decisions are listed above). A config without `engine` (runs stored
 * before there was a choice) gets `tfjs`.
 */
export function readRun(v: unknown, lim: RunLimits): StoredRun {
  const step = stepFields(lim);
  const epoch = epochFields(lim);
  const run = record<StoredRun>(
    v,
    'run',
    {
      version: (x, p) => {
        if (x !== STORED_RUN_VERSION) throw new DecodeError(p, `must be ${STORED_RUN_VERSION}, got ${show(x)}`);
        return x;
      },
      id,
      config: readConfig,
      environment: (x, p) => nullable(x, p, (e, q) => record(e, q, ENVIRONMENT_FIELDS)),
      steps: (x, p) => list(x, p, lim.maxSteps, (s, q) => record(s, q, step)),
      epochs: (x, p) => list(x, p, MAX_EPOCH_RECORDS, (e, q) => record(e, q, epoch)),
      summary: (x, p) => record(x, p, summaryFields(lim)),
      meta: (x, p) => record(x, p, META_FIELDS),
    },
    '',
  );
  count(run.meta.stepsTotal, 'meta.stepsTotal', undefined, run.steps.length);
  return run;
}

/** The stored run if `v` is one of this version ({@link readRun} with {@link STORED_LIMITS}), else null. */
export function decodeRun(v: unknown): StoredRun | null {
  try {
    return readRun(v, STORED_LIMITS);
  } catch (e) {
    if (e instanceof DecodeError) return null;
    throw e;
  }
}

/** Size of a stored run in bytes, as its JSON text (the measure the cap uses). */
export function storedSize(r: StoredRun): number {
  return JSON.stringify(r).length;
}

export interface StorageCap {
  maxRuns: number;
  maxBytes: number;
}

/** 200 runs or 24 MB of JSON, whichever comes first. */
export const DEFAULT_CAP: StorageCap = { maxRuns: 200, maxBytes: 24 * 1024 * 1024 };

/**
 * The ids to let go so that what is left fits the cap: the oldest first (by finish time,
 * then creation time), never the newest run.
 */
export function overCap(
  runs: readonly { id: string; finishedAt: number | null; createdAt: number; size: number }[],
  cap: StorageCap = DEFAULT_CAP,
): string[] {
  const byAge = [...runs].sort(
    (a, b) => (a.finishedAt ?? a.createdAt) - (b.finishedAt ?? b.createdAt) || a.createdAt - b.createdAt,
  );
  let count = byAge.length;
  let bytes = byAge.reduce((s, r) => s + r.size, 0);
  const drop: string[] = [];
  for (const r of byAge) {
    if (count <= 1 || (count <= cap.maxRuns && bytes <= cap.maxBytes)) break;
    drop.push(r.id);
    count--;
    bytes -= r.size;
  }
  return drop;
}
