/** The sweep driver against brute-force bookkeeping: Hyperband's plan run out, promotions by rank, early stops, the best. */
import { describe, expect, it } from 'vitest';
import { paretoFront, SweepDriver, validateSweep, type SweepSpec, type TrialRecord } from './driver';
import { applyParams, checkPaths, checkSpaceRuns } from './apply';
import { Rng } from '../data/rng';
import { DEFAULT_SETTINGS } from '../train/run-config';
import { ConfigError } from '../errors';
import type { SearchSpace } from './space';

const space: SweepSpec['space'] = {
  lr: { type: 'log', min: 1e-4, max: 1 },
  width: { type: 'int', min: 4, max: 64 },
  opt: { type: 'choice', values: ['sgd', 'adam'] },
};
/** A made-up loss: better near lr 0.01, width 32 and adam, and lower with more steps. */
const loss = (p: TrialRecord['params'], budget: number) =>
  (Math.log10(p.lr as number) + 2) ** 2 +
  ((p.width as number) - 32) ** 2 / 500 +
  (p.opt === 'adam' ? 0 : 0.3) +
  1 / budget;

function runOut(d: SweepDriver, f: (t: TrialRecord) => number | null): TrialRecord[] {
  for (let guard = 0; !d.done() && guard < 10_000; guard++) {
    const t = d.next();
    if (!t) throw new Error('nothing to run, yet not done');
    d.report(t.trial, f(t));
  }
  return d.trials();
}

describe('SweepDriver', () => {
  it("runs Hyperband's plan (R = 81, eta = 3): each round's configurations and budgets, promoting the best", () => {
    const d = new SweepDriver({
      sampler: 'tpe',
      scheduler: 'hyperband',
      trials: 0,
      objective: 'valLoss',
      space,
      maxBudget: 81,
      eta: 3,
      seed: 4,
    });
    const trials = runOut(d, (t) => loss(t.params, t.budget));
    const plan = d.plan();
    expect(trials).toHaveLength(plan.flatMap((b) => b.rounds).reduce((n, r) => n + r.configs, 0));
    expect(trials).toHaveLength(206);
    // Walk the plan: each round's configurations are the best of the previous round's.
    let at = 0;
    for (const b of plan) {
      let previous: TrialRecord[] = [];
      for (const [i, r] of b.rounds.entries()) {
        const round = trials.slice(at, at + r.configs);
        at += r.configs;
        expect(round.every((t) => t.budget === r.budget)).toBe(true);
        if (i > 0) {
          const best = [...previous].sort((x, y) => x.objective! - y.objective!).slice(0, r.configs);
          expect(new Set(round.map((t) => t.config))).toEqual(new Set(best.map((t) => t.config)));
          for (const t of previous) expect(t.stoppedEarly).toBe(!best.includes(t));
        }
        previous = round;
      }
      expect(previous.every((t) => !t.stoppedEarly)).toBe(true);
    }
    const best = d.best()!;
    expect(best.budget).toBe(81);
    expect(best.objective).toBe(Math.min(...trials.filter((t) => t.budget === 81).map((t) => t.objective!)));
  });

  it('halving: 9 configurations at 3 steps, 3 at 9, 1 at 27; failed runs rank last', () => {
    const d = new SweepDriver({
      sampler: 'random',
      scheduler: 'halving',
      trials: 9,
      objective: 'valLoss',
      space,
      maxBudget: 27,
      eta: 3,
    });
    const trials = runOut(d, (t) => (t.config === 0 ? null : loss(t.params, t.budget)));
    expect(trials.map((t) => t.budget)).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 3, 9, 9, 9, 27]);
    expect(trials.slice(9).some((t) => t.config === 0)).toBe(false);
  });

  it('maximises when asked (samples per second), and a none scheduler runs every trial at the full budget', () => {
    const d = new SweepDriver(
      { sampler: 'tpe', scheduler: 'none', trials: 15, objective: 'samplesPerSec', space, maxBudget: 50 },
      false,
    );
    const trials = runOut(d, (t) => 1000 / (1 + loss(t.params, t.budget)));
    expect(trials.every((t) => t.budget === 50 && !t.stoppedEarly)).toBe(true);
    expect(d.best()!.objective).toBe(Math.max(...trials.map((t) => t.objective!)));
  });

  it('refuses bad sweeps naming the field', () => {
    const ok = { sampler: 'tpe', scheduler: 'hyperband', trials: 0, objective: 'valLoss', space, maxBudget: 81 };
    expect(() => validateSweep({ ...ok, sampler: 'grid' })).toThrow(
      /^sweep\.sampler: must be random or tpe, got "grid"/,
    );
    // Left out: TPE, no scheduler, the validation loss; given as null (or wrong), refused.
    const least = validateSweep({ trials: 4, space, maxBudget: 10 });
    expect(least).toMatchObject({
      sampler: 'tpe',
      scheduler: 'none',
      objective: 'valLoss',
      trials: 4,
      eta: 3,
      seed: 1,
    });
    expect(() => validateSweep({ ...ok, sampler: null })).toThrow(/^sweep\.sampler: must be random or tpe, got null/);
    expect(() => validateSweep({ ...ok, scheduler: null })).toThrow(/^sweep\.scheduler: must be none, halving/);
    expect(() => validateSweep({ trials: 4, space })).toThrow(/^sweep\.maxBudget: must be a whole number of steps/);
    // A key the sweep would not read is refused, not dropped.
    expect(() => validateSweep({ ...ok, trails: 20 })).toThrow(
      /^sweep\.trails: is not a sweep setting \(did you mean "trials"\?; it takes sampler/,
    );
    expect(() => validateSweep({ ...ok, objective: 'loss' })).toThrow(/^sweep\.objective: must be one of valLoss/);
    expect(() => validateSweep({ ...ok, maxBudget: 0 })).toThrow(/^sweep\.maxBudget: must be a whole number of steps/);
    expect(() => validateSweep({ ...ok, scheduler: 'none', trials: 0 })).toThrow(
      /^sweep\.trials: must be a whole number from 1 to 1000/,
    );
    expect(() => validateSweep({ ...ok, scheduler: 'halving', trials: 81, maxBudget: 9 })).toThrow(
      /^sweep\.maxBudget: 9 steps cannot be halved 81 configurations deep/,
    );
    expect(() => validateSweep({ ...ok, space: { lr: { type: 'log', min: -1, max: 1 } } })).toThrow(
      /^sweep\.space\.lr: a log range must stay above 0/,
    );
  });
});

describe('paretoFront', () => {
  it('keeps exactly the points no other point dominates (brute force), for each pair of directions', () => {
    const rng = new Rng(6);
    for (const dirs of [
      [true, true],
      [false, true],
      [true, false],
      [false, false],
    ] as [boolean, boolean][]) {
      const pts = Array.from(
        { length: 60 },
        () => [Math.round(rng.next() * 20), Math.round(rng.next() * 20)] as [number, number],
      );
      const front = new Set(paretoFront(pts, dirs));
      const sign = dirs.map((m) => (m ? 1 : -1));
      pts.forEach((p, i) => {
        const dominated = pts.some(
          (q, j) =>
            j !== i &&
            sign[0] * q[0] <= sign[0] * p[0] &&
            sign[1] * q[1] <= sign[1] * p[1] &&
            (sign[0] * q[0] < sign[0] * p[0] || sign[1] * q[1] < sign[1] * p[1]),
        );
        expect(front.has(i)).toBe(!dominated);
      });
    }
  });
});

describe('applyParams', () => {
  it('writes paths, starts a chosen optimizer afresh, and sets the depth from the widths', () => {
    const base = {
      ...DEFAULT_SETTINGS,
      model: { type: 'mlp' as const, hidden: [64, 32], activation: 'relu' as const },
    };
    const out = applyParams(base, {
      'optimizer.learningRate': 0.2,
      'optimizer.name': 'sgd',
      'model.hidden[0]': 16,
      'model.depth': 4,
    });
    expect(out.optimizer).toEqual({ name: 'sgd', learningRate: 0.2 });
    expect(out.model.hidden).toEqual([16, 32, 32, 32]);
    expect(applyParams(base, { 'model.depth': 1 }).model.hidden).toEqual([64]);
    expect(base.model.hidden).toEqual([64, 32]);
  });
});

describe('checkPaths: a path that names no setting is refused, with the setting it likely means', () => {
  const refusal = (path: string) => {
    try {
      checkPaths({ [path]: { type: 'log', min: 0.001, max: 0.1 } });
      return 'accepted';
    } catch (e) {
      return e instanceof ConfigError ? e.message : `not a ConfigError: ${String(e)}`;
    }
  };
  it('suggests by spelling, by the same words, and by the word PyTorch or Keras uses', () => {
    const cases: [string, string][] = [
      ['optimizer.lr', 'the optimizer has no field lr (did you mean "optimizer.learningRate"?; its fields: name, '],
      ['optimizer.learningrate', 'the optimizer has no field learningrate (did you mean "optimizer.learningRate"?'],
      ['optimizer.weight_decay', 'the optimizer has no field weight_decay (did you mean "optimizer.weightDecay"?'],
      ['optimizer.eps', 'the optimizer has no field eps (did you mean "optimizer.epsilon"?'],
      ['lr', 'does not name a run setting (did you mean "optimizer.learningRate"?; model, optimizer, '],
      ['learning_rate', 'does not name a run setting (did you mean "optimizer.learningRate"?; '],
      ['batch_size', 'does not name a run setting (did you mean "batchSize"?; '],
      ['batchsize', 'does not name a run setting (did you mean "batchSize"?; '],
    ];
    for (const [path, said] of cases) expect(refusal(path)).toContain(`sweep.space.${path}: ${said}`);
    // No likely setting: the list alone.
    expect(refusal('colour')).toMatch(/^sweep\.space\.colour: does not name a run setting \(model, optimizer, /);
    expect(refusal('optimizer.zzz')).toMatch(/the optimizer has no field zzz \(its fields: name, learningRate, /);
    // Paths that name settings pass.
    for (const path of ['optimizer.learningRate', 'optimizer.schedule.warmupSteps', 'batchSize', 'model.hidden.0'])
      expect(refusal(path)).toBe('accepted');
  });
});

describe('checkSpaceRuns: a dimension no trial could run is refused before any trial', () => {
  const base = { ...DEFAULT_SETTINGS, model: { type: 'mlp' as const, hidden: [16], activation: 'relu' as const } };
  const fieldOf = (space: SearchSpace) => {
    try {
      checkSpaceRuns(base, space);
      return 'accepted';
    } catch (e) {
      return e instanceof ConfigError ? e.message : `not a ConfigError: ${String(e)}`;
    }
  };
  const lr = { type: 'log', min: 0.001, max: 0.1 } as const;

  it('refuses a misspelt path, an end the settings refuse, and a choice value no trial could run', () => {
    expect(fieldOf({ 'optimizer.learningrate': lr })).toMatch(
      /^sweep\.space\.optimizer\.learningrate: no trial could run at 0\.001: optimizer\.learningrate: unknown field/,
    );
    expect(fieldOf({ 'optimizer.beta1': { type: 'float', min: 0.5, max: 1.5 } })).toMatch(
      /^sweep\.space\.optimizer\.beta1: no trial could run at 1\.5: optimizer\.beta1: /,
    );
    expect(fieldOf({ 'model.activation': { type: 'choice', values: ['relu', 'swish'] } })).toMatch(
      /^sweep\.space\.model\.activation: no trial could run at "swish": model\.activation: "swish" is unknown/,
    );
    // A model key the model type does not read would be carried along and never used.
    expect(fieldOf({ 'model.dropout': { type: 'float', min: 0, max: 0.5 } })).toMatch(
      /^sweep\.space\.model\.dropout: no trial could run at 0: model\.dropout: is not a setting of the mlp model/,
    );
    expect(fieldOf({ 'model.filters.0': { type: 'int', min: 4, max: 8 } })).toMatch(
      /^sweep\.space\.model\.filters\.0: /,
    );
  });

  it('leaves a dimension with more than 1,024 combinations of the other ends to its trials', () => {
    // Eleven other dimensions of two ends each: 2,048 combinations, not probed (so not refused).
    const space: SearchSpace = { 'optimizer.learningrate': lr };
    for (let i = 0; i < 11; i++) space[`model.hidden.${i}`] = { type: 'int', min: 4, max: 8 };
    expect(fieldOf(space)).toBe('accepted');
    delete space['model.hidden.10'];
    expect(fieldOf(space)).toMatch(/^sweep\.space\.optimizer\.learningrate: no trial could run/);
  });

  it('refuses a key a dscnn block does not take', () => {
    const dscnn = {
      ...base,
      model: {
        type: 'dscnn' as const,
        hidden: [8],
        activation: 'relu' as const,
        stem: 8,
        blocks: [{ filters: 8, stride: 1 as const }],
      },
    };
    expect(() => checkSpaceRuns(dscnn, { 'model.blocks.0.filters': { type: 'int', min: 4, max: 16 } })).not.toThrow();
    expect(() => checkSpaceRuns(dscnn, { 'model.blocks.0.filtrs': { type: 'int', min: 4, max: 16 } })).toThrow(
      /^sweep\.space\.model\.blocks\.0\.filtrs: no trial could run at 4: model\.blocks\.0\.filtrs: is not a block setting/,
    );
  });

  it("takes a dimension that runs beside another dimension's value, and names the dimension a failure is about", () => {
    // fp16-mixed runs with the wgsl engine of the choice, tfjs with fp32.
    const names = { type: 'choice' as const, values: ['momentum', 'nesterov'] };
    expect(fieldOf({ 'optimizer.name': names, 'optimizer.momentum': { type: 'float', min: 0.5, max: 0.9 } })).toBe(
      'accepted',
    );
    expect(
      fieldOf({
        engine: { type: 'choice', values: ['tfjs', 'wgsl'] },
        precision: { type: 'choice', values: ['fp32', 'fp16-mixed'] },
      }),
    ).toBe('accepted');
    expect(fieldOf({ precision: { type: 'choice', values: ['fp32', 'fp16-mixed'] } })).toMatch(
      /^sweep\.space\.precision: no trial could run at "fp16-mixed": precision: fp16-mixed runs on the wgsl engine only/,
    );
    // No trial with sgd of the choice could take the momentum dimension: named, the momentum dimension.
    expect(
      fieldOf({
        'optimizer.name': { type: 'choice', values: ['momentum', 'sgd'] },
        'optimizer.momentum': { type: 'float', min: 0.5, max: 0.9 },
      }),
    ).toMatch(
      /^sweep\.space\.optimizer\.momentum: no trial with optimizer\.name "sgd" could run: optimizer\.momentum: does not apply to sgd/,
    );
    expect(
      fieldOf({
        'optimizer.learningRate': lr,
        batchSize: { type: 'int', min: 8, max: 64 },
        'model.depth': { type: 'int', min: 1, max: 3 },
      }),
    ).toBe('accepted');
  });
});

describe('two objectives reach the sampler (MOTPE)', () => {
  const spec: SweepSpec = {
    sampler: 'tpe',
    scheduler: 'none',
    trials: 30,
    objective: ['valLoss', 'parameters'],
    space,
    maxBudget: 10,
    seed: 9,
  };
  const run = (second: ((t: TrialRecord) => number) | null) => {
    const d = new SweepDriver(spec);
    for (let guard = 0; !d.done() && guard < 100; guard++) {
      const t = d.next()!;
      d.report(t.trial, loss(t.params, t.budget), second ? second(t) : null);
    }
    return d.trials().map((t) => t.params);
  };

  it('a second objective equal to the first ranks as the first alone (same proposals); a conflicting one changes them', () => {
    const alone = run(null);
    expect(run((t) => loss(t.params, t.budget))).toEqual(alone);
    // Width as the second objective (a model's size), which pulls against the loss's optimum at 32.
    const withSize = run((t) => t.params.width as number);
    expect(withSize.slice(0, 10)).toEqual(alone.slice(0, 10)); // the random start-up trials
    expect(withSize.slice(10)).not.toEqual(alone.slice(10));
    const mean = (ps: TrialRecord['params'][]) => ps.reduce((a, p) => a + (p.width as number), 0) / ps.length;
    expect(mean(withSize.slice(10))).toBeLessThan(mean(alone.slice(10)));
  });
});
