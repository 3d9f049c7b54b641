/**
 * Sweep mode: successive halving over the configurations the form's matrix describes (one
 * seed each), run by the app's sweep (sweep-runner.ts) on the app's queue.
 */
import { ConfigError } from '../core/train/errors';
import { distinguishingLabels } from '../core/train/results';
import { store, type SweepForm } from './store';
import { formRuns } from './run-actions';
import { dataInUse, queuedConfig } from './queued-config';
import { app } from './app';

export function updateSweepForm(patch: Partial<SweepForm>): void {
  store.setState((s) => ({ sweepForm: { ...s.sweepForm, ...patch }, settingsError: null }));
}

/** Starts a sweep over the form's combinations; refuses with a message in the form when it cannot. */
export function startSweepFromForm(): boolean {
  const state = store.getState();
  const fail = (message: string) => {
    store.setState({ settingsError: message });
    return false;
  };
  if (!state.dataset.summary || !state.dataset.label) return fail('load a dataset first');
  if (state.sweep?.status === 'running') return fail('a sweep is running: cancel it first');
  try {
    if (state.settings.timeBudgetSec)
      throw new ConfigError('sweep', 'budgets are epochs: switch the run length to epochs');
    const combos = formRuns(state, 1);
    if (combos.length < 2)
      throw new ConfigError(
        'sweep',
        'needs at least two configurations: give several values for a setting (e.g. batch sizes 16, 64)',
      );
    // The configs, on the data panel's selection of now (the epochs are each rung's).
    const configs = combos.map((c) => queuedConfig(c, dataInUse(state.dataset, c)).config);
    const labels = distinguishingLabels(configs.map((config) => ({ config, budgetSec: null })));
    app().sweeps.start(configs, labels, state.sweepForm, state.view.targetLoss);
    return true;
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.message);
    throw e;
  }
}

/** Stops queuing further rungs and takes the sweep's waiting runs out of the queue. */
export function cancelSweep(): void {
  app().sweeps.cancel();
}
