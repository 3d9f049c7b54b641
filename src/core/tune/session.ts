/**
 * A sweep that lives in a workbench rather than in one CLI process: its trials run one at a time
 * on the queue, it is stored and read back after a reload, and it travels in share links. What
 * is kept is the spec and every reported trial, in order; the driver (driver.ts) is rebuilt by
 * replaying them, since its sampler is seeded and proposes the same point for the same history.
 * A stored sweep whose trials do not replay to the same parameters and budgets is refused (it
 * was edited, or written by a sampler that has changed), never resumed half-right.
 */
import { DataError } from '../data/table';
import type { EpochRecord, RunSummary } from '../train/record';
import { SweepDriver, type SecondObjective, type SweepObjective, type SweepSpec, type TrialRecord } from './driver';

/** One finished trial as a sweep keeps it: the driver's record, the second objective, the run that trained it. */
export interface SessionTrial extends TrialRecord {
  second: number | null;
  /** Steps the run took (its budget unless it failed or ended early). */
  steps: number;
  /** The workbench run of this trial (null: it could not be queued, see `error`). */
  runId: string | null;
  /** Why the trial has no objective: its settings were refused, or its run failed. */
  error?: string;
}

/** The objectives of a spec: the first, and the second or null. */
export function objectivesOf(spec: Pick<SweepSpec, 'objective'>): [SweepObjective, SecondObjective | null] {
  return Array.isArray(spec.objective) ? [spec.objective[0], spec.objective[1]] : [spec.objective, null];
}

/** Accuracy and throughput are maximised; losses, times and sizes minimised. */
export function minimises(objective: SecondObjective, classification: boolean): boolean {
  return !(objective === 'samplesPerSec' || (objective === 'valMetric' && classification));
}

/** What a trial's run gives for an objective (null: it failed, or never reached the target). */
export function trialObjective(
  run: { summary: RunSummary | null; epochs: readonly EpochRecord[]; failed: boolean },
  objective: SecondObjective,
): number | null {
  const s = run.summary;
  if (run.failed || !s || s.status === 'failed') return null;
  switch (objective) {
    case 'parameters':
      return s.model?.parameters ?? null;
    case 'flopsPerSample':
      return s.model?.flopsPerSample ?? null;
    case 'valLoss':
      return run.epochs[run.epochs.length - 1]?.valLoss ?? null;
    case 'valMetric':
      return s.finalValMetric;
    case 'timeToTarget':
      return s.timeToTargetLoss;
    case 'samplesPerSec':
      return s.samplesPerSec ?? null;
  }
}

/**
 * The driver of `spec` after `trials` (in trial order, each reported before the next was asked
 * for, as the workbench runs them): throws a DataError when a trial is not what the driver
 * proposes at that point.
 */
export function replaySweep(
  spec: SweepSpec,
  minimise: boolean,
  minimiseSecond: boolean,
  trials: readonly Pick<SessionTrial, 'trial' | 'params' | 'budget' | 'objective' | 'second'>[],
): SweepDriver {
  const driver = new SweepDriver(spec, minimise, minimiseSecond);
  trials.forEach((t, i) => {
    const next = driver.next();
    const same =
      next !== null &&
      t.trial === i &&
      next.budget === t.budget &&
      JSON.stringify(Object.entries(next.params)) === JSON.stringify(Object.entries(t.params));
    if (!same)
      throw new DataError(
        `sweep trial ${i + 1}: ${next === null ? 'the sweep was over before it' : "its parameters are not the ones the sweep's sampler proposes there"} (a stored or shared sweep that does not add up)`,
      );
    driver.report(next.trial, t.objective, t.second);
  });
  return driver;
}

/** The trials a driver has, with what the session adds to each (second objective, steps, run, error). */
export function sessionTrials(driver: SweepDriver, known: readonly SessionTrial[]): SessionTrial[] {
  return driver.trials().map((r) => {
    const k = known[r.trial];
    return {
      ...r,
      second: k?.second ?? null,
      steps: k?.steps ?? 0,
      runId: k?.runId ?? null,
      ...(k?.error ? { error: k.error } : {}),
    };
  });
}
