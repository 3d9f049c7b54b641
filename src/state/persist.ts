/**
 * Finished runs survive a reload: the store's runs are the source of truth and IndexedDB
 * mirrors the finished ones (one record per run, steps down-sampled to at most 1000, see
 * core/share/run-codec.ts). A run deleted from the store is deleted from the database; when
 * the stored runs pass the cap (200 runs or 24 MB of JSON) the oldest leave the store, and so
 * the database. IndexedDB rather than localStorage: records of up to ~100 kB each, written
 * asynchronously, no 5 MB ceiling and no JSON.stringify of everything on the main thread.
 * The runs waiting in the queue (and the one training) are kept too, as what it takes to queue
 * them again (waiting.ts): the next open offers them back.
 */
import { decodeRun, encodeRun, overCap, storedSize, DEFAULT_CAP, type StoredRun } from '../core/share/run-codec';
import { committed, indexedDbFactory, openDatabase, requested, StorageError } from '../workers/idb';
import { store, type RunView, type WorkbenchState } from './store';
import { readSweep, readWaiting, sweepToStore, waitingOf, type WaitingRun } from './waiting';
import { readSearch, searchRecord } from './search-store';
import { attachTrainedStorage, forgetTrained } from './trained-models';
import type { TrainedJson } from '../core/train/trained';

const DB_NAME = 'trainbench';
const DB_VERSION = 3;
const RUNS = 'runs';
/** Version 3: each finished run's trained model (record.trained), keyed by run id (trained-models.ts). */
const TRAINED = 'trained';
/** Version 2: the runs waiting in the queue, one record under WAITING_KEY (see waiting.ts). */
const WAITING = 'waiting';
const WAITING_KEY = 'queue';
/** In the same store: the sweep in progress, if any (see waiting.ts). */
const SWEEP_KEY = 'sweep';
/** In the same store: the last search (core/tune), whatever its status but shared (see search-store.ts). */
const SEARCH_KEY = 'search';

const FINISHED = new Set(['done', 'stopped', 'failed']);

let db: Promise<IDBDatabase> | null = null;
/** The run object last written per id, and its size. */
const saved = new Map<string, { run: RunView; size: number; createdAt: number; finishedAt: number | null }>();
let attached = false;

function openDb(): Promise<IDBDatabase> {
  const factory = indexedDbFactory();
  if (!factory) return Promise.reject(new StorageError('IndexedDB is not available'));
  db ??= openDatabase(factory, DB_NAME, DB_VERSION, {
    [RUNS]: { keyPath: 'id' },
    [WAITING]: undefined,
    [TRAINED]: undefined,
  });
  return db;
}

async function write(puts: StoredRun[], deletes: string[]): Promise<void> {
  const d = await openDb();
  const tx = d.transaction([RUNS, TRAINED], 'readwrite');
  const os = tx.objectStore(RUNS);
  for (const p of puts) os.put(p);
  for (const id of deletes) {
    os.delete(id);
    tx.objectStore(TRAINED).delete(id);
  }
  await committed(tx, 'saving runs');
}

/** What was last written as the waiting runs (their ids and the pending restored ones). */
let waitingKey = '';

/** The sweep last written (the store's sweep object, or the restored one). */
let sweepWritten: unknown = undefined;

/**
 * Mirrors the waiting runs into the database: this session's queued and running runs, plus the
 * ones restored from the last session that the user has not yet queued again or discarded; and
 * the sweep in progress (this session's, or the restored one not yet taken up again).
 */
function syncWaiting(state: WorkbenchState): void {
  const runs: WaitingRun[] = [...(state.restoredQueue?.runs ?? []), ...waitingOf(state.runs)];
  const key = `${state.restoredQueue ? 'r' : ''}:${state.runs
    .filter((r) => r.status === 'queued' || r.status === 'running' || r.status === 'paused')
    .map((r) => r.id)
    .join(',')}`;
  const sweepView = state.sweep?.status === 'running' ? state.sweep : (state.restoredQueue?.sweep ?? null);
  if (key === waitingKey && sweepView === sweepWritten) return;
  waitingKey = key;
  sweepWritten = sweepView;
  void openDb()
    .then((d) => {
      const tx = d.transaction(WAITING, 'readwrite');
      tx.objectStore(WAITING).put(runs, WAITING_KEY);
      tx.objectStore(WAITING).put(sweepToStore(sweepView), SWEEP_KEY);
      return committed(tx, 'saving the waiting runs');
    })
    .catch(fail);
}

/** Keeps the last search over a reload (a shared one belongs to its link, not to this browser). */
function syncSearch(state: WorkbenchState): void {
  const view = state.search && state.search.status !== 'shared' ? searchRecord(state.search) : null;
  void openDb()
    .then((d) => {
      const tx = d.transaction(WAITING, 'readwrite');
      tx.objectStore(WAITING).put(view, SEARCH_KEY);
      return committed(tx, 'saving the search');
    })
    .catch(fail);
}

function fail(e: unknown): void {
  store.setState((s) => ({
    storage: { ...s.storage, error: `runs are not saved: ${e instanceof Error ? e.message : String(e)}` },
  }));
}

export function toStored(r: RunView): StoredRun {
  return encodeRun(r, {
    title: r.title,
    colour: r.colour,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    budgetSec: r.budgetSec,
    sweep: r.sweep,
    origin: r.origin ?? null,
  });
}

export function fromStored(s: StoredRun): RunView {
  return {
    id: s.id,
    title: s.meta.title,
    config: s.config,
    environment: s.environment,
    status: s.summary.status,
    steps: s.steps,
    epochs: s.epochs,
    summary: s.summary,
    error: s.meta.error,
    info: s.meta.info,
    colour: s.meta.colour,
    createdAt: s.meta.createdAt,
    startedAt: null,
    finishedAt: s.meta.finishedAt,
    budgetSec: s.meta.budgetSec,
    expectedSteps: null,
    sweep: s.meta.sweep,
    origin: s.meta.origin ?? null,
  };
}

/** Mirrors the finished runs of the store into the database. */
function sync(state: WorkbenchState): void {
  const puts: StoredRun[] = [];
  const present = new Set<string>();
  for (const r of state.runs) {
    present.add(r.id);
    if (!FINISHED.has(r.status) || saved.get(r.id)?.run === r) continue;
    const stored = toStored(r);
    saved.set(r.id, { run: r, size: storedSize(stored), createdAt: r.createdAt, finishedAt: r.finishedAt });
    puts.push(stored);
  }
  const deletes = [...saved.keys()].filter((id) => !present.has(id));
  for (const id of deletes) saved.delete(id);
  forgetTrained(deletes);
  if (puts.length === 0 && deletes.length === 0) return;
  void write(puts, deletes).catch(fail);
  const drop = overCap(
    [...saved.entries()].map(([id, v]) => ({ id, ...v })),
    DEFAULT_CAP,
  );
  if (drop.length) {
    const gone = new Set(drop);
    // Leaves the store first; the next sync deletes them from the database.
    queueMicrotask(() =>
      store.setState((s) => ({
        runs: s.runs.filter((r) => !gone.has(r.id)),
        notice:
          `${drop.length} oldest stored run${drop.length > 1 ? 's were' : ' was'} removed to stay ` +
          `within ${DEFAULT_CAP.maxRuns} runs / ${DEFAULT_CAP.maxBytes >> 20} MB`,
      })),
    );
  }
}

/**
 * Reads the stored runs into the store (before any run of this session, oldest first), then
 * keeps the database in step with the store. Safe to call once at start-up.
 */
export async function restoreRuns(): Promise<void> {
  if (attached) return;
  attached = true;
  attachTrainedStorage(
    {
      async save(id, trained) {
        const tx = (await openDb()).transaction(TRAINED, 'readwrite');
        tx.objectStore(TRAINED).put(trained, id);
        await committed(tx, 'saving a trained model');
      },
      async load(id) {
        const d = await openDb();
        const got: unknown = await requested(
          d.transaction(TRAINED, 'readonly').objectStore(TRAINED).get(id),
          'reading a trained model',
        );
        return (got as TrainedJson | undefined) ?? null;
      },
    },
    fail,
  );
  let restored: RunView[] = [];
  try {
    const d = await openDb();
    const all = await requested(d.transaction(RUNS, 'readonly').objectStore(RUNS).getAll(), 'reading the stored runs');
    const good = all.map(decodeRun).filter((r): r is StoredRun => r !== null);
    const bad = all.length - good.length;
    restored = good.map(fromStored).sort((a, b) => a.createdAt - b.createdAt);
    for (let i = 0; i < restored.length; i++) {
      saved.set(restored[i].id, {
        run: restored[i],
        size: storedSize(good.find((g) => g.id === restored[i].id)!),
        createdAt: restored[i].createdAt,
        finishedAt: restored[i].finishedAt,
      });
    }
    if (bad)
      store.setState({
        notice:
          `${bad} stored run${bad > 1 ? 's' : ''} could not be read (another version or ` +
          `damaged) and ${bad > 1 ? 'were' : 'was'} skipped`,
      });
    const waiting = readWaiting(
      await requested(
        d.transaction(WAITING, 'readonly').objectStore(WAITING).get(WAITING_KEY),
        'reading the waiting runs',
      ),
    );
    const sweep = readSweep(
      await requested(
        d.transaction(WAITING, 'readonly').objectStore(WAITING).get(SWEEP_KEY),
        'reading the sweep in progress',
      ),
    );
    if (waiting.runs.length) store.setState({ restoredQueue: { runs: waiting.runs, dropped: waiting.dropped, sweep } });
    const storedSearch = await requested(
      d.transaction(WAITING, 'readonly').objectStore(WAITING).get(SEARCH_KEY),
      'reading the last search',
    );
    const search = storedSearch ? readSearch(storedSearch, 'stored') : null;
    if (storedSearch && !search)
      store.setState({ notice: 'the stored search could not be read (another version or damaged)' });
    if (search && !store.getState().search) store.setState({ search });
  } catch (e) {
    fail(e);
  }
  const ids = new Set(restored.map((r) => r.id));
  store.setState((s) => ({
    runs: [...restored, ...s.runs.filter((r) => !ids.has(r.id))],
    storage: { ...s.storage, restored: restored.length },
  }));
  store.subscribe((s, prev) => {
    if (s.runs !== prev.runs) sync(s);
    if (s.runs !== prev.runs || s.restoredQueue !== prev.restoredQueue || s.sweep !== prev.sweep) syncWaiting(s);
    if (s.search !== prev.search) syncSearch(s);
  });
  sync(store.getState());
  syncWaiting(store.getState());
}
