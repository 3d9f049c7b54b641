/**
 * What the user can do, as plain functions over the store and the workers. Components call
 * these; nothing here renders.
 */
import { createWorkers } from '../workers/clients';
import { transfer } from '../workers/rpc';
import { makeRunConfig, validateSettings, type RunSettings } from '../core/train/run-config';
import { ConfigError } from '../core/train/errors';
import type { TrainerEvent } from '../workers/protocol';
import { store, updateRun, type RunView } from './store';

/** The bundled sample offered on first load. */
export const SAMPLE = { file: 'penguins.arrow', label: 'Species' };

let workers: ReturnType<typeof createWorkers> | null = null;
/** The source of the dataset in use, kept so it can be reloaded if the data worker dies. */
let currentSource: { name: string; blob: Blob } | null = null;
let runCounter = 0;

function getWorkers() {
  if (workers) return workers;
  workers = createWorkers((message) => {
    store.setState({ notice: `${message}. ${currentSource ? `Reloading ${currentSource.name}.` : ''}` });
    for (const r of store.getState().runs) {
      if (r.status === 'running' || r.status === 'paused') updateRun(r.id, () => ({ status: 'failed', error: message }));
    }
    if (currentSource && message.includes('data')) void loadBlob(currentSource.name, currentSource.blob);
  });
  workers.trainer.onEvent(onTrainerEvent);
  return workers;
}

function onTrainerEvent(e: TrainerEvent): void {
  if (e.type === 'steps') updateRun(e.runId, (r) => ({ steps: r.steps.concat(e.steps) }));
  else updateRun(e.runId, (r) => ({ epochs: r.epochs.concat(e.epoch) }));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Loads the bundled sample dataset. */
export async function loadSample(): Promise<void> {
  const url = `${import.meta.env.BASE_URL}datasets/${SAMPLE.file}`;
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    await loadBlob(SAMPLE.file, await res.blob(), SAMPLE.label);
  } catch (e) {
    store.setState((s) => ({ dataset: { ...s.dataset, status: s.dataset.summary ? 'ready' : 'idle', error: `${SAMPLE.file}: could not fetch the sample (${errorText(e)})` } }));
  }
}

/** Loads the first of the files a user dropped or picked. */
export async function loadFiles(files: FileList | File[]): Promise<void> {
  const file = files[0];
  if (file) await loadBlob(file.name, file);
}

/** Decodes a file in the data worker; on failure the dataset in use stays and the error is shown. */
export async function loadBlob(name: string, blob: Blob, preferredLabel?: string): Promise<void> {
  store.setState((s) => ({ dataset: { ...s.dataset, status: 'loading', loadingName: name, error: null } }));
  try {
    const bytes = await blob.arrayBuffer();
    const summary = await getWorkers().data.get().call('load', transfer({ name, bytes }, [bytes]));
    const previous = store.getState().dataset.summary;
    if (previous) void getWorkers().data.get().call('forget', { datasetId: previous.id }).catch(() => undefined);
    currentSource = { name, blob };
    const label = preferredLabel && summary.columns.some((c) => c.name === preferredLabel) ? preferredLabel : summary.defaultLabel;
    const features = label === summary.defaultLabel ? summary.defaultFeatures : summary.columns.filter((c) => c.name !== label && c.nulls <= summary.rows / 2).map((c) => c.name);
    store.setState({ dataset: { status: 'ready', summary, loadingName: null, error: null, label, features } });
  } catch (e) {
    store.setState((s) => ({ dataset: { ...s.dataset, status: s.dataset.summary ? 'ready' : 'idle', loadingName: null, error: errorText(e) } }));
  }
}

/** Chooses the label column; every other usable column becomes a feature. */
export function setLabel(label: string): void {
  const { summary } = store.getState().dataset;
  if (!summary) return;
  const features = summary.columns.filter((c) => c.name !== label && c.nulls <= summary.rows / 2).map((c) => c.name);
  store.setState((s) => ({ dataset: { ...s.dataset, label, features } }));
}

/** Toggles one feature column. */
export function toggleFeature(name: string): void {
  store.setState((s) => {
    const has = s.dataset.features.includes(name);
    return { dataset: { ...s.dataset, features: has ? s.dataset.features.filter((f) => f !== name) : [...s.dataset.features, name] } };
  });
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

  const w = getWorkers();
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
  if (!id || !workers) return;
  updateRun(id, (r) => (r.status === 'running' || r.status === 'paused' ? { status: action === 'pause' ? 'paused' : 'running' } : {}));
  void workers.trainer.get().call('control', { runId: id, action });
}

export const stopRun = () => control('stop');
export const pauseRun = () => control('pause');
export const resumeRun = () => control('resume');
