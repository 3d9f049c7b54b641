import { ConfigError } from './errors';
import { nearField } from '../data/names';

/** Optimizers the trainer knows, in the order the UI lists them. */
export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'adamw', 'lion'] as const;

/** One of {@link OPTIMIZER_NAMES}. */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** Learning-rate schedule types; see `schedules.ts` for the formulas. */
export const SCHEDULE_TYPES = ['constant', 'step', 'cosine'] as const;

/** One of {@link SCHEDULE_TYPES}. */
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/**
 * Learning-rate schedule. Steps are counted from 0 (the first update is step 0).
 * - `warmupSteps` (default 0, all types): linear warm-up, rate = lr * (step + 1) / warmupSteps
 *   while step < warmupSteps; the decay below then starts at step `warmupSteps`.
 * - `step`: rate = lr * gamma ^ floor((step - warmupSteps) / stepSize). `stepSize` is required;
 *   `gamma` defaults to 0.1 (PyTorch `StepLR`).
 * - `cosine`: from lr down to `minLearningRate` (default 0) over the steps from `warmupSteps` to
 *   `totalSteps` (required, counts the warm-up), then held at `minLearningRate` (SGDR without
 *   restarts, Loshchilov & Hutter 2017).
 */
export interface ScheduleSpec {
  type: ScheduleType;
  warmupSteps?: number;
  stepSize?: number;
  gamma?: number;
  totalSteps?: number;
  minLearningRate?: number;
}

/** Lookahead (Zhang et al. 2019): every `k` steps slow += alpha * (fast - slow), fast = slow. */
export interface LookaheadSpec {
  /** Inner steps between synchronisations, integer >= 1 (paper: 5). */
  k: number;
  /** Slow-weights step size in (0, 1] (paper: 0.5); 1 makes Lookahead a no-op. */
  alpha: number;
}

/**
 * An optimizer configuration, as it appears in a run config or a share link. Only the fields
 * that apply to `name` may be set; the others are refused. Defaults (filled in by
 * {@link validateOptimizerSpec}):
 * - `momentum`: 0.9 (momentum, nesterov; Sutskever et al. 2013, the usual choice).
 * - `beta1` / `beta2`: 0.9 / 0.999 (adam, adamw; Kingma & Ba 2015); 0.9 / 0.99 (lion; Chen et al. 2023).
 * - `epsilon`: 1e-8 (adam, adamw, rmsprop; Kingma & Ba, PyTorch), added after the square root.
 * - `rho`: 0.9 (rmsprop; Hinton's lecture 6e, Keras).
 * - `weightDecay`: 0.01 for adamw (PyTorch `AdamW`), 0 otherwise. For adamw and lion it is
 *   decoupled (p -= lr * wd * p); for sgd, momentum, nesterov, rmsprop and adam it is the
 *   classic L2 term added to the gradient (g += wd * p), as PyTorch's `weight_decay`.
 * - `lookahead`: null (off). `schedule`: `{ type: 'constant', warmupSteps: 0 }`. `clipNorm`: null (off).
 */
export interface OptimizerSpec {
  name: OptimizerName;
  /** Base learning rate, finite and >= 0; the schedule scales it. */
  learningRate: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  rho?: number;
  weightDecay?: number;
  lookahead?: LookaheadSpec | null;
  schedule?: ScheduleSpec;
  /** Clip gradients so that their global L2 norm is at most this (> 0); null is off. */
  clipNorm?: number | null;
}

type Hyper = 'momentum' | 'beta1' | 'beta2' | 'epsilon' | 'rho' | 'weightDecay';

/** Per-optimizer defaults; a hyperparameter missing here does not apply to that optimizer. */
export const OPTIMIZER_DEFAULTS: Readonly<Record<OptimizerName, Readonly<Partial<Record<Hyper, number>>>>> = {
  sgd: { weightDecay: 0 },
  momentum: { momentum: 0.9, weightDecay: 0 },
  nesterov: { momentum: 0.9, weightDecay: 0 },
  rmsprop: { rho: 0.9, epsilon: 1e-8, weightDecay: 0 },
  adam: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
  adamw: { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 },
  lion: { beta1: 0.9, beta2: 0.99, weightDecay: 0 },
};

/** The fields of an optimizer spec (each optimizer takes the hyper-parameters OPTIMIZER_DEFAULTS gives it). */
export const OPTIMIZER_KEYS = [
  'name',
  'learningRate',
  'momentum',
  'beta1',
  'beta2',
  'epsilon',
  'rho',
  'weightDecay',
  'lookahead',
  'schedule',
  'clipNorm',
] as const;
const HYPER_KEYS: readonly Hyper[] = ['momentum', 'beta1', 'beta2', 'epsilon', 'rho', 'weightDecay'];
const SCHEDULE_KEYS = ['type', 'warmupSteps', 'stepSize', 'gamma', 'totalSteps', 'minLearningRate'] as const;
const SCHEDULE_FIELDS: Record<ScheduleType, readonly string[]> = {
  constant: ['type', 'warmupSteps'],
  step: ['type', 'warmupSteps', 'stepSize', 'gamma'],
  cosine: ['type', 'warmupSteps', 'totalSteps', 'minLearningRate'],
};

const P = 'optimizer';

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Other libraries' words for an optimizer's fields (PyTorch's, Keras's), lower-case: said as "did you mean". */
export const OPTIMIZER_ALIASES: Readonly<Record<string, string>> = {
  lr: 'learningRate',
  eps: 'epsilon',
  wd: 'weightDecay',
  clipnorm: 'clipNorm',
  max_norm: 'clipNorm',
  warmup: 'warmupSteps',
  step_size: 'stepSize',
  t_max: 'totalSteps',
  eta_min: 'minLearningRate',
};

function checkKeys(obj: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      const near = nearField(key, known, OPTIMIZER_ALIASES);
      throw new ConfigError(
        `${path}.${key}`,
        `unknown field; ${near ? `did you mean "${near}"?; ` : ''}known fields: ${known.join(', ')}`,
      );
    }
  }
}

type Range = { min: number; max: number; minOpen?: boolean; maxOpen?: boolean; integer?: boolean };

function rangeText(r: Range): string {
  if (r.integer) return r.max === Infinity ? `an integer >= ${r.min}` : `an integer in [${r.min}, ${r.max}]`;
  if (r.max === Infinity) return `a finite number ${r.minOpen ? '>' : '>='} ${r.min}`;
  return `a number in ${r.minOpen ? '(' : '['}${r.min}, ${r.max}${r.maxOpen ? ')' : ']'}`;
}

function checkNumber(v: unknown, path: string, r: Range): number {
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (r.minOpen ? v > r.min : v >= r.min) &&
    (r.maxOpen ? v < r.max : v <= r.max) &&
    (!r.integer || Number.isInteger(v));
  if (!ok) throw new ConfigError(path, `must be ${rangeText(r)}, got ${show(v)}`);
  return v as number;
}

const UNIT_OPEN: Range = { min: 0, max: 1, maxOpen: true };
const HYPER_RANGES: Record<Hyper, Range> = {
  momentum: UNIT_OPEN,
  beta1: UNIT_OPEN,
  beta2: UNIT_OPEN,
  rho: UNIT_OPEN,
  epsilon: { min: 0, max: Infinity, minOpen: true },
  weightDecay: { min: 0, max: Infinity },
};

function validateSchedule(v: unknown, learningRate: number): ScheduleSpec {
  const path = `${P}.schedule`;
  if (v === undefined) return { type: 'constant', warmupSteps: 0 };
  if (!isRecord(v))
    throw new ConfigError(path, `must be an object like { type: 'cosine', totalSteps: 1000 }, got ${show(v)}`);
  checkKeys(v, SCHEDULE_KEYS, path);
  const type = v.type;
  if (typeof type !== 'string' || !(SCHEDULE_TYPES as readonly string[]).includes(type)) {
    throw new ConfigError(`${path}.type`, `unknown schedule ${show(type)}; known: ${SCHEDULE_TYPES.join(', ')}`);
  }
  const t = type as ScheduleType;
  for (const key of Object.keys(v)) {
    if (!SCHEDULE_FIELDS[t].includes(key)) {
      throw new ConfigError(
        `${path}.${key}`,
        `does not apply to the ${t} schedule (it takes ${SCHEDULE_FIELDS[t].join(', ')})`,
      );
    }
  }
  const warmupSteps =
    v.warmupSteps === undefined
      ? 0
      : checkNumber(v.warmupSteps, `${path}.warmupSteps`, { min: 0, max: Infinity, integer: true });
  if (t === 'constant') return { type: t, warmupSteps };
  if (t === 'step') {
    if (v.stepSize === undefined) throw new ConfigError(`${path}.stepSize`, 'is required for the step schedule');
    const stepSize = checkNumber(v.stepSize, `${path}.stepSize`, { min: 1, max: Infinity, integer: true });
    const gamma =
      v.gamma === undefined ? 0.1 : checkNumber(v.gamma, `${path}.gamma`, { min: 0, max: 1, minOpen: true });
    return { type: t, warmupSteps, stepSize, gamma };
  }
  if (v.totalSteps === undefined) throw new ConfigError(`${path}.totalSteps`, 'is required for the cosine schedule');
  const totalSteps = checkNumber(v.totalSteps, `${path}.totalSteps`, { min: 1, max: Infinity, integer: true });
  if (totalSteps <= warmupSteps) {
    throw new ConfigError(`${path}.totalSteps`, `must be greater than warmupSteps (${warmupSteps}), got ${totalSteps}`);
  }
  const minLearningRate =
    v.minLearningRate === undefined
      ? 0
      : checkNumber(v.minLearningRate, `${path}.minLearningRate`, { min: 0, max: learningRate });
  return { type: t, warmupSteps, totalSteps, minLearningRate };
}

function validateLookahead(v: unknown): LookaheadSpec | null {
  const path = `${P}.lookahead`;
  if (v === undefined || v === null) return null;
  if (!isRecord(v)) throw new ConfigError(path, `must be null or an object like { k: 5, alpha: 0.5 }, got ${show(v)}`);
  checkKeys(v, ['k', 'alpha'], path);
  const k = checkNumber(v.k, `${path}.k`, { min: 1, max: Infinity, integer: true });
  const alpha = checkNumber(v.alpha, `${path}.alpha`, { min: 0, max: 1, minOpen: true });
  return { k, alpha };
}

/**
 * Checks an untrusted optimizer configuration (from a config file, the UI or a share link) and
 * returns a fresh, complete copy with every default written out, so a run record states the
 * values actually used. Throws {@link ConfigError} naming the first bad field.
 */
export function validateOptimizerSpec(spec: unknown): OptimizerSpec {
  if (!isRecord(spec))
    throw new ConfigError(P, `must be an object like { name: 'adam', learningRate: 0.001 }, got ${show(spec)}`);
  checkKeys(spec, OPTIMIZER_KEYS, P);
  const name = spec.name;
  if (typeof name !== 'string' || !(OPTIMIZER_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError(
      `${P}.name`,
      `${name === undefined ? 'is missing' : `unknown optimizer ${show(name)}`}; known: ${OPTIMIZER_NAMES.join(', ')}`,
    );
  }
  const n = name as OptimizerName;
  if (spec.learningRate === undefined) throw new ConfigError(`${P}.learningRate`, 'is required');
  const learningRate = checkNumber(spec.learningRate, `${P}.learningRate`, { min: 0, max: Infinity });
  const out: OptimizerSpec = { name: n, learningRate };
  const defaults = OPTIMIZER_DEFAULTS[n];
  for (const key of HYPER_KEYS) {
    const dflt = defaults[key];
    if (dflt === undefined) {
      if (spec[key] !== undefined) {
        const users = OPTIMIZER_NAMES.filter((o) => OPTIMIZER_DEFAULTS[o][key] !== undefined);
        throw new ConfigError(`${P}.${key}`, `does not apply to ${n} (it applies to ${users.join(', ')})`);
      }
      continue;
    }
    out[key] = spec[key] === undefined ? dflt : checkNumber(spec[key], `${P}.${key}`, HYPER_RANGES[key]);
  }
  out.lookahead = validateLookahead(spec.lookahead);
  out.schedule = validateSchedule(spec.schedule, learningRate);
  out.clipNorm =
    spec.clipNorm === undefined || spec.clipNorm === null
      ? null
      : checkNumber(spec.clipNorm, `${P}.clipNorm`, { min: 0, max: Infinity, minOpen: true });
  return out;
}
