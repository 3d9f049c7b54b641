/**
 * What the user can do with data: load the sample, files or a URL (with progress and Cancel),
 * pick the label and features. Components call these; nothing here renders.
 *
 * A load runs in a decode worker of its own; the decoded table then moves (transferred, not
 * copied) to the long-lived data worker. Cancel terminates the decode worker, so the dataset
 * in use is never touched by a load that fails or is cancelled. The worker of a load that went
 * well is kept, warm, for the next load (a spare is started otherwise).
 */
import { featuresFromStats, labelTask, type Task } from '../core/data/encode';
import { isHdf5 } from '../core/data/hdf5';
import type { ColumnStats } from '../core/data/stats';
import { createDecodeWorker, prewarmDecodeWorker, releaseDecodeWorker } from '../workers/clients';
import { transfer } from '../services/transfer';
import { tableBuffers } from '../core/data/table-codec';
import { DataError } from '../core/data/table';
import { checkFitsInMemory, memoryLimit, TooLargeError } from '../core/data/limits';
import type { DecodeProgress } from '../services/protocol';
import { importRecord, MAX_RECORD_BYTES } from './import-record';
import { store } from './store';
import { DEFAULT_SAMPLE, type Sample } from '../core/train/samples';
import { app } from './app';
import { validateSettings } from '../core/train/run-config';
import { initialDataset, type DatasetSlice } from './dataset-slice';
import { errorText, getWorkers, onWorkerDeath, setDatasetReload } from './workers';
import { defaultSplit } from '../core/data/split';

/** The bundled sample offered on first load. */
export const SAMPLE = DEFAULT_SAMPLE;

/** Progress is shown once a load has run this long. */
const PROGRESS_AFTER_MS = 500;

/** The sources of the dataset in use, kept so it can be reloaded if the data worker dies. */
let currentSources: { name: string; blob: Blob }[] | null = null;
let activeLoad: { cancel: () => void } | null = null;

let reloading = false;

/**
 * From now on, when the data worker dies the dataset in use is loaded again. startApp calls this
 * at start-up (once is enough: later calls do nothing), before the queue listens for deaths.
 */
export function reloadAfterDataWorkerDeath(): void {
  if (reloading) return;
  reloading = true;
  onWorkerDeath(onDataWorkerDeath);
}

function onDataWorkerDeath(message: string): void {
  if (!message.includes('data worker')) return;
  // The dataset in use lived in the dead worker: it is decoded again from the same sources
  // (the same fingerprint, so queued runs still match), and the next run waits for it.
  store.setState({
    notice: `${message}. ${currentSources ? `Reloading ${currentSources.map((s) => s.name).join(', ')}.` : ''}`,
  });
  const under = loading;
  setDatasetReload(
    (async () => {
      // A load under way finishes first: if it adopted its table into the new worker, that is
      // the dataset in use now and nothing needs reloading.
      await under?.catch(() => undefined);
      if (!currentSources || adoptedOn === getWorkers().data.get()) return;
      const { label, url, features, summary, task } = store.getState().dataset;
      await loadSources(currentSources, label ?? undefined, url, features, summary?.hdf5?.group);
      // The task picked for that label stays with it (the load starts from auto).
      const now = store.getState().dataset;
      if (task && now.label === label && now.summary !== summary) setDataset({ task });
    })(),
  );
}

/** The loadSources call under way (it never rejects), and the data worker client that holds the dataset in use. */
let loading: Promise<void> | null = null;
let adoptedOn: unknown = null;

function setDataset(patch: Partial<ReturnType<typeof store.getState>['dataset']>): void {
  store.setState((s) => ({ dataset: { ...s.dataset, ...patch } }));
}

/** Loads a bundled sample dataset (the default one on first load) and picks the model that suits it. */
export async function loadSample(picked?: Sample): Promise<void> {
  const sample = picked ?? SAMPLE;
  if (picked) store.setState((st) => ({ settings: { ...st.settings, model: picked.model } }));
  await loadUrl(`${import.meta.env.BASE_URL}datasets/${sample.file}`, sample.label);
}

/** Loads the files a user dropped or picked; several files with the same columns become one dataset. */
export async function loadFiles(files: FileList | File[]): Promise<void> {
  const list: File[] = [];
  // A run record (train --json, an exported PyTorch job's run-pytorch.json) opens as a run, not a dataset.
  for (const f of Array.from(files)) if (!(await openedAsRecord(f))) list.push(f);
  if (list.length === 0) return;
  const stream = store.getState().dataset.streamOnLoad;
  // A file too large to load whole: refused at once, and a Parquet or Arrow one is offered to stream from disk.
  const big = list.length === 1 ? await tooLargeToLoad(list[0]) : null;
  if (big) {
    activeLoad?.cancel();
    offered = null;
    const queued = big.streamable && stream;
    if (queued) enqueueStream(list[0]);
    setDataset({
      error:
        big.message +
        (queued
          ? '. It trains streamed from disk instead (queued): row group by row group, never whole.'
          : big.streamable
            ? '. It can train streamed from disk instead: row group by row group, never whole.'
            : '. Only Parquet and Arrow files stream from disk.'),
      streamOffer: null,
    });
    if (big.streamable && !queued) await offerStream(list[0]);
    return;
  }
  // HDF5 streams only once the decode worker has read the file: the HDF5 C library can loop
  // forever on a damaged file, and the decode worker can be stopped (its deadline) where the
  // long-lived data worker cannot. Other formats start training on their first chunk at once.
  const later: File[] = [];
  const enqueue = (files: File[]) => {
    for (const f of files) if (!enqueueStream(f)) return;
  };
  if (stream) {
    const now: File[] = [];
    for (const f of list) ((await isHdf5File(f)) ? later : now).push(f);
    enqueue(now);
  }
  await loadSources(list.map((f) => ({ name: f.name, blob: f })));
  const loaded = store.getState().dataset;
  if (later.length && loaded.error === null && later.some((f) => loaded.summary?.name.startsWith(f.name)))
    enqueue(later);
}

/** The file offered to stream from disk (a File is not state: it stays here). */
let offered: File | null = null;

/** Queues a streaming run on a file with the form's settings; false when the settings are refused (said in the form). */
function enqueueStream(
  file: File,
  chosen?: { label: string; features: string[]; task?: Task },
  wholeFileTask?: Task,
): boolean {
  try {
    const source = { name: file.name, blob: file, ...(wholeFileTask ? { task: wholeFileTask } : {}) };
    app().queue.enqueueStreaming(validateSettings(store.getState().settings), source, chosen);
    return true;
  } catch (e) {
    store.setState({ settingsError: errorText(e) });
    return false;
  }
}

/**
 * Offers `file` (too large to load) to train streamed from disk, and streams its statistics in a
 * decode worker meanwhile (with progress and Cancel; the offer stays whatever happens to them).
 */
async function offerStream(file: File): Promise<void> {
  offered = file;
  const hasData = store.getState().dataset.summary !== null;
  setDataset({
    status: 'loading',
    loadingName: file.name,
    progress: null,
    streamOffer: { name: file.name, size: file.size, summary: null, label: null, features: [] },
  });
  const decoder = createDecodeWorker(() => undefined);
  const started = performance.now();
  decoder.onEvent((p) => {
    if (performance.now() - started >= PROGRESS_AFTER_MS) setDataset({ progress: p });
  });
  const load = {
    cancel: () => {
      decoder.get().failAll(`reading the statistics of ${file.name} was cancelled`);
      decoder.terminate();
    },
  };
  activeLoad = load;
  const idle = { status: hasData ? ('ready' as const) : ('idle' as const), progress: null, loadingName: null };
  try {
    const summary = await decoder.get().call('streamStats', { name: file.name, blob: file });
    releaseDecodeWorker(decoder);
    const offer = store.getState().dataset.streamOffer;
    if (offered !== file || !offer) return;
    setDataset({
      ...idle,
      streamOffer: { ...offer, summary, label: summary.defaultLabel, features: summary.defaultFeatures },
    });
  } catch (e) {
    decoder.terminate();
    prewarmDecodeWorker();
    if (offered !== file) return;
    const error = store.getState().dataset.error;
    setDataset({ ...idle, error: `${error ?? ''} Its statistics were not read: ${errorText(e)}.`.trim() });
  } finally {
    if (activeLoad === load) activeLoad = null;
  }
}

/** The label of the file offered to stream; its features become that label's defaults. */
export function setStreamLabel(label: string): void {
  const offer = store.getState().dataset.streamOffer;
  if (!offer?.summary) return;
  const { columns, rows, typeChanged = [] } = offer.summary;
  const changed = new Set(typeChanged.map((c) => c.column));
  const features = featuresFromStats(columns, rows, label).filter((f) => !changed.has(f));
  setDataset({ streamOffer: { ...offer, label, task: null, features } });
}

/** Classification or regression for the streamed file's label; null: decided from its first chunk. */
export function setStreamTask(task: Task | null): void {
  const offer = store.getState().dataset.streamOffer;
  if (offer) setDataset({ streamOffer: { ...offer, task } });
}

/**
 * Trains the file offered as too large to load, streamed from disk: with the label and features
 * chosen once its statistics are in, else those of its first piece.
 */
export function streamOffered(): void {
  const file = offered;
  const offer = store.getState().dataset.streamOffer;
  if (!file || !offer) return;
  const chosen = offer.label
    ? { label: offer.label, features: offer.features, ...(offer.task ? { task: offer.task } : {}) }
    : undefined;
  // Auto: the task the offer showed, from the whole file's statistics (not the first chunk's).
  const labelStats = offer.label ? offer.summary?.columns.find((c) => c.name === offer.label) : undefined;
  const whole = !offer.task && labelStats ? labelTask(labelStats).task : undefined;
  if (enqueueStream(file, chosen, whole)) setDataset({ error: null });
}

/**
 * Why a file is too large to load whole (the decode worker would refuse it, after reading it),
 * and whether it is Parquet or Arrow (which stream from disk); null when it fits.
 */
async function tooLargeToLoad(f: File): Promise<{ message: string; streamable: boolean } | null> {
  try {
    checkFitsInMemory(f.name, f.size, memoryLimit());
    return null;
  } catch (e) {
    if (!(e instanceof TooLargeError)) throw e;
    const head = new Uint8Array(await f.slice(0, 8).arrayBuffer());
    const text = String.fromCharCode(...head.subarray(0, 6));
    const streamable = text.startsWith('PAR1') || text === 'ARROW1' || head.subarray(0, 4).every((b) => b === 0xff);
    return { message: e.message, streamable };
  }
}

/** Whether a file is HDF5, from its first bytes (the signature may follow a user block of up to 1 MB). */
async function isHdf5File(f: File): Promise<boolean> {
  return isHdf5(new Uint8Array(await f.slice(0, (1 << 20) + 8).arrayBuffer()));
}

/**
 * Opens `file` as a run record when it is one (a .json file whose text starts with a record's
 * `{"version":` key); true when it was taken as a record (opened, or refused with a notice).
 */
async function openedAsRecord(file: File): Promise<boolean> {
  if (!/\.json$/i.test(file.name) || file.size > MAX_RECORD_BYTES) return false;
  const head = await file.slice(0, 64).text();
  if (!/^\s*\{\s*"version"\s*:/.test(head)) return false;
  try {
    importRecord(await file.text(), file.name);
  } catch (e) {
    store.setState({ notice: errorText(e) });
  }
  return true;
}

/** Turns "train while loading" on or off. */
export function setStreamOnLoad(on: boolean): void {
  setDataset({ streamOnLoad: on });
}

/** Fetches a dataset by URL (same origin or CORS-enabled), with download progress and Cancel. */
export async function loadUrl(url: string, preferredLabel?: string): Promise<void> {
  activeLoad?.cancel();
  const name = decodeURIComponent(url.split(/[?#]/)[0].split('/').filter(Boolean).pop() ?? url);
  const abort = new AbortController();
  const load = { cancel: () => abort.abort() };
  activeLoad = load;
  setDataset({ status: 'loading', loadingName: name, error: null, progress: null });
  const started = performance.now();
  let progress: DecodeProgress = { name, phase: 'read', loaded: 0, total: 0 };
  const timer = setTimeout(() => setDataset({ progress }), PROGRESS_AFTER_MS);
  let blob: Blob;
  try {
    const res = await fetch(url, { signal: abort.signal });
    if (!res.ok) throw new DataError(`the server answered HTTP ${res.status}`);
    const total = Number(res.headers.get('content-length') ?? 0);
    const chunks: Uint8Array[] = [];
    const reader = res.body?.getReader();
    let loaded = 0;
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      progress = { name, phase: 'read', loaded, total };
      if (performance.now() - started > PROGRESS_AFTER_MS) setDataset({ progress });
    }
    blob = new Blob(chunks as BlobPart[]);
  } catch (e) {
    clearTimeout(timer);
    if (activeLoad === load) activeLoad = null;
    const hasData = store.getState().dataset.summary !== null;
    const why = abort.signal.aborted
      ? null
      : e instanceof TypeError
        ? 'the network request failed (offline, a wrong address, or the server does not allow cross-origin reads)'
        : errorText(e);
    setDataset({
      status: hasData ? 'ready' : 'idle',
      loadingName: null,
      progress: null,
      error: why === null ? cancelledText(name, hasData) : `${name}: could not be fetched from ${url}: ${why}`,
    });
    return;
  }
  clearTimeout(timer);
  if (activeLoad === load) activeLoad = null;
  await loadSources([{ name, blob }], preferredLabel, url);
}

function cancelledText(name: string, hasData: boolean): string {
  return `Loading ${name} was cancelled; ${hasData ? 'the dataset in use is unchanged' : 'no dataset is loaded'}.`;
}

/** Cancels the load under way; the dataset in use stays. */
export function cancelLoad(): void {
  activeLoad?.cancel();
}

/**
 * Decodes sources in a fresh decode worker and makes the result the dataset in use (with the
 * given features when they all exist, as after a reload; otherwise the label's default ones).
 */
export function loadSources(
  sources: { name: string; blob: Blob }[],
  preferredLabel?: string,
  url: string | null = null,
  keepFeatures?: readonly string[],
  group?: string,
): Promise<void> {
  const p = decodeSources(sources, preferredLabel, url, keepFeatures, group);
  loading = p;
  void p.finally(() => {
    if (loading === p) loading = null;
  });
  return p;
}

async function decodeSources(
  sources: { name: string; blob: Blob }[],
  preferredLabel: string | undefined,
  url: string | null,
  keepFeatures: readonly string[] | undefined,
  group?: string,
): Promise<void> {
  activeLoad?.cancel();
  const label = sources.length === 1 ? sources[0].name : `${sources[0].name} + ${sources.length - 1} more`;
  setDataset({ status: 'loading', loadingName: label, error: null, progress: null, streamOffer: null });
  offered = null;
  const decoder = createDecodeWorker(() => undefined);
  const started = performance.now();
  let lastProgress: DecodeProgress | null = null;
  const timer = setTimeout(
    () => setDataset({ progress: lastProgress ?? { name: label, phase: 'read', loaded: 0, total: 0 } }),
    PROGRESS_AFTER_MS,
  );
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let overran: string | null = null;
  decoder.onEvent((p) => {
    if (p.deadlineMs !== undefined && watchdog === undefined) {
      // A decoder that can loop on a damaged file (HDF5's C library) cannot be interrupted: its worker is.
      watchdog = setTimeout(() => {
        overran =
          `${p.name}: the HDF5 library had not finished reading it after ${Math.round(p.deadlineMs! / 1000)} s and ` +
          'was stopped (a damaged file can make it loop forever)';
        decoder.get().failAll(overran);
        decoder.terminate();
      }, p.deadlineMs);
    }
    lastProgress = p;
    if (performance.now() - started >= PROGRESS_AFTER_MS) setDataset({ progress: p });
  });
  let cancelled = false;
  const load = {
    cancel: () => {
      cancelled = true;
      decoder.get().failAll(`loading ${label} was cancelled`);
      decoder.terminate();
    },
  };
  activeLoad = load;
  const finish = (ok: boolean) => {
    clearTimeout(timer);
    clearTimeout(watchdog);
    if (activeLoad === load) activeLoad = null;
    // The worker of a good load, warmed up, serves the next one; any other is replaced.
    if (ok) releaseDecodeWorker(decoder);
    else {
      decoder.terminate();
      prewarmDecodeWorker();
    }
  };
  try {
    const { table, summary: partial } = await decoder
      .get()
      .call('decode', { files: sources, ...(group === undefined ? {} : { group }) });
    const { data } = getWorkers();
    const holder = data.get();
    const summary = await holder.call('adopt', transfer({ table, summary: partial }, tableBuffers(table)));
    const previousHolder = adoptedOn;
    adoptedOn = holder;
    const previous = store.getState().dataset.summary;
    // Ids count per worker: a dataset of a worker that died is not this worker's to forget.
    if (previous && previousHolder === holder)
      void holder.call('forget', { datasetId: previous.id }).catch(() => undefined);
    currentSources = sources;
    const chosen =
      preferredLabel && summary.columns.some((c) => c.name === preferredLabel) ? preferredLabel : summary.defaultLabel;
    const kept =
      keepFeatures &&
      chosen === preferredLabel &&
      keepFeatures.every((f) => f !== chosen && summary.columns.some((c) => c.name === f))
        ? [...keepFeatures]
        : null;
    const features =
      kept ?? (chosen === summary.defaultLabel ? summary.defaultFeatures : usableFeatures(summary, chosen));
    finish(true);
    store.setState((s) => ({
      dataset: {
        ...initialDataset,
        streamOnLoad: s.dataset.streamOnLoad,
        status: 'ready',
        summary,
        label: chosen,
        features,
        url,
      },
    }));
    // Whole-row repeats, counted by the data worker's hash index once the dataset is in use.
    void data
      .get()
      .call('duplicates', { datasetId: summary.id })
      .then(
        (duplicates) => {
          if (store.getState().dataset.summary?.id === summary.id) setDataset({ duplicates });
        },
        () => undefined,
      );
  } catch (e) {
    finish(false);
    const hasData = store.getState().dataset.summary !== null;
    setDataset({
      status: hasData ? 'ready' : 'idle',
      loadingName: null,
      progress: null,
      error: overran ?? (cancelled ? cancelledText(label, hasData) : errorText(e)),
    });
  }
}

/** The default features for `label`: the same rule as the decoder's defaultFeatures (ids left out). */
function usableFeatures(summary: { columns: ColumnStats[]; rows: number }, label: string): string[] {
  return featuresFromStats(summary.columns, summary.rows, label);
}

/** Chooses the label column; every other usable column becomes a feature. */
/**
 * Reads another group of the HDF5 file in use (the same file, decoded again): the label stays
 * when the group has a column of that name. A failure leaves the dataset in use as it was.
 */
export async function chooseHdf5Group(group: string): Promise<void> {
  const { summary, label, url } = store.getState().dataset;
  if (!currentSources || !summary?.hdf5 || summary.hdf5.group === group) return;
  await loadSources(currentSources, label ?? undefined, url, undefined, group);
}

export function setLabel(label: string): void {
  const { summary } = store.getState().dataset;
  if (!summary) return;
  setDataset({
    label,
    // A new label is read as its values say (labelTask) until a task is picked for it.
    task: null,
    features: usableFeatures(summary, label),
    quality: initialDataset.quality,
    neighbours: { ...initialDataset.neighbours, row: store.getState().dataset.neighbours.row },
  });
}

/** Classification or regression for the label in use; null: decided from the label (labelTask). */
export function setTask(task: Task | null): void {
  setDataset({ task });
}

let whereTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * The Filters section's text: kept as typed; a quarter of a second after the last key the data
 * worker counts the rows it keeps (or says why it cannot), so the count follows the typing.
 */
export function setWhere(where: string): void {
  setDataset({ where });
  if (whereTimer) clearTimeout(whereTimer);
  const text = where.trim();
  if (!text) {
    setDataset({ filter: initialDataset.filter });
    return;
  }
  whereTimer = setTimeout(() => void countWhere(text), 250);
}

async function countWhere(where: string): Promise<void> {
  const summary = store.getState().dataset.summary;
  if (!summary) return;
  setDataset({ filter: { status: 'counting', where, rows: null, error: null } });
  let filter: DatasetSlice['filter'];
  try {
    const r = await getWorkers().data.get().call('countWhere', { datasetId: summary.id, where });
    filter = { status: 'done', where, rows: r.rows, error: null, notes: r.notes };
  } catch (e) {
    filter = { status: 'error', where, rows: null, error: errorText(e) };
  }
  // A later keystroke (or another dataset) wins.
  const now = store.getState().dataset;
  if (now.where.trim() === where && now.summary?.id === summary.id) setDataset({ filter });
}

/** Toggles one feature column. */
export function toggleFeature(name: string): void {
  const { features } = store.getState().dataset;
  setDataset({
    features: features.includes(name) ? features.filter((f) => f !== name) : [...features, name],
    quality: initialDataset.quality,
  });
}

/**
 * Checks the dataset in use for repeated rows and train / test leaks, with the label, features,
 * split seed and dedup mode of the current settings (leaks among the rows a run would use).
 */
export async function checkQuality(): Promise<void> {
  const { dataset, settings } = store.getState();
  if (!dataset.summary || !dataset.label) return;
  setDataset({ quality: { ...initialDataset.quality, status: 'running' } });
  try {
    const dedup = settings.dedup ?? 'none';
    const result = await getWorkers()
      .data.get()
      .call('quality', {
        datasetId: dataset.summary.id,
        features: { label: dataset.label, features: dataset.features },
        split: defaultSplit(settings.seed),
        dedup,
      });
    setDataset({ quality: { status: 'done', dedup: result.dedup, leaks: result.leaks, error: null } });
  } catch (e) {
    setDataset({ quality: { ...initialDataset.quality, status: 'idle', error: errorText(e) } });
  }
}

/** Opens the neighbour inspector on a row of the dataset in use. */
export async function inspectNeighbours(row: number, k = store.getState().dataset.neighbours.k): Promise<void> {
  const { dataset } = store.getState();
  if (!dataset.summary || !dataset.label) return;
  setDataset({ neighbours: { status: 'running', row, k, view: dataset.neighbours.view, error: null } });
  try {
    const view = await getWorkers()
      .data.get()
      .call('neighbours', {
        datasetId: dataset.summary.id,
        features: { label: dataset.label, features: dataset.features },
        row,
        k,
      });
    setDataset({ neighbours: { status: 'done', row, k, view, error: null } });
  } catch (e) {
    setDataset({ neighbours: { status: 'idle', row, k, view: null, error: errorText(e) } });
  }
}
