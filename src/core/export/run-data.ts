/**
 * A run's data as the workbench trained on it, for the PyTorch bundle's data.npz: the same
 * dedup, the same encoding and split (encode.ts, as the data service does for a loaded dataset),
 * every encoded row dense, and the batch order of each epoch (the Batcher's seeded shuffle).
 */
import { shuffleForEpoch } from '../data/batcher';
import { denseRows, encodeTable, withTask } from '../data/encode';
import type { InputFeature } from '../data/preprocessing';
import { dedupRows } from '../data/quality';
import { filterRows, tableRows } from '../data/filter';
import { DataError, type DataTable } from '../data/table';
import type { RunConfig } from '../train/record';

export interface RunData {
  rows: number;
  dim: number;
  /** rows x dim, row-major: every encoded row (all splits). */
  x: Float32Array;
  /** Class index or standardised target per row. */
  y: Float32Array;
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
  /** epochs x train rows: the rows of each epoch in the order the workbench's batches took them. */
  order: Int32Array;
  epochs: number;
}

/** Largest dense x an export writes (rows x dim values); a larger dataset is refused with a message. */
export const MAX_EXPORT_VALUES = 256 * 1024 * 1024;

export function runData(loaded: DataTable, config: RunConfig, inputs: readonly InputFeature[]): RunData {
  // A streamed run's rows cannot be rebuilt from the whole file: its encoding came from the first
  // piece and its split from each row's position.
  if (config.data.stream)
    throw new DataError(
      `the run trained streaming (its encoding fixed by the first piece of ${loaded.name}, its split by each row's ` +
        'position), so its training, validation and test rows cannot be rebuilt from the file; train it with the ' +
        'file loaded whole (without --stream) to export its data or quantize it',
    );
  // A filtered run's rows: the filter first, as the data service does.
  const table = config.data.where ? tableRows(loaded, filterRows(loaded, config.data.where).rows) : loaded;
  // The task the whole dataset gives the label (a filter never changes it), as the data service encodes.
  const features = withTask(loaded, {
    label: config.data.label,
    features: config.data.features,
    ...(config.data.task ? { task: config.data.task } : {}),
  });
  const deduped =
    config.data.dedup === 'none'
      ? null
      : dedupRows(table, config.data.dedup, { columns: [features.label, ...features.features] });
  const enc = encodeTable(table, features, config.data.split, { rows: deduped?.keep });
  if (JSON.stringify(enc.inputs) !== JSON.stringify(inputs))
    throw new DataError(
      `${table.name} encodes differently from the run's trained model (a streaming run, whose layout came from its ` +
        'first chunk, or a changed file): the rows encoded here would not be the ones it trained on',
    );
  if (enc.rows * enc.dim > MAX_EXPORT_VALUES)
    throw new DataError(
      `${table.name}: ${enc.rows} rows x ${enc.dim} features is more than data.npz takes here (${MAX_EXPORT_VALUES} values)`,
    );
  const all = Int32Array.from({ length: enc.rows }, (_, i) => i);
  const train = enc.split.train;
  const order = new Int32Array(config.epochs * train.length);
  for (let e = 0; e < config.epochs; e++) {
    const o = order.subarray(e * train.length, (e + 1) * train.length);
    o.set(train);
    shuffleForEpoch(o, config.seed, e);
  }
  return {
    rows: enc.rows,
    dim: enc.dim,
    x: denseRows(enc, all),
    y: enc.y,
    train,
    val: enc.split.val,
    test: enc.split.test,
    order,
    epochs: config.epochs,
  };
}
