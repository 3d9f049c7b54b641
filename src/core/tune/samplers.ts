/**
 * Samplers that propose the next trial of a sweep, in the unit cube of a search space
 * (space.ts): seeded random search, and the Tree-structured Parzen Estimator (Bergstra et al.
 * 2011) as Optuna's default sampler runs it: after `startup` random trials, the trials are split
 * into the best gamma(n) = min(ceil(0.1 n), 25) ("good") and the rest ("bad"); per dimension a
 * Parzen estimator is fitted to each group (truncated Gaussians at the observations plus a prior
 * at the centre, each as wide as the larger gap to its neighbours, clipped as Optuna's "magic
 * clip" does; categorical dimensions as smoothed frequencies); `candidates` points drawn from
 * the good estimator are scored by l(x) / g(x), the expected-improvement ratio, and the best is
 * proposed. Objectives are minimised. One seed gives one sequence of proposals.
 */
import { Rng } from '../data/rng';
import { choices, type SearchSpace } from './space';

export interface Observation {
  /** The trial's point in the unit cube, one coordinate per dimension in the space's order. */
  point: number[];
  /** The objective (lower is better); a failed trial is not observed. */
  value: number;
  /** A second objective (lower is better) when the sweep has two: TPE then splits by Pareto rank (MOTPE). */
  second?: number;
}

export interface Sampler {
  /** The next point, given every finished trial so far. */
  suggest(history: readonly Observation[]): number[];
}

export class RandomSampler implements Sampler {
  private readonly rng: Rng;
  constructor(
    private readonly space: SearchSpace,
    seed: number,
  ) {
    this.rng = new Rng(seed);
  }
  suggest(): number[] {
    return Object.keys(this.space).map(() => this.rng.next());
  }
}

export interface TpeOptions {
  /** Random trials before the estimators take over (Optuna: 10). */
  startup?: number;
  /** Candidates drawn from the good estimator per proposal (Optuna: 24). */
  candidates?: number;
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26, error below 1.5e-7). */
function phi(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** A one-dimensional Parzen estimator on [0, 1]: truncated Gaussians (continuous) or smoothed frequencies (choices). */
interface Estimator {
  sample(rng: Rng): number;
  logPdf(x: number): number;
}

function continuousEstimator(obs: readonly number[]): Estimator {
  // The prior: a component at the centre as wide as the whole range (Optuna's prior_weight 1).
  const mus = [...obs, 0.5];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b]);
  const sorted = order.map((i) => mus[i]);
  const sigmas = new Array<number>(mus.length);
  const low = 1 / Math.min(100, 1 + mus.length);
  order.forEach((i, k) => {
    const left = k > 0 ? sorted[k] - sorted[k - 1] : sorted[k];
    const right = k + 1 < sorted.length ? sorted[k + 1] - sorted[k] : 1 - sorted[k];
    sigmas[i] = Math.min(1, Math.max(low, left, right));
  });
  sigmas[mus.length - 1] = 1;
  const n = mus.length;
  const mass = mus.map((m, i) => phi((1 - m) / sigmas[i]) - phi((0 - m) / sigmas[i]));
  return {
    sample(rng) {
      for (;;) {
        const i = rng.int(n);
        const x = mus[i] + sigmas[i] * rng.normal();
        if (x >= 0 && x < 1) return x;
      }
    },
    logPdf(x) {
      let p = 0;
      for (let i = 0; i < n; i++) {
        const z = (x - mus[i]) / sigmas[i];
        p += Math.exp(-0.5 * z * z) / (sigmas[i] * Math.sqrt(2 * Math.PI) * Math.max(mass[i], 1e-12));
      }
      return Math.log(p / n + 1e-300);
    },
  };
}

function categoricalEstimator(obs: readonly number[], k: number): Estimator {
  const weights = new Array<number>(k).fill(1 / k); // prior weight 1, spread over the options
  for (const u of obs) weights[Math.min(k - 1, Math.floor(u * k))] += 1;
  const total = weights.reduce((a, b) => a + b, 0);
  const p = weights.map((w) => w / total);
  return {
    sample(rng) {
      let r = rng.next();
      for (let i = 0; i < k; i++) {
        r -= p[i];
        if (r < 0) return (i + 0.5) / k;
      }
      return (k - 0.5) / k;
    },
    logPdf(x) {
      return Math.log(p[Math.min(k - 1, Math.floor(x * k))]);
    },
  };
}

export class TpeSampler implements Sampler {
  private readonly rng: Rng;
  private readonly startup: number;
  private readonly candidates: number;
  private readonly dims: (number | null)[];

  constructor(space: SearchSpace, seed: number, options: TpeOptions = {}) {
    this.rng = new Rng(seed);
    this.startup = options.startup ?? 10;
    this.candidates = options.candidates ?? 24;
    this.dims = Object.values(space).map(choices);
  }

  /** How many of n trials count as good (Optuna's default gamma). */
  static good(n: number): number {
    return Math.min(Math.ceil(0.1 * n), 25);
  }

  suggest(history: readonly Observation[]): number[] {
    if (history.length < this.startup) return this.dims.map(() => this.rng.next());
    const ranked = history.every((o) => o.second !== undefined && Number.isFinite(o.second))
      ? paretoRanked(history)
      : [...history].sort((a, b) => a.value - b.value);
    const nGood = TpeSampler.good(ranked.length);
    const good = ranked.slice(0, nGood);
    const bad = ranked.slice(nGood);
    const fit = (group: readonly Observation[], d: number) => {
      const coords = group.map((o) => o.point[d]);
      const k = this.dims[d];
      return k === null ? continuousEstimator(coords) : categoricalEstimator(coords, k);
    };
    const l = this.dims.map((_, d) => fit(good, d));
    const g = this.dims.map((_, d) => fit(bad, d));
    let best: number[] = [];
    let bestScore = -Infinity;
    for (let c = 0; c < this.candidates; c++) {
      const x = l.map((e) => e.sample(this.rng));
      let score = 0;
      for (let d = 0; d < x.length; d++) score += l[d].logPdf(x[d]) - g[d].logPdf(x[d]);
      if (score > bestScore) {
        bestScore = score;
        best = x;
      }
    }
    return best;
  }
}

/**
 * Two objectives (MOTPE, Ozaki et al. 2020, as Optuna splits them): the observations ordered by
 * Pareto front (non-dominated sorting, both minimised), and within a front by each point's
 * exclusive contribution to the front's hypervolume (reference point: each objective's worst
 * plus one), largest first; so the first gamma(n) are the best fronts whole and the most
 * useful points of the next.
 */
export function paretoRanked(history: readonly Observation[]): Observation[] {
  const pts = history.map((o) => [o.value, o.second!] as const);
  const dominates = (a: readonly [number, number], b: readonly [number, number]) =>
    a[0] <= b[0] && a[1] <= b[1] && (a[0] < b[0] || a[1] < b[1]);
  let left = history.map((_, i) => i);
  const ref = [Math.max(...pts.map((p) => p[0])) + 1, Math.max(...pts.map((p) => p[1])) + 1];
  const out: Observation[] = [];
  while (left.length) {
    const front = left.filter((i) => !left.some((j) => j !== i && dominates(pts[j], pts[i])));
    // Exclusive hypervolume in 2-D: sorted by the first objective, the box to the next point's
    // first coordinate and the previous point's second (the reference at the ends).
    const byFirst = [...front].sort((a, b) => pts[a][0] - pts[b][0] || pts[a][1] - pts[b][1]);
    const contribution = new Map<number, number>();
    byFirst.forEach((i, k) => {
      const right = k + 1 < byFirst.length ? pts[byFirst[k + 1]][0] : ref[0];
      const up = k > 0 ? pts[byFirst[k - 1]][1] : ref[1];
      contribution.set(i, Math.max(0, right - pts[i][0]) * Math.max(0, up - pts[i][1]));
    });
    byFirst.sort((a, b) => contribution.get(b)! - contribution.get(a)! || a - b);
    for (const i of byFirst) out.push(history[i]);
    const inFront = new Set(front);
    left = left.filter((i) => !inFront.has(i));
  }
  return out;
}
