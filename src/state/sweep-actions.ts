/**
 * Sweep mode: successive halving over the configurations the form's matrix describes (one
 * seed each), run by the app's sweep (sweep-runner.ts) on the app's queue; and search mode: a
 * search space sampled by TPE or at random under Hyperband or halving (core/tune), run by the
 * app's searches (search-runner.ts) one trial at a time.
 */
import { ConfigError } from '../core/train/errors';
import { distinguishingLabels } from '../core/train/results';
import { initialState, store, type SearchForm, type SearchView, type SweepForm } from './store';
import { validateSweep, type SweepSpec } from '../core/tune/driver';
import type { SearchSpace } from '../core/tune/space';
import { applyParams, checkPaths, checkSpaceRuns } from '../core/tune/apply';
import { minimises, objectivesOf, replaySweep, type SessionTrial } from '../core/tune/session';
import { validateSettings } from '../core/train/run-config';
import { formRuns } from './run-actions';
import { dataInUse, queuedConfig } from './queued-config';
import { app } from './app';
import { resolveTask } from '../core/data/encode';

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

/** Edits the Search form (the space editor and the search's settings). */
export function updateSearchForm(patch: Partial<SearchForm>): void {
  store.setState((s) => ({ searchForm: { ...s.searchForm, ...patch }, settingsError: null }));
}

/** A choice's values as typed: numbers and true/false as such, anything else as text. */
export function parseChoice(text: string): (string | number | boolean)[] {
  return text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v) => (v === 'true' ? true : v === 'false' ? false : /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(v) ? Number(v) : v));
}

/** The form's search as a sweep spec, checked (a ConfigError names the dimension or field). */
export function searchSpec(form: SearchForm): Required<SweepSpec> {
  const space: SearchSpace = {};
  for (const r of form.rows) {
    if (!r.path.trim()) throw new ConfigError('sweep.space', 'a dimension has no setting picked');
    if (space[r.path]) throw new ConfigError(`sweep.space.${r.path}`, 'is searched twice');
    space[r.path] =
      r.type === 'choice'
        ? { type: 'choice', values: parseChoice(r.values) }
        : { type: r.type, min: r.min, max: r.max };
  }
  const spec = validateSweep({
    sampler: form.sampler,
    scheduler: form.scheduler,
    trials: form.trials,
    objective: form.second === 'none' ? form.objective : [form.objective, form.second],
    space,
    maxBudget: form.maxBudget,
    eta: form.eta,
    seed: form.seed,
    timeBudgetSec: form.timeBudgetSec,
  });
  checkPaths(spec.space);
  return spec;
}

/** Starts a search over the form's space on the dataset in use; refuses with a message in the form when it cannot. */
export function startSearchFromForm(): boolean {
  const state = store.getState();
  const fail = (message: string) => {
    store.setState({ settingsError: message });
    return false;
  };
  if (!state.dataset.summary || !state.dataset.label) return fail('load a dataset first');
  if (state.search?.status === 'running') return fail('a search is running: cancel it first');
  if (state.sweep?.status === 'running') return fail('a sweep is running: cancel it first');
  try {
    const spec = searchSpec(state.searchForm);
    const [first, second] = objectivesOf(spec);
    const targetLoss = state.view.targetLoss;
    if ((first === 'timeToTarget' || second === 'timeToTarget') && targetLoss === null)
      throw new ConfigError('sweep.objective', 'time to target needs a target loss (set it above the charts)');
    const combos = formRuns(state, 1);
    if (combos.length !== 1)
      throw new ConfigError(
        'sweep',
        `the Run form describes ${combos.length} configurations (several values in a field); a search starts from ` +
          'one and varies the settings of its space itself: give one value per field',
      );
    if (combos[0].timeBudgetSec)
      throw new ConfigError('sweep', 'trials are budgeted in steps: switch the run length to epochs');
    const settings = combos[0];
    checkSpaceRuns(settings, spec.space);
    const data = dataInUse(state.dataset, settings);
    // Accuracy is maximised where the label is classes, as the runs will read it (data.task, or the label's values).
    const label = state.dataset.summary.columns.find((c) => c.name === data.label);
    const classification =
      label !== undefined && resolveTask(state.dataset.summary.name, data.label, label, data.task) === 'classification';
    app().searches.start({
      id: `search-${Date.now().toString(36)}`,
      spec,
      settings,
      data,
      targetLoss,
      minimise: minimises(first, classification),
      minimiseSecond: second ? minimises(second, classification) : true,
      trials: [],
      status: 'running',
      spentSec: 0,
      stoppedByBudget: false,
    });
    return true;
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.message);
    throw e;
  }
}

export function cancelSearch(): void {
  app().searches.cancel();
}

export function resumeSearch(): void {
  app().searches.resume();
}

/** The search's best trial at the largest budget reached (replayed: a shared search is checked so). */
export function bestOfSearch(view: SearchView): SessionTrial | null {
  const done = view.trials.filter((t) => t.objective !== null || t.steps > 0 || t.error !== undefined);
  const best = replaySweep(view.spec, view.minimise, view.minimiseSecond, done).best();
  return best ? (view.trials[best.trial] ?? null) : null;
}

/** Puts a trial's settings into the Run form (the search's settings with the trial's parameters). */
export function trialToForm(view: SearchView, trial: SessionTrial): void {
  try {
    const settings = validateSettings({ ...applyParams(view.settings, trial.params), timeBudgetSec: null });
    // The form's lists (a matrix) would hide the trial's single values: cleared.
    store.setState((s) => ({
      settings,
      matrix: { ...initialState.matrix, repeats: s.matrix.repeats },
      settingsError: null,
      notice: null,
    }));
  } catch (e) {
    store.setState({ settingsError: `trial ${trial.trial + 1}: ${(e as Error).message}` });
  }
}
