import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors';
import {
  compareTrials,
  keepCount,
  rankSweep,
  recordTrial,
  rungPlan,
  startSweep,
  survivors,
  type SweepOptions,
  type SweepState,
  type TrialResult,
} from './sweep';

const trial = (
  key: string,
  lossReached: number | null,
  timeToTarget: number | null = null,
  rung = 0,
  failed = false,
): TrialResult => ({ key, rung, budget: 1, lossReached, timeToTarget, failed });

/** Runs a whole sweep against a simulated loss: loss(key, budget). */
function simulate(
  keys: string[],
  o: SweepOptions,
  loss: (key: string, budget: number) => number,
  time: (key: string) => number | null = () => null,
): SweepState {
  let s = startSweep(keys, o);
  while (!s.done) {
    const rung = s.rungs.length - 1;
    const { budget, keys: ks } = s.rungs[rung];
    for (const key of ks)
      s = recordTrial(s, { key, rung, budget, lossReached: loss(key, budget), timeToTarget: time(key), failed: false });
  }
  return s;
}

describe('rungPlan', () => {
  it('9 configurations, eta 3: 9 at budget 1, 3 at 3, 1 at 9 (hand-checked)', () => {
    expect(rungPlan(9, { eta: 3, minBudget: 1, maxBudget: Infinity })).toEqual([
      { rung: 0, configs: 9, budget: 1 },
      { rung: 1, configs: 3, budget: 3 },
      { rung: 2, configs: 1, budget: 9 },
    ]);
  });

  it('halves and doubles with eta 2, and stops at the budget cap', () => {
    expect(rungPlan(8, { eta: 2, minBudget: 1, maxBudget: 4 }).map((r) => [r.configs, r.budget])).toEqual([
      [8, 1],
      [4, 2],
      [2, 4],
    ]);
    expect(rungPlan(5, { eta: 2, minBudget: 2, maxBudget: Infinity }).map((r) => [r.configs, r.budget])).toEqual([
      [5, 2],
      [2, 4],
      [1, 8],
    ]);
    expect(() => rungPlan(4, { eta: 1, minBudget: 1, maxBudget: 8 })).toThrow(/eta/);
    expect(() => rungPlan(4, { eta: 1, minBudget: 1, maxBudget: 8 })).toThrow(
      new ConfigError('sweep.eta', 'eta must be a whole number >= 2, got 1'),
    );
    expect(() => rungPlan(4, { eta: 2, minBudget: 4, maxBudget: 2 })).toThrow(ConfigError);
  });
});

describe('survivors', () => {
  it('keeps the best 1/eta by loss reached (hand-checked)', () => {
    const rung = [
      trial('a', 0.9),
      trial('b', 0.3),
      trial('c', 0.5),
      trial('d', 1.2),
      trial('e', 0.4),
      trial('f', null),
    ];
    expect(survivors(rung, 3, 'loss')).toEqual({ keep: ['b', 'e'], stopped: ['c', 'a', 'd', 'f'] });
    expect(survivors(rung, 2, 'loss').keep).toEqual(['b', 'e', 'c']);
  });

  it('by time to target: reached first (fastest first), then loss', () => {
    const rung = [trial('a', 0.2, null), trial('b', 0.3, 5), trial('c', 0.5, 2), trial('d', 0.1, null)];
    expect(survivors(rung, 2, 'timeToTarget').keep).toEqual(['c', 'b']);
    expect(survivors(rung, 2, 'loss').keep).toEqual(['d', 'a']);
  });

  it('never keeps a failed trial, and keeps at least one otherwise', () => {
    expect(survivors([trial('a', null, null, 0, true), trial('b', null, null, 0, true)], 2, 'loss').keep).toEqual([]);
    expect(survivors([trial('a', 2), trial('b', 1, null, 0, true)], 3, 'loss').keep).toEqual(['a']);
  });

  it('matches brute force on random rungs: the kept are the k best, in any input order', () => {
    let x = 99;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(rnd() * 12);
      const eta = 2 + Math.floor(rnd() * 3);
      const rankBy = rnd() < 0.5 ? 'loss' : 'timeToTarget';
      const rung = Array.from({ length: n }, (_, i) =>
        trial(`k${i}`, rnd() < 0.1 ? null : Math.round(rnd() * 20) / 10, rnd() < 0.4 ? null : Math.round(rnd() * 10)),
      );
      const { keep, stopped } = survivors(rung, eta, rankBy);
      expect(keep.length).toBe(keepCount(n, eta));
      expect(new Set([...keep, ...stopped])).toEqual(new Set(rung.map((r) => r.key)));
      // brute force: a trial is kept iff fewer than k others beat it
      const k = keepCount(n, eta);
      for (const r of rung) {
        const better = rung.filter((o) => o !== r && compareTrials(o, r, rankBy) < 0).length;
        expect(keep.includes(r.key)).toBe(better < k);
      }
      const shuffled = [...rung].reverse();
      expect(survivors(shuffled, eta, rankBy)).toEqual({ keep, stopped });
    }
  });
});

describe('a whole sweep', () => {
  it('follows the plan and finds the best configuration when ranks hold across budgets', () => {
    const keys = Array.from({ length: 9 }, (_, i) => `c${i}`);
    const floor = (k: string) => [0.5, 0.2, 0.9, 0.35, 0.1, 0.8, 0.6, 0.25, 0.7][Number(k.slice(1))];
    const s = simulate(keys, { eta: 3, minBudget: 1, maxBudget: Infinity, rankBy: 'loss' }, (k, b) => floor(k) + 1 / b);
    expect(s.done).toBe(true);
    expect(s.rungs.map((r) => [r.budget, r.keys])).toEqual([
      [1, keys],
      [3, ['c4', 'c1', 'c7']],
      [9, ['c4']],
    ]);
    expect(s.rungs.map((r) => r.keys.length)).toEqual(rungPlan(9, s.options).map((r) => r.configs));
    const ranking = rankSweep(s);
    expect(ranking[0]).toMatchObject({ key: 'c4', rank: 1, rungReached: 2, stoppedEarly: false });
    expect(
      ranking
        .filter((r) => r.stoppedEarly)
        .map((r) => r.key)
        .sort(),
    ).toEqual(keys.filter((k) => k !== 'c4').sort());
    // brute force: the best at the full budget
    const best = [...keys].sort((a, b) => floor(a) - floor(b))[0];
    expect(ranking[0].key).toBe(best);
  });

  it('ranks by time to target loss, not reached last', () => {
    const keys = ['a', 'b', 'c', 'd'];
    const s = simulate(
      keys,
      { eta: 2, minBudget: 1, maxBudget: 2, rankBy: 'timeToTarget' },
      () => 1,
      (k) => ({ a: null, b: 3, c: 1, d: 2 })[k] ?? null,
    );
    expect(s.rungs.map((r) => r.keys)).toEqual([keys, ['c', 'd']]);
    expect(rankSweep(s).map((r) => r.key)).toEqual(['c', 'd', 'b', 'a']);
    expect(rankSweep(s).map((r) => r.stoppedEarly)).toEqual([false, false, true, true]);
  });

  it('refuses results for the wrong rung, twice, or after the end', () => {
    let s = startSweep(['a', 'b'], { eta: 2, minBudget: 1, maxBudget: 2, rankBy: 'loss' });
    expect(() => recordTrial(s, trial('a', 1, null, 1))).toThrow(/rung/);
    s = recordTrial(s, trial('a', 1));
    expect(() => recordTrial(s, trial('a', 1))).toThrow(/already/);
    expect(() => recordTrial(s, trial('z', 1))).toThrow(/no trial/);
    s = recordTrial(s, trial('b', 2));
    expect(s.rungs[1]).toEqual({ budget: 2, keys: ['a'] });
    s = recordTrial(s, { ...trial('a', 0.5, null, 1), budget: 2 });
    expect(s.done).toBe(true);
    expect(() => recordTrial(s, trial('a', 1, null, 1))).toThrow(/finished/);
    expect(() => startSweep(['a', 'a'], s.options)).toThrow(/distinct/);
    expect(() => startSweep([], s.options)).toThrow(
      new ConfigError('sweep', 'a sweep needs at least one configuration'),
    );
  });
});
