/**
 * Tuning against the literature: Hyperband's bracket plan against the paper's table (R = 81,
 * eta = 3), TPE against random search on standard test functions (Branin, Hartmann-6, a noisy
 * quadratic) with their known optima, and the search-space refusals.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import { hyperbandPlan } from './hyperband';
import { paretoRanked, RandomSampler, TpeSampler, type Observation, type Sampler } from './samplers';
import { decode, validateSpace, type SearchSpace } from './space';

describe('hyperbandPlan', () => {
  it("equals Li et al.'s table for R = 81, eta = 3", () => {
    const table = hyperbandPlan(81, 3).map((b) => b.rounds.map((r) => [r.configs, r.budget]));
    expect(table).toEqual([
      [
        [81, 1],
        [27, 3],
        [9, 9],
        [3, 27],
        [1, 81],
      ],
      [
        [34, 3],
        [11, 9],
        [3, 27],
        [1, 81],
      ],
      [
        [15, 9],
        [5, 27],
        [1, 81],
      ],
      [
        [8, 27],
        [2, 81],
      ],
      [[5, 81]],
    ]);
  });
  it('refuses a plan whose smallest budget is under one step, and a bad eta', () => {
    expect(() => hyperbandPlan(20, 3, 3)).toThrow(
      /sweep\.brackets: 4 brackets start at a budget of 20\/3\^3 = 0\.741 steps, under one step; use at most 3 brackets/,
    );
    expect(() => hyperbandPlan(81, 1)).toThrow(/sweep\.eta: must be a whole number of at least 2/);
  });
});

describe('validateSpace', () => {
  const refused: [string, unknown, RegExp][] = [
    [
      'an empty range',
      { lr: { type: 'float', min: 1, max: 1 } },
      /sweep\.space\.lr: the range is empty or inverted: min 1 is not below max 1/,
    ],
    [
      'an inverted range',
      { batchSize: { type: 'int', min: 64, max: 8 } },
      /sweep\.space\.batchSize: the range is empty or inverted/,
    ],
    [
      'a log range reaching 0',
      { 'optimizer.learningRate': { type: 'log', min: 0, max: 0.1 } },
      /sweep\.space\.optimizer\.learningRate: a log range must stay above 0, got min 0/,
    ],
    [
      'a choice with no values',
      { 'optimizer.name': { type: 'choice', values: [] } },
      /sweep\.space\.optimizer\.name: a choice needs at least one value/,
    ],
    [
      'an unknown type',
      { x: { type: 'normal', min: 0, max: 1 } },
      /sweep\.space\.x\.type: must be log, float, int or choice, got "normal"/,
    ],
    ['no dimensions', {}, /sweep\.space: has no dimensions/],
    // Keys the search would not read (found by the share-link fuzz: an own "hasOwnProperty").
    [
      'a misspelt bound',
      { 'optimizer.learningRate': { type: 'log', min: 1e-4, mx: 0.1, max: 0.1 } },
      /sweep\.space\.optimizer\.learningRate\.mx: is not a setting of a log dimension \(did you mean "max"\?; it takes type, min, max\)/,
    ],
    [
      'a key named like an Object method',
      { 'optimizer.name': { type: 'choice', values: ['sgd'], hasOwnProperty: 'x' } },
      /sweep\.space\.optimizer\.name\.hasOwnProperty: is not a setting of a choice dimension/,
    ],
    [
      'log on a float',
      { dropout: { type: 'float', min: 0, max: 0.5, log: true } },
      /sweep\.space\.dropout\.log: is not a setting of a float dimension/,
    ],
  ];
  for (const [what, space, message] of refused)
    it(`refuses ${what}, naming the dimension`, () => expect(() => validateSpace(space)).toThrow(message));

  it('takes log on an int dimension', () =>
    expect(validateSpace({ batchSize: { type: 'int', min: 8, max: 512, log: true } }).batchSize).toEqual({
      type: 'int',
      min: 8,
      max: 512,
      log: true,
    }));

  it('decodes the unit cube onto the ranges: log-uniform, whole numbers, choices', () => {
    const space = validateSpace({
      lr: { type: 'log', min: 1e-4, max: 1e-1 },
      batch: { type: 'int', min: 16, max: 19 },
      opt: { type: 'choice', values: ['sgd', 'adam'] },
    });
    expect(decode(space, [0, 0, 0])).toMatchObject({ batch: 16, opt: 'sgd' });
    expect(decode(space, [0, 0, 0]).lr).toBeCloseTo(1e-4, 15);
    expect(decode(space, [0.5, 0.5, 0.99]).lr).toBeCloseTo(10 ** -2.5, 12);
    expect(decode(space, [0.5, 0.5, 0.99])).toMatchObject({ batch: 18, opt: 'adam' });
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[(decode(space, [0, (i + 0.5) / 4000, 0]).batch as number) - 16]++;
    expect(counts).toEqual([1000, 1000, 1000, 1000]);
  });
});

/** Branin-Hoo on [-5, 10] x [0, 15]: global minimum 0.397887 (three minimisers). */
function branin(p: Record<string, number>): number {
  const { x1, x2 } = p;
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

/** Hartmann-6 on [0, 1]^6: global minimum -3.32237. */
const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((r) => r.map((v) => v * 1e-4));
const H_ALPHA = [1, 1.2, 3, 3.2];
function hartmann6(p: Record<string, number>): number {
  const x = [p.x0, p.x1, p.x2, p.x3, p.x4, p.x5];
  let s = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += H_A[i][j] * (x[j] - H_P[i][j]) ** 2;
    s -= H_ALPHA[i] * Math.exp(-inner);
  }
  return s;
}

const problems: {
  name: string;
  space: SearchSpace;
  f: (p: Record<string, number>, rng: Rng) => number;
  optimum: number;
}[] = [
  {
    name: 'Branin',
    space: { x1: { type: 'float', min: -5, max: 10 }, x2: { type: 'float', min: 0, max: 15 } },
    f: branin,
    optimum: 0.397887,
  },
  {
    name: 'Hartmann-6',
    space: Object.fromEntries(
      Array.from({ length: 6 }, (_, i) => [`x${i}`, { type: 'float', min: 0, max: 1 }]),
    ) as SearchSpace,
    f: hartmann6,
    optimum: -3.32237,
  },
  {
    name: 'a noisy quadratic (4-D, one log dimension, noise sd 0.05)',
    space: {
      a: { type: 'float', min: -2, max: 2 },
      b: { type: 'float', min: -2, max: 2 },
      c: { type: 'float', min: -2, max: 2 },
      lr: { type: 'log', min: 1e-5, max: 1 },
    },
    f: (p, rng) =>
      (p.a - 0.5) ** 2 + (p.b + 0.3) ** 2 + p.c ** 2 + (Math.log10(p.lr) + 2) ** 2 / 4 + 0.05 * rng.normal(),
    optimum: 0,
  },
];

/** The best value a sampler finds in `trials` trials. */
function bestOf(
  sampler: Sampler,
  space: SearchSpace,
  f: (p: Record<string, number>, rng: Rng) => number,
  trials: number,
  seed: number,
): number {
  const noise = new Rng(seed + 1000);
  const history: Observation[] = [];
  let best = Infinity;
  for (let t = 0; t < trials; t++) {
    const point = sampler.suggest(history);
    const value = f(decode(space, point) as Record<string, number>, noise);
    history.push({ point, value });
    best = Math.min(best, value);
  }
  return best;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};

describe('TPE against random search (median over 20 seeds)', () => {
  for (const { name, space, f, optimum } of problems)
    it(`${name}: TPE's best after 50 trials is at least as good as random search's after 100`, () => {
      const tpe: number[] = [];
      const random: number[] = [];
      for (let seed = 1; seed <= 20; seed++) {
        tpe.push(bestOf(new TpeSampler(space, seed), space, f, 50, seed));
        random.push(bestOf(new RandomSampler(space, seed), space, f, 100, seed));
      }
      expect(median(tpe)).toBeLessThanOrEqual(median(random));
      // Neither beats the known optimum (beyond the noise of the noisy problem).
      expect(Math.min(...tpe, ...random)).toBeGreaterThan(optimum - 0.2);
      console.log(
        `${name}: median best, TPE 50 trials ${median(tpe).toFixed(4)}, random 100 trials ${median(random).toFixed(4)}, optimum ${optimum}`,
      );
    });

  it('one seed gives one sequence of proposals', () => {
    const space = problems[0].space;
    const run = () => {
      const s = new TpeSampler(space, 7);
      const h: Observation[] = [];
      for (let t = 0; t < 20; t++) {
        const point = s.suggest(h);
        h.push({ point, value: branin(decode(space, point) as Record<string, number>) });
      }
      return h.map((o) => o.point);
    };
    expect(run()).toEqual(run());
  });
});

/** ZDT1 (Zitzler, Deb & Thiele 2000) on [0, 1]^5: its Pareto front is f2 = 1 - sqrt(f1), where x2..x5 = 0. */
function zdt1(p: Record<string, number>): [number, number] {
  const x = [p.x0, p.x1, p.x2, p.x3, p.x4];
  const g = 1 + (9 * (x[1] + x[2] + x[3] + x[4])) / 4;
  return [x[0], g * (1 - Math.sqrt(x[0] / g))];
}

/** The 2-D hypervolume the points dominate below the reference point (brute force over the sorted front). */
function hypervolume(points: [number, number][], ref: [number, number]): number {
  const inside = points.filter((p) => p[0] < ref[0] && p[1] < ref[1]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let hv = 0;
  let lastY = ref[1];
  for (const [x, y] of inside) {
    if (y >= lastY) continue;
    // The strip from x to the reference, between this point's y and the last kept y.
    hv += (ref[0] - x) * (lastY - y);
    lastY = y;
  }
  return hv;
}

describe('two objectives: TPE on the Pareto ranking (MOTPE)', () => {
  const space: SearchSpace = Object.fromEntries(
    ['x0', 'x1', 'x2', 'x3', 'x4'].map((k) => [k, { type: 'float', min: 0, max: 1 }]),
  ) as SearchSpace;
  // `both`: the sampler sees both objectives; else only the first (TPE as it was, on f1 alone).
  const run = (sampler: Sampler, trials: number, both = true) => {
    const history: Observation[] = [];
    for (let t = 0; t < trials; t++) {
      const point = sampler.suggest(both ? history : history.map(({ point: q, value }) => ({ point: q, value })));
      const [value, second] = zdt1(decode(space, point) as Record<string, number>);
      history.push({ point, value, second });
    }
    return hypervolume(
      history.map((o) => [o.value, o.second!]),
      [1.1, 1.1],
    );
  };

  it("ZDT1, median over 20 seeds: MOTPE's hypervolume after 50 trials is at least random search's after 100", () => {
    const motpe: number[] = [];
    const random: number[] = [];
    const firstOnly: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      motpe.push(run(new TpeSampler(space, seed), 50));
      random.push(run(new RandomSampler(space, seed), 100));
      firstOnly.push(run(new TpeSampler(space, seed), 50, false));
    }
    // The true front's hypervolume at (1.1, 1.1): 1.21 - the area under 1 - sqrt(x) on [0, 1] (1/3) ... bounded by it.
    const best = 1.1 * 1.1 - 1 / 3;
    expect(Math.max(...motpe, ...random)).toBeLessThanOrEqual(best + 1e-9);
    expect(median(motpe)).toBeGreaterThanOrEqual(median(random));
    // And the Pareto ranking is what helps: TPE following the first objective alone does worse.
    expect(median(motpe)).toBeGreaterThan(median(firstOnly));
    console.log(
      `ZDT1 hypervolume: MOTPE 50 trials ${median(motpe).toFixed(4)}, TPE on f1 alone 50 ${median(firstOnly).toFixed(4)}, ` +
        `random 100 ${median(random).toFixed(4)}, front ${best.toFixed(4)}`,
    );
  });

  it('paretoRanked: whole fronts in order (none dominated by a later one), against brute-force front numbers', () => {
    const rng = new Rng(5);
    const history: Observation[] = Array.from({ length: 60 }, () => ({
      point: [],
      value: Math.round(10 * rng.next()),
      second: Math.round(10 * rng.next()),
    }));
    const ranked = paretoRanked(history);
    expect(new Set(ranked)).toEqual(new Set(history));
    const dom = (a: Observation, b: Observation) =>
      a.value <= b.value && a.second! <= b.second! && (a.value < b.value || a.second! < b.second!);
    // Brute force: a point's front number is 1 + the longest chain of points dominating it.
    const rank = new Map<Observation, number>();
    const depth = (o: Observation): number => {
      if (!rank.has(o)) rank.set(o, 1 + Math.max(-1, ...history.filter((q) => dom(q, o)).map(depth)));
      return rank.get(o)!;
    };
    const fronts = ranked.map(depth);
    for (let i = 1; i < fronts.length; i++) expect(fronts[i]).toBeGreaterThanOrEqual(fronts[i - 1]);
    expect(fronts[0]).toBe(0);
  });
});
