/**
 * A successive-halving sweep over configs (core/train/sweep.ts is the pure algorithm): each
 * rung's runs are queued with the rung's epoch budget; when a rung's runs have all ended, they
 * are recorded and the survivors are queued with eta times the epochs. The configs are made
 * once, when the sweep starts (the data panel's selection of then), like any queued run's.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { RunConfig } from '../core/train/record';
import { lossReached, timeToTarget } from '../core/train/results';
import { recordTrial, startSweep } from '../core/train/sweep';
import type { RunQueue } from './queue';
import type { RunView, SweepForm, SweepView, WorkbenchState } from './store';

export interface Sweeps {
  /** Starts a sweep over `configs` (labelled `labels`, at least two); the caller has checked that none is running. */
  start(
    configs: readonly RunConfig[],
    labels: readonly string[],
    form: SweepForm,
    targetLoss: number | null,
  ): SweepView;
  /** Stops queuing further rungs and takes the sweep's waiting runs out of the queue. */
  cancel(): void;
}

export function createSweeps({ store, queue }: { store: StoreApi<WorkbenchState>; queue: RunQueue }): Sweeps {
  let sweepCounter = 0;
  const queueRung = (view: SweepView): void => {
    const index = view.state.rungs.length - 1;
    const rung = view.state.rungs[index];
    queue.enqueue(
      rung.keys.map((key) => ({
        config: { ...view.configs[key], epochs: rung.budget },
        sweep: { id: view.id, rung: index, key },
      })),
    );
  };

  queue.onRunFinished((run: RunView) => {
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
  });

  return {
    start(configs, labels, form, targetLoss) {
      const keys = configs.map((_, i) => `c${i}`);
      const view: SweepView = {
        id: `sweep-${Date.now().toString(36)}-${++sweepCounter}`,
        state: startSweep(keys, {
          eta: form.eta,
          minBudget: form.minEpochs,
          maxBudget: form.maxEpochs,
          rankBy: form.rankBy,
        }),
        configs: Object.fromEntries(keys.map((k, i) => [k, configs[i]])),
        labels: Object.fromEntries(keys.map((k, i) => [k, labels[i]])),
        targetLoss,
        status: 'running',
      };
      store.setState({ sweep: view, settingsError: null });
      queueRung(view);
      return view;
    },

    cancel() {
      const sweep = store.getState().sweep;
      if (!sweep || sweep.status !== 'running') return;
      store.setState({ sweep: { ...sweep, status: 'cancelled' } });
      for (const r of store.getState().runs) if (r.sweep?.id === sweep.id && r.status === 'queued') queue.remove(r.id);
    },
  };
}
