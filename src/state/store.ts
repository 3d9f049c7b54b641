/**
 * The workbench's state: a vanilla zustand store (React binds to it in src/ui). Slices:
 * the dataset, the run settings and the matrix over them, the runs (queued, running and
 * finished: the single source of truth, which persistence mirrors), the sweep, the view
 * settings of the comparison and the environment. Actions live in *-actions.ts; the queue and
 * the sweep are objects the app makes with their services (app.ts).
 */
import { createStore } from 'zustand/vanilla';
import { initialDataset, type DatasetSlice } from './dataset-slice';

export type { DatasetSlice } from './dataset-slice';
import type { Task } from '../core/data/encode';
import type { QuantizeReport } from '../core/compress/quantize';
import type { EpochRecord, Environment, RunConfig, RunStatus, RunSummary, StepRecord } from '../core/train/record';
import { DEFAULT_SETTINGS, type RunSettings } from '../core/train/run-config';
import type { MatrixAxes } from '../core/share/matrix';
import type { SpeedUpBy } from '../core/train/results';
import type { SweepRankBy, SweepState } from '../core/train/sweep';
import type { SecondObjective, SweepObjective, SweepSpec } from '../core/tune/driver';
import type { SessionTrial } from '../core/tune/session';
import type { SharedDataset } from '../core/share/link';
import type { WaitingRun } from './waiting';

export type RunPhase = 'backend' | 'data' | 'model' | 'first-step' | 'training';

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
  /** Index into the chart palette, fixed at creation so a run keeps its colour. */
  colour: number;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Stop after this many seconds of training (after start-up, pauses not counted), or null. */
  budgetSec: number | null;
  /**
   * While a run starts: starting the backend, preparing the data, building the model, or its
   * first step (shader compilation); 'training' after that. Not persisted.
   */
  phase?: RunPhase;
  /** Steps the run will make when it runs to the end (known once the data is prepared). */
  expectedSteps: number | null;
  /** Set when a sweep made the run: which sweep, rung and configuration. */
  sweep: { id: string; rung: number; key: string } | null;
  /** The model quantized and evaluated (Quantize in the run list); this session only, not stored. */
  quantized?: QuantizeReport | null;
  /** Validation rows (dataset rows) the finished model gets wrong, with the class it predicted. */
  misclassified?: { row: number; predicted: string }[];
  /** Set for runs opened from a share link: where they were trained (adapter or backend). */
  origin?: string | null;
  /** Streaming runs: the file the data worker decodes while training (never persisted). */
  stream?: StreamSourceFile;
}

/**
 * A file a streaming run decodes while training. `task`: what the whole file's statistics say
 * the label is (the stream offer's *auto*), so that the run reads it so and not as its first
 * chunk alone would (a first chunk with at most 20 whole values of a label with more); the run's
 * config keeps `data.task` unset, as a filtered run keeps the whole dataset's answer.
 */
export interface StreamSourceFile {
  name: string;
  blob: Blob;
  task?: Task;
}

/** Several values for some settings, and how many seeds to repeat each combination over. */
export interface MatrixSlice extends Required<MatrixAxes> {
  repeats: number;
}

/** How the comparison is shown and measured. */
export interface ViewSlice {
  /** Loss that "time to target" measures against; null for none. */
  targetLoss: number | null;
  /** Result row (configuration key) the speed-up is measured against; null: the first row. */
  baselineKey: string | null;
  speedUpBy: SpeedUpBy;
  /** Runs hidden from the charts (the legend toggles them). */
  hidden: string[];
}

/**
 * A successive-halving sweep: its state, and per configuration key its config (made once, when
 * the sweep starts: each rung trains it with the rung's epochs) and label.
 */
export interface SweepView {
  id: string;
  state: SweepState;
  configs: Record<string, RunConfig>;
  labels: Record<string, string>;
  targetLoss: number | null;
  status: 'running' | 'done' | 'cancelled';
}

export interface SweepForm {
  eta: number;
  minEpochs: number;
  maxEpochs: number;
  rankBy: SweepRankBy;
}

/** One dimension as the search-space editor holds it (`values`: a choice's values, comma-separated). */
export interface SpaceRow {
  path: string;
  type: 'log' | 'float' | 'int' | 'choice';
  min: number;
  max: number;
  values: string;
}

/** The Search form: a space and how to search it (core/tune's SweepSpec, as edited). */
export interface SearchForm {
  rows: SpaceRow[];
  sampler: SweepSpec['sampler'];
  scheduler: SweepSpec['scheduler'];
  objective: SweepObjective;
  /** A second objective (Pareto front), or none. */
  second: SecondObjective | 'none';
  /** Steps of the longest trial (R). */
  maxBudget: number;
  eta: number;
  /** Configurations tried (none, halving); Hyperband's plan sets its own. */
  trials: number;
  seed: number;
  /** Seconds of trials after which no new one starts, or null. */
  timeBudgetSec: number | null;
}

/**
 * A search (TPE or random sampling, Hyperband or halving: core/tune) on the queue, one trial at a
 * time: the spec, the form's settings and data it started from, and every trial so far. Stored
 * (kept over a reload, resumed on request) and carried in share links (read-only there).
 */
export interface SearchView {
  id: string;
  spec: Required<SweepSpec>;
  settings: RunSettings;
  data: RunConfig['data'];
  targetLoss: number | null;
  minimise: boolean;
  minimiseSecond: boolean;
  trials: SessionTrial[];
  /** interrupted: the page closed while it ran (resume goes on where it stopped); shared: opened from a link. */
  status: 'running' | 'done' | 'cancelled' | 'interrupted' | 'shared';
  /** Seconds its trials' runs took so far (what the spec's time budget counts). */
  spentSec: number;
  /** True when the time budget ended it before its plan ran out. */
  stoppedByBudget: boolean;
}

export interface StorageSlice {
  /** Runs restored from local storage at start-up (null until the restore finished). */
  restored: number | null;
  /** What went wrong with local storage, if anything (runs still work, they just do not persist). */
  error: string | null;
}

/** The share link made from this workbench's finished runs. */
export interface ShareSlice {
  status: 'idle' | 'working' | 'ready' | 'error';
  url: string | null;
  /** Length of the link in characters, and how many runs it holds. */
  chars: number;
  runs: number;
  error: string | null;
}

/** A comparison opened from a share link (or why it could not be opened). */
export interface SharedSlice {
  error: string | null;
  dataset: SharedDataset | null;
  runIds: string[];
  createdAt: number | null;
  /** Where the shared runs were trained. */
  origins: string[];
  /** What happened when asked to run the shared configurations here. */
  rerun: string | null;
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
  matrix: MatrixSlice;
  view: ViewSlice;
  sweep: SweepView | null;
  sweepForm: SweepForm;
  search: SearchView | null;
  searchForm: SearchForm;
  storage: StorageSlice;
  share: ShareSlice;
  shared: SharedSlice | null;
  /**
   * Runs that were waiting when the page last closed, offered back until queued again or
   * discarded; with the sweep in progress then, if any (queued again, it goes on).
   */
  restoredQueue: { runs: WaitingRun[]; dropped: number; sweep?: SweepView | null } | null;
}

export const initialState: WorkbenchState = {
  dataset: initialDataset,
  settings: DEFAULT_SETTINGS,
  settingsError: null,
  runs: [],
  activeRunId: null,
  environment: null,
  notice: null,
  matrix: {
    optimizer: [],
    learningRate: [],
    batchSize: [],
    backend: [],
    engine: [],
    precision: [],
    dedup: [],
    repeats: 1,
  },
  view: { targetLoss: 0.5, baselineKey: null, speedUpBy: 'throughput', hidden: [] },
  sweep: null,
  sweepForm: { eta: 2, minEpochs: 1, maxEpochs: 8, rankBy: 'loss' },
  search: null,
  searchForm: {
    rows: [
      { path: 'optimizer.learningRate', type: 'log', min: 0.0003, max: 0.3, values: '' },
      { path: 'batchSize', type: 'int', min: 8, max: 128, values: '' },
      { path: 'optimizer.name', type: 'choice', min: 0, max: 0, values: 'sgd, momentum, adam' },
    ],
    sampler: 'tpe',
    scheduler: 'hyperband',
    objective: 'valLoss',
    second: 'none',
    maxBudget: 27,
    eta: 3,
    trials: 20,
    seed: 1,
    timeBudgetSec: null,
  },
  storage: { restored: null, error: null },
  share: { status: 'idle', url: null, chars: 0, runs: 0, error: null },
  shared: null,
  restoredQueue: null,
};

export const store = createStore<WorkbenchState>()(() => initialState);
