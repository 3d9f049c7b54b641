/**
 * `sweep` end to end on the penguins sample (tfjs cpu): Hyperband with TPE runs the plan's
 * trials, each for its budget of steps, and its best configuration, trained again for the same
 * steps, reaches the target loss in fewer steps than the default configuration (seeds 1; steps,
 * not seconds, so the comparison does not depend on the machine). Then the refusals.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hyperbandPlan } from '../../core/tune/hyperband';
import type { RunRecord } from '../../core/train/record';
import { shortNumber } from './sweep';

const PENGUINS = 'public/datasets/penguins.arrow';
const MNIST = 'public/datasets/mnist-2k.arrow';
const dir = mkdtempSync(join(tmpdir(), 'tb-sweep-'));
let n = 0;
const cli = (args: string[]) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 170_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const file = (o: unknown) => {
  const p = join(dir, `cfg-${++n}.json`);
  writeFileSync(p, JSON.stringify(o));
  return p;
};
const base = { epochs: 3, backend: 'cpu', model: { type: 'mlp', hidden: [16], activation: 'relu' } };
const space = {
  'optimizer.learningRate': { type: 'log', min: 0.0003, max: 0.3 },
  'optimizer.name': { type: 'choice', values: ['sgd', 'adam', 'lion'] },
  batchSize: { type: 'int', min: 8, max: 64 },
};

interface SweepOut {
  trials: {
    params: Record<string, unknown>;
    budget: number;
    objective: number | null;
    stoppedEarly: boolean;
    steps: number;
    error?: string;
  }[];
  best: { params: Record<string, unknown>; budget: number; objective: number; config: number };
}

/** Runs a sweep of `sweep` over the base config on penguins (or `data`); its JSON output. */
function sweepOf<T = SweepOut>(sweep: Record<string, unknown>, data = PENGUINS, from: object = base): T {
  const r = cli(['sweep', '--config', file({ ...from, sweep }), '--data', data, '--json', '--quiet']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** The first step at which the mean loss of the last 5 steps is at most `target` (Infinity: never). */
function stepsTo(rec: RunRecord, target: number): number {
  const l = rec.steps.map((s) => s.loss);
  for (let i = 4; i < l.length; i++) if ((l[i] + l[i - 1] + l[i - 2] + l[i - 3] + l[i - 4]) / 5 <= target) return i + 1;
  return Infinity;
}

/** The sweep's best configuration and the base one, each trained for 27 steps (seed 1) on `data`. */
function bestAgainstDefault(out: SweepOut, data: string, from: object): { best: RunRecord; plain: RunRecord } {
  const train = (extra: Record<string, unknown>) => {
    const t = cli([
      'train',
      '--config',
      file({ ...from, ...extra, maxSteps: 27 }),
      '--data',
      data,
      '--json',
      '--quiet',
    ]);
    expect(t.code).toBe(0);
    return JSON.parse(t.stdout) as RunRecord;
  };
  const p = out.best.params;
  return {
    best: train({
      optimizer: { name: p['optimizer.name'], learningRate: p['optimizer.learningRate'] },
      batchSize: p.batchSize,
    }),
    plain: train({}),
  };
}

/** The sweep the penguins and MNIST tests run: Hyperband (R = 27, eta 3) with TPE, sampler seed 2. */
const HYPERBAND_TPE = {
  sampler: 'tpe',
  scheduler: 'hyperband',
  objective: 'valLoss',
  maxBudget: 27,
  eta: 3,
  seed: 2,
  space,
};

describe('sweep', () => {
  it('Hyperband + TPE on penguins: the plan runs out within its budgets, and the best beats the default to the target loss', () => {
    const out = sweepOf(HYPERBAND_TPE);
    const plan = hyperbandPlan(27, 3);
    expect(out.trials.map((t) => t.budget)).toEqual(
      plan.flatMap((b) => b.rounds.flatMap((round) => new Array(round.configs).fill(round.budget))),
    );
    expect(out.trials.filter((t) => t.stoppedEarly).length).toBeGreaterThan(0);
    expect(out.trials.every((t) => t.objective !== null)).toBe(true);
    // Every trial ran its whole budget, whatever its batch size (epochs are raised to fit it).
    expect(out.trials.map((t) => t.steps)).toEqual(out.trials.map((t) => t.budget));
    expect(out.best.budget).toBe(27);
    expect(out.best.objective).toBe(Math.min(...out.trials.filter((t) => t.budget === 27).map((t) => t.objective!)));

    // The best configuration against the default one, 27 steps each, seed 1: steps to a loss of 0.3.
    const { best, plain } = bestAgainstDefault(out, PENGUINS, base);
    expect(stepsTo(best, 0.3)).toBeLessThan(stepsTo(plain, 0.3));
  }, 170_000);

  it('Hyperband + TPE on the MNIST sample: its best configuration reaches the target loss before the default one', () => {
    // The README's figures: 69 trials, seeds 2 (sampler) and 1 (every run), a loss of 0.8 in 19 steps against 24.
    const mnistBase = { ...base, model: { type: 'mlp', hidden: [32], activation: 'relu' } };
    const out = sweepOf(HYPERBAND_TPE, MNIST, mnistBase);
    expect(out.trials).toHaveLength(
      hyperbandPlan(27, 3).reduce((n, b) => n + b.rounds.reduce((m, r) => m + r.configs, 0), 0),
    );
    expect(out.trials.map((t) => t.steps)).toEqual(out.trials.map((t) => t.budget));
    const { best, plain } = bestAgainstDefault(out, MNIST, mnistBase);
    expect(stepsTo(best, 0.8)).toBeLessThan(stepsTo(plain, 0.8));
    expect(best.epochs.at(-1)!.valLoss!).toBeLessThan(plain.epochs.at(-1)!.valLoss!);
  }, 170_000);

  it('a time budget stops starting trials once it is spent, and says so', () => {
    // 1,000 trials of 20 steps take far longer than the 1 s budget on any machine (on an idle one,
    // 500 trials of 3 steps once finished inside a 2 s budget: the plan ran out first).
    const spec = { sampler: 'random', scheduler: 'none', trials: 1000, objective: 'valLoss', maxBudget: 20, space };
    const out = sweepOf<SweepOut & { stoppedByBudget: boolean }>({ ...spec, timeBudgetSec: 1 });
    expect(out.stoppedByBudget).toBe(true);
    expect(out.trials.length).toBeGreaterThan(0);
    expect(out.trials.length).toBeLessThan(1000);
    // Every trial that started finished (none is left without its result).
    expect(out.trials.every((t) => t.objective !== null)).toBe(true);
    const bad = cli([
      'sweep',
      '--config',
      file({ ...base, sweep: { ...spec, trials: 2, timeBudgetSec: 0 } }),
      '--data',
      PENGUINS,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/sweep\.timeBudgetSec: must be a number of seconds above 0/);
  }, 60_000);

  it('random search without a scheduler: every trial at the full budget; throughput maximised', () => {
    const out = sweepOf<SweepOut & { minimise: boolean }>({
      sampler: 'random',
      scheduler: 'none',
      trials: 4,
      objective: 'samplesPerSec',
      maxBudget: 5,
      space,
    });
    expect(out.minimise).toBe(false);
    expect(out.trials.map((t) => t.budget)).toEqual([5, 5, 5, 5]);
    expect(out.best.objective).toBe(Math.max(...out.trials.map((t) => t.objective!)));
  }, 60_000);

  it('prints objectives short (counts whole, rates rounded, others to 5 digits); its JSON keeps each digit', () => {
    expect([1507, 0.8829925761503332, 123456.78, -0.000123456789, 2.5e-9].map(shortNumber)).toEqual([
      '1507',
      '0.88299',
      '123457',
      '-0.00012346',
      '2.5000e-9',
    ]);
    const sweep = { sampler: 'random', scheduler: 'none', trials: 2, maxBudget: 2, seed: 5, space };
    const json = sweepOf(sweep);
    const text = cli(['sweep', '--config', file({ ...base, sweep }), '--data', PENGUINS, '--quiet']);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toBe(
      `best: config ${json.best.config + 1} ` +
        `at 2 steps, valLoss ${shortNumber(json.best.objective)}: ${JSON.stringify(json.best.params)}`,
    );
  }, 60_000);

  it('a trial that diverges has no objective and names why; the best is among the others', () => {
    const out = sweepOf({
      sampler: 'random',
      scheduler: 'none',
      trials: 6,
      objective: 'valLoss',
      maxBudget: 12,
      space: { 'optimizer.learningRate': { type: 'choice', values: [0.01, 1e30] } },
    });
    const diverged = out.trials.filter((t) => t.params['optimizer.learningRate'] === 1e30);
    const sane = out.trials.filter((t) => t.params['optimizer.learningRate'] === 0.01);
    expect(diverged.length).toBeGreaterThan(0);
    expect(sane.length).toBeGreaterThan(0);
    for (const t of diverged) {
      expect(t.objective).toBeNull();
      expect(t.error).toMatch(/^the run diverged: the training loss was/);
    }
    for (const t of sane) expect(Number.isFinite(t.objective)).toBe(true);
    expect(out.best.params['optimizer.learningRate']).toBe(0.01);
  }, 60_000);

  it('accuracy is maximised where the runs read a numeric label as classes; its loss minimised under regression', () => {
    const rows = Array.from({ length: 300 }, (_, i) => `${i % 10},${(i * 7) % 13},${(i % 10) * 2 + ((i * 3) % 5)}`);
    const digits = join(dir, 'digits.csv');
    writeFileSync(digits, `digit,a,b\n${rows.join('\n')}\n`);
    const sweep = { sampler: 'random', scheduler: 'none', trials: 3, objective: 'valMetric', maxBudget: 4, space };
    const classes = sweepOf<SweepOut & { minimise: boolean }>(sweep, digits);
    expect(classes.minimise).toBe(false);
    expect(classes.best.objective).toBe(Math.max(...classes.trials.map((t) => t.objective!)));
    const regression = sweepOf<SweepOut & { minimise: boolean }>(sweep, digits, {
      ...base,
      data: { task: 'regression' },
    });
    expect(regression.minimise).toBe(true);
    expect(regression.best.objective).toBe(Math.min(...regression.trials.map((t) => t.objective!)));
  }, 90_000);

  it('architecture search with two objectives: accuracy against parameters, and the Pareto front of them', () => {
    const out = sweepOf<SweepOut & { pareto: (SweepOut['trials'][number] & { second: number })[] }>({
      sampler: 'random',
      scheduler: 'none',
      trials: 8,
      seed: 3,
      objective: ['valMetric', 'parameters'],
      maxBudget: 12,
      space: { 'model.depth': { type: 'int', min: 1, max: 3 }, 'model.hidden.0': { type: 'int', min: 2, max: 48 } },
    });
    const trials = out.trials as (SweepOut['trials'][number] & { second: number })[];
    // Parameters, by hand: penguins has 10 inputs and 3 classes; the base's one hidden width is the
    // searched one, and a deeper model repeats the last width.
    for (const t of trials) {
      const depth = t.params['model.depth'] as number;
      const widths = [10, ...new Array<number>(depth).fill(t.params['model.hidden.0'] as number), 3];
      const params = widths.slice(1).reduce((n, w, i) => n + (widths[i] + 1) * w, 0);
      expect(t.second).toBe(params);
    }
    expect(out.pareto.length).toBeGreaterThan(0);
    for (const p of out.pareto)
      expect(
        trials.some(
          (q) =>
            q.objective! >= p.objective! &&
            q.second <= p.second &&
            (q.objective! > p.objective! || q.second < p.second),
        ),
      ).toBe(false);
  }, 60_000);

  /** A config whose sweep differs from a valid one by `over`. */
  const bad = (over: Record<string, unknown>) => ({
    ...base,
    sweep: { sampler: 'tpe', scheduler: 'none', trials: 2, objective: 'valLoss', maxBudget: 5, space, ...over },
  });
  const refused: [string, unknown, RegExp][] = [
    ['no sweep object', base, /^sweep: sweep: the config file has no "sweep" object/],
    [
      'an inverted range',
      bad({ space: { batchSize: { type: 'int', min: 64, max: 8 } } }),
      /^sweep: sweep\.space\.batchSize: the range is empty or inverted/,
    ],
    [
      'a path that is not a setting',
      bad({ space: { colour: { type: 'choice', values: ['red'] } } }),
      /^sweep: sweep\.space\.colour: does not name a run setting/,
    ],
    [
      "epochs, which a trial's budget of steps overrides (every trial would score alike)",
      bad({ space: { epochs: { type: 'choice', values: [1, 2] } } }),
      /^sweep: sweep\.space\.epochs: a trial trains its budget of steps whatever its epochs/,
    ],
    [
      'a misspelt setting path, before any trial',
      bad({ space: { 'optimizer.learningrate': { type: 'log', min: 0.001, max: 0.1 } } }),
      /^sweep: sweep\.space\.optimizer\.learningrate: the optimizer has no field learningrate \(did you mean "optimizer\.learningRate"\?; /,
    ],
    [
      'a space whose every trial fails on the data (exit 1, the first reason)',
      bad({ space: { batchSize: { type: 'int', min: 400, max: 600 } } }),
      /^sweep: batchSize: batch size \d+ is larger than the (\d+) training rows of penguins\.arrow \(set it to \1 or less\) \(each of the 2 trials failed; this was the first's reason\)/,
    ],
    [
      'timeToTarget without a target',
      bad({ objective: 'timeToTarget' }),
      /^sweep: targetLoss: the timeToTarget objective needs a target loss/,
    ],
    [
      'a Hyperband plan under one step',
      bad({ scheduler: 'halving', trials: 81, maxBudget: 9 }),
      /^sweep: sweep\.maxBudget: 9 steps cannot be halved 81 configurations deep/,
    ],
  ];

  for (const [what, cfg, message] of refused)
    it(`refuses ${what}, naming the field`, () => {
      const r = cli(['sweep', '--config', file(cfg), '--data', PENGUINS, '--quiet']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
});
