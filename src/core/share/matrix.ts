/**
 * A configuration matrix: several values for a few settings, expanded into one run per
 * combination and seed. Pure: the UI builds the axes, the queue runs what this returns.
 */
import type { BackendName, EngineName, Environment, Precision } from '../train/record';
import { checkEngineSupports, type RunSettings } from '../train/run-config';
import { ConfigError } from '../train/errors';
import { OPTIMIZER_DEFAULTS, type OptimizerName, type OptimizerSpec } from '../train/optimizer-spec';

export type DedupMode = 'none' | 'exact' | 'bloom';

/** The settings that may take several values; an absent or empty axis keeps the base value. */
export interface MatrixAxes {
  optimizer?: OptimizerName[];
  learningRate?: number[];
  batchSize?: number[];
  backend?: BackendName[];
  engine?: EngineName[];
  precision?: Precision[];
  dedup?: DedupMode[];
}

/** Axis order of the expansion (the last varies fastest), and of the labels. */
export const AXIS_ORDER = [
  'optimizer',
  'learningRate',
  'batchSize',
  'backend',
  'engine',
  'precision',
  'dedup',
] as const;

const HYPER_KEYS = ['momentum', 'beta1', 'beta2', 'epsilon', 'rho', 'weightDecay'] as const;

/**
 * The optimizer spec for `name`, keeping the hyper-parameters of `spec` that apply to it and
 * dropping the rest (the validator refuses fields that do not apply).
 */
export function optimizerFor(spec: OptimizerSpec, name: OptimizerName): OptimizerSpec {
  const out: OptimizerSpec = { ...spec, name };
  for (const key of HYPER_KEYS) {
    if (OPTIMIZER_DEFAULTS[name][key] === undefined) delete out[key];
  }
  return out;
}

function unique<T>(xs: readonly T[] | undefined): T[] {
  return xs ? [...new Set(xs)] : [];
}

/** An engine × precision pair the matrix leaves out, the field checkEngineSupports refused, and why in a few words. */
export interface LeftOutCombo {
  engine: EngineName;
  precision: Precision;
  field: string;
  /** Short form: `tfjs × fp16-mixed` or `wgsl × cnn`. */
  what: string;
  why: string;
}

/**
 * The engine × precision pairs of the axes (the base's values where an axis is empty), split
 * into those the engine honours for the base's model and those left out, as
 * {@link checkEngineSupports} decides.
 */
export function engineCombos(
  base: Pick<RunSettings, 'model' | 'engine' | 'precision' | 'prepareOn'>,
  axes: MatrixAxes,
): { kept: [EngineName, Precision][]; leftOut: LeftOutCombo[] } {
  const engines = unique(axes.engine).length ? unique(axes.engine) : [base.engine ?? 'tfjs'];
  const precisions = unique(axes.precision).length ? unique(axes.precision) : [base.precision ?? 'fp32'];
  const kept: [EngineName, Precision][] = [];
  const leftOut: LeftOutCombo[] = [];
  for (const engine of engines) {
    for (const precision of precisions) {
      try {
        checkEngineSupports(engine, precision, base.prepareOn);
        kept.push([engine, precision]);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        leftOut.push({
          engine,
          precision,
          field: e.field,
          what: e.field === 'prepareOn' ? `${engine} × prepare on gpu` : `${engine} × ${precision}`,
          why:
            e.field === 'precision'
              ? `${precision} runs on the wgsl engine`
              : e.field === 'prepareOn'
                ? 'the wgsl engine prepares batches on the GPU'
                : e.message,
        });
      }
    }
  }
  return { kept, leftOut };
}

/**
 * The left-out combinations in one short line ("tfjs × fp16-mixed left out: fp16-mixed runs
 * on the wgsl engine"), or null when none is.
 */
export function leftOutNote(leftOut: readonly LeftOutCombo[]): string | null {
  const byWhy = new Map<string, Set<string>>();
  for (const c of leftOut) byWhy.set(c.why, (byWhy.get(c.why) ?? new Set()).add(c.what));
  const parts = [...byWhy].map(([why, whats]) => `${[...whats].join(', ')} left out: ${why}`);
  return parts.length ? parts.join('; ') : null;
}

/**
 * The form's warning when the matrix holds wgsl runs and the trainer found no WebGPU for the
 * engine (its start-up environment's f16 path is `none` exactly then): each such run would be
 * refused (see the trainer service), so the form says so before they are queued. Null while the
 * backend has not started (nothing is known yet) or when nothing asks for wgsl.
 */
export function wgslUnavailableNote(
  env: Pick<Environment, 'f16Path' | 'backend'> | null,
  engines: readonly EngineName[],
): string | null {
  if (!env || env.f16Path !== 'none' || !engines.includes('wgsl')) return null;
  return `wgsl: no WebGPU for the engine here, so its runs will be refused; the tfjs engine trains on ${env.backend}`;
}

/**
 * Every combination of the axes, each repeated over `repeats` seeds (base.seed, base.seed + 1,
 * ...): combinations in {@link AXIS_ORDER} with the last axis varying fastest, seeds innermost.
 * Duplicate values on an axis count once. Engine × precision pairs the engine cannot honour
 * for the model ({@link engineCombos}) are left out, so the result may be empty.
 */
export function expandMatrix(base: RunSettings, axes: MatrixAxes, repeats: number): RunSettings[] {
  if (!Number.isInteger(repeats) || repeats < 1)
    throw new ConfigError('repeats', `repeats must be a whole number >= 1, got ${repeats}`);
  let combos: RunSettings[] = [base];
  const vary = <K extends keyof MatrixAxes>(
    key: K,
    apply: (s: RunSettings, v: NonNullable<MatrixAxes[K]>[number]) => RunSettings,
  ) => {
    const values = unique(axes[key] as NonNullable<MatrixAxes[K]>[number][] | undefined);
    if (values.length === 0) return;
    combos = combos.flatMap((s) => values.map((v) => apply(s, v)));
  };
  vary('optimizer', (s, v) => ({ ...s, optimizer: optimizerFor(s.optimizer, v) }));
  vary('learningRate', (s, v) => ({ ...s, optimizer: { ...s.optimizer, learningRate: v } }));
  vary('batchSize', (s, v) => ({ ...s, batchSize: v }));
  vary('backend', (s, v) => ({ ...s, backend: v }));
  vary('engine', (s, v) => ({ ...s, engine: v }));
  vary('precision', (s, v) => ({ ...s, precision: v }));
  vary('dedup', (s, v) => ({ ...s, dedup: v }));
  const { leftOut } = engineCombos(base, axes);
  const refused = new Set(leftOut.map((c) => `${c.engine}|${c.precision}`));
  if (refused.size) combos = combos.filter((s) => !refused.has(`${s.engine ?? 'tfjs'}|${s.precision ?? 'fp32'}`));
  return combos.flatMap((s) => Array.from({ length: repeats }, (_, k) => ({ ...s, seed: s.seed + k })));
}

/**
 * Number of runs {@link expandMatrix} makes, without making them. With `base`, engine ×
 * precision pairs its model cannot have are not counted.
 */
export function matrixSize(
  axes: MatrixAxes,
  repeats: number,
  base?: Pick<RunSettings, 'model' | 'engine' | 'precision'>,
): number {
  const pairs = base
    ? engineCombos(base, axes).kept.length
    : Math.max(1, unique(axes.engine).length) * Math.max(1, unique(axes.precision).length);
  return (
    AXIS_ORDER.filter((k) => k !== 'engine' && k !== 'precision').reduce(
      (n, k) => n * Math.max(1, unique(axes[k] as unknown[] | undefined).length),
      1,
    ) *
    pairs *
    repeats
  );
}

/**
 * Parses a comma- or space-separated list of numbers ("16, 64 256"). Returns the numbers, or
 * an error naming the first entry that is not a finite number.
 */
export function parseNumberList(text: string): { values: number[] } | { error: string } {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return { error: 'needs at least one number' };
  const values: number[] = [];
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isFinite(v)) return { error: `"${p}" is not a number` };
    values.push(v);
  }
  return { values };
}

/** A time-to-finish estimate for a cosine schedule: the total steps of `epochs` epochs. */
export function stepsFor(trainRows: number, batchSize: number, epochs: number): number {
  return Math.max(1, Math.ceil(trainRows / batchSize)) * epochs;
}
