/**
 * The one place a queued run's config and title are made, for runs on the dataset in use and
 * for streaming runs alike: a time budget asks the data side for BUDGET_EPOCHS epochs and the
 * trainer ends the run when it has trained `maxSeconds` after start-up; the title names the data
 * and its label.
 */
import type { RunConfig } from '../core/train/record';
import { configLabel } from '../core/train/results';
import { makeRunConfig, validateSettings, type RunSettings } from '../core/train/run-config';
import { defaultSplit } from '../core/data/split';
import { ConfigError } from '../core/errors';
import { parseWhere } from '../core/data/filter';
import { resolveTask } from '../core/data/encode';
import type { DatasetSlice } from './dataset-slice';

/** Epochs asked of the data worker when a time budget, not an epoch count, ends the run. */
export const BUDGET_EPOCHS = 100_000;

export interface QueuedConfig {
  config: RunConfig;
  budgetSec: number | null;
  title: string;
}

/** A run's title: its configuration, seed, and the file a streaming run reads. */
export function runTitle(config: RunConfig, budgetSec: number | null, streamName: string | null = null): string {
  return `${configLabel(config, budgetSec)} · seed ${config.seed}${streamName ? ` · streaming ${streamName}` : ''}`;
}

/** Config, budget and title of a run of `settings` on `data`. */
export function queuedConfig(
  settings: RunSettings,
  data: RunConfig['data'],
  streamName: string | null = null,
): QueuedConfig {
  const budgetSec = settings.timeBudgetSec ?? null;
  const config = {
    ...makeRunConfig({ ...settings, epochs: budgetSec ? BUDGET_EPOCHS : settings.epochs }, data),
    ...(budgetSec ? { maxSeconds: budgetSec } : {}),
  };
  return { config, budgetSec, title: runTitle(config, budgetSec, streamName) };
}

/**
 * A streaming run's config once the data worker has chosen its label and features from the
 * first chunk, and the title that now names them.
 */
export function withStreamedData(q: QueuedConfig, label: string, features: string[], streamName: string): QueuedConfig {
  const config = { ...q.config, data: { ...q.config.data, label, features: [...features] } };
  return { config, budgetSec: q.budgetSec, title: runTitle(config, q.budgetSec, streamName) };
}

/** A queued run's time budget: the seconds its config gives the training loop, or null. */
export function budgetOf(config: RunConfig): number | null {
  return config.maxSeconds ?? null;
}

/**
 * The data part of a run of `settings` on the dataset in use: its file, and the label and
 * features the data panel shows now (copied: the run keeps them whatever the panel does later).
 */
export function dataInUse(
  dataset: Pick<DatasetSlice, 'summary' | 'label' | 'features'> &
    Partial<Pick<DatasetSlice, 'where' | 'filter' | 'task'>>,
  settings: Pick<RunSettings, 'dedup' | 'seed'>,
): RunConfig['data'] {
  const { summary, label, features } = dataset;
  if (!summary || !label) throw new ConfigError('data', 'load a dataset first');
  // The Filters section's filter: checked here (it parses), and by the data worker (it applies).
  const where = (dataset.where ?? '').trim();
  if (where) {
    try {
      parseWhere(where);
    } catch (e) {
      throw new ConfigError('data.where', (e as Error).message);
    }
    const f = dataset.filter;
    if (f?.status === 'error' && f.where === where) throw new ConfigError('data.where', f.error ?? 'cannot be applied');
    if (f?.status === 'done' && f.where === where && f.rows === 0)
      throw new ConfigError('data.where', `the filter keeps none of the ${summary.rows} rows`);
  }
  // A task the label cannot have is refused here, naming the field, before anything is queued.
  const task = dataset.task ?? undefined;
  const stats = summary.columns.find((c) => c.name === label);
  if (task && stats) resolveTask(summary.name, label, stats, task);
  return {
    ...(where ? { where } : {}),
    ...(task ? { task } : {}),
    fingerprint: summary.fingerprint,
    name: summary.name,
    rows: summary.rows,
    label,
    features: [...features],
    dedup: settings.dedup ?? 'none',
    split: defaultSplit(settings.seed),
  };
}

/**
 * The config that trains a finished run's configuration again on `data` (engine and precision
 * included; a run stored before engines existed trained on tfjs; `budgetSec` for runs stored
 * before the budget was in the config). Checked as a form's settings are: throws a ConfigError.
 */
export function rerunConfig(config: RunConfig, budgetSec: number | null, data: RunConfig['data']): RunConfig {
  const budget = config.maxSeconds ?? budgetSec;
  const settings = configSettings(
    { ...config, engine: config.engine ?? 'tfjs' },
    data,
    budget,
    budget ? BUDGET_EPOCHS : config.epochs,
  );
  return queuedConfig(settings, data).config;
}

/**
 * The form settings a run config (a finished run's, or one read back from storage, unchecked)
 * was made from, checked by the form's own rules: every setting a config carries is named here
 * once, so a new one cannot be dropped by one of its readers. Throws a ConfigError.
 */
export function configSettings(
  c: Readonly<Record<string, unknown>> | RunConfig,
  data: RunConfig['data'],
  budget: number | null,
  epochs: unknown = (c as Record<string, unknown>).epochs,
): RunSettings {
  const v = c as Readonly<Record<string, unknown>>;
  return validateSettings({
    model: v.model,
    optimizer: v.optimizer,
    batchSize: v.batchSize,
    epochs,
    seed: v.seed,
    backend: v.backend,
    prefetch: v.prefetch,
    engine: v.engine,
    precision: v.precision,
    dedup: data.dedup,
    timeBudgetSec: budget,
    prepareOn: v.prepareOn,
    augment: v.augment,
    pruning: v.pruning,
    distill: v.distill,
  } as RunSettings);
}
