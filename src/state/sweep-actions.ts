/**
 * Sweep mode: successive halving over the configurations the form's matrix describes (one
 * seed each). The pure algorithm is core/train/sweep.ts; this queues each rung's runs with
 * the rung's epoch budget and, when a rung's runs have all ended, records them and queues
 * the survivors with eta times the epochs.
 */
import { ConfigError } from '../core/train/errors';
import { distinguishingLabels, lossReached, timeToTarget } from '../core/train/results';
import { makeRunConfig } from '../core/train/run-config';
import { recordTrial, startSweep } from '../core/train/sweep';
import { store, type RunView, type SweepForm, type SweepView } from './store';
import { enqueue, onRunFinished } from './queue';
import { formRuns, removeQueued } from './run-actions';
import { defaultSplit } from '../core/data/split';

let sweepCounter = 0;

export function updateSweepForm(patch: Partial<SweepForm>): void {
  store.setState((s) => ({ sweepForm: { ...s.sweepForm, ...patch }, settingsError: null }));
}

function queueRung(view: SweepView): void {
  const index = view.state.rungs.length - 1;
  const rung = view.state.rungs[index];
  enqueue(rung.keys.map((key) => ({
    settings: { ...view.settings[key], epochs: rung.budget, timeBudgetSec: null },
    sweep: { id: view.id, rung: index, key },
  })));
}

/** Starts a sweep over the form's combinations; refuses with a message in the form when it cannot. */
export function startSweepFromForm(): boolean {
  const state = store.getState();
  const { summary, label } = state.dataset;
  const fail = (message: string) => {
    store.setState({ settingsError: message });
    return false;
  };
  if (!summary || !label) return fail('load a dataset first');
  if (state.sweep?.status === 'running') return fail('a sweep is running: cancel it first');
  const f = state.sweepForm;
  try {
    if (state.settings.timeBudgetSec) throw new ConfigError('sweep', 'budgets are epochs: switch the run length to epochs');
    const combos = formRuns(state, 1);
    if (combos.length < 2) throw new ConfigError('sweep', 'needs at least two configurations: give several values for a setting (e.g. batch sizes 16, 64)');
    const keys = combos.map((_, i) => `c${i}`);
    const sweepState = startSweep(keys, { eta: f.eta, minBudget: f.minEpochs, maxBudget: f.maxEpochs, rankBy: f.rankBy });
    const data = { fingerprint: summary.fingerprint, name: summary.name, rows: summary.rows, label, features: [], dedup: 'none' as const, split: defaultSplit(1) };
    const labels = distinguishingLabels(combos.map((c) => ({ config: makeRunConfig({ ...c, epochs: 1 }, { ...data, dedup: c.dedup ?? 'none' }), budgetSec: null })));
    const view: SweepView = {
      id: `sweep-${Date.now().toString(36)}-${++sweepCounter}`,
      state: sweepState,
      settings: Object.fromEntries(keys.map((k, i) => [k, combos[i]])),
      labels: Object.fromEntries(keys.map((k, i) => [k, labels[i]])),
      targetLoss: state.view.targetLoss,
      status: 'running',
    };
    store.setState({ sweep: view, settingsError: null });
    queueRung(view);
    return true;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof RangeError) return fail(e.message);
    throw e;
  }
}

/** Stops queuing further rungs and takes the sweep's waiting runs out of the queue. */
export function cancelSweep(): void {
  const sweep = store.getState().sweep;
  if (!sweep || sweep.status !== 'running') return;
  store.setState({ sweep: { ...sweep, status: 'cancelled' } });
  for (const r of store.getState().runs) if (r.sweep?.id === sweep.id && r.status === 'queued') removeQueued(r.id);
}

function onFinished(run: RunView): void {
  const sweep = store.getState().sweep;
  if (!run.sweep || !sweep || run.sweep.id !== sweep.id || sweep.status !== 'running') return;
  const state = recordTrial(sweep.state, {
    key: run.sweep.key,
    rung: run.sweep.rung,
    budget: run.config.epochs,
    lossReached: lossReached(run.steps),
    timeToTarget: timeToTarget(run.steps, sweep.targetLoss),
    failed: run.status === 'failed',
  });
  const next: SweepView = { ...sweep, state, status: state.done ? 'done' : 'running' };
  store.setState({ sweep: next });
  if (!state.done && state.rungs.length > sweep.state.rungs.length) queueRung(next);
}

onRunFinished(onFinished);
