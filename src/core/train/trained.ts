/**
 * A finished run's trained model as a run record carries it (`record.trained`): the raw-row
 * preprocessing and the parameters, each tensor's float32 values little-endian in base64url.
 * `readTrainedRecord` checks a record from a file before anything is exported from it: its
 * format version, its model spec, and every tensor's name, shape and byte length against the
 * shapes the spec implies (models/shapes.ts), so a damaged or hand-edited file is refused with
 * the field that is wrong, never exported half-right.
 */
import { ConfigError, shown } from '../errors';
import { DataError } from '../data/table';
import { inputWidth, outputKind, type InputFeature, type Preprocessing } from '../data/preprocessing';
import { fromBase64Url, toBase64Url } from '../share/link';
import { resolveModelSpec } from './models/spec';
import { parameterShapes } from './models/shapes';
import type { ModelSpec } from './models/types';
import type { RunConfig } from './record';
import { validateOptimizerSpec } from './optimizer-spec';

/** The record format version this build writes and reads. */
export const RECORD_VERSION = 1;

export interface TrainedJson {
  preprocessing: Preprocessing;
  tensors: { name: string; shape: number[]; float32: string }[];
}

/** A trained model ready to export: the spec with its input shape resolved, and the tensors' values. */
export interface TrainedModel {
  model: ModelSpec;
  preprocessing: Preprocessing;
  tensors: { name: string; shape: number[]; values: Float32Array }[];
  /** Width of the model's output layer. */
  outputs: number;
}

export function outputsOf(pre: Pick<Preprocessing, 'output' | 'classes'>): number {
  return pre.output === 'softmax-logits' ? pre.classes!.length : 1;
}

/** The record's `trained` field for a run's resolved model, preprocessing and parameters. */
export function packTrained(model: ModelSpec, preprocessing: Preprocessing, params: Float32Array[]): TrainedJson {
  const pre: Preprocessing =
    model.type !== 'mlp' && model.inputShape ? { ...preprocessing, inputShape: model.inputShape } : preprocessing;
  const shapes = parameterShapes(model, pre.dim, outputsOf(pre));
  if (shapes.length !== params.length)
    throw new Error(`the engine gave ${params.length} parameter tensors for a model of ${shapes.length}`);
  return {
    preprocessing: pre,
    tensors: shapes.map((s, i) => ({
      ...s,
      float32: toBase64Url(new Uint8Array(params[i].buffer, params[i].byteOffset, params[i].byteLength)),
    })),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const bad = (field: string, what: string) => new DataError(`${field}: ${what}`);
/** Checks a record's format version: a newer one is refused with a message saying so. */
export function checkRecordVersion(raw: unknown): Record<string, unknown> {
  if (!isObject(raw)) throw bad('record', 'is not a run record (a JSON object with version, config, summary)');
  const v = raw.version;
  if (typeof v === 'number' && Number.isInteger(v) && v > RECORD_VERSION)
    throw bad(
      'version',
      `the record is format version ${v}, written by a newer Trainbench; this one reads version ${RECORD_VERSION}`,
    );
  if (v !== RECORD_VERSION)
    throw bad('version', `must be ${RECORD_VERSION}, got ${shown(v)}: not a Trainbench run record`);
  return raw;
}

function checkInputs(pre: Record<string, unknown>): InputFeature[] {
  if (!Array.isArray(pre.inputs) || pre.inputs.length > 1_000_000)
    throw bad('trained.preprocessing.inputs', 'must be a list of input features');
  return pre.inputs.map((f: unknown, i) => {
    const at = `trained.preprocessing.inputs[${i}]`;
    if (!isObject(f) || typeof f.column !== 'string') throw bad(at, 'must be an object with a column name');
    if (f.kind === 'scale') {
      if (typeof f.mean !== 'number' || !Number.isFinite(f.mean) || typeof f.std !== 'number' || !(f.std > 0))
        throw bad(at, 'a scaled feature needs a finite mean and a std above 0');
    } else if (f.kind === 'onehot') {
      if (!Array.isArray(f.values) || f.values.some((v) => typeof v !== 'string'))
        throw bad(at, 'a one-hot feature needs a list of value names');
    } else if (f.kind === 'hash') {
      if (!isCount(f.buckets, 1 << 20) || f.buckets < 1) throw bad(at, 'a hashed feature needs a bucket count');
    } else throw bad(`${at}.kind`, `must be scale, onehot or hash, got ${shown(f.kind)}`);
    return f as unknown as InputFeature;
  });
}

function checkPreprocessing(raw: unknown): Preprocessing {
  if (!isObject(raw)) throw bad('trained.preprocessing', 'is missing');
  const inputs = checkInputs(raw);
  const dim = inputs.reduce((d, f) => d + inputWidth(f), 0);
  if (raw.dim !== dim) throw bad('trained.preprocessing.dim', `is ${shown(raw.dim)}, but the inputs are ${dim} wide`);
  if (!Array.isArray(raw.featureNames) || raw.featureNames.length !== dim)
    throw bad('trained.preprocessing.featureNames', `must name each of the ${dim} features`);
  if (typeof raw.label !== 'string') throw bad('trained.preprocessing.label', 'must be the label column');
  const task = raw.task;
  if (task !== 'classification' && task !== 'regression')
    throw bad('trained.preprocessing.task', `must be classification or regression, got ${shown(task)}`);
  const classes = raw.classes;
  if (task === 'classification') {
    if (!Array.isArray(classes) || classes.length < 2 || classes.some((c) => typeof c !== 'string'))
      throw bad('trained.preprocessing.classes', 'a classification needs at least two class names');
  } else {
    const t = raw.target;
    if (!isObject(t) || typeof t.mean !== 'number' || typeof t.std !== 'number' || !(t.std > 0))
      throw bad('trained.preprocessing.target', 'a regression needs the target mean and std');
  }
  const output = outputKind(task, task === 'classification' ? (classes as string[]) : null);
  if (raw.output !== output)
    throw bad('trained.preprocessing.output', `must be ${output} for this task, got ${shown(raw.output)}`);
  return raw as unknown as Preprocessing;
}

/**
 * Reads a run record's trained model, checking everything an export relies on; throws a
 * DataError or ConfigError naming the field.
 */
export function readTrainedRecord(raw: unknown): { config: RunConfig; trained: TrainedModel } {
  const record = checkRecordVersion(raw);
  if (!isObject(record.config) || !isObject(record.config.model))
    throw bad('config.model', 'is missing: not a Trainbench run record');
  const given = record.config as unknown as RunConfig;
  for (const [key, min] of [
    ['seed', 0],
    ['batchSize', 1],
    ['epochs', 1],
  ] as const)
    if (!isCount(given[key], 2 ** 32) || given[key] < min)
      throw bad(`config.${key}`, `must be a whole number of at least ${min}, got ${shown(given[key])}`);
  let config: RunConfig;
  try {
    // Defaults written out: an exported training script reads every hyper-parameter from it.
    config = { ...given, optimizer: validateOptimizerSpec(given.optimizer) };
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`config.${e.field}`, e.message.slice(e.field.length + 2));
    throw e;
  }
  if (record.trained === undefined || record.trained === null)
    throw bad(
      'trained',
      'the record has no trained weights (the run failed, or the record was written before weights were kept); ' +
        'train it again with `npm run cli -- train ... --json > run.json`',
    );
  if (!isObject(record.trained)) throw bad('trained', 'must be an object with preprocessing and tensors');
  const preprocessing = checkPreprocessing(record.trained.preprocessing);
  let model: ModelSpec;
  try {
    model = resolveModelSpec(config.model, preprocessing.dim);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`config.${e.field}`, e.message.slice(e.field.length + 2));
    throw e;
  }
  const outputs = outputsOf(preprocessing);
  const shapes = parameterShapes(model, preprocessing.dim, outputs);
  const tensors = record.trained.tensors;
  if (!Array.isArray(tensors) || tensors.length !== shapes.length)
    throw bad(
      'trained.tensors',
      `must hold the model's ${shapes.length} parameter tensors, has ${Array.isArray(tensors) ? tensors.length : 'none'}`,
    );
  return {
    config,
    trained: {
      model,
      preprocessing,
      outputs,
      tensors: shapes.map((s, i) => {
        const t: unknown = tensors[i];
        const at = `trained.tensors[${i}]`;
        if (!isObject(t) || t.name !== s.name || shown(t.shape) !== shown(s.shape))
          throw bad(at, `must be ${s.name} of shape [${s.shape.join(', ')}] for this model`);
        const size = s.shape.reduce((a, b) => a * b, 1);
        // Checked before decoding: base64 of 4 * size bytes has this many characters.
        if (typeof t.float32 !== 'string' || t.float32.replace(/=+$/, '').length !== Math.ceil((16 * size) / 3))
          throw bad(`${at}.float32`, `must be ${4 * size} bytes (${size} float32 values) in base64url`);
        let bytes: Uint8Array;
        try {
          bytes = fromBase64Url(t.float32);
        } catch {
          throw bad(`${at}.float32`, 'is not base64url');
        }
        const values = new Float32Array(bytes.slice().buffer);
        const nonFinite = values.findIndex((v) => !Number.isFinite(v));
        if (nonFinite >= 0)
          throw bad(`${at}`, `${s.name} holds ${values[nonFinite]} at index ${nonFinite}: the run diverged`);
        return { ...s, values };
      }),
    },
  };
}
