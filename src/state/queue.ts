/**
 * The run queue: runs wait in the store with status 'queued' and go to the one trainer one
 * after another, each through runPipeline (the CLI's and the pipeline tests' path too). A run
 * is its RunConfig, made once when it is queued: what it trains on (file, label, features,
 * split) and how (model, optimizer, batching, budget) never follow the form or the data panel
 * afterwards. A run with a time budget carries it as `config.maxSeconds`: the trainer ends it
 * after that much training past start-up (paused time not counted).
 *
 * The queue is an object made with its services (`createRunQueue`): the workers in the browser
 * (state/workers.ts), the services in process in unit tests (state/test-services.ts). It holds
 * no module state; the app makes one at start-up (state/app.ts).
 */
import type { StoreApi } from 'zustand/vanilla';
import type { DedupReport } from '../core/data/quality';
import type { Task } from '../core/data/encode';
import type { RunSettings } from '../core/train/run-config';
import type { RunConfig } from '../core/train/record';
import { timeToTarget } from '../core/train/results';
import { budgetOf, queuedConfig, runTitle } from './queued-config';
import type { PreparedRun, TrainerEvent } from '../services/protocol';
import { runPipeline, type RunServices, type TeacherRecord } from '../services/run-pipeline';
import { packTrained, RECORD_VERSION } from '../core/train/trained';
import { keepTrained, trainedOf } from './trained-models';
import { ConfigError } from '../core/errors';
import type { RunView, StreamSourceFile, WorkbenchState } from './store';
import { defaultSplit } from '../core/data/split';

/** What the queue needs of the services that train its runs. */
export interface QueueServices {
  /** The services' clients now (after a worker died, its next call starts a fresh one). */
  clients(): RunServices;
  /** The trainer's client when the workers exist already: nothing is started just to pause or stop. */
  existingTrainer(): RunServices['trainer'] | null;
  /** The trainer's events (metrics, phases) of every run, from whichever trainer there is. */
  onTrainerEvent(listener: (e: TrainerEvent) => void): void;
  /** A worker died: the message says which and is shown to the user. */
  onDeath(listener: (message: string) => void): void;
  /** Resolves once the dataset in use is loaded again after the data worker died (runs wait for it). */
  datasetReloaded(): Promise<void>;
}

export interface QueueRequest {
  /** The whole run: made by queuedConfig from validated settings and the data it trains on. */
  config: RunConfig;
  sweep?: RunView['sweep'];
}

export interface RunQueue {
  /** Appends runs and starts the queue if it is idle; returns the new runs' ids. */
  enqueue(requests: readonly QueueRequest[]): string[];
  /**
   * Queues a streaming run on a file (Arrow stream / multi-row-group Parquet): the data worker
   * decodes it itself and training starts on the first chunk, with the default label and
   * features of that chunk.
   */
  /** `chosen`: the label and features (default: those of the file's first piece). */
  enqueueStreaming(
    settings: RunSettings,
    source: StreamSourceFile,
    chosen?: { label: string; features: string[]; task?: Task },
  ): string;
  /**
   * Queues again the runs that were waiting when the page last closed, on the data they were
   * queued on: the dataset in use must be that file (same sha256). A sweep that was in progress
   * becomes the sweep again and goes on as its runs end. Returns a message when the dataset is
   * not theirs (the runs stay offered), null once they are queued.
   */
  queueRestored(): string | null;
  /** Forgets the runs that were waiting when the page last closed. */
  discardRestored(): void;
  /** Takes a waiting run out of the queue (a sweep waiting for it hears of it as a failure). */
  remove(id: string): void;
  /** Pause, resume or stop the run on the trainer. */
  control(action: 'pause' | 'resume' | 'stop'): void;
  /** Subscribes to the end of every run (done, stopped, failed, or removed from the queue as failed). */
  onRunFinished(listener: (run: RunView) => void): () => void;
  /** Resolves once no run waits or trains. */
  idle(): Promise<void>;
}

export interface QueueDeps {
  services: QueueServices;
  store: StoreApi<WorkbenchState>;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function nextColour(runs: readonly RunView[]): number {
  return runs.reduce((m, r) => Math.max(m, r.colour + 1), 0);
}

/** How a streaming run reads its file, for the run's info line. */
function streamedText(prepared: PreparedRun): string {
  const streamed = prepared.streamed;
  if (!streamed || streamed.pieces !== 'file') return '';
  return streamed.held
    ? ' · read from disk by row group'
    : ' · read from disk by row group, rows not kept: each epoch reads the file again, validation on a sample';
}

/** What dedup did, for the run's info line. */
function dedupText(d: DedupReport | null): string {
  if (!d) return '';
  const how =
    d.method === 'bloom'
      ? `Bloom, fpr ${d.fpr}; about ${(d.expectedFalseDrops ?? 0).toFixed(1)} dropped wrongly`
      : `exact, ${d.duplicateGroups} groups`;
  return ` · dedup dropped ${d.dropped} repeated rows (${how})`;
}

export function createRunQueue({ services, store }: QueueDeps): RunQueue {
  let runCounter = 0;
  let pumping: Promise<void> | null = null;
  let initedClient: RunServices['trainer'] | null = null;
  let initedBackend: string | null = null;
  const finishListeners = new Set<(run: RunView) => void>();
  const stopRequested = new Set<string>();

  const updateRun = (id: string, fn: (r: RunView) => Partial<RunView>): void => {
    store.setState((s) => ({ runs: s.runs.map((r) => (r.id === id ? { ...r, ...fn(r) } : r)) }));
  };
  const findRun = (id: string) => store.getState().runs.find((r) => r.id === id);

  services.onDeath((message) => {
    store.setState({ notice: message });
    const trainerDied = message.includes('trainer worker');
    if (trainerDied) initedClient = null;
    for (const r of store.getState().runs) {
      if (r.status !== 'running' && r.status !== 'paused') continue;
      updateRun(r.id, () => ({ status: 'failed', error: message, finishedAt: Date.now() }));
      // The data worker fed this run's batches: the trainer, still alive, ends the run (its
      // wait for the next batch fails) so that the queue goes on.
      if (!trainerDied)
        void services
          .existingTrainer()
          ?.call('control', { runId: r.id, action: 'abort', message })
          .catch(() => undefined);
    }
  });

  // The trained parameters a run's trainer sent at its end, until the run's outcome arrives.
  const parameters = new Map<string, Float32Array[]>();
  services.onTrainerEvent((e) => {
    if (e.type === 'environment') updateRun(e.runId, () => ({ environment: e.environment }));
    else if (e.type === 'steps') updateRun(e.runId, (r) => ({ steps: r.steps.concat(e.steps) }));
    else if (e.type === 'epoch') updateRun(e.runId, (r) => ({ epochs: r.epochs.concat(e.epoch) }));
    else if (e.type === 'phase') updateRun(e.runId, () => ({ phase: e.phase }));
    else if (e.type === 'parameters') parameters.set(e.runId, e.tensors);
    // A streamed run's filter values that no piece held (likely typos), known after its first pass.
    else if (e.type === 'filterNotes')
      updateRun(e.runId, (r) => ({ info: `${r.info ? `${r.info} · ` : ''}the filter: ${e.notes.join('; ')}` }));
  });

  const announceFinished = (run: RunView): void => {
    for (const l of finishListeners) {
      try {
        l(run);
      } catch (e) {
        store.setState({ notice: `after run ${run.title}: ${errorText(e)}` });
      }
    }
  };

  /** A new run waiting in the queue. */
  const queuedRun = (
    config: RunConfig,
    colour: number,
    now: number,
    extra: Partial<RunView>,
    streamName: string | null = null,
  ): RunView => {
    const budgetSec = budgetOf(config);
    return {
      id: `run-${now.toString(36)}-${++runCounter}`,
      title: runTitle(config, budgetSec, streamName),
      config,
      environment: null,
      status: 'queued',
      steps: [],
      epochs: [],
      summary: null,
      error: null,
      info: null,
      colour,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      budgetSec,
      expectedSteps: null,
      sweep: null,
      ...extra,
    };
  };

  const add = (runs: RunView[]): void => {
    store.setState((s) => ({ runs: [...s.runs, ...runs], settingsError: null }));
    pump();
  };

  /** Runs the queued runs one after another until none is left; a second call while it runs does nothing. */
  const pump = (): void => {
    if (pumping) return;
    pumping = (async () => {
      try {
        for (;;) {
          const next = store.getState().runs.find((r) => r.status === 'queued');
          if (!next) break;
          await runOne(next.id);
          performance.mark(`trainbench:run-end:${next.id}`);
          const done = findRun(next.id);
          if (done) announceFinished(done);
        }
      } finally {
        pumping = null;
      }
    })();
  };

  /**
   * A distilled run's teacher: a finished run of this workbench with its trained weights (a run
   * queued before its student has finished by the time the student starts).
   */
  const teacherOf = async (teacherId: string): Promise<TeacherRecord> => {
    const t = findRun(teacherId);
    if (!t)
      throw new ConfigError(
        'distill.teacher',
        `the teacher run ${teacherId} is not in the workbench (removed, or the run came from a share link)`,
      );
    if (t.status !== 'done' && t.status !== 'stopped')
      throw new ConfigError(
        'distill.teacher',
        `the teacher run "${t.title}" ${t.status === 'failed' ? 'failed' : 'has not finished'}`,
      );
    const trained = await trainedOf(teacherId).catch(() => null);
    if (!trained)
      throw new ConfigError(
        'distill.teacher',
        `the teacher run "${t.title}" has no trained weights (a run opened from a share link or imported without them)`,
      );
    return { name: `run "${t.title}"`, record: { version: RECORD_VERSION, id: teacherId, config: t.config, trained } };
  };

  const runOne = async (id: string): Promise<void> => {
    // After the data worker died the dataset in use is being decoded again: the run waits for it.
    await services.datasetReloaded();
    const state = store.getState();
    const run = state.runs.find((r) => r.id === id);
    if (!run || run.status !== 'queued') return;
    // The dataset in use must be the one the run was queued on; its label and features are the
    // run's own (config.data), never the data panel's selection of now.
    const summary = state.dataset.summary;
    // Marks on the performance timeline, to line runs up with anything slow in a profile.
    performance.mark(`trainbench:run-start:${id}`);
    updateRun(id, () => ({ status: 'running', startedAt: Date.now() }));
    store.setState({ activeRunId: id });
    const fail = (error: string) => updateRun(id, () => ({ status: 'failed', error, finishedAt: Date.now() }));
    if (!run.stream && (!summary || summary.fingerprint !== run.config.data.fingerprint)) {
      fail('the dataset changed after this run was queued; queue it again');
      return;
    }
    const clock = performance.now();
    let backendSec = 0;
    try {
      const clients = services.clients();
      if (initedClient !== clients.trainer || initedBackend !== run.config.backend) {
        updateRun(id, () => ({ phase: 'backend' }));
        const env = await clients.trainer.call('init', { preferred: run.config.backend });
        initedClient = clients.trainer;
        initedBackend = run.config.backend;
        store.setState({ environment: env });
        backendSec = (performance.now() - clock) / 1000;
      }
      updateRun(id, () => ({ phase: 'data' }));
      const environment = store.getState().environment;
      updateRun(id, () => ({ environment }));
      const source = run.stream
        ? {
            kind: 'stream' as const,
            name: run.stream.name,
            bytes: run.stream.blob,
            ...(run.stream.task ? { task: run.stream.task } : {}),
          }
        : { kind: 'dataset' as const, datasetId: summary!.id };
      const teacher = run.config.distill ? await teacherOf(run.config.distill.teacher) : null;
      const {
        prepared,
        summary: result,
        config: ran,
      } = await runPipeline(run.config, clients, {
        runId: id,
        source,
        backendSec,
        teacher,
        hooks: {
          onPrepared: (prepared, config) => {
            // A streaming run's label and features are the first chunk's: its config and title say so now.
            const named = run.stream ? { config, title: runTitle(config, run.budgetSec, run.stream.name) } : {};
            // A streaming run knows its first chunk only, unless its file was small enough to count: no step estimate.
            const counted = !run.stream || !!prepared.streamed?.counted;
            const expectedSteps =
              run.budgetSec || !counted ? null : Math.ceil(prepared.trainRows / config.batchSize) * config.epochs;
            const rowsText = !run.stream
              ? `${prepared.trainRows} training rows`
              : counted
                ? `streaming: training started with all ${prepared.trainRows} training rows of the file (a small file, counted first)${streamedText(prepared)}`
                : `streaming: training started with ${prepared.trainRows} training rows of the first chunk${streamedText(prepared)}`;
            updateRun(id, () => ({
              ...named,
              expectedSteps,
              info: `${rowsText} · ${prepared.task.dim} features${prepared.classes ? ` · ${prepared.classes.length} classes` : ' · regression'}${prepared.droppedMissingLabel ? ` · ${prepared.droppedMissingLabel} rows without a label dropped` : ''}${dedupText(prepared.dedup ?? null)}`,
            }));
          },
          onTraining: () => {
            // Pause or stop pressed while the data was being prepared: the trainer handles messages in order.
            if (stopRequested.has(id)) void clients.trainer.call('control', { runId: id, action: 'stop' });
            else if (findRun(id)?.status === 'paused')
              void clients.trainer.call('control', { runId: id, action: 'pause' });
          },
        },
      });
      stopRequested.delete(id);
      const tensors = parameters.get(id);
      parameters.delete(id);
      if (tensors) keepTrained(id, packTrained(ran.model, prepared.preprocessing, tensors));
      // The trainer ends a budgeted run as done when its seconds are spent (before its epochs are).
      const byBudget = run.budgetSec !== null && result.status === 'done';
      const target = store.getState().view.targetLoss;
      // A run failed by a worker's death stays failed, whatever the trainer made of its end.
      if (findRun(id)?.status === 'failed') return;
      updateRun(id, (r) => ({
        status: byBudget ? 'done' : result.status,
        // A run that diverged says so (its loss was NaN), with the steps before it kept.
        ...(result.status === 'failed' && result.error ? { error: result.error } : {}),
        summary: { ...result, timeToTargetLoss: timeToTarget(r.steps, target) },
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
      parameters.delete(id);
      updateRun(id, () => ({ phase: undefined }));
      fail(errorText(e));
    }
  };

  return {
    enqueue(requests) {
      const state = store.getState();
      let colour = nextColour(state.runs);
      const now = Date.now();
      // These train the dataset in use, loaded whole: a streamed run's config queued again (a shared
      // link's rerun) is recorded so.
      const whole = (c: RunConfig): RunConfig => {
        if (!c.data.stream) return c;
        const { stream: _stream, ...data } = c.data;
        return { ...c, data };
      };
      const runs = requests.map(({ config, sweep }) =>
        queuedRun(whole(config), colour++, now, { sweep: sweep ?? null }),
      );
      add(runs);
      return runs.map((r) => r.id);
    },

    enqueueStreaming(settings, source, chosen) {
      // The run length (epochs, or a time budget) is the form's, as for any run; label and features come with the first
      // chunk unless chosen.
      const { config } = queuedConfig(settings, {
        fingerprint: '',
        name: source.name,
        rows: 0,
        label: chosen?.label ?? '',
        features: chosen ? [...chosen.features] : [],
        dedup: 'none',
        split: defaultSplit(settings.seed),
        ...(chosen?.task ? { task: chosen.task } : {}),
      });
      const run = queuedRun(config, nextColour(store.getState().runs), Date.now(), { stream: source }, source.name);
      add([run]);
      return run.id;
    },

    queueRestored() {
      const state = store.getState();
      const restored = state.restoredQueue;
      if (!restored) return null;
      const summary = state.dataset.summary;
      const names = [...new Set(restored.runs.map((w) => w.config.data.name))];
      const mine = restored.runs.filter((w) => summary && w.config.data.fingerprint === summary.fingerprint);
      if (mine.length === 0)
        return (
          `these runs were queued on ${names.join(', ')}: ` +
          `load ${names.length > 1 ? 'one of those files' : 'that file'} first`
        );
      // The sweep in progress then goes on, unless another one runs now: its runs are then plain runs.
      const sweep =
        restored.sweep && state.sweep?.status !== 'running' && mine.some((w) => w.sweep?.id === restored.sweep!.id)
          ? restored.sweep
          : null;
      let colour = nextColour(state.runs);
      const now = Date.now();
      const runs = mine.map((w) =>
        queuedRun(w.config, colour++, now, { sweep: sweep && w.sweep?.id === sweep.id ? w.sweep : null }),
      );
      const rest = restored.runs.filter((w) => !mine.includes(w));
      store.setState({
        restoredQueue: rest.length ? { ...restored, runs: rest, sweep: sweep ? null : restored.sweep } : null,
        ...(sweep ? { sweep } : {}),
      });
      add(runs);
      return null;
    },

    discardRestored() {
      store.setState({ restoredQueue: null });
    },

    remove(id) {
      const run = store.getState().runs.find((r) => r.id === id && r.status === 'queued');
      if (!run) return;
      store.setState((s) => ({ runs: s.runs.filter((r) => r.id !== id) }));
      if (run.sweep) announceFinished({ ...run, status: 'failed', error: 'removed from the queue' });
    },

    control(action) {
      const live = store.getState().runs.find((r) => r.status === 'running' || r.status === 'paused');
      const trainer = services.existingTrainer();
      if (!live || !trainer) return;
      if (action === 'stop') stopRequested.add(live.id);
      updateRun(live.id, () => ({ status: action === 'pause' ? 'paused' : 'running' }));
      void trainer.call('control', { runId: live.id, action });
    },

    onRunFinished(listener) {
      finishListeners.add(listener);
      return () => finishListeners.delete(listener);
    },

    async idle() {
      while (pumping) await pumping;
    },
  };
}
