/**
 * A sweep as ask / tell: the driver proposes trials (a configuration's parameters and a budget in
 * steps), the caller trains each and reports its objective, and the driver decides what comes
 * next. Schedulers: `none` (every trial at the full budget), `halving` (one bracket of
 * successive halving over `trials` configurations) and `hyperband` (Li et al. 2018: the brackets
 * of hyperband.ts, each successive halving from its own starting budget). The trainer keeps no
 * checkpoints, so a configuration promoted to a larger budget trains again from scratch with
 * the same seed (its shorter run is the start of the longer one). The sampler (random or TPE)
 * learns from each configuration's result at the largest budget it reached.
 */
import { ConfigError, refuseUnknownKeys, shown } from '../errors';
import { hyperbandPlan, type Bracket } from './hyperband';
import { RandomSampler, TpeSampler, type Observation, type Sampler } from './samplers';
import { decode, validateSpace, type Params, type SearchSpace } from './space';

export type SweepObjective = 'valLoss' | 'valMetric' | 'timeToTarget' | 'samplesPerSec';
export const SWEEP_OBJECTIVES: readonly SweepObjective[] = ['valLoss', 'valMetric', 'timeToTarget', 'samplesPerSec'];
/** What a second objective may be: another objective, or a model's size (architecture search). */
export type SecondObjective = SweepObjective | 'parameters' | 'flopsPerSample';
export const SECOND_OBJECTIVES: readonly SecondObjective[] = [...SWEEP_OBJECTIVES, 'parameters', 'flopsPerSample'];

export interface SweepSpec {
  sampler: 'random' | 'tpe';
  scheduler: 'none' | 'halving' | 'hyperband';
  /** Configurations to try (none, halving); Hyperband's plan sets its own count. */
  trials: number;
  /**
   * What the sweep optimises; with two (`[first, second]`), the scheduler follows the first, TPE
   * both (the Pareto ranking of MOTPE), and the result lists the Pareto front of both.
   */
  objective: SweepObjective | [SweepObjective, SecondObjective];
  space: SearchSpace;
  /** Steps of the longest trial (R). */
  maxBudget: number;
  /** Halving rate (halving, hyperband), default 3. */
  eta?: number;
  /** Seed of the sampler (default 1). */
  seed?: number;
  /**
   * Seconds of trials after which no new trial starts (the trial running then finishes), or null
   * for none (default). The driver does not see time: the caller (CLI, workbench) checks it.
   */
  timeBudgetSec?: number | null;
}

export interface TrialRecord {
  /** Index of the trial (one training run). */
  trial: number;
  /** Index of the configuration: a promoted configuration keeps its index over its trials. */
  config: number;
  params: Params;
  budget: number;
  /** The objective as reported (null: the run failed or did not reach the target). */
  objective: number | null;
  /** True when a scheduler stopped this configuration at this budget (not promoted). */
  stoppedEarly: boolean;
}

/** The keys a sweep spec takes. */
const SWEEP_KEYS: readonly string[] = [
  'sampler',
  'scheduler',
  'trials',
  'objective',
  'space',
  'maxBudget',
  'eta',
  'seed',
  'timeBudgetSec',
];

const isCount = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** Checks a sweep spec; throws a ConfigError naming the field. */
export function validateSweep(raw: unknown): Required<SweepSpec> {
  if (typeof raw !== 'object' || raw === null) throw new ConfigError('sweep', 'must be an object');
  // A key the sweep would not read is refused, not dropped (a typo such as "trails").
  refuseUnknownKeys(raw as Record<string, unknown>, SWEEP_KEYS, 'sweep', 'a sweep setting');
  // Left out, the sampler is TPE (Optuna's default), no scheduler, and the validation loss the objective.
  const s = { ...(raw as Partial<SweepSpec>) };
  if (s.sampler === undefined) s.sampler = 'tpe';
  if (s.scheduler === undefined) s.scheduler = 'none';
  if (s.objective === undefined) s.objective = 'valLoss';
  if (s.sampler !== 'random' && s.sampler !== 'tpe')
    throw new ConfigError('sweep.sampler', `must be random or tpe, got ${shown(s.sampler)}`);
  if (s.scheduler !== 'none' && s.scheduler !== 'halving' && s.scheduler !== 'hyperband')
    throw new ConfigError('sweep.scheduler', `must be none, halving or hyperband, got ${shown(s.scheduler)}`);
  const objectives: unknown[] = Array.isArray(s.objective) ? s.objective : [s.objective];
  if (objectives.length < 1 || objectives.length > 2)
    throw new ConfigError('sweep.objective', `takes one objective or two, got ${objectives.length}`);
  if (!SWEEP_OBJECTIVES.includes(objectives[0] as SweepObjective))
    throw new ConfigError(
      Array.isArray(s.objective) ? 'sweep.objective[0]' : 'sweep.objective',
      `must be one of ${SWEEP_OBJECTIVES.join(', ')}, got ${shown(objectives[0])}`,
    );
  if (objectives.length === 2 && !SECOND_OBJECTIVES.includes(objectives[1] as SecondObjective))
    throw new ConfigError(
      'sweep.objective[1]',
      `must be one of ${SECOND_OBJECTIVES.join(', ')}, got ${shown(objectives[1])}`,
    );
  if (objectives.length === 2 && objectives[0] === objectives[1])
    throw new ConfigError('sweep.objective', `names ${String(objectives[0])} twice`);
  if (!isCount(s.maxBudget, 1))
    throw new ConfigError(
      'sweep.maxBudget',
      `must be a whole number of steps of at least 1, got ${shown(s.maxBudget)}`,
    );
  const eta = s.eta ?? 3;
  if (!isCount(eta, 2))
    throw new ConfigError('sweep.eta', `must be a whole number of at least 2, got ${JSON.stringify(eta)}`);
  const trials = s.trials ?? 0;
  if (s.scheduler !== 'hyperband' && !(isCount(trials, 1) && trials <= 1000))
    throw new ConfigError('sweep.trials', `must be a whole number from 1 to 1000, got ${shown(s.trials)}`);
  if (
    s.scheduler === 'halving' &&
    s.maxBudget! / eta ** Math.max(0, Math.ceil(Math.log(trials) / Math.log(eta)) - 1) < 1
  )
    throw new ConfigError(
      'sweep.maxBudget',
      `${s.maxBudget} steps cannot be halved ${trials} configurations deep at eta ${eta}: the first rung would get under one step`,
    );
  const seed = s.seed ?? 1;
  if (!isCount(seed, 0)) throw new ConfigError('sweep.seed', `must be a whole number, got ${JSON.stringify(seed)}`);
  const budget = s.timeBudgetSec ?? null;
  if (budget !== null && !(typeof budget === 'number' && budget > 0 && budget <= 1e7))
    throw new ConfigError(
      'sweep.timeBudgetSec',
      `must be a number of seconds above 0 (at most 10000000), or null, got ${JSON.stringify(budget)}`,
    );
  return {
    sampler: s.sampler,
    scheduler: s.scheduler,
    trials,
    objective: s.objective as SweepSpec['objective'],
    space: validateSpace(s.space),
    maxBudget: s.maxBudget!,
    eta,
    seed,
    timeBudgetSec: budget,
  };
}

interface Pending {
  config: number;
  budget: number;
}

export class SweepDriver {
  readonly spec: Required<SweepSpec>;
  private readonly sampler: Sampler;
  private readonly brackets: Bracket[];
  private readonly points: number[][] = [];
  private readonly records: TrialRecord[] = [];
  /** Each configuration's objective (and second objective) at the largest budget it reached. */
  private readonly latest = new Map<number, { budget: number; value: number | null; second: number | null }>();
  private bracket = 0;
  private round = 0;
  /** Configurations of the current round still to hand out, and those handed out and not reported. */
  private queue: Pending[] = [];
  private outstanding = new Map<number, Pending>();
  private roundConfigs: number[] = [];

  /**
   * `minimise`: the objective as given is minimised; false maximises it (valMetric of a
   * classification, samplesPerSec). `minimiseSecond` likewise for a second objective: with two,
   * TPE proposes from the Pareto ranking of both (MOTPE) once trials report their second.
   */
  constructor(
    spec: SweepSpec,
    private readonly minimise = true,
    private readonly minimiseSecond = true,
  ) {
    this.spec = validateSweep(spec);
    this.sampler =
      this.spec.sampler === 'tpe'
        ? new TpeSampler(this.spec.space, this.spec.seed)
        : new RandomSampler(this.spec.space, this.spec.seed);
    const { scheduler, maxBudget, eta, trials } = this.spec;
    if (scheduler === 'hyperband') this.brackets = hyperbandPlan(maxBudget, eta);
    else if (scheduler === 'none') this.brackets = [{ s: 0, rounds: [{ configs: trials, budget: maxBudget }] }];
    else {
      // One bracket: `trials` configurations, kept 1/eta per rung, ending at maxBudget.
      const rounds: Bracket['rounds'] = [];
      for (let n = trials; ; n = Math.max(1, Math.floor(n / eta))) {
        rounds.push({ configs: n, budget: 0 });
        if (n === 1) break;
      }
      rounds.forEach((r, i) => (r.budget = maxBudget / eta ** (rounds.length - 1 - i)));
      this.brackets = [{ s: rounds.length - 1, rounds }];
    }
    this.startRound();
  }

  /** The planned brackets (rounds of configurations and budgets). */
  plan(): Bracket[] {
    return this.brackets;
  }

  private observations(): Observation[] {
    const out: Observation[] = [];
    for (const [config, r] of this.latest)
      if (r.value !== null)
        out.push({
          point: this.points[config],
          value: this.minimise ? r.value : -r.value,
          ...(r.second !== null ? { second: this.minimiseSecond ? r.second : -r.second } : {}),
        });
    return out;
  }

  private startRound(): void {
    const b = this.brackets[this.bracket];
    if (!b) return;
    const { configs, budget } = b.rounds[this.round];
    const steps = Math.max(1, Math.round(budget));
    if (this.round === 0) {
      // Fresh configurations, proposed one at a time as results arrive (see next()).
      this.roundConfigs = [];
      this.queue = Array.from({ length: configs }, () => ({ config: -1, budget: steps }));
    } else {
      // The best of the previous round go on; the others stop here.
      const prev = this.roundConfigs;
      const ranked = [...prev].sort((a, b) => this.rank(a) - this.rank(b));
      const keep = new Set(ranked.slice(0, configs));
      for (const r of this.records)
        if (prev.includes(r.config) && !keep.has(r.config) && r.budget === this.lastBudget) r.stoppedEarly = true;
      this.roundConfigs = [];
      this.queue = ranked.slice(0, configs).map((config) => ({ config, budget: steps }));
    }
    this.lastBudget = steps;
  }

  private lastBudget = 0;

  /** Lower is better; a failed configuration ranks last. */
  private rank(config: number): number {
    const v = this.latest.get(config)?.value ?? null;
    return v === null ? Infinity : this.minimise ? v : -v;
  }

  /** The next trial to run, or null: wait for outstanding results (`done()` says whether the sweep is over). */
  next(): TrialRecord | null {
    const p = this.queue.shift();
    if (!p) return null;
    let config = p.config;
    if (config < 0) {
      config = this.points.length;
      this.points.push(this.sampler.suggest(this.observations()));
    }
    const record: TrialRecord = {
      trial: this.records.length,
      config,
      params: decode(this.spec.space, this.points[config]),
      budget: p.budget,
      objective: null,
      stoppedEarly: false,
    };
    this.records.push(record);
    this.outstanding.set(record.trial, { config, budget: p.budget });
    this.roundConfigs.push(config);
    return record;
  }

  /**
   * Reports a trial's objective (null when the run failed or, for timeToTarget, never reached the
   * target), and its second objective when the sweep has two.
   */
  report(trial: number, objective: number | null, second: number | null = null): void {
    const p = this.outstanding.get(trial);
    if (!p) throw new Error(`trial ${trial} was not handed out or was reported already`);
    this.outstanding.delete(trial);
    this.records[trial].objective = objective;
    this.latest.set(p.config, {
      budget: p.budget,
      value: objective !== null && Number.isFinite(objective) ? objective : null,
      second: second !== null && Number.isFinite(second) ? second : null,
    });
    if (this.queue.length === 0 && this.outstanding.size === 0) this.advance();
  }

  private advance(): void {
    const b = this.brackets[this.bracket];
    if (this.round + 1 < b.rounds.length) this.round++;
    else {
      this.bracket++;
      this.round = 0;
    }
    this.startRound();
  }

  done(): boolean {
    return this.bracket >= this.brackets.length && this.outstanding.size === 0;
  }

  trials(): TrialRecord[] {
    return this.records.map((r) => ({ ...r, params: { ...r.params } }));
  }

  /** The best configuration at the largest budget any configuration reached (ties: the first). */
  best(): TrialRecord | null {
    const top = Math.max(0, ...this.records.filter((r) => r.objective !== null).map((r) => r.budget));
    let best: TrialRecord | null = null;
    for (const r of this.records)
      if (r.budget === top && r.objective !== null && (best === null || this.better(r.objective, best.objective!)))
        best = r;
    return best;
  }

  private better(a: number, b: number): boolean {
    return this.minimise ? a < b : a > b;
  }
}

/**
 * The Pareto front of points with two objectives (`minimise` per objective): the indices of the
 * points no other point dominates (at least as good in both, better in one), by the first objective.
 */
export function paretoFront(points: readonly [number, number][], minimise: [boolean, boolean]): number[] {
  const better = (a: number, b: number, min: boolean) => (min ? a < b : a > b);
  const atLeast = (a: number, b: number, min: boolean) => (min ? a <= b : a >= b);
  const front = points
    .map((_, i) => i)
    .filter(
      (i) =>
        !points.some(
          (q, j) =>
            j !== i &&
            atLeast(q[0], points[i][0], minimise[0]) &&
            atLeast(q[1], points[i][1], minimise[1]) &&
            (better(q[0], points[i][0], minimise[0]) || better(q[1], points[i][1], minimise[1])),
        ),
    );
  return front.sort((a, b) => (minimise[0] ? points[a][0] - points[b][0] : points[b][0] - points[a][0]));
}
