/**
 * A search on the workbench's queue (core/tune: a sampler, a scheduler, an objective): one trial
 * at a time, since TPE learns from each result before proposing the next and the trainer runs one
 * run anyway. A trial is a run of the search's settings with the trial's parameters written in,
 * ending after the trial's budget of steps (`maxSteps`). When its run ends the objective is read
 * from it, reported, and the next trial queued. The search is kept as its spec and finished
 * trials (SearchView), so it is stored, resumed after a reload by replaying them (session.ts),
 * and shared.
 */
import type { StoreApi } from 'zustand/vanilla';
import { ConfigError } from '../core/errors';
import type { SweepDriver } from '../core/tune/driver';
import { applyParams } from '../core/tune/apply';
import { objectivesOf, replaySweep, sessionTrials, trialObjective, type SessionTrial } from '../core/tune/session';
import { validateSettings } from '../core/train/run-config';
import { queuedConfig } from './queued-config';
import type { RunQueue } from './queue';
import type { RunView, SearchView, WorkbenchState } from './store';

/** Tag of a search's runs (RunView.sweep): the search's id and the trial. */
export const SEARCH_TAG = 'trial';

export interface Searches {
  /** Starts `view` (status running, no trials yet); the caller has checked that no search is running. */
  start(view: SearchView): void;
  /** Goes on with an interrupted search (stored before a reload): its driver is rebuilt from its trials. */
  resume(): void;
  /** Stops queuing trials and takes the waiting one out of the queue. */
  cancel(): void;
}

export function createSearches({ store, queue }: { store: StoreApi<WorkbenchState>; queue: RunQueue }): Searches {
  let driver: SweepDriver | null = null;
  let driverOf: string | null = null;

  const set = (patch: Partial<SearchView>) => {
    const s = store.getState().search;
    if (s) store.setState({ search: { ...s, ...patch } });
  };

  /** The search's trials as the driver has them, with what the view adds (runs, steps, errors). */
  const trialsNow = (view: SearchView, extra: SessionTrial[] = view.trials) => sessionTrials(driver!, extra);

  /** Queues the next trial, or ends the search. Trials whose settings are refused are reported as failed. */
  const queueNext = (): void => {
    for (;;) {
      const view = store.getState().search;
      if (!view || view.status !== 'running' || !driver || driverOf !== view.id) return;
      const budget = view.spec.timeBudgetSec;
      if (budget !== null && view.spentSec >= budget && !driver.done()) {
        set({ status: 'done', stoppedByBudget: true });
        return;
      }
      const t = driver.next();
      if (t === null) {
        set({ status: 'done', trials: trialsNow(view) });
        return;
      }
      try {
        const applied = applyParams(view.settings, t.params);
        // Enough epochs for the budget to bind (an epoch has at least one step): a trial runs its budget.
        const settings = validateSettings({
          ...applied,
          epochs: Math.max(applied.epochs, t.budget),
          timeBudgetSec: null,
        });
        const config = { ...queuedConfig(settings, view.data).config, maxSteps: t.budget };
        const [runId] = queue.enqueue([{ config, sweep: { id: view.id, rung: t.trial, key: SEARCH_TAG } }]);
        const known = [...view.trials];
        known[t.trial] = { ...t, second: null, steps: 0, runId };
        set({ trials: trialsNow(view, known) });
        return;
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        const known = [...view.trials];
        known[t.trial] = { ...t, second: null, steps: 0, runId: null, error: e.message };
        driver.report(t.trial, null, null);
        set({ trials: trialsNow(view, known) });
      }
    }
  };

  queue.onRunFinished((run: RunView) => {
    const view = store.getState().search;
    if (!run.sweep || run.sweep.key !== SEARCH_TAG || !view || run.sweep.id !== view.id) return;
    if (view.status !== 'running' || !driver || driverOf !== view.id) return;
    const trial = run.sweep.rung;
    const [first, second] = objectivesOf(view.spec);
    const failed = run.status === 'failed';
    const source = { summary: run.summary, epochs: run.epochs, failed };
    const objective = trialObjective(source, first);
    const secondValue = second ? trialObjective(source, second) : null;
    driver.report(trial, objective, secondValue);
    const known = [...view.trials];
    known[trial] = {
      ...known[trial],
      second: secondValue,
      steps: run.steps.length,
      runId: run.id,
      ...(failed && run.error ? { error: run.error } : {}),
    };
    const tookSec = run.startedAt !== null && run.finishedAt !== null ? (run.finishedAt - run.startedAt) / 1000 : 0;
    set({ trials: trialsNow(view, known), spentSec: view.spentSec + Math.max(0, tookSec) });
    queueNext();
  });

  return {
    start(view) {
      driver = replaySweep(view.spec, view.minimise, view.minimiseSecond, []);
      driverOf = view.id;
      store.setState({ search: { ...view, status: 'running', trials: [] }, settingsError: null });
      queueNext();
    },

    resume() {
      const view = store.getState().search;
      if (!view || view.status !== 'interrupted') return;
      // Only the trials with a result replay; the one that was training when the page closed runs again.
      const kept: SessionTrial[] = [];
      for (const t of view.trials) {
        const reported = t.objective !== null || t.steps > 0 || t.error !== undefined;
        if (t.trial !== kept.length || !reported) break;
        kept.push(t);
      }
      try {
        driver = replaySweep(view.spec, view.minimise, view.minimiseSecond, kept);
      } catch (e) {
        store.setState({ notice: `the stored search cannot go on: ${(e as Error).message}` });
        return;
      }
      driverOf = view.id;
      store.setState({ search: { ...view, status: 'running', trials: sessionTrials(driver, kept) } });
      queueNext();
    },

    cancel() {
      const view = store.getState().search;
      if (!view || view.status !== 'running') return;
      set({ status: 'cancelled' });
      for (const r of store.getState().runs)
        if (r.sweep?.id === view.id && r.sweep.key === SEARCH_TAG && r.status === 'queued') queue.remove(r.id);
    },
  };
}
