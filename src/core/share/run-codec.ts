/**
 * What a finished run looks like in local storage: the run record of docs/interfaces.md
 * (version 1) with its steps down-sampled, plus what the workbench needs to show it again
 * (title, colour, time budget, sweep tag). Decoding checks the shape and refuses anything
 * else, so a stale or foreign entry never reaches the store. A cap on count and size decides
 * which runs to let go, oldest first.
 */
import { ENGINES, PRECISIONS, type EpochRecord, type Environment, type RunConfig, type RunSummary, type StepRecord } from '../train/record';

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

/** Every `ceil(n / max)`-th step from the first, with the last step always kept. */
export function downsampleSteps(steps: readonly StepRecord[], max = MAX_STORED_STEPS): StepRecord[] {
  if (steps.length <= max) return [...steps];
  const every = Math.ceil(steps.length / (max - 1));
  const out: StepRecord[] = [];
  for (let i = 0; i < steps.length; i += every) out.push(steps[i]);
  if (out[out.length - 1] !== steps[steps.length - 1]) out.push(steps[steps.length - 1]);
  return out;
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

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number';
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNumOrNull = (v: unknown) => v === null || isNum(v);
const isStrOrNull = (v: unknown) => v === null || isStr(v);

function isStep(v: unknown): v is StepRecord {
  return isObj(v) && isNum(v.step) && isNum(v.epoch) && isNum(v.time) && isNum(v.loss) && isNum(v.samplesPerSec) &&
    isNum(v.dataWaitMs) && isNumOrNull(v.gpuMs) && isNum(v.readbackMs);
}

function isEpoch(v: unknown): v is EpochRecord {
  return isObj(v) && isNum(v.epoch) && isNum(v.trainLoss) && isNumOrNull(v.valLoss) && isNumOrNull(v.valAccuracy);
}

function isEnvironment(v: unknown): v is Environment {
  return isObj(v) && isStr(v.runtime) && isStr(v.backend) && isStr(v.f16Path) && Array.isArray(v.features) &&
    isStrOrNull(v.fallbackReason) && (v.adapter === null || (isObj(v.adapter) && isStr(v.adapter.vendor) && isStr(v.adapter.architecture)));
}

function isConfig(v: unknown): v is RunConfig {
  return isObj(v) && isObj(v.data) && isStr(v.data.name) && isStr(v.data.label) && Array.isArray(v.data.features) &&
    isObj(v.data.split) && isObj(v.model) && isStr(v.model.type) && Array.isArray(v.model.hidden) &&
    isObj(v.optimizer) && isStr(v.optimizer.name) && isNum(v.optimizer.learningRate) &&
    isNum(v.batchSize) && isNum(v.epochs) && isStr(v.backend) && isNum(v.prefetch) && isNum(v.seed) &&
    (PRECISIONS as readonly unknown[]).includes(v.precision) && (v.engine === undefined || (ENGINES as readonly unknown[]).includes(v.engine));
}

function isMeta(v: unknown): v is StoredRunMeta {
  return isObj(v) && isStr(v.title) && isNum(v.colour) && isNum(v.createdAt) && isNumOrNull(v.finishedAt) &&
    isNumOrNull(v.budgetSec) && isStrOrNull(v.error) && isStrOrNull(v.info) && isNum(v.stepsTotal) &&
    (v.sweep === null || (isObj(v.sweep) && isStr(v.sweep.id) && isNum(v.sweep.rung) && isStr(v.sweep.key))) &&
    (v.origin === undefined || isStrOrNull(v.origin));
}

/**
 * The stored run if `v` is one of this version, else null. A config without `engine` (runs
 * stored before there was a choice) gets `tfjs`; an unknown engine or precision is refused.
 * The summary's fp16-mixed figures (`lossScale` > 0, `skippedSteps` a whole number >= 0) pass
 * through when they are valid numbers and are left out otherwise.
 */
export function decodeRun(v: unknown): StoredRun | null {
  if (!isObj(v) || v.version !== STORED_RUN_VERSION || !isStr(v.id)) return null;
  if (!isConfig(v.config) || !(v.environment === null || isEnvironment(v.environment))) return null;
  if (!Array.isArray(v.steps) || !v.steps.every(isStep) || !Array.isArray(v.epochs) || !v.epochs.every(isEpoch)) return null;
  if (!isObj(v.summary) || !isStr(v.summary.status) || !isNumOrNull(v.summary.medianSamplesPerSec) || !isMeta(v.meta)) return null;
  const { lossScale, skippedSteps, samplesPerSec, ...summary } = v.summary;
  return {
    ...v,
    config: v.config.engine === undefined ? { ...v.config, engine: 'tfjs' } : v.config,
    summary: {
      ...summary,
      // JSON writes NaN (no measurement) as null.
      medianSamplesPerSec: summary.medianSamplesPerSec ?? NaN,
      ...(isNum(lossScale) && Number.isFinite(lossScale) && lossScale > 0 ? { lossScale } : {}),
      ...(Number.isInteger(skippedSteps) && (skippedSteps as number) >= 0 ? { skippedSteps } : {}),
      ...(isNum(samplesPerSec) && Number.isFinite(samplesPerSec) && samplesPerSec > 0 ? { samplesPerSec } : {}),
    },
  } as unknown as StoredRun;
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
