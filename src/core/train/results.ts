/**
 * Results of runs, grouped per configuration: runs that differ only in their seed form one
 * row, with the median over the repeats and its spread (min-max), time to a target loss and
 * the speed-up against a baseline row. Pure: the UI's table and the CSV/JSON export use it.
 */
import {
  median,
  type EpochRecord,
  type Environment,
  type DistillSetting,
  type PruningSetting,
  type RunConfig,
  type SparseLayerReport,
  type RunStatus,
  type RunSummary,
  type StartupTimes,
  type StepRecord,
} from './record';
import { dataWaitShare } from './step-series';

/** What a run contributes to the results (the store's RunView has this shape). */
export interface RunResultInput {
  id: string;
  config: RunConfig;
  environment: Environment | null;
  status: RunStatus;
  steps: readonly StepRecord[];
  epochs: readonly EpochRecord[];
  summary: RunSummary | null;
  /** A time budget in seconds, when the run had one (part of its configuration). */
  budgetSec?: number | null;
  /** Where a run from a share link was trained (its own row, apart from runs made here). */
  origin?: string | null;
}

/** Median and spread of one measure over a configuration's runs; nulls when no run has it. */
export interface Stat {
  median: number | null;
  min: number | null;
  max: number | null;
  /** Runs that had a value. */
  n: number;
}

export interface ResultRow {
  key: string;
  /** What sets this configuration apart from the other rows (all of it when alone). */
  label: string;
  /** The whole configuration in words. */
  fullLabel: string;
  config: RunConfig;
  runIds: string[];
  seeds: number[];
  /** End-to-end samples/s (see runSamplesPerSec): ranks rows and gives the throughput speed-up. */
  samplesPerSec: Stat;
  /** Steady-state samples/s (median over read-back windows). */
  steadySamplesPerSec: Stat;
  /** Seconds to reach the target loss, over the runs that reached it. */
  timeToTarget: Stat;
  /** Mean training loss over the last steps, a measure of how far a run got. */
  lossReached: Stat;
  finalVal: Stat;
  /** What finalVal measures: validation accuracy (classification) or validation loss. */
  valKind: 'accuracy' | 'loss' | null;
  /** Regression: the final validation RMSE in the label's units (n 0 for classification). */
  finalRmse: Stat;
  /** fp16-mixed runs: the dynamic loss scale at the end (n 0 for fp32 runs). */
  lossScale: Stat;
  /** fp16-mixed runs: steps skipped for a gradient that overflowed (n 0 for fp32 runs). */
  skippedSteps: Stat;
  /** Pruned runs: the share of zero kernel weights at the end (n 0 for dense runs). */
  sparsity: Stat;
  /** Pruned runs: parameters that are not zero at the end. */
  nonZeroParameters: Stat;
  /**
   * Pruned rows: the change of the final validation metric against the same configuration
   * without pruning, when that row is in the results: the median over the seeds both have of
   * (pruned - dense), `seeds` how many. Null otherwise.
   */
  againstDense: TwinChange | null;
  /**
   * Distilled rows: the same against the configuration trained without a teacher (distilled -
   * alone), when that row is in the results. Null otherwise.
   */
  againstAlone: TwinChange | null;
  /** Pruned wgsl runs: the first run's per-layer sparse-kernel decisions (null when none). */
  sparseLayers: SparseLayerReport[] | null;
  /** The model's trainable parameters and forward FLOPs per sample (null for runs recorded without them). */
  model: { parameters: number; flopsPerSample: number } | null;
  /** Bytes one full training batch put on the device (null for runs recorded without it). */
  batchBytes: number | null;
  /** Share of the step time spent waiting for data, once running (step-series.ts). */
  dataWait: Stat;
  environment: string;
  environments: Environment[];
}

/** The change of the final validation metric against a twin configuration: median over common seeds, and how many. */
export interface TwinChange {
  change: number | null;
  seeds: number;
}

/** Steps averaged for the smoothed loss (time to target, loss reached). */
export const LOSS_WINDOW = 10;

/** Statuses whose runs count in the results (a running run counts with what it has so far). */
const COUNTED: readonly RunStatus[] = ['running', 'paused', 'done', 'stopped'];

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * A key that is equal for two runs exactly when they differ at most in their seed (and were
 * trained in the same place: a run opened from a share link has its `origin`). The engine
 * enters only when it is not `tfjs`, so runs recorded before there was a choice (no `engine`)
 * keep their key and group with tfjs runs made now.
 */
export function configKey(config: RunConfig, budgetSec: number | null = null, origin: string | null = null): string {
  const { seed: _seed, data, engine, ...rest } = config;
  const { split, ...dataRest } = data;
  const { seed: _splitSeed, ...splitRest } = split;
  return stableJson({
    ...rest,
    ...(engine && engine !== 'tfjs' ? { engine } : {}),
    data: { ...dataRest, split: splitRest },
    budgetSec,
    ...(origin ? { origin } : {}),
  });
}

/** The parts of a configuration in words, in a fixed order. */
export function describeConfig(
  config: RunConfig,
  budgetSec: number | null = null,
  origin: string | null = null,
): [string, string][] {
  const m = config.model;
  const widths = m.hidden.length ? m.hidden.join('x') : 'linear';
  const model =
    m.type === 'mlp'
      ? `MLP ${widths} ${m.activation}`
      : m.type === 'cnn'
        ? `CNN ${m.filters.join('-')}${m.groups?.some((g) => g > 1) ? ` groups ${m.groups.join('-')}` : ''}` +
          `${m.hidden.length ? ` + ${widths}` : ''} ${m.activation}`
        : `DS-CNN ${m.stem}/${m.blocks.map((b) => b.filters).join('-')} ${m.activation}`;
  const o = config.optimizer;
  const sched = o.schedule && o.schedule.type !== 'constant' ? `${o.schedule.type}` : '';
  const warm = o.schedule?.warmupSteps ? `warm-up ${o.schedule.warmupSteps}` : '';
  const hyper = (['momentum', 'beta1', 'beta2', 'rho', 'weightDecay'] as const)
    .filter((k) => o[k] !== undefined)
    .map((k) => `${k} ${o[k]}`)
    .join(' ');
  return [
    ['model', model],
    ['optimizer', o.name],
    ['lr', `lr ${o.learningRate}`],
    ['hyper', hyper],
    ['schedule', [sched, warm].filter(Boolean).join(' ')],
    ['clip', o.clipNorm ? `clip ${o.clipNorm}` : ''],
    ['batch', `batch ${config.batchSize}`],
    ['length', budgetSec ? `${budgetSec} s` : `${config.epochs} ep`],
    ['engine', (config.engine ?? 'tfjs') === 'tfjs' ? '' : config.engine],
    ['precision', config.precision === 'fp32' ? '' : config.precision],
    ['backend', config.backend],
    ['dedup', config.data.dedup === 'none' ? '' : `dedup ${config.data.dedup}`],
    ['stream', config.data.stream ? 'streamed' : ''],
    ['prefetch', `prefetch ${config.prefetch}`],
    ['prepareOn', config.prepareOn === 'gpu' ? 'prepared on gpu' : ''],
    ['augment', config.augment ? `augment crop ${config.augment.pad}${config.augment.flip ? ' + flip' : ''}` : ''],
    ['pruning', config.pruning ? pruningLabel(config.pruning) : ''],
    ['distill', config.distill ? distillLabel(config.distill) : ''],
    [
      'data',
      `${config.data.name}${config.data.where ? ` where ${config.data.where}` : ''} → ${config.data.label}` +
        (config.data.task ? ` (${config.data.task})` : ''),
    ],
    ['from', origin ? `shared: ${origin}` : ''],
  ];
}

/** The whole configuration in one line (empty parts left out). */
export function configLabel(config: RunConfig, budgetSec: number | null = null, origin: string | null = null): string {
  return describeConfig(config, budgetSec, origin)
    .map(([, v]) => v)
    .filter(Boolean)
    .join(' · ');
}

/** What an empty part of {@link describeConfig} stands for when it differs between rows. */
export const EMPTY_PART: Readonly<Record<string, string>> = {
  from: 'here',
  stream: 'loaded whole',
  engine: 'tfjs',
  precision: 'fp32',
  prepareOn: 'prepared on worker',
  augment: 'no augmentation',
  pruning: 'dense',
  distill: 'no teacher',
};

/** `distilled from run-ab12 (T 4, α 0.5)`: a record path shows its file name. */
export function distillLabel(d: DistillSetting): string {
  const teacher = d.teacher.split(/[\\/]/).pop() || d.teacher;
  return `distilled from ${teacher} (T ${d.temperature}, α ${d.alpha})`;
}

/** `pruned 90% (steps 100-1000, every 50)`. */
export function pruningLabel(p: PruningSetting): string {
  return `pruned ${+(p.targetSparsity * 100).toFixed(1)}% (steps ${p.startStep}-${p.endStep}, every ${p.every})`;
}

/**
 * Per configuration, only the parts that differ between them; the whole line when alone or
 * all equal. A part left empty for its usual value shows that value (`tfjs`, `fp32`) when it
 * differs, `default` when it has no name.
 */
export function distinguishingLabels(
  configs: { config: RunConfig; budgetSec: number | null; origin?: string | null }[],
): string[] {
  const parts = configs.map((c) => describeConfig(c.config, c.budgetSec, c.origin ?? null));
  if (parts.length < 2) return configs.map((c) => configLabel(c.config, c.budgetSec, c.origin ?? null));
  const differs = parts[0].map((_, i) => parts.some((p) => p[i][1] !== parts[0][i][1]));
  return parts.map((p, j) => {
    const text = p
      .filter((_, i) => differs[i])
      .map(([name, v]) => v || (EMPTY_PART[name] ?? 'default'))
      .join(' · ');
    return text || configLabel(configs[j].config, configs[j].budgetSec, configs[j].origin ?? null);
  });
}

/** Trailing mean of the loss over `window` steps (fewer at the start). */
export function smoothedLoss(steps: readonly StepRecord[], window = LOSS_WINDOW): number[] {
  const out = new Array<number>(steps.length);
  let sum = 0;
  for (let i = 0; i < steps.length; i++) {
    sum += steps[i].loss;
    if (i >= window) sum -= steps[i - window].loss;
    out[i] = sum / Math.min(i + 1, window);
  }
  return out;
}

/**
 * Seconds from the start of a run until its smoothed loss (trailing mean over
 * {@link LOSS_WINDOW} steps) first reaches `target` or less; null when it never does.
 */
export function timeToTarget(steps: readonly StepRecord[], target: number | null, window = LOSS_WINDOW): number | null {
  if (target === null || !Number.isFinite(target)) return null;
  const s = smoothedLoss(steps, window);
  for (let i = 0; i < s.length; i++) if (s[i] <= target) return steps[i].time;
  return null;
}

/** Mean loss of the last {@link LOSS_WINDOW} steps, or null without steps. */
export function lossReached(steps: readonly StepRecord[], window = LOSS_WINDOW): number | null {
  if (steps.length === 0) return null;
  const tail = steps.slice(-window);
  return tail.reduce((a, s) => a + s.loss, 0) / tail.length;
}

/**
 * Samples per second of a run, end to end (training samples over the run's whole wall time, see
 * RunSummary.samplesPerSec) once it has finished; before that, and for runs recorded before the
 * figure existed, the steady-state median.
 */
export function runSamplesPerSec(r: Pick<RunResultInput, 'summary' | 'steps'>): number | null {
  const end = r.summary?.samplesPerSec;
  if (end !== undefined && Number.isFinite(end)) return end;
  return runSteadySamplesPerSec(r);
}

/** The steady-state rate: the median over read-back windows (the trainer's when finished, else so far). */
export function runSteadySamplesPerSec(r: Pick<RunResultInput, 'summary' | 'steps'>): number | null {
  const v = r.summary ? r.summary.medianSamplesPerSec : median(r.steps.map((s) => s.samplesPerSec));
  return Number.isFinite(v) ? v : null;
}

/** The final validation metric of a run (accuracy for classification, else loss), or null. */
export function runFinalVal(r: Pick<RunResultInput, 'summary' | 'epochs'>): {
  value: number | null;
  kind: 'accuracy' | 'loss' | null;
} {
  const last = r.epochs[r.epochs.length - 1];
  const kind = last ? (last.valAccuracy !== null ? 'accuracy' : last.valLoss !== null ? 'loss' : null) : null;
  const value = r.summary?.finalValMetric ?? (last ? (last.valAccuracy ?? last.valLoss) : null);
  return { value: value ?? null, kind: value === null || value === undefined ? null : (kind ?? 'accuracy') };
}

/** Median and min-max of the finite values. */
export function stat(values: readonly (number | null)[]): Stat {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length === 0) return { median: null, min: null, max: null, n: 0 };
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/** A short description of where a run ran: backend, adapter, f16 path. */
export function environmentLabel(env: Environment | null): string {
  if (!env) return '–';
  const adapter = env.adapter
    ? ` · ${[env.adapter.vendor, env.adapter.architecture].filter((x) => x && x !== 'unknown').join(' ') || 'unknown adapter'}`
    : '';
  return `${env.backend}${adapter}${env.f16Path !== 'none' ? ` · f16 ${env.f16Path}` : ''}`;
}

/**
 * One row per configuration, in order of first appearance. Runs that are queued or failed
 * (without steps) are left out; a running run counts with what it has so far.
 */
export function groupResults(runs: readonly RunResultInput[], targetLoss: number | null): ResultRow[] {
  const groups = new Map<string, RunResultInput[]>();
  for (const r of runs) {
    if (!COUNTED.includes(r.status) && !(r.status === 'failed' && r.steps.length > 0)) continue;
    if (r.steps.length === 0 && !r.summary) continue;
    const key = configKey(r.config, r.budgetSec ?? null, r.origin ?? null);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const entries = [...groups.entries()];
  // Pruned (distilled) runs against the same configuration without pruning (a teacher), seed by seed.
  const againstTwin = (g: RunResultInput[], technique: 'pruning' | 'distill'): TwinChange | null => {
    const { [technique]: setting, ...plain } = g[0].config;
    if (!setting) return null;
    const twin = groups.get(configKey(plain, g[0].budgetSec ?? null, g[0].origin ?? null));
    if (!twin) return null;
    const bySeed = new Map(twin.map((r) => [r.config.seed, runFinalVal(r).value]));
    const changes: number[] = [];
    for (const r of g) {
      const a = runFinalVal(r).value;
      const b = bySeed.get(r.config.seed);
      if (a !== null && b !== null && b !== undefined) changes.push(a - b);
    }
    return { change: changes.length ? median(changes) : null, seeds: changes.length };
  };
  const labels = distinguishingLabels(
    entries.map(([, g]) => ({ config: g[0].config, budgetSec: g[0].budgetSec ?? null, origin: g[0].origin ?? null })),
  );
  return entries.map(([key, g], i) => {
    const vals = g.map(runFinalVal);
    const envs = g.map((r) => r.environment).filter((e): e is Environment => e !== null);
    const envLabels = [...new Set(envs.map(environmentLabel))];
    return {
      key,
      label: labels[i],
      fullLabel: configLabel(g[0].config, g[0].budgetSec ?? null, g[0].origin ?? null),
      config: g[0].config,
      runIds: g.map((r) => r.id),
      seeds: g.map((r) => r.config.seed),
      samplesPerSec: stat(g.map(runSamplesPerSec)),
      steadySamplesPerSec: stat(g.map(runSteadySamplesPerSec)),
      timeToTarget: stat(g.map((r) => timeToTarget(r.steps, targetLoss))),
      lossReached: stat(g.map((r) => lossReached(r.steps))),
      finalVal: stat(vals.map((v) => v.value)),
      valKind: vals.find((v) => v.kind)?.kind ?? null,
      finalRmse: stat(g.map((r) => r.epochs[r.epochs.length - 1]?.valRmse ?? null)),
      lossScale: stat(g.map((r) => r.summary?.lossScale ?? null)),
      skippedSteps: stat(g.map((r) => r.summary?.skippedSteps ?? null)),
      sparsity: stat(g.map((r) => r.summary?.sparsity ?? null)),
      nonZeroParameters: stat(g.map((r) => r.summary?.nonZeroParameters ?? null)),
      againstDense: againstTwin(g, 'pruning'),
      againstAlone: againstTwin(g, 'distill'),
      sparseLayers: g.find((r) => r.summary?.sparseLayers?.length)?.summary?.sparseLayers ?? null,
      model: g.find((r) => r.summary?.model)?.summary?.model ?? null,
      batchBytes: g.find((r) => r.summary?.batchBytes)?.summary?.batchBytes ?? null,
      dataWait: stat(g.map((r) => dataWaitShare(r.steps, 10))),
      environment: envLabels.join(' | ') || '–',
      environments: envs,
    };
  });
}

export type SpeedUpBy = 'throughput' | 'timeToTarget';

/**
 * How many times faster `row` is than `baseline`: the ratio of median samples/s, or the
 * inverse ratio of median time to target. Null when either side lacks the measure.
 */
export function speedUp(row: ResultRow, baseline: ResultRow, by: SpeedUpBy = 'throughput'): number | null {
  if (by === 'throughput') {
    const a = row.samplesPerSec.median;
    const b = baseline.samplesPerSec.median;
    return a !== null && b !== null && b > 0 ? a / b : null;
  }
  const a = row.timeToTarget.median;
  const b = baseline.timeToTarget.median;
  return a !== null && b !== null && a > 0 ? b / a : null;
}

export type SortColumn = 'config' | 'samplesPerSec' | 'timeToTarget' | 'finalVal' | 'speedUp' | 'environment' | 'runs';

/**
 * Rows sorted by a column; rows without a value go last in either direction, ties keep their
 * order. `speedUp` sorts by the measure the speed-up is taken on.
 */
export function sortRows(
  rows: readonly ResultRow[],
  column: SortColumn,
  dir: 'asc' | 'desc',
  by: SpeedUpBy = 'throughput',
): ResultRow[] {
  const value = (r: ResultRow): number | string | null => {
    switch (column) {
      case 'config':
        return r.label;
      case 'environment':
        return r.environment;
      case 'runs':
        return r.runIds.length;
      case 'samplesPerSec':
        return r.samplesPerSec.median;
      case 'timeToTarget':
        return r.timeToTarget.median;
      case 'finalVal':
        return r.finalVal.median;
      case 'speedUp':
        return by === 'throughput'
          ? r.samplesPerSec.median
          : r.timeToTarget.median === null
            ? null
            : -r.timeToTarget.median;
    }
  };
  const sign = dir === 'asc' ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i, v: value(r) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === null && b.v === null ? a.i - b.i : a.v === null ? 1 : -1;
      const c = typeof a.v === 'string' ? a.v.localeCompare(b.v as string) : a.v - (b.v as number);
      return c === 0 ? a.i - b.i : sign * c;
    })
    .map((x) => x.r);
}

/** A run's start-up, phase by phase, and which figures count it (run status, CLI). */
export function startupText(s: StartupTimes): string {
  const total = s.backendSec + s.dataSec + s.modelSec + s.firstStepSec;
  const f = (x: number) => x.toFixed(2);
  return (
    `start-up ${f(total)} s: backend ${f(s.backendSec)} · data ${f(s.dataSec)} · ` +
    (`model ${f(s.modelSec)} · first step (shader compilation) ${f(s.firstStepSec)}; not counted in a time ` +
      `budget or the steady-state rate, the model and first step are in the end-to-end rate`)
  );
}

/**
 * An epoch's validation in words: `val loss 0.2223, val RMSE 3.761` (regression: the RMSE in the
 * label's units), `val loss 0.4012, val accuracy 84.1 %`. The Run panel passes no prefix and ` · `.
 */
/**
 * A loss as the run lines print it: 4 decimals in the usual range (`0.5114`), 4 significant digits
 * far outside it, where 4 decimals would print 22 digits (`7.329e+28` for a diverging rate) or
 * none (`1.250e-7`, not `0.0000`).
 */
export function lossText(x: number): string {
  const a = Math.abs(x);
  return a === 0 || !Number.isFinite(x) || (a >= 1e-3 && a < 1e5) ? x.toFixed(4) : x.toExponential(3);
}

export function validationText(
  e: Pick<EpochRecord, 'valLoss' | 'valAccuracy' | 'valRmse'>,
  prefix = 'val ',
  sep = ', ',
): string {
  return [
    `loss ${e.valLoss == null ? '-' : lossText(e.valLoss)}`,
    ...(e.valAccuracy !== null ? [`accuracy ${(100 * e.valAccuracy).toFixed(1)} %`] : []),
    ...(e.valRmse != null ? [`RMSE ${e.valRmse.toPrecision(4)}`] : []),
  ]
    .map((t) => prefix + t)
    .join(sep);
}
