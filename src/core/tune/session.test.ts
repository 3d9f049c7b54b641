/**
 * A workbench sweep's replay: a driver rebuilt from the reported trials proposes exactly what the
 * live driver proposes next (TPE and Hyperband, with a second objective and failed trials); a
 * stored sweep whose trials were edited is refused; objectives are read from a run as the CLI
 * and the workbench both read them.
 */
import { describe, expect, it } from 'vitest';
import { SweepDriver, type SweepSpec } from './driver';
import { minimises, objectivesOf, replaySweep, sessionTrials, trialObjective, type SessionTrial } from './session';
import type { RunSummary } from '../train/record';

const spec: SweepSpec = {
  sampler: 'tpe',
  scheduler: 'hyperband',
  trials: 0,
  objective: ['valLoss', 'parameters'],
  space: {
    'optimizer.learningRate': { type: 'log', min: 1e-4, max: 1 },
    batchSize: { type: 'int', min: 8, max: 64 },
    'optimizer.name': { type: 'choice', values: ['sgd', 'adam'] },
  },
  maxBudget: 27,
  eta: 3,
  seed: 5,
};
const f = (p: Record<string, unknown>, budget: number) =>
  (Math.log10(p['optimizer.learningRate'] as number) + 2) ** 2 +
  (p['optimizer.name'] === 'adam' ? 0 : 0.5) +
  1 / budget;

describe('replaySweep', () => {
  it('rebuilds the driver: at every point of a sweep the replayed one proposes what the live one does', () => {
    const live = new SweepDriver(spec, true, true);
    const done: SessionTrial[] = [];
    for (let guard = 0; !live.done() && guard < 1000; guard++) {
      const t = live.next()!;
      // Each prefix of the history, replayed, proposes the same next trial as the live driver.
      if (t.trial % 5 === 0) {
        const replayed = replaySweep(spec, true, true, done);
        expect(replayed.next()).toEqual(t);
      }
      const objective = t.trial % 7 === 3 ? null : f(t.params, t.budget);
      const second = (t.params.batchSize as number) * 10;
      live.report(t.trial, objective, second);
      done.push({ ...t, objective, second, steps: t.budget, runId: `run-${t.trial}` });
    }
    expect(done.length).toBeGreaterThan(20);
    const replayed = replaySweep(spec, true, true, done);
    expect(replayed.done()).toBe(true);
    expect(replayed.trials()).toEqual(live.trials());
    expect(replayed.best()).toEqual(live.best());
    const kept = sessionTrials(replayed, done);
    expect(kept.map((t) => t.runId)).toEqual(done.map((t) => t.runId));
    expect(kept.map((t) => t.stoppedEarly)).toEqual(live.trials().map((t) => t.stoppedEarly));
  });

  it('refuses trials that are not what the sampler proposes there (edited, or out of order)', () => {
    const live = new SweepDriver(spec, true, true);
    const trials: SessionTrial[] = [];
    for (let i = 0; i < 4; i++) {
      const t = live.next()!;
      live.report(t.trial, 1, 1);
      trials.push({ ...t, objective: 1, second: 1, steps: t.budget, runId: null });
    }
    expect(() => replaySweep(spec, true, true, trials)).not.toThrow();
    const edited = trials.map((t, i) => (i === 2 ? { ...t, params: { ...t.params, batchSize: 9999 } } : t));
    expect(() => replaySweep(spec, true, true, edited)).toThrow(/sweep trial 3: its parameters are not the ones/);
    expect(() => replaySweep(spec, true, true, [trials[1]])).toThrow(/sweep trial 1/);
    expect(() => replaySweep({ ...spec, seed: 6 }, true, true, trials)).toThrow(/sweep trial 1/);
  });
});

describe('objectives of a run', () => {
  const summary: RunSummary = {
    status: 'done',
    medianSamplesPerSec: 900,
    samplesPerSec: 800,
    timeToTargetLoss: 2.5,
    finalValMetric: 0.9,
    model: { parameters: 1234, flopsPerSample: 5000 },
  };
  const epochs = [
    { epoch: 0, trainLoss: 1, valLoss: 0.8, valAccuracy: 0.7 },
    { epoch: 1, trainLoss: 0.5, valLoss: 0.4, valAccuracy: 0.9 },
  ];
  it('reads each objective from the summary or the last epoch; a failed run has none', () => {
    const run = { summary, epochs, failed: false };
    expect(trialObjective(run, 'valLoss')).toBe(0.4);
    expect(trialObjective(run, 'valMetric')).toBe(0.9);
    expect(trialObjective(run, 'timeToTarget')).toBe(2.5);
    expect(trialObjective(run, 'samplesPerSec')).toBe(800);
    expect(trialObjective(run, 'parameters')).toBe(1234);
    expect(trialObjective(run, 'flopsPerSample')).toBe(5000);
    expect(trialObjective({ ...run, failed: true }, 'valLoss')).toBeNull();
    expect(trialObjective({ ...run, summary: { ...summary, status: 'failed' } }, 'parameters')).toBeNull();
  });
  it('maximises accuracy and throughput, minimises the rest', () => {
    expect(minimises('valMetric', true)).toBe(false);
    expect(minimises('valMetric', false)).toBe(true);
    expect(minimises('samplesPerSec', false)).toBe(false);
    expect(minimises('parameters', true)).toBe(true);
    expect(objectivesOf(spec)).toEqual(['valLoss', 'parameters']);
    expect(objectivesOf({ objective: 'valMetric' })).toEqual(['valMetric', null]);
  });
});
