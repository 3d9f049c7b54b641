/**
 * Opening a run record file in the workbench: a record the CLI's `train --json` printed, or the
 * one an exported PyTorch job's rank 0 wrote (train_ddp.py). It joins the finished runs, marked
 * with where it was trained (its environment's runtime, as shared runs are), so it sits beside
 * the browser's runs in the charts and the results table, and it is stored like them. Its
 * trained weights, when it carries them and they check out, are kept for the Export buttons.
 * Every field is checked (run-codec's decoder, the one shared links and storage use); a record of
 * a newer format is refused saying so.
 */
import { DataError } from '../core/data/table';
import { downsampleSteps, MAX_STORED_STEPS, readRun, STORED_LIMITS, STORED_RUN_VERSION } from '../core/share/run-codec';
import { DecodeError } from '../core/share/schema';
import { checkRecordVersion, readTrainedRecord } from '../core/train/trained';
import { fromStored } from './persist';
import { runTitle } from './queued-config';
import { store, type RunView } from './store';
import { keepTrained } from './trained-models';

/** Records larger than this are refused before they are read. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** The run a record file describes, checked; throws a DataError naming the file and the field. */
export function runFromRecord(raw: unknown, fileName: string, colour: number, now = Date.now()): RunView {
  let record: Record<string, unknown>;
  try {
    record = checkRecordVersion(raw);
  } catch (e) {
    throw new DataError(`${fileName}: ${(e as Error).message}`);
  }
  const environment = record.environment as { runtime?: unknown } | null | undefined;
  const runtime = typeof environment?.runtime === 'string' ? environment.runtime : 'elsewhere';
  const steps =
    Array.isArray(record.steps) && record.steps.length > MAX_STORED_STEPS
      ? downsampleSteps(record.steps, MAX_STORED_STEPS)
      : record.steps;
  const candidate = {
    version: STORED_RUN_VERSION,
    id: record.id,
    config: record.config,
    environment: record.environment ?? null,
    steps,
    epochs: record.epochs,
    summary: record.summary,
    meta: {
      title: 'imported',
      colour,
      createdAt: now,
      finishedAt: now,
      budgetSec: null,
      sweep: null,
      error: null,
      info: `opened from ${fileName}`,
      stepsTotal: Array.isArray(steps) ? steps.length : 0,
      origin: runtime.slice(0, 200),
    },
  };
  try {
    const run = fromStored(readRun(candidate, STORED_LIMITS));
    return { ...run, title: runTitle(run.config, null) };
  } catch (e) {
    if (e instanceof DecodeError) throw new DataError(`${fileName}: ${e.message.replace(/^run\./, '')}`);
    throw e;
  }
}

/**
 * Adds the run of a record file's text to the finished runs; returns it. The notice says what
 * was opened, or (thrown DataError) what is wrong with the file.
 */
export function importRecord(text: string, fileName: string): RunView {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new DataError(`${fileName}: is not JSON (a run record is the JSON that train --json or train_ddp.py writes)`);
  }
  const runs = store.getState().runs;
  const run = runFromRecord(
    raw,
    fileName,
    runs.reduce((m, r) => Math.max(m, r.colour + 1), 0),
  );
  if (runs.some((r) => r.id === run.id)) throw new DataError(`${fileName}: run ${run.id} is open already`);
  let weights = '';
  try {
    readTrainedRecord(raw);
    keepTrained(run.id, (raw as { trained: Parameters<typeof keepTrained>[1] }).trained);
    weights = ', with its trained weights';
  } catch {
    // No weights, or weights that do not check out: the run's results are still worth comparing.
  }
  store.setState((s) => ({
    runs: [...s.runs, run],
    notice: `opened run ${run.title} from ${fileName} (trained on ${run.origin})${weights}`,
  }));
  return run;
}
