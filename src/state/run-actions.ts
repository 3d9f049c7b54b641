/**
 * What the user can do with runs: change settings, start, pause, resume and stop.
 * Components call these; nothing here renders.
 */
import { transfer } from '../workers/rpc';
import { makeRunConfig, validateSettings, type RunSettings } from '../core/train/run-config';
import { ConfigError } from '../core/train/errors';
import type { TrainerEvent } from '../workers/protocol';
import { store, updateRun, type RunView } from './store';
import { errorText, existingWorkers, getWorkers, onWorkerDeath } from './workers';

let runCounter = 0;
let subscribed = false;

onWorkerDeath((message) => {
  store.setState({ notice: message });
  for (const r of store.getState().runs) {
    if (r.status === 'running' || r.status === 'paused') updateRun(r.id, () => ({ status: 'failed', error: message }));
  }
});

function onTrainerEvent(e: TrainerEvent): void {
  if (e.type === 'steps') updateRun(e.runId, (r) => ({ steps: r.steps.concat(e.steps) }));
  else updateRun(e.runId, (r) => ({ epochs: r.epochs.concat(e.epoch) }));
}

function workers(): ReturnType<typeof getWorkers> {
  const w = getWorkers();
  if (!subscribed) {
    w.trainer.onEvent(onTrainerEvent);
    subscribed = true;
  }
  return w;
}

export function updateSettings(patch: Partial<RunSettings>): void {
  store.setState((s) => ({ settings: { ...s.settings, ...patch }, settingsError: null }));
}

function runTitle(s: RunSettings): string {
  return `${s.model.type.toUpperCase()} ${s.model.hidden.join('x') || 'linear'} · ${s.optimizer.name} ${s.optimizer.learningRate} · batch ${s.batchSize}`;
}

/** Starts a run with the current settings on the dataset in use. */
export async function startRun(): Promise<void> {
  const state = store.getState();
  const { summary, label, features } = state.dataset;
  if (!summary || !label) {
    store.setState({ settingsError: 'load a dataset first' });
    return;
  }
  let settings: RunSettings;
  try {
    settings = validateSettings(state.settings);
  } catch (e) {
    if (e instanceof ConfigError) {
      store.setState({ settingsError: e.message });
      return;
    }
    throw e;
  }
  const config = makeRunConfig(settings, {
    fingerprint: summary.fingerprint,
    name: summary.name,
    rows: summary.rows,
    label,
    features,
    dedup: 'none',
    split: { train: 0.8, val: 0.1, test: 0.1, seed: settings.seed },
  });
  const id = `run-${Date.now().toString(36)}-${++runCounter}`;
  const run: RunView = { id, title: runTitle(settings), config, environment: null, status: 'running', steps: [], epochs: [], summary: null, error: null, info: null };
  store.setState((s) => ({ runs: [...s.runs, run], activeRunId: id, settingsError: null }));

  const w = workers();
  try {
    const trainer = w.trainer.get();
    const environment = store.getState().environment ?? (await trainer.call('init', { preferred: settings.backend }));
    store.setState({ environment });
    updateRun(id, () => ({ environment }));
    const channel = new MessageChannel();
    const prepared = await w.data.get().call(
      'prepareRun',
      transfer(
        { runId: id, datasetId: summary.id, features: { label, features }, split: config.data.split, batchSize: settings.batchSize, epochs: settings.epochs, seed: settings.seed, prefetch: settings.prefetch, port: channel.port1 },
        [channel.port1],
      ),
    );
    updateRun(id, () => ({ info: `${prepared.trainRows} training rows · ${prepared.task.dim} features${prepared.classes ? ` · ${prepared.classes.length} classes` : ' · regression'}${prepared.droppedMissingLabel ? ` · ${prepared.droppedMissingLabel} rows without a label dropped` : ''}` }));
    const valBuffers = prepared.task.val ? [prepared.task.val.x.buffer, prepared.task.val.y.buffer] : [];
    const result = await trainer.call('train', transfer({ runId: id, config, task: prepared.task, port: channel.port2 }, [channel.port2, ...valBuffers]));
    updateRun(id, () => ({ status: result.status, summary: result }));
  } catch (e) {
    updateRun(id, () => ({ status: 'failed', error: errorText(e) }));
  }
}

function control(action: 'pause' | 'resume' | 'stop'): void {
  const id = store.getState().activeRunId;
  const w = existingWorkers();
  if (!id || !w) return;
  updateRun(id, (r) => (r.status === 'running' || r.status === 'paused' ? { status: action === 'pause' ? 'paused' : 'running' } : {}));
  void w.trainer.get().call('control', { runId: id, action });
}

export const stopRun = () => control('stop');
export const pauseRun = () => control('pause');
export const resumeRun = () => control('resume');
