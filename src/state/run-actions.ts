/**
 * What the user can do with runs: change the settings and the matrix over them, queue every
 * combination, pause / resume / stop the running run, remove a waiting run, delete finished
 * runs. Components call these; nothing here renders.
 */
import { checkEngineSupports, validateSettings, type RunSettings } from '../core/train/run-config';
import { ConfigError } from '../core/train/errors';
import { engineCombos, expandMatrix, optimizerFor, stepsFor } from '../core/share/matrix';
import { OPTIMIZER_DEFAULTS, type OptimizerName } from '../core/train/optimizer-spec';
import { store, type MatrixSlice, type ViewSlice, type WorkbenchState } from './store';
import { dataInUse, queuedConfig } from './queued-config';
import { app } from './app';

/** Runs one form submission may queue at most. */
export const MAX_QUEUE_ADD = 256;

export function updateSettings(patch: Partial<RunSettings>): void {
  store.setState((s) => ({ settings: { ...s.settings, ...patch }, settingsError: null }));
}

/**
 * Changes the matrix; the base settings follow the first value of each axis, so they stay
 * the configuration the form shows first.
 */
export function updateMatrix(patch: Partial<MatrixSlice>): void {
  store.setState((s) => {
    const matrix = { ...s.matrix, ...patch };
    let settings = s.settings;
    if (patch.learningRate?.length)
      settings = { ...settings, optimizer: { ...settings.optimizer, learningRate: patch.learningRate[0] } };
    if (patch.batchSize?.length) settings = { ...settings, batchSize: patch.batchSize[0] };
    if (patch.backend?.length) settings = { ...settings, backend: patch.backend[0] };
    if (patch.engine?.length) settings = { ...settings, engine: patch.engine[0] };
    if (patch.precision?.length) settings = { ...settings, precision: patch.precision[0] };
    if (patch.dedup?.length) settings = { ...settings, dedup: patch.dedup[0] };
    return { matrix, settings, settingsError: null };
  });
}

/**
 * Picks the optimizers to compare (at least one). Hyper-parameters that apply to none of them
 * are dropped, since the validator refuses fields that do not apply.
 */
export function setOptimizers(names: OptimizerName[]): void {
  if (names.length === 0) return;
  store.setState((s) => {
    const spec = { ...s.settings.optimizer, name: names[0] };
    for (const key of ['momentum', 'beta1', 'beta2', 'epsilon', 'rho', 'weightDecay'] as const) {
      if (!names.some((n) => OPTIMIZER_DEFAULTS[n][key] !== undefined)) delete spec[key];
    }
    return {
      settings: { ...s.settings, optimizer: spec },
      matrix: { ...s.matrix, optimizer: names },
      settingsError: null,
    };
  });
}

export function updateView(patch: Partial<ViewSlice>): void {
  store.setState((s) => ({ view: { ...s.view, ...patch } }));
}

/** Shows or hides a run on the charts. */
export function toggleRunVisible(id: string): void {
  store.setState((s) => ({
    view: {
      ...s.view,
      hidden: s.view.hidden.includes(id) ? s.view.hidden.filter((h) => h !== id) : [...s.view.hidden, id],
    },
  }));
}

/** Estimated training rows (the 80 % split) of the dataset in use. */
function trainRowsEstimate(s: WorkbenchState): number {
  return Math.max(1, Math.round((s.dataset.summary?.rows ?? 1) * 0.8));
}

/**
 * Every combination the form describes, validated, with a cosine schedule's total steps
 * filled in from each combination's batch size when left blank. Engine × precision pairs the
 * engine cannot honour are left out (the form says which); when nothing is left, throws the
 * ConfigError of the first pair. Throws a ConfigError.
 */
export function formRuns(s: WorkbenchState, repeats = s.matrix.repeats): RunSettings[] {
  const base = s.settings;
  if (!Number.isInteger(repeats) || repeats < 1 || repeats > 100)
    throw new ConfigError('repeats', `must be a whole number from 1 to 100, got ${repeats}`);
  const names = s.matrix.optimizer.length ? s.matrix.optimizer : [base.optimizer.name];
  const all = expandMatrix(base, { ...s.matrix, optimizer: names }, repeats);
  if (all.length === 0) {
    const first = engineCombos(base, s.matrix).leftOut[0];
    if (first) checkEngineSupports(first.engine, first.precision, base.prepareOn);
    throw new ConfigError('matrix', 'leaves no combination to run');
  }
  if (all.length > MAX_QUEUE_ADD)
    throw new ConfigError('matrix', `makes ${all.length} runs; ${MAX_QUEUE_ADD} at most at once`);
  return all.map((r) => {
    let settings = { ...r, optimizer: optimizerFor(r.optimizer, r.optimizer.name) };
    const sched = settings.optimizer.schedule;
    if (sched?.type === 'cosine' && sched.totalSteps === undefined) {
      if (settings.timeBudgetSec)
        throw new ConfigError(
          'optimizer.schedule.totalSteps',
          'is needed with a time budget (the run length is not known in steps)',
        );
      settings = {
        ...settings,
        optimizer: {
          ...settings.optimizer,
          schedule: { ...sched, totalSteps: stepsFor(trainRowsEstimate(s), settings.batchSize, settings.epochs) },
        },
      };
    }
    return validateSettings(settings);
  });
}

/** Queues every combination of the form and seed; shows the first bad field instead when there is one. */
export function addToQueue(): boolean {
  const state = store.getState();
  if (!state.dataset.summary || !state.dataset.label) {
    store.setState({ settingsError: 'load a dataset first' });
    return false;
  }
  try {
    // Each run's config is made now, on the data panel's selection of now: it never follows later edits.
    app().queue.enqueue(
      formRuns(state).map((settings) => ({
        config: queuedConfig(settings, dataInUse(state.dataset, settings)).config,
      })),
    );
    return true;
  } catch (e) {
    if (e instanceof ConfigError) {
      store.setState({ settingsError: e.message });
      return false;
    }
    throw e;
  }
}

/** Takes a waiting run out of the queue (a sweep waiting for it hears of it as a failure). */
export function removeQueued(id: string): void {
  app().queue.remove(id);
}

/**
 * Queues again the runs that were waiting when the page last closed; a message when the dataset in use is not theirs.
 */
export function queueRestored(): string | null {
  return app().queue.queueRestored();
}

/** Forgets the runs that were waiting when the page last closed. */
export function discardRestored(): void {
  app().queue.discardRestored();
}

/** Deletes a finished run (and its stored copy). */
export function deleteRun(id: string): void {
  store.setState((s) => ({
    runs: s.runs.filter((r) => r.id !== id || r.status === 'running' || r.status === 'paused' || r.status === 'queued'),
    activeRunId: s.activeRunId === id ? null : s.activeRunId,
    view: { ...s.view, hidden: s.view.hidden.filter((h) => h !== id) },
  }));
}

/** Deletes every finished run (and the stored copies); the queue and the running run stay. */
export function clearRuns(): void {
  store.setState((s) => {
    const runs = s.runs.filter((r) => r.status === 'running' || r.status === 'paused' || r.status === 'queued');
    return {
      runs,
      activeRunId: runs.some((r) => r.id === s.activeRunId) ? s.activeRunId : null,
      view: { ...s.view, hidden: [], baselineKey: null },
    };
  });
}

export const stopRun = () => app().queue.control('stop');
export const pauseRun = () => app().queue.control('pause');
export const resumeRun = () => app().queue.control('resume');
