/**
 * What a finished run looks like in local storage: the run record of docs/interfaces.md
 * (version 1) with its steps down-sampled, plus what the workbench needs to show it again
 * (title, colour, time budget, sweep tag). Decoding checks the shape and refuses anything
 * else, so a stale or foreign entry never reaches the store. A cap on count and size decides
 * which runs to let go, oldest first.
 */
import { ENGINES, PRECISIONS, type EpochRecord, type Environment, type MemorySample, type RunConfig, type RunSummary, type StartupTimes, type StepRecord } from '../train/record';
import { MODEL_TYPES, type Activation, type CnnSpec, type DscnnSpec, type InputShape, type MlpSpec, type ModelSpec } from '../train/model';
import { validateOptimizerSpec, type OptimizerSpec } from '../train/optimizer-spec';
import { BACKENDS, validateSettings } from '../train/run-config';
import { ConfigError } from '../train/errors';
import { MISCLASSIFIED_LIMIT } from '../train/trainer';
import { downsample } from '../train/step-series';
import { DecodeError, count, keysOf, list, noForbiddenKeys, nullable, number, object, oneOf, show, text, type NumberRule } from './schema';

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

/** At most `max` steps, evenly spaced, the first and the last kept ({@link downsample}, the one rule for thinning a series). */
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
export function encodeRun(run: EncodableRun, meta: Omit<StoredRunMeta, 'stepsTotal' | 'error' | 'info'>, maxSteps = MAX_STORED_STEPS): StoredRun {
  const { origin, ...rest } = meta;
  const status = run.status === 'done' || run.status === 'stopped' ? run.status : 'failed';
  const summary: RunSummary = run.summary ?? { status, medianSamplesPerSec: NaN, timeToTargetLoss: null, finalValMetric: null, ...(run.error ? { error: run.error } : {}) };
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
 * - Unknown keys are refused (this is format version 1; a field added to a record type fails the
 *   type check until it is named here, see `keysOf`), and so are `__proto__`, `constructor` and
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
 * - The summary's lossScale, skippedSteps and samplesPerSec stay optional figures: one that is
 *   missing or not valid (lossScale > 0, skippedSteps a whole number >= 0, samplesPerSec > 0) is
 *   left out, the run kept (as before).
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
const U32_MAX = 0xffffffff;

const RUN_KEYS = keysOf<StoredRun>({ version: true, id: true, config: true, environment: true, steps: true, epochs: true, summary: true, meta: true });
const CONFIG_KEYS = keysOf<RunConfig>({ data: true, model: true, optimizer: true, batchSize: true, epochs: true, precision: true, engine: true, backend: true, prefetch: true, seed: true, targetLoss: true, maxSteps: true, maxSeconds: true });
const DATA_KEYS = keysOf<RunConfig['data']>({ fingerprint: true, name: true, rows: true, label: true, features: true, dedup: true, split: true });
const SPLIT_KEYS = keysOf<RunConfig['data']['split']>({ train: true, val: true, test: true, seed: true });
const MODEL_KEYS: Record<ModelSpec['type'], readonly string[]> = {
  mlp: keysOf<MlpSpec>({ type: true, hidden: true, activation: true }),
  cnn: keysOf<CnnSpec>({ type: true, inputShape: true, filters: true, hidden: true, activation: true }),
  dscnn: keysOf<DscnnSpec>({ type: true, inputShape: true, stem: true, blocks: true, hidden: true, activation: true }),
};
const BLOCK_KEYS = keysOf<DscnnSpec['blocks'][number]>({ filters: true, stride: true });
const ENVIRONMENT_KEYS = keysOf<Environment>({ runtime: true, adapter: true, features: true, f16Path: true, backend: true, fallbackReason: true });
const ADAPTER_KEYS = keysOf<NonNullable<Environment['adapter']>>({ vendor: true, architecture: true });
const STEP_KEYS = keysOf<StepRecord>({ step: true, epoch: true, time: true, loss: true, samplesPerSec: true, dataWaitMs: true, gpuMs: true, readbackMs: true, memory: true });
const MEMORY_KEYS = keysOf<MemorySample>({ tensors: true, bytes: true, gpuBytes: true });
const EPOCH_KEYS = keysOf<EpochRecord>({ epoch: true, trainLoss: true, valLoss: true, valAccuracy: true });
const SUMMARY_KEYS = keysOf<RunSummary>({ status: true, medianSamplesPerSec: true, samplesPerSec: true, timeToTargetLoss: true, finalValMetric: true, error: true, misclassified: true, startup: true, lossScale: true, skippedSteps: true });
const STARTUP_KEYS = keysOf<StartupTimes>({ backendSec: true, dataSec: true, modelSec: true, firstStepSec: true });
const MISCLASSIFIED_KEYS = keysOf<NonNullable<RunSummary['misclassified']>[number]>({ index: true, predicted: true });
const META_KEYS = keysOf<StoredRunMeta>({ title: true, colour: true, createdAt: true, finishedAt: true, budgetSec: true, sweep: true, error: true, info: true, stepsTotal: true, origin: true });
const SWEEP_KEYS = keysOf<NonNullable<StoredRunMeta['sweep']>>({ id: true, rung: true, key: true });

const id = (v: unknown, path: string) => text(v, path, { max: MAX_ID_CHARS });
const name = (v: unknown, path: string) => text(v, path, { max: MAX_NAME_CHARS });
const message = (v: unknown, path: string) => text(v, path, { max: MAX_MESSAGE_CHARS, lines: true });
const nonNegative = (v: unknown, path: string) => number(v, path, { min: 0 });
/** A number the settings validator checks further (structure only here). */
const finite = (v: unknown, path: string) => number(v, path);
/** A key holding `undefined` counts as absent (structured clone keeps such keys). */
const has = (o: Record<string, unknown>, key: string) => o[key] !== undefined;

/** A measured value: finite (within `rule`); null (JSON's NaN or ±Infinity) as NaN; any number from storage. */
function measure(v: unknown, path: string, lim: RunLimits, rule: NumberRule = {}): number {
  if (v === null) return NaN;
  if (lim.nonFiniteMeasurements && typeof v === 'number' && !Number.isFinite(v)) return v;
  return number(v, path, rule);
}

function measureOrNull(v: unknown, path: string, lim: RunLimits, rule: NumberRule = {}): number | null {
  return v === null ? null : measure(v, path, lim, rule);
}

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

function readModel(v: unknown, path: string): ModelSpec {
  const type = oneOf(object(v, path, ['type', ...new Set(Object.values(MODEL_KEYS).flat())]).type, `${path}.type`, MODEL_TYPES);
  const o = object(v, path, MODEL_KEYS[type]);
  const sizes = (w: unknown, p: string) => list(w, p, 64, finite);
  const hidden = sizes(o.hidden, `${path}.hidden`);
  const activation = text(o.activation, `${path}.activation`, { max: 16 }) as Activation;
  if (type === 'mlp') return { type, hidden, activation };
  const inputShape = has(o, 'inputShape') ? { inputShape: sizes(o.inputShape, `${path}.inputShape`) as InputShape } : {};
  if (type === 'cnn') return { type, ...inputShape, filters: sizes(o.filters, `${path}.filters`), hidden, activation };
  const blocks = list(o.blocks, `${path}.blocks`, 64, (b, p) => {
    const block = object(b, p, BLOCK_KEYS);
    return { filters: finite(block.filters, `${p}.filters`), stride: finite(block.stride, `${p}.stride`) as 1 | 2 };
  });
  return { type, ...inputShape, stem: finite(o.stem, `${path}.stem`), blocks, hidden, activation };
}

/** The optimizer as the link states it (no defaults added), checked by validateOptimizerSpec. */
function readOptimizer(v: unknown, path: string): OptimizerSpec {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DecodeError(path, `must be an object, got ${show(v)}`);
  noForbiddenKeys(v, path);
  const checked = asDecodeError(() => validateOptimizerSpec(v));
  // The validator takes any whole double; a count must also be exact (2^53 is not a step count).
  for (const k of ['warmupSteps', 'stepSize', 'totalSteps'] as const) if (checked.schedule?.[k] !== undefined) count(checked.schedule[k], `${path}.schedule.${k}`);
  if (checked.lookahead) count(checked.lookahead.k, `${path}.lookahead.k`);
  const input = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    if (!has(input, key)) continue;
    if (key === 'schedule') {
      const given = input.schedule as Record<string, unknown>;
      const schedule: Record<string, unknown> = {};
      for (const k of Object.keys(given)) if (has(given, k)) schedule[k] = (checked.schedule as unknown as Record<string, unknown>)[k];
      out.schedule = schedule;
    } else out[key] = (checked as unknown as Record<string, unknown>)[key];
  }
  return out as unknown as OptimizerSpec;
}

function readData(v: unknown, path: string): RunConfig['data'] {
  const o = object(v, path, DATA_KEYS);
  const s = object(o.split, `${path}.split`, SPLIT_KEYS);
  const fraction = (f: unknown, p: string) => number(f, p, { min: 0, max: 1 });
  const split = { train: fraction(s.train, `${path}.split.train`), val: fraction(s.val, `${path}.split.val`), test: fraction(s.test, `${path}.split.test`), seed: count(s.seed, `${path}.split.seed`, U32_MAX) };
  if (split.train + split.val + split.test > 1 + 1e-9) throw new DecodeError(`${path}.split`, `the fractions add up to ${+(split.train + split.val + split.test).toPrecision(6)}, more than 1`);
  return {
    fingerprint: id(o.fingerprint, `${path}.fingerprint`),
    name: name(o.name, `${path}.name`),
    rows: count(o.rows, `${path}.rows`),
    label: name(o.label, `${path}.label`),
    features: list(o.features, `${path}.features`, MAX_FEATURES, name),
    dedup: oneOf(o.dedup, `${path}.dedup`, DEDUP_MODES),
    split,
  };
}

function readConfig(v: unknown, path: string): RunConfig {
  const o = object(v, path, CONFIG_KEYS);
  const config: RunConfig = {
    data: readData(o.data, `${path}.data`),
    model: readModel(o.model, `${path}.model`),
    optimizer: readOptimizer(o.optimizer, `${path}.optimizer`),
    batchSize: finite(o.batchSize, `${path}.batchSize`),
    epochs: finite(o.epochs, `${path}.epochs`),
    precision: oneOf(o.precision, `${path}.precision`, PRECISIONS),
    // Stored before there was a choice of engine: tfjs.
    engine: has(o, 'engine') ? oneOf(o.engine, `${path}.engine`, ENGINES) : 'tfjs',
    backend: oneOf(o.backend, `${path}.backend`, BACKENDS),
    prefetch: finite(o.prefetch, `${path}.prefetch`),
    seed: finite(o.seed, `${path}.seed`),
    ...(has(o, 'targetLoss') ? { targetLoss: nullable(o.targetLoss, `${path}.targetLoss`, finite) } : {}),
    ...(has(o, 'maxSteps') ? { maxSteps: nullable(o.maxSteps, `${path}.maxSteps`, (m, p) => count(m, p, undefined, 1)) } : {}),
    ...(has(o, 'maxSeconds') ? { maxSeconds: nullable(o.maxSeconds, `${path}.maxSeconds`, (m, p) => number(m, p, { min: 0, above: true })) } : {}),
  };
  // The settings' own rules (ranges, model shape, what the engine supports), not a copy of them.
  asDecodeError(() => validateSettings({
    model: config.model, optimizer: config.optimizer, batchSize: config.batchSize, epochs: config.epochs, seed: config.seed,
    backend: config.backend, prefetch: config.prefetch, engine: config.engine, precision: config.precision, dedup: config.data.dedup,
  }));
  return config;
}

function readEnvironment(v: unknown, path: string): Environment {
  const o = object(v, path, ENVIRONMENT_KEYS);
  return {
    runtime: name(o.runtime, `${path}.runtime`),
    adapter: nullable(o.adapter, `${path}.adapter`, (a, p) => {
      const adapter = object(a, p, ADAPTER_KEYS);
      return { vendor: name(adapter.vendor, `${p}.vendor`), architecture: name(adapter.architecture, `${p}.architecture`) };
    }),
    features: list(o.features, `${path}.features`, MAX_ADAPTER_FEATURES, name),
    f16Path: oneOf(o.f16Path, `${path}.f16Path`, F16_PATHS),
    backend: oneOf(o.backend, `${path}.backend`, BACKENDS),
    fallbackReason: nullable(o.fallbackReason, `${path}.fallbackReason`, message),
  };
}

function readStep(v: unknown, path: string, lim: RunLimits): StepRecord {
  const o = object(v, path, STEP_KEYS);
  const step: StepRecord = {
    step: count(o.step, `${path}.step`),
    epoch: count(o.epoch, `${path}.epoch`),
    time: nonNegative(o.time, `${path}.time`),
    loss: measure(o.loss, `${path}.loss`, lim),
    samplesPerSec: nonNegative(o.samplesPerSec, `${path}.samplesPerSec`),
    dataWaitMs: nonNegative(o.dataWaitMs, `${path}.dataWaitMs`),
    // A GPU timer's reading, as the driver gave it.
    gpuMs: nullable(o.gpuMs, `${path}.gpuMs`, finite),
    readbackMs: nonNegative(o.readbackMs, `${path}.readbackMs`),
  };
  if (has(o, 'memory')) {
    const m = object(o.memory, `${path}.memory`, MEMORY_KEYS);
    step.memory = { tensors: count(m.tensors, `${path}.memory.tensors`), bytes: count(m.bytes, `${path}.memory.bytes`), gpuBytes: nullable(m.gpuBytes, `${path}.memory.gpuBytes`, count) };
  }
  return step;
}

function readEpoch(v: unknown, path: string, lim: RunLimits): EpochRecord {
  const o = object(v, path, EPOCH_KEYS);
  return {
    epoch: count(o.epoch, `${path}.epoch`),
    trainLoss: measure(o.trainLoss, `${path}.trainLoss`, lim),
    valLoss: measureOrNull(o.valLoss, `${path}.valLoss`, lim),
    valAccuracy: measureOrNull(o.valAccuracy, `${path}.valAccuracy`, lim, { min: 0, max: 1 }),
  };
}

function readSummary(v: unknown, path: string, lim: RunLimits): RunSummary {
  const o = object(v, path, SUMMARY_KEYS);
  const { lossScale, skippedSteps, samplesPerSec } = o;
  return {
    status: oneOf(o.status, `${path}.status`, STATUSES),
    // JSON writes NaN (no measurement) as null.
    medianSamplesPerSec: measure(o.medianSamplesPerSec, `${path}.medianSamplesPerSec`, lim, { min: 0 }),
    ...(typeof samplesPerSec === 'number' && Number.isFinite(samplesPerSec) && samplesPerSec > 0 ? { samplesPerSec } : {}),
    timeToTargetLoss: nullable(o.timeToTargetLoss, `${path}.timeToTargetLoss`, nonNegative),
    finalValMetric: measureOrNull(o.finalValMetric, `${path}.finalValMetric`, lim),
    ...(has(o, 'error') ? { error: message(o.error, `${path}.error`) } : {}),
    ...(has(o, 'misclassified')
      ? {
          misclassified: list(o.misclassified, `${path}.misclassified`, MISCLASSIFIED_LIMIT, (m, p) => {
            const e = object(m, p, MISCLASSIFIED_KEYS);
            return { index: count(e.index, `${p}.index`), predicted: count(e.predicted, `${p}.predicted`) };
          }),
        }
      : {}),
    ...(has(o, 'startup')
      ? {
          startup: (() => {
            const t = object(o.startup, `${path}.startup`, STARTUP_KEYS);
            const sec = (k: keyof StartupTimes) => nonNegative(t[k], `${path}.startup.${k}`);
            return { backendSec: sec('backendSec'), dataSec: sec('dataSec'), modelSec: sec('modelSec'), firstStepSec: sec('firstStepSec') };
          })(),
        }
      : {}),
    ...(typeof lossScale === 'number' && Number.isFinite(lossScale) && lossScale > 0 ? { lossScale } : {}),
    ...(Number.isSafeInteger(skippedSteps) && (skippedSteps as number) >= 0 ? { skippedSteps: skippedSteps as number } : {}),
  };
}

function readMeta(v: unknown, path: string, steps: number): StoredRunMeta {
  const o = object(v, path, META_KEYS);
  const meta: StoredRunMeta = {
    title: text(o.title, `${path}.title`, { max: MAX_TITLE_CHARS }),
    colour: count(o.colour, `${path}.colour`, 0x7fffffff),
    createdAt: nonNegative(o.createdAt, `${path}.createdAt`),
    finishedAt: nullable(o.finishedAt, `${path}.finishedAt`, nonNegative),
    budgetSec: nullable(o.budgetSec, `${path}.budgetSec`, (b, p) => number(b, p, { min: 0, above: true })),
    sweep: nullable(o.sweep, `${path}.sweep`, (s, p) => {
      const sweep = object(s, p, SWEEP_KEYS);
      return { id: id(sweep.id, `${p}.id`), rung: count(sweep.rung, `${p}.rung`), key: text(sweep.key, `${p}.key`, { max: MAX_KEY_CHARS }) };
    }),
    error: nullable(o.error, `${path}.error`, message),
    info: nullable(o.info, `${path}.info`, message),
    stepsTotal: count(o.stepsTotal, `${path}.stepsTotal`, undefined, steps),
  };
  if (has(o, 'origin')) meta.origin = nullable(o.origin, `${path}.origin`, name);
  return meta;
}

/**
 * A stored run of this version built fresh from `v`, or a {@link DecodeError} naming the first
 * field that is wrong (the decisions are listed above). A config without `engine` (runs stored
 * before there was a choice) gets `tfjs`.
 */
export function readRun(v: unknown, lim: RunLimits): StoredRun {
  const o = object(v, 'run', RUN_KEYS);
  if (o.version !== STORED_RUN_VERSION) throw new DecodeError('version', `must be ${STORED_RUN_VERSION}, got ${show(o.version)}`);
  const steps = list(o.steps, 'steps', lim.maxSteps, (s, p) => readStep(s, p, lim));
  return {
    version: STORED_RUN_VERSION,
    id: id(o.id, 'id'),
    config: readConfig(o.config, 'config'),
    environment: nullable(o.environment, 'environment', readEnvironment),
    steps,
    epochs: list(o.epochs, 'epochs', MAX_EPOCH_RECORDS, (e, p) => readEpoch(e, p, lim)),
    summary: readSummary(o.summary, 'summary', lim),
    meta: readMeta(o.meta, 'meta', steps.length),
  };
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
export function overCap(runs: readonly { id: string; finishedAt: number | null; createdAt: number; size: number }[], cap: StorageCap = DEFAULT_CAP): string[] {
  const byAge = [...runs].sort((a, b) => (a.finishedAt ?? a.createdAt) - (b.finishedAt ?? b.createdAt) || a.createdAt - b.createdAt);
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
