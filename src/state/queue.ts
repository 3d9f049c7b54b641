/**
 * The run queue: runs wait in the store with status 'queued' and go to the one trainer worker
 * one after another. A run with a time budget carries it as `config.maxSeconds`: the trainer
 * ends it after that much training past start-up (paused time not counted). Each run records
 * its start-up phase by phase. Whoever registers with `onRunFinished` hears of every run that ends.
 */
import { transfer, type RpcClient } from '../workers/rpc';
import type { DedupReport } from '../core/data/quality';
import type { RunSettings } from '../core/train/run-config';
import type { RunConfig } from '../core/train/record';
import { timeToTarget } from '../core/train/results';
import { BUDGET_EPOCHS, queuedConfig, withStreamedData } from './queued-config';
import type { TrainerApi, TrainerEvent } from '../workers/protocol';
import { store, updateRun, type RunView } from './store';
import { datasetReloaded, errorText, existingWorkers, getWorkers, onWorkerDeath } from './workers';
import { defaultSplit } from '../core/data/split';

export { BUDGET_EPOCHS };

let runCounter = 0;
let subscribed = false;
let pumping = false;
let initedClient: RpcClient<TrainerApi, TrainerEvent> | null = null;
let initedBackend: string | null = null;
const finishListeners = new Set<(run: RunView) => void>();
const stopRequested = new Set<string>();

onWorkerDeath((message) => {
  store.setState({ notice: message });
  const trainerDied = message.includes('trainer worker');
  if (trainerDied) initedClient = null;
  for (const r of store.getState().runs) {
    if (r.status !== 'running' && r.status !== 'paused') continue;
    updateRun(r.id, () => ({ status: 'failed', error: message, finishedAt: Date.now() }));
    // The data worker fed this run's batches: the trainer, still alive, ends the run (its
    // wait for the next batch fails) so that the queue goes on.
    if (!trainerDied) void existingWorkers()?.trainer.get().call('control', { runId: r.id, action: 'abort', message }).catch(() => undefined);
  }
});

function onTrainerEvent(e: TrainerEvent): void {
  if (e.type === 'environment') updateRun(e.runId, () => ({ environment: e.environment }));
  else if (e.type === 'steps') updateRun(e.runId, (r) => ({ steps: r.steps.concat(e.steps) }));
  else if (e.type === 'epoch') updateRun(e.runId, (r) => ({ epochs: r.epochs.concat(e.epoch) }));
  else if (e.type === 'phase') updateRun(e.runId, () => ({ phase: e.phase }));
}

function workers(): ReturnType<typeof getWorkers> {
  const w = getWorkers();
  if (!subscribed) {
    w.trainer.onEvent(onTrainerEvent);
    subscribed = true;
  }
  return w;
}

/** Subscribes to the end of every run (done, stopped, failed, or removed from the queue as failed). */
export function onRunFinished(listener: (run: RunView) => void): () => void {
  finishListeners.add(listener);
  return () => finishListeners.delete(listener);
}

/** Tells the listeners that a run ended. */
export function announceFinished(run: RunView): void {
  for (const l of finishListeners) {
    try {
      l(run);
    } catch (e) {
      store.setState({ notice: `after run ${run.title}: ${errorText(e)}` });
    }
  }
}

function nextColour(runs: readonly RunView[]): number {
  return runs.reduce((m, r) => Math.max(m, r.colour + 1), 0);
}

export interface QueueRequest {
  /** Validated settings. */
  settings: RunSettings;
  sweep?: RunView['sweep'];
}

/** A new run waiting in the queue. */
function queuedRun(config: RunConfig, settings: RunSettings, title: string, colour: number, now: number, extra: Partial<RunView>): RunView {
  return {
    id: `run-${now.toString(36)}-${++runCounter}`,
    title,
    config,
    environment: null,
    status: 'queued',
    steps: [],
    epochs: [],
    summary: null,
    error: null,
    info: null,
    settings,
    colour,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    budgetSec: null,
    expectedSteps: null,
    sweep: null,
    ...extra,
  };
}

/**
 * Appends runs to the queue for the dataset in use (their configs name it) and starts the
 * queue if it is idle. Returns the new runs' ids; the caller has validated the settings.
 */
export function enqueue(requests: readonly QueueRequest[]): string[] {
  const state = store.getState();
  const { summary, label, features } = state.dataset;
  if (!summary || !label) throw new Error('load a dataset first');
  let colour = nextColour(state.runs);
  const now = Date.now();
  const runs: RunView[] = requests.map(({ settings, sweep }) => {
    const { config, budgetSec, title } = queuedConfig(settings, {
      fingerprint: summary.fingerprint,
      name: summary.name,
      rows: summary.rows,
      label,
      features: [...features],
      dedup: settings.dedup ?? 'none',
      split: defaultSplit(settings.seed),
    });
    return queuedRun(config, settings, title, colour++, now, { budgetSec, sweep: sweep ?? null });
  });
  store.setState((s) => ({ runs: [...s.runs, ...runs], settingsError: null }));
  pump();
  return runs.map((r) => r.id);
}

/**
 * Queues again the runs that were waiting when the page last closed, on the data they were
 * queued on: the dataset in use must be that file (same sha256). Returns a message when it is
 * not (the runs stay offered), null once they are queued.
 */
export function queueRestored(): string | null {
  const state = store.getState();
  const restored = state.restoredQueue;
  if (!restored) return null;
  const summary = state.dataset.summary;
  const names = [...new Set(restored.runs.map((w) => w.data.name))];
  const mine = restored.runs.filter((w) => summary && w.data.fingerprint === summary.fingerprint);
  if (mine.length === 0) return `these runs were queued on ${names.join(', ')}: load ${names.length > 1 ? 'one of those files' : 'that file'} first`;
  let colour = nextColour(state.runs);
  const now = Date.now();
  const runs = mine.map((w) => {
    const { config, budgetSec, title } = queuedConfig(w.settings, w.data);
    return queuedRun(config, w.settings, title, colour++, now, { budgetSec });
  });
  const rest = restored.runs.filter((w) => !mine.includes(w));
  store.setState((s) => ({ runs: [...s.runs, ...runs], restoredQueue: rest.length ? { runs: rest, dropped: restored.dropped } : null }));
  pump();
  return null;
}

/** Forgets the runs that were waiting when the page last closed. */
export function discardRestored(): void {
  store.setState({ restoredQueue: null });
}

/**
 * Queues a streaming run on a file (Arrow stream / multi-row-group Parquet): the data worker
 * decodes it itself and training starts on the first chunk, with the default label and
 * features of that chunk (or the dataset's choice when the same file is the dataset in use).
 */
export function enqueueStreaming(settings: RunSettings, source: { name: string; blob: Blob }): string {
  const state = store.getState();
  const now = Date.now();
  // The run length (epochs, or a time budget) is the form's, as for any run.
  const { config, budgetSec, title } = queuedConfig(settings, {
    fingerprint: '',
    name: source.name,
    rows: 0,
    label: '',
    features: [],
    dedup: 'none',
    split: defaultSplit(settings.seed),
  }, source.name);
  const run = queuedRun(config, settings, title, nextColour(state.runs), now, { stream: source, budgetSec });
  store.setState((s) => ({ runs: [...s.runs, run], settingsError: null }));
  pump();
  return run.id;
}

/** Runs the queued runs one after another until none is left; a second call while it runs does nothing. */
export function pump(): void {
  if (pumping) return;
  pumping = true;
  void (async () => {
    try {
      for (;;) {
        const next = store.getState().runs.find((r) => r.status === 'queued');
        if (!next) break;
        await runOne(next.id);
        performance.mark(`trainbench:run-end:${next.id}`);
        const done = store.getState().runs.find((r) => r.id === next.id);
        if (done) announceFinished(done);
      }
    } finally {
      pumping = false;
    }
  })();
}

async function runOne(id: string): Promise<void> {
  // After the data worker died the dataset in use is being decoded again: the run waits for it.
  await datasetReloaded();
  const state = store.getState();
  const run = state.runs.find((r) => r.id === id);
  if (!run || !run.settings || run.status !== 'queued') return;
  const settings = run.settings;
  // The dataset in use must be the one the run was queued on; its label and features are the
  // run's own (config.data), never the data panel's selection of now.
  const { summary, label } = state.dataset;
  // Marks on the performance timeline, to line runs up with anything slow in a profile.
  performance.mark(`trainbench:run-start:${id}`);
  updateRun(id, () => ({ status: 'running', startedAt: Date.now() }));
  store.setState({ activeRunId: id });
  const fail = (error: string) => updateRun(id, () => ({ status: 'failed', error, finishedAt: Date.now() }));
  if (!run.stream && (!summary || !label || summary.fingerprint !== run.config.data.fingerprint)) {
    fail('the dataset changed after this run was queued; queue it again');
    return;
  }
  const w = workers();
  const clock = performance.now();
  let backendSec = 0;
  try {
    const trainer = w.trainer.get();
    if (initedClient !== trainer || initedBackend !== settings.backend) {
      updateRun(id, () => ({ phase: 'backend' }));
      const env = await trainer.call('init', { preferred: settings.backend });
      initedClient = trainer;
      initedBackend = settings.backend;
      store.setState({ environment: env });
      backendSec = (performance.now() - clock) / 1000;
    }
    updateRun(id, () => ({ phase: 'data' }));
    const dataClock = performance.now();
    const environment = store.getState().environment;
    updateRun(id, () => ({ environment }));
    const channel = new MessageChannel();
    const batching = { runId: id, split: run.config.data.split, batchSize: settings.batchSize, epochs: run.config.epochs, seed: settings.seed, prefetch: settings.prefetch, port: channel.port1 };
    let prepared;
    if (run.stream) {
      const bytes = await run.stream.blob.arrayBuffer();
      const streamed = await w.data.get().call('prepareStreamingRun', transfer({ ...batching, name: run.stream.name, bytes, features: null }, [channel.port1, bytes]));
      const named = withStreamedData({ config: run.config, budgetSec: run.budgetSec, title: run.title }, streamed.label, streamed.features, run.stream.name);
      updateRun(id, () => ({ config: named.config, title: named.title }));
      prepared = streamed;
    } else {
      prepared = await w.data.get().call(
        'prepareRun',
        transfer({ ...batching, datasetId: summary!.id, features: { label: run.config.data.label, features: [...run.config.data.features] }, dedup: run.config.data.dedup }, [channel.port1]),
      );
    }
    // A streaming run knows its first chunk only: no step estimate.
    const expectedSteps = run.budgetSec || run.stream ? null : Math.ceil(prepared.trainRows / settings.batchSize) * settings.epochs;
    updateRun(id, () => ({
      expectedSteps,
      info: `${run.stream ? `streaming: training started with ${prepared.trainRows} training rows of the first chunk` : `${prepared.trainRows} training rows`} · ${prepared.task.dim} features${prepared.classes ? ` · ${prepared.classes.length} classes` : ' · regression'}${prepared.droppedMissingLabel ? ` · ${prepared.droppedMissingLabel} rows without a label dropped` : ''}${dedupText(prepared.dedup ?? null)}`,
    }));
    const dataSec = (performance.now() - dataClock) / 1000;
    const valBuffers = prepared.task.val ? [prepared.task.val.x.buffer, prepared.task.val.y.buffer] : [];
    const training = trainer.call('train', transfer({ runId: id, config: run.config, task: prepared.task, port: channel.port2 }, [channel.port2, ...valBuffers]));
    // Pause or stop pressed while the data was being prepared: the trainer handles messages in order.
    if (stopRequested.has(id)) void trainer.call('control', { runId: id, action: 'stop' });
    else if (store.getState().runs.find((r) => r.id === id)?.status === 'paused') void trainer.call('control', { runId: id, action: 'pause' });
    const result = await training;
    stopRequested.delete(id);
    const startup = { modelSec: 0, firstStepSec: 0, ...result.startup, backendSec, dataSec };
    // The trainer ends a budgeted run as done when its seconds are spent (before its epochs are).
    const byBudget = run.budgetSec !== null && result.status === 'done';
    const target = store.getState().view.targetLoss;
    // A run failed by a worker's death stays failed, whatever the trainer made of its end.
    if (store.getState().runs.find((r) => r.id === id)?.status === 'failed') return;
    updateRun(id, (r) => ({
      status: byBudget ? 'done' : result.status,
      summary: { ...result, startup, timeToTargetLoss: timeToTarget(r.steps, target) },
      finishedAt: Date.now(),
      phase: undefined,
      info: byBudget ? `${r.info ?? ''} · ended by its ${run.budgetSec} s budget (training after start-up)` : r.info,
      // Validation rows the model gets wrong, as rows of the dataset, for the neighbour inspector.
      misclassified: (result.misclassified ?? []).map((m) => ({
        row: prepared.valSourceRows ? prepared.valSourceRows[m.index] : m.index,
        predicted: prepared.classes?.[m.predicted] ?? String(m.predicted),
      })),
    }));
  } catch (e) {
    stopRequested.delete(id);
    updateRun(id, () => ({ phase: undefined }));
    fail(errorText(e));
  }
}

/** Pause, resume or stop the run on the trainer. */
export function control(action: 'pause' | 'resume' | 'stop'): void {
  const live = store.getState().runs.find((r) => r.status === 'running' || r.status === 'paused');
  const w = existingWorkers();
  if (!live || !w) return;
  if (action === 'stop') stopRequested.add(live.id);
  updateRun(live.id, () => ({ status: action === 'pause' ? 'paused' : 'running' }));
  void w.trainer.get().call('control', { runId: live.id, action });
}

/** What dedup did, for the run's info line. */
function dedupText(d: DedupReport | null): string {
  if (!d) return '';
  const how = d.method === 'bloom' ? `Bloom, fpr ${d.fpr}; about ${(d.expectedFalseDrops ?? 0).toFixed(1)} dropped wrongly` : `exact, ${d.duplicateGroups} groups`;
  return ` · dedup dropped ${d.dropped} repeated rows (${how})`;
}
