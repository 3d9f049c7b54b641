import { describe, expect, it } from 'vitest';
import {
  configKey,
  lossText,
  configLabel,
  distinguishingLabels,
  groupResults,
  lossReached,
  runSamplesPerSec,
  runSteadySamplesPerSec,
  sortRows,
  speedUp,
  stat,
  timeToTarget,
  type RunResultInput,
} from './results';
import { DEFAULT_SETTINGS, makeRunConfig } from './run-config';
import { Rng } from '../data/rng';
import type { Environment, StepRecord } from './record';

const env: Environment = {
  runtime: 'chrome 140',
  adapter: { vendor: 'google', architecture: 'swiftshader' },
  features: [],
  f16Path: 'none',
  backend: 'webgpu',
  fallbackReason: null,
};
const data = {
  fingerprint: 'f',
  name: 'penguins.arrow',
  rows: 344,
  label: 'Species',
  features: ['a'],
  dedup: 'none' as const,
  split: { train: 0.8, val: 0.1, test: 0.1, seed: 1 },
};

function steps(losses: number[], dt = 1): StepRecord[] {
  return losses.map((loss, i) => ({
    step: i,
    epoch: 0,
    time: i * dt,
    loss,
    samplesPerSec: 100,
    dataWaitMs: 0,
    gpuMs: null,
    readbackMs: 0,
  }));
}

function run(
  id: string,
  batchSize: number,
  seed: number,
  sps: number,
  losses: number[],
  acc: number | null = 0.9,
): RunResultInput {
  return {
    id,
    config: makeRunConfig({ ...DEFAULT_SETTINGS, batchSize, seed }, { ...data, split: { ...data.split, seed } }),
    environment: env,
    status: 'done',
    steps: steps(losses),
    epochs: [{ epoch: 0, trainLoss: 1, valLoss: 0.5, valAccuracy: acc }],
    summary: { status: 'done', medianSamplesPerSec: sps, timeToTargetLoss: null, finalValMetric: acc },
  };
}

describe('configKey', () => {
  it('ignores the seed (and the split seed) and nothing else', () => {
    const a = run('a', 16, 1, 1, [1]).config;
    const b = run('b', 16, 2, 1, [1]).config;
    const c = run('c', 64, 1, 1, [1]).config;
    expect(configKey(a)).toBe(configKey(b));
    expect(configKey(a)).not.toBe(configKey(c));
    expect(configKey(a, 30)).not.toBe(configKey(a));
    expect(configKey({ ...a, optimizer: { ...a.optimizer, learningRate: 0.02 } })).not.toBe(configKey(a));
  });
});

describe('engine and precision in keys and labels', () => {
  const tfjs = run('t', 16, 1, 1, [1]).config;
  const wgsl = { ...tfjs, engine: 'wgsl' as const };
  const mixed = { ...wgsl, precision: 'fp16-mixed' as const };

  it('keys a config recorded before the engine existed like a tfjs one, and wgsl apart', () => {
    const { engine: _engine, ...old } = tfjs;
    expect(configKey(old as typeof tfjs)).toBe(configKey(tfjs));
    expect(configKey(wgsl)).not.toBe(configKey(tfjs));
    expect(configKey(mixed)).not.toBe(configKey(wgsl));
  });

  it('names engine and precision where they differ, and leaves the defaults out of a lone label', () => {
    const labels = distinguishingLabels([tfjs, wgsl, mixed].map((config) => ({ config, budgetSec: null })));
    expect(labels).toEqual(['tfjs · fp32', 'wgsl · fp32', 'wgsl · fp16-mixed']);
    expect(distinguishingLabels([tfjs, wgsl].map((config) => ({ config, budgetSec: null })))).toEqual(['tfjs', 'wgsl']);
    expect(configLabel(tfjs)).not.toMatch(/tfjs|fp32/);
    expect(configLabel(mixed)).toContain('wgsl · fp16-mixed');
  });

  it('keys a streamed run apart from one loaded whole, and names the difference', () => {
    const streamed = { ...tfjs, data: { ...tfjs.data, stream: true } };
    expect(configKey(streamed)).not.toBe(configKey(tfjs));
    expect(distinguishingLabels([tfjs, streamed].map((config) => ({ config, budgetSec: null })))).toEqual([
      'loaded whole',
      'streamed',
    ]);
  });

  it('gives fp16-mixed rows the loss scale and skipped steps over their runs', () => {
    const m = (id: string, seed: number, lossScale: number, skippedSteps: number): RunResultInput => {
      const r = run(id, 16, seed, 1000, [2, 1]);
      return {
        ...r,
        config: { ...r.config, engine: 'wgsl', precision: 'fp16-mixed' },
        summary: { ...r.summary!, lossScale, skippedSteps },
      };
    };
    const rows = groupResults([run('a', 16, 1, 1000, [2, 1]), m('m1', 1, 32768, 2), m('m2', 2, 16384, 5)], null);
    expect(rows[0].lossScale.n).toBe(0);
    expect(rows[1].lossScale).toEqual({ median: 24576, min: 16384, max: 32768, n: 2 });
    expect(rows[1].skippedSteps).toEqual({ median: 3.5, min: 2, max: 5, n: 2 });
  });
});

describe('regression rows', () => {
  it("give the final validation RMSE in the label's units over the seeds; classification rows have none", () => {
    const reg = (id: string, seed: number, epochs: [number, number][]): RunResultInput => {
      const r = run(id, 32, seed, 1000, [2, 1], null);
      return {
        ...r,
        epochs: epochs.map(([valLoss, valRmse], epoch) => ({
          epoch,
          trainLoss: 1,
          valLoss,
          valAccuracy: null,
          valRmse,
        })),
      };
    };
    // The last epoch counts: 4, 5 and 9 (their median 5), not the first epochs' 40.
    const rows = groupResults(
      [
        reg('r1', 1, [
          [0.9, 40],
          [0.2, 4],
        ]),
        reg('r2', 2, [
          [0.9, 40],
          [0.3, 5],
        ]),
        reg('r3', 3, [
          [0.9, 40],
          [0.9, 9],
        ]),
        run('c', 64, 1, 1000, [2, 1]),
      ],
      null,
    );
    expect(rows[0].valKind).toBe('loss');
    expect(rows[0].finalRmse).toEqual({ median: 5, min: 4, max: 9, n: 3 });
    expect(rows[1].finalRmse.n).toBe(0);
  });
});

describe('timeToTarget and lossReached', () => {
  it('uses the trailing mean of the loss', () => {
    const s = steps([4, 2, 2, 0.5, 0.5, 0.5]);
    // window 2: means 4, 3, 2, 1.25, 0.5 -> reaches 1.25 at step 3, 0.5 at step 4
    expect(timeToTarget(s, 1.25, 2)).toBe(3);
    expect(timeToTarget(s, 0.5, 2)).toBe(4);
    expect(timeToTarget(s, 0.1, 2)).toBeNull();
    expect(timeToTarget(s, null, 2)).toBeNull();
    // raw loss (window 1) reaches 2 at step 1
    expect(timeToTarget(s, 2, 1)).toBe(1);
    expect(lossReached(s, 3)).toBeCloseTo(0.5);
    expect(lossReached([], 3)).toBeNull();
  });
});

describe('groupResults', () => {
  const runs = [
    run('a1', 16, 1, 1000, [3, 2, 1]),
    run('b1', 64, 1, 4000, [3, 2.5, 2], 0.8),
    run('a2', 16, 2, 1200, [3, 1, 0.5], 0.95),
    run('a3', 16, 3, 900, [3, 3, 3], 0.7),
    run('b2', 64, 2, 3000, [3, 1, 1], 0.85),
    { ...run('q', 32, 1, 0, []), status: 'queued' as const, summary: null, epochs: [] },
  ];

  it('keeps runs from a share link in their own row, labelled with where they ran', () => {
    const shared = { ...run('s1', 16, 1, 9000, [3, 2, 1]), origin: 'webgpu · nvidia hopper' };
    const rows = groupResults([runs[0], runs[2], shared], 1);
    expect(rows.map((r) => r.runIds)).toEqual([['a1', 'a2'], ['s1']]);
    expect(rows.map((r) => r.label)).toEqual(['here', 'shared: webgpu · nvidia hopper']);
    expect(rows[1].fullLabel).toContain('shared: webgpu · nvidia hopper');
    expect(configKey(shared.config, null, shared.origin)).not.toBe(configKey(shared.config));
  });

  it('makes one row per configuration with medians and min-max over the seeds', () => {
    const rows = groupResults(runs, 1);
    expect(rows).toHaveLength(2);
    const [a, b] = rows;
    expect(a.runIds).toEqual(['a1', 'a2', 'a3']);
    expect(a.seeds).toEqual([1, 2, 3]);
    expect(a.samplesPerSec).toEqual({ median: 1000, min: 900, max: 1200, n: 3 });
    expect(b.samplesPerSec).toEqual({ median: 3500, min: 3000, max: 4000, n: 2 });
    expect(a.finalVal).toEqual({ median: 0.9, min: 0.7, max: 0.95, n: 3 });
    expect(a.valKind).toBe('accuracy');
    // the labels say what differs
    expect(a.label).toBe('batch 16');
    expect(b.label).toBe('batch 64');
    expect(a.environment).toBe('webgpu · google swiftshader');
  });

  it('takes time to target over the runs that reached it', () => {
    // window 10 covers every step here: trailing means a1 3,2.5,2 ; a2 3,2,1.5 ; a3 3,3,3 ; b1 3,2.75,2.5 ; b2 3,2,1.67
    const [a, b] = groupResults(runs, 2);
    expect(a.timeToTarget).toEqual({ median: 1.5, min: 1, max: 2, n: 2 });
    expect(b.timeToTarget).toEqual({ median: 1, min: 1, max: 1, n: 1 });
  });

  it('computes the speed-up against a baseline row both ways', () => {
    const [a, b] = groupResults(runs, 2);
    expect(speedUp(b, a)).toBeCloseTo(3.5);
    expect(speedUp(a, a)).toBe(1);
    expect(speedUp(b, a, 'timeToTarget')).toBeCloseTo(1.5);
    const [, none] = groupResults(runs, 0.01);
    expect(speedUp(none, none, 'timeToTarget')).toBeNull();
  });

  it('sorts by each column with missing values last either way', () => {
    const rows = groupResults([...runs, run('c1', 128, 1, 2000, [3, 3, 3], null)], 2);
    expect(sortRows(rows, 'samplesPerSec', 'desc').map((r) => r.label)).toEqual(['batch 64', 'batch 128', 'batch 16']);
    expect(sortRows(rows, 'samplesPerSec', 'asc').map((r) => r.label)).toEqual(['batch 16', 'batch 128', 'batch 64']);
    expect(sortRows(rows, 'timeToTarget', 'asc').map((r) => r.label)).toEqual(['batch 64', 'batch 16', 'batch 128']);
    expect(sortRows(rows, 'timeToTarget', 'desc').map((r) => r.label)).toEqual(['batch 16', 'batch 64', 'batch 128']);
    expect(sortRows(rows, 'speedUp', 'desc', 'timeToTarget').map((r) => r.label)).toEqual([
      'batch 64',
      'batch 16',
      'batch 128',
    ]);
    expect(sortRows(rows, 'config', 'asc').map((r) => r.label)).toEqual(['batch 128', 'batch 16', 'batch 64']);
  });

  it('agrees with a brute-force median on random groups', () => {
    let x = 12345;
    const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + Math.floor(rnd() * 7);
      const values = Array.from({ length: n }, () => Math.round(rnd() * 1000));
      const s = stat(values);
      const sorted = [...values].sort((p, q) => p - q);
      const below = sorted.filter((v) => v < s.median!).length;
      const above = sorted.filter((v) => v > s.median!).length;
      expect(below).toBeLessThanOrEqual(n / 2);
      expect(above).toBeLessThanOrEqual(n / 2);
      expect(s.min).toBe(sorted[0]);
      expect(s.max).toBe(sorted[n - 1]);
    }
    expect(stat([null, NaN])).toEqual({ median: null, min: null, max: null, n: 0 });
  });
});

describe('pruned rows against their dense twin', () => {
  const pruning = { targetSparsity: 0.9, startStep: 10, endStep: 100, every: 10 };
  const pruned = (id: string, seed: number, acc: number, sparsity: number): RunResultInput => {
    const r = run(id, 16, seed, 100, [1, 0.5], acc);
    return {
      ...r,
      config: { ...r.config, pruning },
      summary: { ...r.summary!, sparsity, nonZeroParameters: 1000 - Math.round(1000 * sparsity) },
    };
  };

  it('the change is the median over the seeds both rows have of (pruned - dense); sparsity and non-zero counts', () => {
    const rows = groupResults(
      [
        run('d1', 16, 1, 100, [1, 0.5], 0.9),
        run('d2', 16, 2, 100, [1, 0.5], 0.8),
        run('d3', 16, 3, 100, [1, 0.5], 0.85),
        pruned('p1', 1, 0.88, 0.9), // -0.02
        pruned('p2', 2, 0.81, 0.9), // +0.01
        pruned('p3', 3, 0.8, 0.89), // -0.05
        pruned('p4', 4, 0.99, 0.9), // no dense twin of seed 4: not in the change
        run('other', 64, 1, 100, [1, 0.5], 0.5),
      ],
      null,
    );
    expect(rows).toHaveLength(3);
    const [dense, prunedRow, other] = rows;
    expect(dense.againstDense).toBeNull();
    expect(other.againstDense).toBeNull();
    expect(prunedRow.againstDense?.seeds).toBe(3);
    expect(prunedRow.againstDense?.change).toBeCloseTo(-0.02, 12);
    expect(prunedRow.sparsity).toMatchObject({ median: 0.9, min: 0.89, max: 0.9, n: 4 });
    expect(prunedRow.nonZeroParameters.median).toBe(100);
    expect(dense.sparsity.n).toBe(0);
    expect(prunedRow.label).toContain('pruned 90% (steps 10-100, every 10)');
    expect(dense.label).toBe('batch 16 · dense');
  });

  it('a pruned row with no dense twin has no change to show', () => {
    const rows = groupResults([pruned('p1', 1, 0.88, 0.9), run('x', 64, 1, 100, [1, 0.5], 0.9)], null);
    expect(rows[0].againstDense).toBeNull();
  });
});

describe('distilled rows against the same student trained alone', () => {
  const distill = { teacher: '/records/big run.json', temperature: 4, alpha: 0.5 };
  const distilled = (id: string, seed: number, acc: number): RunResultInput => {
    const r = run(id, 16, seed, 100, [1, 0.5], acc);
    return { ...r, config: { ...r.config, distill } };
  };

  it('the change is the median over common seeds of (distilled - alone); another teacher is another row', () => {
    const rows = groupResults(
      [
        run('a1', 16, 1, 100, [1, 0.5], 0.8),
        run('a2', 16, 2, 100, [1, 0.5], 0.82),
        distilled('d1', 1, 0.85), // +0.05
        distilled('d2', 2, 0.85), // +0.03
        distilled('d3', 3, 0.5), // no lone twin of seed 3
        {
          ...distilled('e1', 1, 0.7),
          config: { ...distilled('e1', 1, 0.7).config, distill: { ...distill, alpha: 0.1 } },
        },
      ],
      null,
    );
    expect(rows).toHaveLength(3);
    const [alone, d, e] = rows;
    expect(alone.againstAlone).toBeNull();
    expect(d.againstAlone?.seeds).toBe(2);
    expect(d.againstAlone?.change).toBeCloseTo(0.04, 12);
    expect(e.againstAlone?.change).toBeCloseTo(-0.1, 12);
    expect(d.againstDense).toBeNull();
    expect(d.label).toContain('distilled from big run.json (T 4, α 0.5)');
    expect(alone.label).toContain('no teacher');
  });
});

describe('two throughputs under their own names', () => {
  const steps = [1000, 3000, 2000].map((samplesPerSec, step) => ({
    step,
    epoch: 0,
    time: step,
    loss: 1,
    samplesPerSec,
    dataWaitMs: 0,
    gpuMs: null,
    readbackMs: 0,
  }));
  it('a finished run is ranked by its end-to-end rate; the steady-state median stays beside it', () => {
    const summary = {
      status: 'done' as const,
      medianSamplesPerSec: 2000,
      samplesPerSec: 1500,
      timeToTargetLoss: null,
      finalValMetric: null,
    };
    expect(runSamplesPerSec({ summary, steps })).toBe(1500);
    expect(runSteadySamplesPerSec({ summary, steps })).toBe(2000);
  });
  it('a run recorded without the end-to-end figure, or still running, falls back to the median', () => {
    expect(
      runSamplesPerSec({
        summary: { status: 'done', medianSamplesPerSec: 2000, timeToTargetLoss: null, finalValMetric: null },
        steps,
      }),
    ).toBe(2000);
    expect(runSamplesPerSec({ summary: null, steps })).toBe(2000);
  });
});

describe('lossText', () => {
  it('prints 4 decimals in the usual range and 4 significant digits far outside it, the value kept', () => {
    expect(lossText(0.51143)).toBe('0.5114');
    expect(lossText(0)).toBe('0.0000');
    expect(lossText(7.329492173549415e28)).toBe('7.329e+28');
    expect(lossText(1.25e-7)).toBe('1.250e-7');
    expect(lossText(NaN)).toBe('NaN');
    // Seeded: the text reads back within its own precision, and is never longer than 11 characters (a sign and 10).
    const rng = new Rng(3);
    for (let i = 0; i < 2000; i++) {
      const x = (rng.next() < 0.5 ? -1 : 1) * 10 ** (rng.next() * 60 - 30);
      const t = lossText(x);
      expect(t.length, t).toBeLessThanOrEqual(11);
      const a = Math.abs(x);
      const tolerance = a >= 1e-3 && a < 1e5 ? 5e-5 : a * 5e-4;
      expect(Math.abs(Number(t) - x), `${x} -> ${t}`).toBeLessThanOrEqual(tolerance * (1 + 1e-9));
    }
  });
});
