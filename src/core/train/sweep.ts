/**
 * Successive halving (Jamieson & Talwalkar 2016; one bracket of Hyperband, Li et al. 2017):
 * run N configurations with a small budget, keep the best 1/eta, give the survivors eta times
 * the budget, and repeat until one is left or the budget cap is reached. Pure: the sweep
 * actions feed it finished runs and queue what it asks for. Each rung restarts its runs from
 * scratch with the same seed (the trainer keeps no checkpoints), so a longer run repeats the
 * shorter one's trajectory before going further.
 */
import { ConfigError } from './errors';

export type SweepRankBy = 'loss' | 'timeToTarget';

export interface SweepOptions {
  /** Keep the best 1/eta of each rung and multiply the budget by eta; an integer >= 2. */
  eta: number;
  /** Budget of the first rung (epochs, or steps: the unit is the caller's), an integer >= 1. */
  minBudget: number;
  /** No rung gets more than this budget; Infinity for no cap. */
  maxBudget: number;
  /** What decides who survives a rung: the loss reached, or the time to the target loss. */
  rankBy: SweepRankBy;
}

/** What one configuration did in one rung. */
export interface TrialResult {
  key: string;
  rung: number;
  budget: number;
  /** Mean training loss over the last steps; null when the run produced none. */
  lossReached: number | null;
  /** Seconds to the target loss, null when not reached. */
  timeToTarget: number | null;
  failed: boolean;
}

export interface Rung {
  budget: number;
  keys: string[];
}

export interface SweepState {
  options: SweepOptions;
  rungs: Rung[];
  results: TrialResult[];
  done: boolean;
}

export interface RungPlan {
  rung: number;
  configs: number;
  budget: number;
}

/** How many survivors a rung of `n` configurations keeps. */
export function keepCount(n: number, eta: number): number {
  return n === 0 ? 0 : Math.max(1, Math.floor(n / eta));
}

/** The rungs a sweep of `n` configurations will run if nothing fails: configurations and budget per rung. */
export function rungPlan(n: number, o: Pick<SweepOptions, 'eta' | 'minBudget' | 'maxBudget'>): RungPlan[] {
  checkOptions(o);
  const plan: RungPlan[] = [];
  let configs = n;
  let budget = o.minBudget;
  for (let rung = 0; configs > 0 && budget <= o.maxBudget; rung++) {
    plan.push({ rung, configs, budget });
    if (configs === 1) break;
    configs = keepCount(configs, o.eta);
    budget *= o.eta;
  }
  return plan;
}

function checkOptions(o: Pick<SweepOptions, 'eta' | 'minBudget' | 'maxBudget'>): void {
  if (!Number.isInteger(o.eta) || o.eta < 2)
    throw new ConfigError('sweep.eta', `eta must be a whole number >= 2, got ${o.eta}`);
  if (!Number.isInteger(o.minBudget) || o.minBudget < 1)
    throw new ConfigError('sweep.minBudget', `the first budget must be a whole number >= 1, got ${o.minBudget}`);
  if (!(o.maxBudget >= o.minBudget))
    throw new ConfigError(
      'sweep.maxBudget',
      `the budget cap (${o.maxBudget}) is below the first budget (${o.minBudget})`,
    );
}

const orNull = (v: number | null) => (v === null || !Number.isFinite(v) ? Infinity : v);

/**
 * Orders two trials, better first: failed trials last; by loss reached, or by time to target
 * (not reached last) then loss reached; ties by key so the order never depends on input order.
 */
export function compareTrials(a: TrialResult, b: TrialResult, rankBy: SweepRankBy): number {
  if (a.failed !== b.failed) return a.failed ? 1 : -1;
  if (rankBy === 'timeToTarget') {
    const t = orNull(a.timeToTarget) - orNull(b.timeToTarget);
    if (t !== 0 && !Number.isNaN(t)) return t;
  }
  const l = orNull(a.lossReached) - orNull(b.lossReached);
  if (l !== 0 && !Number.isNaN(l)) return l;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Splits one rung's results into the survivors (best first) and those stopped early. Failed trials never survive. */
export function survivors(
  rung: readonly TrialResult[],
  eta: number,
  rankBy: SweepRankBy,
): { keep: string[]; stopped: string[] } {
  const sorted = [...rung].sort((a, b) => compareTrials(a, b, rankBy));
  const k = keepCount(rung.length, eta);
  const keep = sorted
    .slice(0, k)
    .filter((t) => !t.failed)
    .map((t) => t.key);
  const kept = new Set(keep);
  return { keep, stopped: sorted.filter((t) => !kept.has(t.key)).map((t) => t.key) };
}

/** A sweep over `keys` (one per configuration), its first rung ready to run. */
export function startSweep(keys: readonly string[], options: SweepOptions): SweepState {
  checkOptions(options);
  if (keys.length === 0) throw new ConfigError('sweep', 'a sweep needs at least one configuration');
  if (new Set(keys).size !== keys.length)
    throw new ConfigError('sweep', 'sweep configurations must have distinct keys');
  return { options, rungs: [{ budget: options.minBudget, keys: [...keys] }], results: [], done: false };
}

/** The rung being run (the last one). */
export function currentRung(s: SweepState): { index: number; rung: Rung } {
  return { index: s.rungs.length - 1, rung: s.rungs[s.rungs.length - 1] };
}

/**
 * Records a finished trial of the current rung. When the rung is complete, either opens the
 * next rung (survivors, budget x eta) or marks the sweep done (one left, none left, or the
 * next budget above the cap). Returns a new state; a result for another rung or an unknown
 * key is an error.
 */
export function recordTrial(s: SweepState, t: TrialResult): SweepState {
  if (s.done) throw new Error('the sweep is finished');
  const { index, rung } = currentRung(s);
  if (t.rung !== index || !rung.keys.includes(t.key)) throw new Error(`no trial ${t.key} in rung ${index}`);
  if (s.results.some((r) => r.rung === index && r.key === t.key))
    throw new Error(`trial ${t.key} of rung ${index} is already recorded`);
  const results = [...s.results, t];
  const inRung = results.filter((r) => r.rung === index);
  if (inRung.length < rung.keys.length) return { ...s, results };
  const { keep } = survivors(inRung, s.options.eta, s.options.rankBy);
  const budget = rung.budget * s.options.eta;
  if (rung.keys.length <= 1 || keep.length === 0 || budget > s.options.maxBudget) return { ...s, results, done: true };
  return { ...s, results, rungs: [...s.rungs, { budget, keys: keep }] };
}

export interface SweepRanking {
  key: string;
  rank: number;
  /** Highest rung the configuration ran in. */
  rungReached: number;
  budget: number;
  /** Stopped by the halving before the last rung. */
  stoppedEarly: boolean;
  timeToTarget: number | null;
  lossReached: number | null;
  failed: boolean;
}

/**
 * Every configuration ranked by time to the target loss (not reached last), then by the rung
 * it reached (deeper first), then by loss reached; each judged on its longest run.
 */
export function rankSweep(s: SweepState): SweepRanking[] {
  const last = new Map<string, TrialResult>();
  for (const r of s.results) {
    const prev = last.get(r.key);
    if (!prev || r.rung > prev.rung) last.set(r.key, r);
  }
  const finalRung = s.rungs.length - 1;
  const rows = [...last.values()].sort((a, b) => {
    if (a.failed !== b.failed) return a.failed ? 1 : -1;
    const t = orNull(a.timeToTarget) - orNull(b.timeToTarget);
    if (t !== 0 && !Number.isNaN(t)) return t;
    if (a.rung !== b.rung) return b.rung - a.rung;
    return compareTrials(a, b, 'loss');
  });
  return rows.map((r, i) => ({
    key: r.key,
    rank: i + 1,
    rungReached: r.rung,
    budget: r.budget,
    stoppedEarly: r.rung < finalRung,
    timeToTarget: r.timeToTarget,
    lossReached: r.lossReached,
    failed: r.failed,
  }));
}
