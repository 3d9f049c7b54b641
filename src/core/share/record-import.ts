/**
 * A run record file (the CLI's `train --json`, or an exported PyTorch job's run-pytorch.json) as
 * a stored run: checked field by field by the decoder that share links and storage use, marked
 * with where it trained (its runtime) so it groups apart from the runs made here. A record of a
 * newer format is refused saying so. (state/import-record.ts adds it to the workbench.)
 */
import { DataError } from '../data/table';
import { checkRecordVersion } from '../train/trained';
import {
  downsampleSteps,
  MAX_STORED_STEPS,
  readRun,
  STORED_LIMITS,
  STORED_RUN_VERSION,
  type StoredRun,
} from './run-codec';
import { DecodeError } from './schema';

/** The stored run of a record; throws a DataError naming the file and the field. */
export function recordToStored(raw: unknown, fileName: string, colour: number, now: number): StoredRun {
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
    return readRun(candidate, STORED_LIMITS);
  } catch (e) {
    if (e instanceof DecodeError) throw new DataError(`${fileName}: ${e.message.replace(/^run\./, '')}`);
    throw e;
  }
}
