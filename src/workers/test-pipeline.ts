/** Test support: the data and trainer services wired as in the browser, in one process. */
import { createDataService } from './data-service';
import { createTrainerService } from './trainer-service';
import type { TrainerEvent } from './protocol';
import type { PreparedRun } from './protocol';
import type { Transferring } from './rpc';
import type { RunConfig } from '../core/train/record';
import { DEFAULT_SETTINGS, makeRunConfig } from '../core/train/run-config';
import { defaultSplit } from '../core/data/split';

export const unwrap = <T,>(v: T | Transferring<T>): T => ((v as Transferring<T>).__transfer ? (v as Transferring<T>).value : (v as T));

/** The data and trainer services wired as in the browser, over real MessageChannels, tfjs on its cpu backend (wgsl runs on Dawn). */
export async function runOnce(fileName: string, bytes: Uint8Array, overrides: Partial<RunConfig> = {}, label?: string) {
  const data = createDataService();
  const events: TrainerEvent[] = [];
  const trainer = createTrainerService((e) => events.push(e));
  const summary = unwrap(await data.load({ name: fileName, bytes: bytes.slice().buffer }));
  const env = unwrap(await trainer.init({ preferred: 'cpu' }));
  const lbl = label ?? summary.defaultLabel;
  const features = label ? summary.columns.map((c) => c.name).filter((c) => c !== lbl) : summary.defaultFeatures;
  const config = { ...makeRunConfig({ ...DEFAULT_SETTINGS, backend: 'cpu' }, { fingerprint: summary.fingerprint, name: fileName, rows: summary.rows, label: lbl, features, dedup: 'none', split: defaultSplit(1) }), ...overrides };
  const channel = new MessageChannel();
  const prepared = unwrap(await data.prepareRun({ runId: 'r1', datasetId: summary.id, features: { label: lbl, features }, split: config.data.split, batchSize: config.batchSize, epochs: config.epochs, seed: config.seed, prefetch: config.prefetch, port: channel.port1 })) as PreparedRun;
  const result = unwrap(await trainer.train({ runId: 'r1', config, task: prepared.task, port: channel.port2 }));
  const steps = events.flatMap((e) => (e.type === 'steps' ? e.steps : []));
  const epochs = events.flatMap((e) => (e.type === 'epoch' ? [e.epoch] : []));
  return { summary, env, prepared, result, steps, epochs, events };
}

