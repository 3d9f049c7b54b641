/**
 * Hyperband's bracket plan (Li et al. 2018, Algorithm 1): for a maximum budget R per trial and
 * a halving rate eta, s_max + 1 brackets of successive halving; bracket s starts
 * n = ceil((s_max + 1) / (s + 1) * eta^s) trials at budget r = R / eta^s and, round by round,
 * keeps floor(n / eta^i) of them at budget r * eta^i. Budgets are in the sweep's unit (steps).
 */
import { ConfigError } from '../errors';

export interface Bracket {
  s: number;
  rounds: { configs: number; budget: number }[];
}

/** The brackets for R and eta, most exploratory first; `sMax` defaults to the largest with a budget of at least 1. */
export function hyperbandPlan(R: number, eta: number, sMax?: number): Bracket[] {
  if (!Number.isInteger(eta) || eta < 2)
    throw new ConfigError('sweep.eta', `must be a whole number of at least 2, got ${eta}`);
  if (!Number.isFinite(R) || R < 1) throw new ConfigError('sweep.maxBudget', `must be at least 1 step, got ${R}`);
  let top = 0;
  while (eta ** (top + 1) <= R) top++;
  const s0 = sMax ?? top;
  if (!Number.isInteger(s0) || s0 < 0)
    throw new ConfigError('sweep.brackets', `must be a whole number of at least 1, got ${s0 + 1}`);
  if (R / eta ** s0 < 1)
    throw new ConfigError(
      'sweep.brackets',
      `${s0 + 1} brackets start at a budget of ${R}/${eta}^${s0} = ${(R / eta ** s0).toPrecision(3)} steps, under one step; ` +
        `use at most ${top + 1} brackets or a larger maximum budget`,
    );
  const plan: Bracket[] = [];
  for (let s = s0; s >= 0; s--) {
    const n = Math.ceil(((s0 + 1) / (s + 1)) * eta ** s);
    const r = R / eta ** s;
    const rounds = [];
    for (let i = 0; i <= s; i++) rounds.push({ configs: Math.floor(n / eta ** i), budget: r * eta ** i });
    plan.push({ s, rounds });
  }
  return plan;
}
