/**
 * `train`: runs one configuration headless and prints its run record. The data and trainer
 * services are the ones the browser's workers run, wired over MessageChannels in this process,
 * so batches, metrics and checks take the same code path as in the workbench.
 *
 *   npm run cli -- train --data FILE [--config cfg.json] [--label COL] [--task T] [--model mlp|cnn|dscnn]
 *     [--input-shape 28x28x1] [--hidden 64,64] [--optimizer NAME] [--lr X] [--epochs N]
 *     [--batch N] [--seed N] [--prefetch N] [--backend webgpu|webgl|wasm|cpu] [--engine tfjs|wgsl]
 *     [--precision fp32|fp16-mixed] [--target-loss X] [--max-steps N] [--max-seconds S] [--json]
 *
 * `--engine wgsl` trains on the project's fused WebGPU kernels (MLP models); `--precision
 * fp16-mixed` needs it. Both are checked with the other settings before any data is read, and
 * recorded in the run record's config.
 */
import { createReadStream, openAsBlob } from 'node:fs';
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DataError } from '../../core/data/table';
import { nearText, someNames } from '../../core/data/names';
import * as tf from '@tensorflow/tfjs';
import { defaultFeatures, defaultLabel, notDefaultFeature } from '../../core/data/encode';
import { tableStats } from '../../core/data/stats';
import { ConfigError } from '../../core/train/errors';
import { refuseUnknownKeys, shown } from '../../core/errors';
import {
  BLOCK_KEYS,
  defaultModelSpec,
  MODEL_KEYS,
  MODEL_TYPES,
  type InputShape,
  type ModelSpec,
  type ModelType,
} from '../../core/train/model';
import {
  OPTIMIZER_DEFAULTS,
  OPTIMIZER_NAMES,
  SCHEDULE_TYPES,
  type OptimizerName,
} from '../../core/train/optimizer-spec';
import { ENGINES, PRECISIONS, PREPARE_ON } from '../../core/train/record';
import { BACKENDS, nearSettingText } from '../../core/train/run-config';
import { lossText, startupText, validationText } from '../../core/train/results';
import { packTrained, readTrainedRecord, RECORD_VERSION } from '../../core/train/trained';
import { dataWaitShare, downsample } from '../../core/train/step-series';
import type {
  EpochRecord,
  PruningSetting,
  RunConfig,
  RunRecord,
  RunSummary,
  SparseLayerReport,
} from '../../core/train/record';
import {
  CONFIG_SETTING_KEYS,
  DEFAULT_SETTINGS,
  makeRunConfig,
  validateSettings,
  type RunSettings,
} from '../../core/train/run-config';
import { installNodeWebGpu, noAdapterHint } from '../../gpu/node-webgpu';
import { datasetFingerprint, sha256Hex, sourceNotes } from '../../services/data-service';
import type { DatasetSummary, PreparedRun, TrainerEvent } from '../../services/protocol';
import { runPipeline, type TeacherRecord } from '../../services/run-pipeline';
import { readJson } from './export';
import { counted, groupFlag, whereFlag } from './inspect';
import { localServices } from '../../services/local-services';
import { timeLimitSeconds, UsageError, type ParsedArgs } from '../args';
import { checkFile as checkFileExists, decodeFile, DEFAULT_TIME_LIMIT_S } from '../decode';
import { streamedSummary } from '../../services/decode-service';
import { defaultSplit } from '../../core/data/split';

/** Step records kept in a printed record; longer runs are down-sampled (the summary uses every step). */
export const MAX_RECORD_STEPS = 1000;

const USAGE =
  'train needs --data FILE: npm run cli -- train --data FILE [--config cfg.json] [--label COL] [--model ' +
  ('mlp|cnn|dscnn] [--optimizer NAME] [--lr X] [--epochs N] [--batch N] [--backend webgpu|cpu] [--engine ' +
    'tfjs|wgsl] [--precision fp32|fp16-mixed] [--json]');

/** `train --help`: every flag, the choices of each setting, and the keys a config file may hold. */
export function trainHelp(): string {
  const hyper = OPTIMIZER_NAMES.map(
    (n) =>
      `    ${n}: ${
        Object.entries(OPTIMIZER_DEFAULTS[n])
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'no hyperparameters'
      }`,
  );
  return [
    'usage: npm run cli -- train --data FILE [--config cfg.json] [flags] [--json]',
    '',
    'Trains one configuration through the same data and trainer services as the workbench and prints its run record.',
    '',
    'flags (a flag overrides the config file, which overrides the defaults):',
    '  --data FILE            Parquet, Arrow IPC, CSV/TSV or JSON (required)',
    '  --config FILE          a JSON object of the config keys below',
    '  --label COL            the label column (default: chosen from the data)',
    '  --features a,b         the feature columns (default: every other column but ids and mostly-missing ones)',
    '  --task T               classification | regression (default: from the label: categorical, boolean, or',
    '                         whole numbers with at most 20 values are classes; other numbers regression)',
    `  --model TYPE           ${MODEL_TYPES.join(' | ')} (default ${DEFAULT_SETTINGS.model.type})`,
    '  --hidden 64,64         hidden layer widths',
    '  --input-shape HxWxC    image models: the shape of a row (else inferred)',
    `  --optimizer NAME       ${OPTIMIZER_NAMES.join(' | ')} (default ${DEFAULT_SETTINGS.optimizer.name})`,
    `  --lr X                 learning rate (default ${DEFAULT_SETTINGS.optimizer.learningRate})`,
    `  --epochs N  --batch N  --seed N  --prefetch N  ` +
      ` (defaults ${DEFAULT_SETTINGS.epochs}, ${DEFAULT_SETTINGS.batchSize}, ${DEFAULT_SETTINGS.seed}, ${DEFAULT_SETTINGS.prefetch})`,
    `  --backend NAME         tfjs backend: ${BACKENDS.join(' | ')}, falling back along that ` +
      `order (default ${DEFAULT_SETTINGS.backend})`,
    `  --engine NAME          ${ENGINES.join(' | ')}: tfjs kernels, or the project's fused WebGPU kernels ` +
      `(mlp) (default tfjs)`,
    `  --precision P          ${PRECISIONS.join(' | ')}: fp16-mixed needs --engine wgsl (default fp32)`,
    `  --prepare-on WHERE     ${PREPARE_ON.join(' | ')}: standardise and one-hot encode batches on the data worker, or send raw ` +
      'columns and let the wgsl engine do it on the GPU (default worker)',
    '  --augment-pad N        image rows, prepared on the GPU: a random crop after N pixels of zero padding',
    '  --augment-flip         image rows, prepared on the GPU: a random horizontal flip',
    '  --target-loss X        record the time until the loss first reaches X',
    '  --max-steps N          stop after N steps',
    '  --max-seconds S        stop after S seconds of training, counted from the end of start-up',
    '                         (backend, data, model build, first step: summary.startup)',
    '  --dedup MODE           none | exact | bloom: drop repeated rows before the split',
    '  --where FILTER         train on the rows the filter keeps, e.g. "delay > 30 and distance between 200 and 800"',
    '  --group PATH           the HDF5 group to train on (default: the group with the most rows)',
    '                         (and, or, not, ( ); = != < <= > >= between in is null; \'strings\', "quoted names")',
    '  --stream               start training on the first record batch or row group while the rest decodes',
    `  --time-limit SECONDS   stop decoding the data file after this long, as bad ` +
      `input (default ${DEFAULT_TIME_LIMIT_S})`,
    '  --json                 print the run record as one JSON document; --quiet: no per-epoch lines; ' +
      '--debug: stack traces',
    '',
    'optimizer hyperparameters (config file, under "optimizer"), with their defaults:',
    ...hyper,
    '  lookahead: null or { "k": 5, "alpha": 0.5 } (any optimizer)',
    `  schedule: { "type": ${SCHEDULE_TYPES.map((t) => `"${t}"`).join(' | ')}, "warmupSteps" } (step: ` +
      `"stepSize", "gamma"; cosine: "totalSteps", "minLearningRate")`,
    '  clipNorm: null or a number > 0 (clip by global norm)',
    '',
    `config file keys: ${[...CONFIG_KEYS].join(', ')}`,
    '  "data" may hold label, features, split and task as in a run record\'s config; model is { "type", "hidden", ' +
      '"activation", ... }',
    '  pruning: null or { "targetSparsity": 0.9, "startStep": 100, "endStep": 1000, "every": 50 } (gradual ' +
      'magnitude pruning of the kernels, cubic schedule, steps counted in optimizer steps)',
    '  distill: null or { "teacher": "teacher-run.json", "temperature": 4, "alpha": 0.5 } (distillation from a ' +
      "finished run's record written by train --json, its path relative to the config file; same dataset, label " +
      'and classes)',
    '',
    'exit codes: 0 success, 1 bad input (the message names the file or field), 2 usage error',
  ].join('\n');
}

/** The run settings a config file may set, copied as they are into the run's settings. */
const SETTING_KEYS = CONFIG_SETTING_KEYS;

/**
 * Keys a config file may hold: the run settings, the run length and target, plus the data choices
 * (flat or under `data`, as in a run record's `config`).
 */
const CONFIG_KEYS = new Set<string>([
  ...SETTING_KEYS,
  'targetLoss',
  'maxSteps',
  'maxSeconds',
  'label',
  'features',
  'split',
  'task',
  'data',
]);

export interface DataChoice {
  label?: string;
  features?: string[];
  split?: RunConfig['data']['split'];
  task?: RunConfig['data']['task'];
}

function numberFlag(args: ParsedArgs, flag: string, field: string): number | undefined {
  const v = args.flags.get(flag);
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n))
    throw new ConfigError(field, `--${flag} needs a number, got ${v === true ? 'nothing' : JSON.stringify(v)}`);
  return n;
}

function stringFlag(args: ParsedArgs, flag: string): string | undefined {
  const v = args.flags.get(flag);
  if (v === true) throw new UsageError(`--${flag} needs a value`);
  return v;
}

/** The keys each model type takes in a config file (no type: any model's). */
/** Refuses a key of a config file's model (or of a dscnn block) that no model reads, naming it. */
function checkModelKeys(model: unknown): void {
  if (typeof model !== 'object' || model === null || Array.isArray(model)) return;
  const m = model as Record<string, unknown>;
  const own = typeof m.type === 'string' && Object.hasOwn(MODEL_KEYS, m.type) ? (m.type as ModelType) : null;
  const takes = own ? MODEL_KEYS[own] : [...new Set(Object.values(MODEL_KEYS).flat())];
  refuseUnknownKeys(m, takes, 'model', `a setting of ${own ? `the ${own} model` : 'a model'}`);
  if (Array.isArray(m.blocks))
    m.blocks.forEach((b: unknown, i) => {
      if (typeof b === 'object' && b !== null)
        refuseUnknownKeys(b, BLOCK_KEYS, `model.blocks[${i}]`, 'a block setting');
    });
}

async function readConfigFile(
  path: string,
  extraKeys: readonly string[],
): Promise<{
  settings: Partial<RunSettings>;
  data: DataChoice;
  targetLoss?: number;
  maxSteps?: number;
  maxSeconds?: number;
  extra: Record<string, unknown>;
}> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(
      'config',
      `${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // Where, in the file's terms; V8's own text ("Unexpected token , in JSON at position 14") is not shown.
    const at = /position (\d+)/.exec((e as Error).message);
    const before = at ? text.slice(0, Number(at[1])).split('\n') : null;
    throw new ConfigError(
      'config',
      `${path} is not ` +
        `JSON${before ? ` (a mistake at line ${before.length}, column ${before[before.length - 1].length + 1})` : ''}`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError('config', `${path} must hold one JSON object`);
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o))
    if (!CONFIG_KEYS.has(key) && !extraKeys.includes(key))
      throw new ConfigError(
        key,
        `is not a setting train knows (${nearSettingText(key, [...CONFIG_KEYS, ...extraKeys])}` +
          `${[...CONFIG_KEYS, ...extraKeys].join(', ')})`,
      );
  const nested = (o.data ?? {}) as DataChoice;
  // Keys train would not read are refused, not dropped: in "data" (the dedup mode and the filter
  // are the --dedup and --where flags) and in a split.
  if (typeof nested !== 'object' || nested === null || Array.isArray(nested))
    throw new ConfigError('data', 'must be an object holding label, features, split and task');
  for (const key of Object.keys(nested))
    if (!['label', 'features', 'split', 'task'].includes(key))
      throw new ConfigError(
        `data.${key}`,
        'is not a setting train reads from a config file (data takes label, features, split and task; dedup, the row ' +
          'filter and streaming are the --dedup, --where and --stream flags)',
      );
  checkModelKeys(o.model);
  for (const [split, at] of [
    [o.split, 'split'],
    [nested.split, 'data.split'],
  ] as const)
    if (typeof split === 'object' && split !== null)
      refuseUnknownKeys(split, ['train', 'val', 'test', 'seed'], at, 'a split setting');
  const settings: Partial<RunSettings> = {};
  for (const key of SETTING_KEYS) {
    if (o[key] !== undefined) (settings as Record<string, unknown>)[key] = o[key];
  }
  const data: DataChoice = {
    label: (o.label as string | undefined) ?? nested.label,
    features: (o.features as string[] | undefined) ?? nested.features,
    split: (o.split as DataChoice['split']) ?? nested.split,
    task: taskSetting(o.task ?? nested.task),
  };
  const targetLoss = o.targetLoss === null ? undefined : (o.targetLoss as number | undefined);
  const maxSteps = o.maxSteps === null ? undefined : (o.maxSteps as number | undefined);
  const maxSeconds = o.maxSeconds === null ? undefined : (o.maxSeconds as number | undefined);
  const extra = Object.fromEntries(extraKeys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
  // A teacher record's path is read relative to the config file, as a file naming another file is.
  const distill = settings.distill as { teacher?: unknown } | null | undefined;
  if (distill && typeof distill === 'object' && typeof distill.teacher === 'string' && distill.teacher.trim())
    settings.distill = {
      ...(distill as RunSettings['distill'] & object),
      teacher: resolve(dirname(path), distill.teacher),
    };
  return { settings, data, targetLoss, maxSteps, maxSeconds, extra };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `data.task` (or --task): classification or regression; absent, decided from the label. */
function taskSetting(v: unknown): DataChoice['task'] {
  if (v === undefined || v === null) return undefined;
  if (v === 'classification' || v === 'regression') return v;
  throw new ConfigError(
    'data.task',
    `must be classification or regression (or left out: decided from the label), got ${shown(v)}`,
  );
}

function parseShape(v: string): InputShape {
  const parts = v.split(/[x,]/).map(Number);
  if (parts.length !== 3 || parts.some((p) => !Number.isInteger(p) || p < 1))
    throw new ConfigError('model.inputShape', `--input-shape needs HxWxC such as 28x28x1, got "${v}"`);
  return parts as InputShape;
}

/** What a train command line asks for: validated settings, the data choice, the run's length and target. */
export interface GatheredSettings {
  settings: RunSettings;
  data: DataChoice;
  targetLoss: number | null;
  maxSteps: number | null;
  maxSeconds: number | null;
  /** The config file's `extraKeys` (for example `sweep`), unchecked. */
  extra: Record<string, unknown>;
  /** The batch size was given (--batch, or batchSize in the config file), not the default. */
  batchGiven?: boolean;
}

/**
 * Settings from defaults, then the config file, then flags; validated (ConfigError names the
 * field). `extraKeys`: keys the config file may hold besides train's (returned unchecked).
 */
export async function gatherSettings(args: ParsedArgs, extraKeys: readonly string[] = []): Promise<GatheredSettings> {
  const file = stringFlag(args, 'config');
  const fromFile = file
    ? await readConfigFile(file, extraKeys)
    : {
        settings: {},
        data: {} as DataChoice,
        targetLoss: undefined,
        maxSteps: undefined,
        maxSeconds: undefined,
        extra: {},
      };
  // A model or optimizer given as a word (`"optimizer": "adam"`) or null is refused as such: spread,
  // a string's letters would read as fields ("optimizer.0: unknown field").
  const examples = { model: '{"type": "mlp", "hidden": [64]}', optimizer: '{"name": "adam", "learningRate": 0.01}' };
  for (const key of ['model', 'optimizer'] as const) {
    const v: unknown = fromFile.settings[key];
    if (v !== undefined && !isPlainObject(v))
      throw new ConfigError(key, `must be an object like ${examples[key]}, got ${shown(v)}`);
  }
  const s: RunSettings = { ...DEFAULT_SETTINGS, ...fromFile.settings };
  s.model = { ...(s.model as ModelSpec) };
  s.optimizer = { ...s.optimizer };
  // A config file's model and optimizer are completed as the flags complete them: a model's
  // left-out keys take its type's defaults (`{ "type": "mlp", "hidden": [64] }` is relu, as
  // `--model mlp --hidden 64` is), an optimizer's name and learning rate default to adam and
  // 0.01 (its hyper-parameters to its own defaults, in validateOptimizerSpec). What is given
  // wins and is checked as given; the run record shows every value used.
  const fileModel = fromFile.settings.model as unknown;
  if (isPlainObject(fileModel)) {
    const type = fileModel.type === undefined ? DEFAULT_SETTINGS.model.type : fileModel.type;
    if (MODEL_TYPES.includes(type as ModelType))
      s.model = { ...defaultModelSpec(type as ModelType), ...fileModel } as ModelSpec;
  }
  const fileOptimizer = fromFile.settings.optimizer as unknown;
  if (isPlainObject(fileOptimizer))
    s.optimizer = {
      name: DEFAULT_SETTINGS.optimizer.name,
      learningRate: DEFAULT_SETTINGS.optimizer.learningRate,
      ...fileOptimizer,
    } as RunSettings['optimizer'];

  const model = stringFlag(args, 'model');
  if (model !== undefined) {
    if (!MODEL_TYPES.includes(model as ModelType))
      throw new ConfigError('model.type', `"${model}" is unknown (choose one of ${MODEL_TYPES.join(', ')})`);
    if (model !== s.model.type) s.model = defaultModelSpec(model as ModelType);
  }
  const shape = stringFlag(args, 'input-shape');
  if (shape !== undefined) {
    if (s.model.type === 'mlp')
      throw new ConfigError('model.inputShape', 'applies to the image models (--model cnn or dscnn), not to an mlp');
    s.model = { ...s.model, inputShape: parseShape(shape) };
  }
  const hidden = stringFlag(args, 'hidden');
  if (hidden !== undefined) {
    const widths = hidden === '' ? [] : hidden.split(',').map((w) => w.trim());
    // Number('') is 0: an empty entry would read as a layer of width 0.
    const bad = widths.find((w) => w === '' || Number.isNaN(Number(w)));
    if (bad !== undefined)
      throw new ConfigError(
        'model.hidden',
        `--hidden holds ${bad === '' ? 'an empty entry' : `"${bad}", not a number`} ("${hidden}"); it takes layer ` +
          'widths separated by commas, such as 64,32',
      );
    s.model = { ...s.model, hidden: widths.map(Number) };
  }
  const optimizer = stringFlag(args, 'optimizer');
  if (optimizer !== undefined) {
    if (!OPTIMIZER_NAMES.includes(optimizer as OptimizerName))
      throw new ConfigError(
        'optimizer.name',
        `"${optimizer}" is unknown (choose one of ${OPTIMIZER_NAMES.join(', ')})`,
      );
    s.optimizer = { name: optimizer as OptimizerName, learningRate: s.optimizer.learningRate };
  }
  const lr = numberFlag(args, 'lr', 'optimizer.learningRate');
  if (lr !== undefined) s.optimizer = { ...s.optimizer, learningRate: lr };
  const ints: [string, 'epochs' | 'batchSize' | 'seed' | 'prefetch'][] = [
    ['epochs', 'epochs'],
    ['batch', 'batchSize'],
    ['seed', 'seed'],
    ['prefetch', 'prefetch'],
  ];
  for (const [flag, key] of ints) {
    const v = numberFlag(args, flag, key);
    if (v !== undefined) s[key] = v;
  }
  const backend = stringFlag(args, 'backend');
  if (backend !== undefined) s.backend = backend as RunSettings['backend'];
  // Checked, with the pair, by validateSettings below (a ConfigError naming engine or precision).
  const engine = stringFlag(args, 'engine');
  if (engine !== undefined) s.engine = engine as RunSettings['engine'];
  const precision = stringFlag(args, 'precision');
  if (precision !== undefined) s.precision = precision as RunSettings['precision'];
  const prepareOn = stringFlag(args, 'prepare-on');
  if (prepareOn !== undefined) s.prepareOn = prepareOn as RunSettings['prepareOn'];
  const pad = numberFlag(args, 'augment-pad', 'augment.pad');
  if (pad !== undefined || args.flags.has('augment-flip'))
    s.augment = { pad: pad ?? s.augment?.pad ?? 0, flip: args.flags.has('augment-flip') || (s.augment?.flip ?? false) };
  const targetLoss = numberFlag(args, 'target-loss', 'targetLoss') ?? fromFile.targetLoss ?? null;
  // Every loss the trainer reports (cross-entropy, mean squared error, their distillation mix) is
  // 0 or more: a target below 0 could never be reached.
  if (targetLoss !== null && !(Number.isFinite(targetLoss) && targetLoss >= 0))
    throw new ConfigError(
      'targetLoss',
      `must be a number of at least 0 (a loss is never below 0), got ${JSON.stringify(targetLoss)}`,
    );
  const maxSteps = numberFlag(args, 'max-steps', 'maxSteps') ?? fromFile.maxSteps ?? null;
  if (maxSteps !== null && !(Number.isInteger(maxSteps) && maxSteps >= 1))
    throw new ConfigError('maxSteps', `must be a whole number of at least 1, got ${JSON.stringify(maxSteps)}`);
  const maxSeconds = numberFlag(args, 'max-seconds', 'maxSeconds') ?? fromFile.maxSeconds ?? null;
  if (maxSeconds !== null && !(typeof maxSeconds === 'number' && Number.isFinite(maxSeconds) && maxSeconds > 0))
    throw new ConfigError('maxSeconds', `must be a number of seconds above 0, got ${JSON.stringify(maxSeconds)}`);
  const data = { ...fromFile.data };
  const label = stringFlag(args, 'label');
  if (label !== undefined) data.label = label;
  const task = stringFlag(args, 'task');
  if (task !== undefined) data.task = taskSetting(task);
  const features = stringFlag(args, 'features');
  if (features !== undefined) data.features = features.split(',').map((f) => f.trim());
  const batchGiven = args.flags.has('batch') || fromFile.settings.batchSize !== undefined;
  return { settings: validateSettings(s), data, targetLoss, maxSteps, maxSeconds, extra: fromFile.extra, batchGiven };
}

/**
 * A data file decoded once and handed to the data service (adopt), with the services a run
 * needs: `train` makes one run on it, `sweep` many.
 */
export interface TrainSession {
  dataFile: string;
  /** The file's bytes (a whole load), or the file on disk (`train --stream` of a Parquet or Arrow file). */
  bytes: Uint8Array | Blob;
  summary: DatasetSummary;
  services: ReturnType<typeof localServices>;
  events: TrainerEvent[];
  /** Epochs of the run under way, for the progress lines on stderr. */
  epochs: number;
  quiet: boolean;
}

/** Decodes `--data` (in a worker thread, under --time-limit) and adopts it in the data service. */
export async function openSession(args: ParsedArgs, dataFile: string): Promise<TrainSession> {
  const name = dataFile.split(/[\\/]/).pop()!;
  if (args.flags.has('stream')) {
    const streamed = await openStreamedSession(args, dataFile, name);
    if (streamed) return streamed;
  }
  const { table, bytes, decodeMs } = await decodeFile(
    dataFile,
    name,
    timeLimitSeconds(args, DEFAULT_TIME_LIMIT_S),
    groupFlag(args),
  );
  // One object: the services' event callback and the runs read and write the same fields.
  const session = { dataFile, bytes, events: [], epochs: 0, quiet: args.flags.has('quiet') } as unknown as TrainSession;
  session.services = sessionServices(session);
  const defaultLabelName = defaultLabel(table);
  session.summary = await session.services.data.call('adopt', {
    table,
    summary: {
      name,
      format: table.format,
      bytes: bytes.byteLength,
      rows: table.rows,
      columns: tableStats(table),
      fingerprint: await datasetFingerprint(await sha256Hex(bytes), table),
      defaultLabel: defaultLabelName,
      defaultFeatures: defaultFeatures(table, defaultLabelName),
      decodeMs,
      cache: null,
      ...sourceNotes(table),
    },
  });
  return session;
}

/** The services of a session, with the epoch lines on stderr. */
function sessionServices(session: TrainSession): TrainSession['services'] {
  return localServices((e) => {
    session.events.push(e);
    if (e.type === 'epoch' && !session.quiet) {
      const { epoch, trainLoss } = e.epoch;
      process.stderr.write(
        `epoch ${epoch + 1}/${session.epochs}: train loss ${lossText(trainLoss)}, ${validationText(e.epoch)}\n`,
      );
    }
  });
}

/**
 * `train --stream` of a Parquet or Arrow file: never loaded whole (a file larger than memory
 * trains this way). Its schema statistics stream over its pieces, its fingerprint is a streamed
 * sha256, and the run reads it from disk by slices (`fs.openAsBlob`). Null for other formats,
 * which load first as usual.
 */
async function openStreamedSession(args: ParsedArgs, dataFile: string, name: string): Promise<TrainSession | null> {
  await checkFileExists(dataFile, { anySize: true });
  const head = new Uint8Array(8);
  const fd = await open(dataFile, 'r');
  try {
    await fd.read(head, 0, 8, 0);
  } finally {
    await fd.close();
  }
  const text = String.fromCharCode(...head.subarray(0, 6));
  if (!(text.startsWith('PAR1') || text === 'ARROW1' || head.subarray(0, 4).every((b) => b === 0xff))) return null;
  const t0 = performance.now();
  const blob = await openAsBlob(dataFile);
  const stats = await streamedSummary(name, blob);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(dataFile)) hash.update(chunk as Buffer);
  const session = {
    dataFile,
    bytes: blob,
    events: [],
    epochs: 0,
    quiet: args.flags.has('quiet'),
  } as unknown as TrainSession;
  session.services = sessionServices(session);
  session.summary = {
    id: -1,
    name,
    format: stats.format,
    bytes: stats.bytes,
    rows: stats.rows,
    columns: stats.columns,
    fingerprint: hash.digest('hex'),
    defaultLabel: stats.defaultLabel,
    defaultLabelReason: stats.defaultLabelReason,
    defaultFeatures: stats.defaultFeatures,
    decodeMs: performance.now() - t0,
    cache: null,
    ...(stats.skipped ? { skipped: stats.skipped } : {}),
  };
  return session;
}

let runs = 0;

/** One run on a session's data with gathered settings: its record and the lines `train` prints. */
export async function runOnce(
  session: TrainSession,
  gathered: Omit<GatheredSettings, 'extra'>,
  args: ParsedArgs,
): Promise<{ record: RunRecord; text: string }> {
  const { settings, data: choice, targetLoss, maxSteps, maxSeconds } = gathered;
  const { summary, services, dataFile } = session;
  session.epochs = settings.epochs;
  const columns = summary.columns.map((c) => c.name);
  const label = choice.label ?? summary.defaultLabel;
  if (!columns.includes(label))
    throw new ConfigError(
      'data.label',
      `"${label}" is not a column of ${dataFile} (${nearText(label, columns)}columns: ${someNames(columns, 12)})`,
    );
  const features = choice.features ?? [
    ...summary.defaultFeatures.filter((f) => f !== label),
    ...(label !== summary.defaultLabel ? [summary.defaultLabel] : []),
  ];
  checkFeatureList(features, label);
  for (const f of features)
    if (!columns.includes(f))
      throw new ConfigError(
        'data.features',
        `"${f}" is not a column of ${dataFile} (${nearText(f, columns)}columns: ${someNames(columns, 12)})`,
      );
  if (features.length === 0) throw new ConfigError('data.features', noDefaultFeatures(summary, label, dataFile));
  const split = choice.split ?? defaultSplit(settings.seed);
  // PROD: no "install tfjs-node" banner on stderr (and no debug-mode checks).
  tf.env().set('PROD', true);
  // The wgsl engine opens its own WebGPU device (Dawn here), whatever the tfjs backend.
  const backendClock = performance.now();
  const dawn = settings.backend === 'webgpu' || settings.engine === 'wgsl' ? await installNodeWebGpu() : false;
  const environment = await services.trainer.call('init', { preferred: settings.backend });
  const backendSec = (performance.now() - backendClock) / 1000;
  if (environment.backend === 'webgpu') environment.runtime = `${environment.runtime} + dawn`;
  else if (settings.backend === 'webgpu') {
    const reason = !dawn
      ? 'the npm package "webgpu" (Dawn) did not load'
      : (environment.fallbackReason ?? '') +
        (environment.fallbackReason?.includes('requestAdapter returned null') ? noAdapterHint() : '');
    environment.fallbackReason = reason;
    process.stderr.write(`webgpu unavailable, training on ${environment.backend}: ${reason}\n`);
  }
  const dedupFlag = args.flags.get('dedup') ?? 'none';
  if (dedupFlag !== 'none' && dedupFlag !== 'exact' && dedupFlag !== 'bloom')
    throw new ConfigError('data.dedup', `must be none, exact or bloom, got ${String(dedupFlag)}`);
  const stream = args.flags.has('stream');
  const where = whereFlag(args);
  if (stream && dedupFlag !== 'none')
    throw new ConfigError(
      'data.dedup',
      'streaming mode trains on rows as they arrive and cannot drop repeats first; use --dedup none with --stream',
    );
  const config: RunConfig = {
    ...makeRunConfig(
      // The trainer reports a tfjs backend (`cuda` is only written by exported PyTorch jobs).
      { ...settings, backend: environment.backend as RunSettings['backend'] },
      {
        fingerprint: summary.fingerprint,
        name: summary.name,
        rows: summary.rows,
        label,
        features,
        dedup: dedupFlag,
        split,
        ...(where ? { where } : {}),
        ...(choice.task ? { task: choice.task } : {}),
      },
    ),
    targetLoss,
    maxSteps,
    maxSeconds,
  };

  // The run itself: the same pipeline as the workbench's queue (data prepared, then trained). A
  // batch larger than the training rows is the data service's ConfigError on batchSize.
  // --stream: training starts on the first record batch / row group while the rest decodes.
  const source = stream
    ? {
        kind: 'stream' as const,
        name: summary.name,
        bytes: session.bytes instanceof Uint8Array ? session.bytes.slice().buffer : session.bytes,
      }
    : { kind: 'dataset' as const, datasetId: summary.id };
  if (summary.id < 0 && !stream) throw new UsageError('a file opened for streaming trains with --stream');
  if (where && !stream) {
    // A value the filter names that a column never holds is a likely typo: said, not refused.
    const { notes } = await services.data.call('countWhere', { datasetId: summary.id, where });
    sayFilterNotes(notes);
  }
  const runId = `cli-${++runs}`;
  const teacher = config.distill ? await readTeacher(config.distill.teacher) : null;
  // The default batch on a file of fewer training rows trains on all of them per step, said; a
  // batch the user gave is refused there, naming batchSize (as in the workbench, whose form shows it).
  const fitBatch = !gathered.batchGiven;
  // Said once the data is prepared, before the first epoch's line.
  const onPrepared = (p: PreparedRun, ran: RunConfig) => {
    if (ran.batchSize !== config.batchSize)
      process.stderr.write(
        `batch ${ran.batchSize}: the default batch of ${config.batchSize} is more than the ` +
          `${p.trainRows} training rows of ${summary.name}, so each step takes all of them (--batch sets it)\n`,
      );
  };
  const outcome = await runPipeline(config, services, {
    runId,
    source,
    backendSec,
    teacher,
    fitBatch,
    hooks: { onPrepared },
  });
  const { prepared, summary: result } = outcome;
  config.model = outcome.config.model;
  config.batchSize = outcome.config.batchSize;
  if (outcome.config.data.stream) config.data = { ...config.data, stream: true };
  // Where the run trained: the trainer says so per run (the wgsl engine's adapter and f16 path);
  // the backend's environment otherwise.
  const events = session.events.filter((e) => e.runId === runId);
  session.events = session.events.filter((e) => e.runId !== runId);
  const sent = events.flatMap((e) => (e.type === 'environment' ? [e.environment] : [])).pop();
  const ran = sent
    ? {
        ...sent,
        runtime:
          sent.backend === 'webgpu' && dawn && !sent.runtime.endsWith('+ dawn')
            ? `${sent.runtime} + dawn`
            : sent.runtime,
      }
    : environment;
  if (ran.fallbackReason && ran.fallbackReason !== environment.fallbackReason)
    process.stderr.write(`${ran.fallbackReason}\n`);
  // A streamed run's filter is checked piece by piece: what no piece held is known after the first pass.
  sayFilterNotes(events.flatMap((e) => (e.type === 'filterNotes' ? e.notes : [])));

  const steps = events.flatMap((e) => (e.type === 'steps' ? e.steps : []));
  const epochs: EpochRecord[] = events.flatMap((e) => (e.type === 'epoch' ? [e.epoch] : []));
  const parameters = events.flatMap((e) => (e.type === 'parameters' ? [e.tensors] : [])).pop();
  const record: RunRecord = {
    version: RECORD_VERSION,
    id: `cli-${summary.fingerprint.slice(0, 8)}-${Date.now().toString(36)}`,
    config,
    environment: ran,
    steps: downsample(steps, MAX_RECORD_STEPS),
    epochs,
    summary: result,
    ...(parameters ? { trained: packTrained(config.model, prepared.preprocessing, parameters) } : {}),
  };
  const wait = dataWaitShare(steps, Math.min(10, steps.length >> 2));
  const last = epochs[epochs.length - 1];
  const text = [
    `${summary.name}: ${counted(prepared.trainRows, 'training row')}` +
      `${prepared.streamed && !prepared.streamed.counted ? ' in the first piece' : ''}` +
      `${config.data.where ? ` (of the rows where ${config.data.where})` : ''}, ` +
      // Feature columns, and the model's inputs where encoding made them more (one-hot categories, pixels).
      `${counted(config.data.features.length, 'feature')}` +
      `${prepared.task.dim !== config.data.features.length ? ` (${prepared.task.dim} inputs once encoded)` : ''}, ` +
      `label "${label}" ` +
      `(${prepared.task.task}${prepared.classes ? `, ${prepared.classes.length} classes` : ''})`,
    `${config.model.type} · ${config.optimizer.name} lr ${config.optimizer.learningRate} · ` +
      (`batch ${config.batchSize} · ${counted(config.epochs, 'epoch')} ` +
        (`on ${ran.backend}${ran.adapter ? ` (${ran.adapter.vendor} ${ran.adapter.architecture})` : ''} · ` +
          `engine ${config.engine} · ${config.precision}${config.precision === 'fp16-mixed' ? ` (f16 ${ran.f16Path})` : ''}`)),
    ...(result.status === 'failed' && result.error ? [`failed: ${result.error}`] : []),
    `status ${result.status} · ${counted(steps.length, 'step')} · ` +
      (`end-to-end ${result.samplesPerSec === undefined ? '-' : Math.round(result.samplesPerSec)} samples/s ` +
        (`(all training samples over the run's wall time in the trainer, model build, first step and ` +
          (`validation included) · steady-state median ${Math.round(result.medianSamplesPerSec)} samples/s · ` +
            `data wait ${wait === null ? '-' : `${(100 * wait).toFixed(1)} %`}` +
            (result.batchBytes ? ` · ${(result.batchBytes / 1024).toFixed(1)} KB per batch uploaded` : '') +
            (config.prepareOn === 'gpu' ? ' (raw, prepared on the GPU)' : '')))),
    ...(prepared.streamed
      ? [
          `streamed from ${prepared.streamed.pieces === 'file' ? 'disk' : 'memory'} piece by piece` +
            (prepared.streamed.held ? '' : ', rows not kept: each epoch read the file again, validation on a sample'),
        ]
      : []),
    ...(result.startup ? [startupText(result.startup)] : []),
    last
      ? `${result.status === 'failed' ? 'last epoch' : 'final'}: train loss ${lossText(last.trainLoss)}, ${validationText(last)}` +
        (last.valRmse != null
          ? ` (${rmseUnit(summary.columns.find((c) => c.name === label)?.type, label, last.valRmse)})`
          : '')
      : 'no epoch finished',
    ...(result.lossScale !== undefined || result.skippedSteps !== undefined
      ? [
          `loss scale at the end ${result.lossScale ?? '-'} · ${result.skippedSteps == null ? '- steps' : counted(result.skippedSteps, 'step')} skipped on overflow`,
        ]
      : []),
    ...(config.pruning ? [pruningText(config.pruning, result, steps.length)] : []),
    ...(config.distill
      ? [
          `distilled from ${config.distill.teacher} (temperature ${config.distill.temperature}, alpha ` +
            `${config.distill.alpha}: the training loss is the distillation loss, the validation loss the labels' cross-entropy)`,
        ]
      : []),
    ...(targetLoss !== null
      ? [
          `time to ` +
            `loss ${targetLoss}: ${result.timeToTargetLoss === null ? 'not reached' : `${result.timeToTargetLoss.toFixed(2)} s`}`,
        ]
      : []),
  ].join('\n');
  return { record, text };
}

/**
 * A distilled run's teacher: the run record at `path`, its trained model checked (readTrainedRecord)
 * before any data is prepared; a problem is a ConfigError on distill.teacher naming the file.
 */
async function readTeacher(path: string): Promise<TeacherRecord> {
  try {
    const raw = await readJson(path);
    readTrainedRecord(raw);
    return { name: path, record: raw as TeacherRecord['record'] };
  } catch (e) {
    if (!(e instanceof DataError || e instanceof ConfigError)) throw e;
    const what = e.message.startsWith(`${path}: `) ? e.message.slice(path.length + 2) : e.message;
    throw new ConfigError('distill.teacher', `the teacher record ${path}: ${what}`);
  }
}

/** Which pruned layers the wgsl engine ran on its CSR kernels, and the times that decided it. */
export function sparseLayersText(layers: readonly SparseLayerReport[]): string {
  return (
    'sparse kernels: ' +
    layers
      .map((l) => {
        const ratio =
          l.denseMs && l.sparseMs ? ` (sparse ${(l.denseMs / l.sparseMs).toFixed(2)}x the dense products)` : '';
        return `layer ${l.layer} at ${(100 * l.sparsity).toFixed(1)} % ${l.sparse ? 'runs sparse' : 'stays dense'}${ratio}`;
      })
      .join(' · ')
  );
}

/** What pruning reached: the share of zero kernel weights against the target, and why short of it. */
function pruningText(p: PruningSetting, result: RunSummary, steps: number): string {
  const pct = (x: number) => `${+(100 * x).toFixed(2)} %`;
  const reached = result.sparsity === undefined ? '-' : pct(result.sparsity);
  return (
    `pruned: ${reached} of the kernel weights are zero (target ${pct(p.targetSparsity)}, steps ${p.startStep}-${p.endStep} ` +
    `every ${p.every}) · ${result.nonZeroParameters ?? '-'} parameters not zero` +
    (steps < p.endStep ? ` · the run ended after ${steps} steps, before the schedule's end step ${p.endStep}` : '') +
    (result.sparseLayers?.length ? `\n${sparseLayersText(result.sparseLayers)}` : '')
  );
}

export async function train(args: ParsedArgs): Promise<{ json: unknown; text: string; failure?: string }> {
  const dataFile = stringFlag(args, 'data') ?? args.positionals[0];
  if (!dataFile) throw new UsageError(USAGE);
  const gathered = await gatherSettings(args);
  const { record, text } = await runOnce(await openSession(args, dataFile), gathered, args);
  // A run that failed (diverged) still prints its record, and exits 1 with the reason.
  const { status, error } = record.summary;
  return {
    json: record,
    text,
    ...(status === 'failed' ? { failure: `${record.config.data.name}: ${error ?? 'the run failed'}` } : {}),
  };
}

/** Why no column is a feature by default (each other column and the rule it fails), and how to name some. */
function noDefaultFeatures(summary: DatasetSummary, label: string, dataFile: string): string {
  const others = summary.columns.filter((c) => c.name !== label);
  if (others.length === 0) return `${dataFile} has no column besides the label "${label}" to train on`;
  const why = others
    .slice(0, 6)
    .map((c) => `"${c.name}" (${notDefaultFeature(c, summary.rows) ?? 'a feature'})`)
    .join(', ');
  return (
    `no column of ${dataFile} is a feature by default besides the label "${label}": ${why}` +
    `${others.length > 6 ? ', ...' : ''}; name the features with --features (or data.features in --config)`
  );
}

/** `data.features` (or --features a,b) as given: a list of names, none empty, none twice, not the label. */
function checkFeatureList(features: unknown, label: string): asserts features is string[] {
  if (!Array.isArray(features) || !features.every((f) => typeof f === 'string'))
    throw new ConfigError('data.features', `must be a list of column names, got ${shown(features)}`);
  if (features.some((f) => f === ''))
    throw new ConfigError('data.features', 'holds an empty name (--features takes names separated by commas: a,b)');
  const twice = features.find((f, i) => features.indexOf(f) !== i);
  if (twice !== undefined) throw new ConfigError('data.features', `names "${twice}" twice`);
  if (features.includes(label))
    throw new ConfigError('data.features', `holds the label "${label}": a column is either the label or a feature`);
}

/**
 * What a regression's RMSE is counted in: the label's own units, but a date label is days and a
 * timestamp label milliseconds since 1970 (`RMSE 8.6e+9` alone reads as a failure; it is 99.5 days).
 */
export function rmseUnit(type: string | undefined, label: string, rmse: number): string {
  if (type === 'date') return `RMSE in days of "${label}"`;
  if (type !== 'timestamp') return `RMSE in units of "${label}"`;
  const days = rmse / 86_400_000;
  const hours = rmse / 3_600_000;
  const readable = days >= 1 ? `${days.toPrecision(3)} days` : hours >= 1 ? `${hours.toPrecision(3)} hours` : null;
  return `RMSE in milliseconds of "${label}"${readable ? `: ${readable}` : ''}`;
}

/** Filter notes already written to stderr (see runOnce). */
const filterNotesSaid = new Set<string>();

/** Writes the filter's notes to stderr, each once per process (a sweep runs the filter for every trial). */
function sayFilterNotes(notes: readonly string[]): void {
  for (const note of notes.filter((n) => !filterNotesSaid.has(n))) {
    filterNotesSaid.add(note);
    process.stderr.write(`note: the filter: ${note}\n`);
  }
}
