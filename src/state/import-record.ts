/**
 * Opening a run record file in the workbench (checked by core/share/record-import.ts): a record the CLI's `train --json` printed, or the
 * one an exported PyTorch job's rank 0 wrote (train_ddp.py). It joins the finished runs, marked
 * with where it was trained (its environment's runtime, as shared runs are), so it sits beside
 * the browser's runs in the charts and the results table, and it is stored like them. Its
 * trained weights, when it carries them and they check out, are kept for the Export buttons.
 * Every field is checked (run-codec's decoder, the one shared links and storage use); a record of
 * a newer format is refused saying so.
 */
import { DataError } from '../core/data/table';
import { recordToStored } from '../core/share/record-import';
import { readTrainedRecord } from '../core/train/trained';
import { fromStored } from './persist';
import { runTitle } from './queued-config';
import { store, type RunView } from './store';
import { keepTrained } from './trained-models';

/** Records larger than this are refused before they are read. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** The run a record file describes, checked; throws a DataError naming the file and the field. */
export function runFromRecord(raw: unknown, fileName: string, colour: number, now = Date.now()): RunView {
  const run = fromStored(recordToStored(raw, fileName, colour, now));
  return { ...run, title: runTitle(run.config, null) };
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
