/**
 * The workbench's state: a vanilla zustand store (React binds to it in src/ui). Slices:
 * the dataset, the run settings, the runs and the environment. Actions live in actions.ts.
 */
import { createStore } from 'zustand/vanilla';
import type { DatasetSummary } from '../workers/protocol';
import type { EpochRecord, Environment, RunConfig, RunStatus, RunSummary, StepRecord } from '../core/train/record';
import { DEFAULT_SETTINGS, type RunSettings } from '../core/train/run-config';

export interface DatasetSlice {
  status: 'idle' | 'loading' | 'ready';
  /** The dataset in use: kept when a later load fails. */
  summary: DatasetSummary | null;
  loadingName: string | null;
  error: string | null;
  label: string | null;
  features: string[];
}

export interface RunView {
  id: string;
  title: string;
  config: RunConfig;
  environment: Environment | null;
  status: RunStatus;
  steps: StepRecord[];
  epochs: EpochRecord[];
  summary: RunSummary | null;
  error: string | null;
  info: string | null;
}

export interface WorkbenchState {
  dataset: DatasetSlice;
  settings: RunSettings;
  settingsError: string | null;
  runs: RunView[];
  activeRunId: string | null;
  environment: Environment | null;
  /** A message about something that went wrong outside a run or a load (a worker crash). */
  notice: string | null;
}

export const initialState: WorkbenchState = {
  dataset: { status: 'idle', summary: null, loadingName: null, error: null, label: null, features: [] },
  settings: DEFAULT_SETTINGS,
  settingsError: null,
  runs: [],
  activeRunId: null,
  environment: null,
  notice: null,
};

export const store = createStore<WorkbenchState>()(() => initialState);

/** Applies `fn` to one run. */
export function updateRun(id: string, fn: (r: RunView) => Partial<RunView>): void {
  store.setState((s) => ({ runs: s.runs.map((r) => (r.id === id ? { ...r, ...fn(r) } : r)) }));
}
